//! The web interface: signing up, in and out, settings, the admin page, languages, CSRF
//! protection and security headers.

mod common;

use common::{Browser, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn sign_up_in_open_mode_signs_in_at_once() {
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let browser = app.browser();
    let page = browser
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "Camille"),
                ("email", "camille@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/"));
    let home = browser.get("/").await;
    assert!(
        home.contains(&format!("@camille@{}", app.domain)),
        "{}",
        home.body
    );
    assert!(home.contains("Bienvenue"), "flash message missing");
    // The flash message shows once.
    assert!(!browser.get("/").await.contains("Bienvenue"));
}

#[tokio::test]
async fn sign_up_errors_keep_what_was_typed() {
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    app.create_user("dominique", PASSWORD, Role::Member).await;
    let browser = app.browser();
    let page = browser
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "dominique"),
                ("email", "new@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", "something else"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"dominique\""), "username lost");
    assert!(page.contains("value=\"new@example.org\""), "e-mail lost");
    assert!(page.contains("est déjà pris"), "{}", page.body);
    assert!(page.contains("ne correspond pas au mot de passe"));
    assert!(page.contains("doit être acceptée"));
    assert!(page.body.contains("aria-invalid=\"true\""));
    // Passwords are never sent back.
    assert!(!page.contains(PASSWORD));
}

#[tokio::test]
async fn sign_up_in_approval_mode_waits_for_an_admin() {
    let app = spawn_app().await;
    app.create_user("secretaire", PASSWORD, Role::Admin).await;
    let visitor = app.browser();
    let page = visitor
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "hugo"),
                ("email", "hugo@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("reason", "Militant à Roubaix"),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.contains("Demande envoyée"));
    let refused = visitor
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", "hugo@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.contains("attend la validation"));

    let admin = app.browser();
    admin.sign_in("secretaire@example.org", PASSWORD).await;
    let panel = admin.get("/admin").await;
    assert!(panel.contains("Militant à Roubaix"), "{}", panel.body);
    let id: i64 =
        sqlx::query_scalar("SELECT account_id FROM users WHERE email = 'hugo@example.org'")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
    let done = admin
        .submit("/admin", &format!("/admin/registrations/{id}/approve"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    visitor.sign_in("hugo@example.org", PASSWORD).await;
}

#[tokio::test]
async fn refused_registrations_free_the_name() {
    let app = spawn_app().await;
    app.create_user("secretaire", PASSWORD, Role::Admin).await;
    let visitor = app.browser();
    visitor
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "spam"),
                ("email", "spam@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    let id: i64 =
        sqlx::query_scalar("SELECT account_id FROM users WHERE email = 'spam@example.org'")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
    let admin = app.browser();
    admin.sign_in("secretaire@example.org", PASSWORD).await;
    let done = admin
        .submit("/admin", &format!("/admin/registrations/{id}/reject"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE username = 'spam'")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn invite_mode_takes_codes_from_links() {
    let app = spawn_app().await;
    app.create_user("secretaire", PASSWORD, Role::Admin).await;
    let admin = app.browser();
    admin.sign_in("secretaire@example.org", PASSWORD).await;
    admin
        .submit("/admin", "/admin", &[("registration_mode", "invite")])
        .await;
    let created = admin
        .submit(
            "/admin",
            "/admin/invites",
            &[("max_uses", "1"), ("valid_days", "7")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let code: String = sqlx::query_scalar("SELECT code FROM invites")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert!(
        admin
            .get("/admin")
            .await
            .contains(&format!("/invite/{code}"))
    );

    let guest = app.browser();
    let link = guest.get(&format!("/invite/{code}")).await;
    let form_url = link.location.unwrap();
    let form = guest.get(&form_url).await;
    assert!(form.contains(&format!("value=\"{code}\"")));
    let done = guest
        .submit(
            &form_url,
            "/auth/sign_up",
            &[
                ("username", "ines"),
                ("email", "ines@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("invite_code", &code),
                ("agreement", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Used up now.
    assert_eq!(
        app.browser().get(&format!("/invite/{code}")).await.status,
        StatusCode::NOT_FOUND
    );
    let second = app
        .browser()
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "jade"),
                ("email", "jade@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("invite_code", &code),
                ("agreement", "on"),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(second.contains("pas valable"));
}

#[tokio::test]
async fn closed_mode_offers_no_form() {
    let app = spawn_app().await;
    app.set_registration_mode("closed").await;
    let browser = app.browser();
    let page = browser.get("/auth/sign_up").await;
    assert!(page.contains("Les inscriptions sont fermées"));
    assert!(!page.body.contains("name=\"username\""));
    let forced = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_up",
            &[
                ("username", "x"),
                ("email", "x@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(forced.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_goes_where_you_were_heading_and_only_there() {
    let app = spawn_app().await;
    app.create_user("marie", PASSWORD, Role::Member).await;
    let browser = app.browser();
    let gate = browser.get("/settings/password").await;
    assert_eq!(gate.status, StatusCode::SEE_OTHER);
    assert_eq!(
        gate.location.as_deref(),
        Some("/auth/sign_in?next=%2Fsettings%2Fpassword")
    );

    let wrong = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", "marie@example.org"), ("password", "wrong one!")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.contains("Adresse e-mail ou mot de passe incorrect"));
    assert!(wrong.contains("value=\"marie@example.org\""));

    let ok = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[
                ("email", "MARIE@example.org"),
                ("password", PASSWORD),
                ("next", "/settings/password"),
            ],
        )
        .await;
    assert_eq!(ok.location.as_deref(), Some("/settings/password"));
    let cookie = ok.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let other = app.browser();
    let evil = other
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[
                ("email", "marie@example.org"),
                ("password", PASSWORD),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(evil.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.create_user("marie", PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser.get("/auth/sign_in").await;
    let page = browser
        .post_raw(
            "/auth/sign_in",
            &[("email", "marie@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = browser
        .post_raw(
            "/auth/sign_in",
            &[
                ("email", "marie@example.org"),
                ("password", PASSWORD),
                ("csrf", "guessed-token-guessed-token-guessed-token-1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // A page from another site cannot post, even with a token it somehow got.
    browser.sign_in("marie@example.org", PASSWORD).await;
    let settings = browser.get("/settings").await;
    let res = browser
        .client
        .post(format!("{}/settings", app.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("display_name", "pwned"),
            ("bio", ""),
            ("csrf", &settings.csrf()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Garbage bodies are a clear 4xx, not a crash.
    let res = browser
        .client
        .post(format!("{}/settings", app.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn sign_out_ends_the_session_for_good() {
    let app = spawn_app().await;
    app.create_user("marie", PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser.sign_in("marie@example.org", PASSWORD).await;
    assert_eq!(browser.get("/settings").await.status, StatusCode::OK);
    let out = browser.submit("/settings", "/auth/sign_out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/settings").await.status, StatusCode::SEE_OTHER);
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test]
async fn profile_settings_render_markdown_safely() {
    let app = spawn_app().await;
    app.create_user("marie", PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser.sign_in("marie@example.org", PASSWORD).await;
    let saved = browser
        .submit(
            "/settings",
            "/settings",
            &[
                ("display_name", "Marie Curie"),
                ("bio", "Secrétaire **Lille-Sud**\n<script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let profile = app.browser().get("/@marie").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.contains("Marie Curie"));
    assert!(
        profile.body.contains("<strong>Lille-Sud</strong>"),
        "{}",
        profile.body
    );
    assert!(!profile.body.contains("<script>alert"), "{}", profile.body);

    let too_long = browser
        .submit(
            "/settings",
            "/settings",
            &[("display_name", &"x".repeat(31)), ("bio", &"b".repeat(501))],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.contains("trop long"));
    assert!(
        too_long.contains(&"b".repeat(501)),
        "the bio typed was lost"
    );
    assert_eq!(
        app.browser().get("/@nobody").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn password_change_signs_out_everywhere_else() {
    let app = spawn_app().await;
    app.create_user("marie", PASSWORD, Role::Member).await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let token = app
        .password_token(&client, "marie@example.org", PASSWORD, "read")
        .await;
    let laptop = app.browser();
    let phone = app.browser();
    laptop.sign_in("marie@example.org", PASSWORD).await;
    phone.sign_in("marie@example.org", PASSWORD).await;

    let wrong = laptop
        .submit(
            "/settings/password",
            "/settings/password",
            &[
                ("current_password", "not it at all"),
                ("password", "a new long password"),
                ("password_confirmation", "a new long password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = laptop
        .submit(
            "/settings/password",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("password", "a new long password"),
                ("password_confirmation", "a new long password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);

    assert_eq!(
        laptop.get("/settings").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        phone.get("/settings").await.status,
        StatusCode::SEE_OTHER,
        "other sessions end"
    );
    assert_eq!(
        app.get("/api/v1/accounts/verify_credentials", Some(&token))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    app.browser()
        .sign_in("marie@example.org", "a new long password")
        .await;
}

#[tokio::test]
async fn language_follows_browser_then_choice() {
    let app = spawn_app().await;
    let browser = app.browser();
    let fr = browser.get("/auth/sign_in").await;
    assert!(fr.body.contains("<html lang=\"fr\">"));
    assert!(fr.contains("Se connecter"));
    let en = browser.get_in("/auth/sign_in", "en-US,en;q=0.8").await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.contains("Sign in"));

    let switched = browser
        .submit("/about", "/locale", &[("locale", "en"), ("next", "/about")])
        .await;
    assert_eq!(switched.location.as_deref(), Some("/about"));
    let about = browser.get_in("/about", "fr").await;
    assert!(
        about.body.contains("<html lang=\"en\">"),
        "the choice wins over the browser"
    );
    let bad = browser
        .submit("/about", "/locale", &[("locale", "xx")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A signed-in person's setting wins over the cookie.
    app.create_user("marie", PASSWORD, Role::Member).await;
    browser.sign_in("marie@example.org", PASSWORD).await;
    browser
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[("locale", "fr")],
        )
        .await;
    assert!(
        browser
            .get("/settings")
            .await
            .body
            .contains("<html lang=\"fr\">")
    );
}

#[tokio::test]
async fn account_deletion_erases_personal_data_and_keeps_the_name() {
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let id = app.create_user("marie", PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser.sign_in("marie@example.org", PASSWORD).await;
    browser
        .submit(
            "/settings",
            "/settings",
            &[("display_name", "Marie"), ("bio", "militante")],
        )
        .await;
    let wrong = browser
        .submit(
            "/settings/delete",
            "/settings/delete",
            &[("password", "nope nope nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let gone = browser
        .submit(
            "/settings/delete",
            "/settings/delete",
            &[("password", PASSWORD)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);

    let (display_name, note, deleted): (String, String, Option<i64>) =
        sqlx::query_as("SELECT display_name, note_source, deleted_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_one(app.state.pool())
            .await
            .unwrap();
    assert_eq!((display_name.as_str(), note.as_str()), ("", ""));
    assert!(deleted.is_some());
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE account_id = $1")
        .bind(id)
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(users, 0, "e-mail and password hash must be gone");
    assert_eq!(
        app.browser().get("/@marie").await.status,
        StatusCode::NOT_FOUND
    );
    let retake = app
        .browser()
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "marie"),
                ("email", "marie@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(retake.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(retake.contains("est déjà pris"));
}

#[tokio::test]
async fn admin_pages_are_for_admins_only() {
    let app = spawn_app().await;
    app.create_user("membre", PASSWORD, Role::Member).await;
    let id = app.create_user("secretaire", PASSWORD, Role::Admin).await;
    let member = app.browser();
    member.sign_in("membre@example.org", PASSWORD).await;
    assert_eq!(member.get("/admin").await.status, StatusCode::FORBIDDEN);
    let attempt = member
        .submit("/settings", "/admin", &[("registration_mode", "open")])
        .await;
    assert_eq!(attempt.status, StatusCode::FORBIDDEN);
    assert_eq!(
        coopol::service::instance::registration_mode(&app.state)
            .await
            .unwrap()
            .as_str(),
        "approval"
    );

    let admin = app.browser();
    admin.sign_in("secretaire@example.org", PASSWORD).await;
    let bad = admin
        .submit("/admin", "/admin", &[("registration_mode", "everyone")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The last administrator keeps the role.
    let demote = admin
        .submit(
            "/admin",
            &format!("/admin/users/{id}/role"),
            &[("role", "member")],
        )
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    let member_id: i64 =
        sqlx::query_scalar("SELECT account_id FROM users WHERE email = 'membre@example.org'")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
    let promote = admin
        .submit(
            "/admin",
            &format!("/admin/users/{member_id}/role"),
            &[("role", "moderator")],
        )
        .await;
    assert_eq!(promote.status, StatusCode::SEE_OTHER);
    let bad_invite = admin
        .submit(
            "/admin",
            "/admin/invites",
            &[("max_uses", "-3"), ("valid_days", "7")],
        )
        .await;
    assert_eq!(bad_invite.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        admin
            .submit("/admin", "/admin/registrations/424242/approve", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_errors_are_pages() {
    let app = spawn_app().await;
    let browser = app.browser();
    let page = browser.get("/").await;
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "x-request-id",
    ] {
        assert!(page.headers.contains_key(header), "{header} missing");
    }
    let missing = browser.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("<html"), "404 should be a page");
    let css = browser.get("/static/coopol.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(
        browser.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Every page renders in both languages, signed in as an admin (the widest view).
#[tokio::test]
async fn every_page_renders_in_both_languages() {
    let app = spawn_app().await;
    app.create_user("secretaire", PASSWORD, Role::Admin).await;
    let browser: Browser = app.browser();
    for lang in ["fr", "en"] {
        let anonymous = app.browser();
        for path in [
            "/",
            "/about",
            "/auth/sign_in",
            "/auth/sign_up",
            "/@secretaire",
            "/groups",
        ] {
            let page = anonymous.get_in(path, lang).await;
            assert_eq!(page.status, StatusCode::OK, "{path} ({lang})");
            assert!(
                page.body.contains(&format!("<html lang=\"{lang}\">")),
                "{path}"
            );
        }
    }
    browser.sign_in("secretaire@example.org", PASSWORD).await;
    for path in [
        "/",
        "/settings",
        "/settings/password",
        "/settings/preferences",
        "/settings/delete",
        "/admin",
        "/groups",
        "/groups/new",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains("</html>"));
    }
}
