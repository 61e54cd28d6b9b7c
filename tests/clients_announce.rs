//! Announcements with a real client: Mastodon.py's `announcements`,
//! `announcement_reaction_create`, `announcement_reaction_delete` and `announcement_dismiss`.
//!
//! The clients live in the virtual environment scripts/test makes (target/clients-venv).
//! Without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1 (set by
//! scripts/test and CI), which makes absence a failure.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{python, run_json, venv};

use common::spawn_app;
use coopol::{domain::Role, service::announcements};
use serde_json::json;

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

    let mut cmd = python(&venv, "mastodon_py_announce.py");
    cmd.args([
        app.base.as_str(),
        "alice@example.org",
        "correct horse battery",
    ]);
    let a = run_json("Mastodon.py", cmd).await;
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
