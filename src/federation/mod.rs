//! ActivityPub federation: the only module that speaks ActivityPub and the only one that uses
//! `activitypub_federation`.
//!
//! - [`protocol`]: the JSON shapes read from other servers; [`render`]: the ones we publish.
//! - [`objects`]: accounts and posts as the library's `Object`s (fetch, check, store).
//! - [`signatures`], [`verify`]: HTTP signatures out and in.
//! - [`routes`]: what others read (actors, posts, collections, WebFinger, NodeInfo).
//! - [`inbox`]: receiving (store, answer 202, process later); [`receive`]: what each activity
//!   does.
//! - [`outbox`]: turning services' [`Outgoing`](crate::service::outgoing::Outgoing) records
//!   into activities and deliveries; [`delivery`]: sending them, durably.
//!
//! Data flows in through `inbox` -> `receive` -> `service`, and out through `service` ->
//! (outbox_events table) -> `outbox` -> `delivery`.

pub mod activities;
pub mod affiliation;
pub mod archive;
pub mod bulk;
pub mod delivery;
pub mod inbox;
pub mod media;
pub mod objects;
pub mod official;
pub mod outbox;
pub mod peers;
pub mod protocol;
pub mod receive;
pub mod render;
pub mod routes;
pub mod signatures;
pub mod verify;

use crate::{
    clock,
    config::Config,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    error::{AppError, AppResult},
    state::AppState,
};
use activitypub_federation::{
    config::{Data, FederationConfig},
    fetch::{fetch_object_http, webfinger::webfinger_resolve_actor},
    resolver::ValidatingDnsResolver,
    traits::Object,
};
use axum::{
    Router,
    routing::{get, post},
};
use objects::{ApAccount, ApNote};
use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio_util::sync::CancellationToken;
use url::Url;

/// The media type of ActivityPub documents.
pub const AP_CONTENT_TYPE: &str = "application/activity+json";

/// The HTTP client for everything sent to other servers: timeouts, no redirects (the fetcher
/// follows one itself), and, when the instance is on https, a resolver that refuses private,
/// loopback and link-local addresses (no request forgery into the local network). On an http
/// instance (development, tests) local peers are allowed.
pub fn http_client(config: &Config) -> reqwest::Client {
    let agent = format!(
        "coopol/{} (+{})",
        env!("CARGO_PKG_VERSION"),
        config.public_url
    );
    reqwest::Client::builder()
        .user_agent(agent)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(8)
        .dns_resolver(Arc::new(ValidatingDnsResolver::new(
            Vec::new(),
            config.is_https(),
        )))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// What federation keeps for the whole instance, installed in the state at start.
pub struct Runtime {
    /// The delivery side (HTTP client, limits, caches).
    pub delivery: delivery::Runtime,
    /// Remote signers recently verified (keys parsed), by key id.
    pub signers: verify::SignerCache,
    /// What affiliated sections' servers answered, and the questions each domain caused.
    pub chain: affiliation::Chain,
    /// The inbox's group-commit writer, started on first use.
    pub admission: OnceLock<inbox::Admission>,
    /// The ActivityPub library's context (it holds the state in turn).
    library: OnceLock<FederationConfig<AppState>>,
}

/// What federation installed in the state at start.
pub fn runtime(state: &AppState) -> &Runtime {
    state
        .federation()
        .and_then(|r| r.downcast_ref::<Runtime>())
        .expect("federation is installed at start")
}

/// A request context of the ActivityPub library: fetches made through it count against one
/// request's fetch limit, which bounds recursion.
pub fn data(state: &AppState) -> Data<AppState> {
    runtime(state)
        .library
        .get()
        .expect("federation is installed at start")
        .to_request_data()
}

/// Prepares federation at start: the instance actor (made once), and the library's context.
pub async fn install(state: &AppState) -> anyhow::Result<()> {
    let instance = match db::accounts::instance_actor(state.pool()).await? {
        Some(a) => a,
        None => {
            let (private, public) =
                tokio::task::spawn_blocking(crate::crypto::generate_rsa_keypair).await?;
            db::accounts::insert_instance_actor(
                state.pool(),
                &state.config.domain,
                &state.config.url("/actor"),
                &public,
                &private,
                clock::now(),
            )
            .await?;
            db::accounts::instance_actor(state.pool())
                .await?
                .ok_or_else(|| anyhow::anyhow!("the instance actor could not be created"))?
        }
    };
    state.set_federation(Arc::new(Runtime {
        delivery: delivery::Runtime::new(&state.config),
        signers: verify::SignerCache::default(),
        chain: affiliation::Chain::default(),
        admission: OnceLock::new(),
        library: OnceLock::new(),
    }));
    let development = !state.config.is_https();
    let config = FederationConfig::builder()
        .domain(state.config.domain.clone())
        .app_data(state.clone())
        .http_fetch_limit(25)
        .debug(development)
        .allow_http_urls(development)
        .client(http_client(&state.config).into())
        .request_timeout(Duration::from_secs(10))
        // Sign fetches as Mastodon does (Date and Host), which every server checks.
        .http_signature_compat(true)
        .url_verifier(Box::new(PolicyVerifier(Arc::clone(&state.domain_policy))))
        .signed_fetch_actor(&ApAccount::new(instance).map_err(|e| anyhow::anyhow!("{}", e.key))?)
        .build()
        .await?;
    let _ = runtime(state).library.set(config);
    state.set_remote(Arc::new(Remote));
    Ok(())
}

/// Refuses every fetch the library makes (actors, objects, WebFinger, collections) from a
/// domain the policy refuses: suspended, or not allowed in allowlist mode.
#[derive(Clone)]
struct PolicyVerifier(Arc<crate::service::domain_policy::Cache>);

#[async_trait::async_trait]
impl activitypub_federation::config::UrlVerifier for PolicyVerifier {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        if self.0.policy().refuses(&protocol::domain_of(url)) {
            return Err(activitypub_federation::error::Error::Other(format!(
                "the domain policy refuses {}",
                protocol::domain_of(url)
            )));
        }
        Ok(())
    }
}

/// The routes other servers use.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(routes::webfinger))
        .route("/.well-known/host-meta", get(routes::host_meta))
        .route("/.well-known/nodeinfo", get(routes::nodeinfo_links))
        .route("/nodeinfo/2.0", get(routes::nodeinfo))
        .route("/nodeinfo/2.1", get(routes::nodeinfo))
        .route("/actor", get(routes::instance_actor))
        .route("/actor/inbox", post(inbox::shared))
        .route("/actor/outbox", get(routes::empty_collection))
        .route("/inbox", post(inbox::shared))
        .route("/users/{username}", get(routes::actor))
        .route("/users/{username}/inbox", post(inbox::personal))
        .route("/users/{username}/outbox", get(routes::outbox))
        .route(
            "/users/{username}/followers",
            get(routes::follow_collection),
        )
        .route(
            "/users/{username}/following",
            get(routes::follow_collection),
        )
        .route("/users/{username}/members", get(routes::follow_collection))
        .route(
            "/users/{username}/collections/moderators",
            get(routes::moderators),
        )
        .route(
            "/users/{username}/collections/featured",
            get(routes::featured),
        )
        .route(
            "/users/{username}/collections/tags",
            get(routes::featured_tags),
        )
        .route(
            "/users/{username}/collections/sections",
            get(routes::official_sections),
        )
        .route(
            "/users/{username}/member_domain",
            get(routes::member_domain),
        )
        .route("/users/{username}/statuses/{id}", get(routes::status))
        .route(
            "/users/{username}/statuses/{id}/activity",
            get(routes::status_activity),
        )
        .route(
            "/users/{username}/statuses/{id}/replies",
            get(routes::replies),
        )
}

/// Starts the inbox, outbox and delivery workers, the heartbeat that keeps their claims, and
/// the federation clean-up.
pub async fn spawn_workers(state: &AppState, stop: &CancellationToken) -> anyhow::Result<()> {
    db::federation::register_process(state.pool(), &state.process_id, clock::now()).await?;
    {
        let state = state.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(db::federation::HEARTBEAT_EVERY);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tick.tick() => {
                        let now = clock::now();
                        let forget = now - 24 * 3_600_000_000;
                        if let Err(e) = db::federation::heartbeat(state.pool(), &state.process_id, now, forget).await {
                            tracing::warn!(error = %e, "heartbeat failed");
                        }
                    }
                }
            }
        });
    }
    tokio::spawn(inbox::run(state.clone(), stop.clone()));
    tokio::spawn(outbox::run(state.clone(), stop.clone()));
    tokio::spawn(delivery::run(state.clone(), stop.clone()));
    let state = state.clone();
    let stop = stop.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {
                    let now = clock::now();
                    let keep = inbox::KEEP_RECEIVED.as_micros() as i64;
                    let _ = db::federation::purge_inbox(state.pool(), now - keep).await;
                    delivery::refresh_parked(&state).await;
                    runtime(&state).chain.forget_idle();
                }
            }
        }
    });
    Ok(())
}

/// Writes pending bookkeeping, then releases this process's claims, so that other processes
/// (or the next start) take them up at once.
pub async fn release_claims(state: &AppState) {
    delivery::flush_finished(state).await;
    if let Err(e) = db::federation::unregister_process(state.pool(), &state.process_id).await {
        tracing::warn!(error = %e, "could not release claimed work");
    }
}

/// How services find actors of other servers (`service::Remote`): by an actor's address, or
/// by handle through WebFinger, fetching what is not stored.
pub struct Remote;

#[async_trait::async_trait]
impl crate::service::Remote for Remote {
    async fn account(&self, state: &AppState, term: &str) -> Option<AccountRow> {
        let term = term.trim();
        if term.starts_with("https://") || term.starts_with("http://") {
            return match resolve(state, term).await {
                Ok(Some(Resolved::Account(a))) => Some(*a),
                _ => None,
            };
        }
        let (name, host) = term.trim_start_matches('@').split_once('@')?;
        resolve_handle(state, name, host).await.ok()
    }

    async fn fetch_file(
        &self,
        state: &AppState,
        url: &str,
    ) -> Result<crate::service::RemoteFile, crate::service::RemoteFileError> {
        media::fetch(state, url).await
    }

    async fn push(
        &self,
        state: &AppState,
        endpoint: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<u16, crate::service::RemoteFileError> {
        media::push(state, endpoint, headers, body).await
    }

    async fn featured(
        &self,
        state: &AppState,
        account: &AccountRow,
        url: &str,
    ) -> Option<Vec<StatusRow>> {
        activities::featured::fetch(state, account, url).await
    }

    async fn official_sections(
        &self,
        state: &AppState,
        federation: &AccountRow,
    ) -> Option<Vec<String>> {
        official::official_sections(state, federation).await
    }

    async fn fresh_account(
        &self,
        state: &AppState,
        term: &str,
    ) -> Option<(AccountRow, Vec<String>)> {
        let known = self.account(state, term).await?;
        activities::moving::fresh(state, &known.uri).await.ok()
    }

    async fn post(&self, state: &AppState, url: &str) -> Option<StatusRow> {
        match resolve(state, url).await {
            Ok(Some(Resolved::Status(s))) => Some(*s),
            _ => None,
        }
    }
}

/// What a search term resolved to.
pub enum Resolved {
    /// An account.
    Account(Box<AccountRow>),
    /// A post.
    Status(Box<StatusRow>),
}

/// Finds (fetching if needed) the account `@name@domain`. Accounts of this instance are
/// looked up, not fetched.
pub async fn resolve_handle(
    state: &AppState,
    username: &str,
    domain: &str,
) -> AppResult<AccountRow> {
    if domain.eq_ignore_ascii_case(&state.config.domain) {
        return db::accounts::local_by_username(state.pool(), username)
            .await?
            .filter(|a| a.deleted_at.is_none())
            .ok_or_else(AppError::not_found);
    }
    if let Some(known) = db::accounts::by_handle(state.pool(), username, Some(domain)).await?
        && known.deleted_at.is_none()
    {
        return Ok(known);
    }
    let data = crate::federation::data(state);
    let account: ApAccount =
        webfinger_resolve_actor(&format!("{username}@{domain}"), &data).await?;
    Ok(account.row)
}

/// Resolves a search term: `@name@domain`, `name@domain`, `!community@domain` (a group), or
/// the URL of an actor or a post.
pub async fn resolve(state: &AppState, query: &str) -> AppResult<Option<Resolved>> {
    let q = query.trim();
    if let Ok(url) = Url::parse(q) {
        if !matches!(url.scheme(), "http" | "https") {
            return Ok(None);
        }
        return resolve_url(state, url).await.map(Some);
    }
    let (handle, group_only) = crate::domain::handle_parts(q);
    if let Some((name, domain)) = handle.split_once('@')
        && !name.is_empty()
        && !domain.is_empty()
        && !name.contains('/')
    {
        let account = resolve_handle(state, name, domain).await?;
        // `!name@domain` names a community: another kind of account is not what was asked.
        if group_only && account.actor_type != "Group" {
            return Ok(None);
        }
        return Ok(Some(Resolved::Account(Box::new(account))));
    }
    Ok(None)
}

async fn resolve_url(state: &AppState, url: Url) -> AppResult<Resolved> {
    if let Some(a) = db::accounts::by_uri(state.pool(), url.as_str()).await? {
        return Ok(Resolved::Account(Box::new(a)));
    }
    if let Some(s) = db::statuses::by_uri(state.pool(), url.as_str()).await? {
        return Ok(Resolved::Status(Box::new(s)));
    }
    if url.as_str().starts_with(state.config.public_url.as_str()) {
        return Err(AppError::not_found());
    }
    let data = crate::federation::data(state);
    // One fetch, then the type decides what it is.
    let fetched = fetch_object_http::<_, serde_json::Value>(&url, &data).await?;
    let object = fetched.object;
    let id = fetched.url;
    let kind = object
        .get("type")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if matches!(
        kind,
        "Person" | "Service" | "Application" | "Group" | "Organization"
    ) {
        let json: protocol::Actor = serde_json::from_value(object)
            .map_err(|_| AppError::bad_request("error-federation-invalid"))?;
        ApAccount::verify(&json, &id, &data).await?;
        let account = ApAccount::from_json(json, &data).await?.row;
        return Ok(Resolved::Account(Box::new(account)));
    }
    let json: protocol::Note = serde_json::from_value(object)
        .map_err(|_| AppError::bad_request("error-federation-invalid"))?;
    ApNote::verify(&json, &id, &data).await?;
    let note = ApNote::from_json(json, &data).await?;
    Ok(Resolved::Status(Box::new(note.row)))
}
