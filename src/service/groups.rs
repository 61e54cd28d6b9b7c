//! Groups: sections, federations, thematic groups and initiatives. Creating them, joining and
//! leaving, moderating members, posting to a circle, reading a group's timeline, listing and
//! exporting members, and the directory.
//!
//! Who may read a group post is decided by `group_posts` (see `db::groups::can_read`): the
//! post's circle in each group it appears in, and the viewer's membership or following there.
//! A group on another server decides its own membership; what we store of it is what it told
//! us (Accept of our people's Join).

use super::outgoing::{self, Outgoing};
use crate::{
    clock, crypto,
    db::{
        self,
        accounts::AccountRow,
        groups::{GroupRow, MemberRow},
        statuses::{Page, StatusRow},
    },
    domain::{
        Circle, FollowState, GroupKind, Invalid, JoinMode, MemberRole, MembershipState, Place,
        group::{parse_group_name, parse_postcode},
        html,
    },
    error::{AppError, AppResult},
    state::AppState,
};
use axum::http::StatusCode;

/// The longest display name of a group.
pub const MAX_DISPLAY_NAME: usize = 100;
/// The longest description of a group.
pub const MAX_SUMMARY: usize = 2000;
/// The longest message sent with a membership request.
pub const MAX_MESSAGE: usize = 1000;
/// The longest title of a discussion.
pub const MAX_TITLE: usize = 200;

/// A group: its actor and what coopol knows of it.
#[derive(Debug, Clone)]
pub struct Group {
    /// The actor.
    pub account: AccountRow,
    /// Kind, join mode, place.
    pub row: GroupRow,
}

impl Group {
    /// Its kind.
    pub fn kind(&self) -> GroupKind {
        self.row.kind
    }

    /// How people join.
    pub fn join_mode(&self) -> JoinMode {
        self.row.join_mode
    }

    /// Whether the group lives on this server (we decide its membership).
    pub fn is_local(&self) -> bool {
        self.account.is_local()
    }
}

/// What someone asks to create.
#[derive(Debug, Clone, Default)]
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

/// Creates a local group; its creator becomes its first administrator.
pub async fn create(
    state: &AppState,
    creator: &AccountRow,
    input: NewGroupInput,
) -> AppResult<Group> {
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
    if db::accounts::local_by_username(state.pool(), name.as_str())
        .await?
        .is_some()
    {
        return Err(
            AppError::invalid(vec![Invalid::new("name", "error-group-name-taken")])
                .with_status(StatusCode::CONFLICT),
        );
    }
    let (private_pem, public_pem) = tokio::task::spawn_blocking(crypto::generate_rsa_keypair)
        .await
        .map_err(AppError::internal)?;
    let note_html = html::markdown_to_html(&summary);
    let uri = super::accounts::actor_uri(state, name.as_str());
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
        return Err(
            AppError::invalid(vec![Invalid::new("name", "error-group-name-taken")])
                .with_status(StatusCode::CONFLICT),
        );
    };
    db::groups::upsert(
        &mut *tx,
        &db::groups::NewGroup {
            account_id: id,
            kind,
            join_mode,
            sympathizers_can_post: input.sympathizers_can_post,
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
    tx.commit().await?;
    load(state, id).await?.ok_or_else(AppError::not_found)
}

/// A group by account id (local or remote), if it exists and is not deleted.
pub async fn load(state: &AppState, id: i64) -> AppResult<Option<Group>> {
    let Some(account) = db::accounts::by_id(state.pool(), id).await? else {
        return Ok(None);
    };
    if account.actor_type != "Group" || account.deleted_at.is_some() {
        return Ok(None);
    }
    let row = match db::groups::by_id(state.pool(), id).await? {
        Some(r) => r,
        // A remote group known before coopol knew groups: what every group has.
        None => GroupRow {
            account_id: id,
            kind: GroupKind::Other,
            join_mode: if account.locked != 0 {
                JoinMode::Approval
            } else {
                JoinMode::Open
            },
            sympathizers_can_post: 0,
            postcode: None,
            commune: None,
            departement: None,
            members_url: None,
            created_by: None,
            created_at: account.created_at,
        },
    };
    Ok(Some(Group { account, row }))
}

/// A group or 404.
pub async fn get(state: &AppState, id: i64) -> AppResult<Group> {
    load(state, id).await?.ok_or_else(AppError::not_found)
}

/// Groups by ids, in the order given (unknown ones left out).
pub async fn load_many(state: &AppState, ids: &[i64]) -> AppResult<Vec<Group>> {
    let accounts = db::accounts::by_ids(state.pool(), ids).await?;
    let rows = db::groups::by_ids(state.pool(), ids).await?;
    let mut out = Vec::new();
    for id in ids {
        let (Some(account), Some(row)) = (
            accounts.iter().find(|a| a.id == *id),
            rows.iter().find(|r| r.account_id == *id),
        ) else {
            continue;
        };
        if account.deleted_at.is_none() {
            out.push(Group {
                account: account.clone(),
                row: row.clone(),
            });
        }
    }
    Ok(out)
}

/// A group by id: a number (a local or known remote group), a handle `name`, `@name`,
/// `name@host` or `@name@host`, or the URL of its actor. Unknown remote handles are looked up on their server when
/// `resolve` is set (signed-in callers), so anyone cannot make us fetch arbitrary hosts.
pub async fn find(state: &AppState, id: &str, resolve: bool) -> AppResult<Group> {
    if let Ok(n) = id.trim().parse::<i64>() {
        return get(state, n).await;
    }
    let id = id.trim();
    let handle = id.trim_start_matches('@');
    // Another server's group, when unknown here, is fetched (`service::Remote`).
    let fetch = |term: String| async move {
        match state.remote().filter(|_| resolve) {
            Some(remote) => remote.account(state, &term).await,
            None => None,
        }
    };
    let account = if id.starts_with("https://") || id.starts_with("http://") {
        match db::accounts::by_uri(state.pool(), id).await? {
            Some(a) => Some(a),
            None => fetch(id.to_string()).await,
        }
    } else {
        match handle.split_once('@') {
            None => db::accounts::local_by_username(state.pool(), handle).await?,
            Some((name, host)) if host.eq_ignore_ascii_case(&state.config.domain) => {
                db::accounts::local_by_username(state.pool(), name).await?
            }
            Some((name, host)) => {
                match db::accounts::by_handle(state.pool(), name, Some(host)).await? {
                    Some(a) => Some(a),
                    None => fetch(format!("{name}@{host}")).await,
                }
            }
        }
    };
    match account {
        Some(a) => get(state, a.id).await,
        None => Err(AppError::not_found()),
    }
}

/// Where a viewer stands in a group.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// The membership, whatever its state.
    pub membership: Option<MemberRow>,
    /// Follows the group (a sympathizer).
    pub following: bool,
}

impl Standing {
    /// The role of an accepted member.
    pub fn role(&self) -> Option<MemberRole> {
        self.membership
            .as_ref()
            .filter(|m| m.state == MembershipState::Accepted)
            .map(|m| m.role)
    }

    /// Whether an accepted member.
    pub fn is_member(&self) -> bool {
        self.role().is_some()
    }

    /// The highest circle the viewer reads: 0 public, 1 sympathizers, 2 members.
    pub fn level(&self) -> i64 {
        if self.is_member() {
            2
        } else if self.following {
            1
        } else {
            0
        }
    }
}

/// Where `viewer` stands in `group`.
pub async fn standing(state: &AppState, group: &Group, viewer: Option<i64>) -> AppResult<Standing> {
    let Some(v) = viewer else {
        return Ok(Standing::default());
    };
    Ok(Standing {
        membership: db::groups::member(state.pool(), group.account.id, v).await?,
        following: db::social::follows(state.pool(), v, group.account.id).await?,
    })
}

/// Refuses unless `who` is an accepted member of a local group with at least `role`.
async fn require_role(
    state: &AppState,
    group: &Group,
    who: &AccountRow,
    role: MemberRole,
) -> AppResult<MemberRole> {
    if !group.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-remote",
        ));
    }
    let standing = standing(state, group, Some(who.id)).await?;
    match standing.role() {
        Some(r) if r >= role => Ok(r),
        _ => Err(AppError::forbidden("error-group-role")),
    }
}

/// What became of a request to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    /// A member now.
    Joined,
    /// Waiting for a moderator (or, for a remote group, for its server's answer).
    Pending,
}

/// Checks a message sent with a request.
fn parse_message(message: Option<&str>) -> AppResult<String> {
    let m = message.unwrap_or_default().trim().to_string();
    crate::domain::check_length("message", &m, 0, MAX_MESSAGE)
        .map_err(|e| AppError::invalid(vec![e]))?;
    Ok(m)
}

/// A local person asks to join a group (local: decided here; remote: a `Join` to its server).
pub async fn join(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    message: Option<&str>,
) -> AppResult<JoinOutcome> {
    let message = parse_message(message)?;
    let existing = db::groups::member(state.pool(), group.account.id, who.id).await?;
    match existing.as_ref().map(|m| m.state) {
        Some(MembershipState::Accepted) => return Ok(JoinOutcome::Joined),
        Some(MembershipState::Banned) => return Err(AppError::forbidden("error-group-banned")),
        Some(MembershipState::Pending) => return Ok(JoinOutcome::Pending),
        Some(MembershipState::Invited) | None => {}
    }
    let now = clock::now();
    let join_uri = format!("{}#joins/{}", who.uri, crypto::random_code(16));
    let mut tx = state.db.begin().await?;
    if !group.is_local() {
        let id = db::groups::upsert_member(
            &mut tx,
            &db::groups::NewMember {
                group_id: group.account.id,
                account_id: who.id,
                role: MemberRole::Member,
                state: MembershipState::Pending,
                message: &message,
                uri: Some(&join_uri),
                listed: false,
                now,
            },
        )
        .await?;
        outgoing::push(&mut tx, &Outgoing::JoinGroup { member_id: id }).await?;
        tx.commit().await?;
        state.outbox_ready.notify_one();
        return Ok(JoinOutcome::Pending);
    }
    let invited = existing
        .as_ref()
        .is_some_and(|m| m.state == MembershipState::Invited);
    let accepted = match group.join_mode() {
        JoinMode::Open => true,
        JoinMode::Approval => invited,
        JoinMode::Invite if invited => true,
        JoinMode::Invite => return Err(AppError::forbidden("error-group-invite-only")),
    };
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role: MemberRole::Member,
            state: if accepted {
                MembershipState::Accepted
            } else {
                MembershipState::Pending
            },
            message: &message,
            uri: Some(&join_uri),
            listed: false,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(if accepted {
        JoinOutcome::Joined
    } else {
        JoinOutcome::Pending
    })
}

/// A remote person asks to join a local group (`Join`). Answered at once when the group is
/// open (or the person invited), else kept for the moderators.
pub async fn join_received(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    join_uri: &str,
    message: &str,
) -> AppResult<JoinOutcome> {
    let message: String = message.trim().chars().take(MAX_MESSAGE).collect();
    let existing = db::groups::member(state.pool(), group.account.id, who.id).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    // Banned people and requests to invite-only groups are refused at once.
    let state_name = match existing.as_ref().map(|m| m.state) {
        Some(MembershipState::Banned) => None,
        Some(MembershipState::Accepted | MembershipState::Invited) => {
            Some(MembershipState::Accepted)
        }
        Some(MembershipState::Pending) | None => match group.join_mode() {
            JoinMode::Open => Some(MembershipState::Accepted),
            JoinMode::Approval => Some(MembershipState::Pending),
            JoinMode::Invite => None,
        },
    };
    let Some(state_name) = state_name else {
        outgoing::push(
            &mut tx,
            &Outgoing::AnswerJoin {
                group_id: group.account.id,
                account_id: who.id,
                join_uri: join_uri.to_string(),
                accept: false,
            },
        )
        .await?;
        tx.commit().await?;
        state.outbox_ready.notify_one();
        return Ok(JoinOutcome::Pending);
    };
    let role = existing
        .as_ref()
        .filter(|m| m.state == MembershipState::Accepted)
        .map(|m| m.role)
        .unwrap_or(MemberRole::Member);
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role,
            state: state_name,
            message: &message,
            uri: Some(join_uri),
            listed: false,
            now,
        },
    )
    .await?;
    if state_name == MembershipState::Accepted {
        outgoing::push(
            &mut tx,
            &Outgoing::AnswerJoin {
                group_id: group.account.id,
                account_id: who.id,
                join_uri: join_uri.to_string(),
                accept: true,
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(if state_name == MembershipState::Accepted {
        JoinOutcome::Joined
    } else {
        JoinOutcome::Pending
    })
}

/// A remote group answered a local person's request (`Accept`/`Reject` of the Join).
pub async fn join_answered(
    state: &AppState,
    membership: &MemberRow,
    accepted: bool,
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    if accepted {
        db::groups::accept_member(&mut tx, membership.id, clock::now()).await?;
    } else {
        db::groups::delete_member(&mut tx, membership.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Counts the administrators of a group.
async fn administrators(state: &AppState, group_id: i64) -> AppResult<i64> {
    Ok(db::groups::administrator_count(state.pool(), group_id).await?)
}

/// A local person leaves a group (or withdraws a request). The last administrator of a local
/// group cannot leave it.
pub async fn leave(state: &AppState, who: &AccountRow, group: &Group) -> AppResult<()> {
    let Some(m) = db::groups::member(state.pool(), group.account.id, who.id).await? else {
        return Ok(());
    };
    if m.state == MembershipState::Banned {
        return Ok(());
    }
    if group.is_local()
        && m.role == MemberRole::Administrator
        && m.state == MembershipState::Accepted
        && administrators(state, group.account.id).await? <= 1
    {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-last-admin",
        ));
    }
    let mut tx = state.db.begin().await?;
    db::groups::delete_member(&mut tx, m.id).await?;
    if !group.is_local() {
        outgoing::push(
            &mut tx,
            &Outgoing::LeaveGroup {
                group_id: group.account.id,
                account_id: who.id,
                join_uri: m.uri.clone().unwrap_or_default(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// A remote member left a local group (`Leave`, or `Undo(Join)`).
pub async fn leave_received(state: &AppState, who: &AccountRow, group: &Group) -> AppResult<bool> {
    let Some(m) = db::groups::member(state.pool(), group.account.id, who.id).await? else {
        return Ok(false);
    };
    if m.state == MembershipState::Banned {
        return Ok(false);
    }
    let mut tx = state.db.begin().await?;
    db::groups::delete_member(&mut tx, m.id).await?;
    tx.commit().await?;
    Ok(true)
}

/// A remote group removed (or banned) a local member.
pub async fn removed_by_group(state: &AppState, group: &Group, who: &AccountRow) -> AppResult<()> {
    if let Some(m) = db::groups::member(state.pool(), group.account.id, who.id).await? {
        let mut tx = state.db.begin().await?;
        db::groups::delete_member(&mut tx, m.id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// What a moderator does to a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Accepts a request.
    Approve,
    /// Refuses a request.
    Reject,
    /// Removes a member and refuses them from now on.
    Ban,
    /// Removes a member (they may ask again).
    Remove,
}

/// A moderator acts on someone's membership of a local group.
pub async fn moderate(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    account_id: i64,
    action: Moderation,
) -> AppResult<MemberRow> {
    let my_role = require_role(state, group, by, MemberRole::Moderator).await?;
    let target = db::accounts::by_id(state.pool(), account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let existing = db::groups::member(state.pool(), group.account.id, account_id).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let result = match action {
        Moderation::Approve | Moderation::Reject => {
            let m = existing
                .filter(|m| m.state == MembershipState::Pending)
                .ok_or_else(|| {
                    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-group-no-request")
                })?;
            if action == Moderation::Approve {
                db::groups::accept_member(&mut tx, m.id, now).await?;
            } else {
                db::groups::delete_member(&mut tx, m.id).await?;
            }
            if !target.is_local() {
                outgoing::push(
                    &mut tx,
                    &Outgoing::AnswerJoin {
                        group_id: group.account.id,
                        account_id,
                        join_uri: m.uri.clone().unwrap_or_default(),
                        accept: action == Moderation::Approve,
                    },
                )
                .await?;
            }
            m
        }
        Moderation::Ban | Moderation::Remove => {
            if account_id == by.id {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "error-group-self",
                ));
            }
            let target_role = existing
                .as_ref()
                .filter(|m| m.state == MembershipState::Accepted)
                .map(|m| m.role);
            if target_role.is_some_and(|r| r >= my_role && my_role != MemberRole::Administrator)
                || target_role == Some(MemberRole::Administrator)
                    && my_role != MemberRole::Administrator
            {
                return Err(AppError::forbidden("error-group-role"));
            }
            let m = match (existing, action) {
                (Some(m), Moderation::Ban) => {
                    db::groups::ban_member(&mut tx, m.id).await?;
                    m
                }
                (None, Moderation::Ban) => {
                    let id = db::groups::upsert_member(
                        &mut tx,
                        &db::groups::NewMember {
                            group_id: group.account.id,
                            account_id,
                            role: MemberRole::Member,
                            state: MembershipState::Banned,
                            message: "",
                            uri: None,
                            listed: false,
                            now,
                        },
                    )
                    .await?;
                    banned_row(id, group.account.id, account_id)
                }
                (Some(m), _) => {
                    db::groups::delete_member(&mut tx, m.id).await?;
                    m
                }
                (None, _) => return Err(AppError::not_found()),
            };
            if !target.is_local() && m.state == MembershipState::Accepted {
                outgoing::push(
                    &mut tx,
                    &Outgoing::RemoveMember {
                        group_id: group.account.id,
                        account_id,
                    },
                )
                .await?;
            }
            m
        }
    };
    db::groups::audit(
        &mut *tx,
        group.account.id,
        by.id,
        match action {
            Moderation::Approve => "member_approved",
            Moderation::Reject => "member_rejected",
            Moderation::Ban => "member_banned",
            Moderation::Remove => "member_removed",
        },
        &target.uri,
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(
        db::groups::member(state.pool(), group.account.id, account_id)
            .await?
            .unwrap_or(result),
    )
}

/// The row a ban of a non-member creates (before its transaction commits).
fn banned_row(id: i64, group_id: i64, account_id: i64) -> MemberRow {
    MemberRow {
        id,
        group_id,
        account_id,
        role: MemberRole::Member,
        state: MembershipState::Banned,
        message: String::new(),
        uri: None,
        listed: 0,
        created_at: clock::now(),
        accepted_at: None,
    }
}

/// An administrator changes a member's role. A group keeps at least one administrator.
pub async fn set_role(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    account_id: i64,
    role: &str,
) -> AppResult<MemberRow> {
    let role = MemberRole::parse(role).map_err(|e| AppError::invalid(vec![e]))?;
    require_role(state, group, by, MemberRole::Administrator).await?;
    let m = db::groups::member(state.pool(), group.account.id, account_id)
        .await?
        .filter(|m| m.state == MembershipState::Accepted)
        .ok_or_else(AppError::not_found)?;
    if m.role == MemberRole::Administrator
        && role != MemberRole::Administrator
        && administrators(state, group.account.id).await? <= 1
    {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-last-admin",
        ));
    }
    let mut tx = state.db.begin().await?;
    db::groups::set_role(&mut tx, m.id, role).await?;
    db::groups::audit(
        &mut *tx,
        group.account.id,
        by.id,
        "role_changed",
        &format!("{} {}", account_id, role.as_str()),
        clock::now(),
    )
    .await?;
    tx.commit().await?;
    db::groups::member_by_id(state.pool(), m.id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A moderator invites someone (a local person, or a remote one by an `Invite`).
pub async fn invite(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    account_id: i64,
) -> AppResult<MemberRow> {
    require_role(state, group, by, MemberRole::Moderator).await?;
    let target = db::accounts::by_id(state.pool(), account_id)
        .await?
        .filter(|a| a.deleted_at.is_none() && a.actor_type == "Person")
        .ok_or_else(AppError::not_found)?;
    let existing = db::groups::member(state.pool(), group.account.id, account_id).await?;
    if let Some(m) = &existing
        && m.state != MembershipState::Pending
    {
        return Ok(m.clone());
    }
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    // A pending request and an invitation together make a member.
    let state_name = if existing.is_some() {
        MembershipState::Accepted
    } else {
        MembershipState::Invited
    };
    let id = db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id,
            role: MemberRole::Member,
            state: state_name,
            message: existing.as_ref().map(|m| m.message.as_str()).unwrap_or(""),
            uri: existing.as_ref().and_then(|m| m.uri.as_deref()),
            listed: false,
            now,
        },
    )
    .await?;
    if !target.is_local() {
        let outgoing = if state_name == MembershipState::Accepted {
            Outgoing::AnswerJoin {
                group_id: group.account.id,
                account_id,
                join_uri: existing.and_then(|m| m.uri).unwrap_or_default(),
                accept: true,
            }
        } else {
            Outgoing::InviteMember {
                group_id: group.account.id,
                by_id: by.id,
                account_id,
            }
        };
        outgoing::push(&mut tx, &outgoing).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    db::groups::member_by_id(state.pool(), id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A remote group invited a local person: remembered, so joining is one click.
pub async fn invited_by_group(state: &AppState, group: &Group, who: &AccountRow) -> AppResult<()> {
    if db::groups::member(state.pool(), group.account.id, who.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut tx = state.db.begin().await?;
    db::groups::upsert_member(
        &mut tx,
        &db::groups::NewMember {
            group_id: group.account.id,
            account_id: who.id,
            role: MemberRole::Member,
            state: MembershipState::Invited,
            message: "",
            uri: None,
            listed: false,
            now: clock::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a member appears in the list other members see.
pub async fn set_listed(
    state: &AppState,
    who: &AccountRow,
    group: &Group,
    listed: bool,
) -> AppResult<()> {
    let m = db::groups::member(state.pool(), group.account.id, who.id)
        .await?
        .filter(|m| m.state == MembershipState::Accepted)
        .ok_or_else(AppError::not_found)?;
    db::groups::set_listed(state.pool(), m.id, listed).await?;
    Ok(())
}

/// A page of a group's member list as `viewer` may see it: administrators and moderators see
/// everyone (and, with `state` = `pending`, the requests); members see the members who chose
/// to be listed; others see nothing.
pub async fn members(
    state: &AppState,
    viewer: &AccountRow,
    group: &Group,
    pending: bool,
    after_id: i64,
    limit: i64,
) -> AppResult<Vec<MemberRow>> {
    let standing = standing(state, group, Some(viewer.id)).await?;
    let role = standing
        .role()
        .ok_or_else(|| AppError::forbidden("error-group-members-only"))?;
    let staff = role >= MemberRole::Moderator;
    if pending && !staff {
        return Err(AppError::forbidden("error-group-role"));
    }
    let state_name = if pending {
        MembershipState::Pending
    } else {
        MembershipState::Accepted
    };
    Ok(db::groups::members(
        state.pool(),
        group.account.id,
        state_name,
        !staff,
        after_id,
        limit.clamp(1, 500),
    )
    .await?)
}

/// The member list as CSV (administrators of local groups), recorded in the audit log.
pub async fn members_csv(state: &AppState, by: &AccountRow, group: &Group) -> AppResult<String> {
    require_role(state, group, by, MemberRole::Administrator).await?;
    let mut out = String::from("handle,display_name,role,joined_at,listed\r\n");
    let mut after = 0;
    let mut count = 0;
    loop {
        let page = db::groups::members(
            state.pool(),
            group.account.id,
            MembershipState::Accepted,
            false,
            after,
            500,
        )
        .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|m| m.account_id).collect();
        let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
        for m in &page {
            let Some(a) = accounts.iter().find(|a| a.id == m.account_id) else {
                continue;
            };
            let handle = match &a.domain {
                Some(d) => format!("{}@{d}", a.username),
                None => format!("{}@{}", a.username, state.config.domain),
            };
            out.push_str(&format!(
                "{},{},{},{},{}\r\n",
                csv_field(&handle),
                csv_field(&a.display_name),
                m.role,
                m.accepted_at.map(clock::to_rfc3339).unwrap_or_default(),
                m.listed != 0
            ));
            count += 1;
        }
    }
    db::groups::audit(
        state.pool(),
        group.account.id,
        by.id,
        "members_export",
        &format!("{count} members"),
        clock::now(),
    )
    .await?;
    Ok(out)
}

/// One CSV field: quoted when needed, and never starting like a spreadsheet formula.
pub(crate) fn csv_field(value: &str) -> String {
    let mut v = value.to_string();
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A group's audit log (administrators).
pub async fn audit_log(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
) -> AppResult<Vec<db::groups::AuditRow>> {
    require_role(state, group, by, MemberRole::Administrator).await?;
    Ok(db::groups::audit_log(state.pool(), group.account.id, 200).await?)
}

/// What a member writes to a group.
#[derive(Debug, Clone, Default)]
pub struct GroupPost {
    /// The text.
    pub text: String,
    /// `public`, `sympathizers`, `members`.
    pub audience: String,
    /// A discussion's title.
    pub title: Option<String>,
    /// The post it answers (a reply in a discussion).
    pub in_reply_to_id: Option<i64>,
    /// Content warning.
    pub spoiler_text: String,
}

/// Whether `author` may post to `group` in `circle`: members always; followers in the public
/// and sympathizers circles when the group allows it. For a remote group, our records of the
/// membership decide here; its server decides again.
pub async fn may_post(
    state: &AppState,
    group: &Group,
    author_id: i64,
    circle: Circle,
) -> AppResult<bool> {
    let standing = standing(state, group, Some(author_id)).await?;
    if standing.is_member() {
        return Ok(true);
    }
    Ok(standing.following && group.row.sympathizers_can_post != 0 && circle != Circle::Members)
}

/// A local member posts to a group.
pub async fn post(
    state: &AppState,
    author: &AccountRow,
    group: &Group,
    input: GroupPost,
) -> AppResult<StatusRow> {
    let mut errors = Vec::new();
    let circle = Circle::parse(&input.audience)
        .map_err(|e| errors.push(e))
        .ok();
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    if let Some(t) = &title
        && let Err(e) = crate::domain::check_length("title", t, 1, MAX_TITLE)
    {
        errors.push(e);
    }
    if let Err(e) = crate::domain::status::check_status_text(&input.text, &input.spoiler_text) {
        errors.push(e);
    }
    let Some(circle) = circle.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    if !may_post(state, group, author.id, circle).await? {
        return Err(AppError::forbidden("error-group-post-forbidden"));
    }
    let parent = match input.in_reply_to_id {
        Some(id) => {
            let p = super::statuses::visible(state, Some(author.id), id)
                .await
                .map_err(|_| {
                    AppError::invalid(vec![Invalid::new("in_reply_to_id", "error-reply-target")])
                })?;
            if thread_root(state, &p).await?.thread_locked != 0 {
                return Err(AppError::forbidden("error-thread-locked"));
            }
            Some(p)
        }
        None => None,
    };
    super::statuses::create_in_group(
        state,
        author,
        super::statuses::Compose {
            text: input.text,
            spoiler_text: input.spoiler_text,
            in_reply_to_id: parent.map(|p| p.id),
            ..Default::default()
        },
        Some((group, circle, title)),
    )
    .await
}

/// The first post of a thread.
pub async fn thread_root(state: &AppState, status: &StatusRow) -> AppResult<StatusRow> {
    let mut current = status.clone();
    for _ in 0..100 {
        let Some(pid) = current.in_reply_to_id else {
            break;
        };
        match db::statuses::by_id(state.pool(), pid).await? {
            Some(p) => current = p,
            None => break,
        }
    }
    Ok(current)
}

/// Distributes a post in a local group: the group's timeline, its local readers' home
/// timelines, and an `Announce` to its remote readers. Runs in the caller's transaction.
pub async fn distribute(
    conn: &mut sqlx::AnyConnection,
    group: &Group,
    status_id: i64,
    circle: Circle,
) -> AppResult<()> {
    if !db::groups::add_post(conn, group.account.id, status_id, circle).await? {
        return Ok(());
    }
    let mut readers = db::groups::local_members(conn, group.account.id).await?;
    if circle != Circle::Members {
        readers.extend(db::social::local_followers(conn, group.account.id).await?);
    }
    db::social::add_to_feeds(conn, status_id, &readers).await?;
    if group.is_local() {
        outgoing::push(
            conn,
            &Outgoing::GroupAnnounce {
                group_id: group.account.id,
                status_id,
            },
        )
        .await?;
    }
    Ok(())
}

/// The circle a viewer may read in a group's timeline, and the posts of one page.
pub async fn timeline(
    state: &AppState,
    viewer: Option<i64>,
    group: &Group,
    only: Option<Circle>,
    page: Page,
) -> AppResult<Vec<StatusRow>> {
    let standing = standing(state, group, viewer).await?;
    Ok(db::groups::timeline(
        state.pool(),
        group.account.id,
        standing.level(),
        only.map(Circle::as_str),
        page,
    )
    .await?)
}

/// A moderator removes a post from a local group: it is deleted here, and the removal is
/// announced to everyone who received it.
pub async fn remove_post(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    status_id: i64,
) -> AppResult<()> {
    require_role(state, group, by, MemberRole::Moderator).await?;
    let status = db::statuses::by_id(state.pool(), status_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let in_group = db::groups::post_groups(state.pool(), status_id)
        .await?
        .into_iter()
        .find(|(g, _)| *g == group.account.id);
    let Some((_, circle)) = in_group else {
        return Err(AppError::not_found());
    };
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    db::statuses::delete(&mut tx, status.id, &status.uri, now).await?;
    outgoing::push(
        &mut tx,
        &Outgoing::GroupRemove {
            group_id: group.account.id,
            moderator_id: by.id,
            status_id: status.id,
            status_uri: status.uri.clone(),
            circle,
        },
    )
    .await?;
    db::groups::audit(
        &mut *tx,
        group.account.id,
        by.id,
        "post_removed",
        &status.uri,
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_ready.notify_one();
    Ok(())
}

/// What a remote group's removal did here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// A remote post written in the group: deleted here.
    Deleted,
    /// Taken out of the group's circles only (a local post, or one shared from elsewhere).
    Unplaced,
    /// Not in the group here: nothing done.
    NotHere,
}

/// A remote group's moderators removed a post from it. A group removes only its own
/// placement (docs/SECURITY.md, rule T6): the post leaves the group's circles; a remote post
/// written in the group (its home) is deleted here, since the group decides what is shown in
/// it; a local post is never deleted by another server, and an id unknown here is not
/// remembered (no tombstone: that would refuse a post before it exists).
pub async fn removed_remote(
    state: &AppState,
    group: &Group,
    status_uri: &str,
) -> AppResult<Removal> {
    let Some(status) = db::statuses::by_uri(state.pool(), status_uri).await? else {
        return Ok(Removal::NotHere);
    };
    let home = status.group_id == Some(group.account.id);
    let mut tx = state.db.begin().await?;
    let removal = if home && status.local == 0 {
        // Remembered as deleted only when the group's server is the post's: a group does
        // not refuse for good another server's posts (a post merely naming it is "in" it).
        if crate::domain::same_origin_ids(&status.uri, &group.account.uri) {
            db::statuses::delete(&mut tx, status.id, &status.uri, clock::now()).await?;
        } else {
            db::statuses::forget(&mut tx, status.id).await?;
        }
        Removal::Deleted
    } else if db::groups::remove_post(&mut tx, group.account.id, status.id).await? || home {
        Removal::Unplaced
    } else {
        Removal::NotHere
    };
    tx.commit().await?;
    Ok(removal)
}

/// A moderator locks (or unlocks) a thread of a local group: no more replies.
pub async fn lock_thread(
    state: &AppState,
    by: &AccountRow,
    group: &Group,
    status_id: i64,
    locked: bool,
) -> AppResult<StatusRow> {
    require_role(state, group, by, MemberRole::Moderator).await?;
    let status = db::statuses::by_id(state.pool(), status_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let in_group = db::groups::post_groups(state.pool(), status_id)
        .await?
        .iter()
        .any(|(g, _)| *g == group.account.id);
    if !in_group {
        return Err(AppError::not_found());
    }
    let root = thread_root(state, &status).await?;
    db::groups::set_thread_locked(state.pool(), root.id, locked).await?;
    db::groups::audit(
        state.pool(),
        group.account.id,
        by.id,
        if locked {
            "thread_locked"
        } else {
            "thread_unlocked"
        },
        &root.uri,
        clock::now(),
    )
    .await?;
    db::statuses::by_id(state.pool(), root.id)
        .await?
        .ok_or_else(AppError::not_found)
}

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
    super::relationships::follow(state, &section.account, &federation.account).await?;
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
        super::relationships::authorize(state, &federation.account, section_id).await?;
        let section = db::accounts::by_id(state.pool(), section_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        super::relationships::follow(state, &federation.account, &section).await?;
    } else {
        super::relationships::reject(state, &federation.account, section_id).await?;
    }
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
    let join_mode = info.join_mode.unwrap_or(if account.locked != 0 {
        JoinMode::Approval
    } else {
        JoinMode::Open
    });
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
    Ok(())
}
