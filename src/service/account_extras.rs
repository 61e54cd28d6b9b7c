//! What a person keeps about other accounts, as Mastodon 4.3 offers it: the domains they block,
//! their private notes on accounts, the accounts they endorse; familiar followers; and the
//! relationships of several accounts at once, read in a fixed number of queries.
//!
//! A domain block is private: it never federates and nobody else sees it. It hides the posts,
//! boosts and notifications of the domain's accounts from the person, in the queries that read
//! their timelines (`db::account_extras::not_domain_blocked`), in the statement that writes
//! notifications (`db::notification_policy::verdict_sql`) and in the streams; their followers
//! there are removed (each gets a `Reject` of its follow, as Mastodon sends, so its server
//! stops counting it and we stop delivering to it), and the notifications already received
//! from there are deleted. The person's own follows of accounts there stay, hidden.

use super::{
    outgoing::{self, Outgoing},
    relationships::Relationship,
};
use crate::{
    clock,
    db::{self, accounts::AccountRow, statuses::Page},
    domain::{FollowState, account_extras},
    error::{AppError, AppResult},
    state::AppState,
};
use axum::http::StatusCode;
use std::collections::{HashMap, HashSet};

/// How many familiar followers are given for each account asked about.
pub const FAMILIAR_PER_ACCOUNT: i64 = 40;

/// How many endorsed accounts a profile page shows.
pub const ENDORSED_ON_PROFILE: i64 = 20;

fn own_domain(state: &AppState) -> String {
    account_extras::own_domain(&state.config.public_url)
}

/// `me` blocks `domain` (as typed: it is checked first; blocking it again changes nothing).
/// Returns the domain as recorded.
pub async fn block_domain(state: &AppState, me: &AccountRow, domain: &str) -> AppResult<String> {
    let domain = account_extras::blocked_domain(domain, &own_domain(state))
        .map_err(|e| AppError::invalid(vec![e]))?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if db::account_extras::block_domain(&mut tx, state.ids.next(), me.id, &domain, now).await? {
        for follow in db::account_extras::followers_on_domain(&mut tx, me.id, &domain).await? {
            db::social::delete_follow(&mut tx, follow.id).await?;
            outgoing::push(
                &mut tx,
                &Outgoing::RejectFollow {
                    account_id: me.id,
                    follower_id: follow.account_id,
                    follow_uri: follow.uri.unwrap_or_default(),
                },
            )
            .await?;
        }
        db::account_extras::forget_domain_notifications(&mut tx, me.id, &domain).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(domain)
}

/// `me` lifts its block of `domain` (nothing when there is none; the followers removed stay
/// removed, as on Mastodon).
pub async fn unblock_domain(state: &AppState, me: &AccountRow, domain: &str) -> AppResult<()> {
    let domain = account_extras::blocked_domain(domain, &own_domain(state))
        .map_err(|e| AppError::invalid(vec![e]))?;
    Ok(db::account_extras::unblock_domain(state.pool(), me.id, &domain).await?)
}

/// A page of `me`'s blocked domains: (block id, domain), newest first.
pub async fn domain_blocks(state: &AppState, me: i64, page: Page) -> AppResult<Vec<(i64, String)>> {
    Ok(db::account_extras::domain_blocks_page(state.pool(), me, page).await?)
}

/// Sets `me`'s private note on `target` (an empty one removes it).
pub async fn set_note(
    state: &AppState,
    me: &AccountRow,
    target: &AccountRow,
    comment: &str,
) -> AppResult<()> {
    let note = account_extras::account_note(comment).map_err(|e| AppError::invalid(vec![e]))?;
    Ok(db::account_extras::set_note(
        state.pool(),
        me.id,
        target.id,
        note.as_deref(),
        clock::now(),
    )
    .await?)
}

/// `me` endorses `target`, which it must follow (else 422, as Mastodon).
pub async fn endorse(state: &AppState, me: &AccountRow, target: &AccountRow) -> AppResult<()> {
    let endorsed = me.id != target.id
        && db::account_extras::endorse(
            state.pool(),
            state.ids.next(),
            me.id,
            target.id,
            clock::now(),
        )
        .await?;
    if !endorsed {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-endorse-not-followed",
        ));
    }
    Ok(())
}

/// `me` stops endorsing `target` (nothing when it did not).
pub async fn unendorse(state: &AppState, me: &AccountRow, target: &AccountRow) -> AppResult<()> {
    Ok(db::account_extras::unendorse(state.pool(), me.id, target.id).await?)
}

/// A page of the accounts `me` endorses: (endorsement id, account), newest first.
pub async fn endorsements(state: &AppState, me: i64, page: Page) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::account_extras::endorsements_page(state.pool(), me, page).await?)
}

/// The people `account` endorses, as its public profile shows them (never groups: rule P10 of
/// docs/SECURITY.md), newest first.
pub async fn endorsed_people(state: &AppState, account: &AccountRow) -> AppResult<Vec<AccountRow>> {
    let ids =
        db::account_extras::endorsed_people(state.pool(), account.id, ENDORSED_ON_PROFILE).await?;
    let found = super::directory::by_id_map(state, &ids).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(a) = found.get(&id)
            && let Some(a) = super::directory::shown(state, a.clone()).await?
        {
            out.push(a);
        }
    }
    Ok(out)
}

/// For each of `ids` that names an account (in the order asked, each once), the accounts
/// `viewer` follows that follow it, under the rule that lists followers: a group's followers
/// (its sympathizers) only for its moderators (docs/SECURITY.md P2); none for `viewer` itself,
/// as Mastodon.
pub async fn familiar_followers(
    state: &AppState,
    viewer: i64,
    ids: &[i64],
) -> AppResult<Vec<(i64, Vec<AccountRow>)>> {
    let mut asked: Vec<i64> = Vec::new();
    for id in ids {
        if !asked.contains(id) {
            asked.push(*id);
        }
    }
    let accounts = super::directory::by_id_map(state, &asked).await?;
    let mut listed = Vec::new();
    for id in &asked {
        let Some(a) = accounts.get(id).filter(|a| a.deleted_at.is_none()) else {
            continue;
        };
        if *id != viewer && super::relationships::followers_listed(state, Some(viewer), a).await? {
            listed.push(*id);
        }
    }
    let pairs =
        db::account_extras::familiar_followers(state.pool(), viewer, &listed, FAMILIAR_PER_ACCOUNT)
            .await?;
    let followers: Vec<i64> = pairs.iter().map(|(_, a)| *a).collect();
    let people = super::directory::by_id_map(state, &followers).await?;
    let mut out = Vec::new();
    for id in asked {
        if accounts.get(&id).is_none_or(|a| a.deleted_at.is_some()) {
            continue;
        }
        let mut shown = Vec::new();
        for (_, follower) in pairs.iter().filter(|(t, _)| *t == id) {
            if let Some(a) = people.get(follower)
                && let Some(a) = super::directory::shown(state, a.clone()).await?
            {
                shown.push(a);
            }
        }
        out.push((id, shown));
    }
    Ok(out)
}

/// The relationships of `me` to each of `ids`, in that order, in seven queries whatever their
/// number.
pub async fn relationships(state: &AppState, me: i64, ids: &[i64]) -> AppResult<Vec<Relationship>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let pool = state.pool();
    let mut mine: HashMap<i64, FollowState> = HashMap::new();
    let mut theirs: HashMap<i64, FollowState> = HashMap::new();
    for f in db::account_extras::follows_among(pool, me, ids).await? {
        if f.account_id == me {
            mine.insert(f.target_account_id, f.state);
        }
        if f.target_account_id == me {
            theirs.insert(f.account_id, f.state);
        }
    }
    // A membership of a group joined by following it is that follow.
    for (group, membership) in db::account_extras::follow_memberships_among(pool, me, ids).await? {
        match membership {
            crate::domain::MembershipState::Accepted => {
                mine.insert(group, FollowState::Accepted);
            }
            crate::domain::MembershipState::Pending => {
                mine.insert(group, FollowState::Pending);
            }
            _ => {}
        }
    }
    let mut blocking = HashSet::new();
    let mut blocked_by = HashSet::new();
    for (blocker, blocked) in db::account_extras::blocks_among(pool, me, ids).await? {
        if blocker == me {
            blocking.insert(blocked);
        }
        if blocked == me {
            blocked_by.insert(blocker);
        }
    }
    let mutes: HashMap<i64, i64> = db::account_extras::mutes_among(pool, me, ids, clock::now())
        .await?
        .into_iter()
        .collect();
    let domains: HashSet<i64> = db::account_extras::domain_blocked_among(pool, me, ids)
        .await?
        .into_iter()
        .collect();
    let mut notes: HashMap<i64, String> = db::account_extras::notes_among(pool, me, ids)
        .await?
        .into_iter()
        .collect();
    let endorsed: HashSet<i64> = db::account_extras::endorsed_among(pool, me, ids)
        .await?
        .into_iter()
        .collect();
    Ok(ids
        .iter()
        .map(|&id| Relationship {
            id,
            following: mine.get(&id) == Some(&FollowState::Accepted),
            requested: mine.get(&id) == Some(&FollowState::Pending),
            followed_by: theirs.get(&id) == Some(&FollowState::Accepted),
            requested_by: theirs.get(&id) == Some(&FollowState::Pending),
            blocking: blocking.contains(&id),
            blocked_by: blocked_by.contains(&id),
            muting: mutes.contains_key(&id),
            muting_notifications: mutes.get(&id).is_some_and(|n| *n != 0),
            domain_blocking: domains.contains(&id),
            endorsed: endorsed.contains(&id),
            note: notes.remove(&id).unwrap_or_default(),
        })
        .collect())
}
