//! Dates people read on the web pages: a post's time in the reader's zone (Paris, Guadeloupe),
//! always in a `<time datetime>` element; relative times ("il y a 3 min", "hier") in French and
//! English; the time zone preference saved, and a bad one refused with nothing lost; an event
//! keeping its own zone and naming it; a new event taking its organizer's zone.

mod common;

use chrono::TimeZone;
use common::{Browser, TestApp, spawn_app};
use coopol::{db, domain::Role};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn member(app: &TestApp, name: &str) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

/// Posts from the web composer; returns the new post's id.
async fn post(app: &TestApp, browser: &Browser, author: i64, text: &str) -> i64 {
    let done = browser
        .submit(
            "/",
            "/statuses",
            &[("status", text), ("visibility", "public")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    sqlx::query_scalar("SELECT id FROM statuses WHERE account_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(author)
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

/// Moves a post's time (as a post written then would have it).
async fn date_post(app: &TestApp, id: i64, micros: i64) {
    sqlx::query("UPDATE statuses SET created_at = $2 WHERE id = $1")
        .bind(id)
        .bind(micros)
        .execute(app.state.pool())
        .await
        .unwrap();
}

async fn set_zone(browser: &Browser, locale: &str, zone: &str) -> common::Page {
    browser
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[("locale", locale), ("time_zone", zone)],
        )
        .await
}

async fn stored_zone(app: &TestApp, id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT time_zone FROM users WHERE account_id = $1")
        .bind(id)
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

/// 5 December 2026 at 03:18 UTC: 04:18 in Paris, 23:18 on the 4th in Guadeloupe.
fn early_morning() -> i64 {
    chrono::Utc
        .with_ymd_and_hms(2026, 12, 5, 3, 18, 0)
        .unwrap()
        .timestamp_micros()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_shows_its_time_in_the_readers_zone() {
    let app = spawn_app().await;
    let (alice, alice_id) = member(&app, "alice").await;
    let id = post(&app, &alice, alice_id, "Réunion ce soir").await;
    date_post(&app, id, early_morning()).await;
    let thread = format!("/@alice/{id}");

    // A Paris reader (the instance's zone): 04:18, not the UTC 03:18 shown as if local.
    let page = alice.get(&thread).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.contains("datetime=\"2026-12-05T04:18:00+01:00\""),
        "{}",
        page.body
    );
    assert!(
        page.contains("samedi 5\u{a0}décembre\u{a0}2026, 4\u{a0}h\u{a0}18 (Europe/Paris)"),
        "the exact local time is the element's title:\n{}",
        page.body
    );
    assert!(!page.contains("03:18"), "{}", page.body);

    // A visitor, signed out, reads the instance's zone too.
    let visitor = app.browser().get(&thread).await;
    assert!(visitor.contains("datetime=\"2026-12-05T04:18:00+01:00\""));

    // A reader in Guadeloupe: 23:18 the day before.
    let (bob, bob_id) = member(&app, "bob").await;
    let saved = set_zone(&bob, "", "America/Guadeloupe").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        stored_zone(&app, bob_id).await.as_deref(),
        Some("America/Guadeloupe")
    );
    let page = bob.get(&thread).await;
    assert!(
        page.contains("datetime=\"2026-12-04T23:18:00-04:00\""),
        "{}",
        page.body
    );
    assert!(
        page.contains("vendredi 4\u{a0}décembre\u{a0}2026, 23\u{a0}h\u{a0}18 (America/Guadeloupe)")
    );
    // The same on the home timeline and the author's page.
    let profile = bob.get("/@alice").await;
    assert!(
        profile.contains("datetime=\"2026-12-04T23:18:00-04:00\""),
        "{}",
        profile.body
    );

    // The API is unchanged: UTC.
    let (status, json) = app.get_json(&format!("/api/v1/statuses/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["created_at"], "2026-12-05T03:18:00.000Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_posts_say_how_long_ago_in_french_and_english() {
    let app = spawn_app().await;
    let (alice, alice_id) = member(&app, "alice").await;
    let now = coopol::clock::now();
    let minute = 60_000_000;

    let fresh = post(&app, &alice, alice_id, "Tout juste").await;
    let page = alice.get(&format!("/@alice/{fresh}")).await;
    assert!(page.contains(">à l’instant</time>"), "{}", page.body);

    let three_min = post(&app, &alice, alice_id, "Trois minutes").await;
    date_post(&app, three_min, now - 3 * minute - 30_000_000).await;
    let page = alice.get(&format!("/@alice/{three_min}")).await;
    assert!(page.contains(">il y a 3\u{a0}min</time>"), "{}", page.body);

    let three_hours = post(&app, &alice, alice_id, "Trois heures").await;
    date_post(&app, three_hours, now - 185 * minute).await;
    let page = alice.get(&format!("/@alice/{three_hours}")).await;
    assert!(page.contains(">il y a 3\u{a0}h</time>"), "{}", page.body);

    // Yesterday's first moment in Paris: more than a day ago, on yesterday's date.
    let paris = chrono_tz::Europe::Paris;
    let yesterday = (chrono::Utc::now().with_timezone(&paris).date_naive() - chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let yesterday = paris
        .from_local_datetime(&yesterday)
        .earliest()
        .unwrap()
        .timestamp_micros();
    let old = post(&app, &alice, alice_id, "Hier").await;
    date_post(&app, old, yesterday).await;
    let page = alice.get(&format!("/@alice/{old}")).await;
    assert!(page.contains(">hier</time>"), "{}", page.body);

    // In English (the language setting), the same posts.
    let english = alice
        .submit(
            "/settings/preferences",
            "/settings/preferences",
            &[("locale", "en"), ("time_zone", "")],
        )
        .await;
    assert_eq!(english.status, StatusCode::SEE_OTHER, "{}", english.body);
    let page = alice.get(&format!("/@alice/{three_min}")).await;
    assert!(page.contains(">3\u{a0}min ago</time>"), "{}", page.body);
    let page = alice.get(&format!("/@alice/{three_hours}")).await;
    assert!(page.contains(">3\u{a0}h ago</time>"), "{}", page.body);
    let page = alice.get(&format!("/@alice/{old}")).await;
    assert!(page.contains(">yesterday</time>"), "{}", page.body);
    let page = alice.get(&format!("/@alice/{fresh}")).await;
    assert!(page.contains(">just now</time>"), "{}", page.body);
    // An old post shows its day (with its exact time in English on hover).
    date_post(&app, fresh, early_morning()).await;
    let page = alice.get(&format!("/@alice/{fresh}")).await;
    assert!(
        page.contains("title=\"Saturday 5\u{a0}December\u{a0}2026, 4:18\u{a0}AM (Europe/Paris)\""),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_time_zone_is_refused_and_nothing_is_lost() {
    let app = spawn_app().await;
    let (alice, alice_id) = member(&app, "alice").await;
    assert_eq!(
        set_zone(&alice, "", "Indian/Reunion").await.status,
        StatusCode::SEE_OTHER
    );

    // The page offers the overseas zones first, the one chosen selected.
    let page = alice.get("/settings/preferences").await;
    for zone in [
        "Europe/Paris",
        "America/Guadeloupe",
        "America/Martinique",
        "America/Cayenne",
        "Indian/Reunion",
        "Indian/Mayotte",
        "Pacific/Noumea",
        "Pacific/Tahiti",
        "America/Miquelon",
    ] {
        assert!(
            page.contains(&format!("<option value=\"{zone}\"")),
            "{zone}"
        );
    }
    assert!(page.contains("<option value=\"Indian/Reunion\" selected>La Réunion"));
    let first = page.body.find("America/Miquelon").unwrap();
    assert!(
        first < page.body.find("Europe/Berlin").unwrap(),
        "France's zones come first"
    );

    for bad in [
        "Mars/Olympus",
        "\"><script>alert(1)</script>",
        "Europe/Paris/../x",
    ] {
        let refused = set_zone(&alice, "en", bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        // The message, by the field, in the page's language (still French: nothing saved).
        assert!(
            refused.contains("Ce fuseau horaire est inconnu"),
            "{}",
            refused.body
        );
        assert!(refused.contains("id=\"time_zone-error\""));
        assert!(refused.contains("aria-invalid=\"true\""));
        // What was chosen stays chosen: the bad zone as typed, escaped, and the language.
        assert!(!refused.body.contains("<script>alert"), "{}", refused.body);
        assert!(
            refused.contains("<option value=\"en\" selected>"),
            "{}",
            refused.body
        );
        // Nothing was saved: neither the language nor the zone.
        assert_eq!(
            stored_zone(&app, alice_id).await.as_deref(),
            Some("Indian/Reunion")
        );
        let user = db::accounts::user_by_id(app.state.pool(), alice_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.locale, None);
    }
    let refused = set_zone(&alice, "", "Mars/Olympus").await;
    assert!(refused.contains("<option value=\"Mars/Olympus\" selected>Mars/Olympus</option>"));

    // English too.
    let page = alice.get_in("/settings/preferences", "en").await;
    assert!(page.contains("Time zone"));
    assert_eq!(
        set_zone(&alice, "en", "").await.status,
        StatusCode::SEE_OTHER
    );
    let refused = set_zone(&alice, "en", "Mars/Olympus").await;
    assert!(
        refused.contains("This time zone is unknown"),
        "{}",
        refused.body
    );

    // Empty: back to the instance's zone.
    assert_eq!(stored_zone(&app, alice_id).await, None);
}

/// A date ten days from now, as a form's `datetime-local` field takes it.
fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_keeps_its_zone_and_a_new_one_takes_its_organizers() {
    let app = spawn_app().await;
    let (ana, ana_id) = member(&app, "ana").await;
    assert_eq!(
        set_zone(&ana, "", "America/Guadeloupe").await.status,
        StatusCode::SEE_OTHER
    );
    // Ana, in Guadeloupe, creates an event: its times are read in her zone.
    let (start, end) = (in_days(10, 8), in_days(10, 10));
    let done = ana
        .submit(
            "/events/new",
            "/events",
            &[
                ("name", "Distribution de tracts"),
                ("start_time", &start),
                ("end_time", &end),
                ("join_mode", "free"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let path = done.location.unwrap();
    let zone: String = sqlx::query_scalar("SELECT timezone FROM events WHERE name = $1")
        .bind("Distribution de tracts")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(zone, "America/Guadeloupe");
    let starts_at: i64 = sqlx::query_scalar("SELECT starts_at FROM events WHERE name = $1")
        .bind("Distribution de tracts")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    let expected = chrono_tz::America::Guadeloupe
        .from_local_datetime(
            &chrono::NaiveDateTime::parse_from_str(&start, "%Y-%m-%dT%H:%M").unwrap(),
        )
        .earliest()
        .unwrap();
    assert_eq!(starts_at, expected.timestamp_micros());
    let machine = format!("datetime=\"{start}:00-04:00\"");

    // Ana reads it in her zone: no zone named.
    let page = ana.get(&path).await;
    assert!(page.contains(&machine), "{}", page.body);
    assert!(!page.contains("(heure de la Guadeloupe)"), "{}", page.body);

    // A Paris reader reads the event's own times, its zone named; English names it too.
    let (paul, _) = member(&app, "paul").await;
    let page = paul.get(&path).await;
    assert!(page.contains(&machine), "{}", page.body);
    assert!(page.contains("8\u{a0}h</time> – <time"), "{}", page.body);
    assert!(page.contains("(heure de la Guadeloupe)"), "{}", page.body);
    let agenda = paul.get("/agenda").await;
    assert!(
        agenda.contains("(heure de la Guadeloupe)"),
        "{}",
        agenda.body
    );
    let page = app.browser().get_in(&path, "en").await;
    assert!(page.contains("(Guadeloupe time)"), "{}", page.body);
    assert!(page.contains("8:00\u{a0}AM</time>"), "{}", page.body);

    // Ana edits it: the form shows her event's local times, and saving keeps its zone.
    let edit = ana.get(&format!("{path}/edit")).await;
    assert!(
        edit.contains(&format!("value=\"{start}\"")),
        "{}",
        edit.body
    );
    assert!(edit.contains("Heures du fuseau Guadeloupe (America/Guadeloupe)."));
    // Ana travels to Paris and edits it: the times stay read in the event's zone (they used
    // to be read in Paris time, moving the event by five hours).
    assert_eq!(
        set_zone(&ana, "", "Europe/Paris").await.status,
        StatusCode::SEE_OTHER
    );
    let edit_path = format!("{path}/edit");
    let saved = ana
        .submit(
            &edit_path,
            &edit_path,
            &[
                ("name", "Distribution de tracts au marché"),
                ("start_time", &start),
                ("end_time", &end),
                ("join_mode", "free"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (zone, starts): (String, i64) =
        sqlx::query_as("SELECT timezone, starts_at FROM events WHERE name = $1")
            .bind("Distribution de tracts au marché")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
    assert_eq!(zone, "America/Guadeloupe");
    assert_eq!(starts, starts_at);
    let _ = ana_id;

    // Paul, in Paris, is told his own zone on a new event's form.
    let form = paul.get("/events/new").await;
    assert!(form.contains("Heures du fuseau France métropolitaine (Europe/Paris)."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instances_zone_is_a_setting_for_visitors_and_new_people() {
    let app = common::spawn_app_with(|c| c.default_time_zone = chrono_tz::America::Cayenne).await;
    let (alice, alice_id) = member(&app, "alice").await;
    let id = post(&app, &alice, alice_id, "Bonjour de Cayenne").await;
    date_post(&app, id, early_morning()).await;
    // 03:18 UTC is 00:18 in Cayenne, for a visitor and for alice, who chose no zone.
    let visitor = app.browser().get(&format!("/@alice/{id}")).await;
    assert!(
        visitor.contains("datetime=\"2026-12-05T00:18:00-03:00\""),
        "{}",
        visitor.body
    );
    let page = alice.get(&format!("/@alice/{id}")).await;
    assert!(page.contains("datetime=\"2026-12-05T00:18:00-03:00\""));
    // The settings name the instance's zone as the default choice.
    let settings = alice.get("/settings/preferences").await;
    assert!(
        settings.contains("<option value=\"\" selected>Celui de l’instance\u{202f}: Guyane (UTC\u{2212}3)</option>"),
        "{}",
        settings.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_say_how_long_ago() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (bob, bob_id) = member(&app, "bob").await;
    post(&app, &bob, bob_id, "@alice on se retrouve au local ?").await;
    let page = alice.get("/notifications").await;
    assert!(page.contains("bob"), "{}", page.body);
    assert!(page.contains(">à l’instant</time>"), "{}", page.body);
    // Three hours later (the notification's time moved back).
    sqlx::query("UPDATE notifications SET created_at = created_at - $1")
        .bind(3 * 3_600_000_000_i64 + 60_000_000)
        .execute(app.state.pool())
        .await
        .unwrap();
    let page = alice.get("/notifications").await;
    assert!(page.contains(">il y a 3\u{a0}h</time>"), "{}", page.body);
}
