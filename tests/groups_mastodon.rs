//! A follower that speaks only Mastodon's dialect follows a coopol group.
//!
//! The other server is a fake Mastodon started by the test: it serves an actor shaped as
//! Mastodon 4 serves it, sends the Follow and Undo(Follow) Mastodon sends (id `https://host/<uuid>`,
//! no extra fields), records every request coopol posts to its inboxes and checks it the way
//! Mastodon does: signed by the group's key over `(request-target) host date digest`, an
//! `Accept` naming its Follow's id, public posts as `Announce` of the post's id (which Mastodon
//! fetches, signed, and shows as a boost). Members-only posts must never reach it, in any form.

mod common;

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode as AxumStatus, Uri, header},
    response::IntoResponse,
    routing::{get, post},
};
use common::{TestApp, eventually, spawn_app};
use coopol::federation::signatures::{self, SigningKey, VerifyingKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use url::Url;

/// A request coopol sent to the fake Mastodon.
#[derive(Clone)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

type Inbox = Arc<Mutex<Vec<Received>>>;

struct FakeMastodon {
    base: String,
    key: SigningKey,
    inbox: Inbox,
}

impl FakeMastodon {
    fn actor(&self) -> String {
        format!("{}/users/gargron", self.base)
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Posts an activity to coopol's shared inbox, signed as Mastodon signs.
    async fn deliver(&self, app: &TestApp, activity: &Value) -> StatusCode {
        let url = Url::parse(&app.url("/inbox")).unwrap();
        let body = activity.to_string();
        // Signing sets Content-Type (it is signed, as Mastodon does).
        let mut req = app.client.post(url.clone());
        for (k, v) in self
            .key
            .sign(&Method::POST, &url, Some(body.as_bytes()))
            .unwrap()
        {
            req = req.header(k, v);
        }
        let res = req.body(body).send().await.unwrap();
        let status = res.status();
        if !status.is_success() {
            eprintln!(
                "inbox answered {status}: {}",
                res.text().await.unwrap_or_default()
            );
        }
        status
    }

    /// Fetches a document the way Mastodon fetches an announced post: signed GET.
    async fn fetch(&self, app: &TestApp, uri: &str) -> (StatusCode, Value) {
        let url = Url::parse(uri).unwrap();
        let mut req = app.client.get(url.clone()).header(
            header::ACCEPT,
            "application/activity+json, application/ld+json",
        );
        for (k, v) in self.key.sign(&Method::GET, &url, None).unwrap() {
            req = req.header(k, v);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

/// The actor document as Mastodon 4 serves it (trimmed of what coopol does not read).
fn mastodon_actor(base: &str, public_pem: &str) -> Value {
    let id = format!("{base}/users/gargron");
    json!({
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1",
            {
                "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
                "toot": "http://joinmastodon.org/ns#",
                "discoverable": "toot:discoverable",
                "indexable": "toot:indexable"
            }
        ],
        "id": id,
        "type": "Person",
        "following": format!("{id}/following"),
        "followers": format!("{id}/followers"),
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "featured": format!("{id}/collections/featured"),
        "preferredUsername": "gargron",
        "name": "Eugen",
        "summary": "<p>Sympathisant</p>",
        "url": format!("{base}/@gargron"),
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "indexable": false,
        "published": "2016-03-16T00:00:00Z",
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": public_pem
        },
        "tag": [],
        "attachment": [],
        "endpoints": { "sharedInbox": format!("{base}/inbox") }
    })
}

async fn fake_mastodon() -> FakeMastodon {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let (private, public) = coopol::crypto::generate_rsa_keypair();
    let actor = Arc::new(mastodon_actor(&base, &public));
    let inbox: Inbox = Arc::default();
    async fn record(
        State(inbox): State<Inbox>,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> impl IntoResponse {
        inbox.lock().unwrap().push(Received {
            path: uri.path().to_string(),
            headers,
            body: body.to_vec(),
        });
        AxumStatus::ACCEPTED
    }
    let served = actor.clone();
    let app = Router::new()
        .route(
            "/users/gargron",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "application/activity+json")],
                    Json((*served).clone()),
                )
            }),
        )
        .route("/inbox", post(record))
        .route("/users/gargron/inbox", post(record))
        .with_state(inbox.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakeMastodon {
        key: SigningKey::from_pem(format!("{base}/users/gargron#main-key"), &private).unwrap(),
        base,
        inbox,
    }
}

/// Checks a request as Mastodon's inbox does: a signature by `key_owner`'s key over the
/// request target, host, date and a digest that matches the body.
fn assert_signed_by(r: &Received, key_owner: &str, key: &VerifyingKey) {
    let host = r.headers.get(header::HOST).unwrap().to_str().unwrap();
    let pending = signatures::parse(
        &Method::POST,
        &r.path,
        &r.headers,
        Some(&r.body),
        &[host.to_string()],
    )
    .unwrap_or_else(|e| panic!("unreadable signature on {}: {e:?}", r.path));
    let signed = r.headers.get("signature").unwrap().to_str().unwrap();
    for part in ["(request-target)", "host", "date", "digest"] {
        assert!(signed.contains(part), "{part} is not signed: {signed}");
    }
    assert_eq!(pending.key_owner().unwrap().as_str(), key_owner);
    pending.verify(key).expect("a valid signature");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mastodon_follower_gets_public_posts_as_boosts_and_never_members_only_ones() {
    let app = spawn_app().await;
    let peer = fake_mastodon().await;
    let (_, token) = app.user_with_token("secretaire", "read write").await;
    let (status, group) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(&token),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
                    "postcode": "64000", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    let group_uri = group["uri"].as_str().unwrap().to_string();

    // What Mastodon reads first: the group's actor, a Group it can follow.
    let (status, actor) = peer.fetch(&app, &group_uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(actor["type"], "Group");
    assert_eq!(actor["preferredUsername"], "pau");
    assert!(actor["inbox"].is_string() && actor["followers"].is_string());
    let group_key = VerifyingKey::from_pem(actor["publicKey"]["publicKeyPem"].as_str().unwrap())
        .expect("the group's key");
    assert_eq!(
        actor["publicKey"]["id"].as_str().unwrap(),
        format!("{group_uri}#main-key")
    );

    // The Follow exactly as Mastodon 4 sends it.
    let follow_id = format!("{}/4c9a0b1e-5e4f-4a57-9a3c-2f1b7d1e9c01", peer.base);
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": follow_id,
        "type": "Follow",
        "actor": peer.actor(),
        "object": group_uri,
    });
    assert_eq!(peer.deliver(&app, &follow).await, StatusCode::ACCEPTED);
    eventually("the group accepts the follow", || async {
        peer.received().iter().any(|r| r.json()["type"] == "Accept")
    })
    .await;
    let accept = peer
        .received()
        .into_iter()
        .find(|r| r.json()["type"] == "Accept")
        .unwrap();
    assert_signed_by(&accept, &group_uri, &group_key);
    let body = accept.json();
    assert_eq!(body["actor"], group_uri.as_str());
    // Mastodon finds its follow request by the Follow's id, embedded or not.
    let object_id = body["object"]
        .as_str()
        .or(body["object"]["id"].as_str())
        .unwrap();
    assert_eq!(object_id, follow_id);

    // A members-only discussion first, then a public one.
    let (status, secret) = app
        .post_json(
            "/api/coopol/v1/groups/pau/posts",
            Some(&token),
            &json!({"status": "Réunion de bureau secrète mardi", "audience": "members",
                    "title": "Bureau"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let secret_uri = secret["uri"].as_str().unwrap().to_string();
    let (status, public) = app
        .post_json(
            "/api/coopol/v1/groups/pau/posts",
            Some(&token),
            &json!({"status": "Tractage samedi au marché", "audience": "public",
                    "title": "Tractage"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{public}");
    let public_uri = public["uri"].as_str().unwrap().to_string();

    // The boost Mastodon can show: Announce whose object is the post's id, public.
    eventually("the public post is announced", || async {
        peer.received()
            .iter()
            .any(|r| r.json()["type"] == "Announce" && r.json()["object"] == public_uri.as_str())
    })
    .await;
    let announce = peer
        .received()
        .into_iter()
        .find(|r| r.json()["type"] == "Announce" && r.json()["object"] == public_uri.as_str())
        .unwrap();
    assert_signed_by(&announce, &group_uri, &group_key);
    let body = announce.json();
    assert_eq!(body["actor"], group_uri.as_str());
    assert!(body["id"].as_str().unwrap().starts_with(&group_uri));
    let public_address = "https://www.w3.org/ns/activitystreams#Public";
    assert!(
        body["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == public_address),
        "{body}"
    );
    assert!(body["published"].is_string(), "{body}");

    // Mastodon then fetches the post, signed on behalf of its follower, and shows it.
    let (status, note) = peer.fetch(&app, &public_uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(note["type"], "Note");
    assert_eq!(note["id"], public_uri.as_str());
    assert!(
        note["content"]
            .as_str()
            .unwrap()
            .contains("Tractage samedi")
    );
    assert!(note["published"].is_string() && note["url"].is_string());
    assert!(
        note["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == public_address)
    );
    let author = note["attributedTo"].as_str().unwrap().to_string();
    let (status, author_doc) = peer.fetch(&app, &author).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(author_doc["type"], "Person");

    // Everything owed is sent; none of it carries the members-only post.
    common::outbox_drained(&app).await;
    for r in peer.received() {
        let text = String::from_utf8_lossy(&r.body);
        assert!(
            !text.contains("secrète") && !text.contains(&secret_uri),
            "a members-only post reached a follower:\n{text}"
        );
        assert_signed_by(&r, &group_uri, &group_key);
    }
    // Nor can Mastodon fetch it, signed as a follower, or unsigned.
    let (status, _) = peer.fetch(&app, &secret_uri).await;
    assert!(
        status == StatusCode::NOT_FOUND || status == StatusCode::UNAUTHORIZED,
        "{status}"
    );
    let unsigned = app
        .client
        .get(&secret_uri)
        .header(header::ACCEPT, "application/activity+json")
        .send()
        .await
        .unwrap();
    assert!(unsigned.status().is_client_error());
    // The members collection Mastodon may read gives a count, not names.
    let (status, members) = peer.fetch(&app, &format!("{group_uri}/members")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members["totalItems"], 1);
    assert!(members.get("orderedItems").is_none() && members.get("first").is_none());

    // Undo(Follow) as Mastodon sends it: later public posts no longer go there.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/users/gargron#follows/1/undo", peer.base),
        "type": "Undo",
        "actor": peer.actor(),
        "object": follow,
    });
    assert_eq!(peer.deliver(&app, &undo).await, StatusCode::ACCEPTED);
    let group_id = group["id"].as_str().unwrap().parse::<i64>().unwrap();
    eventually("the follow is undone", || async {
        !coopol::db::social::follows(
            app.state.pool(),
            group_follower(&app, &peer).await,
            group_id,
        )
        .await
        .unwrap()
    })
    .await;
    let before = peer.received().len();
    let (status, _) = app
        .post_json(
            "/api/coopol/v1/groups/pau/posts",
            Some(&token),
            &json!({"status": "Après le départ", "audience": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    common::outbox_drained(&app).await;
    assert_eq!(peer.received().len(), before, "sent to an old follower");
}

/// The local id of the fake Mastodon's actor.
async fn group_follower(app: &TestApp, peer: &FakeMastodon) -> i64 {
    coopol::db::accounts::by_uri(app.state.pool(), &peer.actor())
        .await
        .unwrap()
        .unwrap()
        .id
}
