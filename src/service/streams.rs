//! Live streams (Mastodon's streaming API): what changed, told to every process, and routed to
//! the connections that may see it.
//!
//! Services tell the [`Hub`] what changed after their commits, as ids ([`Change`]): a post
//! created, edited or deleted, a notification. With SQLite (one process) the changes go
//! straight to this process's fan-out; with PostgreSQL a notifier task coalesces them into one
//! `NOTIFY` per batch (the inbox stores dozens of posts a batch) and every process, this one
//! included, hears them through `LISTEN` on a connection of its own ([`run_listener`]). Each
//! process then [`load`]s each change once, the API layer renders it once, and the rendered
//! [`Delivery`] goes to this process's connections through a bounded broadcast channel: a
//! slow connection lags (it misses what it could not take) and never holds a writer back.
//!
//! Who receives what is decided here, as the timelines decide it: the public streams carry
//! what the public timeline shows ([`timelines::on_public_timeline`]: public posts, no
//! boosts; never a followers-only post, a direct message or a group's closed circle), minus
//! the authors a viewer blocks or is blocked by; `user` carries what enters the viewer's home
//! timeline (the `feeds` fan-out, which already holds a closed circle's posts for its members
//! only, and the public posts carrying a tag they follow: `db::tags::tag_followers`) and
//! their notifications; `direct` the direct messages they write or are named in.

use crate::{
    db::{self, Backend, social::NotificationRow, statuses::StatusRow},
    domain::Visibility,
    error::{AppError, AppResult},
    service::timelines,
    state::AppState,
};
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

/// The PostgreSQL channel the processes tell each other changes on.
pub const CHANNEL: &str = "coopol_streams";
/// The largest `NOTIFY` payload sent (PostgreSQL refuses more than 8000 bytes).
const NOTIFY_MAX_BYTES: usize = 7_000;
/// Batches of changes waiting for this process's fan-out.
const CHANGES_CAPACITY: usize = 1_024;
/// Rendered deliveries a connection may fall behind by before it misses some.
const DELIVERIES_CAPACITY: usize = 1_024;
/// Batches of changes waiting to be told to the other processes.
const OUTGOING_CAPACITY: usize = 4_096;
/// The most readers a deletion names (beyond, the rest are not told: they find the post gone).
const MAX_DELETE_READERS: usize = 1_000;

/// What changed, by id: what services tell, and what travels between processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A post (or boost) was written.
    Created(i64),
    /// A post was edited.
    Edited(i64),
    /// A post was deleted; what was known of it before.
    Deleted(Deleted),
    /// A notification was made.
    Notified(i64),
    /// An access token was revoked: the streams it opened close.
    Revoked(i64),
    /// A person's filters changed: their open streams read them again.
    Filters(i64),
    /// An announcement is shown (published, started, or edited while shown).
    Announced(i64),
    /// A reaction to an announcement was added or removed: its name.
    AnnouncementReacted(i64, String),
    /// An announcement is no longer shown (withdrawn, deleted or ended).
    AnnouncementRemoved(i64),
}

/// A deleted post, as the streams need it once it is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    /// Its id.
    pub id: i64,
    /// Whether the public timeline showed it.
    pub public: bool,
    /// Whether it was written here.
    pub local: bool,
    /// Who had it in their home timeline or could read it as a direct message (sorted).
    pub readers: Vec<i64>,
}

impl Change {
    /// The change as a token of a `NOTIFY` payload: `c12`, `e12`, `n7`, `d12.10.3,4`.
    fn encode(&self) -> String {
        match self {
            Change::Created(id) => format!("c{id}"),
            Change::Edited(id) => format!("e{id}"),
            Change::Notified(id) => format!("n{id}"),
            Change::Revoked(id) => format!("r{id}"),
            Change::Filters(id) => format!("f{id}"),
            Change::Announced(id) => format!("A{id}"),
            Change::AnnouncementRemoved(id) => format!("Z{id}"),
            // The emoji travels as hexadecimal bytes: a payload is split on spaces.
            Change::AnnouncementReacted(id, name) => {
                let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
                format!("Y{id}.{hex}")
            }
            Change::Deleted(d) => {
                let readers: Vec<String> = d.readers.iter().map(i64::to_string).collect();
                format!(
                    "d{}.{}{}.{}",
                    d.id,
                    u8::from(d.public),
                    u8::from(d.local),
                    readers.join(",")
                )
            }
        }
    }

    /// A token read back; `None` for anything else (whoever may `NOTIFY` on the database is
    /// not trusted to send well-formed payloads).
    fn decode(token: &str) -> Option<Change> {
        let (kind, rest) = token.split_at_checked(1)?;
        let id = |s: &str| s.parse::<i64>().ok().filter(|i| *i > 0);
        match kind {
            "c" => id(rest).map(Change::Created),
            "e" => id(rest).map(Change::Edited),
            "n" => id(rest).map(Change::Notified),
            "r" => id(rest).map(Change::Revoked),
            "f" => id(rest).map(Change::Filters),
            "A" => id(rest).map(Change::Announced),
            "Z" => id(rest).map(Change::AnnouncementRemoved),
            "Y" => {
                let (announcement, hex) = rest.split_once('.')?;
                if hex.is_empty() || hex.len() % 2 != 0 || hex.len() > 128 {
                    return None;
                }
                let bytes: Option<Vec<u8>> = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                    .collect();
                let name = String::from_utf8(bytes?).ok()?;
                Some(Change::AnnouncementReacted(id(announcement)?, name))
            }
            "d" => {
                let mut parts = rest.splitn(3, '.');
                let post = id(parts.next()?)?;
                let flags = parts.next()?.as_bytes();
                let readers = parts.next()?;
                if flags.len() != 2 || !flags.iter().all(|b| matches!(b, b'0' | b'1')) {
                    return None;
                }
                let mut ids = Vec::new();
                for r in readers.split(',').filter(|r| !r.is_empty()) {
                    ids.push(id(r)?);
                }
                ids.truncate(MAX_DELETE_READERS);
                Some(Change::Deleted(Deleted {
                    id: post,
                    public: flags[0] == b'1',
                    local: flags[1] == b'1',
                    readers: ids,
                }))
            }
            _ => None,
        }
    }
}

/// Changes as `NOTIFY` payloads, each under PostgreSQL's limit.
pub fn encode(changes: &[Change]) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut current = String::new();
    for change in changes {
        let token = change.encode();
        if !current.is_empty() && current.len() + 1 + token.len() > NOTIFY_MAX_BYTES {
            payloads.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&token);
    }
    if !current.is_empty() {
        payloads.push(current);
    }
    payloads
}

/// A `NOTIFY` payload read back; malformed tokens are skipped.
pub fn decode(payload: &str) -> Vec<Change> {
    payload
        .split(' ')
        .take(NOTIFY_MAX_BYTES)
        .filter_map(Change::decode)
        .collect()
}

/// What a stream event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A new post: `update`.
    Update,
    /// An edited post: `status.update`.
    StatusUpdate,
    /// A deleted post: `delete` (its id).
    Delete,
    /// A notification: `notification`.
    Notification,
    /// A direct post, as its conversation: `conversation`.
    Conversation,
    /// An announcement shown: `announcement`.
    Announcement,
    /// A reaction's count on an announcement: `announcement.reaction`.
    AnnouncementReaction,
    /// An announcement no longer shown: `announcement.delete` (its id).
    AnnouncementDelete,
}

impl Event {
    /// Its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Event::Update => "update",
            Event::StatusUpdate => "status.update",
            Event::Delete => "delete",
            Event::Notification => "notification",
            Event::Conversation => "conversation",
            Event::Announcement => "announcement",
            Event::AnnouncementReaction => "announcement.reaction",
            Event::AnnouncementDelete => "announcement.delete",
        }
    }
}

/// Who may receive a post's event.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// On the public timeline: `Some(local)`; `None` when it is not.
    pub public: Option<bool>,
    /// Whether it has attachments (the `:media` public streams).
    pub media: bool,
    /// Its hashtags (lowercase); `None` for any (a deletion: the tags are gone with it).
    pub tags: Option<Vec<String>>,
    /// Who has it in their home timeline (sorted).
    pub readers: Vec<i64>,
    /// For a direct message, who writes or is named in it (sorted).
    pub direct: Vec<i64>,
    /// Who blocks its author or is blocked by them, or mutes its author or the boosted
    /// post's (sorted).
    pub hidden: Vec<i64>,
    /// The lists holding it in their timeline: (list, owner), sorted.
    pub lists: Vec<(i64, i64)>,
}

/// Who receives an event.
#[derive(Debug, Clone)]
pub enum Audience {
    /// A post's event.
    Status(Reach),
    /// A notification: its recipient.
    Notification(i64),
    /// A conversation, as its owner sees it: its owner (the `direct` stream only).
    Conversation(i64),
    /// Not an event sent: the connections opened with this token close.
    Revoked(i64),
    /// Not an event sent: this person's connections read their filters again.
    Filters(i64),
    /// Every local person, on their `user` stream (announcements).
    Local,
}

/// An event rendered once, for every connection of this process that may receive it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// What it is.
    pub event: Event,
    /// Its payload: the entity's JSON, or the deleted post's id.
    pub payload: Arc<str>,
    /// The payload as a JSON string, as a WebSocket message carries it (encoded once).
    pub quoted: Arc<str>,
    /// Who may receive it.
    pub audience: Audience,
}

impl Delivery {
    /// An event with its payload, for its audience.
    pub fn new(event: Event, payload: String, audience: Audience) -> Delivery {
        let quoted = serde_json::to_string(&payload).unwrap_or_else(|_| "\"\"".into());
        Delivery {
            event,
            payload: Arc::from(payload),
            quoted: Arc::from(quoted),
            audience,
        }
    }

    /// The order to close the connections opened with a revoked token.
    pub fn revoked(token_id: i64) -> Delivery {
        Delivery::new(Event::Delete, String::new(), Audience::Revoked(token_id))
    }

    /// Whether this closes a connection opened with `token` (`None`: without a token).
    pub fn closes(&self, token: Option<i64>) -> bool {
        matches!(self.audience, Audience::Revoked(t) if Some(t) == token)
    }

    /// The order to read a person's filters again (they changed).
    pub fn filters_changed(account_id: i64) -> Delivery {
        Delivery::new(Event::Delete, String::new(), Audience::Filters(account_id))
    }

    /// Whether a connection of `account` must read its filters again.
    pub fn refilters(&self, account: Option<i64>) -> bool {
        matches!(self.audience, Audience::Filters(a) if Some(a) == account)
    }
}

/// A stream a connection may follow (Mastodon's stream names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// `user`: the home timeline and notifications.
    User,
    /// `user:notification`: notifications only.
    UserNotification,
    /// `public`, `public:local`, `public:remote` (`local`: `None` for all), and their
    /// `:media` forms.
    Public {
        /// Here only (`Some(true)`), elsewhere only (`Some(false)`), or both.
        local: Option<bool>,
        /// Posts with attachments only.
        media: bool,
    },
    /// `hashtag` and `hashtag:local`, with the tag (lowercase, without `#`).
    Hashtag {
        /// The tag.
        tag: String,
        /// Posts written here only.
        local: bool,
    },
    /// `direct`: direct messages.
    Direct,
    /// `list`, with the list's id: its owner alone may follow it (the streaming API checks
    /// the list is the viewer's before following it).
    List(i64),
}

/// The longest hashtag a stream may name.
pub const MAX_TAG_CHARS: usize = 100;

impl Stream {
    /// A stream from its name and parameters, or the error Mastodon gives (400 for an
    /// unknown name, a missing tag or list; 404 for a list id that is no number: whether the
    /// list is the viewer's is checked by the streaming API, which needs the database).
    pub fn parse(name: &str, tag: Option<&str>, list: Option<&str>) -> AppResult<Stream> {
        let tag = || -> AppResult<String> {
            let t = tag.map(|t| t.trim().trim_start_matches('#')).unwrap_or("");
            if t.is_empty() {
                return Err(AppError::bad_request("stream-tag-missing"));
            }
            if t.chars().count() > MAX_TAG_CHARS {
                return Err(AppError::bad_request("stream-tag-too-long"));
            }
            Ok(t.to_lowercase())
        };
        let public = |local, media| Ok(Stream::Public { local, media });
        match name {
            "user" => Ok(Stream::User),
            "user:notification" => Ok(Stream::UserNotification),
            "public" => public(None, false),
            "public:media" => public(None, true),
            "public:local" => public(Some(true), false),
            "public:local:media" => public(Some(true), true),
            "public:remote" => public(Some(false), false),
            "public:remote:media" => public(Some(false), true),
            "hashtag" => Ok(Stream::Hashtag {
                tag: tag()?,
                local: false,
            }),
            "hashtag:local" => Ok(Stream::Hashtag {
                tag: tag()?,
                local: true,
            }),
            "direct" => Ok(Stream::Direct),
            "list" => match list.map(str::trim).filter(|l| !l.is_empty()) {
                Some(l) => l
                    .parse()
                    .map(Stream::List)
                    .map_err(|_| AppError::new(StatusCode::NOT_FOUND, "stream-list-unknown")),
                None => Err(AppError::bad_request("stream-list-missing")),
            },
            _ => Err(AppError::bad_request("stream-unknown")),
        }
    }

    /// Its name, with its parameter, as the `stream` of a WebSocket message.
    pub fn names(&self) -> Vec<String> {
        let public = |base: &str, media: bool| {
            vec![if media {
                format!("{base}:media")
            } else {
                base.to_string()
            }]
        };
        match self {
            Stream::User => vec!["user".into()],
            Stream::UserNotification => vec!["user:notification".into()],
            Stream::Public { local: None, media } => public("public", *media),
            Stream::Public {
                local: Some(true),
                media,
            } => public("public:local", *media),
            Stream::Public {
                local: Some(false),
                media,
            } => public("public:remote", *media),
            Stream::Hashtag { tag, local: false } => vec!["hashtag".into(), tag.clone()],
            Stream::Hashtag { tag, local: true } => vec!["hashtag:local".into(), tag.clone()],
            Stream::Direct => vec!["direct".into()],
            Stream::List(id) => vec!["list".into(), id.to_string()],
        }
    }

    /// The scopes of which a token needs one (`None`: anyone may follow it, as on Mastodon).
    pub fn scopes(&self) -> Option<&'static [&'static str]> {
        match self {
            Stream::User | Stream::Direct | Stream::List(_) => {
                Some(&["read", "read:statuses", "read:lists"])
            }
            Stream::UserNotification => Some(&["read", "read:notifications"]),
            Stream::Public { .. } | Stream::Hashtag { .. } => None,
        }
    }

    /// Whether a connection following this stream for `viewer` receives `d`.
    /// `notifications`: whether its token may read notifications (the `user` stream carries
    /// them only then).
    pub fn wants(&self, viewer: Option<i64>, notifications: bool, d: &Delivery) -> bool {
        let has =
            |list: &[i64], who: Option<i64>| who.is_some_and(|v| list.binary_search(&v).is_ok());
        match (&d.audience, self) {
            (Audience::Revoked(_) | Audience::Filters(_), _) => false,
            (Audience::Local, Stream::User) => viewer.is_some(),
            (Audience::Local, _) => false,
            (Audience::Notification(to), Stream::User) => notifications && viewer == Some(*to),
            (Audience::Notification(to), Stream::UserNotification) => viewer == Some(*to),
            (Audience::Notification(_), _) => false,
            (Audience::Conversation(owner), Stream::Direct) => viewer == Some(*owner),
            (Audience::Conversation(_), _) => false,
            (Audience::Status(_), Stream::UserNotification) => false,
            (Audience::Status(r), _) if has(&r.hidden, viewer) => false,
            (Audience::Status(r), Stream::User) => has(&r.readers, viewer),
            // New and edited direct posts reach the `direct` stream as their conversations
            // (`conversation`, one per participant); their deletions as they are.
            (Audience::Status(r), Stream::Direct) => {
                d.event == Event::Delete && has(&r.direct, viewer)
            }
            (Audience::Status(r), Stream::List(id)) => match d.event {
                // A deletion goes to whoever had the post, lists included.
                Event::Delete => has(&r.readers, viewer),
                _ => viewer.is_some_and(|v| r.lists.binary_search(&(*id, v)).is_ok()),
            },
            (Audience::Status(r), Stream::Public { local, media }) => {
                r.public.is_some_and(|l| local.is_none_or(|want| want == l))
                    && (!media || r.media || d.event == Event::Delete)
            }
            (Audience::Status(r), Stream::Hashtag { tag, local }) => {
                r.public.is_some_and(|l| l || !local)
                    && r.tags.as_ref().is_none_or(|tags| tags.contains(tag))
            }
        }
    }
}

/// This process's streams: the changes it is told, the deliveries its connections follow.
pub struct Hub {
    postgres: bool,
    changes: broadcast::Sender<Arc<[Change]>>,
    deliveries: broadcast::Sender<Arc<Delivery>>,
    outgoing: mpsc::Sender<Vec<Change>>,
    outgoing_rx: Mutex<Option<mpsc::Receiver<Vec<Change>>>>,
    connections: AtomicUsize,
    closing: CancellationToken,
}

impl Hub {
    /// The hub of a process on this database.
    pub fn new(backend: Backend) -> Hub {
        let (outgoing, outgoing_rx) = mpsc::channel(OUTGOING_CAPACITY);
        Hub {
            postgres: backend == Backend::Postgres,
            changes: broadcast::channel(CHANGES_CAPACITY).0,
            deliveries: broadcast::channel(DELIVERIES_CAPACITY).0,
            outgoing,
            outgoing_rx: Mutex::new(Some(outgoing_rx)),
            connections: AtomicUsize::new(0),
            closing: CancellationToken::new(),
        }
    }

    /// Tells the streams what changed (after the commit). Never waits: with nobody streaming
    /// on SQLite it does nothing; with PostgreSQL it hands the batch to the notifier task.
    pub fn publish(&self, changes: Vec<Change>) {
        if changes.is_empty() {
            return;
        }
        if self.postgres {
            if let Err(e) = self.outgoing.try_send(changes) {
                tracing::warn!(error = %e, "streams: changes not told (the notifier is behind or stopped)");
            }
        } else if self.connections.load(Ordering::Relaxed) > 0 {
            let _ = self.changes.send(changes.into());
        }
    }

    /// Tells the streams about new posts (or boosts).
    pub fn created(&self, ids: impl IntoIterator<Item = i64>) {
        self.publish(ids.into_iter().map(Change::Created).collect());
    }

    /// Tells the streams about an edited post.
    pub fn edited(&self, id: i64) {
        self.publish(vec![Change::Edited(id)]);
    }

    /// Tells the streams that these tokens were revoked (after the commit): what they opened
    /// closes, in every process.
    pub fn revoked(&self, token_ids: impl IntoIterator<Item = i64>) {
        self.publish(token_ids.into_iter().map(Change::Revoked).collect());
    }

    /// Tells the streams that a person's filters changed (after the commit): their open
    /// streams, in every process, apply the new ones to what comes next.
    pub fn filters_changed(&self, account_id: i64) {
        self.publish(vec![Change::Filters(account_id)]);
    }

    /// Tells the streams about new notifications (the dispatcher, after its commit).
    pub fn notified(&self, ids: impl IntoIterator<Item = i64>) {
        self.publish(ids.into_iter().map(Change::Notified).collect());
    }

    /// Changes heard (from this process, or from all through PostgreSQL).
    pub fn changes(&self) -> broadcast::Receiver<Arc<[Change]>> {
        self.changes.subscribe()
    }

    /// Hands a rendered event to this process's connections.
    pub fn deliver(&self, delivery: Delivery) {
        let _ = self.deliveries.send(Arc::new(delivery));
    }

    /// A connection's feed of rendered events, counted while it lives.
    pub fn connect(self: &Arc<Self>) -> Connection {
        self.connections.fetch_add(1, Ordering::Relaxed);
        Connection {
            deliveries: self.deliveries.subscribe(),
            hub: self.clone(),
        }
    }

    /// How many connections this process holds.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Cancelled when the server shuts down: connections end then.
    pub fn closing(&self) -> &CancellationToken {
        &self.closing
    }
}

/// A connection's place in the hub: its feed of events; counted until dropped.
pub struct Connection {
    /// Rendered events, shared by every connection of the process.
    pub deliveries: broadcast::Receiver<Arc<Delivery>>,
    hub: Arc<Hub>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.hub.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What a deletion tells the streams, read before the post goes (in the deleting service,
/// before its transaction): whether the public timeline showed it, and who could have it.
pub async fn deletion(state: &AppState, status: &StatusRow) -> AppResult<Change> {
    let mut readers: Vec<i64> = db::streams::feed_readers(state.pool(), &[status.id])
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    if status.visibility == Visibility::Direct {
        readers.extend(db::statuses::mentioned_ids(state.pool(), status.id).await?);
    }
    readers.extend(
        db::tags::tag_followers(state.pool(), &[status.id])
            .await?
            .into_iter()
            .map(|(_, a)| a),
    );
    readers.push(status.account_id);
    readers.sort_unstable();
    readers.dedup();
    readers.truncate(MAX_DELETE_READERS);
    Ok(Change::Deleted(Deleted {
        id: status.id,
        public: timelines::on_public_timeline(status),
        local: status.local != 0,
        readers,
    }))
}

/// A change loaded once for rendering.
pub enum Loaded {
    /// A post created or edited, with who may receive it.
    Status {
        /// `Update` or `StatusUpdate`.
        event: Event,
        /// The post.
        row: Box<StatusRow>,
        /// Who may receive it (`media` is set by the renderer).
        reach: Reach,
    },
    /// A deleted post.
    Deleted {
        /// Its id.
        id: i64,
        /// Who may receive the deletion.
        reach: Reach,
    },
    /// A notification.
    Notification(NotificationRow),
    /// A token revoked.
    Revoked(i64),
    /// A person whose filters changed.
    Filters(i64),
    /// An announcement shown.
    Announcement(Box<crate::db::announcements::AnnouncementRow>),
    /// A reaction's count on an announcement.
    AnnouncementReaction {
        /// The announcement.
        id: i64,
        /// The emoji.
        name: String,
        /// How many people reacted so now.
        count: i64,
    },
    /// An announcement no longer shown.
    AnnouncementRemoved(i64),
}

/// Loads a batch of changes once: the posts with their hashtags, home timelines, addressees
/// and blocks around their authors, and the notifications; a fixed number of queries per
/// batch, whatever its length. Posts and notifications gone meanwhile are skipped.
pub async fn load(state: &AppState, changes: &[Change]) -> AppResult<Vec<Loaded>> {
    let status_ids: Vec<i64> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Created(id) | Change::Edited(id) => Some(*id),
            _ => None,
        })
        .collect();
    let notification_ids: Vec<i64> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Notified(id) => Some(*id),
            _ => None,
        })
        .collect();
    let rows: HashMap<i64, StatusRow> = db::statuses::by_ids(state.pool(), &status_ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let ids: Vec<i64> = rows.keys().copied().collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    let mut readers: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut mentions: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut hidden: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut curation = Curation::default();
    if !ids.is_empty() {
        for (s, t) in db::statuses::tags_of(state.pool(), &ids).await? {
            tags.entry(s).or_default().push(t.to_lowercase());
        }
        for (s, a) in db::streams::feed_readers(state.pool(), &ids).await? {
            readers.entry(s).or_default().push(a);
        }
        // Those following one of a public post's tags have it in their home timeline too
        // (`db::statuses::home`); the readers are deduplicated below, so once each.
        for (s, a) in db::tags::tag_followers(state.pool(), &ids).await? {
            readers.entry(s).or_default().push(a);
        }
        let direct: Vec<i64> = rows
            .values()
            .filter(|s| s.visibility == Visibility::Direct)
            .map(|s| s.id)
            .collect();
        for (s, a) in db::statuses::mentions_of(state.pool(), &direct).await? {
            mentions.entry(s).or_default().push(a);
        }
        let mut authors: Vec<i64> = rows.values().map(|s| s.account_id).collect();
        authors.sort_unstable();
        authors.dedup();
        for (blocker, blocked) in db::streams::blocks_around(state.pool(), &authors).await? {
            hidden.entry(blocker).or_default().push(blocked);
            hidden.entry(blocked).or_default().push(blocker);
        }
        curation = Curation::load(state, &rows).await?;
    }
    let notifications: HashMap<i64, NotificationRow> =
        db::streams::notifications(state.pool(), &notification_ids)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v.dedup();
        v
    };
    let sanctioned = super::sanctions::StreamSanctions::load(state, &rows).await?;
    let mut loaded = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::Created(id) | Change::Edited(id) => {
                let Some(row) = rows.get(id) else { continue };
                let direct = if row.visibility == Visibility::Direct {
                    let mut d = mentions.get(id).cloned().unwrap_or_default();
                    d.push(row.account_id);
                    sorted(d)
                } else {
                    Vec::new()
                };
                let mut reach = Reach {
                    public: timelines::on_public_timeline(row).then_some(row.local != 0),
                    media: false,
                    tags: Some(tags.get(id).cloned().unwrap_or_default()),
                    readers: readers.get(id).cloned().unwrap_or_default(),
                    direct,
                    hidden: hidden.get(&row.account_id).cloned().unwrap_or_default(),
                    lists: Vec::new(),
                };
                curation.narrow(row, &mut reach);
                sanctioned.narrow(row, &mut reach);
                reach.readers = sorted(reach.readers);
                reach.hidden = sorted(reach.hidden);
                let event = match change {
                    Change::Edited(_) => Event::StatusUpdate,
                    _ => Event::Update,
                };
                loaded.push(Loaded::Status {
                    event,
                    row: Box::new(row.clone()),
                    reach,
                });
            }
            Change::Deleted(d) => loaded.push(Loaded::Deleted {
                id: d.id,
                reach: Reach {
                    public: d.public.then_some(d.local),
                    media: false,
                    tags: None,
                    readers: d.readers.clone(),
                    direct: d.readers.clone(),
                    hidden: Vec::new(),
                    lists: Vec::new(),
                },
            }),
            Change::Notified(id) => {
                if let Some(n) = notifications.get(id) {
                    loaded.push(Loaded::Notification(n.clone()));
                }
            }
            Change::Revoked(id) => loaded.push(Loaded::Revoked(*id)),
            Change::Filters(id) => loaded.push(Loaded::Filters(*id)),
            Change::Announced(id) => {
                // Withdrawn or ended meanwhile: its removal follows, nothing to show.
                if let Some(row) = super::announcements::shown_by_id(state, *id).await? {
                    loaded.push(Loaded::Announcement(Box::new(row)));
                }
            }
            Change::AnnouncementReacted(id, name) => loaded.push(Loaded::AnnouncementReaction {
                id: *id,
                name: name.clone(),
                count: super::announcements::reaction_count(state, *id, name).await?,
            }),
            Change::AnnouncementRemoved(id) => loaded.push(Loaded::AnnouncementRemoved(*id)),
        }
    }
    Ok(loaded)
}

/// With PostgreSQL: tells the other processes (and this one) the changes services publish,
/// as few `NOTIFY`s as fit what is waiting. Ends when `stop` is cancelled.
pub async fn run_notifier(state: AppState, stop: CancellationToken) {
    let Some(mut rx) = state
        .streams
        .outgoing_rx
        .lock()
        .ok()
        .and_then(|mut r| r.take())
    else {
        return;
    };
    loop {
        let first = tokio::select! {
            _ = stop.cancelled() => return,
            next = rx.recv() => match next {
                Some(batch) => batch,
                None => return,
            },
        };
        let mut changes = first;
        while changes.len() < 4_096 {
            match rx.try_recv() {
                Ok(more) => changes.extend(more),
                Err(_) => break,
            }
        }
        for payload in encode(&changes) {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(state.pool())
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "streams: NOTIFY failed; these changes reach no stream");
            }
        }
    }
}

/// With PostgreSQL: listens, on a connection of its own, to the changes every process tells,
/// and hands them to this process's fan-out when it has connections. Reconnects after a
/// failure (changes told meanwhile are missed, as a stream's client misses what happens
/// while it reconnects). Ends when `stop` is cancelled.
pub async fn run_listener(state: AppState, stop: CancellationToken) {
    loop {
        let listener = async {
            let mut l = sqlx::postgres::PgListener::connect(&state.config.database_url).await?;
            l.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        let mut listener = tokio::select! {
            _ = stop.cancelled() => return,
            l = listener => match l {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "streams: cannot LISTEN; retrying");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            },
        };
        loop {
            let heard = tokio::select! {
                _ = stop.cancelled() => return,
                n = listener.recv() => n,
            };
            match heard {
                Ok(n) => {
                    if state.streams.connections() == 0 {
                        continue;
                    }
                    let changes = decode(n.payload());
                    if !changes.is_empty() {
                        let _ = state.streams.changes.send(changes.into());
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "streams: LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_travel_and_junk_is_skipped() {
        let changes = vec![
            Change::Created(12),
            Change::Edited(13),
            Change::Notified(7),
            Change::Revoked(8),
            Change::Filters(5),
            Change::Announced(21),
            Change::AnnouncementRemoved(22),
            Change::AnnouncementReacted(23, "👍🏽".into()),
            Change::Deleted(Deleted {
                id: 99,
                public: true,
                local: false,
                readers: vec![3, 4],
            }),
            Change::Deleted(Deleted {
                id: 100,
                public: false,
                local: true,
                readers: vec![],
            }),
        ];
        let payloads = encode(&changes);
        assert_eq!(payloads.len(), 1);
        assert_eq!(decode(&payloads[0]), changes);
        assert_eq!(
            decode("c1 x9 c-3 c d5.2.1 d5.10.a n 💥 e4 A0 Y3 Y3. Y3.f Y3.zz Y3.ff Z-1"),
            vec![Change::Created(1), Change::Edited(4)]
        );
    }

    #[test]
    fn big_batches_split_under_the_limit() {
        let changes: Vec<Change> = (1..5_000).map(|i| Change::Created(i * 1_000_003)).collect();
        let payloads = encode(&changes);
        assert!(payloads.len() > 1);
        assert!(payloads.iter().all(|p| p.len() <= NOTIFY_MAX_BYTES));
        let back: Vec<Change> = payloads.iter().flat_map(|p| decode(p)).collect();
        assert_eq!(back, changes);
    }

    fn status(reach: Reach) -> Delivery {
        Delivery::new(Event::Update, "{}".into(), Audience::Status(reach))
    }

    #[test]
    fn streams_take_what_their_timeline_shows() {
        let public_local = status(Reach {
            public: Some(true),
            tags: Some(vec!["grève".into()]),
            readers: vec![5],
            hidden: vec![9],
            ..Reach::default()
        });
        let public = Stream::parse("public", None, None).unwrap();
        let remote = Stream::parse("public:remote", None, None).unwrap();
        let media = Stream::parse("public:media", None, None).unwrap();
        let tag = Stream::parse("hashtag", Some("#Grève"), None).unwrap();
        let other_tag = Stream::parse("hashtag:local", Some("paix"), None).unwrap();
        assert!(public.wants(None, false, &public_local));
        assert!(public.wants(Some(5), false, &public_local));
        assert!(!public.wants(Some(9), false, &public_local), "blocked");
        assert!(!remote.wants(None, false, &public_local));
        assert!(!media.wants(None, false, &public_local));
        assert!(tag.wants(None, false, &public_local));
        assert!(!other_tag.wants(None, false, &public_local));
        assert!(Stream::User.wants(Some(5), false, &public_local));
        assert!(!Stream::User.wants(Some(6), false, &public_local));
        assert!(!Stream::Direct.wants(Some(5), false, &public_local));

        let closed = status(Reach {
            public: None,
            tags: Some(vec!["grève".into()]),
            readers: vec![5],
            ..Reach::default()
        });
        assert!(!public.wants(Some(5), false, &closed));
        assert!(!tag.wants(Some(5), false, &closed));
        assert!(Stream::User.wants(Some(5), false, &closed));
        assert!(!Stream::User.wants(Some(6), false, &closed));

        let note = Delivery::new(Event::Notification, "{}".into(), Audience::Notification(5));
        assert!(Stream::User.wants(Some(5), true, &note));
        assert!(
            !Stream::User.wants(Some(5), false, &note),
            "no read:notifications"
        );
        assert!(Stream::UserNotification.wants(Some(5), false, &note));
        assert!(!Stream::UserNotification.wants(Some(6), true, &note));
        assert!(!public.wants(Some(5), true, &note));
    }

    #[test]
    fn announcements_reach_every_local_user_stream_only() {
        let a = Delivery::new(Event::Announcement, "{}".into(), Audience::Local);
        assert!(Stream::User.wants(Some(5), false, &a));
        assert!(Stream::User.wants(Some(6), true, &a));
        assert!(!Stream::User.wants(None, true, &a));
        assert!(!Stream::UserNotification.wants(Some(5), true, &a));
        assert!(!Stream::Direct.wants(Some(5), true, &a));
        assert!(!Stream::List(1).wants(Some(5), true, &a));
        let public = Stream::parse("public", None, None).unwrap();
        assert!(!public.wants(Some(5), true, &a));
    }

    #[test]
    fn a_list_stream_takes_its_lists_posts_for_its_owner_only() {
        let reach = Reach {
            lists: vec![(7, 5), (9, 6)],
            readers: vec![5, 6],
            ..Reach::default()
        };
        let post = Delivery::new(Event::Update, "{}".into(), Audience::Status(reach.clone()));
        assert!(Stream::List(7).wants(Some(5), true, &post));
        assert!(
            !Stream::List(7).wants(Some(6), true, &post),
            "someone else's list"
        );
        assert!(!Stream::List(8).wants(Some(5), true, &post));
        assert!(!Stream::List(7).wants(None, true, &post));
        let muted = Reach {
            hidden: vec![5],
            ..reach.clone()
        };
        let post = Delivery::new(Event::Update, "{}".into(), Audience::Status(muted));
        assert!(
            !Stream::List(7).wants(Some(5), true, &post),
            "a muted author"
        );
        let gone = Delivery::new(Event::Delete, "1".into(), Audience::Status(reach));
        assert!(Stream::List(7).wants(Some(5), true, &gone));
    }

    #[test]
    fn stream_names_are_mastodons() {
        for (name, err) in [
            ("nope", "stream-unknown"),
            ("hashtag", "stream-tag-missing"),
            ("list", "stream-list-missing"),
        ] {
            assert_eq!(Stream::parse(name, None, None).unwrap_err().key, err);
        }
        assert_eq!(
            Stream::parse("list", None, Some("1")).unwrap(),
            Stream::List(1)
        );
        assert_eq!(Stream::List(1).names(), vec!["list", "1"]);
        assert_eq!(
            Stream::parse("list", None, Some("one")).unwrap_err().key,
            "stream-list-unknown"
        );
        let long = "a".repeat(MAX_TAG_CHARS + 1);
        assert_eq!(
            Stream::parse("hashtag", Some(&long), None).unwrap_err().key,
            "stream-tag-too-long"
        );
        assert_eq!(
            Stream::parse("hashtag:local", Some("Paix"), None)
                .unwrap()
                .names(),
            vec!["hashtag:local", "paix"]
        );
        assert_eq!(
            Stream::parse("public:remote:media", None, None)
                .unwrap()
                .names(),
            vec!["public:remote:media"]
        );
    }
}

/// What lists, mutes and domain blocks change in who receives a batch's posts, loaded once per
/// batch (four queries): the lists holding each post, who mutes each author (or boosted
/// author) or blocks its domain, and the owners of exclusive lists holding each author.
#[derive(Default)]
struct Curation {
    lists: HashMap<i64, Vec<(i64, i64)>>,
    muters: HashMap<i64, Vec<i64>>,
    exclusive: HashMap<i64, Vec<i64>>,
    boosted_author: HashMap<i64, i64>,
}

impl Curation {
    async fn load(state: &AppState, rows: &HashMap<i64, StatusRow>) -> AppResult<Curation> {
        let mut c = Curation::default();
        let ids: Vec<i64> = rows.keys().copied().collect();
        for (status, list, owner) in db::lists::readers(state.pool(), &ids).await? {
            c.lists.entry(status).or_default().push((list, owner));
        }
        let boosted: Vec<i64> = rows.values().filter_map(|s| s.reblog_of_id).collect();
        if !boosted.is_empty() {
            let originals = db::statuses::by_ids(state.pool(), &boosted).await?;
            for s in rows.values() {
                if let Some(o) = originals.iter().find(|o| Some(o.id) == s.reblog_of_id) {
                    c.boosted_author.insert(s.id, o.account_id);
                }
            }
        }
        let mut authors: Vec<i64> = rows.values().map(|s| s.account_id).collect();
        authors.extend(c.boosted_author.values().copied());
        authors.sort_unstable();
        authors.dedup();
        let now = crate::clock::now();
        for (muter, muted) in db::mutes::muters_of(state.pool(), &authors, now).await? {
            c.muters.entry(muted).or_default().push(muter);
        }
        // Who blocks an author's domain is hidden from its posts as a muter is.
        for (blocker, author) in
            db::account_extras::domain_blockers_of(state.pool(), &authors).await?
        {
            c.muters.entry(author).or_default().push(blocker);
        }
        for (owner, author) in db::lists::exclusive_owners(state.pool(), &authors).await? {
            c.exclusive.entry(author).or_default().push(owner);
        }
        Ok(c)
    }

    /// Adds the post's lists to its reach, hides it from those who mute its author or the
    /// boosted post's, and takes it out of the home streams of the owners of exclusive lists
    /// holding its author.
    fn narrow(&self, row: &StatusRow, reach: &mut Reach) {
        let mut lists = self.lists.get(&row.id).cloned().unwrap_or_default();
        lists.sort_unstable();
        reach.lists = lists;
        for author in
            std::iter::once(row.account_id).chain(self.boosted_author.get(&row.id).copied())
        {
            if let Some(m) = self.muters.get(&author) {
                reach.hidden.extend(m);
            }
        }
        if let Some(owners) = self.exclusive.get(&row.account_id) {
            reach.readers.retain(|r| !owners.contains(r));
        }
    }
}
