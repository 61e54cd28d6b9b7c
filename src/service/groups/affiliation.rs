//! Sections and federations: a section asks to affiliate with a federation, whose
//! administrators answer; the sections of a federation and the federations of a group.

use super::{Group, load_many, require_role};
use crate::{
    clock,
    db::{self, accounts::AccountRow},
    domain::{FollowState, GroupKind, MemberRole},
    error::{AppError, AppResult},
    state::AppState,
};
use axum::http::StatusCode;

/// The sections affiliated with a federation, and those asking to be.
pub async fn sections(state: &AppState, federation: &Group) -> AppResult<Vec<Group>> {
    let ids = db::groups::affiliated(state.pool(), federation.account.id).await?;
    load_many(state, &ids).await
}

/// The federations a group belongs to, and whether each has accepted it yet.
pub async fn federations_of(state: &AppState, group: &Group) -> AppResult<Vec<(Group, bool)>> {
    let rows = db::groups::federations_of(state.pool(), group.account.id).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let found = load_many(state, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, st)| {
            // A federation follows its sections back: only federations count here.
            let g = found
                .iter()
                .find(|g| g.account.id == id && g.kind() == GroupKind::Federation)?
                .clone();
            Some((g, st == FollowState::Accepted))
        })
        .collect())
}

/// Affiliation requests to a local federation (administrators).
pub async fn affiliation_requests(
    state: &AppState,
    by: &AccountRow,
    federation: &Group,
) -> AppResult<Vec<Group>> {
    require_role(state, federation, by, MemberRole::Administrator).await?;
    let ids = db::groups::affiliation_requests(state.pool(), federation.account.id).await?;
    load_many(state, &ids).await
}

/// A section asks to affiliate with a federation (an administrator of the section acts): the
/// section follows the federation, which approves.
pub async fn affiliate(
    state: &AppState,
    by: &AccountRow,
    section: &Group,
    federation: &Group,
) -> AppResult<()> {
    require_role(state, section, by, MemberRole::Administrator).await?;
    if federation.kind() != GroupKind::Federation && federation.kind() != GroupKind::Other {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-not-federation",
        ));
    }
    crate::service::relationships::follow(state, &section.account, &federation.account).await?;
    // The section's administrators decided: its members will receive the federation's
    // members-only posts once the federation accepts.
    db::social::set_affiliation(state.pool(), section.account.id, federation.account.id).await?;
    Ok(())
}

/// A federation's administrator approves (or refuses) a section's affiliation; an approved
/// section is followed back, so the federation sees its public activity.
pub async fn answer_affiliation(
    state: &AppState,
    by: &AccountRow,
    federation: &Group,
    section_id: i64,
    approve: bool,
) -> AppResult<()> {
    require_role(state, federation, by, MemberRole::Administrator).await?;
    if approve {
        // Recorded first: the follow is accepted next, and an accepted follow between groups
        // without it gives nothing closed.
        db::social::set_affiliation(state.pool(), section_id, federation.account.id).await?;
        crate::service::relationships::authorize(state, &federation.account, section_id).await?;
        let section = db::accounts::by_id(state.pool(), section_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        crate::service::relationships::follow(state, &federation.account, &section).await?;
    } else {
        crate::service::relationships::reject(state, &federation.account, section_id).await?;
    }
    let mut tx = state.db.begin().await?;
    super::request_settled(
        &mut tx,
        federation.account.id,
        section_id,
        crate::domain::NotificationKind::AffiliationRequest,
    )
    .await?;
    tx.commit().await?;
    db::groups::audit(
        state.pool(),
        federation.account.id,
        by.id,
        if approve {
            "affiliation_approved"
        } else {
            "affiliation_refused"
        },
        &section_id.to_string(),
        clock::now(),
    )
    .await?;
    Ok(())
}
