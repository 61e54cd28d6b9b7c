//! Rate limits (sign-in, registration, tokens, posting, inboxes), sign-up answers that do not
//! tell whether an e-mail address has an account, paths that cannot be read, and content
//! warnings as text. Every limit is set low here; the other test binaries run with the
//! generous values of `Config::for_tests`. Nothing here measures time: limits are counted.

mod common;

use common::{Browser, Page, TestApp, spawn_app, spawn_app_with, store_actor};
use coopol::{app::Server, config::Config, domain::Role};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// The limits these tests do not look at, set out of the way.
fn generous(c: &mut Config) {
    c.limits.sign_ins_per_address_per_hour = 0;
    c.limits.registrations_per_address_per_hour = 0;
    c.limits.token_requests_per_address_per_hour = 0;
    c.limits.posts_per_account_per_hour = 0;
    c.limits.inbox_per_host_per_minute = 0;
    c.limits.sign_in_attempts_per_account = 0;
}

/// The `Retry-After` of a response, in seconds (panics unless it is there and positive).
fn retry_after(headers: &header::HeaderMap) -> u64 {
    let seconds: u64 = headers
        .get(header::RETRY_AFTER)
        .expect("Retry-After is sent with 429")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(seconds > 0);
    seconds
}

async fn web_sign_in(browser: &Browser, email: &str, password: &str) -> Page {
    browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", email), ("password", password)],
        )
        .await
}

/// Ends every sign-in window, as time passing would.
async fn end_sign_in_windows(app: &TestApp) {
    sqlx::query("UPDATE sign_in_attempts SET window_start = window_start - 86400000000")
        .execute(app.state.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_sign_ins_on_the_web_are_refused_after_the_limit_even_with_the_right_password() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.sign_in_attempts_per_account = 5;
    })
    .await;
    app.create_user("camille", PASSWORD, Role::Member).await;
    let browser = app.browser();
    let mut statuses = Vec::new();
    let mut last = None;
    for i in 0..40 {
        let page = web_sign_in(&browser, "camille@example.org", &format!("guess {i}")).await;
        statuses.push(page.status);
        last = Some(page);
    }
    let unauthorized = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((unauthorized, limited), (5, 35), "{statuses:?}");
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    let last = last.unwrap();
    retry_after(&last.headers);
    // The form comes back with what was typed and a message saying when to try again.
    assert!(
        last.contains("value=\"camille@example.org\""),
        "{}",
        last.body
    );
    assert!(last.contains("Réessayez dans"), "{}", last.body);
    assert!(!last.contains("incorrect"));

    // The right password does not get through either (the answer says nothing of it)...
    let right = web_sign_in(&browser, "camille@example.org", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    // ...and an address nobody has is refused the same way past the limit.
    for _ in 0..6 {
        web_sign_in(&browser, "nobody@example.org", "x").await;
    }
    let unknown = web_sign_in(&browser, "nobody@example.org", "x").await;
    assert_eq!(unknown.status, StatusCode::TOO_MANY_REQUESTS);
    // Another account is not affected.
    app.create_user("dominique", PASSWORD, Role::Member).await;
    browser.sign_in("dominique@example.org", PASSWORD).await;

    // Once the window has passed, the right password works, and clears the count.
    end_sign_in_windows(&app).await;
    let other = app.browser();
    other.sign_in("camille@example.org", PASSWORD).await;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_attempts WHERE attempts > 1")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(left, 1, "only the unknown address's count is left");
}

async fn password_grant(
    app: &TestApp,
    client: &common::TestClient,
    login: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", &client.client_id),
            ("client_secret", &client.client_secret),
            ("username", login),
            ("password", password),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn wrong_password_grants_are_refused_after_the_limit_even_with_the_right_password() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.sign_in_attempts_per_account = 5;
    })
    .await;
    app.create_user("camille", PASSWORD, Role::Member).await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let mut statuses = Vec::new();
    let mut last = None;
    for i in 0..40 {
        let res = password_grant(&app, &client, "camille@example.org", &format!("guess {i}")).await;
        statuses.push(res.status());
        last = Some(res);
    }
    assert!(
        statuses[..5].iter().all(|s| *s == StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
    assert!(
        statuses[5..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let last = last.unwrap();
    retry_after(last.headers());
    let body: Value = last.json().await.unwrap();
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );

    let right = app
        .client
        .post(app.url("/oauth/token"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .form(&[
            ("grant_type", "password"),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
            ("username", "camille@example.org"),
            ("password", PASSWORD),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(right.headers());
    let body: Value = right.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("Try again in"),
        "{body}"
    );
    assert!(body.get("access_token").is_none());

    // The username is a login of its own (sharing a count with the address would tell that
    // the two are one account's); the window passing frees both.
    end_sign_in_windows(&app).await;
    let res = password_grant(&app, &client, "camille@example.org", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn attempts_per_account_are_counted_across_processes_sharing_the_database() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.sign_in_attempts_per_account = 4;
    })
    .await;
    app.create_user("camille", PASSWORD, Role::Member).await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;

    // A second process of the same instance, on the same database.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(
        &app.base,
        &app.state.config.database_url,
        dir.path().to_path_buf(),
    );
    generous(&mut config);
    config.limits.sign_in_attempts_per_account = 4;
    let second = Server::start(config, listener).await.unwrap();
    let second_url = format!("http://{}/oauth/token", second.addr);

    let grant = |url: String, password: &'static str| {
        let http = app.client.clone();
        let form = [
            ("grant_type", "password".to_string()),
            ("client_id", client.client_id.clone()),
            ("client_secret", client.client_secret.clone()),
            ("username", "camille@example.org".to_string()),
            ("password", password.to_string()),
            ("scope", "read".to_string()),
        ];
        async move { http.post(url).form(&form).send().await.unwrap().status() }
    };
    let first_url = app.url("/oauth/token");
    for url in [&first_url, &second_url, &first_url, &second_url] {
        assert_eq!(grant(url.clone(), "wrong").await, StatusCode::BAD_REQUEST);
    }
    // Four attempts in all, two on each process: both refuse the fifth, right or not.
    assert_eq!(
        grant(first_url.clone(), PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        grant(second_url.clone(), PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    second.shutdown().await.unwrap();
}

#[tokio::test]
async fn sign_ins_are_limited_per_client_address_across_accounts() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.sign_ins_per_address_per_hour = 5;
    })
    .await;
    let browser = app.browser();
    for i in 0..5 {
        let page = web_sign_in(&browser, &format!("person{i}@example.org"), "x").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = web_sign_in(&browser, "person9@example.org", "x").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    retry_after(&page.headers);
    // The password grant counts as a sign-in from the same address.
    app.create_user("camille", PASSWORD, Role::Member).await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let res = password_grant(&app, &client, "camille@example.org", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // Behind the trusted proxy (loopback, by default), the address is the last hop of
    // X-Forwarded-For: another client has its own budget.
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .header("x-forwarded-for", "203.0.113.50, 198.51.100.20")
        .form(&[
            ("grant_type", "password"),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
            ("username", "camille@example.org"),
            ("password", PASSWORD),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.token_requests_per_address_per_hour = 2;
        c.trusted_proxies.clear();
    })
    .await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let mut statuses = Vec::new();
    for i in 0..3 {
        let res = app
            .client
            .post(app.url("/oauth/token"))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client.client_id.as_str()),
                ("client_secret", client.client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    // Nobody is trusted: the header changes nothing, all three come from 127.0.0.1.
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

#[tokio::test]
async fn registration_bursts_are_refused_on_the_web_and_the_api() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.registrations_per_address_per_hour = 3;
    })
    .await;
    app.set_registration_mode("open").await;
    let browser = app.browser();
    let form = |n: usize| {
        vec![
            ("username", format!("nouveau{n}")),
            ("email", format!("nouveau{n}@example.org")),
            ("password", PASSWORD.to_string()),
            // Refused fields still count: the limit comes before any work.
            ("password_confirmation", "another".to_string()),
            ("agreement", "1".to_string()),
        ]
    };
    let mut statuses = Vec::new();
    let mut last = None;
    for n in 0..5 {
        let fields = form(n);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = browser
            .submit("/auth/sign_up", "/auth/sign_up", &fields)
            .await;
        statuses.push(page.status);
        last = Some(page);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
        ]
    );
    let last = last.unwrap();
    retry_after(&last.headers);
    assert!(
        last.contains("value=\"nouveau4@example.org\""),
        "{}",
        last.body
    );
    assert!(last.contains("Réessayez dans"), "{}", last.body);

    // The API shares the address's budget, and answers in Mastodon's shape.
    let client = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let (status, body) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("scope", "read write"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let token = body["access_token"].as_str().unwrap();
    let res = app
        .client
        .post(app.url("/api/v1/accounts"))
        .bearer_auth(token)
        .json(&json!({"username": "api", "email": "api@example.org", "password": PASSWORD, "agreement": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    retry_after(res.headers());
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(none, 0);
}

#[tokio::test]
async fn posting_is_limited_per_account_whatever_the_way() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.posts_per_account_per_hour = 3;
    })
    .await;
    let (_, token) = app.user_with_token("camille", "read write").await;
    let mut statuses = Vec::new();
    let mut last = None;
    for i in 0..4 {
        let res = app
            .client
            .post(app.url("/api/v1/statuses"))
            .bearer_auth(&token)
            .json(&json!({"status": format!("message {i}")}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
        last = Some(res);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let last = last.unwrap();
    retry_after(last.headers());
    let body: Value = last.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");

    // The web composer shares the account's budget and gives the text back.
    let browser = app.browser();
    browser.sign_in("camille@example.org", PASSWORD).await;
    let page = browser
        .submit(
            "/",
            "/statuses",
            &[("status", "Rendez-vous samedi au marché")],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    retry_after(&page.headers);
    assert!(
        page.contains("Rendez-vous samedi au marché"),
        "{}",
        page.body
    );
    assert!(page.contains("Réessayez dans"), "{}", page.body);

    // So do group posts and events: every way of posting counts.
    let (status, body) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(&token),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
                    "postcode": "64000", "join_mode": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post_json(
            "/api/coopol/v1/groups/pau/posts",
            Some(&token),
            &json!({"status": "Encore un", "audience": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, body) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&token),
            &json!({"name": "Réunion", "group": "pau", "start_time": "2030-01-10T18:00",
                    "end_time": "2030-01-10T20:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

    // Someone else still posts.
    let (_, other) = app.user_with_token("dominique", "read write").await;
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            Some(&other),
            &json!({"status": "bonjour"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

fn signature_from(host: &str) -> String {
    format!(
        "keyId=\"https://{host}/users/a#main-key\",algorithm=\"rsa-sha256\",\
         headers=\"(request-target) host date digest\",signature=\"AAAA\""
    )
}

async fn post_inbox(app: &TestApp, path: &str, host: &str) -> reqwest::Response {
    let activity = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("https://{host}/activities/1"),
        "type": "Create",
        "actor": format!("https://{host}/users/a"),
        "object": {"id": format!("https://{host}/notes/1"), "type": "Note", "content": "x"},
    });
    app.client
        .post(app.url(path))
        .header("content-type", "application/activity+json")
        .header("signature", signature_from(host))
        .body(activity.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn inbox_bursts_from_one_host_are_refused() {
    let app = spawn_app_with(|c| {
        generous(c);
        c.limits.inbox_per_host_per_minute = 5;
    })
    .await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        // The shared inbox and a personal one count together for the host.
        let path = if i % 2 == 0 {
            "/inbox"
        } else {
            "/users/alice/inbox"
        };
        statuses.push(post_inbox(&app, path, "flood.example").await);
    }
    let codes: Vec<StatusCode> = statuses.iter().map(|r| r.status()).collect();
    // The signatures are bad (refused after the limit is checked); the sixth never gets there.
    assert!(
        codes[..5]
            .iter()
            .all(|s| s.is_client_error() && *s != StatusCode::TOO_MANY_REQUESTS),
        "{codes:?}"
    );
    assert_eq!(codes[5], StatusCode::TOO_MANY_REQUESTS, "{codes:?}");
    let last = statuses.pop().unwrap();
    retry_after(last.headers());
    let body: Value = last.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    // Another server is not held back by this one.
    let other = post_inbox(&app, "/inbox", "calm.example").await;
    assert_ne!(other.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// A page with the per-browser CSRF token taken out, so two browsers' pages compare.
fn without_csrf(page: &Page) -> String {
    let token = page.csrf();
    page.body.replace(&token, "CSRF")
}

#[tokio::test]
async fn web_sign_up_answers_the_same_for_a_free_and_a_taken_address() {
    let app = spawn_app().await;
    // Approval, the default mode.
    app.create_user("militante", PASSWORD, Role::Member).await;
    let sign_up = |username: &'static str, email: &'static str, confirmation: &'static str| {
        let browser = app.browser();
        async move {
            browser
                .submit(
                    "/auth/sign_up",
                    "/auth/sign_up",
                    &[
                        ("username", username),
                        ("email", email),
                        ("password", PASSWORD),
                        ("password_confirmation", confirmation),
                        ("reason", "Je milite à Lille"),
                        ("agreement", "1"),
                    ],
                )
                .await
        }
    };
    let free = sign_up("nouvelle", "nouvelle@example.org", PASSWORD).await;
    let taken = sign_up("autre", "militante@example.org", PASSWORD).await;
    assert_eq!(free.status, StatusCode::OK, "{}", free.body);
    assert_eq!(taken.status, free.status);
    assert_eq!(without_csrf(&taken), without_csrf(&free));
    let cookie_names = |p: &Page| {
        let mut names: Vec<String> = p
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(cookie_names(&taken), cookie_names(&free));
    assert!(free.contains("Demande envoyée"));
    // Only the new address got an account; the member's is untouched.
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT a.username FROM accounts a JOIN users u ON u.account_id = a.id ORDER BY a.username",
    )
    .fetch_all(app.state.pool())
    .await
    .unwrap();
    assert_eq!(names, ["militante", "nouvelle"]);

    // With another field wrong, the taken address is not among the reported errors.
    let free = sign_up("nouvelle2", "nouvelle2@example.org", "different").await;
    let taken = sign_up("autre2", "militante@example.org", "different").await;
    assert_eq!(free.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(taken.status, free.status);
    assert!(!taken.contains("déjà utilisée"), "{}", taken.body);
    assert_eq!(
        without_csrf(&taken)
            .replace("autre2", "X")
            .replace("militante@example.org", "Y"),
        without_csrf(&free)
            .replace("nouvelle2@example.org", "Y")
            .replace("nouvelle2", "X")
    );
}

#[tokio::test]
async fn api_sign_up_answers_the_same_for_a_free_and_a_taken_address() {
    let app = spawn_app().await;
    app.create_user("militante", PASSWORD, Role::Member).await;
    let client = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let (_, body) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("scope", "read write"),
            ],
        )
        .await;
    let app_token = body["access_token"].as_str().unwrap().to_string();
    let register = |username: &str, email: &str| {
        let req = app
            .client
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&app_token)
            .json(&json!({"username": username, "email": email, "password": PASSWORD, "agreement": true, "reason": "Je milite"}));
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (free_status, free) = register("nouvelle", "nouvelle@example.org").await;
    let (taken_status, taken) = register("autre", "MILITANTE@example.org").await;
    assert_eq!(free_status, StatusCode::OK, "{free}");
    assert_eq!(taken_status, free_status);
    let shape = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        (
            keys,
            v["token_type"].clone(),
            v["scope"].clone(),
            v["access_token"].as_str().unwrap().len(),
            v["created_at"].is_number(),
        )
    };
    assert_eq!(shape(&taken), shape(&free));

    // Using either token gets the same refusal: the account awaits approval.
    let use_token = |token: String| {
        let req = app
            .client
            .get(app.url("/api/v1/accounts/verify_credentials"))
            .bearer_auth(token);
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let free_token = free["access_token"].as_str().unwrap().to_string();
    let taken_token = taken["access_token"].as_str().unwrap().to_string();
    let free_use = use_token(free_token.clone()).await;
    assert_eq!(free_use.0, StatusCode::FORBIDDEN);
    assert_eq!(use_token(taken_token.clone()).await, free_use);

    // Revoked, both stop answering "awaiting approval" alike.
    for token in [&free_token, &taken_token] {
        let (status, _) = app
            .post_form(
                "/oauth/revoke",
                None,
                &[
                    ("client_id", &client.client_id),
                    ("client_secret", &client.client_secret),
                    ("token", token),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let free_use = use_token(free_token).await;
    assert_eq!(free_use.0, StatusCode::UNAUTHORIZED);
    assert_eq!(use_token(taken_token).await, free_use);

    // Nothing was created for the taken address.
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(users, 2);
}

#[tokio::test]
async fn unreadable_paths_answer_404_never_500() {
    let app = spawn_app().await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    for path in [
        "/users/%00",
        "/@%00",
        "/users/%ff",
        "/@a%00b/1",
        "/tags/%00",
        "/users/alice%00/statuses/1",
        "/users/%0d%0aX",
    ] {
        for accept in ["text/html", "application/activity+json"] {
            let res = app
                .client
                .get(app.url(path))
                .header(header::ACCEPT, accept)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path} ({accept})");
            let kind = res.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_string();
            assert!(kind.starts_with("text/html"), "{path}: {kind}");
        }
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // Under the API the answer is JSON, as apps expect.
    let res = app.get("/api/v1/accounts/%00", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
    // A POST too.
    let res = app
        .client
        .post(app.url("/users/%ff/inbox"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Readable escapes still work.
    let res = app.get("/@alice", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.get("/tags/%C3%A9cologie", None).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn remote_content_warnings_are_plain_text_in_the_api_and_on_pages() {
    let app = spawn_app().await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    let alice = coopol::service::accounts::actor_uri(&app.state, "alice");
    let author = "http://localhost:2/users/x2";
    store_actor(&app, author).await;
    let note = json!({
        "id": "http://localhost:2/notes/cw",
        "type": "Note",
        "attributedTo": author,
        "summary": "<b>CW</b> &amp; more",
        "content": "<p>behind the warning</p>",
        "published": "2026-11-20T10:00:00Z",
        "to": ["https://www.w3.org/ns/activitystreams#Public", alice],
        "cc": [],
    });
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://localhost:2/notes/cw/activity",
        "type": "Create",
        "actor": author,
        "to": note["to"].clone(),
        "object": note,
    });
    coopol::federation::receive::process(&app.state, author, &create.to_string())
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM statuses WHERE uri = $1")
        .bind("http://localhost:2/notes/cw")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    let (status, body) = app.get_json(&format!("/api/v1/statuses/{id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["spoiler_text"], "CW & more");

    // A page shows it as text (escaped once), not as markup nor as escaped markup.
    let page = app.browser().get(&format!("/@x2@localhost:2/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let shown = [
        "<summary>CW &amp; more</summary>",
        "<summary>CW &#38; more</summary>",
    ];
    assert!(shown.iter().any(|s| page.body.contains(s)), "{}", page.body);

    // A local warning is what its author typed, markup-like characters included.
    let (_, token) = app.user_with_token("bob", "read write").await;
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(&token),
            &json!({"status": "x", "spoiler_text": "<b>pas du HTML</b> & co"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["spoiler_text"], "<b>pas du HTML</b> & co");
}
