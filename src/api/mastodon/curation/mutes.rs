//! Mutes: `POST /api/v1/accounts/:id/mute` and `/unmute`, `GET /api/v1/mutes`.

use super::{flag, text};
use crate::{
    api::mastodon::{
        entities::Relationship,
        extract::{Auth, Params},
        hydrate,
        pagination::{PageParams, paged},
        statuses::{me, parse_id},
    },
    clock,
    domain::curation,
    error::AppResult,
    service::{directory, mutes, relationships},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::Uri,
    response::Response,
};
use serde_json::Value;

/// `POST /api/v1/accounts/:id/mute`: `notifications` (default true), `duration` in seconds
/// (0 or none: until unmuted).
pub async fn mute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:mutes", "follow"])?;
    let target = directory::existing(&state, parse_id(&id)?).await?;
    let notifications = flag(&params, "notifications").unwrap_or(true);
    let duration = curation::seconds("duration", text(&params, "duration").flatten().as_deref())?;
    mutes::mute(&state, &me, &target, notifications, duration).await?;
    let r = relationships::relationship(&state, me.id, target.id).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/accounts/:id/unmute`.
pub async fn unmute(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:mutes", "follow"])?;
    let target = directory::existing(&state, parse_id(&id)?).await?;
    mutes::unmute(&state, &me, &target).await?;
    let r = relationships::relationship(&state, me.id, target.id).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `GET /api/v1/mutes`: the muted accounts, newest mute first, each with `mute_expires_at`.
pub async fn index(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:mutes", "follow"])?;
    let rows = mutes::page(&state, me.id, page.page()?).await?;
    let ids: Vec<i64> = rows.iter().map(|m| m.target_account_id).collect();
    let accounts = directory::by_ids(&state, &ids).await?;
    let entities = hydrate::accounts(&state, &accounts).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        let Some(a) = entities
            .iter()
            .find(|a| a.id == m.target_account_id.to_string())
        else {
            continue;
        };
        let mut v = serde_json::to_value(a).map_err(crate::error::AppError::internal)?;
        if let Value::Object(o) = &mut v {
            o.insert(
                "mute_expires_at".into(),
                m.expires_at.map(clock::to_rfc3339).into(),
            );
        }
        out.push(v);
    }
    Ok(paged(
        &state,
        &uri,
        out,
        rows.first().map(|m| m.id),
        rows.last().map(|m| m.id),
    ))
}
