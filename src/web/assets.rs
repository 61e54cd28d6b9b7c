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
                // Pages link to files with a content fingerprint (see `url`), so a new release
                // changes the link and the file may be kept for long.
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The URL of a static file, with a fingerprint of its content so that browsers fetch it anew
/// after an upgrade and may keep it forever otherwise.
pub fn url(name: &str) -> String {
    static FINGERPRINTS: std::sync::OnceLock<Vec<(&'static str, String)>> =
        std::sync::OnceLock::new();
    let fingerprints = FINGERPRINTS.get_or_init(|| {
        FILES
            .iter()
            .map(|(n, _, bytes)| {
                (
                    *n,
                    crate::crypto::token_hash(&String::from_utf8_lossy(bytes))[..12].to_string(),
                )
            })
            .collect()
    });
    match fingerprints.iter().find(|(n, _)| *n == name) {
        Some((_, v)) => format!("/static/{name}?v={v}"),
        None => format!("/static/{name}"),
    }
}
