//! Official sections across servers: a federation's actor names, in `officialSections`, a
//! collection of the sections it vouches for (served by `routes::official_sections`); another
//! server reads it from the federation's own server before showing a section as official
//! (`service::Remote::official_sections`, called by `service::official`'s worker). What a
//! section says of itself is never read.

use super::protocol;
use crate::{db::accounts::AccountRow, state::AppState};
use activitypub_federation::fetch::fetch_object_http;
use serde_json::Value;
use url::Url;

/// The most sections read from one federation's collection (and the most a federation
/// publishes): more than any party's département counts.
pub const MOST_SECTIONS: usize = 2_000;

/// The address of a local federation's `officialSections` collection.
pub(crate) fn collection_url(account: &AccountRow) -> String {
    format!("{}/collections/sections", account.uri)
}

/// The actor ids a federation of another server vouches for, read from that server: its
/// actor document (whose `id` must be the federation's), then the collection its
/// `officialSections` names (on the same server), then that collection's first page when
/// the items are not inline. `Some(empty)` when the federation names no such collection;
/// `None` when its server could not be read or answered something else (the caller keeps
/// what it knew and tries again later).
pub(crate) async fn official_sections(
    state: &AppState,
    federation: &AccountRow,
) -> Option<Vec<String>> {
    let domain = federation.domain.as_deref()?;
    let actor_url = Url::parse(&federation.uri).ok()?;
    if state.config.is_local_url(&actor_url) || protocol::domain_of(&actor_url) != domain {
        return None;
    }
    let data = crate::federation::data(state);
    let actor = fetch_object_http::<_, Value>(&actor_url, &data)
        .await
        .ok()?
        .object;
    if protocol::id_of(&actor) != Some(federation.uri.as_str()) {
        return None;
    }
    let Some(collection) = actor.get("officialSections").and_then(protocol::id_of) else {
        return Some(Vec::new());
    };
    let collection = same_server(collection, domain)?;
    let mut doc = fetch_object_http::<_, Value>(&collection, &data)
        .await
        .ok()?
        .object;
    if protocol::id_of(&doc) != Some(collection.as_str()) {
        return None;
    }
    if items_of(&doc).is_none() {
        doc = match doc.get("first")?.clone() {
            Value::String(page) => {
                let page = same_server(&page, domain)?;
                fetch_object_http::<_, Value>(&page, &data)
                    .await
                    .ok()?
                    .object
            }
            embedded => embedded,
        };
    }
    Some(ids_of(items_of(&doc)?))
}

/// An address on the federation's own server, or `None`.
fn same_server(address: &str, domain: &str) -> Option<Url> {
    let url = Url::parse(address).ok()?;
    (matches!(url.scheme(), "http" | "https") && protocol::domain_of(&url) == domain).then_some(url)
}

fn items_of(doc: &Value) -> Option<&Vec<Value>> {
    doc.get("orderedItems")
        .or_else(|| doc.get("items"))
        .and_then(Value::as_array)
}

/// The ids of a collection's items (strings or objects with an `id`), at most
/// [`MOST_SECTIONS`].
fn ids_of(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .take(MOST_SECTIONS)
        .filter_map(protocol::id_of)
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_are_read_as_ids_whatever_their_shape() {
        let doc = json!({"orderedItems": [
            "https://a.example/users/s1",
            {"id": "https://b.example/users/s2", "type": "Group"},
            42,
            null
        ]});
        assert_eq!(
            ids_of(items_of(&doc).unwrap()),
            vec!["https://a.example/users/s1", "https://b.example/users/s2"]
        );
        let many: Vec<Value> = (0..MOST_SECTIONS + 10)
            .map(|i| json!(format!("https://a.example/users/s{i}")))
            .collect();
        assert_eq!(ids_of(&many).len(), MOST_SECTIONS);
    }

    #[test]
    fn only_the_federations_server_is_read() {
        assert!(same_server("https://a.example/x", "a.example").is_some());
        assert!(same_server("https://a.example:8443/x", "a.example:8443").is_some());
        assert!(same_server("https://evil.example/x", "a.example").is_none());
        assert!(same_server("https://a.example.evil/x", "a.example").is_none());
        assert!(same_server("ftp://a.example/x", "a.example").is_none());
        assert!(same_server("not a url", "a.example").is_none());
    }
}
