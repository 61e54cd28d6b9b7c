//! Part D's pages in a real headless Chromium (the harness is `tests/common/chrome.rs`): the
//! landing page a visitor sees and "Trouver ma section" from it, a group's tabs, an event
//! with who organizes it, and a profile with the groups its person chose to show, ticked in
//! Settings → Profile. Each page is checked at phone and desktop sizes, light and dark:
//! labelled fields, no sideways scroll, no axe-core violation.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them this test prints a notice
//! and passes, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::chrome::{
    PASSWORD, check_everywhere, chrome, click, fill_by_label, sign_in, wait_for_text,
};
use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;

async fn act(browser: &Browser, page: &str, action: &str, form: &[(&str, &str)]) -> String {
    let done = browser.submit(page, action, form).await;
    assert_eq!(
        done.status,
        StatusCode::SEE_OTHER,
        "{action} refused:\n{}",
        done.body
    );
    done.location.unwrap()
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A section `pau` with a discussion, a public event and a public mission; the secretary
/// (signed in over HTTP) and the event's page.
async fn section(app: &TestApp) -> (Browser, String) {
    app.create_user("secretaire", PASSWORD, Role::Member).await;
    let sec = app.browser();
    sec.sign_in("secretaire@example.org", PASSWORD).await;
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", "pau"),
            ("display_name", "Section de Pau"),
            ("postcode", "64000"),
            ("join_mode", "open"),
        ],
    )
    .await;
    act(
        &sec,
        "/groups/pau/discussions",
        "/groups/pau/post",
        &[
            ("title", "Réunion de rentrée"),
            ("status", "On se retrouve jeudi"),
            ("audience", "public"),
        ],
    )
    .await;
    let event = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Tractage au marché"),
            ("start_time", &in_days(5, 9)),
            ("end_time", &in_days(5, 12)),
            ("postcode", "64000"),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Collage d’affiches"),
            ("postcode", "64000"),
            ("audience", "public"),
            ("shift1_start", &in_days(6, 20)),
            ("shift1_end", &in_days(6, 21)),
            ("shift1_needed", "2"),
        ],
    )
    .await;
    (sec, event)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_finds_the_section_and_a_member_shows_it_on_her_profile() {
    let Some(browser) = chrome().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;
    let (_sec, event) = section(&app).await;
    app.create_user("ana", PASSWORD, Role::Member).await;

    // The landing page, then "Trouver ma section" with a postcode.
    check_everywhere(&browser, &app, "/").await;
    c.goto(&app.url("/")).await.unwrap();
    wait_for_text(c, "Tractage au marché").await;
    check_everywhere(&browser, &app, "/?postcode=64000").await;
    c.goto(&app.url("/")).await.unwrap();
    fill_by_label(c, "Code postal", "64000").await;
    click(c, "form.landing-find button[type=submit]:not([formaction])").await;
    wait_for_text(c, "Section de Pau").await;

    // The group's tabs and an event, as a visitor.
    for path in [
        "/@pau",
        "/groups/pau/discussions",
        "/groups/pau/agenda",
        "/groups/pau/missions",
        event.as_str(),
    ] {
        check_everywhere(&browser, &app, path).await;
    }
    c.goto(&app.url(event.as_str())).await.unwrap();
    wait_for_text(c, "Organisé par").await;

    // Ana joins, shows the section on her profile, and her profile lists it.
    sign_in(c, &app, "ana@example.org").await;
    c.goto(&app.url("/@pau")).await.unwrap();
    click(c, "form.join-form button[type=submit]").await;
    wait_for_text(c, "Quitter le groupe").await;
    for path in ["/groups/pau/discussions", "/groups/pau/members"] {
        check_everywhere(&browser, &app, path).await;
    }
    c.goto(&app.url("/settings")).await.unwrap();
    wait_for_text(c, "Groupes affichés sur mon profil").await;
    // Her one group's box (its label also holds the handle and the logo).
    click(c, "label.group-box input[type=checkbox]").await;
    click(c, "form.profile-groups-form button[type=submit]").await;
    wait_for_text(c, "Groupes de votre profil enregistrés").await;
    check_everywhere(&browser, &app, "/settings").await;
    check_everywhere(&browser, &app, "/@ana").await;
    c.goto(&app.url("/@ana")).await.unwrap();
    wait_for_text(c, "Section de Pau").await;

    browser.close().await;
    app.stop().await;
}
