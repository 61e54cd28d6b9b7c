//! E-mail, below the services and knowing no database: the messages coopol sends ([`Mail`],
//! what a queued row holds), rendered in the recipient's language as HTML and plain text from
//! the templates in `src/mail/templates` ([`render`]), and the SMTP client ([`Transport`],
//! `lettre` over tokio and rustls). `service::mail` queues messages in the database and runs
//! the worker that sends them.

mod render;
mod transport;

pub use render::{Rendered, render};

pub use transport::{SendError, Transport};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// A message to send, with what its template needs. Stored as JSON in the queue, so a variant
/// or field may be added, but never renamed while messages of it may be waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mail {
    /// Confirm the address given at sign-up (or through the API's resend): a link.
    ConfirmEmail { username: String, link: String },
    /// Confirm a new address (sent to the new address).
    ConfirmEmailChange { username: String, link: String },
    /// The address of the account is being changed (sent to the old address).
    EmailChanging { username: String, new_email: String },
    /// A link to choose a new password, valid for an hour.
    PasswordReset { username: String, link: String },
    /// Someone tried to sign up or move an account to this address, which has an account.
    AddressInUse { sign_in: String, reset: String },
    /// The registration was approved.
    RegistrationApproved { username: String, link: String },
    /// The registration was refused.
    RegistrationRefused { username: String },
    /// A moderator or an administrator acted on the account (`action`: `none` for a warning,
    /// `disable`, `silence`, `suspend`), with the text the person is told (may be empty) and
    /// where to read it and appeal.
    Sanction {
        username: String,
        action: String,
        text: String,
        link: String,
    },
    /// A notification (not transactional: it carries `List-Unsubscribe`).
    Notification {
        /// The notification kind's stored name (`mention`, `follow`, `event_reminder`...).
        notification: String,
        /// Who caused it, as shown (display name, else handle).
        actor: String,
        /// Their handle (`@name@domain`).
        handle: String,
        /// The post's text, shortened, as plain text; empty when there is none.
        excerpt: String,
        /// Where to see it.
        link: String,
        /// The one-click unsubscribe address for this kind of notification.
        unsubscribe: String,
        /// For a reminder: the link that frees the person's place ("I can't come any more").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leave: Option<String>,
        /// For a confirmed participation or a changed event: the event as an iCalendar file
        /// (RFC 5545), attached as `event.ics`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        calendar: Option<String>,
    },
    /// The daily or weekly digest of a person's groups (not transactional).
    Digest {
        username: String,
        /// `daily` or `weekly`.
        frequency: String,
        /// New discussions in their groups.
        discussions: Vec<DigestItem>,
        /// Upcoming events of their groups.
        events: Vec<DigestItem>,
        /// Shifts short of people they have not signed up for.
        missions: Vec<DigestItem>,
        /// The one-click address that turns the digest off.
        unsubscribe: String,
    },
}

/// One line of a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    /// A discussion's first words, an event's name.
    pub title: String,
    /// The group, or when and where.
    pub detail: String,
    /// Where to see it.
    pub link: String,
}

impl Mail {
    /// The name stored in the queue's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::ConfirmEmail { .. } => "confirm_email",
            Mail::ConfirmEmailChange { .. } => "confirm_email_change",
            Mail::EmailChanging { .. } => "email_changing",
            Mail::PasswordReset { .. } => "password_reset",
            Mail::AddressInUse { .. } => "address_in_use",
            Mail::RegistrationApproved { .. } => "registration_approved",
            Mail::RegistrationRefused { .. } => "registration_refused",
            Mail::Sanction { .. } => "sanction",
            Mail::Notification { .. } => "notification",
            Mail::Digest { .. } => "digest",
        }
    }

    /// The iCalendar file the message carries, if any.
    pub fn calendar(&self) -> Option<&str> {
        match self {
            Mail::Notification { calendar, .. } => calendar.as_deref(),
            _ => None,
        }
    }

    /// The one-click unsubscribe address of a message that is not transactional.
    pub fn unsubscribe(&self) -> Option<&str> {
        match self {
            Mail::Notification { unsubscribe, .. } | Mail::Digest { unsubscribe, .. } => {
                Some(unsubscribe)
            }
            _ => None,
        }
    }
}

/// What an instance keeps for e-mail: the SMTP client when e-mail is configured, and the
/// signal that wakes the worker when a message was queued.
pub struct Runtime {
    /// The client; `None` when no SMTP server is configured (e-mail is off).
    pub transport: Option<Transport>,
    /// Wakes the mail worker.
    pub ready: Notify,
}

impl Runtime {
    /// The runtime of a configuration (no connection is made before the first message).
    pub fn new(config: &crate::config::Config) -> Result<Runtime, String> {
        let transport = match &config.mail {
            Some(mail) => Some(Transport::new(mail)?),
            None => None,
        };
        Ok(Runtime {
            transport,
            ready: Notify::new(),
        })
    }

    /// Whether e-mail is on.
    pub fn enabled(&self) -> bool {
        self.transport.is_some()
    }
}

/// A text made fit for a header: control characters (CR and LF above all, which would start a
/// new header) become spaces, and runs of spaces one.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_control() || c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_texts_hold_no_line_breaks() {
        assert_eq!(one_line("Eve\r\nBcc: x@y.example"), "Eve Bcc: x@y.example");
        assert_eq!(one_line("  a\t\u{0}b  "), "a b");
    }

    #[test]
    fn mails_round_trip_through_their_stored_json() {
        let mail = Mail::PasswordReset {
            username: "ana".into(),
            link: "http://x.example/auth/password/edit?token=t".into(),
        };
        let json = serde_json::to_string(&mail).unwrap();
        assert!(json.contains("\"kind\":\"password_reset\""), "{json}");
        assert_eq!(serde_json::from_str::<Mail>(&json).unwrap(), mail);
        assert_eq!(mail.kind(), "password_reset");
    }
}
