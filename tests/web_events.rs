//! The event pages: creating an event and a mission with the form (and its errors), the
//! event page with sign-up and the waiting list, shifts, the organizers' list, cancelling,
//! the agenda, the missions board and the group page's agenda.

mod common;

use common::act;

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

/// The secretary of a new open section `pau` (64000), signed in.
async fn secretary_of_pau(app: &TestApp) -> Browser {
    let sec = member(app, "secretaire").await;
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
    sec
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
    let sec = secretary_of_pau(&app).await;

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
    assert!(page.contains("Événement créé") && page.contains("Avec les tracts"));
    // The page says when and where in its own words: the machine line that starts the text
    // for other servers is not repeated.
    assert!(
        page.contains("<time datetime=") && !page.contains("📅"),
        "{}",
        page.body
    );
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
    let group = app.browser().get("/groups/pau/agenda").await;
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
    act(
        &sec,
        &event_path,
        &format!("{event_path}/cancel"),
        &[("confirm", "1")],
    )
    .await;
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

/// A weekly event from the form (each date its own event), changed and cancelled "this date
/// and the following ones"; the agenda's month view and its filters.
#[tokio::test]
async fn recurring_events_the_month_view_and_the_filters() {
    let app = spawn_app().await;
    let sec = secretary_of_pau(&app).await;
    let (start, end) = (in_days(10, 18), in_days(10, 20));
    let until = in_days(24, 0)[..10].to_string();
    let form = |repeat: &'static str, until: String| {
        vec![
            ("group", "pau".to_string()),
            ("name", "Permanence".to_string()),
            ("start_time", start.clone()),
            ("end_time", end.clone()),
            ("place_name", "Local".to_string()),
            ("postcode", "64000".to_string()),
            ("repeat", repeat.to_string()),
            ("repeat_until", until),
        ]
    };
    let page = sec.get("/events/new?group=pau").await;
    assert!(page.contains("Toutes les semaines") && page.contains("id=\"repeat_until\""));
    let no_end = form("weekly", String::new());
    let refs: Vec<(&str, &str)> = no_end.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = sec.submit("/events/new", "/events", &refs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("id=\"repeat_until-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused.contains("value=\"Permanence\""),
        "what was typed stays"
    );
    let weekly = form("weekly", until);
    let refs: Vec<(&str, &str)> = weekly.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = act(&sec, "/events/new", "/events", &refs).await;

    // The first date lists the others; each is an event of its own.
    let page = sec.get(&first).await;
    assert!(page.contains("Autres dates"), "{}", page.body);
    assert!(page.contains("Annuler cette date et les suivantes"));
    let others: Vec<String> = page
        .body
        .match_indices("<a href=\"/events/")
        .map(|(i, _)| page.body[i + 9..].split('"').next().unwrap().to_string())
        // Event pages only (not their calendar or edit links), the others than this one.
        .filter(|p| p != &first && p.matches('/').count() == 2)
        .collect();
    assert_eq!(others.len(), 2, "{others:?}");
    let (second, third) = (others[0].clone(), others[1].clone());
    assert!(
        sec.get(&second).await.contains(&in_days(17, 18)[..10]),
        "the second date is a week later"
    );

    // Renaming the second date and those that follow; the first keeps its name.
    let edit = format!("{second}/edit");
    let page = sec.get(&edit).await;
    assert!(
        page.contains("cette date et les suivantes"),
        "{}",
        page.body
    );
    act(
        &sec,
        &edit,
        &edit,
        &[
            ("name", "Permanence du soir"),
            ("start_time", &in_days(17, 18)),
            ("end_time", &in_days(17, 20)),
            ("place_name", "Local"),
            ("postcode", "64000"),
            ("join_mode", "free"),
            ("scope", "following"),
        ],
    )
    .await;
    assert!(sec.get(&third).await.contains("Permanence du soir"));
    let page = sec.get(&first).await;
    assert!(page.contains("<h1>Permanence</h1>"), "{}", page.body);

    // Cancelling the third and those that follow (the last one).
    act(
        &sec,
        &third,
        &format!("{third}/cancel"),
        &[("scope", "following"), ("confirm", "1")],
    )
    .await;
    assert!(sec.get(&third).await.contains("Cet événement est annulé"));
    assert!(!sec.get(&second).await.contains("Cet événement est annulé"));

    // The month view of the first date's month shows it on its day.
    let month = in_days(10, 0)[..7].to_string();
    let visitor = app.browser();
    let page = visitor
        .get(&format!("/agenda?view=month&month={month}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.contains("<table class=\"month\">") && page.contains("Permanence"),
        "{}",
        page.body
    );
    assert!(page.contains("rel=\"next\"") && page.contains("lun."));
    let page = visitor.get("/agenda?view=month&month=2026-13").await;
    assert!(page.contains("notice error"), "a bad month is named");
    assert_eq!(
        visitor
            .get_in(&format!("/agenda?view=month&month={month}"), "en")
            .await
            .status,
        StatusCode::OK
    );

    // Filters: kind, place, group, dates; refusals are shown, not errors.
    let has = |body: &str| body.contains("Permanence");
    assert!(has(&visitor.get("/agenda?place=64").await.body));
    assert!(has(&visitor
        .get("/agenda?place=64100&kind=event")
        .await
        .body));
    assert!(!has(&visitor.get("/agenda?place=75").await.body));
    assert!(!has(&visitor.get("/agenda?kind=mission").await.body));
    assert!(has(&visitor.get("/agenda?group=pau").await.body));
    let to = in_days(5, 0)[..10].to_string();
    assert!(!has(&visitor.get(&format!("/agenda?to={to}")).await.body));
    for bad in [
        "/agenda?place=6",
        "/agenda?group=nowhere",
        "/agenda?from=demain",
        "/agenda?kind=fete",
        // Dates far enough to overflow date arithmetic are refused, not a crash.
        "/agenda?view=month&month=%2B262143-12",
        "/agenda?to=%2B262143-12-31",
    ] {
        let page = visitor.get(bad).await;
        assert_eq!(page.status, StatusCode::OK, "{bad}");
        assert!(page.contains("notice error"), "{bad}: {}", page.body);
    }

    // An invite-only dinner: Ana (here) is invited from the page; a bad handle is named.
    let ana = member(&app, "ana").await;
    let dinner = act(
        &sec,
        "/events/new",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Dîner des bénévoles"),
            ("start_time", &in_days(8, 19)),
            ("end_time", &in_days(8, 22)),
            ("join_mode", "invite"),
        ],
    )
    .await;
    assert!(
        !ana.get(&dinner).await.contains("Je participe"),
        "not invited"
    );
    let refused = sec
        .submit(
            &dinner,
            &format!("{dinner}/invite"),
            &[("handle", "personne")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("id=\"invite-error\""), "{}", refused.body);
    act(
        &sec,
        &dinner,
        &format!("{dinner}/invite"),
        &[("handle", "ana")],
    )
    .await;
    let page = ana.get(&dinner).await;
    assert!(page.contains("Vous êtes invité·e") && page.contains("Accepter l’invitation"));
    assert!(
        ana.get("/notifications")
            .await
            .contains("vous invite à un événement")
    );
    act(&ana, &dinner, &format!("{dinner}/join"), &[]).await;
    assert!(ana.get(&dinner).await.contains("Vous participez"));
}
