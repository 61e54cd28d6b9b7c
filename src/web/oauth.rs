//! The OAuth consent page apps send people to (`/oauth/authorize`), with PKCE S256.

use super::{Ctx, form::CsrfForm};
use crate::{
    error::AppResult,
    service::{
        self,
        oauth::{AuthorizeError, AuthorizeParams, AuthorizeRequest, Authorized},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "oauth_authorize.html")]
struct ConsentPage {
    c: Ctx,
    app_name: String,
    website: Option<String>,
    scopes: Vec<String>,
    params: AuthorizeParams,
    username: String,
}

#[derive(Template)]
#[template(path = "oauth_code.html")]
struct CodePage {
    c: Ctx,
    app_name: String,
    code: String,
}

fn scope_descriptions(c: &Ctx, req: &AuthorizeRequest) -> Vec<String> {
    req.scopes
        .iter()
        .map(|s| {
            let name = s.as_str();
            let top = name.split(':').next().unwrap_or(name);
            let key = match top {
                "read" | "write" | "follow" | "push" | "profile" | "admin" => {
                    format!("scope-{top}")
                }
                _ => "scope-other".to_string(),
            };
            format!("{} ({name})", c.t(&key))
        })
        .collect()
}

/// Shows what an app asks for. People who are not signed in sign in first and come back.
pub async fn authorize_page(
    State(state): State<AppState>,
    c: Ctx,
    Query(params): Query<AuthorizeParams>,
) -> AppResult<Response> {
    let req = match service::oauth::check_authorize(&state, &params).await {
        Ok(req) => req,
        Err(AuthorizeError::Show(e)) => return Err(e),
        Err(AuthorizeError::Redirect(url)) => return Ok(Redirect::to(&url).into_response()),
    };
    let user = c.require_user()?;
    let username = user.username.clone();
    let scopes = scope_descriptions(&c, &req);
    Ok(super::render(&ConsentPage {
        c,
        app_name: req.app.name.clone(),
        website: req.app.website.clone(),
        scopes,
        params,
        username,
    }))
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(flatten)]
    params: AuthorizeParams,
    #[serde(default)]
    decision: String,
}

/// Records the person's answer and sends them back to the app.
pub async fn authorize(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> AppResult<Response> {
    let user = c.require_user()?;
    let req = match service::oauth::check_authorize(&state, &form.params).await {
        Ok(req) => req,
        Err(AuthorizeError::Show(e)) => return Err(e),
        Err(AuthorizeError::Redirect(url)) => return Ok(Redirect::to(&url).into_response()),
    };
    if form.decision != "approve" {
        return Ok(match service::oauth::denied_redirect(&req) {
            Some(url) => Redirect::to(&url).into_response(),
            None => Redirect::to("/").into_response(),
        });
    }
    match service::oauth::grant_code(&state, user, &req).await? {
        Authorized::Redirect(url) => Ok(Redirect::to(&url).into_response()),
        Authorized::ShowCode(code) => Ok(super::render(&CodePage {
            c: c.clone(),
            app_name: req.app.name.clone(),
            code,
        })),
    }
}
