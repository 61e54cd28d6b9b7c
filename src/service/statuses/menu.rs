//! The statuses menu of Mastodon apps: a post's source and history, bookmarks, the lists of
//! bookmarks and favourites, pinned posts (ours, federated as `Add`/`Remove` to the actor's
//! `featured` collection, and other servers' featured collections), muted threads, and
//! several posts at once.

use super::{can_see, visible};
use crate::{
    clock,
    db::{self, accounts::AccountRow, media::MediaRow, statuses::Page, statuses::StatusRow},
    domain::Visibility,
    error::{AppError, AppResult},
    service::outgoing::{self, Outgoing},
    state::AppState,
};
use axum::http::StatusCode;

/// How many posts a person of this server may pin (Mastodon's limit).
pub const MAX_PINNED: i64 = 5;

/// How many posts of another server's `featured` collection are kept.
pub const MAX_REMOTE_PINNED: usize = 20;

/// How long another server's `featured` collection is kept before it is fetched again.
const FEATURED_FRESH_MICROS: i64 = 3_600_000_000;

/// How many posts `GET /api/v1/statuses?id[]=` answers at most.
pub const MAX_MANY: usize = 20;

/// A post's source: what its author typed (for a remote post, its text without markup).
pub struct Source {
    /// The post.
    pub status: StatusRow,
    /// Its text as typed.
    pub text: String,
    /// Its content warning as typed.
    pub spoiler_text: String,
}

/// The source of a post the viewer may see.
pub async fn source(state: &AppState, viewer: Option<i64>, id: i64) -> AppResult<Source> {
    let status = visible(state, viewer, id).await?;
    if status.reblog_of_id.is_some() {
        return Err(AppError::not_found());
    }
    let (text, spoiler_text) = if status.local != 0 {
        (
            status.source.clone().unwrap_or_default(),
            status.spoiler_text.clone(),
        )
    } else {
        (
            crate::domain::html::to_plain_text(&status.content),
            crate::domain::html::to_plain_text(&status.spoiler_text),
        )
    };
    Ok(Source {
        status,
        text,
        spoiler_text,
    })
}

/// One version of a post.
pub struct Version {
    /// Its HTML.
    pub content: String,
    /// Its content warning (HTML for a remote post, as the post's).
    pub spoiler_text: String,
    /// Marked sensitive.
    pub sensitive: bool,
    /// When it was published.
    pub created_at: i64,
    /// Its media, those still kept.
    pub media: Vec<MediaRow>,
}

/// Every version of a post the viewer may see, oldest first, the current one last.
pub async fn history(
    state: &AppState,
    viewer: Option<i64>,
    id: i64,
) -> AppResult<(StatusRow, Vec<Version>)> {
    let status = visible(state, viewer, id).await?;
    if status.reblog_of_id.is_some() {
        return Err(AppError::not_found());
    }
    let edits = db::statuses::menu::edits(state.pool(), id).await?;
    let mut media_ids: Vec<i64> = edits.iter().flat_map(|e| e.media()).collect();
    media_ids.sort_unstable();
    media_ids.dedup();
    let kept = db::media::by_ids(state.pool(), &media_ids).await?;
    let ready = |id: &i64| {
        kept.iter()
            .find(|m| m.id == *id && m.state == crate::domain::media::MediaState::Ready)
            .cloned()
    };
    let mut versions: Vec<Version> = edits
        .iter()
        .map(|e| Version {
            content: e.content.clone(),
            spoiler_text: e.spoiler_text.clone(),
            sensitive: e.sensitive != 0,
            created_at: e.created_at,
            media: e.media().iter().filter_map(ready).collect(),
        })
        .collect();
    versions.push(Version {
        content: status.content.clone(),
        spoiler_text: status.spoiler_text.clone(),
        sensitive: status.sensitive != 0,
        created_at: status.edited_at.unwrap_or(status.created_at),
        media: db::media::of_statuses(state.pool(), &[id]).await?,
    });
    Ok((status, versions))
}

/// Bookmarks a post the person may see (the boosted post, for a boost).
pub async fn bookmark(state: &AppState, me: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = shown(state, me.id, id).await?;
    db::statuses::menu::bookmark(state.pool(), me.id, status.id, clock::now()).await?;
    Ok(status)
}

/// Removes a bookmark.
pub async fn unbookmark(state: &AppState, me: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = shown(state, me.id, id).await?;
    db::statuses::menu::unbookmark(state.pool(), me.id, status.id).await?;
    Ok(status)
}

/// A post the person may see; for a boost, the boosted post (as Mastodon acts on it).
async fn shown(state: &AppState, viewer: i64, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(viewer), id).await?;
    match status.reblog_of_id {
        Some(original) => visible(state, Some(viewer), original).await,
        None => Ok(status),
    }
}

/// A page of a person's bookmarked or liked posts: the posts they may still see, and the ids
/// of the page's first and last rows (bookmark or like ids, which the `Link` header pages by).
pub struct Listed {
    /// The posts, newest bookmark (or like) first.
    pub rows: Vec<StatusRow>,
    /// The newest row's id.
    pub newest: Option<i64>,
    /// The oldest row's id.
    pub oldest: Option<i64>,
}

async fn listed(state: &AppState, viewer: i64, pairs: Vec<(i64, i64)>) -> AppResult<Listed> {
    let ids: Vec<i64> = pairs.iter().map(|p| p.1).collect();
    let found = db::statuses::by_ids(state.pool(), &ids).await?;
    let mut rows = Vec::with_capacity(found.len());
    for (_, id) in &pairs {
        if let Some(s) = found.iter().find(|s| s.id == *id)
            && can_see(state, Some(viewer), s).await?
        {
            rows.push(s.clone());
        }
    }
    Ok(Listed {
        rows,
        newest: pairs.first().map(|p| p.0),
        oldest: pairs.last().map(|p| p.0),
    })
}

/// A page of a person's bookmarks.
pub async fn bookmarks(state: &AppState, me: &AccountRow, page: Page) -> AppResult<Listed> {
    let pairs = db::statuses::menu::bookmarks(state.pool(), me.id, page).await?;
    listed(state, me.id, pairs).await
}

/// A page of the posts a person liked.
pub async fn favourites(state: &AppState, me: &AccountRow, page: Page) -> AppResult<Listed> {
    let pairs = db::statuses::menu::favourites(state.pool(), me.id, page).await?;
    listed(state, me.id, pairs).await
}

fn unprocessable(key: &'static str) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, key)
}

/// Pins one of the person's own public or unlisted posts (at most [`MAX_PINNED`]), and tells
/// their followers' servers (`Add` to the `featured` collection).
pub async fn pin(state: &AppState, me: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(me.id), id).await?;
    if status.reblog_of_id.is_some() {
        return Err(unprocessable("error-pin-reblog"));
    }
    if status.account_id != me.id {
        return Err(unprocessable("error-pin-ownership"));
    }
    if !matches!(status.visibility, Visibility::Public | Visibility::Unlisted) {
        return Err(unprocessable("error-pin-visibility"));
    }
    let mut tx = state.db.begin().await?;
    if db::statuses::menu::pin_count(&mut tx, me.id).await? >= MAX_PINNED {
        return Err(unprocessable("error-pin-limit").arg("count", MAX_PINNED));
    }
    if db::statuses::menu::pin(&mut tx, me.id, status.id, clock::now()).await? {
        outgoing::push(
            &mut tx,
            &Outgoing::Pin {
                account_id: me.id,
                status_uri: status.uri.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(status)
}

/// Unpins one of the person's posts (`Remove` from the `featured` collection).
pub async fn unpin(state: &AppState, me: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(me.id), id).await?;
    let mut tx = state.db.begin().await?;
    if db::statuses::menu::unpin(&mut tx, me.id, status.id).await? {
        outgoing::push(
            &mut tx,
            &Outgoing::Unpin {
                account_id: me.id,
                status_uri: status.uri.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(status)
}

/// An account's pinned posts as `viewer` may see them, most recently pinned first. For an
/// account of another server, its `featured` collection is fetched first when it was not
/// fetched in the last hour (claimed in the database, so one process fetches it; bounded to
/// [`MAX_REMOTE_PINNED`] posts, each fetched from the actor's server and kept only if it is
/// the actor's).
pub async fn pinned(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
) -> AppResult<Vec<StatusRow>> {
    if !account.is_local() {
        refresh_featured(state, account).await?;
    }
    let mut rows = Vec::new();
    for s in db::statuses::menu::pinned(state.pool(), account.id).await? {
        if can_see(state, viewer, &s).await? {
            rows.push(s);
        }
    }
    Ok(rows)
}

async fn refresh_featured(state: &AppState, account: &AccountRow) -> AppResult<()> {
    let now = clock::now();
    let Some(url) = db::statuses::menu::claim_featured_fetch(
        state.pool(),
        account.id,
        now,
        now - FEATURED_FRESH_MICROS,
    )
    .await?
    else {
        return Ok(());
    };
    let Some(remote) = state.remote() else {
        return Ok(());
    };
    // Not answered, or not a collection: what was known stays.
    let Some(posts) = remote.featured(state, account, &url).await else {
        return Ok(());
    };
    let ids: Vec<i64> = posts
        .iter()
        .filter(|s| s.account_id == account.id && s.reblog_of_id.is_none())
        .map(|s| s.id)
        .take(MAX_REMOTE_PINNED)
        .collect();
    let mut tx = state.db.begin().await?;
    db::statuses::menu::replace_pins(&mut tx, account.id, &ids, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A local person's pinned posts that anyone may read (their `featured` collection).
pub async fn featured(state: &AppState, account: &AccountRow) -> AppResult<Vec<StatusRow>> {
    Ok(db::statuses::menu::pinned(state.pool(), account.id)
        .await?
        .into_iter()
        .filter(|s| matches!(s.visibility, Visibility::Public | Visibility::Unlisted))
        .collect())
}

/// Remembers where a remote actor's `featured` collection is (from its actor document, on
/// its own server).
pub async fn remember_featured(
    state: &AppState,
    account: &AccountRow,
    url: Option<&str>,
) -> AppResult<()> {
    if account.is_local() {
        return Ok(());
    }
    Ok(db::statuses::menu::remember_featured(state.pool(), account.id, url).await?)
}

/// Why another server's `Add` or `Remove` to a featured collection is not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeaturedRefusal {
    /// The post is not the actor's.
    NotTheirPost,
}

/// Whether `target` is the `featured` collection `actor`'s actor document names.
pub async fn is_featured_of(state: &AppState, actor: &AccountRow, target: &str) -> AppResult<bool> {
    Ok(!actor.is_local()
        && db::statuses::menu::featured_url(state.pool(), actor.id)
            .await?
            .is_some_and(|u| u == target))
}

/// A remote actor pinned one of its posts (`Add` to its own `featured` collection).
pub async fn pin_remote(
    state: &AppState,
    actor: &AccountRow,
    status: &StatusRow,
) -> AppResult<Result<(), FeaturedRefusal>> {
    if status.account_id != actor.id || status.reblog_of_id.is_some() {
        return Ok(Err(FeaturedRefusal::NotTheirPost));
    }
    let mut tx = state.db.begin().await?;
    db::statuses::menu::pin(&mut tx, actor.id, status.id, clock::now()).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// A remote actor unpinned one of its posts.
pub async fn unpin_remote(
    state: &AppState,
    actor: &AccountRow,
    status: &StatusRow,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    db::statuses::menu::unpin(&mut tx, actor.id, status.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Mutes the thread of a post the person takes part in (wrote or is named in the post or
/// above it): no notification comes from it any more.
pub async fn mute(state: &AppState, me: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = shown(state, me.id, id).await?;
    if !db::statuses::menu::takes_part(state.pool(), me.id, status.id).await? {
        return Err(unprocessable("error-mute-not-participant"));
    }
    let root = db::statuses::menu::thread_root(state.pool(), status.id).await?;
    db::statuses::menu::mute_thread(state.pool(), me.id, root, clock::now()).await?;
    Ok(status)
}

/// Unmutes the thread of a post.
pub async fn unmute(state: &AppState, me: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = shown(state, me.id, id).await?;
    let root = db::statuses::menu::thread_root(state.pool(), status.id).await?;
    db::statuses::menu::unmute_thread(state.pool(), me.id, root).await?;
    Ok(status)
}

/// Several posts by id, in the order asked, those the viewer may see (at most
/// [`MAX_MANY`]; more is refused by the caller).
pub async fn many(state: &AppState, viewer: Option<i64>, ids: &[i64]) -> AppResult<Vec<StatusRow>> {
    let found = db::statuses::by_ids(state.pool(), ids).await?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if rows.iter().any(|s: &StatusRow| s.id == *id) {
            continue;
        }
        if let Some(s) = found.iter().find(|s| s.id == *id)
            && can_see(state, viewer, s).await?
        {
            rows.push(s.clone());
        }
    }
    Ok(rows)
}

/// What a viewer did to one post from the statuses menu (`None` without a viewer; `pinned`
/// only for the viewer's own posts, as Mastodon gives it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks {
    /// Bookmarked.
    pub bookmarked: Option<bool>,
    /// Pinned (own posts only).
    pub pinned: Option<bool>,
    /// Its thread muted.
    pub muted: Option<bool>,
}

/// The viewer's bookmarks, pins and muted threads among a page of posts, read at once.
pub struct PageMarks(Option<db::statuses::menu::MenuState>);

impl PageMarks {
    /// The marks of one post of the page.
    pub fn of(&self, viewer: Option<i64>, status: &StatusRow) -> Marks {
        let Some(m) = &self.0 else {
            return Marks::default();
        };
        Marks {
            bookmarked: Some(m.bookmarked.contains(&status.id)),
            pinned: (viewer == Some(status.account_id) && status.reblog_of_id.is_none())
                .then(|| m.pinned.contains(&status.id)),
            muted: Some(m.muted.contains(&status.id)),
        }
    }
}

/// Reads the viewer's marks among a page of posts (three queries; none without a viewer).
pub async fn viewer_marks(
    state: &AppState,
    viewer: Option<i64>,
    status_ids: &[i64],
) -> AppResult<PageMarks> {
    Ok(PageMarks(match viewer {
        Some(v) => Some(db::statuses::menu::menu_state(state.pool(), v, status_ids).await?),
        None => None,
    }))
}
