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
    /// The actor's inbox (remote accounts).
    pub inbox_url: Option<String>,
    /// The inbox its server shares between its actors (remote accounts).
    pub shared_inbox_url: Option<String>,
    /// The outbox (remote accounts).
    pub outbox_url: Option<String>,
    /// The followers collection (remote accounts); posts addressed to it are followers-only.
    pub followers_url: Option<String>,
    /// The following collection (remote accounts).
    pub following_url: Option<String>,
    /// The profile page (remote accounts).
    pub url: Option<String>,
    /// The avatar image (remote accounts).
    pub avatar_url: Option<String>,
    /// The header image (remote accounts).
    pub header_url: Option<String>,
    /// Profile fields, a JSON array of `{"name", "value"}` (value as sanitized HTML).
    pub fields_json: String,
    /// The id of the public key (remote accounts).
    pub key_id: Option<String>,
    /// When the remote actor document was last fetched.
    pub fetched_at: Option<i64>,
}

impl AccountRow {
    /// A local account with an id and a name, nothing else (unit tests).
    #[cfg(test)]
    pub fn for_tests(uri: &str, username: &str) -> AccountRow {
        AccountRow {
            id: 1,
            username: username.into(),
            domain: None,
            actor_type: "Person".into(),
            uri: uri.into(),
            display_name: String::new(),
            note_source: String::new(),
            note_html: String::new(),
            locked: 0,
            discoverable: 1,
            public_key_pem: String::new(),
            private_key_pem: None,
            created_at: 0,
            updated_at: 0,
            deleted_at: None,
            inbox_url: None,
            shared_inbox_url: None,
            outbox_url: None,
            followers_url: None,
            following_url: None,
            url: None,
            avatar_url: None,
            header_url: None,
            fields_json: "[]".into(),
            key_id: None,
            fetched_at: None,
        }
    }

    /// Whether the account belongs to this instance.
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// The inbox to deliver to: the shared one when the server has one.
    pub fn delivery_inbox(&self) -> Option<&str> {
        self.shared_inbox_url
            .as_deref()
            .or(self.inbox_url.as_deref())
    }

    /// Profile fields as (name, value HTML) pairs.
    pub fn fields(&self) -> Vec<(String, String)> {
        serde_json::from_str::<Vec<serde_json::Value>>(&self.fields_json)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| {
                Some((
                    f.get("name")?.as_str()?.to_string(),
                    f.get("value")?.as_str()?.to_string(),
                ))
            })
            .collect()
    }
}

/// The columns of [`AccountRow`], as a literal so queries stay `&'static str`.
macro_rules! account_columns {
    () => {
        account_columns!("")
    };
    // With a table alias (`"a."`), for joins.
    ($p:literal) => {
        concat!(
            $p,
            "id, ",
            $p,
            "username, ",
            $p,
            "domain, ",
            $p,
            "actor_type, ",
            $p,
            "uri, ",
            $p,
            "display_name, ",
            $p,
            "note_source, ",
            $p,
            "note_html, ",
            $p,
            "locked, ",
            $p,
            "discoverable, ",
            $p,
            "public_key_pem, ",
            $p,
            "private_key_pem, ",
            $p,
            "created_at, ",
            $p,
            "updated_at, ",
            $p,
            "deleted_at, ",
            $p,
            "inbox_url, ",
            $p,
            "shared_inbox_url, ",
            $p,
            "outbox_url, ",
            $p,
            "followers_url, ",
            $p,
            "following_url, ",
            $p,
            "url, ",
            $p,
            "avatar_url, ",
            $p,
            "header_url, ",
            $p,
            "fields_json, ",
            $p,
            "key_id, ",
            $p,
            "fetched_at"
        )
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
    /// Their powers on the instance.
    pub role: crate::domain::Role,
    /// Whether they may sign in.
    pub state: crate::domain::UserState,
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
    .bind((new.state == crate::domain::UserState::Active).then_some(new.now))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// An account by id, in any executor (a transaction, say).
pub async fn by_id_in(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An account by its ActivityPub id.
pub async fn by_uri(db: &AnyPool, uri: &str) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE uri = $1"
    ))
    .bind(uri)
    .fetch_optional(db)
    .await
}

/// The accounts among some ActivityPub ids (deleted ones included), a query per 512 ids.
pub async fn by_uris(conn: &mut sqlx::AnyConnection, uris: &[&str]) -> Result<Vec<AccountRow>> {
    let mut found = Vec::new();
    for chunk in super::padded_chunks(uris, super::INSERT_CHUNK) {
        let sql = format!(
            concat!(
                "SELECT ",
                account_columns!(),
                " FROM accounts WHERE uri IN ({})"
            ),
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// What the inbox's bulk path needs of a post's author: its id, and its followers
/// collection (which tells a followers-only post from a direct one).
#[derive(Debug, Clone, FromRow)]
pub struct Author {
    /// The account's id.
    pub id: i64,
    /// Its ActivityPub id.
    pub uri: String,
    /// Its followers collection, when it has one.
    pub followers_url: Option<String>,
}

/// The authors among some ActivityPub ids (deleted accounts included), a query per 512 ids:
/// three columns instead of a whole account each (a batch's authors took half the time the
/// bulk path spends reading when whole rows were read,
/// docs/decisions/0021-the-lane-s-steps-and-whole-accounts-read-for-three-columns.md).
pub async fn authors_by_uris(conn: &mut sqlx::AnyConnection, uris: &[&str]) -> Result<Vec<Author>> {
    let mut found = Vec::new();
    for chunk in super::padded_chunks(uris, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT id, uri, followers_url FROM accounts WHERE uri IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// The group accounts (not deleted) among some ActivityPub ids, in one query.
pub async fn groups_among(db: &AnyPool, uris: &[&str]) -> Result<Vec<AccountRow>> {
    if uris.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE uri IN ({}) AND actor_type = 'Group' AND deleted_at IS NULL"
        ),
        super::placeholders(1, uris.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for uri in uris {
        q = q.bind(*uri);
    }
    q.fetch_all(db).await
}

/// An account by the id of its public key.
pub async fn by_key_id(db: &AnyPool, key_id: &str) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE key_id = $1"
    ))
    .bind(key_id)
    .fetch_optional(db)
    .await
}

/// An account by its followers collection (to recognise followers-only addressing).
pub async fn by_followers_url(db: &AnyPool, url: &str) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE followers_url = $1"
    ))
    .bind(url)
    .fetch_optional(db)
    .await
}

/// An account by handle: `username` with `domain` (`None` for this instance).
pub async fn by_handle(
    db: &AnyPool,
    username: &str,
    domain: Option<&str>,
) -> Result<Option<AccountRow>> {
    let key = match domain {
        Some(d) => format!("{}@{}", username, d).to_lowercase(),
        None => username.to_lowercase(),
    };
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE handle_key = $1"
    ))
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Accounts by ids, in no particular order.
pub async fn by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<AccountRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            account_columns!(),
            " FROM accounts WHERE id IN ({})"
        ),
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// Accounts whose name or display name starts with or contains `q`, local first, for search
/// and autocompletion. Deleted and unapproved accounts are left out.
pub async fn search(db: &AnyPool, q: &str, limit: i64) -> Result<Vec<AccountRow>> {
    let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts a WHERE deleted_at IS NULL AND actor_type <> 'Application' \
         AND (LOWER(username) LIKE $1 OR LOWER(display_name) LIKE $1 OR handle_key LIKE $1) \
         AND (domain IS NOT NULL OR actor_type = 'Group' OR EXISTS (SELECT 1 FROM users u \
              WHERE u.account_id = a.id AND u.state = 'active')) \
         ORDER BY (CASE WHEN domain IS NULL THEN 0 ELSE 1 END), username LIMIT $2"
    ))
    .bind(pattern)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// What we learnt of a remote actor from its document.
pub struct RemoteActor<'a> {
    /// Its ActivityPub id.
    pub uri: &'a str,
    /// `preferredUsername`.
    pub username: &'a str,
    /// Its server's domain (with port, if any).
    pub domain: &'a str,
    /// `Person`, `Group`, `Service`...
    pub actor_type: &'a str,
    /// `name`.
    pub display_name: &'a str,
    /// `summary`, sanitized.
    pub note_html: &'a str,
    /// `manuallyApprovesFollowers`.
    pub locked: bool,
    /// `discoverable`.
    pub discoverable: bool,
    /// The public key.
    pub public_key_pem: &'a str,
    /// The public key's id.
    pub key_id: &'a str,
    /// Addresses.
    pub inbox_url: &'a str,
    /// The shared inbox.
    pub shared_inbox_url: Option<&'a str>,
    /// The outbox.
    pub outbox_url: Option<&'a str>,
    /// The followers collection.
    pub followers_url: Option<&'a str>,
    /// The following collection.
    pub following_url: Option<&'a str>,
    /// The profile page.
    pub url: Option<&'a str>,
    /// The avatar.
    pub avatar_url: Option<&'a str>,
    /// The header image.
    pub header_url: Option<&'a str>,
    /// Profile fields (JSON).
    pub fields_json: &'a str,
    /// `published`, or now.
    pub created_at: i64,
    /// Now.
    pub now: i64,
}

/// Stores or refreshes a remote actor; returns its account id, or `None` when the stored row
/// may not take this document: a local account (its id is ours), or an actor that would turn
/// into a group or stop being one, or into a server's instance actor (an `Application`) or
/// stop being one. Whether an actor is a group decided how its follow was approved, and an
/// instance actor may read for its server's members (docs/SECURITY.md, rules T3 and T7);
/// neither is changed by the actor's own word, so the statement itself refuses it, whatever
/// the caller.
/// If another actor held the same handle (an account re-created on its server), that older
/// row gives the handle up.
pub async fn upsert_remote(db: &AnyPool, a: &RemoteActor<'_>) -> Result<Option<i64>> {
    let handle_key = format!("{}@{}", a.username, a.domain).to_lowercase();
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE accounts SET handle_key = 'replaced:' || CAST(id AS TEXT) \
         WHERE handle_key = $1 AND uri <> $2",
    )
    .bind(&handle_key)
    .bind(a.uri)
    .execute(&mut *tx)
    .await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (username, domain, handle_key, actor_type, uri, display_name, \
         note_html, locked, discoverable, public_key_pem, key_id, inbox_url, shared_inbox_url, \
         outbox_url, followers_url, following_url, url, avatar_url, header_url, fields_json, \
         created_at, updated_at, fetched_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $22) \
         ON CONFLICT (uri) DO UPDATE SET username = excluded.username, domain = excluded.domain, \
         handle_key = excluded.handle_key, actor_type = excluded.actor_type, \
         display_name = excluded.display_name, note_html = excluded.note_html, \
         locked = excluded.locked, discoverable = excluded.discoverable, \
         public_key_pem = excluded.public_key_pem, key_id = excluded.key_id, \
         inbox_url = excluded.inbox_url, shared_inbox_url = excluded.shared_inbox_url, \
         outbox_url = excluded.outbox_url, followers_url = excluded.followers_url, \
         following_url = excluded.following_url, url = excluded.url, \
         avatar_url = excluded.avatar_url, header_url = excluded.header_url, \
         fields_json = excluded.fields_json, updated_at = excluded.updated_at, \
         fetched_at = excluded.fetched_at, deleted_at = NULL \
         WHERE accounts.domain IS NOT NULL \
         AND (accounts.actor_type = 'Group') = (excluded.actor_type = 'Group') \
         AND (accounts.actor_type = 'Application') = (excluded.actor_type = 'Application') \
         RETURNING id",
    )
    .bind(a.username)
    .bind(a.domain)
    .bind(&handle_key)
    .bind(a.actor_type)
    .bind(a.uri)
    .bind(a.display_name)
    .bind(a.note_html)
    .bind(super::flag(a.locked))
    .bind(super::flag(a.discoverable))
    .bind(a.public_key_pem)
    .bind(a.key_id)
    .bind(a.inbox_url)
    .bind(a.shared_inbox_url)
    .bind(a.outbox_url)
    .bind(a.followers_url)
    .bind(a.following_url)
    .bind(a.url)
    .bind(a.avatar_url)
    .bind(a.header_url)
    .bind(a.fields_json)
    .bind(a.created_at)
    .bind(a.now)
    .fetch_optional(&mut *tx)
    .await?;
    if id.is_none() {
        // Refused: the handle taken above stays with its holder.
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(id)
}

/// Marks a remote account deleted by its server and empties its profile.
pub async fn mark_remote_deleted(db: &AnyPool, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET display_name = '', note_source = '', note_html = '', fields_json = '[]', \
         avatar_url = NULL, header_url = NULL, deleted_at = $2, updated_at = $2 \
         WHERE id = $1 AND domain IS NOT NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Sets a local account's profile fields and follow-approval and discoverability flags.
pub async fn update_local_flags(
    db: &AnyPool,
    id: i64,
    fields_json: &str,
    locked: bool,
    discoverable: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE accounts SET fields_json = $2, locked = $3, discoverable = $4, updated_at = $5 \
         WHERE id = $1 AND domain IS NULL",
    )
    .bind(id)
    .bind(fields_json)
    .bind(super::flag(locked))
    .bind(super::flag(discoverable))
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The instance actor (an `Application` account), if it exists yet.
pub async fn instance_actor(db: &AnyPool) -> Result<Option<AccountRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        " FROM accounts WHERE handle_key = 'instance.actor' AND domain IS NULL"
    ))
    .fetch_optional(db)
    .await
}

/// Creates the instance actor; returns its id (or the existing one's, if another process made
/// it first).
pub async fn insert_instance_actor(
    db: &AnyPool,
    username: &str,
    uri: &str,
    public_key_pem: &str,
    private_key_pem: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO accounts (username, domain, handle_key, actor_type, uri, public_key_pem, \
         private_key_pem, discoverable, created_at, updated_at) \
         VALUES ($1, NULL, 'instance.actor', 'Application', $2, $3, $4, 0, $5, $5) \
         ON CONFLICT DO NOTHING",
    )
    .bind(username)
    .bind(uri)
    .bind(public_key_pem)
    .bind(private_key_pem)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
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

/// The columns of [`AccountStats`] over `accounts a`, and the join they need: the numbers are
/// kept by triggers (migration 0010), not counted when read.
macro_rules! stats_columns {
    () => {
        "a.id AS stats_id, COALESCE(st.followers, 0) AS followers, \
         COALESCE(st.following, 0) AS following, COALESCE(st.statuses, 0) AS statuses, \
         st.last_status_at AS last_status_at"
    };
}
macro_rules! stats_join {
    () => {
        " LEFT JOIN account_stats st ON st.account_id = a.id"
    };
}

/// Counts every account's numbers again from the rows (the triggers of migration 0010 keep
/// them otherwise): for data loaded with the triggers disabled, or numbers that drifted.
/// Returns how many accounts were counted. Run it in a transaction (`coopol recount` does).
pub async fn recount_stats(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    sqlx::query("DELETE FROM account_stats")
        .execute(&mut *conn)
        .await?;
    let written = sqlx::query(
        "INSERT INTO account_stats (account_id, followers, following, statuses, last_status_at) \
         SELECT a.id, \
           (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id AND f.state = 'accepted'), \
           (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id AND f.state = 'accepted'), \
           (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id \
              AND s.visibility NOT IN ('direct', 'group')), \
           (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = a.id \
              AND s.visibility <> 'group') \
         FROM accounts a",
    )
    .execute(&mut *conn)
    .await?;
    Ok(written.rows_affected())
}

/// What profiles show in numbers.
#[derive(Debug, Clone, FromRow)]
pub struct AccountStats {
    /// The account.
    #[sqlx(rename = "stats_id")]
    pub id: i64,
    /// Accepted followers.
    pub followers: i64,
    /// Accounts it follows (accepted).
    pub following: i64,
    /// Posts (boosts included; direct messages and closed circles' posts not).
    pub statuses: i64,
    /// When it last posted (not counting closed circles).
    pub last_status_at: Option<i64>,
}

/// The numbers of many accounts, in one query.
pub async fn stats_of(db: &AnyPool, ids: &[i64]) -> Result<Vec<AccountStats>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            stats_columns!(),
            " FROM accounts a",
            stats_join!(),
            " WHERE a.id IN ({})"
        ),
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

/// An account with its numbers.
#[derive(Debug, Clone, FromRow)]
pub struct AccountWithStats {
    /// The account.
    #[sqlx(flatten)]
    pub account: AccountRow,
    /// Its numbers.
    #[sqlx(flatten)]
    pub stats: AccountStats,
}

/// Accounts by ids with their numbers, in one query, in no particular order.
pub async fn with_stats_by_ids(db: &AnyPool, ids: &[i64]) -> Result<Vec<AccountWithStats>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!(
            "SELECT ",
            account_columns!("a."),
            ", ",
            stats_columns!(),
            " FROM accounts a",
            stats_join!(),
            " WHERE a.id IN ({})"
        ),
        super::placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
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
    registration_reason: String,
    user_created_at: i64,
    last_sign_in_at: Option<i64>,
}

/// The columns [`UserJoined`] reads, from `users u` joined with `accounts a`.
macro_rules! user_join_columns {
    () => {
        concat!(
            account_columns!("a."),
            ", u.email, u.password_hash, u.role, u.state, u.locale, u.registration_reason, \
             u.created_at AS user_created_at, u.last_sign_in_at"
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
            registration_reason: self.registration_reason,
            created_at: self.user_created_at,
            last_sign_in_at: self.last_sign_in_at,
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
) -> Result<Option<(super::oauth::TokenRow, Option<(UserRow, AccountRow)>)>> {
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
    let token = super::oauth::TokenRow {
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
pub async fn update_role(db: &AnyPool, id: i64, role: crate::domain::Role) -> Result<bool> {
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
         fields_json = '[]', avatar_url = NULL, header_url = NULL, \
         locked = 0, discoverable = 0, updated_at = $2, deleted_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes everything an account did: its posts (remembered as deleted), likes, follows both
/// ways, blocks and notifications. Used when a local account is deleted and when a remote
/// server says one of its accounts is gone.
pub async fn erase_activity(conn: &mut sqlx::AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO tombstones (uri, deleted_at) SELECT uri, $2 FROM statuses WHERE account_id = $1 \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    for sql in [
        "DELETE FROM statuses WHERE account_id = $1",
        "DELETE FROM favourites WHERE account_id = $1",
        "DELETE FROM follows WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM blocks WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM notifications WHERE account_id = $1 OR from_account_id = $1",
        "DELETE FROM mentions WHERE account_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
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
