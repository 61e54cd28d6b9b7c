//! Paging as Mastodon's API does it: `max_id`, `since_id`, `min_id`, `limit` in, and a `Link`
//! header out with the `next` (older) and `prev` (newer) pages.

use crate::{
    db::statuses::Page, domain::Invalid, error::AppResult, service::timelines, state::AppState,
};
use axum::{
    Json,
    http::{HeaderValue, Uri, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

/// The paging parameters of a list request.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    #[serde(default, deserialize_with = "super::extract::lenient::opt_string")]
    max_id: Option<String>,
    #[serde(default, deserialize_with = "super::extract::lenient::opt_string")]
    since_id: Option<String>,
    #[serde(default, deserialize_with = "super::extract::lenient::opt_string")]
    min_id: Option<String>,
    #[serde(default, deserialize_with = "super::extract::lenient::opt_string")]
    limit: Option<String>,
}

fn id(field: &'static str, v: &Option<String>) -> Result<Option<i64>, Invalid> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Invalid::new(field, "error-number")),
    }
}

impl PageParams {
    /// The page asked for (limit clamped to 1..=40, default 20).
    pub fn page(&self) -> AppResult<Page> {
        Ok(Page {
            max_id: id("max_id", &self.max_id)?,
            since_id: id("since_id", &self.since_id)?,
            min_id: id("min_id", &self.min_id)?,
            limit: timelines::limit(id("limit", &self.limit)?),
        })
    }
}

impl PageParams {
    /// The page asked for, with this default and largest limit (Mastodon's notifications
    /// take 40 and 80, where timelines take 20 and 40).
    pub fn page_within(&self, default: i64, max: i64) -> AppResult<Page> {
        Ok(Page {
            max_id: id("max_id", &self.max_id)?,
            since_id: id("since_id", &self.since_id)?,
            min_id: id("min_id", &self.min_id)?,
            limit: id("limit", &self.limit)?.unwrap_or(default).clamp(1, max),
        })
    }
}

/// A `Link` header's value for a list whose newest and oldest items have these ids, built
/// from the configured public URL and the request's other parameters.
pub fn link(state: &AppState, uri: &Uri, newest: i64, oldest: i64) -> Option<HeaderValue> {
    let kept: Vec<(String, String)> = uri
        .query()
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !matches!(k.as_str(), "max_id" | "since_id" | "min_id"))
        .collect();
    let with = |extra: (&str, String)| {
        let mut pairs = kept.clone();
        pairs.push((extra.0.to_string(), extra.1));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        state.config.url(&format!("{}?{query}", uri.path()))
    };
    HeaderValue::from_str(&format!(
        "<{}>; rel=\"next\", <{}>; rel=\"prev\"",
        with(("max_id", oldest.to_string())),
        with(("min_id", newest.to_string()))
    ))
    .ok()
}

/// A JSON list with a `Link` header pointing to the older and newer pages, built from the
/// configured public URL and the request's other parameters.
pub fn paged<T: Serialize>(
    state: &AppState,
    uri: &Uri,
    items: Vec<T>,
    newest: Option<i64>,
    oldest: Option<i64>,
) -> Response {
    let mut response = Json(items).into_response();
    if let (Some(newest), Some(oldest)) = (newest, oldest)
        && let Some(v) = link(state, uri, newest, oldest)
    {
        response.headers_mut().insert(header::LINK, v);
    }
    response
}
