//! The streaming API as apps use it: Server-Sent Events on every path, a WebSocket client
//! (tokio-tungstenite) subscribing and unsubscribing to several streams, tokens by header,
//! parameter and WebSocket protocol, scopes, the errors Mastodon gives, hostile messages, and
//! privacy: a members-only group post and a followers-only post never reach a stream that may
//! not see them. With PostgreSQL, two servers on one database: a post made through one reaches
//! a stream opened on the other (LISTEN/NOTIFY).

mod common;
#[path = "common/scenes.rs"]
#[allow(dead_code)]
mod scenes;

use common::{TestApp, eventually, spawn_app};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

const WAIT: Duration = Duration::from_secs(15);

/// An open Server-Sent Events stream.
struct Sse {
    res: reqwest::Response,
    buf: String,
}

impl Sse {
    /// The next event (name, data), skipping comments; `None` after `wait` without one.
    async fn next_within(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if !event.is_empty() {
                    return Some((event, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .expect("read the stream")?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event, which must come.
    async fn next(&mut self) -> (String, String) {
        self.next_within(WAIT)
            .await
            .expect("an event on the stream")
    }

    /// Events until one whose data contains `marker` (returned last).
    async fn until(&mut self, marker: &str) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        loop {
            let e = self.next().await;
            let done = e.1.contains(marker);
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
}

async fn sse(app: &TestApp, path: &str, token: Option<&str>) -> Sse {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert!(
        res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    Sse {
        res,
        buf: String::new(),
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn ws_url(app: &TestApp, query: &str) -> String {
    format!(
        "{}/api/v1/streaming{query}",
        app.base.replacen("http", "ws", 1)
    )
}

async fn ws(app: &TestApp, query: &str) -> Ws {
    tokio_tungstenite::connect_async(ws_url(app, query))
        .await
        .expect("WebSocket opened")
        .0
}

/// The next text message as JSON, skipping pings; `None` after `wait`.
async fn ws_next_within(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .ok()??
            .expect("WebSocket message");
        if let tungstenite::Message::Text(t) = msg {
            return Some(serde_json::from_str(t.as_str()).expect("JSON message"));
        }
    }
}

async fn ws_next(ws: &mut Ws) -> Value {
    ws_next_within(ws, WAIT).await.expect("a WebSocket message")
}

async fn ws_send(ws: &mut Ws, v: Value) {
    ws.send(tungstenite::Message::Text(v.to_string().into()))
        .await
        .unwrap();
}

/// Sends a message the server refuses and waits for its error: every message sent before it
/// has then been handled (messages are handled in order).
async fn ws_sync(ws: &mut Ws) {
    ws_send(ws, json!({"type": "sync"})).await;
    loop {
        let m = ws_next(ws).await;
        if m.get("error").is_some() {
            return;
        }
    }
}

/// Messages until one whose payload contains `marker` (returned last).
async fn ws_until(ws: &mut Ws, marker: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let m = ws_next(ws).await;
        let done = m["payload"].as_str().unwrap_or("").contains(marker);
        seen.push(m);
        if done {
            return seen;
        }
    }
}

async fn post(app: &TestApp, token: &str, text: &str, visibility: &str) -> String {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn follow(app: &TestApp, token: &str, id: i64) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{id}/follow"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["following"], true, "{body}");
}

#[tokio::test]
async fn sse_user_stream_carries_home_posts_notifications_edits_and_deletes() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    follow(&app, &alice, bob_id).await;
    let mut home = sse(&app, "/api/v1/streaming/user", Some(&alice)).await;
    let mut notes = sse(&app, "/api/v1/streaming/user/notification", Some(&alice)).await;

    let id = post(&app, &bob, "Bonjour la section", "public").await;
    let (event, data) = home.next().await;
    assert_eq!(event, "update");
    let status: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(status["id"], id.as_str());
    assert_eq!(status["account"]["username"], "bob");
    assert!(status["content"].as_str().unwrap().contains("Bonjour"));

    // A notification (bob follows alice) reaches both streams, as the REST entity.
    follow(&app, &bob, alice_id).await;
    let (event, data) = home.next().await;
    assert_eq!(event, "notification", "{data}");
    let n: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(n["type"], "follow");
    assert_eq!(n["account"]["id"], bob_id.to_string());
    let (event, data) = notes.next().await;
    assert_eq!(event, "notification");
    assert_eq!(
        serde_json::from_str::<Value>(&data).unwrap()["type"],
        "follow"
    );

    // An edit, then a deletion.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&bob)
        .json(&json!({"status": "Bonjour la section, édité"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (event, data) = home.next().await;
    assert_eq!(event, "status.update");
    assert!(data.contains("édité"), "{data}");
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(home.next().await, ("delete".to_string(), id.clone()));
    // The notification stream carried nothing but the notification.
    assert_eq!(notes.next_within(Duration::from_millis(500)).await, None);
    app.stop().await;
}

#[tokio::test]
async fn sse_public_local_remote_and_hashtag_streams() {
    let app = spawn_app().await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let mut public = sse(&app, "/api/v1/streaming/public", None).await;
    let mut local = sse(&app, "/api/v1/streaming/public/local", None).await;
    let mut remote = sse(&app, "/api/v1/streaming/public/remote", None).await;
    let mut tag = sse(&app, "/api/v1/streaming/hashtag?tag=Greve", None).await;
    let mut tag_local = sse(&app, "/api/v1/streaming/hashtag/local?tag=greve", None).await;
    let mut media = sse(&app, "/api/v1/streaming/public?only_media=true", None).await;
    // Unlisted: on no public stream.
    post(&app, &bob, "Discret #greve", "unlisted").await;
    post(&app, &bob, "Manif demain #greve", "public").await;
    post(&app, &bob, "Sans mot-dièse", "public").await;
    for s in [&mut public, &mut local] {
        let seen = s.until("Manif").await;
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(seen[0].0, "update");
        s.until("Sans mot").await;
    }
    for s in [&mut tag, &mut tag_local] {
        let seen = s.until("Manif").await;
        assert_eq!(seen.len(), 1, "{seen:?}");
    }
    // Nothing here came from elsewhere, and nothing had a picture.
    post(&app, &bob, "Encore #greve", "public").await;
    tag.until("Encore").await;
    assert_eq!(remote.next_within(Duration::from_millis(300)).await, None);
    assert_eq!(media.next_within(Duration::from_millis(300)).await, None);
    app.stop().await;
}

#[tokio::test]
async fn websocket_subscribes_and_unsubscribes_to_several_streams() {
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    follow(&app, &alice, bob_id).await;
    let mut ws = ws(&app, &format!("?access_token={alice}&stream=user")).await;
    ws_send(&mut ws, json!({"type": "subscribe", "stream": "public"})).await;
    ws_send(
        &mut ws,
        json!({"type": "subscribe", "stream": "hashtag", "tag": "Greve"}),
    )
    .await;
    // Subscribing twice to one stream changes nothing.
    ws_send(&mut ws, json!({"type": "subscribe", "stream": ["public"]})).await;
    ws_sync(&mut ws).await;

    let id = post(&app, &bob, "Piquet de #greve à 6h", "public").await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let m = ws_next(&mut ws).await;
        assert_eq!(m["event"], "update", "{m}");
        let status: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
        assert_eq!(status["id"], id.as_str());
        streams.push(m["stream"].clone());
    }
    streams.sort_by_key(|s| s.to_string());
    assert_eq!(
        streams,
        vec![
            json!(["hashtag", "greve"]),
            json!(["public"]),
            json!(["user"])
        ]
    );

    ws_send(&mut ws, json!({"type": "unsubscribe", "stream": "public"})).await;
    ws_send(
        &mut ws,
        json!({"type": "unsubscribe", "stream": "hashtag", "tag": "greve"}),
    )
    .await;
    ws_sync(&mut ws).await;
    post(&app, &bob, "Deuxième #greve", "public").await;
    let seen = ws_until(&mut ws, "Deuxième").await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["stream"], json!(["user"]));

    // A notification, and a deletion, on the user stream.
    follow(&app, &bob, alice_id).await;
    let m = ws_next(&mut ws).await;
    assert_eq!(m["event"], "notification", "{m}");
    assert_eq!(m["stream"], json!(["user"]));
    let n: Value = serde_json::from_str(m["payload"].as_str().unwrap()).unwrap();
    assert_eq!(n["type"], "follow");
    app.client
        .delete(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    let m = ws_next(&mut ws).await;
    assert_eq!(m["event"], "delete");
    assert_eq!(m["payload"], id.as_str());
    ws.close(None).await.unwrap();
    app.stop().await;
}

#[tokio::test]
async fn websocket_takes_the_token_as_its_protocol_or_a_header() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read").await;
    let mut req = ws_url(&app, "?stream=user").into_client_request().unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", alice.parse().unwrap());
    let (mut sock, res) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(res.headers()["sec-websocket-protocol"], alice.as_str());
    // The user stream was accepted: no error comes.
    assert_eq!(
        ws_next_within(&mut sock, Duration::from_millis(300)).await,
        None
    );

    let mut req = ws_url(&app, "?stream=direct")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {alice}").parse().unwrap());
    let (mut sock, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    assert_eq!(
        ws_next_within(&mut sock, Duration::from_millis(300)).await,
        None
    );

    // A bad token refuses the upgrade itself, as Mastodon does.
    for query in ["?access_token=nope&stream=public", "?stream=public"] {
        let mut req = ws_url(&app, query).into_client_request().unwrap();
        if query == "?stream=public" {
            req.headers_mut()
                .insert("sec-websocket-protocol", "not-a-token".parse().unwrap());
        }
        match tokio_tungstenite::connect_async(req).await {
            Err(tungstenite::Error::Http(res)) => {
                assert_eq!(res.status(), StatusCode::UNAUTHORIZED)
            }
            other => panic!("{query}: expected a 401, got {other:?}"),
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_get_mastodons_errors_in_the_callers_language() {
    let app = spawn_app().await;
    let (_, reader) = app.user_with_token("alice", "read").await;
    let (_, notes_only) = app.user_with_token("bob", "read:notifications").await;
    let (_, accounts_only) = app.user_with_token("carol", "read:accounts").await;

    let health = app.get("/api/v1/streaming/health", None).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "OK");

    for (path, token, want) in [
        (
            "/api/v1/streaming?stream=nope",
            None,
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/streaming", None, StatusCode::BAD_REQUEST),
        ("/api/v1/streaming/nope", None, StatusCode::BAD_REQUEST),
        ("/api/v1/streaming/hashtag", None, StatusCode::BAD_REQUEST),
        (
            "/api/v1/streaming/hashtag/local?tag=",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/streaming/list?list=1",
            Some(reader.as_str()),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/streaming/list",
            Some(reader.as_str()),
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/streaming/user", None, StatusCode::UNAUTHORIZED),
        ("/api/v1/streaming/direct", None, StatusCode::UNAUTHORIZED),
        (
            "/api/v1/streaming/public",
            Some("invalid"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/user",
            Some(notes_only.as_str()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/user/notification",
            Some(accounts_only.as_str()),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "/api/v1/streaming/direct",
            Some(accounts_only.as_str()),
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let (status, body) = app.get_json(path, token).await;
        assert_eq!(status, want, "{path}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{path}: {body}"
        );
    }
    // A narrower token opens what it covers.
    sse(
        &app,
        "/api/v1/streaming/user/notification",
        Some(&notes_only),
    )
    .await;
    sse(&app, "/api/v1/streaming?stream=user", Some(&reader)).await;
    let res = app
        .client
        .get(app.url("/api/v1/streaming/hashtag"))
        .header("accept-language", "fr")
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
        .get(app.url("/api/v1/streaming?stream=nope"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("Unknown stream"),
        "{body}"
    );

    // The instance tells apps where to stream, from the public URL.
    let ws_base = app.base.replacen("http", "ws", 1);
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(v1["urls"]["streaming_api"], ws_base.as_str());
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(v2["configuration"]["urls"]["streaming"], ws_base.as_str());
    app.stop().await;
}

#[tokio::test]
async fn hostile_websocket_messages_get_errors_and_the_connection_lives_on() {
    let app = spawn_app().await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, notes_only) = app.user_with_token("carol", "read:notifications").await;
    // No token: public streams only.
    let mut sock = ws(&app, "?stream=nope").await;
    let m = ws_next(&mut sock).await;
    assert_eq!(m["status"], 400, "{m}");
    let long_tag = "a".repeat(500);
    for bad in [
        "not json".to_string(),
        "[]".into(),
        "null".into(),
        "{}".into(),
        json!({"type": "subscribe"}).to_string(),
        json!({"type": "subscribe", "stream": 42}).to_string(),
        json!({"type": "subscribe", "stream": []}).to_string(),
        json!({"type": "subscribe", "stream": "hashtag"}).to_string(),
        json!({"type": "subscribe", "stream": "hashtag", "tag": {"x": 1}}).to_string(),
        json!({"type": "subscribe", "stream": "hashtag", "tag": long_tag}).to_string(),
        json!({"type": "subscribe", "stream": "user"}).to_string(),
        json!({"type": "subscribe", "stream": "direct"}).to_string(),
        json!({"type": "subscribe", "stream": "list", "list": "1"}).to_string(),
        json!({"type": "dance", "stream": "public"}).to_string(),
        "{\"type\": \"subscribe\", \"stream\": \"pub\u{0}lic\"}".into(),
    ] {
        ws_send_raw(&mut sock, &bad).await;
        let m = ws_next(&mut sock).await;
        assert!(
            m["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{bad}: {m}"
        );
        assert!(m["status"].as_u64().is_some_and(|s| s >= 400), "{bad}: {m}");
    }
    sock.send(tungstenite::Message::Binary(vec![0xff, 0x00].into()))
        .await
        .unwrap();
    assert!(ws_next(&mut sock).await["error"].is_string());
    // Unsubscribing from what was never followed is no error; too many streams is one.
    ws_send(
        &mut sock,
        json!({"type": "unsubscribe", "stream": "public:local"}),
    )
    .await;
    for i in 0..40 {
        ws_send(
            &mut sock,
            json!({"type": "subscribe", "stream": "hashtag", "tag": format!("t{i}")}),
        )
        .await;
    }
    // The 33rd to the 40th are refused.
    for _ in 32..40 {
        let m = ws_next(&mut sock).await;
        assert_eq!(m["status"], 400, "{m}");
    }
    for i in 0..40 {
        ws_send(
            &mut sock,
            json!({"type": "unsubscribe", "stream": "hashtag", "tag": format!("t{i}")}),
        )
        .await;
    }
    // Still alive: it follows the public stream and receives a post.
    ws_send(&mut sock, json!({"type": "subscribe", "stream": "public"})).await;
    ws_sync(&mut sock).await;
    post(&app, &bob, "Toujours là", "public").await;
    let seen = ws_until(&mut sock, "Toujours").await;
    assert_eq!(seen.last().unwrap()["stream"], json!(["public"]));

    // A token without the statuses scope may not follow `user` on a WebSocket either.
    let mut sock = ws(&app, &format!("?access_token={notes_only}")).await;
    ws_send(&mut sock, json!({"type": "subscribe", "stream": "user"})).await;
    assert_eq!(ws_next(&mut sock).await["status"], 401);
    ws_send(
        &mut sock,
        json!({"type": "subscribe", "stream": "user:notification"}),
    )
    .await;
    assert_eq!(
        ws_next_within(&mut sock, Duration::from_millis(300)).await,
        None
    );

    // A message over the size limit closes that connection, and only it.
    let mut big = ws(&app, "").await;
    let _ = big
        .send(tungstenite::Message::Text("x".repeat(100_000).into()))
        .await;
    let closed = tokio::time::timeout(WAIT, async {
        loop {
            match big.next().await {
                None | Some(Err(_)) | Some(Ok(tungstenite::Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the oversized message's connection ends");
    let (status, _) = app.get_json("/api/v1/streaming/health", None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

async fn ws_send_raw(ws: &mut Ws, text: &str) {
    ws.send(tungstenite::Message::Text(text.to_string().into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn closed_circles_and_followers_only_posts_reach_only_their_readers() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let sid = scenes::paris_section(&app, &p).await;
    // Bob is a member; Eve follows Bob (and the section) but is no member; Carol is nobody.
    scenes::member(&app, &p, &sid, &p.bob, p.bob_id).await;
    follow(&app, &p.eve, p.bob_id).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{sid}/follow"),
            Some(&p.eve),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut eve_home = sse(&app, "/api/v1/streaming/user", Some(&p.eve)).await;
    let mut eve_ws = ws(&app, &format!("?access_token={}&stream=user", p.eve)).await;
    for s in ["public", "public:local", "direct"] {
        ws_send(&mut eve_ws, json!({"type": "subscribe", "stream": s})).await;
    }
    ws_send(
        &mut eve_ws,
        json!({"type": "subscribe", "stream": "hashtag", "tag": "secret"}),
    )
    .await;
    ws_sync(&mut eve_ws).await;
    let mut carol_public = sse(&app, "/api/v1/streaming/public", Some(&p.carol)).await;
    let mut anonymous_tag = sse(&app, "/api/v1/streaming/hashtag?tag=secret", None).await;
    let mut sec_home = sse(&app, "/api/v1/streaming/user", Some(&p.sec)).await;

    // A members-only post naming Eve, with a hashtag.
    let closed = scenes::group_post(
        &app,
        &sid,
        &p.bob,
        json!({"status": "Réunion fermée #secret @eve", "audience": "members"}),
    )
    .await;
    // A followers-only post naming nobody: Eve (a follower) reads it, Carol does not.
    post(&app, &p.bob, "Pour mes abonnés #secret", "private").await;
    // A direct message to Carol.
    post(&app, &p.bob, "@carol un mot #secret", "direct").await;
    // The control: a public post everyone sees, after the others.
    post(&app, &p.bob, "Public à tous #secret", "public").await;

    // The secretary, a member, has the closed post in her home stream.
    let seen = sec_home.until("Réunion fermée").await;
    assert!(seen.iter().all(|(e, _)| e != "update" || !e.is_empty()));
    let contents = |events: &[(String, String)]| -> String {
        events
            .iter()
            .map(|(_, d)| d.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let eve_sse = eve_home.until("Public à tous").await;
    let text = contents(&eve_sse);
    assert!(!text.contains("Réunion fermée"), "{text}");
    assert!(
        text.contains("Pour mes abonnés"),
        "a follower reads it: {text}"
    );
    assert!(!text.contains("un mot"), "{text}");
    let eve_ws_seen = {
        let mut all = Vec::new();
        // Public à tous arrives on user, public, public:local and hashtag: four messages.
        while all
            .iter()
            .filter(|m: &&Value| {
                m["payload"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Public à tous")
            })
            .count()
            < 4
        {
            all.push(ws_next(&mut eve_ws).await);
        }
        all
    };
    let text: String = eve_ws_seen.iter().map(|m| m.to_string()).collect();
    assert!(!text.contains("Réunion fermée"), "{text}");
    assert!(!text.contains("un mot"), "{text}");
    assert_eq!(
        eve_ws_seen
            .iter()
            .filter(|m| m["payload"].as_str().unwrap_or("").contains("abonnés"))
            .map(|m| m["stream"].clone())
            .collect::<Vec<_>>(),
        vec![json!(["user"])],
        "a followers-only post is on the home stream only"
    );
    for s in [&mut carol_public, &mut anonymous_tag] {
        let seen = s.until("Public à tous").await;
        assert_eq!(seen.len(), 1, "{seen:?}");
    }
    // Nobody was told of the closed post through a notification either.
    let (status, notes) = app.get_json("/api/v1/notifications", Some(&p.eve)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!notes.to_string().contains("Réunion fermée"), "{notes}");
    // The section's moderators remove the closed post: it leaves the members' home streams.
    let id = closed["id"].as_str().unwrap();
    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/groups/{sid}/posts/{id}/remove"),
            Some(&p.sec),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let seen = sec_home.until(id).await;
    assert_eq!(
        seen.last().unwrap(),
        &("delete".to_string(), id.to_string())
    );
    app.stop().await;
}

#[tokio::test]
async fn blocked_authors_stay_off_a_viewers_public_stream() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write").await;
    let (_, carol) = app.user_with_token("carol", "read write").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/block"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut alice_public = sse(&app, "/api/v1/streaming/public", Some(&alice)).await;
    let mut anonymous = sse(&app, "/api/v1/streaming/public", None).await;
    post(&app, &bob, "Message de Bob", "public").await;
    post(&app, &carol, "Message de Carol", "public").await;
    let seen = alice_public.until("Message de Carol").await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(anonymous.until("Message de Carol").await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn boosts_reach_followers_home_streams_but_not_the_public_one() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write").await;
    let (_, carol) = app.user_with_token("carol", "read write").await;
    follow(&app, &alice, bob_id).await;
    let id = post(&app, &carol, "À partager", "public").await;
    let mut home = sse(&app, "/api/v1/streaming/user", Some(&alice)).await;
    let mut public = sse(&app, "/api/v1/streaming/public", None).await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{id}/reblog"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (event, data) = home.next().await;
    assert_eq!(event, "update");
    let boost: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(boost["reblog"]["id"], id.as_str());
    assert_eq!(boost["account"]["username"], "bob");
    post(&app, &carol, "Après le partage", "public").await;
    assert_eq!(public.until("Après le partage").await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn open_streams_end_when_the_server_stops() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read").await;
    let _sse = sse(&app, "/api/v1/streaming/user", Some(&alice)).await;
    let _ws = ws(&app, "?stream=public").await;
    eventually("both connections counted", || async {
        app.state.streams.connections() == 2
    })
    .await;
    tokio::time::timeout(WAIT, app.stop())
        .await
        .expect("the graceful shutdown does not wait for open streams");
}

/// With PostgreSQL, two servers on one database: a post made through one reaches streams
/// opened on the other, and on itself.
#[tokio::test]
async fn a_post_through_one_process_reaches_a_stream_on_another() {
    if common::backend_name() != "postgres" {
        eprintln!("notice: two processes share a database only on PostgreSQL; skipped on SQLite");
        return;
    }
    let a = spawn_app().await;
    let b = common::spawn_second_process(&a).await;
    let (alice_id, alice) = a.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = a.user_with_token("bob", "read write follow").await;
    follow(&a, &alice, bob_id).await;
    // Alice's token works on either process: they share the database.
    let mut on_b = sse(&b, "/api/v1/streaming/user", Some(&alice)).await;
    let mut ws_b = ws(&b, &format!("?access_token={alice}&stream=public")).await;
    let mut on_a = sse(&a, "/api/v1/streaming/public", None).await;
    ws_sync(&mut ws_b).await;
    let id = post(&a, &bob, "Depuis le processus A", "public").await;
    let (event, data) = on_b.next().await;
    assert_eq!(event, "update");
    assert!(data.contains(&id));
    let m = ws_next(&mut ws_b).await;
    assert_eq!(m["event"], "update");
    assert!(on_a.until("processus A").await.len() == 1);
    // A notification made through A reaches B too (the dispatcher runs in either process).
    follow(&a, &bob, alice_id).await;
    let (event, data) = on_b.next().await;
    assert_eq!(event, "notification", "{data}");
    // And a deletion.
    a.client
        .delete(a.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(on_b.next().await, ("delete".to_string(), id));
    b.stop().await;
    a.stop().await;
}

/// Whether a stream ends within the wait (its connection closed by the server).
async fn sse_ends(stream: &mut Sse) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, stream.res.chunk()).await {
            Err(_) => return false,
            Ok(Ok(None)) | Ok(Err(_)) => return true,
            Ok(Ok(Some(_))) => {}
        }
    }
}

#[tokio::test]
async fn revoking_a_token_closes_the_streams_it_opened_and_only_those() {
    let app = spawn_app().await;
    let alice_id = app
        .create_user(
            "alice",
            "correct horse battery",
            coopol::domain::Role::Member,
        )
        .await;
    let client = app
        .register_app("read write follow push", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let mut tokens = Vec::new();
    for _ in 0..2 {
        tokens.push(
            app.password_token(
                &client,
                "alice@example.org",
                "correct horse battery",
                "read",
            )
            .await,
        );
    }
    let (revoked, kept) = (tokens[0].clone(), tokens[1].clone());
    let (_, bob) = app.user_with_token("bob", "read").await;
    let mut gone_sse = sse(&app, "/api/v1/streaming/user", Some(&revoked)).await;
    let mut gone_ws = ws(&app, &format!("?stream=user&access_token={revoked}")).await;
    let mut kept_sse = sse(&app, "/api/v1/streaming/user", Some(&kept)).await;
    let mut bob_ws = ws(&app, &format!("?stream=user&access_token={bob}")).await;
    eventually("the four connections counted", || async {
        app.state.streams.connections() == 4
    })
    .await;
    // The app revokes one of Alice's tokens (RFC 7009): what it opened ends at once, with
    // Mastodon's error on the WebSocket first.
    let res = app
        .client
        .post(app.url("/oauth/revoke"))
        .form(&[
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
            ("token", revoked.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(sse_ends(&mut gone_sse).await, "the SSE stream ends");
    let last = ws_next(&mut gone_ws).await;
    assert_eq!(last["status"], 401, "{last}");
    assert!(
        ws_next_within(&mut gone_ws, WAIT).await.is_none(),
        "then the socket closes"
    );
    // Her other token and Bob's streams live on.
    eventually("two connections left", || async {
        app.state.streams.connections() == 2
    })
    .await;
    // A password change revokes all her tokens: her last stream ends; Bob's lives on.
    coopol::service::accounts::change_password(
        &app.state,
        alice_id,
        "correct horse battery",
        "a brand new passphrase",
        "a brand new passphrase",
        None,
    )
    .await
    .unwrap();
    assert!(sse_ends(&mut kept_sse).await);
    eventually("Bob's stream alone is left", || async {
        app.state.streams.connections() == 1
    })
    .await;
    assert!(
        ws_next_within(&mut bob_ws, Duration::from_millis(300))
            .await
            .is_none(),
        "Bob's socket got no error"
    );
    app.stop().await;
}
