//! Reports and the moderation queue. A person reports an account and some of its posts
//! ([`create`], from the web form or `POST /api/v1/reports`), optionally forwarded, without
//! their name, to the reported account's server (`Outgoing::Flag`, sent from the instance
//! actor); another server's `Flag` about one of our accounts lands here too ([`received`]).
//! Moderators and administrators read the queue ([`list`], [`get`]: reading posts that are
//! not public is logged), take reports ([`assign`]), write notes ([`add_note`]), and resolve
//! or reopen them ([`resolve`]: the reporter is told); every such action is in the moderation
//! log (docs/SECURITY.md, rules G-R1 to G-R6).

use crate::{
    clock,
    db::{
        self,
        accounts::{AccountRow, UserRow},
        reports::{Filter, NoteRow, ReportRow},
        statuses::StatusRow,
    },
    domain::{
        Invalid, Visibility,
        modlog::{Action, Target},
        report::{self, Category},
    },
    error::{AppError, AppResult},
    service::{
        directory,
        modlog::{Entry, record, require_staff},
        outgoing::{self, Outgoing},
        statuses::can_see,
    },
    state::AppState,
};
use std::collections::HashMap;

/// The most reports still open from one other server: past it, its `Flag`s are left
/// without effect until moderators resolve some (a server cannot flood the queue).
pub const MAX_OPEN_FROM_SERVER: i64 = 100;
/// The most ids a `Flag` may name (the account and its posts).
pub const MAX_FLAG_OBJECTS: usize = 1 + report::MAX_STATUSES;

/// A report as a person or an app asks for it, every field as sent.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    /// The reported account's id.
    pub account_id: String,
    /// Posts of that account.
    pub status_ids: Vec<String>,
    /// What the reporter says.
    pub comment: String,
    /// Mastodon's category (absent: `other`, or `violation` when rules are named).
    pub category: Option<String>,
    /// The rules broken.
    pub rule_ids: Vec<String>,
    /// Send a copy (without the reporter's name) to the account's server.
    pub forward: bool,
    /// The servers to send it to (absent: the account's), among the account's and those of
    /// the accounts its reported posts answer.
    pub forward_to_domains: Option<Vec<String>>,
}

/// The ids of the instance rules in force (`service::rules`): those a report may name. Until
/// an instance has rules, none can be named, and so the category `violation` (which requires
/// them) cannot be chosen.
pub async fn known_rules(state: &AppState) -> AppResult<Vec<i64>> {
    Ok(super::rules::list(state)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

fn ids(field: &'static str, texts: &[String], max: usize) -> Result<Vec<i64>, Invalid> {
    if texts.len() > max {
        return Err(Invalid::new(field, "error-report-too-many").arg("max", max));
    }
    let mut out = Vec::new();
    for t in texts {
        let id = t
            .trim()
            .parse::<i64>()
            .map_err(|_| Invalid::new(field, "error-number"))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Reports an account (and some of its posts) to the moderators of this server; forwards a
/// copy to its server when asked. An unknown account, or a post the reporter may not see, is
/// a 404 (what one may not see does not exist for them); a post by someone else, an unknown
/// rule or category, a comment too long are refused by field (422).
pub async fn create(
    state: &AppState,
    reporter: &UserRow,
    input: &NewReport,
) -> AppResult<ReportRow> {
    let target_id: i64 = input
        .account_id
        .trim()
        .parse()
        .map_err(|_| AppError::not_found())?;
    let target = directory::existing(state, target_id).await?;
    if target.is_instance_actor() {
        return Err(AppError::not_found());
    }
    let mut refused = Vec::new();
    if target.id == reporter.account_id {
        refused.push(Invalid::new("account_id", "error-report-self"));
    }
    let comment = report::comment(&input.comment).unwrap_or_else(|e| {
        refused.push(e);
        String::new()
    });
    let status_ids =
        ids("status_ids", &input.status_ids, report::MAX_STATUSES).unwrap_or_else(|e| {
            refused.push(e);
            Vec::new()
        });
    let rule_ids = ids("rule_ids", &input.rule_ids, report::MAX_RULES).unwrap_or_else(|e| {
        refused.push(e);
        Vec::new()
    });
    let known = known_rules(state).await?;
    if let Some(unknown) = rule_ids.iter().find(|r| !known.contains(r)) {
        refused.push(Invalid::new("rule_ids", "error-report-rule").arg("id", unknown));
    }
    // As Mastodon: naming rules makes it a violation; a violation names its rules.
    let category = match (input.category.as_deref(), rule_ids.is_empty()) {
        (None | Some(""), false) => Category::Violation,
        (c, _) => Category::parse(c).unwrap_or_else(|e| {
            refused.push(e);
            Category::Other
        }),
    };
    if category == Category::Violation && rule_ids.is_empty() {
        refused.push(Invalid::new("rule_ids", "error-report-rules-required"));
    }
    if category != Category::Violation && !rule_ids.is_empty() {
        refused.push(Invalid::new("rule_ids", "error-report-rules-not-violation"));
    }

    // The posts: each one the reporter may see (or 404), each by the reported account.
    let mut statuses: Vec<StatusRow> = Vec::new();
    for id in &status_ids {
        let Some(s) = db::statuses::by_id(state.pool(), *id).await? else {
            return Err(AppError::not_found());
        };
        if !can_see(state, Some(reporter.account_id), &s).await? {
            return Err(AppError::not_found());
        }
        if s.account_id != target.id {
            refused.push(Invalid::new("status_ids", "error-report-status-author").arg("id", id));
        }
        statuses.push(s);
    }

    // Where a copy goes: the reported account's server and those of the accounts its reported
    // posts answer, as far as the reporter named them.
    let mut inbox_domains = Vec::new();
    if let Some(domains) = &input.forward_to_domains {
        if !input.forward && !domains.is_empty() {
            refused.push(Invalid::new(
                "forward_to_domains",
                "error-report-forward-off",
            ));
        }
        if domains.len() > report::MAX_FORWARD_DOMAINS {
            refused.push(
                Invalid::new("forward_to_domains", "error-report-too-many")
                    .arg("max", report::MAX_FORWARD_DOMAINS),
            );
        }
        let replied: Vec<i64> = statuses
            .iter()
            .filter_map(|s| s.in_reply_to_account_id)
            .collect();
        let mut allowed: Vec<String> = target.domain.iter().cloned().collect();
        for a in directory::by_ids(state, &replied).await? {
            allowed.extend(a.domain);
        }
        for d in domains.iter().take(report::MAX_FORWARD_DOMAINS) {
            match report::forward_domain(d) {
                Ok(d) if allowed.contains(&d) => {
                    if !inbox_domains.contains(&d) {
                        inbox_domains.push(d)
                    }
                }
                Ok(d) => refused.push(
                    Invalid::new("forward_to_domains", "error-report-domain-unrelated")
                        .arg("domain", d),
                ),
                Err(e) => refused.push(e),
            }
        }
    } else if input.forward {
        inbox_domains.extend(target.domain.iter().cloned());
    }
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let forward = input.forward && !inbox_domains.is_empty();

    let now = clock::now();
    let mut row = ReportRow {
        id: state.ids.next(),
        account_id: Some(reporter.account_id),
        target_account_id: target.id,
        origin_domain: None,
        uri: None,
        category,
        comment,
        forwarded: 0,
        assigned_account_id: None,
        action_taken_at: None,
        action_taken_by_account_id: None,
        created_at: now,
        updated_at: now,
    };
    let instance = if forward {
        db::accounts::instance_actor(state.pool()).await?
    } else {
        None
    };
    let mut tx = state.db.begin().await?;
    db::reports::insert(&mut tx, &row, &status_ids, &rule_ids).await?;
    if let Some(instance) = &instance {
        let uri = flag_uri(instance, row.id);
        db::reports::set_forwarded(&mut tx, row.id, &uri).await?;
        outgoing::push(
            &mut tx,
            &Outgoing::Flag {
                report_id: row.id,
                domains: inbox_domains,
            },
        )
        .await?;
        row.forwarded = 1;
        row.uri = Some(uri);
    }
    tx.commit().await?;
    if instance.is_some() {
        state.outbox_ready.notify_one();
    }
    Ok(row)
}

/// The id of the `Flag` a report is forwarded as: the instance actor's, which sends it.
fn flag_uri(instance: &AccountRow, report_id: i64) -> String {
    format!("{}#flags/{report_id}", instance.uri)
}

/// What became of another server's `Flag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// It is in the queue.
    Queued,
    /// It names no account of this server.
    NotOurs,
    /// It was received before.
    Known,
    /// Its server already has [`MAX_OPEN_FROM_SERVER`] open reports here.
    TooMany,
}

/// Another server's report (a `Flag` from `actor`, usually its instance actor) naming `objects`:
/// the first account of this server among them is the reported one, and of the other ids
/// only posts of that account stored here are kept (another account's posts are left out).
/// It lands in the queue as made by the actor, from its server, in the category `other`.
pub async fn received(
    state: &AppState,
    actor: &AccountRow,
    flag_uri: &str,
    objects: &[&str],
    content: &str,
) -> AppResult<Received> {
    let Some(domain) = actor.domain.clone() else {
        return Ok(Received::NotOurs);
    };
    if db::reports::uri_known(state.pool(), flag_uri).await? {
        return Ok(Received::Known);
    }
    let mut target: Option<AccountRow> = None;
    for id in objects {
        if let Some(a) = db::accounts::by_uri(state.pool(), id).await?
            && a.is_local()
            && a.deleted_at.is_none()
            && !a.is_instance_actor()
        {
            target = Some(a);
            break;
        }
    }
    let Some(target) = target else {
        return Ok(Received::NotOurs);
    };
    if db::reports::open_from(state.pool(), &domain).await? >= MAX_OPEN_FROM_SERVER {
        return Ok(Received::TooMany);
    }
    let mut status_ids = Vec::new();
    for id in objects.iter().filter(|id| **id != target.uri) {
        if let Some(s) = db::statuses::by_uri(state.pool(), id).await?
            && s.account_id == target.id
            && !status_ids.contains(&s.id)
        {
            status_ids.push(s.id);
        }
    }
    let now = clock::now();
    let row = ReportRow {
        id: state.ids.next(),
        account_id: Some(actor.id),
        target_account_id: target.id,
        origin_domain: Some(domain),
        uri: Some(flag_uri.to_string()),
        category: Category::Other,
        comment: report::remote_comment(content),
        forwarded: 0,
        assigned_account_id: None,
        action_taken_at: None,
        action_taken_by_account_id: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.db.begin().await?;
    db::reports::insert(&mut tx, &row, &status_ids, &[]).await?;
    tx.commit().await?;
    Ok(Received::Queued)
}

/// What a `Flag` we forward says: the reported account, its posts named in the report, the
/// comment, and the inboxes of the servers chosen (the account's, and those of the accounts
/// its posts answer). `None` when the report or the account is gone.
pub struct Forward {
    /// The `Flag`'s id.
    pub uri: String,
    /// The reported account.
    pub target: AccountRow,
    /// Its posts' ids.
    pub status_uris: Vec<String>,
    /// The reporter's comment.
    pub comment: String,
    /// The accounts whose servers receive it (the reported one among them when chosen).
    pub recipients: Vec<AccountRow>,
}

/// Reads what a forwarded report sends (for the outbox).
pub async fn forward(
    state: &AppState,
    report_id: i64,
    domains: &[String],
) -> AppResult<Option<Forward>> {
    let Some(r) = db::reports::by_id(state.pool(), report_id).await? else {
        return Ok(None);
    };
    let (Some(uri), Some(target)) = (
        r.uri.clone(),
        db::accounts::by_id(state.pool(), r.target_account_id).await?,
    ) else {
        return Ok(None);
    };
    let ids = db::reports::status_ids(state.pool(), r.id).await?;
    let statuses = db::statuses::by_ids(state.pool(), &ids).await?;
    let in_domains = |a: &AccountRow| a.domain.as_ref().is_some_and(|d| domains.contains(d));
    let mut recipients = Vec::new();
    if in_domains(&target) {
        recipients.push(target.clone());
    }
    let replied: Vec<i64> = statuses
        .iter()
        .filter_map(|s| s.in_reply_to_account_id)
        .collect();
    for a in directory::by_ids(state, &replied).await? {
        if in_domains(&a) && a.domain != target.domain {
            recipients.push(a);
        }
    }
    Ok(Some(Forward {
        uri,
        status_uris: statuses.into_iter().map(|s| s.uri).collect(),
        comment: r.comment,
        target,
        recipients,
    }))
}

/// A report with what the queue shows of it.
#[derive(Debug, Clone)]
pub struct ReportView {
    /// The report.
    pub row: ReportRow,
    /// Who reported, if still known.
    pub reporter: Option<AccountRow>,
    /// The reported account.
    pub target: AccountRow,
    /// The moderator handling it.
    pub assigned: Option<AccountRow>,
    /// Who resolved it.
    pub resolved_by: Option<AccountRow>,
    /// The posts it names, still here.
    pub statuses: Vec<StatusRow>,
    /// The rules it names.
    pub rule_ids: Vec<i64>,
}

impl ReportView {
    /// Whether some of its posts are not public (their reading is logged).
    pub fn names_closed_posts(&self) -> usize {
        self.statuses
            .iter()
            .filter(|s| !matches!(s.visibility, Visibility::Public | Visibility::Unlisted))
            .count()
    }
}

/// Loads reports with their accounts, posts and rules in a fixed number of queries.
async fn views(state: &AppState, rows: Vec<ReportRow>) -> AppResult<Vec<ReportView>> {
    let report_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let status_pairs = db::reports::statuses_of(state.pool(), &report_ids).await?;
    let rule_pairs = db::reports::rules_of(state.pool(), &report_ids).await?;
    let status_ids: Vec<i64> = status_pairs.iter().map(|(_, s)| *s).collect();
    let statuses: HashMap<i64, StatusRow> = db::statuses::by_ids(state.pool(), &status_ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut account_ids: Vec<i64> = Vec::new();
    for r in &rows {
        account_ids.push(r.target_account_id);
        account_ids.extend(r.account_id);
        account_ids.extend(r.assigned_account_id);
        account_ids.extend(r.action_taken_by_account_id);
    }
    account_ids.sort_unstable();
    account_ids.dedup();
    let accounts = directory::by_id_map(state, &account_ids).await?;
    let mut out = Vec::new();
    for row in rows {
        let Some(target) = accounts.get(&row.target_account_id).cloned() else {
            continue;
        };
        let find = |id: Option<i64>| id.and_then(|i| accounts.get(&i).cloned());
        out.push(ReportView {
            reporter: find(row.account_id),
            assigned: find(row.assigned_account_id),
            resolved_by: find(row.action_taken_by_account_id),
            statuses: status_pairs
                .iter()
                .filter(|(r, _)| *r == row.id)
                .filter_map(|(_, s)| statuses.get(s).cloned())
                .collect(),
            rule_ids: rule_pairs
                .iter()
                .filter(|(r, _)| *r == row.id)
                .map(|(_, id)| *id)
                .collect(),
            target,
            row,
        });
    }
    Ok(out)
}

/// Records that `viewer` read the posts of these reports that are not public (rule G-R3).
async fn log_reading(state: &AppState, viewer: &UserRow, views: &[ReportView]) -> AppResult<()> {
    let closed: Vec<&ReportView> = views
        .iter()
        .filter(|v| v.names_closed_posts() > 0)
        .collect();
    if closed.is_empty() {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    for v in closed {
        let label = label(v);
        let params = [("count", v.names_closed_posts().to_string())];
        record(
            &mut *tx,
            Entry::new(
                Some(viewer.account_id),
                Action::ReportPostsViewed,
                Target::Report,
                Some(v.row.id),
                &label,
            )
            .with(&params),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How a report is named in the log: its number and the reported account's handle.
fn label(v: &ReportView) -> String {
    let handle = match &v.target.domain {
        Some(d) => format!("@{}@{d}", v.target.username),
        None => format!("@{}", v.target.username),
    };
    format!("#{} {handle}", v.row.id)
}

/// A page of the queue (moderators and administrators).
pub async fn list(
    state: &AppState,
    viewer: &UserRow,
    filter: &Filter,
    page: &db::statuses::Page,
) -> AppResult<Vec<ReportView>> {
    require_staff(viewer)?;
    let rows = db::reports::page(
        state.pool(),
        filter,
        page.max_id,
        page.since_id,
        page.min_id,
        page.limit,
    )
    .await?;
    let views = views(state, rows).await?;
    log_reading(state, viewer, &views).await?;
    Ok(views)
}

/// One report (moderators and administrators), or 404.
pub async fn get(state: &AppState, viewer: &UserRow, id: i64) -> AppResult<ReportView> {
    require_staff(viewer)?;
    let view = load(state, id).await?;
    log_reading(state, viewer, std::slice::from_ref(&view)).await?;
    Ok(view)
}

async fn load(state: &AppState, id: i64) -> AppResult<ReportView> {
    let row = db::reports::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)?;
    views(state, vec![row])
        .await?
        .pop()
        .ok_or_else(AppError::not_found)
}

/// Takes a report (`true`: assigns it to oneself) or lets go of it.
pub async fn assign(
    state: &AppState,
    viewer: &UserRow,
    id: i64,
    take: bool,
) -> AppResult<ReportView> {
    require_staff(viewer)?;
    let before = load(state, id).await?;
    let mut tx = state.db.begin().await?;
    let who = take.then_some(viewer.account_id);
    db::reports::assign(&mut *tx, id, who, clock::now()).await?;
    let action = if take {
        Action::ReportAssigned
    } else {
        Action::ReportUnassigned
    };
    let label = label(&before);
    record(
        &mut *tx,
        Entry::new(
            Some(viewer.account_id),
            action,
            Target::Report,
            Some(id),
            &label,
        ),
    )
    .await?;
    tx.commit().await?;
    load(state, id).await
}

/// Resolves a report (`true`) or opens it again. Doing what is already done is no change
/// and is not logged.
pub async fn resolve(
    state: &AppState,
    viewer: &UserRow,
    id: i64,
    resolved: bool,
) -> AppResult<ReportView> {
    require_staff(viewer)?;
    let before = load(state, id).await?;
    let mut tx = state.db.begin().await?;
    let by = resolved.then_some(viewer.account_id);
    let changed = db::reports::set_resolved(&mut *tx, id, by, clock::now()).await?;
    let told = changed && resolved && tell_reporter(state, &mut tx, &before).await?;
    if changed {
        let action = if resolved {
            Action::ReportResolved
        } else {
            Action::ReportReopened
        };
        let label = label(&before);
        record(
            &mut *tx,
            Entry::new(
                Some(viewer.account_id),
                action,
                Target::Report,
                Some(id),
                &label,
            ),
        )
        .await?;
    }
    tx.commit().await?;
    if told {
        state.notifications_ready.notify_one();
    }
    load(state, id).await
}

/// Tells the person who made a report here that it was resolved (a notification, and an
/// e-mail or a push as their preferences say), from the instance actor: never which moderator,
/// nor what was done. One such notification is kept per person, the latest (notifications are
/// unique per sender and kind). Reports from other servers are not answered.
async fn tell_reporter(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    report: &ReportView,
) -> AppResult<bool> {
    let Some(reporter) = report.reporter.as_ref().filter(|r| r.is_local()) else {
        return Ok(false);
    };
    let Some(instance) = db::accounts::instance_actor(state.pool()).await? else {
        return Ok(false);
    };
    let kind = crate::domain::NotificationKind::ReportResolved;
    db::social::unnotify(&mut *conn, reporter.id, instance.id, kind).await?;
    db::social::notify(
        &mut *conn,
        reporter.id,
        instance.id,
        kind,
        None,
        clock::now(),
    )
    .await?;
    Ok(true)
}

/// Adds a moderator's note to a report (the log records that a note was written, not what).
pub async fn add_note(state: &AppState, viewer: &UserRow, id: i64, text: &str) -> AppResult<()> {
    require_staff(viewer)?;
    let before = load(state, id).await?;
    let content = report::note(text).map_err(|e| AppError::invalid(vec![e]))?;
    let mut tx = state.db.begin().await?;
    db::reports::insert_note(
        &mut *tx,
        &NoteRow {
            id: state.ids.next(),
            report_id: id,
            account_id: Some(viewer.account_id),
            content,
            created_at: clock::now(),
        },
    )
    .await?;
    let label = label(&before);
    record(
        &mut *tx,
        Entry::new(
            Some(viewer.account_id),
            Action::ReportNoteAdded,
            Target::Report,
            Some(id),
            &label,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A report's notes with their authors (moderators and administrators).
pub async fn notes(
    state: &AppState,
    viewer: &UserRow,
    id: i64,
) -> AppResult<Vec<(NoteRow, Option<AccountRow>)>> {
    require_staff(viewer)?;
    let notes = db::reports::notes(state.pool(), id).await?;
    let ids: Vec<i64> = notes.iter().filter_map(|n| n.account_id).collect();
    let accounts = directory::by_id_map(state, &ids).await?;
    Ok(notes
        .into_iter()
        .map(|n| {
            let a = n.account_id.and_then(|i| accounts.get(&i).cloned());
            (n, a)
        })
        .collect())
}

/// The rules a report names (for the API's entity).
pub async fn rule_ids(state: &AppState, report_id: i64) -> AppResult<Vec<i64>> {
    Ok(db::reports::rule_ids(state.pool(), report_id).await?)
}

/// The posts a report names (for the API's entity).
pub async fn status_ids(state: &AppState, report_id: i64) -> AppResult<Vec<i64>> {
    Ok(db::reports::status_ids(state.pool(), report_id).await?)
}
