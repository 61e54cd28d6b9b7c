//! Missions from anywhere in a real headless Chromium (`tests/common/chrome.rs`), at phone
//! size: a member signs up for an event in one click from the card under its post in the home
//! timeline, reaches a mission's shifts from its card and takes one, then takes and leaves a
//! shift from the missions board; every page passes `check_page` at 390 and 1280 wide.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them this test prints a notice
//! and passes, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::act;

use common::chrome::{DESKTOP, PASSWORD, PHONE, check_page, chrome, click, sign_in, wait_for_text};
use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use fantoccini::Client;

async fn member(app: &TestApp, name: &str) -> Browser {
    app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    browser
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// `check_page` at phone and desktop width; leaves the browser at phone size.
async fn check_both(chrome: &common::chrome::Chrome, what: &str) {
    let c: &Client = &chrome.client;
    for size in [DESKTOP, PHONE] {
        chrome.size(size).await;
        check_page(c, &format!("{what} at {}x{}", size.0, size.1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_takes_part_from_the_timeline_and_the_board() {
    let Some(browser) = chrome().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;

    // The secretary of Pau's section publishes an event and a mission with two shifts.
    let sec = member(&app, "secretaire").await;
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
    let ana = member(&app, "ana").await;
    act(&ana, "/@pau", "/groups/pau/join", &[]).await;
    let event_path = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Tractage au marché"),
            ("start_time", &in_days(5, 9)),
            ("end_time", &in_days(5, 12)),
            ("place_name", "Halles"),
            ("postcode", "64000"),
            ("capacity", "4"),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    let mission_path = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Collage"),
            ("audience", "public"),
            ("shift1_start", &in_days(3, 18)),
            ("shift1_end", &in_days(3, 19)),
            ("shift1_needed", "2"),
            ("shift2_start", &in_days(3, 19)),
            ("shift2_end", &in_days(3, 20)),
            ("shift2_needed", "1"),
        ],
    )
    .await;

    // Ana, on her phone: the home timeline shows both posts with their cards.
    browser.size(PHONE).await;
    sign_in(c, &app, "ana@example.org").await;
    c.goto(&app.url("/")).await.unwrap();
    wait_for_text(c, "Voir les créneaux").await;
    wait_for_text(c, "0/4 inscrit·e").await;
    check_both(&browser, "home").await;

    // One click on the event's card: she takes part and stays on her timeline.
    click(c, &format!("form[action=\"{event_path}/join\"] button")).await;
    wait_for_text(c, "Vous participez.").await;
    wait_for_text(c, "1/4 inscrit·e").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/");
    check_both(&browser, "home after signing up").await;

    // The mission's card leads to its shifts; she takes the first.
    click(c, &format!("a.button[href=\"{mission_path}\"]")).await;
    wait_for_text(c, "Créneaux").await;
    check_both(&browser, "mission page").await;
    click(
        c,
        &format!("form[action^=\"{mission_path}/shifts/\"] button"),
    )
    .await;
    wait_for_text(c, "Vous participez.").await;
    wait_for_text(c, "1/3 inscrit·e").await;

    // The board: the other shift, taken and left from there.
    c.goto(&app.url("/missions")).await.unwrap();
    wait_for_text(c, "Collage").await;
    check_both(&browser, "missions board").await;
    click(c, ".mission-shift form[action$=\"/join\"] button").await;
    wait_for_text(c, "Vous participez.").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/missions");
    wait_for_text(c, "2/3 inscrit·e").await;
    check_both(&browser, "missions board after signing up").await;
    click(c, ".mission-shift form[action$=\"/leave\"] button").await;
    wait_for_text(c, "Vous ne participez plus.").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/missions");

    // The group's page shows the cards too.
    c.goto(&app.url("/groups/pau/agenda")).await.unwrap();
    wait_for_text(c, "Tractage au marché").await;
    check_both(&browser, "group page").await;
    browser.close().await;
    app.stop().await;
}
