//! The home page (the landing page for visitors) and the about page.

use super::Ctx;
use crate::{domain::RegistrationMode, error::AppResult, service, state::AppState};
use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Ctx,
    description: String,
    sign_up_open: bool,
    /// The instance's rules.
    rules: Vec<crate::db::rules::RuleRow>,
    /// The postcode typed (kept as typed, also when refused).
    postcode: String,
    /// Why the postcode was refused.
    postcode_error: Option<String>,
    /// The département the events are near (a valid postcode's).
    near: Option<String>,
    /// Upcoming public events and missions (near `near` when given).
    events: Vec<super::events::EventCard>,
    missions: Vec<super::events::EventCard>,
}

/// The landing page's query: a postcode, to show the events near it.
#[derive(Deserialize, Default)]
pub struct LandingQuery {
    #[serde(default)]
    postcode: Option<String>,
}

/// Events and missions each on the landing page.
const LANDING_EVENTS: usize = 6;

/// The home page: for people signed in, their timeline; for others, the landing page: what
/// this instance is, finding one's section by postcode, upcoming public events and missions
/// (near the postcode given), the rules and the way in.
pub async fn home(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<super::social::PageQuery>,
    Query(landing): Query<LandingQuery>,
) -> AppResult<Response> {
    if c.user.is_some() {
        return super::social::home(&state, c, q).await;
    }
    let mode = service::instance::registration_mode(&state).await?;
    let about = service::about::get(&state).await?;
    let postcode = landing.postcode.unwrap_or_default();
    let (near, postcode_error) = if postcode.trim().is_empty() {
        (None, None)
    } else {
        match crate::domain::group::parse_postcode(&postcode) {
            Ok(p) => (Some(crate::domain::group::departement_of(&p)), None),
            Err(e) => (None, Some(c.t(e.key))),
        }
    };
    let events = service::landing::upcoming(&state, near.clone(), false, LANDING_EVENTS).await?;
    let missions = service::landing::upcoming(&state, near.clone(), true, LANDING_EVENTS).await?;
    let status = if postcode_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(super::render_status(
        status,
        &HomePage {
            c,
            description: about.texts.short_description,
            sign_up_open: mode.accepts_sign_ups(),
            rules: service::rules::list(&state).await?,
            postcode,
            postcode_error,
            near,
            events: super::events::cards(&state, events).await?,
            missions: super::events::cards(&state, missions).await?,
        },
    ))
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    c: Ctx,
    description: String,
    /// The extended description and the privacy policy as sanitized HTML (empty: not
    /// written; the privacy section then says what coopol itself does with data).
    extended_html: String,
    privacy_html: String,
    contact_username: Option<String>,
    rules: Vec<crate::db::rules::RuleRow>,
    contact_email: String,
    source_url: String,
    mode: RegistrationMode,
    /// The moderated servers, when the configuration shows them to this visitor.
    moderated: Option<Vec<crate::service::domain_policy::PublicBlock>>,
}

impl AboutPage {
    fn mode_label(&self) -> String {
        self.c
            .t(&format!("registration-mode-{}", self.mode.as_str()))
    }
}

/// Who runs the instance, how to join, and what is done with personal data.
pub async fn about(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let mode = service::instance::registration_mode(&state).await?;
    let moderated = service::domain_policy::public_list(&state, c.user.is_some()).await?;
    let about = service::about::get(&state).await?;
    let contact = service::about::contact_account(&state, &about).await?;
    let t = about.texts;
    Ok(super::render(&AboutPage {
        c,
        description: t.short_description,
        extended_html: crate::domain::html::markdown_to_html(&t.extended_description),
        privacy_html: crate::domain::html::markdown_to_html(&t.privacy_policy),
        contact_username: contact.map(|a| a.username),
        rules: service::rules::list(&state).await?,
        contact_email: t.contact_email,
        source_url: state.config.source_url.clone(),
        mode,
        moderated,
    }))
}
