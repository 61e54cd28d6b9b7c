//! What the instance tells apps about itself and its people: known domains, weekly activity,
//! languages, the profile directory, suggestions of whom to follow, and trends.
//!
//! Everything is computed from the database when asked, within bounds: trends read the public
//! local posts of the last seven days (a range of post ids), the directory and suggestions one
//! page of accounts. Who used the server in a week is recorded when it happens
//! ([`record_use`]), at most once a week per token, session or sign-in.

use crate::{
    clock,
    db::{self, accounts::AccountRow, discovery::SuggestionSource},
    domain::Invalid,
    error::{AppError, AppResult},
    service::cards::Card,
    state::AppState,
};
use std::collections::HashMap;

pub use db::discovery::DirectoryOrder;

/// A day, in microseconds.
pub const DAY: i64 = 24 * 3_600_000_000;
const WEEK: i64 = 7 * DAY;
/// Monday 5 January 1970, 00:00 UTC: weeks start on Mondays, as Mastodon's.
const FIRST_MONDAY: i64 = 4 * DAY;
/// How many weeks `/api/v1/instance/activity` tells.
pub const ACTIVITY_WEEKS: i64 = 12;
/// How many days trends read (today included).
pub const TREND_DAYS: i64 = 7;

/// The Monday 00:00 UTC that starts the week of `t` (Unix microseconds).
pub fn week_start(t: i64) -> i64 {
    t - (t - FIRST_MONDAY).rem_euclid(WEEK)
}

/// 00:00 UTC of the day of `t`.
pub fn day_start(t: i64) -> i64 {
    t - t.rem_euclid(DAY)
}

/// The smallest post id of something written at `t` or later (ids hold milliseconds in their
/// high bits).
pub fn first_id_at(t: i64) -> i64 {
    (t.max(0) / 1000) << 16
}

/// Records that a local person used the server now, when their previous use (`previous`:
/// of this token or session, `None` when first used) was in an earlier week: one write per
/// person and token a week at most.
pub async fn record_use(state: &AppState, account_id: i64, previous: Option<i64>) -> AppResult<()> {
    let week = week_start(clock::now());
    if previous.is_none_or(|t| t < week) {
        db::discovery::record_login(state.pool(), week, account_id).await?;
    }
    Ok(())
}

/// The domains of the accounts known here, sorted.
pub async fn peers(state: &AppState) -> AppResult<Vec<String>> {
    Ok(db::discovery::peers(state.pool()).await?)
}

/// The instance's figures: (local posts, known domains).
pub async fn figures(state: &AppState) -> AppResult<(i64, i64)> {
    let posts = db::statuses::count_local(state.pool()).await?;
    let domains = db::discovery::domain_count(state.pool()).await?;
    Ok((posts, domains))
}

/// One week of activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    /// Its Monday 00:00 UTC, in Unix seconds.
    pub week: i64,
    /// Local posts written (boosts left out).
    pub statuses: i64,
    /// Local people who used the server.
    pub logins: i64,
    /// People who registered.
    pub registrations: i64,
}

/// The last [`ACTIVITY_WEEKS`] weeks, this one first.
pub async fn activity(state: &AppState) -> AppResult<Vec<Week>> {
    let origin = week_start(clock::now()) - (ACTIVITY_WEEKS - 1) * WEEK;
    let counts =
        db::discovery::weekly_activity(state.pool(), origin, WEEK, first_id_at(origin)).await?;
    let by_week: HashMap<i64, (i64, i64, i64)> = counts
        .into_iter()
        .map(|(w, p, l, r)| (w, (p, l, r)))
        .collect();
    Ok((0..ACTIVITY_WEEKS)
        .rev()
        .map(|w| {
            let (statuses, logins, registrations) = by_week.get(&w).copied().unwrap_or_default();
            Week {
                week: (origin + w * WEEK) / 1_000_000,
                statuses,
                logins,
                registrations,
            }
        })
        .collect())
}

/// The languages posts may be written in: ISO 639-1 codes with their English names, by code.
pub fn languages() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = isolang::languages()
        .filter_map(|l| l.to_639_1().map(|code| (code, l.to_name())))
        .collect();
    out.sort_unstable();
    out
}

/// When the instance's description last changed (Unix microseconds), as first seen by a
/// process: the text lives in the configuration, so its hash is kept with the time it was
/// first seen, and a new text gets a new time.
pub async fn description_updated_at(state: &AppState) -> AppResult<i64> {
    const KEY: &str = "instance_description_seen";
    let hash = crate::crypto::sha256_base64url(state.config.instance_description.as_bytes());
    if let Some(seen) = db::settings::get(state.pool(), KEY).await?
        && let Some((h, t)) = seen.split_once(' ')
        && h == hash
        && let Ok(t) = t.parse()
    {
        return Ok(t);
    }
    let now = clock::now();
    db::settings::set(state.pool(), KEY, &format!("{hash} {now}")).await?;
    Ok(now)
}

/// A page's offset and limit, checked: the offset may not be negative, the limit is brought
/// within 1..=`max` (`default` when absent), as Mastodon clamps it.
pub fn offset_limit(
    offset: Option<i64>,
    limit: Option<i64>,
    default: i64,
    max: i64,
) -> Result<(i64, i64), Invalid> {
    let offset = offset.unwrap_or(0);
    if offset < 0 {
        return Err(Invalid::new("offset", "error-offset-negative"));
    }
    Ok((offset, limit.unwrap_or(default).clamp(1, max)))
}

/// Reads the directory's `order`.
pub fn directory_order(order: Option<&str>) -> Result<DirectoryOrder, Invalid> {
    match order.map(str::trim).filter(|o| !o.is_empty()) {
        None | Some("active") => Ok(DirectoryOrder::Active),
        Some("new") => Ok(DirectoryOrder::New),
        Some(_) => Err(Invalid::new("order", "error-directory-order")),
    }
}

/// A page of the profile directory, in order.
pub async fn directory(
    state: &AppState,
    viewer: Option<i64>,
    order: DirectoryOrder,
    local_only: bool,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<AccountRow>> {
    let ids =
        db::discovery::directory(state.pool(), viewer, order, local_only, offset, limit).await?;
    in_order(state, &ids).await
}

async fn in_order(state: &AppState, ids: &[i64]) -> AppResult<Vec<AccountRow>> {
    let mut by_id: HashMap<i64, AccountRow> = db::accounts::by_ids(state.pool(), ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Why an account is suggested, as Mastodon's `Suggestion` names it.
pub fn source_name(source: SuggestionSource) -> &'static str {
    match source {
        SuggestionSource::Staff => "staff",
        SuggestionSource::Global => "global",
    }
}

/// Accounts worth following for `viewer`, with why.
pub async fn suggestions(
    state: &AppState,
    viewer: i64,
    limit: i64,
) -> AppResult<Vec<(AccountRow, SuggestionSource)>> {
    let found = db::discovery::suggestions(state.pool(), viewer, limit).await?;
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    let rows = in_order(state, &ids).await?;
    let sources: HashMap<i64, SuggestionSource> = found.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|a| {
            let s = sources[&a.id];
            (a, s)
        })
        .collect())
}

/// Never suggests `target` to `viewer` again (404 for an unknown account).
pub async fn dismiss_suggestion(state: &AppState, viewer: i64, target: i64) -> AppResult<()> {
    super::directory::existing(state, target).await?;
    db::discovery::dismiss_suggestion(state.pool(), viewer, target, clock::now()).await?;
    Ok(())
}

/// One day of a trend's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// 00:00 UTC of the day, in Unix seconds.
    pub day: i64,
    /// Posts that day.
    pub uses: i64,
    /// Distinct people who posted it that day.
    pub accounts: i64,
}

/// The first moment trends read, and the smallest post id written since.
fn trend_window() -> (i64, i64) {
    let origin = day_start(clock::now()) - (TREND_DAYS - 1) * DAY;
    (origin, first_id_at(origin))
}

/// Per key, its counts per day (days numbered from `origin`).
type Counts<K> = HashMap<K, HashMap<i64, (i64, i64)>>;

fn by_day<K: std::hash::Hash + Eq>(counts: Vec<(K, i64, i64, i64)>) -> Counts<K> {
    let mut by_key: Counts<K> = HashMap::new();
    for (k, d, uses, accounts) in counts {
        by_key.entry(k).or_default().insert(d, (uses, accounts));
    }
    by_key
}

/// The [`TREND_DAYS`] days from `origin`, newest first, with their counts (0 when none).
pub fn history(origin: i64, days: Option<&HashMap<i64, (i64, i64)>>) -> Vec<Day> {
    (0..TREND_DAYS)
        .rev()
        .map(|d| {
            let (uses, accounts) = days.and_then(|m| m.get(&d)).copied().unwrap_or_default();
            Day {
                day: (origin + d * DAY) / 1_000_000,
                uses,
                accounts,
            }
        })
        .collect()
}

/// The trending tags (by the people who used them in the public local posts of the last
/// [`TREND_DAYS`] days), each with its history, newest day first.
pub async fn trending_tags(
    state: &AppState,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<(String, Vec<Day>)>> {
    let (origin, first_id) = trend_window();
    let names = db::discovery::trending_tags(state.pool(), first_id, offset, limit).await?;
    let counts = db::discovery::tag_history(state.pool(), first_id, origin, DAY, &names).await?;
    let counts = by_day(counts);
    Ok(names
        .into_iter()
        .map(|n| {
            let h = history(origin, counts.get(&n));
            (n, h)
        })
        .collect())
}

/// The trending posts: public local posts of the last [`TREND_DAYS`] days by the favourites
/// and boosts they received in that time.
pub async fn trending_statuses(
    state: &AppState,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<db::statuses::StatusRow>> {
    let (origin, first_id) = trend_window();
    let ids =
        db::discovery::trending_statuses(state.pool(), first_id, origin, offset, limit).await?;
    let mut by_id: HashMap<i64, db::statuses::StatusRow> = db::statuses::by_ids(state.pool(), &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The trending links: the previews of the links in public local posts of the last
/// [`TREND_DAYS`] days, by the people who shared them, each with its history.
pub async fn trending_links(
    state: &AppState,
    offset: i64,
    limit: i64,
) -> AppResult<Vec<(Card, Vec<Day>)>> {
    let (origin, first_id) = trend_window();
    let found = db::discovery::trending_links(state.pool(), first_id, offset, limit).await?;
    let card_ids: Vec<i64> = found.iter().map(|(c, _)| *c).collect();
    let post_ids: Vec<i64> = found.iter().map(|(_, p)| *p).collect();
    let mut cards = super::cards::of_statuses(state, &post_ids).await?;
    let counts =
        db::discovery::link_history(state.pool(), first_id, origin, DAY, &card_ids).await?;
    let counts = by_day(counts);
    Ok(found
        .into_iter()
        .filter_map(|(card_id, post_id)| {
            let card = cards.remove(&post_id).filter(|c| c.row.id == card_id)?;
            Some((card, history(origin, counts.get(&card_id))))
        })
        .collect())
}

/// An unknown account id in a path, or 404.
pub fn parse_account_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        // Sunday 6 December 2026, 17:00 UTC -> Monday 30 November 2026, 00:00 UTC.
        let sunday = 1_796_576_400_000_000;
        assert_eq!(week_start(sunday), 1_795_996_800_000_000);
        // A Monday at midnight is its own week's start.
        assert_eq!(week_start(1_795_996_800_000_000), 1_795_996_800_000_000);
        assert_eq!(day_start(sunday), 1_796_515_200_000_000);
    }

    #[test]
    fn offsets_and_limits() {
        assert_eq!(offset_limit(None, None, 40, 80).unwrap(), (0, 40));
        assert_eq!(offset_limit(Some(3), Some(0), 40, 80).unwrap(), (3, 1));
        assert_eq!(offset_limit(None, Some(500), 40, 80).unwrap(), (0, 80));
        assert!(offset_limit(Some(-1), None, 40, 80).is_err());
        assert!(directory_order(Some("wrong")).is_err());
        assert_eq!(directory_order(Some("new")).unwrap(), DirectoryOrder::New);
    }

    #[test]
    fn languages_are_iso_639_1_with_english_names() {
        let l = languages();
        assert!(l.contains(&("fr", "French")));
        assert!(l.contains(&("en", "English")));
        assert!(l.iter().all(|(c, _)| c.len() == 2));
    }
}
