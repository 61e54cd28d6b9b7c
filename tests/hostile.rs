//! A hostile remote server attacks the circles: each test replays one way a server without an
//! account here tried to read a closed circle, forge a member's post, delete a local post or
//! widen an audience (issue 23's findings), with its siblings, and checks that nothing of a
//! closed circle reaches anyone outside it. Each test also shows, with a control, that the same
//! path works for what is allowed, so that it cannot pass by doing nothing.
//!
//! The rules these tests check are in docs/SECURITY.md; each test names its rule.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, make_follow, outbox_drained, spawn_app, urlencode};
use coopol::federation::signatures::SigningKey;
use hostile::Hostile;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};
use url::Url;

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const API: &str = "/api/coopol/v1";

/// Creates a local group as `token`'s owner; returns its actor id.
async fn group(app: &TestApp, token: &str, name: &str, join_mode: &str) -> String {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups"),
            Some(token),
            &json!({"name": name, "display_name": format!("Section {name}"), "kind": "section",
                    "postcode": "64000", "join_mode": join_mode}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["uri"].as_str().unwrap().to_string()
}

/// Posts in a local group's circle; returns (id, uri).
async fn group_post(
    app: &TestApp,
    token: &str,
    group: &str,
    audience: &str,
    text: &str,
) -> (String, String) {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{group}/posts"),
            Some(token),
            &json!({"status": text, "audience": audience}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["uri"].as_str().unwrap().to_string(),
    )
}

/// Posts with the Mastodon API; returns (id, uri).
async fn toot(app: &TestApp, token: &str, text: &str, visibility: &str) -> (String, String) {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": visibility}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["uri"].as_str().unwrap().to_string(),
    )
}

async fn account_id(app: &TestApp, uri: &str) -> i64 {
    coopol::db::accounts::by_uri(app.state.pool(), uri)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{uri} is not stored"))
        .id
}

async fn texts(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let (_, body) = app.get_json(path, token).await;
    body.to_string()
}

async fn is_tombstoned(app: &TestApp, uri: &str) -> bool {
    coopol::db::statuses::is_tombstoned(app.state.pool(), uri)
        .await
        .unwrap()
}

async fn placements(app: &TestApp, group_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM group_posts WHERE group_id = $1")
        .bind(group_id)
        .fetch_one(app.state.pool())
        .await
        .unwrap()
}

/// A hostile group with one local follower (so that what it announces concerns this server):
/// (the group's id there, its local id, the follower's token).
async fn foreign_group_with_a_follower(app: &TestApp, h: &Hostile) -> (String, i64, String) {
    let foreign = h.actor("foreign", "Group");
    let row = h.introduce(app, &foreign).await;
    assert_eq!(row.actor_type, "Group");
    let (bob, bob_token) = app.user_with_token("bob", "read write follow").await;
    make_follow(
        app,
        bob,
        row.id,
        &app.url("/users/bob#follows/foreign"),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    (foreign, row.id, bob_token)
}

/// Rule T3. A remote person follows a section (accepted at once, as anyone may follow a
/// group), then says it is a group: a group follower of a section is an affiliated section,
/// which members-only posts reach. The type it had when its follow was decided stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_that_turns_into_a_group_gets_no_members_only_post() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let section = group(&app, &token, "lille", "open").await;
    let mallory = h.actor("mallory", "Person");
    let follow = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": mallory,
                        "object": section});
    let (state, error) = h.deliver_processed(&app, &mallory, &follow).await;
    assert_eq!(state, "done", "{error:?}");
    let mallory_id = account_id(&app, &mallory).await;
    let section_id = account_id(&app, &section).await;
    assert!(
        coopol::db::social::follows(app.state.pool(), mallory_id, section_id)
            .await
            .unwrap()
    );

    // The Update that turns it into a group is refused, and so is a refetch of its document.
    h.actor("mallory", "Group");
    let update = json!({"id": h.url("/updates/1"), "type": "Update", "actor": mallory,
                        "object": h.actor_doc("mallory", "Group")});
    let (state, error) = h.deliver_processed(&app, &mallory, &update).await;
    assert_eq!(state, "failed", "the type change was applied");
    assert!(error.unwrap_or_default().contains("group"));
    {
        use activitypub_federation::fetch::object_id::ObjectId;
        let refetch =
            ObjectId::<coopol::federation::objects::ApAccount>::from(Url::parse(&mallory).unwrap())
                .dereference_forced(&coopol::federation::data(&app.state))
                .await;
        assert!(refetch.is_err(), "a refetch turned a person into a group");
    }
    let row = coopol::db::accounts::by_uri(app.state.pool(), &mallory)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.actor_type, "Person");
    // Nor may it pass for a server's own actor, which reads for the server's members.
    let update = json!({"id": h.url("/updates/2"), "type": "Update", "actor": mallory,
                        "object": h.actor_doc("mallory", "Application")});
    let (state, _) = h.deliver_processed(&app, &mallory, &update).await;
    assert_eq!(state, "failed", "a person became an instance actor");

    // A members-only post never reaches it; a public one does (the control).
    group_post(&app, &token, "lille", "members", "Bureau secret du mardi").await;
    let (_, public) = group_post(&app, &token, "lille", "public", "Tractage samedi").await;
    eventually("the public post is announced to the follower", || async {
        h.delivered_text().contains(&public)
    })
    .await;
    outbox_drained(&app).await;
    assert!(
        !h.delivered_text().contains("Bureau secret"),
        "{}",
        h.delivered_text()
    );

    // A real group asking to follow is an affiliation request: pending, and nothing
    // members-only reaches it either.
    let other = h.actor("federation", "Group");
    let follow = json!({"id": h.url("/follows/2"), "type": "Follow", "actor": other,
                        "object": section});
    h.deliver_processed(&app, &other, &follow).await;
    let other_id = account_id(&app, &other).await;
    let pending = coopol::db::social::follow(app.state.pool(), other_id, section_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.state, coopol::domain::FollowState::Pending);
    group_post(&app, &token, "lille", "members", "Second secret").await;
    outbox_drained(&app).await;
    assert!(!h.delivered_text().contains("Second secret"));
    app.stop().await;
}

/// Rules T4 and T5. A foreign group with a local follower announces a local members-only
/// post as public (by id, embedded, and inside a Create): it appears nowhere, for nobody.
/// The control: a post of the group's own server written in the group is placed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_group_cannot_take_a_closed_post_into_its_circles() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (secretaire, token) = app.user_with_token("secretaire", "read write follow").await;
    let _ = secretaire;
    group(&app, &token, "lille", "approval").await;
    let (secret_id, secret_uri) =
        group_post(&app, &token, "lille", "members", "Bureau secret du mardi").await;
    let (foreign, foreign_id, bob_token) = foreign_group_with_a_follower(&app, &h).await;
    let author = app.url("/users/secretaire");

    let embedded = json!({"id": secret_uri, "type": "Note", "attributedTo": author,
                          "content": "Bureau secret du mardi", "to": [PUBLIC],
                          "audience": foreign});
    let announces = [
        json!(secret_uri),
        embedded.clone(),
        json!({"id": format!("{secret_uri}/activity"), "type": "Create", "actor": author,
               "object": embedded}),
    ];
    for (n, object) in announces.into_iter().enumerate() {
        let announce = json!({"id": h.url(&format!("/announces/{n}")), "type": "Announce",
                              "actor": foreign, "object": object, "to": [PUBLIC],
                              "cc": [format!("{foreign}/followers")]});
        h.deliver_processed(&app, &foreign, &announce).await;
    }
    assert_eq!(placements(&app, foreign_id).await, 0);
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{secret_id}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{secret_id}"), Some(&bob_token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let handle = format!("foreign@{}", h.host);
    for token in [None, Some(bob_token.as_str())] {
        let timeline = texts(&app, &format!("{API}/groups/{handle}/timeline"), token).await;
        assert!(!timeline.contains("secret"), "{timeline}");
    }
    let home = texts(&app, "/api/v1/timelines/home", Some(&bob_token)).await;
    assert!(!home.contains("secret"), "{home}");
    // Nor on the web pages (the post's, the foreign group's), nor found by its address.
    for path in [
        format!("/@secretaire/{secret_id}"),
        format!("/@{handle}"),
        format!("/api/v2/search?q={}", urlencode(&secret_uri)),
    ] {
        let page = app.client.get(app.url(&path)).send().await.unwrap();
        let text = page.text().await.unwrap();
        assert!(!text.contains("Bureau secret"), "{path}: {text}");
    }
    let found = texts(
        &app,
        &format!("/api/v2/search?q={}", urlencode(&secret_uri)),
        Some(&bob_token),
    )
    .await;
    assert!(!found.contains("Bureau secret"), "{found}");

    // The control: a post of the group's server, written in the group, is placed and read.
    let alice = h.actor("alice", "Person");
    let note = json!({"id": h.url("/notes/1"), "type": "Note", "attributedTo": alice,
                      "content": "Débat public", "to": [PUBLIC, foreign], "audience": foreign,
                      "published": "2026-12-01T10:00:00Z"});
    let announce = json!({"id": h.url("/announces/ok"), "type": "Announce", "actor": foreign,
                          "object": note, "to": [PUBLIC]});
    let (state, error) = h.deliver_processed(&app, &foreign, &announce).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(placements(&app, foreign_id).await, 1);
    let timeline = texts(&app, &format!("{API}/groups/{handle}/timeline"), None).await;
    assert!(timeline.contains("Débat public"), "{timeline}");
    app.stop().await;
}

/// Rule T6. A foreign group announces a local public post (allowed: it is public), then
/// deletes it, by `Delete` and by `Announce(Delete)`: the post stays its author's. Deletions
/// of ids unknown here leave no tombstone that would refuse a future post. The control: a
/// post written in the group, from its server, is deleted by the group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_group_removes_only_its_own_placement() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let (post_id, post_uri) = toot(&app, &token, "Appel au rassemblement", "public").await;
    let (foreign, foreign_id, _) = foreign_group_with_a_follower(&app, &h).await;
    let announce = json!({"id": h.url("/announces/1"), "type": "Announce", "actor": foreign,
                          "object": post_uri, "to": [PUBLIC]});
    h.deliver_processed(&app, &foreign, &announce).await;
    assert_eq!(
        placements(&app, foreign_id).await,
        1,
        "a public post may be shared"
    );

    let delete = json!({"id": h.url("/deletes/1"), "type": "Delete", "actor": foreign,
                        "object": post_uri});
    h.deliver_processed(&app, &foreign, &delete).await;
    let wrapped = json!({"id": h.url("/announces/2"), "type": "Announce", "actor": foreign,
                         "object": {"id": h.url("/deletes/2"), "type": "Delete",
                                    "actor": foreign, "object": post_uri}});
    h.deliver_processed(&app, &foreign, &wrapped).await;
    let (status, body) = app
        .get_json(&format!("/api/v1/statuses/{post_id}"), Some(&token))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the group deleted a local post: {body}"
    );
    assert_eq!(placements(&app, foreign_id).await, 0, "the placement stays");

    // Ids unknown here: a future local post, a post of a third server.
    let future_local = app.url("/users/secretaire/statuses/99999999999");
    let third = "http://localhost:9/notes/tomorrow";
    for (n, uri) in [future_local.as_str(), third].into_iter().enumerate() {
        let delete = json!({"id": h.url(&format!("/deletes/u{n}")), "type": "Delete",
                            "actor": foreign, "object": uri});
        h.deliver_processed(&app, &foreign, &delete).await;
        // An Undo of a "boost" with that id, from a person.
        let mallory = h.actor("mallory", "Person");
        let undo = json!({"id": h.url(&format!("/undos/{n}")), "type": "Undo", "actor": mallory,
                          "object": {"id": uri, "type": "Announce", "actor": mallory}});
        h.deliver_processed(&app, &mallory, &undo).await;
        assert!(
            !is_tombstoned(&app, uri).await,
            "{uri} was refused in advance"
        );
    }

    // The control: the group deletes a post written in it on its own server.
    let alice = h.actor("alice", "Person");
    let note = json!({"id": h.url("/notes/2"), "type": "Note", "attributedTo": alice,
                      "content": "Message hors charte", "to": [PUBLIC, foreign],
                      "audience": foreign});
    let announce = json!({"id": h.url("/announces/3"), "type": "Announce", "actor": foreign,
                          "object": note, "to": [PUBLIC]});
    h.deliver_processed(&app, &foreign, &announce).await;
    assert!(
        coopol::db::statuses::by_uri(app.state.pool(), &h.url("/notes/2"))
            .await
            .unwrap()
            .is_some()
    );
    let delete = json!({"id": h.url("/deletes/3"), "type": "Delete", "actor": foreign,
                        "object": h.url("/notes/2")});
    let (state, error) = h.deliver_processed(&app, &foreign, &delete).await;
    assert_eq!(state, "done", "{error:?}");
    assert!(
        coopol::db::statuses::by_uri(app.state.pool(), &h.url("/notes/2"))
            .await
            .unwrap()
            .is_none(),
        "the group's own removal was not applied"
    );
    assert!(is_tombstoned(&app, &h.url("/notes/2")).await);

    // A post of a third server written in the group (its audience): removed here, but not
    // refused for good, which only its own server may decide.
    let third = Hostile::start().await;
    let carol = third.actor("carol", "Person");
    let note = json!({"id": third.url("/notes/1"), "type": "Note", "attributedTo": carol,
                      "content": "Avis extérieur", "to": [PUBLIC, foreign],
                      "cc": [app.url("/users/secretaire")], "audience": foreign});
    let create = json!({"id": third.url("/creates/1"), "type": "Create", "actor": carol,
                        "object": note});
    let (state, error) = third.deliver_processed(&app, &carol, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let delete = json!({"id": h.url("/deletes/4"), "type": "Delete", "actor": foreign,
                        "object": third.url("/notes/1")});
    h.deliver_processed(&app, &foreign, &delete).await;
    assert!(
        coopol::db::statuses::by_uri(app.state.pool(), &third.url("/notes/1"))
            .await
            .unwrap()
            .is_none(),
        "the group's removal of a post written in it was not applied"
    );
    assert!(!is_tombstoned(&app, &third.url("/notes/1")).await);
    app.stop().await;
}

/// Rule T4. Forged posts: a foreign group announces an embedded note with one of our ids and
/// a local member as author, or a note of a third server vouched by its `audience`; a person
/// creates a note with one of our ids; an actor updates a local account. Nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_forges_a_post_or_an_account_of_ours() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (secretaire, token) = app.user_with_token("secretaire", "read write follow").await;
    let (foreign, foreign_id, bob_token) = foreign_group_with_a_follower(&app, &h).await;
    let author = app.url("/users/secretaire");
    let ours = app.url("/users/secretaire/statuses/4242");
    let third = "http://localhost:9/notes/1";
    for (n, (id, attributed)) in [
        (ours.as_str(), author.as_str()),
        (third, "http://localhost:9/users/x"),
    ]
    .into_iter()
    .enumerate()
    {
        let forged = json!({"id": id, "type": "Note", "attributedTo": attributed,
                            "content": "Je quitte le parti", "to": [PUBLIC],
                            "audience": foreign});
        let announce = json!({"id": h.url(&format!("/announces/{n}")), "type": "Announce",
                              "actor": foreign, "object": forged, "to": [PUBLIC]});
        h.deliver_processed(&app, &foreign, &announce).await;
        assert!(
            coopol::db::statuses::by_uri(app.state.pool(), id)
                .await
                .unwrap()
                .is_none(),
            "{id} was stored from a copy"
        );
    }
    let mallory = h.actor("mallory", "Person");
    let create = json!({"id": h.url("/creates/1"), "type": "Create", "actor": mallory,
                        "object": {"id": ours, "type": "Note", "attributedTo": mallory,
                                   "content": "Je quitte le parti", "to": [PUBLIC]}});
    h.deliver_processed(&app, &mallory, &create).await;
    let update = json!({"id": h.url("/updates/1"), "type": "Update", "actor": mallory,
                        "object": {"id": author, "type": "Person", "inbox": h.url("/inbox"),
                                   "name": "Traître", "publicKey": {"id": format!("{author}#main-key"),
                                   "owner": author, "publicKeyPem": "x"}}});
    h.deliver_processed(&app, &mallory, &update).await;
    let statuses = texts(
        &app,
        &format!("/api/v1/accounts/{secretaire}/statuses"),
        Some(&bob_token),
    )
    .await;
    assert!(!statuses.contains("quitte"), "{statuses}");
    let (_, me) = app
        .get_json("/api/v1/accounts/verify_credentials", Some(&token))
        .await;
    assert_ne!(me["display_name"], "Traître");
    assert_eq!(placements(&app, foreign_id).await, 0);
    // An actor's collections are on its own server: a followers collection named here (a
    // group's members) is not kept, so its posts cannot read as addressed to it.
    let mut eve = h.actor_doc("eve", "Person");
    eve["followers"] = json!(app.url("/users/pau/members"));
    eve["following"] = json!(app.url("/users/pau/followers"));
    h.serve("/users/eve", eve);
    let eve = h.introduce(&app, &h.url("/users/eve")).await;
    assert_eq!(eve.followers_url, None);
    assert_eq!(eve.following_url, None);
    app.stop().await;
}

/// Rules T7 and T8. Our instance signs a GET to a hostile server (a search that resolves a
/// URL); the hostile server replays those headers to another coopol instance, with the path of
/// a members-only post there and its own Host. The other instance must not answer with the
/// post. The control: the same instance actor, signing for the right host, reads it (its
/// server has a member); a person of that server who is not a member does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_get_replayed_to_another_host_reads_nothing() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let h = Hostile::start().await;
    let (_, sec) = b.user_with_token("secretaire", "read write follow").await;
    group(&b, &sec, "pau", "open").await;
    let (_, ana) = a.user_with_token("ana", "read write follow").await;
    let (status, found) = a
        .get_json(&format!("{API}/groups/pau@{}", b.domain), Some(&ana))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let remote_id = found["id"].as_str().unwrap().to_string();
    let (status, body) = a
        .post_json(
            &format!("{API}/groups/{remote_id}/join"),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let pau = account_id(&b, &b.url("/users/pau")).await;
    eventually("ana is a member on B", || async {
        coopol::db::groups::domain_has_member(b.state.pool(), pau, &a.domain)
            .await
            .unwrap()
    })
    .await;
    let (_, secret_uri) = group_post(&b, &sec, "pau", "members", "Liste des adhérents").await;
    let path = Url::parse(&secret_uri).unwrap().path().to_string();

    // A searches the hostile server's URL with the same path: it signs a GET to it.
    h.serve(&path, json!({}));
    let (_, _) = a
        .get_json(
            &format!("/api/v2/search?resolve=true&q={}", urlencode(&h.url(&path))),
            Some(&ana),
        )
        .await;
    let captured = h
        .received()
        .into_iter()
        .find(|r| {
            r.method == reqwest::Method::GET
                && r.path == path
                && r.headers.contains_key("signature")
        })
        .expect("A signed a GET to the hostile server");
    let replay = |target: String, host: String| {
        let mut req = b.client.get(target);
        for (name, value) in &captured.headers {
            if name != header::HOST && name != header::CONTENT_LENGTH {
                req = req.header(name, value);
            }
        }
        req.header(header::HOST, host)
    };
    // The replayed request really carries the hostile Host (checked on the hostile server).
    let echo = replay(h.url("/echo"), h.host.clone()).send().await.unwrap();
    assert_eq!(echo.status(), StatusCode::NOT_FOUND);
    let echoed = h
        .received()
        .into_iter()
        .find(|r| r.path == "/echo")
        .unwrap();
    assert_eq!(echoed.headers[header::HOST], h.host.as_str());
    let res = replay(b.url(&path), h.host.clone()).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert!(
        status == StatusCode::UNAUTHORIZED || status == StatusCode::NOT_FOUND,
        "the replay answered {status}: {text}"
    );
    assert!(!text.contains("adhérents"));

    // The control: A's instance actor, signing for B, reads it (its server has a member).
    let instance = coopol::db::accounts::instance_actor(a.state.pool())
        .await
        .unwrap()
        .unwrap();
    let (status, note) = signed_get(&b, &instance, &secret_uri).await;
    assert_eq!(status, StatusCode::OK, "{note}");
    assert!(note.to_string().contains("adhérents"));
    // A person of A who is not a member reads nothing.
    let (eve, _) = a.user_with_token("eve", "read").await;
    let eve = coopol::db::accounts::by_id(a.state.pool(), eve)
        .await
        .unwrap()
        .unwrap();
    let (status, note) = signed_get(&b, &eve, &secret_uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{note}");
    a.stop().await;
    b.stop().await;
}

/// A GET of `url` on `app`, signed with a local account of another instance.
async fn signed_get(
    app: &TestApp,
    signer: &coopol::db::accounts::AccountRow,
    url: &str,
) -> (StatusCode, Value) {
    let key = SigningKey::from_pem(
        format!("{}#main-key", signer.uri),
        signer.private_key_pem.as_deref().unwrap(),
    )
    .unwrap();
    let target = Url::parse(url).unwrap();
    let mut req = app
        .client
        .get(target.clone())
        .header(header::ACCEPT, "application/activity+json");
    for (k, v) in key.sign(&reqwest::Method::GET, &target, None).unwrap() {
        req = req.header(k, v);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Rule T9. A person of another server who is not a member sends `Join` of a members-only
/// event: nothing is recorded and nothing answers it. Someone who took part and is no longer
/// in the circle gets no `Update` of it. The control: the same Join of a public event is
/// accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_event_is_joined_and_updated_only_inside_its_circle() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    group(&app, &token, "pau", "approval").await;
    let start = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%dT18:00")
        .to_string();
    let end = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%dT20:00")
        .to_string();
    let event = |name: &str, audience: &str| {
        json!({"name": name, "group": "pau", "audience": audience, "start_time": start,
               "end_time": end, "place_name": "Local secret", "street": "3 rue Cachée",
               "postcode": "64000"})
    };
    let (status, secret) = app
        .post_json(
            &format!("{API}/events"),
            Some(&token),
            &event("Bureau", "members"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{secret}");
    let (status, public) = app
        .post_json(
            &format!("{API}/events"),
            Some(&token),
            &event("Tractage", "public"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{public}");
    let mallory = h.actor("mallory", "Person");
    for (n, e) in [&secret, &public].into_iter().enumerate() {
        let join = json!({"id": h.url(&format!("/joins/{n}")), "type": "Join",
                          "actor": mallory, "object": e["uri"]});
        h.deliver_processed(&app, &mallory, &join).await;
    }
    let mallory_id = account_id(&app, &mallory).await;
    let secret_id: i64 = secret["id"].as_str().unwrap().parse().unwrap();
    let public_id: i64 = public["id"].as_str().unwrap().parse().unwrap();
    assert!(
        coopol::db::events::participant(app.state.pool(), secret_id, mallory_id)
            .await
            .unwrap()
            .is_none(),
        "a non-member joined a members-only event"
    );
    assert!(
        coopol::db::events::participant(app.state.pool(), public_id, mallory_id)
            .await
            .unwrap()
            .is_some(),
        "the control: a public event is joined"
    );

    // Someone recorded as taking part (they were a member then) gets no Update now.
    let mut conn = app.state.pool().acquire().await.unwrap();
    coopol::db::events::upsert_participant(
        &mut conn,
        secret_id,
        mallory_id,
        coopol::domain::event::ParticipationState::Accepted,
        "",
        None,
        coopol::clock::now(),
    )
    .await
    .unwrap();
    drop(conn);
    for (id, name) in [
        (secret_id, "Bureau modifié"),
        (public_id, "Tractage modifié"),
    ] {
        let res = app
            .client
            .put(app.url(&format!("{API}/events/{id}")))
            .bearer_auth(&token)
            .json(&json!({"name": name, "start_time": start, "end_time": end}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    eventually(
        "the public event's update reaches its participant",
        || async { h.delivered_text().contains("Tractage modifié") },
    )
    .await;
    outbox_drained(&app).await;
    let delivered = h.delivered_text();
    assert!(!delivered.contains("Bureau"), "{delivered}");
    assert!(
        !delivered.contains(secret["uri"].as_str().unwrap()),
        "{delivered}"
    );
    // Nor does the group's public agenda show it.
    let feed = app
        .client
        .get(app.url("/groups/pau/calendar.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    let feed = feed.text().await.unwrap();
    assert!(
        feed.contains("Tractage") && !feed.contains("Bureau"),
        "{feed}"
    );
    app.stop().await;
}

/// Rule T10. Editing a closed post to name someone outside its circle does not let them in:
/// not in a group's members circle (no notification, no home, no read), not in a direct
/// message (refused with a clear error), not from another server (an `Update` naming someone
/// new). The control: a new post naming them does notify them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_never_widens_the_audience() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    group(&app, &token, "pau", "approval").await;
    let (secret_id, _) = group_post(&app, &token, "pau", "members", "Ordre du jour").await;
    let edit = |id: String, text: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = app
                .client
                .put(app.url(&format!("/api/v1/statuses/{id}")))
                .bearer_auth(&token)
                .json(&json!({"status": text}))
                .send()
                .await
                .unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = edit(secret_id.clone(), "Ordre du jour, cc @bob").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (dm_id, _) = toot(&app, &token, "@carol rendez-vous", "direct").await;
    let (status, body) = edit(dm_id.clone(), "@carol @bob rendez-vous").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for id in [&secret_id, &dm_id] {
        let (status, _) = app
            .get_json(&format!("/api/v1/statuses/{id}"), Some(&bob))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{dm_id}"), Some(&carol))
        .await;
    assert_eq!(status, StatusCode::OK);

    // From another server: a followers-only post that carol's follow brought here, edited to
    // name bob.
    let mallory = h.actor("mallory", "Person");
    let mallory_row = h.introduce(&app, &mallory).await;
    let carol_id = account_id(&app, &app.url("/users/carol")).await;
    make_follow(
        &app,
        carol_id,
        mallory_row.id,
        &app.url("/users/carol#follows/m"),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let note = |content: &str, mention: bool, updated: Option<&str>| {
        let mut n = json!({"id": h.url("/notes/1"), "type": "Note", "attributedTo": mallory,
                           "content": content, "to": [format!("{mallory}/followers")],
                           "published": "2026-12-01T10:00:00Z"});
        if mention {
            n["cc"] = json!([app.url("/users/bob")]);
            n["tag"] = json!([{"type": "Mention", "href": app.url("/users/bob"),
                               "name": format!("@bob@{}", app.domain)}]);
        }
        if let Some(u) = updated {
            n["updated"] = json!(u);
        }
        n
    };
    let create = json!({"id": h.url("/creates/1"), "type": "Create", "actor": mallory,
                        "object": note("Entre nous", false, None)});
    h.deliver_processed(&app, &mallory, &create).await;
    let update = json!({"id": h.url("/updates/1"), "type": "Update", "actor": mallory,
                        "object": note("Entre nous, et bob", true, Some("2026-12-01T11:00:00Z"))});
    let (state, error) = h.deliver_processed(&app, &mallory, &update).await;
    assert_eq!(state, "done", "{error:?}");
    let stored = coopol::db::statuses::by_uri(app.state.pool(), &h.url("/notes/1"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.content.contains("et bob"),
        "the edit was not applied"
    );
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{}", stored.id), Some(&bob))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let notifications = texts(&app, "/api/v1/notifications", Some(&bob)).await;
    assert_eq!(
        notifications, "[]",
        "bob was told of an edit: {notifications}"
    );
    let home = texts(&app, "/api/v1/timelines/home", Some(&bob)).await;
    assert!(
        !home.contains("Ordre du jour") && !home.contains("Entre nous"),
        "{home}"
    );

    // The control: a new post naming bob reaches him.
    let mut fresh = note("Bonjour bob", true, None);
    fresh["id"] = json!(h.url("/notes/2"));
    let create = json!({"id": h.url("/creates/2"), "type": "Create", "actor": mallory,
                        "object": fresh});
    h.deliver_processed(&app, &mallory, &create).await;
    let notifications = texts(&app, "/api/v1/notifications", Some(&bob)).await;
    assert!(notifications.contains("Bonjour bob"), "{notifications}");
    app.stop().await;
}

/// Rules P2 and P3. Who follows a section (its sympathizers) is shown to its moderators
/// only, and the sections someone follows to them only; a hashtag used only in closed
/// circles is not found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sympathizers_and_closed_hashtags_stay_hidden() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    let section = group(&app, &token, "pau", "open").await;
    let group_id = account_id(&app, &section).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{group_id}/follow"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let followers = format!("/api/v1/accounts/{group_id}/followers");
    assert_eq!(texts(&app, &followers, None).await, "[]");
    assert_eq!(texts(&app, &followers, Some(&carol)).await, "[]");
    assert!(
        texts(&app, &followers, Some(&token))
            .await
            .contains("\"bob\"")
    );
    let following = format!("/api/v1/accounts/{bob_id}/following");
    assert_eq!(texts(&app, &following, None).await, "[]");
    assert!(
        texts(&app, &following, Some(&bob))
            .await
            .contains("\"pau\"")
    );

    group_post(&app, &token, "pau", "members", "Plan #strategieinterne").await;
    toot(&app, &token, "Venez #tractagepublic", "public").await;
    let search = |q: &'static str| {
        let app = &app;
        async move { texts(app, &format!("/api/v2/search?type=hashtags&q={q}"), None).await }
    };
    assert!(!search("strategie").await.contains("strategieinterne"));
    assert!(search("tractage").await.contains("tractagepublic"));
    app.stop().await;
}

/// Creates a local federation as `token`'s owner; returns its actor id.
async fn federation(app: &TestApp, token: &str, name: &str) -> String {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups"),
            Some(token),
            &json!({"name": name, "display_name": format!("Fédération {name}"),
                    "kind": "federation", "departement": "64", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["uri"].as_str().unwrap().to_string()
}

/// The id of the first activity of `kind` the hostile server received.
async fn received_id(h: &Hostile, kind: &str) -> String {
    eventually(&format!("a {kind} reaches the hostile server"), || async {
        h.received().iter().any(|r| r.json()["type"] == kind)
    })
    .await;
    h.received()
        .into_iter()
        .find(|r| r.json()["type"] == kind)
        .unwrap()
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Rule T3. A section of ours affiliates with a federation elsewhere, which follows it back:
/// the follow-back is accepted at once (a federation sees its sections' public activity), and
/// gives the federation nothing closed. Only an approved affiliation does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_back_between_groups_is_no_affiliation() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let section = group(&app, &token, "pau", "approval").await;
    let fede = h.actor("fede", "Group");
    let fede_id = h.introduce(&app, &fede).await.id;
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/pau/affiliate"),
            Some(&token),
            &json!({"federation": fede_id.to_string()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let follow_id = received_id(&h, "Follow").await;
    let accept = json!({"id": h.url("/accepts/1"), "type": "Accept", "actor": fede,
                        "object": {"id": follow_id, "type": "Follow",
                                   "actor": section, "object": fede}});
    let (state, error) = h.deliver_processed(&app, &fede, &accept).await;
    assert_eq!(state, "done", "{error:?}");
    let follow_back = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": fede,
                             "object": section});
    h.deliver_processed(&app, &fede, &follow_back).await;
    let section_id = account_id(&app, &section).await;
    let back = coopol::db::social::follow(app.state.pool(), fede_id, section_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        back.state,
        coopol::domain::FollowState::Accepted,
        "the follow-back waits"
    );

    group_post(
        &app,
        &token,
        "pau",
        "members",
        "Bureau secret de la section",
    )
    .await;
    let (_, public) = group_post(&app, &token, "pau", "public", "Tractage samedi").await;
    eventually("the public post reaches the federation", || async {
        h.delivered_text().contains(&public)
    })
    .await;
    outbox_drained(&app).await;
    assert!(
        !h.delivered_text().contains("Bureau secret"),
        "{}",
        h.delivered_text()
    );
    app.stop().await;
}

/// Rules T3 and T5. A section elsewhere affiliated with a federation of ours receives the
/// federation's members-only posts (the control), but what it announces in its own members
/// circle stays its own: the federation of ours, which follows it back, does not take it into
/// its members circle (nor pass it on to its own members and sections).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_section_elsewhere_cannot_write_into_a_federations_circle() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let fede = federation(&app, &token, "fede").await;
    let fede_id = account_id(&app, &fede).await;
    let section = h.actor("section", "Group");
    let follow = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": section,
                        "object": fede});
    h.deliver_processed(&app, &section, &follow).await;
    let section_id = account_id(&app, &section).await;
    let pending = coopol::db::social::follow(app.state.pool(), section_id, fede_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        pending.state,
        coopol::domain::FollowState::Pending,
        "an affiliation waits for the administrators"
    );
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/fede/affiliations/{section_id}/approve"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let follow_back = received_id(&h, "Follow").await;
    let accept = json!({"id": h.url("/accepts/1"), "type": "Accept", "actor": section,
                        "object": {"id": follow_back, "type": "Follow",
                                   "actor": fede, "object": section}});
    let (state, error) = h.deliver_processed(&app, &section, &accept).await;
    assert_eq!(state, "done", "{error:?}");

    // The control: the federation's members-only post reaches its approved section.
    group_post(&app, &token, "fede", "members", "Consigne fédérale").await;
    eventually(
        "the federation's members-only post reaches its section",
        || async { h.delivered_text().contains("Consigne fédérale") },
    )
    .await;

    // The section announces a members-only post of its own.
    let alice = h.actor("alice", "Person");
    let note = json!({"id": h.url("/notes/1"), "type": "Note", "attributedTo": alice,
                      "content": "Nos adhérents seulement", "audience": section,
                      "circle": "members", "to": [format!("{section}/members")]});
    let announce = json!({"id": h.url("/announces/1"), "type": "Announce", "actor": section,
                          "object": note, "to": [format!("{section}/members")]});
    let (state, error) = h.deliver_processed(&app, &section, &announce).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(
        placements(&app, fede_id).await,
        1,
        "only the federation's own post"
    );
    let home = texts(&app, "/api/v1/timelines/home", Some(&token)).await;
    assert!(!home.contains("Nos adhérents"), "{home}");
    let timeline = texts(&app, &format!("{API}/groups/fede/timeline"), Some(&token)).await;
    assert!(!timeline.contains("Nos adhérents"), "{timeline}");
    app.stop().await;
}

/// Rule T12. An answer to a closed circle's post stays in that circle: a sympathizer who may
/// read but not write there is refused (with a clear error) instead of answering in public; a
/// public answer from another server is not linked to it (it would name the closed post and
/// its author); and a thread shown to someone stops at what they may not see, so an answer
/// linked before this rule does not show through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_never_carries_a_closed_post_out_of_its_circle() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let section = group(&app, &token, "pau", "approval").await;
    let group_id = account_id(&app, &section).await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{group_id}/follow"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (sym_id, _) = group_post(
        &app,
        &token,
        "pau",
        "sympathizers",
        "Pour nos sympathisants",
    )
    .await;
    let (status, _) = app
        .get_json(&format!("/api/v1/statuses/{sym_id}"), Some(&bob))
        .await;
    assert_eq!(status, StatusCode::OK, "a sympathizer reads the circle");
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob),
            &json!({"status": "Je relaie", "in_reply_to_id": sym_id, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("in_reply_to_id"), "{body}");

    // From another server: a public answer to a members-only post, addressed to the group.
    let (secret_id, secret_uri) = group_post(&app, &token, "pau", "members", "Bureau secret").await;
    let mallory = h.actor("mallory", "Person");
    let create = json!({"id": h.url("/creates/1"), "type": "Create", "actor": mallory,
                        "object": {"id": h.url("/notes/1"), "type": "Note",
                                   "attributedTo": mallory, "inReplyTo": secret_uri,
                                   "content": "Je réponds", "to": [PUBLIC, section],
                                   "audience": section}});
    let (state, error) = h.deliver_processed(&app, &mallory, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let answer = coopol::db::statuses::by_uri(app.state.pool(), &h.url("/notes/1"))
        .await
        .unwrap()
        .expect("the answer is stored");
    let (status, shown) = app
        .get_json(&format!("/api/v1/statuses/{}", answer.id), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown["in_reply_to_id"].is_null(), "{shown}");
    assert!(shown["in_reply_to_account_id"].is_null(), "{shown}");
    assert_eq!(answer.group_id, None, "the group did not take it in");
    let context = texts(
        &app,
        &format!("/api/v1/statuses/{secret_id}/context"),
        Some(&token),
    )
    .await;
    assert!(!context.contains("Je réponds"), "{context}");

    // A public answer linked to a closed one (as could be written before this rule) does not
    // show in the public thread above them.
    let (public_id, _) = group_post(&app, &token, "pau", "public", "Réunion publique").await;
    let (closed_id, closed_uri) = {
        let (status, body) = app
            .post_json(
                &format!("{API}/groups/pau/posts"),
                Some(&token),
                &json!({"status": "Entre membres", "audience": "members",
                        "in_reply_to_id": public_id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["id"].as_str().unwrap().to_string(),
            body["uri"].as_str().unwrap().to_string(),
        )
    };
    let (leak_id, _) = toot(&app, &bob, "Réponse publique à un message fermé", "public").await;
    sqlx::query("UPDATE statuses SET in_reply_to_id = $1, in_reply_to_uri = $2 WHERE id = $3")
        .bind(closed_id.parse::<i64>().unwrap())
        .bind(&closed_uri)
        .bind(leak_id.parse::<i64>().unwrap())
        .execute(app.state.pool())
        .await
        .unwrap();
    let context = texts(&app, &format!("/api/v1/statuses/{public_id}/context"), None).await;
    assert!(
        !context.contains("Entre membres") && !context.contains("Réponse publique"),
        "{context}"
    );
    let context = texts(
        &app,
        &format!("/api/v1/statuses/{public_id}/context"),
        Some(&token),
    )
    .await;
    assert!(
        context.contains("Entre membres"),
        "the control: a member sees the thread"
    );
    app.stop().await;
}

/// Rule T5. An event from another server that names a local group as its audience is not the
/// group's event: it is not on the group's agenda, nor in its calendar feed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_from_elsewhere_is_no_groups_event() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let section = group(&app, &token, "pau", "open").await;
    let mallory = h.actor("mallory", "Person");
    let start = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let create = json!({"id": h.url("/creates/1"), "type": "Create", "actor": mallory,
                        "object": {"id": h.url("/events/1"), "type": "Event",
                                   "attributedTo": mallory, "name": "Fausse réunion",
                                   "startTime": start, "to": [PUBLIC, section],
                                   "audience": section}});
    let (state, error) = h.deliver_processed(&app, &mallory, &create).await;
    assert_eq!(state, "done", "{error:?}");
    assert!(
        coopol::db::statuses::by_uri(app.state.pool(), &h.url("/events/1"))
            .await
            .unwrap()
            .is_some(),
        "the event is stored (it is public, and addressed here)"
    );
    let agenda = texts(&app, &format!("{API}/events?group=pau"), None).await;
    assert!(!agenda.contains("Fausse réunion"), "{agenda}");
    let feed = app
        .client
        .get(app.url("/groups/pau/calendar.ics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!feed.contains("Fausse réunion"), "{feed}");
    // The control: the group's own event is on its agenda.
    let end = (chrono::Utc::now() + chrono::Duration::days(3) + chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let begin = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (status, body) = app
        .post_json(
            &format!("{API}/events"),
            Some(&token),
            &json!({"name": "Vraie réunion", "group": "pau", "start_time": begin,
                    "end_time": end}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let agenda = texts(&app, &format!("{API}/events?group=pau"), None).await;
    assert!(agenda.contains("Vraie réunion"), "{agenda}");
    app.stop().await;
}

/// Rule P4. An account's post count and last post time (profile, API, outbox) leave out what
/// it writes in closed circles: comparing them with the posts one can see would tell that it
/// writes in one, that is, that it belongs to a group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_counts_leave_closed_circles_out() {
    let app = spawn_app().await;
    let (me, token) = app.user_with_token("secretaire", "read write follow").await;
    group(&app, &token, "pau", "approval").await;
    toot(&app, &token, "Bonjour", "public").await;
    let (_, shown) = app.get_json(&format!("/api/v1/accounts/{me}"), None).await;
    let last = shown["last_status_at"].clone();
    group_post(&app, &token, "pau", "members", "Bureau").await;
    group_post(&app, &token, "pau", "sympathizers", "Sympathisants").await;
    let (_, shown) = app.get_json(&format!("/api/v1/accounts/{me}"), None).await;
    assert_eq!(shown["statuses_count"], 1, "{shown}");
    assert_eq!(shown["last_status_at"], last, "{shown}");
    let (_, outbox) = app.get_json("/users/secretaire/outbox", None).await;
    assert_eq!(outbox["totalItems"], 1, "{outbox}");
    common::assert_numbers_match_a_recount(&app, "closed posts").await;
    app.stop().await;
}
