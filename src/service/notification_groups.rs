//! Grouped notifications (the Mastodon API's v2, as Mastodon 4.3 pages them): a page is the
//! newest `limit` groups, each shown by its newest notification in the range asked, with how
//! many notifications it holds within the page, who sent the newest of them and the page's
//! bounds. Likes and boosts of one post, new followers, and sign-ups to or departures from
//! one event made within the same twelve hours form a group; anything else is alone. The
//! caller says which kinds it shows grouped (`grouped_types[]`); the others come alone.

use crate::{
    db::{
        self,
        notification_groups::{Filter, GroupMember},
        social::NotificationRow,
        statuses::Page,
    },
    domain::NotificationKind,
    error::{AppError, AppResult},
    state::AppState,
};
use std::collections::{HashMap, HashSet};

/// How many senders a group names (Mastodon's `sample_account_ids`).
pub const SAMPLES: i64 = 8;

/// What a page of groups is asked with.
#[derive(Debug, Clone)]
pub struct GroupQuery {
    /// Which notifications.
    pub filter: Filter,
    /// The kinds shown grouped.
    pub grouped: Vec<NotificationKind>,
}

impl GroupQuery {
    /// The key a notification is shown under for this query.
    pub fn key_of(&self, n: &NotificationRow) -> String {
        match &n.group_key {
            Some(k) if self.grouped.contains(&n.kind) => k.clone(),
            _ => format!("ungrouped-{}", n.id),
        }
    }

    fn gathered(&self, n: &NotificationRow) -> bool {
        n.group_key.is_some() && self.grouped.contains(&n.kind)
    }
}

/// A group as a page shows it.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its key.
    pub key: String,
    /// Its newest notification in the page (kind, post, group of the whole group).
    pub notification: NotificationRow,
    /// How many notifications it holds (within the page when paged).
    pub count: i64,
    /// Its newest notification's id.
    pub most_recent_id: i64,
    /// The oldest and newest ids of its notifications within the page (`None` outside a page).
    pub page: Option<(i64, i64)>,
    /// When its newest notification within the page was made.
    pub latest_at: i64,
    /// The senders of its newest notifications, newest first.
    pub sample_account_ids: Vec<i64>,
}

/// A page of groups, newest first, and the ids its `Link` header pages from.
#[derive(Debug, Clone, Default)]
pub struct GroupPage {
    /// The groups.
    pub groups: Vec<Group>,
    /// The newest and the oldest notification counted (`None` for an empty page): the
    /// `Link` header's `min_id` and `max_id`.
    pub bounds: Option<(i64, i64)>,
}

/// A page of `me`'s notification groups.
pub async fn page(
    state: &AppState,
    me: i64,
    query: &GroupQuery,
    page: Page,
) -> AppResult<GroupPage> {
    if query.filter.kinds.is_empty() {
        return Ok(GroupPage::default());
    }
    let ascending = page.min_id.is_some();
    let above = page.min_id.or(page.since_id);
    let below = page.max_id;
    let limit = page.limit.max(1) as usize;
    // Walk the notifications from the page's start, keeping the first of each group met and
    // leaving the groups already met out of the next reads: a group of thousands of likes
    // costs one row, not thousands.
    let mut shown: Vec<NotificationRow> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut met_keys: Vec<String> = Vec::new();
    let (mut lower, mut upper) = (above, below);
    loop {
        let want = (limit - shown.len()) as i64 * 2;
        let batch = db::notification_groups::scan(
            state.pool(),
            me,
            &query.filter,
            lower,
            upper,
            &met_keys,
            ascending,
            want,
        )
        .await?;
        let Some(last) = batch.last().map(|n| n.id) else {
            break;
        };
        let full = batch.len() as i64 == want;
        for n in batch {
            let key = query.key_of(&n);
            if seen.insert(key.clone()) {
                if query.gathered(&n) {
                    met_keys.push(key);
                }
                shown.push(n);
                if shown.len() == limit {
                    break;
                }
            }
        }
        if shown.len() == limit || !full {
            break;
        }
        if ascending {
            lower = Some(last);
        } else {
            upper = Some(last);
        }
    }
    if shown.is_empty() {
        return Ok(GroupPage::default());
    }
    shown.sort_by_key(|n| std::cmp::Reverse(n.id));
    let newest = shown[0].id;
    let oldest = shown[shown.len() - 1].id;
    // The page's range, as Mastodon counts it: between the oldest and the newest notification
    // shown; on a last page, open towards where there is nothing more.
    let (from, to) = if shown.len() < limit {
        if ascending {
            (Some(oldest), page.max_id.map(|m| m - 1))
        } else {
            (page.since_id.map(|s| s + 1), Some(newest))
        }
    } else {
        (Some(oldest), Some(newest))
    };
    let groups = describe(state, me, query, shown, from, to, true).await?;
    // The next page starts below everything this one counted (on a last page, a group's
    // count reaches below its newest notification), the previous one above.
    let older = groups
        .iter()
        .filter_map(|g| g.page.map(|p| p.0))
        .min()
        .unwrap_or(oldest);
    let newer = groups
        .iter()
        .filter_map(|g| g.page.map(|p| p.1))
        .max()
        .unwrap_or(newest);
    Ok(GroupPage {
        groups,
        bounds: Some((newer, older)),
    })
}

/// Counts, senders and bounds of the groups `shown` stands for, within `from..=to`.
async fn describe(
    state: &AppState,
    me: i64,
    query: &GroupQuery,
    shown: Vec<NotificationRow>,
    from: Option<i64>,
    to: Option<i64>,
    paged: bool,
) -> AppResult<Vec<Group>> {
    let keys: Vec<String> = shown
        .iter()
        .filter(|n| query.gathered(n))
        .map(|n| query.key_of(n))
        .collect();
    let (counts, members) =
        db::notification_groups::groups(state.pool(), me, &query.filter, &keys, from, to, SAMPLES)
            .await?;
    let counts: HashMap<String, (i64, i64)> = counts
        .into_iter()
        .map(|c| (c.group_key, (c.count, c.min_id)))
        .collect();
    let mut samples: HashMap<String, Vec<GroupMember>> = HashMap::new();
    for m in members {
        samples.entry(m.group_key.clone()).or_default().push(m);
    }
    Ok(shown
        .into_iter()
        .map(|n| {
            let key = query.key_of(&n);
            let alone = || Group {
                key: key.clone(),
                count: 1,
                most_recent_id: n.id,
                page: paged.then_some((n.id, n.id)),
                latest_at: n.created_at,
                sample_account_ids: vec![n.from_account_id],
                notification: n.clone(),
            };
            if !query.gathered(&n) {
                return alone();
            }
            match (counts.get(&key), samples.get(&key)) {
                (Some((count, min_id)), Some(members)) if !members.is_empty() => Group {
                    key: key.clone(),
                    count: *count,
                    most_recent_id: members[0].id,
                    page: paged.then_some((*min_id, members[0].id)),
                    latest_at: members[0].created_at,
                    sample_account_ids: members.iter().map(|m| m.from_account_id).collect(),
                    notification: n.clone(),
                },
                _ => alone(),
            }
        })
        .collect())
}

/// The notification an `ungrouped-<id>` key names.
fn ungrouped_id(key: &str) -> Option<i64> {
    key.strip_prefix("ungrouped-")?.parse().ok()
}

/// One of `me`'s groups by its key, whole (not paged), or 404.
pub async fn get(state: &AppState, me: i64, key: &str) -> AppResult<Group> {
    let all = GroupQuery {
        filter: Filter {
            kinds: NotificationKind::ALL.to_vec(),
            from_account: None,
            include_filtered: true,
        },
        grouped: NotificationKind::GROUPABLE.to_vec(),
    };
    let newest = match ungrouped_id(key) {
        Some(id) => db::social::notification(state.pool(), me, id)
            .await?
            .map(|mut n| {
                // Asked for alone: shown alone, whatever its kind.
                n.group_key = None;
                n
            }),
        None => db::notification_groups::newest_of(state.pool(), me, key).await?,
    }
    .ok_or_else(AppError::not_found)?;
    describe(state, me, &all, vec![newest], None, None, false)
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// Dismisses every notification of one of `me`'s groups, or 404.
pub async fn dismiss(state: &AppState, me: i64, key: &str) -> AppResult<()> {
    let gone = match ungrouped_id(key) {
        Some(id) => db::social::dismiss(state.pool(), me, id).await?,
        None => db::notification_groups::dismiss(state.pool(), me, key).await? > 0,
    };
    if !gone {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// A page of the senders of one of `me`'s groups, newest first: (notification id, account),
/// or 404 for a group that is not there.
pub async fn senders(
    state: &AppState,
    me: i64,
    key: &str,
    page: Page,
) -> AppResult<Vec<(i64, i64)>> {
    if let Some(id) = ungrouped_id(key) {
        let n = db::social::notification(state.pool(), me, id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let inside = page.max_id.is_none_or(|m| n.id < m)
            && page.min_id.or(page.since_id).is_none_or(|m| n.id > m);
        return Ok(if inside {
            vec![(n.id, n.from_account_id)]
        } else {
            Vec::new()
        });
    }
    if db::notification_groups::newest_of(state.pool(), me, key)
        .await?
        .is_none()
    {
        return Err(AppError::not_found());
    }
    let ascending = page.min_id.is_some();
    let mut rows = db::notification_groups::senders(
        state.pool(),
        me,
        key,
        page.min_id.or(page.since_id),
        page.max_id,
        ascending,
        page.limit,
    )
    .await?;
    if ascending {
        rows.reverse();
    }
    Ok(rows)
}

/// How many groups `me`'s unread notifications make (past the `notifications` marker), at
/// most `cap`.
pub async fn unread_count(
    state: &AppState,
    me: i64,
    query: &GroupQuery,
    cap: i64,
) -> AppResult<i64> {
    if query.filter.kinds.is_empty() {
        return Ok(0);
    }
    Ok(
        db::notification_groups::unread_groups(state.pool(), me, &query.filter, &query.grouped)
            .await?
            .min(cap),
    )
}
