//! The server-rendered interface: pages in French and English, built from Askama templates in
//! `src/web/templates`, styled by one stylesheet, usable without JavaScript.
//!
//! Every web route runs inside [`layer`], which resolves the session, the language and the CSRF
//! token once, hands them to handlers as [`Ctx`], renders errors as pages, and adds the
//! security headers. Handlers are thin: they read a form, call a service, render a template.

mod admin;
mod announcements;
pub(crate) mod assets;
mod auth;
mod confirm;
mod context;
mod dashboard;
pub mod dates;
mod deliveries;
mod domain_policy;
mod events;
mod form;
mod governance;
mod groups;
mod mail;
pub mod media;
mod modlog;
mod moving;
mod oauth;
mod pages;
mod personal_data;
mod polls;
mod profile_groups;
mod reports;
mod requests;
mod rules;
mod sanctions;
mod settings;
mod social;
pub(crate) mod uploads;

pub use context::Ctx;

use crate::{
    crypto,
    domain::{Locale, Role},
    error::{AppError, ErrorExtension},
    service,
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use context::{cookie, cookie_names};

/// The routes of the web interface.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/about", get(pages::about))
        .route("/public", get(social::public))
        .route("/tags/{tag}", get(social::tag))
        .route("/direct", get(social::direct))
        .route("/search", get(social::search))
        .route("/notifications", get(social::notifications))
        .route("/notifications/requests", get(requests::page))
        .route("/notifications/policy", post(requests::set_policy))
        .route(
            "/notifications/requests/{id}/{action}",
            post(requests::action),
        )
        .route("/follow_requests", get(social::follow_requests))
        .route(
            "/follow_requests/{id}/{action}",
            post(social::follow_request_action),
        )
        .route("/statuses", post(social::create))
        .route("/statuses/{id}/vote", post(polls::vote))
        .route("/statuses/{id}/{action}", post(social::status_action))
        .route("/accounts/{id}/{action}", post(social::account_action))
        .route("/groups", get(groups::directory).post(groups::create))
        .route("/groups/new", get(groups::new_page))
        .route("/groups/images", post(groups::images))
        .route("/groups/{handle}/members", get(groups::members))
        .route("/groups/{handle}/members.csv", get(groups::members_csv))
        .route("/groups/{handle}/audit", get(groups::audit))
        .route("/groups/{handle}/calendar.ics", get(events::group_ics))
        .route("/events/{id}/calendar.ics", get(events::event_ics))
        .route("/events", post(events::create))
        .route("/events/new", get(events::new_page))
        .route("/events/edit", post(events::edit_upload))
        .route("/events/{id}", get(events::page))
        .route(
            "/events/{id}/edit",
            get(events::edit_page).post(events::edit),
        )
        .route(
            "/events/{id}/participants.csv",
            get(events::participants_csv),
        )
        .route("/events/{id}/{action}", post(events::action))
        .route(
            "/events/{id}/shifts/{shift_id}/{action}",
            post(events::shift_action),
        )
        .route(
            "/events/{id}/participants/{account_id}/{action}",
            post(events::decide),
        )
        .route("/agenda", get(events::agenda))
        .route("/agenda/calendar-link", post(events::calendar_link))
        .route(
            "/agenda/calendar-link/revoke",
            post(events::revoke_calendar_link),
        )
        .route("/calendar/{token}/events.ics", get(events::private_ics))
        .route("/missions", get(events::board))
        .route("/groups/{handle}", get(groups::about))
        .route(
            "/groups/{handle}/{action}",
            get(groups::tab).post(groups::action),
        )
        .route(
            "/groups/{handle}/members/{account_id}/{action}",
            post(groups::member_action),
        )
        .route(
            "/groups/{handle}/posts/{status_id}/{action}",
            post(groups::post_action),
        )
        .route(
            "/groups/{handle}/affiliations/{section_id}/{action}",
            post(groups::affiliation_action),
        )
        .route("/@{handle}", get(social::profile))
        .route("/@{handle}/{id}", get(social::thread))
        .route("/@{handle}/tagged/{tag}", get(social::profile_tagged))
        .route("/auth/sign_in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/auth/sign_up", get(auth::sign_up_page).post(auth::sign_up))
        .route("/auth/sign_out", post(auth::sign_out))
        .route("/invite/{code}", get(auth::invite))
        .route("/auth/password/new", get(mail::password_new))
        .route("/auth/password", post(mail::password_ask))
        .route(
            "/auth/password/edit",
            get(mail::password_edit).post(mail::password_reset),
        )
        .route("/auth/confirm", get(mail::confirm))
        .route("/auth/confirmation/new", get(mail::confirmation_new))
        .route("/auth/confirmation", post(mail::confirmation_ask))
        .route("/settings/email", get(mail::email_page).post(mail::email))
        .route(
            "/mail/unsubscribe/{token}",
            get(mail::unsubscribe_page).post(mail::unsubscribe),
        )
        .route(
            "/events/{id}/leave/{token}",
            get(mail::leave_page).post(mail::leave),
        )
        .route(
            "/settings",
            get(settings::profile_page).post(settings::profile),
        )
        .route(
            "/settings/password",
            get(settings::password_page).post(settings::password),
        )
        .route(
            "/settings/preferences",
            get(settings::preferences_page).post(settings::preferences),
        )
        .route(
            "/settings/notifications",
            get(settings::notifications_page).post(settings::notifications),
        )
        .route(
            "/settings/delete",
            get(settings::delete_page).post(settings::delete),
        )
        .route("/settings/data", get(personal_data::data_page))
        .route("/settings/data/export", post(personal_data::request_export))
        .route("/settings/data/exports/{id}", get(personal_data::download))
        .route("/settings/data/import", post(personal_data::import_file))
        .route("/settings/images", post(settings::images))
        .route("/settings/posting", post(settings::posting))
        .route("/locale", post(settings::locale))
        .route("/admin", get(admin::index).post(admin::registration_mode))
        .route("/admin/registrations/{id}/approve", post(admin::approve))
        .route("/admin/registrations/{id}/reject", post(admin::reject))
        .route("/admin/users/{id}/role", post(admin::role))
        .route("/admin/invites", post(admin::create_invite))
        .route("/admin/invites/{id}/revoke", post(admin::revoke_invite))
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize),
        )
        .merge(announcements::routes())
        .merge(modlog::routes())
        .merge(moving::routes())
        .merge(sanctions::routes())
        .merge(domain_policy::routes())
        .merge(deliveries::routes())
        .merge(reports::routes())
        .merge(rules::routes())
        .merge(governance::routes())
        .merge(profile_groups::routes())
        .route("/static/{file}", get(assets::serve))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, layer))
}

/// Builds the request's [`Ctx`], runs the handler, renders an error page if it failed, and sets
/// cookies and security headers.
async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let config = &state.config;
    let names = cookie_names(config);
    let jar = CookieJar::from_headers(req.headers());
    let mut new_cookies: Vec<Cookie<'static>> = Vec::new();

    let csrf = match jar.get(names.csrf).map(|c| c.value().to_string()) {
        Some(token) if is_token(&token) => token,
        _ => {
            let token = crypto::random_token(32);
            // A year: the token guards forms and carries no identity.
            new_cookies.push(cookie(config, names.csrf, token.clone(), 365 * 24 * 3600));
            token
        }
    };

    let session_token = jar
        .get(names.session)
        .map(|c| c.value().to_string())
        .filter(|t| is_token(t));
    let (user, account) = match &session_token {
        Some(token) => match service::sessions::user(&state, token).await {
            Ok(found) => found.unzip(),
            Err(e) => return e.into_response(),
        },
        None => (None, None),
    };
    if session_token.is_some() && user.is_none() {
        // The session ended (signed out elsewhere, expired, password changed): forget it.
        new_cookies.push(cookie(config, names.session, String::new(), 0));
    }

    let locale = user
        .as_ref()
        .and_then(|u| u.locale.as_deref())
        .and_then(|l| Locale::parse(l).ok())
        .or_else(|| {
            jar.get(names.lang)
                .and_then(|c| Locale::parse(c.value()).ok())
        })
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::negotiate)
        })
        .unwrap_or(config.default_locale);

    // The reader's zone: theirs, else the instance's (a stored name no longer known, after a
    // time zone database change, falls back too).
    let zone = user
        .as_ref()
        .and_then(|u| u.time_zone.as_deref())
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(config.default_time_zone);

    let flash = jar
        .get(names.flash)
        .map(|c| c.value().to_string())
        .filter(|k| {
            k.starts_with("flash-") && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        });

    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let method = req.method().clone();
    // The menu's unread count: on the pages a GET shows, for someone signed in.
    let unread = match (&account, method == Method::GET) {
        (Some(a), true) => service::notifications::unread_count(
            &state,
            a.id,
            &crate::domain::NotificationKind::ALL,
        )
        .await
        .unwrap_or(0),
        _ => 0,
    };
    let ctx = Ctx {
        locale,
        user,
        account,
        session_token: session_token
            .filter(|_| !new_cookies.iter().any(|c| c.name() == names.session)),
        csrf,
        instance_name: service::about::name(&state)
            .await
            .unwrap_or_else(|_| config.instance_name.clone()),
        domain: config.domain.clone(),
        path: path.clone(),
        flash: flash.clone(),
        unread,
        zone,
    };
    req.extensions_mut().insert(ctx.clone());

    let mut response = next.run(req).await;

    if let Some(ErrorExtension(err)) = response.extensions().get::<ErrorExtension>().cloned() {
        response = if err.status == StatusCode::UNAUTHORIZED && method == Method::GET {
            Redirect::to(&sign_in_url(&path)).into_response()
        } else {
            error_page(&ctx, &err)
        };
    }
    if flash.is_some() && !response.status().is_redirection() {
        new_cookies.push(cookie(config, names.flash, String::new(), 0));
    }
    let headers = response.headers_mut();
    for c in new_cookies {
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    security_headers(headers);
    response
}

/// Unknown pages: a 404 page in the visitor's language.
async fn not_found() -> AppError {
    AppError::not_found()
}

/// Whether a cookie value looks like one of our tokens (43 URL-safe Base64 characters).
fn is_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The sign-in page, coming back to `next` afterwards.
pub fn sign_in_url(next: &str) -> String {
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    format!("/auth/sign_in?{query}")
}

/// A local path to go back to, from untrusted input: anything that is not a plain local path
/// (an absolute URL, `//host`, a backslash trick) becomes `/`, so no one can use our redirects
/// to send people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

fn security_headers(headers: &mut axum::http::HeaderMap) {
    let set =
        |headers: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
            headers
                .entry(name)
                .or_insert(HeaderValue::from_static(value));
        };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
         media-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "same-origin");
    // Pages can show personal data: shared caches must not keep them.
    set(headers, header::CACHE_CONTROL, "private, no-cache");
}

/// Renders a template into a response (a 500 page if rendering fails, which a test prevents).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

/// Renders a template with a status other than 200.
pub fn render_status(status: StatusCode, template: &impl Template) -> Response {
    let mut response = render(template);
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// A redirect after a form, with a one-time message shown on the next page.
pub fn redirect_with_flash(state: &AppState, to: &str, flash_key: &'static str) -> Response {
    let names = cookie_names(&state.config);
    let mut response = Redirect::to(to).into_response();
    let c = cookie(&state.config, names.flash, flash_key.to_string(), 60);
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: &'a Ctx,
    status: u16,
    message: String,
}

fn error_page(ctx: &Ctx, err: &AppError) -> Response {
    let page = ErrorPage {
        c: ctx,
        status: err.status.as_u16(),
        message: err.message(ctx.locale),
    };
    let response = match page.render() {
        Ok(html) => (err.status, Html(html)).into_response(),
        Err(_) => (err.status, err.message(ctx.locale)).into_response(),
    };
    crate::limits::with_retry_after(response, err)
}

/// A value percent-encoded for a query string.
pub fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The messages of a refused form, by field name, in the page's language.
pub fn field_errors(ctx: &Ctx, e: &AppError) -> Vec<(String, String)> {
    e.fields
        .iter()
        .map(|f| {
            (
                f.field.to_string(),
                crate::i18n::t_args(ctx.locale, f.key, &f.args),
            )
        })
        .collect()
}

/// The message for `field` among a form's errors.
pub fn error_for<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

/// The role names the admin page offers, with their labels.
pub fn role_label(ctx: &Ctx, role: &str) -> String {
    match Role::parse(role) {
        Ok(Role::Admin) => ctx.t("role-admin"),
        Ok(Role::Moderator) => ctx.t("role-moderator"),
        _ => ctx.t("role-member"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_local() {
        assert_eq!(safe_next(Some("/settings?x=1")), "/settings?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn sign_in_url_encodes_next() {
        assert_eq!(
            sign_in_url("/oauth/authorize?a=1&b=2"),
            "/auth/sign_in?next=%2Foauth%2Fauthorize%3Fa%3D1%26b%3D2"
        );
    }
}
