//! Likes and boosts: ours (federated), other servers' (recorded and notified), and who liked or
//! boosted a post.

use super::{delete, status_uri, visible};
use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{NotificationKind, Visibility},
    error::{AppError, AppResult},
    service::outgoing::{self, Outgoing},
    state::AppState,
};

/// Likes a post; returns it.
pub async fn favourite(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    let like_uri = format!("{}#likes/{}", who.uri, crypto::random_code(16));
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new =
        db::statuses::insert_favourite(&mut tx, who.id, target.id, Some(&like_uri), now).await?;
    if new {
        db::social::notify(
            &mut tx,
            target.account_id,
            who.id,
            NotificationKind::Favourite,
            Some(target.id),
            now,
        )
        .await?;
        if target.local == 0 {
            outgoing::push(
                &mut tx,
                &Outgoing::Like {
                    account_id: who.id,
                    status_id: target.id,
                    like_uri,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(target)
}

/// Withdraws a like; returns the post.
pub async fn unfavourite(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    if let Some(fav) = db::statuses::favourite(state.pool(), who.id, target.id).await? {
        let mut tx = state.db.begin().await?;
        db::statuses::delete_favourite(&mut tx, fav.id).await?;
        if target.local == 0 {
            outgoing::push(
                &mut tx,
                &Outgoing::UndoLike {
                    account_id: who.id,
                    status_uri: target.uri.clone(),
                    author_id: target.account_id,
                    like_uri: fav.uri.unwrap_or_default(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        state.outbox_ready.notify_one();
    }
    Ok(target)
}

/// Boosts a post; returns the boost. Only public and unlisted posts can be boosted.
pub async fn reblog(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    if !target.visibility.is_public() {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-reblog-private",
        ));
    }
    if let Some(existing) = db::statuses::reblog_by(state.pool(), who.id, target.id).await? {
        return Ok(existing);
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new = db::statuses::NewStatus {
        uri: None,
        url: None,
        account_id: who.id,
        local: true,
        visibility: Visibility::Public,
        in_reply_to_id: None,
        in_reply_to_uri: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(target.id),
        content: "",
        source: None,
        spoiler_text: "",
        sensitive: false,
        language: None,
        created_at: now,
        group_id: None,
        circle: None,
        title: None,
    };
    let username = who.username.clone();
    let reblog_id = db::statuses::insert(&mut tx, &state.ids, &new, |rid| {
        (
            format!("{}/activity", status_uri(state, &username, rid)),
            None,
        )
    })
    .await?
    .ok_or_else(|| AppError::internal(anyhow::anyhow!("a new boost collided")))?;
    let mut readers = vec![who.id];
    readers.extend(db::social::local_followers(&mut tx, who.id).await?);
    db::social::add_to_feeds(&mut tx, reblog_id, &readers).await?;
    db::social::notify(
        &mut tx,
        target.account_id,
        who.id,
        NotificationKind::Reblog,
        Some(target.id),
        now,
    )
    .await?;
    outgoing::push(&mut tx, &Outgoing::Announce { reblog_id }).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    state.streams.created([reblog_id]);
    db::statuses::by_id(state.pool(), reblog_id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Withdraws a boost; returns the boosted post.
pub async fn unreblog(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    if let Some(boost) = db::statuses::reblog_by(state.pool(), who.id, target.id).await? {
        delete(state, who, false, boost.id).await?;
    }
    Ok(target)
}

/// A page of who liked a post: (like id, account), newest first.
pub async fn favourited_by(
    state: &AppState,
    status: &StatusRow,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::statuses::favourited_by(state.pool(), status.id, max_id, limit).await?)
}

/// A page of who boosted a post: (boost id, account), newest first.
pub async fn reblogged_by(
    state: &AppState,
    status: &StatusRow,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::statuses::reblogged_by(state.pool(), status.id, max_id, limit).await?)
}

/// Records a remote account's like of a local post.
pub async fn favourite_remote(
    state: &AppState,
    account_id: i64,
    status: &StatusRow,
    like_uri: &str,
) -> AppResult<()> {
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if db::statuses::insert_favourite(&mut tx, account_id, status.id, Some(like_uri), now).await? {
        db::social::notify(
            &mut tx,
            status.account_id,
            account_id,
            NotificationKind::Favourite,
            Some(status.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Withdraws a remote account's like, by the Like's id or by (account, post).
pub async fn unfavourite_remote(
    state: &AppState,
    account_id: i64,
    like_uri: Option<&str>,
    status_uri: Option<&str>,
) -> AppResult<()> {
    let fav = match like_uri {
        Some(uri) => db::statuses::favourite_by_uri(state.pool(), uri).await?,
        None => None,
    };
    let fav = match (fav, status_uri) {
        (Some(f), _) => Some(f),
        (None, Some(uri)) => match db::statuses::by_uri(state.pool(), uri).await? {
            Some(s) => db::statuses::favourite(state.pool(), account_id, s.id).await?,
            None => None,
        },
        (None, None) => None,
    };
    if let Some(f) = fav.filter(|f| f.account_id == account_id) {
        let mut tx = state.db.begin().await?;
        db::statuses::delete_favourite(&mut tx, f.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Records a remote account's boost of a post we have.
pub async fn reblog_remote(
    state: &AppState,
    account_id: i64,
    announce_uri: &str,
    original: &StatusRow,
    published: i64,
) -> AppResult<()> {
    if db::statuses::by_uri(state.pool(), announce_uri)
        .await?
        .is_some()
    {
        return Ok(());
    }
    if !original.visibility.is_public() {
        return Err(AppError::forbidden("error-reblog-private"));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new = db::statuses::NewStatus {
        uri: Some(announce_uri),
        url: None,
        account_id,
        local: false,
        visibility: Visibility::Public,
        in_reply_to_id: None,
        in_reply_to_uri: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(original.id),
        content: "",
        source: None,
        spoiler_text: "",
        sensitive: false,
        language: None,
        created_at: published.min(now),
        group_id: None,
        circle: None,
        title: None,
    };
    let Some(id) = db::statuses::insert(&mut tx, &state.ids, &new, |_| {
        (announce_uri.to_string(), None)
    })
    .await?
    else {
        return Ok(());
    };
    let readers = db::social::local_followers(&mut tx, account_id).await?;
    db::social::add_to_feeds(&mut tx, id, &readers).await?;
    db::social::notify(
        &mut tx,
        original.account_id,
        account_id,
        NotificationKind::Reblog,
        Some(original.id),
        now,
    )
    .await?;
    tx.commit().await?;
    state.streams.created([id]);
    Ok(())
}
