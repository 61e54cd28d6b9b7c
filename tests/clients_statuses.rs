//! The statuses menu through real clients: Mastodon.py (`status_bookmark`, `bookmarks()` and
//! its next page from the `Link` header, `favourites()`, `status_pin`, `status_source`,
//! `status_history`, `status_mute`) and toot (`bookmark`, `bookmarks`, `pin`).
//!
//! The clients live in the virtual environment scripts/test creates (target/clients-venv);
//! without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{run, venv};

use common::spawn_app;
use coopol::domain::Role;
use serde_json::json;
use std::{path::PathBuf, process::Command};

fn succeeded(what: &str, out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_uses_the_statuses_menu() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_statuses.py"),
    )
    .args([
        app.base.as_str(),
        "alice@example.org",
        "correct horse battery",
    ]);
    let out = run(cmd, None).await;
    let stdout = succeeded("Mastodon.py", &out);
    let a: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let (first, second) = (a["first_id"].clone(), a["second_id"].clone());
    assert_eq!(a["bookmarked"], true);
    assert_eq!(a["pinned"], true);
    assert_eq!(
        a["source"],
        json!({"id": first, "text": "the words, edited"})
    );
    let history = a["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{a}");
    assert!(history[0].as_str().unwrap().contains("the first words"));
    assert!(history[1].as_str().unwrap().contains("edited"));
    // Bookmarked second then first: one a page, the next page from the Link header.
    assert_eq!(a["bookmarks"], json!([first]));
    assert_eq!(a["older"], json!([second]));
    assert_eq!(a["favourites"], json!([second]));
    assert_eq!(a["pins"], json!([first]));
    assert_eq!(a["unpinned"], false);
    assert_eq!(a["unbookmarked"], false);
    assert_eq!(a["muted"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toot_bookmarks_and_pins() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let config = tempfile::tempdir().unwrap();
    let toot = |args: &[&str]| {
        let mut cmd = Command::new(venv.join("bin/toot"));
        cmd.args(args).env("XDG_CONFIG_HOME", config.path());
        cmd
    };
    let out = run(
        toot(&["login_cli", "-i", &app.base, "-e", "alice@example.org"]),
        Some("correct horse battery\n"),
    )
    .await;
    succeeded("toot login_cli", &out);
    let out = run(toot(&["post", "worth keeping for later"]), None).await;
    succeeded("toot post", &out);
    let (_, token) = app.user_with_token("reader", "read").await;
    let (_, public) = app.get_json("/api/v1/timelines/public", Some(&token)).await;
    let id = public[0]["id"].as_str().unwrap().to_string();

    let out = run(toot(&["bookmark", &id]), None).await;
    succeeded("toot bookmark", &out);
    let out = run(toot(&["bookmarks", "--once"]), None).await;
    let listed = succeeded("toot bookmarks", &out);
    assert!(listed.contains("worth keeping for later"), "{listed}");

    let out = run(toot(&["pin", &id, "--json"]), None).await;
    let pinned = succeeded("toot pin", &out);
    let pinned: serde_json::Value = serde_json::from_str(pinned.trim()).unwrap();
    assert_eq!(pinned["pinned"], true);

    let out = run(toot(&["unbookmark", &id]), None).await;
    succeeded("toot unbookmark", &out);
    let out = run(toot(&["bookmarks", "--once"]), None).await;
    let listed = succeeded("toot bookmarks", &out);
    assert!(!listed.contains("worth keeping for later"), "{listed}");
}
