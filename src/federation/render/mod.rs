//! The ActivityPub objects coopol publishes, in Mastodon's wire format: actors (people, the
//! instance, groups), notes and events, built as the `protocol` structs the inbox reads them
//! into (one struct for both directions; `tests.rs` pins the wire format). Activities are
//! built by their own modules (`federation::activities`). docs/FEDERATION.md describes each
//! field.

use super::protocol::{
    Actor, Attachment, Endpoints, Note, NoteUrl, PUBLIC, Place, PostalAddress, PublicKey, Tag,
    context,
};

use crate::{
    clock,
    db::{accounts::AccountRow, groups::GroupRow, media::MediaRow, statuses::StatusRow},
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
        featured_tags: (!is_instance)
            .then(|| url(&format!("{}/collections/tags", account.uri)))
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
        icon: Some(url(&picture(
            state,
            account.avatar_media_id,
            account.avatar_url.as_deref(),
            "/static/avatar.png",
        ))?),
        image: Some(url(&picture(
            state,
            account.header_media_id,
            account.header_url.as_deref(),
            "/static/header.png",
        ))?),
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
        attributed_to: None,
        also_known_as: account.aliases(),
        moved_to: account.moved_to_uri.as_deref().map(url).transpose()?,
    })
}

/// The address of a local actor's picture or banner: its medium's (uploaded here) when it has
/// one, else the default image. The address ends with the file's extension, which tells
/// `icon`'s `mediaType`.
fn picture(
    state: &AppState,
    media_id: Option<i64>,
    address: Option<&str>,
    default: &str,
) -> String {
    match (media_id, address) {
        (Some(_), Some(address)) if !address.is_empty() => address.to_string(),
        _ => state.config.url(default),
    }
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
    // Its moderators, as Lemmy names a community's (docs/SECURITY.md, rule P12).
    doc.attributed_to = Some(Value::String(moderators_url(account)));
    let mut json = to_json(&doc);
    // A federation names the collection of the sections it vouches for (official sections).
    if group.kind == crate::domain::GroupKind::Federation
        && let Some(object) = json.as_object_mut()
    {
        object.insert(
            "officialSections".into(),
            Value::String(crate::federation::official::collection_url(account)),
        );
    }
    Ok(json)
}

/// The address of a local group's `moderators` collection.
pub fn moderators_url(account: &AccountRow) -> String {
    format!("{}/collections/moderators", account.uri)
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

/// Who reads a group's circle, as the `to` of what the group passes on to it: the public, its
/// followers and members (sympathizers), its members.
pub fn circle_readers(circle: Circle, group: &GroupAddress) -> Vec<String> {
    match circle {
        Circle::Public => vec![PUBLIC.to_string()],
        Circle::Sympathizers => vec![group.followers.clone(), group.members.clone()],
        Circle::Members => vec![group.members.clone()],
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
    /// Its attachments, in order (ready media).
    pub media: &'a [MediaRow],
}

/// A medium attached to a local post, as Mastodon writes it: a `Document` with its type, our
/// address of its file, its alt text (`null` when none), blurhash, focal point and size.
/// `None` for a medium without a stored file.
/// Another server's medium (on a post of theirs a group here passes on) keeps its own
/// address.
pub fn document(state: &AppState, m: &MediaRow) -> Option<Attachment> {
    let address = match &m.remote_url {
        Some(remote) => remote.clone(),
        None => {
            m.content_type.as_ref()?;
            crate::service::media::url(state, m, crate::service::media::Variant::Original)?
        }
    };
    Some(Attachment {
        name: Some(Some(m.description.clone()).filter(|d| !d.is_empty())),
        media_type: m.content_type.clone(),
        url: Some(Value::String(address)),
        blurhash: m.blurhash.clone(),
        focal_point: match (m.focus_x, m.focus_y) {
            (Some(x), Some(y)) => Some([x as f64 / 100.0, y as f64 / 100.0]),
            _ => None,
        },
        width: m.width.filter(|w| *w > 0),
        height: m.height.filter(|h| *h > 0),
        ..Attachment::of_kind("Document")
    })
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
        actor: None,
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
        // An alt text changed after publication is an edit too: Mastodon applies an Update only
        // with a newer `updated`.
        updated: [
            status.edited_at,
            parts
                .media
                .iter()
                .map(|m| m.updated_at)
                .max()
                .filter(|t| *t > status.created_at),
        ]
        .into_iter()
        .flatten()
        .max()
        .and_then(time),
        url: NoteUrl::page(status.url.as_deref().map(url).transpose()?),
        tag,
        attachment: parts
            .media
            .iter()
            .filter_map(|m| document(state, m))
            .collect(),
        icon: Vec::new(),
        image: Vec::new(),
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
        one_of: None,
        any_of: None,
        voters_count: None,
        closed: None,
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
    // As Mobilizon: an event written in a group is the group's (`attributedTo`), organized by
    // its author (`actor`), who still signs its `Create` (rule T2).
    if let Some(group) = doc.audience.clone() {
        doc.actor = doc.attributed_to.replace(group);
    }
    let cancelled = event.status == crate::domain::event::EventStatus::Cancelled;
    // Servers that read only `name` and `content` (Gancio, Lemmy) see it cancelled too.
    doc.name = Some(if cancelled {
        crate::i18n::t_args(
            state.config.default_locale,
            "event-name-cancelled",
            &[("name", event.name.clone())],
        )
    } else {
        event.name.clone()
    });
    if cancelled {
        let mark = crate::domain::html::escape(&crate::i18n::t(
            state.config.default_locale,
            "event-summary-cancelled",
        ));
        let marked = |html: &String| format!("<p><strong>❌ {mark}</strong></p>{html}");
        doc.content = doc.content.as_ref().map(marked);
        if let Some(map) = doc.content_map.as_mut() {
            map.values_mut().for_each(|html| *html = marked(html));
        }
    }
    // In the instance's language: the summary is the same for every server it goes to.
    doc.summary = Some(crate::service::events::summary_line(
        state.config.default_locale,
        event,
        &page,
    ));
    doc.start_time = time(event.starts_at).map(|t| t.fixed_offset());
    doc.end_time = time(event.ends_at).map(|t| t.fixed_offset());
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
    // Mobilizon takes an event's first `Document` as its picture: the post's first image.
    if let Some(first_image) = doc.attachment.iter().position(|a| {
        a.media_type
            .as_deref()
            .is_some_and(|t| t.starts_with("image/"))
    }) {
        let picture = doc.attachment.remove(first_image);
        doc.attachment.insert(0, picture);
    }
    if let Some(online) = &event.online_url {
        doc.attachment.push(Attachment {
            name: Some(Some("Website".into())),
            href: Some(online.clone()),
            media_type: Some("text/html".into()),
            ..Attachment::of_kind("Link")
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
mod tests;
