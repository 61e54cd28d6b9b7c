//! Missions from anywhere (issue 29, part B): a mission is one post wherever posts are read
//! (web timelines, threads, the Mastodon API's timelines and contexts, `replies_count`), its
//! fill is summed over its shifts (event page, cards, board, coopol's API), event and mission
//! posts carry a card with their fill and the way to sign up, shifts are taken and left from
//! the board, and every French count in the catalogs agrees with its number.

mod common;

use common::act;
#[path = "common/hostile.rs"]
mod hostile;

use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

async fn member(app: &TestApp, name: &str) -> Browser {
    app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    browser
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A token of `name` (made with [`member`]) for the Mastodon API.
async fn token_of(app: &TestApp, name: &str) -> String {
    let client = app
        .register_app("read write", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    app.password_token(
        &client,
        &format!("{name}@example.org"),
        PASSWORD,
        "read write",
    )
    .await
}

/// The open section `pau` with its secretary (signed in) and a member, Ana (signed in).
async fn section(app: &TestApp) -> (Browser, Browser) {
    let sec = member(app, "secretaire").await;
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", "pau"),
            ("display_name", "Section de Pau"),
            ("postcode", "64000"),
            ("join_mode", "open"),
        ],
    )
    .await;
    let ana = member(app, "ana").await;
    act(&ana, "/@pau", "/groups/pau/join", &[]).await;
    (sec, ana)
}

/// A public mission "Collage" of `pau` with two shifts (2 and 1 volunteers needed): its id
/// and its shifts' ids, and the page the creation led to.
async fn mission(sec: &Browser) -> (String, Vec<String>, common::Page) {
    let done = sec
        .submit(
            "/events/new?group=pau",
            "/events",
            &[
                ("group", "pau"),
                ("name", "Collage"),
                ("audience", "public"),
                ("postcode", "64000"),
                ("shift1_start", &in_days(3, 18)),
                ("shift1_end", &in_days(3, 19)),
                ("shift1_needed", "2"),
                ("shift2_start", &in_days(3, 19)),
                ("shift2_end", &in_days(3, 20)),
                ("shift2_needed", "1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let path = done.location.unwrap();
    let id = path.trim_start_matches("/events/").to_string();
    let page = sec.get(&path).await;
    let marker = format!("{path}/shifts/");
    let shifts: Vec<String> = page
        .body
        .match_indices(&marker)
        .map(|(at, _)| {
            page.body[at + marker.len()..]
                .split('/')
                .next()
                .unwrap()
                .to_string()
        })
        .fold(Vec::new(), |mut acc, s| {
            if !acc.contains(&s) {
                acc.push(s);
            }
            acc
        });
    assert_eq!(shifts.len(), 2, "{}", page.body);
    (id, shifts, page)
}

fn articles(page: &common::Page) -> usize {
    page.body.matches("<article class=\"status\"").count()
}

fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_mission_is_one_post_in_every_timeline_and_thread() {
    let app = spawn_app().await;
    let (sec, ana) = section(&app).await;
    let (id, shifts, _) = mission(&sec).await;

    // The web pages: home (a member's and the author's), public, the group's page, the
    // author's profile: one post, the mission.
    for (who, path) in [
        (&ana, "/"),
        (&sec, "/"),
        (&ana, "/public"),
        (&ana, "/groups/pau/discussions"),
        (&ana, "/@secretaire"),
    ] {
        let page = who.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            articles(&page),
            1,
            "{path} shows the shifts:\n{}",
            page.body
        );
        for s in &shifts {
            assert!(
                !page.contains(&format!("/{s}\"")),
                "{path} links a shift's post"
            );
        }
    }
    // The thread: no answer, "0 réponse".
    let thread_path = format!("/@secretaire/{id}");
    let thread = ana.get(&thread_path).await;
    assert_eq!(thread.status, StatusCode::OK);
    assert_eq!(articles(&thread), 1, "{}", thread.body);
    assert!(thread.contains("0 réponse"), "{}", thread.body);
    assert!(!thread.contains("Réponses : 2"));

    // The Mastodon API: timelines, the account's posts, the context and replies_count.
    let token = token_of(&app, "ana").await;
    for path in [
        "/api/v1/timelines/home".to_string(),
        "/api/v1/timelines/public".to_string(),
        "/api/v1/timelines/public?local=true".to_string(),
    ] {
        let (status, list) = app.get_json(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(ids_of(&list), vec![id.clone()], "{path}: {list}");
    }
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&token))
        .await;
    assert_eq!(status["replies_count"], 0, "{status}");
    let author = status["account"]["id"].as_str().unwrap().to_string();
    let (_, posts) = app
        .get_json(&format!("/api/v1/accounts/{author}/statuses"), Some(&token))
        .await;
    assert_eq!(ids_of(&posts), vec![id.clone()], "{posts}");
    let (_, context) = app
        .get_json(&format!("/api/v1/statuses/{id}/context"), Some(&token))
        .await;
    assert_eq!(context["descendants"], serde_json::json!([]), "{context}");
    // A shift's own post is still there for whoever has its address: it answers the mission.
    let (status, shift) = app
        .get_json(&format!("/api/v1/statuses/{}", shifts[0]), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shift["in_reply_to_id"], id.as_str());

    // A real answer to the mission is counted and listed, the shifts still are not.
    let reply = act(
        &ana,
        &thread_path,
        "/statuses",
        &[
            ("status", "@secretaire J’en suis !"),
            ("visibility", "public"),
            ("in_reply_to_id", &id),
        ],
    )
    .await;
    assert!(reply.starts_with('/'));
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&token))
        .await;
    assert_eq!(status["replies_count"], 1, "{status}");
    let (_, context) = app
        .get_json(&format!("/api/v1/statuses/{id}/context"), Some(&token))
        .await;
    assert_eq!(context["descendants"].as_array().unwrap().len(), 1);
    let thread = ana.get(&thread_path).await;
    assert_eq!(articles(&thread), 2, "{}", thread.body);
    assert!(thread.contains("1 réponse"), "{}", thread.body);
    app.stop().await;
}

#[tokio::test]
async fn a_missions_fill_is_summed_over_its_shifts() {
    let app = spawn_app().await;
    let (sec, ana) = section(&app).await;
    let (id, shifts, created) = mission(&sec).await;
    assert!(created.contains("Mission créée."), "{}", created.body);
    let mission_path = format!("/events/{id}");
    act(
        &ana,
        &mission_path,
        &format!("{mission_path}/shifts/{}/join", shifts[1]),
        &[],
    )
    .await;
    let page = ana.get(&mission_path).await;
    assert!(page.contains("1/3 inscrit·e"), "{}", page.body);
    assert!(!page.contains("0 participant"), "{}", page.body);
    // Coopol's API gives the mission's fill over its shifts.
    let token = token_of(&app, "ana").await;
    let (status, entity) = app
        .get_json(&format!("/api/coopol/v1/events/{id}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{entity}");
    assert_eq!(entity["participants_count"], 1, "{entity}");
    assert_eq!(entity["capacity"], 3, "{entity}");
    assert_eq!(entity["remaining"], 2, "{entity}");
    // The board and the timeline's card say the same.
    assert!(ana.get("/missions").await.contains("1/3 inscrit·e"));
    assert!(ana.get("/").await.contains("1/3 inscrit·e"));
    app.stop().await;
}

#[tokio::test]
async fn event_and_mission_posts_carry_their_card() {
    let app = spawn_app().await;
    let (sec, ana) = section(&app).await;
    let (id, _, _) = mission(&sec).await;
    let event_path = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Tractage au marché"),
            ("start_time", &in_days(5, 9)),
            ("end_time", &in_days(5, 12)),
            ("place_name", "Halles"),
            ("postcode", "64000"),
            ("capacity", "1"),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    let event_id = event_path.trim_start_matches("/events/").to_string();

    // The home timeline: each post has its card, linking to its event page, with its fill and
    // its action: "Voir les créneaux" for the mission, a one-click sign-up for the event.
    let home = ana.get("/").await;
    assert!(
        home.contains(&format!("href=\"/events/{id}\"")),
        "{}",
        home.body
    );
    assert!(home.contains("Voir les créneaux"), "{}", home.body);
    assert!(home.contains("0/3 inscrit·e"), "{}", home.body);
    assert!(home.contains("Halles"));
    assert!(home.contains(&format!("action=\"/events/{event_id}/join\"")));
    assert!(home.contains("Je m’inscris"), "{}", home.body);
    // One click takes the place and comes back to the timeline, which says it.
    let back = act(
        &ana,
        "/",
        &format!("/events/{event_id}/join"),
        &[("next", "/")],
    )
    .await;
    assert_eq!(back, "/");
    let home = ana.get("/").await;
    assert!(home.contains("Vous participez."), "flash:\n{}", home.body);
    assert!(home.contains("Complet"), "{}", home.body);
    assert!(home.contains("1/1 inscrit·e"), "{}", home.body);
    // Somebody else sees it full (on the group's page: he joins after it was posted): the
    // waiting list is on the event's page, not a click away.
    let bob = member(&app, "bob").await;
    act(&bob, "/@pau", "/groups/pau/join", &[]).await;
    let group = bob.get("/groups/pau/agenda").await;
    assert!(group.contains("Complet"), "{}", group.body);
    assert!(!group.contains(&format!("action=\"/events/{event_id}/join\"")));

    // A hostile `next` never leads away from here.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let back = act(
            &ana,
            "/",
            &format!("/events/{event_id}/leave"),
            &[("next", next)],
        )
        .await;
        assert_eq!(back, "/", "{next}");
        act(&ana, "/", &format!("/events/{event_id}/join"), &[]).await;
    }

    // The thread page of an event post links to the event's page.
    let thread = bob.get(&format!("/@secretaire/{event_id}")).await;
    assert_eq!(thread.status, StatusCode::OK);
    assert_eq!(articles(&thread), 1);
    assert!(thread.contains(&format!("href=\"/events/{event_id}\"")));

    // The agenda shows the same fill and action.
    let agenda = ana.get("/agenda").await;
    assert!(agenda.contains("Voir les créneaux"), "{}", agenda.body);
    assert!(agenda.contains("0/3 inscrit·e"), "{}", agenda.body);
    app.stop().await;
}

#[tokio::test]
async fn shifts_are_taken_and_left_from_the_board() {
    let app = spawn_app().await;
    let (sec, ana) = section(&app).await;
    let (id, shifts, _) = mission(&sec).await;
    let board = ana.get("/missions").await;
    for s in &shifts {
        assert!(
            board.contains(&format!("action=\"/events/{id}/shifts/{s}/join\"")),
            "{}",
            board.body
        );
    }
    // Taking the one-person shift: back to the board, which says so and offers to leave.
    let back = act(
        &ana,
        "/missions",
        &format!("/events/{id}/shifts/{}/join", shifts[1]),
        &[("next", "/missions")],
    )
    .await;
    assert_eq!(back, "/missions");
    let board = ana.get("/missions").await;
    assert!(board.contains("Vous participez."), "{}", board.body);
    assert!(board.contains(&format!(
        "action=\"/events/{id}/shifts/{}/leave\"",
        shifts[1]
    )));
    // Full for somebody else: said, and no sign-up button for it.
    let bob = member(&app, "bob").await;
    act(&bob, "/@pau", "/groups/pau/join", &[]).await;
    let board = bob.get("/missions").await;
    assert!(board.contains("Complet"), "{}", board.body);
    assert!(!board.contains(&format!(
        "action=\"/events/{id}/shifts/{}/join\"",
        shifts[1]
    )));
    assert!(board.contains(&format!(
        "action=\"/events/{id}/shifts/{}/join\"",
        shifts[0]
    )));
    // Leaving from the board.
    let back = act(
        &ana,
        "/missions",
        &format!("/events/{id}/shifts/{}/leave", shifts[1]),
        &[("next", "/missions")],
    )
    .await;
    assert_eq!(back, "/missions");
    assert!(
        ana.get("/missions")
            .await
            .contains("Vous ne participez plus.")
    );
    // Without the CSRF token: refused, nothing taken.
    let forged = bob
        .post_raw(
            &format!("/events/{id}/shifts/{}/join", shifts[1]),
            &[("next", "/missions")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!bob.get("/missions").await.contains(&format!(
        "action=\"/events/{id}/shifts/{}/leave\"",
        shifts[1]
    )));
    // A shift of another mission, or no number at all: refused clearly.
    let refused = bob
        .submit(
            "/missions",
            &format!("/events/{}/shifts/{id}/join", shifts[0]),
            &[("next", "/missions")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = bob
        .submit("/missions", &format!("/events/{id}/shifts/x/join"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

/// A stranger's `Event` answering a mission of ours is an answer, never one of its shifts: it
/// neither shows among them nor counts in the mission's fill (docs/SECURITY.md T2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_event_answering_a_mission_is_no_shift() {
    let app = spawn_app().await;
    let (sec, ana) = section(&app).await;
    let (id, _, _) = mission(&sec).await;
    let token = token_of(&app, "ana").await;
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&token))
        .await;
    let mission_uri = status["uri"].as_str().unwrap().to_string();
    let h = Hostile::start().await;
    let mallory = h.actor("mallory", "Person");
    let start = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let end =
        (chrono::Utc::now() + chrono::Duration::days(3) + chrono::Duration::hours(1)).to_rfc3339();
    let create = serde_json::json!({
        "id": h.url("/creates/1"), "type": "Create", "actor": mallory,
        "object": {"id": h.url("/events/1"), "type": "Event", "attributedTo": mallory,
                   "name": "Faux créneau", "startTime": start, "endTime": end,
                   "inReplyTo": mission_uri, "maximumAttendeeCapacity": 100,
                   "participantCount": 99,
                   "to": ["https://www.w3.org/ns/activitystreams#Public"],
                   "cc": [app.url("/users/secretaire")]}});
    let (state, error) = h.deliver_processed(&app, &mallory, &create).await;
    assert_eq!(state, "done", "{error:?}");
    let stored = coopol::db::statuses::by_uri(app.state.pool(), &h.url("/events/1"))
        .await
        .unwrap()
        .expect("the answer is stored");
    assert_eq!(
        stored.in_reply_to_id.map(|i| i.to_string()),
        Some(id.clone())
    );
    let (_, entity) = app
        .get_json(&format!("/api/coopol/v1/events/{id}"), Some(&token))
        .await;
    assert_eq!(entity["capacity"], 3, "{entity}");
    assert_eq!(entity["participants_count"], 0, "{entity}");
    let page = ana.get(&format!("/events/{id}")).await;
    assert!(!page.contains("Faux créneau"), "{}", page.body);
    assert!(page.contains("0/3 inscrit·e"), "{}", page.body);
    // It is an answer like any other: counted and listed.
    let (_, status) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&token))
        .await;
    assert_eq!(status["replies_count"], 1, "{status}");
    app.stop().await;
}

/// Every French message counting something (`$count`) chooses its words by the number
/// (French "one" covers 0 and 1), but for limits that are never 1.
#[test]
fn french_counts_agree_with_their_number() {
    let never_one = [
        "error-pin-limit",
        "error-too-many-ids",
        "error-featured-tag-limit",
        "error-followed-tag-limit",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut wrong = Vec::new();
    for lang in ["fr", "en"] {
        for entry in std::fs::read_dir(dir.join(lang)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let mut key = String::new();
            let mut value = String::new();
            let mut check = |key: &str, value: &str| {
                if value.contains("{ $count }")
                    && !value.contains("$count ->")
                    && !never_one.contains(&key)
                {
                    wrong.push(format!("{lang}: {key} = {value}"));
                }
            };
            for line in text.lines() {
                if line.starts_with(|c: char| c.is_ascii_lowercase()) && line.contains(" =") {
                    check(&key, &value);
                    let (k, v) = line.split_once(" =").unwrap();
                    key = k.trim().to_string();
                    value = v.to_string();
                } else {
                    value.push_str(line);
                }
            }
            check(&key, &value);
        }
    }
    assert!(
        wrong.is_empty(),
        "counts without a plural:\n{}",
        wrong.join("\n")
    );
}
