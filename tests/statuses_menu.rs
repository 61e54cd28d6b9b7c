//! The statuses menu of Mastodon apps: a post's source and history (every edit kept), bookmarks
//! and the favourites list (paged by their own ids with `Link` headers), pins (Mastodon's
//! limit and errors, `?pinned=true`, the `featured` collection, `Add`/`Remove` between two
//! instances and from a hostile server), muted threads, several posts at once, translation
//! answered as unavailable, and the posting preferences apps read and write.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, spawn_app, urlencode};
use hostile::Hostile;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

struct Person {
    id: i64,
    token: String,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let (id, token) = app.user_with_token(name, "read write follow").await;
    Person { id, token }
}

async fn post(app: &TestApp, who: &Person, body: Value) -> Value {
    let (status, answer) = app
        .post_json("/api/v1/statuses", Some(&who.token), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn act(app: &TestApp, who: &Person, id: &Value, action: &str) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/statuses/{}/{action}", id.as_str().unwrap()),
        Some(&who.token),
        &json!({}),
    )
    .await
}

async fn put(app: &TestApp, who: &Person, path: &str, body: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(&who.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A list request: (status, body, the `Link` header).
async fn list(app: &TestApp, who: &Person, path: &str) -> (StatusCode, Value, String) {
    let res = app.get(path, Some(&who.token)).await;
    let status = res.status();
    let link = res
        .headers()
        .get(header::LINK)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, res.json().await.unwrap_or(Value::Null), link)
}

fn texts(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap().to_string())
        .collect()
}

/// The `max_id` of a `Link` header's `next` page.
fn next_max_id(link: &str) -> String {
    let next = link
        .split(',')
        .find(|p| p.contains("rel=\"next\""))
        .unwrap_or_else(|| panic!("no next page in {link:?}"));
    let url = next
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap();
    common::query_of(url)["max_id"].clone()
}

#[tokio::test]
async fn source_and_history_keep_every_version() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let first = post(
        &app,
        &alice,
        json!({"status": "first *words*", "spoiler_text": "cw"}),
    )
    .await;
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["edited_at"], Value::Null);

    // Never edited: one version, the post itself.
    let (status, history) = app
        .get_json(&format!("/api/v1/statuses/{id}/history"), Some(&bob.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history.as_array().unwrap().len(), 1);

    let (status, edited) = put(
        &app,
        &alice,
        &format!("/api/v1/statuses/{id}"),
        json!({"status": "second", "spoiler_text": ""}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert!(edited["edited_at"].is_string(), "{edited}");
    let (status, edited) = put(
        &app,
        &alice,
        &format!("/api/v1/statuses/{id}"),
        json!({"status": "third", "sensitive": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");

    let (status, source) = app
        .get_json(&format!("/api/v1/statuses/{id}/source"), Some(&alice.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{source}");
    assert_eq!(
        source,
        json!({"id": id, "text": "third", "spoiler_text": ""})
    );

    let (status, history) = app
        .get_json(&format!("/api/v1/statuses/{id}/history"), Some(&bob.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let versions = history.as_array().unwrap();
    assert_eq!(versions.len(), 3, "{history}");
    assert!(versions[0]["content"].as_str().unwrap().contains("first"));
    assert_eq!(versions[0]["spoiler_text"], "cw");
    assert_eq!(versions[0]["sensitive"], true, "a content warning marks it");
    assert!(versions[1]["content"].as_str().unwrap().contains("second"));
    assert_eq!(versions[1]["sensitive"], false);
    assert!(versions[2]["content"].as_str().unwrap().contains("third"));
    assert_eq!(versions[2]["sensitive"], true);
    assert_eq!(versions[2]["created_at"], edited["edited_at"]);
    assert_eq!(versions[0]["created_at"], first["created_at"]);
    for v in versions {
        assert_eq!(v["account"]["username"], "alice");
        assert!(v["media_attachments"].is_array());
        assert!(v["emojis"].is_array());
    }
    let times: Vec<&str> = versions
        .iter()
        .map(|v| v["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
}

#[tokio::test]
async fn what_one_may_not_see_has_no_source_history_bookmark_or_translation() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let secret = post(
        &app,
        &alice,
        json!({"status": "just me", "visibility": "direct"}),
    )
    .await;
    let id = secret["id"].as_str().unwrap();
    for path in ["source", "history"] {
        let (status, body) = app
            .get_json(&format!("/api/v1/statuses/{id}/{path}"), Some(&bob.token))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    for action in ["bookmark", "unbookmark", "pin", "mute", "translate"] {
        let (status, body) = act(&app, &bob, &secret["id"], action).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}: {body}");
    }
    let (status, _) = app
        .get_json("/api/v1/statuses/notanumber/history", Some(&bob.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The source is for signed-in people.
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{id}/source"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bookmarks_page_by_bookmark_with_link_headers() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let mut posts = Vec::new();
    for n in 0..3 {
        posts.push(post(&app, &alice, json!({"status": format!("post {n}")})).await);
    }
    // Bookmarked in another order than written: the list follows the bookmarks.
    for i in [2, 0, 1] {
        let (status, body) = act(&app, &bob, &posts[i]["id"], "bookmark").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["bookmarked"], true, "{body}");
    }
    // Twice is once.
    let (status, _) = act(&app, &bob, &posts[0]["id"], "bookmark").await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/statuses/{}", posts[1]["id"].as_str().unwrap()),
            Some(&bob.token),
        )
        .await;
    assert_eq!(seen["bookmarked"], true);
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/statuses/{}", posts[1]["id"].as_str().unwrap()),
            Some(&alice.token),
        )
        .await;
    assert_eq!(seen["bookmarked"], false, "bookmarks are each person's own");

    let (status, page, link) = list(&app, &bob, "/api/v1/bookmarks?limit=2").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let page_texts = texts(&page);
    assert_eq!(page_texts.len(), 2);
    assert!(page_texts[0].contains("post 1") && page_texts[1].contains("post 0"));
    assert!(link.contains("rel=\"prev\""), "{link}");
    assert!(
        link.starts_with(&format!("<{}/api/v1/bookmarks?", app.base)),
        "{link}"
    );
    let max_id = next_max_id(&link);
    let (_, rest, _) = list(
        &app,
        &bob,
        &format!("/api/v1/bookmarks?limit=2&max_id={max_id}"),
    )
    .await;
    let rest = texts(&rest);
    assert_eq!(rest.len(), 1);
    assert!(rest[0].contains("post 2"));

    let (status, body) = act(&app, &bob, &posts[1]["id"], "unbookmark").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookmarked"], false);
    let (_, all, _) = list(&app, &bob, "/api/v1/bookmarks").await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // A post that becomes unreadable leaves the list: alice blocks bob.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{}/block", bob.id),
            Some(&alice.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, all, _) = list(&app, &bob, "/api/v1/bookmarks").await;
    assert_eq!(all, json!([]));

    // Bad paging is refused, not ignored.
    let (status, body, _) = list(&app, &bob, "/api/v1/bookmarks?max_id=abc").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _, _) = list(&app, &bob, "/api/v1/bookmarks").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_json("/api/v1/bookmarks", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_favourites_list_pages_by_like() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let older = post(&app, &alice, json!({"status": "older"})).await;
    let newer = post(&app, &alice, json!({"status": "newer"})).await;
    // Liked newest-written first: the older post, liked last, leads the list.
    for p in [&newer, &older] {
        let (status, _) = act(&app, &bob, &p["id"], "favourite").await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, page, link) = list(&app, &bob, "/api/v1/favourites?limit=1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(texts(&page)[0].contains("older"));
    assert_eq!(page[0]["favourited"], true);
    let (_, next, _) = list(
        &app,
        &bob,
        &format!("/api/v1/favourites?limit=1&max_id={}", next_max_id(&link)),
    )
    .await;
    assert!(texts(&next)[0].contains("newer"));
    // Newer than the first page: nothing.
    let prev = link
        .split(',')
        .find(|p| p.contains("rel=\"prev\""))
        .unwrap();
    let min_id = common::query_of(
        prev.trim()
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap(),
    )["min_id"]
        .clone();
    let (_, none, _) = list(&app, &bob, &format!("/api/v1/favourites?min_id={min_id}")).await;
    assert_eq!(none, json!([]));
    let (_, mine, _) = list(&app, &alice, "/api/v1/favourites").await;
    assert_eq!(mine, json!([]), "each person's own likes");
}

#[tokio::test]
async fn pins_follow_mastodons_rules() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let mut mine = Vec::new();
    for n in 0..6 {
        let visibility = if n % 2 == 0 { "public" } else { "unlisted" };
        mine.push(
            post(
                &app,
                &alice,
                json!({"status": format!("pin {n}"), "visibility": visibility}),
            )
            .await,
        );
    }
    for p in &mine[..5] {
        let (status, body) = act(&app, &alice, &p["id"], "pin").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["pinned"], true);
    }
    // The sixth: Mastodon's limit, with its 422.
    let (status, body) = act(&app, &alice, &mine[5]["id"], "pin").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].as_str().unwrap().contains('5'), "{body}");
    // Pinning again what is pinned changes nothing (and is no sixth).
    let (status, _) = act(&app, &alice, &mine[4]["id"], "pin").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Someone else's post, a followers-only or direct one, a boost: refused.
    let theirs = post(&app, &bob, json!({"status": "bob's"})).await;
    let (status, body) = act(&app, &alice, &theirs["id"], "pin").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].is_string());
    let (status, _) = act(&app, &alice, &mine[0]["id"], "unpin").await;
    assert_eq!(status, StatusCode::OK);
    for visibility in ["private", "direct"] {
        let p = post(
            &app,
            &alice,
            json!({"status": "closed", "visibility": visibility}),
        )
        .await;
        let (status, body) = act(&app, &alice, &p["id"], "pin").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{visibility}: {body}"
        );
    }
    let (_, boost) = act(&app, &alice, &theirs["id"], "reblog").await;
    let (status, _) = act(&app, &alice, &boost["id"], "pin").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // `pinned` is shown to the author only.
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/statuses/{}", mine[1]["id"].as_str().unwrap()),
            Some(&bob.token),
        )
        .await;
    assert!(seen.get("pinned").is_none(), "{seen}");
    assert_eq!(seen["bookmarked"], false);

    // The profile's pinned posts, most recently pinned first.
    let (status, pinned) = app
        .get_json(
            &format!("/api/v1/accounts/{}/statuses?pinned=true", alice.id),
            Some(&bob.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pinned}");
    let pinned = texts(&pinned);
    assert_eq!(pinned.len(), 4);
    assert!(
        pinned[0].contains("pin 4") && pinned[3].contains("pin 1"),
        "{pinned:?}"
    );
    // Pinned posts come on one page: an app paging anyway gets nothing more.
    let (status, more) = app
        .get_json(
            &format!(
                "/api/v1/accounts/{}/statuses?pinned=true&max_id=1",
                alice.id
            ),
            Some(&bob.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(more, json!([]));
    let (_, instance) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(
        instance["configuration"]["accounts"]["max_pinned_statuses"],
        5
    );

    // The featured collection: named in the actor, the pinned notes embedded.
    let ap = |path: String| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(app.url(&path))
                .header(header::ACCEPT, "application/activity+json")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };
    let actor = ap("/users/alice".into()).await;
    let featured = actor["featured"].as_str().unwrap().to_string();
    assert_eq!(
        featured,
        format!("{}/users/alice/collections/featured", app.base)
    );
    let collection = ap("/users/alice/collections/featured".into()).await;
    assert_eq!(collection["id"], featured);
    assert_eq!(collection["type"], "OrderedCollection");
    assert_eq!(collection["totalItems"], 4);
    let items = collection["orderedItems"].as_array().unwrap();
    assert_eq!(items[0]["type"], "Note");
    assert_eq!(items[0]["id"], mine[4]["uri"]);
    assert_eq!(items[0]["attributedTo"], actor["id"]);
}

#[tokio::test]
async fn a_muted_thread_notifies_no_more() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let carol = person(&app, "carol").await;
    let start = post(&app, &alice, json!({"status": "a thread"})).await;
    let reply = post(
        &app,
        &bob,
        json!({"status": "@alice first answer", "in_reply_to_id": start["id"]}),
    )
    .await;
    let mentions = |who: &Person| {
        let app = &app;
        let token = who.token.clone();
        async move {
            let (_, n) = app
                .get_json(
                    "/api/v1/notifications?types[]=mention&types[]=favourite",
                    Some(&token),
                )
                .await;
            n.as_array().unwrap().len()
        }
    };
    assert_eq!(mentions(&alice).await, 1);
    // Carol takes no part in this thread.
    let (status, body) = act(&app, &carol, &start["id"], "mute").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Alice mutes it from bob's answer: the whole thread is muted.
    let (status, body) = act(&app, &alice, &reply["id"], "mute").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["muted"], true);
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/statuses/{}", start["id"].as_str().unwrap()),
            Some(&alice.token),
        )
        .await;
    assert_eq!(seen["muted"], true, "the thread's first post too");
    let deeper = post(
        &app,
        &bob,
        json!({"status": "@alice second answer", "in_reply_to_id": reply["id"]}),
    )
    .await;
    let (status, _) = act(&app, &bob, &start["id"], "favourite").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mentions(&alice).await, 1, "nothing from a muted thread");
    // Another thread still notifies.
    post(&app, &bob, json!({"status": "@alice elsewhere"})).await;
    assert_eq!(mentions(&alice).await, 2);

    let (status, body) = act(&app, &alice, &deeper["id"], "unmute").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["muted"], false);
    post(
        &app,
        &bob,
        json!({"status": "@alice third answer", "in_reply_to_id": deeper["id"]}),
    )
    .await;
    assert_eq!(mentions(&alice).await, 3);
}

#[tokio::test]
async fn several_posts_at_once_and_no_translation() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let one = post(&app, &alice, json!({"status": "one"})).await;
    let two = post(&app, &alice, json!({"status": "two"})).await;
    let hidden = post(
        &app,
        &alice,
        json!({"status": "hidden", "visibility": "direct"}),
    )
    .await;
    let ids = |list: &[&Value]| {
        list.iter()
            .map(|s| format!("id[]={}", s["id"].as_str().unwrap()))
            .collect::<Vec<_>>()
            .join("&")
    };
    let (status, body) = app
        .get_json(
            &format!("/api/v1/statuses?{}&id[]=999", ids(&[&two, &hidden, &one])),
            Some(&bob.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let got: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [two["id"].as_str().unwrap(), one["id"].as_str().unwrap()],
        "in the order asked, the hidden and the unknown left out"
    );
    let many: Vec<&Value> = std::iter::repeat_n(&one, 21).collect();
    let (status, body) = app
        .get_json(
            &format!("/api/v1/statuses?{}", ids(&many)),
            Some(&bob.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app
        .get_json("/api/v1/statuses?id[]=abc", Some(&bob.token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, body) = act(&app, &bob, &one["id"], "translate").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].is_string());
    let (_, instance) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(instance["configuration"]["translation"]["enabled"], false);
}

#[tokio::test]
async fn preferences_round_trip_through_source() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let patch = |form: Vec<(&'static str, &'static str)>| {
        let app = &app;
        let token = alice.token.clone();
        async move {
            let res = app
                .client
                .patch(app.url("/api/v1/accounts/update_credentials"))
                .bearer_auth(token)
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (status, me) = patch(vec![
        ("source[privacy]", "unlisted"),
        ("source[sensitive]", "true"),
        ("source[language]", "fr"),
        ("fields_attributes[0][name]", "Site"),
        ("fields_attributes[0][value]", "https://example.org/"),
        ("fields_attributes[1][name]", "Ville"),
        ("fields_attributes[1][value]", "Lyon & Grenoble"),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["source"]["privacy"], "unlisted");
    assert_eq!(me["source"]["sensitive"], true);
    assert_eq!(me["source"]["language"], "fr");
    let fields = me["source"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0]["name"], "Site");
    assert_eq!(
        fields[0]["value"], "https://example.org/",
        "as typed, not as HTML"
    );
    assert_eq!(fields[1]["value"], "Lyon & Grenoble");

    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice.token))
        .await;
    assert_eq!(me["source"]["privacy"], "unlisted");
    let (status, prefs) = app
        .get_json("/api/v1/preferences", Some(&alice.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        prefs,
        json!({
            "posting:default:visibility": "unlisted",
            "posting:default:sensitive": true,
            "posting:default:language": "fr",
            "reading:expand:media": "default",
            "reading:expand:spoilers": false,
        })
    );
    // A post without a visibility takes the default.
    let p = post(&app, &alice, json!({"status": "par défaut"})).await;
    assert_eq!(p["visibility"], "unlisted");
    assert_eq!(p["language"], "fr");
    assert_eq!(p["sensitive"], true);
    let p = post(
        &app,
        &alice,
        json!({"status": "public", "visibility": "public"}),
    )
    .await;
    assert_eq!(p["visibility"], "public");

    // A bad value is refused, and nothing else changes.
    let (status, body) = patch(vec![
        ("source[privacy]", "everyone"),
        ("display_name", "Changed"),
    ])
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].is_string());
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice.token))
        .await;
    assert_eq!(me["source"]["privacy"], "unlisted");
    assert_ne!(me["display_name"], "Changed");
    let (status, _) = patch(vec![("source[language]", "not a language")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn resolve(app: &TestApp, who: &Person, handle: &str) -> String {
    let (status, body) = app
        .get_json(
            &format!(
                "/api/v2/search?q={}&resolve=true&type=accounts",
                urlencode(handle)
            ),
            Some(&who.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["accounts"][0]["id"].as_str().unwrap().to_string()
}

async fn pinned_texts(app: &TestApp, who: &Person, account: &str) -> Vec<String> {
    let (status, body) = app
        .get_json(
            &format!("/api/v1/accounts/{account}/statuses?pinned=true"),
            Some(&who.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    texts(&body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_travel_between_instances() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let alice = person(&a, "alice").await;
    let bob = person(&b, "bob").await;
    let early = post(&a, &alice, json!({"status": "pinned early"})).await;
    let (status, _) = act(&a, &alice, &early["id"], "pin").await;
    assert_eq!(status, StatusCode::OK);

    // Bob's server has never heard of alice: asking for her pinned posts fetches her
    // featured collection.
    let alice_on_b = resolve(&b, &bob, &format!("@alice@{}", a.domain)).await;
    let pinned = pinned_texts(&b, &bob, &alice_on_b).await;
    assert_eq!(pinned.len(), 1, "{pinned:?}");
    assert!(pinned[0].contains("pinned early"));

    // Once bob follows alice, her pins arrive as `Add` and `Remove`.
    let (status, _) = b
        .post_json(
            &format!("/api/v1/accounts/{alice_on_b}/follow"),
            Some(&bob.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("alice has a follower on b", || async {
        let (_, f) = a
            .get_json(
                &format!("/api/v1/accounts/{}/followers", alice.id),
                Some(&alice.token),
            )
            .await;
        f.as_array().is_some_and(|f| !f.is_empty())
    })
    .await;
    let later = post(&a, &alice, json!({"status": "pinned later"})).await;
    let (status, _) = act(&a, &alice, &later["id"], "pin").await;
    assert_eq!(status, StatusCode::OK);
    eventually("the Add reaches b", || async {
        pinned_texts(&b, &bob, &alice_on_b).await.len() == 2
    })
    .await;
    let pinned = pinned_texts(&b, &bob, &alice_on_b).await;
    assert!(pinned[0].contains("pinned later"), "{pinned:?}");
    let (status, _) = act(&a, &alice, &early["id"], "unpin").await;
    assert_eq!(status, StatusCode::OK);
    eventually("the Remove reaches b", || async {
        pinned_texts(&b, &bob, &alice_on_b).await.len() == 1
    })
    .await;
    // An edit arriving from alice's server leaves the version it replaces in the history.
    let (status, _) = a
        .client
        .put(a.url(&format!(
            "/api/v1/statuses/{}",
            later["id"].as_str().unwrap()
        )))
        .bearer_auth(&alice.token)
        .json(&json!({"status": "pinned later, edited"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let later_on_b = b
        .get_json(
            &format!("/api/v1/accounts/{alice_on_b}/statuses?pinned=true"),
            Some(&bob.token),
        )
        .await
        .1[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    eventually("the edit reaches b with its history", || async {
        let (_, h) = b
            .get_json(
                &format!("/api/v1/statuses/{later_on_b}/history"),
                Some(&bob.token),
            )
            .await;
        h.as_array().is_some_and(|v| v.len() == 2)
    })
    .await;
    let (_, h) = b
        .get_json(
            &format!("/api/v1/statuses/{later_on_b}/history"),
            Some(&bob.token),
        )
        .await;
    assert!(h[0]["content"].as_str().unwrap().contains("pinned later"));
    assert!(h[1]["content"].as_str().unwrap().contains("edited"));
    let (_, s) = b
        .get_json(&format!("/api/v1/statuses/{later_on_b}"), Some(&bob.token))
        .await;
    assert_eq!(s["edited_at"], h[1]["created_at"]);
    // Bob's view of the post says nothing of pins: `pinned` is the author's own.
    let (_, seen) = b
        .get_json(
            &format!("/api/v1/accounts/{alice_on_b}/statuses?pinned=true"),
            Some(&bob.token),
        )
        .await;
    assert!(seen[0].get("pinned").is_none(), "{seen}");
}

fn note(h: &Hostile, author: &str, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": h.url(&format!("/users/{author}/statuses/{n}")),
        "type": "Note",
        "attributedTo": h.url(&format!("/users/{author}")),
        "content": format!("<p>{author} {n}</p>"),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [],
        "published": "2026-12-01T10:00:00Z",
    })
}

async fn pins_of(app: &TestApp, account: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT s.uri FROM status_pins p JOIN statuses s ON s.id = p.status_id \
         WHERE p.account_id = $1 ORDER BY p.id",
    )
    .bind(account)
    .fetch_all(app.state.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_actor_changes_its_featured_collection_and_only_with_its_posts() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let mine = post(&app, &alice, json!({"status": "alice's"})).await;
    let (status, _) = act(&app, &alice, &mine["id"], "pin").await;
    assert_eq!(status, StatusCode::OK);
    let h = Hostile::start().await;
    // A third server, whose posts mallory names: never asked for anything.
    let elsewhere = Hostile::start().await;
    let mut actors = Vec::new();
    for name in ["mallory", "eve"] {
        let mut doc = h.actor_doc(name, "Person");
        doc["featured"] = json!(h.url(&format!("/users/{name}/collections/featured")));
        h.serve(&format!("/users/{name}"), doc);
        for n in 1..=2 {
            h.serve(&format!("/users/{name}/statuses/{n}"), note(&h, name, n));
        }
        let id = h.url(&format!("/users/{name}"));
        actors.push((h.introduce(&app, &id).await, id));
    }
    let (mallory, mallory_id) = actors[0].clone();
    let (eve, eve_id) = actors[1].clone();
    let featured = |who: &str| h.url(&format!("/users/{who}/collections/featured"));
    let change = |n: u32, kind: &str, actor: &str, object: String, target: String| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": h.url(&format!("/activities/{n}")),
            "type": kind,
            "actor": actor,
            "object": object,
            "target": target,
        })
    };

    // Eve pins her own post: applied (the post fetched from her server).
    let eve_post = h.url("/users/eve/statuses/1");
    h.deliver_processed(
        &app,
        &eve_id,
        &change(1, "Add", &eve_id, eve_post.clone(), featured("eve")),
    )
    .await;
    assert_eq!(pins_of(&app, eve.id).await, [eve_post.as_str()]);

    // Mallory adds to eve's collection, and to alice's here: nothing changes.
    let mallory_post = h.url("/users/mallory/statuses/1");
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(2, "Add", &mallory_id, mallory_post.clone(), featured("eve")),
    )
    .await;
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(
            3,
            "Add",
            &mallory_id,
            mallory_post.clone(),
            format!("{}/users/alice/collections/featured", app.base),
        ),
    )
    .await;
    assert_eq!(pins_of(&app, eve.id).await, [eve_post.as_str()]);
    assert_eq!(
        pins_of(&app, alice.id).await,
        [mine["uri"].as_str().unwrap().to_string()]
    );
    assert!(pins_of(&app, mallory.id).await.is_empty());

    // Mallory pins eve's post in her own collection: not hers, refused.
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(4, "Add", &mallory_id, eve_post.clone(), featured("mallory")),
    )
    .await;
    assert!(pins_of(&app, mallory.id).await.is_empty());
    // A post of a third server is not fetched on her word.
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(
            5,
            "Add",
            &mallory_id,
            elsewhere.url("/notes/1"),
            featured("mallory"),
        ),
    )
    .await;
    assert!(pins_of(&app, mallory.id).await.is_empty());

    // Mallory removes eve's pin and alice's: nothing changes.
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(6, "Remove", &mallory_id, eve_post.clone(), featured("eve")),
    )
    .await;
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(
            7,
            "Remove",
            &mallory_id,
            mine["uri"].as_str().unwrap().into(),
            format!("{}/users/alice/collections/featured", app.base),
        ),
    )
    .await;
    assert_eq!(pins_of(&app, eve.id).await, [eve_post.as_str()]);
    assert_eq!(pins_of(&app, alice.id).await.len(), 1);

    // Her own post in her own collection: applied; and removed.
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(
            8,
            "Add",
            &mallory_id,
            mallory_post.clone(),
            featured("mallory"),
        ),
    )
    .await;
    assert_eq!(pins_of(&app, mallory.id).await, [mallory_post.as_str()]);
    h.deliver_processed(
        &app,
        &mallory_id,
        &change(
            9,
            "Remove",
            &mallory_id,
            mallory_post.clone(),
            featured("mallory"),
        ),
    )
    .await;
    assert!(pins_of(&app, mallory.id).await.is_empty());

    // A featured collection naming others' posts, or posts of other servers, when apps ask:
    // only the actor's own are kept, at most 20 read.
    let mut items = vec![json!(eve_post), json!(elsewhere.url("/notes/2"))];
    items.push(note(&h, "mallory", 2));
    for n in 0..40 {
        items.push(json!(
            h.url(&format!("/users/mallory/statuses/missing-{n}"))
        ));
    }
    h.serve(
        "/users/mallory/collections/featured",
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": featured("mallory"),
            "type": "OrderedCollection",
            "orderedItems": items,
        }),
    );
    sqlx::query("UPDATE featured_fetches SET fetched_at = 0")
        .execute(app.state.pool())
        .await
        .unwrap();
    let viewer = person(&app, "viewer").await;
    let pinned = pinned_texts(&app, &viewer, &mallory.id.to_string()).await;
    assert_eq!(pinned.len(), 1, "{pinned:?}");
    assert!(pinned[0].contains("mallory 2"));
    let fetched_missing = h
        .received()
        .iter()
        .filter(|r| r.path.contains("missing-"))
        .count();
    assert!(fetched_missing <= 20, "{fetched_missing} items fetched");
    assert!(elsewhere.received().is_empty(), "a third server was asked");
    // Asked again within the hour: not fetched again.
    let fetches = h.received().len();
    pinned_texts(&app, &viewer, &mallory.id.to_string()).await;
    assert_eq!(h.received().len(), fetches);
}

#[tokio::test]
async fn the_settings_page_sets_what_apps_read() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let browser = app.browser();
    browser
        .sign_in("alice@example.org", "correct horse battery")
        .await;
    let page = browser.get_in("/settings/preferences", "en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.contains("Default visibility of your posts"),
        "{}",
        page.body
    );

    // A language that is no code: refused by its field, what was typed kept, nothing saved.
    let refused = browser
        .submit(
            "/settings/preferences",
            "/settings/posting",
            &[
                ("visibility", "private"),
                ("language", "zzzz"),
                ("expand_media", "show_all"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("aria-invalid=\"true\""),
        "{}",
        refused.body
    );
    assert!(refused.contains("value=\"zzzz\""), "{}", refused.body);
    let (_, prefs) = app
        .get_json("/api/v1/preferences", Some(&alice.token))
        .await;
    assert_eq!(prefs["posting:default:visibility"], "public");

    let saved = browser
        .submit(
            "/settings/preferences",
            "/settings/posting",
            &[
                ("visibility", "private"),
                ("sensitive", "1"),
                ("language", "de"),
                ("expand_media", "hide_all"),
                ("expand_spoilers", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, prefs) = app
        .get_json("/api/v1/preferences", Some(&alice.token))
        .await;
    assert_eq!(
        prefs,
        json!({
            "posting:default:visibility": "private",
            "posting:default:sensitive": true,
            "posting:default:language": "de",
            "reading:expand:media": "hide_all",
            "reading:expand:spoilers": true,
        })
    );
    let page = browser.get("/settings/preferences").await;
    assert!(
        page.contains("<option value=\"hide_all\" selected>"),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_at_once_from_two_processes_keep_the_limit() {
    let first = spawn_app().await;
    let second = common::spawn_second_process(&first).await;
    let alice = person(&first, "alice").await;
    let mut posts = Vec::new();
    for n in 0..8 {
        posts.push(post(&first, &alice, json!({"status": format!("race {n}")})).await);
    }
    let pins = posts.iter().enumerate().map(|(n, p)| {
        let app = if n % 2 == 0 { &first } else { &second };
        let token = alice.token.clone();
        let id = p["id"].as_str().unwrap().to_string();
        async move {
            app.post_json(
                &format!("/api/v1/statuses/{id}/pin"),
                Some(&token),
                &json!({}),
            )
            .await
            .0
        }
    });
    let answers = futures::future::join_all(pins).await;
    let ok = answers.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = answers
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((ok, refused), (5, 3), "{answers:?}");
    assert_eq!(pins_of(&first, alice.id).await.len(), 5);
}

#[tokio::test]
async fn a_deleted_account_leaves_no_bookmark_pin_mute_or_preference() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    let hers = post(&app, &alice, json!({"status": "@bob a thread"})).await;
    let his = post(&app, &bob, json!({"status": "bob's own"})).await;
    for (p, action) in [(&hers, "bookmark"), (&his, "pin"), (&hers, "mute")] {
        let (status, body) = act(&app, &bob, &p["id"], action).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let res = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&bob.token)
        .form(&[("source[privacy]", "private")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let count = |table: &'static str| {
        let app = &app;
        let id = bob.id;
        async move {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE account_id = $1"
            )))
            .bind(id)
            .fetch_one(app.state.pool())
            .await
            .unwrap();
            n
        }
    };
    for table in [
        "bookmarks",
        "status_pins",
        "thread_mutes",
        "user_preferences",
    ] {
        assert_eq!(count(table).await, 1, "{table} before");
    }
    let browser = app.browser();
    browser
        .sign_in("bob@example.org", "correct horse battery")
        .await;
    let gone = browser
        .submit(
            "/settings/delete",
            "/settings/delete",
            &[("password", "correct horse battery")],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    for table in [
        "bookmarks",
        "status_pins",
        "thread_mutes",
        "user_preferences",
    ] {
        assert_eq!(count(table).await, 0, "{table} after");
    }
}
