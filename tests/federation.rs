//! Several coopol instances in one process, talking ActivityPub over loopback: follows (and
//! approval), posts of every visibility reaching exactly the right people, replies and
//! threads, likes and boosts, edits, deletions, blocks and account deletion, each checked on
//! each instance's own view.

mod common;

use common::{TestApp, eventually, spawn_app, urlencode};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// A local account on an instance, with a token.
struct Person {
    token: String,
    handle: String,
}

async fn person(app: &TestApp, name: &str) -> Person {
    let (id, token) = app.user_with_token(name, "read write follow").await;
    let _ = id;
    Person {
        token,
        handle: format!("@{name}@{}", app.domain),
    }
}

/// Finds a remote account through search with resolve=true, as apps do; returns its local id.
async fn resolve(app: &TestApp, who: &Person, handle: &str) -> String {
    let q = url::form_urlencoded::byte_serialize(handle.as_bytes()).collect::<String>();
    let (status, body) = app
        .get_json(
            &format!("/api/v2/search?q={q}&resolve=true&type=accounts"),
            Some(&who.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let accounts = body["accounts"].as_array().unwrap();
    assert!(!accounts.is_empty(), "{handle} not found: {body}");
    accounts[0]["id"].as_str().unwrap().to_string()
}

async fn follow(app: &TestApp, who: &Person, id: &str) -> Value {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{id}/follow"),
            Some(&who.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn relationship(app: &TestApp, who: &Person, id: &str) -> Value {
    let (_, body) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(&who.token),
        )
        .await;
    body[0].clone()
}

async fn post(app: &TestApp, who: &Person, body: Value) -> Value {
    let (status, answer) = app
        .post_json("/api/v1/statuses", Some(&who.token), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn home_texts(app: &TestApp, who: &Person) -> Vec<String> {
    let (_, body) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(&who.token))
        .await;
    body.as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let s = if s["reblog"].is_object() {
                        &s["reblog"]
                    } else {
                        s
                    };
                    s["content"].as_str().unwrap_or_default().to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn home_has(app: &TestApp, who: &Person, text: &str) -> bool {
    home_texts(app, who).await.iter().any(|c| c.contains(text))
}

async fn notifications(app: &TestApp, who: &Person) -> Vec<Value> {
    let (_, body) = app
        .get_json("/api/v1/notifications", Some(&who.token))
        .await;
    body.as_array().cloned().unwrap_or_default()
}

async fn has_notification(app: &TestApp, who: &Person, kind: &str) -> bool {
    notifications(app, who)
        .await
        .iter()
        .any(|n| n["type"] == kind)
}

/// Two instances, alice on A following bob on B.
async fn pair() -> (TestApp, TestApp, Person, Person, String, String) {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let alice = person(&a, "alice").await;
    let bob = person(&b, "bob").await;
    let bob_on_a = resolve(&a, &alice, &bob.handle).await;
    let r = follow(&a, &alice, &bob_on_a).await;
    assert!(r["following"] == true || r["requested"] == true, "{r}");
    eventually("bob's server accepts alice's follow", || async {
        relationship(&a, &alice, &bob_on_a).await["following"] == true
    })
    .await;
    let alice_on_b = resolve(&b, &bob, &alice.handle).await;
    eventually("bob sees alice as a follower", || async {
        relationship(&b, &bob, &alice_on_b).await["followed_by"] == true
    })
    .await;
    (a, b, alice, bob, bob_on_a, alice_on_b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_post_reply_and_direct_message_across_instances() {
    let (a, b, alice, bob, _bob_on_a, alice_on_b) = pair().await;
    assert!(has_notification(&b, &bob, "follow").await);

    // Bob posts publicly: it reaches alice's home timeline on A.
    let public = post(
        &b,
        &bob,
        json!({"status": "Tractage samedi au marché #Lille", "visibility": "public"}),
    )
    .await;
    eventually("alice sees bob's public post", || {
        home_has(&a, &alice, "Tractage samedi")
    })
    .await;

    // Alice replies; bob is notified on B, and the reply hangs under his post.
    let (_, found) = a
        .get_json(
            &format!(
                "/api/v2/search?q={}&resolve=true",
                urlencode(public["uri"].as_str().unwrap())
            ),
            Some(&alice.token),
        )
        .await;
    let on_a = found["statuses"][0]["id"]
        .as_str()
        .expect("bob's post known on A")
        .to_string();
    let reply = post(
        &a,
        &alice,
        json!({"status": format!("{} je viens !", bob.handle), "in_reply_to_id": on_a}),
    )
    .await;
    assert_eq!(reply["mentions"][0]["acct"], format!("bob@{}", b.domain));
    eventually("bob is notified of alice's reply", || {
        has_notification(&b, &bob, "mention")
    })
    .await;
    let public_id = public["id"].as_str().unwrap();
    eventually("the reply is in the thread on B", || async {
        let (_, ctx) = b
            .get_json(
                &format!("/api/v1/statuses/{public_id}/context"),
                Some(&bob.token),
            )
            .await;
        ctx["descendants"].as_array().is_some_and(|d| {
            d.iter().any(|s| {
                s["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("je viens")
            })
        })
    })
    .await;

    // A direct message: bob sees it, nobody else on either instance. Bob follows alice back
    // first: the default notification policy (Mastodon's) filters private mentions from
    // people one does not follow.
    follow(&b, &bob, &alice_on_b).await;
    eventually("alice's server accepts bob's follow", || async {
        relationship(&b, &bob, &alice_on_b).await["following"] == true
    })
    .await;
    let carol = person(&a, "carol").await;
    let dave = person(&b, "dave").await;
    let dm = post(
        &a,
        &alice,
        json!({"status": format!("{} secret du bureau", bob.handle), "visibility": "direct"}),
    )
    .await;
    eventually("bob gets alice's direct message", || async {
        notifications(&b, &bob).await.iter().any(|n| {
            n["type"] == "mention"
                && n["status"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("secret du bureau")
        })
    })
    .await;
    let bob_dm = notifications(&b, &bob)
        .await
        .into_iter()
        .find(|n| {
            n["status"]["content"]
                .as_str()
                .unwrap_or_default()
                .contains("secret du bureau")
        })
        .unwrap();
    assert_eq!(bob_dm["status"]["visibility"], "direct");
    let dm_on_b = bob_dm["status"]["id"].as_str().unwrap().to_string();
    for (app, who, id) in [
        (&b, &dave, dm_on_b.as_str()),
        (&a, &carol, dm["id"].as_str().unwrap()),
    ] {
        let (status, _) = app
            .get_json(&format!("/api/v1/statuses/{id}"), Some(&who.token))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a third party reads the DM");
        assert!(!home_has(app, who, "secret du bureau").await);
    }
    let (status, _) = b
        .get_json(&format!("/api/v1/statuses/{dm_on_b}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!home_has(&b, &bob, "mauvais").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_only_posts_reach_followers_and_nobody_else() {
    let (a, b, alice, bob, _, _) = pair().await;
    let carol = person(&a, "carol").await;
    let erin = person(&b, "erin").await;
    let private = post(
        &b,
        &bob,
        json!({"status": "Réunion de section jeudi", "visibility": "private"}),
    )
    .await;
    eventually("alice (a follower) sees the followers-only post", || {
        home_has(&a, &alice, "Réunion de section")
    })
    .await;
    assert!(!home_has(&a, &carol, "Réunion de section").await);
    assert!(!home_has(&b, &erin, "Réunion de section").await);

    // Not fetchable by anyone else: unsigned, or through B's API by a non-follower.
    let uri = private["uri"].as_str().unwrap();
    let unsigned = a
        .client
        .get(uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::NOT_FOUND);
    let id = private["id"].as_str().unwrap();
    let (status, _) = b
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&erin.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Carol on A asks A to fetch it: A signs as its instance actor, which does not follow bob.
    let (_, found) = a
        .get_json(
            &format!("/api/v2/search?q={}&resolve=true", urlencode(uri)),
            Some(&carol.token),
        )
        .await;
    assert_eq!(
        found["statuses"].as_array().map(Vec::len),
        Some(0),
        "{found}"
    );
    // The public web page does not show it either.
    let page = b
        .client
        .get(b.url(&format!("/@bob/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likes_boosts_edits_and_deletes_travel() {
    let (a, b, alice, bob, _bob_on_a, _) = pair().await;
    let original = post(&b, &bob, json!({"status": "Première version"})).await;
    eventually("alice sees bob's post", || {
        home_has(&a, &alice, "Première version")
    })
    .await;
    let (_, found) = a
        .get_json(
            &format!(
                "/api/v2/search?q={}&resolve=true",
                urlencode(original["uri"].as_str().unwrap())
            ),
            Some(&alice.token),
        )
        .await;
    let on_a = found["statuses"][0]["id"].as_str().unwrap().to_string();

    let (status, liked) = a
        .post_json(
            &format!("/api/v1/statuses/{on_a}/favourite"),
            Some(&alice.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(liked["favourited"], true);
    let id_b = original["id"].as_str().unwrap();
    eventually("bob's post counts alice's like on B", || async {
        b.get_json(&format!("/api/v1/statuses/{id_b}"), Some(&bob.token))
            .await
            .1["favourites_count"]
            == 1
    })
    .await;
    assert!(has_notification(&b, &bob, "favourite").await);
    let (_, who) = b
        .get_json(&format!("/api/v1/statuses/{id_b}/favourited_by"), None)
        .await;
    assert_eq!(who[0]["acct"], format!("alice@{}", a.domain));

    a.post_json(
        &format!("/api/v1/statuses/{on_a}/unfavourite"),
        Some(&alice.token),
        &json!({}),
    )
    .await;
    eventually("the like is withdrawn on B", || async {
        b.get_json(&format!("/api/v1/statuses/{id_b}"), Some(&bob.token))
            .await
            .1["favourites_count"]
            == 0
    })
    .await;

    let (status, boost) = a
        .post_json(
            &format!("/api/v1/statuses/{on_a}/reblog"),
            Some(&alice.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{boost}");
    assert_eq!(boost["reblog"]["id"], on_a);
    eventually("bob is told of the boost", || {
        has_notification(&b, &bob, "reblog")
    })
    .await;
    eventually("B counts the boost", || async {
        b.get_json(&format!("/api/v1/statuses/{id_b}"), None)
            .await
            .1["reblogs_count"]
            == 1
    })
    .await;
    a.post_json(
        &format!("/api/v1/statuses/{on_a}/unreblog"),
        Some(&alice.token),
        &json!({}),
    )
    .await;
    eventually("B forgets the boost", || async {
        b.get_json(&format!("/api/v1/statuses/{id_b}"), None)
            .await
            .1["reblogs_count"]
            == 0
    })
    .await;

    let (status, edited) = b
        .client
        .put(b.url(&format!("/api/v1/statuses/{id_b}")))
        .bearer_auth(&bob.token)
        .json(&json!({"status": "Version corrigée"}))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    assert!(edited["edited_at"].is_string());
    eventually("alice sees the edit", || {
        home_has(&a, &alice, "Version corrigée")
    })
    .await;

    let (status, deleted) = b
        .client
        .delete(b.url(&format!("/api/v1/statuses/{id_b}")))
        .bearer_auth(&bob.token)
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let deleted: Value = deleted.json().await.unwrap();
    assert_eq!(deleted["text"], "Version corrigée");
    eventually("the post is gone from A", || async {
        a.get_json(&format!("/api/v1/statuses/{on_a}"), Some(&alice.token))
            .await
            .0
            == StatusCode::NOT_FOUND
    })
    .await;
    assert!(!home_has(&a, &alice, "Version corrigée").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_accounts_approve_remote_followers() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let alice = person(&a, "alice").await;
    let bob = person(&b, "bob").await;
    let (status, _) = b
        .client
        .patch(b.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&bob.token)
        .json(&json!({"locked": true}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let bob_on_a = resolve(&a, &alice, &bob.handle).await;
    let (_, bob_seen) = a
        .get_json(&format!("/api/v1/accounts/{bob_on_a}"), None)
        .await;
    assert_eq!(bob_seen["locked"], true);
    let r = follow(&a, &alice, &bob_on_a).await;
    assert_eq!(r["requested"], true);
    eventually("bob gets a follow request", || {
        has_notification(&b, &bob, "follow_request")
    })
    .await;
    let (_, requests) = b
        .get_json("/api/v1/follow_requests", Some(&bob.token))
        .await;
    let requester = requests[0]["id"].as_str().unwrap().to_string();
    // Nothing reaches alice before approval.
    post(
        &b,
        &bob,
        json!({"status": "Avant validation", "visibility": "private"}),
    )
    .await;
    let (status, _) = b
        .post_json(
            &format!("/api/v1/follow_requests/{requester}/authorize"),
            Some(&bob.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("alice's follow is accepted", || async {
        relationship(&a, &alice, &bob_on_a).await["following"] == true
    })
    .await;
    post(
        &b,
        &bob,
        json!({"status": "Après validation", "visibility": "private"}),
    )
    .await;
    eventually("alice sees followers-only posts now", || {
        home_has(&a, &alice, "Après validation")
    })
    .await;
    assert!(!home_has(&a, &alice, "Avant validation").await);

    // A refused request leaves no follow.
    let carol = person(&a, "carol").await;
    let bob_for_carol = resolve(&a, &carol, &bob.handle).await;
    follow(&a, &carol, &bob_for_carol).await;
    eventually("bob gets carol's request", || async {
        b.get_json("/api/v1/follow_requests", Some(&bob.token))
            .await
            .1
            .as_array()
            .is_some_and(|r| !r.is_empty())
    })
    .await;
    let (_, requests) = b
        .get_json("/api/v1/follow_requests", Some(&bob.token))
        .await;
    let carol_on_b = requests[0]["id"].as_str().unwrap().to_string();
    b.post_json(
        &format!("/api/v1/follow_requests/{carol_on_b}/reject"),
        Some(&bob.token),
        &json!({}),
    )
    .await;
    eventually("carol's request is gone on A", || async {
        let r = relationship(&a, &carol, &bob_for_carol).await;
        r["requested"] == false && r["following"] == false
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfollow_and_block_end_delivery() {
    let (a, b, alice, bob, bob_on_a, alice_on_b) = pair().await;
    let (status, _) = a
        .post_json(
            &format!("/api/v1/accounts/{bob_on_a}/unfollow"),
            Some(&alice.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("B drops alice as a follower", || async {
        relationship(&b, &bob, &alice_on_b).await["followed_by"] == false
    })
    .await;
    post(&b, &bob, json!({"status": "Après le départ"})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!home_has(&a, &alice, "Après le départ").await);

    follow(&a, &alice, &bob_on_a).await;
    eventually("following again", || async {
        relationship(&a, &alice, &bob_on_a).await["following"] == true
    })
    .await;
    let (status, r) = b
        .post_json(
            &format!("/api/v1/accounts/{alice_on_b}/block"),
            Some(&bob.token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["blocking"], true);
    eventually("A drops the follow after the block", || async {
        relationship(&a, &alice, &bob_on_a).await["following"] == false
    })
    .await;
    eventually("A records the block", || async {
        relationship(&a, &alice, &bob_on_a).await["blocked_by"] == true
    })
    .await;
    let r = a
        .post_json(
            &format!("/api/v1/accounts/{bob_on_a}/follow"),
            Some(&alice.token),
            &json!({}),
        )
        .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_deletion_reaches_other_servers() {
    let (a, b, alice, bob, bob_on_a, _) = pair().await;
    post(&b, &bob, json!({"status": "Mon dernier message"})).await;
    eventually("alice sees bob's post", || {
        home_has(&a, &alice, "Mon dernier message")
    })
    .await;
    let browser = b.browser();
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
    eventually("A deletes bob and his posts", || async {
        a.get_json(&format!("/api/v1/accounts/{bob_on_a}"), None)
            .await
            .0
            == StatusCode::NOT_FOUND
    })
    .await;
    assert!(!home_has(&a, &alice, "Mon dernier message").await);
    let actor = b
        .client
        .get(b.url("/users/bob"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(actor.status(), StatusCode::GONE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_unlisted_and_mentions() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let c = spawn_app().await;
    let alice = person(&a, "alice").await;
    let bob = person(&b, "bob").await;
    let cyril = person(&c, "cyril").await;
    // Cyril follows bob; alice follows nobody but is mentioned.
    let bob_on_c = resolve(&c, &cyril, &bob.handle).await;
    follow(&c, &cyril, &bob_on_c).await;
    eventually("cyril follows bob", || async {
        relationship(&c, &cyril, &bob_on_c).await["following"] == true
    })
    .await;
    resolve(&b, &bob, &alice.handle).await;
    let s = post(
        &b,
        &bob,
        json!({"status": format!("Hello {} !", alice.handle), "visibility": "unlisted"}),
    )
    .await;
    assert_eq!(s["visibility"], "unlisted");
    eventually("cyril (follower) gets the unlisted post", || {
        home_has(&c, &cyril, "Hello")
    })
    .await;
    eventually("alice (mentioned) is notified", || {
        has_notification(&a, &alice, "mention")
    })
    .await;
    // Unlisted posts stay out of public timelines everywhere.
    for app in [&a, &b, &c] {
        let (_, tl) = app.get_json("/api/v1/timelines/public", None).await;
        assert!(
            !tl.to_string().contains("Hello"),
            "unlisted post in a public timeline"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_documents() {
    let a = spawn_app().await;
    person(&a, "alice").await;
    let (status, wf) = a
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:alice@{}", a.domain),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(wf["subject"], format!("acct:alice@{}", a.domain));
    let self_link = wf["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap();
    assert_eq!(self_link["type"], "application/activity+json");
    assert_eq!(self_link["href"], a.url("/users/alice"));
    let (status, by_url) = a
        .get_json(
            &format!(
                "/.well-known/webfinger?resource={}",
                urlencode(&a.url("/users/alice"))
            ),
            None,
        )
        .await;
    assert_eq!(
        (status, by_url["subject"].clone()),
        (StatusCode::OK, wf["subject"].clone())
    );
    for bad in [
        "acct:nobody@x",
        "acct:alice@elsewhere.example",
        "https://elsewhere.example/users/alice",
    ] {
        let (status, _) = a
            .get_json(
                &format!("/.well-known/webfinger?resource={}", urlencode(bad)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    assert_eq!(
        a.get_json("/.well-known/webfinger", None).await.0,
        StatusCode::BAD_REQUEST
    );
    let (_, instance_wf) = a
        .get_json(
            &format!("/.well-known/webfinger?resource=acct:{0}@{0}", a.domain),
            None,
        )
        .await;
    assert_eq!(instance_wf["links"][1]["href"], a.url("/actor"));

    let actor: Value = a
        .client
        .get(a.url("/users/alice"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["preferredUsername"], "alice");
    assert_eq!(actor["inbox"], a.url("/users/alice/inbox"));
    assert_eq!(actor["endpoints"]["sharedInbox"], a.url("/inbox"));
    assert_eq!(actor["publicKey"]["id"], a.url("/users/alice#main-key"));
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .contains("PUBLIC KEY")
    );
    let html = a.client.get(a.url("/users/alice")).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::SEE_OTHER);

    let instance: Value = a
        .client
        .get(a.url("/actor"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(instance["type"], "Application");
    let (_, links) = a.get_json("/.well-known/nodeinfo", None).await;
    assert_eq!(links["links"][0]["href"], a.url("/nodeinfo/2.0"));
    for v in ["2.0", "2.1"] {
        let (status, ni) = a.get_json(&format!("/nodeinfo/{v}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ni["version"], v);
        assert_eq!(ni["software"]["name"], "coopol");
        assert_eq!(ni["protocols"], json!(["activitypub"]));
        assert_eq!(ni["usage"]["users"]["total"], 1);
    }
    let meta = a
        .client
        .get(a.url("/.well-known/host-meta"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(meta.contains("lrdd") && meta.contains(&a.url("/.well-known/webfinger")));
}

/// A host is parked only after failing without a break: a success, or a silence longer than
/// retries ever leave, starts a new streak, whichever process recorded what.
#[tokio::test]
async fn failure_streaks_end_with_a_success_or_a_long_silence() {
    use coopol::db::federation::{FAILURE_STREAK_GAP, host_failed, host_succeeded};
    let app = spawn_app().await;
    let pool = app.state.pool();
    let hour = 3600 * 1_000_000i64;
    let t0 = 1_000_000 * hour;
    assert_eq!(host_failed(pool, "down.example", t0).await.unwrap(), t0);
    // Retries an hour apart keep the streak going.
    let mut t = t0;
    for _ in 0..5 {
        t += hour;
        assert_eq!(host_failed(pool, "down.example", t).await.unwrap(), t0);
    }
    // A long silence (no delivery owed, or successes another process saw) starts anew.
    t += FAILURE_STREAK_GAP + 1;
    assert_eq!(host_failed(pool, "down.example", t).await.unwrap(), t);
    // So does a recorded success.
    host_succeeded(pool, "down.example", t + 1).await.unwrap();
    assert_eq!(
        host_failed(pool, "down.example", t + 2).await.unwrap(),
        t + 2
    );
}
