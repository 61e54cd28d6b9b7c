//! The state every request handler and background task shares: the database, the
//! configuration, the id generator, the wake-up signals of the background workers, and what
//! the federation layer installs at start (opaque here: this module names no federation
//! type). Cloning is cheap (reference-counted); there are no globals, so several
//! instances can run in one process (the federation tests do).

use crate::{config::Config, db::Db, ids::IdGenerator};
use std::any::Any;
use std::sync::{Arc, OnceLock};
use tokio::sync::Notify;

/// Shared state of one coopol instance.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Time-ordered ids for posts.
    pub ids: Arc<IdGenerator>,
    /// Wakes the outbox worker when a service recorded something to send.
    pub outbox_ready: Arc<Notify>,
    /// Wakes the inbox worker when an activity was received.
    pub inbox_ready: Arc<Notify>,
    /// Wakes the notification dispatcher (`service::notifications`).
    pub notifications_ready: Arc<Notify>,
    /// This process's identity in the `processes` table (for claiming queued work).
    pub process_id: Arc<str>,
    /// This process's rate limiters (see `crate::limits`).
    pub limits: Arc<crate::limits::Limits>,
    /// This process's live streams (`service::streams`): what services tell after their
    /// commits, and the events its streaming connections follow.
    pub streams: Arc<crate::service::streams::Hub>,
    /// The media store, ffmpeg, and this process's processing of uploads (`crate::media`).
    pub media: Arc<crate::media::Runtime>,
    /// The SMTP client (when e-mail is configured) and the mail worker's wake-up signal.
    pub mail: Arc<crate::mail::Runtime>,
    /// This process's metrics (`crate::metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The domain policy in force, kept in memory (`service::domain_policy`).
    pub domain_policy: Arc<crate::service::domain_policy::Cache>,
    /// What the federation layer keeps for the whole instance (its delivery queues and HTTP
    /// client, the signer cache, the inbox's writer, the ActivityPub library's context), set
    /// once at start; `federation::runtime` finds it.
    federation: Arc<OnceLock<Arc<dyn Any + Send + Sync>>>,
    /// How services find actors of other servers (`service::Remote`), set once at start.
    remote: Arc<OnceLock<Arc<dyn crate::service::Remote>>>,
}

impl AppState {
    /// State for a configuration and an open database.
    pub fn new(config: Config, db: Db) -> anyhow::Result<Self> {
        let backend = db.backend();
        Ok(AppState {
            db,
            ids: Arc::new(IdGenerator::default()),
            outbox_ready: Arc::new(Notify::new()),
            inbox_ready: Arc::new(Notify::new()),
            notifications_ready: Arc::new(Notify::new()),
            process_id: Arc::from(crate::crypto::random_token(16)),
            federation: Arc::new(OnceLock::new()),
            remote: Arc::new(OnceLock::new()),
            limits: Arc::new(crate::limits::Limits::new(&config)),
            streams: Arc::new(crate::service::streams::Hub::new(backend)),
            media: Arc::new(crate::media::Runtime::new(&config)?),
            mail: Arc::new(crate::mail::Runtime::new(&config).map_err(anyhow::Error::msg)?),
            metrics: Arc::new(crate::metrics::Metrics::new()),
            domain_policy: Arc::new(crate::service::domain_policy::Cache::new(&config)),
            config: Arc::new(config),
        })
    }

    /// The connection pool.
    pub fn pool(&self) -> &sqlx::AnyPool {
        self.db.pool()
    }

    /// A claim on queued work, now, for `lease`.
    pub fn claim(&self, lease: std::time::Duration) -> crate::db::federation::Claim<'_> {
        let now = crate::clock::now();
        crate::db::federation::Claim {
            now,
            lease_until: now + lease.as_micros() as i64,
            stale_before: now - crate::db::federation::HEARTBEAT_STALE.as_micros() as i64,
            process: &self.process_id,
        }
    }

    /// Installs how services find actors of other servers (once, at start).
    pub fn set_remote(&self, remote: Arc<dyn crate::service::Remote>) {
        let _ = self.remote.set(remote);
    }

    /// How services find actors of other servers, when installed.
    pub fn remote(&self) -> Option<&dyn crate::service::Remote> {
        self.remote.get().map(|r| r.as_ref())
    }

    /// Installs what the federation layer keeps (once, at start).
    pub fn set_federation(&self, runtime: Arc<dyn Any + Send + Sync>) {
        let _ = self.federation.set(runtime);
    }

    /// What the federation layer installed, if it did.
    pub fn federation(&self) -> Option<&(dyn Any + Send + Sync)> {
        self.federation.get().map(|r| r.as_ref())
    }
}
