//! Groups' governance: official sections across servers (a federation on A vouches for a
//! section on B; only the federation's own server makes a section official, never the
//! section's claims), the instance's own marks, look-alike names flagged to administrators,
//! and who may create sections, federations and other groups. Both databases.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use common::{API, Browser, TestApp, eventually, spawn_app};
use coopol::domain::Role;
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

async fn signed_in(app: &TestApp, name: &str, role: Role) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, role).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

async fn create_group(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(&format!("{API}/groups"), Some(token), &body)
        .await
}

async fn group(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("{API}/groups/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The governance actions of the instance's moderation log, oldest first.
async fn logged(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT action, target_label FROM moderation_log \
         WHERE action LIKE 'group%' OR action LIKE 'lookalike%' ORDER BY id",
    )
    .fetch_all(app.state.pool())
    .await
    .unwrap()
}

/// Runs a section's check by the federation's server again now (as the worker would after
/// `RECHECK`), and waits until it is done (read or failed: either sets the next due time).
async fn recheck(app: &TestApp, section: i64) {
    sqlx::query("UPDATE official_vouches SET due_at = 0 WHERE section_id = $1")
        .bind(section)
        .execute(app.state.pool())
        .await
        .unwrap();
    eventually("the federation's list is read again", || async {
        let due: Option<i64> =
            sqlx::query_scalar("SELECT MIN(due_at) FROM official_vouches WHERE section_id = $1")
                .bind(section)
                .fetch_one(app.state.pool())
                .await
                .unwrap();
        due.is_some_and(|d| d > 0)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_federation_vouches_for_a_section_on_another_server_and_both_directories_show_it() {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;

    let (status, fed) = create_group(
        &a,
        &sec,
        json!({"name": "federation_nord", "display_name": "Fédération du Nord", "kind": "federation", "departement": "59"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fed}");
    let fid_a = fed["id"].as_str().unwrap().to_string();
    assert_eq!(fed["official"], false, "{fed}");

    // Two sections of one place on B: one will be vouched for, the other not (and its name
    // comes first in the alphabet, so the order the directory gives is the mark's).
    let (status, roubaix) = create_group(
        &b,
        &bob,
        json!({"name": "section_roubaix", "display_name": "Section de Roubaix", "kind": "section", "postcode": "59100", "commune": "Roubaix"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{roubaix}");
    let roubaix = roubaix["id"].as_str().unwrap().to_string();
    let (status, other) = create_group(
        &b,
        &bob,
        json!({"name": "amis_de_roubaix", "display_name": "Les amis de Roubaix", "kind": "section", "postcode": "59100", "commune": "Roubaix"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");

    // The section asks; it is not official while the federation has not approved.
    let (status, body) = b
        .post_json(
            &format!("{API}/groups/{roubaix}/affiliate"),
            Some(&bob),
            &json!({"federation": format!("federation_nord@{}", a.domain)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the affiliation request reaches A", || async {
        let (_, asking) = a
            .get_json(&format!("{API}/groups/{fid_a}/affiliations"), Some(&sec))
            .await;
        asking.as_array().is_some_and(|x| !x.is_empty())
    })
    .await;
    assert_eq!(group(&b, &bob, &roubaix).await["official"], false);
    let (_, asking) = a
        .get_json(&format!("{API}/groups/{fid_a}/affiliations"), Some(&sec))
        .await;
    let roubaix_on_a = asking[0]["id"].as_str().unwrap().to_string();
    assert_eq!(group(&a, &sec, &roubaix_on_a).await["official"], false);
    let (status, listed) = a
        .post_json(
            &format!("{API}/groups/{fid_a}/affiliations/{roubaix_on_a}/approve"),
            Some(&sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");

    // A's federation publishes the section in its collection, named by its actor.
    let res = a
        .client
        .get(a.url("/users/federation_nord"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let actor: Value = res.json().await.unwrap();
    let collection = actor["officialSections"].as_str().unwrap().to_string();
    assert_eq!(
        collection,
        a.url("/users/federation_nord/collections/sections")
    );
    let res = a
        .client
        .get(&collection)
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    let sections: Value = res.json().await.unwrap();
    assert_eq!(
        sections["orderedItems"],
        json!([b.url("/users/section_roubaix")]),
        "{sections}"
    );
    // A section publishes no such collection.
    let res = b
        .client
        .get(b.url("/users/section_roubaix/collections/sections"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A: its own federation's approval makes the (remote) section official there.
    let on_a = group(&a, &sec, &roubaix_on_a).await;
    assert_eq!(on_a["official"], true, "{on_a}");
    assert_eq!(on_a["recognized_by"][0]["kind"], "federation");
    assert_eq!(
        on_a["recognized_by"][0]["display_name"],
        "Fédération du Nord"
    );

    // B: once B has read the federation's list from A.
    eventually(
        "B reads A's list and shows the section official",
        || async { group(&b, &bob, &roubaix).await["official"] == true },
    )
    .await;
    let on_b = group(&b, &bob, &roubaix).await;
    assert_eq!(
        on_b["recognized_by"][0]["handle"],
        format!("federation_nord@{}", a.domain),
        "{on_b}"
    );

    // "Find my section" on B: the official section first, the other marked.
    let (status, found) = b
        .get_json(&format!("{API}/groups?postcode=59100"), Some(&bob))
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["section_roubaix", "amis_de_roubaix"], "{found}");
    assert_eq!(found[1]["official"], false);
    let page = b.browser().get("/groups?postcode=59100").await;
    assert_eq!(page.status, StatusCode::OK);
    let mark = "Officielle — reconnue par Fédération du Nord";
    assert!(page.contains(mark), "{}", page.body);
    assert!(page.contains("Non reconnue"), "{}", page.body);
    assert!(
        page.body.find("Section de Roubaix").unwrap()
            < page.body.find("Les amis de Roubaix").unwrap()
    );
    let page = b.browser().get_in("/@section_roubaix", "en").await;
    assert!(
        page.contains("Official — recognized by Fédération du Nord"),
        "{}",
        page.body
    );

    // A's directory and the section's page there.
    let page = a.browser().get("/groups?q=roubaix").await;
    assert!(page.contains(mark), "{}", page.body);

    a.stop().await;
    b.stop().await;
}

/// A section on B affiliated with a "federation" on a hostile server: only what that
/// server's federation publishes, at its own address, counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_federations_own_server_makes_a_section_official() {
    let b = spawn_app().await;
    let evil = Hostile::start().await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let (status, section) = create_group(
        &b,
        &bob,
        json!({"name": "section_lens", "display_name": "Section de Lens", "kind": "section", "postcode": "62300"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{section}");
    let sid = section["id"].as_str().unwrap().to_string();
    let section_uri = b.url("/users/section_lens");

    // The hostile federation: a coopol-like Group of kind federation, whose list says
    // nothing of the section yet.
    let fed = evil.url("/users/fed");
    let mut doc = evil.actor_doc("fed", "Group");
    doc["groupKind"] = json!("federation");
    doc["officialSections"] = json!(evil.url("/users/fed/sections"));
    evil.serve("/users/fed", doc.clone());
    let list = |items: Value| json!({"id": evil.url("/users/fed/sections"), "type": "OrderedCollection", "orderedItems": items});
    evil.serve("/users/fed/sections", list(json!([])));

    let (status, body) = b
        .post_json(
            &format!("{API}/groups/{sid}/affiliate"),
            Some(&bob),
            &json!({"federation": fed}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut follow = Value::Null;
    eventually("the section's Follow reaches the federation", || {
        let found = evil
            .received()
            .iter()
            .map(|r| r.json())
            .find(|a| a["type"] == "Follow");
        let done = found.is_some();
        if let Some(f) = found {
            follow = f;
        }
        async move { done }
    })
    .await;
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": evil.url("/accepts/1"),
        "type": "Accept",
        "actor": fed,
        "object": follow,
    });
    let (state, error) = evil.deliver_processed(&b, &fed, &accept).await;
    assert_eq!(state, "done", "{error:?}");
    let sid_num: i64 = sid.parse().unwrap();
    eventually("B reads the federation's list", || async {
        let checked: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(checked_at) FROM official_vouches WHERE section_id = $1",
        )
        .bind(sid_num)
        .fetch_one(b.state.pool())
        .await
        .unwrap();
        checked.is_some()
    })
    .await;
    // B's records say the affiliation was accepted: not enough.
    assert_eq!(group(&b, &bob, &sid).await["official"], false);

    // A list that names the section but lives on another server: not the federation's.
    let elsewhere = Hostile::start().await;
    elsewhere.serve(
        "/sections",
        json!({"id": elsewhere.url("/sections"), "type": "OrderedCollection", "orderedItems": [section_uri]}),
    );
    doc["officialSections"] = json!(elsewhere.url("/sections"));
    evil.serve("/users/fed", doc.clone());
    recheck(&b, sid_num).await;
    assert_eq!(group(&b, &bob, &sid).await["official"], false);

    // A collection on its server whose id claims another address: refused.
    doc["officialSections"] = json!(evil.url("/users/fed/sections"));
    evil.serve("/users/fed", doc.clone());
    evil.serve(
        "/users/fed/sections",
        json!({"id": evil.url("/elsewhere"), "type": "OrderedCollection", "orderedItems": [section_uri]}),
    );
    recheck(&b, sid_num).await;
    assert_eq!(group(&b, &bob, &sid).await["official"], false);

    // The control: the federation's own list names it.
    evil.serve(
        "/users/fed/sections",
        list(json!(["https://b.example/not-it", section_uri])),
    );
    recheck(&b, sid_num).await;
    let shown = group(&b, &bob, &sid).await;
    assert_eq!(shown["official"], true, "{shown}");
    assert_eq!(shown["recognized_by"][0]["kind"], "federation");

    // The federation's server stops answering: what it said last holds for a while.
    evil.serve("/users/fed", json!({"error": "gone"}));
    recheck(&b, sid_num).await;
    assert_eq!(group(&b, &bob, &sid).await["official"], true);
    // It takes the section off its list: the mark goes.
    evil.serve("/users/fed", doc.clone());
    evil.serve("/users/fed/sections", list(json!([])));
    recheck(&b, sid_num).await;
    assert_eq!(group(&b, &bob, &sid).await["official"], false);

    b.stop().await;
}

/// A group of another server that calls itself official, lists itself as vouched for and
/// names a federation that does not vouch for it is shown as what it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_section_claiming_officialness_itself_is_not_shown_official() {
    let a = spawn_app().await;
    let evil = Hostile::start().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (status, fed) = create_group(
        &a,
        &sec,
        json!({"name": "federation_nord", "display_name": "Fédération du Nord", "kind": "federation", "departement": "59"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fed}");

    let mut doc = evil.actor_doc("lille", "Group");
    doc["name"] = json!("Section de Lille (officielle)");
    doc["groupKind"] = json!("section");
    doc["official"] = json!(true);
    doc["officialSections"] = json!(evil.url("/users/lille/sections"));
    doc["coopol:affiliatedWith"] = json!(a.url("/users/federation_nord"));
    evil.serve("/users/lille", doc);
    evil.serve(
        "/users/lille/sections",
        json!({"id": evil.url("/users/lille/sections"), "type": "OrderedCollection", "orderedItems": [evil.url("/users/lille")]}),
    );
    let row = evil.introduce(&a, &evil.url("/users/lille")).await;
    let shown = group(&a, &sec, &row.id.to_string()).await;
    assert_eq!(shown["official"], false, "{shown}");
    assert_eq!(shown["recognized_by"], json!([]));
    let page = a.browser().get("/groups?q=lille").await;
    assert!(
        page.contains("Section de Lille (officielle)"),
        "{}",
        page.body
    );
    assert!(page.contains("Non reconnue"), "{}", page.body);
    assert!(!page.contains("Officielle — reconnue"), "{}", page.body);

    // Nor does asking to be affiliated make it official before the federation approves.
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": evil.url("/follows/1"),
        "type": "Follow",
        "actor": evil.url("/users/lille"),
        "object": a.url("/users/federation_nord"),
    });
    let (state, error) = evil
        .deliver_processed(&a, &evil.url("/users/lille"), &follow)
        .await;
    assert_eq!(state, "done", "{error:?}");
    assert_eq!(
        group(&a, &sec, &row.id.to_string()).await["official"],
        false
    );
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_alike_names_are_flagged_to_administrators() {
    let a = spawn_app().await;
    let evil = Hostile::start().await;
    let (admin, _) = signed_in(&a, "chef", Role::Admin).await;
    let (moderator, _) = signed_in(&a, "modo", Role::Moderator).await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, mallory) = a.user_with_token("mallory", "read write follow").await;

    let (status, genuine) = create_group(
        &a,
        &alice,
        json!({"name": "section_lille", "display_name": "Section de Lille", "kind": "section", "postcode": "59000"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{genuine}");
    let (status, other) = create_group(
        &a,
        &mallory,
        json!({"name": "section_lille_sud", "display_name": "Section de Lille-Sud", "kind": "section", "postcode": "59000"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    let page = admin.get("/admin/groups").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("Aucun nom signalé."), "{}", page.body);

    let (status, fake) = create_group(
        &a,
        &mallory,
        json!({"name": "vraie_section_lille", "display_name": "Section de Lille (officielle)", "kind": "section", "postcode": "59000"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fake}");
    // A group of another server renamed with Cyrillic letters that look Latin.
    let mut doc = evil.actor_doc("lille", "Group");
    doc["name"] = json!("Lille Ensemble");
    evil.serve("/users/lille", doc.clone());
    let remote = evil.introduce(&a, &evil.url("/users/lille")).await;
    let flags = || async {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT group_id, similar_id FROM lookalike_flags WHERE dismissed_at IS NULL ORDER BY id",
        )
        .fetch_all(a.state.pool())
        .await
        .unwrap()
    };
    let fake_id: i64 = fake["id"].as_str().unwrap().parse().unwrap();
    let genuine_id: i64 = genuine["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(flags().await, vec![(fake_id, genuine_id)]);
    doc["name"] = json!("Sеction dе Lillе");
    doc["updated"] = json!("2030-01-01T00:00:00Z");
    evil.serve("/users/lille", doc.clone());
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": evil.url("/updates/1"),
        "type": "Update",
        "actor": evil.url("/users/lille"),
        "object": doc,
    });
    let (state, error) = evil
        .deliver_processed(&a, &evil.url("/users/lille"), &update)
        .await;
    assert_eq!(state, "done", "{error:?}");
    eventually("the renamed group is flagged", || async {
        flags().await.contains(&(remote.id, genuine_id))
    })
    .await;

    let page = admin.get("/admin/groups").await;
    assert!(
        page.contains("Section de Lille (officielle)"),
        "{}",
        page.body
    );
    assert!(page.contains("Sеction dе Lillе"), "{}", page.body);
    // Moderators and members do not read this page (rule G1).
    assert_eq!(
        moderator.get("/admin/groups").await.status,
        StatusCode::FORBIDDEN
    );

    let flag_id: i64 = sqlx::query_scalar("SELECT id FROM lookalike_flags WHERE group_id = $1")
        .bind(fake_id)
        .fetch_one(a.state.pool())
        .await
        .unwrap();
    let page = moderator
        .submit(
            "/groups",
            &format!("/admin/groups/flags/{flag_id}/dismiss"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = admin
        .submit(
            "/admin/groups",
            &format!("/admin/groups/flags/{flag_id}/dismiss"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let open = flags().await;
    assert!(!open.contains(&(fake_id, genuine_id)), "{open:?}");
    // The renamed group looks like both earlier ones.
    assert!(open.contains(&(remote.id, genuine_id)), "{open:?}");
    assert!(open.contains(&(remote.id, fake_id)), "{open:?}");
    let page = admin
        .submit(
            "/admin/groups",
            &format!("/admin/groups/flags/{flag_id}/dismiss"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        logged(&a)
            .await
            .contains(&("lookalike_dismissed".into(), "vraie_section_lille".into()))
    );
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creation_of_sections_waits_for_an_administrator_when_the_setting_says_so() {
    let a = spawn_app().await;
    let (admin, _) = signed_in(&a, "chef", Role::Admin).await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (_, bob) = a.user_with_token("bob", "read write follow").await;

    // A bad choice is refused and changes nothing.
    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/policy",
            &[("sections", "everyone"), ("others", "anyone")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(logged(&a).await.is_empty());
    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/policy",
            &[("sections", "approval"), ("others", "anyone")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        logged(&a).await,
        vec![("group_creation_policy".to_string(), String::new())]
    );

    // A section waits; a thematic group is created at once.
    let (status, asked) = create_group(
        &a,
        &alice,
        json!({"name": "section_arras", "display_name": "Section d'Arras", "kind": "section", "postcode": "62000"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{asked}");
    assert_eq!(asked["state"], "pending");
    let (status, _) = a
        .get_json(&format!("{API}/groups/section_arras"), Some(&alice))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, theme) = create_group(
        &a,
        &alice,
        json!({"name": "ecologie", "display_name": "Commission écologie", "kind": "theme"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{theme}");
    // Bad input is refused before anything waits, every field at once.
    let (status, bad) = create_group(
        &a,
        &bob,
        json!({"name": "x", "display_name": "", "kind": "section"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    // The handle asked for is reserved while the request waits.
    let (status, taken) = create_group(
        &a,
        &bob,
        json!({"name": "section_arras", "display_name": "Arras", "kind": "section", "postcode": "62000"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    assert!(!taken["details"]["name"].is_null(), "{taken}");

    // The administrator approves from the queue: alice is the group's administrator.
    let page = admin.get("/admin/groups").await;
    assert!(page.contains("Section d'Arras"), "{}", page.body);
    let id: i64 = asked["request_id"].as_str().unwrap().parse().unwrap();
    let page = admin
        .submit(
            "/admin/groups",
            &format!("/admin/groups/requests/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let created = group(&a, &alice, "section_arras").await;
    assert_eq!(created["viewer"]["role"], "administrator", "{created}");
    assert_eq!(created["display_name"], "Section d'Arras");
    assert!(
        logged(&a)
            .await
            .contains(&("group_creation_approved".into(), "section_arras".into()))
    );
    // Approved once: the request is gone.
    let page = admin
        .submit(
            "/admin/groups",
            &format!("/admin/groups/requests/{id}/approve"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A refused request frees its handle.
    let (status, asked) = create_group(
        &a,
        &bob,
        json!({"name": "federation_62", "display_name": "Fédération du Pas-de-Calais", "kind": "federation", "departement": "62"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{asked}");
    let id: i64 = asked["request_id"].as_str().unwrap().parse().unwrap();
    let page = admin
        .submit(
            "/admin/groups",
            &format!("/admin/groups/requests/{id}/refuse"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        logged(&a)
            .await
            .contains(&("group_creation_refused".into(), "federation_62".into()))
    );

    // Administrators only: members are refused with a clear error, administrators create.
    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/policy",
            &[("sections", "admins"), ("others", "approval")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let (status, refused) = create_group(
        &a,
        &bob,
        json!({"name": "federation_62", "display_name": "Fédération du Pas-de-Calais", "kind": "federation", "departement": "62"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("administrat"),
        "{refused}"
    );
    let (status, asked) = create_group(
        &a,
        &bob,
        json!({"name": "jeunes", "display_name": "Les jeunes", "kind": "initiative"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{asked}");
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_marks_a_local_group_official() {
    let a = spawn_app().await;
    let evil = Hostile::start().await;
    let (admin, _) = signed_in(&a, "chef", Role::Admin).await;
    let (moderator, _) = signed_in(&a, "modo", Role::Moderator).await;
    let (_, alice) = a.user_with_token("alice", "read write follow").await;
    let (status, fed) = create_group(
        &a,
        &alice,
        json!({"name": "federation_nord", "display_name": "Fédération du Nord", "kind": "federation", "departement": "59"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fed}");

    let page = moderator
        .submit(
            "/groups",
            "/admin/groups/official",
            &[("group", "federation_nord"), ("official", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        group(&a, &alice, "federation_nord").await["official"],
        false
    );

    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/official",
            &[("group", "federation_nord"), ("official", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let shown = group(&a, &alice, "federation_nord").await;
    assert_eq!(shown["official"], true, "{shown}");
    assert_eq!(
        shown["recognized_by"],
        json!([{"kind": "instance", "id": null, "handle": null, "display_name": null}])
    );
    let page = a.browser().get("/@federation_nord").await;
    assert!(
        page.contains("Officielle — reconnue par l’administration de"),
        "{}",
        page.body
    );

    // Another server's group, an unknown group, a bad choice: refused, nothing marked.
    let remote = evil.actor("ailleurs", "Group");
    let row = evil.introduce(&a, &remote).await;
    let remote_id = row.id.to_string();
    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/official",
            &[("group", remote_id.as_str()), ("official", "1")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/official",
            &[("group", "nobody_here"), ("official", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/official",
            &[("group", "federation_nord"), ("official", "yes")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = admin
        .submit(
            "/admin/groups",
            "/admin/groups/official",
            &[("group", "federation_nord"), ("official", "0")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        group(&a, &alice, "federation_nord").await["official"],
        false
    );
    let actions: Vec<String> = logged(&a).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(
        actions,
        vec!["group_marked_official", "group_unmarked_official"]
    );
    a.stop().await;
}
