//! The shapes of ActivityPub JSON coopol reads, and helpers that read what real servers send:
//! a property may be a string or an object with an `id`, one value or an array, `Public` or
//! `as:Public` or the full URI; `url` may be a string, a `Link` or a list of them. Reading is
//! lenient where servers differ and strict where security depends on it (ids are URLs).
//!
//! This module holds the context our documents declare, those helpers and the address rules;
//! `objects` holds the objects read from other servers (`Note`, `Actor`), `activity` the one
//! `Activity` struct both read and written, and `envelope` what the inbox reads of a body
//! before storing it (and how deep a document may nest). Their public items are re-exported
//! here.

mod activity;
mod envelope;
mod objects;

pub use activity::Activity;
pub use envelope::{Envelope, MAX_NESTING, Reference, Text, depth, nested_deeper_than};
pub use objects::{
    Actor, Attachment, Endpoints, Note, NoteUrl, Place, PostalAddress, PublicKey, Tag,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};
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
            "featuredTags": { "@id": "toot:featuredTags", "@type": "@id" },
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "ostatus": "http://ostatus.org#",
            "atomUri": "ostatus:atomUri",
            "blurhash": "toot:blurhash",
            "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" },
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
            "officialSections": {"@id": "coopol:officialSections", "@type": "@id"},
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

/// An RFC 3339 time keeping the offset it was written with (an event's local time), or
/// `None` when it is anything else.
fn lenient_local_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<chrono::FixedOffset>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => DateTime::parse_from_rfc3339(s.trim()).ok(),
        _ => None,
    })
}

/// A time with its offset written as Mastodon writes times: in UTC with milliseconds.
fn local_as_millis<S: serde::Serializer>(
    t: &Option<DateTime<chrono::FixedOffset>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    as_millis(&t.map(|t| t.with_timezone(&Utc)), s)
}

/// A time as Mastodon writes it: RFC 3339 in UTC with milliseconds (`2026-11-21T10:00:00.000Z`).
fn as_millis<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => s.serialize_none(),
    }
}

/// A boolean that may be absent (`None`), read as `lenient_bool` reads one when present.
fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => Some(s == "true"),
        _ => None,
    })
}

/// A whole number, given as a number or a string; anything else is absent.
fn lenient_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A property whose presence matters even when `null` (`Some(None)`); absent is `None`. A value
/// of the wrong type reads as `null`.
fn present<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(serde_json::from_value(Value::deserialize(d)?).ok()))
}

/// An image (`icon`, `image`) written as Mastodon writes one: an `Image` with its media type.
fn as_image<S: serde::Serializer>(u: &Option<Url>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Image<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        media_type: Option<&'static str>,
        url: &'a Url,
    }
    match u {
        Some(url) => {
            let path = url.path().to_ascii_lowercase();
            let media_type = [
                (".png", "image/png"),
                (".jpg", "image/jpeg"),
                (".jpeg", "image/jpeg"),
                (".gif", "image/gif"),
                (".webp", "image/webp"),
            ]
            .into_iter()
            .find(|(ext, _)| path.ends_with(ext))
            .map(|(_, m)| m);
            serde::Serialize::serialize(
                &Image {
                    kind: "Image",
                    media_type,
                    url,
                },
                s,
            )
        }
        None => s.serialize_none(),
    }
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

pub use crate::domain::same_origin;

/// The domain coopol records for a remote URL: the host, with `:port` when one is given.
pub fn domain_of(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            note.url.page.as_ref().unwrap().as_str(),
            "https://p.example/w/1"
        );
        assert_eq!(note.url.files.len(), 1);
        assert_eq!(
            note.url.files[0].href.as_deref(),
            Some("https://p.example/f.mp4")
        );
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
}
