//! Voting in a poll from a post's page (`POST /statuses/:id/vote`): radio buttons (one
//! choice) or checkboxes (several), named `choice_…`, whose values are the options' indexes.

use super::{context::Ctx, form::CsrfForm, redirect_with_flash, safe_next};
use crate::{
    domain::Invalid,
    error::{AppError, AppResult},
    service::polls,
    state::AppState,
};
use axum::{
    extract::{Path, State},
    response::Response,
};
use std::collections::BTreeMap;

/// `POST /statuses/:id/vote`.
pub async fn vote(
    State(state): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> AppResult<Response> {
    let me = c.me()?;
    let next = safe_next(form.get("next").map(String::as_str));
    let mut choices = Vec::new();
    for (name, value) in &form {
        if name.starts_with("choice_") {
            let choice: i64 = value.trim().parse().map_err(|_| {
                AppError::invalid(vec![Invalid::new("choices", "error-poll-unknown-choice")])
            })?;
            choices.push(choice);
        }
    }
    polls::vote(&state, &me, id, &choices).await?;
    Ok(redirect_with_flash(&state, &next, "flash-poll-voted"))
}
