//! Timelines: home, public (all, local, remote), hashtag, and an account's posts.

use super::{
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
    statuses::{me, parse_id, viewer},
};
use crate::{
    db,
    domain::curation::FilterContext,
    error::AppResult,
    service::{
        directory,
        timelines::{self, Scope},
    },
    state::AppState,
};
use axum::{
    extract::{Path, State},
    http::Uri,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

async fn answer(
    state: &AppState,
    uri: &Uri,
    viewer: Option<i64>,
    context: FilterContext,
    rows: Vec<db::statuses::StatusRow>,
) -> AppResult<Response> {
    let newest = rows.first().map(|s| s.id);
    let oldest = rows.last().map(|s| s.id);
    let mut entities = hydrate::statuses(state, viewer, &rows).await?;
    super::curation::filtered::statuses(state, viewer, context, &mut entities).await?;
    Ok(paged(state, uri, entities, newest, oldest))
}

/// `GET /api/v1/timelines/home`.
pub async fn home(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:statuses"])?;
    let rows = timelines::home(&state, me.id, page.page()?).await?;
    answer(&state, &uri, Some(me.id), FilterContext::Home, rows).await
}

#[derive(Deserialize)]
pub struct PublicQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::bool")]
    local: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    remote: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    only_media: bool,
}

/// `GET /api/v1/timelines/public`.
pub async fn public(
    State(state): State<AppState>,
    auth: MaybeAuth,
    uri: Uri,
    Params(q): Params<PublicQuery>,
) -> AppResult<Response> {
    let viewer = viewer(&auth);
    if q.only_media {
        // No media here yet: nothing matches.
        return answer(&state, &uri, viewer, FilterContext::Public, Vec::new()).await;
    }
    let scope = match (q.local, q.remote) {
        (true, false) => Scope::Local,
        (false, true) => Scope::Remote,
        _ => Scope::All,
    };
    let rows = timelines::public(&state, viewer, scope, q.page.page()?).await?;
    answer(&state, &uri, viewer, FilterContext::Public, rows).await
}

/// `GET /api/v1/timelines/tag/:hashtag`.
pub async fn tag(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(tag): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let viewer = viewer(&auth);
    let rows = timelines::tag(&state, viewer, &tag, page.page()?).await?;
    answer(&state, &uri, viewer, FilterContext::Public, rows).await
}

#[derive(Deserialize)]
pub struct AccountStatusesQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::bool")]
    exclude_replies: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    exclude_reblogs: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    only_media: bool,
    #[serde(default, deserialize_with = "lenient::bool")]
    pinned: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    tagged: Option<String>,
}

/// `GET /api/v1/accounts/:id/statuses`.
pub async fn account(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(q): Params<AccountStatusesQuery>,
) -> AppResult<Response> {
    let viewer = viewer(&auth);
    let account = directory::existing(&state, parse_id(&id)?).await?;
    if q.pinned {
        // A short list, not paged: every pinned post on the first page (no `Link` header),
        // nothing on any other, so that an app paging anyway ends.
        let page = q.page.page()?;
        let rows = if page.max_id.is_some() || page.min_id.is_some() || page.since_id.is_some() {
            Vec::new()
        } else {
            crate::service::statuses::menu::pinned(&state, viewer, &account).await?
        };
        return Ok(axum::Json(hydrate::statuses(&state, viewer, &rows).await?).into_response());
    }
    let only = timelines::AccountPosts {
        exclude_replies: q.exclude_replies,
        exclude_reblogs: q.exclude_reblogs,
        only_media: q.only_media,
    };
    let rows = match q.tagged.as_deref().filter(|t| !t.trim().is_empty()) {
        // Mastodon's `tagged`: the account's posts carrying the tag (a featured tag's page).
        Some(t) => {
            let name = crate::service::tags::parse("tagged", t)?;
            crate::service::tags::account_posts(
                &state,
                viewer,
                &account,
                &name,
                only,
                q.page.page()?,
            )
            .await?
        }
        None => timelines::account(&state, viewer, &account, only, q.page.page()?).await?,
    };
    answer(&state, &uri, viewer, FilterContext::Account, rows).await
}
