//! The sign-up and sign-in pages driven in a real headless Chromium through ChromeDriver, as a
//! person would use them: typing into labelled fields, submitting with the keyboard, reading
//! what the page says; and posting a photo with its alt text from the composer.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them). Without them
//! these tests print a notice and pass, unless COOPOL_REQUIRE_BROWSER=1 (set by scripts/test
//! and CI), which makes absence a failure.

mod common;

use common::{TestApp, spawn_app};
use coopol::domain::Role;
use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const PASSWORD: &str = "correct horse battery";

/// A ChromeDriver process and a browser session, both ended on drop.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

/// Starts ChromeDriver on a free port, and returns it once it answers there. A port found free
/// may be taken by another test's server or driver before ChromeDriver binds it: then our
/// driver exits at once (or something else answers `/status`), and another port is tried.
async fn start_driver(driver_path: &str) -> (Child, u16) {
    let http = reqwest::Client::new();
    for _ in 0..10 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        // Not ready in 10 s (its port was taken on one address only, say): another port.
        let deadline = Instant::now() + Duration::from_secs(10);
        let ready = loop {
            if driver.try_wait().expect("chromedriver's state").is_some() {
                break false;
            }
            let status = http
                .get(format!("http://127.0.0.1:{port}/status"))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if let Ok(answer) = status
                && let Ok(body) = answer.json::<serde_json::Value>().await
                && body["value"]["ready"] == true
            {
                // Ours, and not another driver on the same port: still running a moment later.
                tokio::time::sleep(Duration::from_millis(200)).await;
                break driver.try_wait().expect("chromedriver's state").is_none();
            }
            if Instant::now() > deadline {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if ready {
            return (driver, port);
        }
        let _ = driver.kill();
        let _ = driver.wait();
    }
    panic!("chromedriver found no free port in ten tries");
}

async fn browser() -> Option<Browser> {
    let driver_path = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let (Some(driver_path), Some(chromium)) = (driver_path, chromium) else {
        if std::env::var("COOPOL_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("chromium and chromedriver are required: run scripts/test, which installs them");
        }
        eprintln!(
            "notice: chromium/chromedriver absent (scripts/test installs them); browser tests skipped"
        );
        return None;
    };
    let (mut driver, port) = start_driver(&driver_path).await;
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=fr-FR",
                "--window-size=400,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": { "intl.accept_languages": "fr-FR,fr" }
        }),
    );
    let opened = ClientBuilder::rustls()
        .expect("TLS roots")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await;
    let client = match opened {
        Ok(client) => client,
        Err(e) => {
            // The driver would outlive the test (holding whatever it inherited) otherwise.
            let _ = driver.kill();
            let _ = driver.wait();
            panic!("open a Chromium session: {e:?}");
        }
    };
    Some(Browser {
        client,
        driver,
        _profile: profile,
    })
}

/// Types into the field whose <label> says `label` (so the test also proves labels work).
async fn fill_by_label(c: &Client, label: &str, value: &str) {
    let labels = c.find_all(Locator::Css("label")).await.unwrap();
    for l in labels {
        if l.text().await.unwrap().trim() == label {
            let target = l
                .attr("for")
                .await
                .unwrap()
                .expect("label has a for attribute");
            let field = c.find(Locator::Id(&target)).await.unwrap();
            field.send_keys(value).await.unwrap();
            return;
        }
    }
    panic!("no label {label:?} on {}", c.current_url().await.unwrap());
}

/// Waits until the page (after a navigation the test started) says `text`; returns its text.
/// Reading while the browser swaps pages can hit the old one, so this retries.
async fn wait_for_text(c: &Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let body = match c.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if body.contains(text) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "the page never said {text:?}; it says:\n{body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn check_inputs_are_labelled(c: &Client) {
    let unlabelled: serde_json::Value = c
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]\
             .filter(e => e.labels.length === 0).map(e => e.name);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, serde_json::json!([]), "fields without a label");
}

/// The page does not scroll sideways in the 400-pixel-wide window.
async fn check_fits_a_phone(c: &Client, path: &str) {
    let overflow: serde_json::Value = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        serde_json::json!(false),
        "{path} scrolls sideways at 400px"
    );
}

async fn sign_up(c: &Client, app: &TestApp) {
    c.goto(&app.url("/auth/sign_up")).await.unwrap();
    check_inputs_are_labelled(c).await;
    fill_by_label(c, "Nom d'utilisateur", "Camille").await;
    fill_by_label(c, "Adresse e-mail", "camille@example.org").await;
    fill_by_label(c, "Mot de passe", PASSWORD).await;
    fill_by_label(c, "Confirmation du mot de passe", PASSWORD).await;
    c.find(Locator::Id("agreement"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_up_signs_out_and_signs_in_again() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let c = &b.client;

    sign_up(c, &app).await;
    let text = wait_for_text(c, "Bienvenue").await;
    assert!(text.contains(&format!("@camille@{}", app.domain)), "{text}");

    c.find(Locator::Css("header button.link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Vous êtes déconnecté").await;

    // Sign in with the keyboard only: type, then Enter.
    c.goto(&app.url("/auth/sign_in")).await.unwrap();
    check_inputs_are_labelled(c).await;
    fill_by_label(c, "Adresse e-mail", "camille@example.org").await;
    fill_by_label(c, "Mot de passe", "wrong password").await;
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_for_text(c, "Adresse e-mail ou mot de passe incorrect").await;
    // The address typed is still there; the password is not.
    let email = c
        .find(Locator::Id("email"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(email.as_deref(), Some("camille@example.org"));
    let field = c.find(Locator::Id("password")).await.unwrap();
    field.send_keys(PASSWORD).await.unwrap();
    field.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for_text(c, "Votre adresse sur le Fediverse : @camille@").await;

    // The home page's compose form publishes, keyboard only.
    let text = c.find(Locator::Id("status")).await.unwrap();
    text.send_keys("Premier message depuis le navigateur")
        .await
        .unwrap();
    c.find(Locator::Css("form.compose button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Publication envoyée.").await;
    wait_for_text(c, "Premier message depuis le navigateur").await;

    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_mistakes_are_shown_next_to_the_fields() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    app.create_user("camille", PASSWORD, Role::Member).await;
    let c = &b.client;
    sign_up(c, &app).await;
    wait_for_text(c, "Le formulaire contient des erreurs").await;
    let errors = c.find_all(Locator::Css(".field-error")).await.unwrap();
    let mut messages = Vec::new();
    for e in errors {
        messages.push(e.text().await.unwrap());
    }
    assert!(
        messages.iter().any(|m| m.contains("est déjà pris")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("est déjà utilisée")),
        "{messages:?}"
    );
    let username = c.find(Locator::Id("username")).await.unwrap();
    assert_eq!(
        username.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some("Camille")
    );
    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_fit_a_phone_screen() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    let c = &b.client;
    for path in ["/", "/auth/sign_in", "/auth/sign_up", "/about"] {
        c.goto(&app.url(path)).await.unwrap();
        check_fits_a_phone(c, path).await;
    }
    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secretary_creates_a_section_and_opens_a_discussion() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let c = &b.client;
    sign_up(c, &app).await;
    wait_for_text(c, "Bienvenue").await;

    c.goto(&app.url("/groups/new")).await.unwrap();
    check_inputs_are_labelled(c).await;
    fill_by_label(c, "Nom", "pau").await;
    fill_by_label(c, "Nom affiché", "Section de Pau").await;
    // A section needs its postcode: the form says so next to the field, keeping the rest.
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Le formulaire contient des erreurs").await;
    fill_by_label(c, "Code postal", "64000").await;
    c.find(Locator::Id("postcode"))
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    wait_for_text(c, "Groupe créé").await;
    check_inputs_are_labelled(c).await;

    // A members-only discussion, keyboard and labels only.
    fill_by_label(c, "Titre de la discussion", "Réunion de bureau").await;
    fill_by_label(c, "Publier", "Mardi 19 h au local").await;
    c.find(Locator::Id("audience"))
        .await
        .unwrap()
        .send_keys("Membres")
        .await
        .unwrap();
    c.find(Locator::Css("form.compose button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Publication envoyée.").await;
    let text = wait_for_text(c, "Réunion de bureau").await;
    assert!(text.contains("Membres seulement"), "{text}");

    for path in [
        "/groups",
        "/@pau",
        "/groups/pau/members",
        "/groups/pau/audit",
        "/agenda",
        "/agenda?view=month",
        "/events/new?group=pau",
        "/missions",
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_inputs_are_labelled(c).await;
        check_fits_a_phone(c, path).await;
    }
    b.client.clone().close().await.unwrap();
}

/// Waits until the picture whose alt text is `alt` has loaded (the page's policy let it in).
async fn wait_for_picture(c: &Client, alt: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let loaded: serde_json::Value = c
            .execute(
                "const img = [...document.querySelectorAll('.media-picture img')]\
                 .find(i => i.alt === arguments[0]);\
                 if (!img) return false;\
                 img.scrollIntoView();\
                 return img.complete && img.naturalWidth > 0;",
                vec![serde_json::json!(alt)],
            )
            .await
            .unwrap();
        if loaded == serde_json::json!(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the picture {alt:?} never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_posts_a_photo_with_its_alt_text_and_sees_it_in_the_timeline() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let c = &b.client;
    sign_up(c, &app).await;
    wait_for_text(c, "Bienvenue").await;

    // A photo on disk, as a phone's gallery would hand it to the browser.
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("banderole.png");
    image::RgbImage::from_fn(900, 600, |x, y| {
        image::Rgb([(x % 200) as u8, 90, (y % 200) as u8])
    })
    .save(&photo)
    .unwrap();

    c.goto(&app.url("/")).await.unwrap();
    check_inputs_are_labelled(c).await;
    fill_by_label(c, "Publier", "La banderole est prête pour samedi").await;
    // The files are folded away until asked for.
    c.find(Locator::Css("details.media-fields > summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("media_0"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    fill_by_label(
        c,
        "Description (texte alternatif)",
        "Banderole rouge « Pau solidaire » tenue par quatre personnes",
    )
    .await;
    c.find(Locator::Css("form.compose button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Publication envoyée.").await;
    wait_for_text(c, "La banderole est prête pour samedi").await;
    wait_for_picture(
        c,
        "Banderole rouge « Pau solidaire » tenue par quatre personnes",
    )
    .await;
    check_inputs_are_labelled(c).await;
    check_fits_a_phone(c, "/ with a photo").await;
    // The pictures' forms are labelled and fit a phone too.
    for path in ["/settings", "/events/new"] {
        c.goto(&app.url(path)).await.unwrap();
        check_inputs_are_labelled(c).await;
        check_fits_a_phone(c, path).await;
    }
    b.client.clone().close().await.unwrap();
}

/// Clicks the box whose <label> says `label` (as a person ticking it would).
async fn tick_by_label(c: &Client, label: &str) {
    let labels = c.find_all(Locator::Css("label.checkbox")).await.unwrap();
    for l in labels {
        if l.text().await.unwrap().trim() == label {
            l.click().await.unwrap();
            return;
        }
    }
    panic!("no box labelled {label:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_ticks_the_instance_rules_to_sign_up() {
    let Some(b) = browser().await else { return };
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let admin = app.create_user("chef", PASSWORD, Role::Admin).await;
    let admin = coopol::db::accounts::user_by_id(app.state.pool(), admin)
        .await
        .unwrap()
        .unwrap();
    for (text, hint) in [
        ("Pas de harcèlement", "Ni ici ni ailleurs."),
        ("Respect des décisions collectives", ""),
    ] {
        coopol::service::rules::create(&app.state, &admin, text, hint)
            .await
            .unwrap();
    }
    let c = &b.client;

    // Without the rules ticked: refused, the rules named, what was typed kept.
    sign_up(c, &app).await;
    wait_for_text(c, "Cochez les 2 règles restantes pour vous inscrire.").await;
    check_inputs_are_labelled(c).await;
    check_fits_a_phone(c, "/auth/sign_up").await;
    let username = c.find(Locator::Id("username")).await.unwrap();
    assert_eq!(
        username.prop("value").await.unwrap().as_deref(),
        Some("Camille")
    );
    let text = wait_for_text(c, "Ni ici ni ailleurs.").await;
    assert!(text.contains("Règles de l’instance"), "{text}");

    // Both ticked, the passwords typed again: welcome.
    tick_by_label(c, "Pas de harcèlement").await;
    tick_by_label(c, "Respect des décisions collectives").await;
    fill_by_label(c, "Mot de passe", PASSWORD).await;
    fill_by_label(c, "Confirmation du mot de passe", PASSWORD).await;
    let agreement = c.find(Locator::Id("agreement")).await.unwrap();
    if agreement.prop("checked").await.unwrap().as_deref() != Some("true") {
        agreement.click().await.unwrap();
    }
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Bienvenue").await;
    b.client.clone().close().await.unwrap();
}
