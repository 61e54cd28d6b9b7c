//! The home and about pages.

use super::Ctx;
use crate::{domain::RegistrationMode, error::AppResult, service, state::AppState};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Ctx,
    description: String,
    sign_up_open: bool,
}

/// The home page: for people signed in, their timeline; for others, what this instance is
/// and the way in.
pub async fn home(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<super::social::PageQuery>,
) -> AppResult<Response> {
    if c.user.is_some() {
        return super::social::home(&state, c, q).await;
    }
    let mode = service::instance::registration_mode(&state).await?;
    let about = service::about::get(&state).await?;
    Ok(super::render(&HomePage {
        c,
        description: about.texts.short_description,
        sign_up_open: mode.accepts_sign_ups(),
    }))
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
