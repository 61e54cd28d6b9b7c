//! Static files (stylesheet, images), compiled into the binary so that the single binary is
//! the whole server.

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// The files served under `/static/`, with their content types.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "coopol.css",
        "text/css; charset=utf-8",
        include_bytes!("static/coopol.css"),
    ),
    (
        "avatar.png",
        "image/png",
        include_bytes!("static/avatar.png"),
    ),
    (
        "header.png",
        "image/png",
        include_bytes!("static/header.png"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("static/favicon.svg"),
    ),
];

/// Serves one static file. Names are looked up in a fixed list, so no path can escape it.
pub async fn serve(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                // Files change only with a new release; a day keeps upgrades visible.
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
