//! The design system in a real headless Chromium (harness: `tests/common/chrome.rs`), with
//! realistic content: a section with members, an event, a mission with shifts and sign-ups,
//! posts with a picture, a report and unread notifications. It checks what broke on phones
//! (the members page scrolling sideways, the shift table cutting its buttons, date and time
//! fields 24 px high), the navigation (bottom bar on phones with the unread count and the
//! current page, top bar on desktop, the rest behind "Plus" without JavaScript), 44 px touch
//! targets, and every page of the web interface at 360, 390 and 1280 pixels wide, light and
//! dark, signed out, as a member, as a group's secretary and as an administrator, in French
//! and once in English.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them these tests print a notice
//! and pass, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::act;

use common::chrome::{
    Chrome, DESKTOP, NARROW, PASSWORD, PHONE, axe, check_everywhere, check_fits, chrome,
    set_language, sign_in,
};
use common::{Browser, TestApp, eventually, spawn_app};
use coopol::domain::Role;
use fantoccini::Client;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

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

/// A small PNG picture (a gradient).
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 3) as u8, ((x + y) * 2) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Uploads a picture with its alt text through Mastodon's API; its id once processed.
async fn upload(app: &TestApp, token: &str, description: &str) -> String {
    let boundary = "coopoldesign42";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n{description}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&png(240, 160));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let response = app
        .client
        .post(app.url("/api/v2/media"))
        .bearer_auth(token)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let media: Value = response.json().await.unwrap();
    let id = media["id"].as_str().unwrap().to_string();
    eventually("the upload is processed", || async {
        let (status, _) = app
            .get_json(&format!("/api/v1/media/{id}"), Some(token))
            .await;
        status == StatusCode::OK
    })
    .await;
    id
}

/// What the pages show: paths of the event, the mission and a thread, and a report's id.
struct World {
    event: String,
    mission: String,
    thread: String,
    report: String,
    ana_id: i64,
    bob_id: String,
}

/// A section `pau` run by `secretaire` with members ana, bob, chloe and one with a long name; an event and a mission with two shifts, ana signed up to one; posts (one with a
/// picture and a content warning, a long link, mentions that leave ana unread notifications);
/// a report for the moderators; the administrator `admin`.
async fn world(app: &TestApp) -> World {
    let sec = member(app, "secretaire", Role::Member).await;
    act(
        &sec,
        "/groups/new",
        "/groups",
        &[
            ("kind", "section"),
            ("name", "pau"),
            ("display_name", "Section de Pau et du Béarn"),
            (
                "summary",
                "La section du centre-ville et des quartiers nord",
            ),
            ("postcode", "64000"),
            ("join_mode", "open"),
        ],
    )
    .await;
    let ana = member(app, "ana", Role::Member).await;
    let ana_id = app
        .get_json("/api/v1/accounts/lookup?acct=ana", None)
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    for browser in [
        &ana,
        &member(app, "bob", Role::Member).await,
        &member(app, "chloe", Role::Member).await,
        &member(app, "jean_baptiste_etchegaray", Role::Member).await,
    ] {
        act(browser, "/@pau", "/groups/pau/join", &[]).await;
        act(
            browser,
            "/groups/pau/members",
            "/groups/pau/listed",
            &[("listed", "1")],
        )
        .await;
    }
    member(app, "admin", Role::Admin).await;

    let event = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Tractage au marché des Halles"),
            ("description", "Avec les tracts et la banderole"),
            ("start_time", &in_days(7, 9)),
            ("end_time", &in_days(7, 12)),
            ("place_name", "Halles de Pau"),
            ("postcode", "64000"),
            ("capacity", "10"),
            ("join_mode", "free"),
            ("audience", "public"),
        ],
    )
    .await;
    let mission = act(
        &sec,
        "/events/new?group=pau",
        "/events",
        &[
            ("group", "pau"),
            ("name", "Collage d’affiches pour la réunion publique"),
            ("shift1_start", &in_days(3, 20)),
            ("shift1_end", &in_days(3, 21)),
            ("shift1_needed", "2"),
            ("shift2_start", &in_days(3, 21)),
            ("shift2_end", &in_days(3, 22)),
            ("shift2_needed", "1"),
        ],
    )
    .await;
    let page = ana.get(&mission).await;
    let marker = format!("{mission}/shifts/");
    let at = page.body.find(&marker).expect("a shift") + marker.len();
    let shift = page.body[at..].split('/').next().unwrap().to_string();
    act(
        &ana,
        &mission,
        &format!("{mission}/shifts/{shift}/join"),
        &[],
    )
    .await;
    act(&ana, &event, &format!("{event}/join"), &[]).await;

    // Posts: bob's picture behind a content warning, mentions of ana, a long address.
    let token = |name: &'static str| async move {
        let client = app
            .register_app("read write follow push", "urn:ietf:wg:oauth:2.0:oob")
            .await;
        app.password_token(
            &client,
            &format!("{name}@example.org"),
            PASSWORD,
            "read write",
        )
        .await
    };
    let bob_token = token("bob").await;
    let chloe_token = token("chloe").await;
    let media = upload(app, &bob_token, "Les affiches collées rue Serviez").await;
    let (status, posted) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob_token),
            &json!({"status": "Collage réussi hier soir, merci @ana ! https://exemple.org/un/tres/long/chemin/qui/ne/tient/pas/sur/un/telephone/sans/se/couper",
                    "visibility": "public", "media_ids": [media]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{posted}");
    let first = posted["id"].as_str().unwrap().to_string();
    let (status, reply) = app
        .post_json(
            "/api/v1/statuses",
            Some(&chloe_token),
            &json!({"status": "@ana @bob je viens samedi", "in_reply_to_id": first,
                    "visibility": "public", "spoiler_text": "Organisation"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    app.post_json(
        &format!("/api/v1/statuses/{first}/favourite"),
        Some(&chloe_token),
        &json!({}),
    )
    .await;
    let (status, report) = app
        .post_json(
            "/api/v1/reports",
            Some(&chloe_token),
            &json!({"account_id": posted["account"]["id"], "status_ids": [first],
                    "comment": "Publicité répétée", "category": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    World {
        event,
        mission,
        thread: format!("/@bob/{first}"),
        report: report["id"].as_str().unwrap().to_string(),
        ana_id,
        bob_id: posted["account"]["id"].as_str().unwrap().to_string(),
    }
}

/// Runs a script on the page and returns its value.
async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Elements `css` selects that are shown and are less than 44 px high, as
/// `tag#id.class (height)` lines.
async fn small_targets(c: &Client, css: &str) -> Value {
    c.execute(
        "return [...document.querySelectorAll(arguments[0])]\
           .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')\
           .map(e => [e, e.getBoundingClientRect()])\
           .filter(([e, r]) => r.height < 43.5)\
           .map(([e, r]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')\
             + (e.type ? '[' + e.type + ']' : '') + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));",
        vec![json!(css)],
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_members_page_fits_a_phone() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    world(&app).await;
    sign_in(c, &app, "secretaire@example.org").await;
    c.goto(&app.url("/groups/pau/members")).await.unwrap();
    for size in [NARROW, PHONE] {
        b.size(size).await;
        // A phone's browser widens the page to what overflows (innerWidth grows with it), so
        // the screen's own width is the measure.
        let wide = js(
            c,
            "const w = screen.width;\
             return {inner: innerWidth, scroll: document.documentElement.scrollWidth,\
                     over: [...document.querySelectorAll('body *')]\
                       .filter(e => e.getBoundingClientRect().right > w + 1)\
                       .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')\
                         + ' right=' + Math.round(e.getBoundingClientRect().right))};",
        )
        .await;
        assert_eq!(
            (&wide["inner"], &wide["scroll"]),
            (&json!(size.0), &json!(size.0)),
            "the members page is wider than a {}px screen: {wide}",
            size.0
        );
        check_fits(c, "/groups/pau/members").await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shift_buttons_are_whole_on_a_phone() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    let w = world(&app).await;
    sign_in(c, &app, "bob@example.org").await;
    c.goto(&app.url(&w.mission)).await.unwrap();
    for size in [NARROW, PHONE] {
        b.size(size).await;
        // Every button of the shifts is inside the screen and inside what its table shows.
        let cut = js(
            c,
            "const w = window.innerWidth;\
             return [...document.querySelectorAll('#shifts-title ~ * button')].map(e => {\
               const r = e.getBoundingClientRect();\
               let box = e.parentElement; let clip = {left: 0, right: w};\
               while (box) { const s = getComputedStyle(box);\
                 if (s.overflowX !== 'visible') { const q = box.getBoundingClientRect();\
                   clip = {left: Math.max(clip.left, q.left), right: Math.min(clip.right, q.right)}; }\
                 box = box.parentElement; }\
               return (r.left < clip.left - 1 || r.right > clip.right + 1 || r.width < 1)\
                 ? e.textContent.trim() + ' ' + Math.round(r.left) + '..' + Math.round(r.right)\
                   + ' shown ' + Math.round(clip.left) + '..' + Math.round(clip.right) : null;\
             }).filter(x => x);",
        )
        .await;
        assert_eq!(cut, json!([]), "shift buttons cut at {size:?}");
        let count = js(
            c,
            "return document.querySelectorAll('#shifts-title ~ * button').length;",
        )
        .await;
        assert_eq!(count, json!(2), "two shifts, one button each");
        check_fits(c, &w.mission).await;
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_and_time_fields_and_every_control_are_44_pixels_on_a_phone() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    let w = world(&app).await;
    sign_in(c, &app, "secretaire@example.org").await;
    let controls = "button, .button, select, \
        input:not([type=hidden]):not([type=checkbox]):not([type=radio]), \
        nav a, .tabs a";
    for path in [
        "/events/new?group=pau",
        "/agenda",
        w.mission.as_str(),
        w.event.as_str(),
        "/groups/pau/members",
        "/",
        "/settings",
        "/settings/preferences",
        "/search",
    ] {
        c.goto(&app.url(path)).await.unwrap();
        b.size(PHONE).await;
        let dates = small_targets(
            c,
            "input[type=date], input[type=time], input[type=datetime-local]",
        )
        .await;
        assert_eq!(
            dates,
            json!([]),
            "date and time fields under 44 px on {path}"
        );
        let small = small_targets(c, controls).await;
        assert_eq!(small, json!([]), "touch targets under 44 px on {path}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_get_a_bottom_bar_and_desktops_a_top_bar() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    world(&app).await;
    sign_in(c, &app, "ana@example.org").await;

    // A phone: the bottom bar with five places, the unread count, the current page.
    b.size(PHONE).await;
    c.goto(&app.url("/agenda")).await.unwrap();
    let bar = js(
        c,
        "const n = document.querySelector('nav.bottom-nav');\
         if (!n) return null; const s = getComputedStyle(n); const r = n.getBoundingClientRect();\
         return {position: s.position, shown: n.getClientRects().length > 0,\
                 bottom: Math.round(r.bottom), height: innerHeight,\
                 links: [...n.querySelectorAll('a')].map(a => a.getAttribute('href')),\
                 current: [...n.querySelectorAll('[aria-current=page]')].map(a => a.getAttribute('href')),\
                 badge: (n.querySelector('a[href=\"/notifications\"] .count') || {}).textContent || null};",
    )
    .await;
    assert_eq!(bar["position"], "fixed", "{bar}");
    assert_eq!(bar["shown"], true, "{bar}");
    assert_eq!(
        bar["bottom"], bar["height"],
        "at the bottom of the screen: {bar}"
    );
    assert_eq!(
        bar["links"],
        json!(["/", "/groups", "/agenda", "/missions", "/notifications"]),
        "{bar}"
    );
    assert_eq!(bar["current"], json!(["/agenda"]), "{bar}");
    let unread: u32 = bar["badge"]
        .as_str()
        .unwrap_or_else(|| panic!("no unread count: {bar}"))
        .trim()
        .parse()
        .unwrap();
    assert!(unread >= 1, "{bar}");
    // Nothing is hidden behind the bar: the page's end scrolls above it.
    let hidden = js(
        c,
        "window.scrollTo(0, document.body.scrollHeight);\
         const bar = document.querySelector('nav.bottom-nav').getBoundingClientRect();\
         const foot = document.querySelector('footer.site').getBoundingClientRect();\
         return foot.bottom > bar.top + 1;",
    )
    .await;
    assert_eq!(hidden, json!(false), "the footer ends under the bottom bar");

    // The rest of the menu behind "Plus", opened without JavaScript (a <details>).
    let more = js(
        c,
        "const d = document.querySelector('details.nav-more');\
         if (!d) return null; d.querySelector('summary').click();\
         return {open: d.open, links: [...d.querySelectorAll('a')].map(a => a.getAttribute('href')),\
                 signOut: !!d.querySelector('form[action=\"/auth/sign_out\"] button')};",
    )
    .await;
    assert_eq!(more["open"], true, "{more}");
    for href in ["/public?local=1", "/direct", "/search", "/settings"] {
        assert!(
            more["links"].as_array().unwrap().contains(&json!(href)),
            "{href} is not in the menu: {more}"
        );
    }
    assert_eq!(more["signOut"], true, "{more}");
    assert!(
        !more["links"].as_array().unwrap().contains(&json!("/admin")),
        "a member has no administration link: {more}"
    );
    check_fits(c, "/agenda with the menu open").await;
    common::chrome::check_axe(c, "/agenda with the menu open").await;

    // The current page of a group's page is "Groupes"; of the home page, "Accueil".
    for (path, current) in [
        ("/groups", "/groups"),
        ("/", "/"),
        ("/missions", "/missions"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        let now = js(
            c,
            "return [...document.querySelectorAll('nav.bottom-nav [aria-current=page]')].map(a => a.getAttribute('href'));",
        )
        .await;
        assert_eq!(now, json!([current]), "on {path}");
    }

    // A desktop: no bottom bar; the top bar marks the current page.
    b.size(DESKTOP).await;
    c.goto(&app.url("/missions")).await.unwrap();
    let top = js(
        c,
        "const n = document.querySelector('nav.bottom-nav');\
         return {bottomShown: !!n && n.getClientRects().length > 0 && getComputedStyle(n).position === 'fixed',\
                 current: [...document.querySelectorAll('header.site [aria-current=page]')]\
                   .filter(a => a.getClientRects().length > 0).map(a => a.getAttribute('href'))};",
    )
    .await;
    assert_eq!(top["bottomShown"], false, "{top}");
    assert_eq!(top["current"], json!(["/missions"]), "{top}");

    // Signed out: a simple top bar, no bottom bar.
    c.delete_all_cookies().await.unwrap();
    for size in [PHONE, DESKTOP] {
        b.size(size).await;
        c.goto(&app.url("/groups")).await.unwrap();
        let out = js(
            c,
            "return {bottom: !!document.querySelector('nav.bottom-nav'),\
                     signIn: !!document.querySelector('header.site a[href=\"/auth/sign_in\"]')};",
        )
        .await;
        assert_eq!(out, json!({"bottom": false, "signIn": true}), "{size:?}");
    }
    b.size(PHONE).await;
    app.stop().await;
}

/// What is wrong with the current page: unlabelled fields, sideways scroll (measured against
/// the screen), axe-core's violations.
async fn problems(c: &Client, what: &str) -> Vec<String> {
    let mut found = Vec::new();
    let unlabelled = js(
        c,
        "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]\
         .filter(e => e.labels.length === 0).map(e => e.name);",
    )
    .await;
    if unlabelled != json!([]) {
        found.push(format!("{what}: fields without a label: {unlabelled}"));
    }
    let overflow = js(
        c,
        "const w = Math.min(window.innerWidth, screen.width);\
         if (document.documentElement.scrollWidth <= w && window.innerWidth <= w) return null;\
         return [...document.querySelectorAll('body *')]\
           .filter(e => e.getBoundingClientRect().right > w + 1)\
           .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')\
             + ' right=' + Math.round(e.getBoundingClientRect().right));",
    )
    .await;
    if overflow != Value::Null {
        found.push(format!("{what}: scrolls sideways: {overflow}"));
    }
    for v in axe(c).await {
        found.push(format!("{what}: {v}"));
    }
    found
}

/// Checks every path at every size (360, 390, 1280), light and dark, and fails once with
/// every problem found (each page's check_everywhere stops at the first).
async fn everywhere(b: &Chrome, app: &TestApp, paths: &[String]) {
    let c = &b.client;
    let mut found = Vec::new();
    for path in paths {
        c.goto(&app.url(path)).await.unwrap();
        for dark in [false, true] {
            b.dark(dark).await;
            for size in [NARROW, PHONE, DESKTOP] {
                b.size(size).await;
                let what = format!(
                    "{path} at {}px{}",
                    size.0,
                    if dark { " (dark)" } else { "" }
                );
                found.extend(problems(c, &what).await);
            }
        }
        b.dark(false).await;
        b.size(PHONE).await;
    }
    assert!(
        found.is_empty(),
        "{} problems:\n{}",
        found.len(),
        found.join("\n")
    );
    // The shared check agrees on one page.
    check_everywhere(b, app, &paths[0]).await;
}

fn own(paths: &[&str]) -> Vec<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_signed_out() {
    let Some(b) = chrome().await else { return };
    let app = spawn_app().await;
    let w = world(&app).await;
    let mut paths = own(&[
        "/",
        "/about",
        "/public?local=1",
        "/groups",
        "/@pau",
        "/agenda",
        "/agenda?view=month",
        "/missions",
        "/@ana",
        "/auth/sign_in",
        "/auth/sign_up",
        "/auth/password/new",
        "/page-that-does-not-exist",
    ]);
    paths.extend([w.event.clone(), w.mission.clone(), w.thread.clone()]);
    everywhere(&b, &app, &paths).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_as_a_member() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    let w = world(&app).await;
    sign_in(c, &app, "ana@example.org").await;
    let mut paths = own(&[
        "/",
        "/public?local=1",
        "/public",
        "/groups",
        "/groups/new",
        "/@pau",
        "/groups/pau/members",
        "/agenda",
        "/agenda?view=month",
        "/missions",
        "/notifications",
        "/notifications/requests",
        "/follow_requests",
        "/direct",
        "/search",
        "/search?q=pau",
        "/settings",
        "/settings/password",
        "/settings/preferences",
        "/settings/notifications",
        "/settings/email",
        "/settings/warnings",
        "/settings/delete",
        "/@bob",
        "/@ana",
        "/about",
    ]);
    paths.extend([
        w.event.clone(),
        w.mission.clone(),
        w.thread.clone(),
        format!("/report?account={}", w.bob_id),
    ]);
    everywhere(&b, &app, &paths).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_as_a_secretary_and_an_administrator() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    let w = world(&app).await;
    sign_in(c, &app, "secretaire@example.org").await;
    let mut paths = own(&[
        "/@pau",
        "/groups/pau/members",
        "/groups/pau/audit",
        "/events/new?group=pau",
    ]);
    paths.extend([w.mission.clone(), w.event.clone()]);
    everywhere(&b, &app, &paths).await;

    c.delete_all_cookies().await.unwrap();
    sign_in(c, &app, "admin@example.org").await;
    let mut paths = own(&[
        "/admin",
        "/admin/accounts",
        "/admin/appeals",
        "/admin/announcements",
        "/admin/domains",
        "/admin/groups",
        "/admin/log",
        "/admin/reports",
        "/admin/rules",
        "/admin/about",
    ]);
    paths.extend([
        format!("/admin/reports/{}", w.report),
        format!("/admin/accounts/{}", w.ana_id),
    ]);
    everywhere(&b, &app, &paths).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_pages_in_english() {
    let Some(b) = chrome().await else { return };
    let c = &b.client;
    let app = spawn_app().await;
    let w = world(&app).await;
    sign_in(c, &app, "ana@example.org").await;
    set_language(c, &app, "en").await;
    let mut paths = own(&[
        "/",
        "/groups",
        "/groups/pau/members",
        "/agenda",
        "/agenda?view=month",
        "/missions",
        "/notifications",
        "/settings",
    ]);
    paths.extend([w.event.clone(), w.mission.clone(), w.thread.clone()]);
    everywhere(&b, &app, &paths).await;
    // The bar speaks English too.
    let label = js(
        c,
        "return document.querySelector('nav.bottom-nav a[href=\"/groups\"]').textContent.trim();",
    )
    .await;
    assert_eq!(label, json!("Groups"));
    app.stop().await;
}
