//! Groups: their kinds, how people join them, members' roles, the circles a group post is
//! written for, and the place a section belongs to.

use super::{Invalid, Username, check_length};

/// What a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// A local section: a commune or a neighbourhood.
    Section,
    /// A federation of sections: a département or a region.
    Federation,
    /// A thematic group, across sections (all the teachers, the environment commission).
    Theme,
    /// An initiative started by a member ("save the Saint-Michel school").
    Initiative,
    /// A group from another kind of server (a Lemmy community, a Mobilizon group).
    Other,
}

impl GroupKind {
    /// Kinds a group created here may have.
    pub const CREATABLE: [GroupKind; 4] = [
        GroupKind::Section,
        GroupKind::Federation,
        GroupKind::Theme,
        GroupKind::Initiative,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Section => "section",
            GroupKind::Federation => "federation",
            GroupKind::Theme => "theme",
            GroupKind::Initiative => "initiative",
            GroupKind::Other => "other",
        }
    }

    /// Parses a stored or API name (`other` included).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "section" => Ok(GroupKind::Section),
            "federation" => Ok(GroupKind::Federation),
            "theme" => Ok(GroupKind::Theme),
            "initiative" => Ok(GroupKind::Initiative),
            "other" => Ok(GroupKind::Other),
            _ => Err(Invalid::new("kind", "error-group-kind")),
        }
    }

    /// Parses the kind of a group to create here.
    pub fn parse_new(s: &str) -> Result<Self, Invalid> {
        match Self::parse(s.trim()) {
            Ok(GroupKind::Other) | Err(_) => Err(Invalid::new("kind", "error-group-kind")),
            Ok(k) => Ok(k),
        }
    }
}

/// How people become members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinMode {
    /// Anyone who asks is a member at once.
    Open,
    /// Requests wait for a moderator's approval.
    Approval,
    /// Only people invited by a moderator may join.
    Invite,
}

impl JoinMode {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinMode::Open => "open",
            JoinMode::Approval => "approval",
            JoinMode::Invite => "invite",
        }
    }

    /// Parses a stored or API name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "open" => Ok(JoinMode::Open),
            "approval" => Ok(JoinMode::Approval),
            "invite" => Ok(JoinMode::Invite),
            _ => Err(Invalid::new("join_mode", "error-join-mode")),
        }
    }

    /// Mobilizon's name for it (`openness`).
    pub fn openness(self) -> &'static str {
        match self {
            JoinMode::Open => "open",
            JoinMode::Approval => "moderated",
            JoinMode::Invite => "invite_only",
        }
    }

    /// Reads Mobilizon's `openness`.
    pub fn from_openness(s: &str) -> Self {
        match s {
            "open" => JoinMode::Open,
            "invite_only" => JoinMode::Invite,
            _ => JoinMode::Approval,
        }
    }
}

/// A member's role, from the least to the most powers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemberRole {
    /// Takes part.
    Member,
    /// Approves requests, removes posts, locks threads, bans.
    Moderator,
    /// Also changes roles and settings, reads and exports the member list (the secretary).
    Administrator,
}

impl MemberRole {
    /// The stored and API name (Mobilizon's).
    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Member => "member",
            MemberRole::Moderator => "moderator",
            MemberRole::Administrator => "administrator",
        }
    }

    /// Parses a stored or API name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "member" => Ok(MemberRole::Member),
            "moderator" => Ok(MemberRole::Moderator),
            "administrator" => Ok(MemberRole::Administrator),
            _ => Err(Invalid::new("role", "error-member-role")),
        }
    }
}

/// Where a membership stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MembershipState {
    /// Asked, waiting for a moderator.
    Pending,
    /// Invited by a moderator, not answered yet.
    Invited,
    /// A member.
    Accepted,
    /// Removed and refused from now on.
    Banned,
}

impl MembershipState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipState::Pending => "pending",
            MembershipState::Invited => "invited",
            MembershipState::Accepted => "accepted",
            MembershipState::Banned => "banned",
        }
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(MembershipState::Pending),
            "invited" => Some(MembershipState::Invited),
            "accepted" => Some(MembershipState::Accepted),
            "banned" => Some(MembershipState::Banned),
            _ => None,
        }
    }
}

/// Who may read a group post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Circle {
    /// Everyone: federates everywhere, Mastodon included.
    Public,
    /// The group's followers (its sympathizers) and its members.
    Sympathizers,
    /// Members only (for a federation: also the members of its affiliated sections).
    Members,
}

impl Circle {
    /// The stored, API and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Circle::Public => "public",
            Circle::Sympathizers => "sympathizers",
            Circle::Members => "members",
        }
    }

    /// Parses a stored or API name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "public" => Ok(Circle::Public),
            "sympathizers" => Ok(Circle::Sympathizers),
            "members" => Ok(Circle::Members),
            _ => Err(Invalid::new("audience", "error-circle")),
        }
    }
}

/// A group's handle: the same rules as a username (groups and people share the names of an
/// instance, as they share `@name@host`).
pub fn parse_group_name(input: &str) -> Result<Username, Invalid> {
    Username::parse_new(input).map_err(|e| Invalid { field: "name", ..e })
}

/// Where a section is: French postcode, commune, département code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// Five digits (`75011`).
    pub postcode: Option<String>,
    /// The commune's name.
    pub commune: Option<String>,
    /// The département's code (`75`, `2A`, `971`).
    pub departement: Option<String>,
}

impl Place {
    /// Parses the three optional parts; empty strings mean absent. A postcode gives its
    /// département when none is given.
    pub fn parse(
        postcode: Option<&str>,
        commune: Option<&str>,
        departement: Option<&str>,
    ) -> Result<Self, Vec<Invalid>> {
        let mut errors = Vec::new();
        let postcode = postcode.map(str::trim).filter(|s| !s.is_empty());
        let postcode = match postcode {
            Some(p) => match parse_postcode(p) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        let commune = commune.map(str::trim).filter(|s| !s.is_empty());
        if let Some(c) = commune
            && let Err(e) = check_length("commune", c, 1, 100)
        {
            errors.push(e);
        }
        let departement = departement
            .map(|d| d.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty());
        if let Some(d) = &departement
            && !is_departement(d)
        {
            errors.push(Invalid::new("departement", "error-departement"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let departement = departement.or_else(|| postcode.as_deref().map(departement_of));
        Ok(Place {
            postcode,
            commune: commune.map(str::to_string),
            departement,
        })
    }
}

/// A French postcode: five digits.
pub fn parse_postcode(input: &str) -> Result<String, Invalid> {
    let p = input.trim();
    if p.len() == 5 && p.bytes().all(|b| b.is_ascii_digit()) {
        Ok(p.to_string())
    } else {
        Err(Invalid::new("postcode", "error-postcode"))
    }
}

/// The département a place filter names: a postcode's (`64000`), or a département code
/// (`64`, `2A`, `974`).
pub fn departement_filter(input: &str) -> Result<String, Invalid> {
    let p = input.trim().to_ascii_uppercase();
    if is_departement(&p) {
        return Ok(p);
    }
    parse_postcode(&p).map(|p| departement_of(&p))
}

/// Whether a code names a département: 01-95 (2A and 2B for Corsica), 971-976 overseas.
fn is_departement(d: &str) -> bool {
    match d.len() {
        2 => {
            d == "2A"
                || d == "2B"
                || (d.bytes().all(|b| b.is_ascii_digit()) && d != "00" && d != "20" && d < "96")
        }
        3 => d.bytes().all(|b| b.is_ascii_digit()) && ("971"..="976").contains(&d),
        _ => false,
    }
}

/// The département of a postcode (`75011` -> `75`, `97400` -> `974`, `20000` -> `2A`).
pub fn departement_of(postcode: &str) -> String {
    if postcode.starts_with("97") && postcode.len() >= 3 {
        return postcode[..3].to_string();
    }
    if let Some(rest) = postcode.strip_prefix("20") {
        // Corsica: 200xx and 201xx are Corse-du-Sud, 202xx and 206xx Haute-Corse.
        return if rest.starts_with('0') || rest.starts_with('1') {
            "2A".to_string()
        } else {
            "2B".to_string()
        };
    }
    postcode[..2.min(postcode.len())].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in GroupKind::CREATABLE {
            assert_eq!(GroupKind::parse_new(k.as_str()), Ok(k));
        }
        assert!(GroupKind::parse_new("other").is_err());
        for m in [JoinMode::Open, JoinMode::Approval, JoinMode::Invite] {
            assert_eq!(JoinMode::parse(m.as_str()), Ok(m));
            assert_eq!(JoinMode::from_openness(m.openness()), m);
        }
        for c in [Circle::Public, Circle::Sympathizers, Circle::Members] {
            assert_eq!(Circle::parse(c.as_str()), Ok(c));
        }
        assert!(MemberRole::Administrator > MemberRole::Moderator);
        assert_eq!(MemberRole::parse("boss").unwrap_err().field, "role");
    }

    #[test]
    fn places_are_checked() {
        let p = Place::parse(Some("75011"), Some("Paris"), None).unwrap();
        assert_eq!(p.departement.as_deref(), Some("75"));
        assert_eq!(
            Place::parse(Some("97400"), None, None)
                .unwrap()
                .departement
                .as_deref(),
            Some("974")
        );
        assert_eq!(departement_of("20090"), "2A");
        assert_eq!(departement_of("20200"), "2B");
        let errs = Place::parse(Some("7501"), None, Some("99")).unwrap_err();
        assert_eq!(
            errs.iter().map(|e| e.field).collect::<Vec<_>>(),
            ["postcode", "departement"]
        );
        assert_eq!(
            Place::parse(Some(""), None, None).unwrap(),
            Place::default()
        );
        assert!(Place::parse(None, None, Some("2a")).is_ok());
    }

    #[test]
    fn group_names_follow_username_rules() {
        assert_eq!(parse_group_name("Paris_11").unwrap().as_str(), "paris_11");
        assert_eq!(parse_group_name("a b").unwrap_err().field, "name");
        assert_eq!(parse_group_name("admin").unwrap_err().field, "name");
    }
}
