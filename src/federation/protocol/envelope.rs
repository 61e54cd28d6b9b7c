//! What the inbox reads of a received body before anything else: how deep it nests, and its
//! envelope (id, actor, type, object's id), read without building the document.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

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
/// and what its object refers to, each as [`id_of`](super::id_of) or a plain string would give
/// it. The rest of the document is skipped without being built (the inbox used to build the
/// whole document as a `Value` for these four fields: a tenth of its work per request).
/// Duplicate keys are refused, as the activity's full reading later refuses them.
#[derive(Debug, Default, Deserialize)]
pub struct Envelope<'a> {
    /// `id`, when a string.
    #[serde(borrow, default)]
    pub id: Text<'a>,
    /// `actor`, read as [`id_of`](super::id_of) reads a reference.
    #[serde(borrow, default)]
    pub actor: Reference<'a>,
    /// `type`, when a string.
    #[serde(rename = "type", borrow, default)]
    pub kind: Text<'a>,
    /// `object`, read as [`id_of`](super::id_of) reads a reference.
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

/// A reference read as [`id_of`](super::id_of) reads it: a string, an object's `id` (or `href`
/// without an `id`), or the first such in an array; anything else is skipped.
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
/// arrays as [`id_of`](super::id_of) does.
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
    use crate::federation::protocol::id_of;

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
    fn depth_is_measured() {
        assert_eq!(depth(&serde_json::json!({"a": {"b": [1]}})), 3);
    }
}
