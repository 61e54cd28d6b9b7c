//! The two migration folders (`migrations/sqlite`, `migrations/postgres`) are generated from
//! one source, `migrations/source` (`tests/migrations.rs`), whose per-backend blocks and tokens
//! can still make them differ: this test migrates a fresh database of each kind and compares
//! what they hold, table by table: columns with their type and nullability, primary keys, and
//! indexes (their columns and uniqueness). Types compare through the mapping coopol keeps
//! (docs/ARCHITECTURE.md, Storage): SQLite `INTEGER` is PostgreSQL `bigint`, `TEXT` is `text`,
//! `BLOB` is `bytea`.
//!
//! Not compared: the predicates of partial indexes, default values and triggers (the counting
//! triggers are written once per backend, in per-backend blocks of the sources;
//! `assert_numbers_match_a_recount` checks what they keep). It needs both databases, so it runs
//! in the suite's PostgreSQL pass (`scripts/test`); the SQLite pass says so and passes.

mod common;

use sqlx::{Connection, PgConnection, SqliteConnection};
use std::collections::BTreeSet;

/// (table, column, type, not null, part of the primary key)
type Columns = BTreeSet<(String, String, String, bool, bool)>;
/// (table, indexed columns in order, unique)
type Indexes = BTreeSet<(String, String, bool)>;

fn sqlite_type(t: &str) -> String {
    match t.to_ascii_uppercase().as_str() {
        "INTEGER" | "BIGINT" => "integer".into(),
        "TEXT" => "text".into(),
        "BLOB" => "bytes".into(),
        "REAL" => "real".into(),
        other => other.to_ascii_lowercase(),
    }
}

fn postgres_type(t: &str) -> String {
    match t {
        "bigint" | "integer" => "integer".into(),
        "text" | "character varying" => "text".into(),
        "bytea" => "bytes".into(),
        "double precision" | "real" => "real".into(),
        other => other.into(),
    }
}

async fn sqlite_schema(url: &str) -> (Columns, Indexes) {
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut columns = Columns::new();
    let mut indexes = Indexes::new();
    for table in tables {
        let cols: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (name, kind, notnull, pk) in cols {
            // SQLite lets a primary key column be NULL unless it says otherwise; PostgreSQL
            // never does: compare what the column can hold.
            columns.insert((
                table.clone(),
                name,
                sqlite_type(&kind),
                notnull != 0 || pk > 0,
                pk > 0,
            ));
        }
        let list: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (index, unique, origin) in list {
            // The primary key's own index is the primary key, compared with the columns.
            if origin == "pk" {
                continue;
            }
            // An expression has no column name (`COALESCE(status_id, 0)`).
            let cols: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let cols: Vec<String> = cols
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "(expression)".into()))
                .collect();
            indexes.insert((table.clone(), cols.join(","), unique != 0));
        }
    }
    (columns, indexes)
}

async fn postgres_schema(url: &str) -> (Columns, Indexes) {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text \
         FROM information_schema.columns c JOIN information_schema.tables t \
           ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT tc.table_name::text, k.column_name::text \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name \
           AND k.table_schema = tc.table_schema \
         WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut columns = Columns::new();
    for (table, name, kind, nullable) in cols {
        let pk = keys.iter().any(|(t, c)| *t == table && *c == name);
        columns.insert((table, name, postgres_type(&kind), nullable == "NO", pk));
    }
    let list: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT t.relname::text, \
           (SELECT string_agg(COALESCE(a.attname::text, '(expression)'), ',' ORDER BY k.n) \
              FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) \
              LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum), \
           ix.indisunique \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         WHERE ns.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let indexes: Indexes = list.into_iter().collect();
    (columns, indexes)
}

#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let Some(server) = std::env::var("COOPOL_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
    else {
        eprintln!(
            "notice: COOPOL_TEST_POSTGRES_URL is not set; the schemas are compared in the \
             suite's PostgreSQL pass"
        );
        return;
    };
    let sqlite_app = {
        // One instance of each backend, migrated by coopol itself.
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/coopol.db?mode=rwc", dir.path().display());
        let db = coopol::db::Db::connect(&url, 2).await.unwrap();
        db.migrate().await.unwrap();
        db.close().await;
        (dir, url)
    };
    let pg_url = {
        let name = format!(
            "coopol_schema_{}_{}",
            std::process::id(),
            coopol::crypto::random_code(6).to_lowercase()
        );
        let mut admin = PgConnection::connect(&server).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&name);
        let db = coopol::db::Db::connect(url.as_str(), 2).await.unwrap();
        db.migrate().await.unwrap();
        db.close().await;
        url.to_string()
    };
    let (sqlite_columns, sqlite_indexes) = sqlite_schema(&sqlite_app.1).await;
    let (pg_columns, pg_indexes) = postgres_schema(&pg_url).await;
    assert!(
        sqlite_columns.len() > 50,
        "too few columns read: {sqlite_columns:?}"
    );
    let only_sqlite: Vec<_> = sqlite_columns.difference(&pg_columns).collect();
    let only_pg: Vec<_> = pg_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "columns differ.\nSQLite only: {only_sqlite:#?}\nPostgreSQL only: {only_pg:#?}"
    );
    let only_sqlite: Vec<_> = sqlite_indexes.difference(&pg_indexes).collect();
    let only_pg: Vec<_> = pg_indexes.difference(&sqlite_indexes).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "indexes differ.\nSQLite only: {only_sqlite:#?}\nPostgreSQL only: {only_pg:#?}"
    );
}
