//! Hashtags as Mastodon's API offers them: a tag with its last week of use, following tags
//! (the public posts carrying a followed tag enter the home timeline and the `user` stream:
//! `db::statuses::home`, `service::streams`), and the tags a person features on their profile.
//!
//! Every count reads public posts only: a followers-only or direct post, or a group's closed
//! circle, is never told (docs/SECURITY.md, rule P3).

use crate::{
    clock,
    db::{self, accounts::AccountRow, statuses::Page},
    domain::{Invalid, tag::TagName},
    error::{AppError, AppResult},
    service::discovery::{self, DAY, Day, TREND_DAYS},
    state::AppState,
};
use std::collections::{HashMap, HashSet};

/// The most tags a person may follow: the home timeline reads each followed tag's posts as a
/// source of its own (`db::statuses::home`).
pub const MAX_FOLLOWED_TAGS: i64 = 100;
/// The most tags a person may feature (Mastodon's `accounts.max_featured_tags`).
pub const MAX_FEATURED_TAGS: i64 = 10;
/// How many tags the suggestions of featured tags offer.
pub const SUGGESTIONS: i64 = 10;
/// How far back the suggestions of featured tags read a person's posts.
const SUGGESTION_DAYS: i64 = 90;

/// A tag as apps show it.
#[derive(Debug, Clone)]
pub struct TagInfo {
    /// Its name (lower case, without `#`).
    pub name: String,
    /// Its public use over the last [`TREND_DAYS`] days, newest day first.
    pub history: Vec<Day>,
    /// Whether the viewer follows it (`None` without a viewer).
    pub following: Option<bool>,
}

/// A tag featured on a profile.
#[derive(Debug, Clone)]
pub struct Featured {
    /// Its id.
    pub id: i64,
    /// The tag.
    pub name: String,
    /// The person's public and unlisted posts carrying it.
    pub statuses_count: i64,
    /// When the newest of them was written.
    pub last_status_at: Option<i64>,
}

/// A name from an app, or 422 naming the parameter.
pub fn parse(field: &'static str, raw: &str) -> AppResult<TagName> {
    TagName::parse(field, raw).map_err(|e| AppError::invalid(vec![e]))
}

/// A name from a path, or 404 (Mastodon's answer for a name that cannot be a tag).
fn from_path(raw: &str) -> AppResult<TagName> {
    TagName::parse("id", raw).map_err(|_| AppError::not_found())
}

/// The tags named, with their history and whether `viewer` follows each (two queries).
pub async fn infos(
    state: &AppState,
    viewer: Option<i64>,
    names: Vec<String>,
) -> AppResult<Vec<TagInfo>> {
    let origin = discovery::day_start(clock::now()) - (TREND_DAYS - 1) * DAY;
    let first_id = discovery::first_id_at(origin);
    let mut counts: HashMap<String, HashMap<i64, (i64, i64)>> = HashMap::new();
    for (name, d, uses, accounts) in
        db::tags::history(state.pool(), &names, first_id, origin, DAY).await?
    {
        counts.entry(name).or_default().insert(d, (uses, accounts));
    }
    let followed: Option<HashSet<String>> = match viewer {
        Some(v) => Some(
            db::tags::followed_among(state.pool(), v, &names)
                .await?
                .into_iter()
                .collect(),
        ),
        None => None,
    };
    Ok(names
        .into_iter()
        .map(|name| TagInfo {
            history: discovery::history(origin, counts.get(&name)),
            following: followed.as_ref().map(|f| f.contains(&name)),
            name,
        })
        .collect())
}

async fn info(state: &AppState, viewer: Option<i64>, name: &TagName) -> AppResult<TagInfo> {
    infos(state, viewer, vec![name.as_str().to_string()])
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// `GET /api/v1/tags/:name`: any well-formed name answers, used or not (as on Mastodon).
pub async fn show(state: &AppState, viewer: Option<i64>, raw: &str) -> AppResult<TagInfo> {
    info(state, viewer, &from_path(raw)?).await
}

/// Follows a tag (again: no change); its public posts enter the person's home timeline.
pub async fn follow(state: &AppState, me: &AccountRow, raw: &str) -> AppResult<TagInfo> {
    let name = parse("id", raw)?;
    let mut tx = state.db.begin().await?;
    let new = db::tags::followed_among(state.pool(), me.id, &[name.as_str().to_string()])
        .await?
        .is_empty();
    if new && db::tags::followed_count(&mut tx, me.id).await? >= MAX_FOLLOWED_TAGS {
        return Err(AppError::invalid(vec![
            Invalid::new("id", "error-followed-tag-limit").arg("count", MAX_FOLLOWED_TAGS),
        ]));
    }
    db::tags::follow(&mut tx, me.id, name.as_str(), clock::now()).await?;
    tx.commit().await?;
    info(state, Some(me.id), &name).await
}

/// Stops following a tag (not followed: no change).
pub async fn unfollow(state: &AppState, me: &AccountRow, raw: &str) -> AppResult<TagInfo> {
    let name = from_path(raw)?;
    db::tags::unfollow(state.pool(), me.id, name.as_str()).await?;
    info(state, Some(me.id), &name).await
}

/// A page of the tags a person follows, newest follow first: (follow id, tag).
pub async fn followed(
    state: &AppState,
    me: &AccountRow,
    page: Page,
) -> AppResult<Vec<(i64, TagInfo)>> {
    let rows = db::tags::followed(state.pool(), me.id, page).await?;
    let infos = infos(
        state,
        Some(me.id),
        rows.iter().map(|(_, n)| n.clone()).collect(),
    )
    .await?;
    Ok(rows.into_iter().map(|(id, _)| id).zip(infos).collect())
}

/// Of these tag names, those `viewer` follows (for `following` in search results).
pub async fn followed_among(
    state: &AppState,
    viewer: i64,
    names: &[String],
) -> AppResult<HashSet<String>> {
    Ok(db::tags::followed_among(state.pool(), viewer, names)
        .await?
        .into_iter()
        .collect())
}

async fn with_counts(
    state: &AppState,
    account_id: i64,
    rows: Vec<db::tags::FeaturedRow>,
) -> AppResult<Vec<Featured>> {
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let used: HashMap<String, (i64, Option<i64>)> =
        db::tags::use_by(state.pool(), account_id, &names)
            .await?
            .into_iter()
            .map(|(n, count, last)| (n, (count, last)))
            .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (statuses_count, last_status_at) = used.get(&r.name).copied().unwrap_or_default();
            Featured {
                id: r.id,
                name: r.name,
                statuses_count,
                last_status_at,
            }
        })
        .collect())
}

/// The tags an account features, in the order they were added, with its use of each.
pub async fn featured(state: &AppState, account: &AccountRow) -> AppResult<Vec<Featured>> {
    let rows = db::tags::featured(state.pool(), account.id).await?;
    with_counts(state, account.id, rows).await
}

/// Features a tag on the person's profile (featured already: the same one), at most
/// [`MAX_FEATURED_TAGS`] (422 beyond).
pub async fn feature(state: &AppState, me: &AccountRow, raw: &str) -> AppResult<Featured> {
    let name = parse("name", raw)?;
    let mut tx = state.db.begin().await?;
    if !db::tags::is_featured(&mut tx, me.id, name.as_str()).await?
        && db::tags::featured_count(&mut tx, me.id).await? >= MAX_FEATURED_TAGS
    {
        return Err(AppError::invalid(vec![
            Invalid::new("name", "error-featured-tag-limit").arg("count", MAX_FEATURED_TAGS),
        ]));
    }
    let row = db::tags::feature(&mut tx, me.id, name.as_str(), clock::now()).await?;
    tx.commit().await?;
    with_counts(state, me.id, vec![row])
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// Stops featuring one of the person's featured tags (404 for anyone else's or none).
pub async fn unfeature(state: &AppState, me: &AccountRow, id: i64) -> AppResult<()> {
    if !db::tags::unfeature(state.pool(), me.id, id).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// The tags the person used most in their public and unlisted posts of the last
/// [`SUGGESTION_DAYS`] days and does not feature yet, most used first.
pub async fn suggestions(state: &AppState, me: &AccountRow) -> AppResult<Vec<TagInfo>> {
    let since = discovery::first_id_at(clock::now() - SUGGESTION_DAYS * DAY);
    let names = db::tags::most_used(state.pool(), me.id, since, SUGGESTIONS).await?;
    infos(state, Some(me.id), names).await
}

/// An account's posts carrying a tag, as `viewer` may read them (Mastodon's `tagged`).
pub async fn account_posts(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
    name: &TagName,
    only: db::statuses::AccountPosts,
    page: Page,
) -> AppResult<Vec<db::statuses::StatusRow>> {
    let Some(private) = super::timelines::account_access(state, viewer, account).await? else {
        return Ok(Vec::new());
    };
    Ok(
        db::tags::by_account_tagged(state.pool(), account.id, private, name.as_str(), only, page)
            .await?,
    )
}
