//! coopol's own JSON API, under `/api/coopol/v1/`: groups (sections, federations, thematic
//! groups, initiatives), their members, posts and directory; events and participation
//! (`events.rs`). Described by the OpenAPI
//! document served at `/api/coopol/v1/openapi.json` (`openapi.json` next to this file).
//!
//! Authentication and errors are the Mastodon API's: a bearer token from OAuth (scopes `read`
//! and `write`), errors as `{"error": ..., "details": {field: [...]}}` in the caller's
//! language.

mod admin;
mod events;
mod notifications;

use super::mastodon::{
    entities::{Account, Status},
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    pagination::PageParams,
    statuses::{me, viewer},
};
use crate::{
    clock, db,
    domain::Circle,
    error::{AppError, AppResult},
    service::groups::{self, Group, Moderation},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct PasswordResetForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
}

/// `POST /api/coopol/v1/password_resets`: e-mails a password reset link to an address when it
/// has an account; answers 202 `{}` whether or not it has one. Counted with sign-in attempts
/// per client address.
async fn password_resets(
    State(state): State<AppState>,
    ip: crate::limits::ClientIp,
    Params(form): Params<PasswordResetForm>,
) -> AppResult<Response> {
    crate::limits::check(&state.limits.sign_in, &ip.key())?;
    crate::service::mail::request_password_reset(&state, form.email.as_deref().unwrap_or(""))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({}))).into_response())
}

/// The OpenAPI document.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The routes of coopol's API.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/coopol/v1/openapi.json", get(openapi))
        .route("/api/coopol/v1/password_resets", post(password_resets))
        .route(
            "/api/coopol/v1/notification_preferences",
            get(notifications::show).put(notifications::update),
        )
        .route(
            "/api/coopol/v1/alert_preferences",
            get(notifications::show_alerts).put(notifications::update_alerts),
        )
        .route("/api/coopol/v1/groups", get(search).post(create))
        .route("/api/coopol/v1/groups/{id}", get(show))
        .route("/api/coopol/v1/groups/{id}/join", post(join))
        .route("/api/coopol/v1/groups/{id}/leave", post(leave))
        .route("/api/coopol/v1/groups/{id}/members", get(members))
        .route("/api/coopol/v1/groups/{id}/members.csv", get(members_csv))
        .route(
            "/api/coopol/v1/groups/{id}/members/{account_id}/{action}",
            post(member_action),
        )
        .route("/api/coopol/v1/groups/{id}/audit", get(audit))
        .route("/api/coopol/v1/groups/{id}/posts", post(create_post))
        .route(
            "/api/coopol/v1/groups/{id}/posts/{status_id}/{action}",
            post(post_action),
        )
        .route("/api/coopol/v1/groups/{id}/timeline", get(timeline))
        .route("/api/coopol/v1/groups/{id}/sections", get(sections))
        .route("/api/coopol/v1/groups/{id}/affiliate", post(affiliate))
        .route(
            "/api/coopol/v1/groups/{id}/affiliations",
            get(affiliation_requests),
        )
        .route(
            "/api/coopol/v1/groups/{id}/affiliations/{section_id}/{action}",
            post(answer_affiliation),
        )
        .merge(events::router())
        .merge(admin::router())
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Where a section is.
#[derive(Debug, Serialize)]
pub struct PlaceEntity {
    postcode: Option<String>,
    commune: Option<String>,
    departement: Option<String>,
}

/// Where the caller stands in a group.
#[derive(Debug, Serialize)]
pub struct ViewerEntity {
    /// `accepted`, `pending`, `invited`, `banned`, or null.
    membership: Option<String>,
    /// The role of an accepted member.
    role: Option<String>,
    /// Follows the group (a sympathizer).
    following: bool,
}

/// A group as the API shows it.
#[derive(Debug, Serialize)]
pub struct GroupEntity {
    id: String,
    name: String,
    handle: String,
    display_name: String,
    kind: String,
    summary: String,
    join_mode: String,
    sympathizers_can_post: bool,
    place: PlaceEntity,
    local: bool,
    uri: String,
    url: String,
    members_count: Option<i64>,
    /// Whether some of a local group's sympathizers follow it from other servers, where a post
    /// to the sympathizers circle may not show (null for a group of another server).
    sympathizers_elsewhere: Option<bool>,
    created_at: String,
    viewer: Option<ViewerEntity>,
    /// Whether anyone recognizes the group as official (`recognized_by` says who).
    official: bool,
    /// Who recognizes it: this instance's administrators, or federations whose own servers
    /// vouch for it.
    recognized_by: Vec<RecognizerEntity>,
}

/// Who recognizes a group as official.
#[derive(Debug, Serialize)]
pub struct RecognizerEntity {
    /// `instance` or `federation`.
    kind: &'static str,
    /// The federation's id here.
    id: Option<String>,
    /// The federation's handle.
    handle: Option<String>,
    /// The federation's name.
    display_name: Option<String>,
}

async fn entity(state: &AppState, group: &Group, viewer: Option<i64>) -> AppResult<GroupEntity> {
    let a = &group.account;
    let handle = a.acct(&state.config.domain);
    let viewer_entity = match viewer {
        Some(_) => {
            let s = groups::standing(state, group, viewer).await?;
            Some(ViewerEntity {
                membership: s.membership.as_ref().map(|m| m.state.to_string()),
                role: s.role().map(|r| r.as_str().to_string()),
                following: s.following,
            })
        }
        None => None,
    };
    let recognized_by: Vec<RecognizerEntity> =
        crate::service::official::recognizers_of(state, group)
            .await?
            .into_iter()
            .map(|r| match r {
                crate::service::official::Recognizer::Instance => RecognizerEntity {
                    kind: "instance",
                    id: None,
                    handle: None,
                    display_name: None,
                },
                crate::service::official::Recognizer::Federation(f) => RecognizerEntity {
                    kind: "federation",
                    id: Some(f.account.id.to_string()),
                    handle: Some(f.account.acct(&state.config.domain)),
                    display_name: Some(f.account.display_name.clone()),
                },
            })
            .collect();
    Ok(GroupEntity {
        id: a.id.to_string(),
        name: a.username.clone(),
        handle,
        display_name: a.display_name.clone(),
        kind: group.row.kind.to_string(),
        summary: a.note_html.clone(),
        join_mode: group.row.join_mode.to_string(),
        sympathizers_can_post: group.row.sympathizers_can_post != 0,
        place: PlaceEntity {
            postcode: group.row.postcode.clone(),
            commune: group.row.commune.clone(),
            departement: group.row.departement.clone(),
        },
        local: group.is_local(),
        uri: a.uri.clone(),
        url: crate::service::statuses::profile_url(state, a),
        // Only this server knows the size of its own groups.
        members_count: groups::member_count(state, group).await?,
        sympathizers_elsewhere: groups::sympathizers_elsewhere(state, group).await?,
        created_at: clock::to_rfc3339(group.row.created_at),
        viewer: viewer_entity,
        official: !recognized_by.is_empty(),
        recognized_by,
    })
}

/// A group by id (see [`groups::find`]).
async fn find(state: &AppState, id: &str, signed_in: bool) -> AppResult<Group> {
    groups::find(state, id, signed_in).await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    summary: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    join_mode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    commune: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    departement: Option<String>,
    #[serde(default)]
    place: Option<PlaceForm>,
    #[serde(default, deserialize_with = "lenient::bool")]
    sympathizers_can_post: bool,
}

#[derive(Deserialize, Default)]
struct PlaceForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    commune: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    departement: Option<String>,
}

/// `POST /api/coopol/v1/groups`.
async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Params(form): Params<CreateForm>,
) -> AppResult<Response> {
    let me = me(&auth, &["write"])?;
    let place = form.place.unwrap_or_default();
    let creation = groups::create_or_ask(
        &state,
        &me,
        groups::NewGroupInput {
            name: form.name.unwrap_or_default(),
            display_name: form.display_name.unwrap_or_default(),
            kind: form.kind.unwrap_or_default(),
            summary: form.summary.unwrap_or_default(),
            join_mode: form.join_mode,
            postcode: form.postcode.or(place.postcode),
            commune: form.commune.or(place.commune),
            departement: form.departement.or(place.departement),
            sympathizers_can_post: form.sympathizers_can_post,
        },
    )
    .await?;
    let group = match creation {
        groups::Creation::Created(group) => group,
        groups::Creation::Asked(id) => {
            // An administrator decides: the request waits in their queue.
            return Ok((
                StatusCode::ACCEPTED,
                Json(serde_json::json!({"request_id": id.to_string(), "state": "pending"})),
            )
                .into_response());
        }
    };
    let body = entity(&state, &group, Some(me.id)).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    q: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    postcode: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    departement: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    offset: Option<String>,
}

pub(super) fn number(field: &'static str, value: Option<&str>, default: i64) -> AppResult<i64> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            AppError::invalid(vec![crate::domain::Invalid::new(field, "error-number")])
        }),
    }
}

/// `GET /api/coopol/v1/groups`: the directory.
async fn search(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Params(q): Params<SearchQuery>,
) -> AppResult<Json<Vec<GroupEntity>>> {
    let viewer = viewer(&auth);
    let limit = number("limit", q.limit.as_deref(), 40)?;
    let offset = number("offset", q.offset.as_deref(), 0)?;
    let found = groups::directory(
        &state,
        groups::DirectoryQuery {
            q: q.q,
            kind: q.kind,
            postcode: q.postcode,
            departement: q.departement,
            limit,
            offset,
        },
    )
    .await?;
    let mut out = Vec::new();
    for g in &found {
        out.push(entity(&state, g, viewer).await?);
    }
    Ok(Json(out))
}

/// `GET /api/coopol/v1/groups/{id}`.
async fn show(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<GroupEntity>> {
    let viewer = viewer(&auth);
    let group = find(&state, &id, viewer.is_some()).await?;
    Ok(Json(entity(&state, &group, viewer).await?))
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    message: Option<String>,
}

/// `POST /api/coopol/v1/groups/{id}/join`.
async fn join(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<JoinForm>,
) -> AppResult<Json<GroupEntity>> {
    let me = me(&auth, &["write"])?;
    let group = find(&state, &id, true).await?;
    groups::join(&state, &me, &group, form.message.as_deref()).await?;
    Ok(Json(entity(&state, &group, Some(me.id)).await?))
}

/// `POST /api/coopol/v1/groups/{id}/leave`.
async fn leave(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<GroupEntity>> {
    let me = me(&auth, &["write"])?;
    let group = find(&state, &id, true).await?;
    groups::leave(&state, &me, &group).await?;
    Ok(Json(entity(&state, &group, Some(me.id)).await?))
}

/// A membership as the API shows it.
#[derive(Debug, Serialize)]
pub struct MemberEntity {
    account: Account,
    role: String,
    state: String,
    joined_at: Option<String>,
    requested_at: String,
    listed: bool,
    /// The message sent with a request (moderators only).
    message: Option<String>,
}

async fn member_entities(
    state: &AppState,
    rows: &[db::groups::MemberRow],
    staff: bool,
) -> AppResult<Vec<MemberEntity>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.account_id).collect();
    let accounts = crate::service::directory::by_id_map(state, &ids).await?;
    let mut out = Vec::new();
    for m in rows {
        let Some(a) = accounts.get(&m.account_id) else {
            continue;
        };
        out.push(MemberEntity {
            account: hydrate::account(state, a).await?,
            role: m.role.to_string(),
            state: m.state.to_string(),
            joined_at: m.accepted_at.map(clock::to_rfc3339),
            requested_at: clock::to_rfc3339(m.created_at),
            listed: m.listed != 0,
            message: staff.then(|| m.message.clone()),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
struct MembersQuery {
    #[serde(default, deserialize_with = "lenient::bool")]
    pending: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    after: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/coopol/v1/groups/{id}/members`.
async fn members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(q): Params<MembersQuery>,
) -> AppResult<Json<Vec<MemberEntity>>> {
    let me = me(&auth, &["read"])?;
    let group = find(&state, &id, true).await?;
    let after = number("after", q.after.as_deref(), 0)?;
    let limit = number("limit", q.limit.as_deref(), 100)?;
    let rows = groups::members(&state, &me, &group, q.pending, after, limit).await?;
    let staff = groups::standing(&state, &group, Some(me.id))
        .await?
        .role()
        .is_some_and(|r| r >= crate::domain::MemberRole::Moderator);
    Ok(Json(member_entities(&state, &rows, staff).await?))
}

/// `GET /api/coopol/v1/groups/{id}/members.csv` (administrators; recorded in the audit log).
async fn members_csv(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = me(&auth, &["read"])?;
    let group = find(&state, &id, true).await?;
    let csv = groups::members_csv(&state, &me, &group).await?;
    Ok(crate::download::csv(
        &format!("members-{}", group.account.username),
        csv,
    ))
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    role: Option<String>,
}

/// `POST /api/coopol/v1/groups/{id}/members/{account_id}/{role|approve|reject|ban|remove|invite}`.
async fn member_action(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, account_id, action)): Path<(String, String, String)>,
    Params(form): Params<RoleForm>,
) -> AppResult<Json<Vec<MemberEntity>>> {
    let me = me(&auth, &["write"])?;
    let group = find(&state, &id, true).await?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    let row = match action.as_str() {
        "role" => {
            let role = form.role.unwrap_or_default();
            if role.trim().is_empty() {
                return Err(AppError::invalid(vec![crate::domain::Invalid::new(
                    "role",
                    "error-required",
                )]));
            }
            groups::set_role(&state, &me, &group, account_id, &role).await?
        }
        "approve" => groups::moderate(&state, &me, &group, account_id, Moderation::Approve).await?,
        "reject" => groups::moderate(&state, &me, &group, account_id, Moderation::Reject).await?,
        "ban" => groups::moderate(&state, &me, &group, account_id, Moderation::Ban).await?,
        "remove" => groups::moderate(&state, &me, &group, account_id, Moderation::Remove).await?,
        "invite" => groups::invite(&state, &me, &group, account_id).await?,
        _ => return Err(AppError::not_found()),
    };
    Ok(Json(member_entities(&state, &[row], true).await?))
}

/// An audit log entry.
#[derive(Debug, Serialize)]
pub struct AuditEntity {
    id: String,
    account_id: Option<String>,
    action: String,
    detail: String,
    created_at: String,
}

/// `GET /api/coopol/v1/groups/{id}/audit` (administrators).
async fn audit(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<AuditEntity>>> {
    let me = me(&auth, &["read"])?;
    let group = find(&state, &id, true).await?;
    let rows = groups::audit_log(&state, &me, &group).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditEntity {
                id: r.id.to_string(),
                account_id: r.account_id.map(|a| a.to_string()),
                action: r.action,
                detail: r.detail,
                created_at: clock::to_rfc3339(r.created_at),
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
struct PostForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    audience: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    spoiler_text: Option<String>,
}

/// `POST /api/coopol/v1/groups/{id}/posts`.
async fn create_post(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<PostForm>,
) -> AppResult<Response> {
    let me = me(&auth, &["write"])?;
    let group = find(&state, &id, true).await?;
    let in_reply_to_id = match form.in_reply_to_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<i64>().map_err(|_| {
            AppError::invalid(vec![crate::domain::Invalid::new(
                "in_reply_to_id",
                "error-reply-target",
            )])
        })?),
        None => None,
    };
    let status = groups::post(
        &state,
        &me,
        &group,
        groups::GroupPost {
            text: form.status.unwrap_or_default(),
            audience: form.audience.unwrap_or_else(|| "public".into()),
            title: form.title,
            in_reply_to_id,
            spoiler_text: form.spoiler_text.unwrap_or_default(),
        },
    )
    .await?;
    let entity: Status = hydrate::status(&state, Some(me.id), &status).await?;
    Ok((StatusCode::CREATED, Json(entity)).into_response())
}

/// `POST /api/coopol/v1/groups/{id}/posts/{status_id}/{remove|lock|unlock}` (moderators).
async fn post_action(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, status_id, action)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let me = me(&auth, &["write"])?;
    let group = find(&state, &id, true).await?;
    let status_id: i64 = status_id.parse().map_err(|_| AppError::not_found())?;
    match action.as_str() {
        "remove" => {
            groups::remove_post(&state, &me, &group, status_id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        "lock" | "unlock" => {
            let root =
                groups::lock_thread(&state, &me, &group, status_id, action == "lock").await?;
            let entity: Status = hydrate::status(&state, Some(me.id), &root).await?;
            Ok(Json(entity).into_response())
        }
        _ => Err(AppError::not_found()),
    }
}

#[derive(Deserialize)]
struct TimelineQuery {
    #[serde(flatten)]
    page: PageParams,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    audience: Option<String>,
}

/// `GET /api/coopol/v1/groups/{id}/timeline`: the threads of a group, in the circles the
/// caller may read.
async fn timeline(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    Params(q): Params<TimelineQuery>,
) -> AppResult<Json<Vec<Status>>> {
    let viewer = viewer(&auth);
    let group = find(&state, &id, viewer.is_some()).await?;
    let only = match q.audience.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(Circle::parse(a).map_err(|e| AppError::invalid(vec![e]))?),
        None => None,
    };
    let rows = groups::timeline(&state, viewer, &group, only, q.page.page()?).await?;
    Ok(Json(hydrate::statuses(&state, viewer, &rows).await?))
}

/// `GET /api/coopol/v1/groups/{id}/sections`: the sections affiliated with a federation.
async fn sections(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<GroupEntity>>> {
    let viewer = viewer(&auth);
    let group = find(&state, &id, viewer.is_some()).await?;
    let mut out = Vec::new();
    for g in groups::sections(&state, &group).await? {
        out.push(entity(&state, &g, viewer).await?);
    }
    Ok(Json(out))
}

#[derive(Deserialize)]
struct AffiliateForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    federation: Option<String>,
}

/// `POST /api/coopol/v1/groups/{id}/affiliate`: a section asks to join a federation.
async fn affiliate(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(form): Params<AffiliateForm>,
) -> AppResult<Json<GroupEntity>> {
    let me = me(&auth, &["write"])?;
    let section = find(&state, &id, true).await?;
    let Some(fed) = form.federation.filter(|f| !f.trim().is_empty()) else {
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "federation",
            "error-required",
        )]));
    };
    let federation = find(&state, &fed, true).await?;
    groups::affiliate(&state, &me, &section, &federation).await?;
    Ok(Json(entity(&state, &federation, Some(me.id)).await?))
}

/// `GET /api/coopol/v1/groups/{id}/affiliations`: sections asking to affiliate
/// (administrators).
async fn affiliation_requests(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Vec<GroupEntity>>> {
    let me = me(&auth, &["read"])?;
    let group = find(&state, &id, true).await?;
    let mut out = Vec::new();
    for g in groups::affiliation_requests(&state, &me, &group).await? {
        out.push(entity(&state, &g, Some(me.id)).await?);
    }
    Ok(Json(out))
}

/// `POST /api/coopol/v1/groups/{id}/affiliations/{section_id}/{approve|reject}`.
async fn answer_affiliation(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, section_id, action)): Path<(String, String, String)>,
) -> AppResult<Json<Vec<GroupEntity>>> {
    let me = me(&auth, &["write"])?;
    let group = find(&state, &id, true).await?;
    let section_id: i64 = section_id.parse().map_err(|_| AppError::not_found())?;
    let approve = match action.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::not_found()),
    };
    groups::answer_affiliation(&state, &me, &group, section_id, approve).await?;
    let mut out = Vec::new();
    for g in groups::sections(&state, &group).await? {
        out.push(entity(&state, &g, Some(me.id)).await?);
    }
    Ok(Json(out))
}
