//! What moderators and administrators of a local group do to memberships: approving and
//! refusing requests, banning and removing members, changing roles, inviting.

use super::{Group, administrators, require_role};
use crate::{
    clock,
    db::{self, accounts::AccountRow, groups::MemberRow},
    domain::{MemberRole, MembershipState, NotificationKind},
    error::{AppError, AppResult},
    service::outgoing::{self, Outgoing},
    state::AppState,
};
use axum::http::StatusCode;

/// What a moderator does to a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Accepts a request.
    Approve,
    /// Refuses a request.
    Reject,
    /// Removes a member and refuses them from now on.
    Ban,
    /// Removes a member (they may ask again).
    Remove,
}

/// A moderator acts on someone's membership of a local group.
pub async fn moderate(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    account_id: i64,
    action: Moderation,
) -> AppResult<MemberRow> {
    let my_role = require_role(state, group, by, MemberRole::Moderator).await?;
    let target = db::accounts::by_id(state.pool(), account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let existing = db::groups::member(state.pool(), group.account.id, account_id).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let result = match action {
        Moderation::Approve | Moderation::Reject => {
            let m = existing
                .filter(|m| m.state == MembershipState::Pending)
                .ok_or_else(|| {
                    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-group-no-request")
                })?;
            if action == Moderation::Approve {
                db::groups::accept_member(&mut tx, m.id, now).await?;
            } else {
                db::groups::delete_member(&mut tx, m.id).await?;
            }
            super::request_settled(
                &mut tx,
                group.account.id,
                account_id,
                NotificationKind::GroupJoinRequest,
            )
            .await?;
            if !target.is_local() {
                outgoing::push(
                    &mut tx,
                    &Outgoing::AnswerJoin {
                        group_id: group.account.id,
                        account_id,
                        join_uri: m.uri.clone().unwrap_or_default(),
                        accept: action == Moderation::Approve,
                    },
                )
                .await?;
            }
            m
        }
        Moderation::Ban | Moderation::Remove => {
            if account_id == by.id {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-group-self",
                ));
            }
            let target_role = existing
                .as_ref()
                .filter(|m| m.state == MembershipState::Accepted)
                .map(|m| m.role);
            if target_role.is_some_and(|r| r >= my_role && my_role != MemberRole::Administrator)
                || target_role == Some(MemberRole::Administrator)
                    && my_role != MemberRole::Administrator
            {
                return Err(AppError::forbidden("error-group-role"));
            }
            let m = match (existing, action) {
                (Some(m), Moderation::Ban) => {
                    db::groups::ban_member(&mut tx, m.id).await?;
                    m
                }
                (None, Moderation::Ban) => {
                    let id = db::groups::upsert_member(
                        &mut tx,
                        &db::groups::NewMember {
                            group_id: group.account.id,
                            account_id,
                            role: MemberRole::Member,
                            state: MembershipState::Banned,
                            message: "",
                            uri: None,
                            listed: false,
                            now,
                        },
                    )
                    .await?;
                    banned_row(id, group.account.id, account_id)
                }
                (Some(m), _) => {
                    db::groups::delete_member(&mut tx, m.id).await?;
                    m
                }
                (None, _) => return Err(AppError::not_found()),
            };
            if !target.is_local() && m.state == MembershipState::Accepted {
                outgoing::push(
                    &mut tx,
                    &Outgoing::RemoveMember {
                        group_id: group.account.id,
                        account_id,
                    },
                )
                .await?;
            }
            m
        }
    };
    db::groups::audit(
        &mut *tx,
        group.account.id,
        by.id,
        match action {
            Moderation::Approve => "member_approved",
            Moderation::Reject => "member_rejected",
            Moderation::Ban => "member_banned",
            Moderation::Remove => "member_removed",
        },
        &target.uri,
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(
        db::groups::member(state.pool(), group.account.id, account_id)
            .await?
            .unwrap_or(result),
    )
}

/// The row a ban of a non-member creates (before its transaction commits).
fn banned_row(id: i64, group_id: i64, account_id: i64) -> MemberRow {
    MemberRow {
        id,
        group_id,
        account_id,
        role: MemberRole::Member,
        state: MembershipState::Banned,
        message: String::new(),
        uri: None,
        listed: 0,
        created_at: clock::now(),
        accepted_at: None,
    }
}

/// An administrator changes a member's role. A group keeps at least one administrator.
pub async fn set_role(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    account_id: i64,
    role: &str,
) -> AppResult<MemberRow> {
    let role = MemberRole::parse(role).map_err(|e| AppError::invalid(vec![e]))?;
    require_role(state, group, by, MemberRole::Administrator).await?;
    let m = db::groups::member(state.pool(), group.account.id, account_id)
        .await?
        .filter(|m| m.state == MembershipState::Accepted)
        .ok_or_else(AppError::not_found)?;
    if m.role == MemberRole::Administrator
        && role != MemberRole::Administrator
        && administrators(state, group.account.id).await? <= 1
    {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-last-admin",
        ));
    }
    let mut tx = state.db.begin().await?;
    db::groups::set_role(&mut tx, m.id, role).await?;
    db::groups::audit(
        &mut *tx,
        group.account.id,
        by.id,
        "role_changed",
        &format!("{} {}", account_id, role.as_str()),
        clock::now(),
    )
    .await?;
    tx.commit().await?;
    db::groups::member_by_id(state.pool(), m.id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A moderator invites someone (a local person, or a remote one by an `Invite`).
pub async fn invite(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    account_id: i64,
) -> AppResult<MemberRow> {
    require_role(state, group, by, MemberRole::Moderator).await?;
    let target = db::accounts::by_id(state.pool(), account_id)
        .await?
        .filter(|a| a.deleted_at.is_none() && a.actor_type == "Person")
        .ok_or_else(AppError::not_found)?;
    let existing = db::groups::member(state.pool(), group.account.id, account_id).await?;
    if let Some(m) = &existing
        && m.state != MembershipState::Pending
    {
        return Ok(m.clone());
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    // A pending request and an invitation together make a member.
    let state_name = if existing.is_some() {
        MembershipState::Accepted
    } else {
        MembershipState::Invited
    };
    let id = db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id,
            role: MemberRole::Member,
            state: state_name,
            message: existing.as_ref().map(|m| m.message.as_str()).unwrap_or(""),
            uri: existing.as_ref().and_then(|m| m.uri.as_deref()),
            listed: false,
            now,
        },
    )
    .await?;
    if !target.is_local() {
        let outgoing = if state_name == MembershipState::Accepted {
            Outgoing::AnswerJoin {
                group_id: group.account.id,
                account_id,
                join_uri: existing.and_then(|m| m.uri).unwrap_or_default(),
                accept: true,
            }
        } else {
            Outgoing::InviteMember {
                group_id: group.account.id,
                by_id: by.id,
                account_id,
            }
        };
        outgoing::push(&mut tx, &outgoing).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    db::groups::member_by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}
