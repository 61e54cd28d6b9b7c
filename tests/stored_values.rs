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

/// A dismissed notification's id is never given to a new one: Mastodon apps remember the
/// newest id they read, and would take the new notification for one already seen.
#[tokio::test]
async fn a_dismissed_notifications_id_is_not_given_again() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    let follow = |token: String| {
        let app = &app;
        async move {
            let (status, body) = app
                .post_json(
                    &format!("/api/v1/accounts/{alice_id}/follow"),
                    Some(&token),
                    &serde_json::json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    let newest = || async {
        let (status, list) = app.get_json("/api/v1/notifications", Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list[0]["id"].as_str().unwrap().parse::<i64>().unwrap()
    };
    follow(bob).await;
    let first = newest().await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/notifications/{first}/dismiss"),
            Some(&alice),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    follow(carol).await;
    let second = newest().await;
    assert!(second > first, "{second} after dismissing {first}");
    app.stop().await;
}
