//! Creating a local group, and recording what a remote group says of itself.

use super::{Group, load};
use crate::{
    clock, crypto,
    db::{self, accounts::AccountRow},
    domain::{
        GroupKind, Invalid, JoinMode, MemberRole, MembershipState, Place,
        group::{parse_group_name, parse_postcode},
        html,
    },
    error::{AppError, AppResult},
    service::governance::{self, Permission},
    state::AppState,
};
use axum::http::StatusCode;

/// The longest display name of a group.
pub const MAX_DISPLAY_NAME: usize = 100;

/// The longest description of a group.
pub const MAX_SUMMARY: usize = 2000;

/// What someone asks to create (kept as JSON while an administrator decides).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct NewGroupInput {
    /// The handle (`section_paris11`).
    pub name: String,
    /// The name shown.
    pub display_name: String,
    /// `section`, `federation`, `theme`, `initiative`.
    pub kind: String,
    /// Description (Markdown).
    pub summary: String,
    /// `open`, `approval` (default), `invite`.
    pub join_mode: Option<String>,
    /// Place.
    pub postcode: Option<String>,
    /// Place.
    pub commune: Option<String>,
    /// Place.
    pub departement: Option<String>,
    /// Whether followers may post to the group (by mentioning it).
    pub sympathizers_can_post: bool,
}

/// The lower-case text the directory searches.
pub fn search_text(username: &str, display_name: &str, commune: Option<&str>) -> String {
    format!(
        "{} {} {}",
        username.to_lowercase(),
        display_name.to_lowercase(),
        commune.unwrap_or_default().to_lowercase()
    )
}

/// What was asked, checked.
struct Checked {
    name: crate::domain::Username,
    display_name: String,
    kind: GroupKind,
    summary: String,
    join_mode: JoinMode,
    place: Place,
    sympathizers_can_post: bool,
}

/// Checks what someone asks to create; every refused field at once.
fn check(input: &NewGroupInput) -> AppResult<Checked> {
    let mut errors = Vec::new();
    let name = parse_group_name(&input.name)
        .map_err(|e| errors.push(e))
        .ok();
    let display_name = input.display_name.trim().to_string();
    if let Err(e) = crate::domain::check_length("display_name", &display_name, 1, MAX_DISPLAY_NAME)
    {
        errors.push(e);
    }
    let kind = GroupKind::parse_new(&input.kind)
        .map_err(|e| errors.push(e))
        .ok();
    let summary = input.summary.replace("\r\n", "\n").trim().to_string();
    if let Err(e) = crate::domain::check_length("summary", &summary, 0, MAX_SUMMARY) {
        errors.push(e);
    }
    let join_mode = match input.join_mode.as_deref().map(str::trim) {
        None | Some("") => Some(JoinMode::Approval),
        Some(m) => JoinMode::parse(m).map_err(|e| errors.push(e)).ok(),
    };
    let place = Place::parse(
        input.postcode.as_deref(),
        input.commune.as_deref(),
        input.departement.as_deref(),
    )
    .map_err(|e| errors.extend(e))
    .ok();
    if let (Some(kind), Some(place)) = (kind, &place) {
        if kind == GroupKind::Section && place.postcode.is_none() {
            errors.push(Invalid::new("postcode", "error-required"));
        }
        if kind == GroupKind::Federation && place.departement.is_none() {
            errors.push(Invalid::new("departement", "error-required"));
        }
    }
    let (Some(name), Some(kind), Some(join_mode), Some(place), true) =
        (name, kind, join_mode, place, errors.is_empty())
    else {
        return Err(AppError::invalid(errors));
    };
    Ok(Checked {
        name,
        display_name,
        kind,
        summary,
        join_mode,
        place,
        sympathizers_can_post: input.sympathizers_can_post,
    })
}

fn name_taken() -> AppError {
    AppError::invalid(vec![Invalid::new("name", "error-group-name-taken")])
        .with_status(StatusCode::CONFLICT)
}

/// Refuses a handle an account has, or (unless `own_request`) a creation waiting for an
/// administrator asked for.
async fn name_free(state: &AppState, name: &str, own_request: bool) -> AppResult<()> {
    if db::accounts::local_by_username(state.pool(), name)
        .await?
        .is_some()
    {
        return Err(name_taken());
    }
    if !own_request && db::governance::request_for_name(state.pool(), &name.to_lowercase()).await? {
        return Err(name_taken());
    }
    Ok(())
}

/// Creates a local group at once; its creator becomes its first administrator. Who may
/// create which kind is the instance's setting (`service::governance`): someone who must ask
/// an administrator, or may not create that kind, is refused (403) here; [`create_or_ask`]
/// asks for them.
pub async fn create(
    state: &AppState,
    creator: &AccountRow,
    input: NewGroupInput,
) -> AppResult<Group> {
    let checked = check(&input)?;
    match governance::permission(state, creator, checked.kind).await? {
        Permission::Create => {}
        Permission::Ask => return Err(AppError::forbidden("error-group-creation-approval")),
        Permission::Refused => return Err(AppError::forbidden("error-group-creation-admins")),
    }
    name_free(state, checked.name.as_str(), false).await?;
    insert(state, creator, checked).await
}

/// What asking to create a group gave.
#[derive(Debug, Clone)]
pub enum Creation {
    /// The group exists.
    Created(Box<Group>),
    /// An administrator decides: the request's id.
    Asked(i64),
}

/// Creates a group, or, where an administrator approves creations of its kind, records the
/// request in their queue (what was typed is checked first, and the handle reserved).
pub async fn create_or_ask(
    state: &AppState,
    creator: &AccountRow,
    input: NewGroupInput,
) -> AppResult<Creation> {
    let checked = check(&input)?;
    match governance::permission(state, creator, checked.kind).await? {
        Permission::Create => {
            name_free(state, checked.name.as_str(), false).await?;
            Ok(Creation::Created(Box::new(
                insert(state, creator, checked).await?,
            )))
        }
        Permission::Ask => {
            name_free(state, checked.name.as_str(), false).await?;
            let id = governance::ask(
                state,
                creator,
                checked.name.as_str(),
                checked.kind,
                &checked.display_name,
                &input,
            )
            .await?;
            Ok(Creation::Asked(id))
        }
        Permission::Refused => Err(AppError::forbidden("error-group-creation-admins")),
    }
}

/// Creates the group of an approved request (`service::governance::approve`), its handle
/// reserved by the request itself.
pub(crate) async fn create_requested(
    state: &AppState,
    creator: &AccountRow,
    input: &NewGroupInput,
) -> AppResult<Group> {
    let checked = check(input)?;
    name_free(state, checked.name.as_str(), true).await?;
    insert(state, creator, checked).await
}

/// Writes a checked group; its creator becomes its first administrator. Its name is compared
/// with the other groups' in the same transaction (look-alikes flagged to administrators).
async fn insert(state: &AppState, creator: &AccountRow, checked: Checked) -> AppResult<Group> {
    let Checked {
        name,
        display_name,
        kind,
        summary,
        join_mode,
        place,
        sympathizers_can_post,
    } = checked;
    let (private_pem, public_pem) = tokio::task::spawn_blocking(crypto::generate_rsa_keypair)
        .await
        .map_err(AppError::internal)?;
    let note_html = html::markdown_to_html(&summary);
    let uri = crate::service::accounts::actor_uri(state, name.as_str());
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let Some(id) = db::groups::insert_group_account(
        &mut tx,
        name.as_str(),
        &uri,
        &display_name,
        &summary,
        &note_html,
        &public_pem,
        &private_pem,
        now,
    )
    .await?
    else {
        return Err(name_taken());
    };
    db::groups::upsert(
        &mut *tx,
        &db::groups::NewGroup {
            account_id: id,
            kind,
            join_mode,
            sympathizers_can_post,
            postcode: place.postcode.as_deref(),
            commune: place.commune.as_deref(),
            departement: place.departement.as_deref(),
            search_text: &search_text(name.as_str(), &display_name, place.commune.as_deref()),
            members_url: None,
            created_by: Some(creator.id),
            now,
        },
    )
    .await?;
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: id,
            account_id: creator.id,
            role: MemberRole::Administrator,
            state: MembershipState::Accepted,
            message: "",
            uri: None,
            listed: true,
            now,
        },
    )
    .await?;
    governance::names_recorded(&mut tx, id, name.as_str(), &display_name, now).await?;
    tx.commit().await?;
    load(state, id).await?.ok_or_else(AppError::not_found)
}

/// A remote group as its actor document describes it (coopol's and Mobilizon's terms).
#[derive(Debug, Clone, Default)]
pub struct RemoteGroupInfo {
    /// coopol's `groupKind`.
    pub kind: Option<String>,
    /// Mobilizon's `openness` or coopol's join mode.
    pub join_mode: Option<JoinMode>,
    /// Postal code of its place.
    pub postcode: Option<String>,
    /// Locality of its place.
    pub commune: Option<String>,
    /// coopol's `departement`.
    pub departement: Option<String>,
    /// The members collection.
    pub members_url: Option<String>,
    /// Whether followers may post.
    pub sympathizers_can_post: bool,
}

/// Records what a remote group's actor says of it (called when the actor is stored).
pub async fn remember_remote(
    state: &AppState,
    account: &AccountRow,
    info: RemoteGroupInfo,
) -> AppResult<()> {
    let kind = info
        .kind
        .as_deref()
        .and_then(|k| GroupKind::parse(k).ok())
        .unwrap_or(GroupKind::Other);
    let postcode = info
        .postcode
        .as_deref()
        .and_then(|p| parse_postcode(p).ok());
    let commune: Option<String> = info.commune.map(|c| c.trim().chars().take(100).collect());
    let departement = info
        .departement
        .map(|d| d.trim().to_ascii_uppercase())
        .filter(|d| d.len() <= 3 && !d.is_empty())
        .or_else(|| {
            postcode
                .as_deref()
                .map(crate::domain::group::departement_of)
        });
    let join_mode = info
        .join_mode
        .unwrap_or_else(|| super::default_join_mode(account));
    db::groups::upsert(
        state.pool(),
        &db::groups::NewGroup {
            account_id: account.id,
            kind,
            join_mode,
            sympathizers_can_post: info.sympathizers_can_post,
            postcode: postcode.as_deref(),
            commune: commune.as_deref(),
            departement: departement.as_deref(),
            search_text: &search_text(&account.username, &account.display_name, commune.as_deref()),
            members_url: info.members_url.as_deref(),
            created_by: None,
            now: clock::now(),
        },
    )
    .await?;
    // A renamed group (or one first seen) is compared with the others' names.
    let mut conn = state.pool().acquire().await?;
    governance::names_recorded(
        &mut conn,
        account.id,
        &account.username,
        &account.display_name,
        clock::now(),
    )
    .await?;
    Ok(())
}
