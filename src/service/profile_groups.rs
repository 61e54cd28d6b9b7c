//! The groups a person shows on their profile (docs/SECURITY.md P11): hidden unless they tick
//! them in Settings → Profile, and a group joined by invitation only is never listed to
//! someone outside it.

use crate::{
    db,
    domain::Invalid,
    error::{AppError, AppResult},
    service::groups::{self, Group},
    state::AppState,
};

/// A group the person belongs to, with whether it is shown on their profile.
pub struct Choice {
    /// The group.
    pub group: Group,
    /// Shown on the profile.
    pub shown: bool,
}

/// The groups `account_id` belongs to (accepted), each with its box.
pub async fn choices(state: &AppState, account_id: i64) -> AppResult<Vec<Choice>> {
    let rows = db::profile_groups::choices(state.pool(), account_id).await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let found = groups::load_many(state, &ids).await?;
    Ok(found
        .into_iter()
        .map(|group| Choice {
            shown: rows
                .iter()
                .any(|(id, shown)| *id == group.account.id && *shown != 0),
            group,
        })
        .collect())
}

/// Shows exactly the groups in `group_ids` (ids as the form sent them) on the profile of
/// `account_id`. Every id must be a group they belong to: anything else is refused and
/// nothing changes.
pub async fn set(state: &AppState, account_id: i64, group_ids: &[String]) -> AppResult<()> {
    let mine = db::profile_groups::choices(state.pool(), account_id).await?;
    let mut ids = Vec::with_capacity(group_ids.len());
    for raw in group_ids {
        let id = raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| mine.iter().any(|(g, _)| g == id))
            .ok_or_else(|| {
                AppError::invalid(vec![Invalid::new("group", "error-profile-group-unknown")])
            })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    db::profile_groups::set_shown(state.pool(), account_id, &ids).await?;
    Ok(())
}

/// The groups `account_id` shows that `viewer` may see listed.
pub async fn shown(
    state: &AppState,
    account_id: i64,
    viewer: Option<i64>,
) -> AppResult<Vec<Group>> {
    let ids = db::profile_groups::shown(state.pool(), account_id, viewer).await?;
    groups::load_many(state, &ids).await
}
