//! Joining and leaving a group, on either side of the federation: a local person's request,
//! a remote person's `Join` to a local group and a remote group's answers, invitations from
//! a remote group, and whether a member is listed.

use super::{Group, administrators};
use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow, groups::MemberRow},
    domain::{FollowState, JoinMode, MemberRole, MembershipState, NotificationKind},
    error::{AppError, AppResult},
    service::outgoing::{self, Outgoing},
    state::AppState,
};
use axum::http::StatusCode;

/// The longest message sent with a membership request.
pub const MAX_MESSAGE: usize = 1000;

/// What became of a request to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// A member now.
    Joined,
    /// Waiting for a moderator (or, for a remote group, for its server's answer).
    Pending,
}

/// Checks a message sent with a request.
fn parse_message(message: Option<&str>) -> AppResult<String> {
    let m = message.unwrap_or_default().trim().to_string();
    crate::domain::check_length("message", &m, 0, MAX_MESSAGE)
        .map_err(|e| AppError::invalid(vec![e]))?;
    Ok(m)
}

/// A local person asks to join a group (local: decided here; remote: a `Join` to its server).
pub async fn join(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    message: Option<&str>,
) -> AppResult<JoinOutcome> {
    let message = parse_message(message)?;
    let existing = db::groups::member(state.pool(), group.account.id, who.id).await?;
    match existing.as_ref().map(|m| m.state) {
        Some(MembershipState::Accepted) => return Ok(JoinOutcome::Joined),
        Some(MembershipState::Banned) => return Err(AppError::forbidden("error-group-banned")),
        Some(MembershipState::Pending) => return Ok(JoinOutcome::Pending),
        Some(MembershipState::Invited) | None => {}
    }
    if !group.is_local() {
        return join_remote(state, who, group, &message).await;
    }
    let now = clock::now();
    let join_uri = format!("{}#joins/{}", who.uri, crypto::random_code(16));
    let mut tx = state.db.begin().await?;
    let invited = existing
        .as_ref()
        .is_some_and(|m| m.state == MembershipState::Invited);
    let accepted = match group.join_mode() {
        JoinMode::Open => true,
        JoinMode::Approval => invited,
        JoinMode::Invite if invited => true,
        JoinMode::Invite => return Err(AppError::forbidden("error-group-invite-only")),
    };
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role: MemberRole::Member,
            state: if accepted {
                MembershipState::Accepted
            } else {
                MembershipState::Pending
            },
            message: &message,
            uri: Some(&join_uri),
            listed: false,
            now,
        },
    )
    .await?;
    if !accepted {
        super::tell_staff(
            &mut tx,
            group.account.id,
            who.id,
            NotificationKind::GroupJoinRequest,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(if accepted {
        JoinOutcome::Joined
    } else {
        JoinOutcome::Pending
    })
}

/// A local person asks to join a group elsewhere: a `Join` (Mobilizon, coopol), or a `Follow`
/// for a group joined by following (Lemmy). A follow of such a group made earlier becomes the
/// membership (same id, same state; its row goes), so the two never disagree.
async fn join_remote(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    message: &str,
) -> AppResult<JoinOutcome> {
    let earlier = if group.joined_by_follow() {
        db::social::follow(state.pool(), who.id, group.account.id).await?
    } else {
        None
    };
    let accepted = earlier
        .as_ref()
        .is_some_and(|f| f.state == FollowState::Accepted);
    let uri = match earlier.as_ref().and_then(|f| f.uri.clone()) {
        Some(uri) => uri,
        None if group.joined_by_follow() => {
            format!("{}#follows/{}", who.uri, crypto::random_code(16))
        }
        None => format!("{}#joins/{}", who.uri, crypto::random_code(16)),
    };
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if let Some(f) = &earlier {
        db::social::delete_follow(&mut tx, f.id).await?;
    }
    let id = db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role: MemberRole::Member,
            state: if accepted {
                MembershipState::Accepted
            } else {
                MembershipState::Pending
            },
            message,
            uri: Some(&uri),
            listed: false,
            now,
        },
    )
    .await?;
    if !accepted {
        outgoing::push(&mut tx, &Outgoing::JoinGroup { member_id: id }).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(if accepted {
        JoinOutcome::Joined
    } else {
        JoinOutcome::Pending
    })
}

/// A remote person asks to join a local group (`Join`). Answered at once when the group is
/// open (or the person invited), else kept for the moderators.
pub async fn join_received(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    join_uri: &str,
    message: &str,
) -> AppResult<JoinOutcome> {
    let message: String = message.trim().chars().take(MAX_MESSAGE).collect();
    let existing = db::groups::member(state.pool(), group.account.id, who.id).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    // Banned people and requests to invite-only groups are refused at once.
    let state_name = match existing.as_ref().map(|m| m.state) {
        Some(MembershipState::Banned) => None,
        Some(MembershipState::Accepted | MembershipState::Invited) => {
            Some(MembershipState::Accepted)
        }
        Some(MembershipState::Pending) | None => match group.join_mode() {
            JoinMode::Open => Some(MembershipState::Accepted),
            JoinMode::Approval => Some(MembershipState::Pending),
            JoinMode::Invite => None,
        },
    };
    let Some(state_name) = state_name else {
        outgoing::push(
            &mut tx,
            &Outgoing::AnswerJoin {
                group_id: group.account.id,
                account_id: who.id,
                join_uri: join_uri.to_string(),
                accept: false,
            },
        )
        .await?;
        tx.commit().await?;
        state.outbox_ready.notify_one();
        return Ok(JoinOutcome::Pending);
    };
    let role = existing
        .as_ref()
        .filter(|m| m.state == MembershipState::Accepted)
        .map(|m| m.role)
        .unwrap_or(MemberRole::Member);
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role,
            state: state_name,
            message: &message,
            uri: Some(join_uri),
            listed: false,
            now,
        },
    )
    .await?;
    if state_name == MembershipState::Pending {
        super::tell_staff(
            &mut tx,
            group.account.id,
            who.id,
            NotificationKind::GroupJoinRequest,
            now,
        )
        .await?;
    }
    if state_name == MembershipState::Accepted {
        outgoing::push(
            &mut tx,
            &Outgoing::AnswerJoin {
                group_id: group.account.id,
                account_id: who.id,
                join_uri: join_uri.to_string(),
                accept: true,
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(if state_name == MembershipState::Accepted {
        JoinOutcome::Joined
    } else {
        JoinOutcome::Pending
    })
}

/// A remote group answered a local person's request (`Accept`/`Reject` of the Join).
pub async fn join_answered(
    state: &AppState,
    membership: &MemberRow,
    accepted: bool,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if accepted {
        db::groups::accept_member(&mut tx, membership.id, clock::now()).await?;
    } else {
        db::groups::delete_member(&mut tx, membership.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A local person leaves a group (or withdraws a request). The last administrator of a local
/// group cannot leave it.
pub async fn leave(state: &AppState, who: &AccountRow, group: &Group) -> AppResult<()> {
    let Some(m) = db::groups::member(state.pool(), group.account.id, who.id).await? else {
        return Ok(());
    };
    if m.state == MembershipState::Banned {
        return Ok(());
    }
    if group.is_local()
        && m.role == MemberRole::Administrator
        && m.state == MembershipState::Accepted
        && administrators(state, group.account.id).await? <= 1
    {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-last-admin",
        ));
    }
    let mut tx = state.db.begin().await?;
    db::groups::delete_member(&mut tx, m.id).await?;
    // A withdrawn request is no longer the staff's to decide.
    super::request_settled(
        &mut tx,
        group.account.id,
        who.id,
        NotificationKind::GroupJoinRequest,
    )
    .await?;
    if !group.is_local() {
        outgoing::push(
            &mut tx,
            &Outgoing::LeaveGroup {
                group_id: group.account.id,
                account_id: who.id,
                join_uri: m.uri.clone().unwrap_or_default(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// A remote member left a local group (`Leave`, or `Undo(Join)`).
pub async fn leave_received(state: &AppState, who: &AccountRow, group: &Group) -> AppResult<bool> {
    let Some(m) = db::groups::member(state.pool(), group.account.id, who.id).await? else {
        return Ok(false);
    };
    if m.state == MembershipState::Banned {
        return Ok(false);
    }
    let mut tx = state.db.begin().await?;
    db::groups::delete_member(&mut tx, m.id).await?;
    super::request_settled(
        &mut tx,
        group.account.id,
        who.id,
        NotificationKind::GroupJoinRequest,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A remote group removed (or banned) a local member.
pub async fn removed_by_group(state: &AppState, group: &Group, who: &AccountRow) -> AppResult<()> {
    if let Some(m) = db::groups::member(state.pool(), group.account.id, who.id).await? {
        let mut tx = state.db.begin().await?;
        db::groups::delete_member(&mut tx, m.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A remote group invited a local person: remembered, so joining is one click.
pub async fn invited_by_group(state: &AppState, group: &Group, who: &AccountRow) -> AppResult<()> {
    if db::groups::member(state.pool(), group.account.id, who.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role: MemberRole::Member,
            state: MembershipState::Invited,
            message: "",
            uri: None,
            listed: false,
            now: clock::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a member appears in the list other members see.
pub async fn set_listed(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    listed: bool,
) -> AppResult<()> {
    let m = db::groups::member(state.pool(), group.account.id, who.id)
        .await?
        .filter(|m| m.state == MembershipState::Accepted)
        .ok_or_else(AppError::not_found)?;
    db::groups::set_listed(state.pool(), m.id, listed).await?;
    Ok(())
}
