//! The page of deliveries given up, for administrators (`/admin/deliveries`): per host, how
//! many and when the last; then the newest given-up deliveries (of one host when chosen), each
//! with its activity, the inbox's last answer and the attempts (`service::dashboard`).

use super::Ctx;
use crate::{
    db::federation::DeliveryFailure, error::AppResult, service::dashboard, state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    response::Response,
    routing::get,
};
use serde::Deserialize;

/// How many given-up deliveries the page lists.
const SHOWN: i64 = 100;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/deliveries", get(page))
}

/// What the page's links send.
#[derive(Debug, Default, Deserialize)]
pub struct DeliveriesQuery {
    #[serde(default)]
    host: String,
}

#[derive(Template)]
#[template(path = "admin_deliveries.html")]
struct DeliveriesPage {
    c: Ctx,
    host: String,
    hosts: Vec<(String, i64, i64)>,
    items: Vec<DeliveryFailure>,
}

/// `GET /admin/deliveries`, `?host=` for one host.
pub async fn page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<DeliveriesQuery>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let host = q.host.trim().to_string();
    let found = dashboard::delivery_failures(
        &state,
        &admin,
        (!host.is_empty()).then_some(host.as_str()),
        None,
        SHOWN,
    )
    .await?;
    Ok(super::render(&DeliveriesPage {
        c,
        host,
        hosts: found.hosts,
        items: found.items,
    }))
}
