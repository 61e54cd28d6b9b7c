//! The administrators' dashboard (`/admin`): local accounts, registrations waiting, the
//! queues (inbox, outbox, deliveries, e-mails, pushes: sizes and oldest ages), the
//! federation's health per host (failing, parked) and what is stored (media, database).
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
    /// Media files kept, from the media table.
    pub media: MediaUsage,
    /// Whether the media live in a folder (`true`) or an S3 bucket.
    pub media_in_folder: bool,
    /// The database's size in bytes.
    pub database_bytes: i64,
    /// When these were read (Unix microseconds), to tell ages.
    pub now: i64,
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
    let ((hosts_failing, hosts_parked), failing_hosts, media, database_bytes) = tokio::try_join!(
        db::dashboard::host_counts(db),
        db::dashboard::failing_hosts(db, HOSTS_SHOWN),
        db::dashboard::media(db),
        db::dashboard::database_bytes(&state.db),
    )?;
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
        media_in_folder: matches!(state.config.media.store, MediaStore::Directory(_)),
        database_bytes,
        now,
    })
}
