//! Signing up, in and out.

use super::{Ctx, form::CsrfForm, form::checkbox, redirect_with_flash, render_status, safe_next};
use crate::{
    domain::{RegistrationMode, UserState},
    error::{AppError, AppResult},
    limits::{self, ClientIp},
    service::{self, accounts::Registration, accounts::SignedUp},
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    c: Ctx,
    email: String,
    next: String,
    error: Option<String>,
    sign_up_open: bool,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form.
pub async fn sign_in_page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    if c.user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let mode = service::instance::registration_mode(&state).await?;
    Ok(super::render(&SignInPage {
        c,
        email: String::new(),
        next,
        error: None,
        sign_up_open: mode.accepts_sign_ups(),
    }))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Checks the e-mail address and password, starts a session and goes where the person was
/// heading. Over a rate limit (per client address here, per account in the service) the form
/// comes back with the address typed, a message saying when to try again, 429 and
/// `Retry-After`.
pub async fn sign_in(
    State(state): State<AppState>,
    c: Ctx,
    ip: ClientIp,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    let result = match limits::check(&state.limits.sign_in, &ip.key()) {
        Ok(()) => service::accounts::authenticate(&state, &form.email, &form.password).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(user) => {
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let token = service::sessions::start(&state, user.account_id, agent).await?;
            Ok(with_session_cookie(
                &state,
                Redirect::to(&next).into_response(),
                token,
            ))
        }
        Err(e)
            if e.status == StatusCode::UNAUTHORIZED
                || e.status == StatusCode::FORBIDDEN
                || e.status == StatusCode::TOO_MANY_REQUESTS =>
        {
            let mode = service::instance::registration_mode(&state).await?;
            let error = Some(e.message(c.locale));
            let page = render_status(
                e.status,
                &SignInPage {
                    c,
                    email: form.email,
                    next,
                    error,
                    sign_up_open: mode.accepts_sign_ups(),
                },
            );
            Ok(limits::with_retry_after(page, &e))
        }
        Err(e) => Err(e),
    }
}

fn with_session_cookie(state: &AppState, mut response: Response, token: String) -> Response {
    let names = super::context::cookie_names(&state.config);
    let max_age = state.config.session_lifetime.as_secs() as i64;
    let c = super::context::cookie(&state.config, names.session, token, max_age);
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
pub struct SignOutForm {}

/// Ends the session.
pub async fn sign_out(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<SignOutForm>,
) -> AppResult<Response> {
    if let Some(token) = &c.session_token {
        service::sessions::end(&state, token).await?;
    }
    let names = super::context::cookie_names(&state.config);
    let mut response = redirect_with_flash(&state, "/", "flash-signed-out");
    let gone = super::context::cookie(&state.config, names.session, String::new(), 0);
    if let Ok(v) = HeaderValue::from_str(&gone.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    c: Ctx,
    mode: RegistrationMode,
    username: String,
    email: String,
    reason: String,
    invite_code: String,
    agreement: bool,
    errors: Vec<(String, String)>,
    /// A message about the whole form (a rate limit).
    notice: Option<String>,
    /// The instance's rules, each a box to tick, and the ids ticked.
    rules: Vec<crate::db::rules::RuleRow>,
    ticked: Vec<i64>,
}

impl SignUpPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn needs_invite(&self) -> bool {
        self.mode == RegistrationMode::Invite
    }

    fn needs_approval(&self) -> bool {
        self.mode == RegistrationMode::Approval
    }

    fn closed(&self) -> bool {
        self.mode == RegistrationMode::Closed
    }

    fn is_ticked(&self, id: &i64) -> bool {
        self.ticked.contains(id)
    }
}

#[derive(Deserialize, Default)]
pub struct SignUpQuery {
    invite: Option<String>,
}

/// The sign-up form (or, when registrations are closed, a page that says so).
pub async fn sign_up_page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<SignUpQuery>,
) -> AppResult<Response> {
    if c.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let mode = service::instance::registration_mode(&state).await?;
    Ok(super::render(&SignUpPage {
        c,
        mode,
        username: String::new(),
        email: String::new(),
        reason: String::new(),
        invite_code: q.invite.unwrap_or_default(),
        agreement: false,
        errors: Vec::new(),
        notice: None,
        rules: service::rules::list(&state).await?,
        ticked: Vec::new(),
    }))
}

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    invite_code: String,
    #[serde(default, deserialize_with = "checkbox")]
    agreement: bool,
    /// The rules' boxes, `rule-<id>=1` each (and any other field, ignored).
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

impl SignUpForm {
    /// The ids of the rules ticked.
    fn ticked(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .rest
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, _)| k.strip_prefix("rule-")?.parse().ok())
            .collect();
        ids.sort_unstable();
        ids
    }
}

#[derive(Template)]
#[template(path = "sign_up_pending.html")]
struct SignUpPendingPage {
    c: Ctx,
}

/// After a sign-up with e-mail on: the address must be confirmed first.
#[derive(Template)]
#[template(path = "sign_up_confirm.html")]
struct ConfirmPage {
    c: Ctx,
}

/// Registers an account. With errors the form comes back filled in (passwords excepted) with a
/// message next to each refused field. In approval mode an address that already has an
/// account gets the very page a new request gets (see `service::accounts::sign_up`).
pub async fn sign_up(
    State(state): State<AppState>,
    c: Ctx,
    ip: ClientIp,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<SignUpForm>,
) -> AppResult<Response> {
    let registration = Registration {
        username: form.username.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        password_confirmation: Some(form.password_confirmation.clone()),
        agreement: form.agreement,
        locale: Some(c.locale),
        reason: form.reason.clone(),
        invite_code: Some(form.invite_code.clone()),
    };
    let ticked = form.ticked();
    let result = match limits::check(&state.limits.registration, &ip.key()) {
        Ok(()) => service::accounts::sign_up_ticking(&state, registration, &ticked).await,
        Err(e) => Err(e),
    };
    // With e-mail on, every new account waits for its address to be confirmed, and a taken
    // address gets the same page.
    let confirming = service::mail::enabled(&state);
    match result {
        Ok(SignedUp::AddressInUse) if confirming => Ok(super::render(&ConfirmPage { c })),
        Ok(SignedUp::Account(user)) if user.email_unconfirmed == 1 => {
            Ok(super::render(&ConfirmPage { c }))
        }
        Ok(SignedUp::AddressInUse) => Ok(super::render(&SignUpPendingPage { c })),
        Ok(SignedUp::Account(user)) if user.state == UserState::Pending => {
            Ok(super::render(&SignUpPendingPage { c }))
        }
        Ok(SignedUp::Account(user)) => {
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let token = service::sessions::start(&state, user.account_id, agent).await?;
            let response = redirect_with_flash(&state, "/", "flash-welcome");
            Ok(with_session_cookie(&state, response, token))
        }
        Err(e) if !e.fields.is_empty() || e.status == StatusCode::TOO_MANY_REQUESTS => {
            let mode = service::instance::registration_mode(&state).await?;
            let errors = super::field_errors(&c, &e);
            let notice = e.fields.is_empty().then(|| e.message(c.locale));
            let page = render_status(
                e.status,
                &SignUpPage {
                    c,
                    mode,
                    username: form.username,
                    email: form.email,
                    reason: form.reason,
                    invite_code: form.invite_code,
                    agreement: form.agreement,
                    errors,
                    notice,
                    rules: service::rules::list(&state).await?,
                    ticked,
                },
            );
            Ok(limits::with_retry_after(page, &e))
        }
        Err(e) => Err(e),
    }
}

/// An invite link: opens the sign-up form with the code filled in.
pub async fn invite(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Response> {
    match service::instance::usable_invite(&state, &code).await? {
        Some(invite) => {
            let query = serde_urlencoded::to_string([("invite", invite.code.as_str())])
                .map_err(AppError::internal)?;
            Ok(Redirect::to(&format!("/auth/sign_up?{query}")).into_response())
        }
        None => Err(AppError::new(StatusCode::NOT_FOUND, "error-invite-invalid")),
    }
}
