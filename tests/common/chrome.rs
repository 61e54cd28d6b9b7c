//! A real headless Chromium driven through ChromeDriver, shared by the browser tests: starting
//! and stopping the driver, the two screen sizes the interface is checked at (a phone and a
//! desktop), dark mode, and the checks every page of a journey goes through: fields labelled,
//! no sideways scroll, and no axe-core violation.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and axe-core in `target/axe` (both installed
//! by scripts/test-tools.sh). Without them the browser tests print a notice and pass, unless
//! COOPOL_REQUIRE_BROWSER=1 (set by scripts/test and CI), which makes absence a failure.

use super::TestApp;
use fantoccini::{Client, ClientBuilder, Locator, wd::WebDriverCompatibleCommand};
use serde_json::{Value, json};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The password the browser tests sign up and sign in with.
pub const PASSWORD: &str = "correct horse battery";

/// A phone's screen (an iPhone 12 to 15), in CSS pixels.
pub const PHONE: (u32, u32) = (390, 844);
/// A laptop's window.
pub const DESKTOP: (u32, u32) = (1280, 900);
/// The narrowest phone the interface must fit without scrolling sideways.
pub const NARROW: (u32, u32) = (360, 740);

/// A ChromeDriver process and a browser session, both ended on drop.
pub struct Chrome {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Chrome {
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

fn required() -> bool {
    std::env::var("COOPOL_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
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
                && let Ok(body) = answer.json::<Value>().await
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

/// A French-speaking Chromium the size of a phone ([`PHONE`]), or `None` (with a notice) when
/// Chromium is absent and not required.
pub async fn chrome() -> Option<Chrome> {
    let driver_path = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
    let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let (Some(driver_path), Some(chromium)) = (driver_path, chromium) else {
        if required() {
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
        json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=fr-FR",
                "--hide-scrollbars", "--window-size=1280,900",
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
    let chrome = Chrome {
        client,
        driver,
        _profile: profile,
    };
    chrome.size(PHONE).await;
    Some(chrome)
}

/// A Chrome DevTools Protocol command, through ChromeDriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

impl Chrome {
    /// Runs a DevTools command (emulation settings last for the session).
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e:?}"))
    }

    /// Makes the page's viewport (and the screen) exactly `width`×`height` CSS pixels; below
    /// 600 pixels wide it is a phone's (touch, the page's `<meta name=viewport>` obeyed).
    pub async fn size(&self, (width, height): (u32, u32)) {
        let mobile = width < 600;
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": if mobile { 2 } else { 1 },
                   "mobile": mobile, "screenWidth": width, "screenHeight": height}),
        )
        .await;
        self.cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": mobile, "maxTouchPoints": if mobile { 5 } else { 1 }}),
        )
        .await;
    }

    /// Dark mode on or off, as the system setting a page reads with `prefers-color-scheme`.
    pub async fn dark(&self, on: bool) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme",
                                 "value": if on { "dark" } else { "light" }}]}),
        )
        .await;
    }

    /// The page as a PNG picture, the whole height of it.
    pub async fn screenshot_full(&self) -> Vec<u8> {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await;
        let width = metrics["cssContentSize"]["width"]
            .as_f64()
            .unwrap_or(1280.0);
        let height = metrics["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(900.0);
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true,
                       "clip": {"x": 0, "y": 0, "width": width, "height": height.min(6000.0),
                                "scale": 1}}),
            )
            .await;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("a screenshot"))
            .expect("base64 PNG")
    }

    /// Closes the session (the driver stops on drop).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Types into the field whose <label> says `label` (so the test also proves labels work).
pub async fn fill_by_label(c: &Client, label: &str, value: &str) {
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

/// Clicks the box whose <label class=checkbox> says `label` (as a person ticking it would).
pub async fn tick_by_label(c: &Client, label: &str) {
    let labels = c.find_all(Locator::Css("label.checkbox")).await.unwrap();
    for l in labels {
        if l.text().await.unwrap().trim() == label {
            tap(c, &l).await;
            return;
        }
    }
    panic!("no box labelled {label:?}");
}

/// Clicks an element once it is scrolled to the middle of the screen, as a person would before
/// tapping it: on a phone the bottom navigation bar covers the screen's last 64 pixels, where
/// WebDriver's click (which scrolls only what is off screen) would land on the bar instead.
pub async fn tap(c: &Client, element: &fantoccini::elements::Element) {
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(element).expect("an element reference")],
    )
    .await
    .unwrap();
    element.click().await.unwrap();
}

/// Clicks the first element `css` selects (see [`tap`]).
pub async fn click(c: &Client, css: &str) {
    let element = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e:?}"));
    tap(c, &element).await;
}

/// Waits until the page (after a navigation the test started) says `text`; returns its text.
/// Reading while the browser swaps pages can hit the old one, so this retries.
pub async fn wait_for_text(c: &Client, text: &str) -> String {
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

/// Signs in with the form, as `email` with [`PASSWORD`], and waits for the signed-in page.
pub async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/auth/sign_in")).await.unwrap();
    fill_by_label(c, "Adresse e-mail", email).await;
    fill_by_label(c, "Mot de passe", PASSWORD).await;
    click(c, "form.card button[type=submit]").await;
    wait_for(c, "form[action='/auth/sign_out']").await;
}

/// Waits until the page (after a navigation the test started) has an element `css` selects.
pub async fn wait_for(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while c.find(Locator::Css(css)).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the page never had {css}: {}",
            c.current_url().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Signs out as a person would: opens the menu ("Plus", a `<details>`) when it is closed, then
/// presses "Se déconnecter".
pub async fn sign_out(c: &Client) {
    let open: Value = c
        .execute(
            "const d = document.querySelector('details.nav-more'); return !d || d.open;",
            vec![],
        )
        .await
        .unwrap();
    if open != json!(true) {
        click(c, "details.nav-more > summary").await;
    }
    click(c, "form[action='/auth/sign_out'] button").await;
}

/// Chooses the interface's language with the footer's menu (`fr` or `en`).
pub async fn set_language(c: &Client, app: &TestApp, locale: &str) {
    c.goto(&app.url("/about")).await.unwrap();
    c.execute(
        "const s = document.getElementById('locale-menu'); s.value = arguments[0]; s.form.submit();",
        vec![json!(locale)],
    )
    .await
    .unwrap();
    let lang = if locale == "fr" { "fr" } else { "en" };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now: Value = c
            .execute("return document.documentElement.lang;", vec![])
            .await
            .unwrap_or(Value::Null);
        if now == json!(lang) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the language never became {lang}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every field on the page has a label.
pub async fn check_inputs_are_labelled(c: &Client) {
    let unlabelled: Value = c
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]\
             .filter(e => e.labels.length === 0).map(e => e.name);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, json!([]), "fields without a label");
}

/// The page does not scroll sideways at the current width; `what` names it in the failure,
/// which lists the elements wider than the screen. The screen's width is the measure: a
/// phone's browser widens its layout viewport (and `innerWidth`) to content that overflows.
pub async fn check_fits(c: &Client, what: &str) {
    let overflow: Value = c
        .execute(
            "const w = Math.min(window.innerWidth, screen.width);\
             if (document.documentElement.scrollWidth <= w && window.innerWidth <= w) return null;\
             return [...document.querySelectorAll('body *')]\
               .filter(e => e.getBoundingClientRect().right > w + 1)\
               .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')\
                 + ' right=' + Math.round(e.getBoundingClientRect().right));",
            vec![],
        )
        .await
        .unwrap();
    let width: Value = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(
        overflow,
        Value::Null,
        "{what} scrolls sideways at {width}px wide; too wide: {overflow}"
    );
}

/// Where scripts/test-tools.sh puts axe-core.
fn axe_source() -> Option<&'static str> {
    static SOURCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js");
            match std::fs::read_to_string(&path) {
                Ok(source) => Some(source),
                Err(_) if required() => panic!(
                    "axe-core is required at {}: run scripts/test-tools.sh",
                    path.display()
                ),
                Err(_) => {
                    eprintln!(
                        "notice: axe-core absent (scripts/test-tools.sh installs it); accessibility checks skipped"
                    );
                    None
                }
            }
        })
        .as_deref()
}

/// axe-core's violations on the current page (WCAG 2.1 A and AA and axe's best practices), one
/// line each: the rule, what it says, and the elements.
pub async fn axe(c: &Client) -> Vec<String> {
    let Some(source) = axe_source() else {
        return Vec::new();
    };
    let present: Value = c
        .execute("return typeof window.axe !== 'undefined';", vec![])
        .await
        .unwrap();
    if present != json!(true) {
        c.execute(source, vec![]).await.expect("load axe-core");
    }
    let result: Value = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document, {resultTypes: ['violations']})\
               .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — '\
                  + v.nodes.slice(0, 5).map(n => n.target.join(' ') + (n.failureSummary ? ' ('\
                  + n.failureSummary.replace(/\\s+/g, ' ') + ')' : '')).join('; '))))\
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    result
        .as_array()
        .map(|v| {
            v.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// No axe-core violation on the current page.
pub async fn check_axe(c: &Client, what: &str) {
    let violations = axe(c).await;
    assert!(
        violations.is_empty(),
        "{what}: axe-core finds:\n{}",
        violations.join("\n")
    );
}

/// The checks every page of a journey goes through: labelled fields, no sideways scroll at the
/// current size, no axe-core violation.
pub async fn check_page(c: &Client, what: &str) {
    check_inputs_are_labelled(c).await;
    check_fits(c, what).await;
    check_axe(c, what).await;
}

/// Visits `path` and checks it ([`check_page`]) at every size (narrow phone, phone, desktop)
/// and in light and dark mode; leaves the browser at [`PHONE`] size in light mode.
pub async fn check_everywhere(chrome: &Chrome, app: &TestApp, path: &str) {
    let c = &chrome.client;
    c.goto(&app.url(path)).await.unwrap();
    for dark in [false, true] {
        chrome.dark(dark).await;
        for size in [NARROW, PHONE, DESKTOP] {
            chrome.size(size).await;
            let what = format!(
                "{path} at {}x{}{}",
                size.0,
                size.1,
                if dark { " (dark)" } else { "" }
            );
            check_page(c, &what).await;
        }
    }
    chrome.dark(false).await;
    chrome.size(PHONE).await;
}
