//! The moderation log page (`/admin/log`): what the instance's moderators and administrators
//! did, newest first, filtered by action; and, as a second tab, every group's log.
//! Administrators only.

use super::Ctx;
use crate::{
    db::modlog::{Filter, GroupLogRow, LogRow},
    domain::{Invalid, modlog::Action, modlog::params_of},
    error::AppResult,
    i18n,
    service::modlog,
    state::AppState,
};
use askama::Template;
use axum::{
    Router,
    extract::{Query, State},
    response::Response,
    routing::get,
};
use serde::Deserialize;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/log", get(page))
}

/// What the page's links and filter send.
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    max_id: String,
}

/// One line of the instance's log, its sentence made.
struct Line {
    row: LogRow,
    what: String,
}

#[derive(Template)]
#[template(path = "admin_log.html")]
struct LogPage {
    c: Ctx,
    groups: bool,
    action: String,
    actions: Vec<(&'static str, String)>,
    lines: Vec<Line>,
    group_lines: Vec<GroupLogRow>,
    next: Option<String>,
}

impl LogPage {
    fn selected(&self, name: &str) -> bool {
        name == self.action
    }

    fn group_action(&self, action: &str) -> String {
        self.c.t(&format!("group-audit-{action}"))
    }
}

/// `GET /admin/log`.
pub async fn page(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<LogQuery>,
) -> AppResult<Response> {
    let admin = c.require_admin()?.clone();
    let groups = match q.scope.as_str() {
        "" | "instance" => false,
        "groups" => true,
        _ => return Err(Invalid::new("scope", "error-modlog-scope").into()),
    };
    let max_id = match q.max_id.trim() {
        "" => None,
        t => Some(
            t.parse::<i64>()
                .map_err(|_| Invalid::new("max_id", "error-number"))?,
        ),
    };
    let action = match q.action.trim() {
        "" => None,
        name => {
            Some(Action::parse(name).ok_or_else(|| Invalid::new("action", "error-modlog-action"))?)
        }
    };
    let actions = Action::ALL
        .iter()
        .map(|a| (a.as_str(), c.t(&format!("modlog-filter-{}", a.as_str()))))
        .collect();
    let (lines, group_lines, last) = if groups {
        let rows = modlog::group_page(&state, &admin, max_id).await?;
        let last = (rows.len() as i64 == modlog::PAGE)
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        (Vec::new(), rows, last)
    } else {
        let filter = Filter {
            action: action.map(|a| a.as_str().to_string()),
            ..Filter::default()
        };
        let rows = modlog::page(&state, &admin, &filter, max_id).await?;
        let last = (rows.len() as i64 == modlog::PAGE)
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        let lines = rows
            .into_iter()
            .map(|row| {
                let mut args: Vec<(&str, String)> = vec![("target", row.target_label.clone())];
                let params = params_of(&row.params);
                args.extend(
                    params
                        .iter()
                        .map(|(k, v)| (k.as_str(), param_text(&c, k, v))),
                );
                let what = i18n::t_args(c.locale, &format!("modlog-{}", row.action), &args);
                Line { row, what }
            })
            .collect();
        (lines, Vec::new(), last)
    };
    let next = last.map(|id| {
        let mut url = format!("/admin/log?max_id={id}");
        if groups {
            url.push_str("&scope=groups");
        } else if let Some(a) = action {
            url.push_str("&action=");
            url.push_str(a.as_str());
        }
        url
    });
    Ok(super::render(&LogPage {
        c,
        groups,
        action: action.map(|a| a.as_str().to_string()).unwrap_or_default(),
        actions,
        lines,
        group_lines,
        next,
    }))
}

/// A parameter as the sentence shows it: roles and registration modes by their labels.
fn param_text(c: &Ctx, key: &str, value: &str) -> String {
    match key {
        "role" => super::role_label(c, value),
        "mode" => c.t(&format!("registration-mode-{value}")),
        _ => value.to_string(),
    }
}
