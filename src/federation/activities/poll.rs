//! Polls as ActivityPub writes them (Mastodon's way): a post with a poll is a `Question`
//! whose `oneOf` (one choice) or `anyOf` (several) lists its options, each a `Note` with a
//! `name` and `replies: {type: Collection, totalItems}`, with `endTime`, `closed` once over
//! and `votersCount`. A vote is a `Create` of a `Note` whose `name` is an option's,
//! `inReplyTo` the poll, without content, addressed to the poll's author: one per choice.

use super::Prepared;
use super::audience::account;
use super::post::create_or_update;
use crate::{
    clock, db,
    domain::poll::{MAX_REMOTE_OPTIONS, RemotePoll, clamp_remote_count, cut_remote_option},
    error::AppResult,
    federation::{
        protocol::{self, Activity},
        receive::{Failure, Outcome},
    },
    service::{outgoing::Outgoing, polls},
    state::AppState,
};
use serde_json::{Value, json};

/// Makes a local post's object a `Question` when the post has a poll. Counts of a poll that
/// hides them stay 0 until its end (its author asked that nobody sees them before).
pub(in crate::federation) async fn with_poll(
    state: &AppState,
    mut object: Value,
    status_id: i64,
) -> AppResult<Value> {
    let Some(poll) = db::polls::of_status(state.pool(), status_id).await? else {
        return Ok(object);
    };
    if object["type"] != "Note" {
        return Ok(object);
    }
    let now = clock::now();
    let over = poll.closed_at.is_some() || poll.expires_at.is_some_and(|e| e <= now);
    let shown = !poll.hide_totals || over;
    let options: Vec<Value> = poll
        .options
        .iter()
        .map(|(title, votes)| {
            json!({
                "type": "Note",
                "name": title,
                "replies": {"type": "Collection", "totalItems": if shown { *votes } else { 0 }},
            })
        })
        .collect();
    object["type"] = json!("Question");
    object[if poll.multiple { "anyOf" } else { "oneOf" }] = json!(options);
    if let Some(end) = poll.expires_at {
        object["endTime"] = json!(clock::to_rfc3339(end));
    }
    if let Some(closed) = poll.closed_at {
        object["closed"] = json!(clock::to_rfc3339(closed));
    }
    object["votersCount"] = json!(if shown { poll.voters_count } else { 0 });
    Ok(object)
}

/// Why a `Question`'s poll is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// More options than [`MAX_REMOTE_OPTIONS`].
    TooManyOptions(usize),
    /// Options that are not a list of named `Note`s, or none.
    Malformed,
}

/// A count as another server writes it: a number (or a numeric string), clamped.
fn count(v: &Value) -> i64 {
    let n = match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .map(|f| f.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
        }),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    clamp_remote_count(n.unwrap_or(0))
}

/// A time as another server writes it (RFC 3339), in Unix microseconds.
fn time(v: &Value) -> Option<i64> {
    let text = v.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.timestamp_micros())
}

/// The poll of another server's `Question`: `None` when the object is no `Question` or has
/// no options list; an error when its options are beyond the bounds (the post is then kept
/// as its text, without a poll).
pub fn read(note: &protocol::Note) -> Option<Result<RemotePoll, Unreadable>> {
    if note.kind != "Question" {
        return None;
    }
    let (list, multiple) = match (&note.one_of, &note.any_of) {
        (Some(l), _) if !l.is_null() => (l, false),
        (_, Some(l)) if !l.is_null() => (l, true),
        _ => return None,
    };
    Some(options(list).map(|options| {
        let sum: i64 = options.iter().map(|(_, c)| *c).sum();
        let voters = note.voters_count.as_ref().map(count);
        RemotePoll {
            expires_at: note.end_time.map(|t| t.timestamp_micros()),
            closed_at: note.closed.as_ref().and_then(|c| match c {
                Value::Bool(true) => Some(clock::now()),
                other => time(other),
            }),
            // Without `votersCount`, a single-choice poll has as many voters as votes.
            voters_count: voters
                .unwrap_or(if multiple { 0 } else { sum })
                .min(crate::domain::poll::MAX_REMOTE_COUNT),
            options,
            multiple,
        }
    }))
}

/// The options of a `oneOf`/`anyOf` list: names cut to the bound, counts clamped.
fn options(list: &Value) -> Result<Vec<(String, i64)>, Unreadable> {
    let items: Vec<&Value> = match list {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![list],
        _ => return Err(Unreadable::Malformed),
    };
    if items.len() > MAX_REMOTE_OPTIONS {
        return Err(Unreadable::TooManyOptions(items.len()));
    }
    let mut options = Vec::with_capacity(items.len());
    for item in items {
        let Some(name) = item.get("name").and_then(Value::as_str) else {
            return Err(Unreadable::Malformed);
        };
        let votes = item
            .get("replies")
            .and_then(|r| r.get("totalItems"))
            .map(count)
            .unwrap_or(0);
        options.push((cut_remote_option(name), votes));
    }
    if options.is_empty() {
        return Err(Unreadable::Malformed);
    }
    Ok(options)
}

/// Keeps the poll of another server's post (created, updated or fetched), when it has one
/// within the bounds.
pub(crate) async fn store_remote(
    state: &AppState,
    note: &protocol::Note,
    row: &db::statuses::StatusRow,
) -> AppResult<()> {
    match read(note) {
        Some(Ok(poll)) if row.local == 0 => polls::store_remote(state, row.id, &poll).await,
        Some(Err(why)) => {
            tracing::debug!(uri = %note.id, ?why, "poll not kept");
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether an object is shaped as a vote: a `Note` with a `name`, answering a post, without
/// content (it is then never stored as a post of the bulk inbox path).
pub fn looks_like_vote(note: &protocol::Note) -> bool {
    note.kind == "Note"
        && note.name.as_deref().is_some_and(|n| !n.trim().is_empty())
        && note.in_reply_to.is_some()
        && note.content.as_deref().is_none_or(|c| c.trim().is_empty())
}

/// A vote in one of our polls, when the `Note` is one: `None` when it answers no poll (it is
/// then an ordinary post). A refused vote, or one in another server's poll, is ignored: a
/// vote is never stored as a post.
pub(super) async fn received(
    state: &AppState,
    voter: &db::accounts::AccountRow,
    note: &protocol::Note,
) -> Result<Option<Outcome>, Failure> {
    if !looks_like_vote(note) {
        return Ok(None);
    }
    let Some(parent) = &note.in_reply_to else {
        return Ok(None);
    };
    let Some(status) = db::statuses::by_uri(state.pool(), parent.as_str()).await? else {
        return Ok(None);
    };
    if db::polls::of_status(state.pool(), status.id)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    if status.local == 0 {
        return Ok(Some(Outcome::Ignored(
            "a vote in another server's poll is its server's",
        )));
    }
    let name = note.name.as_deref().unwrap_or_default();
    Ok(Some(
        match polls::vote_from_elsewhere(state, voter, &status, name, note.id.as_str()).await? {
            Ok(()) => Outcome::Applied("vote counted"),
            Err(why) => Outcome::Ignored(why.reason()),
        },
    ))
}

/// A person here's vote in another server's poll: one `Create(Note)` per choice, to the
/// poll's author only.
pub(super) async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Vec<Prepared>> {
    let Outgoing::PollVote {
        status_id,
        account_id,
    } = outgoing
    else {
        return Ok(Vec::new());
    };
    let (Some(status), Some(voter)) = (
        db::statuses::by_id(state.pool(), *status_id).await?,
        account(state, *account_id).await?,
    ) else {
        return Ok(Vec::new());
    };
    let (Some(author), Some(poll)) = (
        db::accounts::by_id(state.pool(), status.account_id).await?,
        db::polls::of_status(state.pool(), status.id).await?,
    ) else {
        return Ok(Vec::new());
    };
    let Some(inbox) = author.inbox_url.clone() else {
        return Ok(Vec::new());
    };
    let mut prepared = Vec::new();
    for (position, uri) in db::polls::votes_of(state.pool(), status.id, voter.id).await? {
        let Some((name, _)) = poll.options.get(position as usize) else {
            continue;
        };
        let note = json!({
            "id": uri,
            "type": "Note",
            "name": name,
            "attributedTo": voter.uri,
            "inReplyTo": status.uri,
            "to": [author.uri],
            "cc": [],
        });
        let activity: Activity = create_or_update("Create", note)?;
        prepared.push(Prepared {
            actor_id: voter.id,
            body: activity.to_json(),
            inboxes: vec![inbox.clone()],
        });
    }
    Ok(prepared)
}
