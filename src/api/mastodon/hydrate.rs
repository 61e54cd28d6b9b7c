//! From the service's read models ([`views`]) to the API's JSON entities. Loading happens in
//! the service, in batches; this module only converts.

use super::entities::{
    Account, MediaAttachment, Mention, Notification, PreviewCard, Relationship, Status, TagRef,
};
use crate::{
    clock,
    db::{accounts::AccountRow, social::NotificationRow, statuses::StatusRow},
    error::AppResult,
    service::{
        relationships, statuses as posts,
        views::{self, AccountView, NotificationView, StatusView},
    },
    state::AppState,
};

/// An account view as an API entity.
pub fn account_entity(state: &AppState, view: &AccountView) -> Account {
    let mut a = Account::from_row(state, &view.row);
    if let Some(s) = &view.stats {
        a.followers_count = s.followers;
        a.following_count = s.following;
        a.statuses_count = s.statuses;
        a.last_status_at = s.last_status_at.map(clock::to_date);
    }
    a
}

/// Accounts as API entities, with their counts, in the order given.
pub async fn accounts(state: &AppState, rows: &[AccountRow]) -> AppResult<Vec<Account>> {
    Ok(views::accounts(state, rows)
        .await?
        .iter()
        .map(|v| account_entity(state, v))
        .collect())
}

/// One account as an API entity, with the account it moved to (`moved`), if it moved.
pub async fn account(state: &AppState, row: &AccountRow) -> AppResult<Account> {
    let mut entity = accounts(state, std::slice::from_ref(row)).await?.remove(0);
    if let Some(target) = crate::service::moving::moved_to(state, row).await? {
        entity.moved = Some(Box::new(accounts(state, &[target]).await?.remove(0)));
    }
    Ok(entity)
}

fn acct(a: &AccountRow) -> String {
    match &a.domain {
        Some(d) => format!("{}@{d}", a.username),
        None => a.username.clone(),
    }
}

/// A post view as an API entity.
pub fn status_entity(state: &AppState, v: &StatusView) -> Status {
    let s = &v.row;
    Status {
        id: s.id.to_string(),
        created_at: clock::to_rfc3339(s.created_at),
        in_reply_to_id: s.in_reply_to_id.map(|i| i.to_string()),
        in_reply_to_account_id: s.in_reply_to_account_id.map(|i| i.to_string()),
        sensitive: s.sensitive != 0,
        // Plain text in Mastodon's API; remote posts keep theirs as sanitized HTML.
        spoiler_text: if s.local != 0 {
            s.spoiler_text.clone()
        } else {
            crate::domain::html::to_plain_text(&s.spoiler_text)
        },
        // Apps know four visibilities: a group's closed circles read as followers-only.
        visibility: s.visibility.api_name().to_string(),
        language: s.language.clone(),
        uri: s.uri.clone(),
        url: s.url.clone(),
        replies_count: v.replies,
        reblogs_count: v.reblogs,
        favourites_count: v.favourites,
        edited_at: s.edited_at.map(clock::to_rfc3339),
        favourited: v.favourited,
        reblogged: v.reblogged,
        muted: v.menu.muted,
        bookmarked: v.menu.bookmarked,
        pinned: v.menu.pinned,
        // Apps know no titles: a discussion's title leads its content, as Mastodon shows the
        // name of an article.
        content: match &s.title {
            Some(t) => format!(
                "<p><strong>{}</strong></p>{}",
                crate::domain::html::escape(t),
                s.content
            ),
            None => s.content.clone(),
        },
        filtered: Vec::new(),
        reblog: v.reblog.as_ref().map(|r| Box::new(status_entity(state, r))),
        application: None,
        account: account_entity(state, &v.author),
        media_attachments: v.media.iter().map(|m| media_entity(state, m)).collect(),
        mentions: v
            .mentions
            .iter()
            .map(|a| Mention {
                id: a.id.to_string(),
                username: a.username.clone(),
                url: posts::profile_url(state, a),
                acct: acct(a),
            })
            .collect(),
        tags: v
            .tags
            .iter()
            .map(|name| TagRef {
                name: name.clone(),
                url: posts::tag_url(state, name),
            })
            .collect(),
        emojis: Vec::new(),
        card: v.card.as_ref().map(|c| card_entity(state, c)),
        poll: v.poll.as_ref().map(super::polls::poll_entity),
        text: None,
    }
}

/// A preview card as an API entity; its picture is our copy of the page's.
pub fn card_entity(state: &AppState, card: &crate::service::cards::Card) -> PreviewCard {
    use crate::service::media::{Variant, url};
    let c = &card.row;
    let provider_url = url::Url::parse(&c.url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let image = card
        .image
        .as_ref()
        .and_then(|m| url(state, m, Variant::Original));
    PreviewCard {
        url: c.url.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        kind: "link",
        author_name: String::new(),
        author_url: String::new(),
        provider_name: c.provider_name.clone(),
        provider_url,
        html: String::new(),
        width: card.image.as_ref().and_then(|m| m.width).unwrap_or(0),
        height: card.image.as_ref().and_then(|m| m.height).unwrap_or(0),
        image,
        image_description: String::new(),
        embed_url: String::new(),
        blurhash: card.image.as_ref().and_then(|m| m.blurhash.clone()),
        language: None,
        published_at: None,
        authors: Vec::new(),
    }
}

/// A medium as an API entity.
pub fn media_entity(state: &AppState, m: &crate::db::media::MediaRow) -> MediaAttachment {
    use crate::service::media::{Variant, url};
    use serde_json::{Map, Value, json};
    let size = |w: Option<i64>, h: Option<i64>| -> Option<Value> {
        let (w, h) = (w.filter(|w| *w > 0)?, h.filter(|h| *h > 0)?);
        Some(json!({
            "width": w,
            "height": h,
            "size": format!("{w}x{h}"),
            "aspect": w as f64 / h as f64,
        }))
    };
    let mut meta = Map::new();
    let mut original = size(m.width, m.height).unwrap_or_else(|| json!({}));
    if let Some(ms) = m.duration_ms {
        let seconds = ms as f64 / 1000.0;
        original["duration"] = json!(seconds);
        let whole = ms / 1000;
        let length = format!(
            "{}:{:02}:{:02}.{:02}",
            whole / 3600,
            (whole / 60) % 60,
            whole % 60,
            (ms % 1000) / 10
        );
        meta.insert("length".into(), json!(length));
        meta.insert("duration".into(), json!(seconds));
    }
    meta.insert("original".into(), original);
    if let Some(small) = size(m.preview_width, m.preview_height) {
        meta.insert("small".into(), small);
    }
    if let (Some(x), Some(y)) = (m.focus_x, m.focus_y) {
        meta.insert(
            "focus".into(),
            json!({ "x": x as f64 / 100.0, "y": y as f64 / 100.0 }),
        );
    }
    let ready = m.state == crate::domain::media::MediaState::Ready;
    MediaAttachment {
        id: m.id.to_string(),
        kind: m.kind.api_name(),
        url: ready.then(|| url(state, m, Variant::Original)).flatten(),
        preview_url: ready.then(|| url(state, m, Variant::Small)).flatten(),
        remote_url: m.remote_url.clone(),
        preview_remote_url: None,
        text_url: None,
        meta: Value::Object(meta),
        description: Some(m.description.clone()).filter(|d| !d.is_empty()),
        blurhash: m.blurhash.clone(),
    }
}

/// Posts as API entities, in the order given, as `viewer` sees them.
pub async fn statuses(
    state: &AppState,
    viewer: Option<i64>,
    rows: &[StatusRow],
) -> AppResult<Vec<Status>> {
    Ok(views::statuses(state, viewer, rows)
        .await?
        .iter()
        .map(|v| status_entity(state, v))
        .collect())
}

/// One post as an API entity.
pub async fn status(state: &AppState, viewer: Option<i64>, row: &StatusRow) -> AppResult<Status> {
    statuses(state, viewer, std::slice::from_ref(row))
        .await?
        .pop()
        .ok_or_else(crate::error::AppError::not_found)
}

/// A relationship as an API entity.
pub fn relationship(r: &relationships::Relationship) -> Relationship {
    Relationship {
        id: r.id.to_string(),
        following: r.following,
        // coopol has no per-follow options: a follow (or a request) shows boosts and never
        // notifies of posts, in every language.
        showing_reblogs: r.following || r.requested,
        notifying: false,
        languages: None,
        followed_by: r.followed_by,
        blocking: r.blocking,
        blocked_by: r.blocked_by,
        muting: r.muting,
        muting_notifications: r.muting_notifications,
        requested: r.requested,
        requested_by: r.requested_by,
        domain_blocking: r.domain_blocking,
        endorsed: r.endorsed,
        note: r.note.clone(),
    }
}

pub fn notification_entity(state: &AppState, n: &NotificationView) -> Notification {
    Notification {
        id: n.row.id.to_string(),
        kind: n.row.kind.as_str().to_string(),
        group_key: n.row.shown_group_key(),
        created_at: clock::to_rfc3339(n.row.created_at),
        account: account_entity(state, &n.from),
        status: n.status.as_ref().map(|s| status_entity(state, s)),
        group: n.group.as_ref().map(|g| account_entity(state, g)),
    }
}

/// Notifications as API entities.
pub async fn notifications(
    state: &AppState,
    viewer: i64,
    rows: &[NotificationRow],
) -> AppResult<Vec<Notification>> {
    Ok(views::notifications(state, viewer, rows)
        .await?
        .iter()
        .map(|n| notification_entity(state, n))
        .collect())
}
