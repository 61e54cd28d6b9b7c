//! The SMTP sink the e-mail tests read (scripts/smtp.sh: aiosmtpd writing each message it
//! receives to `DIR/<recipient>/<time>-<n>.eml`), and how an instance is pointed at it.
//!
//! Without `COOPOL_TEST_SMTP_HOST` the e-mail tests skip with a notice, unless
//! `COOPOL_REQUIRE_SMTP=1` (scripts/test sets it), which makes its absence a failure.

use coopol::config::{Config, Mail, Smtp, SmtpSecurity};
use std::{path::PathBuf, time::Duration};

/// Where the sink listens and writes.
#[derive(Clone, Debug)]
pub struct Sink {
    pub host: String,
    pub port: u16,
    pub dir: PathBuf,
}

/// The sink of this run, or `None` (with a notice) when there is none and none is required.
pub fn sink() -> Option<Sink> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (
        var("COOPOL_TEST_SMTP_HOST"),
        var("COOPOL_TEST_SMTP_PORT"),
        var("COOPOL_TEST_SMTP_DIR"),
    ) {
        (Some(host), Some(port), Some(dir)) => Some(Sink {
            host,
            port: port.parse().expect("COOPOL_TEST_SMTP_PORT is a port"),
            dir: PathBuf::from(dir),
        }),
        _ => {
            assert!(
                std::env::var("COOPOL_REQUIRE_SMTP").as_deref() != Ok("1"),
                "COOPOL_REQUIRE_SMTP=1 but no COOPOL_TEST_SMTP_*: start scripts/smtp.sh"
            );
            eprintln!("notice: no SMTP sink (COOPOL_TEST_SMTP_HOST): e-mail test skipped");
            None
        }
    }
}

/// E-mail settings sending to `host:port` without TLS (the sink is on loopback).
pub fn mail_config(host: &str, port: u16) -> Mail {
    Mail {
        smtp: Smtp {
            host: host.to_string(),
            port,
            security: SmtpSecurity::None,
            username: String::new(),
            password: String::new(),
        },
        from_address: "noreply@coopol.test".into(),
        from_name: "Coopol test".into(),
        give_up_after: Duration::from_secs(48 * 3600),
    }
}

/// Points an instance's e-mail at the sink.
pub fn use_sink(config: &mut Config, sink: &Sink) {
    config.mail = Some(mail_config(&sink.host, sink.port));
}

/// A fresh address nobody else in the run uses (the sink is shared by every test).
pub fn address(name: &str) -> String {
    format!(
        "{name}-{}@mail.test",
        coopol::crypto::random_code(10).to_lowercase()
    )
}

/// A message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The whole message, envelope headers of the sink first.
    pub raw: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Received {
    fn parse(raw: Vec<u8>) -> Received {
        let parsed = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("a readable message");
        Received {
            subject: parsed.subject().unwrap_or_default().to_string(),
            text: parsed
                .body_text(0)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            html: parsed
                .body_html(0)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            raw: String::from_utf8_lossy(&raw).into_owned(),
        }
    }

    /// A header's raw value (unfolded), if the message has it. Only the message's own header
    /// block is read, never its parts'.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self
            .raw
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .replace("\r\n ", " ")
            .replace("\r\n\t", " ");
        head.split("\r\n").find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    /// The header lines of the message's own header block, as sent.
    pub fn header_lines(&self) -> Vec<String> {
        self.raw
            .split("\r\n\r\n")
            .next()
            .unwrap_or_default()
            .split("\r\n")
            .map(str::to_string)
            .collect()
    }

    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix} in:\n{}", self.text));
        self.text[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    }
}

impl Sink {
    fn folder(&self, address: &str) -> PathBuf {
        self.dir.join(address.to_lowercase())
    }

    /// What `address` has received so far, oldest first.
    pub fn messages(&self, address: &str) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.folder(address)) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        // Names start with the time of arrival in nanoseconds.
        files.sort_by_key(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('-').next())
                .and_then(|n| n.parse::<u128>().ok())
                .unwrap_or(0)
        });
        files
            .into_iter()
            .map(|p| Received::parse(std::fs::read(p).unwrap()))
            .collect()
    }

    /// Waits (up to 15 s) until `address` has received `n` messages; gives them.
    pub async fn wait_for(&self, address: &str, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.messages(address);
            if got.len() >= n {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{address} received {} messages, not {n}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for `address`'s first message.
    pub async fn first(&self, address: &str) -> Received {
        self.wait_for(address, 1).await.remove(0)
    }
}
