//! The federation queues: `inbox_queue` (received activities waiting to be processed, and
//! for a while once processed, so that duplicates and replayed signatures are recognised),
//! `outbox_events` (what services asked to send), `out_activities` and `deliveries` (what is
//! owed to which remote inbox), and `hosts` (which servers are failing or parked).
//!
//! Rows are claimed with a lease (`locked_until`): a process that dies leaves its claims to
//! expire, and another picks them up, so nothing is lost and everything is at least once.
//! On PostgreSQL the claim also skips rows another process holds (`FOR UPDATE SKIP LOCKED`),
//! so several processes can share the work; SQLite has one writer and needs no such clause.

use super::{Backend, Db, Result};
use sqlx::{AnyPool, FromRow};

/// `FOR UPDATE SKIP LOCKED` where the backend has it. The only dialect difference in the
/// queries, and a fixed string.
fn skip_locked(backend: Backend, table_alias: &str) -> String {
    match backend {
        Backend::Postgres => format!(" FOR UPDATE OF {table_alias} SKIP LOCKED"),
        Backend::Sqlite => String::new(),
    }
}

/// How often a process says it is alive.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
/// After how long without a heartbeat a process's claims are taken up by others.
pub const HEARTBEAT_STALE: std::time::Duration = std::time::Duration::from_secs(8);

/// Who claims work, until when, and from which heartbeat age a claim is considered abandoned.
pub struct Claim<'a> {
    /// Now.
    pub now: i64,
    /// The claim's lease: a backstop for a process that stays alive but stuck.
    pub lease_until: i64,
    /// Claims of processes whose last heartbeat is older than this are abandoned.
    pub stale_before: i64,
    /// The claiming process.
    pub process: &'a str,
}

/// The condition under which a row may be claimed (`$1` now, `$4` the stale heartbeat limit):
/// never claimed, lease over, or claimed by a process that stopped beating.
fn claimable(alias: &str) -> String {
    format!(
        "({alias}.locked_until IS NULL OR {alias}.locked_until < $1 OR NOT EXISTS \
         (SELECT 1 FROM processes p WHERE p.id = {alias}.locked_by AND p.heartbeat_at > $4))"
    )
}

/// The queues whose rows are claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// `inbox_queue`: received activities, oldest first.
    Inbox,
    /// `outbox_events`: what services asked to send, oldest first.
    Events,
    /// `deliveries`: what is owed to remote inboxes, soonest due first, hosts parked left.
    Deliveries,
    /// `push_deliveries`: what is owed to push services (`db::push`), soonest due first.
    Push,
}

/// The statement that claims a queue's next rows, bound as every claim binds it: `$1` now,
/// `$2` the lease's end, `$3` how many, `$4` the stale heartbeat limit, `$5` the process. Each
/// reads its queue in the order of an index and stops after `$3` rows (a sort would read the
/// whole backlog for every claim); `tests/cli.rs` checks their plans on both databases.
pub fn claim_sql(queue: Queue, backend: Backend) -> String {
    let (table, alias, condition, order, returning) = match queue {
        Queue::Inbox => (
            "inbox_queue",
            "q",
            "q.state = 'queued' AND q.next_attempt_at <= $1",
            "q.id",
            "id, activity_uri, signer, body, attempts",
        ),
        Queue::Events => (
            "outbox_events",
            "e",
            "e.next_attempt_at <= $1",
            "e.id",
            "id, payload, attempts",
        ),
        Queue::Deliveries => (
            "deliveries",
            "d",
            "d.next_attempt_at <= $1 AND NOT EXISTS \
             (SELECT 1 FROM hosts h WHERE h.host = d.host AND h.parked_at IS NOT NULL)",
            "d.next_attempt_at, d.id",
            "id, activity_id, inbox_url, host, attempts",
        ),
        Queue::Push => (
            "push_deliveries",
            "x",
            "x.next_attempt_at <= $1",
            "x.next_attempt_at, x.id",
            "id, attempts",
        ),
    };
    format!(
        "UPDATE {table} SET locked_until = $2, locked_by = $5, attempts = attempts + 1 \
         WHERE id IN (SELECT {alias}.id FROM {table} {alias} WHERE {condition} AND {} \
         ORDER BY {order} LIMIT $3{}) RETURNING {returning}",
        claimable(alias),
        skip_locked(backend, alias)
    )
}

/// Records a starting process.
pub async fn register_process(db: &AnyPool, id: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO processes (id, started_at, heartbeat_at) VALUES ($1, $2, $2)")
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Says a process is alive; also forgets processes silent for long.
pub async fn heartbeat(db: &AnyPool, id: &str, now: i64, forget_before: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO processes (id, started_at, heartbeat_at) VALUES ($1, $2, $2) \
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = $2",
    )
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    sqlx::query("DELETE FROM processes WHERE heartbeat_at < $1")
        .bind(forget_before)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a process is running: registered, with a heartbeat newer than
/// [`HEARTBEAT_STALE`].
pub async fn process_alive(db: &AnyPool, id: &str) -> Result<bool> {
    let since = crate::clock::now() - HEARTBEAT_STALE.as_micros() as i64;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM processes WHERE id = $1 AND heartbeat_at >= $2")
            .bind(id)
            .bind(since)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// A process stopping cleanly: its claims are released for others at once.
pub async fn unregister_process(db: &AnyPool, id: &str) -> Result<()> {
    for sql in [
        "UPDATE inbox_queue SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1",
        "UPDATE outbox_events SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1",
        "UPDATE deliveries SET locked_until = NULL, locked_by = NULL WHERE locked_by = $1",
        "DELETE FROM processes WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(db).await?;
    }
    Ok(())
}

/// An activity received and waiting.
#[derive(Debug, Clone, FromRow)]
pub struct QueuedActivity {
    /// Queue id.
    pub id: i64,
    /// The activity's id.
    pub activity_uri: String,
    /// The actor whose key signed the request.
    pub signer: String,
    /// The JSON as received.
    pub body: String,
    /// How many times processing was started.
    pub attempts: i64,
}

/// An activity that passed the inbox checks, to be stored.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// Hash of its signature (replay protection), if it had one to remember.
    pub fingerprint: Option<String>,
    /// The activity's id.
    pub activity_uri: String,
    /// Who signed it.
    pub signer: String,
    /// The JSON as received.
    pub body: String,
    /// When it arrived.
    pub received_at: i64,
}

/// What storing an arrival did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// Stored, to be processed.
    New,
    /// Already stored (the same activity again): nothing to do.
    Duplicate,
    /// Its signature was used before: refused.
    Replayed,
}

/// Stores several arrivals in one statement (one commit and one round trip for many requests:
/// the inbox's group commit; no explicit transaction, whose `BEGIN` and `COMMIT` were two
/// more round trips while SQLite's only writer is held; a batch too large for one statement
/// takes several, and when one fails every request of the batch gets the error, and their
/// retries are recognised as duplicates of what was stored). An activity already
/// stored (here, or earlier in the batch) is a duplicate, and a replay when it came with the
/// same signature: a signature covers the body's digest, so a signature used again always
/// brings the same activity, and its row outlives the signature's validity (see
/// `inbox::KEEP_RECEIVED`). Only duplicates are read back, to tell the two apart.
pub async fn admit(conn: &mut sqlx::AnyConnection, arrivals: &[Arrival]) -> Result<Vec<Admitted>> {
    use std::collections::{HashMap, HashSet};
    let mut out = vec![Admitted::New; arrivals.len()];
    if arrivals.is_empty() {
        return Ok(out);
    }
    // The first arrival of each activity in the batch is stored; the others are duplicates.
    let mut first_here: HashMap<&str, usize> = HashMap::new();
    let mut store = Vec::with_capacity(arrivals.len());
    for (i, a) in arrivals.iter().enumerate() {
        if !first_here.contains_key(a.activity_uri.as_str()) {
            first_here.insert(&a.activity_uri, i);
            store.push(i);
        }
    }
    // A row repeated to fill a statement's size meets its first copy and is skipped.
    let mut new: HashSet<String> = HashSet::with_capacity(store.len());
    for chunk in super::padded_chunks(&store, super::INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO inbox_queue \
             (activity_uri, signer, body, received_at, next_attempt_at, signature_hash) \
             VALUES {} ON CONFLICT (activity_uri) DO NOTHING RETURNING activity_uri",
            super::rows(chunk.len(), 6)
        );
        let mut q =
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for &i in chunk.iter() {
            let a = &arrivals[i];
            q = q
                .bind(&a.activity_uri)
                .bind(&a.signer)
                .bind(&a.body)
                .bind(a.received_at)
                .bind(a.received_at)
                .bind(a.fingerprint.as_deref());
        }
        new.extend(q.fetch_all(&mut *conn).await?);
    }

    // Each activity's stored signature: the one just stored, or the one it was received with
    // before (read back, for the few received before).
    let mut signature_of: HashMap<&str, Option<&str>> = HashMap::new();
    let mut known = Vec::new();
    for &i in &store {
        let uri = arrivals[i].activity_uri.as_str();
        if new.contains(uri) {
            signature_of.insert(uri, arrivals[i].fingerprint.as_deref());
        } else {
            known.push(uri);
        }
    }
    let mut before: Vec<(String, Option<String>)> = Vec::new();
    for chunk in super::padded_chunks(&known, super::INSERT_CHUNK) {
        let sql = format!(
            "SELECT activity_uri, signature_hash FROM inbox_queue WHERE activity_uri IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for uri in chunk.iter() {
            q = q.bind(*uri);
        }
        before.extend(q.fetch_all(&mut *conn).await?);
    }
    let known: HashSet<&str> = known.into_iter().collect();
    for (uri, signature) in &before {
        if let Some(uri) = known.get(uri.as_str()) {
            signature_of.insert(uri, signature.as_deref());
        }
    }
    for (i, a) in arrivals.iter().enumerate() {
        let uri = a.activity_uri.as_str();
        if first_here[uri] == i && new.contains(uri) {
            continue;
        }
        let stored = signature_of.get(uri).copied().flatten();
        out[i] = match (stored, a.fingerprint.as_deref()) {
            (Some(s), Some(f)) if s == f => Admitted::Replayed,
            _ => Admitted::Duplicate,
        };
    }
    Ok(out)
}

/// The state of a received activity (`queued`, `done`, `failed`), if it is still kept.
pub async fn inbox_state(db: &AnyPool, activity_uri: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT state FROM inbox_queue WHERE activity_uri = $1")
        .bind(activity_uri)
        .fetch_optional(db)
        .await
}

/// Claims up to `limit` activities ready to process, oldest first.
pub async fn claim_inbox(db: &Db, claim: &Claim<'_>, limit: i64) -> Result<Vec<QueuedActivity>> {
    let sql = claim_sql(Queue::Inbox, db.backend());
    let mut rows: Vec<QueuedActivity> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(claim.now)
        .bind(claim.lease_until)
        .bind(limit)
        .bind(claim.stale_before)
        .bind(claim.process)
        .fetch_all(db.pool())
        .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Marks an activity processed. The row stays (without its body) for a while, so that the same
/// activity delivered again is recognised.
pub async fn finish_inbox(db: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("UPDATE inbox_queue SET state = 'done', body = '', locked_until = NULL, locked_by = NULL, last_error = NULL WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks activities processed, in the transaction that applied them (so that they are never
/// applied twice nor lost).
pub async fn finish_inbox_many(conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<()> {
    for chunk in super::padded_chunks(ids, super::INSERT_CHUNK) {
        let sql = format!(
            "UPDATE inbox_queue SET state = 'done', body = '', locked_until = NULL, \
             locked_by = NULL, last_error = NULL WHERE id IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(super::positional(conn, sql)));
        for id in chunk.iter() {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Schedules another attempt at an activity.
pub async fn retry_inbox(db: &AnyPool, id: i64, next_attempt_at: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE inbox_queue SET next_attempt_at = $2, locked_until = NULL, locked_by = NULL, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(next_attempt_at)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Gives up on an activity (kept for inspection until purged).
pub async fn fail_inbox(db: &AnyPool, id: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE inbox_queue SET state = 'failed', locked_until = NULL, locked_by = NULL, last_error = $2 WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets processed or failed activities received before `before`. Ids grow with arrival:
/// the statement walks the queue's key from the oldest row to the first one received since
/// `before`, and deletes below it, instead of reading the whole queue (days of activities,
/// kept for recognising duplicates and replays) every time it runs.
pub async fn purge_inbox(db: &AnyPool, before: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM inbox_queue WHERE id < COALESCE(\
           (SELECT q.id FROM inbox_queue q WHERE q.received_at >= $1 ORDER BY q.id LIMIT 1), \
           (SELECT MAX(m.id) + 1 FROM inbox_queue m)) \
         AND state <> 'queued' AND received_at < $1",
    )
    .bind(before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// How many activities wait in the inbox queue.
pub async fn inbox_backlog(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM inbox_queue WHERE state = 'queued'")
        .fetch_one(db)
        .await
}

/// Records something to send (in the transaction of the change it announces).
pub async fn push_event(conn: &mut sqlx::AnyConnection, payload: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox_events (payload, created_at, next_attempt_at) VALUES ($1, $2, $2)",
    )
    .bind(payload)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Something a service asked to send.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    /// Its id.
    pub id: i64,
    /// The `Outgoing` value, as JSON.
    pub payload: String,
    /// How many times handling was started.
    pub attempts: i64,
}

/// Claims up to `limit` events, oldest first.
pub async fn claim_events(db: &Db, claim: &Claim<'_>, limit: i64) -> Result<Vec<EventRow>> {
    let sql = claim_sql(Queue::Events, db.backend());
    let mut rows: Vec<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(claim.now)
        .bind(claim.lease_until)
        .bind(limit)
        .bind(claim.stale_before)
        .bind(claim.process)
        .fetch_all(db.pool())
        .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Removes a handled event.
pub async fn delete_event(conn: &mut sqlx::AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM outbox_events WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Schedules another attempt at an event.
pub async fn retry_event(db: &AnyPool, id: i64, next_attempt_at: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE outbox_events SET next_attempt_at = $2, locked_until = NULL, locked_by = NULL, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(next_attempt_at)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// Stores an activity to send; returns its id.
pub async fn insert_activity(
    conn: &mut sqlx::AnyConnection,
    uri: &str,
    actor_id: i64,
    body: &str,
    now: i64,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO out_activities (uri, actor_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(uri)
    .bind(actor_id)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Owes an activity to inboxes, given as (inbox URL, host): a few statements for a post to
/// thousands of inboxes, instead of one each.
pub async fn insert_deliveries(
    conn: &mut sqlx::AnyConnection,
    activity_id: i64,
    inboxes: &[(String, String)],
    now: i64,
) -> Result<()> {
    // `$1` the activity, `$2` now, then two values per inbox.
    for chunk in inboxes.chunks(super::rows_per_named_statement(2)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|k| format!("($1, ${}, ${}, $2, $2)", 2 * k + 3, 2 * k + 4))
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (activity_id, inbox_url, host, next_attempt_at, created_at) \
             VALUES {}",
            values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(activity_id)
            .bind(now);
        for (inbox, host) in chunk {
            q = q.bind(inbox).bind(host);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A delivery claimed for sending.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    /// Its id.
    pub id: i64,
    /// The activity.
    pub activity_id: i64,
    /// Where to.
    pub inbox_url: String,
    /// The inbox's host (with port).
    pub host: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// Claims up to `limit` deliveries due now, oldest due first, skipping parked hosts.
pub async fn claim_deliveries(db: &Db, claim: &Claim<'_>, limit: i64) -> Result<Vec<DeliveryRow>> {
    let sql = claim_sql(Queue::Deliveries, db.backend());
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(claim.now)
        .bind(claim.lease_until)
        .bind(limit)
        .bind(claim.stale_before)
        .bind(claim.process)
        .fetch_all(db.pool())
        .await
}

/// An activity to send: (actor account id, JSON body).
pub async fn activity(db: &AnyPool, id: i64) -> Result<Option<(i64, String)>> {
    sqlx::query_as("SELECT actor_id, body FROM out_activities WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Marks deliveries done (or given up), in one transaction: the rows go, and each activity
/// with its last delivery.
pub async fn finish_deliveries(db: &AnyPool, done: &[(i64, i64)]) -> Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for chunk in super::padded_chunks(done, super::INSERT_CHUNK) {
        let sql = format!(
            "DELETE FROM deliveries WHERE id IN ({})",
            super::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, _) in chunk.iter() {
            q = q.bind(*id);
        }
        q.execute(&mut *tx).await?;
    }
    let mut activities: Vec<i64> = done.iter().map(|(_, a)| *a).collect();
    activities.sort_unstable();
    activities.dedup();
    for activity_id in activities {
        sqlx::query(
            "DELETE FROM out_activities WHERE id = $1 \
             AND NOT EXISTS (SELECT 1 FROM deliveries WHERE activity_id = $1)",
        )
        .bind(activity_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Schedules another attempt at a delivery.
pub async fn retry_delivery(
    db: &AnyPool,
    id: i64,
    next_attempt_at: i64,
    error: &str,
) -> Result<()> {
    sqlx::query("UPDATE deliveries SET next_attempt_at = $2, locked_until = NULL, locked_by = NULL, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(next_attempt_at)
        .bind(error)
        .execute(db)
        .await?;
    Ok(())
}

/// How many deliveries are owed, in all.
pub async fn pending_deliveries(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM deliveries")
        .fetch_one(db)
        .await
}

/// The earliest time a delivery or event is due, if any is waiting (to know how long to sleep).
pub async fn next_due(db: &AnyPool) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT MIN(t) FROM (SELECT MIN(next_attempt_at) AS t FROM deliveries d \
           WHERE NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = d.host AND h.parked_at IS NOT NULL) \
         UNION ALL SELECT MIN(next_attempt_at) AS t FROM outbox_events) due",
    )
    .fetch_one(db)
    .await
}

/// Records a successful delivery to a host: it is healthy again.
pub async fn host_succeeded(db: &AnyPool, host: &str, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO hosts (host, last_success_at) VALUES ($1, $2) \
         ON CONFLICT (host) DO UPDATE SET last_success_at = $2, failing_since = NULL, parked_at = NULL",
    )
    .bind(host)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// A gap between two failures longer than this ends a failure streak: retries come at most an
/// hour apart while deliveries are owed, so a longer silence means the host worked meanwhile
/// (perhaps for another process, or before a restart) or nothing was owed.
pub const FAILURE_STREAK_GAP: i64 = 2 * 3600 * 1_000_000;

/// Records a failed delivery to a host; returns since when it has been failing without a
/// break (a success, or a silence longer than [`FAILURE_STREAK_GAP`], starts a new streak).
pub async fn host_failed(db: &AnyPool, host: &str, now: i64) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO hosts (host, failing_since, last_failure_at) VALUES ($1, $2, $2) \
         ON CONFLICT (host) DO UPDATE SET \
         failing_since = CASE WHEN hosts.failing_since IS NULL OR hosts.last_failure_at IS NULL \
                              OR hosts.last_failure_at < $3 \
                              OR (hosts.last_success_at IS NOT NULL AND hosts.last_success_at > hosts.failing_since) \
                         THEN $2 ELSE hosts.failing_since END, \
         last_failure_at = $2 RETURNING failing_since",
    )
    .bind(host)
    .bind(now)
    .bind(now - FAILURE_STREAK_GAP)
    .fetch_one(db)
    .await
}

/// Parks a host: its deliveries wait until it is heard from.
pub async fn park_host(db: &AnyPool, host: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE hosts SET parked_at = $2 WHERE host = $1 AND parked_at IS NULL")
        .bind(host)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// Un-parks a host that was heard from, and makes its deliveries due now; returns whether it
/// was parked.
pub async fn unpark_host(db: &AnyPool, host: &str, now: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE hosts SET parked_at = NULL, failing_since = NULL WHERE host = $1 AND parked_at IS NOT NULL",
    )
    .bind(host)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE deliveries SET next_attempt_at = $2 WHERE host = $1")
        .bind(host)
        .bind(now)
        .execute(db)
        .await?;
    Ok(true)
}

/// Whether a host is parked.
pub async fn is_parked(db: &AnyPool, host: &str) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM hosts WHERE host = $1 AND parked_at IS NOT NULL")
            .bind(host)
            .fetch_one(db)
            .await?;
    Ok(n > 0)
}

/// How many distinct remote hosts we know accounts on (NodeInfo, instance stats).
pub async fn known_domains(db: &AnyPool) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(DISTINCT domain) FROM accounts WHERE domain IS NOT NULL")
        .fetch_one(db)
        .await
}

/// Records an event to handle at `at`, unless the same event already waits unclaimed (a
/// debounced `Update`: several changes before it leaves make one). Gives whether it was
/// recorded.
pub async fn push_event_once(
    conn: &mut sqlx::AnyConnection,
    payload: &str,
    now: i64,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outbox_events (payload, created_at, next_attempt_at) \
         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM outbox_events \
         WHERE payload = $1 AND locked_by IS NULL)",
    )
    .bind(payload)
    .bind(now)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many given-up deliveries are kept, at most (the newest).
pub const FAILURES_KEPT: i64 = 1000;
/// How long a given-up delivery is kept, in microseconds: 30 days.
pub const FAILURES_KEPT_FOR: i64 = 30 * 24 * 3600 * 1_000_000;

/// A delivery given up, as administrators see it (`delivery_failures`).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct DeliveryFailure {
    /// Its id (newer is greater).
    pub id: i64,
    /// The inbox's host (with port).
    pub host: String,
    /// The inbox.
    pub inbox_url: String,
    /// The activity's id.
    pub activity_uri: String,
    /// The activity's type (`Delete`, `Create`, ...).
    pub activity_type: String,
    /// The last HTTP status the inbox answered.
    pub status: i64,
    /// A short description of the last failure.
    pub error: String,
    /// How many times it was sent.
    pub attempts: i64,
    /// When it was given up.
    pub failed_at: i64,
}

/// Records a delivery given up (its `id` is ignored), and forgets those older than
/// [`FAILURES_KEPT_FOR`] and all but the newest [`FAILURES_KEPT`]: the table stays small
/// whatever peers do. Only called when a delivery fails, never on the way of one that works.
pub async fn record_delivery_failure(db: &AnyPool, f: &DeliveryFailure) -> Result<()> {
    let error: String = f.error.chars().take(300).collect();
    sqlx::query(
        "INSERT INTO delivery_failures (host, inbox_url, activity_uri, activity_type, status, \
         error, attempts, failed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&f.host)
    .bind(&f.inbox_url)
    .bind(&f.activity_uri)
    .bind(&f.activity_type)
    .bind(f.status)
    .bind(error)
    .bind(f.attempts)
    .bind(f.failed_at)
    .execute(db)
    .await?;
    sqlx::query(
        "DELETE FROM delivery_failures WHERE failed_at < $1 OR id <= \
         (SELECT k.id FROM delivery_failures k ORDER BY k.id DESC LIMIT 1 OFFSET $2)",
    )
    .bind(f.failed_at - FAILURES_KEPT_FOR)
    .bind(FAILURES_KEPT)
    .execute(db)
    .await?;
    Ok(())
}

/// The newest given-up deliveries (all hosts, or one), older than `max_id` when given.
pub async fn delivery_failures(
    db: &AnyPool,
    host: Option<&str>,
    max_id: Option<i64>,
    limit: i64,
) -> Result<Vec<DeliveryFailure>> {
    let columns = "SELECT id, host, inbox_url, activity_uri, activity_type, status, error, \
                   attempts, failed_at FROM delivery_failures WHERE id < $1";
    let max_id = max_id.unwrap_or(i64::MAX);
    match host {
        Some(host) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{columns} AND host = $3 ORDER BY id DESC LIMIT $2"
            )))
            .bind(max_id)
            .bind(limit)
            .bind(host)
            .fetch_all(db)
            .await
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{columns} ORDER BY id DESC LIMIT $2"
            )))
            .bind(max_id)
            .bind(limit)
            .fetch_all(db)
            .await
        }
    }
}

/// Given-up deliveries per host: (host, how many kept, the last one's time), the hosts with
/// the latest failure first.
pub async fn delivery_failures_per_host(
    db: &AnyPool,
    limit: i64,
) -> Result<Vec<(String, i64, i64)>> {
    sqlx::query_as(
        "SELECT host, COUNT(*) AS n, MAX(failed_at) AS last FROM delivery_failures \
         GROUP BY host ORDER BY last DESC, host LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Whether a delivery's host took another delivery since this one was queued (its last
/// success, recorded when a failing host succeeds again, is newer than the delivery): then
/// the host is up, and it is this activity that it refuses.
pub async fn host_took_others_since(db: &AnyPool, delivery_id: i64) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM deliveries d JOIN hosts h ON h.host = d.host \
         WHERE d.id = $1 AND h.last_success_at > d.created_at",
    )
    .bind(delivery_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
