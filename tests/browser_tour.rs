//! A tour of the main pages of a lived-in section's server, in a real Chromium at a phone's and
//! a desktop's size, in light and dark mode: each page passes the harness's checks (labelled
//! fields, no sideways scroll, no axe-core violation) and is photographed.
//!
//! The pictures go to a temporary folder, checked to be pictures of the right width; with
//! COOPOL_SCREENSHOTS_DIR set (scripts/screenshots sets it to docs/screenshots) they are kept
//! there, as the documentation's screenshots.

mod common;

use common::chrome::{
    Chrome, DESKTOP, PASSWORD, PHONE, check_page, chrome, set_language, sign_in, wait_for,
};
use common::{TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

const API: &str = "/api/coopol/v1";

/// `days` from now at `hour`:00 UTC, as RFC 3339.
fn in_days(days: i64, hour: u32) -> String {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    day.and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = app.post_json(path, Some(token), &body).await;
    assert!(
        status == StatusCode::OK || status == StatusCode::CREATED,
        "{path}: {status} {answer}"
    );
    answer
}

/// What the tour visits: the section of Pau with its secretary, members, discussions, an event
/// and a mission with shifts that people took. Returns (event id, mission id, a post's path).
async fn lived_in(app: &TestApp) -> (String, String, String) {
    // Made with common's password, which is the harness's PASSWORD: the browser signs in as them.
    let (_, sec) = app.user_with_token("secretaire", "read write follow").await;
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    post(
        app,
        &sec,
        &format!("{API}/groups"),
        json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
               "summary": "La section de **Pau** : réunions le mardi au local, tractages le samedi.",
               "join_mode": "open", "place": {"postcode": "64000", "commune": "Pau"}}),
    )
    .await;
    for token in [&ana, &bob] {
        post(app, token, &format!("{API}/groups/pau/join"), json!({})).await;
    }
    post(
        app,
        &sec,
        &format!("{API}/groups/pau/posts"),
        json!({"title": "Réunion de rentrée", "status": "Mardi 19 h au local, ordre du jour : les municipales.",
               "visibility": "public"}),
    )
    .await;
    let event = post(
        app,
        &sec,
        &format!("{API}/events"),
        json!({"name": "Assemblée générale", "group": "pau", "place_name": "Salle des fêtes",
               "postcode": "64000", "start_time": in_days(5, 17), "end_time": in_days(5, 19),
               "description": "Bilan de l'année et élection du bureau."}),
    )
    .await;
    let mission = post(
        app,
        &sec,
        &format!("{API}/events"),
        json!({"name": "Tractage au marché", "group": "pau", "place_name": "Halles de Pau",
               "postcode": "64000",
               "shifts": [{"start_time": in_days(6, 7), "end_time": in_days(6, 9), "needed": 4},
                          {"start_time": in_days(6, 9), "end_time": in_days(6, 11), "needed": 4}]}),
    )
    .await;
    let mission_id = mission["id"].as_str().unwrap().to_string();
    let (_, shifts) = app
        .get_json(&format!("{API}/events/{mission_id}/shifts"), Some(&ana))
        .await;
    let first = shifts[0]["id"].as_str().unwrap().to_string();
    for token in [&ana, &bob] {
        post(
            app,
            token,
            &format!("{API}/events/{mission_id}/shifts/{first}/participation"),
            json!({}),
        )
        .await;
    }
    let status = post(
        app,
        &ana,
        "/api/v1/statuses",
        json!({"status": "J'apporte les tracts samedi, qui a des pinces à linge ?",
               "visibility": "public"}),
    )
    .await;
    post(
        app,
        &bob,
        "/api/v1/statuses",
        json!({"status": "Moi ! Rendez-vous devant les Halles.", "visibility": "public",
               "in_reply_to_id": status["id"]}),
    )
    .await;
    (
        event["id"].as_str().unwrap().to_string(),
        mission_id,
        format!("/@ana/{}", status["id"].as_str().unwrap()),
    )
}

/// Where the pictures go: COOPOL_SCREENSHOTS_DIR, or a temporary folder.
fn shots_dir() -> (std::path::PathBuf, Option<tempfile::TempDir>) {
    match std::env::var("COOPOL_SCREENSHOTS_DIR") {
        Ok(dir) if !dir.is_empty() => {
            std::fs::create_dir_all(&dir).unwrap();
            (dir.into(), None)
        }
        _ => {
            let tmp = tempfile::tempdir().unwrap();
            (tmp.path().to_path_buf(), Some(tmp))
        }
    }
}

/// Checks the current page at `size`, then photographs it as `<name>-<phone|desktop>.png`.
async fn shoot(chrome: &Chrome, dir: &std::path::Path, name: &str, size: (u32, u32)) {
    chrome.size(size).await;
    let label = if size == PHONE { "phone" } else { "desktop" };
    check_page(&chrome.client, &format!("{name} ({label})")).await;
    let png = chrome.screenshot_full().await;
    let picture = image::load_from_memory(&png).expect("a PNG");
    assert!(
        picture.width() >= size.0 && picture.height() > 100,
        "{name}: a {}x{} picture",
        picture.width(),
        picture.height()
    );
    std::fs::write(dir.join(format!("{name}-{label}.png")), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tour_of_the_main_pages_on_a_phone_and_a_desktop() {
    let Some(b) = chrome().await else { return };
    let app = spawn_app().await;
    app.create_user("admin", PASSWORD, Role::Admin).await;
    let (event, mission, thread) = lived_in(&app).await;
    let (dir, _tmp) = shots_dir();
    let c = &b.client;

    let visitor = [
        ("accueil-visiteur", "/".to_string()),
        ("trouver-ma-section", "/groups?postcode=64000".to_string()),
        ("section", "/@pau".to_string()),
        ("evenement", format!("/events/{event}")),
        ("a-propos", "/about".to_string()),
    ];
    for (name, path) in &visitor {
        c.goto(&app.url(path)).await.unwrap();
        for size in [PHONE, DESKTOP] {
            shoot(&b, &dir, name, size).await;
        }
    }

    sign_in(c, &app, "ana@example.org").await;
    let member = [
        ("fil", "/".to_string()),
        ("mission", format!("/events/{mission}")),
        ("missions", "/missions".to_string()),
        ("agenda", "/agenda".to_string()),
        ("discussion", thread.clone()),
        ("notifications", "/notifications".to_string()),
        ("reglages", "/settings".to_string()),
    ];
    for (name, path) in &member {
        c.goto(&app.url(path)).await.unwrap();
        wait_for(c, "form[action='/auth/sign_out']").await;
        for size in [PHONE, DESKTOP] {
            shoot(&b, &dir, name, size).await;
        }
    }
    // Dark mode follows the system's setting.
    b.dark(true).await;
    c.goto(&app.url(&format!("/events/{mission}")))
        .await
        .unwrap();
    shoot(&b, &dir, "mission-sombre", PHONE).await;
    b.dark(false).await;
    // And in English.
    set_language(c, &app, "en").await;
    c.goto(&app.url("/")).await.unwrap();
    shoot(&b, &dir, "home-english", PHONE).await;

    b.close().await;
    app.stop().await;
}
