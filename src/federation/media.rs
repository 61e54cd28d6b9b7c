//! The media of posts from other servers, read from every shape the fixtures hold: Mastodon's,
//! Pleroma's and Misskey's `Document`s, WordPress's and Lemmy's `Image`s, Lemmy's `Link` and
//! `image`, Mobilizon's event picture (a `Document` named "Banner") and post `image`,
//! PeerTube's `Video` (its files as a `url` list of `Link`s, its thumbnails as `icon`). What
//! is kept: at most [`MAX_ATTACHMENTS`], each with an http(s) address and a media type telling
//! a picture, a video, a sound or a PDF; the alt text cut, a blurhash only when well formed.

use super::protocol::{self, Attachment, id_of};
use crate::{
    domain::media::{Focus, MAX_ATTACHMENTS, MediaKind, remote_description},
    service::{RemoteFile, RemoteFileError, statuses::RemoteMedia},
    state::AppState,
};
use serde_json::Value;
use std::{net::IpAddr, time::Duration};
use url::Url;

/// The longest address kept (longer ones are not media anyone links to).
const MAX_URL_BYTES: usize = 2048;
/// How many redirections a media fetch follows (media servers and CDNs redirect to the file).
const MAX_REDIRECTS: usize = 3;
/// How long a media fetch may take, from the request to its last byte.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether an address of another server's file may be fetched: http(s), not ours; on an https
/// instance only https, never an address by IP nor a port other than 443 (the resolver of
/// `http_client` then refuses names that lead to private addresses).
pub fn may_fetch(state: &AppState, url: &Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") || state.config.is_local_url(url) {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    if crate::service::domain_policy::rejects_media(state, &super::protocol::domain_of(url)) {
        return false;
    }
    if !state.config.is_https() {
        return true;
    }
    let by_ip = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok();
    url.scheme() == "https" && !by_ip && url.port().is_none_or(|p| p == 443)
}

/// Fetches a file of another server through the federation client (its resolver refuses
/// private addresses on an https instance), following at most [`MAX_REDIRECTS`] redirections,
/// each checked as the first address, within [`FETCH_TIMEOUT`]. The body is read as it comes.
pub async fn fetch(state: &AppState, address: &str) -> Result<RemoteFile, RemoteFileError> {
    let mut url = Url::parse(address).map_err(|_| RemoteFileError::Refused)?;
    let client = super::runtime(state).delivery.client();
    for _ in 0..=MAX_REDIRECTS {
        if !may_fetch(state, &url) {
            return Err(RemoteFileError::Refused);
        }
        let response = client
            .get(url.clone())
            .header(
                reqwest::header::ACCEPT,
                "image/*, video/*, audio/*, application/pdf",
            )
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                tracing::debug!(url = %url, error = %e, "a remote file could not be fetched");
                RemoteFileError::Unavailable
            })?;
        let status = response.status();
        if status.is_redirection() {
            let next = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .ok_or(RemoteFileError::Missing)?;
            url = next;
            continue;
        }
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            return Err(RemoteFileError::Unavailable);
        }
        if !status.is_success() {
            return Err(RemoteFileError::Missing);
        }
        let length = response.content_length();
        let body = futures::stream::unfold(Some(response), |response| async move {
            let mut response = response?;
            match response.chunk().await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(response))),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        });
        return Ok(RemoteFile {
            length,
            body: Box::pin(body),
        });
    }
    Err(RemoteFileError::Missing)
}

/// How long a push service may take to answer.
const PUSH_TIMEOUT: Duration = Duration::from_secs(15);

/// POSTs a Web Push message to a push service (`service::Remote::push`): the address is
/// checked as a file's is ([`may_fetch`]: chosen by an app, it must not lead into our
/// network), no redirection is followed, and only the status is read.
pub async fn push(
    state: &AppState,
    endpoint: &str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
) -> Result<u16, RemoteFileError> {
    let url = Url::parse(endpoint).map_err(|_| RemoteFileError::Refused)?;
    if !may_fetch(state, &url) {
        return Err(RemoteFileError::Refused);
    }
    let mut request = super::runtime(state)
        .delivery
        .client()
        .post(url)
        .timeout(PUSH_TIMEOUT)
        .body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| {
        tracing::debug!(error = %e, "a push service could not be reached");
        RemoteFileError::Unavailable
    })?;
    Ok(response.status().as_u16())
}

/// The media of a remote post, in order, at most [`MAX_ATTACHMENTS`].
pub fn of_note(note: &protocol::Note) -> Vec<RemoteMedia> {
    fn push(found: &mut Vec<RemoteMedia>, m: Option<RemoteMedia>) {
        if let Some(m) = m
            && found.len() < MAX_ATTACHMENTS
            && !found.iter().any(|f| f.url == m.url)
        {
            found.push(m);
        }
    }
    let mut found: Vec<RemoteMedia> = Vec::new();
    let event = note.kind == "Event";
    for a in &note.attachment {
        push(&mut found, medium(a, event));
    }
    // PeerTube: the video itself is among `url`'s links; its thumbnail when none is readable.
    if note.kind == "Video" || note.kind == "Audio" {
        push(&mut found, best_file(&note.url.files));
    }
    for a in &note.image {
        push(&mut found, picture(a));
    }
    if found.is_empty() {
        let largest = note
            .icon
            .iter()
            .max_by_key(|i| i.width.unwrap_or(0) * i.height.unwrap_or(0));
        push(&mut found, largest.and_then(picture));
    }
    found
}

/// An attachment that is a medium: its address, and what its media type (or, without one,
/// its type) says it is. Links to pages, profile fields and unknown types are not media.
fn medium(a: &Attachment, event: bool) -> Option<RemoteMedia> {
    if !matches!(
        a.kind.as_str(),
        "Document" | "Image" | "Video" | "Audio" | "Link"
    ) {
        return None;
    }
    let link = a.url.as_ref().and_then(first_link);
    let address = link
        .as_ref()
        .map(|(u, _)| u.clone())
        .or_else(|| a.href.clone())?;
    let media_type = a.media_type.clone().or_else(|| link.and_then(|(_, t)| t));
    let kind = match media_type.as_deref() {
        Some(t) => kind_of(t)?,
        // Without a media type, the type says it: a `Link` or a `Document` could be anything.
        None => match a.kind.as_str() {
            "Image" => MediaKind::Image,
            "Video" => MediaKind::Video,
            "Audio" => MediaKind::Audio,
            _ => return None,
        },
    };
    // Mobilizon names an event's picture "Banner": a marker, not a description.
    let name = a.name().filter(|n| !(event && *n == "Banner"));
    build(&address, kind, name, a)
}

/// A post's picture (`image`, `icon`): an image whatever its media type says, unless that
/// says otherwise.
fn picture(a: &Attachment) -> Option<RemoteMedia> {
    let address = match a.url.as_ref().and_then(first_link) {
        Some((u, _)) => u,
        None => a.href.clone()?,
    };
    if a.media_type
        .as_deref()
        .is_some_and(|t| kind_of(t) != Some(MediaKind::Image))
    {
        return None;
    }
    build(&address, MediaKind::Image, a.name(), a)
}

/// The video file to keep among PeerTube's: an MP4 or WebM file (not a playlist or a torrent),
/// the one closest to 720 lines without going over, else the smallest.
fn best_file(files: &[Attachment]) -> Option<RemoteMedia> {
    let playable = files.iter().filter(|f| {
        matches!(
            f.media_type.as_deref(),
            Some("video/mp4" | "video/webm" | "audio/mpeg" | "audio/ogg" | "audio/mp4")
        )
    });
    let chosen = playable.min_by_key(|f| match f.height {
        Some(h) if h <= 720 => (0, 720 - h),
        Some(h) => (1, h),
        None => (2, 0),
    })?;
    let kind = kind_of(chosen.media_type.as_deref()?)?;
    build(chosen.href.as_deref()?, kind, None, chosen)
}

/// The first address of a `url`: a string, a `Link` (its `href`, with its media type), or a
/// list of them.
fn first_link(v: &Value) -> Option<(String, Option<String>)> {
    match v {
        Value::String(s) => Some((s.clone(), None)),
        Value::Object(o) => {
            let href = id_of(v)?.to_string();
            let media_type = o
                .get("mediaType")
                .and_then(Value::as_str)
                .map(str::to_string);
            Some((href, media_type))
        }
        Value::Array(items) => items.iter().find_map(first_link),
        _ => None,
    }
}

/// What a media type makes: a picture, a video, a sound, a PDF document; `None` for anything
/// else (a page, an archive, an SVG).
pub fn kind_of(media_type: &str) -> Option<MediaKind> {
    let t = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match t.as_str() {
        "image/svg+xml" => None,
        "application/pdf" => Some(MediaKind::Document),
        _ if t.starts_with("image/") => Some(MediaKind::Image),
        _ if t.starts_with("video/") => Some(MediaKind::Video),
        _ if t.starts_with("audio/") => Some(MediaKind::Audio),
        _ => None,
    }
}

fn build(
    address: &str,
    kind: MediaKind,
    name: Option<&str>,
    a: &Attachment,
) -> Option<RemoteMedia> {
    let url = Url::parse(address.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.as_str().len() > MAX_URL_BYTES
    {
        return None;
    }
    Some(RemoteMedia {
        url: url.to_string(),
        kind,
        description: remote_description(name.unwrap_or_default()),
        blurhash: a
            .blurhash
            .as_deref()
            .filter(|b| is_blurhash(b))
            .map(str::to_string),
        focus: a.focal_point.and_then(|[x, y]| Focus::from_remote(x, y)),
        width: a.width,
        height: a.height,
    })
}

/// Whether a text is a well-formed blurhash: base 83 ASCII, as long as its first character
/// says (4 + 2 × components), at most 9 × 9 components.
pub fn is_blurhash(text: &str) -> bool {
    const DIGITS: &str =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";
    let Some(first) = text.chars().next() else {
        return false;
    };
    let Some(size) = DIGITS.find(first) else {
        return false;
    };
    let (x, y) = (size % 9 + 1, size / 9 + 1);
    text.len() == 4 + 2 * x * y && text.chars().all(|c| DIGITS.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn note(doc: Value) -> protocol::Note {
        let mut base = json!({
            "id": "https://r.example/n/1", "type": "Note",
            "attributedTo": "https://r.example/u/a"
        });
        for (k, v) in doc.as_object().unwrap() {
            base[k] = v.clone();
        }
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn blurhashes_are_checked() {
        assert!(is_blurhash("LEHV6nWB2yk8pyo0adR*.7kCMdnj"));
        assert!(is_blurhash("USQv:h-W-qI-^,W;RPs=^-R%NZxbo#sDobSc"));
        assert!(!is_blurhash(""));
        assert!(!is_blurhash("LEHV6nWB2yk8pyo0adR*.7kCMdn"), "too short");
        assert!(!is_blurhash("LEHV6nWB2yk8pyo0adR*.7kCMdnjé"));
        assert!(!is_blurhash("<script>alert(1)</script>xx"));
    }

    #[test]
    fn mastodon_documents_keep_alt_text_blurhash_focus_and_size() {
        let n = note(json!({"attachment": [{
            "type": "Document", "mediaType": "image/jpeg",
            "url": "https://cdn.example/a.jpg", "name": "  Konqi  ",
            "blurhash": "USQv:h-W-qI-^,W;RPs=^-R%NZxbo#sDobSc",
            "focalPoint": [0.5, -2.0], "width": 1500, "height": "1095"
        }]}));
        let media = of_note(&n);
        assert_eq!(media.len(), 1);
        let m = &media[0];
        assert_eq!(m.url, "https://cdn.example/a.jpg");
        assert_eq!(m.kind, MediaKind::Image);
        assert_eq!(m.description, "Konqi");
        assert!(m.blurhash.is_some());
        assert_eq!(m.focus, Some(Focus { x: 50, y: -100 }));
        assert_eq!(
            (m.width, m.height),
            (Some(1500), None),
            "a size is a number"
        );
    }

    #[test]
    fn what_is_not_a_medium_is_skipped() {
        let n = note(json!({"attachment": [
            {"type": "Link", "href": "https://example.com/article", "mediaType": "text/html"},
            {"type": "Link", "href": "https://lemmy.example/pictrs/x.jpg"},
            {"type": "PropertyValue", "name": "a", "value": "b"},
            {"type": "Document", "mediaType": "image/svg+xml", "url": "https://r.example/x.svg"},
            {"type": "Document", "mediaType": "application/zip", "url": "https://r.example/x.zip"},
            {"type": "Document", "mediaType": "image/png", "url": "javascript:alert(1)"},
            {"type": "Document", "mediaType": "image/png", "url": "file:///etc/passwd"},
            {"type": "Document", "mediaType": "image/png", "url": "ftp://r.example/x.png"},
            {"type": "Document", "mediaType": "image/png", "blurhash": "nope", "url": "https://r.example/ok.png"}
        ]}));
        let media = of_note(&n);
        assert_eq!(media.len(), 1, "{media:?}");
        assert_eq!(media[0].url, "https://r.example/ok.png");
        assert_eq!(media[0].blurhash, None, "a malformed blurhash is dropped");
    }

    #[test]
    fn at_most_four_are_kept_and_long_names_cut() {
        let items: Vec<Value> = (0..7)
            .map(|i| json!({"type": "Image", "url": format!("https://r.example/{i}.png"), "name": "é".repeat(5000)}))
            .collect();
        let media = of_note(&note(json!({ "attachment": items })));
        assert_eq!(media.len(), MAX_ATTACHMENTS);
        assert_eq!(media[3].url, "https://r.example/3.png");
        assert_eq!(media[0].description.chars().count(), 1500);
    }

    #[test]
    fn peertube_videos_lemmy_pictures_and_mobilizon_banners_are_read() {
        let video = note(json!({
            "type": "Video",
            "url": [
                {"type": "Link", "mediaType": "text/html", "href": "https://p.example/w/1"},
                {"type": "Link", "mediaType": "application/x-mpegURL", "href": "https://p.example/m.m3u8"},
                {"type": "Link", "mediaType": "video/mp4", "href": "https://p.example/1080.mp4", "height": 1080},
                {"type": "Link", "mediaType": "video/mp4", "href": "https://p.example/480.mp4", "height": 480},
                {"type": "Link", "mediaType": "video/mp4", "href": "https://p.example/720.mp4", "height": 720, "width": 1280}
            ],
            "icon": [{"type": "Image", "url": "https://p.example/t.jpg", "mediaType": "image/jpeg", "width": 280, "height": 157}]
        }));
        let media = of_note(&video);
        assert_eq!(media.len(), 1);
        assert_eq!(media[0].url, "https://p.example/720.mp4");
        assert_eq!(media[0].kind, MediaKind::Video);
        assert_eq!((media[0].width, media[0].height), (Some(1280), Some(720)));

        let page = note(json!({
            "type": "Page",
            "attachment": [{"type": "Link", "href": "https://l.example/pictrs/image/x.png"}],
            "image": {"type": "Image", "url": "https://l.example/pictrs/image/x.png"}
        }));
        let media = of_note(&page);
        assert_eq!(media.len(), 1);
        assert_eq!(media[0].kind, MediaKind::Image);

        let event = note(json!({
            "type": "Event",
            "attachment": [{"type": "Document", "mediaType": "image/jpeg", "name": "Banner", "url": "https://m.example/media/b.jpg?name=x"}]
        }));
        let media = of_note(&event);
        assert_eq!(media[0].description, "", "Banner is Mobilizon's marker");
        assert_eq!(media[0].url, "https://m.example/media/b.jpg?name=x");
    }
}
