//! Read models: posts and accounts with everything shown next to them (author, counts,
//! mentions, hashtags, what the viewer did), loaded in batches: one query per kind of data for
//! a whole page, not one per post. The Mastodon API turns them into JSON, the web interface
//! into HTML.

use crate::{
    db::{
        self,
        accounts::{AccountRow, AccountStats},
        social::NotificationRow,
        statuses::{StatusCounts, StatusRow},
    },
    error::AppResult,
    state::AppState,
};
use std::collections::HashMap;

/// An account and its numbers.
#[derive(Debug, Clone)]
pub struct AccountView {
    /// The account.
    pub row: AccountRow,
    /// Followers, following, posts, last post.
    pub stats: Option<AccountStats>,
}

/// A post as shown.
#[derive(Debug, Clone)]
pub struct StatusView {
    /// The post (or boost).
    pub row: StatusRow,
    /// Its author (or booster).
    pub author: AccountView,
    /// Answers.
    pub replies: i64,
    /// Boosts.
    pub reblogs: i64,
    /// Likes.
    pub favourites: i64,
    /// Whether the viewer liked it (`None` without a viewer).
    pub favourited: Option<bool>,
    /// Whether the viewer boosted it.
    pub reblogged: Option<bool>,
    /// Accounts it mentions.
    pub mentions: Vec<AccountRow>,
    /// Its hashtags.
    pub tags: Vec<String>,
    /// Its attachments, in order (ready media only).
    pub media: Vec<crate::db::media::MediaRow>,
    /// The preview of its first link, when fetched.
    pub card: Option<crate::service::cards::Card>,
    /// Its poll, as the viewer sees it.
    pub poll: Option<crate::service::polls::PollView>,
    /// For a boost, the boosted post.
    pub reblog: Option<Box<StatusView>>,
    /// What the viewer did from the statuses menu (bookmarked, pinned, thread muted).
    pub menu: super::statuses::menu::Marks,
    /// For an event's post, the event with its fill and the viewer's participation.
    pub event: Option<super::events::PostEvent>,
}

impl StatusView {
    /// The post to show for this entry: the boosted one for a boost.
    pub fn shown(&self) -> &StatusView {
        self.reblog.as_deref().unwrap_or(self)
    }
}

/// Accounts with their numbers, in the order given.
pub async fn accounts(state: &AppState, rows: &[AccountRow]) -> AppResult<Vec<AccountView>> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let mut stats: HashMap<i64, AccountStats> = db::accounts::stats_of(state.pool(), &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(rows
        .iter()
        .map(|row| AccountView {
            stats: stats.remove(&row.id),
            row: row.clone(),
        })
        .collect())
}

/// Accounts by ids with their numbers, in one query, by id.
async fn accounts_by_ids(state: &AppState, ids: &[i64]) -> AppResult<HashMap<i64, AccountView>> {
    Ok(db::accounts::with_stats_by_ids(state.pool(), ids)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.account.id,
                AccountView {
                    row: a.account,
                    stats: Some(a.stats),
                },
            )
        })
        .collect())
}

/// Posts as `viewer` sees them, in the order given.
pub async fn statuses(
    state: &AppState,
    viewer: Option<i64>,
    rows: &[StatusRow],
) -> AppResult<Vec<StatusView>> {
    let original_ids: Vec<i64> = rows.iter().filter_map(|s| s.reblog_of_id).collect();
    let originals: HashMap<i64, StatusRow> = db::statuses::by_ids(state.pool(), &original_ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut all: Vec<&StatusRow> = rows.iter().collect();
    all.extend(originals.values());
    let status_ids: Vec<i64> = all.iter().map(|s| s.id).collect();

    // Independent reads at once, each on its own connection: a page waits for the
    // slowest instead of their sum (round trips over the network on PostgreSQL).
    let people = async {
        let mentions = db::statuses::mentions_of(state.pool(), &status_ids).await?;
        let mut account_ids: Vec<i64> = all.iter().map(|s| s.account_id).collect();
        account_ids.extend(mentions.iter().map(|(_, a)| *a));
        account_ids.sort_unstable();
        account_ids.dedup();
        let account_views = accounts_by_ids(state, &account_ids).await?;
        AppResult::Ok((mentions, account_views))
    };
    let counts = async {
        let counts =
            db::statuses::counts_of(state.pool(), viewer.unwrap_or(0), &status_ids).await?;
        AppResult::Ok(
            counts
                .into_iter()
                .map(|c| (c.id, c))
                .collect::<HashMap<i64, StatusCounts>>(),
        )
    };
    // Hashtags, then attachments, then link previews, on the third connection.
    let tags = async {
        let tags = db::statuses::tags_of(state.pool(), &status_ids).await?;
        let media = crate::service::media::of_statuses(state, &status_ids).await?;
        let cards = crate::service::cards::of_statuses(state, &status_ids).await?;
        let polls = crate::service::polls::of_statuses(state, viewer, &status_ids).await?;
        AppResult::Ok((tags, media, cards, polls))
    };
    let menu = super::statuses::menu::viewer_marks(state, viewer, &status_ids);
    let events = super::events::of_statuses(state, viewer, &status_ids);
    let ((mentions, account_views), counts, (tags, media, cards, polls), menu, events) =
        tokio::try_join!(people, counts, tags, menu, events)?;

    let build = |s: &StatusRow| -> Option<StatusView> {
        let c = counts.get(&s.id).copied().unwrap_or_default();
        Some(StatusView {
            row: s.clone(),
            author: account_views.get(&s.account_id)?.clone(),
            replies: c.replies,
            reblogs: c.reblogs,
            favourites: c.favourites,
            favourited: viewer.map(|_| c.favourited > 0),
            reblogged: viewer.map(|_| c.reblogged > 0),
            mentions: mentions
                .iter()
                .filter(|(sid, _)| *sid == s.id)
                .filter_map(|(_, aid)| account_views.get(aid).map(|a| a.row.clone()))
                .collect(),
            tags: tags
                .iter()
                .filter(|(sid, _)| *sid == s.id)
                .map(|(_, name)| name.clone())
                .collect(),
            media: media.get(&s.id).cloned().unwrap_or_default(),
            card: cards.get(&s.id).cloned(),
            poll: polls.get(&s.id).cloned(),
            reblog: None,
            menu: menu.of(viewer, s),
            event: events.get(&s.id).cloned(),
        })
    };

    Ok(rows
        .iter()
        .filter_map(|s| {
            let mut view = build(s)?;
            if let Some(original) = s.reblog_of_id.and_then(|id| originals.get(&id)) {
                view.reblog = Some(Box::new(build(original)?));
            }
            Some(view)
        })
        .collect())
}

/// A notification as shown.
#[derive(Debug, Clone)]
pub struct NotificationView {
    /// The notification.
    pub row: NotificationRow,
    /// Who caused it.
    pub from: AccountView,
    /// The post concerned.
    pub status: Option<StatusView>,
    /// The group concerned (a request to join it or to be affiliated with it).
    pub group: Option<AccountView>,
}

/// Notifications as `viewer` sees them.
pub async fn notifications(
    state: &AppState,
    viewer: i64,
    rows: &[NotificationRow],
) -> AppResult<Vec<NotificationView>> {
    let mut account_ids: Vec<i64> = rows
        .iter()
        .flat_map(|n| std::iter::once(n.from_account_id).chain(n.group_account_id))
        .collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let account_views = accounts_by_ids(state, &account_ids).await?;
    let status_ids: Vec<i64> = rows.iter().filter_map(|n| n.status_id).collect();
    let status_rows = db::statuses::by_ids(state.pool(), &status_ids).await?;
    let status_views: HashMap<i64, StatusView> = statuses(state, Some(viewer), &status_rows)
        .await?
        .into_iter()
        .map(|s| (s.row.id, s))
        .collect();
    Ok(rows
        .iter()
        .filter_map(|n| {
            Some(NotificationView {
                row: n.clone(),
                from: account_views.get(&n.from_account_id)?.clone(),
                status: n.status_id.and_then(|id| status_views.get(&id).cloned()),
                group: n
                    .group_account_id
                    .and_then(|id| account_views.get(&id).cloned()),
            })
        })
        .collect())
}
