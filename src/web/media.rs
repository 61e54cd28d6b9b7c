//! Media files, served from this server at `/media/{id}/{token}/{original|small}[.ext]`:
//! the type recorded when the file was stored (never guessed by the browser: `nosniff`), a
//! policy that runs nothing if a file is opened as a page, documents as downloads, byte
//! ranges for video and sound, and long caching (an address never changes content).
//! Outside the pages' layer: no session is read and no cookie set.

use crate::{
    media::ByteRange,
    service::media::{self, File},
    state::AppState,
};
use axum::{
    Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

/// The media routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/media/{id}/{token}/{name}", get(serve))
}

/// Reads a single `Range: bytes=...` header; `None` for none or one not understood (the whole
/// file is then sent, as RFC 9110 allows), and for several ranges.
pub fn parse_range(headers: &HeaderMap) -> Option<ByteRange> {
    let value = headers.get(header::RANGE)?.to_str().ok()?.trim();
    let spec = value.strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (true, false) => {
            Some(ByteRange::Last(last.parse().ok()?)).filter(|r| *r != ByteRange::Last(0))
        }
        (false, true) => Some(ByteRange::From(first.parse().ok()?)),
        (false, false) => {
            let (a, b): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
            (a <= b).then(|| ByteRange::Bounded(a..b.saturating_add(1)))
        }
        (true, true) => None,
    }
}

async fn serve(
    State(state): State<AppState>,
    Path((id, token, name)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let range = parse_range(&headers);
    let asked_range = range.is_some();
    match media::open(&state, id, &token, &name, range).await {
        Ok(file) => respond(file, asked_range, &headers),
        Err(e) if e.status == StatusCode::NOT_FOUND => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

fn respond(file: File, asked_range: bool, request: &HeaderMap) -> Response {
    let etag = format!(
        "\"{}\"",
        crate::crypto::token_hash(&file.tag)[..16].to_owned()
    );
    let mut response = if asked_range && file.range.is_none() {
        let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", file.total)) {
            r.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        r
    } else if request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (status, length) = match &file.range {
            Some(r) => (StatusCode::PARTIAL_CONTENT, r.end - r.start),
            None => (StatusCode::OK, file.total),
        };
        let mut r = (status, Body::from_stream(file.body)).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        if let Some(range) = &file.range
            && let Ok(v) = HeaderValue::from_str(&format!(
                "bytes {}-{}/{}",
                range.start,
                range.end.saturating_sub(1),
                file.total
            ))
        {
            h.insert(header::CONTENT_RANGE, v);
        }
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(name) = &file.download_name
        && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; media-src 'self'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str) -> Option<ByteRange> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(value).unwrap());
        parse_range(&h)
    }

    #[test]
    fn ranges_are_read_or_ignored() {
        assert_eq!(range("bytes=0-99"), Some(ByteRange::Bounded(0..100)));
        assert_eq!(range("bytes=100-"), Some(ByteRange::From(100)));
        assert_eq!(range("bytes=-500"), Some(ByteRange::Last(500)));
        for ignored in [
            "bytes=5-1",
            "bytes=0-1,4-5",
            "items=0-1",
            "bytes=-",
            "bytes=a-b",
            "bytes=-0",
        ] {
            assert_eq!(range(ignored), None, "{ignored}");
        }
    }
}
