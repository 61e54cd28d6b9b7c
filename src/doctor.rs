//! `coopol doctor`: what an administrator who is not a sysadmin needs to know before members
//! complain. Each check prints one line: what was checked, whether it works, and when it does
//! not, what is wrong in words that say what to do. Nothing is changed: no migration is
//! applied, no database file is created, the test file written in the data directory and the
//! media store is removed at once, and no e-mail is sent.

use crate::{config::Config, db, mail::Transport, media::store::Store};
use std::{path::Path, time::Duration};

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It works.
    Ok,
    /// It works, but something is worth knowing or fixing.
    Warning,
    /// It does not work: something members will notice.
    Failed,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Finding {
    /// What was checked (`database`, `public URL` ...).
    pub check: &'static str,
    /// How it went.
    pub outcome: Outcome,
    /// What was found, on one line.
    pub detail: String,
}

impl Finding {
    fn new(check: &'static str, outcome: Outcome, detail: impl Into<String>) -> Finding {
        let detail: String = detail.into();
        // One line each, whatever an error message holds.
        let detail = detail.split_whitespace().collect::<Vec<_>>().join(" ");
        Finding {
            check,
            outcome,
            detail,
        }
    }

    /// The line printed for it: `ok`, `warning` or `FAILED`, the check, what was found.
    pub fn line(&self) -> String {
        let mark = match self.outcome {
            Outcome::Ok => "ok     ",
            Outcome::Warning => "warning",
            Outcome::Failed => "FAILED ",
        };
        format!("{mark} {}: {}", self.check, self.detail)
    }
}

/// How long a check may wait for a server (the public URL, SMTP, S3).
const WAIT: Duration = Duration::from_secs(10);

/// A clock further than this from another one makes other servers refuse our signatures
/// (Mastodon allows one hour of skew; we warn well before).
const CLOCK_WARNING: Duration = Duration::from_secs(60);

/// Runs every check, in the order an administrator would fix them.
pub async fn run(config: &Config) -> Vec<Finding> {
    let mut findings = vec![public_url_scheme(config), data_dir(&config.data_dir)];
    let database = database(config).await;
    findings.push(database.finding);
    findings.push(media_store(config).await);
    findings.push(smtp(config).await);
    let (reached, date) = public_url(config, database.db.as_ref()).await;
    findings.push(reached);
    findings.push(clock(database.db.as_ref(), date).await);
    if let Some(db) = database.db {
        db.close().await;
    }
    findings
}

fn public_url_scheme(config: &Config) -> Finding {
    let url = &config.public_url;
    let local = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() == "https" || local {
        Finding::new(
            "configuration",
            Outcome::Ok,
            format!("public_url {url}, listening on {}", config.listen),
        )
    } else {
        Finding::new(
            "configuration",
            Outcome::Warning,
            format!(
                "public_url {url} is not https: other servers (Mastodon among them) refuse to \
                 federate with it; put coopol behind a proxy with a certificate (Caddy, nginx)"
            ),
        )
    }
}

/// The data directory must exist (or be creatable) and take a file.
fn data_dir(dir: &Path) -> Finding {
    let probe = dir.join(format!(
        ".coopol-doctor-{}",
        crate::crypto::random_code(8).to_lowercase()
    ));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&probe, b"coopol doctor"))
        .and_then(|()| std::fs::remove_file(&probe));
    match written {
        Ok(()) => Finding::new(
            "data directory",
            Outcome::Ok,
            format!("{} is writable", dir.display()),
        ),
        Err(e) => Finding::new(
            "data directory",
            Outcome::Failed,
            format!(
                "{} cannot be written ({e}): set data_dir to a folder the coopol user owns",
                dir.display()
            ),
        ),
    }
}

struct Database {
    finding: Finding,
    db: Option<db::Db>,
}

async fn database(config: &Config) -> Database {
    let url = &config.database_url;
    if let Some(file) = db::sqlite_file(url)
        && !file.exists()
    {
        return Database {
            finding: Finding::new(
                "database",
                Outcome::Warning,
                format!(
                    "no database yet at {}: `coopol serve` creates it",
                    file.display()
                ),
            ),
            db: None,
        };
    }
    let db = match tokio::time::timeout(WAIT, db::Db::connect(url, 2)).await {
        Ok(Ok(db)) => db,
        Ok(Err(e)) => {
            return Database {
                finding: Finding::new(
                    "database",
                    Outcome::Failed,
                    format!("cannot be opened: {e}; check database_url"),
                ),
                db: None,
            };
        }
        Err(_) => {
            return Database {
                finding: Finding::new(
                    "database",
                    Outcome::Failed,
                    "did not answer within 10 s; check database_url and that the server runs",
                ),
                db: None,
            };
        }
    };
    let finding = match (db.engine_version().await, db.pending_migrations().await) {
        (Err(e), _) | (_, Err(e)) => {
            Finding::new("database", Outcome::Failed, format!("cannot be read: {e}"))
        }
        (Ok(version), Ok(pending)) if pending.is_empty() => Finding::new(
            "database",
            Outcome::Ok,
            format!("{}, up to date", short_version(&version)),
        ),
        (Ok(version), Ok(pending)) => Finding::new(
            "database",
            Outcome::Warning,
            format!(
                "{}, {} migration(s) to apply (from {} {}): `coopol serve` or `coopol migrate` \
                 applies them",
                short_version(&version),
                pending.len(),
                pending[0].0,
                pending[0].1
            ),
        ),
    };
    Database {
        finding,
        db: Some(db),
    }
}

/// `PostgreSQL 15.18 (Debian ...) on x86_64...` → `PostgreSQL 15.18`.
fn short_version(version: &str) -> String {
    version
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The media store takes, gives back and removes a small file.
async fn media_store(config: &Config) -> Finding {
    let store = match Store::open(&config.media.store) {
        Ok(store) => store,
        Err(e) => {
            return Finding::new(
                "media store",
                Outcome::Failed,
                format!("cannot be opened: {e}"),
            );
        }
    };
    let key = format!(
        "coopol-doctor/{}",
        crate::crypto::random_code(12).to_lowercase()
    );
    let body = bytes::Bytes::from_static(b"coopol doctor");
    let round_trip = async {
        store.put(&key, body.clone()).await?;
        let read = store.read(&key, 1024).await?;
        store.delete(&key).await?;
        Ok::<_, crate::media::store::StoreError>(read)
    };
    match tokio::time::timeout(WAIT, round_trip).await {
        Ok(Ok(Some(read))) if read == body => Finding::new(
            "media store",
            Outcome::Ok,
            format!(
                "{} store: a file was written, read and removed",
                store.kind()
            ),
        ),
        Ok(Ok(_)) => Finding::new(
            "media store",
            Outcome::Failed,
            format!(
                "{} store: a file written was not read back the same",
                store.kind()
            ),
        ),
        Ok(Err(e)) => Finding::new(
            "media store",
            Outcome::Failed,
            format!("{} store cannot be written: {e}", store.kind()),
        ),
        Err(_) => Finding::new(
            "media store",
            Outcome::Failed,
            format!("{} store did not answer within 10 s", store.kind()),
        ),
    }
}

async fn smtp(config: &Config) -> Finding {
    let Some(mail) = &config.mail else {
        return Finding::new(
            "e-mail",
            Outcome::Warning,
            "not configured (smtp_host): no sign-up confirmation, password reset, alert or \
             digest is sent",
        );
    };
    let server = format!("{}:{}", mail.smtp.host, mail.smtp.port);
    let checked = match Transport::new(mail) {
        Ok(transport) => match tokio::time::timeout(WAIT, transport.check()).await {
            Ok(checked) => checked,
            Err(_) => Err("no answer within 10 s".into()),
        },
        Err(e) => Err(e),
    };
    match checked {
        Ok(()) => Finding::new(
            "e-mail",
            Outcome::Ok,
            format!("the SMTP server {server} accepts us"),
        ),
        Err(e) => Finding::new(
            "e-mail",
            Outcome::Failed,
            format!(
                "the SMTP server {server} cannot be used ({e}): check smtp_host, smtp_port, \
                 smtp_security and the credentials"
            ),
        ),
    }
}

/// The public URL, asked from this machine, must lead to this instance: its instance actor
/// must carry the key the database holds. Returns the `Date` the answer carried, if any.
async fn public_url(config: &Config, db: Option<&db::Db>) -> (Finding, Option<i64>) {
    let url = config.url("/actor");
    let client = match reqwest::Client::builder()
        .timeout(WAIT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            return (
                Finding::new(
                    "public URL",
                    Outcome::Failed,
                    format!("no HTTP client: {e}"),
                ),
                None,
            );
        }
    };
    let answer = client
        .get(&url)
        .header("accept", "application/activity+json")
        .send()
        .await;
    let response = match answer {
        Ok(response) => response,
        Err(e) => {
            let why = crate::error::chain(&e);
            return (
                Finding::new(
                    "public URL",
                    Outcome::Failed,
                    format!(
                        "{} cannot be reached from this machine ({why}): is `coopol serve` \
                         running, does the name lead here, and does the proxy pass requests \
                         to listen = {}?",
                        config.public_url, config.listen
                    ),
                ),
                None,
            );
        }
    };
    let date = response
        .headers()
        .get("date")
        .and_then(|d| d.to_str().ok())
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.timestamp_micros());
    let status = response.status();
    if !status.is_success() {
        return (
            Finding::new(
                "public URL",
                Outcome::Failed,
                format!(
                    "{url} answered {status}, not this instance's actor: the name or the proxy \
                     leads elsewhere"
                ),
            ),
            date,
        );
    }
    let document: serde_json::Value = response.json().await.unwrap_or_default();
    let served = document["publicKey"]["publicKeyPem"]
        .as_str()
        .map(str::trim);
    let ours = match db {
        Some(db) => db::accounts::instance_actor(db.pool())
            .await
            .ok()
            .flatten()
            .map(|a| a.public_key_pem),
        None => None,
    };
    let finding = match (served, ours) {
        (Some(served), Some(ours)) if served == ours.trim() => Finding::new(
            "public URL",
            Outcome::Ok,
            format!("{} leads to this instance", config.public_url),
        ),
        (_, Some(_)) => Finding::new(
            "public URL",
            Outcome::Failed,
            format!(
                "{} answers, but as another server (not this instance's key): the name or the \
                 proxy leads elsewhere",
                config.public_url
            ),
        ),
        (Some(_), None) => Finding::new(
            "public URL",
            Outcome::Warning,
            format!(
                "{} answers as an ActivityPub server; this instance has no key yet to compare",
                config.public_url
            ),
        ),
        (None, None) => Finding::new(
            "public URL",
            Outcome::Failed,
            format!("{url} answered, but not with an actor: the name or the proxy leads elsewhere"),
        ),
    };
    (finding, date)
}

/// This machine's clock against the other clocks at hand: PostgreSQL's server and the `Date`
/// of the public URL's answer (a proxy on another machine).
async fn clock(db: Option<&db::Db>, public_date: Option<i64>) -> Finding {
    let now = crate::clock::now();
    let mut compared = Vec::new();
    if let Some(Ok(Some(server))) = match db {
        Some(db) => Some(db.server_clock().await),
        None => None,
    } {
        compared.push(("the database server", server));
    }
    if let Some(date) = public_date {
        compared.push(("the public URL's answer", date));
    }
    let time = crate::clock::to_rfc3339(now);
    if compared.is_empty() {
        return Finding::new(
            "clock",
            Outcome::Ok,
            format!("{time} (UTC); no other clock at hand to compare with"),
        );
    }
    // An HTTP date has whole seconds: allow one.
    let off: Vec<String> = compared
        .iter()
        .filter(|(_, other)| {
            (now - other).unsigned_abs() > CLOCK_WARNING.as_micros() as u64 + 1_000_000
        })
        .map(|(name, other)| format!("{} s from {name}", (now - other) / 1_000_000))
        .collect();
    if off.is_empty() {
        let names: Vec<&str> = compared.iter().map(|(n, _)| *n).collect();
        Finding::new(
            "clock",
            Outcome::Ok,
            format!("{time} (UTC), agrees with {}", names.join(" and ")),
        )
    } else {
        Finding::new(
            "clock",
            Outcome::Warning,
            format!(
                "{time} (UTC) is {}: other servers refuse signatures more than an hour off; \
                 keep the clock set by NTP (systemd-timesyncd, chrony)",
                off.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_one_line_each() {
        let f = Finding::new("e-mail", Outcome::Failed, "refused\n  twice\tover");
        assert_eq!(f.line(), "FAILED  e-mail: refused twice over");
        assert_eq!(
            short_version("PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64"),
            "PostgreSQL 15.18"
        );
    }

    #[test]
    fn an_unwritable_data_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(data_dir(dir.path()).outcome, Outcome::Ok);
        // A file where the folder should be: nothing can be written under it, even as root.
        let file = dir.path().join("taken");
        std::fs::write(&file, b"x").unwrap();
        let found = data_dir(&file.join("data"));
        assert_eq!(found.outcome, Outcome::Failed);
        assert!(
            found.line().contains("cannot be written"),
            "{}",
            found.line()
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
