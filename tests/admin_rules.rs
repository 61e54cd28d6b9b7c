//! Instance rules, the about texts and the administrators' dashboard: rules written, edited,
//! moved and deleted at `/admin/rules` and listed in the API; sign-up refused until every
//! rule is ticked, keeping what was typed; the about texts edited at `/admin/about` and
//! reflected on the pages, in the v1 and v2 instance entities, the extended description, the
//! privacy policy and NodeInfo; the dashboard's figures read from the database. Each refusal
//! (hostile or mistaken input, a role too low) is checked with its message.

mod common;
#[path = "common/shapes.rs"]
mod shapes;

use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

async fn signed_in(app: &TestApp, name: &str, role: Role) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, role).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

async fn api_rules(app: &TestApp) -> Value {
    let (status, rules) = app.get_json("/api/v1/instance/rules", None).await;
    assert_eq!(status, StatusCode::OK);
    rules
}

fn texts(rules: &Value) -> Vec<String> {
    rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect()
}

async fn add_rule(admin: &Browser, text: &str, hint: &str) {
    let done = admin
        .submit(
            "/admin/rules",
            "/admin/rules",
            &[("text", text), ("hint", hint)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_write_order_and_delete_rules_that_apps_read() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, "chef", Role::Admin).await;
    assert_eq!(api_rules(&app).await, json!([]));

    add_rule(&admin, "Pas de harcèlement", "Ni ici ni ailleurs.").await;
    add_rule(&admin, "  Respect des décisions collectives ", "").await;
    add_rule(&admin, "Pas de publicité", "").await;
    let rules = api_rules(&app).await;
    assert_eq!(
        texts(&rules),
        [
            "Pas de harcèlement",
            "Respect des décisions collectives",
            "Pas de publicité"
        ]
    );
    // Mastodon's Rule entity: string ids, hint, translations.
    assert!(rules[0]["id"].is_string(), "{rules}");
    assert_eq!(rules[0]["hint"], "Ni ici ni ailleurs.");
    assert_eq!(rules[0]["translations"], json!({}));
    let id = |i: usize| rules[i]["id"].as_str().unwrap().to_string();
    let (first, second, third) = (id(0), id(1), id(2));

    // v1 and v2 instance carry the same list.
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    assert_eq!(v1["rules"], rules);
    assert_eq!(v2["rules"], rules);
    shapes::instance_v2(&v2, "instance");

    // Moved: the third up, then the first down (it swaps with the new second).
    let up = admin
        .submit("/admin/rules", &format!("/admin/rules/{third}/up"), &[])
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    assert_eq!(
        texts(&api_rules(&app).await),
        [
            "Pas de harcèlement",
            "Pas de publicité",
            "Respect des décisions collectives"
        ]
    );
    admin
        .submit("/admin/rules", &format!("/admin/rules/{first}/down"), &[])
        .await;
    // Moving the last down changes nothing and is no error.
    let last = admin
        .submit("/admin/rules", &format!("/admin/rules/{second}/down"), &[])
        .await;
    assert_eq!(last.status, StatusCode::SEE_OTHER);
    assert_eq!(
        texts(&api_rules(&app).await),
        [
            "Pas de publicité",
            "Pas de harcèlement",
            "Respect des décisions collectives"
        ]
    );

    // Edited, then deleted.
    let edit = admin.get(&format!("/admin/rules/{first}")).await;
    assert!(edit.contains("Ni ici ni ailleurs."), "{}", edit.body);
    let saved = admin
        .submit(
            &format!("/admin/rules/{first}"),
            &format!("/admin/rules/{first}"),
            &[("text", "Aucun harcèlement"), ("hint", "")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let deleted = admin
        .submit("/admin/rules", &format!("/admin/rules/{third}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let rules = api_rules(&app).await;
    assert_eq!(
        texts(&rules),
        ["Aucun harcèlement", "Respect des décisions collectives"]
    );
    assert_eq!(rules[0]["hint"], "");
    // A deleted rule keeps its row for what cites it, out of every list.
    let kept = coopol::service::rules::by_ids(&app.state, &[third.parse().unwrap()])
        .await
        .unwrap();
    assert_eq!(kept[0].text, "Pas de publicité");
    assert!(kept[0].deleted_at.is_some());
    assert_eq!(
        admin.get(&format!("/admin/rules/{third}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The about page lists them; the moderation log says who did what.
    let about = app.browser().get("/about").await;
    assert!(about.contains("Aucun harcèlement"), "{}", about.body);
    assert!(!about.contains("Pas de publicité"));
    let log = admin.get("/admin/log").await;
    for line in [
        "Règle ajoutée\u{202f}: «\u{202f}Pas de harcèlement\u{202f}»",
        "Règle modifiée\u{202f}: «\u{202f}Aucun harcèlement\u{202f}»",
        "Règle montée\u{202f}: «\u{202f}Pas de publicité\u{202f}»",
        "Règle descendue\u{202f}: «\u{202f}Pas de harcèlement\u{202f}»",
        "Règle supprimée\u{202f}: «\u{202f}Pas de publicité\u{202f}»",
    ] {
        assert!(log.contains(line), "{line} not in {}", log.body);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rules_and_low_roles_are_refused() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, "chef", Role::Admin).await;
    let (moderator, _) = signed_in(&app, "modo", Role::Moderator).await;
    let (member, _) = signed_in(&app, "bob", Role::Member).await;

    // Empty text and an overlong hint: both refused at once, what was typed kept.
    let long_hint = "h".repeat(2001);
    let refused = admin
        .submit(
            "/admin/rules",
            "/admin/rules",
            &[("text", "   "), ("hint", &long_hint)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("est obligatoire"), "{}", refused.body);
    assert!(
        refused.contains("2000 caractères au plus"),
        "{}",
        refused.body
    );
    assert!(refused.contains(&long_hint));
    // A text on several lines, or with control characters.
    let refused = admin
        .submit(
            "/admin/rules",
            "/admin/rules",
            &[("text", "un\ndeux"), ("hint", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("doit tenir sur une ligne"),
        "{}",
        refused.body
    );
    let refused = admin
        .submit(
            "/admin/rules",
            "/admin/rules",
            &[("text", &"x".repeat(301)), ("hint", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Markup is text, never HTML.
    add_rule(&admin, "<script>alert(1)</script>", "").await;
    let page = app.browser().get("/about").await;
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(
        page.body.contains("&#60;script&#62;alert(1)"),
        "{}",
        page.body
    );
    let id = api_rules(&app).await[0]["id"].as_str().unwrap().to_string();

    // Unknown rules and actions.
    for path in [
        "/admin/rules/999999/delete".to_string(),
        "/admin/rules/abc/up".to_string(),
        format!("/admin/rules/{id}/sideways"),
    ] {
        let res = admin.submit("/admin/rules", &path, &[]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
    let res = admin
        .submit(
            "/admin/rules",
            "/admin/rules/999999",
            &[("text", "Nouvelle"), ("hint", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Without the CSRF token.
    let forged = admin
        .post_raw("/admin/rules", &[("text", "Forgée"), ("hint", "")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Moderators and members may not write rules nor the about texts (SECURITY G1).
    for b in [&moderator, &member] {
        assert_eq!(b.get("/admin/rules").await.status, StatusCode::FORBIDDEN);
        assert_eq!(b.get("/admin/about").await.status, StatusCode::FORBIDDEN);
        let res = b
            .submit("/", "/admin/rules", &[("text", "Ma règle"), ("hint", "")])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = b
            .submit("/", &format!("/admin/rules/{id}/delete"), &[])
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        let res = b.submit("/", "/admin/about", &[("name", "Pirate")]).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
    // Visitors are sent to sign in.
    let visitor = app.browser().get("/admin/rules").await;
    assert_eq!(visitor.status, StatusCode::SEE_OTHER);
    assert_eq!(texts(&api_rules(&app).await), ["<script>alert(1)</script>"]);

    // The service refuses a member too, whatever the front end.
    let bob = coopol::db::accounts::user_by_username(app.state.pool(), "bob")
        .await
        .unwrap()
        .unwrap();
    let e = coopol::service::rules::create(&app.state, &bob, "Règle", "")
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_count_is_bounded() {
    let app = spawn_app().await;
    let admin = app.create_user("chef", PASSWORD, Role::Admin).await;
    let admin = coopol::db::accounts::user_by_id(app.state.pool(), admin)
        .await
        .unwrap()
        .unwrap();
    for i in 0..coopol::domain::rules::MAX_RULES {
        coopol::service::rules::create(&app.state, &admin, &format!("Règle {i}"), "")
            .await
            .unwrap();
    }
    let e = coopol::service::rules::create(&app.state, &admin, "Une de trop", "")
        .await
        .unwrap_err();
    assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e.fields[0].key, "error-rules-too-many");
    app.stop().await;
}

/// The sign-up form's fields, with the rules' boxes given.
fn sign_up_form<'a>(
    username: &'a str,
    email: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("username", username),
        ("email", email),
        ("password", PASSWORD),
        ("password_confirmation", PASSWORD),
        ("agreement", "1"),
    ];
    f.extend_from_slice(extra);
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_up_needs_every_rule_ticked_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let (admin, _) = signed_in(&app, "chef", Role::Admin).await;
    add_rule(&admin, "Pas de harcèlement", "Ni ici ni ailleurs.").await;
    add_rule(&admin, "Respect des décisions collectives", "").await;
    let rules = api_rules(&app).await;
    let (a, b) = (
        format!("rule-{}", rules[0]["id"].as_str().unwrap()),
        format!("rule-{}", rules[1]["id"].as_str().unwrap()),
    );

    let visitor = app.browser();
    let form = visitor.get("/auth/sign_up").await;
    assert!(form.contains("Pas de harcèlement"), "{}", form.body);
    assert!(form.contains("Ni ici ni ailleurs."));
    assert!(form.body.contains(&format!("name=\"{a}\"")));

    // None ticked: refused, with what was typed kept.
    let refused = visitor
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &sign_up_form("camille", "camille@example.org", &[]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("Cochez les 2 règles restantes"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"camille\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"camille@example.org\""));
    // One ticked (and a forged box for a rule that does not exist): one left, it stays ticked.
    let refused = visitor
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &sign_up_form(
                "camille",
                "camille@example.org",
                &[(&a, "1"), ("rule-999999", "1"), ("rule-abc", "1")],
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("Cochez la règle restante"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(&format!("name=\"{a}\" value=\"1\" checked")),
        "{}",
        refused.body
    );
    // Every refused field at once: a bad address with the rules missing.
    let refused = visitor
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &sign_up_form("camille", "pas-une-adresse", &[]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("Cochez les 2 règles"), "{}", refused.body);
    assert!(
        refused.body.contains("id=\"email-error\""),
        "{}",
        refused.body
    );
    // In English.
    let en = visitor.get_in("/auth/sign_up", "en").await;
    assert!(en.contains("Tick each rule"), "{}", en.body);
    assert!(
        app.get_json("/api/v1/accounts/lookup?acct=camille", None)
            .await
            .0
            == StatusCode::NOT_FOUND
    );

    // All ticked: welcome.
    let done = visitor
        .submit(
            "/auth/sign_up",
            "/auth/sign_up",
            &sign_up_form("camille", "camille@example.org", &[(&a, "1"), (&b, "1")]),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_about_texts_are_edited_and_shown_everywhere() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, "chef", Role::Admin).await;
    signed_in(&app, "equipe", Role::Member).await;
    let pending = app.create_user("attente", PASSWORD, Role::Member).await;
    coopol::db::accounts::update_state(
        app.state.pool(),
        pending,
        coopol::domain::UserState::Pending,
    )
    .await
    .unwrap();

    // Before anything is saved, the configuration's values, and the default privacy notice
    // in the caller's language.
    let form = admin.get("/admin/about").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains(&format!("value=\"{}\"", app.state.config.instance_name)),
        "{}",
        form.body
    );
    let res = app
        .client
        .get(app.url("/api/v1/instance/privacy_policy"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let policy: Value = res.json().await.unwrap();
    assert!(
        policy["content"]
            .as_str()
            .unwrap()
            .contains("We keep your e-mail address"),
        "{policy}"
    );
    let (_, fr) = app.get_json("/api/v1/instance/privacy_policy", None).await;
    assert!(fr["content"].as_str().unwrap().contains("Nous conservons"));

    // Everything wrong at once: each refused, what was typed kept.
    let refused = admin
        .submit(
            "/admin/about",
            "/admin/about",
            &[
                ("name", ""),
                ("short_description", "Garder ce texte"),
                ("contact_email", "pas une adresse"),
                ("contact_username", "attente"),
                ("extended_description", ""),
                ("privacy_policy", "nul\u{0}part"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for error in ["name-error", "contact_email-error", "privacy_policy-error"] {
        assert!(
            refused.body.contains(&format!("id=\"{error}\"")),
            "{error}: {}",
            refused.body
        );
    }
    assert!(refused.contains("Garder ce texte"));
    // A contact that is no active account here is refused (the pending one, an unknown one).
    for who in ["attente", "personne", "x@y"] {
        let refused = admin
            .submit(
                "/admin/about",
                "/admin/about",
                &[("name", "Coop"), ("contact_username", who)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}");
        assert!(
            refused.body.contains("id=\"contact_username-error\""),
            "{who}: {}",
            refused.body
        );
    }

    let saved = admin
        .submit(
            "/admin/about",
            "/admin/about",
            &[
                ("name", "  Coop Lille "),
                ("short_description", "Le réseau des sections du Nord."),
                ("contact_email", "Equipe@Example.org"),
                ("contact_username", "@equipe"),
                (
                    "extended_description",
                    "## Qui sommes-nous\n\nDes *militantes* <script>alert(1)</script>",
                ),
                ("privacy_policy", "Nous gardons **le minimum**."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The pages: every header, the about page.
    let about = app.browser().get("/about").await;
    assert!(about.contains("Coop Lille"), "{}", about.body);
    assert!(about.contains("Le réseau des sections du Nord."));
    assert!(about.body.contains("<em>militantes</em>"), "{}", about.body);
    assert!(!about.body.contains("<script>alert(1)"), "{}", about.body);
    assert!(about.body.contains("<strong>le minimum</strong>"));
    assert!(!about.contains("Nous conservons votre adresse"));
    assert!(about.contains("equipe@example.org"));
    assert!(about.body.contains("href=\"/@equipe\""));
    let sign_in = app.browser().get("/auth/sign_in").await;
    assert!(sign_in.contains("Coop Lille"), "{}", sign_in.body);

    // The API.
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    shapes::instance_v1(&v1, "instance");
    assert_eq!(v1["title"], "Coop Lille");
    assert_eq!(v1["short_description"], "Le réseau des sections du Nord.");
    assert_eq!(v1["email"], "equipe@example.org");
    assert_eq!(v1["contact_account"]["username"], "equipe");
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    shapes::instance_v2(&v2, "instance");
    assert_eq!(v2["title"], "Coop Lille");
    assert_eq!(v2["description"], "Le réseau des sections du Nord.");
    assert_eq!(v2["contact"]["email"], "equipe@example.org");
    assert_eq!(v2["contact"]["account"]["acct"], "equipe");
    let (_, ext) = app
        .get_json("/api/v1/instance/extended_description", None)
        .await;
    let content = ext["content"].as_str().unwrap();
    assert!(content.contains("<em>militantes</em>"), "{content}");
    assert!(content.contains("&lt;script&gt;"), "{content}");
    let (_, policy) = app.get_json("/api/v1/instance/privacy_policy", None).await;
    assert!(
        policy["content"]
            .as_str()
            .unwrap()
            .contains("<strong>le minimum</strong>"),
        "{policy}"
    );
    assert!(policy["updated_at"].as_str().unwrap().ends_with('Z'));
    let (_, nodeinfo) = app.get_json("/nodeinfo/2.1", None).await;
    assert_eq!(nodeinfo["metadata"]["nodeName"], "Coop Lille");
    assert_eq!(
        nodeinfo["metadata"]["nodeDescription"],
        "Le réseau des sections du Nord."
    );

    // Saving the same texts again changes nothing and logs nothing; the log names the fields
    // changed, never their texts.
    let log = admin.get("/admin/log?action=about_updated").await;
    assert!(
        log.contains("Page «\u{202f}à propos\u{202f}» modifiée"),
        "{}",
        log.body
    );
    assert!(log.contains("contact_username"), "{}", log.body);
    assert!(!log.contains("le minimum"), "{}", log.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_reads_the_figures_from_the_database() {
    let app = spawn_app().await;
    let (admin, admin_id) = signed_in(&app, "chef", Role::Admin).await;
    let (moderator, _) = signed_in(&app, "modo", Role::Moderator).await;
    let pending = app.create_user("attente", PASSWORD, Role::Member).await;
    coopol::db::accounts::update_state(
        app.state.pool(),
        pending,
        coopol::domain::UserState::Pending,
    )
    .await
    .unwrap();

    let db = app.state.pool();
    let now = coopol::clock::now();
    let hour = 3_600_000_000i64;
    let later = now + 1000 * hour;
    // Two hosts failing, one of them parked; one healthy.
    for (host, failing, parked) in [
        ("lent.example", Some(now - 3 * hour), None),
        ("mort.example", Some(now - 200 * hour), Some(now - hour)),
        ("sain.example", None, None),
    ] {
        sqlx::query(
            "INSERT INTO hosts (host, failing_since, parked_at, last_success_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(host)
        .bind(failing)
        .bind(parked)
        .bind(now - 300 * hour)
        .execute(db)
        .await
        .unwrap();
    }
    // Queued rows not yet due, so that no worker takes them during the test: an incoming
    // activity two hours old, two deliveries for the slow host.
    sqlx::query(
        "INSERT INTO inbox_queue (activity_uri, signer, body, received_at, next_attempt_at) \
         VALUES ('https://lent.example/a/1', 'https://lent.example/u/x', '{}', $1, $2)",
    )
    .bind(now - 2 * hour)
    .bind(later)
    .execute(db)
    .await
    .unwrap();
    let activity: i64 = sqlx::query_scalar(
        "INSERT INTO out_activities (uri, actor_id, body, created_at) \
         VALUES ('https://x/a', $1, '{}', $2) RETURNING id",
    )
    .bind(admin_id)
    .bind(now)
    .fetch_one(db)
    .await
    .unwrap();
    for i in 0..2 {
        sqlx::query(
            "INSERT INTO deliveries (activity_id, inbox_url, host, next_attempt_at, created_at) \
             VALUES ($1, $2, 'lent.example', $3, $4)",
        )
        .bind(activity)
        .bind(format!("https://lent.example/inbox/{i}"))
        .bind(later)
        .bind(now - 30 * 60_000_000)
        .execute(db)
        .await
        .unwrap();
    }
    // A local file of 1.5 MiB and a cached copy of another server's.
    for (id, remote, size) in [
        (1i64, None, 1_572_864i64),
        (2, Some("https://lent.example/m.png"), 2048),
    ] {
        sqlx::query(
            "INSERT INTO media (id, account_id, used_for, kind, state, token, file_key, \
             file_size, remote_url, created_at, updated_at) \
             VALUES ($1, $2, 'avatar', 'image', 'ready', 't', 'k', $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(admin_id)
        .bind(size)
        .bind(remote)
        .bind(now)
        .execute(db)
        .await
        .unwrap();
    }

    let page = admin.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(b.contains("id=\"dashboard-pending\">1<"), "{b}");
    // The two who signed in this week (the pending one never did).
    assert!(b.contains("id=\"dashboard-active\">2<"), "{b}");
    assert!(b.contains("id=\"dashboard-failing\">2<"), "{b}");
    assert!(b.contains("id=\"dashboard-parked\">1<"), "{b}");
    assert!(
        b.contains("mort.example") && b.contains("lent.example"),
        "{b}"
    );
    assert!(!b.contains("sain.example"), "{b}");
    assert!(b.contains("<td>2 h</td>"), "inbox's oldest: {b}");
    assert!(b.contains("<td>30 min</td>"), "deliveries' oldest: {b}");
    assert!(b.contains("id=\"dashboard-media-local\">1<"), "{b}");
    assert!(b.contains("1.5 Mio"), "{b}");
    assert!(b.contains("2.0 Kio"), "{b}");
    // The service's figures.
    let chef = coopol::db::accounts::user_by_id(db, admin_id)
        .await
        .unwrap()
        .unwrap();
    let d = coopol::service::dashboard::read(&app.state, &chef)
        .await
        .unwrap();
    assert_eq!(d.inbox.count, 1);
    assert_eq!(d.deliveries.count, 2);
    assert_eq!(
        d.failing_hosts[0].host, "mort.example",
        "longest failing first"
    );
    assert_eq!(d.failing_hosts[1].waiting, 2);
    assert!(d.database_bytes > 0);
    // The media are counted at most every 15 minutes: a new file shows once the count is old.
    sqlx::query(
        "INSERT INTO media (id, account_id, used_for, kind, state, token, file_key, \
         file_size, created_at, updated_at) \
         VALUES (3, $1, 'avatar', 'image', 'ready', 't', 'k', 10, $2, $2)",
    )
    .bind(admin_id)
    .bind(now)
    .execute(db)
    .await
    .unwrap();
    let d = coopol::service::dashboard::read(&app.state, &chef)
        .await
        .unwrap();
    assert_eq!(d.media.local_files, 1, "the count of a moment ago");
    let old = now - coopol::service::dashboard::MEDIA_COUNT_EVERY - 1;
    coopol::db::settings::set(
        db,
        "dashboard.media_usage",
        &format!("{old} 1 1572864 1 2048"),
    )
    .await
    .unwrap();
    let d = coopol::service::dashboard::read(&app.state, &chef)
        .await
        .unwrap();
    assert_eq!(d.media.local_files, 2, "counted again");
    assert_eq!(d.media.local_bytes, 1_572_874);
    // A stored count that is not one is counted again rather than shown.
    coopol::db::settings::set(db, "dashboard.media_usage", "garbage")
        .await
        .unwrap();
    let d = coopol::service::dashboard::read(&app.state, &chef)
        .await
        .unwrap();
    assert_eq!(d.media.remote_files, 1);
    assert_eq!(d.mail, None, "e-mail is off in this configuration");

    // In English.
    let en = admin.get_in("/admin", "en").await;
    assert!(en.contains("Federation health"), "{}", en.body);
    assert!(en.contains("1.5 MiB"), "{}", en.body);
    // Administrators only.
    assert_eq!(moderator.get("/admin").await.status, StatusCode::FORBIDDEN);
    let modo = coopol::db::accounts::user_by_username(db, "modo")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        coopol::service::dashboard::read(&app.state, &modo)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}
