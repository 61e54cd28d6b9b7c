//! Real Mastodon clients against a running instance: Mastodon.py registers an app, signs in
//! with the password grant and reads the account and instance; `toot login_cli` signs in.
//!
//! The clients live in a virtual environment that scripts/test creates (target/clients-venv,
//! from tests/clients/requirements.txt). Without it these tests print a notice and pass,
//! unless COOPOL_REQUIRE_CLIENTS=1 (set by scripts/test and CI), which makes absence a failure.

mod common;

use common::spawn_app;
use coopol::domain::Role;
use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

fn venv() -> Option<PathBuf> {
    let dir = std::env::var("COOPOL_CLIENTS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/clients-venv"));
    if dir.join("bin/python").exists() && dir.join("bin/toot").exists() {
        return Some(dir);
    }
    if std::env::var("COOPOL_REQUIRE_CLIENTS").is_ok_and(|v| v == "1") {
        panic!(
            "the client virtual environment {} is missing: run scripts/test",
            dir.display()
        );
    }
    eprintln!(
        "notice: {} is absent (scripts/test creates it); client tests skipped",
        dir.display()
    );
    None
}

/// Runs a blocking command off the async threads, so the server in this process keeps serving.
async fn run(mut cmd: Command, stdin: Option<&'static str>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the client");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

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
    assert_eq!(seen["dm_visibility_for_bob"], "direct", "{seen}");
    assert_eq!(seen["dm_seen_by_carol_on_b"], false, "{seen}");
    assert_eq!(seen["dm_seen_by_dave_on_a"], false, "{seen}");
    assert_eq!(seen["dm_fetchable_by_dave"], false, "{seen}");
    assert_eq!(seen["dm_fetchable_by_carol"], false, "{seen}");
    assert_eq!(seen["dm_found_by_carol_search"], false, "{seen}");
    assert_eq!(seen["reply_seen_by_carol"], true, "{seen}");
}
