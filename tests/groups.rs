//! Groups: coopol's API (every endpoint of the OpenAPI document, with its error answers), and
//! sections, members, circles, removals and federations across three instances.

mod common;
#[path = "common/scenes.rs"]
mod scenes;

use common::{API, Api, TestApp, eventually, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn fields(body: &Value) -> Vec<String> {
    body["details"]
        .as_object()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

fn texts(body: &Value) -> Vec<String> {
    body.as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    let s = if s["reblog"].is_object() {
                        &s["reblog"]
                    } else {
                        s
                    };
                    s["content"].as_str().unwrap_or_default().to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has(list: &[String], needle: &str) -> bool {
    list.iter().any(|t| t.contains(needle))
}

// coopol's API for groups, one behaviour per test, each from the scene it needs
// (tests/common/scenes.rs). Each test names the endpoints it calls; the last one checks that
// together they call every endpoint the OpenAPI document describes.

const DOCUMENT: &[(&str, &str)] = &[("get", "/openapi.json")];
const CREATING: &[(&str, &str)] = &[("post", "/groups")];
const DIRECTORY: &[(&str, &str)] = &[("get", "/groups"), ("get", "/groups/{id}")];
const JOINING: &[(&str, &str)] = &[
    ("post", "/groups/{id}/join"),
    ("get", "/groups/{id}/members"),
    ("post", "/groups/{id}/members/{account_id}/approve"),
];
const ROLES: &[(&str, &str)] = &[("post", "/groups/{id}/members/{account_id}/role")];
const EXPORT: &[(&str, &str)] = &[
    ("get", "/groups/{id}/members.csv"),
    ("get", "/groups/{id}/audit"),
];
const CIRCLES: &[(&str, &str)] = &[
    ("post", "/groups/{id}/posts"),
    ("get", "/groups/{id}/timeline"),
];
const THREADS: &[(&str, &str)] = &[
    ("post", "/groups/{id}/posts"),
    ("post", "/groups/{id}/posts/{status_id}/lock"),
    ("post", "/groups/{id}/posts/{status_id}/unlock"),
    ("post", "/groups/{id}/posts/{status_id}/remove"),
    ("get", "/groups/{id}/timeline"),
];
const MEMBERSHIP: &[(&str, &str)] = &[
    ("post", "/groups/{id}/members/{account_id}/invite"),
    ("post", "/groups/{id}/join"),
    ("post", "/groups/{id}/members/{account_id}/ban"),
    ("post", "/groups/{id}/members/{account_id}/remove"),
    ("post", "/groups/{id}/members/{account_id}/reject"),
    ("get", "/groups/{id}"),
    ("post", "/groups/{id}/leave"),
];
const AFFILIATION: &[(&str, &str)] = &[
    ("post", "/groups/{id}/affiliate"),
    ("get", "/groups/{id}/affiliations"),
    ("get", "/groups/{id}/sections"),
    ("post", "/groups/{id}/affiliations/{section_id}/approve"),
    ("post", "/groups/{id}/affiliations/{section_id}/reject"),
];

#[tokio::test]
async fn the_api_is_described_by_a_valid_openapi_document() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let (status, _, raw) = api
        .call(Method::GET, "/openapi.json", "/openapi.json", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let parsed: openapiv3::OpenAPI = serde_json::from_str(&raw).expect("a valid OpenAPI document");
    assert_eq!(parsed.openapi, "3.0.3");
    api.assert_called(DOCUMENT);
    app.stop().await;
}

#[tokio::test]
async fn creating_a_group_refuses_bad_input_and_taken_names() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob) = (&p.sec, &p.bob);
    // Missing fields, too long, bad place, then a section and a duplicate.
    let g = "/groups";
    let (status, body) = api.post(g, g, sec, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for f in ["name", "display_name", "kind"] {
        assert!(fields(&body).contains(&f.to_string()), "{body}");
    }
    let (status, body) = api
        .post(
            g,
            g,
            sec,
            json!({"name": "x", "display_name": "d".repeat(101), "kind": "section", "postcode": "7501", "summary": "s".repeat(2001)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&body),
        ["display_name", "postcode", "summary"],
        "{body}"
    );
    let (status, body) = api
        .post(
            g,
            g,
            sec,
            json!({"name": "s", "display_name": "S", "kind": "section"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&body),
        ["postcode"],
        "a section needs its place: {body}"
    );
    let (status, section) = api
        .post(
            g,
            g,
            sec,
            json!({"name": "section_paris11", "display_name": "Section Paris 11e", "kind": "section",
                   "summary": "La section du **11e**.", "join_mode": "approval",
                   "place": {"postcode": "75011", "commune": "Paris"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{section}");
    assert_eq!(section["place"]["departement"], "75");
    assert_eq!(section["viewer"]["role"], "administrator");
    assert_eq!(section["members_count"], 1);
    let (status, body) = api
        .post(
            g,
            g,
            bob,
            json!({"name": "Section_Paris11", "display_name": "Copie", "kind": "theme"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(fields(&body), ["name"]);
    let (status, body) = api
        .post(
            g,
            g,
            bob,
            json!({"name": "bob", "display_name": "Bob", "kind": "theme"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "names are shared with people: {body}"
    );
    let (status, fed) = api
        .post(
            g,
            g,
            sec,
            json!({"name": "federation_75", "display_name": "Fédération de Paris", "kind": "federation", "departement": "75"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fed}");
    api.assert_called(CREATING);
    app.stop().await;
}

#[tokio::test]
async fn the_directory_finds_a_section_from_a_postcode_of_its_departement() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let sid = scenes::paris_section(&app, &p).await;
    let fid = scenes::paris_federation(&app, &p).await;
    let g = "/groups";
    let (status, found) = api.get(g, "/groups?postcode=75011", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found[0]["id"], sid.as_str());
    let (_, found) = api
        .get(g, "/groups?postcode=75012&kind=section", None)
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], sid.as_str());
    let (_, found) = api.get(g, "/groups?q=PARIS&kind=federation", None).await;
    assert_eq!(found[0]["id"], fid.as_str());
    let (status, body) = api.get(g, "/groups?kind=club&postcode=abc", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["kind", "postcode"]);
    let one = "/groups/{id}";
    let (status, _) = api.get(one, "/groups/999999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, by_handle) = api.get(one, "/groups/section_paris11", Some(&p.eve)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_handle["viewer"]["membership"], Value::Null);
    // Mastodon apps see the group as an account with `group: true`.
    let (_, lookup) = app
        .get_json("/api/v1/accounts/lookup?acct=section_paris11", Some(&p.eve))
        .await;
    assert_eq!(lookup["group"], true, "{lookup}");
    api.assert_called(DIRECTORY);
    app.stop().await;
}

#[tokio::test]
async fn joining_with_approval_goes_through_the_moderators() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob, carol) = (&p.sec, &p.bob, &p.carol);
    let (bob_id, carol_id) = (p.bob_id, p.carol_id);
    let sid = scenes::paris_section(&app, &p).await;
    let join = "/groups/{id}/join";
    let (status, body) = api
        .post(
            join,
            &format!("/groups/{sid}/join"),
            bob,
            json!({"message": "x".repeat(1001)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["message"]);
    let (status, body) = api
        .post(
            join,
            &format!("/groups/{sid}/join"),
            bob,
            json!({"message": "Enseignant, je veux aider."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["viewer"]["membership"], "pending");
    let (status, _) = api.post(join, "/groups/424242/join", bob, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let members = "/groups/{id}/members";
    let (_, pending) = api
        .get(
            members,
            &format!("/groups/{sid}/members?pending=true"),
            Some(sec),
        )
        .await;
    assert_eq!(pending[0]["account"]["username"], "bob", "{pending}");
    assert_eq!(pending[0]["message"], "Enseignant, je veux aider.");
    let (status, _) = api
        .get(members, &format!("/groups/{sid}/members"), Some(carol))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "non-members see no member list"
    );
    let (status, _) = api
        .get(
            members,
            &format!("/groups/{sid}/members?after=x"),
            Some(sec),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let approve = "/groups/{id}/members/{account_id}/approve";
    let (status, _) = api
        .post(
            approve,
            &format!("/groups/{sid}/members/{bob_id}/approve"),
            carol,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only moderators approve");
    let (status, body) = api
        .post(
            approve,
            &format!("/groups/{sid}/members/{bob_id}/approve"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["state"], "accepted");
    let (status, _) = api
        .post(
            approve,
            &format!("/groups/{sid}/members/{carol_id}/approve"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "carol did not ask"
    );
    api.assert_called(JOINING);
    app.stop().await;
}

#[tokio::test]
async fn administrators_give_roles_and_moderators_do_not() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob, bob_id) = (&p.sec, &p.bob, p.bob_id);
    let sid = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &sid, bob, bob_id).await;
    let role = "/groups/{id}/members/{account_id}/role";
    let (status, body) = api
        .post(
            role,
            &format!("/groups/{sid}/members/{bob_id}/role"),
            sec,
            json!({"role": "boss"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["role"]);
    let (status, body) = api
        .post(
            role,
            &format!("/groups/{sid}/members/{bob_id}/role"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["role"]);
    let (status, body) = api
        .post(
            role,
            &format!("/groups/{sid}/members/{bob_id}/role"),
            sec,
            json!({"role": "moderator"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["role"], "moderator");
    let (status, _) = api
        .post(
            role,
            &format!("/groups/{sid}/members/{bob_id}/role"),
            bob,
            json!({"role": "administrator"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "moderators do not give roles"
    );
    api.assert_called(ROLES);
    app.stop().await;
}

#[tokio::test]
async fn only_administrators_export_the_member_list_and_the_export_is_logged() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob, bob_id) = (&p.sec, &p.bob, p.bob_id);
    let sid = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &sid, bob, bob_id).await;
    scenes::role(&app, &p, &sid, bob_id, "moderator").await;
    let csv = "/groups/{id}/members.csv";
    let (status, _, _) = api
        .call(
            Method::GET,
            csv,
            &format!("/groups/{sid}/members.csv"),
            Some(bob),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, text) = api
        .call(
            Method::GET,
            csv,
            &format!("/groups/{sid}/members.csv"),
            Some(sec),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.starts_with("handle,display_name,role,joined_at,listed"),
        "{text}"
    );
    assert!(text.contains(&format!("bob@{},", app.domain)), "{text}");
    let audit = "/groups/{id}/audit";
    let (status, _) = api
        .get(audit, &format!("/groups/{sid}/audit"), Some(bob))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, log) = api
        .get(audit, &format!("/groups/{sid}/audit"), Some(sec))
        .await;
    assert_eq!(log[0]["action"], "members_export", "{log}");
    api.assert_called(EXPORT);
    app.stop().await;
}

#[tokio::test]
async fn a_members_only_post_is_read_by_members_only() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (bob, eve) = (&p.bob, &p.eve);
    let sid = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &sid, bob, p.bob_id).await;
    let posts = "/groups/{id}/posts";
    let path = format!("/groups/{sid}/posts");
    let (status, body) = api
        .post(posts, &path, bob, json!({"audience": "everyone"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["audience", "status"]);
    let (status, body) = api
        .post(
            posts,
            &path,
            bob,
            json!({"status": "x", "title": "t".repeat(201)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["title"]);
    let (status, secret) = api
        .post(
            posts,
            &path,
            bob,
            json!({"status": "Réunion secrète jeudi", "audience": "members"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    assert_eq!(secret["visibility"], "private");
    let (status, debate) = api
        .post(posts, &path, bob, json!({"status": "Parlons de la cantine", "audience": "public", "title": "Débat : la cantine"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{debate}");
    let (status, _) = api
        .post(
            posts,
            &path,
            eve,
            json!({"status": "Je m'invite", "audience": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "non-members do not post");
    let tl = "/groups/{id}/timeline";
    let (_, public) = api.get(tl, &format!("/groups/{sid}/timeline"), None).await;
    assert!(has(&texts(&public), "cantine") && !has(&texts(&public), "secrète"));
    let (_, for_eve) = api
        .get(tl, &format!("/groups/{sid}/timeline"), Some(eve))
        .await;
    assert!(!has(&texts(&for_eve), "secrète"));
    let (_, for_bob) = api
        .get(tl, &format!("/groups/{sid}/timeline"), Some(bob))
        .await;
    assert!(has(&texts(&for_bob), "secrète") && has(&texts(&for_bob), "cantine"));
    let (_, only) = api
        .get(
            tl,
            &format!("/groups/{sid}/timeline?audience=members"),
            Some(bob),
        )
        .await;
    assert_eq!(texts(&only).len(), 1);
    let (status, _) = api
        .get(
            tl,
            &format!("/groups/{sid}/timeline?audience=all"),
            Some(bob),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let secret_id = secret["id"].as_str().unwrap();
    for token in [None, Some(eve.as_str())] {
        let (status, _) = app
            .get_json(&format!("/api/v1/statuses/{secret_id}"), token)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{secret_id}"), Some(bob))
        .await;
    assert_eq!(status, StatusCode::OK);
    api.assert_called(CIRCLES);
    app.stop().await;
}

#[tokio::test]
async fn moderators_lock_threads_and_remove_posts() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob, eve) = (&p.sec, &p.bob, &p.eve);
    let sid = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &sid, bob, p.bob_id).await;
    let secret = scenes::group_post(
        &app,
        &sid,
        bob,
        json!({"status": "Réunion secrète jeudi", "audience": "members"}),
    )
    .await;
    let debate = scenes::group_post(
        &app,
        &sid,
        bob,
        json!({"status": "Parlons de la cantine", "audience": "public", "title": "Débat : la cantine"}),
    )
    .await;
    let (secret_id, debate_id) = (
        secret["id"].as_str().unwrap(),
        debate["id"].as_str().unwrap(),
    );
    let posts = "/groups/{id}/posts";
    let path = format!("/groups/{sid}/posts");
    let lock = "/groups/{id}/posts/{status_id}/lock";
    let (status, _) = api
        .post(
            lock,
            &format!("/groups/{sid}/posts/{debate_id}/lock"),
            eve,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api
        .post(
            lock,
            &format!("/groups/{sid}/posts/{debate_id}/lock"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .post(
            posts,
            &path,
            bob,
            json!({"status": "Encore un mot", "in_reply_to_id": debate_id}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "locked threads take no replies"
    );
    let unlock = "/groups/{id}/posts/{status_id}/unlock";
    let (status, _) = api
        .post(
            unlock,
            &format!("/groups/{sid}/posts/{debate_id}/unlock"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .post(
            posts,
            &path,
            bob,
            json!({"status": "Encore un mot", "in_reply_to_id": debate_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let remove = "/groups/{id}/posts/{status_id}/remove";
    let (status, _) = api
        .post(
            remove,
            &format!("/groups/{sid}/posts/{secret_id}/remove"),
            eve,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api
        .post(
            remove,
            &format!("/groups/{sid}/posts/{secret_id}/remove"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let tl = "/groups/{id}/timeline";
    let (_, for_bob) = api
        .get(tl, &format!("/groups/{sid}/timeline"), Some(bob))
        .await;
    assert!(!has(&texts(&for_bob), "secrète"));
    api.assert_called(THREADS);
    app.stop().await;
}

#[tokio::test]
async fn invitations_bans_removals_and_leaving() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob, carol, eve) = (&p.sec, &p.bob, &p.carol, &p.eve);
    let (carol_id, eve_id) = (p.carol_id, p.eve_id);
    let sid = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &sid, bob, p.bob_id).await;
    scenes::role(&app, &p, &sid, p.bob_id, "moderator").await;
    let join = "/groups/{id}/join";
    let invite = "/groups/{id}/members/{account_id}/invite";
    let (status, body) = api
        .post(
            invite,
            &format!("/groups/{sid}/members/{carol_id}/invite"),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["state"], "invited");
    let (_, body) = api
        .post(join, &format!("/groups/{sid}/join"), carol, json!({}))
        .await;
    assert_eq!(
        body["viewer"]["membership"], "accepted",
        "invited people join at once"
    );
    let ban = "/groups/{id}/members/{account_id}/ban";
    let (status, _) = api
        .post(
            ban,
            &format!("/groups/{sid}/members/{eve_id}/ban"),
            carol,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = api
        .post(
            ban,
            &format!("/groups/{sid}/members/{eve_id}/ban"),
            bob,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = api
        .post(join, &format!("/groups/{sid}/join"), eve, json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "banned people cannot ask again"
    );
    let removem = "/groups/{id}/members/{account_id}/remove";
    let (status, _) = api
        .post(
            removem,
            &format!("/groups/{sid}/members/{carol_id}/remove"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let reject = "/groups/{id}/members/{account_id}/reject";
    api.post(join, &format!("/groups/{sid}/join"), carol, json!({}))
        .await;
    let (status, _) = api
        .post(
            reject,
            &format!("/groups/{sid}/members/{carol_id}/reject"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let one = "/groups/{id}";
    let (_, body) = api.get(one, &format!("/groups/{sid}"), Some(carol)).await;
    assert_eq!(body["viewer"]["membership"], Value::Null);
    let leave = "/groups/{id}/leave";
    let (status, body) = api
        .post(leave, &format!("/groups/{sid}/leave"), sec, json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the last administrator stays: {body}"
    );
    let (status, body) = api
        .post(leave, &format!("/groups/{sid}/leave"), bob, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["viewer"]["membership"], Value::Null);
    api.assert_called(MEMBERSHIP);
    app.stop().await;
}

#[tokio::test]
async fn sections_affiliate_with_a_federation_which_decides() {
    let app = spawn_app().await;
    let api = Api::new(&app);
    let p = scenes::people(&app).await;
    let (sec, bob) = (&p.sec, &p.bob);
    let sid = scenes::paris_section(&app, &p).await;
    let fid = scenes::paris_federation(&app, &p).await;
    scenes::member(&app, &p, &sid, bob, p.bob_id).await;
    let affiliate = "/groups/{id}/affiliate";
    let (status, body) = api
        .post(
            affiliate,
            &format!("/groups/{sid}/affiliate"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["federation"]);
    let (status, _) = api
        .post(
            affiliate,
            &format!("/groups/{sid}/affiliate"),
            bob,
            json!({"federation": fid}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api
        .post(
            affiliate,
            &format!("/groups/{sid}/affiliate"),
            sec,
            json!({"federation": fid}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let other = scenes::group(
        &app,
        sec,
        json!({"name": "section_paris12", "display_name": "Paris 12e", "kind": "section", "postcode": "75012"}),
    )
    .await;
    let other_id = other["id"].as_str().unwrap().to_string();
    api.post(
        affiliate,
        &format!("/groups/{other_id}/affiliate"),
        sec,
        json!({"federation": "federation_75"}),
    )
    .await;
    let requests = "/groups/{id}/affiliations";
    let (status, _) = api
        .get(requests, &format!("/groups/{fid}/affiliations"), Some(bob))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, asking) = api
        .get(requests, &format!("/groups/{fid}/affiliations"), Some(sec))
        .await;
    assert_eq!(asking.as_array().unwrap().len(), 2, "{asking}");
    let sections = "/groups/{id}/sections";
    let (_, listed) = api
        .get(sections, &format!("/groups/{fid}/sections"), None)
        .await;
    assert!(listed.as_array().unwrap().is_empty(), "not before approval");
    let yes = "/groups/{id}/affiliations/{section_id}/approve";
    let (status, listed) = api
        .post(
            yes,
            &format!("/groups/{fid}/affiliations/{sid}/approve"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let no = "/groups/{id}/affiliations/{section_id}/reject";
    let (status, _) = api
        .post(
            no,
            &format!("/groups/{fid}/affiliations/{other_id}/reject"),
            sec,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = api
        .get(sections, &format!("/groups/{fid}/sections"), None)
        .await;
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [sid.as_str()]);
    api.assert_called(AFFILIATION);
    app.stop().await;
}

/// Together, the tests above call every endpoint the document describes for groups, and
/// only documented ones. (Events and missions have their own tests, tests/events.rs.)
#[test]
fn the_group_tests_call_every_documented_endpoint() {
    let doc: Value = serde_json::from_str(include_str!("../src/api/coopol/openapi.json")).unwrap();
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.starts_with("/groups") || path == "/openapi.json" {
            for method in item.as_object().unwrap().keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let called: std::collections::BTreeSet<(String, String)> = [
        DOCUMENT,
        CREATING,
        DIRECTORY,
        JOINING,
        ROLES,
        EXPORT,
        CIRCLES,
        THREADS,
        MEMBERSHIP,
        AFFILIATION,
    ]
    .iter()
    .flat_map(|list| list.iter())
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    let missing: Vec<_> = documented.difference(&called).collect();
    assert!(missing.is_empty(), "endpoints no test calls: {missing:?}");
    let undocumented: Vec<_> = called.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "endpoints not documented: {undocumented:?}"
    );
}

/// Resolves a remote group by handle through the API; returns its id on `app`.
async fn group_id_on(app: &TestApp, token: &str, handle: &str) -> String {
    let (status, body) = app
        .get_json(&format!("{API}/groups/{handle}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn home(app: &TestApp, token: &str) -> Vec<String> {
    let (_, body) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    texts(&body)
}

async fn timeline(app: &TestApp, token: &str, group: &str) -> Vec<String> {
    let (_, body) = app
        .get_json(&format!("{API}/groups/{group}/timeline"), Some(token))
        .await;
    texts(&body)
}

#[tokio::test]
async fn sections_members_and_circles_across_three_instances() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let c = spawn_app().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let (_, dave) = b.user_with_token("dave", "read write follow").await;
    let (_, carol) = c.user_with_token("carol", "read write follow").await;

    let (status, section) = a
        .post_json(
            &format!("{API}/groups"),
            Some(&sec),
            &json!({"name": "section_lille", "display_name": "Section de Lille", "kind": "section", "postcode": "59000", "commune": "Lille"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{section}");
    let sid_a = section["id"].as_str().unwrap().to_string();
    let handle = format!("section_lille@{}", a.domain);

    // bob (B) asks to join; the secretary (A) approves; B learns it.
    let sid_b = group_id_on(&b, &bob, &handle).await;
    let (status, body) = b
        .post_json(
            &format!("{API}/groups/{sid_b}/join"),
            Some(&bob),
            &json!({"message": "Militant à Lille-Sud"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["viewer"]["membership"], "pending");
    eventually("the request reaches the section", || async {
        let (_, pending) = a
            .get_json(
                &format!("{API}/groups/{sid_a}/members?pending=true"),
                Some(&sec),
            )
            .await;
        pending[0]["message"] == "Militant à Lille-Sud"
    })
    .await;
    let (_, pending) = a
        .get_json(
            &format!("{API}/groups/{sid_a}/members?pending=true"),
            Some(&sec),
        )
        .await;
    let bob_on_a = pending[0]["account"]["id"].as_str().unwrap().to_string();
    let (status, _) = a
        .post_json(
            &format!("{API}/groups/{sid_a}/members/{bob_on_a}/approve"),
            Some(&sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("B learns bob is a member", || async {
        let (_, g) = b
            .get_json(&format!("{API}/groups/{sid_b}"), Some(&bob))
            .await;
        g["viewer"]["membership"] == "accepted"
    })
    .await;

    // carol (C) follows the section from her Mastodon-compatible API: a sympathizer.
    let q: String = url::form_urlencoded::byte_serialize(format!("@{handle}").as_bytes()).collect();
    let (_, found) = c
        .get_json(
            &format!("/api/v2/search?q={q}&resolve=true&type=accounts"),
            Some(&carol),
        )
        .await;
    assert_eq!(found["accounts"][0]["group"], true, "{found}");
    let sid_c = found["accounts"][0]["id"].as_str().unwrap().to_string();
    let (status, rel) = c
        .post_json(
            &format!("/api/v1/accounts/{sid_c}/follow"),
            Some(&carol),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rel}");
    eventually("carol's follow is accepted", || async {
        let (_, r) = c
            .get_json(
                &format!("/api/v1/accounts/relationships?id[]={sid_c}"),
                Some(&carol),
            )
            .await;
        r[0]["following"] == true
    })
    .await;

    // bob posts from B: to members only, and publicly.
    for (text, audience) in [
        ("Réunion interne mardi", "members"),
        ("Marché de Wazemmes samedi", "public"),
    ] {
        let (status, body) = b
            .post_json(
                &format!("{API}/groups/{sid_b}/posts"),
                Some(&bob),
                &json!({"status": text, "audience": audience}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    eventually("the section on A has both posts", || async {
        let t = timeline(&a, &sec, &sid_a).await;
        has(&t, "interne") && has(&t, "Wazemmes")
    })
    .await;
    eventually("carol on C sees the public post", || async {
        has(&home(&c, &carol).await, "Wazemmes")
    })
    .await;
    eventually("the group timeline on B has both posts for bob", || async {
        let t = timeline(&b, &bob, &sid_b).await;
        has(&t, "interne") && has(&t, "Wazemmes")
    })
    .await;
    // The members-only post stays inside: not for a follower, not for a non-member on the
    // member's own server, not for unsigned fetches or search engines.
    assert!(!has(&home(&c, &carol).await, "interne"));
    assert!(!has(&timeline(&c, &carol, &sid_c).await, "interne"));
    assert!(!has(&home(&b, &dave).await, "interne"));
    assert!(!has(&timeline(&b, &dave, &sid_b).await, "interne"));
    let (_, bob_tl) = b
        .get_json(
            &format!("{API}/groups/{sid_b}/timeline?audience=members"),
            Some(&bob),
        )
        .await;
    let internal_b = bob_tl[0]["id"].as_str().unwrap().to_string();
    let internal_uri = bob_tl[0]["uri"].as_str().unwrap().to_string();
    let (status, _) = b
        .get_json(&format!("/api/v1/statuses/{internal_b}"), Some(&dave))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for accept in ["application/activity+json", "text/html"] {
        let res = b
            .client
            .get(&internal_uri)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert!(
            matches!(
                res.status(),
                StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
            ),
            "{accept}: {}",
            res.status()
        );
        if res.status() == StatusCode::SEE_OTHER {
            let page = b
                .client
                .get(b.url(res.headers()["location"].to_str().unwrap()))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), StatusCode::NOT_FOUND);
        }
    }
    let q: String = url::form_urlencoded::byte_serialize(internal_uri.as_bytes()).collect();
    let (_, found) = c
        .get_json(
            &format!("/api/v2/search?q={q}&resolve=true&type=statuses"),
            Some(&carol),
        )
        .await;
    assert!(
        found["statuses"].as_array().is_none_or(|s| s.is_empty()),
        "a non-member's server cannot fetch it: {found}"
    );

    // A moderator's removal disappears everywhere.
    let (_, on_a) = a
        .get_json(
            &format!("{API}/groups/{sid_a}/timeline?audience=public"),
            Some(&sec),
        )
        .await;
    let public_a = on_a[0]["id"].as_str().unwrap().to_string();
    let (status, _) = a
        .post_json(
            &format!("{API}/groups/{sid_a}/posts/{public_a}/remove"),
            Some(&sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    eventually("the removal reaches C", || async {
        !has(&home(&c, &carol).await, "Wazemmes")
    })
    .await;
    eventually("the removal reaches B", || async {
        !has(&timeline(&b, &bob, &sid_b).await, "Wazemmes")
    })
    .await;

    // A section on B affiliates with a federation on A and receives its announcement.
    let (status, fed) = a
        .post_json(
            &format!("{API}/groups"),
            Some(&sec),
            &json!({"name": "federation_nord", "display_name": "Fédération du Nord", "kind": "federation", "departement": "59"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fed}");
    let fid_a = fed["id"].as_str().unwrap().to_string();
    let (status, section_b) = b
        .post_json(
            &format!("{API}/groups"),
            Some(&bob),
            &json!({"name": "section_roubaix", "display_name": "Section de Roubaix", "kind": "section", "postcode": "59100"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{section_b}");
    let roubaix = section_b["id"].as_str().unwrap().to_string();
    let (status, body) = b
        .post_json(
            &format!("{API}/groups/{roubaix}/affiliate"),
            Some(&bob),
            &json!({"federation": format!("federation_nord@{}", a.domain)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the affiliation request reaches A", || async {
        let (_, asking) = a
            .get_json(&format!("{API}/groups/{fid_a}/affiliations"), Some(&sec))
            .await;
        asking.as_array().is_some_and(|x| !x.is_empty())
    })
    .await;
    let (_, asking) = a
        .get_json(&format!("{API}/groups/{fid_a}/affiliations"), Some(&sec))
        .await;
    let roubaix_on_a = asking[0]["id"].as_str().unwrap().to_string();
    let (status, listed) = a
        .post_json(
            &format!("{API}/groups/{fid_a}/affiliations/{roubaix_on_a}/approve"),
            Some(&sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed[0]["kind"], "section", "{listed}");
    let fid_b = group_id_on(&b, &bob, &format!("federation_nord@{}", a.domain)).await;
    eventually("B learns the affiliation is accepted", || async {
        let (_, g) = b
            .get_json(&format!("{API}/groups/{fid_b}"), Some(&bob))
            .await;
        g["viewer"]["membership"].is_null() && {
            let (_, r) = b
                .get_json(&format!("/api/v1/accounts/{fid_b}"), Some(&bob))
                .await;
            r["group"] == true
        }
    })
    .await;
    let roubaix_row = b.state.pool().clone();
    let fid_b_num: i64 = fid_b.parse().unwrap();
    let roubaix_num: i64 = roubaix.parse().unwrap();
    eventually("the section follows the federation", || async {
        coopol::db::social::follows(&roubaix_row, roubaix_num, fid_b_num)
            .await
            .unwrap()
    })
    .await;
    let (status, body) = a
        .post_json(
            &format!("{API}/groups/{fid_a}/posts"),
            Some(&sec),
            &json!({"status": "Consigne à toutes les sections : tractage le 1er mai", "audience": "members"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    eventually(
        "the section's members on B receive the federation's announcement",
        || async { has(&home(&b, &bob).await, "tractage le 1er mai") },
    )
    .await;
    assert!(!has(&home(&b, &dave).await, "tractage"));
    assert!(!has(&home(&c, &carol).await, "tractage"));

    a.stop().await;
    b.stop().await;
    c.stop().await;
}
