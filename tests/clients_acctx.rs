//! Account extras with a real client: Mastodon.py's `domain_block`, `domain_blocks` (and its
//! pages), `domain_unblock`, `account_note_set`, `account_pin`, `endorsements`,
//! `account_familiar_followers` and `account_relationships`.
//!
//! The clients live in the virtual environment scripts/test makes (target/clients-venv).
//! Without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1 (set by
//! scripts/test and CI), which makes absence a failure.

mod common;

use common::spawn_app;
use coopol::domain::Role;
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
async fn mastodon_py_domain_blocks_notes_endorsements_and_familiar_followers() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (carol_id, _) = app.user_with_token("carol", "read write follow").await;
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{carol_id}/follow"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{v}");

    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_acctx.py"))
        .args([
            app.base.as_str(),
            "alice@example.org",
            "correct horse battery",
            "bob",
            "carol",
        ])
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("start Mastodon.py"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        a["domain_blocks"],
        json!(["ours.example", "loups.example"]),
        "{a}"
    );
    assert_eq!(a["domain_blocks_page"], json!(["ours.example"]), "{a}");
    assert_eq!(a["domain_blocks_next"], json!(["loups.example"]), "{a}");
    assert_eq!(a["domain_blocks_after"], json!(["ours.example"]));
    assert_eq!(a["empty_domain"][0], 422, "{a}");
    assert_eq!(a["note"], "Rencontré à la fête de la section");
    assert_eq!(a["pin_not_followed"][0], 422, "{a}");
    assert_eq!(a["pin"], true);
    assert_eq!(a["endorsements"], json!(["bob"]));
    assert_eq!(
        a["familiar"],
        json!([{"id": a["fof_id"], "accounts": ["bob"]}]),
        "{a}"
    );
    let rels = a["relationships"].as_array().unwrap();
    assert_eq!(rels.len(), 2, "{a}");
    assert_eq!(rels[0]["id"], a["friend_id"]);
    assert_eq!(rels[0]["note"], "Rencontré à la fête de la section");
    assert_eq!(rels[0]["endorsed"], true);
    assert_eq!(rels[0]["following"], true);
    assert_eq!(rels[1]["following"], false);
    assert_eq!(rels[1]["note"], "");
    assert_eq!(a["unpin"], false);
    app.stop().await;
}
