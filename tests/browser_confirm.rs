//! Confirmations in a real headless Chromium (through ChromeDriver, `tests/common/chrome.rs`):
//! a member deletes a post at phone size through its confirmation page (first changing their
//! mind with "Annuler"), and the confirmation pages of leaving a group, cancelling an event
//! and removing a member pass the page checks (labels, no sideways scroll, axe-core) on a
//! phone and a desktop. No JavaScript is involved: the pages are plain forms and links.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them this test prints a notice
//! and passes, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::chrome::{
    Chrome, DESKTOP, PASSWORD, PHONE, check_page, chrome, click, sign_in, sign_out, wait_for_text,
};
use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;

async fn member(app: &TestApp, name: &str) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

async fn act(browser: &Browser, page: &str, action: &str, form: &[(&str, &str)]) -> String {
    let done = browser.submit(page, action, form).await;
    assert_eq!(
        done.status,
        StatusCode::SEE_OTHER,
        "{action}:\n{}",
        done.body
    );
    done.location.unwrap_or_default()
}

/// Checks the page the browser shows at a phone's and a desktop's size.
async fn check_both_sizes(chrome: &Chrome, what: &str) {
    for size in [PHONE, DESKTOP] {
        chrome.size(size).await;
        check_page(&chrome.client, &format!("{what} at {}x{}", size.0, size.1)).await;
    }
    chrome.size(PHONE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_deletes_a_post_through_its_confirmation() {
    let Some(browser) = chrome().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    act(
        &alice,
        "/",
        "/statuses",
        &[
            ("status", "Banderole oubliée dans le local"),
            ("visibility", "public"),
        ],
    )
    .await;

    sign_in(c, &app, "alice@example.org").await;
    c.goto(&app.url("/")).await.unwrap();
    wait_for_text(c, "Banderole oubliée dans le local").await;
    click(c, "form[action$='/delete'] button").await;
    let page = wait_for_text(c, "Supprimer ce message\u{202f}?").await;
    assert!(page.contains("Banderole oubliée dans le local"), "{page}");
    check_both_sizes(&browser, "delete confirmation").await;

    // Changing one's mind: back, the post is still there.
    c.find(fantoccini::Locator::LinkText("Annuler"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Banderole oubliée dans le local").await;

    // Deleting it for good.
    click(c, "form[action$='/delete'] button").await;
    wait_for_text(c, "Supprimer ce message\u{202f}?").await;
    click(c, "form.actions button.danger").await;
    let page = wait_for_text(c, "Publication supprimée.").await;
    assert!(!page.contains("Banderole oubliée dans le local"), "{page}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_confirmation_pages_pass_the_checks() {
    let Some(browser) = chrome().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;
    let (sec, _) = member(&app, "secretaire").await;
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
    let start = (chrono::Utc::now() + chrono::Duration::days(4))
        .format("%Y-%m-%dT09:00")
        .to_string();
    let end = (chrono::Utc::now() + chrono::Duration::days(4))
        .format("%Y-%m-%dT11:00")
        .to_string();
    let event = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Tractage au marché"),
            ("start_time", &start),
            ("end_time", &end),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    let (alice, _) = member(&app, "alice").await;
    act(&alice, "/@pau", "/groups/pau/join", &[]).await;

    // Alice is asked before leaving the section.
    sign_in(c, &app, "alice@example.org").await;
    c.goto(&app.url("/@pau")).await.unwrap();
    click(c, "form[action$='/leave'] button").await;
    wait_for_text(c, "Quitter Section de Pau\u{202f}?").await;
    check_both_sizes(&browser, "leave confirmation").await;
    sign_out(c).await;
    wait_for_text(c, "Vous êtes déconnecté").await;

    // The secretary is asked before cancelling the event and removing alice.
    sign_in(c, &app, "secretaire@example.org").await;
    c.goto(&app.url(&event)).await.unwrap();
    click(c, "form[action$='/cancel'] button").await;
    wait_for_text(c, "Annuler l’événement").await;
    check_both_sizes(&browser, "cancel confirmation").await;
    c.goto(&app.url("/groups/pau/members")).await.unwrap();
    click(c, "form[action$='/remove'] button").await;
    wait_for_text(c, "Retirer alice du groupe\u{202f}?").await;
    check_both_sizes(&browser, "remove confirmation").await;
    click(c, "form.actions button.danger").await;
    wait_for_text(c, "Personne retirée du groupe.").await;
    browser.close().await;
}
