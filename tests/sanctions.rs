//! Account sanctions across two instances: a local suspension federates as the actor's
//! deletion and is reversed by unsuspending; a limit takes someone out of the public
//! timelines but not their followers'; a remote suspension severs follows and drops the
//! account's deliveries; moderators warn and limit but may not suspend; the admin API's
//! lists, filters and refusals; warnings read and appealed on the web.

mod common;
#[path = "common/mail.rs"]
#[allow(dead_code)]
mod mail_sink;

use common::{TestApp, eventually, spawn_app, spawn_app_with};
use coopol::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// A staff member's token with the admin scopes (and the ordinary ones).
async fn staff_token(app: &TestApp, name: &str, role: Role) -> (i64, String) {
    let id = app.create_user(name, PASSWORD, role).await;
    let client = app
        .register_app(
            "read write follow admin:read admin:write",
            "urn:ietf:wg:oauth:2.0:oob",
        )
        .await;
    let token = app
        .password_token(
            &client,
            &format!("{name}@example.org"),
            PASSWORD,
            "read write follow admin:read admin:write",
        )
        .await;
    (id, token)
}

async fn post(app: &TestApp, token: &str, text: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/admin/accounts/{id}/action"),
        Some(token),
        &body,
    )
    .await
}

async fn public_texts(app: &TestApp, token: Option<&str>, local: bool) -> String {
    let path = if local {
        "/api/v1/timelines/public?local=true&limit=40"
    } else {
        "/api/v1/timelines/public?limit=40"
    };
    let (status, body) = app.get_json(path, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.to_string()
}

/// Finds a remote account through search with resolve=true; its local id.
async fn resolve(app: &TestApp, token: &str, handle: &str) -> String {
    let q = common::urlencode(handle);
    let (status, body) = app
        .get_json(
            &format!("/api/v2/search?q={q}&resolve=true&type=accounts"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["accounts"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{handle} not found: {body}"))
        .to_string()
}

async fn follow(app: &TestApp, token: &str, id: &str) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{id}/follow"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn following(app: &TestApp, token: &str, id: &str) -> bool {
    let (_, body) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    body[0]["following"] == true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_suspension_deletes_the_actor_elsewhere_and_unsuspending_restores_it() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, admin) = staff_token(&a, "chef", Role::Admin).await;
    let (alice_id, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    post(&a, &alice, "Bonjour depuis A").await;
    let alice_on_b = resolve(&b, &bob, &format!("@alice@{}", a.domain)).await;
    follow(&b, &bob, &alice_on_b).await;
    eventually("bob follows alice", || async {
        following(&b, &bob, &alice_on_b).await
    })
    .await;

    let (status, body) = act(
        &a,
        &admin,
        alice_id,
        json!({"type": "suspend", "text": "Harcèlement répété", "report_id": "12"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({}));

    // B sees the actor deleted.
    eventually("B deletes alice", || async {
        b.get_json(&format!("/api/v1/accounts/{alice_on_b}"), None)
            .await
            .0
            == StatusCode::NOT_FOUND
    })
    .await;
    // A: the actor answers 410, the profile and posts are hidden, the token is gone.
    let actor = a
        .client
        .get(a.url("/users/alice"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(actor.status(), StatusCode::GONE);
    assert!(
        !public_texts(&a, None, true)
            .await
            .contains("Bonjour depuis A")
    );
    assert_eq!(
        a.get_json(&format!("/api/v1/accounts/{alice_id}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.get_json("/api/v1/accounts/verify_credentials", Some(&alice))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Signing in is refused with why and how to appeal.
    let browser = a.browser();
    let refused = browser
        .submit(
            "/auth/sign_in",
            "/auth/sign_in",
            &[("email", "alice@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.contains("suspendu"), "{}", refused.body);
    assert!(refused.contains("Harcèlement répété"), "{}", refused.body);

    // The admin API shows it; the log names it, never the text.
    let (_, shown) = a
        .get_json(&format!("/api/v1/admin/accounts/{alice_id}"), Some(&admin))
        .await;
    assert_eq!(shown["suspended"], true, "{shown}");
    assert_eq!(shown["username"], "alice");
    assert_eq!(shown["email"], "alice@example.org");
    let log = coopol::db::modlog::page(
        a.state.pool(),
        &coopol::db::modlog::Filter::default(),
        None,
        10,
    )
    .await
    .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "account_suspended" && e.params.contains("12")),
        "{log:?}"
    );
    assert!(!log.iter().any(|e| e.params.contains("Harcèlement")));

    // Suspending twice is refused; unsuspending restores.
    assert_eq!(
        act(&a, &admin, alice_id, json!({"type": "suspend"}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let (status, body) = a
        .post_json(
            &format!("/api/v1/admin/accounts/{alice_id}/unsuspend"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["suspended"], false);
    assert!(
        public_texts(&a, None, true)
            .await
            .contains("Bonjour depuis A")
    );
    let actor = a
        .client
        .get(a.url("/users/alice"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(actor.status(), StatusCode::OK);
    // Her follower is still hers here.
    let (_, me) = a
        .get_json(&format!("/api/v1/accounts/{alice_id}"), None)
        .await;
    assert_eq!(me["followers_count"], 1, "{me}");
    let browser = a.browser();
    browser.sign_in("alice@example.org", PASSWORD).await;
    assert_eq!(browser.get("/settings").await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_account_leaves_public_timelines_but_not_its_followers() {
    let a = spawn_app().await;
    let (_, moderator) = staff_token(&a, "modo", Role::Moderator).await;
    let (mallory_id, mallory) = a.user_with_token("mallory", "read write follow").await;
    let (_, carol) = a.user_with_token("carol", "read write follow").await;
    let (_, dave) = a.user_with_token("dave", "read write follow").await;
    follow(&a, &carol, &mallory_id.to_string()).await;
    post(&a, &mallory, "Message bruyant #debat").await;
    assert!(
        public_texts(&a, None, true)
            .await
            .contains("Message bruyant")
    );
    let directory = || async {
        a.get_json("/api/v1/directory?local=true", None)
            .await
            .1
            .to_string()
    };
    assert!(directory().await.contains("\"mallory\""));
    let (status, _) = act(
        &a,
        &moderator,
        mallory_id,
        json!({"type": "silence", "send_email_notification": "maybe"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, body) = act(
        &a,
        &moderator,
        mallory_id,
        json!({"type": "silence", "text": "Trop de messages", "send_email_notification": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Gone for visitors and non-followers, from the public and hashtag timelines and search.
    assert!(
        !public_texts(&a, None, true)
            .await
            .contains("Message bruyant")
    );
    assert!(
        !public_texts(&a, Some(&dave), false)
            .await
            .contains("Message bruyant")
    );
    let (_, tag) = a.get_json("/api/v1/timelines/tag/debat", None).await;
    assert_eq!(tag.as_array().map(Vec::len), Some(0), "{tag}");
    // Still there for a follower, and for herself.
    assert!(
        public_texts(&a, Some(&carol), true)
            .await
            .contains("Message bruyant")
    );
    assert!(
        public_texts(&a, Some(&mallory), true)
            .await
            .contains("Message bruyant")
    );
    // Her profile and posts are still there for whoever looks them up.
    let (_, posts) = a
        .get_json(&format!("/api/v1/accounts/{mallory_id}/statuses"), None)
        .await;
    assert_eq!(posts.as_array().map(Vec::len), Some(1), "{posts}");
    assert!(!directory().await.contains("\"mallory\""));
    // Her mentions of people who do not follow her are filtered (Mastodon's
    // `for_limited_accounts`, "filter" by default), not those of her followers.
    post(&a, &mallory, "@dave @carol écoutez-moi").await;
    let types = |token: String| {
        let a = &a;
        async move {
            a.get_json("/api/v1/notifications", Some(&token))
                .await
                .1
                .as_array()
                .map(|l| l.iter().map(|n| n["type"].to_string()).collect::<Vec<_>>())
                .unwrap_or_default()
        }
    };
    eventually("carol is told", || async {
        types(carol.clone())
            .await
            .iter()
            .any(|t| t.contains("mention"))
    })
    .await;
    assert!(
        !types(dave.clone())
            .await
            .iter()
            .any(|t| t.contains("mention")),
        "dave is not told"
    );

    // The admin lists find her by her standing.
    let (_, list) = a
        .get_json("/api/v2/admin/accounts?status=silenced", Some(&moderator))
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["silenced"], true);
    assert_eq!(list[0]["account"]["username"], "mallory");
    let (_, list) = a
        .get_json(
            "/api/v1/admin/accounts?silenced=true&local=true",
            Some(&moderator),
        )
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");

    // Lifted: back in the public timeline.
    let (status, body) = a
        .post_json(
            &format!("/api/v1/admin/accounts/{mallory_id}/unsilence"),
            Some(&moderator),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["silenced"], false);
    assert!(
        public_texts(&a, None, true)
            .await
            .contains("Message bruyant")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_suspension_severs_follows_and_drops_deliveries() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, admin) = staff_token(&a, "chef", Role::Admin).await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let bob_on_a = resolve(&a, &alice, &format!("@bob@{}", b.domain)).await;
    follow(&a, &alice, &bob_on_a).await;
    eventually("alice follows bob", || async {
        following(&a, &alice, &bob_on_a).await
    })
    .await;
    let bob_uri = format!("{}/users/bob", b.base);
    let from_bob = |state: &'static str| {
        let pool = a.state.pool().clone();
        let uri = bob_uri.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM inbox_queue WHERE signer = $1 AND state = $2",
            )
            .bind(uri)
            .bind(state)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };

    let id: i64 = bob_on_a.parse().unwrap();
    let (status, body) = act(&a, &admin, id, json!({"type": "suspend"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!following(&a, &alice, &bob_on_a).await);
    let (_, list) = a
        .get_json(
            "/api/v2/admin/accounts?origin=remote&status=suspended",
            Some(&admin),
        )
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["domain"], b.domain);
    assert_eq!(list[0]["email"], Value::Null);

    // B still thinks alice follows bob and delivers: A takes the delivery and drops it.
    let before = from_bob("done").await;
    let sent = post(&b, &bob, "Publication après suspension").await;
    eventually("A processes bob's delivery", || async {
        from_bob("done").await > before
    })
    .await;
    let uri = sent["uri"].as_str().unwrap();
    assert!(
        coopol::db::statuses::by_uri(a.state.pool(), uri)
            .await
            .unwrap()
            .is_none()
    );
    // A remote account cannot be disabled; it can be deleted once suspended.
    let (status, _) = act(&a, &admin, id, json!({"type": "disable"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let del = a
        .client
        .delete(a.url(&format!("/api/v1/admin/accounts/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::OK);
    assert_eq!(
        a.get_json(&format!("/api/v1/admin/accounts/{id}"), Some(&admin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_warn_and_limit_but_only_administrators_suspend() {
    let a = spawn_app().await;
    let (modo_id, moderator) = staff_token(&a, "modo", Role::Moderator).await;
    let (admin_id, admin) = staff_token(&a, "chef", Role::Admin).await;
    let (eve_id, eve) = a.user_with_token("eve", "read write").await;

    for kind in ["suspend", "disable"] {
        let (status, body) = act(&a, &moderator, eve_id, json!({"type": kind})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("administrateur"),
            "{body}"
        );
    }
    // A member has no admin scope's power either.
    let (status, _) = act(&a, &eve, eve_id, json!({"type": "none"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing was recorded by the refusals.
    let log = coopol::db::modlog::page(
        a.state.pool(),
        &coopol::db::modlog::Filter::default(),
        None,
        10,
    )
    .await
    .unwrap();
    assert!(log.is_empty(), "{log:?}");

    // Bad input is refused, clearly.
    let (status, body) = act(&a, &admin, eve_id, json!({"type": "ban"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = act(&a, &admin, eve_id, json!({"type": "sensitive"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = act(&a, &admin, eve_id, json!({"warning_preset_id": "3"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = act(&a, &admin, eve_id, json!({"report_id": "abc"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = act(&a, &admin, 999_999, json!({"type": "none"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = a
        .get_json("/api/v2/admin/accounts?ip=127.0.0.1", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = a
        .get_json("/api/v2/admin/accounts?status=sleeping", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Staff are not sanctioned (their role changes first), and nobody sanctions themselves.
    let (status, body) = act(&a, &admin, modo_id, json!({"type": "silence"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = act(&a, &admin, admin_id, json!({"type": "none"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A moderator's warning, read by the person on the web, and appealed.
    let (status, body) = act(
        &a,
        &moderator,
        eve_id,
        json!({"type": "none", "text": "Merci de rester courtois·e"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let browser = a.browser();
    browser.sign_in("eve@example.org", PASSWORD).await;
    let page = browser.get("/settings/warnings").await;
    assert!(page.contains("Merci de rester courtois·e"), "{}", page.body);
    let id = coopol::db::sanctions::warnings_of(a.state.pool(), eve_id, 5)
        .await
        .unwrap()[0]
        .id;
    let empty = browser
        .submit(
            "/settings/warnings",
            &format!("/settings/warnings/{id}/appeal"),
            &[("text", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = browser
        .submit(
            "/settings/warnings",
            &format!("/settings/warnings/{id}/appeal"),
            &[("text", "Je ne comprends pas")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(
        browser
            .get("/settings/warnings")
            .await
            .contains("en attente de décision")
    );
}

/// The `update` events of a Server-Sent Events stream until one whose data holds `marker`.
async fn sse_until(res: &mut reqwest::Response, marker: &str) -> Vec<String> {
    let mut buf = String::new();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if block.lines().any(|l| l.trim() == "event: update") {
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .collect();
                let done = data.contains(marker);
                seen.push(data);
                if done {
                    return seen;
                }
            }
        }
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .expect("an event before the deadline")
            .expect("read the stream")
            .expect("the stream goes on");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limited_and_suspended_authors_stay_off_the_public_stream() {
    let a = spawn_app().await;
    let (_, admin) = staff_token(&a, "chef", Role::Admin).await;
    let (mallory_id, mallory) = a.user_with_token("mallory", "read write").await;
    let (oscar_id, oscar) = a.user_with_token("oscar", "read write").await;
    let (_, carol) = a.user_with_token("carol", "read write").await;
    let (status, _) = act(&a, &admin, mallory_id, json!({"type": "silence"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = act(&a, &admin, oscar_id, json!({"type": "suspend"})).await;
    assert_eq!(status, StatusCode::OK);
    let mut stream = a.get("/api/v1/streaming/public", None).await;
    assert_eq!(stream.status(), StatusCode::OK);
    post(&a, &mallory, "Message de Mallory #debat").await;
    // Oscar's token ended with his suspension: he can no longer post.
    let (status, _) = a
        .post_json(
            "/api/v1/statuses",
            Some(&oscar),
            &json!({"status": "Oscar"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    post(&a, &carol, "Message de Carol").await;
    let seen = sse_until(&mut stream, "Message de Carol").await;
    assert_eq!(seen.len(), 1, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspension_past_its_retention_cannot_be_lifted_and_the_hourly_chore_deletes_it() {
    let a = spawn_app_with(|c| {
        c.moderation.suspension_retention = std::time::Duration::from_millis(1);
    })
    .await;
    let (_, admin) = staff_token(&a, "chef", Role::Admin).await;
    let (zed_id, zed) = a.user_with_token("zed", "read write").await;
    post(&a, &zed, "Message de Zed").await;
    let (status, _) = act(&a, &admin, zed_id, json!({"type": "suspend"})).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, body) = a
        .post_json(
            &format!("/api/v1/admin/accounts/{zed_id}/unsuspend"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("conservation"),
        "{body}"
    );
    let done = coopol::service::sanctions::chores(&a.state, coopol::clock::now())
        .await
        .unwrap();
    assert_eq!(done, 1);
    assert_eq!(
        a.get_json(&format!("/api/v1/admin/accounts/{zed_id}"), Some(&admin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let row = coopol::db::accounts::by_id(a.state.pool(), zed_id)
        .await
        .unwrap()
        .unwrap();
    assert!(row.deleted_at.is_some());
    assert!(
        coopol::db::accounts::user_by_id(a.state.pool(), zed_id)
            .await
            .unwrap()
            .is_none(),
        "the personal data is erased"
    );
    let log = coopol::db::modlog::page(
        a.state.pool(),
        &coopol::db::modlog::Filter::default(),
        None,
        10,
    )
    .await
    .unwrap();
    let deleted = log
        .iter()
        .find(|e| e.action == "account_deleted")
        .expect("logged");
    assert!(deleted.actor_id.is_none() && deleted.params.contains("retention"));
    // Nothing is left to do the next hour.
    assert_eq!(
        coopol::service::sanctions::chores(&a.state, coopol::clock::now())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_act_on_the_web_tell_the_person_by_e_mail_and_administrators_decide_appeals() {
    let Some(sink) = mail_sink::sink() else {
        return;
    };
    let a = {
        let sink = sink.clone();
        spawn_app_with(move |c| mail_sink::use_sink(c, &sink)).await
    };
    let email = mail_sink::address("zoe");
    let zoe = coopol::service::accounts::register(
        &a.state,
        coopol::service::accounts::Registration {
            username: "zoe".into(),
            email: email.clone(),
            password: PASSWORD.into(),
            ..Default::default()
        },
        coopol::service::accounts::Registrar::Administrator(Role::Member),
    )
    .await
    .unwrap()
    .account_id;
    a.create_user("modo", PASSWORD, Role::Moderator).await;
    a.create_user("chef", PASSWORD, Role::Admin).await;
    let modo = a.browser();
    modo.sign_in("modo@example.org", PASSWORD).await;

    let list = modo.get("/admin/accounts?q=zo&origin=local").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.contains(&format!("/admin/accounts/{zoe}")),
        "{}",
        list.body
    );
    assert!(!list.contains("@chef"), "{}", list.body);
    assert_eq!(
        modo.get("/admin/accounts?status=sleeping").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page = format!("/admin/accounts/{zoe}");
    // A moderator is offered no suspension, and one forced through is refused.
    assert!(!modo.get(&page).await.contains("value=\"suspend\""));
    let refused = modo
        .submit(&page, &format!("{page}/action"), &[("type", "suspend")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A refused field comes back with what was typed.
    let bad = modo
        .submit(
            &page,
            &format!("{page}/action"),
            &[
                ("type", "silence"),
                ("text", "Gardé"),
                ("report_id", "sept"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("Gardé"), "{}", bad.body);
    let done = modo
        .submit(
            &page,
            &format!("{page}/action"),
            &[
                ("type", "silence"),
                ("text", "Trop de messages en peu de temps"),
                ("report_id", "7"),
                ("send_email", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = modo.get(&page).await;
    assert!(
        shown.contains("Trop de messages en peu de temps"),
        "{}",
        shown.body
    );
    assert!(shown.contains("#7"), "{}", shown.body);
    eventually("zoe is told by e-mail", || async {
        !sink.messages(&email).is_empty()
    })
    .await;
    let mail = sink.messages(&email).remove(0);
    assert!(mail.subject.contains("limité"), "{mail:?}");
    assert!(
        mail.text.contains("Trop de messages en peu de temps"),
        "{mail:?}"
    );

    // Zoe appeals; the administrator approves, which lifts the limit.
    let browser = a.browser();
    browser.sign_in(&email, PASSWORD).await;
    let warning = coopol::db::sanctions::warnings_of(a.state.pool(), zoe, 5)
        .await
        .unwrap()[0]
        .id;
    let sent = browser
        .submit(
            "/settings/warnings",
            &format!("/settings/warnings/{warning}/appeal"),
            &[("text", "Je répondais à des questions")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        modo.get("/admin/appeals").await.status,
        StatusCode::FORBIDDEN
    );
    let chef = a.browser();
    chef.sign_in("chef@example.org", PASSWORD).await;
    let appeals = chef.get("/admin/appeals").await;
    assert!(
        appeals.contains("Je répondais à des questions"),
        "{}",
        appeals.body
    );
    let appeal = coopol::db::sanctions::warning(a.state.pool(), warning)
        .await
        .unwrap()
        .unwrap()
        .appeal_id
        .unwrap();
    let decided = chef
        .submit(
            "/admin/appeals",
            &format!("/admin/appeals/{appeal}/approve"),
            &[],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert!(
        coopol::db::sanctions::of(a.state.pool(), zoe)
            .await
            .unwrap()
            .is_none()
    );
    assert!(browser.get("/settings/warnings").await.contains("acceptée"));
    let again = chef
        .submit(
            "/admin/appeals",
            &format!("/admin/appeals/{appeal}/reject"),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}
