//! Account sanctions: what moderators and administrators do to an account, local or remote
//! (Mastodon's account actions), and what each does.
//!
//! - **warn** (`none`): the person reads the text (e-mail, and their warnings page, where
//!   they may appeal);
//! - **limit** (`silence`): their posts leave the public timelines, hashtags and searches of
//!   whoever does not follow them (`db::sanctions::not_limited_for`);
//! - **disable** (local): they may no longer sign in; their sessions and tokens end;
//! - **suspend**: their content is hidden everywhere (`db::sanctions::not_suspended`); a
//!   local person may not sign in (told why and how to appeal), their actor answers 410 and a
//!   `Delete` of it goes to the servers that knew it, while their follows stay here for an
//!   unsuspension within `moderation_suspension_retention_days` (which sends an `Update`);
//!   a remote account's follows are severed and its deliveries dropped
//!   (`federation::receive`);
//! - **delete**: a suspended account is erased through the ordinary erase path, by an
//!   administrator at once or by the hourly chore once its retention is over.
//!
//! Every use case starts with the role check (docs/SECURITY.md G1: moderators warn and limit,
//! administrators do everything) and records itself in the moderation log in its own
//! transaction (G2).

use super::{
    modlog::{self, Entry},
    outgoing::{self, Outgoing},
};
use crate::{
    clock,
    db::{
        self,
        accounts::{AccountRow, UserRow},
        sanctions::{AdminUserRow, SanctionRow, WarningRow},
        statuses::Page,
    },
    domain::{
        Invalid, UserState,
        modlog::{Action, Target},
        sanction::{self, AccountFilter, SanctionKind},
    },
    error::{AppError, AppResult},
    state::AppState,
};
use std::collections::{HashMap, HashSet};

/// What a moderator asks for.
#[derive(Debug, Clone)]
pub struct ActionInput {
    /// The action.
    pub kind: SanctionKind,
    /// The text the person reads (may be empty).
    pub text: String,
    /// The report the action answers, if any (the reports part's id).
    pub report_id: Option<i64>,
    /// Whether the person is told by e-mail (local people with e-mail on).
    pub send_email: bool,
}

/// An account as the administrators' pages and API show it.
#[derive(Debug, Clone)]
pub struct AdminAccount {
    /// The account.
    pub account: AccountRow,
    /// The local person, for a local account.
    pub user: Option<AdminUserRow>,
    /// Its standing sanctions.
    pub sanction: SanctionRow,
}

impl AdminAccount {
    /// Whether it is limited.
    pub fn silenced(&self) -> bool {
        self.sanction.silenced_at.is_some()
    }

    /// Whether it is suspended.
    pub fn suspended(&self) -> bool {
        self.sanction.suspended_at.is_some()
    }

    /// Whether a local person's sign-in is disabled.
    pub fn disabled(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.state == UserState::Disabled)
    }

    /// `user@domain` for a remote account, `user` for a local one.
    pub fn acct(&self) -> String {
        acct(&self.account)
    }
}

fn acct(a: &AccountRow) -> String {
    match &a.domain {
        Some(d) => format!("{}@{d}", a.username),
        None => a.username.clone(),
    }
}

/// The role check of an action: moderators warn and limit, administrators do everything.
fn require_power(by: &UserRow, kind: SanctionKind) -> AppResult<()> {
    modlog::require_staff(by)?;
    if !kind.allowed_to(by.role) {
        return Err(AppError::forbidden("error-sanction-admin-only"));
    }
    Ok(())
}

/// The account acted on, and its person when local. Refuses what no sanction applies to:
/// unknown or deleted accounts and the instance actor (404), oneself, a local group (422).
async fn target(
    state: &AppState,
    by: &UserRow,
    id: i64,
) -> AppResult<(AccountRow, Option<UserRow>)> {
    let account = db::accounts::by_id(state.pool(), id)
        .await?
        .filter(|a| a.deleted_at.is_none() && !a.is_instance_actor())
        .ok_or_else(AppError::not_found)?;
    if account.id == by.account_id {
        return Err(Invalid::new("account", "error-sanction-self").into());
    }
    let user = if account.is_local() {
        let user = db::accounts::user_by_id(state.pool(), account.id).await?;
        if user.is_none() {
            return Err(Invalid::new("account", "error-sanction-group").into());
        }
        user
    } else {
        None
    };
    Ok((account, user))
}

/// Takes an action on an account (`POST /api/v1/admin/accounts/:id/action`, the web's
/// account page). Staff accounts are only warned: an administrator changes their role first.
pub async fn act(
    state: &AppState,
    by: &UserRow,
    account_id: i64,
    input: ActionInput,
) -> AppResult<()> {
    require_power(by, input.kind)?;
    let mut errors = Vec::new();
    if input.kind == SanctionKind::Sensitive {
        errors.push(Invalid::new("type", "error-sanction-sensitive"));
    }
    let text = sanction::warning_text("text", &input.text)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if input.report_id.is_some_and(|r| r <= 0) {
        errors.push(Invalid::new("report_id", "error-number"));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let (account, user) = target(state, by, account_id).await?;
    if input.kind != SanctionKind::Warn && user.as_ref().is_some_and(|u| u.role.is_staff()) {
        return Err(AppError::forbidden("error-sanction-staff"));
    }
    if input.kind == SanctionKind::Disable && user.is_none() {
        return Err(Invalid::new("type", "error-sanction-remote-disable").into());
    }
    let now = clock::now();
    let label = acct(&account);
    // Who knew the account, told of a local suspension (read before the transaction, as the
    // erase path does).
    let inboxes = if input.kind == SanctionKind::Suspend && account.is_local() {
        let mut inboxes = db::social::remote_follower_inboxes(state.pool(), account.id).await?;
        inboxes.extend(db::social::remote_following_inboxes(state.pool(), account.id).await?);
        inboxes.sort();
        inboxes.dedup();
        inboxes
    } else {
        Vec::new()
    };

    let mut tx = state.db.begin().await?;
    let action = match input.kind {
        SanctionKind::Warn | SanctionKind::Sensitive => Action::AccountWarned,
        SanctionKind::Silence => {
            if !db::sanctions::silence(&mut tx, account.id, now).await? {
                return Err(AppError::conflict("error-sanction-already-silenced"));
            }
            Action::AccountSilenced
        }
        SanctionKind::Disable => {
            if !db::sanctions::set_user_state(&mut *tx, account.id, UserState::Disabled).await? {
                return Err(AppError::conflict("error-sanction-already-disabled"));
            }
            Action::AccountDisabled
        }
        SanctionKind::Suspend => {
            if !db::sanctions::suspend(&mut tx, account.id, by.account_id, now).await? {
                return Err(AppError::conflict("error-sanction-already-suspended"));
            }
            Action::AccountSuspended
        }
    };
    let emailed = input.send_email && user.is_some() && super::mail::enabled(state);
    db::sanctions::insert_warning(
        &mut *tx,
        &db::sanctions::NewWarning {
            account_id: account.id,
            actor_id: by.account_id,
            action: input.kind.as_str(),
            text: &text,
            report_id: input.report_id,
            emailed,
            now,
        },
    )
    .await?;
    let report = input.report_id.map(|r| r.to_string()).unwrap_or_default();
    let params = [("report", report)];
    let entry = Entry::new(
        Some(by.account_id),
        action,
        Target::Account,
        Some(account.id),
        &label,
    );
    let entry = if input.report_id.is_some() {
        entry.with(&params)
    } else {
        entry
    };
    modlog::record(&mut *tx, entry).await?;

    let mut revoked = Vec::new();
    match (input.kind, account.is_local()) {
        (SanctionKind::Disable, _) => {
            revoked = db::oauth::revoke_all_for(&mut tx, account.id, now).await?;
        }
        (SanctionKind::Suspend, true) => {
            revoked = db::oauth::revoke_all_for(&mut tx, account.id, now).await?;
            outgoing::push(
                &mut tx,
                &Outgoing::DeleteActor {
                    account_id: account.id,
                    inboxes,
                },
            )
            .await?;
        }
        (SanctionKind::Suspend, false) => sever_follows(&mut tx, account.id).await?,
        _ => {}
    }
    if emailed && let Some(user) = &user {
        let mail = crate::mail::Mail::Sanction {
            username: user.username.clone(),
            action: input.kind.as_str().to_string(),
            text: text.clone(),
            link: state.config.url("/settings/warnings"),
        };
        let locale = super::mail::locale_of(state, user);
        super::mail::queue(
            &mut tx,
            state,
            &user.email,
            Some(user.account_id),
            locale,
            &mail,
        )
        .await?;
    }
    tx.commit().await?;

    if matches!(input.kind, SanctionKind::Disable | SanctionKind::Suspend) && account.is_local() {
        db::sessions::delete_all_for(state.pool(), account.id, None).await?;
        state.streams.revoked(revoked);
        state.outbox_ready.notify_one();
    }
    if emailed {
        super::mail::wake(state);
    }
    tracing::info!(
        account_id,
        action = input.kind.as_str(),
        "account sanctioned"
    );
    Ok(())
}

/// Removes a remote account's follows, both ways, and its posts from the home timelines of
/// the people here who followed it (Mastodon severs them too; they are not restored).
async fn sever_follows(conn: &mut sqlx::AnyConnection, account_id: i64) -> AppResult<()> {
    for (follower, followed) in db::sanctions::follows_of(conn, account_id).await? {
        db::social::delete_follows_between(conn, follower, followed).await?;
        if followed == account_id {
            db::social::remove_author_from_feed(conn, follower, account_id).await?;
        }
    }
    Ok(())
}

/// Lifts a limit (moderators and administrators).
pub async fn unsilence(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<()> {
    require_power(by, SanctionKind::Silence)?;
    let (account, _) = target(state, by, account_id).await?;
    let mut tx = state.db.begin().await?;
    if !db::sanctions::unsilence(&mut tx, account.id, clock::now()).await? {
        return Err(AppError::conflict("error-sanction-not-silenced"));
    }
    record(&mut tx, by, Action::AccountUnsilenced, &account).await?;
    tx.commit().await?;
    Ok(())
}

/// Lets a disabled local person sign in again (administrators).
pub async fn enable(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<()> {
    require_power(by, SanctionKind::Disable)?;
    let (account, user) = target(state, by, account_id).await?;
    if user.is_none_or(|u| u.state != UserState::Disabled) {
        return Err(AppError::conflict("error-sanction-not-disabled"));
    }
    let mut tx = state.db.begin().await?;
    db::sanctions::set_user_state(&mut *tx, account.id, UserState::Active).await?;
    record(&mut tx, by, Action::AccountEnabled, &account).await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts a suspension within its retention (administrators): the content shows again; a
/// local person may sign in, and an `Update` of their actor goes to their followers' servers.
pub async fn unsuspend(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<()> {
    require_power(by, SanctionKind::Suspend)?;
    let (account, _) = target(state, by, account_id).await?;
    let sanction = db::sanctions::of(state.pool(), account.id).await?;
    let Some(since) = sanction.and_then(|s| s.suspended_at) else {
        return Err(AppError::conflict("error-sanction-not-suspended"));
    };
    let now = clock::now();
    let retention = state.config.moderation.suspension_retention;
    if since + retention.as_micros() as i64 <= now {
        return Err(AppError::conflict("error-sanction-retention-over"));
    }
    let mut tx = state.db.begin().await?;
    if !db::sanctions::unsuspend(&mut tx, account.id, now).await? {
        return Err(AppError::conflict("error-sanction-not-suspended"));
    }
    record(&mut tx, by, Action::AccountUnsuspended, &account).await?;
    if account.is_local() {
        outgoing::push(
            &mut tx,
            &Outgoing::UpdateActor {
                account_id: account.id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    tracing::info!(account_id, "account unsuspended");
    Ok(())
}

/// Deletes a suspended account at once (administrators; Mastodon's `DELETE
/// /api/v1/admin/accounts/:id`): the ordinary erase path, with the log's entry.
pub async fn delete(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<()> {
    require_power(by, SanctionKind::Suspend)?;
    let (account, _) = target(state, by, account_id).await?;
    if !db::sanctions::is_suspended(state.pool(), account.id).await? {
        return Err(AppError::conflict("error-sanction-delete-unsuspended"));
    }
    erase(state, Some(by.account_id), &account, "admin").await
}

/// Erases an account with its log entry: a local one as its own deletion does (its personal
/// data, posts and follows go and a `Delete` reaches the servers that knew it), a remote one
/// as a `Delete` from its server does.
async fn erase(
    state: &AppState,
    by: Option<i64>,
    account: &AccountRow,
    reason: &str,
) -> AppResult<()> {
    let label = acct(account);
    let params = [("reason", reason.to_string())];
    let entry = Entry::new(
        by,
        Action::AccountDeleted,
        Target::Account,
        Some(account.id),
        &label,
    )
    .with(&params);
    if account.is_local() {
        super::accounts::erase_logged(state, account.id, entry).await
    } else {
        let now = clock::now();
        let mut tx = state.db.begin().await?;
        db::accounts::erase_activity(&mut tx, account.id, now).await?;
        modlog::record(&mut *tx, entry).await?;
        tx.commit().await?;
        db::accounts::mark_remote_deleted(state.pool(), account.id, now).await?;
        Ok(())
    }
}

/// The hourly chore: deletes the accounts whose suspension outlived its retention (a run
/// takes at most a hundred; the next hour takes the rest). How many.
pub async fn chores(state: &AppState, now: i64) -> AppResult<usize> {
    let retention = state.config.moderation.suspension_retention.as_micros() as i64;
    let due = db::sanctions::suspended_before(state.pool(), now - retention, 100).await?;
    let mut done = 0;
    for id in due {
        let Some(account) = db::accounts::by_id(state.pool(), id).await? else {
            continue;
        };
        if account.deleted_at.is_none() {
            erase(state, None, &account, "retention").await?;
        }
        // The sanction has done its work; erased accounts keep no standing.
        let mut tx = state.db.begin().await?;
        db::sanctions::unsuspend(&mut tx, id, now).await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    by: &UserRow,
    action: Action,
    account: &AccountRow,
) -> AppResult<()> {
    let label = acct(account);
    modlog::record(
        conn,
        Entry::new(
            Some(by.account_id),
            action,
            Target::Account,
            Some(account.id),
            &label,
        ),
    )
    .await
}

/// Refuses a suspended person's sign-in (403), saying why and how to appeal: the text of
/// the suspension and the instance's contact address, before the account is deleted.
pub async fn check_can_sign_in(state: &AppState, account_id: i64) -> AppResult<()> {
    let Some(since) = db::sanctions::of(state.pool(), account_id)
        .await?
        .and_then(|s| s.suspended_at)
    else {
        return Ok(());
    };
    let reason = db::sanctions::warnings_of(state.pool(), account_id, 20)
        .await?
        .into_iter()
        .find(|w| w.action == SanctionKind::Suspend.as_str())
        .map(|w| w.text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "-".into());
    let contact = if state.config.contact_email.is_empty() {
        state.config.url("/about")
    } else {
        state.config.contact_email.clone()
    };
    let until = since + state.config.moderation.suspension_retention.as_micros() as i64;
    Err(AppError::forbidden("error-account-suspended")
        .arg("reason", reason)
        .arg("contact", contact)
        .arg(
            "until",
            clock::to_rfc3339(until).get(..10).unwrap_or_default(),
        ))
}

/// Whether an account is suspended (its actor answers 410, its profile is not shown).
pub async fn is_suspended(state: &AppState, account_id: i64) -> AppResult<bool> {
    Ok(db::sanctions::is_suspended(state.pool(), account_id).await?)
}

/// Leaves out of `accounts` those `viewer` may not find (suspended ones, and limited ones
/// it does not follow), keeping the order.
pub async fn searchable(
    state: &AppState,
    viewer: Option<i64>,
    mut accounts: Vec<AccountRow>,
) -> AppResult<Vec<AccountRow>> {
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let hidden = db::sanctions::hidden_from_search(state.pool(), viewer.unwrap_or(0), &ids).await?;
    accounts.retain(|a| !hidden.contains(&a.id));
    Ok(accounts)
}

/// A page of the administrators' accounts list (moderators and administrators).
pub async fn list(
    state: &AppState,
    by: &UserRow,
    filter: &AccountFilter,
    page: Page,
) -> AppResult<Vec<AdminAccount>> {
    modlog::require_staff(by)?;
    let ids = db::sanctions::page(state.pool(), filter, page).await?;
    assemble(state, &ids).await
}

/// One account as the administrators see it (moderators and administrators), or 404.
pub async fn get(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<AdminAccount> {
    modlog::require_staff(by)?;
    assemble(state, &[account_id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(AppError::not_found)
}

/// Accounts with their people and sanctions, in the order of `ids`, leaving out deleted
/// accounts and services: three queries.
async fn assemble(state: &AppState, ids: &[i64]) -> AppResult<Vec<AdminAccount>> {
    let mut accounts: HashMap<i64, AccountRow> = db::accounts::by_ids(state.pool(), ids)
        .await?
        .into_iter()
        .filter(|a| a.deleted_at.is_none() && !a.is_instance_actor())
        .map(|a| (a.id, a))
        .collect();
    let rows: Vec<AccountRow> = ids.iter().filter_map(|id| accounts.remove(id)).collect();
    with_people(state, rows).await
}

/// Accounts already loaded, with their people and sanctions (two queries), in their order.
async fn with_people(state: &AppState, rows: Vec<AccountRow>) -> AppResult<Vec<AdminAccount>> {
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let mut users: HashMap<i64, AdminUserRow> = db::sanctions::users_among(state.pool(), &ids)
        .await?
        .into_iter()
        .map(|u| (u.account_id, u))
        .collect();
    let mut sanctions: HashMap<i64, SanctionRow> = db::sanctions::among(state.pool(), &ids)
        .await?
        .into_iter()
        .map(|s| (s.account_id, s))
        .collect();
    Ok(rows
        .into_iter()
        .map(|account| AdminAccount {
            user: users.remove(&account.id),
            sanction: sanctions.remove(&account.id).unwrap_or(SanctionRow {
                account_id: account.id,
                ..SanctionRow::default()
            }),
            account,
        })
        .collect())
}

/// Accounts a moderator reads about elsewhere (a report's reporter, target and handlers),
/// deleted ones included, as the administrators see them (staff only).
pub async fn of_accounts(
    state: &AppState,
    by: &UserRow,
    rows: Vec<AccountRow>,
) -> AppResult<Vec<AdminAccount>> {
    modlog::require_staff(by)?;
    with_people(state, rows).await
}

/// The actions taken on an account, newest first (staff, for the account page).
pub async fn history(
    state: &AppState,
    by: &UserRow,
    account_id: i64,
) -> AppResult<Vec<WarningRow>> {
    modlog::require_staff(by)?;
    Ok(db::sanctions::warnings_of(state.pool(), account_id, 100).await?)
}

/// The warnings a person received, newest first, with their appeals.
pub async fn my_warnings(state: &AppState, me: &UserRow) -> AppResult<Vec<WarningRow>> {
    Ok(db::sanctions::warnings_of(state.pool(), me.account_id, 100).await?)
}

/// A person appeals one of their warnings, once (404 for another's warning).
pub async fn appeal(state: &AppState, me: &UserRow, warning_id: i64, text: &str) -> AppResult<()> {
    let text = sanction::appeal_text(text)?;
    let warning = db::sanctions::warning(state.pool(), warning_id)
        .await?
        .filter(|w| w.account_id == me.account_id)
        .ok_or_else(AppError::not_found)?;
    if !db::sanctions::insert_appeal(state.pool(), warning.id, me.account_id, &text, clock::now())
        .await?
    {
        return Err(AppError::conflict("error-appeal-twice"));
    }
    tracing::info!(warning_id, "warning appealed");
    Ok(())
}

/// Pending appeals, oldest first (administrators).
pub async fn pending_appeals(state: &AppState, by: &UserRow) -> AppResult<Vec<WarningRow>> {
    modlog::require_admin(by)?;
    Ok(db::sanctions::pending_appeals(state.pool(), 100).await?)
}

/// An administrator decides an appeal. Approved, the appealed sanction is lifted (a limit,
/// a disabled sign-in; a suspension within its retention).
pub async fn decide_appeal(
    state: &AppState,
    by: &UserRow,
    appeal_id: i64,
    approve: bool,
) -> AppResult<()> {
    modlog::require_admin(by)?;
    let warning_id = db::sanctions::warning_of_appeal(state.pool(), appeal_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let warning = db::sanctions::warning(state.pool(), warning_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let account = db::accounts::by_id(state.pool(), warning.account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let decision = if approve { "approved" } else { "rejected" };
    if !db::sanctions::decide_appeal(&mut *tx, appeal_id, decision, by.account_id, now).await? {
        return Err(AppError::conflict("error-appeal-decided"));
    }
    let label = acct(&account);
    let action = if approve {
        Action::AppealApproved
    } else {
        Action::AppealRejected
    };
    let params = [("action", warning.action.clone())];
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            action,
            Target::Appeal,
            Some(appeal_id),
            &label,
        )
        .with(&params),
    )
    .await?;
    let mut update = false;
    if approve {
        match SanctionKind::parse(&warning.action) {
            Ok(SanctionKind::Silence) => {
                db::sanctions::unsilence(&mut tx, account.id, now).await?;
            }
            Ok(SanctionKind::Disable) => {
                db::sanctions::set_user_state(&mut *tx, account.id, UserState::Active).await?;
            }
            Ok(SanctionKind::Suspend) => {
                update =
                    db::sanctions::unsuspend(&mut tx, account.id, now).await? && account.is_local();
            }
            _ => {}
        }
    }
    if update {
        outgoing::push(
            &mut tx,
            &Outgoing::UpdateActor {
                account_id: account.id,
            },
        )
        .await?;
    }
    tx.commit().await?;
    if update {
        state.outbox_ready.notify_one();
    }
    Ok(())
}

/// The limited and suspended authors of a batch of live posts (`service::streams`): their
/// posts stay off the public and hashtag streams, which anyone may follow, and a suspended
/// author's off every stream. Followers of a limited author still get theirs in `user`.
#[derive(Debug, Default)]
pub struct StreamSanctions {
    limited: HashSet<i64>,
    suspended: HashSet<i64>,
}

impl StreamSanctions {
    /// Reads the sanctions of the posts' authors: one query.
    pub async fn load(
        state: &AppState,
        rows: &HashMap<i64, crate::db::statuses::StatusRow>,
    ) -> AppResult<StreamSanctions> {
        let mut authors: Vec<i64> = rows.values().map(|s| s.account_id).collect();
        authors.sort_unstable();
        authors.dedup();
        let mut out = StreamSanctions::default();
        for s in db::sanctions::among(state.pool(), &authors).await? {
            if s.suspended_at.is_some() {
                out.suspended.insert(s.account_id);
            } else if s.silenced_at.is_some() {
                out.limited.insert(s.account_id);
            }
        }
        Ok(out)
    }

    /// Narrows where a post goes.
    pub fn narrow(&self, row: &crate::db::statuses::StatusRow, reach: &mut super::streams::Reach) {
        let suspended = self.suspended.contains(&row.account_id);
        if suspended || self.limited.contains(&row.account_id) {
            reach.public = None;
            reach.tags = Some(Vec::new());
        }
        if suspended {
            reach.readers.clear();
            reach.direct.clear();
            reach.lists.clear();
        }
    }
}
