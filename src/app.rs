//! Wiring: the only place where the modules meet. [`router`] assembles the API and web routers
//! with the cross-cutting layers (request ids, tracing, body limits, panics); [`Server`] opens
//! the database, applies migrations, serves until told to stop, and finishes the requests in
//! flight before returning.

use crate::{
    api,
    config::Config,
    db::{Db, WalState},
    error::AppError,
    federation,
    state::AppState,
    web,
};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderName, Request, StatusCode, Uri},
    middleware,
    response::IntoResponse,
    routing::get,
};
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

/// The largest request body any route accepts (routes set lower limits of their own).
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Opens the database named in the configuration and applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    let db = Db::connect(&config.database_url, config.database_max_connections)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    let applied = db
        .migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot apply database migrations: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(db)
}

/// The whole HTTP application. A path that cannot name anything (its percent-escapes decode
/// to control characters or to bytes that are not UTF-8) is answered 404 before routing, as
/// an unknown page is (see [`reroute_unreadable_paths`]).
pub fn router(state: AppState) -> Router {
    let app = routes(state).map_request(reroute_unreadable_paths::<axum::body::Body>);
    Router::new().fallback_service(app)
}

fn routes(state: AppState) -> Router {
    let upload_limit = crate::service::media::max_upload_bytes(&state) + UPLOAD_FORM_OVERHEAD;
    let metrics_on = state.config.metrics_token.is_some();
    let metrics_state = state.clone();
    let request_id = HeaderName::from_static("x-request-id");
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The path only: query strings can carry tokens (`access_token=`) or codes.
            tracing::info_span!("request", id, method = %req.method(), path = req.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    let mut router = Router::new().route("/health", get(health));
    if state.config.metrics_token.is_some() {
        router = router.route("/metrics", get(crate::metrics::scrape));
    }
    let router = router
        .merge(api::router(state.clone()))
        .merge(federation::router())
        .merge(web::router(state.clone()))
        .merge(web::media::router())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::limits::client_address,
        ))
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| {
            AppError::internal(anyhow::anyhow!("a request handler panicked")).into_response()
        }))
        .layer(middleware::from_fn(move |req, next| {
            limit_body(req, next, upload_limit)
        }));
    // Counting requests (by route template: `Router::layer` runs after routing) only when
    // someone can read the counts.
    let router = if metrics_on {
        router.layer(middleware::from_fn_with_state(
            metrics_state,
            crate::metrics::track,
        ))
    } else {
        router
    };
    router
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// The paths whose requests may carry files (the body limit is then the largest file a kind
/// of media allows, plus the form around it). Their handlers read the body as it arrives.
const UPLOAD_PATHS: &[&str] = &[
    "/api/v1/media",
    "/api/v2/media",
    "/api/v1/accounts/update_credentials",
    "/statuses",
    "/settings/images",
    "/groups/images",
    "/events",
    "/events/edit",
];

/// What a multipart form may add to the file it carries (boundaries, headers, text fields).
const UPLOAD_FORM_OVERHEAD: u64 = 1024 * 1024;

/// Bounds every request body: [`MAX_BODY_BYTES`], or `upload_limit` on [`UPLOAD_PATHS`]. A
/// declared length over the limit is refused at once (413); a body that grows past it fails
/// when read, which its reader answers with 413.
async fn limit_body(
    req: Request<axum::body::Body>,
    next: middleware::Next,
    upload_limit: u64,
) -> axum::response::Response {
    let path = req.uri().path();
    let limit = if UPLOAD_PATHS.contains(&path) {
        upload_limit
    } else {
        MAX_BODY_BYTES as u64
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return AppError::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")
            .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit as usize));
    next.run(Request::from_parts(parts, body)).await
}

/// Where requests for unreadable paths go: a path no route has, under the API (JSON errors)
/// or the web interface (an error page in the visitor's language).
const UNREADABLE_API_PATH: &str = "/api/v1/.unreadable-path";
const UNREADABLE_WEB_PATH: &str = "/.unreadable-path";

/// Sends a request whose path cannot be read to a path that answers 404 in the right format.
/// Handlers take path segments as text: a NUL or other control character decoded from `%00`
/// would otherwise reach them (and, copied into a `Location` header, panic), and bytes that
/// are not UTF-8 (`%ff`) would be refused by the path extractor in plain text.
fn reroute_unreadable_paths<B>(mut req: Request<B>) -> Request<B> {
    let path = req.uri().path();
    if path_is_unreadable(path) {
        tracing::debug!(path, "unreadable path answered 404");
        let to = if path.starts_with("/api/") {
            UNREADABLE_API_PATH
        } else {
            UNREADABLE_WEB_PATH
        };
        *req.uri_mut() = Uri::from_static(to);
    }
    req
}

/// Whether a path's percent-escapes decode to a control character or to bytes that are not
/// UTF-8.
fn path_is_unreadable(path: &str) -> bool {
    match percent_encoding::percent_decode_str(path).decode_utf8() {
        Ok(text) => text.chars().any(char::is_control),
        Err(_) => true,
    }
}

/// `GET /health`: 200 when the server and its database answer, 503 otherwise.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({"status": "ok", "database": "ok"})),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "error", "database": "unavailable"})),
            )
        }
    }
}

/// A running server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its shared state (tests look into the database through it).
    pub state: AppState,
    stop: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Opens the database, applies migrations and starts serving on `listener`.
    pub async fn start(config: Config, listener: TcpListener) -> anyhow::Result<Server> {
        let db = open_database(&config).await?;
        let state = AppState::new(config, db)?;
        crate::service::domain_policy::reload(&state, true)
            .await
            .map_err(|e| anyhow::anyhow!("the domain policy could not be read: {}", e.key))?;
        federation::install(&state).await?;
        let addr = listener.local_addr()?;
        let stop = CancellationToken::new();
        let app = router(state.clone());

        spawn_housekeeping(state.clone(), stop.clone());
        spawn_limit_upkeep(state.clone(), stop.clone());
        if state.db.backend() == crate::db::Backend::Sqlite {
            spawn_checkpoints(state.clone(), stop.clone());
        }
        federation::spawn_workers(&state, &stop).await?;
        state.media.store.check().await.map_err(|e| {
            anyhow::anyhow!(
                "the {} media store cannot be used: {e}",
                state.media.store.kind()
            )
        })?;
        crate::service::media::resume(&state)
            .await
            .map_err(|e| anyhow::anyhow!("uploads could not be taken back: {e:?}"))?;
        tokio::spawn(crate::service::events::run_reminders(
            state.clone(),
            stop.clone(),
        ));
        tokio::spawn(crate::service::cards::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::domain_policy::run(
            state.clone(),
            stop.clone(),
        ));
        tokio::spawn(crate::service::official::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::polls::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::scheduled::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::export::run(
            state.clone(),
            stop.clone(),
            crate::federation::archive::render_parts,
        ));
        tokio::spawn(crate::service::import::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::announcements::run(
            state.clone(),
            stop.clone(),
        ));
        tokio::spawn(crate::service::mail::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::digest::run(state.clone(), stop.clone()));
        tokio::spawn(crate::backup::run(state.clone(), stop.clone()));
        tokio::spawn(crate::service::notifications::run_dispatcher(
            state.clone(),
            stop.clone(),
        ));
        // Made once for the instance, before anyone asks for it.
        crate::service::push::vapid_keys(&state)
            .await
            .map_err(|e| anyhow::anyhow!("the Web Push keys could not be made: {e:?}"))?;
        tokio::spawn(crate::service::push::run(state.clone(), stop.clone()));
        spawn_streams(&state, &stop);

        let shutdown = stop.clone();
        let task = tokio::spawn(async move {
            // The client's address is what per-address rate limits count by.
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
        });
        Ok(Server {
            addr,
            state,
            stop,
            task,
        })
    }

    /// Serves until `signal` completes, then stops accepting connections and waits for the
    /// requests in flight to finish.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> anyhow::Result<()> {
        signal.await;
        tracing::info!("shutting down: finishing requests in flight");
        self.shutdown().await
    }

    /// Stops the server gracefully and closes the database.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.stop.cancel();
        self.task.await??;
        federation::release_claims(&self.state).await;
        self.state.db.close().await;
        Ok(())
    }
}

/// The live streams' tasks: this process's fan-out, and with PostgreSQL the notifier and the
/// listener that carry changes between processes; at shutdown, the streaming connections end
/// (they would hold the graceful shutdown open forever).
fn spawn_streams(state: &AppState, stop: &CancellationToken) {
    tokio::spawn(api::mastodon::streaming::run(state.clone(), stop.clone()));
    if state.db.backend() == crate::db::Backend::Postgres {
        tokio::spawn(crate::service::streams::run_notifier(
            state.clone(),
            stop.clone(),
        ));
        tokio::spawn(crate::service::streams::run_listener(
            state.clone(),
            stop.clone(),
        ));
    }
    let (streams, stop) = (state.streams.clone(), stop.clone());
    tokio::spawn(async move {
        stop.cancelled().await;
        streams.closing().cancel();
    });
}

/// How often SQLite's write-ahead log is copied into the database file while it grows.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
/// The longest wait between checkpoints, reached while nothing is written (an idle server
/// wakes less than once a second for them).
const CHECKPOINT_IDLE_MAX: Duration = Duration::from_millis(1600);

/// Copies SQLite's write-ahead log into the database file in the background, so that the
/// commits of the inbox and of requests, which hold SQLite's only write lock, do not: with
/// SQLite's default, a commit in every few copied a thousand pages and waited for an fsync,
/// and every writer waited behind it (docs/decisions/0011-checkpoints-off-the-writers-path.md). While nothing is written the checks space out, up to `CHECKPOINT_IDLE_MAX`.
fn spawn_checkpoints(state: AppState, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut wait = CHECKPOINT_EVERY;
        let mut last = None;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(wait) => {
                    match state.db.checkpoint().await {
                        Ok(wal) => {
                            wait = next_checkpoint_wait(wait, last, wal);
                            last = Some(wal);
                        }
                        Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
                    }
                }
            }
        }
    });
}

/// The wait before the next checkpoint: the shortest when the log changed since the last one
/// or is not all copied (a reader held it back), twice the last wait (up to
/// `CHECKPOINT_IDLE_MAX`) when nothing was written in between.
fn next_checkpoint_wait(wait: Duration, before: Option<WalState>, now: WalState) -> Duration {
    if before == Some(now) && now.copied == now.frames {
        (wait * 2).min(CHECKPOINT_IDLE_MAX)
    } else {
        CHECKPOINT_EVERY
    }
}

/// Every minute, the rate limiters forget the keys whose budget is whole again, so that their
/// memory follows the last minutes' clients rather than every address ever seen.
fn spawn_limit_upkeep(state: AppState, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => state.limits.forget_idle(),
            }
        }
    });
}

/// Rows one statement of the home timelines' trim deletes at most.
const FEED_TRIM_CHUNK: i64 = 5_000;

/// Periodic clean-up: expired web sessions, and home timelines past `home_feed_length`, once
/// an hour for the whole instance, however many processes share its database.
fn spawn_housekeeping(state: AppState, stop: CancellationToken) {
    tokio::spawn(async move {
        // Each check costs one statement; the chore itself runs once an hour for the whole
        // instance, and within a check of being due if the process that ran it last is gone.
        let mut tick = tokio::time::interval(HOUSEKEEPING_CHECK);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    let now = crate::clock::now();
                    match crate::db::settings::take_chore(state.pool(), "hourly", now, HOUSEKEEPING_EVERY).await {
                        Ok(true) => hourly_chores(&state, now).await,
                        Ok(false) => {}
                        Err(e) => tracing::warn!(error = %e, "housekeeping turn not taken"),
                    }
                }
            }
        }
    });
}

/// How often the housekeeping runs, in microseconds, and how often a process checks whether
/// it is due.
const HOUSEKEEPING_EVERY: i64 = 3_600_000_000;
const HOUSEKEEPING_CHECK: Duration = Duration::from_secs(300);

async fn hourly_chores(state: &AppState, now: i64) {
    match crate::db::sessions::delete_expired(state.pool(), now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
    }
    let window = state.config.limits.sign_in_window.as_micros() as i64;
    match crate::db::accounts::forget_sign_in_attempts(state.pool(), now - window).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "past sign-in attempt counts removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "sign-in attempt clean-up failed"),
    }
    let keep = state.config.home_feed_length;
    match crate::db::social::trim_feeds(&state.db, keep, FEED_TRIM_CHUNK).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, keep, "home timelines trimmed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "home timeline trim failed"),
    }
    match crate::service::mail::forget_expired_tokens(state, now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "expired e-mail link tokens removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "e-mail link token clean-up failed"),
    }
    match crate::service::mutes::chores(state, now).await {
        Ok((mutes, entries)) if mutes + entries > 0 => {
            tracing::info!(
                mutes,
                entries,
                "expired mutes removed, list timelines trimmed"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "mute and list clean-up failed"),
    }
    match crate::service::modlog::chores(state, now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "old moderation log entries forgotten"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "moderation log clean-up failed"),
    }
    match crate::service::sanctions::chores(state, now).await {
        Ok(n) if n > 0 => tracing::info!(deleted = n, "suspended accounts past retention deleted"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = ?e, "deleting suspended accounts past retention failed"),
    }
    match crate::service::media::sweep(state, now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "unused media removed"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "media sweep failed"),
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (`kill`, systemd, Docker).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_control_characters_or_broken_utf8_are_unreadable() {
        for bad in [
            "/users/%00",
            "/@%00",
            "/users/%ff",
            "/@a%00b/1",
            "/tags/%0A",
            "/tags/%7f",
            "/a/%c3",
        ] {
            assert!(path_is_unreadable(bad), "{bad}");
        }
        for good in [
            "/users/alice",
            "/tags/%C3%A9cologie",
            "/@alice@example.org",
            "/a%2Fb",
            "/100%",
            "/%zz",
            "/%4",
        ] {
            assert!(!path_is_unreadable(good), "{good}");
        }
    }

    #[test]
    fn checkpoints_space_out_while_nothing_is_written_and_resume_with_writes() {
        let copied = WalState {
            frames: 40,
            copied: 40,
        };
        // The first check, and any change in the log: the shortest wait.
        assert_eq!(
            next_checkpoint_wait(CHECKPOINT_EVERY, None, copied),
            CHECKPOINT_EVERY
        );
        // Nothing written since: twice as long each time, up to the idle maximum.
        let mut wait = CHECKPOINT_EVERY;
        let mut waits = Vec::new();
        for _ in 0..6 {
            wait = next_checkpoint_wait(wait, Some(copied), copied);
            waits.push(wait.as_millis());
        }
        assert_eq!(waits, [200, 400, 800, 1600, 1600, 1600]);
        // A write: back to the shortest.
        let grown = WalState {
            frames: 52,
            copied: 52,
        };
        assert_eq!(
            next_checkpoint_wait(wait, Some(copied), grown),
            CHECKPOINT_EVERY
        );
        // A reader kept part of the log from being copied: tried again soon.
        let held = WalState {
            frames: 52,
            copied: 30,
        };
        assert_eq!(
            next_checkpoint_wait(wait, Some(held), held),
            CHECKPOINT_EVERY
        );
    }
}
