//! Lists, filters and mutes through Mastodon's API, on SQLite and PostgreSQL: lists with their
//! members (only followed accounts), timelines filled on write and back-filled, replies
//! policies, exclusive lists, the `list` stream (its owner's only); filters v2 and v1 with
//! whole words, contexts, `warn` and `hide`, expiry, keywords and posts; mutes with and without
//! notifications, with a duration that runs out; everyone else's lists and filters are 404,
//! and bad input is Mastodon's 422.

mod common;

use common::{TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post(app: &TestApp, token: &str, body: Value) -> String {
    let (status, v) = app.post_json("/api/v1/statuses", Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn follow(app: &TestApp, token: &str, id: i64) {
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{id}/follow"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["following"], true, "{v}");
}

async fn ids(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    let (status, v) = app.get_json(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

async fn texts(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let (status, v) = app.get_json(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v.as_array().unwrap().clone()
}

/// alice follows bob and carol; dave is a stranger to her.
struct People {
    alice: String,
    bob: (i64, String),
    carol: (i64, String),
    dave: (i64, String),
}

async fn people(app: &TestApp) -> People {
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let bob = app.user_with_token("bob", "read write follow").await;
    let carol = app.user_with_token("carol", "read write follow").await;
    let dave = app.user_with_token("dave", "read write follow").await;
    follow(app, &alice, bob.0).await;
    follow(app, &alice, carol.0).await;
    People {
        alice,
        bob,
        carol,
        dave,
    }
}

async fn new_list(app: &TestApp, token: &str, body: Value) -> String {
    let (status, v) = app.post_json("/api/v1/lists", Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn add(app: &TestApp, token: &str, list: &str, account: i64) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/lists/{list}/accounts"),
        Some(token),
        &json!({"account_ids": [account.to_string()]}),
    )
    .await
}

#[tokio::test]
async fn lists_hold_followed_accounts_and_their_posts() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (bob, carol) = (p.bob.0, p.carol.0);

    // Bad input: Mastodon's 422 with the field.
    for bad in [
        json!({}),
        json!({"title": "  "}),
        json!({"title": "x", "replies_policy": "all"}),
    ] {
        let (status, v) = app.post_json("/api/v1/lists", Some(&p.alice), &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }
    let before = post(&app, &p.bob.1, json!({"status": "written before the list"})).await;
    let list = new_list(&app, &p.alice, json!({"title": "Camarades"})).await;
    let (_, v) = app
        .get_json(&format!("/api/v1/lists/{list}"), Some(&p.alice))
        .await;
    assert_eq!(v["title"], "Camarades");
    assert_eq!(v["replies_policy"], "list");
    assert_eq!(v["exclusive"], false);

    // Only accounts alice follows: dave is refused with a 422, an unknown account is a 404.
    let (status, v) = add(&app, &p.alice, &list, p.dave.0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (status, _) = add(&app, &p.alice, &list, 987_654_321).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = add(&app, &p.alice, &list, bob).await;
    assert_eq!(status, StatusCode::OK, "{v}");

    // Back-filled from her home timeline, then filled on write; carol's posts stay out.
    let after = post(&app, &p.bob.1, json!({"status": "written after"})).await;
    post(
        &app,
        &p.carol.1,
        json!({"status": "carol, not in the list"}),
    )
    .await;
    let timeline = format!("/api/v1/timelines/list/{list}");
    assert_eq!(
        ids(&app, &timeline, &p.alice).await,
        vec![after.clone(), before.clone()]
    );
    let res = app
        .get(&format!("{timeline}?limit=1"), Some(&p.alice))
        .await;
    let link = res.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains(&format!("max_id={after}")) && link.contains("rel=\"next\""),
        "{link}"
    );
    assert_eq!(
        ids(&app, &format!("{timeline}?max_id={after}"), &p.alice).await,
        vec![before.clone()]
    );

    // Members, and the lists holding an account.
    let members = ids(&app, &format!("/api/v1/lists/{list}/accounts"), &p.alice).await;
    assert_eq!(members, vec![bob.to_string()]);
    // Tusky asks for every member at once.
    let res = app
        .get(
            &format!("/api/v1/lists/{list}/accounts?limit=0"),
            Some(&p.alice),
        )
        .await;
    assert!(res.headers().get("link").is_none());
    let all: Value = res.json().await.unwrap();
    assert_eq!(all[0]["id"], bob.to_string());
    let holding = ids(&app, &format!("/api/v1/accounts/{bob}/lists"), &p.alice).await;
    assert_eq!(holding, vec![list.clone()]);
    assert!(
        ids(&app, &format!("/api/v1/accounts/{carol}/lists"), &p.alice)
            .await
            .is_empty()
    );

    // Someone else's list is not found, whatever is asked of it.
    let dave = &p.dave.1;
    for (method, path) in [
        (Method::GET, format!("/api/v1/lists/{list}")),
        (Method::PUT, format!("/api/v1/lists/{list}")),
        (Method::DELETE, format!("/api/v1/lists/{list}")),
        (Method::GET, format!("/api/v1/lists/{list}/accounts")),
        (Method::POST, format!("/api/v1/lists/{list}/accounts")),
        (Method::DELETE, format!("/api/v1/lists/{list}/accounts")),
        (Method::GET, format!("/api/v1/timelines/list/{list}")),
        (
            Method::GET,
            "/api/v1/timelines/list/not-a-number".to_string(),
        ),
    ] {
        let (status, v) = call(
            &app,
            method.clone(),
            &path,
            dave,
            json!({"title": "mine", "account_ids": [bob.to_string()]}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {v}");
        assert!(v["error"].is_string(), "{v}");
    }
    assert!(ids(&app, "/api/v1/lists", dave).await.is_empty());
    assert_eq!(ids(&app, &timeline, &p.alice).await.len(), 2, "untouched");

    // Renamed; a member taken out takes their posts along (a form body, as Mastodon.py sends).
    let (status, v) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/lists/{list}"),
        &p.alice,
        json!({"title": "Renamed", "exclusive": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["title"].as_str(), v["exclusive"].as_bool()),
        (Some("Renamed"), Some(true))
    );
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/lists/{list}/accounts")))
        .bearer_auth(&p.alice)
        .form(&[("account_ids[]", bob.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(ids(&app, &timeline, &p.alice).await.is_empty());
    assert!(
        ids(&app, &format!("/api/v1/lists/{list}/accounts"), &p.alice)
            .await
            .is_empty()
    );

    // An unfollow takes the account out of every list.
    add(&app, &p.alice, &list, bob).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob}/unfollow"),
            Some(&p.alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        ids(&app, &format!("/api/v1/lists/{list}/accounts"), &p.alice)
            .await
            .is_empty()
    );

    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/lists/{list}"),
        &p.alice,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_json(&timeline, Some(&p.alice)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn replies_policies_and_exclusive_lists_as_mastodon() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (bob, carol) = (p.bob.0, p.carol.0);
    let followed = new_list(
        &app,
        &p.alice,
        json!({"title": "f", "replies_policy": "followed"}),
    )
    .await;
    let members = new_list(
        &app,
        &p.alice,
        json!({"title": "l", "replies_policy": "list"}),
    )
    .await;
    let none = new_list(
        &app,
        &p.alice,
        json!({"title": "n", "replies_policy": "none", "exclusive": true}),
    )
    .await;
    for l in [&followed, &members, &none] {
        assert_eq!(add(&app, &p.alice, l, bob).await.0, StatusCode::OK);
    }
    let by_carol = post(&app, &p.carol.1, json!({"status": "carol asks"})).await;
    let by_dave = post(&app, &p.dave.1, json!({"status": "dave asks"})).await;
    let by_alice = post(&app, &p.alice, json!({"status": "alice asks"})).await;
    let to_carol = post(
        &app,
        &p.bob.1,
        json!({"status": "@carol answer", "in_reply_to_id": by_carol}),
    )
    .await;
    let to_dave = post(
        &app,
        &p.bob.1,
        json!({"status": "@dave answer", "in_reply_to_id": by_dave}),
    )
    .await;
    let to_alice = post(
        &app,
        &p.bob.1,
        json!({"status": "@alice answer", "in_reply_to_id": by_alice}),
    )
    .await;
    let plain = post(&app, &p.bob.1, json!({"status": "no answer"})).await;
    let self_reply = post(
        &app,
        &p.bob.1,
        json!({"status": "and more", "in_reply_to_id": plain}),
    )
    .await;
    let timeline = |l: &str| format!("/api/v1/timelines/list/{l}");
    // followed: answers to people alice follows (carol), to alice, to oneself; not to dave.
    assert_eq!(
        ids(&app, &timeline(&followed), &p.alice).await,
        vec![
            self_reply.clone(),
            plain.clone(),
            to_alice.clone(),
            to_carol.clone()
        ]
    );
    // list: answers to members only (carol is not one), then once she is, the next ones.
    assert_eq!(
        ids(&app, &timeline(&members), &p.alice).await,
        vec![self_reply.clone(), plain.clone(), to_alice.clone()]
    );
    // none: no answers to others, except to the list's owner.
    assert_eq!(
        ids(&app, &timeline(&none), &p.alice).await,
        vec![self_reply.clone(), plain.clone(), to_alice.clone()]
    );
    assert!(
        !ids(&app, &timeline(&none), &p.alice)
            .await
            .contains(&to_dave)
    );
    add(&app, &p.alice, &members, carol).await;
    let again = post(
        &app,
        &p.bob.1,
        json!({"status": "@carol again", "in_reply_to_id": by_carol}),
    )
    .await;
    assert_eq!(ids(&app, &timeline(&members), &p.alice).await[0], again);

    // The exclusive list keeps bob's posts out of alice's home timeline; carol's stay.
    let home = ids(&app, "/api/v1/timelines/home", &p.alice).await;
    assert!(
        home.contains(&by_carol) && home.contains(&by_alice),
        "{home:?}"
    );
    assert!(!home.contains(&plain) && !home.contains(&again), "{home:?}");
    // Not exclusive any more: they are back.
    call(
        &app,
        Method::PUT,
        &format!("/api/v1/lists/{none}"),
        &p.alice,
        json!({"exclusive": false}),
    )
    .await;
    assert!(
        ids(&app, "/api/v1/timelines/home", &p.alice)
            .await
            .contains(&plain)
    );
    app.stop().await;
}

/// The next SSE event whose data contains `marker`, or `None` after `wait`.
async fn sse_until(res: &mut reqwest::Response, marker: &str, wait: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut buf = String::new();
    loop {
        if let Some(i) = buf.find(marker) {
            return Some(buf[..i + marker.len()].to_string());
        }
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .ok()?
            .ok()??;
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_list_stream_is_its_owners_only() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let list = new_list(&app, &p.alice, json!({"title": "live"})).await;
    add(&app, &p.alice, &list, p.bob.0).await;
    // Someone else's list, an unknown one, a missing one: Mastodon's errors, before any stream.
    for (token, query, want) in [
        (&p.dave.1, format!("list={list}"), StatusCode::NOT_FOUND),
        (&p.alice, "list=12345".to_string(), StatusCode::NOT_FOUND),
        (&p.alice, "list=abc".to_string(), StatusCode::NOT_FOUND),
        (&p.alice, String::new(), StatusCode::BAD_REQUEST),
    ] {
        for path in [
            format!("/api/v1/streaming/list?{query}"),
            format!("/api/v1/streaming?stream=list&{query}"),
        ] {
            let res = app.get(&path, Some(token)).await;
            assert_eq!(res.status(), want, "{path}");
        }
    }
    let res = app
        .get(&format!("/api/v1/streaming/list?list={list}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Filters apply on streams as in timelines (those in force when the stream opens):
    // hidden, or marked.
    for (title, keyword, action) in [("h", "interdit", "hide"), ("w", "attention", "warn")] {
        let (status, v) = app
            .post_json(
                "/api/v2/filters",
                Some(&p.alice),
                &json!({"title": title, "context": ["home"], "filter_action": action,
                        "keywords_attributes": [{"keyword": keyword}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let mut stream = app
        .get(
            &format!("/api/v1/streaming/list?list={list}"),
            Some(&p.alice),
        )
        .await;
    assert_eq!(stream.status(), StatusCode::OK);
    // Carol's post is not in the list; bob's are, the last after them.
    post(&app, &p.carol.1, json!({"status": "carol-out-of-list"})).await;
    post(&app, &p.bob.1, json!({"status": "interdit hidden-marker"})).await;
    post(&app, &p.bob.1, json!({"status": "attention warned-marker"})).await;
    post(&app, &p.bob.1, json!({"status": "bob-in-the-list"})).await;
    let seen = sse_until(&mut stream, "bob-in-the-list", Duration::from_secs(15))
        .await
        .expect("bob's post on the list stream");
    assert!(seen.contains("event: update"), "{seen}");
    assert!(!seen.contains("carol-out-of-list"), "{seen}");
    assert!(!seen.contains("hidden-marker"), "{seen}");
    let warned = seen
        .lines()
        .find(|l| l.contains("warned-marker"))
        .expect("the warned post");
    let warned: Value = serde_json::from_str(warned.trim_start_matches("data:").trim()).unwrap();
    assert_eq!(
        warned["filtered"][0]["keyword_matches"],
        json!(["attention"]),
        "{warned}"
    );
    assert_eq!(warned["filtered"][0]["filter"]["filter_action"], "warn");
    app.stop().await;
}

#[tokio::test]
async fn mutes_hide_posts_boosts_and_notifications_until_they_end() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (bob, carol) = (p.bob.0, p.carol.0);
    let list = new_list(&app, &p.alice, json!({"title": "all"})).await;
    add(&app, &p.alice, &list, carol).await;
    let older = post(
        &app,
        &p.carol.1,
        json!({"status": "carol before the mute #tag"}),
    )
    .await;

    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{carol}/mute"),
            Some(&p.alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["muting"].as_bool(), v["muting_notifications"].as_bool()),
        (Some(true), Some(true))
    );
    let (status, v) = app
        .post_json("/api/v1/accounts/0/mute", Some(&p.alice), &json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&p.alice))
        .await;
    let alice = me["id"].as_str().unwrap().to_string();
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{alice}/mute"),
            Some(&p.alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{bob}/mute"),
            Some(&p.alice),
            &json!({"duration": "soon"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    let muted = post(
        &app,
        &p.carol.1,
        json!({"status": "@alice carol while muted #tag"}),
    )
    .await;
    // bob boosts carol: the boost leaves alice's home timeline too.
    let (status, boost) = app
        .post_json(
            &format!("/api/v1/statuses/{older}/reblog"),
            Some(&p.bob.1),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{boost}");
    let kept = post(&app, &p.bob.1, json!({"status": "bob is not muted"})).await;
    let home = ids(&app, "/api/v1/timelines/home", &p.alice).await;
    assert_eq!(home, vec![kept.clone()], "{home:?}");
    assert!(
        ids(&app, &format!("/api/v1/timelines/list/{list}"), &p.alice)
            .await
            .is_empty()
    );
    assert!(
        !ids(&app, "/api/v1/timelines/public", &p.alice)
            .await
            .contains(&muted)
    );
    assert!(
        !ids(&app, "/api/v1/timelines/tag/tag", &p.alice)
            .await
            .contains(&muted)
    );
    assert!(
        ids(&app, "/api/v1/timelines/public", &p.dave.1)
            .await
            .contains(&muted)
    );
    // Muted with notifications: the mention made no notification.
    let notes = texts(&app, "/api/v1/notifications", &p.alice).await;
    assert!(notes.iter().all(|n| !by(n, carol)), "{notes:?}");

    // The inbox's batch path notifies through the same check.
    {
        let mut conn = app.state.pool().acquire().await.unwrap();
        let (_, me) = app
            .get_json("/api/v1/accounts/verify_credentials", Some(&p.alice))
            .await;
        let alice_id: i64 = me["id"].as_str().unwrap().parse().unwrap();
        let kind = coopol::domain::NotificationKind::Follow;
        coopol::db::social::notify_many(
            &mut conn,
            &[
                (alice_id, carol, kind, None),
                (alice_id, p.dave.0, kind, None),
            ],
            coopol::clock::now(),
        )
        .await
        .unwrap();
    }
    let notes = texts(&app, "/api/v1/notifications", &p.alice).await;
    assert!(notes.iter().any(|n| by(n, p.dave.0)), "{notes:?}");
    assert!(notes.iter().all(|n| !by(n, carol)), "{notes:?}");

    // The mutes list, with the end of each.
    let (status, v) = app.get_json("/api/v1/mutes", Some(&p.alice)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v[0]["id"], carol.to_string());
    assert_eq!(v[0]["mute_expires_at"], Value::Null);

    // Without notifications: a mention notifies again.
    app.post_json(
        &format!("/api/v1/accounts/{carol}/mute"),
        Some(&p.alice),
        &json!({"notifications": false}),
    )
    .await;
    let (_, v) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={carol}"),
            Some(&p.alice),
        )
        .await;
    assert_eq!(
        (
            v[0]["muting"].as_bool(),
            v[0]["muting_notifications"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let mention = post(&app, &p.carol.1, json!({"status": "@alice second mention"})).await;
    common::eventually("the mention notified", || async {
        texts(&app, "/api/v1/notifications", &p.alice)
            .await
            .iter()
            .any(|n| n["status"]["id"] == mention.as_str())
    })
    .await;

    // A mute for a second: gone when it ends, and the chore removes it.
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{carol}/mute"),
            Some(&p.alice),
            &json!({"duration": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, v) = app.get_json("/api/v1/mutes", Some(&p.alice)).await;
    assert!(v[0]["mute_expires_at"].is_string(), "{v}");
    assert!(
        !ids(&app, "/api/v1/timelines/home", &p.alice)
            .await
            .contains(&muted)
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let home = ids(&app, "/api/v1/timelines/home", &p.alice).await;
    assert!(home.contains(&muted) && home.contains(&older), "{home:?}");
    assert!(ids(&app, "/api/v1/mutes", &p.alice).await.is_empty());
    let (_, v) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={carol}"),
            Some(&p.alice),
        )
        .await;
    assert_eq!(v[0]["muting"], false);
    let (removed, _) = coopol::service::mutes::chores(&app.state, coopol::clock::now())
        .await
        .unwrap();
    assert_eq!(removed, 1);

    // Unmute.
    app.post_json(
        &format!("/api/v1/accounts/{carol}/mute"),
        Some(&p.alice),
        &json!({}),
    )
    .await;
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{carol}/unmute"),
            Some(&p.alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["muting"], false);
    assert!(
        ids(&app, "/api/v1/timelines/home", &p.alice)
            .await
            .contains(&muted)
    );
    app.stop().await;
}

/// Whether a notification is from the account `id`.
fn by(n: &Value, id: i64) -> bool {
    n["account"]["id"]
        .as_str()
        .and_then(|s| s.parse::<i64>().ok())
        == Some(id)
}

async fn new_filter(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, v) = app.post_json("/api/v2/filters", Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{body}: {v}");
    v
}

#[tokio::test]
async fn filters_warn_hide_and_expire_with_whole_words() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let cat = post(&app, &p.bob.1, json!({"status": "Un CHAT noir"})).await;
    let castle = post(&app, &p.bob.1, json!({"status": "un chaton"})).await;
    let warned = post(
        &app,
        &p.bob.1,
        json!({"status": "rien", "spoiler_text": "attention chat"}),
    )
    .await;
    let boring = post(&app, &p.carol.1, json!({"status": "réunion ennuyeuse"})).await;

    let f = new_filter(
        &app,
        &p.alice,
        json!({
            "title": "Chats", "context": ["home", "thread"], "filter_action": "warn",
            "keywords_attributes": [{"keyword": "chat", "whole_word": true}],
        }),
    )
    .await;
    assert_eq!(f["context"], json!(["home", "thread"]));
    assert_eq!(f["keywords"][0]["keyword"], "chat");
    assert_eq!(f["keywords"][0]["whole_word"], true);
    assert_eq!(f["statuses"], json!([]));
    let filter = f["id"].as_str().unwrap().to_string();
    // Form-encoded, as Tusky sends it.
    let (status, hide) = app
        .post_form(
            "/api/v2/filters",
            Some(&p.alice),
            &[
                ("title", "Ennui"),
                ("context[]", "home"),
                ("filter_action", "hide"),
                ("keywords_attributes[0][keyword]", "ennuyeuse"),
                ("keywords_attributes[0][whole_word]", "false"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{hide}");

    let home = texts(&app, "/api/v1/timelines/home", &p.alice).await;
    let by_id = |id: &str| home.iter().find(|s| s["id"] == id).cloned();
    let c = by_id(&cat).expect("warned, not hidden");
    assert_eq!(c["filtered"][0]["filter"]["id"], filter.as_str());
    assert_eq!(c["filtered"][0]["filter"]["title"], "Chats");
    assert_eq!(c["filtered"][0]["keyword_matches"], json!(["CHAT"]));
    assert!(c["filtered"][0]["filter"].get("keywords").is_none());
    assert_eq!(
        by_id(&castle).unwrap()["filtered"],
        json!([]),
        "a chaton is no whole-word chat"
    );
    assert_eq!(
        by_id(&warned).unwrap()["filtered"][0]["keyword_matches"],
        json!(["chat"])
    );
    assert!(by_id(&boring).is_none(), "hidden");
    // Not in the public context: nothing filtered there.
    let public = texts(&app, "/api/v1/timelines/public", &p.alice).await;
    assert!(public.iter().all(|s| s["filtered"] == json!([])));
    assert!(public.iter().any(|s| s["id"] == boring.as_str()));
    // The thread context.
    let reply = post(
        &app,
        &p.carol.1,
        json!({"status": "@bob mon chat aussi", "in_reply_to_id": castle}),
    )
    .await;
    let (_, ctx) = app
        .get_json(
            &format!("/api/v1/statuses/{castle}/context"),
            Some(&p.alice),
        )
        .await;
    assert_eq!(ctx["descendants"][0]["id"], reply.as_str());
    assert_eq!(
        ctx["descendants"][0]["filtered"][0]["keyword_matches"],
        json!(["chat"])
    );

    // A post filtered by id.
    let (status, fs) = app
        .post_json(
            &format!("/api/v2/filters/{filter}/statuses"),
            Some(&p.alice),
            &json!({"status_id": castle}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fs}");
    let (status, v) = app
        .post_json(
            &format!("/api/v2/filters/{filter}/statuses"),
            Some(&p.alice),
            &json!({"status_id": castle}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already there: {v}"
    );
    let home = texts(&app, "/api/v1/timelines/home", &p.alice).await;
    let c = home.iter().find(|s| s["id"] == castle.as_str()).unwrap();
    assert_eq!(c["filtered"][0]["status_matches"], json!([castle]));
    let fs_id = fs["id"].as_str().unwrap();
    for path in [
        format!("/api/v2/filters/statuses/{fs_id}"),
        format!("/api/v2/filter_statuses/{fs_id}"),
    ] {
        let (status, v) = app.get_json(&path, Some(&p.alice)).await;
        assert_eq!(
            (status, v["status_id"].as_str()),
            (StatusCode::OK, Some(castle.as_str()))
        );
    }
    assert_eq!(
        texts(
            &app,
            &format!("/api/v2/filters/{filter}/statuses"),
            &p.alice
        )
        .await
        .len(),
        1
    );

    // Keywords: listed, added, changed, removed.
    let (status, k) = app
        .post_json(
            &format!("/api/v2/filters/{filter}/keywords"),
            Some(&p.alice),
            &json!({"keyword": "château", "whole_word": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{k}");
    let k_id = k["id"].as_str().unwrap().to_string();
    assert_eq!(
        texts(
            &app,
            &format!("/api/v2/filters/{filter}/keywords"),
            &p.alice
        )
        .await
        .len(),
        2
    );
    let (status, v) = call(
        &app,
        Method::PUT,
        &format!("/api/v2/filter_keywords/{k_id}"),
        &p.alice,
        json!({"keyword": "noir"}),
    )
    .await;
    assert_eq!(
        (status, v["keyword"].as_str()),
        (StatusCode::OK, Some("noir")),
        "{v}"
    );
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v2/filters/keywords/{k_id}"),
        &p.alice,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get_json(&format!("/api/v2/filters/keywords/{k_id}"), Some(&p.alice))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // keywords_attributes in an update: change, add, destroy.
    let first = f["keywords"][0]["id"].as_str().unwrap();
    let (status, v) = call(
        &app,
        Method::PUT,
        &format!("/api/v2/filters/{filter}"),
        &p.alice,
        json!({
            "title": "Félins", "keywords_attributes": [
                {"id": first, "_destroy": true}, {"keyword": "félin", "whole_word": false}],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["title"], "Félins");
    assert_eq!(v["keywords"].as_array().unwrap().len(), 1);
    assert_eq!(v["keywords"][0]["keyword"], "félin");

    // Bad input: 422, nothing kept.
    for bad in [
        json!({"context": ["home"]}),
        json!({"title": "", "context": ["home"]}),
        json!({"title": "x"}),
        json!({"title": "x", "context": ["everywhere"]}),
        json!({"title": "x", "context": ["home"], "filter_action": "explode"}),
        json!({"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": " "}]}),
        json!({"title": "x", "context": ["home"], "keywords_attributes": [{"whole_word": true}]}),
        json!({"title": "x", "context": ["home"], "expires_in": "tomorrow"}),
        json!({"title": "x", "context": ["home"], "keywords_attributes": "chat"}),
    ] {
        let (status, v) = app.post_json("/api/v2/filters", Some(&p.alice), &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }
    let (status, v) = app
        .post_json(
            &format!("/api/v2/filters/{filter}/keywords"),
            Some(&p.alice),
            &json!({"keyword": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(texts(&app, "/api/v2/filters", &p.alice).await.len(), 2);

    // Someone else's filter, keyword and post are not found.
    let dave = &p.dave.1;
    let kw = v_keyword(&app, &p.alice, &filter).await;
    for (method, path) in [
        (Method::GET, format!("/api/v2/filters/{filter}")),
        (Method::PUT, format!("/api/v2/filters/{filter}")),
        (Method::DELETE, format!("/api/v2/filters/{filter}")),
        (Method::GET, format!("/api/v2/filters/{filter}/keywords")),
        (Method::POST, format!("/api/v2/filters/{filter}/keywords")),
        (Method::GET, format!("/api/v2/filters/keywords/{kw}")),
        (Method::PUT, format!("/api/v2/filter_keywords/{kw}")),
        (Method::DELETE, format!("/api/v2/filter_keywords/{kw}")),
        (Method::GET, format!("/api/v2/filters/{filter}/statuses")),
        (Method::POST, format!("/api/v2/filters/{filter}/statuses")),
        (Method::GET, format!("/api/v2/filter_statuses/{fs_id}")),
        (Method::DELETE, format!("/api/v2/filters/statuses/{fs_id}")),
        (Method::GET, format!("/api/v1/filters/{kw}")),
        (Method::PUT, format!("/api/v1/filters/{kw}")),
        (Method::DELETE, format!("/api/v1/filters/{kw}")),
    ] {
        let (status, v) = call(
            &app,
            method.clone(),
            &path,
            dave,
            json!({"title": "t", "keyword": "k", "phrase": "p", "status_id": castle}),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {v}");
    }
    assert!(texts(&app, "/api/v2/filters", dave).await.is_empty());

    // An expired filter applies no more (its end moved into the past), and is still listed.
    sqlx::query("UPDATE filters SET expires_at = 1")
        .execute(app.state.pool())
        .await
        .unwrap();
    let home = texts(&app, "/api/v1/timelines/home", &p.alice).await;
    assert!(home.iter().all(|s| s["filtered"] == json!([])));
    assert!(home.iter().any(|s| s["id"] == boring.as_str()));
    assert_eq!(texts(&app, "/api/v2/filters", &p.alice).await.len(), 2);
    // expires_in sets an end.
    let (status, v) = call(
        &app,
        Method::PUT,
        &format!("/api/v2/filters/{filter}"),
        &p.alice,
        json!({"expires_in": 3600}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["expires_at"].is_string(), "{v}");
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v2/filters/{filter}"),
        &p.alice,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get_json(&format!("/api/v2/filters/{filter}"), Some(&p.alice))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn v_keyword(app: &TestApp, token: &str, filter: &str) -> String {
    texts(app, &format!("/api/v2/filters/{filter}/keywords"), token).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn v1_filters_are_one_keyword_each() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let (status, v) = app
        .post_json(
            "/api/v1/filters",
            Some(&p.alice),
            &json!({"context": ["home"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no phrase: {v}");
    let (status, v) = app.post_json("/api/v1/filters", Some(&p.alice), &json!({"phrase": "grève", "context": ["public"], "irreversible": false, "whole_word": true})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(
        (
            v["phrase"].as_str(),
            v["irreversible"].as_bool(),
            v["whole_word"].as_bool()
        ),
        (Some("grève"), Some(false), Some(true))
    );
    assert_eq!(v["context"], json!(["public"]));
    // The v2 side: a filter named after the phrase, holding it.
    let v2 = texts(&app, "/api/v2/filters", &p.alice).await;
    assert_eq!(v2[0]["title"], "grève");
    assert_eq!(v2[0]["keywords"][0]["id"], id.as_str());
    let (status, v) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/filters/{id}"),
        &p.alice,
        json!({"phrase": "manif", "irreversible": true, "context": ["home", "public"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["phrase"].as_str(), v["irreversible"].as_bool()),
        (Some("manif"), Some(true))
    );
    let post_id = post(&app, &p.bob.1, json!({"status": "une manif demain"})).await;
    assert!(
        !ids(&app, "/api/v1/timelines/home", &p.alice)
            .await
            .contains(&post_id),
        "hidden"
    );
    assert_eq!(texts(&app, "/api/v1/filters", &p.alice).await.len(), 1);
    let (status, _) = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/filters/{id}"),
        &p.alice,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&app, "/api/v1/filters", &p.alice).await.is_empty());
    assert!(
        texts(&app, "/api/v2/filters", &p.alice).await.is_empty(),
        "nothing left in it"
    );
    assert!(
        ids(&app, "/api/v1/timelines/home", &p.alice)
            .await
            .contains(&post_id)
    );
    app.stop().await;
}
