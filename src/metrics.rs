//! Prometheus metrics: `GET /metrics` in the text exposition format (OpenMetrics 1.0, which
//! Prometheus reads), off unless `metrics_token` is set, and then only for requests that
//! carry it as a bearer token (compared in constant time). Off, the route does not exist
//! (404, as any unknown page: nothing advertises it) and no request pays for counting.
//!
//! Two kinds of figures:
//! - **This process's**, kept in memory as it works: HTTP requests by method, route template
//!   (axum's `MatchedPath`, never the path asked for: `/users/{username}`, not a name; requests
//!   no route matched are `unmatched`) and status class, with a latency histogram by route;
//!   deliveries by outcome; memory, uptime. Several processes on one database are several
//!   targets to scrape, each with its own.
//! - **The instance's**, read from the database at scrape time by the administrators'
//!   dashboard's queries (`db::dashboard`, each bounded by an index or a cap): the queues
//!   (inbox, outbox, deliveries, e-mails, pushes), failing and parked hosts, given-up
//!   deliveries for the hosts that failed last. Every worker claims its work in the database,
//!   so these counts are true whichever process scrapes them, and cost nothing between scrapes.
//!
//! Labels never carry personal data: route templates, fixed words, and host names of other
//! servers (at most [`FAILING_HOSTS`] of them) — never a path, an account or a query string.
//! The per-request cost is one lookup in a read-locked map and a few atomic adds (the
//! histogram's bucket takes an uncontended lock); see docs/BENCHMARKS.md.

use crate::{db, state::AppState};
use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
        info::Info,
    },
    registry::{Registry, Unit},
};
use std::{
    sync::atomic::AtomicU64,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

/// How many hosts the given-up deliveries are shown for (those that failed last).
pub const FAILING_HOSTS: i64 = 20;

/// The label of requests no route matched (unknown pages, scanners' guesses).
const UNMATCHED: &str = "unmatched";

/// The content type of the OpenMetrics text format.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HostStateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HostLabels {
    host: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolNameLabels {
    pool: &'static str,
}

/// How a delivery attempt ended, as `coopol_deliveries_total` counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The inbox took it.
    Delivered,
    /// To be tried again later.
    Retried,
    /// Given up (refused for good, or failing too long while the host took others).
    GivenUp,
    /// Not sent, for a reason of ours (the domain policy, the activity or its key gone).
    Dropped,
}

impl Delivery {
    fn label(self) -> &'static str {
        match self {
            Delivery::Delivered => "delivered",
            Delivery::Retried => "retried",
            Delivery::GivenUp => "given_up",
            Delivery::Dropped => "dropped",
        }
    }
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// This process's metrics (one per instance: no globals, several instances can share a
/// process, as the tests do).
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily,
    deliveries: Family<OutcomeLabels, Counter>,
    started: Instant,
    started_at: f64,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn duration_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Empty counters, the clock started.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "coopol_http_requests",
            "HTTP requests answered by this process, by method, route template and status class",
            requests.clone(),
        );
        let durations: HistogramFamily =
            Family::new_with_constructor(duration_histogram as fn() -> Histogram);
        registry.register_with_unit(
            "coopol_http_request_duration",
            "Time from a request's arrival until its response's head, by route template",
            Unit::Seconds,
            durations.clone(),
        );
        let deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "coopol_deliveries",
            "Delivery attempts to other servers' inboxes made by this process, by outcome",
            deliveries.clone(),
        );
        registry.register(
            "coopol_build",
            "The coopol version this process runs",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        let started_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default();
        Metrics {
            registry,
            requests,
            durations,
            deliveries,
            started: Instant::now(),
            started_at,
        }
    }

    /// Counts a request answered with `status` after `elapsed`.
    fn request(&self, method: &'static str, route: &str, status: StatusCode, elapsed: f64) {
        let status = match status.as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_string(),
                status,
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(elapsed);
    }

    /// Counts a delivery attempt.
    pub fn delivery(&self, outcome: Delivery) {
        self.deliveries
            .get_or_create(&OutcomeLabels {
                outcome: outcome.label(),
            })
            .inc();
    }

    /// The text Prometheus reads: this process's figures, then the instance's, read now.
    pub async fn render(&self, state: &AppState) -> Result<String, sqlx::Error> {
        let mut scraped = Registry::default();
        instance_figures(state, &mut scraped).await?;
        self.process_figures(state, &mut scraped);
        let mut out = String::with_capacity(16 * 1024);
        // Writing to a String cannot fail.
        let _ = text::encode_registry(&mut out, &self.registry);
        let _ = text::encode_registry(&mut out, &scraped);
        let _ = text::encode_eof(&mut out);
        Ok(out)
    }

    /// Memory, uptime and the database pools, as they stand.
    fn process_figures(&self, state: &AppState, registry: &mut Registry) {
        if let Some(rss) = resident_bytes() {
            registry.register_with_unit(
                "process_resident_memory",
                "Resident memory of this process (VmRSS)",
                Unit::Bytes,
                gauge(rss),
            );
        }
        registry.register_with_unit(
            "process_start_time",
            "When this process started, in seconds since the Unix epoch",
            Unit::Seconds,
            seconds(self.started_at),
        );
        registry.register_with_unit(
            "coopol_uptime",
            "How long this process has been running",
            Unit::Seconds,
            seconds(self.started.elapsed().as_secs_f64()),
        );
        let connections = Family::<PoolLabels, Gauge>::default();
        let max = Family::<PoolNameLabels, Gauge>::default();
        for pool in state.db.pool_usage() {
            let set = |state, value: u32| {
                connections
                    .get_or_create(&PoolLabels {
                        pool: pool.name,
                        state,
                    })
                    .set(i64::from(value));
            };
            set("idle", pool.idle);
            set("in_use", pool.open - pool.idle);
            max.get_or_create(&PoolNameLabels { pool: pool.name })
                .set(i64::from(pool.max));
        }
        registry.register(
            "coopol_db_connections",
            "Database connections of this process's pools, idle or in use",
            connections,
        );
        registry.register(
            "coopol_db_connections_max",
            "The most connections each of this process's pools opens",
            max,
        );
    }
}

/// The queues and the federation's health, from the database (the dashboard's queries).
async fn instance_figures(state: &AppState, registry: &mut Registry) -> Result<(), sqlx::Error> {
    use db::dashboard;
    let pool = state.pool();
    let (inbox, inbox_failed, outbox, deliveries, mail, pushes, (failing, parked), given_up) = tokio::try_join!(
        dashboard::inbox(pool),
        dashboard::inbox_failed(pool),
        dashboard::outbox(pool),
        dashboard::deliveries(pool),
        dashboard::mail(pool),
        dashboard::pushes(pool),
        dashboard::host_counts(pool),
        db::federation::delivery_failures_per_host(pool, FAILING_HOSTS),
    )?;
    let now = crate::clock::now();
    let pending = Family::<QueueLabels, Gauge>::default();
    let oldest = Family::<QueueLabels, Gauge<f64, AtomicU64>>::default();
    for (queue, figures) in [
        ("inbox", inbox),
        ("outbox", outbox),
        ("deliveries", deliveries),
        ("mail", mail),
        ("push", pushes),
    ] {
        pending
            .get_or_create(&QueueLabels { queue })
            .set(figures.count);
        let age = figures
            .oldest_at
            .map(|at| (now - at).max(0) as f64 / 1e6)
            .unwrap_or(0.0);
        oldest.get_or_create(&QueueLabels { queue }).set(age);
    }
    pending
        .get_or_create(&QueueLabels {
            queue: "inbox_failed",
        })
        .set(inbox_failed);
    registry.register(
        "coopol_queue_pending",
        format!(
            "Rows waiting in each queue of the instance (all processes), counted up to {}",
            dashboard::COUNT_CAP
        ),
        pending,
    );
    registry.register_with_unit(
        "coopol_queue_oldest_age",
        "Age of the oldest row waiting in each queue (0 when empty)",
        Unit::Seconds,
        oldest,
    );
    let hosts = Family::<HostStateLabels, Gauge>::default();
    hosts
        .get_or_create(&HostStateLabels { state: "failing" })
        .set(failing);
    hosts
        .get_or_create(&HostStateLabels { state: "parked" })
        .set(parked);
    registry.register(
        "coopol_delivery_hosts",
        "Other servers our deliveries fail to reach (parked: no attempts until heard from)",
        hosts,
    );
    let failures = Family::<HostLabels, Gauge>::default();
    for (host, count, _last) in given_up {
        failures.get_or_create(&HostLabels { host }).set(count);
    }
    registry.register(
        "coopol_delivery_failures",
        format!(
            "Deliveries given up and kept (30 days, newest {}), for the {FAILING_HOSTS} hosts \
             that failed last",
            db::federation::FAILURES_KEPT
        ),
        failures,
    );
    Ok(())
}

fn gauge(value: i64) -> Gauge {
    let gauge = Gauge::default();
    gauge.set(value);
    gauge
}

fn seconds(value: f64) -> Gauge<f64, AtomicU64> {
    let gauge = Gauge::<f64, AtomicU64>::default();
    gauge.set(value);
    gauge
}

/// This process's resident memory in bytes (`VmRSS` of /proc/self/status); `None` where
/// there is no /proc (not Linux).
fn resident_bytes() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: i64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// The HTTP methods counted by name; others (WebDAV's, made-up ones) are `other`, so that a
/// client cannot add label values.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts every request (a layer of the router, installed when metrics are on): its route
/// template, its status class, its latency.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req.extensions().get::<MatchedPath>().cloned();
    let response = next.run(req).await;
    let route = route.as_ref().map_or(UNMATCHED, |r| r.as_str());
    state.metrics.request(
        method,
        route,
        response.status(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics` (routed only when `metrics_token` is set): 401 without the token.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(expected) = &state.config.metrics_token else {
        return crate::error::AppError::not_found().into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Hashes of equal length compared in constant time: neither the token nor its length
    // can be found by timing the answers.
    let matches = crate::crypto::constant_time_eq(
        crate::crypto::sha256_hex(given.as_bytes()).as_bytes(),
        crate::crypto::sha256_hex(expected.expose().as_bytes()).as_bytes(),
    );
    if given.is_empty() || !matches {
        let mut response =
            crate::error::AppError::unauthorized("error-token-invalid").into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return response;
    }
    match state.metrics.render(&state).await {
        Ok(body) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response(),
        Err(e) => crate::error::AppError::internal(e).into_response(),
    }
}
