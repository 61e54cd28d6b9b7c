//! The instance's domain policy: Mastodon's admin API for domain blocks and allows and its
//! refusals, a suspension between two instances (follows severed both ways, posts refused,
//! fetches refused, the inbox's early 403), the allowlist mode, the policy reaching a second
//! process, the public list (obfuscated, with digests, as configured), and Mastodon's CSV
//! block lists (preview with an error per line, import, export).

mod common;

use common::{TestApp, eventually, spawn_app, spawn_app_with, spawn_second_process, urlencode};
use coopol::{
    config::{FederationMode, ShowDomainBlocks},
    domain::Role,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// An administrator (or another role) with a token holding the admin scopes.
async fn staff(app: &TestApp, name: &str, role: Role) -> String {
    app.create_user(name, "correct horse battery", role).await;
    let client = app
        .register_app(ADMIN_SCOPES, "urn:ietf:wg:oauth:2.0:oob")
        .await;
    app.password_token(
        &client,
        &format!("{name}@example.org"),
        "correct horse battery",
        ADMIN_SCOPES,
    )
    .await
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn block(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, body) = call(
        app,
        reqwest::Method::POST,
        "/api/v1/admin/domain_blocks",
        Some(token),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn resolve(app: &TestApp, token: &str, handle: &str) -> Option<String> {
    let (status, body) = app
        .get_json(
            &format!(
                "/api/v2/search?q={}&resolve=true&type=accounts",
                urlencode(handle)
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["accounts"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|a| a["id"].as_str())
        .map(str::to_string)
}

async fn follow(app: &TestApp, token: &str, id: &str) {
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{id}/follow"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn relationship(app: &TestApp, token: &str, id: &str) -> Value {
    let (_, body) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    body[0].clone()
}

async fn post(app: &TestApp, token: &str, text: &str) {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn home_has(app: &TestApp, token: &str, text: &str) -> bool {
    let (_, body) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    body.as_array().is_some_and(|a| {
        a.iter()
            .any(|s| s["content"].as_str().unwrap_or_default().contains(text))
    })
}

/// A signed-looking POST whose key is on `domain` (the signature itself is never checked
/// when the policy refuses the key's server).
async fn inbox_from(app: &TestApp, domain: &str) -> StatusCode {
    inbox_as(app, domain, domain).await
}

/// The same, with the key on `key_domain` and the activity's actor on `actor_domain`.
async fn inbox_as(app: &TestApp, key_domain: &str, actor_domain: &str) -> StatusCode {
    let actor = format!("http://{actor_domain}/users/mallory");
    let key = format!("http://{key_domain}/users/mallory#main-key");
    app.client
        .post(app.url("/inbox"))
        .header("content-type", "application/activity+json")
        .header(
            "signature",
            format!(
                "keyId=\"{key}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"AAAA\""
            ),
        )
        .body(
            json!({"id": format!("{actor}/activities/1"), "type": "Create", "actor": actor,
                   "object": {"id": format!("{actor}/notes/1"), "type": "Note"}})
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspension_severs_follows_both_ways_and_refuses_posts_and_fetches() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let admin = staff(&a, "admin", Role::Admin).await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let bob_on_a = resolve(&a, &alice, &format!("@bob@{}", b.domain))
        .await
        .expect("bob is found before the block");
    let alice_on_b = resolve(&b, &bob, &format!("@alice@{}", a.domain))
        .await
        .expect("alice is found");
    follow(&a, &alice, &bob_on_a).await;
    follow(&b, &bob, &alice_on_b).await;
    eventually("the follows are accepted both ways", || async {
        let r = relationship(&a, &alice, &bob_on_a).await;
        r["following"] == true && r["followed_by"] == true
    })
    .await;
    eventually("alice is told bob follows her", || async {
        let (_, n) = a.get_json("/api/v1/notifications", Some(&alice)).await;
        n.as_array().is_some_and(|n| !n.is_empty())
    })
    .await;
    post(&b, &bob, "before the block").await;
    eventually("bob's post reaches alice", || async {
        home_has(&a, &alice, "before the block").await
    })
    .await;
    // The control: B's key passes the policy's early check (the signature then fails).
    assert_eq!(inbox_from(&a, &b.domain).await, StatusCode::UNAUTHORIZED);

    let blocked = block(
        &a,
        &admin,
        json!({"domain": b.domain, "severity": "suspend", "public_comment": "spam"}),
    )
    .await;
    assert_eq!(blocked["severity"], "suspend");
    assert_eq!(blocked["domain"], b.domain.as_str());

    let r = relationship(&a, &alice, &bob_on_a).await;
    assert_eq!(r["following"], false, "{r}");
    assert_eq!(r["followed_by"], false, "{r}");
    let (_, notifications) = a.get_json("/api/v1/notifications", Some(&alice)).await;
    assert_eq!(notifications, json!([]), "their notifications are gone");
    assert!(
        !home_has(&a, &alice, "before the block").await,
        "a suspended server's posts leave home timelines"
    );
    let (_, statuses) = a
        .get_json(
            &format!("/api/v1/accounts/{bob_on_a}/statuses"),
            Some(&alice),
        )
        .await;
    assert_eq!(statuses, json!([]), "its stored posts are hidden");
    // Its inbox requests are refused before any signature work, whether its server holds
    // the key or only the actor (a key elsewhere does not open the door).
    assert_eq!(inbox_from(&a, &b.domain).await, StatusCode::FORBIDDEN);
    assert_eq!(
        inbox_as(&a, "elsewhere.localhost", &b.domain).await,
        StatusCode::FORBIDDEN
    );
    // Another host is not covered (only the domain and its subdomains are).
    assert_eq!(
        inbox_from(&a, &format!("social.{}", "localhost")).await,
        StatusCode::UNAUTHORIZED,
        "another host is not covered"
    );
    // Nothing is fetched from it: a new account there is not found.
    b.user_with_token("carol", "read").await;
    assert_eq!(
        resolve(&a, &alice, &format!("@carol@{}", b.domain)).await,
        None
    );
    // Bob's new posts never reach A (B still follows nobody there, and A refuses them).
    post(&b, &bob, "after the block").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!home_has(&a, &alice, "after the block").await);
    // Nothing is delivered from A to B either.
    let (_, pending): (_, i64) = (
        (),
        sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE host = $1")
            .bind(&b.domain)
            .fetch_one(a.state.pool())
            .await
            .unwrap(),
    );
    assert_eq!(pending, 0);

    // Lifting the block lets B's server in again (follows stay severed, as on Mastodon).
    let id = blocked["id"].as_str().unwrap();
    let (status, body) = call(
        &a,
        reqwest::Method::DELETE,
        &format!("/api/v1/admin/domain_blocks/{id}"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    assert_eq!(inbox_from(&a, &b.domain).await, StatusCode::UNAUTHORIZED);
    assert!(
        resolve(&a, &alice, &format!("@carol@{}", b.domain))
            .await
            .is_some()
    );
    let r = relationship(&a, &alice, &bob_on_a).await;
    assert_eq!(r["following"], false, "{r}");

    // Each action is in the moderation log, in its transaction.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM moderation_log WHERE target_kind = 'domain' ORDER BY id",
    )
    .fetch_all(a.state.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec!["domain_block_created", "domain_block_removed"]
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_allowlist_refuses_unlisted_servers_deliveries_and_fetches() {
    let a = spawn_app_with(|c| c.moderation.federation_mode = FederationMode::Allowlist).await;
    let b = spawn_app().await;
    let admin = staff(&a, "admin", Role::Admin).await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;

    // A fetches nothing from B, and refuses B's signed reads and deliveries.
    assert_eq!(
        resolve(&a, &alice, &format!("@bob@{}", b.domain)).await,
        None
    );
    assert_eq!(inbox_from(&a, &b.domain).await, StatusCode::FORBIDDEN);
    assert_eq!(
        resolve(&b, &bob, &format!("@alice@{}", a.domain)).await,
        None,
        "B's signed fetch is refused too"
    );
    // Listed for a moment, B finds alice; taken off the list, B's follow is refused.
    let (status, allowed) = call(
        &a,
        reqwest::Method::POST,
        "/api/v1/admin/domain_allows",
        Some(&admin),
        json!({"domain": b.domain}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{allowed}");
    let alice_on_b = resolve(&b, &bob, &format!("@alice@{}", a.domain))
        .await
        .expect("B reads A once listed");
    let (status, body) = call(
        &a,
        reqwest::Method::DELETE,
        &format!(
            "/api/v1/admin/domain_allows/{}",
            allowed["id"].as_str().unwrap()
        ),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    follow(&b, &bob, &alice_on_b).await;
    common::outbox_drained(&b).await;
    eventually("B gives the refused delivery up", || async {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries")
            .fetch_one(b.state.pool())
            .await
            .unwrap();
        left == 0
    })
    .await;
    let followers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM follows")
        .fetch_one(a.state.pool())
        .await
        .unwrap();
    assert_eq!(followers, 0, "the follow of a server not listed is refused");

    // Listed: B's server is fetched and heard.
    let (status, allowed) = call(
        &a,
        reqwest::Method::POST,
        "/api/v1/admin/domain_allows",
        Some(&admin),
        json!({"domain": b.domain}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{allowed}");
    assert_eq!(allowed["domain"], b.domain.as_str());
    let (status, again) = call(
        &a,
        reqwest::Method::POST,
        "/api/v1/admin/domain_allows",
        Some(&admin),
        json!({"domain": b.domain.to_uppercase()}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], allowed["id"], "allowing twice gives the same");
    assert_eq!(inbox_from(&a, &b.domain).await, StatusCode::UNAUTHORIZED);
    let bob_on_a = resolve(&a, &alice, &format!("@bob@{}", b.domain))
        .await
        .expect("an allowed server is fetched");
    follow(&a, &alice, &bob_on_a).await;
    eventually("an allowed server takes our follow", || async {
        relationship(&a, &alice, &bob_on_a).await["following"] == true
    })
    .await;
    let (status, list) = a
        .get_json("/api/v1/admin/domain_allows", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, body) = call(
        &a,
        reqwest::Method::POST,
        "/api/v1/admin/domain_allows",
        Some(&admin),
        json!({"domain": a.domain}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_roles_are_refused_with_clear_errors() {
    let app = spawn_app().await;
    let admin = staff(&app, "admin", Role::Admin).await;
    let moderator = staff(&app, "modo", Role::Moderator).await;
    let (_, member) = app.user_with_token("member", "read write").await;
    let blocks = "/api/v1/admin/domain_blocks";
    let post = reqwest::Method::POST;

    let (status, body) = call(
        &app,
        post.clone(),
        blocks,
        Some(&admin),
        json!({"domain": app.domain}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("instance"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        post.clone(),
        blocks,
        Some(&admin),
        json!({"domain": "bad.example", "severity": "ban", "reject_media": "perhaps"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["details"]["reject_media"].is_array(), "{body}");
    for domain in ["", "not a domain", "https://x.example/path", "192.0.2.1"] {
        let (status, body) = call(
            &app,
            post.clone(),
            blocks,
            Some(&admin),
            json!({"domain": domain}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{domain}: {body}");
    }
    // Moderators handle reports; only administrators change the domain policy (G1).
    let (status, _) = call(
        &app,
        post.clone(),
        blocks,
        Some(&moderator),
        json!({"domain": "x.example"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        post.clone(),
        blocks,
        Some(&member),
        json!({"domain": "x.example"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a member's token has no admin scope"
    );
    let (status, _) = app.get_json(blocks, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let made = block(&app, &admin, json!({"domain": "Bad.Example.", "severity": "silence", "private_comment": "seen in reports"})).await;
    assert_eq!(made["domain"], "bad.example");
    assert_eq!(made["reject_media"], false);
    assert_eq!(made["private_comment"], "seen in reports");
    let (status, body) = call(
        &app,
        post.clone(),
        blocks,
        Some(&admin),
        json!({"domain": "bad.example"}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a second block of a domain: {body}"
    );
    let id = made["id"].as_str().unwrap();
    let (status, changed) = call(
        &app,
        reqwest::Method::PUT,
        &format!("{blocks}/{id}"),
        Some(&admin),
        json!({"severity": "noop", "reject_media": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["severity"], "noop");
    assert_eq!(changed["reject_media"], true);
    assert_eq!(
        changed["private_comment"], "seen in reports",
        "what is not sent stays"
    );
    let (status, _) = call(
        &app,
        reqwest::Method::PUT,
        &format!("{blocks}/{id}"),
        Some(&admin),
        json!({"domain": "other.example"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for missing in ["999999", "nope"] {
        let (status, body) = app
            .get_json(&format!("{blocks}/{missing}"), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body["error"].is_string());
    }
    // Pages by id with Link headers.
    for n in 0..3 {
        block(&app, &admin, json!({"domain": format!("p{n}.example")})).await;
    }
    let res = app.get(&format!("{blocks}?limit=2"), Some(&admin)).await;
    let link = res.headers()["link"].to_str().unwrap().to_string();
    let page: Value = res.json().await.unwrap();
    assert_eq!(page.as_array().unwrap().len(), 2);
    assert_eq!(page[0]["domain"], "p2.example");
    assert!(link.contains("max_id="), "{link}");
    let (status, _) = app
        .get_json(&format!("{blocks}?limit=x"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_list_is_obfuscated_with_digests_and_shown_as_configured() {
    let app = spawn_app_with(|c| c.moderation.show_domain_blocks = ShowDomainBlocks::Users).await;
    let admin = staff(&app, "admin", Role::Admin).await;
    block(&app, &admin, json!({"domain": "example.com", "severity": "suspend", "obfuscate": true, "public_comment": "harassment"})).await;
    block(
        &app,
        &admin,
        json!({"domain": "quiet.example", "severity": "noop"}),
    )
    .await;
    let path = "/api/v1/instance/domain_blocks";
    let (status, _) = app.get_json(path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "signed-in people only");
    let (status, list) = app.get_json(path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!([{"domain": "exa****.*om",
                "digest": "a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947",
                "severity": "suspend", "comment": "harassment"}]),
        "a noop without rejected media limits nothing, and is left out"
    );
    let page = app.browser();
    page.sign_in("admin@example.org", "correct horse battery")
        .await;
    let about = page.get("/about").await;
    assert!(about.contains("exa****.*om"), "{}", about.body);
    assert!(!about.contains("example.com<"));
    let anonymous = app.browser().get("/about").await;
    assert!(!anonymous.contains("exa****.*om"));
    app.stop().await;

    let closed = spawn_app_with(|c| c.moderation.show_domain_blocks = ShowDomainBlocks::None).await;
    let admin = staff(&closed, "admin", Role::Admin).await;
    let (status, _) = closed.get_json(path, Some(&admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    closed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_reaches_another_process_on_the_same_database() {
    let first = spawn_app().await;
    let second = spawn_second_process(&first).await;
    let admin = staff(&first, "admin", Role::Admin).await;
    assert!(!coopol::service::domain_policy::refuses(
        &second.state,
        "far.example"
    ));
    block(
        &first,
        &admin,
        json!({"domain": "far.example", "severity": "suspend"}),
    )
    .await;
    assert!(coopol::service::domain_policy::refuses(
        &first.state,
        "far.example"
    ));
    assert!(coopol::service::domain_policy::refuses(
        &first.state,
        "a.b.far.example:8443"
    ));
    assert!(!coopol::service::domain_policy::refuses(
        &first.state,
        "notfar.example"
    ));
    eventually("the second process reloads the policy", || async {
        coopol::service::domain_policy::refuses(&second.state, "far.example")
    })
    .await;
    assert_eq!(
        inbox_from(&second, "far.example").await,
        StatusCode::FORBIDDEN
    );
    second.stop().await;
    first.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_block_lists_are_previewed_with_an_error_per_line_imported_and_exported() {
    let app = spawn_app().await;
    let admin = staff(&app, "admin", Role::Admin).await;
    let web = app.browser();
    web.sign_in("admin@example.org", "correct horse battery")
        .await;
    let malformed = format!(
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         good.example,suspend,true,false,\"spam, lots\",false\n\
         not a domain,silence,false,false,,false\n\
         other.example,banish,false,false,,false\n\
         {},suspend,false,false,,false\n",
        app.domain
    );
    let page = web
        .submit(
            "/admin/domains",
            "/admin/domains/import",
            &[("csv", &malformed), ("step", "apply")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for line in ["Ligne 3", "Ligne 4", "Ligne 5"] {
        assert!(page.contains(line), "{line} is named:\n{}", page.body);
    }
    assert!(
        page.contains("good.example"),
        "the preview lists what is good"
    );
    let (_, list) = app
        .get_json("/api/v1/admin/domain_blocks", Some(&admin))
        .await;
    assert_eq!(list, json!([]), "nothing is imported from a malformed file");

    let good = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                good.example,suspend,true,false,\"spam, lots\",false\n\
                limited.example,silence,false,true,,true\n";
    let preview = web
        .submit(
            "/admin/domains",
            "/admin/domains/import",
            &[("csv", good), ("step", "preview")],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.contains("limited.example"));
    let (_, list) = app
        .get_json("/api/v1/admin/domain_blocks", Some(&admin))
        .await;
    assert_eq!(list, json!([]), "a preview changes nothing");
    let done = web
        .submit(
            "/admin/domains",
            "/admin/domains/import",
            &[("csv", good), ("step", "apply")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, list) = app
        .get_json("/api/v1/admin/domain_blocks", Some(&admin))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(coopol::service::domain_policy::rejects_reports(
        &app.state,
        "limited.example"
    ));
    assert!(!coopol::service::domain_policy::rejects_reports(
        &app.state,
        "elsewhere.example"
    ));
    assert!(coopol::service::domain_policy::rejects_media(
        &app.state,
        "cdn.good.example"
    ));
    let export = web.get("/admin/domains/export").await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(
        export.body,
        "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
         good.example,suspend,true,false,\"spam, lots\",false\n\
         limited.example,silence,false,true,,true\n"
    );
    let log: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM moderation_log WHERE action = 'domain_blocks_imported'",
    )
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(log, 1);
    // Not for a member.
    app.user_with_token("member", "read").await;
    let member = app.browser();
    member
        .sign_in("member@example.org", "correct horse battery")
        .await;
    assert_eq!(
        member.get("/admin/domains").await.status,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}
