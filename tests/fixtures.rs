//! Every real-world document in ../shared/fixtures (Mastodon, Pleroma, Lemmy, Mobilizon,
//! Friendica, PeerTube, Gancio and others) is parsed and processed here, or refused on purpose
//! with a reason this test checks. No document may fail by a parse error.
//!
//! Activities are run through the same dispatcher the inbox worker uses, after the harness
//! stored their actor (the signature is tested elsewhere) and made the local account `alice`
//! the one they concern: the target of follows and blocks, a follower of authors (so their
//! posts are relevant here), the sender of the follow requests that are accepted or refused.

mod common;

use activitypub_federation::traits::Object;
use common::{TestApp, fixture_files, fixtures_dir, make_follow, spawn_app, store_actor};
use coopol::{
    db,
    domain::Role,
    federation::{
        objects::{ApAccount, ApNote},
        protocol,
        receive::{self, Failure, Outcome},
    },
};
use futures::StreamExt;
use serde_json::{Value, json};
use std::path::Path;
use url::Url;

/// Reasons for leaving a document without effect that this test accepts as deliberate.
const DELIBERATE: &[&str] = &[
    "dislikes are not counted",
    "the reported account is not on this server",
    "moderator lists and other collections are not kept",
    "a featured collection is changed only by its own actor",
    "an actor pins only its own posts",
    "the unpinned post is not here",
    "removals by people (featured posts, moderator lists) are not kept",
    "removals of posts from featured lists or of moderators are not kept",
    "thread locks are kept by the group's own server",
    "only groups and events of this server can be joined here",
    "only groups and events of this server can be left here",
    "the invited person is not on this server",
    "nobody here follows or belongs to the group",
    "announces of this kind of activity have no effect here",
    "the announced post could not be read",
    "only groups announce activities (FEP-1b12)",
    "unknown activity type",
    "objects of this type are not stored",
    "the liked post is not here",
    "only likes of posts from this server are counted",
    "nothing here matches what was undone",
    "undoing this kind of activity has no effect here",
    "updates of this kind of object have no effect here",
    "nobody here follows the booster",
    "the boosted post could not be read",
    "a tombstone is not a post to store",
    "collections are read when listing, not stored",
    "no such follow here",
];

const ACTOR_TYPES: &[&str] = &["Person", "Group", "Service", "Application", "Organization"];
const POST_TYPES: &[&str] = &[
    "Note", "Article", "Page", "Question", "Event", "Video", "Audio", "Image",
];

async fn process_activity(
    app: &TestApp,
    alice: &db::accounts::AccountRow,
    mut doc: Value,
) -> Result<String, String> {
    let kind = doc["type"].as_str().unwrap_or_default().to_string();
    let actor_uri = protocol::id_of(&doc["actor"])
        .ok_or("no actor")?
        .to_string();
    let actor = store_actor(app, &actor_uri).await;
    match kind.as_str() {
        // Addressed to alice.
        "Follow" | "Block" => doc["object"] = json!(alice.uri),
        // Alice follows the author, so the post concerns this server.
        "Create" | "Update" => {
            make_follow(
                app,
                alice.id,
                actor.id,
                &format!("{}#f", alice.uri),
                coopol::domain::FollowState::Accepted,
            )
            .await;
            // An update needs the post it updates: its first version arrives before.
            if kind == "Update"
                && doc["object"]["type"]
                    .as_str()
                    .is_some_and(|t| POST_TYPES.contains(&t))
            {
                let mut create = doc.clone();
                create["type"] = json!("Create");
                create["id"] = json!(format!(
                    "{}#first-version",
                    doc["id"].as_str().unwrap_or_default()
                ));
                if let Some(o) = create["object"].as_object_mut() {
                    o.remove("updated");
                }
                if let Ok(first) = serde_json::from_value::<protocol::Activity>(create) {
                    let _ = receive::dispatch(&app.state, &actor, &first).await;
                }
            }
        }
        // Alice follows the booster, and the boosted post is already here (as if fetched).
        "Announce" => {
            make_follow(
                app,
                alice.id,
                actor.id,
                &format!("{}#f", alice.uri),
                coopol::domain::FollowState::Accepted,
            )
            .await;
            if let Some(object) = doc["object"].as_str() {
                store_stand_in_post(app, object).await;
            }
        }
        // Alice asked to follow the actor; the Follow's id is the one answered.
        "Accept" | "Reject" => {
            let follow_id = protocol::id_of(&doc["object"])
                .unwrap_or_default()
                .to_string();
            make_follow(
                app,
                alice.id,
                actor.id,
                &follow_id,
                coopol::domain::FollowState::Pending,
            )
            .await;
        }
        // The actor followed alice with the Follow that is undone.
        "Undo" if doc["object"]["type"] == "Follow" => {
            let follow_id = protocol::id_of(&doc["object"])
                .unwrap_or_default()
                .to_string();
            make_follow(
                app,
                actor.id,
                alice.id,
                &follow_id,
                coopol::domain::FollowState::Accepted,
            )
            .await;
        }
        _ => {}
    }
    let activity: protocol::Activity =
        serde_json::from_value(doc).map_err(|e| format!("parse error: {e}"))?;
    match receive::dispatch(&app.state, &actor, &activity).await {
        Ok(Outcome::Applied(what)) => Ok(format!("applied: {what}")),
        Ok(Outcome::Ignored(why)) => Ok(format!("ignored: {why}")),
        Err(Failure::Permanent(why)) => Ok(format!("refused: {why}")),
        Err(Failure::Retry(why)) => Err(format!("retry: {why}")),
    }
}

/// Stores a public post with a given id, by an actor of the same server.
async fn store_stand_in_post(app: &TestApp, uri: &str) {
    let url = Url::parse(uri).unwrap();
    let author = store_actor(
        app,
        &format!(
            "{}://{}/users/author",
            url.scheme(),
            protocol::domain_of(&url)
        ),
    )
    .await;
    coopol::service::statuses::store_remote(
        &app.state,
        coopol::service::statuses::RemoteStatus {
            uri: uri.to_string(),
            url: None,
            account_id: author.id,
            visibility: coopol::domain::Visibility::Public,
            in_reply_to_uri: None,
            content: "<p>stand-in</p>".into(),
            spoiler_text: String::new(),
            sensitive: false,
            language: None,
            created_at: coopol::clock::now(),
            updated_at: None,
            mentioned: Vec::new(),
            tags: Vec::new(),
            group_id: None,
            circle: None,
            title: None,
            media: Vec::new(),
        },
    )
    .await
    .unwrap();
}

async fn process_object(app: &TestApp, doc: Value) -> Result<String, String> {
    let kind = doc["type"].as_str().unwrap_or_default().to_string();
    let data = coopol::federation::data(&app.state);
    if ACTOR_TYPES.contains(&kind.as_str()) {
        let json: protocol::Actor =
            serde_json::from_value(doc).map_err(|e| format!("parse error: {e}"))?;
        let id = json.id.clone();
        if let Err(e) = ApAccount::verify(&json, &id, &data).await {
            return Ok(format!("refused: {e}"));
        }
        let stored = ApAccount::from_json(json, &data)
            .await
            .map_err(|e| format!("store error: {e}"))?;
        assert_eq!(stored.row.uri, id.as_str());
        return Ok(format!(
            "applied: {kind} stored as @{}@{}",
            stored.row.username,
            stored.row.domain.unwrap_or_default()
        ));
    }
    if POST_TYPES.contains(&kind.as_str()) {
        let json: protocol::Note =
            serde_json::from_value(doc).map_err(|e| format!("parse error: {e}"))?;
        // Mobilizon's events name their organizer in `actor`, the group in `attributedTo`.
        let author = json.author().cloned().ok_or("refused: no author")?;
        store_actor(app, author.as_str()).await;
        let id = json.id.clone();
        if let Err(e) = ApNote::verify(&json, &id, &data).await {
            return Ok(format!("refused: {e}"));
        }
        let stored = ApNote::from_json(json, &data)
            .await
            .map_err(|e| format!("store error: {e}"))?;
        assert!(
            !stored.row.content.contains("<script"),
            "unsanitized content stored"
        );
        return Ok(format!(
            "applied: {kind} stored ({})",
            stored.row.visibility
        ));
    }
    match kind.as_str() {
        "Tombstone" => Ok("ignored: a tombstone is not a post to store".into()),
        "OrderedCollection" | "Collection" | "OrderedCollectionPage" => {
            Ok("ignored: collections are read when listing, not stored".into())
        }
        _ => Ok("ignored: objects of this type are not stored".into()),
    }
}

/// Activities have an actor and are not objects (events and some notes carry an `actor` too).
fn is_activity(doc: &Value) -> bool {
    let kind = doc["type"].as_str().unwrap_or_default();
    doc.get("actor").is_some()
        && !POST_TYPES.contains(&kind)
        && !ACTOR_TYPES.contains(&kind)
        && kind != "Tombstone"
        && !kind.contains("Collection")
}

fn check_webfinger(doc: &Value) -> Result<String, String> {
    let wf: activitypub_federation::fetch::webfinger::Webfinger =
        serde_json::from_value(doc.clone()).map_err(|e| format!("parse error: {e}"))?;
    // What `webfinger_resolve_actor` follows: links typed application/* with an href.
    let link = wf
        .links
        .iter()
        .find(|l| {
            l.kind
                .as_deref()
                .is_some_and(|k| k.starts_with("application/"))
                && l.href.is_some()
        })
        .ok_or("refused: no ActivityPub link")?;
    Ok(format!(
        "applied: {} -> {}",
        wf.subject,
        link.href.as_ref().unwrap()
    ))
}

fn check_nodeinfo(doc: &Value) -> Result<String, String> {
    if let Some(links) = doc.get("links").and_then(Value::as_array) {
        let versions: Vec<&str> = links.iter().filter_map(|l| l["rel"].as_str()).collect();
        if versions.iter().any(|r| r.contains("nodeinfo")) {
            return Ok(format!("applied: nodeinfo links {versions:?}"));
        }
        return Err("no nodeinfo link".into());
    }
    let software = doc["software"]["name"]
        .as_str()
        .ok_or("parse error: no software name")?;
    let protocols = doc["protocols"].as_array().map(|p| p.len()).unwrap_or(0);
    Ok(format!(
        "applied: {software} speaking {protocols} protocol(s)"
    ))
}

async fn run_one(name: &str, path: &Path) -> Result<String, String> {
    let app = spawn_app().await;
    let alice = local_alice(&app).await;
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let result = if name.contains("/webfinger/") {
        check_webfinger(&doc)
    } else if name.contains("/nodeinfo/") {
        check_nodeinfo(&doc)
    } else if is_activity(&doc) {
        process_activity(&app, &alice, doc).await
    } else {
        process_object(&app, doc).await
    };
    app.stop().await;
    result
}

/// The struct coopol reads activities into is the one it writes them from: every captured
/// activity read, written back and read again is the same activity (nothing routing or a
/// handler uses is lost or changed on the way).
#[test]
fn every_captured_activity_reads_back_as_written() {
    let Some(dir) = fixtures_dir() else { return };
    let mut checked = 0;
    for path in fixture_files(&dir) {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if !is_activity(&doc) {
            continue;
        }
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let Ok(read) = serde_json::from_value::<protocol::Activity>(doc) else {
            // Refused on purpose (no id, no actor): the processing test checks the reason.
            continue;
        };
        let written = read.to_json();
        let again: protocol::Activity = serde_json::from_value(written.clone())
            .unwrap_or_else(|e| panic!("{name}: what we write does not read back: {e}"));
        let mut expected = read.clone();
        // Times are written to the millisecond, as Mastodon writes them.
        expected.published = read
            .published
            .map(|t| chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap());
        assert_eq!(again, expected, "{name}");
        assert_eq!(again.to_json(), written, "{name}");
        checked += 1;
    }
    assert!(
        checked > 50,
        "expected the captured activities, found {checked}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_is_processed_or_refused_on_purpose() {
    let Some(dir) = fixtures_dir() else { return };
    let paths = fixture_files(&dir);
    assert!(
        paths.len() > 150,
        "expected the ~170 fixtures, found {}",
        paths.len()
    );

    // A fresh instance per document, so documents do not interact; four at a time.
    let results: Vec<(String, Result<String, String>)> =
        futures::stream::iter(paths.iter().cloned())
            .map(|path| {
                let dir = dir.clone();
                async move {
                    let name = path.strip_prefix(&dir).unwrap().display().to_string();
                    (name.clone(), run_one(&name, &path).await)
                }
            })
            .buffered(4)
            .collect()
            .await;

    let mut report = Vec::new();
    let mut failures = Vec::new();
    for (name, result) in results {
        match &result {
            Ok(outcome) if outcome.starts_with("applied") || outcome.starts_with("refused") => {}
            Ok(outcome) => {
                let reason = outcome.trim_start_matches("ignored: ");
                if !DELIBERATE.iter().any(|d| reason.starts_with(d)) {
                    failures.push(format!("{name}: unexpected reason: {outcome}"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        report.push(format!(
            "{name:<70} {}",
            result.unwrap_or_else(|e| format!("ERROR {e}"))
        ));
    }
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "fixtures not handled on purpose:\n{}",
        failures.join("\n")
    );
    let applied = report.iter().filter(|r| r.contains(" applied: ")).count();
    assert!(
        applied > 100,
        "only {applied} documents took effect:\n{}",
        report.join("\n")
    );
}

/// The local account `alice`, made for the test.
async fn local_alice(app: &TestApp) -> db::accounts::AccountRow {
    let id = app
        .create_user("alice", "correct horse battery", Role::Member)
        .await;
    db::accounts::by_id(app.state.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

/// Reads a fixture, or `None` (the folder is absent: the caller skips with a notice).
fn fixture(name: &str) -> Option<Value> {
    let path = fixtures_dir()?.join("activitypub").join(name);
    Some(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

/// A fixture with every occurrence of `from` (an actor id) replaced by `to`.
fn moved(doc: &Value, from: &str, to: &str) -> Value {
    serde_json::from_str(&doc.to_string().replace(from, to)).unwrap()
}

/// Stores a remote group actor from its document (as fetched), returning its account.
async fn store_group(app: &TestApp, doc: Value) -> db::accounts::AccountRow {
    let data = coopol::federation::data(&app.state);
    let json: protocol::Actor = serde_json::from_value(doc).unwrap();
    let id = json.id.clone();
    ApAccount::verify(&json, &id, &data).await.unwrap();
    ApAccount::from_json(json, &data).await.unwrap().row
}

/// The Lemmy and Mobilizon group documents go through the group paths, not only the generic
/// ones: group actors are remembered as groups (with Mobilizon's openness and members
/// collection), a Lemmy community's Announce puts the post in the group's timeline and its
/// followers' home, Mobilizon's Join and Leave make and end a membership of a group here, and
/// Mobilizon's Invite from a group's server invites a person here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_documents_take_the_group_paths() {
    let (
        Some(lemmy_group),
        Some(mobilizon_group),
        Some(announce),
        Some(join),
        Some(leave),
        Some(invite),
    ) = (
        fixture("lemmy/objects/group.json"),
        fixture("mobilizon/objects/group.json"),
        fixture("lemmy/activities/community/announce_create_page.json"),
        fixture("mobilizon-suite/mobilizon-join-activity.json"),
        fixture("mobilizon-suite/mobilizon-leave-activity.json"),
        fixture("mobilizon-suite/mobilizon-invite-activity.json"),
    )
    else {
        return;
    };
    let app = spawn_app().await;
    let alice = local_alice(&app).await;
    let group_of = |id: i64| {
        let state = app.state.clone();
        async move {
            coopol::service::groups::load(&state, id)
                .await
                .unwrap()
                .expect("remembered as a group")
        }
    };

    // Group actors: a Lemmy community and a Mobilizon group.
    let community = store_group(&app, lemmy_group.clone()).await;
    assert_eq!(community.actor_type, "Group");
    let remembered = group_of(community.id).await;
    assert_eq!(remembered.row.kind.as_str(), "other");
    assert_eq!(remembered.row.join_mode.as_str(), "open");
    let mobilizon = store_group(&app, mobilizon_group.clone()).await;
    let remembered = group_of(mobilizon.id).await;
    assert_eq!(
        remembered.row.join_mode.as_str(),
        "open",
        "Mobilizon's openness"
    );
    assert_eq!(
        remembered.row.members_url.as_deref(),
        Some("https://mobilizon.fr/@contribateliers/members")
    );
    let found = coopol::service::groups::directory(
        &app.state,
        coopol::service::groups::DirectoryQuery {
            q: Some("contribateliers".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1, "known remote groups are in the directory");

    // A Lemmy community announces a post: alice follows the community.
    let main = store_group(
        &app,
        moved(
            &lemmy_group,
            "https://enterprise.lemmy.ml/c/tenforward",
            "http://enterprise.lemmy.ml/c/main",
        ),
    )
    .await;
    make_follow(
        &app,
        alice.id,
        main.id,
        "http://x/follow",
        coopol::domain::FollowState::Accepted,
    )
    .await;
    store_actor(&app, "http://enterprise.lemmy.ml/u/lemmy_beta").await;
    let activity: protocol::Activity = serde_json::from_value(announce).unwrap();
    let outcome = receive::dispatch(&app.state, &main, &activity).await;
    assert!(
        matches!(outcome, Ok(Outcome::Applied(_))),
        "{:?}",
        outcome
            .as_ref()
            .map(|o| format!("{o:?}"))
            .map_err(|e| format!("{e:?}"))
    );
    let post = db::statuses::by_uri(app.state.pool(), "http://enterprise.lemmy.ml/post/7")
        .await
        .unwrap()
        .expect("the announced page is stored");
    assert_eq!(post.title.as_deref(), Some("post 4"));
    let timeline = db::groups::timeline(
        app.state.pool(),
        main.id,
        1,
        None,
        db::statuses::Page {
            limit: 20,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(timeline.iter().map(|s| s.id).collect::<Vec<_>>(), [post.id]);
    let home = coopol::service::timelines::home(
        &app.state,
        alice.id,
        db::statuses::Page {
            limit: 20,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        home.iter().any(|s| s.id == post.id),
        "in the follower's home"
    );

    // Mobilizon's Join and Leave, aimed at a section here.
    let section = coopol::service::groups::create(
        &app.state,
        &alice,
        coopol::service::groups::NewGroupInput {
            name: "pau".into(),
            display_name: "Section de Pau".into(),
            kind: "section".into(),
            postcode: Some("64000".into()),
            join_mode: Some("open".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let join = moved(
        &join,
        "http://mobilizon.test/events/some-uuid",
        &section.account.uri,
    );
    let outcome = process_activity(&app, &alice, join).await.unwrap();
    assert_eq!(outcome, "applied: joined the group");
    let member = store_actor(&app, "http://mobilizon2.test/@admin").await;
    let row = db::groups::member(app.state.pool(), section.account.id, member.id)
        .await
        .unwrap()
        .expect("a membership");
    assert_eq!(row.state.as_str(), "accepted");
    let leave = moved(
        &leave,
        "http://mobilizon.test/events/some-uuid",
        &section.account.uri,
    );
    let outcome = process_activity(&app, &alice, leave).await.unwrap();
    assert_eq!(outcome, "applied: left the group");
    assert!(
        db::groups::member(app.state.pool(), section.account.id, member.id)
            .await
            .unwrap()
            .is_none()
    );

    // Mobilizon's Invite, sent by the group's own server to alice.
    store_group(
        &app,
        moved(
            &mobilizon_group,
            "https://mobilizon.fr/@contribateliers",
            "http://mobilizon.test/@mygroup",
        ),
    )
    .await;
    let invite = moved(
        &moved(
            &invite,
            "http://mobilizon2.test/@admin",
            "http://mobilizon.test/@admin",
        ),
        "http://mobilizon.test/@someuser",
        &alice.uri,
    );
    let outcome = process_activity(&app, &alice, invite.clone())
        .await
        .unwrap();
    assert_eq!(outcome, "applied: invitation recorded");
    let group = db::accounts::by_uri(app.state.pool(), "http://mobilizon.test/@mygroup")
        .await
        .unwrap()
        .unwrap();
    let row = db::groups::member(app.state.pool(), group.id, alice.id)
        .await
        .unwrap()
        .expect("an invitation");
    assert_eq!(row.state.as_str(), "invited");
    app.stop().await;
}

/// Events from Mobilizon and Gancio keep their event data (times, zone, place, capacity, join
/// mode, status), not only the text Mastodon would show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_documents_keep_their_event_data() {
    let (Some(mobilizon), Some(gancio)) = (
        fixture("mobilizon/objects/event.json"),
        fixture("mobilizon-suite/gancio-event-activity.json"),
    ) else {
        return;
    };
    let app = spawn_app().await;
    let alice = local_alice(&app).await;
    let micros = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_micros()
    };
    let event_of = |uri: &'static str| {
        let state = app.state.clone();
        async move {
            let status = db::statuses::by_uri(state.pool(), uri)
                .await
                .unwrap()
                .expect("stored as a post");
            db::events::by_id(state.pool(), status.id)
                .await
                .unwrap()
                .expect("with its event data")
        }
    };

    let outcome = process_object(&app, mobilizon).await.unwrap();
    assert!(outcome.starts_with("applied"), "{outcome}");
    let event =
        event_of("https://rendezvous.nomagic.uk/events/b81c0531-a57c-497d-93ba-af0f8b255498").await;
    assert_eq!(event.name, "Caledonian scottish dance class");
    assert_eq!(event.timezone.as_str(), "Europe/London");
    assert_eq!(event.starts_at, micros("2022-12-11T19:00:00+00:00"));
    assert_eq!(event.ends_at, micros("2022-12-11T21:00:00+00:00"));
    assert_eq!(event.place_name.as_deref(), Some("The Kenn Centre"));
    assert_eq!(event.street.as_deref(), Some("Devon Expressway"));
    assert_eq!(event.postcode.as_deref(), Some("EX6 7TW"));
    assert_eq!(event.departement, None, "not a French postcode");
    assert!(event.latitude.as_deref().unwrap().starts_with("50.66"));
    assert_eq!(event.capacity, None, "Mobilizon's 0 is no limit");
    assert_eq!(event.join_mode.as_str(), "free");
    assert_eq!(event.status.as_str(), "confirmed");
    assert_eq!(event.category.as_deref(), Some("SPORTS"));
    assert_eq!(event.remote_participants, Some(0));

    let outcome = process_activity(&app, &alice, gancio).await.unwrap();
    assert!(outcome.starts_with("applied"), "{outcome}");
    let event = event_of("https://demo.gancio.org/federation/m/1").await;
    assert_eq!(event.name, "Demo event");
    assert_eq!(event.starts_at, micros("2021-07-14T17:30:57+02:00"));
    assert_eq!(event.ends_at, micros("2021-07-14T18:30:57+02:00"));
    // Gancio names no zone: its +02:00 in July is the instance's (Paris) time.
    assert_eq!(event.timezone.as_str(), "Europe/Paris");
    assert_eq!(event.place_name.as_deref(), Some("Colosseo"));
    app.stop().await;
}

/// Mobilizon's `Join` and `Leave`, aimed at an event here: the person takes part (and is
/// answered with an `Accept` embedding the Join), then leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobilizon_participation_documents_take_the_event_paths() {
    let (Some(join), Some(leave)) = (
        fixture("mobilizon-suite/mobilizon-join-activity.json"),
        fixture("mobilizon-suite/mobilizon-leave-activity.json"),
    ) else {
        return;
    };
    let app = spawn_app().await;
    let alice = local_alice(&app).await;
    let day = |h: i64| {
        (chrono::Utc::now() + chrono::Duration::days(5) + chrono::Duration::hours(h)).to_rfc3339()
    };
    let event = coopol::service::events::create(
        &app.state,
        &alice,
        coopol::service::events::NewEventInput {
            name: "Débat public".into(),
            start_time: day(0),
            end_time: day(2),
            capacity: Some(10),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let join = moved(
        &join,
        "http://mobilizon.test/events/some-uuid",
        &event.status.uri,
    );
    let outcome = process_activity(&app, &alice, join).await.unwrap();
    assert_eq!(outcome, "applied: taking part in the event");
    let admin = store_actor(&app, "http://mobilizon2.test/@admin").await;
    let p = db::events::participant(app.state.pool(), event.row.status_id, admin.id)
        .await
        .unwrap()
        .expect("a participation");
    assert_eq!(p.state.as_str(), "accepted");
    assert_eq!(
        p.uri.as_deref(),
        Some("http://mobilizon2.test/@admin/join/event/1")
    );
    common::eventually("the Accept is prepared", || async {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM out_activities")
            .fetch_all(app.state.pool())
            .await
            .unwrap();
        bodies.iter().any(|b| {
            let v: Value = serde_json::from_str(b).unwrap();
            v["type"] == "Accept"
                && v["object"]["type"] == "Join"
                && v["object"]["id"] == "http://mobilizon2.test/@admin/join/event/1"
                && v["object"]["object"] == event.status.uri.as_str()
        })
    })
    .await;
    let leave = moved(
        &leave,
        "http://mobilizon.test/events/some-uuid",
        &event.status.uri,
    );
    let outcome = process_activity(&app, &alice, leave).await.unwrap();
    assert_eq!(outcome, "applied: left the event");
    assert!(
        db::events::participant(app.state.pool(), event.row.status_id, admin.id)
            .await
            .unwrap()
            .is_none()
    );
    app.stop().await;
}

/// Captured posts with media show them in the API, served from here: Mastodon's picture (alt
/// text, blurhash), PeerTube's video (one of its files), Mobilizon's event picture (its
/// "Banner" marker is no alt text), Lemmy's picture; and on the post's web page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captured_posts_show_their_media() {
    let cases = [
        (
            "mastodon/objects/note_2.json",
            "image",
            Some(
                "The KDE dragons Katie and Konqi stand on either side of a pot filling up with gold coins. Donate!",
            ),
            Some("USQv:h-W-qI-^,W;RPs=^-R%NZxbo#sDobSc"),
            "https://cdn.masto.host/floss/media_attachments/files/113/306/826/682/985/891/original/c8d906a2f2ab2334.jpg",
        ),
        (
            "peertube/objects/video.json",
            "video",
            None,
            None,
            "https://tilvids.com/",
        ),
        (
            "mobilizon/objects/event.json",
            "image",
            None,
            None,
            "https://rendezvous.nomagic.uk/media/cd75bf2f61b66004fe20af4797f5aa847ae1f9ea1c118f53093d6fc4e51a6045.jpg",
        ),
        (
            "lemmy/objects/page.json",
            "image",
            None,
            None,
            "https://enterprise.lemmy.ml/pictrs/image/eOtYb9iEiB.png",
        ),
    ];
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("reader", "read").await;
    for (name, kind, description, blurhash, address) in cases {
        let Some(doc) = fixture(name) else {
            return;
        };
        let uri = doc["id"].as_str().unwrap().to_string();
        let outcome = process_object(&app, doc).await.unwrap();
        assert!(outcome.starts_with("applied"), "{name}: {outcome}");
        let row = db::statuses::by_uri(app.state.pool(), &uri)
            .await
            .unwrap()
            .unwrap();
        let (status, post) = app
            .get_json(&format!("/api/v1/statuses/{}", row.id), Some(&token))
            .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{name}: {post}");
        let media = post["media_attachments"].as_array().unwrap();
        assert_eq!(media.len(), 1, "{name}: {media:?}");
        let m = &media[0];
        assert_eq!(m["type"], kind, "{name}");
        assert_eq!(m["description"].as_str(), description, "{name}");
        assert_eq!(m["blurhash"].as_str(), blurhash, "{name}");
        assert!(
            m["remote_url"].as_str().unwrap().starts_with(address),
            "{name}: {}",
            m["remote_url"]
        );
        assert!(
            m["url"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}/media/", app.base)),
            "{name}: served from here, {}",
            m["url"]
        );
        // The web page of the post shows the same medium, from here.
        let acct = post["account"]["acct"].as_str().unwrap();
        let browser = app.browser();
        let mut page = browser.get(&format!("/@{acct}/{}", row.id)).await;
        // An event's post leads to the event's page.
        if let Some(to) = page
            .location
            .clone()
            .filter(|_| page.status.is_redirection())
        {
            page = browser.get(to.trim_start_matches(&app.base)).await;
        } else if page.status == reqwest::StatusCode::NOT_FOUND {
            page = browser.get(&format!("/events/{}", row.id)).await;
        }
        let path = m["url"]
            .as_str()
            .unwrap()
            .trim_start_matches(&app.base)
            .to_string();
        let id_path = format!("/media/{}/", m["id"].as_str().unwrap());
        assert!(
            page.contains(&path) || page.contains(&id_path),
            "{name}: the page shows {path} ({} {:?}): {}",
            page.status,
            page.location,
            &page.body[..page.body.len().min(300)]
        );
    }
    app.stop().await;
}
