//! The streaming API (docs.joinmastodon.org/methods/streaming), as Mastodon's streaming server
//! answers it: `GET /api/v1/streaming` as a WebSocket (streams chosen by `stream` and by
//! `subscribe`/`unsubscribe` messages) or as Server-Sent Events, the SSE paths
//! (`/api/v1/streaming/user`, `/public/local`, `/hashtag?tag=`...), and
//! `/api/v1/streaming/health`.
//!
//! The token comes from `Authorization: Bearer`, the `access_token` parameter, or the
//! `Sec-WebSocket-Protocol` header (browsers cannot set headers on a WebSocket; the token is
//! then the protocol the answer selects). A token that is present must be valid; public
//! streams need none; `user` and `direct` need `read` or `read:statuses`,
//! `user:notification` `read` or `read:notifications`, as Mastodon checks.
//!
//! [`run`] is this process's fan-out: it takes the changes the services told
//! (`service::streams`), loads and renders each once (the REST API's entities, from the same
//! hydrate code), and hands them to the connections, each of which keeps what its streams
//! may show ([`Stream::wants`]).

use super::{entities::Status, hydrate};
use crate::{
    domain::{Locale, curation::FilterContext},
    error::{AppError, AppResult},
    service::{
        self,
        filters::Active,
        oauth::Access,
        streams::{Audience, Delivery, Event, Loaded, Stream},
        views,
    },
    state::AppState,
};
use axum::{
    extract::{
        FromRequestParts, Request, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{
        IntoResponse, Response,
        sse::{self, KeepAlive, Sse},
    },
};
use futures::StreamExt;
use std::{collections::HashMap, time::Duration};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

/// How often an idle SSE stream gets a `:thump` comment (Mastodon's interval).
const SSE_HEARTBEAT: Duration = Duration::from_secs(15);
/// How often a WebSocket is pinged (Mastodon's interval).
const WS_PING: Duration = Duration::from_secs(30);
/// The largest message a client may send on a WebSocket.
const WS_MAX_MESSAGE: usize = 16 * 1024;
/// The most streams one WebSocket may follow at once.
const MAX_SUBSCRIPTIONS: usize = 32;

/// `GET /api/v1/streaming/health`.
pub async fn health() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "OK")
}

/// Who is connecting: their token, if they gave one.
struct Viewer {
    access: Option<Access>,
}

impl Viewer {
    /// The token's id, so that revoking it closes what it opened.
    fn token(&self) -> Option<i64> {
        self.access.as_ref().map(|a| a.token.id)
    }

    fn account(&self) -> Option<i64> {
        self.access
            .as_ref()
            .and_then(|a| a.user.as_ref())
            .map(|u| u.account_id)
    }

    /// Whether the `user` stream carries notifications for this token.
    fn notifications(&self) -> bool {
        self.access
            .as_ref()
            .is_some_and(|a| a.scopes.allows_any(&["read", "read:notifications"]))
    }

    /// Refuses a stream the token does not open (401, as Mastodon answers).
    fn may_follow(&self, stream: &Stream) -> AppResult<()> {
        let Some(required) = stream.scopes() else {
            return Ok(());
        };
        match &self.access {
            None => Err(AppError::unauthorized("stream-token-missing")),
            Some(a) if !a.scopes.allows_any(required) => {
                Err(AppError::unauthorized("stream-scope-missing"))
            }
            Some(a) if a.user.is_none() => Err(AppError::unauthorized("stream-user-required")),
            Some(_) => Ok(()),
        }
    }
}

/// The request's query parameters (the first of each name).
fn query(parts: &Parts) -> HashMap<String, String> {
    let mut q = HashMap::new();
    if let Some(raw) = parts.uri.query()
        && let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
    {
        for (k, v) in pairs {
            let k = k.trim_end_matches("[]").to_string();
            q.entry(k).or_insert(v);
        }
    }
    q
}

/// The token, and whether it came as the WebSocket protocol.
fn token(parts: &Parts, q: &HashMap<String, String>) -> Option<(String, bool)> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or("");
        return Some(match value.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => {
                (t.trim().to_string(), false)
            }
            // Present but not a bearer token: refused as invalid, never ignored.
            _ => (String::new(), false),
        });
    }
    if let Some(t) = q.get("access_token") {
        return Some((t.clone(), false));
    }
    parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|t| (t.trim().to_string(), true))
        .filter(|(t, _)| !t.is_empty())
}

async fn viewer(state: &AppState, token: Option<&str>) -> AppResult<Viewer> {
    let access = match token {
        Some("") => return Err(AppError::unauthorized("error-token-invalid")),
        Some(t) => Some(service::oauth::authenticate_bearer(state, t).await?),
        None => None,
    };
    Ok(Viewer { access })
}

fn locale(state: &AppState, headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or(state.config.default_locale)
}

/// A stream from a request's parameters.
fn stream_of(name: &str, q: &HashMap<String, String>) -> AppResult<Stream> {
    let only_media = q
        .get("only_media")
        .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "on" | "yes"));
    let name = match name {
        "public" | "public:local" | "public:remote" if only_media => format!("{name}:media"),
        other => other.to_string(),
    };
    Stream::parse(
        &name,
        q.get("tag").map(String::as_str),
        q.get("list").map(String::as_str),
    )
}

/// A `list` stream may be followed by the list's owner only: another person's list, like a
/// list that does not exist, is Mastodon's 404. Other streams pass as they are.
async fn owned(state: &AppState, viewer: &Viewer, stream: AppResult<Stream>) -> AppResult<Stream> {
    match stream {
        Ok(Stream::List(id)) => match viewer.account() {
            Some(me) => service::lists::get(state, me, id)
                .await
                .map(|_| Stream::List(id))
                .map_err(|e| match e.status {
                    StatusCode::NOT_FOUND => {
                        AppError::new(StatusCode::NOT_FOUND, "stream-list-unknown")
                    }
                    _ => e,
                }),
            // The scopes check refuses it next, as Mastodon does.
            None => Ok(Stream::List(id)),
        },
        other => other,
    }
}

/// `GET /api/v1/streaming`: a WebSocket when the request asks for one, else Server-Sent Events
/// of the `stream` parameter.
pub async fn root(State(state): State<AppState>, req: Request) -> Response {
    let (mut parts, _body) = req.into_parts();
    let q = query(&parts);
    let token = token(&parts, &q);
    let viewer = match viewer(&state, token.as_ref().map(|(t, _)| t.as_str())).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let wants_ws = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_ws {
        let Some(name) = q.get("stream") else {
            return AppError::bad_request("stream-unknown").into_response();
        };
        let stream = owned(&state, &viewer, stream_of(name, &q)).await;
        return sse_response(&state, viewer, stream);
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let mut upgrade = upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(1024 * 1024)
        .max_message_size(WS_MAX_MESSAGE)
        .max_frame_size(WS_MAX_MESSAGE);
    if let Some((t, true)) = &token {
        upgrade = upgrade.protocols([t.clone()]);
    }
    let first = match q.get("stream") {
        Some(name) => Some(owned(&state, &viewer, stream_of(name, &q)).await),
        None => None,
    };
    let locale = locale(&state, &parts.headers);
    upgrade
        .on_upgrade(move |socket| session(state, socket, viewer, first, locale))
        .into_response()
}

/// `GET /api/v1/streaming/{path}`: Server-Sent Events of the stream the path names.
pub async fn sse_path(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _body) = req.into_parts();
    let q = query(&parts);
    let token = token(&parts, &q);
    let viewer = match viewer(&state, token.as_ref().map(|(t, _)| t.as_str())).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let name = match parts.uri.path().trim_end_matches('/') {
        "/api/v1/streaming/user" => "user",
        "/api/v1/streaming/user/notification" => "user:notification",
        "/api/v1/streaming/public" => "public",
        "/api/v1/streaming/public/local" => "public:local",
        "/api/v1/streaming/public/remote" => "public:remote",
        "/api/v1/streaming/hashtag" => "hashtag",
        "/api/v1/streaming/hashtag/local" => "hashtag:local",
        "/api/v1/streaming/direct" => "direct",
        "/api/v1/streaming/list" => "list",
        _ => "",
    };
    let stream = owned(&state, &viewer, stream_of(name, &q)).await;
    sse_response(&state, viewer, stream)
}

/// A connection's person's filters, as Mastodon's streaming server applies them to posts:
/// `home` on the `user` and `list` streams, `public` on the public and hashtag ones. Read
/// when the connection opens (one query for someone without filters, three with), so that a
/// new post reaching thousands of connections costs none, and again when the person changes
/// their filters (`Change::Filters`, told to every process): the change applies to what the
/// open streams send next. Anonymous connections read nothing.
struct Filters {
    home: Active,
    public: Active,
    /// When the first filter read ends: the connection reads them again from then.
    until: Option<i64>,
}

impl Filters {
    async fn load(state: &AppState, account: Option<i64>) -> Filters {
        let none = || Filters {
            home: Active::none(),
            public: Active::none(),
            until: None,
        };
        let Some(me) = account else { return none() };
        let contexts = [FilterContext::Home, FilterContext::Public];
        match Active::load_many(state, me, &contexts).await {
            Ok(mut a) => {
                let public = a.pop().unwrap_or_else(Active::none);
                let home = a.pop().unwrap_or_else(Active::none);
                let until = [home.ends_at(), public.ends_at()]
                    .into_iter()
                    .flatten()
                    .min();
                Filters {
                    home,
                    public,
                    until,
                }
            }
            Err(e) => {
                tracing::warn!(error = ?e, "streaming: filters not read");
                none()
            }
        }
    }

    /// Whether a filter read has ended since (it no longer applies: read them again).
    fn ended(&self) -> bool {
        self.until.is_some_and(|u| crate::clock::now() >= u)
    }

    /// What to send of `d` on `stream`: `None` when a `hide` filter matches, else the payload
    /// (rewritten with `filtered` when a filter matches: `Some(Some(..))`).
    fn apply(&self, stream: &Stream, d: &Delivery) -> Option<Option<String>> {
        if !matches!(d.event, Event::Update | Event::StatusUpdate) {
            return Some(None);
        }
        let active = match stream {
            Stream::User | Stream::List(_) => &self.home,
            Stream::Public { .. } | Stream::Hashtag { .. } => &self.public,
            _ => return Some(None),
        };
        super::curation::filtered::payload(active, &d.payload)
    }
}

/// An SSE answer following `stream`, or the error that refuses it.
fn sse_response(state: &AppState, viewer: Viewer, stream: AppResult<Stream>) -> Response {
    let stream = match stream.and_then(|s| viewer.may_follow(&s).map(|_| s)) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    struct Follow {
        connection: service::streams::Connection,
        closing: CancellationToken,
        stream: Stream,
        account: Option<i64>,
        token: Option<i64>,
        notifications: bool,
        state: AppState,
        filters: Option<Filters>,
    }
    let follow = Follow {
        connection: state.streams.connect(),
        closing: state.streams.closing().clone(),
        account: viewer.account(),
        token: viewer.token(),
        notifications: viewer.notifications(),
        stream,
        state: state.clone(),
        filters: None,
    };
    let events = futures::stream::unfold(follow, |mut f| async move {
        if f.filters.is_none() {
            f.filters = Some(Filters::load(&f.state, f.account).await);
        }
        loop {
            let next = tokio::select! {
                _ = f.closing.cancelled() => return None,
                d = f.connection.deliveries.recv() => d,
            };
            match next {
                Ok(d) if d.closes(f.token) => return None,
                Ok(d) if d.refilters(f.account) => {
                    f.filters = Some(Filters::load(&f.state, f.account).await);
                }
                Ok(d) if f.stream.wants(f.account, f.notifications, &d) => {
                    if f.filters.as_ref().is_some_and(Filters::ended) {
                        f.filters = Some(Filters::load(&f.state, f.account).await);
                    }
                    let rewritten = match &f.filters {
                        Some(filters) => filters.apply(&f.stream, &d),
                        None => Some(None),
                    };
                    let Some(rewritten) = rewritten else { continue };
                    let event = sse::Event::default()
                        .event(d.event.name())
                        .data(rewritten.as_deref().unwrap_or(&d.payload));
                    return Some((Ok::<_, std::convert::Infallible>(event), f));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "streaming: a slow SSE connection missed events");
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    // Mastodon opens with a comment, so that clients see the stream is up at once.
    let hello = futures::stream::once(async { Ok(sse::Event::default().comment(")")) });
    let mut response = Sse::new(hello.chain(events))
        .keep_alive(KeepAlive::new().interval(SSE_HEARTBEAT).text("thump"))
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// An error as Mastodon sends it on a WebSocket.
fn ws_error(err: &AppError, locale: Locale) -> Message {
    let body = serde_json::json!({
        "error": err.message(locale),
        "status": err.status.as_u16(),
    });
    Message::Text(body.to_string().into())
}

/// A WebSocket message from a client: `{"type": "subscribe", "stream": "hashtag", "tag": "x"}`.
fn read_message(viewer: &Viewer, text: &str) -> AppResult<(bool, Stream)> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| AppError::bad_request("stream-bad-message"))?;
    let subscribe = match value.get("type").and_then(|t| t.as_str()) {
        Some("subscribe") => true,
        Some("unsubscribe") => false,
        _ => return Err(AppError::bad_request("stream-bad-message")),
    };
    // Mastodon takes the first of a list of names.
    let name = match value.get("stream") {
        Some(serde_json::Value::String(s)) => s.as_str(),
        Some(serde_json::Value::Array(a)) => a.first().and_then(|s| s.as_str()).unwrap_or(""),
        _ => return Err(AppError::bad_request("stream-unknown")),
    };
    let text_param = |key: &str| match value.get(key) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut q = HashMap::new();
    for key in ["tag", "list", "only_media"] {
        if let Some(v) = text_param(key) {
            q.insert(key.to_string(), v);
        }
    }
    if value.get("only_media") == Some(&serde_json::Value::Bool(true)) {
        q.insert("only_media".into(), "true".into());
    }
    let stream = stream_of(name, &q)?;
    if subscribe {
        viewer.may_follow(&stream)?;
    }
    Ok((subscribe, stream))
}

/// One WebSocket connection: its subscriptions, the events they take, pings.
async fn session(
    state: AppState,
    mut socket: WebSocket,
    viewer: Viewer,
    first: Option<AppResult<Stream>>,
    locale: Locale,
) {
    let mut connection = state.streams.connect();
    let closing = state.streams.closing().clone();
    let account = viewer.account();
    let token = viewer.token();
    let notifications = viewer.notifications();
    let mut filters = Filters::load(&state, account).await;
    // Each followed stream with its name as the messages' `stream` field (JSON).
    let mut followed: Vec<(Stream, String)> = Vec::new();
    let follow = |followed: &mut Vec<(Stream, String)>, s: Stream| -> AppResult<()> {
        if followed.iter().any(|(f, _)| *f == s) {
            return Ok(());
        }
        if followed.len() >= MAX_SUBSCRIPTIONS {
            return Err(AppError::bad_request("stream-too-many"));
        }
        let names = serde_json::to_string(&s.names()).unwrap_or_else(|_| "[]".into());
        followed.push((s, names));
        Ok(())
    };
    if let Some(first) = first {
        let done = first
            .and_then(|s| viewer.may_follow(&s).map(|_| s))
            .and_then(|s| follow(&mut followed, s));
        if let Err(e) = done
            && socket.send(ws_error(&e, locale)).await.is_err()
        {
            return;
        }
    }
    let mut ping = tokio::time::interval(WS_PING);
    ping.tick().await;
    loop {
        tokio::select! {
            _ = closing.cancelled() => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            incoming = socket.recv() => {
                let reply = match incoming {
                    Some(Ok(Message::Text(text))) => match read_message(&viewer, text.as_str()) {
                        Ok((true, s)) => match owned(&state, &viewer, Ok(s)).await {
                            Ok(s) => follow(&mut followed, s).err(),
                            Err(e) => Some(e),
                        },
                        Ok((false, s)) => {
                            followed.retain(|(f, _)| *f != s);
                            None
                        }
                        Err(e) => Some(e),
                    },
                    Some(Ok(Message::Binary(_))) => Some(AppError::bad_request("stream-bad-message")),
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "streaming: a WebSocket failed");
                        return;
                    }
                    Some(Ok(Message::Close(_))) | None => return,
                    Some(Ok(_)) => None,
                };
                if let Some(e) = reply
                    && socket.send(ws_error(&e, locale)).await.is_err()
                {
                    return;
                }
            }
            delivery = connection.deliveries.recv() => match delivery {
                Ok(d) if d.closes(token) => {
                    let _ = socket.send(ws_error(&AppError::unauthorized("error-token-invalid"), locale)).await;
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
                Ok(d) if d.refilters(account) => {
                    filters = Filters::load(&state, account).await;
                }
                Ok(d) => {
                    if filters.ended() {
                        filters = Filters::load(&state, account).await;
                    }
                    for (stream, names) in &followed {
                        if !stream.wants(account, notifications, &d) {
                            continue;
                        }
                        let Some(rewritten) = filters.apply(stream, &d) else {
                            continue;
                        };
                        let quoted = rewritten
                            .map(|p| serde_json::to_string(&p).unwrap_or_else(|_| "\"\"".into()));
                        let frame = format!(
                            "{{\"stream\":{names},\"event\":\"{}\",\"payload\":{}}}",
                            d.event.name(),
                            quoted.as_deref().unwrap_or(&d.quoted)
                        );
                        if socket.send(Message::Text(frame.into())).await.is_err() {
                            return;
                        }
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::debug!(missed, "streaming: a slow WebSocket missed events");
                }
                Err(RecvError::Closed) => return,
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// This process's fan-out: takes the changes the services told, loads and renders each once,
/// and hands it to the connections. Ends when `stop` is cancelled.
pub async fn run(state: AppState, stop: CancellationToken) {
    let mut changes = state.streams.changes();
    loop {
        let next = tokio::select! {
            _ = stop.cancelled() => return,
            c = changes.recv() => c,
        };
        match next {
            Ok(batch) => {
                if state.streams.connections() == 0 {
                    continue;
                }
                if let Err(e) = fan_out(&state, &batch).await {
                    tracing::warn!(error = ?e, "streaming: changes not rendered");
                }
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "streaming: the fan-out fell behind and skipped changes"
                );
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Renders a batch of changes once and delivers them, in order.
async fn fan_out(state: &AppState, changes: &[service::streams::Change]) -> AppResult<()> {
    let loaded = service::streams::load(state, changes).await?;
    // Posts: one batch of read models, without a viewer (what is the same for everyone;
    // Mastodon's streams render posts once too).
    let rows: Vec<_> = loaded
        .iter()
        .filter_map(|l| match l {
            Loaded::Status { row, .. } => Some((**row).clone()),
            _ => None,
        })
        .collect();
    let mut statuses: HashMap<i64, (Status, bool)> = HashMap::new();
    for view in views::statuses(state, None, &rows).await? {
        let media = !view.shown().media.is_empty();
        statuses.insert(view.row.id, (hydrate::status_entity(state, &view), media));
    }
    // Notifications: each for its recipient.
    let mut by_recipient: HashMap<i64, Vec<_>> = HashMap::new();
    for l in &loaded {
        if let Loaded::Notification(n) = l {
            by_recipient
                .entry(n.account_id)
                .or_default()
                .push(n.clone());
        }
    }
    let mut notifications = HashMap::new();
    for (recipient, rows) in by_recipient {
        for entity in hydrate::notifications(state, recipient, &rows).await? {
            notifications.insert(entity.id.clone(), entity);
        }
    }
    // Direct posts: each participant's conversation, on their `direct` stream.
    let mut conversations = Vec::new();
    for l in &loaded {
        if let Loaded::Status { row, .. } = l
            && row.visibility == crate::domain::Visibility::Direct
        {
            for c in service::conversations::of_status(state, row.id).await? {
                let entity = super::conversations::entity(state, &c);
                conversations.push(Delivery::new(
                    Event::Conversation,
                    json(&entity)?,
                    Audience::Conversation(c.row.account_id),
                ));
            }
        }
    }
    // Announcements: rendered once, for nobody (no `read`, no `me`), as Mastodon's.
    let announced: Vec<_> = loaded
        .iter()
        .filter_map(|l| match l {
            Loaded::Announcement(row) => Some((**row).clone()),
            _ => None,
        })
        .collect();
    let mut announcements = HashMap::new();
    if !announced.is_empty() {
        for v in service::announcements::views(state, None, announced).await? {
            announcements.insert(v.row.id, json(&super::announcements::entity(state, &v))?);
        }
    }
    for l in loaded {
        let delivery = match l {
            Loaded::Status {
                event,
                row,
                mut reach,
            } => {
                let Some((entity, media)) = statuses.get(&row.id) else {
                    continue;
                };
                reach.media = *media;
                Delivery::new(event, json(entity)?, Audience::Status(reach))
            }
            Loaded::Deleted { id, reach } => {
                Delivery::new(Event::Delete, id.to_string(), Audience::Status(reach))
            }
            Loaded::Revoked(token) => Delivery::revoked(token),
            Loaded::Filters(account) => Delivery::filters_changed(account),
            Loaded::Announcement(row) => {
                let Some(payload) = announcements.remove(&row.id) else {
                    continue;
                };
                Delivery::new(Event::Announcement, payload, Audience::Local)
            }
            Loaded::AnnouncementReaction { id, name, count } => Delivery::new(
                Event::AnnouncementReaction,
                json(&serde_json::json!({
                    "name": name,
                    "count": count,
                    "announcement_id": id.to_string(),
                }))?,
                Audience::Local,
            ),
            Loaded::AnnouncementRemoved(id) => {
                Delivery::new(Event::AnnouncementDelete, id.to_string(), Audience::Local)
            }
            Loaded::Notification(n) => {
                let Some(entity) = notifications.get(&n.id.to_string()) else {
                    continue;
                };
                Delivery::new(
                    Event::Notification,
                    json(entity)?,
                    Audience::Notification(n.account_id),
                )
            }
        };
        state.streams.deliver(delivery);
    }
    for delivery in conversations {
        state.streams.deliver(delivery);
    }
    Ok(())
}

fn json(entity: &impl serde::Serialize) -> AppResult<String> {
    serde_json::to_string(entity).map_err(AppError::internal)
}

/// An unknown path under `/api/v1/streaming/`: an unknown stream.
pub async fn unknown() -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, "stream-unknown")
}
