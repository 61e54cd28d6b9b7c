//! This machine's limits, measured in the same run: RSA-2048 signatures and verifications per
//! second on one core (aws-lc-rs, as coopol signs), and SQLite single-row commits per second
//! (WAL, synchronous=NORMAL, as coopol opens it).

use anyhow::Result;
use aws_lc_rs::{
    rand::SystemRandom,
    rsa::KeyPair,
    signature::{self, KeyPair as _, UnparsedPublicKey},
};
use std::time::{Duration, Instant};

/// The baseline figures.
pub struct Baseline {
    /// RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, one core.
    pub rsa_sign_per_s: f64,
    /// Verifications per second, one core.
    pub rsa_verify_per_s: f64,
    /// SQLite single-row commits per second.
    pub sqlite_commits_per_s: f64,
}

fn rate(min: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < min {
        for _ in 0..16 {
            f();
        }
        n += 16;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// Measures for about `seconds` in all.
pub async fn measure(dir: &std::path::Path, seconds: f64) -> Result<Baseline> {
    let each = Duration::from_secs_f64(seconds / 3.0);
    let (private, _) = coopol::crypto::generate_rsa_keypair();
    let der = pem_body(&private)?;
    let key = KeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("{e}"))?;
    let rng = SystemRandom::new();
    let message = b"(request-target): post /inbox\nhost: example.org\ndate: Sat, 21 Nov 2026 10:00:00 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let mut sig = vec![0; key.public_modulus_len()];
    let rsa_sign_per_s = rate(each, || {
        key.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .unwrap();
    });
    let public = UnparsedPublicKey::new(
        &signature::RSA_PKCS1_2048_8192_SHA256,
        key.public_key().as_ref().to_vec(),
    );
    let rsa_verify_per_s = rate(each, || {
        public.verify(message, &sig).unwrap();
    });

    let sqlite_commits_per_s = sqlite_commits(dir, each).await?;
    Ok(Baseline {
        rsa_sign_per_s,
        rsa_verify_per_s,
        sqlite_commits_per_s,
    })
}

fn pem_body(pem_text: &str) -> Result<Vec<u8>> {
    Ok(pem::parse(pem_text)?.into_contents())
}

async fn sqlite_commits(dir: &std::path::Path, time: Duration) -> Result<f64> {
    use sqlx::{ConnectOptions, Connection, sqlite::SqliteConnectOptions};
    let path = dir.join("baseline.db");
    let _ = std::fs::remove_file(&path);
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&mut conn)
        .await?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < time {
        let mut tx = conn.begin().await?;
        sqlx::query("INSERT INTO t (body) VALUES ($1)")
            .bind("an activity of a few hundred bytes, more or less")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n += 1;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    conn.close().await?;
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}
