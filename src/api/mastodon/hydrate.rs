//! Turning stored rows into the API's JSON in batches: one query per kind of data for a whole
//! page (accounts, counts, mentions, tags, the viewer's likes and boosts), not one per post.

use super::entities::{Account, Mention, Notification, Relationship, Status, TagRef};
use crate::{
    clock,
    db::{self, accounts::AccountRow, social::NotificationRow, statuses::StatusRow},
    error::AppResult,
    service::{relationships, statuses as posts},
    state::AppState,
};
use std::collections::HashMap;

/// Accounts as API entities, with their counts, in the order given.
pub async fn accounts(state: &AppState, rows: &[AccountRow]) -> AppResult<Vec<Account>> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let stats: HashMap<i64, db::accounts::AccountStats> =
        db::accounts::stats_of(state.pool(), &ids)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let mut a = Account::from_row(state, row);
            if let Some(s) = stats.get(&row.id) {
                a.followers_count = s.followers;
                a.following_count = s.following;
                a.statuses_count = s.statuses;
                a.last_status_at = s.last_status_at.map(clock::to_date);
            }
            a
        })
        .collect())
}

/// One account as an API entity.
pub async fn account(state: &AppState, row: &AccountRow) -> AppResult<Account> {
    Ok(accounts(state, std::slice::from_ref(row)).await?.remove(0))
}

/// Posts as API entities, in the order given, as `viewer` sees them.
pub async fn statuses(
    state: &AppState,
    viewer: Option<i64>,
    rows: &[StatusRow],
) -> AppResult<Vec<Status>> {
    let original_ids: Vec<i64> = rows.iter().filter_map(|s| s.reblog_of_id).collect();
    let originals: HashMap<i64, StatusRow> = db::statuses::by_ids(state.pool(), &original_ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut all: Vec<&StatusRow> = rows.iter().collect();
    all.extend(originals.values());
    let status_ids: Vec<i64> = all.iter().map(|s| s.id).collect();

    let mentions = db::statuses::mentions_of(state.pool(), &status_ids).await?;
    let mut account_ids: Vec<i64> = all.iter().map(|s| s.account_id).collect();
    account_ids.extend(mentions.iter().map(|(_, a)| *a));
    account_ids.sort_unstable();
    account_ids.dedup();
    let account_rows = db::accounts::by_ids(state.pool(), &account_ids).await?;
    let account_map: HashMap<i64, Account> = accounts(state, &account_rows)
        .await?
        .into_iter()
        .map(|a| (a.id.parse::<i64>().unwrap_or_default(), a))
        .collect();
    let row_map: HashMap<i64, &AccountRow> = account_rows.iter().map(|a| (a.id, a)).collect();

    let counts: HashMap<i64, (i64, i64, i64)> = db::statuses::counts_of(state.pool(), &status_ids)
        .await?
        .into_iter()
        .map(|(id, r, b, f)| (id, (r, b, f)))
        .collect();
    let tags = db::statuses::tags_of(state.pool(), &status_ids).await?;
    let (favourited, reblogged) = match viewer {
        Some(v) => db::statuses::viewer_flags(state.pool(), v, &status_ids).await?,
        None => (Vec::new(), Vec::new()),
    };

    let build = |s: &StatusRow| -> Option<Status> {
        let account = account_map.get(&s.account_id)?.clone();
        let (replies, reblogs, favourites) = counts.get(&s.id).copied().unwrap_or_default();
        Some(Status {
            id: s.id.to_string(),
            created_at: clock::to_rfc3339(s.created_at),
            in_reply_to_id: s.in_reply_to_id.map(|i| i.to_string()),
            in_reply_to_account_id: s.in_reply_to_account_id.map(|i| i.to_string()),
            sensitive: s.sensitive != 0,
            spoiler_text: s.spoiler_text.clone(),
            visibility: s.visibility.clone(),
            language: s.language.clone(),
            uri: s.uri.clone(),
            url: s.url.clone(),
            replies_count: replies,
            reblogs_count: reblogs,
            favourites_count: favourites,
            edited_at: s.edited_at.map(clock::to_rfc3339),
            favourited: viewer.map(|_| favourited.contains(&s.id)),
            reblogged: viewer.map(|_| reblogged.contains(&s.id)),
            muted: viewer.map(|_| false),
            bookmarked: viewer.map(|_| false),
            pinned: viewer.map(|_| false),
            content: s.content.clone(),
            filtered: Vec::new(),
            reblog: None,
            application: None,
            account,
            media_attachments: Vec::new(),
            mentions: mentions
                .iter()
                .filter(|(sid, _)| *sid == s.id)
                .filter_map(|(_, aid)| {
                    let a = row_map.get(aid)?;
                    let entity = account_map.get(aid)?;
                    Some(Mention {
                        id: a.id.to_string(),
                        username: a.username.clone(),
                        url: posts::profile_url(state, a),
                        acct: entity.acct.clone(),
                    })
                })
                .collect(),
            tags: tags
                .iter()
                .filter(|(sid, _)| *sid == s.id)
                .map(|(_, name)| TagRef {
                    name: name.clone(),
                    url: posts::tag_url(state, name),
                })
                .collect(),
            emojis: Vec::new(),
            card: None,
            poll: None,
            text: None,
        })
    };

    Ok(rows
        .iter()
        .filter_map(|s| {
            let mut entity = build(s)?;
            if let Some(original) = s.reblog_of_id.and_then(|id| originals.get(&id)) {
                entity.reblog = Some(Box::new(build(original)?));
            }
            Some(entity)
        })
        .collect())
}

/// One post as an API entity.
pub async fn status(state: &AppState, viewer: Option<i64>, row: &StatusRow) -> AppResult<Status> {
    statuses(state, viewer, std::slice::from_ref(row))
        .await?
        .pop()
        .ok_or_else(crate::error::AppError::not_found)
}

/// A relationship as an API entity.
pub fn relationship(r: &relationships::Relationship) -> Relationship {
    Relationship {
        id: r.id.to_string(),
        following: r.following,
        showing_reblogs: r.following,
        notifying: false,
        languages: None,
        followed_by: r.followed_by,
        blocking: r.blocking,
        blocked_by: r.blocked_by,
        muting: false,
        muting_notifications: false,
        requested: r.requested,
        requested_by: r.requested_by,
        domain_blocking: false,
        endorsed: false,
        note: String::new(),
    }
}

/// Notifications as API entities.
pub async fn notifications(
    state: &AppState,
    viewer: i64,
    rows: &[NotificationRow],
) -> AppResult<Vec<Notification>> {
    let mut account_ids: Vec<i64> = rows.iter().map(|n| n.from_account_id).collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let account_rows = db::accounts::by_ids(state.pool(), &account_ids).await?;
    let account_map: HashMap<i64, Account> = accounts(state, &account_rows)
        .await?
        .into_iter()
        .map(|a| (a.id.parse::<i64>().unwrap_or_default(), a))
        .collect();
    let status_ids: Vec<i64> = rows.iter().filter_map(|n| n.status_id).collect();
    let status_rows = db::statuses::by_ids(state.pool(), &status_ids).await?;
    let status_map: HashMap<String, Status> = statuses(state, Some(viewer), &status_rows)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    Ok(rows
        .iter()
        .filter_map(|n| {
            Some(Notification {
                id: n.id.to_string(),
                kind: n.kind.clone(),
                created_at: clock::to_rfc3339(n.created_at),
                account: account_map.get(&n.from_account_id)?.clone(),
                status: n
                    .status_id
                    .and_then(|id| status_map.get(&id.to_string()).cloned()),
            })
        })
        .collect())
}
