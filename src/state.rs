//! The state every request handler and background task shares: the database, the
//! configuration, the id generator, the federation context and the wake-up signals of the
//! background workers. Cloning is cheap (reference-counted); there are no globals, so several
//! instances can run in one process (the federation tests do).

use crate::{config::Config, db::Db, ids::IdGenerator};
use activitypub_federation::config::{Data, FederationConfig};
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
    /// This process's identity in the `processes` table (for claiming queued work).
    pub process_id: Arc<str>,
    /// The delivery side of federation (HTTP client, limits, caches).
    pub delivery: Arc<crate::federation::delivery::Runtime>,
    /// Remote signers recently verified (keys parsed), by key id.
    pub signers: Arc<crate::federation::verify::SignerCache>,
    /// This process's rate limiters (see `crate::limits`).
    pub limits: Arc<crate::limits::Limits>,
    /// The inbox's group-commit writer, started on first use.
    pub admission: Arc<OnceLock<crate::federation::inbox::Admission>>,
    /// The federation library's context, set once at start (it holds this state in turn).
    federation: Arc<OnceLock<FederationConfig<AppState>>>,
    /// How services find actors of other servers (`service::Remote`), set once at start.
    remote: Arc<OnceLock<Arc<dyn crate::service::Remote>>>,
}

impl AppState {
    /// State for a configuration and an open database.
    pub fn new(config: Config, db: Db) -> Self {
        AppState {
            db,
            ids: Arc::new(IdGenerator::default()),
            outbox_ready: Arc::new(Notify::new()),
            inbox_ready: Arc::new(Notify::new()),
            process_id: Arc::from(crate::crypto::random_token(16)),
            delivery: Arc::new(crate::federation::delivery::Runtime::new(&config)),
            federation: Arc::new(OnceLock::new()),
            remote: Arc::new(OnceLock::new()),
            admission: Arc::new(OnceLock::new()),
            signers: Arc::default(),
            limits: Arc::new(crate::limits::Limits::new(&config)),
            config: Arc::new(config),
        }
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

    /// Installs the federation context (once, at start).
    pub fn set_federation(&self, config: FederationConfig<AppState>) {
        let _ = self.federation.set(config);
    }

    /// A federation request context: fetches made through it count against one request's
    /// fetch limit, which bounds recursion.
    pub fn fed(&self) -> Data<AppState> {
        self.federation
            .get()
            .expect("the federation context is installed at start")
            .to_request_data()
    }
}
