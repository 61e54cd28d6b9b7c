//! What a group announces and how it removes, as Lemmy and Mastodon read it (issue 30, FEP-1b12):
//! a section passes on a comment from one Lemmy server to another as the `Announce` of its
//! author's `Create`; the plain `Announce` of the note goes only to servers that need it
//! (Mastodon), never to Lemmy, which refuses it; a moderator's removal is public and marked as
//! a removal; a Lemmy community's edits (`Announce(Update)`) apply here as their author's only;
//! its removal of a local member's post leaves the post its author's, and its restore
//! (`Announce(Undo(Delete))`) places it again. The peers are the test's own servers
//! (`common::hostile`) sending Lemmy's documents (`../shared/fixtures/activitypub/lemmy`) with
//! their hosts changed.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, make_follow, outbox_drained, spawn_app};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const API: &str = "/api/coopol/v1";

/// A Lemmy fixture with Lemmy's test hosts replaced: `ds9.lemmy.ml` by `ds9`'s base,
/// `enterprise.lemmy.ml` by `enterprise`'s. `None` (the test is skipped) when the fixtures are
/// absent.
fn lemmy(path: &str, ds9: &Hostile, enterprise: &Hostile) -> Option<Value> {
    let file = common::fixtures_dir()?.join("activitypub/lemmy").join(path);
    let mut text =
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for (host, base) in [
        ("ds9.lemmy.ml", &ds9.base),
        ("enterprise.lemmy.ml", &enterprise.base),
    ] {
        text = text
            .replace(&format!("https://{host}"), base)
            .replace(&format!("http://{host}"), base);
    }
    Some(serde_json::from_str(&text).unwrap())
}

/// Serves a Lemmy-shaped actor at `path` (`/u/name` for a person, `/c/name` for a community),
/// with the peer's key; returns its id.
fn lemmy_actor(h: &Hostile, path: &str, kind: &str) -> String {
    let name = path.rsplit('/').next().unwrap();
    let mut doc: Value = serde_json::from_str(
        &h.actor_doc(name, kind)
            .to_string()
            .replace(&format!("/users/{name}"), path),
    )
    .unwrap();
    if kind == "Group" {
        // Lemmy's community: moderators and featured posts, posting restricted to mods or not.
        doc["attributedTo"] = json!(h.url(&format!("{path}/moderators")));
        doc["featured"] = json!(h.url(&format!("{path}/featured")));
        doc["postingRestrictedToMods"] = json!(false);
    }
    h.serve(path, doc);
    h.url(path)
}

/// Makes the peer answer NodeInfo as `software` does.
fn runs(h: &Hostile, software: &str) {
    h.serve(
        "/.well-known/nodeinfo",
        json!({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                          "href": h.url("/nodeinfo/2.0")}]}),
    );
    h.serve(
        "/nodeinfo/2.0",
        json!({"version": "2.0", "software": {"name": software, "version": "0.19.20"},
               "protocols": ["activitypub"], "openRegistrations": true,
               "usage": {"users": {"total": 1}}}),
    );
}

/// The activities the peer received whose type is `kind`.
fn received(h: &Hostile, kind: &str) -> Vec<Value> {
    h.received()
        .iter()
        .map(|r| r.json())
        .filter(|j| j["type"] == kind)
        .collect()
}

/// A local group (public, open), owned by `token`'s account; returns its actor id.
async fn section(app: &TestApp, token: &str, name: &str) -> String {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups"),
            Some(token),
            &json!({"name": name, "display_name": format!("Section {name}"), "kind": "section",
                    "postcode": "64000", "join_mode": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["uri"].as_str().unwrap().to_string()
}

/// Posts in a group's public circle; returns (id, uri).
async fn group_post(app: &TestApp, token: &str, group: &str, text: &str) -> (String, String) {
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/{group}/posts"),
            Some(token),
            &json!({"status": text, "audience": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["uri"].as_str().unwrap().to_string(),
    )
}

async fn stored(app: &TestApp, uri: &str) -> Option<coopol::db::statuses::StatusRow> {
    coopol::db::statuses::by_uri(app.state.pool(), uri)
        .await
        .unwrap()
}

async fn placed(app: &TestApp, group_id: i64, status_id: i64) -> bool {
    coopol::db::groups::post_groups(app.state.pool(), status_id)
        .await
        .unwrap()
        .iter()
        .any(|(g, _)| *g == group_id)
}

/// A person of a peer follows a local group, as Lemmy's `Follow` is written.
async fn follows(app: &TestApp, h: &Hostile, person: &str, group: &str, ds9: &Hostile) {
    let Some(mut follow) = lemmy("activities/following/follow.json", ds9, h) else {
        return;
    };
    follow["actor"] = json!(person);
    follow["to"] = json!([group]);
    follow["object"] = json!(group);
    follow["id"] = json!(h.url(&format!(
        "/activities/follow/{}",
        person.rsplit('/').next().unwrap()
    )));
    let (state, error) = h.deliver_processed(app, person, &follow).await;
    assert_eq!(state, "done", "{error:?}");
}

/// Issue 30: a comment written on one Lemmy server in a section reaches the section's Lemmy
/// subscribers on another as the `Announce` of its author's `Create` (the activity's own id
/// kept), with no plain `Announce` (which Lemmy refuses), while a Mastodon follower still gets
/// the plain one. Then a moderator removes it: Lemmy gets a public removal (`to` the public,
/// `cc` the group, a `summary`), Mastodon the `Undo` of its boost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_from_one_lemmy_server_reaches_another_as_the_announce_of_its_create() {
    let app = spawn_app().await;
    let ds9 = Hostile::start().await;
    let enterprise = Hostile::start().await;
    let mastodon = Hostile::start().await;
    let Some(mut create) = lemmy(
        "activities/create_or_update/create_comment.json",
        &ds9,
        &ds9,
    ) else {
        return;
    };
    runs(&ds9, "lemmy");
    runs(&enterprise, "lemmy");
    runs(&mastodon, "mastodon");
    let (_, token) = app.user_with_token("secretaire", "read write follow").await;
    let group = section(&app, &token, "pau").await;
    let (_, post_uri) = group_post(&app, &token, "pau", "Réunion jeudi").await;

    let beta = lemmy_actor(&enterprise, "/u/lemmy_beta", "Person");
    follows(&app, &enterprise, &beta, &group, &ds9).await;
    let carol = mastodon.actor("carol", "Person");
    let follow = json!({"id": mastodon.url("/follows/1"), "type": "Follow", "actor": carol,
                        "object": group});
    let (state, error) = mastodon.deliver_processed(&app, &carol, &follow).await;
    assert_eq!(state, "done", "{error:?}");

    // Lemmy's comment, written on ds9 in the section, answering its post.
    let alpha = lemmy_actor(&ds9, "/u/lemmy_alpha", "Person");
    let comment_uri = ds9.url("/comment/1");
    create["object"]["inReplyTo"] = json!(post_uri);
    create["object"]["cc"] = json!([group, alpha]);
    create["object"]["audience"] = json!(group);
    create["object"]["content"] = json!("<p>J'y serai, avec des tracts.</p>");
    create["cc"] = json!([group, alpha]);
    create["audience"] = json!(group);
    let create_id = create["id"].as_str().unwrap().to_string();
    let (state, error) = ds9.deliver_processed(&app, &alpha, &create).await;
    assert_eq!(state, "done", "{error:?}");
    assert!(stored(&app, &comment_uri).await.is_some());

    eventually("the section announces the comment to Lemmy", || async {
        received(&enterprise, "Announce")
            .iter()
            .any(|a| a["object"]["type"] == "Create")
    })
    .await;
    outbox_drained(&app).await;
    let announces = received(&enterprise, "Announce");
    let announce = announces
        .iter()
        .find(|a| a["object"]["type"] == "Create")
        .unwrap();
    // What Lemmy's `AnnounceActivity` and `CreateOrUpdateNote` check: public, the inner actor
    // on the object's server, the community named.
    assert_eq!(announce["actor"], group.as_str());
    assert!(announce["to"].to_string().contains(PUBLIC), "{announce}");
    let inner = &announce["object"];
    assert_eq!(
        inner["id"],
        create_id.as_str(),
        "the activity's own id is kept"
    );
    assert_eq!(inner["actor"], alpha.as_str(), "{inner}");
    assert_eq!(inner["object"]["id"], comment_uri.as_str());
    assert_eq!(inner["object"]["attributedTo"], alpha.as_str());
    assert!(inner["to"].to_string().contains(PUBLIC), "{inner}");
    assert!(
        announces.iter().all(|a| a["object"].is_object()),
        "Lemmy refuses the plain Announce of a note: {announces:?}"
    );
    eventually("Mastodon gets the plain Announce", || async {
        received(&mastodon, "Announce")
            .iter()
            .any(|a| a["object"] == comment_uri.as_str())
    })
    .await;

    // Its author edits it on ds9: the section passes the edit on as the Announce of the
    // author's Update (Lemmy reads edits only so), the Update's id kept.
    let mut update = create.clone();
    update["type"] = json!("Update");
    update["id"] = json!(ds9.url("/activities/update/1"));
    update["object"]["content"] = json!("<p>J'y serai, avec des tracts et du café.</p>");
    update["object"]["updated"] = json!("2026-12-01T12:00:00Z");
    let (state, error) = ds9.deliver_processed(&app, &alpha, &update).await;
    assert_eq!(state, "done", "{error:?}");
    eventually("the section announces the edit to Lemmy", || async {
        received(&enterprise, "Announce")
            .iter()
            .any(|a| a["object"]["type"] == "Update")
    })
    .await;
    let edit = received(&enterprise, "Announce")
        .into_iter()
        .find(|a| a["object"]["type"] == "Update")
        .unwrap();
    assert_eq!(
        edit["object"]["id"],
        ds9.url("/activities/update/1").as_str()
    );
    assert_eq!(edit["object"]["actor"], alpha.as_str());
    assert!(
        edit["object"]["object"]["content"]
            .as_str()
            .unwrap()
            .contains("café"),
        "{edit}"
    );
    assert_eq!(
        edit["object"]["object"]["updated"],
        "2026-12-01T12:00:00.000Z"
    );
    assert_eq!(
        edit["object"]["published"], "2026-12-01T12:00:00.000Z",
        "{edit}"
    );
    outbox_drained(&app).await;
    assert_eq!(
        received(&mastodon, "Announce")
            .iter()
            .filter(|a| a["object"] == comment_uri.as_str())
            .count(),
        1,
        "an edit is no second boost"
    );

    // A moderator removes the comment.
    let comment = stored(&app, &comment_uri).await.unwrap();
    let (status, body) = app
        .post_json(
            &format!("{API}/groups/pau/posts/{}/remove", comment.id),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    eventually("the removal reaches Lemmy", || async {
        received(&enterprise, "Announce")
            .iter()
            .any(|a| a["object"]["type"] == "Delete")
    })
    .await;
    eventually("Mastodon's boost is undone", || async {
        !received(&mastodon, "Undo").is_empty()
    })
    .await;
    outbox_drained(&app).await;
    let removal = received(&enterprise, "Announce")
        .into_iter()
        .find(|a| a["object"]["type"] == "Delete")
        .unwrap();
    let delete = &removal["object"];
    assert_eq!(delete["to"], json!([PUBLIC]), "Lemmy: object_is_not_public");
    assert_eq!(delete["cc"], json!([group]));
    assert_eq!(delete["audience"], group.as_str());
    assert_eq!(delete["actor"], app.url("/users/secretaire").as_str());
    assert!(
        delete["summary"].is_string(),
        "a moderator's removal: {delete}"
    );
    assert_eq!(delete["object"]["id"], comment_uri.as_str());
    assert!(
        received(&enterprise, "Undo").is_empty(),
        "Lemmy gets no Undo of a boost it never had"
    );
    // Its software was asked once, though three public posts went to it, and recorded.
    for peer in [&enterprise, &mastodon] {
        let asked = peer
            .received()
            .iter()
            .filter(|r| r.path == "/.well-known/nodeinfo")
            .count();
        assert_eq!(asked, 1, "NodeInfo is looked up once a day");
    }
    let known: Option<Option<String>> =
        sqlx::query_scalar("SELECT software FROM peer_software WHERE host = $1")
            .bind(&enterprise.host)
            .fetch_optional(app.state.pool())
            .await
            .unwrap();
    assert_eq!(known, Some(Some("lemmy".to_string())));
    app.stop().await;
}

/// A community on a Lemmy server with one local follower, so that what it announces concerns
/// this server: (its id, its id here, the follower's token).
async fn community(app: &TestApp, lemmy: &Hostile, name: &str) -> (String, i64, String) {
    let group = lemmy_actor(lemmy, &format!("/c/{name}"), "Group");
    let row = lemmy.introduce(app, &group).await;
    assert_eq!(row.actor_type, "Group");
    let (ana, token) = app.user_with_token("ana", "read write follow").await;
    make_follow(
        app,
        ana,
        row.id,
        &app.url(&format!("/users/ana#follows/{name}")),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    (group, row.id, token)
}

/// The community announces `activity` (Lemmy's `Announce` shape).
fn announce(lemmy: &Hostile, group: &str, n: u32, activity: &Value) -> Value {
    json!({"id": lemmy.url(&format!("/activities/announce/{n}")), "type": "Announce",
           "actor": group, "to": [PUBLIC], "cc": [format!("{group}/followers")],
           "object": activity})
}

/// Issue 30: an edit made on Lemmy (`Announce(Update(Page))`) is applied here, as its author's
/// only (rule T2), with the post from its own server (T4), and only for a post the community
/// placed. Hostile: another community announcing an edit of a post not in it; the community
/// announcing an Update whose actor is not the author; the community announcing a forged edit
/// of a third server's post (read again from that server: the forgery never shows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_announced_by_a_community_is_applied_here_as_its_authors_only() {
    let app = spawn_app().await;
    let enterprise = Hostile::start().await;
    let Some(mut update) = lemmy(
        "activities/create_or_update/update_page.json",
        &enterprise,
        &enterprise,
    ) else {
        return;
    };
    let (group, _, token) = community(&app, &enterprise, "main").await;
    let beta = lemmy_actor(&enterprise, "/u/lemmy_beta", "Person");
    let mallory = lemmy_actor(&enterprise, "/u/mallory", "Person");
    let mut create = lemmy(
        "activities/community/announce_create_page.json",
        &enterprise,
        &enterprise,
    )
    .unwrap()["object"]
        .clone();
    let page_uri = enterprise.url("/post/7");
    create["object"]["content"] = json!("<p>Version 1</p>");
    create["object"]["audience"] = json!(group);
    let (state, error) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 1, &create))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let page = stored(&app, &page_uri).await.expect("the post is stored");

    // The author's edit, announced by the community.
    update["actor"] = json!(beta);
    update["object"]["id"] = json!(page_uri);
    update["object"]["attributedTo"] = json!(beta);
    update["object"]["content"] = json!("<p>Version 2, corrigée</p>");
    update["object"]["published"] = json!("2026-12-01T10:00:00Z");
    update["object"]["updated"] = json!("2026-12-01T11:00:00Z");
    update["object"]["attachment"] = json!([]);
    let (state, error) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 2, &update))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{}", page.id), Some(&token))
        .await;
    assert!(
        status["content"].as_str().unwrap().contains("Version 2"),
        "{status}"
    );

    // Another community of the same server announces an edit of a post not placed in it.
    let (other, _, _) = {
        let other = lemmy_actor(&enterprise, "/c/other", "Group");
        let row = enterprise.introduce(&app, &other).await;
        (other, row.id, ())
    };
    let mut hijack = update.clone();
    hijack["id"] = json!(enterprise.url("/activities/update/hijack"));
    hijack["object"]["content"] = json!("<p>Détourné</p>");
    hijack["object"]["updated"] = json!("2026-12-01T12:00:00Z");
    enterprise
        .deliver_processed(&app, &other, &announce(&enterprise, &other, 3, &hijack))
        .await;
    // The community announces an Update whose actor is not the author.
    let mut forged = hijack.clone();
    forged["id"] = json!(enterprise.url("/activities/update/forged"));
    forged["actor"] = json!(mallory);
    let (state, _) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 4, &forged))
        .await;
    assert_eq!(state, "failed", "an actor edits only its own posts");
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{}", page.id), Some(&token))
        .await;
    assert!(
        !status["content"].as_str().unwrap().contains("Détourné"),
        "{status}"
    );

    // A third server's post written in the community, announced (read from its server), then
    // a forged edit of it announced by the community: read again from its own server.
    let third = Hostile::start().await;
    let carol = third.actor("carol", "Person");
    let note_uri = third.url("/notes/1");
    let note = json!({"id": note_uri, "type": "Note", "attributedTo": carol,
                      "content": "<p>Avis extérieur</p>", "to": [PUBLIC, group],
                      "audience": group, "published": "2026-12-01T10:00:00Z"});
    third.serve("/notes/1", note.clone());
    let create = json!({"id": third.url("/creates/1"), "type": "Create", "actor": carol,
                        "to": [PUBLIC], "object": note});
    let (state, error) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 5, &create))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let row = stored(&app, &note_uri).await.expect("read from its server");
    let mut fake = note.clone();
    fake["content"] = json!("<p>Falsifié</p>");
    fake["updated"] = json!("2026-12-01T12:00:00Z");
    let fake_update = json!({"id": third.url("/updates/1"), "type": "Update", "actor": carol,
                             "to": [PUBLIC], "object": fake});
    enterprise
        .deliver_processed(
            &app,
            &group,
            &announce(&enterprise, &group, 6, &fake_update),
        )
        .await;
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{}", row.id), Some(&token))
        .await;
    let content = status["content"].as_str().unwrap();
    assert!(
        content.contains("Avis extérieur") && !content.contains("Falsifié"),
        "{status}"
    );
    app.stop().await;
}

/// Issue 30, rule T6: a Lemmy moderator removes a local member's post from a Lemmy community
/// (`Announce(Delete)` with a `summary`): the post stays its author's, readable and on their
/// profile, only out of the community's circle here. An `Undo` of a Delete that is no removal
/// (no `summary`, the author's own) passed on by the community restores nothing; the
/// moderator's restore (`Announce(Undo(Delete))`) places it again. A Lemmy post removed then
/// restored is read again from its server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_communitys_removal_leaves_the_authors_post_intact_and_its_restore_places_it_again() {
    let app = spawn_app().await;
    let enterprise = Hostile::start().await;
    let Some(mut remove) = lemmy(
        "activities/deletion/remove_note.json",
        &enterprise,
        &enterprise,
    ) else {
        return;
    };
    let undo_remove = lemmy(
        "activities/deletion/undo_remove_note.json",
        &enterprise,
        &enterprise,
    )
    .unwrap();
    let (group, group_id, token) = community(&app, &enterprise, "main").await;
    let beta = lemmy_actor(&enterprise, "/u/lemmy_beta", "Person");
    let ana = coopol::db::accounts::local_by_username(app.state.pool(), "ana")
        .await
        .unwrap()
        .unwrap();
    {
        let mut conn = app.state.pool().acquire().await.unwrap();
        coopol::db::groups::upsert_member(
            &mut conn,
            &coopol::db::groups::NewMember {
                group_id,
                account_id: ana.id,
                role: coopol::domain::MemberRole::Member,
                state: coopol::domain::MembershipState::Accepted,
                message: "",
                uri: None,
                listed: true,
                now: coopol::clock::now(),
            },
        )
        .await
        .unwrap();
    }
    let (post_id, post_uri) =
        group_post(&app, &token, &group_id.to_string(), "Pétition pour la gare").await;
    assert!(placed(&app, group_id, post_id.parse().unwrap()).await);

    remove["actor"] = json!(beta);
    remove["object"] = json!(post_uri);
    remove["cc"] = json!([group]);
    remove["audience"] = json!(group);
    let (state, error) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 1, &remove))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let id: i64 = post_id.parse().unwrap();
    assert!(!placed(&app, group_id, id).await, "out of the community");
    let (status, body) = app
        .get_json(&format!("/api/v1/statuses/{post_id}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "the post was deleted: {body}");
    assert!(body["content"].as_str().unwrap().contains("Pétition"));
    let (_, profile) = app
        .get_json(
            &format!("/api/v1/accounts/{}/statuses", ana.id),
            Some(&token),
        )
        .await;
    assert!(profile.to_string().contains(&post_uri), "{profile}");
    assert!(
        !coopol::db::statuses::is_tombstoned(app.state.pool(), &post_uri)
            .await
            .unwrap()
    );

    // The Undo of a Delete that is no removal (the author's own, by someone else).
    let mut not_a_removal = undo_remove.clone();
    not_a_removal["id"] = json!(enterprise.url("/activities/undo/not-a-removal"));
    not_a_removal["actor"] = json!(beta);
    not_a_removal["object"]["actor"] = json!(beta);
    not_a_removal["object"]["object"] = json!(post_uri);
    not_a_removal["object"]
        .as_object_mut()
        .unwrap()
        .remove("summary");
    enterprise
        .deliver_processed(
            &app,
            &group,
            &announce(&enterprise, &group, 2, &not_a_removal),
        )
        .await;
    assert!(!placed(&app, group_id, id).await, "no removal was undone");
    // An Undo by someone else than the remover.
    let mallory = lemmy_actor(&enterprise, "/u/mallory", "Person");
    let mut not_theirs = undo_remove.clone();
    not_theirs["id"] = json!(enterprise.url("/activities/undo/not-theirs"));
    not_theirs["actor"] = json!(mallory);
    not_theirs["object"]["actor"] = json!(beta);
    not_theirs["object"]["object"] = json!(post_uri);
    let (state, _) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 3, &not_theirs))
        .await;
    assert_eq!(state, "failed");
    assert!(!placed(&app, group_id, id).await);

    // The moderator's restore.
    let mut restore = undo_remove.clone();
    restore["actor"] = json!(beta);
    restore["object"]["actor"] = json!(beta);
    restore["object"]["object"] = json!(post_uri);
    let (state, error) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 4, &restore))
        .await;
    assert_eq!(state, "done", "{error:?}");
    assert!(
        placed(&app, group_id, id).await,
        "the restore places it again"
    );

    // A Lemmy post written in the community: removed here (the community's server is its
    // own), then restored, read again from its server.
    let page_uri = enterprise.url("/post/1");
    let page = json!({"id": page_uri, "type": "Page", "attributedTo": beta,
                      "name": "Covoiturage", "content": "<p>Départ 8 h</p>",
                      "to": [group, PUBLIC], "audience": group,
                      "published": "2026-12-01T10:00:00Z"});
    enterprise.serve("/post/1", page.clone());
    let create = json!({"id": enterprise.url("/activities/create/1"), "type": "Create",
                        "actor": beta, "to": [PUBLIC], "cc": [group], "object": page});
    let (state, error) = enterprise
        .deliver_processed(&app, &group, &announce(&enterprise, &group, 5, &create))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let mut remove_page = remove.clone();
    remove_page["id"] = json!(enterprise.url("/activities/delete/page"));
    remove_page["object"] = json!(page_uri);
    enterprise
        .deliver_processed(
            &app,
            &group,
            &announce(&enterprise, &group, 6, &remove_page),
        )
        .await;
    assert!(stored(&app, &page_uri).await.is_none(), "removed here");
    let mut restore_page = restore.clone();
    restore_page["id"] = json!(enterprise.url("/activities/undo/page"));
    restore_page["object"]["id"] = json!(enterprise.url("/activities/delete/page"));
    restore_page["object"]["object"] = json!(page_uri);
    let (state, error) = enterprise
        .deliver_processed(
            &app,
            &group,
            &announce(&enterprise, &group, 7, &restore_page),
        )
        .await;
    assert_eq!(state, "done", "{error:?}");
    let page = stored(&app, &page_uri).await.expect("read again");
    assert!(placed(&app, group_id, page.id).await);
    app.stop().await;
}
