//! Polls (docs.joinmastodon.org/methods/polls): the `poll` of a new post as apps send it,
//! the Poll entity, `GET /api/v1/polls/:id` and `POST /api/v1/polls/:id/votes`. The routes
//! of scheduled posts (`super::scheduled`) are merged here too.

use super::{
    extract::{Auth, MaybeAuth, Params, lenient},
    statuses::{me, parse_id, viewer},
};
use crate::{
    clock,
    domain::{Invalid, poll::NewPoll},
    error::AppResult,
    service::polls::{self, PollView},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The routes of polls and scheduled posts.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/polls/{id}", get(get_poll))
        .route("/api/v1/polls/{id}/votes", post(vote))
        .merge(super::scheduled::routes())
}

/// A poll as apps send it with a post: JSON (`"poll": {"options": [...]}`) or a form
/// (`poll[options][]=...&poll[expires_in]=...`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PollForm {
    #[serde(default, deserialize_with = "lenient::strings")]
    options: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    expires_in: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    multiple: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    hide_totals: bool,
    /// Anything else is refused (a poll's meaning must not be lost).
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, Value>,
}

impl PollForm {
    /// Whether this is the poll a post already has (apps send it again with an edit of the
    /// text): the same options and kind. Its duration and hidden totals are not compared, as
    /// Mastodon keeps the poll then; anything unknown in it is refused.
    pub fn is_unchanged(&self, options: &[(String, i64)], multiple: bool) -> AppResult<bool> {
        if let Some(name) = self.rest.keys().next() {
            return Err(crate::error::AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "error-status-param-unsupported",
            )
            .arg(
                "name",
                format!("poll[{}]", name.chars().take(64).collect::<String>()),
            ));
        }
        Ok(self.multiple == multiple
            && self.options.len() == options.len()
            && self
                .options
                .iter()
                .zip(options)
                .all(|(asked, (title, _))| asked.trim() == title))
    }

    /// The poll asked for; `None` when the app sent an empty `poll` (no options at all).
    pub fn parse(self) -> AppResult<Option<NewPoll>> {
        if let Some(name) = self.rest.keys().next() {
            return Err(crate::error::AppError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "error-status-param-unsupported",
            )
            .arg(
                "name",
                format!("poll[{}]", name.chars().take(64).collect::<String>()),
            ));
        }
        if self.options.is_empty() && self.expires_in.is_none() {
            return Ok(None);
        }
        let expires_in = match self.expires_in.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
                    .ok_or_else(|| Invalid::new("poll", "error-poll-expiry-missing"))?,
            ),
        };
        Ok(Some(NewPoll::parse(
            self.options,
            expires_in,
            self.multiple,
            self.hide_totals,
        )?))
    }
}

/// A poll option (docs.joinmastodon.org/entities/Poll/#Option).
#[derive(Debug, Clone, Serialize)]
pub struct PollOption {
    pub title: String,
    /// `null` while the totals are hidden.
    pub votes_count: Option<i64>,
}

/// A poll (docs.joinmastodon.org/entities/Poll).
#[derive(Debug, Clone, Serialize)]
pub struct Poll {
    pub id: String,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    pub emojis: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i64>>,
}

/// A poll view as the entity.
pub fn poll_entity(p: &PollView) -> Poll {
    Poll {
        id: p.row.status_id.to_string(),
        expires_at: p.row.expires_at.map(clock::to_rfc3339),
        expired: p.expired,
        multiple: p.row.multiple,
        votes_count: p.row.votes_count,
        voters_count: Some(p.row.voters_count),
        options: p
            .row
            .options
            .iter()
            .map(|(title, count)| PollOption {
                title: title.clone(),
                votes_count: p.totals_shown.then_some(*count),
            })
            .collect(),
        emojis: Vec::new(),
        voted: p.voted,
        own_votes: p.voted.map(|_| p.own_votes.clone()),
    }
}

/// `GET /api/v1/polls/:id`.
async fn get_poll(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Poll>> {
    let poll = polls::get(&state, viewer(&auth), parse_id(&id)?).await?;
    Ok(Json(poll_entity(&poll)))
}

#[derive(Deserialize)]
struct VoteForm {
    #[serde(default, deserialize_with = "choice_list")]
    choices: Vec<String>,
}

/// Choices as apps send them: numbers (JSON) or strings (forms), one or a list.
fn choice_list<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    use serde::de::Error;
    let one = |v: Value| match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(D::Error::custom(format!("expected a choice, got {other}"))),
    };
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.into_iter().map(one).collect(),
        Some(v) => Ok(vec![one(v)?]),
    }
}

/// `POST /api/v1/polls/:id/votes`.
async fn vote(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<VoteForm>,
) -> AppResult<Json<Poll>> {
    let me = me(&auth, &["write:statuses"])?;
    let choices = form
        .choices
        .iter()
        .map(|c| c.trim().parse::<i64>())
        .collect::<Result<Vec<i64>, _>>()
        .map_err(|_| Invalid::new("choices", "error-poll-unknown-choice"))?;
    let (_, poll) = polls::vote(&state, &me, parse_id(&id)?, &choices).await?;
    Ok(Json(poll_entity(&poll)))
}
