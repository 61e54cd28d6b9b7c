//! The ActivityPub documents coopol publishes, in Mastodon's wire format: actors, notes, and
//! the activities that carry them. docs/FEDERATION.md describes each field.

use super::protocol::{
    Actor, Attachment, Endpoints, Note, PUBLIC, Place, PostalAddress, PublicKey, Tag, context,
};

use crate::{
    clock,
    db::{accounts::AccountRow, groups::GroupRow, statuses::StatusRow},
    domain::{Circle, Visibility},
    service::statuses as posts,
    state::AppState,
};

use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

/// The URLs of a local actor.
pub struct ActorUrls {
    /// Its id.
    pub id: String,
    /// Its inbox.
    pub inbox: String,
    /// Its outbox.
    pub outbox: String,
    /// Its followers collection.
    pub followers: String,
    /// Its following collection.
    pub following: String,
}

/// The URLs of a local account's actor.
pub fn actor_urls(account: &AccountRow) -> ActorUrls {
    let id = account.uri.clone();
    ActorUrls {
        inbox: format!("{id}/inbox"),
        outbox: format!("{id}/outbox"),
        followers: format!("{id}/followers"),
        following: format!("{id}/following"),
        id,
    }
}

/// The followers collection of an account, local or remote.
pub fn followers_url(account: &AccountRow) -> Option<String> {
    if account.is_local() {
        Some(actor_urls(account).followers)
    } else {
        account.followers_url.clone()
    }
}

/// An id or address coopol built (from its public URL) or stored after parsing it: one that is
/// not a URL is a bug, which callers report as an internal error.
fn url(s: &str) -> Result<Url, url::ParseError> {
    Url::parse(s)
}

/// A time as coopol stores it (Unix microseconds) for a document.
fn time(micros: i64) -> Option<DateTime<Utc>> {
    Some(clock::to_datetime(micros))
}

/// A local person (or the instance actor) as an ActivityPub actor.
pub fn actor(state: &AppState, account: &AccountRow) -> Result<Value, url::ParseError> {
    Ok(to_json(&actor_object(state, account)?))
}

/// A document as JSON.
pub fn to_json<T: serde::Serialize>(doc: &T) -> Value {
    serde_json::to_value(doc).expect("a document serializes")
}

/// A local person (or the instance actor) as an [`Actor`].
pub fn actor_object(state: &AppState, account: &AccountRow) -> Result<Actor, url::ParseError> {
    let urls = actor_urls(account);
    let is_instance = account.actor_type == "Application";
    Ok(Actor {
        context: Some(context()),
        id: url(&urls.id)?,
        kind: account.actor_type.clone(),
        preferred_username: Some(account.username.clone()),
        name: Some(if is_instance {
            state.config.instance_name.clone()
        } else {
            account.display_name.clone()
        }),
        summary: Some(account.note_html.clone()),
        url: Some(url(&if is_instance {
            state.config.url("/about")
        } else {
            state.config.url(&format!("/@{}", account.username))
        })?),
        inbox: Some(url(&urls.inbox)?),
        outbox: Some(url(&urls.outbox)?),
        // The instance actor follows no one and has no followers: no collections to point at.
        followers: (!is_instance).then(|| url(&urls.followers)).transpose()?,
        following: (!is_instance).then(|| url(&urls.following)).transpose()?,
        featured: (!is_instance)
            .then(|| url(&format!("{}/collections/featured", account.uri)))
            .transpose()?,
        endpoints: Some(Endpoints {
            shared_inbox: Some(url(&state.config.url("/inbox"))?),
            members: None,
        }),
        public_key: Some(PublicKey {
            id: format!("{}#main-key", account.uri),
            owner: Some(account.uri.clone()),
            public_key_pem: account.public_key_pem.clone(),
        }),
        manually_approves_followers: is_instance || account.locked != 0,
        discoverable: Some(account.discoverable != 0),
        indexable: Some(false),
        published: time(account.created_at),
        icon: Some(url(&state.config.url("/static/avatar.png"))?),
        image: Some(url(&state.config.url("/static/header.png"))?),
        attachment: account
            .fields()
            .into_iter()
            .map(|(name, value)| Attachment::property(name, value))
            .collect(),
        group_kind: None,
        openness: None,
        members: None,
        member_count: None,
        location: None,
        departement: None,
        sympathizers_can_post: None,
    })
}

/// A local group as an ActivityPub `Group` (FEP-1b12), with Mobilizon's and coopol's terms:
/// `members`, `openness`, `location`, `groupKind`. The members collection publishes only its
/// size: who belongs to a party section is never listed.
pub fn group_actor(
    state: &AppState,
    account: &AccountRow,
    group: &GroupRow,
    member_count: i64,
) -> Result<Value, url::ParseError> {
    let mut doc = actor_object(state, account)?;
    let members = url(&format!("{}/members", account.uri))?;
    if let Some(endpoints) = &mut doc.endpoints {
        endpoints.members = Some(members.clone());
    }
    doc.members = Some(members);
    doc.member_count = Some(member_count);
    doc.group_kind = Some(group.kind.as_str().to_string());
    doc.openness = Some(group.join_mode.openness().to_string());
    doc.sympathizers_can_post = Some(group.sympathizers_can_post != 0);
    // Following a group is open to all (sympathizers); membership is what is moderated.
    doc.manually_approves_followers = false;
    doc.departement = group.departement.clone();
    if group.postcode.is_some() || group.commune.is_some() {
        let place = Place {
            kind: "Place".into(),
            name: group.commune.clone(),
            address: Some(PostalAddress {
                kind: "PostalAddress".into(),
                street_address: None,
                postal_code: group.postcode.clone(),
                address_locality: group.commune.clone(),
                address_country: Some("FR".into()),
            }),
            latitude: None,
            longitude: None,
        };
        doc.location = Some(place.to_json());
    }
    Ok(to_json(&doc))
}

/// Where a group's posts are addressed: the group, its followers, its members.
#[derive(Debug, Clone)]
pub struct GroupAddress {
    /// The group actor.
    pub uri: String,
    /// Its followers collection (sympathizers).
    pub followers: String,
    /// Its members collection.
    pub members: String,
}

/// The addresses of a group, local or remote.
pub fn group_address(account: &AccountRow, group: Option<&GroupRow>) -> GroupAddress {
    let followers = if account.is_local() {
        actor_urls(account).followers
    } else {
        account
            .followers_url
            .clone()
            .unwrap_or_else(|| format!("{}/followers", account.uri))
    };
    let members = group
        .and_then(|g| g.members_url.clone())
        .unwrap_or_else(|| format!("{}/members", account.uri));
    GroupAddress {
        uri: account.uri.clone(),
        followers,
        members,
    }
}

/// The `to` and `cc` of a group post: public posts go to everyone and the group; the
/// sympathizers circle to the group's followers; the members circle to its members only.
pub fn group_addressing(
    circle: Circle,
    group: &GroupAddress,
    author_followers: &str,
    mentioned: &[String],
) -> (Vec<String>, Vec<String>) {
    match circle {
        Circle::Public => (
            vec![PUBLIC.to_string(), group.uri.clone()],
            [vec![author_followers.to_string()], mentioned.to_vec()].concat(),
        ),
        Circle::Sympathizers => (
            vec![group.followers.clone(), group.members.clone()],
            vec![group.uri.clone()],
        ),
        Circle::Members => (vec![group.members.clone()], vec![group.uri.clone()]),
    }
}

/// The `to` and `cc` of a post, as Mastodon addresses each visibility.
pub fn addressing(
    visibility: Visibility,
    followers: &str,
    mentioned: &[String],
) -> (Vec<String>, Vec<String>) {
    let mentioned = mentioned.to_vec();
    match visibility {
        Visibility::Public => (
            vec![PUBLIC.to_string()],
            [vec![followers.to_string()], mentioned].concat(),
        ),
        Visibility::Unlisted => (
            vec![followers.to_string()],
            [vec![PUBLIC.to_string()], mentioned].concat(),
        ),
        Visibility::Private => (vec![followers.to_string()], mentioned),
        // A closed circle outside its group (not written by coopol): the people mentioned.
        Visibility::Direct | Visibility::Group => (mentioned, Vec::new()),
    }
}

/// What a note needs besides its row.
pub struct NoteParts<'a> {
    /// The author.
    pub author: &'a AccountRow,
    /// The accounts it mentions.
    pub mentioned: &'a [AccountRow],
    /// Its hashtags.
    pub tags: &'a [String],
    /// The group it is posted in, if any.
    pub group: Option<&'a GroupAddress>,
}

/// A local post as a `Note` ([`event`] makes it an `Event` when it is one).
pub fn note(
    state: &AppState,
    status: &StatusRow,
    parts: &NoteParts<'_>,
) -> Result<Note, url::ParseError> {
    let visibility = status.visibility;
    let followers = actor_urls(parts.author).followers;
    let mention_uris: Vec<String> = parts.mentioned.iter().map(|a| a.uri.clone()).collect();
    let (to, cc) = match (parts.group, status.circle) {
        (Some(g), Some(c)) => group_addressing(c, g, &followers, &mention_uris),
        _ => addressing(visibility, &followers, &mention_uris),
    };
    let mut tag: Vec<Tag> = parts
        .mentioned
        .iter()
        .map(|a| {
            let handle = match &a.domain {
                Some(d) => format!("@{}@{d}", a.username),
                None => format!("@{}@{}", a.username, state.config.domain),
            };
            Tag {
                kind: "Mention".into(),
                href: Some(a.uri.clone()),
                name: Some(handle),
            }
        })
        .collect();
    tag.extend(parts.tags.iter().map(|t| Tag {
        kind: "Hashtag".into(),
        href: Some(posts::tag_url(state, t)),
        name: Some(format!("#{t}")),
    }));
    let in_group = match (parts.group, status.circle) {
        (Some(g), Some(c)) => Some((g, c)),
        _ => None,
    };
    Ok(Note {
        id: url(&status.uri)?,
        kind: "Note".into(),
        attributed_to: Some(url(&parts.author.uri)?),
        to,
        cc,
        content: Some(status.content.clone()),
        content_map: status
            .language
            .as_ref()
            .map(|lang| [(lang.clone(), status.content.clone())].into()),
        name: status.title.clone(),
        summary: Some(status.spoiler_text.clone()).filter(|s| !s.is_empty()),
        sensitive: status.sensitive != 0,
        in_reply_to: status.in_reply_to_uri.as_deref().map(url).transpose()?,
        published: time(status.created_at),
        updated: status.edited_at.and_then(time),
        url: status.url.as_deref().map(url).transpose()?,
        tag,
        attachment: Vec::new(),
        replies: Some(url(&format!("{}/replies", status.uri))?),
        audience: in_group.map(|(g, _)| url(&g.uri)).transpose()?,
        circle: in_group.map(|(_, c)| c.as_str().to_string()),
        start_time: None,
        end_time: None,
        timezone: None,
        location: None,
        join_mode: None,
        ical_status: None,
        maximum_attendee_capacity: None,
        remaining_attendee_capacity: None,
        participant_count: None,
        external_participation_url: None,
        category: None,
        mission: false,
        anonymous_participation_enabled: None,
        comments_enabled: None,
        replies_moderation_option: None,
        draft: None,
        is_online: None,
        in_language: None,
    })
}

/// A local post that is an event, as an `Event` (FEP-8a8e with Mobilizon's terms). Mastodon
/// shows only `name` and `summary`, so `summary` says when, where and how to take part.
pub fn event(
    state: &AppState,
    mut doc: Note,
    status: &StatusRow,
    event: &crate::db::events::EventRow,
    participants: i64,
) -> Value {
    let page = status.url.clone().unwrap_or_else(|| status.uri.clone());
    doc.kind = "Event".into();
    doc.name = Some(event.name.clone());
    // In the instance's language: the summary is the same for every server it goes to.
    doc.summary = Some(crate::service::events::summary_line(
        state.config.default_locale,
        event,
        &page,
    ));
    doc.start_time = time(event.starts_at);
    doc.end_time = time(event.ends_at);
    doc.timezone = Some(event.timezone.as_str().to_string());
    doc.ical_status = Some(event.status.ical().to_string());
    doc.join_mode = Some(event.join_mode.mobilizon().to_string());
    doc.external_participation_url = event.external_url.clone();
    doc.category = Some(
        event
            .category
            .clone()
            .unwrap_or_else(|| "MOVEMENTS_POLITICS".into()),
    );
    // coopol: a mission gathers volunteers; its shifts are Events answering it (`inReplyTo`).
    doc.mission = event.is_mission != 0;
    doc.participant_count = Some(participants.into());
    doc.anonymous_participation_enabled = Some(false);
    doc.comments_enabled = Some(true);
    doc.replies_moderation_option = Some("allow_all".into());
    doc.draft = Some(false);
    // Mobilizon reads 0 as "no limit".
    doc.maximum_attendee_capacity = Some(event.capacity.unwrap_or(0).into());
    doc.remaining_attendee_capacity = Some(event.capacity.map(|c| (c - participants).max(0)));
    doc.is_online =
        Some(event.online_url.is_some() && event.place_name.is_none() && event.street.is_none());
    doc.in_language = status.language.clone();
    if event.place_name.is_some() || event.street.is_some() || event.locality.is_some() {
        let coordinates = match (&event.latitude, &event.longitude) {
            (Some(lat), Some(lon)) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
                (Ok(lat), Ok(lon)) => Some((lat, lon)),
                _ => None,
            },
            _ => None,
        };
        let place = Place {
            kind: "Place".into(),
            name: event.place_name.clone().or_else(|| event.locality.clone()),
            address: Some(PostalAddress {
                kind: "PostalAddress".into(),
                street_address: event.street.clone(),
                postal_code: event.postcode.clone(),
                address_locality: event.locality.clone(),
                address_country: Some("France".into()),
            }),
            latitude: coordinates.map(|(lat, _)| lat),
            longitude: coordinates.map(|(_, lon)| lon),
        };
        doc.location = Some(place.to_json());
    }
    if let Some(online) = &event.online_url {
        doc.attachment.push(Attachment {
            kind: "Link".into(),
            name: Some("Website".into()),
            value: None,
            href: Some(online.clone()),
            media_type: Some("text/html".into()),
        });
    }
    // A change after publication (a cancellation) is an edit: Mastodon applies an Update only
    // with a newer `updated`.
    if event.updated_at > status.created_at {
        let newest = status.edited_at.unwrap_or(0).max(event.updated_at);
        doc.updated = time(newest);
    }
    to_json(&doc)
}

#[cfg(test)]
mod tests {
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
        AppState::new(config, db)
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
                "featured": "https://coopol.example/users/alice/collections/featured"
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
                "members": "https://coopol.example/users/pau/members",
                "memberCount": 12,
                "groupKind": "section",
                "openness": "moderated",
                "sympathizersCanPost": true,
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
                "content": "<p>Bonjour</p>",
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
                "name": "Tractage au marché",
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
}
