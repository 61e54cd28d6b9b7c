//! Stored values decode into domain types: a value this version does not know (written by a
//! later version, or by hand) is an error naming its column, never silently another value.
//! Read as `direct`, an unknown visibility once hid a post; read as `public`, it would show
//! one to everyone.

mod common;

use common::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn an_unknown_visibility_is_an_error_naming_the_column() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&token),
            &serde_json::json!({ "status": "Réunion jeudi", "visibility": "private" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let id: i64 = post["id"].as_str().unwrap().parse().unwrap();

    sqlx::query("UPDATE statuses SET visibility = 'friends' WHERE id = $1")
        .bind(id)
        .execute(app.state.pool())
        .await
        .unwrap();
    let err = coopol::db::statuses::by_id(app.state.pool(), id)
        .await
        .expect_err("an unknown visibility is not read as another");
    let text = err.to_string();
    assert!(text.contains("visibility"), "names the column: {text}");
    assert!(text.contains("friends"), "names the value: {text}");

    // Nobody is shown the post under a guessed visibility: the server answers with an error.
    let res = app
        .get(&format!("/api/v1/statuses/{id}"), Some(&token))
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let res = app.get(&format!("/api/v1/statuses/{id}"), None).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_membership_state_is_an_error_naming_the_column() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("sec", "read write").await;
    let (status, group) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(&token),
            &serde_json::json!({ "name": "section_pau", "display_name": "Section de Pau",
                                  "kind": "section", "postcode": "64000" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let gid: i64 = group["id"].as_str().unwrap().parse().unwrap();
    sqlx::query("UPDATE group_members SET state = 'maybe' WHERE group_id = $1")
        .bind(gid)
        .execute(app.state.pool())
        .await
        .unwrap();
    let err = coopol::db::groups::members(
        app.state.pool(),
        gid,
        coopol::domain::MembershipState::Accepted,
        false,
        0,
        10,
    )
    .await;
    // The row no longer matches `accepted`; read it by its id instead.
    assert!(err.as_ref().is_ok_and(|m| m.is_empty()), "{err:?}");
    let id: i64 = sqlx::query_scalar("SELECT id FROM group_members WHERE group_id = $1")
        .bind(gid)
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    let err = coopol::db::groups::member_by_id(app.state.pool(), id)
        .await
        .expect_err("an unknown state is not read as another");
    let text = err.to_string();
    assert!(text.contains("state") && text.contains("maybe"), "{text}");
    app.stop().await;
}
