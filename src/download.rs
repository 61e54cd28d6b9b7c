//! Responses that make the browser (or an API client) save a file: CSV exports of member
//! and participant lists. Never cached, since they hold personal data.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

/// A CSV file named `name.csv`.
pub fn csv(name: &str, body: String) -> Response {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
