//! Moving accounts, as Mastodon does it (`AccountAlias`, `AccountMigration`, `MoveService`,
//! `MoveWorker`, `UnfollowFollowWorker`): a person (or a group's administrators) names the old
//! account on the new one (`alsoKnownAs`), then moves the old one, which then points to the
//! new one (`movedTo`), takes no more followers nor posts, keeps its posts, and tells its
//! followers' servers (`Move`). The local followers of an account that moved, here or
//! elsewhere, follow the new one and stop following the old; blocks and mutes follow too.
//!
//! A group is different (docs/SECURITY.md, rule T16): nobody here is made to follow or join a
//! group on a server's say-so; its local followers and members are told, with the new group
//! to follow or ask to join, and the new group accepts its members itself.

use super::{mutes, outgoing, relationships};
use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow},
    domain::{Invalid, NotificationKind},
    error::{AppError, AppResult},
    state::AppState,
};
use std::time::Duration;

/// The time between two moves of a local account (Mastodon's `AccountMigration::COOLDOWN_PERIOD`).
pub const COOLDOWN: Duration = Duration::from_secs(30 * 24 * 3600);

/// The time during which another server's account that moved is not moved again
/// (Mastodon's `Move::PROCESSING_COOLDOWN`): a replayed or repeated `Move` does nothing.
pub const PROCESSING_COOLDOWN: Duration = Duration::from_secs(7 * 24 * 3600);

/// How many old accounts a local account may name in `alsoKnownAs`.
pub const MAX_ALIASES: usize = 10;

fn micros(d: Duration) -> i64 {
    d.as_micros() as i64
}

/// Whether another server's account moved less than [`PROCESSING_COOLDOWN`] ago.
pub fn moved_recently(account: &AccountRow) -> bool {
    account
        .moved_at
        .is_some_and(|at| at > clock::now() - micros(PROCESSING_COOLDOWN))
}

/// When a local account may move again, if it moved less than [`COOLDOWN`] ago.
pub fn next_move_at(account: &AccountRow) -> Option<i64> {
    account
        .moved_at
        .map(|at| at + micros(COOLDOWN))
        .filter(|at| *at > clock::now())
}

/// Refuses what a moved account may no longer do (take followers, post).
pub fn ensure_not_moved(account: &AccountRow) -> AppResult<()> {
    if account.moved_to_uri.is_some() {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-account-moved",
        ));
    }
    Ok(())
}

/// The account `account` moved to, when it moved to one known here.
pub async fn moved_to(state: &AppState, account: &AccountRow) -> AppResult<Option<AccountRow>> {
    let Some(uri) = account.moved_to_uri.as_deref() else {
        return Ok(None);
    };
    Ok(db::accounts::by_uri(state.pool(), uri)
        .await?
        .filter(|a| a.deleted_at.is_none()))
}

/// "Déménager depuis un autre compte": names the old account `term` (a handle or an address)
/// in `me`'s `alsoKnownAs`, which the old account's move is checked against.
pub async fn add_alias(state: &AppState, me: &AccountRow, term: &str) -> AppResult<()> {
    let remote = state
        .remote()
        .ok_or_else(|| Invalid::new("alias", "error-move-not-found"))?;
    let old = remote
        .account(state, term.trim())
        .await
        .ok_or_else(|| Invalid::new("alias", "error-move-not-found"))?;
    if old.id == me.id {
        return Err(Invalid::new("alias", "error-move-self").into());
    }
    let mut aliases = me.aliases();
    if aliases.contains(&old.uri) {
        return Ok(());
    }
    if aliases.len() >= MAX_ALIASES {
        return Err(Invalid::new("alias", "error-move-too-many-aliases").into());
    }
    aliases.push(old.uri);
    save_aliases(state, me, &aliases).await
}

/// Removes an old account from `me`'s `alsoKnownAs`.
pub async fn remove_alias(state: &AppState, me: &AccountRow, uri: &str) -> AppResult<()> {
    let mut aliases = me.aliases();
    let before = aliases.len();
    aliases.retain(|a| a != uri);
    if aliases.len() == before {
        return Ok(());
    }
    save_aliases(state, me, &aliases).await
}

async fn save_aliases(state: &AppState, me: &AccountRow, aliases: &[String]) -> AppResult<()> {
    let json = serde_json::to_string(aliases).map_err(AppError::internal)?;
    let mut tx = state.db.begin().await?;
    db::moving::set_aliases(&mut tx, me.id, &json, clock::now()).await?;
    outgoing::push(
        &mut tx,
        &outgoing::Outgoing::UpdateActor { account_id: me.id },
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// "Déménager vers un autre compte", for a person: checks the password, then moves.
pub async fn move_person(
    state: &AppState,
    me: &AccountRow,
    term: &str,
    password: &str,
) -> AppResult<AccountRow> {
    let user = db::accounts::user_by_id(state.pool(), me.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = user.password_hash.clone();
    let password = password.to_string();
    if !super::blocking(move || crypto::verify_password(&password, &stored)).await? {
        return Err(Invalid::new("password", "error-wrong-password").into());
    }
    move_account(state, me, term).await
}

/// Moves the local account `me` (a person, or a group its administrators move) to the account
/// `term` names, read fresh from its server, which must name `me` in its `alsoKnownAs`.
/// The new account, once moved.
pub async fn move_account(state: &AppState, me: &AccountRow, term: &str) -> AppResult<AccountRow> {
    if !me.is_local() {
        return Err(AppError::not_found());
    }
    if next_move_at(me).is_some() {
        return Err(Invalid::new("target", "error-move-cooldown").into());
    }
    let remote = state
        .remote()
        .ok_or_else(|| Invalid::new("target", "error-move-not-found"))?;
    let (target, aliases) = remote
        .fresh_account(state, term.trim())
        .await
        .ok_or_else(|| Invalid::new("target", "error-move-not-found"))?;
    if target.id == me.id {
        return Err(Invalid::new("target", "error-move-self").into());
    }
    if me.moved_to_uri.as_deref() == Some(target.uri.as_str()) {
        return Err(Invalid::new("target", "error-move-already").into());
    }
    if !aliases.contains(&me.uri) {
        return Err(Invalid::new("target", "error-move-missing-alias").into());
    }
    if (target.actor_type == "Group") != (me.actor_type == "Group") || target.is_instance_actor() {
        return Err(Invalid::new("target", "error-move-kind").into());
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if !db::moving::mark_moved(&mut tx, me.id, &target.uri, now, now - micros(COOLDOWN)).await? {
        return Err(Invalid::new("target", "error-move-cooldown").into());
    }
    outgoing::push(
        &mut tx,
        &outgoing::Outgoing::UpdateActor { account_id: me.id },
    )
    .await?;
    outgoing::push(&mut tx, &outgoing::Outgoing::Move { account_id: me.id }).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    follow_to_new_home(state, me, &target).await?;
    Ok(target)
}

/// Another server's account `origin` moved to `target` (the federation layer checked the
/// target's `alsoKnownAs` on its own server). Records it and moves the local followers, once:
/// `false` when the account already moved less than [`PROCESSING_COOLDOWN`] ago.
pub async fn move_received(
    state: &AppState,
    origin: &AccountRow,
    target: &AccountRow,
) -> AppResult<bool> {
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let recorded = db::moving::mark_moved(
        &mut tx,
        origin.id,
        &target.uri,
        now,
        now - micros(PROCESSING_COOLDOWN),
    )
    .await?;
    tx.commit().await?;
    if recorded {
        follow_to_new_home(state, origin, target).await?;
    }
    Ok(recorded)
}

/// The local followers of `origin` follow `target` and stop following `origin` (a request
/// when `target` approves its followers), and are told (`move`); its local blocks and mutes
/// carry over (Mastodon's `MoveWorker`). For a group, its local followers and members are
/// only told: following or joining the new group is theirs to do.
async fn follow_to_new_home(
    state: &AppState,
    origin: &AccountRow,
    target: &AccountRow,
) -> AppResult<()> {
    let mut told = db::moving::local_followers(state.pool(), origin.id).await?;
    let is_group = origin.actor_type == "Group";
    if is_group {
        told.extend(db::moving::local_members(state.pool(), origin.id).await?);
        told.sort_unstable();
        told.dedup();
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let rows: Vec<_> = told
        .iter()
        .map(|id| (*id, origin.id, NotificationKind::Move, None))
        .collect();
    db::social::notify_many(&mut tx, &rows, now).await?;
    tx.commit().await?;
    if is_group {
        return Ok(());
    }
    for follower in db::accounts::by_ids(state.pool(), &told).await? {
        if follower.id == target.id {
            continue;
        }
        // A follower who may not follow the new account (blocked either way, say) keeps
        // following the old one, as Mastodon's worker gives up on that follower.
        match relationships::follow(state, &follower, target).await {
            Ok(_) => {
                relationships::unfollow(state, &follower, origin).await?;
            }
            Err(e) if e.status.is_client_error() => {
                tracing::info!(follower = follower.id, error = %e.key, "not moved");
            }
            Err(e) => return Err(e),
        }
    }
    let (blockers, muters) =
        db::moving::local_blockers_and_muters(state.pool(), origin.id, now).await?;
    let ids: Vec<i64> = blockers
        .iter()
        .copied()
        .chain(muters.iter().map(|(id, _)| *id))
        .collect();
    for person in db::accounts::by_ids(state.pool(), &ids).await? {
        let rel = relationships::relationship(state, person.id, target.id).await?;
        if rel.following || rel.requested || person.id == target.id {
            continue;
        }
        if blockers.contains(&person.id) {
            if !rel.blocking {
                relationships::block(state, &person, target).await?;
            }
        } else if !rel.muting
            && let Some((_, notifications)) = muters.iter().find(|(id, _)| *id == person.id)
        {
            mutes::mute(state, &person, target, *notifications != 0, None).await?;
        }
    }
    Ok(())
}
