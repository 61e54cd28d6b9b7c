//! The test harness: starts real coopol instances on port 0, each with a fresh database, and
//! talks HTTP to them.
//!
//! The database is SQLite in a temporary folder, or, when `COOPOL_TEST_POSTGRES_URL` is set
//! (scripts/test does it after starting a PostgreSQL server), a new PostgreSQL database per
//! instance on that server. The whole suite runs both ways.

#![allow(dead_code)]

pub mod chrome;

use coopol::{app::Server, config::Config, domain::Role, state::AppState};
use reqwest::{Client, Method, Response, StatusCode, header};
use serde_json::Value;
use std::{collections::HashMap, sync::atomic::AtomicU32};

/// A running instance and what a test needs to talk to it.
pub struct TestApp {
    /// `http://localhost:PORT`, the instance's public URL.
    pub base: String,
    /// `localhost:PORT`.
    pub domain: String,
    /// The instance's state (database and configuration).
    pub state: AppState,
    /// An HTTP client without cookies.
    pub client: Client,
    server: Option<Server>,
    _dir: tempfile::TempDir,
}

/// Which database the suite runs on, for messages.
pub fn backend_name() -> &'static str {
    if std::env::var("COOPOL_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}

static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("COOPOL_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            sqlx::any::install_default_drivers();
            let n = DB_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!(
                "coopol_test_{}_{}_{n}",
                std::process::id(),
                coopol::crypto::random_code(6).to_lowercase()
            );
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                .await
                .expect("connect to the test PostgreSQL server");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create a test database");
            let mut url = url::Url::parse(&server).expect("COOPOL_TEST_POSTGRES_URL is a URL");
            url.set_path(&name);
            url.to_string()
        }
        _ => format!("sqlite://{}/coopol.db?mode=rwc", dir.display()),
    }
}

/// Starts an instance with the default test configuration.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts an instance after letting the test adjust its configuration.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    // COOPOL_TEST_LOG=debug (or any filter) shows the instances' logs in failing tests.
    if let Ok(filter) = std::env::var("COOPOL_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://localhost:{port}");
    let database = fresh_database(dir.path()).await;
    let mut config = Config::for_tests(&base, &database, dir.path().to_path_buf());
    configure(&mut config);
    let server = Server::start(config, listener).await.expect("start coopol");
    let state = server.state.clone();
    TestApp {
        domain: format!("localhost:{port}"),
        base,
        state,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        server: Some(server),
        _dir: dir,
    }
}

/// A second process of `first`'s instance: another server on the same database (as two
/// coopol processes behind one address share a PostgreSQL database), with its own port.
pub async fn spawn_second_process(first: &TestApp) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://localhost:{port}");
    let config = Config::for_tests(
        &first.base,
        &first.state.config.database_url,
        dir.path().to_path_buf(),
    );
    let server = Server::start(config, listener).await.expect("start coopol");
    let state = server.state.clone();
    TestApp {
        domain: format!("localhost:{port}"),
        base,
        state,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        server: Some(server),
        _dir: dir,
    }
}

/// Submits a form found on `page` as `browser` and expects a redirect (the action worked);
/// returns where to.
pub async fn act(browser: &Browser, page: &str, action: &str, form: &[(&str, &str)]) -> String {
    let done = browser.submit(page, action, form).await;
    assert_eq!(
        done.status,
        StatusCode::SEE_OTHER,
        "{action} refused:\n{}",
        done.body
    );
    done.location.expect("a redirect says where to")
}

/// A registered OAuth app.
pub struct TestClient {
    pub client_id: String,
    pub client_secret: String,
}

impl TestApp {
    /// An absolute URL on the instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the instance gracefully.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("graceful shutdown");
        }
    }

    /// Sets the registration mode, as the setting an administrator's choice writes (without
    /// an administrator, so without an entry in the moderation log).
    pub async fn set_registration_mode(&self, mode: &str) {
        let mode = coopol::domain::RegistrationMode::parse(mode).unwrap();
        coopol::db::settings::set(self.state.pool(), "registration_mode", mode.as_str())
            .await
            .unwrap();
    }

    /// Creates an active account directly (as `coopol user create` does); returns its id.
    pub async fn create_user(&self, name: &str, password: &str, role: Role) -> i64 {
        let reg = coopol::service::accounts::Registration {
            username: name.into(),
            email: format!("{name}@example.org"),
            password: password.into(),
            ..Default::default()
        };
        coopol::service::accounts::register(
            &self.state,
            reg,
            coopol::service::accounts::Registrar::Administrator(role),
        )
        .await
        .expect("create user")
        .account_id
    }

    /// Registers an OAuth app with the given scopes and redirect URI.
    pub async fn register_app(&self, scopes: &str, redirect_uri: &str) -> TestClient {
        let res = self
            .client
            .post(self.url("/api/v1/apps"))
            .form(&[
                ("client_name", "test app"),
                ("redirect_uris", redirect_uri),
                ("scopes", scopes),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        TestClient {
            client_id: body["client_id"].as_str().unwrap().into(),
            client_secret: body["client_secret"].as_str().unwrap().into(),
        }
    }

    /// Gets a token through the password grant.
    pub async fn password_token(
        &self,
        app: &TestClient,
        login: &str,
        password: &str,
        scope: &str,
    ) -> String {
        let res = self
            .client
            .post(self.url("/oauth/token"))
            .form(&[
                ("grant_type", "password"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("username", login),
                ("password", password),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    /// An account with a token of the given scopes: (account id, token).
    pub async fn user_with_token(&self, name: &str, scope: &str) -> (i64, String) {
        let id = self
            .create_user(name, "correct horse battery", Role::Member)
            .await;
        let app = self
            .register_app("read write follow push", "urn:ietf:wg:oauth:2.0:oob")
            .await;
        let token = self
            .password_token(
                &app,
                &format!("{name}@example.org"),
                "correct horse battery",
                scope,
            )
            .await;
        (id, token)
    }

    /// GET with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// GET, expecting JSON: (status, body).
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let res = self.get(path, token).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// POST a JSON body with an optional token: (status, body).
    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// POST a form body with an optional token: (status, body).
    pub async fn post_form(
        &self,
        path: &str,
        token: Option<&str>,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).form(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A browser-like client (cookies kept, redirects not followed) for the web pages.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }
}

/// A client that behaves like a browser: it keeps cookies and sends the CSRF token the pages
/// give it.
pub struct Browser {
    pub base: String,
    pub client: Client,
}

/// A page as a browser got it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The CSRF token of the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no form on the page:\n{}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }

    /// Whether the page contains `text` (HTML-escaped as the templates escape it).
    pub fn contains(&self, text: &str) -> bool {
        self.body.contains(text) || self.body.contains(&html_escape(text))
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

impl Browser {
    async fn page(res: Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        Page {
            status,
            location,
            headers,
            body: res.text().await.unwrap(),
        }
    }

    /// GET a page.
    pub async fn get(&self, path: &str) -> Page {
        Self::page(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// GET a page in a language (Accept-Language).
    pub async fn get_in(&self, path: &str, lang: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT_LANGUAGE, lang)
            .send()
            .await
            .unwrap();
        Self::page(res).await
    }

    /// POST a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        Self::page(res).await
    }

    /// Loads `form_page`, then posts `form` to `action` with the page's CSRF token, as a
    /// person filling the form in would.
    pub async fn submit(&self, form_page: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        let csrf = page.csrf();
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("csrf", &csrf));
        let res = self
            .client
            .post(format!("{}{action}", self.base))
            .header(header::ORIGIN, self.base.as_str())
            .form(&fields)
            .send()
            .await
            .unwrap();
        Self::page(res).await
    }

    /// Signs in through the sign-in page; panics unless it works.
    pub async fn sign_in(&self, email: &str, password: &str) {
        let page = self
            .submit(
                "/auth/sign_in",
                "/auth/sign_in",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in failed:\n{}",
            page.body
        );
    }
}

/// Waits until `check` holds (federation is asynchronous), or fails naming `what` after 20 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Query parameters of a URL.
pub fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The folder of real-world ActivityPub documents, or `None` (with a notice) when absent.
pub fn fixtures_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var("COOPOL_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: {} is absent; tests that read real-world payloads are skipped",
            dir.display()
        );
        None
    }
}

/// The JSON documents under a fixtures folder, sorted.
pub fn fixture_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.sort();
    paths
}

/// Where coopol's own API lives.
pub const API: &str = "/api/coopol/v1";

/// Calls the API, recording which endpoint of the OpenAPI document was exercised.
pub struct Api<'a> {
    app: &'a TestApp,
    /// The (method, documented path) pairs called.
    pub seen: std::sync::Mutex<std::collections::BTreeSet<(String, String)>>,
}

impl<'a> Api<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Api {
            app,
            seen: Default::default(),
        }
    }

    /// `template` is the documented path (`/groups/{id}`); `path` the one called.
    pub async fn call(
        &self,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        self.seen
            .lock()
            .unwrap()
            .insert((method.as_str().to_lowercase(), template.to_string()));
        let mut req = self
            .app
            .client
            .request(method, self.app.url(&format!("{API}{path}")));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, json, text)
    }

    pub async fn get(
        &self,
        template: &str,
        path: &str,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let (s, v, _) = self.call(Method::GET, template, path, token, None).await;
        (s, v)
    }

    pub async fn post(
        &self,
        template: &str,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call(Method::POST, template, path, Some(token), Some(body))
            .await;
        (s, v)
    }

    /// Fails unless the endpoints called are exactly `expected` ((method, documented path)
    /// pairs): a test names what it covers, and a coverage test adds the names up.
    pub fn assert_called(&self, expected: &[(&str, &str)]) {
        let seen = self.seen.lock().unwrap().clone();
        let expected: std::collections::BTreeSet<(String, String)> = expected
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        assert_eq!(seen, expected, "the endpoints this test calls");
    }

    /// Fails unless every endpoint of `doc` whose path passes `scope` was called, and every
    /// call was to a documented endpoint.
    pub fn assert_exercised(&self, doc: &Value, scope: impl Fn(&str) -> bool) {
        let mut documented = std::collections::BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if scope(path) {
                    documented.insert((method.clone(), path.clone()));
                }
            }
        }
        let seen = self.seen.lock().unwrap().clone();
        let missing: Vec<_> = documented.difference(&seen).collect();
        assert!(missing.is_empty(), "endpoints not exercised: {missing:?}");
        let undocumented: Vec<_> = seen
            .iter()
            .filter(|(_, p)| scope(p))
            .filter(|e| !documented.contains(*e))
            .collect();
        assert!(
            undocumented.is_empty(),
            "endpoints not documented: {undocumented:?}"
        );
    }
}

/// Stores a remote actor by id without fetching it (the harness plays its server).
pub async fn store_actor(app: &TestApp, uri: &str) -> coopol::db::accounts::AccountRow {
    if let Some(a) = coopol::db::accounts::by_uri(app.state.pool(), uri)
        .await
        .unwrap()
    {
        return a;
    }
    let url = url::Url::parse(uri).unwrap();
    let domain = coopol::federation::protocol::domain_of(&url);
    let name = url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "actor".into());
    // One key for every stand-in actor: key generation is the slow part of storing one.
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let public = KEY
        .get_or_init(|| coopol::crypto::generate_rsa_keypair().1)
        .clone();
    let now = coopol::clock::now();
    let id = coopol::db::accounts::upsert_remote(
        app.state.pool(),
        &coopol::db::accounts::RemoteActor {
            uri,
            username: &name,
            domain: &domain,
            actor_type: "Person",
            display_name: "",
            note_html: "",
            locked: false,
            discoverable: true,
            public_key_pem: &public,
            key_id: &format!("{uri}#main-key"),
            inbox_url: &format!("{uri}/inbox"),
            shared_inbox_url: None,
            outbox_url: None,
            followers_url: Some(&format!("{uri}/followers")),
            following_url: None,
            url: None,
            avatar_url: None,
            header_url: None,
            fields_json: "[]",
            created_at: now,
            now,
        },
    )
    .await
    .unwrap()
    .expect("a new remote actor is stored");
    coopol::db::accounts::by_id(app.state.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

/// Makes `follower` follow `target` (accepted or pending) with a given Follow id.
pub async fn make_follow(
    app: &TestApp,
    follower: i64,
    target: i64,
    uri: &str,
    state: coopol::domain::FollowState,
) {
    let mut conn = app.state.pool().acquire().await.unwrap();
    coopol::db::social::insert_follow(
        &mut conn,
        follower,
        target,
        Some(uri),
        state,
        coopol::clock::now(),
    )
    .await
    .unwrap();
}

/// Fails unless every account's kept numbers (`account_stats`) and every post's counts
/// (`status_stats`), both kept by triggers, equal a count of their rows.
pub async fn assert_numbers_match_a_recount(app: &TestApp, step: &str) {
    let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.id, \
           COALESCE(st.followers, 0), \
           (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id AND f.state = 'accepted'), \
           COALESCE(st.following, 0), \
           (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id AND f.state = 'accepted'), \
           COALESCE(st.statuses, 0), \
           (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id \
              AND s.visibility NOT IN ('direct', 'group')) \
         FROM accounts a LEFT JOIN account_stats st ON st.account_id = a.id ORDER BY a.id",
    )
    .fetch_all(app.state.pool())
    .await
    .unwrap();
    for (id, followers, counted_followers, following, counted_following, posts, counted_posts) in
        rows
    {
        assert_eq!(
            (followers, following, posts),
            (counted_followers, counted_following, counted_posts),
            "account {id} after {step}: kept (followers, following, posts) against a recount"
        );
    }
    let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT s.id, \
           COALESCE(st.replies, 0), \
           (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id), \
           COALESCE(st.reblogs, 0), \
           (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id), \
           COALESCE(st.favourites, 0), \
           (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id) \
         FROM statuses s LEFT JOIN status_stats st ON st.status_id = s.id ORDER BY s.id",
    )
    .fetch_all(app.state.pool())
    .await
    .unwrap();
    for (id, replies, counted_replies, reblogs, counted_reblogs, likes, counted_likes) in rows {
        assert_eq!(
            (replies, reblogs, likes),
            (counted_replies, counted_reblogs, counted_likes),
            "post {id} after {step}: kept (replies, reblogs, favourites) against a recount"
        );
    }
}

/// Waits until `app` has nothing left to send (outbox events and deliveries).
pub async fn outbox_drained(app: &TestApp) {
    eventually("every delivery is done", || async {
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_events")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
        events == 0
            && coopol::db::federation::pending_deliveries(app.state.pool())
                .await
                .unwrap()
                == 0
    })
    .await;
}

/// A value percent-encoded for a query string.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The media stores media tests run on: `directory` always, and `s3` when
/// `COOPOL_TEST_S3_ENDPOINT` names one (scripts/test starts Garage and sets it; with
/// `COOPOL_REQUIRE_S3=1` its absence fails the test instead of skipping the S3 run).
pub fn media_stores() -> Vec<&'static str> {
    let s3 = std::env::var("COOPOL_TEST_S3_ENDPOINT").is_ok_and(|v| !v.is_empty());
    if !s3 {
        assert!(
            std::env::var("COOPOL_REQUIRE_S3").as_deref() != Ok("1"),
            "COOPOL_REQUIRE_S3=1 but no COOPOL_TEST_S3_ENDPOINT: start scripts/garage.sh"
        );
        eprintln!(
            "notice: no S3 store (COOPOL_TEST_S3_ENDPOINT): media tests run on the directory store only"
        );
        return vec!["directory"];
    }
    vec!["directory", "s3"]
}

/// Sets an instance's media store: `directory` (the default, in its data folder) or `s3` (the
/// test bucket named by `COOPOL_TEST_S3_*`; instances share it, their keys never meet since
/// each carries a random token).
pub fn use_media_store(config: &mut Config, store: &str) {
    if store != "s3" {
        return;
    }
    let var = |name: &str| {
        std::env::var(format!("COOPOL_TEST_S3_{name}"))
            .unwrap_or_else(|_| panic!("COOPOL_TEST_S3_{name} is not set"))
    };
    config.media.store = coopol::config::MediaStore::S3(coopol::config::S3Store {
        endpoint: var("ENDPOINT")
            .parse()
            .expect("COOPOL_TEST_S3_ENDPOINT is a URL"),
        region: var("REGION"),
        bucket: var("BUCKET"),
        access_key_id: var("ACCESS_KEY_ID"),
        secret_access_key: var("SECRET_ACCESS_KEY"),
    });
}
