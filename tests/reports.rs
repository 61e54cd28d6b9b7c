//! Reports and the moderation queue: `POST /api/v1/reports` with Mastodon's checks, the admin
//! API's queue (moderators and administrators only, every action logged), a Mastodon-shaped
//! `Flag` from another server landing in the queue (and the hostile ones that must not),
//! forwarding a report to the reported account's server without the reporter's name, and a
//! report made on one coopol reaching another's queue with the posts.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{
    TestApp, eventually, fixtures_dir, make_follow, outbox_drained, spawn_app, urlencode,
};
use coopol::{db, domain::Role};
use hostile::Hostile;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// A captured document, or `None` when the fixtures folder is absent.
fn fixture(name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(fixtures_dir()?.join(name)).unwrap();
    Some(serde_json::from_str(&text).unwrap())
}

/// A local person with a token holding `scope` (the app may ask for the admin scopes).
async fn person(app: &TestApp, name: &str, role: Role, scope: &str) -> (i64, String) {
    let id = app.create_user(name, PASSWORD, role).await;
    let client = app
        .register_app(
            "read write follow admin:read admin:write",
            "urn:ietf:wg:oauth:2.0:oob",
        )
        .await;
    let token = app
        .password_token(&client, &format!("{name}@example.org"), PASSWORD, scope)
        .await;
    (id, token)
}

async fn post(app: &TestApp, token: &str, text: &str, visibility: &str) -> String {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn report(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post_json("/api/v1/reports", Some(token), &body).await
}

async fn count_reports(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

/// The moderation log's entries: (action, target label, params).
async fn log(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT action, target_label, params FROM moderation_log ORDER BY id")
        .fetch_all(app.state.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_from_an_app_is_checked_as_mastodon_checks_it() {
    let app = spawn_app().await;
    let (alice, alice_token) = person(&app, "alice", Role::Member, "read write").await;
    let (bob, bob_token) = person(&app, "bob", Role::Member, "read write").await;
    let (_, carol_token) = person(&app, "carol", Role::Member, "read write").await;
    let public = post(&app, &bob_token, "Achetez mes montres", "public").await;
    let private = post(&app, &bob_token, "Pour mes abonnés", "private").await;
    let carols = post(&app, &carol_token, "Rien à voir", "public").await;
    let (_, read_only) = person(&app, "dave", Role::Member, "read").await;

    // Refused, each with Mastodon's status, and nothing is kept.
    let cases = [
        (json!({"account_id": "999999"}), StatusCode::NOT_FOUND, ""),
        (json!({"account_id": "abc"}), StatusCode::NOT_FOUND, ""),
        // A post the reporter may not see does not exist for them.
        (
            json!({"account_id": bob, "status_ids": [private]}),
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            json!({"account_id": bob, "status_ids": ["123456789"]}),
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            json!({"account_id": bob, "status_ids": [carols]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "n’est pas de ce compte",
        ),
        (
            json!({"account_id": bob, "comment": "x".repeat(1001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "1000 caractères au plus",
        ),
        (
            json!({"account_id": bob, "category": "rude"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Catégorie inconnue",
        ),
        (
            json!({"account_id": bob, "rule_ids": ["1"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "La règle 1 n’existe pas",
        ),
        (
            json!({"account_id": bob, "category": "violation"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "au moins une règle",
        ),
        (
            json!({"account_id": bob, "forward_to_domains": ["example.net"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "transfert demandé",
        ),
        (
            json!({"account_id": bob, "forward": true, "forward_to_domains": ["example.net"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ni le serveur du compte signalé",
        ),
        (
            json!({"account_id": alice}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "vous signaler vous-même",
        ),
        (
            json!({"account_id": bob, "status_ids": ["not a number"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "nombre entier",
        ),
    ];
    for (body, status, message) in cases {
        let (got, answer) = report(&app, &alice_token, body.clone()).await;
        assert_eq!(got, status, "{body} -> {answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(message), "{body} -> {answer}");
    }
    // In English too.
    let res = app
        .client
        .post(app.url("/api/v1/reports"))
        .bearer_auth(&alice_token)
        .header(header::ACCEPT_LANGUAGE, "en")
        .json(&json!({"account_id": bob, "category": "rude"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = res.json().await.unwrap();
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("Unknown category"),
        "{answer}"
    );
    // A token without the write scope.
    let (got, _) = report(&app, &read_only, json!({"account_id": bob})).await;
    assert_eq!(got, StatusCode::FORBIDDEN);
    assert_eq!(count_reports(&app).await, 0, "a refused report was kept");

    // Accepted: ids as numbers in JSON, the entity as Mastodon's.
    let (got, entity) = report(
        &app,
        &alice_token,
        json!({"account_id": bob, "status_ids": [public.parse::<i64>().unwrap()],
               "comment": "  Publicité  ", "category": "spam", "forward": true}),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{entity}");
    assert_eq!(entity["action_taken"], false);
    assert_eq!(entity["action_taken_at"], Value::Null);
    assert_eq!(entity["category"], "spam");
    assert_eq!(entity["comment"], "Publicité");
    // Bob is on this server: nothing to forward.
    assert_eq!(entity["forwarded"], false);
    assert_eq!(entity["status_ids"], json!([public]));
    assert_eq!(entity["rule_ids"], Value::Null);
    assert_eq!(entity["target_account"]["id"], bob.to_string());
    assert!(entity["created_at"].as_str().unwrap().ends_with('Z'));

    // A form body as Mastodon.py sends it; no category: `other`.
    let (got, entity) = app
        .post_form(
            "/api/v1/reports",
            Some(&alice_token),
            &[
                ("account_id", &bob.to_string()),
                ("status_ids[]", &public),
                ("comment", "encore"),
                ("forward", "False"),
            ],
        )
        .await;
    assert_eq!(got, StatusCode::OK, "{entity}");
    assert_eq!(entity["category"], "other");
    assert_eq!(count_reports(&app).await, 2);
    // Reporting a post one may see because one follows its author.
    make_follow(
        &app,
        alice,
        bob,
        "http://x/follows/1",
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let (got, entity) = report(
        &app,
        &alice_token,
        json!({"account_id": bob.to_string(), "status_ids": [private]}),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{entity}");
    app.stop().await;
}

/// Rules G-R1 and G-R3: the queue is for moderators and administrators; each action is in
/// the moderation log (never the comment), and reading posts that are not public is too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_work_through_the_queue_and_the_log_keeps_what_they_did() {
    let app = spawn_app().await;
    let (alice, alice_token) = person(&app, "alice", Role::Member, "read write").await;
    let (bob, bob_token) = person(&app, "bob", Role::Member, "read write").await;
    let (modo, modo_token) = person(
        &app,
        "modo",
        Role::Moderator,
        "read write admin:read admin:write",
    )
    .await;
    let (_, member_admin_scope) = person(&app, "eve", Role::Member, "admin:read admin:write").await;
    let (_, modo_read_only) = {
        let client = app
            .register_app("read admin:read", "urn:ietf:wg:oauth:2.0:oob")
            .await;
        let t = app
            .password_token(&client, "modo@example.org", PASSWORD, "admin:read")
            .await;
        ((), t)
    };
    make_follow(
        &app,
        alice,
        bob,
        "http://x/follows/1",
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let public = post(&app, &bob_token, "Publicité", "public").await;
    let private = post(&app, &bob_token, "Menaces aux abonnés", "private").await;
    let (_, first) = report(
        &app,
        &alice_token,
        json!({"account_id": bob, "status_ids": [public], "comment": "commentaire privé"}),
    )
    .await;
    let (_, second) = report(
        &app,
        &alice_token,
        json!({"account_id": bob, "status_ids": [private], "category": "legal"}),
    )
    .await;
    let first_id = first["id"].as_str().unwrap().to_string();
    let second_id = second["id"].as_str().unwrap().to_string();

    // Members are refused, even with the admin scopes; the scopes are required too.
    let (got, _) = app
        .get_json("/api/v1/admin/reports", Some(&member_admin_scope))
        .await;
    assert_eq!(got, StatusCode::FORBIDDEN);
    let (got, _) = app
        .get_json("/api/v1/admin/reports", Some(&alice_token))
        .await;
    assert_eq!(got, StatusCode::FORBIDDEN);
    let (got, _) = app
        .post_json(
            &format!("/api/v1/admin/reports/{first_id}/resolve"),
            Some(&modo_read_only),
            &json!({}),
        )
        .await;
    assert_eq!(got, StatusCode::FORBIDDEN);

    // The list: open reports, newest first, shaped as Mastodon's Admin::Report.
    let res = app
        .get("/api/v1/admin/reports?limit=1", Some(&modo_token))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let link = res.headers()[header::LINK].to_str().unwrap().to_string();
    assert!(link.contains(&format!("max_id={second_id}")), "{link}");
    let list: Value = res.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = &list[0];
    assert_eq!(r["id"], second_id.as_str());
    assert_eq!(r["category"], "legal");
    assert_eq!(r["account"]["id"], alice.to_string());
    assert_eq!(r["account"]["username"], "alice");
    assert_eq!(r["account"]["email"], "alice@example.org");
    assert_eq!(r["account"]["account"]["acct"], "alice");
    assert_eq!(r["target_account"]["id"], bob.to_string());
    assert_eq!(r["target_account"]["silenced"], false);
    assert_eq!(r["assigned_account"], Value::Null);
    // The followers-only post is shown to the moderator, and that reading is logged.
    assert_eq!(r["statuses"][0]["id"], private.as_str());
    assert!(
        r["statuses"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Menaces")
    );
    let entries = log(&app).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].0, "report_posts_viewed");
    assert!(entries[0].1.contains(&second_id) && entries[0].1.contains("@bob"));
    assert_eq!(entries[0].2, r#"{"count":"1"}"#);
    // Limited, the reported account says so in the reports as in the accounts' API (one
    // `Admin::Account` for both).
    let (got, body) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{bob}/action"),
            Some(&modo_token),
            &json!({"type": "silence"}),
        )
        .await;
    assert_eq!(got, StatusCode::OK, "{body}");
    let (_, all) = app
        .get_json(
            &format!("/api/v1/admin/reports?target_account_id={bob}"),
            Some(&modo_token),
        )
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["target_account"]["silenced"], true, "{all}");
    let (_, none) = app
        .get_json(
            &format!("/api/v1/admin/reports?account_id={bob}"),
            Some(&modo_token),
        )
        .await;
    assert_eq!(none, json!([]));

    // Assign, unassign, resolve, reopen.
    let path = |what: &str| format!("/api/v1/admin/reports/{first_id}/{what}");
    let (got, r) = app
        .post_json(&path("assign_to_self"), Some(&modo_token), &json!({}))
        .await;
    assert_eq!(got, StatusCode::OK, "{r}");
    assert_eq!(r["assigned_account"]["id"], modo.to_string());
    assert_eq!(r["assigned_account"]["role"]["name"], "Moderator");
    let (_, r) = app
        .post_json(&path("unassign"), Some(&modo_token), &json!({}))
        .await;
    assert_eq!(r["assigned_account"], Value::Null);
    let (_, r) = app
        .post_json(&path("resolve"), Some(&modo_token), &json!({}))
        .await;
    assert_eq!(r["action_taken"], true);
    assert!(r["action_taken_at"].is_string());
    assert_eq!(r["action_taken_by_account"]["id"], modo.to_string());
    // Resolving again changes nothing and logs nothing.
    app.post_json(&path("resolve"), Some(&modo_token), &json!({}))
        .await;
    let (_, open) = app
        .get_json("/api/v1/admin/reports", Some(&modo_token))
        .await;
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != first_id.as_str())
    );
    let (_, resolved) = app
        .get_json("/api/v1/admin/reports?resolved=true", Some(&modo_token))
        .await;
    assert_eq!(resolved[0]["id"], first_id.as_str());
    // Alice is told, by the instance, not by whom; once per report resolved, the latest kept.
    let told = |token: String| {
        let app = &app;
        async move {
            let (_, list) = app.get_json("/api/v1/notifications", Some(&token)).await;
            list.as_array()
                .unwrap()
                .iter()
                .filter(|n| n["type"] == "report_resolved")
                .map(|n| n["account"]["uri"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(told(alice_token.clone()).await, [app.url("/actor")]);
    let (_, r) = app
        .post_json(&path("reopen"), Some(&modo_token), &json!({}))
        .await;
    assert_eq!(r["action_taken"], false);
    assert_eq!(r["action_taken_by_account"], Value::Null);
    let (got, shown) = app
        .get_json(
            &format!("/api/v1/admin/reports/{first_id}"),
            Some(&modo_token),
        )
        .await;
    assert_eq!(got, StatusCode::OK);
    assert_eq!(shown["comment"], "commentaire privé");

    // Bad input.
    for bad in ["/api/v1/admin/reports/999", "/api/v1/admin/reports/abc"] {
        let (got, body) = app.get_json(bad, Some(&modo_token)).await;
        assert_eq!(got, StatusCode::NOT_FOUND, "{bad}: {body}");
    }
    let (got, body) = app
        .get_json("/api/v1/admin/reports?resolved=maybe", Some(&modo_token))
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (got, _) = app
        .get_json("/api/v1/admin/reports?account_id=x", Some(&modo_token))
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY);

    // The log has each action once, the report's number and handle, never the comment.
    let actions: Vec<String> = log(&app).await.into_iter().map(|e| e.0).collect();
    for expected in [
        "report_assigned",
        "report_unassigned",
        "report_resolved",
        "report_reopened",
    ] {
        assert_eq!(
            actions.iter().filter(|a| *a == expected).count(),
            1,
            "{actions:?}"
        );
    }
    app.post_json(
        &format!("/api/v1/admin/reports/{second_id}/resolve"),
        Some(&modo_token),
        &json!({}),
    )
    .await;
    assert_eq!(told(alice_token.clone()).await, [app.url("/actor")]);
    let everything = format!("{:?}", log(&app).await);
    assert!(!everything.contains("commentaire privé"), "{everything}");
    app.stop().await;
}

/// Stores a public post by `author` (a remote actor) as if it had been delivered.
async fn remote_post(app: &TestApp, h: &Hostile, author: &str, path: &str, text: &str) -> String {
    let uri = h.url(path);
    let note = json!({"id": uri, "type": "Note", "attributedTo": author, "content": text,
                      "to": ["https://www.w3.org/ns/activitystreams#Public"],
                      "cc": [format!("{author}/followers")],
                      "published": "2026-12-06T07:00:00Z"});
    h.serve(path, note.clone());
    let create = json!({"id": format!("{uri}/activity"), "type": "Create", "actor": author,
                        "to": note["to"], "cc": note["cc"], "object": note});
    let (state, error) = h.deliver_processed(app, author, &create).await;
    assert_eq!(state, "done", "{error:?}");
    uri
}

/// The Mastodon fixture's `Flag` (ids moved to the test's servers), signed by the other
/// server's instance actor, lands in the queue with the posts; the hostile variants do not
/// reach further than they may (rule G-R4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mastodon_flag_lands_in_the_queue_and_hostile_ones_stay_bounded() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (alice, alice_token) = person(&app, "alice", Role::Member, "read write").await;
    let (_, carol_token) = person(&app, "carol", Role::Member, "read write").await;
    let (_, modo_token) = person(&app, "modo", Role::Moderator, "admin:read").await;
    let first = post(&app, &alice_token, "Premier message", "public").await;
    let second = post(&app, &alice_token, "Réservé aux abonnés", "private").await;
    let carols = post(&app, &carol_token, "Message de carol", "public").await;
    let uri_of = |id: &str| format!("{}/users/alice/statuses/{id}", app.base);
    let carol_uri = format!("{}/users/carol/statuses/{carols}", app.base);
    let instance = h.actor("actor", "Application");

    let Some(doc) = fixture("activitypub/mastodon/activities/flag.json") else {
        eprintln!("no fixtures: skipped");
        return;
    };
    let text = doc
        .to_string()
        .replace("https://mastodon.example/actor", &instance)
        .replace("https://mastodon.example", &h.base)
        .replace(
            "https://example.com/users/1",
            &format!("{}/users/alice", app.base),
        )
        .replace("https://example.com/posts/380590", &uri_of(&first))
        .replace("https://example.com/posts/380591", &uri_of(&second));
    let flag: Value = serde_json::from_str(&text).unwrap();
    let (state, error) = h.deliver_processed(&app, &instance, &flag).await;
    assert_eq!(state, "done", "{error:?}");
    let (_, list) = app
        .get_json("/api/v1/admin/reports", Some(&modo_token))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let r = &list[0];
    assert_eq!(r["target_account"]["id"], alice.to_string());
    assert_eq!(r["account"]["domain"], h.host.as_str());
    assert_eq!(r["account"]["account"]["uri"], instance.as_str());
    assert_eq!(
        r["comment"],
        "Please take a look at this user and their posts"
    );
    assert_eq!(r["category"], "other");
    let mut ids: Vec<&str> = r["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![first.as_str(), second.as_str()];
    expected.sort();
    // The followers-only post is kept: only this server's moderators read it (and that is
    // logged).
    assert_eq!(ids, expected);
    assert!(log(&app).await.iter().any(|e| e.0 == "report_posts_viewed"));

    // Another account's post named in the Flag is left out; a content of 100 KB with control
    // characters is cut to 1,000 characters of text.
    let flag = json!({"id": h.url("/flags/2"), "type": "Flag", "actor": instance,
        "object": [format!("{}/users/alice", app.base), uri_of(&first), carol_uri],
        "content": format!("\u{1b}[31m{}", "x".repeat(100_000))});
    let (state, _) = h.deliver_processed(&app, &instance, &flag).await;
    assert_eq!(state, "done");
    let row: (String, i64) = sqlx::query_as(
        "SELECT comment, (SELECT COUNT(*) FROM report_statuses s WHERE s.report_id = r.id) \
         FROM reports r WHERE uri = $1",
    )
    .bind(h.url("/flags/2"))
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(row.0.chars().count(), 1000);
    assert!(row.0.starts_with("[31mxxx"), "{}", &row.0[..20]);
    assert_eq!(row.1, 1, "carol's post was taken into a report about alice");

    // A Flag about nobody here, or about a remote account, takes no effect.
    let stranger = h.actor("stranger", "Person");
    for (n, object) in [
        json!([format!("{}/users/nobody", app.base)]),
        json!([stranger]),
        json!("https://elsewhere.example/users/x"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = h.url(&format!("/flags/unknown/{n}"));
        let flag = json!({"id": id, "type": "Flag", "actor": instance, "object": object,
                          "content": "?"});
        let (state, _) = h.deliver_processed(&app, &instance, &flag).await;
        assert_eq!(state, "done");
    }
    // A Flag naming more than an account and 40 posts is refused.
    let mut many = vec![json!(format!("{}/users/alice", app.base))];
    many.extend((0..60).map(|i| json!(uri_of(&i.to_string()))));
    let flag = json!({"id": h.url("/flags/many"), "type": "Flag", "actor": instance,
                      "object": many});
    let (state, error) = h.deliver_processed(&app, &instance, &flag).await;
    assert_eq!(state, "failed", "{error:?}");
    assert_eq!(count_reports(&app).await, 2);

    // A person of the other server may report too (as Mbin does); its reports are its own.
    let person_actor = h.actor("reporter", "Person");
    let flag = json!({"id": h.url("/flags/3"), "type": "Flag", "actor": person_actor,
        "object": format!("{}/users/alice", app.base), "content": "spam"});
    let (state, _) = h.deliver_processed(&app, &person_actor, &flag).await;
    assert_eq!(state, "done");
    assert_eq!(count_reports(&app).await, 3);

    // Once the domain policy rejects that server's reports (`reject_reports`, its posts still
    // welcome), its Flags are dropped: the queue does not grow.
    let (_, admin_token) = person(&app, "chef", Role::Admin, "admin:write").await;
    let (status, body) = app
        .post_json(
            "/api/v1/admin/domain_blocks",
            Some(&admin_token),
            &json!({"domain": h.host, "severity": "noop", "reject_reports": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let flag = json!({"id": h.url("/flags/4"), "type": "Flag", "actor": instance,
        "object": format!("{}/users/alice", app.base), "content": "encore"});
    let (state, error) = h.deliver_processed(&app, &instance, &flag).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(
        count_reports(&app).await,
        3,
        "a rejected server's report was queued"
    );
    app.stop().await;
}

/// Rule G-R5: a report about an account of another server, forwarded, reaches that server
/// as a `Flag` from our instance actor, naming the account and the posts, with the comment,
/// and never the reporter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_report_reaches_the_other_server_without_the_reporter() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (alice, alice_token) = person(&app, "alice", Role::Member, "read write").await;
    let spammer = h.actor("spammer", "Person");
    let spammer_row = h.introduce(&app, &spammer).await;
    make_follow(
        &app,
        alice,
        spammer_row.id,
        &format!("{}/follows/9", app.base),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let note = remote_post(&app, &h, &spammer, "/notes/1", "Achetez").await;
    let on_us = db::statuses::by_uri(app.state.pool(), &note)
        .await
        .unwrap()
        .expect("the note is stored")
        .id;

    // Not forwarded unless asked.
    let (got, entity) = report(
        &app,
        &alice_token,
        json!({"account_id": spammer_row.id, "status_ids": [on_us], "comment": "pas ici"}),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{entity}");
    assert_eq!(entity["forwarded"], false);

    let (got, entity) = report(
        &app,
        &alice_token,
        json!({"account_id": spammer_row.id, "status_ids": [on_us],
               "comment": "Publicité en boucle", "forward": true,
               "forward_to_domains": [h.host]}),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{entity}");
    assert_eq!(entity["forwarded"], true);
    outbox_drained(&app).await;
    let flags: Vec<Value> = h
        .received()
        .iter()
        .filter(|r| r.method == reqwest::Method::POST)
        .map(|r| r.json())
        .filter(|b| b["type"] == "Flag")
        .collect();
    assert_eq!(flags.len(), 1, "{}", h.delivered_text());
    let flag = &flags[0];
    assert_eq!(flag["actor"], app.url("/actor"));
    assert_eq!(flag["object"], json!([spammer, note]));
    assert_eq!(flag["content"], "Publicité en boucle");
    let text = flag.to_string();
    assert!(!text.contains("alice"), "the reporter is named: {text}");
    assert!(!text.contains("pas ici"));
    app.stop().await;
}

/// A person on B reports a member of A and forwards it: A's queue has it, attributed to B's
/// instance actor, with the post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_made_on_another_coopol_reaches_this_queue_with_the_posts() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, alice_token) = person(&a, "alice", Role::Member, "read write").await;
    let (_, admin_token) = person(&a, "chef", Role::Admin, "admin:read").await;
    let (_, bob_token) = person(&b, "bob", Role::Member, "read write follow").await;
    let text = "Message insultant";
    let id = post(&a, &alice_token, text, "public").await;
    let uri = format!("{}/users/alice/statuses/{id}", a.base);
    let (_, found) = b
        .get_json(
            &format!("/api/v2/search?q={}&resolve=true", urlencode(&uri)),
            Some(&bob_token),
        )
        .await;
    let on_b = found["statuses"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("alice's post is not found on B: {found}"))
        .to_string();
    let alice_on_b = found["statuses"][0]["account"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (got, entity) = report(
        &b,
        &bob_token,
        json!({"account_id": alice_on_b, "status_ids": [on_b], "comment": "insultes",
               "forward": true, "category": "violation", "rule_ids": []}),
    )
    .await;
    // A violation names rules, and B has none.
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{entity}");
    let (got, entity) = report(
        &b,
        &bob_token,
        json!({"account_id": alice_on_b, "status_ids": [on_b], "comment": "insultes",
               "forward": true}),
    )
    .await;
    assert_eq!(got, StatusCode::OK, "{entity}");
    assert_eq!(entity["forwarded"], true);

    eventually("A's queue has B's report", || async {
        let (_, list) = a
            .get_json("/api/v1/admin/reports", Some(&admin_token))
            .await;
        list.as_array().is_some_and(|l| !l.is_empty())
    })
    .await;
    let (_, list) = a
        .get_json("/api/v1/admin/reports", Some(&admin_token))
        .await;
    let r = &list[0];
    assert_eq!(r["target_account"]["username"], "alice");
    assert_eq!(r["account"]["domain"], b.domain.as_str());
    assert_eq!(r["account"]["account"]["uri"], b.url("/actor"));
    assert_eq!(r["comment"], "insultes");
    assert_eq!(r["statuses"][0]["id"], id.as_str());
    // B's own queue has bob's report too.
    assert_eq!(count_reports(&b).await, 1);
    a.stop().await;
    b.stop().await;
}

/// The web form from a post, and the queue's pages for moderators (rule G-R1): each action
/// through its form with the CSRF token; bad input refused with a clear message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_form_and_the_queue_pages() {
    let app = spawn_app().await;
    let (bob, bob_token) = person(&app, "bob", Role::Member, "read write").await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    app.create_user("modo", PASSWORD, Role::Moderator).await;
    let public = post(&app, &bob_token, "Achetez mes montres", "public").await;
    let private = post(&app, &bob_token, "Réservé aux abonnés", "private").await;
    let alice = app.browser();
    alice.sign_in("alice@example.org", PASSWORD).await;

    // The link on the post, then the form, in French first.
    let thread = alice.get(&format!("/@bob/{public}")).await;
    let link = format!("/report?account={bob}&amp;status={public}");
    assert!(thread.body.contains(&link), "{}", thread.body);
    let form_path = format!("/report?account={bob}&status={public}");
    let form = alice.get(&form_path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.contains("Signaler bob à l’équipe"), "{}", form.body);
    assert!(form.contains("Achetez mes montres"));
    assert!(form.contains("Spam, publicité"));
    // No rules on this server: no category that needs them.
    assert!(!form.contains("Infraction aux règles"));
    // Bob is here: nothing to forward.
    assert!(!form.contains("name=\"forward\""));
    let en = alice.get_in(&form_path, "en").await;
    assert!(en.contains("Report bob to the moderators"), "{}", en.body);
    // The profile has the link too.
    assert!(
        alice
            .get("/@bob")
            .await
            .body
            .contains(&format!("/report?account={bob}\""))
    );

    // Refused: a post one may not see, an unknown account, a comment too long (the form
    // comes back with what was typed), a form without its CSRF token.
    let hidden = alice
        .get(&format!("/report?account={bob}&status={private}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        alice.get("/report?account=424242").await.status,
        StatusCode::NOT_FOUND
    );
    let long = "trop ".repeat(250);
    let refused = alice
        .submit(
            &form_path,
            "/report",
            &[
                ("account_id", &bob.to_string()),
                ("status_id", &public),
                ("category", "spam"),
                ("comment", &long),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("1000 caractères au plus"),
        "{}",
        refused.body
    );
    assert!(refused.contains(long.trim()));
    let forged = alice
        .post_raw(
            "/report",
            &[("account_id", &bob.to_string()), ("category", "spam")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(count_reports(&app).await, 0);

    let sent = alice
        .submit(
            &form_path,
            "/report",
            &[
                ("account_id", &bob.to_string()),
                ("status_id", &public),
                ("category", "spam"),
                ("comment", "Il inonde le fil"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location.as_deref(), Some("/@bob"));
    assert!(
        alice
            .get("/@bob")
            .await
            .contains("votre signalement a été transmis")
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM reports")
        .fetch_one(app.state.pool())
        .await
        .unwrap();

    // Members do not see the queue; moderators do.
    assert_eq!(
        alice.get("/admin/reports").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        alice.get(&format!("/admin/reports/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    let modo = app.browser();
    modo.sign_in("modo@example.org", PASSWORD).await;
    let queue = modo.get("/admin/reports").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.contains(&format!("#{id}")), "{}", queue.body);
    assert!(queue.contains("Spam, publicité"));
    assert!(modo.get("/").await.contains("/admin/reports"));
    assert!(
        !modo
            .get("/admin/reports?state=resolved")
            .await
            .contains(&format!("#{id}"))
    );
    assert_eq!(
        modo.get("/admin/reports?state=closed").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        modo.get("/admin/reports?origin=mars").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let page_path = format!("/admin/reports/{id}");
    let page = modo.get(&page_path).await;
    assert!(page.contains("Achetez mes montres"), "{}", page.body);
    assert!(page.contains("Il inonde le fil"));
    assert!(page.contains("@alice"));

    for (action, flash) in [
        ("assign", "Vous prenez en charge ce signalement"),
        ("resolve", "Signalement résolu"),
    ] {
        let done = modo
            .submit(&page_path, &format!("{page_path}/{action}"), &[])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(modo.get(&page_path).await.contains(flash), "{action}");
    }
    let page = modo.get(&page_path).await;
    assert!(page.contains("Rouvrir"), "{}", page.body);
    assert!(page.contains("Ne plus prendre en charge"));
    let empty = modo
        .submit(
            &page_path,
            &format!("{page_path}/note"),
            &[("content", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let noted = modo
        .submit(
            &page_path,
            &format!("{page_path}/note"),
            &[("content", "Deuxième signalement cette semaine")],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER);
    assert!(
        modo.get(&page_path)
            .await
            .contains("Deuxième signalement cette semaine")
    );
    assert_eq!(
        modo.submit(&page_path, &format!("{page_path}/explode"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let actions: Vec<String> = log(&app).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        actions,
        ["report_assigned", "report_resolved", "report_note_added"],
        "{actions:?}"
    );
    assert!(!format!("{:?}", log(&app).await).contains("Deuxième"));
    app.stop().await;
}

/// Reports name the instance's rules in force (`service::rules`): by the API's `rule_ids`, and
/// on the web by ticking them; a violation names at least one; a deleted rule can no longer be
/// named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_name_the_rules_in_force() {
    let app = spawn_app().await;
    let (bob, bob_token) = person(&app, "bob", Role::Member, "read write").await;
    let (_, alice_token) = person(&app, "alice", Role::Member, "read write").await;
    let chef = app.create_user("chef", PASSWORD, Role::Admin).await;
    let chef = db::accounts::user_by_id(app.state.pool(), chef)
        .await
        .unwrap()
        .unwrap();
    let rule = coopol::service::rules::create(&app.state, &chef, "Pas de publicité", "")
        .await
        .unwrap();
    let public = post(&app, &bob_token, "Achetez mes montres", "public").await;

    let (status, body) = report(
        &app,
        &alice_token,
        json!({"account_id": bob, "status_ids": [public], "rule_ids": [rule.id.to_string()]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["category"], "violation");
    assert_eq!(body["rule_ids"], json!([rule.id.to_string()]));

    // On the web: the rule is offered; a violation without a ticked rule comes back.
    let alice = app.browser();
    alice.sign_in("alice@example.org", PASSWORD).await;
    let form_path = format!("/report?account={bob}&status={public}");
    let form = alice.get(&form_path).await;
    assert!(form.contains("Pas de publicité"), "{}", form.body);
    assert!(form.contains("Infraction aux règles"), "{}", form.body);
    let (id, status_id) = (bob.to_string(), public.clone());
    let refused = alice
        .submit(
            &form_path,
            "/report",
            &[
                ("account_id", id.as_str()),
                ("status_id", status_id.as_str()),
                ("category", "violation"),
                ("comment", "publicité"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("au moins une règle"), "{}", refused.body);
    let tick = format!("rule-{}", rule.id);
    let sent = alice
        .submit(
            &form_path,
            "/report",
            &[
                ("account_id", id.as_str()),
                ("status_id", status_id.as_str()),
                ("category", "violation"),
                ("comment", "publicité"),
                (tick.as_str(), "1"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(count_reports(&app).await, 2);
    // The administrators' dashboard counts them as waiting.
    let admin = app.browser();
    admin.sign_in("chef@example.org", PASSWORD).await;
    let dashboard = admin.get("/admin").await;
    assert!(
        dashboard.contains("id=\"dashboard-reports\">2<"),
        "{}",
        dashboard.body
    );

    // A deleted rule is no longer one to name.
    coopol::service::rules::delete(&app.state, &chef, rule.id)
        .await
        .unwrap();
    let (status, body) = report(
        &app,
        &alice_token,
        json!({"account_id": bob, "rule_ids": [rule.id.to_string()]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    app.stop().await;
}
