//! The group pages: creating a section with the form (and its errors), the directory and
//! "find my section", asking to join with a message and being approved, discussions per
//! circle, roles, the CSV export and the audit log, locking and removing, leaving, and a
//! federation with its sections.

mod common;

use common::act;

use common::{Browser, TestApp, eventually, spawn_app};
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

/// The id of the discussion titled `title` on a group page seen by a moderator (from its
/// moderation buttons).
fn discussion_id(body: &str, group: &str, title: &str) -> String {
    let at = body
        .find(title)
        .unwrap_or_else(|| panic!("{title} is not on the page"));
    let marker = format!("/groups/{group}/posts/");
    let start = body[at..].find(&marker).expect("moderation buttons") + at + marker.len();
    body[start..].split('/').next().unwrap().to_string()
}

#[tokio::test]
async fn a_section_is_created_joined_and_run_from_its_pages() {
    let app = spawn_app().await;
    let (sec, _) = member(&app, "secretaire").await;

    // The form refuses what is missing and keeps what was typed.
    assert_eq!(sec.get("/groups/new").await.status, StatusCode::OK);
    let refused = sec
        .submit(
            "/groups/new",
            "/groups",
            &[
                ("kind", "section"),
                ("name", "pau"),
                ("display_name", "Section de Pau"),
                ("summary", "La section du centre-ville"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("Le formulaire contient des erreurs"));
    assert!(
        refused.contains("id=\"postcode-error\""),
        "{}",
        refused.body
    );
    assert!(refused.contains("Section de Pau") && refused.contains("La section du centre-ville"));
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", "pau"),
            ("display_name", "Section de Pau"),
            ("summary", "La section du centre-ville"),
            ("join_mode", "approval"),
            ("postcode", "64000"),
            ("commune", "Pau"),
        ],
    )
    .await;
    let taken = sec
        .submit(
            "/groups/new",
            "/groups",
            &[
                ("kind", "theme"),
                ("name", "pau"),
                ("display_name", "Autre"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert!(taken.contains("est déjà pris"), "{}", taken.body);

    let page = sec.get("/@pau").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Section de Pau",
        "Adhésion sur demande",
        "1 membre",
        "Pau · 64000 · Département 64",
        "Administrateur·rice",
        "Agenda",
    ] {
        assert!(page.contains(text), "{text} missing:\n{}", page.body);
    }

    // The directory: by postcode, by the département of another postcode, by name.
    let anonymous = app.browser();
    for query in ["postcode=64000", "postcode=64140", "q=pau", "kind=section"] {
        let found = anonymous.get(&format!("/groups?{query}")).await;
        assert!(found.contains("Section de Pau"), "{query}:\n{}", found.body);
    }
    let none = anonymous.get("/groups?postcode=75001").await;
    assert!(none.contains("Aucun groupe trouvé") && !none.contains("Section de Pau"));
    let bad = anonymous.get("/groups?postcode=6400").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.contains("class=\"notice error\""), "{}", bad.body);

    // Discussions in each circle; a refused post keeps its text.
    let too_long = "t".repeat(201);
    let refused = sec
        .submit(
            "/@pau",
            "/groups/pau/post",
            &[
                ("title", too_long.as_str()),
                ("status", "Texte gardé"),
                ("audience", "members"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("Texte gardé"));
    for (title, audience) in [
        ("Tractage samedi", "public"),
        ("Appel aux sympathisants", "sympathizers"),
        ("Réunion de bureau", "members"),
    ] {
        act(
            &sec,
            "/@pau",
            "/groups/pau/post",
            &[
                ("title", title),
                ("status", &format!("{title} : détails")),
                ("audience", audience),
            ],
        )
        .await;
    }
    let page = anonymous.get("/groups/pau/discussions").await;
    assert!(page.contains("Tractage samedi"));
    assert!(!page.contains("Appel aux sympathisants") && !page.contains("Réunion de bureau"));
    assert!(
        anonymous
            .get("/@pau")
            .await
            .contains("Se connecter pour rejoindre")
    );

    // Bob asks to join with a message; the secretary reads it and approves.
    let (bob, bob_id) = member(&app, "bob").await;
    let page = bob.get("/@pau").await;
    assert!(page.contains("Demander à rejoindre"));
    assert!(
        !bob.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    act(
        &bob,
        "/@pau",
        "/groups/pau/join",
        &[("message", "Militant depuis 2010")],
    )
    .await;
    let page = bob.get("/@pau").await;
    assert!(page.contains("Demande envoyée") && page.contains("Demande en attente"));
    assert!(
        !bob.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    assert_eq!(
        bob.get("/groups/pau/members").await.status,
        StatusCode::FORBIDDEN
    );
    let members = sec.get("/groups/pau/members").await;
    assert!(members.contains("Militant depuis 2010"), "{}", members.body);
    act(
        &sec,
        "/groups/pau/members",
        &format!("/groups/pau/members/{bob_id}/approve"),
        &[],
    )
    .await;
    assert!(bob.get("/@pau").await.contains("Quitter le groupe"));
    assert!(
        bob.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    let members_only = bob.get("/groups/pau/discussions?audience=members").await;
    assert!(members_only.contains("Réunion de bureau"));
    assert!(!members_only.contains("Tractage samedi"));

    // Members see only listed members; bob chooses to be listed.
    let list = bob.get("/groups/pau/members").await;
    assert!(!list.contains("@bob@"), "{}", list.body);
    act(
        &bob,
        "/groups/pau/members",
        "/groups/pau/listed",
        &[("listed", "1")],
    )
    .await;
    assert!(bob.get("/groups/pau/members").await.contains("@bob@"));

    // A sympathizer follows: the sympathizers circle, never the members'.
    let (carol, _) = member(&app, "carol").await;
    let group_id = {
        let page = carol.get("/@pau").await;
        let marker = "/accounts/";
        let start = page.body.find(marker).expect("a follow button") + marker.len();
        page.body[start..].split('/').next().unwrap().to_string()
    };
    act(
        &carol,
        "/@pau",
        &format!("/accounts/{group_id}/follow"),
        &[],
    )
    .await;
    let page = carol.get("/groups/pau/discussions").await;
    assert!(page.contains("Appel aux sympathisants"), "{}", page.body);
    assert!(!page.contains("Réunion de bureau"));
    let members_tab = carol.get("/groups/pau/discussions?audience=members").await;
    assert_eq!(members_tab.status, StatusCode::OK);
    assert!(!members_tab.contains("Réunion de bureau"));

    // Roles, export and audit log.
    act(
        &sec,
        "/groups/pau/members",
        &format!("/groups/pau/members/{bob_id}/role"),
        &[("role", "moderator")],
    )
    .await;
    assert!(
        sec.get("/groups/pau/members")
            .await
            .contains("Modérateur·rice")
    );
    let csv = sec.get("/groups/pau/members.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body
            .starts_with("handle,display_name,role,joined_at,listed")
    );
    assert!(csv.body.contains("bob@") && csv.body.contains("moderator"));
    let audit = sec.get("/groups/pau/audit").await;
    assert!(
        audit.contains("Export de la liste des membres") && audit.contains("Changement de rôle")
    );
    assert_eq!(
        bob.get("/groups/pau/members.csv").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bob.get("/groups/pau/audit").await.status,
        StatusCode::FORBIDDEN
    );

    // The moderator locks a discussion (no more replies) and removes another.
    let page = bob.get("/groups/pau/discussions").await;
    let tractage = discussion_id(&page.body, "pau", "Tractage samedi");
    act(
        &bob,
        "/@pau",
        &format!("/groups/pau/posts/{tractage}/lock"),
        &[],
    )
    .await;
    assert!(
        bob.get("/groups/pau/discussions")
            .await
            .contains("Verrouillée")
    );
    let reply = carol
        .submit(
            "/@pau",
            "/statuses",
            &[("status", "Je viens !"), ("in_reply_to_id", &tractage)],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.contains("verrouillée"), "{}", reply.body);
    let appel = discussion_id(&page.body, "pau", "Appel aux sympathisants");
    act(
        &bob,
        "/@pau",
        &format!("/groups/pau/posts/{appel}/remove"),
        &[("confirm", "1")],
    )
    .await;
    assert!(
        !carol
            .get("/groups/pau/discussions")
            .await
            .contains("Appel aux sympathisants")
    );

    // Bob leaves; the last administrator cannot.
    act(&bob, "/@pau", "/groups/pau/leave", &[("confirm", "1")]).await;
    assert!(
        !bob.get("/groups/pau/discussions")
            .await
            .contains("Réunion de bureau")
    );
    let refused = sec
        .submit("/@pau", "/groups/pau/leave", &[("confirm", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("au moins un administrateur"));

    // My groups, in the directory.
    assert!(sec.get("/groups").await.contains("Mes groupes"));
}

#[tokio::test]
async fn a_federation_page_lists_the_sections_it_accepted() {
    let app = spawn_app().await;
    let (fed, _) = member(&app, "premiere").await;
    let (sec, _) = member(&app, "secretaire").await;
    act(
        &fed,
        "/groups/new",
        "/groups",
        &[
            ("kind", "federation"),
            ("name", "fede64"),
            ("display_name", "Fédération des Pyrénées-Atlantiques"),
            ("departement", "64"),
            ("join_mode", "approval"),
        ],
    )
    .await;
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", "pau"),
            ("display_name", "Section de Pau"),
            ("postcode", "64000"),
        ],
    )
    .await;
    assert!(
        fed.get("/@fede64")
            .await
            .contains("Aucune section affiliée")
    );

    act(
        &sec,
        "/@pau",
        "/groups/pau/affiliate",
        &[("federation", "fede64")],
    )
    .await;
    assert!(sec.get("/@pau").await.contains("Demande en attente"));
    let page = fed.get("/@fede64").await;
    assert!(page.contains("Demandes d’affiliation") && page.contains("Section de Pau"));
    let section_id = {
        let marker = "/groups/fede64/affiliations/";
        let start = page.body.find(marker).unwrap() + marker.len();
        page.body[start..].split('/').next().unwrap().to_string()
    };
    act(
        &fed,
        "/@fede64",
        &format!("/groups/fede64/affiliations/{section_id}/approve"),
        &[],
    )
    .await;
    let anonymous = app.browser();
    let page = anonymous.get("/@fede64").await;
    assert!(page.contains("Sections de la fédération") && page.contains("Section de Pau"));
    let section = anonymous.get("/@pau").await;
    assert!(
        section.contains("Fédération\u{202f}:")
            && section.contains("Fédération des Pyrénées-Atlantiques")
    );

    // Only administrators answer affiliations; an unknown federation is a clear 404.
    let refused = sec
        .submit(
            "/@pau",
            "/groups/pau/affiliate",
            &[("federation", "nowhere")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let refused = sec
        .submit(
            "/@pau",
            &format!("/groups/fede64/affiliations/{section_id}/approve"),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Both languages.
    for lang in ["en", "fr"] {
        for path in ["/groups", "/@fede64", "/@pau"] {
            let page = anonymous.get_in(path, lang).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains(&format!("<html lang=\"{lang}\">")));
        }
    }
    assert!(
        anonymous
            .get_in("/@fede64", "en")
            .await
            .contains("Sections of the federation")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_on_another_server_is_found_by_handle_and_joined_from_its_page() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (sec, _) = member(&a, "secretaire").await;
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", "pau"),
            ("display_name", "Section de Pau"),
            ("postcode", "64000"),
            ("join_mode", "approval"),
        ],
    )
    .await;
    act(
        &sec,
        "/@pau",
        "/groups/pau/post",
        &[
            ("title", "Tractage samedi"),
            ("status", "Au marché"),
            ("audience", "public"),
        ],
    )
    .await;

    // On B, the directory takes the group's handle (and its URL) and opens its page.
    let (bob, _) = member(&b, "bob").await;
    let handle = format!("pau@{}", a.domain);
    let query = serde_urlencoded::to_string([("q", handle.as_str())]).unwrap();
    let found = bob.get(&format!("/groups?{query}")).await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
    let page_path = found.location.unwrap();
    assert_eq!(page_path, format!("/@{handle}"));
    let query = serde_urlencoded::to_string([("q", a.url("/users/pau"))]).unwrap();
    let by_url = bob.get(&format!("/groups?{query}")).await;
    assert_eq!(by_url.location.as_deref(), Some(page_path.as_str()));
    let page = bob.get(&page_path).await;
    assert!(page.contains("Section de Pau") && page.contains("Demander à rejoindre"));
    // Anonymous visitors cannot make B fetch other servers.
    let anonymous = b.browser();
    let query = serde_urlencoded::to_string([("q", "nobody@elsewhere.example")]).unwrap();
    let refused = anonymous.get(&format!("/groups?{query}")).await;
    assert!(refused.contains("Connectez-vous pour chercher"));

    // Bob asks; A's secretary approves; B learns it from A.
    act(
        &bob,
        &page_path,
        &format!("/groups/{handle}/join"),
        &[("message", "Je viens de Lescar")],
    )
    .await;
    assert!(bob.get(&page_path).await.contains("Demande en attente"));
    eventually("the request reaches A", || async {
        sec.get("/groups/pau/members")
            .await
            .contains("Je viens de Lescar")
    })
    .await;
    let members = sec.get("/groups/pau/members").await;
    let marker = "/groups/pau/members/";
    let start = members.body.find(marker).unwrap() + marker.len();
    let bob_on_a = members.body[start..].split('/').next().unwrap().to_string();
    act(
        &sec,
        "/groups/pau/members",
        &format!("/groups/pau/members/{bob_on_a}/approve"),
        &[],
    )
    .await;
    eventually("B learns that bob is a member", || async {
        bob.get(&page_path).await.contains("Quitter le groupe")
    })
    .await;
    assert!(
        bob.get("/groups").await.contains("Section de Pau"),
        "in my groups"
    );
}
