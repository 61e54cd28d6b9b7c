//! Events (the first part of the agenda): what organizers may create and the errors for bad
//! input, taking part with capacity, approval and a waiting list promoted when someone leaves,
//! cancelling, and the `Event` document other servers read (FEP-8a8e and Mobilizon's fields,
//! with a summary Mastodon can show).

mod common;

use common::{TestApp, spawn_app};
use coopol::{
    db::{self, accounts::AccountRow},
    domain::Role,
    domain::event::{EventStatus, ParticipationState},
    service::events::{self, Decision, Joined, NewEventInput, Occurrences::This},
};
use reqwest::{StatusCode, header};
use serde_json::Value;

async fn person(app: &TestApp, name: &str) -> AccountRow {
    let id = app
        .create_user(name, "correct horse battery", Role::Member)
        .await;
    db::accounts::by_id(app.state.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

/// `n` members of the section's server (`militant0`...), to sign up at once.
async fn militants(app: &TestApp, n: usize) -> Vec<AccountRow> {
    let mut people = Vec::new();
    for i in 0..n {
        people.push(person(app, &format!("militant{i}")).await);
    }
    people
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn tractage(capacity: Option<i64>) -> NewEventInput {
    NewEventInput {
        name: "Tractage au marché".into(),
        description: "Rendez-vous devant la halle avec les tracts.".into(),
        start_time: in_days(10, 9),
        end_time: in_days(10, 12),
        timezone: Some("Europe/Paris".into()),
        place_name: Some("Halles de Pau".into()),
        street: Some("Place de la République".into()),
        postcode: Some("64000".into()),
        locality: Some("Pau".into()),
        capacity,
        ..Default::default()
    }
}

/// The fields an API error names.
fn fields(body: &Value) -> Vec<String> {
    body["details"]
        .as_object()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

/// The fields a service error names.
fn refused(e: &coopol::error::AppError) -> Vec<&'static str> {
    e.fields.iter().map(|f| f.field).collect()
}

#[tokio::test]
async fn bad_events_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    let cases: Vec<(NewEventInput, &str, &str)> = vec![
        (
            NewEventInput {
                end_time: in_days(10, 8),
                ..tractage(None)
            },
            "end_time",
            "error-event-end-before-start",
        ),
        (
            NewEventInput {
                timezone: Some("Europe/Lutece".into()),
                ..tractage(None)
            },
            "timezone",
            "error-event-timezone",
        ),
        (tractage(Some(0)), "capacity", "error-event-capacity"),
        (tractage(Some(-6)), "capacity", "error-event-capacity"),
        (
            tractage(Some(1_000_000)),
            "capacity",
            "error-event-capacity",
        ),
        (
            NewEventInput {
                start_time: in_days(-3, 9),
                end_time: in_days(-3, 12),
                ..tractage(None)
            },
            "start_time",
            "error-event-in-past",
        ),
        (
            NewEventInput {
                start_time: "samedi matin".into(),
                ..tractage(None)
            },
            "start_time",
            "error-event-time-invalid",
        ),
        (
            NewEventInput {
                name: "  ".into(),
                ..tractage(None)
            },
            "name",
            "error-required",
        ),
        (
            NewEventInput {
                join_mode: Some("external".into()),
                ..tractage(None)
            },
            "external_url",
            "error-required",
        ),
        (
            NewEventInput {
                online_url: Some("javascript:alert(1)".into()),
                ..tractage(None)
            },
            "online_url",
            "error-event-url",
        ),
        (
            NewEventInput {
                description: "d".repeat(4_501),
                ..tractage(None)
            },
            "description",
            "error-too-long",
        ),
        (
            NewEventInput {
                postcode: Some("640".into()),
                ..tractage(None)
            },
            "postcode",
            "error-postcode",
        ),
    ];
    for (input, field, key) in cases {
        let e = events::create(&app.state, &sec, input).await.unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused(&e).contains(&field), "{field}: {:?}", e.fields);
        assert!(
            e.fields.iter().any(|f| f.key == key),
            "{field}: {:?}",
            e.fields
        );
    }
    // Nothing was created.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn capacity_waiting_list_approval_and_cancellation() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    let ana = person(&app, "ana").await;
    let bob = person(&app, "bob").await;
    let carl = person(&app, "carl").await;

    let event = events::create(&app.state, &sec, tractage(Some(2)))
        .await
        .unwrap();
    assert_eq!(event.row.departement.as_deref(), Some("64"));
    // Its post, as feeds and Mastodon apps show it: the name as title, when and where first.
    assert_eq!(event.status.title.as_deref(), Some("Tractage au marché"));
    assert!(
        event.status.content.contains("(Europe/Paris)")
            && event.status.content.contains("Halles de Pau"),
        "{}",
        event.status.content
    );
    // 09:00 in Paris, ten days from now, is 07:00 or 08:00 UTC.
    let start = coopol::clock::to_datetime(event.row.starts_at);
    assert!(matches!(chrono::Timelike::hour(&start), 7 | 8), "{start}");

    let join = |who: &AccountRow, waiting: bool| {
        let state = app.state.clone();
        let who = who.clone();
        let event = event.clone();
        async move { events::join(&state, &who, &event, Some("Je viens"), waiting).await }
    };
    assert_eq!(join(&ana, false).await.unwrap(), Joined::Accepted);
    let twice = join(&ana, false).await.unwrap_err();
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.key, "error-event-already-joined");
    assert_eq!(join(&bob, false).await.unwrap(), Joined::Accepted);
    // Full: refused, unless the waiting list is asked for.
    let full = join(&carl, false).await.unwrap_err();
    assert_eq!(full.key, "error-event-full");
    assert_eq!(join(&carl, true).await.unwrap(), Joined::Waiting);

    // Bob leaves: Carl takes the place and is told.
    events::leave(&app.state, &bob, &event).await.unwrap();
    let carl_row = db::events::participant(app.state.pool(), event.row.status_id, carl.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(carl_row.state, ParticipationState::Accepted);
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND type = 'event_promoted'",
    )
    .bind(carl.id)
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(told, 1);

    // Two take part: the capacity cannot go below two.
    let refused = events::update(&app.state, &sec, &event, tractage(Some(1)), This)
        .await
        .unwrap_err();
    assert_eq!(refused.fields[0].key, "error-event-capacity-taken");

    // Only organizers see the list.
    assert_eq!(
        events::participants(&app.state, &ana, &event)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
    let list = events::participants(&app.state, &sec, &event)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    // Attendance is recorded after the start only.
    let early = events::decide(&app.state, &sec, &event, ana.id, Decision::Attended)
        .await
        .unwrap_err();
    assert_eq!(early.key, "error-event-not-started");

    // Approval mode: a request waits for an organizer.
    let meeting = events::create(
        &app.state,
        &sec,
        NewEventInput {
            join_mode: Some("approval".into()),
            ..tractage(None)
        },
    )
    .await
    .unwrap();
    assert_eq!(
        events::join(&app.state, &bob, &meeting, Some("Militant"), false)
            .await
            .unwrap(),
        Joined::Pending
    );
    let row = events::decide(&app.state, &sec, &meeting, bob.id, Decision::Approve)
        .await
        .unwrap();
    assert_eq!(row.state, ParticipationState::Accepted);
    events::join(&app.state, &carl, &meeting, None, false)
        .await
        .unwrap();
    let row = events::decide(&app.state, &sec, &meeting, carl.id, Decision::Reject)
        .await
        .unwrap();
    assert_eq!(row.state, ParticipationState::Rejected);
    let again = events::join(&app.state, &carl, &meeting, None, false)
        .await
        .unwrap_err();
    assert_eq!(again.key, "error-event-refused");

    // Cancelled: participants are told; nobody joins any more.
    let cancelled = events::cancel(&app.state, &sec, &event, This)
        .await
        .unwrap();
    assert_eq!(cancelled.row.status, EventStatus::Cancelled);
    for who in [&ana, &carl] {
        let told: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND type = 'event_cancelled'",
        )
        .bind(who.id)
        .fetch_one(app.state.pool())
        .await
        .unwrap();
        assert_eq!(told, 1, "{}", who.username);
    }
    let refused = events::join(&app.state, &bob, &cancelled, None, true)
        .await
        .unwrap_err();
    assert_eq!(refused.key, "error-event-cancelled");
    assert_eq!(
        events::cancel(&app.state, &ana, &cancelled, This)
            .await
            .unwrap_err()
            .status,
        StatusCode::FORBIDDEN
    );
}

/// The fields Mobilizon and FEP-8a8e name, and a summary Mastodon can show.
#[tokio::test]
async fn the_event_document_carries_what_mobilizon_and_mastodon_read() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    let ana = person(&app, "ana").await;
    let event = events::create(&app.state, &sec, tractage(Some(6)))
        .await
        .unwrap();
    events::join(&app.state, &ana, &event, None, false)
        .await
        .unwrap();
    let fetch = || async {
        let res = app
            .client
            .get(&event.status.uri)
            .header(header::ACCEPT, "application/activity+json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()
    };
    let doc = fetch().await;
    assert_eq!(doc["type"], "Event");
    assert_eq!(doc["name"], "Tractage au marché");
    for field in [
        "id",
        "name",
        "content",
        "summary",
        "startTime",
        "endTime",
        "timezone",
        "attributedTo",
        "location",
        "category",
        "ical:status",
        "joinMode",
        "maximumAttendeeCapacity",
        "remainingAttendeeCapacity",
        "participantCount",
        "anonymousParticipationEnabled",
        "commentsEnabled",
        "repliesModerationOption",
        "isOnline",
        "url",
        "published",
        "to",
    ] {
        assert!(
            doc.get(field).is_some_and(|v| !v.is_null()),
            "{field} missing: {doc}"
        );
    }
    assert_eq!(doc["timezone"], "Europe/Paris");
    assert_eq!(doc["ical:status"], "CONFIRMED");
    assert!(doc.get("updated").is_none(), "not edited yet: {doc}");
    assert_eq!(doc["joinMode"], "free");
    assert_eq!(doc["category"], "MOVEMENTS_POLITICS");
    assert_eq!(doc["maximumAttendeeCapacity"], 6);
    assert_eq!(doc["participantCount"], 1);
    assert_eq!(doc["remainingAttendeeCapacity"], 5);
    assert_eq!(doc["location"]["type"], "Place");
    assert_eq!(doc["location"]["address"]["postalCode"], "64000");
    assert_eq!(doc["location"]["address"]["addressLocality"], "Pau");
    let start = chrono::DateTime::parse_from_rfc3339(doc["startTime"].as_str().unwrap()).unwrap();
    assert_eq!(start.timestamp_micros(), event.row.starts_at);
    // Mastodon shows the name and the summary only: date, place and a link are there.
    let summary = doc["summary"].as_str().unwrap();
    assert!(
        summary.contains("09:00 – 12:00 (Europe/Paris)"),
        "{summary}"
    );
    assert!(
        summary.contains("Halles de Pau") && summary.contains("64000"),
        "{summary}"
    );
    assert!(summary.contains(doc["url"].as_str().unwrap()), "{summary}");
    let context = doc["@context"].to_string();
    for term in ["startTime", "joinMode", "timezone", "ical"] {
        assert!(context.contains(term), "{term} not in the context");
    }

    // Cancelled: the status says so, with a newer `updated` (Mastodon applies such Updates).
    events::cancel(&app.state, &sec, &event, This)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let doc = fetch().await;
    assert_eq!(doc["ical:status"], "CANCELLED");
    assert!(doc["summary"].as_str().unwrap().contains("ANNULÉ"));
    assert!(doc["updated"].is_string(), "{doc}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_place_goes_to_one_person_only() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    let event = events::create(&app.state, &sec, tractage(Some(1)))
        .await
        .unwrap();
    let people = militants(&app, 6).await;
    let tries = people.iter().map(|who| {
        let state = app.state.clone();
        let event = event.clone();
        let who = who.clone();
        async move { events::join(&state, &who, &event, None, true).await }
    });
    let outcomes: Vec<Joined> = futures::future::join_all(tries)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == Joined::Accepted).count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == Joined::Waiting).count(),
        5
    );
    assert_eq!(
        db::events::accepted_count(app.state.pool(), event.row.status_id)
            .await
            .unwrap(),
        1
    );
}

/// An organizer lowering the capacity while people sign up never leaves more people taking
/// part than the capacity: the edit checks again under the event's lock.
#[tokio::test]
async fn a_lower_capacity_and_sign_ups_at_once_never_overfill() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    let event = events::create(&app.state, &sec, tractage(Some(6)))
        .await
        .unwrap();
    let people = militants(&app, 6).await;
    let joins = people.iter().map(|who| {
        let state = app.state.clone();
        let event = event.clone();
        let who = who.clone();
        async move {
            events::join(&state, &who, &event, None, true)
                .await
                .map(|_| ())
        }
    });
    let edit = {
        let state = app.state.clone();
        let event = event.clone();
        let sec = sec.clone();
        async move {
            events::update(
                &state,
                &sec,
                &event,
                tractage(Some(2)),
                coopol::service::events::Occurrences::This,
            )
            .await
            .map(|_| ())
        }
    };
    let (joined, edited) = futures::join!(futures::future::join_all(joins), edit);
    assert!(joined.iter().all(Result::is_ok), "{joined:?}");
    let reloaded = events::get(&app.state, Some(sec.id), event.row.status_id)
        .await
        .unwrap();
    let taken = db::events::accepted_count(app.state.pool(), event.row.status_id)
        .await
        .unwrap();
    match edited {
        Ok(()) => {
            assert_eq!(reloaded.row.capacity, Some(2));
            assert!(taken <= 2, "{taken} taking part for 2 places");
        }
        Err(e) => {
            assert_eq!(e.fields[0].field, "capacity", "{e:?}");
            assert_eq!(reloaded.row.capacity, Some(6));
        }
    }
}

/// The iCalendar feeds parse back with an independent parser, times and status included.
#[tokio::test]
async fn calendar_feeds_parse_back_with_their_times() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    coopol::service::groups::create(
        &app.state,
        &sec,
        coopol::service::groups::NewGroupInput {
            name: "pau".into(),
            display_name: "Section de Pau".into(),
            kind: "section".into(),
            postcode: Some("64000".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let public = events::create(
        &app.state,
        &sec,
        NewEventInput {
            group: Some("pau".into()),
            ..tractage(Some(6))
        },
    )
    .await
    .unwrap();
    let members_only = events::create(
        &app.state,
        &sec,
        NewEventInput {
            name: "Réunion de bureau".into(),
            group: Some("pau".into()),
            audience: Some("members".into()),
            start_time: in_days(3, 19),
            end_time: in_days(3, 21),
            ..tractage(None)
        },
    )
    .await
    .unwrap();
    events::cancel(&app.state, &sec, &public, This)
        .await
        .unwrap();

    let parse = |body: String| {
        let mut reader = ical::IcalParser::new(std::io::BufReader::new(body.as_bytes()));
        reader
            .next()
            .expect("a calendar")
            .expect("a valid calendar")
    };
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    };
    let utc = |micros: i64| {
        coopol::clock::to_datetime(micros)
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };

    // A group's feed, read anonymously (as calendar apps subscribe): the public event only.
    let res = app
        .client
        .get(app.url("/groups/pau/calendar.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let calendar = parse(res.text().await.unwrap());
    assert_eq!(calendar.events.len(), 1, "members-only events stay out");
    let e = &calendar.events[0];
    assert_eq!(prop(e, "SUMMARY").as_deref(), Some("Tractage au marché"));
    assert_eq!(prop(e, "DTSTART"), Some(utc(public.row.starts_at)));
    assert_eq!(prop(e, "DTEND"), Some(utc(public.row.ends_at)));
    assert_eq!(prop(e, "STATUS").as_deref(), Some("CANCELLED"));
    assert_eq!(prop(e, "UID"), Some(public.status.uri.clone()));
    assert!(prop(e, "LOCATION").unwrap().contains("Halles de Pau"));
    // 09:00 in Paris is 08:00Z in winter and 07:00Z in summer.
    let start = prop(e, "DTSTART").unwrap();
    assert!(
        start.ends_with("080000Z") || start.ends_with("070000Z"),
        "{start}"
    );
    let tz = calendar
        .properties
        .iter()
        .find(|p| p.name == "X-WR-TIMEZONE")
        .and_then(|p| p.value.clone());
    assert_eq!(tz.as_deref(), Some("Europe/Paris"));

    // One event: the members-only one is for members (the secretary) only.
    let path = format!("/events/{}/calendar.ics", members_only.row.status_id);
    let anonymous = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
    let browser = app.browser();
    browser
        .sign_in("secretaire@example.org", "correct horse battery")
        .await;
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let calendar = parse(page.body);
    assert_eq!(
        prop(&calendar.events[0], "SUMMARY").as_deref(),
        Some("Réunion de bureau")
    );
}

// coopol's API for events, one behaviour per test, each from the scene it needs: the Pau
// section and its events (`Pau` below). Each test names the endpoints it calls; the last one
// checks that together they call every events endpoint the OpenAPI document describes
// (missions and shifts: `missions_shifts_and_the_board`).

const E_CREATE: &[(&str, &str)] = &[("post", "/events")];
const E_READ: &[(&str, &str)] = &[("get", "/events"), ("get", "/events/{id}")];
const E_TAKE_PART: &[(&str, &str)] = &[
    ("post", "/events/{id}/participation"),
    ("delete", "/events/{id}/participation"),
    ("get", "/events/{id}"),
];
const E_ORGANIZERS: &[(&str, &str)] = &[
    ("get", "/events/{id}/participants"),
    ("post", "/events/{id}/participants/{account_id}/approve"),
    ("post", "/events/{id}/participants/{account_id}/reject"),
    ("post", "/events/{id}/participants/{account_id}/attended"),
    ("post", "/events/{id}/participants/{account_id}/absent"),
];
const E_EDIT: &[(&str, &str)] = &[("put", "/events/{id}")];
const E_CSV: &[(&str, &str)] = &[("get", "/events/{id}/participants.csv")];
const E_CANCEL: &[(&str, &str)] = &[
    ("post", "/events/{id}/cancel"),
    ("post", "/events/{id}/participation"),
];
const E_INVITE: &[(&str, &str)] = &[
    ("post", "/events/{id}/participation"),
    ("post", "/events/{id}/participants/{account_id}/invite"),
    ("post", "/events/{id}/participants/{account_id}/approve"),
];

/// The Pau section's server: its secretary, Ana and Bob, the section, and three events of
/// ten days from now (a tractage for one person, a meeting on approval, a members-only
/// bureau).
struct Pau {
    sec: String,
    ana_id: i64,
    ana: String,
    bob_id: i64,
    bob: String,
    full_id: String,
    approval_id: String,
    secret_id: String,
}

/// The base of an event the tests create.
fn tractage_body(extra: Value) -> Value {
    let mut b = serde_json::json!({"name": "Tractage", "start_time": in_days(10, 9),
        "end_time": in_days(10, 12), "place_name": "Halles", "postcode": "64000"});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

/// Creates an event as `token`; returns its id.
async fn event(app: &TestApp, token: &str, body: Value) -> String {
    let (status, e) = app
        .post_json("/api/coopol/v1/events", Some(token), &body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    e["id"].as_str().unwrap().to_string()
}

/// `token`'s person takes part in an event (or asks to).
async fn take_part(app: &TestApp, id: &str, token: &str, body: Value) -> Value {
    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/events/{id}/participation"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn pau(app: &TestApp) -> Pau {
    use serde_json::json;
    let (_, sec) = app.user_with_token("secretaire", "read write").await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write").await;
    let (status, _) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(&sec),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let full_id = event(
        app,
        &sec,
        tractage_body(json!({"group": "pau", "capacity": 1})),
    )
    .await;
    let approval_id = event(
        app,
        &sec,
        tractage_body(json!({"join_mode": "approval", "name": "Réunion"})),
    )
    .await;
    let secret_id = event(
        app,
        &sec,
        tractage_body(json!({"group": "pau", "audience": "members", "name": "Bureau"})),
    )
    .await;
    Pau {
        sec,
        ana_id,
        ana,
        bob_id,
        bob,
        full_id,
        approval_id,
        secret_id,
    }
}

#[tokio::test]
async fn creating_an_event_refuses_bad_input_and_other_groups() {
    use common::Api;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let (_, sec) = app.user_with_token("secretaire", "read write").await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let (status, _) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(&sec),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Missing fields, bad times, zone and capacity, wrong group, then events.
    let e = "/events";
    let (status, body) = api.post(e, e, &sec, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for f in ["name", "start_time", "end_time"] {
        assert!(fields(&body).contains(&f.to_string()), "{f}: {body}");
    }
    let with = tractage_body;
    for (extra, field) in [
        (json!({"end_time": in_days(10, 8)}), "end_time"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
        (json!({"capacity": "beaucoup"}), "capacity"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"name": "n".repeat(201)}), "name"),
        (json!({"join_mode": "lottery"}), "join_mode"),
    ] {
        let (status, body) = api.post(e, e, &sec, with(extra.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}: {body}");
        assert!(
            fields(&body).contains(&field.to_string()),
            "{extra}: {body}"
        );
    }
    let (status, _) = api.post(e, e, &ana, with(json!({"group": "pau"}))).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the group's moderators organize"
    );
    let (status, _) = api
        .post(e, e, &sec, with(json!({"group": "nowhere"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, full) = api
        .post(e, e, &sec, with(json!({"group": "pau", "capacity": 1})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{full}");
    assert_eq!(full["remaining"], 1);
    assert_eq!(full["place"]["departement"], "64");
    let (status, _) = api
        .post(
            e,
            e,
            &sec,
            with(json!({"join_mode": "approval", "name": "Réunion"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api
        .post(
            e,
            e,
            &sec,
            with(json!({"group": "pau", "audience": "members", "name": "Bureau"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    api.assert_called(E_CREATE);
    app.stop().await;
}

#[tokio::test]
async fn search_and_read_keep_a_members_only_event_hidden() {
    use common::Api;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (ana, full_id, secret_id) = (&p.ana, &p.full_id, &p.secret_id);
    let e = "/events";
    let (status, list) = api.get(e, "/events?group=pau", Some(ana)).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Tractage"]);
    let (_, list) = api.get(e, "/events?postcode=64100", None).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let (status, body) = api.get(e, "/events?postcode=641", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["postcode"]);
    let (status, body) = api.get(e, "/events?from=demain", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["from"]);
    let one = "/events/{id}";
    let (status, got) = api.get(one, &format!("/events/{full_id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["timezone"], "Europe/Paris");
    for path in [
        format!("/events/{secret_id}"),
        "/events/999999".into(),
        "/events/x".into(),
    ] {
        let (status, _) = api.get(one, &path, Some(ana)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    api.assert_called(E_READ);
    app.stop().await;
}

#[tokio::test]
async fn taking_part_once_then_the_waiting_list_then_promotion() {
    use common::Api;
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (ana, bob) = (&p.ana, &p.bob);
    let (full_id, approval_id, secret_id) = (&p.full_id, &p.approval_id, &p.secret_id);
    let one = "/events/{id}";
    let part = "/events/{id}/participation";
    let join = |id: &str| format!("/events/{id}/participation");
    let (status, body) = api.post(part, &join(full_id), ana, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["participation"], "accepted");
    let (status, _) = api.post(part, &join(full_id), ana, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = api.post(part, &join(full_id), bob, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "full: {body}");
    let (status, body) = api
        .post(part, &join(full_id), bob, json!({"waiting_list": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["participation"], "waiting");
    let (status, body) = api
        .post(
            part,
            &join(approval_id),
            bob,
            json!({"message": "m".repeat(1001)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["message"]);
    let (status, _) = api.post(part, &join(secret_id), bob, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body, _) = api
        .call(Method::DELETE, part, &join(full_id), Some(ana), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["participation"], Value::Null);
    let (_, body) = api.get(one, &format!("/events/{full_id}"), Some(bob)).await;
    assert_eq!(
        body["participation"], "accepted",
        "promoted from the waiting list"
    );
    let (status, _, _) = api
        .call(
            Method::DELETE,
            part,
            "/events/999999/participation",
            Some(ana),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    api.assert_called(E_TAKE_PART);
    app.stop().await;
}

#[tokio::test]
async fn organizers_see_the_list_and_decide() {
    use common::Api;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (sec, ana, bob) = (&p.sec, &p.ana, &p.bob);
    let (ana_id, bob_id) = (p.ana_id, p.bob_id);
    let (full_id, approval_id) = (&p.full_id, &p.approval_id);
    take_part(&app, full_id, bob, json!({})).await;
    // The list, decisions, attendance only after the start.
    let list_path = "/events/{id}/participants";
    let (status, _) = api
        .get(
            list_path,
            &format!("/events/{full_id}/participants"),
            Some(ana),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = api
        .get(
            list_path,
            &format!("/events/{full_id}/participants"),
            Some(sec),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    take_part(&app, approval_id, ana, json!({"message": "Je viens"})).await;
    take_part(&app, approval_id, bob, json!({})).await;
    let decide = |action: &str| format!("/events/{{id}}/participants/{{account_id}}/{action}");
    let on = |id: i64, action: &str| format!("/events/{approval_id}/participants/{id}/{action}");
    let (status, body) = api
        .post(&decide("approve"), &on(ana_id, "approve"), sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["state"], "accepted");
    assert_eq!(body[0]["message"], "Je viens");
    let (status, _) = api
        .post(&decide("approve"), &on(ana_id, "approve"), bob, json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api
        .post(&decide("reject"), &on(bob_id, "reject"), sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["state"], "rejected");
    let (status, _) = api
        .post(&decide("reject"), &on(999_999, "reject"), sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for action in ["attended", "absent"] {
        let (status, body) = api
            .post(&decide(action), &on(ana_id, action), sec, json!({}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{action}: {body}");
    }
    api.assert_called(E_ORGANIZERS);
    app.stop().await;
}

#[tokio::test]
async fn editing_keeps_those_signed_up_and_tells_them() {
    use common::Api;
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (sec, ana, bob, full_id) = (&p.sec, &p.ana, &p.bob, &p.full_id);
    take_part(&app, full_id, bob, json!({})).await;
    // Organizers only, a capacity below those signed up is refused; participants are told.
    let one = "/events/{id}";
    let edit = |extra: Value| {
        let mut b = tractage_body(json!({"capacity": 2, "name": "Grand tractage"}));
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let (status, _, _) = api
        .call(
            Method::PUT,
            one,
            &format!("/events/{full_id}"),
            Some(ana),
            Some(edit(json!({}))),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body, _) = api
        .call(
            Method::PUT,
            one,
            &format!("/events/{full_id}"),
            Some(sec),
            Some(edit(json!({"capacity": 0, "end_time": in_days(10, 8)}))),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["capacity", "end_time"], "{body}");
    let (status, body, _) = api
        .call(
            Method::PUT,
            one,
            &format!("/events/{full_id}"),
            Some(sec),
            Some(edit(json!({}))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "Grand tractage");
    assert_eq!(body["remaining"], 1);
    let (_, notes) = app.get_json("/api/v1/notifications", Some(bob)).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "event_updated"),
        "{notes}"
    );
    let (status, _, _) = api
        .call(
            Method::PUT,
            one,
            "/events/999999",
            Some(sec),
            Some(edit(json!({}))),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    api.assert_called(E_EDIT);
    app.stop().await;
}

#[tokio::test]
async fn only_organizers_export_the_participants() {
    use common::Api;
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (sec, ana, bob, approval_id) = (&p.sec, &p.ana, &p.bob, &p.approval_id);
    take_part(&app, approval_id, ana, json!({"message": "Je viens"})).await;
    take_part(&app, approval_id, bob, json!({})).await;
    for (who, action) in [(p.ana_id, "approve"), (p.bob_id, "reject")] {
        let (status, body) = app
            .post_json(
                &format!("/api/coopol/v1/events/{approval_id}/participants/{who}/{action}"),
                Some(sec),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let csv_path = "/events/{id}/participants.csv";
    let (status, _, text) = api
        .call(
            Method::GET,
            csv_path,
            &format!("/events/{approval_id}/participants.csv"),
            Some(sec),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.starts_with("handle,display_name,state,attended,message,requested_at"));
    assert!(text.contains("ana@") && text.contains("Je viens") && text.contains("rejected"));
    let (status, _, _) = api
        .call(
            Method::GET,
            csv_path,
            &format!("/events/{approval_id}/participants.csv"),
            Some(ana),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    api.assert_called(E_CSV);
    app.stop().await;
}

#[tokio::test]
async fn a_cancelled_event_takes_nobody_and_only_organizers_cancel() {
    use common::Api;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (sec, ana, bob, approval_id) = (&p.sec, &p.ana, &p.bob, &p.approval_id);
    let cancel = "/events/{id}/cancel";
    let (status, _) = api
        .post(
            cancel,
            &format!("/events/{approval_id}/cancel"),
            ana,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api
        .post(
            cancel,
            &format!("/events/{approval_id}/cancel"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "cancelled");
    let (status, _) = api
        .post(
            "/events/{id}/participation",
            &format!("/events/{approval_id}/participation"),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "cancelled");
    let (status, _) = api
        .post(cancel, "/events/999999/cancel", sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    api.assert_called(E_CANCEL);
    app.stop().await;
}

#[tokio::test]
async fn an_invite_only_event_lets_in_those_invited_without_approval() {
    use common::Api;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = pau(&app).await;
    let (sec, ana, bob, bob_id) = (&p.sec, &p.ana, &p.bob, p.bob_id);
    let (approval_id, secret_id) = (&p.approval_id, &p.secret_id);
    let (status, _) = app
        .post_json(
            &format!("/api/coopol/v1/events/{approval_id}/cancel"),
            Some(sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let dinner_id = event(
        &app,
        sec,
        tractage_body(json!({"group": "pau", "join_mode": "invite", "name": "Dîner"})),
    )
    .await;
    let part = "/events/{id}/participation";
    let join = |id: &str| format!("/events/{id}/participation");
    let (status, _) = api.post(part, &join(&dinner_id), bob, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not invited");
    let invite = "/events/{id}/participants/{account_id}/invite";
    let invite_path = |who: i64| format!("/events/{dinner_id}/participants/{who}/invite");
    let (status, _) = api.post(invite, &invite_path(bob_id), ana, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only organizers invite");
    let (status, body) = api.post(invite, &invite_path(bob_id), sec, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["state"], "invited");
    let (status, _) = api.post(invite, &invite_path(bob_id), sec, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "invited twice");
    let (status, _) = api
        .post(invite, &invite_path(999_999), sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, group) = app.get_json("/api/coopol/v1/groups/pau", None).await;
    let group_id: i64 = group["id"].as_str().unwrap().parse().unwrap();
    let (status, body) = api
        .post(
            invite,
            &format!("/events/{secret_id}/participants/{bob_id}/invite"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a members-only event is not opened by an invitation: {body}"
    );
    assert_eq!(fields(&body), ["account"]);
    let (status, body) = api
        .post(invite, &invite_path(group_id), sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["account"]);
    let (status, body) = api
        .post(
            "/events/{id}/participants/{account_id}/approve",
            &format!("/events/{dinner_id}/participants/{bob_id}/approve"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invited people answer: {body}"
    );
    let (status, body) = api.post(part, &join(&dinner_id), bob, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["participation"], "accepted");
    let (status, _) = api
        .post(
            invite,
            &format!("/events/{approval_id}/participants/{bob_id}/invite"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a cancelled event"
    );
    api.assert_called(E_INVITE);
    app.stop().await;
}

/// Together, the tests above call every events endpoint the document describes (missions and
/// shifts aside: `missions_shifts_and_the_board` checks those), and only documented ones.
#[test]
fn the_event_tests_call_every_documented_endpoint() {
    let doc: Value = serde_json::from_str(include_str!("../src/api/coopol/openapi.json")).unwrap();
    let in_scope = |path: &str| path.starts_with("/events") && !path.contains("/shifts");
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if in_scope(path) {
            for method in item.as_object().unwrap().keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let called: std::collections::BTreeSet<(String, String)> = [
        E_CREATE,
        E_READ,
        E_TAKE_PART,
        E_ORGANIZERS,
        E_EDIT,
        E_CSV,
        E_CANCEL,
        E_INVITE,
    ]
    .iter()
    .flat_map(|list| list.iter())
    .filter(|(_, p)| in_scope(p))
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    let missing: Vec<_> = documented.difference(&called).collect();
    assert!(missing.is_empty(), "endpoints no test calls: {missing:?}");
    let undocumented: Vec<_> = called.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "endpoints not documented: {undocumented:?}"
    );
}

/// Missions: shifts with the volunteers each needs, sign-up per shift, a shift of another
/// mission refused, and the board of missions that need people.
#[tokio::test]
async fn missions_shifts_and_the_board() {
    use common::Api;
    use reqwest::Method;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let (_, sec) = app.user_with_token("secretaire", "read write").await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, doc, _) = api
        .call(Method::GET, "/openapi.json", "/openapi.json", None, None)
        .await;
    api.post(
        "/groups",
        "/groups",
        &sec,
        json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
               "postcode": "64000", "join_mode": "open"}),
    )
    .await;
    api.post("/groups/{id}/join", "/groups/pau/join", &ana, json!({}))
        .await;

    let e = "/events";
    let mission = |name: &str, shifts: Value| {
        json!({"name": name, "group": "pau", "place_name": "Marché", "postcode": "64000",
               "shifts": shifts})
    };
    let shift = |day: i64, from: u32, to: u32, needed: i64| json!({"start_time": in_days(day, from), "end_time": in_days(day, to), "needed": needed});
    // Bad shifts are refused, naming the field.
    for shifts in [
        json!([]),
        json!([shift(5, 10, 9, 2)]),
        json!([shift(5, 9, 10, 0)]),
        json!([{"start_time": in_days(5, 9), "end_time": in_days(5, 10), "needed": "six"}]),
        json!((0..21).map(|i| shift(5 + i, 9, 10, 1)).collect::<Vec<_>>()),
        json!([shift(-2, 9, 10, 1)]),
    ] {
        let (status, body) = api
            .post(e, e, &sec, mission("Tractage", shifts.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{shifts}: {body}");
        assert_eq!(fields(&body), ["shifts"], "{body}");
    }
    let (status, tractage) = api
        .post(
            e,
            e,
            &sec,
            mission(
                "Tractage au marché",
                json!([shift(6, 9, 10, 1), shift(6, 10, 12, 2)]),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{tractage}");
    assert_eq!(tractage["is_mission"], true);
    let tractage_id = tractage["id"].as_str().unwrap().to_string();
    let (_, collage) = api
        .post(
            e,
            e,
            &sec,
            mission("Collage d'affiches", json!([shift(2, 20, 22, 3)])),
        )
        .await;
    let collage_id = collage["id"].as_str().unwrap().to_string();
    // The mission spans its shifts.
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(tractage["end_time"].as_str().unwrap()).unwrap()
            - chrono::DateTime::parse_from_rfc3339(tractage["start_time"].as_str().unwrap())
                .unwrap(),
        chrono::Duration::hours(3)
    );

    let shifts_path = "/events/{id}/shifts";
    let (status, shifts) = api
        .get(shifts_path, &format!("/events/{tractage_id}/shifts"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let shifts = shifts.as_array().unwrap().clone();
    assert_eq!(shifts.len(), 2);
    assert_eq!(shifts[0]["capacity"], 1);
    assert_eq!(shifts[1]["capacity"], 2);
    assert_eq!(shifts[0]["mission_id"], tractage_id.as_str());
    assert!(
        shifts[0]["name"].as_str().unwrap().ends_with("09:00–10:00"),
        "{}",
        shifts[0]["name"]
    );
    let (status, _) = api.get(shifts_path, "/events/999999/shifts", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let first = shifts[0]["id"].as_str().unwrap().to_string();
    let (_, other) = api
        .get(shifts_path, &format!("/events/{collage_id}/shifts"), None)
        .await;
    let other_shift = other[0]["id"].as_str().unwrap().to_string();

    // Signing up: the first shift takes one volunteer.
    let part = "/events/{id}/shifts/{shift_id}/participation";
    let on = |shift: &str| format!("/events/{tractage_id}/shifts/{shift}/participation");
    let (status, body) = api.post(part, &on(&first), &ana, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["participation"], "accepted");
    assert_eq!(body["remaining"], 0);
    let (status, _) = api.post(part, &on(&first), &bob, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "full");
    let (status, body) = api.post(part, &on(&other_shift), &bob, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["shift"]);
    let (status, _) = api
        .post(
            part,
            &format!("/events/{tractage_id}/shifts/999999/participation"),
            &bob,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The board: ana (a member) sees both missions, the soonest first; bob (not a member)
    // only near his postcode.
    let board = "/missions";
    let (status, list) = api.get(board, "/missions", Some(&ana)).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mission"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Collage d'affiches", "Tractage au marché"]);
    assert_eq!(list[1]["missing"], 2, "the second shift needs two");
    let (_, list) = api.get(board, "/missions", Some(&bob)).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let (_, list) = api.get(board, "/missions?postcode=64110", Some(&bob)).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (status, body) = api.get(board, "/missions?postcode=6", Some(&bob)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["postcode"]);
    let (status, _) = api.get(board, "/missions", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Giving up a shift frees it; a full mission leaves the board.
    let (status, body, _) = api
        .call(Method::DELETE, part, &on(&first), Some(&ana), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["remaining"], 1);
    let (status, _, _) = api
        .call(Method::DELETE, part, &on(&other_shift), Some(&ana), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for who in [&ana, &bob, &sec] {
        let (status, _) = api
            .post(
                part,
                &format!("/events/{collage_id}/shifts/{other_shift}/participation"),
                who,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, list) = api.get(board, "/missions", Some(&ana)).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mission"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Tractage au marché"],
        "the full mission left the board"
    );

    api.assert_exercised(&doc, |p| {
        p.contains("/shifts") || p.starts_with("/missions")
    });
}

/// The day before, participants are reminded and the organizer told the event is short of
/// people; once only, and not for later events.
#[tokio::test]
async fn reminders_go_out_once_the_day_before() {
    let app = spawn_app().await;
    let sec = person(&app, "secretaire").await;
    let ana = person(&app, "ana").await;
    let bob = person(&app, "bob").await;
    let soon = chrono::Utc::now() + chrono::Duration::hours(12);
    let tomorrow = events::create(
        &app.state,
        &sec,
        NewEventInput {
            start_time: soon.to_rfc3339(),
            end_time: (soon + chrono::Duration::hours(2)).to_rfc3339(),
            ..tractage(Some(3))
        },
    )
    .await
    .unwrap();
    let later = events::create(&app.state, &sec, tractage(None))
        .await
        .unwrap();
    events::join(&app.state, &ana, &tomorrow, None, false)
        .await
        .unwrap();
    events::join(&app.state, &bob, &later, None, false)
        .await
        .unwrap();
    let count = |who: i64, kind: &'static str| {
        let state = app.state.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND type = $2",
            )
            .bind(who)
            .bind(kind)
            .fetch_one(state.pool())
            .await
            .unwrap()
        }
    };
    for _ in 0..2 {
        events::send_reminders(&app.state, coopol::clock::now())
            .await
            .unwrap();
        assert_eq!(count(ana.id, "event_reminder").await, 1);
        assert_eq!(count(sec.id, "event_short").await, 1, "2 of 3 places empty");
        assert_eq!(
            count(bob.id, "event_reminder").await,
            0,
            "his event is in ten days"
        );
    }
}

/// The local wall-clock time (Paris) of an API time.
fn paris(t: &Value) -> String {
    chrono::DateTime::parse_from_rfc3339(t.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Recurring events (a rule expands into occurrences, each its own event; edit or cancel one
/// or all that follow), a recurring mission, and the agenda's filters: kind, open shifts, and
/// a federation's agenda holding its sections' events.
#[tokio::test]
async fn recurring_events_and_the_agenda_filters() {
    use common::Api;
    use serde_json::json;
    let app = spawn_app().await;
    let api = Api::new(&app);
    let (_, sec) = app.user_with_token("secretaire", "read write").await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let g = "/groups";
    let (_, fed) = api
        .post(g, g, &sec, json!({"name": "federation_64", "display_name": "Fédération 64", "kind": "federation", "postcode": "64000"}))
        .await;
    let fid = fed["id"].as_str().unwrap().to_string();
    let (_, pau) = api
        .post(g, g, &sec, json!({"name": "pau", "display_name": "Section de Pau", "kind": "section", "postcode": "64000", "join_mode": "open"}))
        .await;
    let sid = pau["id"].as_str().unwrap().to_string();
    let (status, _) = api
        .post(
            "/groups/{id}/affiliate",
            &format!("/groups/{sid}/affiliate"),
            &sec,
            json!({"federation": fid}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .post(
            "/groups/{id}/affiliations/{section_id}/approve",
            &format!("/groups/{fid}/affiliations/{sid}/approve"),
            &sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // A weekly permanence, four times.
    let e = "/events";
    let base = json!({"name": "Permanence", "group": "pau", "start_time": in_days(10, 9),
                      "end_time": in_days(10, 11), "place_name": "Local", "postcode": "64000"});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (rule, why) in [
        ("FREQ=WEEKLY", "no end"),
        ("FREQ=DAILY;COUNT=500", "too many"),
        ("FREQ=MINUTELY;COUNT=3", "too often"),
        ("tous les samedis", "not a rule"),
    ] {
        let (status, body) = api
            .post(e, e, &sec, with(json!({"recurrence": rule})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        assert_eq!(fields(&body), ["recurrence"], "{why}");
    }
    let (status, first) = api
        .post(
            e,
            e,
            &sec,
            with(json!({"recurrence": "FREQ=WEEKLY;COUNT=4"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["recurrence"], "FREQ=WEEKLY;COUNT=4");
    let series = first["series_id"].as_str().unwrap().to_string();
    let occurrences = |list: &Value| -> Vec<(String, String, String)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["id"].as_str().unwrap().to_string(),
                    paris(&o["start_time"]),
                    o["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (_, list) = api.get(e, &format!("/events?series={series}"), None).await;
    let list = occurrences(&list);
    assert_eq!(list.len(), 4);
    assert_eq!(list[0].0, first["id"].as_str().unwrap());
    for (i, (_, start, _)) in list.iter().enumerate() {
        let expected = in_days(10 + 7 * i as i64, 9).replace('T', " ");
        assert_eq!(
            start, &expected,
            "occurrence {i} on its day at 09:00 Paris time"
        );
    }
    let (status, body) = api.get(e, "/events?series=chaque", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["series"]);

    // Ana signs up for the second; the second and those that follow move to 10:00.
    let second = list[1].0.clone();
    let (status, _) = api
        .post(
            "/events/{id}/participation",
            &format!("/events/{second}/participation"),
            &ana,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let one = "/events/{id}";
    let moved = with(json!({"start_time": in_days(17, 10), "end_time": in_days(17, 12)}));
    let mut bad = moved.clone();
    bad["scope"] = json!("sometimes");
    let (status, body, _) = api
        .call(
            reqwest::Method::PUT,
            one,
            &format!("/events/{second}"),
            Some(&sec),
            Some(bad),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["occurrences"]);
    let mut following = moved.clone();
    following["scope"] = json!("following");
    let (status, body, _) = api
        .call(
            reqwest::Method::PUT,
            one,
            &format!("/events/{second}"),
            Some(&sec),
            Some(following),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, after) = api.get(e, &format!("/events?series={series}"), None).await;
    let starts: Vec<String> = occurrences(&after).into_iter().map(|o| o.1).collect();
    assert_eq!(
        starts,
        [
            in_days(10, 9).replace('T', " "),
            in_days(17, 10).replace('T', " "),
            in_days(24, 10).replace('T', " "),
            in_days(31, 10).replace('T', " "),
        ]
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND type = 'event_updated'",
    )
    .bind(ana_id)
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(told, 1, "ana, signed up for one of them, is told once");

    // Cancelling the third alone, then the second and those that follow.
    let cancel = "/events/{id}/cancel";
    let third = list[2].0.clone();
    let (status, _) = api
        .post(cancel, &format!("/events/{third}/cancel"), &sec, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .post(
            cancel,
            &format!("/events/{second}/cancel"),
            &sec,
            json!({"scope": "following"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = api
        .get(
            e,
            &format!("/events?series={series}&include_cancelled=true"),
            None,
        )
        .await;
    let states: Vec<String> = occurrences(&after).into_iter().map(|o| o.2).collect();
    assert_eq!(states, ["confirmed", "cancelled", "cancelled", "cancelled"]);

    // A recurring mission: each occurrence has its shifts, a week apart.
    let (status, mission) = api
        .post(
            e,
            e,
            &sec,
            json!({"name": "Tractage", "group": "pau", "postcode": "64000",
                   "recurrence": "FREQ=WEEKLY;COUNT=2",
                   "shifts": [{"start_time": in_days(12, 9), "end_time": in_days(12, 10), "needed": 2}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mission}");
    let (_, missions) = api
        .get(
            e,
            &format!("/events?series={}", mission["series_id"].as_str().unwrap()),
            None,
        )
        .await;
    let missions = missions.as_array().unwrap();
    assert_eq!(missions.len(), 2);
    let (_, shifts) = api
        .get(
            "/events/{id}/shifts",
            &format!("/events/{}/shifts", missions[1]["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        paris(&shifts[0]["start_time"]),
        in_days(19, 9).replace('T', " ")
    );
    assert_eq!(shifts[0]["capacity"], 2);

    // Filters: kind, open shifts; a federation's agenda holds its sections' events.
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, list) = api.get(e, "/events?kind=mission", None).await;
    assert_eq!(names(&list), ["Tractage", "Tractage"]);
    let (_, list) = api.get(e, "/events?kind=event", None).await;
    assert_eq!(names(&list), ["Permanence"], "the others are cancelled");
    let (_, list) = api.get(e, "/events?open_shifts=true", None).await;
    assert_eq!(names(&list).len(), 2);
    let (status, body) = api.get(e, "/events?kind=party", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["kind"]);
    let (_, list) = api.get(e, "/events?group=federation_64", None).await;
    assert_eq!(names(&list).len(), 3, "the federation's agenda: {list}");
    let (_, fed_event) = api
        .post(
            e,
            e,
            &sec,
            with(json!({"group": "federation_64", "name": "Congrès"})),
        )
        .await;
    assert_eq!(fed_event["name"], "Congrès");
    let (_, list) = api.get(e, "/events?group=federation_64", None).await;
    assert_eq!(names(&list).len(), 4);
    let (_, list) = api.get(e, "/events?group=pau", None).await;
    assert_eq!(names(&list).len(), 3, "a section's agenda is its own");

    // The people a recurring event names are told once, not at every occurrence.
    let (status, _) = api
        .post(
            e,
            e,
            &sec,
            with(
                json!({"name": "Réunion", "description": "Avec @ana pour le compte rendu",
                        "recurrence": "FREQ=WEEKLY;COUNT=3"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mentions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND type = 'mention'",
    )
    .bind(ana_id)
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(mentions, 1);

    // Pages hold `limit` visible events: a members-only one in between is skipped, and the
    // Link header gives where the next page starts.
    api.post(
        e,
        e,
        &sec,
        with(json!({"name": "Bureau", "audience": "members"})),
    )
    .await;
    let (_, all) = api.get(e, "/events?limit=200", Some(&sec)).await;
    let (_, visible) = api.get(e, "/events?limit=200", None).await;
    let visible = names(&visible);
    assert_eq!(visible.len() + 1, names(&all).len(), "one is members-only");
    let mut seen = Vec::new();
    let mut path = "/events?limit=2".to_string();
    loop {
        let res = app
            .client
            .get(app.url(&format!("/api/coopol/v1{path}")))
            .send()
            .await
            .unwrap();
        let next = res
            .headers()
            .get(header::LINK)
            .map(|l| l.to_str().unwrap().to_string());
        let page: Value = res.json().await.unwrap();
        let page = names(&page);
        assert!(page.len() == 2 || next.is_none(), "full pages: {page:?}");
        seen.extend(page);
        let Some(next) = next else { break };
        let url = next
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_string();
        assert!(
            url.starts_with(&app.base),
            "built from the public URL: {url}"
        );
        path = url.split("/api/coopol/v1").nth(1).unwrap().to_string();
    }
    assert_eq!(seen, visible);
}
