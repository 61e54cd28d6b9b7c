//! Grouped notifications (the Mastodon API's v2) and conversations (direct messages), as
//! Mastodon 4.3 documents them and Phanpy, Ice Cubes, Elk and Tusky call them: the groups and
//! their counts page by page, one group, its accounts, dismissing, unread groups, `group_key`
//! in v1; conversations listed, read, removed, streamed, and seen by their participants only,
//! whatever a remote server sends.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, spawn_app};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

async fn post(app: &TestApp, token: &str, text: &str, visibility: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn reply(app: &TestApp, token: &str, text: &str, to: &Value) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": "direct", "in_reply_to_id": to["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn act(app: &TestApp, token: &str, path: &str) {
    let (status, body) = app.post_json(path, Some(token), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
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

/// The `max_id` of a Link header's `next` page.
fn next_max_id(link: &str) -> String {
    let next = link
        .split(',')
        .find(|part| part.contains("rel=\"next\""))
        .unwrap();
    let url = next
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap();
    common::query_of(url)["max_id"].clone()
}

fn groups(body: &Value) -> Vec<Value> {
    body["notification_groups"].as_array().unwrap().clone()
}

fn summary(body: &Value) -> Vec<(String, i64)> {
    groups(body)
        .iter()
        .map(|g| {
            (
                g["type"].as_str().unwrap().to_string(),
                g["notifications_count"].as_i64().unwrap(),
            )
        })
        .collect()
}

struct Scene {
    app: TestApp,
    alice: String,
    ids: HashMap<&'static str, String>,
    tokens: HashMap<&'static str, String>,
    first_post: Value,
}

/// Alice is liked, boosted, followed and mentioned, in this order (notification ids rising):
/// 1 Bob likes P1, 2 Carol likes P1, 3 Bob follows, 4 Dave mentions her, 5 Bob boosts P1,
/// 6 Dave likes P1, 7 Carol follows, 8 Carol likes P2.
async fn scene() -> Scene {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let mut ids = HashMap::new();
    let mut tokens = HashMap::new();
    for name in ["bob", "carol", "dave"] {
        let (id, token) = app.user_with_token(name, "read write follow").await;
        ids.insert(name, id.to_string());
        tokens.insert(name, token);
    }
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice))
        .await;
    ids.insert("alice", me["id"].as_str().unwrap().to_string());
    let p1 = post(&app, &alice, "Premier message", "public").await;
    let p2 = post(&app, &alice, "Second message", "public").await;
    let (p1_id, p2_id) = (p1["id"].as_str().unwrap(), p2["id"].as_str().unwrap());
    let alice_id = ids["alice"].clone();
    act(
        &app,
        &tokens["bob"],
        &format!("/api/v1/statuses/{p1_id}/favourite"),
    )
    .await;
    act(
        &app,
        &tokens["carol"],
        &format!("/api/v1/statuses/{p1_id}/favourite"),
    )
    .await;
    act(
        &app,
        &tokens["bob"],
        &format!("/api/v1/accounts/{alice_id}/follow"),
    )
    .await;
    post(&app, &tokens["dave"], "Bonjour @alice", "public").await;
    act(
        &app,
        &tokens["bob"],
        &format!("/api/v1/statuses/{p1_id}/reblog"),
    )
    .await;
    act(
        &app,
        &tokens["dave"],
        &format!("/api/v1/statuses/{p1_id}/favourite"),
    )
    .await;
    act(
        &app,
        &tokens["carol"],
        &format!("/api/v1/accounts/{alice_id}/follow"),
    )
    .await;
    act(
        &app,
        &tokens["carol"],
        &format!("/api/v1/statuses/{p2_id}/favourite"),
    )
    .await;
    Scene {
        app,
        alice,
        ids,
        tokens,
        first_post: p1,
    }
}

#[tokio::test]
async fn notifications_are_grouped_as_mastodon_groups_them() {
    let s = scene().await;
    let (app, alice) = (&s.app, &s.alice);
    let (status, body, link) = get(app, alice, "/api/v2/notifications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(link.is_some());
    assert_eq!(
        summary(&body),
        vec![
            ("favourite".to_string(), 1),
            ("follow".to_string(), 2),
            ("favourite".to_string(), 3),
            ("reblog".to_string(), 1),
            ("mention".to_string(), 1),
        ]
    );
    let g = groups(&body);
    let (bob, carol, dave) = (&s.ids["bob"], &s.ids["carol"], &s.ids["dave"]);
    // The likes of the first post: newest senders first, the page's bounds, the post once.
    let likes = &g[2];
    assert_eq!(likes["sample_account_ids"], json!([dave, carol, bob]));
    assert_eq!(likes["status_id"], s.first_post["id"]);
    assert_eq!(likes["most_recent_notification_id"], likes["page_max_id"]);
    assert!(
        likes["page_min_id"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            < likes["page_max_id"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap()
    );
    assert!(likes["latest_page_notification_at"].is_string());
    assert!(
        likes["group_key"]
            .as_str()
            .unwrap()
            .starts_with("favourite-")
    );
    assert_eq!(g[1]["sample_account_ids"], json!([carol, bob]));
    assert!(g[1].get("status_id").is_none(), "a follow names no post");
    let mention = &g[4];
    assert_eq!(
        mention["group_key"],
        format!(
            "ungrouped-{}",
            mention["most_recent_notification_id"].as_str().unwrap()
        )
    );
    // Each account and post once, in full (expand_accounts defaults to full).
    let mut account_ids: Vec<&str> = body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    account_ids.sort();
    let mut want = vec![bob.as_str(), carol.as_str(), dave.as_str()];
    want.sort();
    assert_eq!(account_ids, want);
    assert_eq!(body["statuses"].as_array().unwrap().len(), 3, "{body}");
    assert!(body.get("partial_accounts").is_none());

    // v1 says the same keys.
    let (_, v1) = app
        .get_json("/api/v1/notifications?limit=40", Some(alice))
        .await;
    let v1_keys: Vec<&str> = v1
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["group_key"].as_str().unwrap())
        .collect();
    assert_eq!(v1_keys.len(), 8);
    for group in &g {
        assert!(v1_keys.contains(&group["group_key"].as_str().unwrap()));
    }
    assert_eq!(
        v1_keys
            .iter()
            .filter(|k| **k == likes["group_key"].as_str().unwrap())
            .count(),
        3
    );

    // Partial avatars: the newest sender of each group in full, the others partly.
    let (_, partial, _) = get(
        app,
        alice,
        "/api/v2/notifications?expand_accounts=partial_avatars",
    )
    .await;
    let partials = partial["partial_accounts"].as_array().unwrap();
    assert!(partials.iter().all(|a| a.get("avatar").is_some()
        && a.get("acct").is_some()
        && a.get("display_name").is_none()));
    let full: Vec<&str> = partial["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    for group in groups(&partial) {
        let first = group["sample_account_ids"][0].as_str().unwrap();
        assert!(full.contains(&first), "{first} in full");
    }
    s.app.stop().await;
}

#[tokio::test]
async fn parameters_filter_and_regroup_and_bad_ones_are_refused() {
    let s = scene().await;
    let (app, alice) = (&s.app, &s.alice);
    let summary_of = |q: &'static str| async move {
        let (status, body, _) = get(app, alice, &format!("/api/v2/notifications{q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
        summary(&body)
    };
    let kinds = |v: Vec<(String, i64)>| {
        v.into_iter()
            .map(|(k, n)| format!("{k}:{n}"))
            .collect::<Vec<_>>()
    };
    // Follows not grouped when the app groups only likes.
    assert_eq!(
        kinds(summary_of("?grouped_types[]=favourite").await),
        [
            "favourite:1",
            "follow:1",
            "favourite:3",
            "reblog:1",
            "mention:1",
            "follow:1"
        ]
    );
    assert_eq!(
        kinds(summary_of("?types[]=favourite").await),
        ["favourite:1", "favourite:3"]
    );
    assert_eq!(
        kinds(summary_of("?exclude_types[]=favourite&exclude_types[]=reblog").await),
        ["follow:2", "mention:1"]
    );
    // A type this server does not have selects nothing, not everything.
    assert!(summary_of("?types[]=poll").await.is_empty());
    // One sender's notifications only.
    let dave = s.ids["dave"].clone();
    let (_, body, _) = get(
        app,
        alice,
        &format!("/api/v2/notifications?account_id={dave}"),
    )
    .await;
    assert_eq!(kinds(summary(&body)), ["favourite:1", "mention:1"]);

    for (q, field) in [
        ("?account_id=abc", "account_id"),
        ("?expand_accounts=everything", "expand_accounts"),
        ("?max_id=x", "max_id"),
        ("?limit=many", "limit"),
    ] {
        let (status, body, _) = get(app, alice, &format!("/api/v2/notifications{q}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
        assert!(body["error"].is_string(), "{body}");
        assert!(
            body["details"].to_string().contains(field) || body.to_string().contains(field),
            "{q}: {body}"
        );
    }
    // French first.
    let res = app
        .client
        .get(app.url("/api/v2/notifications?expand_accounts=everything"))
        .bearer_auth(alice)
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(body.to_string().contains("Valeur inconnue"), "{body}");
    // No token, no notifications.
    let (status, _) = app.get_json("/api/v2/notifications", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    s.app.stop().await;
}

#[tokio::test]
async fn paging_counts_every_notification_once() {
    let s = scene().await;
    let (app, alice) = (&s.app, &s.alice);
    let mut totals: HashMap<String, i64> = HashMap::new();
    let mut path = "/api/v2/notifications?limit=2".to_string();
    let mut pages = 0;
    loop {
        let (status, body, link) = get(app, alice, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = groups(&body);
        if page.is_empty() {
            assert!(link.is_none());
            break;
        }
        assert!(page.len() <= 2);
        for g in &page {
            *totals
                .entry(g["group_key"].as_str().unwrap().to_string())
                .or_default() += g["notifications_count"].as_i64().unwrap();
        }
        pages += 1;
        assert!(pages < 10, "paging never ends");
        let link = link.expect("a Link header");
        // Built from the configured public URL, never from the request's Host.
        let public = app.state.config.url("/api/v2/notifications?");
        assert!(link.starts_with(&format!("<{public}")), "{link}");
        path = format!(
            "/api/v2/notifications?limit=2&max_id={}",
            next_max_id(&link)
        );
    }
    assert_eq!(totals.values().sum::<i64>(), 8, "{totals:?}");
    let mut counts: Vec<i64> = totals.values().copied().collect();
    counts.sort();
    assert_eq!(counts, [1, 1, 1, 2, 3]);

    // min_id pages up from the oldest: the same groups come back.
    let (_, all, _) = get(app, alice, "/api/v2/notifications").await;
    let oldest = groups(&all)[4]["most_recent_notification_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, above, _) = get(
        app,
        alice,
        &format!("/api/v2/notifications?min_id={oldest}&limit=2"),
    )
    .await;
    let above = groups(&above);
    assert_eq!(above.len(), 2);
    assert!(
        above[0]["most_recent_notification_id"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > above[1]["most_recent_notification_id"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        "newest first"
    );
    s.app.stop().await;
}

#[tokio::test]
async fn one_group_its_accounts_its_dismissal_and_unread_groups() {
    let s = scene().await;
    let (app, alice) = (&s.app, &s.alice);
    let (_, all, _) = get(app, alice, "/api/v2/notifications").await;
    let g = groups(&all);
    let likes_key = g[2]["group_key"].as_str().unwrap().to_string();
    let mention_key = g[4]["group_key"].as_str().unwrap().to_string();

    let (status, one, _) = get(app, alice, &format!("/api/v2/notifications/{likes_key}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    let group = &groups(&one)[0];
    assert_eq!(group["notifications_count"], 3);
    assert!(group.get("page_min_id").is_none(), "not a page");
    assert_eq!(one["statuses"][0]["id"], s.first_post["id"]);
    let (status, one, _) = get(app, alice, &format!("/api/v2/notifications/{mention_key}")).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(groups(&one)[0]["type"], "mention");

    let (status, accounts, _) = get(
        app,
        alice,
        &format!("/api/v2/notifications/{likes_key}/accounts"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accounts}");
    let names: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dave", "carol", "bob"]);
    let (_, first, link) = get(
        app,
        alice,
        &format!("/api/v2/notifications/{likes_key}/accounts?limit=1"),
    )
    .await;
    assert_eq!(first[0]["username"], "dave");
    let (_, second, _) = get(
        app,
        alice,
        &format!(
            "/api/v2/notifications/{likes_key}/accounts?limit=1&max_id={}",
            next_max_id(&link.unwrap())
        ),
    )
    .await;
    assert_eq!(second[0]["username"], "carol");

    // Unknown keys, and someone else's, are not found.
    let bob = &s.tokens["bob"];
    for (token, key) in [
        (alice.as_str(), "favourite-1-1".to_string()),
        (alice.as_str(), "ungrouped-999999999".to_string()),
        (alice.as_str(), "nonsense".to_string()),
        (bob.as_str(), likes_key.clone()),
        (bob.as_str(), mention_key.clone()),
    ] {
        for path in [
            format!("/api/v2/notifications/{key}"),
            format!("/api/v2/notifications/{key}/accounts"),
        ] {
            let (status, body, _) = get(app, token, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            assert!(body["error"].is_string());
        }
        let (status, _) = app
            .post_json(
                &format!("/api/v2/notifications/{key}/dismiss"),
                Some(token),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{key}");
    }

    // Unread groups: all five without a marker; past a marker, the groups of what is newer.
    let unread = |q: String| async move {
        let (status, body, _) = get(
            app,
            alice,
            &format!("/api/v2/notifications/unread_count{q}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["count"].as_i64().unwrap()
    };
    assert_eq!(unread(String::new()).await, 5);
    assert_eq!(unread("?grouped_types[]=favourite".into()).await, 6);
    assert_eq!(unread("?limit=2".into()).await, 2);
    assert_eq!(unread("?types[]=follow".into()).await, 1);
    let (status, body, _) = get(app, alice, "/api/v2/notifications/unread_count?limit=x").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let reblog_id = g[3]["most_recent_notification_id"].as_str().unwrap();
    let (status, _) = app
        .post_json(
            "/api/v1/markers",
            Some(alice),
            &json!({"notifications": {"last_read_id": reblog_id}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Newer than the boost: Dave's like (of the likes' group), Carol's follow, Carol's like.
    assert_eq!(unread(String::new()).await, 3);

    // Dismissing a group removes all its notifications, once.
    let (status, _) = app
        .post_json(
            &format!("/api/v2/notifications/{likes_key}/dismiss"),
            Some(alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, v1) = app
        .get_json("/api/v1/notifications?limit=40", Some(alice))
        .await;
    assert_eq!(v1.as_array().unwrap().len(), 5);
    assert!(!v1.to_string().contains(&likes_key));
    let (status, _) = app
        .post_json(
            &format!("/api/v2/notifications/{likes_key}/dismiss"),
            Some(alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.app.stop().await;
}

/// An account's conversations: (id, usernames of the others, unread, last post's text).
async fn conversations(app: &TestApp, token: &str) -> Vec<(String, Vec<String>, bool, String)> {
    let (status, body) = app.get_json("/api/v1/conversations", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut names: Vec<String> = c["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["acct"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            (
                c["id"].as_str().unwrap().to_string(),
                names,
                c["unread"].as_bool().unwrap(),
                c["last_status"]["content"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn conversations_gather_a_threads_direct_posts_for_its_participants_only() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    let (_, dave) = app.user_with_token("dave", "read write follow").await;

    let first = post(&app, &alice, "@bob @carol réunion jeudi ?", "direct").await;
    post(&app, &alice, "Un message public", "public").await;
    let mine = conversations(&app, &alice).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].1, ["bob", "carol"]);
    assert!(!mine[0].2, "the author has read it");
    let bobs = conversations(&app, &bob).await;
    assert_eq!(bobs[0].1, ["alice", "carol"]);
    assert!(bobs[0].2, "unread for the people named");
    assert!(bobs[0].3.contains("jeudi"));

    // An answer in the thread, between the same people, is the same conversation.
    reply(&app, &bob, "@alice @carol jeudi 18 h", &first).await;
    let mine = conversations(&app, &alice).await;
    assert_eq!(mine.len(), 1);
    assert!(mine[0].2, "unread again for Alice");
    assert!(mine[0].3.contains("18 h"), "{mine:?}");
    assert!(!conversations(&app, &bob).await[0].2, "Bob wrote it");

    // Reading it.
    let id = mine[0].0.clone();
    let (status, read) = app
        .post_json(
            &format!("/api/v1/conversations/{id}/read"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["unread"], false);
    assert!(!conversations(&app, &alice).await[0].2);

    // Dave is in none: he sees nothing, reads and removes nothing.
    assert!(conversations(&app, &dave).await.is_empty());
    for (status, body) in [
        app.post_json(
            &format!("/api/v1/conversations/{id}/read"),
            Some(&dave),
            &json!({}),
        )
        .await,
        {
            let res = app
                .client
                .delete(app.url(&format!("/api/v1/conversations/{id}")))
                .bearer_auth(&dave)
                .send()
                .await
                .unwrap();
            (res.status(), res.json().await.unwrap_or(Value::Null))
        },
        app.post_json("/api/v1/conversations/abc/read", Some(&dave), &json!({}))
            .await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body["error"].is_string());
    }
    let (status, _) = app.get_json("/api/v1/conversations", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A second conversation, newer: paged by newest post, with a Link header.
    post(&app, &alice, "@bob juste toi", "direct").await;
    let (_, page, link) = get(&app, &alice, "/api/v1/conversations?limit=1").await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert!(
        page[0]["last_status"]["content"]
            .as_str()
            .unwrap()
            .contains("juste toi")
    );
    let (_, older, _) = get(
        &app,
        &alice,
        &format!(
            "/api/v1/conversations?limit=1&max_id={}",
            next_max_id(&link.unwrap())
        ),
    )
    .await;
    assert!(
        older[0]["last_status"]["content"]
            .as_str()
            .unwrap()
            .contains("18 h")
    );
    let (status, body, _) = get(&app, &alice, "/api/v1/conversations?max_id=x").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Removing is Alice's alone: Bob keeps his.
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/conversations/{id}")))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(conversations(&app, &alice).await.len(), 1);
    assert_eq!(conversations(&app, &bob).await.len(), 2);
    // The post itself answered by Carol brings it back.
    reply(&app, &carol, "@alice @bob d'accord", &first).await;
    assert_eq!(conversations(&app, &alice).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn the_direct_stream_tells_conversations_not_posts() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let res = app.get("/api/v1/streaming/direct", Some(&bob)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut res = res;
    let mut buf = String::new();
    post(&app, &alice, "@bob un mot", "direct").await;
    post(&app, &alice, "Public", "public").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut events: Vec<(String, Value)> = Vec::new();
    while events.is_empty() {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .unwrap();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut event, mut data) = (String::new(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !event.is_empty() {
                events.push((event, serde_json::from_str(&data).unwrap_or(Value::Null)));
            }
        }
    }
    let (event, payload) = &events[0];
    assert_eq!(event, "conversation", "{events:?}");
    assert_eq!(payload["unread"], true);
    assert_eq!(payload["accounts"][0]["username"], "alice");
    assert!(
        payload["last_status"]["content"]
            .as_str()
            .unwrap()
            .contains("un mot")
    );
    assert_eq!(payload["id"], conversations(&app, &bob).await[0].0);
    app.stop().await;
}

#[tokio::test]
async fn a_remote_answer_from_outside_a_conversation_does_not_enter_it() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    let first = post(&app, &alice, "@carol entre nous", "direct").await;
    let mallory = h.actor("mallory", "Person");
    let alice_url = app.url("/users/alice");
    // Mallory answers the thread, naming Alice only: Mallory is nobody in Alice and Carol's
    // conversation, and answering it is no way into it.
    let create = json!({"id": h.url("/creates/1"), "type": "Create", "actor": mallory,
        "to": [alice_url],
        "object": {"id": h.url("/notes/1"), "type": "Note", "attributedTo": mallory,
                   "content": "<p>je m'invite</p>", "to": [alice_url],
                   "inReplyTo": first["uri"],
                   "tag": [{"type": "Mention", "href": alice_url}]}});
    h.deliver_processed(&app, &mallory, &create).await;
    eventually("Mallory's post is stored", || async {
        coopol::db::statuses::by_uri(app.state.pool(), &h.url("/notes/1"))
            .await
            .unwrap()
            .is_some()
    })
    .await;
    let mine = conversations(&app, &alice).await;
    assert_eq!(mine.len(), 2, "{mine:?}");
    let with_carol = mine.iter().find(|c| c.1 == ["carol"]).unwrap();
    assert!(with_carol.3.contains("entre nous"), "{mine:?}");
    let with_mallory = mine.iter().find(|c| c.1 != ["carol"]).unwrap();
    assert_eq!(with_mallory.1.len(), 1);
    assert!(with_mallory.1[0].starts_with("mallory@"));
    assert!(with_mallory.2, "unread");
    // Carol's conversation is untouched, and she has no other.
    let hers = conversations(&app, &carol).await;
    assert_eq!(hers.len(), 1, "{hers:?}");
    assert!(hers[0].3.contains("entre nous"));
    app.stop().await;
}
