//! The directory: search, "find my section" by postcode, a remote group by handle or URL,
//! and the viewer's own groups.

use super::{GroupCard, card, cards};
use crate::{db::groups::MemberRow, error::AppResult, service::groups, state::AppState, web::Ctx};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    postcode: String,
}

#[derive(Template)]
#[template(path = "groups.html")]
struct DirectoryPage {
    c: Ctx,
    q: DirectoryQuery,
    searched: bool,
    results: Vec<GroupCard>,
    mine: Vec<(MemberRow, GroupCard)>,
    error: Option<String>,
}

impl DirectoryPage {
    fn kinds(&self) -> [&'static str; 4] {
        ["section", "federation", "theme", "initiative"]
    }

    fn state_label(&self, m: &MemberRow) -> String {
        if m.state == crate::domain::MembershipState::Accepted {
            self.c.t(&format!("group-role-{}", m.role))
        } else {
            self.c.t(&format!("group-state-{}", m.state))
        }
    }
}

/// Whether a search term names one group elsewhere (a handle with a host, or a URL).
fn names_a_remote_group(q: &str) -> bool {
    let q = q.trim();
    q.starts_with("https://")
        || q.starts_with("http://")
        || q.trim_start_matches('@')
            .split_once('@')
            .is_some_and(|(n, h)| {
                !n.is_empty() && !h.is_empty() && !q.contains(char::is_whitespace)
            })
}

/// `GET /groups`: the directory. A postcode finds the section of that place (or of its
/// département); a handle or URL opens that group's page, fetching it if it is new here.
pub async fn directory(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<DirectoryQuery>,
) -> AppResult<Response> {
    let signed_in = c.user.is_some();
    let mut error = None;
    if names_a_remote_group(&q.q) {
        match groups::find(&state, &q.q, signed_in).await {
            Ok(g) => return Ok(Redirect::to(&c.profile_path(&g.account)).into_response()),
            Err(e) if e.status.is_server_error() => return Err(e),
            Err(_) if !signed_in => error = Some(c.t("group-directory-sign-in-to-fetch")),
            Err(_) => error = Some(c.t("group-directory-not-found")),
        }
    }
    let searched = !(q.q.trim().is_empty() && q.kind.is_empty() && q.postcode.trim().is_empty());
    let found = if error.is_some() {
        Vec::new()
    } else {
        match groups::directory(
            &state,
            groups::DirectoryQuery {
                q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
                kind: Some(q.kind.clone()).filter(|s| !s.is_empty()),
                postcode: Some(q.postcode.clone()).filter(|s| !s.trim().is_empty()),
                departement: None,
                limit: 50,
                offset: 0,
            },
        )
        .await
        {
            Ok(found) => found,
            Err(e) if e.status.is_client_error() => {
                error = Some(e.message(c.locale));
                Vec::new()
            }
            Err(e) => return Err(e),
        }
    };
    let results = cards(&state, &c, found).await?;
    let mut mine = Vec::new();
    if signed_in {
        let me = c.me()?;
        for (m, g) in groups::my_groups(&state, &me).await? {
            mine.push((m, card(&state, &c, g).await?));
        }
    }
    Ok(crate::web::render(&DirectoryPage {
        c,
        q,
        searched,
        results,
        mine,
        error,
    }))
}
