//! The Mastodon client API, sign-in part: apps, OAuth grants, tokens and scopes, accounts,
//! registration, instance information, and answers to bad input; and what a page of posts
//! shows next to each post (counts, the viewer's likes and boosts, the author's numbers).

mod common;

use common::{TestApp, query_of, spawn_app, spawn_app_with, urlencode};
use coopol::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn instance_answers_with_and_without_trailing_slash() {
    let app = spawn_app().await;
    for path in ["/api/v1/instance", "/api/v1/instance/"] {
        let (status, body) = app.get_json(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["uri"], app.domain);
        assert!(
            body["version"].as_str().unwrap().starts_with("4."),
            "{body}"
        );
        assert_eq!(body["registrations"], true);
        assert_eq!(body["approval_required"], true);
    }
    for path in ["/api/v2/instance", "/api/v2/instance/"] {
        let (status, body) = app.get_json(path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body["domain"], app.domain);
        assert_eq!(body["registrations"]["approval_required"], true);
        assert_eq!(body["api_versions"]["mastodon"], 2);
        assert_eq!(body["languages"], json!(["fr", "en"]));
    }
    let (_, emojis) = app.get_json("/api/v1/custom_emojis", None).await;
    assert_eq!(emojis, json!([]));
    let (status, health) = app.get_json("/health", None).await;
    assert_eq!(
        (status, health["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

#[tokio::test]
async fn instance_counts_active_users_and_follows_registration_mode() {
    let app = spawn_app().await;
    app.create_user("marie", "correct horse battery", Role::Member)
        .await;
    app.set_registration_mode("closed").await;
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(v2["usage"]["users"]["active_month"], 1);
    assert_eq!(v2["registrations"]["enabled"], false);
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(v1["stats"]["user_count"], 1);
    assert_eq!(v1["registrations"], false);
}

#[tokio::test]
async fn apps_register_from_forms_and_json() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_form(
            "/api/v1/apps",
            None,
            &[
                ("client_name", "Tusky"),
                ("redirect_uris", "tusky://oauth"),
                ("scopes", "read write follow push"),
                ("website", "https://tusky.app"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Tusky");
    assert_eq!(body["redirect_uri"], "tusky://oauth");
    assert_eq!(body["redirect_uris"], json!(["tusky://oauth"]));
    assert_eq!(body["scopes"], json!(["read", "write", "follow", "push"]));
    assert_eq!(body["client_id"].as_str().unwrap().len(), 43);
    assert!(body["client_secret"].is_string());

    let (status, body) = app
        .post_json(
            "/api/v1/apps",
            None,
            &json!({"client_name": "Phanpy", "redirect_uris": ["https://phanpy.social/", "urn:ietf:wg:oauth:2.0:oob"], "scopes": "read"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["redirect_uris"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn apps_refuse_bad_input_with_details() {
    let app = spawn_app().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
            "client_name",
        ),
        (json!({"client_name": "x"}), "redirect_uris"),
        (
            json!({"client_name": "x", "redirect_uris": "javascript:alert(1)"}),
            "redirect_uris",
        ),
        (
            json!({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read delete"}),
            "scope",
        ),
        (
            json!({"client_name": "x".repeat(201), "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}),
            "client_name",
        ),
        (
            json!({"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "website": "not a url"}),
            "website",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app.post_json("/api/v1/apps", None, &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} -> {answer}"
        );
        assert!(answer["error"].is_string(), "{answer}");
        assert!(answer["details"][field].is_array(), "{field}: {answer}");
    }
}

#[tokio::test]
async fn bad_bodies_get_clear_4xx_answers() {
    let app = spawn_app().await;
    let malformed = app
        .client
        .post(app.url("/api/v1/apps"))
        .header("content-type", "application/json")
        .body("{\"client_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("JSON"), "{body}");

    let not_object = app.post_json("/api/v1/apps", None, &json!([1, 2])).await;
    assert_eq!(not_object.0, StatusCode::BAD_REQUEST);

    let wrong_type = app
        .post_json("/api/v1/apps", None, &json!({"client_name": {"a": 1}}))
        .await;
    assert_eq!(wrong_type.0, StatusCode::BAD_REQUEST, "{}", wrong_type.1);

    let xml = app
        .client
        .post(app.url("/api/v1/apps"))
        .header("content-type", "application/xml")
        .body("<app/>")
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = app
        .client
        .post(app.url("/api/v1/apps"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"client_name\": \"{}\"}}",
            "x".repeat(3 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let broken_form = app
        .client
        .post(app.url("/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=%ZZ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken_form.status(), StatusCode::BAD_REQUEST);

    let unknown_route = app.get_json("/api/v1/nothing_here", None).await;
    assert_eq!(unknown_route.0, StatusCode::NOT_FOUND);
    assert!(unknown_route.1["error"].is_string(), "{}", unknown_route.1);
}

#[tokio::test]
async fn password_grant_gives_a_working_token() {
    let app = spawn_app().await;
    let id = app
        .create_user("marie", "correct horse battery", Role::Admin)
        .await;
    let client = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let token = app
        .password_token(
            &client,
            "marie@example.org",
            "correct horse battery",
            "read write",
        )
        .await;

    let (status, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], id.to_string());
    assert_eq!(me["username"], "marie");
    assert_eq!(me["acct"], "marie");
    assert_eq!(me["url"], app.url("/@marie"));
    assert_eq!(me["uri"], app.url("/users/marie"));
    assert_eq!(me["source"]["privacy"], "public");
    assert_eq!(me["role"]["name"], "Admin");
    assert!(me["avatar"].as_str().unwrap().starts_with(&app.base));

    let (status, prefs) = app.get_json("/api/v1/preferences", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(prefs["posting:default:visibility"], "public");

    // The username works as a login too, and the default scope is read.
    let token2 = app
        .password_token(&client, "Marie", "correct horse battery", "")
        .await;
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token2))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn token_endpoint_refuses_bad_grants_like_rfc6749() {
    let app = spawn_app().await;
    app.create_user("marie", "correct horse battery", Role::Member)
        .await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let id = client.client_id.as_str();
    let secret = client.client_secret.as_str();
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("username", "marie@example.org"),
                ("password", "wrong password"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("username", "nobody@example.org"),
                ("password", "wrong password"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", "nope"),
                ("username", "marie@example.org"),
                ("password", "correct horse battery"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", "unknown"),
                ("client_secret", secret),
                ("username", "marie@example.org"),
                ("password", "correct horse battery"),
            ],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
                ("username", "marie@example.org"),
                ("password", "correct horse battery"),
                ("scope", "write"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "implicit"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            vec![("client_id", id), ("client_secret", secret)],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", id),
                ("client_secret", secret),
                ("code", "made-up"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", id),
                ("client_secret", secret),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (form, status, error) in cases {
        let (got, body) = app.post_form("/oauth/token", None, &form).await;
        assert_eq!(got, status, "{form:?} -> {body}");
        assert_eq!(body["error"], error, "{form:?} -> {body}");
        assert!(body["error_description"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn client_credentials_and_http_basic_auth() {
    let app = spawn_app().await;
    let client = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let res = app
        .client
        .post(app.url("/oauth/token"))
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "read")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "read");
    let token = body["access_token"].as_str().unwrap();

    let (status, app_info) = app
        .get_json("/api/v1/apps/verify_credentials", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app_info["name"], "test app");
    assert!(
        app_info.get("client_secret").is_none(),
        "secret shown again: {app_info}"
    );

    // An app token acts for nobody.
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn scopes_are_enforced() {
    let app = spawn_app().await;
    let (_, write_only) = app.user_with_token("paul", "write").await;
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&write_only))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].is_string());

    let client = app
        .register_app("profile read:accounts", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let profile = app
        .password_token(
            &client,
            "paul@example.org",
            "correct horse battery",
            "profile",
        )
        .await;
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&profile))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get_json("/api/v1/preferences", Some(&profile)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn revoked_expired_and_unknown_tokens_are_refused() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("lea", "read").await;
    assert_eq!(
        app.get("/api/v1/accounts/verify_credentials", Some(&token))
            .await
            .status(),
        StatusCode::OK
    );

    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some("made-up"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"].is_string());
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Expiry: push the token's end into the past.
    sqlx::query("UPDATE oauth_tokens SET expires_at = $1")
        .bind(coopol::clock::now() - 1)
        .execute(app.state.pool())
        .await
        .unwrap();
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn revocation_needs_the_app_and_stops_the_token() {
    let app = spawn_app().await;
    app.create_user("lea", "correct horse battery", Role::Member)
        .await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let token = app
        .password_token(&client, "lea@example.org", "correct horse battery", "read")
        .await;
    let other = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;

    // Another app cannot revoke it (nothing happens, and nothing is told).
    let (status, _) = app
        .post_form(
            "/oauth/revoke",
            None,
            &[
                ("client_id", &other.client_id),
                ("client_secret", &other.client_secret),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/accounts/verify_credentials", Some(&token))
            .await
            .status(),
        StatusCode::OK
    );
    // Without the secret: refused.
    let (status, body) = app
        .post_form(
            "/oauth/revoke",
            None,
            &[("client_id", &client.client_id), ("token", &token)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, _) = app
        .post_form(
            "/oauth/revoke",
            None,
            &[
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/accounts/verify_credentials", Some(&token))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn authorization_server_metadata() {
    let app = spawn_app().await;
    let (status, meta) = app
        .get_json("/.well-known/oauth-authorization-server", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meta["authorization_endpoint"], app.url("/oauth/authorize"));
    assert_eq!(meta["token_endpoint"], app.url("/oauth/token"));
    assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
}

/// The authorization-code flow as a mobile app does it: PKCE, sign-in page, consent page,
/// redirect to a custom scheme, code exchange without a client secret.
#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    let app = spawn_app().await;
    app.create_user("ines", "correct horse battery", Role::Member)
        .await;
    let client = app.register_app("read write", "coopolapp://callback").await;
    let verifier = "a-verifier-that-is-long-enough-to-be-valid-for-pkce-1234567890";
    let challenge = coopol::crypto::sha256_base64url(verifier.as_bytes());
    let authorize = format!(
        "/oauth/authorize?{}",
        serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client.client_id.as_str()),
            ("redirect_uri", "coopolapp://callback"),
            ("scope", "read"),
            ("state", "xyz"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .unwrap()
    );

    let browser = app.browser();
    // Not signed in: sent to the sign-in page, which comes back here afterwards.
    let page = browser.get(&authorize).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let to_sign_in = page.location.unwrap();
    assert!(
        to_sign_in.starts_with("/auth/sign_in?next="),
        "{to_sign_in}"
    );
    let signed_in = browser
        .submit(
            &to_sign_in,
            "/auth/sign_in",
            &[
                ("email", "ines@example.org"),
                ("password", "correct horse battery"),
                ("next", &authorize),
            ],
        )
        .await;
    assert_eq!(signed_in.location.as_deref(), Some(authorize.as_str()));

    let consent = browser.get(&authorize).await;
    assert_eq!(consent.status, StatusCode::OK);
    assert!(consent.contains("test app"), "{}", consent.body);
    let mut form: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &client.client_id),
        ("redirect_uri", "coopolapp://callback"),
        ("scope", "read"),
        ("state", "xyz"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    form.push(("decision", "approve"));
    let answer = browser.submit(&authorize, "/oauth/authorize", &form).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let redirect = answer.location.unwrap();
    assert!(redirect.starts_with("coopolapp://callback?"), "{redirect}");
    let q = query_of(&redirect);
    assert_eq!(q["state"], "xyz");
    let code = q["code"].clone();

    // A wrong verifier fails, and burns the code.
    let (status, body) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.client_id),
                ("code", &code),
                ("redirect_uri", "coopolapp://callback"),
                (
                    "code_verifier",
                    "wrong-verifier-wrong-verifier-wrong-verifier-000",
                ),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    // Again, with a new code and the right verifier.
    let answer = browser.submit(&authorize, "/oauth/authorize", &form).await;
    let code = query_of(&answer.location.unwrap())["code"].clone();
    let (status, token) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.client_id),
                ("code", &code),
                ("redirect_uri", "coopolapp://callback"),
                ("code_verifier", verifier),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["scope"], "read");
    let access = token["access_token"].as_str().unwrap();
    let (status, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(access))
        .await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("ines"))
    );

    // A code works once.
    let (status, body) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.client_id),
                ("code", &code),
                ("code_verifier", verifier),
            ],
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn authorization_requests_are_checked() {
    let app = spawn_app().await;
    app.create_user("ines", "correct horse battery", Role::Member)
        .await;
    let client = app.register_app("read", "https://app.example/cb").await;
    let browser = app.browser();
    browser
        .sign_in("ines@example.org", "correct horse battery")
        .await;
    let url = |pairs: &[(&str, &str)]| {
        format!(
            "/oauth/authorize?{}",
            serde_urlencoded::to_string(pairs).unwrap()
        )
    };

    // Unknown app or foreign redirect URI: an error page, never a redirect.
    let page = browser
        .get(&url(&[
            ("response_type", "code"),
            ("client_id", "nope"),
            ("redirect_uri", "https://app.example/cb"),
        ]))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = browser
        .get(&url(&[
            ("response_type", "code"),
            ("client_id", &client.client_id),
            ("redirect_uri", "https://evil.example/cb"),
        ]))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location.is_none());

    // Known app, wrong request: the error goes back to the app.
    let page = browser
        .get(&url(&[
            ("response_type", "code"),
            ("client_id", &client.client_id),
            ("redirect_uri", "https://app.example/cb"),
            ("scope", "write"),
            ("state", "s1"),
        ]))
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let q = query_of(&page.location.unwrap());
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("invalid_scope", "s1")
    );
    let page = browser
        .get(&url(&[
            ("response_type", "token"),
            ("client_id", &client.client_id),
            ("redirect_uri", "https://app.example/cb"),
        ]))
        .await;
    assert_eq!(
        query_of(&page.location.unwrap())["error"],
        "unsupported_response_type"
    );
    let page = browser
        .get(&url(&[
            ("response_type", "code"),
            ("client_id", &client.client_id),
            ("redirect_uri", "https://app.example/cb"),
            ("code_challenge", "x".repeat(43).as_str()),
            ("code_challenge_method", "plain"),
        ]))
        .await;
    assert_eq!(
        query_of(&page.location.unwrap())["error"],
        "invalid_request"
    );

    // Deny sends access_denied back.
    let ok = url(&[
        ("response_type", "code"),
        ("client_id", &client.client_id),
        ("redirect_uri", "https://app.example/cb"),
        ("state", "s2"),
    ]);
    let answer = browser
        .submit(
            &ok,
            "/oauth/authorize",
            &[
                ("response_type", "code"),
                ("client_id", &client.client_id),
                ("redirect_uri", "https://app.example/cb"),
                ("state", "s2"),
                ("decision", "deny"),
            ],
        )
        .await;
    let q = query_of(&answer.location.unwrap());
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("access_denied", "s2")
    );
}

#[tokio::test]
async fn out_of_band_codes_are_shown() {
    let app = spawn_app().await;
    app.create_user("ines", "correct horse battery", Role::Member)
        .await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let browser = app.browser();
    browser
        .sign_in("ines@example.org", "correct horse battery")
        .await;
    let pairs = [
        ("response_type", "code"),
        ("client_id", client.client_id.as_str()),
        ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
        ("scope", "read"),
    ];
    let url = format!(
        "/oauth/authorize?{}",
        serde_urlencoded::to_string(pairs).unwrap()
    );
    let mut form = pairs.to_vec();
    form.push(("decision", "approve"));
    let page = browser.submit(&url, "/oauth/authorize", &form).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page.body.find("<code id=\"code\">").unwrap() + "<code id=\"code\">".len();
    let code = &page.body[start..start + 43];
    let (status, body) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("code", code),
                ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn app_token(app: &TestApp, scopes: &str) -> String {
    let client = app.register_app(scopes, "urn:ietf:wg:oauth:2.0:oob").await;
    let (status, body) = app
        .post_form(
            "/oauth/token",
            None,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("scope", scopes),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn registration_through_the_api_follows_the_mode() {
    let app = spawn_app().await;
    let token = app_token(&app, "read write").await;
    let form = |name: &'static str| json!({"username": name, "email": format!("{name}@example.org"), "password": "correct horse battery", "agreement": true, "locale": "fr", "reason": "Je milite à Lille"});

    app.set_registration_mode("open").await;
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&token), &form("julie"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user_token = body["access_token"].as_str().unwrap().to_string();
    let (status, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&user_token))
        .await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("julie"))
    );

    app.set_registration_mode("approval").await;
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&token), &form("karim"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pending = body["access_token"].as_str().unwrap().to_string();
    let (status, body) = app
        .client
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .bearer_auth(&pending)
        .header("accept-language", "en")
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body: Value = body.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("approval"),
        "{body}"
    );
    // Pending accounts are invisible.
    let (status, _) = app
        .get_json("/api/v1/accounts/lookup?acct=karim", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.set_registration_mode("closed").await;
    let (status, _) = app
        .post_json("/api/v1/accounts", Some(&token), &form("leo"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    app.set_registration_mode("invite").await;
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&token), &form("leo"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["details"]["invite_code"].is_array(), "{body}");
    let admin = app
        .create_user("admin", "correct horse battery", Role::Admin)
        .await;
    let invite = coopol::service::instance::create_invite(&app.state, admin, Some(1), Some(7))
        .await
        .unwrap();
    let mut with_code = form("leo");
    with_code["invite_code"] = json!(invite.code);
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&token), &with_code)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The invite had one use.
    let mut again = form("mia");
    again["invite_code"] = json!(invite.code);
    let (status, _) = app
        .post_json("/api/v1/accounts", Some(&token), &again)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn registration_refuses_bad_fields_all_at_once() {
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let token = app_token(&app, "write:accounts").await;
    app.create_user("julie", "correct horse battery", Role::Member)
        .await;

    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&token), &json!({"username": "Julie", "email": "julie@example.org", "password": "short", "agreement": false}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["details"]["username"][0]["error"], "ERR_TAKEN");
    assert_eq!(body["details"]["email"][0]["error"], "ERR_TAKEN");
    assert_eq!(body["details"]["password"][0]["error"], "ERR_TOO_SHORT");
    assert_eq!(body["details"]["agreement"][0]["error"], "ERR_ACCEPTED");

    for (username, code) in [
        ("bad name", "ERR_INVALID"),
        ("admin", "ERR_RESERVED"),
        (&*"x".repeat(31), "ERR_TOO_LONG"),
        ("", "ERR_BLANK"),
    ] {
        let (status, body) = app
            .post_json("/api/v1/accounts", Some(&token), &json!({"username": username, "email": "new@example.org", "password": "correct horse battery", "agreement": "true"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{username}");
        assert_eq!(
            body["details"]["username"][0]["error"], code,
            "{username}: {body}"
        );
    }
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&token), &json!({"username": "nina", "email": "not-an-address", "password": "x".repeat(300), "agreement": true, "reason": "r".repeat(1001)}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["email", "password", "reason"] {
        assert!(body["details"][field].is_array(), "{field}: {body}");
    }

    // A user token cannot register someone else; an app token without write:accounts cannot.
    let (_, user_token) = app.user_with_token("olga", "write").await;
    let (status, _) = app
        .post_json("/api/v1/accounts", Some(&user_token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let read_token = app_token(&app, "read").await;
    let (status, _) = app
        .post_json("/api/v1/accounts", Some(&read_token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.post_json("/api/v1/accounts", None, &json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn accounts_can_be_looked_up() {
    let app = spawn_app().await;
    let id = app
        .create_user("paul", "correct horse battery", Role::Member)
        .await;
    for acct in ["paul", "@paul", "Paul", &format!("paul@{}", app.domain)] {
        let (status, body) = app
            .get_json(
                &format!("/api/v1/accounts/lookup?acct={}", urlencode(acct)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{acct}");
        assert_eq!(body["id"], id.to_string());
    }
    let (status, body) = app.get_json(&format!("/api/v1/accounts/{id}"), None).await;
    assert_eq!(
        (status, body["username"].as_str()),
        (StatusCode::OK, Some("paul"))
    );
    for missing in [
        "/api/v1/accounts/999999",
        "/api/v1/accounts/abc",
        "/api/v1/accounts/lookup?acct=nobody",
        "/api/v1/accounts/lookup?acct=paul@elsewhere.example",
    ] {
        let (status, body) = app.get_json(missing, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(body["error"].is_string());
    }
    let (status, _) = app.get_json("/api/v1/accounts/lookup", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn posts_show_their_counts_and_what_the_viewer_did() {
    let app = spawn_app().await;
    let (alice, alice_token) = app.user_with_token("alice", "read write follow").await;
    let (_, bob_token) = app.user_with_token("bob", "read write follow").await;
    let (_, carol_token) = app.user_with_token("carol", "read write follow").await;
    let ok = |(status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    };
    ok(app
        .post_json(
            &format!("/api/v1/accounts/{alice}/follow"),
            Some(&bob_token),
            &json!({}),
        )
        .await);
    let post = ok(app
        .post_json(
            "/api/v1/statuses",
            Some(&alice_token),
            &json!({"status": "Tractage samedi"}),
        )
        .await);
    let id = post["id"].as_str().unwrap();
    ok(app
        .post_json(
            "/api/v1/statuses",
            Some(&bob_token),
            &json!({"status": "J'y serai", "in_reply_to_id": id}),
        )
        .await);
    ok(app
        .post_json(
            "/api/v1/statuses",
            Some(&carol_token),
            &json!({"status": "Moi aussi", "in_reply_to_id": id}),
        )
        .await);
    for (action, token) in [
        ("favourite", &bob_token),
        ("reblog", &bob_token),
        ("favourite", &carol_token),
    ] {
        ok(app
            .post_json(
                &format!("/api/v1/statuses/{id}/{action}"),
                Some(token),
                &json!({}),
            )
            .await);
    }

    let counted = |s: &Value| {
        (
            s["replies_count"].as_i64(),
            s["reblogs_count"].as_i64(),
            s["favourites_count"].as_i64(),
        )
    };
    let did = |s: &Value| (s["favourited"].clone(), s["reblogged"].clone());
    let path = format!("/api/v1/statuses/{id}");
    let by_bob = ok(app.get_json(&path, Some(&bob_token)).await);
    assert_eq!(counted(&by_bob), (Some(2), Some(1), Some(2)));
    assert_eq!(did(&by_bob), (json!(true), json!(true)));
    let by_carol = ok(app.get_json(&path, Some(&carol_token)).await);
    assert_eq!(did(&by_carol), (json!(true), json!(false)));
    let by_alice = ok(app.get_json(&path, Some(&alice_token)).await);
    assert_eq!(did(&by_alice), (json!(false), json!(false)));
    let by_nobody = ok(app.get_json(&path, None).await);
    assert_eq!(did(&by_nobody), (Value::Null, Value::Null));
    let author = &by_nobody["account"];
    assert_eq!(author["id"], alice.to_string());
    assert_eq!(
        (
            author["followers_count"].as_i64(),
            author["following_count"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(author["statuses_count"].as_i64(), Some(1));
    assert!(author["last_status_at"].is_string(), "{author}");

    // Bob's home: his boost, his answer and the post, each as he sees it.
    let home = ok(app
        .get_json("/api/v1/timelines/home", Some(&bob_token))
        .await);
    let home = home.as_array().unwrap();
    let boost = home
        .iter()
        .find(|s| s["reblog"]["id"] == *id)
        .expect("bob's boost in his home");
    assert_eq!(did(&boost["reblog"]), (json!(true), json!(true)));
    assert_eq!(counted(&boost["reblog"]), (Some(2), Some(1), Some(2)));
    assert_eq!(boost["account"]["statuses_count"].as_i64(), Some(2));
    assert_eq!(boost["account"]["following_count"].as_i64(), Some(1));
    let answer = home
        .iter()
        .find(|s| s["in_reply_to_id"] == *id)
        .expect("bob's answer in his home");
    assert_eq!(did(answer), (json!(false), json!(false)));
    assert_eq!(counted(answer), (Some(0), Some(0), Some(0)));
}

/// The ids of a home timeline page.
async fn home_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (status, body) = app
        .get_json(&format!("/api/v1/timelines/home{query}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// What is committed reaches SQLite's database file in the background: commits leave the
/// copy out of the write-ahead log to the server's checkpoints (PostgreSQL has none of this).
#[tokio::test]
async fn sqlite_log_is_copied_into_the_database_file_in_the_background() {
    if common::backend_name() != "sqlite" {
        eprintln!("skipped: SQLite's write-ahead log only");
        return;
    }
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(&token),
            &json!({"status": "Tractage samedi au marché"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let db = app.state.pool();
    let files: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
        .fetch_all(db)
        .await
        .unwrap();
    let file = files
        .into_iter()
        .find(|(_, name, _)| name == "main")
        .map(|(.., file)| file)
        .unwrap();
    // Commits leave the schema and the rows above in the log: only the server's background
    // checkpoints put them in the file.
    common::eventually("the database file holds every page", || async {
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(db)
            .await
            .unwrap();
        let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(db)
            .await
            .unwrap();
        let len = std::fs::metadata(&file).unwrap().len() as i64;
        pages > 50 && len >= pages * page_size
    })
    .await;
}

#[tokio::test]
async fn a_chore_runs_once_per_period_whichever_process_asks() {
    let app = spawn_app().await;
    let db = app.state.pool();
    let hour = 3_600_000_000;
    let t = 1_900_000_000_000_000;
    let take = |now: i64| coopol::db::settings::take_chore(db, "test-chore", now, hour);
    assert!(take(t).await.unwrap(), "the first asker takes the turn");
    assert!(
        !take(t).await.unwrap(),
        "a second process, at the same time"
    );
    assert!(
        !take(t + hour - 1).await.unwrap(),
        "or a restart within the hour"
    );
    assert!(take(t + hour).await.unwrap(), "the next hour's turn");
    assert!(!take(t + hour + 5).await.unwrap());
    // Turns are per chore.
    assert!(
        coopol::db::settings::take_chore(db, "other", t, hour)
            .await
            .unwrap()
    );
    // The instance's own housekeeping takes this hour's turn when it starts.
    common::eventually("the housekeeping has taken its turn", || async {
        let next: Option<i64> =
            sqlx::query_scalar("SELECT next_at FROM chores WHERE name = 'hourly'")
                .fetch_optional(db)
                .await
                .unwrap();
        next.is_some_and(|next| next > coopol::clock::now())
    })
    .await;
}

#[tokio::test]
async fn home_timelines_keep_their_newest_entries() {
    let app = spawn_app().await;
    let (alice, alice_token) = app.user_with_token("alice", "read write follow").await;
    let (_, bob_token) = app.user_with_token("bob", "read write follow").await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{alice}/follow"),
            Some(&bob_token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut posted = Vec::new();
    for i in 0..7 {
        let (status, body) = app
            .post_json(
                "/api/v1/statuses",
                Some(&alice_token),
                &json!({"status": format!("Tract n° {i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        posted.push(body["id"].as_str().unwrap().to_string());
    }
    posted.reverse();
    assert_eq!(home_ids(&app, &bob_token, "").await, posted);
    assert_eq!(home_ids(&app, &alice_token, "").await, posted);

    // Keep 5: two entries go from each of the two timelines, one row per statement here.
    let removed = coopol::db::social::trim_feeds(&app.state.db, 5, 1)
        .await
        .unwrap();
    assert_eq!(removed, 4);
    assert_eq!(home_ids(&app, &bob_token, "").await, posted[..5]);
    assert_eq!(home_ids(&app, &alice_token, "").await, posted[..5]);
    // Past the last kept entry, the page is empty; the posts are still on Alice's page.
    let past = format!("?max_id={}", posted[4]);
    assert!(home_ids(&app, &bob_token, &past).await.is_empty());
    let (_, theirs) = app
        .get_json(
            &format!("/api/v1/accounts/{alice}/statuses"),
            Some(&bob_token),
        )
        .await;
    assert_eq!(theirs.as_array().map(Vec::len), Some(7), "{theirs}");

    // A timeline already short enough loses nothing; a trim again removes nothing.
    let removed = coopol::db::social::trim_feeds(&app.state.db, 5, 1000)
        .await
        .unwrap();
    assert_eq!(removed, 0);
    let removed = coopol::db::social::trim_feeds(&app.state.db, 3, 1000)
        .await
        .unwrap();
    assert_eq!(removed, 4);
    assert_eq!(home_ids(&app, &bob_token, "").await, posted[..3]);
}

#[tokio::test]
async fn profile_numbers_and_post_counts_are_kept_through_every_kind_of_write() {
    let app = spawn_app().await;
    let (alice, alice_token) = app.user_with_token("alice", "read write follow").await;
    let (bob, bob_token) = app.user_with_token("bob", "read write follow").await;
    let (carol, carol_token) = app.user_with_token("carol", "read write follow").await;
    let call = |path: String, token: String, body: Value| {
        let app = &app;
        async move {
            let (status, body) = app.post_json(&path, Some(&token), &body).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body
        }
    };
    let follow = |who: &String, target: i64| {
        call(
            format!("/api/v1/accounts/{target}/follow"),
            who.clone(),
            json!({}),
        )
    };
    let post = |who: &String, body: Value| call("/api/v1/statuses".into(), who.clone(), body);

    follow(&bob_token, alice).await;
    follow(&carol_token, alice).await;
    follow(&alice_token, bob).await;
    common::assert_numbers_match_a_recount(&app, "follows").await;
    // A locked account: a request counts once accepted, a refused one never.
    let locked = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&carol_token)
        .json(&json!({"locked": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), StatusCode::OK);
    follow(&alice_token, carol).await;
    follow(&bob_token, carol).await;
    common::assert_numbers_match_a_recount(&app, "follow requests").await;
    call(
        format!("/api/v1/follow_requests/{alice}/authorize"),
        carol_token.clone(),
        json!({}),
    )
    .await;
    call(
        format!("/api/v1/follow_requests/{bob}/reject"),
        carol_token.clone(),
        json!({}),
    )
    .await;
    common::assert_numbers_match_a_recount(&app, "answers to follow requests").await;
    let (_, carol_seen) = app
        .get_json(&format!("/api/v1/accounts/{carol}"), None)
        .await;
    assert_eq!(
        carol_seen["followers_count"].as_i64(),
        Some(1),
        "{carol_seen}"
    );
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice_token))
        .await;
    assert_eq!(me["following_count"].as_i64(), Some(2), "{me}");

    let first = post(&alice_token, json!({"status": "Tractage samedi"})).await;
    let first = first["id"].as_str().unwrap().to_string();
    post(
        &alice_token,
        json!({"status": "@bob tu viens ?", "visibility": "direct"}),
    )
    .await;
    let answer = post(
        &bob_token,
        json!({"status": "Oui", "in_reply_to_id": first}),
    )
    .await;
    let answer = answer["id"].as_str().unwrap().to_string();
    post(
        &alice_token,
        json!({"status": "Merci", "in_reply_to_id": answer}),
    )
    .await;
    call(
        format!("/api/v1/statuses/{first}/reblog"),
        bob_token.clone(),
        json!({}),
    )
    .await;
    call(
        format!("/api/v1/statuses/{first}/reblog"),
        carol_token.clone(),
        json!({}),
    )
    .await;
    call(
        format!("/api/v1/statuses/{first}/unreblog"),
        carol_token.clone(),
        json!({}),
    )
    .await;
    for (action, token) in [
        ("favourite", &bob_token),
        ("favourite", &carol_token),
        ("unfavourite", &carol_token),
    ] {
        call(
            format!("/api/v1/statuses/{first}/{action}"),
            token.clone(),
            json!({}),
        )
        .await;
    }
    let (_, seen) = app
        .get_json(&format!("/api/v1/statuses/{first}"), None)
        .await;
    assert_eq!(
        (
            seen["replies_count"].as_i64(),
            seen["reblogs_count"].as_i64(),
            seen["favourites_count"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{seen}"
    );
    common::assert_numbers_match_a_recount(&app, "posts, a direct message, boosts, likes").await;
    let deleted = app
        .client
        .delete(app.url(&format!("/api/v1/statuses/{first}")))
        .bearer_auth(&alice_token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    common::assert_numbers_match_a_recount(&app, "deleting a boosted post").await;

    call(
        format!("/api/v1/accounts/{alice}/unfollow"),
        carol_token.clone(),
        json!({}),
    )
    .await;
    call(
        format!("/api/v1/accounts/{bob}/block"),
        alice_token.clone(),
        json!({}),
    )
    .await;
    common::assert_numbers_match_a_recount(&app, "an unfollow and a block").await;
    let (_, bob_seen) = app.get_json(&format!("/api/v1/accounts/{bob}"), None).await;
    assert_eq!(bob_seen["followers_count"].as_i64(), Some(0), "{bob_seen}");

    post(&carol_token, json!({"status": "Je pars"})).await;
    coopol::service::accounts::erase(&app.state, carol)
        .await
        .unwrap();
    common::assert_numbers_match_a_recount(&app, "an account's erasure").await;
    let (_, alice_seen) = app
        .get_json(&format!("/api/v1/accounts/{alice}"), None)
        .await;
    assert_eq!(
        (
            alice_seen["followers_count"].as_i64(),
            alice_seen["following_count"].as_i64()
        ),
        (Some(0), Some(0)),
        "{alice_seen}"
    );
    assert!(alice_seen["last_status_at"].is_string(), "{alice_seen}");

    // Numbers that drifted are counted again.
    for sql in [
        "UPDATE account_stats SET followers = 99, statuses = 7",
        "UPDATE status_stats SET replies = 5, favourites = 3",
    ] {
        sqlx::query(sql).execute(app.state.pool()).await.unwrap();
    }
    let mut conn = app.state.pool().acquire().await.unwrap();
    coopol::db::accounts::recount_stats(&mut conn)
        .await
        .unwrap();
    coopol::db::statuses::recount_stats(&mut conn)
        .await
        .unwrap();
    drop(conn);
    common::assert_numbers_match_a_recount(&app, "a recount").await;
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let app = spawn_app().await;
    let fr = app
        .client
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .send()
        .await
        .unwrap();
    let fr: Value = fr.json().await.unwrap();
    assert_eq!(fr["error"], "Le jeton d'accès est invalide");
    let en = app
        .client
        .get(app.url("/api/v1/accounts/verify_credentials"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let en: Value = en.json().await.unwrap();
    assert_eq!(en["error"], "The access token is invalid");
}

#[tokio::test]
async fn configured_token_lifetime_applies() {
    let app =
        spawn_app_with(|c| c.token_lifetime = Some(std::time::Duration::from_secs(3600))).await;
    let (_, token) = app.user_with_token("zoe", "read").await;
    let expires: Option<i64> = sqlx::query_scalar("SELECT expires_at FROM oauth_tokens")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    let expires = expires.expect("token has an expiry");
    let in_an_hour = coopol::clock::now() + 3_600_000_000;
    assert!((expires - in_an_hour).abs() < 60_000_000);
    assert_eq!(
        app.get("/api/v1/accounts/verify_credentials", Some(&token))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn secrets_are_stored_hashed() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("zoe", "read").await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM oauth_tokens")
        .fetch_all(app.state.pool())
        .await
        .unwrap();
    assert!(!hashes.contains(&token));
    assert!(hashes.contains(&coopol::crypto::token_hash(&token)));
    let password_hash: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert!(password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn each_account_gets_one_key_pair() {
    let app = spawn_app().await;
    let a = app
        .create_user("anna", "correct horse battery", Role::Member)
        .await;
    let b = app
        .create_user("bruno", "correct horse battery", Role::Member)
        .await;
    let key = |id: i64| {
        let pool = app.state.pool().clone();
        async move {
            let row: (String, Option<String>) = sqlx::query_as(
                "SELECT public_key_pem, private_key_pem FROM accounts WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
            row
        }
    };
    let (pub_a, priv_a) = key(a).await;
    let (pub_b, _) = key(b).await;
    assert!(pub_a.contains("BEGIN PUBLIC KEY"));
    assert!(priv_a.unwrap().contains("BEGIN PRIVATE KEY"));
    assert_ne!(pub_a, pub_b);
    // Changing the profile does not touch the key.
    coopol::service::accounts::update_profile(&app.state, a, "Anna", "bio")
        .await
        .unwrap();
    assert_eq!(key(a).await.0, pub_a);
}

#[tokio::test]
async fn a_post_owed_to_many_inboxes_is_queued_for_each_of_them() {
    let app = spawn_app().await;
    let (alice, _) = app.user_with_token("alice", "read write").await;
    // More inboxes than one statement inserts (they go in chunks).
    let inboxes: Vec<(String, String)> = (0..450)
        .map(|i| {
            let host = format!("peer{i}.example");
            (format!("https://{host}/users/u{i}/inbox"), host)
        })
        .collect();
    let mut tx = app.state.pool().begin().await.unwrap();
    let activity = coopol::db::federation::insert_activity(
        &mut tx,
        "https://coopol.example/activities/1",
        alice,
        "{}",
        1,
    )
    .await
    .unwrap();
    coopol::db::federation::insert_deliveries(&mut tx, activity, &inboxes, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // (The dispatcher may already be trying some of them: they stay queued, the hosts being
    // unreachable, so only what was owed is compared.)
    let mut stored: Vec<(String, String)> =
        sqlx::query_as("SELECT inbox_url, host FROM deliveries WHERE activity_id = $1")
            .bind(activity)
            .fetch_all(app.state.pool())
            .await
            .unwrap();
    stored.sort();
    let mut expected = inboxes;
    expected.sort();
    assert_eq!(stored, expected);
}
