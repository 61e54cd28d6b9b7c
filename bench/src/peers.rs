//! Simulated remote servers on loopback: every "host" is a port of `localhost`, with actors
//! (their documents and keys, for ingest) and inboxes (a sink that verifies every signature it
//! gets and counts what arrived where, for fan-out).

use anyhow::{Context, Result};
use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use coopol::federation::signatures::{self, SigningKey, VerifyingKey};
use serde_json::json;
use std::{
    collections::HashMap,
    path::Path as FsPath,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

/// A simulated remote person.
pub struct Actor {
    /// Its ActivityPub id.
    pub uri: String,
    /// Its key.
    pub key: SigningKey,
}

/// What the sink saw.
#[derive(Default)]
pub struct Sink {
    /// Requests received.
    pub requests: AtomicU64,
    /// Requests whose signature did not verify.
    pub bad_signatures: AtomicU64,
    /// Verified requests per inbox path (`host/path`), for activities containing the marker.
    pub received: Mutex<HashMap<String, u32>>,
    /// What a counted activity must contain.
    pub marker: Mutex<String>,
    keys: Mutex<HashMap<String, Arc<VerifyingKey>>>,
}

impl Sink {
    /// Accepts signatures by this key.
    pub fn trust(&self, key_id: &str, public_pem: &str) -> Result<()> {
        let key = VerifyingKey::from_pem(public_pem).map_err(|e| anyhow::anyhow!("{e}"))?;
        self.keys
            .lock()
            .unwrap()
            .insert(key_id.to_string(), Arc::new(key));
        Ok(())
    }

    /// Inboxes that got the marked activity at least once, and the total of marked requests.
    pub fn delivered(&self) -> (usize, u64) {
        let r = self.received.lock().unwrap();
        (r.len(), r.values().map(|&n| u64::from(n)).sum())
    }

    /// Forgets what arrived, and counts activities containing `marker` from now on.
    pub fn reset(&self, marker: &str) {
        self.received.lock().unwrap().clear();
        *self.marker.lock().unwrap() = marker.to_string();
        self.requests.store(0, Ordering::SeqCst);
        self.bad_signatures.store(0, Ordering::SeqCst);
    }
}

/// The simulated hosts.
pub struct Peers {
    /// One port per host.
    pub ports: Vec<u16>,
    /// Actors, `actors[i]` on host `i % ports.len()`.
    pub actors: Vec<Actor>,
    /// What their inboxes received.
    pub sink: Arc<Sink>,
    servers: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Peers {
    /// Closes every host's port (10,000 hosts hold 10,000 descriptors).
    fn drop(&mut self) {
        for s in &self.servers {
            s.abort();
        }
    }
}

#[derive(Clone)]
struct Shared {
    sink: Arc<Sink>,
    docs: Arc<HashMap<String, String>>,
    close: bool,
}

/// `n` RSA key pairs, cached in `dir` (generating 2048-bit keys takes a while).
pub fn keys(dir: &FsPath, n: usize) -> Result<Vec<(String, String)>> {
    std::fs::create_dir_all(dir)?;
    let missing: Vec<usize> = (0..n)
        .filter(|i| !dir.join(format!("{i}.pem")).exists())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "generating {} RSA keys (cached in {})",
            missing.len(),
            dir.display()
        );
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        std::thread::scope(|s| {
            for chunk in missing.chunks(missing.len().div_ceil(threads)) {
                s.spawn(move || {
                    for i in chunk {
                        let (private, public) = coopol::crypto::generate_rsa_keypair();
                        let _ = std::fs::write(
                            dir.join(format!("{i}.pem")),
                            format!("{private}\n{public}"),
                        );
                    }
                });
            }
        });
    }
    (0..n)
        .map(|i| {
            let text = std::fs::read_to_string(dir.join(format!("{i}.pem")))?;
            let split = text
                .find("-----BEGIN PUBLIC KEY-----")
                .context("cached key without a public part")?;
            Ok((
                text[..split].trim().to_string(),
                text[split..].trim().to_string(),
            ))
        })
        .collect()
}

impl Peers {
    /// Starts `hosts` hosts with `actors` actors spread over them (keys from `keys`). With
    /// `close`, every answer closes its connection (so 10,000 hosts do not hold 10,000 idle
    /// connections open).
    pub async fn start(hosts: usize, keys: &[(String, String)], close: bool) -> Result<Peers> {
        let mut listeners = Vec::with_capacity(hosts);
        let mut ports = Vec::with_capacity(hosts);
        for _ in 0..hosts {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            ports.push(l.local_addr()?.port());
            listeners.push(l);
        }
        let mut actors = Vec::with_capacity(keys.len());
        let mut docs = HashMap::new();
        for (i, (private, public)) in keys.iter().enumerate() {
            let port = ports[i % hosts];
            let uri = format!("http://localhost:{port}/users/a{i}");
            let key = SigningKey::from_pem(format!("{uri}#main-key"), private)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            docs.insert(format!("{port}/a{i}"), actor_doc(&uri, port, public));
            actors.push(Actor { uri, key });
        }
        let shared = Shared {
            sink: Arc::new(Sink::default()),
            docs: Arc::new(docs),
            close,
        };
        let mut servers = Vec::with_capacity(hosts);
        for l in listeners {
            let app = Router::new()
                .route("/users/{name}", get(actor))
                .route("/users/{name}/inbox", post(inbox))
                .route("/inbox", post(inbox))
                .with_state(shared.clone());
            servers.push(tokio::spawn(async move {
                let _ = axum::serve(l, app).await;
            }));
        }
        Ok(Peers {
            ports,
            actors,
            sink: shared.sink,
            servers,
        })
    }
}

fn actor_doc(uri: &str, port: u16, public: &str) -> String {
    let name = uri.rsplit('/').next().unwrap_or_default();
    json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri,
        "type": "Person",
        "preferredUsername": name,
        "inbox": format!("{uri}/inbox"),
        "outbox": format!("{uri}/outbox"),
        "followers": format!("{uri}/followers"),
        "endpoints": {"sharedInbox": format!("http://localhost:{port}/inbox")},
        "publicKey": {"id": format!("{uri}#main-key"), "owner": uri, "publicKeyPem": public},
    })
    .to_string()
}

fn host_port(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit(':').next())
        .unwrap_or_default()
        .to_string()
}

async fn actor(State(s): State<Shared>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    match s.docs.get(&format!("{}/{name}", host_port(&headers))) {
        Some(doc) => (
            [(header::CONTENT_TYPE, "application/activity+json")],
            doc.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn inbox(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.sink.requests.fetch_add(1, Ordering::Relaxed);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let verified = signatures::parse(
        &method,
        path,
        &headers,
        Some(&body),
        std::slice::from_ref(&host),
    )
    .ok()
    .and_then(|pending| {
        let key = s.sink.keys.lock().unwrap().get(&pending.key_id).cloned()?;
        pending.verify(&key).ok()
    })
    .is_some();
    let mut res = if verified {
        let marker = s.sink.marker.lock().unwrap().clone();
        if !marker.is_empty() && memchr(&body, marker.as_bytes()) {
            *s.sink
                .received
                .lock()
                .unwrap()
                .entry(format!("{host}{}", uri.path()))
                .or_default() += 1;
        }
        StatusCode::ACCEPTED.into_response()
    } else {
        s.sink.bad_signatures.fetch_add(1, Ordering::Relaxed);
        StatusCode::UNAUTHORIZED.into_response()
    };
    if s.close {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

fn memchr(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
