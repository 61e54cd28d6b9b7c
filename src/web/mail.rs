//! The pages of the e-mail flows: asking for a password reset link and choosing a new
//! password with it, confirming an address (and asking for the link again), changing one's
//! address, and one-click unsubscribing (RFC 8058: a POST with no session nor CSRF token, the
//! link's token being the capability; a GET shows a page that asks first).

use super::{Ctx, form::CsrfForm, redirect_with_flash, render, render_status};
use crate::{
    error::AppResult,
    limits::{self, ClientIp},
    service,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

/// Which form of an address a [`AskPage`] is: a reset link, or the confirmation again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    Reset,
    Confirmation,
}

#[derive(Template)]
#[template(path = "mail_ask.html")]
struct AskPage {
    c: Ctx,
    ask: Ask,
    enabled: bool,
    email: String,
    errors: Vec<(String, String)>,
}

impl AskPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn title(&self) -> String {
        self.c.t(match self.ask {
            Ask::Reset => "page-password-reset-title",
            Ask::Confirmation => "page-confirmation-title",
        })
    }

    fn intro(&self) -> String {
        self.c.t(match self.ask {
            Ask::Reset => "page-password-reset-intro",
            Ask::Confirmation => "page-confirmation-intro",
        })
    }

    fn action(&self) -> &'static str {
        match self.ask {
            Ask::Reset => "/auth/password",
            Ask::Confirmation => "/auth/confirmation",
        }
    }
}

#[derive(Template)]
#[template(path = "mail_sent.html")]
struct SentPage {
    c: Ctx,
    /// The message shown.
    message: String,
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    email: String,
}

fn ask_page(state: &AppState, c: Ctx, ask: Ask) -> Response {
    let enabled = service::mail::enabled(state);
    let page = AskPage {
        c,
        ask,
        enabled,
        email: String::new(),
        errors: Vec::new(),
    };
    if enabled {
        render(&page)
    } else {
        render_status(StatusCode::SERVICE_UNAVAILABLE, &page)
    }
}

/// Both forms count with the sign-in attempts of the client's address: each sends an e-mail.
async fn ask(
    state: &AppState,
    c: Ctx,
    ip: ClientIp,
    ask: Ask,
    form: AskForm,
) -> AppResult<Response> {
    let result = match limits::check(&state.limits.sign_in, &ip.key()) {
        Err(e) => Err(e),
        Ok(()) => match ask {
            Ask::Reset => service::mail::request_password_reset(state, &form.email).await,
            Ask::Confirmation => service::mail::resend_confirmation(state, &form.email).await,
        },
    };
    match result {
        Ok(()) => Ok(render(&SentPage {
            message: c.t("page-mail-sent-if-known"),
            c,
        })),
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            let page = render_status(
                e.status,
                &SentPage {
                    message: e.message(c.locale),
                    c,
                },
            );
            Ok(limits::with_retry_after(page, &e))
        }
        Err(e) if !e.fields.is_empty() || e.status == StatusCode::SERVICE_UNAVAILABLE => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &AskPage {
                    enabled: service::mail::enabled(state),
                    c,
                    ask,
                    email: form.email,
                    errors,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

/// "Mot de passe oublié ?": the form asking for an address (or, without e-mail, a page that
/// says the reset is unavailable).
pub async fn password_new(State(state): State<AppState>, c: Ctx) -> Response {
    ask_page(&state, c, Ask::Reset)
}

/// Sends a reset link when the address has an account; the same page either way.
pub async fn password_ask(
    State(state): State<AppState>,
    c: Ctx,
    ip: ClientIp,
    CsrfForm(form): CsrfForm<AskForm>,
) -> AppResult<Response> {
    ask(&state, c, ip, Ask::Reset, form).await
}

/// The form asking for a confirmation link again.
pub async fn confirmation_new(State(state): State<AppState>, c: Ctx) -> Response {
    ask_page(&state, c, Ask::Confirmation)
}

/// Sends the confirmation again to an address awaiting it; the same page either way.
pub async fn confirmation_ask(
    State(state): State<AppState>,
    c: Ctx,
    ip: ClientIp,
    CsrfForm(form): CsrfForm<AskForm>,
) -> AppResult<Response> {
    ask(&state, c, ip, Ask::Confirmation, form).await
}

#[derive(Template)]
#[template(path = "password_edit.html")]
struct EditPage {
    c: Ctx,
    token: String,
    /// The link is unknown, used or expired.
    invalid: bool,
    errors: Vec<(String, String)>,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The new password form a reset link opens (or a page saying the link does not work).
pub async fn password_edit(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    match service::mail::check_reset_token(&state, &q.token).await {
        Ok(()) => Ok(render(&EditPage {
            c,
            token: q.token,
            invalid: false,
            errors: Vec::new(),
        })),
        Err(e) if !e.fields.is_empty() => Ok(render_status(
            StatusCode::NOT_FOUND,
            &EditPage {
                c,
                token: String::new(),
                invalid: true,
                errors: Vec::new(),
            },
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// Sets the new password; then the person signs in with it.
pub async fn password_reset(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<Response> {
    match service::mail::reset_password(
        &state,
        &form.token,
        &form.password,
        &form.password_confirmation,
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            "/auth/sign_in",
            "flash-password-reset",
        )),
        Err(e) if e.fields.iter().any(|f| f.field == "token") => Ok(render_status(
            StatusCode::NOT_FOUND,
            &EditPage {
                c,
                token: String::new(),
                invalid: true,
                errors: Vec::new(),
            },
        )),
        Err(e) if !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &EditPage {
                    c,
                    token: form.token,
                    invalid: false,
                    errors,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

/// A confirmation link: the address is confirmed, and the person signs in.
pub async fn confirm(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    match service::mail::confirm(&state, &q.token).await {
        Ok(()) => {
            let to = if c.user.is_some() {
                "/settings/email"
            } else {
                "/auth/sign_in"
            };
            Ok(redirect_with_flash(&state, to, "flash-email-confirmed"))
        }
        Err(e) if !e.fields.is_empty() => {
            let message = if e.fields.iter().any(|f| f.field == "email") {
                "error-email-taken"
            } else {
                "error-mail-link-invalid"
            };
            Ok(render_status(
                StatusCode::NOT_FOUND,
                &SentPage {
                    message: c.t(message),
                    c,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "settings_email.html")]
struct EmailPage {
    c: Ctx,
    enabled: bool,
    current: String,
    email: String,
    errors: Vec<(String, String)>,
}

impl EmailPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

/// The form changing one's address.
pub async fn email_page(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let current = c.require_user()?.email.clone();
    Ok(render(&EmailPage {
        enabled: service::mail::enabled(&state),
        c,
        current,
        email: String::new(),
        errors: Vec::new(),
    }))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

/// Starts changing one's address: a link goes to the new one.
pub async fn email(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(form): CsrfForm<EmailForm>,
) -> AppResult<Response> {
    let user = c.require_user()?.clone();
    match service::mail::change_email(&state, user.account_id, &form.email, &form.current_password)
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            "/settings/email",
            "flash-email-change-sent",
        )),
        Err(e) if !e.fields.is_empty() || e.status == StatusCode::SERVICE_UNAVAILABLE => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(
                e.status,
                &EmailPage {
                    enabled: service::mail::enabled(&state),
                    c,
                    current: user.email,
                    email: form.email,
                    errors,
                },
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    c: Ctx,
    token: String,
    /// The kind of notification, as named in the page's language.
    kind: String,
    done: bool,
}

fn kind_name(c: &Ctx, kind: Option<crate::domain::NotificationKind>) -> String {
    let Some(kind) = kind else {
        return c.t("mail-digest-name");
    };
    // A Fluent variant's name has no dot (`admin.sign_up`).
    c.ta(
        "mail-notification-kind",
        "kind",
        &kind.as_str().replace('.', "_"),
    )
}

/// An unsubscribe link opened in a browser: a page asking to confirm.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let found = service::mail::check_unsubscribe(&state, &token).await?;
    Ok(render(&UnsubscribePage {
        kind: kind_name(&c, found.kind),
        c,
        token,
        done: false,
    }))
}

/// The one-click unsubscribe (RFC 8058): a mail client's POST (`List-Unsubscribe=One-Click`),
/// or the page's button. No session, no CSRF token: the link's token is what allows it, and
/// the body is not read.
pub async fn unsubscribe(
    State(state): State<AppState>,
    c: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let done = service::mail::unsubscribe(&state, &token).await?;
    Ok(render(&UnsubscribePage {
        kind: kind_name(&c, done.kind),
        c,
        token,
        done: true,
    }))
}

#[derive(Template)]
#[template(path = "event_leave.html")]
struct LeavePage {
    c: Ctx,
    event_id: i64,
    token: String,
    name: String,
    /// Whether the person still takes part (before leaving).
    taking_part: bool,
    done: bool,
}

/// A reminder's "I can't come any more" link opened: a page asking to confirm (mail clients
/// and scanners open links by themselves: a GET never changes anything).
pub async fn leave_page(
    State(state): State<AppState>,
    c: Ctx,
    Path((event_id, token)): Path<(i64, String)>,
) -> AppResult<Response> {
    let (event, _, taking_part) = service::events::leave_link(&state, event_id, &token).await?;
    Ok(render(&LeavePage {
        c,
        event_id,
        token,
        name: event.row.name,
        taking_part,
        done: false,
    }))
}

/// The page's button: the person leaves the event, without a session (the link's token is
/// what allows it).
pub async fn leave(
    State(state): State<AppState>,
    c: Ctx,
    Path((event_id, token)): Path<(i64, String)>,
) -> AppResult<Response> {
    let event = service::events::leave_by_link(&state, event_id, &token).await?;
    Ok(render(&LeavePage {
        c,
        event_id,
        token,
        name: event.row.name,
        taking_part: false,
        done: true,
    }))
}
