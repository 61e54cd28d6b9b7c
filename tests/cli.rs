//! The `coopol` binary as an administrator uses it: help, configuration errors, accounts,
//! migrations, and a server that starts on its defaults and stops cleanly on SIGTERM.

mod common;

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
        Env { dir, database_url }
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
    for word in ["serve", "migrate", "user", "recount", "--config", "COOPOL_"] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    let out = env.run(&["user", "create", "--help"]);
    let help = text(&out.stdout);
    for word in ["--email", "--admin", "--password-stdin"] {
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
    for queue in [Queue::Inbox, Queue::Events, Queue::Deliveries] {
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
