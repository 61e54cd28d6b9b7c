//! The objects coopol reads from other servers and writes to them: posts (`Note` and the types
//! read as one, `Event` included) with their tags and attachments, and actors with their keys
//! and endpoints. One struct for both directions, as for `Activity`: `federation::render`
//! fills them, the inbox and the fetcher read them. Reading is lenient (a property of an
//! unexpected shape reads as absent); writing leaves out what is absent, except the few
//! properties coopol has always written as `null`.

use super::{
    as_image, as_millis, first_id, first_url, ids, image_url, lenient_bool, lenient_datetime,
    lenient_int, lenient_local_datetime, lenient_opt_bool, lenient_string, local_as_millis,
    present,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use url::Url;

/// A tag of a post: a `Mention` or a `Hashtag` (other kinds are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// `Mention`, `Hashtag`...
    #[serde(rename = "type")]
    pub kind: String,
    /// The mentioned actor, or the hashtag's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// `@user@host` or `#tag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An attachment: a profile field (`PropertyValue`), a `Link` (an online event's room), or a
/// medium (`Document`, `Image`, `Video`, `Audio`), as Mastodon writes one: `url`, `mediaType`,
/// `name` (the alt text, `null` when none), `blurhash`, `focalPoint`, `width`, `height`. Also
/// the shape of a post's `icon` and `image` (PeerTube's thumbnails, Lemmy's picture).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// `PropertyValue`, `Link`, `Document`...
    #[serde(rename = "type")]
    pub kind: String,
    /// A field's name, a link's label, a medium's alt text: present as `null` when a medium
    /// has none (`Some(None)`), absent when `None`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<Option<String>>,
    /// A field's value (HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A link's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A link's or document's media type.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_type: Option<String>,
    /// A medium's address: a string, a `Link`, or a list of them (read by
    /// `federation::media`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Value>,
    /// A medium's blurhash (Mastodon).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub blurhash: Option<String>,
    /// A picture's focal point, `[x, y]` from -1 to 1 (Mastodon).
    #[serde(
        default,
        deserialize_with = "focal_point",
        skip_serializing_if = "Option::is_none"
    )]
    pub focal_point: Option<[f64; 2]>,
    /// A medium's width in pixels (a number; anything else reads as absent).
    #[serde(
        default,
        deserialize_with = "dimension",
        skip_serializing_if = "Option::is_none"
    )]
    pub width: Option<i64>,
    /// A medium's height in pixels.
    #[serde(
        default,
        deserialize_with = "dimension",
        skip_serializing_if = "Option::is_none"
    )]
    pub height: Option<i64>,
}

impl Attachment {
    /// A profile field.
    pub fn property(name: String, value: String) -> Attachment {
        Attachment {
            name: Some(Some(name)),
            value: Some(value),
            ..Attachment::of_kind("PropertyValue")
        }
    }

    /// An attachment of a type, with nothing else set.
    pub fn of_kind(kind: &str) -> Attachment {
        Attachment {
            kind: kind.into(),
            name: None,
            value: None,
            href: None,
            media_type: None,
            url: None,
            blurhash: None,
            focal_point: None,
            width: None,
            height: None,
        }
    }

    /// Its name, when it has one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_ref()?.as_deref()
    }
}

/// A focal point: two finite numbers; anything else reads as absent.
fn focal_point<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[f64; 2]>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) if items.len() == 2 => match (items[0].as_f64(), items[1].as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Some([x, y]),
            _ => None,
        },
        _ => None,
    })
}

/// A size in pixels: a positive whole number given as a number; anything else is absent.
fn dimension<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().filter(|n| *n > 0 && *n <= 1_000_000),
        _ => None,
    })
}

/// Attachments as one object or a list; those of another shape are skipped, not errors.
fn attachments<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Attachment>, D::Error> {
    let v = Value::deserialize(d)?;
    let items = match v {
        Value::Array(items) => items,
        Value::Object(_) => vec![v],
        _ => Vec::new(),
    };
    Ok(items
        .into_iter()
        .filter_map(|i| serde_json::from_value::<Attachment>(i).ok())
        .collect())
}

/// A place (schema.org), as coopol writes a group's or an event's `location`. Read as JSON
/// (`Note::location`, `Actor::location`): other servers send other shapes (a
/// `VirtualLocation`, an address as one string).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// `Place`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The place's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
    /// Latitude, decimal degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    /// Longitude, decimal degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
}

/// A postal address (schema.org).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    /// `PostalAddress`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Street and number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_country: Option<String>,
}

impl Place {
    /// The place as the JSON `location` holds.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a place serializes")
    }
}

fn is_false(b: &bool) -> bool {
    !b
}

fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Tag>, D::Error> {
    let v = Value::deserialize(d)?;
    let items = match v {
        Value::Array(items) => items,
        Value::Object(_) => vec![v],
        _ => Vec::new(),
    };
    // Tags of types we do not know (Emoji, Link...) are skipped, not errors.
    Ok(items
        .into_iter()
        .filter_map(|i| serde_json::from_value::<Tag>(i).ok())
        .collect())
}

/// A post's `url`: its web page (the first http(s) address, `text/html` preferred), and the
/// links to files a list of `Link`s also gives (PeerTube lists each video file with its
/// `mediaType` and `height`, directly or in its HLS playlist's `tag`). Written as the page's
/// address, or `null`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoteUrl {
    /// The web page.
    pub page: Option<Url>,
    /// The `Link`s with a media type other than `text/html`.
    pub files: Vec<Attachment>,
}

impl NoteUrl {
    /// A page's address, with no files.
    pub fn page(page: Option<Url>) -> NoteUrl {
        NoteUrl {
            page,
            files: Vec::new(),
        }
    }
}

impl Serialize for NoteUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.page.serialize(s)
    }
}

impl<'de> Deserialize<'de> for NoteUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let page = first_url(v.clone()).map_err(serde::de::Error::custom)?;
        let items = match v {
            Value::Array(items) => items,
            other => vec![other],
        };
        // PeerTube lists the files of its HLS playlist in the playlist `Link`'s `tag`.
        let nested: Vec<Value> = items
            .iter()
            .filter_map(|i| i.get("tag").and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect();
        let files = items
            .into_iter()
            .chain(nested)
            .filter(|i| {
                i.get("mediaType")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m != "text/html")
            })
            .filter_map(|i| serde_json::from_value::<Attachment>(i).ok())
            .collect();
        Ok(NoteUrl { page, files })
    }
}

/// A post as other servers publish it: `Note`, and the types Mastodon converts to one
/// (`Article`, `Page`, `Question`, `Event`, `Video`...); and as coopol writes its posts and
/// events (`federation::render`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// Its id.
    pub id: Url,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its author.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<Url>,
    /// Who wrote it when `attributedTo` names a group (Mobilizon's events and posts, coopol's
    /// events: the organizer person; `attributedTo` is the group organizing it). See
    /// [`Note::author`].
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Url>,
    /// Primary audience.
    #[serde(default, deserialize_with = "ids")]
    pub to: Vec<String>,
    /// Secondary audience.
    #[serde(default, deserialize_with = "ids")]
    pub cc: Vec<String>,
    /// HTML content.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    /// Content per language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_map: Option<std::collections::BTreeMap<String, String>>,
    /// Title (articles, pages, events).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Content warning (Mastodon) or summary. Written as `null` when there is none, as Mastodon
    /// writes it.
    #[serde(default, deserialize_with = "lenient_string")]
    pub summary: Option<String>,
    /// Marked sensitive.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub sensitive: bool,
    /// The post it answers (written as `null` when none, as Mastodon writes it).
    #[serde(default, deserialize_with = "first_id")]
    pub in_reply_to: Option<Url>,
    /// Publication time.
    #[serde(
        default,
        deserialize_with = "lenient_datetime",
        serialize_with = "as_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<DateTime<Utc>>,
    /// Last edit.
    #[serde(
        default,
        deserialize_with = "lenient_datetime",
        serialize_with = "as_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<DateTime<Utc>>,
    /// Web page (written as `null` when none), and the files a `url` list names (PeerTube).
    #[serde(default)]
    pub url: NoteUrl,
    /// Mentions and hashtags.
    #[serde(default, deserialize_with = "tags")]
    pub tag: Vec<Tag>,
    /// Media and links (an online event's room).
    #[serde(default, deserialize_with = "attachments")]
    pub attachment: Vec<Attachment>,
    /// A picture of it: PeerTube's thumbnails (a list of `Image`s), Lemmy's and Mobilizon's
    /// picture. Read, never written.
    #[serde(default, deserialize_with = "attachments", skip_serializing)]
    pub icon: Vec<Attachment>,
    /// A picture of it (Lemmy's `image`, Mobilizon's). Read, never written.
    #[serde(default, deserialize_with = "attachments", skip_serializing)]
    pub image: Vec<Attachment>,
    /// The collection of its replies.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub replies: Option<Url>,
    /// The group it was posted to (FEP-1b12).
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<Url>,
    /// coopol: the group circle that may read it (`public`, `sympathizers`, `members`).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub circle: Option<String>,
    /// Events: start, with the offset it came with (a server that names no `timezone` says
    /// the local time by it).
    #[serde(
        default,
        deserialize_with = "lenient_local_datetime",
        serialize_with = "local_as_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time: Option<DateTime<chrono::FixedOffset>>,
    /// Events: end.
    #[serde(
        default,
        deserialize_with = "lenient_local_datetime",
        serialize_with = "local_as_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<DateTime<chrono::FixedOffset>>,
    /// Events (Mobilizon): IANA time zone.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub timezone: Option<String>,
    /// Events: a `Place` (or a `VirtualLocation`), read leniently; coopol writes a [`Place`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<serde_json::Value>,
    /// Events (Mobilizon): free, restricted, invite, external.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub join_mode: Option<String>,
    /// Events (Mobilizon): CONFIRMED, TENTATIVE, CANCELLED.
    #[serde(
        default,
        rename = "ical:status",
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub ical_status: Option<String>,
    /// Events: the capacity (0 or absent: none), a number or a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_attendee_capacity: Option<serde_json::Value>,
    /// Events (Mobilizon): the places left; coopol writes `null` when there is no limit.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub remaining_attendee_capacity: Option<Option<i64>>,
    /// Events (Mobilizon): how many take part, a number or a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_count: Option<serde_json::Value>,
    /// Events (Mobilizon): where to sign up when external.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_participation_url: Option<String>,
    /// Events (Mobilizon): the category.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<String>,
    /// Events (coopol): a mission, whose shifts are Events answering it.
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub mission: bool,
    /// Events (Mobilizon): whether people without an account may take part.
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub anonymous_participation_enabled: Option<bool>,
    /// Events (Mobilizon): whether comments are open.
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub comments_enabled: Option<bool>,
    /// Events (Mobilizon): who may comment (`allow_all`...).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub replies_moderation_option: Option<String>,
    /// Events (Mobilizon): a draft.
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub draft: Option<bool>,
    /// Events (Mobilizon): online only.
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_online: Option<bool>,
    /// Events (schema.org): the language.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_language: Option<String>,
    /// Polls (`Question`): the options of a single-choice poll, read as they come (bounded
    /// and checked by `federation::activities::poll`); written there too, never here.
    #[serde(default, skip_serializing)]
    pub one_of: Option<Value>,
    /// Polls: the options of a multiple-choice poll.
    #[serde(default, skip_serializing)]
    pub any_of: Option<Value>,
    /// Polls: how many people voted.
    #[serde(default, skip_serializing)]
    pub voters_count: Option<Value>,
    /// Polls: when (or, for some servers, whether) the poll closed.
    #[serde(default, skip_serializing)]
    pub closed: Option<Value>,
}

impl Note {
    /// Its author: `actor` when given (Mobilizon's and coopol's group events name the group in
    /// `attributedTo` and the person who wrote them in `actor`), else `attributedTo`. Whoever
    /// it is, a `Create` or `Update` of it must be signed by that author (rule T2).
    pub fn author(&self) -> Option<&Url> {
        self.actor.as_ref().or(self.attributed_to.as_ref())
    }

    /// The group `attributedTo` names when it is not the author (see [`Note::author`]): a
    /// candidate for the group it is written in, as its `audience` is, never its author.
    pub fn attributed_group(&self) -> Option<&Url> {
        self.attributed_to
            .as_ref()
            .filter(|a| Some(*a) != self.author())
    }

    /// The content to show: `content`, or a `contentMap` entry. For articles, pages, events
    /// and videos the title comes first as a heading-like paragraph, then the `summary` (a
    /// description there, not a content warning; events put their date and place in it).
    pub fn html(&self) -> String {
        let body = self
            .content
            .clone()
            .or_else(|| {
                self.content_map
                    .as_ref()
                    .and_then(|m| m.values().next().cloned())
            })
            .unwrap_or_default();
        match (&self.name, self.kind.as_str()) {
            (Some(name), "Article" | "Page" | "Event" | "Video" | "Question")
                if !name.is_empty() =>
            {
                let title = crate::domain::html::escape(name);
                let summary = match self.summary.as_deref().map(str::trim) {
                    Some(s) if !s.is_empty() && self.kind != "Question" && !body.contains(s) => {
                        if s.starts_with('<') {
                            s.to_string()
                        } else {
                            format!("<p>{}</p>", crate::domain::html::escape(s))
                        }
                    }
                    _ => String::new(),
                };
                format!("<p><strong>{title}</strong></p>{summary}{body}")
            }
            _ => body,
        }
    }

    /// The language of the content, when given as a `contentMap` key.
    pub fn language(&self) -> Option<String> {
        self.content_map
            .as_ref()
            .and_then(|m| m.keys().next().cloned())
            .filter(|l| l.len() <= 16)
    }
}

/// The public key of an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// The key's id (`keyId` of signatures).
    pub id: String,
    /// Its owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The key.
    pub public_key_pem: String,
}

fn public_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PublicKey>, D::Error> {
    let v = Value::deserialize(d)?;
    let first = match v {
        Value::Array(items) => items.into_iter().next().unwrap_or(Value::Null),
        other => other,
    };
    Ok(serde_json::from_value(first).ok())
}

/// Shared endpoints of an actor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The inbox shared by the server's actors.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub shared_inbox: Option<Url>,
    /// Groups (Mobilizon): the members collection.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub members: Option<Url>,
}

/// An actor: `Person`, `Group`, `Service`, `Application`, `Organization`; as read, and as
/// coopol writes its own (`federation::render`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The JSON-LD context: set on what we publish, never read.
    #[serde(
        rename = "@context",
        default,
        skip_serializing_if = "Option::is_none",
        skip_deserializing
    )]
    pub context: Option<Value>,
    /// Its id.
    pub id: Url,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The username.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub preferred_username: Option<String>,
    /// The display name.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The biography (HTML).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// The profile page.
    #[serde(
        default,
        deserialize_with = "first_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    /// The inbox.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub inbox: Option<Url>,
    /// The outbox.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub outbox: Option<Url>,
    /// The followers collection.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub followers: Option<Url>,
    /// The following collection.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub following: Option<Url>,
    /// Pinned posts (Mastodon's `featured` collection).
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub featured: Option<Url>,
    /// Featured hashtags (Mastodon's `featuredTags` collection).
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub featured_tags: Option<Url>,
    /// Shared endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// The key that signs its requests.
    #[serde(
        default,
        deserialize_with = "public_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub public_key: Option<PublicKey>,
    /// Whether follows need approval.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub manually_approves_followers: bool,
    /// Whether it may be suggested and listed.
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub discoverable: Option<bool>,
    /// Whether its posts may be indexed by search.
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub indexable: Option<bool>,
    /// Avatar (written as an `Image`).
    #[serde(
        default,
        deserialize_with = "image_url",
        serialize_with = "as_image",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<Url>,
    /// Header image (written as an `Image`).
    #[serde(
        default,
        deserialize_with = "image_url",
        serialize_with = "as_image",
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<Url>,
    /// Profile fields (`PropertyValue`s) and other attachments.
    #[serde(default, deserialize_with = "attachments")]
    pub attachment: Vec<Attachment>,
    /// Creation time.
    #[serde(
        default,
        deserialize_with = "lenient_datetime",
        serialize_with = "as_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<DateTime<Utc>>,
    /// Groups (coopol): section, federation, theme, initiative.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_kind: Option<String>,
    /// Groups (Mobilizon, coopol): open, moderated, invite_only.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub openness: Option<String>,
    /// Groups (Mobilizon, coopol): the members collection.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub members: Option<Url>,
    /// Groups (Mobilizon, coopol): how many members (the collection lists none).
    #[serde(
        default,
        deserialize_with = "lenient_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub member_count: Option<i64>,
    /// Groups: where (a `Place` with a `PostalAddress`), read leniently; coopol writes a
    /// [`Place`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Value>,
    /// Groups (coopol): the département code.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub departement: Option<String>,
    /// Groups (coopol): whether followers may post (absent on other actors).
    #[serde(
        default,
        deserialize_with = "lenient_opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub sympathizers_can_post: Option<bool>,
    /// Groups: who runs it. Ours, and Lemmy's, name the moderators collection; PeerTube's
    /// channels list their accounts. Kept as sent, never trusted for anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributed_to: Option<Value>,
    /// Its other ids (Mastodon's `alsoKnownAs`): the accounts it moved from. A `Move` to this
    /// actor is believed only if this list, fetched from the actor's own server, names the
    /// account that moved.
    #[serde(
        default,
        deserialize_with = "ids",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub also_known_as: Vec<String>,
    /// The account it moved to (Mastodon's `movedTo`). Read, never trusted: only a verified
    /// `Move` records a remote account as moved.
    #[serde(
        default,
        deserialize_with = "first_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub moved_to: Option<Url>,
}

impl Actor {
    /// The postal code and locality of a group's `location`.
    pub fn postal_address(&self) -> (Option<String>, Option<String>) {
        let address = self.location.as_ref().and_then(|l| match l {
            Value::Array(items) => items.first().and_then(|i| i.get("address")).cloned(),
            other => other.get("address").cloned(),
        });
        let field = |name: &str| {
            address
                .as_ref()
                .and_then(|a| a.get(name))
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        (field("postalCode"), field("addressLocality"))
    }

    /// Profile fields as (name, value HTML) pairs.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.attachment
            .iter()
            .filter(|i| i.kind == "PropertyValue")
            .filter_map(|i| Some((i.name()?.to_string(), i.value.clone()?)))
            .take(16)
            .collect()
    }

    /// Whether the actor is discoverable (absent means yes, as Mastodon reads it).
    pub fn is_discoverable(&self) -> bool {
        self.discoverable != Some(false)
    }
}
