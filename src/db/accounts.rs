//! `accounts` (actors, local and remote) and `users` (local people who sign in).

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

/// An actor as stored. Its `Debug` output leaves the private key out.
#[derive(Clone, FromRow)]
pub struct AccountRow {
    /// The account's id, also its id in the Mastodon API.
    pub id: i64,
    /// The username, as the actor's server spells it.
    pub username: String,
    /// `None` for local accounts.
    pub domain: Option<String>,
    /// `Person`, `Group`, `Application`, `Service`...
    pub actor_type: String,
    /// The ActivityPub id.
    pub uri: String,
    /// The display name (may be empty).
    pub display_name: String,
    /// The biography as written (local accounts).
    pub note_source: String,
    /// The biography as sanitized HTML.
    pub note_html: String,
    /// 1 when follows need approval.
    pub locked: i64,
    /// 1 when the account may be suggested and listed in directories.
    pub discoverable: i64,
    /// The RSA public key (PEM).
    pub public_key_pem: String,
    /// The RSA private key (PEM), for local accounts only.
    pub private_key_pem: Option<String>,
    /// When the account was created.
    pub created_at: i64,
    /// When the profile last changed.
    pub updated_at: i64,
    /// When the account was deleted (its username stays reserved).
    pub deleted_at: Option<i64>,
}

impl AccountRow {
    /// Whether the account belongs to this instance.
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }
}

/// The columns of [`AccountRow`], as a literal so queries stay `&'static str`.
macro_rules! account_columns {
    () => {
        "id, username, domain, actor_type, uri, display_name, note_source, note_html, locked, \
         discoverable, public_key_pem, private_key_pem, created_at, updated_at, deleted_at"
    };
}

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
    /// `admin`, `moderator` or `member`.
    pub role: String,
    /// `pending`, `active` or `disabled`.
    pub state: String,
    /// The interface language chosen, if any.
    pub locale: Option<String>,
    /// Why they asked to join (approval mode).
    pub registration_reason: String,
    /// When they registered.
    pub created_at: i64,
    /// When their last sign-in happened.
    pub last_sign_in_at: Option<i64>,
}

/// The columns of [`UserRow`] over `users u JOIN accounts a`.
macro_rules! user_select {
    () => {
        "SELECT u.account_id, a.username, a.display_name, u.email, u.password_hash, u.role, \
         u.state, u.locale, u.registration_reason, u.created_at, u.last_sign_in_at \
         FROM users u JOIN accounts a ON a.id = u.account_id "
    };
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("domain", &self.domain)
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
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
    pub role: &'a str,
    /// The initial state.
    pub state: &'a str,
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
         registration_reason, invite_id, created_at, approved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
    .bind((new.state == "active").then_some(new.now))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// An account by id.
pub async fn by_id(db: &AnyPool, id: i64) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A local account by username (any case), deleted ones included (their names stay taken).
pub async fn local_by_username(db: &AnyPool, username: &str) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE handle_key = $1 AND domain IS NULL"
    ))
    .bind(username.to_lowercase())
    .fetch_optional(db)
    .await
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
pub async fn users(db: &AnyPool, state: Option<&str>) -> Result<Vec<UserRow>> {
    sqlx::query_as(concat!(
        user_select!(),
        "WHERE ($1 IS NULL OR u.state = $1) ORDER BY u.created_at, u.account_id"
    ))
    .bind(state)
    .fetch_all(db)
    .await
}

/// How many local users are in a state.
pub async fn count_users(db: &AnyPool, state: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE state = $1")
        .bind(state)
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

/// Changes a profile's display name and biography.
pub async fn update_profile(
    db: &AnyPool,
    id: i64,
    display_name: &str,
    note_source: &str,
    note_html: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET display_name = $2, note_source = $3, note_html = $4, \
         updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(display_name)
    .bind(note_source)
    .bind(note_html)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
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
pub async fn approve(db: &AnyPool, id: i64, now: i64) -> Result<bool> {
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
pub async fn update_role(db: &AnyPool, id: i64, role: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET role = $2 WHERE account_id = $1")
        .bind(id)
        .bind(role)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets a user's state (`active` or `disabled`).
pub async fn update_state(db: &AnyPool, id: i64, state: &str) -> Result<bool> {
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
         locked = 0, discoverable = 0, updated_at = $2, deleted_at = $2 WHERE id = $1",
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
