//! Account extras through Mastodon's API, on SQLite and PostgreSQL: user domain blocks (the list
//! and its pages, bad domains refused, and their effects: a blocked domain's posts, boosts and
//! notifications never reach the person's timelines, notifications or streams, its followers
//! there are removed with a `Reject`, the person's follows there stay hidden), private notes,
//! endorsements (only of followed accounts, paged, on the web profile without groups),
//! familiar followers that never reveal a hidden follow, and relationships of several accounts.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, spawn_app};
use coopol::domain::FollowState;
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const API: &str = "/api/coopol/v1";

async fn call(
    app: &TestApp,
    method: reqwest::Method,
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

async fn ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let (status, v) = app.post_json(path, Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let (status, v) = app.get_json(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {v}");
    v
}

async fn follow(app: &TestApp, token: &str, id: i64) {
    let v = ok(
        app,
        &format!("/api/v1/accounts/{id}/follow"),
        token,
        json!({}),
    )
    .await;
    assert!(v["following"] == true || v["requested"] == true, "{v}");
}

async fn relationship(app: &TestApp, token: &str, id: i64) -> Value {
    let v = get(
        app,
        &format!("/api/v1/accounts/relationships?id[]={id}"),
        token,
    )
    .await;
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    v[0].clone()
}

fn assert_error(status: StatusCode, v: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{v}");
    assert!(
        v["error"].as_str().is_some_and(|e| !e.is_empty()),
        "Mastodon's error shape: {v}"
    );
}

fn link(res: &reqwest::Response) -> String {
    res.headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn next_path(app: &TestApp, link: &str) -> String {
    let next = link
        .split(',')
        .find(|p| p.contains("rel=\"next\""))
        .expect("a next link");
    let url = next.trim().trim_start_matches('<');
    let url = &url[..url.find('>').unwrap()];
    url.strip_prefix(app.base.as_str())
        .unwrap_or_else(|| panic!("{url} is not on {}", app.base))
        .to_string()
}

#[tokio::test]
async fn domain_blocks_are_listed_paged_and_private_and_bad_domains_refused() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;

    for d in [
        "un.example",
        "Deux.Example",
        "trois.example:8443",
        "un.example",
    ] {
        let v = ok(&app, "/api/v1/domain_blocks", &alice, json!({"domain": d})).await;
        assert_eq!(v, json!({}), "Mastodon answers an empty object");
    }
    // A form body and a query string are read as well as JSON.
    let (status, v) = app
        .post_form(
            "/api/v1/domain_blocks",
            Some(&alice),
            &[("domain", "quatre.example")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        get(&app, "/api/v1/domain_blocks", &alice).await,
        json!([
            "quatre.example",
            "trois.example:8443",
            "deux.example",
            "un.example"
        ])
    );
    // Pages with Link headers.
    let res = app.get("/api/v1/domain_blocks?limit=3", Some(&alice)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let link = link(&res);
    let first: Value = res.json().await.unwrap();
    assert_eq!(first.as_array().unwrap().len(), 3, "{first}");
    assert!(link.contains("rel=\"prev\""), "{link}");
    let next = next_path(&app, &link);
    assert!(next.contains("limit=3"), "{next}");
    assert_eq!(get(&app, &next, &alice).await, json!(["un.example"]));
    // Private: nobody else sees them.
    assert_eq!(get(&app, "/api/v1/domain_blocks", &bob).await, json!([]));

    // Bad input: Mastodon's 422 with an error, nothing recorded.
    let own = url::Url::parse(&app.base).unwrap();
    let own = format!("{}:{}", own.host_str().unwrap(), own.port().unwrap());
    for bad in [
        json!({}),
        json!({"domain": ""}),
        json!({"domain": "   "}),
        json!({"domain": "https://cinq.example/"}),
        json!({"domain": "cinq.example/users"}),
        json!({"domain": "moi@cinq.example"}),
        json!({"domain": "10.0.0.1"}),
        json!({"domain": own}),
        json!({"domain": own.to_uppercase()}),
        json!({"domain": ["cinq.example"]}),
    ] {
        let (status, v) = app
            .post_json("/api/v1/domain_blocks", Some(&alice), &bad)
            .await;
        assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // In the caller's language, French first.
    let res = app
        .client
        .post(app.url("/api/v1/domain_blocks"))
        .bearer_auth(&alice)
        .header("accept-language", "fr")
        .json(&json!({"domain": own}))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("cette instance"),
        "{v}"
    );
    assert_eq!(
        get(&app, "/api/v1/domain_blocks", &alice)
            .await
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Unblocking (query or body); an absent domain is a 422 too.
    let (status, v) = call(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/domain_blocks?domain=DEUX.example",
        &alice,
        json!({}),
    )
    .await;
    assert_eq!((status, v), (StatusCode::OK, json!({})));
    let (status, _) = call(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/domain_blocks",
        &alice,
        json!({"domain": "jamais.example"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, v) = call(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/domain_blocks",
        &alice,
        json!({}),
    )
    .await;
    assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&app, "/api/v1/domain_blocks", &alice).await,
        json!(["quatre.example", "trois.example:8443", "un.example"])
    );
    // Without a token: 401.
    let (status, _) = app.get_json("/api/v1/domain_blocks", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// A remote note from `actor` on `h`, public, mentioning `mention` (an actor id), with a tag.
fn create(h: &Hostile, actor: &str, n: u32, text: &str, mention: &str) -> (String, Value) {
    let note_id = h.url(&format!("/notes/{n}"));
    let note = json!({"id": note_id, "type": "Note", "attributedTo": actor,
                      "content": format!("<p>{text} #loup</p>"), "to": [PUBLIC],
                      "cc": [mention, format!("{actor}/followers")],
                      "published": "2026-12-06T10:00:00Z",
                      "tag": [{"type": "Mention", "href": mention, "name": "@alice"},
                              {"type": "Hashtag", "href": h.url("/tags/loup"), "name": "#loup"}]});
    let create = json!({"id": h.url(&format!("/creates/{n}")), "type": "Create", "actor": actor,
                        "to": [PUBLIC], "cc": [mention], "object": note});
    (note_id, create)
}

fn contents(v: &Value) -> String {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let s = if s["reblog"].is_object() {
                &s["reblog"]
            } else {
                s
            };
            s["content"].as_str().unwrap_or_default().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn notified_texts(app: &TestApp, token: &str) -> String {
    get(app, "/api/v1/notifications", token).await.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_domains_posts_and_notifications_never_reach_the_person() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let wolf = h.actor("wolf", "Person");
    let cub = h.actor("cub", "Person");
    let wolf_row = h.introduce(&app, &wolf).await;
    let cub_row = h.introduce(&app, &cub).await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let alice_uri = app.url("/users/alice");
    // Alice follows wolf; wolf follows her; cub asks to follow her.
    common::make_follow(
        &app,
        alice_id,
        wolf_row.id,
        &h.url("/f/1"),
        FollowState::Accepted,
    )
    .await;
    common::make_follow(
        &app,
        wolf_row.id,
        alice_id,
        &h.url("/f/2"),
        FollowState::Accepted,
    )
    .await;
    common::make_follow(
        &app,
        cub_row.id,
        alice_id,
        &h.url("/f/3"),
        FollowState::Pending,
    )
    .await;
    follow(&app, &alice, bob_id).await;

    // Control: before the block, wolf's post and mention reach her.
    let (_, c) = create(&h, &wolf, 1, "Avant le blocage", &alice_uri);
    let (state, error) = h.deliver_processed(&app, &wolf, &c).await;
    assert_eq!(state, "done", "{error:?}");
    assert!(
        contents(&get(&app, "/api/v1/timelines/home", &alice).await).contains("Avant le blocage")
    );
    assert!(
        notified_texts(&app, &alice)
            .await
            .contains("Avant le blocage")
    );

    ok(
        &app,
        "/api/v1/domain_blocks",
        &alice,
        json!({"domain": h.host}),
    )
    .await;
    let r = relationship(&app, &alice, wolf_row.id).await;
    assert_eq!(r["domain_blocking"], true, "{r}");
    assert_eq!(r["following"], true, "her follows there stay: {r}");
    assert_eq!(
        r["followed_by"], false,
        "their follows of her are removed: {r}"
    );
    assert_eq!(
        relationship(&app, &alice, cub_row.id).await["requested_by"],
        false
    );
    assert_eq!(
        relationship(&app, &alice, bob_id).await["domain_blocking"],
        false
    );
    // Nobody else learns of it.
    assert_eq!(
        relationship(&app, &bob, wolf_row.id).await["domain_blocking"],
        false
    );
    // The followers removed get a Reject of their follow (they stop counting her followers
    // there, and nothing more is delivered to them); the block itself never federates.
    eventually("the Rejects delivered", || async {
        let sent = h.delivered_text();
        sent.contains(&h.url("/f/2")) && sent.contains(&h.url("/f/3"))
    })
    .await;
    let sent = h.delivered_text();
    assert!(sent.contains("\"Reject\""), "{sent}");
    assert!(!sent.contains("\"Block\""), "{sent}");
    // What came from there before is gone from her notifications, hidden from her timelines.
    assert!(
        !notified_texts(&app, &alice)
            .await
            .contains("Avant le blocage")
    );
    for path in [
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/tag/loup",
    ] {
        let seen = contents(&get(&app, path, &alice).await);
        assert!(!seen.contains("Avant le blocage"), "{path}: {seen}");
        // Bob, who blocks nothing, still sees it in public.
        if path != "/api/v1/timelines/home" {
            assert!(
                contents(&get(&app, path, &bob).await).contains("Avant le blocage"),
                "{path}"
            );
        }
    }

    // Streams opened now carry nothing from there: a marker post by bob comes, wolf's does not.
    let mut user = app.get("/api/v1/streaming/user", Some(&alice)).await;
    let mut public = app.get("/api/v1/streaming/public", Some(&alice)).await;
    assert_eq!(user.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (after, c) = create(&h, &wolf, 2, "Pendant le blocage", &alice_uri);
    let (state, error) = h.deliver_processed(&app, &wolf, &c).await;
    assert_eq!(state, "done", "{error:?}");
    // Bob boosts wolf's post: the boost is hidden from her too.
    let stored = coopol::db::statuses::by_uri(app.state.pool(), &after)
        .await
        .unwrap()
        .expect("the post is stored for others");
    ok(
        &app,
        &format!("/api/v1/statuses/{}/reblog", stored.id),
        &bob,
        json!({}),
    )
    .await;
    let (status, v) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob),
            &json!({"status": "marqueur de fin", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    for (name, stream) in [("user", &mut user), ("public", &mut public)] {
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !seen.contains("marqueur de fin") {
            let chunk = tokio::time::timeout_at(deadline, stream.chunk())
                .await
                .unwrap_or_else(|_| panic!("{name} stream: no marker in 15 s: {seen}"))
                .unwrap()
                .unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(!seen.contains("Pendant le blocage"), "{name}: {seen}");
    }
    drop(user);
    drop(public);
    for path in [
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?remote=true",
        "/api/v1/timelines/tag/loup",
    ] {
        let seen = contents(&get(&app, path, &alice).await);
        assert!(!seen.contains("Pendant le blocage"), "{path}: {seen}");
    }
    assert!(
        contents(&get(&app, "/api/v1/timelines/home", &alice).await).contains("marqueur de fin")
    );
    let notes = notified_texts(&app, &alice).await;
    assert!(!notes.contains("Pendant le blocage"), "{notes}");
    let v2 = get(&app, "/api/v2/notifications", &alice).await.to_string();
    assert!(!v2.contains("Pendant le blocage"), "{v2}");
    // A new follow from there is refused with a Reject, and notifies nobody.
    let f = json!({"id": h.url("/follows/9"), "type": "Follow", "actor": cub, "object": alice_uri});
    h.deliver_processed(&app, &cub, &f).await;
    let r = relationship(&app, &alice, cub_row.id).await;
    assert_eq!(
        (r["followed_by"].clone(), r["requested_by"].clone()),
        (json!(false), json!(false))
    );
    assert!(!notified_texts(&app, &alice).await.contains("\"cub\""));
    eventually("the new follow rejected", || async {
        h.delivered_text().contains(&h.url("/follows/9"))
    })
    .await;
    assert!(
        contents(&get(&app, "/api/v1/timelines/public", &bob).await).contains("Pendant le blocage")
    );

    // Lifted: her follows there show again (the followers removed stay removed).
    let (status, _) = call(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/domain_blocks",
        &alice,
        json!({"domain": h.host}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        contents(&get(&app, "/api/v1/timelines/home", &alice).await).contains("Pendant le blocage")
    );
    let r = relationship(&app, &alice, wolf_row.id).await;
    assert_eq!(
        (r["domain_blocking"].clone(), r["followed_by"].clone()),
        (json!(false), json!(false))
    );
    app.stop().await;
}

#[tokio::test]
async fn notes_are_private_bounded_and_removed_when_empty() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    let path = format!("/api/v1/accounts/{bob_id}/note");
    let r = ok(
        &app,
        &path,
        &alice,
        json!({"comment": "Trésorier, à relancer"}),
    )
    .await;
    assert_eq!(r["note"], "Trésorier, à relancer", "{r}");
    assert_eq!(r["id"], bob_id.to_string());
    assert_eq!(
        relationship(&app, &alice, bob_id).await["note"],
        "Trésorier, à relancer"
    );
    // Nobody else sees it: not bob about alice, not carol about bob.
    assert_eq!(relationship(&app, &bob, alice_id).await["note"], "");
    assert_eq!(relationship(&app, &carol, bob_id).await["note"], "");
    // A form body works; 2,000 characters pass, 2,001 are refused and change nothing.
    let long = "é".repeat(2000);
    let (status, v) = app
        .post_form(&path, Some(&alice), &[("comment", long.as_str())])
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["note"], long.as_str());
    let (status, v) = app
        .post_json(&path, Some(&alice), &json!({"comment": "é".repeat(2001)}))
        .await;
    assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, v) = app
        .post_json(&path, Some(&alice), &json!({"comment": {"x": 1}}))
        .await;
    assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        relationship(&app, &alice, bob_id).await["note"],
        long.as_str()
    );
    // Empty (or absent) removes it.
    let r = ok(&app, &path, &alice, json!({"comment": ""})).await;
    assert_eq!(r["note"], "");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account_notes")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Unknown accounts: 404.
    for bad in ["/api/v1/accounts/999999/note", "/api/v1/accounts/abc/note"] {
        let (status, v) = app
            .post_json(bad, Some(&alice), &json!({"comment": "x"}))
            .await;
        assert_error(status, &v, StatusCode::NOT_FOUND);
    }
    // Needs write:accounts.
    let (_, reader) = app.user_with_token("dave", "read").await;
    let (status, _) = app
        .post_json(&path, Some(&reader), &json!({"comment": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn endorsements_need_a_follow_are_paged_and_shown_on_the_profile_without_groups() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let mut people = Vec::new();
    for name in ["bob", "carol", "dave"] {
        people.push(app.user_with_token(name, "read write follow").await.0);
    }
    let (bob, carol, dave) = (people[0], people[1], people[2]);
    // Not followed: 422 as Mastodon; oneself: 422; unknown: 404.
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{bob}/pin"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    let me: Value = get(&app, "/api/v1/accounts/verify_credentials", &alice).await;
    let (status, v) = app
        .post_json(
            &format!("/api/v1/accounts/{}/pin", me["id"].as_str().unwrap()),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, v) = app
        .post_json("/api/v1/accounts/424242/pin", Some(&alice), &json!({}))
        .await;
    assert_error(status, &v, StatusCode::NOT_FOUND);

    for id in [bob, carol, dave] {
        follow(&app, &alice, id).await;
        let r = ok(
            &app,
            &format!("/api/v1/accounts/{id}/pin"),
            &alice,
            json!({}),
        )
        .await;
        assert_eq!(r["endorsed"], true, "{r}");
    }
    // Pinning again changes nothing.
    ok(
        &app,
        &format!("/api/v1/accounts/{bob}/pin"),
        &alice,
        json!({}),
    )
    .await;
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&get(&app, "/api/v1/endorsements", &alice).await),
        vec![dave.to_string(), carol.to_string(), bob.to_string()]
    );
    let res = app.get("/api/v1/endorsements?limit=2", Some(&alice)).await;
    let link = link(&res);
    let page: Value = res.json().await.unwrap();
    assert_eq!(ids(&page), vec![dave.to_string(), carol.to_string()]);
    assert_eq!(
        ids(&get(&app, &next_path(&app, &link), &alice).await),
        vec![bob.to_string()]
    );

    // A group she follows may be endorsed, but her public profile lists people only.
    let (_, sec) = app.user_with_token("secretaire", "read write follow").await;
    let (status, g) = app
        .post_json(
            &format!("{API}/groups"),
            Some(&sec),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
                    "postcode": "64000", "join_mode": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    let group = coopol::db::accounts::by_uri(app.state.pool(), g["uri"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    follow(&app, &alice, group).await;
    ok(
        &app,
        &format!("/api/v1/accounts/{group}/pin"),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(relationship(&app, &alice, group).await["endorsed"], true);
    let page = app.browser().get("/@alice").await;
    assert!(page.contains("@carol"), "{}", page.body);
    assert!(page.contains("@dave"));
    assert!(
        !page.contains("Section de Pau"),
        "a followed group is never shown"
    );
    // Unpinned, or unfollowed: gone from the list and the profile.
    let r = ok(
        &app,
        &format!("/api/v1/accounts/{carol}/unpin"),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(r["endorsed"], false);
    ok(
        &app,
        &format!("/api/v1/accounts/{dave}/unfollow"),
        &alice,
        json!({}),
    )
    .await;
    assert_eq!(
        ids(&get(&app, "/api/v1/endorsements", &alice).await),
        vec![group.to_string(), bob.to_string()]
    );
    assert_eq!(relationship(&app, &alice, dave).await["endorsed"], false);
    follow(&app, &alice, dave).await;
    assert_eq!(
        relationship(&app, &alice, dave).await["endorsed"],
        false,
        "a new follow is no endorsement"
    );
    let page = app.browser().get("/@alice").await;
    assert!(
        !page.contains("@dave") && !page.contains("@carol"),
        "{}",
        page.body
    );
    // Another person's list is their own.
    let (_, eve) = app.user_with_token("eve", "read write follow").await;
    assert_eq!(get(&app, "/api/v1/endorsements", &eve).await, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn familiar_followers_never_reveal_a_hidden_follow() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (carol_id, carol) = app.user_with_token("carol", "read write follow").await;
    let (dave_id, dave) = app.user_with_token("dave", "read write follow").await;
    let (_, eve) = app.user_with_token("eve", "read write follow").await;
    follow(&app, &alice, bob_id).await;
    follow(&app, &alice, carol_id).await;
    follow(&app, &bob, dave_id).await;
    follow(&app, &carol, dave_id).await;
    follow(&app, &dave, alice_id).await;
    // A section bob and carol sympathize with: its followers are its moderators' to know.
    let (_, sec) = app.user_with_token("secretaire", "read write follow").await;
    let (status, g) = app
        .post_json(
            &format!("{API}/groups"),
            Some(&sec),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
                    "postcode": "64000", "join_mode": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    let group = coopol::db::accounts::by_uri(app.state.pool(), g["uri"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    follow(&app, &bob, group).await;
    follow(&app, &carol, group).await;
    follow(&app, &sec, bob_id).await;

    let v = get(
        &app,
        &format!(
            "/api/v1/accounts/familiar_followers?id[]={dave_id}&id[]={group}&id[]={alice_id}\
             &id[]=999999&id[]=abc&id[]={dave_id}"
        ),
        &alice,
    )
    .await;
    let entries = v.as_array().unwrap();
    assert_eq!(entries.len(), 3, "unknown ids left out, each once: {v}");
    assert_eq!(entries[0]["id"], dave_id.to_string());
    let mut names: Vec<&str> = entries[0]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["acct"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["bob", "carol"], "{v}");
    assert!(
        entries[0]["accounts"][0]["followers_count"].is_number(),
        "Account entities: {v}"
    );
    assert_eq!(entries[1]["id"], group.to_string());
    assert_eq!(
        entries[1]["accounts"],
        json!([]),
        "sympathizers stay hidden: {v}"
    );
    assert_eq!(entries[2]["accounts"], json!([]), "none for oneself");
    // Mastodon.py sends the ids as a JSON body of the GET, which Rails reads.
    let (status, v) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/accounts/familiar_followers",
        &alice,
        json!({"id": [dave_id.to_string()]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v[0]["accounts"].as_array().unwrap().len(), 2, "{v}");
    // The group's own moderator, who follows bob, may know.
    let v = get(
        &app,
        &format!("/api/v1/accounts/familiar_followers?id[]={group}"),
        &sec,
    )
    .await;
    assert_eq!(v[0]["accounts"][0]["acct"], "bob", "{v}");
    // Someone who follows none of them learns nothing.
    let v = get(
        &app,
        &format!("/api/v1/accounts/familiar_followers?id={dave_id}"),
        &eve,
    )
    .await;
    assert_eq!(v, json!([{"id": dave_id.to_string(), "accounts": []}]));
    // Too many ids: 422; none: an empty list; no token: 401.
    let many: String = (1..=101).map(|i| format!("id[]={i}&")).collect();
    let (status, v) = app
        .get_json(
            &format!("/api/v1/accounts/familiar_followers?{many}"),
            Some(&alice),
        )
        .await;
    assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        get(&app, "/api/v1/accounts/familiar_followers", &alice).await,
        json!([])
    );
    let (status, _) = app
        .get_json(
            &format!("/api/v1/accounts/familiar_followers?id[]={dave_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn relationships_of_several_accounts_carry_every_field() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (carol_id, _) = app.user_with_token("carol", "read write follow").await;
    let (dave_id, dave) = app.user_with_token("dave", "read write follow").await;
    // Follow options coopol does not keep are refused, never dropped; their defaults pass.
    for bad in [
        json!({"reblogs": false}),
        json!({"reblogs": "0"}),
        json!({"notify": true}),
        json!({"languages": ["fr"]}),
        json!({"reblogs": "peut-être"}),
    ] {
        let (status, v) = app
            .post_json(
                &format!("/api/v1/accounts/{bob_id}/follow"),
                Some(&alice),
                &bad,
            )
            .await;
        assert_error(status, &v, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(relationship(&app, &alice, bob_id).await["following"], false);
    }
    let (status, v) = app
        .post_form(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            Some(&alice),
            &[("reblogs", "True"), ("notify", "False")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["following"], true, "{v}");
    follow(&app, &bob, alice_id).await;
    ok(
        &app,
        &format!("/api/v1/accounts/{bob_id}/pin"),
        &alice,
        json!({}),
    )
    .await;
    ok(
        &app,
        &format!("/api/v1/accounts/{bob_id}/note"),
        &alice,
        json!({"comment": "ami"}),
    )
    .await;
    ok(
        &app,
        &format!("/api/v1/accounts/{carol_id}/mute"),
        &alice,
        json!({"notifications": false}),
    )
    .await;
    ok(
        &app,
        &format!("/api/v1/accounts/{alice_id}/block"),
        &dave,
        json!({}),
    )
    .await;
    let v = get(
        &app,
        &format!(
            "/api/v1/accounts/relationships?id[]={carol_id}&id[]={bob_id}&id[]=777777&id[]={dave_id}&id[]={bob_id}"
        ),
        &alice,
    )
    .await;
    let all = v.as_array().unwrap();
    assert_eq!(
        all.len(),
        3,
        "in the order asked, each once, unknown left out: {v}"
    );
    let fields = [
        "id",
        "following",
        "showing_reblogs",
        "notifying",
        "languages",
        "followed_by",
        "blocking",
        "blocked_by",
        "muting",
        "muting_notifications",
        "requested",
        "requested_by",
        "domain_blocking",
        "endorsed",
        "note",
    ];
    for r in all {
        for f in fields {
            assert!(r.get(f).is_some(), "{f} missing in {r}");
        }
    }
    let (carol, bob, dave) = (&all[0], &all[1], &all[2]);
    assert_eq!(carol["id"], carol_id.to_string());
    assert_eq!(
        (
            carol["muting"].clone(),
            carol["muting_notifications"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(bob["following"], true);
    assert_eq!(bob["showing_reblogs"], true);
    assert_eq!(bob["followed_by"], true);
    assert_eq!(bob["endorsed"], true);
    assert_eq!(bob["note"], "ami");
    assert_eq!(bob["notifying"], false);
    assert_eq!(bob["languages"], Value::Null);
    assert_eq!(dave["blocked_by"], true);
    assert_eq!(dave["showing_reblogs"], false);
    app.stop().await;
}
