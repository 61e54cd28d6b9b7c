//! Follows and notifications: the states and kinds stored for them.

/// Where a follow stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowState {
    /// Asked, waiting for the followed account (or its server) to accept.
    Pending,
    /// In force.
    Accepted,
}

impl FollowState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowState::Pending => "pending",
            FollowState::Accepted => "accepted",
        }
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(FollowState::Pending),
            "accepted" => Some(FollowState::Accepted),
            _ => None,
        }
    }
}

/// What a notification tells. The first five and `admin.sign_up` are Mastodon's; the others
/// are coopol's (events, missions, groups), listed by the API under their own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// Someone mentioned me.
    Mention,
    /// Someone follows me.
    Follow,
    /// Someone asks to follow me.
    FollowRequest,
    /// Someone liked my post.
    Favourite,
    /// Someone boosted my post.
    Reblog,
    /// Someone takes part in (or asks to join) my event.
    EventParticipation,
    /// An organizer accepted my participation.
    EventAccepted,
    /// An organizer refused my participation.
    EventRefused,
    /// A place freed up: I moved from the waiting list to the participants.
    EventPromoted,
    /// An organizer invited me.
    EventInvited,
    /// An event I take part in starts soon.
    EventReminder,
    /// A shift of my mission is still short of people.
    EventShort,
    /// An event I take part in was cancelled.
    EventCancelled,
    /// An event I take part in changed (time, place).
    EventUpdated,
    /// Someone left my event (a place freed up).
    EventLeft,
    /// My event is over: record who came.
    EventAttendance,
    /// A group I belong to published a mission.
    MissionNew,
    /// A shift (or event) of a group I belong to still needs people, two days before.
    MissionShort,
    /// Someone asks to join a group I moderate.
    GroupJoinRequest,
    /// A section asks to be affiliated with a federation I moderate.
    AffiliationRequest,
    /// Someone signed up and waits for approval (to the instance's moderators; Mastodon's
    /// `admin.sign_up`).
    AdminSignUp,
    /// A poll I voted in or wrote has ended (Mastodon's `poll`).
    Poll,
}

impl NotificationKind {
    /// Every kind, in the order they are listed above.
    pub const ALL: [NotificationKind; 22] = [
        NotificationKind::Mention,
        NotificationKind::Follow,
        NotificationKind::FollowRequest,
        NotificationKind::Favourite,
        NotificationKind::Reblog,
        NotificationKind::EventParticipation,
        NotificationKind::EventAccepted,
        NotificationKind::EventRefused,
        NotificationKind::EventPromoted,
        NotificationKind::EventInvited,
        NotificationKind::EventReminder,
        NotificationKind::EventShort,
        NotificationKind::EventCancelled,
        NotificationKind::EventUpdated,
        NotificationKind::EventLeft,
        NotificationKind::EventAttendance,
        NotificationKind::MissionNew,
        NotificationKind::MissionShort,
        NotificationKind::GroupJoinRequest,
        NotificationKind::AffiliationRequest,
        NotificationKind::AdminSignUp,
        NotificationKind::Poll,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Mention => "mention",
            NotificationKind::Follow => "follow",
            NotificationKind::FollowRequest => "follow_request",
            NotificationKind::Favourite => "favourite",
            NotificationKind::Reblog => "reblog",
            NotificationKind::EventParticipation => "event_participation",
            NotificationKind::EventAccepted => "event_accepted",
            NotificationKind::EventRefused => "event_refused",
            NotificationKind::EventPromoted => "event_promoted",
            NotificationKind::EventInvited => "event_invited",
            NotificationKind::EventReminder => "event_reminder",
            NotificationKind::EventShort => "event_short",
            NotificationKind::EventCancelled => "event_cancelled",
            NotificationKind::EventUpdated => "event_updated",
            NotificationKind::EventLeft => "event_left",
            NotificationKind::EventAttendance => "event_attendance",
            NotificationKind::MissionNew => "mission_new",
            NotificationKind::MissionShort => "mission_short",
            NotificationKind::GroupJoinRequest => "group_join_request",
            NotificationKind::AffiliationRequest => "affiliation_request",
            NotificationKind::AdminSignUp => "admin.sign_up",
            NotificationKind::Poll => "poll",
        }
    }

    /// Reads a stored or API name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name as it goes in message keys and form fields (`admin.sign_up` has a dot,
    /// which neither takes).
    pub fn slug(self) -> &'static str {
        match self {
            NotificationKind::AdminSignUp => "admin_sign_up",
            k => k.as_str(),
        }
    }

    /// Reads a [`slug`](Self::slug).
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// How a person is told of one kind of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    /// Listed in the app (the web's notifications page, the API).
    pub in_app: bool,
    /// By e-mail.
    pub email: bool,
    /// Pushed to phones and browsers (Web Push subscriptions, which filter further).
    pub push: bool,
}

impl Channels {
    /// What a person gets without having chosen: everything in the app and by push; by e-mail
    /// what asks something of them or changes their plans (requests to decide on, mentions,
    /// their events' news), not likes and boosts.
    pub fn default_for(kind: NotificationKind) -> Channels {
        use NotificationKind as K;
        let email = !matches!(
            kind,
            K::Favourite | K::Reblog | K::Follow | K::EventParticipation | K::EventLeft | K::Poll
        );
        Channels {
            in_app: true,
            email,
            push: true,
        }
    }
}

/// How often a person gets the digest of their groups by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestFrequency {
    /// Never (the default).
    Off,
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
}

impl DigestFrequency {
    /// Every frequency, as offered.
    pub const ALL: [DigestFrequency; 3] = [
        DigestFrequency::Off,
        DigestFrequency::Daily,
        DigestFrequency::Weekly,
    ];

    /// The stored and form name.
    pub fn as_str(self) -> &'static str {
        match self {
            DigestFrequency::Off => "off",
            DigestFrequency::Daily => "daily",
            DigestFrequency::Weekly => "weekly",
        }
    }

    /// Reads a stored or form name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The time between two digests, in microseconds (none when off).
    pub fn period_micros(self) -> Option<i64> {
        const DAY: i64 = 24 * 3_600_000_000;
        match self {
            DigestFrequency::Off => None,
            DigestFrequency::Daily => Some(DAY),
            DigestFrequency::Weekly => Some(7 * DAY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_its_name() {
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::from_stored(k.as_str()), Some(k));
        }
        assert_eq!(
            NotificationKind::from_stored("poll"),
            Some(NotificationKind::Poll)
        );
        assert_eq!(NotificationKind::from_stored("quote"), None);
        for f in [FollowState::Pending, FollowState::Accepted] {
            assert_eq!(FollowState::from_stored(f.as_str()), Some(f));
        }
        assert_eq!(FollowState::from_stored("rejected"), None);
    }
}
