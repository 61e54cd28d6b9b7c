//! Hashtags as Mastodon apps use them: a tag's page (`/api/v1/tags/:name`, its week of public
//! use, `following`), following and unfollowing (idempotent), the followed tags page by page,
//! the home timeline and the `user` stream carrying a followed tag's public posts (here and from
//! a stranger's server through the inbox, signed) but never a post the person may not read or
//! does not want, featured tags (limit, counts, suggestions, anyone's list, the `featuredTags`
//! collection, the person's page of a tag), `tagged` on an account's posts, and bad names.

mod common;
#[path = "common/hostile.rs"]
mod hostile;
#[path = "common/scenes.rs"]
#[allow(dead_code)]
mod scenes;

use common::{TestApp, eventually, spawn_app, urlencode};
use hostile::Hostile;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::time::Duration;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

struct Person {
    id: i64,
    token: String,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let (id, token) = app.user_with_token(name, "read write follow").await;
    Person { id, token }
}

async fn post(app: &TestApp, who: &Person, text: &str, visibility: &str) -> Value {
    let (status, answer) = app
        .post_json(
            "/api/v1/statuses",
            Some(&who.token),
            &json!({"status": text, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn call(app: &TestApp, who: &Person, path: &str) -> (StatusCode, Value) {
    app.post_json(path, Some(&who.token), &json!({})).await
}

/// The texts of a home timeline page.
async fn home(app: &TestApp, who: &Person, query: &str) -> Vec<String> {
    let (status, body) = app
        .get_json(&format!("/api/v1/timelines/home{query}"), Some(&who.token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap().to_string())
        .collect()
}

fn count(texts: &[String], needle: &str) -> usize {
    texts.iter().filter(|t| t.contains(needle)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_tells_its_week_of_public_use_and_whether_it_is_followed() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let alice = person(&app, "alice").await;
    let bob = Person {
        id: p.bob_id,
        token: p.bob.clone(),
    };
    post(&app, &alice, "Tous en #Grève", "public").await;
    post(&app, &alice, "Encore la #grève", "public").await;
    post(&app, &bob, "Moi aussi #GRÈVE", "public").await;
    // Not counted: what was not said in public.
    post(&app, &alice, "En douce #grève", "unlisted").await;
    post(&app, &alice, "Aux abonnés #grève", "private").await;
    post(&app, &alice, "@bob seul #grève", "direct").await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::group_post(
        &app,
        &section,
        &p.sec,
        json!({"status": "Réunion des membres #grève", "audience": "members"}),
    )
    .await;

    let path = format!("/api/v1/tags/{}", urlencode("Grève"));
    let (status, tag) = app.get_json(&path, None).await;
    assert_eq!(status, StatusCode::OK, "{tag}");
    assert_eq!(tag["name"], "grève");
    assert_eq!(tag["url"], format!("{}/tags/gr%C3%A8ve", app.base));
    assert!(tag.get("following").is_none(), "{tag}");
    let history = tag["history"].as_array().unwrap();
    assert_eq!(history.len(), 7, "{tag}");
    assert_eq!(history[0]["uses"], "3", "{tag}");
    assert_eq!(history[0]["accounts"], "2", "{tag}");
    assert!(history[0]["day"].as_str().unwrap().parse::<i64>().unwrap() > 0);
    assert!(history[1..].iter().all(|d| d["uses"] == "0"), "{tag}");

    // A tag nobody used answers too, with nothing counted.
    let (status, unused) = app.get_json("/api/v1/tags/jamais", Some(&bob.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(unused["following"], false);
    assert!(
        unused["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["uses"] == "0")
    );

    // Follow (twice: the same answer), read, unfollow (twice).
    for _ in 0..2 {
        let (status, t) = call(&app, &bob, &format!("{path}/follow")).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        assert_eq!(t["following"], true, "{t}");
        assert_eq!(t["name"], "grève");
    }
    let (_, t) = app.get_json(&path, Some(&bob.token)).await;
    assert_eq!(t["following"], true);
    let (_, t) = app.get_json(&path, Some(&alice.token)).await;
    assert_eq!(t["following"], false, "one person's follow is theirs");
    let (_, followed) = app
        .get_json("/api/v1/followed_tags", Some(&bob.token))
        .await;
    assert_eq!(followed.as_array().unwrap().len(), 1, "{followed}");
    assert_eq!(followed[0]["name"], "grève");
    assert_eq!(followed[0]["following"], true);
    // Search tells it too.
    let (_, found) = app
        .get_json(
            "/api/v2/search?q=%23gr%C3%A8&type=hashtags",
            Some(&bob.token),
        )
        .await;
    assert_eq!(found["hashtags"][0]["name"], "grève", "{found}");
    assert_eq!(found["hashtags"][0]["following"], true, "{found}");
    assert_eq!(found["hashtags"][0]["history"][0]["uses"], "3", "{found}");
    for _ in 0..2 {
        let (status, t) = call(&app, &bob, &format!("{path}/unfollow")).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        assert_eq!(t["following"], false, "{t}");
    }
    let (_, followed) = app
        .get_json("/api/v1/followed_tags", Some(&bob.token))
        .await;
    assert_eq!(followed, json!([]));

    // Following needs a token with a follow scope.
    let (status, _) = app
        .post_json(&format!("{path}/follow"), None, &json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, reader) = app.user_with_token("lectrice", "read").await;
    let (status, _) = app
        .post_json(&format!("{path}/follow"), Some(&reader), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_names_are_refused_as_mastodon_does() {
    let app = spawn_app().await;
    let bob = person(&app, "bob").await;
    for bad in [
        "a-b",
        "2026",
        "a%20b",
        "%23%23a",
        &"a".repeat(101),
        "%27%3BDROP",
    ] {
        let (status, body) = app.get_json(&format!("/api/v1/tags/{bad}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {body}");
        assert!(body["error"].is_string(), "{body}");
        let (status, body) = call(&app, &bob, &format!("/api/v1/tags/{bad}/follow")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["error"].is_string(), "{body}");
        let (status, _) = call(&app, &bob, &format!("/api/v1/tags/{bad}/unfollow")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    // The refusal is in the person's language, French first.
    let res = app
        .client
        .post(app.url("/api/v1/tags/a-b/follow"))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("mot-dièse"),
        "{body}"
    );
    let res = app
        .client
        .post(app.url("/api/v1/tags/a-b/follow"))
        .bearer_auth(&bob.token)
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("hashtag"),
        "{body}"
    );
    let (_, followed) = app
        .get_json("/api/v1/followed_tags", Some(&bob.token))
        .await;
    assert_eq!(followed, json!([]), "nothing was followed");

    // Featured tags: a bad or missing name.
    for body in [json!({"name": "a b"}), json!({"name": ""}), json!({})] {
        let (status, answer) = app
            .post_json("/api/v1/featured_tags", Some(&bob.token), &body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    // `tagged` on an account's posts with a bad name.
    let (status, _) = app
        .get_json(
            &format!("/api/v1/accounts/{}/statuses?tagged=a-b", bob.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followed_tags_come_page_by_page_with_link_headers() {
    let app = spawn_app().await;
    let bob = person(&app, "bob").await;
    for name in ["un", "deux", "trois"] {
        let (status, _) = call(&app, &bob, &format!("/api/v1/tags/{name}/follow")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let res = app
        .get("/api/v1/followed_tags?limit=2", Some(&bob.token))
        .await;
    let link = res.headers()[header::LINK].to_str().unwrap().to_string();
    let page: Value = res.json().await.unwrap();
    let names: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["trois", "deux"], "newest follow first");
    assert!(
        link.starts_with(&format!("<{}/api/v1/followed_tags?", app.base)),
        "{link}"
    );
    let next = link
        .split(',')
        .find(|p| p.contains("rel=\"next\""))
        .unwrap();
    let next = next[next.find('<').unwrap() + 1..next.find('>').unwrap()].to_string();
    let path = next.strip_prefix(&app.base).unwrap();
    let (_, page) = app.get_json(path, Some(&bob.token)).await;
    assert_eq!(page.as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page[0]["name"], "un");
    let (_, page) = app
        .get_json(
            &format!("{}&max_id=1", path.split("&max_id").next().unwrap()),
            Some(&bob.token),
        )
        .await;
    assert_eq!(page, json!([]));

    // At most 100 followed tags (each is a source of the home timeline's query).
    for n in 3..100 {
        let (status, _) = call(&app, &bob, &format!("/api/v1/tags/sujet{n}/follow")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, refused) = call(&app, &bob, "/api/v1/tags/encore/follow").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("100"),
        "{refused}"
    );
    let (status, _) = call(&app, &bob, "/api/v1/tags/un/follow").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "following one followed already is no new follow"
    );
    // The home timeline reads them all.
    let texts = home(&app, &bob, "").await;
    assert!(texts.is_empty(), "{texts:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_timeline_has_a_followed_tags_public_posts_and_nothing_more() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let bob = Person {
        id: p.bob_id,
        token: p.bob.clone(),
    };
    let stranger = person(&app, "inconnue").await;
    let friend = person(&app, "amie").await;
    let muted = person(&app, "bavard").await;
    let blocked = person(&app, "troll").await;
    let blocker = person(&app, "fermee").await;
    call(&app, &bob, "/api/v1/tags/Lille/follow").await;
    call(
        &app,
        &bob,
        &format!("/api/v1/accounts/{}/follow", friend.id),
    )
    .await;
    call(&app, &bob, &format!("/api/v1/accounts/{}/mute", muted.id)).await;
    call(
        &app,
        &bob,
        &format!("/api/v1/accounts/{}/block", blocked.id),
    )
    .await;
    call(
        &app,
        &blocker,
        &format!("/api/v1/accounts/{}/block", bob.id),
    )
    .await;

    post(&app, &stranger, "Manif à #Lille samedi", "public").await;
    post(&app, &stranger, "Sans le mot", "public").await;
    post(&app, &stranger, "Abonnés de #lille", "private").await;
    post(&app, &stranger, "Discret #lille", "unlisted").await;
    post(&app, &stranger, "@amie entre nous #lille", "direct").await;
    post(&app, &friend, "Amie à #lille", "public").await;
    post(&app, &muted, "Bavard à #lille", "public").await;
    post(&app, &blocked, "Troll à #lille", "public").await;
    post(&app, &blocker, "Fermée à #lille", "public").await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::group_post(
        &app,
        &section,
        &p.sec,
        json!({"status": "Entre membres #lille", "audience": "members"}),
    )
    .await;
    // A boost of a tagged post is not the post: it does not come by the tag.
    let boosted = post(&app, &friend, "Boostée #lille", "public").await;
    call(
        &app,
        &stranger,
        &format!(
            "/api/v1/statuses/{}/reblog",
            boosted["id"].as_str().unwrap()
        ),
    )
    .await;

    let texts = home(&app, &bob, "?limit=40").await;
    assert_eq!(count(&texts, "Manif à"), 1, "{texts:?}");
    // Followed and tagged: once.
    assert_eq!(count(&texts, "Amie à"), 1, "{texts:?}");
    assert_eq!(count(&texts, "Boostée"), 1, "{texts:?}");
    for absent in [
        "Sans le mot",
        "Abonnés de",
        "Discret",
        "entre nous",
        "Bavard",
        "Troll",
        "Fermée",
        "Entre membres",
    ] {
        assert_eq!(count(&texts, absent), 0, "{absent}: {texts:?}");
    }

    // Pages mix both sources by id: one post a page, newest first, and back with min_id.
    let first = home(&app, &bob, "?limit=1").await;
    assert_eq!(first.len(), 1);
    let (_, page) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&bob.token))
        .await;
    let ids: Vec<i64> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let mut walked = Vec::new();
    let mut max: Option<i64> = None;
    loop {
        let q = match max {
            Some(m) => format!("?limit=1&max_id={m}"),
            None => "?limit=1".into(),
        };
        let (_, page) = app
            .get_json(&format!("/api/v1/timelines/home{q}"), Some(&bob.token))
            .await;
        let Some(s) = page.as_array().unwrap().first() else {
            break;
        };
        let id: i64 = s["id"].as_str().unwrap().parse().unwrap();
        walked.push(id);
        max = Some(id);
    }
    assert_eq!(walked, ids, "paging one by one gives the same posts");
    let oldest = *ids.last().unwrap();
    let (_, newer) = app
        .get_json(
            &format!("/api/v1/timelines/home?limit=2&min_id={oldest}"),
            Some(&bob.token),
        )
        .await;
    let newer: Vec<i64> = newer
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(newer, ids[ids.len() - 3..ids.len() - 1], "{ids:?}");

    // Unfollowed: the stranger's post leaves; the friend's stays.
    call(&app, &bob, "/api/v1/tags/lille/unfollow").await;
    let texts = home(&app, &bob, "?limit=40").await;
    assert_eq!(count(&texts, "Manif à"), 0, "{texts:?}");
    assert_eq!(count(&texts, "Amie à"), 1, "{texts:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_public_post_with_a_followed_tag_arrives_by_the_inbox() {
    let app = spawn_app().await;
    let bob = person(&app, "bob").await;
    call(&app, &bob, "/api/v1/tags/lille/follow").await;
    let h = Hostile::start().await;
    let far = h.actor("lointaine", "Person");
    let note = |n: u32, text: &str, tag: &str, to: Value, cc: Value| {
        json!({"id": h.url(&format!("/notes/{n}")), "type": "Note", "attributedTo": far,
               "content": format!("<p>{text}</p>"), "to": to, "cc": cc,
               "published": "2026-12-01T10:00:00Z",
               "tag": [{"type": "Hashtag", "name": format!("#{tag}"),
                        "href": h.url(&format!("/tags/{tag}"))}]})
    };
    let followers = json!([format!("{far}/followers")]);
    let cases = [
        (
            1,
            "Venue de loin",
            "Lille",
            json!([PUBLIC]),
            followers.clone(),
            true,
        ),
        (
            2,
            "Autre sujet",
            "paris",
            json!([PUBLIC]),
            followers.clone(),
            false,
        ),
        (
            3,
            "Non listée",
            "lille",
            followers.clone(),
            json!([PUBLIC]),
            false,
        ),
        (
            4,
            "Aux abonnés",
            "lille",
            followers.clone(),
            json!([]),
            false,
        ),
    ];
    for (n, text, tag, to, cc, wanted) in cases {
        let create = json!({"id": h.url(&format!("/creates/{n}")), "type": "Create",
                            "actor": far, "object": note(n, text, tag, to, cc)});
        let (state, error) = h.deliver_processed(&app, &far, &create).await;
        assert_eq!(state, "done", "{text}: {error:?}");
        let stored = coopol::db::statuses::by_uri(app.state.pool(), &h.url(&format!("/notes/{n}")))
            .await
            .unwrap();
        assert_eq!(stored.is_some(), wanted, "{text}");
    }
    let texts = home(&app, &bob, "").await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("Venue de loin"), "{texts:?}");
    // Nobody follows the tag any more: a stranger's next post is not wanted.
    call(&app, &bob, "/api/v1/tags/lille/unfollow").await;
    let create = json!({"id": h.url("/creates/5"), "type": "Create", "actor": far,
                        "object": note(5, "Plus personne", "lille", json!([PUBLIC]), followers)});
    h.deliver_processed(&app, &far, &create).await;
    assert!(
        coopol::db::statuses::by_uri(app.state.pool(), &h.url("/notes/5"))
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}

/// An open Server-Sent Events stream.
struct Sse {
    res: reqwest::Response,
    buf: String,
}

impl Sse {
    async fn open(app: &TestApp, path: &str, token: &str) -> Sse {
        let res = app.get(path, Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        Sse {
            res,
            buf: String::new(),
        }
    }

    /// The data of every `update` event until one containing `marker` (included).
    async fn updates_until(&mut self, marker: &str) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        let mut seen = Vec::new();
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = "";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = if v.trim() == "update" {
                            "update"
                        } else {
                            "other"
                        };
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if event == "update" {
                    let done = data.contains(marker);
                    seen.push(data);
                    if done {
                        return seen;
                    }
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {marker} within 15 s: {seen:?}"))
                .unwrap()
                .unwrap();
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_stream_carries_a_followed_tags_post_once() {
    let app = spawn_app().await;
    let bob = person(&app, "bob").await;
    let friend = person(&app, "amie").await;
    let stranger = person(&app, "inconnue").await;
    let muted = person(&app, "bavard").await;
    call(&app, &bob, "/api/v1/tags/lille/follow").await;
    call(
        &app,
        &bob,
        &format!("/api/v1/accounts/{}/follow", friend.id),
    )
    .await;
    call(&app, &bob, &format!("/api/v1/accounts/{}/mute", muted.id)).await;
    let mut stream = Sse::open(&app, "/api/v1/streaming/user", &bob.token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    post(&app, &friend, "Amie à #lille", "public").await;
    post(&app, &stranger, "Inconnue à #lille", "public").await;
    post(&app, &stranger, "Abonnés #lille", "private").await;
    post(&app, &muted, "Bavard à #lille", "public").await;
    post(&app, &friend, "Fin du test", "public").await;
    let seen = stream.updates_until("Fin du test").await;
    let n = |needle: &str| seen.iter().filter(|d| d.contains(needle)).count();
    assert_eq!(n("Amie à"), 1, "{seen:?}");
    assert_eq!(n("Inconnue à"), 1, "{seen:?}");
    assert_eq!(n("Abonnés"), 0, "{seen:?}");
    assert_eq!(n("Bavard"), 0, "{seen:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn featured_tags_are_counted_limited_and_published() {
    let app = spawn_app().await;
    let alice = person(&app, "alice").await;
    let bob = person(&app, "bob").await;
    post(&app, &alice, "Un #Lille", "public").await;
    post(&app, &alice, "Deux #lille", "public").await;
    post(&app, &alice, "Trois #lille", "unlisted").await;
    post(&app, &alice, "Secret #lille", "private").await;
    post(&app, &alice, "@bob rien que toi #lille", "direct").await;
    post(&app, &alice, "Ailleurs #paris #paris2", "public").await;
    post(&app, &alice, "Encore #paris", "public").await;
    post(&app, &bob, "Bob #lille", "public").await;

    let (status, suggested) = app
        .get_json("/api/v1/featured_tags/suggestions", Some(&alice.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = suggested
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lille", "paris", "paris2"], "{suggested}");

    let (status, f) = app
        .post_json(
            "/api/v1/featured_tags",
            Some(&alice.token),
            &json!({"name": "#Lille"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{f}");
    assert_eq!(f["name"], "lille");
    assert_eq!(f["url"], format!("{}/@alice/tagged/lille", app.base));
    // Public and unlisted posts count; followers-only and direct ones do not.
    assert_eq!(f["statuses_count"], "3", "{f}");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(f["last_status_at"], today, "{f}");
    // Again: the same one.
    let (status, again) = app
        .post_json(
            "/api/v1/featured_tags",
            Some(&alice.token),
            &json!({"name": "lille"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], f["id"]);
    let (_, suggested) = app
        .get_json("/api/v1/featured_tags/suggestions", Some(&alice.token))
        .await;
    assert_eq!(
        suggested[0]["name"], "paris",
        "featured tags are not suggested"
    );

    // Anyone reads them, on the account.
    let (status, list) = app
        .get_json(
            &format!("/api/v1/accounts/{}/featured_tags", alice.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["statuses_count"], "3");
    let (status, _) = app
        .get_json("/api/v1/accounts/999999/featured_tags", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The person's page of the tag, on the web and through the API's `tagged`.
    let page = app.get("/@alice/tagged/lille", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Deux"), "the page shows the tagged posts");
    assert!(
        !html.contains("Ailleurs") && !html.contains("Secret"),
        "{html}"
    );
    let (_, tagged) = app
        .get_json(
            &format!("/api/v1/accounts/{}/statuses?tagged=Lille", alice.id),
            None,
        )
        .await;
    assert_eq!(tagged.as_array().unwrap().len(), 3, "{tagged}");
    let (_, tagged) = app
        .get_json(
            &format!(
                "/api/v1/accounts/{}/statuses?tagged=lille&limit=1",
                alice.id
            ),
            None,
        )
        .await;
    assert!(tagged[0]["content"].as_str().unwrap().contains("Trois"));

    // The limit: ten.
    let (_, instance) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(
        instance["configuration"]["accounts"]["max_featured_tags"],
        10
    );
    for n in 1..10 {
        let (status, body) = app
            .post_json(
                "/api/v1/featured_tags",
                Some(&alice.token),
                &json!({"name": format!("sujet{n}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, refused) = app
        .post_json(
            "/api/v1/featured_tags",
            Some(&alice.token),
            &json!({"name": "onze"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("10"),
        "{refused}"
    );
    let (_, mine) = app
        .get_json("/api/v1/featured_tags", Some(&alice.token))
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 10);
    assert_eq!(mine[0]["name"], "lille", "in the order they were added");

    // The actor's `featuredTags` collection.
    let res = app
        .client
        .get(app.url("/users/alice"))
        .header(header::ACCEPT, "application/activity+json")
        .send()
        .await
        .unwrap();
    let actor: Value = res.json().await.unwrap();
    let collection = actor["featuredTags"].as_str().unwrap().to_string();
    assert_eq!(
        collection,
        format!("{}/users/alice/collections/tags", app.base)
    );
    let res = app
        .client
        .get(&collection)
        .header(header::ACCEPT, "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["type"], "OrderedCollection");
    assert_eq!(doc["id"], collection);
    assert_eq!(doc["totalItems"], 10);
    assert_eq!(
        doc["orderedItems"][0],
        json!({"type": "Hashtag", "name": "#lille",
               "href": format!("{}/@alice/tagged/lille", app.base)})
    );

    // Deleting: one's own only.
    let id = f["id"].as_str().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/featured_tags/{id}")))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    for expected in [StatusCode::OK, StatusCode::NOT_FOUND] {
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/featured_tags/{id}")))
            .bearer_auth(&alice.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), expected);
    }
    let (status, added) = app
        .post_json(
            "/api/v1/featured_tags",
            Some(&alice.token),
            &json!({"name": "onze"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "room again after a deletion: {added}"
    );
    let (_, bobs) = app
        .get_json("/api/v1/featured_tags", Some(&bob.token))
        .await;
    assert_eq!(bobs, json!([]));
    app.stop().await;
}

/// Two processes on one PostgreSQL database add featured tags at once: the limit holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_featured_tags_limit_holds_under_concurrent_additions() {
    let app = spawn_app().await;
    let second = common::spawn_second_process(&app).await;
    let alice = person(&app, "alice").await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let base = if n % 2 == 0 {
            app.base.clone()
        } else {
            second.base.clone()
        };
        let client = app.client.clone();
        let token = alice.token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/featured_tags"))
                .bearer_auth(token)
                .json(&json!({"name": format!("sujet{n}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 10);
    eventually("ten featured tags", || async {
        let (_, mine) = app
            .get_json("/api/v1/featured_tags", Some(&alice.token))
            .await;
        mine.as_array().unwrap().len() == 10
    })
    .await;
    second.stop().await;
    app.stop().await;
}
