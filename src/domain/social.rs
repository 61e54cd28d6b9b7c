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
    /// A report I made was resolved by the moderators (coopol's; from the instance actor).
    ReportResolved,
    /// An account I follow (or a group I belong to) moved to another account (Pleroma's and
    /// Akkoma's `move`; from the account that moved, which names the new one).
    Move,
    /// The archive of my data I asked for is ready to download (coopol's; from the instance
    /// actor).
    DataExportReady,
}

impl NotificationKind {
    /// Every kind, in the order they are listed above.
    pub const ALL: [NotificationKind; 25] = [
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
        NotificationKind::ReportResolved,
        NotificationKind::Move,
        NotificationKind::DataExportReady,
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
            NotificationKind::ReportResolved => "report_resolved",
            NotificationKind::Move => "move",
            NotificationKind::DataExportReady => "data_export_ready",
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

    /// The kinds whose notifications are grouped (the Mastodon API's v2): Mastodon's
    /// `favourite`, `reblog` and `follow`, and coopol's sign-ups to and departures from an
    /// event. Requests to decide on, mentions and news are each their own group.
    pub const GROUPABLE: [NotificationKind; 5] = [
        NotificationKind::Favourite,
        NotificationKind::Reblog,
        NotificationKind::Follow,
        NotificationKind::EventParticipation,
        NotificationKind::EventLeft,
    ];

    /// The group key of a notification of this kind about `status_id`, made at `created_at`
    /// (Unix microseconds): the kind, the post, and the twelve hours it falls in, so that a
    /// group never spans more than a day. `None` for kinds that are not grouped.
    pub fn group_key(self, status_id: Option<i64>, created_at: i64) -> Option<String> {
        if !Self::GROUPABLE.contains(&self) {
            return None;
        }
        let window = created_at.div_euclid(GROUP_WINDOW_MICROS);
        Some(match (self, status_id) {
            (NotificationKind::Follow, _) | (_, None) => format!("{}-{window}", self.as_str()),
            (_, Some(s)) => format!("{}-{s}-{window}", self.as_str()),
        })
    }
}

/// How long a notification group gathers notifications: twelve hours, as Mastodon's
/// longest group span.
pub const GROUP_WINDOW_MICROS: i64 = 12 * 3_600_000_000;

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

/// How far from home a person wants to hear of missions that need people, besides their own
/// groups' (which they always hear of).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertReach {
    /// Only my groups' missions (the default).
    Off,
    /// Also public missions at my postcode.
    Postcode,
    /// Also public missions in my département.
    Departement,
}

impl AlertReach {
    /// Every reach, as offered.
    pub const ALL: [AlertReach; 3] = [
        AlertReach::Off,
        AlertReach::Postcode,
        AlertReach::Departement,
    ];

    /// The stored and form name.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertReach::Off => "off",
            AlertReach::Postcode => "postcode",
            AlertReach::Departement => "departement",
        }
    }

    /// Reads a stored or form name.
    pub fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A person's mission alerts: whether public missions near them are announced to them, and
/// whether they asked for every alert by e-mail rather than one a day at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissionAlerts {
    /// How far.
    pub reach: AlertReach,
    /// Their postcode (five digits), required unless `reach` is `Off`.
    pub postcode: Option<String>,
    /// Every mission alert by e-mail, not one a day at most.
    pub every_email: bool,
}

impl MissionAlerts {
    /// Checks a choice: a reach other than `Off` needs a valid postcode; a postcode given with
    /// `Off` is kept (so turning alerts back on does not ask for it again).
    pub fn new(
        reach: AlertReach,
        postcode: Option<&str>,
        every_email: bool,
    ) -> Result<Self, super::Invalid> {
        let postcode = match postcode.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(super::group::parse_postcode(p)?),
            None if reach != AlertReach::Off => {
                return Err(super::Invalid::new("postcode", "error-alert-postcode"));
            }
            None => None,
        };
        Ok(MissionAlerts {
            reach,
            postcode,
            every_email,
        })
    }

    /// The département of the postcode, when alerts reach that far.
    pub fn departement(&self) -> Option<String> {
        self.postcode.as_deref().map(super::group::departement_of)
    }
}

impl Default for MissionAlerts {
    fn default() -> Self {
        MissionAlerts {
            reach: AlertReach::Off,
            postcode: None,
            every_email: false,
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

    #[test]
    fn group_keys_gather_one_kind_about_one_post_within_twelve_hours() {
        let hour = 3_600_000_000;
        let t = 1_000 * GROUP_WINDOW_MICROS;
        let like = |post, at| NotificationKind::Favourite.group_key(Some(post), at);
        assert_eq!(like(7, t), like(7, t + 11 * hour));
        assert_ne!(like(7, t), like(7, t + 12 * hour));
        assert_ne!(like(7, t), like(8, t));
        assert_ne!(like(7, t), NotificationKind::Reblog.group_key(Some(7), t));
        assert_eq!(
            NotificationKind::Follow.group_key(None, t),
            NotificationKind::Follow.group_key(None, t + hour)
        );
        for k in [
            NotificationKind::Mention,
            NotificationKind::FollowRequest,
            NotificationKind::GroupJoinRequest,
            NotificationKind::AdminSignUp,
        ] {
            assert_eq!(k.group_key(Some(7), t), None, "{k:?}");
        }
    }
}
