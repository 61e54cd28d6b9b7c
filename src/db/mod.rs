//! Storage: one code path for SQLite and PostgreSQL through sqlx's `Any` driver. Queries are
//! written once with `$1` placeholders (both backends accept them) and use only the portable
//! types: 64-bit integers (booleans as 0/1, timestamps as Unix microseconds), text and bytes.
//! Sub-modules hold the row structs and queries of one table family each; nothing here knows
//! about HTTP or ActivityPub.

pub mod account_extras;
pub mod accounts;
pub mod announcements;
pub mod backup;
pub mod cards;
pub mod conversations;
pub mod dashboard;
pub mod digest;
pub mod discovery;
pub mod domain_policy;
pub mod events;
pub mod federation;
pub mod filters;
pub mod governance;
pub mod groups;
pub mod invites;
pub mod lists;
pub mod mail;
pub mod media;
pub mod modlog;
pub mod moving;
pub mod mutes;
pub mod notification_groups;
pub mod notification_policy;
pub mod notifications;
pub mod oauth;
pub mod peers;
pub mod personal_data;
pub mod polls;
pub mod preferences;
pub mod profile_groups;
pub mod push;
pub mod reports;
pub mod rules;
pub mod sanctions;
pub mod scheduled;
pub mod sessions;
pub mod settings;
pub mod social;
pub mod statuses;
mod stored;
pub mod streams;
pub mod tags;

use sqlx::{
    AnyPool, Executor,
    any::{AnyConnectOptions, AnyPoolOptions},
    migrate::Migrator,
};
use std::{str::FromStr, time::Duration};

/// The migrations of each backend, embedded in the binary.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The last release and the last migration its schema has (docs/decisions/0031): the upgrade
/// test (tests/upgrade.rs) builds a database at this migration, fills every table, and
/// migrates it to this binary's schema. Moved at each release to the release's last migration.
pub const PREVIOUS_RELEASE: (&str, i64) = ("0.1.0", 56);

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file: one writer, many readers (WAL).
    Sqlite,
    /// A PostgreSQL server, possibly shared by several coopol processes.
    Postgres,
}

/// SQLite's write-ahead log after a checkpoint, as `PRAGMA wal_checkpoint` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalState {
    /// Pages (frames) in the log.
    pub frames: i64,
    /// How many of them are in the database file.
    pub copied: i64,
}

/// How long a SQLite connection waits for a lock held by another before it gives up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames (pages) in SQLite's write-ahead log from which a checkpoint starts it over (64 MiB
/// with 4 KiB pages, as `journal_size_limit`). See [`Db::checkpoint`].
const WAL_RESTART_FRAMES: i64 = 16_384;
/// How long that checkpoint waits for the log's readers, holding up the writers meanwhile.
const WAL_RESTART_WAIT: Duration = Duration::from_millis(100);

/// A connection pool's use at one moment ([`Db::pool_usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    /// `main` or `writer`.
    pub name: &'static str,
    /// Connections open.
    pub open: u32,
    /// Of which idle (the others are in use).
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// A pool of database connections and the backend they talk to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite: a pool of the one connection that the frequent writers share (see
    /// [`Db::writer`]). PostgreSQL: the same pool as `pool`.
    writer: AnyPool,
}

/// A database failure, with the cause kept for the log.
pub type Result<T> = std::result::Result<T, sqlx::Error>;

impl Db {
    /// Connects to `url` (`sqlite://PATH` or `postgres://...`). A SQLite file and its folder
    /// are created when missing; every SQLite connection gets WAL journaling, a busy timeout,
    /// `synchronous=NORMAL` and enforced foreign keys.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url);
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = pool_options(backend, max_connections)
            .connect_with(options.clone())
            .await?;
        let writer = match backend {
            Backend::Sqlite => pool_options(backend, 1).connect_with(options).await?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Db {
            pool,
            backend,
            writer,
        })
    }

    /// Applies the migrations that have not run yet; returns how many ran.
    pub async fn migrate(&self) -> std::result::Result<usize, sqlx::migrate::MigrateError> {
        let migrator = self.migrator();
        // Before the first run the bookkeeping table does not exist: nothing was applied.
        let applied_before = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let applied_after = self.applied_migrations().await.unwrap_or(0);
        Ok((applied_after - applied_before).max(0) as usize)
    }

    /// Applies the pending migrations up to `version` (included) and no further: a database
    /// as an older release left it (the upgrade test builds [`PREVIOUS_RELEASE`]'s). Returns
    /// how many ran.
    pub async fn migrate_to(
        &self,
        version: i64,
    ) -> std::result::Result<usize, sqlx::migrate::MigrateError> {
        let applied_before = self.applied_migrations().await.unwrap_or(0);
        self.migrator().run_to(version, &self.pool).await?;
        let applied_after = self.applied_migrations().await.unwrap_or(0);
        Ok((applied_after - applied_before).max(0) as usize)
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The migrations this binary holds that the database has not applied yet, as
    /// (version, description), in order. All of them before the first run.
    pub async fn pending_migrations(&self) -> Result<Vec<(i64, String)>> {
        let migrator = self.migrator();
        // Before the first run the bookkeeping table does not exist: nothing was applied.
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await
                .unwrap_or_default();
        Ok(migrator
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| (m.version, m.description.to_string()))
            .collect())
    }

    /// The last migration this binary holds for `backend`: a database that applied a later
    /// one was made by a newer coopol.
    pub fn latest_migration(backend: Backend) -> i64 {
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The database engine as it names itself (`SQLite 3.46.0`, PostgreSQL's `version()`).
    pub async fn engine_version(&self) -> Result<String> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version()",
            Backend::Postgres => "SELECT version()",
        };
        sqlx::query_scalar(sql).fetch_one(&self.pool).await
    }

    /// The database server's clock, in microseconds since the epoch: PostgreSQL's, which may
    /// run on another machine; `None` for SQLite, which has no clock of its own.
    pub async fn server_clock(&self) -> Result<Option<i64>> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => sqlx::query_scalar(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
            )
            .fetch_one(&self.pool)
            .await
            .map(Some),
        }
    }

    async fn applied_migrations(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await
    }

    /// Copies what SQLite's write-ahead log holds into the database file, without waiting for
    /// readers or writers (a passive checkpoint; nothing to do on PostgreSQL, which answers
    /// an empty log). The server calls it several times a second while the log grows, so that
    /// commits, which hold the only write lock, do not.
    ///
    /// A passive checkpoint never starts the log over: under steady writes some commit always
    /// comes between it and the next write, and the log file grew by about 100 MB a second
    /// during the ingest benchmark (every page appended to a longer file, every read of a page
    /// looked up among more frames). Once the log holds `WAL_RESTART_FRAMES`, the checkpoint
    /// is made on the writers' connection, in their turn, in the mode that waits until no
    /// reader uses the log, so that the next write starts it over (and cuts the file back to
    /// `journal_size_limit`). It waits for readers for `WAL_RESTART_WAIT` at most; when one
    /// is slower, the next checkpoint tries again.
    pub async fn checkpoint(&self) -> Result<WalState> {
        self.checkpoint_restarting_at(WAL_RESTART_FRAMES).await
    }

    async fn checkpoint_restarting_at(&self, restart_frames: i64) -> Result<WalState> {
        if self.backend != Backend::Sqlite {
            return Ok(WalState::default());
        }
        let (_busy, frames, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&self.pool)
                .await?;
        if frames < restart_frames {
            return Ok(WalState { frames, copied });
        }
        let mut writer = self.writer().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA busy_timeout = {}",
            WAL_RESTART_WAIT.as_millis()
        )))
        .execute(&mut *writer)
        .await?;
        let restarted: Result<(i64, i64, i64)> = sqlx::query_as("PRAGMA wal_checkpoint(RESTART)")
            .fetch_one(&mut *writer)
            .await;
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA busy_timeout = {}",
            SQLITE_BUSY_TIMEOUT.as_millis()
        )))
        .execute(&mut *writer)
        .await
        {
            // Not back to its usual patience: the connection is not used again.
            writer.close_on_drop();
            return Err(e);
        }
        // Busy (a reader was slower, or a writer outside the turn held the lock) is no error:
        // the next checkpoint tries again. The caller paces itself on the passive result.
        restarted?;
        Ok(WalState { frames, copied })
    }

    /// The connection pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting for it under the busy timeout): a transaction begun as a
    /// reader that writes later fails at once, without waiting, when another connection wrote
    /// in between (`SQLITE_BUSY_SNAPSHOT`, "database is locked", code 517), and an incoming
    /// activity failing so was retried only seconds later. A transaction that only reads needs
    /// none: read from the pool. On PostgreSQL, a plain `BEGIN`.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for the process's long or frequent writers (the inbox's admission and
    /// its bulk processing, the trimming of home timelines). SQLite has one writer: these
    /// share one connection, handed out in turn, instead of meeting at SQLite's lock, whose
    /// busy handler sleeps (1, 2, 5 ... up to 100 ms) and makes a short wait long. Holding
    /// the connection is the turn: hold it until the commit, and take no other connection
    /// while holding it. On PostgreSQL, a connection of the pool.
    pub async fn writer(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        self.writer.acquire().await
    }

    /// The connections of each pool, as they stand (no query: counters the pools keep). On
    /// SQLite, the pool of readers and writers (`main`) and the frequent writers' one
    /// (`writer`, see [`Db::writer`]); on PostgreSQL, `main`, which is both.
    pub fn pool_usage(&self) -> Vec<PoolUsage> {
        let usage = |name, pool: &AnyPool| {
            let open = pool.size();
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(open);
            PoolUsage {
                name,
                open,
                idle,
                max: pool.options().get_max_connections(),
            }
        };
        let mut pools = vec![usage("main", &self.pool)];
        if self.backend == Backend::Sqlite {
            pools.push(usage("writer", &self.writer));
        }
        pools
    }

    /// Checks that the database answers (for the health endpoint).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// How every pool is made: `max_connections` connections, and on SQLite each gets WAL
/// journaling, a busy timeout, `synchronous=NORMAL` and enforced foreign keys.
fn pool_options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
    /// A connection idle for longer is checked before use.
    const IDLE_CHECK: Duration = Duration::from_secs(30);
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(30))
        // sqlx pings every connection it hands out by default: a second round trip for
        // each query (half the cost of a short query). Only connections idle long enough
        // to have been dropped by a restarted server are checked.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > IDLE_CHECK {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // journal_mode is stored in the file; the others hold per connection.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute(sqlx::AssertSqlSafe(format!(
                        "PRAGMA busy_timeout = {}",
                        SQLITE_BUSY_TIMEOUT.as_millis()
                    )))
                    .await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    // Commits do not copy the write-ahead log into the database file
                    // (SQLite's default made one commit in every few copy 1,000 pages and
                    // wait for an fsync while holding the only write lock): the server
                    // does it in the background (`Db::checkpoint`), and a command's
                    // connections do it when they close.
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    // After a burst, the log file is cut back to 64 MiB.
                    conn.execute("PRAGMA journal_size_limit = 67108864").await?;
                }
                Ok(())
            })
        })
}

/// The backend a database URL names: `sqlite:...` or PostgreSQL.
pub fn backend_of(url: &str) -> Backend {
    if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// Adds `mode=rwc` (create when missing) to a SQLite URL that says nothing of its mode, and
/// creates the file's folder.
/// The file a `sqlite:` database URL names (`None` for PostgreSQL and in-memory databases).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !path.is_empty()
        && path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            sqlx::Error::Configuration(
                format!("cannot create the folder {}: {e}", parent.display()).into(),
            )
        })?;
    }
    if query.split('&').any(|p| p.starts_with("mode=")) {
        Ok(url.to_string())
    } else if query.is_empty() {
        Ok(format!("sqlite://{path}?mode=rwc"))
    } else {
        Ok(format!("sqlite://{path}?{query}&mode=rwc"))
    }
}

/// Whether a database error is a violation of a unique constraint (two people taking the same
/// username at once, say), which callers turn into a clear "already taken" answer.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db
                    .code()
                    .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// `$start, $start+1, ...`: the placeholders of an `IN (...)` list of `n` values. With
/// [`rows_sharing_first`], the only text ever interpolated into SQL: placeholders, made of
/// numbers only.
pub fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2), ($1, $3), ...`: the VALUES of `n` rows sharing their first value, so that
/// one statement inserts what would otherwise take `n` (fan-out to feeds is a hot path).
pub fn rows_sharing_first(n: usize) -> String {
    (2..n + 2)
        .map(|i| format!("($1, ${i})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, ..., $width), ($width+1, ...)`: the placeholders of `n` rows of a multi-row insert.
pub fn rows(n: usize, width: usize) -> String {
    (0..n)
        .map(|r| format!("({})", placeholders(r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of `width` values per multi-row statement whose parameters are written `$1, $2, ...`
/// in order (bound by position on SQLite, see [`positional`]): up to 1,500 parameters, so
/// that a part of 64 posts is written in one statement per table. Every statement is a round
/// trip to the database's thread or server while SQLite's only writer is held.
pub fn rows_per_statement(width: usize) -> usize {
    (1_500 / width).max(1)
}

/// Rows per multi-row statement that repeats a parameter (bound by name on SQLite): a few
/// hundred parameters at most. SQLite finds each parameter's name by walking the list of
/// names, so binding n parameters costs n² (a 1,900-parameter insert spent more time binding
/// than inserting).
pub fn rows_per_named_statement(width: usize) -> usize {
    (400 / width).max(1)
}

/// A generated statement as `conn`'s backend binds it fastest. sqlx binds each numbered
/// parameter (`$N`) of a SQLite statement by asking SQLite for its name, which SQLite finds by
/// walking its list of names: binding n parameters costs n², and in the ingest benchmark it
/// was the largest cost of the writers' thread outside SQLite's own work (6 %). Anonymous
/// parameters (`?`) are bound by position, without a name. Parameters written `$1, $2, ...`,
/// each once and in that order, mean the same as `?`s: on SQLite they are rewritten so. Any
/// other statement is left as it is (it binds the same, only slower).
pub fn positional(conn: &sqlx::AnyConnection, sql: String) -> String {
    if conn.backend_name() != "SQLite" {
        return sql;
    }
    anonymous(&sql).unwrap_or(sql)
}

/// `sql` with its parameters `$1, $2, ...` turned into `?`, when each appears once and in that
/// order (see [`positional`]).
fn anonymous(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut expected = 1u64;
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - at - 1);
        if rest[at + 1..at + 1 + digits].parse::<u64>().ok()? != expected {
            return None;
        }
        expected += 1;
        out.push('?');
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    Some(out)
}

/// Most rows (or `IN` values) per generated statement of one or two parameters a row, and per
/// admission batch (six a row, at most `inbox::ADMISSION_BATCH` rows): well under both
/// databases' parameter limits. The largest of [`SIZES`].
pub const INSERT_CHUNK: usize = 512;

/// The sizes that generated statements (`IN` lists, multi-row inserts) are written for, about
/// 1.5 times apart. Both drivers keep the last 100 statements they prepared on each
/// connection; a statement written for every size from 1 to 512 makes hundreds of different
/// ones, so that under load nearly every execution was prepared anew (parsed and planned by
/// the database, an extra round trip on PostgreSQL). With these sizes a statement has at most
/// eighteen forms.
const SIZES: [usize; 18] = [
    1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512,
];

/// Some rows of a generated statement, written for one of [`SIZES`]: the rows, then the last
/// one again until that size.
#[derive(Debug, Clone, Copy)]
pub struct Padded<'a, T> {
    rows: &'a [T],
    len: usize,
}

impl<'a, T> Padded<'a, T> {
    /// How many rows the statement is written for.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no row (never, for a chunk of [`padded_chunks`]).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rows to bind, `len` of them.
    pub fn iter(&self) -> impl Iterator<Item = &'a T> + use<'a, T> {
        let rows = self.rows;
        let extra = self.len - rows.len();
        rows.iter()
            .chain(rows.last().into_iter().cycle().take(extra))
    }
}

/// `rows` in statements of at most `most` rows (at least one), each written for one of
/// [`SIZES`], the last padded with its last row repeated. Only for statements where a row
/// given twice changes nothing: `IN` lists, and inserts that skip rows already there (`ON
/// CONFLICT DO NOTHING` with a unique key that the repeated row meets).
pub fn padded_chunks<T>(rows: &[T], most: usize) -> impl Iterator<Item = Padded<'_, T>> {
    let step = SIZES
        .iter()
        .rev()
        .copied()
        .find(|&s| s <= most)
        .unwrap_or(1);
    rows.chunks(step).map(|rows| Padded {
        rows,
        len: SIZES
            .iter()
            .copied()
            .find(|&s| s >= rows.len())
            .unwrap_or(rows.len()),
    })
}

/// A boolean as stored (0 or 1).
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_in_order_become_anonymous_and_others_stay() {
        assert_eq!(
            super::anonymous("INSERT INTO t VALUES ($1, $2), ($3, $4)").as_deref(),
            Some("INSERT INTO t VALUES (?, ?), (?, ?)")
        );
        assert_eq!(
            super::anonymous(&format!(
                "SELECT 1 WHERE a IN ({})",
                super::placeholders(1, 12)
            ))
            .as_deref(),
            Some("SELECT 1 WHERE a IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        );
        assert_eq!(super::anonymous("SELECT 1").as_deref(), Some("SELECT 1"));
        // Used twice, out of order, not starting at 1, or not a number: left numbered.
        for sql in [
            "VALUES ($1, $2), ($1, $3)",
            "VALUES ($2, $1)",
            "VALUES ($2, $3)",
            "SELECT $a",
            "SELECT $",
        ] {
            assert_eq!(super::anonymous(sql), None, "{sql}");
        }
    }

    #[test]
    fn generated_statements_take_few_sizes_and_repeat_the_last_row() {
        let rows: Vec<u32> = (1..=53).collect();
        let chunks: Vec<_> = super::padded_chunks(&rows, 200).collect();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].len(), 64);
        let bound: Vec<u32> = chunks[0].iter().copied().collect();
        assert_eq!(bound.len(), 64);
        assert_eq!(&bound[..53], &rows[..]);
        assert!(bound[53..].iter().all(|&r| r == 53));

        // At most `most` per statement, rounded down to a size: (rows given, rows written).
        let sizes: Vec<(usize, usize)> = super::padded_chunks(&rows, 21)
            .map(|c| (c.rows.len(), c.len()))
            .collect();
        assert_eq!(sizes, [(16, 16), (16, 16), (16, 16), (5, 6)]);
        let sizes: Vec<usize> = super::padded_chunks(&rows[..5], 500)
            .map(|c| c.len())
            .collect();
        assert_eq!(sizes, [6]);
        assert_eq!(super::padded_chunks(&rows, 0).count(), 53);
        assert_eq!(super::padded_chunks::<u32>(&[], 10).count(), 0);

        // Every size from 1 to 1,000 rows is written in a handful of forms.
        let mut forms = std::collections::BTreeSet::new();
        for n in 1..=1000 {
            let rows = vec![0u8; n];
            let mut total = 0;
            for c in super::padded_chunks(&rows, super::INSERT_CHUNK) {
                assert!(c.rows.len() <= c.len() && c.len() <= super::INSERT_CHUNK);
                assert_eq!(c.iter().count(), c.len());
                total += c.rows.len();
                forms.insert(c.len());
            }
            assert_eq!(total, n);
        }
        assert!(forms.len() <= super::SIZES.len(), "{forms:?}");
    }

    #[test]
    fn rows_share_the_first_placeholder() {
        assert_eq!(super::rows_sharing_first(1), "($1, $2)");
        assert_eq!(super::rows_sharing_first(3), "($1, $2), ($1, $3), ($1, $4)");
    }

    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |m: &Migrator| -> Vec<(i64, String)> {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS));
    }

    #[test]
    fn sqlite_urls_create_missing_files() {
        let dir = tempfile_dir();
        let path = format!("{}/sub/x.db", dir.display());
        assert_eq!(
            prepare_sqlite_url(&format!("sqlite://{path}")).unwrap(),
            format!("sqlite://{path}?mode=rwc")
        );
        assert!(dir.join("sub").is_dir());
        assert_eq!(
            prepare_sqlite_url("sqlite://a.db?mode=ro").unwrap(),
            "sqlite://a.db?mode=ro"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn sqlite_writers_take_their_one_connection_in_turn() {
        let (dir, db) = sqlite_in_temp_dir().await;
        assert_eq!(db.writer.options().get_max_connections(), 1);
        let mut first = db.writer().await.unwrap();
        // A second writer waits (here, until it gives up) while the first holds it.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), db.writer())
                .await
                .is_err(),
            "a second writer's connection while the first holds one"
        );
        // A connection like the others: the same file, the same settings.
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *first)
            .await
            .unwrap();
        assert_eq!(foreign_keys, 1);
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut *first)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES (7)")
            .execute(&mut *first)
            .await
            .unwrap();
        drop(first);
        let seen: i64 = sqlx::query_scalar("SELECT x FROM t")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(seen, 7);
        // Given back, it is handed out again.
        drop(db.writer().await.unwrap());
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Under steady writes with a reader always at work, passive checkpoints alone never start
    /// the log over and its file grows without end (about 5 MB here, 780 MB in the ingest
    /// benchmark); past the threshold the checkpoint starts it over.
    #[tokio::test]
    async fn sqlite_log_starts_over_under_steady_reads_and_writes() {
        let (dir, db) = sqlite_in_temp_dir().await;
        sqlx::query("CREATE TABLE t (x BLOB)")
            .execute(db.pool())
            .await
            .unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let reader = {
            let (db, stop) = (db.clone(), stop.clone());
            tokio::spawn(async move {
                let mut conn = db.pool().acquire().await.unwrap();
                while !stop.is_cancelled() {
                    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
                    let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
                        .fetch_one(&mut *tx)
                        .await
                        .unwrap();
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    tx.commit().await.unwrap();
                }
            })
        };
        for _ in 0..400 {
            let mut writer = db.writer().await.unwrap();
            sqlx::query("INSERT INTO t VALUES (randomblob(4000))")
                .execute(&mut *writer)
                .await
                .unwrap();
            drop(writer);
            db.checkpoint_restarting_at(64).await.unwrap();
        }
        stop.cancel();
        reader.await.unwrap();
        let log = std::fs::metadata(dir.join("coopol.db-wal")).unwrap().len();
        // 64 frames of 4 KiB, and what commits add while the restart waits for the reader.
        assert!(log < 1_000_000, "the log grew to {log} bytes");
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Two transactions that read, then write, at the same time (issue 23, finding 13). Begun
    /// as readers, the second to write fails at once with SQLITE_BUSY_SNAPSHOT ("database is
    /// locked", code 517), whatever the busy timeout; begun by `Db::begin`, they take turns.
    #[tokio::test]
    async fn sqlite_transactions_that_read_then_write_take_turns() {
        let (dir, db) = sqlite_in_temp_dir().await;
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(db.pool())
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES (0)")
            .execute(db.pool())
            .await
            .unwrap();
        let read = "SELECT x FROM t";
        let write = "UPDATE t SET x = x + 1";

        // As readers: the snapshot of the first is stale once the second committed.
        let mut first = db.pool().begin().await.unwrap();
        let _: i64 = sqlx::query_scalar(read)
            .fetch_one(&mut *first)
            .await
            .unwrap();
        let mut second = db.pool().begin().await.unwrap();
        let _: i64 = sqlx::query_scalar(read)
            .fetch_one(&mut *second)
            .await
            .unwrap();
        sqlx::query(write).execute(&mut *second).await.unwrap();
        second.commit().await.unwrap();
        let stale = sqlx::query(write).execute(&mut *first).await;
        assert!(
            stale.is_err(),
            "the failure this test guards against did not happen"
        );
        drop(first);

        // As writers: the second waits for the first, then reads what it wrote.
        let mut first = db.begin().await.unwrap();
        let _: i64 = sqlx::query_scalar(read)
            .fetch_one(&mut *first)
            .await
            .unwrap();
        let other = {
            let db = db.clone();
            tokio::spawn(async move {
                let mut second = db.begin().await?;
                let _: i64 = sqlx::query_scalar(read).fetch_one(&mut *second).await?;
                sqlx::query(write).execute(&mut *second).await?;
                second.commit().await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        sqlx::query(write).execute(&mut *first).await.unwrap();
        first.commit().await.unwrap();
        other
            .await
            .unwrap()
            .expect("the second transaction waited its turn");
        let x: i64 = sqlx::query_scalar(read).fetch_one(db.pool()).await.unwrap();
        assert_eq!(x, 3);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Every transaction outside `db` starts through `Db::begin` (as a writer on SQLite): a
    /// `begin()` on the pool would start a reader that may fail when it writes.
    #[test]
    fn transactions_start_as_writers() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    if !path.ends_with("db") {
                        walk(&path, found);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (n, line) in text.lines().enumerate() {
                        if line.contains("pool().begin()") || line.contains("pool.begin()") {
                            found.push(format!("{}:{}", path.display(), n + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "use Db::begin: {found:?}");
    }

    /// A SQLite database (`coopol.db`, four connections) in a new folder of its own.
    async fn sqlite_in_temp_dir() -> (std::path::PathBuf, Db) {
        let dir = tempfile_dir();
        let db = Db::connect(&format!("sqlite://{}/coopol.db", dir.display()), 4)
            .await
            .unwrap();
        (dir, db)
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("coopol-db-test-{}", crate::crypto::random_code(8)));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
