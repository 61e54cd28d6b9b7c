//! The federation library's view of our data: [`ApAccount`] and [`ApNote`] are newtypes over
//! stored rows that know how to be fetched, checked and stored. Fetching through them goes
//! through the library's fetch limit (which bounds recursion: a reply's parent's parent...).

use super::protocol::{self, PUBLIC, same_origin};
use super::runtime;
use crate::{
    clock,
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{Circle, NotificationKind, Visibility, html},
    error::AppError,
    service::statuses::{self as posts, RemoteStatus},
    state::AppState,
};
use activitypub_federation::{
    config::Data,
    fetch::object_id::ObjectId,
    traits::{Actor, Object},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use url::Url;

/// How deep a chain of missing parents is fetched before giving up on the rest.
pub const MAX_PARENT_DEPTH: u32 = 8;

impl From<activitypub_federation::error::Error> for AppError {
    fn from(e: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as E;
        let status = match &e {
            E::NotFound | E::ObjectDeleted(_) => axum::http::StatusCode::NOT_FOUND,
            E::RequestLimit => axum::http::StatusCode::TOO_MANY_REQUESTS,
            E::UrlVerificationError(_) | E::FetchWrongId(_) | E::FetchInvalidContentType(_) => {
                axum::http::StatusCode::BAD_REQUEST
            }
            _ => axum::http::StatusCode::BAD_GATEWAY,
        };
        let mut err = AppError::new(status, "error-federation");
        err.source = Some(anyhow::anyhow!("{e}"));
        err
    }
}

/// An account, as the federation library sees it.
#[derive(Debug, Clone)]
pub struct ApAccount {
    /// The stored row.
    pub row: AccountRow,
    id: Url,
}

impl ApAccount {
    /// Wraps a stored account.
    pub fn new(row: AccountRow) -> Result<Self, AppError> {
        let id = Url::parse(&row.uri).map_err(AppError::internal)?;
        Ok(ApAccount { row, id })
    }
}

#[async_trait]
impl Object for ApAccount {
    type DataType = AppState;
    type Kind = protocol::Actor;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn last_refreshed_at(&self) -> Option<DateTime<Utc>> {
        if self.row.is_local() {
            None
        } else {
            Some(clock::to_datetime(self.row.fetched_at.unwrap_or(0)))
        }
    }

    async fn read_from_id(id: Url, data: &Data<AppState>) -> Result<Option<Self>, AppError> {
        match db::accounts::by_uri(data.pool(), id.as_str()).await? {
            Some(row) if row.deleted_at.is_none() || row.is_local() => {
                Ok(Some(ApAccount::new(row)?))
            }
            _ => Ok(None),
        }
    }

    async fn delete(&self, data: &Data<AppState>) -> Result<(), AppError> {
        if !self.row.is_local() {
            let mut tx = data.db.begin().await?;
            db::accounts::erase_activity(&mut tx, self.row.id, clock::now()).await?;
            tx.commit().await?;
            db::accounts::mark_remote_deleted(data.pool(), self.row.id, clock::now()).await?;
            runtime(data).signers.forget(&self.row.uri);
        }
        Ok(())
    }

    async fn into_json(self, data: &Data<AppState>) -> Result<protocol::Actor, AppError> {
        // As the library reads and wraps it: without our `@context`.
        let mut actor =
            super::render::actor_object(data.app_data(), &self.row).map_err(AppError::internal)?;
        actor.context = None;
        Ok(actor)
    }

    async fn verify(
        json: &protocol::Actor,
        expected: &Url,
        data: &Data<AppState>,
    ) -> Result<(), AppError> {
        if !same_origin(&json.id, expected) || data.config.is_local_url(&json.id) {
            return Err(AppError::bad_request("error-federation-spoofed"));
        }
        let inbox = json
            .inbox
            .as_ref()
            .ok_or_else(|| AppError::bad_request("error-federation-invalid"))?;
        if !same_origin(inbox, &json.id) {
            return Err(AppError::bad_request("error-federation-spoofed"));
        }
        let key = json
            .public_key
            .as_ref()
            .ok_or_else(|| AppError::bad_request("error-federation-invalid"))?;
        if key.owner.as_deref().is_some_and(|o| o != json.id.as_str()) {
            return Err(AppError::bad_request("error-federation-key-owner"));
        }
        if let Ok(key_url) = Url::parse(&key.id)
            && !same_origin(&key_url, &json.id)
        {
            return Err(AppError::bad_request("error-federation-spoofed"));
        }
        Ok(())
    }

    async fn from_json(json: protocol::Actor, data: &Data<AppState>) -> Result<Self, AppError> {
        let key = json
            .public_key
            .clone()
            .ok_or_else(|| AppError::bad_request("error-federation-invalid"))?;
        let username = json
            .preferred_username
            .clone()
            .filter(|u| !u.is_empty() && u.len() <= 100)
            .or_else(|| {
                json.id
                    .path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_string))
            })
            .unwrap_or_else(|| "unknown".to_string());
        let fields: Vec<serde_json::Value> = json
            .fields()
            .into_iter()
            .map(|(name, value)| serde_json::json!({ "name": name, "value": html::sanitize(&value) }))
            .collect();
        let display_name: String = json
            .name
            .clone()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let note = html::sanitize(json.summary.as_deref().unwrap_or(""));
        let domain = protocol::domain_of(&json.id);
        let now = clock::now();
        let inbox = json.inbox.as_ref().map(Url::to_string).unwrap_or_default();
        let shared = json
            .endpoints
            .as_ref()
            .and_then(|e| e.shared_inbox.as_ref())
            .filter(|u| same_origin(u, &json.id))
            .map(Url::to_string);
        // An actor's collections are on its own server: a followers collection named
        // elsewhere (one of our groups' members, say) would make its posts read as addressed
        // to that collection.
        fn own<'a>(url: &'a Option<Url>, id: &Url) -> Option<&'a str> {
            url.as_ref().filter(|u| same_origin(u, id)).map(Url::as_str)
        }
        let id = db::accounts::upsert_remote(
            data.pool(),
            &db::accounts::RemoteActor {
                uri: json.id.as_str(),
                username: &username,
                domain: &domain,
                actor_type: &json.kind,
                display_name: &display_name,
                note_html: &note,
                locked: json.manually_approves_followers,
                discoverable: json.is_discoverable(),
                public_key_pem: &key.public_key_pem,
                key_id: &key.id,
                inbox_url: &inbox,
                shared_inbox_url: shared.as_deref(),
                outbox_url: own(&json.outbox, &json.id),
                followers_url: own(&json.followers, &json.id),
                following_url: own(&json.following, &json.id),
                url: json.url.as_ref().map(Url::as_str),
                // Shown from here once recorded as media (below).
                avatar_url: None,
                header_url: None,
                fields_json: &serde_json::Value::Array(fields).to_string(),
                created_at: json
                    .published
                    .map(|p| p.timestamp_micros())
                    .unwrap_or(now)
                    .min(now),
                now,
            },
        )
        .await?
        .ok_or_else(|| AppError::bad_request("error-federation-actor-kind"))?;
        // A new key, perhaps: the next signature is checked against this version.
        runtime(data).signers.forget(json.id.as_str());
        let row = db::accounts::by_id(data.pool(), id)
            .await?
            .ok_or_else(AppError::not_found)?;
        // Its picture and banner: copied here when someone looks at them, served from here.
        let state = data.app_data();
        let image = |u: &Option<Url>| {
            u.as_ref()
                .filter(|u| super::media::may_fetch(state, u))
                .map(Url::to_string)
        };
        for (used_for, address) in [
            (crate::domain::media::MediaUse::Avatar, image(&json.icon)),
            (crate::domain::media::MediaUse::Header, image(&json.image)),
        ] {
            crate::service::media::remember_account_image(
                state,
                &row,
                used_for,
                address.as_deref(),
            )
            .await?;
        }
        let row = db::accounts::by_id(data.pool(), id)
            .await?
            .ok_or_else(AppError::not_found)?;
        // Where its pinned posts are (fetched when apps ask for them).
        crate::service::statuses::menu::remember_featured(
            data.app_data(),
            &row,
            own(&json.featured, &json.id),
        )
        .await?;
        if json.kind == "Group" {
            let (postcode, commune) = json.postal_address();
            let members_url = json
                .members
                .as_ref()
                .filter(|m| same_origin(m, &json.id))
                .map(Url::to_string);
            crate::service::groups::remember_remote(
                data.app_data(),
                &row,
                crate::service::groups::RemoteGroupInfo {
                    kind: json.group_kind.clone(),
                    join_mode: json
                        .openness
                        .as_deref()
                        .map(crate::domain::JoinMode::from_openness),
                    postcode,
                    commune,
                    departement: json.departement.clone(),
                    members_url,
                    sympathizers_can_post: json.sympathizers_can_post.unwrap_or(false),
                },
            )
            .await?;
        }
        ApAccount::new(row)
    }
}

impl Actor for ApAccount {
    fn public_key_pem(&self) -> &str {
        &self.row.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        self.row.private_key_pem.clone()
    }

    fn inbox(&self) -> Url {
        let inbox = match &self.row.inbox_url {
            Some(i) => i.clone(),
            None => format!("{}/inbox", self.row.uri),
        };
        Url::parse(&inbox).unwrap_or_else(|_| self.id.clone())
    }
}

/// A post, as the federation library sees it.
#[derive(Debug, Clone)]
pub struct ApNote {
    /// The stored row.
    pub row: StatusRow,
    id: Url,
}

impl ApNote {
    /// Wraps a stored post.
    pub fn new(row: StatusRow) -> Result<Self, AppError> {
        let id = Url::parse(&row.uri).map_err(AppError::internal)?;
        Ok(ApNote { row, id })
    }
}

/// The visibility a post's addressing expresses, as Mastodon infers it.
pub fn visibility_of(to: &[String], cc: &[String], followers: Option<&str>) -> Visibility {
    if to.iter().any(|a| a == PUBLIC) {
        Visibility::Public
    } else if cc.iter().any(|a| a == PUBLIC) {
        Visibility::Unlisted
    } else if followers.is_some_and(|f| to.iter().chain(cc).any(|a| a == f)) {
        Visibility::Private
    } else {
        Visibility::Direct
    }
}

/// The addresses of a note that could name its group, the first found winning: `audience`
/// first, then the group `attributedTo` names (Mobilizon's and coopol's events), then its addressees and mentions (the public address and collections cannot be
/// groups); at most 50.
pub(crate) fn group_candidates(json: &protocol::Note) -> Vec<&str> {
    json.audience
        .iter()
        .chain(json.attributed_group())
        .map(Url::as_str)
        .chain(json.to.iter().chain(json.cc.iter()).map(String::as_str))
        .chain(
            json.tag
                .iter()
                .filter(|t| t.kind == "Mention")
                .filter_map(|t| t.href.as_deref()),
        )
        .filter(|u| *u != PUBLIC && !u.ends_with("/followers") && !u.ends_with("/members"))
        .take(50)
        .collect()
}

/// The group a remote post is written in (its `audience`, else a group it is addressed to or
/// mentions, else its parent's group) and the circle that may read it (coopol's `circle`, else
/// what its addressing says).
async fn group_of(
    state: &AppState,
    json: &protocol::Note,
) -> Result<(Option<i64>, Option<Circle>), AppError> {
    let wanted = group_candidates(json);
    let found = db::accounts::groups_among(state.pool(), &wanted).await?;
    let group = wanted
        .iter()
        .find_map(|u| found.iter().find(|a| a.uri == *u))
        .cloned();
    let parent = match &json.in_reply_to {
        Some(p) => db::statuses::by_uri(state.pool(), p.as_str()).await?,
        None => None,
    };
    let group_id = match (group, &parent) {
        (Some(g), _) => g.id,
        (None, Some(p)) if p.group_id.is_some() => p.group_id.unwrap_or_default(),
        _ => return Ok((None, None)),
    };
    let addressed: Vec<&String> = json.to.iter().chain(json.cc.iter()).collect();
    let circle = match json.circle.as_deref().map(Circle::parse) {
        Some(Ok(c)) => c,
        _ if addressed.iter().any(|a| *a == PUBLIC) => Circle::Public,
        _ => {
            let row = db::groups::by_id(state.pool(), group_id).await?;
            let account = db::accounts::by_id(state.pool(), group_id).await?;
            let members = match (&account, &row) {
                (Some(a), r) => Some(super::render::group_address(a, r.as_ref()).members),
                _ => None,
            };
            if members.is_some_and(|m| addressed.iter().any(|a| **a == m)) {
                Circle::Members
            } else if let Some(pc) = parent.as_ref().and_then(|p| p.circle) {
                pc
            } else {
                Circle::Sympathizers
            }
        }
    };
    Ok((Some(group_id), Some(circle)))
}

/// A note's hashtags as stored (lower case, without `#`, at most 30 of at most 100
/// characters).
pub(crate) fn hashtags(json: &protocol::Note) -> Vec<String> {
    json.tag
        .iter()
        .filter(|t| t.kind == "Hashtag")
        .filter_map(|t| t.name.as_ref())
        .map(|n| n.trim_start_matches('#').to_lowercase())
        .filter(|n| !n.is_empty() && n.chars().count() <= 100)
        .take(30)
        .collect()
}

/// The hashtags of a public note (addressed to the public, not only copied to it) that someone
/// here follows: such a note is wanted here even when nobody follows its author, for their home
/// timelines, as a post addressed to us is. Empty for any other note.
pub(crate) fn followed_hashtags(
    json: &protocol::Note,
    followed: impl Fn(&str) -> bool,
) -> Vec<String> {
    if visibility_of(&json.to, &json.cc, None) != Visibility::Public {
        return Vec::new();
    }
    hashtags(json).into_iter().filter(|t| followed(t)).collect()
}

/// Turns a checked remote note into what the service stores: author, visibility, mentions of
/// accounts we know (local ones and remote ones already stored), sanitized content.
pub async fn remote_status(
    state: &AppState,
    json: &protocol::Note,
    author: &AccountRow,
) -> Result<RemoteStatus, AppError> {
    let named = named_accounts(state.config.public_url.as_str(), json);
    let found = {
        let mut conn = state.pool().acquire().await?;
        db::accounts::by_uris(&mut conn, &named).await?
    };
    let mentioned = mentioned_among(&named, |uri| found.iter().find(|a| a.uri == uri));
    let (group_id, circle) = group_of(state, json).await?;
    Ok(build_remote_status(
        json,
        author.id,
        author.followers_url.as_deref(),
        mentioned,
        group_id,
        circle,
    ))
}

/// The ids of the accounts a note names: its mentions, then the local actors it is addressed
/// to directly (who can see it even without a Mention tag), each once.
pub(crate) fn named_accounts<'a>(public_url: &str, json: &'a protocol::Note) -> Vec<&'a str> {
    let mention_hrefs = json
        .tag
        .iter()
        .filter(|t| t.kind == "Mention")
        .filter_map(|t| t.href.as_deref());
    let addressed = json
        .to
        .iter()
        .chain(json.cc.iter())
        .map(String::as_str)
        .filter(|a| a.starts_with(public_url));
    let mut named: Vec<&str> = Vec::new();
    for uri in mention_hrefs.chain(addressed) {
        if !named.contains(&uri) {
            named.push(uri);
        }
    }
    named
}

/// The accounts mentioned, in the order named, among the accounts `found` for those names:
/// neither deleted nor the instance's own actor.
pub(crate) fn mentioned_among<'a>(
    named: &[&str],
    found: impl Fn(&str) -> Option<&'a AccountRow>,
) -> Vec<AccountRow> {
    named
        .iter()
        .filter_map(|uri| found(uri))
        .filter(|a| a.deleted_at.is_none() && !a.is_instance_actor())
        .cloned()
        .collect()
}

/// Turns a checked remote note into what the service stores, once its mentions and group
/// are known: visibility (which needs the author's followers collection), sanitized content
/// and content warning, hashtags, title.
pub(crate) fn build_remote_status(
    json: &protocol::Note,
    author_id: i64,
    followers_url: Option<&str>,
    mentioned: Vec<AccountRow>,
    group_id: Option<i64>,
    circle: Option<Circle>,
) -> RemoteStatus {
    let visibility = visibility_of(&json.to, &json.cc, followers_url);
    let tags = hashtags(json);
    // Mastodon uses `summary` as the content warning of notes; for articles and pages it is a
    // description, shown as part of the content instead.
    let (spoiler, content) = match json.kind.as_str() {
        "Note" | "Question" => (json.summary.clone().unwrap_or_default(), json.html()),
        _ => (String::new(), json.html()),
    };
    let spoiler: String = html::sanitize(&spoiler)
        .replace("<p>", "")
        .replace("</p>", "")
        .chars()
        .take(1000)
        .collect();
    // In a group, the name of a Lemmy page or an article is its discussion's title, kept
    // apart from its text (elsewhere it leads the text, as Mastodon shows it).
    let titled_page = group_id.is_some()
        && matches!(json.kind.as_str(), "Page" | "Article")
        && json.name.as_deref().is_some_and(|n| !n.trim().is_empty());
    let content = if titled_page {
        let mut untitled = json.clone();
        untitled.name = None;
        untitled.html()
    } else {
        content
    };
    let mut content = html::sanitize(&content);
    if content.chars().count() > 100_000 {
        content = content.chars().take(100_000).collect();
    }
    let title = match json.kind.as_str() {
        "Note" | "Page" | "Article" if json.kind == "Note" || titled_page => json
            .name
            .as_deref()
            .map(|n| {
                n.trim()
                    .chars()
                    .take(crate::service::groups::MAX_TITLE)
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty()),
        _ => None,
    };
    RemoteStatus {
        group_id,
        circle,
        title,
        uri: json.id.to_string(),
        url: json.url.page.as_ref().map(Url::to_string),
        account_id: author_id,
        visibility,
        in_reply_to_uri: json.in_reply_to.as_ref().map(Url::to_string),
        content,
        spoiler_text: spoiler,
        sensitive: json.sensitive,
        language: json.language(),
        created_at: json
            .published
            .map(|p| p.timestamp_micros())
            .unwrap_or_else(clock::now),
        updated_at: json.updated.map(|u| u.timestamp_micros()),
        mentioned,
        tags,
        media: super::media::of_note(json),
    }
}

#[async_trait]
impl Object for ApNote {
    type DataType = AppState;
    type Kind = protocol::Note;
    type Error = AppError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(id: Url, data: &Data<AppState>) -> Result<Option<Self>, AppError> {
        match db::statuses::by_uri(data.pool(), id.as_str()).await? {
            Some(row) => Ok(Some(ApNote::new(row)?)),
            None => Ok(None),
        }
    }

    async fn into_json(self, data: &Data<AppState>) -> Result<protocol::Note, AppError> {
        let state = data.app_data();
        let author = db::accounts::by_id(state.pool(), self.row.account_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let group = match self.row.group_id {
            Some(g) => super::activities::load_group(state, g).await?,
            None => None,
        };
        let media = db::media::of_statuses(state.pool(), &[self.row.id]).await?;
        super::render::note(
            state,
            &self.row,
            &super::render::NoteParts {
                author: &author,
                mentioned: &[],
                tags: &[],
                group: group.as_ref().map(|(_, _, a)| a),
                media: &media,
            },
        )
        .map_err(AppError::internal)
    }

    async fn verify(
        json: &protocol::Note,
        expected: &Url,
        data: &Data<AppState>,
    ) -> Result<(), AppError> {
        // Our own posts exist here or nowhere: no copy from elsewhere is stored as one.
        if !same_origin(&json.id, expected) || data.config.is_local_url(&json.id) {
            return Err(AppError::bad_request("error-federation-spoofed"));
        }
        let author = json
            .author()
            .ok_or_else(|| AppError::bad_request("error-federation-invalid"))?;
        if !same_origin(author, &json.id) {
            return Err(AppError::bad_request("error-federation-spoofed"));
        }
        Ok(())
    }

    async fn from_json(json: protocol::Note, data: &Data<AppState>) -> Result<Self, AppError> {
        let state = data.app_data();
        if db::statuses::is_tombstoned(state.pool(), json.id.as_str()).await? {
            return Err(AppError::new(
                axum::http::StatusCode::GONE,
                "error-not-found",
            ));
        }
        let author_id = json
            .author()
            .cloned()
            .ok_or_else(|| AppError::bad_request("error-federation-invalid"))?;
        let author = ObjectId::<ApAccount>::from(author_id)
            .dereference(data)
            .await?;
        ApNote::new(store_note(data, json, &author.row).await?)
    }
}

/// Stores a post whose author is known and checked (its own server sent or served it):
/// fetches a missing parent so threads hold together (as far as the fetch budget goes), then
/// keeps the post, its event data, and what it reaches here (feeds, mentions, a group).
pub(crate) async fn store_note(
    data: &Data<AppState>,
    json: protocol::Note,
    author: &AccountRow,
) -> Result<db::statuses::StatusRow, AppError> {
    let state = data.app_data();
    if let Some(parent) = &json.in_reply_to {
        let known = db::statuses::by_uri(state.pool(), parent.as_str())
            .await?
            .is_some();
        if !known
            && data.request_count() < MAX_PARENT_DEPTH
            && let Err(e) =
                Box::pin(ObjectId::<ApNote>::from(parent.clone()).dereference(data)).await
        {
            tracing::debug!(parent = %parent, error = %e.message(crate::domain::Locale::En), "parent not fetched");
        }
    }
    let post = remote_status(state, &json, author).await?;
    let row = posts::store_remote(state, post).await?;
    store_event_data(state, &json, &row).await?;
    super::activities::poll::store_remote(state, &json, &row).await?;
    Ok(row)
}

/// Keeps the event data of an incoming `Event` (created or updated); when its server cancels
/// it, the people here taking part are told.
pub(crate) async fn store_event_data(
    state: &AppState,
    json: &protocol::Note,
    row: &db::statuses::StatusRow,
) -> Result<(), AppError> {
    if let Some(mut event) = remote_event(json, row, state.config.default_time_zone) {
        let before = db::events::by_id(state.pool(), row.id).await?;
        // A shift answers its mission, written by the mission's own author: a stranger's
        // Event answering a mission is an answer, never one of its shifts (it would count
        // in the mission's fill and show on its page).
        if let Some(parent) = row.in_reply_to_id
            && row.in_reply_to_account_id == Some(row.account_id)
            && db::events::by_id(state.pool(), parent)
                .await?
                .is_some_and(|p| p.is_mission != 0)
        {
            event.mission_id = Some(parent);
        }
        let mut conn = state.pool().acquire().await?;
        db::events::upsert(&mut conn, &event).await?;
        // Cancelled by its server: the people here taking part are told.
        if event.status == crate::domain::event::EventStatus::Cancelled
            && before.is_some_and(|b| b.status != crate::domain::event::EventStatus::Cancelled)
        {
            let now = crate::clock::now();
            for p in db::events::participants(state.pool(), row.id).await? {
                if p.state != crate::domain::event::ParticipationState::Rejected
                    && db::accounts::by_id(&mut *conn, p.account_id)
                        .await?
                        .is_some_and(|a| a.is_local())
                {
                    db::social::notify(
                        &mut conn,
                        p.account_id,
                        row.account_id,
                        NotificationKind::EventCancelled,
                        Some(row.id),
                        now,
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// A cancelled event's name without the mark its server put in front so that servers reading
/// only `name` see it (coopol's `❌ ANNULÉ : `): the status says it here.
fn unmarked_name(name: &str, cancelled: bool) -> &str {
    let name = name.trim();
    if !cancelled {
        return name;
    }
    match name.strip_prefix('❌') {
        Some(rest) => rest
            .split_once(':')
            .map_or(rest, |(_, after)| after)
            .trim_start_matches(|c: char| c.is_whitespace()),
        None => name,
    }
}

/// The event data of an `Event` from another server (Mobilizon, Gancio, coopol), if it has a
/// start. Read leniently: an end before the start becomes an hour-long event, a zone not
/// named is the one its offset says (`home`, the instance's, when it fits), a capacity of 0
/// none.
fn remote_event(
    json: &protocol::Note,
    status: &db::statuses::StatusRow,
    home: chrono_tz::Tz,
) -> Option<db::events::EventRow> {
    use crate::domain::event::{EventJoinMode, EventStatus};
    if json.kind != "Event" {
        return None;
    }
    let local_start = json.start_time?;
    let starts = local_start.with_timezone(&chrono::Utc);
    let ends = json
        .end_time
        .map(|e| e.with_timezone(&chrono::Utc))
        .filter(|e| *e > starts)
        .unwrap_or(starts + chrono::Duration::hours(1));
    // The zone it names, else the one its offset says (Gancio names none).
    let timezone = crate::domain::event::Zone(
        json.timezone
            .as_deref()
            .and_then(|t| crate::domain::event::parse_timezone(t).ok())
            .unwrap_or_else(|| crate::domain::event::zone_of_offset(local_start, home)),
    );
    let text = |v: &serde_json::Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(200).collect::<String>())
    };
    let number = |v: &serde_json::Value| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok());
    let coordinate = |v: &serde_json::Value| {
        v.as_f64()
            .or_else(|| v.as_str()?.trim().parse().ok())
            .filter(|f: &f64| f.is_finite() && f.abs() <= 180.0)
            .map(|f| f.to_string())
    };
    // One location, or several (a hybrid meeting: a `Place` and a `VirtualLocation`).
    let locations: Vec<&serde_json::Value> = match &json.location {
        Some(serde_json::Value::Array(list)) => list.iter().take(8).collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let is_virtual = |l: &&serde_json::Value| l["type"] == "VirtualLocation";
    let place = locations
        .iter()
        .copied()
        .find(|l| l.is_object() && !is_virtual(l))
        .cloned()
        .unwrap_or_default();
    let online_url = locations
        .iter()
        .find(|l| is_virtual(l))
        .and_then(|l| text(&l["url"]).or_else(|| text(&l["href"])));
    let location = &place;
    let address = &location["address"];
    let (street, postcode, locality) = if address.is_string() {
        (text(address), None, None)
    } else {
        (
            text(&address["streetAddress"]),
            text(&address["postalCode"]),
            text(&address["addressLocality"]),
        )
    };
    let departement = postcode
        .as_deref()
        .and_then(|p| crate::domain::group::parse_postcode(p).ok())
        .map(|p| crate::domain::group::departement_of(&p));
    let status_of_event = json
        .ical_status
        .as_deref()
        .and_then(|s| EventStatus::parse(s).ok())
        .unwrap_or(EventStatus::Confirmed);
    let cancelled = status_of_event == EventStatus::Cancelled;
    let status_row = status;
    let status = status_of_event;
    let status_id = status_row.id;
    Some(db::events::EventRow {
        status_id,
        name: json
            .name
            .as_deref()
            .map(|n| unmarked_name(n, cancelled).chars().take(200).collect())
            .filter(|n: &String| !n.is_empty())
            .unwrap_or_else(|| "Event".into()),
        starts_at: starts.timestamp_micros(),
        ends_at: ends.timestamp_micros(),
        timezone,
        status,
        join_mode: json
            .join_mode
            .as_deref()
            .and_then(|m| EventJoinMode::parse(m).ok())
            .unwrap_or(EventJoinMode::Free),
        external_url: json
            .external_participation_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        capacity: json
            .maximum_attendee_capacity
            .as_ref()
            .and_then(number)
            .filter(|c| *c > 0),
        category: json.category.clone().map(|c| c.chars().take(50).collect()),
        place_name: text(&location["name"]),
        street,
        postcode,
        locality,
        departement,
        latitude: coordinate(&location["latitude"]),
        longitude: coordinate(&location["longitude"]),
        online_url,
        // The group it was posted in organizes it (as coopol and Mobilizon address it).
        organizer_id: Some(status_row.group_id.unwrap_or(status_row.account_id)),
        is_mission: i64::from(json.mission),
        mission_id: None,
        remote_participants: json.participant_count.as_ref().and_then(number),
        updated_at: json
            .updated
            .or(json.published)
            .map(|t| t.timestamp_micros())
            .unwrap_or_else(crate::clock::now),
        // Occurrences arrive as separate events; the series is known only where it was made.
        series_id: None,
        recurrence: None,
    })
}
