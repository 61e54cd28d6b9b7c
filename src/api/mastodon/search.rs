//! `GET /api/v2/search`: accounts, posts and hashtags; with `resolve=true` (signed in), a
//! handle (`@name@domain`) or a URL is fetched from its server when not known here.

use super::{
    entities::Tag,
    extract::{MaybeAuth, Params, lenient},
    hydrate,
    statuses::viewer,
};
use crate::{
    db::{accounts::AccountRow, statuses::StatusRow},
    error::AppResult,
    federation,
    service::{directory, statuses as posts, timelines},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    resolve: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v2/search`.
pub async fn search(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Params(q): Params<Query>,
) -> AppResult<Json<Value>> {
    let viewer = viewer(&auth);
    let limit = timelines::limit(q.limit.as_deref().and_then(|l| l.parse().ok()));
    let wants = |k: &str| q.kind.as_deref().is_none_or(|t| t.is_empty() || t == k);
    let mut accounts: Vec<AccountRow> = Vec::new();
    let mut statuses: Vec<StatusRow> = Vec::new();
    let term = q.q.trim();

    if q.resolve && viewer.is_some() {
        match federation::resolve(&state, term).await {
            Ok(Some(federation::Resolved::Account(a))) => accounts.push(*a),
            Ok(Some(federation::Resolved::Status(s))) => {
                if posts::can_see(&state, viewer, &s).await? {
                    statuses.push(*s);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(query = term, error = %e, "search: not resolved"),
        }
    } else if term.starts_with("http://") || term.starts_with("https://") {
        if let Some(s) = posts::visible_by_uri(&state, viewer, term).await? {
            statuses.push(s);
        }
        if let Some(a) = directory::by_uri(&state, term).await? {
            accounts.push(a);
        }
    }
    let (plain, _) = crate::domain::handle_parts(term);
    if wants("accounts") && !plain.is_empty() && !plain.contains('/') {
        let name = plain.split('@').next().unwrap_or(plain);
        for a in directory::search(&state, name, limit).await? {
            if !accounts.iter().any(|f| f.id == a.id) {
                accounts.push(a);
            }
        }
    }
    accounts.retain(|a| a.deleted_at.is_none());
    accounts.truncate(limit as usize);
    let tags: Vec<Tag> = if wants("hashtags") && !term.is_empty() && !term.contains('/') {
        let names = posts::search_tags(&state, term.trim_start_matches('#'), limit).await?;
        crate::service::tags::infos(&state, viewer, names)
            .await?
            .into_iter()
            .map(|t| super::tags::entity(&state, t))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(json!({
        "accounts": if wants("accounts") { json!(hydrate::accounts(&state, &accounts).await?) } else { json!([]) },
        "statuses": if wants("statuses") { json!(hydrate::statuses(&state, viewer, &statuses).await?) } else { json!([]) },
        "hashtags": tags,
    })))
}
