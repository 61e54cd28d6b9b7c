//! Announcements (docs.joinmastodon.org/methods/announcements, entities/Announcement): the
//! ones shown now, dismissing one, and reactions with Unicode emoji. Administrators write
//! them in the web interface (`web::announcements`).

use super::extract::{Auth, Params, lenient};
use crate::{
    clock,
    error::AppResult,
    service::announcements::{self, AnnouncementView},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    routing::{get, post, put},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/announcements", get(index))
        .route("/api/v1/announcements/{id}/dismiss", post(dismiss))
        .route(
            "/api/v1/announcements/{id}/reactions/{name}",
            put(react).delete(unreact),
        )
}

/// An announcement (Mastodon's `Announcement`). Rendered for nobody (the streams), it has
/// no `read` and its reactions no `me`, as Mastodon's.
#[derive(Debug, Serialize)]
pub struct Announcement {
    pub id: String,
    pub content: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub all_day: bool,
    pub published_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    pub mentions: Vec<AnnouncementAccount>,
    pub statuses: Vec<AnnouncementStatus>,
    pub tags: Vec<super::entities::TagRef>,
    pub emojis: Vec<Value>,
    pub reactions: Vec<Reaction>,
}

/// An account an announcement mentions.
#[derive(Debug, Serialize)]
pub struct AnnouncementAccount {
    pub id: String,
    pub username: String,
    pub url: String,
    pub acct: String,
}

/// A post an announcement links to.
#[derive(Debug, Serialize)]
pub struct AnnouncementStatus {
    pub id: String,
    pub url: String,
}

/// A reaction (Mastodon's `Reaction`; no `url`: coopol has no custom emoji).
#[derive(Debug, Serialize)]
pub struct Reaction {
    pub name: String,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<bool>,
}

/// An announcement as the API shows it.
pub fn entity(state: &AppState, v: &AnnouncementView) -> Announcement {
    let r = &v.row;
    let has_times = r.starts_at.is_some() || r.ends_at.is_some();
    Announcement {
        id: r.id.to_string(),
        content: r.content.clone(),
        starts_at: r.starts_at.map(clock::to_rfc3339),
        ends_at: r.ends_at.map(clock::to_rfc3339),
        all_day: r.all_day != 0 && has_times,
        published_at: clock::to_rfc3339(r.published_at.unwrap_or(r.created_at)),
        updated_at: clock::to_rfc3339(r.updated_at),
        read: v.read,
        mentions: v
            .mentions
            .iter()
            .map(|a| AnnouncementAccount {
                id: a.id.to_string(),
                username: a.username.clone(),
                url: crate::service::statuses::profile_url(state, a),
                acct: match &a.domain {
                    Some(d) => format!("{}@{d}", a.username),
                    None => a.username.clone(),
                },
            })
            .collect(),
        statuses: v
            .statuses
            .iter()
            .map(|(id, url)| AnnouncementStatus {
                id: id.to_string(),
                url: url.clone(),
            })
            .collect(),
        tags: v
            .tags
            .iter()
            .map(|t| super::entities::TagRef {
                name: t.clone(),
                url: crate::service::statuses::tag_url(state, t),
            })
            .collect(),
        emojis: Vec::new(),
        reactions: v
            .reactions
            .iter()
            .map(|x| Reaction {
                name: x.name.clone(),
                count: x.count,
                me: x.me,
            })
            .collect(),
    }
}

#[derive(Debug, Default, Deserialize)]
struct IndexParams {
    #[serde(default, deserialize_with = "lenient::bool")]
    with_dismissed: bool,
}

/// `GET /api/v1/announcements`: the announcements shown now, oldest first; those the person
/// dismissed only with `with_dismissed`.
async fn index(
    State(state): State<AppState>,
    auth: Auth,
    Params(p): Params<IndexParams>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(&["read", "read:accounts"])?;
    let views = announcements::current(&state, me.account_id, p.with_dismissed).await?;
    let list: Vec<Announcement> = views.iter().map(|v| entity(&state, v)).collect();
    Ok(Json(json!(list)))
}

/// `POST /api/v1/announcements/:id/dismiss`: marks it read.
async fn dismiss(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(&["write", "write:accounts"])?;
    announcements::dismiss(&state, me.account_id, &id).await?;
    Ok(Json(json!({})))
}

/// `PUT /api/v1/announcements/:id/reactions/:name`: reacts with a Unicode emoji (422 for
/// anything else, a shortcode included: coopol has no custom emoji).
async fn react(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(&["write", "write:favourites"])?;
    announcements::react(&state, me.account_id, &id, &name).await?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v1/announcements/:id/reactions/:name`: takes one's reaction back (404 when
/// there was none).
async fn unreact(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, name)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let me = auth.require_user(&["write", "write:favourites"])?;
    announcements::unreact(&state, me.account_id, &id, &name).await?;
    Ok(Json(json!({})))
}
