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
    Ok(super::render(&HomePage {
        c,
        description: state.config.instance_description.clone(),
        sign_up_open: mode.accepts_sign_ups(),
    }))
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    c: Ctx,
    description: String,
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
    Ok(super::render(&AboutPage {
        c,
        description: state.config.instance_description.clone(),
        contact_email: state.config.contact_email.clone(),
        source_url: state.config.source_url.clone(),
        mode,
        moderated,
    }))
}
