//! Notifications beyond the list: the dispatcher, each person's preferences per kind (API and
//! web), markers and unread counts, and the notifications organizers need (join and
//! affiliation requests, sign-ups to approve, people leaving an event).

mod common;
// The scenes this file does not use are used by others.
#[allow(dead_code)]
#[path = "common/scenes.rs"]
mod scenes;

use common::{TestApp, eventually, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PREFS: &str = "/api/coopol/v1/notification_preferences";

/// The notifications `token`'s person has, newest first: (type, account's acct, group's acct).
async fn notifications(app: &TestApp, token: &str) -> Vec<(String, String, String)> {
    let (status, list) = app
        .get_json("/api/v1/notifications?limit=40", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap().to_string(),
                n["account"]["acct"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                n["group"]["acct"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

async fn undispatched(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE dispatched = 0")
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

async fn unread(app: &TestApp, token: &str, query: &str) -> i64 {
    let (status, body) = app
        .get_json(
            &format!("/api/v1/notifications/unread_count{query}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["count"].as_i64().unwrap()
}

async fn follow(app: &TestApp, token: &str, id: i64) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{id}/follow"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_dispatcher_takes_each_notification_once_and_keeps_what_is_wanted_in_the_app() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;

    // Ana does not want to see new followers in the app.
    let (status, body) = app
        .client
        .put(app.url(PREFS))
        .bearer_auth(&ana)
        .json(&json!({"follow": {"in_app": false}}))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let prefs: Value = body.json().await.unwrap();
    let follow_pref = prefs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "follow")
        .unwrap();
    assert_eq!(
        follow_pref,
        &json!({"kind": "follow", "in_app": false, "email": false, "push": true})
    );

    follow(&app, &bob, ana_id).await;
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&carol),
            &json!({"status": "Bonjour @ana"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");

    // Both are dispatched; the follow, unwanted in the app, is gone once dispatched.
    eventually("notifications dispatched", || async {
        undispatched(&app).await == 0
    })
    .await;
    let seen = notifications(&app, &ana).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].0, "mention");
    assert_eq!(seen[0].1, "carol");

    // Dispatching again finds nothing: each is taken once.
    assert_eq!(
        coopol::service::notifications::dispatch(&app.state)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn preferences_through_the_api_refuse_what_they_do_not_know_and_change_nothing() {
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let (_, reader) = app.user_with_token("reader", "read").await;

    let (status, defaults) = app.get_json(PREFS, Some(&ana)).await;
    assert_eq!(status, StatusCode::OK, "{defaults}");
    let list = defaults.as_array().unwrap();
    assert_eq!(list.len(), coopol::domain::NotificationKind::ALL.len());
    let of = |list: &Value, kind: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .unwrap()
            .clone()
    };
    // Requests to decide on come by e-mail by default, likes do not.
    assert_eq!(of(&defaults, "group_join_request")["email"], true);
    assert_eq!(of(&defaults, "admin.sign_up")["email"], true);
    assert_eq!(of(&defaults, "favourite")["email"], false);

    let put = |token: &str, body: Value| {
        let req = app
            .client
            .put(app.url(PREFS))
            .bearer_auth(token)
            .json(&body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for bad in [
        json!({"quote": {"email": false}}),
        json!({"mention": {"sms": true}}),
        json!({"mention": {"email": "no"}}),
        json!({"mention": true}),
        // One bad entry refuses the whole change.
        json!({"favourite": {"email": true}, "nonsense": {}}),
    ] {
        let (status, body) = put(&ana, bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["details"]["preferences"].is_array(), "{body}");
    }
    let (_, after) = app.get_json(PREFS, Some(&ana)).await;
    assert_eq!(after, defaults, "a refused change changed nothing");

    let (status, body) = put(&ana, json!({"favourite": {"email": true, "push": false}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        of(&body, "favourite"),
        json!({"kind": "favourite", "in_app": true, "email": true, "push": false})
    );
    // Other kinds keep theirs.
    assert_eq!(of(&body, "mention"), of(&defaults, "mention"));

    let (status, _) = put(&reader, json!({"favourite": {"email": true}})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a read-only token changes nothing"
    );
    let (status, _) = app.get_json(PREFS, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn markers_give_the_unread_count() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;
    for name in ["bob", "carol", "dan"] {
        let (_, token) = app.user_with_token(name, "read write follow").await;
        follow(&app, &token, ana_id).await;
    }
    assert_eq!(unread(&app, &ana, "").await, 3);
    assert_eq!(unread(&app, &ana, "?limit=2").await, 2);
    assert_eq!(unread(&app, &ana, "?types[]=mention").await, 0);
    assert_eq!(unread(&app, &ana, "?exclude_types[]=mention").await, 3);

    let (_, list) = app.get_json("/api/v1/notifications", Some(&ana)).await;
    let second = list[1]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post_json(
            "/api/v1/markers",
            Some(&ana),
            &json!({"notifications": {"last_read_id": second}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["notifications"]["last_read_id"], second.as_str());
    assert_eq!(body["notifications"]["version"], 0);
    assert!(body.get("home").is_none());
    assert_eq!(unread(&app, &ana, "").await, 1);

    // Set again (as a form, as apps do): the version counts.
    let (status, body) = app
        .post_form(
            "/api/v1/markers",
            Some(&ana),
            &[
                ("notifications[last_read_id]", &second),
                ("home[last_read_id]", "5"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["notifications"]["version"], 1);
    assert_eq!(body["home"]["last_read_id"], "5");
    let (status, body) = app
        .get_json(
            "/api/v1/markers?timeline[]=notifications&timeline[]=home",
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["notifications"]["last_read_id"], second.as_str());
    assert_eq!(body["home"]["version"], 0);
    let (_, only) = app
        .get_json("/api/v1/markers?timeline[]=home", Some(&ana))
        .await;
    assert!(only.get("notifications").is_none(), "{only}");

    for (path, body) in [
        (
            "/api/v1/markers",
            json!({"notifications": {"last_read_id": "abc"}}),
        ),
        ("/api/v1/markers", json!({"notifications": {}})),
        ("/api/v1/markers", json!({})),
    ] {
        let (status, answer) = app.post_json(path, Some(&ana), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
    }
    let (status, _) = app
        .get_json("/api/v1/markers?timeline[]=public", Some(&ana))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .get_json("/api/v1/notifications/unread_count?limit=x", Some(&ana))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test]
async fn a_join_request_tells_the_groups_staff_until_it_is_decided() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &section, &p.carol, p.carol_id).await;
    scenes::role(&app, &p, &section, p.carol_id, "moderator").await;

    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/groups/{section}/join"),
            Some(&p.bob),
            &json!({"message": "Bonjour"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for staff in [&p.sec, &p.carol] {
        let seen = notifications(&app, staff).await;
        assert!(
            seen.contains(&(
                "group_join_request".into(),
                "bob".into(),
                "section_paris11".into()
            )),
            "{seen:?}"
        );
    }
    // A plain member is not told.
    assert!(notifications(&app, &p.eve).await.is_empty());

    let (status, body) = app
        .post_json(
            &format!(
                "/api/coopol/v1/groups/{section}/members/{}/approve",
                p.bob_id
            ),
            Some(&p.carol),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for staff in [&p.sec, &p.carol] {
        assert!(
            !notifications(&app, staff)
                .await
                .iter()
                .any(|n| n.0 == "group_join_request"),
            "decided: no longer to decide"
        );
    }

    // A withdrawn request goes too.
    app.post_json(
        &format!("/api/coopol/v1/groups/{section}/join"),
        Some(&p.eve),
        &json!({}),
    )
    .await;
    assert!(
        notifications(&app, &p.sec)
            .await
            .iter()
            .any(|n| n.0 == "group_join_request" && n.1 == "eve")
    );
    app.post_json(
        &format!("/api/coopol/v1/groups/{section}/leave"),
        Some(&p.eve),
        &json!({}),
    )
    .await;
    assert!(
        !notifications(&app, &p.sec)
            .await
            .iter()
            .any(|n| n.0 == "group_join_request")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_affiliation_request_tells_the_federations_staff() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let federation = scenes::paris_federation(&app, &p).await;
    // Bob runs a section and asks the federation (run by the secretary).
    let section = scenes::group(
        &app,
        &p.bob,
        json!({"name": "section_paris12", "display_name": "Paris 12e", "kind": "section",
               "postcode": "75012"}),
    )
    .await;
    let section = section["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/groups/{section}/affiliate"),
            Some(&p.bob),
            &json!({"federation": federation}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let seen = notifications(&app, &p.sec).await;
    assert!(
        seen.contains(&(
            "affiliation_request".into(),
            "section_paris12".into(),
            "federation_75".into()
        )),
        "{seen:?}"
    );
    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/groups/{federation}/affiliations/{section}/approve"),
            Some(&p.sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !notifications(&app, &p.sec)
            .await
            .iter()
            .any(|n| n.0 == "affiliation_request")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_sign_up_to_approve_tells_the_instances_staff() {
    let app = spawn_app().await;
    app.set_registration_mode("approval").await;
    let admin_id = app
        .create_user("admin", "correct horse battery", Role::Admin)
        .await;
    let (_, member) = app.user_with_token("member", "read").await;
    let client = app.register_app("read", "urn:ietf:wg:oauth:2.0:oob").await;
    let admin = app
        .password_token(
            &client,
            "admin@example.org",
            "correct horse battery",
            "read",
        )
        .await;
    let reg = coopol::service::accounts::Registration {
        username: "newcomer".into(),
        email: "newcomer@example.org".into(),
        password: "correct horse battery".into(),
        reason: "Je veux militer".into(),
        agreement: true,
        ..Default::default()
    };
    let user = coopol::service::accounts::register(
        &app.state,
        reg,
        coopol::service::accounts::Registrar::Public,
    )
    .await
    .unwrap();
    let seen = notifications(&app, &admin).await;
    assert_eq!(
        seen,
        vec![("admin.sign_up".into(), "newcomer".into(), String::new())]
    );
    assert!(notifications(&app, &member).await.is_empty());
    let by = coopol::db::accounts::user_by_id(app.state.pool(), admin_id)
        .await
        .unwrap()
        .unwrap();
    coopol::service::accounts::approve(&app.state, &by, user.account_id)
        .await
        .unwrap();
    assert!(notifications(&app, &admin).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_organizer_is_told_when_someone_leaves() {
    let app = spawn_app().await;
    let (_, sec) = app.user_with_token("secretaire", "read write").await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let start = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%dT09:00")
        .to_string();
    let end = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%dT11:00")
        .to_string();
    let (status, event) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&sec),
            &json!({"name": "Tractage", "start_time": start, "end_time": end,
                    "place_name": "Marché", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let id = event["id"].as_str().unwrap();
    let path = format!("/api/coopol/v1/events/{id}/participation");
    let (status, body) = app.post_json(&path, Some(&ana), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let kinds: Vec<String> = notifications(&app, &sec)
        .await
        .into_iter()
        .map(|n| n.0)
        .collect();
    assert_eq!(kinds, vec!["event_left", "event_participation"]);
    app.stop().await;
}

#[tokio::test]
async fn the_web_menu_counts_unread_notifications_and_the_settings_choose_channels() {
    let app = spawn_app().await;
    let ana_id = app
        .create_user("ana", "correct horse battery", Role::Member)
        .await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    follow(&app, &bob, ana_id).await;
    let web = app.browser();
    web.sign_in("ana@example.org", "correct horse battery")
        .await;

    let home = web.get("/").await;
    assert!(home.contains("class=\"count\">1<"), "{}", home.body);
    let page = web.get("/notifications").await;
    assert!(page.contains("bob"));
    // Shown: read.
    let home = web.get("/").await;
    assert!(!home.contains("class=\"count\""), "{}", home.body);

    let settings = web.get("/settings/notifications").await;
    assert_eq!(settings.status, StatusCode::OK);
    assert!(settings.contains("name=\"admin_sign_up.email\""));
    assert!(settings.contains("name=\"mention.email\" checked"));
    // Only mentions by e-mail and in the app; everything else off.
    let saved = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[("mention.email", "on"), ("mention.in_app", "on")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let prefs = coopol::service::notifications::preferences(&app.state, ana_id)
        .await
        .unwrap();
    for (kind, channels) in prefs {
        let mention = kind == coopol::domain::NotificationKind::Mention;
        assert_eq!(channels.email, mention, "{kind:?}");
        assert_eq!(channels.in_app, mention, "{kind:?}");
        assert!(!channels.push, "{kind:?}");
    }
    // Missions near me: a reach without a postcode shows the page again with what was typed
    // and the boxes as ticked, and saves nothing.
    let refused = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[
                ("mention.email", "on"),
                ("alert_reach", "departement"),
                ("alert_postcode", "750"),
                ("alert_every_email", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("id=\"postcode-error\""),
        "{}",
        refused.body
    );
    assert!(refused.contains("value=\"750\""), "{}", refused.body);
    assert!(refused.contains("value=\"departement\" selected"));
    assert!(refused.contains("name=\"alert_every_email\" value=\"1\" checked"));
    assert!(refused.contains("name=\"mention.email\" checked"));
    assert!(!refused.contains("name=\"mention.in_app\" checked"));
    let alerts = coopol::service::notifications::mission_alerts(&app.state, ana_id)
        .await
        .unwrap();
    assert_eq!(alerts, coopol::domain::MissionAlerts::default());
    let saved = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[("alert_reach", "departement"), ("alert_postcode", "64000")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let alerts = coopol::service::notifications::mission_alerts(&app.state, ana_id)
        .await
        .unwrap();
    assert_eq!(alerts.reach, coopol::domain::AlertReach::Departement);
    assert_eq!(alerts.departement().as_deref(), Some("64"));
    assert!(!alerts.every_email);
    // A field the page does not have is refused.
    let refused = web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[("mention.sms", "on")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    app.stop().await;
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A moment 47 hours before a shift starting at `local` (as [`in_days`] writes it, in the
/// instance's zone): within the two days before it in which a short shift is told, whatever
/// the time of day the test runs at.
fn two_days_before(local: &str) -> i64 {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap();
    let start = chrono_tz::Europe::Paris
        .from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .timestamp_micros();
    start - 47 * 3_600_000_000
}

#[tokio::test]
async fn a_groups_mission_is_announced_to_its_members_and_a_short_shift_two_days_before() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &section, &p.bob, p.bob_id).await;
    scenes::member(&app, &p, &section, &p.carol, p.carol_id).await;
    // Eve only follows the section: a sympathizer is not a member.
    let (status, mission) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&p.sec),
            &json!({"name": "Tractage au marché", "group": "section_paris11", "postcode": "75011",
                    "shifts": [{"start_time": in_days(3, 9), "end_time": in_days(3, 11), "needed": 3}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mission}");
    for member in [&p.bob, &p.carol] {
        let seen = notifications(&app, member).await;
        assert_eq!(
            seen,
            vec![(
                "mission_new".into(),
                "section_paris11".into(),
                String::new()
            )]
        );
    }
    assert!(notifications(&app, &p.eve).await.is_empty());
    assert!(
        notifications(&app, &p.sec)
            .await
            .iter()
            .all(|n| n.0 != "mission_new"),
        "the author is not told of their own mission"
    );

    // Bob signs up for the shift; two days before it, it is still short: Carol is told,
    // Bob (signed up) is not, and only once whatever the number of workers.
    let (_, shifts) = app
        .get_json(
            &format!(
                "/api/coopol/v1/events/{}/shifts",
                mission["id"].as_str().unwrap()
            ),
            Some(&p.sec),
        )
        .await;
    let shift = shifts[0]["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/events/{shift}/participation"),
            Some(&p.bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = coopol::clock::now();
    // Three days before: not yet.
    assert_eq!(
        coopol::service::events::send_short_alerts(&app.state, now)
            .await
            .unwrap(),
        0
    );
    let two_days_before = two_days_before(&in_days(3, 9));
    assert_eq!(
        coopol::service::events::send_short_alerts(&app.state, two_days_before)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        coopol::service::events::send_short_alerts(&app.state, two_days_before)
            .await
            .unwrap(),
        0,
        "claimed once"
    );
    let carol = notifications(&app, &p.carol).await;
    assert_eq!(carol[0].0, "mission_short", "{carol:?}");
    assert!(
        notifications(&app, &p.bob)
            .await
            .iter()
            .all(|n| n.0 != "mission_short")
    );
    app.stop().await;
}

#[tokio::test]
async fn after_the_event_its_organizer_is_asked_to_record_attendance_once() {
    let app = spawn_app().await;
    let (_, sec) = app.user_with_token("secretaire", "read write").await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let (status, with_people) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&sec),
            &json!({"name": "Réunion", "start_time": in_days(1, 18), "end_time": in_days(1, 20),
                    "place_name": "Local", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{with_people}");
    let (status, _) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&sec),
            &json!({"name": "Personne", "start_time": in_days(1, 18), "end_time": in_days(1, 20),
                    "place_name": "Local", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = with_people["id"].as_str().unwrap();
    app.post_json(
        &format!("/api/coopol/v1/events/{id}/participation"),
        Some(&ana),
        &json!({}),
    )
    .await;
    let now = coopol::clock::now();
    let day = 24 * 3_600_000_000;
    assert_eq!(
        coopol::service::events::ask_attendance(&app.state, now)
            .await
            .unwrap(),
        0,
        "not over yet"
    );
    // The day after: only the event with participants, once.
    assert_eq!(
        coopol::service::events::ask_attendance(&app.state, now + 2 * day)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        coopol::service::events::ask_attendance(&app.state, now + 2 * day)
            .await
            .unwrap(),
        0
    );
    let seen = notifications(&app, &sec).await;
    assert_eq!(seen[0].0, "event_attendance", "{seen:?}");
    // Ended long ago (the server was down): not asked any more.
    let (status, late) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&sec),
            &json!({"name": "Tard", "start_time": in_days(1, 8), "end_time": in_days(1, 9),
                    "place_name": "Local", "postcode": "64000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.post_json(
        &format!(
            "/api/coopol/v1/events/{}/participation",
            late["id"].as_str().unwrap()
        ),
        Some(&ana),
        &json!({}),
    )
    .await;
    assert_eq!(
        coopol::service::events::ask_attendance(&app.state, now + 5 * day)
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}

#[tokio::test]
async fn the_digest_tells_a_member_what_happened_in_their_groups() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &section, &p.bob, p.bob_id).await;
    scenes::member(&app, &p, &section, &p.carol, p.carol_id).await;
    scenes::group_post(
        &app,
        &section,
        &p.carol,
        json!({"status": "Qui vient coller des affiches jeudi ?", "circle": "members"}),
    )
    .await;
    let (status, event) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&p.sec),
            &json!({"name": "Assemblée générale", "group": "section_paris11",
                    "start_time": in_days(2, 19), "end_time": in_days(2, 21),
                    "place_name": "Local", "postcode": "75011"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let (status, mission) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&p.sec),
            &json!({"name": "Tractage", "group": "section_paris11", "postcode": "75011",
                    "shifts": [{"start_time": in_days(3, 9), "end_time": in_days(3, 11), "needed": 2}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mission}");

    let now = coopol::clock::now();
    let gather = |who: i64| {
        coopol::service::digest::gather(
            &app.state,
            who,
            coopol::domain::DigestFrequency::Daily,
            coopol::domain::Locale::Fr,
            now,
        )
    };
    let bob = gather(p.bob_id).await.unwrap();
    assert_eq!(bob.discussions.len(), 1, "{bob:?}");
    assert!(bob.discussions[0].title.contains("coller des affiches"));
    assert_eq!(bob.discussions[0].detail, "Section Paris 11e");
    assert_eq!(bob.events.len(), 2, "the event and the mission: {bob:?}");
    assert_eq!(bob.events[0].title, "Assemblée générale");
    assert!(
        bob.events[0]
            .link
            .ends_with(&format!("/events/{}", event["id"].as_str().unwrap()))
    );
    assert_eq!(bob.missions.len(), 1, "{bob:?}");
    assert!(
        bob.missions[0].detail.contains("encore 2 places"),
        "{bob:?}"
    );
    // Carol wrote the discussion: not news to her.
    assert!(gather(p.carol_id).await.unwrap().discussions.is_empty());
    // Eve is no member: nothing of the section's circles.
    assert!(gather(p.eve_id).await.unwrap().is_empty());
    app.stop().await;
}

async fn alert_preferences(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let res = app
        .client
        .put(app.url("/api/coopol/v1/alert_preferences"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn a_public_mission_is_announced_to_the_people_near_it_who_asked_and_a_closed_one_is_not() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    scenes::paris_section(&app, &p).await;
    let (_, dan) = app.user_with_token("dan", "read write").await;
    // Bad input is refused with the field named, and nothing changes.
    for (body, field) in [
        (json!({"mission_reach": "departement"}), "postcode"),
        (
            json!({"mission_reach": "departement", "postcode": "7501"}),
            "postcode",
        ),
        (
            json!({"mission_reach": "everywhere", "postcode": "75020"}),
            "mission_reach",
        ),
        (json!({"digest": "hourly"}), "digest"),
        (json!({"every_mission_email": "yes"}), "every_mission_email"),
        (json!({"sms": true}), "preferences"),
    ] {
        let (status, error) = alert_preferences(&app, &p.eve, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert!(error.to_string().contains(field), "{body}: {error}");
    }
    let (status, unchanged) = app
        .get_json("/api/coopol/v1/alert_preferences", Some(&p.eve))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        unchanged,
        json!({"digest": "off", "mission_reach": "off", "postcode": null,
               "every_mission_email": false})
    );
    // Eve hears of public missions in her département, Bob at his postcode, Dan in Pau's.
    let (status, eve) = alert_preferences(
        &app,
        &p.eve,
        json!({"mission_reach": "departement", "postcode": " 75020 ", "digest": "weekly"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{eve}");
    assert_eq!(
        eve,
        json!({"digest": "weekly", "mission_reach": "departement", "postcode": "75020",
               "every_mission_email": false})
    );
    for (token, reach, postcode) in [
        (&p.bob, "postcode", "75011"),
        (&dan, "departement", "64000"),
        (&p.carol, "off", "75011"),
    ] {
        let (status, body) = alert_preferences(
            &app,
            token,
            json!({"mission_reach": reach, "postcode": postcode}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mission = |name: &'static str, audience: &'static str| {
        let app = &app;
        let sec = p.sec.clone();
        async move {
            let (status, mission) = app
                .post_json(
                    "/api/coopol/v1/events",
                    Some(&sec),
                    &json!({"name": name, "group": "section_paris11", "postcode": "75011",
                            "audience": audience,
                            "shifts": [{"start_time": in_days(3, 9), "end_time": in_days(3, 11),
                                        "needed": 3}]}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{mission}");
            mission
        }
    };
    // A members-only mission is told to nobody outside the section.
    mission("Collage interne", "members").await;
    for token in [&p.eve, &p.bob, &dan, &p.carol] {
        assert!(notifications(&app, token).await.is_empty());
    }
    mission("Tractage au marché", "public").await;
    let told = vec![(
        "mission_new".to_string(),
        "section_paris11".to_string(),
        String::new(),
    )];
    assert_eq!(notifications(&app, &p.eve).await, told);
    assert_eq!(notifications(&app, &p.bob).await, told);
    assert!(notifications(&app, &dan).await.is_empty(), "Pau is far");
    assert!(
        notifications(&app, &p.carol).await.is_empty(),
        "Carol chose off"
    );

    // Two days before, the public mission's shift, still short, is told to the same people.
    let two_days_before = two_days_before(&in_days(3, 9));
    assert_eq!(
        coopol::service::events::send_short_alerts(&app.state, two_days_before)
            .await
            .unwrap(),
        1,
        "the members-only shift has nobody here to tell"
    );
    for token in [&p.eve, &p.bob] {
        let seen = notifications(&app, token).await;
        assert_eq!(seen[0].0, "mission_short", "{seen:?}");
    }
    assert!(notifications(&app, &dan).await.is_empty());
    app.stop().await;
}
