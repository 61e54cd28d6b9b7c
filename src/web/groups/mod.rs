//! The group pages: the directory ("find my section", search, remote groups by handle or
//! URL), creating a group, a group's page (about, members count, discussions per circle,
//! agenda, sections of a federation), joining and leaving, the member list with approvals,
//! roles, invitations and the CSV export, and the audit log.
//!
//! Every rule lives in `service::groups`; these handlers read forms, call it and render.
//!
//! This module holds what the pages share (group cards, finding a person to invite); the
//! pages have a file each: `directory`, `create`, `page` (a group's page), `actions` (the
//! forms posted from it) and `members` (member list, moderation, CSV export, audit log).

mod actions;
mod create;
mod directory;
mod members;
mod page;

pub use actions::{action, affiliation_action, images, post_action};
pub use create::{create, new_page};
pub use directory::directory;
pub use members::{audit, member_action, members, members_csv};
pub use page::{GroupQuery, about, page, tab};

use crate::{
    db::accounts::AccountRow,
    error::{AppError, AppResult},
    federation,
    service::groups::Group,
    state::AppState,
    web::Ctx,
};

/// A group as the pages show it.
pub struct GroupCard {
    /// The group.
    pub group: Group,
    /// Its page, `/@name` or `/@name@host`.
    pub path: String,
    /// The prefix of its other pages and forms, `/groups/name`.
    pub base: String,
    /// `name@host`.
    pub handle: String,
    /// The name to show.
    pub name: String,
    /// The kind, in the page's language.
    pub kind_label: String,
    /// Commune, postcode and département, as one line.
    pub place: String,
    /// Accepted members (only known for this server's groups).
    pub members: Option<i64>,
    /// "Official — recognized by …" when someone recognizes it (`service::official`).
    pub official: Option<String>,
}

async fn card(state: &AppState, c: &Ctx, group: Group) -> AppResult<GroupCard> {
    let members = crate::service::groups::member_count(state, &group).await?;
    let place = [
        group.row.commune.clone(),
        group.row.postcode.clone(),
        group
            .row
            .departement
            .as_ref()
            .map(|d| c.ta("group-departement", "code", d)),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let official = super::governance::official_label(state, c, &group).await?;
    Ok(GroupCard {
        official,
        path: c.profile_path(&group.account),
        base: format!("/groups/{}", c.handle_of(&group.account)),
        handle: c.full_handle(&group.account),
        name: c.name_of(&group.account),
        kind_label: c.t(&format!("group-kind-{}", group.kind().as_str())),
        place,
        members,
        group,
    })
}

async fn cards(state: &AppState, c: &Ctx, list: Vec<Group>) -> AppResult<Vec<GroupCard>> {
    let mut out = Vec::with_capacity(list.len());
    for g in list {
        out.push(card(state, c, g).await?);
    }
    Ok(out)
}

/// A person named by handle (`name`, `name@host`) or URL, fetched if new here.
pub(super) async fn find_person(state: &AppState, handle: &str) -> AppResult<AccountRow> {
    if handle.is_empty() {
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "handle",
            "error-required",
        )]));
    }
    let local = !handle.trim_start_matches('@').contains('@') && !handle.contains("://");
    let found = if local {
        crate::service::directory::local(state, handle.trim_start_matches('@')).await?
    } else {
        match federation::resolve(state, handle).await {
            Ok(Some(federation::Resolved::Account(a))) => Some(*a),
            _ => None,
        }
    };
    found
        .filter(|a| a.deleted_at.is_none() && a.actor_type != "Group")
        .ok_or_else(|| {
            AppError::invalid(vec![crate::domain::Invalid::new(
                "handle",
                "error-account-unknown",
            )])
        })
}
