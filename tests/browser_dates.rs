//! Dates in a real headless Chromium: a member chooses Guadeloupe's time zone in Settings →
//! Préférences (a menu of some 600 zones, France's first), and her home page then shows her
//! post's time in that zone; both pages pass the shared checks (labels, no sideways scroll,
//! axe-core) on a phone and on a desktop. The harness is `tests/common/chrome.rs`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them this test prints a notice
//! and passes, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::chrome::{DESKTOP, PHONE, check_page, chrome, click, sign_in, wait_for, wait_for_text};
use common::spawn_app;
use coopol::domain::Role;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_chooses_her_time_zone_and_reads_times_in_it() {
    let Some(browser) = chrome().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;
    let (lea_id, token) = app.user_with_token("lea", "read write").await;
    app.create_user("marie", common::chrome::PASSWORD, Role::Member)
        .await;
    let (_, posted) = app
        .post_json(
            "/api/v1/statuses",
            Some(&token),
            &json!({"status": "Porte-à-porte samedi matin", "visibility": "public"}),
        )
        .await;
    let id = posted["id"].as_str().unwrap().to_string();
    // Written on 5 December 2026 at 03:18 UTC.
    sqlx::query("UPDATE statuses SET created_at = $2 WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .bind(1_796_440_680_000_000_i64)
        .execute(app.state.pool())
        .await
        .unwrap();

    sign_in(c, &app, "marie@example.org").await;
    c.goto(&app.url("/settings/preferences")).await.unwrap();
    wait_for_text(c, "Fuseau horaire").await;
    for size in [PHONE, DESKTOP] {
        browser.size(size).await;
        check_page(c, "the preferences page").await;
    }
    browser.size(PHONE).await;
    c.find(Locator::Id("time_zone"))
        .await
        .unwrap()
        .select_by_value("America/Guadeloupe")
        .await
        .unwrap();
    click(
        c,
        "form[action='/settings/preferences'] button[type=submit]",
    )
    .await;
    wait_for_text(c, "Préférences enregistrées.").await;

    // Marie follows nobody: Léa's post is on Léa's page, in Marie's zone.
    c.goto(&app.url(&format!("/@lea/{id}"))).await.unwrap();
    wait_for_text(c, "Porte-à-porte samedi matin").await;
    let datetime: serde_json::Value = c
        .execute(
            "return document.querySelector('article.status time').getAttribute('datetime');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(datetime, json!("2026-12-04T23:18:00-04:00"));
    c.goto(&app.url("/")).await.unwrap();
    wait_for(c, "form[action='/auth/sign_out']").await;
    for size in [PHONE, DESKTOP] {
        browser.size(size).await;
        check_page(c, "the home page").await;
    }

    // An event in Paris, read from Guadeloupe: its own times, its zone named; the event page
    // and the agenda pass the checks too.
    let lea = coopol::db::accounts::by_id(app.state.pool(), lea_id)
        .await
        .unwrap()
        .unwrap();
    let day = (chrono::Utc::now() + chrono::Duration::days(12)).date_naive();
    let event = coopol::service::events::create(
        &app.state,
        &lea,
        coopol::service::events::NewEventInput {
            name: "Assemblée de section".into(),
            start_time: format!("{day}T18:30"),
            end_time: format!("{day}T21:00"),
            timezone: Some("Europe/Paris".into()),
            place_name: Some("Bourse du travail".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for path in [
        format!("/events/{}", event.row.status_id),
        "/agenda".to_string(),
    ] {
        c.goto(&app.url(&path)).await.unwrap();
        wait_for_text(c, "(heure de Paris)").await;
        for size in [PHONE, DESKTOP] {
            browser.size(size).await;
            check_page(c, &path).await;
        }
    }
    browser.close().await;
}
