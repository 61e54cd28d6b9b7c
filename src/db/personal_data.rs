//! A person's data: the archives they ask for (`data_exports`), the Mastodon CSV files they
//! import (`data_imports`), the reads an archive is made of, and which columns of the schema
//! refer to an account (the export's completeness check, `service::export::unclassified`).

use super::{Backend, Result, federation::Claim};
use sqlx::{AnyPool, FromRow, Row, any::AnyRow};

/// An archive asked for.
#[derive(Debug, Clone, FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub account_id: i64,
    /// pending, ready or failed.
    pub state: String,
    pub requested_at: i64,
    pub finished_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub object_key: Option<String>,
    pub size_bytes: Option<i64>,
}

const EXPORT_COLUMNS: &str =
    "id, account_id, state, requested_at, finished_at, expires_at, object_key, size_bytes";

/// Records an archive to prepare.
pub async fn insert_export(db: &AnyPool, id: i64, account_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO data_exports (id, account_id, state, requested_at) VALUES ($1, $2, 'pending', $3)",
    )
    .bind(id)
    .bind(account_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A person's archives, newest first.
pub async fn exports_of(db: &AnyPool, account_id: i64) -> Result<Vec<ExportRow>> {
    let sql = format!(
        "SELECT {EXPORT_COLUMNS} FROM data_exports WHERE account_id = $1 ORDER BY requested_at DESC, id DESC"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .fetch_all(db)
        .await
}

/// One archive.
pub async fn export_by_id(db: &AnyPool, id: i64) -> Result<Option<ExportRow>> {
    let sql = format!("SELECT {EXPORT_COLUMNS} FROM data_exports WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The condition of a row nobody holds: never claimed, its lease over, or its process gone.
const FREE: &str = "(locked_until IS NULL OR locked_until < $1 OR NOT EXISTS \
                    (SELECT 1 FROM processes p WHERE p.id = locked_by AND p.heartbeat_at > $4))";

/// Claims pending rows of `table` (`data_exports` or `data_imports`), at most
/// `max_attempts` tries each; gives their ids.
async fn claim(
    db: &AnyPool,
    backend: Backend,
    table: &'static str,
    claim: &Claim<'_>,
    limit: i64,
    max_attempts: i64,
) -> Result<Vec<i64>> {
    let skip = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // The outer conditions repeat the inner ones: on PostgreSQL, a row another process
    // claimed meanwhile is checked again and left out.
    let sql = format!(
        "UPDATE {table} SET locked_until = $2, locked_by = $5, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM {table} WHERE state = 'pending' AND attempts < $6 AND {FREE} \
         ORDER BY state, id LIMIT $3{skip}) AND state = 'pending' AND {FREE} RETURNING id"
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(claim.now)
        .bind(claim.lease_until)
        .bind(limit)
        .bind(claim.stale_before)
        .bind(claim.process)
        .bind(max_attempts)
        .fetch_all(db)
        .await
}

/// Claims archives to prepare.
pub async fn claim_exports(
    db: &AnyPool,
    backend: Backend,
    c: &Claim<'_>,
    limit: i64,
    max_attempts: i64,
) -> Result<Vec<i64>> {
    claim(db, backend, "data_exports", c, limit, max_attempts).await
}

/// Records a prepared archive; false when the claim was lost meanwhile.
pub async fn export_ready(
    db: &mut sqlx::AnyConnection,
    id: i64,
    process: &str,
    key: &str,
    size: i64,
    now: i64,
    expires_at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE data_exports SET state = 'ready', object_key = $3, size_bytes = $4, \
         finished_at = $5, expires_at = $6, locked_by = NULL, locked_until = NULL \
         WHERE id = $1 AND locked_by = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(process)
    .bind(key)
    .bind(size)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn job_table(imports: bool) -> &'static str {
    if imports {
        "data_imports"
    } else {
        "data_exports"
    }
}

/// Gives a row of `data_exports` or `data_imports` that `process` holds back for a later
/// attempt, or marks it failed after `max_attempts`. A row another process holds now, or
/// already finished, is left alone.
pub async fn release(
    db: &AnyPool,
    imports: bool,
    id: i64,
    process: &str,
    max_attempts: i64,
    now: i64,
) -> Result<()> {
    let table = job_table(imports);
    let sql = format!(
        "UPDATE {table} SET locked_by = NULL, locked_until = NULL, \
         state = CASE WHEN attempts >= $3 THEN 'failed' ELSE state END, \
         finished_at = CASE WHEN attempts >= $3 THEN $4 ELSE finished_at END \
         WHERE id = $1 AND locked_by = $2 AND state = 'pending'"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(process)
        .bind(max_attempts)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks a row `process` holds failed for good (its account is gone or suspended).
pub async fn fail(db: &AnyPool, imports: bool, id: i64, process: &str, now: i64) -> Result<()> {
    let table = job_table(imports);
    let sql = format!(
        "UPDATE {table} SET state = 'failed', finished_at = $3, locked_by = NULL, \
         locked_until = NULL WHERE id = $1 AND locked_by = $2 AND state = 'pending'"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(process)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Extends the lease of a row `process` holds; false when it holds it no more.
pub async fn renew(
    db: &AnyPool,
    imports: bool,
    id: i64,
    process: &str,
    until: i64,
) -> Result<bool> {
    let table = job_table(imports);
    let sql = format!(
        "UPDATE {table} SET locked_until = $3 \
         WHERE id = $1 AND locked_by = $2 AND state = 'pending'"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(process)
        .bind(until)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets every archive and import of an account (its erasure): gives the archives' file
/// keys, to delete from the media store once the transaction is committed.
pub async fn forget_all_of(db: &mut sqlx::AnyConnection, account_id: i64) -> Result<Vec<String>> {
    let keys: Vec<Option<String>> =
        sqlx::query_scalar("SELECT object_key FROM data_exports WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut *db)
            .await?;
    sqlx::query("DELETE FROM data_exports WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *db)
        .await?;
    sqlx::query("DELETE FROM data_imports WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *db)
        .await?;
    Ok(keys.into_iter().flatten().collect())
}

/// The archives past their time (ready ones past `expires_at`, failed ones a day old):
/// (id, file key).
pub async fn expired_exports(
    db: &AnyPool,
    now: i64,
    limit: i64,
) -> Result<Vec<(i64, Option<String>)>> {
    sqlx::query_as(
        "SELECT id, object_key FROM data_exports WHERE (state = 'ready' AND expires_at < $1) \
         OR (state = 'failed' AND finished_at < $1 - 86400000000) ORDER BY id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Forgets an archive (its file removed first).
pub async fn delete_export(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM data_exports WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A CSV file to import, or imported.
#[derive(Debug, Clone, FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub account_id: i64,
    pub kind: String,
    pub mode: String,
    pub state: String,
    pub body: String,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub total_rows: i64,
    pub imported: i64,
    pub report: Option<String>,
}

const IMPORT_COLUMNS: &str = "id, account_id, kind, mode, state, body, created_at, finished_at, \
                              total_rows, imported, report";

/// A new import to apply.
pub struct NewImport<'a> {
    pub id: i64,
    pub account_id: i64,
    pub kind: &'a str,
    pub mode: &'a str,
    pub body: &'a str,
    pub total_rows: i64,
    pub now: i64,
}

/// Records an import to apply.
pub async fn insert_import(db: &AnyPool, new: &NewImport<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO data_imports (id, account_id, kind, mode, state, body, created_at, total_rows) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)",
    )
    .bind(new.id)
    .bind(new.account_id)
    .bind(new.kind)
    .bind(new.mode)
    .bind(new.body)
    .bind(new.now)
    .bind(new.total_rows)
    .execute(db)
    .await?;
    Ok(())
}

/// How many imports a person sent since `since`.
pub async fn imports_since(db: &AnyPool, account_id: i64, since: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM data_imports WHERE account_id = $1 AND created_at >= $2",
    )
    .bind(account_id)
    .bind(since)
    .fetch_one(db)
    .await
}

/// How many imports of a person still wait.
pub async fn pending_imports(db: &AnyPool, account_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM data_imports WHERE account_id = $1 AND state = 'pending'",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// A person's imports, newest first (the last `limit`).
pub async fn imports_of(db: &AnyPool, account_id: i64, limit: i64) -> Result<Vec<ImportRow>> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM data_imports WHERE account_id = $1 ORDER BY id DESC LIMIT $2"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// One import.
pub async fn import_by_id(db: &AnyPool, id: i64) -> Result<Option<ImportRow>> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM data_imports WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Claims imports to apply.
pub async fn claim_imports(
    db: &AnyPool,
    backend: Backend,
    c: &Claim<'_>,
    limit: i64,
    max_attempts: i64,
) -> Result<Vec<i64>> {
    claim(db, backend, "data_imports", c, limit, max_attempts).await
}

/// Records an applied import: its report replaces its text. False when the claim was lost.
pub async fn import_done(
    db: &AnyPool,
    id: i64,
    process: &str,
    imported: i64,
    report: &str,
    now: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE data_imports SET state = 'done', body = '', imported = $3, report = $4, \
         finished_at = $5, locked_by = NULL, locked_until = NULL \
         WHERE id = $1 AND locked_by = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(process)
    .bind(imported)
    .bind(report)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the imports finished before `before` (their reports are kept a while).
pub async fn forget_imports(db: &AnyPool, before: i64) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM data_imports WHERE state <> 'pending' AND finished_at < $1")
            .bind(before)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}

/// An account named in an archive's CSV files: its address parts.
#[derive(Debug, Clone, FromRow)]
pub struct Named {
    pub username: String,
    pub domain: Option<String>,
}

/// The accounts a person follows (accepted or asked), newest first.
pub async fn following(db: &AnyPool, account_id: i64) -> Result<Vec<Named>> {
    named(
        db,
        "SELECT a.username, a.domain FROM follows f JOIN accounts a ON a.id = f.target_account_id \
         WHERE f.account_id = $1 ORDER BY f.id DESC",
        account_id,
    )
    .await
}

/// The accounts following a person, newest first.
pub async fn followers(db: &AnyPool, account_id: i64) -> Result<Vec<Named>> {
    named(
        db,
        "SELECT a.username, a.domain FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND f.state = 'accepted' ORDER BY f.id DESC",
        account_id,
    )
    .await
}

/// The accounts a person blocks, newest first.
pub async fn blocked(db: &AnyPool, account_id: i64) -> Result<Vec<Named>> {
    named(
        db,
        "SELECT a.username, a.domain FROM blocks b JOIN accounts a ON a.id = b.target_account_id \
         WHERE b.account_id = $1 ORDER BY b.id DESC",
        account_id,
    )
    .await
}

async fn named(db: &AnyPool, sql: &'static str, account_id: i64) -> Result<Vec<Named>> {
    sqlx::query_as(sql).bind(account_id).fetch_all(db).await
}

/// The accounts a person mutes, with whether their notifications are muted too.
pub async fn muted(db: &AnyPool, account_id: i64) -> Result<Vec<(Named, bool)>> {
    let rows: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT a.username, a.domain, m.notifications FROM mutes m \
         JOIN accounts a ON a.id = m.target_account_id WHERE m.account_id = $1 ORDER BY m.id DESC",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, domain, n)| (Named { username, domain }, n != 0))
        .collect())
}

/// A person's lists and their members: (list title, member).
pub async fn list_members(db: &AnyPool, account_id: i64) -> Result<Vec<(String, Named)>> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT l.title, a.username, a.domain FROM lists l \
         JOIN list_accounts la ON la.list_id = l.id JOIN accounts a ON a.id = la.account_id \
         WHERE l.account_id = $1 ORDER BY l.id, la.created_at",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(title, username, domain)| (title, Named { username, domain }))
        .collect())
}

/// The domains a person blocks.
pub async fn blocked_domains(db: &AnyPool, account_id: i64) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT domain FROM user_domain_blocks WHERE account_id = $1 ORDER BY id")
        .bind(account_id)
        .fetch_all(db)
        .await
}

/// The addresses of the posts a person bookmarked, newest first.
pub async fn bookmarked_uris(db: &AnyPool, account_id: i64) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT s.uri FROM bookmarks b JOIN statuses s ON s.id = b.status_id \
         WHERE b.account_id = $1 ORDER BY b.id DESC",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// The addresses of the posts a person liked, newest first.
pub async fn liked_uris(db: &AnyPool, account_id: i64) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT s.uri FROM favourites f JOIN statuses s ON s.id = f.status_id \
         WHERE f.account_id = $1 ORDER BY f.id DESC",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// The ids of a person's posts and boosts (every visibility and circle), oldest first, `limit` after
/// `after`.
pub async fn post_ids(db: &AnyPool, account_id: i64, after: i64, limit: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM statuses WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(account_id)
    .bind(after)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The files of a person's media: (media id, file key).
pub async fn media_files(db: &AnyPool, account_id: i64) -> Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, file_key FROM media WHERE account_id = $1 AND file_key IS NOT NULL ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// The groups a person belongs to (or asked to join): (group handle, role, state).
pub async fn groups_of(db: &AnyPool, account_id: i64) -> Result<Vec<(Named, String, String)>> {
    let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT a.username, a.domain, m.role, m.state FROM group_members m \
         JOIN accounts a ON a.id = m.group_id WHERE m.account_id = $1 ORDER BY m.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(username, domain, role, state)| (Named { username, domain }, role, state))
        .collect())
}

/// The events a person takes part in (missions' shifts included): (event address, title,
/// starts at, participation state, attended).
pub async fn participations(
    db: &AnyPool,
    account_id: i64,
) -> Result<Vec<(String, String, i64, String, Option<i64>)>> {
    sqlx::query_as(
        "SELECT s.uri, e.name, e.starts_at, p.state, p.attended FROM participants p \
         JOIN events e ON e.status_id = p.event_id JOIN statuses s ON s.id = e.status_id \
         WHERE p.account_id = $1 ORDER BY e.starts_at, p.id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Every row of `table` whose `column` is `account_id`, each column as JSON (integers,
/// reals, texts; bytes as hex), but the columns `omit` names. `table` and `column` come
/// from `service::export::CLASSIFIED`, never from input.
pub async fn rows_of(
    db: &AnyPool,
    table: &'static str,
    column: &'static str,
    account_id: i64,
    omit: &[&str],
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let sql = format!("SELECT * FROM {table} WHERE {column} = $1");
    let rows: Vec<AnyRow> = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account_id)
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(|row| to_json(row, omit)).collect())
}

/// The row of the account itself (`accounts`) as JSON, but the columns `omit` names.
pub async fn account_json(
    db: &AnyPool,
    account_id: i64,
    omit: &[&str],
) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
    let row: Option<AnyRow> = sqlx::query("SELECT * FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| to_json(&r, omit)))
}

fn to_json(row: &AnyRow, omit: &[&str]) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value;
    let mut out = serde_json::Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = sqlx::Column::name(column);
        if omit.contains(&name) {
            continue;
        }
        let value = if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
            v.map_or(Value::Null, Value::from)
        } else if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
            v.map_or(Value::Null, |b| Value::from(hex::encode(b)))
        } else {
            Value::Null
        };
        out.insert(name.to_string(), value);
    }
    out
}

/// Every (table, column) of the schema with a foreign key to `accounts` or `users`.
pub async fn account_references(db: &AnyPool, backend: Backend) -> Result<Vec<(String, String)>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, f.\"from\" FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" IN ('accounts', 'users') ORDER BY 1, 2"
        }
        Backend::Postgres => {
            "SELECT DISTINCT kcu.table_name::text, kcu.column_name::text \
             FROM information_schema.referential_constraints rc \
             JOIN information_schema.key_column_usage kcu \
               ON kcu.constraint_name = rc.constraint_name \
              AND kcu.constraint_schema = rc.constraint_schema \
             JOIN information_schema.table_constraints tc \
               ON tc.constraint_name = rc.unique_constraint_name \
              AND tc.constraint_schema = rc.unique_constraint_schema \
             WHERE kcu.table_schema = current_schema() \
               AND tc.table_name IN ('accounts', 'users') ORDER BY 1, 2"
        }
    };
    sqlx::query_as(sql).fetch_all(db).await
}

/// The ids of the accounts a person follows or asked to follow.
pub async fn following_ids(db: &AnyPool, account_id: i64) -> Result<Vec<i64>> {
    ids(
        db,
        "SELECT target_account_id FROM follows WHERE account_id = $1",
        account_id,
    )
    .await
}

/// The ids of the accounts a person blocks.
pub async fn blocked_ids(db: &AnyPool, account_id: i64) -> Result<Vec<i64>> {
    ids(
        db,
        "SELECT target_account_id FROM blocks WHERE account_id = $1",
        account_id,
    )
    .await
}

/// The ids of the accounts a person mutes.
pub async fn muted_ids(db: &AnyPool, account_id: i64) -> Result<Vec<i64>> {
    ids(
        db,
        "SELECT target_account_id FROM mutes WHERE account_id = $1",
        account_id,
    )
    .await
}

/// The ids of the posts a person bookmarked.
pub async fn bookmarked_ids(db: &AnyPool, account_id: i64) -> Result<Vec<i64>> {
    ids(
        db,
        "SELECT status_id FROM bookmarks WHERE account_id = $1",
        account_id,
    )
    .await
}

async fn ids(db: &AnyPool, sql: &'static str, account_id: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar(sql).bind(account_id).fetch_all(db).await
}

/// The members of a list.
pub async fn list_member_ids(db: &AnyPool, list_id: i64) -> Result<Vec<i64>> {
    ids(
        db,
        "SELECT account_id FROM list_accounts WHERE list_id = $1",
        list_id,
    )
    .await
}
