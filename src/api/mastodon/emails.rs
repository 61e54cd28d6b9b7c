//! `POST /api/v1/emails/confirmations`: an app asks for the confirmation e-mail of the account
//! it registered again (optionally to another address), with the token the registration gave
//! it, which is otherwise refused until the address is confirmed (as Mastodon does).

use super::extract::{Params, bearer_token, lenient};
use crate::{
    error::{AppError, AppResult},
    service,
    state::AppState,
};
use axum::{Json, extract::State, http::request::Parts};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ConfirmationForm {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    email: Option<String>,
}

/// The bearer token of a request, read without checking the account may sign in.
pub struct RawBearer(String);

impl axum::extract::FromRequestParts<AppState> for RawBearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        bearer_token(parts)
            .map(RawBearer)
            .ok_or_else(|| AppError::unauthorized("error-token-invalid"))
    }
}

/// Sends the confirmation again; answers `{}`.
pub async fn resend(
    State(state): State<AppState>,
    RawBearer(token): RawBearer,
    Params(form): Params<ConfirmationForm>,
) -> AppResult<Json<serde_json::Value>> {
    service::mail::resend_for_token(&state, &token, form.email.as_deref()).await?;
    Ok(Json(serde_json::json!({})))
}
