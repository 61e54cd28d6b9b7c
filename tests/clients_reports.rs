//! Reports with a real client: Mastodon.py's `report`, and its admin API for the queue
//! (`admin_reports`, `admin_report`, assign, unassign, resolve, reopen).
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

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_reports_and_works_through_the_queue() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    let (bob, bob_token) = app.user_with_token("bob", "read write").await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    let modo = app.create_user("modo", PASSWORD, Role::Moderator).await;
    let (_, posted) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob_token),
            &json!({"status": "Achetez mes montres", "visibility": "public"}),
        )
        .await;
    let status = posted["id"].as_str().unwrap().to_string();

    let mut cmd = python(&venv, "mastodon_py_reports.py");
    cmd.args([
        app.base.as_str(),
        "alice@example.org",
        "modo@example.org",
        PASSWORD,
        &bob.to_string(),
        &status,
    ]);
    let out = run_json("Mastodon.py", cmd).await;
    let report = &out["report"];
    assert_eq!(report["category"], "spam", "{out}");
    assert_eq!(report["comment"], "Publicité répétée");
    assert_eq!(report["status_ids"], json!([status]));
    assert_eq!(report["target_account"]["id"], bob.to_string());
    let id = report["id"].as_str().unwrap();
    assert_eq!(out["unknown_status"]["status"], 404, "{out}");
    assert_eq!(out["member_queue"]["status"], 403, "{out}");
    assert_eq!(out["queue"][0]["id"], id, "{out}");
    assert_eq!(out["queue"][0]["statuses"][0]["id"], status.as_str());
    assert_eq!(out["one"]["account"]["username"], "alice");
    assert_eq!(out["assigned"]["assigned_account"]["id"], modo.to_string());
    assert_eq!(
        out["unassigned"]["assigned_account"],
        serde_json::Value::Null
    );
    assert_eq!(out["resolved"]["action_taken"], true);
    assert_eq!(out["open_after"], json!([]), "{out}");
    assert_eq!(out["resolved_list"], json!([id]));
    assert_eq!(out["all_list"], json!([id]));
    assert_eq!(out["reopened"]["action_taken"], false);
}
