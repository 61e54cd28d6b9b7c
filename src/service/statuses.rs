//! Posts: writing, editing, deleting, liking and boosting them; storing those that arrive from
//! other servers; deciding who may see each one; reading threads.
//!
//! Who sees a post is decided here, once: public and unlisted posts by anyone, followers-only
//! posts by the author's accepted followers and the accounts it mentions, direct posts by the
//! accounts it mentions; blocks hide in both directions.

use super::outgoing::{self, Outgoing};
use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{
        Circle, Invalid, NotificationKind, Visibility,
        status::{self as text, ResolvedMention},
    },
    error::{AppError, AppResult},
    state::AppState,
};

/// The ActivityPub id of a local post.
pub fn status_uri(state: &AppState, username: &str, id: i64) -> String {
    state
        .config
        .url(&format!("/users/{username}/statuses/{id}"))
}

/// The web page of a local post.
pub fn status_url(state: &AppState, username: &str, id: i64) -> String {
    state.config.url(&format!("/@{username}/{id}"))
}

/// The page of a hashtag.
pub fn tag_url(state: &AppState, tag: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(tag.as_bytes()).collect();
    state.config.url(&format!("/tags/{encoded}"))
}

/// What a person writes.
#[derive(Debug, Clone, Default)]
pub struct Compose {
    /// The text (plain text; mentions, hashtags and links are recognised).
    pub text: String,
    /// Content warning.
    pub spoiler_text: String,
    /// Marked sensitive.
    pub sensitive: bool,
    /// Who may see it (default: public).
    pub visibility: Option<Visibility>,
    /// The post it answers.
    pub in_reply_to_id: Option<i64>,
    /// Language tag.
    pub language: Option<String>,
    /// A client's key to make retries of the same request create one post.
    pub idempotency_key: Option<String>,
    /// Makes the post an event (written in the same transaction; its `status_id` is set).
    pub event: Option<db::events::EventRow>,
}

/// Whether `viewer` (an account, local or remote; `None` for the public) may see `status`.
pub async fn can_see(state: &AppState, viewer: Option<i64>, status: &StatusRow) -> AppResult<bool> {
    if viewer == Some(status.account_id) {
        return Ok(true);
    }
    if let Some(v) = viewer
        && db::social::blocked_either_way(state.pool(), v, status.account_id).await?
    {
        return Ok(false);
    }
    if status.visibility == Visibility::Group {
        return Ok(match viewer {
            Some(v) => db::groups::can_read(state.pool(), status.id, v).await?,
            None => false,
        });
    }
    Ok(match (status.visibility, viewer) {
        (Visibility::Public | Visibility::Unlisted, _) => true,
        (_, None) => false,
        (Visibility::Private, Some(v)) => {
            db::social::follows(state.pool(), v, status.account_id).await?
                || db::statuses::is_mentioned(state.pool(), status.id, v).await?
        }
        // Handled above: the group decides.
        (Visibility::Group, Some(_)) => false,
        (Visibility::Direct, Some(v)) => {
            db::statuses::is_mentioned(state.pool(), status.id, v).await?
        }
    })
}

/// A post by its ActivityPub id, if known here and `viewer` may see it.
pub async fn visible_by_uri(
    state: &AppState,
    viewer: Option<i64>,
    uri: &str,
) -> AppResult<Option<StatusRow>> {
    match db::statuses::by_uri(state.pool(), uri).await? {
        Some(s) if can_see(state, viewer, &s).await? => Ok(Some(s)),
        _ => Ok(None),
    }
}

/// Hashtags in use that start with `prefix`.
pub async fn search_tags(state: &AppState, prefix: &str, limit: i64) -> AppResult<Vec<String>> {
    Ok(db::statuses::search_tags(state.pool(), prefix, limit).await?)
}

/// A page of who liked a post: (like id, account), newest first.
pub async fn favourited_by(
    state: &AppState,
    status: &StatusRow,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::statuses::favourited_by(state.pool(), status.id, max_id, limit).await?)
}

/// A page of who boosted a post: (boost id, account), newest first.
pub async fn reblogged_by(
    state: &AppState,
    status: &StatusRow,
    max_id: Option<i64>,
    limit: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(db::statuses::reblogged_by(state.pool(), status.id, max_id, limit).await?)
}

/// A post `viewer` may see, or 404 (a post one may not see does not exist for them).
pub async fn visible(state: &AppState, viewer: Option<i64>, id: i64) -> AppResult<StatusRow> {
    let status = db::statuses::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !can_see(state, viewer, &status).await? {
        return Err(AppError::not_found());
    }
    Ok(status)
}

/// Finds the accounts a text mentions among those known here; unknown ones stay plain text.
async fn resolve_mentions(
    state: &AppState,
    text_: &str,
) -> AppResult<(Vec<AccountRow>, Vec<ResolvedMention>)> {
    let mut accounts: Vec<AccountRow> = Vec::new();
    let mut rendered = Vec::new();
    for m in text::mentions(text_) {
        let local = m
            .domain
            .as_deref()
            .is_none_or(|d| d.eq_ignore_ascii_case(&state.config.domain));
        let found = if local {
            db::accounts::local_by_username(state.pool(), &m.username).await?
        } else {
            db::accounts::by_handle(state.pool(), &m.username, m.domain.as_deref()).await?
        };
        let Some(account) =
            found.filter(|a| a.deleted_at.is_none() && a.actor_type != "Application")
        else {
            continue;
        };
        let url = profile_url(state, &account);
        rendered.push(ResolvedMention {
            username: m.username.clone(),
            domain: m.domain.clone(),
            url,
        });
        if !accounts.iter().any(|a| a.id == account.id) {
            accounts.push(account);
        }
    }
    Ok((accounts, rendered))
}

/// The web page of an account (remote: its own server's page).
pub fn profile_url(state: &AppState, account: &AccountRow) -> String {
    match &account.domain {
        None => state.config.url(&format!("/@{}", account.username)),
        Some(_) => account.url.clone().unwrap_or_else(|| account.uri.clone()),
    }
}

/// Publishes a post by a local account. A reply to a group post stays in its group and circle
/// when the author may post there; a public post mentioning a group the author may post to is
/// posted to it (how Mastodon apps post to groups).
pub async fn create(state: &AppState, author: &AccountRow, input: Compose) -> AppResult<StatusRow> {
    create_in_group(state, author, input, None).await
}

/// The group and circle a post from a Mastodon app goes to, if any: its parent's, or the first
/// group it mentions (public and unlisted posts only).
async fn implied_group(
    state: &AppState,
    author: &AccountRow,
    parent: Option<&StatusRow>,
    mentioned: &[AccountRow],
    visibility: Visibility,
) -> AppResult<Option<(super::groups::Group, Circle)>> {
    if let Some(p) = parent
        && let (Some(gid), Some(circle)) = (p.group_id, p.circle)
        && let Some(group) = super::groups::load(state, gid).await?
    {
        if circle == Circle::Public
            || super::groups::may_post(state, &group, author.id, circle).await?
        {
            return Ok(Some((group, circle)));
        }
        return Ok(None);
    }
    if !visibility.is_public() {
        return Ok(None);
    }
    for m in mentioned.iter().filter(|m| m.actor_type == "Group") {
        if let Some(group) = super::groups::load(state, m.id).await?
            && super::groups::may_post(state, &group, author.id, Circle::Public).await?
        {
            return Ok(Some((group, Circle::Public)));
        }
    }
    Ok(None)
}

/// Publishes a post, in a group's circle when `group` says so (with a discussion's title).
pub async fn create_in_group(
    state: &AppState,
    author: &AccountRow,
    input: Compose,
    group: Option<(&super::groups::Group, Circle, Option<String>)>,
) -> AppResult<StatusRow> {
    if let Some(key) = input.idempotency_key.as_deref().filter(|k| !k.is_empty()) {
        let since = clock::now() - 3_600_000_000;
        if let Some(id) = db::statuses::idempotent(state.pool(), author.id, key, since).await?
            && let Some(existing) = db::statuses::by_id(state.pool(), id).await?
        {
            return Ok(existing);
        }
    }
    // Every way of posting counts against the author's limit (apps, the composer, groups).
    crate::limits::check(&state.limits.posting, &author.id)?;
    let draft = draft(state, author, input, group).await?;
    let mut tx = state.db.begin().await?;
    let id = write(state, &mut tx, &draft).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    db::statuses::by_id(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("new post vanished")))
}

/// The post a new one answers.
#[derive(Debug, Clone)]
pub struct Parent {
    /// Its id.
    pub id: i64,
    /// Its ActivityPub id.
    pub uri: String,
    /// Its author.
    pub account_id: i64,
}

/// A new post checked and rendered ([`draft`]), ready to be written ([`write`]): several
/// drafts can be written in one transaction (the occurrences of a recurring event, a mission
/// and its shifts).
#[derive(Debug, Clone)]
pub struct Draft {
    author_id: i64,
    username: String,
    /// The post it answers (set by the caller for a parent written in the same transaction).
    pub parent: Option<Parent>,
    group: Option<super::groups::Group>,
    circle: Option<Circle>,
    title: Option<String>,
    visibility: Visibility,
    text: String,
    html: String,
    spoiler_text: String,
    sensitive: bool,
    language: Option<String>,
    tags: Vec<String>,
    mentioned: Vec<AccountRow>,
    idempotency_key: Option<String>,
    /// The event it is (its `status_id` is set when written).
    pub event: Option<db::events::EventRow>,
}

impl Draft {
    /// The same post mentioning nobody (its text unchanged): the later occurrences of a
    /// recurring event, so that the people it names are notified and addressed once.
    pub fn without_mentions(mut self) -> Self {
        self.mentioned.clear();
        self
    }
}

/// Checks and renders a new post: its text, its parent, the group and circle it goes to.
pub async fn draft(
    state: &AppState,
    author: &AccountRow,
    input: Compose,
    group: Option<(&super::groups::Group, Circle, Option<String>)>,
) -> AppResult<Draft> {
    text::check_status_text(&input.text, &input.spoiler_text)?;
    if let Some(lang) = &input.language
        && (lang.len() > 16 || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(Invalid::new("language", "error-language-invalid").into());
    }
    let parent = match input.in_reply_to_id {
        Some(id) => Some(
            visible(state, Some(author.id), id)
                .await
                .map_err(|_| Invalid::new("in_reply_to_id", "error-reply-target"))?,
        ),
        None => None,
    };
    let (mentioned, rendered) = resolve_mentions(state, &input.text).await?;
    let requested = input.visibility.unwrap_or(Visibility::Public);
    let (group, circle, title) = match group {
        Some((g, c, t)) => (Some(g.clone()), Some(c), t),
        // An event's name is its post's title (feeds and apps show it above the text).
        None if input.event.is_some() => (None, None, input.event.as_ref().map(|e| e.name.clone())),
        None => match implied_group(state, author, parent.as_ref(), &mentioned, requested).await? {
            Some((g, c)) => (Some(g), Some(c), None),
            None => (None, None, None),
        },
    };
    if let (Some(p), Some(_)) = (&parent, &group)
        && super::groups::thread_root(state, p).await?.thread_locked != 0
    {
        return Err(AppError::forbidden("error-thread-locked"));
    }
    // An answer to a closed circle's post stays in that circle, or is not written: out of it,
    // it would carry the closed post's address and author to whoever reads the answer
    // (docs/SECURITY.md, rule T12).
    if let Some(p) = parent
        .as_ref()
        .filter(|p| p.visibility == Visibility::Group)
    {
        let inside = group.as_ref().map(|g| g.account.id) == p.group_id && circle == p.circle;
        if !inside {
            return Err(Invalid::new("in_reply_to_id", "error-reply-outside-circle").into());
        }
    }
    // A group post's circle decides who reads it; a public one is public.
    let visibility = match circle {
        Some(Circle::Public) => Visibility::Public,
        Some(Circle::Sympathizers | Circle::Members) => Visibility::Group,
        None => requested,
    };
    let html = text::render(&input.text, &rendered, |t| tag_url(state, t));
    let tags = text::hashtags(&input.text);
    Ok(Draft {
        author_id: author.id,
        username: author.username.clone(),
        parent: parent.map(|p| Parent {
            id: p.id,
            uri: p.uri,
            account_id: p.account_id,
        }),
        group,
        circle,
        title,
        visibility,
        sensitive: input.sensitive || !input.spoiler_text.trim().is_empty(),
        spoiler_text: input.spoiler_text.trim().to_string(),
        text: input.text,
        html,
        language: input.language,
        tags,
        mentioned,
        idempotency_key: input.idempotency_key.filter(|k| !k.is_empty()),
        event: input.event,
    })
}

/// Writes a drafted post in `tx`: the post, its mentions, tags and event, the feeds and group
/// circles it reaches, and its federation (queued with it). Returns its id.
pub async fn write(
    state: &AppState,
    tx: &mut sqlx::AnyConnection,
    draft: &Draft,
) -> AppResult<i64> {
    let now = clock::now();
    let new = db::statuses::NewStatus {
        uri: None,
        url: None,
        account_id: draft.author_id,
        local: true,
        visibility: draft.visibility,
        in_reply_to_id: draft.parent.as_ref().map(|p| p.id),
        in_reply_to_uri: draft.parent.as_ref().map(|p| p.uri.as_str()),
        in_reply_to_account_id: draft.parent.as_ref().map(|p| p.account_id),
        reblog_of_id: None,
        content: &draft.html,
        source: Some(&draft.text),
        spoiler_text: &draft.spoiler_text,
        sensitive: draft.sensitive,
        language: draft.language.as_deref(),
        created_at: now,
        group_id: draft.group.as_ref().map(|g| g.account.id),
        circle: draft.circle,
        title: draft.title.as_deref(),
    };
    let username = &draft.username;
    let id = db::statuses::insert(tx, &state.ids, &new, |id| {
        (
            status_uri(state, username, id),
            Some(status_url(state, username, id)),
        )
    })
    .await?
    .ok_or_else(|| AppError::internal(anyhow::anyhow!("a new post collided")))?;
    let mentioned_ids: Vec<i64> = draft
        .mentioned
        .iter()
        .map(|a| a.id)
        .filter(|id| *id != draft.author_id)
        .collect();
    db::statuses::insert_mentions(tx, id, &mentioned_ids).await?;
    db::statuses::replace_tags(tx, id, &draft.tags).await?;
    if let Some(event) = &draft.event {
        let mut event = event.clone();
        event.status_id = id;
        db::events::upsert(tx, &event).await?;
    }
    let mut readers = vec![draft.author_id];
    if !matches!(draft.visibility, Visibility::Direct | Visibility::Group) {
        readers.extend(db::social::local_followers(tx, draft.author_id).await?);
    }
    // In a group's closed circles, being mentioned is no way in: the group decides.
    let closed = draft.visibility == Visibility::Group;
    for m in draft.mentioned.iter().filter(|_| !closed) {
        if m.is_local() {
            readers.push(m.id);
            db::social::notify(
                tx,
                m.id,
                draft.author_id,
                NotificationKind::Mention,
                Some(id),
                now,
            )
            .await?;
        }
    }
    db::social::add_to_feeds(tx, id, &readers).await?;
    if let (Some(g), Some(c)) = (&draft.group, draft.circle) {
        super::groups::distribute(tx, g, id, c).await?;
    }
    if let Some(key) = &draft.idempotency_key {
        db::statuses::remember_idempotency(tx, draft.author_id, key, id, now).await?;
    }
    outgoing::push(tx, &Outgoing::CreateStatus { status_id: id }).await?;
    Ok(id)
}

/// Edits a local post (its author only).
pub async fn edit(
    state: &AppState,
    author: &AccountRow,
    id: i64,
    input: Compose,
) -> AppResult<StatusRow> {
    let status = db::statuses::by_id(state.pool(), id)
        .await?
        .filter(|s| s.account_id == author.id && s.reblog_of_id.is_none())
        .ok_or_else(AppError::not_found)?;
    text::check_status_text(&input.text, &input.spoiler_text)?;
    let (mentioned, rendered) = resolve_mentions(state, &input.text).await?;
    let html = text::render(&input.text, &rendered, |t| tag_url(state, t));
    let tags = text::hashtags(&input.text);
    let before = db::statuses::mentioned_ids(state.pool(), id).await?;
    let outside = outsiders(state, &status, &before, &mentioned).await?;
    // Naming someone in a direct or followers-only post lets them read it: an edit may not.
    if !outside.is_empty() && status.visibility != Visibility::Group {
        return Err(Invalid::new("status", "error-edit-widens").into());
    }
    let mentioned_ids: Vec<i64> = mentioned
        .iter()
        .map(|a| a.id)
        .filter(|i| *i != author.id)
        .collect();
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::statuses::update_content(
        &mut tx,
        id,
        &html,
        Some(&input.text),
        input.spoiler_text.trim(),
        input.sensitive || !input.spoiler_text.trim().is_empty(),
        now,
    )
    .await?;
    db::statuses::replace_mentions(&mut tx, id, &mentioned_ids).await?;
    db::statuses::replace_tags(&mut tx, id, &tags).await?;
    for m in mentioned
        .iter()
        .filter(|m| m.is_local() && !before.contains(&m.id) && !outside.contains(&m.id))
    {
        db::social::notify(
            &mut tx,
            m.id,
            author.id,
            NotificationKind::Mention,
            Some(id),
            now,
        )
        .await?;
        db::social::add_to_feeds(&mut tx, id, &[m.id]).await?;
    }
    outgoing::push(&mut tx, &Outgoing::UpdateStatus { status_id: id }).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    db::statuses::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// The accounts an edit names for the first time who could not read the post as it was: an
/// edit never widens who reads a post (docs/SECURITY.md, rule T10). In a group's closed
/// circles being named is no way in (the group decides), so there they are only not told.
async fn outsiders(
    state: &AppState,
    status: &StatusRow,
    before: &[i64],
    mentioned: &[AccountRow],
) -> AppResult<Vec<i64>> {
    let mut outside = Vec::new();
    for m in mentioned
        .iter()
        .filter(|m| m.id != status.account_id && !before.contains(&m.id))
    {
        if !can_see(state, Some(m.id), status).await? {
            outside.push(m.id);
        }
    }
    Ok(outside)
}

/// Deletes a local post (by its author, or by a moderator of this instance).
pub async fn delete(
    state: &AppState,
    by: &AccountRow,
    is_staff: bool,
    id: i64,
) -> AppResult<StatusRow> {
    let status = db::statuses::by_id(state.pool(), id)
        .await?
        .filter(|s| s.account_id == by.id || (is_staff && s.local == 1))
        .ok_or_else(AppError::not_found)?;
    let mentioned = db::statuses::mentioned_ids(state.pool(), id).await?;
    let mut tx = state.db.begin().await?;
    db::statuses::delete(&mut tx, id, &status.uri, clock::now()).await?;
    if status.local == 1 {
        let event = match status.reblog_of_id {
            Some(original) => {
                let original = db::statuses::by_id(&mut *tx, original).await?;
                original.map(|o| Outgoing::UndoAnnounce {
                    account_id: status.account_id,
                    reblog_uri: status.uri.clone(),
                    status_uri: o.uri,
                    author_id: o.account_id,
                })
            }
            None => Some(Outgoing::DeleteStatus {
                account_id: status.account_id,
                uri: status.uri.clone(),
                visibility: status.visibility,
                mentioned,
                in_reply_to_account_id: status.in_reply_to_account_id,
                group_id: status.group_id,
                circle: status.circle,
            }),
        };
        if let Some(event) = event {
            outgoing::push(&mut tx, &event).await?;
        }
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(status)
}

/// Likes a post; returns it.
pub async fn favourite(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    let like_uri = format!("{}#likes/{}", who.uri, crypto::random_code(16));
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new =
        db::statuses::insert_favourite(&mut tx, who.id, target.id, Some(&like_uri), now).await?;
    if new {
        db::social::notify(
            &mut tx,
            target.account_id,
            who.id,
            NotificationKind::Favourite,
            Some(target.id),
            now,
        )
        .await?;
        if target.local == 0 {
            outgoing::push(
                &mut tx,
                &Outgoing::Like {
                    account_id: who.id,
                    status_id: target.id,
                    like_uri,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(target)
}

/// Withdraws a like; returns the post.
pub async fn unfavourite(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    if let Some(fav) = db::statuses::favourite(state.pool(), who.id, target.id).await? {
        let mut tx = state.db.begin().await?;
        db::statuses::delete_favourite(&mut tx, fav.id).await?;
        if target.local == 0 {
            outgoing::push(
                &mut tx,
                &Outgoing::UndoLike {
                    account_id: who.id,
                    status_uri: target.uri.clone(),
                    author_id: target.account_id,
                    like_uri: fav.uri.unwrap_or_default(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        state.outbox_ready.notify_one();
    }
    Ok(target)
}

/// Boosts a post; returns the boost. Only public and unlisted posts can be boosted.
pub async fn reblog(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    if !target.visibility.is_public() {
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-reblog-private",
        ));
    }
    if let Some(existing) = db::statuses::reblog_by(state.pool(), who.id, target.id).await? {
        return Ok(existing);
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new = db::statuses::NewStatus {
        uri: None,
        url: None,
        account_id: who.id,
        local: true,
        visibility: Visibility::Public,
        in_reply_to_id: None,
        in_reply_to_uri: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(target.id),
        content: "",
        source: None,
        spoiler_text: "",
        sensitive: false,
        language: None,
        created_at: now,
        group_id: None,
        circle: None,
        title: None,
    };
    let username = who.username.clone();
    let reblog_id = db::statuses::insert(&mut tx, &state.ids, &new, |rid| {
        (
            format!("{}/activity", status_uri(state, &username, rid)),
            None,
        )
    })
    .await?
    .ok_or_else(|| AppError::internal(anyhow::anyhow!("a new boost collided")))?;
    let mut readers = vec![who.id];
    readers.extend(db::social::local_followers(&mut tx, who.id).await?);
    db::social::add_to_feeds(&mut tx, reblog_id, &readers).await?;
    db::social::notify(
        &mut tx,
        target.account_id,
        who.id,
        NotificationKind::Reblog,
        Some(target.id),
        now,
    )
    .await?;
    outgoing::push(&mut tx, &Outgoing::Announce { reblog_id }).await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    db::statuses::by_id(state.pool(), reblog_id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Withdraws a boost; returns the boosted post.
pub async fn unreblog(state: &AppState, who: &AccountRow, id: i64) -> AppResult<StatusRow> {
    let status = visible(state, Some(who.id), id).await?;
    let target = match status.reblog_of_id {
        Some(original) => visible(state, Some(who.id), original).await?,
        None => status,
    };
    if let Some(boost) = db::statuses::reblog_by(state.pool(), who.id, target.id).await? {
        delete(state, who, false, boost.id).await?;
    }
    Ok(target)
}

/// A post's thread as `viewer` may see it: ancestors (oldest first) and descendants (in
/// reading order), each bounded.
pub async fn context(
    state: &AppState,
    viewer: Option<i64>,
    id: i64,
) -> AppResult<(Vec<StatusRow>, Vec<StatusRow>)> {
    let status = visible(state, viewer, id).await?;
    let mut ancestors = Vec::new();
    let mut parent = status.in_reply_to_id;
    while let Some(pid) = parent {
        if ancestors.len() >= 40 {
            break;
        }
        let Some(p) = db::statuses::by_id(state.pool(), pid).await? else {
            break;
        };
        parent = p.in_reply_to_id;
        if can_see(state, viewer, &p).await? {
            ancestors.push(p);
        } else {
            break;
        }
    }
    ancestors.reverse();
    let mut descendants = Vec::new();
    let mut stack = vec![status.id];
    while let Some(current) = stack.pop() {
        if descendants.len() >= 200 {
            break;
        }
        // Only through what the viewer may see: an answer in a closed circle hides the
        // answers to it too (they would name who wrote in it).
        let mut children = Vec::new();
        for child in db::statuses::replies(state.pool(), current).await? {
            if can_see(state, viewer, &child).await? {
                children.push(child);
            }
        }
        // Depth first, oldest first: the reading order of a thread.
        for child in children.iter().rev() {
            stack.push(child.id);
        }
        descendants.extend(children);
    }
    descendants.sort_by_key(|s| s.id);
    Ok((ancestors, descendants))
}

/// A post that arrived from another server, already checked and sanitized by federation.
#[derive(Debug, Clone)]
pub struct RemoteStatus {
    /// ActivityPub id.
    pub uri: String,
    /// Web page.
    pub url: Option<String>,
    /// Author (stored remote account).
    pub account_id: i64,
    /// Visibility inferred from its addressing.
    pub visibility: Visibility,
    /// The post it answers.
    pub in_reply_to_uri: Option<String>,
    /// Sanitized HTML.
    pub content: String,
    /// Content warning.
    pub spoiler_text: String,
    /// Sensitive.
    pub sensitive: bool,
    /// Language.
    pub language: Option<String>,
    /// Publication time.
    pub created_at: i64,
    /// Time of its last edit, when its server says (`updated`).
    pub updated_at: Option<i64>,
    /// Accounts it mentions (known here).
    pub mentioned: Vec<AccountRow>,
    /// Hashtags (lower case).
    pub tags: Vec<String>,
    /// The group it is written in, if any (stored account).
    pub group_id: Option<i64>,
    /// Its circle there.
    pub circle: Option<Circle>,
    /// A discussion's title.
    pub title: Option<String>,
}

/// Stores a remote post and hands it to the local people concerned (followers of its author,
/// people it mentions; for a post in a local group, the group's circle, when its author may
/// post there). Returns the stored post; the same post arriving again takes effect once.
pub async fn store_remote(state: &AppState, post: RemoteStatus) -> AppResult<StatusRow> {
    if let Some(existing) = db::statuses::by_uri(state.pool(), &post.uri).await? {
        return Ok(existing);
    }
    if db::statuses::is_tombstoned(state.pool(), &post.uri).await? {
        return Err(AppError::new(
            axum::http::StatusCode::GONE,
            "error-not-found",
        ));
    }
    let parent = match &post.in_reply_to_uri {
        Some(uri) => db::statuses::by_uri(state.pool(), uri).await?,
        None => None,
    };
    // An answer to a closed circle's post from someone outside it is not linked to it: linked,
    // it would show whoever reads the answer the closed post's author (rule T12).
    let parent = match parent {
        Some(p)
            if p.visibility == Visibility::Group
                && !can_see(state, Some(post.account_id), &p).await? =>
        {
            None
        }
        other => other,
    };
    let group = match post.group_id {
        Some(g) => super::groups::load(state, g).await?,
        None => None,
    };
    let circle = post.circle.filter(|_| group.is_some());
    // A local group takes the post into its circle when the author may post there: members,
    // followers when the group allows it, and anyone answering in a public thread (debates
    // cross servers and parties). Never in a locked thread.
    let distribute_in = match (&group, circle) {
        (Some(g), Some(c)) if g.is_local() => {
            let allowed = super::groups::may_post(state, g, post.account_id, c).await?
                || (c == Circle::Public
                    && parent.as_ref().is_some_and(|p| {
                        p.group_id == Some(g.account.id) && p.circle == Some(Circle::Public)
                    }));
            let locked = match &parent {
                Some(p) => super::groups::thread_root(state, p).await?.thread_locked != 0,
                None => false,
            };
            (allowed && !locked).then(|| (g.clone(), c))
        }
        _ => None,
    };
    // A local group's circles are decided here: a post it does not take in is in none of
    // them, whatever it claims (its own addressing says who reads it), and is no group's event
    // or discussion (rule T5).
    let (group, circle) = match &group {
        Some(g) if g.is_local() && distribute_in.is_none() => (None, None),
        _ => (group, circle),
    };
    let closed = matches!(circle, Some(Circle::Sympathizers | Circle::Members));
    let visibility = if closed {
        Visibility::Group
    } else {
        post.visibility
    };
    // Read before the transaction: on SQLite a transaction that reads, then writes, fails at
    // once if another connection wrote in between.
    let mut conn = state.pool().acquire().await?;
    let followers = if !closed && post.visibility != Visibility::Direct {
        db::social::local_followers(&mut conn, post.account_id).await?
    } else {
        Vec::new()
    };
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let place = Placement {
        parent: parent.as_ref(),
        group_id: group.as_ref().map(|g| g.account.id),
        circle,
        visibility,
        followers: &followers,
    };
    let Some(id) = write_remotes(&mut tx, &state.ids, &[(&post, place)]).await?[0] else {
        drop(tx);
        return db::statuses::by_uri(state.pool(), &post.uri)
            .await?
            .ok_or_else(AppError::not_found);
    };
    if let Some((g, c)) = &distribute_in {
        super::groups::distribute(&mut tx, g, id, *c).await?;
    }
    tx.commit().await?;
    if distribute_in.is_some() {
        state.outbox_ready.notify_one();
    }
    db::statuses::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Where a remote post goes, decided before it is written.
pub struct Placement<'a> {
    /// The post it answers, when stored here.
    pub parent: Option<&'a StatusRow>,
    /// The group it is written in (stored account).
    pub group_id: Option<i64>,
    /// Its circle there.
    pub circle: Option<Circle>,
    /// The visibility stored (a closed circle's posts have the group visibility).
    pub visibility: Visibility,
    /// The local followers of its author whose home timelines it enters (none for direct
    /// messages and closed circles).
    pub followers: &'a [i64],
}

/// Writes remote posts in the caller's transaction: the posts, their mentions and hashtags,
/// the home timelines of each one's `followers` and of the local people it mentions
/// (notified; not in a closed circle), and the answers that arrived before them linked to
/// them. A statement per table, whatever the number of posts. Gives each post's new id, or
/// `None` when the same post was stored meanwhile (by another worker).
pub async fn write_remotes(
    tx: &mut sqlx::AnyConnection,
    ids: &crate::ids::IdGenerator,
    posts: &[(&RemoteStatus, Placement<'_>)],
) -> Result<Vec<Option<i64>>, sqlx::Error> {
    let now = clock::now();
    let mut stored: Vec<Option<i64>> = vec![None; posts.len()];
    let mut pending: Vec<usize> = (0..posts.len()).collect();
    for _ in 0..5 {
        let rows: Vec<(i64, db::statuses::NewStatus)> = pending
            .iter()
            .map(|&i| {
                let (post, place) = &posts[i];
                let created_at = post.created_at.min(now);
                let new = db::statuses::NewStatus {
                    uri: Some(&post.uri),
                    url: post.url.as_deref(),
                    account_id: post.account_id,
                    local: false,
                    visibility: place.visibility,
                    in_reply_to_id: place.parent.map(|p| p.id),
                    in_reply_to_uri: post.in_reply_to_uri.as_deref(),
                    in_reply_to_account_id: place.parent.map(|p| p.account_id),
                    reblog_of_id: None,
                    content: &post.content,
                    source: None,
                    spoiler_text: &post.spoiler_text,
                    sensitive: post.sensitive,
                    language: post.language.as_deref(),
                    created_at,
                    group_id: place.group_id,
                    circle: place.circle,
                    title: post.title.as_deref(),
                };
                (ids.at(created_at), new)
            })
            .collect();
        let inserted: std::collections::HashSet<i64> = db::statuses::insert_many(tx, &rows)
            .await?
            .into_iter()
            .collect();
        let mut missed = Vec::new();
        for (&i, (id, _)) in pending.iter().zip(&rows) {
            if inserted.contains(id) {
                stored[i] = Some(*id);
            } else {
                missed.push(i);
            }
        }
        if missed.is_empty() {
            pending.clear();
            break;
        }
        // Skipped: the same post stored meanwhile, or an id another process took (try again).
        let uris: Vec<&str> = missed.iter().map(|&i| posts[i].0.uri.as_str()).collect();
        let taken: std::collections::HashSet<String> = db::statuses::by_uris(tx, &uris)
            .await?
            .into_iter()
            .map(|s| s.uri)
            .collect();
        pending = missed
            .into_iter()
            .filter(|&i| !taken.contains(&posts[i].0.uri))
            .collect();
        if pending.is_empty() {
            break;
        }
    }
    if !pending.is_empty() {
        return Err(sqlx::Error::Protocol(
            "could not allocate a status id".into(),
        ));
    }

    let (mut mentions, mut tags, mut notifications, mut feeds) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut uris = Vec::new();
    for ((post, place), id) in posts.iter().zip(&stored) {
        let Some(id) = *id else { continue };
        uris.push(post.uri.as_str());
        mentions.extend(post.mentioned.iter().map(|a| (id, a.id)));
        tags.extend(post.tags.iter().map(|t| (id, t.as_str())));
        feeds.extend(place.followers.iter().map(|f| (id, *f)));
        // In a group's closed circles, being mentioned is no way in: the group decides.
        if place.visibility != Visibility::Group {
            for m in post.mentioned.iter().filter(|m| m.is_local()) {
                feeds.push((id, m.id));
                notifications.push((m.id, post.account_id, NotificationKind::Mention, Some(id)));
            }
        }
    }
    db::statuses::insert_mentions_many(tx, &mentions).await?;
    db::statuses::insert_tags_many(tx, &tags).await?;
    db::social::notify_many(tx, &notifications, now).await?;
    db::social::add_to_feeds_many(tx, &feeds).await?;
    db::statuses::adopt_orphans(tx, &uris).await?;
    Ok(stored)
}

/// Applies an edit of a remote post by its author; `false` when the post is unknown here or
/// the edit is older than the version stored.
pub async fn update_remote(state: &AppState, post: RemoteStatus) -> AppResult<bool> {
    let Some(existing) = db::statuses::by_uri(state.pool(), &post.uri).await? else {
        return Ok(false);
    };
    if existing.account_id != post.account_id {
        return Err(AppError::forbidden("error-not-author"));
    }
    // Updates can arrive out of order: one older than the version we have is dropped. The
    // edit time is the author's server's, but never in our future.
    let now = clock::now();
    let edited_at = post.updated_at.map_or(now, |t| t.min(now));
    if existing.edited_at.is_some_and(|e| e >= edited_at) {
        return Ok(false);
    }
    let before = db::statuses::mentioned_ids(state.pool(), existing.id).await?;
    // Whoever the new version names without having read the old one is left out of it.
    let outside = outsiders(state, &existing, &before, &post.mentioned).await?;
    let mut tx = state.db.begin().await?;
    db::statuses::update_content(
        &mut tx,
        existing.id,
        &post.content,
        None,
        &post.spoiler_text,
        post.sensitive,
        edited_at,
    )
    .await?;
    let ids: Vec<i64> = post
        .mentioned
        .iter()
        .map(|a| a.id)
        .filter(|i| existing.visibility == Visibility::Group || !outside.contains(i))
        .collect();
    db::statuses::replace_mentions(&mut tx, existing.id, &ids).await?;
    db::statuses::replace_tags(&mut tx, existing.id, &post.tags).await?;
    for m in post
        .mentioned
        .iter()
        .filter(|m| m.is_local() && !before.contains(&m.id) && !outside.contains(&m.id))
    {
        db::social::notify(
            &mut tx,
            m.id,
            post.account_id,
            NotificationKind::Mention,
            Some(existing.id),
            now,
        )
        .await?;
        db::social::add_to_feeds(&mut tx, existing.id, &[m.id]).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Deletes a remote post (or boost) on its author's word. An id unknown here is remembered
/// (a tombstone, so a late `Create` does not bring it back) only when it is on the author's
/// own server: nobody may refuse in advance the posts of another (docs/SECURITY.md, rule T6).
pub async fn delete_remote(state: &AppState, uri: &str, author: &AccountRow) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    match db::statuses::by_uri(&mut *tx, uri).await? {
        Some(s) if s.account_id == author.id => {
            db::statuses::delete(&mut tx, s.id, uri, clock::now()).await?
        }
        Some(_) => return Err(AppError::forbidden("error-not-author")),
        None => {
            let theirs = crate::domain::same_origin_ids(uri, &author.uri)
                && !url::Url::parse(uri).is_ok_and(|u| state.config.is_local_url(&u));
            if !theirs {
                return Ok(());
            }
            db::statuses::add_tombstone(&mut tx, uri, clock::now()).await?
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Records a remote account's like of a local post.
pub async fn favourite_remote(
    state: &AppState,
    account_id: i64,
    status: &StatusRow,
    like_uri: &str,
) -> AppResult<()> {
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    if db::statuses::insert_favourite(&mut tx, account_id, status.id, Some(like_uri), now).await? {
        db::social::notify(
            &mut tx,
            status.account_id,
            account_id,
            NotificationKind::Favourite,
            Some(status.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Withdraws a remote account's like, by the Like's id or by (account, post).
pub async fn unfavourite_remote(
    state: &AppState,
    account_id: i64,
    like_uri: Option<&str>,
    status_uri: Option<&str>,
) -> AppResult<()> {
    let fav = match like_uri {
        Some(uri) => db::statuses::favourite_by_uri(state.pool(), uri).await?,
        None => None,
    };
    let fav = match (fav, status_uri) {
        (Some(f), _) => Some(f),
        (None, Some(uri)) => match db::statuses::by_uri(state.pool(), uri).await? {
            Some(s) => db::statuses::favourite(state.pool(), account_id, s.id).await?,
            None => None,
        },
        (None, None) => None,
    };
    if let Some(f) = fav.filter(|f| f.account_id == account_id) {
        let mut tx = state.db.begin().await?;
        db::statuses::delete_favourite(&mut tx, f.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Records a remote account's boost of a post we have.
pub async fn reblog_remote(
    state: &AppState,
    account_id: i64,
    announce_uri: &str,
    original: &StatusRow,
    published: i64,
) -> AppResult<()> {
    if db::statuses::by_uri(state.pool(), announce_uri)
        .await?
        .is_some()
    {
        return Ok(());
    }
    if !original.visibility.is_public() {
        return Err(AppError::forbidden("error-reblog-private"));
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let new = db::statuses::NewStatus {
        uri: Some(announce_uri),
        url: None,
        account_id,
        local: false,
        visibility: Visibility::Public,
        in_reply_to_id: None,
        in_reply_to_uri: None,
        in_reply_to_account_id: None,
        reblog_of_id: Some(original.id),
        content: "",
        source: None,
        spoiler_text: "",
        sensitive: false,
        language: None,
        created_at: published.min(now),
        group_id: None,
        circle: None,
        title: None,
    };
    let Some(id) = db::statuses::insert(&mut tx, &state.ids, &new, |_| {
        (announce_uri.to_string(), None)
    })
    .await?
    else {
        return Ok(());
    };
    let readers = db::social::local_followers(&mut tx, account_id).await?;
    db::social::add_to_feeds(&mut tx, id, &readers).await?;
    db::social::notify(
        &mut tx,
        original.account_id,
        account_id,
        NotificationKind::Reblog,
        Some(original.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
