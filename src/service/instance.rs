//! Instance-wide settings an administrator changes at run time, and invite codes.

use crate::{
    clock, crypto,
    db::{self, accounts::UserRow, invites::InviteRow},
    domain::{
        Invalid, RegistrationMode,
        modlog::{Action, Target},
    },
    error::{AppError, AppResult},
    service::modlog::{self, Entry},
    state::AppState,
};
use std::time::Duration;

const REGISTRATION_MODE: &str = "registration_mode";

/// The registration mode in force: the administrator's choice, or the configured default.
pub async fn registration_mode(state: &AppState) -> AppResult<RegistrationMode> {
    let stored = db::settings::get(state.pool(), REGISTRATION_MODE).await?;
    Ok(stored
        .and_then(|s| RegistrationMode::parse(&s).ok())
        .unwrap_or(state.config.registration_mode))
}

/// Changes the registration mode.
pub async fn set_registration_mode(
    state: &AppState,
    by: &UserRow,
    mode: RegistrationMode,
) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    db::settings::set(&mut *tx, REGISTRATION_MODE, mode.as_str()).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RegistrationMode,
            Target::Instance,
            None,
            "",
        )
        .with(&[("mode", mode.as_str().to_string())]),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(mode = mode.as_str(), "registration mode changed");
    Ok(())
}

/// The longest validity an invite may be given.
pub const MAX_INVITE_DAYS: u64 = 365;

/// Makes an invite code. `max_uses` of `None` means unlimited, `valid_days` of `None` means it
/// never expires.
pub async fn create_invite(
    state: &AppState,
    created_by: i64,
    max_uses: Option<i64>,
    valid_days: Option<u64>,
) -> AppResult<InviteRow> {
    if let Some(n) = max_uses
        && !(1..=10_000).contains(&n)
    {
        return Err(Invalid::new("max_uses", "error-number-range")
            .arg("min", 1)
            .arg("max", 10_000)
            .into());
    }
    if let Some(d) = valid_days
        && !(1..=MAX_INVITE_DAYS).contains(&d)
    {
        return Err(Invalid::new("valid_days", "error-number-range")
            .arg("min", 1)
            .arg("max", MAX_INVITE_DAYS)
            .into());
    }
    let now = clock::now();
    let expires_at = valid_days.map(|d| clock::after(Duration::from_secs(d * 24 * 3600)));
    let code = crypto::random_code(10);
    let mut tx = state.db.begin().await?;
    db::invites::insert(&mut *tx, &code, created_by, max_uses, expires_at, now).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(created_by),
            Action::InviteCreated,
            Target::Invite,
            None,
            &code,
        ),
    )
    .await?;
    tx.commit().await?;
    db::invites::by_code(state.pool(), &code)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("invite vanished after insert")))
}

/// Every invite, newest first.
pub async fn invites(state: &AppState) -> AppResult<Vec<InviteRow>> {
    Ok(db::invites::all(state.pool()).await?)
}

/// Withdraws an invite.
pub async fn revoke_invite(state: &AppState, by: &UserRow, id: i64) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    if !db::invites::revoke(&mut *tx, id, clock::now()).await? {
        return Err(AppError::not_found());
    }
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::InviteRevoked,
            Target::Invite,
            Some(id),
            "",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An invite that can still be used, by code.
pub async fn usable_invite(state: &AppState, code: &str) -> AppResult<Option<InviteRow>> {
    let invite = db::invites::by_code(state.pool(), code).await?;
    Ok(invite.filter(|i| i.is_usable(clock::now())))
}

/// The link that opens the sign-up form with an invite code filled in.
pub fn invite_url(state: &AppState, code: &str) -> String {
    state.config.url(&format!("/invite/{code}"))
}
