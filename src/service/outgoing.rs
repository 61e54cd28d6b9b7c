//! What services ask federation to send. A service records an [`Outgoing`] value in the same
//! transaction as the change it announces (so a crash can lose neither without the other);
//! the federation outbox worker turns it into ActivityPub activities and deliveries. Services
//! thus never build ActivityPub JSON nor call federation code.

use crate::{
    db,
    domain::{Circle, Visibility},
    error::AppResult,
};
use serde::{Deserialize, Serialize};

/// One thing to tell other servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outgoing {
    /// A local post was published: `Create(Note)`.
    CreateStatus {
        /// The post.
        status_id: i64,
    },
    /// A local post was edited: `Update(Note)`.
    UpdateStatus {
        /// The post.
        status_id: i64,
    },
    /// A local post was deleted: `Delete(Tombstone)`, to whoever could see it.
    DeleteStatus {
        /// Its author.
        account_id: i64,
        /// Its ActivityPub id.
        uri: String,
        /// Its visibility.
        visibility: Visibility,
        /// Accounts it mentioned.
        mentioned: Vec<i64>,
        /// The author of the post it answered, if any.
        in_reply_to_account_id: Option<i64>,
        /// The group it was posted in, if any.
        #[serde(default)]
        group_id: Option<i64>,
        /// Its circle there.
        #[serde(default)]
        circle: Option<Circle>,
        /// Whether it was an event (the `Tombstone`'s `formerType`: Gancio deletes an event
        /// only when told it was one).
        #[serde(default)]
        was_event: bool,
    },
    /// A local account asked to follow a remote one: `Follow`.
    Follow {
        /// The follow row.
        follow_id: i64,
    },
    /// A local account stopped following (or withdrew its request): `Undo(Follow)`.
    UndoFollow {
        /// The follower.
        account_id: i64,
        /// The followed.
        target_id: i64,
        /// The Follow's id.
        follow_uri: String,
    },
    /// A local account accepted a remote follower: `Accept(Follow)`.
    AcceptFollow {
        /// The followed (local).
        account_id: i64,
        /// The follower (remote).
        follower_id: i64,
        /// The Follow's id.
        follow_uri: String,
    },
    /// A local account refused (or removed) a remote follower: `Reject(Follow)`.
    RejectFollow {
        /// The followed (local).
        account_id: i64,
        /// The follower (remote).
        follower_id: i64,
        /// The Follow's id.
        follow_uri: String,
    },
    /// A local person pinned one of their posts: `Add` to their `featured` collection.
    Pin {
        /// Who.
        account_id: i64,
        /// The post's ActivityPub id.
        status_uri: String,
    },
    /// A local person unpinned one of their posts: `Remove` from their `featured` collection.
    Unpin {
        /// Who.
        account_id: i64,
        /// The post's ActivityPub id.
        status_uri: String,
    },
    /// A local account liked a remote post: `Like`.
    Like {
        /// Who.
        account_id: i64,
        /// Which post.
        status_id: i64,
        /// The Like's id.
        like_uri: String,
    },
    /// A like was withdrawn: `Undo(Like)`.
    UndoLike {
        /// Who.
        account_id: i64,
        /// The post's ActivityPub id.
        status_uri: String,
        /// The post's author.
        author_id: i64,
        /// The Like's id.
        like_uri: String,
    },
    /// A local account boosted a post: `Announce`.
    Announce {
        /// The boost.
        reblog_id: i64,
    },
    /// A boost was withdrawn: `Undo(Announce)`.
    UndoAnnounce {
        /// Who.
        account_id: i64,
        /// The boost's (Announce's) id.
        reblog_uri: String,
        /// The boosted post's ActivityPub id.
        status_uri: String,
        /// The boosted post's author.
        author_id: i64,
    },
    /// A local account blocked a remote one: `Block`.
    Block {
        /// Who blocks.
        account_id: i64,
        /// Who is blocked.
        target_id: i64,
        /// The Block's id.
        block_uri: String,
    },
    /// A block was lifted: `Undo(Block)`.
    UndoBlock {
        /// Who blocked.
        account_id: i64,
        /// Who was blocked.
        target_id: i64,
        /// The Block's id.
        block_uri: String,
    },
    /// A local profile changed: `Update(Person)`.
    UpdateActor {
        /// The account.
        account_id: i64,
    },
    /// A local account was deleted: `Delete(Person)` to the servers that knew it.
    DeleteActor {
        /// The account.
        account_id: i64,
        /// The inboxes of its followers and followees, collected before their links went.
        inboxes: Vec<String>,
    },
    /// A local person asks to join a remote group: `Join`.
    JoinGroup {
        /// The membership row (pending).
        member_id: i64,
    },
    /// A local person leaves a remote group: `Leave`.
    LeaveGroup {
        /// The group.
        group_id: i64,
        /// Who leaves.
        account_id: i64,
        /// The Join's id.
        join_uri: String,
    },
    /// A local group answers a remote person's request: `Accept` or `Reject` of the `Join`.
    AnswerJoin {
        /// The group.
        group_id: i64,
        /// Who asked.
        account_id: i64,
        /// The Join's id.
        join_uri: String,
        /// Accepted or refused.
        accept: bool,
    },
    /// A local person asks to take part in a remote event: `Join` of the event.
    JoinEvent {
        /// The participation row (pending).
        participant_id: i64,
    },
    /// A local person leaves a remote event: `Leave`.
    LeaveEvent {
        /// The event.
        event_id: i64,
        /// Who leaves.
        account_id: i64,
    },
    /// A local event answers a remote person's `Join`: `Accept` or `Reject`.
    AnswerEventJoin {
        /// The participation row.
        participant_id: i64,
        /// Accepted or refused.
        accept: bool,
    },
    /// A local event's organizers invite a remote person: `Invite` of the event, from its
    /// author.
    InviteToEvent {
        /// The participation row (state `invited`).
        participant_id: i64,
    },
    /// A local group invites a remote person: `Invite`.
    InviteMember {
        /// The group.
        group_id: i64,
        /// The moderator inviting.
        by_id: i64,
        /// Who is invited.
        account_id: i64,
    },
    /// A local group removes (or bans) a remote member: `Remove`.
    RemoveMember {
        /// The group.
        group_id: i64,
        /// Who is removed.
        account_id: i64,
    },
    /// A local group passes a post on to its circle: `Announce(Create(Note))` (FEP-1b12), and
    /// a plain `Announce(Note)` for Mastodon when the post is public.
    GroupAnnounce {
        /// The group.
        group_id: i64,
        /// The post.
        status_id: i64,
    },
    /// A post from another server placed in a local group was edited: the group's
    /// `Announce(Update(Note))` to the circle (FEP-1b12; Lemmy reads edits only so).
    GroupAnnounceUpdate {
        /// The group.
        group_id: i64,
        /// The post.
        status_id: i64,
        /// The id of the author's `Update`, announced as it was received.
        activity_uri: String,
    },
    /// A moderator removed a post from a local group: `Announce(Delete)` to the circle that
    /// received it, and `Undo(Announce)` for Mastodon.
    GroupRemove {
        /// The group.
        group_id: i64,
        /// The moderator.
        moderator_id: i64,
        /// The post's id here (ids of the group's Announces derive from it).
        status_id: i64,
        /// The post's ActivityPub id.
        status_uri: String,
        /// The circle it was in.
        circle: Circle,
    },
    /// A local group did not take in a post another server's author wrote in it (not a
    /// member, a locked thread): `Reject` of its `Create`, to the author alone.
    RejectGroupPost {
        /// The group.
        group_id: i64,
        /// The author (remote).
        author_id: i64,
        /// The post's ActivityPub id.
        status_uri: String,
    },
    /// A local person voted in another server's poll: one `Create(Note)` per choice (the
    /// option's `name`, `inReplyTo` the poll), to the poll's author only.
    PollVote {
        /// The poll's post.
        status_id: i64,
        /// Who voted.
        account_id: i64,
    },
    /// A local account (a person or a group) moved to another account: `Move` to its
    /// followers' servers (and a group's members'), naming the new account (`movedTo`).
    Move {
        /// The account that moved.
        account_id: i64,
    },
    /// A report forwarded to other servers: a `Flag` from the instance actor, without the
    /// reporter's name.
    Flag {
        /// The report.
        report_id: i64,
        /// The servers chosen (the reported account's, those of the accounts its posts answer).
        domains: Vec<String>,
    },
}

/// Records something to send, inside the caller's transaction.
pub async fn push(conn: &mut sqlx::AnyConnection, outgoing: &Outgoing) -> AppResult<()> {
    let payload = serde_json::to_string(outgoing).map_err(crate::error::AppError::internal)?;
    db::federation::push_event(conn, &payload, crate::clock::now()).await?;
    Ok(())
}

/// Records an `Update` of a local post to send in `delay` at the latest, unless one already
/// waits: a poll's changing counts reach other servers at most once per `delay` (plus the
/// closing worker's final `Update`).
pub async fn push_debounced_update(
    conn: &mut sqlx::AnyConnection,
    status_id: i64,
    delay: std::time::Duration,
) -> AppResult<()> {
    let payload = serde_json::to_string(&Outgoing::UpdateStatus { status_id })
        .map_err(crate::error::AppError::internal)?;
    let now = crate::clock::now();
    db::federation::push_event_once(conn, &payload, now, now + delay.as_micros() as i64).await?;
    Ok(())
}
