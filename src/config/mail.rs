//! The e-mail part of the configuration: the SMTP server coopol sends through, and who the
//! messages are from. Without `smtp_host` e-mail is off: nothing is queued, and what needs it
//! (password reset, address confirmation) says it is unavailable.

use super::{ConfigError, parse_number};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine or a trusted network (port 25).
    None,
}

/// The SMTP server and the credentials to use it.
#[derive(Clone, PartialEq, Eq)]
pub struct Smtp {
    /// Its host name (checked against its certificate under TLS).
    pub host: String,
    /// Its port.
    pub port: u16,
    /// TLS, STARTTLS or none.
    pub security: SmtpSecurity,
    /// The user name, when the server wants authentication.
    pub username: String,
    /// The password (never printed).
    pub password: String,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// E-mail settings, when e-mail is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The server messages go through.
    pub smtp: Smtp,
    /// The sender's address.
    pub from_address: String,
    /// The sender's name (the instance's name by default).
    pub from_name: String,
    /// After how long a message that could not be sent is given up (and logged).
    pub give_up_after: Duration,
}

/// Reads the e-mail keys; `None` when `smtp_host` is empty.
pub(super) fn parse(
    domain_host: &str,
    instance_name: &str,
    get: &dyn Fn(&str) -> String,
    fail: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<Mail>, ConfigError> {
    let host = get("smtp_host").trim().to_string();
    let security = match get("smtp_security").trim() {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        _ => {
            return Err(fail(
                "smtp_security",
                "expected starttls, tls or none".into(),
            ));
        }
    };
    let port_text = get("smtp_port");
    let port = if port_text.trim().is_empty() {
        match security {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }
    } else {
        parse_number(&port_text, 1, 65_535).map_err(|why| fail("smtp_port", why))? as u16
    };
    let give_up_hours = parse_number(&get("mail_give_up_hours"), 1, 24 * 30)
        .map_err(|why| fail("mail_give_up_hours", why))?;
    if host.is_empty() {
        return Ok(None);
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(fail("smtp_host", "expected a host name or address".into()));
    }
    let from_address = match get("mail_from").trim() {
        "" => format!("noreply@{domain_host}"),
        given => crate::domain::Email::parse(given)
            .map_err(|_| fail("mail_from", "expected an e-mail address".into()))?
            .as_str()
            .to_string(),
    };
    let from_name = match get("mail_from_name").trim() {
        "" => instance_name.to_string(),
        given => given.to_string(),
    };
    // The name goes into a header: a line break there would start another header.
    if from_name.chars().any(char::is_control) {
        return Err(fail(
            "mail_from_name",
            "must not contain line breaks or control characters".into(),
        ));
    }
    Ok(Some(Mail {
        smtp: Smtp {
            host,
            port,
            security,
            username: get("smtp_username").trim().to_string(),
            password: get("smtp_password"),
        },
        from_address,
        from_name,
        give_up_after: Duration::from_secs(give_up_hours * 3600),
    }))
}
