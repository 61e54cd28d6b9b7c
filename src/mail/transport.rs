//! The SMTP client: `lettre`'s pooled asynchronous transport over tokio, TLS by rustls (with
//! the system's certificate authorities), as the configuration says (STARTTLS required, TLS
//! from the start, or none for a local relay).

use super::{Rendered, one_line};
use crate::config::{Mail as MailConfig, SmtpSecurity};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Attachment, Mailbox, MultiPart,
        header::{ContentType, Header, HeaderName, HeaderValue},
    },
    transport::smtp::{
        PoolConfig,
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};
use std::time::Duration;

/// How long one SMTP exchange may take before the attempt counts as failed.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Why a message was not sent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    /// It may pass later (the server is unreachable, busy, or answered 4xx): try again.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// It never will (the address is refused, 5xx): give up.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// The SMTP client of an instance.
pub struct Transport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Transport {
    /// A client for the configured server (no connection is made until a message is sent).
    pub fn new(config: &MailConfig) -> Result<Transport, String> {
        let smtp = &config.smtp;
        let tls = || {
            TlsParameters::new(smtp.host.clone())
                .map_err(|e| format!("TLS for {} cannot be set up: {e}", smtp.host))
        };
        let tls = match smtp.security {
            SmtpSecurity::StartTls => Tls::Required(tls()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls()?),
            SmtpSecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(TIMEOUT))
            .pool_config(
                PoolConfig::new()
                    .max_size(32)
                    .idle_timeout(Duration::from_secs(30)),
            );
        if !smtp.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                smtp.username.clone(),
                smtp.password.clone(),
            ));
        }
        let address = config
            .from_address
            .parse()
            .map_err(|e| format!("mail_from cannot be used: {e}"))?;
        Ok(Transport {
            inner: builder.build(),
            from: Mailbox::new(Some(one_line(&config.from_name)), address),
        })
    }

    /// Connects to the server, greets it, and starts TLS and signs in as configured, without
    /// sending anything: whether messages can be sent. The error is the whole chain of causes.
    pub async fn check(&self) -> Result<(), String> {
        match self.inner.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the server did not answer as an SMTP server".into()),
            Err(e) => Err(crate::error::chain(&e)),
        }
    }

    /// Sends one message to `to`.
    pub async fn send(&self, to: &str, mail: &Rendered) -> Result<(), SendError> {
        let to = to
            .parse()
            .map_err(|e| SendError::Permanent(format!("unusable recipient address: {e}")))?;
        // Our own id, on the sender's domain (lettre's default names this machine).
        let message_id = format!(
            "<{}@{}>",
            crate::crypto::random_token(18),
            self.from.email.domain()
        );
        let mut builder = Message::builder()
            .message_id(Some(message_id))
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(one_line(&mail.subject));
        if let Some(url) = &mail.unsubscribe {
            // RFC 8058: the address is one a mail client may POST to, with no session.
            builder = builder
                .header(ListUnsubscribe(format!("<{}>", one_line(url))))
                .header(ListUnsubscribePost);
        }
        let body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
        let body = match &mail.calendar {
            // The event for calendar apps, beside the text (`multipart/mixed`).
            Some(ics) => MultiPart::mixed().multipart(body).singlepart(
                Attachment::new("event.ics".to_string()).body(
                    ics.clone(),
                    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                        .map_err(|e| SendError::Permanent(format!("the calendar type: {e}")))?,
                ),
            ),
            None => body,
        };
        let message = builder
            .multipart(body)
            .map_err(|e| SendError::Permanent(format!("the message cannot be built: {e}")))?;
        match self.inner.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Temporary(crate::error::chain(&e))),
        }
    }
}

/// `List-Unsubscribe: <https://...>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}
