//! The social web pages: composing, timelines, threads, profiles, follows (with approval),
//! notifications, direct messages, search and follow by handle across two instances, and
//! what anonymous visitors and ActivityPub clients get.

mod common;

use common::{Browser, TestApp, eventually, spawn_app};
use coopol::domain::Role;
use reqwest::{StatusCode, header};

const PASSWORD: &str = "correct horse battery";

/// A signed-in browser for a new member `name`; returns it with the account id.
async fn member(app: &TestApp, name: &str) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

/// Publishes through the compose form of `page`; returns the new post's id.
async fn publish(browser: &Browser, page: &str, fields: &[(&str, &str)]) -> i64 {
    let before = post_ids(&browser.get("/").await.body);
    let done = browser.submit(page, "/statuses", fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // Every post shows on its author's home timeline.
    let home = browser.get("/").await;
    assert!(home.contains("Publication envoyée."), "no flash message");
    let after = post_ids(&home.body);
    *after
        .iter()
        .find(|id| !before.contains(id))
        .expect("the new post is on the author's home timeline")
}

/// Ids of the posts a page shows with a delete button (the viewer's own).
fn post_ids(body: &str) -> Vec<i64> {
    body.match_indices("/statuses/")
        .filter_map(|(i, _)| {
            let rest = &body[i + "/statuses/".len()..];
            let (id, action) = rest.split_once('/')?;
            action.starts_with("delete").then(|| id.parse().ok())?
        })
        .collect()
}

#[tokio::test]
async fn a_post_shows_everywhere_it_should_and_to_anyone() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let id = publish(
        &alice,
        "/",
        &[
            ("status", "Tractage samedi au marché #tracts"),
            ("visibility", "public"),
        ],
    )
    .await;
    let home = alice.get("/").await;
    assert!(home.contains("Tractage samedi au marché"));

    let visitor = app.browser();
    for path in [
        "/public".to_string(),
        "/public?local=1".to_string(),
        "/tags/tracts".to_string(),
        "/tags/TRACTS".to_string(),
        "/@alice".to_string(),
        format!("/@alice@{}", app.domain),
        format!("/@alice/{id}"),
    ] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.contains("Tractage samedi au marché"), "{path}");
        // Visitors get no buttons, only counts.
        assert!(!page.body.contains("/favourite\""), "{path}");
    }
    // The hashtag links to its page here.
    assert!(home.body.contains("/tags/tracts"), "{}", home.body);

    // ActivityPub clients asking for the pages are sent to the objects.
    let ap = |path: String| {
        let client = visitor.client.clone();
        let url = format!("{}{path}", visitor.base);
        async move {
            client
                .get(url)
                .header(header::ACCEPT, "application/activity+json")
                .send()
                .await
                .unwrap()
        }
    };
    let res = ap("/@alice".into()).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()[header::LOCATION],
        format!("{}/users/alice", app.base).as_str()
    );
    let res = ap(format!("/@alice/{id}")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let note_uri = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let note: serde_json::Value = visitor
        .client
        .get(&note_uri)
        .header(header::ACCEPT, "application/activity+json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(note["type"], "Note");
    assert!(note["content"].as_str().unwrap().contains("Tractage"));

    // Unknown posts and people are 404 pages, not errors.
    assert_eq!(
        visitor.get("/@alice/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(visitor.get("/@nobody").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        visitor.get("/@alice/notanumber").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_refused_post_keeps_what_was_typed() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let long = format!("Un texte bien trop long {}", "x".repeat(5000));
    let page = alice
        .submit(
            "/",
            "/statuses",
            &[
                ("status", long.as_str()),
                ("spoiler_text", "Attention"),
                ("visibility", "private"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&long), "the text was lost");
    assert!(page.contains("value=\"Attention\""), "the warning was lost");
    assert!(page.body.contains("value=\"private\" selected"));
    assert!(page.body.contains("role=\"alert\""));
    assert!(page.contains("trop long"), "{}", page.body);
    // Nothing was published.
    assert!(!alice.get("/").await.contains("Un texte bien trop long"));

    // Forms without the CSRF token are refused and publish nothing.
    let forged = alice
        .post_raw(
            "/statuses",
            &[("status", "forged"), ("visibility", "public")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(!alice.get("/").await.contains("forged"));

    // Visitors are sent to sign in.
    let visitor = app.browser();
    let home = visitor.get("/notifications").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert!(home.location.unwrap().starts_with("/auth/sign_in"));
}

#[tokio::test]
async fn locked_accounts_approve_followers_who_then_see_private_posts() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (bob, bob_id) = member(&app, "bob").await;
    let saved = bob
        .submit(
            "/settings",
            "/settings",
            &[("display_name", "Bob B."), ("bio", ""), ("locked", "1")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let private = publish(
        &bob,
        "/",
        &[
            ("status", "Réunion de section mardi"),
            ("visibility", "private"),
        ],
    )
    .await;

    // Followers-only posts are not shown to visitors nor to non-followers.
    let visitor = app.browser();
    assert!(!visitor.get("/@bob").await.contains("Réunion de section"));
    assert_eq!(
        visitor.get(&format!("/@bob/{private}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        alice.get(&format!("/@bob/{private}")).await.status,
        StatusCode::NOT_FOUND
    );

    let asked = alice
        .submit(
            "/@bob",
            &format!("/accounts/{bob_id}/follow"),
            &[("next", "/@bob")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(asked.location.as_deref(), Some("/@bob"));
    assert!(
        alice
            .get("/@bob")
            .await
            .contains("Demande d'abonnement envoyée.")
    );

    let requests = bob.get("/follow_requests").await;
    assert!(requests.contains("@alice"), "{}", requests.body);
    let notes = bob.get("/notifications").await;
    assert!(notes.contains("demande à vous suivre"), "{}", notes.body);

    let alice_id = {
        let body = &requests.body;
        let start = body.find("/follow_requests/").unwrap() + "/follow_requests/".len();
        body[start..].split('/').next().unwrap().to_string()
    };
    let accepted = bob
        .submit(
            "/follow_requests",
            &format!("/follow_requests/{alice_id}/authorize"),
            &[],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert!(
        bob.get("/follow_requests")
            .await
            .contains("Aucune demande en attente.")
    );

    // Now alice sees the private post, on bob's profile and in the thread view.
    assert!(alice.get("/@bob").await.contains("Réunion de section"));
    let thread = alice.get(&format!("/@bob/{private}")).await;
    assert_eq!(thread.status, StatusCode::OK);
    // She can reply; the reply form mentions bob and keeps the post's visibility.
    assert!(thread.body.contains("@bob@"), "{}", thread.body);
    assert!(thread.body.contains("value=\"private\" selected"));
    let reply = alice
        .submit(
            &format!("/@bob/{private}"),
            "/statuses",
            &[
                ("status", "@bob J'y serai"),
                ("visibility", "private"),
                ("in_reply_to_id", &private.to_string()),
                ("next", &format!("/@bob/{private}")),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let thread = bob.get(&format!("/@bob/{private}")).await;
    assert!(thread.contains("J'y serai"), "{}", thread.body);
    let notes = bob.get("/notifications").await;
    assert!(notes.contains("vous a mentionné·e"), "{}", notes.body);
    // And the post she answered shows one reply.
    assert!(thread.contains("1 réponse"), "{}", thread.body);

    // Posts new to alice's home timeline include bob's.
    let later = publish(
        &bob,
        "/",
        &[
            ("status", "Ordre du jour envoyé"),
            ("visibility", "private"),
        ],
    )
    .await;
    assert!(alice.get("/").await.contains("Ordre du jour envoyé"));
    let _ = later;
}

#[tokio::test]
async fn likes_boosts_and_deletions_from_the_buttons() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (carol, _) = member(&app, "carol").await;
    let id = publish(
        &alice,
        "/",
        &[("status", "Appel à bénévoles"), ("visibility", "public")],
    )
    .await;
    let thread = format!("/@alice/{id}");
    for action in ["favourite", "reblog"] {
        let done = carol
            .submit(
                &thread,
                &format!("/statuses/{id}/{action}"),
                &[("next", &thread)],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{action}");
        assert_eq!(done.location.as_deref(), Some(thread.as_str()));
    }
    let page = carol.get(&thread).await;
    assert!(page.body.contains("aria-pressed=\"true\""), "{}", page.body);
    let notes = alice.get("/notifications").await;
    assert!(notes.contains("a aimé votre publication"), "{}", notes.body);
    assert!(notes.contains("a partagé votre publication"));

    // Carol cannot delete alice's post.
    let refused = carol
        .submit(&thread, &format!("/statuses/{id}/delete"), &[])
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    let deleted = alice
        .submit(
            &thread,
            &format!("/statuses/{id}/delete"),
            &[("confirm", "1")],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser().get(&thread).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!carol.get("/").await.contains("Appel à bénévoles"));
}

#[tokio::test]
async fn direct_messages_reach_only_the_people_mentioned() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (bob, _) = member(&app, "bob").await;
    let (carol, _) = member(&app, "carol").await;
    let dm = publish(
        &alice,
        "/direct",
        &[
            ("status", "@bob Ton adresse pour la distribution ?"),
            ("visibility", "direct"),
            ("next", "/direct"),
        ],
    )
    .await;
    assert!(alice.get("/direct").await.contains("Ton adresse"));
    assert!(bob.get("/direct").await.contains("Ton adresse"));
    // Bob does not follow alice: the default policy sets her message aside in his requests.
    assert!(!bob.get("/notifications").await.contains("Ton adresse"));
    assert!(
        bob.get("/notifications/requests")
            .await
            .contains("Ton adresse")
    );
    assert!(!carol.get("/direct").await.contains("Ton adresse"));
    assert!(!carol.get("/").await.contains("Ton adresse"));
    assert!(!carol.get("/@alice").await.contains("Ton adresse"));
    assert!(!bob.get("/@alice").await.contains("Ton adresse"));
    for who in [&carol, &app.browser()] {
        assert_eq!(
            who.get(&format!("/@alice/{dm}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        bob.get(&format!("/@alice/{dm}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn search_finds_people_here_and_follows_them_elsewhere() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (alice, _) = member(&a, "alice").await;
    let (bob, _) = member(&b, "bob").await;

    // Local search by name.
    let (_, _) = member(&a, "camille").await;
    let found = alice.get("/search?q=cami").await;
    assert!(found.contains("@camille"), "{}", found.body);
    assert!(
        alice
            .get("/search?q=zzzz")
            .await
            .contains("Aucun résultat.")
    );

    // A handle on another server is fetched from there.
    let handle = format!("@bob@{}", b.domain);
    let q: String = url::form_urlencoded::byte_serialize(handle.as_bytes()).collect();
    let found = alice.get(&format!("/search?q={q}")).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.contains(&handle), "{}", found.body);
    // Its profile page here has a follow button.
    let profile_path = format!("/@bob@{}", b.domain);
    let profile = alice.get(&profile_path).await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    let action = {
        let body = &profile.body;
        let start = body.find("action=\"/accounts/").expect("a follow form") + "action=\"".len();
        body[start..].split('"').next().unwrap().to_string()
    };
    assert!(action.ends_with("/follow"), "{action}");
    let followed = alice
        .submit(&profile_path, &action, &[("next", &profile_path)])
        .await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER);

    // Once bob's server accepted, his posts reach alice's home page.
    eventually("bob has a follower", || async {
        bob.get("/notifications").await.contains("vous suit")
    })
    .await;
    publish(
        &bob,
        "/",
        &[("status", "Bonjour depuis B"), ("visibility", "public")],
    )
    .await;
    eventually("bob's post is on alice's home page", || async {
        alice.get("/").await.contains("Bonjour depuis B")
    })
    .await;
    // Visitors cannot make this server fetch from others.
    let visitor = a.browser();
    let other = format!("/@someone@{}", b.domain);
    assert_eq!(visitor.get(&other).await.status, StatusCode::NOT_FOUND);
}
