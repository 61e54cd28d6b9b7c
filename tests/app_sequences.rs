//! The call sequences of Tusky, Phanpy, Elk and Ice Cubes, replayed request by request as
//! each app sends them (paths, query parameters, form or JSON bodies), written from their
//! sources, with the fields each app reads checked against Mastodon's entity definitions
//! (`common/shapes.rs`). Each app's start-up and everyday sequences are separate tests; the
//! calls to endpoints other branches build (user domain blocks, notes, endorsements, familiar
//! followers: `_needs_acctx`; featured and followed tags, `/tags/:name`: `_needs_tags`;
//! announcements: `_needs_announce`) are in tests of their own.
//!
//! Sources read (December 2026 snapshots):
//! - Tusky: `app/src/main/java/com/keylesspalace/tusky/network/MastodonApi.kt` (every
//!   request), `entity/NewStatus.kt` (the JSON of a post), `service/SendStatusService.kt`
//!   (what a post sends), `components/login/LoginActivity.kt` (sign-in).
//! - Phanpy: `src/utils/auth.js` (sign-in, form bodies, PKCE), `src/pages/notifications.jsx`
//!   (grouped notifications, policy), `src/components/compose.jsx` (a post's snake_case
//!   JSON), `src/components/background-service.jsx` (markers), `src/pages/account-statuses.jsx`,
//!   `src/components/account-info.jsx`, `src/pages/hashtag.jsx`; requests through masto.js
//!   (JSON bodies, `name[]` arrays in queries).
//! - Elk: `server/utils/shared.ts` and `server/api/[server]/oauth/[origin].ts` (sign-in, JSON
//!   bodies), `app/composables/users.ts` (start-up), `app/composables/masto/masto.ts`
//!   (instance, streaming), `app/composables/masto/notification.ts` (markers, notifications),
//!   `app/composables/masto/publish.ts` and `statusDrafts.ts` (a post, with
//!   `quote_approval_policy`), `app/components/timeline/TimelineHome.vue` (followed tags).
//! - Ice Cubes: `Packages/NetworkClient/Sources/NetworkClient/Endpoint/*.swift` (every
//!   request: query items, JSON bodies in snake_case), `Packages/Notifications/Sources/
//!   Notifications/List/NotificationsListDataSource.swift` (grouped notifications with
//!   `grouped_types[]` and `expand_accounts=full`).

mod common;
#[path = "common/hostile.rs"]
mod hostile;
#[path = "common/shapes.rs"]
mod shapes;

use common::{TestApp, spawn_app, urlencode};
use coopol::domain::Role;
use futures::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode, header::HeaderMap, multipart};
use serde_json::{Value, json};
use std::io::Cursor;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

const PASSWORD: &str = "correct horse battery";

/// An entity checker of `common/shapes.rs`.
type Check = fn(&Value, &str);

/// How an app signs in: what it registers and how it sends its requests.
struct AppSpec {
    name: &'static str,
    redirect_uri: &'static str,
    website: Option<&'static str>,
    scopes: &'static str,
    /// `POST /api/v1/apps` and `/oauth/token` bodies as JSON (Elk) or forms.
    json_oauth: bool,
    /// The token request carries `scope` (Elk, Ice Cubes).
    token_scope: bool,
    /// PKCE (Phanpy).
    pkce: bool,
}

const TUSKY: AppSpec = AppSpec {
    name: "Tusky",
    redirect_uri: "oauth2redirect://com.keylesspalace.tusky/",
    website: Some("https://tusky.app"),
    scopes: "read write follow push",
    json_oauth: false,
    token_scope: false,
    pkce: false,
};

const PHANPY: AppSpec = AppSpec {
    name: "Phanpy",
    redirect_uri: "https://phanpy.social/",
    website: Some("https://phanpy.social"),
    scopes: "read write follow push",
    json_oauth: false,
    token_scope: false,
    pkce: true,
};

const ELK: AppSpec = AppSpec {
    name: "Elk",
    redirect_uri: "https://elk.zone/api/coopol.test/oauth/https%3A%2F%2Felk.zone",
    website: Some("https://elk.zone"),
    scopes: "read write follow push",
    json_oauth: true,
    token_scope: true,
    pkce: false,
};

const ICE_CUBES: AppSpec = AppSpec {
    name: "IceCubesApp",
    redirect_uri: "icecubesapp://",
    website: Some("https://github.com/Dimillian/IceCubesApp"),
    scopes: "read write follow push",
    json_oauth: false,
    token_scope: true,
    pkce: false,
};

/// An answer: status, headers, JSON body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    /// The body, after checking the status is 200.
    fn ok(self, what: &str) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{what}: {}", self.body);
        self.body
    }

    /// The `Link` header's URL for `rel`.
    fn link(&self, rel: &str) -> Option<String> {
        let link = self.headers.get("link")?.to_str().ok()?;
        link.split(',').find_map(|part| {
            let (url, params) = part.split_once(';')?;
            params.contains(&format!("rel=\"{rel}\"")).then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
    }
}

/// One app's client: a token and the way it sends requests.
struct App<'a> {
    app: &'a TestApp,
    token: String,
}

impl App<'_> {
    async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let res = req.bearer_auth(&self.token).send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.app.client.request(method, self.app.url(path))
    }

    /// GET with the query in `path`.
    async fn get(&self, path: &str) -> Answer {
        self.send(self.req(Method::GET, path)).await
    }

    /// GET, expecting 200.
    async fn get_ok(&self, path: &str) -> Value {
        self.get(path).await.ok(&format!("GET {path}"))
    }

    /// A form body (Tusky's `@FormUrlEncoded`, Phanpy's `URLSearchParams`).
    async fn form(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(self.req(method, path).form(form)).await
    }

    /// A JSON body (masto.js, Ice Cubes, Tusky's posts).
    async fn json(&self, method: Method, path: &str, body: Value) -> Answer {
        self.send(self.req(method, path).json(&body)).await
    }

    /// A request without a body.
    async fn empty(&self, method: Method, path: &str) -> Answer {
        self.send(self.req(method, path)).await
    }
}

/// Signs `login` in through `spec`'s OAuth sequence: registers the app as it does, goes
/// through the authorization page in a browser, and exchanges the code as it does.
async fn sign_in(app: &TestApp, spec: &AppSpec, login: &str) -> String {
    let mut fields = vec![
        ("client_name", spec.name),
        ("redirect_uris", spec.redirect_uri),
        ("scopes", spec.scopes),
    ];
    if let Some(w) = spec.website {
        fields.push(("website", w));
    }
    let req = app.client.post(app.url("/api/v1/apps"));
    let req = if spec.json_oauth {
        let body: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        req.json(&body)
    } else {
        req.form(&fields)
    };
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}: register", spec.name);
    let registered: Value = res.json().await.unwrap();
    shapes::credential_application(&registered, "app");
    let client_id = registered["client_id"].as_str().unwrap().to_string();
    let client_secret = registered["client_secret"].as_str().unwrap().to_string();

    let verifier = "a-verifier-long-enough-for-pkce-0123456789-abcdefghijklmnop";
    let challenge = coopol::crypto::sha256_base64url(verifier.as_bytes());
    let mut params = vec![
        ("client_id", client_id.as_str()),
        ("scope", spec.scopes),
        ("redirect_uri", spec.redirect_uri),
        ("response_type", "code"),
    ];
    if spec.pkce {
        params.push(("code_challenge_method", "S256"));
        params.push(("code_challenge", challenge.as_str()));
    }
    let authorize = format!(
        "/oauth/authorize?{}",
        serde_urlencoded::to_string(&params).unwrap()
    );
    let browser = app.browser();
    browser
        .sign_in(&format!("{login}@example.org"), PASSWORD)
        .await;
    let mut form = params.clone();
    form.push(("decision", "approve"));
    let answer = browser.submit(&authorize, "/oauth/authorize", &form).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let redirect = answer.location.unwrap();
    assert!(redirect.starts_with(spec.redirect_uri), "{redirect}");
    let code = common::query_of(&redirect)["code"].clone();

    let mut token = vec![
        ("client_id", client_id.as_str()),
        ("client_secret", client_secret.as_str()),
        ("redirect_uri", spec.redirect_uri),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    if spec.token_scope {
        token.push(("scope", spec.scopes));
    }
    if spec.pkce {
        token.push(("code_verifier", verifier));
    }
    let req = app.client.post(app.url("/oauth/token"));
    let req = if spec.json_oauth {
        let body: serde_json::Map<String, Value> = token
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        req.json(&body)
    } else {
        req.form(&token)
    };
    let res = req.send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{}: token: {body}", spec.name);
    shapes::token(&body, "token");
    body["access_token"].as_str().unwrap().to_string()
}

/// The scene every sequence starts from: Alice signs in with the app; Bob and Carol (tokens
/// through the harness) follow her and are followed by her; Bob has posted with a hashtag
/// and mentioned her, favourited and boosted her post; Carol wrote to her directly.
struct World {
    app: TestApp,
    alice_id: i64,
    bob_id: i64,
    bob: String,
    carol_id: i64,
    carol: String,
    /// Alice's own post.
    alice_post: String,
    /// Bob's public post with `#organizing` mentioning Alice.
    bob_post: String,
}

async fn world(spec: &AppSpec) -> (World, String) {
    let app = spawn_app().await;
    let alice_id = app.create_user("alice", PASSWORD, Role::Member).await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (carol_id, carol) = app.user_with_token("carol", "read write follow").await;
    let alice = sign_in(&app, spec, "alice").await;
    for (token, id) in [
        (&bob, alice_id),
        (&carol, alice_id),
        (&alice, bob_id),
        (&alice, carol_id),
    ] {
        let (s, b) = app
            .post_form(&format!("/api/v1/accounts/{id}/follow"), Some(token), &[])
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let post = |token: String, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (s, b) = app.post_form("/api/v1/statuses", Some(&token), &form).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            b["id"].as_str().unwrap().to_string()
        }
    };
    let alice_post = post(
        alice.clone(),
        vec![("status", "Réunion de section jeudi à 19h".into())],
    )
    .await;
    let bob_post = post(
        bob.clone(),
        vec![(
            "status",
            "@alice on prépare les tracts #organizing".to_string(),
        )],
    )
    .await;
    for action in ["favourite", "reblog"] {
        let (s, b) = app
            .post_form(
                &format!("/api/v1/statuses/{alice_post}/{action}"),
                Some(&bob),
                &[],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    post(
        carol.clone(),
        vec![
            ("status", "@alice tu as les clés de la salle ?".into()),
            ("visibility", "direct".into()),
        ],
    )
    .await;
    (
        World {
            app,
            alice_id,
            bob_id,
            bob,
            carol_id,
            carol,
            alice_post,
            bob_post,
        },
        alice,
    )
}

/// A small PNG, as a phone's picture picker hands it over.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// `POST /api/v2/media` with a multipart body (`file`, and `description` when given).
async fn upload(c: &App<'_>, description: Option<&str>) -> Value {
    let mut form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(png())
            .file_name("photo.png")
            .mime_str("image/png")
            .unwrap(),
    );
    if let Some(d) = description {
        form = form.text("description", d.to_string());
    }
    let a = c
        .send(c.req(Method::POST, "/api/v2/media").multipart(form))
        .await;
    assert!(
        a.status == StatusCode::OK || a.status == StatusCode::ACCEPTED,
        "upload: {} {}",
        a.status,
        a.body
    );
    shapes::media(&a.body, "media");
    a.body
}

/// A WebSocket on `/api/v1/streaming{query}` with the token as its protocol, as masto.js and
/// Ice Cubes open it.
async fn websocket(app: &TestApp, token: &str, query: &str) -> WsConn {
    let url = format!(
        "{}/api/v1/streaming{query}",
        app.base.replacen("http", "ws", 1)
    );
    let mut req = url.into_client_request().unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", token.parse().unwrap());
    tokio_tungstenite::connect_async(req)
        .await
        .expect("WebSocket opened")
        .0
}

type WsConn =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws_send(ws: &mut WsConn, v: Value) {
    ws.send(tungstenite::Message::Text(v.to_string().into()))
        .await
        .unwrap();
}

/// Messages until one whose payload contains `marker`, that one last, parsed.
async fn ws_collect(ws: &mut WsConn, marker: &str) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("an event in time")
            .expect("the stream is open")
            .expect("a message");
        if let tungstenite::Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            let done = v["payload"].as_str().unwrap_or("").contains(marker);
            seen.push(v);
            if done {
                return seen;
            }
        }
    }
}

/// The first message whose payload contains `marker`.
async fn ws_until(ws: &mut WsConn, marker: &str) -> Value {
    ws_collect(ws, marker).await.pop().unwrap()
}

/// Waits until the server has handled the subscriptions sent before (an unknown message type
/// is answered with an error, in order).
async fn ws_sync(ws: &mut WsConn) {
    ws_send(ws, json!({"type": "sync"})).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("an answer in time")
            .unwrap()
            .unwrap();
        if let tungstenite::Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v.get("error").is_some() {
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Tusky
// ---------------------------------------------------------------------------------------

/// Tusky's start-up: `MainActivity` / `AccountManager` / `InstanceInfoRepository` /
/// `TimelineViewModel` / `NotificationsViewModel` / `ConversationsViewModel`, requests from
/// `network/MastodonApi.kt`.
#[tokio::test]
async fn tusky_start_up() {
    let (w, alice) = world(&TUSKY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let me = c.get_ok("/api/v1/accounts/verify_credentials").await;
    shapes::credential_account(&me, "verify_credentials");
    // InstanceInfoRepository: v2, and v1 on servers without it.
    shapes::instance_v2(&c.get_ok("/api/v2/instance").await, "instance");
    shapes::instance_v1(&c.get_ok("/api/v1/instance").await, "instance v1");
    shapes::each(
        &c.get_ok("/api/v1/custom_emojis").await,
        "custom_emojis",
        shapes::emoji,
    );
    shapes::each(
        &c.get_ok("/api/v2/filters").await,
        "filters",
        shapes::filter,
    );
    shapes::each(&c.get_ok("/api/v1/lists").await, "lists", shapes::list);
    // homeTimeline(limit) then paging with max_id from the last post.
    let home = c.get("/api/v1/timelines/home?limit=2").await;
    let next = home.link("next");
    let home = home.ok("home");
    shapes::each(&home, "home", shapes::status);
    assert_eq!(home.as_array().unwrap().len(), 2, "{home}");
    let next = next.expect("a full page links to the next");
    assert!(next.contains("max_id="), "{next}");
    let rest = c
        .get_ok(&format!(
            "/api/v1/timelines/home?max_id={}&limit=2",
            home[1]["id"].as_str().unwrap()
        ))
        .await;
    shapes::each(&rest, "home page 2", shapes::status);
    // newer posts since the top one: none.
    let newer = c
        .get_ok(&format!(
            "/api/v1/timelines/home?min_id={}&limit=40",
            home[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(newer, json!([]));
    // markersWithAuth(timeline[]=notifications), notifications with Tusky's default filters.
    let markers = c.get_ok("/api/v1/markers?timeline[]=notifications").await;
    assert!(markers.is_object(), "{markers}");
    let notifications = c
        .get_ok("/api/v1/notifications?limit=30&exclude_types[]=admin.sign_up&exclude_types[]=admin.report")
        .await;
    shapes::each(&notifications, "notifications", shapes::notification);
    let kinds: Vec<&str> = notifications
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    for k in ["follow", "mention", "favourite", "reblog"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    let top = notifications[0]["id"].as_str().unwrap();
    let a = c
        .form(
            Method::POST,
            "/api/v1/markers",
            &[("notifications[last_read_id]", top)],
        )
        .await
        .ok("markers");
    shapes::marker(&a["notifications"], "markers.notifications");
    let markers = c.get_ok("/api/v1/markers?timeline[]=notifications").await;
    shapes::marker(&markers["notifications"], "markers.notifications");
    assert_eq!(markers["notifications"]["last_read_id"], top);
    // The "Direct" tab.
    let conversations = c.get_ok("/api/v1/conversations?limit=20").await;
    shapes::each(&conversations, "conversations", shapes::conversation);
    assert_eq!(
        conversations.as_array().unwrap().len(),
        1,
        "{conversations}"
    );
    // Follow requests for the menu badge, the mutes and blocks screens.
    shapes::each(
        &c.get_ok("/api/v1/follow_requests").await,
        "follow_requests",
        shapes::account,
    );
    shapes::each(&c.get_ok("/api/v1/mutes").await, "mutes", shapes::account);
    shapes::each(&c.get_ok("/api/v1/blocks").await, "blocks", shapes::account);
    shapes::each(
        &c.get_ok("/api/v1/scheduled_statuses?limit=20").await,
        "scheduled",
        shapes::scheduled_status,
    );
    // The local and federated tabs.
    shapes::each(
        &c.get_ok("/api/v1/timelines/public?local=true&limit=20")
            .await,
        "local",
        shapes::status,
    );
    shapes::each(
        &c.get_ok("/api/v1/timelines/public?limit=20").await,
        "federated",
        shapes::status,
    );
}

/// Tusky's everyday actions: composing (`SendStatusService`: alt text set with
/// `PUT /api/v1/media/:id`, then the post as JSON with `media_attributes` and an
/// `Idempotency-Key`), a poll, a scheduled post, a content warning, interactions, a thread,
/// a profile, editing through `/source`, lists, filters, search, mutes.
#[tokio::test]
async fn tusky_everyday() {
    let (w, alice) = world(&TUSKY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    // A post with a picture: upload, describe, post.
    let m = upload(&c, None).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let described = c
        .form(
            Method::PUT,
            &format!("/api/v1/media/{mid}"),
            &[
                ("description", "Le local de la section"),
                ("focus", "0.00,0.00"),
            ],
        )
        .await
        .ok("media update");
    shapes::media(&described, "media");
    let post = c
        .send(
            c.req(Method::POST, "/api/v1/statuses")
                .header("Idempotency-Key", "tusky-1")
                .json(&json!({
                    "status": "Le local est prêt",
                    "spoiler_text": "",
                    "visibility": "public",
                    "sensitive": false,
                    "media_ids": [mid],
                    "media_attributes": [
                        {"id": mid, "description": "Le local de la section", "focus": "0.00,0.00"}
                    ],
                    "language": "fr"
                })),
        )
        .await
        .ok("post with media");
    shapes::status(&post, "post");
    assert_eq!(
        post["media_attachments"][0]["description"],
        "Le local de la section"
    );
    assert_eq!(post["language"], "fr");
    // A plain post: Tusky always sends `media_ids` and `media_attributes`, empty.
    let plain = c
        .send(
            c.req(Method::POST, "/api/v1/statuses")
                .header("Idempotency-Key", "tusky-2")
                .json(&json!({
                    "status": "Qui vient coller ce soir ?",
                    "spoiler_text": "Collage",
                    "visibility": "unlisted",
                    "sensitive": true,
                    "media_ids": [],
                    "media_attributes": []
                })),
        )
        .await
        .ok("plain post");
    shapes::status(&plain, "plain");
    assert_eq!(plain["spoiler_text"], "Collage");
    assert_eq!(plain["visibility"], "unlisted");
    // A poll.
    let poll = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Date de la prochaine AG ?",
                "spoiler_text": "",
                "visibility": "public",
                "sensitive": false,
                "media_ids": [],
                "media_attributes": [],
                "poll": {"options": ["Mardi", "Jeudi"], "expires_in": 86400, "multiple": false}
            }),
        )
        .await
        .ok("poll");
    shapes::status(&poll, "poll post");
    shapes::poll(&poll["poll"], "poll");
    // A reply.
    let reply = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "@bob je m'occupe des affiches",
                "spoiler_text": "",
                "in_reply_to_id": w.bob_post,
                "visibility": "public",
                "sensitive": false,
                "media_ids": [],
                "media_attributes": []
            }),
        )
        .await
        .ok("reply");
    assert_eq!(reply["in_reply_to_id"], w.bob_post.as_str());
    // A scheduled post: answered with a ScheduledStatus.
    let at = (chrono::Utc::now() + chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let scheduled = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Rappel : AG demain",
                "spoiler_text": "",
                "visibility": "private",
                "sensitive": false,
                "media_ids": [],
                "media_attributes": [],
                "scheduled_at": at
            }),
        )
        .await
        .ok("scheduled");
    shapes::scheduled_status(&scheduled, "scheduled");
    let list = c.get_ok("/api/v1/scheduled_statuses?limit=20").await;
    shapes::each(&list, "scheduled list", shapes::scheduled_status);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let a = c
        .empty(
            Method::DELETE,
            &format!(
                "/api/v1/scheduled_statuses/{}",
                scheduled["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);

    // Interactions on Bob's post (reblog is a form with no field).
    let bp = &w.bob_post;
    for (action, field, value) in [
        ("favourite", "favourited", true),
        ("reblog", "reblogged", true),
        ("bookmark", "bookmarked", true),
        ("mute", "muted", true),
        ("unmute", "muted", false),
    ] {
        let s = c
            .form(
                Method::POST,
                &format!("/api/v1/statuses/{bp}/{action}"),
                &[],
            )
            .await
            .ok(action);
        shapes::status(&s, action);
        let s = if action == "reblog" { &s["reblog"] } else { &s };
        assert_eq!(s[field], value, "{action}: {s}");
    }
    let pinned = c
        .form(
            Method::POST,
            &format!("/api/v1/statuses/{}/pin", w.alice_post),
            &[],
        )
        .await
        .ok("pin");
    assert_eq!(pinned["pinned"], true);
    shapes::each(
        &c.get_ok("/api/v1/bookmarks?limit=20").await,
        "bookmarks",
        shapes::status,
    );
    shapes::each(
        &c.get_ok("/api/v1/favourites?limit=20").await,
        "favourites",
        shapes::status,
    );
    // A thread.
    let s = c.get_ok(&format!("/api/v1/statuses/{bp}")).await;
    shapes::status(&s, "status");
    let ctx = c.get_ok(&format!("/api/v1/statuses/{bp}/context")).await;
    shapes::context(&ctx, "context");
    assert_eq!(ctx["descendants"][0]["id"], reply["id"]);
    shapes::each(
        &c.get_ok(&format!("/api/v1/statuses/{}/favourited_by", w.alice_post))
            .await,
        "favourited_by",
        shapes::account,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/statuses/{}/reblogged_by", w.alice_post))
            .await,
        "reblogged_by",
        shapes::account,
    );
    // A profile: the account, relationships, pinned posts, posts without replies, media.
    let bob = w.bob_id;
    shapes::account(
        &c.get_ok(&format!("/api/v1/accounts/{bob}")).await,
        "account",
    );
    let rel = c
        .get_ok(&format!("/api/v1/accounts/relationships?id[]={bob}"))
        .await;
    shapes::each(&rel, "relationships", shapes::relationship);
    assert_eq!(rel[0]["following"], true);
    assert_eq!(rel[0]["followed_by"], true);
    let pins = c
        .get_ok(&format!(
            "/api/v1/accounts/{}/statuses?pinned=true",
            w.alice_id
        ))
        .await;
    shapes::each(&pins, "pinned", shapes::status);
    assert_eq!(pins.as_array().unwrap().len(), 1, "{pins}");
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/accounts/{bob}/statuses?limit=30&exclude_replies=true"
        ))
        .await,
        "statuses",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/accounts/{bob}/statuses?limit=30&only_media=true"
        ))
        .await,
        "media",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bob}/followers")).await,
        "followers",
        shapes::account,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bob}/following")).await,
        "following",
        shapes::account,
    );
    // Editing: the source, then the post as JSON again, then its history.
    let src = c
        .get_ok(&format!(
            "/api/v1/statuses/{}/source",
            plain["id"].as_str().unwrap()
        ))
        .await;
    shapes::status_source(&src, "source");
    assert_eq!(src["text"], "Qui vient coller ce soir ?");
    let edited = c
        .json(
            Method::PUT,
            &format!("/api/v1/statuses/{}", plain["id"].as_str().unwrap()),
            json!({
                "status": "Qui vient coller ce soir ? RDV 20h",
                "spoiler_text": "Collage",
                "visibility": "unlisted",
                "sensitive": true,
                "media_ids": [],
                "media_attributes": []
            }),
        )
        .await
        .ok("edit");
    shapes::status(&edited, "edited");
    assert!(edited["edited_at"].is_string());
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/statuses/{}/history",
            plain["id"].as_str().unwrap()
        ))
        .await,
        "history",
        shapes::status_edit,
    );
    // Follow with Tusky's fields, unfollow, follow again.
    let r = c
        .form(
            Method::POST,
            &format!("/api/v1/accounts/{}/unfollow", w.carol_id),
            &[],
        )
        .await
        .ok("unfollow");
    shapes::relationship(&r, "unfollow");
    assert_eq!(r["following"], false);
    let r = c
        .form(
            Method::POST,
            &format!("/api/v1/accounts/{}/follow", w.carol_id),
            &[("reblogs", "true"), ("notify", "false")],
        )
        .await
        .ok("follow");
    shapes::relationship(&r, "follow");
    assert_eq!(r["following"], true);
    // Lists: create, add Bob, its timeline, the lists holding Bob, remove him.
    let l = c
        .form(
            Method::POST,
            "/api/v1/lists",
            &[
                ("title", "Camarades"),
                ("exclusive", "false"),
                ("replies_policy", "list"),
            ],
        )
        .await
        .ok("list");
    shapes::list(&l, "list");
    let lid = l["id"].as_str().unwrap();
    let bob_s = bob.to_string();
    let a = c
        .form(
            Method::POST,
            &format!("/api/v1/lists/{lid}/accounts"),
            &[("account_ids[]", bob_s.as_str())],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    shapes::each(
        &c.get_ok(&format!("/api/v1/lists/{lid}/accounts?limit=0"))
            .await,
        "list accounts",
        shapes::account,
    );
    let lt = c
        .get_ok(&format!("/api/v1/timelines/list/{lid}?limit=20"))
        .await;
    shapes::each(&lt, "list timeline", shapes::status);
    assert!(!lt.as_array().unwrap().is_empty());
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bob}/lists")).await,
        "account lists",
        shapes::list,
    );
    let l = c
        .form(
            Method::PUT,
            &format!("/api/v1/lists/{lid}"),
            &[
                ("title", "Camarades du 11e"),
                ("exclusive", "true"),
                ("replies_policy", "followed"),
            ],
        )
        .await
        .ok("list update");
    assert_eq!(l["exclusive"], true);
    // Retrofit cannot send a body with DELETE: Tusky uses @HTTP(method = "DELETE", hasBody).
    let a = c
        .form(
            Method::DELETE,
            &format!("/api/v1/lists/{lid}/accounts"),
            &[("account_ids[]", bob_s.as_str())],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Filters v2: create with contexts, add a keyword, read, delete.
    let f = c
        .form(
            Method::POST,
            "/api/v2/filters",
            &[
                ("title", "Spoilers"),
                ("context[]", "home"),
                ("context[]", "public"),
                ("filter_action", "warn"),
                ("expires_in", "86400"),
            ],
        )
        .await
        .ok("filter");
    shapes::filter(&f, "filter");
    let fid = f["id"].as_str().unwrap();
    let k = c
        .form(
            Method::POST,
            &format!("/api/v2/filters/{fid}/keywords"),
            &[("keyword", "finale"), ("whole_word", "true")],
        )
        .await
        .ok("keyword");
    shapes::filter_keyword(&k, "keyword");
    shapes::filter(&c.get_ok(&format!("/api/v2/filters/{fid}")).await, "filter");
    let a = c
        .empty(Method::DELETE, &format!("/api/v2/filters/{fid}"))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Search, as the search screen asks.
    let found = c
        .get_ok("/api/v2/search?q=organizing&type=hashtags&resolve=true&limit=10&offset=0")
        .await;
    shapes::search(&found, "search");
    let found = c
        .get_ok("/api/v2/search?q=bob&type=accounts&resolve=true&limit=10&offset=0")
        .await;
    shapes::search(&found, "search");
    assert!(!found["accounts"].as_array().unwrap().is_empty());
    shapes::each(
        &c.get_ok("/api/v1/accounts/search?q=bo&limit=10&following=false")
            .await,
        "accounts search",
        shapes::account,
    );
    // Mute with Tusky's fields, then unmute.
    let r = c
        .form(
            Method::POST,
            &format!("/api/v1/accounts/{bob}/mute"),
            &[("notifications", "true"), ("duration", "0")],
        )
        .await
        .ok("mute");
    shapes::relationship(&r, "mute");
    assert_eq!(r["muting"], true);
    let r = c
        .form(Method::POST, &format!("/api/v1/accounts/{bob}/unmute"), &[])
        .await
        .ok("unmute");
    assert_eq!(r["muting"], false);
    // Voting in Bob's poll.
    let (_, bob_poll) = w
        .app
        .post_json(
            "/api/v1/statuses",
            Some(&w.bob),
            &json!({"status": "Tracts ou affiches ?",
                    "poll": {"options": ["Tracts", "Affiches"], "expires_in": 3600}}),
        )
        .await;
    let pid = bob_poll["poll"]["id"].as_str().unwrap();
    let voted = c
        .form(
            Method::POST,
            &format!("/api/v1/polls/{pid}/votes"),
            &[("choices[]", "1")],
        )
        .await
        .ok("vote");
    shapes::poll(&voted, "vote");
    assert_eq!(voted["voted"], true);
    assert_eq!(voted["own_votes"], json!([1]));
    // Deleting the reply ("delete and redraft" reads its `text`).
    let gone = c
        .empty(
            Method::DELETE,
            &format!("/api/v1/statuses/{}", reply["id"].as_str().unwrap()),
        )
        .await
        .ok("delete");
    assert_eq!(gone["text"], "@bob je m'occupe des affiches");
    // Preferences of the composer (Tusky's account preferences screen).
    let r = c
        .form(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            &[
                ("source[privacy]", "unlisted"),
                ("source[sensitive]", "false"),
                ("source[language]", "fr"),
            ],
        )
        .await
        .ok("update source");
    shapes::credential_account(&r, "update_credentials");
    assert_eq!(r["source"]["privacy"], "unlisted");
    assert_eq!(r["source"]["language"], "fr");
    // Clearing notifications.
    let a = c
        .form(Method::POST, "/api/v1/notifications/clear", &[])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(c.get_ok("/api/v1/notifications").await, json!([]));
}

/// Tusky's announcements (start-up: the announcements bar).
#[tokio::test]
async fn tusky_start_up_needs_announce() {
    let (w, alice) = world(&TUSKY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::each(
        &c.get_ok("/api/v1/announcements").await,
        "announcements",
        shapes::announcement,
    );
}

/// Tusky's profile screen: the note on an account, domain blocks (the menu and its screen).
#[tokio::test]
async fn tusky_everyday_needs_acctx() {
    let (w, alice) = world(&TUSKY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let r = c
        .form(
            Method::POST,
            &format!("/api/v1/accounts/{}/note", w.bob_id),
            &[("comment", "Trésorier de la section")],
        )
        .await
        .ok("note");
    shapes::relationship(&r, "note");
    assert_eq!(r["note"], "Trésorier de la section");
    let a = c
        .form(
            Method::POST,
            "/api/v1/domain_blocks",
            &[("domain", "spam.example")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let blocked = c.get_ok("/api/v1/domain_blocks?limit=20").await;
    assert_eq!(blocked, json!(["spam.example"]));
    let a = c
        .form(
            Method::DELETE,
            "/api/v1/domain_blocks",
            &[("domain", "spam.example")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

/// Tusky's hashtag screen: follow a tag, the followed tags screen.
#[tokio::test]
async fn tusky_everyday_needs_tags() {
    let (w, alice) = world(&TUSKY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::tag(&c.get_ok("/api/v1/tags/organizing").await, "tag");
    let t = c
        .form(Method::POST, "/api/v1/tags/organizing/follow", &[])
        .await
        .ok("follow tag");
    shapes::tag(&t, "tag");
    assert_eq!(t["following"], true);
    let followed = c.get_ok("/api/v1/followed_tags").await;
    shapes::each(&followed, "followed_tags", shapes::tag);
    assert_eq!(followed.as_array().unwrap().len(), 1);
    let t = c
        .form(Method::POST, "/api/v1/tags/organizing/unfollow", &[])
        .await
        .ok("unfollow tag");
    assert_eq!(t["following"], false);
}

// ---------------------------------------------------------------------------------------
// Phanpy
// ---------------------------------------------------------------------------------------

/// Phanpy's start-up: `src/utils/api.js` (instance, verify_credentials, preferences),
/// `src/pages/notifications.jsx` (grouped notifications since api_versions.mastodon >= 2,
/// the policy, requests), `src/components/background-service.jsx` (markers),
/// `src/pages/home.jsx` (follow requests), the streaming client of masto.js (a WebSocket,
/// the token as its protocol, `subscribe` messages).
#[tokio::test]
async fn phanpy_start_up() {
    let (w, alice) = world(&PHANPY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let instance = c.get_ok("/api/v2/instance").await;
    shapes::instance_v2(&instance, "instance");
    assert!(instance["api_versions"]["mastodon"].as_i64().unwrap() >= 2);
    shapes::credential_account(
        &c.get_ok("/api/v1/accounts/verify_credentials").await,
        "verify_credentials",
    );
    shapes::preferences(&c.get_ok("/api/v1/preferences").await, "preferences");
    shapes::each(
        &c.get_ok("/api/v1/custom_emojis").await,
        "custom_emojis",
        shapes::emoji,
    );
    // The streaming client, opened before the timelines load.
    let streaming = instance["configuration"]["urls"]["streaming"]
        .as_str()
        .unwrap();
    assert!(streaming.starts_with("ws"), "{streaming}");
    let mut ws = websocket(&w.app, &c.token, "").await;
    ws_send(&mut ws, json!({"type": "subscribe", "stream": "user"})).await;
    ws_sync(&mut ws).await;
    let home = c.get("/api/v1/timelines/home?limit=20").await;
    let home_body = home.body.clone();
    assert_eq!(home.status, StatusCode::OK);
    shapes::each(&home_body, "home", shapes::status);
    let markers = c.get_ok("/api/v1/markers?timeline[]=notifications").await;
    assert!(markers.is_object());
    let grouped = c.get("/api/v2/notifications?limit=40").await;
    let grouped_body = grouped.body.clone();
    assert_eq!(grouped.status, StatusCode::OK, "{grouped_body}");
    shapes::grouped_notifications(&grouped_body, "notifications v2");
    assert!(
        !grouped_body["notification_groups"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A group's accounts (`masto.v2.notifications.$select(key).accounts.list()`).
    let key = grouped_body["notification_groups"][0]["group_key"]
        .as_str()
        .unwrap();
    shapes::each(
        &c.get_ok(&format!(
            "/api/v2/notifications/{}/accounts",
            urlencode(key)
        ))
        .await,
        "group accounts",
        shapes::account,
    );
    let unread = c
        .get_ok("/api/v2/notifications/unread_count?limit=1000")
        .await;
    assert!(unread["count"].is_i64(), "{unread}");
    let policy = c.get_ok("/api/v2/notifications/policy").await;
    shapes::notification_policy(&policy, "policy");
    shapes::each(
        &c.get_ok("/api/v1/notifications/requests?limit=40").await,
        "requests",
        shapes::notification_request,
    );
    shapes::each(
        &c.get_ok("/api/v1/follow_requests?limit=80").await,
        "follow_requests",
        shapes::account,
    );
    shapes::each(&c.get_ok("/api/v1/lists").await, "lists", shapes::list);
    shapes::each(
        &c.get_ok("/api/v2/filters").await,
        "filters",
        shapes::filter,
    );
    // The Mentions page: conversations and mentions.
    shapes::each(
        &c.get_ok("/api/v1/conversations?limit=20").await,
        "conversations",
        shapes::conversation,
    );
    let mentions = c
        .get_ok("/api/v1/notifications?limit=20&types[]=mention")
        .await;
    shapes::each(&mentions, "mentions", shapes::notification);
    assert!(
        mentions
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["type"] == "mention")
    );
    // Something new reaches the open stream.
    let (s, _) = w
        .app
        .post_form(
            "/api/v1/statuses",
            Some(&w.bob),
            &[("status", "phanpy-stream-marker")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let event = ws_until(&mut ws, "phanpy-stream-marker").await;
    assert_eq!(event["event"], "update");
    assert_eq!(event["stream"], json!(["user"]));
    let payload: Value = serde_json::from_str(event["payload"].as_str().unwrap()).unwrap();
    // Rendered once for every connection, as Mastodon renders public streams: without the
    // per-viewer fields, which the documentation gives as optional.
    shapes::public_status(&payload, "stream payload");
    // Marking notifications read (masto.v1.markers.create, JSON).
    let top = grouped_body["notification_groups"][0]["most_recent_notification_id"]
        .as_str()
        .unwrap();
    let m = c
        .json(
            Method::POST,
            "/api/v1/markers",
            json!({"notifications": {"last_read_id": top}}),
        )
        .await
        .ok("markers");
    shapes::marker(&m["notifications"], "markers.notifications");
}

/// Phanpy's everyday actions: composing (`compose.jsx`: snake_case JSON with an
/// `Idempotency-Key`; a poll; a schedule), a thread, a profile (`account-statuses.jsx`:
/// pinned posts then posts without replies), editing through `/source`, lists, search.
#[tokio::test]
async fn phanpy_everyday() {
    let (w, alice) = world(&PHANPY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let m = upload(&c, Some("Affiche de la manif")).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let post = c
        .send(
            c.req(Method::POST, "/api/v1/statuses")
                .header("Idempotency-Key", "phanpy-uid-1")
                .json(&json!({
                    "status": "Manif samedi 14h",
                    "spoiler_text": "",
                    "language": "fr",
                    "sensitive": false,
                    "media_ids": [mid],
                    "visibility": "public"
                })),
        )
        .await
        .ok("post");
    shapes::status(&post, "post");
    assert_eq!(
        post["media_attachments"][0]["description"],
        "Affiche de la manif"
    );
    let poll = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Quel parcours ?",
                "spoiler_text": "",
                "language": "fr",
                "sensitive": false,
                "poll": {"options": ["République", "Bastille", "Nation"],
                         "expires_in": 3600, "multiple": true, "hide_totals": false},
                "media_ids": [],
                "visibility": "public"
            }),
        )
        .await
        .ok("poll");
    shapes::poll(&poll["poll"], "poll");
    assert_eq!(poll["poll"]["multiple"], true);
    let at = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let scheduled = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Annonce sous embargo",
                "spoiler_text": "",
                "language": "fr",
                "sensitive": false,
                "media_ids": [],
                "visibility": "private",
                "scheduled_at": at
            }),
        )
        .await
        .ok("scheduled");
    shapes::scheduled_status(&scheduled, "scheduled");
    // Reactions on Bob's post.
    let bp = &w.bob_post;
    for action in ["favourite", "bookmark", "unbookmark", "unfavourite"] {
        let s = c
            .empty(Method::POST, &format!("/api/v1/statuses/{bp}/{action}"))
            .await
            .ok(action);
        shapes::status(&s, action);
    }
    let boosted = c
        .json(
            Method::POST,
            &format!("/api/v1/statuses/{bp}/reblog"),
            json!({}),
        )
        .await
        .ok("reblog");
    shapes::status(&boosted["reblog"], "reblog");
    // A thread, and several posts at once (timeline2.jsx hydrates with `id[]`).
    shapes::context(
        &c.get_ok(&format!("/api/v1/statuses/{bp}/context")).await,
        "context",
    );
    let many = c
        .get_ok(&format!("/api/v1/statuses?id[]={bp}&id[]={}", w.alice_post))
        .await;
    shapes::each(&many, "statuses", shapes::status);
    assert_eq!(many.as_array().unwrap().len(), 2);
    // A profile by its handle, then its posts.
    let bob = c.get_ok("/api/v1/accounts/lookup?acct=bob").await;
    shapes::account(&bob, "lookup");
    let bid = bob["id"].as_str().unwrap();
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/relationships?id[]={bid}"))
            .await,
        "relationships",
        shapes::relationship,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bid}/statuses?pinned=true"))
            .await,
        "pinned",
        shapes::status,
    );
    let posts = c
        .get(&format!(
            "/api/v1/accounts/{bid}/statuses?limit=20&exclude_replies=true"
        ))
        .await
        .ok("statuses");
    shapes::each(&posts, "statuses", shapes::status);
    // Editing: the source, then an update with media_attributes.
    let pid = post["id"].as_str().unwrap();
    let src = c.get_ok(&format!("/api/v1/statuses/{pid}/source")).await;
    shapes::status_source(&src, "source");
    let edited = c
        .json(
            Method::PUT,
            &format!("/api/v1/statuses/{pid}"),
            json!({
                "status": "Manif samedi 15h",
                "spoiler_text": "",
                "language": "fr",
                "sensitive": false,
                "media_ids": [mid],
                "media_attributes": [{"id": mid, "description": "Affiche (nouvelle heure)"}]
            }),
        )
        .await
        .ok("edit");
    assert_eq!(
        edited["media_attachments"][0]["description"],
        "Affiche (nouvelle heure)"
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/statuses/{pid}/history")).await,
        "history",
        shapes::status_edit,
    );
    // Lists (list-add-edit.jsx: JSON), the list page, members.
    let l = c
        .json(
            Method::POST,
            "/api/v1/lists",
            json!({"title": "Section", "replies_policy": "list", "exclusive": false}),
        )
        .await
        .ok("list");
    shapes::list(&l, "list");
    let lid = l["id"].as_str().unwrap();
    let a = c
        .json(
            Method::POST,
            &format!("/api/v1/lists/{lid}/accounts"),
            json!({"account_ids": [bid]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    shapes::each(
        &c.get_ok(&format!("/api/v1/timelines/list/{lid}?limit=20"))
            .await,
        "list timeline",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/lists/{lid}/accounts?limit=40"))
            .await,
        "members",
        shapes::account,
    );
    // Search (the search page: all types, then accounts only with `following`).
    shapes::search(
        &c.get_ok("/api/v2/search?q=tracts&limit=5&resolve=false")
            .await,
        "search",
    );
    shapes::search(
        &c.get_ok("/api/v2/search?q=bob&type=accounts&limit=5&resolve=true&following=false")
            .await,
        "search accounts",
    );
    // Hashtag timeline.
    shapes::each(
        &c.get_ok("/api/v1/timelines/tag/organizing?limit=20").await,
        "tag timeline",
        shapes::status,
    );
    // Favourites and bookmarks pages.
    shapes::each(
        &c.get_ok("/api/v1/favourites?limit=20").await,
        "favourites",
        shapes::status,
    );
    shapes::each(
        &c.get_ok("/api/v1/bookmarks?limit=20").await,
        "bookmarks",
        shapes::status,
    );
    // Unfollow, follow (JSON bodies).
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{bid}/unfollow"),
            json!({}),
        )
        .await
        .ok("unfollow");
    shapes::relationship(&r, "unfollow");
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{bid}/follow"),
            json!({}),
        )
        .await
        .ok("follow");
    assert_eq!(r["following"], true);
    // Notification requests: a bulk dismissal names at least one (coopol's documented 422,
    // in Mastodon's error shape).
    let a = c
        .json(
            Method::POST,
            "/api/v1/notifications/requests/dismiss",
            json!({"id": []}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    shapes::error(&a.body, "dismiss");
}

/// Phanpy's profile header: familiar followers, the private note, endorsements.
#[tokio::test]
async fn phanpy_everyday_needs_acctx() {
    let (w, alice) = world(&PHANPY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let bob = w.bob_id;
    let ff = c
        .get_ok(&format!("/api/v1/accounts/familiar_followers?id[]={bob}"))
        .await;
    shapes::each(&ff, "familiar_followers", shapes::familiar_followers);
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{bob}/note"),
            json!({"comment": "Vu à la manif"}),
        )
        .await
        .ok("note");
    shapes::relationship(&r, "note");
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{bob}/pin"),
            json!({}),
        )
        .await
        .ok("endorse");
    assert_eq!(r["endorsed"], true);
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{}/endorsements", w.alice_id))
            .await,
        "endorsements",
        shapes::account,
    );
    shapes::each(
        &c.get_ok("/api/v1/endorsements").await,
        "endorsements",
        shapes::account,
    );
}

/// Phanpy's hashtag page (`hashtag.jsx`) and profile (`account-statuses.jsx`): the tag, its
/// follow, featured tags.
#[tokio::test]
async fn phanpy_everyday_needs_tags() {
    let (w, alice) = world(&PHANPY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::tag(&c.get_ok("/api/v1/tags/organizing").await, "tag");
    let t = c
        .json(Method::POST, "/api/v1/tags/organizing/follow", json!({}))
        .await
        .ok("follow");
    assert_eq!(t["following"], true);
    shapes::each(
        &c.get_ok("/api/v1/followed_tags?limit=200").await,
        "followed_tags",
        shapes::tag,
    );
    let f = c
        .json(
            Method::POST,
            "/api/v1/featured_tags",
            json!({"name": "organizing"}),
        )
        .await
        .ok("feature");
    shapes::featured_tag(&f, "featured_tag");
    shapes::each(
        &c.get_ok("/api/v1/featured_tags").await,
        "featured_tags",
        shapes::featured_tag,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{}/featured_tags", w.bob_id))
            .await,
        "account featured_tags",
        shapes::featured_tag,
    );
    shapes::each(
        &c.get_ok("/api/v1/featured_tags/suggestions").await,
        "suggestions",
        shapes::tag,
    );
}

/// Phanpy's announcements (the notifications page's header).
#[tokio::test]
async fn phanpy_start_up_needs_announce() {
    let (w, alice) = world(&PHANPY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::each(
        &c.get_ok("/api/v1/announcements").await,
        "announcements",
        shapes::announcement,
    );
}

// ---------------------------------------------------------------------------------------
// Elk
// ---------------------------------------------------------------------------------------

/// Elk's start-up: `app/composables/users.ts` (nodeinfo, verify_credentials, preferences,
/// push subscription), `app/composables/masto/masto.ts` (v2 instance, the streaming client
/// from `configuration.urls.streaming`), `app/composables/masto/notification.ts` (the user
/// stream, markers, notifications with limit 30).
#[tokio::test]
async fn elk_start_up() {
    let (w, alice) = world(&ELK).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let nodeinfo = c.get_ok("/nodeinfo/2.0").await;
    assert!(nodeinfo["software"]["name"].is_string(), "{nodeinfo}");
    let me = c.get_ok("/api/v1/accounts/verify_credentials").await;
    shapes::credential_account(&me, "verify_credentials");
    shapes::preferences(&c.get_ok("/api/v1/preferences").await, "preferences");
    // "we get 404 response instead empty data": no subscription yet.
    let a = c.get("/api/v1/push/subscription").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    shapes::error(&a.body, "push subscription");
    let instance = c.get_ok("/api/v2/instance").await;
    shapes::instance_v2(&instance, "instance");
    // Elk prefers the instance's VAPID key to the app's (Mastodon 4.3).
    assert!(
        instance["configuration"]["vapid"]["public_key"].is_string(),
        "{instance}"
    );
    let mut ws = websocket(&w.app, &c.token, "").await;
    ws_send(&mut ws, json!({"type": "subscribe", "stream": "user"})).await;
    ws_sync(&mut ws).await;
    let markers = c.get_ok("/api/v1/markers?timeline[]=notifications").await;
    assert!(markers.is_object());
    let page = c.get("/api/v1/notifications?limit=30").await;
    assert_eq!(page.status, StatusCode::OK);
    shapes::each(&page.body, "notifications", shapes::notification);
    let home = c.get_ok("/api/v1/timelines/home?limit=20").await;
    shapes::each(&home, "home", shapes::status);
    shapes::each(
        &c.get_ok("/api/v1/custom_emojis").await,
        "custom_emojis",
        shapes::emoji,
    );
    shapes::each(&c.get_ok("/api/v1/lists").await, "lists", shapes::list);
    shapes::each(
        &c.get_ok("/api/v1/conversations?limit=20").await,
        "conversations",
        shapes::conversation,
    );
    // A notification reaches the user stream.
    let (s, _) = w
        .app
        .post_form(
            "/api/v1/statuses",
            Some(&w.carol),
            &[("status", "@alice elk-stream-marker")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let event = ws_until(&mut ws, "elk-stream-marker").await;
    assert!(
        event["event"] == "update" || event["event"] == "notification",
        "{event}"
    );
}

/// Elk's everyday actions: composing (`publish.ts`: masto.js JSON with Elk's
/// `quote_approval_policy` and the preferred language), a thread, a profile, editing
/// (`statuses.$select(id).update` with `media_attributes`), lists (`Lists.vue`), search.
#[tokio::test]
async fn elk_everyday() {
    let (w, alice) = world(&ELK).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let m = upload(&c, None).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let d = c
        .json(
            Method::PUT,
            &format!("/api/v1/media/{mid}"),
            json!({"description": "La banderole"}),
        )
        .await
        .ok("describe");
    shapes::media(&d, "media");
    let post = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "<p>La banderole est prête</p>",
                "quote_approval_policy": "public",
                "visibility": "public",
                "sensitive": false,
                "spoiler_text": "",
                "language": "fr",
                "media_ids": [mid]
            }),
        )
        .await
        .ok("post");
    shapes::status(&post, "post");
    let cw = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Compte rendu de la réunion",
                "quote_approval_policy": "followers",
                "visibility": "private",
                "sensitive": true,
                "spoiler_text": "Long",
                "language": "fr",
                "media_ids": [],
                "in_reply_to_id": w.bob_post
            }),
        )
        .await
        .ok("reply with warning");
    assert_eq!(cw["spoiler_text"], "Long");
    assert_eq!(cw["visibility"], "private");
    let at = (chrono::Utc::now() + chrono::Duration::hours(3))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let scheduled = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Plus tard",
                "quote_approval_policy": "nobody",
                "visibility": "public",
                "sensitive": false,
                "spoiler_text": "",
                "language": "fr",
                "media_ids": [],
                "scheduled_at": at
            }),
        )
        .await
        .ok("scheduled");
    shapes::scheduled_status(&scheduled, "scheduled");
    // A quote approval policy that is not one is refused, as Mastodon refuses it.
    let bad = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({"status": "x", "quote_approval_policy": "everyone-ish"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    shapes::error(&bad.body, "quote_approval_policy");
    // Interactions.
    let bp = &w.bob_post;
    for action in ["favourite", "reblog", "bookmark", "unreblog"] {
        let s = c
            .empty(Method::POST, &format!("/api/v1/statuses/{bp}/{action}"))
            .await
            .ok(action);
        shapes::status(&s, action);
    }
    let pinned = c
        .empty(
            Method::POST,
            &format!("/api/v1/statuses/{}/pin", post["id"].as_str().unwrap()),
        )
        .await
        .ok("pin");
    assert_eq!(pinned["pinned"], true);
    shapes::status(&c.get_ok(&format!("/api/v1/statuses/{bp}")).await, "status");
    shapes::context(
        &c.get_ok(&format!("/api/v1/statuses/{bp}/context")).await,
        "context",
    );
    // A profile: lookup, relationships, pinned, posts with replies and without.
    let bob = c.get_ok("/api/v1/accounts/lookup?acct=bob").await;
    let bid = bob["id"].as_str().unwrap();
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/relationships?id[]={bid}"))
            .await,
        "relationships",
        shapes::relationship,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bid}/statuses?pinned=true"))
            .await,
        "pinned",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/accounts/{bid}/statuses?exclude_replies=true&limit=20"
        ))
        .await,
        "posts",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/accounts/{bid}/statuses?exclude_replies=false&limit=20"
        ))
        .await,
        "posts and replies",
        shapes::status,
    );
    // Editing.
    let pid = post["id"].as_str().unwrap();
    shapes::status_source(
        &c.get_ok(&format!("/api/v1/statuses/{pid}/source")).await,
        "source",
    );
    let edited = c
        .json(
            Method::PUT,
            &format!("/api/v1/statuses/{pid}"),
            json!({
                "status": "La banderole est prête !",
                "quote_approval_policy": "public",
                "visibility": "public",
                "sensitive": false,
                "spoiler_text": "",
                "language": "fr",
                "media_ids": [mid],
                "media_attributes": [{"id": mid, "description": "La banderole, déroulée"}]
            }),
        )
        .await
        .ok("edit");
    shapes::status(&edited, "edited");
    // Lists: create, add, remove (masto.js JSON with `account_ids`).
    let l = c
        .json(Method::POST, "/api/v1/lists", json!({"title": "Elk"}))
        .await
        .ok("list");
    let lid = l["id"].as_str().unwrap();
    let a = c
        .json(
            Method::POST,
            &format!("/api/v1/lists/{lid}/accounts"),
            json!({"account_ids": [bid]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = c
        .json(
            Method::DELETE,
            &format!("/api/v1/lists/{lid}/accounts"),
            json!({"account_ids": [bid]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let l = c
        .json(
            Method::PUT,
            &format!("/api/v1/lists/{lid}"),
            json!({"title": "Elk 2", "replies_policy": "none"}),
        )
        .await
        .ok("list update");
    shapes::list(&l, "list");
    let a = c
        .empty(Method::DELETE, &format!("/api/v1/lists/{lid}"))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Search as the command palette asks it.
    shapes::search(
        &c.get_ok("/api/v2/search?q=%23organizing&resolve=true&limit=10")
            .await,
        "search",
    );
    // Follow from a profile with `reblogs`/`notify` as JSON booleans: the defaults pass;
    // the bell (notify on new posts) is refused with Mastodon's error shape, not dropped.
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{}/follow", w.carol_id),
            json!({"reblogs": true, "notify": false}),
        )
        .await
        .ok("follow");
    shapes::relationship(&r, "follow");
    assert_eq!(r["following"], true);
    assert_eq!(r["showing_reblogs"], true);
    let bell = c
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{}/follow", w.carol_id),
            json!({"notify": true}),
        )
        .await;
    assert_eq!(
        bell.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bell.body
    );
    shapes::error(&bell.body, "notify");
}

/// Elk's home and public timelines read followed tags first (`TimelineHome.vue`).
#[tokio::test]
async fn elk_start_up_needs_tags() {
    let (w, alice) = world(&ELK).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let a = c.get("/api/v1/followed_tags?limit=100").await;
    shapes::each(&a.ok("followed_tags"), "followed_tags", shapes::tag);
    shapes::tag(&c.get_ok("/api/v1/tags/organizing").await, "tag");
}

/// Elk's announcements (the home page banner).
#[tokio::test]
async fn elk_start_up_needs_announce() {
    let (w, alice) = world(&ELK).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::each(
        &c.get_ok("/api/v1/announcements").await,
        "announcements",
        shapes::announcement,
    );
}

// ---------------------------------------------------------------------------------------
// Ice Cubes
// ---------------------------------------------------------------------------------------

/// Ice Cubes' start-up: `Endpoint/Instances.swift` (v1 instance, then v2),
/// `Accounts.verifyCredentials`, `CustomEmojis`, `Lists.lists`, `ServerFilters.filters`,
/// `Markers.markers` (both timelines), `Notifications.notificationsV2` with
/// `grouped_types[]`, `exclude_types[]` and `expand_accounts=full`
/// (`NotificationsListDataSource.swift`), `unreadCountV2`, `Conversations`,
/// `Streaming.swift` (a WebSocket with `stream=user` in the query).
#[tokio::test]
async fn ice_cubes_start_up() {
    let (w, alice) = world(&ICE_CUBES).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::instance_v1(&c.get_ok("/api/v1/instance").await, "instance v1");
    shapes::instance_v2(&c.get_ok("/api/v2/instance").await, "instance v2");
    shapes::credential_account(
        &c.get_ok("/api/v1/accounts/verify_credentials").await,
        "verify_credentials",
    );
    shapes::each(
        &c.get_ok("/api/v1/custom_emojis").await,
        "custom_emojis",
        shapes::emoji,
    );
    shapes::each(&c.get_ok("/api/v1/lists").await, "lists", shapes::list);
    shapes::each(
        &c.get_ok("/api/v2/filters").await,
        "filters",
        shapes::filter,
    );
    let markers = c
        .get_ok("/api/v1/markers?timeline[]=home&timeline[]=notifications")
        .await;
    assert!(markers.is_object(), "{markers}");
    let grouped = c
        .get_ok(
            "/api/v2/notifications?exclude_types[]=admin.sign_up&exclude_types[]=admin.report\
             &grouped_types[]=favourite&grouped_types[]=reblog&grouped_types[]=follow\
             &expand_accounts=full",
        )
        .await;
    shapes::grouped_notifications(&grouped, "notifications v2");
    // Only one type (the filter menu), with the same grouping.
    let mentions = c
        .get_ok(
            "/api/v2/notifications?types[]=mention&grouped_types[]=favourite&expand_accounts=full",
        )
        .await;
    shapes::grouped_notifications(&mentions, "mentions v2");
    assert!(
        mentions["notification_groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["type"] == "mention")
    );
    let unread = c
        .get_ok(
            "/api/v2/notifications/unread_count?limit=100&grouped_types[]=favourite\
             &grouped_types[]=reblog&grouped_types[]=follow",
        )
        .await;
    assert!(unread["count"].is_i64(), "{unread}");
    let policy = c.get_ok("/api/v1/notifications/policy").await;
    assert!(policy.is_object(), "{policy}");
    shapes::each(
        &c.get_ok("/api/v1/notifications/requests").await,
        "requests",
        shapes::notification_request,
    );
    // The home timeline, its marker set with JSON.
    let home = c.get("/api/v1/timelines/home?limit=40").await;
    let home = home.ok("home");
    shapes::each(&home, "home", shapes::status);
    let top = home[0]["id"].as_str().unwrap();
    let m = c
        .json(
            Method::POST,
            "/api/v1/markers",
            json!({"home": {"last_read_id": top}}),
        )
        .await
        .ok("marker");
    shapes::marker(&m["home"], "markers.home");
    shapes::each(
        &c.get_ok("/api/v1/conversations").await,
        "conversations",
        shapes::conversation,
    );
    // Streaming: `stream=user` in the URL.
    let mut ws = websocket(&w.app, &c.token, "?stream=user").await;
    let (s, _) = w
        .app
        .post_form(
            "/api/v1/statuses",
            Some(&w.bob),
            &[("status", "icecubes-stream-marker")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let event = ws_until(&mut ws, "icecubes-stream-marker").await;
    assert_eq!(event["event"], "update");
}

/// Ice Cubes' everyday actions: `Statuses.postStatus` (a `StatusData` as snake_case JSON,
/// nil fields omitted), edits with `media_attributes`, interactions, a thread, a profile
/// (`AccountDetailViewModel`: relationships, pinned then `exclude_replies`), follow with
/// query items, lists, search, the translation answer.
#[tokio::test]
async fn ice_cubes_everyday() {
    let (w, alice) = world(&ICE_CUBES).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let m = upload(&c, None).await;
    let mid = m["id"].as_str().unwrap().to_string();
    let post = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "Photo du rassemblement",
                "visibility": "public",
                "spoiler_text": "",
                "media_ids": [mid],
                "language": "fr",
                "media_attributes": [{"id": mid, "description": "Le rassemblement"}]
            }),
        )
        .await
        .ok("post");
    shapes::status(&post, "post");
    assert_eq!(
        post["media_attachments"][0]["description"],
        "Le rassemblement"
    );
    let poll = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "On se retrouve où ?",
                "visibility": "unlisted",
                "poll": {"options": ["Mairie", "Gare"], "multiple": false, "expires_in": 300},
                "language": "fr"
            }),
        )
        .await
        .ok("poll");
    shapes::poll(&poll["poll"], "poll");
    let dm = c
        .json(
            Method::POST,
            "/api/v1/statuses",
            json!({
                "status": "@carol oui, j'ai les clés",
                "visibility": "direct",
                "in_reply_to_id": null,
            }),
        )
        .await
        .ok("direct");
    assert_eq!(dm["visibility"], "direct");
    let bp = &w.bob_post;
    for action in ["favourite", "unfavourite", "reblog", "unreblog", "bookmark"] {
        let s = c
            .empty(Method::POST, &format!("/api/v1/statuses/{bp}/{action}"))
            .await
            .ok(action);
        shapes::status(&s, action);
    }
    shapes::context(
        &c.get_ok(&format!("/api/v1/statuses/{bp}/context")).await,
        "context",
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/statuses/{bp}/favourited_by"))
            .await,
        "favourited_by",
        shapes::account,
    );
    // Translation is not offered: answered as Mastodon answers a server without it.
    let a = c
        .empty(
            Method::POST,
            &format!("/api/v1/statuses/{bp}/translate?lang=en"),
        )
        .await;
    assert!(
        [
            StatusCode::SERVICE_UNAVAILABLE,
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND
        ]
        .contains(&a.status),
        "{} {}",
        a.status,
        a.body
    );
    shapes::error(&a.body, "translate");
    // A profile.
    let bid = w.bob_id;
    shapes::account(
        &c.get_ok(&format!("/api/v1/accounts/{bid}")).await,
        "account",
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/relationships?id[]={bid}"))
            .await,
        "relationships",
        shapes::relationship,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bid}/statuses?pinned=true"))
            .await,
        "pinned",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/accounts/{bid}/statuses?exclude_replies=true"
        ))
        .await,
        "posts",
        shapes::status,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{bid}/lists")).await,
        "lists of",
        shapes::list,
    );
    // Follow with query items and no body (Accounts.follow(id:notify:reblogs:)).
    let r = c
        .empty(
            Method::POST,
            &format!(
                "/api/v1/accounts/{}/follow?notify=false&reblogs=true",
                w.carol_id
            ),
        )
        .await
        .ok("follow");
    shapes::relationship(&r, "follow");
    let r = c
        .empty(
            Method::POST,
            &format!("/api/v1/accounts/{}/unfollow", w.carol_id),
        )
        .await
        .ok("unfollow");
    assert_eq!(r["following"], false);
    // Editing.
    let pid = post["id"].as_str().unwrap();
    shapes::status_source(
        &c.get_ok(&format!("/api/v1/statuses/{pid}/source")).await,
        "source",
    );
    let edited = c
        .json(
            Method::PUT,
            &format!("/api/v1/statuses/{pid}"),
            json!({
                "status": "Photo du rassemblement de ce matin",
                "visibility": "public",
                "spoiler_text": "",
                "media_ids": [mid],
                "language": "fr",
                "media_attributes": [{"id": mid, "description": "Le rassemblement, place de la mairie"}]
            }),
        )
        .await
        .ok("edit");
    assert_eq!(
        edited["media_attachments"][0]["description"],
        "Le rassemblement, place de la mairie"
    );
    // Lists (Lists.swift: JSON `account_ids` in the body, query on delete).
    let l = c
        .json(
            Method::POST,
            "/api/v1/lists",
            json!({"title": "Ice", "replies_policy": "list", "exclusive": false}),
        )
        .await
        .ok("list");
    let lid = l["id"].as_str().unwrap();
    let a = c
        .json(
            Method::POST,
            &format!("/api/v1/lists/{lid}/accounts"),
            json!({"account_ids": [bid.to_string()]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    shapes::each(
        &c.get_ok(&format!("/api/v1/timelines/list/{lid}")).await,
        "list timeline",
        shapes::status,
    );
    let a = c
        .empty(
            Method::DELETE,
            &format!("/api/v1/lists/{lid}/accounts?account_ids[]={bid}"),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // Search, as the explore tab asks.
    shapes::search(
        &c.get_ok("/api/v2/search?q=organizing&resolve=true").await,
        "search",
    );
    shapes::each(
        &c.get_ok("/api/v1/trends/tags").await,
        "trends",
        shapes::tag,
    );
    // A notification group's detail and dismissal.
    let grouped = c
        .get_ok("/api/v2/notifications?grouped_types[]=favourite&grouped_types[]=reblog&expand_accounts=full")
        .await;
    let key = grouped["notification_groups"][0]["group_key"]
        .as_str()
        .unwrap()
        .to_string();
    let one = c
        .get_ok(&format!("/api/v2/notifications/{}", urlencode(&key)))
        .await;
    shapes::grouped_notifications(&one, "group");
    let a = c
        .empty(
            Method::POST,
            &format!("/api/v2/notifications/{}/dismiss", urlencode(&key)),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

/// Ice Cubes' profile: familiar followers, featured tags; the followed tags tab.
#[tokio::test]
async fn ice_cubes_everyday_needs_acctx() {
    let (w, alice) = world(&ICE_CUBES).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::each(
        &c.get_ok(&format!(
            "/api/v1/accounts/familiar_followers?id[]={}",
            w.bob_id
        ))
        .await,
        "familiar_followers",
        shapes::familiar_followers,
    );
}

/// Ice Cubes' profile featured tags and the followed tags tab.
#[tokio::test]
async fn ice_cubes_start_up_needs_tags() {
    let (w, alice) = world(&ICE_CUBES).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    shapes::each(
        &c.get_ok("/api/v1/followed_tags").await,
        "followed_tags",
        shapes::tag,
    );
    shapes::each(
        &c.get_ok(&format!("/api/v1/accounts/{}/featured_tags", w.bob_id))
            .await,
        "featured_tags",
        shapes::featured_tag,
    );
}

// ---------------------------------------------------------------------------------------
// Filters and lists as the apps' streams and single posts see them
// ---------------------------------------------------------------------------------------

/// The process a change is made through: with PostgreSQL a second server on the same
/// database (the change must reach the first's open streams through `NOTIFY`), with SQLite
/// the same one.
async fn other_process(app: &TestApp) -> Option<TestApp> {
    match common::backend_name() {
        "postgres" => Some(common::spawn_second_process(app).await),
        _ => None,
    }
}

/// A filter created, changed or deleted while a stream is open applies to what the stream
/// sends next (phones keep one stream open for hours), in every process.
#[tokio::test]
async fn filters_changed_while_a_stream_is_open_apply_to_it() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (s, _) = app
        .post_form(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            Some(&alice),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let second = other_process(&app).await;
    let via = second.as_ref().unwrap_or(&app);
    let mut ws = websocket(&app, &alice, "?stream=user").await;
    let post = |text: &'static str| {
        let bob = bob.clone();
        async move {
            let (s, b) = via
                .post_form("/api/v1/statuses", Some(&bob), &[("status", text)])
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
    };
    let payload =
        |e: &Value| -> Value { serde_json::from_str(e["payload"].as_str().unwrap()).unwrap() };
    post("finale ce soir, marker-one").await;
    let e = ws_until(&mut ws, "marker-one").await;
    assert_eq!(payload(&e)["filtered"], json!([]));

    // A hiding filter made after the stream opened.
    let (s, f) = via
        .post_json(
            "/api/v2/filters",
            Some(&alice),
            &json!({"title": "Spoilers", "context": ["home"], "filter_action": "hide",
                    "keywords_attributes": [{"keyword": "finale", "whole_word": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let fid = f["id"].as_str().unwrap().to_string();
    post("la finale, marker-two").await;
    post("rien à voir, marker-three").await;
    let seen = ws_collect(&mut ws, "marker-three").await;
    assert!(
        !seen
            .iter()
            .any(|m| m["payload"].as_str().unwrap_or("").contains("marker-two")),
        "a hidden post reached the stream: {seen:?}"
    );
    assert_eq!(payload(seen.last().unwrap())["filtered"], json!([]));
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&alice)).await;
    assert!(
        !home.to_string().contains("marker-two"),
        "hidden in home too"
    );

    // The same filter turned to a warning: the post comes, marked.
    let req = via
        .client
        .put(via.url(&format!("/api/v2/filters/{fid}")))
        .bearer_auth(&alice)
        .json(&json!({"filter_action": "warn"}));
    assert_eq!(req.send().await.unwrap().status(), StatusCode::OK);
    post("encore la finale, marker-four").await;
    let e = ws_until(&mut ws, "marker-four").await;
    let p = payload(&e);
    assert_eq!(p["filtered"][0]["filter"]["id"], fid.as_str(), "{p}");
    assert_eq!(p["filtered"][0]["keyword_matches"], json!(["finale"]));
    shapes::each(&p["filtered"], "filtered", shapes::filter_result);

    // Deleted: nothing marked any more.
    let req = via
        .client
        .delete(via.url(&format!("/api/v2/filters/{fid}")))
        .bearer_auth(&alice);
    assert_eq!(req.send().await.unwrap().status(), StatusCode::OK);
    post("la finale encore, marker-five").await;
    let e = ws_until(&mut ws, "marker-five").await;
    assert_eq!(payload(&e)["filtered"], json!([]));
    let _ = alice_id;
    if let Some(second) = second {
        second.stop().await;
    }
}

/// A hiding filter never makes a post 404 when asked for by id, and the post carries every
/// filter in force that matches it, whatever the filter's context (Mastodon's
/// `status_matches_filters`): the app decides how to show it.
#[tokio::test]
async fn a_post_asked_for_by_id_carries_its_filters_and_is_never_hidden() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (s, post) = app
        .post_form(
            "/api/v1/statuses",
            Some(&bob),
            &[("status", "Les résultats de la finale")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let id = post["id"].as_str().unwrap();
    let (_, plain) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&alice))
        .await;
    assert_eq!(plain["filtered"], json!([]));
    for (title, context, action) in [("Cacher", "public", "hide"), ("Prévenir", "thread", "warn")]
    {
        let (s, f) = app
            .post_json(
                "/api/v2/filters",
                Some(&alice),
                &json!({"title": title, "context": [context], "filter_action": action,
                        "keywords_attributes": [{"keyword": "finale"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
    }
    let (s, one) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK, "{one}");
    shapes::status(&one, "status");
    let mut titles: Vec<&str> = one["filtered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["filter"]["title"].as_str().unwrap())
        .collect();
    titles.sort();
    assert_eq!(titles, ["Cacher", "Prévenir"], "{one}");
    // Anonymous readers have no filters; the author's are not the reader's.
    let (_, anonymous) = app.get_json(&format!("/api/v1/statuses/{id}"), None).await;
    assert!(anonymous.get("filtered").is_none_or(|f| f == &json!([])));
    let (_, own) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&bob))
        .await;
    assert_eq!(own["filtered"], json!([]));
    // The public timeline still leaves it out.
    let (_, public) = app.get_json("/api/v1/timelines/public", Some(&alice)).await;
    assert!(!public.to_string().contains("finale"), "{public}");
}

/// A post from a remote list member, arriving signed in the inbox, reaches the list's
/// timeline and its open `list` stream.
#[tokio::test]
async fn a_remote_members_post_reaches_the_list_timeline_and_stream() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let h = hostile::Hostile::start().await;
    let rosa = h.actor("rosa", "Person");
    let row = h.introduce(&app, &rosa).await;
    common::make_follow(
        &app,
        alice_id,
        row.id,
        &app.url("/follows/rosa"),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let (s, list) = app
        .post_json(
            "/api/v1/lists",
            Some(&alice),
            &json!({"title": "Camarades"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let lid = list["id"].as_str().unwrap().to_string();
    let rid = row.id.to_string();
    let (s, b) = app
        .post_form(
            &format!("/api/v1/lists/{lid}/accounts"),
            Some(&alice),
            &[("account_ids[]", rid.as_str())],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut ws = websocket(&app, &alice, &format!("?stream=list&list={lid}")).await;
    ws_sync(&mut ws).await;
    let note = h.url("/notes/1");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": h.url("/creates/1"), "type": "Create", "actor": rosa,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{rosa}/followers")],
        "object": {"id": note, "type": "Note", "attributedTo": rosa,
                   "content": "<p>Tractage demain, rosa-remote-marker</p>",
                   "published": "2026-12-06T10:00:00Z",
                   "to": ["https://www.w3.org/ns/activitystreams#Public"],
                   "cc": [format!("{rosa}/followers")]}
    });
    let (state, error) = h.deliver_processed(&app, &rosa, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let e = ws_until(&mut ws, "rosa-remote-marker").await;
    assert_eq!(e["event"], "update");
    assert_eq!(e["stream"], json!(["list", lid]));
    let (s, timeline) = app
        .get_json(&format!("/api/v1/timelines/list/{lid}"), Some(&alice))
        .await;
    assert_eq!(s, StatusCode::OK);
    shapes::each(&timeline, "list timeline", shapes::status);
    assert_eq!(timeline[0]["uri"], note.as_str(), "{timeline}");
    assert_eq!(timeline[0]["account"]["acct"], format!("rosa@{}", h.host));
}

/// Tusky and masto.js page with the `Link` header (`HttpHeaderLink`, masto.js's paginator):
/// each list an app pages through gives `next` (and `prev`) on a full page, and following the
/// link gives the next page in the same shape.
#[tokio::test]
async fn tusky_and_masto_js_follow_link_headers() {
    let (w, alice) = world(&TUSKY).await;
    let c = App {
        app: &w.app,
        token: alice,
    };
    let bp = w.bob_post.clone();
    for action in ["bookmark", "favourite"] {
        for post in [&bp, &w.alice_post] {
            c.form(
                Method::POST,
                &format!("/api/v1/statuses/{post}/{action}"),
                &[],
            )
            .await
            .ok(action);
        }
    }
    let bob = w.bob_id;
    let lists: [(&str, Check); 9] = [
        ("/api/v1/timelines/home?limit=1", shapes::status),
        ("/api/v1/notifications?limit=1", shapes::notification),
        ("/api/v1/bookmarks?limit=1", shapes::status),
        ("/api/v1/favourites?limit=1", shapes::status),
        ("/api/v1/timelines/public?limit=1", shapes::status),
        ("/api/v1/timelines/tag/organizing?limit=1", shapes::status),
        ("/api/v1/accounts/ACCOUNT/statuses?limit=1", shapes::status),
        (
            "/api/v1/accounts/ACCOUNT/followers?limit=1",
            shapes::account,
        ),
        (
            "/api/v1/accounts/ACCOUNT/following?limit=1",
            shapes::account,
        ),
    ];
    for (path, check) in lists {
        let path = path.replace("ACCOUNT", &w.alice_id.to_string());
        let first = c.get(&path).await;
        let next = first.link("next");
        let first = first.ok(&path);
        shapes::each(&first, &path, check);
        assert_eq!(first.as_array().unwrap().len(), 1, "{path}: {first}");
        let next = next.unwrap_or_else(|| panic!("{path}: no Link next"));
        assert!(next.starts_with(&w.app.base), "{path}: {next}");
        let second = c.get_ok(&next[w.app.base.len()..]).await;
        shapes::each(&second, &next, check);
        assert_ne!(first, second, "{path}: the next page is another one");
    }
    let _ = bob;
    // Grouped notifications page the same way (masto.js).
    let first = c.get("/api/v2/notifications?limit=1").await;
    let next = first
        .link("next")
        .expect("Link next on grouped notifications");
    shapes::grouped_notifications(&first.ok("v2"), "v2");
    let second = c.get_ok(&next[w.app.base.len()..]).await;
    shapes::grouped_notifications(&second, "v2 page 2");
}

/// A filter that ends while a stream is open stops applying to it.
#[tokio::test]
async fn a_filter_that_ends_while_a_stream_is_open_stops_applying() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (s, _) = app
        .post_form(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            Some(&alice),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, f) = app
        .post_json(
            "/api/v2/filters",
            Some(&alice),
            &json!({"title": "Une seconde", "context": ["home"], "filter_action": "hide",
                    "expires_in": 3, "keywords_attributes": [{"keyword": "finale"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let mut ws = websocket(&app, &alice, "?stream=user").await;
    let post = |text: &'static str| {
        let (app, bob) = (&app, bob.clone());
        async move {
            let (s, b) = app
                .post_form("/api/v1/statuses", Some(&bob), &[("status", text)])
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
    };
    post("la finale, ended-one").await;
    post("autre chose, ended-two").await;
    let seen = ws_collect(&mut ws, "ended-two").await;
    assert!(
        !seen
            .iter()
            .any(|m| m["payload"].as_str().unwrap_or("").contains("ended-one")),
        "{seen:?}"
    );
    tokio::time::sleep(Duration::from_millis(3200)).await;
    post("la finale encore, ended-three").await;
    let e = ws_until(&mut ws, "ended-three").await;
    assert_eq!(e["event"], "update");
}
