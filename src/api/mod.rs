//! Machine interfaces: the Mastodon client API, and the layer that renders their errors as JSON
//! in the caller's language.

pub mod coopol;
pub mod mastodon;

use crate::{domain::Locale, error::ErrorExtension, state::AppState};
use axum::{
    Json, Router,
    extract::{Request, State},
    http::{Method, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use tower_http::cors::{Any, CorsLayer};

/// Every API route, with JSON errors and CORS (browser apps such as Phanpy call the API from
/// their own origin; tokens travel in headers, not cookies, so this opens nothing to forgery).
pub fn router(state: AppState) -> Router<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            header::LINK,
            header::HeaderName::from_static("x-request-id"),
        ]);
    mastodon::router()
        .merge(coopol::router())
        .layer(middleware::from_fn_with_state(state, localized_errors))
        .layer(cors)
}

/// Renders an error in the language the caller asked for (Accept-Language), or the instance's
/// default language.
async fn localized_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let locale = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or(state.config.default_locale);
    let response = next.run(req).await;
    match response.extensions().get::<ErrorExtension>().cloned() {
        Some(ErrorExtension(err)) => {
            let localized = (err.status, Json(err.to_json(locale))).into_response();
            let mut localized = crate::limits::with_retry_after(localized, &err);
            localized.extensions_mut().insert(ErrorExtension(err));
            localized
        }
        None => response,
    }
}
