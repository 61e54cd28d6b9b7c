//! The group pages: the directory ("find my section", search, remote groups by handle or
//! URL), creating a group, a group's page (about, members count, discussions per circle,
//! agenda, sections of a federation), joining and leaving, the member list with approvals,
//! roles, invitations and the CSV export, and the audit log.
//!
//! Every rule lives in `service::groups`; these handlers read forms, call it and render.

use super::{
    Ctx,
    form::CsrfForm,
    redirect_with_flash, render_status,
    social::{Feed, feed},
};
use crate::{
    db::{self, accounts::AccountRow, groups::MemberRow, statuses::Page},
    domain::{Circle, GroupKind, JoinMode, MemberRole, MembershipState},
    error::{AppError, AppResult},
    federation,
    service::groups::{self, Group, Moderation, Standing},
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

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
}

async fn card(state: &AppState, c: &Ctx, group: Group) -> AppResult<GroupCard> {
    let members = if group.is_local() {
        Some(db::groups::member_count(state.pool(), group.account.id).await?)
    } else {
        None
    };
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
    Ok(GroupCard {
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

// ---------------------------------------------------------------------------------------------
// Directory

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
    Ok(super::render(&DirectoryPage {
        c,
        q,
        searched,
        results,
        mine,
        error,
    }))
}

// ---------------------------------------------------------------------------------------------
// Creating a group

/// The creation form (kept as typed when refused).
#[derive(Deserialize, Default)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    join_mode: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    commune: String,
    #[serde(default)]
    departement: String,
    #[serde(default)]
    sympathizers_can_post: Option<String>,
}

#[derive(Template)]
#[template(path = "group_new.html")]
struct NewGroupPage {
    c: Ctx,
    f: CreateForm,
    errors: Vec<(String, String)>,
}

impl NewGroupPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }

    fn kinds(&self) -> [&'static str; 4] {
        ["section", "federation", "theme", "initiative"]
    }

    fn modes(&self) -> [&'static str; 3] {
        ["open", "approval", "invite"]
    }

    fn kind_chosen(&self, k: &str) -> bool {
        self.f.kind == k || (self.f.kind.is_empty() && k == "section")
    }

    fn mode_chosen(&self, m: &str) -> bool {
        self.f.join_mode == m || (self.f.join_mode.is_empty() && m == "approval")
    }
}

/// `GET /groups/new`.
pub async fn new_page(c: Ctx) -> AppResult<Response> {
    c.require_user()?;
    Ok(super::render(&NewGroupPage {
        c,
        f: CreateForm::default(),
        errors: Vec::new(),
    }))
}

/// `POST /groups`: creates a group; its creator is its first administrator.
pub async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(f): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let result = groups::create(
        &state,
        &me,
        groups::NewGroupInput {
            name: f.name.trim().to_string(),
            display_name: f.display_name.clone(),
            kind: f.kind.clone(),
            summary: f.summary.clone(),
            join_mode: opt(&f.join_mode),
            postcode: opt(&f.postcode),
            commune: opt(&f.commune),
            departement: opt(&f.departement),
            sympathizers_can_post: f.sympathizers_can_post.is_some(),
        },
    )
    .await;
    match result {
        Ok(g) => Ok(redirect_with_flash(
            &state,
            &c.profile_path(&g.account),
            "flash-group-created",
        )),
        Err(e) if e.status.is_client_error() && !e.fields.is_empty() => {
            let errors = super::field_errors(&c, &e);
            Ok(render_status(e.status, &NewGroupPage { c, f, errors }))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// A group's page

#[derive(Deserialize, Default)]
pub struct GroupQuery {
    #[serde(default)]
    max_id: Option<i64>,
    #[serde(default)]
    audience: String,
}

impl GroupQuery {
    /// The page of posts asked for.
    pub fn page(&self) -> Page {
        Page {
            max_id: self.max_id,
            limit: 20,
            ..Page::default()
        }
    }
}

/// The posting form on a group's page (kept as typed when refused).
#[derive(Deserialize, Default, Clone)]
pub struct GroupPostForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    spoiler_text: String,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupPage {
    c: Ctx,
    g: GroupCard,
    standing: Standing,
    /// The circle tab shown (`""` for all the viewer may read).
    audience: String,
    feed: Feed,
    /// The circles the viewer may post in (empty: no form).
    post_circles: Vec<&'static str>,
    post: GroupPostForm,
    post_error: Option<String>,
    join_message: String,
    join_error: Option<String>,
    sections: Vec<GroupCard>,
    affiliation_requests: Vec<GroupCard>,
    /// The federations a section belongs to (`true`) or asked to join (`false`, shown to
    /// its administrators).
    federations: Vec<(GroupCard, bool)>,
    /// Upcoming events the viewer may see.
    events: Vec<super::events::EventCard>,
    base_path: String,
}

impl GroupPage {
    fn circles(&self) -> Vec<&'static str> {
        let level = self.standing.level();
        ["public", "sympathizers", "members"]
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i as i64 <= level)
            .map(|(_, c)| c)
            .collect()
    }

    fn circle_label(&self, circle: &str) -> String {
        self.c.t(&format!("group-circle-{circle}"))
    }

    fn is_staff(&self) -> bool {
        self.g.group.is_local()
            && self
                .standing
                .role()
                .is_some_and(|r| r >= MemberRole::Moderator)
    }

    fn is_admin(&self) -> bool {
        self.g.group.is_local() && self.standing.role() == Some(MemberRole::Administrator)
    }

    fn is_member(&self) -> bool {
        self.standing.is_member()
    }

    fn membership_state(&self) -> Option<MembershipState> {
        self.standing.membership.as_ref().map(|m| m.state)
    }

    fn role_label(&self) -> String {
        self.standing
            .role()
            .map(|r| self.c.t(&format!("group-role-{}", r.as_str())))
            .unwrap_or_default()
    }

    fn join_mode_label(&self) -> String {
        self.c
            .t(&format!("group-join-{}", self.g.group.join_mode().as_str()))
    }

    fn needs_message(&self) -> bool {
        self.g.group.join_mode() == JoinMode::Approval || !self.g.group.is_local()
    }

    fn may_join(&self) -> bool {
        let invited = self.membership_state() == Some(MembershipState::Invited);
        (self.membership_state().is_none() || invited)
            && (self.g.group.join_mode() != JoinMode::Invite || invited || !self.g.group.is_local())
    }

    fn is_federation(&self) -> bool {
        self.g.group.kind() == GroupKind::Federation
    }

    fn post_chosen(&self, circle: &str) -> bool {
        if self.post.audience.is_empty() {
            circle == "public"
        } else {
            self.post.audience == circle
        }
    }

    fn sign_in_path(&self) -> String {
        super::sign_in_url(&self.g.path)
    }

    fn tab_path(&self, circle: &str) -> String {
        if circle.is_empty() {
            self.g.path.clone()
        } else {
            format!("{}?audience={circle}", self.g.path)
        }
    }
}

/// Builds a group's page; `post` and `join` carry a refused form back with its error.
async fn group_page(
    state: &AppState,
    c: Ctx,
    group: Group,
    q: &GroupQuery,
    post: Option<(GroupPostForm, String)>,
    join: Option<(String, String)>,
) -> AppResult<GroupPage> {
    let viewer = c.user.as_ref().map(|u| u.account_id);
    let standing = groups::standing(state, &group, viewer).await?;
    let only = match q.audience.as_str() {
        "" => None,
        a => Some(Circle::parse(a).map_err(|e| AppError::invalid(vec![e]))?),
    };
    let page = q.page();
    let rows = groups::timeline(state, viewer, &group, only, page).await?;
    let feed = feed(state, viewer, rows, page.limit).await?;
    let mut post_circles = Vec::new();
    if let Some(v) = viewer {
        for circle in [Circle::Public, Circle::Sympathizers, Circle::Members] {
            if groups::may_post(state, &group, v, circle).await? {
                post_circles.push(circle.as_str());
            }
        }
    }
    let is_admin = group.is_local() && standing.role() == Some(MemberRole::Administrator);
    let sections = if group.kind() == GroupKind::Federation {
        cards(state, &c, groups::sections(state, &group).await?).await?
    } else {
        Vec::new()
    };
    let mut affiliation_requests = Vec::new();
    let mut federations = Vec::new();
    for (f, accepted) in groups::federations_of(state, &group).await? {
        if accepted || is_admin {
            federations.push((card(state, &c, f).await?, accepted));
        }
    }
    if is_admin {
        let me = c.me()?;
        if group.kind() == GroupKind::Federation {
            affiliation_requests = cards(
                state,
                &c,
                groups::affiliation_requests(state, &me, &group).await?,
            )
            .await?;
        }
    }
    let (post, post_error) = match post {
        Some((f, e)) => (f, Some(e)),
        None => (GroupPostForm::default(), None),
    };
    let (join_message, join_error) = match join {
        Some((m, e)) => (m, Some(e)),
        None => (String::new(), None),
    };
    let events = super::events::of_group(state, viewer, &group).await?;
    let g = card(state, &c, group).await?;
    let base_path = match q.audience.as_str() {
        "" => g.path.clone(),
        a => format!("{}?audience={a}", g.path),
    };
    Ok(GroupPage {
        c,
        g,
        standing,
        audience: q.audience.clone(),
        feed,
        post_circles,
        post,
        post_error,
        join_message,
        join_error,
        sections,
        affiliation_requests,
        federations,
        events,
        base_path,
    })
}

/// A group's page (shown at its profile address `/@name`).
pub async fn page(state: &AppState, c: Ctx, group: Group, q: GroupQuery) -> AppResult<Response> {
    Ok(super::render(
        &group_page(state, c, group, &q, None, None).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    message: String,
    #[serde(default)]
    federation: String,
    #[serde(default)]
    listed: Option<String>,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    spoiler_text: String,
}

/// `POST /groups/{handle}/{join|leave|post|affiliate|listed|invite}`.
pub async fn action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, action)): Path<(String, String)>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let back = c.profile_path(&group.account);
    match action.as_str() {
        "join" => match groups::join(&state, &me, &group, Some(&f.message)).await {
            Ok(groups::JoinOutcome::Joined) => {
                Ok(redirect_with_flash(&state, &back, "flash-group-joined"))
            }
            Ok(groups::JoinOutcome::Pending) => {
                Ok(redirect_with_flash(&state, &back, "flash-group-requested"))
            }
            Err(e) if !e.fields.is_empty() => {
                let message = e.message(c.locale);
                let page = group_page(
                    &state,
                    c,
                    group,
                    &GroupQuery::default(),
                    None,
                    Some((f.message, message)),
                )
                .await?;
                Ok(render_status(e.status, &page))
            }
            Err(e) => Err(e),
        },
        "leave" => {
            groups::leave(&state, &me, &group).await?;
            Ok(redirect_with_flash(&state, &back, "flash-group-left"))
        }
        "post" => {
            let p = GroupPostForm {
                title: f.title,
                status: f.status,
                audience: f.audience,
                spoiler_text: f.spoiler_text,
            };
            let kept = p.clone();
            let input = groups::GroupPost {
                text: p.status.clone(),
                audience: if p.audience.is_empty() {
                    "public".into()
                } else {
                    p.audience.clone()
                },
                title: Some(p.title.clone()),
                in_reply_to_id: None,
                spoiler_text: p.spoiler_text.clone(),
            };
            match groups::post(&state, &me, &group, input).await {
                Ok(_) => Ok(redirect_with_flash(&state, &back, "flash-posted")),
                Err(e) if e.status.is_client_error() => {
                    let message = e.message(c.locale);
                    let page = group_page(
                        &state,
                        c,
                        group,
                        &GroupQuery::default(),
                        Some((kept, message)),
                        None,
                    )
                    .await?;
                    Ok(render_status(e.status, &page))
                }
                Err(e) => Err(e),
            }
        }
        "affiliate" => {
            let name = f.federation.trim();
            if name.is_empty() {
                return Err(AppError::invalid(vec![crate::domain::Invalid::new(
                    "federation",
                    "error-required",
                )]));
            }
            let federation = groups::find(&state, name, true).await?;
            groups::affiliate(&state, &me, &group, &federation).await?;
            Ok(redirect_with_flash(
                &state,
                &back,
                "flash-group-affiliation-requested",
            ))
        }
        "listed" => {
            groups::set_listed(&state, &me, &group, f.listed.is_some()).await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/groups/{}/members", c.handle_of(&group.account)),
                "flash-settings-saved",
            ))
        }
        "invite" => {
            let target = find_person(&state, f.handle.trim()).await?;
            groups::invite(&state, &me, &group, target.id).await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/groups/{}/members", c.handle_of(&group.account)),
                "flash-group-invited",
            ))
        }
        _ => Err(AppError::not_found()),
    }
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
        db::accounts::local_by_username(state.pool(), handle.trim_start_matches('@')).await?
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

/// `POST /groups/{handle}/posts/{status_id}/{remove|lock|unlock}` (moderators).
pub async fn post_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, status_id, action)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let status_id: i64 = status_id.parse().map_err(|_| AppError::not_found())?;
    let back = c.profile_path(&group.account);
    let flash = match action.as_str() {
        "remove" => {
            groups::remove_post(&state, &me, &group, status_id).await?;
            "flash-group-post-removed"
        }
        "lock" => {
            groups::lock_thread(&state, &me, &group, status_id, true).await?;
            "flash-group-thread-locked"
        }
        "unlock" => {
            groups::lock_thread(&state, &me, &group, status_id, false).await?;
            "flash-group-thread-unlocked"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(&state, &back, flash))
}

/// `POST /groups/{handle}/affiliations/{section_id}/{approve|reject}` (administrators of a
/// federation).
pub async fn affiliation_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, section_id, action)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let section_id: i64 = section_id.parse().map_err(|_| AppError::not_found())?;
    let approve = match action.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::not_found()),
    };
    groups::answer_affiliation(&state, &me, &group, section_id, approve).await?;
    Ok(redirect_with_flash(
        &state,
        &c.profile_path(&group.account),
        if approve {
            "flash-request-accepted"
        } else {
            "flash-request-refused"
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Members

#[derive(Deserialize, Default)]
pub struct MembersQuery {
    #[serde(default)]
    after: Option<i64>,
}

/// One line of the member list.
pub struct MemberLine {
    row: MemberRow,
    account: AccountRow,
}

#[derive(Template)]
#[template(path = "group_members.html")]
struct MembersPage {
    c: Ctx,
    g: GroupCard,
    standing: Standing,
    pending: Vec<MemberLine>,
    invited: Vec<MemberLine>,
    members: Vec<MemberLine>,
    next: Option<i64>,
}

impl MembersPage {
    fn is_staff(&self) -> bool {
        self.standing
            .role()
            .is_some_and(|r| r >= MemberRole::Moderator)
    }

    fn is_admin(&self) -> bool {
        self.standing.role() == Some(MemberRole::Administrator)
    }

    fn is_me(&self, line: &MemberLine) -> bool {
        self.c
            .user
            .as_ref()
            .is_some_and(|u| u.account_id == line.account.id)
    }

    fn listed(&self) -> bool {
        self.standing
            .membership
            .as_ref()
            .is_some_and(|m| m.listed != 0)
    }

    fn role_label(&self, role: &MemberRole) -> String {
        self.c.t(&format!("group-role-{role}"))
    }

    fn roles(&self) -> [MemberRole; 3] {
        [
            MemberRole::Member,
            MemberRole::Moderator,
            MemberRole::Administrator,
        ]
    }
}

async fn lines(state: &AppState, rows: Vec<MemberRow>) -> AppResult<Vec<MemberLine>> {
    let ids: Vec<i64> = rows.iter().map(|m| m.account_id).collect();
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let account = accounts.iter().find(|a| a.id == row.account_id)?.clone();
            Some(MemberLine { row, account })
        })
        .collect())
}

const MEMBERS_PER_PAGE: i64 = 100;

/// `GET /groups/{handle}/members`: moderators see everyone with requests and invitations;
/// members see the members who chose to be listed.
pub async fn members(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<MembersQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    if !group.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-group-remote",
        ));
    }
    let after = q.after.unwrap_or(0);
    let rows = groups::members(&state, &me, &group, false, after, MEMBERS_PER_PAGE).await?;
    let next = (rows.len() as i64 >= MEMBERS_PER_PAGE)
        .then(|| rows.last().map(|m| m.id))
        .flatten();
    let standing = groups::standing(&state, &group, Some(me.id)).await?;
    let staff = standing.role().is_some_and(|r| r >= MemberRole::Moderator);
    let (pending, invited) = if staff && after == 0 {
        let waiting = groups::members(&state, &me, &group, true, 0, 500).await?;
        let (invited, pending): (Vec<_>, Vec<_>) = waiting
            .into_iter()
            .partition(|m| m.state == crate::domain::MembershipState::Invited);
        (lines(&state, pending).await?, lines(&state, invited).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let members = lines(&state, rows).await?;
    let g = card(&state, &c, group).await?;
    Ok(super::render(&MembersPage {
        c,
        g,
        standing,
        pending,
        invited,
        members,
        next,
    }))
}

#[derive(Deserialize, Default)]
pub struct MemberForm {
    #[serde(default)]
    role: String,
}

/// `POST /groups/{handle}/members/{account_id}/{approve|reject|ban|remove|role}`.
pub async fn member_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, account_id, action)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<MemberForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    let flash = match action.as_str() {
        "approve" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Approve).await?;
            "flash-request-accepted"
        }
        "reject" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Reject).await?;
            "flash-request-refused"
        }
        "ban" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Ban).await?;
            "flash-group-member-banned"
        }
        "remove" => {
            groups::moderate(&state, &me, &group, account_id, Moderation::Remove).await?;
            "flash-group-member-removed"
        }
        "role" => {
            groups::set_role(&state, &me, &group, account_id, &f.role).await?;
            "flash-role-changed"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(
        &state,
        &format!("/groups/{}/members", c.handle_of(&group.account)),
        flash,
    ))
}

/// `GET /groups/{handle}/members.csv` (administrators; recorded in the audit log).
pub async fn members_csv(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let csv = groups::members_csv(&state, &me, &group).await?;
    Ok(crate::download::csv(
        &format!("members-{}", group.account.username),
        csv,
    ))
}

/// One line of the audit log.
pub struct AuditLine {
    row: db::groups::AuditRow,
    who: Option<AccountRow>,
}

#[derive(Template)]
#[template(path = "group_audit.html")]
struct AuditPage {
    c: Ctx,
    g: GroupCard,
    entries: Vec<AuditLine>,
}

impl AuditPage {
    fn action_label(&self, action: &str) -> String {
        self.c.t(&format!("group-audit-{action}"))
    }
}

/// `GET /groups/{handle}/audit` (administrators).
pub async fn audit(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let me = c.me()?;
    let group = groups::find(&state, &handle, true).await?;
    let rows = groups::audit_log(&state, &me, &group).await?;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.account_id).collect();
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    let entries = rows
        .into_iter()
        .map(|row| AuditLine {
            who: row
                .account_id
                .and_then(|id| accounts.iter().find(|a| a.id == id).cloned()),
            row,
        })
        .collect();
    let g = card(&state, &c, group).await?;
    Ok(super::render(&AuditPage { c, g, entries }))
}
