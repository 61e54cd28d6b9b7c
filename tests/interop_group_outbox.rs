//! A group's outbox and moderators as Lemmy and Mobilizon publish theirs, read back by a
//! server whose people start following a group (docs/FEDERATION.md §11 and §13; rules T4, T5
//! and P12 of docs/SECURITY.md): two coopol instances, and a Lemmy-shaped peer
//! (`hostile::Hostile`) built from Lemmy's own documents in the shared fixtures.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{API, TestApp, eventually, fixtures_dir, spawn_app};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, answer) = app.post_json(path, Some(token), &body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// An ActivityPub document of `app`, read unsigned as any server may.
async fn ap_get(app: &TestApp, url: &str) -> Value {
    let res = app
        .client
        .get(url)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    res.json().await.unwrap()
}

/// The texts of a Mastodon API list of statuses.
fn texts(body: &Value) -> String {
    body.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["content"].as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

async fn home(app: &TestApp, token: &str) -> String {
    let (_, body) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    texts(&body)
}

/// A section `lille` on `a` with, in its circles: a public post and its answer, a
/// members-only post, a public event and a members-only one, and a public post its
/// moderators removed. The group's id there.
async fn section_with_posts(a: &TestApp, sec: &str) -> String {
    let section = post(
        a,
        sec,
        &format!("{API}/groups"),
        json!({"name": "lille", "display_name": "Section de Lille", "kind": "section",
               "postcode": "59000", "join_mode": "open"}),
    )
    .await;
    let gid = section["id"].as_str().unwrap().to_string();
    let posts = format!("{API}/groups/{gid}/posts");
    let public = post(
        a,
        sec,
        &posts,
        json!({"status": "Marché de Wazemmes samedi", "audience": "public"}),
    )
    .await;
    post(
        a,
        sec,
        &posts,
        json!({"status": "Merci à tous pour samedi", "audience": "public",
               "in_reply_to_id": public["id"]}),
    )
    .await;
    post(
        a,
        sec,
        &posts,
        json!({"status": "Réunion interne mardi", "audience": "members"}),
    )
    .await;
    let removed = post(
        a,
        sec,
        &posts,
        json!({"status": "Message retiré par la modération", "audience": "public"}),
    )
    .await;
    post(
        a,
        sec,
        &format!(
            "{API}/groups/{gid}/posts/{}/remove",
            removed["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    post(
        a,
        sec,
        &format!("{API}/events"),
        json!({"name": "Tractage au marché", "group": "lille",
               "start_time": in_days(10, 9), "end_time": in_days(10, 12)}),
    )
    .await;
    post(
        a,
        sec,
        &format!("{API}/events"),
        json!({"name": "Réunion de bureau", "group": "lille", "audience": "members",
               "start_time": in_days(3, 19), "end_time": in_days(3, 21)}),
    )
    .await;
    gid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sections_outbox_lists_its_public_posts_and_events_and_a_new_follower_reads_them_back() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    section_with_posts(&a, &sec).await;
    let group_uri = a.url("/users/lille");

    // The outbox: an OrderedCollection counting the public threads, its first page the
    // group's Announce of each post's Create, newest first, as Lemmy's.
    let outbox = ap_get(&a, &format!("{group_uri}/outbox")).await;
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 2, "{outbox}");
    let page = ap_get(&a, outbox["first"].as_str().unwrap()).await;
    assert_eq!(page["type"], "OrderedCollectionPage");
    assert_eq!(page["partOf"], format!("{group_uri}/outbox"));
    let items = page["orderedItems"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    for item in items {
        assert_eq!(item["type"], "Announce");
        assert_eq!(item["actor"], group_uri);
        assert_eq!(item["to"], json!([PUBLIC]));
        assert!(
            item["id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{group_uri}#announces/"))
        );
        assert_eq!(item["object"]["type"], "Create");
        assert_eq!(item["object"]["actor"], a.url("/users/secretaire"));
    }
    assert_eq!(
        items[0]["object"]["object"]["type"], "Event",
        "newest first"
    );
    // As Mobilizon's: the event is the group's, organized by its author, who signs its Create.
    assert_eq!(items[0]["object"]["object"]["attributedTo"], group_uri);
    assert_eq!(
        items[0]["object"]["object"]["actor"],
        a.url("/users/secretaire")
    );
    assert_eq!(
        items[1]["object"]["object"]["attributedTo"],
        a.url("/users/secretaire")
    );
    assert_eq!(items[1]["object"]["object"]["type"], "Note");
    let text = page.to_string();
    assert!(text.contains("Wazemmes") && text.contains("Tractage"));
    for hidden in ["interne", "bureau", "Merci", "retiré"] {
        assert!(
            !text.contains(hidden),
            "{hidden} must not be in the outbox: {page}"
        );
    }
    assert!(page.get("next").is_none(), "one page holds it all");

    // bob on B follows the section: its earlier public posts and event come to B.
    let (_, group_on_b) = b
        .get_json(&format!("{API}/groups/lille@{}", a.domain), Some(&bob))
        .await;
    let gid_b = group_on_b["id"].as_str().unwrap().to_string();
    post(
        &b,
        &bob,
        &format!("/api/v1/accounts/{gid_b}/follow"),
        json!({}),
    )
    .await;
    eventually(
        "bob's home on B has the section's earlier public post",
        || async { home(&b, &bob).await.contains("Wazemmes") },
    )
    .await;
    eventually("B knows the section's public event", || async {
        let (_, events) = b
            .get_json(
                &format!("{API}/events?group=lille@{}", a.domain),
                Some(&bob),
            )
            .await;
        events.to_string().contains("Tractage au marché")
    })
    .await;
    let (_, timeline) = b
        .get_json(&format!("{API}/groups/{gid_b}/timeline"), Some(&bob))
        .await;
    let all = format!("{}{timeline}", home(&b, &bob).await);
    assert!(all.contains("Wazemmes"), "{all}");
    for hidden in ["interne", "bureau", "retiré"] {
        assert!(!all.contains(hidden), "{hidden} reached B: {all}");
    }
}

/// A Lemmy community on a hostile server: its actor from Lemmy's `group.json` with the
/// server's address and key, an outbox the test fills.
fn lemmy_community(peer: &Hostile, name: &str) -> Option<String> {
    let dir = fixtures_dir()?;
    let raw = std::fs::read_to_string(dir.join("activitypub/lemmy/objects/group.json")).ok()?;
    let id = peer.url(&format!("/c/{name}"));
    let raw = raw
        .replace("https://enterprise.lemmy.ml/c/tenforward", &id)
        .replace("https://enterprise.lemmy.ml", &peer.base);
    let mut doc: Value = serde_json::from_str(&raw).unwrap();
    doc["preferredUsername"] = json!(name);
    doc["publicKey"] = peer.actor_doc(name, "Group")["publicKey"].clone();
    doc["publicKey"]["id"] = json!(format!("{id}#main-key"));
    doc["publicKey"]["owner"] = json!(id);
    peer.serve(&format!("/c/{name}"), doc);
    Some(id)
}

/// Lemmy's `announce_create_page.json`-shaped item of a community's outbox (from
/// `collections/group_outbox.json`): the community announcing `author`'s `Create` of `page`.
fn lemmy_outbox_item(group_outbox: &Value, community: &str, author: &str, page: Value) -> Value {
    let mut item = group_outbox["orderedItems"][0].clone();
    let n = page["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    item["actor"] = json!(community);
    item["id"] = json!(format!("{}/activities/announce/{n}", origin(community)));
    item["cc"] = json!([format!("{community}/followers")]);
    item["object"]["actor"] = json!(author);
    item["object"]["cc"] = json!([community]);
    item["object"]["id"] = json!(format!("{}/activities/create/{n}", origin(author)));
    item["object"]["object"] = page;
    item
}

fn origin(url: &str) -> String {
    let u = url::Url::parse(url).unwrap();
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{}{port}", u.scheme(), u.host_str().unwrap())
}

fn lemmy_page(group_outbox: &Value, id: &str, community: &str, author: &str, name: &str) -> Value {
    let mut page = group_outbox["orderedItems"][0]["object"]["object"].clone();
    page["id"] = json!(id);
    page["attributedTo"] = json!(author);
    page["to"] = json!([community, PUBLIC]);
    page["audience"] = json!(community);
    page["name"] = json!(name);
    page["content"] = json!(format!("<p>{name}</p>"));
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lemmy_communitys_outbox_is_read_back_within_the_trust_rules() {
    let Some(dir) = fixtures_dir() else {
        eprintln!("skipped: no fixtures (../shared/fixtures)");
        return;
    };
    let outbox_fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("activitypub/lemmy/collections/group_outbox.json"))
            .unwrap(),
    )
    .unwrap();
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let lemmy = Hostile::start().await;
    let other = Hostile::start().await;
    let community = lemmy_community(&lemmy, "luttes").unwrap();
    let nutomic = lemmy.actor("nutomic", "Person");
    let stranger = other.actor("stranger", "Person");

    // Its outbox: a post of its own server (embedded, trusted from there), a post said to be
    // from another server (embedded: must be read from its origin, which says otherwise), an
    // Announce by someone else than the community, and a removal.
    let own = lemmy.url("/post/1");
    let foreign = other.url("/post/9");
    let mut forged = lemmy_page(
        &outbox_fixture,
        &foreign,
        &community,
        &stranger,
        "Texte inventé",
    );
    forged["content"] = json!("<p>Texte inventé par la communauté</p>");
    other.serve(
        "/post/9",
        lemmy_page(
            &outbox_fixture,
            &foreign,
            &community,
            &stranger,
            "Texte véritable d’ailleurs",
        ),
    );
    let mut not_the_group = lemmy_outbox_item(
        &outbox_fixture,
        &community,
        &nutomic,
        lemmy_page(
            &outbox_fixture,
            &lemmy.url("/post/2"),
            &community,
            &nutomic,
            "Annonce usurpée",
        ),
    );
    not_the_group["actor"] = json!(nutomic);
    let removal = json!({
        "type": "Announce", "actor": community, "id": lemmy.url("/activities/announce/rm"),
        "to": [PUBLIC], "object": {"type": "Delete", "actor": nutomic, "id": lemmy.url("/activities/delete/1"),
        "object": own, "to": [PUBLIC]}
    });
    lemmy.serve(
        "/c/luttes/outbox",
        json!({
            "type": "OrderedCollection", "id": format!("{community}/outbox"), "totalItems": 4,
            "orderedItems": [
                removal,
                not_the_group,
                lemmy_outbox_item(&outbox_fixture, &community, &stranger, forged),
                lemmy_outbox_item(&outbox_fixture, &community, &nutomic,
                    lemmy_page(&outbox_fixture, &own, &community, &nutomic, "Assemblée générale jeudi")),
            ]
        }),
    );

    // ana follows the community; it accepts (Lemmy's accept.json); the outbox is read once.
    let group = lemmy.introduce(&app, &community).await;
    post(
        &app,
        &ana,
        &format!("/api/v1/accounts/{}/follow", group.id),
        json!({}),
    )
    .await;
    let follows = || {
        lemmy
            .received()
            .into_iter()
            .map(|r| r.json())
            .find(|j| j["type"] == "Follow")
    };
    eventually("the follow reaches the community", || async {
        follows().is_some()
    })
    .await;
    let follow = follows().unwrap();
    let accept: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("activitypub/lemmy/activities/following/accept.json"))
            .unwrap(),
    )
    .unwrap();
    let mut accept = accept;
    accept["actor"] = json!(community);
    accept["id"] = json!(lemmy.url("/activities/accept/1"));
    accept["object"] = follow;
    let (state, error) = lemmy.deliver_processed(&app, &community, &accept).await;
    assert_eq!(state, "done", "{error:?}");
    eventually("the community's own post is read back", || async {
        home(&app, &ana).await.contains("Assemblée générale jeudi")
    })
    .await;
    eventually(
        "the post said to be from elsewhere is read from its origin",
        || async { home(&app, &ana).await.contains("véritable") },
    )
    .await;
    let text = home(&app, &ana).await;
    assert!(!text.contains("inventé"), "{text}");
    assert!(
        !text.contains("usurpée"),
        "an Announce by another actor is not the group's: {text}"
    );
    let outbox_reads = lemmy
        .received()
        .iter()
        .filter(|r| r.path.starts_with("/c/luttes/outbox"))
        .count();
    assert_eq!(outbox_reads, 1);

    // The community repeats its Accept: nothing is read again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    accept["id"] = json!(lemmy.url("/activities/accept/2"));
    lemmy.deliver_processed(&app, &community, &accept).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let outbox_reads = lemmy
        .received()
        .iter()
        .filter(|r| r.path.starts_with("/c/luttes/outbox"))
        .count();
    assert_eq!(outbox_reads, 1, "a repeated Accept reads nothing again");
}

#[tokio::test]
async fn a_groups_moderators_are_those_who_show_it_on_their_profile() {
    let a = spawn_app().await;
    let (sec_id, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (ana_id, ana) = a.user_with_token("ana", "read write follow").await;
    let section = post(
        &a,
        &sec,
        &format!("{API}/groups"),
        json!({"name": "roubaix", "display_name": "Section de Roubaix", "kind": "section",
               "postcode": "59100", "join_mode": "open"}),
    )
    .await;
    let gid = section["id"].as_str().unwrap().to_string();
    post(&a, &ana, &format!("{API}/groups/{gid}/join"), json!({})).await;
    let group_uri = a.url("/users/roubaix");
    let actor = ap_get(&a, &group_uri).await;
    let moderators_url = format!("{group_uri}/collections/moderators");
    assert_eq!(
        actor["attributedTo"], moderators_url,
        "as Lemmy's community"
    );

    // Nobody chose to show the section: the collection is empty (its roles stay private).
    let lemmy = Hostile::start().await;
    let reader = lemmy.actor("reader", "Application");
    let (status, doc) = lemmy.fetch(&a, &reader, &moderators_url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["type"], "OrderedCollection");
    assert_eq!(doc["totalItems"], 0, "{doc}");

    // Both show it: the administrator is listed, the plain member never.
    for id in [sec_id, ana_id] {
        coopol::service::profile_groups::set(&a.state, id, std::slice::from_ref(&gid))
            .await
            .unwrap();
    }
    let doc = ap_get(&a, &moderators_url).await;
    assert_eq!(
        doc["orderedItems"],
        json!([a.url("/users/secretaire")]),
        "{doc}"
    );

    // An invite-only group lists nobody, whatever its staff chose.
    post(
        &a,
        &sec,
        &format!("{API}/groups"),
        json!({"name": "bureau", "display_name": "Bureau", "kind": "section",
               "postcode": "59100", "join_mode": "invite"}),
    )
    .await;
    let (_, bureau) = a
        .get_json(&format!("{API}/groups/bureau"), Some(&sec))
        .await;
    let bureau_id = bureau["id"].as_str().unwrap().to_string();
    coopol::service::profile_groups::set(&a.state, sec_id, &[gid.clone(), bureau_id])
        .await
        .unwrap();
    let doc = ap_get(&a, &a.url("/users/bureau/collections/moderators")).await;
    assert_eq!(doc["totalItems"], 0, "{doc}");

    // A person has no moderators.
    let res = a
        .client
        .get(a.url("/users/ana/collections/moderators"))
        .header("Accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// A fixture of Lemmy's, its hosts and names replaced.
fn lemmy_fixture(path: &str, replacements: &[(&str, &str)]) -> Option<Value> {
    let dir = fixtures_dir()?;
    let mut raw = std::fs::read_to_string(dir.join("activitypub/lemmy").join(path)).ok()?;
    for (from, to) in replacements {
        raw = raw.replace(from, to);
    }
    serde_json::from_str(&raw).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_from_a_non_member_is_rejected_to_its_author_alone() {
    let app = spawn_app().await;
    let (_, sec) = app.user_with_token("secretaire", "read write follow").await;
    let section = post(
        &app,
        &sec,
        &format!("{API}/groups"),
        json!({"name": "tourcoing", "display_name": "Section de Tourcoing", "kind": "section",
               "postcode": "59200", "join_mode": "approval"}),
    )
    .await;
    let gid = section["id"].as_str().unwrap().to_string();
    post(
        &app,
        &sec,
        &format!("{API}/groups/{gid}/posts"),
        json!({"status": "Réunion interne jeudi", "audience": "members"}),
    )
    .await;
    let group_uri = app.url("/users/tourcoing");

    // A Lemmy user (create_page.json) posts in the section without belonging to it.
    let lemmy = Hostile::start().await;
    let alpha = lemmy.actor("lemmy_alpha", "Person");
    let page_id = lemmy.url("/post/1");
    let Some(create) = lemmy_fixture(
        "activities/create_or_update/create_page.json",
        &[
            ("http://ds9.lemmy.ml/u/lemmy_alpha", &alpha),
            ("http://ds9.lemmy.ml/post/1", &page_id),
            ("http://ds9.lemmy.ml", &lemmy.base),
            ("https://enterprise.lemmy.ml/c/main", &group_uri),
            ("http://enterprise.lemmy.ml/c/main", &group_uri),
        ],
    ) else {
        eprintln!("skipped: no fixtures (../shared/fixtures)");
        return;
    };
    let (state, error) = lemmy.deliver_processed(&app, &alpha, &create).await;
    assert_eq!(state, "done", "{error:?}");

    // The section answers with a Reject of the Create, to the author's own inbox only.
    let rejects = || {
        lemmy
            .received()
            .into_iter()
            .filter(|r| r.method == reqwest::Method::POST && r.json()["type"] == "Reject")
            .collect::<Vec<_>>()
    };
    eventually("the author's server gets a Reject", || async {
        !rejects().is_empty()
    })
    .await;
    let all = rejects();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].path, "/users/lemmy_alpha/inbox",
        "the author's inbox, not the shared one"
    );
    let reject = all[0].json();
    assert_eq!(reject["actor"], group_uri);
    assert_eq!(reject["to"], json!([alpha]));
    assert!(
        reject
            .get("cc")
            .is_none_or(|cc| cc.as_array().is_none_or(Vec::is_empty))
    );
    assert_eq!(reject["object"]["type"], "Create");
    assert_eq!(reject["object"]["actor"], alpha);
    assert_eq!(reject["object"]["object"], page_id);
    let text = reject.to_string();
    assert!(
        !text.contains("interne") && !text.contains("secretaire"),
        "{text}"
    );

    // The post is not in the section.
    let (_, timeline) = app
        .get_json(&format!("{API}/groups/{gid}/timeline"), Some(&sec))
        .await;
    assert!(!timeline.to_string().contains("test body"), "{timeline}");

    // A Reject of a Create from someone who is not the post's group changes nothing here,
    // and a Reject naming another server's post is not ours to apply.
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let mine = post(
        &app,
        &ana,
        "/api/v1/statuses",
        json!({"status": "Mon message public"}),
    )
    .await;
    let stranger_group = lemmy.actor("intrus", "Group");
    lemmy.introduce(&app, &stranger_group).await;
    let forged = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": lemmy.url("/activities/reject/1"), "type": "Reject", "actor": stranger_group,
        "to": [mine["account"]["url"]],
        "object": {"type": "Create", "actor": app.url("/users/ana"), "object": mine["uri"]},
    });
    let (state, _) = lemmy
        .deliver_processed(&app, &stranger_group, &forged)
        .await;
    assert_eq!(state, "done");
    let (status, still) = app
        .get_json(
            &format!("/api/v1/statuses/{}", mine["id"].as_str().unwrap()),
            Some(&ana),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{still}");
}
