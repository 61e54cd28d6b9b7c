//! Follows and blocks between accounts, local or remote: asking, accepting, refusing,
//! withdrawing; and the state of a relationship as apps show it.

use super::outgoing::{self, Outgoing};
use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow, social::FollowRow},
    domain::{FollowState, NotificationKind},
    error::{AppError, AppResult},
    state::AppState,
};

/// How many recent posts of a newly followed account go into the follower's home timeline.
const BACKFILL: i64 = 40;

/// A relationship as the Mastodon API describes it, from `account_id`'s side.
#[derive(Debug, Clone, Default)]
pub struct Relationship {
    /// The other account.
    pub id: i64,
    /// I follow them (accepted).
    pub following: bool,
    /// I asked to follow them (pending).
    pub requested: bool,
    /// They follow me.
    pub followed_by: bool,
    /// They asked to follow me (pending).
    pub requested_by: bool,
    /// I block them.
    pub blocking: bool,
    /// They block me.
    pub blocked_by: bool,
    /// I mute them (a mute in force).
    pub muting: bool,
    /// My mute of them keeps their notifications away too.
    pub muting_notifications: bool,
    /// I block their domain.
    pub domain_blocking: bool,
    /// I endorse them (on my profile).
    pub endorsed: bool,
    /// My private note on them (empty: none).
    pub note: String,
}

/// The relationship of `me` to `other`.
pub async fn relationship(state: &AppState, me: i64, other: i64) -> AppResult<Relationship> {
    Ok(super::account_extras::relationships(state, me, &[other])
        .await?
        .pop()
        .unwrap_or(Relationship {
            id: other,
            ..Default::default()
        }))
}

/// A local account follows another (local: at once, or a request if it is locked; remote: a
/// request its server answers).
pub async fn follow(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
) -> AppResult<Relationship> {
    if me.id == target.id {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-follow-self",
        ));
    }
    if target.deleted_at.is_some() || target.is_instance_actor() {
        return Err(AppError::not_found());
    }
    // An account that moved takes no new followers: its followers went to the new one.
    super::moving::ensure_not_moved(target)?;
    if db::social::blocked_either_way(state.pool(), me.id, target.id).await? {
        return Err(AppError::forbidden("error-blocked"));
    }
    if db::social::follow(state.pool(), me.id, target.id)
        .await?
        .is_some()
        || membership_by_follow(state, me, target).await?.is_some()
    {
        return relationship(state, me.id, target.id).await;
    }
    let now = clock::now();
    let uri = format!("{}#follows/{}", me.uri, crypto::random_code(16));
    let approval = needs_approval(state, me, target).await?;
    let mut tx = state.db.begin().await?;
    if target.is_local() {
        let state_name = if approval {
            FollowState::Pending
        } else {
            FollowState::Accepted
        };
        db::social::insert_follow(&mut tx, me.id, target.id, Some(&uri), state_name, now).await?;
        if approval {
            tell_if_affiliation(&mut tx, me, target, now).await?;
        }
        if target.locked != 0 {
            db::social::notify(
                &mut tx,
                target.id,
                me.id,
                NotificationKind::FollowRequest,
                None,
                now,
            )
            .await?;
        } else {
            db::social::notify(
                &mut tx,
                target.id,
                me.id,
                NotificationKind::Follow,
                None,
                now,
            )
            .await?;
            db::social::backfill_feed(&mut tx, me.id, target.id, BACKFILL).await?;
        }
    } else {
        let follow = db::social::insert_follow(
            &mut tx,
            me.id,
            target.id,
            Some(&uri),
            FollowState::Pending,
            now,
        )
        .await?;
        outgoing::push(
            &mut tx,
            &Outgoing::Follow {
                follow_id: follow.id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    relationship(state, me.id, target.id).await
}

/// Whether following `target` waits for its approval: it is locked, or a group follows a
/// group: that asks to affiliate (a section affiliated with a federation receives its
/// members-only announcements), which the target's administrators decide, unless it is a
/// federation following back a section affiliated with it (which gives the federation nothing
/// closed: only an approved affiliation does, docs/SECURITY.md rule T3).
async fn needs_approval(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
) -> AppResult<bool> {
    if target.locked != 0 {
        return Ok(true);
    }
    if follower.actor_type == "Group" && target.actor_type == "Group" {
        return Ok(!db::social::is_affiliation(state.pool(), target.id, follower.id).await?);
    }
    Ok(false)
}

/// A local person's membership of a group joined by following it (Lemmy), which is their
/// follow of it: following such a group again changes nothing, unfollowing it leaves it.
async fn membership_by_follow(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
) -> AppResult<Option<crate::service::groups::Group>> {
    if target.actor_type != "Group" || target.is_local() {
        return Ok(None);
    }
    let Some(group) = crate::service::groups::load(state, target.id).await? else {
        return Ok(None);
    };
    if !group.joined_by_follow() {
        return Ok(None);
    }
    let member = db::groups::member(state.pool(), target.id, me.id).await?;
    Ok(member
        .filter(|m| {
            matches!(
                m.state,
                crate::domain::MembershipState::Accepted | crate::domain::MembershipState::Pending
            )
        })
        .map(|_| group))
}

/// A local account stops following another, or withdraws its request.
pub async fn unfollow(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
) -> AppResult<Relationship> {
    if let Some(group) = membership_by_follow(state, me, target).await? {
        crate::service::groups::leave(state, me, &group).await?;
        return relationship(state, me.id, target.id).await;
    }
    if let Some(follow) = db::social::follow(state.pool(), me.id, target.id).await? {
        let mut tx = state.db.begin().await?;
        db::social::delete_follow(&mut tx, follow.id).await?;
        db::social::remove_author_from_feed(&mut tx, me.id, target.id).await?;
        db::social::unnotify(&mut tx, target.id, me.id, NotificationKind::FollowRequest).await?;
        crate::service::groups::request_settled(
            &mut tx,
            target.id,
            me.id,
            NotificationKind::AffiliationRequest,
        )
        .await?;
        if !target.is_local() {
            outgoing::push(
                &mut tx,
                &Outgoing::UndoFollow {
                    account_id: me.id,
                    target_id: target.id,
                    follow_uri: follow.uri.unwrap_or_default(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        state.outbox_ready.notify_one();
    }
    relationship(state, me.id, target.id).await
}

/// A local account accepts a follow request.
pub async fn authorize(
    state: &AppState,
    me: &AccountRow,
    requester_id: i64,
) -> AppResult<Relationship> {
    let follow = db::social::follow(state.pool(), requester_id, me.id)
        .await?
        .filter(|f| f.state == FollowState::Pending)
        .ok_or_else(AppError::not_found)?;
    let requester = db::accounts::by_id(state.pool(), requester_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::social::set_follow_state(&mut tx, follow.id, FollowState::Accepted, None).await?;
    db::social::unnotify(
        &mut tx,
        me.id,
        requester_id,
        NotificationKind::FollowRequest,
    )
    .await?;
    db::social::notify(
        &mut tx,
        me.id,
        requester_id,
        NotificationKind::Follow,
        None,
        now,
    )
    .await?;
    if requester.is_local() {
        db::social::backfill_feed(&mut tx, requester_id, me.id, BACKFILL).await?;
    } else {
        outgoing::push(
            &mut tx,
            &Outgoing::AcceptFollow {
                account_id: me.id,
                follower_id: requester_id,
                follow_uri: follow.uri.unwrap_or_default(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    relationship(state, me.id, requester_id).await
}

/// A local account refuses a follow request.
pub async fn reject(
    state: &AppState,
    me: &AccountRow,
    requester_id: i64,
) -> AppResult<Relationship> {
    let follow = db::social::follow(state.pool(), requester_id, me.id)
        .await?
        .filter(|f| f.state == FollowState::Pending)
        .ok_or_else(AppError::not_found)?;
    let requester = db::accounts::by_id(state.pool(), requester_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut tx = state.db.begin().await?;
    db::social::delete_follow(&mut tx, follow.id).await?;
    db::social::unnotify(
        &mut tx,
        me.id,
        requester_id,
        NotificationKind::FollowRequest,
    )
    .await?;
    if !requester.is_local() {
        outgoing::push(
            &mut tx,
            &Outgoing::RejectFollow {
                account_id: me.id,
                follower_id: requester_id,
                follow_uri: follow.uri.unwrap_or_default(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    relationship(state, me.id, requester_id).await
}

/// A local account blocks another: follows both ways end, their posts leave its timeline.
pub async fn block(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
) -> AppResult<Relationship> {
    if me.id == target.id {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-block-self",
        ));
    }
    if db::social::block(state.pool(), me.id, target.id)
        .await?
        .is_none()
    {
        let now = clock::now();
        let uri = format!("{}#blocks/{}", me.uri, crypto::random_code(16));
        let mut tx = state.db.begin().await?;
        db::social::insert_block(&mut tx, me.id, target.id, Some(&uri), now).await?;
        let ended: Vec<FollowRow> =
            db::social::delete_follows_between(&mut tx, me.id, target.id).await?;
        db::social::remove_author_from_feed(&mut tx, me.id, target.id).await?;
        if target.is_local() {
            db::social::remove_author_from_feed(&mut tx, target.id, me.id).await?;
        } else {
            // Mastodon's way: the Block tells the other server to drop the follows; an Undo
            // of our own follow keeps servers that ignore blocks in step.
            for f in ended.iter().filter(|f| f.account_id == me.id) {
                outgoing::push(
                    &mut tx,
                    &Outgoing::UndoFollow {
                        account_id: me.id,
                        target_id: target.id,
                        follow_uri: f.uri.clone().unwrap_or_default(),
                    },
                )
                .await?;
            }
            outgoing::push(
                &mut tx,
                &Outgoing::Block {
                    account_id: me.id,
                    target_id: target.id,
                    block_uri: uri,
                },
            )
            .await?;
        }
        tx.commit().await?;
        state.outbox_ready.notify_one();
    }
    relationship(state, me.id, target.id).await
}

/// Lifts a block.
pub async fn unblock(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
) -> AppResult<Relationship> {
    if let Some(b) = db::social::block(state.pool(), me.id, target.id).await? {
        let mut tx = state.db.begin().await?;
        db::social::delete_block(&mut tx, b.id).await?;
        if !target.is_local() {
            outgoing::push(
                &mut tx,
                &Outgoing::UndoBlock {
                    account_id: me.id,
                    target_id: target.id,
                    block_uri: b.uri.unwrap_or_default(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        state.outbox_ready.notify_one();
    }
    relationship(state, me.id, target.id).await
}

/// What became of a remote follow request to a local account.
/// A page of the accounts following `account` (follow id, follower id), as `viewer` may see
/// it. A group's followers are its sympathizers, and sympathy for a party is a political
/// opinion: only the group's own moderators see them; for anyone else, and for a group of
/// another server, the list is empty, as its ActivityPub collection gives only a count
/// (docs/SECURITY.md, rule P2).
pub async fn followers_page(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    if !followers_listed(state, viewer, account).await? {
        return Ok(Vec::new());
    }
    Ok(db::social::followers_page(state.pool(), account.id, max_id, limit).await?)
}

/// Whether `viewer` may learn who follows `account`: anyone for a person; for a group (whose
/// followers are its sympathizers) only its own moderators, and nobody for a group of another
/// server (docs/SECURITY.md, rule P2). Familiar followers keep the same rule.
pub async fn followers_listed(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
) -> AppResult<bool> {
    if account.actor_type != "Group" {
        return Ok(true);
    }
    Ok(match super::groups::load(state, account.id).await? {
        Some(group) if group.is_local() => super::groups::standing(state, &group, viewer)
            .await?
            .role()
            .is_some_and(|r| r >= crate::domain::MemberRole::Moderator),
        _ => false,
    })
}

/// A page of the accounts `account` follows (follow id, followed id), as `viewer` may see it:
/// the groups someone follows (the sections they sympathize with) are theirs alone to see
/// (docs/SECURITY.md, rule P2).
pub async fn following_page(
    state: &AppState,
    viewer: Option<i64>,
    account: &AccountRow,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    let hide_groups = viewer != Some(account.id);
    Ok(db::social::following_page(state.pool(), account.id, max_id, limit, hide_groups).await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    /// Accepted at once: an Accept is on its way.
    Accepted,
    /// The account approves followers by hand: waiting.
    Pending,
    /// The account blocks the follower: a Reject is on its way.
    Refused,
}

/// A remote account asks to follow a local one. Asking again (a retry, or a server that lost
/// our Accept) is answered again, idempotently.
pub async fn follow_received(
    state: &AppState,
    follower: &AccountRow,
    target: &AccountRow,
    follow_uri: &str,
) -> AppResult<FollowOutcome> {
    let now = clock::now();
    let approval = needs_approval(state, follower, target).await?;
    let mut tx = state.db.begin().await?;
    // A follow from a domain the person blocks is refused as a block's is (Mastodon's way).
    let blocked = db::social::blocked_either_way(&mut *tx, follower.id, target.id).await?
        || db::account_extras::blocks_domain_of(&mut *tx, target.id, follower.id).await?;
    if blocked || target.deleted_at.is_some() || target.moved_to_uri.is_some() {
        outgoing::push(
            &mut tx,
            &Outgoing::RejectFollow {
                account_id: target.id,
                follower_id: follower.id,
                follow_uri: follow_uri.to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        state.outbox_ready.notify_one();
        return Ok(FollowOutcome::Refused);
    }
    let existing = db::social::follow(&mut *tx, follower.id, target.id).await?;
    let outcome = match existing {
        Some(f) if f.state == FollowState::Accepted => {
            db::social::set_follow_state(&mut tx, f.id, FollowState::Accepted, Some(follow_uri))
                .await?;
            FollowOutcome::Accepted
        }
        Some(f) => {
            db::social::set_follow_state(&mut tx, f.id, FollowState::Pending, Some(follow_uri))
                .await?;
            FollowOutcome::Pending
        }
        None if approval => {
            db::social::insert_follow(
                &mut tx,
                follower.id,
                target.id,
                Some(follow_uri),
                FollowState::Pending,
                now,
            )
            .await?;
            db::social::notify(
                &mut tx,
                target.id,
                follower.id,
                NotificationKind::FollowRequest,
                None,
                now,
            )
            .await?;
            tell_if_affiliation(&mut tx, follower, target, now).await?;
            FollowOutcome::Pending
        }
        None => {
            db::social::insert_follow(
                &mut tx,
                follower.id,
                target.id,
                Some(follow_uri),
                FollowState::Accepted,
                now,
            )
            .await?;
            db::social::notify(
                &mut tx,
                target.id,
                follower.id,
                NotificationKind::Follow,
                None,
                now,
            )
            .await?;
            FollowOutcome::Accepted
        }
    };
    if outcome == FollowOutcome::Accepted {
        outgoing::push(
            &mut tx,
            &Outgoing::AcceptFollow {
                account_id: target.id,
                follower_id: follower.id,
                follow_uri: follow_uri.to_string(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(outcome)
}

/// A remote account accepted a local account's follow request.
pub async fn accept_received(state: &AppState, follow: &FollowRow) -> AppResult<()> {
    if follow.state == FollowState::Accepted {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    db::social::set_follow_state(&mut tx, follow.id, FollowState::Accepted, None).await?;
    db::social::backfill_feed(
        &mut tx,
        follow.account_id,
        follow.target_account_id,
        BACKFILL,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A remote account refused (or removed) a local follower.
pub async fn reject_received(state: &AppState, follow: &FollowRow) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    db::social::delete_follow(&mut tx, follow.id).await?;
    db::social::remove_author_from_feed(&mut tx, follow.account_id, follow.target_account_id)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A remote follower stopped following (or withdrew its request).
pub async fn undo_follow_received(state: &AppState, follow: &FollowRow) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    db::social::delete_follow(&mut tx, follow.id).await?;
    db::social::unnotify(
        &mut tx,
        follow.target_account_id,
        follow.account_id,
        NotificationKind::FollowRequest,
    )
    .await?;
    crate::service::groups::request_settled(
        &mut tx,
        follow.target_account_id,
        follow.account_id,
        NotificationKind::AffiliationRequest,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A remote account blocked a local one: the follows between them end.
pub async fn block_received(
    state: &AppState,
    blocker: &AccountRow,
    target: &AccountRow,
    uri: &str,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    db::social::insert_block(&mut tx, blocker.id, target.id, Some(uri), clock::now()).await?;
    db::social::delete_follows_between(&mut tx, blocker.id, target.id).await?;
    db::social::remove_author_from_feed(&mut tx, target.id, blocker.id).await?;
    tx.commit().await?;
    Ok(())
}

/// A remote account lifted its block.
pub async fn unblock_received(
    state: &AppState,
    blocker: &AccountRow,
    target_id: i64,
    uri: Option<&str>,
) -> AppResult<()> {
    let b = match uri {
        Some(uri) => db::social::block_by_uri(state.pool(), uri).await?,
        None => None,
    };
    let b = match b {
        Some(b) => Some(b),
        None => db::social::block(state.pool(), blocker.id, target_id).await?,
    };
    if let Some(b) = b.filter(|b| b.account_id == blocker.id) {
        let mut tx = state.db.begin().await?;
        db::social::delete_block(&mut tx, b.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A page of the follow requests `me` has to answer: (request id, who asks), newest first.
pub async fn follow_requests(
    state: &AppState,
    me: i64,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::social::follow_requests(state.pool(), me, max_id, limit).await?)
}

/// A page of the accounts `me` blocks: (block id, blocked account), newest first.
pub async fn blocks(
    state: &AppState,
    me: i64,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::social::blocks_page(state.pool(), me, max_id, limit).await?)
}

/// A group asking to follow a local group is a section asking to be affiliated: the
/// federation's staff are told.
async fn tell_if_affiliation(
    tx: &mut sqlx::AnyConnection,
    follower: &AccountRow,
    target: &AccountRow,
    now: i64,
) -> AppResult<()> {
    if follower.actor_type == "Group" && target.actor_type == "Group" && target.is_local() {
        crate::service::groups::tell_staff(
            tx,
            target.id,
            follower.id,
            NotificationKind::AffiliationRequest,
            now,
        )
        .await?;
    }
    Ok(())
}
