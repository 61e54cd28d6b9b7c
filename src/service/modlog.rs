//! The moderation log: every action of the instance's moderators and administrators is
//! recorded with [`record`], in the transaction that does it, so that an action and its
//! record are kept or lost together; administrators read it ([`page`], and every group's log
//! with [`group_page`]); the hourly chores forget what is older than
//! `moderation_log_retention_days` ([`chores`]). An entry says who did what to what, and when:
//! never content the rules keep from the reader (a member list, a message), only names and
//! short parameters such as a role.
//!
//! Who may act: [`require_staff`] (moderators and administrators) and [`require_admin`]
//! are the checks every moderation use case starts with (docs/SECURITY.md, M rules).

use crate::{
    clock,
    db::{
        self,
        accounts::UserRow,
        modlog::{Filter, GroupLogRow, LogRow, NewEntry},
    },
    domain::modlog::{Action, Target, params_json},
    error::{AppError, AppResult},
    state::AppState,
};
use sqlx::AnyExecutor;

/// How many entries a page of the log shows.
pub const PAGE: i64 = 50;

/// What to record.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Who acted (`None`: the instance itself, e.g. applying another server's request).
    pub actor: Option<i64>,
    /// What was done.
    pub action: Action,
    /// To what kind of thing.
    pub target: Target,
    /// Its id, when it has one.
    pub target_id: Option<i64>,
    /// How it is named now (a handle, a domain, a code), so the entry reads once it is gone.
    pub label: &'a str,
    /// Short parameters the entry's sentence shows (`role`, `mode`, ...).
    pub params: &'a [(&'static str, String)],
}

impl<'a> Entry<'a> {
    /// An entry without parameters.
    pub fn new(
        actor: Option<i64>,
        action: Action,
        target: Target,
        target_id: Option<i64>,
        label: &'a str,
    ) -> Entry<'a> {
        Entry {
            actor,
            action,
            target,
            target_id,
            label,
            params: &[],
        }
    }

    /// The same entry with parameters.
    pub fn with(self, params: &'a [(&'static str, String)]) -> Entry<'a> {
        Entry { params, ..self }
    }
}

/// Records an entry, on the caller's connection or transaction.
pub async fn record(db: impl AnyExecutor<'_>, e: Entry<'_>) -> AppResult<()> {
    let params: Vec<(&str, String)> = e.params.iter().map(|(k, v)| (*k, v.clone())).collect();
    let params = params_json(&params);
    db::modlog::insert(
        db,
        &NewEntry {
            actor_id: e.actor,
            action: e.action.as_str(),
            target_kind: e.target.as_str(),
            target_id: e.target_id,
            target_label: e.label,
            params: &params,
            created_at: clock::now(),
        },
    )
    .await?;
    Ok(())
}

/// The signed-in person may moderate (moderator or administrator), or 403.
pub fn require_staff(user: &UserRow) -> AppResult<()> {
    if user.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden("error-moderators-only"))
    }
}

/// The signed-in person is an administrator, or 403.
pub fn require_admin(user: &UserRow) -> AppResult<()> {
    if user.role.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden("error-admin-only"))
    }
}

/// A page of the instance's log, newest first (administrators only).
pub async fn page(
    state: &AppState,
    viewer: &UserRow,
    filter: &Filter,
    max_id: Option<i64>,
) -> AppResult<Vec<LogRow>> {
    require_admin(viewer)?;
    Ok(db::modlog::page(state.pool(), filter, max_id, PAGE).await?)
}

/// A page of every group's log, newest first (administrators only).
pub async fn group_page(
    state: &AppState,
    viewer: &UserRow,
    max_id: Option<i64>,
) -> AppResult<Vec<GroupLogRow>> {
    require_admin(viewer)?;
    Ok(db::modlog::group_page(state.pool(), max_id, PAGE).await?)
}

/// The hourly chore: forgets the entries of both logs older than the configured retention;
/// how many.
pub async fn chores(state: &AppState, now: i64) -> AppResult<u64> {
    let Some(keep) = state.config.moderation.log_retention else {
        return Ok(0);
    };
    let before = now - keep.as_micros() as i64;
    Ok(db::modlog::forget_before(state.pool(), before).await?)
}
