//! A group's page in tabs, each its own address so that it works without scripts and can be
//! linked: about (`/@name`, `/groups/name`: banner, logo, description, joining, sections of a
//! federation and affiliations), discussions per circle with the posting form
//! (`/groups/name/discussions`), the agenda (`/groups/name/agenda`) and the missions
//! (`/groups/name/missions`); the members tab is `members`' page.

use super::{GroupCard, card, cards};
use crate::{
    db::statuses::Page,
    domain::{Circle, GroupKind, JoinMode, MemberRole, MembershipState},
    error::{AppError, AppResult},
    service::groups::{self, Group, Standing},
    state::AppState,
    web::{Ctx, social::Feed},
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct GroupQuery {
    #[serde(default)]
    max_id: Option<i64>,
    #[serde(default)]
    audience: String,
    /// Where a page of the agenda or missions tab starts.
    #[serde(default)]
    offset: Option<i64>,
}

/// A tab of a group's page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tab {
    /// `/@name`: who the group is, joining, its sections and affiliations.
    About,
    /// `/groups/name/discussions`: the discussions and the posting form.
    Discussions,
    /// `/groups/name/agenda`: upcoming events (missions apart).
    Agenda,
    /// `/groups/name/missions`: upcoming missions.
    Missions,
}

impl Tab {
    /// Its name in templates and addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            Tab::About => "about",
            Tab::Discussions => "discussions",
            Tab::Agenda => "agenda",
            Tab::Missions => "missions",
        }
    }
}

/// Events per page of the agenda and missions tabs.
const EVENTS_PER_PAGE: usize = 10;

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
    pub(super) title: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) audience: String,
    #[serde(default)]
    pub(super) spoiler_text: String,
}

#[derive(Template)]
#[template(path = "group.html")]
pub(super) struct GroupPage {
    c: Ctx,
    g: GroupCard,
    standing: Standing,
    /// The circle tab shown (`""` for all the viewer may read).
    audience: String,
    feed: Feed,
    /// The circles the viewer may post in (empty: no form).
    post_circles: Vec<&'static str>,
    /// Whether to say that a sympathizers-circle post will not show everywhere (see
    /// `groups::sympathizers_elsewhere`): the viewer may post in that circle and some
    /// sympathizers follow from other servers.
    sympathizers_elsewhere: bool,
    post: GroupPostForm,
    post_error: Option<String>,
    join_message: String,
    join_error: Option<String>,
    sections: Vec<GroupCard>,
    affiliation_requests: Vec<GroupCard>,
    /// The federations a section belongs to (`true`) or asked to join (`false`, shown to
    /// its administrators).
    federations: Vec<(GroupCard, bool)>,
    /// Upcoming events the viewer may see (the agenda and missions tabs).
    events: Vec<crate::web::events::EventCard>,
    /// The offset of the next page of `events`.
    events_next: Option<i64>,
    /// The tab shown.
    tab: &'static str,
    base_path: String,
    /// The group's logo and banner (their addresses).
    avatar: Option<String>,
    header: Option<String>,
    /// Why a file of the logo and banner form was refused, by field (`avatar`, `header`).
    pub(super) image_errors: Vec<(String, String)>,
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
        crate::web::sign_in_url(&self.g.path)
    }

    fn image_error_for(&self, field: &str) -> Option<&str> {
        crate::web::error_for(&self.image_errors, field)
    }

    /// The file types the logo and banner inputs offer.
    fn accept_images(&self) -> &'static str {
        crate::web::uploads::ACCEPT_IMAGES
    }

    /// Where the logo and banner form posts (an upload path of its own, the group named in
    /// its query).
    fn images_action(&self) -> String {
        format!(
            "/groups/images?group={}",
            crate::web::urlencode(&self.c.handle_of(&self.g.group.account))
        )
    }

    /// The pictures are a group's.
    fn images_of_group(&self) -> bool {
        true
    }

    fn tab_path(&self, circle: &str) -> String {
        if circle.is_empty() {
            format!("{}/discussions", self.g.base)
        } else {
            format!("{}/discussions?audience={circle}", self.g.base)
        }
    }

    /// The members tab is offered to those who may read the list (as its link was).
    fn shows_members_tab(&self) -> bool {
        self.g.group.is_local() && (self.is_member() || self.is_staff())
    }

    /// The page's title: the group's name, after the tab's on other tabs than about.
    fn page_title(&self) -> String {
        match self.tab {
            "about" => self.g.name.clone(),
            tab => format!(
                "{} · {}",
                self.c.t(&format!("group-tab-{tab}")),
                self.g.name
            ),
        }
    }
}

/// Builds a group's page; `post` and `join` carry a refused form back with its error.
pub(super) async fn group_page(
    state: &AppState,
    c: Ctx,
    group: Group,
    q: &GroupQuery,
    tab: Tab,
    post: Option<(GroupPostForm, String)>,
    join: Option<(String, String)>,
) -> AppResult<GroupPage> {
    let viewer = c.user.as_ref().map(|u| u.account_id);
    let standing = groups::standing(state, &group, viewer).await?;
    let mut feed = Feed {
        items: Vec::new(),
        older: None,
    };
    let mut post_circles = Vec::new();
    if tab == Tab::Discussions {
        let only = match q.audience.as_str() {
            "" => None,
            a => Some(Circle::parse(a).map_err(|e| AppError::invalid(vec![e]))?),
        };
        let page = q.page();
        let rows = groups::timeline(state, viewer, &group, only, page).await?;
        feed = crate::web::social::feed(state, viewer, rows, page.limit).await?;
        if let Some(v) = viewer {
            for circle in [Circle::Public, Circle::Sympathizers, Circle::Members] {
                if groups::may_post(state, &group, v, circle).await? {
                    post_circles.push(circle.as_str());
                }
            }
        }
    }
    let sympathizers_elsewhere = post_circles.contains(&Circle::Sympathizers.as_str())
        && groups::sympathizers_elsewhere(state, &group)
            .await?
            .unwrap_or(false);
    let (events, events_next) = match tab {
        Tab::Agenda | Tab::Missions => {
            let offset = q.offset.unwrap_or(0);
            if offset < 0 {
                return Err(AppError::invalid(vec![crate::domain::Invalid::new(
                    "offset",
                    "error-group-offset",
                )]));
            }
            crate::web::events::of_group_page(
                state,
                viewer,
                &group,
                tab == Tab::Missions,
                offset,
                EVENTS_PER_PAGE,
            )
            .await?
        }
        _ => (Vec::new(), None),
    };
    let is_admin = group.is_local() && standing.role() == Some(MemberRole::Administrator);
    let about = tab == Tab::About;
    let sections = if about && group.kind() == GroupKind::Federation {
        cards(state, &c, groups::sections(state, &group).await?).await?
    } else {
        Vec::new()
    };
    let mut affiliation_requests = Vec::new();
    let mut federations = Vec::new();
    for (f, accepted) in groups::federations_of(state, &group).await? {
        if about && (accepted || is_admin) {
            federations.push((card(state, &c, f).await?, accepted));
        }
    }
    if about && is_admin {
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
    let (avatar, header) = (
        group.account.avatar_url.clone(),
        group.account.header_url.clone(),
    );
    let g = card(state, &c, group).await?;
    let base_path = match (tab, q.audience.as_str()) {
        (Tab::About, _) => g.path.clone(),
        (Tab::Discussions, "") => format!("{}/discussions", g.base),
        (Tab::Discussions, a) => format!("{}/discussions?audience={a}", g.base),
        (t, _) => format!("{}/{}", g.base, t.as_str()),
    };
    Ok(GroupPage {
        c,
        g,
        standing,
        audience: q.audience.clone(),
        feed,
        post_circles,
        sympathizers_elsewhere,
        post,
        post_error,
        join_message,
        join_error,
        sections,
        affiliation_requests,
        federations,
        events,
        events_next,
        tab: tab.as_str(),
        base_path,
        avatar,
        header,
        image_errors: Vec::new(),
    })
}

/// A group's about tab (shown at its profile address `/@name`). The discussions' filters
/// (`audience`, `max_id`) were this page's before it had tabs: such an address is sent on to
/// the discussions tab with its query, so old links keep working.
pub async fn page(state: &AppState, c: Ctx, group: Group, q: GroupQuery) -> AppResult<Response> {
    if !q.audience.is_empty() || q.max_id.is_some() {
        let mut to = format!("/groups/{}/discussions", c.handle_of(&group.account));
        let query = c.path.split_once('?').map(|(_, q)| q).unwrap_or_default();
        if !query.is_empty() {
            to.push('?');
            to.push_str(query);
        }
        return Ok(Redirect::to(&to).into_response());
    }
    if q.offset.is_some() {
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "offset",
            "error-group-offset",
        )]));
    }
    Ok(crate::web::render(
        &group_page(state, c, group, &q, Tab::About, None, None).await?,
    ))
}

/// `GET /groups/{handle}`: the about tab, as at `/@name`.
pub async fn about(
    State(state): State<AppState>,
    c: Ctx,
    Path(handle): Path<String>,
    Query(q): Query<GroupQuery>,
) -> AppResult<Response> {
    let group = groups::find(&state, &handle, c.user.is_some()).await?;
    page(&state, c, group, q).await
}

/// `GET /groups/{handle}/{tab}`: the discussions, agenda or missions tab (any other name is
/// not a page: 404).
pub async fn tab(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, tab)): Path<(String, String)>,
    Query(q): Query<GroupQuery>,
) -> AppResult<Response> {
    let tab = match tab.as_str() {
        "discussions" => Tab::Discussions,
        "agenda" => Tab::Agenda,
        "missions" => Tab::Missions,
        _ => return Err(AppError::not_found()),
    };
    if tab != Tab::Discussions && (!q.audience.is_empty() || q.max_id.is_some()) {
        let field = if q.max_id.is_some() {
            "max_id"
        } else {
            "audience"
        };
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            field,
            "error-group-tab-parameter",
        )]));
    }
    if tab == Tab::Discussions && q.offset.is_some() {
        return Err(AppError::invalid(vec![crate::domain::Invalid::new(
            "offset",
            "error-group-tab-parameter",
        )]));
    }
    let group = groups::find(&state, &handle, c.user.is_some()).await?;
    Ok(crate::web::render(
        &group_page(&state, c, group, &q, tab, None, None).await?,
    ))
}
