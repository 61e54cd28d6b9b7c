//! The one `Activity` struct, read from other servers and written to them.

use super::{as_millis, context, first_id, id_of, ids, lenient_datetime, lenient_string};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use url::Url;

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
    /// A moderator's reason: on a `Delete`, its presence marks a removal by the group's
    /// moderators rather than the author's own deletion (Lemmy's convention; empty when no
    /// reason was given).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
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
            summary: None,
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
