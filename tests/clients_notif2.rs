//! Mastodon.py against a running instance: grouped notifications (the API's v2, which the
//! library allows only from a server claiming Mastodon 4.3) and conversations, as a script
//! calls them.
//!
//! The clients live in the virtual environment scripts/test creates (target/clients-venv);
//! without it this test prints a notice and passes, unless COOPOL_REQUIRE_CLIENTS=1.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{python, run_json, venv};

use common::spawn_app;
use coopol::domain::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_reads_grouped_notifications_and_conversations() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    for name in ["alice", "bob"] {
        app.create_user(name, "correct horse battery", Role::Member)
            .await;
    }
    let mut cmd = python(&venv, "mastodon_py_notif2.py");
    cmd.arg(&app.base);
    let a = run_json("Mastodon.py", cmd).await;
    assert_eq!(
        a["kinds"],
        serde_json::json!(["favourite", "follow", "mention"]),
        "{a}"
    );
    assert_eq!(a["like_count"], 1);
    assert_eq!(a["like_samples"], serde_json::json!([a["bob_id"]]));
    assert_eq!(a["one_count"], 1);
    assert_eq!(a["accounts"], serde_json::json!(["bob"]));
    assert_eq!(a["unread"], 3);
    assert_eq!(a["after"], serde_json::json!(["follow", "mention"]));
    assert_eq!(a["v1_group_keys"].as_array().unwrap().len(), 2);
    assert!(
        a["v1_group_keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.as_str().is_some_and(|k| !k.is_empty()))
    );
    assert_eq!(a["conversations"], 1);
    assert_eq!(a["conversation_unread"], true);
    assert_eq!(a["conversation_accounts"], serde_json::json!(["bob"]));
    assert_eq!(a["conversation_last_id"], a["dm_id"]);
    assert!(a["conversation_last"].as_str().unwrap().contains("un mot"));
    assert_eq!(a["read_unread"], false);
    app.stop().await;
}
