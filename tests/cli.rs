//! The `coopol` binary as an administrator uses it: help, configuration errors, accounts,
//! migrations, the media commands (on each media store), and a server that starts on its
//! defaults and stops cleanly on SIGTERM.

mod common;
#[path = "common/mail.rs"]
#[allow(dead_code)]
mod mail_sink;

use std::{
    io::Write,
    net::TcpListener,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_coopol");

/// A command in a fresh working directory, with no COOPOL_* variables inherited and the
/// suite's database choice applied.
struct Env {
    dir: tempfile::TempDir,
    database_url: Option<String>,
    /// Configuration variables every command gets (e.g. the media store).
    vars: Vec<(String, String)>,
}

impl Env {
    async fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match std::env::var("COOPOL_TEST_POSTGRES_URL") {
            Ok(server) if !server.is_empty() => {
                sqlx::any::install_default_drivers();
                let name = format!(
                    "coopol_cli_{}",
                    coopol::crypto::random_code(8).to_lowercase()
                );
                let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&server).unwrap();
                url.set_path(&name);
                Some(url.to_string())
            }
            _ => None,
        };
        Env {
            dir,
            database_url,
            vars: Vec::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("COOPOL_") {
                cmd.env_remove(key);
            }
        }
        if let Some(url) = &self.database_url {
            cmd.env("COOPOL_DATABASE_URL", url);
        }
        for (key, value) in &self.vars {
            cmd.env(key, value);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// The database the commands use (the suite's PostgreSQL one, or the default SQLite
    /// file), opened by the test.
    async fn database(&self) -> sqlx::AnyPool {
        let url = self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.dir.path().join("data/coopol.db").display()
            )
        });
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&url).await.unwrap()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn help_describes_every_command() {
    let env = Env::new().await;
    let out = env.run(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in [
        "serve", "migrate", "user", "recount", "media", "doctor", "--config", "COOPOL_",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    let out = env.run(&["user", "create", "--help"]);
    let help = text(&out.stdout);
    for word in ["--email", "--admin", "--password-stdin"] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    let out = env.run(&["media", "--help"]);
    let help = text(&out.stdout);
    for word in ["usage", "sweep", "purge-remote"] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    let out = env.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn bad_configuration_is_one_clear_line_and_status_2() {
    let env = Env::new().await;
    let cases: &[(&str, &str, &str)] = &[
        ("COOPOL_PUBLIC_URL", "not a url", "public_url"),
        ("COOPOL_LISTEN", "somewhere", "listen"),
        ("COOPOL_DATABASE_URL", "mysql://x", "database_url"),
        ("COOPOL_REGISTRATION_MODE", "all", "registration_mode"),
    ];
    for (var, value, key) in cases {
        let out = env.command(&["serve"]).env(var, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let err = text(&out.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(key) && err.contains(var), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
    std::fs::write(
        env.dir.path().join("coopol.toml"),
        "listen = 80\nbogus = 1\n",
    )
    .unwrap();
    let out = env.run(&["migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown key `bogus`"));
    let out = env.run(&["--config", "missing.toml", "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.toml"));
}

#[tokio::test]
async fn users_are_created_and_listed() {
    let env = Env::new().await;
    let out = env.run(&[
        "user",
        "create",
        "Secretaire",
        "--email",
        "sec@example.org",
        "--admin",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().next(), Some("@secretaire@localhost:8080"));
    assert!(
        stdout.contains("password: "),
        "a generated password is shown once"
    );

    let mut child = env
        .command(&[
            "user",
            "create",
            "bob",
            "--email",
            "bob@example.org",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).trim(), "@bob@localhost:8080");

    let dup = env.run(&["user", "create", "BOB", "--email", "other@example.org"]);
    assert_eq!(dup.status.code(), Some(2));
    assert!(
        text(&dup.stderr).contains("already taken"),
        "{}",
        text(&dup.stderr)
    );
    let bad = env.run(&["user", "create", "bad name", "--email", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad_role = env.run(&[
        "user",
        "create",
        "carl",
        "--email",
        "c@example.org",
        "--role",
        "king",
    ]);
    assert_eq!(bad_role.status.code(), Some(2));

    let list = text(&env.run(&["user", "list"]).stdout);
    assert!(
        list.contains("@secretaire@localhost:8080") && list.contains("admin"),
        "{list}"
    );
    assert!(
        list.contains("bob@example.org") && list.contains("member"),
        "{list}"
    );
}

#[tokio::test]
async fn migrate_is_idempotent() {
    let env = Env::new().await;
    // A dry run first changes nothing.
    let dry = env.run(&["migrate", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let listed = text(&dry.stdout);
    if env.database_url.is_none() {
        assert!(listed.contains("no database yet"), "{listed}");
        assert!(!env.dir.path().join("data/coopol.db").exists());
    } else {
        assert!(
            listed
                .lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("0001 ")),
            "{listed}"
        );
    }
    let first = env.run(&["migrate"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        !text(&first.stdout).starts_with("0 "),
        "{}",
        text(&first.stdout)
    );
    let second = env.run(&["migrate"]);
    assert!(second.status.success());
    assert!(
        text(&second.stdout).starts_with("0 "),
        "{}",
        text(&second.stdout)
    );
    if env.database_url.is_none() {
        assert!(
            env.dir.path().join("data/coopol.db").exists(),
            "default database location"
        );
    }
    let dry = env.run(&["migrate", "--dry-run"]);
    assert_eq!(text(&dry.stdout).trim(), "0 migration(s) would be applied");
    // One migration forgotten by the bookkeeping: the dry run names it, and only it.
    let db = env.database().await;
    let last: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&db)
        .await
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(last)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    let dry = text(&env.run(&["migrate", "--dry-run"]).stdout);
    let lines: Vec<&str> = dry.lines().collect();
    assert_eq!(lines.len(), 2, "{dry}");
    assert_eq!(lines[0], "1 migration(s) would be applied");
    assert!(lines[1].starts_with(&format!("{last:04} ")), "{dry}");
}

/// Deleting a row makes the database look up the rows that point at it (ON DELETE CASCADE or
/// SET NULL); a foreign key without an index led by its column turns every such deletion into
/// a read of the whole referencing table.
#[tokio::test]
async fn every_foreign_key_has_an_index() {
    let env = Env::new().await;
    let out = env.run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let db = env.database().await;
    let unindexed: Vec<String> = if env.database_url.is_some() {
        // A foreign key is served when some index of its table starts with its first column.
        sqlx::query_scalar(
            "SELECT c.conrelid::regclass::text || '.' || a.attname FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND NOT EXISTS (SELECT 1 FROM pg_index i \
               WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) \
             ORDER BY 1",
        )
        .fetch_all(&db)
        .await
        .unwrap()
    } else {
        // SQLite's planner says whether the lookup the cascade makes would scan the table.
        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' ORDER BY 1, 2",
        )
        .fetch_all(&db)
        .await
        .unwrap();
        assert!(keys.len() > 40, "foreign keys found: {keys:?}");
        let mut unindexed = Vec::new();
        for (table, column) in keys {
            let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE {column} = 1"
            )))
            .fetch_all(&db)
            .await
            .unwrap();
            if plan.iter().any(|(.., detail)| detail.starts_with("SCAN")) {
                unindexed.push(format!("{table}.{column}"));
            }
        }
        unindexed
    };
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
    db.close().await;
}

#[tokio::test]
async fn queues_are_claimed_in_index_order_without_sorting_the_backlog() {
    use coopol::db::{
        Backend,
        federation::{Queue, claim_sql},
    };
    let env = Env::new().await;
    let out = env.run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let db = env.database().await;
    let postgres = env.database_url.is_some();
    let backend = if postgres {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let mut conn = db.acquire().await.unwrap();
    if postgres {
        // A sort is then chosen only when no index gives the order (the tables are empty,
        // and for an empty table a sort would otherwise look as cheap).
        sqlx::query("SET enable_sort = off")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let explain = if postgres {
        "EXPLAIN"
    } else {
        "EXPLAIN QUERY PLAN"
    };
    let mut sorting = Vec::new();
    for queue in [Queue::Inbox, Queue::Events, Queue::Deliveries, Queue::Push] {
        let sql = format!("{explain} {}", claim_sql(queue, backend));
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(0i64)
            .bind(0i64)
            .bind(10i64)
            .bind(0i64)
            .bind("process")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let plan: Vec<String> = rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                // PostgreSQL: one column of text; SQLite: the detail is the fourth.
                r.get::<String, _>(r.columns().len() - 1)
            })
            .collect();
        assert!(!plan.is_empty());
        if plan
            .iter()
            .any(|line| line.contains("Sort") || line.contains("TEMP B-TREE"))
        {
            sorting.push(format!("{queue:?}: {plan:#?}"));
        }
    }
    assert!(sorting.is_empty(), "claims that sort: {sorting:?}");
    drop(conn);
    db.close().await;
}

#[tokio::test]
async fn recount_repairs_numbers_that_drifted() {
    let env = Env::new().await;
    for name in ["alice", "bob"] {
        let out = env.run(&[
            "user",
            "create",
            name,
            "--email",
            &format!("{name}@example.org"),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let db = env.database().await;
    // Numbers that disagree with the rows (nobody follows or has posted).
    sqlx::query("DELETE FROM account_stats")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO account_stats (account_id, followers, following, statuses) \
         SELECT id, 12, 1, 3 FROM accounts",
    )
    .execute(&db)
    .await
    .unwrap();
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(accounts >= 2);

    let out = env.run(&["recount"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("counted again: {accounts} account(s), 0 post(s) with answers, boosts or likes")
    );
    let wrong: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM account_stats WHERE followers <> 0 OR following <> 0 OR statuses <> 0",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(wrong, 0);
    db.close().await;
}

/// A medium row for the media commands' test: `remote` gives it an address elsewhere,
/// `files` the keys of its file and preview.
struct Medium {
    id: i64,
    kind: &'static str,
    state: &'static str,
    used_for: &'static str,
    size: i64,
    age_hours: i64,
    remote: bool,
    files: bool,
}

impl Medium {
    fn file_key(&self) -> String {
        format!("{}/tok{}/original.bin", self.id, self.id)
    }

    fn preview_key(&self) -> String {
        format!("{}/tok{}/small.jpg", self.id, self.id)
    }
}

/// `coopol media usage`, `sweep` and `purge-remote` against rows and files made by the test,
/// on each media store (the S3 bucket is shared with other tests: only this test's keys,
/// which start with random ids, are looked at).
#[tokio::test]
async fn media_commands_report_sweep_and_purge_remote_copies() {
    for store in common::media_stores() {
        let mut env = Env::new().await;
        // The store the commands will use (the default folder is data/media of the data dir).
        let mut config = coopol::config::Config::for_tests(
            "http://localhost:8080",
            "sqlite::memory:",
            env.dir.path().join("data"),
        );
        common::use_media_store(&mut config, store);
        if let coopol::config::MediaStore::S3(s3) = &config.media.store {
            for (key, value) in [
                ("COOPOL_MEDIA_STORE", "s3".to_string()),
                ("COOPOL_S3_ENDPOINT", s3.endpoint.to_string()),
                ("COOPOL_S3_REGION", s3.region.clone()),
                ("COOPOL_S3_BUCKET", s3.bucket.clone()),
                ("COOPOL_S3_ACCESS_KEY_ID", s3.access_key_id.clone()),
                ("COOPOL_S3_SECRET_ACCESS_KEY", s3.secret_access_key.clone()),
            ] {
                env.vars.push((key.to_string(), value));
            }
        }
        let out = env.run(&["user", "create", "alice", "--email", "alice@example.org"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let db = env.database().await;
        let account: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE username = 'alice'")
            .fetch_one(&db)
            .await
            .unwrap();
        let files = coopol::media::Store::open(&config.media.store).unwrap();
        // Ids of their own, so that keys never meet other tests' in a shared bucket.
        let base = 1_000_000_000 + (coopol::clock::now() % 1_000_000_000) * 10;
        let media = [
            // An upload attached to nothing yet, an hour old: kept.
            Medium {
                id: base + 1,
                kind: "image",
                state: "ready",
                used_for: "none",
                size: 1_000,
                age_hours: 1,
                remote: false,
                files: true,
            },
            // An upload never attached, two days old: swept.
            Medium {
                id: base + 2,
                kind: "image",
                state: "ready",
                used_for: "none",
                size: 2_000,
                age_hours: 48,
                remote: false,
                files: true,
            },
            // A document marked removed: swept.
            Medium {
                id: base + 3,
                kind: "document",
                state: "removed",
                used_for: "status",
                size: 30_000,
                age_hours: 1,
                remote: false,
                files: true,
            },
            // A copy of another server's picture (an avatar): purged.
            Medium {
                id: base + 4,
                kind: "image",
                state: "ready",
                used_for: "avatar",
                size: 4_000,
                age_hours: 1,
                remote: true,
                files: true,
            },
            // Another server's video, never copied here.
            Medium {
                id: base + 5,
                kind: "video",
                state: "ready",
                used_for: "avatar",
                size: 0,
                age_hours: 1,
                remote: true,
                files: false,
            },
        ];
        let now = coopol::clock::now();
        for m in &media {
            let at = now - m.age_hours * 3_600_000_000;
            sqlx::query(
                "INSERT INTO media (id, account_id, used_for, kind, state, token, content_type, \
                 file_key, file_size, preview_key, remote_url, cached_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'image/jpeg', $7, $8, $9, $10, $11, $12, $12)",
            )
            .bind(m.id)
            .bind(account)
            .bind(m.used_for)
            .bind(m.kind)
            .bind(m.state)
            .bind(format!("tok{}", m.id))
            .bind(m.files.then(|| m.file_key()))
            .bind(m.size)
            .bind(m.files.then(|| m.preview_key()))
            .bind(
                m.remote
                    .then(|| format!("https://elsewhere.example/media/{}.jpg", m.id)),
            )
            .bind((m.remote && m.files).then_some(at))
            .bind(at)
            .execute(&db)
            .await
            .unwrap();
            if m.files {
                files
                    .put(&m.file_key(), vec![7u8; m.size as usize].into())
                    .await
                    .unwrap();
                files
                    .put(&m.preview_key(), vec![8u8; 100].into())
                    .await
                    .unwrap();
            }
        }
        let stored = |m: &Medium| {
            let (files, file, preview) = (files.clone(), m.file_key(), m.preview_key());
            async move {
                (
                    files.get(&file, None).await.unwrap().is_some(),
                    files.get(&preview, None).await.unwrap().is_some(),
                )
            }
        };

        let out = env.run(&["media", "usage", "--list-store"]);
        assert!(out.status.success(), "{store}: {}", text(&out.stderr));
        let usage = text(&out.stdout);
        // The words of the line of a kind and origin.
        let line = |usage: &str, start: &str| -> Vec<String> {
            let start: Vec<&str> = start.split_whitespace().collect();
            usage
                .lines()
                .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .find(|words| words.len() > 2 && words[..2] == start[..])
                .unwrap_or_else(|| panic!("{store}: no line {start:?} in:\n{usage}"))
        };
        let first = usage.lines().next().unwrap();
        match store {
            "s3" => assert!(
                first.starts_with("store: s3 http") && first.ends_with("bucket coopol-test"),
                "{usage}"
            ),
            _ => {
                let dir = std::fs::canonicalize(env.dir.path().join("data/media")).unwrap();
                assert_eq!(
                    first,
                    format!("store: directory {}", dir.display()),
                    "{usage}"
                );
            }
        }
        assert_eq!(
            line(&usage, "image local")[2..5],
            ["2", "2", "3000"],
            "{usage}"
        );
        assert_eq!(
            line(&usage, "document local")[2..5],
            ["1", "1", "30000"],
            "{usage}"
        );
        assert_eq!(
            line(&usage, "image cached")[2..5],
            ["1", "1", "4000"],
            "{usage}"
        );
        assert_eq!(
            line(&usage, "total local")[2..5],
            ["3", "3", "33000"],
            "{usage}"
        );
        assert_eq!(
            line(&usage, "total cached")[2..5],
            ["1", "1", "4000"],
            "{usage}"
        );
        assert!(
            usage.contains("awaiting the sweep: 1 media, 30000 (29.3 KiB)\n"),
            "{usage}"
        );
        assert!(
            usage.contains("other servers' media not copied here: 1\n"),
            "{usage}"
        );
        assert!(usage.contains("uploads being processed: 0\n"), "{usage}");
        if store == "directory" {
            // Four media with a file and a preview each; 37,000 bytes and four previews of 100.
            assert!(
                usage.contains("in the store: 8 files, 37400 (36.5 KiB)\n"),
                "{usage}"
            );
        } else {
            assert!(usage.contains("in the store: "), "{usage}");
        }

        let out = env.run(&["media", "sweep"]);
        assert!(out.status.success(), "{store}: {}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            "removed 2 media (files and rows)\n",
            "{store}"
        );
        for m in &media[..4] {
            let gone = m.id == base + 2 || m.id == base + 3;
            assert_eq!(
                stored(m).await,
                (!gone, !gone),
                "{store}: medium {}",
                m.id - base
            );
        }
        let left: Vec<i64> = sqlx::query_scalar("SELECT id - $1 FROM media ORDER BY id")
            .bind(base)
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(left, [1, 4, 5], "{store}");

        let out = env.run(&["media", "purge-remote"]);
        assert!(out.status.success(), "{store}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout)
                .starts_with("removed 1 cached copies of other servers' media, 4000 (3.9 KiB);"),
            "{store}: {}",
            text(&out.stdout)
        );
        assert_eq!(stored(&media[3]).await, (false, false), "{store}");
        assert_eq!(
            stored(&media[0]).await,
            (true, true),
            "{store}: a local upload stays"
        );
        let copy: (Option<String>, Option<String>, Option<i64>, Option<String>) = sqlx::query_as(
            "SELECT file_key, preview_key, cached_at, remote_url FROM media WHERE id = $1",
        )
        .bind(base + 4)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!((copy.0, copy.1, copy.2), (None, None, None), "{store}");
        assert!(
            copy.3.is_some(),
            "{store}: the remote address stays, to fetch it again"
        );
        let out = env.run(&["media", "purge-remote"]);
        assert!(text(&out.stdout).starts_with("removed 0 cached"), "{store}");

        let usage = text(&env.run(&["media", "usage"]).stdout);
        assert_eq!(
            line(&usage, "total local")[2..5],
            ["1", "1", "1000"],
            "{usage}"
        );
        assert_eq!(
            line(&usage, "total cached")[2..5],
            ["0", "0", "0"],
            "{usage}"
        );
        assert!(
            usage.contains("other servers' media not copied here: 2\n"),
            "{usage}"
        );
        assert!(!usage.contains("in the store"), "{usage}");
        files.delete(&media[0].file_key()).await.unwrap();
        files.delete(&media[0].preview_key()).await.unwrap();
        db.close().await;
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_until_serving(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("coopol exited early: {status}");
        }
        assert!(Instant::now() < deadline, "coopol did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn serve_answers_then_stops_cleanly_on_sigterm() {
    let env = Env::new().await;
    let port = free_port();
    let mut child = env
        .command(&["serve"])
        .env("COOPOL_LISTEN", format!("127.0.0.1:{port}"))
        .env("COOPOL_PUBLIC_URL", "https://section-lille.example")
        .env("COOPOL_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_serving(&mut child, port);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let instance: serde_json::Value = client
        .get(format!("{base}/api/v2/instance"))
        // The Host header must not matter: URLs come from the configured public URL.
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(instance["domain"], "section-lille.example");
    assert_eq!(
        instance["thumbnail"]["url"],
        "https://section-lille.example/static/header.png"
    );
    let res = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "x"),
            ("username", "a"),
            ("password", "hunter2-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // SIGTERM: the server stops accepting, finishes, and exits with status 0.
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "coopol did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(logs.contains("\"id\":"), "request ids are logged:\n{logs}");
    assert!(logs.contains("shutting down"), "{logs}");
    // No secret reaches the log, whatever happened.
    assert!(!logs.contains("hunter2-secret"), "{logs}");
    for line in logs.lines() {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
}

/// `coopol doctor` output: (exit status, its lines).
fn doctor(env: &Env, vars: &[(&str, String)]) -> (Option<i32>, Vec<String>) {
    let mut cmd = env.command(&["doctor"]);
    for (key, value) in vars {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    let lines = text(&out.stdout).lines().map(str::to_string).collect();
    (out.status.code(), lines)
}

/// The line of one check.
fn line<'a>(lines: &'a [String], check: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l[8..].starts_with(&format!("{check}:")))
        .unwrap_or_else(|| panic!("no {check} line in {lines:#?}"))
}

#[tokio::test]
async fn doctor_names_a_wrong_public_url_a_dead_smtp_server_and_an_unwritable_folder() {
    let env = Env::new().await;
    // A file where the data directory should be: nothing can be created under it, even by
    // root.
    let taken = env.dir.path().join("taken");
    std::fs::write(&taken, b"not a folder").unwrap();
    let (status, lines) = doctor(
        &env,
        &[
            ("COOPOL_DATA_DIR", taken.join("data").display().to_string()),
            (
                "COOPOL_PUBLIC_URL",
                format!("http://localhost:{}", free_port()),
            ),
            ("COOPOL_SMTP_HOST", "127.0.0.1".into()),
            ("COOPOL_SMTP_PORT", free_port().to_string()),
            ("COOPOL_SMTP_SECURITY", "none".into()),
        ],
    );
    assert_eq!(status, Some(1), "{lines:#?}");
    let data = line(&lines, "data directory");
    assert!(
        data.starts_with("FAILED") && data.contains("cannot be written"),
        "{data}"
    );
    let smtp = line(&lines, "e-mail");
    assert!(
        smtp.starts_with("FAILED") && smtp.contains("cannot be used") && smtp.contains("smtp_port"),
        "{smtp}"
    );
    let public = line(&lines, "public URL");
    assert!(
        public.starts_with("FAILED")
            && public.contains("cannot be reached")
            && public.contains("coopol serve"),
        "{public}"
    );
    // Nothing was created: no database, no folder.
    assert!(taken.is_file());
}

#[tokio::test]
async fn doctor_finds_a_running_instance_healthy() {
    let env = Env::new().await;
    let port = free_port();
    let sink = mail_sink::sink().map(|s| (s.host, s.port));
    let mut vars = vec![
        ("COOPOL_LISTEN", format!("127.0.0.1:{port}")),
        ("COOPOL_PUBLIC_URL", format!("http://localhost:{port}")),
    ];
    if let Some((host, port)) = &sink {
        vars.push(("COOPOL_SMTP_HOST", host.clone()));
        vars.push(("COOPOL_SMTP_PORT", port.to_string()));
        vars.push(("COOPOL_SMTP_SECURITY", "none".into()));
    }
    // Before the first start: no database yet, and nothing answers at the public URL.
    let (status, lines) = doctor(&env, &vars);
    assert_eq!(status, Some(1), "{lines:#?}");
    assert!(
        line(&lines, "database").starts_with("warning"),
        "{lines:#?}"
    );

    let mut server = env.command(&["serve"]);
    for (key, value) in &vars {
        server.env(key, value);
    }
    let mut child = server.stderr(Stdio::null()).spawn().unwrap();
    wait_until_serving(&mut child, port);
    // The port is open before the migrations end: wait for an answer.
    let deadline = Instant::now() + Duration::from_secs(60);
    let client = reqwest::Client::new();
    while client
        .get(format!("http://127.0.0.1:{port}/api/v2/instance"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "coopol did not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, lines) = doctor(&env, &vars);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, Some(0), "{lines:#?}");
    for check in [
        "configuration",
        "data directory",
        "database",
        "media store",
        "public URL",
        "clock",
    ] {
        assert!(line(&lines, check).starts_with("ok"), "{lines:#?}");
    }
    assert!(line(&lines, "public URL").contains("leads to this instance"));
    assert!(line(&lines, "database").contains("up to date"));
    let mail = line(&lines, "e-mail");
    if sink.is_some() {
        assert!(
            mail.starts_with("ok") && mail.contains("accepts us"),
            "{mail}"
        );
    } else {
        assert!(
            mail.starts_with("warning") && mail.contains("not configured"),
            "{mail}"
        );
    }
}
