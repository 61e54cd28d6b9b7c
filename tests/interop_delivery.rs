//! Deliveries that give up (issue 30): a real Gancio answered 500 to one activity (a
//! `Tombstone` without `formerType`) while it took the others, and coopol retried for ever. A
//! delivery whose inbox keeps answering an HTTP error while its host takes other deliveries
//! stops after `delivery::GIVE_UP_AFTER` attempts; a 4xx ends at once; a host that is down is
//! not given up (it is parked, as before). Every delivery given up is recorded, in a bounded
//! table, and administrators see it on `/admin/deliveries` and in the admin API.
//!
//! The peer is the test's own server (`common::hostile`), shaped as Gancio (its one actor an
//! `Application`), answering an error to the activities the test chooses. There is no clock
//! to move: the backoff's waits are skipped by making the deliveries due at once
//! ([`retry_now`]), which is all an hour passing changes for them.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{Api, TestApp, eventually, spawn_app};
use coopol::{db::federation, domain::Role, federation::delivery::GIVE_UP_AFTER};
use hostile::Hostile;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";
const ADMIN_SCOPES: &str = "read write follow admin:read admin:write";

/// A local member followed by the peer's agenda (an `Application`, as Gancio's only actor is):
/// (the member's token, the agenda's id).
async fn followed_by_an_agenda(app: &TestApp, h: &Hostile) -> (String, String) {
    let (_, ana) = app.user_with_token("ana", "read write follow").await;
    let account = coopol::db::accounts::local_by_username(app.state.pool(), "ana")
        .await
        .unwrap()
        .unwrap();
    let agenda = h.actor("agenda", "Application");
    let follow = json!({"id": h.url("/follows/1"), "type": "Follow", "actor": agenda,
                        "object": account.uri});
    let (state, error) = h.deliver_processed(app, &agenda, &follow).await;
    assert_eq!(state, "done", "{error:?}");
    (ana, agenda)
}

/// Posts a public status; gives its id.
async fn post(app: &TestApp, token: &str, text: &str) -> String {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": text, "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

/// The POSTs the peer received of activities of `kind`.
fn posts_of(h: &Hostile, kind: &str) -> Vec<Value> {
    h.received()
        .iter()
        .filter(|r| r.method == Method::POST)
        .map(|r| r.json())
        .filter(|j| j["type"] == kind)
        .collect()
}

/// The delivery of the activity `uri`, when one is owed: (attempts, whether a worker holds it).
async fn delivery_of(app: &TestApp, uri: &str) -> Option<(i64, bool)> {
    let row: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT d.attempts, d.locked_by FROM deliveries d \
         JOIN out_activities a ON a.id = d.activity_id WHERE a.uri = $1",
    )
    .bind(uri)
    .fetch_optional(app.state.pool())
    .await
    .unwrap();
    row.map(|(n, locked)| (n, locked.is_some()))
}

/// Waits until the delivery of `uri` has been tried `n` times and waits for its next attempt.
async fn tried(app: &TestApp, uri: &str, n: i64) {
    eventually(&format!("attempt {n} of {uri} is recorded"), || async {
        delivery_of(app, uri).await == Some((n, false))
    })
    .await;
}

/// Makes every waiting delivery due now and wakes the sender: what the backoff's wait would
/// do later.
async fn retry_now(app: &TestApp) {
    sqlx::query("UPDATE deliveries SET next_attempt_at = 0 WHERE locked_by IS NULL")
        .execute(app.state.pool())
        .await
        .unwrap();
    coopol::federation::delivery::wake(&app.state);
}

/// A host column of `hosts`: (failing since, last success).
async fn host_health(app: &TestApp, host: &str) -> (Option<i64>, Option<i64>) {
    sqlx::query_as("SELECT failing_since, last_success_at FROM hosts WHERE host = $1")
        .bind(host)
        .fetch_optional(app.state.pool())
        .await
        .unwrap()
        .unwrap_or((None, None))
}

async fn failures(app: &TestApp, host: &str) -> Vec<federation::DeliveryFailure> {
    federation::delivery_failures(app.state.pool(), Some(host), None, 100)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_refused_while_the_host_takes_others_stops_after_bounded_attempts() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (ana, _) = followed_by_an_agenda(&app, &h).await;
    // Gancio 1.21 answered 500 to a Delete whose Tombstone had no formerType; here the peer
    // answers 500 to every Delete, and takes everything else.
    h.answer_posts("\"type\":\"Delete\"", 500);
    let id = post(&app, &ana, "Réunion jeudi").await;
    eventually("the post reaches the agenda", || async {
        posts_of(&h, "Create").len() == 1
    })
    .await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    eventually("the Delete reaches the agenda", || async {
        posts_of(&h, "Delete").len() == 1
    })
    .await;
    let delete = posts_of(&h, "Delete")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    tried(&app, &delete, 1).await;
    eventually("the host is recorded failing", || async {
        host_health(&app, &h.host).await.0.is_some()
    })
    .await;

    // The host takes another activity meanwhile: it is up, and this Delete is what it refuses.
    post(&app, &ana, "Tractage samedi").await;
    eventually(
        "the next post is taken, and the host healthy again",
        || async {
            posts_of(&h, "Create").len() == 2
                && matches!(host_health(&app, &h.host).await, (None, Some(_)))
        },
    )
    .await;

    // Retried until the bound, then given up: no attempt after it.
    for n in 2..=GIVE_UP_AFTER {
        tried(&app, &delete, n - 1).await;
        assert!(failures(&app, &h.host).await.is_empty(), "given up early");
        retry_now(&app).await;
    }
    eventually("the Delete is given up", || async {
        delivery_of(&app, &delete).await.is_none()
    })
    .await;
    assert_eq!(posts_of(&h, "Delete").len() as i64, GIVE_UP_AFTER);
    let recorded = failures(&app, &h.host).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let f = &recorded[0];
    assert_eq!(
        (f.activity_uri.as_str(), f.activity_type.as_str()),
        (delete.as_str(), "Delete")
    );
    assert_eq!((f.status, f.attempts), (500, GIVE_UP_AFTER));
    assert_eq!(f.inbox_url, h.url("/inbox"));
    assert!(f.error.contains("500"), "{}", f.error);
    assert!(f.error.contains("refused by the test"), "{}", f.error);
    // Nothing else is owed, and the activity is gone with its last delivery.
    eventually("the activity is forgotten", || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM out_activities WHERE uri = $1")
            .bind(&delete)
            .fetch_one(app.state.pool())
            .await
            .unwrap()
            == 0
    })
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_fails_everything_is_not_given_up_but_kept_for_parking() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (ana, _) = followed_by_an_agenda(&app, &h).await;
    // Down behind its proxy: every delivery gets a 503.
    h.answer_posts("", 503);
    post(&app, &ana, "Réunion jeudi").await;
    eventually("the post is tried", || async {
        posts_of(&h, "Create").len() == 1
    })
    .await;
    let create = posts_of(&h, "Create")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    tried(&app, &create, 1).await;
    // As after two days of attempts: far past the bound, but the host took nothing since.
    sqlx::query("UPDATE deliveries SET attempts = $1")
        .bind(2 * GIVE_UP_AFTER)
        .execute(app.state.pool())
        .await
        .unwrap();
    retry_now(&app).await;
    tried(&app, &create, 2 * GIVE_UP_AFTER + 1).await;
    assert_eq!(posts_of(&h, "Create").len(), 2);
    assert!(failures(&app, &h.host).await.is_empty());
    let (failing, _) = host_health(&app, &h.host).await;
    assert!(
        failing.is_some(),
        "the host's failure streak goes on, toward parking"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_for_good_is_given_up_at_once_and_admins_see_it() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    let (ana, _) = followed_by_an_agenda(&app, &h).await;
    h.answer_posts("Texte refusé", 400);
    post(&app, &ana, "Texte refusé par l'agenda").await;
    post(&app, &ana, "Texte accepté").await;
    eventually("both posts were sent", || async {
        posts_of(&h, "Create").len() == 2
    })
    .await;
    eventually("the refused one is recorded", || async {
        failures(&app, &h.host).await.len() == 1
    })
    .await;
    let f = failures(&app, &h.host).await.remove(0);
    assert_eq!((f.status, f.attempts), (400, 1));
    assert_eq!(f.activity_type, "Create");
    let refused = posts_of(&h, "Create")
        .into_iter()
        .find(|c| c.to_string().contains("Texte refusé"))
        .unwrap();
    assert_eq!(f.activity_uri, refused["id"].as_str().unwrap());
    eventually("nothing is owed any more", || async {
        federation::pending_deliveries(app.state.pool())
            .await
            .unwrap()
            == 0
    })
    .await;

    // The web page, for administrators only, French first.
    app.create_user("chef", PASSWORD, Role::Admin).await;
    let admin = app.browser();
    admin.sign_in("chef@example.org", PASSWORD).await;
    let page = admin.get("/admin").await;
    assert!(page.contains("href=\"/admin/deliveries\""), "{}", page.body);
    let page = admin.get("/admin/deliveries").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Envois abandonnés"), "{}", page.body);
    assert!(page.contains(&h.host) && page.contains(&f.activity_uri));
    assert!(page.contains("<td>400</td>"), "{}", page.body);
    assert!(page.contains("refused by the test"));
    let page = admin
        .get_in(&format!("/admin/deliveries?host={}", h.host), "en")
        .await;
    assert!(
        page.contains("Latest deliveries given up to"),
        "{}",
        page.body
    );
    assert!(page.contains(&f.activity_uri));
    let page = admin.get("/admin/deliveries?host=ailleurs.example").await;
    assert!(!page.contains(&f.activity_uri), "{}", page.body);
    let member = app.browser();
    app.create_user("bob", PASSWORD, Role::Member).await;
    member.sign_in("bob@example.org", PASSWORD).await;
    assert_eq!(
        member.get("/admin/deliveries").await.status,
        StatusCode::FORBIDDEN
    );

    // The API, for administrators with `admin:read`.
    let client = app
        .register_app(ADMIN_SCOPES, "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let token = app
        .password_token(&client, "chef@example.org", PASSWORD, ADMIN_SCOPES)
        .await;
    let read_only = app
        .password_token(&client, "chef@example.org", PASSWORD, "read")
        .await;
    let bob = app
        .password_token(&client, "bob@example.org", PASSWORD, ADMIN_SCOPES)
        .await;
    let api = Api::new(&app);
    let p = "/admin/delivery_failures";
    let (status, list) = api.get(p, p, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["activity_id"], f.activity_uri.as_str());
    assert_eq!(items[0]["activity_type"], "Create");
    assert_eq!(items[0]["status"], 400);
    assert_eq!(items[0]["attempts"], 1);
    assert_eq!(items[0]["host"], h.host.as_str());
    assert_eq!(items[0]["inbox"], h.url("/inbox"));
    assert!(items[0]["failed_at"].as_str().unwrap().ends_with('Z'));
    let (_, list) = api
        .get(p, &format!("{p}?host=ailleurs.example"), Some(&token))
        .await;
    assert_eq!(list, json!([]));
    let (_, list) = api
        .get(
            p,
            &format!("{p}?max_id={}", items[0]["id"].as_str().unwrap()),
            Some(&token),
        )
        .await;
    assert_eq!(list, json!([]));
    let (status, body) = api.get(p, &format!("{p}?limit=many"), Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["details"]["limit"].is_array(), "{body}");
    for (who, token) in [("no token", None), ("no admin scope", Some(&read_only))] {
        let (status, _) = api.get(p, p, token.map(String::as_str)).await;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
            "{who}: {status}"
        );
    }
    let (status, _) = api.get(p, p, Some(&bob)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a member");
    let doc: Value = serde_json::from_str(include_str!("../src/api/coopol/openapi.json")).unwrap();
    api.assert_exercised(&doc, |path| path.starts_with("/admin/"));
    app.stop().await;
}

#[tokio::test]
async fn the_record_of_given_up_deliveries_stays_bounded() {
    let app = spawn_app().await;
    let db = app.state.pool();
    let now = coopol::clock::now();
    let failure = |n: i64, at: i64| federation::DeliveryFailure {
        id: 0,
        host: "agenda.example".into(),
        inbox_url: "https://agenda.example/inbox".into(),
        activity_uri: format!("https://coopol.example/activities/{n}"),
        activity_type: "Delete".into(),
        status: 500,
        error: "é".repeat(400),
        attempts: GIVE_UP_AFTER,
        failed_at: at,
    };
    // One older than the time kept goes with the next recording.
    federation::record_delivery_failure(db, &failure(0, now - federation::FAILURES_KEPT_FOR - 1))
        .await
        .unwrap();
    federation::record_delivery_failure(db, &failure(1, now))
        .await
        .unwrap();
    let kept = federation::delivery_failures(db, None, None, 10)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].activity_uri, "https://coopol.example/activities/1");
    assert_eq!(kept[0].error.chars().count(), 300, "a short error");
    // Past the number kept, the oldest go.
    for n in 2..=federation::FAILURES_KEPT + 3 {
        federation::record_delivery_failure(db, &failure(n, now))
            .await
            .unwrap();
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM delivery_failures")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(count, federation::FAILURES_KEPT);
    let newest = federation::delivery_failures(db, Some("agenda.example"), None, 1)
        .await
        .unwrap();
    assert_eq!(
        newest[0].activity_uri,
        format!(
            "https://coopol.example/activities/{}",
            federation::FAILURES_KEPT + 3
        )
    );
    app.stop().await;
}

/// Posts to a group's sympathizers circle show only on coopol servers: Mastodon drops a
/// group's boost of a post that is not public, Lemmy refuses it. The composer says so when
/// some sympathizers follow from other servers, and the API's group says whether (never who).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composer_says_where_sympathizers_will_not_see_a_post() {
    let app = spawn_app().await;
    let h = Hostile::start().await;
    app.create_user("secretaire", PASSWORD, Role::Member).await;
    let client = app
        .register_app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let sec = app
        .password_token(
            &client,
            "secretaire@example.org",
            PASSWORD,
            "read write follow",
        )
        .await;
    let (status, group) = app
        .post_json(
            "/api/coopol/v1/groups",
            Some(&sec),
            &json!({"name": "pau", "display_name": "Section de Pau", "kind": "section",
                    "postcode": "64000", "join_mode": "open"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{group}");
    assert_eq!(group["sympathizers_elsewhere"], false, "{group}");
    let browser = app.browser();
    browser.sign_in("secretaire@example.org", PASSWORD).await;
    let fr = "Des sympathisant·es suivent ce groupe depuis d’autres serveurs";
    let page = browser.get("/groups/pau/discussions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("value=\"sympathizers\""), "{}", page.body);
    assert!(!page.contains(fr), "{}", page.body);

    // A Mastodon account follows the section.
    let group_uri = coopol::db::accounts::local_by_username(app.state.pool(), "pau")
        .await
        .unwrap()
        .unwrap()
        .uri;
    let person = h.actor("militante", "Person");
    let follow = json!({"@context": "https://www.w3.org/ns/activitystreams",
                        "id": h.url("/users/militante#follows/1"), "type": "Follow",
                        "actor": person, "object": group_uri});
    let (state, error) = h.deliver_processed(&app, &person, &follow).await;
    assert_eq!(state, "done", "{error:?}");
    let (_, group) = app.get_json("/api/coopol/v1/groups/pau", Some(&sec)).await;
    assert_eq!(group["sympathizers_elsewhere"], true, "{group}");
    let page = browser.get("/groups/pau/discussions").await;
    assert!(page.contains(fr), "{}", page.body);
    assert!(
        page.contains("aria-describedby=\"audience-hint audience-elsewhere\""),
        "{}",
        page.body
    );
    assert!(!page.contains("militante"), "who follows is not said");
    let page = browser.get_in("/groups/pau/discussions", "en").await;
    assert!(
        page.contains("Those on Mastodon, Lemmy or other software will not see it"),
        "{}",
        page.body
    );
    app.stop().await;
}
