//! `users`: local people, who sign in. Their row joined with their account's, creating,
//! approving, changing and erasing them, and the sign-in attempts counted per login.

use super::AccountRow;
use crate::db::{self, Result};
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// A local person: their account joined with their sign-in data. Its `Debug` output leaves the
/// password hash and e-mail address out, so no log line can carry them.
#[derive(Clone, FromRow)]
pub struct UserRow {
    /// The account's id.
    pub account_id: i64,
    /// The username.
    pub username: String,
    /// The display name (may be empty).
    pub display_name: String,
    /// The e-mail address used to sign in.
    pub email: String,
    /// The Argon2 hash of the password.
    pub password_hash: String,
    /// Their powers on the instance.
    pub role: crate::domain::Role,
    /// Whether they may sign in.
    pub state: crate::domain::UserState,
    /// The interface language chosen, if any.
    pub locale: Option<String>,
    /// The time zone chosen (an IANA name), if any; `None` is the instance's.
    pub time_zone: Option<String>,
    /// Why they asked to join (approval mode).
    pub registration_reason: String,
    /// When they registered.
    pub created_at: i64,
    /// When their last sign-in happened.
    pub last_sign_in_at: Option<i64>,
    /// 1 while their e-mail address awaits confirmation (they may not sign in until then).
    pub email_unconfirmed: i64,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("account_id", &self.account_id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// The columns of [`UserRow`] over `users u JOIN accounts a`.
macro_rules! user_select {
    () => {
        "SELECT u.account_id, a.username, a.display_name, u.email, u.password_hash, u.role, \
         u.state, u.locale, u.time_zone, u.registration_reason, u.created_at, \
         u.last_sign_in_at, u.email_unconfirmed \
         FROM users u JOIN accounts a ON a.id = u.account_id "
    };
}

/// What is needed to create a local account.
pub struct NewLocalAccount<'a> {
    /// The username (already validated, lower case).
    pub username: &'a str,
    /// The ActivityPub id.
    pub uri: &'a str,
    /// The e-mail address (already validated).
    pub email: &'a str,
    /// The Argon2 hash of the password.
    pub password_hash: &'a str,
    /// The role.
    pub role: crate::domain::Role,
    /// The initial state.
    pub state: crate::domain::UserState,
    /// The interface language, if chosen.
    pub locale: Option<&'a str>,
    /// Why they ask to join.
    pub reason: &'a str,
    /// The invite used, if any.
    pub invite_id: Option<i64>,
    /// The RSA key pair (PEM).
    pub public_key_pem: &'a str,
    /// The RSA private key (PEM).
    pub private_key_pem: &'a str,
    /// Whether the address awaits confirmation by e-mail.
    pub email_unconfirmed: bool,
    /// The creation time.
    pub now: i64,
}

/// Inserts a local account and its user row; returns the account id. Run it in a transaction.
pub async fn insert_local(
    conn: &mut sqlx::AnyConnection,
    new: &NewLocalAccount<'_>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, domain, handle_key, actor_type, uri, public_key_pem, \
         private_key_pem, created_at, updated_at) \
         VALUES ($1, NULL, $2, 'Person', $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(new.username)
    .bind(new.username.to_lowercase())
    .bind(new.uri)
    .bind(new.public_key_pem)
    .bind(new.private_key_pem)
    .bind(new.now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO users (account_id, email, password_hash, role, state, locale, \
         registration_reason, invite_id, created_at, approved_at, email_unconfirmed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(new.email)
    .bind(new.password_hash)
    .bind(new.role)
    .bind(new.state)
    .bind(new.locale)
    .bind(new.reason)
    .bind(new.invite_id)
    .bind(new.now)
    .bind((new.state == crate::domain::UserState::Active).then_some(new.now))
    .bind(i64::from(new.email_unconfirmed))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// A local user by account id.
pub async fn user_by_id(db: impl AnyExecutor<'_>, account_id: i64) -> Result<Option<UserRow>> {
    sqlx::query_as(concat!(user_select!(), "WHERE u.account_id = $1"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// A local user by e-mail address (already normalised).
pub async fn user_by_email(db: &AnyPool, email: &str) -> Result<Option<UserRow>> {
    sqlx::query_as(concat!(user_select!(), "WHERE u.email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await
}

/// A local user by username (any case).
pub async fn user_by_username(db: &AnyPool, username: &str) -> Result<Option<UserRow>> {
    sqlx::query_as(concat!(
        user_select!(),
        "WHERE a.handle_key = $1 AND a.domain IS NULL"
    ))
    .bind(username.to_lowercase())
    .fetch_optional(db)
    .await
}

/// Local users in a state (`pending`, ...), oldest first, or all of them when `state` is
/// `None`.
pub async fn users(db: &AnyPool, state: Option<crate::domain::UserState>) -> Result<Vec<UserRow>> {
    sqlx::query_as(concat!(
        user_select!(),
        "WHERE ($1 IS NULL OR u.state = $1) ORDER BY u.created_at, u.account_id"
    ))
    .bind(state)
    .fetch_all(db)
    .await
}

/// How many local users are in a state.
pub async fn count_users(db: &AnyPool, state: crate::domain::UserState) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE state = $1")
        .bind(state)
        .fetch_one(db)
        .await
}

/// A user's row joined with their account's, as `user_join_columns!` selects them.
#[derive(FromRow)]
struct UserJoined {
    #[sqlx(flatten)]
    account: AccountRow,
    email: String,
    password_hash: String,
    role: crate::domain::Role,
    state: crate::domain::UserState,
    locale: Option<String>,
    time_zone: Option<String>,
    registration_reason: String,
    user_created_at: i64,
    last_sign_in_at: Option<i64>,
    email_unconfirmed: i64,
}

/// The columns [`UserJoined`] reads, from `users u` joined with `accounts a`.
macro_rules! user_join_columns {
    () => {
        concat!(
            account_columns!("a."),
            ", u.email, u.password_hash, u.role, u.state, u.locale, u.time_zone, \
             u.registration_reason, \
             u.created_at AS user_created_at, u.last_sign_in_at, u.email_unconfirmed"
        )
    };
}

impl UserJoined {
    fn into_pair(self) -> (UserRow, AccountRow) {
        let user = UserRow {
            account_id: self.account.id,
            username: self.account.username.clone(),
            display_name: self.account.display_name.clone(),
            email: self.email,
            password_hash: self.password_hash,
            role: self.role,
            state: self.state,
            locale: self.locale,
            time_zone: self.time_zone,
            registration_reason: self.registration_reason,
            created_at: self.user_created_at,
            last_sign_in_at: self.last_sign_in_at,
            email_unconfirmed: self.email_unconfirmed,
        };
        (user, self.account)
    }
}

/// A local user and their account, in one query.
pub async fn user_with_account(
    db: &AnyPool,
    account_id: i64,
) -> Result<Option<(UserRow, AccountRow)>> {
    let joined: Option<UserJoined> = sqlx::query_as(concat!(
        "SELECT ",
        user_join_columns!(),
        " FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.account_id = $1"
    ))
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    Ok(joined.map(UserJoined::into_pair))
}

/// An access token by its hash, with the user it acts for and their account (`None` for an
/// app's own token, or when the user is gone), in one query: every authenticated API call
/// starts with it.
pub async fn token_with_user(
    db: &AnyPool,
    token_hash: &str,
) -> Result<Option<(db::oauth::TokenRow, Option<(UserRow, AccountRow)>)>> {
    use sqlx::Row;
    let row = sqlx::query(concat!(
        "SELECT t.id AS token_id, t.app_id AS token_app_id, t.account_id AS token_account_id, \
         t.scopes AS token_scopes, t.created_at AS token_created_at, \
         t.expires_at AS token_expires_at, t.revoked_at AS token_revoked_at, \
         t.last_used_at AS token_last_used_at, u.account_id AS user_account_id, ",
        user_join_columns!(),
        " FROM oauth_tokens t LEFT JOIN users u ON u.account_id = t.account_id \
         LEFT JOIN accounts a ON a.id = u.account_id WHERE t.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let token = db::oauth::TokenRow {
        id: row.try_get("token_id")?,
        app_id: row.try_get("token_app_id")?,
        account_id: row.try_get("token_account_id")?,
        scopes: row.try_get("token_scopes")?,
        created_at: row.try_get("token_created_at")?,
        expires_at: row.try_get("token_expires_at")?,
        revoked_at: row.try_get("token_revoked_at")?,
        last_used_at: row.try_get("token_last_used_at")?,
    };
    let user: Option<i64> = row.try_get("user_account_id")?;
    let user = match user {
        Some(_) => Some(UserJoined::from_row(&row)?.into_pair()),
        None => None,
    };
    Ok(Some((token, user)))
}

/// How many active local users signed in or posted since `since`.
pub async fn count_active_since(db: &AnyPool, since: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u WHERE u.state = 'active' AND (u.last_sign_in_at > $1 \
         OR EXISTS (SELECT 1 FROM statuses s WHERE s.account_id = u.account_id AND s.local = 1 \
         AND s.created_at > $1))",
    )
    .bind(since)
    .fetch_one(db)
    .await
}

/// Whether an e-mail address is taken.
pub async fn email_taken(db: &AnyPool, email: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db)
        .await?;
    Ok(n > 0)
}

/// Replaces a password hash.
pub async fn update_password(db: &AnyPool, id: i64, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE account_id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets a user's interface language and time zone together (`None`: the browser's language,
/// the instance's zone).
pub async fn update_locale_and_zone(
    db: &AnyPool,
    id: i64,
    locale: Option<&str>,
    time_zone: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $2, time_zone = $3 WHERE account_id = $1")
        .bind(id)
        .bind(locale)
        .bind(time_zone)
        .execute(db)
        .await?;
    Ok(())
}

/// Sets a user's interface language (`None` follows the browser).
pub async fn update_locale(db: &AnyPool, id: i64, locale: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE users SET locale = $2 WHERE account_id = $1")
        .bind(id)
        .bind(locale)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks a pending user active; returns whether one was pending.
pub async fn approve(db: impl AnyExecutor<'_>, id: i64, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET state = 'active', approved_at = $2 \
         WHERE account_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a user's role.
pub async fn update_role(
    db: impl AnyExecutor<'_>,
    id: i64,
    role: crate::domain::Role,
) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET role = $2 WHERE account_id = $1")
        .bind(id)
        .bind(role)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a user's state (`active` or `disabled`).
pub async fn update_state(db: &AnyPool, id: i64, state: crate::domain::UserState) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET state = $2 WHERE account_id = $1")
        .bind(id)
        .bind(state)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Records a successful sign-in.
pub async fn record_sign_in(db: &AnyPool, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE users SET last_sign_in_at = $2 WHERE account_id = $1")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Erases a local person's personal data: the user row (e-mail, password hash, sessions and
/// tokens, by cascade) goes, the profile is emptied and the account marked deleted. The
/// username stays reserved so nobody can take over the name, and the key pair stays so that
/// the deletion can still be signed when it is announced to other servers.
pub async fn erase_local(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("DELETE FROM users WHERE account_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE accounts SET display_name = '', note_source = '', note_html = '', \
         fields_json = '[]', avatar_url = NULL, header_url = NULL, avatar_media_id = NULL, \
         header_media_id = NULL, locked = 0, discoverable = 0, updated_at = $2, \
         deleted_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes an account that never became visible (a refused registration) entirely, so that
/// its username can be registered again.
pub async fn purge_local(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM users WHERE account_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM accounts WHERE id = $1 AND domain IS NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Counts a sign-in attempt for a login (by the hash of what was typed) and returns the
/// attempts in its current window with the window's start. A window that began at or before
/// `window_ended_before` is over: the count starts again from this attempt. One statement, so
/// concurrent attempts (from several processes too) each see their own count.
pub async fn count_sign_in_attempt(
    db: &AnyPool,
    key_hash: &str,
    now: i64,
    window_ended_before: i64,
) -> Result<(i64, i64)> {
    use sqlx::Row;
    let row = sqlx::query(
        "INSERT INTO sign_in_attempts (key_hash, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (key_hash) DO UPDATE SET \
         attempts = CASE WHEN sign_in_attempts.window_start <= $3 THEN 1 \
                    ELSE sign_in_attempts.attempts + 1 END, \
         window_start = CASE WHEN sign_in_attempts.window_start <= $3 THEN excluded.window_start \
                        ELSE sign_in_attempts.window_start END \
         RETURNING attempts, window_start",
    )
    .bind(key_hash)
    .bind(now)
    .bind(window_ended_before)
    .fetch_one(db)
    .await?;
    Ok((row.try_get("attempts")?, row.try_get("window_start")?))
}

/// Forgets a login's attempts (after a successful sign-in).
pub async fn clear_sign_in_attempts(db: &AnyPool, key_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_attempts WHERE key_hash = $1")
        .bind(key_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes the counts whose window began at or before `window_ended_before`; returns how many.
pub async fn forget_sign_in_attempts(db: &AnyPool, window_ended_before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sign_in_attempts WHERE window_start <= $1")
        .bind(window_ended_before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// The chosen languages of local people (`None`: not chosen), as (account, language).
pub async fn locales(
    conn: &mut sqlx::AnyConnection,
    account_ids: &[i64],
) -> Result<Vec<(i64, Option<String>)>> {
    let mut out = Vec::new();
    for chunk in crate::db::padded_chunks(account_ids, crate::db::INSERT_CHUNK) {
        let sql = format!(
            "SELECT account_id, locale FROM users WHERE account_id IN ({})",
            crate::db::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// The active administrators and moderators of the instance (who decide on sign-ups).
pub async fn staff(conn: &mut sqlx::AnyConnection) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT account_id FROM users WHERE role IN ('admin', 'moderator') AND state = 'active' \
         ORDER BY account_id",
    )
    .fetch_all(&mut *conn)
    .await
}
