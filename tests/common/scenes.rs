//! Scenes that tests start from, built through the API as people would: a section's server
//! with its secretary and three people, the Paris 11e section (approval), the federation of
//! Paris, and members in it. A test builds the scene it needs and checks one behaviour, so a
//! failure names what broke.

use super::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

const API: &str = "/api/coopol/v1";

/// A secretary and three people of one server, with tokens (`read write follow`).
pub struct People {
    /// The secretary's token.
    pub sec: String,
    /// Bob: id and token.
    pub bob_id: i64,
    pub bob: String,
    /// Carol: id and token.
    pub carol_id: i64,
    pub carol: String,
    /// Eve: id and token.
    pub eve_id: i64,
    pub eve: String,
}

/// The people of `app`.
pub async fn people(app: &TestApp) -> People {
    let scope = "read write follow";
    let (_, sec) = app.user_with_token("secretaire", scope).await;
    let (bob_id, bob) = app.user_with_token("bob", scope).await;
    let (carol_id, carol) = app.user_with_token("carol", scope).await;
    let (eve_id, eve) = app.user_with_token("eve", scope).await;
    People {
        sec,
        bob_id,
        bob,
        carol_id,
        carol,
        eve_id,
        eve,
    }
}

/// Creates a group as `token`'s owner; returns its document.
pub async fn group(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, group) = app
        .post_json(&format!("{API}/groups"), Some(token), &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    group
}

/// The Paris 11e section (joining needs approval), by the secretary; returns its id.
pub async fn paris_section(app: &TestApp, p: &People) -> String {
    let section = group(
        app,
        &p.sec,
        json!({"name": "section_paris11", "display_name": "Section Paris 11e", "kind": "section",
               "summary": "La section du **11e**.", "join_mode": "approval",
               "place": {"postcode": "75011", "commune": "Paris"}}),
    )
    .await;
    section["id"].as_str().unwrap().to_string()
}

/// The federation of Paris, by the secretary; returns its id.
pub async fn paris_federation(app: &TestApp, p: &People) -> String {
    let fed = group(
        app,
        &p.sec,
        json!({"name": "federation_75", "display_name": "Fédération de Paris",
               "kind": "federation", "departement": "75"}),
    )
    .await;
    fed["id"].as_str().unwrap().to_string()
}

/// `token`'s person asks to join `group`, and the secretary approves.
pub async fn member(app: &TestApp, p: &People, group: &str, token: &str, id: i64) {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{group}/join"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    if body["viewer"]["membership"] == "pending" {
        let (status, body) = app
            .post_json(
                &format!("{API}/groups/{group}/members/{id}/approve"),
                Some(&p.sec),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// Gives a member a role, as the secretary.
pub async fn role(app: &TestApp, p: &People, group: &str, id: i64, role: &str) {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{group}/members/{id}/role"),
            Some(&p.sec),
            &json!({"role": role}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Posts in a group as `token`; returns the post.
pub async fn group_post(app: &TestApp, group: &str, token: &str, body: Value) -> Value {
    let (status, post) = app
        .post_json(&format!("{API}/groups/{group}/posts"), Some(token), &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post
}
