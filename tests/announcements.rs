//! Announcements: administrators write, edit, publish, withdraw and delete them through the web
//! forms (with CSRF; others are refused); the Mastodon API lists those shown now with
//! Mastodon's shapes (`read`, `reactions` with `count` and `me`, `mentions`, `tags`,
//! `statuses`, `emojis`), within their window; dismissing marks them read; reactions take
//! Unicode emoji only; the `user` stream carries `announcement`, `announcement.reaction` and
//! `announcement.delete`, in every process; the home page shows them as a dismissible banner.

mod common;

use common::{TestApp, eventually, spawn_app, urlencode};
use coopol::{
    db::accounts::UserRow,
    domain::Role,
    service::announcements::{self, Input},
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

async fn admin(app: &TestApp, name: &str) -> UserRow {
    let id = app.create_user(name, PASSWORD, Role::Admin).await;
    coopol::db::accounts::user_by_id(app.state.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

fn input(text: &str) -> Input {
    Input {
        text: text.into(),
        ..Input::default()
    }
}

/// A published announcement, written through the service: its id.
async fn published(app: &TestApp, admin: &UserRow, input: Input) -> String {
    announcements::create(&app.state, admin, &input, true)
        .await
        .unwrap()
        .id
        .to_string()
}

async fn list(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/announcements{query}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().expect("a list").clone()
}

fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|a| a["id"].as_str().unwrap()).collect()
}

async fn put(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn delete(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn reaction_path(id: &str, name: &str) -> String {
    format!("/api/v1/announcements/{id}/reactions/{}", urlencode(name))
}

#[tokio::test]
async fn administrators_write_edit_publish_and_delete_through_the_web_forms() {
    let app = spawn_app().await;
    admin(&app, "admin").await;
    let (_, member) = app.user_with_token("bob", "read write").await;
    let web = app.browser();
    web.sign_in("admin@example.org", PASSWORD).await;

    let page = web.get("/admin").await;
    assert!(page.contains("/admin/announcements"), "linked from /admin");
    let page = web.get("/admin/announcements").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Nouvelle annonce"), "French first");

    // Without the form's CSRF token: refused, nothing written.
    let refused = web
        .post_raw("/admin/announcements", &[("text", "Sans jeton")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A refused form keeps what was typed and names every refused field.
    let bad = web
        .submit(
            "/admin/announcements",
            "/admin/announcements",
            &[
                ("text", "  "),
                ("starts_at", "2026-12-10T10:00"),
                ("ends_at", "demain"),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.contains("value=\"demain\""), "typed text kept");
    assert!(bad.body.contains("id=\"text-error\""));
    assert!(bad.body.contains("id=\"ends_at-error\""));
    let bad_zone = web
        .submit(
            "/admin/announcements",
            "/admin/announcements",
            &[("text", "Bonjour"), ("timezone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(bad_zone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_zone.body.contains("id=\"timezone-error\""));

    // A draft: listed for the administrators, not shown to members.
    let made = web
        .submit(
            "/admin/announcements",
            "/admin/announcements",
            &[
                ("text", "Assemblée générale samedi #ag"),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let page = web.get("/admin/announcements").await;
    assert!(page.contains("Assemblée générale samedi"));
    assert!(page.contains("Brouillon"));
    assert!(
        list(&app, &member, "").await.is_empty(),
        "a draft is hidden"
    );
    let admin_row = coopol::db::accounts::user_by_username(app.state.pool(), "admin")
        .await
        .unwrap()
        .unwrap();
    let all = announcements::all(&app.state, &admin_row).await.unwrap();
    assert_eq!(all.len(), 1);
    let id = all[0].id.to_string();

    // Published: shown to members.
    let done = web
        .submit(
            "/admin/announcements",
            &format!("/admin/announcements/{id}/publish"),
            &[],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let shown = list(&app, &member, "").await;
    assert_eq!(ids(&shown), vec![id.as_str()]);
    assert!(
        shown[0]["content"]
            .as_str()
            .unwrap()
            .contains("Assemblée générale")
    );

    // Edited: the form shows it as stored; the new text is what members see.
    let edit = web.get(&format!("/admin/announcements/{id}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.contains("Assemblée générale samedi #ag"));
    let saved = web
        .submit(
            &format!("/admin/announcements/{id}"),
            &format!("/admin/announcements/{id}"),
            &[
                ("text", "AG reportée à dimanche"),
                ("ends_at", "2099-01-01"),
                ("all_day", "on"),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = list(&app, &member, "").await;
    assert!(shown[0]["content"].as_str().unwrap().contains("dimanche"));
    assert_eq!(shown[0]["all_day"], true);
    assert_eq!(shown[0]["ends_at"], "2099-01-01T23:00:00.000Z");
    let edit = web.get(&format!("/admin/announcements/{id}")).await;
    assert!(edit.contains("value=\"2099-01-01\""), "the day typed");

    // Withdrawn, then deleted.
    web.submit(
        "/admin/announcements",
        &format!("/admin/announcements/{id}/unpublish"),
        &[],
    )
    .await;
    assert!(list(&app, &member, "").await.is_empty(), "withdrawn");
    let gone = web
        .submit(
            "/admin/announcements",
            &format!("/admin/announcements/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(
        web.get(&format!("/admin/announcements/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        announcements::all(&app.state, &admin_row)
            .await
            .unwrap()
            .is_empty()
    );
    let unknown = web
        .submit(
            "/admin/announcements",
            &format!("/admin/announcements/{id}/frobnicate"),
            &[],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn people_who_are_not_administrators_are_refused() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let id = published(&app, &boss, input("Bonjour")).await;
    app.create_user("mod", PASSWORD, Role::Moderator).await;
    app.create_user("bob", PASSWORD, Role::Member).await;
    for who in ["bob", "mod"] {
        let web = app.browser();
        web.sign_in(&format!("{who}@example.org"), PASSWORD).await;
        assert_eq!(
            web.get("/admin/announcements").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            web.get(&format!("/admin/announcements/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        // With a valid CSRF token from a page they may see.
        let tried = web
            .submit("/", "/admin/announcements", &[("text", "Piraté")])
            .await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN, "{who}");
        for action in ["unpublish", "delete"] {
            let tried = web
                .submit("/", &format!("/admin/announcements/{id}/{action}"), &[])
                .await;
            assert_eq!(tried.status, StatusCode::FORBIDDEN, "{who} {action}");
        }
    }
    let anonymous = app.browser();
    let page = anonymous.get("/admin/announcements").await;
    assert_ne!(page.status, StatusCode::OK);
    assert!(!page.contains("Bonjour"));
    // The services refuse too, whoever calls them.
    let bob = coopol::db::accounts::user_by_username(app.state.pool(), "bob")
        .await
        .unwrap()
        .unwrap();
    let err = announcements::create(&app.state, &bob, &input("x"), true)
        .await
        .unwrap_err();
    assert_eq!(err.status, StatusCode::FORBIDDEN);
    let all = announcements::all(&app.state, &boss).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].published, 1);
}

#[tokio::test]
async fn the_api_answers_mastodons_shapes() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let (alice_id, alice) = app.user_with_token("alice", "read write").await;
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&alice),
            &json!({"status": "Le programme", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let (_, private) = app
        .post_json(
            "/api/v1/statuses",
            Some(&alice),
            &json!({"status": "Entre nous", "visibility": "private"}),
        )
        .await;
    let text = format!(
        "Bienvenue @alice et @nobody ! #Grève <b>gras</b>\n\nLire {} et {}",
        post["url"].as_str().unwrap(),
        private["url"].as_str().unwrap()
    );
    let id = published(&app, &boss, input(&text)).await;

    let shown = list(&app, &alice, "").await;
    assert_eq!(shown.len(), 1);
    let a = &shown[0];
    assert_eq!(a["id"], id.as_str());
    let content = a["content"].as_str().unwrap();
    assert!(content.starts_with("<p>"), "{content}");
    assert!(content.contains("&lt;b&gt;gras"), "escaped: {content}");
    assert!(content.contains("class=\"u-url mention\""), "{content}");
    assert!(content.contains("@nobody"), "an unknown name stays text");
    assert!(content.contains(&format!("{}/tags/gr%C3%A8ve", app.base)));
    assert_eq!(a["starts_at"], Value::Null);
    assert_eq!(a["ends_at"], Value::Null);
    assert_eq!(a["all_day"], false);
    assert!(a["published_at"].as_str().unwrap().ends_with('Z'));
    assert!(a["updated_at"].is_string());
    assert_eq!(a["read"], false);
    assert_eq!(
        a["mentions"],
        json!([{
            "id": alice_id.to_string(),
            "username": "alice",
            "url": format!("{}/@alice", app.base),
            "acct": "alice",
        }])
    );
    assert_eq!(
        a["statuses"],
        json!([{"id": post["id"], "url": post["url"]}]),
        "a followers-only post is never named"
    );
    assert_eq!(
        a["tags"],
        json!([{"name": "grève", "url": format!("{}/tags/gr%C3%A8ve", app.base)}])
    );
    assert_eq!(a["emojis"], json!([]));
    assert_eq!(a["reactions"], json!([]));

    // Tokens: none is 401, one without a read scope 403, an app's own token 422.
    let (status, body) = app.get_json("/api/v1/announcements", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"].is_string());
    let (_, write_only) = app.user_with_token("carol", "write").await;
    let (status, body) = app
        .get_json("/api/v1/announcements", Some(&write_only))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, read_only) = app.user_with_token("dave", "read").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/announcements/{id}/dismiss"),
            Some(&read_only),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = put(&app, &reaction_path(&id, "👍"), &read_only).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, accounts_only) = app.user_with_token("erin", "read:accounts").await;
    assert_eq!(list(&app, &accounts_only, "").await.len(), 1);
}

#[tokio::test]
async fn only_announcements_within_their_window_are_listed() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
    let now = chrono::Utc::now();
    let day = chrono::Duration::days(1);
    let current = published(
        &app,
        &boss,
        Input {
            text: "En cours".into(),
            starts_at: at(now - day),
            ends_at: at(now + day),
            ..Input::default()
        },
    )
    .await;
    let future = published(
        &app,
        &boss,
        Input {
            text: "Plus tard".into(),
            starts_at: at(now + day),
            ..Input::default()
        },
    )
    .await;
    let ended = published(
        &app,
        &boss,
        Input {
            text: "Fini".into(),
            ends_at: at(now - day),
            ..Input::default()
        },
    )
    .await;
    let open = published(&app, &boss, input("Sans limite")).await;
    let shown = list(&app, &bob, "?with_dismissed=true").await;
    assert_eq!(ids(&shown), vec![current.as_str(), open.as_str()]);
    assert!(shown[0]["starts_at"].is_string());
    assert!(shown[0]["ends_at"].is_string());
    // Neither is there to dismiss or react to.
    for id in [&future, &ended] {
        let (status, body) = app
            .post_json(
                &format!("/api/v1/announcements/{id}/dismiss"),
                Some(&bob),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body["error"].is_string());
        let (status, _) = put(&app, &reaction_path(id, "👍"), &bob).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // The API refuses an end before the start (the service is what the web form calls).
    let err = announcements::create(
        &app.state,
        &boss,
        &Input {
            text: "x".into(),
            starts_at: at(now + day),
            ends_at: at(now),
            ..Input::default()
        },
        false,
    )
    .await
    .unwrap_err();
    assert_eq!(err.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err.fields[0].field, "ends_at");
}

#[tokio::test]
async fn dismissing_marks_read_for_that_person_only() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let (_, alice) = app.user_with_token("alice", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let first = published(&app, &boss, input("Un")).await;
    let second = published(&app, &boss, input("Deux")).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/announcements/{first}/dismiss"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({}));
    // Again: no change, no error.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/announcements/{first}/dismiss"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&list(&app, &alice, "").await), vec![second.as_str()]);
    let all = list(&app, &alice, "?with_dismissed=true").await;
    assert_eq!(ids(&all), vec![first.as_str(), second.as_str()]);
    assert_eq!(all[0]["read"], true);
    assert_eq!(all[1]["read"], false);
    let theirs = list(&app, &bob, "").await;
    assert_eq!(theirs.len(), 2);
    assert!(theirs.iter().all(|a| a["read"] == false));
    let (status, body) = app
        .get_json("/api/v1/announcements?with_dismissed=perhaps", Some(&alice))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    for id in ["999999", "abc", "-1"] {
        let (status, _) = app
            .post_json(
                &format!("/api/v1/announcements/{id}/dismiss"),
                Some(&alice),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
    }
}

#[tokio::test]
async fn reactions_count_per_emoji_with_me_per_viewer() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let (_, alice) = app.user_with_token("alice", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, favourites) = app.user_with_token("carol", "read write:favourites").await;
    let id = published(&app, &boss, input("Réagissez")).await;
    for (token, name) in [
        (&alice, "👍"),
        (&bob, "👍"),
        (&alice, "🎉"),
        (&favourites, "❤️"),
    ] {
        let (status, body) = put(&app, &reaction_path(&id, name), token).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body, json!({}));
    }
    // Again: refused as Mastodon refuses it, and no second reaction.
    let (status, body) = put(&app, &reaction_path(&id, "👍"), &alice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].is_string());
    let seen = list(&app, &alice, "").await;
    assert_eq!(
        seen[0]["reactions"],
        json!([
            {"name": "👍", "count": 2, "me": true},
            {"name": "🎉", "count": 1, "me": true},
            {"name": "❤️", "count": 1, "me": false},
        ])
    );
    let seen = list(&app, &bob, "").await;
    assert_eq!(seen[0]["reactions"][0]["me"], true);
    assert_eq!(seen[0]["reactions"][1]["me"], false);

    let (status, body) = delete(&app, &reaction_path(&id, "👍"), &alice).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = delete(&app, &reaction_path(&id, "👍"), &alice).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let seen = list(&app, &alice, "").await;
    assert_eq!(
        seen[0]["reactions"][0],
        json!({"name": "👍", "count": 1, "me": false})
    );

    // Names that are no Unicode emoji: 422, as Mastodon, and nothing recorded.
    for bad in ["blobcat", ":blobcat:", "👍👍", "<script>", " "] {
        let (status, body) = put(&app, &reaction_path(&id, bad), &alice).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["error"].is_string(), "{body}");
    }
    let long = "🎉".repeat(300);
    let (status, _) = put(&app, &reaction_path(&id, &long), &alice).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        list(&app, &alice, "").await[0]["reactions"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // At most eight different emoji on one announcement.
    for name in ["😀", "😂", "🙏", "✊", "🌹"] {
        let (status, body) = put(&app, &reaction_path(&id, name), &bob).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    let (status, body) = put(&app, &reaction_path(&id, "🚀"), &bob).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // An emoji already there may still be given.
    let (status, _) = put(&app, &reaction_path(&id, "🎉"), &bob).await;
    assert_eq!(status, StatusCode::OK);
}

/// An open Server-Sent Events stream.
struct Sse {
    res: reqwest::Response,
    buf: String,
}

impl Sse {
    async fn open(app: &TestApp, token: &str) -> Sse {
        let res = app.get("/api/v1/streaming/user", Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mut sse = Sse {
            res,
            buf: String::new(),
        };
        // The opening comment: the connection is counted from then on.
        let chunk = sse.res.chunk().await.unwrap().unwrap();
        sse.buf.push_str(&String::from_utf8_lossy(&chunk));
        sse
    }

    /// The next event (name, data), skipping comments; `None` after `wait`.
    async fn next_within(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                if !event.is_empty() {
                    return Some((event, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .expect("read the stream")?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    async fn next(&mut self) -> (String, String) {
        self.next_within(Duration::from_secs(15))
            .await
            .expect("an event on the stream")
    }
}

#[tokio::test]
async fn the_user_stream_carries_announcements_reactions_and_removals() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let (_, alice) = app.user_with_token("alice", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let mut stream = Sse::open(&app, &bob).await;
    let mut notifications = {
        let res = app
            .get("/api/v1/streaming/user/notification", Some(&bob))
            .await;
        Sse {
            res,
            buf: String::new(),
        }
    };

    let id = published(&app, &boss, input("Manifestation #climat")).await;
    let (event, data) = stream.next().await;
    assert_eq!(event, "announcement");
    let payload: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(payload["id"], id.as_str());
    assert!(
        payload["content"]
            .as_str()
            .unwrap()
            .contains("Manifestation")
    );
    assert!(payload.get("read").is_none(), "rendered for nobody");
    assert_eq!(payload["tags"][0]["name"], "climat");

    put(&app, &reaction_path(&id, "✊"), &alice).await;
    let (event, data) = stream.next().await;
    assert_eq!(event, "announcement.reaction");
    assert_eq!(
        serde_json::from_str::<Value>(&data).unwrap(),
        json!({"name": "✊", "count": 1, "announcement_id": id})
    );
    put(&app, &reaction_path(&id, "✊"), &bob).await;
    let (_, data) = stream.next().await;
    assert_eq!(serde_json::from_str::<Value>(&data).unwrap()["count"], 2);
    delete(&app, &reaction_path(&id, "✊"), &alice).await;
    let (_, data) = stream.next().await;
    assert_eq!(serde_json::from_str::<Value>(&data).unwrap()["count"], 1);

    // Edited while shown: told again.
    announcements::update(
        &app.state,
        &boss,
        id.parse().unwrap(),
        &input("Manif demain"),
    )
    .await
    .unwrap();
    let (event, data) = stream.next().await;
    assert_eq!(event, "announcement");
    assert!(data.contains("Manif demain"));

    announcements::set_published(&app.state, &boss, id.parse().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(
        stream.next().await,
        ("announcement.delete".into(), id.clone())
    );

    // A draft deleted tells nothing; a published one deleted is removed.
    let draft = announcements::create(&app.state, &boss, &input("Brouillon"), false)
        .await
        .unwrap();
    announcements::delete(&app.state, &boss, draft.id)
        .await
        .unwrap();
    let other = published(&app, &boss, input("Encore")).await;
    assert_eq!(stream.next().await.0, "announcement");
    announcements::delete(&app.state, &boss, other.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        stream.next().await,
        ("announcement.delete".into(), other.clone())
    );

    // An announcement whose start comes later is told when it comes (the worker), once;
    // its end likewise.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    let later = published(
        &app,
        &boss,
        Input {
            text: "Bientôt".into(),
            starts_at: soon.to_rfc3339(),
            ends_at: (soon + chrono::Duration::seconds(6)).to_rfc3339(),
            ..Input::default()
        },
    )
    .await;
    let (event, data) = stream.next().await;
    assert_eq!(event, "announcement");
    assert!(data.contains(&later));
    assert!(chrono::Utc::now() >= soon, "not before its start");
    assert_eq!(
        announcements::tell_due(&app.state, coopol::clock::now())
            .await
            .unwrap(),
        0,
        "told once"
    );
    assert_eq!(stream.next().await, ("announcement.delete".into(), later));

    // The notifications stream carries none of it.
    assert!(
        notifications
            .next_within(Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn a_websocket_subscribed_to_user_receives_announcements() {
    use futures::StreamExt;
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let url = format!(
        "{}/api/v1/streaming?stream=user&access_token={bob}",
        app.base.replacen("http", "ws", 1)
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    // The subscription is in place once the server counts the connection.
    eventually("the WebSocket is counted", || async {
        app.state.streams.connections() > 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let id = published(&app, &boss, input("Par WebSocket")).await;
    let message = loop {
        let msg = tokio::time::timeout(Duration::from_secs(15), ws.next())
            .await
            .expect("a message")
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            break serde_json::from_str::<Value>(t.as_str()).unwrap();
        }
    };
    assert_eq!(message["event"], "announcement");
    assert_eq!(message["stream"], json!(["user"]));
    let payload: Value = serde_json::from_str(message["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["id"], id.as_str());
}

#[tokio::test]
async fn with_postgresql_every_process_tells_its_streams() {
    if common::backend_name() != "postgres" {
        return;
    }
    let a = spawn_app().await;
    let b = common::spawn_second_process(&a).await;
    let boss = admin(&a, "admin").await;
    let (_, bob) = a.user_with_token("bob", "read write").await;
    let mut on_b = Sse::open(&b, &bob).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let id = published(&a, &boss, input("Deux processus")).await;
    let (event, data) = on_b.next().await;
    assert_eq!(event, "announcement");
    assert!(data.contains(&id));
    put(&a, &reaction_path(&id, "🎉"), &bob).await;
    assert_eq!(on_b.next().await.0, "announcement.reaction");
    // A start told by the workers of both processes is told once.
    let soon = chrono::Utc::now() + chrono::Duration::seconds(1);
    let later = published(
        &a,
        &boss,
        Input {
            text: "Une fois".into(),
            starts_at: soon.to_rfc3339(),
            ..Input::default()
        },
    )
    .await;
    let (event, data) = on_b.next().await;
    assert_eq!(event, "announcement");
    assert!(data.contains(&later));
    assert!(
        on_b.next_within(Duration::from_secs(7)).await.is_none(),
        "told once, by one process"
    );
}

#[tokio::test]
async fn members_see_a_dismissible_banner_on_the_home_page() {
    let app = spawn_app().await;
    let boss = admin(&app, "admin").await;
    app.create_user("bob", PASSWORD, Role::Member).await;
    let id = published(&app, &boss, input("Réunion jeudi à 19 h")).await;
    announcements::create(&app.state, &boss, &input("Pas encore publiée"), false)
        .await
        .unwrap();
    let visitor = app.browser().get("/").await;
    assert!(!visitor.contains("Réunion jeudi"), "visitors see none");
    let web = app.browser();
    web.sign_in("bob@example.org", PASSWORD).await;
    let home = web.get("/").await;
    assert!(home.contains("Réunion jeudi à 19 h"), "{}", home.body);
    assert!(!home.contains("Pas encore publiée"));
    assert!(home.contains(&format!("/announcements/{id}/dismiss")));
    let refused = web
        .post_raw(&format!("/announcements/{id}/dismiss"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "CSRF");
    let done = web
        .submit("/", &format!("/announcements/{id}/dismiss"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let home = web.get("/").await;
    assert!(!home.contains("Réunion jeudi"), "dismissed");
    let english = web.get_in("/", "en").await;
    assert!(!english.contains("Réunion jeudi"));
    // The apps see it read.
    let (_, token) = app.user_with_token("carol", "read write").await;
    assert_eq!(list(&app, &token, "").await.len(), 1);
}
