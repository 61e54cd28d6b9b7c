//! Grouped notifications, the Mastodon API's v2 (docs.joinmastodon.org/methods/grouped_notifications):
//! a page of groups with the accounts and posts they name once each
//! (`GroupedNotificationsResults`), one group, its senders, dismissing it, the unread groups.

use super::{
    entities::{Account, Notification, Status},
    extract::{Auth, Params, lenient},
    hydrate,
    pagination::{PageParams, link, paged},
    statuses::me,
};
use crate::{
    clock,
    db::notification_groups::Filter,
    domain::{Invalid, NotificationKind},
    error::{AppError, AppResult},
    service::{
        directory,
        notification_groups::{self, Group, GroupQuery},
        notifications,
    },
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{Uri, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;

/// The routes of grouped notifications.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/notifications", get(list))
        .route("/api/v2/notifications/unread_count", get(unread_count))
        .route("/api/v2/notifications/{group_key}", get(one))
        .route("/api/v2/notifications/{group_key}/dismiss", post(dismiss))
        .route("/api/v2/notifications/{group_key}/accounts", get(accounts))
}

/// A group of notifications (docs.joinmastodon.org/entities/GroupedNotificationsResults).
#[derive(Debug, Serialize)]
pub struct NotificationGroup {
    pub group_key: String,
    pub notifications_count: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub most_recent_notification_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_min_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_max_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_page_notification_at: Option<String>,
    pub sample_account_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_id: Option<String>,
    /// coopol's, as in v1: the group concerned (a request to join it, or to be affiliated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Account>,
}

/// An account named by a group beyond the first, with `expand_accounts=partial_avatars`.
#[derive(Debug, Serialize)]
pub struct PartialAccountWithAvatar {
    pub id: String,
    pub acct: String,
    pub url: String,
    pub avatar: String,
    pub avatar_static: String,
    pub locked: bool,
    pub bot: bool,
}

/// A page of groups with what they name.
#[derive(Debug, Serialize)]
pub struct GroupedNotificationsResults {
    pub accounts: Vec<Account>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_accounts: Option<Vec<PartialAccountWithAvatar>>,
    pub statuses: Vec<Status>,
    pub notification_groups: Vec<NotificationGroup>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::strings")]
    types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    exclude_types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    expand_accounts: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_strings")]
    grouped_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::bool")]
    include_filtered: bool,
}

/// The kinds `types[]` and `exclude_types[]` leave. As in v1 (and Mastodon), names this
/// server does not have are ignored; asking only for those leaves none.
fn kinds(types: &[String], exclude_types: &[String]) -> Vec<NotificationKind> {
    let named = |names: &[String], k: NotificationKind| names.iter().any(|n| n == k.as_str());
    NotificationKind::ALL
        .into_iter()
        .filter(|k| types.is_empty() || named(types, *k))
        .filter(|k| !named(exclude_types, *k))
        .collect()
}

/// The kinds shown grouped: `grouped_types[]` among the groupable ones, all of them when
/// absent (an empty list groups none).
fn grouped(grouped_types: &Option<Vec<String>>) -> Vec<NotificationKind> {
    NotificationKind::GROUPABLE
        .into_iter()
        .filter(|k| {
            grouped_types
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == k.as_str()))
        })
        .collect()
}

fn sender(account_id: &Option<String>) -> AppResult<Option<i64>> {
    match account_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid(vec![Invalid::new("account_id", "error-number")])),
    }
}

/// Whether `expand_accounts` asks for partial accounts (`partial_avatars`) or full ones.
fn partial(expand_accounts: &Option<String>) -> AppResult<bool> {
    match expand_accounts.as_deref() {
        None | Some("") | Some("full") => Ok(false),
        Some("partial_avatars") => Ok(true),
        Some(_) => Err(AppError::invalid(vec![Invalid::new(
            "expand_accounts",
            "error-expand-accounts",
        )])),
    }
}

/// `GET /api/v2/notifications`.
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:notifications"])?;
    let query = GroupQuery {
        filter: Filter {
            kinds: kinds(&q.types, &q.exclude_types),
            from_account: sender(&q.account_id)?,
            // The notifications waiting in requests (notification policy) only when asked.
            include_filtered: q.include_filtered,
        },
        grouped: grouped(&q.grouped_types),
    };
    let partial = partial(&q.expand_accounts)?;
    let page = q.page.page_within(40, 80)?;
    let groups = notification_groups::page(&state, me.id, &query, page).await?;
    let body = results(&state, me.id, &groups.groups, partial).await?;
    let mut response = Json(body).into_response();
    if let Some((newest, oldest)) = groups.bounds
        && let Some(v) = link(&state, &uri, newest, oldest)
    {
        response.headers_mut().insert(header::LINK, v);
    }
    Ok(response)
}

/// The groups with the accounts and posts they name, each once.
async fn results(
    state: &AppState,
    me: i64,
    groups: &[Group],
    partial: bool,
) -> AppResult<GroupedNotificationsResults> {
    let rows: Vec<_> = groups.iter().map(|g| g.notification.clone()).collect();
    // The v1 entities of the notifications shown: their sender, post and group, loaded in
    // one batch as v1 loads them.
    let shown: Vec<Notification> = hydrate::notifications(state, me, &rows).await?;
    let mut statuses: Vec<Status> = Vec::new();
    let mut status_ids = HashSet::new();
    for n in &shown {
        if let Some(s) = &n.status
            && status_ids.insert(s.id.clone())
        {
            statuses.push(s.clone());
        }
    }
    // Every sample account, in the order first named.
    let mut ids: Vec<i64> = Vec::new();
    let mut firsts: HashSet<i64> = HashSet::new();
    for g in groups {
        if let Some(first) = g.sample_account_ids.first() {
            firsts.insert(*first);
        }
        for id in &g.sample_account_ids {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
    }
    let loaded = directory::by_ids(state, &ids).await?;
    let entities = hydrate::accounts(state, &loaded).await?;
    let (mut accounts, mut partials) = (Vec::new(), Vec::new());
    for a in entities {
        let first = a.id.parse().is_ok_and(|id: i64| firsts.contains(&id));
        if partial && !first {
            partials.push(PartialAccountWithAvatar {
                id: a.id,
                acct: a.acct,
                url: a.url,
                avatar: a.avatar,
                avatar_static: a.avatar_static,
                locked: a.locked,
                bot: a.bot,
            });
        } else {
            accounts.push(a);
        }
    }
    let by_id: std::collections::HashMap<String, Notification> =
        shown.into_iter().map(|n| (n.id.clone(), n)).collect();
    let notification_groups = groups
        .iter()
        .filter_map(|g| {
            // A notification whose sender is gone is not shown, as in v1.
            let n = by_id.get(&g.notification.id.to_string())?;
            Some(NotificationGroup {
                group_key: g.key.clone(),
                notifications_count: g.count,
                kind: g.notification.kind.as_str(),
                most_recent_notification_id: g.most_recent_id.to_string(),
                page_min_id: g.page.map(|(min, _)| min.to_string()),
                page_max_id: g.page.map(|(_, max)| max.to_string()),
                latest_page_notification_at: g.page.map(|_| clock::to_rfc3339(g.latest_at)),
                sample_account_ids: g.sample_account_ids.iter().map(i64::to_string).collect(),
                status_id: n.status.as_ref().map(|s| s.id.clone()),
                group: n.group.clone(),
            })
        })
        .collect();
    Ok(GroupedNotificationsResults {
        accounts,
        partial_accounts: partial.then_some(partials),
        statuses,
        notification_groups,
    })
}

/// `GET /api/v2/notifications/:group_key`: one group, whole.
pub async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> AppResult<Json<GroupedNotificationsResults>> {
    let me = me(&auth, &["read:notifications"])?;
    let group = notification_groups::get(&state, me.id, &key).await?;
    let body = results(&state, me.id, std::slice::from_ref(&group), false).await?;
    if body.notification_groups.is_empty() {
        return Err(AppError::not_found());
    }
    Ok(Json(body))
}

/// `POST /api/v2/notifications/:group_key/dismiss`.
pub async fn dismiss(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["write:notifications"])?;
    notification_groups::dismiss(&state, me.id, &key).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(flatten)]
    page: PageParams,
}

/// `GET /api/v2/notifications/:group_key/accounts`: who sent the group's notifications,
/// newest first, paged by notification with a `Link` header.
pub async fn accounts(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Path(key): Path<String>,
    Params(q): Params<PageQuery>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:notifications"])?;
    let page = q.page.page_within(40, 80)?;
    let rows = notification_groups::senders(&state, me.id, &key, page).await?;
    let ids: Vec<i64> = rows.iter().map(|(_, a)| *a).collect();
    let mut found: std::collections::HashMap<i64, _> = directory::by_ids(&state, &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let ordered: Vec<_> = ids.iter().filter_map(|id| found.remove(id)).collect();
    let entities = hydrate::accounts(&state, &ordered).await?;
    Ok(paged(
        &state,
        &uri,
        entities,
        rows.first().map(|r| r.0),
        rows.last().map(|r| r.0),
    ))
}

#[derive(Deserialize)]
pub struct UnreadQuery {
    #[serde(default, deserialize_with = "lenient::strings")]
    types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    exclude_types: Vec<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_strings")]
    grouped_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v2/notifications/unread_count`: the groups the notifications past the
/// `notifications` marker make, counted up to `limit` (100 by default, 1000 at most).
pub async fn unread_count(
    State(state): State<AppState>,
    auth: Auth,
    Params(q): Params<UnreadQuery>,
) -> AppResult<Json<Value>> {
    let me = me(&auth, &["read:notifications"])?;
    let limit = match q.limit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 100,
        Some(l) => l
            .parse::<i64>()
            .map_err(|_| AppError::invalid(vec![Invalid::new("limit", "error-number")]))?,
    }
    .clamp(1, notifications::UNREAD_CAP);
    let query = GroupQuery {
        filter: Filter {
            kinds: kinds(&q.types, &q.exclude_types),
            from_account: sender(&q.account_id)?,
            include_filtered: false,
        },
        grouped: grouped(&q.grouped_types),
    };
    let count = notification_groups::unread_count(&state, me.id, &query, limit).await?;
    Ok(Json(json!({ "count": count })))
}
