//! The instance's discovery endpoints as Mastodon 4.3 documents them: peers, weekly activity,
//! languages, translation languages, the extended description, rules and the v1 figures;
//! NodeInfo with CORS; the profile directory; suggestions; trends of tags, posts and links.
//! Every value is checked against what the test did, and the hostile cases: a members-only
//! post's tag and link never trend, a non-discoverable account is never listed or suggested,
//! bad parameters are refused with Mastodon's 422.

mod common;
// The scenes this file does not use are used by others.
#[allow(dead_code)]
#[path = "common/scenes.rs"]
mod scenes;

use axum::{Router, extract::Path, response::IntoResponse, routing::get};
use common::{TestApp, eventually, spawn_app, store_actor};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const DAY: i64 = 86_400;

async fn post(app: &TestApp, token: &str, body: Value) -> String {
    let (status, answer) = app.post_json("/api/v1/statuses", Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["id"].as_str().unwrap().to_string()
}

async fn ok(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let (status, body) = app.get_json(path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn refused(app: &TestApp, path: &str, field: &str) {
    let (status, body) = app.get_json(path, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
    assert!(body["error"].is_string(), "{path}: {body}");
    assert!(body["details"].get(field).is_some(), "{path}: {body}");
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a[key].as_str().unwrap().to_string())
        .collect()
}

/// Today's 00:00 UTC and this week's Monday 00:00 UTC, in Unix seconds.
fn today_and_monday() -> (i64, i64) {
    let now = coopol::clock::now() / 1_000_000;
    let today = now - now.rem_euclid(DAY);
    let monday = now - (now - 4 * DAY).rem_euclid(7 * DAY);
    (today, monday)
}

async fn set_last_post(app: &TestApp, account: i64, at: i64) {
    sqlx::query(
        "INSERT INTO account_stats (account_id, last_status_at) VALUES ($1, $2) \
         ON CONFLICT (account_id) DO UPDATE SET last_status_at = $2",
    )
    .bind(account)
    .bind(at)
    .execute(app.state.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn the_instance_tells_real_figures_activity_and_languages() {
    let app = spawn_app().await;
    let (_, alice) = app.user_with_token("alice", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    // Known remote accounts on two servers (one with two accounts, one deleted elsewhere).
    store_actor(&app, "https://zeta.example/users/z").await;
    store_actor(&app, "https://alpha.example/users/a1").await;
    store_actor(&app, "https://alpha.example/users/a2").await;
    post(
        &app,
        &alice,
        json!({"status": "un", "visibility": "public"}),
    )
    .await;
    post(
        &app,
        &alice,
        json!({"status": "deux", "visibility": "private"}),
    )
    .await;
    let third = post(&app, &bob, json!({"status": "trois"})).await;
    // A boost is no new post.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/statuses/{third}/reblog"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let peers = ok(&app, "/api/v1/instance/peers", None).await;
    assert_eq!(peers, json!(["alpha.example", "zeta.example"]));

    let v1 = ok(&app, "/api/v1/instance", None).await;
    assert_eq!(v1["stats"]["status_count"], 3, "{}", v1["stats"]);
    assert_eq!(v1["stats"]["domain_count"], 2);
    assert_eq!(v1["stats"]["user_count"], 2);
    assert_eq!(v1["rules"], json!([]));
    let v2 = ok(&app, "/api/v2/instance", None).await;
    let rules = ok(&app, "/api/v1/instance/rules", None).await;
    assert_eq!(rules, v2["rules"]);
    assert_eq!(rules, json!([]));

    // Both used their tokens many times this week: one login each.
    for _ in 0..3 {
        ok(&app, "/api/v1/accounts/verify_credentials", Some(&alice)).await;
        ok(&app, "/api/v1/accounts/verify_credentials", Some(&bob)).await;
    }
    let activity = ok(&app, "/api/v1/instance/activity", None).await;
    let weeks = activity.as_array().unwrap();
    assert_eq!(weeks.len(), 12, "{activity}");
    let (_, monday) = today_and_monday();
    assert_eq!(
        weeks[0],
        json!({"week": monday.to_string(), "statuses": "3", "logins": "2",
               "registrations": "2"}),
        "{activity}"
    );
    for (i, w) in weeks.iter().enumerate().skip(1) {
        assert_eq!(
            w,
            &json!({"week": (monday - 7 * DAY * i as i64).to_string(), "statuses": "0",
                    "logins": "0", "registrations": "0"})
        );
    }
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM weekly_logins")
        .fetch_one(app.state.pool())
        .await
        .unwrap();
    assert_eq!(rows, 2, "one row per person and week");

    let languages = ok(&app, "/api/v1/instance/languages", None).await;
    let list = languages.as_array().unwrap();
    assert!(list.contains(&json!({"code": "fr", "name": "French"})));
    assert!(list.contains(&json!({"code": "en", "name": "English"})));
    assert!(list.len() > 150, "every ISO 639-1 language");
    assert!(
        list.iter()
            .all(|l| l["code"].as_str().unwrap().len() == 2 && l["name"].is_string())
    );
    assert_eq!(
        ok(&app, "/api/v1/instance/translation_languages", None).await,
        json!({})
    );

    let about = ok(&app, "/api/v1/instance/extended_description", None).await;
    assert!(about["content"].is_string(), "{about}");
    let updated = about["updated_at"].as_str().unwrap().to_string();
    assert!(updated.ends_with('Z'), "{updated}");
    let again = ok(&app, "/api/v1/instance/extended_description", None).await;
    assert_eq!(
        again["updated_at"],
        updated.as_str(),
        "the same text keeps its time"
    );

    // NodeInfo is read by web clients: CORS as Mastodon.
    for path in ["/.well-known/nodeinfo", "/nodeinfo/2.0", "/nodeinfo/2.1"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            res.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.to_str().unwrap()),
            Some("*"),
            "{path}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_extended_description_is_the_about_text_as_html() {
    let app = common::spawn_app_with(|c| {
        c.instance_description = "Notre réseau <b>militant</b>\n\nDeuxième *paragraphe*".into()
    })
    .await;
    let about = ok(&app, "/api/v1/instance/extended_description", None).await;
    let content = about["content"].as_str().unwrap();
    assert!(content.contains("&lt;b&gt;"), "raw HTML is text: {content}");
    assert!(content.contains("<em>paragraphe</em>"), "{content}");
    app.stop().await;
}

#[tokio::test]
async fn the_directory_lists_discoverable_active_accounts_only() {
    let app = spawn_app().await;
    let scope = "read write follow";
    let (alice_id, alice) = app.user_with_token("alice", scope).await;
    let (bob_id, bob) = app.user_with_token("bob", scope).await;
    let (_, _carol) = app.user_with_token("carol", scope).await; // never posts
    let (dave_id, dave) = app.user_with_token("dave", scope).await;
    let (viewer_id, viewer) = app.user_with_token("viewer", scope).await;
    let _ = viewer_id;
    post(&app, &alice, json!({"status": "bonjour"})).await;
    post(&app, &bob, json!({"status": "salut"})).await;
    // Dave posts but hides himself from directories.
    post(&app, &dave, json!({"status": "discret"})).await;
    let res = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&dave)
        .form(&[("discoverable", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // A remote account that posted lately.
    let remote = store_actor(&app, "https://far.example/users/rem").await;
    set_last_post(&app, remote.id, coopol::clock::now() + 1_000_000).await;

    let all = ok(&app, "/api/v1/directory", None).await;
    let (a, b, r) = (
        alice_id.to_string(),
        bob_id.to_string(),
        remote.id.to_string(),
    );
    assert_eq!(ids(&all), vec![r.clone(), b.clone(), a.clone()], "{all}");
    assert!(all[0]["acct"].as_str().unwrap().contains("@far.example"));
    assert!(all[1]["statuses_count"].is_number());
    assert!(!ids(&all).contains(&dave_id.to_string()));

    let local = ok(&app, "/api/v1/directory?local=true", None).await;
    assert_eq!(ids(&local), vec![b.clone(), a.clone()]);
    let new = ok(&app, "/api/v1/directory?order=new&local=true", None).await;
    assert_eq!(
        ids(&new),
        vec![b.clone(), a.clone()],
        "bob registered after alice"
    );
    let page = ok(&app, "/api/v1/directory?limit=1&offset=1", None).await;
    assert_eq!(ids(&page), vec![b.clone()]);
    let clamped = ok(&app, "/api/v1/directory?limit=0", None).await;
    assert_eq!(ids(&clamped).len(), 1, "a limit of 0 is brought to 1");
    let big = ok(&app, "/api/v1/directory?limit=500", None).await;
    assert_eq!(ids(&big).len(), 3);

    // Someone the viewer blocks is not shown to them.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/block"),
            Some(&viewer),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let seen = ok(&app, "/api/v1/directory?local=true", Some(&viewer)).await;
    assert_eq!(ids(&seen), vec![a.clone()]);

    refused(&app, "/api/v1/directory?offset=-1", "offset").await;
    refused(&app, "/api/v1/directory?order=wrong", "order").await;
    refused(&app, "/api/v1/directory?limit=many", "limit").await;
    let (status, body) = app
        .client
        .get(app.url("/api/v1/directory?order=wrong"))
        .header(header::ACCEPT_LANGUAGE, "fr")
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = body.text().await.unwrap();
    assert!(text.contains("Choisissez"), "French first: {text}");
    app.stop().await;
}

#[tokio::test]
async fn suggestions_offer_staff_groups_then_popular_people_never_the_excluded() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let sec_id: i64 = ok(&app, "/api/v1/accounts/verify_credentials", Some(&p.sec)).await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    sqlx::query("UPDATE users SET role = 'admin' WHERE account_id = $1")
        .bind(sec_id)
        .execute(app.state.pool())
        .await
        .unwrap();
    let section = scenes::paris_section(&app, &p).await;
    let (dave_id, dave) = app.user_with_token("dave", "read write follow").await;
    let res = app
        .client
        .patch(app.url("/api/v1/accounts/update_credentials"))
        .bearer_auth(&dave)
        .form(&[("discoverable", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Carol is followed by two: the most followed of the members.
    for t in [&p.eve, &p.sec] {
        let (status, _) = app
            .post_json(
                &format!("/api/v1/accounts/{}/follow", p.carol_id),
                Some(t),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }

    let v2 = ok(&app, "/api/v2/suggestions", Some(&p.bob)).await;
    let accounts: Vec<String> = v2
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["account"]["id"].as_str().unwrap().to_string())
        .collect();
    let sources: Vec<&str> = v2
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    // The staff first (the administrator and the section, in either order), then people by
    // their followers.
    let mut staff = accounts[..2].to_vec();
    staff.sort();
    let mut expected = vec![sec_id.to_string(), section.clone()];
    expected.sort();
    assert_eq!(staff, expected, "{v2}");
    assert_eq!(
        accounts[2..].to_vec(),
        vec![p.carol_id.to_string(), p.eve_id.to_string()],
        "{v2}"
    );
    assert_eq!(sources, vec!["staff", "staff", "global", "global"]);
    assert_eq!(v2[0]["sources"], json!(["featured"]));
    assert_eq!(v2[2]["sources"], json!(["most_followed"]));
    assert!(!accounts.contains(&dave_id.to_string()), "not discoverable");
    let v1 = ok(&app, "/api/v1/suggestions?limit=2", Some(&p.bob)).await;
    assert_eq!(
        ids(&v1),
        accounts[..2].to_vec(),
        "v1: the same accounts alone"
    );

    // Bob joins the section, follows carol, blocks eve and dismisses the secretary.
    scenes::member(&app, &p, &section, &p.bob, p.bob_id).await;
    let (s1, _) = app
        .post_json(
            &format!("/api/v1/accounts/{}/follow", p.carol_id),
            Some(&p.bob),
            &json!({}),
        )
        .await;
    let (s2, _) = app
        .post_json(
            &format!("/api/v1/accounts/{}/block", p.eve_id),
            Some(&p.bob),
            &json!({}),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/suggestions/{sec_id}")))
        .bearer_auth(&p.bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let left = ok(&app, "/api/v2/suggestions", Some(&p.bob)).await;
    assert_eq!(left, json!([]), "{left}");

    let res = app
        .client
        .delete(app.url("/api/v1/suggestions/999999999"))
        .bearer_auth(&p.bob)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = app.get_json("/api/v2/suggestions", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// A web site on loopback whose every page has a title (for preview cards); its base URL.
async fn site() -> String {
    async fn page(Path(name): Path<String>) -> axum::response::Response {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<!DOCTYPE html><html><head><meta property=\"og:title\" content=\"Page {name}\">\
                 </head><body></body></html>"
            ),
        )
            .into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new().route("/site/{name}", get(page));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://localhost:{port}/site")
}

/// Waits until the card worker has fetched every card.
async fn cards_settled(app: &TestApp) {
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
async fn trends_count_public_posts_only_never_a_closed_circle() {
    let app = spawn_app().await;
    let site = site().await;
    let p = scenes::people(&app).await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &section, &p.bob, p.bob_id).await;
    scenes::member(&app, &p, &section, &p.carol, p.carol_id).await;
    let first = post(
        &app,
        &p.bob,
        json!({"status": format!("#Greve demain {site}/article")}),
    )
    .await;
    post(&app, &p.carol, json!({"status": "Moi aussi #greve"})).await;
    post(&app, &p.carol, json!({"status": "Encore #greve"})).await;
    post(&app, &p.eve, json!({"status": "#autre sujet"})).await;
    // Not public: never counted.
    post(
        &app,
        &p.eve,
        json!({"status": format!("#abonnes {site}/followers"), "visibility": "private"}),
    )
    .await;
    post(
        &app,
        &p.eve,
        json!({"status": format!("#cache {site}/unlisted"), "visibility": "unlisted"}),
    )
    .await;
    let mut secret_ids = Vec::new();
    for t in [&p.bob, &p.carol] {
        let s = scenes::group_post(
            &app,
            &section,
            t,
            json!({"status": format!("#secret réunion {site}/plan"),
                   "audience": "members"}),
        )
        .await;
        secret_ids.push(s["id"].as_str().unwrap().to_string());
    }
    cards_settled(&app).await;

    let (today, _) = today_and_monday();
    let tags = ok(&app, "/api/v1/trends/tags", None).await;
    assert_eq!(names(&tags, "name"), vec!["greve", "autre"], "{tags}");
    assert!(tags[0]["url"].as_str().unwrap().ends_with("/tags/greve"));
    let history = tags[0]["history"].as_array().unwrap();
    assert_eq!(history.len(), 7);
    assert_eq!(
        history[0],
        json!({"day": today.to_string(), "uses": "3", "accounts": "2"})
    );
    assert_eq!(
        history[6],
        json!({"day": (today - 6 * DAY).to_string(), "uses": "0", "accounts": "0"})
    );
    let older = ok(&app, "/api/v1/trends", None).await;
    assert_eq!(older, tags, "the older path answers the same");
    let second = ok(&app, "/api/v1/trends/tags?offset=1&limit=0", None).await;
    assert_eq!(names(&second, "name"), vec!["autre"]);
    refused(&app, "/api/v1/trends/tags?offset=-1", "offset").await;

    // Posts by favourites and boosts; a members-only post never, however liked.
    let none = ok(&app, "/api/v1/trends/statuses", None).await;
    assert_eq!(none, json!([]), "nothing liked yet");
    for t in [&p.carol, &p.eve] {
        let (s, _) = app
            .post_json(
                &format!("/api/v1/statuses/{first}/favourite"),
                Some(t),
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    for (who, id) in [(&p.carol, &secret_ids[0]), (&p.bob, &secret_ids[1])] {
        let (s, _) = app
            .post_json(
                &format!("/api/v1/statuses/{id}/favourite"),
                Some(who),
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let statuses = ok(&app, "/api/v1/trends/statuses", None).await;
    assert_eq!(ids(&statuses), vec![first.clone()], "{statuses}");
    assert_eq!(statuses[0]["favourites_count"], 2);
    refused(&app, "/api/v1/trends/statuses?limit=x", "limit").await;

    let links = ok(&app, "/api/v1/trends/links", None).await;
    assert_eq!(
        names(&links, "url"),
        vec![format!("{site}/article")],
        "{links}"
    );
    assert_eq!(links[0]["type"], "link");
    assert_eq!(
        links[0]["history"][0],
        json!({"day": today.to_string(), "uses": "1", "accounts": "1"})
    );
    assert_eq!(links[0]["history"].as_array().unwrap().len(), 7);
    refused(&app, "/api/v1/trends/links?offset=-5", "offset").await;
    app.stop().await;
}
