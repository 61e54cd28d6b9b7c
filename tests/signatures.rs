//! What the inboxes and authorized fetch refuse: wrong keys, stale or future dates, replays,
//! bad digests, actors that did not sign, spoofed ids, oversized and hostile bodies, unsigned
//! reads under authorized fetch, followers-only posts read by others. The other server is a
//! small fake actor host started by the test, whose keys the test controls.

mod common;

use axum::{Json, Router, extract::State, http::header, response::IntoResponse, routing::get};
use common::{TestApp, spawn_app, spawn_app_with};
use coopol::{db, domain::Role, federation::signatures::SigningKey};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use url::Url;

/// A fake remote server hosting one actor, `mallory`, whose key can be rotated.
struct FakePeer {
    base: String,
    doc: Arc<Mutex<Value>>,
    key: Mutex<SigningKey>,
}

async fn fake_peer() -> FakePeer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let (private, public) = coopol::crypto::generate_rsa_keypair();
    let actor = format!("{base}/users/mallory");
    let doc = Arc::new(Mutex::new(actor_doc(&actor, &public)));
    let app = Router::new()
        .route(
            "/users/mallory",
            get(|State(doc): State<Arc<Mutex<Value>>>| async move {
                (
                    [(header::CONTENT_TYPE, "application/activity+json")],
                    Json(doc.lock().unwrap().clone()),
                )
                    .into_response()
            }),
        )
        .with_state(doc.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakePeer {
        key: Mutex::new(SigningKey::from_pem(format!("{actor}#main-key"), &private).unwrap()),
        base,
        doc,
    }
}

fn actor_doc(id: &str, public_pem: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": "mallory",
        "inbox": format!("{id}/inbox"),
        "followers": format!("{id}/followers"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public_pem },
    })
}

impl FakePeer {
    fn actor(&self) -> String {
        format!("{}/users/mallory", self.base)
    }

    /// Publishes a new key (the old one stops being valid).
    fn rotate(&self) {
        let (private, public) = coopol::crypto::generate_rsa_keypair();
        *self.doc.lock().unwrap() = actor_doc(&self.actor(), &public);
        *self.key.lock().unwrap() =
            SigningKey::from_pem(format!("{}#main-key", self.actor()), &private).unwrap();
    }

    /// A signed request, with a chance to tamper with the headers before sending.
    async fn send(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        body: Option<&Value>,
        tamper: impl FnOnce(&mut reqwest::header::HeaderMap),
    ) -> reqwest::Response {
        let url = Url::parse(&app.url(path)).unwrap();
        let bytes = body.map(|b| b.to_string().into_bytes());
        let key = self.key.lock().unwrap().clone();
        let signed = key.sign(&method, &url, bytes.as_deref()).unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in signed {
            headers.insert(k, v);
        }
        headers.insert(header::ACCEPT, "application/activity+json".parse().unwrap());
        tamper(&mut headers);
        let mut req = app.client.request(method, url).headers(headers);
        if let Some(b) = bytes {
            req = req.body(b);
        }
        req.send().await.unwrap()
    }

    /// Posts `sent` (or the signed body) to the shared inbox, signed over `signed` as of `when`.
    async fn send_signed_at(
        &self,
        app: &TestApp,
        signed: &Value,
        when: std::time::SystemTime,
        sent: Option<&Value>,
    ) -> StatusCode {
        let url = Url::parse(&app.url("/inbox")).unwrap();
        let body = signed.to_string();
        let key = self.key.lock().unwrap().clone();
        let headers = key
            .sign_at(&Method::POST, &url, Some(body.as_bytes()), when)
            .unwrap();
        let mut req = app
            .client
            .post(url)
            .body(sent.map(Value::to_string).unwrap_or(body));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send().await.unwrap().status()
    }

    async fn post(&self, app: &TestApp, activity: &Value) -> StatusCode {
        self.send(app, Method::POST, "/inbox", Some(activity), |_| {})
            .await
            .status()
    }
}

fn follow(peer: &FakePeer, app: &TestApp, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#follows/{n}", peer.actor()),
        "type": "Follow",
        "actor": peer.actor(),
        "object": app.url("/users/alice"),
    })
}

/// An instance with alice, and a fake peer.
async fn alice_and_a_peer() -> (TestApp, FakePeer) {
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let peer = fake_peer().await;
    (app, peer)
}

/// The same, the peer following alice (its key checked once).
async fn peer_following_alice() -> (TestApp, FakePeer) {
    let (app, peer) = alice_and_a_peer().await;
    assert_eq!(
        peer.post(&app, &follow(&peer, &app, 1)).await,
        StatusCode::ACCEPTED
    );
    wait_for_followers(&app, 1).await;
    (app, peer)
}

async fn followers_of_alice(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM follows f JOIN accounts a ON a.id = f.target_account_id WHERE a.username = 'alice'")
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

async fn wait_for_followers(app: &TestApp, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while followers_of_alice(app).await != n {
        assert!(Instant::now() < deadline, "alice never got {n} followers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_activities_are_accepted_and_forgeries_refused() {
    let (app, peer) = alice_and_a_peer().await;

    // A good one.
    assert_eq!(
        peer.post(&app, &follow(&peer, &app, 1)).await,
        StatusCode::ACCEPTED
    );
    wait_for_followers(&app, 1).await;

    // Wrong key: signed by another key than the actor publishes.
    let (other, _) = coopol::crypto::generate_rsa_keypair();
    let good = peer.key.lock().unwrap().clone();
    *peer.key.lock().unwrap() =
        SigningKey::from_pem(format!("{}#main-key", peer.actor()), &other).unwrap();
    assert_eq!(
        peer.post(&app, &follow(&peer, &app, 2)).await,
        StatusCode::UNAUTHORIZED
    );
    *peer.key.lock().unwrap() = good;

    // Dates out of the window, past and future, correctly signed.
    let now = std::time::SystemTime::now();
    for when in [
        now - Duration::from_secs(13 * 3600),
        now + Duration::from_secs(2 * 3600),
    ] {
        let status = peer
            .send_signed_at(&app, &follow(&peer, &app, 3), when, None)
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "a request dated {when:?} was accepted"
        );
    }
    // Within the window (an hour old): fine.
    let status = peer
        .send_signed_at(
            &app,
            &follow(&peer, &app, 4),
            now - Duration::from_secs(3600),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);

    // A body other than the one signed: its digest does not match.
    let other = follow(&peer, &app, 5);
    let status = peer
        .send_signed_at(&app, &follow(&peer, &app, 6), now, Some(&other))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // No signature at all.
    let unsigned = app
        .client
        .post(app.url("/inbox"))
        .json(&follow(&peer, &app, 5))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_signatures_are_refused() {
    let (app, peer) = alice_and_a_peer().await;
    let activity = follow(&peer, &app, 1);
    let url = Url::parse(&app.url("/inbox")).unwrap();
    let body = activity.to_string();
    let key = peer.key.lock().unwrap().clone();
    let signed = key
        .sign(&Method::POST, &url, Some(body.as_bytes()))
        .unwrap();
    let send = || {
        let mut req = app.client.post(url.clone()).body(body.clone());
        for (k, v) in &signed {
            req = req.header(k.clone(), v.clone());
        }
        req.send()
    };
    assert_eq!(send().await.unwrap().status(), StatusCode::ACCEPTED);
    assert_eq!(send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

/// A signature covers its body's digest, so a replay brings an activity already stored, with
/// the signature it was stored with: the admission tells replays from duplicates (the same
/// activity signed anew) by that, within one batch and across batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_are_told_from_duplicates_within_a_batch_and_across() {
    use db::federation::{Admitted::*, Arrival, admit};
    let app = spawn_app().await;
    let arrival = |activity: &str, signature: &str| Arrival {
        fingerprint: Some(signature.to_string()),
        activity_uri: format!("https://x.example/activities/{activity}"),
        signer: "https://x.example/users/a".to_string(),
        body: "{}".to_string(),
        received_at: 1,
    };
    let mut conn = app.state.db.writer().await.unwrap();
    let first = admit(
        &mut conn,
        &[
            arrival("a", "s1"),
            arrival("a", "s1"),
            arrival("a", "s2"),
            arrival("b", "s3"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(first, [New, Replayed, Duplicate, New]);
    let later = admit(
        &mut conn,
        &[
            arrival("b", "s4"),
            arrival("a", "s1"),
            arrival("a", "s5"),
            arrival("c", "s6"),
            arrival("c", "s6"),
            arrival("b", "s3"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        later,
        [Duplicate, Replayed, Duplicate, New, Replayed, Replayed]
    );
    // Five new ones are written as six rows, the last repeated (`db::padded_chunks`): the
    // repeat is not taken for a duplicate of the first, nor stored twice.
    let five: Vec<Arrival> = ["d", "e", "f", "g", "h"]
        .iter()
        .map(|a| arrival(a, &format!("s-{a}")))
        .collect();
    assert_eq!(admit(&mut conn, &five).await.unwrap(), [New; 5]);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox_queue")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(stored, 3 + 5);
}

/// Received activities are kept (without their body) as long as their signatures could be
/// replayed, then forgotten; the ones still waiting are never.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_processed_activities_are_forgotten_and_waiting_ones_kept() {
    let app = spawn_app().await;
    let pool = app.state.db.pool();
    // (activity, received at, state); the waiting one is due far in the future, so that the
    // inbox worker leaves it alone.
    for (name, received_at, state) in [
        ("done-old", 100i64, "done"),
        ("failed-old", 110, "failed"),
        ("waiting-old", 120, "queued"),
        ("done-recent", 5_000, "done"),
    ] {
        sqlx::query(
            "INSERT INTO inbox_queue (activity_uri, signer, body, received_at, next_attempt_at, state) \
             VALUES ($1, 'https://x.example/users/a', '', $2, $3, $4)",
        )
        .bind(format!("https://x.example/activities/{name}"))
        .bind(received_at)
        .bind(i64::MAX / 2)
        .bind(state)
        .execute(pool)
        .await
        .unwrap();
    }
    let left = || async {
        let mut names: Vec<String> = sqlx::query_scalar("SELECT activity_uri FROM inbox_queue")
            .fetch_all(pool)
            .await
            .unwrap();
        names.sort();
        names
            .into_iter()
            .map(|u| u.rsplit('/').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(db::federation::purge_inbox(pool, 1_000).await.unwrap(), 2);
    assert_eq!(left().await, ["done-recent", "waiting-old"]);
    // Nothing received since: everything processed goes.
    assert_eq!(db::federation::purge_inbox(pool, 10_000).await.unwrap(), 1);
    assert_eq!(left().await, ["waiting-old"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_keys_are_refetched_once() {
    let (app, peer) = peer_following_alice().await;
    peer.rotate();
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#undo/1", peer.actor()),
        "type": "Undo",
        "actor": peer.actor(),
        "object": follow(&peer, &app, 1),
    });
    assert_eq!(
        peer.post(&app, &undo).await,
        StatusCode::ACCEPTED,
        "the new key is fetched and accepted"
    );
    wait_for_followers(&app, 0).await;
}

/// Verified keys are remembered for a while (`verify::SignerCache`); an actor announcing a
/// new key makes the old one worthless at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_key_is_forgotten_once_its_actor_announces_a_new_one() {
    let (app, peer) = peer_following_alice().await;
    let old = peer.key.lock().unwrap().clone();
    peer.rotate();
    let new = std::mem::replace(&mut *peer.key.lock().unwrap(), old);
    // The actor announces its new key, signed with the old one.
    let doc = peer.doc.lock().unwrap().clone();
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}#updates/1", peer.actor()),
        "type": "Update",
        "actor": peer.actor(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": doc,
    });
    assert_eq!(peer.post(&app, &update).await, StatusCode::ACCEPTED);
    let new_pem = doc["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stored = db::accounts::by_uri(app.state.pool(), &peer.actor())
            .await
            .unwrap()
            .unwrap();
        if stored.public_key_pem == new_pem {
            break;
        }
        assert!(Instant::now() < deadline, "the update was never applied");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        peer.post(&app, &follow(&peer, &app, 2)).await,
        StatusCode::UNAUTHORIZED,
        "the old key is not used from memory"
    );
    *peer.key.lock().unwrap() = new;
    assert_eq!(
        peer.post(&app, &follow(&peer, &app, 3)).await,
        StatusCode::ACCEPTED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoofing_is_refused() {
    let (app, peer) = alice_and_a_peer().await;
    // The activity's id is on another server than its actor.
    let mut spoofed = follow(&peer, &app, 1);
    spoofed["id"] = json!("http://elsewhere.localhost:1/follows/1");
    assert_eq!(peer.post(&app, &spoofed).await, StatusCode::BAD_REQUEST);
    // The actor is not the signer.
    let mut impostor = follow(&peer, &app, 2);
    impostor["actor"] = json!(app.url("/users/alice"));
    impostor["id"] = json!(app.url("/users/alice#follows/x"));
    assert_eq!(peer.post(&app, &impostor).await, StatusCode::UNAUTHORIZED);

    // A note whose id is on another server: stored as received, refused on processing.
    peer.post(&app, &follow(&peer, &app, 3)).await;
    wait_for_followers(&app, 1).await;
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/creates/1", peer.base),
        "type": "Create",
        "actor": peer.actor(),
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": "http://victim.localhost:9/statuses/1",
            "type": "Note",
            "attributedTo": peer.actor(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>forged</p>",
        },
    });
    assert_eq!(peer.post(&app, &create).await, StatusCode::ACCEPTED);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT state, last_error FROM inbox_queue WHERE activity_uri = $1")
                .bind(create["id"].as_str().unwrap())
                .fetch_optional(app.state.pool())
                .await
                .unwrap();
        if let Some((state, error)) = row.filter(|(s, _)| s != "queued") {
            assert_eq!(state, "failed");
            assert!(
                error
                    .unwrap_or_default()
                    .contains("not on the actor's server")
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the forged note was never refused"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM statuses")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_get_clear_answers() {
    let (app, peer) = alice_and_a_peer().await;
    let huge = json!({ "id": format!("{}/x", peer.base), "type": "Create", "actor": peer.actor(), "content": "x".repeat(1_100_000) });
    assert_eq!(peer.post(&app, &huge).await, StatusCode::PAYLOAD_TOO_LARGE);
    let mut deep = json!("bottom");
    for _ in 0..40 {
        deep = json!({ "object": deep });
    }
    let nested = json!({ "id": format!("{}/y", peer.base), "type": "Create", "actor": peer.actor(), "object": deep });
    assert_eq!(peer.post(&app, &nested).await, StatusCode::BAD_REQUEST);
    let res = app
        .client
        .post(app.url("/inbox"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .client
        .post(app.url("/users/nobody/inbox"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorized_fetch_requires_signatures_except_for_the_instance_actor() {
    let app = spawn_app_with(|c| c.authorized_fetch = true).await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let peer = fake_peer().await;
    let unsigned = app
        .client
        .get(app.url("/users/alice"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let instance = app
        .client
        .get(app.url("/actor"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(instance.status(), StatusCode::OK);
    let signed = peer
        .send(&app, Method::GET, "/users/alice", None, |_| {})
        .await;
    assert_eq!(signed.status(), StatusCode::OK);
    let actor: Value = signed.json().await.unwrap();
    assert_eq!(actor["preferredUsername"], "alice");
    let bad = peer
        .send(&app, Method::GET, "/users/alice", None, |h| {
            h.insert(
                "signature",
                "keyId=\"x\",headers=\"date\",signature=\"AAAA\""
                    .parse()
                    .unwrap(),
            );
        })
        .await;
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    for path in ["/users/alice/outbox", "/users/alice/followers"] {
        let res = app
            .client
            .get(app.url(path))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        let res = peer.send(&app, Method::GET, path, None, |_| {}).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_only_posts_are_served_to_followers_only() {
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let alice = coopol::db::accounts::local_by_username(app.state.pool(), "alice")
        .await
        .unwrap()
        .unwrap();
    let peer = fake_peer().await;
    let status = coopol::service::statuses::create(
        &app.state,
        &alice,
        coopol::service::statuses::Compose {
            text: "Ordre du jour du bureau".into(),
            visibility: Some(coopol::domain::Visibility::Private),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let path = format!("/users/alice/statuses/{}", status.id);
    // A signed stranger: not found.
    let res = peer.send(&app, Method::GET, &path, None, |_| {}).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The same server once it follows alice: served.
    peer.post(&app, &follow(&peer, &app, 1)).await;
    wait_for_followers(&app, 1).await;
    let res = peer.send(&app, Method::GET, &path, None, |_| {}).await;
    assert_eq!(res.status(), StatusCode::OK);
    let note: Value = res.json().await.unwrap();
    assert_eq!(note["to"], json!([app.url("/users/alice/followers")]));
    // And never to the public.
    let res = app
        .client
        .get(app.url(&path))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The outbox counts it, as Mastodon counts every post but direct messages (the number on
    // the profile), and lists only public and unlisted ones.
    let res = peer
        .send(&app, Method::GET, "/users/alice/outbox", None, |_| {})
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let outbox: Value = res.json().await.unwrap();
    assert_eq!(outbox["totalItems"], 1, "{outbox}");
    let res = peer
        .send(
            &app,
            Method::GET,
            "/users/alice/outbox?page=true",
            None,
            |_| {},
        )
        .await;
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["orderedItems"], json!([]), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_instances_refuse_private_addresses() {
    // With an https public URL, http and loopback peers are refused (no request forgery).
    let app = spawn_app_with(|c| {
        c.public_url = url::Url::parse("https://coopol.example").unwrap();
        c.domain = "coopol.example".into();
    })
    .await;
    for target in [
        "http://localhost:1/users/x",
        "https://127.0.0.1/users/x",
        "https://localhost/users/x",
        "https://10.0.0.1/users/x",
    ] {
        let result = coopol::federation::resolve(&app.state, target).await;
        assert!(result.is_err(), "{target} was fetched");
    }
}

/// Updates can arrive out of order (retries, several routes): an older version never replaces
/// a newer one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_updates_do_not_undo_newer_ones() {
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let alice = app.url("/users/alice");
    let peer = fake_peer().await;
    let note_id = format!("{}/notes/1", peer.base);
    let note = |content: &str, updated: Option<&str>| {
        let mut n = json!({
            "id": note_id,
            "type": "Note",
            "attributedTo": peer.actor(),
            "content": content,
            "published": "2026-11-01T10:00:00Z",
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [alice],
            "tag": [{"type": "Mention", "href": alice, "name": "@alice"}],
        });
        if let Some(u) = updated {
            n["updated"] = json!(u);
        }
        n
    };
    let activity = |kind: &str, n: u32, object: Value| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/{n}", peer.base),
            "type": kind,
            "actor": peer.actor(),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": object,
        })
    };
    let content = || async {
        sqlx::query_scalar::<_, String>("SELECT content FROM statuses WHERE uri = $1")
            .bind(&note_id)
            .fetch_optional(app.state.pool())
            .await
            .unwrap()
            .unwrap_or_default()
    };
    let wait_for = |text: &'static str| {
        let content = &content;
        async move {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !content().await.contains(text) {
                assert!(Instant::now() < deadline, "the post never said {text}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let all_processed = || async {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let pending: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM inbox_queue WHERE state <> 'done'")
                    .fetch_one(app.state.pool())
                    .await
                    .unwrap();
            if pending == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "the inbox never emptied");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };

    let sent = peer
        .post(&app, &activity("Create", 1, note("version one", None)))
        .await;
    assert_eq!(sent, StatusCode::ACCEPTED);
    wait_for("version one").await;
    let newest = note("version three", Some("2026-11-01T10:02:00Z"));
    assert_eq!(
        peer.post(&app, &activity("Update", 2, newest)).await,
        StatusCode::ACCEPTED
    );
    wait_for("version three").await;
    let older = note("version two", Some("2026-11-01T10:01:00Z"));
    assert_eq!(
        peer.post(&app, &activity("Update", 3, older)).await,
        StatusCode::ACCEPTED
    );
    all_processed().await;
    assert!(
        content().await.contains("version three"),
        "{}",
        content().await
    );
}
