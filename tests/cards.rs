//! Preview cards: a post's first link leads to a page whose title, description and picture
//! are fetched once (by the card worker, through the federation client), shown as the API's
//! `card`, the picture served from this server; pages that give nothing, or are not pages,
//! give no card.

mod common;

use axum::{
    Router,
    extract::{Path, State},
    http::header,
    response::IntoResponse,
    routing::get,
};
use common::{TestApp, eventually, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    io::Cursor,
    sync::{Arc, Mutex},
};

/// A web site with pages, counting the requests for each.
struct Site {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Site {
    fn hits(&self, name: &str) -> usize {
        self.hits.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

async fn site() -> Site {
    async fn page(
        State(hits): State<Arc<Mutex<HashMap<String, usize>>>>,
        Path(name): Path<String>,
    ) -> axum::response::Response {
        *hits.lock().unwrap().entry(name.clone()).or_default() += 1;
        let html = |body: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body);
        match name.as_str() {
            "article" => html(
                r#"<!DOCTYPE html><html><head><title>Le titre de la page</title>
                <meta property="og:title" content="Grève du 12 : tout savoir">
                <meta property="og:description" content="Les lieux et les horaires.">
                <meta property="og:site_name" content="Le Journal">
                <meta property="og:image" content="/site/une.png">
                </head><body>…</body></html>"#
                    .to_string(),
            )
            .into_response(),
            "une.png" => {
                let mut png = Vec::new();
                image::RgbImage::from_pixel(40, 20, image::Rgb([200, 30, 30]))
                    .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
                    .unwrap();
                ([(header::CONTENT_TYPE, "image/png")], png).into_response()
            }
            "untitled" => html("<html><body>rien à montrer</body></html>".into()).into_response(),
            "tract.pdf" => (
                [(header::CONTENT_TYPE, "text/html")],
                "%PDF-1.4\n<title>pas une page</title>\n%%EOF",
            )
                .into_response(),
            "huge" => html(format!(
                "<html><head>{}<title>Trop loin</title></head></html>",
                "<!-- remplissage -->".repeat(100_000)
            ))
            .into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new()
        .route("/site/{name}", get(page))
        .with_state(hits.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Site {
        base: format!("http://localhost:{port}/site"),
        hits,
    }
}

async fn post(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, post) = app.post_json("/api/v1/statuses", Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    post
}

async fn card_of(app: &TestApp, id: &str) -> Value {
    app.get_json(&format!("/api/v1/statuses/{id}"), None)
        .await
        .1["card"]
        .clone()
}

/// Waits until the card worker has settled every card.
async fn settled(app: &TestApp) {
    eventually("every preview card is fetched", || async {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM preview_cards WHERE state = 'pending'")
                .fetch_one(app.state.pool())
                .await
                .unwrap();
        pending == 0
    })
    .await;
}

#[tokio::test]
async fn a_links_page_gives_its_card_once_with_its_picture_served_from_here() {
    let site = site().await;
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let url = format!("{}/article", site.base);
    let first = post(
        &app,
        &token,
        json!({ "status": format!("Lisez {url} avant samedi") }),
    )
    .await;
    let id = first["id"].as_str().unwrap().to_string();
    eventually("the card is shown", || async {
        card_of(&app, &id).await.is_object()
    })
    .await;
    let card = card_of(&app, &id).await;
    assert_eq!(card["url"], url.as_str());
    assert_eq!(card["title"], "Grève du 12 : tout savoir");
    assert_eq!(card["description"], "Les lieux et les horaires.");
    assert_eq!(card["provider_name"], "Le Journal");
    assert_eq!(card["type"], "link");
    let image = card["image"].as_str().unwrap();
    assert!(
        image.starts_with(&format!("{}/media/", app.base)),
        "{image}"
    );
    let res = app.client.get(image).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    // Another post linking there shares the card: the page was read once.
    let second = post(&app, &token, json!({ "status": format!("Encore : {url}") })).await;
    let second_id = second["id"].as_str().unwrap().to_string();
    eventually("the second post shows the card", || async {
        card_of(&app, &second_id).await["title"] == "Grève du 12 : tout savoir"
    })
    .await;
    assert_eq!(site.hits("article"), 1);
    // On the post's page, as a link card with its picture from here.
    let page = app
        .client
        .get(app.url(&format!("/@alice/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("class=\"link-card\""), "{page}");
    assert!(page.contains("Grève du 12 : tout savoir"));
    assert!(page.contains("src=\"/media/") || page.contains(&format!("src=\"{}/media/", app.base)));
    // In timelines too.
    let (_, public) = app.get_json("/api/v1/timelines/public", None).await;
    assert_eq!(public[1]["card"]["url"], url.as_str());
    app.stop().await;
}

#[tokio::test]
async fn pages_that_give_nothing_give_no_card() {
    let site = site().await;
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let mut ids = Vec::new();
    for name in ["untitled", "tract.pdf", "missing", "huge"] {
        let post = post(
            &app,
            &token,
            json!({ "status": format!("{}/{name}", site.base) }),
        )
        .await;
        ids.push((name, post["id"].as_str().unwrap().to_string()));
    }
    // A link to this server, and a link in a followers-only or direct post (it may itself be
    // a secret, such as a shared document's address): no card is even asked for.
    post(
        &app,
        &token,
        json!({ "status": format!("{}/about", app.base) }),
    )
    .await;
    for visibility in ["private", "direct"] {
        post(
            &app,
            &token,
            json!({ "status": format!("{}/article", site.base), "visibility": visibility }),
        )
        .await;
    }
    settled(&app).await;
    for (name, id) in &ids {
        assert!(card_of(&app, id).await.is_null(), "{name}");
        assert!(
            site.hits(name) <= 1,
            "{name} fetched {} times",
            site.hits(name)
        );
    }
    let cards: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM preview_cards")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(
        cards, 4,
        "no card for a link to this server or in a closed post"
    );
    assert_eq!(site.hits("article"), 0);
    app.stop().await;
}

#[tokio::test]
async fn editing_the_link_changes_the_card() {
    let site = site().await;
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("alice", "read write").await;
    let first = post(
        &app,
        &token,
        json!({ "status": format!("{}/article", site.base) }),
    )
    .await;
    let id = first["id"].as_str().unwrap().to_string();
    eventually("the card is shown", || async {
        card_of(&app, &id).await.is_object()
    })
    .await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "status": "plus de lien" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(card_of(&app, &id).await.is_null());
    app.stop().await;
}
