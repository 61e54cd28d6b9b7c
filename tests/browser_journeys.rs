//! The two journeys the web interface is for, in a real Chromium, on a phone and on a desktop:
//! a secretary signs up, creates the section, an event and a mission with two shifts; a
//! member who is not signed in finds the section by its postcode on the landing page, signs
//! up, joins it, takes a shift from the mission's card in the home timeline and finds it in
//! the agenda. Every page on the way passes the harness's checks (fields labelled, no
//! sideways scroll, no axe-core violation); the harness is `tests/common/chrome.rs`.

mod common;

use common::chrome::{
    Chrome, DESKTOP, PASSWORD, PHONE, check_page, chrome, click, fill_by_label, sign_out,
    wait_for_text,
};
use common::{TestApp, spawn_app};
use fantoccini::Locator;
use serde_json::json;

/// A `datetime-local` field's value `days` from now at `hour`:00 (browsers type these
/// differently by language; a person picks them; the test sets them).
fn local_time(days: i64, hour: u32) -> String {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{}T{hour:02}:00", day.format("%Y-%m-%d"))
}

async fn set_value(c: &fantoccini::Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap();
}

async fn sign_up(c: &fantoccini::Client, app: &TestApp, name: &str) {
    c.goto(&app.url("/auth/sign_up")).await.unwrap();
    check_page(c, "/auth/sign_up").await;
    fill_by_label(c, "Nom d'utilisateur", name).await;
    fill_by_label(
        c,
        "Adresse e-mail",
        &format!("{}@example.org", name.to_lowercase()),
    )
    .await;
    fill_by_label(c, "Mot de passe", PASSWORD).await;
    fill_by_label(c, "Confirmation du mot de passe", PASSWORD).await;
    click(c, "#agreement").await;
    click(c, "form.card button[type=submit]").await;
    wait_for_text(c, "Bienvenue").await;
    check_page(c, &format!("home of {name}")).await;
}

/// The secretary's journey: the section, an event, a mission with two shifts.
async fn secretary(b: &Chrome, app: &TestApp, size: &str) {
    let c = &b.client;
    sign_up(c, app, "Camille").await;

    c.goto(&app.url("/groups/new")).await.unwrap();
    check_page(c, &format!("/groups/new ({size})")).await;
    fill_by_label(c, "Nom", "pau").await;
    fill_by_label(c, "Nom affiché", "Section de Pau").await;
    fill_by_label(c, "Code postal", "64000").await;
    click(c, "input[name=join_mode][value=open]").await;
    click(c, "form.card button[type=submit]").await;
    wait_for_text(c, "Groupe créé").await;
    check_page(c, &format!("the new section ({size})")).await;

    c.goto(&app.url("/events/new?group=pau")).await.unwrap();
    check_page(c, &format!("/events/new ({size})")).await;
    fill_by_label(c, "Nom", "Assemblée générale").await;
    set_value(c, "start_time", &local_time(5, 18)).await;
    set_value(c, "end_time", &local_time(5, 20)).await;
    fill_by_label(c, "Lieu", "Salle des fêtes").await;
    click(c, "form.card button[type=submit]").await;
    wait_for_text(c, "Événement créé").await;
    check_page(c, &format!("the event ({size})")).await;

    c.goto(&app.url("/events/new?group=pau")).await.unwrap();
    fill_by_label(c, "Nom", "Tractage au marché").await;
    fill_by_label(c, "Lieu", "Halles de Pau").await;
    set_value(c, "shift1_start", &local_time(6, 8)).await;
    set_value(c, "shift1_end", &local_time(6, 10)).await;
    set_value(c, "shift1_needed", "4").await;
    set_value(c, "shift2_start", &local_time(6, 10)).await;
    set_value(c, "shift2_end", &local_time(6, 12)).await;
    set_value(c, "shift2_needed", "4").await;
    click(c, "form.card button[type=submit]").await;
    let page = wait_for_text(c, "Mission créée").await;
    assert!(page.contains("Tractage au marché"), "{page}");
    check_page(c, &format!("the mission ({size})")).await;
    sign_out(c).await;
}

/// The member's journey: from the landing page to a shift in the agenda.
async fn member(b: &Chrome, app: &TestApp, size: &str) {
    let c = &b.client;
    c.goto(&app.url("/")).await.unwrap();
    wait_for_text(c, "Trouver ma section").await;
    check_page(c, &format!("the landing page ({size})")).await;
    c.find(Locator::Css("input[name=postcode]"))
        .await
        .unwrap()
        .send_keys("64000")
        .await
        .unwrap();
    click(c, "form[action='/groups'] button[type=submit]").await;
    wait_for_text(c, "Section de Pau").await;
    check_page(c, &format!("the directory by postcode ({size})")).await;
    click(c, "a[href='/@pau']").await;
    wait_for_text(c, "Section de Pau").await;
    check_page(c, &format!("the section's page ({size})")).await;

    sign_up(c, app, "Dominique").await;
    c.goto(&app.url("/@pau")).await.unwrap();
    click(c, "form[action='/groups/pau/join'] button[type=submit]").await;
    wait_for_text(c, "Vous êtes membre du groupe").await;

    // The secretary's next mission reaches the member's home timeline, as one post with a
    // card: the member takes the first shift from there.
    let client = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let sec = app
        .password_token(&client, "camille@example.org", PASSWORD, "read write")
        .await;
    let start = |h: i64| {
        (chrono::Utc::now() + chrono::Duration::days(7) + chrono::Duration::hours(h))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let (status, body) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&sec),
            &json!({"name": "Collage d'affiches", "group": "pau", "place_name": "Local",
                    "postcode": "64000",
                    "shifts": [{"start_time": start(0), "end_time": start(2), "needed": 3},
                               {"start_time": start(2), "end_time": start(4), "needed": 3}]}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    c.goto(&app.url("/")).await.unwrap();
    let home = wait_for_text(c, "Collage d'affiches").await;
    assert_eq!(
        home.matches("Collage d'affiches").count(),
        1,
        "one post for the mission and its shifts:\n{home}"
    );
    check_page(c, &format!("the home timeline with a mission ({size})")).await;
    click(c, ".status-event-actions a").await;
    wait_for_text(c, "Créneaux").await;
    check_page(c, &format!("the mission's page ({size})")).await;
    click(
        c,
        "form[action*='/shifts/'][action$='/join'] button[type=submit]",
    )
    .await;
    wait_for_text(c, "Vous participez").await;

    c.goto(&app.url("/agenda")).await.unwrap();
    let agenda = wait_for_text(c, "Mes participations").await;
    let mine = &agenda[agenda.find("Mes participations").unwrap()..];
    assert!(mine.contains("Collage d'affiches"), "{agenda}");
    check_page(c, &format!("my agenda ({size})")).await;
    sign_out(c).await;
}

async fn journeys_at(size: (u32, u32), label: &str) {
    let Some(b) = chrome().await else { return };
    b.size(size).await;
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    secretary(&b, &app, label).await;
    member(&b, &app, label).await;
    b.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretary_and_the_member_on_a_phone() {
    journeys_at(PHONE, "phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretary_and_the_member_on_a_desktop() {
    journeys_at(DESKTOP, "desktop").await;
}
