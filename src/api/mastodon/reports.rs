//! Reports (docs.joinmastodon.org/methods/reports, entities/Report): `POST /api/v1/reports`.
//! The moderation queue's side is `admin_reports`.

use super::extract::{Auth, Params, lenient};
use super::{entities::Account, hydrate};
use crate::{
    clock,
    db::reports::ReportRow,
    error::AppResult,
    service::reports::{self, NewReport},
    state::AppState,
};
use axum::{Json, Router, extract::State, routing::post};
use serde::{Deserialize, Deserializer, Serialize, de::Error};
use serde_json::Value;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports", post(create))
        // Mastodon.py posts to /api/v1/reports/ with a trailing slash: both forms answer.
        .route("/api/v1/reports/", post(create))
        .merge(super::admin_reports::routes())
}

/// A report as its author sees it (Mastodon's `Report`).
#[derive(Debug, Serialize)]
pub struct Report {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: String,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub status_ids: Option<Vec<String>>,
    pub rule_ids: Option<Vec<String>>,
    pub target_account: Account,
}

/// The entity of a report, with its posts' and rules' ids.
pub fn entity(r: &ReportRow, status_ids: &[i64], rule_ids: &[i64], target: Account) -> Report {
    let ids = |v: &[i64]| (!v.is_empty()).then(|| v.iter().map(i64::to_string).collect());
    Report {
        id: r.id.to_string(),
        action_taken: r.action_taken_at.is_some(),
        action_taken_at: r.action_taken_at.map(clock::to_rfc3339),
        category: r.category.as_str().to_string(),
        comment: r.comment.clone(),
        forwarded: r.forwarded != 0,
        created_at: clock::to_rfc3339(r.created_at),
        status_ids: ids(status_ids),
        rule_ids: ids(rule_ids),
        target_account: target,
    }
}

/// Ids as apps send them: strings or numbers, one or a list.
pub(super) fn id_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let one = |v: Value| match v {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(D::Error::custom(format!("expected an id, got {other}"))),
    };
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.into_iter().map(one).collect(),
        Some(v) => Ok(vec![one(v)?]),
    }
}

#[derive(Debug, Default, Deserialize)]
struct CreateParams {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "id_list")]
    status_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    comment: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    category: Option<String>,
    #[serde(default, deserialize_with = "id_list")]
    rule_ids: Vec<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    forward: bool,
    #[serde(default, deserialize_with = "lenient::opt_strings")]
    forward_to_domains: Option<Vec<String>>,
}

/// `POST /api/v1/reports`: reports an account and some of its posts to this server's
/// moderators (404 for an unknown account or a post the reporter may not see; 422 for a post
/// of someone else, an unknown rule or category, a comment over 1,000 characters).
async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Params(p): Params<CreateParams>,
) -> AppResult<Json<Report>> {
    let me = auth.require_user(&["write", "write:reports"])?;
    let input = NewReport {
        account_id: p.account_id.unwrap_or_default(),
        status_ids: p.status_ids,
        comment: p.comment.unwrap_or_default(),
        category: p.category,
        rule_ids: p.rule_ids,
        forward: p.forward,
        forward_to_domains: p.forward_to_domains,
    };
    let row = reports::create(&state, me, &input).await?;
    let status_ids = reports::status_ids(&state, row.id).await?;
    let rule_ids = reports::rule_ids(&state, row.id).await?;
    let target = crate::service::directory::existing(&state, row.target_account_id).await?;
    let target = hydrate::account(&state, &target).await?;
    Ok(Json(entity(&row, &status_ids, &rule_ids, target)))
}
