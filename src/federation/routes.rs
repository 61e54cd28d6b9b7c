//! What other servers read: actors, posts, collections, WebFinger, NodeInfo and host-meta.
//! Under `authorized_fetch` every read of an actor, post or collection must be signed by an
//! actor the owner does not block; the instance actor stays readable, or two strict servers
//! could never fetch each other's keys. Followers-only and direct posts are served only to
//! signers allowed to see them.

use super::{AP_CONTENT_TYPE, activities, render, verify};
use crate::{
    db::{self, accounts::AccountRow, statuses::StatusRow},
    domain::{Circle, RegistrationMode},
    error::AppError,
    service::{self, statuses as posts},
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};

/// An ActivityPub JSON response.
/// A rendered document, or the internal error of an id that is not a URL.
fn ap_doc(doc: Result<Value, url::ParseError>) -> Response {
    match doc {
        Ok(value) => ap_json(value),
        Err(e) => AppError::internal(e).into_response(),
    }
}

fn ap_json(value: Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/activity+json; charset=utf-8",
        )],
        value.to_string(),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({ "error": "Record not found" })),
    )
        .into_response()
}

fn gone(id: &str) -> Response {
    let body = json!({ "@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Tombstone" });
    (
        StatusCode::GONE,
        [(header::CONTENT_TYPE, AP_CONTENT_TYPE)],
        body.to_string(),
    )
        .into_response()
}

/// Whether a request asks for ActivityPub JSON rather than a page.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| {
            a.contains("application/activity+json") || a.contains("application/ld+json")
        })
}

/// A 303 to one of our pages (as `Redirect::to`, which panics on a value that cannot be a
/// header): a name with control characters names nothing here.
fn see_other(location: String) -> Response {
    match axum::http::HeaderValue::from_str(&location) {
        Ok(value) => (
            StatusCode::SEE_OTHER,
            [(axum::http::header::LOCATION, value)],
        )
            .into_response(),
        Err(_) => not_found(),
    }
}

/// The signer of a GET: `Ok(None)` when unsigned and allowed; a 401 when the signature is bad,
/// or absent under authorized fetch.
async fn fetch_signer(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Option<AccountRow>, Response> {
    if headers.get("signature").is_none() {
        if state.config.authorized_fetch {
            return Err((
                StatusCode::UNAUTHORIZED,
                axum::Json(json!({ "error": "Request not signed" })),
            )
                .into_response());
        }
        return Ok(None);
    }
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    match verify::signer(state, method, path, headers, None).await {
        Ok(signer) => Ok(Some(std::sync::Arc::unwrap_or_clone(signer))),
        Err(e) => Err((
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({ "error": e.to_string() })),
        )
            .into_response()),
    }
}

/// Refuses signers the owner blocks.
async fn allowed(
    state: &AppState,
    owner: &AccountRow,
    signer: &Option<AccountRow>,
) -> Result<(), Response> {
    if let Some(s) = signer {
        match db::social::blocks_account(state.pool(), owner.id, s.id).await {
            Ok(true) => return Err(not_found()),
            Ok(false) => {}
            Err(e) => return Err(AppError::from(e).into_response()),
        }
    }
    Ok(())
}

/// A local account others may read about (approved, enabled; deleted ones answer 410).
async fn local_account(state: &AppState, username: &str) -> Result<AccountRow, Response> {
    let account = match db::accounts::local_by_username(state.pool(), username).await {
        Ok(Some(a)) => a,
        Ok(None) => return Err(not_found()),
        Err(e) => return Err(AppError::from(e).into_response()),
    };
    if account.deleted_at.is_some() {
        return Err(gone(&account.uri));
    }
    match crate::service::sanctions::is_suspended(state, account.id).await {
        Ok(true) => return Err(gone(&account.uri)),
        Ok(false) => {}
        Err(e) => return Err(e.into_response()),
    }
    if account.actor_type == "Group" {
        return Ok(account);
    }
    match db::accounts::user_by_id(state.pool(), account.id).await {
        Ok(Some(u)) if u.state == crate::domain::UserState::Active => Ok(account),
        Ok(_) => Err(not_found()),
        Err(e) => Err(AppError::from(e).into_response()),
    }
}

/// The local account `username` as the asker may read it: its signature checked when it
/// signed, the account existing and not deleted, and the signer not blocked by it.
async fn readable_account(
    state: &AppState,
    username: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<AccountRow, Response> {
    let signer = fetch_signer(state, method, uri, headers).await?;
    let account = local_account(state, username).await?;
    allowed(state, &account, &signer).await?;
    Ok(account)
}

/// An `OrderedCollection` of `items`, whole on one page.
fn ordered_collection<T: serde::Serialize>(context: Value, id: String, items: Vec<T>) -> Response {
    ap_json(json!({
        "@context": context,
        "id": id,
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    }))
}

/// A paged collection's head: its size and where its first page is (`?page=true`).
fn paged_collection(id: &str, total: i64) -> Response {
    ap_json(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": format!("{id}?page=true"),
    }))
}

/// One page of the collection `id` (the one after `max_id`, if given), and the next page's
/// `max_id` when there is one.
fn collection_page(
    id: &str,
    max_id: Option<i64>,
    items: Vec<Value>,
    next: Option<i64>,
) -> Response {
    let mut doc = json!({
        "@context": super::protocol::context(),
        "id": format!("{id}?page=true{}", max_id.map(|m| format!("&max_id={m}")).unwrap_or_default()),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "orderedItems": items,
    });
    if let Some(next) = next {
        doc["next"] = json!(format!("{id}?page=true&max_id={next}"));
    }
    ap_json(doc)
}

/// `GET /users/:name`: the actor (people asking for a page go to the profile page).
pub async fn actor(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if !wants_activity_json(&headers) {
        return see_other(format!("/@{username}"));
    }
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if account.actor_type == "Group" {
        let group = db::groups::by_id(state.pool(), account.id).await;
        let count = db::groups::member_count(state.pool(), account.id).await;
        return match (group, count) {
            (Ok(Some(g)), Ok(n)) => ap_doc(render::group_actor(&state, &account, &g, n)),
            (Ok(None), _) => ap_doc(render::actor(&state, &account)),
            (Err(e), _) | (_, Err(e)) => AppError::from(e).into_response(),
        };
    }
    ap_doc(render::actor(&state, &account))
}

/// `GET /actor`: the instance actor, always readable.
pub async fn instance_actor(State(state): State<AppState>) -> Response {
    match db::accounts::instance_actor(state.pool()).await {
        Ok(Some(a)) => ap_doc(render::actor(&state, &a)),
        Ok(None) => not_found(),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// A local post and its author, if `viewer` may read it.
async fn readable_status(
    state: &AppState,
    username: &str,
    id: &str,
    viewer: &Option<AccountRow>,
) -> Result<(StatusRow, AccountRow), Response> {
    let author = local_account(state, username).await?;
    let Ok(id) = id.parse::<i64>() else {
        return Err(not_found());
    };
    let status = match db::statuses::by_id(state.pool(), id).await {
        Ok(Some(s)) if s.account_id == author.id => s,
        Ok(_) => {
            let uri = posts::status_uri(state, username, id);
            return match db::statuses::is_tombstoned(state.pool(), &uri).await {
                Ok(true) => Err(gone(&uri)),
                _ => Err(not_found()),
            };
        }
        Err(e) => return Err(AppError::from(e).into_response()),
    };
    allowed(state, &author, viewer).await?;
    match posts::can_see(state, viewer.as_ref().map(|v| v.id), &status).await {
        Ok(true) => Ok((status, author)),
        Ok(false) => match member_server(state, &status, viewer).await {
            Ok(true) => Ok((status, author)),
            Ok(false) => Err(not_found()),
            Err(e) => Err(e.into_response()),
        },
        Err(e) => Err(e.into_response()),
    }
}

/// Whether a signed fetch of a closed-circle group post comes from the server of one of the
/// members of a local group it appears in, signing as that server (docs/SECURITY.md, rule
/// T7). Servers fetch an announced post for their members with their instance actor (an
/// `Application`: Mastodon's `/actor`, ours, Lemmy's, Mobilizon's), not as the member, so the
/// member's server is trusted as far as it is trusted with the member's deliveries, which it
/// receives anyway. Any other account of that server (a person, a group) reads only what it
/// may read itself. The signature binds the request to our host and the Date window
/// (`verify::signer`), so a fetch signed for another server is not replayed here.
async fn member_server(
    state: &AppState,
    status: &StatusRow,
    viewer: &Option<AccountRow>,
) -> Result<bool, AppError> {
    let Some(viewer) = viewer.as_ref().filter(|v| v.actor_type == "Application") else {
        return Ok(false);
    };
    let Some(domain) = viewer.domain.clone() else {
        return Ok(false);
    };
    if status.visibility != crate::domain::Visibility::Group {
        return Ok(false);
    }
    let mut written_in_members = false;
    for (group_id, circle) in db::groups::post_groups(state.pool(), status.id).await? {
        let local = db::accounts::by_id(state.pool(), group_id)
            .await?
            .is_some_and(|g| g.is_local());
        if !local {
            continue;
        }
        if db::groups::domain_has_member(state.pool(), group_id, &domain).await? {
            return Ok(true);
        }
        if circle == Circle::Members && status.group_id == Some(group_id) {
            written_in_members = true;
        }
    }
    // The chain beyond one hop, and one only: for the group the post was written in (not a
    // section of ours it was passed on to), a server of a member of one of its approved
    // sections elsewhere, as that section's server says (`federation::affiliation`).
    match status.group_id.filter(|_| written_in_members) {
        Some(group_id) => {
            super::affiliation::member_of_a_section(state, group_id, &status.uri, &domain).await
        }
        None => Ok(false),
    }
}

pub(crate) async fn note_of(
    state: &AppState,
    status: &StatusRow,
    author: &AccountRow,
) -> Result<Value, AppError> {
    let mentioned_ids = db::statuses::mentioned_ids(state.pool(), status.id).await?;
    let mentioned = db::accounts::by_ids(state.pool(), &mentioned_ids).await?;
    let tags: Vec<String> = db::statuses::tags_of(state.pool(), &[status.id])
        .await?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let group = match status.group_id {
        Some(g) => super::activities::load_group(state, g).await?,
        None => None,
    };
    let media = db::media::of_statuses(state.pool(), &[status.id]).await?;
    let note = render::note(
        state,
        status,
        &render::NoteParts {
            author,
            mentioned: &mentioned,
            tags: &tags,
            group: group.as_ref().map(|(_, _, a)| a),
            media: &media,
        },
    )
    .map_err(AppError::internal)?;
    super::activities::as_event(state, note, status).await
}

/// `GET /users/:name/statuses/:id`: a post (a page for browsers).
pub async fn status(
    State(state): State<AppState>,
    Path((username, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if !wants_activity_json(&headers) {
        return see_other(format!("/@{username}/{id}"));
    }
    let signer = match fetch_signer(&state, &method, &uri, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (status, author) = match readable_status(&state, &username, &id, &signer).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if status.reblog_of_id.is_some() {
        return not_found();
    }
    match note_of(&state, &status, &author).await {
        Ok(mut note) => {
            note["@context"] = super::protocol::context();
            ap_json(note)
        }
        Err(e) => e.into_response(),
    }
}

/// The post a boost boosts, with its author.
pub(crate) async fn boosted(state: &AppState, original_id: i64) -> Option<(StatusRow, AccountRow)> {
    let original = db::statuses::by_id(state.pool(), original_id)
        .await
        .ok()??;
    let author = db::accounts::by_id(state.pool(), original.account_id)
        .await
        .ok()??;
    Some((original, author))
}

/// `GET /users/:name/statuses/:id/activity`: the Create of a post, or the Announce of a boost.
pub async fn status_activity(
    State(state): State<AppState>,
    Path((username, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let signer = match fetch_signer(&state, &method, &uri, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (status, author) = match readable_status(&state, &username, &id, &signer).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Some(original_id) = status.reblog_of_id {
        return match boosted(&state, original_id).await {
            Some((original, original_author)) => {
                match activities::announce(&status, &author, &original, &original_author) {
                    Ok(a) => ap_json(a.to_json()),
                    Err(e) => e.into_response(),
                }
            }
            None => not_found(),
        };
    }
    match note_of(&state, &status, &author).await {
        Ok(note) => match activities::create_or_update("Create", note) {
            Ok(a) => ap_json(a.to_json()),
            Err(e) => e.into_response(),
        },
        Err(e) => e.into_response(),
    }
}

/// `GET /users/:name/statuses/:id/replies`: the public answers to a post.
pub async fn replies(
    State(state): State<AppState>,
    Path((username, id)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let signer = match fetch_signer(&state, &method, &uri, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (status, _) = match readable_status(&state, &username, &id, &signer).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let items: Vec<String> = match db::statuses::replies(state.pool(), status.id).await {
        Ok(r) => r
            .into_iter()
            .filter(|s| s.visibility.is_public())
            .map(|s| s.uri)
            .collect(),
        Err(e) => return AppError::from(e).into_response(),
    };
    ordered_collection(
        json!("https://www.w3.org/ns/activitystreams"),
        format!("{}/replies", status.uri),
        items,
    )
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    max_id: Option<i64>,
}

/// `GET /users/:name/outbox`: public posts, newest first, 20 a page.
pub async fn outbox(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Query(q): Query<PageQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = render::actor_urls(&account).outbox;
    if account.actor_type == "Group" {
        return group_outbox(&state, &account, id, q).await;
    }
    if q.page.is_none() {
        // The number the profile shows (every post but direct messages and closed circles'
        // posts, boosts included), kept by the database's triggers, as Mastodon's
        // `statuses_count`.
        let total = match db::accounts::stats_of(state.pool(), &[account.id]).await {
            Ok(stats) => stats.first().map_or(0, |s| s.statuses),
            Err(e) => return AppError::from(e).into_response(),
        };
        return paged_collection(&id, total);
    }
    let page = db::statuses::Page {
        max_id: q.max_id,
        limit: 20,
        ..Default::default()
    };
    let rows = match db::statuses::by_account(
        state.pool(),
        account.id,
        false,
        db::statuses::AccountPosts::default(),
        page,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut items = Vec::new();
    for s in &rows {
        // As Mastodon: public and unlisted posts and boosts; never followers-only or direct.
        if !s.visibility.is_public() {
            continue;
        }
        if let Some(original_id) = s.reblog_of_id {
            if let Some((o, oa)) = boosted(&state, original_id).await
                && o.visibility.is_public()
                && let Ok(a) = activities::announce(s, &account, &o, &oa)
            {
                items.push(a.embedded());
            }
        } else if let Ok(note) = note_of(&state, s, &account).await
            && let Ok(create) = activities::create_or_update("Create", note)
        {
            items.push(create.embedded());
        }
    }
    collection_page(&id, q.max_id, items, rows.last().map(|r| r.id))
}

/// How many posts a page of a group's outbox lists.
const GROUP_OUTBOX_PAGE: i64 = 20;

/// A local group's outbox, as Lemmy's and Mobilizon's: the group's `Announce` of each thread
/// started in its public circle (the `Create` of a post written here, as announced live),
/// newest first, [`GROUP_OUTBOX_PAGE`] a page. Never a closed circle's post, an answer, a
/// mission's shift or a removed post (`db::groups::outbox`).
async fn group_outbox(state: &AppState, group: &AccountRow, id: String, q: PageQuery) -> Response {
    if q.page.is_none() {
        let total = match db::groups::outbox_count(state.pool(), group.id).await {
            Ok(n) => n,
            Err(e) => return AppError::from(e).into_response(),
        };
        return paged_collection(&id, total);
    }
    let rows = match db::groups::outbox(state.pool(), group.id, q.max_id, GROUP_OUTBOX_PAGE).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let address = render::group_address(group, None);
    let mut items = Vec::with_capacity(rows.len());
    for s in &rows {
        match activities::announcement(state, group, &address, s, Circle::Public, None).await {
            Ok(Some(a)) => items.push(a.embedded()),
            Ok(None) => {}
            Err(e) => return e.into_response(),
        }
    }
    let next = rows
        .last()
        .filter(|_| rows.len() as i64 == GROUP_OUTBOX_PAGE)
        .map(|r| r.id);
    collection_page(&id, q.max_id, items, next)
}

/// The most moderators a group's `moderators` collection lists.
const MOST_MODERATORS: i64 = 100;

/// `GET /users/:name/collections/moderators`: the administrators and moderators of a local
/// group who show the group on their profile, as actor ids (Lemmy's `moderators`, named by the
/// group's `attributedTo`); docs/SECURITY.md, rule P12. People: 404.
pub async fn moderators(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if account.actor_type != "Group" {
        return not_found();
    }
    let items = match db::groups::public_staff(state.pool(), account.id, MOST_MODERATORS).await {
        Ok(items) => items,
        Err(e) => return AppError::from(e).into_response(),
    };
    ordered_collection(
        json!("https://www.w3.org/ns/activitystreams"),
        render::moderators_url(&account),
        items,
    )
}

/// `GET /users/:name/collections/featured`: the person's pinned public and unlisted posts,
/// embedded, most recently pinned first (Mastodon's `featured` collection).
pub async fn featured(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let rows = match crate::service::statuses::menu::featured(&state, &account).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mut items = Vec::with_capacity(rows.len());
    for s in &rows {
        match note_of(&state, s, &account).await {
            Ok(note) => items.push(note),
            Err(e) => return e.into_response(),
        }
    }
    ordered_collection(
        super::protocol::context(),
        activities::featured::featured_url(&account),
        items,
    )
}

/// `GET /users/:name/collections/sections`: the sections a local federation vouches for (its
/// approved affiliations), as actor ids; what other servers read before they show a section
/// as official (docs/FEDERATION.md, "Official sections"). Other groups and people: 404.
pub async fn official_sections(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let items = match crate::service::official::published_sections(&state, &account).await {
        Ok(Some(items)) => items,
        Ok(None) => return not_found(),
        Err(e) => return e.into_response(),
    };
    ordered_collection(
        super::protocol::context(),
        super::official::collection_url(&account),
        items,
    )
}

#[derive(Deserialize)]
pub struct MemberDomainQuery {
    #[serde(default)]
    domain: String,
    /// The post the question is about.
    #[serde(default)]
    object: String,
}

/// `GET /users/:name/member_domain?domain=&object=`: whether `domain` hosts an accepted
/// member of a local section that passed the post `object` on, answered only to the instance
/// actor of a server hosting a federation the section is affiliated with, a few times a
/// minute (`federation::affiliation::answer`): `{"domain", "member": bool}`, never who.
/// Anyone else, or a question without a post: 404.
pub async fn member_domain(
    State(state): State<AppState>,
    Path(username): Path<String>,
    Query(q): Query<MemberDomainQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let signer = match fetch_signer(&state, &method, &uri, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(),
        Err(r) => return r,
    };
    let section = match local_account(&state, &username).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match super::affiliation::answer(&state, &section, &signer, &q.domain, &q.object).await {
        Ok(Some(member)) => ap_json(json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": state.config.url(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")),
            "domain": q.domain,
            "member": member,
        })),
        Ok(None) => not_found(),
        Err(e) => e.into_response(),
    }
}

/// `GET /users/:name/collections/tags`: the hashtags the person features, as `Hashtag`
/// objects linking to the person's page of each (Mastodon's `featuredTags` collection).
pub async fn featured_tags(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let tags = match crate::service::tags::featured(&state, &account).await {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let items: Vec<Value> = tags
        .iter()
        .map(|t| {
            let encoded: String = url::form_urlencoded::byte_serialize(t.name.as_bytes()).collect();
            json!({
                "type": "Hashtag",
                "href": state.config.url(&format!("/@{}/tagged/{encoded}", account.username)),
                "name": format!("#{}", t.name),
            })
        })
        .collect();
    ordered_collection(
        super::protocol::context(),
        format!("{}/collections/tags", account.uri),
        items,
    )
}

/// `GET /users/:name/followers`, `/following` and (groups) `/members`: only the count. Who
/// follows whom, or belongs to which section, can say who belongs to a party, so the lists are
/// not published.
pub async fn follow_collection(
    State(state): State<AppState>,
    Path(username): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let account = match readable_account(&state, &username, &method, &uri, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (followers, following, _) = match db::social::follow_counts(state.pool(), account.id).await
    {
        Ok(c) => c,
        Err(e) => return AppError::from(e).into_response(),
    };
    let urls = render::actor_urls(&account);
    let (id, total) = if uri.path().ends_with("/followers") {
        (urls.followers, followers)
    } else if uri.path().ends_with("/members") {
        if account.actor_type != "Group" {
            return not_found();
        }
        let count = match db::groups::member_count(state.pool(), account.id).await {
            Ok(n) => n,
            Err(e) => return AppError::from(e).into_response(),
        };
        (format!("{}/members", account.uri), count)
    } else {
        (urls.following, following)
    };
    ap_json(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
    }))
}

/// `GET /actor/outbox`: an empty collection.
pub async fn empty_collection(uri: Uri, State(state): State<AppState>) -> Response {
    ap_json(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": state.config.url(uri.path()),
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }))
}

#[derive(Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// `GET /.well-known/webfinger?resource=acct:name@domain` (or the actor's URL).
pub async fn webfinger(State(state): State<AppState>, Query(q): Query<WebfingerQuery>) -> Response {
    let Some(resource) = q.resource.filter(|r| !r.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": "the resource parameter is required" })),
        )
            .into_response();
    };
    let domain = &state.config.domain;
    let found = if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.trim_start_matches('@');
        let Some((name, host)) = acct.rsplit_once('@') else {
            return not_found();
        };
        if !host.eq_ignore_ascii_case(domain) {
            return not_found();
        }
        let host_only = state.config.public_url.host_str().unwrap_or_default();
        if name.eq_ignore_ascii_case(domain) || name.eq_ignore_ascii_case(host_only) {
            db::accounts::instance_actor(state.pool()).await
        } else {
            match local_account(&state, name).await {
                Ok(a) => Ok(Some(a)),
                Err(_) => Ok(None),
            }
        }
    } else if resource.starts_with(state.config.public_url.as_str()) {
        db::accounts::by_uri(state.pool(), &resource)
            .await
            .map(|a| a.filter(AccountRow::is_local))
    } else {
        return not_found();
    };
    let account = match found {
        Ok(Some(a)) if a.deleted_at.is_none() => a,
        Ok(_) => return not_found(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let is_instance = account.actor_type == "Application";
    let name = if is_instance {
        domain.clone()
    } else {
        account.username.clone()
    };
    let profile = if is_instance {
        state.config.url("/about")
    } else {
        state.config.url(&format!("/@{}", account.username))
    };
    let body = json!({
        "subject": format!("acct:{name}@{domain}"),
        "aliases": [profile, account.uri],
        "links": [
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile },
            { "rel": "self", "type": AP_CONTENT_TYPE, "href": account.uri },
        ],
    });
    (
        [
            (header::CONTENT_TYPE, "application/jrd+json; charset=utf-8"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// `GET /.well-known/host-meta`: where WebFinger is (older servers look here first).
pub async fn host_meta(State(state): State<AppState>) -> Response {
    let template = state.config.url("/.well-known/webfinger?resource={uri}");
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{template}\"/>\n</XRD>\n"
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

/// `GET /.well-known/nodeinfo`: the NodeInfo documents, and the instance actor (FEP-2677).
pub async fn nodeinfo_links(State(state): State<AppState>) -> Response {
    let body = axum::Json(json!({
        "links": [
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": state.config.url("/nodeinfo/2.0") },
            { "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": state.config.url("/nodeinfo/2.1") },
            { "rel": "https://www.w3.org/ns/activitystreams#Application", "href": state.config.url("/actor") },
        ]
    }));
    // Web clients (Phanpy, Elk) read NodeInfo from the browser, as Mastodon allows.
    ([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], body).into_response()
}

/// `GET /nodeinfo/2.0` and `/nodeinfo/2.1`.
pub async fn nodeinfo(State(state): State<AppState>, uri: Uri) -> Response {
    let version = if uri.path().ends_with("2.1") {
        "2.1"
    } else {
        "2.0"
    };
    let users = db::accounts::count_users(state.pool(), crate::domain::UserState::Active)
        .await
        .unwrap_or(0);
    let active = active_users(&state).await;
    let posts = db::statuses::count_local(state.pool()).await.unwrap_or(0);
    let open = service::instance::registration_mode(&state)
        .await
        .map(|m| m == RegistrationMode::Open)
        .unwrap_or(false);
    let (node_name, node_description) = match service::about::get(&state).await {
        Ok(a) => (a.texts.name, a.texts.short_description),
        Err(_) => (
            state.config.instance_name.clone(),
            state.config.instance_description.clone(),
        ),
    };
    let mut software = json!({ "name": "coopol", "version": env!("CARGO_PKG_VERSION") });
    if version == "2.1" && !state.config.source_url.is_empty() {
        software["repository"] = json!(state.config.source_url);
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": open,
        "usage": {
            "users": { "total": users, "activeMonth": active.0, "activeHalfyear": active.1 },
            "localPosts": posts,
        },
        "metadata": { "nodeName": node_name, "nodeDescription": node_description },
    });
    let content_type = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{version}#\""
    );
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_string()),
        ],
        body.to_string(),
    )
        .into_response()
}

/// (active in the last month, in the last six months): people who signed in or posted.
async fn active_users(state: &AppState) -> (i64, i64) {
    let now = crate::clock::now();
    const DAY: i64 = 24 * 3_600_000_000;
    let m = db::accounts::count_active_since(state.pool(), now - 30 * DAY)
        .await
        .unwrap_or(0);
    let h = db::accounts::count_active_since(state.pool(), now - 182 * DAY)
        .await
        .unwrap_or(0);
    (m, h)
}
