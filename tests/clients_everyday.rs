//! Everyday calls with a real client across two instances (issue 27's "Done when"): Mastodon.py
//! votes on a poll of another server (`search_v2` with `resolve`, `poll_vote`, `poll`), sets and
//! reads markers (`markers_set`, `markers_get`), and bookmarks (`status_bookmark`, `bookmarks`,
//! `status_unbookmark`).

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{python, run_json, venv};
use common::spawn_app;
use coopol::domain::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_votes_across_servers_and_keeps_markers_and_bookmarks() {
    let Some(venv) = venv() else { return };
    let a = spawn_app().await;
    let b = spawn_app().await;
    let password = "correct horse battery";
    a.create_user("alice", password, Role::Member).await;
    b.create_user("bob", password, Role::Member).await;
    let mut cmd = python(&venv, "mastodon_py_everyday.py");
    cmd.args([a.base.as_str(), b.base.as_str(), password]);
    let seen = run_json("Mastodon.py", cmd).await;
    assert_eq!(seen["found_on_b"], 1, "{seen}");
    assert_eq!(
        seen["remote_options"],
        json!(["Samedi", "Dimanche"]),
        "{seen}"
    );
    assert_eq!(seen["b_voted"], true, "{seen}");
    assert_eq!(seen["b_own_votes"], json!([1]), "{seen}");
    assert_eq!(seen["second_vote_refused"], true, "{seen}");
    assert_eq!(seen["a_votes"], json!([0, 1]), "{seen}");
    assert_eq!(seen["a_voters"], 1, "{seen}");
    assert_eq!(seen["marker_home"], true, "{seen}");
    assert_eq!(seen["marker_version_grows"], true, "{seen}");
    assert_eq!(seen["markers_read"], json!(["home"]), "{seen}");
    assert_eq!(seen["marker_read_home"], true, "{seen}");
    assert_eq!(seen["bookmarked"], true, "{seen}");
    assert_eq!(seen["bookmarks"], json!([true]), "{seen}");
    assert_eq!(seen["bookmarks_after"], 0, "{seen}");
}
