//! The report form and the moderation queue in a real headless Chromium through ChromeDriver:
//! a member reports a post from its "Signaler" link, choosing a category and writing a
//! comment; a moderator finds it in the queue, reads the post, takes it, writes a note and
//! resolves it. The harness is `tests/common/chrome.rs`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them this test prints a notice
//! and passes, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::chrome::{
    PASSWORD, check_inputs_are_labelled, chrome, click, fill_by_label, sign_in, sign_out, tap,
    wait_for_text,
};
use common::spawn_app;
use coopol::domain::Role;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reports_a_post_and_a_moderator_resolves_it() {
    let Some(browser) = chrome().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;
    let (_, bob_token) = app.user_with_token("bob", "read write").await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    app.create_user("modo", PASSWORD, Role::Moderator).await;
    let (_, posted) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob_token),
            &json!({"status": "Montres à prix cassés", "visibility": "public"}),
        )
        .await;
    let post_id = posted["id"].as_str().unwrap().to_string();

    // Alice reports the post from its link.
    sign_in(c, &app, "alice@example.org").await;
    c.goto(&app.url(&format!("/@bob/{post_id}"))).await.unwrap();
    wait_for_text(c, "Montres à prix cassés").await;
    let report = c.find(Locator::LinkText("Signaler")).await.unwrap();
    tap(c, &report).await;
    wait_for_text(c, "Signaler bob à l’équipe de modération").await;
    check_inputs_are_labelled(c).await;
    click(c, "input[name=category][value=spam]").await;
    fill_by_label(c, "Commentaire", "Il poste la même publicité chaque heure").await;
    click(c, "form.card button[type=submit]").await;
    wait_for_text(c, "votre signalement a été transmis").await;
    sign_out(c).await;
    wait_for_text(c, "Vous êtes déconnecté").await;

    // The moderator finds it in the queue, takes it, writes a note, resolves it.
    sign_in(c, &app, "modo@example.org").await;
    // The queue is in the menu ("Plus").
    click(c, "details.nav-more > summary").await;
    let queue = c.find(Locator::LinkText("Signalements")).await.unwrap();
    tap(c, &queue).await;
    wait_for_text(c, "Spam, publicité").await;
    check_inputs_are_labelled(c).await;
    click(c, "table a[href^='/admin/reports/']").await;
    let page = wait_for_text(c, "Il poste la même publicité chaque heure").await;
    assert!(page.contains("Montres à prix cassés"), "{page}");
    check_inputs_are_labelled(c).await;
    click(c, "form[action$='/assign'] button").await;
    wait_for_text(c, "Vous prenez en charge ce signalement").await;
    fill_by_label(c, "Nouvelle note", "Averti par message").await;
    click(c, "form[action$='/note'] button").await;
    wait_for_text(c, "Averti par message").await;
    click(c, "form[action$='/resolve'] button").await;
    let page = wait_for_text(c, "Signalement résolu").await;
    assert!(page.contains("Rouvrir"), "{page}");
    app.stop().await;
}
