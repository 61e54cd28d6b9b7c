//! Announcements with a real client: Mastodon.py's `announcements`,
//! `announcement_reaction_create`, `announcement_reaction_delete` and `announcement_dismiss`.
//!
//! The clients live in the virtual environment scripts/test makes (target/clients-venv).
//! Without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1 (set by
//! scripts/test and CI), which makes absence a failure.

mod common;

use common::spawn_app;
use coopol::{domain::Role, service::announcements};
use serde_json::{Value, json};
use std::{
    path::PathBuf,
    process::{Command, Stdio},
};

fn venv() -> Option<PathBuf> {
    let dir = std::env::var("COOPOL_CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/clients-venv"));
    if dir.join("bin/python").exists() {
        return Some(dir);
    }
    if std::env::var("COOPOL_REQUIRE_CLIENTS").is_ok_and(|v| v == "1") {
        panic!(
            "the client virtual environment {} is missing: run scripts/test",
            dir.display()
        );
    }
    eprintln!(
        "notice: {} is absent (scripts/test creates it); client tests skipped",
        dir.display()
    );
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_reads_reacts_to_and_dismisses_announcements() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    let admin_id = app
        .create_user("admin", "correct horse battery", Role::Admin)
        .await;
    let admin = coopol::db::accounts::user_by_id(app.state.pool(), admin_id)
        .await
        .unwrap()
        .unwrap();
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let input = announcements::Input {
        text: "Assemblée générale samedi #ag".into(),
        starts_at: "2020-01-01".into(),
        all_day: true,
        ..Default::default()
    };
    let made = announcements::create(&app.state, &admin, &input, true)
        .await
        .unwrap();
    let id = made.id.to_string();
    // Bob reacted first: Alice's 👍 counts two.
    let res = app
        .client
        .put(app.url(&format!(
            "/api/v1/announcements/{id}/reactions/{}",
            common::urlencode("👍")
        )))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);

    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_announce.py"),
    )
    .args([
        app.base.as_str(),
        "alice@example.org",
        "correct horse battery",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_str(stdout.trim()).unwrap();
    let listed = &a["announcements"][0];
    assert_eq!(listed["id"], id.as_str(), "{a}");
    assert!(
        listed["content"]
            .as_str()
            .unwrap()
            .contains("Assemblée générale")
    );
    assert_eq!(listed["all_day"], true);
    assert_eq!(listed["read"], false);
    assert_eq!(listed["tags"][0]["name"], "ag");
    assert_eq!(
        a["listed_reactions"],
        json!([{"name": "👍", "count": 1, "me": false}]),
        "{a}"
    );
    assert_eq!(
        a["after_reactions"],
        json!([
            {"name": "👍", "count": 2, "me": true},
            {"name": "🎉", "count": 1, "me": true},
        ]),
        "{a}"
    );
    assert_eq!(
        a["after_delete"],
        json!([{"name": "👍", "count": 2, "me": true}])
    );
    assert_eq!(a["shortcode"]["status"], 422, "{a}");
    assert_eq!(a["delete_again"]["status"], 404, "{a}");
    assert_eq!(a["after_dismiss"], json!([]), "dismissed: {a}");
}
