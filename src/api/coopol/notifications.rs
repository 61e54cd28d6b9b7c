//! A person's notification preferences: for each kind, in the app, by e-mail, by push.

use super::super::mastodon::extract::{Auth, Params};
use super::super::mastodon::statuses::me;
use crate::{
    domain::{AlertReach, Channels, DigestFrequency, Invalid, MissionAlerts, NotificationKind},
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

/// The digest and the mission alerts as the API shows them.
#[derive(Debug, Serialize)]
pub struct AlertPreferencesEntity {
    /// `off`, `daily` or `weekly`.
    digest: &'static str,
    /// `off`, `postcode` or `departement`: how far from home public missions are announced.
    mission_reach: &'static str,
    /// The person's postcode, if given.
    postcode: Option<String>,
    /// Every mission alert by e-mail, not one a day at most.
    every_mission_email: bool,
}

async fn alert_entity(state: &AppState, account_id: i64) -> AppResult<AlertPreferencesEntity> {
    let alerts = notifications::mission_alerts(state, account_id).await?;
    Ok(AlertPreferencesEntity {
        digest: crate::service::digest::frequency(state, account_id)
            .await?
            .as_str(),
        mission_reach: alerts.reach.as_str(),
        postcode: alerts.postcode,
        every_mission_email: alerts.every_email,
    })
}

/// `GET /api/coopol/v1/alert_preferences`: the digest and the mission alerts.
pub async fn show_alerts(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<AlertPreferencesEntity>> {
    let me = me(&auth, &["read"])?;
    Ok(Json(alert_entity(&state, me.id).await?))
}

/// `PUT /api/coopol/v1/alert_preferences`: any of `digest`, `mission_reach`, `postcode`,
/// `every_mission_email` (absent keeps). An unknown field or value, or a reach without a
/// postcode, is refused with the field named; nothing is changed then.
pub async fn update_alerts(
    State(state): State<AppState>,
    auth: Auth,
    Params(body): Params<Map<String, Value>>,
) -> AppResult<Json<AlertPreferencesEntity>> {
    let me = me(&auth, &["write"])?;
    let current = notifications::mission_alerts(&state, me.id).await?;
    let mut digest = None;
    let (mut reach, mut postcode, mut every) =
        (current.reach, current.postcode.clone(), current.every_email);
    let mut errors = Vec::new();
    let bad = |field: &'static str| Invalid::new(field, "error-alert-value").arg("name", field);
    for (name, value) in &body {
        match (name.as_str(), value) {
            ("digest", Value::String(s)) => match DigestFrequency::from_stored(s) {
                Some(f) => digest = Some(f),
                None => errors.push(bad("digest")),
            },
            ("mission_reach", Value::String(s)) => match AlertReach::from_stored(s) {
                Some(r) => reach = r,
                None => errors.push(bad("mission_reach")),
            },
            ("postcode", Value::String(s)) => postcode = Some(s.clone()),
            ("postcode", Value::Null) => postcode = None,
            ("every_mission_email", Value::Bool(b)) => every = *b,
            ("digest", _) => errors.push(bad("digest")),
            ("mission_reach", _) => errors.push(bad("mission_reach")),
            ("postcode", _) => errors.push(bad("postcode")),
            ("every_mission_email", _) => errors.push(bad("every_mission_email")),
            _ => errors
                .push(Invalid::new("preferences", "error-alert-field").arg("name", name.as_str())),
        }
    }
    let alerts = match MissionAlerts::new(reach, postcode.as_deref(), every) {
        Ok(a) => Some(a),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let Some(alerts) = alerts.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    if alerts != current {
        notifications::set_mission_alerts(&state, me.id, &alerts).await?;
    }
    if let Some(digest) = digest
        && digest != crate::service::digest::frequency(&state, me.id).await?
    {
        crate::service::digest::set_frequency(&state, me.id, digest).await?;
    }
    Ok(Json(alert_entity(&state, me.id).await?))
}
