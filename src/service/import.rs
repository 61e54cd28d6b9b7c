//! Importing Mastodon's CSV files (Settings → Mes données): follows, blocks, mutes, lists,
//! bookmarks and blocked domains, in Mastodon's "merge" (add to what is there) or
//! "overwrite" (also undo what the file does not list) modes. A file is checked when it is
//! sent (size, UTF-8, CSV, rows, the header of another kind of file), stored, then applied
//! by the import worker (any process: the row is claimed in the database), which resolves
//! remote accounts through WebFinger and posts by their address ([`RESOLVE_AT_ONCE`] at a
//! time) and writes a report of every row: imported, or skipped and why. Nothing is
//! dropped silently.

use crate::{
    clock,
    db::{self, accounts::AccountRow, personal_data::ImportRow},
    domain::Invalid,
    error::{AppError, AppResult},
    service::data_jobs::Job,
    state::AppState,
};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::{collections::HashSet, net::IpAddr, time::Duration};

/// The largest file taken (Mastodon takes 20 MB; a person's follows fit in far less).
pub const MAX_BYTES: usize = 512 * 1024;
/// The most rows of a file.
pub const MAX_ROWS: usize = 5_000;
/// How many imports of a person may wait at once.
const MAX_PENDING: i64 = 3;
/// How many files a person may send a day (pending or applied): each costs the server up to
/// [`MAX_ROWS`] lookups on other servers.
pub const MAX_PER_DAY: i64 = 10;
/// How many addresses are resolved at once.
const RESOLVE_AT_ONCE: usize = 4;
/// How long a claim lasts.
const LEASE: Duration = Duration::from_secs(900);
const MAX_ATTEMPTS: i64 = 3;
/// How long finished imports' reports are kept.
const KEEP_REPORTS: Duration = Duration::from_secs(30 * 24 * 3600);

/// What a file holds, as Mastodon's import types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Following,
    Blocks,
    Mutes,
    Lists,
    Bookmarks,
    DomainBlocks,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Following,
        Kind::Blocks,
        Kind::Mutes,
        Kind::Lists,
        Kind::Bookmarks,
        Kind::DomainBlocks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Following => "following",
            Kind::Blocks => "blocks",
            Kind::Mutes => "mutes",
            Kind::Lists => "lists",
            Kind::Bookmarks => "bookmarks",
            Kind::DomainBlocks => "domain_blocks",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How many columns a row needs.
    fn columns(self) -> usize {
        match self {
            Kind::Lists => 2,
            _ => 1,
        }
    }

    /// Whether Mastodon's file of this kind may start with an "Account address" header.
    fn has_account_header(self) -> bool {
        matches!(self, Kind::Following | Kind::Blocks | Kind::Mutes)
    }
}

/// A row of a file: its line number and fields.
#[derive(Debug, Clone)]
struct Row {
    line: u64,
    fields: Vec<String>,
}

/// Reads a file of `kind`: refused whole when it is no CSV, has too many rows, or is
/// another kind's file (an "Account address" header where none is written); rows with too
/// few columns are kept, to be reported.
fn read_rows(kind: Kind, text: &str) -> AppResult<Vec<Row>> {
    let records = crate::domain::csv::records(text).map_err(|line| {
        AppError::from(Invalid::new("file", "error-import-not-csv-line").arg("line", line))
    })?;
    let mut rows = Vec::new();
    for (i, (line, fields)) in records.into_iter().enumerate() {
        let fields: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
        if i == 0
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("Account address"))
        {
            if !kind.has_account_header() {
                return Err(Invalid::new("file", "error-import-wrong-file").into());
            }
            continue;
        }
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        rows.push(Row {
            line: line as u64,
            fields,
        });
        if rows.len() > MAX_ROWS {
            return Err(Invalid::new("file", "error-import-too-many-rows")
                .arg("max", MAX_ROWS)
                .into());
        }
    }
    Ok(rows)
}

/// Takes a file to import; gives the import's id.
pub async fn submit(
    state: &AppState,
    me: &AccountRow,
    kind: &str,
    mode: &str,
    bytes: &[u8],
) -> AppResult<i64> {
    let kind = Kind::parse(kind)
        .ok_or_else(|| AppError::from(Invalid::new("kind", "error-import-kind")))?;
    if !matches!(mode, "merge" | "overwrite") {
        return Err(Invalid::new("mode", "error-import-mode").into());
    }
    if bytes.is_empty() {
        return Err(Invalid::new("file", "error-required").into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(Invalid::new("file", "error-import-too-large")
            .arg("max", MAX_BYTES / 1024)
            .into());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| AppError::from(Invalid::new("file", "error-import-not-csv")))?;
    let text = text.trim_start_matches('\u{feff}');
    let rows = read_rows(kind, text)?;
    if db::personal_data::pending_imports(state.pool(), me.id).await? >= MAX_PENDING {
        return Err(AppError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "error-import-busy",
        ));
    }
    let day_ago = clock::now() - 24 * 3600 * 1_000_000;
    if db::personal_data::imports_since(state.pool(), me.id, day_ago).await? >= MAX_PER_DAY {
        return Err(AppError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "error-import-daily-limit",
        ));
    }
    let id = state.ids.next();
    db::personal_data::insert_import(
        state.pool(),
        &db::personal_data::NewImport {
            id,
            account_id: me.id,
            kind: kind.as_str(),
            mode,
            body: text,
            total_rows: rows.len() as i64,
            now: clock::now(),
        },
    )
    .await?;
    Ok(id)
}

/// What became of one row (or of something the overwrite mode undid: line 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub line: u64,
    /// The address, URL or domain the row names.
    pub value: String,
    /// imported, skipped, or removed (overwrite).
    pub outcome: String,
    /// Why it was skipped: a translation key.
    pub reason: Option<String>,
}

/// An import as its owner sees it, with its report once applied.
pub struct Import {
    pub row: ImportRow,
    pub outcomes: Vec<Outcome>,
}

impl Import {
    pub fn skipped(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.outcome == "skipped")
            .count()
    }
}

/// A person's last imports.
pub async fn list(state: &AppState, me: i64) -> AppResult<Vec<Import>> {
    Ok(db::personal_data::imports_of(state.pool(), me, 10)
        .await?
        .into_iter()
        .map(|row| {
            let outcomes = row
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok())
                .unwrap_or_default();
            Import { row, outcomes }
        })
        .collect())
}

/// The import worker; runs until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    let chore = || async {
        let before = clock::now() - KEEP_REPORTS.as_micros() as i64;
        db::personal_data::forget_imports(state.pool(), before).await?;
        Ok(())
    };
    let step = || step(&state);
    super::data_jobs::run_loop(Job::Import, &stop, Duration::from_secs(3600), chore, step).await;
}

/// Applies the import claimed now, if any; gives how many were handled.
pub async fn step(state: &AppState) -> AppResult<usize> {
    let claim = state.claim(LEASE);
    let ids =
        db::personal_data::claim_imports(state.pool(), state.db.backend(), &claim, 1, MAX_ATTEMPTS)
            .await?;
    for &id in &ids {
        super::data_jobs::hold(
            state,
            Job::Import,
            id,
            LEASE,
            MAX_ATTEMPTS,
            apply(state, id),
        )
        .await?;
    }
    Ok(ids.len())
}

fn skipped(row: &Row, value: &str, reason: &str) -> Outcome {
    Outcome {
        line: row.line,
        value: value.to_string(),
        outcome: "skipped".into(),
        reason: Some(reason.to_string()),
    }
}

fn imported(row: &Row, value: &str) -> Outcome {
    Outcome {
        line: row.line,
        value: value.to_string(),
        outcome: "imported".into(),
        reason: None,
    }
}

/// The account an address names (`name@domain`, `@name@domain`, or an actor's URL), fetched
/// from its server when unknown here.
async fn account(state: &AppState, term: &str) -> Option<AccountRow> {
    let term = term.trim().trim_start_matches('@');
    let found = match state.remote() {
        Some(remote) => remote.account(state, term).await,
        None => super::directory::shown_by_handle(state, term)
            .await
            .ok()
            .flatten(),
    };
    found.filter(|a| a.deleted_at.is_none())
}

/// Whether a post's address may be looked up: http(s), no user part, not an IP address of
/// this machine or a private network (names are checked by the federation client).
fn address_allowed(value: &str) -> bool {
    let Ok(url) = url::Url::parse(value) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => public_ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => public_ip(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => true,
        None => false,
    }
}

fn public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| !public_ip(IpAddr::V4(v4))))
        }
    }
}

/// The accounts the rows' first (or `column`) field names, resolved [`RESOLVE_AT_ONCE`] at a
/// time, in the rows' order.
async fn resolve_all(state: &AppState, rows: &[Row], column: usize) -> Vec<Option<AccountRow>> {
    let terms: Vec<String> = rows
        .iter()
        .map(|r| r.fields.get(column).cloned().unwrap_or_default())
        .collect();
    futures::stream::iter(terms)
        .map(
            |term| -> futures::future::BoxFuture<'_, Option<AccountRow>> {
                Box::pin(async move {
                    if term.is_empty() {
                        None
                    } else {
                        account(state, &term).await
                    }
                })
            },
        )
        .buffered(RESOLVE_AT_ONCE)
        .collect()
        .await
}

async fn apply(state: &AppState, id: i64) -> AppResult<()> {
    let Some(import) = db::personal_data::import_by_id(state.pool(), id).await? else {
        return Ok(());
    };
    let me = db::accounts::by_id(state.pool(), import.account_id).await?;
    if !super::data_jobs::account_active(state, Job::Import, id, me.as_ref()).await? {
        return Ok(());
    }
    let Some(me) = me else {
        return Ok(());
    };
    let kind = Kind::parse(&import.kind)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown import kind")))?;
    let overwrite = import.mode == "overwrite";
    let rows = read_rows(kind, &import.body)?;
    let mut report = Vec::with_capacity(rows.len());
    let (ok_rows, short): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| {
        r.fields.len() >= kind.columns() && !r.fields[kind.columns() - 1].is_empty()
    });
    for r in &short {
        report.push(skipped(r, &r.fields.join(","), "import-skip-columns"));
    }
    match kind {
        Kind::Following | Kind::Blocks | Kind::Mutes => {
            let found = resolve_all(state, &ok_rows, 0).await;
            let mut kept = HashSet::new();
            for (r, target) in ok_rows.iter().zip(found) {
                let value = &r.fields[0];
                let Some(target) = target else {
                    report.push(skipped(r, value, "import-skip-unresolved"));
                    continue;
                };
                kept.insert(target.id);
                let done = match kind {
                    Kind::Following => super::relationships::follow(state, &me, &target)
                        .await
                        .map(|_| ()),
                    Kind::Blocks => super::relationships::block(state, &me, &target)
                        .await
                        .map(|_| ()),
                    _ => {
                        let hide = r
                            .fields
                            .get(1)
                            .is_none_or(|h| !h.eq_ignore_ascii_case("false"));
                        super::mutes::mute(state, &me, &target, hide, None).await
                    }
                };
                report.push(match done {
                    Ok(()) => imported(r, value),
                    Err(e) => skipped(r, value, e.key),
                });
            }
            if overwrite {
                let current = match kind {
                    Kind::Following => {
                        db::personal_data::following_ids(state.pool(), me.id).await?
                    }
                    Kind::Blocks => db::personal_data::blocked_ids(state.pool(), me.id).await?,
                    _ => db::personal_data::muted_ids(state.pool(), me.id).await?,
                };
                let gone: Vec<i64> = current.into_iter().filter(|a| !kept.contains(a)).collect();
                for target in super::directory::by_ids(state, &gone).await? {
                    match kind {
                        Kind::Following => {
                            super::relationships::unfollow(state, &me, &target).await?;
                        }
                        Kind::Blocks => {
                            super::relationships::unblock(state, &me, &target).await?;
                        }
                        _ => super::mutes::unmute(state, &me, &target).await?,
                    }
                    report.push(removed(&target.acct(&state.config.domain)));
                }
            }
        }
        Kind::Lists => {
            let found = resolve_all(state, &ok_rows, 1).await;
            let mut lists = super::lists::all(state, me.id).await?;
            let mut kept: HashSet<(i64, i64)> = HashSet::new();
            for (r, target) in ok_rows.iter().zip(found) {
                let (title, value) = (&r.fields[0], &r.fields[1]);
                let Some(target) = target else {
                    report.push(skipped(r, value, "import-skip-unresolved"));
                    continue;
                };
                let list = match lists.iter().find(|l| &l.title == title) {
                    Some(l) => l.clone(),
                    None => {
                        let input = super::lists::ListInput {
                            title: Some(title.clone()),
                            replies_policy: None,
                            exclusive: None,
                        };
                        match super::lists::create(state, me.id, &input).await {
                            Ok(l) => {
                                lists.push(l.clone());
                                l
                            }
                            Err(e) => {
                                report.push(skipped(r, value, e.key));
                                continue;
                            }
                        }
                    }
                };
                kept.insert((list.id, target.id));
                // A list holds accounts its owner follows, as Mastodon's import follows them.
                let done = match super::relationships::follow(state, &me, &target).await {
                    Ok(rel) if rel.following || target.id == me.id => {
                        super::lists::add(state, me.id, list.id, &[target.id]).await
                    }
                    Ok(_) => Err(AppError::from(Invalid::new(
                        "list",
                        "import-skip-list-pending",
                    ))),
                    Err(e) => Err(e),
                };
                report.push(match done {
                    Ok(()) => imported(r, value),
                    Err(e) => skipped(r, value, e.fields.first().map_or(e.key, |f| f.key)),
                });
            }
            if overwrite {
                let named: HashSet<i64> = kept.iter().map(|(l, _)| *l).collect();
                for list in named {
                    let members = db::personal_data::list_member_ids(state.pool(), list).await?;
                    let gone: Vec<i64> = members
                        .into_iter()
                        .filter(|m| !kept.contains(&(list, *m)))
                        .collect();
                    if !gone.is_empty() {
                        super::lists::remove(state, me.id, list, &gone).await?;
                        for a in super::directory::by_ids(state, &gone).await? {
                            report.push(removed(&a.acct(&state.config.domain)));
                        }
                    }
                }
            }
        }
        Kind::Bookmarks => {
            let urls: Vec<String> = ok_rows.iter().map(|r| r.fields[0].clone()).collect();
            let found: Vec<Result<crate::db::statuses::StatusRow, &'static str>> =
                futures::stream::iter(urls)
                    .map(|url| -> futures::future::BoxFuture<'_, _> {
                        Box::pin(async move { post(state, &url).await })
                    })
                    .buffered(RESOLVE_AT_ONCE)
                    .collect()
                    .await;
            let mut kept = HashSet::new();
            for (r, post) in ok_rows.iter().zip(found) {
                let value = &r.fields[0];
                match post {
                    Err(reason) => report.push(skipped(r, value, reason)),
                    Ok(post) => match super::statuses::menu::bookmark(state, &me, post.id).await {
                        Ok(s) => {
                            kept.insert(s.id);
                            report.push(imported(r, value));
                        }
                        // A post the person may not see is reported as one not found: the
                        // report tells nothing of a hidden post's existence.
                        Err(e) if e.key == "error-not-found" => {
                            report.push(skipped(r, value, "import-skip-unresolved"))
                        }
                        Err(e) => report.push(skipped(r, value, e.key)),
                    },
                }
            }
            if overwrite {
                for id in db::personal_data::bookmarked_ids(state.pool(), me.id).await? {
                    if !kept.contains(&id)
                        && let Ok(s) = super::statuses::menu::unbookmark(state, &me, id).await
                    {
                        report.push(removed(&s.uri));
                    }
                }
            }
        }
        Kind::DomainBlocks => {
            let mut kept = HashSet::new();
            for r in &ok_rows {
                let value = &r.fields[0];
                match super::account_extras::block_domain(state, &me, value).await {
                    Ok(domain) => {
                        kept.insert(domain);
                        report.push(imported(r, value));
                    }
                    Err(e) => {
                        report.push(skipped(r, value, e.fields.first().map_or(e.key, |f| f.key)))
                    }
                }
            }
            if overwrite {
                for domain in db::personal_data::blocked_domains(state.pool(), me.id).await? {
                    if !kept.contains(&domain) {
                        super::account_extras::unblock_domain(state, &me, &domain).await?;
                        report.push(removed(&domain));
                    }
                }
            }
        }
    }
    report.sort_by_key(|o| o.line);
    let count = report.iter().filter(|o| o.outcome == "imported").count() as i64;
    let json = serde_json::to_string(&report).map_err(AppError::internal)?;
    db::personal_data::import_done(
        state.pool(),
        id,
        &state.process_id,
        count,
        &json,
        clock::now(),
    )
    .await?;
    Ok(())
}

fn removed(value: &str) -> Outcome {
    Outcome {
        line: 0,
        value: value.to_string(),
        outcome: "removed".into(),
        reason: None,
    }
}

/// The post at `url`: ours, known here, or fetched from its server.
async fn post(state: &AppState, url: &str) -> Result<crate::db::statuses::StatusRow, &'static str> {
    if !address_allowed(url) {
        return Err("import-skip-address");
    }
    if let Ok(Some(s)) = db::statuses::by_uri(state.pool(), url).await {
        return Ok(s);
    }
    match state.remote() {
        Some(remote) => remote
            .post(state, url)
            .await
            .ok_or("import-skip-unresolved"),
        None => Err("import-skip-unresolved"),
    }
}
