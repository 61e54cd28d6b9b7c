//! Events across instances: a section on A posts an event and a members-only one; members
//! on A and B take part (capacity, waiting list and promotion across servers); a sympathizer
//! on C sees the public event only; a cancellation reaches every participant.

mod common;

use common::{TestApp, eventually, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

const API: &str = "/api/coopol/v1";

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = app.get_json(&format!("{API}{path}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = app.post_json(path, Some(token), &body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// The events of the section `pau` on A, as `token`'s instance knows them: name → event.
async fn events_of(app: &TestApp, token: &str, group: &str) -> Vec<Value> {
    get(app, token, &format!("/events?group={group}"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn event_named(app: &TestApp, token: &str, group: &str, name: &str) -> Option<Value> {
    events_of(app, token, group)
        .await
        .into_iter()
        .find(|e| e["name"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_participation_across_three_instances() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let c = spawn_app().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (_, ana) = a.user_with_token("ana", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let (_, carol) = b.user_with_token("carol", "read write follow").await;
    let (_, dave) = c.user_with_token("dave", "read write follow").await;
    post(
        &a,
        &sec,
        &format!("{API}/groups"),
        json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
               "postcode": "64000", "join_mode": "open"}),
    )
    .await;
    let handle = format!("pau@{}", a.domain);

    // Bob and Carol (B) join the section; Dave (C) follows it as a sympathizer.
    for token in [&bob, &carol] {
        post(&b, token, &format!("{API}/groups/{handle}/join"), json!({})).await;
    }
    eventually("B's members are accepted", || async {
        let g = get(&b, &carol, &format!("/groups/{handle}")).await;
        g["viewer"]["membership"] == "accepted"
            && get(&b, &bob, &format!("/groups/{handle}")).await["viewer"]["membership"]
                == "accepted"
    })
    .await;
    let on_c = get(&c, &dave, &format!("/groups/{handle}")).await;
    let group_on_c = on_c["id"].as_str().unwrap().to_string();
    post(
        &c,
        &dave,
        &format!("/api/v1/accounts/{group_on_c}/follow"),
        json!({}),
    )
    .await;
    eventually("Dave follows the section", || async {
        get(&c, &dave, &format!("/groups/{handle}")).await["viewer"]["following"] == true
    })
    .await;

    // A public event with two places and a members-only one.
    let event = post(
        &a,
        &sec,
        &format!("{API}/events"),
        json!({"name": "Tractage au marché", "group": "pau", "capacity": 2,
               "start_time": in_days(10, 9), "end_time": in_days(10, 12),
               "place_name": "Halles de Pau", "postcode": "64000"}),
    )
    .await;
    let event_id = event["id"].as_str().unwrap().to_string();
    post(
        &a,
        &sec,
        &format!("{API}/events"),
        json!({"name": "Réunion de bureau", "group": "pau", "audience": "members",
               "start_time": in_days(3, 19), "end_time": in_days(3, 21)}),
    )
    .await;

    // B (members) gets both; C (a sympathizer) the public one only.
    eventually("B knows both events", || async {
        events_of(&b, &bob, &handle).await.len() == 2
    })
    .await;
    eventually("C knows the public event", || async {
        event_named(&c, &dave, &handle, "Tractage au marché")
            .await
            .is_some()
    })
    .await;
    assert!(
        event_named(&c, &dave, &handle, "Réunion de bureau")
            .await
            .is_none(),
        "a sympathizer's instance must not see a members-only event"
    );
    let on_b = event_named(&b, &bob, &handle, "Tractage au marché")
        .await
        .unwrap();
    assert_eq!(on_b["capacity"], 2);
    assert_eq!(on_b["timezone"], "Europe/Paris");
    assert_eq!(on_b["start_time"], event["start_time"]);
    let id_on_b = on_b["id"].as_str().unwrap().to_string();

    // Ana (A) takes a place; Bob (B) the last one; Carol (B) waits.
    post(
        &a,
        &ana,
        &format!("{API}/events/{event_id}/participation"),
        json!({}),
    )
    .await;
    let asked = post(
        &b,
        &bob,
        &format!("{API}/events/{id_on_b}/participation"),
        json!({"message": "Je viens de Lescar"}),
    )
    .await;
    assert_eq!(asked["participation"], "pending", "until A answers");
    eventually("A accepts Bob", || async {
        get(&b, &bob, &format!("/events/{id_on_b}")).await["participation"] == "accepted"
    })
    .await;
    post(
        &b,
        &carol,
        &format!("{API}/events/{id_on_b}/participation"),
        json!({}),
    )
    .await;
    eventually("Carol is on A's waiting list", || async {
        let list = get(&a, &sec, &format!("/events/{event_id}/participants")).await;
        list.as_array().unwrap().iter().any(|p| {
            p["state"] == "waiting" && p["account"]["acct"].as_str().unwrap().starts_with("carol@")
        })
    })
    .await;
    let list = get(&a, &sec, &format!("/events/{event_id}/participants")).await;
    let bob_on_a = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["account"]["acct"].as_str().unwrap().starts_with("bob@"))
        .unwrap()
        .clone();
    assert_eq!(bob_on_a["state"], "accepted");
    assert_eq!(bob_on_a["message"], "Je viens de Lescar");
    assert_eq!(
        get(&b, &carol, &format!("/events/{id_on_b}")).await["participation"],
        "pending"
    );

    // Ana leaves: Carol (B) gets the place and B learns it.
    let (status, _) = a
        .client
        .delete(a.url(&format!("{API}/events/{event_id}/participation")))
        .bearer_auth(&ana)
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    eventually("Carol is promoted across servers", || async {
        get(&b, &carol, &format!("/events/{id_on_b}")).await["participation"] == "accepted"
    })
    .await;

    // Edited on A: B's copy follows (name, capacity).
    let (status, edited) = a
        .client
        .put(a.url(&format!("{API}/events/{event_id}")))
        .bearer_auth(&sec)
        .json(&json!({"name": "Grand tractage", "capacity": 3,
                      "start_time": in_days(10, 9), "end_time": in_days(10, 13),
                      "place_name": "Halles de Pau", "postcode": "64000"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{edited:?}");
    eventually("the edit reaches B", || async {
        let e = get(&b, &bob, &format!("/events/{id_on_b}")).await;
        e["name"] == "Grand tractage" && e["capacity"] == 3
    })
    .await;

    // A mission with one shift: B sees the shift under its mission, and Bob signs up there.
    let mission = post(
        &a,
        &sec,
        &format!("{API}/events"),
        json!({"name": "Collage", "group": "pau",
               "shifts": [{"start_time": in_days(4, 20), "end_time": in_days(4, 22), "needed": 1}]}),
    )
    .await;
    assert_eq!(mission["is_mission"], true);
    let mission_id = mission["id"].as_str().unwrap().to_string();
    eventually("B knows the mission and its shift", || async {
        match event_named(&b, &bob, &handle, "Collage").await {
            Some(m) => {
                let id = m["id"].as_str().unwrap().to_string();
                get(&b, &bob, &format!("/events/{id}/shifts"))
                    .await
                    .as_array()
                    .unwrap()
                    .len()
                    == 1
            }
            None => false,
        }
    })
    .await;
    let mission_on_b = event_named(&b, &bob, &handle, "Collage").await.unwrap();
    assert_eq!(mission_on_b["is_mission"], true);
    let mission_on_b = mission_on_b["id"].as_str().unwrap().to_string();
    let shift_on_b = get(&b, &bob, &format!("/events/{mission_on_b}/shifts")).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        &b,
        &bob,
        &format!("{API}/events/{mission_on_b}/shifts/{shift_on_b}/participation"),
        json!({}),
    )
    .await;
    eventually("A fills the shift with Bob", || async {
        let shifts = get(&a, &sec, &format!("/events/{mission_id}/shifts")).await;
        shifts[0]["remaining"] == 0
    })
    .await;
    eventually("B learns Bob has the shift", || async {
        get(&b, &bob, &format!("/events/{shift_on_b}")).await["participation"] == "accepted"
    })
    .await;

    // Cancelled on A: B's copy says so and its participants are told.
    post(
        &a,
        &sec,
        &format!("{API}/events/{event_id}/cancel"),
        json!({}),
    )
    .await;
    eventually("the cancellation reaches B", || async {
        get(&b, &bob, &format!("/events/{id_on_b}")).await["status"] == "cancelled"
    })
    .await;
    for token in [&bob, &carol] {
        let (status, notes) = b.get_json("/api/v1/notifications", Some(token)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            notes
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["type"] == "event_cancelled"),
            "{notes}"
        );
    }
    eventually("and C's copy", || async {
        let list = get(
            &c,
            &dave,
            &format!("/events?group={handle}&include_cancelled=1"),
        )
        .await;
        list.as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "Grand tractage" && e["status"] == "cancelled")
    })
    .await;
}

/// An invitation across servers: a section on A invites Bob (on B) to an invite-only event;
/// B receives coopol's `Invite` of the event and tells Bob; Bob accepts (a `Join` to A), and
/// A lets him in without approval because he was invited. Carol, not invited, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_to_an_invite_only_event_across_servers() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let (_, carol) = b.user_with_token("carol", "read write follow").await;
    post(
        &a,
        &sec,
        &format!("{API}/groups"),
        json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
               "postcode": "64000", "join_mode": "open"}),
    )
    .await;
    let event = post(
        &a,
        &sec,
        &format!("{API}/events"),
        json!({"name": "Dîner des bénévoles", "group": "pau", "join_mode": "invite",
               "start_time": in_days(9, 19), "end_time": in_days(9, 22), "postcode": "64000"}),
    )
    .await;
    let event_id = event["id"].as_str().unwrap().to_string();
    // A finds Bob on B (as the web form's handle does).
    let (status, found) = a
        .get_json(
            &format!(
                "/api/v2/search?q=bob@{}&resolve=true&type=accounts",
                b.domain
            ),
            Some(&sec),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let bob_on_a = found["accounts"][0]["id"].as_str().unwrap().to_string();
    let invited = post(
        &a,
        &sec,
        &format!("{API}/events/{event_id}/participants/{bob_on_a}/invite"),
        json!({}),
    )
    .await;
    assert_eq!(invited[0]["state"], "invited");

    // B learns of the invitation (and of the event, fetched from A).
    let invitation = || async {
        let (_, notes) = b.get_json("/api/v1/notifications", Some(&bob)).await;
        notes.as_array().and_then(|n| {
            n.iter()
                .find(|n| n["type"] == "event_invited")
                .map(|n| n["status"]["id"].as_str().unwrap_or_default().to_string())
        })
    };
    eventually("Bob is told on B", || async {
        invitation().await.is_some()
    })
    .await;
    let id_on_b = invitation().await.unwrap();
    let on_b = get(&b, &bob, &format!("/events/{id_on_b}")).await;
    assert_eq!(on_b["participation"], "invited");
    assert_eq!(on_b["join_mode"], "invite");

    // Someone else on A cannot invite to the event: only its organizers speak for it.
    a.user_with_token("mallory", "read").await;
    let (_, found) = b
        .get_json(
            &format!(
                "/api/v2/search?q=mallory@{}&resolve=true&type=accounts",
                a.domain
            ),
            Some(&bob),
        )
        .await;
    let mallory = coopol::db::accounts::by_id(
        b.state.pool(),
        found["accounts"][0]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let carol_uri = b.url("/users/carol");
    let spoofed: coopol::federation::protocol::Activity = serde_json::from_value(json!({
        "id": format!("{}#invites/spoofed", mallory.uri),
        "type": "Invite",
        "actor": mallory.uri,
        "object": event["uri"],
        "target": carol_uri,
        "to": [carol_uri],
    }))
    .unwrap();
    let outcome = coopol::federation::receive::dispatch(&b.state, &mallory, &spoofed)
        .await
        .unwrap();
    assert!(
        matches!(outcome, coopol::federation::receive::Outcome::Ignored(_)),
        "{outcome:?}"
    );

    // Carol was not invited: B knows the event is invite-only. Bob's Join goes to A.
    let (status, _) = b
        .post_json(
            &format!("{API}/events/{id_on_b}/participation"),
            Some(&carol),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let asked = post(
        &b,
        &bob,
        &format!("{API}/events/{id_on_b}/participation"),
        json!({}),
    )
    .await;
    assert_eq!(asked["participation"], "pending", "until A answers");
    eventually("A accepts the invited Bob", || async {
        get(&b, &bob, &format!("/events/{id_on_b}")).await["participation"] == "accepted"
    })
    .await;
    let list = get(&a, &sec, &format!("/events/{event_id}/participants")).await;
    let states: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["accepted"], "{list}");

    // The day before, B reminds Bob of the event on A (each server reminds its own people).
    let starts = chrono::DateTime::parse_from_rfc3339(on_b["start_time"].as_str().unwrap())
        .unwrap()
        .timestamp_micros();
    let reminded = coopol::service::events::send_reminders(&b.state, starts - 12 * 3_600_000_000)
        .await
        .unwrap();
    assert_eq!(reminded, 1);
    let (_, notes) = b.get_json("/api/v1/notifications", Some(&bob)).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "event_reminder"),
        "{notes}"
    );
}
