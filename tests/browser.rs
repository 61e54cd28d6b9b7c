//! The sign-up and sign-in pages driven in a real headless Chromium through ChromeDriver, as a
//! person would use them: typing into labelled fields, submitting with the keyboard, reading
//! what the page says; and posting a photo with its alt text from the composer.
//!
//! The harness (ChromeDriver, sizes, checks) is `tests/common/chrome.rs`.

mod common;

use common::chrome::{
    PASSWORD, check_fits, check_inputs_are_labelled, chrome, click, fill_by_label, sign_out, tap,
    tick_by_label, wait_for_text,
};
use common::{TestApp, spawn_app};
use coopol::domain::Role;
use fantoccini::{Client, Locator, key::Key};
use std::time::{Duration, Instant};

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
    let Some(b) = chrome().await else { return };
    let app = spawn_app().await;
    app.set_registration_mode("open").await;
    let c = &b.client;

    sign_up(c, &app).await;
    let text = wait_for_text(c, "Bienvenue").await;
    assert!(text.contains(&format!("@camille@{}", app.domain)), "{text}");

    sign_out(c).await;
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
    wait_for_text(c, "Votre adresse sur le Fediverse\u{202f}: @camille@").await;

    // The home page's compose form publishes, keyboard only.
    let text = c.find(Locator::Id("status")).await.unwrap();
    text.send_keys("Premier message depuis le navigateur")
        .await
        .unwrap();
    click(c, "form.compose button[type=submit]").await;
    wait_for_text(c, "Publication envoyée.").await;
    wait_for_text(c, "Premier message depuis le navigateur").await;

    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_mistakes_are_shown_next_to_the_fields() {
    let Some(b) = chrome().await else { return };
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
    let Some(b) = chrome().await else { return };
    let app = spawn_app().await;
    let c = &b.client;
    for path in ["/", "/auth/sign_in", "/auth/sign_up", "/about"] {
        c.goto(&app.url(path)).await.unwrap();
        check_fits(c, path).await;
    }
    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secretary_creates_a_section_and_opens_a_discussion() {
    let Some(b) = chrome().await else { return };
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
    click(c, "form.card button[type=submit]").await;
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

    // A members-only discussion, keyboard and labels only, from the group's discussions tab.
    c.find(Locator::LinkText("Discussions"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(c, "Titre de la discussion").await;
    fill_by_label(c, "Titre de la discussion", "Réunion de bureau").await;
    fill_by_label(c, "Publier", "Mardi 19 h au local").await;
    c.find(Locator::Id("audience"))
        .await
        .unwrap()
        .send_keys("Membres")
        .await
        .unwrap();
    click(c, "form.compose button[type=submit]").await;
    wait_for_text(c, "Publication envoyée.").await;
    let text = wait_for_text(c, "Réunion de bureau").await;
    assert!(text.contains("Membres seulement"), "{text}");

    for path in [
        "/groups",
        "/@pau",
        "/groups/pau/discussions",
        "/groups/pau/members",
        "/groups/pau/audit",
        "/agenda",
        "/agenda?view=month",
        "/events/new?group=pau",
        "/missions",
    ] {
        c.goto(&app.url(path)).await.unwrap();
        check_inputs_are_labelled(c).await;
        check_fits(c, path).await;
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
    let Some(b) = chrome().await else { return };
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
    click(c, "details.media-fields > summary").await;
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
    click(c, "form.compose button[type=submit]").await;
    wait_for_text(c, "Publication envoyée.").await;
    wait_for_text(c, "La banderole est prête pour samedi").await;
    wait_for_picture(
        c,
        "Banderole rouge « Pau solidaire » tenue par quatre personnes",
    )
    .await;
    check_inputs_are_labelled(c).await;
    check_fits(c, "/ with a photo").await;
    // The pictures' forms are labelled and fit a phone too.
    for path in ["/settings", "/events/new"] {
        c.goto(&app.url(path)).await.unwrap();
        check_inputs_are_labelled(c).await;
        check_fits(c, path).await;
    }
    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_ticks_the_instance_rules_to_sign_up() {
    let Some(b) = chrome().await else { return };
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
    check_fits(c, "/auth/sign_up").await;
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
        tap(c, &agreement).await;
    }
    click(c, "form.card button[type=submit]").await;
    wait_for_text(c, "Bienvenue").await;
    b.client.clone().close().await.unwrap();
}
