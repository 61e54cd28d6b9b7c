//! Account extras with a real client: Mastodon.py's `domain_block`, `domain_blocks` (and its
//! pages), `domain_unblock`, `account_note_set`, `account_pin`, `endorsements`,
//! `account_familiar_followers` and `account_relationships`.
//!
//! The clients live in the virtual environment scripts/test makes (target/clients-venv).
//! Without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1 (set by
//! scripts/test and CI), which makes absence a failure.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{python, run_json, venv};

use common::spawn_app;
use coopol::domain::Role;
use serde_json::json;

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

    let mut cmd = python(&venv, "mastodon_py_acctx.py");
    cmd.args([
        app.base.as_str(),
        "alice@example.org",
        "correct horse battery",
        "bob",
        "carol",
    ]);
    let a = run_json("Mastodon.py", cmd).await;
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
