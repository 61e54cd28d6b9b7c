//! The administrators' dashboard (`/admin`): local accounts, registrations waiting, the
//! queues (inbox, outbox, deliveries, e-mails, pushes: sizes and oldest ages), the
//! federation's health per host (failing, parked) and what is stored (media, database);
//! and the deliveries given up (`/admin/deliveries`, [`delivery_failures`]).
//! Every figure is one cheap query (`db::dashboard`), run at once on pooled connections.

use crate::{
    clock,
    config::MediaStore,
    db::{
        self,
        accounts::UserRow,
        dashboard::{COUNT_CAP, HostRow, MediaUsage, Queue},
    },
    domain::UserState,
    error::AppResult,
    service::{discovery::week_start, modlog},
    state::AppState,
};

/// How many failing hosts the dashboard lists (the longest failing first).
pub const HOSTS_SHOWN: i64 = 50;

/// What the dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Local accounts by state: (state, count), every state present.
    pub users: Vec<(UserState, i64)>,
    /// Local people who used the server this week (since Monday 00:00 UTC).
    pub active_this_week: i64,
    /// Registrations waiting for an administrator.
    pub pending: i64,
    /// Reports waiting for a moderator (capped at [`QUEUE_COUNT_CAP`]).
    pub open_reports: i64,
    /// Incoming activities waiting.
    pub inbox: Queue,
    /// Incoming activities given up on.
    pub inbox_failed: i64,
    /// Changes waiting to become activities.
    pub outbox: Queue,
    /// Deliveries waiting.
    pub deliveries: Queue,
    /// E-mails waiting (`None`: e-mail is off).
    pub mail: Option<Queue>,
    /// Web pushes waiting.
    pub pushes: Queue,
    /// Hosts failing, of which parked.
    pub hosts_failing: i64,
    /// See `hosts_failing`.
    pub hosts_parked: i64,
    /// The longest failing hosts, at most [`HOSTS_SHOWN`].
    pub failing_hosts: Vec<HostRow>,
    /// Media files kept, from the media table, as counted at `media_at`.
    pub media: MediaUsage,
    /// When the media were counted (Unix microseconds): at most [`MEDIA_COUNT_EVERY`] ago.
    pub media_at: i64,
    /// Whether the media live in a folder (`true`) or an S3 bucket.
    pub media_in_folder: bool,
    /// The database's size in bytes.
    pub database_bytes: i64,
    /// When these were read (Unix microseconds), to tell ages.
    pub now: i64,
}

/// How long a count of the media stands: summing the sizes reads the whole media table
/// (about 0.2 s on PostgreSQL, 0.8 s on SQLite for a million rows, docs/decisions/0026-feature-benchmark-runs.md), so it
/// is done at most this often, whoever looks, and kept in `settings` for every process.
pub const MEDIA_COUNT_EVERY: i64 = 15 * 60 * 1_000_000;

const MEDIA_KEY: &str = "dashboard.media_usage";

/// The media usage counted at most [`MEDIA_COUNT_EVERY`] ago, with when it was counted.
async fn media_usage(state: &AppState, now: i64) -> AppResult<(MediaUsage, i64)> {
    if let Some(stored) = db::settings::get(state.pool(), MEDIA_KEY).await? {
        let n: Vec<i64> = stored.split(' ').filter_map(|v| v.parse().ok()).collect();
        if let [at, local_files, local_bytes, remote_files, remote_bytes] = n[..]
            && at <= now
            && now - at < MEDIA_COUNT_EVERY
        {
            let usage = MediaUsage {
                local_files,
                local_bytes,
                remote_files,
                remote_bytes,
            };
            return Ok((usage, at));
        }
    }
    let m = db::dashboard::media(state.pool()).await?;
    let value = format!(
        "{now} {} {} {} {}",
        m.local_files, m.local_bytes, m.remote_files, m.remote_bytes
    );
    db::settings::set(state.pool(), MEDIA_KEY, &value).await?;
    Ok((m, now))
}

/// The most a queue count reads: past it the dashboard says "more than".
pub const QUEUE_COUNT_CAP: i64 = COUNT_CAP;

/// Reads the dashboard (administrators only, as the page it is on).
pub async fn read(state: &AppState, by: &UserRow) -> AppResult<Dashboard> {
    modlog::require_admin(by)?;
    let db = state.pool();
    let now = clock::now();
    let (users, active, inbox, inbox_failed, outbox, deliveries, mail, pushes) = tokio::try_join!(
        db::dashboard::users_by_state(db),
        db::dashboard::active_in_week(db, week_start(now)),
        db::dashboard::inbox(db),
        db::dashboard::inbox_failed(db),
        db::dashboard::outbox(db),
        db::dashboard::deliveries(db),
        db::dashboard::mail(db),
        db::dashboard::pushes(db),
    )?;
    let ((hosts_failing, hosts_parked), failing_hosts, database_bytes, open_reports) = tokio::try_join!(
        db::dashboard::host_counts(db),
        db::dashboard::failing_hosts(db, HOSTS_SHOWN),
        db::dashboard::database_bytes(&state.db),
        db::dashboard::open_reports(db),
    )?;
    let (media, media_at) = media_usage(state, now).await?;
    let users: Vec<(UserState, i64)> = users
        .into_iter()
        .filter_map(|(s, n)| UserState::parse(&s).ok().map(|s| (s, n)))
        .collect();
    let pending = users
        .iter()
        .find(|(s, _)| *s == UserState::Pending)
        .map_or(0, |(_, n)| *n);
    Ok(Dashboard {
        users,
        active_this_week: active,
        pending,
        open_reports,
        inbox,
        inbox_failed,
        outbox,
        deliveries,
        mail: super::mail::enabled(state).then_some(mail),
        pushes,
        hosts_failing,
        hosts_parked,
        failing_hosts,
        media,
        media_at,
        media_in_folder: matches!(state.config.media.store, MediaStore::Directory(_)),
        database_bytes,
        now,
    })
}

/// The deliveries given up, as administrators read them (`/admin/deliveries`, the admin API).
#[derive(Debug, Clone)]
pub struct DeliveryFailures {
    /// Per host: (host, how many kept, the last one's time), the latest failure first.
    pub hosts: Vec<(String, i64, i64)>,
    /// The newest given-up deliveries (of one host when asked), newest first.
    pub items: Vec<db::federation::DeliveryFailure>,
}

/// How many hosts the given-up deliveries list shows.
pub const FAILING_HOSTS_SHOWN: i64 = 50;

/// The deliveries given up (administrators only): the newest `limit` (of `host` when given,
/// older than `max_id` when given), and the per-host summary.
pub async fn delivery_failures(
    state: &AppState,
    by: &UserRow,
    host: Option<&str>,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<DeliveryFailures> {
    modlog::require_admin(by)?;
    let db = state.pool();
    let (hosts, items) = tokio::try_join!(
        db::federation::delivery_failures_per_host(db, FAILING_HOSTS_SHOWN),
        db::federation::delivery_failures(db, host, max_id, limit),
    )?;
    Ok(DeliveryFailures { hosts, items })
}
