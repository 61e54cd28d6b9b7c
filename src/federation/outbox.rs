//! The outbox worker: turns what services recorded ([`Outgoing`]) into ActivityPub activities
//! and one delivery row per remote inbox (shared inboxes first, so a server with many
//! followers gets one request), in one transaction with removing the event.

use super::protocol::PUBLIC;
use super::render;
use crate::{
    clock,
    db::{self, accounts::AccountRow},
    domain::{Circle, Visibility},
    error::{AppError, AppResult},
    service::outgoing::Outgoing,
    state::AppState,
};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// An activity ready to deliver.
struct Prepared {
    /// The signing (local) actor.
    actor_id: i64,
    /// The activity.
    body: Value,
    /// Where to.
    inboxes: Vec<String>,
}

const LEASE: Duration = Duration::from_secs(120);
const MAX_ATTEMPTS: i64 = 10;

/// Handles recorded events until `stop`.
pub async fn run(state: AppState, stop: CancellationToken) {
    loop {
        if stop.is_cancelled() {
            break;
        }
        let events = match db::federation::claim_events(&state.db, &state.claim(LEASE), 100).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "outbox: cannot claim events");
                Vec::new()
            }
        };
        if events.is_empty() {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = state.outbox_ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
            continue;
        }
        let mut delivered_any = false;
        for event in events {
            match handle(&state, &event).await {
                Ok(queued) => delivered_any |= queued,
                Err(e) => {
                    let why = e.message(crate::domain::Locale::En);
                    if event.attempts >= MAX_ATTEMPTS {
                        tracing::error!(event = event.id, why, "outbox: giving up on an event");
                        let mut conn = match state.pool().acquire().await {
                            Ok(c) => c,
                            Err(_) => continue,
                        };
                        let _ = db::federation::delete_event(&mut conn, event.id).await;
                    } else {
                        tracing::warn!(event = event.id, why, "outbox: event will be retried");
                        let delay = Duration::from_secs(5 * event.attempts.max(1) as u64);
                        let _ = db::federation::retry_event(
                            state.pool(),
                            event.id,
                            clock::after(delay),
                            &why,
                        )
                        .await;
                    }
                }
            }
        }
        if delivered_any {
            super::delivery::wake(&state);
        }
    }
}

/// Builds and queues one event's deliveries; returns whether any delivery was queued.
async fn handle(state: &AppState, event: &db::federation::EventRow) -> AppResult<bool> {
    let outgoing: Outgoing = serde_json::from_str(&event.payload).map_err(AppError::internal)?;
    let prepared = prepare(state, &outgoing).await?;
    let extra = prepare_more(state, &outgoing).await?;
    let now = clock::now();
    let mut tx = state.db.begin().await?;
    let mut queued = false;
    for p in prepared.into_iter().chain(extra) {
        let mut inboxes: Vec<(String, String)> = p
            .inboxes
            .iter()
            .filter(|i| !i.starts_with(state.config.public_url.as_str()))
            .filter_map(|i| {
                Url::parse(i)
                    .ok()
                    .map(|u| (i.clone(), super::protocol::domain_of(&u)))
            })
            .collect();
        inboxes.sort();
        inboxes.dedup();
        if !inboxes.is_empty() {
            let id = p.body["id"].as_str().unwrap_or_default().to_string();
            let activity_id =
                db::federation::insert_activity(&mut tx, &id, p.actor_id, &p.body.to_string(), now)
                    .await?;
            db::federation::insert_deliveries(&mut tx, activity_id, &inboxes, now).await?;
            queued = true;
        }
    }
    db::federation::delete_event(&mut tx, event.id).await?;
    tx.commit().await?;
    Ok(queued)
}

async fn account(state: &AppState, id: i64) -> AppResult<Option<AccountRow>> {
    Ok(db::accounts::by_id(state.pool(), id).await?)
}

/// Two accounts (an actor and whom it acts on), or `None` if either is gone.
async fn both(state: &AppState, a: i64, b: i64) -> AppResult<Option<(AccountRow, AccountRow)>> {
    Ok(match (account(state, a).await?, account(state, b).await?) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    })
}

fn inbox_of(a: &AccountRow) -> Option<String> {
    if a.is_local() {
        None
    } else {
        a.inbox_url.clone()
    }
}

fn shared_inbox_of(a: &AccountRow) -> Option<String> {
    if a.is_local() {
        None
    } else {
        a.delivery_inbox().map(str::to_string)
    }
}

/// The inboxes that should see a post: followers (unless direct), mentioned accounts, and the
/// author of the post it answers (unless direct).
async fn post_inboxes(
    state: &AppState,
    author_id: i64,
    visibility: Visibility,
    mentioned: &[AccountRow],
    parent_author: Option<i64>,
) -> AppResult<Vec<String>> {
    let mut inboxes = Vec::new();
    if visibility != Visibility::Direct {
        inboxes.extend(db::social::remote_follower_inboxes(state.pool(), author_id).await?);
        // As Mastodon: a public or unlisted reply also goes to the author it answers; a
        // followers-only one only to followers and the people it mentions.
        if matches!(visibility, Visibility::Public | Visibility::Unlisted)
            && let Some(parent) = parent_author
            && let Some(a) = account(state, parent).await?
        {
            inboxes.extend(shared_inbox_of(&a));
        }
        inboxes.extend(mentioned.iter().filter_map(shared_inbox_of));
    } else {
        // Direct messages go to each recipient's own inbox, so that servers sorting shared
        // deliveries by addressing cannot show them to anyone else.
        inboxes.extend(mentioned.iter().filter_map(inbox_of));
    }
    Ok(inboxes)
}

async fn mentioned_accounts(state: &AppState, status_id: i64) -> AppResult<Vec<AccountRow>> {
    let ids = db::statuses::mentioned_ids(state.pool(), status_id).await?;
    Ok(db::accounts::by_ids(state.pool(), &ids).await?)
}

/// A group's actor, what coopol knows of it, and where its posts are addressed.
pub(super) async fn load_group(
    state: &AppState,
    group_id: i64,
) -> AppResult<
    Option<(
        AccountRow,
        Option<db::groups::GroupRow>,
        render::GroupAddress,
    )>,
> {
    let Some(account) = account(state, group_id).await? else {
        return Ok(None);
    };
    let row = db::groups::by_id(state.pool(), group_id).await?;
    let address = render::group_address(&account, row.as_ref());
    Ok(Some((account, row, address)))
}

/// The remote inboxes of a local group's circle: members always; followers unless members
/// only; affiliated sections (groups following it) in every circle, since they pass the
/// members circle on to their own members.
async fn circle_inboxes(state: &AppState, group_id: i64, circle: Circle) -> AppResult<Vec<String>> {
    let mut inboxes = db::groups::remote_member_inboxes(state.pool(), group_id).await?;
    if circle == Circle::Members {
        inboxes.extend(db::groups::remote_group_follower_inboxes(state.pool(), group_id).await?);
    } else {
        inboxes.extend(db::social::remote_follower_inboxes(state.pool(), group_id).await?);
    }
    Ok(inboxes)
}

/// The inboxes a group post (written here) goes to from its author: the group's server when
/// the group is remote (it passes the post on), the circle when it is local, plus, for a
/// public post, everyone a public post reaches.
async fn group_post_inboxes(
    state: &AppState,
    status: &db::statuses::StatusRow,
    group_id: i64,
    circle: Circle,
    mentioned: &[AccountRow],
    include_circle: bool,
) -> AppResult<Vec<String>> {
    let mut inboxes = Vec::new();
    if let Some(group) = account(state, group_id).await? {
        if group.is_local() {
            if include_circle {
                inboxes.extend(circle_inboxes(state, group_id, circle).await?);
            }
        } else {
            inboxes.extend(shared_inbox_of(&group));
        }
    }
    if circle == Circle::Public {
        inboxes.extend(
            post_inboxes(
                state,
                status.account_id,
                Visibility::Public,
                mentioned,
                status.in_reply_to_account_id,
            )
            .await?,
        );
    }
    Ok(inboxes)
}

/// Activities besides the main one: a group's plain `Announce(Note)` of a public post, which
/// Mastodon displays (it ignores `Announce(Create)`), and its `Undo` when a moderator removes
/// the post.
async fn prepare_more(state: &AppState, outgoing: &Outgoing) -> AppResult<Vec<Prepared>> {
    match outgoing {
        Outgoing::GroupAnnounce {
            group_id,
            status_id,
        } => {
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(Vec::new());
            };
            if status.circle != Some(Circle::Public) && status.visibility != Visibility::Public {
                return Ok(Vec::new());
            }
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(Vec::new());
            };
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), group.id).await?;
            inboxes.extend(db::groups::remote_member_inboxes(state.pool(), group.id).await?);
            let id = format!("{}#announces/{}/note", group.uri, status.id);
            Ok(vec![Prepared {
                actor_id: group.id,
                body: render::group_announce(&id, &address, json!(status.uri), Circle::Public),
                inboxes,
            }])
        }
        Outgoing::GroupRemove {
            group_id,
            status_id,
            status_uri,
            circle,
            ..
        } if *circle == Circle::Public => {
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(Vec::new());
            };
            let id = format!("{}#announces/{}/note", group.uri, status_id);
            let announce = render::group_announce(&id, &address, json!(status_uri), Circle::Public);
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), group.id).await?;
            inboxes.extend(db::groups::remote_member_inboxes(state.pool(), group.id).await?);
            Ok(vec![Prepared {
                actor_id: group.id,
                body: render::undo(
                    &group.uri,
                    announce,
                    vec![PUBLIC.to_string()],
                    vec![address.followers.clone()],
                ),
                inboxes,
            }])
        }
        _ => Ok(Vec::new()),
    }
}

/// A rendered post, as an `Event` when it is one.
pub(super) async fn as_event(
    state: &AppState,
    note: Value,
    status: &db::statuses::StatusRow,
) -> AppResult<Value> {
    match db::events::by_id(state.pool(), status.id).await? {
        Some(event) => {
            let participants = db::events::accepted_count(state.pool(), status.id).await?;
            Ok(render::event(note, status, &event, participants))
        }
        None => Ok(note),
    }
}

async fn prepare(state: &AppState, outgoing: &Outgoing) -> AppResult<Option<Prepared>> {
    Ok(match outgoing {
        Outgoing::CreateStatus { status_id } | Outgoing::UpdateStatus { status_id } => {
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            let Some(author) = account(state, status.account_id).await? else {
                return Ok(None);
            };
            let mentioned = mentioned_accounts(state, status.id).await?;
            let tags: Vec<String> = db::statuses::tags_of(state.pool(), &[status.id])
                .await?
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            let group = match status.group_id {
                Some(g) => load_group(state, g).await?,
                None => None,
            };
            let note = render::note(
                state,
                &status,
                &render::NoteParts {
                    author: &author,
                    mentioned: &mentioned,
                    tags: &tags,
                    group: group.as_ref().map(|(_, _, a)| a),
                },
            );
            let note = as_event(state, note, &status).await?;
            let kind = if matches!(outgoing, Outgoing::CreateStatus { .. }) {
                "Create"
            } else {
                "Update"
            };
            let visibility = status.visibility;
            let mut inboxes = match (status.group_id, status.circle) {
                (Some(g), Some(c)) => {
                    // A new post in a local group reaches its circle through the group's
                    // Announce; an edit goes to the circle directly.
                    let include_circle = kind == "Update";
                    group_post_inboxes(state, &status, g, c, &mentioned, include_circle).await?
                }
                _ => {
                    post_inboxes(
                        state,
                        author.id,
                        visibility,
                        &mentioned,
                        status.in_reply_to_account_id,
                    )
                    .await?
                }
            };
            // An event's changes (a cancellation) reach its participants elsewhere, followers
            // or not.
            // Only those who may still read it: a closed circle's event goes to its
            // participants inside the circle, never to one who left it (docs/SECURITY.md,
            // rule T9).
            if kind == "Update" {
                let public = visibility.is_public();
                for (account_id, inbox) in
                    db::events::remote_participant_inboxes(state.pool(), status.id).await?
                {
                    if inboxes.contains(&inbox)
                        || (!public
                            && !crate::service::statuses::can_see(state, Some(account_id), &status)
                                .await?)
                    {
                        continue;
                    }
                    inboxes.push(inbox);
                }
            }
            Some(Prepared {
                actor_id: author.id,
                body: render::create_or_update(kind, note),
                inboxes,
            })
        }
        Outgoing::DeleteStatus {
            account_id,
            uri,
            visibility,
            mentioned,
            in_reply_to_account_id,
            group_id,
            circle,
        } => {
            let Some(author) = account(state, *account_id).await? else {
                return Ok(None);
            };
            let mentioned = db::accounts::by_ids(state.pool(), mentioned).await?;
            let visibility = *visibility;
            let followers = render::actor_urls(&author).followers;
            let mention_uris: Vec<String> = mentioned.iter().map(|a| a.uri.clone()).collect();
            let group = match group_id {
                Some(g) => load_group(state, *g).await?,
                None => None,
            };
            let (to, cc, inboxes) = match (group, *circle) {
                (Some((g, _, address)), Some(c)) => {
                    let (to, cc) = render::group_addressing(c, &address, &followers, &mention_uris);
                    let mut inboxes = if g.is_local() {
                        circle_inboxes(state, g.id, c).await?
                    } else {
                        shared_inbox_of(&g).into_iter().collect()
                    };
                    if c == Circle::Public {
                        inboxes.extend(
                            post_inboxes(
                                state,
                                author.id,
                                Visibility::Public,
                                &mentioned,
                                *in_reply_to_account_id,
                            )
                            .await?,
                        );
                    }
                    (to, cc, inboxes)
                }
                _ => {
                    let (to, cc) = render::addressing(visibility, &followers, &mention_uris);
                    let inboxes = post_inboxes(
                        state,
                        author.id,
                        visibility,
                        &mentioned,
                        *in_reply_to_account_id,
                    )
                    .await?;
                    (to, cc, inboxes)
                }
            };
            Some(Prepared {
                actor_id: author.id,
                body: render::delete_note(&author.uri, uri, to, cc),
                inboxes,
            })
        }
        Outgoing::Follow { follow_id } => {
            let Some(follow) = db::social::follow_by_id(state.pool(), *follow_id).await? else {
                return Ok(None);
            };
            let Some((me, target)) =
                both(state, follow.account_id, follow.target_account_id).await?
            else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: render::follow(
                    follow.uri.as_deref().unwrap_or_default(),
                    &me.uri,
                    &target.uri,
                ),
                inboxes: inbox_of(&target).into_iter().collect(),
            })
        }
        Outgoing::UndoFollow {
            account_id,
            target_id,
            follow_uri,
        } => {
            let Some((me, target)) = both(state, *account_id, *target_id).await? else {
                return Ok(None);
            };
            let follow = render::follow(follow_uri, &me.uri, &target.uri);
            Some(Prepared {
                actor_id: me.id,
                body: render::undo(&me.uri, follow, vec![target.uri.clone()], Vec::new()),
                inboxes: inbox_of(&target).into_iter().collect(),
            })
        }
        Outgoing::AcceptFollow {
            account_id,
            follower_id,
            follow_uri,
        }
        | Outgoing::RejectFollow {
            account_id,
            follower_id,
            follow_uri,
        } => {
            let Some((me, follower)) = both(state, *account_id, *follower_id).await? else {
                return Ok(None);
            };
            let kind = if matches!(outgoing, Outgoing::AcceptFollow { .. }) {
                "Accept"
            } else {
                "Reject"
            };
            Some(Prepared {
                actor_id: me.id,
                body: render::answer_follow(kind, &me, &follower, follow_uri),
                inboxes: inbox_of(&follower).into_iter().collect(),
            })
        }
        Outgoing::Like {
            account_id,
            status_id,
            like_uri,
        } => {
            let Some(me) = account(state, *account_id).await? else {
                return Ok(None);
            };
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            let Some(author) = account(state, status.account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: render::like(like_uri, &me.uri, &status.uri, &author.uri),
                inboxes: inbox_of(&author).into_iter().collect(),
            })
        }
        Outgoing::UndoLike {
            account_id,
            status_uri,
            author_id,
            like_uri,
        } => {
            let Some((me, author)) = both(state, *account_id, *author_id).await? else {
                return Ok(None);
            };
            let like = render::like(like_uri, &me.uri, status_uri, &author.uri);
            Some(Prepared {
                actor_id: me.id,
                body: render::undo(&me.uri, like, vec![author.uri.clone()], Vec::new()),
                inboxes: inbox_of(&author).into_iter().collect(),
            })
        }
        Outgoing::Announce { reblog_id } => {
            let Some(boost) = db::statuses::by_id(state.pool(), *reblog_id).await? else {
                return Ok(None);
            };
            let Some(original_id) = boost.reblog_of_id else {
                return Ok(None);
            };
            let Some(original) = db::statuses::by_id(state.pool(), original_id).await? else {
                return Ok(None);
            };
            let Some((me, author)) = both(state, boost.account_id, original.account_id).await?
            else {
                return Ok(None);
            };
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), me.id).await?;
            inboxes.extend(shared_inbox_of(&author));
            Some(Prepared {
                actor_id: me.id,
                body: render::announce(&boost, &me, &original, &author),
                inboxes,
            })
        }
        Outgoing::UndoAnnounce {
            account_id,
            reblog_uri,
            status_uri,
            author_id,
        } => {
            let Some((me, author)) = both(state, *account_id, *author_id).await? else {
                return Ok(None);
            };
            let followers = render::actor_urls(&me).followers;
            let announce = render::activity(
                reblog_uri,
                "Announce",
                &me.uri,
                Value::String(status_uri.clone()),
                vec![super::protocol::PUBLIC.to_string()],
                vec![author.uri.clone(), followers.clone()],
            );
            let mut inboxes = db::social::remote_follower_inboxes(state.pool(), me.id).await?;
            inboxes.extend(shared_inbox_of(&author));
            Some(Prepared {
                actor_id: me.id,
                body: render::undo(
                    &me.uri,
                    announce,
                    vec![super::protocol::PUBLIC.to_string()],
                    vec![followers],
                ),
                inboxes,
            })
        }
        Outgoing::Block {
            account_id,
            target_id,
            block_uri,
        }
        | Outgoing::UndoBlock {
            account_id,
            target_id,
            block_uri,
        } => {
            let Some((me, target)) = both(state, *account_id, *target_id).await? else {
                return Ok(None);
            };
            let block = render::block(block_uri, &me.uri, &target.uri);
            let body = if matches!(outgoing, Outgoing::Block { .. }) {
                block
            } else {
                render::undo(&me.uri, block, vec![target.uri.clone()], Vec::new())
            };
            Some(Prepared {
                actor_id: me.id,
                body,
                inboxes: inbox_of(&target).into_iter().collect(),
            })
        }
        Outgoing::UpdateActor { account_id } => {
            let Some(me) = account(state, *account_id).await? else {
                return Ok(None);
            };
            if me.deleted_at.is_some() {
                return Ok(None);
            }
            Some(Prepared {
                actor_id: me.id,
                body: render::update_actor(state, &me),
                inboxes: db::social::remote_follower_inboxes(state.pool(), me.id).await?,
            })
        }
        Outgoing::DeleteActor {
            account_id,
            inboxes,
        } => {
            let Some(me) = account(state, *account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: render::delete_actor(&me),
                inboxes: inboxes.clone(),
            })
        }
        Outgoing::JoinGroup { member_id } => {
            let Some(m) = db::groups::member_by_id(state.pool(), *member_id).await? else {
                return Ok(None);
            };
            let Some((me, group)) = both(state, m.account_id, m.group_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: render::join(
                    m.uri.as_deref().unwrap_or_default(),
                    &me.uri,
                    &group.uri,
                    &m.message,
                ),
                inboxes: inbox_of(&group).into_iter().collect(),
            })
        }
        Outgoing::LeaveGroup {
            group_id,
            account_id,
            join_uri,
        } => {
            let Some((me, group)) = both(state, *account_id, *group_id).await? else {
                return Ok(None);
            };
            let id = format!("{}#leaves/{}", me.uri, crate::crypto::random_code(16));
            let mut body = render::leave(&id, &me.uri, &group.uri);
            if !join_uri.is_empty() {
                body["inReplyTo"] = json!(join_uri);
            }
            Some(Prepared {
                actor_id: me.id,
                body,
                inboxes: inbox_of(&group).into_iter().collect(),
            })
        }
        Outgoing::AnswerJoin {
            group_id,
            account_id,
            join_uri,
            accept,
        } => {
            let Some((group, member)) = both(state, *group_id, *account_id).await? else {
                return Ok(None);
            };
            let kind = if *accept { "Accept" } else { "Reject" };
            Some(Prepared {
                actor_id: group.id,
                body: render::answer_join(kind, &group, &member, join_uri, &group.uri),
                inboxes: inbox_of(&member).into_iter().collect(),
            })
        }
        Outgoing::JoinEvent { participant_id } => {
            let Some(p) = db::events::participant_by_id(state.pool(), *participant_id).await?
            else {
                return Ok(None);
            };
            let Some(event) = db::statuses::by_id(state.pool(), p.event_id).await? else {
                return Ok(None);
            };
            let Some((me, organizer)) = both(state, p.account_id, event.account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: me.id,
                body: render::join(
                    p.uri.as_deref().unwrap_or_default(),
                    &me.uri,
                    &event.uri,
                    &p.message,
                ),
                inboxes: inbox_of(&organizer).into_iter().collect(),
            })
        }
        Outgoing::LeaveEvent {
            event_id,
            account_id,
        } => {
            let Some(event) = db::statuses::by_id(state.pool(), *event_id).await? else {
                return Ok(None);
            };
            let Some((me, organizer)) = both(state, *account_id, event.account_id).await? else {
                return Ok(None);
            };
            let id = format!("{}#leaves/{}", me.uri, crate::crypto::random_code(16));
            Some(Prepared {
                actor_id: me.id,
                body: render::leave(&id, &me.uri, &event.uri),
                inboxes: inbox_of(&organizer).into_iter().collect(),
            })
        }
        Outgoing::AnswerEventJoin {
            participant_id,
            accept,
        } => {
            let Some(p) = db::events::participant_by_id(state.pool(), *participant_id).await?
            else {
                return Ok(None);
            };
            let Some(event) = db::statuses::by_id(state.pool(), p.event_id).await? else {
                return Ok(None);
            };
            let Some((organizer, participant)) =
                both(state, event.account_id, p.account_id).await?
            else {
                return Ok(None);
            };
            let kind = if *accept { "Accept" } else { "Reject" };
            Some(Prepared {
                actor_id: organizer.id,
                body: render::answer_join(
                    kind,
                    &organizer,
                    &participant,
                    p.uri.as_deref().unwrap_or_default(),
                    &event.uri,
                ),
                inboxes: inbox_of(&participant).into_iter().collect(),
            })
        }
        Outgoing::InviteToEvent { participant_id } => {
            let Some(p) = db::events::participant_by_id(state.pool(), *participant_id).await?
            else {
                return Ok(None);
            };
            let Some(event) = db::statuses::by_id(state.pool(), p.event_id).await? else {
                return Ok(None);
            };
            let Some((author, invitee)) = both(state, event.account_id, p.account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: author.id,
                body: render::invite(&author, &event.uri, &invitee),
                inboxes: inbox_of(&invitee).into_iter().collect(),
            })
        }
        Outgoing::InviteMember {
            group_id,
            by_id,
            account_id,
        } => {
            let Some((group, invitee)) = both(state, *group_id, *account_id).await? else {
                return Ok(None);
            };
            let Some(by) = account(state, *by_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: by.id,
                body: render::invite(&by, &group.uri, &invitee),
                inboxes: inbox_of(&invitee).into_iter().collect(),
            })
        }
        Outgoing::RemoveMember {
            group_id,
            account_id,
        } => {
            let Some((group, member)) = both(state, *group_id, *account_id).await? else {
                return Ok(None);
            };
            Some(Prepared {
                actor_id: group.id,
                body: render::remove_member(&group, &member),
                inboxes: inbox_of(&member).into_iter().collect(),
            })
        }
        Outgoing::GroupAnnounce {
            group_id,
            status_id,
        } => {
            let Some(status) = db::statuses::by_id(state.pool(), *status_id).await? else {
                return Ok(None);
            };
            let Some(circle) = db::groups::post_groups(state.pool(), status.id)
                .await?
                .into_iter()
                .find(|(g, _)| g == group_id)
                .map(|(_, c)| c)
            else {
                return Ok(None);
            };
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(None);
            };
            let Some(author) = account(state, status.account_id).await? else {
                return Ok(None);
            };
            // The post as its own group addresses it (a federation's post passed on by a
            // section keeps the federation as its audience).
            let own_group = match status.group_id {
                Some(g) if g == group.id => Some(address.clone()),
                Some(g) => load_group(state, g).await?.map(|(_, _, a)| a),
                None => None,
            };
            let mentioned = mentioned_accounts(state, status.id).await?;
            let tags: Vec<String> = db::statuses::tags_of(state.pool(), &[status.id])
                .await?
                .into_iter()
                .map(|(_, t)| t)
                .collect();
            let note = render::note(
                state,
                &status,
                &render::NoteParts {
                    author: &author,
                    mentioned: &mentioned,
                    tags: &tags,
                    group: own_group.as_ref(),
                },
            );
            let note = as_event(state, note, &status).await?;
            // FEP-1b12: the group announces the Create of posts written here; a post from
            // another server is announced as the object itself (its Create is its author's).
            let object = if author.is_local() {
                render::create_or_update("Create", note)
            } else {
                note
            };
            let id = format!("{}#announces/{}", group.uri, status.id);
            Some(Prepared {
                actor_id: group.id,
                body: render::group_announce(&id, &address, object, circle),
                inboxes: circle_inboxes(state, group.id, circle).await?,
            })
        }
        Outgoing::GroupRemove {
            group_id,
            moderator_id,
            status_id,
            status_uri,
            circle,
        } => {
            let Some((group, _, address)) = load_group(state, *group_id).await? else {
                return Ok(None);
            };
            let moderator = account(state, *moderator_id)
                .await?
                .map(|m| m.uri)
                .unwrap_or_else(|| group.uri.clone());
            let circle = *circle;
            let mut delete = render::delete_note(&moderator, status_uri, Vec::new(), Vec::new());
            delete["id"] = json!(format!("{}#removals/{}", group.uri, status_id));
            delete["audience"] = json!(group.uri);
            let id = format!("{}#announces/{}/delete", group.uri, status_id);
            Some(Prepared {
                actor_id: group.id,
                body: render::group_announce(&id, &address, delete, circle),
                inboxes: circle_inboxes(state, group.id, circle).await?,
            })
        }
    })
}
