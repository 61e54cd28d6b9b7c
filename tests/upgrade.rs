//! Upgrades never lose data (issue 33, item 6; docs/decisions/0031): a database is built at
//! the previous release's last migration (`coopol::db::PREVIOUS_RELEASE`), every one of its
//! tables gets rows (found by reading the schema, so that a new table cannot escape), with
//! values that exercise each column (text with accents, emoji, quotes and line breaks, NULL
//! where allowed, integers past 2^53, timestamps), foreign keys pointing at real rows; then
//! `coopol migrate --dry-run` must list exactly the migrations since, `coopol migrate` applies
//! them, and every row the tables held must still be there with the same values. Then the
//! server starts on the database and answers through its API.
//!
//! Today the previous release is the last migration: the same machinery also runs from an
//! older migration (0040), and a deliberately destructive change is shown to be reported
//! (so the comparison can fail).

mod common;

use coopol::db::{Backend, Db, PREVIOUS_RELEASE};
use std::collections::{BTreeMap, HashMap};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_coopol");

/// A column as the schema describes it.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    integer: bool,
    nullable: bool,
    primary: bool,
    /// Whether the schema gives it a default (the first row takes it).
    default: bool,
}

/// A table: its columns, and its foreign keys (column, parent table, parent column).
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
    foreign: Vec<(String, String, String)>,
}

/// Every table of the database (but sqlx's bookkeeping), read from the schema.
async fn schema(db: &Db) -> Vec<Table> {
    let pool = db.pool();
    let names: Vec<String> = match db.backend() {
        Backend::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name",
        ),
        Backend::Postgres => sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name",
        ),
    }
    .fetch_all(pool)
    .await
    .unwrap();
    let mut tables = Vec::new();
    for name in names {
        let (columns, foreign) = match db.backend() {
            Backend::Sqlite => {
                let cols: Vec<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
                    "SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info($1) \
                     ORDER BY cid",
                )
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
                let foreign: Vec<(String, String, Option<String>)> = sqlx::query_as(
                    "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list($1)",
                )
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
                let columns = cols
                    .into_iter()
                    .map(|(col, kind, notnull, pk, default)| Column {
                        name: col,
                        integer: kind.to_uppercase().contains("INT"),
                        nullable: notnull == 0 && pk == 0,
                        primary: pk > 0,
                        default: default.is_some(),
                    })
                    .collect();
                // A key naming no column points at the parent's primary key: `id` here.
                let foreign = foreign
                    .into_iter()
                    .map(|(from, parent, to)| (from, parent, to.unwrap_or_else(|| "id".into())))
                    .collect();
                (columns, foreign)
            }
            Backend::Postgres => {
                let cols: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
                    "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT), \
                     CAST(is_nullable AS TEXT), CAST(column_default AS TEXT) \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
                let primary: Vec<String> = sqlx::query_scalar(
                    "SELECT CAST(a.attname AS TEXT) FROM pg_index i JOIN pg_attribute a \
                     ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                     WHERE i.indrelid = CAST($1 AS regclass) AND i.indisprimary",
                )
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
                let foreign: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT CAST(a.attname AS TEXT), CAST(CAST(c.confrelid AS regclass) AS TEXT), \
                     CAST(af.attname AS TEXT) FROM pg_constraint c \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
                     JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] \
                     WHERE c.contype = 'f' AND c.conrelid = CAST($1 AS regclass)",
                )
                .bind(&name)
                .fetch_all(pool)
                .await
                .unwrap();
                let columns = cols
                    .into_iter()
                    .map(|(col, kind, nullable, default)| Column {
                        integer: kind.contains("int"),
                        nullable: nullable == "YES",
                        primary: primary.contains(&col),
                        default: default.is_some(),
                        name: col,
                    })
                    .collect();
                (columns, foreign)
            }
        };
        tables.push(Table {
            name,
            columns,
            foreign,
        });
    }
    tables
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// A timestamp in Unix microseconds, with every digit significant (2026-01-02 02:24:05.123456).
const TIMESTAMP: i64 = 1_767_320_645_123_456;
/// An integer past 2^53: a double would round it.
const LARGE: i64 = 9_007_199_254_740_993;

fn is_time(column: &str) -> bool {
    column.ends_with("_at")
        || column.ends_with("_until")
        || column.ends_with("_time")
        || column.starts_with("expires")
}

/// A value of the column's type for row `row` (0 or 1) of `table`.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

/// Fills every table with two rows: the first with NULL in every column that allows it and
/// the default of every column that has one (so that it reads as the server writes it), the
/// second with a value of ours in every column; foreign keys point at the parent's first or second
/// row (its own first row for a table that points at itself). Tables are filled parents
/// first. A row that already exists (a trigger made it, for counters) is kept as it is.
async fn seed(db: &Db, tables: &[Table]) {
    let pool = db.pool();
    let mut done: Vec<String> = Vec::new();
    let mut deferred: Vec<(&Table, (String, String, String))> = Vec::new();
    let mut left: Vec<&Table> = tables.iter().collect();
    while !left.is_empty() {
        let waiting_on = |t: &Table| -> Vec<(String, String, String)> {
            t.foreign
                .iter()
                .filter(|(_, parent, _)| parent != &t.name && !done.contains(parent))
                .cloned()
                .collect()
        };
        // Parents first; in a cycle (accounts and media point at each other), a table whose
        // keys to unfilled tables may be NULL, those keys set once their parents are filled.
        let ready = left
            .iter()
            .position(|t| waiting_on(t).is_empty())
            .or_else(|| {
                left.iter().position(|t| {
                    waiting_on(t)
                        .iter()
                        .all(|(c, _, _)| t.columns.iter().any(|col| &col.name == c && col.nullable))
                })
            })
            .unwrap_or_else(|| {
                panic!(
                    "the foreign keys of these tables form a cycle of required keys: {:?}",
                    left.iter().map(|t| &t.name).collect::<Vec<_>>()
                )
            });
        let table = left.remove(ready);
        let later = waiting_on(table);
        for key in &later {
            deferred.push((table, key.clone()));
        }
        for row in 0..2i64 {
            let mut names = Vec::new();
            let mut values = Vec::new();
            for (index, column) in table.columns.iter().enumerate() {
                let foreign = table.foreign.iter().find(|(c, _, _)| c == &column.name);
                let value = if let Some((_, parent, to)) = foreign {
                    if (row == 0 && column.nullable)
                        || later.iter().any(|(c, _, _)| c == &column.name)
                    {
                        None
                    } else if parent == &table.name {
                        // Points at itself: both rows at the first (which is itself).
                        Some(own_key(table, column, 0))
                    } else {
                        Some(parent_key(db, parent, to, column.integer, row).await)
                    }
                } else if row == 0 && column.nullable {
                    None
                } else if row == 0 && column.default && !column.primary {
                    continue;
                } else if column.integer {
                    let v = if is_time(&column.name) {
                        TIMESTAMP + row * 1_000_001 + index as i64
                    } else if column.primary {
                        LARGE + row
                    } else {
                        LARGE + 1000 * row + index as i64
                    };
                    Some(Value::Int(Some(v)))
                } else {
                    Some(Value::Text(Some(format!(
                        "Zoé ✊🏽 «{}.{}» n°{row}\n'apostrophe' \"guillemets\" \\ 🏳️‍🌈",
                        table.name, column.name
                    ))))
                };
                if let Some(value) = value {
                    names.push(quoted(&column.name));
                    values.push(value);
                } else {
                    names.push(quoted(&column.name));
                    values.push(if column.integer {
                        Value::Int(None)
                    } else {
                        Value::Text(None)
                    });
                }
            }
            let placeholders: Vec<String> = (1..=values.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
                quoted(&table.name),
                names.join(", "),
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for value in values {
                query = match value {
                    Value::Int(v) => query.bind(v),
                    Value::Text(v) => query.bind(v),
                };
            }
            if let Err(e) = query.execute(pool).await {
                panic!("cannot fill table {} (row {row}): {e}", table.name);
            }
        }
        done.push(table.name.clone());
    }
    // The keys left NULL in a cycle: the second row (greatest integer key) points at its parent.
    for (table, (column, parent, to)) in deferred {
        let key = table.columns.iter().find(|c| c.primary && c.integer);
        let integer = table.columns.iter().any(|c| c.name == column && c.integer);
        let (Some(key), Value::Int(Some(v))) =
            (key, parent_key(db, &parent, &to, integer, 1).await)
        else {
            continue;
        };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {t} SET {c} = $1 WHERE {k} = (SELECT MAX({k}) FROM {t})",
            t = quoted(&table.name),
            c = quoted(&column),
            k = quoted(&key.name)
        )))
        .bind(v)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("cannot set {}.{column}: {e}", table.name));
    }
    // Every table has rows: a table that none could be made for fails here, by name.
    for table in tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quoted(&table.name)
        )))
        .fetch_one(pool)
        .await
        .unwrap();
        assert!(n > 0, "table {} has no seed row", table.name);
    }
}

/// The value of a table's own key column for its row `row` (for keys pointing at itself).
fn own_key(table: &Table, column: &Column, row: i64) -> Value {
    let key = table
        .columns
        .iter()
        .find(|c| c.primary)
        .unwrap_or_else(|| panic!("{} points at itself without a primary key", table.name));
    assert!(key.integer == column.integer, "{}", table.name);
    if key.integer {
        Value::Int(Some(LARGE + row))
    } else {
        Value::Text(Some(format!(
            "Zoé ✊🏽 «{}.{}» n°{row}\n'apostrophe' \"guillemets\" \\ 🏳️‍🌈",
            table.name, key.name
        )))
    }
}

/// The parent's key of its row `row` (or its last, when it has one row).
async fn parent_key(db: &Db, parent: &str, to: &str, integer: bool, row: i64) -> Value {
    let sql = format!(
        "SELECT {to} FROM {parent} WHERE {to} IS NOT NULL ORDER BY {to}",
        to = quoted(to),
        parent = quoted(parent)
    );
    if integer {
        let keys: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert!(!keys.is_empty(), "{parent} has no row to point at");
        Value::Int(Some(keys[(row as usize).min(keys.len() - 1)]))
    } else {
        let keys: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert!(!keys.is_empty(), "{parent} has no row to point at");
        Value::Text(Some(keys[(row as usize).min(keys.len() - 1)].clone()))
    }
}

/// Every row of every table, each column as an SQL literal (`quote` / `quote_nullable`): the
/// exact value, NULL told apart from text.
type Snapshot = BTreeMap<String, (Vec<String>, Vec<Vec<String>>)>;

async fn snapshot(db: &Db, tables: &[Table]) -> Snapshot {
    let mut all = Snapshot::new();
    for table in tables {
        let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let rows = rows_of(db, &table.name, &columns)
            .await
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", table.name));
        all.insert(table.name.clone(), (columns, rows));
    }
    all
}

async fn rows_of(db: &Db, table: &str, columns: &[String]) -> Result<Vec<Vec<String>>, String> {
    let literal = match db.backend() {
        Backend::Sqlite => "quote",
        Backend::Postgres => "quote_nullable",
    };
    let select: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST({literal}({}) AS TEXT)", quoted(c)))
        .collect();
    let sql = format!("SELECT {} FROM {}", select.join(", "), quoted(table));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    use sqlx::Row;
    let mut out: Vec<Vec<String>> = rows
        .iter()
        .map(|r| (0..columns.len()).map(|i| r.get::<String, _>(i)).collect())
        .collect();
    out.sort();
    Ok(out)
}

/// What the database lost since `before`: a line per table gone, column gone, or row gone or
/// changed (rows may be added; columns may be added).
async fn losses(db: &Db, before: &Snapshot) -> Vec<String> {
    let mut lost = Vec::new();
    for (table, (columns, rows)) in before {
        let now = match rows_of(db, table, columns).await {
            Ok(now) => now,
            Err(e) => {
                lost.push(format!("table {table}: cannot be read as before: {e}"));
                continue;
            }
        };
        let mut left: HashMap<&Vec<String>, usize> = HashMap::new();
        for r in &now {
            *left.entry(r).or_default() += 1;
        }
        for row in rows {
            match left.get_mut(row) {
                Some(n) if *n > 0 => *n -= 1,
                _ => lost.push(format!(
                    "table {table}: row lost or changed: {}",
                    columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| format!("{c}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
    lost
}

/// The migrations this source tree has after `version`, as `coopol migrate --dry-run` prints
/// them (`0057 description`), read from the migration files, not from coopol.
fn migrations_after(backend: Backend, version: i64) -> Vec<String> {
    let folder = match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut found: Vec<(i64, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let stem = name.strip_suffix(".sql")?;
            let (number, description) = stem.split_once('_')?;
            Some((number.parse().ok()?, description.replace('_', " ")))
        })
        .filter(|(n, _)| *n > version)
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(n, d)| format!("{n:04} {d}"))
        .collect()
}

fn coopol(dir: &std::path::Path, database_url: &str, args: &[&str]) -> String {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("COOPOL_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .env("COOPOL_DATABASE_URL", database_url)
        .env("COOPOL_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "coopol {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A database at migration `version`, filled; its URL, schema and snapshot.
async fn filled_at(dir: &std::path::Path, version: i64) -> (String, Vec<Table>, Snapshot) {
    let url = common::fresh_database(dir).await;
    let db = Db::connect(&url, 2).await.unwrap();
    db.migrate_to(version).await.unwrap();
    let last: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(last, version, "the database stops at {version}");
    let tables = schema(&db).await;
    seed(&db, &tables).await;
    let before = snapshot(&db, &tables).await;
    db.close().await;
    (url, tables, before)
}

/// Builds a filled database at `version`, upgrades it with `coopol migrate`, and checks that
/// nothing was lost; gives its URL.
async fn upgrade_from(dir: &std::path::Path, version: i64) -> String {
    let (url, tables, before) = filled_at(dir, version).await;
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    let pending = migrations_after(backend, version);
    let dry = coopol(dir, &url, &["migrate", "--dry-run"]);
    let mut lines = dry.lines();
    assert_eq!(
        lines.next(),
        Some(format!("{} migration(s) would be applied", pending.len()).as_str()),
        "{dry}"
    );
    assert_eq!(lines.collect::<Vec<_>>(), pending, "{dry}");
    let applied = coopol(dir, &url, &["migrate"]);
    assert_eq!(
        applied.trim(),
        format!("{} migration(s) applied", pending.len())
    );
    let db = Db::connect(&url, 2).await.unwrap();
    let lost = losses(&db, &before).await;
    assert!(
        lost.is_empty(),
        "upgrading from {version} lost data ({} table(s) checked):\n{}",
        tables.len(),
        lost.join("\n")
    );
    db.close().await;
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_release_upgrades_without_losing_a_row_and_serves() {
    let (release, version) = PREVIOUS_RELEASE;
    eprintln!(
        "upgrading {release} (migration {version}) on {}",
        common::backend_name()
    );
    let dir = tempfile::tempdir().unwrap();
    let url = upgrade_from(dir.path(), version).await;

    // The server starts on it and reads it through its API.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let config = coopol::config::Config::for_tests(&base, &url, dir.path().join("data"));
    let server = coopol::app::Server::start(config, listener)
        .await
        .expect("the server starts on the upgraded database");
    let client = reqwest::Client::new();
    let health = client.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // The first local account (its columns as the server writes them, its name ours).
    let res = client
        .get(format!("{base}/api/v1/accounts/{LARGE}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let account: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        account["username"],
        "Zoé ✊🏽 «accounts.username» n°0\n'apostrophe' \"guillemets\" \\ 🏳️‍🌈"
    );
    assert_eq!(account["id"], LARGE.to_string());
    assert_eq!(account["created_at"], "2026-01-02T02:24:05.123Z");
    let res = client
        .get(format!("{base}/api/v1/instance"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_schema_upgrades_without_losing_a_row() {
    let dir = tempfile::tempdir().unwrap();
    upgrade_from(dir.path(), 40).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destructive_change_is_reported_by_table() {
    let dir = tempfile::tempdir().unwrap();
    let (url, tables, before) = filled_at(dir.path(), 40).await;
    assert!(tables.len() > 50, "{} tables", tables.len());
    let db = Db::connect(&url, 2).await.unwrap();
    // What a careless migration could do: empty a table, rewrite a column.
    sqlx::query("DELETE FROM bookmarks")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE accounts SET display_name = 'effacé'")
        .execute(db.pool())
        .await
        .unwrap();
    let lost = losses(&db, &before).await;
    assert!(
        lost.iter()
            .any(|l| l.starts_with("table bookmarks: row lost")),
        "{lost:?}"
    );
    assert!(
        lost.iter()
            .any(|l| l.starts_with("table accounts: row lost or changed")),
        "{lost:?}"
    );
    assert!(
        lost.iter()
            .all(|l| l.starts_with("table bookmarks") || l.starts_with("table accounts"))
    );
    db.close().await;
}
