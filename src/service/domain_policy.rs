//! The instance's domain policy: domain blocks (noop, silence, suspend; media and reports
//! rejected; comments; obfuscation), allowed domains for the allowlist mode
//! (`federation_mode = "allowlist"`), and what a suspension does at once (follows severed
//! both ways, queued activities dropped both ways, home timelines cleared of their posts).
//!
//! Every check on the hot paths (the inbox before the signature is verified, every fetch,
//! every delivery, every remote file) reads [`Policy`], kept in memory ([`Cache`]): a change
//! moves `domain_policy_version` forward in its transaction, this process reloads at once,
//! and every process compares its version with the database's every [`REFRESH_EVERY`]
//! ([`run`]), so processes sharing a database agree within that delay.
//!
//! Who may act: administrators only (docs/SECURITY.md, G1 and G-D1).

use crate::{
    clock,
    config::{FederationMode, ShowDomainBlocks},
    db::{
        self,
        accounts::UserRow,
        domain_policy::{AllowRow, BlockRow},
        statuses::Page,
    },
    domain::{
        Invalid,
        account_extras::own_domain,
        domain_policy::{self as policy, BlockInput, CsvImport, Severity},
        modlog::{Action, Target},
    },
    error::{AppError, AppResult},
    service::modlog::{self, Entry},
    state::AppState,
};
use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc, RwLock,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};
use tokio_util::sync::CancellationToken;

/// How often each process compares its policy's version with the database's.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// What a block does, as the checks read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Its severity.
    pub severity: Severity,
    /// Media are not fetched.
    pub reject_media: bool,
    /// Reports are dropped.
    pub reject_reports: bool,
}

/// The policy in force, in memory.
#[derive(Debug, Clone)]
pub struct Policy {
    own: String,
    allowlist: bool,
    blocks: HashMap<String, Rule>,
    allows: HashSet<String>,
}

impl Policy {
    /// An empty policy (before the first load).
    pub fn empty(own: &str, allowlist: bool) -> Policy {
        Policy {
            own: own.to_string(),
            allowlist,
            blocks: HashMap::new(),
            allows: HashSet::new(),
        }
    }

    /// The rule for `domain` (an account's domain or a URL's host with its port): the most
    /// specific block covering it, as Mastodon's `DomainBlock.rule_for`.
    pub fn rule_for(&self, domain: &str) -> Option<Rule> {
        if self.blocks.is_empty() {
            return None;
        }
        policy::covering_names(domain)
            .iter()
            .find_map(|name| self.blocks.get(name).copied())
    }

    /// Whether nothing may be exchanged with `domain`: it is suspended, or the allowlist mode
    /// is on and it is not allowed. This instance is never refused.
    pub fn refuses(&self, domain: &str) -> bool {
        let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
        if domain == self.own {
            return false;
        }
        if self.allowlist
            && !policy::covering_names(&domain)
                .iter()
                .any(|n| self.allows.contains(n))
        {
            return true;
        }
        matches!(self.rule_for(&domain), Some(r) if r.severity == Severity::Suspend)
    }

    /// Whether files from `domain` are not fetched: a block suspends it or rejects its media.
    /// The allowlist does not apply to files: an allowed server's media may be on another
    /// host (a CDN), and no post arrives from a server that is not allowed.
    pub fn rejects_media(&self, domain: &str) -> bool {
        matches!(self.rule_for(domain), Some(r) if r.reject_media || r.severity == Severity::Suspend)
    }

    /// Whether reports (`Flag`s) from `domain` are dropped (refused, or `reject_reports`).
    pub fn rejects_reports(&self, domain: &str) -> bool {
        self.refuses(domain) || matches!(self.rule_for(domain), Some(r) if r.reject_reports)
    }

    /// Whether the accounts of `domain` are limited (silenced, or more).
    pub fn limits(&self, domain: &str) -> bool {
        matches!(self.rule_for(domain), Some(r) if r.severity >= Severity::Silence)
    }
}

/// The policy kept in memory by one process, with the version it was loaded at.
pub struct Cache {
    current: RwLock<Arc<Policy>>,
    version: AtomicI64,
}

impl Cache {
    /// An empty cache for an instance (loaded at start by [`reload`]).
    pub fn new(config: &crate::config::Config) -> Cache {
        Cache {
            current: RwLock::new(Arc::new(Policy::empty(
                &own_domain(&config.public_url),
                config.moderation.federation_mode == FederationMode::Allowlist,
            ))),
            version: AtomicI64::new(-1),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        self.current
            .read()
            .map(|p| Arc::clone(&p))
            .unwrap_or_else(|p| Arc::clone(&p.into_inner()))
    }
}

/// The policy in force for this instance.
pub fn current(state: &AppState) -> Arc<Policy> {
    state.domain_policy.policy()
}

/// Whether nothing may be exchanged with `domain` (see [`Policy::refuses`]).
pub fn refuses(state: &AppState, domain: &str) -> bool {
    current(state).refuses(domain)
}

/// Whether reports from `domain` are dropped: the reports part calls this on incoming `Flag`s.
pub fn rejects_reports(state: &AppState, domain: &str) -> bool {
    current(state).rejects_reports(domain)
}

/// Whether files from `domain` are not fetched.
pub fn rejects_media(state: &AppState, domain: &str) -> bool {
    current(state).rejects_media(domain)
}

/// Loads the policy from the database when its version moved (or always with `force`).
pub async fn reload(state: &AppState, force: bool) -> AppResult<()> {
    let version = db::domain_policy::version(state.pool()).await?;
    let cache = &state.domain_policy;
    if !force && cache.version.load(Ordering::Acquire) == version {
        return Ok(());
    }
    let blocks = db::domain_policy::all_blocks(state.pool()).await?;
    let allows = db::domain_policy::all_allows(state.pool()).await?;
    let old = cache.policy();
    let fresh = Policy {
        own: old.own.clone(),
        allowlist: old.allowlist,
        blocks: blocks
            .iter()
            .map(|b| {
                (
                    b.domain.clone(),
                    Rule {
                        severity: b.severity(),
                        reject_media: b.reject_media != 0,
                        reject_reports: b.reject_reports != 0,
                    },
                )
            })
            .collect(),
        allows: allows.into_iter().map(|a| a.domain).collect(),
    };
    if let Ok(mut p) = cache.current.write() {
        *p = Arc::new(fresh);
    }
    cache.version.store(version, Ordering::Release);
    Ok(())
}

/// Keeps this process's policy in step with the database until `stop`.
pub async fn run(state: AppState, stop: CancellationToken) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tick.tick() => {
                if let Err(e) = reload(&state, false).await {
                    tracing::warn!(error = %e.key, "cannot reload the domain policy");
                }
            }
        }
    }
}

/// A block as an administrator sends it: `None` keeps the current value on a change (and
/// takes the default on a creation).
#[derive(Debug, Clone, Default)]
pub struct BlockParams {
    /// The domain (creation only).
    pub domain: Option<String>,
    /// noop, silence or suspend.
    pub severity: Option<String>,
    /// Media rejected.
    pub reject_media: Option<bool>,
    /// Reports rejected.
    pub reject_reports: Option<bool>,
    /// For administrators.
    pub private_comment: Option<String>,
    /// For the public list.
    pub public_comment: Option<String>,
    /// Part of the name hidden in the public list.
    pub obfuscate: Option<bool>,
}

fn own(state: &AppState) -> String {
    own_domain(&state.config.public_url)
}

/// Checks what an administrator typed against `base` (the block changed, or the defaults);
/// every refused field at once.
fn checked(state: &AppState, p: &BlockParams, base: Option<&BlockInput>) -> AppResult<BlockInput> {
    let mut refused = Vec::new();
    let domain = match (base, &p.domain) {
        (Some(b), _) => b.domain.clone(),
        (None, Some(d)) => policy::policy_domain(d, &own(state)).unwrap_or_else(|e| {
            refused.push(e);
            String::new()
        }),
        (None, None) => {
            refused.push(Invalid::new("domain", "error-required"));
            String::new()
        }
    };
    let severity = match &p.severity {
        Some(s) => Severity::parse(s).unwrap_or_else(|e| {
            refused.push(e);
            Severity::Silence
        }),
        None => base.map(|b| b.severity).unwrap_or(Severity::Silence),
    };
    let mut text = |field: &'static str, v: &Option<String>, old: Option<&Option<String>>| match v {
        Some(t) => policy::comment(field, t).unwrap_or_else(|e| {
            refused.push(e);
            None
        }),
        None => old.cloned().flatten(),
    };
    let private_comment = text(
        "private_comment",
        &p.private_comment,
        base.map(|b| &b.private_comment),
    );
    let public_comment = text(
        "public_comment",
        &p.public_comment,
        base.map(|b| &b.public_comment),
    );
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    Ok(BlockInput {
        domain,
        severity,
        reject_media: p
            .reject_media
            .unwrap_or(base.is_some_and(|b| b.reject_media)),
        reject_reports: p
            .reject_reports
            .unwrap_or(base.is_some_and(|b| b.reject_reports)),
        private_comment,
        public_comment,
        obfuscate: p.obfuscate.unwrap_or(base.is_some_and(|b| b.obfuscate)),
    })
}

/// The blocks, a page by id, newest first.
pub async fn blocks(state: &AppState, by: &UserRow, page: Page) -> AppResult<Vec<BlockRow>> {
    modlog::require_admin(by)?;
    Ok(db::domain_policy::blocks_page(state.pool(), page).await?)
}

/// One block.
pub async fn block(state: &AppState, by: &UserRow, id: i64) -> AppResult<BlockRow> {
    modlog::require_admin(by)?;
    db::domain_policy::block(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Every block, for the admin page and the export.
pub async fn all_blocks(state: &AppState, by: &UserRow) -> AppResult<Vec<BlockRow>> {
    modlog::require_admin(by)?;
    Ok(db::domain_policy::all_blocks(state.pool()).await?)
}

/// Blocks a domain. A domain already blocked is a 422 (change the block instead).
pub async fn create_block(state: &AppState, by: &UserRow, p: &BlockParams) -> AppResult<BlockRow> {
    modlog::require_admin(by)?;
    let input = checked(state, p, None)?;
    let mut tx = state.db.begin().await?;
    if db::domain_policy::block_of(&mut *tx, &input.domain)
        .await?
        .is_some()
    {
        return Err(AppError::invalid(vec![Invalid::new(
            "domain",
            "error-domain-block-exists",
        )]));
    }
    let id = db::domain_policy::insert_block(&mut tx, &input, clock::now()).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::DomainBlockCreated,
            Target::Domain,
            Some(id),
            &input.domain,
        )
        .with(&[("severity", input.severity.as_str().to_string())]),
    )
    .await?;
    apply(state, &mut tx).await?;
    tx.commit().await?;
    changed(state).await;
    block(state, by, id).await
}

/// Changes a block (its domain stays).
pub async fn update_block(
    state: &AppState,
    by: &UserRow,
    id: i64,
    p: &BlockParams,
) -> AppResult<BlockRow> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let old = db::domain_policy::block(&mut *tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let input = checked(state, p, Some(&old.input()))?;
    db::domain_policy::update_block(&mut tx, id, &input, clock::now()).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::DomainBlockUpdated,
            Target::Domain,
            Some(id),
            &input.domain,
        )
        .with(&[("severity", input.severity.as_str().to_string())]),
    )
    .await?;
    apply(state, &mut tx).await?;
    tx.commit().await?;
    changed(state).await;
    block(state, by, id).await
}

/// Lifts a block. Follows severed stay severed, as on Mastodon.
pub async fn delete_block(state: &AppState, by: &UserRow, id: i64) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let old = db::domain_policy::block(&mut *tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::domain_policy::delete_block(&mut tx, id).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::DomainBlockRemoved,
            Target::Domain,
            Some(id),
            &old.domain,
        ),
    )
    .await?;
    apply(state, &mut tx).await?;
    tx.commit().await?;
    changed(state).await;
    Ok(())
}

/// The allowed domains, a page by id, newest first.
pub async fn allows(state: &AppState, by: &UserRow, page: Page) -> AppResult<Vec<AllowRow>> {
    modlog::require_admin(by)?;
    Ok(db::domain_policy::allows_page(state.pool(), page).await?)
}

/// One allowed domain.
pub async fn allow(state: &AppState, by: &UserRow, id: i64) -> AppResult<AllowRow> {
    modlog::require_admin(by)?;
    db::domain_policy::allow(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Allows a domain; one already allowed is answered as it is (as Mastodon does).
pub async fn create_allow(state: &AppState, by: &UserRow, domain: &str) -> AppResult<AllowRow> {
    modlog::require_admin(by)?;
    let domain =
        policy::allowed_domain(domain, &own(state)).map_err(|e| AppError::invalid(vec![e]))?;
    let mut tx = state.db.begin().await?;
    if let Some(existing) = db::domain_policy::allow_of(&mut *tx, &domain).await? {
        return Ok(existing);
    }
    let id = db::domain_policy::insert_allow(&mut tx, &domain, clock::now()).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::DomainAllowCreated,
            Target::Domain,
            Some(id),
            &domain,
        ),
    )
    .await?;
    db::domain_policy::bump(&mut tx).await?;
    tx.commit().await?;
    changed(state).await;
    allow(state, by, id).await
}

/// Takes a domain off the allowlist.
pub async fn delete_allow(state: &AppState, by: &UserRow, id: i64) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let old = db::domain_policy::allow(&mut *tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    db::domain_policy::delete_allow(&mut tx, id).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::DomainAllowRemoved,
            Target::Domain,
            Some(id),
            &old.domain,
        ),
    )
    .await?;
    db::domain_policy::bump(&mut tx).await?;
    tx.commit().await?;
    changed(state).await;
    Ok(())
}

/// Reads a block list without changing anything: what an import would do (the preview), and
/// every malformed line.
pub fn preview_import(state: &AppState, by: &UserRow, csv: &str) -> AppResult<CsvImport> {
    modlog::require_admin(by)?;
    Ok(policy::read_csv(csv, &own(state)))
}

/// Imports a block list: every block read is added, or replaces the block of its domain. A
/// file with a malformed line changes nothing (its errors are a 422): the administrator fixes
/// it, after the preview showed which lines. Returns how many blocks were written.
pub async fn import(state: &AppState, by: &UserRow, csv: &str) -> AppResult<usize> {
    let read = preview_import(state, by, csv)?;
    if let Some(first) = read.errors.first() {
        return Err(AppError::invalid(vec![
            Invalid::new("file", "error-blocklist-line")
                .arg("line", first.line)
                .arg("count", read.errors.len()),
        ]));
    }
    if read.blocks.is_empty() {
        return Err(AppError::invalid(vec![Invalid::new(
            "file",
            "error-blocklist-empty",
        )]));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    for b in &read.blocks {
        match db::domain_policy::block_of(&mut *tx, &b.domain).await? {
            Some(old) => {
                let kept = BlockInput {
                    private_comment: old.private_comment.clone(),
                    ..b.clone()
                };
                db::domain_policy::update_block(&mut tx, old.id, &kept, now).await?
            }
            None => {
                db::domain_policy::insert_block(&mut tx, b, now).await?;
            }
        }
    }
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::DomainBlocksImported,
            Target::Instance,
            None,
            "",
        )
        .with(&[("count", read.blocks.len().to_string())]),
    )
    .await?;
    apply(state, &mut tx).await?;
    tx.commit().await?;
    changed(state).await;
    Ok(read.blocks.len())
}

/// Every block in Mastodon's CSV format.
pub async fn export(state: &AppState, by: &UserRow) -> AppResult<String> {
    let blocks = all_blocks(state, by).await?;
    let inputs: Vec<BlockInput> = blocks.iter().map(BlockRow::input).collect();
    Ok(policy::write_csv(&inputs))
}

/// In the change's transaction: the account domains each severity covers written anew, what
/// a suspension removes removed, and the version moved.
async fn apply(state: &AppState, tx: &mut sqlx::AnyConnection) -> AppResult<()> {
    let blocks = db::domain_policy::all_blocks(&mut *tx).await?;
    let mut probe = Policy::empty(&own(state), false);
    for b in &blocks {
        probe.blocks.insert(
            b.domain.clone(),
            Rule {
                severity: b.severity(),
                reject_media: false,
                reject_reports: false,
            },
        );
    }
    let mut hosts = Vec::new();
    let mut suspended = Vec::new();
    for domain in db::domain_policy::account_domains(tx).await? {
        if let Some(rule) = probe.rule_for(&domain)
            && rule.severity >= Severity::Silence
        {
            if rule.severity == Severity::Suspend {
                suspended.push(domain.clone());
            }
            hosts.push((domain, rule.severity));
        }
    }
    // Deliveries are queued by inbox host, which may be a domain no account has yet.
    for b in &blocks {
        if b.severity() == Severity::Suspend && !suspended.contains(&b.domain) {
            suspended.push(b.domain.clone());
        }
    }
    db::domain_policy::replace_hosts(tx, &hosts).await?;
    let severed = db::domain_policy::sever_follows(tx, &suspended).await?;
    if severed > 0 {
        tracing::info!(severed, "domain policy: follows severed");
    }
    db::domain_policy::drop_queued(tx, &suspended).await?;
    db::domain_policy::bump(tx).await?;
    Ok(())
}

/// After a change's commit: this process reloads at once (the others within
/// [`REFRESH_EVERY`]).
async fn changed(state: &AppState) {
    if let Err(e) = reload(state, false).await {
        tracing::warn!(error = %e.key, "cannot reload the domain policy");
    }
}

/// A block of the public list (`/api/v1/instance/domain_blocks`, the about page).
#[derive(Debug, Clone)]
pub struct PublicBlock {
    /// The name shown (obfuscated when asked).
    pub domain: String,
    /// The SHA-256 of the real name, in hex.
    pub digest: String,
    /// Its severity.
    pub severity: Severity,
    /// Its public comment.
    pub comment: Option<String>,
}

impl PublicBlock {
    /// The translation key of its severity's label.
    pub fn severity_key(&self) -> &'static str {
        match self.severity {
            Severity::Noop => "domain-severity-noop",
            Severity::Silence => "domain-severity-silence",
            Severity::Suspend => "domain-severity-suspend",
        }
    }
}

/// The public list of moderated servers for `viewer` (signed in or not): `None` when the
/// configuration shows it to nobody, or only to signed-in people and the viewer is not.
/// Blocks that limit nothing a person would see (a noop without rejected media) are left
/// out, as Mastodon does; the strongest first.
pub async fn public_list(state: &AppState, signed_in: bool) -> AppResult<Option<Vec<PublicBlock>>> {
    match state.config.moderation.show_domain_blocks {
        ShowDomainBlocks::None => return Ok(None),
        ShowDomainBlocks::Users if !signed_in => return Ok(None),
        _ => {}
    }
    let mut blocks: Vec<BlockRow> = db::domain_policy::all_blocks(state.pool())
        .await?
        .into_iter()
        .filter(|b| b.severity() != Severity::Noop || b.reject_media != 0)
        .collect();
    blocks.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.domain.cmp(&b.domain)));
    Ok(Some(
        blocks
            .into_iter()
            .map(|b| PublicBlock {
                domain: policy::public_domain(&b.domain, b.obfuscate != 0),
                digest: digest(&b.domain),
                severity: b.severity(),
                comment: b.public_comment,
            })
            .collect(),
    ))
}

/// The SHA-256 of a domain in hex, as Mastodon's `digest`.
pub fn digest(domain: &str) -> String {
    crate::crypto::sha256_hex(domain.as_bytes())
}
