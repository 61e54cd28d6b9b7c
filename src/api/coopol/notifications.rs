//! A person's notification preferences: for each kind, in the app, by e-mail, by push.

use super::super::mastodon::extract::{Auth, Params};
use super::super::mastodon::statuses::me;
use crate::{
    domain::{Channels, Invalid, NotificationKind},
    error::{AppError, AppResult},
    service::notifications,
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Serialize;
use serde_json::{Map, Value};

/// One kind's channels as the API shows them.
#[derive(Debug, Serialize)]
pub struct PreferenceEntity {
    kind: &'static str,
    in_app: bool,
    email: bool,
    push: bool,
}

fn entities(list: Vec<(NotificationKind, Channels)>) -> Vec<PreferenceEntity> {
    list.into_iter()
        .map(|(kind, c)| PreferenceEntity {
            kind: kind.as_str(),
            in_app: c.in_app,
            email: c.email,
            push: c.push,
        })
        .collect()
}

/// `GET /api/coopol/v1/notification_preferences`: every kind with its channels.
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<PreferenceEntity>>> {
    let me = me(&auth, &["read"])?;
    Ok(Json(entities(
        notifications::preferences(&state, me.id).await?,
    )))
}

/// `PUT /api/coopol/v1/notification_preferences`: `{kind: {in_app, email, push}}`, each
/// channel optional (absent keeps it). An unknown kind or channel, or a value that is not a
/// boolean, is refused with the field named; nothing is changed then.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Params(body): Params<Map<String, Value>>,
) -> AppResult<Json<Vec<PreferenceEntity>>> {
    let me = me(&auth, &["write"])?;
    let current = notifications::preferences(&state, me.id).await?;
    let mut errors = Vec::new();
    let mut choices = Vec::new();
    for (name, value) in &body {
        let Some(kind) = NotificationKind::from_stored(name) else {
            errors.push(Invalid::new("preferences", "error-notification-kind").arg("name", name));
            continue;
        };
        let Some(mut channels) = current.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c) else {
            continue;
        };
        let Some(fields) = value.as_object() else {
            errors
                .push(Invalid::new("preferences", "error-notification-channels").arg("name", name));
            continue;
        };
        for (channel, on) in fields {
            let slot = match channel.as_str() {
                "in_app" => &mut channels.in_app,
                "email" => &mut channels.email,
                "push" => &mut channels.push,
                _ => {
                    errors.push(
                        Invalid::new("preferences", "error-notification-channel")
                            .arg("name", format!("{name}[{channel}]")),
                    );
                    continue;
                }
            };
            match on {
                Value::Bool(b) => *slot = *b,
                _ => errors.push(
                    Invalid::new("preferences", "error-notification-boolean")
                        .arg("name", format!("{name}[{channel}]")),
                ),
            }
        }
        choices.push((kind, channels));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    notifications::set_preferences(&state, me.id, &choices).await?;
    Ok(Json(entities(
        notifications::preferences(&state, me.id).await?,
    )))
}
