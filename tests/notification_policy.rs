//! Mastodon 4.3's notification policy and requests, as Phanpy, Elk and Ice Cubes call them:
//! the policy in v2's and v1's shapes, each field accepting, filtering or dropping, requests
//! listed (paged, Link headers), read, accepted (their notifications join the list and the
//! sender is accepted from then on), dismissed, in bulk, `merged`; someone else's request is
//! 404; bad values are 422 in Mastodon's shape; a filtered notification is in no list or
//! count, and never queued for e-mail or push; organizers' kinds are never filtered.

mod common;
#[path = "common/mail.rs"]
#[allow(dead_code)]
mod mail_sink;

use aes_gcm::aead::{OsRng, rand_core::RngCore};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{TestApp, make_follow, spawn_app, spawn_app_with};
use coopol::domain::{FollowState, NotificationKind};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const DAY: i64 = 24 * 3_600_000_000;

async fn user(app: &TestApp, name: &str) -> (i64, String) {
    app.user_with_token(name, "read write follow push").await
}

/// `GET path`: (status, body, Link header).
async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value, Option<String>) {
    let res = app.get(path, Some(token)).await;
    let status = res.status();
    let link = res
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap_or(Value::Null), link)
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let res = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("accept-language", "en")
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn patch_policy(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, body) = send(
        app,
        reqwest::Method::PATCH,
        token,
        "/api/v2/notifications/policy",
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn mention(app: &TestApp, token: &str, whom: &str, visibility: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": format!("@{whom} hello"), "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The senders' ids of the v1 list (with `include_filtered` if asked).
async fn v1_senders(app: &TestApp, token: &str, include_filtered: bool) -> Vec<String> {
    let path = if include_filtered {
        "/api/v1/notifications?include_filtered=true"
    } else {
        "/api/v1/notifications"
    };
    let (status, body, _) = get(app, token, path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|n| n["account"]["id"].as_str().unwrap().to_string())
        .collect()
}

async fn v2_count(app: &TestApp, token: &str, include_filtered: bool) -> usize {
    let path = format!("/api/v2/notifications?include_filtered={include_filtered}");
    let (status, body, _) = get(app, token, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["notification_groups"].as_array().unwrap().len()
}

async fn unread(app: &TestApp, token: &str) -> (i64, i64) {
    let (_, v1, _) = get(app, token, "/api/v1/notifications/unread_count").await;
    let (_, v2, _) = get(app, token, "/api/v2/notifications/unread_count").await;
    (v1["count"].as_i64().unwrap(), v2["count"].as_i64().unwrap())
}

async fn summary(app: &TestApp, token: &str) -> (i64, i64) {
    let (status, body, _) = get(app, token, "/api/v2/notifications/policy").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["summary"]["pending_requests_count"].as_i64().unwrap(),
        body["summary"]["pending_notifications_count"]
            .as_i64()
            .unwrap(),
    )
}

async fn requests(app: &TestApp, token: &str, query: &str) -> (Vec<Value>, Option<String>) {
    let (status, body, link) = get(
        app,
        token,
        &format!("/api/v1/notifications/requests{query}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (body.as_array().unwrap().clone(), link)
}

/// Every notification row of a person (filtered or not), from the database.
async fn stored(app: &TestApp, account: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE account_id = $1")
        .bind(account)
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

/// Makes an account old (created `days` ago).
async fn age(app: &TestApp, account: i64, days: i64) {
    sqlx::query("UPDATE accounts SET created_at = $1 WHERE id = $2")
        .bind(coopol::clock::now() - days * DAY)
        .bind(account)
        .execute(app.state.pool())
        .await
        .unwrap();
}

/// `follower` follows `target`, since `days` ago.
async fn follow_since(app: &TestApp, follower: i64, target: i64, days: i64) {
    make_follow(
        app,
        follower,
        target,
        &format!("{}/follows/{follower}-{target}", app.base),
        FollowState::Accepted,
    )
    .await;
    sqlx::query(
        "UPDATE follows SET created_at = $1 WHERE account_id = $2 AND target_account_id = $3",
    )
    .bind(coopol::clock::now() - days * DAY)
    .bind(follower)
    .bind(target)
    .execute(app.state.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn the_policy_has_mastodons_defaults_shapes_and_refusals() {
    let app = spawn_app().await;
    let (_, alice) = user(&app, "alice").await;
    let (status, v2, _) = get(&app, &alice, "/api/v2/notifications/policy").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v2,
        json!({
            "for_not_following": "accept",
            "for_not_followers": "accept",
            "for_new_accounts": "accept",
            "for_private_mentions": "filter",
            "for_limited_accounts": "filter",
            "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
        })
    );
    let (_, v1, _) = get(&app, &alice, "/api/v1/notifications/policy").await;
    assert_eq!(
        v1,
        json!({
            "filter_not_following": false,
            "filter_not_followers": false,
            "filter_new_accounts": false,
            "filter_private_mentions": true,
            "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
        })
    );

    // v2: only the fields given change.
    let after = patch_policy(&app, &alice, json!({"for_not_following": "drop"})).await;
    assert_eq!(after["for_not_following"], "drop");
    assert_eq!(after["for_private_mentions"], "filter");
    // As a form, as Mastodon.py and Elk send it.
    let res = app
        .client
        .patch(app.url("/api/v2/notifications/policy"))
        .bearer_auth(&alice)
        .form(&[("for_not_followers", "filter")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, v1, _) = get(&app, &alice, "/api/v1/notifications/policy").await;
    assert_eq!(v1["filter_not_following"], true, "drop is filtering in v1");
    assert_eq!(v1["filter_not_followers"], true);

    // v1: booleans, mapped to filter / accept; absent ones stay.
    let (status, v1) = send(
        &app,
        reqwest::Method::PUT,
        &alice,
        "/api/v1/notifications/policy",
        &json!({"filter_new_accounts": true, "filter_private_mentions": "false"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v1}");
    assert_eq!(v1["filter_new_accounts"], true);
    assert_eq!(v1["filter_private_mentions"], false);
    let (_, v2, _) = get(&app, &alice, "/api/v2/notifications/policy").await;
    assert_eq!(v2["for_new_accounts"], "filter");
    assert_eq!(v2["for_private_mentions"], "accept");
    assert_eq!(v2["for_not_following"], "drop", "v1 left it as it was");

    // Bad values: 422 naming the field, in Mastodon's shape; nothing is changed, not even
    // the good field given with a bad one.
    for bad in [
        json!({"for_not_following": "maybe"}),
        json!({"for_not_following": "Accept"}),
        json!({"for_not_following": ""}),
        json!({"for_new_accounts": 2}),
        json!({"for_new_accounts": ["drop"]}),
        json!({"for_limited_accounts": {"drop": true}}),
        json!({"for_not_followers": "accept", "for_private_mentions": "drop'; --"}),
    ] {
        let (status, body) = send(
            &app,
            reqwest::Method::PATCH,
            &alice,
            "/api/v2/notifications/policy",
            &bad,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["error"].as_str().unwrap().contains("for_"), "{body}");
    }
    for bad in [
        json!({"filter_not_following": "perhaps"}),
        json!({"filter_not_followers": 7}),
        json!({"filter_new_accounts": [true]}),
    ] {
        let (status, body) = send(
            &app,
            reqwest::Method::PUT,
            &alice,
            "/api/v1/notifications/policy",
            &bad,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let (_, same, _) = get(&app, &alice, "/api/v2/notifications/policy").await;
    assert_eq!(same, v2, "refused changes left the policy as it was");
    // French first.
    let res = app
        .client
        .patch(app.url("/api/v2/notifications/policy"))
        .bearer_auth(&alice)
        .header("accept-language", "fr")
        .json(&json!({"for_not_following": "maybe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("doit valoir"),
        "{body}"
    );

    // Without a token, or without the scope.
    let (status, _) = app.get_json("/api/v2/notifications/policy", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, reader) = app.user_with_token("reader", "read").await;
    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        &reader,
        "/api/v2/notifications/policy",
        &json!({"for_not_following": "drop"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

/// What became of a mention from `sender` to `recipient` under the policy.
#[derive(Debug, PartialEq, Eq)]
enum Fate {
    Listed,
    Filtered,
    Dropped,
}

async fn fate(app: &TestApp, token: &str, sender: i64) -> Fate {
    let sender = sender.to_string();
    let listed = v1_senders(app, token, false).await.contains(&sender);
    let all = v1_senders(app, token, true).await.contains(&sender);
    let (reqs, _) = requests(app, token, "").await;
    let requested = reqs.iter().any(|r| r["account"]["id"] == sender.as_str());
    match (listed, all, requested) {
        (true, true, false) => Fate::Listed,
        (false, true, true) => Fate::Filtered,
        (false, false, false) => Fate::Dropped,
        other => panic!("inconsistent: listed, with filtered, requested = {other:?}"),
    }
}

#[tokio::test]
async fn each_field_accepts_filters_or_drops_and_spares_the_others() {
    let app = spawn_app().await;
    for (n, action) in ["accept", "filter", "drop"].into_iter().enumerate() {
        let expected = match action {
            "accept" => Fate::Listed,
            "filter" => Fate::Filtered,
            _ => Fate::Dropped,
        };
        // for_not_following: a stranger is subject to it, someone followed is not.
        let (r, rt) = user(&app, &format!("r{n}a")).await;
        let (s, st) = user(&app, &format!("s{n}a")).await;
        let (c, ct) = user(&app, &format!("c{n}a")).await;
        follow_since(&app, r, c, 10).await;
        patch_policy(&app, &rt, json!({"for_not_following": action})).await;
        mention(&app, &st, &format!("r{n}a"), "public").await;
        mention(&app, &ct, &format!("r{n}a"), "public").await;
        assert_eq!(fate(&app, &rt, s).await, expected, "not_following {action}");
        assert_eq!(fate(&app, &rt, c).await, Fate::Listed, "followed");
        if expected == Fate::Dropped {
            assert_eq!(
                stored(&app, r).await,
                1,
                "only the followed one's is stored"
            );
        }

        // for_not_followers: someone following for a day is not yet a follower (Mastodon:
        // three days); one following for a week is.
        let (r, rt) = user(&app, &format!("r{n}b")).await;
        let (s, st) = user(&app, &format!("s{n}b")).await;
        let (c, ct) = user(&app, &format!("c{n}b")).await;
        follow_since(&app, s, r, 1).await;
        follow_since(&app, c, r, 7).await;
        patch_policy(&app, &rt, json!({"for_not_followers": action})).await;
        mention(&app, &st, &format!("r{n}b"), "public").await;
        mention(&app, &ct, &format!("r{n}b"), "public").await;
        assert_eq!(fate(&app, &rt, s).await, expected, "not_followers {action}");
        assert_eq!(fate(&app, &rt, c).await, Fate::Listed, "a follower");

        // for_new_accounts: an account of a week is new; one of two months is not.
        let (_, rt) = user(&app, &format!("r{n}c")).await;
        let (s, st) = user(&app, &format!("s{n}c")).await;
        let (c, ct) = user(&app, &format!("c{n}c")).await;
        age(&app, s, 7).await;
        age(&app, c, 60).await;
        patch_policy(&app, &rt, json!({"for_new_accounts": action})).await;
        mention(&app, &st, &format!("r{n}c"), "public").await;
        mention(&app, &ct, &format!("r{n}c"), "public").await;
        assert_eq!(fate(&app, &rt, s).await, expected, "new_accounts {action}");
        assert_eq!(fate(&app, &rt, c).await, Fate::Listed, "an old account");

        // for_private_mentions: a stranger's direct mention is subject to it; their public
        // one is not, nor a direct one from someone followed.
        let (r, rt) = user(&app, &format!("r{n}d")).await;
        let (s, st) = user(&app, &format!("s{n}d")).await;
        let (p, pt) = user(&app, &format!("p{n}d")).await;
        let (c, ct) = user(&app, &format!("c{n}d")).await;
        follow_since(&app, r, c, 10).await;
        patch_policy(&app, &rt, json!({"for_private_mentions": action})).await;
        mention(&app, &st, &format!("r{n}d"), "direct").await;
        mention(&app, &pt, &format!("r{n}d"), "public").await;
        mention(&app, &ct, &format!("r{n}d"), "direct").await;
        assert_eq!(
            fate(&app, &rt, s).await,
            expected,
            "private_mentions {action}"
        );
        assert_eq!(fate(&app, &rt, p).await, Fate::Listed, "a public mention");
        assert_eq!(fate(&app, &rt, c).await, Fate::Listed, "someone followed");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_direct_answer_to_ones_own_mention_is_not_filtered_by_default() {
    let app = spawn_app().await;
    let (_, rt) = user(&app, "rita").await;
    let (s, st) = user(&app, "sam").await;
    let (_, ot) = user(&app, "olga").await;
    // Rita writes to Sam directly; Sam answers directly: not filtered (Mastodon's
    // "response to recipient"), although Rita does not follow Sam.
    let asked = mention(&app, &rt, "sam", "direct").await;
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            Some(&st),
            &json!({"status": "@rita yes", "visibility": "direct", "in_reply_to_id": asked["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fate(&app, &rt, s).await, Fate::Listed);
    // Olga answering a public post of Rita's directly was not mentioned in it: filtered (the
    // default).
    let (status, public) = app
        .post_json(
            "/api/v1/statuses",
            Some(&rt),
            &json!({"status": "open to all", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(&ot),
            &json!({"status": "@rita me too", "visibility": "direct", "in_reply_to_id": public["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(summary(&app, &rt).await, (1, 1));
    app.stop().await;
}

#[tokio::test]
async fn requests_are_listed_read_accepted_dismissed_and_private() {
    let app = spawn_app().await;
    let (r, rt) = user(&app, "rose").await;
    patch_policy(&app, &rt, json!({"for_not_following": "filter"})).await;
    let mut senders = Vec::new();
    for name in ["s1", "s2", "s3", "s4", "s5"] {
        senders.push(user(&app, name).await);
    }
    // s1 mentions twice and likes Rose's post; the others once each.
    let (status, own) = app
        .post_json(
            "/api/v1/statuses",
            Some(&rt),
            &json!({"status": "hello all"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    mention(&app, &senders[0].1, "rose", "public").await;
    mention(&app, &senders[0].1, "rose", "public").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{}/favourite", own["id"].as_str().unwrap()),
            Some(&senders[0].1),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (_, t) in &senders[1..] {
        mention(&app, t, "rose", "public").await;
    }
    // Nothing in the lists or counts; all in the summary.
    assert!(v1_senders(&app, &rt, false).await.is_empty());
    assert_eq!(v1_senders(&app, &rt, true).await.len(), 7);
    assert_eq!(v2_count(&app, &rt, false).await, 0);
    assert!(v2_count(&app, &rt, true).await >= 5);
    assert_eq!(unread(&app, &rt).await, (0, 0));
    assert_eq!(summary(&app, &rt).await, (5, 7));

    // Listed newest first, paged with Link headers.
    let (page, link) = requests(&app, &rt, "?limit=2").await;
    let ids: Vec<String> = page
        .iter()
        .map(|r| r["account"]["id"].as_str().unwrap().into())
        .collect();
    assert_eq!(
        ids,
        vec![senders[4].0.to_string(), senders[3].0.to_string()]
    );
    let link = link.expect("a Link header");
    assert!(
        link.contains("rel=\"next\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
    assert!(
        link.starts_with(&format!("<{}/api/v1/notifications/requests?", app.base)),
        "{link}"
    );
    let next = common::query_of(
        link.split(',')
            .find(|p| p.contains("rel=\"next\""))
            .unwrap()
            .trim()
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap(),
    )["max_id"]
        .clone();
    let (rest, _) = requests(&app, &rt, &format!("?limit=10&max_id={next}")).await;
    assert_eq!(rest.len(), 3);
    assert_eq!(rest[2]["account"]["id"], senders[0].0.to_string());
    let (newer, _) = requests(
        &app,
        &rt,
        &format!("?min_id={}", rest[0]["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(newer.len(), 2);
    let (status, body, _) = get(&app, &rt, "/api/v1/notifications/requests?limit=x").await;
    assert!(status.is_client_error(), "{body}");

    // One request, in Mastodon's shape.
    let first = &rest[2];
    let (status, one, _) = get(
        &app,
        &rt,
        &format!(
            "/api/v1/notifications/requests/{}",
            first["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one, first);
    assert_eq!(one["notifications_count"], "3");
    // The newest of its notifications about a post is the like of Rose's own post.
    assert_eq!(one["last_status"]["id"], own["id"]);
    assert_eq!(one["account"]["username"], "s1");
    assert!(one["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(one["updated_at"].as_str().unwrap() >= one["created_at"].as_str().unwrap());

    // Someone else's request: 404 everywhere, and nothing moves.
    let (_, et) = user(&app, "eve").await;
    let rid = first["id"].as_str().unwrap().to_string();
    for path in [
        format!("/api/v1/notifications/requests/{rid}"),
        "/api/v1/notifications/requests/999999999".to_string(),
        "/api/v1/notifications/requests/abc".to_string(),
    ] {
        let (status, body, _) = get(&app, &et, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body["error"].is_string(), "{body}");
    }
    for action in ["accept", "dismiss"] {
        let (status, body) = app
            .post_json(
                &format!("/api/v1/notifications/requests/{rid}/{action}"),
                Some(&et),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        // In bulk, ids that are not the person's are ignored, as Mastodon does.
        let (status, _) = app
            .post_json(
                &format!("/api/v1/notifications/requests/{action}"),
                Some(&et),
                &json!({"id": [rid]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(summary(&app, &rt).await, (5, 7));

    // Accepting s1's: its three notifications join the list (and counts), the request is
    // gone, and s1 is accepted from now on.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/notifications/requests/{rid}/accept"),
            Some(&rt),
            &json!({}),
        )
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let s1 = senders[0].0.to_string();
    assert_eq!(v1_senders(&app, &rt, false).await, vec![s1.clone(); 3]);
    assert_eq!(unread(&app, &rt).await.0, 3);
    assert_eq!(summary(&app, &rt).await, (4, 4));
    let (status, _, _) = get(&app, &rt, &format!("/api/v1/notifications/requests/{rid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    mention(&app, &senders[0].1, "rose", "public").await;
    assert_eq!(v1_senders(&app, &rt, false).await.len(), 4);
    assert_eq!(summary(&app, &rt).await, (4, 4));
    let (_, merged, _) = get(&app, &rt, "/api/v1/notifications/requests/merged").await;
    assert_eq!(merged, json!({"merged": true}));

    // Dismissing s2's: its notification is gone, even with include_filtered.
    let (all, _) = requests(&app, &rt, "").await;
    let id_of = |who: i64| {
        all.iter()
            .find(|r| r["account"]["id"] == who.to_string().as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (status, _) = app
        .post_json(
            &format!(
                "/api/v1/notifications/requests/{}/dismiss",
                id_of(senders[1].0)
            ),
            Some(&rt),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !v1_senders(&app, &rt, true)
            .await
            .contains(&senders[1].0.to_string())
    );
    assert_eq!(summary(&app, &rt).await, (3, 3));
    // A later mention from s2 makes a new request, with another id.
    mention(&app, &senders[1].1, "rose", "public").await;
    let (again, _) = requests(&app, &rt, "").await;
    assert_eq!(again.len(), 4);

    // In bulk, as a form with id[] (Elk, Phanpy): s3 and s4 accepted, then s5 and s2
    // dismissed.
    let res = app
        .client
        .post(app.url("/api/v1/notifications/requests/accept"))
        .bearer_auth(&rt)
        .form(&[("id[]", id_of(senders[2].0)), ("id[]", id_of(senders[3].0))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(summary(&app, &rt).await, (2, 2));
    assert_eq!(v1_senders(&app, &rt, false).await.len(), 6);
    let (left, _) = requests(&app, &rt, "").await;
    let left_ids: Vec<Value> = left.iter().map(|r| r["id"].clone()).collect();
    let (status, _) = app
        .post_json(
            "/api/v1/notifications/requests/dismiss",
            Some(&rt),
            &json!({"id": left_ids}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary(&app, &rt).await, (0, 0));
    assert_eq!(stored(&app, r).await, 6);

    // Bad bulk input: 422, in Mastodon's shape.
    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    for bad in [
        json!({}),
        json!({"id": ["12x"]}),
        json!({"id": many}),
        json!({"id": [{"a": 1}]}),
    ] {
        for action in ["accept", "dismiss"] {
            let (status, body) = app
                .post_json(
                    &format!("/api/v1/notifications/requests/{action}"),
                    Some(&rt),
                    &bad,
                )
                .await;
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
                "{bad}: {status} {body}"
            );
            assert!(body["error"].is_string(), "{body}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn organizers_kinds_are_never_filtered_or_dropped() {
    let app = spawn_app().await;
    let (r, rt) = user(&app, "orga").await;
    let (s, _) = user(&app, "stranger").await;
    patch_policy(
        &app,
        &rt,
        json!({"for_not_following": "drop", "for_not_followers": "drop", "for_new_accounts": "drop"}),
    )
    .await;
    let mut conn = app.state.pool().acquire().await.unwrap();
    let now = coopol::clock::now();
    for kind in [
        NotificationKind::EventParticipation,
        NotificationKind::EventLeft,
        NotificationKind::AdminSignUp,
        NotificationKind::MissionNew,
        NotificationKind::Poll,
    ] {
        coopol::db::social::notify(&mut conn, r, s, kind, None, now)
            .await
            .unwrap();
    }
    // A social kind from the same stranger is dropped.
    coopol::db::social::notify(&mut conn, r, s, NotificationKind::Follow, None, now)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(v1_senders(&app, &rt, false).await.len(), 5);
    assert_eq!(stored(&app, r).await, 5);
    assert_eq!(summary(&app, &rt).await, (0, 0));
    app.stop().await;
}

#[tokio::test]
async fn filtered_notifications_are_never_queued_for_mail_or_push() {
    // An SMTP server that is not there and a push endpoint that refuses connections: what is
    // queued stays in the queues, where this test reads it.
    let app = spawn_app_with(|c| c.mail = Some(mail_sink::mail_config("localhost", 9))).await;
    let (r, rt) = user(&app, "rosa").await;
    let (f, ft) = user(&app, "friend").await;
    let (s, st) = user(&app, "spammer").await;
    // A browser's key pair and auth secret, made as a browser makes them.
    let secret = p256::SecretKey::random(&mut OsRng);
    let p256dh = URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes());
    let mut auth = [0u8; 16];
    OsRng.fill_bytes(&mut auth);
    let auth = URL_SAFE_NO_PAD.encode(auth);
    let (status, body) = app
        .post_json(
            "/api/v1/push/subscription",
            Some(&rt),
            &json!({
                "subscription": {
                    "endpoint": "http://127.0.0.1:9/push/rosa",
                    "keys": {"p256dh": p256dh, "auth": auth},
                },
                "data": {"alerts": {"mention": true}, "policy": "all"},
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    follow_since(&app, r, f, 10).await;
    patch_policy(&app, &rt, json!({"for_not_following": "filter"})).await;
    mention(&app, &st, "rosa", "public").await;
    mention(&app, &ft, "rosa", "public").await;
    let ids = |filtered: i64| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT id FROM notifications WHERE account_id = $1 AND filtered = $2",
            )
            .bind(r)
            .bind(filtered)
            .fetch_all(app.state.pool())
            .await
            .unwrap()
        }
    };
    let held = ids(1).await;
    let kept = ids(0).await;
    assert_eq!((held.len(), kept.len()), (1, 1));
    // The friend's mention is dispatched: an e-mail and a push are queued for it.
    common::eventually("the friend's mention is queued", || async {
        let pushes: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM push_deliveries WHERE notification_id = $1")
                .bind(kept[0])
                .fetch_one(app.state.pool())
                .await
                .unwrap();
        let mails: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue WHERE account_id = $1")
                .bind(r)
                .fetch_one(app.state.pool())
                .await
                .unwrap();
        pushes == 1 && mails == 1
    })
    .await;
    // The spammer's was written dispatched: never taken, never queued.
    let dispatched: i64 = sqlx::query_scalar("SELECT dispatched FROM notifications WHERE id = $1")
        .bind(held[0])
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(dispatched, 1);
    let pushes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_deliveries")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(pushes, 1);
    // Accepting it later does not send it late either.
    let (reqs, _) = requests(&app, &rt, "").await;
    assert_eq!(reqs[0]["account"]["id"], s.to_string());
    let (status, _) = app
        .post_json(
            &format!(
                "/api/v1/notifications/requests/{}/accept",
                reqs[0]["id"].as_str().unwrap()
            ),
            Some(&rt),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let pushes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_deliveries")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    let mails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_queue WHERE account_id = $1")
        .bind(r)
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!((pushes, mails), (1, 1));
    assert_eq!(v1_senders(&app, &rt, false).await.len(), 2);
    let _ = f;
    app.stop().await;
}
