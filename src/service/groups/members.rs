//! A group's member list as a viewer may see it, its CSV export, and the audit log.

use super::{Group, require_role, standing};
use crate::{
    clock,
    db::{self, accounts::AccountRow, groups::MemberRow},
    domain::{MemberRole, MembershipState},
    error::{AppError, AppResult},
    state::AppState,
};

/// A page of a group's member list as `viewer` may see it: administrators and moderators see
/// everyone (and, with `state` = `pending`, the requests); members see the members who chose
/// to be listed; others see nothing.
pub async fn members(
    state: &AppState,
    viewer: &AccountRow,
    group: &Group,
    pending: bool,
    after_id: i64,
    limit: i64,
) -> AppResult<Vec<MemberRow>> {
    let standing = standing(state, group, Some(viewer.id)).await?;
    let role = standing
        .role()
        .ok_or_else(|| AppError::forbidden("error-group-members-only"))?;
    let staff = role >= MemberRole::Moderator;
    if pending && !staff {
        return Err(AppError::forbidden("error-group-role"));
    }
    let state_name = if pending {
        MembershipState::Pending
    } else {
        MembershipState::Accepted
    };
    Ok(db::groups::members(
        state.pool(),
        group.account.id,
        state_name,
        !staff,
        after_id,
        limit.clamp(1, 500),
    )
    .await?)
}

/// The member list as CSV (administrators of local groups), recorded in the audit log.
pub async fn members_csv(state: &AppState, by: &AccountRow, group: &Group) -> AppResult<String> {
    require_role(state, group, by, MemberRole::Administrator).await?;
    let mut out = String::from("handle,display_name,role,joined_at,listed\r\n");
    let mut after = 0;
    let mut count = 0;
    loop {
        let page = db::groups::members(
            state.pool(),
            group.account.id,
            MembershipState::Accepted,
            false,
            after,
            500,
        )
        .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|m| m.account_id).collect();
        let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
        for m in &page {
            let Some(a) = accounts.iter().find(|a| a.id == m.account_id) else {
                continue;
            };
            let handle = a.acct(&state.config.domain);
            out.push_str(&format!(
                "{},{},{},{},{}\r\n",
                csv_field(&handle),
                csv_field(&a.display_name),
                m.role,
                m.accepted_at.map(clock::to_rfc3339).unwrap_or_default(),
                m.listed != 0
            ));
            count += 1;
        }
    }
    db::groups::audit(
        state.pool(),
        group.account.id,
        by.id,
        "members_export",
        &format!("{count} members"),
        clock::now(),
    )
    .await?;
    Ok(out)
}

/// One CSV field: quoted when needed, and never starting like a spreadsheet formula.
pub(crate) fn csv_field(value: &str) -> String {
    let mut v = value.to_string();
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A group's audit log (administrators).
pub async fn audit_log(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
) -> AppResult<Vec<db::groups::AuditRow>> {
    require_role(state, group, by, MemberRole::Administrator).await?;
    Ok(db::groups::audit_log(state.pool(), group.account.id, 200).await?)
}
