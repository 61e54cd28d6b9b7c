//! Web Push for Mastodon apps: `/api/v1/push/subscription` with every parameter and its
//! refusals, and what coopol pushes, received by a real push endpoint in this test (an axum
//! server on 127.0.0.1) that decrypts it as a browser would (RFC 8291, with keys made here)
//! and checks the VAPID token (RFC 8292) against the key the instance publishes; expired
//! subscriptions, retries, policies; nothing lost across a SIGKILL of the real binary.

mod common;

use aes_gcm::{
    Aes128Gcm, KeyInit,
    aead::{Aead, OsRng, rand_core::RngCore},
};
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode as AxumStatus},
    routing::post,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{TestApp, eventually, spawn_app};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

/// What the push endpoint received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A push service: records every POST and answers with the statuses queued, 201 after.
#[derive(Clone, Default)]
struct PushService {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    delay: Duration,
}

impl PushService {
    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn answer_next(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }
}

/// Starts a push service on 127.0.0.1; gives its origin.
async fn push_service(delay: Duration) -> (String, PushService) {
    let service = PushService {
        delay,
        ..Default::default()
    };
    let app = Router::new()
        .route(
            "/push/{*rest}",
            post(
                |State(s): State<PushService>,
                 uri: axum::http::Uri,
                 headers: HeaderMap,
                 body: axum::body::Bytes| async move {
                    tokio::time::sleep(s.delay).await;
                    s.received.lock().unwrap().push(Received {
                        path: uri.path().to_string(),
                        headers,
                        body: body.to_vec(),
                    });
                    let status = s.answers.lock().unwrap().pop_front().unwrap_or(201);
                    AxumStatus::from_u16(status).unwrap()
                },
            ),
        )
        .with_state(service.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (origin, service)
}

/// A browser's side of a subscription: its key pair and auth secret, made as a browser makes
/// them.
struct BrowserKeys {
    secret: p256::SecretKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl BrowserKeys {
    fn new() -> Self {
        let secret = p256::SecretKey::random(&mut OsRng);
        let public = secret
            .public_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        let mut auth = [0u8; 16];
        OsRng.fill_bytes(&mut auth);
        BrowserKeys {
            secret,
            public,
            auth,
        }
    }

    fn p256dh(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.public)
    }

    fn auth(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.auth)
    }

    /// Decrypts a push message (RFC 8291 over RFC 8188's `aes128gcm`), written from the RFCs
    /// here rather than with coopol's library, so that a mistake there cannot hide.
    fn decrypt(&self, body: &[u8]) -> Vec<u8> {
        assert!(body.len() > 21 + 65 + 16, "too short to be aes128gcm");
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
        let id_len = body[20] as usize;
        assert_eq!(id_len, 65, "the key id is the sender's public key");
        let sender_public = &body[21..21 + id_len];
        let ciphertext = &body[21 + id_len..];
        assert!(ciphertext.len() <= record_size, "one record");
        let sender = p256::PublicKey::from_sec1_bytes(sender_public).unwrap();
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), sender.as_affine());
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(&self.public);
        info.extend_from_slice(sender_public);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes().as_slice())
            .expand(&info, &mut ikm)
            .unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let mut key = [0u8; 16];
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut key)
            .unwrap();
        let mut nonce = [0u8; 12];
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .unwrap();
        let mut plain = Aes128Gcm::new_from_slice(&key)
            .unwrap()
            .decrypt(aes_gcm::Nonce::from_slice(&nonce), ciphertext)
            .expect("the message decrypts with the subscription's keys");
        // The last record ends with the delimiter 2, then zeros of padding.
        let end = plain.iter().rposition(|b| *b != 0).unwrap();
        assert_eq!(plain[end], 2, "last-record delimiter");
        plain.truncate(end);
        plain
    }
}

/// Checks a VAPID `Authorization` header (RFC 8292): the key is the instance's published
/// one, the JWT is signed with it (ES256), for the endpoint's origin, expiring within a day,
/// with a contact.
fn check_vapid(header: &str, vapid_key: &str, audience: &str) {
    let rest = header.strip_prefix("vapid ").expect("vapid scheme");
    let (mut t, mut k) = (None, None);
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=').unwrap();
        match name {
            "t" => t = Some(value),
            "k" => k = Some(value),
            other => panic!("unexpected parameter {other}"),
        }
    }
    let (t, k) = (t.unwrap(), k.unwrap());
    assert_eq!(k, vapid_key, "the key the instance publishes");
    let (signed, signature) = t.rsplit_once('.').unwrap();
    let (header, claims) = signed.split_once('.').unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], audience);
    let now = coopol::clock::now() / 1_000_000;
    let exp = claims["exp"].as_i64().unwrap();
    assert!(exp > now && exp <= now + 24 * 3600, "exp {exp}, now {now}");
    let sub = claims["sub"].as_str().unwrap();
    assert!(
        sub.starts_with("mailto:") || sub.starts_with("http"),
        "{sub}"
    );
    use p256::ecdsa::{Signature, VerifyingKey, signature::Verifier};
    let key = VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    key.verify(signed.as_bytes(), &signature)
        .expect("signed with the published key");
    assert!(
        key.verify(format!("{signed}x").as_bytes(), &signature)
            .is_err()
    );
}

/// A request with a token and a JSON body.
async fn call(
    app: &TestApp,
    method: reqwest::Method,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url("/api/v1/push/subscription"))
        .header("accept-language", "en");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The same with a form body.
async fn call_form(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let res = app
        .client
        .request(method, app.url("/api/v1/push/subscription"))
        .header("accept-language", "en")
        .bearer_auth(token)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn vapid_key(app: &TestApp) -> String {
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    v2["configuration"]["vapid"]["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

fn subscription(endpoint: &str, keys: &BrowserKeys, alerts: Value, policy: &str) -> Value {
    json!({
        "subscription": {
            "endpoint": endpoint,
            "keys": { "p256dh": keys.p256dh(), "auth": keys.auth() },
        },
        "data": { "alerts": alerts, "policy": policy },
    })
}

#[tokio::test]
async fn vapid_key_is_made_once_and_published_to_apps() {
    let app = spawn_app().await;
    let key = vapid_key(&app).await;
    let bytes = URL_SAFE_NO_PAD.decode(&key).unwrap();
    assert_eq!(bytes.len(), 65);
    assert!(p256::PublicKey::from_sec1_bytes(&bytes).is_ok());
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(v1["configuration"]["vapid"]["public_key"], key);
    let (status, registered) = app
        .post_form(
            "/api/v1/apps",
            None,
            &[
                ("client_name", "push app"),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
                ("scopes", "read push"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    assert_eq!(registered["vapid_key"], key);
    // Kept: the same after a restart on the same database.
    let again = coopol::service::push::vapid_keys(&app.state).await.unwrap();
    assert_eq!(again.public, key);
    app.stop().await;
}

#[tokio::test]
async fn subscription_crud_with_every_parameter() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read write push").await;
    let (_, other_token) = app.user_with_token("bob", "push").await;
    let keys = BrowserKeys::new();
    let key = vapid_key(&app).await;

    let (status, body) = call(&app, reqwest::Method::GET, Some(&token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let mut made = subscription(
        "https://push.example/send/abc?x=1",
        &keys,
        json!({"mention": true, "follow": false, "poll": "1", "admin.sign_up": "true",
               "event_reminder": true, "mission_new": "false"}),
        "followed",
    );
    made["subscription"]["standard"] = json!(true);
    let (status, body) = call(&app, reqwest::Method::POST, Some(&token), Some(&made)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["id"].is_string());
    assert_eq!(body["endpoint"], "https://push.example/send/abc?x=1");
    assert_eq!(body["standard"], true);
    assert_eq!(body["server_key"], key);
    assert_eq!(body["policy"], "followed");
    let alerts = &body["alerts"];
    for (name, on) in [
        ("mention", true),
        ("follow", false),
        ("poll", true),
        ("admin.sign_up", true),
        ("event_reminder", true),
        ("mission_new", false),
        ("favourite", false),
        ("reblog", false),
        ("follow_request", false),
        ("status", false),
        ("update", false),
        ("event_short", false),
    ] {
        assert_eq!(alerts[name], on, "{name}: {body}");
    }
    let id = body["id"].clone();

    let (status, shown) = call(&app, reqwest::Method::GET, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, body);
    // Another person's token sees only its own (none).
    let (status, _) = call(&app, reqwest::Method::GET, Some(&other_token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // PUT replaces the data, as a form: alerts not given are off, the policy is as given.
    let (status, changed) = call_form(
        &app,
        reqwest::Method::PUT,
        &token,
        &[
            ("data[alerts][favourite]", "true"),
            ("data[policy]", "none"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["id"], id);
    assert_eq!(changed["alerts"]["favourite"], true);
    assert_eq!(changed["alerts"]["mention"], false);
    assert_eq!(changed["policy"], "none");
    // No policy at all: `all`, as Mastodon.
    let (status, changed) = call_form(
        &app,
        reqwest::Method::PUT,
        &token,
        &[("data[alerts][reblog]", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["policy"], "all");
    assert_eq!(changed["alerts"]["reblog"], true);
    assert_eq!(changed["alerts"]["favourite"], false);

    // A new POST replaces the subscription: as Mastodon.py sends it (a form, standard base64
    // keys, the policy at the top level).
    let standard = base64::engine::general_purpose::STANDARD;
    let new_keys = BrowserKeys::new();
    let (status, replaced) = call_form(
        &app,
        reqwest::Method::POST,
        &token,
        &[
            ("subscription[endpoint]", "https://push.example/other"),
            (
                "subscription[keys][p256dh]",
                &standard.encode(&new_keys.public),
            ),
            ("subscription[keys][auth]", &standard.encode(new_keys.auth)),
            ("policy", "follower"),
            ("data[alerts][mention]", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["endpoint"], "https://push.example/other");
    assert_eq!(replaced["policy"], "follower");
    assert_eq!(replaced["alerts"]["mention"], true);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(stored, 1, "one subscription per token");
    let stored_key: String = sqlx::query_scalar("SELECT key_p256dh FROM push_subscriptions")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(stored_key, new_keys.p256dh(), "kept as base64url");

    let (status, body) = call(&app, reqwest::Method::DELETE, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));
    let (status, _) = call(&app, reqwest::Method::GET, Some(&token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call_form(
        &app,
        reqwest::Method::PUT,
        &token,
        &[("data[policy]", "all")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, reqwest::Method::DELETE, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "deleting none is no error");
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_kept() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read push").await;
    let keys = BrowserKeys::new();
    let good = || {
        subscription(
            "https://push.example/x",
            &keys,
            json!({"mention": true}),
            "all",
        )
    };
    let off_curve = URL_SAFE_NO_PAD.encode([4u8; 65]);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "p256dh not base64",
            {
                let mut b = good();
                b["subscription"]["keys"]["p256dh"] = json!("not*base64!");
                b
            },
            "subscription_keys_p256dh",
        ),
        (
            "p256dh too short",
            {
                let mut b = good();
                b["subscription"]["keys"]["p256dh"] = json!(URL_SAFE_NO_PAD.encode([4u8; 33]));
                b
            },
            "subscription_keys_p256dh",
        ),
        (
            "p256dh off the curve",
            {
                let mut b = good();
                b["subscription"]["keys"]["p256dh"] = json!(off_curve);
                b
            },
            "subscription_keys_p256dh",
        ),
        (
            "auth of 8 bytes",
            {
                let mut b = good();
                b["subscription"]["keys"]["auth"] = json!(URL_SAFE_NO_PAD.encode([1u8; 8]));
                b
            },
            "subscription_keys_auth",
        ),
        (
            "auth missing",
            {
                let mut b = good();
                b["subscription"]["keys"]
                    .as_object_mut()
                    .unwrap()
                    .remove("auth");
                b
            },
            "subscription_keys_auth",
        ),
        (
            "endpoint not a URL",
            {
                let mut b = good();
                b["subscription"]["endpoint"] = json!("push.example/x");
                b
            },
            "subscription_endpoint",
        ),
        (
            "endpoint not http",
            {
                let mut b = good();
                b["subscription"]["endpoint"] = json!("ftp://push.example/x");
                b
            },
            "subscription_endpoint",
        ),
        (
            "endpoint on this server",
            {
                let mut b = good();
                b["subscription"]["endpoint"] = json!(app.url("/api/v1/statuses"));
                b
            },
            "subscription_endpoint",
        ),
        (
            "endpoint missing",
            {
                let mut b = good();
                b["subscription"]
                    .as_object_mut()
                    .unwrap()
                    .remove("endpoint");
                b
            },
            "subscription_endpoint",
        ),
        (
            "unknown alert",
            {
                let mut b = good();
                b["data"]["alerts"]["telepathy"] = json!(true);
                b
            },
            "data_alerts",
        ),
        (
            "alert not a boolean",
            {
                let mut b = good();
                b["data"]["alerts"]["mention"] = json!("maybe");
                b
            },
            "data_alerts",
        ),
        (
            "unknown policy",
            {
                let mut b = good();
                b["data"]["policy"] = json!("friends");
                b
            },
            "data_policy",
        ),
        (
            "two policies",
            {
                let mut b = good();
                b["policy"] = json!("none");
                b
            },
            "data_policy",
        ),
        (
            "legacy encryption asked",
            {
                let mut b = good();
                b["subscription"]["standard"] = json!(false);
                b
            },
            "subscription_standard",
        ),
        (
            "unknown subscription parameter",
            {
                let mut b = good();
                b["subscription"]["colour"] = json!("red");
                b
            },
            "subscription",
        ),
        (
            "unknown data parameter",
            {
                let mut b = good();
                b["data"]["volume"] = json!(11);
                b
            },
            "data",
        ),
        (
            "keys not an object",
            {
                let mut b = good();
                b["subscription"]["keys"] = json!("abc");
                b
            },
            "subscription_keys",
        ),
    ];
    for (what, body, field) in cases {
        let (status, answer) = call(&app, reqwest::Method::POST, Some(&token), Some(&body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {answer}");
        assert!(
            answer["details"][field].is_array(),
            "{what}: {field} not named in {answer}"
        );
        assert!(
            answer["error"].as_str().unwrap().len() > 10,
            "{what}: {answer}"
        );
    }
    // Several refusals at once are all named.
    let mut many = good();
    many["subscription"]["keys"]["p256dh"] = json!("!");
    many["subscription"]["endpoint"] = json!("nope");
    many["data"]["policy"] = json!("x");
    let (status, answer) = call(&app, reqwest::Method::POST, Some(&token), Some(&many)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "subscription_keys_p256dh",
        "subscription_endpoint",
        "data_policy",
    ] {
        assert!(answer["details"][field].is_array(), "{field}: {answer}");
    }
    // French first.
    let res = app
        .client
        .post(app.url("/api/v1/push/subscription"))
        .bearer_auth(&token)
        .json(&many)
        .send()
        .await
        .unwrap();
    let french: Value = res.json().await.unwrap();
    assert!(
        french["details"]["data_policy"][0]["description"]
            .as_str()
            .unwrap()
            .contains("doit valoir"),
        "{french}"
    );
    // PUT refuses bad data too, and keeps what was there.
    let (status, _) = call(&app, reqwest::Method::POST, Some(&token), Some(&good())).await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = call_form(
        &app,
        reqwest::Method::PUT,
        &token,
        &[("data[alerts][mention]", "perhaps")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (_, kept) = call(&app, reqwest::Method::GET, Some(&token), None).await;
    assert_eq!(kept["alerts"]["mention"], true);
    call(&app, reqwest::Method::DELETE, Some(&token), None).await;

    // No token, a token without `push`, an app token without a person.
    let (status, _) = call(&app, reqwest::Method::POST, None, Some(&good())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&app, reqwest::Method::GET, Some("not-a-token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, no_push) = app.user_with_token("bob", "read write follow").await;
    for method in [
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let (status, _) = call(&app, method.clone(), Some(&no_push), Some(&good())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}");
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "nothing refused was kept");
    app.stop().await;
}

#[tokio::test]
async fn https_instances_push_only_to_https_services_by_name() {
    let app = common::spawn_app_with(|c| {
        c.public_url = url::Url::parse("https://coopol.example").unwrap();
    })
    .await;
    let (_, token) = app.user_with_token("alice", "push").await;
    let keys = BrowserKeys::new();
    for endpoint in [
        "http://push.example/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://push.example:8443/x",
    ] {
        let body = subscription(endpoint, &keys, json!({}), "all");
        let (status, answer) = call(&app, reqwest::Method::POST, Some(&token), Some(&body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}: {answer}"
        );
        assert!(answer["details"]["subscription_endpoint"].is_array());
    }
    let body = subscription("https://push.example/x", &keys, json!({}), "all");
    let (status, answer) = call(&app, reqwest::Method::POST, Some(&token), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    app.stop().await;
}

/// Subscribes `token` to a push service path with `alerts` and `policy`; gives the keys.
async fn subscribe(
    app: &TestApp,
    token: &str,
    endpoint: &str,
    alerts: Value,
    policy: &str,
) -> BrowserKeys {
    let keys = BrowserKeys::new();
    let body = subscription(endpoint, &keys, alerts, policy);
    let (status, answer) = call(app, reqwest::Method::POST, Some(token), Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    keys
}

/// Bob mentions alice; gives the post's id.
async fn mention(app: &TestApp, token: &str, text: &str) -> String {
    let (status, post) = app
        .post_json("/api/v1/statuses", Some(token), &json!({ "status": text }))
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    post["id"].as_str().unwrap().to_string()
}

async fn dispatched_all(app: &TestApp) -> bool {
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE dispatched = 0")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    left == 0
}

async fn queued(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM push_deliveries")
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_notification_is_pushed_encrypted_and_signed() {
    let app = spawn_app().await;
    let (origin, service) = push_service(Duration::ZERO).await;
    let (alice_id, alice) = app.user_with_token("alice", "read write push").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    sqlx::query("UPDATE accounts SET display_name = 'Bob Martin' WHERE username = 'bob'")
        .execute(app.state.pool())
        .await
        .unwrap();
    let keys = subscribe(
        &app,
        &alice,
        &format!("{origin}/push/alice-device"),
        json!({"mention": true, "follow": true}),
        "all",
    )
    .await;

    let text = format!(
        "@alice {}",
        "Réunion demain à la bourse du travail. ".repeat(8)
    );
    mention(&app, &bob, &text).await;
    eventually("the mention is pushed", || async {
        !service.received().is_empty()
    })
    .await;
    let got = service.received().remove(0);
    assert_eq!(got.path, "/push/alice-device");
    let header = |name: &str| got.headers.get(name).unwrap().to_str().unwrap().to_string();
    assert_eq!(header("content-encoding"), "aes128gcm");
    assert_eq!(header("content-type"), "application/octet-stream");
    assert_eq!(header("ttl"), "172800");
    assert_eq!(header("urgency"), "normal");
    check_vapid(&header("authorization"), &vapid_key(&app).await, &origin);

    let payload: Value = serde_json::from_slice(&keys.decrypt(&got.body)).unwrap();
    let (_, notifications) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    let notification = &notifications[0];
    assert_eq!(notification["type"], "mention");
    assert_eq!(
        payload["notification_id"].to_string(),
        notification["id"].as_str().unwrap(),
        "{payload}"
    );
    assert_eq!(payload["notification_type"], "mention");
    assert_eq!(payload["access_token"], alice, "the subscription's token");
    assert_eq!(payload["preferred_locale"], "fr");
    assert_eq!(payload["title"], "Bob Martin vous a mentionné·e");
    let body = payload["body"].as_str().unwrap();
    assert!(body.starts_with("@alice Réunion demain"), "{body}");
    assert_eq!(body.chars().count(), 140, "cut as Mastodon cuts: {body}");
    assert!(payload["icon"].as_str().unwrap().starts_with("http"));
    let expected_keys = [
        "access_token",
        "body",
        "icon",
        "notification_id",
        "notification_type",
        "preferred_locale",
        "title",
    ];
    let mut names: Vec<&str> = payload
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort();
    assert_eq!(names, expected_keys);
    eventually("the push is done with", || async {
        queued(&app).await == 0
    })
    .await;

    // In the recipient's language: English once alice chose it.
    sqlx::query("UPDATE users SET locale = 'en' WHERE account_id = $1")
        .bind(alice_id)
        .execute(app.state.pool())
        .await
        .unwrap();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("the follow is pushed", || async {
        service.received().len() == 2
    })
    .await;
    let payload: Value =
        serde_json::from_slice(&keys.decrypt(&service.received()[1].body)).unwrap();
    assert_eq!(payload["notification_type"], "follow");
    assert_eq!(payload["preferred_locale"], "en");
    assert_eq!(payload["title"], "Bob Martin is now following you");
    app.stop().await;
}

#[tokio::test]
async fn alerts_policies_and_preferences_choose_what_is_pushed() {
    let app = spawn_app().await;
    let (origin, service) = push_service(Duration::ZERO).await;
    let (alice_id, alice) = app.user_with_token("alice", "read write push").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    // Mentions are pushed only from people alice follows; follows not at all.
    subscribe(
        &app,
        &alice,
        &format!("{origin}/push/a"),
        json!({"mention": true, "follow": false}),
        "followed",
    )
    .await;
    mention(&app, &bob, "@alice one").await;
    app.post_json(
        &format!("/api/v1/accounts/{alice_id}/follow"),
        Some(&bob),
        &json!({}),
    )
    .await;
    eventually("both are dispatched", || dispatched_all(&app)).await;
    assert_eq!(queued(&app).await, 0, "nothing admitted");
    // Once alice follows bob, his mentions are pushed.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    mention(&app, &bob, "@alice two").await;
    eventually("the mention is pushed", || async {
        service.received().len() == 1
    })
    .await;
    // `follower`: pushed from people who follow alice (bob does).
    let keys = subscribe(
        &app,
        &alice,
        &format!("{origin}/push/b"),
        json!({"mention": true}),
        "follower",
    )
    .await;
    mention(&app, &bob, "@alice three").await;
    eventually("pushed to the new subscription", || async {
        service.received().len() == 2
    })
    .await;
    let last = service.received().pop().unwrap();
    assert_eq!(last.path, "/push/b");
    let payload: Value = serde_json::from_slice(&keys.decrypt(&last.body)).unwrap();
    assert_eq!(payload["body"], "@alice three");
    // `none`: nothing.
    call_form(
        &app,
        reqwest::Method::PUT,
        &alice,
        &[("data[alerts][mention]", "1"), ("data[policy]", "none")],
    )
    .await;
    mention(&app, &bob, "@alice four").await;
    eventually("dispatched", || dispatched_all(&app)).await;
    assert_eq!(queued(&app).await, 0);
    // A person who turned push off for mentions gets none, whatever the subscription says.
    call_form(
        &app,
        reqwest::Method::PUT,
        &alice,
        &[("data[alerts][mention]", "1")],
    )
    .await;
    coopol::service::notifications::turn_off(
        &app.state,
        alice_id,
        coopol::domain::NotificationKind::Mention,
        coopol::service::notifications::Channel::Push,
    )
    .await
    .unwrap();
    mention(&app, &bob, "@alice five").await;
    eventually("dispatched", || dispatched_all(&app)).await;
    assert_eq!(queued(&app).await, 0);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(service.received().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn gone_subscriptions_are_removed_failures_retried_refusals_dropped() {
    let app = spawn_app().await;
    let (origin, service) = push_service(Duration::ZERO).await;
    let (_, alice) = app.user_with_token("alice", "read write push").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let keys = subscribe(
        &app,
        &alice,
        &format!("{origin}/push/a"),
        json!({"mention": true}),
        "all",
    )
    .await;

    // 500, then accepted: sent again after a wait.
    service.answer_next(&[500]);
    mention(&app, &bob, "@alice retried").await;
    eventually("tried twice", || async { service.received().len() == 2 }).await;
    let received = service.received();
    assert_eq!(
        keys.decrypt(&received[0].body),
        keys.decrypt(&received[1].body),
        "the same message"
    );
    eventually("done with", || async { queued(&app).await == 0 }).await;

    // 400: that push is dropped, the subscription stays.
    service.answer_next(&[400]);
    mention(&app, &bob, "@alice refused").await;
    eventually("tried", || async { service.received().len() == 3 }).await;
    eventually("dropped", || async { queued(&app).await == 0 }).await;
    let (status, _) = call(&app, reqwest::Method::GET, Some(&alice), None).await;
    assert_eq!(status, StatusCode::OK);

    // 410: the subscription is gone.
    service.answer_next(&[410]);
    mention(&app, &bob, "@alice gone").await;
    eventually("tried", || async { service.received().len() == 4 }).await;
    eventually("the subscription removed", || async {
        call(&app, reqwest::Method::GET, Some(&alice), None).await.0 == StatusCode::NOT_FOUND
    })
    .await;
    assert_eq!(queued(&app).await, 0);

    // A revoked token's subscription ends with it.
    subscribe(
        &app,
        &alice,
        &format!("{origin}/push/a"),
        json!({"mention": true}),
        "all",
    )
    .await;
    sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = 1 \
         WHERE id = (SELECT token_id FROM push_subscriptions)",
    )
    .execute(app.state.pool())
    .await
    .unwrap();
    mention(&app, &bob, "@alice revoked").await;
    eventually("dispatched", || dispatched_all(&app)).await;
    eventually("the subscription removed", || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
        n == 0
    })
    .await;
    assert_eq!(
        service.received().len(),
        4,
        "nothing sent for a revoked token"
    );

    // Revoking a person's tokens (a password change) ends their subscriptions at once.
    let (carol_id, carol) = app.user_with_token("carol", "read push").await;
    subscribe(
        &app,
        &carol,
        &format!("{origin}/push/c"),
        json!({"mention": true}),
        "all",
    )
    .await;
    coopol::db::oauth::revoke_all_for(
        &mut app.state.pool().acquire().await.unwrap(),
        carol_id,
        coopol::clock::now(),
    )
    .await
    .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM push_subscriptions")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    app.stop().await;
}

#[tokio::test]
async fn several_workers_on_one_database_push_each_message_once() {
    let app = spawn_app().await;
    let (origin, service) = push_service(Duration::from_millis(20)).await;
    let (_, alice) = app.user_with_token("alice", "read write push").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    subscribe(
        &app,
        &alice,
        &format!("{origin}/push/a"),
        json!({"mention": true}),
        "all",
    )
    .await;
    // Other claimants of the same queue, as other processes would be.
    let others: Vec<_> = (0..3)
        .map(|_| {
            let mut state = app.state.clone();
            state.process_id = std::sync::Arc::from(coopol::crypto::random_token(8));
            let stop = tokio_util::sync::CancellationToken::new();
            let worker = tokio::spawn(coopol::service::push::run(state.clone(), stop.clone()));
            (state, stop, worker)
        })
        .collect();
    for (state, _, _) in &others {
        coopol::db::federation::register_process(
            state.pool(),
            &state.process_id,
            coopol::clock::now(),
        )
        .await
        .unwrap();
    }
    for n in 0..40 {
        mention(&app, &bob, &format!("@alice message {n}")).await;
    }
    eventually("every message pushed", || async {
        service.received().len() >= 40
    })
    .await;
    eventually("done with", || async { queued(&app).await == 0 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(service.received().len(), 40, "none twice");
    for (_, stop, worker) in others {
        stop.cancel();
        worker.await.unwrap();
    }
    app.stop().await;
}

const BIN: &str = env!("CARGO_BIN_EXE_coopol");

/// A fresh database for the real binary: a SQLite file, or a new PostgreSQL database.
async fn binary_database(dir: &std::path::Path) -> String {
    match std::env::var("COOPOL_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = format!(
                "coopol_push_kill_{}",
                coopol::crypto::random_code(8).to_lowercase()
            );
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .unwrap();
            let mut url = url::Url::parse(&server).unwrap();
            url.set_path(&name);
            url.to_string()
        }
        _ => format!("sqlite://{}/coopol.db?mode=rwc", dir.display()),
    }
}

fn binary(
    dir: &std::path::Path,
    database: &str,
    port: u16,
    args: &[&str],
) -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env("COOPOL_DATABASE_URL", database)
        .env("COOPOL_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("COOPOL_LISTEN", format!("127.0.0.1:{port}"))
        .env("COOPOL_LOG_LEVEL", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

fn serve(dir: &std::path::Path, database: &str, port: u16) -> std::process::Child {
    let mut child = binary(dir, database, port, &["serve"]).spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "coopol exited early");
        assert!(std::time::Instant::now() < deadline, "coopol did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_pushes_survive_a_sigkill() {
    const POSTS: usize = 30;
    let dir = tempfile::tempdir().unwrap();
    let database = binary_database(dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (origin, service) = push_service(Duration::from_millis(300)).await;
    for name in ["alice", "bob"] {
        let mut create = binary(
            dir.path(),
            &database,
            port,
            &[
                "user",
                "create",
                name,
                "--email",
                &format!("{name}@example.org"),
                "--password-stdin",
            ],
        )
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        std::io::Write::write_all(
            &mut create.stdin.take().unwrap(),
            b"correct horse battery\n",
        )
        .unwrap();
        assert!(create.wait().unwrap().success());
    }
    let mut server = serve(dir.path(), &database, port);
    let base = format!("http://localhost:{port}");
    let client = reqwest::Client::new();
    let registered: Value = client
        .post(format!("{base}/api/v1/apps"))
        .form(&[
            ("client_name", "push app"),
            ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
            ("scopes", "read write push"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for name in ["alice", "bob"] {
        let body: Value = client
            .post(format!("{base}/oauth/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", registered["client_id"].as_str().unwrap()),
                (
                    "client_secret",
                    registered["client_secret"].as_str().unwrap(),
                ),
                ("username", &format!("{name}@example.org")),
                ("password", "correct horse battery"),
                ("scope", "read write push"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(body["access_token"].as_str().unwrap().to_string());
    }
    let keys = BrowserKeys::new();
    let res = client
        .post(format!("{base}/api/v1/push/subscription"))
        .bearer_auth(&tokens[0])
        .json(&subscription(
            &format!("{origin}/push/a"),
            &keys,
            json!({"mention": true}),
            "all",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for n in 0..POSTS {
        let res = client
            .post(format!("{base}/api/v1/statuses"))
            .bearer_auth(&tokens[1])
            .json(&json!({ "status": format!("@alice message {n}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
    // Killed while pushing: some sent, some claimed and in flight, most still queued.
    eventually("the first pushes arrive", || async {
        service.received().len() >= 3
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();
    let before = service.received().len();
    assert!(before < POSTS, "killed too late to tell ({before} sent)");

    let mut server = serve(dir.path(), &database, port);
    let pushed = || {
        let mut ids: Vec<String> = service
            .received()
            .iter()
            .map(|r| {
                let payload: Value = serde_json::from_slice(&keys.decrypt(&r.body)).unwrap();
                payload["notification_id"].to_string()
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while pushed() < POSTS {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {POSTS} pushed after the restart",
            pushed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // At least once: only what was in flight at the kill may come twice.
    let total = service.received().len();
    assert!(
        total - POSTS <= 32,
        "{total} pushes for {POSTS} notifications"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_subscribes_and_gets_pushes() {
    let venv = std::env::var("COOPOL_CLIENTS_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/clients-venv")
        });
    if !venv.join("bin/python").exists() {
        assert!(
            std::env::var("COOPOL_REQUIRE_CLIENTS").is_ok_and(|v| v != "1")
                || std::env::var("COOPOL_REQUIRE_CLIENTS").is_err(),
            "the client virtual environment {} is missing: run scripts/test",
            venv.display()
        );
        eprintln!(
            "notice: {} is absent; Mastodon.py push test skipped",
            venv.display()
        );
        return;
    }
    let app = spawn_app().await;
    let (origin, service) = push_service(Duration::ZERO).await;
    app.create_user(
        "alice",
        "correct horse battery",
        coopol::domain::Role::Member,
    )
    .await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let keys = BrowserKeys::new();
    let endpoint = format!("{origin}/push/mastodon-py");
    let mut cmd = std::process::Command::new(venv.join("bin/python"));
    cmd.arg(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/clients/mastodon_py_push.py"),
    )
    .args([
        app.base.as_str(),
        "alice@example.org",
        "correct horse battery",
        &endpoint,
        &hex::encode(&keys.public),
        &hex::encode(keys.auth),
    ]);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(answer["set"]["endpoint"], endpoint.as_str());
    assert_eq!(answer["set"]["policy"], "follower");
    assert_eq!(answer["set"]["alerts"]["mention"], true);
    assert_eq!(answer["set"]["alerts"]["poll"], true);
    assert_eq!(answer["set"]["alerts"]["follow"], false);
    assert_eq!(answer["set"]["server_key"], vapid_key(&app).await);
    assert_eq!(answer["get"]["id"], answer["set"]["id"]);
    assert_eq!(answer["update"]["policy"], "all");
    assert_eq!(answer["update"]["alerts"]["favourite"], true);
    assert_eq!(answer["update"]["alerts"]["poll"], false);
    mention(&app, &bob, "@alice hello from the test").await;
    eventually("the mention is pushed", || async {
        !service.received().is_empty()
    })
    .await;
    let payload: Value =
        serde_json::from_slice(&keys.decrypt(&service.received()[0].body)).unwrap();
    assert_eq!(payload["notification_type"], "mention");
    assert_eq!(payload["access_token"], answer["token"]);
    app.stop().await;
}
