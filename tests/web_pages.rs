//! Pages with pictures and structure, and the landing page (issue 29, part D), over HTTP: a
//! group's page in tabs each at its own address (and the old addresses still working), the
//! pictures' markup and "Organisé par" on events, the groups a person chose to show on their
//! profile (never an invitation-only group to someone outside it, whatever they ticked), and
//! the landing page visitors see (public events and missions only, near a postcode).

mod common;

use common::act;

use common::{Browser, TestApp, spawn_app};
use coopol::domain::Role;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

async fn member(app: &TestApp, name: &str, role: Role) -> Browser {
    app.create_user(name, PASSWORD, role).await;
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

/// `secretary` creates the group `name` (a section at `postcode`, joined as `join_mode`).
async fn group(secretary: &Browser, name: &str, display: &str, postcode: &str, join_mode: &str) {
    act(
        secretary,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", name),
            ("display_name", display),
            ("postcode", postcode),
            ("join_mode", join_mode),
        ],
    )
    .await;
}

/// An event of `group` (`audience` public or members), `days` from now; its page.
async fn event(sec: &Browser, group: &str, name: &str, days: i64, audience: &str) -> String {
    act(
        sec,
        &format!("/events/new?group={group}"),
        "/events",
        &[
            ("group", group),
            ("name", name),
            ("start_time", &in_days(days, 9)),
            ("end_time", &in_days(days, 12)),
            ("postcode", "64000"),
            ("join_mode", "free"),
            ("audience", audience),
        ],
    )
    .await
}

/// A mission of `group` with one shift, `days` from now; its page.
async fn mission(sec: &Browser, group: &str, name: &str, days: i64, audience: &str) -> String {
    act(
        sec,
        &format!("/events/new?group={group}"),
        "/events",
        &[
            ("group", group),
            ("name", name),
            ("postcode", "64000"),
            ("audience", audience),
            ("shift1_start", &in_days(days, 20)),
            ("shift1_end", &in_days(days, 21)),
            ("shift1_needed", "2"),
        ],
    )
    .await
}

/// The value of the first `attr="…"` after `marker` in `body`.
fn attr_after(body: &str, marker: &str, attr: &str) -> String {
    let at = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not on the page:\n{body}"));
    let key = format!("{attr}=\"");
    let start = body[at..].find(&key).unwrap() + at + key.len();
    body[start..].split('"').next().unwrap().to_string()
}

/// The tab marked current on a page.
fn current_tab(body: &str) -> String {
    let nav = &body[body.find("class=\"group-tabs\"").expect("the tabs")..];
    let at = nav.find("aria-current=\"page\"").expect("a current tab");
    let text = &nav[at..];
    let start = text.find('>').unwrap() + 1;
    text[start..].split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn a_groups_page_is_in_tabs_each_at_its_own_address() {
    let app = spawn_app().await;
    let sec = member(&app, "secretaire", Role::Member).await;
    group(&sec, "pau", "Section de Pau", "64000", "open").await;
    act(
        &sec,
        "/groups/pau/discussions",
        "/groups/pau/post",
        &[
            ("title", "Réunion de rentrée"),
            ("status", "On se retrouve jeudi"),
            ("audience", "public"),
        ],
    )
    .await;
    event(&sec, "pau", "Tractage au marché", 5, "public").await;
    mission(&sec, "pau", "Collage d’affiches", 6, "public").await;
    let visitor = app.browser();

    // About, at both addresses: who the group is and the way in, not the discussions.
    for path in ["/@pau", "/groups/pau"] {
        let about = visitor.get(path).await;
        assert_eq!(about.status, StatusCode::OK, "{path}");
        assert_eq!(current_tab(&about.body), "À propos", "{path}");
        assert!(about.contains("<h1>Section de Pau</h1>"), "{}", about.body);
        for tab in ["discussions", "agenda", "missions"] {
            assert!(
                about.contains(&format!("href=\"/groups/pau/{tab}\"")),
                "{tab}"
            );
        }
        assert!(
            !about.contains("Réunion de rentrée"),
            "discussions have their tab"
        );
        assert!(
            !about.contains("href=\"/groups/pau/members\""),
            "P1: not to visitors"
        );
    }

    // Discussions: the posts and, for those who may post, the form.
    let discussions = sec.get("/groups/pau/discussions").await;
    assert_eq!(discussions.status, StatusCode::OK);
    assert_eq!(current_tab(&discussions.body), "Discussions");
    assert!(discussions.contains("Réunion de rentrée"));
    assert!(discussions.contains("action=\"/groups/pau/post\""));
    assert!(
        discussions.contains("href=\"/groups/pau/members\""),
        "members tab for members"
    );
    assert!(discussions.contains("<title>Discussions · Section de Pau"));
    assert!(
        !visitor
            .get("/groups/pau/discussions")
            .await
            .contains("action=\"/groups/pau/post\"")
    );

    // Agenda and missions, apart.
    let agenda = visitor.get("/groups/pau/agenda").await;
    assert_eq!(current_tab(&agenda.body), "Agenda");
    assert!(agenda.contains("Tractage au marché") && !agenda.contains("Collage d’affiches"));
    assert!(agenda.contains("/groups/pau/calendar.ics"));
    let missions = visitor.get("/groups/pau/missions").await;
    assert_eq!(current_tab(&missions.body), "Missions");
    assert!(missions.contains("Collage d’affiches") && !missions.contains("Tractage au marché"));

    // Members: the existing page, now a tab.
    let members = sec.get("/groups/pau/members").await;
    assert_eq!(current_tab(&members.body), "Membres");
    // People listed with their avatar, sized, loaded when seen.
    assert!(members.contains("alt=\"\" width=\"32\" height=\"32\" loading=\"lazy\""));

    // The old addresses of the discussions' filters and pages lead to the discussions tab.
    let old = visitor.get("/@pau?audience=public").await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
    assert_eq!(
        old.location.as_deref(),
        Some("/groups/pau/discussions?audience=public")
    );
    // Posting from the form lands on the discussions.
    let posted = sec
        .submit(
            "/groups/pau/discussions",
            "/groups/pau/post",
            &[
                ("title", "Deux"),
                ("status", "Encore"),
                ("audience", "public"),
            ],
        )
        .await;
    assert_eq!(posted.location.as_deref(), Some("/groups/pau/discussions"));
    // A refused post keeps what was typed, on the discussions tab.
    let refused = sec
        .submit(
            "/groups/pau/discussions",
            "/groups/pau/post",
            &[
                ("title", "Sans texte"),
                ("status", ""),
                ("audience", "nobody"),
            ],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert_eq!(current_tab(&refused.body), "Discussions");
    assert!(refused.contains("Sans texte"));

    // Bad input is refused, clearly.
    for (path, status) in [
        (
            "/groups/pau/agenda?offset=-1",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/groups/pau/agenda?offset=abc", StatusCode::BAD_REQUEST),
        (
            "/groups/pau/agenda?max_id=3",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/groups/pau/discussions?offset=3",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "/groups/pau/discussions?audience=everyone",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/@pau?offset=3", StatusCode::UNPROCESSABLE_ENTITY),
        ("/groups/pau/nothing", StatusCode::NOT_FOUND),
        ("/groups/nobody/agenda", StatusCode::NOT_FOUND),
    ] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, status, "{path}: {}", page.body);
    }
    let refused = visitor.get("/groups/pau/agenda?offset=-1").await;
    assert!(
        refused.contains("nombre positif ou nul"),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn the_agenda_tab_is_paged() {
    let app = spawn_app().await;
    let sec = member(&app, "secretaire", Role::Member).await;
    group(&sec, "pau", "Section de Pau", "64000", "open").await;
    for day in 1..=11 {
        event(
            &sec,
            "pau",
            &format!("Permanence n°{day:02}"),
            day,
            "public",
        )
        .await;
    }
    let visitor = app.browser();
    let first = visitor.get("/groups/pau/agenda").await;
    assert!(first.contains("Permanence n°01") && first.contains("Permanence n°10"));
    assert!(!first.contains("Permanence n°11"));
    let next = attr_after(
        &first.body,
        "class=\"button secondary\" href=\"/groups/pau/agenda?offset=",
        "href",
    );
    let second = visitor.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.contains("Permanence n°11") && !second.contains("Permanence n°10"));
    assert!(
        !second.contains("class=\"button secondary\" href=\"/groups/pau/agenda?offset="),
        "the last page"
    );
}

#[tokio::test]
async fn events_show_who_organizes_them_with_pictures_sized() {
    let app = spawn_app().await;
    let sec = member(&app, "secretaire", Role::Member).await;
    group(&sec, "pau", "Section de Pau", "64000", "open").await;
    let path = event(&sec, "pau", "Tractage au marché", 5, "public").await;
    let visitor = app.browser();

    let page = visitor.get(&path).await;
    assert!(
        page.contains("Organisé par <a href=\"/@pau\">Section de Pau</a>"),
        "{}",
        page.body
    );
    let card = visitor.get("/groups/pau/agenda").await;
    let at = card
        .body
        .find("class=\"organized-by\"")
        .expect("organised by on the card");
    let line = &card.body[at..at + card.body[at..].find("</p>").unwrap()];
    assert!(line.contains("href=\"/@pau\"") && line.contains("Section de Pau"));
    for attr in [
        "alt=\"\"",
        "width=\"24\"",
        "height=\"24\"",
        "loading=\"lazy\"",
    ] {
        assert!(line.contains(attr), "{attr} in {line}");
    }
    let english = visitor.get_in(&path, "en").await;
    assert!(english.contains("Organised by"));

    // The group's logo in the head of every tab, and in the directory, sized.
    let tab = visitor.get("/groups/pau/missions").await;
    let head = &tab.body[tab.body.find("class=\"group-head\"").unwrap()..];
    assert!(head.contains("width=\"44\" height=\"44\""));
    let directory = visitor.get("/groups").await;
    assert!(directory.contains("width=\"44\" height=\"44\" loading=\"lazy\""));
}

/// The ids of the boxes of the groups' form on the settings page, with whether ticked.
fn boxes(body: &str) -> Vec<(String, bool)> {
    body.split("name=\"group\" value=\"")
        .skip(1)
        .map(|rest| {
            let id = rest.split('"').next().unwrap().to_string();
            let tag = rest.split('>').next().unwrap();
            (id, tag.contains("checked"))
        })
        .collect()
}

#[tokio::test]
async fn a_profile_shows_only_the_groups_chosen_and_never_a_closed_one_to_outsiders() {
    let app = spawn_app().await;
    let sec = member(&app, "secretaire", Role::Member).await;
    group(&sec, "pau", "Section de Pau", "64000", "open").await;
    group(&sec, "cercle", "Cercle discret", "64000", "invite").await;
    group(&sec, "autre", "Autre section", "64100", "open").await;
    let ana = member(&app, "ana", Role::Member).await;
    act(&ana, "/@pau", "/groups/pau/join", &[]).await;
    act(
        &sec,
        "/groups/cercle/members",
        "/groups/cercle/invite",
        &[("handle", "ana")],
    )
    .await;
    act(&ana, "/@cercle", "/groups/cercle/join", &[]).await;
    let visitor = app.browser();

    // Hidden by default (P11).
    let profile = visitor.get("/@ana").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(!profile.contains("Section de Pau") && !profile.contains("Cercle discret"));

    // Settings → Profile: one box per group, none ticked.
    let settings = ana.get("/settings").await;
    assert!(settings.contains("Groupes affichés sur mon profil"));
    let found = boxes(&settings.body);
    assert_eq!(found.len(), 2, "{}", settings.body);
    assert!(found.iter().all(|(_, ticked)| !ticked));
    assert!(
        settings.contains("groupe sur invitation"),
        "the closed group says so"
    );
    // The box comes before the group's name in its label.
    let at = settings.body.find("Section de Pau").unwrap();
    let before = &settings.body[..at];
    let start = before.rfind("value=\"").unwrap() + 7;
    let pau_id = before[start..].split('"').next().unwrap().to_string();
    assert!(found.iter().any(|(id, _)| *id == pau_id));
    let ids: Vec<String> = found.iter().map(|(id, _)| id.clone()).collect();
    let cercle_id = ids.iter().find(|id| **id != pau_id).unwrap().clone();

    // Hostile: a group she is not a member of, a word, a field nobody offered.
    let autre = sec.get("/@autre").await;
    let autre_id = attr_after(&autre.body, "/report?account=", "href")
        .rsplit('=')
        .next()
        .unwrap()
        .to_string();
    let refused = ana
        .submit(
            "/settings",
            "/settings/profile_groups",
            &[("group", &pau_id), ("group", &autre_id)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.contains("Vous n’êtes pas membre de ce groupe"),
        "{}",
        refused.body
    );
    assert!(refused.contains("id=\"profile-groups-error\""));
    let refused = ana
        .submit("/settings", "/settings/profile_groups", &[("group", "abc")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = ana
        .submit(
            "/settings",
            "/settings/profile_groups",
            &[("group", &pau_id), ("shown", "all")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        !visitor.get("/@ana").await.contains("Section de Pau"),
        "nothing changed"
    );
    let forged = visitor
        .post_raw("/settings/profile_groups", &[("group", &pau_id)])
        .await;
    assert!(
        forged.status.is_client_error(),
        "no CSRF token: {}",
        forged.status
    );

    // She shows both.
    act(
        &ana,
        "/settings",
        "/settings/profile_groups",
        &[("group", &pau_id), ("group", &cercle_id)],
    )
    .await;
    let settings = ana.get("/settings").await;
    assert!(boxes(&settings.body).iter().all(|(_, ticked)| *ticked));
    let profile = visitor.get("/@ana").await;
    assert!(profile.contains("Section de Pau"), "{}", profile.body);
    assert!(profile.contains("href=\"/@pau\""));
    assert!(
        !profile.contains("Cercle discret") && !profile.contains("/@cercle"),
        "an invitation-only group never shows to outsiders"
    );
    let outsider = member(&app, "bob", Role::Member).await;
    assert!(!outsider.get("/@ana").await.contains("Cercle discret"));
    // Its own members see it.
    let inside = sec.get("/@ana").await;
    assert!(inside.contains("Cercle discret") && inside.contains("Section de Pau"));

    // Unticked: hidden again; leaving and joining again starts hidden.
    act(
        &ana,
        "/settings",
        "/settings/profile_groups",
        &[("group", &cercle_id)],
    )
    .await;
    assert!(!visitor.get("/@ana").await.contains("Section de Pau"));
    act(
        &ana,
        "/settings",
        "/settings/profile_groups",
        &[("group", &pau_id), ("group", &cercle_id)],
    )
    .await;
    act(&ana, "/@pau", "/groups/pau/leave", &[("confirm", "1")]).await;
    assert!(!visitor.get("/@ana").await.contains("Section de Pau"));
    act(&ana, "/@pau", "/groups/pau/join", &[]).await;
    assert!(
        !visitor.get("/@ana").await.contains("Section de Pau"),
        "a new membership starts hidden"
    );
}

#[tokio::test]
async fn the_landing_page_shows_public_events_and_missions_never_members_only_ones() {
    let app = spawn_app().await;
    let admin = member(&app, "chef", Role::Admin).await;
    act(
        &admin,
        "/admin/about",
        "/admin/about",
        &[
            ("name", "Coop Béarn"),
            ("short_description", "Le réseau des sections du Béarn"),
            ("contact_email", ""),
            ("contact_username", ""),
            ("extended_description", ""),
            ("privacy_policy", ""),
        ],
    )
    .await;
    act(
        &admin,
        "/admin/rules",
        "/admin/rules",
        &[
            ("text", "Pas de harcèlement"),
            ("hint", "Ni ici ni ailleurs."),
        ],
    )
    .await;
    let sec = member(&app, "secretaire", Role::Member).await;
    group(&sec, "pau", "Section de Pau", "64000", "open").await;
    event(&sec, "pau", "Tractage au marché", 5, "public").await;
    event(&sec, "pau", "Assemblée interne", 6, "members").await;
    mission(&sec, "pau", "Collage d’affiches", 7, "public").await;
    mission(&sec, "pau", "Mission secrète", 8, "members").await;

    let visitor = app.browser();
    let landing = visitor.get("/").await;
    assert_eq!(landing.status, StatusCode::OK);
    for text in [
        "Coop Béarn",
        "Le réseau des sections du Béarn",
        "Trouver ma section",
        "action=\"/groups\"",
        "name=\"postcode\"",
        "Tractage au marché",
        "Collage d’affiches",
        "Pas de harcèlement",
        "href=\"/auth/sign_up\"",
        "href=\"/auth/sign_in\"",
        "Organisé par",
    ] {
        assert!(landing.contains(text), "{text}:\n{}", landing.body);
    }
    assert!(
        !landing.contains("Assemblée interne") && !landing.contains("Mission secrète"),
        "members-only events never show"
    );

    // Near a postcode: the events of its département only.
    let near = visitor.get("/?postcode=64000").await;
    assert!(near.contains("dans le département 64") && near.contains("Tractage au marché"));
    assert!(near.contains("value=\"64000\""), "kept");
    let far = visitor.get("/?postcode=75011").await;
    assert!(far.contains("dans le département 75"));
    assert!(!far.contains("Tractage au marché") && !far.contains("Collage d’affiches"));
    // A wrong postcode is refused, kept, and the instance's events still show.
    let wrong = visitor.get("/?postcode=6400%3Cb%3E").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.contains("id=\"postcode-error\"") && wrong.contains("aria-invalid=\"true\""));
    assert!(
        wrong.body.contains("value=\"6400&#60;b&#62;\"") && !wrong.body.contains("6400<b>"),
        "kept, escaped: {}",
        wrong.body
    );
    assert!(wrong.contains("Tractage au marché"));
    // "Trouver ma section" finds it.
    let found = visitor.get("/groups?postcode=64000").await;
    assert!(found.contains("Section de Pau"));

    // In English too.
    let english = visitor.get_in("/", "en").await;
    assert!(english.contains("Find my section") && english.contains("Upcoming events"));

    // Signed in, `/` is the home timeline.
    let home = sec.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.contains("Trouver ma section"));
}
