//! Events with peers shaped as real event servers are (issue 30): Gancio, whose only actor is
//! an `Application`, writes local times with an offset and no `timezone`, hybrid meetings as a
//! `location` array, and deletes an event only when the `Tombstone` says it was one; servers
//! that read only `name` and `content` must see a cancelled event cancelled; a Follow undone
//! and sent again with the same id is a follow. The peer is the test's own server
//! (`common::hostile`), serving and signing the documents as those servers write them.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, outbox_drained, spawn_app};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The last activity of `kind` the peer received, once one has arrived.
async fn last_received(h: &Hostile, kind: &str) -> Value {
    eventually(&format!("a {kind} reaches the peer"), || async {
        h.received().iter().any(|r| r.json()["type"] == kind)
    })
    .await;
    h.received()
        .into_iter()
        .rev()
        .find(|r| r.json()["type"] == kind)
        .unwrap()
        .json()
}

/// The stored event of the remote object `uri`: (name, starts_at, timezone, place, street,
/// locality, online link).
async fn stored_event(
    app: &TestApp,
    uri: &str,
) -> Option<(
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
)> {
    sqlx::query_as(
        "SELECT e.name, e.starts_at, e.timezone, e.place_name, e.street, e.locality, e.online_url \
         FROM events e JOIN statuses s ON s.id = e.status_id WHERE s.uri = $1",
    )
    .bind(uri)
    .fetch_optional(app.state.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_follows_a_gancio_agenda_and_reads_its_hybrid_events_at_local_time() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    // Gancio's one actor: the agenda itself, an Application.
    let agenda = h.actor("relay", "Application");
    let row = h.introduce(&app, &agenda).await;

    // Found by its handle and followed, as any actor (only our own instance actor is not).
    let (status, account) = app
        .get_json(
            &format!("/api/v1/accounts/lookup?acct=relay@{}", h.host),
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["id"], row.id.to_string());
    assert_eq!(account["bot"], true);
    let (status, relationship) = app
        .post_json(
            &format!("/api/v1/accounts/{}/follow", row.id),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{relationship}");
    let follow = last_received(&h, "Follow").await;
    assert_eq!(follow["object"], agenda.as_str());
    let accept = json!({"id": h.url("/accepts/1"), "type": "Accept", "actor": agenda,
                        "object": follow});
    let (state, error) = h.deliver_processed(&app, &agenda, &accept).await;
    assert_eq!(state, "done", "{error:?}");

    // An event as Gancio writes it: local time with its offset, no `timezone`, a place and a
    // link (a hybrid meeting).
    let event_uri = h.url("/federation/m/42");
    let event = json!({
        "id": event_uri, "type": "Event", "name": "Conseil de quartier",
        "attributedTo": agenda, "to": [PUBLIC], "cc": [format!("{agenda}/followers")],
        "published": "2026-12-01T10:00:00.000Z",
        "startTime": "2026-12-12T18:30:00+01:00", "endTime": "2026-12-12T20:00:00+01:00",
        "content": "<p>Ordre du jour : la place du marché.</p>",
        "url": h.url("/event/conseil-de-quartier"),
        "location": [
            {"type": "VirtualLocation", "url": "https://visio.example/conseil"},
            {"type": "Place", "name": "Maison des associations",
             "address": {"type": "PostalAddress", "streetAddress": "2 rue Carnot",
                         "addressLocality": "Pau", "postalCode": "64000"}}
        ]
    });
    let create = json!({"id": h.url("/federation/m/42/create"), "type": "Create",
                        "actor": agenda, "to": [PUBLIC],
                        "cc": [format!("{agenda}/followers")], "object": event});
    let (state, error) = h.deliver_processed(&app, &agenda, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let (name, starts_at, zone, place, street, locality, online) = stored_event(&app, &event_uri)
        .await
        .expect("the event is stored");
    assert_eq!(name, "Conseil de quartier");
    assert_eq!(
        starts_at,
        chrono::DateTime::parse_from_rfc3339("2026-12-12T17:30:00Z")
            .unwrap()
            .timestamp_micros()
    );
    // 18:30 at +01:00 in December is Paris time: the event shows at 18:30 there.
    assert_eq!(zone, "Europe/Paris");
    assert_eq!(place.as_deref(), Some("Maison des associations"));
    assert_eq!(street.as_deref(), Some("2 rue Carnot"));
    assert_eq!(locality.as_deref(), Some("Pau"));
    assert_eq!(online.as_deref(), Some("https://visio.example/conseil"));
    // In her home timeline, as any followed account's post.
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&ana)).await;
    assert!(home.to_string().contains("Conseil de quartier"), "{home}");

    // An offset that is not the instance's zone's keeps its local hour in a fixed zone.
    let far_uri = h.url("/federation/m/43");
    let mut far = event.clone();
    far["id"] = json!(far_uri);
    far["name"] = json!("Réunion en Guadeloupe");
    far["startTime"] = json!("2026-12-12T18:30:00-04:00");
    far["endTime"] = json!("2026-12-12T20:00:00-04:00");
    far["location"] = json!({"type": "Place", "name": "Salle Rémy Nainsouta"});
    let create = json!({"id": h.url("/federation/m/43/create"), "type": "Create",
                        "actor": agenda, "to": [PUBLIC], "object": far});
    let (state, error) = h.deliver_processed(&app, &agenda, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let (_, _, zone, place, _, _, online) = stored_event(&app, &far_uri).await.unwrap();
    assert_eq!(zone, "Etc/GMT+4");
    assert_eq!(place.as_deref(), Some("Salle Rémy Nainsouta"));
    assert_eq!(online, None);

    // Hostile shapes lose nothing else and break nothing: a location list of junk, a time
    // that is not one (no event then, but the post stays readable).
    let junk_uri = h.url("/federation/m/44");
    let mut junk = event.clone();
    junk["id"] = json!(junk_uri);
    junk["location"] = json!([42, "nowhere", {"type": "VirtualLocation"}, null]);
    let create = json!({"id": h.url("/federation/m/44/create"), "type": "Create",
                        "actor": agenda, "to": [PUBLIC], "object": junk});
    let (state, error) = h.deliver_processed(&app, &agenda, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let (_, _, _, place, _, _, online) = stored_event(&app, &junk_uri).await.unwrap();
    assert_eq!((place, online), (None, None));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peers_reading_only_name_and_content_see_a_cancelled_event_and_its_deletion() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, sec) = app.user_with_token("secretaire", "read write follow").await;
    let secretary = coopol::db::accounts::local_by_username(app.state.pool(), "secretaire")
        .await
        .unwrap()
        .unwrap();
    // The agenda follows the secretary.
    let agenda = h.actor("relay", "Application");
    let follow = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": agenda,
                        "object": secretary.uri});
    let (state, error) = h.deliver_processed(&app, &agenda, &follow).await;
    assert_eq!(state, "done", "{error:?}");

    let start = (chrono::Utc::now() + chrono::Duration::days(3))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let end = (chrono::Utc::now() + chrono::Duration::days(3) + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (status, event) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&sec),
            &json!({"name": "Porte-à-porte", "start_time": start, "end_time": end,
                    "place_name": "Place Clemenceau", "postcode": "64000",
                    "description": "Rendez-vous devant la fontaine."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let id = event["id"].as_str().unwrap().to_string();
    let created = last_received(&h, "Create").await;
    assert_eq!(created["object"]["name"], "Porte-à-porte");

    let (status, body) = app
        .post_json(
            &format!("/api/coopol/v1/events/{id}/cancel"),
            Some(&sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let update = last_received(&h, "Update").await;
    let object = &update["object"];
    assert_eq!(object["ical:status"], "CANCELLED", "{object}");
    assert_eq!(
        object["name"], "❌ ANNULÉ\u{202f}: Porte-à-porte",
        "{object}"
    );
    assert!(
        object["content"]
            .as_str()
            .unwrap()
            .starts_with("<p><strong>❌ ANNULÉ</strong></p>"),
        "{object}"
    );

    // Deleted: the Tombstone says it was an event.
    let (status, body) = app
        .client
        .delete(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&sec)
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{:?}", body.text().await);
    let delete = last_received(&h, "Delete").await;
    assert_eq!(delete["object"]["type"], "Tombstone");
    assert_eq!(delete["object"]["formerType"], "Event", "{delete}");
    outbox_drained(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_event_from_a_coopol_peer_keeps_its_own_name_here() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let peer = h.actor("section", "Person");
    let row = h.introduce(&app, &peer).await;
    app.post_json(
        &format!("/api/v1/accounts/{}/follow", row.id),
        Some(&ana),
        &json!({}),
    )
    .await;
    let follow = last_received(&h, "Follow").await;
    let accept = json!({"id": h.url("/accepts/1"), "type": "Accept", "actor": peer,
                        "object": follow});
    h.deliver_processed(&app, &peer, &accept).await;
    let uri = h.url("/events/7");
    let event = json!({"id": uri, "type": "Event", "attributedTo": peer, "to": [PUBLIC],
                       "name": "❌ ANNULÉ\u{202f}: Collage", "ical:status": "CANCELLED",
                       "startTime": "2026-12-20T09:00:00Z", "timezone": "Europe/Paris",
                       "content": "<p>Annulé pour cause de pluie.</p>"});
    let create = json!({"id": h.url("/events/7/create"), "type": "Create", "actor": peer,
                        "to": [PUBLIC], "object": event});
    let (state, error) = h.deliver_processed(&app, &peer, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let (name, ..) = stored_event(&app, &uri).await.unwrap();
    assert_eq!(name, "Collage");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_undone_and_sent_again_with_the_same_id_is_a_follow() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    app.user_with_token("secretaire", "read write follow").await;
    let secretary = coopol::db::accounts::local_by_username(app.state.pool(), "secretaire")
        .await
        .unwrap()
        .unwrap();
    let agenda = h.actor("relay", "Application");
    let follows = || async {
        let row = coopol::db::accounts::by_uri(app.state.pool(), &agenda)
            .await
            .unwrap()
            .unwrap();
        coopol::db::social::follows(app.state.pool(), row.id, secretary.id)
            .await
            .unwrap()
    };
    let follow = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": agenda,
                        "object": secretary.uri});
    let (state, error) = h.deliver_processed(&app, &agenda, &follow).await;
    assert_eq!(state, "done", "{error:?}");
    assert!(follows().await);
    // Gancio's Undo (`unfollowActor`): one id per followed actor, the Follow embedded
    // without its actor.
    let undo = json!({"id": h.url(&format!("/federation/m/{}#unfollow", secretary.uri)),
                      "type": "Undo", "actor": agenda,
                      "object": {"id": follow["id"], "type": "Follow", "object": secretary.uri}});
    let (state, error) = h.deliver_processed(&app, &agenda, &undo).await;
    assert_eq!(state, "done", "{error:?}");
    assert!(!follows().await);
    // The same Follow again (Gancio keeps one id per follow), newly signed: a follow again.
    // (A signature covers the request's `Date`, to the second: the next second's differs.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let status = h.deliver(&app, &agenda, &follow).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    eventually("the second follow is applied", || async { follows().await }).await;
    // And accepted, so that the peer knows.
    eventually("two Accepts reach the peer", || async {
        h.received()
            .iter()
            .filter(|r| r.json()["type"] == "Accept")
            .count()
            == 2
    })
    .await;
    // And Gancio unfollows again with the same Undo id, newly signed: the follow ends again
    // (the real Gancio did this, and the follow stayed).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, replayed) = h.deliver_replayed(&app, &agenda, &undo).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    eventually("the second unfollow is applied", || async {
        !follows().await
    })
    .await;
    // Hostile: the same request replayed (one signature, twice) is refused, and another
    // actor's Undo naming the agenda's Follow changes nothing.
    assert_eq!(replayed, StatusCode::UNAUTHORIZED);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        h.deliver(&app, &agenda, &follow).await,
        StatusCode::ACCEPTED
    );
    eventually("the third follow is applied", || async { follows().await }).await;
    let stranger = h.actor("mallory", "Person");
    let forged = json!({"id": h.url("/undos/forged"), "type": "Undo", "actor": stranger,
                        "object": {"id": follow["id"], "type": "Follow", "actor": agenda,
                                   "object": secretary.uri}});
    let (state, error) = h.deliver_processed(&app, &stranger, &forged).await;
    assert_ne!(state, "queued", "{error:?}");
    assert!(
        follows().await,
        "another actor's Undo ended the agenda's follow"
    );
    app.stop().await;
}
