//! Media through the Mastodon API: uploads (v1 and v2), processing (pictures encoded anew
//! without metadata, upright, bounded; previews and blurhash), alt text and focal points,
//! attachments on posts, the files served with their headers and ranges, and every kind of
//! bad input refused with nothing stored. Each test runs on every media store the suite has
//! (the directory, and Garage when scripts/test started it).

mod common;

use common::{TestApp, media_stores, spawn_app_with, use_media_store};
use reqwest::{StatusCode, multipart};
use serde_json::{Value, json};
use std::io::Cursor;

/// An instance on `store`, with `configure` applied.
async fn app_on(store: &str, configure: impl FnOnce(&mut coopol::config::Config)) -> TestApp {
    spawn_app_with(|c| {
        use_media_store(c, store);
        configure(c);
    })
    .await
}

/// A picture of `w` x `h` pixels, noisy enough not to compress to nothing.
fn picture(w: u32, h: u32) -> image::RgbImage {
    image::RgbImage::from_fn(w, h, |x, y| {
        let v = (x.wrapping_mul(31) ^ y.wrapping_mul(17)) as u8;
        image::Rgb([v, v.wrapping_add(80), (x + y) as u8])
    })
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    picture(w, h)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
        .unwrap();
    out
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    picture(w, h)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A JPEG carrying what a phone writes: an EXIF block saying "turn me 90° clockwise"
/// (orientation 6) with a secret in it, and a comment with another.
fn phone_photo(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1]); // one entry
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
    tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    tiff.extend_from_slice(b"GPS 48.8566N 2.3522E SECRET-PLACE");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = vec![0xFF, 0xD8];
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    let comment = b"SECRET-COMMENT meeting of the section";
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(&plain[2..]);
    out
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Uploads a file: (status, body).
async fn upload(
    app: &TestApp,
    token: &str,
    version: u8,
    bytes: Vec<u8>,
    name: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str("image/jpeg")
            .unwrap(),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let res = app
        .client
        .post(app.url(&format!("/api/v{version}/media")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Uploads and waits until processed: the ready entity, or the refusal (status, body).
async fn upload_ready(
    app: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> Result<Value, (StatusCode, Value)> {
    let (status, body) = upload(app, token, 2, bytes, "photo.jpg", fields).await;
    match status {
        StatusCode::OK => Ok(body),
        StatusCode::ACCEPTED => {
            let id = body["id"].as_str().unwrap().to_string();
            for _ in 0..600 {
                let (status, body) = app
                    .get_json(&format!("/api/v1/media/{id}"), Some(token))
                    .await;
                match status {
                    StatusCode::OK => return Ok(body),
                    StatusCode::PARTIAL_CONTENT => {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await
                    }
                    _ => return Err((status, body)),
                }
            }
            panic!("media {id} never processed");
        }
        _ => Err((status, body)),
    }
}

/// What the instance keeps of media: rows, and files in the spool folder.
async fn stored(app: &TestApp) -> (i64, usize) {
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    let spool = std::fs::read_dir(&app.state.media.spool).unwrap().count();
    (rows, spool)
}

/// `PATCH /api/v1/accounts/update_credentials` with a multipart form, as apps send pictures.
async fn patch_credentials(app: &TestApp, token: &str, form: multipart::Form) -> reqwest::Response {
    app.client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    assert!(
        url.starts_with(&app.base),
        "{url} is served from {}",
        app.base
    );
    app.client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn a_phone_photo_is_stored_upright_without_its_metadata() {
    for store in media_stores() {
        let app = app_on(store, |_| {}).await;
        let (_, token) = app.user_with_token("alice", "read write").await;
        let media = upload_ready(
            &app,
            &token,
            phone_photo(64, 32),
            &[
                ("description", "Réunion de section"),
                ("focus", "0.5,-0.25"),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("{store}: {e:?}"));
        assert_eq!(media["type"], "image", "{store}");
        assert_eq!(media["description"], "Réunion de section");
        assert_eq!(media["meta"]["focus"], json!({"x": 0.5, "y": -0.25}));
        // Turned upright: 64 x 32 held sideways is 32 x 64.
        assert_eq!(media["meta"]["original"]["width"], 32, "{media}");
        assert_eq!(media["meta"]["original"]["height"], 64);
        assert!(
            media["blurhash"].as_str().is_some_and(|b| b.len() >= 6),
            "{media}"
        );
        let res = fetch(&app, media["url"].as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "image/jpeg");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        assert!(h["cache-control"].to_str().unwrap().contains("immutable"));
        assert!(h.get("set-cookie").is_none());
        let bytes = res.bytes().await.unwrap();
        for secret in [&b"SECRET-PLACE"[..], b"SECRET-COMMENT", b"Exif"] {
            assert!(!contains(&bytes, secret), "{store}: metadata kept");
        }
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (32, 64));
        let preview = fetch(&app, media["preview_url"].as_str().unwrap()).await;
        assert_eq!(preview.status(), StatusCode::OK);
        assert!(image::load_from_memory(&preview.bytes().await.unwrap()).is_ok());
        app.stop().await;
    }
}

#[tokio::test]
async fn a_post_carries_its_pictures_in_order_with_their_alt_text() {
    for store in media_stores() {
        let app = app_on(store, |_| {}).await;
        let (_, token) = app.user_with_token("alice", "read write").await;
        let first = upload_ready(&app, &token, jpeg(40, 30), &[("description", "Le marché")])
            .await
            .unwrap();
        let second = upload_ready(&app, &token, png(20, 20), &[]).await.unwrap();
        // v1 answers once processed.
        let (status, third) = upload(&app, &token, 1, jpeg(10, 10), "x.jpg", &[]).await;
        assert_eq!(status, StatusCode::OK, "{third}");
        assert!(third["url"].is_string());
        let ids = [&second["id"], &first["id"], &third["id"]];
        let (status, post) = app
            .post_json(
                "/api/v1/statuses",
                Some(&token),
                &json!({ "status": "", "media_ids": ids }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{store}: {post}");
        let attached: Vec<&Value> = post["media_attachments"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(attached.len(), 3);
        assert_eq!(attached[0]["id"], second["id"]);
        assert_eq!(attached[1]["description"], "Le marché");
        assert_eq!(attached[0]["type"], "image");
        assert!(attached[1]["blurhash"].is_string());
        // Read back, by id and in the public timeline, the same.
        let id = post["id"].as_str().unwrap();
        let (_, again) = app.get_json(&format!("/api/v1/statuses/{id}"), None).await;
        assert_eq!(again["media_attachments"], post["media_attachments"]);
        let (_, public) = app.get_json("/api/v1/timelines/public", None).await;
        assert_eq!(public[0]["media_attachments"].as_array().unwrap().len(), 3);
        // An upload attached once cannot be attached to another post.
        let (status, body) = app
            .post_json(
                "/api/v1/statuses",
                Some(&token),
                &json!({ "status": "encore", "media_ids": [&first["id"]] }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_files_are_refused_and_nothing_is_kept() {
    for store in media_stores() {
        let app = app_on(store, |c| c.media.max_image_bytes = 200_000).await;
        let (_, token) = app.user_with_token("alice", "read write").await;
        let mut bomb = Vec::new();
        // A PNG header that claims 50,000 x 50,000 pixels, then little data.
        let encoder = image::codecs::png::PngEncoder::new(&mut bomb);
        let _ = image::ImageEncoder::write_image(
            encoder,
            &vec![0u8; 3 * 60 * 60],
            60,
            60,
            image::ExtendedColorType::Rgb8,
        );
        // IHDR's width and height are at bytes 16..24.
        bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        // The chunk's CRC (over its type and data, bytes 12..29) made right again.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let mut truncated = jpeg(300, 200);
        truncated.truncate(truncated.len() / 3);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "text named .jpg",
                b"hello, I am no picture at all".to_vec(),
                "error-media-type",
            ),
            (
                "svg",
                br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>"#.to_vec(),
                "error-media-type",
            ),
            (
                "html",
                b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(),
                "error-media-type",
            ),
            ("truncated jpeg", truncated, "error-media-unreadable"),
            ("decompression bomb", bomb, "error-media-pixels"),
            ("over-large", jpeg(2000, 1500), "error-media-too-large"),
            ("empty", Vec::new(), "error-media-type"),
        ];
        for (what, bytes, key) in cases {
            let refused = upload_ready(&app, &token, bytes, &[]).await;
            let (status, body) = refused.expect_err(what);
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::PAYLOAD_TOO_LARGE,
                "{store} {what}: {status} {body}"
            );
            let message = body["error"].as_str().unwrap_or_default();
            let why = coopol::i18n::t(coopol::domain::Locale::Fr, key);
            assert!(message.contains(&why), "{what}: {message} should say {why}");
            assert_eq!(stored(&app).await, (0, 0), "{store} {what}: something kept");
        }
        // Alt text too long and a focal point out of range: refused, nothing kept.
        for fields in [
            vec![("description", "x".repeat(1501))],
            vec![("focus", "2,0".to_string())],
        ] {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, body) = upload(&app, &token, 2, jpeg(8, 8), "a.jpg", &fields).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(stored(&app).await, (0, 0));
        }
        // No file at all; a token without the scope.
        let form = multipart::Form::new().text("description", "rien");
        let res = app
            .client
            .post(app.url("/api/v2/media"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (_, read_only) = app.user_with_token("bob", "read").await;
        let (status, _) = upload(&app, &read_only, 2, jpeg(8, 8), "a.jpg", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(stored(&app).await, (0, 0));
        app.stop().await;
    }
}

#[tokio::test]
async fn media_ids_are_checked_on_create_and_edit() {
    let app = app_on("directory", |_| {}).await;
    let (_, alice) = app.user_with_token("alice", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let mut mine = Vec::new();
    for _ in 0..5 {
        mine.push(upload_ready(&app, &alice, jpeg(8, 8), &[]).await.unwrap()["id"].clone());
    }
    let bobs = upload_ready(&app, &bob, jpeg(8, 8), &[]).await.unwrap()["id"].clone();
    for (what, ids) in [
        ("five", json!(mine)),
        ("someone else's", json!([bobs])),
        ("unknown", json!(["123456789"])),
        ("not a number", json!(["abc"])),
    ] {
        let (status, body) = app
            .post_json(
                "/api/v1/statuses",
                Some(&alice),
                &json!({ "status": "x", "media_ids": ids }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
    }
    let (_, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&alice),
            &json!({ "status": "deux", "media_ids": [&mine[0], &mine[1]] }),
        )
        .await;
    let id = post["id"].as_str().unwrap();
    let first_url = post["media_attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    // An edit without media_ids keeps them; with, replaces them.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&alice)
        .json(&json!({ "status": "toujours deux" }))
        .send()
        .await
        .unwrap();
    let kept: Value = res.json().await.unwrap();
    assert_eq!(kept["media_attachments"].as_array().unwrap().len(), 2);
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&alice)
        .json(&json!({ "status": "une", "media_ids": [&mine[1], &mine[2]] }))
        .send()
        .await
        .unwrap();
    let edited: Value = res.json().await.unwrap();
    let ids: Vec<&Value> = edited["media_attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(ids, vec![&mine[1], &mine[2]]);
    // The media dropped by the edit is no longer served.
    assert_eq!(
        fetch(&app, &first_url).await.status(),
        StatusCode::NOT_FOUND
    );
    // Alt text of an attached medium changes.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/media/{}", mine[1].as_str().unwrap())))
        .bearer_auth(&alice)
        .json(&json!({ "description": "Affiche", "focus": "-1,1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, read) = app.get_json(&format!("/api/v1/statuses/{id}"), None).await;
    assert_eq!(read["media_attachments"][0]["description"], "Affiche");
    // An attached medium cannot be deleted alone; an unattached one can.
    let attached = format!("/api/v1/media/{}", mine[1].as_str().unwrap());
    let res = app
        .client
        .delete(app.url(&attached))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let loose = upload_ready(&app, &alice, jpeg(8, 8), &[]).await.unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/media/{}", loose["id"].as_str().unwrap())))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        fetch(&app, loose["url"].as_str().unwrap()).await.status(),
        StatusCode::NOT_FOUND
    );
    // Someone else's medium: not found, to GET and PUT alike.
    let bob_media = format!("/api/v1/media/{}", mine[3].as_str().unwrap());
    assert_eq!(
        app.get(&bob_media, Some(&bob)).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .client
        .put(app.url(&bob_media))
        .bearer_auth(&bob)
        .json(&json!({ "description": "pirate" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn files_are_served_in_ranges_and_go_with_their_post() {
    for store in media_stores() {
        let app = app_on(store, |_| {}).await;
        let (_, token) = app.user_with_token("alice", "read write").await;
        let media = upload_ready(&app, &token, jpeg(50, 50), &[]).await.unwrap();
        let url = media["url"].as_str().unwrap().to_string();
        let whole = fetch(&app, &url).await.bytes().await.unwrap();
        let total = whole.len();
        let ranged = app
            .client
            .get(&url)
            .header("range", "bytes=10-19")
            .send()
            .await
            .unwrap();
        assert_eq!(ranged.status(), StatusCode::PARTIAL_CONTENT, "{store}");
        assert_eq!(
            ranged.headers()["content-range"],
            format!("bytes 10-19/{total}").as_str()
        );
        assert_eq!(&ranged.bytes().await.unwrap()[..], &whole[10..20]);
        let tail = app
            .client
            .get(&url)
            .header("range", "bytes=-5")
            .send()
            .await
            .unwrap();
        assert_eq!(&tail.bytes().await.unwrap()[..], &whole[total - 5..]);
        let past = app
            .client
            .get(&url)
            .header("range", format!("bytes={}-", total + 10))
            .send()
            .await
            .unwrap();
        assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{store}");
        // A wrong token, a wrong variant: not found.
        let forged = url.replace(media["id"].as_str().unwrap(), "1");
        assert_eq!(fetch(&app, &forged).await.status(), StatusCode::NOT_FOUND);
        let mut parts: Vec<&str> = url.rsplitn(3, '/').collect();
        parts[1] = "0123456789abcdef0123456789abcdef";
        let wrong_token = format!("{}/{}/{}", parts[2], parts[1], parts[0]);
        assert_eq!(
            fetch(&app, &wrong_token).await.status(),
            StatusCode::NOT_FOUND
        );
        // Posted, then the post deleted: the file is no longer served, and the sweep removes it.
        let (_, post) = app
            .post_json(
                "/api/v1/statuses",
                Some(&token),
                &json!({ "status": "photo", "media_ids": [&media["id"]] }),
            )
            .await;
        let id = post["id"].as_str().unwrap();
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/statuses/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(fetch(&app, &url).await.status(), StatusCode::NOT_FOUND);
        let removed = coopol::service::media::sweep(&app.state, coopol::clock::now())
            .await
            .unwrap();
        assert_eq!(removed, 1, "{store}");
        assert_eq!(stored(&app).await, (0, 0));
        app.stop().await;
    }
}

#[tokio::test]
async fn uploads_never_attached_are_removed_after_a_day() {
    let app = app_on("directory", |_| {}).await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let kept = upload_ready(&app, &token, jpeg(8, 8), &[]).await.unwrap();
    let (_, _post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&token),
            &json!({ "status": "gardée", "media_ids": [&kept["id"]] }),
        )
        .await;
    let lost = upload_ready(&app, &token, jpeg(8, 8), &[]).await.unwrap();
    let hour = 3_600_000_000i64;
    let now = coopol::clock::now();
    assert_eq!(
        coopol::service::media::sweep(&app.state, now + hour)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        coopol::service::media::sweep(&app.state, now + 25 * hour)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        fetch(&app, lost["url"].as_str().unwrap()).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&app, kept["url"].as_str().unwrap()).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

#[tokio::test]
async fn a_quota_bounds_what_one_account_keeps() {
    let app = app_on("directory", |c| c.media.quota_bytes = Some(60_000)).await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    upload_ready(&app, &token, jpeg(100, 100), &[])
        .await
        .unwrap();
    let big = jpeg(300, 300);
    assert!(big.len() > 60_000, "{}", big.len());
    let (status, body) = upload_ready(&app, &token, big, &[]).await.unwrap_err();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(stored(&app).await.0, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_pdf_is_a_document_to_download() {
    let app = app_on("directory", |_| {}).await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec();
    let media = upload_ready(&app, &token, pdf.clone(), &[("description", "Tract")])
        .await
        .unwrap();
    assert_eq!(media["type"], "unknown");
    assert!(media["preview_url"].is_null());
    let res = fetch(&app, media["url"].as_str().unwrap()).await;
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    app.stop().await;
}

#[tokio::test]
async fn the_instance_tells_apps_the_media_limits() {
    let app = app_on("directory", |_| {}).await;
    let (_, v2) = app.get_json("/api/v2/instance", None).await;
    let c = &v2["configuration"];
    assert_eq!(c["statuses"]["max_media_attachments"], 4);
    assert_eq!(c["media_attachments"]["image_size_limit"], 16 * 1024 * 1024);
    assert!(
        c["media_attachments"]["supported_mime_types"]
            .as_array()
            .unwrap()
            .contains(&json!("image/webp"))
    );
    let (_, v1) = app.get_json("/api/v1/instance", None).await;
    assert_eq!(v1["configuration"]["statuses"]["max_media_attachments"], 4);
    app.stop().await;
}

#[tokio::test]
async fn apps_set_and_remove_the_profile_pictures() {
    for store in media_stores() {
        let app = app_on(store, |_| {}).await;
        let (_, token) = app.user_with_token("alice", "read write").await;
        let form = multipart::Form::new()
            .text("display_name", "Alice Militante")
            .part(
                "avatar",
                multipart::Part::bytes(png(120, 120)).file_name("avatar.png"),
            )
            .part(
                "header",
                multipart::Part::bytes(phone_photo(300, 100)).file_name("header.jpg"),
            );
        let res = patch_credentials(&app, &token, form).await;
        assert_eq!(res.status(), StatusCode::OK, "{store}");
        let me: Value = res.json().await.unwrap();
        assert_eq!(me["display_name"], "Alice Militante");
        let avatar = me["avatar"].as_str().unwrap().to_string();
        assert!(
            avatar.starts_with(&format!("{}/media/", app.base)),
            "{avatar}"
        );
        let res = fetch(&app, &avatar).await;
        assert_eq!(res.headers()["content-type"], "image/png");
        let header = me["header"].as_str().unwrap().to_string();
        let bytes = fetch(&app, &header).await.bytes().await.unwrap();
        assert!(!contains(&bytes, b"SECRET-PLACE"));
        // Others see it on the account.
        let id = me["id"].as_str().unwrap();
        let (_, seen) = app.get_json(&format!("/api/v1/accounts/{id}"), None).await;
        assert_eq!(seen["avatar"], avatar.as_str());
        // A new avatar replaces the old, whose file the sweep removes.
        let form = multipart::Form::new().part(
            "avatar",
            multipart::Part::bytes(jpeg(60, 60)).file_name("new.jpg"),
        );
        let res = patch_credentials(&app, &token, form).await;
        let me: Value = res.json().await.unwrap();
        assert_ne!(me["avatar"], avatar.as_str());
        coopol::service::media::sweep(&app.state, coopol::clock::now())
            .await
            .unwrap();
        assert_eq!(fetch(&app, &avatar).await.status(), StatusCode::NOT_FOUND);
        // A document is no avatar; a damaged picture neither: nothing changes.
        for (bytes, name) in [
            (b"%PDF-1.4\n%%EOF\n".to_vec(), "a.pdf"),
            (b"GIF89a\x01\x00".to_vec(), "a.gif"),
        ] {
            let form = multipart::Form::new()
                .text("display_name", "Changé")
                .part("avatar", multipart::Part::bytes(bytes).file_name(name));
            let res = patch_credentials(&app, &token, form).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        }
        let (_, seen) = app.get_json(&format!("/api/v1/accounts/{id}"), None).await;
        assert_eq!(seen["display_name"], "Alice Militante");
        // Removed: the default picture again.
        let res = app
            .client
            .delete(app.url("/api/v1/profile/avatar"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let me: Value = res.json().await.unwrap();
        assert!(me["avatar"].as_str().unwrap().contains("/static/"), "{me}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_deleted_accounts_files_go_at_once() {
    let app = app_on("directory", |_| {}).await;
    let (id, token) = app.user_with_token("alice", "read write").await;
    let attached = upload_ready(&app, &token, jpeg(16, 16), &[]).await.unwrap();
    app.post_json(
        "/api/v1/statuses",
        Some(&token),
        &json!({ "status": "photo", "media_ids": [&attached["id"]] }),
    )
    .await;
    let loose = upload_ready(&app, &token, jpeg(16, 16), &[]).await.unwrap();
    let form = multipart::Form::new().part(
        "avatar",
        multipart::Part::bytes(png(32, 32)).file_name("a.png"),
    );
    let me: Value = patch_credentials(&app, &token, form)
        .await
        .json()
        .await
        .unwrap();
    let avatar = me["avatar"].as_str().unwrap().to_string();
    coopol::service::accounts::erase(&app.state, id)
        .await
        .unwrap();
    for url in [
        attached["url"].as_str().unwrap(),
        loose["url"].as_str().unwrap(),
        &avatar,
    ] {
        assert_eq!(
            fetch(&app, url).await.status(),
            StatusCode::NOT_FOUND,
            "{url}"
        );
    }
    let removed = coopol::service::media::sweep(&app.state, coopol::clock::now())
        .await
        .unwrap();
    assert_eq!(removed, 3);
    assert_eq!(stored(&app).await, (0, 0));
    let files = walk(&app.state.config.data_dir.join("media"));
    assert!(files.is_empty(), "files left in the store: {files:?}");
    app.stop().await;
}

/// The files under a folder.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Makes a file with ffmpeg (`args` between the inputs and the output); `None` when ffmpeg is
/// not installed (scripts/test-tools.sh installs it; `COOPOL_REQUIRE_FFMPEG=1` makes it
/// mandatory).
fn ffmpeg_file(args: &[&str], extension: &str) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("out.{extension}"));
    let ran = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-y"])
        .args(args)
        .arg(&out)
        .status();
    match ran {
        Ok(s) if s.success() => Some(std::fs::read(&out).unwrap()),
        _ => {
            assert!(
                std::env::var("COOPOL_REQUIRE_FFMPEG").as_deref() != Ok("1"),
                "COOPOL_REQUIRE_FFMPEG=1 but ffmpeg does not run"
            );
            eprintln!("notice: ffmpeg not installed: video and sound processing not tested");
            None
        }
    }
}

fn tagged_video() -> Option<Vec<u8>> {
    ffmpeg_file(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=64x48:rate=10",
            "-metadata",
            "title=SECRET-TITLE",
            "-metadata",
            "location=+48.8566+002.3522/",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "mpeg4",
        ],
        "mp4",
    )
}

#[tokio::test]
async fn video_and_sound_are_probed_and_stripped_with_ffmpeg() {
    let Some(video) = tagged_video() else { return };
    assert!(
        contains(&video, b"SECRET-TITLE"),
        "the test video carries its metadata"
    );
    let Some(sound) = ffmpeg_file(
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-metadata",
            "title=SECRET-TITLE",
            "-c:a",
            "libmp3lame",
        ],
        "mp3",
    ) else {
        return;
    };
    for store in media_stores() {
        let app = app_on(store, |_| {}).await;
        let (_, token) = app.user_with_token("alice", "read write").await;
        let media = upload_ready(&app, &token, video.clone(), &[("description", "Manif")])
            .await
            .unwrap_or_else(|e| panic!("{store}: {e:?}"));
        assert_eq!(media["type"], "video", "{media}");
        assert_eq!(media["meta"]["original"]["width"], 64);
        assert_eq!(media["meta"]["original"]["height"], 48);
        let seconds = media["meta"]["original"]["duration"].as_f64().unwrap();
        assert!((0.5..2.0).contains(&seconds), "{seconds}");
        assert!(media["blurhash"].is_string(), "a poster frame: {media}");
        let poster = fetch(&app, media["preview_url"].as_str().unwrap()).await;
        assert!(image::load_from_memory(&poster.bytes().await.unwrap()).is_ok());
        let res = fetch(&app, media["url"].as_str().unwrap()).await;
        assert_eq!(res.headers()["content-type"], "video/mp4");
        let bytes = res.bytes().await.unwrap();
        assert!(!contains(&bytes, b"SECRET-TITLE"), "{store}: metadata kept");
        assert!(!contains(&bytes, b"48.8566"), "{store}: the place kept");

        let media = upload_ready(&app, &token, sound.clone(), &[])
            .await
            .unwrap();
        assert_eq!(media["type"], "audio", "{media}");
        assert!(media["meta"]["duration"].as_f64().unwrap() > 1.5);
        assert!(media["preview_url"].is_null());
        let res = fetch(&app, media["url"].as_str().unwrap()).await;
        assert_eq!(res.headers()["content-type"], "audio/mpeg");
        assert!(!contains(&res.bytes().await.unwrap(), b"SECRET-TITLE"));
        app.stop().await;
    }
}

#[tokio::test]
async fn without_ffmpeg_video_is_kept_as_it_came_with_its_type_checked() {
    let Some(video) = tagged_video() else { return };
    let app = app_on("directory", |c| c.media.ffmpeg = String::new()).await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let media = upload_ready(&app, &token, video.clone(), &[])
        .await
        .unwrap();
    assert_eq!(media["type"], "video");
    assert!(media["preview_url"].is_null());
    let res = fetch(&app, media["url"].as_str().unwrap()).await;
    assert_eq!(res.headers()["content-type"], "video/mp4");
    assert_eq!(res.bytes().await.unwrap().to_vec(), video);
    app.stop().await;
}

#[tokio::test]
async fn an_upload_cut_off_midway_leaves_nothing() {
    use tokio::io::AsyncWriteExt;
    let app = app_on("directory", |_| {}).await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let photo = jpeg(400, 400);
    let boundary = "coopolboundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    );
    let port = app.base.rsplit(':').next().unwrap();
    let mut socket = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    let request = format!(
        "POST /api/v2/media HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 5000000\r\n\r\n{head}",
        app.domain
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    socket.write_all(&photo[..photo.len() / 2]).await.unwrap();
    socket.flush().await.unwrap();
    // The spool file exists while the body arrives; the client then goes away.
    common::eventually("the upload is being spooled", || async {
        std::fs::read_dir(&app.state.media.spool).unwrap().count() == 1
    })
    .await;
    drop(socket);
    common::eventually("the spool file is gone with the request", || async {
        std::fs::read_dir(&app.state.media.spool).unwrap().count() == 0
    })
    .await;
    assert_eq!(stored(&app).await, (0, 0));
    app.stop().await;
}

#[tokio::test]
async fn uploads_at_once_never_pass_the_quota_together() {
    let file = jpeg(150, 150);
    let quota = file.len() as u64 * 3 / 2;
    let app = app_on("directory", |c| c.media.quota_bytes = Some(quota)).await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let results = futures::future::join_all(
        (0..4).map(|_| upload(&app, &token, 2, file.clone(), "a.jpg", &[])),
    )
    .await;
    let passed = results
        .iter()
        .filter(|(status, _)| status.is_success())
        .count();
    assert_eq!(passed, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|(status, _)| !status.is_success())
            .all(|(status, _)| *status == StatusCode::UNPROCESSABLE_ENTITY),
        "{results:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_accounts_media_tab_and_filters_page_on_through_what_they_leave_out() {
    let app = app_on("directory", |_| {}).await;
    let (_, alice) = app.user_with_token("alice", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let post = |token: &str, body: Value| {
        let app = &app;
        let token = token.to_string();
        async move {
            let (status, post) = app.post_json("/api/v1/statuses", Some(&token), &body).await;
            assert_eq!(status, StatusCode::OK, "{post}");
            post["id"].as_str().unwrap().to_string()
        }
    };
    let bobs = post(&bob, json!({"status": "Bob parle"})).await;
    let picture = upload_ready(&app, &alice, jpeg(20, 20), &[]).await.unwrap();
    let photo = post(
        &alice,
        json!({"status": "Le marché", "media_ids": [&picture["id"]]}),
    )
    .await;
    let thread = post(&alice, json!({"status": "suite", "in_reply_to_id": &photo})).await;
    let reply = post(
        &alice,
        json!({"status": "@bob oui", "in_reply_to_id": &bobs}),
    )
    .await;
    // Three boosts on top: a page of one that left them out afterwards would be empty and
    // would end an app's paging.
    for _ in 0..3 {
        let other = post(&bob, json!({"status": "encore"})).await;
        let (status, _) = app
            .post_json(
                &format!("/api/v1/statuses/{other}/reblog"),
                Some(&alice),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let alice_id = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&alice))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ids = |query: &str| {
        let app = &app;
        let path = format!("/api/v1/accounts/{alice_id}/statuses?{query}");
        async move {
            let res = app.get(&path, None).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let link = res
                .headers()
                .get("link")
                .map(|l| l.to_str().unwrap().to_string());
            let list: Value = res.json().await.unwrap();
            let ids: Vec<String> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_string())
                .collect();
            (ids, link)
        }
    };
    assert_eq!(ids("only_media=true").await.0, vec![photo.clone()]);
    let (first, link) = ids("exclude_reblogs=true&limit=1").await;
    assert_eq!(first, vec![reply.clone()]);
    assert!(link.is_some_and(|l| l.contains("max_id")), "paging goes on");
    assert_eq!(
        ids("exclude_reblogs=true&exclude_replies=true").await.0,
        vec![thread.clone(), photo.clone()],
        "a thread the author continues stays"
    );
    assert_eq!(ids("exclude_replies=true").await.0.len(), 5);
    app.stop().await;
}
