//! A person's data (issue 33, item 2; docs/decisions/0029): the archive of everything the
//! database holds about a member, checked against the database (posts with a closed one and a
//! group post, a media file byte for byte, follows, lists, blocks, bookmarks, likes, group
//! roles, a mission's shift and an event taken part in), downloadable by its owner only,
//! announced by a notification and an e-mail (the SMTP sink, when there is one), at most one a
//! day; CSV cells never start a formula; every column referring to an account is classified;
//! Mastodon's CSV files imported, with accounts of a second instance, in both modes, with a
//! report of every row, and bad files refused. Both databases.

mod common;
#[path = "common/mail.rs"]
#[allow(dead_code)]
mod mail_sink;
#[path = "common/scenes.rs"]
#[allow(dead_code)]
mod scenes;

use common::{Browser, TestApp, eventually, spawn_app, spawn_app_with};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use std::io::Read;

const PASSWORD: &str = "correct horse battery";

/// A member with a fresh address (the SMTP sink is shared by the run): (id, token, address).
async fn person(app: &TestApp, name: &str) -> (i64, String, String) {
    let email = mail_sink::address(name);
    let id = coopol::service::accounts::register(
        &app.state,
        coopol::service::accounts::Registration {
            username: name.into(),
            email: email.clone(),
            password: PASSWORD.into(),
            ..Default::default()
        },
        coopol::service::accounts::Registrar::Administrator(coopol::domain::Role::Member),
    )
    .await
    .expect("create user")
    .account_id;
    let client = app
        .register_app("read write follow push", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let token = app
        .password_token(&client, &email, PASSWORD, "read write follow")
        .await;
    (id, token, email)
}

async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    b.sign_in(email, PASSWORD).await;
    b
}

fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Uploads a picture through Mastodon's API; its id once processed.
async fn upload(app: &TestApp, token: &str) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png())
            .file_name("a.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let res = app
        .client
        .post(app.url("/api/v2/media"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let body: Value = res.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/media/{id}");
    eventually("the upload is processed", || async {
        app.get_json(&path, Some(token)).await.0 == StatusCode::OK
    })
    .await;
    id
}

async fn post(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, s) = app.post_json("/api/v1/statuses", Some(token), &body).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    s
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The files of a zip archive by name.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().to_string(), data);
    }
    out
}

fn text(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        files
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone(),
    )
    .unwrap()
}

fn json_of(files: &std::collections::BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_str(&text(files, name)).unwrap()
}

async fn count(app: &TestApp, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn every_column_referring_to_an_account_is_exported_or_said_why_not() {
    let app = spawn_app().await;
    let missing = coopol::service::export::unclassified(&app.state)
        .await
        .unwrap();
    assert!(
        missing.is_empty(),
        "columns referring to accounts that the archive neither exports nor lists as not \
         exported (service::export::EXPORTED / NOT_EXPORTED, docs/decisions/0029): {missing:?}"
    );
    // No stale entry either: each classified column exists.
    let all =
        coopol::db::personal_data::account_references(app.state.pool(), app.state.db.backend())
            .await
            .unwrap();
    let classified = coopol::service::export::EXPORTED
        .iter()
        .map(|(t, c)| (*t, *c))
        .chain(
            coopol::service::export::NOT_EXPORTED
                .iter()
                .map(|(t, c, _)| (*t, *c)),
        );
    for (t, c) in classified {
        assert!(
            all.iter().any(|(at, ac)| at == t && ac == c),
            "{t}.{c} is classified but refers to no account"
        );
    }
    // The columns written too: a staff column of an exported table (who handled a report,
    // warned, suspended, decided an appeal: G-R6) is left out of its rows, and only secrets
    // named with their table leave out a generic name (a scheduled post's `params` stays).
    use coopol::service::export::{EXPORTED, NOT_EXPORTED, STAFF, omitted};
    let mut staff_in_exported = 0;
    for (t, c, why) in NOT_EXPORTED {
        if *why == STAFF && EXPORTED.iter().any(|(et, _)| et == t) {
            staff_in_exported += 1;
            assert!(omitted(t).contains(c), "{t}.{c} is written into archives");
        }
    }
    assert!(
        staff_in_exported >= 5,
        "reports, warnings, sanctions, appeals"
    );
    assert!(!omitted("scheduled_statuses").contains(&"params"));
    assert!(omitted("mail_queue").contains(&"params"));
    assert!(omitted("users").contains(&"password_hash"));
    let record =
        std::fs::read_to_string("docs/decisions/0029-personal-data-export-and-import.md").unwrap();
    for (t, _, _) in coopol::service::export::NOT_EXPORTED {
        assert!(record.contains(&format!("`{t}`")), "the record names `{t}`");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_members_archive_holds_what_the_database_holds_about_them() {
    let sink = mail_sink::sink();
    let app = spawn_app_with(|c| {
        if let Some(s) = &sink {
            mail_sink::use_sink(c, s);
        }
    })
    .await;
    let domain = app.domain.clone();
    let p = scenes::people(&app).await;
    let (bob_id, bob, bob_email) = person(&app, "robert").await;

    // Bob's posts: one with a picture, one for followers only, a boost, a group post.
    let media_id = upload(&app, &bob).await;
    let with_picture = post(
        &app,
        &bob,
        json!({"status": "Affiches prêtes", "media_ids": [media_id]}),
    )
    .await;
    let closed = post(
        &app,
        &bob,
        json!({"status": "Réunion jeudi", "visibility": "private"}),
    )
    .await;
    let carols = post(&app, &p.carol, json!({"status": "Bonjour à toutes"})).await;
    let carols_id = carols["id"].as_str().unwrap();
    for action in ["reblog", "bookmark", "favourite"] {
        let (status, body) = app
            .post_json(
                &format!("/api/v1/statuses/{carols_id}/{action}"),
                Some(&bob),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    let section = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &section, &bob, bob_id).await;
    scenes::role(&app, &p, &section, bob_id, "moderator").await;
    let group_post = scenes::group_post(
        &app,
        &section,
        &bob,
        json!({"status": "Tractage samedi", "audience": "members"}),
    )
    .await;

    // Follows, a list whose title looks like a formula, a block, a mute, a blocked domain.
    for (path, body) in [
        (format!("/api/v1/accounts/{}/follow", p.carol_id), json!({})),
        (format!("/api/v1/accounts/{}/block", p.eve_id), json!({})),
        (format!("/api/v1/accounts/{}/mute", p.bob_id), json!({})),
        (
            "/api/v1/domain_blocks".to_string(),
            json!({"domain": "spam.example"}),
        ),
    ] {
        let (status, b) = app.post_json(&path, Some(&bob), &body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {b}");
    }
    let (_, list) = app
        .post_json("/api/v1/lists", Some(&bob), &json!({"title": "=SUM(A1)"}))
        .await;
    let list_id = list["id"].as_str().unwrap();
    let (status, b) = app
        .post_json(
            &format!("/api/v1/lists/{list_id}/accounts"),
            Some(&bob),
            &json!({"account_ids": [p.carol_id.to_string()]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    // Carol follows Bob.
    app.post_json(
        &format!("/api/v1/accounts/{bob_id}/follow"),
        Some(&p.carol),
        &json!({}),
    )
    .await;

    // A mission with a shift, and an event, Bob signs up for.
    let (status, mission) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&p.sec),
            &json!({"name": "Collage", "group": "section_paris11", "place_name": "Marché",
                    "postcode": "75011",
                    "shifts": [{"start_time": in_days(4, 9), "end_time": in_days(4, 11), "needed": 2}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mission}");
    let mission_id = mission["id"].as_str().unwrap();
    let (_, shifts) = app
        .get_json(&format!("/api/coopol/v1/events/{mission_id}/shifts"), None)
        .await;
    let shift_id = shifts[0]["id"].as_str().unwrap();
    let (status, b) = app
        .post_json(
            &format!("/api/coopol/v1/events/{mission_id}/shifts/{shift_id}/participation"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (status, event) = app
        .post_json(
            "/api/coopol/v1/events",
            Some(&p.sec),
            &json!({"name": "Assemblée générale", "start_time": in_days(6, 18),
                    "end_time": in_days(6, 20), "place_name": "Salle", "postcode": "75011"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().unwrap();
    let (status, b) = app
        .post_json(
            &format!("/api/coopol/v1/events/{event_id}/participation"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");

    // Asking: once a day.
    let browser = signed_in(&app, &bob_email).await;
    let page = browser.get("/settings/data").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Télécharger mes données"), "{}", page.body);
    let asked = browser
        .submit("/settings/data", "/settings/data/export", &[])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let again = browser
        .submit("/settings/data", "/settings/data/import", &[])
        .await;
    assert_ne!(
        again.status,
        StatusCode::SEE_OTHER,
        "the import form needs a file"
    );
    let page = browser.get("/settings/data").await;
    let csrf = page.csrf();
    let again = browser
        .client
        .post(format!("{}/settings/data/export", browser.base))
        .header(header::ORIGIN, browser.base.as_str())
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS, "once a day");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let export_id = loop {
        let list = coopol::service::export::list(&app.state, bob_id)
            .await
            .unwrap();
        if list[0].state == "ready" {
            break list[0].id;
        }
        assert_eq!(list[0].state, "pending");
        assert!(
            std::time::Instant::now() < deadline,
            "the archive is not ready"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let address = format!("/settings/data/exports/{export_id}");

    // Only its owner downloads it.
    for (who, b) in [
        ("carol", Some(signed_in(&app, "carol@example.org").await)),
        ("a visitor", Some(app.browser())),
    ] {
        let res = b
            .unwrap()
            .client
            .get(format!("{}{address}", app.base))
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), StatusCode::OK, "{who} may not download it");
        let body = res.bytes().await.unwrap();
        assert!(zip::ZipArchive::new(std::io::Cursor::new(body.as_ref())).is_err());
    }
    let res = browser
        .client
        .get(format!("{}{address}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/zip");
    let files = unzip(&res.bytes().await.unwrap());

    // outbox.json: every post and boost of Bob's, closed and group posts included.
    let outbox = json_of(&files, "outbox.json");
    let statuses = count(
        &app,
        "SELECT COUNT(*) FROM statuses WHERE account_id = $1",
        bob_id,
    )
    .await;
    let items = outbox["orderedItems"].as_array().unwrap();
    assert_eq!(items.len() as i64, statuses, "{outbox}");
    assert_eq!(outbox["totalItems"], statuses);
    let uris: Vec<String> = items
        .iter()
        .map(|a| match a["object"].as_str() {
            Some(s) => s.to_string(),
            None => a["object"]["id"].as_str().unwrap().to_string(),
        })
        .collect();
    for s in [&with_picture, &closed, &group_post, &carols] {
        assert!(
            uris.contains(&s["uri"].as_str().unwrap().to_string()),
            "{s} in {uris:?}"
        );
    }
    assert!(items.iter().any(|a| a["type"] == "Announce"));
    // actor.json points at the archive's files.
    let actor = json_of(&files, "actor.json");
    let bob_row = coopol::db::accounts::by_id(app.state.pool(), bob_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(actor["id"], bob_row.uri.as_str());
    assert_eq!(actor["outbox"], "outbox.json");
    // The picture, byte for byte.
    let media = coopol::db::personal_data::media_files(app.state.pool(), bob_id)
        .await
        .unwrap();
    assert!(!media.is_empty());
    for (_, key) in &media {
        let stored = app
            .state
            .media
            .store
            .read(key, u64::MAX)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            files
                .get(&format!("media_attachments/{key}"))
                .map(Vec::as_slice),
            Some(stored.as_ref()),
            "{key}"
        );
    }
    // Mastodon's CSV files, with its headers, and cells that never start a formula.
    let following = text(&files, "following_accounts.csv");
    assert!(
        following.starts_with("Account address,Show boosts,Notify on new posts,Languages\n"),
        "{following}"
    );
    assert!(
        following.contains(&format!("carol@{domain},true,false,\n")),
        "{following}"
    );
    assert_eq!(
        text(&files, "lists.csv"),
        format!("'=SUM(A1),carol@{domain}\n")
    );
    assert_eq!(
        text(&files, "blocked_accounts.csv"),
        format!("eve@{domain}\n")
    );
    assert_eq!(
        text(&files, "muted_accounts.csv"),
        format!("Account address,Hide notifications\nbob@{domain},true\n")
    );
    assert_eq!(text(&files, "blocked_domains.csv"), "spam.example\n");
    assert_eq!(
        text(&files, "bookmarks.csv"),
        format!("{}\n", carols["uri"].as_str().unwrap())
    );
    assert_eq!(
        json_of(&files, "likes.json")["orderedItems"],
        json!([carols["uri"]])
    );
    assert_eq!(json_of(&files, "bookmarks.json")["totalItems"], 1);

    // coopol.json: groups and roles, the shift and the event, followers, every table.
    let coopol = json_of(&files, "coopol.json");
    assert!(
        coopol["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["group"] == format!("section_paris11@{domain}") && g["role"] == "moderator"),
        "{}",
        coopol["groups"]
    );
    let events = coopol["events"].as_array().unwrap();
    let participations = count(
        &app,
        "SELECT COUNT(*) FROM participants WHERE account_id = $1",
        bob_id,
    )
    .await;
    assert_eq!(events.len() as i64, participations, "{events:?}");
    assert!(events.iter().any(|e| e["name"] == "Assemblée générale"));
    assert!(
        events
            .iter()
            .any(|e| e["name"].as_str().unwrap().starts_with("Collage"))
    );
    assert_eq!(coopol["followers"], json!([format!("carol@{domain}")]));
    let tables = &coopol["tables"];
    assert_eq!(
        tables["users"]["account_id"][0]["email"],
        bob_email.as_str()
    );
    assert!(
        tables["users"]["account_id"][0]
            .get("password_hash")
            .is_none()
    );
    assert!(coopol["account"].get("private_key_pem").is_none());
    assert!(!text(&files, "coopol.json").contains("PRIVATE KEY"));
    for (table, column) in coopol::service::export::EXPORTED {
        // Written after the archive: its notification, and the e-mail it sends.
        if ["notifications", "mail_queue"].contains(table) {
            continue;
        }
        let rows = tables[table][column]
            .as_array()
            .unwrap_or_else(|| panic!("{table}.{column}"));
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(bob_id)
            .fetch_one(app.state.pool())
            .await
            .unwrap();
        assert_eq!(rows.len() as i64, n, "{table}.{column}");
    }
    assert!(
        !tables["oauth_tokens"]["account_id"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Told by a notification, and an e-mail.
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&bob)).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["type"] == "data_export_ready"),
        "{notes}"
    );
    if let Some(sink) = &sink {
        eventually("the e-mail about the archive", || async {
            sink.messages(&bob_email)
                .iter()
                .any(|m| m.text.contains("/settings/data") && m.subject.contains("archive"))
        })
        .await;
    }
    let page = browser.get("/settings/data").await;
    assert!(page.contains(&address), "{}", page.body);

    // After its days, the archive and its file are gone.
    let key = coopol::service::export::list(&app.state, bob_id)
        .await
        .unwrap()[0]
        .object_key
        .clone()
        .unwrap();
    sqlx::query("UPDATE data_exports SET expires_at = 1 WHERE id = $1")
        .bind(export_id)
        .execute(app.state.pool())
        .await
        .unwrap();
    let res = browser
        .client
        .get(format!("{}{address}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        coopol::service::export::expire(&app.state).await.unwrap(),
        1
    );
    assert!(
        coopol::service::export::list(&app.state, bob_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.state
            .media
            .store
            .read(&key, u64::MAX)
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}

/// Posts a CSV file to the import form as a browser; the response.
async fn import(b: &Browser, kind: &str, mode: &str, csv: Vec<u8>) -> (StatusCode, String) {
    let csrf = b.get("/settings/data").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("kind", kind.to_string())
        .text("mode", mode.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv)
                .file_name("export.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let res = b
        .client
        .post(format!("{}/settings/data/import", b.base))
        .header(header::ORIGIN, b.base.as_str())
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// Waits for the person's newest import to be applied; its report.
async fn report(app: &TestApp, id: i64) -> Vec<coopol::service::import::Outcome> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let list = coopol::service::import::list(&app.state, id).await.unwrap();
        if list[0].row.state == "done" {
            return list[0].outcomes.clone();
        }
        assert_eq!(list[0].row.state, "pending");
        assert!(
            std::time::Instant::now() < deadline,
            "the import is not applied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn outcome<'a>(
    report: &'a [coopol::service::import::Outcome],
    value: &str,
) -> &'a coopol::service::import::Outcome {
    report
        .iter()
        .find(|o| o.value == value)
        .unwrap_or_else(|| panic!("{value} in {report:?}"))
}

#[tokio::test]
async fn mastodon_csv_files_import_with_a_report_of_every_row() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (ana_id, _, ana_email) = person(&a, "ana").await;
    let (carol_id, _, _) = person(&a, "carol").await;
    let (_, zoe, _) = person(&b, "zoe").await;
    let (_, _, _) = person(&b, "yann").await;
    let zoes = post(&b, &zoe, json!({"status": "Un post à garder"})).await;
    let zoes_uri = zoes["uri"].as_str().unwrap().to_string();
    let (ad, bd) = (a.domain.clone(), b.domain.clone());
    let browser = signed_in(&a, &ana_email).await;

    // Follows, with Mastodon's header: local and remote accounts, one nobody has, a bad row.
    let csv = format!(
        "Account address,Show boosts,Notify on new posts,Languages\n\
         zoe@{bd},true,false,\nyann@{bd},true,false,\ncarol@{ad},true,false,\n\
         personne@{bd},true,false,\n\"\",true\n"
    );
    let (status, body) = import(&browser, "following", "merge", csv.into_bytes()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let r = report(&a, ana_id).await;
    for who in [
        format!("zoe@{bd}"),
        format!("yann@{bd}"),
        format!("carol@{ad}"),
    ] {
        assert_eq!(outcome(&r, &who).outcome, "imported", "{r:?}");
    }
    let nobody = outcome(&r, &format!("personne@{bd}"));
    assert_eq!(nobody.outcome, "skipped");
    assert_eq!(nobody.reason.as_deref(), Some("import-skip-unresolved"));
    assert!(
        r.iter()
            .any(|o| o.reason.as_deref() == Some("import-skip-columns")),
        "{r:?}"
    );
    let follows = |app: &TestApp| {
        let pool = app.state.pool().clone();
        async move {
            coopol::db::personal_data::following(&pool, ana_id)
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.username)
                .collect::<Vec<_>>()
        }
    };
    let mut now = follows(&a).await;
    now.sort();
    assert_eq!(now, ["carol", "yann", "zoe"]);
    // The remote server hears of the follows.
    eventually("zoe's server accepts", || async {
        count(
            &a,
            "SELECT COUNT(*) FROM follows WHERE account_id = $1 AND state = 'accepted'",
            ana_id,
        )
        .await
            == 3
    })
    .await;

    // Overwrite: only Zoe is kept.
    let (status, body) = import(
        &browser,
        "following",
        "overwrite",
        format!("zoe@{bd},true,false,\n").into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let r = report(&a, ana_id).await;
    assert_eq!(outcome(&r, &format!("yann@{bd}")).outcome, "removed");
    assert_eq!(outcome(&r, &format!("carol@{ad}")).outcome, "removed");
    assert_eq!(follows(&a).await, ["zoe"]);

    // Blocks, mutes (Mastodon's header), a list, bookmarks with a private address.
    let (s, _) = import(
        &browser,
        "blocks",
        "merge",
        format!("yann@{bd}\n").into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        outcome(&report(&a, ana_id).await, &format!("yann@{bd}")).outcome,
        "imported"
    );
    assert_eq!(
        count(
            &a,
            "SELECT COUNT(*) FROM blocks WHERE account_id = $1",
            ana_id
        )
        .await,
        1
    );
    let (s, _) = import(
        &browser,
        "mutes",
        "merge",
        format!("Account address,Hide notifications\nzoe@{bd},false\n").into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    report(&a, ana_id).await;
    let muted: Vec<i64> =
        sqlx::query_scalar("SELECT notifications FROM mutes WHERE account_id = $1")
            .bind(ana_id)
            .fetch_all(a.state.pool())
            .await
            .unwrap();
    assert_eq!(muted, [0]);
    let (s, _) = import(
        &browser,
        "lists",
        "merge",
        format!("Voisins,carol@{ad}\nVoisins,\n").into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let r = report(&a, ana_id).await;
    assert_eq!(
        outcome(&r, &format!("carol@{ad}")).outcome,
        "imported",
        "{r:?}"
    );
    let lists = coopol::service::lists::all(&a.state, ana_id).await.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].title, "Voisins");
    assert_eq!(
        coopol::db::personal_data::list_member_ids(a.state.pool(), lists[0].id)
            .await
            .unwrap(),
        [carol_id]
    );
    let csv = format!(
        "{zoes_uri}\nhttp://127.0.0.1:9/statuses/1\nhttp://[::1]/x\nhttp://10.0.0.1/x\njavascript:alert(1)\n"
    );
    let (s, _) = import(&browser, "bookmarks", "merge", csv.into_bytes()).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let r = report(&a, ana_id).await;
    assert_eq!(outcome(&r, &zoes_uri).outcome, "imported", "{r:?}");
    for bad in [
        "http://127.0.0.1:9/statuses/1",
        "http://[::1]/x",
        "http://10.0.0.1/x",
        "javascript:alert(1)",
    ] {
        assert_eq!(
            outcome(&r, bad).reason.as_deref(),
            Some("import-skip-address"),
            "{bad}"
        );
    }
    assert_eq!(
        count(
            &a,
            "SELECT COUNT(*) FROM bookmarks WHERE account_id = $1",
            ana_id
        )
        .await,
        1
    );
    let page = browser.get("/settings/data").await;
    assert!(
        page.contains("Ignorée"),
        "the report is shown:\n{}",
        page.body
    );

    // Bad files are refused whole, saying why, and nothing is queued.
    let before = coopol::service::import::list(&a.state, ana_id)
        .await
        .unwrap()
        .len();
    let huge = "zoe@example.org\n".repeat(coopol::service::import::MAX_ROWS + 1);
    let big = vec![b'a'; coopol::service::import::MAX_BYTES + 1];
    for (kind, csv, why) in [
        ("following", huge.into_bytes(), "lignes"),
        ("following", big, "Kio"),
        (
            "lists",
            b"Account address,Show boosts\nx@y,true\n".to_vec(),
            "pas du type choisi",
        ),
        ("blocks", vec![0xff, 0xfe, 0x00, 0x41], "UTF-8"),
        ("passwords", b"x@y\n".to_vec(), "inconnu"),
    ] {
        let (status, body) = import(&browser, kind, "merge", csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind}: {body}");
        assert!(body.contains(why), "{kind}: {why} in\n{body}");
    }
    assert_eq!(
        coopol::service::import::list(&a.state, ana_id)
            .await
            .unwrap()
            .len(),
        before
    );
    a.stop().await;
    b.stop().await;
}

/// Waits until `done` holds of the person's newest archive; it.
async fn export_when(
    app: &TestApp,
    id: i64,
    done: impl Fn(&coopol::service::export::Export) -> bool,
) -> coopol::service::export::Export {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let list = coopol::service::export::list(&app.state, id).await.unwrap();
        if let Some(e) = list.into_iter().next().filter(|e| done(e)) {
            return e;
        }
        assert!(std::time::Instant::now() < deadline, "the archive's state");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// An administrator's token (`admin:read admin:write`).
async fn admin_token(app: &TestApp, name: &str) -> String {
    app.create_user(name, PASSWORD, coopol::domain::Role::Admin)
        .await;
    let scope = "read write follow admin:read admin:write";
    let client = app.register_app(scope, "urn:ietf:wg:oauth:2.0:oob").await;
    app.password_token(&client, &format!("{name}@example.org"), PASSWORD, scope)
        .await
}

#[tokio::test]
async fn staff_stay_unnamed_and_an_erased_or_suspended_account_gets_no_archive_nor_import() {
    let app = spawn_app().await;
    let domain = app.domain.clone();
    let admin = admin_token(&app, "admin").await;
    let (bob_id, bob, bob_email) = person(&app, "bertrand").await;
    let (eve_id, _, _) = person(&app, "evelyne").await;
    let (carol_id, _, _) = person(&app, "carole").await;

    // Bob reports Eve; the administrator takes the case and warns Bob.
    let (status, report) = app
        .post_json(
            "/api/v1/reports",
            Some(&bob),
            &json!({"account_id": eve_id.to_string(), "comment": "Insultes"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let report_id = report["id"].as_str().unwrap();
    let (status, b) = app
        .post_json(
            &format!("/api/v1/admin/reports/{report_id}/assign_to_self"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (status, b) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{bob_id}/action"),
            Some(&admin),
            &json!({"type": "none", "text": "Restez courtois"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    // A scheduled post: its text (`params`) is Bob's own.
    let at = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let (status, b) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob),
            &json!({"status": "Rappel : AG demain", "scheduled_at": at}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");

    coopol::service::export::request(&app.state, bob_id)
        .await
        .unwrap();
    let ready = export_when(&app, bob_id, |e| e.state == "ready").await;
    let browser = signed_in(&app, &bob_email).await;
    let res = browser
        .client
        .get(format!("{}/settings/data/exports/{}", app.base, ready.id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let coopol = json_of(&unzip(&res.bytes().await.unwrap()), "coopol.json");
    let tables = coopol["tables"].as_object().unwrap();
    let reports = &tables["reports"]["account_id"];
    assert_eq!(reports[0]["comment"], "Insultes", "{reports}");
    let warnings = &tables["account_warnings"]["account_id"];
    assert_eq!(warnings[0]["text"], "Restez courtois", "{warnings}");
    let scheduled = tables["scheduled_statuses"]["account_id"].to_string();
    assert!(scheduled.contains("AG demain"), "{scheduled}");
    // No row of any table names who handled the case, nor holds a secret.
    for (table, by_column) in tables {
        let omitted = coopol::service::export::omitted(table);
        for rows in by_column.as_object().unwrap().values() {
            for row in rows.as_array().unwrap() {
                for key in row.as_object().unwrap().keys() {
                    assert!(
                        !omitted.contains(&key.as_str()),
                        "{table}.{key} is in the archive: {row}"
                    );
                }
            }
        }
    }
    let rows = coopol["tables"].to_string();
    for staff in [
        "assigned_account_id",
        "action_taken_by_account_id",
        "actor_id",
    ] {
        assert!(
            !rows.contains(&format!("\"{staff}\"")),
            "{staff} in the rows"
        );
    }

    // Suspended, Carol "speaks no more": her archive is not built, her import not applied.
    let (status, b) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{carol_id}/action"),
            Some(&admin),
            &json!({"type": "suspend"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let carol_row = coopol::db::accounts::by_id(app.state.pool(), carol_id)
        .await
        .unwrap()
        .unwrap();
    coopol::service::export::request(&app.state, carol_id)
        .await
        .unwrap();
    let csv = format!("evelyne@{domain}\n");
    coopol::service::import::submit(&app.state, &carol_row, "following", "merge", csv.as_bytes())
        .await
        .unwrap();
    export_when(&app, carol_id, |e| e.state == "failed").await;
    eventually("the import failed", || async {
        let list = coopol::service::import::list(&app.state, carol_id)
            .await
            .unwrap();
        list[0].row.state == "failed"
    })
    .await;
    let follows = "SELECT COUNT(*) FROM follows WHERE account_id = $1";
    assert_eq!(count(&app, follows, carol_id).await, 0);

    // Erased, Bob leaves no archive in the media store and no import behind.
    let key = ready.object_key.clone().unwrap();
    assert!(
        app.state
            .media
            .store
            .get(&key, None)
            .await
            .unwrap()
            .is_some()
    );
    coopol::service::accounts::erase(&app.state, bob_id)
        .await
        .unwrap();
    assert!(
        coopol::service::export::list(&app.state, bob_id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.state
            .media
            .store
            .get(&key, None)
            .await
            .unwrap()
            .is_none()
    );
    let res = browser
        .client
        .get(format!("{}/settings/data/exports/{}", app.base, ready.id))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
    // A file that got in meanwhile (sent just before the erasure) is not applied.
    let import_id = 7_000_001;
    coopol::db::personal_data::insert_import(
        app.state.pool(),
        &coopol::db::personal_data::NewImport {
            id: import_id,
            account_id: bob_id,
            kind: "following",
            mode: "merge",
            body: &csv,
            total_rows: 1,
            now: coopol::clock::now(),
        },
    )
    .await
    .unwrap();
    eventually("the erased account's import failed", || async {
        let row = coopol::db::personal_data::import_by_id(app.state.pool(), import_id)
            .await
            .unwrap()
            .unwrap();
        row.state == "failed"
    })
    .await;
    assert_eq!(count(&app, follows, bob_id).await, 0);

    // At most ten files a day.
    let (dan_id, _, _) = person(&app, "daniel").await;
    let dan = coopol::db::accounts::by_id(app.state.pool(), dan_id)
        .await
        .unwrap()
        .unwrap();
    for i in 0..coopol::service::import::MAX_PER_DAY {
        coopol::db::personal_data::insert_import(
            app.state.pool(),
            &coopol::db::personal_data::NewImport {
                id: 7_000_100 + i,
                account_id: dan_id,
                kind: "domain_blocks",
                mode: "merge",
                body: "",
                total_rows: 0,
                now: coopol::clock::now(),
            },
        )
        .await
        .unwrap();
    }
    sqlx::query("UPDATE data_imports SET state = 'done' WHERE account_id = $1")
        .bind(dan_id)
        .execute(app.state.pool())
        .await
        .unwrap();
    let refused = coopol::service::import::submit(
        &app.state,
        &dan,
        "domain_blocks",
        "merge",
        b"spam.example\n",
    )
    .await
    .unwrap_err();
    assert_eq!(refused.status.as_u16(), 429);
    assert_eq!(refused.key, "error-import-daily-limit");
    app.stop().await;
}
