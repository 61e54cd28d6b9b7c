//! A hostile remote server for the adversarial tests (`tests/hostile.rs`).
//!
//! It has its own keys and serves whatever documents the test gives it (actors of any type,
//! notes with any id and author), signs whatever the test wants it to send, and records every
//! request it receives: the deliveries coopol makes to it, and the signed GETs coopol makes
//! when it fetches from it, so that a test can replay those headers elsewhere. Nothing in it
//! is coopol's code: it plays a server that follows no rule but HTTP's.

#![allow(dead_code)]

use super::TestApp;
use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode as AxumStatus, Uri, header},
    response::{IntoResponse, Response},
};
use coopol::federation::signatures::SigningKey;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use url::Url;

/// A request the hostile server received.
#[derive(Clone, Debug)]
pub struct Received {
    /// GET or POST.
    pub method: Method,
    /// Path and query, as received.
    pub path: String,
    /// Every header, as received.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Received {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Default)]
struct Shared {
    docs: Mutex<HashMap<String, Value>>,
    received: Mutex<Vec<Received>>,
    /// POSTs whose body contains the text get the status instead of 202 (`answer_posts`).
    answers: Mutex<Vec<(String, u16)>>,
}

/// The hostile server: `http://localhost:PORT`, one key for all its actors.
pub struct Hostile {
    /// `http://localhost:PORT`.
    pub base: String,
    /// `localhost:PORT`.
    pub host: String,
    private_pem: String,
    public_pem: String,
    shared: Arc<Shared>,
}

/// One key pair for every hostile server of a test binary: generating keys is the slow part.
fn key_pair() -> (String, String) {
    static KEYS: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    KEYS.get_or_init(coopol::crypto::generate_rsa_keypair)
        .clone()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    shared.received.lock().unwrap().push(Received {
        method: method.clone(),
        path: path.clone(),
        headers,
        body: body.to_vec(),
    });
    if method == Method::POST {
        let text = String::from_utf8_lossy(&body);
        let answer = shared
            .answers
            .lock()
            .unwrap()
            .iter()
            .find(|(needle, _)| text.contains(needle.as_str()))
            .map(|(_, status)| *status);
        return match answer {
            Some(status) => (
                AxumStatus::from_u16(status).unwrap(),
                format!("refused by the test: {status}"),
            )
                .into_response(),
            None => AxumStatus::ACCEPTED.into_response(),
        };
    }
    let doc = shared.docs.lock().unwrap().get(uri.path()).cloned();
    match doc {
        Some(doc) => (
            [(header::CONTENT_TYPE, "application/activity+json")],
            doc.to_string(),
        )
            .into_response(),
        None => AxumStatus::NOT_FOUND.into_response(),
    }
}

impl Hostile {
    /// Starts a hostile server on a port of its own.
    pub async fn start() -> Hostile {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(handle).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let (private_pem, public_pem) = key_pair();
        Hostile {
            base: format!("http://localhost:{port}"),
            host: format!("localhost:{port}"),
            private_pem,
            public_pem,
            shared,
        }
    }

    /// An absolute URL on the hostile server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Answers `status` (instead of 202) to every POST whose body contains `needle`, as a
    /// server that cannot take one activity while it takes others.
    pub fn answer_posts(&self, needle: &str, status: u16) {
        self.shared
            .answers
            .lock()
            .unwrap()
            .push((needle.to_string(), status));
    }

    /// Serves `doc` at `path` (replacing what was there).
    pub fn serve(&self, path: &str, doc: Value) {
        self.shared
            .docs
            .lock()
            .unwrap()
            .insert(path.to_string(), doc);
    }

    /// The actor document the server serves for `name` with this `type`.
    pub fn actor_doc(&self, name: &str, kind: &str) -> Value {
        let id = self.url(&format!("/users/{name}"));
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": kind,
            "preferredUsername": name,
            "name": name,
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "endpoints": { "sharedInbox": self.url("/inbox") },
            "manuallyApprovesFollowers": false,
            "publicKey": {
                "id": format!("{id}#main-key"),
                "owner": id,
                "publicKeyPem": self.public_pem,
            },
        })
    }

    /// Publishes an actor of type `kind` (`Person`, `Group`, `Application` ...) at
    /// `/users/{name}`; returns its id.
    pub fn actor(&self, name: &str, kind: &str) -> String {
        self.serve(&format!("/users/{name}"), self.actor_doc(name, kind));
        self.url(&format!("/users/{name}"))
    }

    fn key(&self, actor: &str) -> SigningKey {
        SigningKey::from_pem(format!("{actor}#main-key"), &self.private_pem).unwrap()
    }

    /// Makes `app` store one of our actors now (as its first signed request would).
    pub async fn introduce(&self, app: &TestApp, actor: &str) -> coopol::db::accounts::AccountRow {
        use activitypub_federation::fetch::object_id::ObjectId;
        let data = coopol::federation::data(&app.state);
        ObjectId::<coopol::federation::objects::ApAccount>::from(Url::parse(actor).unwrap())
            .dereference(&data)
            .await
            .unwrap_or_else(|e| panic!("{actor} not stored: {e:?}"))
            .row
    }

    /// Posts `activity` to `app`'s shared inbox, signed by `actor`'s key; the inbox's answer.
    pub async fn deliver(&self, app: &TestApp, actor: &str, activity: &Value) -> StatusCode {
        let url = Url::parse(&app.url("/inbox")).unwrap();
        let body = activity.to_string();
        let mut req = app.client.post(url.clone());
        for (k, v) in self
            .key(actor)
            .sign(&Method::POST, &url, Some(body.as_bytes()))
            .unwrap()
        {
            req = req.header(k, v);
        }
        req.body(body).send().await.unwrap().status()
    }

    /// Posts `activity` to `app`'s shared inbox twice with one signature (the second is a
    /// replay of the first request); the two answers.
    pub async fn deliver_replayed(
        &self,
        app: &TestApp,
        actor: &str,
        activity: &Value,
    ) -> (StatusCode, StatusCode) {
        let url = Url::parse(&app.url("/inbox")).unwrap();
        let body = activity.to_string();
        let signed = self
            .key(actor)
            .sign(&Method::POST, &url, Some(body.as_bytes()))
            .unwrap();
        let send = || {
            let mut req = app.client.post(url.clone()).body(body.clone());
            for (k, v) in &signed {
                req = req.header(k.clone(), v.clone());
            }
            req.send()
        };
        let first = send().await.unwrap().status();
        (first, send().await.unwrap().status())
    }

    /// Delivers `activity` and waits until `app` has processed it (applied, ignored or
    /// refused); gives the queue's final state and error, if any.
    pub async fn deliver_processed(
        &self,
        app: &TestApp,
        actor: &str,
        activity: &Value,
    ) -> (String, Option<String>) {
        let status = self.deliver(app, actor, activity).await;
        assert_eq!(status, StatusCode::ACCEPTED, "the inbox refused {activity}");
        let id = activity["id"].as_str().unwrap().to_string();
        processed(app, &id).await
    }

    /// A signed GET of `url` from `actor`.
    pub async fn fetch(&self, app: &TestApp, actor: &str, url: &str) -> (StatusCode, Value) {
        let target = Url::parse(url).unwrap();
        let mut req = app
            .client
            .get(target.clone())
            .header(header::ACCEPT, "application/activity+json");
        for (k, v) in self.key(actor).sign(&Method::GET, &target, None).unwrap() {
            req = req.header(k, v);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Every request received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// The bodies of every POST received, as one text (to search for what must not be there).
    pub fn delivered_text(&self) -> String {
        self.received()
            .iter()
            .filter(|r| r.method == Method::POST)
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Waits until `app` has processed the activity `id` from its inbox queue: done (applied or
/// ignored), failed for good, or tried once and waiting for a retry.
pub async fn processed(app: &TestApp, id: &str) -> (String, Option<String>) {
    for _ in 0..400 {
        let row: Option<(String, i64, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT state, attempts, locked_by, last_error FROM inbox_queue \
             WHERE activity_uri = $1",
        )
        .bind(id)
        .fetch_optional(app.state.pool())
        .await
        .unwrap();
        // Claimed rows count an attempt while they are processed: a retry is one given back.
        if let Some((state, attempts, locked_by, error)) = row
            && (state != "queued" || (attempts > 0 && locked_by.is_none()))
        {
            return (state, error);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{id} was not processed within 10 s");
}
