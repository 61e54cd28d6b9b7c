//! The event pages: creating an event and a mission with the form (and its errors), the
//! event page with sign-up and the waiting list, shifts, the organizers' list, cancelling,
//! the agenda, the missions board and the group page's agenda.

mod common;

use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn member(app: &TestApp, name: &str) -> Browser {
    app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    browser
}

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

#[tokio::test]
async fn events_and_missions_from_the_web_pages() {
    let app = spawn_app().await;
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

    // The form refuses an end before the start and keeps what was typed.
    let (start, end) = (in_days(7, 9), in_days(7, 12));
    let refused = sec
        .submit(
            "/events/new?group=pau",
            "/events",
            &[
                ("group", "pau"),
                ("name", "Tractage au marché"),
                ("start_time", &end),
                ("end_time", &start),
                ("capacity", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("id=\"end_time-error\""),
        "{}",
        refused.body
    );
    assert!(refused.contains("Tractage au marché"));
    let event_path = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Tractage au marché"),
            ("description", "Avec les tracts"),
            ("start_time", &start),
            ("end_time", &end),
            ("place_name", "Halles"),
            ("postcode", "64000"),
            ("capacity", "1"),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    let page = sec.get(&event_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Événement créé") && page.contains("09:00 – 12:00 (Europe/Paris)"));
    assert!(page.contains("Personne pour l’instant"), "organizer's list");

    // A member takes the only place; the next one is offered the waiting list.
    let ana = member(&app, "ana").await;
    act(&ana, &event_path, &format!("{event_path}/join"), &[]).await;
    assert!(ana.get(&event_path).await.contains("Vous participez"));
    let bob = member(&app, "bob").await;
    let page = bob.get(&event_path).await;
    assert!(page.contains("liste d’attente"), "{}", page.body);
    act(
        &bob,
        &event_path,
        &format!("{event_path}/join"),
        &[("waiting_list", "1")],
    )
    .await;
    assert!(bob.get(&event_path).await.contains("Sur liste d’attente"));
    let page = sec.get(&event_path).await;
    assert!(page.contains("@ana@") && page.contains("@bob@"));
    let csv = sec.get(&format!("{event_path}/participants.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("ana@") && csv.body.contains("waiting"));
    assert_eq!(
        bob.get(&format!("{event_path}/participants.csv"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    act(&ana, &event_path, &format!("{event_path}/leave"), &[]).await;
    assert!(
        bob.get(&event_path).await.contains("Vous participez"),
        "promoted"
    );

    // A mission with two shifts.
    let mission_path = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Collage"),
            ("shift1_start", &in_days(3, 20)),
            ("shift1_end", &in_days(3, 21)),
            ("shift1_needed", "2"),
            ("shift2_start", &in_days(3, 21)),
            ("shift2_end", &in_days(3, 22)),
            ("shift2_needed", "1"),
        ],
    )
    .await;
    let page = ana.get(&mission_path).await;
    assert!(page.contains("Créneaux") && page.contains("il manque 2 personnes"));
    let marker = format!("{mission_path}/shifts/");
    let start_at = page.body.find(&marker).unwrap() + marker.len();
    let shift = page.body[start_at..].split('/').next().unwrap().to_string();
    act(
        &ana,
        &mission_path,
        &format!("{mission_path}/shifts/{shift}/join"),
        &[],
    )
    .await;
    assert!(
        ana.get(&mission_path)
            .await
            .contains("il manque 1 personne")
    );

    // The board (Ana's groups, or a postcode), the agenda, the group's agenda and its
    // calendar link.
    assert!(
        !ana.get("/missions").await.contains("Collage"),
        "not her group yet"
    );
    assert!(
        ana.get("/missions?postcode=64100")
            .await
            .contains("Collage")
    );
    act(&ana, "/@pau", "/groups/pau/join", &[]).await;
    let board = ana.get("/missions").await;
    assert!(board.contains("Collage"), "{}", board.body);
    let agenda = ana.get("/agenda").await;
    assert!(agenda.contains("Mes participations") && agenda.contains("Collage"));
    let group = app.browser().get("/@pau").await;
    assert!(group.contains("Tractage au marché") && group.contains("/groups/pau/calendar.ics"));

    // A private calendar link: Ana's events, without a session; replaced, then deleted.
    let made = ana.submit("/agenda", "/agenda/calendar-link", &[]).await;
    assert_eq!(made.status, StatusCode::OK);
    let marker = "id=\"calendar-link\" value=\"";
    let start_at = made.body.find(marker).expect("the link is shown") + marker.len();
    let link = made.body[start_at..].split('"').next().unwrap().to_string();
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let feed = app.browser().get(&path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.body.contains("BEGIN:VCALENDAR") && feed.body.contains("Collage"),
        "{}",
        feed.body
    );
    assert!(!feed.body.contains("Tractage"), "only her events");
    let replaced = ana.submit("/agenda", "/agenda/calendar-link", &[]).await;
    assert_eq!(replaced.status, StatusCode::OK);
    assert_eq!(app.browser().get(&path).await.status, StatusCode::NOT_FOUND);
    let start_at = replaced.body.find(marker).unwrap() + marker.len();
    let new_path = replaced.body[start_at..]
        .split('"')
        .next()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    assert_eq!(app.browser().get(&new_path).await.status, StatusCode::OK);
    act(&ana, "/agenda", "/agenda/calendar-link/revoke", &[]).await;
    assert_eq!(
        app.browser().get(&new_path).await.status,
        StatusCode::NOT_FOUND
    );

    // Editing: the form comes filled in; participants see the change.
    let edit_path = format!("{event_path}/edit");
    let form = sec.get(&edit_path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.contains("value=\"Tractage au marché\"") && form.contains(">Avec les tracts<"),
        "{}",
        form.body
    );
    assert!(
        form.contains(&format!("value=\"{start}\"")),
        "local times: {}",
        form.body
    );
    assert_eq!(bob.get(&edit_path).await.status, StatusCode::FORBIDDEN);
    act(
        &sec,
        &edit_path,
        &edit_path,
        &[
            ("name", "Grand tractage"),
            ("description", "Avec les tracts et le café"),
            ("start_time", &start),
            ("end_time", &end),
            ("place_name", "Halles"),
            ("postcode", "64000"),
            ("capacity", "2"),
            ("join_mode", "free"),
        ],
    )
    .await;
    let page = bob.get(&event_path).await;
    assert!(page.contains("Grand tractage") && page.contains("le café"));
    assert!(
        bob.get("/notifications")
            .await
            .contains("a modifié un événement")
    );

    // Cancelling.
    act(&sec, &event_path, &format!("{event_path}/cancel"), &[]).await;
    assert!(
        bob.get(&event_path)
            .await
            .contains("Cet événement est annulé")
    );
    let refused = ana
        .submit(&event_path, &format!("{event_path}/cancel"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    for lang in ["en", "fr"] {
        for path in ["/agenda", event_path.as_str(), mission_path.as_str()] {
            let page = app.browser().get_in(path, lang).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
        }
    }
}
