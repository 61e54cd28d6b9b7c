//! Relationships: following, blocking, follow requests, followers and following lists,
//! relationships, account search, profile updates.

use super::{
    entities::{Account, CredentialAccount, Relationship},
    extract::{Auth, MaybeAuth, Params, lenient},
    hydrate,
    pagination::PageParams,
    statuses::{me, parse_id, people_page},
};
use crate::{
    db::accounts::AccountRow,
    domain::media::MediaUse,
    error::{AppError, AppResult},
    federation,
    service::{self, directory, relationships},
    state::AppState,
};
use axum::{
    Json,
    extract::{Path, State},
    http::Uri,
    response::Response,
};
use serde::Deserialize;
use serde_json::Value;

async fn target(state: &AppState, id: &str) -> AppResult<AccountRow> {
    directory::existing(state, parse_id(id)?).await
}

/// `POST /api/v1/accounts/:id/follow`. coopol has no per-follow options: the defaults
/// (`reblogs=true`, `notify=false`, every language) are accepted, anything else is refused
/// with 422 rather than dropped (`super::account_extras::follow_options`).
pub async fn follow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Params(params): Params<Value>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:follows", "follow"])?;
    super::account_extras::follow_options(&params)?;
    let target = target(&state, &id).await?;
    let r = relationships::follow(&state, &me, &target).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/accounts/:id/unfollow`.
pub async fn unfollow(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:follows", "follow"])?;
    let target = target(&state, &id).await?;
    let r = relationships::unfollow(&state, &me, &target).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/accounts/:id/block`.
pub async fn block(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:blocks", "follow"])?;
    let target = target(&state, &id).await?;
    let r = relationships::block(&state, &me, &target).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/accounts/:id/unblock`.
pub async fn unblock(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:blocks", "follow"])?;
    let target = target(&state, &id).await?;
    let r = relationships::unblock(&state, &me, &target).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `GET /api/v1/accounts/relationships?id[]=...`: one relationship per account named that
/// exists, in the order asked, read in a fixed number of queries
/// (`service::account_extras::relationships`).
pub async fn relationships(
    State(state): State<AppState>,
    auth: Auth,
    Params(q): Params<Value>,
) -> AppResult<Json<Vec<Relationship>>> {
    let me = me(&auth, &["read:follows", "follow"])?;
    let asked = super::account_extras::ids_param(&q)?;
    let known: std::collections::HashSet<i64> = directory::by_ids(&state, &asked)
        .await?
        .into_iter()
        .filter(|a| a.deleted_at.is_none())
        .map(|a| a.id)
        .collect();
    let ids: Vec<i64> = asked.into_iter().filter(|id| known.contains(id)).collect();
    let found = service::account_extras::relationships(&state, me.id, &ids).await?;
    Ok(Json(found.iter().map(hydrate::relationship).collect()))
}

/// `GET /api/v1/accounts/:id/followers`.
pub async fn followers(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let account = target(&state, &id).await?;
    let page = page.page()?;
    let viewer = super::statuses::viewer(&auth);
    let rows =
        relationships::followers_page(&state, viewer, &account, page.max_id, page.limit).await?;
    people_page(&state, &uri, rows).await
}

/// `GET /api/v1/accounts/:id/following`.
pub async fn following(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(id): Path<String>,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let account = target(&state, &id).await?;
    let page = page.page()?;
    let viewer = super::statuses::viewer(&auth);
    let rows =
        relationships::following_page(&state, viewer, &account, page.max_id, page.limit).await?;
    people_page(&state, &uri, rows).await
}

/// `GET /api/v1/follow_requests`.
pub async fn follow_requests(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:follows", "follow"])?;
    let page = page.page()?;
    let rows = relationships::follow_requests(&state, me.id, page.max_id, page.limit).await?;
    people_page(&state, &uri, rows).await
}

/// `POST /api/v1/follow_requests/:id/authorize`.
pub async fn authorize(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:follows", "follow"])?;
    let r = relationships::authorize(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `POST /api/v1/follow_requests/:id/reject`.
pub async fn reject(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Json<Relationship>> {
    let me = me(&auth, &["write:follows", "follow"])?;
    let r = relationships::reject(&state, &me, parse_id(&id)?).await?;
    Ok(Json(hydrate::relationship(&r)))
}

/// `GET /api/v1/blocks`.
pub async fn blocks(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    let me = me(&auth, &["read:blocks", "follow"])?;
    let page = page.page()?;
    let rows = relationships::blocks(&state, me.id, page.max_id, page.limit).await?;
    people_page(&state, &uri, rows).await
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default, deserialize_with = "lenient::bool")]
    resolve: bool,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    limit: Option<String>,
}

/// `GET /api/v1/accounts/search?q=...`.
pub async fn search(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Params(q): Params<SearchQuery>,
) -> AppResult<Json<Vec<Account>>> {
    let limit = service::timelines::limit(q.limit.as_deref().and_then(|l| l.parse().ok()));
    let mut found: Vec<AccountRow> = Vec::new();
    let signed_in = auth.0.as_ref().is_some_and(|a| a.user.is_some());
    if q.resolve
        && signed_in
        && let Ok(Some(federation::Resolved::Account(a))) = federation::resolve(&state, &q.q).await
    {
        found.push(*a);
    }
    let (term, _) = crate::domain::handle_parts(&q.q);
    if !term.is_empty() {
        for a in directory::search(&state, term, limit).await? {
            if !found.iter().any(|f| f.id == a.id) {
                found.push(a);
            }
        }
    }
    found.truncate(limit as usize);
    Ok(Json(hydrate::accounts(&state, &found).await?))
}

#[derive(Deserialize)]
pub struct UpdateCredentials {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    note: Option<String>,
    #[serde(default)]
    locked: Option<Value>,
    #[serde(default)]
    discoverable: Option<Value>,
    #[serde(default)]
    fields_attributes: Option<Value>,
    /// `source[privacy]`, `source[sensitive]`, `source[language]`: posting preferences.
    #[serde(default)]
    source: Option<Value>,
}

/// The posting preferences an app sends in `source[...]`; a value of the wrong type is
/// refused, never dropped.
fn preferences_from(v: &Value) -> AppResult<service::preferences::Change> {
    let Value::Object(source) = v else {
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "source",
            "error-validation",
        )]));
    };
    let text = |key: &'static str| -> AppResult<Option<String>> {
        match source.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(AppError::invalid(vec![crate::domain::Invalid::new(
                key,
                "error-validation",
            )])),
        }
    };
    let sensitive = match source.get("sensitive") {
        None | Some(Value::Null) => None,
        Some(v @ (Value::Bool(_) | Value::String(_) | Value::Number(_))) => {
            Some(flag(&Some(v.clone()), false))
        }
        Some(_) => {
            return Err(AppError::invalid(vec![crate::domain::Invalid::new(
                "sensitive",
                "error-validation",
            )]));
        }
    };
    Ok(service::preferences::Change {
        visibility: text("privacy")?,
        sensitive,
        language: text("language")?,
        ..Default::default()
    })
}

fn flag(v: &Option<Value>, current: bool) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.as_str(), "true" | "1" | "on"),
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        _ => current,
    }
}

/// `PATCH /api/v1/accounts/update_credentials`: profile texts and settings, and (in a
/// multipart body, as apps send it) the `avatar` and `header` pictures. The pictures are
/// processed and checked first: a refused one changes nothing.
pub async fn update_credentials(
    State(state): State<AppState>,
    auth: Auth,
    req: axum::extract::Request,
) -> AppResult<Json<CredentialAccount>> {
    use axum::extract::FromRequest;
    let me = me(&auth, &["write:accounts"])?;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let form: UpdateCredentials = if multipart {
        let (parts, body) = req.into_parts();
        let mut upload =
            crate::upload::read(&state, &parts.headers, body, &["avatar", "header"]).await?;
        let form = match super::extract::params_from_texts(upload.texts.drain()) {
            Ok(form) => form,
            Err(e) => {
                upload.discard().await;
                return Err(e);
            }
        };
        let avatar = upload.take_file("avatar");
        let header = upload.take_file("header");
        let pictures = [(avatar, MediaUse::Avatar), (header, MediaUse::Header)];
        let mut ready = Vec::new();
        let mut failed = None;
        for (file, used_for) in pictures {
            let Some(file) = file else { continue };
            if failed.is_some() {
                file.discard().await;
                continue;
            }
            match service::media::picture(&state, &me, file, used_for).await {
                Ok(row) => ready.push((row, used_for)),
                Err(e) => failed = Some(e),
            }
        }
        if let Some(e) = failed {
            for (row, _) in &ready {
                service::media::discard(&state, row).await?;
            }
            return Err(e);
        }
        for (row, used_for) in &ready {
            service::media::set_account_image(&state, &me, row, *used_for).await?;
        }
        form
    } else {
        Params::<UpdateCredentials>::from_request(req, &state)
            .await?
            .0
    };
    // Preferences first: a refused one changes nothing else.
    if let Some(source) = &form.source {
        service::preferences::change(&state, me.id, preferences_from(source)?).await?;
    }
    if form.display_name.is_some() || form.note.is_some() {
        service::accounts::update_profile(
            &state,
            me.id,
            form.display_name.as_deref().unwrap_or(&me.display_name),
            form.note.as_deref().unwrap_or(&me.note_source),
        )
        .await?;
    }
    if form.locked.is_some() || form.discoverable.is_some() || form.fields_attributes.is_some() {
        let fields = match &form.fields_attributes {
            Some(v) => fields_from(v),
            None => me
                .fields()
                .into_iter()
                .map(|(n, v)| (n, crate::domain::status::html_to_text(&v)))
                .collect(),
        };
        service::accounts::update_settings(
            &state,
            me.id,
            &fields,
            flag(&form.locked, me.locked != 0),
            flag(&form.discoverable, me.discoverable != 0),
        )
        .await?;
    }
    let account = directory::own(&state, me.id).await?;
    let user = auth.0.user.clone().ok_or_else(AppError::not_found)?;
    let prefs = service::preferences::get(&state, account.id).await?;
    let mut entity = CredentialAccount::from_rows(&state, &account, &user, &prefs);
    entity.account = hydrate::account(&state, &account).await?;
    Ok(Json(entity))
}

/// `DELETE /api/v1/profile/avatar`.
pub async fn delete_avatar(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<CredentialAccount>> {
    delete_picture(state, auth, MediaUse::Avatar).await
}

/// `DELETE /api/v1/profile/header`.
pub async fn delete_header(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<CredentialAccount>> {
    delete_picture(state, auth, MediaUse::Header).await
}

async fn delete_picture(
    state: AppState,
    auth: Auth,
    used_for: MediaUse,
) -> AppResult<Json<CredentialAccount>> {
    let me = me(&auth, &["write:accounts"])?;
    service::media::clear_account_image(&state, &me, used_for).await?;
    let account = directory::own(&state, me.id).await?;
    let user = auth.0.user.clone().ok_or_else(AppError::not_found)?;
    let prefs = service::preferences::get(&state, account.id).await?;
    let mut entity = CredentialAccount::from_rows(&state, &account, &user, &prefs);
    entity.account = hydrate::account(&state, &account).await?;
    Ok(Json(entity))
}

/// Profile fields as apps send them: `fields_attributes[0][name]=...` arrives as a map of
/// index to {name, value}, JSON clients send an array.
fn fields_from(v: &Value) -> Vec<(String, String)> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => {
            let mut entries: Vec<(&String, &Value)> = o.iter().collect();
            entries.sort_by_key(|(k, _)| k.parse::<usize>().unwrap_or(usize::MAX));
            entries.into_iter().map(|(_, v)| v).collect()
        }
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|f| {
            Some((
                f.get("name")?.as_str()?.to_string(),
                f.get("value")?.as_str()?.to_string(),
            ))
        })
        .collect()
}
