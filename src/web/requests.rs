//! The notification requests page (`/notifications/requests`): who may notify the person (their
//! notification policy, Mastodon 4.3's), and what that policy set aside, sender by sender, to
//! accept (the notifications join the list, and the sender's next ones come through) or to
//! dismiss (they are deleted). The Mastodon API serves the same under
//! `/api/v2/notifications/policy` and `/api/v1/notifications/requests`.

use super::{Ctx, form::CsrfForm, redirect_with_flash};
use crate::{
    db::{notification_policy::RequestRow, statuses::Page},
    domain::notification_policy::{NotificationPolicy, PolicyAction},
    error::{AppError, AppResult},
    service::{
        notification_policy::{self as policies, Summary},
        views::{self, AccountView, StatusView},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use std::collections::HashMap;

/// One sender's request, as the page shows it.
pub struct RequestItem {
    /// The request.
    pub row: RequestRow,
    /// Its sender.
    pub from: AccountView,
    /// The post of its newest notification about one, if any.
    pub status: Option<StatusView>,
}

/// The policy's fields in the order the page lists them, with their current action.
pub struct PolicyField {
    /// The form field (Mastodon's name).
    pub name: &'static str,
    /// What the person chose.
    pub action: PolicyAction,
}

#[derive(Template)]
#[template(path = "notification_requests.html")]
struct RequestsPage {
    c: Ctx,
    fields: Vec<PolicyField>,
    summary: Summary,
    items: Vec<RequestItem>,
    older: Option<i64>,
}

impl RequestsPage {
    fn actions(&self) -> [PolicyAction; 3] {
        [
            PolicyAction::Accept,
            PolicyAction::Filter,
            PolicyAction::Drop,
        ]
    }
}

fn fields_of(p: &NotificationPolicy) -> Vec<PolicyField> {
    [
        ("for_not_following", p.for_not_following),
        ("for_not_followers", p.for_not_followers),
        ("for_new_accounts", p.for_new_accounts),
        ("for_private_mentions", p.for_private_mentions),
        ("for_limited_accounts", p.for_limited_accounts),
    ]
    .into_iter()
    .map(|(name, action)| PolicyField { name, action })
    .collect()
}

/// `?max_id=` for the next (older) page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OlderQuery {
    max_id: Option<i64>,
}

/// How many requests a page shows.
const PER_PAGE: i64 = 20;

/// `GET /notifications/requests`.
pub async fn page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<OlderQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    let rows = policies::requests(
        &state,
        me.id,
        Page {
            max_id: q.max_id,
            limit: PER_PAGE,
            ..Page::default()
        },
    )
    .await?;
    let (senders, posts) = policies::senders_and_posts(&state, &rows).await?;
    let senders: HashMap<i64, AccountView> = views::accounts(&state, &senders)
        .await?
        .into_iter()
        .map(|a| (a.row.id, a))
        .collect();
    let mut posts: HashMap<i64, StatusView> = views::statuses(&state, Some(me.id), &posts)
        .await?
        .into_iter()
        .map(|s| (s.row.id, s))
        .collect();
    let older = (rows.len() as i64 >= PER_PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let items = rows
        .into_iter()
        .filter_map(|row| {
            let from = senders.get(&row.from_account_id)?.clone();
            let status = row.last_status_id.and_then(|id| posts.remove(&id));
            Some(RequestItem { row, from, status })
        })
        .collect();
    Ok(super::render(&RequestsPage {
        fields: fields_of(&policies::policy(&state, me.id).await?),
        summary: policies::summary(&state, me.id).await?,
        items,
        older,
        c,
    }))
}

/// `POST /notifications/policy`: every field of the policy; a field the page does not have,
/// one missing, or a value other than accept, filter or drop is refused and nothing is saved.
pub async fn set_policy(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = c.me()?;
    let mut chosen: HashMap<&'static str, PolicyAction> = HashMap::new();
    let known = fields_of(&NotificationPolicy::default());
    for (name, value) in form.iter().filter(|(name, _)| name != "csrf") {
        let field = known
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| AppError::bad_request("error-form-field"))?;
        let action = PolicyAction::parse(field.name, value)
            .map_err(|_| AppError::bad_request("error-form-field"))?;
        chosen.insert(field.name, action);
    }
    let get = |name: &str| {
        chosen
            .get(name)
            .copied()
            .ok_or_else(|| AppError::bad_request("error-form-field"))
    };
    let policy = NotificationPolicy {
        for_not_following: get("for_not_following")?,
        for_not_followers: get("for_not_followers")?,
        for_new_accounts: get("for_new_accounts")?,
        for_private_mentions: get("for_private_mentions")?,
        for_limited_accounts: get("for_limited_accounts")?,
    };
    policies::set_policy(&state, me.id, &policy).await?;
    Ok(redirect_with_flash(
        &state,
        "/notifications/requests",
        "flash-policy-saved",
    ))
}

/// `POST /notifications/requests/:id/:action`: `accept` or `dismiss` one of the person's
/// requests; anyone else's, or an unknown one, is 404.
pub async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = c.me()?;
    let flash = match action.as_str() {
        "accept" => {
            policies::accept(&state, me.id, id).await?;
            "flash-notification-request-accepted"
        }
        "dismiss" => {
            policies::dismiss(&state, me.id, id).await?;
            "flash-notification-request-dismissed"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(
        &state,
        "/notifications/requests",
        flash,
    ))
}
