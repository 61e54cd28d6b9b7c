//! Confirmations and the small fixes of the web interface (issue 29, part E): a destructive
//! action (deleting a post, cancelling an event, leaving a group, removing or excluding a
//! member, taking a post out of a group) asks first on a page of its own, and only the
//! confirming form acts; the event form is offered only to those who may create the group's
//! events, and a refused submission keeps what was typed; the agenda's group filter shows a
//! handle it accepts; every page has one `<h1>` and no skipped heading level.

mod common;

use common::act;

use common::{Browser, Page, TestApp, spawn_app, urlencode};
use coopol::domain::Role;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";
const NNBSP: &str = "\u{202f}";

async fn member(app: &TestApp, name: &str) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

/// Checks that `page` is the confirmation page of `action`: its question, a confirming form
/// posting to the action with the token and `confirm=1`, and a way back to `back`.
fn assert_confirmation(page: &Page, action: &str, question: &str, back: &str) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.contains(&format!("<h1>{question}</h1>")),
        "{question}:\n{}",
        page.body
    );
    assert!(
        page.contains(&format!("action=\"{action}\"")),
        "{action}:\n{}",
        page.body
    );
    assert!(page.contains("name=\"confirm\" value=\"1\""));
    assert!(page.contains(">Confirmer</button>"), "{}", page.body);
    assert!(
        page.contains(&format!("href=\"{back}\">Annuler</a>")),
        "{back}:\n{}",
        page.body
    );
    // The confirming form carries this browser's token.
    let _ = page.csrf();
}

/// The secretary of a new open section `pau` (64000), signed in.
async fn secretary_of_pau(app: &TestApp) -> Browser {
    let (sec, _) = member(app, "secretaire").await;
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
    sec
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// An event of the section, created by its secretary; returns its page's path.
async fn event_of_pau(sec: &Browser, name: &str) -> String {
    let (start, end) = (in_days(7, 9), in_days(7, 12));
    act(
        sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", name),
            ("start_time", &start),
            ("end_time", &end),
            ("place_name", "Halles"),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await
}

/// Publishes a post through the home page's form; returns its id.
async fn publish(browser: &Browser, text: &str) -> i64 {
    act(
        browser,
        "/",
        "/statuses",
        &[("status", text), ("visibility", "public")],
    )
    .await;
    let home = browser.get("/").await;
    let at = home
        .body
        .find(text)
        .unwrap_or_else(|| panic!("{text} not on the home page"));
    let marker = "action=\"/statuses/";
    let start = home.body[at..].find(marker).expect("the post's forms") + at + marker.len();
    home.body[start..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn deleting_a_post_asks_first_and_only_the_confirmation_deletes() {
    let app = spawn_app().await;
    let (alice, _) = member(&app, "alice").await;
    let (carol, _) = member(&app, "carol").await;
    let id = publish(&alice, "Collage ce soir à 20 h devant la mairie").await;
    let thread = format!("/@alice/{id}");
    let action = format!("/statuses/{id}/delete");

    // One tap on "Supprimer" (the post's form, with the page to come back to) answers the
    // confirmation page, which shows the post; the post is still there.
    let asked = alice
        .submit(&thread, &action, &[("next", thread.as_str())])
        .await;
    assert_confirmation(
        &asked,
        &action,
        &format!("Supprimer ce message{NNBSP}?"),
        &thread,
    );
    assert!(asked.contains("Collage ce soir à 20 h devant la mairie"));
    assert!(asked.contains(&format!("name=\"next\" value=\"{thread}\"")));
    assert_eq!(app.browser().get(&thread).await.status, StatusCode::OK);

    // "Annuler" is a link back: following it changes nothing.
    let back = alice.get(&thread).await;
    assert!(back.contains("Collage ce soir"));

    // Someone else is refused, asked or confirming; a confirmation without this browser's
    // token (a forged request) is refused too.
    assert_eq!(
        carol.submit(&thread, &action, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        carol
            .submit(&thread, &action, &[("confirm", "1")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let forged = alice.post_raw(&action, &[("confirm", "1")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Anything but `confirm=1` only asks again.
    for not_quite in ["0", "true", "", "yes"] {
        let again = alice
            .submit(&thread, &action, &[("confirm", not_quite)])
            .await;
        assert_eq!(again.status, StatusCode::OK, "confirm={not_quite:?}");
    }
    assert_eq!(app.browser().get(&thread).await.status, StatusCode::OK);

    // The confirming form deletes it.
    let done = alice
        .submit(&thread, &action, &[("confirm", "1"), ("next", &thread)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        app.browser().get(&thread).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(alice.get("/").await.contains("Publication supprimée."));
}

#[tokio::test]
async fn cancelling_an_event_asks_first_and_only_organizers_are_asked() {
    let app = spawn_app().await;
    let sec = secretary_of_pau(&app).await;
    let event = event_of_pau(&sec, "Tractage au marché").await;
    let action = format!("{event}/cancel");

    let asked = sec.submit(&event, &action, &[]).await;
    assert_confirmation(
        &asked,
        &action,
        &format!("Annuler l’événement «{NNBSP}Tractage au marché{NNBSP}»{NNBSP}?"),
        &event,
    );
    assert!(asked.contains("Halles"), "when and where:\n{}", asked.body);
    assert!(!sec.get(&event).await.contains("Cet événement est annulé"));

    // A member who does not organize it is refused before anything is shown.
    let (ana, _) = member(&app, "ana").await;
    assert_eq!(
        ana.submit(&event, &action, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ana.submit(&event, &action, &[("confirm", "1")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The scope asked for travels through the confirmation; a bad one is refused at once.
    let bad = sec.submit(&event, &action, &[("scope", "all")]).await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    let following = sec.submit(&event, &action, &[("scope", "following")]).await;
    assert!(
        following.contains("name=\"scope\" value=\"following\""),
        "{}",
        following.body
    );
    assert!(following.contains("Annuler cette date et les suivantes"));

    act(&sec, &event, &action, &[("confirm", "1")]).await;
    assert!(sec.get(&event).await.contains("Cet événement est annulé"));
}

#[tokio::test]
async fn leaving_a_group_and_removing_members_ask_first() {
    let app = spawn_app().await;
    let sec = secretary_of_pau(&app).await;
    let (bob, _) = member(&app, "bob").await;
    let (carol, carol_id) = member(&app, "carol").await;
    let (dave, dave_id) = member(&app, "dave").await;
    for who in [&bob, &carol, &dave] {
        act(who, "/@pau", "/groups/pau/join", &[]).await;
    }
    act(
        &sec,
        "/@pau",
        "/groups/pau/post",
        &[
            ("title", "Réunion de bureau"),
            ("status", "Ordre du jour à compléter"),
            ("audience", "members"),
        ],
    )
    .await;

    // Leaving.
    let asked = bob.submit("/@pau", "/groups/pau/leave", &[]).await;
    assert_confirmation(
        &asked,
        "/groups/pau/leave",
        &format!("Quitter Section de Pau{NNBSP}?"),
        "/@pau",
    );
    assert!(
        bob.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    act(&bob, "/@pau", "/groups/pau/leave", &[("confirm", "1")]).await;
    assert!(
        !bob.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );

    // Removing a member: moderators are asked, others refused.
    let members = "/groups/pau/members";
    let remove = format!("/groups/pau/members/{carol_id}/remove");
    assert_eq!(
        dave.submit(members, &remove, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let asked = sec.submit(members, &remove, &[]).await;
    assert_confirmation(
        &asked,
        &remove,
        &format!("Retirer carol du groupe{NNBSP}?"),
        members,
    );
    assert!(
        carol
            .get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    act(&sec, members, &remove, &[("confirm", "1")]).await;
    assert!(
        !carol
            .get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    // Someone no longer in the group is not offered a confirmation.
    assert_eq!(
        sec.submit(members, &remove, &[]).await.status,
        StatusCode::NOT_FOUND
    );

    // Excluding.
    let ban = format!("/groups/pau/members/{dave_id}/ban");
    let asked = sec.submit(members, &ban, &[]).await;
    assert_confirmation(
        &asked,
        &ban,
        &format!("Exclure dave du groupe{NNBSP}?"),
        members,
    );
    assert!(
        dave.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    act(&sec, members, &ban, &[("confirm", "1")]).await;
    assert!(
        !dave
            .get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );

    // Taking a post out of the group.
    let page = sec.get("/groups/pau/discussions").await;
    let at = page.body.find("Réunion de bureau").unwrap();
    let marker = "/groups/pau/posts/";
    let start = page.body[at..].find(marker).unwrap() + at + marker.len();
    let post = page.body[start..].split('/').next().unwrap().to_string();
    let remove_post = format!("/groups/pau/posts/{post}/remove");
    let asked = sec.submit("/@pau", &remove_post, &[]).await;
    assert_confirmation(
        &asked,
        &remove_post,
        &format!("Retirer ce message du groupe{NNBSP}?"),
        "/groups/pau/discussions",
    );
    assert!(asked.contains("Ordre du jour à compléter"));
    assert!(
        sec.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    act(&sec, "/@pau", &remove_post, &[("confirm", "1")]).await;
    assert!(
        !sec.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
}

#[tokio::test]
async fn the_event_form_is_for_organizers_and_a_refusal_keeps_what_was_typed() {
    let app = spawn_app().await;
    let sec = secretary_of_pau(&app).await;
    let (bob, _) = member(&app, "bob").await;
    act(&bob, "/@pau", "/groups/pau/join", &[]).await;

    // The link and the form are offered to the group's organizers only.
    assert!(
        sec.get("/groups/pau/agenda")
            .await
            .contains("/events/new?group=pau")
    );
    assert!(
        !bob.get("/groups/pau/agenda")
            .await
            .contains("/events/new?group=pau")
    );
    assert_eq!(
        sec.get("/events/new?group=pau").await.status,
        StatusCode::OK
    );
    let refused = bob.get("/events/new?group=pau").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.contains("Seul·es les modérateur·rices et administrateur·rices de ce groupe"),
        "{}",
        refused.body
    );
    assert!(!refused.contains("name=\"start_time\""));
    // Their own events (no group) stay open to everyone.
    assert_eq!(bob.get("/events/new").await.status, StatusCode::OK);

    // A submission refused anyway (a form kept open while the rights changed) comes back
    // with everything typed and the reason next to the group's field.
    let (start, end) = (in_days(3, 18), in_days(3, 20));
    let typed = [
        ("group", "pau"),
        ("name", "Réunion ouverte de bob"),
        ("description", "Venez avec vos idées pour la rentrée"),
        ("start_time", start.as_str()),
        ("end_time", end.as_str()),
        ("place_name", "Bourse du travail"),
        ("postcode", "64000"),
    ];
    let page = bob.submit("/agenda", "/events", &typed).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    for (_, value) in typed {
        assert!(page.contains(value), "{value} lost:\n{}", page.body);
    }
    assert!(page.contains("id=\"group-error\""), "{}", page.body);
    assert!(page.contains("Seul·es les modérateur·rices"));
    assert!(page.contains("Le formulaire contient des erreurs"));

    // An unknown group, likewise.
    let mut typed = typed.to_vec();
    typed[0] = ("group", "nulle_part");
    let page = bob.submit("/agenda", "/events", &typed).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
    assert!(page.contains("Réunion ouverte de bob") && page.contains("id=\"group-error\""));

    // Without the group, the same form creates bob's own event.
    typed[0] = ("group", "");
    act(&bob, "/agenda", "/events", &typed).await;
}

#[tokio::test]
async fn the_agenda_filter_shows_a_handle_it_accepts() {
    let app = spawn_app().await;
    let visitor = app.browser();
    let page = visitor.get("/agenda").await;
    let marker = "id=\"group\" name=\"group\" value=\"\" placeholder=\"";
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no group filter:\n{}", page.body))
        + marker.len();
    let placeholder = page.body[start..].split('"').next().unwrap().to_string();
    let handle = placeholder
        .strip_prefix('@')
        .unwrap_or_else(|| panic!("{placeholder} is not a handle"));
    let (name, domain) = handle
        .split_once('@')
        .unwrap_or_else(|| panic!("{placeholder} has no domain"));
    coopol::domain::Username::parse(name).unwrap_or_else(|_| panic!("{name} is not a valid name"));
    assert!(!domain.is_empty() && !domain.contains('@'), "{placeholder}");

    // A group of that name here is found by the filter written as the placeholder shows.
    let (sec, _) = member(&app, "secretaire").await;
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", name),
            ("display_name", "Section d’exemple"),
            ("postcode", "64000"),
            ("join_mode", "open"),
        ],
    )
    .await;
    let (start, end) = (in_days(5, 9), in_days(5, 11));
    act(
        &sec,
        &format!("/events/new?group={name}"),
        "/events",
        &[
            ("group", name),
            ("name", "Permanence de la section"),
            ("start_time", &start),
            ("end_time", &end),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    let own = format!("@{name}@{}", app.domain);
    let filtered = visitor
        .get(&format!("/agenda?group={}", urlencode(&own)))
        .await;
    assert_eq!(filtered.status, StatusCode::OK, "{own}:\n{}", filtered.body);
    assert!(filtered.contains("Permanence de la section"));
    // The placeholder names this server, so that it is a handle the filter accepts.
    assert_eq!(placeholder, own);
}

/// The heading levels of a page, in order.
fn headings(body: &str) -> Vec<u8> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    for (i, _) in body.match_indices("<h") {
        let (Some(&level), Some(&after)) = (bytes.get(i + 2), bytes.get(i + 3)) else {
            continue;
        };
        if (b'1'..=b'6').contains(&level) && (after == b'>' || after == b' ') {
            out.push(level - b'0');
        }
    }
    out
}

/// One `<h1>`, first, and no level skipped on the way down.
fn assert_outline(path: &str, page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{path}");
    let levels = headings(&page.body);
    assert_eq!(
        levels.iter().filter(|l| **l == 1).count(),
        1,
        "{path}: one <h1> ({levels:?})"
    );
    assert_eq!(levels.first(), Some(&1), "{path}: <h1> first ({levels:?})");
    for pair in levels.windows(2) {
        assert!(
            pair[1] <= pair[0] + 1,
            "{path}: h{} follows h{} ({levels:?})",
            pair[1],
            pair[0]
        );
    }
}

#[test]
fn the_outline_check_catches_skips_and_missing_titles() {
    let page = |body: &str| Page {
        status: StatusCode::OK,
        location: None,
        headers: Default::default(),
        body: body.to_string(),
    };
    let bad = [
        "<h1>A</h1><h3>B</h3>",
        "<h2>A</h2>",
        "<h1>A</h1><h1 class=x>B</h1>",
        "<main></main>",
    ];
    for body in bad {
        let caught = std::panic::catch_unwind(|| assert_outline("/", &page(body)));
        assert!(caught.is_err(), "{body}");
    }
    assert_outline(
        "/",
        &page("<h1>A</h1><h2 class=\"x\">B</h2><h3>C</h3><h2>D</h2><header><hr>"),
    );
}

#[tokio::test]
async fn every_page_has_one_title_and_no_skipped_heading_level() {
    let app = spawn_app().await;
    let sec = secretary_of_pau(&app).await;
    let (alice, _) = member(&app, "alice").await;
    act(&alice, "/@pau", "/groups/pau/join", &[]).await;
    act(
        &sec,
        "/@pau",
        "/groups/pau/post",
        &[
            ("title", "Tractage samedi"),
            ("status", "Rendez-vous aux Halles"),
            ("audience", "public"),
        ],
    )
    .await;
    let event = event_of_pau(&sec, "Assemblée de rentrée").await;
    let post = publish(&alice, "Qui vient samedi ?").await;
    act(
        &sec,
        &format!("/@alice/{post}"),
        &format!("/statuses/{post}/favourite"),
        &[],
    )
    .await;

    // The home timeline shows titled posts (discussions, events) under its title.
    let home = alice.get("/").await;
    assert!(home.body.contains("<h3"), "{}", home.body);
    let discussion = {
        let at = home.body.find("Tractage samedi").unwrap();
        let before = &home.body[..at];
        let href = before.rfind("href=\"").unwrap() + "href=\"".len();
        before[href..].split('"').next().unwrap().to_string()
    };
    let thread = format!("/@alice/{post}");
    for path in [
        "/",
        "/public",
        "/public?local=1",
        "/notifications",
        thread.as_str(),
        discussion.as_str(),
        "/@pau",
        "/@alice",
        "/groups",
        "/groups/pau/members",
        "/agenda",
        "/missions",
        event.as_str(),
        "/events/new",
        "/search?q=pau",
        "/settings",
        "/settings/preferences",
        "/settings/notifications",
        "/about",
    ] {
        assert_outline(path, &alice.get(path).await);
    }
    for path in ["/notifications", "/groups/pau/members", event.as_str()] {
        assert_outline(path, &sec.get(path).await);
    }
    // The confirmation pages too.
    let confirm = alice
        .submit(&thread, &format!("/statuses/{post}/delete"), &[])
        .await;
    assert_outline("delete confirmation", &confirm);
    let visitor = app.browser();
    for path in ["/", "/about", "/agenda", "/@pau", thread.as_str()] {
        assert_outline(path, &visitor.get(path).await);
    }
}
