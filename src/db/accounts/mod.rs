//! `accounts` (actors, local and remote) and `users` (local people who sign in).
//!
//! This module holds [`AccountRow`], its columns and the reads and writes of accounts of either
//! kind; `users` holds local people (their sign-in data, registration, roles, sign-in attempts),
//! `remote` what other servers tell of their actors, and `stats` the numbers profiles show.
//! Their public items are re-exported here.

use super::Result;
use sqlx::{AnyExecutor, AnyPool, FromRow};

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
            "avatar_media_id, ",
            $p,
            "header_media_id, ",
            $p,
            "fields_json, ",
            $p,
            "key_id, ",
            $p,
            "fetched_at, ",
            $p,
            "also_known_as, ",
            $p,
            "moved_to_uri, ",
            $p,
            "moved_at"
        )
    };
}

mod remote;
mod stats;
mod users;

pub use remote::{
    Author, RemoteActor, authors_by_uris, by_followers_url, by_key_id, mark_remote_deleted,
    upsert_remote,
};
pub use stats::{AccountStats, AccountWithStats, recount_stats, stats_of, with_stats_by_ids};
pub use users::{
    NewLocalAccount, UserRow, approve, clear_sign_in_attempts, count_active_since,
    count_sign_in_attempt, count_users, email_taken, erase_local, forget_sign_in_attempts,
    insert_local, locales, purge_local, record_sign_in, staff, token_with_user, update_locale,
    update_locale_and_zone, update_password, update_role, update_state, user_by_email, user_by_id,
    user_by_username, user_with_account, users,
};

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
    /// The address of the avatar image (ours for uploads and cached copies).
    pub avatar_url: Option<String>,
    /// The address of the header image.
    pub header_url: Option<String>,
    /// The medium of the avatar, when it is one.
    pub avatar_media_id: Option<i64>,
    /// The medium of the header, when it is one.
    pub header_media_id: Option<i64>,
    /// Profile fields, a JSON array of `{"name", "value"}` (value as sanitized HTML).
    pub fields_json: String,
    /// The id of the public key (remote accounts).
    pub key_id: Option<String>,
    /// When the remote actor document was last fetched.
    pub fetched_at: Option<i64>,
    /// The actor's other ids (`alsoKnownAs`, a JSON array): for a local account, the old
    /// accounts its owner moves from; remote accounts keep `[]` (read fresh when needed).
    pub also_known_as: String,
    /// The account this one moved to (`movedTo`), once moved.
    pub moved_to_uri: Option<String>,
    /// When it moved.
    pub moved_at: Option<i64>,
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
            avatar_media_id: None,
            header_media_id: None,
            fields_json: "[]".into(),
            key_id: None,
            fetched_at: None,
            also_known_as: "[]".into(),
            moved_to_uri: None,
            moved_at: None,
        }
    }

    /// The full handle, `name@domain`: this server's `local_domain` for a local account.
    pub fn acct(&self, local_domain: &str) -> String {
        match &self.domain {
            Some(d) => format!("{}@{d}", self.username),
            None => format!("{}@{local_domain}", self.username),
        }
    }

    /// Whether the account belongs to this instance.
    pub fn is_local(&self) -> bool {
        self.domain.is_none()
    }

    /// Whether it is this instance's own actor (the one local `Application`), which signs
    /// fetches and relays and is nobody to follow, mention, report or sanction. Other servers'
    /// `Application` actors are actors like any other (Gancio's agenda is one).
    pub fn is_instance_actor(&self) -> bool {
        self.is_local() && self.actor_type == "Application"
    }

    /// The inbox to deliver to: the shared one when the server has one.
    pub fn delivery_inbox(&self) -> Option<&str> {
        self.shared_inbox_url
            .as_deref()
            .or(self.inbox_url.as_deref())
    }

    /// The actor ids of `alsoKnownAs`.
    pub fn aliases(&self) -> Vec<String> {
        serde_json::from_str(&self.also_known_as).unwrap_or_default()
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

/// An account by id.
pub async fn by_id(db: impl AnyExecutor<'_>, id: i64) -> Result<Option<AccountRow>> {
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

/// Removes everything an account did: its posts (remembered as deleted), likes, follows both
/// ways, blocks and notifications, bookmarks, pins, muted threads and preferences. Used when a local account is deleted and when a remote
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
        "DELETE FROM received_creates WHERE object_uri IN \
         (SELECT uri FROM statuses WHERE account_id = $1)",
        "DELETE FROM statuses WHERE account_id = $1",
        "DELETE FROM favourites WHERE account_id = $1",
        "DELETE FROM follows WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM blocks WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM notifications WHERE account_id = $1 OR from_account_id = $1",
        "DELETE FROM mentions WHERE account_id = $1",
        // The statuses menu: what the account kept for itself.
        "DELETE FROM bookmarks WHERE account_id = $1",
        "DELETE FROM status_pins WHERE account_id = $1",
        "DELETE FROM thread_mutes WHERE account_id = $1",
        "DELETE FROM user_preferences WHERE account_id = $1",
        "DELETE FROM featured_fetches WHERE account_id = $1",
        // What the account kept about others, and what others kept about it.
        "DELETE FROM user_domain_blocks WHERE account_id = $1",
        "DELETE FROM account_notes WHERE account_id = $1 OR target_account_id = $1",
        "DELETE FROM endorsements WHERE account_id = $1 OR target_account_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}
