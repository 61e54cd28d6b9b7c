//! `/api/v1/push/subscription` (docs.joinmastodon.org/methods/push): an access token's Web
//! Push subscription, made, read, changed and removed by its app with the `push` scope.
//! Parameters come as Rails reads them (`subscription[keys][p256dh]`, `data[alerts][mention]`,
//! from JSON, forms or the query string); a parameter not understood is refused, never
//! dropped. Mastodon.py sends the policy as a top-level `policy`: it is read as `data[policy]`.

use super::{
    entities::WebPushSubscription,
    extract::{Auth, BearerText, Params},
};
use crate::{
    domain::Invalid,
    error::{AppError, AppResult},
    service::push::{self, DataInput, SubscriptionInput},
    state::AppState,
};
use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The parameters of the push endpoints (each read by hand below, so that an unknown one is
/// named in the refusal).
#[derive(Debug, Default, Deserialize)]
pub struct PushParams {
    #[serde(default)]
    subscription: Option<Value>,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    policy: Option<Value>,
}

/// A scalar as text (`true`, `1` and `"true"` alike); `None` for objects and arrays.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An object parameter, or a refusal naming it.
fn object<'a>(
    value: &'a Value,
    field: &'static str,
    refused: &mut Vec<Invalid>,
) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        // An empty form value (`data=`) says nothing.
        Value::String(s) if s.is_empty() => None,
        _ => {
            refused.push(Invalid::new(field, "error-push-shape"));
            None
        }
    }
}

/// A text parameter, or a refusal naming it.
fn text(value: &Value, field: &'static str, refused: &mut Vec<Invalid>) -> Option<String> {
    let found = scalar(value);
    if found.is_none() {
        refused.push(Invalid::new(field, "error-push-shape"));
    }
    found
}

fn unknown(field: &'static str, name: &str) -> Invalid {
    Invalid::new(field, "error-push-unknown-param").arg("name", name)
}

/// `data[...]` and the top-level `policy`.
fn read_data(params: &PushParams, refused: &mut Vec<Invalid>) -> DataInput {
    let mut input = DataInput::default();
    if let Some(data) = params
        .data
        .as_ref()
        .and_then(|d| object(d, "data", refused))
    {
        for (key, value) in data {
            match key.as_str() {
                "alerts" => {
                    if let Some(alerts) = object(value, "data_alerts", refused) {
                        for (name, v) in alerts {
                            // A value that is no scalar is refused by the service, named.
                            let v = scalar(v).unwrap_or_else(|| v.to_string());
                            input.alerts.push((name.clone(), v));
                        }
                    }
                }
                "policy" => input.policy = text(value, "data_policy", refused),
                other => refused.push(unknown("data", other)),
            }
        }
    }
    if let Some(policy) = &params.policy {
        let policy = text(policy, "data_policy", refused);
        match (&input.policy, policy) {
            (Some(a), Some(b)) if *a != b => {
                refused.push(Invalid::new("data_policy", "error-push-policy-twice"));
            }
            (_, Some(b)) => input.policy = Some(b),
            _ => {}
        }
    }
    input
}

fn read_subscription(params: &PushParams) -> Result<SubscriptionInput, AppError> {
    let mut refused = Vec::new();
    let mut input = SubscriptionInput::default();
    match params.subscription.as_ref() {
        None => refused.push(Invalid::new("subscription_endpoint", "error-required")),
        Some(value) => {
            if let Some(subscription) = object(value, "subscription", &mut refused) {
                for (key, value) in subscription {
                    match key.as_str() {
                        "endpoint" => {
                            input.endpoint = text(value, "subscription_endpoint", &mut refused)
                        }
                        "standard" => {
                            input.standard = text(value, "subscription_standard", &mut refused)
                        }
                        "keys" => {
                            let Some(keys) = object(value, "subscription_keys", &mut refused)
                            else {
                                continue;
                            };
                            for (name, value) in keys {
                                match name.as_str() {
                                    "p256dh" => {
                                        input.p256dh =
                                            text(value, "subscription_keys_p256dh", &mut refused)
                                    }
                                    "auth" => {
                                        input.auth =
                                            text(value, "subscription_keys_auth", &mut refused)
                                    }
                                    other => refused.push(unknown("subscription_keys", other)),
                                }
                            }
                        }
                        other => refused.push(unknown("subscription", other)),
                    }
                }
            }
        }
    }
    input.data = read_data(params, &mut refused);
    if refused.is_empty() {
        Ok(input)
    } else {
        Err(AppError::invalid(refused))
    }
}

/// `POST /api/v1/push/subscription`.
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    BearerText(bearer): BearerText,
    Params(params): Params<PushParams>,
) -> AppResult<Json<WebPushSubscription>> {
    auth.require_user(&["push"])?;
    let input = read_subscription(&params)?;
    let made = push::subscribe(&state, &auth.0, &bearer, &input).await?;
    Ok(Json(made.into()))
}

/// `GET /api/v1/push/subscription`.
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<WebPushSubscription>> {
    auth.require_user(&["push"])?;
    Ok(Json(push::current(&state, &auth.0).await?.into()))
}

/// `PUT /api/v1/push/subscription`.
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Params(params): Params<PushParams>,
) -> AppResult<Json<WebPushSubscription>> {
    auth.require_user(&["push"])?;
    let mut refused = Vec::new();
    if params.subscription.is_some() {
        refused.push(unknown("subscription", "subscription"));
    }
    let data = read_data(&params, &mut refused);
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    Ok(Json(push::change(&state, &auth.0, &data).await?.into()))
}

/// `DELETE /api/v1/push/subscription`: `{}`, whether there was one or not (as Mastodon).
pub async fn delete(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Value>> {
    auth.require_user(&["push"])?;
    push::unsubscribe(&state, &auth.0).await?;
    Ok(Json(Value::Object(Map::new())))
}
