//! The moderation log: administrators' actions recorded with who and what (never content),
//! shown at `/admin/log` to administrators only, filtered and paged, every group's log in its
//! second tab, and forgotten after the configured retention.

mod common;

use common::{Browser, TestApp, spawn_app, spawn_app_with};
use coopol::{db, domain::Role};
use reqwest::StatusCode;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

async fn signed_in(app: &TestApp, name: &str, role: Role) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, role).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_actions_are_logged_and_only_administrators_read_the_log() {
    let app = spawn_app().await;
    let (admin, _) = signed_in(&app, "chef", Role::Admin).await;
    let (moderator, _) = signed_in(&app, "modo", Role::Moderator).await;
    let (_, bob) = signed_in(&app, "bob", Role::Member).await;

    let done = admin
        .submit(
            "/admin",
            &format!("/admin/users/{bob}/role"),
            &[("role", "moderator")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let done = admin
        .submit("/admin", "/admin", &[("registration_mode", "closed")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    let log = admin.get("/admin/log").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(
        log.contains("Rôle de bob changé\u{202f}: Modérateur·rice"),
        "{}",
        log.body
    );
    assert!(log.contains("Mode d’inscription changé"), "{}", log.body);
    assert!(log.contains("@chef"), "{}", log.body);
    assert!(admin.get("/admin").await.contains("/admin/log"));

    // Filtered by action: only the role change.
    let roles = admin.get("/admin/log?action=role_changed").await;
    assert!(roles.contains("Rôle de bob"), "{}", roles.body);
    assert!(
        !roles.contains("Mode d’inscription changé\u{202f}:"),
        "{}",
        roles.body
    );

    // In English too.
    let en = admin.get_in("/admin/log", "en").await;
    assert!(en.contains("Role of bob changed"), "{}", en.body);

    // Bad filters are refused with a clear error, not ignored.
    let bad = admin.get("/admin/log?action=everything").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("Cette action n’existe pas"), "{}", bad.body);
    assert_eq!(
        admin.get("/admin/log?scope=mine").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        admin.get("/admin/log?max_id=abc").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Moderators and members do not read it; visitors are sent to sign in.
    assert_eq!(
        moderator.get("/admin/log").await.status,
        StatusCode::FORBIDDEN
    );
    let visitor = app.browser().get("/admin/log").await;
    assert_ne!(visitor.status, StatusCode::OK);
    assert!(!visitor.contains("Rôle de bob"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_action_leaves_no_entry_and_the_log_pages_back() {
    let app = spawn_app().await;
    let (admin, admin_id) = signed_in(&app, "chef", Role::Admin).await;
    // The last administrator may not step down: refused, and nothing is logged.
    let refused = admin
        .submit(
            "/admin",
            &format!("/admin/users/{admin_id}/role"),
            &[("role", "member")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let filter = db::modlog::Filter::default();
    assert!(
        db::modlog::page(app.state.pool(), &filter, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // More entries than a page: an "older" link leads to the rest, each shown once.
    let n = coopol::service::modlog::PAGE + 5;
    for i in 0..n {
        let mode = if i % 2 == 0 { "open" } else { "approval" };
        let done = admin
            .submit("/admin", "/admin", &[("registration_mode", mode)])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
    }
    let first = admin.get("/admin/log").await;
    let count = |body: &str| body.matches("Mode d’inscription changé").count();
    assert_eq!(count(&first.body), coopol::service::modlog::PAGE as usize);
    let older_link = "class=\"button secondary\" href=\"";
    let start = first
        .body
        .find(&format!("{older_link}/admin/log?max_id="))
        .expect("an older page")
        + older_link.len();
    let href: String = first.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let older = admin.get(&href.replace("&amp;", "&")).await;
    assert_eq!(count(&older.body), 5, "{}", older.body);
    assert!(!older.contains(&format!("{older_link}/admin/log?max_id=")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_logs_show_in_the_second_tab_and_both_logs_are_forgotten_after_retention() {
    let app = spawn_app_with(|c| {
        c.moderation.log_retention = Some(Duration::from_secs(86_400));
    })
    .await;
    let (admin, _) = signed_in(&app, "chef", Role::Admin).await;
    let (sec, _) = signed_in(&app, "sec", Role::Member).await;
    let made = sec
        .submit(
            "/groups/new",
            "/groups",
            &[
                ("kind", "section"),
                ("name", "pau"),
                ("display_name", "Section de Pau"),
                ("summary", "La section du centre-ville"),
                ("join_mode", "approval"),
                ("postcode", "64000"),
                ("commune", "Pau"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let csv = sec.get("/groups/pau/members.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let done = admin
        .submit("/admin", "/admin", &[("registration_mode", "open")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    let groups = admin.get("/admin/log?scope=groups").await;
    assert_eq!(groups.status, StatusCode::OK);
    assert!(
        groups.contains("Export de la liste des membres"),
        "{}",
        groups.body
    );
    assert!(groups.contains("@sec"), "{}", groups.body);
    // The export is recorded, never the list itself.
    assert!(!groups.contains("sec@example.org"), "{}", groups.body);

    // Within the retention the hourly chore keeps everything.
    let now = coopol::clock::now();
    assert_eq!(
        coopol::service::modlog::chores(&app.state, now)
            .await
            .unwrap(),
        0
    );
    // Two days later both entries are forgotten, in both logs.
    let later = now + 2 * 86_400_000_000;
    assert_eq!(
        coopol::service::modlog::chores(&app.state, later)
            .await
            .unwrap(),
        2
    );
    assert!(
        !admin
            .get("/admin/log")
            .await
            .contains("Mode d’inscription changé")
    );
    assert!(
        !admin
            .get("/admin/log?scope=groups")
            .await
            .contains("Export de la liste")
    );
}
