//! E-mail, with a real SMTP server (aiosmtpd, scripts/smtp.sh) whose received messages the
//! tests read: password reset in the web and the API, address confirmation at sign-up,
//! decisions on registrations, address change, notifications with one-click unsubscribe
//! (RFC 8058), the parts and headers of the messages, their language, hostile names, an
//! unreachable server, two processes sharing the queue, and a SIGKILL of the real binary.

mod common;
#[path = "common/mail.rs"]
mod mail_sink;

use common::{Api, TestApp, eventually, spawn_app, spawn_app_with, urlencode};
use coopol::{
    db,
    domain::{Locale, NotificationKind, Role},
    i18n::{t, t_args},
    mail::Mail,
    service::accounts::{Registrar, Registration},
};
use mail_sink::{Sink, address, mail_config, sink, use_sink};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new passphrase";

async fn mail_app(sink: &Sink) -> TestApp {
    let sink = sink.clone();
    spawn_app_with(move |c| use_sink(c, &sink)).await
}

/// A confirmed, active account with an address of its own (as `coopol user create` makes).
async fn person(app: &TestApp, name: &str, email: &str, locale: Option<Locale>) -> i64 {
    coopol::service::accounts::register(
        &app.state,
        Registration {
            username: name.into(),
            email: email.into(),
            password: PASSWORD.into(),
            locale,
            ..Default::default()
        },
        Registrar::Administrator(Role::Member),
    )
    .await
    .expect("create user")
    .account_id
}

async fn queued(app: &TestApp) -> i64 {
    db::mail::backlog(app.state.pool()).await.unwrap()
}

fn path_of<'a>(app: &TestApp, link: &'a str) -> &'a str {
    link.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{link} is not on {}", app.base))
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_e_mailed_link() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let email = address("ana");
    person(&app, "ana", &email, None).await;
    let b = app.browser();
    let sign_in = b.get("/auth/sign_in").await;
    assert!(sign_in.body.contains("href=\"/auth/password/new\""));
    assert!(sign_in.contains(&t(Locale::Fr, "page-sign-in-forgot")));

    let page = b
        .submit("/auth/password/new", "/auth/password", &[("email", &email)])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.contains(&t(Locale::Fr, "page-mail-sent-if-known")));

    let mail = sink.first(&email).await;
    assert_eq!(
        mail.subject,
        t_args(
            Locale::Fr,
            "mail-reset-subject",
            &[("instance", "coopol".into())]
        )
    );
    let link = mail.link(&app.url("/auth/password/edit?token="));
    assert!(mail.html.contains(&link), "{}", mail.html);
    let path = path_of(&app, &link).to_string();
    let token = path.split("token=").nth(1).unwrap().to_string();
    let form = b.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(&token));

    // A mistyped confirmation leaves the link usable.
    let typo = b
        .submit(
            &path,
            "/auth/password/edit",
            &[
                ("token", &token),
                ("password", NEW_PASSWORD),
                ("password_confirmation", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = b
        .submit(
            &path,
            "/auth/password/edit",
            &[
                ("token", &token),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/auth/sign_in"));
    app.browser().sign_in(&email, NEW_PASSWORD).await;
    let old = app
        .browser()
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);

    // The link works once.
    let again = b.get(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.contains(&t(Locale::Fr, "error-mail-link-invalid")));
    let replay = b
        .submit(
            "/auth/password/new",
            "/auth/password/edit",
            &[
                ("token", &token),
                ("password", "yet another passphrase"),
                ("password_confirmation", "yet another passphrase"),
            ],
        )
        .await;
    assert_eq!(replay.status, StatusCode::NOT_FOUND);
    app.browser().sign_in(&email, NEW_PASSWORD).await;
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_page_and_no_mail() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let known = address("known");
    person(&app, "known", &known, None).await;
    let unknown = address("nobody");
    let b = app.browser();
    let a = b
        .submit("/auth/password/new", "/auth/password", &[("email", &known)])
        .await;
    let u = b
        .submit(
            "/auth/password/new",
            "/auth/password",
            &[("email", &unknown)],
        )
        .await;
    assert_eq!(a.status, u.status);
    let message = t(Locale::Fr, "page-mail-sent-if-known");
    assert!(a.contains(&message) && u.contains(&message));
    sink.first(&known).await;
    eventually("the queue is empty", || async { queued(&app).await == 0 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sink.messages(&unknown).is_empty());
    // A malformed address is said so.
    let bad = b
        .submit(
            "/auth/password/new",
            "/auth/password",
            &[("email", "not an address")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn expired_and_malformed_reset_tokens_are_refused() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let email = address("bea");
    person(&app, "bea", &email, Some(Locale::En)).await;
    let b = app.browser();
    b.submit("/auth/password/new", "/auth/password", &[("email", &email)])
        .await;
    let mail = sink.first(&email).await;
    // In the recipient's language.
    assert_eq!(
        mail.subject,
        t_args(
            Locale::En,
            "mail-reset-subject",
            &[("instance", "coopol".into())]
        )
    );
    let link = mail.link(&app.url("/auth/password/edit?token="));
    let path = path_of(&app, &link).to_string();
    sqlx::query("UPDATE mail_tokens SET expires_at = 1")
        .execute(app.state.pool())
        .await
        .unwrap();
    assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND);
    let token = path.split("token=").nth(1).unwrap();
    let expired = b
        .submit(
            "/auth/password/new",
            "/auth/password/edit",
            &[
                ("token", token),
                ("password", NEW_PASSWORD),
                ("password_confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    b.sign_in(&email, PASSWORD).await;

    let long = "a".repeat(5000);
    let near = format!("{}%", &token[..42]);
    for bad in [
        "",
        "x",
        "../../etc/passwd",
        "a\r\nb",
        long.as_str(),
        near.as_str(),
    ] {
        let page = b
            .get(&format!("/auth/password/edit?token={}", urlencode(bad)))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad:?}");
        let post = b
            .submit(
                "/auth/password/new",
                "/auth/password/edit",
                &[
                    ("token", bad),
                    ("password", NEW_PASSWORD),
                    ("password_confirmation", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(post.status, StatusCode::NOT_FOUND, "{bad:?}");
        let confirm = b
            .get(&format!("/auth/confirm?token={}", urlencode(bad)))
            .await;
        assert_eq!(confirm.status, StatusCode::NOT_FOUND, "{bad:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_api_asks_for_a_reset_link_with_the_same_answer_for_every_address() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let api = Api::new(&app);
    let known = address("api");
    person(&app, "apiuser", &known, None).await;
    let unknown = address("ghost");
    let p = "/password_resets";
    let (status, body, _) = api
        .call(Method::POST, p, p, None, Some(json!({"email": known})))
        .await;
    assert_eq!((status, body.clone()), (StatusCode::ACCEPTED, json!({})));
    let (status2, body2, _) = api
        .call(Method::POST, p, p, None, Some(json!({"email": unknown})))
        .await;
    assert_eq!((status2, body2), (status, body));
    let (status, body, _) = api
        .call(Method::POST, p, p, None, Some(json!({"email": "nope"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["details"]["email"].is_array(), "{body}");
    let mail = sink.first(&known).await;
    assert!(mail.link(&app.url("/auth/password/edit?token=")).len() > 60);
    eventually("the queue is empty", || async { queued(&app).await == 0 }).await;
    assert!(sink.messages(&unknown).is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../src/api/coopol/openapi.json")).unwrap();
    api.assert_exercised(&doc, |path| path == "/password_resets");
    app.stop().await;
}

#[tokio::test]
async fn without_smtp_the_flows_that_need_mail_say_so() {
    let app = spawn_app().await;
    let page = app.browser().get("/auth/password/new").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.contains(&t(Locale::Fr, "error-mail-unavailable")));
    let (status, body) = app
        .post_json(
            "/api/coopol/v1/password_resets",
            None,
            &json!({"email": "someone@example.org"}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    // Nothing waits for mail: open sign-up signs in at once, and nothing is queued.
    app.set_registration_mode("open").await;
    let b = app.browser();
    let page = b
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", "nomail"),
                ("email", "nomail@example.org"),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("agreement", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(queued(&app).await, 0);
    app.stop().await;
}

async fn sign_up(app: &TestApp, name: &str, email: &str) -> common::Page {
    app.browser()
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &[
                ("username", name),
                ("email", email),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
                ("reason", "Je milite"),
                ("agreement", "1"),
            ],
        )
        .await
}

#[tokio::test]
async fn sign_up_waits_for_the_address_to_be_confirmed() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    app.set_registration_mode("open").await;
    let email = address("chloe");
    let page = sign_up(&app, "chloe", &email).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.contains(&t(Locale::Fr, "page-sign-up-confirm")));
    let refused = app
        .browser()
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.contains(&t(Locale::Fr, "error-email-unconfirmed")));

    let mail = sink.first(&email).await;
    assert!(mail.text.contains("chloe"), "{}", mail.text);
    let link = mail.link(&app.url("/auth/confirm?token="));
    let b = app.browser();
    let confirmed = b.get(path_of(&app, &link)).await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    b.sign_in(&email, PASSWORD).await;
    // Once.
    assert_eq!(
        app.browser().get(path_of(&app, &link)).await.status,
        StatusCode::NOT_FOUND
    );

    // The same address again: the same page, no new account, and its owner is told.
    let again = sign_up(&app, "chloe2", &email).await;
    assert_eq!(again.status, page.status);
    assert!(again.contains(&t(Locale::Fr, "page-sign-up-confirm")));
    assert!(
        db::accounts::local_by_username(app.state.pool(), "chloe2")
            .await
            .unwrap()
            .is_none()
    );
    let notice = sink.wait_for(&email, 2).await.remove(1);
    assert_eq!(
        notice.subject,
        t_args(
            Locale::Fr,
            "mail-address-in-use-subject",
            &[("instance", "coopol".into())]
        )
    );
    assert!(notice.text.contains(&app.url("/auth/password/new")));
    app.stop().await;
}

#[tokio::test]
async fn an_app_registration_is_confirmed_and_can_ask_for_the_mail_again() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    app.set_registration_mode("open").await;
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
    let app_token = body["access_token"].as_str().unwrap().to_string();
    let email = address("dan");
    let form = |name: &str, email: &str| json!({"username": name, "email": email, "password": PASSWORD, "agreement": true, "locale": "en"});
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&app_token), &form("dan", &email))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap().to_string();
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // In the request's language (none asked: the instance's).
    assert_eq!(body["error"], t(Locale::Fr, "error-email-unconfirmed"));
    let first = sink.first(&email).await;
    assert_eq!(
        first.subject,
        t_args(
            Locale::En,
            "mail-confirm-subject",
            &[("instance", "coopol".into())]
        )
    );
    // Again, with the registration's token; the first link no longer works.
    let (status, body) = app
        .post_json("/api/v1/emails/confirmations", Some(&token), &json!({}))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let second = sink.wait_for(&email, 2).await.remove(1);
    let old = first.link(&app.url("/auth/confirm?token="));
    assert_eq!(
        app.browser().get(path_of(&app, &old)).await.status,
        StatusCode::NOT_FOUND
    );
    let new = second.link(&app.url("/auth/confirm?token="));
    assert_eq!(
        app.browser().get(path_of(&app, &new)).await.status,
        StatusCode::SEE_OTHER
    );
    let (status, _) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post_json("/api/v1/emails/confirmations", Some(&token), &json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A taken address: a decoy token that answers as an unconfirmed account's.
    let (status, body) = app
        .post_json("/api/v1/accounts", Some(&app_token), &form("dan2", &email))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let decoy = body["access_token"].as_str().unwrap().to_string();
    let (status, body) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&decoy))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], t(Locale::Fr, "error-email-unconfirmed"));
    let (status, body) = app
        .post_json("/api/v1/emails/confirmations", Some(&decoy), &json!({}))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let (status, _) = app
        .post_json(
            "/api/v1/emails/confirmations",
            Some("not-a-token"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn approval_and_refusal_are_told_by_mail() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    app.set_registration_mode("approval").await;
    let (yes, no) = (address("yes"), address("no"));
    for (name, email) in [("oui", &yes), ("non", &no)] {
        let page = sign_up(&app, name, email).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let confirm = sink.first(email).await;
        let link = confirm.link(&app.url("/auth/confirm?token="));
        assert_eq!(
            app.browser().get(path_of(&app, &link)).await.status,
            StatusCode::SEE_OTHER
        );
    }
    // Confirmed, but pending until approved.
    let pending = app
        .browser()
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", &yes), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(pending.status, StatusCode::FORBIDDEN);
    assert!(pending.contains(&t(Locale::Fr, "error-account-pending")));
    let id = |name: &'static str| {
        let app = &app;
        async move {
            db::accounts::local_by_username(app.state.pool(), name)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let admin = app.create_user("chef", PASSWORD, Role::Admin).await;
    let admin = db::accounts::user_by_id(app.state.pool(), admin)
        .await
        .unwrap()
        .unwrap();
    coopol::service::accounts::approve(&app.state, &admin, id("oui").await)
        .await
        .unwrap();
    coopol::service::accounts::reject(&app.state, &admin, id("non").await)
        .await
        .unwrap();
    let approved = sink.wait_for(&yes, 2).await.remove(1);
    assert_eq!(
        approved.subject,
        t_args(
            Locale::Fr,
            "mail-approved-subject",
            &[("instance", "coopol".into())]
        )
    );
    assert!(approved.text.contains(&app.url("/auth/sign_in")));
    let refused = sink.wait_for(&no, 2).await.remove(1);
    assert_eq!(
        refused.subject,
        t_args(
            Locale::Fr,
            "mail-refused-subject",
            &[("instance", "coopol".into())]
        )
    );
    app.browser().sign_in(&yes, PASSWORD).await;
    app.stop().await;
}

#[tokio::test]
async fn an_address_change_is_confirmed_by_the_new_address_and_told_to_the_old() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let (old, new) = (address("old"), address("new"));
    person(&app, "eli", &old, None).await;
    let b = app.browser();
    b.sign_in(&old, PASSWORD).await;
    let wrong = b
        .submit(
            "/settings/email",
            "/settings/email",
            &[("email", &new), ("current_password", "not my password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.contains(&t(Locale::Fr, "error-wrong-password")));
    let done = b
        .submit(
            "/settings/email",
            "/settings/email",
            &[("email", &new), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let notice = sink.first(&old).await;
    assert!(notice.text.contains(&new), "{}", notice.text);
    let confirm = sink.first(&new).await;
    // Not changed until the new address confirms it.
    b.get("/").await;
    app.browser().sign_in(&old, PASSWORD).await;
    let link = confirm.link(&app.url("/auth/confirm?token="));
    assert_eq!(
        b.get(path_of(&app, &link)).await.status,
        StatusCode::SEE_OTHER
    );
    app.browser().sign_in(&new, PASSWORD).await;
    let gone = app
        .browser()
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", &old), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);

    // Another account's address: the same answer; that account's owner is told instead.
    let taken = address("taken");
    person(&app, "fay", &taken, None).await;
    let same = b
        .submit(
            "/settings/email",
            "/settings/email",
            &[("email", &taken), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    let told = sink.first(&taken).await;
    assert!(told.subject.contains("coopol"), "{}", told.subject);
    app.stop().await;
}

/// B follows A: A's notification, and B's account id.
async fn follow_notification(app: &TestApp, a: i64) -> (db::social::NotificationRow, i64) {
    let (b, token) = app.user_with_token("follower", "read write follow").await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{a}/follow"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row: db::social::NotificationRow = sqlx::query_as(
        "SELECT id, account_id, from_account_id, type, status_id, group_account_id, \
         created_at FROM notifications WHERE account_id = $1",
    )
    .bind(a)
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    (row, b)
}

async fn queue_notification(app: &TestApp, row: &db::social::NotificationRow, locale: Locale) {
    let mut tx = app.state.db.begin().await.unwrap();
    let n = coopol::service::mail::queue_notifications(
        &mut tx,
        &app.state,
        [coopol::service::mail::NotificationMail {
            notification: row,
            locale,
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(n, 1);
    coopol::service::mail::wake(&app.state);
}

#[tokio::test]
async fn a_notification_mail_has_both_parts_its_headers_and_a_one_click_unsubscribe() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let email = address("gus");
    let a = person(&app, "gus", &email, Some(Locale::En)).await;
    let (row, _) = follow_notification(&app, a).await;
    assert_eq!(row.kind, NotificationKind::Follow);
    queue_notification(&app, &row, Locale::En).await;
    let mail = sink.first(&email).await;
    assert!(mail.subject.contains("follows you"), "{}", mail.subject);
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative"),
        "{:?}",
        mail.header_lines()
    );
    assert!(mail.text.contains("@follower@"), "{}", mail.text);
    assert!(mail.html.contains("<html lang=\"en\">"), "{}", mail.html);
    assert!(mail.html.contains(&app.url("/@follower")));
    assert!(mail.header("From").unwrap().contains("noreply@coopol.test"));
    assert!(mail.header("Date").is_some(), "{:?}", mail.header_lines());
    let id = mail.header("Message-ID").expect("Message-ID");
    assert!(id.ends_with("@coopol.test>"), "{id}");
    assert_eq!(mail.header("To").as_deref(), Some(email.as_str()));
    let unsubscribe = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let url = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    assert!(url.starts_with(&app.url("/mail/unsubscribe/")), "{url}");
    assert!(mail.text.contains(&url));

    // The page asks first; the one-click POST (no session, no CSRF token) does it.
    let page = app.browser().get(path_of(&app, &url)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("method=\"post\""));
    let res = app
        .client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let email_on: i64 = sqlx::query_scalar(
        "SELECT email FROM notification_preferences WHERE account_id = $1 AND kind = 'follow'",
    )
    .bind(a)
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(email_on, 0);

    // Links we did not make, for this account or another kind, are refused.
    let (base, mac) = url.rsplit_once('.').unwrap();
    let mut flipped = mac.to_string();
    let last = flipped.pop().unwrap();
    flipped.push(if last == '0' { '1' } else { '0' });
    let other_kind = url.replace(".follow.", ".mention.");
    let other_account = url.replace(
        &format!("/mail/unsubscribe/{a}."),
        &format!("/mail/unsubscribe/{}.", a + 1),
    );
    for bad in [
        format!("{base}.{flipped}"),
        other_kind,
        other_account,
        app.url("/mail/unsubscribe/nothing"),
        app.url("/mail/unsubscribe/1.follow.zz"),
        app.url("/mail/unsubscribe/99999999999999999999.follow.00"),
    ] {
        let res = app.client.post(&bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
        let page = app.browser().get(path_of(&app, &bad)).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Transactional messages carry no List-Unsubscribe.
    app.browser()
        .submit("/auth/password/new", "/auth/password", &[("email", &email)])
        .await;
    let reset = sink.wait_for(&email, 2).await.remove(1);
    assert!(reset.header("List-Unsubscribe").is_none());
    app.stop().await;
}

#[tokio::test]
async fn line_breaks_in_a_name_never_become_headers() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let email = address("hal");
    let victim = address("victim");
    let a = person(&app, "hal", &email, None).await;
    let (row, b) = follow_notification(&app, a).await;
    sqlx::query("UPDATE accounts SET display_name = $1 WHERE id = $2")
        .bind(format!(
            "Eve\r\nBcc: {victim}\r\nSubject: hacked\r\n\r\n<b>x</b>"
        ))
        .bind(b)
        .execute(app.state.pool())
        .await
        .unwrap();
    queue_notification(&app, &row, Locale::Fr).await;
    let mail = sink.first(&email).await;
    let lines = mail.header_lines();
    assert!(
        !lines
            .iter()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc")),
        "{lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.to_ascii_lowercase().starts_with("subject:"))
            .count(),
        1,
        "{lines:?}"
    );
    assert!(mail.subject.contains("Eve Bcc"), "{}", mail.subject);
    assert!(!mail.html.contains("<b>x</b>"));
    assert_eq!(
        mail.header("X-Sink-Rcpt-To").as_deref(),
        Some(email.as_str())
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sink.messages(&victim).is_empty());
    app.stop().await;
}

/// A free port on loopback (bound and let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn an_unreachable_server_keeps_the_mail_queued_until_it_answers() {
    let Some(sink) = sink() else { return };
    let port = free_port();
    let app = spawn_app_with(|c| c.mail = Some(mail_config("127.0.0.1", port))).await;
    let email = address("ivy");
    person(&app, "ivy", &email, None).await;
    // The person's action succeeds.
    let (status, _) = app
        .post_json(
            "/api/coopol/v1/password_resets",
            None,
            &json!({"email": email}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    eventually("an attempt failed and the message waits", || async {
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT attempts, last_error FROM mail_queue")
                .fetch_optional(app.state.pool())
                .await
                .unwrap();
        matches!(row, Some((n, Some(_))) if n >= 1)
    })
    .await;
    assert!(sink.messages(&email).is_empty());

    // The server comes back (a relay to the sink on that port); the wait is cut short.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let target = (sink.host.clone(), sink.port);
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    sqlx::query("UPDATE mail_queue SET next_attempt_at = 0")
        .execute(app.state.pool())
        .await
        .unwrap();
    let mail = sink.first(&email).await;
    assert!(mail.text.contains("/auth/password/edit?token="));
    eventually("the queue is empty", || async { queued(&app).await == 0 }).await;
    assert_eq!(sink.messages(&email).len(), 1);
    app.stop().await;
}

/// Queues `n` messages straight into the queue, each to its own address; gives the addresses.
async fn queue_many(pool: &sqlx::AnyPool, n: usize, name: &str) -> Vec<String> {
    let mut addresses = Vec::new();
    let mut conn = pool.acquire().await.unwrap();
    for i in 0..n {
        let to = address(&format!("{name}{i}"));
        let mail = Mail::RegistrationRefused {
            username: format!("{name}{i}"),
        };
        db::mail::enqueue(
            &mut conn,
            &db::mail::NewMail {
                recipient: &to,
                account_id: None,
                locale: "fr",
                kind: mail.kind(),
                params: &serde_json::to_string(&mail).unwrap(),
                now: coopol::clock::now(),
            },
        )
        .await
        .unwrap();
        addresses.push(to);
    }
    addresses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_send_each_message_once() {
    let Some(sink) = sink() else { return };
    let one = mail_app(&sink).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = (*one.state.config).clone();
    let two = coopol::app::Server::start(config, listener).await.unwrap();
    let addresses = queue_many(one.state.pool(), 120, "pair").await;
    one.state.mail.ready.notify_one();
    two.state.mail.ready.notify_one();
    for to in &addresses {
        sink.first(to).await;
    }
    eventually("the queue is empty", || async { queued(&one).await == 0 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for to in &addresses {
        assert_eq!(sink.messages(to).len(), 1, "{to}");
    }
    two.shutdown().await.unwrap();
    one.stop().await;
}

const BIN: &str = env!("CARGO_BIN_EXE_coopol");

async fn database(dir: &std::path::Path) -> String {
    match std::env::var("COOPOL_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = format!(
                "coopol_mailkill_{}",
                coopol::crypto::random_code(8).to_lowercase()
            );
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .unwrap();
            let mut url = url::Url::parse(&server).unwrap();
            url.set_path(&name);
            url.to_string()
        }
        _ => format!("sqlite://{}/coopol.db?mode=rwc", dir.display()),
    }
}

fn serve(dir: &std::path::Path, database: &str, port: u16, sink: &Sink) -> std::process::Child {
    let mut child = std::process::Command::new(BIN)
        .arg("serve")
        .current_dir(dir)
        .env("COOPOL_DATABASE_URL", database)
        .env("COOPOL_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("COOPOL_LISTEN", format!("127.0.0.1:{port}"))
        .env("COOPOL_SMTP_HOST", &sink.host)
        .env("COOPOL_SMTP_PORT", sink.port.to_string())
        .env("COOPOL_SMTP_SECURITY", "none")
        .env("COOPOL_LOG_LEVEL", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "coopol exited early");
        assert!(std::time::Instant::now() < deadline, "coopol did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_mail_survives_a_sigkill_of_the_server() {
    let Some(sink) = sink() else { return };
    let dir = tempfile::tempdir().unwrap();
    let database = database(dir.path()).await;
    let port = free_port();
    // The schema, then 300 messages waiting before the server starts.
    let db = coopol::db::Db::connect(&database, 2).await.unwrap();
    db.migrate().await.unwrap();
    let addresses = queue_many(db.pool(), 300, "kill").await;
    let mut server = serve(dir.path(), &database, port, &sink);
    // Killed as soon as the first messages arrive, with the rest queued or claimed.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while addresses.iter().all(|a| sink.messages(a).is_empty()) {
        assert!(std::time::Instant::now() < deadline, "nothing was sent");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let left = db::mail::backlog(db.pool()).await.unwrap();
    assert!(
        left > 0,
        "everything was sent before the kill; nothing was tested"
    );

    // Restarted: the dead process's claims are taken back once its heartbeat is old.
    let mut server = serve(dir.path(), &database, port, &sink);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while db::mail::backlog(db.pool()).await.unwrap() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the queue never emptied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut twice = 0;
    for to in &addresses {
        let got = sink.wait_for(to, 1).await.len();
        twice += got - 1;
    }
    // At least once; twice only for what was being sent when the process died (a batch).
    assert!(twice <= 64, "{twice} messages sent twice");
    server.kill().unwrap();
    server.wait().unwrap();
    db.close().await;
}

#[tokio::test]
async fn a_mention_reaches_its_recipient_by_mail_until_they_unsubscribe() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let email = address("jo");
    person(&app, "jo", &email, Some(Locale::En)).await;
    let (_, token) = app.user_with_token("writer", "read write").await;
    let post = |text: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let (status, body) = app
                .post_json(
                    "/api/v1/statuses",
                    Some(&token),
                    &json!({"status": text, "visibility": "public"}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["id"].as_str().unwrap().to_string()
        }
    };
    // The dispatcher sends mentions by e-mail by default.
    let id = post("@jo the leaflets are ready <b>tonight</b>").await;
    let mail = sink.first(&email).await;
    assert!(mail.subject.contains("mentioned you"), "{}", mail.subject);
    assert!(
        mail.text.contains("the leaflets are ready"),
        "{}",
        mail.text
    );
    assert!(
        mail.html.contains(&app.url(&format!("/@writer/{id}"))),
        "{}",
        mail.html
    );
    let url = mail
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_string();
    assert!(url.contains(".mention."), "{url}");
    let res = app
        .client
        .post(&url)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Still notified in the app, no longer by e-mail.
    post("@jo one more thing").await;
    eventually("the second mention is dispatched", || async {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE type = 'mention' AND dispatched = 1",
        )
        .fetch_one(app.state.pool())
        .await
        .unwrap();
        n == 2
    })
    .await;
    assert_eq!(queued(&app).await, 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages(&email).len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_daily_digest_tells_a_member_what_happened_and_one_click_stops_it() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let sec_email = address("secretaire");
    let bob_email = address("bob");
    let sec = person(&app, "secretaire", &sec_email, None).await;
    let bob = person(&app, "bob", &bob_email, Some(Locale::En)).await;
    let sec_row = db::accounts::by_id(app.state.pool(), sec)
        .await
        .unwrap()
        .unwrap();
    let bob_row = db::accounts::by_id(app.state.pool(), bob)
        .await
        .unwrap()
        .unwrap();
    let group = coopol::service::groups::create(
        &app.state,
        &sec_row,
        coopol::service::groups::NewGroupInput {
            name: "section_digest".into(),
            display_name: "Section Digest".into(),
            kind: "section".into(),
            postcode: Some("75011".into()),
            join_mode: Some("open".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    coopol::service::groups::join(&app.state, &bob_row, &group, None)
        .await
        .unwrap();
    coopol::service::digest::set_frequency(&app.state, bob, coopol::domain::DigestFrequency::Daily)
        .await
        .unwrap();
    let start = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT18:00")
        .to_string();
    let end = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT20:00")
        .to_string();
    coopol::service::events::create(
        &app.state,
        &sec_row,
        coopol::service::events::NewEventInput {
            name: "Assemblée générale".into(),
            group: Some("section_digest".into()),
            start_time: start,
            end_time: end,
            place_name: Some("Local".into()),
            postcode: Some("75011".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let now = coopol::clock::now();
    // Not due yet: chosen just now.
    assert_eq!(
        coopol::service::digest::send_due(&app.state, now)
            .await
            .unwrap(),
        0
    );
    let tomorrow = now + 24 * 3_600_000_000 + 1;
    assert_eq!(
        coopol::service::digest::send_due(&app.state, tomorrow)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        coopol::service::digest::send_due(&app.state, tomorrow)
            .await
            .unwrap(),
        0,
        "claimed once"
    );
    let mail = sink.first(&bob_email).await;
    assert!(mail.subject.contains("Your day"), "{}", mail.subject);
    assert!(mail.text.contains("Assemblée générale"), "{}", mail.text);
    assert!(mail.html.contains("Assemblée générale"));
    let unsubscribe = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    let link = unsubscribe
        .trim_matches(|c| c == '<' || c == '>')
        .to_string();
    assert!(link.contains(".digest."), "{link}");
    // The secretary chose no digest: nothing.
    assert!(sink.messages(&sec_email).is_empty());

    // One click (RFC 8058) stops it.
    let res = app
        .client
        .post(&link)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        coopol::service::digest::frequency(&app.state, bob)
            .await
            .unwrap(),
        coopol::domain::DigestFrequency::Off
    );
    // A forged digest link for someone else does nothing.
    let forged = link.replace(&format!("/{bob}."), &format!("/{sec}."));
    let res = app.client.post(&forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn a_reminder_frees_the_place_in_one_click_for_the_waiting_list() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let sec_email = address("secretaire");
    let ana_email = address("ana");
    let sec = person(&app, "secretaire", &sec_email, None).await;
    let ana = person(&app, "ana", &ana_email, None).await;
    let bob = person(&app, "bob", &address("bob"), None).await;
    let row = |id: i64| {
        let app = &app;
        async move {
            db::accounts::by_id(app.state.pool(), id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (sec_row, ana_row, bob_row) = (row(sec).await, row(ana).await, row(bob).await);
    let starts = chrono::Utc::now() + chrono::Duration::days(3);
    let event = coopol::service::events::create(
        &app.state,
        &sec_row,
        coopol::service::events::NewEventInput {
            name: "Tractage au marché".into(),
            start_time: starts.format("%Y-%m-%dT09:00").to_string(),
            end_time: starts.format("%Y-%m-%dT11:00").to_string(),
            place_name: Some("Marché".into()),
            postcode: Some("64000".into()),
            capacity: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let id = event.row.status_id;
    coopol::service::events::join(&app.state, &ana_row, &event, None, false)
        .await
        .unwrap();
    coopol::service::events::join(&app.state, &bob_row, &event, None, true)
        .await
        .unwrap();
    let state_of = |who: i64| {
        let app = &app;
        async move {
            db::events::participant(app.state.pool(), id, who)
                .await
                .unwrap()
                .map(|p| p.state.as_str().to_string())
        }
    };
    assert_eq!(state_of(bob).await.as_deref(), Some("waiting"));
    // The sign-up is confirmed by e-mail, with the event for calendar apps.
    let confirmation = sink.first(&ana_email).await;
    assert!(
        confirmation.raw.contains("text/calendar"),
        "{}",
        confirmation.raw
    );
    assert!(confirmation.raw.contains("event.ics"));
    let parsed = mail_parser::MessageParser::default()
        .parse(confirmation.raw.as_bytes())
        .unwrap();
    let ics = parsed
        .attachments()
        .find(|a| mail_parser::MimeHeaders::attachment_name(*a) == Some("event.ics"))
        .expect("the calendar file");
    let ics = String::from_utf8_lossy(ics.contents()).into_owned();
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    assert!(ics.contains("Tractage au marché"), "{ics}");

    // The day before: the reminder, by e-mail, with the link.
    let day_before = event.row.starts_at - 12 * 3_600_000_000;
    coopol::service::events::send_reminders(&app.state, day_before)
        .await
        .unwrap();
    let mail = sink.wait_for(&ana_email, 2).await.pop().unwrap();
    let link = mail.link(&format!("{}/events/{id}/leave/", app.base));
    assert!(mail.text.contains(&t(Locale::Fr, "mail-leave-action")));

    // Opening it changes nothing (mail scanners open links); the button does.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Tractage au marché"));
    assert_eq!(state_of(ana).await.as_deref(), Some("accepted"));
    let res = app.client.post(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(state_of(ana).await, None);
    assert_eq!(
        state_of(bob).await.as_deref(),
        Some("accepted"),
        "the waiting list took the place"
    );
    // Again: nothing more happens.
    let res = app.client.post(&link).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(state_of(bob).await.as_deref(), Some("accepted"));

    // A link made up for Bob, or for another event, does nothing.
    let forged = link.replace(&format!("/leave/{ana}."), &format!("/leave/{bob}."));
    let res = app.client.post(&forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let elsewhere = link.replace(&format!("/events/{id}/"), &format!("/events/{}/", id + 1));
    let res = app.client.post(&elsewhere).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .client
        .post(app.url(&format!("/events/{id}/leave/{ana}.abc")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(state_of(bob).await.as_deref(), Some("accepted"));
    app.stop().await;
}

#[tokio::test]
async fn mission_alerts_come_by_mail_once_a_day_unless_one_asked_for_every_one() {
    let Some(sink) = sink() else { return };
    let app = mail_app(&sink).await;
    let (daily, every) = (address("daily"), address("every"));
    let daily_id = person(&app, "daily", &daily, None).await;
    let every_id = person(&app, "every", &every, None).await;
    for (id, all) in [(daily_id, false), (every_id, true)] {
        let alerts = coopol::domain::MissionAlerts::new(
            coopol::domain::AlertReach::Departement,
            Some("75020"),
            all,
        )
        .unwrap();
        coopol::service::notifications::set_mission_alerts(&app.state, id, &alerts)
            .await
            .unwrap();
    }
    let (_, organizer) = app.user_with_token("organizer", "read write").await;
    let day = (chrono::Utc::now() + chrono::Duration::days(4)).date_naive();
    for (name, hour) in [("Tractage au marché", 9), ("Porte-à-porte", 14)] {
        let at = |h: u32| {
            day.and_hms_opt(h, 0, 0)
                .unwrap()
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        };
        let (status, body) = app
            .post_json(
                "/api/coopol/v1/events",
                Some(&organizer),
                &json!({"name": name, "postcode": "75011",
                        "shifts": [{"start_time": at(hour), "end_time": at(hour + 2), "needed": 4}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mails = sink.wait_for(&every, 2).await;
    assert!(
        mails.iter().any(|m| m.text.contains("Porte-à-porte")),
        "{:?}",
        mails.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    sink.wait_for(&daily, 1).await;
    eventually("both missions are dispatched", || async {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE type = 'mission_new' AND dispatched = 1",
        )
        .fetch_one(app.state.pool())
        .await
        .unwrap();
        n == 4
    })
    .await;
    // The sender marks a message sent after the server's answer, just after the sink has it.
    eventually("the queue is empty", || async { queued(&app).await == 0 }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages(&daily).len(), 1, "one a day at most");
    assert_eq!(sink.messages(&every).len(), 2);
    app.stop().await;
}
