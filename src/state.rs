//! The state every request handler and background task shares: the database and the
//! configuration. Cloning is cheap (reference-counted); there are no globals, so several
//! instances can run in one process (the federation tests do).

use crate::{config::Config, db::Db};
use std::sync::Arc;

/// Shared state of one coopol instance.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The validated configuration.
    pub config: Arc<Config>,
}

impl AppState {
    /// State for a configuration and an open database.
    pub fn new(config: Config, db: Db) -> Self {
        AppState {
            db,
            config: Arc::new(config),
        }
    }

    /// The connection pool.
    pub fn pool(&self) -> &sqlx::AnyPool {
        self.db.pool()
    }
}
