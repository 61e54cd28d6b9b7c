//! The objects coopol reads from other servers: posts (`Note` and the types read as one) with
//! their tags, and actors with their keys and endpoints.

use super::{first_id, first_url, ids, image_url, lenient_bool, lenient_datetime, lenient_string};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

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
