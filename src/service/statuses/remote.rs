//! Posts from other servers, already checked and sanitized by federation: stored (one by one,
//! or many in the caller's transaction), edited and deleted on their author's word.

use super::{can_see, outsiders};
use crate::{
    clock,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{
        Circle, NotificationKind, Visibility,
        media::{Focus, MediaKind, MediaUse},
    },
    error::{AppError, AppResult},
    service::{
        groups,
        outgoing::{self, Outgoing},
    },
    state::AppState,
};

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
    /// Its media (at most four, checked by federation), in order.
    pub media: Vec<RemoteMedia>,
}

/// A medium of a post from another server, as its document describes it (checked by
/// federation: an http(s) address, a known kind, the alt text cut, a well-formed blurhash).
/// Recorded by its address; its file is fetched when someone here looks at it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteMedia {
    /// Its address on its server (or a CDN).
    pub url: String,
    /// Picture, video, sound or document.
    pub kind: MediaKind,
    /// Alt text.
    pub description: String,
    /// Blurhash.
    pub blurhash: Option<String>,
    /// Focal point.
    pub focus: Option<Focus>,
    /// Width in pixels, when given.
    pub width: Option<i64>,
    /// Height in pixels, when given.
    pub height: Option<i64>,
}

impl RemoteMedia {
    /// The row recording it for a post.
    fn row<'a>(
        &'a self,
        id: i64,
        token: &'a str,
        account_id: i64,
        status_id: i64,
        position: usize,
        now: i64,
    ) -> db::media::NewRemote<'a> {
        db::media::NewRemote {
            id,
            account_id,
            status_id: Some(status_id),
            position: position as i64,
            used_for: MediaUse::Status,
            kind: self.kind,
            token,
            remote_url: &self.url,
            description: &self.description,
            blurhash: self.blurhash.as_deref(),
            focus: self.focus.map(|f| (f.x, f.y)),
            width: self.width,
            height: self.height,
            now,
        }
    }
}

/// Records the media of new remote posts (post id, author, media), a statement for all.
async fn record_media(
    tx: &mut sqlx::AnyConnection,
    ids: &crate::ids::IdGenerator,
    posts: &[(i64, i64, &[RemoteMedia])],
    now: i64,
) -> Result<(), sqlx::Error> {
    let tokens: Vec<Vec<String>> = posts
        .iter()
        .map(|(_, _, media)| {
            media
                .iter()
                .map(|_| crate::crypto::random_token(16))
                .collect()
        })
        .collect();
    let mut rows = Vec::new();
    for ((status_id, author, media), tokens) in posts.iter().zip(&tokens) {
        for (position, (m, token)) in media.iter().zip(tokens).enumerate() {
            rows.push(m.row(ids.next(), token, *author, *status_id, position, now));
        }
    }
    db::media::insert_remote_many(tx, &rows).await
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
        Some(g) => groups::load(state, g).await?,
        None => None,
    };
    let circle = post.circle.filter(|_| group.is_some());
    // A local group takes the post into its circle when the author may post there: members,
    // followers when the group allows it, and anyone answering in a public thread (debates
    // cross servers and parties). Never in a locked thread.
    let distribute_in = match (&group, circle) {
        (Some(g), Some(c)) if g.is_local() => {
            let allowed = groups::may_post(state, g, post.account_id, c).await?
                || (c == Circle::Public
                    && parent.as_ref().is_some_and(|p| {
                        p.group_id == Some(g.account.id) && p.circle == Some(Circle::Public)
                    }));
            let locked = match &parent {
                Some(p) => groups::thread_root(state, p).await?.thread_locked != 0,
                None => false,
            };
            (allowed && !locked).then(|| (g.clone(), c))
        }
        _ => None,
    };
    // A local group's circles are decided here: a post it does not take in is in none of
    // them, whatever it claims (its own addressing says who reads it), and is no group's event
    // or discussion (rule T5).
    // Its author is told (`Reject` of the `Create`), as a server answering at once would.
    let (group, circle, refused_by) = match group {
        Some(g) if g.is_local() && distribute_in.is_none() => (None, None, Some(g.account.id)),
        _ => (group, circle, None),
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
        groups::distribute(&mut tx, g, id, *c).await?;
    }
    if let Some(group_id) = refused_by {
        crate::service::outgoing::push(
            &mut tx,
            &crate::service::outgoing::Outgoing::RejectGroupPost {
                group_id,
                author_id: post.account_id,
                status_uri: post.uri.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    if distribute_in.is_some() || refused_by.is_some() {
        state.outbox_ready.notify_one();
    }
    state.streams.created([id]);
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
    let media: Vec<(i64, i64, &[RemoteMedia])> = posts
        .iter()
        .zip(&stored)
        .filter_map(|((post, _), id)| Some(((*id)?, post.account_id, post.media.as_slice())))
        .filter(|(_, _, media)| !media.is_empty())
        .collect();
    record_media(tx, ids, &media, now).await?;
    db::statuses::insert_mentions_many(tx, &mentions).await?;
    db::statuses::insert_tags_many(tx, &tags).await?;
    db::social::notify_many(tx, &notifications, now).await?;
    db::social::add_to_feeds_many(tx, &feeds).await?;
    db::statuses::adopt_orphans(tx, &uris).await?;
    for ((post, place), id) in posts.iter().zip(&stored) {
        if let (Some(id), Visibility::Direct) = (*id, place.visibility) {
            let parent = place.parent.map(|p| p.id);
            crate::service::conversations::record(
                tx,
                id,
                post.account_id,
                false,
                parent,
                &post.mentioned,
            )
            .await?;
        }
    }
    Ok(stored)
}

/// Applies an edit of a remote post by its author (`update_uri`: the id of its `Update`);
/// `false` when the post is unknown here or the edit is older than the version stored. The
/// local groups that placed the post pass the edit on to their circles.
pub async fn update_remote(
    state: &AppState,
    post: RemoteStatus,
    update_uri: &str,
) -> AppResult<bool> {
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
    replace_media(&mut tx, &state.ids, &existing, &post.media, now).await?;
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
    let groups = db::groups::local_post_groups(&mut *tx, existing.id).await?;
    for (group_id, _) in &groups {
        outgoing::push(
            &mut tx,
            &Outgoing::GroupAnnounceUpdate {
                group_id: *group_id,
                status_id: existing.id,
                activity_uri: update_uri.to_string(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    if !groups.is_empty() {
        state.outbox_ready.notify_one();
    }
    state.streams.edited(existing.id);
    Ok(true)
}

/// Replaces the media of an edited remote post: a medium still at the same address keeps its
/// row (and its cached file) with what the edit says of it (alt text, blurhash, place); the
/// others go to the sweep; new ones are recorded.
async fn replace_media(
    tx: &mut sqlx::AnyConnection,
    ids: &crate::ids::IdGenerator,
    post: &StatusRow,
    media: &[RemoteMedia],
    now: i64,
) -> Result<(), sqlx::Error> {
    let before = db::media::of_status(&mut *tx, post.id).await?;
    for old in &before {
        if !media
            .iter()
            .any(|m| Some(&m.url) == old.remote_url.as_ref())
        {
            db::media::detach(&mut *tx, old.id, now).await?;
        }
    }
    let mut fresh = Vec::new();
    let tokens: Vec<String> = media
        .iter()
        .map(|_| crate::crypto::random_token(16))
        .collect();
    for (position, (m, token)) in media.iter().zip(&tokens).enumerate() {
        let row = m.row(ids.next(), token, post.account_id, post.id, position, now);
        match before
            .iter()
            .find(|b| b.remote_url.as_deref() == Some(m.url.as_str()))
        {
            Some(kept) => db::media::update_remote(&mut *tx, kept.id, &row).await?,
            None => fresh.push(row),
        }
    }
    db::media::insert_remote_many(tx, &fresh).await
}

/// Deletes a remote post (or boost) on its author's word. An id unknown here is remembered
/// (a tombstone, so a late `Create` does not bring it back) only when it is on the author's
/// own server: nobody may refuse in advance the posts of another (docs/SECURITY.md, rule T6).
pub async fn delete_remote(state: &AppState, uri: &str, author: &AccountRow) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    let mut gone = None;
    match db::statuses::by_uri(&mut *tx, uri).await? {
        Some(s) if s.account_id == author.id => {
            gone = Some(crate::service::streams::deletion(state, &s).await?);
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
    if let Some(gone) = gone {
        state.streams.publish(vec![gone]);
    }
    Ok(())
}
