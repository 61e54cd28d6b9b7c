//! Preview cards (public and unlisted posts): the page a post's first link leads to, shown under the post (the API's
//! `card`, the web's link card). A post records its link when it is written (in its
//! transaction); the card worker (started with the server) claims pending cards in the
//! database, fetches each page once through `service::Remote` (the guard against private
//! addresses, time and size limits), reads what the page says of itself
//! (`domain::card::read_page`), and records the page's picture as a medium of other servers,
//! which is copied and served from here when someone looks at it. Posts linking to the same
//! address share its card.

use crate::{
    clock,
    db::{self, cards::CardRow},
    domain::{
        card::read_page,
        media::{MediaKind, MediaUse},
        status::PostText,
    },
    error::AppResult,
    state::AppState,
};
use futures::StreamExt;
use std::{collections::HashMap, time::Duration};

/// The most of a page read (the head, where its card is, comes first).
const MAX_PAGE_BYTES: usize = 512 * 1024;
/// How long a claim lasts.
const LEASE: Duration = Duration::from_secs(60);
/// How often the worker looks for cards to fetch when it found none.
const IDLE: Duration = Duration::from_millis(500);
/// How many times a page that did not answer is tried.
const MAX_ATTEMPTS: i64 = 3;

/// Records the card of a post being written in `tx`: its first link, unless it has
/// attachments (their pictures are shown instead) or the link is to this server.
pub async fn record(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    status_id: i64,
    text: &str,
    has_media: bool,
    visibility: crate::domain::Visibility,
) -> AppResult<()> {
    let link = PostText::read(text)
        .first_link()
        .filter(|u| !state.config.is_local_url(u));
    match link {
        // Only for posts anyone may read: a link in a closed post may itself be a secret
        // (a shared document's address), which no server should be asked for.
        Some(url) if !has_media && visibility.is_public() => {
            db::cards::attach(tx, status_id, url.as_str(), clock::now()).await?;
        }
        _ => db::cards::detach(&mut *tx, status_id).await?,
    }
    Ok(())
}

/// A card as shown: the page's preview, and our copy of its picture.
#[derive(Debug, Clone)]
pub struct Card {
    pub row: CardRow,
    pub image: Option<db::media::MediaRow>,
}

/// The cards of a page of posts, by post (one more query when some have pictures).
pub async fn of_statuses(state: &AppState, status_ids: &[i64]) -> AppResult<HashMap<i64, Card>> {
    let rows = db::cards::of_statuses(state.pool(), status_ids).await?;
    let image_ids: Vec<i64> = rows.iter().filter_map(|(_, c)| c.image_media_id).collect();
    let images: HashMap<i64, db::media::MediaRow> = db::media::by_ids(state.pool(), &image_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(status_id, row)| {
            let image = row.image_media_id.and_then(|id| images.get(&id).cloned());
            (status_id, Card { row, image })
        })
        .collect())
}

/// The card worker: runs until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    loop {
        let worked = match step(&state).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = ?e, "preview card step failed");
                false
            }
        };
        if !worked {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(IDLE) => {}
            }
        } else if stop.is_cancelled() {
            return;
        }
    }
}

/// Fetches the pending cards claimed now; gives how many.
pub async fn step(state: &AppState) -> AppResult<usize> {
    let now = clock::now();
    let claimed = db::cards::claim(
        state.pool(),
        &state.process_id,
        now,
        now + LEASE.as_micros() as i64,
        4,
    )
    .await?;
    let n = claimed.len();
    for (id, url) in claimed {
        if let Err(e) = fetch_card(state, id, &url).await {
            // Given back for a later attempt, at most MAX_ATTEMPTS in all (`claim` counts
            // them); the other claimed cards go on.
            tracing::warn!(card = id, error = ?e, "a preview card could not be made");
            let attempts: i64 =
                sqlx::query_scalar("SELECT attempts FROM preview_cards WHERE id = $1")
                    .bind(id)
                    .fetch_one(state.pool())
                    .await?;
            db::cards::set_failed(state.pool(), id, attempts < MAX_ATTEMPTS, clock::now()).await?;
        }
    }
    Ok(n)
}

async fn fetch_card(state: &AppState, id: i64, url: &str) -> AppResult<()> {
    let now = clock::now();
    let Some(remote) = state.remote() else {
        db::cards::set_failed(state.pool(), id, false, now).await?;
        return Ok(());
    };
    let page = match remote.fetch_file(state, url).await {
        Ok(file) => file,
        Err(crate::service::RemoteFileError::Unavailable) => {
            let attempts: i64 =
                sqlx::query_scalar("SELECT attempts FROM preview_cards WHERE id = $1")
                    .bind(id)
                    .fetch_one(state.pool())
                    .await?;
            db::cards::set_failed(state.pool(), id, attempts < MAX_ATTEMPTS, now).await?;
            return Ok(());
        }
        Err(_) => {
            db::cards::set_failed(state.pool(), id, false, now).await?;
            return Ok(());
        }
    };
    let mut body = page.body;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { break };
        let room = MAX_PAGE_BYTES - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() >= MAX_PAGE_BYTES {
            break;
        }
    }
    // A picture, a document or a video is no page, whatever text it holds.
    if crate::domain::media::Format::sniff(&bytes).is_ok() {
        db::cards::set_failed(state.pool(), id, false, now).await?;
        return Ok(());
    }
    let text = String::from_utf8_lossy(&bytes);
    let head: String = text
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    let looks_html = ["<!doctype html", "<html", "<head", "<meta", "<title"]
        .iter()
        .any(|tag| head.contains(tag));
    let page_url = url::Url::parse(url).ok();
    let card = match (looks_html, page_url) {
        (true, Some(page_url)) => {
            let text = text.into_owned();
            crate::service::blocking(move || read_page(&text, &page_url)).await?
        }
        _ => None,
    };
    let Some(card) = card else {
        db::cards::set_failed(state.pool(), id, false, now).await?;
        return Ok(());
    };
    let image_media_id = match &card.image {
        Some(image) => record_picture(state, image.as_str()).await?,
        None => None,
    };
    db::cards::set_ready(
        state.pool(),
        id,
        &db::cards::Found {
            title: &card.title,
            description: &card.description,
            provider_name: &card.provider_name,
            image_url: card.image.as_ref().map(url::Url::as_str),
            image_media_id,
        },
        clock::now(),
    )
    .await?;
    Ok(())
}

/// Records a page's picture as a medium of other servers, owned by the instance actor, copied
/// here when someone looks at it (`service::media::remote`).
async fn record_picture(state: &AppState, address: &str) -> AppResult<Option<i64>> {
    let Some(owner) = db::accounts::instance_actor(state.pool()).await? else {
        return Ok(None);
    };
    let id = state.ids.next();
    let token = crate::crypto::random_token(16);
    let mut tx = state.db.begin().await?;
    db::media::insert_remote_many(
        &mut tx,
        &[db::media::NewRemote {
            id,
            account_id: owner.id,
            status_id: None,
            position: 0,
            used_for: MediaUse::Card,
            kind: MediaKind::Image,
            token: &token,
            remote_url: address,
            description: "",
            blurhash: None,
            focus: None,
            width: None,
            height: None,
            now: clock::now(),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}
