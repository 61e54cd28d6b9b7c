//! Lists (Mastodon's): a person's named sets of accounts they follow, each with its own
//! timeline. A list's timeline is filled when a post enters its owner's home timeline
//! (`db::lists::fan_out`, called by `db::social::add_to_feeds`), back-filled from the home
//! timeline when a member is added, and cleaned when one is taken out. Another person's list
//! is not found (404), whatever is asked of it.

use crate::{
    clock,
    db::{
        self,
        lists::ListRow,
        statuses::{Page, StatusRow},
    },
    domain::{
        Invalid,
        curation::{self, RepliesPolicy},
    },
    error::{AppError, AppResult},
    state::AppState,
};

/// The most members one answer lists (`limit=0`: all of them, as Mastodon, up to this).
pub const MAX_MEMBERS: i64 = 10_000;

/// A list as typed: title, replies policy, exclusive. `None` keeps what the list has.
#[derive(Debug, Default)]
pub struct ListInput {
    /// Its name.
    pub title: Option<String>,
    /// `followed`, `list` or `none`.
    pub replies_policy: Option<String>,
    /// Whether its members' posts stay out of the home timeline.
    pub exclusive: Option<bool>,
}

/// One of `me`'s lists, or 404.
pub async fn get(state: &AppState, me: i64, id: i64) -> AppResult<ListRow> {
    db::lists::get(state.pool(), me, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// `me`'s lists.
pub async fn all(state: &AppState, me: i64) -> AppResult<Vec<ListRow>> {
    Ok(db::lists::of_owner(state.pool(), me).await?)
}

/// `me`'s lists holding `member`.
pub async fn holding(state: &AppState, me: i64, member: i64) -> AppResult<Vec<ListRow>> {
    Ok(db::lists::holding(state.pool(), me, member).await?)
}

fn checked(mut list: ListRow, input: &ListInput, creating: bool) -> AppResult<ListRow> {
    let mut refused: Vec<Invalid> = Vec::new();
    match (&input.title, creating) {
        (Some(t), _) => match curation::title("title", t) {
            Ok(t) => list.title = t,
            Err(e) => refused.push(e),
        },
        (None, true) => refused.push(Invalid::new("title", "error-required")),
        (None, false) => {}
    }
    if let Some(p) = &input.replies_policy {
        match RepliesPolicy::parse(p) {
            Ok(p) => list.replies_policy = p.as_str().to_string(),
            Err(e) => refused.push(e),
        }
    }
    if let Some(e) = input.exclusive {
        list.exclusive = db::flag(e);
    }
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    Ok(list)
}

/// Makes a list (replies policy `list` unless said otherwise, as Mastodon).
pub async fn create(state: &AppState, me: i64, input: &ListInput) -> AppResult<ListRow> {
    let list = checked(
        ListRow {
            id: state.ids.next(),
            account_id: me,
            title: String::new(),
            replies_policy: RepliesPolicy::List.as_str().to_string(),
            exclusive: 0,
        },
        input,
        true,
    )?;
    let mut tx = state.db.begin().await?;
    db::lists::insert(&mut tx, &list, clock::now()).await?;
    tx.commit().await?;
    Ok(list)
}

/// Changes one of `me`'s lists. A new replies policy applies to the posts to come.
pub async fn update(state: &AppState, me: i64, id: i64, input: &ListInput) -> AppResult<ListRow> {
    let list = checked(get(state, me, id).await?, input, false)?;
    let mut tx = state.db.begin().await?;
    if !db::lists::update(&mut tx, &list).await? {
        return Err(AppError::not_found());
    }
    tx.commit().await?;
    Ok(list)
}

/// Deletes one of `me`'s lists.
pub async fn delete(state: &AppState, me: i64, id: i64) -> AppResult<()> {
    if !db::lists::delete(state.pool(), me, id).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// A page of a list's members (key, account).
pub async fn members(state: &AppState, me: i64, id: i64, page: Page) -> AppResult<Vec<(i64, i64)>> {
    let list = get(state, me, id).await?;
    Ok(db::lists::members_page(
        state.pool(),
        list.id,
        page.max_id,
        page.since_id.or(page.min_id),
        page.limit,
    )
    .await?)
}

/// Adds accounts to one of `me`'s lists: every one must be an account `me` follows (or `me`),
/// as Mastodon requires, else nothing is added (422). Their posts already in `me`'s home
/// timeline enter the list's.
pub async fn add(state: &AppState, me: i64, id: i64, accounts: &[i64]) -> AppResult<()> {
    let list = get(state, me, id).await?;
    if accounts.is_empty() {
        return Err(Invalid::new("account_ids", "error-required").into());
    }
    let mut wanted: Vec<i64> = accounts.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut tx = state.db.begin().await?;
    let mut followed = db::lists::followed_among(&mut tx, me, &wanted).await?;
    followed.push(me);
    if let Some(stranger) = wanted.iter().find(|a| !followed.contains(a)) {
        return Err(Invalid::new("account_ids", "error-list-not-followed")
            .arg("id", stranger)
            .into());
    }
    let now = clock::now();
    for member in wanted {
        db::lists::add_member(&mut tx, list.id, member, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Takes accounts out of one of `me`'s lists (those not in it are ignored, as Mastodon).
pub async fn remove(state: &AppState, me: i64, id: i64, accounts: &[i64]) -> AppResult<()> {
    let list = get(state, me, id).await?;
    let mut tx = state.db.begin().await?;
    for member in accounts {
        db::lists::remove_member(&mut tx, list.id, *member).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A page of a list's timeline (its owner's only), without muted accounts.
pub async fn timeline(state: &AppState, me: i64, id: i64, page: Page) -> AppResult<Vec<StatusRow>> {
    let list = get(state, me, id).await?;
    Ok(db::statuses::list(state.pool(), list.id, me, page, clock::now()).await?)
}
