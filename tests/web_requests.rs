//! The notification requests page: the policy form, what it sets aside, accepting and
//! dismissing, and what is refused (someone else's request, a forged form).

mod common;

use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn member(app: &TestApp, name: &str) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

/// A direct message from the web composer.
async fn direct(browser: &Browser, text: &str) {
    let done = browser
        .submit(
            "/",
            "/statuses",
            &[("status", text), ("visibility", "direct")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
}

/// The ids of the requests a page offers to accept.
fn request_ids(body: &str) -> Vec<String> {
    body.match_indices("/notifications/requests/")
        .filter_map(|(i, _)| {
            let rest = &body[i + "/notifications/requests/".len()..];
            let (id, action) = rest.split_once('/')?;
            action.starts_with("accept").then(|| id.to_string())
        })
        .collect()
}

const ALL_ACCEPT: [(&str, &str); 5] = [
    ("for_not_following", "accept"),
    ("for_not_followers", "accept"),
    ("for_new_accounts", "accept"),
    ("for_private_mentions", "accept"),
    ("for_limited_accounts", "filter"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_mentions_from_strangers_wait_in_requests_until_accepted_or_dismissed() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (bob, _) = member(&app, "bob").await;
    let (carol, _) = member(&app, "carol").await;

    // Bob, whom alice does not follow, writes to her privately: set aside by the default
    // policy, out of her notifications, and waiting in her requests.
    direct(&bob, "@alice rendez-vous discret jeudi").await;
    let notes = alice.get("/notifications").await;
    assert!(!notes.contains("rendez-vous discret"), "{}", notes.body);
    assert!(
        notes.contains("Une demande de notification attend"),
        "{}",
        notes.body
    );
    let page = alice.get("/notifications/requests").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("@bob"), "{}", page.body);
    assert!(page.contains("rendez-vous discret"), "{}", page.body);
    assert!(page.contains("Une notification attend."), "{}", page.body);
    // The policy form shows Mastodon's defaults.
    assert!(page.body.contains("<option value=\"filter\" selected>"));
    let bobs = request_ids(&page.body);
    assert_eq!(bobs.len(), 1, "{}", page.body);

    // Nobody else may act on it: carol gets 404, and it stays.
    let forged = carol
        .submit(
            "/notifications/requests",
            &format!("/notifications/requests/{}/accept", bobs[0]),
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    let unknown = alice
        .submit(
            "/notifications/requests",
            &format!("/notifications/requests/{}/approve", bobs[0]),
            &[],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        request_ids(&alice.get("/notifications/requests").await.body),
        bobs
    );

    // Accepted: bob's message joins her notifications, and his next ones come straight.
    let accepted = alice
        .submit(
            "/notifications/requests",
            &format!("/notifications/requests/{}/accept", bobs[0]),
            &[],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        accepted.location.as_deref(),
        Some("/notifications/requests")
    );
    let page = alice.get("/notifications/requests").await;
    assert!(page.contains("Demande acceptée"), "{}", page.body);
    assert!(page.contains("Rien n’attend."), "{}", page.body);
    assert!(
        alice
            .get("/notifications")
            .await
            .contains("rendez-vous discret")
    );
    direct(&bob, "@alice et vendredi aussi").await;
    assert!(
        alice
            .get("/notifications")
            .await
            .contains("et vendredi aussi")
    );

    // Carol's is dismissed: gone from the requests and never shown.
    direct(&carol, "@alice achète ma tombola").await;
    let carols = request_ids(&alice.get("/notifications/requests").await.body);
    assert_eq!(carols.len(), 1);
    let dismissed = alice
        .submit(
            "/notifications/requests",
            &format!("/notifications/requests/{}/dismiss", carols[0]),
            &[],
        )
        .await;
    assert_eq!(dismissed.status, StatusCode::SEE_OTHER);
    assert!(request_ids(&alice.get("/notifications/requests").await.body).is_empty());
    assert!(!alice.get("/notifications").await.contains("tombola"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_form_saves_every_field_or_nothing() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (dave, _) = member(&app, "dave").await;

    // Forged forms are refused and change nothing: an unknown field, a missing one, a value
    // that is not an action.
    let mut unknown = ALL_ACCEPT.to_vec();
    unknown.push(("for_everyone", "accept"));
    let mut bad = ALL_ACCEPT.to_vec();
    bad[3] = ("for_private_mentions", "maybe");
    for form in [unknown, ALL_ACCEPT[..4].to_vec(), bad] {
        let refused = alice
            .submit("/notifications/requests", "/notifications/policy", &form)
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{form:?}");
    }
    direct(&dave, "@alice toujours filtré").await;
    assert!(
        !alice
            .get("/notifications")
            .await
            .contains("toujours filtré")
    );

    // Saved: private mentions from strangers now come straight through.
    let saved = alice
        .submit(
            "/notifications/requests",
            "/notifications/policy",
            &ALL_ACCEPT,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = alice.get("/notifications/requests").await;
    assert!(page.contains("Réglages enregistrés."), "{}", page.body);
    assert_eq!(
        page.body
            .matches("<option value=\"accept\" selected>")
            .count(),
        4
    );
    assert_eq!(
        page.body
            .matches("<option value=\"filter\" selected>")
            .count(),
        1
    );
    direct(&dave, "@alice maintenant visible").await;
    assert!(
        alice
            .get("/notifications")
            .await
            .contains("maintenant visible")
    );

    // Signed out, the page is not shown.
    let visitor = app.browser();
    let page = visitor.get("/notifications/requests").await;
    assert_ne!(page.status, StatusCode::OK);
}
