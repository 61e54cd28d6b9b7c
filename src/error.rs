//! One error type for every request: an HTTP status, a translated message for people (a key into
//! `locales/`), the fields it concerns when input was refused, and the cause, which goes to the
//! log and never to the client.
//!
//! `AppError` turns itself into a response carrying the error as an extension; the API and web
//! routers each have a layer that renders it in the request's language, as JSON shaped like
//! Mastodon's errors or as an HTML page. The code that fails needs to know neither.

use crate::domain::Invalid;
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use std::sync::Arc;

/// An error with its causes, on one line (a refused connection says so only in its source).
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A failed request.
#[derive(Debug)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The translation key of the message.
    pub key: &'static str,
    /// Values interpolated in the message.
    pub args: Vec<(&'static str, String)>,
    /// The inputs refused, when the request had bad fields.
    pub fields: Vec<Invalid>,
    /// The OAuth 2 error code (RFC 6749, section 5.2), for the OAuth endpoints.
    pub oauth_code: Option<&'static str>,
    /// The underlying failure, for the log.
    pub source: Option<anyhow::Error>,
    /// For a request over a rate limit: the seconds to wait, sent as `Retry-After`.
    pub retry_after: Option<u64>,
}

/// A request result.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error with a status and a message key.
    pub fn new(status: StatusCode, key: &'static str) -> Self {
        AppError {
            status,
            key,
            args: Vec::new(),
            fields: Vec::new(),
            oauth_code: None,
            source: None,
            retry_after: None,
        }
    }

    /// 400: the request cannot be understood.
    pub fn bad_request(key: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, key)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(key: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, key)
    }

    /// 403: credentials are valid but not enough.
    pub fn forbidden(key: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, key)
    }

    /// 404: nothing here (also used to avoid telling what exists to those who may not know).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "error-not-found")
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(key: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, key)
    }

    /// 422: one or more fields were refused.
    pub fn invalid(fields: Vec<Invalid>) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "error-validation");
        e.fields = fields;
        e
    }

    /// The same error with another status (a duplicate name is a 409, say).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// 500: something failed on our side; `source` is logged, the client learns nothing more.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "error-internal");
        e.source = Some(source.into());
        e
    }

    /// Adds an interpolated value to the message.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// Sets the OAuth 2 error code.
    pub fn oauth(mut self, code: &'static str) -> Self {
        self.oauth_code = Some(code);
        self
    }

    /// The message in a language.
    pub fn message(&self, locale: crate::domain::Locale) -> String {
        let mut text = crate::i18n::t_args(locale, self.key, &self.args);
        if !self.fields.is_empty() {
            let details: Vec<String> = self
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        crate::i18n::t(locale, &format!("field-{}", f.field)),
                        crate::i18n::t_args(locale, f.key, &f.args)
                    )
                })
                .collect();
            text = format!("{text}: {}", details.join("; "));
        }
        text
    }

    /// The error as the JSON body the Mastodon API answers with: `{"error": "..."}`, plus
    /// `error_description` for OAuth errors and `details` per field for validation errors.
    pub fn to_json(&self, locale: crate::domain::Locale) -> serde_json::Value {
        let message = self.message(locale);
        let mut body = serde_json::Map::new();
        match self.oauth_code {
            Some(code) => {
                body.insert("error".into(), code.into());
                body.insert("error_description".into(), message.into());
            }
            None => {
                body.insert("error".into(), message.into());
            }
        }
        if !self.fields.is_empty() {
            let mut details: std::collections::BTreeMap<&str, Vec<serde_json::Value>> =
                Default::default();
            for f in &self.fields {
                details.entry(f.field).or_default().push(serde_json::json!({
                    "error": mastodon_detail_code(f.key),
                    "description": crate::i18n::t_args(locale, f.key, &f.args),
                }));
            }
            body.insert("details".into(), serde_json::json!(details));
        }
        serde_json::Value::Object(body)
    }
}

impl std::fmt::Display for AppError {
    /// The message in English, with the cause: for logs and errors between modules.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message(crate::domain::Locale::En))?;
        if let Some(source) = &self.source {
            write!(f, ": {source:#}")?;
        }
        Ok(())
    }
}

/// Mastodon's machine-readable codes for field errors (`ERR_TAKEN`, `ERR_INVALID`, ...).
fn mastodon_detail_code(key: &str) -> &'static str {
    match key {
        "error-username-taken" | "error-email-taken" => "ERR_TAKEN",
        "error-username-reserved" => "ERR_RESERVED",
        "error-required" => "ERR_BLANK",
        "error-too-long" => "ERR_TOO_LONG",
        "error-too-short" => "ERR_TOO_SHORT",
        "error-password-mismatch" => "ERR_CONFIRMATION",
        "error-agreement-required" => "ERR_ACCEPTED",
        _ => "ERR_INVALID",
    }
}

/// The error carried by a response, for the rendering layers.
#[derive(Clone)]
pub struct ErrorExtension(pub Arc<AppError>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Some(source) = &self.source {
            // The request id is in the current span (see app.rs), so the log line can be found
            // from what the client saw.
            tracing::error!(error = format!("{source:#}"), "request failed");
        }
        let status = self.status;
        // A default body, in the default language, for routes without a rendering layer.
        let body = Json(self.to_json(crate::domain::Locale::default()));
        let mut response = (status, body).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
            .extensions_mut()
            .insert(ErrorExtension(Arc::new(self)));
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal(e)
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::invalid(vec![e])
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::internal(e)
    }
}
