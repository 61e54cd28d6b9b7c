//! The social pages: home timeline and compose, public and hashtag timelines, profiles (local
//! and remote), threads, search and follow by handle, notifications, follow requests, direct
//! messages; and the buttons (like, boost, delete, follow, block, accept, refuse).

use super::{
    Ctx, confirm,
    form::{CsrfForm, CsrfUpload, FileFields},
    redirect_with_flash, render_status, safe_next,
    uploads::{MediaSlot, SlotInput, take_slot},
};
use crate::{
    db::{self, accounts::AccountRow, statuses::Page},
    domain::{Visibility, media::MAX_ATTACHMENTS},
    error::{AppError, AppResult},
    federation,
    service::{
        directory,
        relationships::{self, Relationship},
        statuses::{self as posts, Compose},
        timelines::{self, Scope},
        views::{self, AccountView, NotificationView, StatusView},
    },
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

/// A page of posts, with the id to ask for the next (older) page.
pub struct Feed {
    /// The posts.
    pub items: Vec<StatusView>,
    /// `max_id` of the next page, if there may be one.
    pub older: Option<i64>,
}

pub(super) async fn feed(
    state: &AppState,
    viewer: Option<i64>,
    rows: Vec<db::statuses::StatusRow>,
    limit: i64,
) -> AppResult<Feed> {
    let older = (rows.len() as i64 >= limit)
        .then(|| rows.last().map(|s| s.id))
        .flatten();
    Ok(Feed {
        items: views::statuses(state, viewer, &rows).await?,
        older,
    })
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    max_id: Option<i64>,
    #[serde(default)]
    local: Option<String>,
}

impl PageQuery {
    pub(super) fn page(&self) -> Page {
        Page {
            max_id: self.max_id,
            limit: 20,
            ..Page::default()
        }
    }
}

fn viewer(c: &Ctx) -> Option<i64> {
    c.user.as_ref().map(|u| u.account_id)
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    c: Ctx,
    title: String,
    intro: Option<String>,
    feed: Feed,
    compose: Option<ComposeForm>,
    tabs: bool,
    local: bool,
    base_path: String,
    /// The announcements shown above the home timeline (empty elsewhere).
    announcements: Vec<crate::service::announcements::AnnouncementView>,
}

/// What the compose form shows (kept when a post is refused, so nothing typed is lost, and
/// the files sent neither: they come back as kept uploads).
#[derive(Default, Clone, Deserialize)]
pub struct ComposeForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    spoiler_text: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    in_reply_to_id: String,
    #[serde(default)]
    next: Option<String>,
    /// The media are marked sensitive (hidden until opened).
    #[serde(default, deserialize_with = "super::form::checkbox")]
    sensitive: bool,
    #[serde(default)]
    description_0: String,
    #[serde(default)]
    description_1: String,
    #[serde(default)]
    description_2: String,
    #[serde(default)]
    description_3: String,
    #[serde(default)]
    kept_0: String,
    #[serde(default)]
    kept_1: String,
    #[serde(default)]
    kept_2: String,
    #[serde(default)]
    kept_3: String,
    #[serde(default)]
    drop_0: Option<String>,
    #[serde(default)]
    drop_1: Option<String>,
    #[serde(default)]
    drop_2: Option<String>,
    #[serde(default)]
    drop_3: Option<String>,
    #[serde(skip)]
    error: Option<String>,
    /// The file inputs as sent (empty: four empty inputs).
    #[serde(skip)]
    media: Vec<MediaSlot>,
}

impl super::form::FileFields for ComposeForm {
    const FILE_FIELDS: &'static [&'static str] = &["media_0", "media_1", "media_2", "media_3"];
}

impl ComposeForm {
    fn visibilities(&self) -> [&'static str; 4] {
        ["public", "unlisted", "private", "direct"]
    }

    fn chosen(&self, v: &str) -> bool {
        if self.visibility.is_empty() {
            v == "public"
        } else {
            self.visibility == v
        }
    }

    /// The four file inputs.
    fn slots(&self) -> Vec<MediaSlot> {
        if self.media.is_empty() {
            (0..MAX_ATTACHMENTS).map(MediaSlot::empty).collect()
        } else {
            self.media.clone()
        }
    }

    /// Whether the media part of the form starts open (something is in it).
    fn media_open(&self) -> bool {
        self.sensitive
            || self
                .media
                .iter()
                .any(|m| m.media.is_some() || m.refused() || !m.description.is_empty())
    }

    /// The file types the inputs offer.
    fn accept(&self) -> &'static str {
        super::uploads::ACCEPT_ALL
    }

    /// What was sent for input `n`: its alt text, a kept upload, whether to drop it.
    fn slot_input(&self, n: usize) -> SlotInput<'_> {
        let (description, kept, drop) = match n {
            0 => (&self.description_0, &self.kept_0, &self.drop_0),
            1 => (&self.description_1, &self.kept_1, &self.drop_1),
            2 => (&self.description_2, &self.kept_2, &self.drop_2),
            _ => (&self.description_3, &self.kept_3, &self.drop_3),
        };
        SlotInput {
            n,
            file_field: ComposeForm::FILE_FIELDS[n],
            description,
            kept,
            drop: drop.is_some(),
        }
    }
}

/// The signed-in home page: the compose form and the home timeline.
pub async fn home(state: &AppState, c: Ctx, q: PageQuery) -> AppResult<Response> {
    let me = c.me()?;
    let page = q.page();
    let rows = timelines::home(state, me.id, page).await?;
    let feed = feed(state, Some(me.id), rows, page.limit).await?;
    let announcements = super::announcements::banner(state, &c).await?;
    let title = c.t("nav-home");
    let intro = Some(c.ta(
        "page-home-your-address",
        "handle",
        &format!("@{}", c.full_handle(&me)),
    ));
    Ok(super::render(&TimelinePage {
        c,
        title,
        intro,
        feed,
        compose: Some(ComposeForm::default()),
        tabs: false,
        local: false,
        base_path: "/".into(),
        announcements,
    }))
}

/// `GET /public`: public posts, here only (`?local=1`) or from everywhere known.
pub async fn public(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let local = q.local.is_some();
    let scope = if local { Scope::Local } else { Scope::All };
    let page = q.page();
    let rows = timelines::public(&state, viewer(&c), scope, page).await?;
    let feed = feed(&state, viewer(&c), rows, page.limit).await?;
    let title = c.t("nav-public");
    Ok(super::render(&TimelinePage {
        c,
        title,
        intro: None,
        feed,
        compose: None,
        tabs: true,
        local,
        base_path: if local {
            "/public?local=1".into()
        } else {
            "/public".into()
        },
        announcements: Vec::new(),
    }))
}

/// `GET /tags/:tag`: public posts with a hashtag.
pub async fn tag(
    State(state): State<AppState>,
    c: Ctx,
    Path(tag): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = q.page();
    let rows = timelines::tag(&state, viewer(&c), &tag, page).await?;
    let feed = feed(&state, viewer(&c), rows, page.limit).await?;
    let title = format!("#{}", tag.to_lowercase());
    let base = format!(
        "/tags/{}",
        url::form_urlencoded::byte_serialize(tag.as_bytes()).collect::<String>()
    );
    Ok(super::render(&TimelinePage {
        c,
        title,
        intro: None,
        feed,
        compose: None,
        tabs: false,
        local: false,
        base_path: base,
        announcements: Vec::new(),
    }))
}

/// `GET /direct`: direct messages sent and received, and a form to write one.
pub async fn direct(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    let page = q.page();
    let rows = timelines::direct(&state, me.id, page).await?;
    let feed = feed(&state, Some(me.id), rows, page.limit).await?;
    let title = c.t("nav-direct");
    let intro = Some(c.t("page-direct-intro"));
    Ok(super::render(&TimelinePage {
        c,
        title,
        intro,
        feed,
        compose: Some(ComposeForm {
            visibility: "direct".into(),
            next: Some("/direct".into()),
            ..Default::default()
        }),
        tabs: false,
        local: false,
        base_path: "/direct".into(),
        announcements: Vec::new(),
    }))
}

/// Resolves a profile handle from a path: `name` (here) or `name@domain` (elsewhere; fetched
/// when not known yet and someone signed in asks).
async fn account_by_handle(state: &AppState, c: &Ctx, handle: &str) -> AppResult<AccountRow> {
    let handle = handle.trim_start_matches('@');
    let account = match directory::shown_by_handle(state, handle).await? {
        Some(a) => Some(a),
        None => match handle.split_once('@') {
            Some((name, domain))
                if c.user.is_some() && !domain.eq_ignore_ascii_case(&state.config.domain) =>
            {
                federation::resolve_handle(state, name, domain)
                    .await
                    .ok()
                    .filter(|a| a.deleted_at.is_none())
            }
            _ => None,
        },
    };
    account
        .filter(|a| !a.is_instance_actor())
        .ok_or_else(AppError::not_found)
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Ctx,
    account: AccountView,
    relationship: Option<Relationship>,
    feed: Feed,
    base_path: String,
    /// The people the account endorses (docs/SECURITY.md P10: never groups).
    endorsed: Vec<crate::db::accounts::AccountRow>,
    /// The groups the account chose to show that the viewer may see (P11).
    shown_groups: Vec<super::profile_groups::ShownGroup>,
    /// The account this one moved to, if it moved.
    moved_to: Option<AccountRow>,
}

impl ProfilePage {
    fn is_me(&self) -> bool {
        self.c
            .user
            .as_ref()
            .is_some_and(|u| u.account_id == self.account.row.id)
    }
}

/// `GET /@name` or `/@name@domain`: a profile and its posts. ActivityPub clients asking here
/// are sent to the actor.
pub async fn profile(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path(handle): Path<String>,
    Query(q): Query<super::groups::GroupQuery>,
) -> AppResult<Response> {
    let account = account_by_handle(&state, &c, &handle).await?;
    if federation::routes::wants_activity_json(&headers) {
        return Ok(Redirect::to(&account.uri).into_response());
    }
    if account.actor_type == "Group"
        && let Some(group) = crate::service::groups::load(&state, account.id).await?
    {
        return super::groups::page(&state, c, group, q).await;
    }
    profile_posts(&state, c, account, None, q.page()).await
}

/// `GET /@name/tagged/:tag`: a profile with its posts carrying a hashtag (where a featured
/// tag links).
pub async fn profile_tagged(
    State(state): State<AppState>,
    c: Ctx,
    Path((handle, tag)): Path<(String, String)>,
    Query(q): Query<super::groups::GroupQuery>,
) -> AppResult<Response> {
    let account = account_by_handle(&state, &c, &handle).await?;
    let tag = crate::domain::tag::TagName::parse("tag", &tag).map_err(|_| AppError::not_found())?;
    profile_posts(&state, c, account, Some(tag), q.page()).await
}

async fn profile_posts(
    state: &AppState,
    c: Ctx,
    account: AccountRow,
    tag: Option<crate::domain::tag::TagName>,
    page: crate::db::statuses::Page,
) -> AppResult<Response> {
    let rows = match &tag {
        None => timelines::account(state, viewer(&c), &account, Default::default(), page).await?,
        Some(t) => {
            crate::service::tags::account_posts(
                state,
                viewer(&c),
                &account,
                t,
                Default::default(),
                page,
            )
            .await?
        }
    };
    let feed = feed(state, viewer(&c), rows, page.limit).await?;
    let relationship = match viewer(&c) {
        Some(me) if me != account.id => {
            Some(relationships::relationship(state, me, account.id).await?)
        }
        _ => None,
    };
    let account = views::accounts(state, std::slice::from_ref(&account))
        .await?
        .remove(0);
    let mut base_path = format!("/@{}", c.handle_of(&account.row));
    if let Some(t) = &tag {
        let encoded: String = url::form_urlencoded::byte_serialize(t.as_str().as_bytes()).collect();
        base_path.push_str(&format!("/tagged/{encoded}"));
    }
    let endorsed = crate::service::account_extras::endorsed_people(state, &account.row).await?;
    let shown_groups = super::profile_groups::shown(state, &c, &account.row).await?;
    let moved_to = crate::service::moving::moved_to(state, &account.row).await?;
    Ok(super::render(&ProfilePage {
        moved_to,
        shown_groups,
        c,
        account,
        relationship,
        feed,
        base_path,
        endorsed,
    }))
}

#[derive(Template)]
#[template(path = "thread.html")]
struct ThreadPage {
    c: Ctx,
    ancestors: Vec<StatusView>,
    focus: StatusView,
    descendants: Vec<StatusView>,
    compose: Option<ComposeForm>,
}

/// `GET /@name/:id`: a post and its thread, with a reply form.
pub async fn thread(
    State(state): State<AppState>,
    c: Ctx,
    headers: HeaderMap,
    Path((handle, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let author = account_by_handle(&state, &c, &handle).await?;
    let status = posts::visible(&state, viewer(&c), id).await?;
    if status.account_id != author.id {
        return Err(AppError::not_found());
    }
    if federation::routes::wants_activity_json(&headers) {
        return Ok(Redirect::to(&status.uri).into_response());
    }
    let (ancestors, descendants) = posts::context(&state, viewer(&c), id).await?;
    let v = viewer(&c);
    let focus = views::statuses(&state, v, std::slice::from_ref(&status))
        .await?
        .pop()
        .ok_or_else(AppError::not_found)?;
    let compose = c.user.as_ref().map(|_| {
        let shown = focus.shown();
        let mention = if Some(shown.author.row.id) == v {
            String::new()
        } else {
            format!("@{} ", c.full_handle(&shown.author.row))
        };
        ComposeForm {
            status: mention,
            visibility: match shown.row.visibility.as_str() {
                "direct" => "direct".into(),
                "private" => "private".into(),
                _ => "public".into(),
            },
            in_reply_to_id: shown.row.id.to_string(),
            next: Some(c.path.clone()),
            ..Default::default()
        }
    });
    Ok(super::render(&ThreadPage {
        ancestors: views::statuses(&state, v, &ancestors).await?,
        descendants: views::statuses(&state, v, &descendants).await?,
        focus,
        compose,
        c,
    }))
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    c: Ctx,
    compose: ComposeForm,
}

/// `POST /statuses`: publishes a post, with up to four files (a multipart form; an url-encoded
/// one publishes text only). When refused, the form comes back with the text, the alt texts
/// and the files accepted, and says why by each field.
pub async fn create(
    State(state): State<AppState>,
    c: Ctx,
    CsrfUpload { form, mut files }: CsrfUpload<ComposeForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let mut slots = Vec::with_capacity(MAX_ATTACHMENTS);
    for n in 0..MAX_ATTACHMENTS {
        match take_slot(&state, &c, &me, &mut files, form.slot_input(n)).await {
            Ok(slot) => slots.push(slot),
            Err(e) => {
                files.discard().await;
                return Err(e);
            }
        }
    }
    let mut compose = form;
    let refused = slots.iter().any(MediaSlot::refused);
    let without_alt = slots.iter().any(MediaSlot::image_without_alt);
    let media_ids: Vec<String> = slots
        .iter()
        .filter_map(|s| s.kept_id())
        .map(|id| id.to_string())
        .collect();
    compose.media = slots;
    if refused {
        compose.error = Some(c.t("compose-media-refused"));
        let page = ComposePage { c, compose };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let visibility = match compose.visibility.as_str() {
        "" => None,
        v => Visibility::parse(v).ok(),
    };
    let input = Compose {
        media_ids: (!media_ids.is_empty()).then_some(media_ids),
        text: compose.status.clone(),
        spoiler_text: compose.spoiler_text.clone(),
        sensitive: compose.sensitive,
        visibility,
        in_reply_to_id: compose.in_reply_to_id.parse().ok(),
        language: Some(c.locale.as_str().to_string()),
        idempotency_key: None,
        event: None,
        ..Default::default()
    };
    match posts::create(&state, &me, input).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &safe_next(compose.next.as_deref()),
            if without_alt {
                "flash-posted-without-alt"
            } else {
                "flash-posted"
            },
        )),
        Err(e) if e.status.is_client_error() => {
            // The form comes back with the text; over the posting limit, the message says
            // when to try again.
            let status = if e.status == StatusCode::TOO_MANY_REQUESTS {
                e.status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            compose.error = Some(e.message(c.locale));
            let page = render_status(status, &ComposePage { c, compose });
            Ok(crate::limits::with_retry_after(page, &e))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct NextForm {
    #[serde(default)]
    next: Option<String>,
    /// `1` from a confirmation page (deleting asks first).
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /statuses/:id/:action`: like, boost, withdraw them, delete.
pub async fn status_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<NextForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let next = safe_next(form.next.as_deref());
    let flash = match action.as_str() {
        "favourite" => {
            posts::favourite(&state, &me, id).await?;
            "flash-favourited"
        }
        "unfavourite" => {
            posts::unfavourite(&state, &me, id).await?;
            "flash-unfavourited"
        }
        "reblog" => {
            posts::reblog(&state, &me, id).await?;
            "flash-reblogged"
        }
        "unreblog" => {
            posts::unreblog(&state, &me, id).await?;
            "flash-unreblogged"
        }
        "delete" => {
            let staff = c.user.as_ref().is_some_and(|u| u.role.is_staff());
            if !confirm::confirmed(form.confirm.as_deref()) {
                return confirm_delete(&state, c, &me, staff, id, next).await;
            }
            posts::delete(&state, &me, staff, id).await?;
            return Ok(redirect_with_flash(&state, "/", "flash-deleted"));
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(&state, &next, flash))
}

/// The page asking to confirm a post's deletion (the post must be one its viewer may delete:
/// their own, or a local one for the instance's moderators, as `posts::delete` decides).
async fn confirm_delete(
    state: &AppState,
    c: Ctx,
    me: &AccountRow,
    staff: bool,
    id: i64,
    next: String,
) -> AppResult<Response> {
    let status = posts::visible(state, Some(me.id), id).await?;
    if status.account_id != me.id && !(staff && status.local == 1) {
        return Err(AppError::not_found());
    }
    let p = confirm::Confirmation {
        title: c.t("confirm-delete-post-title"),
        subject: confirm::excerpt(
            status.title.as_deref(),
            &status.spoiler_text,
            &status.content,
        ),
        consequence: c.t("confirm-delete-post-text"),
        action: format!("/statuses/{id}/delete"),
        fields: vec![("next", next.clone())],
        back: next,
    };
    Ok(confirm::page(c, p))
}

/// `POST /accounts/:id/:action`: follow, unfollow, block, unblock.
pub async fn account_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(form): CsrfForm<NextForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let target = directory::existing(&state, id).await?;
    let flash = match action.as_str() {
        "follow" => {
            let r = relationships::follow(&state, &me, &target).await?;
            if r.following {
                "flash-followed"
            } else {
                "flash-follow-requested"
            }
        }
        "unfollow" => {
            relationships::unfollow(&state, &me, &target).await?;
            "flash-unfollowed"
        }
        "block" => {
            relationships::block(&state, &me, &target).await?;
            "flash-blocked"
        }
        "unblock" => {
            relationships::unblock(&state, &me, &target).await?;
            "flash-unblocked"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(
        &state,
        &safe_next(form.next.as_deref()),
        flash,
    ))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Ctx,
    q: String,
    accounts: Vec<AccountView>,
    statuses: Vec<StatusView>,
    not_found: bool,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /search?q=`: people and posts; a handle (`@name@domain`) or a URL is fetched from its
/// server when someone signed in asks, so they can follow people elsewhere.
pub async fn search(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let term = q.q.trim().to_string();
    let mut accounts: Vec<AccountRow> = Vec::new();
    let mut statuses = Vec::new();
    if !term.is_empty() {
        if c.user.is_some() {
            match federation::resolve(&state, &term).await {
                Ok(Some(federation::Resolved::Account(a))) => accounts.push(*a),
                Ok(Some(federation::Resolved::Status(s)))
                    if posts::can_see(&state, viewer(&c), &s).await? =>
                {
                    statuses.push(*s);
                }
                _ => {}
            }
        }
        let (plain, _) = crate::domain::handle_parts(&term);
        if !plain.contains('/') {
            let name = plain.split('@').next().unwrap_or(plain);
            for a in directory::search(&state, name, 20).await? {
                if !accounts.iter().any(|x| x.id == a.id) {
                    accounts.push(a);
                }
            }
        }
        accounts.retain(|a| a.deleted_at.is_none());
    }
    let not_found = !term.is_empty() && accounts.is_empty() && statuses.is_empty();
    Ok(super::render(&SearchPage {
        accounts: views::accounts(&state, &accounts).await?,
        statuses: views::statuses(&state, viewer(&c), &statuses).await?,
        not_found,
        q: term,
        c,
    }))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Ctx,
    items: Vec<NotificationView>,
    older: Option<i64>,
    /// How many notification requests wait.
    requests: i64,
}

/// `GET /notifications`.
pub async fn notifications(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let me = c.me()?;
    let page = q.page();
    let rows = timelines::notifications(&state, me.id, &[], false, page).await?;
    let older = (rows.len() as i64 >= page.limit)
        .then(|| rows.last().map(|n| n.id))
        .flatten();
    let items = views::notifications(&state, me.id, &rows).await?;
    // The newest page, once shown, is read: the menu's count starts again from there.
    if page.max_id.is_none()
        && let Some(newest) = rows.first()
    {
        crate::service::notifications::mark_all_read(&state, me.id, newest.id).await?;
    }
    let requests = crate::service::notification_policy::summary(&state, me.id)
        .await?
        .pending_requests_count;
    Ok(super::render(&NotificationsPage {
        c,
        items,
        older,
        requests,
    }))
}

#[derive(Template)]
#[template(path = "follow_requests.html")]
struct FollowRequestsPage {
    c: Ctx,
    requests: Vec<AccountView>,
}

/// `GET /follow_requests`.
pub async fn follow_requests(State(state): State<AppState>, c: Ctx) -> AppResult<Response> {
    let me = c.me()?;
    let rows = relationships::follow_requests(&state, me.id, None, 80).await?;
    let accounts: Vec<AccountRow> = directory::people(&state, &rows)
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    Ok(super::render(&FollowRequestsPage {
        requests: views::accounts(&state, &accounts).await?,
        c,
    }))
}

/// `POST /follow_requests/:id/:action`: accept or refuse.
pub async fn follow_request_action(
    State(state): State<AppState>,
    c: Ctx,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(_): CsrfForm<NextForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let flash = match action.as_str() {
        "authorize" => {
            relationships::authorize(&state, &me, id).await?;
            "flash-request-accepted"
        }
        "reject" => {
            relationships::reject(&state, &me, id).await?;
            "flash-request-refused"
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(redirect_with_flash(&state, "/follow_requests", flash))
}
