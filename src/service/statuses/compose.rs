//! Writing a local post: what a person writes ([`Compose`]), checked and rendered into a
//! [`Draft`], written with its mentions, tags, feeds, group circles and federation; editing and
//! deleting it.

use super::{outsiders, profile_url, status_uri, status_url, tag_url, visible};
use crate::{
    clock,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{
        Circle, Invalid, NotificationKind, Visibility,
        status::{PostText, ResolvedMention},
    },
    error::{AppError, AppResult},
    service::{
        groups,
        outgoing::{self, Outgoing},
    },
    state::AppState,
};

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
    /// The media to attach, in order (ids as the client sent them); on an edit, `None` keeps
    /// the post's media and `Some` replaces them.
    pub media_ids: Option<Vec<String>>,
    /// A poll (new posts only).
    pub poll: Option<crate::domain::poll::NewPoll>,
    /// The scheduled post being published: the media reserved to it are free for it.
    pub scheduled_id: Option<i64>,
}

/// Finds, once, the accounts a text mentions: those of this server, and those of other
/// servers, known here or fetched from their server (through `service::Remote`). A mention
/// that names nobody stays plain text.
async fn resolve_mentions(
    state: &AppState,
    text: &PostText,
) -> AppResult<(Vec<AccountRow>, Vec<ResolvedMention>)> {
    let mut accounts: Vec<AccountRow> = Vec::new();
    let mut rendered = Vec::new();
    for m in text.mentions() {
        let found = match m.domain.as_deref() {
            Some(d) if !d.eq_ignore_ascii_case(&state.config.domain) => {
                match db::accounts::by_handle(state.pool(), &m.username, Some(d)).await? {
                    Some(a) => Some(a),
                    None => match state.remote() {
                        Some(remote) => remote.account(state, &format!("{}@{d}", m.username)).await,
                        None => None,
                    },
                }
            }
            _ => db::accounts::local_by_username(state.pool(), &m.username).await?,
        };
        let Some(account) = found.filter(|a| a.deleted_at.is_none() && !a.is_instance_actor())
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
) -> AppResult<Option<(groups::Group, Circle)>> {
    if let Some(p) = parent
        && let (Some(gid), Some(circle)) = (p.group_id, p.circle)
        && let Some(group) = groups::load(state, gid).await?
    {
        if circle == Circle::Public || groups::may_post(state, &group, author.id, circle).await? {
            return Ok(Some((group, circle)));
        }
        return Ok(None);
    }
    if !visibility.is_public() {
        return Ok(None);
    }
    for m in mentioned.iter().filter(|m| m.actor_type == "Group") {
        if let Some(group) = groups::load(state, m.id).await?
            && groups::may_post(state, &group, author.id, Circle::Public).await?
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
    group: Option<(&groups::Group, Circle, Option<String>)>,
) -> AppResult<StatusRow> {
    // An account that moved keeps its posts and writes no more.
    crate::service::moving::ensure_not_moved(author)?;
    if let Some(key) = input.idempotency_key.as_deref().filter(|k| !k.is_empty()) {
        let since = clock::now() - db::statuses::IDEMPOTENCY_WINDOW_MICROS;
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
    state.streams.created([id]);
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
    group: Option<groups::Group>,
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
    /// Its attachments (checked), in order.
    media: Vec<i64>,
    /// Its poll.
    poll: Option<crate::domain::poll::NewPoll>,
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
    group: Option<(&groups::Group, Circle, Option<String>)>,
) -> AppResult<Draft> {
    let media = match &input.media_ids {
        Some(ids) => {
            crate::service::media::for_new_post(state, author, ids, input.scheduled_id).await?
        }
        None => Vec::new(),
    };
    if input.poll.is_some() && !media.is_empty() {
        return Err(Invalid::new("poll", "error-poll-with-media").into());
    }
    let text = PostText::parse_with_media(&input.text, &input.spoiler_text, media.len())?;
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
    let (mentioned, rendered) = resolve_mentions(state, &text).await?;
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
        && groups::thread_root(state, p).await?.thread_locked != 0
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
    let html = text.render(&rendered, |t| tag_url(state, t));
    let tags = text.hashtags().to_vec();
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
        media,
        poll: input.poll,
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
    if draft.visibility == Visibility::Direct {
        let parent = draft.parent.as_ref().map(|p| p.id);
        crate::service::conversations::record(
            tx,
            id,
            draft.author_id,
            true,
            parent,
            &draft.mentioned,
        )
        .await?;
    }
    db::statuses::replace_tags(tx, id, &draft.tags).await?;
    if !draft.media.is_empty()
        && !db::media::attach(tx, draft.author_id, id, &draft.media, now).await?
    {
        return Err(Invalid::new("media_ids", "error-media-used").into());
    }
    crate::service::cards::record(
        state,
        tx,
        id,
        &draft.text,
        !draft.media.is_empty(),
        draft.visibility,
    )
    .await?;
    if let Some(poll) = &draft.poll {
        crate::service::polls::write_new(tx, id, poll, now).await?;
    }
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
        groups::distribute(tx, g, id, c).await?;
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
    let media = match &input.media_ids {
        Some(ids) => Some(crate::service::media::for_post(state, author, ids, Some(id)).await?),
        None => None,
    };
    let media_count = match &media {
        Some(m) => m.len(),
        None => db::media::of_statuses(state.pool(), &[id]).await?.len(),
    };
    let text = PostText::parse_with_media(&input.text, &input.spoiler_text, media_count)?;
    let (mentioned, rendered) = resolve_mentions(state, &text).await?;
    let html = text.render(&rendered, |t| tag_url(state, t));
    let tags = text.hashtags().to_vec();
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
    if let Some(media) = &media
        && !db::media::attach(&mut tx, author.id, id, media, now).await?
    {
        return Err(Invalid::new("media_ids", "error-media-used").into());
    }
    crate::service::cards::record(
        state,
        &mut tx,
        id,
        &input.text,
        media_count > 0,
        status.visibility,
    )
    .await?;
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
    state.streams.edited(id);
    db::statuses::by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
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
    let gone = crate::service::streams::deletion(state, &status).await?;
    let was_event = db::events::by_id(state.pool(), id).await?.is_some();
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
                was_event,
            }),
        };
        if let Some(event) = event {
            outgoing::push(&mut tx, &event).await?;
        }
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    state.streams.publish(vec![gone]);
    Ok(status)
}
