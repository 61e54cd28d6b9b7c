//! Groups' governance for the instance's administrators: who may create sections and
//! federations, and other groups (the configured default, overridden at run time); the
//! creations waiting for an administrator; group names that look like another group's,
//! flagged when a group is created or renamed.

use super::groups::{self, Group, NewGroupInput, load_many};
use crate::{
    clock,
    db::{
        self,
        accounts::{AccountRow, UserRow},
        governance::{FlagRow, RequestRow},
    },
    domain::{
        GroupKind,
        governance::{CreationPolicy, is_structure, name_key},
        modlog::{Action, Target},
    },
    error::{AppError, AppResult},
    service::modlog::{self, Entry},
    state::AppState,
};

const SECTIONS_SETTING: &str = "group_creation_sections";
const OTHERS_SETTING: &str = "group_creation_others";

/// The creation policies in force: (sections and federations, other groups).
pub async fn policies(state: &AppState) -> AppResult<(CreationPolicy, CreationPolicy)> {
    let read = |stored: Option<String>, default: CreationPolicy| {
        stored
            .and_then(|s| CreationPolicy::parse(&s).ok())
            .unwrap_or(default)
    };
    let moderation = &state.config.moderation;
    Ok((
        read(
            db::settings::get(state.pool(), SECTIONS_SETTING).await?,
            moderation.section_creation,
        ),
        read(
            db::settings::get(state.pool(), OTHERS_SETTING).await?,
            moderation.other_creation,
        ),
    ))
}

/// An administrator changes who may create groups (rule G1: administrators only).
pub async fn set_policies(
    state: &AppState,
    by: &UserRow,
    sections: CreationPolicy,
    others: CreationPolicy,
) -> AppResult<()> {
    modlog::require_admin(by)?;
    let (old_sections, old_others) = policies(state).await?;
    let mut tx = state.db.begin().await?;
    db::settings::set(&mut *tx, SECTIONS_SETTING, sections.as_str()).await?;
    db::settings::set(&mut *tx, OTHERS_SETTING, others.as_str()).await?;
    if (old_sections, old_others) != (sections, others) {
        modlog::record(
            &mut *tx,
            Entry::new(
                Some(by.account_id),
                Action::GroupCreationPolicy,
                Target::Instance,
                None,
                "",
            )
            .with(&[
                ("sections", sections.as_str().to_string()),
                ("others", others.as_str().to_string()),
            ]),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What someone may do about creating a group of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Create it at once.
    Create,
    /// Ask an administrator.
    Ask,
    /// Nothing: administrators only.
    Refused,
}

/// What `creator` may do about creating a group of `kind`: administrators always create;
/// others as the policy of that kind says.
pub async fn permission(
    state: &AppState,
    creator: &AccountRow,
    kind: GroupKind,
) -> AppResult<Permission> {
    let (sections, others) = policies(state).await?;
    let policy = if is_structure(kind) { sections } else { others };
    if policy == CreationPolicy::Anyone {
        return Ok(Permission::Create);
    }
    let admin = db::accounts::user_by_id(state.pool(), creator.id)
        .await?
        .is_some_and(|u| u.role.is_admin());
    Ok(match (admin, policy) {
        (true, _) | (_, CreationPolicy::Anyone) => Permission::Create,
        (false, CreationPolicy::Approval) => Permission::Ask,
        (false, CreationPolicy::Admins) => Permission::Refused,
    })
}

/// The longest queue of creations kept per person: asking more waits for decisions.
pub const MAX_REQUESTS_PER_PERSON: usize = 5;

/// Records a request to create a group (already checked); its handle is reserved until an
/// administrator decides. Gives the request's id.
pub(crate) async fn ask(
    state: &AppState,
    creator: &AccountRow,
    name: &str,
    kind: GroupKind,
    display_name: &str,
    input: &NewGroupInput,
) -> AppResult<i64> {
    if db::governance::requests_of(state.pool(), creator.id)
        .await?
        .len()
        >= MAX_REQUESTS_PER_PERSON
    {
        return Err(AppError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "error-group-requests-waiting",
        ));
    }
    let json = serde_json::to_string(input).map_err(AppError::internal)?;
    let id = db::governance::insert_request(
        state.pool(),
        creator.id,
        &name.to_lowercase(),
        kind.as_str(),
        display_name,
        &json,
        clock::now(),
    )
    .await?;
    id.ok_or_else(|| {
        AppError::invalid(vec![crate::domain::Invalid::new(
            "name",
            "error-group-name-taken",
        )])
        .with_status(axum::http::StatusCode::CONFLICT)
    })
}

/// A request with who asked.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request.
    pub row: RequestRow,
    /// Who asked (`None` if the account is gone meanwhile).
    pub by: Option<AccountRow>,
    /// Groups whose names look like the one asked for.
    pub lookalikes: Vec<Group>,
}

/// The creations waiting for a decision (administrators), with the groups whose names look
/// like each one's.
pub async fn requests(state: &AppState, by: &UserRow) -> AppResult<Vec<Request>> {
    modlog::require_admin(by)?;
    let rows = db::governance::requests(state.pool(), 100).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.account_id).collect();
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut conn = state.pool().acquire().await?;
    for row in rows {
        let keys = keys_of(&row.name, &row.display_name);
        let similar = db::governance::sharing_keys(&mut conn, 0, &keys).await?;
        let similar_ids: Vec<i64> = similar.iter().map(|(id, _)| *id).collect();
        out.push(Request {
            by: accounts.iter().find(|a| a.id == row.account_id).cloned(),
            lookalikes: load_many(state, &similar_ids).await?,
            row,
        });
    }
    Ok(out)
}

/// The requests a person is waiting on.
pub async fn my_requests(state: &AppState, who: &AccountRow) -> AppResult<Vec<RequestRow>> {
    Ok(db::governance::requests_of(state.pool(), who.id).await?)
}

/// An administrator approves a request: the group is created as asked (its creator its
/// first administrator), the request leaves the queue.
pub async fn approve(state: &AppState, by: &UserRow, id: i64) -> AppResult<Group> {
    modlog::require_admin(by)?;
    let row = db::governance::request(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let input: NewGroupInput = serde_json::from_str(&row.input).map_err(AppError::internal)?;
    let creator = db::accounts::by_id(state.pool(), row.account_id)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(AppError::not_found)?;
    let group = groups::create_requested(state, &creator, &input).await?;
    let mut tx = state.db.begin().await?;
    db::governance::take_request(&mut tx, id).await?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::GroupCreationApproved,
            Target::Account,
            Some(group.account.id),
            &group.account.username,
        )
        .with(&[("kind", row.kind.clone())]),
    )
    .await?;
    tx.commit().await?;
    Ok(group)
}

/// An administrator refuses a request: it leaves the queue and its handle is free again.
pub async fn refuse(state: &AppState, by: &UserRow, id: i64) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let row = db::governance::take_request(&mut tx, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::GroupCreationRefused,
            Target::GroupRequest,
            Some(row.id),
            &row.name,
        )
        .with(&[("kind", row.kind.clone())]),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The name keys of a group: its display name's and its handle's.
fn keys_of(username: &str, display_name: &str) -> Vec<String> {
    let mut keys: Vec<String> = [name_key(display_name), name_key(username)]
        .into_iter()
        .flatten()
        .collect();
    keys.dedup();
    keys
}

/// Records a group's names (created here, or seen from another server, perhaps renamed) in
/// the caller's transaction, and flags it when a name it did not have before looks like
/// another group's (a pair is flagged once, whichever way). Gives how many flags were raised.
pub(crate) async fn names_recorded(
    conn: &mut sqlx::AnyConnection,
    group_id: i64,
    username: &str,
    display_name: &str,
    now: i64,
) -> AppResult<usize> {
    let keys = keys_of(username, display_name);
    let before = db::governance::name_keys(conn, group_id).await?;
    let new: Vec<String> = keys
        .iter()
        .filter(|k| !before.contains(k))
        .cloned()
        .collect();
    if new.is_empty() && before.len() == keys.len() {
        return Ok(0);
    }
    db::governance::set_name_keys(conn, group_id, &keys).await?;
    let mut raised = 0;
    for (similar, key) in db::governance::sharing_keys(conn, group_id, &new).await? {
        if db::governance::flag(conn, group_id, similar, &key, now).await? {
            raised += 1;
        }
    }
    Ok(raised)
}

/// Gives name keys to the groups that have none (those known before look-alikes were
/// flagged), a batch at a time; none of them is flagged, since none is new.
pub(crate) async fn fill_name_keys(state: &AppState) -> AppResult<()> {
    let ids = db::governance::groups_without_keys(state.pool(), 100).await?;
    if ids.is_empty() {
        return Ok(());
    }
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    let mut conn = state.pool().acquire().await?;
    for a in accounts {
        let mut keys = keys_of(&a.username, &a.display_name);
        if keys.is_empty() {
            // Marks the group as seen: a key no name gives (names' keys are alphanumeric).
            keys.push("-".into());
        }
        db::governance::set_name_keys(&mut conn, a.id, &keys).await?;
    }
    Ok(())
}

/// A look-alike flag with both groups.
#[derive(Debug, Clone)]
pub struct Flag {
    /// The flag.
    pub row: FlagRow,
    /// The group flagged.
    pub group: Group,
    /// The earlier group it looks like.
    pub similar: Group,
}

/// The open look-alike flags (administrators), newest first.
pub async fn flags(state: &AppState, by: &UserRow) -> AppResult<Vec<Flag>> {
    modlog::require_admin(by)?;
    let rows = db::governance::open_flags(state.pool(), 100).await?;
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.group_id, r.similar_id])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let found = load_many(state, &ids).await?;
    let get = |id: i64| found.iter().find(|g| g.account.id == id).cloned();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Flag {
                group: get(row.group_id)?,
                similar: get(row.similar_id)?,
                row,
            })
        })
        .collect())
}

/// An administrator dismisses a flag (the names may look alike, the groups are fine).
pub async fn dismiss_flag(state: &AppState, by: &UserRow, id: i64) -> AppResult<()> {
    modlog::require_admin(by)?;
    let mut tx = state.db.begin().await?;
    let row = db::governance::dismiss(&mut tx, id, by.account_id, clock::now())
        .await?
        .ok_or_else(AppError::not_found)?;
    let label = db::accounts::by_id(&mut *tx, row.group_id)
        .await?
        .map(|a| a.username)
        .unwrap_or_default();
    modlog::record(
        &mut *tx,
        Entry::new(
            Some(by.account_id),
            Action::LookalikeDismissed,
            Target::Account,
            Some(row.group_id),
            &label,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
