//! The member list with requests, invitations, moderation and roles; its CSV export; the
//! audit log.

use super::{GroupCard, card};
use crate::{
    db::{self, accounts::AccountRow, groups::MemberRow},
    domain::MemberRole,
    error::{AppError, AppResult},
    service::{
        directory,
        groups::{self, Moderation, Standing},
    },
    state::AppState,
    web::{Ctx, confirm, form::CsrfForm, redirect_with_flash},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct MembersQuery {
    #[serde(default)]
    after: Option<i64>,
}

/// One line of the member list.
pub struct MemberLine {
    row: MemberRow,
    account: AccountRow,
}

#[derive(Template)]
#[template(path = "group_members.html")]
struct MembersPage {
    c: Ctx,
    g: GroupCard,
    standing: Standing,
    pending: Vec<MemberLine>,
    invited: Vec<MemberLine>,
    members: Vec<MemberLine>,
    next: Option<i64>,
}

impl MembersPage {
    fn is_staff(&self) -> bool {
        self.standing
            .role()
            .is_some_and(|r| r >= MemberRole::Moderator)
    }

    fn is_admin(&self) -> bool {
        self.standing.role() == Some(MemberRole::Administrator)
    }

    fn is_me(&self, line: &MemberLine) -> bool {
        self.c
            .user
            .as_ref()
            .is_some_and(|u| u.account_id == line.account.id)
    }

    fn listed(&self) -> bool {
        self.standing
            .membership
            .as_ref()
            .is_some_and(|m| m.listed != 0)
    }

    fn role_label(&self, role: &MemberRole) -> String {
        self.c.t(&format!("group-role-{role}"))
    }

    fn roles(&self) -> [MemberRole; 3] {
        [
            MemberRole::Member,
            MemberRole::Moderator,
            MemberRole::Administrator,
        ]
    }
}

async fn lines(state: &AppState, rows: Vec<MemberRow>) -> AppResult<Vec<MemberLine>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.account_id).collect();
    let accounts = crate::service::directory::by_id_map(state, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let account = accounts.get(&row.account_id)?.clone();
            Some(MemberLine { row, account })
        })
        .collect())
}

const MEMBERS_PER_PAGE: i64 = 100;

/// `GET /groups/{handle}/members`: moderators see everyone with requests and invitations;
/// members see the members who chose to be listed.
pub async fn members(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<MembersQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    if !group.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-remote",
        ));
    }
    let after = q.after.unwrap_or(0);
    let rows = groups::members(&state, &me, &group, false, after, MEMBERS_PER_PAGE).await?;
    let next = (rows.len() as i64 >= MEMBERS_PER_PAGE)
        .then(|| rows.last().map(|m| m.id))
        .flatten();
    let standing = groups::standing(&state, &group, Some(me.id)).await?;
    let staff = standing.role().is_some_and(|r| r >= MemberRole::Moderator);
    let (pending, invited) = if staff && after == 0 {
        let waiting = groups::members(&state, &me, &group, true, 0, 500).await?;
        let (invited, pending): (Vec<_>, Vec<_>) = waiting
            .into_iter()
            .partition(|m| m.state == crate::domain::MembershipState::Invited);
        (lines(&state, pending).await?, lines(&state, invited).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let members = lines(&state, rows).await?;
    let g = card(&state, &c, group).await?;
    Ok(crate::web::render(&MembersPage {
        c,
        g,
        standing,
        pending,
        invited,
        members,
        next,
    }))
}

#[derive(Deserialize, Default)]
pub struct MemberForm {
    #[serde(default)]
    role: String,
    /// `1` from the confirmation page (removing and excluding ask first).
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /groups/{handle}/members/{account_id}/{approve|reject|ban|remove|role}`.
pub async fn member_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, account_id, action)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    let back = format!("/groups/{}/members", c.handle_of(&group.account));
    if matches!(action.as_str(), "remove" | "ban") && !confirm::confirmed(f.confirm.as_deref()) {
        return confirm_member_action(&state, c, &me, &group, account_id, &action, back).await;
    }
    let flash = match action.as_str() {
        "approve" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Approve).await?;
            "flash-request-accepted"
        }
        "reject" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Reject).await?;
            "flash-request-refused"
        }
        "ban" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Ban).await?;
            "flash-group-member-banned"
        }
        "remove" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Remove).await?;
            "flash-group-member-removed"
        }
        "role" => {
            groups::set_role(&state, &me, &group, account_id, &f.role).await?;
            "flash-role-changed"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(&state, &back, flash))
}

/// The page asking a moderator to confirm removing or excluding someone: shown to the
/// group's moderators only, for someone with a membership (or a request) in it.
async fn confirm_member_action(
    state: &AppState,
    c: Ctx,
    me: &AccountRow,
    group: &groups::Group,
    account_id: i64,
    action: &str,
    back: String,
) -> AppResult<Response> {
    let mine = groups::standing(state, group, Some(me.id)).await?;
    if !group.is_local() || mine.role().is_none_or(|r| r < MemberRole::Moderator) {
        return Err(AppError::forbidden("error-group-role"));
    }
    let theirs = groups::standing(state, group, Some(account_id)).await?;
    if theirs.membership.is_none() {
        return Err(AppError::not_found());
    }
    let person = directory::existing(state, account_id).await?;
    let name = c.name_of(&person);
    let (title, text) = if action == "ban" {
        ("confirm-ban-member-title", "confirm-ban-member-text")
    } else {
        ("confirm-remove-member-title", "confirm-remove-member-text")
    };
    let p = confirm::Confirmation {
        title: c.ta(title, "name", &name),
        subject: format!("{name} (@{})", c.full_handle(&person)),
        consequence: c.t(text),
        action: format!(
            "/groups/{}/members/{account_id}/{action}",
            c.handle_of(&group.account)
        ),
        fields: Vec::new(),
        back,
    };
    Ok(confirm::page(c, p))
}

/// `GET /groups/{handle}/members.csv` (administrators; recorded in the audit log).
pub async fn members_csv(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let csv = groups::members_csv(&state, &me, &group).await?;
    Ok(crate::download::csv(
        &format!("members-{}", group.account.username),
        csv,
    ))
}

/// One line of the audit log.
pub struct AuditLine {
    row: db::groups::AuditRow,
    who: Option<AccountRow>,
}

#[derive(Template)]
#[template(path = "group_audit.html")]
struct AuditPage {
    c: Ctx,
    g: GroupCard,
    entries: Vec<AuditLine>,
}

impl AuditPage {
    fn action_label(&self, action: &str) -> String {
        self.c.t(&format!("group-audit-{action}"))
    }
}

/// `GET /groups/{handle}/audit` (administrators).
pub async fn audit(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let rows = groups::audit_log(&state, &me, &group).await?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.account_id).collect();
    let accounts = crate::service::directory::by_ids(&state, &ids).await?;
    let entries = rows
        .into_iter()
        .map(|row| AuditLine {
            who: row
                .account_id
                .and_then(|id| accounts.iter().find(|a| a.id == id).cloned()),
            row,
        })
        .collect();
    let g = card(&state, &c, group).await?;
    Ok(crate::web::render(&AuditPage { c, g, entries }))
}
