//! Mastodon.py against a running instance: the notification policy and its requests (the
//! library allows them only from a server claiming Mastodon 4.3), as a script calls them.
//!
//! The clients live in the virtual environment scripts/test creates (target/clients-venv);
//! without it this test prints a notice and passes, unless COOPOL_REQUIRE_CLIENTS=1.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{python, run_json, venv};

use common::spawn_app;
use coopol::domain::Role;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_filters_and_accepts_notification_requests() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    for name in ["alice", "bob", "carol"] {
        app.create_user(name, "correct horse battery", Role::Member)
            .await;
    }
    let mut cmd = python(&venv, "mastodon_py_policy.py");
    cmd.arg(&app.base);
    let a = run_json("Mastodon.py", cmd).await;
    assert_eq!(a["default"], "accept", "{a}");
    assert_eq!(a["updated"], "filter");
    assert_eq!(a["private"], "filter");
    assert_eq!(
        a["summary"],
        json!({"pending_requests_count": 2, "pending_notifications_count": 3})
    );
    assert_eq!(a["listed_before"], 0);
    assert_eq!(a["requests"], json!(["carol", "bob"]));
    assert_eq!(a["counts"], json!(["1", "2"]));
    assert_eq!(a["one"], "bob");
    assert_eq!(a["merged"], true);
    assert_eq!(a["listed_after"], json!(["bob", "bob"]));
    assert_eq!(a["left"], 0);
    assert_eq!(a["after_bulk"], 0);
    assert_eq!(a["listed_final"], 3);
    assert!(
        a["refused"]
            .as_str()
            .is_some_and(|e| e.contains("422") || e.contains("Unprocessable")),
        "{a}"
    );
    app.stop().await;
}
