//! The affiliation chain beyond one hop (docs/decisions/0032): a federation on A, its
//! approved section on B, a member of the section whose account is on C, an outsider server
//! D. The member reads the federation's members-only posts; D reads nothing; a hostile server
//! claiming a section, a membership or an affiliation gets nothing and is never asked; an
//! ended affiliation stops the flow; a group of C affiliated with the section (not approved
//! by the federation) gets nothing; the section's server answers only about a post it passed
//! on, a few times a minute. Both databases.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use activitypub_federation::fetch::fetch_object_http;
use common::{API, TestApp, eventually, make_follow, outbox_drained, spawn_app};
use hostile::Hostile;
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

/// Four servers: the federation's (A), the section's (B), the member's (C), an outsider (D).
struct Scene {
    a: TestApp,
    b: TestApp,
    c: TestApp,
    d: TestApp,
    /// The federation's secretary on A.
    sec: String,
    /// The section's administrator on B.
    bob: String,
    /// The section's member on C.
    carol: String,
    carol_id: i64,
    /// Someone else on C.
    eve: String,
    eve_id: i64,
    /// Someone on D.
    dave: String,
    /// The federation's id on A.
    fid_a: String,
    /// The section's id on B.
    sid_b: String,
}

async fn group_id_on(app: &TestApp, token: &str, handle: &str) -> String {
    let (status, body) = app
        .get_json(&format!("{API}/groups/{handle}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn home(app: &TestApp, token: &str) -> String {
    let (_, body) = app
        .get_json("/api/v1/timelines/home?limit=40", Some(token))
        .await;
    body.to_string()
}

/// The federation, its section approved, and carol (C) an accepted member of the section.
async fn scene() -> Scene {
    let a = spawn_app().await;
    let b = spawn_app().await;
    let c = spawn_app().await;
    let d = spawn_app().await;
    let (_, sec) = a.user_with_token("secretaire", "read write follow").await;
    let (_, bob) = b.user_with_token("bob", "read write follow").await;
    let (carol_id, carol) = c.user_with_token("carol", "read write follow").await;
    let (eve_id, eve) = c.user_with_token("eve", "read write follow").await;
    let (_, dave) = d.user_with_token("dave", "read write follow").await;

    let (status, fed) = a
        .post_json(
            &format!("{API}/groups"),
            Some(&sec),
            &json!({"name": "federation_nord", "display_name": "Fédération du Nord", "kind": "federation", "departement": "59"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fed}");
    let fid_a = fed["id"].as_str().unwrap().to_string();
    let (status, section) = b
        .post_json(
            &format!("{API}/groups"),
            Some(&bob),
            &json!({"name": "section_roubaix", "display_name": "Section de Roubaix", "kind": "section", "postcode": "59100", "join_mode": "approval"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{section}");
    let sid_b = section["id"].as_str().unwrap().to_string();

    // The section asks to affiliate; the federation's administrator approves.
    let (status, body) = b
        .post_json(
            &format!("{API}/groups/{sid_b}/affiliate"),
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
    let (_, asking) = a
        .get_json(&format!("{API}/groups/{fid_a}/affiliations"), Some(&sec))
        .await;
    let section_on_a = asking[0]["id"].as_str().unwrap().to_string();
    let (status, listed) = a
        .post_json(
            &format!("{API}/groups/{fid_a}/affiliations/{section_on_a}/approve"),
            Some(&sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let fid_b: i64 = group_id_on(&b, &bob, &format!("federation_nord@{}", a.domain))
        .await
        .parse()
        .unwrap();
    let section_num: i64 = sid_b.parse().unwrap();
    eventually("B learns the affiliation is accepted", || async {
        coopol::db::social::follows(b.state.pool(), section_num, fid_b)
            .await
            .unwrap()
    })
    .await;

    // carol (C) asks to join the section; bob approves.
    let sid_c = group_id_on(&c, &carol, &format!("section_roubaix@{}", b.domain)).await;
    let (status, body) = c
        .post_json(
            &format!("{API}/groups/{sid_c}/join"),
            Some(&carol),
            &json!({"message": "Militante à Roubaix"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("carol's request reaches B", || async {
        let (_, pending) = b
            .get_json(
                &format!("{API}/groups/{sid_b}/members?pending=true"),
                Some(&bob),
            )
            .await;
        pending.as_array().is_some_and(|p| !p.is_empty())
    })
    .await;
    let (_, pending) = b
        .get_json(
            &format!("{API}/groups/{sid_b}/members?pending=true"),
            Some(&bob),
        )
        .await;
    let carol_on_b = pending[0]["account"]["id"].as_str().unwrap().to_string();
    let (status, _) = b
        .post_json(
            &format!("{API}/groups/{sid_b}/members/{carol_on_b}/approve"),
            Some(&bob),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    eventually("C learns carol is a member", || async {
        let (_, g) = c
            .get_json(&format!("{API}/groups/{sid_c}"), Some(&carol))
            .await;
        g["viewer"]["membership"] == "accepted"
    })
    .await;
    Scene {
        a,
        b,
        c,
        d,
        sec,
        bob,
        carol,
        carol_id,
        eve,
        eve_id,
        dave,
        fid_a,
        sid_b,
    }
}

impl Scene {
    /// The federation's secretary posts to its members circle; the post's id.
    async fn federation_post(&self, text: &str) -> String {
        let (status, post) = self
            .a
            .post_json(
                &format!("{API}/groups/{}/posts", self.fid_a),
                Some(&self.sec),
                &json!({"status": text, "audience": "members"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        post["uri"].as_str().unwrap().to_string()
    }

    async fn stop(self) {
        self.a.stop().await;
        self.b.stop().await;
        self.c.stop().await;
        self.d.stop().await;
    }
}

/// A GET of `url` from `app`, signed as its instance actor (as it fetches for its members).
async fn fetch_as_instance(app: &TestApp, url: &str) -> Option<Value> {
    let data = coopol::federation::data(&app.state);
    fetch_object_http::<_, Value>(&Url::parse(url).unwrap(), &data)
        .await
        .ok()
        .map(|f| f.object)
}

/// The question B answers: does `domain` host a member of the section, which passed `post`
/// on? Without a post when `post` is empty.
fn question(scene: &Scene, domain: &str, post: &str) -> String {
    let mut url = Url::parse(&scene.b.url("/users/section_roubaix/member_domain")).unwrap();
    url.query_pairs_mut().append_pair("domain", domain);
    if !post.is_empty() {
        url.query_pairs_mut().append_pair("object", post);
    }
    url.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sections_member_on_a_third_server_reads_its_federations_members_only_posts() {
    let s = scene().await;
    let uri = s
        .federation_post("Consigne à toutes les sections : tractage le 1er mai")
        .await;
    eventually("the section's member on C receives it", || async {
        home(&s.c, &s.carol).await.contains("tractage le 1er mai")
    })
    .await;
    assert!(home(&s.b, &s.bob).await.contains("tractage le 1er mai"));
    // Someone else on C sees nothing, nor can open it.
    assert!(!home(&s.c, &s.eve).await.contains("tractage"));
    let (_, found) =
        s.c.get_json(
            &format!(
                "/api/v2/search?q={}&resolve=true&type=statuses",
                common::urlencode(&uri)
            ),
            Some(&s.eve),
        )
        .await;
    assert!(
        found["statuses"].as_array().is_none_or(|x| x.is_empty()),
        "{found}"
    );

    // C's instance actor reads it from A; D's does not (404), nor does D's search.
    let note = fetch_as_instance(&s.c, &uri)
        .await
        .expect("C reads the post");
    assert_eq!(note["id"], uri);
    assert!(fetch_as_instance(&s.d, &uri).await.is_none());
    let res =
        s.d.client
            .get(&uri)
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
    assert!(
        matches!(
            res.status(),
            StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED
        ),
        "{}",
        res.status()
    );
    let (_, found) =
        s.d.get_json(
            &format!(
                "/api/v2/search?q={}&resolve=true&type=statuses",
                common::urlencode(&uri)
            ),
            Some(&s.dave),
        )
        .await;
    assert!(
        found["statuses"].as_array().is_none_or(|x| x.is_empty()),
        "{found}"
    );

    // B answers A's instance actor, a yes or a no for one domain, never who.
    let yes = fetch_as_instance(&s.a, &question(&s, &s.c.domain, &uri))
        .await
        .expect("B answers A");
    assert_eq!(yes["member"], true, "{yes}");
    assert_eq!(yes["domain"], s.c.domain);
    assert!(!yes.to_string().contains("carol"), "{yes}");
    let no = fetch_as_instance(&s.a, &question(&s, &s.d.domain, &uri))
        .await
        .expect("B answers A");
    assert_eq!(no["member"], false, "{no}");
    // Nobody else is answered: not the member's server, not an outsider, not unsigned.
    assert!(
        fetch_as_instance(&s.c, &question(&s, &s.c.domain, &uri))
            .await
            .is_none()
    );
    assert!(
        fetch_as_instance(&s.d, &question(&s, &s.c.domain, &uri))
            .await
            .is_none()
    );
    let res =
        s.d.client
            .get(question(&s, &s.c.domain, &uri))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_sections_the_federation_approved_are_asked_and_pass_its_posts_on() {
    let s = scene().await;
    let evil = Hostile::start().await;
    let fed = s.a.url("/users/federation_nord");
    // A hostile server plays a section that says yes for every domain, and its instance.
    let fake = evil.url("/users/fausse_section");
    let mut doc = evil.actor_doc("fausse_section", "Group");
    doc["groupKind"] = json!("section");
    doc["coopol:affiliatedWith"] = json!(fed);
    evil.serve("/users/fausse_section", doc);
    let instance = evil.actor("instance", "Application");
    let uri = s.federation_post("Réunion du bureau fédéral jeudi").await;
    let path = format!(
        "/users/fausse_section/member_domain?domain={}&object={}",
        common::urlencode(&s.d.domain),
        common::urlencode(&uri)
    );
    evil.serve(
        "/users/fausse_section/member_domain",
        json!({"id": evil.url(&path), "domain": s.d.domain, "member": true}),
    );
    // It asks to affiliate with the federation, which does not answer.
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": evil.url("/follows/1"),
        "type": "Follow",
        "actor": fake,
        "object": fed,
    });
    let (state, error) = evil.deliver_processed(&s.a, &fake, &follow).await;
    assert_eq!(state, "done", "{error:?}");

    eventually("the member on C receives it", || async {
        home(&s.c, &s.carol).await.contains("bureau fédéral")
    })
    .await;
    // The hostile server's instance, and D's, read nothing; the hostile section is never
    // asked, whatever it would answer.
    let (status, _) = evil.fetch(&s.a, &instance, &uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(fetch_as_instance(&s.d, &uri).await.is_none());
    assert!(
        !evil
            .received()
            .iter()
            .any(|r| r.path.contains("member_domain")),
        "A asked a section the federation did not approve"
    );
    // Nor does B answer the hostile server's instance about its section.
    let (status, _) = evil
        .fetch(&s.b, &instance, &question(&s, &s.c.domain, &uri))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The hostile "section" passes the federation's post on to C, where eve follows it and
    // carol too: the federation does not list it, so it places nothing in its circles.
    let fake_on_c = evil.introduce(&s.c, &fake).await;
    for (who, n) in [(s.eve_id, 1), (s.carol_id, 2)] {
        make_follow(
            &s.c,
            who,
            fake_on_c.id,
            &s.c.url(&format!("/follows/evil/{n}")),
            coopol::domain::FollowState::Accepted,
        )
        .await;
    }
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": evil.url("/announces/1"),
        "type": "Announce",
        "actor": fake,
        "to": [format!("{fake}/members")],
        "object": {
            "id": format!("{uri}/activity"),
            "type": "Create",
            "actor": s.a.url("/users/secretaire"),
            "object": uri,
        },
    });
    let (state, error) = evil.deliver_processed(&s.c, &fake, &announce).await;
    assert_eq!(state, "done", "{error:?}");
    let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM group_posts WHERE group_id = $1")
        .bind(fake_on_c.id)
        .fetch_one(s.c.state.pool())
        .await
        .unwrap();
    assert_eq!(
        placed, 0,
        "a section the federation does not list placed its post"
    );
    assert!(!home(&s.c, &s.eve).await.contains("bureau fédéral"));

    // Approved, the section's own server is asked at the section's own address, signed by
    // A's instance actor, about one domain (the approval is the federation's trust: its
    // members-only posts are delivered there anyway).
    let (_, asking) =
        s.a.get_json(
            &format!("{API}/groups/{}/affiliations", s.fid_a),
            Some(&s.sec),
        )
        .await;
    let fake_on_a = asking[0]["id"].as_str().unwrap().to_string();
    let (status, listed) =
        s.a.post_json(
            &format!("{API}/groups/{}/affiliations/{fake_on_a}/approve", s.fid_a),
            Some(&s.sec),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert!(
        fetch_as_instance(&s.d, &uri).await.is_some(),
        "an approved section's server is trusted as far as the posts delivered to it"
    );
    let asked: Vec<_> = evil
        .received()
        .into_iter()
        .filter(|r| r.path.contains("member_domain"))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].path, path);
    let signature = asked[0].headers["signature"].to_str().unwrap().to_string();
    assert!(signature.contains(&s.a.url("/actor")), "{signature}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_affiliation_stops_the_chain() {
    let s = scene().await;
    let first = s.federation_post("Premier appel : collage vendredi").await;
    eventually("the member on C receives it", || async {
        home(&s.c, &s.carol).await.contains("collage vendredi")
    })
    .await;
    assert!(fetch_as_instance(&s.c, &first).await.is_some());

    // The section leaves the federation (its follow undone); A forgets the affiliation.
    let section = coopol::db::accounts::by_id(s.b.state.pool(), s.sid_b.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let fed_on_b =
        coopol::db::accounts::by_uri(s.b.state.pool(), &s.a.url("/users/federation_nord"))
            .await
            .unwrap()
            .unwrap();
    coopol::service::relationships::unfollow(&s.b.state, &section, &fed_on_b)
        .await
        .unwrap();
    let fid: i64 = s.fid_a.parse().unwrap();
    eventually("A learns the section left", || async {
        coopol::db::groups::affiliated(s.a.state.pool(), fid)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    // C's server reads the federation's posts no more (B's yes, still kept at A, no longer
    // counts: the sections asked are read from A's records each time).
    assert!(fetch_as_instance(&s.c, &first).await.is_none());
    let _ = s.federation_post("Second appel : réunion samedi").await;
    outbox_drained(&s.a).await;
    outbox_drained(&s.b).await;
    assert!(!home(&s.c, &s.carol).await.contains("réunion samedi"));
    assert!(!home(&s.b, &s.bob).await.contains("réunion samedi"));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sections_server_answers_only_about_a_post_it_passed_on_and_a_few_times_a_minute() {
    let s = scene().await;
    let uri = s.federation_post("Consigne : porte-à-porte samedi").await;
    eventually("the section's member on C receives it", || async {
        home(&s.c, &s.carol).await.contains("porte-à-porte")
    })
    .await;
    assert_eq!(
        fetch_as_instance(&s.a, &question(&s, &s.c.domain, &uri))
            .await
            .unwrap()["member"],
        true
    );
    // A question naming no post is not answered; about a post the section did not pass on
    // (unknown, or one of B's own), the answer is no: A cannot go through domains.
    assert!(
        fetch_as_instance(&s.a, &question(&s, &s.c.domain, ""))
            .await
            .is_none()
    );
    let unknown = s.a.url("/statuses/1");
    let (status, own) =
        s.b.post_json(
            "/api/v1/statuses",
            Some(&s.bob),
            &json!({"status": "Un message de bob", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    for post in [unknown.as_str(), own["uri"].as_str().unwrap()] {
        let no = fetch_as_instance(&s.a, &question(&s, &s.c.domain, post))
            .await
            .unwrap();
        assert_eq!(no["member"], false, "{post}: {no}");
    }
    // One asker is answered a few times a minute, then gets 404.
    let mut answered = 0;
    while fetch_as_instance(&s.a, &question(&s, &s.c.domain, &uri))
        .await
        .is_some()
    {
        answered += 1;
        assert!(answered <= 60, "B answers A without limit");
    }
    assert!(answered > 0);
    assert!(
        fetch_as_instance(&s.a, &question(&s, &s.c.domain, &uri))
            .await
            .is_none()
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_affiliated_with_the_section_but_not_approved_by_the_federation_gets_nothing() {
    let s = scene().await;
    // On C, eve's group is affiliated with the section (the section accepted it): the
    // federation never approved it.
    let (status, sub) = s
        .c
        .post_json(
            &format!("{API}/groups"),
            Some(&s.eve),
            &json!({"name": "sous_section", "display_name": "Sous-section", "kind": "section", "postcode": "59100"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let sub: i64 = sub["id"].as_str().unwrap().parse().unwrap();
    let section_on_c: i64 = group_id_on(&s.c, &s.carol, &format!("section_roubaix@{}", s.b.domain))
        .await
        .parse()
        .unwrap();
    make_follow(
        &s.c,
        sub,
        section_on_c,
        &s.c.url("/follows/sous_section/1"),
        coopol::domain::FollowState::Accepted,
    )
    .await;
    sqlx::query(
        "UPDATE follows SET affiliation = 1 WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(sub)
    .bind(section_on_c)
    .execute(s.c.state.pool())
    .await
    .unwrap();

    s.federation_post("Consigne du bureau : affiches lundi")
        .await;
    eventually("the section's member on C receives it", || async {
        home(&s.c, &s.carol).await.contains("affiches lundi")
    })
    .await;
    outbox_drained(&s.c).await;
    let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM group_posts WHERE group_id = $1")
        .bind(sub)
        .fetch_one(s.c.state.pool())
        .await
        .unwrap();
    assert_eq!(
        placed, 0,
        "the post went one hop further than the federation approved"
    );
    assert!(!home(&s.c, &s.eve).await.contains("affiches lundi"));
    s.stop().await;
}
