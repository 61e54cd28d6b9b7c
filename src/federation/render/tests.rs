//! The documents render writes, compared with what the `json!` renderer wrote before they were
//! typed (the wire format must not change), and read back through the protocol structs.

use super::*;
use crate::db::events::EventRow;
use crate::domain::event::{EventJoinMode, EventStatus, Zone};
use crate::domain::group::{GroupKind, JoinMode};
use serde_json::json;

#[test]
fn addressing_follows_mastodon() {
    let f = "https://a.example/users/x/followers";
    let m = vec!["https://b.example/users/y".to_string()];
    assert_eq!(
        addressing(Visibility::Public, f, &m),
        (vec![PUBLIC.into()], vec![f.into(), m[0].clone()])
    );
    assert_eq!(
        addressing(Visibility::Unlisted, f, &m),
        (vec![f.into()], vec![PUBLIC.into(), m[0].clone()])
    );
    assert_eq!(
        addressing(Visibility::Private, f, &m),
        (vec![f.into()], m.clone())
    );
    assert_eq!(addressing(Visibility::Direct, f, &m), (m.clone(), vec![]));
}

const SECOND: i64 = 1_000_000;

async fn state() -> AppState {
    let dir = std::env::temp_dir().join(format!(
        "coopol-render-test-{}",
        crate::crypto::random_code(8)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/coopol.db", dir.display());
    let config = crate::config::Config::for_tests("https://coopol.example", &url, dir);
    let db = crate::db::Db::connect(&url, 1).await.unwrap();
    AppState::new(config, db).unwrap()
}

fn alice() -> AccountRow {
    let mut a = AccountRow::for_tests("https://coopol.example/users/alice", "alice");
    a.display_name = "Alice Martin".into();
    a.note_html = "<p>Militante à Pau</p>".into();
    a.public_key_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".into();
    a.locked = 1;
    a.created_at = 1_765_000_000_123_456;
    a.fields_json = r#"[{"name":"Site","value":"<a href=\"https://a.example\">a.example</a>"},{"name":"Ville","value":"Pau"}]"#.into();
    a
}

fn instance_actor() -> AccountRow {
    let mut a = AccountRow::for_tests("https://coopol.example/actor", "coopol.example");
    a.actor_type = "Application".into();
    a.discoverable = 0;
    a
}

fn section() -> (AccountRow, GroupRow) {
    let mut a = AccountRow::for_tests("https://coopol.example/users/pau", "pau");
    a.id = 7;
    a.actor_type = "Group".into();
    a.display_name = "Section de Pau".into();
    let g = GroupRow {
        account_id: 7,
        kind: GroupKind::Section,
        join_mode: JoinMode::Approval,
        sympathizers_can_post: 1,
        postcode: Some("64000".into()),
        commune: Some("Pau".into()),
        departement: Some("64".into()),
        members_url: None,
        created_by: Some(1),
        created_at: 0,
    };
    (a, g)
}

fn bob() -> AccountRow {
    let mut b = AccountRow::for_tests("https://mastodon.example/users/bob", "bob");
    b.id = 2;
    b.domain = Some("mastodon.example".into());
    b
}

fn group_post() -> StatusRow {
    let mut s = StatusRow::for_tests(
        11,
        "https://coopol.example/users/alice/statuses/11",
        1,
        Visibility::Group,
    );
    s.url = Some("https://coopol.example/@alice/11".into());
    s.content = "<p>Réunion ce soir, @bob #tractage</p>".into();
    s.language = Some("fr".into());
    s.edited_at = Some(s.created_at + 60 * SECOND);
    s.circle = Some(Circle::Sympathizers);
    s.group_id = Some(7);
    s.title = Some("Réunion".into());
    s.spoiler_text = "politique locale".into();
    s.sensitive = 1;
    s
}

fn plain_post() -> StatusRow {
    let mut s = StatusRow::for_tests(
        12,
        "https://coopol.example/users/alice/statuses/12",
        1,
        Visibility::Unlisted,
    );
    s.content = "<p>Bonjour</p>".into();
    s.in_reply_to_uri = Some("https://mastodon.example/users/bob/statuses/1".into());
    s
}

fn event_row(status: &StatusRow, in_person: bool) -> EventRow {
    EventRow {
        status_id: status.id,
        name: "Tractage au marché".into(),
        starts_at: 1_765_443_600_000_000,
        ends_at: 1_765_454_400_000_000,
        timezone: Zone(chrono_tz::Europe::Paris),
        status: if in_person {
            EventStatus::Confirmed
        } else {
            EventStatus::Cancelled
        },
        join_mode: if in_person {
            EventJoinMode::Free
        } else {
            EventJoinMode::Approval
        },
        external_url: (!in_person).then(|| "https://signup.example/x".into()),
        capacity: in_person.then_some(20),
        category: (!in_person).then(|| "MEETING".into()),
        place_name: in_person.then(|| "Halles de Pau".into()),
        street: in_person.then(|| "Place de la République".into()),
        postcode: in_person.then(|| "64000".into()),
        locality: in_person.then(|| "Pau".into()),
        departement: in_person.then(|| "64".into()),
        latitude: in_person.then(|| "43.2951".into()),
        longitude: in_person.then(|| "-0.3708".into()),
        online_url: (!in_person).then(|| "https://visio.example/r".into()),
        organizer_id: Some(7),
        is_mission: i64::from(in_person),
        mission_id: None,
        remote_participants: None,
        updated_at: if in_person {
            status.created_at
        } else {
            status.created_at + 3600 * SECOND
        },
        series_id: None,
        recurrence: None,
    }
}

/// Every document the tests compare: person, instance actor, group, group note, plain
/// note, in-person event, online event.
async fn documents() -> Vec<(&'static str, Value)> {
    let state = state().await;
    let alice = alice();
    let (pau, group) = section();
    let bob = bob();
    let address = group_address(&pau, Some(&group));
    let tags = vec!["tractage".to_string()];
    let group_note = note(
        &state,
        &group_post(),
        &NoteParts {
            author: &alice,
            mentioned: std::slice::from_ref(&bob),
            tags: &tags,
            group: Some(&address),
            media: &[],
        },
    )
    .unwrap();
    let plain = plain_post();
    let plain_note = note(
        &state,
        &plain,
        &NoteParts {
            author: &alice,
            mentioned: &[],
            tags: &[],
            group: None,
            media: &[],
        },
    )
    .unwrap();
    let in_person_status = group_post();
    let in_person = event(
        &state,
        group_note.clone(),
        &in_person_status,
        &event_row(&in_person_status, true),
        3,
    );
    let online = event(
        &state,
        plain_note.clone(),
        &plain,
        &event_row(&plain, false),
        5,
    );
    vec![
        ("person", actor(&state, &alice).unwrap()),
        ("instance", actor(&state, &instance_actor()).unwrap()),
        ("group", group_actor(&state, &pau, &group, 12).unwrap()),
        ("group_note", to_json(&group_note)),
        ("plain_note", to_json(&plain_note)),
        ("in_person_event", in_person),
        ("online_event", online),
    ]
}

/// What coopol wrote before its documents were typed (captured from the `json!` renderer):
/// the wire format must not change.
fn expected(name: &str) -> Value {
    match name {
        "person" => json!({
            "@context": context(),
            "id": "https://coopol.example/users/alice",
            "type": "Person",
            "preferredUsername": "alice",
            "name": "Alice Martin",
            "summary": "<p>Militante à Pau</p>",
            "url": "https://coopol.example/@alice",
            "inbox": "https://coopol.example/users/alice/inbox",
            "outbox": "https://coopol.example/users/alice/outbox",
            "followers": "https://coopol.example/users/alice/followers",
            "following": "https://coopol.example/users/alice/following",
            "endpoints": {
                "sharedInbox": "https://coopol.example/inbox"
            },
            "publicKey": {
                "id": "https://coopol.example/users/alice#main-key",
                "owner": "https://coopol.example/users/alice",
                "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
            },
            "manuallyApprovesFollowers": true,
            "discoverable": true,
            "indexable": false,
            "published": "2025-12-06T05:46:40.123Z",
            "icon": {
                "type": "Image",
                "mediaType": "image/png",
                "url": "https://coopol.example/static/avatar.png"
            },
            "image": {
                "type": "Image",
                "mediaType": "image/png",
                "url": "https://coopol.example/static/header.png"
            },
            "attachment": [
                {
                    "type": "PropertyValue",
                    "name": "Site",
                    "value": "<a href=\"https://a.example\">a.example</a>"
                },
                {
                    "type": "PropertyValue",
                    "name": "Ville",
                    "value": "Pau"
                }
            ],
            "featured": "https://coopol.example/users/alice/collections/featured",
            "featuredTags": "https://coopol.example/users/alice/collections/tags"
        }),
        "instance" => json!({
            "@context": context(),
            "id": "https://coopol.example/actor",
            "type": "Application",
            "preferredUsername": "coopol.example",
            "name": "coopol",
            "summary": "",
            "url": "https://coopol.example/about",
            "inbox": "https://coopol.example/actor/inbox",
            "outbox": "https://coopol.example/actor/outbox",
            "attachment": [],
            "image": {
                "type": "Image",
                "mediaType": "image/png",
                "url": "https://coopol.example/static/header.png"
            },
            "endpoints": {
                "sharedInbox": "https://coopol.example/inbox"
            },
            "publicKey": {
                "id": "https://coopol.example/actor#main-key",
                "owner": "https://coopol.example/actor",
                "publicKeyPem": ""
            },
            "manuallyApprovesFollowers": true,
            "discoverable": false,
            "indexable": false,
            "published": "1970-01-01T00:00:00.000Z",
            "icon": {
                "type": "Image",
                "mediaType": "image/png",
                "url": "https://coopol.example/static/avatar.png"
            }
        }),
        "group" => json!({
            "@context": context(),
            "id": "https://coopol.example/users/pau",
            "type": "Group",
            "preferredUsername": "pau",
            "name": "Section de Pau",
            "summary": "",
            "url": "https://coopol.example/@pau",
            "inbox": "https://coopol.example/users/pau/inbox",
            "outbox": "https://coopol.example/users/pau/outbox",
            "followers": "https://coopol.example/users/pau/followers",
            "following": "https://coopol.example/users/pau/following",
            "endpoints": {
                "sharedInbox": "https://coopol.example/inbox",
                "members": "https://coopol.example/users/pau/members"
            },
            "publicKey": {
                "id": "https://coopol.example/users/pau#main-key",
                "owner": "https://coopol.example/users/pau",
                "publicKeyPem": ""
            },
            "manuallyApprovesFollowers": false,
            "discoverable": true,
            "indexable": false,
            "published": "1970-01-01T00:00:00.000Z",
            "icon": {
                "type": "Image",
                "mediaType": "image/png",
                "url": "https://coopol.example/static/avatar.png"
            },
            "image": {
                "type": "Image",
                "mediaType": "image/png",
                "url": "https://coopol.example/static/header.png"
            },
            "attachment": [],
            "featured": "https://coopol.example/users/pau/collections/featured",
            "featuredTags": "https://coopol.example/users/pau/collections/tags",
            "members": "https://coopol.example/users/pau/members",
            "memberCount": 12,
            "groupKind": "section",
            "openness": "moderated",
            "sympathizersCanPost": true,
            "attributedTo": "https://coopol.example/users/pau/collections/moderators",
            "departement": "64",
            "location": {
                "type": "Place",
                "name": "Pau",
                "address": {
                    "type": "PostalAddress",
                    "postalCode": "64000",
                    "addressLocality": "Pau",
                    "addressCountry": "FR"
                }
            }
        }),
        "group_note" => json!({
            "id": "https://coopol.example/users/alice/statuses/11",
            "type": "Note",
            "summary": "politique locale",
            "inReplyTo": null,
            "published": "2025-12-06T05:46:40.000Z",
            "url": "https://coopol.example/@alice/11",
            "attributedTo": "https://coopol.example/users/alice",
            "to": [
                "https://coopol.example/users/pau/followers",
                "https://coopol.example/users/pau/members"
            ],
            "cc": [
                "https://coopol.example/users/pau"
            ],
            "sensitive": true,
            "content": "<p>Réunion ce soir, @bob #tractage</p>",
            "tag": [
                {
                    "type": "Mention",
                    "href": "https://mastodon.example/users/bob",
                    "name": "@bob@mastodon.example"
                },
                {
                    "type": "Hashtag",
                    "href": "https://coopol.example/tags/tractage",
                    "name": "#tractage"
                }
            ],
            "attachment": [],
            "replies": "https://coopol.example/users/alice/statuses/11/replies",
            "contentMap": {
                "fr": "<p>Réunion ce soir, @bob #tractage</p>"
            },
            "updated": "2025-12-06T05:47:40.000Z",
            "audience": "https://coopol.example/users/pau",
            "circle": "sympathizers",
            "name": "Réunion"
        }),
        "plain_note" => json!({
            "id": "https://coopol.example/users/alice/statuses/12",
            "type": "Note",
            "summary": null,
            "inReplyTo": "https://mastodon.example/users/bob/statuses/1",
            "published": "2025-12-06T05:46:40.000Z",
            "url": null,
            "attributedTo": "https://coopol.example/users/alice",
            "to": [
                "https://coopol.example/users/alice/followers"
            ],
            "cc": [
                "https://www.w3.org/ns/activitystreams#Public"
            ],
            "sensitive": false,
            "content": "<p>Bonjour</p>",
            "tag": [],
            "attachment": [],
            "replies": "https://coopol.example/users/alice/statuses/12/replies"
        }),
        "in_person_event" => json!({
            "id": "https://coopol.example/users/alice/statuses/11",
            "type": "Event",
            "summary": "📅 2025-12-11 10:00 – 13:00 (Europe/Paris) · 📍 Halles de Pau, Place de la République, 64000, Pau · ✋ https://coopol.example/@alice/11",
            "inReplyTo": null,
            "published": "2025-12-06T05:46:40.000Z",
            "url": "https://coopol.example/@alice/11",
            // As Mobilizon: the group's event, organized by its author.
            "attributedTo": "https://coopol.example/users/pau",
            "actor": "https://coopol.example/users/alice",
            "to": [
                "https://coopol.example/users/pau/followers",
                "https://coopol.example/users/pau/members"
            ],
            "cc": [
                "https://coopol.example/users/pau"
            ],
            "sensitive": true,
            "content": "<p>Réunion ce soir, @bob #tractage</p>",
            "tag": [
                {
                    "type": "Mention",
                    "href": "https://mastodon.example/users/bob",
                    "name": "@bob@mastodon.example"
                },
                {
                    "type": "Hashtag",
                    "href": "https://coopol.example/tags/tractage",
                    "name": "#tractage"
                }
            ],
            "attachment": [],
            "replies": "https://coopol.example/users/alice/statuses/11/replies",
            "contentMap": {
                "fr": "<p>Réunion ce soir, @bob #tractage</p>"
            },
            "updated": "2025-12-06T05:47:40.000Z",
            "audience": "https://coopol.example/users/pau",
            "circle": "sympathizers",
            "name": "Tractage au marché",
            "startTime": "2025-12-11T09:00:00.000Z",
            "endTime": "2025-12-11T12:00:00.000Z",
            "timezone": "Europe/Paris",
            "ical:status": "CONFIRMED",
            "joinMode": "free",
            "category": "MOVEMENTS_POLITICS",
            "mission": true,
            "participantCount": 3,
            "anonymousParticipationEnabled": false,
            "commentsEnabled": true,
            "repliesModerationOption": "allow_all",
            "draft": false,
            "maximumAttendeeCapacity": 20,
            "remainingAttendeeCapacity": 17,
            "isOnline": false,
            "inLanguage": "fr",
            "location": {
                "type": "Place",
                "name": "Halles de Pau",
                "address": {
                    "type": "PostalAddress",
                    "streetAddress": "Place de la République",
                    "postalCode": "64000",
                    "addressLocality": "Pau",
                    "addressCountry": "France"
                },
                "latitude": 43.2951,
                "longitude": -0.3708
            }
        }),
        "online_event" => json!({
            "id": "https://coopol.example/users/alice/statuses/12",
            "type": "Event",
            "summary": "❌ ANNULÉ · 📅 2025-12-11 10:00 – 13:00 (Europe/Paris) · 🔗 https://visio.example/r · ✋ https://coopol.example/users/alice/statuses/12",
            "inReplyTo": "https://mastodon.example/users/bob/statuses/1",
            "published": "2025-12-06T05:46:40.000Z",
            "url": null,
            "attributedTo": "https://coopol.example/users/alice",
            "to": [
                "https://coopol.example/users/alice/followers"
            ],
            "cc": [
                "https://www.w3.org/ns/activitystreams#Public"
            ],
            "sensitive": false,
            "content": "<p><strong>❌ ANNULÉ</strong></p><p>Bonjour</p>",
            "tag": [],
            "attachment": [
                {
                    "type": "Link",
                    "name": "Website",
                    "href": "https://visio.example/r",
                    "mediaType": "text/html"
                }
            ],
            "replies": "https://coopol.example/users/alice/statuses/12/replies",
            "name": "❌ ANNULÉ\u{202f}: Tractage au marché",
            "startTime": "2025-12-11T09:00:00.000Z",
            "endTime": "2025-12-11T12:00:00.000Z",
            "timezone": "Europe/Paris",
            "ical:status": "CANCELLED",
            "joinMode": "restricted",
            "externalParticipationUrl": "https://signup.example/x",
            "category": "MEETING",
            "participantCount": 5,
            "anonymousParticipationEnabled": false,
            "commentsEnabled": true,
            "repliesModerationOption": "allow_all",
            "draft": false,
            "maximumAttendeeCapacity": 0,
            "remainingAttendeeCapacity": null,
            "isOnline": true,
            "updated": "2025-12-06T06:46:40.000Z"
        }),
        other => panic!("no expected document {other}"),
    }
}

#[tokio::test]
async fn documents_keep_their_wire_format() {
    for (name, doc) in documents().await {
        assert_eq!(doc, expected(name), "{name}");
    }
}

/// Each document reads back into its protocol struct and writes again unchanged (the
/// `@context` is written, never read).
#[tokio::test]
async fn documents_read_back_as_written() {
    for (name, mut doc) in documents().await {
        if let Some(o) = doc.as_object_mut() {
            o.remove("@context");
        }
        let again = if matches!(name, "person" | "instance" | "group") {
            let actor: Actor = serde_json::from_value(doc.clone()).unwrap();
            to_json(&actor)
        } else {
            let note: Note = serde_json::from_value(doc.clone()).unwrap();
            to_json(&note)
        };
        assert_eq!(again, doc, "{name}");
    }
}

fn medium(id: i64, kind: crate::domain::media::MediaKind, content_type: &str) -> MediaRow {
    MediaRow {
        id,
        account_id: 1,
        status_id: Some(12),
        position: 0,
        used_for: crate::domain::media::MediaUse::Status,
        kind,
        state: crate::domain::media::MediaState::Ready,
        error: None,
        token: format!("token{id}"),
        content_type: Some(content_type.into()),
        file_key: Some(format!("{id}/token{id}/original")),
        file_size: 1000,
        width: None,
        height: None,
        duration_ms: None,
        preview_key: None,
        preview_type: None,
        preview_width: None,
        preview_height: None,
        blurhash: None,
        description: String::new(),
        focus_x: None,
        focus_y: None,
        remote_url: None,
        cached_at: None,
        spool: None,
        processed_by: None,
        created_at: 0,
        updated_at: 0,
    }
}

/// A post's media are `Document`s as Mastodon writes them (alt text or `null`, blurhash, focal
/// point, size), at our address of each file; an event puts its first picture first (the one
/// Mobilizon shows); an actor's uploaded picture and banner are its `icon` and `image`.
#[tokio::test]
async fn media_are_written_as_mastodon_writes_them() {
    use crate::domain::media::MediaKind;
    let state = state().await;
    let alice = alice();
    let mut sound = medium(31, MediaKind::Audio, "audio/mpeg");
    sound.position = 0;
    let mut photo = medium(32, MediaKind::Image, "image/jpeg");
    photo.position = 1;
    photo.description = "Une affiche « Grève »".into();
    photo.blurhash = Some("LEHV6nWB2yk8pyo0adR*.7kCMdnj".into());
    photo.focus_x = Some(50);
    photo.focus_y = Some(-25);
    photo.width = Some(1200);
    photo.height = Some(800);
    let media = [sound, photo];
    let plain = plain_post();
    let doc = note(
        &state,
        &plain,
        &NoteParts {
            author: &alice,
            mentioned: &[],
            tags: &[],
            group: None,
            media: &media,
        },
    )
    .unwrap();
    let expected = json!([
        {
            "type": "Document",
            "name": null,
            "mediaType": "audio/mpeg",
            "url": "https://coopol.example/media/31/token31/original.mp3"
        },
        {
            "type": "Document",
            "name": "Une affiche « Grève »",
            "mediaType": "image/jpeg",
            "url": "https://coopol.example/media/32/token32/original.jpg",
            "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
            "focalPoint": [0.5, -0.25],
            "width": 1200,
            "height": 800
        }
    ]);
    let written = to_json(&doc);
    assert_eq!(written["attachment"], expected);
    let again: Note = serde_json::from_value(written.clone()).unwrap();
    assert_eq!(to_json(&again), written, "reads back as written");

    let event_doc = event(&state, doc, &plain, &event_row(&plain, false), 0);
    let attachment = event_doc["attachment"].as_array().unwrap();
    assert_eq!(
        attachment[0]["mediaType"], "image/jpeg",
        "the picture first"
    );
    assert_eq!(attachment[1]["mediaType"], "audio/mpeg");
    assert_eq!(attachment[2]["type"], "Link");

    let mut pictured = alice.clone();
    pictured.avatar_media_id = Some(32);
    pictured.avatar_url = Some("https://coopol.example/media/32/token32/original.jpg".into());
    pictured.header_media_id = Some(33);
    pictured.header_url = Some("https://coopol.example/media/33/token33/original.webp".into());
    let person = actor(&state, &pictured).unwrap();
    assert_eq!(
        person["icon"],
        json!({"type": "Image", "mediaType": "image/jpeg", "url": "https://coopol.example/media/32/token32/original.jpg"})
    );
    assert_eq!(
        person["image"],
        json!({"type": "Image", "mediaType": "image/webp", "url": "https://coopol.example/media/33/token33/original.webp"})
    );
    // Without a medium, the default pictures, whatever the address column holds.
    pictured.avatar_media_id = None;
    let person = actor(&state, &pictured).unwrap();
    assert_eq!(
        person["icon"]["url"],
        "https://coopol.example/static/avatar.png"
    );
}

/// A local account names its old accounts in `alsoKnownAs` and, once moved, its new one in
/// `movedTo`, as Mastodon writes them; the actor reads back with both.
#[tokio::test]
async fn a_moved_actor_names_its_aliases_and_its_new_home() {
    let state = state().await;
    let mut alice = alice();
    alice.also_known_as = r#"["https://old.example/users/alice"]"#.into();
    alice.moved_to_uri = Some("https://new.example/users/alice".into());
    let doc = to_json(&actor_object(&state, &alice).unwrap());
    assert_eq!(
        doc["alsoKnownAs"],
        json!(["https://old.example/users/alice"])
    );
    assert_eq!(doc["movedTo"], json!("https://new.example/users/alice"));
    let read: Actor = serde_json::from_value(doc).unwrap();
    assert_eq!(read.also_known_as, ["https://old.example/users/alice"]);
    assert_eq!(
        read.moved_to.as_ref().map(url::Url::as_str),
        Some("https://new.example/users/alice")
    );
    // Not moved, no alias: neither is written.
    let doc = to_json(&actor_object(&state, &self::alice()).unwrap());
    assert!(doc.get("alsoKnownAs").is_none() && doc.get("movedTo").is_none());
}
