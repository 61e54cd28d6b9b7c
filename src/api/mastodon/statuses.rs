//! Posts: `/api/v1/statuses` (create, read, edit, delete, thread, like, boost, who liked or
//! boosted).

use super::{
    entities::{Account, Status},
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    pagination::{PageParams, paged},
};
use crate::{
    db::accounts::AccountRow,
    domain::{Invalid, Visibility},
    error::{AppError, AppResult},
    service::statuses::{self as posts, Compose},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, Uri},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The local account a token acts for.
pub fn me(auth: &Auth, scopes: &[&str]) -> AppResult<AccountRow> {
    auth.require_user(scopes)?;
    auth.0.account.clone().ok_or_else(AppError::not_found)
}

/// The viewer's account id, if the request carries a token.
pub fn viewer(auth: &MaybeAuth) -> Option<i64> {
    auth.0
        .as_ref()
        .and_then(|a| a.user.as_ref())
        .map(|u| u.account_id)
}

/// Parses an id from a path.
pub fn parse_id(id: &str) -> AppResult<i64> {
    id.parse().map_err(|_| AppError::not_found())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    sensitive: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    visibility: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    language: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_strings")]
    media_ids: Option<Vec<String>>,
    /// A poll (`poll[options][]`, `poll[expires_in]`...).
    #[serde(default)]
    poll: Option<super::polls::PollForm>,
    /// When to publish (RFC 3339): the post is scheduled instead.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    scheduled_at: Option<String>,
    /// The source's format: coopol reads plain text only.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    content_type: Option<String>,
    /// Who may quote the post (Mastodon 4.5; Elk sends it with every post). coopol has no
    /// quotes and grants no quote authorization, so nobody can quote a post whatever the
    /// value: every valid value is honoured by being at least as strict as asked.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    quote_approval_policy: Option<String>,
    /// Alt texts and focal points of the media (Mastodon 4.1 on an edit; Tusky and Ice
    /// Cubes send them with a new post too).
    #[serde(default)]
    media_attributes: Option<Vec<MediaAttribute>>,
    /// Everything else: refused unless harmless (`refuse_unknown`).
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, Value>,
}

/// One entry of `media_attributes`.
#[derive(Deserialize)]
pub struct MediaAttribute {
    #[serde(deserialize_with = "lenient::opt_string", default)]
    id: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string", default)]
    description: Option<String>,
    #[serde(deserialize_with = "lenient::opt_string", default)]
    focus: Option<String>,
    /// Everything else (a new thumbnail, which coopol does not take).
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, Value>,
}

/// Parameters apps send that change nothing here: the token in the query string. Any other
/// parameter coopol does not know is refused (422), never dropped: a post published without
/// what its author asked for (a quote, a local-only flag) cannot be taken back.
const HARMLESS: &[&str] = &["access_token"];

/// Refuses the parameters coopol does not honour (docs/ARCHITECTURE.md, "Refuse, never drop").
fn refuse_unknown(rest: &std::collections::BTreeMap<String, Value>) -> AppResult<()> {
    for (name, value) in rest {
        if value.is_null() || HARMLESS.contains(&name.as_str()) {
            continue;
        }
        return Err(AppError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "error-status-param-unsupported",
        )
        .arg("name", name.chars().take(64).collect::<String>()));
    }
    Ok(())
}

impl StatusForm {
    /// Checks what a post asks that is not its text: the format, unknown parameters.
    fn check(&self) -> AppResult<()> {
        refuse_unknown(&self.rest)?;
        if let Some(p) = self.quote_approval_policy.as_deref().map(str::trim)
            && !p.is_empty()
            && !matches!(p, "public" | "followers" | "nobody")
        {
            return Err(Invalid::new("quote_approval_policy", "error-quote-policy").into());
        }
        if let Some(t) = self.content_type.as_deref().map(str::trim)
            && !t.is_empty()
            && !t.eq_ignore_ascii_case("text/plain")
        {
            return Err(Invalid::new("content_type", "error-content-type-unsupported").into());
        }
        Ok(())
    }

    fn compose(self, idempotency_key: Option<String>) -> AppResult<Compose> {
        self.check()?;
        let visibility = match self.visibility.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => Some(Visibility::parse(v)?),
            None => None,
        };
        let in_reply_to_id = match self.in_reply_to_id.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => Some(
                v.parse()
                    .map_err(|_| Invalid::new("in_reply_to_id", "error-reply-target"))?,
            ),
            None => None,
        };
        let poll = match self.poll {
            Some(p) => p.parse()?,
            None => None,
        };
        Ok(Compose {
            text: self.status.unwrap_or_default(),
            spoiler_text: self.spoiler_text.unwrap_or_default(),
            sensitive: self.sensitive,
            visibility,
            in_reply_to_id,
            language: self.language.filter(|l| !l.is_empty()),
            idempotency_key,
            event: None,
            media_ids: self.media_ids,
            poll,
            scheduled_id: None,
        })
    }
}

/// `POST /api/v1/statuses`: publishes a post, or schedules it (`scheduled_at`, answered with
/// a `ScheduledStatus`).
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Params(mut form): Params<StatusForm>,
) -> AppResult<Response> {
    let me = me(&auth, &["write:statuses"])?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| k.chars().take(200).collect::<String>());
    // Tusky and Ice Cubes send the alt texts and focal points of a new post's media with the
    // post itself (Tusky always, an empty list without media): they apply to the media the
    // post takes, attached to nothing yet.
    if let Some(attributes) = form.media_attributes.take() {
        describe_media(&state, &me, None, form.media_ids.as_deref(), attributes).await?;
    }
    let scheduled_at = form.scheduled_at.clone().filter(|s| !s.trim().is_empty());
    let compose = form.compose(key)?;
    let compose = crate::service::preferences::apply(&state, me.id, compose).await?;
    if let Some(at) = scheduled_at {
        let at = crate::domain::poll::parse_scheduled_at(&at, crate::clock::now())?;
        let app = auth.0.token.app_id;
        let scheduled = super::scheduled::schedule(&state, &me, compose, app, at).await?;
        return Ok(Json(scheduled).into_response());
    }
    let status = posts::create(&state, &me, compose).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?).into_response())
}

/// `GET /api/v1/statuses/:id`.
pub async fn get(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let viewer = viewer(&auth);
    let status = posts::visible(&state, viewer, parse_id(&id)?).await?;
    let mut entity = hydrate::status(&state, viewer, &status).await?;
    super::curation::filtered::single(&state, viewer, &mut entity).await?;
    Ok(Json(entity))
}

/// `PUT /api/v1/statuses/:id`.
pub async fn edit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(mut form): Params<StatusForm>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let id = parse_id(&id)?;
    // The poll of a published post never changes: apps that send it again unchanged with an
    // edit of the text (Tusky, Phanpy) pass, any change is refused.
    if let Some(asked) = form.poll.take() {
        let current = crate::service::polls::get(&state, Some(me.id), id)
            .await
            .ok();
        let unchanged = match &current {
            Some(c) => asked.is_unchanged(&c.row.options, c.row.multiple)?,
            None => false,
        };
        if !unchanged {
            return Err(Invalid::new("poll", "error-poll-edit").into());
        }
    }
    if form
        .scheduled_at
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
    {
        return Err(Invalid::new("scheduled_at", "error-scheduled-edit").into());
    }
    let attributes = form.media_attributes.take();
    form.check()?;
    if let Some(attributes) = attributes {
        describe_media(&state, &me, Some(id), form.media_ids.as_deref(), attributes).await?;
    }
    let compose = form.compose(None)?;
    let status = posts::edit(&state, &me, id, compose).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// Applies `media_attributes` (alt text, focal point) to media a post keeps or takes: each
/// must be one of `media_ids` (or, on an edit without them, of the post's own). `status_id`
/// is the edited post, `None` for a new one (whose media are attached to nothing yet).
async fn describe_media(
    state: &AppState,
    me: &AccountRow,
    status_id: Option<i64>,
    media_ids: Option<&[String]>,
    attributes: Vec<MediaAttribute>,
) -> AppResult<()> {
    let mut changes = Vec::new();
    for a in attributes {
        refuse_unknown(&a.rest)?;
        let unknown = || Invalid::new("media_attributes", "error-media-unknown");
        let text = a.id.as_deref().map(str::trim).ok_or_else(unknown)?;
        if let Some(ids) = media_ids
            && !ids.iter().any(|m| m.trim() == text)
        {
            return Err(unknown().into());
        }
        let id: i64 = text.parse().map_err(|_| unknown())?;
        let row = crate::service::media::mine(state, me, id).await?;
        // A medium the edited post keeps, or one it takes that is attached to nothing.
        let fits = match (media_ids, status_id) {
            (Some(_), _) => row.status_id.is_none() || row.status_id == status_id,
            (None, Some(_)) => row.status_id == status_id,
            (None, None) => false,
        };
        if !fits {
            return Err(unknown().into());
        }
        changes.push((
            id,
            crate::service::media::Describe {
                description: a.description,
                focus: a.focus,
            },
        ));
    }
    for (id, describe) in changes {
        crate::service::media::update(state, me, id, &describe).await?;
    }
    Ok(())
}

/// `DELETE /api/v1/statuses/:id`: answers with the post and its source, for "delete and
/// redraft".
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let staff = auth.0.user.as_ref().is_some_and(|u| u.role.is_staff());
    let id = parse_id(&id)?;
    let row = posts::visible(&state, Some(me.id), id).await?;
    let mut entity = hydrate::status(&state, Some(me.id), &row).await?;
    let deleted = posts::delete(&state, &me, staff, id).await?;
    entity.text = Some(deleted.source.unwrap_or_default());
    Ok(Json(entity))
}

/// `GET /api/v1/statuses/:id/context`.
pub async fn context(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let viewer = viewer(&auth);
    let (ancestors, descendants) = posts::context(&state, viewer, parse_id(&id)?).await?;
    let mut ancestors = hydrate::statuses(&state, viewer, &ancestors).await?;
    let mut descendants = hydrate::statuses(&state, viewer, &descendants).await?;
    let thread = crate::domain::curation::FilterContext::Thread;
    super::curation::filtered::statuses(&state, viewer, thread, &mut ancestors).await?;
    super::curation::filtered::statuses(&state, viewer, thread, &mut descendants).await?;
    Ok(Json(json!({
        "ancestors": ancestors,
        "descendants": descendants,
    })))
}

/// `POST /api/v1/statuses/:id/favourite`.
pub async fn favourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:favourites"])?;
    let status = posts::favourite(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// `POST /api/v1/statuses/:id/unfavourite`.
pub async fn unfavourite(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:favourites"])?;
    let status = posts::unfavourite(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

/// `POST /api/v1/statuses/:id/reblog`: answers with the boost, which wraps the post.
pub async fn reblog(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let boost = posts::reblog(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &boost).await?))
}

/// `POST /api/v1/statuses/:id/unreblog`.
pub async fn unreblog(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Status>> {
    let me = me(&auth, &["write:statuses"])?;
    let status = posts::unreblog(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::status(&state, Some(me.id), &status).await?))
}

async fn people(state: &AppState, uri: &Uri, rows: Vec<(i64, i64)>) -> AppResult<Response> {
    let ordered: Vec<AccountRow> = crate::service::directory::people(state, &rows)
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let entities: Vec<Account> = hydrate::accounts(state, &ordered).await?;
    Ok(paged(
        state,
        uri,
        entities,
        rows.first().map(|r| r.0),
        rows.last().map(|r| r.0),
    ))
}

/// `GET /api/v1/statuses/:id/favourited_by`.
pub async fn favourited_by(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let status = posts::visible(&state, viewer(&auth), parse_id(&id)?).await?;
    let page = page.page()?;
    let rows = posts::favourited_by(&state, &status, page.max_id, page.limit).await?;
    people(&state, &uri, rows).await
}

/// `GET /api/v1/statuses/:id/reblogged_by`.
pub async fn reblogged_by(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let status = posts::visible(&state, viewer(&auth), parse_id(&id)?).await?;
    let page = page.page()?;
    let rows = posts::reblogged_by(&state, &status, page.max_id, page.limit).await?;
    people(&state, &uri, rows).await
}

/// Answers a list of people, paged by the ids of the rows that link them.
pub async fn people_page(
    state: &AppState,
    uri: &Uri,
    rows: Vec<(i64, i64)>,
) -> AppResult<Response> {
    people(state, uri, rows).await
}
