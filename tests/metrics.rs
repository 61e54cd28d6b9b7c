//! `GET /metrics` (issue 33, item 4): off by default (404), behind the configured bearer
//! token (401 otherwise), in a text Prometheus parses (checked here by a small parser of the
//! exposition format); request counters by route template that move with requests and never
//! carry a path or an account's name; delivery counters and given-up deliveries per host
//! (bounded); queue gauges equal to what the database holds.
//!
//! The peer is the test's own server (`common::hostile`), shaped as Gancio (its one actor an
//! `Application`), as in tests/interop_delivery.rs.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, spawn_app, spawn_app_with};
use hostile::Hostile;
use reqwest::{StatusCode, header};
use serde_json::json;
use std::collections::BTreeMap;

const TOKEN: &str = "prometheus-lit-ceci-0123456789";

async fn app_with_metrics() -> TestApp {
    spawn_app_with(|c| {
        c.metrics_token = coopol::config::Config::from_sources(None, |name| {
            (name == "COOPOL_METRICS_TOKEN").then(|| TOKEN.to_string())
        })
        .unwrap()
        .metrics_token
    })
    .await
}

/// One sample: the metric's name, its labels, its value.
#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// The samples of an exposition (Prometheus text or OpenMetrics), checking its grammar: every
/// line a comment (`# HELP`, `# TYPE`, `# UNIT`, the final `# EOF`) or `name{labels} value`,
/// names and label names as Prometheus allows, label values quoted with `\\`, `\"` and `\n`
/// escapes, values numbers. Panics naming the line otherwise.
fn parse(text: &str) -> Vec<Sample> {
    let valid_name = |n: &str, colon: bool| {
        let mut chars = n.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':'))
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':'))
    };
    assert!(text.ends_with("# EOF\n"), "no # EOF at the end");
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("EOF"), None, None) => {}
                (Some("HELP"), Some(name), Some(_)) | (Some("UNIT"), Some(name), Some(_)) => {
                    assert!(valid_name(name, true), "{line}")
                }
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(valid_name(name, true), "{line}");
                    assert!(
                        ["counter", "gauge", "histogram", "info", "unknown"].contains(&kind),
                        "{line}"
                    );
                }
                _ => panic!("unexpected comment: {line}"),
            }
            continue;
        }
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => panic!("no value: {line}"),
        };
        assert!(valid_name(name, true), "bad metric name: {line}");
        let mut labels = BTreeMap::new();
        let rest = if let Some(mut inside) = rest.strip_prefix('{') {
            loop {
                if let Some(after) = inside.strip_prefix('}') {
                    break after;
                }
                let eq = inside.find('=').unwrap_or_else(|| panic!("{line}"));
                let key = &inside[..eq];
                assert!(valid_name(key, false), "bad label name: {line}");
                let mut chars = inside[eq + 1..].char_indices();
                assert_eq!(chars.next().map(|c| c.1), Some('"'), "{line}");
                let mut value = String::new();
                let end = loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, c @ ('\\' | '"'))) => value.push(c),
                            _ => panic!("bad escape: {line}"),
                        },
                        Some((i, '"')) => break eq + 1 + i + 1,
                        Some((_, c)) => value.push(c),
                        None => panic!("unterminated label value: {line}"),
                    }
                };
                labels.insert(key.to_string(), value);
                inside = &inside[end..];
                inside = inside.strip_prefix(',').unwrap_or(inside);
            }
        } else {
            rest
        };
        let value = rest
            .trim()
            .split(' ')
            .next()
            .unwrap_or_else(|| panic!("{line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
        };
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

/// The scrape's text and samples (the token sent; 200 expected).
async fn scrape(app: &TestApp) -> (String, Vec<Sample>) {
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let kind = res.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let text = res.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

/// The value of the sample `name` with (at least) these labels; 0 when there is none.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .sum()
}

async fn count(app: &TestApp, sql: &'static str) -> f64 {
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    n as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_off_by_default() {
    let app = spawn_app().await;
    assert!(app.state.config.metrics_token.is_none());
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Nothing tells it apart from any unknown page.
    let other = app.client.get(app.url("/metriques")).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.headers().get(header::CONTENT_TYPE),
        other.headers().get(header::CONTENT_TYPE)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_required() {
    let app = app_with_metrics().await;
    let get = |auth: Option<String>| {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(auth) = auth {
            req = req.header(header::AUTHORIZATION, auth);
        }
        req.send()
    };
    let wrong = [
        None,
        Some("Bearer ".to_string()),
        Some("Bearer mauvais-jeton-0123456789".to_string()),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
        Some(format!("Basic {TOKEN}")),
        Some(TOKEN.to_string()),
    ];
    for auth in wrong {
        let res = get(auth.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(
            res.headers()[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{auth:?}"
        );
        let body = res.text().await.unwrap();
        assert!(!body.contains("coopol_"), "{body}");
    }
    let (text, samples) = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "coopol_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0,
        "{text}"
    );
    assert!(value(&samples, "process_resident_memory_bytes", &[]) > 1e6);
    assert!(value(&samples, "coopol_uptime_seconds", &[]) > 0.0);
    assert!(value(&samples, "process_start_time_seconds", &[]) > 1.7e9);
    assert_eq!(
        value(&samples, "coopol_db_connections_max", &[("pool", "main")]),
        app.state.config.database_max_connections as f64
    );
    // The scrape itself holds a connection or none: the pool never counts more than it has.
    let used = value(&samples, "coopol_db_connections", &[("pool", "main")]);
    assert!(used <= app.state.config.database_max_connections as f64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_template_never_by_path() {
    let app = app_with_metrics().await;
    let secret = format!("zoe{}", coopol::crypto::random_code(10).to_lowercase());
    app.create_user(
        &secret,
        "correct horse battery",
        coopol::domain::Role::Member,
    )
    .await;
    let (_, before) = scrape(&app).await;
    let route = [("route", "/users/{username}"), ("method", "GET")];
    let before_4xx = value(
        &before,
        "coopol_http_requests_total",
        &[route[0], route[1], ("status", "4xx")],
    );
    let before_2xx = value(
        &before,
        "coopol_http_requests_total",
        &[route[0], route[1], ("status", "2xx")],
    );
    let mut asked = vec![secret.clone()];
    for _ in 0..5 {
        asked.push(format!("inconnu{}", coopol::crypto::random_code(12)));
    }
    for name in &asked {
        let res = app
            .client
            .get(app.url(&format!("/users/{name}")))
            .header(header::ACCEPT, "application/activity+json")
            .send()
            .await
            .unwrap();
        let expected = if name == &secret {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(res.status(), expected, "{name}");
    }
    // Paths no route has, and a query string that must not show either.
    let stray = format!("/nulle-part/{}", coopol::crypto::random_code(12));
    app.client.get(app.url(&stray)).send().await.unwrap();
    app.client
        .get(app.url(&format!("/health?who={secret}")))
        .send()
        .await
        .unwrap();

    let (text, after) = scrape(&app).await;
    assert_eq!(
        value(
            &after,
            "coopol_http_requests_total",
            &[route[0], route[1], ("status", "2xx")]
        ) - before_2xx,
        1.0,
        "{text}"
    );
    assert_eq!(
        value(
            &after,
            "coopol_http_requests_total",
            &[route[0], route[1], ("status", "4xx")]
        ) - before_4xx,
        5.0,
        "{text}"
    );
    assert!(
        value(
            &after,
            "coopol_http_requests_total",
            &[("route", "unmatched")]
        ) >= 1.0
    );
    assert!(
        value(
            &after,
            "coopol_http_requests_total",
            &[("route", "/health")]
        ) >= 1.0
    );
    // The histogram has every request of the route, in seconds.
    assert!(
        value(
            &after,
            "coopol_http_request_duration_seconds_count",
            &[route[0]]
        ) >= 6.0
    );
    assert!(
        value(
            &after,
            "coopol_http_request_duration_seconds_bucket",
            &[route[0], ("le", "+Inf")]
        ) >= 6.0
    );
    // No name, no path, no query in the text.
    for name in asked.iter().map(String::as_str).chain([stray.as_str()]) {
        assert!(!text.contains(name), "{name} appears in the metrics");
    }
    assert!(!text.to_lowercase().contains(&secret.to_lowercase()));
    // Every route label is a template or `unmatched`; methods and classes are fixed words.
    for s in after.iter().filter(|s| s.name.starts_with("coopol_http_")) {
        let route = &s.labels["route"];
        assert!(route == "unmatched" || route.starts_with('/'), "{s:?}");
        if let Some(method) = s.labels.get("method") {
            assert!(
                [
                    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
                ]
                .contains(&method.as_str()),
                "{s:?}"
            );
        }
    }
    // A made-up method adds no label value.
    app.client
        .request(
            reqwest::Method::from_bytes(b"BROUILLER").unwrap(),
            app.url("/health"),
        )
        .send()
        .await
        .unwrap();
    let (text, _) = scrape(&app).await;
    assert!(!text.contains("BROUILLER"));
}

/// A local member followed by the peer's agenda; the member's token.
async fn followed_by_an_agenda(app: &TestApp, h: &Hostile) -> String {
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let account = coopol::db::accounts::local_by_username(app.state.pool(), "ana")
        .await
        .unwrap()
        .unwrap();
    let agenda = h.actor("agenda", "Application");
    let follow = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": agenda,
                        "object": account.uri});
    let (state, error) = h.deliver_processed(app, &agenda, &follow).await;
    assert_eq!(state, "done", "{error:?}");
    ana
}

async fn post(app: &TestApp, token: &str, text: &str) {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_counted_and_failures_shown_per_host_within_bounds() {
    let app = app_with_metrics().await;
    let h = Hostile::start().await;
    let ana = followed_by_an_agenda(&app, &h).await;
    h.answer_posts("Texte refusé", 400);
    post(&app, &ana, "Texte accepté").await;
    post(&app, &ana, "Texte refusé par l'agenda").await;
    eventually("one delivered, one given up", || async {
        let (_, s) = scrape(&app).await;
        value(&s, "coopol_deliveries_total", &[("outcome", "delivered")]) >= 1.0
            && value(&s, "coopol_deliveries_total", &[("outcome", "given_up")]) == 1.0
    })
    .await;
    let (text, s) = scrape(&app).await;
    assert_eq!(
        value(&s, "coopol_delivery_failures", &[("host", &h.host)]),
        1.0,
        "{text}"
    );

    // Many failing hosts: only the latest ones are labels.
    let now = coopol::clock::now();
    for i in 0..(coopol::metrics::FAILING_HOSTS + 15) {
        let host = format!("hote{i}.example");
        coopol::db::federation::record_delivery_failure(
            app.state.pool(),
            &coopol::db::federation::DeliveryFailure {
                id: 0,
                host: host.clone(),
                inbox_url: format!("https://{host}/inbox"),
                activity_uri: format!("http://{}/activities/{i}", app.domain),
                activity_type: "Create".into(),
                status: 410,
                error: "answered 410".into(),
                attempts: 1,
                failed_at: now + i,
            },
        )
        .await
        .unwrap();
    }
    let (text, s) = scrape(&app).await;
    let hosts: Vec<&Sample> = s
        .iter()
        .filter(|s| s.name == "coopol_delivery_failures")
        .collect();
    assert_eq!(hosts.len() as i64, coopol::metrics::FAILING_HOSTS, "{text}");
    let last = format!("hote{}.example", coopol::metrics::FAILING_HOSTS + 14);
    assert_eq!(
        value(&s, "coopol_delivery_failures", &[("host", &last)]),
        1.0
    );
    assert!(!text.contains("hote0.example"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_gauges_match_the_database() {
    let app = app_with_metrics().await;
    let h = Hostile::start().await;
    let ana = followed_by_an_agenda(&app, &h).await;
    // The peer is down: the deliveries wait, the host is failing.
    h.answer_posts("", 503);
    post(&app, &ana, "Premier").await;
    post(&app, &ana, "Second").await;
    eventually("the peer's host is failing", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM hosts WHERE failing_since IS NOT NULL",
        )
        .await
            == 1.0
    })
    .await;
    // An e-mail waiting for a later attempt (e-mail is off in tests: nothing sends it).
    let an_hour_ago = coopol::clock::now() - 3_600_000_000;
    sqlx::query(
        "INSERT INTO mail_queue (recipient, locale, kind, params, next_attempt_at, created_at) \
         VALUES ('ana@example.org', 'fr', 'test', '{}', $1, $2)",
    )
    .bind(coopol::clock::now() + 3_600_000_000)
    .bind(an_hour_ago)
    .execute(app.state.pool())
    .await
    .unwrap();
    // Wait until the deliveries are back in the queue between attempts (none held).
    eventually("the deliveries wait", || async {
        count(
            &app,
            "SELECT COUNT(*) FROM deliveries WHERE locked_by IS NULL",
        )
        .await
            >= 2.0
    })
    .await;

    let (text, s) = scrape(&app).await;
    let gauge = |queue: &str| value(&s, "coopol_queue_pending", &[("queue", queue)]);
    assert_eq!(
        gauge("deliveries"),
        count(&app, "SELECT COUNT(*) FROM deliveries").await,
        "{text}"
    );
    assert!(gauge("deliveries") >= 2.0);
    assert_eq!(
        gauge("inbox"),
        count(
            &app,
            "SELECT COUNT(*) FROM inbox_queue WHERE state = 'queued'"
        )
        .await
    );
    assert_eq!(
        gauge("inbox_failed"),
        count(
            &app,
            "SELECT COUNT(*) FROM inbox_queue WHERE state = 'failed'"
        )
        .await
    );
    assert_eq!(
        gauge("outbox"),
        count(&app, "SELECT COUNT(*) FROM outbox_events").await
    );
    assert_eq!(
        gauge("mail"),
        count(&app, "SELECT COUNT(*) FROM mail_queue").await
    );
    assert_eq!(gauge("mail"), 1.0);
    assert_eq!(
        gauge("push"),
        count(&app, "SELECT COUNT(*) FROM push_deliveries").await
    );
    let mail_age = value(&s, "coopol_queue_oldest_age_seconds", &[("queue", "mail")]);
    assert!((3600.0..3700.0).contains(&mail_age), "{mail_age}");
    assert_eq!(
        value(&s, "coopol_delivery_hosts", &[("state", "failing")]),
        count(
            &app,
            "SELECT COUNT(*) FROM hosts WHERE failing_since IS NOT NULL"
        )
        .await
    );
    assert_eq!(
        value(&s, "coopol_delivery_hosts", &[("state", "parked")]),
        count(
            &app,
            "SELECT COUNT(*) FROM hosts WHERE parked_at IS NOT NULL"
        )
        .await
    );
    assert!(value(&s, "coopol_deliveries_total", &[("outcome", "retried")]) >= 1.0);
}

#[test]
fn the_parser_refuses_what_prometheus_would() {
    let ok = "# HELP a_total A.\n# TYPE a counter\na_total{x=\"q\\\"\\n\\\\\"} 1\n# EOF\n";
    assert_eq!(parse(ok)[0].labels["x"], "q\"\n\\");
    for bad in [
        "a_total 1\n",
        "a-b 1\n# EOF\n",
        "a{x=\"1} 1\n# EOF\n",
        "a{x=1} 1\n# EOF\n",
        "a{x=\"1\"} un\n# EOF\n",
        "# NOTE a\n# EOF\n",
    ] {
        assert!(
            std::panic::catch_unwind(|| parse(bad)).is_err(),
            "accepted: {bad:?}"
        );
    }
}
