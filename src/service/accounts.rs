//! Local accounts: registration, sign-in checks, profile and password changes, approval,
//! roles, and deletion that erases personal data.

use super::modlog::Entry;
use super::{
    blocking, instance,
    outgoing::{self, Outgoing},
};
use crate::{
    clock, crypto,
    db::{self, accounts::UserRow},
    domain::{
        Bio, DisplayName, Email, Invalid, InviteCode, Locale, NotificationKind, Password,
        RegistrationMode, RegistrationReason, Role, UserState, Username, html,
        modlog::{Action, Target},
    },
    error::{AppError, AppResult},
    state::AppState,
};

/// What someone submits to register.
#[derive(Debug, Default, Clone)]
pub struct Registration {
    /// The username wanted.
    pub username: String,
    /// The e-mail address.
    pub email: String,
    /// The password.
    pub password: String,
    /// The password typed again, when the form asks for it.
    pub password_confirmation: Option<String>,
    /// Whether they accepted the instance's rules and privacy policy.
    pub agreement: bool,
    /// The interface language they use.
    pub locale: Option<Locale>,
    /// Why they want to join (shown to administrators in approval mode).
    pub reason: String,
    /// An invite code (invite mode).
    pub invite_code: Option<String>,
}

/// Who is registering: somebody through the web or an app (the registration mode applies), or
/// an administrator at the command line (it does not, and any role may be given).
#[derive(Debug, Clone, Copy)]
pub enum Registrar {
    /// A sign-up form or `POST /api/v1/accounts`.
    Public,
    /// `coopol user create`.
    Administrator(Role),
}

/// The URL of a local account's ActivityPub actor.
pub fn actor_uri(state: &AppState, username: &str) -> String {
    state.config.url(&format!("/users/{username}"))
}

/// The handle `@name@domain` of a local account.
pub fn handle(state: &AppState, username: &str) -> String {
    format!("@{username}@{}", state.config.domain)
}

/// What a registration through the sign-up form or an app led to.
#[derive(Debug)]
pub enum SignedUp {
    /// A new account (pending in approval mode, usable at once otherwise).
    Account(Box<UserRow>),
    /// Nothing, because the e-mail address already has an account (approval mode only). The
    /// caller answers exactly as for a new pending account: telling the two apart would tell
    /// anyone who asks who is a member. The work a new account costs (password hash, key pair)
    /// was done all the same, so the answer takes as long.
    AddressInUse,
}

/// Creates a local account. Every refused field is reported at once, so a form can show all of
/// them. In approval mode the account starts `pending`; otherwise it is usable at once. An
/// e-mail address that already has an account is refused (`error-email-taken`): this is for
/// administrators and tools; the sign-up form and apps use [`sign_up`].
pub async fn register(state: &AppState, reg: Registration, by: Registrar) -> AppResult<UserRow> {
    match create(state, reg, by, None).await? {
        SignedUp::Account(user) => Ok(*user),
        SignedUp::AddressInUse => Err(Invalid::new("email", "error-email-taken").into()),
    }
}

/// Registers someone through the sign-up form or an app, under the registration mode.
///
/// In approval mode an e-mail address that already has an account is never reported: with the
/// other fields right the answer is [`SignedUp::AddressInUse`], which callers show as a new
/// pending request; with other fields wrong only those are reported. In open and invite modes
/// the account would be usable at once, so a taken address cannot be hidden (whoever tries can
/// sign in or not); it is refused with `error-email-taken`, unless e-mail is on: then every
/// new account waits for its address to be confirmed, and a taken address is answered as a
/// new account in every mode (its owner gets an e-mail saying someone tried).
pub async fn sign_up(state: &AppState, reg: Registration) -> AppResult<SignedUp> {
    create(state, reg, Registrar::Public, None).await
}

/// [`sign_up`] through the web form, where each instance rule is a box to tick: `ticked`
/// holds the ids of the rules ticked, and a rule in force left unticked is refused with the
/// other fields (`service::rules::check_ticked`). Apps send `agreement` alone, having shown
/// the rules from `/api/v1/instance/rules` as Mastodon's sign-up does.
pub async fn sign_up_ticking(
    state: &AppState,
    reg: Registration,
    ticked: &[i64],
) -> AppResult<SignedUp> {
    create(state, reg, Registrar::Public, Some(ticked)).await
}

async fn create(
    state: &AppState,
    reg: Registration,
    by: Registrar,
    ticked: Option<&[i64]>,
) -> AppResult<SignedUp> {
    let mode = instance::registration_mode(state).await?;
    let public = matches!(by, Registrar::Public);
    if public && mode == RegistrationMode::Closed {
        return Err(AppError::forbidden("error-registrations-closed"));
    }

    let mut errors: Vec<Invalid> = Vec::new();
    let username = match by {
        Registrar::Public => Username::parse_new(&reg.username),
        // An administrator may take a reserved name (an `admin` account, say).
        Registrar::Administrator(_) => Username::parse(&reg.username),
    };
    let username = username.map_err(|e| errors.push(e)).ok();
    let email = Email::parse(&reg.email).map_err(|e| errors.push(e)).ok();
    let password = Password::parse(&reg.password)
        .map_err(|e| errors.push(e))
        .ok();
    if let Some(confirmation) = &reg.password_confirmation
        && *confirmation != reg.password
    {
        errors.push(Invalid::new(
            "password_confirmation",
            "error-password-mismatch",
        ));
    }
    let reason = RegistrationReason::parse(&reg.reason)
        .map_err(|e| errors.push(e))
        .ok();
    if public && !reg.agreement {
        errors.push(Invalid::new("agreement", "error-agreement-required"));
    }
    if let Some(ticked) = ticked
        && let Err(e) = super::rules::check_ticked(state, ticked).await?
    {
        errors.push(e);
    }

    let mut invite_id = None;
    if public && mode == RegistrationMode::Invite {
        let code = reg.invite_code.as_deref().unwrap_or("");
        match InviteCode::parse(code) {
            Err(_) => errors.push(Invalid::new("invite_code", "error-invite-invalid")),
            Ok(code) => match instance::usable_invite(state, code.as_str()).await? {
                Some(invite) => invite_id = Some(invite.id),
                None => errors.push(Invalid::new("invite_code", "error-invite-invalid")),
            },
        }
    }

    if let Some(name) = &username
        && db::accounts::local_by_username(state.pool(), name.as_str())
            .await?
            .is_some()
    {
        errors.push(Invalid::new("username", "error-username-taken"));
    }
    // In approval mode a taken address is not reported (see `sign_up`); nor in any mode once
    // addresses are confirmed by e-mail, since a new account is then unusable until its
    // address is confirmed, like a pending one.
    let confirm_by_mail = public && super::mail::enabled(state);
    let hide_taken_address = public && (mode == RegistrationMode::Approval || confirm_by_mail);
    let mut address_in_use = false;
    if let Some(email) = &email
        && db::accounts::email_taken(state.pool(), email.as_str()).await?
    {
        if hide_taken_address {
            address_in_use = true;
        } else {
            errors.push(Invalid::new("email", "error-email-taken"));
        }
    }

    let (Some(username), Some(email), Some(password), Some(reason), true) =
        (username, email, password, reason, errors.is_empty())
    else {
        return Err(AppError::invalid(errors));
    };

    let (role, user_state) = match by {
        Registrar::Administrator(role) => (role, UserState::Active),
        Registrar::Public if mode == RegistrationMode::Approval => {
            (Role::Member, UserState::Pending)
        }
        Registrar::Public => (Role::Member, UserState::Active),
    };

    let (password_hash, (private_pem, public_pem)) = blocking(move || {
        (
            crypto::hash_password(password.expose()),
            crypto::generate_rsa_keypair(),
        )
    })
    .await?;
    if address_in_use {
        tracing::info!("registration with an e-mail address already in use: nothing created");
        super::mail::address_in_use(state, email.as_str()).await?;
        return Ok(SignedUp::AddressInUse);
    }

    let uri = actor_uri(state, username.as_str());
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if let Some(id) = invite_id
        && !db::invites::consume(&mut tx, id, now).await?
    {
        return Err(Invalid::new("invite_code", "error-invite-invalid").into());
    }
    let new = db::accounts::NewLocalAccount {
        username: username.as_str(),
        uri: &uri,
        email: email.as_str(),
        password_hash: &password_hash,
        role,
        state: user_state,
        locale: reg.locale.map(Locale::as_str),
        reason: reason.as_str(),
        invite_id,
        public_key_pem: &public_pem,
        private_key_pem: &private_pem,
        email_unconfirmed: confirm_by_mail,
        now,
    };
    let account_id = match db::accounts::insert_local(&mut tx, &new).await {
        Ok(id) => id,
        // Someone took the name or address between our check and the insert.
        Err(e) if db::is_unique_violation(&e) => {
            let field = if e.to_string().contains("email") {
                "email"
            } else {
                "username"
            };
            if field == "email" && hide_taken_address {
                return Ok(SignedUp::AddressInUse);
            }
            let key = if field == "email" {
                "error-email-taken"
            } else {
                "error-username-taken"
            };
            return Err(Invalid::new(field, key).into());
        }
        Err(e) => return Err(e.into()),
    };
    let user = db::accounts::user_by_id(&mut *tx, account_id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("new user not found")))?;
    if confirm_by_mail {
        super::mail::send_confirmation(&mut tx, state, &user, &user.email, false).await?;
    }
    if user_state == UserState::Pending {
        // The instance's staff decide: each is told (Mastodon's `admin.sign_up`).
        let staff = db::accounts::staff(&mut tx).await?;
        let rows: Vec<_> = staff
            .into_iter()
            .map(|s| (s, account_id, NotificationKind::AdminSignUp, None))
            .collect();
        db::social::notify_many(&mut tx, &rows, now).await?;
    }
    tx.commit().await?;
    super::mail::wake(state);
    tracing::info!(
        account_id,
        state = user_state.as_str(),
        "account registered"
    );
    Ok(SignedUp::Account(Box::new(user)))
}

/// Checks an e-mail address (or username) and password. The answer takes as long for an
/// unknown address as for a wrong password, and says nothing of which one was wrong; only
/// once the password is right does it tell a pending or disabled account apart.
///
/// Attempts are counted per login in the database (`limit_sign_in_attempts_per_account` per
/// `limit_sign_in_window_minutes`), before the password is checked: past the limit every
/// attempt is refused with 429 until the window ends, the right password too, so the refusal
/// says nothing about the password, and it is the same for unknown logins. A successful
/// sign-in clears the count.
pub async fn authenticate(state: &AppState, login: &str, password: &str) -> AppResult<UserRow> {
    let login = login.trim();
    let attempts_key = check_sign_in_attempts(state, login).await?;
    let user = if login.contains('@') {
        match Email::parse(login) {
            Ok(email) => db::accounts::user_by_email(state.pool(), email.as_str()).await?,
            Err(_) => None,
        }
    } else {
        db::accounts::user_by_username(state.pool(), login).await?
    };
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| crypto::dummy_password_hash().to_string());
    let password = password.to_string();
    let matches = blocking(move || crypto::verify_password(&password, &stored)).await?;
    let user = match user {
        Some(user) if matches => user,
        _ => return Err(AppError::unauthorized("error-wrong-credentials")),
    };
    if let Some(key) = attempts_key {
        db::accounts::clear_sign_in_attempts(state.pool(), &key).await?;
    }
    check_can_sign_in(&user)?;
    super::sanctions::check_can_sign_in(state, user.account_id).await?;
    db::accounts::record_sign_in(state.pool(), user.account_id, clock::now()).await?;
    super::discovery::record_use(state, user.account_id, None).await?;
    Ok(user)
}

/// Counts a sign-in attempt for `login` and refuses it (429) past the limit. Returns the key
/// the attempts are counted under (`None` when the limit is off).
async fn check_sign_in_attempts(state: &AppState, login: &str) -> AppResult<Option<String>> {
    let limits = &state.config.limits;
    let max = i64::from(limits.sign_in_attempts_per_account);
    if max == 0 {
        return Ok(None);
    }
    // What was typed, as lookups read it (addresses and usernames ignore case). An account's
    // address and its username count apart: sharing one count would tell whoever locks the
    // one that the other is the same account's.
    let key = crypto::token_hash(&format!("sign-in:{}", login.to_lowercase()));
    let window = limits.sign_in_window.as_micros() as i64;
    let now = clock::now();
    let (attempts, window_start) =
        db::accounts::count_sign_in_attempt(state.pool(), &key, now, now - window).await?;
    if attempts > max {
        let wait = (window_start + window - now).max(0) as u64;
        tracing::info!(attempts, "sign-in refused: too many attempts for one login");
        return Err(crate::limits::refused(std::time::Duration::from_micros(
            wait,
        )));
    }
    Ok(Some(key))
}

/// Refuses users who may not use their account (yet): an address awaiting confirmation comes
/// first, so that a new account answers the same in every registration mode.
pub fn check_can_sign_in(user: &UserRow) -> AppResult<()> {
    if user.email_unconfirmed == 1 && user.state != UserState::Disabled {
        return Err(AppError::forbidden("error-email-unconfirmed"));
    }
    match user.state {
        UserState::Active => Ok(()),
        UserState::Pending => Err(AppError::forbidden("error-account-pending")),
        UserState::Disabled => Err(AppError::forbidden("error-account-disabled")),
    }
}

/// Changes a profile's display name and biography (Markdown or plain text).
pub async fn update_profile(
    state: &AppState,
    account_id: i64,
    display_name: &str,
    bio: &str,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let name = DisplayName::parse(display_name)
        .map_err(|e| errors.push(e))
        .ok();
    let bio = Bio::parse(bio).map_err(|e| errors.push(e)).ok();
    let (Some(name), Some(bio)) = (name, bio) else {
        return Err(AppError::invalid(errors));
    };
    let note_html = html::markdown_to_html(bio.as_str());
    db::accounts::update_profile(
        state.pool(),
        account_id,
        name.as_str(),
        bio.as_str(),
        &note_html,
        clock::now(),
    )
    .await?;
    announce_profile_change(state, account_id).await
}

/// The most profile fields an account may have (Mastodon's limit).
pub const MAX_FIELDS: usize = 4;

/// Sets a local account's profile fields (name, value; values may hold links), whether follows
/// need approval, and whether it may be listed and suggested.
pub async fn update_settings(
    state: &AppState,
    account_id: i64,
    fields: &[(String, String)],
    locked: bool,
    discoverable: bool,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let mut stored = Vec::new();
    for (name, value) in fields
        .iter()
        .filter(|(n, v)| !n.trim().is_empty() || !v.trim().is_empty())
    {
        if stored.len() >= MAX_FIELDS {
            errors.push(Invalid::new("fields", "error-too-many-fields").arg("max", MAX_FIELDS));
            break;
        }
        if let Err(e) = crate::domain::check_length("field_name", name.trim(), 1, 255) {
            errors.push(e);
        }
        if let Err(e) = crate::domain::check_length("field_value", value.trim(), 1, 255) {
            errors.push(e);
        }
        stored.push(serde_json::json!({
            "name": name.trim(),
            "value": field_value_html(value.trim()),
            "source": value.trim(),
        }));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let json = serde_json::Value::Array(stored).to_string();
    db::accounts::update_local_flags(
        state.pool(),
        account_id,
        &json,
        locked,
        discoverable,
        clock::now(),
    )
    .await?;
    announce_profile_change(state, account_id).await
}

/// A profile field's value as HTML: a link when it is a URL, escaped text otherwise.
fn field_value_html(value: &str) -> String {
    crate::domain::status::render(value, &[], |_| String::new())
        .trim_start_matches("<p>")
        .trim_end_matches("</p>")
        .to_string()
}

async fn announce_profile_change(state: &AppState, account_id: i64) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    outgoing::push(&mut tx, &Outgoing::UpdateActor { account_id }).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// Changes a password after checking the current one. Every other web session ends and every
/// app token is revoked, so a stolen password or session stops working.
pub async fn change_password(
    state: &AppState,
    account_id: i64,
    current: &str,
    new: &str,
    confirmation: &str,
    keep_session: Option<&str>,
) -> AppResult<()> {
    let user = db::accounts::user_by_id(state.pool(), account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = user.password_hash.clone();
    let current = current.to_string();
    if !blocking(move || crypto::verify_password(&current, &stored)).await? {
        return Err(Invalid::new("current_password", "error-wrong-password").into());
    }
    let password = Password::parse(new)?;
    if new != confirmation {
        return Err(Invalid::new("password_confirmation", "error-password-mismatch").into());
    }
    let hash = blocking(move || crypto::hash_password(password.expose())).await?;
    db::accounts::update_password(state.pool(), account_id, &hash).await?;
    db::sessions::delete_all_for(state.pool(), account_id, keep_session).await?;
    let revoked = db::oauth::revoke_all_for(
        &mut *state.pool().acquire().await?,
        account_id,
        clock::now(),
    )
    .await?;
    state.streams.revoked(revoked);
    tracing::info!(account_id, "password changed");
    Ok(())
}

/// Sets the interface language (`None`: follow the browser).
pub async fn set_locale(
    state: &AppState,
    account_id: i64,
    locale: Option<Locale>,
) -> AppResult<()> {
    db::accounts::update_locale(state.pool(), account_id, locale.map(Locale::as_str)).await?;
    Ok(())
}

/// Sets the interface language and the time zone (`None`: follow the browser; the instance's
/// zone), both or neither: a zone chrono-tz does not know is refused, naming the field.
pub async fn set_locale_and_zone(
    state: &AppState,
    account_id: i64,
    locale: Option<Locale>,
    time_zone: &str,
) -> AppResult<()> {
    let zone = crate::domain::parse_time_zone(time_zone)
        .map_err(|e| crate::error::AppError::invalid(vec![e]))?;
    db::accounts::update_locale_and_zone(
        state.pool(),
        account_id,
        locale.map(Locale::as_str),
        zone.map(|z| z.name()),
    )
    .await?;
    Ok(())
}

/// Deletes one's own account after checking the password: personal data is erased at once.
pub async fn delete_own_account(
    state: &AppState,
    account_id: i64,
    password: &str,
) -> AppResult<()> {
    let user = db::accounts::user_by_id(state.pool(), account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = user.password_hash.clone();
    let password = password.to_string();
    if !blocking(move || crypto::verify_password(&password, &stored)).await? {
        return Err(Invalid::new("password", "error-wrong-password").into());
    }
    erase(state, account_id).await
}

/// Erases a local account's personal data (see `db::accounts::erase_local`), its posts and its
/// follows, and tells the servers that knew it (`Delete(Person)`), which erase their copies.
pub async fn erase(state: &AppState, account_id: i64) -> AppResult<()> {
    erase_with(state, account_id, None).await
}

/// [`erase`], recording a moderation log entry in the same transaction (an administrator's
/// deletion, `service::sanctions`).
pub async fn erase_logged(state: &AppState, account_id: i64, entry: Entry<'_>) -> AppResult<()> {
    erase_with(state, account_id, Some(entry)).await
}

async fn erase_with(state: &AppState, account_id: i64, entry: Option<Entry<'_>>) -> AppResult<()> {
    let mut inboxes = db::social::remote_follower_inboxes(state.pool(), account_id).await?;
    inboxes.extend(db::social::remote_following_inboxes(state.pool(), account_id).await?);
    inboxes.sort();
    inboxes.dedup();
    let mut tx = state.db.begin().await?;
    let revoked = db::oauth::revoke_all_for(&mut tx, account_id, clock::now()).await?;
    db::accounts::erase_local(&mut tx, account_id, clock::now()).await?;
    db::accounts::erase_activity(&mut tx, account_id, clock::now()).await?;
    // Every file of the account stops being served now and leaves the store at the sweep.
    db::media::remove_all_of(&mut *tx, account_id, clock::now()).await?;
    // Its archives and imports go: no archive left to download, none built, no import applied.
    let archives = db::personal_data::forget_all_of(&mut tx, account_id).await?;
    if let Some(entry) = entry {
        super::modlog::record(&mut *tx, entry).await?;
    }
    outgoing::push(
        &mut tx,
        &Outgoing::DeleteActor {
            account_id,
            inboxes,
        },
    )
    .await?;
    tx.commit().await?;
    for key in &archives {
        if let Err(e) = state.media.store.delete(key).await {
            tracing::warn!(key, error = %e, "an erased account's archive stays in the media store");
        }
    }
    state.streams.revoked(revoked);
    state.outbox_ready.notify_one();
    tracing::info!(account_id, "account deleted and personal data erased");
    Ok(())
}

/// Approves a pending registration.
/// The person is told by e-mail (when e-mail is on).
pub async fn approve(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<()> {
    super::modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    if !db::accounts::approve(&mut *tx, account_id, clock::now()).await? {
        return Err(AppError::not_found());
    }
    let user = db::accounts::user_by_id(&mut *tx, account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    super::modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RegistrationApproved,
            Target::Account,
            Some(account_id),
            &user.username,
        ),
    )
    .await?;
    super::mail::registration_approved(&mut tx, state, &user).await?;
    tx.commit().await?;
    super::mail::wake(state);
    // Decided: the staff's notifications of it go.
    db::notifications::sign_up_decided(state.pool(), account_id).await?;
    tracing::info!(account_id, "registration approved");
    Ok(())
}

/// Refuses a pending registration: the account is removed entirely and the name freed; the
/// person is told by e-mail (when e-mail is on).
pub async fn reject(state: &AppState, by: &UserRow, account_id: i64) -> AppResult<()> {
    super::modlog::require_admin(by)?;
    let user = db::accounts::user_by_id(state.pool(), account_id)
        .await?
        .filter(|u| u.state == UserState::Pending)
        .ok_or_else(AppError::not_found)?;
    let mut tx = state.db.begin().await?;
    db::accounts::purge_local(&mut tx, user.account_id).await?;
    super::modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RegistrationRejected,
            Target::Account,
            None,
            &user.username,
        ),
    )
    .await?;
    super::mail::registration_refused(&mut tx, state, &user).await?;
    tx.commit().await?;
    super::mail::wake(state);
    tracing::info!(account_id, "registration refused");
    Ok(())
}

/// Gives a local user a role. The last administrator cannot lose the role, so the instance is
/// never left without one.
pub async fn set_role(
    state: &AppState,
    by: &UserRow,
    account_id: i64,
    role: Role,
) -> AppResult<()> {
    super::modlog::require_admin(by)?;
    let user = db::accounts::user_by_id(state.pool(), account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if user.role == Role::Admin && role != Role::Admin {
        let admins = db::accounts::users(state.pool(), None)
            .await?
            .iter()
            .filter(|u| u.role == Role::Admin)
            .count();
        if admins <= 1 {
            return Err(AppError::conflict("error-last-admin"));
        }
    }
    let mut tx = state.db.begin().await?;
    db::accounts::update_role(&mut *tx, account_id, role).await?;
    super::modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::RoleChanged,
            Target::Account,
            Some(account_id),
            &user.username,
        )
        .with(&[("role", role.as_str().to_string())]),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(account_id, role = role.as_str(), "role changed");
    Ok(())
}
