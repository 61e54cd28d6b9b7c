//! The inbox's bulk path (`federation::bulk`): a run of `Create`s stored in one transaction.
//! What it settles must be what processing one by one would have done, and what it leaves
//! must be exactly what needs the ordinary path (a parent to fetch, an event, a forged
//! author, an unknown signer, the same post twice).

mod common;

use common::{TestApp, fixture_files, fixtures_dir, make_follow, spawn_app, store_actor};
use coopol::{
    db::{self, federation::QueuedActivity},
    domain::Role,
    federation::{
        bulk,
        receive::{self, Failure, Outcome},
    },
};
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Remote authors on ports nothing listens on: a parent fetched from them fails at once.
const X1: &str = "http://localhost:1/users/x1";
const X2: &str = "http://localhost:2/users/x2";

fn create(actor: &str, note: Value) -> Value {
    let id = note["id"].as_str().unwrap().to_string();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/activity"),
        "type": "Create",
        "actor": actor,
        "to": note["to"].clone(),
        "cc": note["cc"].clone(),
        "object": note,
    })
}

fn note(author: &str, n: &str, to: Value, cc: Value) -> Value {
    let host = author.split("/users/").next().unwrap();
    json!({
        "id": format!("{host}/notes/{n}"),
        "type": "Note",
        "attributedTo": author,
        "content": format!("<p>post {n}</p>"),
        "published": "2026-11-20T10:00:00Z",
        "to": to,
        "cc": cc,
    })
}

fn queued(id: i64, activity: &Value) -> QueuedActivity {
    QueuedActivity {
        id,
        activity_uri: activity["id"].as_str().unwrap_or_default().to_string(),
        signer: activity["actor"].as_str().unwrap_or_default().to_string(),
        body: activity.to_string(),
        attempts: 1,
    }
}

/// A post as stored, in terms that do not depend on the instance (ids become ActivityPub ids
/// and usernames).
async fn snapshot(app: &TestApp, uri: &str) -> Option<Value> {
    let pool = app.state.pool();
    let post = db::statuses::by_uri(pool, uri).await.unwrap()?;
    let parent = match post.in_reply_to_id {
        Some(id) => db::statuses::by_id(pool, id).await.unwrap().map(|p| p.uri),
        None => None,
    };
    let names = |sql: &'static str| async move {
        let mut v: Vec<String> = sqlx::query_scalar(sql)
            .bind(post.id)
            .fetch_all(pool)
            .await
            .unwrap();
        v.sort();
        v
    };
    // Answers as counted by the triggers of migration 0011.
    let answers: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT replies FROM status_stats WHERE status_id = $1), 0)",
    )
    .bind(post.id)
    .fetch_one(pool)
    .await
    .unwrap();
    Some(json!({
        "answers": answers,
        "content": post.content,
        "spoiler": post.spoiler_text,
        "visibility": post.visibility,
        "sensitive": post.sensitive,
        "language": post.language,
        "title": post.title,
        "in_reply_to_uri": post.in_reply_to_uri,
        "parent": parent,
        "group": post.group_id.is_some(),
        "mentions": names("SELECT CASE WHEN a.domain IS NULL THEN a.username ELSE a.uri END FROM mentions m JOIN accounts a ON a.id = m.account_id WHERE m.status_id = $1").await,
        "tags": names("SELECT name FROM status_tags WHERE status_id = $1").await,
        "feeds": names("SELECT a.username FROM feeds f JOIN accounts a ON a.id = f.account_id WHERE f.status_id = $1").await,
        "notified": names("SELECT a.username || ':' || n.type FROM notifications n JOIN accounts a ON a.id = n.account_id WHERE n.status_id = $1").await,
    }))
}

/// alice and bob here; bob follows X1; a post of X2 that mentions alice is here already, and
/// a deleted one's tombstone.
async fn setup() -> (TestApp, String) {
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let bob = app
        .create_user("bob", "correct horse battery", Role::Member)
        .await;
    let alice = coopol::service::accounts::actor_uri(&app.state, "alice");
    let x1 = store_actor(&app, X1).await;
    store_actor(&app, X2).await;
    make_follow(
        &app,
        bob,
        x1.id,
        "http://localhost:9/follows/1",
        coopol::domain::FollowState::Accepted,
    )
    .await;
    let known = create(X2, note(X2, "known", json!([PUBLIC, alice]), json!([])));
    assert_eq!(
        receive::process(&app.state, X2, &known.to_string())
            .await
            .unwrap(),
        Outcome::Applied("post stored")
    );
    let mut conn = app.state.pool().acquire().await.unwrap();
    db::statuses::add_tombstone(&mut conn, "http://localhost:2/notes/gone", 0)
        .await
        .unwrap();
    (app, alice)
}

/// The run used below, with what the bulk path must make of each.
fn run(alice: &str) -> Vec<(Value, Option<Outcome>)> {
    let mention = |n: Value| {
        let mut n = n;
        n["tag"] = json!([
            {"type": "Mention", "href": alice, "name": "@alice"},
            {"type": "Hashtag", "name": "#Bulk", "href": "http://localhost:1/tags/bulk"},
        ]);
        n
    };
    let reply = |mut n: Value, to: &str| {
        n["inReplyTo"] = json!(to);
        n
    };
    let plain = mention(note(
        X1,
        "plain",
        json!([PUBLIC]),
        json!([format!("{X1}/followers"), alice]),
    ));
    let direct = mention(note(X1, "direct", json!([alice]), json!([])));
    let mut event = note(X2, "event", json!([PUBLIC, alice]), json!([]));
    event["type"] = json!("Event");
    event["name"] = json!("Fête");
    event["startTime"] = json!("2026-12-01T18:00:00Z");
    let mut forged = note(X1, "forged", json!([PUBLIC, alice]), json!([]));
    forged["attributedTo"] = json!(X2);
    let mut twice = create(X1, plain.clone());
    twice["id"] = json!("http://localhost:1/notes/plain/again");
    let stored = Some(Outcome::Applied("post stored"));
    vec![
        (create(X1, plain), stored.clone()),
        (twice, None),
        (
            create(X2, note(X2, "nobody", json!([PUBLIC]), json!([]))),
            Some(Outcome::Ignored(
                "nobody here follows the author or is addressed",
            )),
        ),
        (
            create(
                X2,
                reply(
                    note(X2, "answer", json!([PUBLIC]), json!([])),
                    "http://localhost:2/notes/known",
                ),
            ),
            stored.clone(),
        ),
        (
            create(X2, note(X2, "gone", json!([PUBLIC, alice]), json!([]))),
            Some(Outcome::Ignored("the post was deleted")),
        ),
        (
            create(
                X2,
                reply(
                    mention(note(X2, "orphan", json!([PUBLIC]), json!([]))),
                    "http://localhost:1/notes/direct",
                ),
            ),
            None,
        ),
        (create(X1, direct), stored.clone()),
        (create(X2, event), None),
        (create(X1, forged), None),
        (
            create(
                "http://localhost:3/users/x3",
                note(
                    "http://localhost:3/users/x3",
                    "stranger",
                    json!([alice]),
                    json!([]),
                ),
            ),
            None,
        ),
        (
            create(X2, note(X2, "known", json!([PUBLIC, alice]), json!([]))),
            Some(Outcome::Ignored("the post is already here")),
        ),
        (
            create(
                X1,
                note(
                    X1,
                    "followers",
                    json!([format!("{X1}/followers")]),
                    json!([]),
                ),
            ),
            stored,
        ),
    ]
}

#[tokio::test]
async fn a_run_of_posts_is_settled_in_one_transaction_and_the_rest_left_in_order() {
    let (app, alice) = setup().await;
    let run = run(&alice);
    let items: Vec<QueuedActivity> = run
        .iter()
        .enumerate()
        .map(|(i, (a, _))| queued(i as i64 + 1, a))
        .collect();
    let stored = bulk::store_creates(&app.state, &items).await.unwrap();

    let left: Vec<usize> = (0..run.len()).filter(|i| run[*i].1.is_none()).collect();
    assert_eq!(stored.rest, left, "left to the ordinary path");
    let mut settled = stored.settled.clone();
    settled.sort_by_key(|(id, _)| *id);
    let expected: Vec<(i64, Outcome)> = run
        .iter()
        .enumerate()
        .filter_map(|(i, (_, o))| o.clone().map(|o| (i as i64 + 1, o)))
        .collect();
    assert_eq!(settled, expected);
    // Counted per statement on PostgreSQL (migration 0018), per row on SQLite.
    common::assert_numbers_match_a_recount(&app, "a run of posts in bulk").await;

    // What was stored: followers' and mentioned people's timelines, notifications, tags.
    let plain = snapshot(&app, "http://localhost:1/notes/plain")
        .await
        .unwrap();
    assert_eq!(plain["visibility"], "public");
    assert_eq!(plain["feeds"], json!(["alice", "bob"]));
    assert_eq!(plain["notified"], json!(["alice:mention"]));
    assert_eq!(plain["mentions"], json!(["alice"]));
    assert_eq!(plain["tags"], json!(["bulk"]));
    let direct = snapshot(&app, "http://localhost:1/notes/direct")
        .await
        .unwrap();
    assert_eq!(direct["visibility"], "direct");
    assert_eq!(
        direct["feeds"],
        json!(["alice"]),
        "a follower does not get a direct message"
    );
    let private = snapshot(&app, "http://localhost:1/notes/followers")
        .await
        .unwrap();
    assert_eq!(private["visibility"], "private");
    assert_eq!(private["feeds"], json!(["bob"]), "followers only");
    let answer = snapshot(&app, "http://localhost:2/notes/answer")
        .await
        .unwrap();
    assert_eq!(answer["parent"], "http://localhost:2/notes/known");
    let known = snapshot(&app, "http://localhost:2/notes/known")
        .await
        .unwrap();
    assert_eq!(known["answers"], 1, "{known}");
    assert!(
        snapshot(&app, "http://localhost:2/notes/nobody")
            .await
            .is_none()
    );
    assert!(
        snapshot(&app, "http://localhost:2/notes/gone")
            .await
            .is_none()
    );

    // The rest, one by one as the worker does, in order: the orphan finds its parent stored
    // by the run, the second copy finds the first.
    let mut outcomes = Vec::new();
    for i in &stored.rest {
        let item = &items[*i];
        outcomes.push(
            match receive::process(&app.state, &item.signer, &item.body).await {
                Ok(o) => format!("{o:?}"),
                Err(Failure::Permanent(why)) => format!("permanent: {why}"),
                Err(Failure::Retry(why)) => format!("retry: {why}"),
            },
        );
    }
    assert_eq!(
        outcomes,
        [
            "Ignored(\"the post is already here\")",
            "Applied(\"post stored\")",
            "Applied(\"post stored\")",
            "permanent: the actor is not the author",
            "retry: the signer is not stored",
        ]
    );
    let orphan = snapshot(&app, "http://localhost:2/notes/orphan")
        .await
        .unwrap();
    assert_eq!(orphan["parent"], "http://localhost:1/notes/direct");
    common::assert_numbers_match_a_recount(&app, "the rest of the run, one by one").await;
    app.stop().await;
}

#[tokio::test]
async fn an_answer_stored_before_its_parent_is_linked_when_the_parent_comes_in_bulk() {
    let (app, alice) = setup().await;
    // The answer first, one by one (its parent cannot be fetched: nothing listens there).
    let mut answer = note(X2, "early", json!([PUBLIC, alice.clone()]), json!([]));
    answer["inReplyTo"] = json!("http://localhost:1/notes/late");
    let answer = create(X2, answer);
    receive::process(&app.state, X2, &answer.to_string())
        .await
        .unwrap();
    let early = snapshot(&app, "http://localhost:2/notes/early")
        .await
        .unwrap();
    assert_eq!(early["parent"], Value::Null);
    // Then the parent, in a run.
    let parent = create(X1, note(X1, "late", json!([PUBLIC]), json!([])));
    let stored = bulk::store_creates(&app.state, &[queued(1, &parent)])
        .await
        .unwrap();
    assert_eq!(stored.settled, [(1, Outcome::Applied("post stored"))]);
    let early = snapshot(&app, "http://localhost:2/notes/early")
        .await
        .unwrap();
    assert_eq!(early["parent"], "http://localhost:1/notes/late");
    let late = snapshot(&app, "http://localhost:1/notes/late")
        .await
        .unwrap();
    assert_eq!(
        late["answers"], 1,
        "the answer linked later is counted: {late}"
    );
    app.stop().await;
}

/// Every `Create` of the captured real-world payloads (and the run above), processed in bulk
/// on one instance and one by one on another, gives the same posts.
#[tokio::test]
async fn bulk_and_one_by_one_store_the_same_posts() {
    let (bulk_app, bulk_alice) = setup().await;
    let (solo_app, solo_alice) = setup().await;
    let mut fixtures: Vec<Value> = Vec::new();
    if let Some(dir) = fixtures_dir() {
        for path in fixture_files(&dir) {
            let Ok(doc) = serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap())
            else {
                continue;
            };
            if doc["type"] == "Create" && doc["object"].is_object() {
                fixtures.push(doc);
            }
        }
    }
    // The same activities (naming each instance's alice); their authors stored, and followed
    // by alice, on both instances.
    let mut queues = Vec::new();
    for (app, alice) in [(&bulk_app, &bulk_alice), (&solo_app, &solo_alice)] {
        let activities: Vec<Value> = run(alice)
            .into_iter()
            .map(|(a, _)| a)
            .chain(fixtures.iter().cloned())
            .collect();
        let alice_id = db::accounts::local_by_username(app.state.pool(), "alice")
            .await
            .unwrap()
            .unwrap()
            .id;
        for a in &activities {
            let actor = coopol::federation::protocol::id_of(&a["actor"]).unwrap_or_default();
            if actor.starts_with("http://localhost:3/") || actor.is_empty() {
                continue;
            }
            let author = store_actor(app, actor).await;
            let follow = format!("{}#follow-by-alice", author.uri);
            if db::social::follow_by_uri(app.state.pool(), &follow)
                .await
                .unwrap()
                .is_none()
            {
                make_follow(
                    app,
                    alice_id,
                    author.id,
                    &follow,
                    coopol::domain::FollowState::Accepted,
                )
                .await;
            }
        }
        let items: Vec<QueuedActivity> = activities
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut q = queued(i as i64 + 1, a);
                q.signer = coopol::federation::protocol::id_of(&a["actor"])
                    .unwrap_or_default()
                    .to_string();
                q
            })
            .collect();
        queues.push((activities, items));
    }
    let (activities, items) = &queues[0];
    let solo_items = &queues[1].1;
    let stored = bulk::store_creates(&bulk_app.state, items).await.unwrap();
    assert!(
        stored.settled.len() > 5,
        "the bulk path took too little: {stored:?}"
    );
    for i in &stored.rest {
        let _ = receive::process(&bulk_app.state, &items[*i].signer, &items[*i].body).await;
    }
    for item in solo_items {
        let _ = receive::process(&solo_app.state, &item.signer, &item.body).await;
    }

    let mut compared = 0;
    for a in activities {
        let Some(uri) = a["object"]["id"].as_str() else {
            continue;
        };
        let (b, s) = (
            snapshot(&bulk_app, uri).await,
            snapshot(&solo_app, uri).await,
        );
        assert_eq!(b, s, "{uri} differs between bulk and one by one");
        compared += usize::from(b.is_some());
    }
    println!(
        "{compared} posts compared; {} of {} activities settled in bulk",
        stored.settled.len(),
        items.len()
    );
    assert!(compared > 5, "only {compared} posts compared");
    bulk_app.stop().await;
    solo_app.stop().await;
}

#[tokio::test]
async fn a_long_run_is_stored_whole_in_as_many_parts_as_the_database_needs() {
    // 101 posts: one transaction on PostgreSQL, parts of 64 on SQLite (the last one short).
    // Neither 101 nor 37 is a size statements are written for: the last rows of each
    // statement are repeated (`db::padded_chunks`) and must be stored once.
    let (app, alice) = setup().await;
    let items: Vec<QueuedActivity> = (0..101)
        .map(|i| {
            let post = note(X1, &format!("long{i}"), json!([PUBLIC, alice]), json!([]));
            queued(i + 1, &create(X1, post))
        })
        .collect();
    let stored = bulk::store_creates(&app.state, &items).await.unwrap();
    assert!(stored.rest.is_empty(), "left: {:?}", stored.rest);
    let mut settled = stored.settled.clone();
    settled.sort_by_key(|(id, _)| *id);
    assert_eq!(
        settled,
        (1..=101)
            .map(|id| (id, Outcome::Applied("post stored")))
            .collect::<Vec<_>>()
    );
    for i in [0, 31, 32, 63, 64, 99, 100] {
        let post = snapshot(&app, &format!("http://localhost:1/notes/long{i}"))
            .await
            .unwrap_or_else(|| panic!("post {i} stored"));
        assert_eq!(post["feeds"], json!(["alice", "bob"]), "post {i}");
        assert_eq!(post["mentions"], json!(["alice"]), "post {i}");
    }
    let x1_posts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.uri = $1",
    )
    .bind(X1)
    .fetch_one(app.state.pool())
    .await
    .unwrap();
    assert_eq!(x1_posts, 101);
    // Each post once in alice's and bob's timelines, mentioning alice once, notifying her once.
    for (what, sql, expected) in [
        (
            "feed entries",
            "SELECT COUNT(*) FROM feeds f JOIN statuses s ON s.id = f.status_id WHERE s.uri LIKE '%/long%'",
            202,
        ),
        (
            "mentions",
            "SELECT COUNT(*) FROM mentions m JOIN statuses s ON s.id = m.status_id WHERE s.uri LIKE '%/long%'",
            101,
        ),
        (
            "notifications",
            "SELECT COUNT(*) FROM notifications n JOIN statuses s ON s.id = n.status_id WHERE s.uri LIKE '%/long%'",
            101,
        ),
    ] {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(app.state.pool())
            .await
            .unwrap();
        assert_eq!(n, expected, "{what}");
    }
    common::assert_numbers_match_a_recount(&app, "a long run in parts").await;
    app.stop().await;
}
