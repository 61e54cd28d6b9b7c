//! Applies a person's filters to the posts an answer carries: a post a `warn` or `blur`
//! filter matches gets `filtered` (Mastodon's `FilterResult`s, on the post and on the boosted
//! post), one a `hide` filter matches is left out. The filters in force for the context are
//! loaded and compiled once per answer (`service::filters::Active`); each post's text
//! (content warning, text, media descriptions) is read once by each filter's pattern.

use super::filters::filter_entity;
use crate::{
    api::mastodon::entities::{Notification, Status},
    domain::{
        curation::{FilterAction, FilterContext},
        html,
    },
    error::AppResult,
    service::filters::{Active, Found},
    state::AppState,
};
use serde_json::{Value, json};

/// A post's searchable text, as Mastodon's `searchable_text`.
fn searchable(s: &Status) -> String {
    let mut text = String::with_capacity(s.content.len() + s.spoiler_text.len());
    text.push_str(&s.spoiler_text);
    text.push_str("\n\n");
    text.push_str(&html::to_plain_text(&s.content));
    for m in &s.media_attachments {
        if let Some(d) = &m.description {
            text.push_str("\n\n");
            text.push_str(d);
        }
    }
    text
}

fn results(found: &[Found<'_>]) -> Vec<Value> {
    found
        .iter()
        .map(|f| {
            json!({
                "filter": filter_entity(f.filter),
                "keyword_matches": if f.keyword_matches.is_empty() {
                    Value::Null
                } else {
                    json!(f.keyword_matches)
                },
                "status_matches": if f.status_matches.is_empty() {
                    Value::Null
                } else {
                    json!(f.status_matches.iter().map(|i| i.to_string()).collect::<Vec<_>>())
                },
            })
        })
        .collect()
}

/// What filters read of a post: its id and the boosted post's, and the text that counts.
fn subject(s: &Status) -> (Vec<i64>, String) {
    match &s.reblog {
        Some(r) => (
            vec![
                s.id.parse().unwrap_or_default(),
                r.id.parse().unwrap_or_default(),
            ],
            searchable(r),
        ),
        None => (vec![s.id.parse().unwrap_or_default()], searchable(s)),
    }
}

/// Marks one post; `false` when a `hide` filter matches it (the caller leaves it out).
fn mark(active: &Active, s: &mut Status) -> bool {
    let (ids, text) = subject(s);
    let found = active.find(&ids, &text);
    if found.iter().any(|f| f.action == FilterAction::Hide) {
        return false;
    }
    if !found.is_empty() {
        let r = results(&found);
        if let Some(inner) = s.reblog.as_mut() {
            inner.filtered = r.clone();
        }
        s.filtered = r;
    }
    true
}

/// Applies `viewer`'s filters of `context` to posts: marks what warns, leaves out what hides.
pub async fn statuses(
    state: &AppState,
    viewer: Option<i64>,
    context: FilterContext,
    posts: &mut Vec<Status>,
) -> AppResult<()> {
    let Some(viewer) = viewer else { return Ok(()) };
    if posts.is_empty() {
        return Ok(());
    }
    let active = Active::load(state, viewer, context).await?;
    if active.is_empty() {
        return Ok(());
    }
    posts.retain_mut(|s| mark(&active, s));
    Ok(())
}

/// Marks a post asked for by itself (`GET /api/v1/statuses/:id`) as Mastodon does: with
/// every filter in force that matches it, whatever its context and action. It is never left
/// out: filters hide posts in lists (timelines, notifications, threads), and the app, which
/// asked for this one post, decides from `filtered` how to show it.
pub async fn single(state: &AppState, viewer: Option<i64>, s: &mut Status) -> AppResult<()> {
    let Some(viewer) = viewer else { return Ok(()) };
    let active = Active::load_any(state, viewer).await?;
    if active.is_empty() {
        return Ok(());
    }
    let (ids, text) = subject(s);
    let found = active.find(&ids, &text);
    if !found.is_empty() {
        let r = results(&found);
        if let Some(inner) = s.reblog.as_mut() {
            inner.filtered = r.clone();
        }
        s.filtered = r;
    }
    Ok(())
}

/// Applies `viewer`'s `notifications` filters to notifications about posts.
pub async fn notifications(
    state: &AppState,
    viewer: i64,
    items: &mut Vec<Notification>,
) -> AppResult<()> {
    if !items.iter().any(|n| n.status.is_some()) {
        return Ok(());
    }
    let active = Active::load(state, viewer, FilterContext::Notifications).await?;
    if active.is_empty() {
        return Ok(());
    }
    items.retain_mut(|n| match n.status.as_mut() {
        Some(s) => mark(&active, s),
        None => true,
    });
    Ok(())
}

/// A post's searchable text from its JSON (a stream's payload).
fn searchable_json(s: &Value) -> String {
    let field = |k: &str| s.get(k).and_then(Value::as_str).unwrap_or("");
    let mut text = format!(
        "{}\n\n{}",
        field("spoiler_text"),
        html::to_plain_text(field("content"))
    );
    for m in s
        .get("media_attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(d) = m.get("description").and_then(Value::as_str) {
            text.push_str("\n\n");
            text.push_str(d);
        }
    }
    text
}

/// What a viewer's filters make of a post's stream payload (rendered once for everyone):
/// `None` when a `hide` filter matches (the event is not sent), else the payload to send, with
/// `filtered` set when a filter matches.
pub fn payload(active: &Active, payload: &str) -> Option<Option<String>> {
    if active.is_empty() {
        return Some(None);
    }
    let Ok(mut post) = serde_json::from_str::<Value>(payload) else {
        return Some(None);
    };
    let id = |v: &Value| {
        v.get("id")
            .and_then(Value::as_str)
            .and_then(|i| i.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let (ids, text) = match post.get("reblog").filter(|r| r.is_object()) {
        Some(r) => (vec![id(&post), id(r)], searchable_json(r)),
        None => (vec![id(&post)], searchable_json(&post)),
    };
    let found = active.find(&ids, &text);
    if found.iter().any(|f| f.action == FilterAction::Hide) {
        return None;
    }
    if found.is_empty() {
        return Some(None);
    }
    let r = Value::Array(results(&found));
    if let Some(inner) = post.get_mut("reblog").filter(|r| r.is_object()) {
        inner["filtered"] = r.clone();
    }
    post["filtered"] = r;
    Some(Some(post.to_string()))
}
