//! Real Mastodon clients against a running instance: Mastodon.py registers an app, signs in
//! with the password grant and reads the account and instance; `toot login_cli` signs in; both
//! post a picture with alt text (on each media store: a folder, and the S3 store scripts/test
//! starts).
//!
//! The clients live in a virtual environment that scripts/test creates (target/clients-venv,
//! from tests/clients/requirements.txt). Without it these tests print a notice and pass,
//! unless COOPOL_REQUIRE_CLIENTS=1 (set by scripts/test and CI), which makes absence a failure.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{run, venv};

use common::{media_stores, spawn_app, spawn_app_with, use_media_store};
use coopol::domain::Role;
use std::{path::PathBuf, process::Command};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_signs_in_and_reads_account_and_instance() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_login.py"))
        .args([
            app.base.as_str(),
            "alice@example.org",
            "correct horse battery",
        ]);
    let out = run(cmd, None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(answer["username"], "alice");
    assert_eq!(answer["v1_uri"], app.domain);
    assert_eq!(answer["v2_domain"], app.domain);
    assert_eq!(answer["account_lookup"], "alice");
    assert!(
        answer["version"].as_str().unwrap().starts_with('4'),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toot_login_cli_signs_in() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let config = tempfile::tempdir().unwrap();

    let mut login = Command::new(venv.join("bin/toot"));
    login
        .args(["login_cli", "-i", &app.base, "-e", "alice@example.org"])
        .env("XDG_CONFIG_HOME", config.path());
    let out = run(login, Some("correct horse battery\n")).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "toot login_cli failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Successfully logged in"), "{stdout}");

    let mut whoami = Command::new(venv.join("bin/toot"));
    whoami.arg("whoami").env("XDG_CONFIG_HOME", config.path());
    let out = run(whoami, None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("@alice"), "{stdout}");

    // A wrong password is refused, and toot says so.
    let other = tempfile::tempdir().unwrap();
    let mut wrong = Command::new(venv.join("bin/toot"));
    wrong
        .args(["login_cli", "-i", &app.base, "-e", "alice@example.org"])
        .env("XDG_CONFIG_HOME", other.path());
    let out = run(wrong, Some("not the password\n")).await;
    assert!(!out.status.success());
}

/// The scenario, with the real client against two instances: alice@A finds
/// `@bob@B` by search and follows him; bob posts; it appears in alice's home timeline; alice
/// replies; bob gets the notification; alice's direct message to bob is visible to bob and to
/// no one else on either instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_across_two_instances() {
    let Some(venv) = venv() else { return };
    let a = spawn_app().await;
    let b = spawn_app().await;
    let password = "correct horse battery";
    for name in ["alice", "dave"] {
        a.create_user(name, password, Role::Member).await;
    }
    for name in ["bob", "carol"] {
        b.create_user(name, password, Role::Member).await;
    }
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/clients/mastodon_py_two_instances.py"),
    )
    .args([
        a.base.as_str(),
        b.base.as_str(),
        b.domain.as_str(),
        password,
    ]);
    let out = run(cmd, None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let bob = format!("bob@{}", b.domain);
    let alice = format!("alice@{}", a.domain);
    assert_eq!(seen["search_accounts"][0], bob.as_str(), "{seen}");
    assert_eq!(seen["home_author"], bob.as_str(), "{seen}");
    assert_eq!(seen["reply_notification_from"], alice.as_str(), "{seen}");
    assert_eq!(seen["reply_in_reply_to_bobs_post"], true, "{seen}");
    assert_eq!(seen["reply_in_bobs_thread"], true, "{seen}");
    assert_eq!(seen["dm_request_last_status"], true, "{seen}");
    assert_eq!(seen["dm_visibility_for_bob"], "direct", "{seen}");
    assert_eq!(seen["dm_seen_by_carol_on_b"], false, "{seen}");
    assert_eq!(seen["dm_seen_by_dave_on_a"], false, "{seen}");
    assert_eq!(seen["dm_fetchable_by_dave"], false, "{seen}");
    assert_eq!(seen["dm_fetchable_by_carol"], false, "{seen}");
    assert_eq!(seen["dm_found_by_carol_search"], false, "{seen}");
    assert_eq!(seen["reply_seen_by_carol"], true, "{seen}");
}

/// A PNG picture of `width` x `height` whose metadata (a `tEXt` chunk, where cameras and
/// editors put locations and serial numbers) holds `marker`, written to `path`.
fn picture_with_marker(path: &std::path::Path, width: u32, height: u32, marker: &str) {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    });
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    // After the signature (8 bytes) and the IHDR chunk (4 + 4 + 13 + 4 bytes).
    let at = 8 + 25;
    assert_eq!(&png[12..16], b"IHDR");
    let data = [b"Comment\0".as_slice(), marker.as_bytes()].concat();
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc32(&chunk[4..]).to_be_bytes());
    png.splice(at..at, chunk);
    // Still a picture every decoder reads.
    image::load_from_memory(&png).expect("the marked PNG decodes");
    assert!(png.windows(marker.len()).any(|w| w == marker.as_bytes()));
    std::fs::write(path, png).unwrap();
}

/// CRC-32 (ISO-HDLC, as PNG chunks carry).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_crc_is_png_s() {
    // The CRC of an empty IEND chunk, as every PNG ends with.
    assert_eq!(crc32(b"IEND"), 0xAE42_6082);
}

/// Mastodon.py uploads a picture (v2, alt text, focal point), changes its alt text, posts it,
/// reads the post's attachment back (address, alt text, blurhash, size), downloads the file
/// and its preview (no metadata left), and changes the alt text once posted; on each store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_posts_a_picture_with_alt_text() {
    let Some(venv) = venv() else { return };
    for store in media_stores() {
        let app = spawn_app_with(|c| use_media_store(c, store)).await;
        app.create_user("alice", "correct horse battery", Role::Member)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let picture = dir.path().join("tract.png");
        let marker = "GPS 50.6292N 3.0573E serial 8C41-secret";
        picture_with_marker(&picture, 320, 200, marker);

        let mut cmd = Command::new(venv.join("bin/python"));
        cmd.arg(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_media.py"),
        )
        .arg(&app.base)
        .args(["alice@example.org", "correct horse battery"])
        .arg(&picture)
        .arg(marker);
        let out = run(cmd, None).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "Mastodon.py failed ({store}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(seen["upload_type"], "image", "{store}: {seen}");
        assert_eq!(
            seen["upload_description"], "Tract du samedi",
            "{store}: {seen}"
        );
        assert_eq!(
            seen["updated_description"], "Tract du marché, samedi 10 h",
            "{store}: {seen}"
        );
        assert_eq!(
            seen["updated_focus"],
            serde_json::json!([0.5, -0.25]),
            "{store}: {seen}"
        );
        assert_eq!(seen["attachments"], 1, "{store}: {seen}");
        assert_eq!(seen["attachment_id_matches"], true, "{store}: {seen}");
        assert_eq!(seen["attachment_type"], "image", "{store}: {seen}");
        assert_eq!(
            seen["attachment_description"], "Tract du marché, samedi 10 h",
            "{store}: {seen}"
        );
        let blurhash = seen["attachment_blurhash"].as_str().unwrap_or_default();
        assert!(blurhash.len() >= 6, "{store}: {seen}");
        assert_eq!(seen["attachment_width"], 320, "{store}: {seen}");
        assert_eq!(seen["attachment_height"], 200, "{store}: {seen}");
        for file in ["file", "preview"] {
            assert_eq!(seen[format!("{file}_status")], 200, "{store}: {seen}");
            let kind = seen[format!("{file}_type")].as_str().unwrap_or_default();
            assert!(kind.starts_with("image/"), "{store}: {seen}");
            assert!(
                seen[format!("{file}_bytes")].as_u64().unwrap() > 100,
                "{store}: {seen}"
            );
            assert_eq!(
                seen[format!("{file}_keeps_marker")],
                false,
                "{store}: {seen}"
            );
        }
        assert_eq!(
            seen["posted_description_after_update"], "Tract du marché (corrigé)",
            "{store}: {seen}"
        );
        // The files are where the instance's store keeps them.
        let row: (Option<String>, i64) =
            sqlx::query_as("SELECT file_key, file_size FROM media WHERE state = 'ready'")
                .fetch_one(app.state.pool())
                .await
                .unwrap();
        let key = row.0.expect("a stored file");
        let stored = app.state.media.store.read(&key, 10 << 20).await.unwrap();
        assert_eq!(stored.map(|b| b.len() as i64), Some(row.1), "{store}");
        assert_eq!(
            app.state.media.store.kind(),
            if store == "s3" { "s3" } else { "directory" }
        );
    }
}

/// `toot post --media PATH --description TEXT`: toot uploads (v2), waits for processing if
/// needed, and posts; the post carries the picture with its alt text; on each store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toot_posts_a_picture_with_a_description() {
    let Some(venv) = venv() else { return };
    for store in media_stores() {
        let app = spawn_app_with(|c| use_media_store(c, store)).await;
        app.create_user("alice", "correct horse battery", Role::Member)
            .await;
        let config = tempfile::tempdir().unwrap();
        let mut login = Command::new(venv.join("bin/toot"));
        login
            .args(["login_cli", "-i", &app.base, "-e", "alice@example.org"])
            .env("XDG_CONFIG_HOME", config.path());
        let out = run(login, Some("correct horse battery\n")).await;
        assert!(
            out.status.success(),
            "toot login_cli failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        let picture = config.path().join("affiche.png");
        picture_with_marker(&picture, 240, 320, "toot-marker-7f3e");
        let mut post = Command::new(venv.join("bin/toot"));
        post.arg("post")
            .arg("--media")
            .arg(&picture)
            .args(["--description", "Affiche de la fête de la section"])
            .arg("Venez nombreux !")
            .env("XDG_CONFIG_HOME", config.path());
        let out = run(post, None).await;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "toot post failed ({store}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("Toot posted"), "{store}: {stdout}");

        // What the instance now serves for that post (read with the API, as any app).
        let status_id: i64 = sqlx::query_scalar(
            "SELECT status_id FROM media WHERE state = 'ready' AND status_id IS NOT NULL",
        )
        .fetch_one(app.state.pool())
        .await
        .unwrap();
        let status: serde_json::Value =
            reqwest::get(format!("{}/api/v1/statuses/{status_id}", app.base))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        assert!(
            status["content"]
                .as_str()
                .unwrap()
                .contains("Venez nombreux"),
            "{store}: {status}"
        );
        let media = &status["media_attachments"];
        assert_eq!(media.as_array().map(Vec::len), Some(1), "{store}: {status}");
        assert_eq!(media[0]["type"], "image", "{store}: {status}");
        assert_eq!(
            media[0]["description"], "Affiche de la fête de la section",
            "{store}: {status}"
        );
        assert_eq!(
            media[0]["meta"]["original"]["width"], 240,
            "{store}: {status}"
        );
        let file = reqwest::get(media[0]["url"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(file.status(), 200, "{store}");
        let bytes = file.bytes().await.unwrap();
        assert!(image::load_from_memory(&bytes).is_ok(), "{store}");
        assert!(
            !bytes.windows(16).any(|w| w == b"toot-marker-7f3e"),
            "{store}"
        );
    }
}

/// Mastodon.py's `stream_user` (Server-Sent Events, found through the instance's
/// `urls.streaming_api`) receives a new post of someone followed and a notification.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_stream_user_receives_a_post_and_a_notification() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    let (alice_id, alice) = app.user_with_token("alice", "read write follow").await;
    let (bob_id, bob) = app.user_with_token("bob", "read write follow").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            Some(&alice),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_stream.py"))
        .args([app.base.as_str(), alice.as_str()]);
    let client = tokio::spawn(run(cmd, None));
    // The stream is open once the server counts its connection.
    common::eventually("Mastodon.py's stream is open", || async {
        app.state.streams.connections() == 1
    })
    .await;
    let (status, _) = app
        .post_json(
            "/api/v1/statuses",
            Some(&bob),
            &serde_json::json!({"status": "Assemblée générale jeudi"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{alice_id}/follow"),
            Some(&bob),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let out = client.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py's stream failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap();
    assert!(
        answer["update"]
            .as_str()
            .unwrap()
            .contains("Assemblée générale"),
        "{answer}"
    );
    assert_eq!(answer["update_author"], "bob");
    assert_eq!(answer["notification"], "follow");
    app.stop().await;
}
