//! The directory of groups ("find my section"), and a person's own groups.

use super::{Group, load_many};
use crate::{
    db::{self, accounts::AccountRow, groups::MemberRow},
    domain::{GroupKind, group::parse_postcode},
    error::{AppError, AppResult},
    state::AppState,
};

/// A directory query.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    /// Words of the name or commune.
    pub q: Option<String>,
    /// A kind.
    pub kind: Option<String>,
    /// A postcode ("find my section").
    pub postcode: Option<String>,
    /// A département code.
    pub departement: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

/// Searches the directory of local and known remote groups. With a postcode and no group
/// there, the groups of its département answer ("find my section").
pub async fn directory(state: &AppState, query: DirectoryQuery) -> AppResult<Vec<Group>> {
    let mut errors = Vec::new();
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => GroupKind::parse(k).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    let postcode = match query
        .postcode
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => parse_postcode(p).map_err(|e| errors.push(e)).ok(),
        None => None,
    };
    let q = query
        .q
        .as_deref()
        .map(|q| q.trim().trim_start_matches('@').to_lowercase())
        .filter(|q| !q.is_empty());
    if let Some(q) = &q
        && let Err(e) = crate::domain::check_length("q", q, 1, 100)
    {
        errors.push(e);
    }
    let departement = query
        .departement
        .as_deref()
        .map(|d| d.trim().to_ascii_uppercase())
        .filter(|d| !d.is_empty());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let limit = query.limit.clamp(1, 80);
    let mut search = db::groups::Search {
        text: q.as_deref(),
        kind,
        postcode: postcode.as_deref(),
        departement: departement.as_deref(),
        limit,
        offset: query.offset.max(0),
    };
    let mut ids = db::groups::search(state.pool(), &search).await?;
    if ids.is_empty()
        && let Some(p) = &postcode
    {
        let dep = crate::domain::group::departement_of(p);
        search.postcode = None;
        search.departement = Some(&dep);
        ids = db::groups::search(state.pool(), &search).await?;
    }
    load_many(state, &ids).await
}

/// Local groups (accepted members included) of a person: memberships with their groups.
pub async fn my_groups(state: &AppState, who: &AccountRow) -> AppResult<Vec<(MemberRow, Group)>> {
    let memberships = db::groups::groups_of(state.pool(), who.id).await?;
    let ids: Vec<i64> = memberships.iter().map(|m| m.group_id).collect();
    let groups = load_many(state, &ids).await?;
    Ok(memberships
        .into_iter()
        .filter_map(|m| {
            let g = groups.iter().find(|g| g.account.id == m.group_id)?.clone();
            Some((m, g))
        })
        .collect())
}
