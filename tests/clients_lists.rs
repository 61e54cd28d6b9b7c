//! Lists, filters and mutes with real clients: Mastodon.py's `list_create`,
//! `list_accounts_add`, `timeline_list`, `create_filter_v2` and its keywords, `filter_create`,
//! `account_mute` and `mutes`; toot's `lists` and `muted`.
//!
//! The clients live in the virtual environment scripts/test makes (target/clients-venv).
//! Without it these tests print a notice and pass, unless COOPOL_REQUIRE_CLIENTS=1 (set by
//! scripts/test and CI), which makes absence a failure.

#[path = "common/clients.rs"]
mod clients;
mod common;

use clients::{run, venv};

use common::{TestApp, spawn_app};
use coopol::domain::Role;
use serde_json::{Value, json};
use std::{path::PathBuf, process::Command};

async fn post(app: &TestApp, token: &str, text: &str) {
    let (status, v) = app
        .post_json("/api/v1/statuses", Some(token), &json!({"status": text}))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mastodon_py_lists_filters_and_mutes() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let (_, bob) = app.user_with_token("bob", "read write").await;
    let (_, carol) = app.user_with_token("carol", "read write").await;
    post(&app, &bob, "Un chat noir").await;
    post(&app, &carol, "carol parle").await;

    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py_lists.py"))
        .args([
            app.base.as_str(),
            "alice@example.org",
            "correct horse battery",
            "bob",
            "carol",
        ]);
    let out = run(cmd, None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "Mastodon.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(a["list"]["title"], "Camarades", "{a}");
    assert_eq!(a["list"]["replies_policy"], "followed");
    assert_eq!(a["lists"].as_array().unwrap().len(), 1);
    assert_eq!(a["list_accounts"], json!(["bob"]));
    assert_eq!(a["account_lists"], json!([a["list"]["id"]]));
    let list_timeline = a["timeline_list"].as_array().unwrap();
    assert_eq!(list_timeline.len(), 1, "{a}");
    assert!(list_timeline[0].as_str().unwrap().contains("chat noir"));

    assert_eq!(a["filter"]["keywords"][0]["keyword"], "chat");
    assert_eq!(a["keywords"], json!(["chat", "noir"]));
    assert_eq!(a["keywords_after_delete"], json!(["chat"]));
    assert_eq!(a["filters_v2"], json!(["Chats"]));
    let home = a["home_filtered"].as_array().unwrap();
    let cat = home
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("chat noir"))
        .expect("bob's post in the home timeline");
    assert_eq!(
        cat["filtered"][0]["keyword_matches"],
        json!(["chat"]),
        "{a}"
    );
    let other = home
        .iter()
        .find(|s| s["content"].as_str().unwrap().contains("carol parle"))
        .expect("carol's post");
    assert_eq!(other["filtered"], json!([]));
    // Every keyword is a v1 filter: the v2 filter's and the one made through v1.
    assert_eq!(a["filters_v1"], json!(["chat", "grève"]), "{a}");

    assert_eq!(a["mute"]["muting"], true, "{a}");
    assert_eq!(a["mutes"][0]["acct"], "carol");
    assert!(a["mutes"][0]["mute_expires_at"].is_string(), "{a}");
    let muted_home = a["home_while_muted"].as_array().unwrap();
    assert!(
        muted_home
            .iter()
            .all(|c| !c.as_str().unwrap().contains("carol parle")),
        "{a}"
    );
    assert_eq!(a["unmute"]["muting"], false);
    assert_eq!(a["list_accounts_after_delete"], json!([]));
    assert_eq!(a["lists_after_delete"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toot_manages_lists_and_mutes() {
    let Some(venv) = venv() else { return };
    let app = spawn_app().await;
    app.create_user("alice", "correct horse battery", Role::Member)
        .await;
    let (bob_id, _) = app.user_with_token("bob", "read write").await;
    let client = app
        .register_app("read write follow", "urn:ietf:wg:oauth:2.0:oob")
        .await;
    let alice = app
        .password_token(
            &client,
            "alice@example.org",
            "correct horse battery",
            "read write follow",
        )
        .await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/accounts/{bob_id}/follow"),
            Some(&alice),
            &json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for args in [
        vec!["lists", "create", "Camarades", "--replies-policy", "list"],
        vec!["lists", "add", "Camarades", "bob"],
    ] {
        let out = run(toot(&args), None).await;
        assert!(
            out.status.success(),
            "toot {args:?}:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = run(toot(&["lists", "list"]), None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("Camarades"),
        "{stdout}"
    );
    let out = run(toot(&["lists", "accounts", "Camarades"]), None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("bob"), "{stdout}");

    let out = run(toot(&["mute", "bob"]), None).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(toot(&["muted"]), None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("bob"), "{stdout}");

    let out = run(toot(&["lists", "remove", "Camarades", "bob"]), None).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(toot(&["lists", "delete", "Camarades"]), None).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(toot(&["lists", "list"]), None).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("Camarades"), "{stdout}");
}
