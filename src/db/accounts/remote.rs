//! Remote actors: storing what their documents say, finding them by key or followers
//! collection, the authors the inbox's bulk path reads, and their deletion by their server.

use super::AccountRow;
use crate::db::{self, Result};
use sqlx::{AnyPool, FromRow};

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
    for chunk in db::padded_chunks(uris, db::INSERT_CHUNK) {
        let sql = format!(
            "SELECT id, uri, followers_url FROM accounts WHERE uri IN ({})",
            db::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(db::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
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
/// A picture or banner held as a medium (a copy of the actor's, `federation::objects`) is
/// changed by `service::media::remember_account_image`, not by this statement.
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
         avatar_url = CASE WHEN accounts.avatar_media_id IS NULL THEN excluded.avatar_url \
         ELSE accounts.avatar_url END, \
         header_url = CASE WHEN accounts.header_media_id IS NULL THEN excluded.header_url \
         ELSE accounts.header_url END, \
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
    .bind(db::flag(a.locked))
    .bind(db::flag(a.discoverable))
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

/// Marks a remote account deleted by its server and empties its profile; its media (picture,
/// banner, its posts') go to the sweep.
pub async fn mark_remote_deleted(db: &AnyPool, id: i64, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE accounts SET display_name = '', note_source = '', note_html = '', fields_json = '[]', \
         avatar_url = NULL, header_url = NULL, avatar_media_id = NULL, header_media_id = NULL, \
         deleted_at = $2, updated_at = $2 \
         WHERE id = $1 AND domain IS NOT NULL",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    if done.rows_affected() == 1 {
        db::media::remove_all_of(db, id, now).await?;
    }
    Ok(())
}
