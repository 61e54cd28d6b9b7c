//! Polls and scheduled posts with real clients: Mastodon.py (`status_post(poll=...)`,
//! `poll_vote`, `status_post(scheduled_at=...)`, `scheduled_statuses`, updating and deleting
//! one) and toot (`post --scheduled-in`). Without the clients' virtual environment
//! (scripts/test-tools.sh) these print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{run, venv};

use common::spawn_app;
use coopol::domain::Role;
use std::{path::PathBuf, process::Command};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_polls_votes_and_schedules() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    for name in ["alice", "bob"] {
        app.create_user(name, "correct horse battery", Role::Member)
            .await;
    }
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_polls.py"))
        .arg(&app.base);
    let out = run(cmd, None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        answer["poll_options"],
        serde_json::json!(["Monday", "Friday"])
    );
    assert_eq!(answer["voted"], true);
    assert_eq!(answer["own_votes"], serde_json::json!([1]));
    assert_eq!(answer["counts"], serde_json::json!([0, 1]));
    assert!(answer["second_vote"].is_string(), "{answer}");
    assert_eq!(answer["scheduled_text"], "Embargoed until tomorrow");
    assert_eq!(answer["scheduled_listed"], true);
    assert_eq!(answer["moved_later"], true);
    assert_eq!(answer["too_soon_status"], 422);
    assert_eq!(answer["left"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toot_schedules_a_post() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    let alice = app
        .create_user("alice", "correct horse battery", Role::Member)
        .await;
    let config = tempfile::tempdir().unwrap();
    let mut login = Command::new(venv.join("bin/toot"));
    login
        .args(["login_cli", "-i", &app.base, "-e", "alice@example.org"])
        .env("XDG_CONFIG_HOME", config.path());
    let out = run(login, Some("correct horse battery\n")).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut post = Command::new(venv.join("bin/toot"));
    post.args([
        "post",
        "--scheduled-in",
        "2 hours",
        "Embargoed press release",
    ])
    .env("XDG_CONFIG_HOME", config.path());
    let out = run(post, None).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "toot post --scheduled-in failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.to_lowercase().contains("scheduled"), "{stdout}");

    // Scheduled, not published.
    let (_, token) = app.user_with_token("bob", "read").await;
    let (_, posts) = app
        .get_json(&format!("/api/v1/accounts/{alice}/statuses"), Some(&token))
        .await;
    assert_eq!(posts, serde_json::json!([]));
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT scheduled_at, params FROM scheduled_statuses WHERE account_id = $1")
            .bind(alice)
            .fetch_all(app.state.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.contains("Embargoed press release"));
    let ahead = rows[0].0 - coopol::clock::now();
    assert!(
        ahead > 110 * 60_000_000 && ahead < 121 * 60_000_000,
        "{ahead}"
    );
}
