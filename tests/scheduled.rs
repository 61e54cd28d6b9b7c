//! Scheduled posts through the Mastodon API: `scheduled_at` answers a ScheduledStatus (never a
//! post published early), bad times are refused with Mastodon's 422, the list pages with Link
//! headers, a time is changed and a scheduled post cancelled, media stay reserved to it, the
//! Idempotency-Key is honoured, and the worker publishes each post exactly once with two
//! processes on one database.

mod common;

use common::{TestApp, eventually, spawn_app, spawn_second_process};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Cursor;

fn in_minutes(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn schedule(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post_json("/api/v1/statuses", Some(token), &body).await
}

async fn posts_of(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (status, list) = app
        .get_json(&format!("/api/v1/accounts/{id}/statuses"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// Makes a scheduled post due now, as if its time had come.
async fn due_now(app: &TestApp, id: &str) {
    sqlx::query("UPDATE scheduled_statuses SET scheduled_at = $1 WHERE id = $2")
        .bind(coopol::clock::now() - 1)
        .bind(id.parse::<i64>().unwrap())
        .execute(app.state.pool())
        .await
        .unwrap();
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 8, y as u8 * 8, 90]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn upload(app: &TestApp, token: &str) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png())
            .file_name("a.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let res = app
        .client
        .post(app.url("/api/v2/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_string();
    eventually("the upload is processed", || async {
        let (status, _) = app
            .get_json(&format!("/api/v1/media/{id}"), Some(token))
            .await;
        status == StatusCode::OK
    })
    .await;
    id
}

#[tokio::test]
async fn bad_times_are_refused_and_nothing_is_published() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    for (at, expected) in [
        ("2020-01-01T00:00:00Z", "5 minutes"),
        (&in_minutes(2) as &str, "5 minutes"),
        ("next tuesday", "2026-12-24"),
    ] {
        let (status, body) = schedule(
            &app,
            &ana,
            json!({"status": "Embargoed until the press conference", "scheduled_at": at}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{at}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(expected),
            "{at}: {body}"
        );
        assert!(body["details"]["scheduled_at"].is_array(), "{body}");
    }
    // A post that could not be published is not scheduled either.
    let (status, body) = schedule(
        &app,
        &ana,
        json!({"status": "", "scheduled_at": in_minutes(10)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(posts_of(&app, &ana, ana_id).await.is_empty());
    let (_, list) = app.get_json("/api/v1/scheduled_statuses", Some(&ana)).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn scheduled_posts_are_listed_moved_and_cancelled_by_their_author_only() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let media = upload(&app, &ana).await;
    let at = in_minutes(60);
    let (status, scheduled) = schedule(
        &app,
        &ana,
        json!({
            "status": "Press release", "scheduled_at": at, "visibility": "unlisted",
            "spoiler_text": "embargo", "language": "fr", "media_ids": [media],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    let id = scheduled["id"].as_str().unwrap().to_string();
    let when =
        chrono::DateTime::parse_from_rfc3339(scheduled["scheduled_at"].as_str().unwrap()).unwrap();
    assert_eq!(when, chrono::DateTime::parse_from_rfc3339(&at).unwrap());
    let params = &scheduled["params"];
    assert_eq!(params["text"], "Press release");
    assert_eq!(params["visibility"], "unlisted");
    assert_eq!(params["spoiler_text"], "embargo");
    assert_eq!(params["language"], "fr");
    assert_eq!(params["media_ids"], json!([media]));
    assert_eq!(scheduled["media_attachments"][0]["id"], json!(media));
    assert!(
        posts_of(&app, &ana, ana_id).await.is_empty(),
        "not published"
    );

    // The reserved medium is nobody else's: not another post's, not deleted.
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(&ana),
            &json!({"status": "other", "media_ids": [media]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/media/{media}")))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);

    // Listed and read by its author only.
    for n in 0..3 {
        let (status, body) = schedule(
            &app,
            &ana,
            json!({"status": format!("later {n}"), "scheduled_at": in_minutes(120 + n)}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let res = app
        .client
        .get(app.url("/api/v1/scheduled_statuses?limit=2"))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    let link = res.headers()["link"].to_str().unwrap().to_string();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert!(link.contains("rel=\"next\""), "{link}");
    let (_, all) = app.get_json("/api/v1/scheduled_statuses", Some(&ana)).await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    let (_, none) = app.get_json("/api/v1/scheduled_statuses", Some(&bob)).await;
    assert_eq!(none, json!([]));
    let (status, _) = app
        .get_json(&format!("/api/v1/scheduled_statuses/{id}"), Some(&bob))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A new time: too soon is refused, later is taken.
    let put = |token: String, at: String| {
        let app = &app;
        let id = id.clone();
        async move {
            let res = app
                .client
                .put(app.url(&format!("/api/v1/scheduled_statuses/{id}")))
                .bearer_auth(token)
                .json(&json!({ "scheduled_at": at }))
                .send()
                .await
                .unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = put(ana.clone(), in_minutes(1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = put(bob.clone(), in_minutes(90)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let later = in_minutes(90);
    let (status, body) = put(ana.clone(), later.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(body["scheduled_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&later).unwrap()
    );

    // Cancelled: gone, and its medium free again.
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/scheduled_statuses/{id}")))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/scheduled_statuses/{id}")))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (status, _) = app
        .get_json(&format!("/api/v1/scheduled_statuses/{id}"), Some(&ana))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(&ana),
            &json!({"status": "now with the picture", "media_ids": [media]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_worker_publishes_each_scheduled_post_once_as_asked() {
    let app = spawn_app().await;
    let second = spawn_second_process(&app).await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let media = upload(&app, &ana).await;
    let res = app
        .client
        .post(app.url("/api/v1/statuses"))
        .bearer_auth(&ana)
        .header("idempotency-key", "press-1")
        .json(
            &json!({"status": "Embargo over", "scheduled_at": in_minutes(30),
                       "visibility": "unlisted", "media_ids": [media], "language": "fr"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let first: Value = res.json().await.unwrap();
    // The same request again is the same scheduled post.
    let res = app
        .client
        .post(app.url("/api/v1/statuses"))
        .bearer_auth(&ana)
        .header("idempotency-key", "press-1")
        .json(
            &json!({"status": "Embargo over", "scheduled_at": in_minutes(30),
                       "visibility": "unlisted", "media_ids": [media], "language": "fr"}),
        )
        .send()
        .await
        .unwrap();
    let again: Value = res.json().await.unwrap();
    assert_eq!(first["id"], again["id"], "{again}");
    let (status, with_poll) = schedule(
        &app,
        &ana,
        json!({"status": "Which date?", "scheduled_at": in_minutes(30),
               "poll": {"options": ["Saturday", "Sunday"], "expires_in": 3600}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{with_poll}");
    assert_eq!(
        with_poll["params"]["poll"]["options"],
        json!(["Saturday", "Sunday"])
    );

    due_now(&app, first["id"].as_str().unwrap()).await;
    due_now(&app, with_poll["id"].as_str().unwrap()).await;
    eventually("both are published", || async {
        posts_of(&app, &ana, ana_id).await.len() == 2
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let posts = posts_of(&app, &ana, ana_id).await;
    assert_eq!(posts.len(), 2, "exactly once each: {posts:#?}");
    let press = posts.iter().find(|p| p["poll"].is_null()).unwrap();
    assert_eq!(press["visibility"], "unlisted");
    assert_eq!(press["language"], "fr");
    assert_eq!(press["media_attachments"][0]["id"], json!(media));
    let poll = posts.iter().find(|p| !p["poll"].is_null()).unwrap();
    assert_eq!(poll["poll"]["options"][1]["title"], "Sunday");
    // Its poll runs from its publication.
    let expires =
        chrono::DateTime::parse_from_rfc3339(poll["poll"]["expires_at"].as_str().unwrap()).unwrap();
    assert!(expires > chrono::Utc::now() + chrono::Duration::minutes(55));
    let (_, left) = app.get_json("/api/v1/scheduled_statuses", Some(&ana)).await;
    assert_eq!(left, json!([]));
    second.stop().await;
}

#[tokio::test]
async fn a_scheduled_post_that_can_no_longer_be_published_waits_with_its_reason() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, parent) = app
        .post_json("/api/v1/statuses", Some(&bob), &json!({"status": "parent"}))
        .await;
    let (status, scheduled) = schedule(
        &app,
        &ana,
        json!({"status": "answer", "scheduled_at": in_minutes(30),
               "in_reply_to_id": parent["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    let res = app
        .client
        .delete(app.url(&format!(
            "/api/v1/statuses/{}",
            parent["id"].as_str().unwrap()
        )))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let id = scheduled["id"].as_str().unwrap();
    due_now(&app, id).await;
    eventually("the failure is recorded", || async {
        let error: Option<String> =
            sqlx::query_scalar("SELECT error FROM scheduled_statuses WHERE id = $1")
                .bind(id.parse::<i64>().unwrap())
                .fetch_one(app.state.pool())
                .await
                .unwrap();
        error.is_some()
    })
    .await;
    assert!(posts_of(&app, &ana, ana_id).await.is_empty());
    let (status, _) = app
        .get_json(&format!("/api/v1/scheduled_statuses/{id}"), Some(&ana))
        .await;
    assert_eq!(status, StatusCode::OK, "it waits for its author");
}

#[tokio::test]
async fn the_publication_survives_a_process_stopping_with_its_claim() {
    // A process that claimed a due post and stopped before publishing leaves it to another:
    // the claim of a process whose heartbeat stopped is taken up.
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let (status, scheduled) = schedule(
        &app,
        &ana,
        json!({"status": "after the crash", "scheduled_at": in_minutes(30)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{scheduled}");
    let id: i64 = scheduled["id"].as_str().unwrap().parse().unwrap();
    // Claimed by a process that is gone, with a lease far in the future.
    sqlx::query(
        "UPDATE scheduled_statuses SET scheduled_at = $1, locked_by = 'gone', \
         locked_until = $2 WHERE id = $3",
    )
    .bind(coopol::clock::now() - 1)
    .bind(coopol::clock::now() + 3_600_000_000)
    .bind(id)
    .execute(app.state.pool())
    .await
    .unwrap();
    eventually("another process publishes it", || async {
        posts_of(&app, &ana, ana_id).await.len() == 1
    })
    .await;
}
