//! The real `coopol` binary, killed with SIGKILL in the middle of delivering a post to many
//! inboxes, then restarted: every inbox still gets the post (at least once).

use axum::{
    Router,
    extract::{Path, State},
    http::StatusCode,
    routing::post,
};
use coopol::db::{self, Db};
#[path = "common/oauth.rs"]
mod oauth;

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_coopol");
const INBOXES: usize = 300;

/// A remote server with many inboxes that answers slowly, and counts what each one got.
async fn sink() -> (String, Arc<Mutex<HashMap<usize, usize>>>) {
    let received: Arc<Mutex<HashMap<usize, usize>>> = Arc::default();
    let app = Router::new()
        .route(
            "/inbox/{n}",
            post(
                |State(r): State<Arc<Mutex<HashMap<usize, usize>>>>,
                 Path(n): Path<usize>,
                 body: String| async move {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    if body.contains("\"Create\"") {
                        *r.lock().unwrap().entry(n).or_default() += 1;
                    }
                    StatusCode::ACCEPTED
                },
            ),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, received)
}

async fn database(dir: &std::path::Path) -> String {
    match std::env::var("COOPOL_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = format!(
                "coopol_kill_{}",
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
            url.to_string()
        }
        _ => format!("sqlite://{}/coopol.db?mode=rwc", dir.display()),
    }
}

fn command(dir: &std::path::Path, database: &str, port: u16, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("COOPOL_DATABASE_URL", database)
        .env("COOPOL_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("COOPOL_LISTEN", format!("127.0.0.1:{port}"))
        .env("COOPOL_REGISTRATION_MODE", "open")
        .env("COOPOL_LOG_LEVEL", "warn");
    cmd
}

fn start(dir: &std::path::Path, database: &str, port: u16) -> Child {
    let mut child = command(dir, database, port, &["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "coopol exited early");
        assert!(Instant::now() < deadline, "coopol did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_reaches_every_inbox_across_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let database = database(dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (sink_base, received) = sink().await;

    // The author, and INBOXES remote followers each with an inbox of its own on the sink.
    let mut create = command(
        dir.path(),
        &database,
        port,
        &[
            "user",
            "create",
            "author",
            "--email",
            "author@example.org",
            "--password-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    std::io::Write::write_all(
        &mut create.stdin.take().unwrap(),
        b"correct horse battery\n",
    )
    .unwrap();
    assert!(create.wait().unwrap().success());
    let db = Db::connect(&database, 2).await.unwrap();
    let author = db::accounts::local_by_username(db.pool(), "author")
        .await
        .unwrap()
        .unwrap();
    let (_, public) = coopol::crypto::generate_rsa_keypair();
    let now = coopol::clock::now();
    for n in 0..INBOXES {
        let uri = format!("{sink_base}/users/f{n}");
        let inbox = format!("{sink_base}/inbox/{n}");
        let id = db::accounts::upsert_remote(
            db.pool(),
            &db::accounts::RemoteActor {
                uri: &uri,
                username: &format!("f{n}"),
                domain: sink_base.trim_start_matches("http://"),
                actor_type: "Person",
                display_name: "",
                note_html: "",
                locked: false,
                discoverable: true,
                public_key_pem: &public,
                key_id: &format!("{uri}#main-key"),
                inbox_url: &inbox,
                shared_inbox_url: None,
                outbox_url: None,
                followers_url: None,
                following_url: None,
                url: None,
                avatar_url: None,
                header_url: None,
                fields_json: "[]",
                created_at: now,
                now,
            },
        )
        .await
        .unwrap()
        .expect("a new remote actor is stored");
        let mut conn = db.pool().acquire().await.unwrap();
        db::social::insert_follow(
            &mut conn,
            id,
            author.id,
            Some(&format!("{uri}#follow")),
            coopol::domain::FollowState::Accepted,
            now,
        )
        .await
        .unwrap();
    }
    db.close().await;

    let mut server = start(dir.path(), &database, port);
    let base = format!("http://localhost:{port}");
    let client = reqwest::Client::new();
    let token = oauth::password_token(
        &client,
        &base,
        "author@example.org",
        "correct horse battery",
    )
    .await;
    let res = client
        .post(format!("{base}/api/v1/statuses"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"status": "Collage d'affiches ce soir"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // Kill it once part of the deliveries are done.
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.lock().unwrap().len() < 20 {
        assert!(Instant::now() < deadline, "deliveries never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let before = received.lock().unwrap().len();
    assert!(
        before < INBOXES,
        "the kill came too late to test anything ({before} delivered)"
    );

    let mut server = start(dir.path(), &database, port);
    let deadline = Instant::now() + Duration::from_secs(90);
    while received.lock().unwrap().len() < INBOXES {
        assert!(
            Instant::now() < deadline,
            "after the restart only {} of {INBOXES} inboxes got the post",
            received.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let duplicates: usize = received.lock().unwrap().values().map(|n| n - 1).sum();
    println!(
        "delivered before the kill: {before}; after the restart: all {INBOXES}; duplicates: {duplicates}"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    server.wait().unwrap();
}
