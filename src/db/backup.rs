//! What backups and restores ask of the database: a consistent copy of a SQLite database, a
//! PostgreSQL snapshot that `pg_dump` can share, the rows of every table, the last migration
//! applied, and whether a database is empty.

use super::{Backend, Result};
use sqlx::{AnyConnection, AnyPool};
use std::collections::BTreeMap;

/// Writes a copy of the live SQLite database to `path` (`VACUUM INTO`): one read transaction,
/// so the copy is the database as it stood at one moment, and the writers go on meanwhile
/// (with write-ahead logging a reader never holds up a writer).
pub async fn copy_sqlite(pool: &AnyPool, path: &str) -> Result<()> {
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(())
}

/// Begins, on `conn`, a read-only transaction of PostgreSQL that sees one moment of the
/// database, and exports its snapshot: `pg_dump --snapshot` then dumps that same moment, as
/// long as the transaction stays open.
pub async fn export_snapshot(conn: &mut AnyConnection) -> Result<String> {
    sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *conn)
        .await
}

/// Ends the transaction [`export_snapshot`] began.
pub async fn end_snapshot(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query("ROLLBACK").execute(conn).await?;
    Ok(())
}

/// The tables of the database (of PostgreSQL's current schema), sorted.
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema() \
             ORDER BY tablename"
        }
    };
    sqlx::query_scalar(sql).fetch_all(conn).await
}

/// The rows of every table, by name.
pub async fn table_counts(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<BTreeMap<String, i64>> {
    let mut counts = BTreeMap::new();
    for table in tables(conn, backend).await? {
        // The name comes from the database's own catalog, quoted as an identifier.
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        counts.insert(table, n);
    }
    Ok(counts)
}

/// The last migration the database applied (0 before any).
pub async fn last_migration(conn: &mut AnyConnection, backend: Backend) -> Result<i64> {
    if !tables(conn, backend)
        .await?
        .iter()
        .any(|t| t == "_sqlx_migrations")
    {
        return Ok(0);
    }
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(conn)
            .await?;
    Ok(last.unwrap_or(0))
}

/// Removes every table of PostgreSQL's current schema (a restore with `--force`), by making
/// the schema again.
pub async fn empty_postgres(conn: &mut AnyConnection) -> Result<()> {
    let schema: String = sqlx::query_scalar("SELECT CAST(current_schema() AS TEXT)")
        .fetch_one(&mut *conn)
        .await?;
    // The name comes from the server itself, quoted as an identifier.
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    for sql in [
        format!("DROP SCHEMA {quoted} CASCADE"),
        format!("CREATE SCHEMA {quoted}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// How many coopol processes have beaten their heartbeat on this database within
/// [`super::federation::HEARTBEAT_STALE`] (0 when the table does not exist yet).
pub async fn running_processes(conn: &mut AnyConnection, backend: Backend) -> Result<i64> {
    if !tables(conn, backend)
        .await?
        .iter()
        .any(|t| t == "processes")
    {
        return Ok(0);
    }
    let since = crate::clock::now() - super::federation::HEARTBEAT_STALE.as_micros() as i64;
    sqlx::query_scalar("SELECT COUNT(*) FROM processes WHERE heartbeat_at >= $1")
        .bind(since)
        .fetch_one(conn)
        .await
}

/// Forgets every process's heartbeat (after a restore: they are another machine's).
pub async fn forget_processes(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query("DELETE FROM processes").execute(conn).await?;
    Ok(())
}
