//! "Télécharger mes données" (GDPR art. 15 and 20): a person asks for an archive of what
//! the instance holds about them; the export worker (any process: the row is claimed in the
//! database) prepares it in Mastodon's export shape (`outbox.json`, `actor.json`,
//! `likes.json`, `bookmarks.json`, `media_attachments/`, the avatar and the header, the CSV
//! files of Mastodon's export page) plus coopol's own `coopol.json` (groups and roles, events
//! and shifts with attendance, followers, and every row of every table that refers to the
//! person, secrets left out), stores it in the media store under `exports/`, and tells its
//! owner by a notification (`data_export_ready`, which e-mails by default). Only its owner
//! downloads it, for [`KEPT`]; then it is deleted. One archive per [`EVERY`].
//!
//! The ActivityPub documents are made by the federation layer, which the start-up hands to
//! [`run`] as a [`Render`] (services never name federation).
//!
//! Completeness: every column of the schema with a foreign key to `accounts` or `users` is
//! either in [`EXPORTED`] or in [`NOT_EXPORTED`] with why; [`unclassified`] lists the others,
//! and `tests/data_export.rs` fails while there is one (docs/decisions/0029).

use crate::{
    clock,
    db::{self, accounts::AccountRow, personal_data::Named},
    domain::NotificationKind,
    error::{AppError, AppResult},
    service::data_jobs::Job,
    state::AppState,
};
use axum::http::StatusCode;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use std::{io::Write, path::PathBuf, time::Duration};

/// How often a person may ask for an archive: once a day. Mastodon allows one a week; an
/// archive here is small (a member's posts and a few pictures) and people ask for it when they
/// need it (before a move, for a GDPR request), so a week would be a long wait; a day still
/// keeps a person from making the server build archives all day.
pub const EVERY: Duration = Duration::from_secs(24 * 3600);
/// How long an archive can be downloaded before it is deleted: seven days, as Mastodon's.
pub const KEPT: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a claim on an archive to build lasts.
const LEASE: Duration = Duration::from_secs(600);
/// How many times an archive is tried before it is marked failed.
const MAX_ATTEMPTS: i64 = 3;
/// How often the worker deletes expired archives.
const CHORES_EVERY: Duration = Duration::from_secs(60);
/// The largest medium copied into an archive (larger files are listed, not copied).
const MAX_MEDIUM_BYTES: u64 = 200 * 1024 * 1024;

/// The ActivityPub documents of an archive, made by the federation layer.
pub struct ActivityParts {
    /// The person's actor, as other servers read it.
    pub actor: Value,
    /// The `Create` of each post and the `Announce` of each boost, oldest first.
    pub activities: Vec<Value>,
}

/// What renders a person's [`ActivityParts`].
pub type Render =
    for<'a> fn(&'a AppState, &'a AccountRow) -> BoxFuture<'a, AppResult<ActivityParts>>;

/// The columns referring to the person whose rows go into `coopol.json` (`tables`).
pub const EXPORTED: &[(&str, &str)] = &[
    ("account_notes", "account_id"),
    ("account_sanctions", "account_id"),
    ("account_stats", "account_id"),
    ("account_warnings", "account_id"),
    ("announcement_reactions", "account_id"),
    ("announcement_reads", "account_id"),
    ("appeals", "account_id"),
    ("blocks", "account_id"),
    ("bookmarks", "account_id"),
    ("calendar_links", "account_id"),
    ("conversations", "account_id"),
    ("data_exports", "account_id"),
    ("data_imports", "account_id"),
    ("endorsements", "account_id"),
    ("events", "organizer_id"),
    ("favourites", "account_id"),
    ("featured_tags", "account_id"),
    ("filters", "account_id"),
    ("followed_tags", "account_id"),
    ("follows", "account_id"),
    ("follows", "target_account_id"),
    ("group_audit", "account_id"),
    ("group_members", "account_id"),
    ("group_requests", "account_id"),
    ("groups", "created_by"),
    ("invites", "created_by"),
    ("lists", "account_id"),
    ("mail_queue", "account_id"),
    ("mail_tokens", "account_id"),
    ("markers", "account_id"),
    ("media", "account_id"),
    ("mentions", "account_id"),
    ("mutes", "account_id"),
    ("notification_permissions", "account_id"),
    ("notification_policies", "account_id"),
    ("notification_preferences", "account_id"),
    ("notifications", "account_id"),
    ("oauth_codes", "account_id"),
    ("oauth_tokens", "account_id"),
    ("participants", "account_id"),
    ("poll_votes", "account_id"),
    ("push_subscriptions", "account_id"),
    ("reports", "account_id"),
    ("scheduled_statuses", "account_id"),
    ("status_pins", "account_id"),
    ("statuses", "account_id"),
    ("suggestion_dismissals", "account_id"),
    ("thread_mutes", "account_id"),
    ("user_domain_blocks", "account_id"),
    ("user_preferences", "account_id"),
    ("users", "account_id"),
    ("web_sessions", "account_id"),
    ("weekly_logins", "account_id"),
];

/// Why a moderator's or administrator's column is not exported (and left out of exported rows).
pub const STAFF: &str = "a moderator's or administrator's act, kept in the moderation records; \
                     what it did to the person is exported from the person's side";
const OTHERS: &str = "another person's choice or private record about this person";
const GROUP: &str = "refers to a group's account, not a person";

/// The columns referring to an account whose rows are not exported, with why.
pub const NOT_EXPORTED: &[(&str, &str, &str)] = &[
    ("account_notes", "target_account_id", OTHERS),
    ("account_sanctions", "suspended_by", STAFF),
    ("account_warnings", "actor_id", STAFF),
    ("announcements", "created_by", STAFF),
    ("appeals", "decided_by", STAFF),
    ("blocks", "target_account_id", OTHERS),
    ("endorsements", "target_account_id", OTHERS),
    (
        "featured_fetches",
        "account_id",
        "when another server's featured posts were last read: a cache, about remote accounts",
    ),
    (
        "feeds",
        "account_id",
        "the home timeline's cache of other people's posts, rebuilt from follows",
    ),
    ("group_audit", "group_id", GROUP),
    ("group_members", "group_id", GROUP),
    ("group_name_keys", "group_id", GROUP),
    ("group_official_marks", "group_id", GROUP),
    ("group_official_marks", "marked_by", STAFF),
    ("group_posts", "group_id", GROUP),
    ("groups", "account_id", GROUP),
    (
        "idempotency_keys",
        "account_id",
        "an app's keys against sending a post twice, kept a day; the posts are exported",
    ),
    ("list_accounts", "account_id", OTHERS),
    ("lookalike_flags", "dismissed_by", STAFF),
    ("lookalike_flags", "group_id", GROUP),
    ("lookalike_flags", "similar_id", GROUP),
    ("moderation_log", "actor_id", STAFF),
    ("mutes", "target_account_id", OTHERS),
    ("notification_permissions", "from_account_id", OTHERS),
    ("notifications", "from_account_id", OTHERS),
    ("notifications", "group_account_id", GROUP),
    ("official_vouches", "federation_id", GROUP),
    ("official_vouches", "section_id", GROUP),
    (
        "out_activities",
        "actor_id",
        "the activities sent to other servers: the same posts as outbox.json",
    ),
    (
        "push_deliveries",
        "from_account_id",
        "Web Push messages waiting for other people's phones",
    ),
    ("report_notes", "account_id", STAFF),
    ("reports", "action_taken_by_account_id", STAFF),
    ("reports", "assigned_account_id", STAFF),
    (
        "reports",
        "target_account_id",
        "reports about the person: the reporter is protected; warnings and sanctions are exported",
    ),
    ("statuses", "group_id", GROUP),
    ("statuses", "in_reply_to_account_id", OTHERS),
    ("suggestion_dismissals", "target_account_id", OTHERS),
];

/// Any table, in [`SECRET_COLUMNS`].
const ANY: &str = "*";

/// Columns never written into an archive: secrets (hashes of tokens and passwords, keys,
/// link parameters of e-mails waiting to go), as (table, column); a name specific enough
/// stands for every table ([`ANY`]), a generic one (`params`, `token`, `body`) is named with
/// its table, so that the person's own text elsewhere (`scheduled_statuses.params`, their
/// scheduled posts) stays in.
pub const SECRET_COLUMNS: &[(&str, &str)] = &[
    (ANY, "password_hash"),
    (ANY, "private_key_pem"),
    (ANY, "token_hash"),
    (ANY, "code_hash"),
    (ANY, "id_hash"),
    (ANY, "code_challenge"),
    (ANY, "access_token"),
    (ANY, "key_p256dh"),
    (ANY, "key_auth"),
    ("mail_queue", "params"),
    ("media", "token"),
    ("data_imports", "body"),
];

/// The columns of `table` left out of its rows in an archive: its secrets, and the columns
/// [`NOT_EXPORTED`] gives as a moderator's or administrator's act (who handled a report,
/// warned, suspended, decided an appeal: G-R6 keeps the staff unnamed to the person).
pub fn omitted(table: &str) -> Vec<&'static str> {
    SECRET_COLUMNS
        .iter()
        .filter(|(t, _)| *t == ANY || *t == table)
        .map(|(_, c)| *c)
        .chain(
            NOT_EXPORTED
                .iter()
                .filter(|(t, _, why)| *t == table && *why == STAFF)
                .map(|(_, c, _)| *c),
        )
        .collect()
}

/// The columns with a foreign key to an account that are neither exported nor listed as
/// not exported: an archive would miss what they hold.
pub async fn unclassified(state: &AppState) -> AppResult<Vec<(String, String)>> {
    let all = db::personal_data::account_references(state.pool(), state.db.backend()).await?;
    Ok(all
        .into_iter()
        .filter(|(t, c)| {
            !EXPORTED.iter().any(|(et, ec)| et == t && ec == c)
                && !NOT_EXPORTED.iter().any(|(nt, nc, _)| nt == t && nc == c)
        })
        .collect())
}

/// An archive as its owner sees it.
pub use db::personal_data::ExportRow as Export;

/// A person's archives, newest first.
pub async fn list(state: &AppState, account_id: i64) -> AppResult<Vec<Export>> {
    Ok(db::personal_data::exports_of(state.pool(), account_id).await?)
}

/// When the person may ask for the next archive (`None`: now).
pub fn next_allowed(exports: &[Export]) -> Option<i64> {
    exports
        .iter()
        .map(|e| e.requested_at)
        .max()
        .map(|last| last + EVERY.as_micros() as i64)
        .filter(|at| *at > clock::now())
}

/// Asks for an archive; refused (429, `error-export-too-soon`) within [`EVERY`] of the last.
pub async fn request(state: &AppState, account_id: i64) -> AppResult<i64> {
    let exports = list(state, account_id).await?;
    if next_allowed(&exports).is_some() {
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "error-export-too-soon",
        ));
    }
    let id = state.ids.next();
    db::personal_data::insert_export(state.pool(), id, account_id, clock::now()).await?;
    Ok(id)
}

/// Opens an archive for download: its owner's only, ready and not expired (otherwise not
/// found, whoever asks: nobody learns that another's archive exists).
pub async fn open(
    state: &AppState,
    account_id: i64,
    id: i64,
) -> AppResult<(Export, crate::media::store::Fetched)> {
    let export = db::personal_data::export_by_id(state.pool(), id)
        .await?
        .filter(|e| e.account_id == account_id && e.state == "ready")
        .filter(|e| e.expires_at.is_some_and(|at| at > clock::now()))
        .ok_or_else(AppError::not_found)?;
    let key = export.object_key.clone().ok_or_else(AppError::not_found)?;
    let file = state
        .media
        .store
        .get(&key, None)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(AppError::not_found)?;
    Ok((export, file))
}

/// The export worker: builds the archives asked for, and deletes those past [`KEPT`];
/// runs until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken, render: Render) {
    let chore = || async { expire(&state).await.map(|_| ()) };
    let step = || step(&state, render);
    super::data_jobs::run_loop(Job::Export, &stop, CHORES_EVERY, chore, step).await;
}

/// Builds the archive claimed now, if any; gives how many were handled.
pub async fn step(state: &AppState, render: Render) -> AppResult<usize> {
    let claim = state.claim(LEASE);
    let ids =
        db::personal_data::claim_exports(state.pool(), state.db.backend(), &claim, 1, MAX_ATTEMPTS)
            .await?;
    for &id in &ids {
        let work = build(state, id, render);
        super::data_jobs::hold(state, Job::Export, id, LEASE, MAX_ATTEMPTS, work).await?;
    }
    Ok(ids.len())
}

/// Deletes the archives past their time, files first (the worker, once a minute).
pub async fn expire(state: &AppState) -> AppResult<usize> {
    let gone = db::personal_data::expired_exports(state.pool(), clock::now(), 16).await?;
    for (id, key) in &gone {
        if let Some(key) = key {
            state
                .media
                .store
                .delete(key)
                .await
                .map_err(AppError::internal)?;
        }
        db::personal_data::delete_export(state.pool(), *id).await?;
    }
    Ok(gone.len())
}

/// A CSV line of Mastodon's export files: each field escaped (quoted when needed, never
/// starting like a spreadsheet formula).
fn csv_line(fields: &[&str]) -> String {
    let cells: Vec<String> = fields.iter().map(|f| super::groups::csv_field(f)).collect();
    format!("{}\n", cells.join(","))
}

fn acct(state: &AppState, n: &Named) -> String {
    match &n.domain {
        Some(d) => format!("{}@{d}", n.username),
        None => format!("{}@{}", n.username, state.config.domain),
    }
}

/// An ordered collection of addresses, as Mastodon's `likes.json` and `bookmarks.json`.
fn uri_collection(id: &str, items: Vec<String>) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })
}

/// The CSV files of Mastodon's export page, and `likes.json`, `bookmarks.json`.
async fn mastodon_files(state: &AppState, me: i64) -> AppResult<Vec<(String, Vec<u8>)>> {
    let pool = state.pool();
    let mut files = Vec::new();
    let mut following = String::from("Account address,Show boosts,Notify on new posts,Languages\n");
    for n in db::personal_data::following(pool, me).await? {
        // coopol keeps no per-follow boosts, notifications or languages: Mastodon's defaults.
        following.push_str(&csv_line(&[&acct(state, &n), "true", "false", ""]));
    }
    files.push(("following_accounts.csv".to_string(), following.into_bytes()));
    let mut lists = String::new();
    for (title, n) in db::personal_data::list_members(pool, me).await? {
        lists.push_str(&csv_line(&[&title, &acct(state, &n)]));
    }
    files.push(("lists.csv".to_string(), lists.into_bytes()));
    let mut blocks = String::new();
    for n in db::personal_data::blocked(pool, me).await? {
        blocks.push_str(&csv_line(&[&acct(state, &n)]));
    }
    files.push(("blocked_accounts.csv".to_string(), blocks.into_bytes()));
    let mut mutes = String::from("Account address,Hide notifications\n");
    for (n, notifications) in db::personal_data::muted(pool, me).await? {
        let hide = if notifications { "true" } else { "false" };
        mutes.push_str(&csv_line(&[&acct(state, &n), hide]));
    }
    files.push(("muted_accounts.csv".to_string(), mutes.into_bytes()));
    let mut domains = String::new();
    for d in db::personal_data::blocked_domains(pool, me).await? {
        domains.push_str(&csv_line(&[&d]));
    }
    files.push(("blocked_domains.csv".to_string(), domains.into_bytes()));
    let bookmarked = db::personal_data::bookmarked_uris(pool, me).await?;
    let mut bookmarks = String::new();
    for uri in &bookmarked {
        bookmarks.push_str(&csv_line(&[uri]));
    }
    files.push(("bookmarks.csv".to_string(), bookmarks.into_bytes()));
    let likes = db::personal_data::liked_uris(pool, me).await?;
    files.push((
        "likes.json".to_string(),
        to_bytes(&uri_collection("likes.json", likes))?,
    ));
    files.push((
        "bookmarks.json".to_string(),
        to_bytes(&uri_collection("bookmarks.json", bookmarked))?,
    ));
    Ok(files)
}

fn to_bytes(v: &Value) -> AppResult<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(AppError::internal)
}

/// `coopol.json`: what coopol holds about the person beyond Mastodon's files.
async fn coopol_json(state: &AppState, me: i64) -> AppResult<Value> {
    let pool = state.pool();
    let account = db::personal_data::account_json(pool, me, &omitted("accounts")).await?;
    let groups: Vec<Value> = db::personal_data::groups_of(pool, me)
        .await?
        .into_iter()
        .map(|(g, role, st)| json!({"group": acct(state, &g), "role": role, "state": st}))
        .collect();
    let events: Vec<Value> = db::personal_data::participations(pool, me)
        .await?
        .into_iter()
        .map(|(uri, name, starts_at, st, attended)| {
            json!({
                "event": uri,
                "name": name,
                "starts_at": clock::to_datetime(starts_at).to_rfc3339(),
                "state": st,
                "attended": attended.map(|a| a != 0),
            })
        })
        .collect();
    let followers: Vec<String> = db::personal_data::followers(pool, me)
        .await?
        .iter()
        .map(|n| acct(state, n))
        .collect();
    let mut tables = serde_json::Map::new();
    for (table, column) in EXPORTED {
        let rows = db::personal_data::rows_of(pool, table, column, me, &omitted(table)).await?;
        let entry = tables
            .entry(table.to_string())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(by_column) = entry {
            by_column.insert(column.to_string(), Value::from(rows));
        }
    }
    let not_exported: Vec<Value> = NOT_EXPORTED
        .iter()
        .map(|(t, c, why)| json!({"table": t, "column": c, "why": why}))
        .collect();
    let omitted_columns: Vec<String> = SECRET_COLUMNS
        .iter()
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    Ok(json!({
        "instance": state.config.domain,
        "generated_at": clock::to_datetime(clock::now()).to_rfc3339(),
        "account": account,
        "groups": groups,
        "events": events,
        "followers": followers,
        "tables": tables,
        "not_exported": not_exported,
        "omitted_columns": omitted_columns,
    }))
}

/// The extension of a file of type `content_type`, for the avatar and header's names.
fn extension(content_type: Option<&str>) -> &'static str {
    match content_type.unwrap_or("") {
        "image/png" => ".png",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "image/jpeg" => ".jpg",
        _ => "",
    }
}

/// A zip archive being written in the spool folder, moved in and out of blocking tasks.
struct Archive {
    zip: zip::ZipWriter<std::fs::File>,
}

impl Archive {
    async fn add(self, name: String, bytes: Vec<u8>) -> AppResult<Archive> {
        super::blocking(move || {
            let mut a = self;
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(bytes.len() as u64 >= u32::MAX as u64);
            a.zip
                .start_file(name, options)
                .map_err(AppError::internal)?;
            a.zip.write_all(&bytes).map_err(AppError::internal)?;
            Ok(a)
        })
        .await?
    }
}

/// Builds archive `id` and tells its owner.
async fn build(state: &AppState, id: i64, render: Render) -> AppResult<()> {
    let Some(export) = db::personal_data::export_by_id(state.pool(), id).await? else {
        return Ok(());
    };
    let account = db::accounts::by_id(state.pool(), export.account_id).await?;
    if !super::data_jobs::account_active(state, Job::Export, id, account.as_ref()).await? {
        return Ok(());
    }
    let Some(account) = account else {
        return Ok(());
    };
    let parts = render(state, &account).await?;
    let path: PathBuf = state.media.spool.join(format!("export-{id}.zip"));
    let file_path = path.clone();
    let file = super::blocking(move || std::fs::File::create(&file_path))
        .await?
        .map_err(AppError::internal)?;
    let result = write_archive(state, &account, parts, file).await;
    let stored = match result {
        Ok(()) => {
            let key = format!(
                "exports/{}/{}-{}.zip",
                account.id,
                id,
                crate::crypto::random_token(16)
            );
            state
                .media
                .store
                .put_file(&key, &path)
                .await
                .map(|size| (key, size))
                .map_err(AppError::internal)
        }
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&path).await;
    let (key, size) = stored?;
    let now = clock::now();
    let expires_at = now + KEPT.as_micros() as i64;
    let mut tx = state.db.begin().await?;
    let ready = db::personal_data::export_ready(
        &mut tx,
        id,
        &state.process_id,
        &key,
        size as i64,
        now,
        expires_at,
    )
    .await?;
    if !ready {
        // Another process took it over meanwhile: its archive stands, this one goes.
        let _ = state.media.store.delete(&key).await;
        return Ok(());
    }
    if let Some(instance) = db::accounts::instance_actor(state.pool()).await? {
        let kind = NotificationKind::DataExportReady;
        db::social::unnotify(&mut tx, account.id, instance.id, kind).await?;
        db::social::notify(&mut tx, account.id, instance.id, kind, None, now).await?;
    }
    tx.commit().await?;
    state.notifications_ready.notify_one();
    Ok(())
}

async fn write_archive(
    state: &AppState,
    account: &AccountRow,
    parts: ActivityParts,
    file: std::fs::File,
) -> AppResult<()> {
    let mut archive = Archive {
        zip: zip::ZipWriter::new(file),
    };
    let me = account.id;
    let total = parts.activities.len();
    let outbox = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": total,
        "orderedItems": parts.activities,
    });
    archive = archive
        .add("outbox.json".into(), to_bytes(&outbox)?)
        .await?;
    let mut actor = parts.actor;
    let pictures: Vec<i64> = [account.avatar_media_id, account.header_media_id]
        .into_iter()
        .flatten()
        .collect();
    let pictures = db::media::by_ids(state.pool(), &pictures).await?;
    for (name, media_id, field) in [
        ("avatar", account.avatar_media_id, "icon"),
        ("header", account.header_media_id, "image"),
    ] {
        let Some(m) = media_id.and_then(|id| pictures.iter().find(|m| m.id == id)) else {
            continue;
        };
        let Some(key) = &m.file_key else { continue };
        let Some(bytes) = read_file(state, key).await? else {
            continue;
        };
        let file_name = format!("{name}{}", extension(m.content_type.as_deref()));
        if let Some(obj) = actor.get_mut(field).and_then(Value::as_object_mut) {
            obj.insert("url".into(), Value::from(file_name.clone()));
        }
        archive = archive.add(file_name, bytes).await?;
    }
    if let Some(obj) = actor.as_object_mut() {
        obj.insert("outbox".into(), Value::from("outbox.json"));
        obj.insert("likes".into(), Value::from("likes.json"));
        obj.insert("bookmarks".into(), Value::from("bookmarks.json"));
    }
    archive = archive.add("actor.json".into(), to_bytes(&actor)?).await?;
    for (name, bytes) in mastodon_files(state, me).await? {
        archive = archive.add(name, bytes).await?;
    }
    archive = archive
        .add(
            "coopol.json".into(),
            to_bytes(&coopol_json(state, me).await?)?,
        )
        .await?;
    for (_, key) in db::personal_data::media_files(state.pool(), me).await? {
        if let Some(bytes) = read_file(state, &key).await? {
            archive = archive
                .add(format!("media_attachments/{key}"), bytes)
                .await?;
        }
    }
    super::blocking(move || {
        archive.zip.finish().map_err(AppError::internal)?;
        Ok(())
    })
    .await?
}

/// A file of the media store, whole; `None` when it is gone or too large to copy.
async fn read_file(state: &AppState, key: &str) -> AppResult<Option<Vec<u8>>> {
    match state.media.store.read(key, MAX_MEDIUM_BYTES).await {
        Ok(found) => Ok(found.map(|b| b.to_vec())),
        Err(e) => {
            tracing::warn!(key, error = %e, "a file was left out of a data export");
            Ok(None)
        }
    }
}
