//! The benchmark at tiny sizes, so it cannot rot: every scenario runs end to end against the
//! debug coopol binary (SQLite, and PostgreSQL when the test suite started one) and reports
//! no lost activity and no bad signature, and the media uploads ready; the ingest twice
//! (`--repeat`). No timing is asserted.

use std::process::Command;

#[test]
fn every_scenario_runs_at_tiny_sizes() {
    let bench = std::path::PathBuf::from(env!("CARGO_BIN_EXE_coopol-bench"));
    let coopol = bench.with_file_name("coopol");
    if !coopol.exists() {
        // `cargo test --workspace` builds it; a bench-only run may not have.
        let status = Command::new(env!("CARGO"))
            .args(["build", "--bin", "coopol"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("results.json");
    let mut cmd = Command::new(&bench);
    cmd.args(["--smoke", "--repeat", "2", "--bin"])
        .arg(&coopol)
        .arg("--out")
        .arg(&out)
        .arg("--keys")
        .arg(out_dir.path().join("keys"))
        .env_remove("COOPOL_BENCH_POSTGRES_URL");
    if let Ok(pg) = std::env::var("COOPOL_TEST_POSTGRES_URL")
        && !pg.is_empty()
    {
        // The suite's PostgreSQL run checks PostgreSQL only; the SQLite run checks SQLite.
        cmd.args(["--postgres", &pg, "--no-sqlite"]);
    }
    let output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "coopol-bench --smoke failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{stdout}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let backend = if std::env::var("COOPOL_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    };
    let r = &results[backend];
    assert_eq!(r["ingest"]["refused"], 0, "{r}");
    assert_eq!(r["ingest"]["runs"].as_array().map(Vec::len), Some(2), "{r}");
    assert_eq!(r["ingest"]["accepted"], r["ingest"]["sent"], "{r}");
    for f in ["fanout", "fanout-hosts"] {
        assert_eq!(r[f]["bad_signatures"], 0, "{r}");
        assert!(r[f]["inboxes"].as_u64().unwrap() > 0, "{r}");
    }
    assert_eq!(r["durability"]["fanout_lost"], 0, "{r}");
    assert_eq!(r["durability"]["ingest_lost"], 0, "{r}");
    assert!(r["timeline"]["home_p50_ms"].as_f64().unwrap() > 0.0, "{r}");
    assert!(
        r["timeline"]["home_tags_p50_ms"].as_f64().unwrap() > 0.0,
        "{r}"
    );
    for k in [
        "tags_p50_ms",
        "statuses_p50_ms",
        "links_p50_ms",
        "directory_p50_ms",
    ] {
        assert!(r["trends"][k].as_f64().unwrap() > 0.0, "{r}");
    }
    assert_eq!(r["media-upload"]["uploads"], 2, "{r}");
    assert!(
        r["media-upload"]["ready_p50_s"].as_f64().unwrap() > 0.0,
        "{r}"
    );
    assert!(
        r["media-memory"]["peak_rss_mib"].as_f64().unwrap() > 0.0,
        "{r}"
    );
    // Each remote picture fetched once, whatever the readers asking for it at once.
    assert_eq!(
        r["media-cache"]["remote_requests"], r["media-cache"]["files"],
        "{r}"
    );
    assert!(
        r["media-cache"]["warm"]["files_per_s"].as_f64().unwrap() > 0.0,
        "{r}"
    );
    assert!(
        results["baseline"]["rsa_sign_per_s_one_core"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}
