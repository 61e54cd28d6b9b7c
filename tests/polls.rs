//! Polls through the Mastodon API: created with a post (JSON and forms) within the limits the
//! instance publishes, the Poll entity in posts and at `/api/v1/polls/:id`, votes (one per
//! person, several choices only when allowed, never by the author, never after the end, never
//! by someone who may not read the post), hidden totals, the end (the `poll` notification to
//! voters and author, once, with two processes on one database), and the status parameters
//! coopol refuses rather than drops.

mod common;
// The scenes this file does not use are used by others.
#[allow(dead_code)]
#[path = "common/scenes.rs"]
mod scenes;

use common::{TestApp, eventually, spawn_app, spawn_second_process};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn post_poll(app: &TestApp, token: &str, poll: Value, visibility: &str) -> Value {
    let (status, body) = app
        .post_json(
            "/api/v1/statuses",
            Some(token),
            &json!({"status": "Which day for the meeting?", "visibility": visibility, "poll": poll}),
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

async fn poll_notifications(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, list) = app
        .get_json("/api/v1/notifications?types[]=poll", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "poll")
        .cloned()
        .collect()
}

/// Ends a poll now, as if its time had passed.
async fn end_now(app: &TestApp, poll_id: &str) {
    sqlx::query("UPDATE polls SET expires_at = $1 WHERE status_id = $2")
        .bind(coopol::clock::now() - 1)
        .bind(poll_id.parse::<i64>().unwrap())
        .execute(app.state.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_poll_is_created_with_its_post_and_read_as_mastodon_shows_it() {
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;

    let (_, instance) = app.get_json("/api/v2/instance", None).await;
    let limits = &instance["configuration"]["polls"];
    assert_eq!(limits["max_options"], 4);
    assert_eq!(limits["max_characters_per_option"], 50);
    assert_eq!(limits["min_expiration"], 300);
    assert_eq!(limits["max_expiration"], 2_629_746);

    let status = post_poll(
        &app,
        &ana,
        json!({"options": ["Monday", "Tuesday", "Friday"], "expires_in": 3600, "multiple": true}),
        "public",
    )
    .await;
    let poll = &status["poll"];
    assert_eq!(poll["id"], status["id"]);
    assert_eq!(poll["multiple"], true);
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["votes_count"], 0);
    assert_eq!(poll["voters_count"], 0);
    assert_eq!(poll["voted"], false);
    assert_eq!(poll["own_votes"], json!([]));
    assert_eq!(poll["emojis"], json!([]));
    assert_eq!(
        poll["options"],
        json!([
            {"title": "Monday", "votes_count": 0},
            {"title": "Tuesday", "votes_count": 0},
            {"title": "Friday", "votes_count": 0}
        ])
    );
    let expires = chrono::DateTime::parse_from_rfc3339(poll["expires_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let created = chrono::DateTime::parse_from_rfc3339(status["created_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert!((expires - created - 3600).abs() <= 2, "{poll}");

    // Anyone may read a public post's poll, without the viewer's fields.
    let id = poll["id"].as_str().unwrap();
    let (code, anonymous) = app.get_json(&format!("/api/v1/polls/{id}"), None).await;
    assert_eq!(code, StatusCode::OK, "{anonymous}");
    assert!(anonymous.get("voted").is_none(), "{anonymous}");
    assert!(anonymous.get("own_votes").is_none(), "{anonymous}");

    // As a form, the way Mastodon.py and toot send it.
    let (code, body) = app
        .post_form(
            "/api/v1/statuses",
            Some(&ana),
            &[
                ("status", "Form poll"),
                ("poll[options][]", "Yes"),
                ("poll[options][]", "No"),
                ("poll[expires_in]", "300"),
                ("poll[hide_totals]", "true"),
            ],
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["poll"]["multiple"], false);
    // Hidden totals: counts are null until the end.
    assert_eq!(body["poll"]["options"][0]["votes_count"], Value::Null);
    assert_eq!(body["poll"]["options"][1]["title"], "No");
}

#[tokio::test]
async fn bad_polls_and_unsupported_parameters_are_refused_and_nothing_is_published() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write").await;
    let fifty: Vec<String> = (0..50).map(|i| format!("option {i}")).collect();
    for (body, field_text) in [
        (
            json!({"status": "x", "poll": {"options": ["only"], "expires_in": 600}}),
            "deux",
        ),
        (
            json!({"status": "x", "poll": {"options": fifty, "expires_in": 600}}),
            "4",
        ),
        (
            json!({"status": "x", "poll": {"options": ["a", "b"], "expires_in": 60}}),
            "5",
        ),
        (
            json!({"status": "x", "poll": {"options": ["a", "b"], "expires_in": 99_999_999}}),
            "5",
        ),
        (
            json!({"status": "x", "poll": {"options": ["a", "b"]}}),
            "expires_in",
        ),
        (
            json!({"status": "x", "poll": {"options": ["a", "a"], "expires_in": 600}}),
            "identiques",
        ),
        (
            json!({"status": "x", "poll": {"options": ["a", "b"], "expires_in": 600, "anonymous": true}}),
            "poll[anonymous]",
        ),
        (json!({"status": "x", "quote_id": "1"}), "quote_id"),
        (json!({"status": "x", "local_only": true}), "local_only"),
        (
            json!({"status": "x", "content_type": "text/markdown"}),
            "text/plain",
        ),
    ] {
        let (status, answer) = app.post_json("/api/v1/statuses", Some(&ana), &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} gave {answer}"
        );
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(field_text), "{body}: {error}");
    }
    // In English too (French is the default).
    let res = app
        .client
        .post(app.url("/api/v1/statuses"))
        .bearer_auth(&ana)
        .header("accept-language", "en")
        .json(&json!({"status": "x", "poll": {"options": ["only"], "expires_in": 600}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: Value = res.json().await.unwrap();
    assert!(
        answer["error"].as_str().unwrap().contains("at least two"),
        "{answer}"
    );
    let (_, posts) = app
        .get_json(&format!("/api/v1/accounts/{ana_id}/statuses"), Some(&ana))
        .await;
    assert_eq!(posts, json!([]), "nothing was published");

    // Harmless extras still work: plain text and the token in the query string.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/statuses?access_token={ana}"),
            None,
            &json!({"status": "plain", "content_type": "text/plain", "quote_id": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The same poll sent again with an edit of the text (as Tusky does) passes; a changed
    // one is refused, the post unchanged.
    let poll_post = post_poll(
        &app,
        &ana,
        json!({"options": ["A", "B"], "expires_in": 600}),
        "public",
    )
    .await;
    let pid = poll_post["id"].as_str().unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{pid}")))
        .bearer_auth(&ana)
        .json(&json!({"status": "Which day, finally?", "poll": {"options": ["A", "B"], "expires_in": 550}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let edited: Value = res.json().await.unwrap();
    assert!(
        edited["content"].as_str().unwrap().contains("finally"),
        "{edited}"
    );
    assert_eq!(edited["poll"]["options"][1]["title"], "B");
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{pid}")))
        .bearer_auth(&ana)
        .json(&json!({"status": "Which day?", "poll": {"options": ["A", "C"], "expires_in": 600}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A poll is not added by an edit either: refused, the post unchanged.
    let id = body["id"].as_str().unwrap();
    let res = app
        .client
        .put(app.url(&format!("/api/v1/statuses/{id}")))
        .bearer_auth(&ana)
        .json(&json!({"status": "edited", "poll": {"options": ["a", "b"], "expires_in": 600}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, post) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&ana))
        .await;
    assert!(
        post["content"].as_str().unwrap().contains("plain"),
        "{post}"
    );
}

#[tokio::test]
async fn one_vote_per_person_within_the_polls_rules() {
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, carol) = app.user_with_token("carol", "read write").await;
    let single = post_poll(
        &app,
        &ana,
        json!({"options": ["A", "B", "C"], "expires_in": 600}),
        "public",
    )
    .await;
    let id = single["poll"]["id"].as_str().unwrap();

    // Not the author; not two choices in a single-choice poll; not an unknown option.
    for (token, choices, expected) in [
        (&ana, json!([0]), "propre"),
        (&bob, json!([0, 1]), "seul choix"),
        (&bob, json!([3]), "pas ce choix"),
        (&bob, json!([-1]), "pas ce choix"),
        (&bob, json!([]), "au moins une"),
        (&bob, json!(["x"]), "pas ce choix"),
    ] {
        let (status, body) = vote(&app, token, id, choices.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{choices}: {body}"
        );
        assert!(
            body["error"].as_str().unwrap().contains(expected),
            "{choices}: {body}"
        );
    }

    let (status, poll) = vote(&app, &bob, id, json!([1])).await;
    assert_eq!(status, StatusCode::OK, "{poll}");
    assert_eq!(poll["voted"], true);
    assert_eq!(poll["own_votes"], json!([1]));
    assert_eq!(poll["votes_count"], 1);
    assert_eq!(poll["voters_count"], 1);
    assert_eq!(poll["options"][1]["votes_count"], 1);

    // A second vote, even for another option, is refused and counts nothing.
    let (status, body) = vote(&app, &bob, id, json!([2])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"].as_str().unwrap().contains("déjà"), "{body}");

    // Form votes, as Mastodon.py sends them; several choices where allowed.
    let multiple = post_poll(
        &app,
        &ana,
        json!({"options": ["A", "B", "C"], "expires_in": 600, "multiple": true}),
        "public",
    )
    .await;
    let mid = multiple["poll"]["id"].as_str().unwrap();
    let (status, poll) = app
        .post_form(
            &format!("/api/v1/polls/{mid}/votes"),
            Some(&carol),
            &[("choices[]", "0"), ("choices[]", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{poll}");
    assert_eq!(poll["votes_count"], 2);
    assert_eq!(poll["voters_count"], 1);
    assert_eq!(poll["own_votes"], json!([0, 2]));

    // The post shows the viewer's vote; others see the counts only.
    let (_, seen) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&bob))
        .await;
    assert_eq!(seen["poll"]["own_votes"], json!([1]));
    let (_, seen) = app
        .get_json(&format!("/api/v1/statuses/{id}"), Some(&carol))
        .await;
    assert_eq!(seen["poll"]["voted"], false);
    assert_eq!(seen["poll"]["votes_count"], 1);

    // Concurrent votes of one person: one passes.
    let dave = app.user_with_token("dave", "read write").await.1;
    let (a, b) = tokio::join!(
        vote(&app, &dave, id, json!([0])),
        vote(&app, &dave, id, json!([2]))
    );
    assert_eq!(
        [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{a:?} {b:?}"
    );
    let (_, poll) = app.get_json(&format!("/api/v1/polls/{id}"), None).await;
    assert_eq!(poll["voters_count"], 2);
    assert_eq!(poll["votes_count"], 2);
}

#[tokio::test]
async fn who_may_not_read_the_post_may_neither_see_nor_vote_in_its_poll() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.user_with_token("ana", "read write follow").await;
    let (_, bob) = app.user_with_token("bob", "read write follow").await;
    let (_, carol) = app.user_with_token("carol", "read write follow").await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/accounts/{ana_id}/follow"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let post = post_poll(
        &app,
        &ana,
        json!({"options": ["A", "B"], "expires_in": 600}),
        "private",
    )
    .await;
    let id = post["poll"]["id"].as_str().unwrap();
    for token in [Some(carol.as_str()), None] {
        let (status, body) = app.get_json(&format!("/api/v1/polls/{id}"), token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    let (status, body) = vote(&app, &carol, id, json!([0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = vote(&app, &bob, id, json!([0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, poll) = app
        .get_json(&format!("/api/v1/polls/{id}"), Some(&bob))
        .await;
    assert_eq!(poll["votes_count"], 1, "{poll}");
}

#[tokio::test]
async fn an_ended_poll_is_closed_once_and_its_voters_and_author_are_told() {
    let app = spawn_app().await;
    let second = spawn_second_process(&app).await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, carol) = app.user_with_token("carol", "read write").await;
    let post = post_poll(
        &app,
        &ana,
        json!({"options": ["A", "B"], "expires_in": 600, "hide_totals": true}),
        "public",
    )
    .await;
    let id = post["poll"]["id"].as_str().unwrap().to_string();
    let (status, poll) = vote(&app, &bob, &id, json!([0])).await;
    assert_eq!(status, StatusCode::OK, "{poll}");
    assert_eq!(poll["options"][0]["votes_count"], Value::Null, "hidden");

    end_now(&app, &id).await;
    // Both processes run the closing worker: each person is told once.
    eventually("the poll's end is told", || async {
        poll_notifications(&app, &ana).await.len() == 1
            && poll_notifications(&app, &bob).await.len() == 1
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(poll_notifications(&app, &ana).await.len(), 1);
    let told = poll_notifications(&app, &bob).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["status"]["id"], json!(id));
    assert_eq!(told[0]["account"]["username"], "ana");
    assert_eq!(told[0]["status"]["poll"]["expired"], true);
    // Carol did not vote: nothing for her.
    assert!(poll_notifications(&app, &carol).await.is_empty());

    // Over: totals shown, votes refused.
    let (_, poll) = app.get_json(&format!("/api/v1/polls/{id}"), None).await;
    assert_eq!(poll["expired"], true);
    assert_eq!(poll["options"][0]["votes_count"], 1, "{poll}");
    let (status, body) = vote(&app, &carol, &id, json!([1])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("terminé"),
        "{body}"
    );
    second.stop().await;
}

#[tokio::test]
async fn the_post_page_shows_the_poll_its_vote_form_and_its_results() {
    let app = spawn_app().await;
    let (_, ana) = app.user_with_token("ana", "read write").await;
    app.user_with_token("bob", "read write").await;
    let post = post_poll(
        &app,
        &ana,
        json!({"options": ["Lundi", "Vendredi"], "expires_in": 600}),
        "public",
    )
    .await;
    let id = post["id"].as_str().unwrap().to_string();
    let path = format!("/@ana/{id}");

    // Signed out: the options, no form.
    let anonymous = app.browser();
    let page = anonymous.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Vendredi"), "{}", page.body);
    assert!(!page.contains(&format!("/statuses/{id}/vote")));
    assert!(page.contains("0 personne"), "{}", page.body);

    // Signed in: a vote form; a vote counts and shows the results.
    let bob = app.browser();
    bob.sign_in("bob@example.org", "correct horse battery")
        .await;
    let page = bob.get(&path).await;
    assert!(
        page.contains(&format!("/statuses/{id}/vote")),
        "{}",
        page.body
    );
    assert!(page.contains("type=\"radio\""), "{}", page.body);
    let done = bob
        .submit(
            &path,
            &format!("/statuses/{id}/vote"),
            &[("choice_", "1"), ("next", &path)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = bob.get_in(&path, "en").await;
    assert!(!page.contains(&format!("/statuses/{id}/vote")));
    assert!(page.contains("your choice"), "{}", page.body);
    assert!(page.contains("100 %"), "{}", page.body);
    assert!(page.contains("1 person"), "{}", page.body);
    let (_, poll) = app.get_json(&format!("/api/v1/polls/{id}"), None).await;
    assert_eq!(poll["options"][1]["votes_count"], 1);

    // A second vote from the page is refused; ended, the page says so.
    let again = bob
        .submit(&path, &format!("/statuses/{id}/vote"), &[("choice_", "0")])
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    end_now(&app, &id).await;
    let page = anonymous.get_in(&path, "en").await;
    assert!(page.contains("Closed"), "{}", page.body);
}

#[tokio::test]
async fn a_poll_in_a_members_only_circle_is_seen_and_voted_in_by_its_members_only() {
    let app = spawn_app().await;
    let p = scenes::people(&app).await;
    let section = scenes::paris_section(&app, &p).await;
    scenes::member(&app, &p, &section, &p.bob, p.bob_id).await;
    scenes::member(&app, &p, &section, &p.eve, p.eve_id).await;
    let secret = scenes::group_post(
        &app,
        &section,
        &p.bob,
        json!({"status": "Réunion des membres", "audience": "members"}),
    )
    .await;
    // An answer from an app stays in the circle, with its poll.
    let (status, post) = app
        .post_json(
            "/api/v1/statuses",
            Some(&p.bob),
            &json!({"status": "Quel jour ?", "in_reply_to_id": secret["id"],
                    "poll": {"options": ["Jeudi", "Samedi"], "expires_in": 3600}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{post}");
    let id = post["poll"]["id"].as_str().unwrap();
    // Carol is no member: the poll does not exist for her, and her vote is not taken.
    let (status, body) = app
        .get_json(&format!("/api/v1/polls/{id}"), Some(&p.carol))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = vote(&app, &p.carol, id, json!([0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = vote(&app, &p.eve, id, json!([1])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, poll) = app
        .get_json(&format!("/api/v1/polls/{id}"), Some(&p.bob))
        .await;
    assert_eq!(poll["votes_count"], 1, "{poll}");
    assert_eq!(poll["voters_count"], 1, "{poll}");
}
