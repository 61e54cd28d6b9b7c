//! Use cases: signing up, signing in, changing a profile, running registrations, OAuth grants.
//! Services take the shared [`AppState`](crate::state::AppState), validate input into domain
//! types, and call `db`; they know nothing of HTTP, HTML or JSON, and report failures as
//! [`AppError`](crate::error::AppError)s with a status and a translated message.

pub mod about;
pub mod account_extras;
pub mod accounts;
pub mod announcements;
pub mod cards;
pub mod conversations;
pub mod dashboard;
pub mod data_jobs;
pub mod digest;
pub mod directory;
pub mod discovery;
pub mod domain_policy;
pub mod events;
pub mod export;
pub mod filters;
pub mod governance;
pub mod groups;
pub mod import;
pub mod instance;
pub mod landing;
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
pub mod official;
pub mod outgoing;
pub mod polls;
pub mod preferences;
pub mod profile_groups;
pub mod push;
pub mod relationships;
pub mod reports;
pub mod rules;
pub mod sanctions;
pub mod scheduled;
pub mod sessions;
pub mod statuses;
pub mod streams;
pub mod tags;
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

    /// Starts fetching a file of another server (a medium of a remote post or actor) through
    /// the client that refuses private addresses on an https instance: only http(s) addresses
    /// of other servers, a few redirections each checked the same way, time limits. The body
    /// comes as it arrives; its size and type are the caller's to check.
    async fn fetch_file(
        &self,
        state: &crate::state::AppState,
        url: &str,
    ) -> Result<RemoteFile, RemoteFileError>;

    /// Sends a Web Push message (RFC 8030) to a push service, through the same guarded
    /// client: an http(s) address of another server, never a private address on an https
    /// instance, no redirection followed, time limits. Gives the status the service answered.
    async fn push(
        &self,
        state: &crate::state::AppState,
        endpoint: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<u16, RemoteFileError>;

    /// The posts of a remote actor's `featured` collection at `url` (on the actor's server),
    /// each fetched from its own server and stored; `None` when the collection could not be
    /// read. Bounded: a few items, no paging beyond the first page.
    async fn featured(
        &self,
        state: &crate::state::AppState,
        account: &crate::db::accounts::AccountRow,
        url: &str,
    ) -> Option<Vec<crate::db::statuses::StatusRow>>;

    /// The actor ids a federation of another server vouches for, read from its own server
    /// (its actor's `officialSections` collection); `None` when that server could not be
    /// read. Bounded: the first page, a few thousand items.
    async fn official_sections(
        &self,
        state: &crate::state::AppState,
        federation: &crate::db::accounts::AccountRow,
    ) -> Option<Vec<String>>;

    /// The account `term` (a handle or an actor's address) names, read fresh from its own
    /// server (never a stored copy) and stored, with its `alsoKnownAs`; a local account with
    /// its own. `None` when it names none, its server does not answer, or the document is not
    /// the actor asked for (served for another id or host).
    async fn fresh_account(
        &self,
        state: &crate::state::AppState,
        term: &str,
    ) -> Option<(crate::db::accounts::AccountRow, Vec<String>)>;
    /// The post at address `url` (an http(s) address, ours or another server's), stored
    /// (fetched first if needed, through the guarded client); `None` when it names none or its
    /// server does not answer.
    async fn post(
        &self,
        state: &crate::state::AppState,
        url: &str,
    ) -> Option<crate::db::statuses::StatusRow>;
}

/// A file of another server, as it arrives.
pub struct RemoteFile {
    /// Its length, when the server says.
    pub length: Option<u64>,
    /// Its bytes.
    pub body: futures::stream::BoxStream<'static, Result<bytes::Bytes, std::io::Error>>,
}

/// Why a file of another server could not be fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteFileError {
    /// Its address may not be fetched (not http(s), ours, a private address, an address by
    /// IP, or http from an https instance).
    Refused,
    /// The server answered that it has no such file (or another refusal).
    Missing,
    /// The server did not answer, or failed.
    Unavailable,
}
