//! Media in the web pages: posting pictures (with and without alt text), documents, video and
//! sound from the composer, refused files (the form comes back with what was typed and the
//! files accepted), the CSRF check of multipart forms, avatars and banners, a group's logo
//! (its administrators only), and an event's picture. Each test runs on every media store
//! the suite has (`common::media_stores`).

mod common;

use common::{Browser, Page, TestApp, media_stores, spawn_app_with, use_media_store};
use coopol::domain::{Role, media::MediaKind};
use reqwest::{StatusCode, header};

const PASSWORD: &str = "correct horse battery";

async fn app_on(store: &str) -> TestApp {
    spawn_app_with(|config| use_media_store(config, store)).await
}

/// A signed-in browser for a new member `name`, with the account id.
async fn member(app: &TestApp, name: &str) -> (Browser, i64) {
    let id = app.create_user(name, PASSWORD, Role::Member).await;
    let browser = app.browser();
    browser
        .sign_in(&format!("{name}@example.org"), PASSWORD)
        .await;
    (browser, id)
}

/// A PNG picture, `width` x `height`, of a gradient.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode a PNG");
    out.into_inner()
}

/// A small PDF document.
fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// One file of a form: its field, its name, its bytes. An empty name and no bytes is a file
/// input with nothing chosen, as browsers send it.
type FilePart<'a> = (&'a str, &'a str, Vec<u8>);

/// What a multipart request carries besides its fields.
struct Guard<'a> {
    /// The CSRF token sent (none: left out).
    csrf: Option<&'a str>,
    /// The Origin header sent (none: left out).
    origin: Option<&'a str>,
}

/// Posts a multipart form as a browser does, with the page's token and this origin.
async fn post_files(
    browser: &Browser,
    form_page: &str,
    action: &str,
    texts: &[(&str, &str)],
    files: Vec<FilePart<'_>>,
) -> Page {
    let csrf = browser.get(form_page).await.csrf();
    let guard = Guard {
        csrf: Some(&csrf),
        origin: Some(&browser.base),
    };
    send(browser, action, guard, texts, files).await
}

async fn send(
    browser: &Browser,
    action: &str,
    guard: Guard<'_>,
    texts: &[(&str, &str)],
    files: Vec<FilePart<'_>>,
) -> Page {
    let mut form = reqwest::multipart::Form::new();
    if let Some(csrf) = guard.csrf {
        form = form.text("csrf", csrf.to_string());
    }
    for (name, value) in texts {
        form = form.text(name.to_string(), value.to_string());
    }
    for (field, name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str("application/octet-stream")
            .unwrap();
        form = form.part(field.to_string(), part);
    }
    let mut request = browser
        .client
        .post(format!("{}{action}", browser.base))
        .multipart(form);
    if let Some(origin) = guard.origin {
        request = request.header(header::ORIGIN, origin);
    }
    let res = request.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    Page {
        status,
        location,
        headers,
        body: res.text().await.unwrap(),
    }
}

/// The three file inputs left empty beside `file` (a composer always sends its four).
fn with_empty_inputs(file: FilePart<'_>) -> Vec<FilePart<'_>> {
    let mut parts = vec![file];
    for field in ["media_1", "media_2", "media_3"] {
        parts.push((field, "", Vec::new()));
    }
    parts
}

/// The `src` of the `<img>` whose `alt` is `alt`.
fn img_src(body: &str, alt: &str) -> Option<String> {
    let at = body.find(&format!("alt=\"{alt}\""))?;
    let start = body[..at].rfind("<img")?;
    let tag = &body[start..at];
    let src = tag.split("src=\"").nth(1)?;
    Some(src[..src.find('"')?].to_string())
}

/// The number of files waiting in the spool.
fn spooled(app: &TestApp) -> usize {
    std::fs::read_dir(&app.state.media.spool)
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Fetches a medium's file without cookies, as anyone's browser does: its type.
async fn fetched_type(app: &TestApp, src: &str) -> String {
    let res = app.client.get(app.url(src)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{src}");
    res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_post_with_a_photo_shows_the_picture_with_its_alt_text() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        let done = post_files(
            &alice,
            "/",
            "/statuses",
            &[
                ("status", "Rassemblement samedi place Clemenceau"),
                ("visibility", "public"),
                (
                    "description_0",
                    "Affiche jaune : rassemblement samedi à 14 h",
                ),
            ],
            with_empty_inputs(("media_0", "affiche.png", png(800, 600))),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{store}: {}", done.body);
        let home = alice.get("/").await;
        assert!(home.contains("Publication envoyée."), "{}", home.body);
        assert!(
            home.headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("media-src 'self'")
        );
        let src = img_src(&home.body, "Affiche jaune : rassemblement samedi à 14 h")
            .unwrap_or_else(|| panic!("{store}: no picture with its alt text:\n{}", home.body));
        assert!(src.starts_with("/media/"), "{src}");
        assert!(fetched_type(&app, &src).await.starts_with("image/"));
        // The picture links to the whole file.
        assert!(home.body.contains("class=\"media-picture\" href=\"/media/"));

        // Anyone reading the public timeline sees it too.
        let public = app.browser().get("/public?local=1").await;
        assert_eq!(
            img_src(&public.body, "Affiche jaune : rassemblement samedi à 14 h"),
            Some(src.clone())
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_picture_without_alt_text_is_posted_with_a_gentle_reminder() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        // The composer asks for alt text next to each file.
        let home = alice.get("/").await;
        assert!(
            home.contains("Description (texte alternatif)"),
            "{}",
            home.body
        );
        assert!(home.body.contains("enctype=\"multipart/form-data\""));
        let done = post_files(
            &alice,
            "/",
            "/statuses",
            &[("status", "Une photo du cortège"), ("description_0", "")],
            with_empty_inputs(("media_0", "cortege.png", png(320, 240))),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let home = alice.get("/").await;
        assert!(
            home.contains("Une image n'a pas de description"),
            "{}",
            home.body
        );
        assert!(img_src(&home.body, "Image sans description").is_some());
        app.stop().await;
    }
}

#[tokio::test]
async fn a_refused_file_keeps_the_text_and_the_accepted_files_and_says_why() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        let mut damaged = png(64, 64);
        damaged.truncate(40);
        let refused = post_files(
            &alice,
            "/",
            "/statuses",
            &[
                ("status", "Compte rendu de l'assemblée générale"),
                ("spoiler_text", ""),
                ("description_1", "Photo de la salle"),
            ],
            vec![
                (
                    "media_0",
                    "notes.txt",
                    b"plain text, not a picture".to_vec(),
                ),
                ("media_1", "salle.png", png(400, 300)),
                ("media_2", "abime.png", damaged),
                ("media_3", "", Vec::new()),
            ],
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{store}: {}",
            refused.body
        );
        let body = &refused.body;
        assert!(
            refused.contains("Compte rendu de l'assemblée générale"),
            "{body}"
        );
        assert!(refused.contains("Photo de la salle"), "{body}");
        assert!(
            refused.contains("Ce fichier n'est pas d'un type accepté"),
            "{body}"
        );
        assert!(
            refused.contains("Ce fichier est illisible ou abîmé"),
            "{body}"
        );
        // Each message is tied to its field.
        assert!(body.contains("id=\"media_0-error\""), "{body}");
        assert!(body.contains("id=\"media_2-error\""), "{body}");
        assert!(!body.contains("id=\"media_1-error\""), "{body}");
        // The accepted picture is kept: it need not be chosen again.
        let marker = "name=\"kept_1\" value=\"";
        let start = body.find(marker).expect("the accepted file is kept") + marker.len();
        let kept = &body[start..start + body[start..].find('"').unwrap()];
        // Nothing was published.
        assert!(!alice.get("/").await.contains("Compte rendu"));
        assert_eq!(spooled(&app), 0, "the refused files left the spool");

        let done = post_files(
            &alice,
            "/",
            "/statuses",
            &[
                ("status", "Compte rendu de l'assemblée générale"),
                ("kept_1", kept),
                ("description_1", "Photo de la salle, vue du fond"),
            ],
            Vec::new(),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let home = alice.get("/").await;
        assert!(
            img_src(&home.body, "Photo de la salle, vue du fond").is_some(),
            "the kept picture is published with its new alt text:\n{}",
            home.body
        );

        // Someone else's kept upload is not theirs to post.
        let (bob, _) = member(&app, "bob").await;
        let stolen = post_files(
            &bob,
            "/",
            "/statuses",
            &[("status", "Je prends la photo d'Alice"), ("kept_0", kept)],
            Vec::new(),
        )
        .await;
        assert_eq!(stolen.status, StatusCode::SEE_OTHER, "{}", stolen.body);
        // Bob's post went out without it (he does not follow Alice: his home shows his own).
        let bob_home = bob.get("/").await;
        assert!(bob_home.contains("Je prends la photo d'Alice"));
        assert!(
            !bob_home.body.contains("class=\"media-gallery"),
            "{}",
            bob_home.body
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn a_multipart_form_without_this_browsers_token_is_refused() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        let text = [("status", "Publication forgée")];
        let file = || vec![("media_0", "photo.png", png(64, 64))];

        let no_token = send(
            &alice,
            "/statuses",
            Guard {
                csrf: None,
                origin: Some(&alice.base),
            },
            &text,
            file(),
        )
        .await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{}", no_token.body);

        let wrong_token = send(
            &alice,
            "/statuses",
            Guard {
                csrf: Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                origin: None,
            },
            &text,
            file(),
        )
        .await;
        assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);

        let csrf = alice.get("/").await.csrf();
        let other_site = send(
            &alice,
            "/statuses",
            Guard {
                csrf: Some(&csrf),
                origin: Some("https://evil.example"),
            },
            &text,
            file(),
        )
        .await;
        assert_eq!(other_site.status, StatusCode::FORBIDDEN);

        // The same forms refused on the other upload paths.
        for (path, field) in [
            ("/settings/images", "avatar"),
            ("/events", "picture"),
            ("/groups/images?group=alice", "avatar"),
        ] {
            let refused = send(
                &alice,
                path,
                Guard {
                    csrf: None,
                    origin: None,
                },
                &[],
                vec![(field, "a.png", png(8, 8))],
            )
            .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        }

        // A visitor who is not signed in sends nothing to the spool.
        let visitor = app.browser();
        let csrf = visitor.get("/").await.csrf();
        let anonymous = send(
            &visitor,
            "/statuses",
            Guard {
                csrf: Some(&csrf),
                origin: Some(&visitor.base),
            },
            &text,
            file(),
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

        assert!(!alice.get("/").await.contains("Publication forgée"));
        let media: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media")
            .fetch_one(app.state.pool())
            .await
            .unwrap();
        assert_eq!(media, 0, "no refused request recorded a file");
        assert_eq!(
            spooled(&app),
            0,
            "no refused request left a file in the spool"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn documents_show_as_download_cards_and_sensitive_media_stay_hidden_until_opened() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        let done = post_files(
            &alice,
            "/",
            "/statuses",
            &[
                ("status", "Le tract en PDF et une photo"),
                ("description_0", "Tract de mars"),
                ("description_1", "Une photo"),
                ("sensitive", "1"),
            ],
            vec![
                ("media_0", "tract.pdf", pdf()),
                ("media_1", "photo.png", png(200, 100)),
            ],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let home = alice.get("/").await;
        let body = &home.body;
        assert!(
            body.contains("<details class=\"sensitive-media\">"),
            "{body}"
        );
        assert!(home.contains("Contenu sensible\u{202f}: afficher les médias"));
        let card = body
            .find("class=\"media-document\"")
            .expect("a document card");
        let card = &body[card..card + body[card..].find("</a>").unwrap()];
        assert!(card.contains("Tract de mars"), "{card}");
        assert!(card.contains("PDF · 1 ko"), "{card}");
        let href = card.split("href=\"").nth(1).unwrap();
        let href = &href[..href.find('"').unwrap()];
        assert_eq!(fetched_type(&app, href).await, "application/pdf");
        app.stop().await;
    }
}

/// Records a medium as if it had been uploaded and processed (video and sound need ffmpeg,
/// which a test machine may lack).
async fn processed(app: &TestApp, account_id: i64, kind: MediaKind, content_type: &str) -> i64 {
    let id = app.state.ids.next();
    let now = coopol::clock::now();
    coopol::db::media::insert_upload(
        app.state.pool(),
        &coopol::db::media::NewUpload {
            id,
            account_id,
            kind,
            token: &coopol::crypto::random_token(16),
            file_size: 2048,
            description: "",
            focus: None,
            spool: "",
            process: &app.state.process_id,
            now,
        },
    )
    .await
    .unwrap();
    let preview = (kind == MediaKind::Video).then_some(("poster.jpg", "image/jpeg", 640, 360));
    coopol::db::media::set_ready(
        app.state.pool(),
        id,
        &coopol::db::media::Processed {
            kind,
            content_type,
            file_key: "file",
            file_size: 2048,
            width: None,
            height: None,
            duration_ms: Some(1000),
            preview,
            blurhash: None,
        },
        now,
    )
    .await
    .unwrap();
    id
}

#[tokio::test]
async fn video_and_sound_play_in_the_page_only_when_asked() {
    let app = app_on("directory").await;
    let (alice, alice_id) = member(&app, "alice").await;
    let video = processed(&app, alice_id, MediaKind::Video, "video/mp4").await;
    let sound = processed(&app, alice_id, MediaKind::Audio, "audio/mpeg").await;
    let (video, sound) = (video.to_string(), sound.to_string());
    let done = post_files(
        &alice,
        "/",
        "/statuses",
        &[
            ("status", "La manif en vidéo et le chant"),
            ("kept_0", &video),
            ("description_0", "Le cortège arrive place Royale"),
            ("kept_1", &sound),
            ("description_1", "Le chant des partisans"),
        ],
        Vec::new(),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let body = alice.get("/").await.body;
    let tag = |name: &str| {
        let start = body
            .find(&format!("<{name} "))
            .unwrap_or_else(|| panic!("no {name}:\n{body}"));
        body[start..start + body[start..].find('>').unwrap()].to_string()
    };
    let video_tag = tag("video");
    assert!(
        video_tag.contains("controls preload=\"none\""),
        "{video_tag}"
    );
    assert!(video_tag.contains("poster=\"/media/"), "{video_tag}");
    assert!(video_tag.contains("original.mp4"), "{video_tag}");
    assert!(
        video_tag.contains("aria-label=\"Le cortège arrive place Royale\""),
        "{video_tag}"
    );
    let audio_tag = tag("audio");
    assert!(
        audio_tag.contains("controls preload=\"none\""),
        "{audio_tag}"
    );
    assert!(audio_tag.contains("original.mp3"), "{audio_tag}");
    app.stop().await;
}

#[tokio::test]
async fn an_avatar_and_a_banner_show_once_uploaded_and_go_when_removed() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        alice
            .submit("/", "/statuses", &[("status", "Bonjour à toutes et tous")])
            .await;
        let done = post_files(
            &alice,
            "/settings",
            "/settings/images",
            &[],
            vec![
                ("avatar", "moi.png", png(400, 400)),
                ("header", "banniere.png", png(1500, 500)),
            ],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{store}: {}", done.body);
        let account = coopol::db::accounts::local_by_username(app.state.pool(), "alice")
            .await
            .unwrap()
            .unwrap();
        let avatar = account.avatar_url.clone().expect("an avatar");
        let header_url = account.header_url.clone().expect("a banner");
        let profile = app.browser().get("/@alice").await;
        assert!(profile.body.contains(&avatar), "{}", profile.body);
        assert!(
            profile
                .body
                .contains(&format!("class=\"profile-banner\" src=\"{header_url}\"")),
            "{}",
            profile.body
        );
        // Everywhere the avatar is shown: her posts in a timeline.
        let public = app.browser().get("/public?local=1").await;
        assert!(
            public
                .body
                .contains(&format!("class=\"avatar\" src=\"{avatar}\"")),
            "{}",
            public.body
        );
        let path = avatar.trim_start_matches(&app.base).to_string();
        assert!(fetched_type(&app, &path).await.starts_with("image/"));

        // A file that is not a picture is refused by its field; the banner stays.
        let refused = post_files(
            &alice,
            "/settings",
            "/settings/images",
            &[],
            vec![("avatar", "tract.pdf", pdf()), ("header", "", Vec::new())],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.contains("Ce fichier doit être une image"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("id=\"avatar-error\""));

        // Removing them brings the defaults back.
        let done = post_files(
            &alice,
            "/settings",
            "/settings/images",
            &[("remove_avatar", "1"), ("remove_header", "1")],
            vec![("avatar", "", Vec::new()), ("header", "", Vec::new())],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let profile = app.browser().get("/@alice").await;
        assert!(!profile.body.contains(&avatar));
        assert!(!profile.body.contains("profile-banner"));
        app.stop().await;
    }
}

#[tokio::test]
async fn a_group_administrator_sets_its_logo_and_a_member_cannot() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (sec, _) = member(&app, "secretaire").await;
        let created = sec
            .submit(
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
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let (member_browser, _) = member(&app, "militante").await;
        let joined = member_browser
            .submit("/@pau", "/groups/pau/join", &[])
            .await;
        assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.body);

        // Only administrators see the form.
        assert!(sec.get("/@pau").await.contains("Logo et bannière"));
        assert!(
            !member_browser
                .get("/@pau")
                .await
                .contains("Logo et bannière")
        );

        let forbidden = post_files(
            &member_browser,
            "/@pau",
            "/groups/images?group=pau",
            &[],
            vec![("avatar", "logo.png", png(200, 200))],
        )
        .await;
        assert_eq!(
            forbidden.status,
            StatusCode::FORBIDDEN,
            "{}",
            forbidden.body
        );
        let group = coopol::db::accounts::local_by_username(app.state.pool(), "pau")
            .await
            .unwrap()
            .unwrap();
        assert!(group.avatar_url.is_none());
        assert_eq!(spooled(&app), 0);

        let done = post_files(
            &sec,
            "/@pau",
            "/groups/images?group=pau",
            &[],
            vec![
                ("avatar", "logo.png", png(200, 200)),
                ("header", "banniere.png", png(900, 300)),
            ],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{store}: {}", done.body);
        assert_eq!(done.location.as_deref(), Some("/@pau"));
        let group = coopol::db::accounts::local_by_username(app.state.pool(), "pau")
            .await
            .unwrap()
            .unwrap();
        let logo = group.avatar_url.expect("a logo");
        let banner = group.header_url.expect("a banner");
        let page = app.browser().get("/@pau").await;
        assert!(page.body.contains(&logo), "{}", page.body);
        assert!(page.body.contains(&banner), "{}", page.body);

        // A file that is not a picture is refused on the group's page, by its field.
        let refused = post_files(
            &sec,
            "/@pau",
            "/groups/images?group=pau",
            &[],
            vec![("header", "tract.pdf", pdf())],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("id=\"header-error\""),
            "{}",
            refused.body
        );
        app.stop().await;
    }
}

fn in_days(days: i64, hour: u32) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn an_event_shows_its_picture_on_its_page_and_its_card() {
    for store in media_stores() {
        let app = app_on(store).await;
        let (alice, _) = member(&app, "alice").await;
        let (start, end) = (in_days(5, 18), in_days(5, 20));
        let event = [
            ("name", "Projection-débat"),
            ("start_time", start.as_str()),
            ("end_time", end.as_str()),
            ("place_name", "Cinéma Le Méliès"),
            ("locality", "Pau"),
            ("postcode", "64000"),
            ("picture_description", "Affiche de la projection"),
        ];

        // A file that is not a picture is refused, the form kept.
        let refused = post_files(
            &alice,
            "/events/new",
            "/events",
            &event,
            vec![("picture", "programme.pdf", pdf())],
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.contains("Ce fichier doit être une image"),
            "{}",
            refused.body
        );
        assert!(refused.contains("Projection-débat"));

        let done = post_files(
            &alice,
            "/events/new",
            "/events",
            &event,
            vec![("picture", "affiche.png", png(600, 800))],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{store}: {}", done.body);
        let path = done.location.unwrap();
        let page = app.browser().get(&path).await;
        let src = img_src(&page.body, "Affiche de la projection")
            .unwrap_or_else(|| panic!("no picture on the event's page:\n{}", page.body));
        assert!(fetched_type(&app, &src).await.starts_with("image/"));
        assert!(page.body.contains("class=\"event-picture\""));
        // The event's post carries it as its first attachment, for other servers and apps.
        let id: i64 = path.trim_start_matches("/events/").parse().unwrap();
        let media = coopol::service::media::of_statuses(&app.state, &[id])
            .await
            .unwrap();
        assert_eq!(media[&id].len(), 1);
        assert_eq!(media[&id][0].kind, MediaKind::Image);

        let agenda = app.browser().get("/agenda").await;
        assert!(
            agenda.body.contains("class=\"event-card-picture\""),
            "{}",
            agenda.body
        );

        // The edit form takes it away.
        let edit = format!("/events/edit?id={id}");
        assert!(
            alice
                .get(&format!("/events/{id}/edit"))
                .await
                .body
                .contains(&edit)
        );
        let mut edited: Vec<(&str, &str)> = event.to_vec();
        edited.push(("remove_picture", "1"));
        let done = post_files(
            &alice,
            &format!("/events/{id}/edit"),
            &edit,
            &edited,
            vec![("picture", "", Vec::new())],
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let page = app.browser().get(&path).await;
        assert!(
            !page.body.contains("class=\"event-picture\""),
            "{}",
            page.body
        );
        app.stop().await;
    }
}
