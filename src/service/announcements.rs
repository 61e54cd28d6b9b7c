//! Announcements (Mastodon's `/api/v1/announcements`): written, published and withdrawn by the
//! instance's administrators, shown to every local person while their window lasts, dismissed
//! and reacted to with Unicode emoji. Local only: nothing here federates.
//!
//! The streams are told, once per event whatever the number of people: an announcement
//! published (or edited) while shown, one whose start came (the worker, [`run`]), a reaction's
//! new count, and an announcement withdrawn, deleted or ended. What the streams were told of an
//! announcement is kept in its row (`streamed`), and the worker moves it with one
//! `UPDATE ... RETURNING`, so that several processes sharing a database tell each start and
//! end once.

use crate::{
    clock,
    db::{
        self,
        accounts::{AccountRow, UserRow},
        announcements::AnnouncementRow,
    },
    domain::modlog::{Action, Target},
    domain::{
        Invalid, Visibility,
        announcement::{self, MAX_REACTIONS, NewAnnouncement},
        event::parse_timezone,
        status::{PostText, ResolvedMention},
    },
    error::{AppError, AppResult},
    service::{
        modlog::{self, Entry},
        statuses,
        streams::Change,
    },
    state::AppState,
};
use std::collections::HashMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the worker looks for announcements whose start or end came.
const TICK: Duration = Duration::from_secs(5);

/// What an administrator typed.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The text.
    pub text: String,
    /// The start (a date, or a local time in `timezone`), or empty.
    pub starts_at: String,
    /// The end, or empty.
    pub ends_at: String,
    /// Whether the times are whole days.
    pub all_day: bool,
    /// The IANA time zone the times are typed in (empty: the default zone).
    pub timezone: String,
}

/// An announcement as it is shown: what its text names, its reactions, and for a viewer
/// whether they dismissed it and which reactions are theirs.
#[derive(Debug, Clone)]
pub struct AnnouncementView {
    /// The announcement.
    pub row: AnnouncementRow,
    /// The accounts it mentions (still there).
    pub mentions: Vec<AccountRow>,
    /// The local posts it links to (still public or unlisted): (id, address).
    pub statuses: Vec<(i64, String)>,
    /// Its hashtags.
    pub tags: Vec<String>,
    /// Its reactions, in the order they were first given.
    pub reactions: Vec<Reaction>,
    /// For a viewer: whether they dismissed it.
    pub read: Option<bool>,
}

/// A reaction's count, and for a viewer whether it is theirs.
#[derive(Debug, Clone)]
pub struct Reaction {
    /// The emoji.
    pub name: String,
    /// How many people reacted so.
    pub count: i64,
    /// For a viewer: whether they did.
    pub me: Option<bool>,
}

fn require_admin(user: &UserRow) -> AppResult<()> {
    if user.role.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden("error-admin-only"))
    }
}

/// Checks and renders what an administrator typed into a row's content (the id, times of
/// writing and publication are the caller's).
async fn render(state: &AppState, input: &Input, into: &mut AnnouncementRow) -> AppResult<()> {
    let tz = if input.timezone.trim().is_empty() {
        Ok(state.config.default_time_zone)
    } else {
        parse_timezone(&input.timezone)
    };
    let parsed = NewAnnouncement::parse(
        &input.text,
        &input.starts_at,
        &input.ends_at,
        input.all_day,
        tz.clone().unwrap_or(state.config.default_time_zone),
    );
    let parsed = match (parsed, tz) {
        (Ok(p), Ok(_)) => p,
        (Ok(_), Err(e)) => return Err(AppError::invalid(vec![e])),
        (Err(mut errors), tz) => {
            if let Err(e) = tz {
                errors.push(e);
            }
            return Err(AppError::invalid(errors));
        }
    };
    let (mentioned, resolved) = mentions(state, &parsed.text).await?;
    into.text = parsed.text.as_str().to_string();
    into.content = parsed
        .text
        .render(&resolved, |t| statuses::tag_url(state, t));
    into.mention_ids = join(mentioned.iter().map(|a| a.id));
    into.status_ids = join(linked_statuses(state, parsed.text.as_str()).await?);
    into.tags = parsed.text.hashtags().join(" ");
    into.starts_at = parsed.starts_at;
    into.ends_at = parsed.ends_at;
    into.all_day = i64::from(parsed.all_day);
    Ok(())
}

fn join(ids: impl IntoIterator<Item = i64>) -> String {
    ids.into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The accounts a text mentions, among those known here (an announcement fetches nothing
/// from other servers).
async fn mentions(
    state: &AppState,
    text: &PostText,
) -> AppResult<(Vec<AccountRow>, Vec<ResolvedMention>)> {
    let mut accounts: Vec<AccountRow> = Vec::new();
    let mut resolved = Vec::new();
    for m in text.mentions() {
        let found = match m.domain.as_deref() {
            Some(d) if !d.eq_ignore_ascii_case(&state.config.domain) => {
                db::accounts::by_handle(state.pool(), &m.username, Some(d)).await?
            }
            _ => db::accounts::local_by_username(state.pool(), &m.username).await?,
        };
        let Some(account) = found.filter(|a| a.deleted_at.is_none()) else {
            continue;
        };
        resolved.push(ResolvedMention {
            username: m.username.clone(),
            domain: m.domain.clone(),
            url: statuses::profile_url(state, &account),
        });
        if !accounts.iter().any(|a| a.id == account.id) {
            accounts.push(account);
        }
    }
    Ok((accounts, resolved))
}

/// The local public or unlisted posts whose addresses (`/@name/id`, `/users/name/statuses/id`)
/// the text links to, as Mastodon keeps an announcement's `statuses`.
async fn linked_statuses(state: &AppState, text: &str) -> AppResult<Vec<i64>> {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    let mut ids = Vec::new();
    for link in finder.links(text) {
        let Ok(url) = url::Url::parse(link.as_str()) else {
            continue;
        };
        if !crate::domain::same_origin(&url, &state.config.public_url) {
            continue;
        }
        let parts: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
        let id = match parts.as_slice() {
            [at, id] if at.starts_with('@') => id.parse::<i64>().ok(),
            ["users", _, "statuses", id] => id.parse::<i64>().ok(),
            _ => None,
        };
        if let Some(id) = id.filter(|i| !ids.contains(i)) {
            ids.push(id);
        }
    }
    let found = db::statuses::by_ids(state.pool(), &ids).await?;
    Ok(ids
        .into_iter()
        .filter(|id| {
            found.iter().any(|s| {
                s.id == *id
                    && s.local != 0
                    && matches!(s.visibility, Visibility::Public | Visibility::Unlisted)
            })
        })
        .collect())
}

/// What the streams should have been told of a published announcement at `now`: shown (1),
/// ended (2) or not yet shown (0).
fn stream_state(row: &AnnouncementRow, now: i64) -> i64 {
    if announcement::is_current(row.starts_at, row.ends_at, now) {
        1
    } else if row.ends_at.is_some_and(|e| e <= now) {
        2
    } else {
        0
    }
}

/// Every announcement, the newest first (the administration page).
pub async fn all(state: &AppState, admin: &UserRow) -> AppResult<Vec<AnnouncementRow>> {
    require_admin(admin)?;
    Ok(db::announcements::all(state.pool()).await?)
}

/// One announcement (the administration page's edit form).
pub async fn get(state: &AppState, admin: &UserRow, id: i64) -> AppResult<AnnouncementRow> {
    require_admin(admin)?;
    db::announcements::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Records an action on an announcement in the moderation log, named by its text's start.
async fn logged(
    db: impl sqlx::AnyExecutor<'_>,
    admin: &UserRow,
    action: Action,
    row: &AnnouncementRow,
) -> AppResult<()> {
    let label: String = row.text.chars().take(60).collect();
    modlog::record(
        db,
        Entry::new(
            Some(admin.account_id),
            action,
            Target::Announcement,
            Some(row.id),
            &label,
        ),
    )
    .await
}

/// Writes an announcement, published at once when `publish` says so.
pub async fn create(
    state: &AppState,
    admin: &UserRow,
    input: &Input,
    publish: bool,
) -> AppResult<AnnouncementRow> {
    require_admin(admin)?;
    let now = clock::now();
    let mut row = AnnouncementRow {
        id: state.ids.next(),
        text: String::new(),
        content: String::new(),
        mention_ids: String::new(),
        status_ids: String::new(),
        tags: String::new(),
        starts_at: None,
        ends_at: None,
        all_day: 0,
        published: 0,
        published_at: None,
        streamed: 0,
        created_at: now,
        updated_at: now,
    };
    render(state, input, &mut row).await?;
    let mut tx = state.db.begin().await?;
    db::announcements::insert(&mut *tx, &row, admin.account_id).await?;
    logged(&mut *tx, admin, Action::AnnouncementCreated, &row).await?;
    tx.commit().await?;
    if publish {
        return set_published(state, admin, row.id, true).await;
    }
    Ok(row)
}

/// Changes an announcement's text and window. A published one shown now is told to the
/// streams again (as Mastodon does); one no longer shown is taken off them.
pub async fn update(
    state: &AppState,
    admin: &UserRow,
    id: i64,
    input: &Input,
) -> AppResult<AnnouncementRow> {
    let mut row = get(state, admin, id).await?;
    let before = row.streamed;
    render(state, input, &mut row).await?;
    let now = clock::now();
    row.updated_at = now;
    if row.published != 0 {
        row.streamed = stream_state(&row, now);
    }
    let mut tx = state.db.begin().await?;
    if !db::announcements::update(&mut *tx, &row).await? {
        return Err(AppError::not_found());
    }
    logged(&mut *tx, admin, Action::AnnouncementUpdated, &row).await?;
    tx.commit().await?;
    if row.published != 0 {
        if row.streamed == 1 {
            state.streams.publish(vec![Change::Announced(row.id)]);
        } else if before == 1 {
            state
                .streams
                .publish(vec![Change::AnnouncementRemoved(row.id)]);
        }
    }
    Ok(row)
}

/// Publishes or withdraws an announcement; the streams are told when it is shown now (a later
/// start is told by the worker) and when a shown one is withdrawn.
pub async fn set_published(
    state: &AppState,
    admin: &UserRow,
    id: i64,
    publish: bool,
) -> AppResult<AnnouncementRow> {
    let mut row = get(state, admin, id).await?;
    let now = clock::now();
    let before = (row.published, row.streamed);
    if publish {
        row.published = 1;
        row.published_at = Some(now);
        row.streamed = stream_state(&row, now);
    } else {
        row.published = 0;
        row.published_at = None;
        row.streamed = 0;
    }
    row.updated_at = now;
    let mut tx = state.db.begin().await?;
    if !db::announcements::set_published(&mut *tx, id, row.published_at, row.streamed, now).await? {
        return Err(AppError::not_found());
    }
    let action = if publish {
        Action::AnnouncementPublished
    } else {
        Action::AnnouncementWithdrawn
    };
    logged(&mut *tx, admin, action, &row).await?;
    tx.commit().await?;
    if publish && row.streamed == 1 {
        state.streams.publish(vec![Change::Announced(id)]);
    } else if !publish && before == (1, 1) {
        state.streams.publish(vec![Change::AnnouncementRemoved(id)]);
    }
    Ok(row)
}

/// Deletes an announcement, with its reads and reactions.
pub async fn delete(state: &AppState, admin: &UserRow, id: i64) -> AppResult<()> {
    let row = get(state, admin, id).await?;
    let mut tx = state.db.begin().await?;
    if !db::announcements::delete(&mut *tx, id).await? {
        return Err(AppError::not_found());
    }
    logged(&mut *tx, admin, Action::AnnouncementDeleted, &row).await?;
    tx.commit().await?;
    if row.published != 0 && row.streamed == 1 {
        state.streams.publish(vec![Change::AnnouncementRemoved(id)]);
    }
    Ok(())
}

/// The announcements shown now, for `viewer` (with `read` and their reactions): those they
/// dismissed only `with_dismissed`.
pub async fn current(
    state: &AppState,
    viewer: i64,
    with_dismissed: bool,
) -> AppResult<Vec<AnnouncementView>> {
    let rows = db::announcements::current(state.pool(), clock::now()).await?;
    let mut views = views(state, Some(viewer), rows).await?;
    if !with_dismissed {
        views.retain(|v| v.read != Some(true));
    }
    Ok(views)
}

/// Loads what announcements show, with a fixed number of queries: the accounts they mention,
/// the posts they link to, the reactions, and for a viewer their reads and reactions.
pub async fn views(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<AnnouncementRow>,
) -> AppResult<Vec<AnnouncementView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut account_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| AnnouncementRow::ids(&r.mention_ids))
        .collect();
    account_ids.sort_unstable();
    account_ids.dedup();
    let mut status_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| AnnouncementRow::ids(&r.status_ids))
        .collect();
    status_ids.sort_unstable();
    status_ids.dedup();
    let accounts: HashMap<i64, AccountRow> = db::accounts::by_ids(state.pool(), &account_ids)
        .await?
        .into_iter()
        .filter(|a| a.deleted_at.is_none())
        .map(|a| (a.id, a))
        .collect();
    let posts: HashMap<i64, String> = db::statuses::by_ids(state.pool(), &status_ids)
        .await?
        .into_iter()
        .filter(|s| matches!(s.visibility, Visibility::Public | Visibility::Unlisted))
        .map(|s| (s.id, s.url.clone().unwrap_or(s.uri.clone())))
        .collect();
    let mut reactions: HashMap<i64, Vec<Reaction>> = HashMap::new();
    for r in db::announcements::reactions(state.pool(), &ids).await? {
        reactions
            .entry(r.announcement_id)
            .or_default()
            .push(Reaction {
                name: r.name,
                count: r.count,
                me: viewer.map(|_| false),
            });
    }
    let mut read = Vec::new();
    if let Some(me) = viewer {
        for (id, name) in db::announcements::my_reactions(state.pool(), me, &ids).await? {
            if let Some(r) = reactions
                .get_mut(&id)
                .and_then(|rs| rs.iter_mut().find(|r| r.name == name))
            {
                r.me = Some(true);
            }
        }
        read = db::announcements::read_ids(state.pool(), me, &ids).await?;
    }
    Ok(rows
        .into_iter()
        .map(|row| AnnouncementView {
            mentions: AnnouncementRow::ids(&row.mention_ids)
                .iter()
                .filter_map(|id| accounts.get(id).cloned())
                .collect(),
            statuses: AnnouncementRow::ids(&row.status_ids)
                .iter()
                .filter_map(|id| posts.get(id).map(|u| (*id, u.clone())))
                .collect(),
            tags: row
                .tags
                .split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            reactions: reactions.remove(&row.id).unwrap_or_default(),
            read: viewer.map(|_| read.contains(&row.id)),
            row,
        })
        .collect())
}

/// A shown announcement, or 404 (one withdrawn, deleted, not started or ended is not there,
/// as Mastodon's `Announcement.published.find`).
async fn shown(state: &AppState, id: &str) -> AppResult<AnnouncementRow> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    db::announcements::current_by_id(state.pool(), id, clock::now())
        .await?
        .ok_or_else(AppError::not_found)
}

/// Marks an announcement read for `viewer`.
pub async fn dismiss(state: &AppState, viewer: i64, id: &str) -> AppResult<()> {
    let row = shown(state, id).await?;
    db::announcements::dismiss(state.pool(), viewer, row.id, clock::now()).await?;
    Ok(())
}

/// Adds `viewer`'s reaction (a Unicode emoji; given again, 422 as Mastodon). An announcement carries
/// at most [`MAX_REACTIONS`] different ones (422 beyond, as Mastodon).
pub async fn react(state: &AppState, viewer: i64, id: &str, name: &str) -> AppResult<()> {
    let row = shown(state, id).await?;
    let name = announcement::reaction_name(name).map_err(|e| AppError::invalid(vec![e]))?;
    let mut tx = state.db.begin().await?;
    let added =
        db::announcements::react(&mut tx, row.id, viewer, &name, MAX_REACTIONS, clock::now())
            .await?;
    tx.commit().await?;
    match added {
        None => Err(AppError::invalid(vec![
            Invalid::new("name", "error-announcement-reactions-limit").arg("max", MAX_REACTIONS),
        ])),
        Some(true) => {
            state
                .streams
                .publish(vec![Change::AnnouncementReacted(row.id, name)]);
            Ok(())
        }
        // As Mastodon: the same reaction twice is refused.
        Some(false) => Err(AppError::invalid(vec![Invalid::new(
            "name",
            "error-announcement-reaction-given",
        )])),
    }
}

/// Removes `viewer`'s reaction; 404 when they had none of that name.
pub async fn unreact(state: &AppState, viewer: i64, id: &str, name: &str) -> AppResult<()> {
    let row = shown(state, id).await?;
    let name = name.trim();
    if !db::announcements::unreact(state.pool(), row.id, viewer, name).await? {
        return Err(AppError::not_found());
    }
    state
        .streams
        .publish(vec![Change::AnnouncementReacted(row.id, name.to_string())]);
    Ok(())
}

/// A reaction's count now (what its stream event carries).
pub async fn reaction_count(state: &AppState, id: i64, name: &str) -> AppResult<i64> {
    Ok(db::announcements::reaction_count(state.pool(), id, name).await?)
}

/// An announcement if it is published and shown now (what a stream event carries).
pub async fn shown_by_id(state: &AppState, id: i64) -> AppResult<Option<AnnouncementRow>> {
    Ok(db::announcements::current_by_id(state.pool(), id, clock::now()).await?)
}

/// Tells the streams of the announcements whose start or end came; each claimed in the
/// database, so that one process tells it. Gives how many.
pub async fn tell_due(state: &AppState, now: i64) -> AppResult<usize> {
    let started = db::announcements::claim_started(state.pool(), now).await?;
    let ended = db::announcements::claim_ended(state.pool(), now).await?;
    let n = started.len() + ended.len();
    let mut changes: Vec<Change> = started.into_iter().map(Change::Announced).collect();
    changes.extend(ended.into_iter().map(Change::AnnouncementRemoved));
    state.streams.publish(changes);
    Ok(n)
}

/// The worker that tells the streams when announcements start and end being shown, every
/// few seconds, until `stop`.
pub async fn run(state: AppState, stop: CancellationToken) {
    loop {
        if let Err(e) = tell_due(&state, clock::now()).await {
            tracing::warn!(error = ?e, "announcements: starts and ends not told");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}
