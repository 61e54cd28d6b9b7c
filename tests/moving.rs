//! Moving accounts (docs/FEDERATION.md, "Moving"): `alsoKnownAs`, `Move` and `movedTo` both
//! ways, between two coopol instances and with a Mastodon-shaped server (`hostile::Hostile`
//! serving actors built from Mastodon's captured `Person`), and the moves a hostile server may
//! try (docs/SECURITY.md, rule T16).

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{TestApp, eventually, make_follow, spawn_app};
use coopol::{db, domain::FollowState, service::moving};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

async fn account(app: &TestApp, id: i64) -> db::accounts::AccountRow {
    db::accounts::by_id(app.state.pool(), id)
        .await
        .unwrap()
        .unwrap()
}

async fn follows(app: &TestApp, follower: i64, target: i64) -> Option<FollowState> {
    db::social::follow(app.state.pool(), follower, target)
        .await
        .unwrap()
        .map(|f| f.state)
}

/// Why a service refused: the field's reason when it names one.
fn reason(e: &coopol::error::AppError) -> &'static str {
    e.fields.first().map(|f| f.key).unwrap_or(e.key)
}

async fn notified_of_move(app: &TestApp, token: &str) -> usize {
    let (_, body) = app.get_json("/api/v1/notifications", Some(token)).await;
    body.as_array()
        .map(|a| a.iter().filter(|n| n["type"] == "move").count())
        .unwrap_or(0)
}

/// A Mastodon `Person` (the captured one) on the hostile server at `/users/{name}`, with its
/// `alsoKnownAs`.
fn mastodon_person(h: &Hostile, name: &str, also_known_as: &[&str]) -> String {
    let mut doc = h.actor_doc(name, "Person");
    if let Some(dir) = common::fixtures_dir() {
        let path = dir.join("activitypub/mastodon/objects/person.json");
        let captured: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        // Mastodon's context (which defines alsoKnownAs and movedTo) and its other fields, with
        // this server's ids and keys.
        let mut merged = captured.clone();
        for (k, v) in doc.as_object().unwrap() {
            merged[k] = v.clone();
        }
        merged["@context"] = captured["@context"].clone();
        for gone in [
            "url",
            "featured",
            "featuredTags",
            "following",
            "devices",
            "icon",
            "image",
        ] {
            merged.as_object_mut().unwrap().remove(gone);
        }
        doc = merged;
    } else {
        println!("fixtures absent: a plain actor stands for Mastodon's");
    }
    doc["alsoKnownAs"] = json!(also_known_as);
    h.serve(&format!("/users/{name}"), doc);
    h.url(&format!("/users/{name}"))
}

/// Mastodon's `Move` (`ActivityPub::MoveSerializer`): no addressing, the actor as object.
fn mastodon_move(origin: &str, target: &str, n: u32) -> Value {
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{origin}#moves/{n}"),
        "type": "Move",
        "actor": origin,
        "object": origin,
        "target": target,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_moves_from_a_to_b_and_followers_here_and_on_a_third_server_follow() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let h = Hostile::start().await;
    let (old_id, old_token) = a.user_with_token("alice", "read write follow").await;
    let (carol_id, carol_token) = a.user_with_token("carol", "read write follow").await;
    let (new_id, _) = b.user_with_token("alice2", "read write follow").await;
    let old = account(&a, old_id).await;
    let new = account(&b, new_id).await;
    // Followers: carol here, and someone on a Mastodon server.
    make_follow(
        &a,
        carol_id,
        old_id,
        "http://a.test/f/1",
        FollowState::Accepted,
    )
    .await;
    let fan = mastodon_person(&h, "fan", &[]);
    let fan_row = h.introduce(&a, &fan).await;
    make_follow(
        &a,
        fan_row.id,
        old_id,
        &format!("{fan}#follows/1"),
        FollowState::Accepted,
    )
    .await;

    // Without the alias on B, the move is refused.
    let err = moving::move_person(&a.state, &old, &format!("alice2@{}", b.domain), PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(reason(&err), "error-move-missing-alias");
    // A wrong password is refused too.
    moving::add_alias(&b.state, &new, &format!("alice@{}", a.domain))
        .await
        .unwrap();
    let err = moving::move_person(&a.state, &old, &format!("alice2@{}", b.domain), "nope")
        .await
        .unwrap_err();
    assert_eq!(reason(&err), "error-wrong-password");
    let (_, doc) = h.fetch(&b, &fan, &new.uri).await;
    assert_eq!(doc["alsoKnownAs"], json!([old.uri]), "{doc}");

    let target = moving::move_person(&a.state, &old, &format!("alice2@{}", b.domain), PASSWORD)
        .await
        .unwrap();
    assert_eq!(target.uri, new.uri);

    // The old actor points to the new one; its followers' servers got the Move.
    let (_, doc) = h.fetch(&a, &fan, &old.uri).await;
    assert_eq!(doc["movedTo"], json!(new.uri), "{doc}");
    eventually("the Mastodon server receives the Move", || async {
        h.received().iter().any(|r| {
            let j = r.json();
            j["type"] == "Move" && j["object"] == json!(old.uri) && j["target"] == json!(new.uri)
        })
    })
    .await;
    // carol follows the new account (B accepts), not the old one, and is told.
    let new_on_a = db::accounts::by_uri(a.state.pool(), &new.uri)
        .await
        .unwrap()
        .unwrap();
    eventually("carol follows alice on B", || async {
        follows(&a, carol_id, new_on_a.id).await == Some(FollowState::Accepted)
    })
    .await;
    assert_eq!(follows(&a, carol_id, old_id).await, None);
    assert_eq!(notified_of_move(&a, &carol_token).await, 1);
    eventually("B counts carol as a follower", || async {
        db::moving::local_followers(b.state.pool(), new.id)
            .await
            .unwrap()
            .is_empty()
            && db::social::remote_follower_inboxes(b.state.pool(), new.id)
                .await
                .unwrap()
                .len()
                == 1
    })
    .await;

    // Apps see `moved`; the old account posts no more and takes no new followers.
    let (_, api) = a
        .get_json(&format!("/api/v1/accounts/{old_id}"), None)
        .await;
    assert_eq!(api["moved"]["uri"], json!(new.uri), "{api}");
    let (status, _) = a
        .post_json(
            "/api/v1/statuses",
            Some(&old_token),
            &json!({"status": "encore"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, dave_token) = a.user_with_token("dave", "read write follow").await;
    let (status, _) = a
        .post_json(
            &format!("/api/v1/accounts/{old_id}/follow"),
            Some(&dave_token),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A Follow from another server is rejected.
    let follow = json!({"id": format!("{fan}#follows/2"), "type": "Follow", "actor": fan,
                        "object": old.uri});
    db::social::delete_follows_between(
        &mut a.state.pool().acquire().await.unwrap(),
        fan_row.id,
        old_id,
    )
    .await
    .unwrap();
    h.deliver_processed(&a, &fan, &follow).await;
    assert_eq!(follows(&a, fan_row.id, old_id).await, None);
    // And it cannot move again before the cooldown.
    let moved = account(&a, old_id).await;
    let err = moving::move_person(&a.state, &moved, &format!("alice2@{}", b.domain), PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(reason(&err), "error-move-cooldown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_between_mastodon_and_us_both_ways_take_our_followers() {
    let a = spawn_app().await;
    let h = Hostile::start().await;
    let (lea_id, lea_token) = a.user_with_token("lea", "read write follow").await;
    let (home_id, _) = a.user_with_token("home", "read write follow").await;
    let (blocker_id, _) = a.user_with_token("blocker", "read write follow").await;
    let home = account(&a, home_id).await;
    let old = mastodon_person(&h, "old", &[]);
    let old_row = h.introduce(&a, &old).await;
    make_follow(
        &a,
        lea_id,
        old_row.id,
        "http://a.test/f/old",
        FollowState::Accepted,
    )
    .await;
    let blocker = account(&a, blocker_id).await;
    coopol::service::relationships::block(&a.state, &blocker, &old_row)
        .await
        .unwrap();

    // A Mastodon account moving to one of ours: the alias is given by address.
    moving::add_alias(&a.state, &home, &old).await.unwrap();
    let (state, error) = h
        .deliver_processed(&a, &old, &mastodon_move(&old, &home.uri, 1))
        .await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(
        follows(&a, lea_id, home_id).await,
        Some(FollowState::Accepted)
    );
    assert_eq!(follows(&a, lea_id, old_row.id).await, None);
    assert_eq!(notified_of_move(&a, &lea_token).await, 1);
    eventually("the old account's server is told lea left", || async {
        h.received()
            .iter()
            .any(|r| r.json()["type"] == "Undo" && r.json()["object"]["object"] == json!(old))
    })
    .await;
    // The block carries over to the new account.
    let rel = coopol::service::relationships::relationship(&a.state, blocker_id, home_id)
        .await
        .unwrap();
    assert!(rel.blocking);
    let (_, api) = a
        .get_json(&format!("/api/v1/accounts/{}", old_row.id), None)
        .await;
    assert_eq!(api["moved"]["id"], json!(home_id.to_string()), "{api}");

    // Replayed (a second later, a new signature): nothing more happens.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = mastodon_move(&old, &home.uri, 2);
    let (state, _) = h.deliver_processed(&a, &old, &again).await;
    assert_eq!(state, "done");
    assert_eq!(notified_of_move(&a, &lea_token).await, 1);

    // A chain between Mastodon accounts: c1 → c2, then c2 → c3; lea follows each in turn
    // (a Follow to the Mastodon server), ending with c3.
    let c1 = mastodon_person(&h, "c1", &[]);
    let c1_row = h.introduce(&a, &c1).await;
    make_follow(
        &a,
        lea_id,
        c1_row.id,
        "http://a.test/f/c1",
        FollowState::Accepted,
    )
    .await;
    let c2 = mastodon_person(&h, "c2", &[&c1]);
    let (state, error) = h
        .deliver_processed(&a, &c1, &mastodon_move(&c1, &c2, 1))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let c2_row = db::accounts::by_uri(a.state.pool(), &c2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        follows(&a, lea_id, c2_row.id).await,
        Some(FollowState::Pending)
    );
    assert_eq!(follows(&a, lea_id, c1_row.id).await, None);
    eventually(
        "the Mastodon server receives lea's Follow of c2",
        || async {
            h.received()
                .iter()
                .any(|r| r.json()["type"] == "Follow" && r.json()["object"] == json!(c2))
        },
    )
    .await;
    // c2's server accepts; then c2 moves on to c3.
    let f = db::social::follow(a.state.pool(), lea_id, c2_row.id)
        .await
        .unwrap()
        .unwrap();
    let accept = json!({"id": h.url("/accepts/1"), "type": "Accept", "actor": c2,
                        "object": {"id": f.uri, "type": "Follow",
                                   "actor": account(&a, lea_id).await.uri, "object": c2}});
    let (state, error) = h.deliver_processed(&a, &c2, &accept).await;
    assert_eq!(state, "done", "{error:?}");
    let c3 = mastodon_person(&h, "c3", &[&c2]);
    let (state, error) = h
        .deliver_processed(&a, &c2, &mastodon_move(&c2, &c3, 1))
        .await;
    assert_eq!(state, "done", "{error:?}");
    let c3_row = db::accounts::by_uri(a.state.pool(), &c3)
        .await
        .unwrap()
        .unwrap();
    assert!(follows(&a, lea_id, c3_row.id).await.is_some());
    assert_eq!(follows(&a, lea_id, c2_row.id).await, None);

    // The reverse: one of ours moves to Mastodon; lea, who follows it, follows the Mastodon
    // account (a Follow to its server), which got the Move.
    let (leaver_id, _) = a.user_with_token("leaver", "read write follow").await;
    let leaver = account(&a, leaver_id).await;
    make_follow(
        &a,
        lea_id,
        leaver_id,
        "http://a.test/f/leaver",
        FollowState::Accepted,
    )
    .await;
    let fan = mastodon_person(&h, "leaverfan", &[]);
    let fan_row = h.introduce(&a, &fan).await;
    make_follow(
        &a,
        fan_row.id,
        leaver_id,
        &format!("{fan}#follows/1"),
        FollowState::Accepted,
    )
    .await;
    let there = mastodon_person(&h, "leaver", &[&leaver.uri]);
    moving::move_person(&a.state, &leaver, &there, PASSWORD)
        .await
        .unwrap();
    let there_row = db::accounts::by_uri(a.state.pool(), &there)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        follows(&a, lea_id, there_row.id).await,
        Some(FollowState::Pending)
    );
    assert_eq!(follows(&a, lea_id, leaver_id).await, None);
    eventually("Mastodon gets the Move and lea's Follow", || async {
        let got = h.received();
        got.iter()
            .any(|r| r.json()["type"] == "Move" && r.json()["target"] == json!(there))
            && got
                .iter()
                .any(|r| r.json()["type"] == "Follow" && r.json()["object"] == json!(there))
    })
    .await;

    // And between two of ours: a locked new account keeps the follow as a request.
    let (from_id, _) = a.user_with_token("from", "read write follow").await;
    let (to_id, _) = a.user_with_token("to", "read write follow").await;
    sqlx::query("UPDATE accounts SET locked = 1 WHERE id = $1")
        .bind(to_id)
        .execute(a.state.pool())
        .await
        .unwrap();
    make_follow(
        &a,
        lea_id,
        from_id,
        "http://a.test/f/from",
        FollowState::Accepted,
    )
    .await;
    moving::add_alias(
        &a.state,
        &account(&a, to_id).await,
        &format!("from@{}", a.domain),
    )
    .await
    .unwrap();
    moving::move_person(
        &a.state,
        &account(&a, from_id).await,
        &format!("to@{}", a.domain),
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(follows(&a, lea_id, to_id).await, Some(FollowState::Pending));
    assert_eq!(follows(&a, lea_id, from_id).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_moves_change_nothing() {
    let a = spawn_app().await;
    let h = Hostile::start().await;
    let (lea_id, lea_token) = a.user_with_token("lea", "read write follow").await;
    let x = mastodon_person(&h, "x", &[]);
    let x_row = h.introduce(&a, &x).await;
    make_follow(
        &a,
        lea_id,
        x_row.id,
        "http://a.test/f/x",
        FollowState::Accepted,
    )
    .await;
    let still_following =
        || async { follows(&a, lea_id, x_row.id).await == Some(FollowState::Accepted) };

    // The target does not name the origin.
    let y = mastodon_person(&h, "y", &[]);
    let (state, _) = h.deliver_processed(&a, &x, &mastodon_move(&x, &y, 1)).await;
    assert_eq!(state, "failed");
    assert!(still_following().await);
    // The Move's copy of the target is not believed: only the target's own server.
    let mut embedded = mastodon_move(&x, &y, 2);
    embedded["target"] = json!({"id": y, "type": "Person", "alsoKnownAs": [x]});
    let (state, _) = h.deliver_processed(&a, &x, &embedded).await;
    assert_eq!(state, "failed");
    assert!(still_following().await);
    // Signed by someone else: z moves x.
    let z = mastodon_person(&h, "z", &[&x]);
    h.introduce(&a, &z).await;
    let mut by_z = mastodon_move(&x, &z, 3);
    by_z["id"] = json!(format!("{z}#moves/3"));
    by_z["actor"] = json!(z);
    let (state, _) = h.deliver_processed(&a, &z, &by_z).await;
    assert_eq!(state, "failed");
    assert!(still_following().await);
    // To itself.
    let (state, _) = h.deliver_processed(&a, &x, &mastodon_move(&x, &x, 4)).await;
    assert_eq!(state, "failed");
    // A target whose document, fetched, is another host's actor.
    let mut elsewhere = h.actor_doc("w", "Person");
    elsewhere["id"] = json!("http://127.0.0.1:9/users/w");
    elsewhere["alsoKnownAs"] = json!([x]);
    h.serve("/users/w", elsewhere);
    let w = h.url("/users/w");
    let (state, _) = h.deliver_processed(&a, &x, &mastodon_move(&x, &w, 5)).await;
    assert_eq!(state, "failed");
    // A person moving to a group.
    let mut g = h.actor_doc("g", "Group");
    g["alsoKnownAs"] = json!([x]);
    h.serve("/users/g", g);
    let (state, _) = h
        .deliver_processed(&a, &x, &mastodon_move(&x, &h.url("/users/g"), 6))
        .await;
    assert_eq!(state, "failed");
    assert!(still_following().await);
    assert_eq!(notified_of_move(&a, &lea_token).await, 0);
    assert!(account(&a, x_row.id).await.moved_to_uri.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_that_moves_tells_its_local_people_and_enrolls_nobody() {
    let a = spawn_app().await;
    let h = Hostile::start().await;
    let (lea_id, lea_token) = a.user_with_token("lea", "read write follow").await;
    let old = h.actor("section", "Group");
    let old_row = h.introduce(&a, &old).await;
    make_follow(
        &a,
        lea_id,
        old_row.id,
        "http://a.test/f/g",
        FollowState::Accepted,
    )
    .await;
    let mut new_doc = h.actor_doc("section2", "Group");
    new_doc["alsoKnownAs"] = json!([old]);
    h.serve("/users/section2", new_doc);
    let new = h.url("/users/section2");
    let mv = json!({"id": format!("{old}#moves/1"), "type": "Move", "actor": old,
                    "object": old, "target": new,
                    "to": [format!("{old}/followers")]});
    let (state, error) = h.deliver_processed(&a, &old, &mv).await;
    assert_eq!(state, "done", "{error:?}");
    // lea is told, and follows (or joins) nothing by the server's say-so.
    assert_eq!(notified_of_move(&a, &lea_token).await, 1);
    let new_row = db::accounts::by_uri(a.state.pool(), &new)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(follows(&a, lea_id, new_row.id).await, None);
    assert!(
        db::groups::member(a.state.pool(), new_row.id, lea_id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(!h.delivered_text().contains("\"Join\""));
}

/// Creates a local group as `token`'s owner; returns its account id.
async fn group(app: &TestApp, token: &str, name: &str) -> i64 {
    let (status, body) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(token),
            &json!({"name": name, "display_name": format!("Section {name}"), "kind": "section",
                    "postcode": "64000", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_through_the_settings_for_a_person_and_a_group_page_for_a_group() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let h = Hostile::start().await;
    let (_, sec_token) = a.user_with_token("alice", "read write follow").await;
    let (carol_id, carol_token) = a.user_with_token("carol", "read write follow").await;
    let (_, sec2_token) = b.user_with_token("alice2", "read write follow").await;

    // A person: the alias on B, then the move on A, from the settings.
    let on_b = b.browser();
    on_b.sign_in("alice2@example.org", PASSWORD).await;
    common::act(
        &on_b,
        "/settings/moving",
        "/settings/moving/aliases",
        &[("alias", &format!("alice@{}", a.domain))],
    )
    .await;
    let page = on_b.get("/settings/moving").await;
    assert!(
        page.contains(&format!("{}/users/alice", a.base)),
        "{}",
        page.body
    );
    let on_a = a.browser();
    on_a.sign_in("alice@example.org", PASSWORD).await;
    let target = format!("alice2@{}", b.domain);
    let refused = on_a
        .submit(
            "/settings/moving",
            "/settings/moving",
            &[("target", &target), ("password", "wrong")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("id=\"password-error\""),
        "{}",
        refused.body
    );

    // A group first (its administrator is alice, who cannot act once moved... as a person:
    // the group's move is the group's, not hers).
    let section = group(&a, &sec_token, "section").await;
    let section2 = group(&b, &sec2_token, "section2").await;
    let fan = mastodon_person(&h, "fan", &[]);
    let fan_row = h.introduce(&a, &fan).await;
    make_follow(
        &a,
        fan_row.id,
        section,
        &format!("{fan}#follows/9"),
        FollowState::Accepted,
    )
    .await;
    make_follow(
        &a,
        carol_id,
        section,
        "http://a.test/f/s",
        FollowState::Accepted,
    )
    .await;
    common::act(
        &on_b,
        "/@section2",
        "/groups/section2/moving/aliases",
        &[("alias", &format!("section@{}", a.domain))],
    )
    .await;
    common::act(
        &on_a,
        "/@section",
        "/groups/section/moving",
        &[("target", &format!("section2@{}", b.domain))],
    )
    .await;
    let section_uri = account(&a, section).await.uri;
    let section2_uri = account(&b, section2).await.uri;
    eventually(
        "the Mastodon follower's server receives the group's Move",
        || async {
            h.received().iter().any(|r| {
                let j = r.json();
                j["type"] == "Move"
                    && j["actor"] == json!(section_uri)
                    && j["target"] == json!(section2_uri)
            })
        },
    )
    .await;
    // carol is told and follows nothing by herself.
    assert_eq!(notified_of_move(&a, &carol_token).await, 1);
    let section2_on_a = db::accounts::by_uri(a.state.pool(), &section2_uri)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(follows(&a, carol_id, section2_on_a.id).await, None);
    let page = a.browser().get("/@section").await;
    assert!(page.contains(&section2_uri), "{}", page.body);

    // Now the person moves.
    common::act(
        &on_a,
        "/settings/moving",
        "/settings/moving",
        &[("target", &target), ("password", PASSWORD)],
    )
    .await;
    let as_carol = a.browser();
    as_carol.sign_in("carol@example.org", PASSWORD).await;
    let profile = as_carol.get("/@alice").await;
    assert!(profile.contains("/@alice2@"), "{}", profile.body);
    assert!(
        profile.contains("/unblock\"") || profile.contains("/block\""),
        "{}",
        profile.body
    );
    assert!(
        !profile.contains("/follow\""),
        "a moved account offers no follow button"
    );
}
