//! The shapes of ActivityPub JSON coopol reads, and helpers that read what real servers send:
//! a property may be a string or an object with an `id`, one value or an array, `Public` or
//! `as:Public` or the full URI; `url` may be a string, a `Link` or a list of them. Reading is
//! lenient where servers differ and strict where security depends on it (ids are URLs).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use url::Url;

/// The public collection.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The JSON-LD contexts coopol's documents declare: ActivityStreams, security (keys), and the
/// Mastodon extensions they use.
pub fn context() -> Value {
    serde_json::json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "mz": "https://joinmobilizon.org/ns#",
            "openness": { "@id": "mz:openness", "@type": "@id" },
            "members": { "@id": "mz:members", "@type": "@id" },
            "memberCount": "mz:memberCount",
            "location": "schema:location",
            "Place": "schema:Place",
            "PostalAddress": "schema:PostalAddress",
            "address": "schema:address",
            "postalCode": "schema:postalCode",
            "addressLocality": "schema:addressLocality",
            "streetAddress": "schema:streetAddress",
            "addressCountry": "schema:addressCountry",
            "latitude": "schema:latitude",
            "longitude": "schema:longitude",
            "startTime": "as:startTime",
            "endTime": "as:endTime",
            "timezone": "mz:timezone",
            "joinMode": { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
            "category": "mz:category",
            "isOnline": "mz:isOnline",
            "externalParticipationUrl": "mz:externalParticipationUrl",
            "participantCount": "mz:participantCount",
            "anonymousParticipationEnabled": "mz:anonymousParticipationEnabled",
            "maximumAttendeeCapacity": "schema:maximumAttendeeCapacity",
            "remainingAttendeeCapacity": "schema:remainingAttendeeCapacity",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "coopol": "https://coopol.org/ns#",
            "groupKind": "coopol:groupKind",
            "departement": "coopol:departement",
            "sympathizersCanPost": "coopol:sympathizersCanPost",
            "circle": "coopol:circle",
            "mission": "coopol:mission"
        }
    ])
}

/// Normalizes the spellings of the public collection.
fn normalize_address(s: &str) -> String {
    match s {
        "Public" | "as:Public" => PUBLIC.to_string(),
        other => other.to_string(),
    }
}

/// The id of a value that is either a string or an object with an `id` (or `href`, for links).
pub fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("href"))
            .and_then(Value::as_str),
        Value::Array(items) => items.iter().find_map(id_of),
        _ => None,
    }
}

/// Every id in a value that is one reference or an array of them.
pub fn ids_of(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(id_of)
            .map(normalize_address)
            .collect(),
        other => id_of(other).map(normalize_address).into_iter().collect(),
    }
}

fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(ids_of(&Value::deserialize(d)?))
}

/// A reference (string or object) that must be an absolute URL; for `attributedTo` given as an
/// array (PeerTube lists a person and a channel), the first `Person` wins, else the first.
fn first_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    let v = Value::deserialize(d)?;
    let chosen = match &v {
        Value::Array(items) => items
            .iter()
            .find(|i| i.get("type").and_then(Value::as_str) == Some("Person"))
            .or_else(|| items.first()),
        other => Some(other),
    };
    Ok(chosen.and_then(id_of).and_then(|s| Url::parse(s).ok()))
}

/// The first http(s) address of a `url`: a string, a `Link` (preferring `text/html`), or a list.
fn first_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    fn candidates(v: &Value, out: &mut Vec<(bool, String)>) {
        match v {
            Value::String(s) => out.push((true, s.clone())),
            Value::Object(o) => {
                let html = o
                    .get("mediaType")
                    .and_then(Value::as_str)
                    .is_none_or(|m| m == "text/html");
                if let Some(h) = o
                    .get("href")
                    .or_else(|| o.get("url"))
                    .and_then(Value::as_str)
                {
                    out.push((html, h.to_string()));
                }
            }
            Value::Array(items) => items.iter().for_each(|i| candidates(i, out)),
            _ => {}
        }
    }
    let v = Value::deserialize(d)?;
    let mut found = Vec::new();
    candidates(&v, &mut found);
    found.sort_by_key(|(html, _)| !html);
    Ok(found
        .into_iter()
        .filter_map(|(_, s)| Url::parse(&s).ok())
        .find(|u| matches!(u.scheme(), "http" | "https")))
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        // A language map (`nameMap`-style) where a string was expected: take any entry.
        Value::Object(o) => o.values().find_map(|v| v.as_str().map(str::to_string)),
        _ => None,
    })
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::String(s) => s == "true",
        _ => false,
    })
}

fn lenient_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => DateTime::parse_from_rfc3339(&s)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    })
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

fn image_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    let v = Value::deserialize(d)?;
    let first = match &v {
        Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let url = match &first {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("url").and_then(|u| match u {
            Value::String(s) => Some(s.clone()),
            other => id_of(other).map(str::to_string),
        }),
        _ => None,
    };
    Ok(url
        .and_then(|s| Url::parse(&s).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https")))
}

/// A tag of a post: a `Mention` or a `Hashtag` (other kinds are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct Tag {
    /// `Mention`, `Hashtag`...
    #[serde(rename = "type")]
    pub kind: String,
    /// The mentioned actor, or the hashtag's page.
    #[serde(default)]
    pub href: Option<String>,
    /// `@user@host` or `#tag`.
    #[serde(default)]
    pub name: Option<String>,
}

/// A post as other servers publish it: `Note`, and the types Mastodon converts to one
/// (`Article`, `Page`, `Question`, `Event`, `Video`...).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// Its id.
    pub id: Url,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its author.
    #[serde(default, deserialize_with = "first_id")]
    pub attributed_to: Option<Url>,
    /// Primary audience.
    #[serde(default, deserialize_with = "ids")]
    pub to: Vec<String>,
    /// Secondary audience.
    #[serde(default, deserialize_with = "ids")]
    pub cc: Vec<String>,
    /// HTML content.
    #[serde(default, deserialize_with = "lenient_string")]
    pub content: Option<String>,
    /// Content per language.
    #[serde(default)]
    pub content_map: Option<std::collections::BTreeMap<String, String>>,
    /// Title (articles, pages, events).
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// Content warning (Mastodon) or summary.
    #[serde(default, deserialize_with = "lenient_string")]
    pub summary: Option<String>,
    /// Marked sensitive.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub sensitive: bool,
    /// The post it answers.
    #[serde(default, deserialize_with = "first_id")]
    pub in_reply_to: Option<Url>,
    /// Publication time.
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub published: Option<DateTime<Utc>>,
    /// Last edit.
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub updated: Option<DateTime<Utc>>,
    /// Web page.
    #[serde(default, deserialize_with = "first_url")]
    pub url: Option<Url>,
    /// Mentions and hashtags.
    #[serde(default, deserialize_with = "tags")]
    pub tag: Vec<Tag>,
    /// The group it was posted to (FEP-1b12).
    #[serde(default, deserialize_with = "first_id")]
    pub audience: Option<Url>,
    /// coopol: the group circle that may read it (`public`, `sympathizers`, `members`).
    #[serde(default, deserialize_with = "lenient_string")]
    pub circle: Option<String>,
    /// Events: start.
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub start_time: Option<DateTime<Utc>>,
    /// Events: end.
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub end_time: Option<DateTime<Utc>>,
    /// Events (Mobilizon): IANA time zone.
    #[serde(default, deserialize_with = "lenient_string")]
    pub timezone: Option<String>,
    /// Events: a `Place` (or a `VirtualLocation`), read leniently.
    #[serde(default)]
    pub location: Option<serde_json::Value>,
    /// Events (Mobilizon): free, restricted, invite, external.
    #[serde(default, deserialize_with = "lenient_string")]
    pub join_mode: Option<String>,
    /// Events (Mobilizon): CONFIRMED, TENTATIVE, CANCELLED.
    #[serde(default, rename = "ical:status", deserialize_with = "lenient_string")]
    pub ical_status: Option<String>,
    /// Events: the capacity (0 or absent: none).
    #[serde(default)]
    pub maximum_attendee_capacity: Option<serde_json::Value>,
    /// Events (Mobilizon): how many take part.
    #[serde(default)]
    pub participant_count: Option<serde_json::Value>,
    /// Events (Mobilizon): where to sign up when external.
    #[serde(default, deserialize_with = "lenient_string")]
    pub external_participation_url: Option<String>,
    /// Events (Mobilizon): the category.
    #[serde(default, deserialize_with = "lenient_string")]
    pub category: Option<String>,
    /// Events (coopol): a mission, whose shifts are Events answering it.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub mission: bool,
}

impl Note {
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
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// The key's id (`keyId` of signatures).
    pub id: String,
    /// Its owner.
    #[serde(default)]
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
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// The inbox shared by the server's actors.
    #[serde(default, deserialize_with = "first_id")]
    pub shared_inbox: Option<Url>,
}

/// An actor: `Person`, `Group`, `Service`, `Application`, `Organization`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// Its id.
    pub id: Url,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The username.
    #[serde(default, deserialize_with = "lenient_string")]
    pub preferred_username: Option<String>,
    /// The display name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// The biography (HTML).
    #[serde(default, deserialize_with = "lenient_string")]
    pub summary: Option<String>,
    /// The profile page.
    #[serde(default, deserialize_with = "first_url")]
    pub url: Option<Url>,
    /// The inbox.
    #[serde(default, deserialize_with = "first_id")]
    pub inbox: Option<Url>,
    /// The outbox.
    #[serde(default, deserialize_with = "first_id")]
    pub outbox: Option<Url>,
    /// The followers collection.
    #[serde(default, deserialize_with = "first_id")]
    pub followers: Option<Url>,
    /// The following collection.
    #[serde(default, deserialize_with = "first_id")]
    pub following: Option<Url>,
    /// Shared endpoints.
    #[serde(default)]
    pub endpoints: Option<Endpoints>,
    /// The key that signs its requests.
    #[serde(default, deserialize_with = "public_key")]
    pub public_key: Option<PublicKey>,
    /// Whether follows need approval.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub manually_approves_followers: bool,
    /// Whether it may be suggested and listed.
    #[serde(default)]
    pub discoverable: Option<Value>,
    /// Avatar.
    #[serde(default, deserialize_with = "image_url")]
    pub icon: Option<Url>,
    /// Header image.
    #[serde(default, deserialize_with = "image_url")]
    pub image: Option<Url>,
    /// Profile fields (`PropertyValue`s) and other attachments.
    #[serde(default)]
    pub attachment: Option<Value>,
    /// Creation time.
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub published: Option<DateTime<Utc>>,
    /// Groups (coopol): section, federation, theme, initiative.
    #[serde(default, deserialize_with = "lenient_string")]
    pub group_kind: Option<String>,
    /// Groups (Mobilizon, coopol): open, moderated, invite_only.
    #[serde(default, deserialize_with = "lenient_string")]
    pub openness: Option<String>,
    /// Groups (Mobilizon, coopol): the members collection.
    #[serde(default, deserialize_with = "first_id")]
    pub members: Option<Url>,
    /// Groups: where (a `Place` with a `PostalAddress`).
    #[serde(default)]
    pub location: Option<Value>,
    /// Groups (coopol): the département code.
    #[serde(default, deserialize_with = "lenient_string")]
    pub departement: Option<String>,
    /// Groups (coopol): whether followers may post.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub sympathizers_can_post: bool,
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
        let items = match &self.attachment {
            Some(Value::Array(items)) => items.clone(),
            Some(v @ Value::Object(_)) => vec![v.clone()],
            _ => Vec::new(),
        };
        items
            .iter()
            .filter(|i| i.get("type").and_then(Value::as_str) == Some("PropertyValue"))
            .filter_map(|i| {
                Some((
                    i.get("name")?.as_str()?.to_string(),
                    i.get("value")?.as_str()?.to_string(),
                ))
            })
            .take(16)
            .collect()
    }

    /// Whether the actor is discoverable (absent means yes, as Mastodon reads it).
    pub fn is_discoverable(&self) -> bool {
        !matches!(self.discoverable, Some(Value::Bool(false)))
    }
}

/// An activity, as read and as sent: one struct for both directions, so what coopol writes is
/// what it can read back (`federation::activities` builds them; the inbox reads them). What
/// routing needs is typed; the object stays JSON, read by the activity's own module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The JSON-LD context: set on what we send at the top level, never read.
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
    /// Who did it.
    #[serde(deserialize_with = "required_id")]
    pub actor: Url,
    /// When.
    #[serde(
        default,
        deserialize_with = "lenient_datetime",
        serialize_with = "as_millis",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<DateTime<Utc>>,
    /// Primary audience.
    #[serde(default, deserialize_with = "ids")]
    pub to: Vec<String>,
    /// Secondary audience.
    #[serde(default, deserialize_with = "ids")]
    pub cc: Vec<String>,
    /// What it was done to: an id or an embedded object.
    #[serde(default)]
    pub object: Value,
    /// Who or what is concerned besides the object (`Invite`: who is invited; `Add`/`Remove`:
    /// the collection).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub target: Value,
    /// Where something was removed from (`Remove`: the group).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub origin: Value,
    /// The group it happens in (FEP-1b12).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub audience: Value,
    /// What it answers (a `Leave` names the `Join` it ends).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub in_reply_to: Value,
    /// A message sent with a `Join` (Mobilizon).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub participation_message: Option<String>,
    /// A message sent with a `Join` (as content).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
}

fn as_millis<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => s.serialize_none(),
    }
}

fn required_id<'de, D: Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    first_id(d)?.ok_or_else(|| serde::de::Error::custom("missing or invalid actor"))
}

impl Activity {
    /// A new activity of ours, published now, to send on its own (with `@context`). Ids are
    /// built from the configured public URL (or were stored so), so one that is not a URL is a
    /// bug, reported as such.
    pub fn new(
        id: &str,
        kind: &str,
        actor: &str,
        object: Value,
        to: Vec<String>,
        cc: Vec<String>,
    ) -> Result<Activity, url::ParseError> {
        Ok(Activity {
            context: Some(context()),
            id: Url::parse(id)?,
            kind: kind.to_string(),
            actor: Url::parse(actor)?,
            published: Some(Utc::now()),
            to,
            cc,
            object,
            target: Value::Null,
            origin: Value::Null,
            audience: Value::Null,
            in_reply_to: Value::Null,
            participation_message: None,
            content: None,
        })
    }

    /// The activity as JSON.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("an activity serializes")
    }

    /// The activity as the object of another (an `Undo`, an `Accept`, a group's `Announce`):
    /// without its own `@context`.
    pub fn embedded(mut self) -> Value {
        self.context = None;
        self.to_json()
    }

    /// The id of the object (string, or embedded object's id).
    pub fn object_id(&self) -> Option<&str> {
        id_of(&self.object)
    }

    /// The embedded object's type, if the object is embedded.
    pub fn object_type(&self) -> Option<&str> {
        self.object.get("type").and_then(Value::as_str)
    }
}

pub use crate::domain::same_origin;

/// The domain coopol records for a remote URL: the host, with `:port` when one is given.
pub fn domain_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// How deep embedded objects may nest before a document is refused.
pub const MAX_NESTING: usize = 16;

/// The nesting depth of a JSON value (for refusing hostile documents before parsing them).
pub fn depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// What the inbox reads of a received activity before storing it: its id, its actor, its type
/// and what its object refers to, each as [`id_of`] or a plain string would give it. The
/// rest of the document is skipped without being built (the inbox used to build the whole
/// document as a `Value` for these four fields: a tenth of its work per request). Duplicate
/// keys are refused, as the activity's full reading later refuses them.
#[derive(Debug, Default, Deserialize)]
pub struct Envelope<'a> {
    /// `id`, when a string.
    #[serde(borrow, default)]
    pub id: Text<'a>,
    /// `actor`, read as [`id_of`] reads a reference.
    #[serde(borrow, default)]
    pub actor: Reference<'a>,
    /// `type`, when a string.
    #[serde(rename = "type", borrow, default)]
    pub kind: Text<'a>,
    /// `object`, read as [`id_of`] reads a reference.
    #[serde(borrow, default)]
    pub object: Reference<'a>,
}

impl<'a> Envelope<'a> {
    /// Reads a received body: an error if it is not JSON; nothing read if it is JSON but not
    /// an object (a derived reading would take an array's items as the fields, in order).
    pub fn read(body: &'a [u8]) -> Result<Self, serde_json::Error> {
        if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            serde_json::from_slice(body)
        } else {
            serde_json::from_slice::<serde::de::IgnoredAny>(body)?;
            Ok(Envelope::default())
        }
    }
}

/// A JSON value read only if it is a string (anything else is skipped).
#[derive(Debug, Default)]
pub struct Text<'a>(pub Option<std::borrow::Cow<'a, str>>);

/// A reference read as [`id_of`] reads it: a string, an object's `id` (or `href` without an
/// `id`), or the first such in an array; anything else is skipped.
#[derive(Debug, Default)]
pub struct Reference<'a>(pub Option<std::borrow::Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The string, if it was one.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'a> Reference<'a> {
    /// The id referred to, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Reads any JSON value: `strings` keeps strings; `references` also reads objects and
/// arrays as [`id_of`] does.
struct Skimmer {
    references: bool,
}

impl<'de> serde::de::Visitor<'de> for Skimmer {
    type Value = Option<std::borrow::Cow<'de, str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(std::borrow::Cow::Owned(v)))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Items are read until the first reference; the rest are skipped unread.
        let mut found = None;
        loop {
            if self.references && found.is_none() {
                match seq.next_element_seed(Seed(Skimmer { references: true }))? {
                    Some(item) => found = item,
                    None => break,
                }
            } else if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                break;
            }
        }
        Ok(found)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut href) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "id" if self.references => {
                    id = Some(map.next_value_seed(Seed(Skimmer { references: false }))?)
                }
                "href" if self.references => {
                    href = Some(map.next_value_seed(Seed(Skimmer { references: false }))?)
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        // As `id_of`: the `id` when there is one (a string or not), else the `href`.
        Ok(match id {
            Some(id) => id,
            None => href.flatten(),
        })
    }
}

struct Seed(Skimmer);

impl<'de> serde::de::DeserializeSeed<'de> for Seed {
    type Value = Option<std::borrow::Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let read = d.deserialize_any(Skimmer { references: false })?;
        Ok(Text(read))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Reference<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let read = d.deserialize_any(Skimmer { references: true })?;
        Ok(Reference(read))
    }
}

/// Whether a JSON text nests arrays and objects more than `max` deep, read from its bytes
/// (the same measure as [`depth`], without building the document).
pub fn nested_deeper_than(json: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_reads_what_the_whole_document_would_give() {
        let docs = [
            serde_json::json!({"id": "https://a.example/1", "type": "Delete", "actor": "https://a.example/u", "object": "https://a.example/u"}),
            serde_json::json!({"id": 5, "type": ["Create"], "actor": {"id": "https://a.example/u", "name": "x"}, "object": {"type": "Note", "id": "https://a.example/n", "tag": [{"href": "h"}]}}),
            serde_json::json!({"actor": [{"href": "https://a.example/h"}, "https://a.example/u"], "object": [1, {"id": 2}, "https://a.example/o"]}),
            serde_json::json!({"actor": {"id": null, "href": "https://a.example/h"}, "object": {"url": "x"}, "id": "\"quoted\" \\ and \u{e9}"}),
            serde_json::json!({}),
        ];
        for doc in docs {
            let text = serde_json::to_vec(&doc).unwrap();
            let e = Envelope::read(&text).unwrap();
            assert_eq!(
                e.id.as_str(),
                doc.get("id").and_then(Value::as_str),
                "{doc}"
            );
            assert_eq!(
                e.kind.as_str(),
                doc.get("type").and_then(Value::as_str),
                "{doc}"
            );
            assert_eq!(e.actor.as_str(), doc.get("actor").and_then(id_of), "{doc}");
            assert_eq!(
                e.object.as_str(),
                doc.get("object").and_then(id_of),
                "{doc}"
            );
            assert_eq!(nested_deeper_than(&text, 2), depth(&doc) > 2, "{doc}");
            assert_eq!(nested_deeper_than(&text, 3), depth(&doc) > 3, "{doc}");
        }
        // Not JSON, or an object with a key twice: refused. JSON that is no object: nothing read.
        for bad in [&br#"{"id": "a", "id": "b"}"#[..], b"not json", b"{"] {
            assert!(Envelope::read(bad).is_err());
        }
        for other in [
            &br#" ["https://a.example/1", "https://a.example/u"]"#[..],
            b"\"x\"",
            b"7",
        ] {
            let e = Envelope::read(other).unwrap();
            assert!(e.id.as_str().is_none() && e.actor.as_str().is_none());
        }
        // Brackets inside strings are not nesting.
        assert!(!nested_deeper_than(br#"{"a": "[[[[{{{{"}"#, 1));
        assert!(nested_deeper_than(br#"{"a": [[1]]}"#, 2));
    }

    #[test]
    fn references_are_read_every_way() {
        assert_eq!(ids_of(&serde_json::json!("as:Public")), vec![PUBLIC]);
        assert_eq!(
            ids_of(&serde_json::json!(["https://a.example/u", {"id": "https://b.example/v"}])),
            vec!["https://a.example/u", "https://b.example/v"]
        );
        let note: Note = serde_json::from_value(serde_json::json!({
            "id": "https://p.example/v/1", "type": "Video",
            "attributedTo": [{"type": "Group", "id": "https://p.example/c/x"}, {"type": "Person", "id": "https://p.example/a/y"}],
            "url": [{"type": "Link", "mediaType": "video/mp4", "href": "https://p.example/f.mp4"}, {"type": "Link", "mediaType": "text/html", "href": "https://p.example/w/1"}],
            "to": "https://www.w3.org/ns/activitystreams#Public",
            "tag": [{"type": "Emoji", "icon": {}}, {"type": "Hashtag", "name": "#x", "href": "https://p.example/t/x"}],
            "name": "A <title>", "content": "<p>hi</p>"
        }))
        .unwrap();
        assert_eq!(
            note.attributed_to.as_ref().unwrap().as_str(),
            "https://p.example/a/y"
        );
        assert_eq!(note.url.as_ref().unwrap().as_str(), "https://p.example/w/1");
        assert_eq!(note.to, vec![PUBLIC]);
        assert_eq!(note.tag.len(), 2);
        assert_eq!(
            note.html(),
            "<p><strong>A &lt;title&gt;</strong></p><p>hi</p>"
        );
    }

    #[test]
    fn origins_include_the_port() {
        let a = Url::parse("http://localhost:8080/users/a").unwrap();
        let b = Url::parse("http://localhost:8081/users/b").unwrap();
        let c = Url::parse("http://LOCALHOST:8080/x").unwrap();
        assert!(!same_origin(&a, &b));
        assert!(same_origin(&a, &c));
        assert_eq!(domain_of(&a), "localhost:8080");
        assert_eq!(
            domain_of(&Url::parse("https://ps.example/x").unwrap()),
            "ps.example"
        );
    }

    #[test]
    fn depth_is_measured() {
        assert_eq!(depth(&serde_json::json!({"a": {"b": [1]}})), 3);
    }
}
