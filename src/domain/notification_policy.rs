//! Mastodon 4.3's notification policy: what a person does with notifications of the social
//! kinds from people they did not choose (accept, filter into a request, or drop), and which
//! kinds it may touch at all.

use super::{Invalid, NotificationKind};

/// What is done with a notification a policy field applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyAction {
    /// Listed as usual.
    Accept,
    /// Kept in a request from its sender, out of the lists, counts, streams, pushes and mail.
    Filter,
    /// Not stored at all.
    Drop,
}

impl PolicyAction {
    /// Mastodon's name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyAction::Accept => "accept",
            PolicyAction::Filter => "filter",
            PolicyAction::Drop => "drop",
        }
    }

    /// The stored number (0, 1, 2: the SQL that decides compares them).
    pub fn stored(self) -> i64 {
        match self {
            PolicyAction::Accept => 0,
            PolicyAction::Filter => 1,
            PolicyAction::Drop => 2,
        }
    }

    /// Reads a stored number; an unknown one is read as `filter`, the cautious choice.
    pub fn from_stored(v: i64) -> Self {
        match v {
            0 => PolicyAction::Accept,
            2 => PolicyAction::Drop,
            _ => PolicyAction::Filter,
        }
    }

    /// Reads Mastodon's name given for `field`.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, Invalid> {
        match s {
            "accept" => Ok(PolicyAction::Accept),
            "filter" => Ok(PolicyAction::Filter),
            "drop" => Ok(PolicyAction::Drop),
            _ => Err(Invalid::new(field, "error-policy-value")),
        }
    }

    /// v1's boolean: `true` filters, `false` accepts (as Mastodon maps it).
    pub fn from_v1(filter: bool) -> Self {
        if filter {
            PolicyAction::Filter
        } else {
            PolicyAction::Accept
        }
    }

    /// v1's boolean for this action: anything but `accept` is filtering.
    pub fn v1(self) -> bool {
        self != PolicyAction::Accept
    }
}

/// A person's policy (docs.joinmastodon.org/entities/NotificationPolicy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationPolicy {
    /// Senders the person does not follow.
    pub for_not_following: PolicyAction,
    /// Senders who do not follow the person, or only since less than three days.
    pub for_not_followers: PolicyAction,
    /// Accounts created less than thirty days ago.
    pub for_new_accounts: PolicyAction,
    /// Direct mentions from people the person does not follow, unless they answer the
    /// person's post that mentioned them.
    pub for_private_mentions: PolicyAction,
    /// Accounts limited by moderators (coopol limits none: kept for apps, applies to none).
    pub for_limited_accounts: PolicyAction,
}

impl Default for NotificationPolicy {
    /// Mastodon 4.3's defaults.
    fn default() -> Self {
        NotificationPolicy {
            for_not_following: PolicyAction::Accept,
            for_not_followers: PolicyAction::Accept,
            for_new_accounts: PolicyAction::Accept,
            for_private_mentions: PolicyAction::Filter,
            for_limited_accounts: PolicyAction::Filter,
        }
    }
}

/// The kinds a policy applies to: Mastodon's social kinds. Requests that organizers must see
/// (to join a group, to be affiliated, sign-ups), events, missions and polls are never
/// filtered or dropped.
pub const POLICY_KINDS: [NotificationKind; 5] = [
    NotificationKind::Mention,
    NotificationKind::Follow,
    NotificationKind::FollowRequest,
    NotificationKind::Favourite,
    NotificationKind::Reblog,
];

/// An account younger than this is new (Mastodon: thirty days), in microseconds.
pub const NEW_ACCOUNT_MICROS: i64 = 30 * 24 * 3_600_000_000;
/// A follower since less than this does not count as one (Mastodon: three days).
pub const NEW_FOLLOWER_MICROS: i64 = 3 * 24 * 3_600_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_refused() {
        for a in [
            PolicyAction::Accept,
            PolicyAction::Filter,
            PolicyAction::Drop,
        ] {
            assert_eq!(PolicyAction::parse("f", a.as_str()), Ok(a));
            assert_eq!(PolicyAction::from_stored(a.stored()), a);
        }
        assert!(PolicyAction::parse("f", "Accept").is_err());
        assert!(PolicyAction::parse("f", "").is_err());
        assert!(!PolicyAction::Accept.v1());
        assert!(PolicyAction::Drop.v1());
        assert_eq!(PolicyAction::from_v1(true), PolicyAction::Filter);
    }

    #[test]
    fn organizers_requests_are_never_subject_to_the_policy() {
        for k in [
            NotificationKind::GroupJoinRequest,
            NotificationKind::AffiliationRequest,
            NotificationKind::AdminSignUp,
            NotificationKind::EventParticipation,
            NotificationKind::Poll,
        ] {
            assert!(!POLICY_KINDS.contains(&k));
        }
    }
}
