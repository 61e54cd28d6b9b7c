#![allow(dead_code)]

//! Real Mastodon clients (Mastodon.py and toot) in the virtual environment that
//! scripts/test-tools.sh makes (target/clients-venv, or `COOPOL_CLIENTS_VENV`). Without it a
//! client test prints a notice and passes, unless `COOPOL_REQUIRE_CLIENTS=1` (CI sets it).

use serde_json::Value;
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

/// The clients' virtual environment, or `None` (with a notice) when it is absent.
pub fn venv() -> Option<PathBuf> {
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

/// `python tests/clients/<script>` in the environment.
pub fn python(venv: &Path, script: &str) -> Command {
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.arg(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/clients")
            .join(script),
    );
    cmd
}

/// `toot ARGS`, with its configuration (its sign-in) kept in `config`.
pub fn toot(venv: &Path, config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(venv.join("bin/toot"));
    cmd.args(args).env("XDG_CONFIG_HOME", config);
    cmd
}

/// Runs a blocking command off the async threads, so the server in this process keeps
/// serving, with `stdin` written to it.
pub async fn run(mut cmd: Command, stdin: Option<&'static str>) -> Output {
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

/// The standard output of a command that must have succeeded (else fails with both outputs).
pub fn succeeded(what: &str, out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs a client script that prints one JSON document, and reads it.
pub async fn run_json(what: &str, cmd: Command) -> Value {
    let out = run(cmd, None).await;
    let stdout = succeeded(what, &out);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}):\n{stdout}"))
}

/// Signs toot in as `email` (by `login_cli`, the password on its standard input); returns the
/// folder holding its configuration.
pub async fn toot_login(
    venv: &Path,
    base: &str,
    email: &str,
    password: &'static str,
) -> tempfile::TempDir {
    let config = tempfile::tempdir().unwrap();
    let out = run(
        toot(venv, config.path(), &["login_cli", "-i", base, "-e", email]),
        Some(password),
    )
    .await;
    let stdout = succeeded("toot login_cli", &out);
    assert!(stdout.contains("Successfully logged in"), "{stdout}");
    config
}
