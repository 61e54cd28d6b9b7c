//! The forms of a group's page: joining, leaving, posting, affiliating, being listed,
//! inviting; and what moderators do to posts and administrators to affiliations.

use super::{
    find_person,
    page::{GroupPostForm, GroupQuery, Tab, group_page},
};
use crate::{
    domain::{MemberRole, media::MediaUse},
    error::{AppError, AppResult},
    service::groups,
    state::AppState,
    upload,
    web::{
        Ctx, confirm,
        form::{CsrfForm, CsrfUpload, FileFields},
        redirect_with_flash, render_status,
        uploads::{AccountImage, set_account_image},
    },
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    federation: String,
    #[serde(default)]
    listed: Option<String>,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    spoiler_text: String,
    /// `1` from a confirmation page (leaving and removing a post ask first).
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /groups/{handle}/{join|leave|post|affiliate|listed|invite}`.
pub async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let back = c.profile_path(&group.account);
    match action.as_str() {
        "join" => match groups::join(&state, &me, &group, Some(&f.message)).await {
            Ok(groups::JoinOutcome::Joined) => {
                Ok(redirect_with_flash(&state, &back, "flash-group-joined"))
            }
            Ok(groups::JoinOutcome::Pending) => {
                Ok(redirect_with_flash(&state, &back, "flash-group-requested"))
            }
            Err(e) if !e.fields.is_empty() => {
                let message = e.message(c.locale);
                let page = group_page(
                    &state,
                    c,
                    group,
                    &GroupQuery::default(),
                    Tab::About,
                    None,
                    Some((f.message, message)),
                )
                .await?;
                Ok(render_status(e.status, &page))
            }
            Err(e) => Err(e),
        },
        "leave" => {
            let standing = groups::standing(&state, &group, Some(me.id)).await?;
            if standing.membership.is_some() && !confirm::confirmed(f.confirm.as_deref()) {
                let name = c.name_of(&group.account);
                let (title, text) = if standing.is_member() {
                    ("confirm-leave-group-title", "confirm-leave-group-text")
                } else {
                    (
                        "confirm-withdraw-request-title",
                        "confirm-withdraw-request-text",
                    )
                };
                let p = confirm::Confirmation {
                    title: c.ta(title, "name", &name),
                    subject: format!("{name} (@{})", c.full_handle(&group.account)),
                    consequence: c.t(text),
                    action: format!("/groups/{}/leave", c.handle_of(&group.account)),
                    fields: Vec::new(),
                    back,
                };
                return Ok(confirm::page(c, p));
            }
            groups::leave(&state, &me, &group).await?;
            Ok(redirect_with_flash(&state, &back, "flash-group-left"))
        }
        "post" => {
            let p = GroupPostForm {
                title: f.title,
                status: f.status,
                audience: f.audience,
                spoiler_text: f.spoiler_text,
            };
            let kept = p.clone();
            let input = groups::GroupPost {
                text: p.status.clone(),
                audience: if p.audience.is_empty() {
                    "public".into()
                } else {
                    p.audience.clone()
                },
                title: Some(p.title.clone()),
                in_reply_to_id: None,
                spoiler_text: p.spoiler_text.clone(),
            };
            match groups::post(&state, &me, &group, input).await {
                Ok(_) => Ok(redirect_with_flash(
                    &state,
                    &format!("/groups/{}/discussions", c.handle_of(&group.account)),
                    "flash-posted",
                )),
                Err(e) if e.status.is_client_error() => {
                    let message = e.message(c.locale);
                    let page = group_page(
                        &state,
                        c,
                        group,
                        &GroupQuery::default(),
                        Tab::Discussions,
                        Some((kept, message)),
                        None,
                    )
                    .await?;
                    Ok(render_status(e.status, &page))
                }
                Err(e) => Err(e),
            }
        }
        "affiliate" => {
            let name = f.federation.trim();
            if name.is_empty() {
                return Err(AppError::invalid(vec![crate::domain::Invalid::new(
                    "federation",
                    "error-required",
                )]));
            }
            let federation = groups::find(&state, name, true).await?;
            groups::affiliate(&state, &me, &group, &federation).await?;
            Ok(redirect_with_flash(
                &state,
                &back,
                "flash-group-affiliation-requested",
            ))
        }
        "listed" => {
            groups::set_listed(&state, &me, &group, f.listed.is_some()).await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/groups/{}/members", c.handle_of(&group.account)),
                "flash-settings-saved",
            ))
        }
        "invite" => {
            let target = find_person(&state, f.handle.trim()).await?;
            groups::invite(&state, &me, &group, target.id).await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/groups/{}/members", c.handle_of(&group.account)),
                "flash-group-invited",
            ))
        }
        _ => Err(AppError::not_found()),
    }
}

/// `POST /groups/{handle}/posts/{status_id}/{remove|lock|unlock}` (moderators).
pub async fn post_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, status_id, action)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let status_id: i64 = status_id.parse().map_err(|_| AppError::not_found())?;
    let back = format!("/groups/{}/discussions", c.handle_of(&group.account));
    let flash = match action.as_str() {
        "remove" if !confirm::confirmed(f.confirm.as_deref()) => {
            let post = groups::moderated_post(&state, &me, &group, status_id).await?;
            let p = confirm::Confirmation {
                title: c.t("confirm-remove-group-post-title"),
                subject: confirm::excerpt(post.title.as_deref(), &post.spoiler_text, &post.content),
                consequence: c.t("confirm-remove-group-post-text"),
                action: format!(
                    "/groups/{}/posts/{status_id}/remove",
                    c.handle_of(&group.account)
                ),
                fields: Vec::new(),
                back,
            };
            return Ok(confirm::page(c, p));
        }
        "remove" => {
            groups::remove_post(&state, &me, &group, status_id).await?;
            "flash-group-post-removed"
        }
        "lock" => {
            groups::lock_thread(&state, &me, &group, status_id, true).await?;
            "flash-group-thread-locked"
        }
        "unlock" => {
            groups::lock_thread(&state, &me, &group, status_id, false).await?;
            "flash-group-thread-unlocked"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(&state, &back, flash))
}

/// `POST /groups/{handle}/affiliations/{section_id}/{approve|reject}` (administrators of a
/// federation).
pub async fn affiliation_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, section_id, action)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let section_id: i64 = section_id.parse().map_err(|_| AppError::not_found())?;
    let approve = match action.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::not_found()),
    };
    groups::answer_affiliation(&state, &me, &group, section_id, approve).await?;
    Ok(redirect_with_flash(
        &state,
        &c.profile_path(&group.account),
        if approve {
            "flash-request-accepted"
        } else {
            "flash-request-refused"
        },
    ))
}

/// The group the logo and banner form's upload path names (`?group=`).
#[derive(Deserialize, Default)]
pub struct ImagesQuery {
    #[serde(default)]
    group: String,
}

/// The logo and banner form: new files, or taking them away.
#[derive(Deserialize)]
pub struct ImagesForm {
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    remove_avatar: bool,
    #[serde(default, deserialize_with = "crate::web::form::checkbox")]
    remove_header: bool,
}

impl FileFields for ImagesForm {
    const FILE_FIELDS: &'static [&'static str] = &["avatar", "header"];
}

/// `POST /groups/images?group={handle}` (administrators of a group of this server): sets,
/// replaces or removes the group's logo and banner. The files arrive before the group's
/// roles are read; a refused request leaves nothing of them.
pub async fn images(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<ImagesQuery>,
    CsrfUpload { form, mut files }: CsrfUpload<ImagesForm>,
) -> AppResult<Response> {
    let result = set_images(&state, c, &q.group, form, &mut files).await;
    files.discard().await;
    result
}

async fn set_images(
    state: &AppState,
    c: Ctx,
    handle: &str,
    form: ImagesForm,
    files: &mut upload::Form,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(state, handle, false).await?;
    let standing = groups::standing(state, &group, Some(me.id)).await?;
    if !group.is_local() || standing.role() != Some(MemberRole::Administrator) {
        return Err(AppError::forbidden("error-group-role"));
    }
    let mut image_errors = Vec::new();
    for (field, used_for, remove) in [
        ("avatar", MediaUse::Avatar, form.remove_avatar),
        ("header", MediaUse::Header, form.remove_header),
    ] {
        let set = AccountImage {
            field,
            used_for,
            remove,
        };
        if let Some(message) = set_account_image(state, &c, &me, &group.account, files, set).await?
        {
            image_errors.push((field.to_string(), message));
        }
    }
    let back = c.profile_path(&group.account);
    if image_errors.is_empty() {
        return Ok(redirect_with_flash(state, &back, "flash-images-saved"));
    }
    // The page shows the group as it now is (one of the two may have been saved).
    let group = groups::get(state, group.account.id).await?;
    let mut page = group_page(
        state,
        c,
        group,
        &GroupQuery::default(),
        Tab::About,
        None,
        None,
    )
    .await?;
    page.image_errors = image_errors;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
