//! Media across servers: a picture with its alt text posted on one instance reaches another,
//! which serves the file from its own address; other servers' files are fetched only when they
//! may be (never on a private address from an https instance), refused when they are not
//! pictures, videos, sounds or PDFs or are too large (nothing stored), and a post's media are
//! read with their limits (four at most, http(s) only, alt text cut). Each test runs on every
//! media store the harness has (`common::media_stores`).

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use axum::{Router, extract::State, http::header, response::IntoResponse, routing::get};
use common::{TestApp, eventually, make_follow, spawn_app_with, store_actor, use_media_store};
use coopol::{db, federation::protocol, federation::receive};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

/// A small PNG picture (a gradient), as a camera or an app would send one.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x + y) * 2) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Uploads a file with its alt text through Mastodon's API; the medium's id once processed.
async fn upload(app: &TestApp, token: &str, bytes: &[u8], description: &str) -> String {
    let boundary = "coopolboundary7d3f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{description}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = app
        .client
        .post(app.url("/api/v2/media"))
        .bearer_auth(token)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let media: Value = response.json().await.unwrap();
    let id = media["id"].as_str().unwrap().to_string();
    eventually("the upload is processed", || async {
        let (status, _) = app
            .get_json(&format!("/api/v1/media/{id}"), Some(token))
            .await;
        status == StatusCode::OK
    })
    .await;
    id
}

/// The path of one of our addresses.
fn path_of(app: &TestApp, url: &str) -> String {
    assert!(url.starts_with(&app.base), "{url} is not on {}", app.base);
    url[app.base.len()..].to_string()
}

/// A photo with its alt text posted on A reaches B with its alt text and blurhash; B serves
/// the picture from its own address (its readers never ask A), and a changed alt text
/// follows as an Update.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_and_its_alt_text_cross_to_another_instance() {
    for store in common::media_stores() {
        let a = spawn_app_with(|c| use_media_store(c, store)).await;
        let b = spawn_app_with(|c| use_media_store(c, store)).await;
        let (_, alice) = a.user_with_token("alice", "read write follow").await;
        let (_, bob) = b.user_with_token("bob", "read write follow").await;
        let q = common::urlencode(&format!("@alice@{}", a.domain));
        let (_, found) = b
            .get_json(
                &format!("/api/v2/search?q={q}&resolve=true&type=accounts"),
                Some(&bob),
            )
            .await;
        let alice_on_b = found["accounts"][0]["id"].as_str().unwrap().to_string();
        let (status, _) = b
            .post_json(
                &format!("/api/v1/accounts/{alice_on_b}/follow"),
                Some(&bob),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        eventually("bob follows alice", || async {
            let (_, r) = b
                .get_json(
                    &format!("/api/v1/accounts/relationships?id[]={alice_on_b}"),
                    Some(&bob),
                )
                .await;
            r[0]["following"] == true
        })
        .await;

        let picture = png(64, 48);
        let media_id = upload(&a, &alice, &picture, "Une affiche « Grève »").await;
        let (status, posted) = a
            .post_json(
                "/api/v1/statuses",
                Some(&alice),
                &json!({"status": "Rendez-vous samedi", "media_ids": [media_id]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{posted}");
        let on_a = posted["media_attachments"][0].clone();

        let with_photo = |home: &Value| {
            home.as_array()
                .and_then(|h| h.first())
                .filter(|p| {
                    p["media_attachments"]
                        .as_array()
                        .is_some_and(|m| !m.is_empty())
                })
                .cloned()
        };
        eventually("the post reaches bob with its photo", || async {
            let (_, home) = b.get_json("/api/v1/timelines/home", Some(&bob)).await;
            with_photo(&home).is_some()
        })
        .await;
        let (_, home) = b.get_json("/api/v1/timelines/home", Some(&bob)).await;
        let seen = with_photo(&home).unwrap();
        let medium = &seen["media_attachments"][0];
        assert_eq!(medium["type"], "image");
        assert_eq!(medium["description"], "Une affiche « Grève »");
        assert!(on_a["blurhash"].is_string());
        assert_eq!(medium["blurhash"], on_a["blurhash"]);
        assert_eq!(medium["remote_url"], on_a["url"], "the original address");
        let url = medium["url"].as_str().unwrap();
        let preview = medium["preview_url"].as_str().unwrap();
        // B's own address, for the file and its preview.
        let served = b.get(&path_of(&b, url), None).await;
        assert_eq!(served.status(), StatusCode::OK);
        assert_eq!(served.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(served.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let from_b = served.bytes().await.unwrap();
        let from_a = a
            .get(&path_of(&a, on_a["url"].as_str().unwrap()), None)
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(from_b, from_a, "the same picture");
        let small = b.get(&path_of(&b, preview), None).await;
        assert_eq!(small.status(), StatusCode::OK);
        assert!(
            small.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("image/")
        );

        // The alt text changes on A: B follows.
        let changed = a
            .client
            .put(a.url(&format!("/api/v1/media/{media_id}")))
            .bearer_auth(&alice)
            .json(&json!({"description": "Affiche de la grève du 12"}))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        let post_id = seen["id"].as_str().unwrap().to_string();
        eventually("the new alt text reaches B", || async {
            let (_, post) = b
                .get_json(&format!("/api/v1/statuses/{post_id}"), Some(&bob))
                .await;
            post["media_attachments"][0]["description"] == "Affiche de la grève du 12"
        })
        .await;
        // Still the same medium: the copy made stays.
        let (_, post) = b
            .get_json(&format!("/api/v1/statuses/{post_id}"), Some(&bob))
            .await;
        assert_eq!(post["media_attachments"][0]["id"], medium["id"]);
        a.stop().await;
        b.stop().await;
    }
}

/// A fake server of files: serves what each path names and counts what it is asked.
struct Files {
    base: String,
    asked: Arc<AtomicUsize>,
}

async fn serve_files() -> Files {
    async fn file(
        State(asked): State<Arc<AtomicUsize>>,
        axum::extract::Path(name): axum::extract::Path<String>,
    ) -> axum::response::Response {
        asked.fetch_add(1, Ordering::SeqCst);
        match name.as_str() {
            "ok.png" => ([(header::CONTENT_TYPE, "image/png")], png(40, 30)).into_response(),
            "big.png" => ([(header::CONTENT_TYPE, "image/png")], png(1500, 1500)).into_response(),
            "poster.svg" => (
                [(header::CONTENT_TYPE, "image/png")],
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            )
                .into_response(),
            "page.png" => (
                [(header::CONTENT_TYPE, "image/png")],
                "<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
            )
                .into_response(),
            _ => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    }
    let asked = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new()
        .route("/files/{name}", get(file))
        .with_state(asked.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Files {
        base: format!("http://127.0.0.1:{port}/files"),
        asked,
    }
}

/// A remote post with these attachments, received by `app` from an author `reader` follows:
/// the post's id here.
async fn remote_post(app: &TestApp, reader: &(i64, String), n: u32, attachment: Value) -> String {
    let alice_id = reader.0;
    let author = store_actor(app, "https://files.example/users/carol").await;
    make_follow(
        app,
        alice_id,
        author.id,
        &format!("{}#f{n}", author.uri),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let note = format!("https://files.example/notes/{n}");
    let activity: protocol::Activity = serde_json::from_value(json!({
        "id": format!("{note}/activity"), "type": "Create", "actor": author.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": note, "type": "Note", "attributedTo": author.uri,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "content": "<p>photos</p>", "attachment": attachment
        }
    }))
    .unwrap();
    receive::dispatch(&app.state, &author, &activity)
        .await
        .unwrap_or_else(|_| panic!("post {n} stored"));
    let row = db::statuses::by_uri(app.state.pool(), &note)
        .await
        .unwrap()
        .expect("stored");
    row.id.to_string()
}

/// What the API shows of a post's media.
async fn media_of(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let (status, post) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    post["media_attachments"].as_array().unwrap().clone()
}

/// Files of other servers that are not what they say (an SVG, an HTML page, both announced
/// as PNG) or larger than the limit are refused: 404, nothing stored, and not asked again for
/// every request; a good one is copied once and served with its own type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_files_of_other_types_or_too_large_are_refused_and_nothing_is_stored() {
    for store in common::media_stores() {
        let files = serve_files().await;
        let app = spawn_app_with(|c| {
            use_media_store(c, store);
            c.media.max_image_bytes = 20_000;
        })
        .await;
        let names = ["ok.png", "poster.svg", "page.png", "big.png"];
        let attachment: Vec<Value> = names
            .iter()
            .map(|n| json!({"type": "Document", "mediaType": "image/png", "url": format!("{}/{n}", files.base)}))
            .collect();
        let reader = app.user_with_token("alice", "read write follow").await;
        let token = reader.1.clone();
        let id = remote_post(&app, &reader, 1, json!(attachment)).await;
        let media = media_of(&app, &token, &id).await;
        assert_eq!(media.len(), 4);
        for (medium, name) in media.iter().zip(names) {
            let url = medium["url"].as_str().unwrap();
            assert!(url.starts_with(&app.base), "served from here: {url}");
            assert_eq!(medium["remote_url"], format!("{}/{name}", files.base));
            let answer = app.get(&path_of(&app, url), None).await;
            let row = db::media::by_id(
                app.state.pool(),
                medium["id"].as_str().unwrap().parse().unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
            if name == "ok.png" {
                assert_eq!(answer.status(), StatusCode::OK, "{name}");
                assert_eq!(answer.headers()[header::CONTENT_TYPE], "image/png");
                assert!(row.file_key.is_some() && row.cached_at.is_some());
                assert!(row.blurhash.is_some(), "a blurhash made with the copy");
            } else {
                assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{name}");
                assert_eq!(row.file_key, None, "{name}: nothing stored");
                assert_eq!(row.cached_at, None);
                assert!(row.error.is_some(), "{name}: the failure is remembered");
            }
        }
        let asked = files.asked.load(Ordering::SeqCst);
        assert_eq!(asked, 4, "each file asked once");
        // Asked again: the copy is served, the failures remembered; no new request.
        for medium in &media {
            let url = medium["url"].as_str().unwrap();
            let _ = app.get(&path_of(&app, url), None).await;
        }
        assert_eq!(
            files.asked.load(Ordering::SeqCst),
            asked,
            "nothing fetched again"
        );
        if store == "directory" {
            let (count, _) = app.state.media.store.usage().await.unwrap();
            assert_eq!(count, 2, "only the good picture and its preview");
        }
        app.stop().await;
    }
}

/// Several requests at once for a file not copied yet: it is fetched once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_requests_fetch_a_remote_file_once() {
    let files = serve_files().await;
    let app = spawn_app_with(|_| {}).await;
    let reader = app.user_with_token("alice", "read write follow").await;
    let token = reader.1.clone();
    let id = remote_post(
        &app,
        &reader,
        2,
        json!([{"type": "Image", "url": format!("{}/ok.png", files.base)}]),
    )
    .await;
    let media = media_of(&app, &token, &id).await;
    let path = path_of(&app, media[0]["url"].as_str().unwrap());
    let answers = futures::future::join_all((0..6).map(|_| app.get(&path, None))).await;
    for a in answers {
        assert_eq!(a.status(), StatusCode::OK);
    }
    assert_eq!(files.asked.load(Ordering::SeqCst), 1);
    app.stop().await;
}

/// A post's media are read within limits: four at most, http(s) addresses only, alt text cut
/// to 1500 characters, a malformed blurhash dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_media_are_read_within_limits() {
    let app = spawn_app_with(|_| {}).await;
    let mut attachment = vec![
        json!({"type": "Document", "mediaType": "image/png", "url": "ftp://files.example/a.png"}),
        json!({"type": "Document", "mediaType": "image/png", "url": "data:image/png;base64,AAAA"}),
        json!({"type": "Document", "mediaType": "text/html", "url": "https://files.example/page"}),
    ];
    for i in 0..6 {
        attachment.push(json!({
            "type": "Document", "mediaType": "image/jpeg",
            "url": format!("https://files.example/{i}.jpg"),
            "name": "x".repeat(10_000), "blurhash": "<b>not a blurhash</b>"
        }));
    }
    let reader = app.user_with_token("alice", "read write follow").await;
    let token = reader.1.clone();
    let id = remote_post(&app, &reader, 3, json!(attachment)).await;
    let media = media_of(&app, &token, &id).await;
    assert_eq!(media.len(), 4, "four at most");
    for (i, m) in media.iter().enumerate() {
        assert_eq!(m["remote_url"], format!("https://files.example/{i}.jpg"));
        assert_eq!(m["description"].as_str().unwrap().chars().count(), 1500);
        assert!(m["blurhash"].is_null());
        assert_eq!(m["type"], "image");
    }
    app.stop().await;
}

/// From an https instance, files on private or loopback addresses, by IP, on other ports or
/// over http are never asked for; the same addresses are fetched by an http instance (the
/// control: development and tests allow local servers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_instance_never_fetches_private_addresses() {
    let files = serve_files().await;
    let port = files
        .base
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let addresses = [
        format!("http://127.0.0.1:{port}/files/ok.png"),
        format!("https://127.0.0.1:{port}/files/ok.png"),
        format!("http://localhost:{port}/files/ok.png"),
        format!("https://localhost:{port}/files/ok.png"),
        "https://10.0.0.1/files/ok.png".to_string(),
        "https://[::1]/files/ok.png".to_string(),
    ];
    let strict = spawn_app_with(|c| {
        c.public_url = url::Url::parse("https://coopol.example").unwrap();
    })
    .await;
    let reader = strict.user_with_token("alice", "read write follow").await;
    let token = reader.1.clone();
    for (n, address) in addresses.iter().enumerate() {
        let id = remote_post(
            &strict,
            &reader,
            10 + n as u32,
            json!([{"type": "Image", "url": address}]),
        )
        .await;
        let media = media_of(&strict, &token, &id).await;
        let url = media[0]["url"].as_str().unwrap();
        let path = &url[url.find("/media/").unwrap()..];
        let answer = strict.get(path, None).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{address}");
    }
    assert_eq!(files.asked.load(Ordering::SeqCst), 0, "nothing asked");
    strict.stop().await;

    let open = spawn_app_with(|_| {}).await;
    let reader = open.user_with_token("alice", "read write follow").await;
    let token = reader.1.clone();
    let id = remote_post(
        &open,
        &reader,
        20,
        json!([{"type": "Image", "url": addresses[0]}]),
    )
    .await;
    let media = media_of(&open, &token, &id).await;
    let answer = open
        .get(&path_of(&open, media[0]["url"].as_str().unwrap()), None)
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        files.asked.load(Ordering::SeqCst),
        1,
        "the control is fetched"
    );
    open.stop().await;
}

/// What a Mastodon server following a coopol member receives of a post with a picture: a
/// `Create` whose Note carries the picture as Mastodon's own `Document` (media type, our
/// address, alt text as `name`, blurhash, size), which it then fetches without a signature.
#[tokio::test]
async fn a_mastodon_follower_receives_the_picture_as_mastodon_sends_it() {
    let mastodon = hostile::Hostile::start().await;
    let app = spawn_app_with(|_| {}).await;
    let (alice, token) = app.user_with_token("alice", "read write").await;
    let follower = mastodon.actor("gargron", "Person");
    let row = mastodon.introduce(&app, &follower).await;
    make_follow(
        &app,
        row.id,
        alice,
        &format!("{follower}#follow"),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let media_id = upload(&app, &token, &png(60, 40), "Affiche de la fête").await;
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&token),
            &json!({ "status": "La fête de la section", "media_ids": [media_id] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let note_id = post["uri"].as_str().unwrap().to_string();
    eventually("the follower's server receives the Create", || async {
        mastodon
            .received()
            .iter()
            .any(|r| r.json()["type"] == "Create" && r.json()["object"]["id"] == note_id.as_str())
    })
    .await;
    let create = mastodon
        .received()
        .into_iter()
        .map(|r| r.json())
        .find(|j| j["type"] == "Create")
        .unwrap();
    let attachment = &create["object"]["attachment"][0];
    assert_eq!(attachment["type"], "Document", "{attachment}");
    assert_eq!(attachment["mediaType"], "image/png");
    assert_eq!(attachment["name"], "Affiche de la fête");
    assert_eq!(attachment["width"], 60);
    assert_eq!(attachment["height"], 40);
    assert!(
        attachment["blurhash"]
            .as_str()
            .is_some_and(|b| b.len() >= 6)
    );
    let url = attachment["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/media/", app.base)), "{url}");
    // Mastodon fetches the file without a signature.
    let res = reqwest::get(url).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    app.stop().await;
}
