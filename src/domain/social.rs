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

/// What a notification tells. The first five are Mastodon's; the others are coopol's
/// (events and missions), which the Mastodon API does not list.
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
    /// Someone asks to join a group I moderate.
    GroupJoinRequest,
    /// A section asks to be affiliated with a federation I moderate.
    AffiliationRequest,
    /// Someone signed up and waits for approval (to the instance's moderators; Mastodon's
    /// `admin.sign_up`).
    AdminSignUp,
}

impl NotificationKind {
    /// Every kind, in the order they are listed above.
    pub const ALL: [NotificationKind; 20] = [
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
        NotificationKind::GroupJoinRequest,
        NotificationKind::AffiliationRequest,
        NotificationKind::AdminSignUp,
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
            NotificationKind::GroupJoinRequest => "group_join_request",
            NotificationKind::AffiliationRequest => "affiliation_request",
            NotificationKind::AdminSignUp => "admin.sign_up",
        }
    }

    /// Reads a stored or API name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
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
            K::Favourite | K::Reblog | K::Follow | K::EventParticipation | K::EventLeft
        );
        Channels {
            in_app: true,
            email,
            push: true,
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
        assert_eq!(NotificationKind::from_stored("poll"), None);
        for f in [FollowState::Pending, FollowState::Accepted] {
            assert_eq!(FollowState::from_stored(f.as_str()), Some(f));
        }
        assert_eq!(FollowState::from_stored("rejected"), None);
    }
}
