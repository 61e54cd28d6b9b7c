//! Polls across servers (ActivityPub `Question`, Mastodon's way): a poll federated between
//! two coopol instances with a vote from the second and the final counts after the closing
//! `Update`; other servers' `Question`s read within bounds (the captured documents, absurd
//! counts, 500 options); votes from elsewhere counted only from who may read the poll, once,
//! for an existing option, before the end, and never as posts; a vote here in another
//! server's poll sent to its author.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, make_follow, spawn_app};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

async fn post_poll(app: &TestApp, token: &str, poll: Value, visibility: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": "Quel jour pour la réunion ?", "visibility": visibility,
                    "poll": poll}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn vote(app: &TestApp, token: &str, poll_id: &str, choices: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/polls/{poll_id}/votes"),
        Some(token),
        &json!({ "choices": choices }),
    )
    .await
}

async fn poll(app: &TestApp, token: &str, poll_id: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/polls/{poll_id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn counts(poll: &Value) -> Vec<i64> {
    poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["votes_count"].as_i64().unwrap_or(-1))
        .collect()
}

/// Ends a poll now, as if its time had passed.
async fn end_now(app: &TestApp, status_id: i64) {
    sqlx::query("UPDATE polls SET expires_at = $1 WHERE status_id = $2")
        .bind(coopol::clock::now() - 1)
        .bind(status_id)
        .execute(app.state.pool())
        .await
        .unwrap();
}

async fn status_uri(app: &TestApp, id: &str) -> String {
    coopol::db::statuses::by_id(app.state.pool(), id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
        .uri
}

async fn local_id_of(app: &TestApp, uri: &str) -> Option<i64> {
    coopol::db::statuses::by_uri(app.state.pool(), uri)
        .await
        .unwrap()
        .map(|s| s.id)
}

async fn posts_by(app: &TestApp, account_uri: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE a.uri = $1",
    )
    .bind(account_uri)
    .fetch_one(app.state.pool())
    .await
    .unwrap()
}

async fn resolve(app: &TestApp, token: &str, handle: &str) -> String {
    let q = common::urlencode(handle);
    let (status, body) = app
        .get_json(
            &format!("/api/v2/search?q={q}&resolve=true&type=accounts"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["accounts"][0]["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poll_federates_between_two_instances_with_a_vote_from_the_second() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let alice_on_b = resolve(&b, &bob, &format!("@alice@{}", a.domain)).await;
    let (status, _) = b
        .post_json(
            &format!("/api/v1/accounts/{alice_on_b}/follow"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("alice's server accepts bob's follow", || async {
        let (_, r) = b
            .get_json(
                &format!("/api/v1/accounts/relationships?id[]={alice_on_b}"),
                Some(&bob),
            )
            .await;
        r[0]["following"] == true
    })
    .await;

    let posted = post_poll(
        &a,
        &alice,
        json!({"options": ["Lundi", "Mardi", "Vendredi"], "expires_in": 3600}),
        "public",
    )
    .await;
    let id_on_a = posted["id"].as_str().unwrap().to_string();
    let uri = status_uri(&a, &id_on_a).await;

    // The post is a Question, as Mastodon writes one.
    let res = a
        .client
        .get(&uri)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["type"], "Question", "{doc}");
    assert_eq!(doc["oneOf"][1]["name"], "Mardi");
    assert_eq!(doc["oneOf"][1]["type"], "Note");
    assert_eq!(doc["oneOf"][1]["replies"]["type"], "Collection");
    assert_eq!(doc["oneOf"][1]["replies"]["totalItems"], 0);
    assert_eq!(doc["votersCount"], 0);
    assert!(doc["endTime"].is_string(), "{doc}");
    assert!(doc.get("closed").is_none(), "{doc}");
    assert!(doc.get("anyOf").is_none(), "{doc}");

    // B keeps it as a poll.
    eventually("B has the poll", || async {
        local_id_of(&b, &uri).await.is_some()
    })
    .await;
    let id_on_b = local_id_of(&b, &uri).await.unwrap().to_string();
    let on_b = poll(&b, &bob, &id_on_b).await;
    assert_eq!(counts(&on_b), vec![0, 0, 0], "{on_b}");
    assert_eq!(on_b["multiple"], false);
    assert_eq!(on_b["expired"], false);
    assert_eq!(on_b["options"][2]["title"], "Vendredi");

    // Bob votes on B: counted there at once, and on A when the vote arrives.
    let (status, voted) = vote(&b, &bob, &id_on_b, json!([1])).await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(voted["own_votes"], json!([1]));
    assert_eq!(counts(&voted), vec![0, 1, 0]);
    let (status, again) = vote(&b, &bob, &id_on_b, json!([0])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    eventually("A counts bob's vote", || async {
        counts(&poll(&a, &alice, &id_on_a).await) == vec![0, 1, 0]
    })
    .await;
    let on_a = poll(&a, &alice, &id_on_a).await;
    assert_eq!(on_a["voters_count"], 1);
    // The vote is neither a post nor a notification of one on A.
    assert_eq!(posts_by(&a, &format!("{}/users/bob", b.base)).await, 0);
    let (_, notes) = a.get_json("/api/v1/notifications", Some(&alice)).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["type"] != "mention"),
        "{notes}"
    );
    // A sends new counts later (debounced), and the final counts at once at the end.
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_events WHERE payload LIKE '%update_status%' \
         AND next_attempt_at > $1",
    )
    .bind(coopol::clock::now())
    .fetch_one(a.state.pool())
    .await
    .unwrap();
    assert_eq!(waiting, 1, "one debounced Update waits");

    // Someone voting on A too: still one waiting Update.
    let (_, carol) = a.user_with_token("carol", "read write").await;
    let (status, _) = vote(&a, &carol, &id_on_a, json!([2])).await;
    assert_eq!(status, StatusCode::OK);
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_events WHERE payload LIKE '%update_status%'",
    )
    .fetch_one(a.state.pool())
    .await
    .unwrap();
    assert_eq!(waiting, 1, "votes make one Update");

    end_now(&a, id_on_a.parse().unwrap()).await;
    eventually("B has the final counts", || async {
        let p = poll(&b, &bob, &id_on_b).await;
        counts(&p) == vec![0, 1, 1] && p["voters_count"] == 2 && p["expired"] == true
    })
    .await;
    // The end reaches bob, who voted.
    eventually("bob is told the poll ended", || async {
        let (_, list) = b
            .get_json("/api/v1/notifications?types[]=poll", Some(&bob))
            .await;
        list.as_array().unwrap().iter().any(|n| n["type"] == "poll")
    })
    .await;
    let (status, late) = vote(&b, &bob, &id_on_b, json!([0])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{late}");
}

/// A vote `Create(Note)` from `actor` for `name` in the poll `poll_uri`.
fn vote_note(h: &Hostile, actor: &str, n: u32, name: &str, poll_uri: &str, author: &str) -> Value {
    let id = h.url(&format!("/votes/{n}"));
    json!({"id": format!("{id}/activity"), "type": "Create", "actor": actor, "to": [author],
           "object": {"id": id, "type": "Note", "name": name, "attributedTo": actor,
                      "inReplyTo": poll_uri, "to": [author]}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn votes_from_elsewhere_are_counted_only_within_the_rules() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write").await;
    let author = app.url("/users/alice");
    let mallory = h.actor("mallory", "Person");

    let public = post_poll(
        &app,
        &alice,
        json!({"options": ["Oui", "Non"], "expires_in": 3600}),
        "public",
    )
    .await;
    let public_id = public["id"].as_str().unwrap().to_string();
    let public_uri = status_uri(&app, &public_id).await;

    // An option that does not exist: nothing counted, nothing stored.
    h.deliver_processed(
        &app,
        &mallory,
        &vote_note(&h, &mallory, 1, "Peut-être", &public_uri, &author),
    )
    .await;
    let p = poll(&app, &alice, &public_id).await;
    assert_eq!(counts(&p), vec![0, 0]);
    // A vote.
    h.deliver_processed(
        &app,
        &mallory,
        &vote_note(&h, &mallory, 2, "Non", &public_uri, &author),
    )
    .await;
    let p = poll(&app, &alice, &public_id).await;
    assert_eq!(counts(&p), vec![0, 1]);
    assert_eq!(p["voters_count"], 1);
    // A second vote (another option, then the same Note again): refused.
    h.deliver_processed(
        &app,
        &mallory,
        &vote_note(&h, &mallory, 3, "Oui", &public_uri, &author),
    )
    .await;
    let mut again = vote_note(&h, &mallory, 2, "Non", &public_uri, &author);
    again["id"] = json!(h.url("/votes/2/again"));
    h.deliver_processed(&app, &mallory, &again).await;
    let p = poll(&app, &alice, &public_id).await;
    assert_eq!(counts(&p), vec![0, 1]);
    assert_eq!(p["voters_count"], 1);

    // A multiple-choice poll: one Note per choice, one voter; the same choice twice once.
    let many = post_poll(
        &app,
        &alice,
        json!({"options": ["A", "B", "C"], "expires_in": 3600, "multiple": true}),
        "public",
    )
    .await;
    let many_id = many["id"].as_str().unwrap().to_string();
    let many_uri = status_uri(&app, &many_id).await;
    for (n, name) in [(10, "A"), (11, "C"), (12, "C")] {
        h.deliver_processed(
            &app,
            &mallory,
            &vote_note(&h, &mallory, n, name, &many_uri, &author),
        )
        .await;
    }
    let p = poll(&app, &alice, &many_id).await;
    assert_eq!(counts(&p), vec![1, 0, 1]);
    assert_eq!(p["voters_count"], 1);
    assert_eq!(p["votes_count"], 2);

    // Followers only: not from someone who may not read it; yes once they follow.
    let private = post_poll(
        &app,
        &alice,
        json!({"options": ["Oui", "Non"], "expires_in": 3600}),
        "private",
    )
    .await;
    let private_id = private["id"].as_str().unwrap().to_string();
    let private_uri = status_uri(&app, &private_id).await;
    h.deliver_processed(
        &app,
        &mallory,
        &vote_note(&h, &mallory, 20, "Oui", &private_uri, &author),
    )
    .await;
    assert_eq!(counts(&poll(&app, &alice, &private_id).await), vec![0, 0]);
    let mallory_id = coopol::db::accounts::by_uri(app.state.pool(), &mallory)
        .await
        .unwrap()
        .unwrap()
        .id;
    make_follow(
        &app,
        mallory_id,
        alice_id,
        &h.url("/follows/1"),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    h.deliver_processed(
        &app,
        &mallory,
        &vote_note(&h, &mallory, 21, "Oui", &private_uri, &author),
    )
    .await;
    assert_eq!(counts(&poll(&app, &alice, &private_id).await), vec![1, 0]);

    // After the end: refused.
    let late = post_poll(
        &app,
        &alice,
        json!({"options": ["Oui", "Non"], "expires_in": 3600}),
        "public",
    )
    .await;
    let late_id = late["id"].as_str().unwrap().to_string();
    let late_uri = status_uri(&app, &late_id).await;
    end_now(&app, late_id.parse().unwrap()).await;
    h.deliver_processed(
        &app,
        &mallory,
        &vote_note(&h, &mallory, 30, "Oui", &late_uri, &author),
    )
    .await;
    assert_eq!(counts(&poll(&app, &alice, &late_id).await), vec![0, 0]);

    // No vote became a post, nor a notification.
    assert_eq!(posts_by(&app, &mallory).await, 0);
    let (_, notes) = app.get_json("/api/v1/notifications", Some(&alice)).await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["type"] != "mention"),
        "{notes}"
    );
}

/// A `Question` by `actor`, addressed to `to`.
fn question(h: &Hostile, actor: &str, n: u32, to: &str, options: Value, extra: Value) -> Value {
    let id = h.url(&format!("/questions/{n}"));
    let mut object = json!({"id": id, "type": "Question", "attributedTo": actor,
        "content": "<p>Une question</p>", "to": [PUBLIC, to],
        "published": "2026-01-01T00:00:00Z",
        "endTime": "2099-01-01T00:00:00Z", "oneOf": options});
    for (k, v) in extra.as_object().unwrap() {
        object[k] = v.clone();
    }
    json!({"id": format!("{id}/activity"), "type": "Create", "actor": actor,
           "to": [PUBLIC, to], "object": object})
}

fn option(name: &str, count: Value) -> Value {
    json!({"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": count}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_from_elsewhere_are_polls_within_bounds_and_votes_here_reach_their_author() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (_, alice) = app.user_with_token("alice", "read write").await;
    let alice_uri = app.url("/users/alice");
    let mallory = h.actor("mallory", "Person");

    // Absurd counts: negative ones are 0, huge ones the bound, unreadable ones 0.
    let absurd = question(
        &h,
        &mallory,
        1,
        &alice_uri,
        json!([
            option("Oui", json!(-5)),
            option("Non", json!(1_000_000_000_000_000i64)),
            option("Blanc", json!("beaucoup")),
        ]),
        json!({"votersCount": -3}),
    );
    let (state, error) = h.deliver_processed(&app, &mallory, &absurd).await;
    assert_eq!(state, "done", "{error:?}");
    let absurd_id = local_id_of(&app, absurd["object"]["id"].as_str().unwrap())
        .await
        .expect("the question is stored")
        .to_string();
    let p = poll(&app, &alice, &absurd_id).await;
    assert_eq!(
        counts(&p),
        vec![0, coopol::domain::poll::MAX_REMOTE_COUNT, 0],
        "{p}"
    );
    assert_eq!(p["voters_count"], 0);
    assert_eq!(p["expired"], false);

    // 500 options: kept as its text, without a poll.
    let huge: Vec<Value> = (0..500)
        .map(|i| option(&format!("option {i}"), json!(1)))
        .collect();
    let many = question(&h, &mallory, 2, &alice_uri, json!(huge), json!({}));
    let (state, error) = h.deliver_processed(&app, &mallory, &many).await;
    assert_eq!(state, "done", "{error:?}");
    let many_id = local_id_of(&app, many["object"]["id"].as_str().unwrap())
        .await
        .expect("the post is stored");
    let (status, body) = app
        .get_json(&format!("/api/v1/statuses/{many_id}"), Some(&alice))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["poll"].is_null(), "{body}");
    let (status, _) = app
        .get_json(&format!("/api/v1/polls/{many_id}"), Some(&alice))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A poll; alice votes in it: counted here, sent to its author only.
    let q = question(
        &h,
        &mallory,
        3,
        &alice_uri,
        json!([option("Rouge", json!(2)), option("Vert", json!(3))]),
        json!({"votersCount": 5}),
    );
    h.deliver_processed(&app, &mallory, &q).await;
    let q_uri = q["object"]["id"].as_str().unwrap().to_string();
    let q_id = local_id_of(&app, &q_uri).await.unwrap().to_string();
    assert_eq!(counts(&poll(&app, &alice, &q_id).await), vec![2, 3]);
    let (status, voted) = vote(&app, &alice, &q_id, json!([0])).await;
    assert_eq!(status, StatusCode::OK, "{voted}");
    assert_eq!(counts(&voted), vec![3, 3]);
    assert_eq!(voted["voters_count"], 6);
    let sent = || {
        h.received()
            .into_iter()
            .filter(|r| r.method == reqwest::Method::POST)
            .map(|r| (r.path.clone(), r.json()))
            .filter(|(_, b)| b["object"]["inReplyTo"] == q_uri.as_str())
            .collect::<Vec<_>>()
    };
    eventually("the vote reaches the poll's author", || async {
        !sent().is_empty()
    })
    .await;
    let (path, body) = sent().remove(0);
    assert_eq!(path, "/users/mallory/inbox", "to the author's own inbox");
    assert_eq!(body["type"], "Create");
    assert_eq!(body["actor"], alice_uri.as_str());
    assert_eq!(body["object"]["type"], "Note");
    assert_eq!(body["object"]["name"], "Rouge");
    assert_eq!(body["object"]["attributedTo"], alice_uri.as_str());
    assert_eq!(body["object"]["to"], json!([mallory]));
    assert!(body["object"].get("content").is_none(), "{body}");
    assert!(!body.to_string().contains(PUBLIC), "{body}");

    // Its server's Update (same `updated`: counts only) sets the counts; `closed` ends it.
    let mut update = q.clone();
    update["id"] = json!(h.url("/questions/3#updates/1"));
    update["type"] = json!("Update");
    update["object"]["oneOf"] = json!([option("Rouge", json!(4)), option("Vert", json!(3))]);
    update["object"]["votersCount"] = json!(7);
    update["object"]["closed"] = json!("2026-01-02T00:00:00Z");
    let (state, error) = h.deliver_processed(&app, &mallory, &update).await;
    assert_eq!(state, "done", "{error:?}");
    let p = poll(&app, &alice, &q_id).await;
    assert_eq!(counts(&p), vec![4, 3]);
    assert_eq!(p["voters_count"], 7);
    assert_eq!(p["own_votes"], json!([0]), "alice's vote stays hers");
    eventually("alice is told the poll ended", || async {
        let p = poll(&app, &alice, &q_id).await;
        let (_, list) = app
            .get_json("/api/v1/notifications?types[]=poll", Some(&alice))
            .await;
        p["expired"] == true && list.as_array().unwrap().iter().any(|n| n["type"] == "poll")
    })
    .await;

    // An Update that changes the options: a new poll, the votes here forgotten.
    let mut changed = update.clone();
    changed["id"] = json!(h.url("/questions/3#updates/2"));
    changed["object"]["oneOf"] = json!([option("Bleu", json!(0)), option("Jaune", json!(0))]);
    changed["object"]["updated"] = json!("2026-01-03T00:00:00Z");
    changed["object"].as_object_mut().unwrap().remove("closed");
    h.deliver_processed(&app, &mallory, &changed).await;
    let p = poll(&app, &alice, &q_id).await;
    assert_eq!(p["options"][0]["title"], "Bleu");
    assert_eq!(p["own_votes"], json!([]));

    // A vote Note for another server's poll is not a post here either.
    let other = vote_note(&h, &mallory, 40, "Rouge", &q_uri, &alice_uri);
    h.deliver_processed(&app, &mallory, &other).await;
    assert!(
        local_id_of(&app, &h.url("/votes/40")).await.is_none(),
        "a vote became a post"
    );
}

#[test]
fn the_captured_questions_are_read_as_polls() {
    let Some(dir) = common::fixtures_dir() else {
        return;
    };
    let mut read = 0;
    for path in common::fixture_files(&dir.join("activitypub")) {
        let Ok(doc) = serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()) else {
            continue;
        };
        let object = if doc["type"] == "Question" {
            doc
        } else if doc["object"]["type"] == "Question" {
            doc["object"].clone()
        } else {
            continue;
        };
        let note = coopol::federation::activities::parse_note(&object)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let poll = coopol::federation::activities::poll::read(&note)
            .unwrap_or_else(|| panic!("{}: no poll read", path.display()))
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert!(!poll.options.is_empty(), "{}", path.display());
        assert!(
            poll.options
                .iter()
                .all(|(_, c)| (0..=coopol::domain::poll::MAX_REMOTE_COUNT).contains(c)),
            "{}",
            path.display()
        );
        read += 1;
    }
    if read == 0 {
        eprintln!(
            "notice: no captured Question under {}/activitypub; the fixture check is skipped",
            dir.display()
        );
    }
}
