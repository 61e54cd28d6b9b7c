//! The report form and the moderation queue in a real headless Chromium through ChromeDriver:
//! a member reports a post from its "Signaler" link, choosing a category and writing a
//! comment; a moderator finds it in the queue, reads the post, takes it, writes a note and
//! resolves it. The harness (ChromeDriver and a session) is the one of `tests/browser.rs`.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them this test prints a notice
//! and passes, unless COOPOL_REQUIRE_BROWSER=1, which makes absence a failure.

mod common;

use common::{TestApp, spawn_app};
use coopol::domain::Role;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
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

async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/auth/sign_in")).await.unwrap();
    fill_by_label(c, "Adresse e-mail", email).await;
    fill_by_label(c, "Mot de passe", PASSWORD).await;
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Se déconnecter").await;
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e:?}"))
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reports_a_post_and_a_moderator_resolves_it() {
    let Some(browser) = browser().await else {
        return;
    };
    let c = &browser.client;
    let app = spawn_app().await;
    let (_, bob_token) = app.user_with_token("bob", "read write").await;
    app.create_user("alice", PASSWORD, Role::Member).await;
    app.create_user("modo", PASSWORD, Role::Moderator).await;
    let (_, posted) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob_token),
            &json!({"status": "Montres à prix cassés", "visibility": "public"}),
        )
        .await;
    let post_id = posted["id"].as_str().unwrap().to_string();

    // Alice reports the post from its link.
    sign_in(c, &app, "alice@example.org").await;
    c.goto(&app.url(&format!("/@bob/{post_id}"))).await.unwrap();
    wait_for_text(c, "Montres à prix cassés").await;
    c.find(Locator::LinkText("Signaler"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Signaler bob à l’équipe de modération").await;
    check_inputs_are_labelled(c).await;
    c.find(Locator::Css("input[name=category][value=spam]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill_by_label(c, "Commentaire", "Il poste la même publicité chaque heure").await;
    click(c, "form.card button[type=submit]").await;
    wait_for_text(c, "votre signalement a été transmis").await;
    click(c, "header button.link").await;
    wait_for_text(c, "Vous êtes déconnecté").await;

    // The moderator finds it in the queue, takes it, writes a note, resolves it.
    sign_in(c, &app, "modo@example.org").await;
    c.find(Locator::LinkText("Signalements"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Spam, publicité").await;
    check_inputs_are_labelled(c).await;
    click(c, "table a[href^='/admin/reports/']").await;
    let page = wait_for_text(c, "Il poste la même publicité chaque heure").await;
    assert!(page.contains("Montres à prix cassés"), "{page}");
    check_inputs_are_labelled(c).await;
    click(c, "form[action$='/assign'] button").await;
    wait_for_text(c, "Vous prenez en charge ce signalement").await;
    fill_by_label(c, "Nouvelle note", "Averti par message").await;
    click(c, "form[action$='/note'] button").await;
    wait_for_text(c, "Averti par message").await;
    click(c, "form[action$='/resolve'] button").await;
    let page = wait_for_text(c, "Signalement résolu").await;
    assert!(page.contains("Rouvrir"), "{page}");
    app.stop().await;
}
