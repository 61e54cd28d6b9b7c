//! Use cases: signing up, signing in, changing a profile, running registrations, OAuth grants.
//! Services take the shared [`AppState`](crate::state::AppState), validate input into domain
//! types, and call `db`; they know nothing of HTTP, HTML or JSON, and report failures as
//! [`AppError`](crate::error::AppError)s with a status and a translated message.

pub mod accounts;
pub mod cards;
pub mod directory;
pub mod events;
pub mod groups;
pub mod instance;
pub mod media;
pub mod oauth;
pub mod outgoing;
pub mod relationships;
pub mod sessions;
pub mod statuses;
pub mod timelines;
pub mod views;

/// Runs slow, CPU-bound work (password hashing, key generation) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::error::AppError> {
    Ok(tokio::task::spawn_blocking(f).await?)
}

/// What services ask of other servers: the actor a handle (`name@domain`) or an actor's
/// address names, fetched when unknown here. Defined here and implemented by `federation`,
/// which the start-up installs in the state (`AppState::set_remote`), so that services never
/// name federation (docs/ARCHITECTURE.md; `tests/layers.rs`). Without it (the command line),
/// nothing is fetched.
#[async_trait::async_trait]
pub trait Remote: Send + Sync {
    /// The account `term` names, stored (fetched first if needed); `None` when it names none,
    /// or its server does not answer.
    async fn account(
        &self,
        state: &crate::state::AppState,
        term: &str,
    ) -> Option<crate::db::accounts::AccountRow>;
}
