//! Posts received in bulk. Under load most of what arrives is `Create`s of posts; processed
//! one by one, each costs about twenty queries and a commit. The inbox worker hands every run
//! of consecutive `Create`s here: the run is checked with a handful of queries for all of it
//! (authors, deleted and known posts, parents, local followers, named accounts), and the posts
//! that need nothing more (no parent to fetch, not written in a group, not an event) are
//! written in one transaction (on SQLite, one per part of 64 posts, so that the inbox's
//! admissions pass between them), together with the queue's record that their activities are
//! done, so that none is lost or applied twice. The activities this path does not take are
//! left to the ordinary one ([`receive::process`]), after the run; either way a post ends up
//! stored the same (the inbox tests go through both).

use super::{
    objects,
    protocol::{self, Activity},
    receive::{self, Outcome},
};
use crate::{
    db::{self, accounts::AccountRow, federation::QueuedActivity, statuses::StatusRow},
    domain::Visibility,
    service::statuses::{self as posts, Placement},
    state::AppState,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// Whether a stored activity is a `Create` (read without building the whole activity).
pub fn is_create(body: &str) -> bool {
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<Kind>(body).is_ok_and(|k| k.kind.as_deref() == Some("Create"))
}

/// What became of a run of `Create`s.
#[derive(Debug, Default)]
pub struct Stored {
    /// Activities settled (and marked done) in the run's transaction: queue id and outcome.
    pub settled: Vec<(i64, Outcome)>,
    /// Positions in the run of the activities left to the ordinary path, in order.
    pub rest: Vec<usize>,
}

/// A claimed activity, with what the inbox worker reads from it before processing (parsing,
/// which needs no database, can then be done ahead).
#[derive(Debug)]
pub struct Prepared {
    /// The activity as queued.
    pub item: QueuedActivity,
    /// Whether it is a `Create`.
    pub create: bool,
    /// The post it creates, when the bulk path can take it (see [`plain_post`]).
    pub note: Option<protocol::Note>,
}

/// Reads what the bulk path needs from a claimed activity.
pub fn prepare(item: QueuedActivity) -> Prepared {
    // A plain post is a `Create`: the body is read once more only for the others.
    let note = plain_post(&item);
    let create = note.is_some() || is_create(&item.body);
    Prepared { item, create, note }
}

/// Stores what it can of a run of `Create` activities in one transaction, or in parts of
/// `SQLITE_WRITE_PART` posts on SQLite (see the module's description and [`store_parsed`]).
/// On an error nothing of the run is stored or marked done; when a later part fails, the
/// parts before it stay and the rest is left to the ordinary path.
pub async fn store_creates(
    state: &AppState,
    run: &[QueuedActivity],
) -> Result<Stored, sqlx::Error> {
    store_parsed(state, run, run.iter().map(plain_post).collect()).await
}

/// [`store_creates`] with each activity's post already parsed (`notes[i]` for `run[i]`).
pub async fn store_parsed(
    state: &AppState,
    run: &[QueuedActivity],
    parsed: Vec<Option<protocol::Note>>,
) -> Result<Stored, sqlx::Error> {
    let ours = state.config.public_url.as_str();
    let mut stored = Stored::default();
    let mut notes: Vec<(usize, protocol::Note)> = Vec::new();
    for (i, note) in parsed.into_iter().enumerate() {
        match note {
            Some(note) => notes.push((i, note)),
            None => stored.rest.push(i),
        }
    }
    if notes.is_empty() {
        return Ok(stored);
    }

    // What the run needs to know, a query each.
    let mut conn = state.pool().acquire().await?;
    let signers = distinct(notes.iter().map(|(i, _)| run[*i].signer.as_str()));
    let mut authors: HashMap<String, db::accounts::Author> =
        db::accounts::authors_by_uris(&mut conn, &signers)
            .await?
            .into_iter()
            .map(|a| (a.uri.clone(), a))
            .collect();
    // Suspended authors' posts are not taken: the ordinary path drops their activities.
    db::sanctions::keep_unsuspended(&mut conn, &mut authors).await?;
    let note_ids: Vec<&str> = notes.iter().map(|(_, n)| n.id.as_str()).collect();
    let deleted: HashSet<String> = db::statuses::tombstoned_among(&mut conn, &note_ids)
        .await?
        .into_iter()
        .collect();
    let post_ids = distinct(
        note_ids.iter().copied().chain(
            notes
                .iter()
                .filter_map(|(_, n)| n.in_reply_to.as_ref().map(url::Url::as_str)),
        ),
    );
    let known: HashMap<String, StatusRow> = db::statuses::by_uris(&mut conn, &post_ids)
        .await?
        .into_iter()
        .map(|s| (s.uri.clone(), s))
        .collect();
    let author_ids: Vec<i64> = authors.values().map(|a| a.id).collect();
    let mut followers: HashMap<i64, Vec<i64>> = HashMap::new();
    for (target, follower) in db::social::local_followers_of(&mut conn, &author_ids).await? {
        followers.entry(target).or_default().push(follower);
    }
    let hashtags: Vec<String> = notes
        .iter()
        .flat_map(|(_, n)| objects::hashtags(n))
        .collect::<HashSet<String>>()
        .into_iter()
        .collect();
    let followed_tags: HashSet<String> = db::tags::followed_here(&mut *conn, &hashtags)
        .await?
        .into_iter()
        .collect();
    let names = distinct(notes.iter().flat_map(|(_, n)| {
        objects::named_accounts(ours, n)
            .into_iter()
            .chain(objects::group_candidates(n))
    }));
    let named: HashMap<String, AccountRow> = db::accounts::by_uris(&mut conn, &names)
        .await?
        .into_iter()
        .map(|a| (a.uri.clone(), a))
        .collect();

    // Each post: settled now, written below, or left to the ordinary path.
    let mut seen = HashSet::new();
    let mut ready: Vec<(usize, posts::RemoteStatus, Option<&StatusRow>)> = Vec::new();
    for (i, note) in &notes {
        let id = note.id.as_str();
        let parent = note.in_reply_to.as_ref().map(|p| known.get(p.as_str()));
        let is_group = |a: &AccountRow| a.actor_type == "Group" && a.deleted_at.is_none();
        let Some(author) = authors.get(&run[*i].signer) else {
            stored.rest.push(*i);
            continue;
        };
        if !seen.insert(id) {
            // The same post twice in the run: the second finds the first stored.
            stored.rest.push(*i);
        } else if deleted.contains(id) {
            stored
                .settled
                .push((run[*i].id, Outcome::Ignored("the post was deleted")));
        } else if known.contains_key(id) {
            stored
                .settled
                .push((run[*i].id, Outcome::Ignored("the post is already here")));
        } else if matches!(parent, Some(None))
            || parent.flatten().is_some_and(|p| p.group_id.is_some())
            || objects::group_candidates(note)
                .iter()
                .any(|u| named.get(*u).is_some_and(is_group))
        {
            // A parent to fetch, or a group to ask: the ordinary path does it.
            stored.rest.push(*i);
        } else if !followers.contains_key(&author.id)
            && !receive::addresses_us(ours, note)
            && parent.is_none()
            && objects::followed_hashtags(note, |t| followed_tags.contains(t)).is_empty()
        {
            stored.settled.push((
                run[*i].id,
                Outcome::Ignored("nobody here follows the author or is addressed"),
            ));
        } else {
            let mentioned =
                objects::mentioned_among(&objects::named_accounts(ours, note), |u| named.get(u));
            let post = objects::build_remote_status(
                note,
                author.id,
                author.followers_url.as_deref(),
                mentioned,
                None,
                None,
            );
            ready.push((*i, post, parent.flatten()));
        }
    }
    stored.rest.sort_unstable();

    let placed: Vec<(&posts::RemoteStatus, Placement)> = ready
        .iter()
        .map(|(_, post, parent)| {
            let place = Placement {
                parent: *parent,
                group_id: None,
                circle: None,
                visibility: post.visibility,
                followers: match post.visibility {
                    Visibility::Direct | Visibility::Group => &[],
                    _ => followers
                        .get(&post.account_id)
                        .map(Vec::as_slice)
                        .unwrap_or_default(),
                },
            };
            (post, place)
        })
        .collect();
    if ready.is_empty() && stored.settled.is_empty() {
        return Ok(stored);
    }
    // SQLite has one writer, and the inbox's admission (which every request waits for) queues
    // behind a transaction that holds it: there the run is written in parts, each in its own
    // transaction with its own turn, so that admissions pass between them. A part that fails
    // is left, with the parts after it, to the ordinary path.
    let part = match state.db.backend() {
        db::Backend::Sqlite => SQLITE_WRITE_PART,
        db::Backend::Postgres => ready.len().max(1),
    };
    // On SQLite the parts are written on the writers' connection (`Db::writer`), and the
    // reading connection goes back first; on PostgreSQL the same connection writes.
    let mut reader = match state.db.backend() {
        db::Backend::Sqlite => {
            drop(conn);
            None
        }
        db::Backend::Postgres => Some(conn),
    };
    let mut done: Vec<i64> = stored.settled.iter().map(|(id, _)| *id).collect();
    let mut new_posts: Vec<i64> = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + part).min(ready.len());
        let written = async {
            let mut conn = match reader.take() {
                Some(conn) => conn,
                None => state.db.writer().await?,
            };
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            let ids = posts::write_remotes(&mut tx, &state.ids, &placed[start..end]).await?;
            let mut outcomes = Vec::with_capacity(ids.len());
            new_posts.clear();
            new_posts.extend(ids.iter().flatten().copied());
            for ((i, _, _), id) in ready[start..end].iter().zip(ids) {
                let outcome = match id {
                    Some(_) => Outcome::Applied("post stored"),
                    None => Outcome::Ignored("the post is already here"),
                };
                done.push(run[*i].id);
                outcomes.push((run[*i].id, outcome));
            }
            db::federation::finish_inbox_many(&mut tx, &done).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcomes)
        }
        .await;
        match written {
            Ok(outcomes) => {
                stored.settled.extend(outcomes);
                // One change batch per transaction: one NOTIFY for the run, not one per post.
                state.streams.created(new_posts.drain(..));
            }
            Err(e) if start > 0 => {
                tracing::warn!(error = %e, "inbox: part of a run of posts goes one by one");
                stored
                    .rest
                    .extend(ready[start..].iter().map(|(i, _, _)| *i));
                stored.rest.sort_unstable();
                return Ok(stored);
            }
            Err(e) => return Err(e),
        }
        done.clear();
        start = end;
        if start >= ready.len() {
            return Ok(stored);
        }
    }
}

/// Posts written per transaction on SQLite (see [`store_parsed`]): half a claimed batch, so that
/// an admission waits for at most that many posts' writes. Parts of 64 processed 20 % more than
/// parts of 32 in the ingest benchmark (pages that several posts share, such as the tables'
/// last pages and the authors' counters, are written once per part), for 3 ms more POST p99;
/// whole batches of 128 accepted a third less (docs/decisions/0019-bindings-signatures-and-parts.md).
const SQLITE_WRITE_PART: usize = 64;

/// The post a stored activity creates, when it is a well-formed `Create` by its signer of a
/// post that is not an event (events carry more, stored by the ordinary path).
fn plain_post(item: &QueuedActivity) -> Option<protocol::Note> {
    let activity: Activity = receive::parse_activity(&item.signer, &item.body).ok()?;
    let kind = activity.object_type()?;
    // Events, polls and votes carry more than a post: the ordinary path stores them.
    if activity.kind != "Create"
        || !receive::POST_TYPES.contains(&kind)
        || kind == "Event"
        || kind == "Question"
    {
        return None;
    }
    let note = receive::parse_note(&activity.object).ok()?;
    if crate::federation::activities::poll::looks_like_vote(&note) {
        return None;
    }
    receive::check_authorship(&item.signer, &note).ok()?;
    Some(note)
}

/// The distinct values, in their first order.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}
