//! Lemmy's communities from coopol (issue 30): a community keeps no members collection, so a
//! person here joins it by following it (`Follow`, answered by `Accept` or `Reject`, left with
//! `Undo(Follow)`), and that follow is the membership; `!community@host` finds it; a like of a
//! post written in it carries `audience` and reaches the community, which counts votes; the
//! votes a community passes on (`Announce(Like)`) count only from its own server. Groups with
//! a members collection (Mobilizon, coopol) are still joined with `Join`. The peer is the
//! test's own server (`common::hostile`), serving and signing Lemmy's documents as its test
//! fixtures write them (`crates/apub/assets/lemmy/`), with their hosts changed.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, fixtures_dir, outbox_drained, spawn_app, urlencode};
use coopol::db::accounts::AccountRow;
use coopol::domain::MembershipState;
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const API: &str = "/api/coopol/v1";

/// A Lemmy fixture, its hosts replaced by the peer's; `None` (the test is skipped, with the
/// notice `fixtures_dir` prints) when the fixtures are absent.
fn lemmy(h: &Hostile, path: &str) -> Option<Value> {
    let file = fixtures_dir()?.join("activitypub/lemmy").join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    let text = [
        "https://enterprise.lemmy.ml",
        "http://enterprise.lemmy.ml",
        "http://ds9.lemmy.ml",
    ]
    .iter()
    .fold(text, |t, host| t.replace(host, &h.base));
    Some(serde_json::from_str(&text).unwrap())
}

/// Publishes a community as Lemmy serves it (`objects/group.json`) at `/c/{name}`, with the
/// peer's key, and stores it here.
async fn community(app: &TestApp, h: &Hostile, name: &str) -> Option<AccountRow> {
    let mut doc = lemmy(h, "objects/group.json")?;
    let text = doc
        .to_string()
        .replace("/c/tenforward", &format!("/c/{name}"));
    doc = serde_json::from_str(&text).unwrap();
    doc["preferredUsername"] = json!(name);
    doc["publicKey"]["publicKeyPem"] =
        h.actor_doc(name, "Group")["publicKey"]["publicKeyPem"].clone();
    h.serve(&format!("/c/{name}"), doc);
    Some(h.introduce(app, &h.url(&format!("/c/{name}"))).await)
}

/// Publishes a person as Lemmy serves one (`objects/person.json`) at `/u/{name}`.
fn person(h: &Hostile, name: &str) -> String {
    let mut doc = lemmy(h, "objects/person.json").unwrap();
    let text = doc.to_string().replace("/u/picard", &format!("/u/{name}"));
    doc = serde_json::from_str(&text).unwrap();
    doc["preferredUsername"] = json!(name);
    doc["publicKey"]["publicKeyPem"] =
        h.actor_doc(name, "Person")["publicKey"]["publicKeyPem"].clone();
    h.serve(&format!("/u/{name}"), doc);
    h.url(&format!("/u/{name}"))
}

/// The POSTs of `kind` the peer received, with the path each went to.
fn posted(h: &Hostile, kind: &str) -> Vec<(String, Value)> {
    h.received()
        .into_iter()
        .filter(|r| r.method == reqwest::Method::POST && r.json()["type"] == kind)
        .map(|r| (r.path.clone(), r.json()))
        .collect()
}

/// The last activity of `kind` the peer received, once one has arrived.
async fn last_posted(h: &Hostile, kind: &str) -> (String, Value) {
    eventually(&format!("a {kind} reaches the peer"), || async {
        !posted(h, kind).is_empty()
    })
    .await;
    posted(h, kind).pop().unwrap()
}

/// The membership state of `account` in `group`, if any.
async fn membership(app: &TestApp, group: i64, account: i64) -> Option<MembershipState> {
    coopol::db::groups::member(app.state.pool(), group, account)
        .await
        .unwrap()
        .map(|m| m.state)
}

/// The group's answer to a follow, as Lemmy writes it (`following/accept.json`, `Reject` the
/// same shape).
fn answer(h: &Hostile, kind: &str, by: &str, follow: &Value, n: u32) -> Value {
    let mut doc = lemmy(h, "activities/following/accept.json").unwrap();
    doc["type"] = json!(kind);
    doc["id"] = json!(h.url(&format!("/activities/{}/{n}", kind.to_lowercase())));
    doc["actor"] = json!(by);
    doc["to"] = json!([follow["actor"]]);
    doc["object"]["id"] = follow["id"].clone();
    doc["object"]["actor"] = follow["actor"].clone();
    doc["object"]["object"] = follow["object"].clone();
    doc["object"]["to"] = json!([follow["object"]]);
    doc
}

/// The relationship apps see between the token's person and `id`.
async fn relationship(app: &TestApp, token: &str, id: i64) -> Value {
    let (status, rels) = app
        .get_json(
            &format!("/api/v1/accounts/relationships?id[]={id}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rels}");
    rels[0].clone()
}

async fn join(app: &TestApp, token: &str, group: i64) {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{group}/join"),
            Some(token),
            &json!({"message": "Bonjour"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lemmy_community_is_joined_by_following_it_and_left_by_undoing_the_follow() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let Some(c) = community(&app, &h, "tenforward").await else {
        return;
    };
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;
    let beta = person(&h, "lemmy_beta");

    // Joining sends a Follow of the community to its inbox, never a Join (Lemmy answers 400).
    join(&app, &ana, c.id).await;
    let (path, follow) = last_posted(&h, "Follow").await;
    assert_eq!(path, "/c/tenforward/inbox");
    assert_eq!(follow["object"], c.uri);
    assert!(posted(&h, "Join").is_empty(), "a Join was sent to Lemmy");
    assert_eq!(
        membership(&app, c.id, ana_id).await,
        Some(MembershipState::Pending)
    );
    let member = coopol::db::groups::member(app.state.pool(), c.id, ana_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        member.uri.as_deref(),
        follow["id"].as_str(),
        "the Follow's id is the membership's"
    );
    assert!(
        coopol::db::social::follow(app.state.pool(), ana_id, c.id)
            .await
            .unwrap()
            .is_none(),
        "one row records it: the membership"
    );

    // The community accepts the Follow: ana is a member.
    let accept = answer(&h, "Accept", &c.uri, &follow, 1);
    let (state, error) = h.deliver_processed(&app, &c.uri, &accept).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(
        membership(&app, c.id, ana_id).await,
        Some(MembershipState::Accepted)
    );

    // Its posts (`Announce(Create(Page))`) reach her home timeline.
    let mut announce = lemmy(&h, "activities/community/announce_create_page.json").unwrap();
    let text = announce
        .to_string()
        .replace("/c/main", "/c/tenforward")
        .replace("/u/main", "/c/tenforward");
    announce = serde_json::from_str(&text).unwrap();
    let page_uri = announce["object"]["object"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(announce["object"]["object"]["attributedTo"], beta);
    let (state, error) = h.deliver_processed(&app, &c.uri, &announce).await;
    assert_eq!(state, "done", "{error:?}");
    let (status, home) = app.get_json("/api/v1/timelines/home", Some(&ana)).await;
    assert_eq!(status, StatusCode::OK);
    let page = home
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uri"] == page_uri)
        .unwrap_or_else(|| panic!("the community's post is not in her home timeline: {home}"))
        .clone();

    // A comment on it too (`Announce(Create(Note))`).
    let mut create = lemmy(&h, "activities/create_or_update/create_comment.json").unwrap();
    let text = create
        .to_string()
        .replace("/c/main", "/c/tenforward")
        .replace("/u/lemmy_alpha", "/u/lemmy_beta");
    create = serde_json::from_str(&text).unwrap();
    create["object"]["inReplyTo"] = json!(page_uri);
    let comment_uri = create["object"]["id"].as_str().unwrap().to_string();
    let mut announce_comment = announce.clone();
    announce_comment["id"] = json!(h.url("/activities/announce/comment"));
    announce_comment["object"] = create;
    let (state, error) = h.deliver_processed(&app, &c.uri, &announce_comment).await;
    assert_eq!(state, "done", "{error:?}");
    let (_, home) = app.get_json("/api/v1/timelines/home", Some(&ana)).await;
    assert!(
        home.as_array()
            .unwrap()
            .iter()
            .any(|s| s["uri"] == comment_uri),
        "the comment is not in her home timeline: {home}"
    );

    // Her like carries the community as its audience and reaches the community's inbox (Lemmy
    // counts votes there) as well as the author's.
    let (status, body) = app
        .post_json(
            &format!(
                "/api/v1/statuses/{}/favourite",
                page["id"].as_str().unwrap()
            ),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, like) = last_posted(&h, "Like").await;
    assert_eq!(like["audience"], c.uri);
    assert_eq!(like["object"], page_uri);
    eventually("the like reaches the community and the author", || async {
        let paths: Vec<String> = posted(&h, "Like").into_iter().map(|(p, _)| p).collect();
        paths.contains(&"/c/tenforward/inbox".to_string())
            && paths.contains(&"/u/lemmy_beta/inbox".to_string())
    })
    .await;
    // Its withdrawal too.
    let (status, body) = app
        .post_json(
            &format!(
                "/api/v1/statuses/{}/unfavourite",
                page["id"].as_str().unwrap()
            ),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the Undo(Like) reaches the community", || async {
        posted(&h, "Undo").iter().any(|(p, u)| {
            p == "/c/tenforward/inbox" && u["object"]["type"] == "Like" && u["audience"] == c.uri
        })
    })
    .await;

    // Leaving sends Undo of the same Follow to the community.
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{}/leave", c.id),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    eventually("the Undo(Follow) reaches the community", || async {
        posted(&h, "Undo").iter().any(|(p, u)| {
            p == "/c/tenforward/inbox"
                && u["object"]["type"] == "Follow"
                && u["object"]["id"] == follow["id"]
                && u["object"]["object"] == c.uri
        })
    })
    .await;
    assert_eq!(membership(&app, c.id, ana_id).await, None);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_ends_the_request_and_nobody_else_can_refuse_it() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let Some(c) = community(&app, &h, "prive").await else {
        return;
    };
    let Some(other) = community(&app, &h, "autre").await else {
        return;
    };
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;
    join(&app, &ana, c.id).await;
    let (_, follow) = last_posted(&h, "Follow").await;

    // A person of the community's server, then another community, refuse ana's request: it
    // is not theirs to answer, nothing changes.
    let mallory = h.actor("mallory", "Person");
    h.introduce(&app, &mallory).await;
    for (n, stranger) in [&mallory, &other.uri].into_iter().enumerate() {
        let reject = answer(&h, "Reject", stranger, &follow, n as u32 + 10);
        h.deliver_processed(&app, stranger, &reject).await;
        assert_eq!(
            membership(&app, c.id, ana_id).await,
            Some(MembershipState::Pending),
            "{stranger} refused ana's request"
        );
    }
    // Another community's Reject naming ana and this community, without the Follow's id.
    let mut reject = answer(&h, "Reject", &other.uri, &follow, 12);
    reject["object"].as_object_mut().unwrap().remove("id");
    h.deliver_processed(&app, &other.uri, &reject).await;
    assert_eq!(
        membership(&app, c.id, ana_id).await,
        Some(MembershipState::Pending)
    );

    // The community's own Reject(Follow) (Lemmy's answer for a private community) ends it.
    let reject = answer(&h, "Reject", &c.uri, &follow, 1);
    let (state, error) = h.deliver_processed(&app, &c.uri, &reject).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(membership(&app, c.id, ana_id).await, None);
    let (status, group) = app
        .get_json(&format!("{API}/groups/{}", c.id), Some(&ana))
        .await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert!(!group.to_string().contains("pending"), "{group}");

    // A Reject found only by the embedded Follow's actor and object ends a request too.
    join(&app, &ana, c.id).await;
    eventually("a second Follow", || async {
        posted(&h, "Follow").len() == 2
    })
    .await;
    let (_, again) = last_posted(&h, "Follow").await;
    let mut reject = answer(&h, "Reject", &c.uri, &again, 2);
    reject["object"]["id"] = json!(h.url("/activities/follow/unknown"));
    let (state, error) = h.deliver_processed(&app, &c.uri, &reject).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(membership(&app, c.id, ana_id).await, None);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_a_community_and_joining_it_are_one_relationship() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let Some(c) = community(&app, &h, "tenforward").await else {
        return;
    };
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;

    // Followed first, as any account; the community accepts.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{}/follow", c.id),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, follow) = last_posted(&h, "Follow").await;
    let accept = answer(&h, "Accept", &c.uri, &follow, 1);
    let (state, error) = h.deliver_processed(&app, &c.uri, &accept).await;
    assert_eq!(state, "done", "{error:?}");

    // Joining it then is that follow: a member at once, one row, nothing more sent.
    join(&app, &ana, c.id).await;
    assert_eq!(
        membership(&app, c.id, ana_id).await,
        Some(MembershipState::Accepted)
    );
    let member = coopol::db::groups::member(app.state.pool(), c.id, ana_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.uri.as_deref(), follow["id"].as_str());
    assert!(
        coopol::db::social::follow(app.state.pool(), ana_id, c.id)
            .await
            .unwrap()
            .is_none()
    );
    // Apps see it as the follow it is.
    assert_eq!(relationship(&app, &ana, c.id).await["following"], true);
    // Following again adds no second row and sends nothing.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{}/follow", c.id),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    outbox_drained(&app).await;
    assert_eq!(posted(&h, "Follow").len(), 1, "{:?}", posted(&h, "Follow"));
    assert!(
        coopol::db::social::follow(app.state.pool(), ana_id, c.id)
            .await
            .unwrap()
            .is_none()
    );

    // Unfollowing leaves: Undo of the one Follow.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{}/unfollow", c.id),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, undo) = last_posted(&h, "Undo").await;
    assert_eq!(undo["object"]["type"], "Follow");
    assert_eq!(undo["object"]["id"], follow["id"]);
    assert_eq!(membership(&app, c.id, ana_id).await, None);
    assert_eq!(relationship(&app, &ana, c.id).await["following"], false);

    // Joined first, the request is the pending follow apps show.
    join(&app, &ana, c.id).await;
    let rel = relationship(&app, &ana, c.id).await;
    assert_eq!(
        (&rel["following"], &rel["requested"]),
        (&json!(false), &json!(true))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_with_a_members_collection_is_still_joined_with_join() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let Some(dir) = fixtures_dir() else {
        return;
    };
    // Mobilizon's group, as its server serves it.
    let text = std::fs::read_to_string(dir.join("activitypub/mobilizon/objects/group.json"))
        .unwrap()
        .replace("https://mobilizon.fr", &h.base);
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["publicKey"]["publicKeyPem"] =
        h.actor_doc("contribateliers", "Group")["publicKey"]["publicKeyPem"].clone();
    doc["publicKey"]["id"] = json!(format!("{}#main-key", doc["id"].as_str().unwrap()));
    doc["publicKey"]["owner"] = doc["id"].clone();
    h.serve("/@contribateliers", doc);
    let group = h.introduce(&app, &h.url("/@contribateliers")).await;
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;
    join(&app, &ana, group.id).await;
    let (path, joined) = last_posted(&h, "Join").await;
    assert_eq!(path, "/@contribateliers/inbox");
    assert_eq!(joined["object"], group.uri);
    assert_eq!(joined["participationMessage"], "Bonjour");
    assert!(posted(&h, "Follow").is_empty());
    // Its Accept of the Join, embedding it as Mobilizon does.
    let accept = json!({"id": h.url("/accept/1"), "type": "Accept", "actor": group.uri,
        "to": [joined["actor"]], "object": joined});
    let (state, error) = h.deliver_processed(&app, &group.uri, &accept).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(
        membership(&app, group.id, ana_id).await,
        Some(MembershipState::Accepted)
    );
    // Leaving is Mobilizon's Leave.
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{}/leave", group.id),
            Some(&ana),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (_, leave) = last_posted(&h, "Leave").await;
    assert_eq!(leave["object"], group.uri);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_community_is_found_by_its_bang_handle() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let Some(mut doc) = lemmy(&h, "objects/group.json") else {
        return;
    };
    doc["publicKey"]["publicKeyPem"] =
        h.actor_doc("tenforward", "Group")["publicKey"]["publicKeyPem"].clone();
    h.serve("/c/tenforward", doc);
    let beta = person(&h, "lemmy_beta");
    h.introduce(&app, &beta).await;
    // Lemmy's WebFinger answer for a community: `acct:name@host`, its self link typed Group.
    let community = h.url("/c/tenforward");
    h.serve(
        "/.well-known/webfinger",
        json!({
            "subject": format!("acct:tenforward@{}", h.host),
            "links": [
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
                 "href": community},
                {"rel": "self", "type": "application/activity+json", "href": community,
                 "properties": {"https://www.w3.org/ns/activitystreams#type": "Group"}}
            ]
        }),
    );
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let bang = format!("!tenforward@{}", h.host);

    // Search resolves it, as `@name@host` would.
    let (status, found) = app
        .get_json(
            &format!("/api/v2/search?resolve=true&q={}", urlencode(&bang)),
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let account = found["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["url"] == community || a["acct"] == format!("tenforward@{}", h.host))
        .unwrap_or_else(|| panic!("{bang} not found: {found}"))
        .clone();
    assert_eq!(account["group"], true, "{account}");

    // Then looked up, and found as a group to join.
    let (status, looked) = app
        .get_json(
            &format!("/api/v1/accounts/lookup?acct={}", urlencode(&bang)),
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{looked}");
    assert_eq!(looked["id"], account["id"]);
    let (status, group) = app
        .get_json(&format!("{API}/groups/{}", urlencode(&bang)), Some(&ana))
        .await;
    assert_eq!(status, StatusCode::OK, "{group}");
    // `!` names a community: a person of that server is not one.
    let (status, _) = app
        .get_json(
            &format!(
                "/api/v1/accounts/lookup?acct={}",
                urlencode(&format!("!lemmy_beta@{}", h.host))
            ),
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The web search box too.
    let browser = app.browser();
    browser
        .sign_in("ana@example.org", "correct horse battery")
        .await;
    let page = browser
        .get(&format!("/search?q={}", urlencode(&bang)))
        .await;
    assert!(page.contains("Ten Forward"), "{}", page.body);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_a_community_passes_on_count_only_from_its_own_server_and_are_withdrawn_so() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let elsewhere = Hostile::start().await;
    let Some(c) = community(&app, &h, "tenforward").await else {
        return;
    };
    let beta = person(&h, "lemmy_beta");
    let eve = person(&elsewhere, "eve");
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&ana),
            &json!({"status": "Rendez-vous samedi au marché", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let post_id = post["id"].as_str().unwrap().to_string();
    let post_uri = post["uri"].as_str().unwrap().to_string();
    let favourites = || async {
        let (_, s) = app
            .get_json(&format!("/api/v1/statuses/{post_id}"), Some(&ana))
            .await;
        s["favourites_count"].as_i64().unwrap()
    };
    // The community's Announce of a vote, as Lemmy sends it (`voting/like_note.json`).
    let announced = |vote: Value, n: u32| {
        json!({"id": h.url(&format!("/activities/announce/{n}")), "type": "Announce",
               "actor": c.uri, "to": ["https://www.w3.org/ns/activitystreams#Public"],
               "cc": [format!("{}/followers", c.uri)], "object": vote})
    };
    let mut like = lemmy(&h, "activities/voting/like_note.json").unwrap();
    like["object"] = json!(post_uri);
    like["audience"] = json!(c.uri);

    // A like by someone of another server, vouched for only by the community: not counted.
    let mut foreign = like.clone();
    foreign["actor"] = json!(eve);
    foreign["id"] = json!(elsewhere.url("/activities/like/1"));
    h.deliver_processed(&app, &c.uri, &announced(foreign, 1))
        .await;
    // A like of the community's own server whose id is on another server: not counted.
    let mut misplaced = like.clone();
    misplaced["actor"] = json!(beta);
    misplaced["id"] = json!(elsewhere.url("/activities/like/2"));
    h.deliver_processed(&app, &c.uri, &announced(misplaced, 2))
        .await;
    assert_eq!(favourites().await, 0);

    // A Dislike is answered 202 and stored nowhere.
    let mut dislike = lemmy(&h, "activities/voting/dislike_page.json").unwrap();
    dislike["actor"] = json!(beta);
    dislike["object"] = json!(post_uri);
    let (state, error) = h
        .deliver_processed(&app, &c.uri, &announced(dislike, 3))
        .await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(favourites().await, 0);

    // A like by a person of the community's own server counts.
    like["actor"] = json!(beta);
    let (state, error) = h
        .deliver_processed(&app, &c.uri, &announced(like.clone(), 4))
        .await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(favourites().await, 1);

    // Its withdrawal, announced the same way (`voting/undo_like_note.json`), withdraws it; one
    // by someone elsewhere, naming it, does not.
    let mut undo = lemmy(&h, "activities/voting/undo_like_note.json").unwrap();
    undo["object"] = like.clone();
    undo["audience"] = json!(c.uri);
    let mut foreign = undo.clone();
    foreign["actor"] = json!(eve);
    foreign["id"] = json!(elsewhere.url("/activities/undo/1"));
    foreign["object"]["actor"] = json!(eve);
    h.deliver_processed(&app, &c.uri, &announced(foreign, 5))
        .await;
    assert_eq!(favourites().await, 1);
    undo["actor"] = json!(beta);
    let (state, error) = h.deliver_processed(&app, &c.uri, &announced(undo, 6)).await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(favourites().await, 0);
    app.stop().await;
}
