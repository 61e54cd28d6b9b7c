//! Account sanctions' vocabulary: the actions of Mastodon's admin API (`POST
//! /api/v1/admin/accounts/:id/action`'s `type`), who may take each, the text a person is
//! told, and the filters of the administrators' accounts list. No I/O.

use super::{Invalid, Role, check_length};

/// What a moderator or an administrator does to an account (Mastodon's action types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SanctionKind {
    /// A warning alone (Mastodon's `none`): the person reads the text.
    Warn,
    /// Their media marked sensitive (Mastodon's `sensitive`): not offered by coopol, refused.
    Sensitive,
    /// The local person may no longer sign in (Mastodon's `disable`).
    Disable,
    /// Limited (Mastodon's `silence`): out of public timelines, hashtags, search and the
    /// directory for whoever does not follow them.
    Silence,
    /// Suspended: content hidden everywhere, deliveries dropped, a local one's actor deleted.
    Suspend,
}

impl SanctionKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [SanctionKind; 4] = [
        SanctionKind::Warn,
        SanctionKind::Silence,
        SanctionKind::Disable,
        SanctionKind::Suspend,
    ];

    /// The API's and the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SanctionKind::Warn => "none",
            SanctionKind::Sensitive => "sensitive",
            SanctionKind::Disable => "disable",
            SanctionKind::Silence => "silence",
            SanctionKind::Suspend => "suspend",
        }
    }

    /// Reads the API's `type` (and the web form's choice). `sensitive` is understood and then
    /// refused by the service, with its own message.
    pub fn parse(s: &str) -> Result<SanctionKind, Invalid> {
        match s.trim() {
            "none" | "" => Ok(SanctionKind::Warn),
            "sensitive" => Ok(SanctionKind::Sensitive),
            "disable" => Ok(SanctionKind::Disable),
            "silence" => Ok(SanctionKind::Silence),
            "suspend" => Ok(SanctionKind::Suspend),
            _ => Err(Invalid::new("type", "error-sanction-type")),
        }
    }

    /// Whether a moderator may take it (docs/SECURITY.md G1: moderators warn and limit; the
    /// rest is for administrators).
    pub fn allowed_to(self, role: Role) -> bool {
        match self {
            SanctionKind::Warn | SanctionKind::Silence => role.is_staff(),
            SanctionKind::Sensitive | SanctionKind::Disable | SanctionKind::Suspend => {
                role.is_admin()
            }
        }
    }
}

/// The longest text told to a sanctioned person (Mastodon has no limit; a warning is a
/// short message, not a file).
pub const MAX_TEXT: usize = 5_000;

/// The text of a warning, trimmed and bounded (it may be empty).
pub fn warning_text(field: &'static str, s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    check_length(field, s, 0, MAX_TEXT)?;
    Ok(s.to_string())
}

/// The longest appeal.
pub const MAX_APPEAL: usize = 2_000;

/// The text of an appeal: required, bounded.
pub fn appeal_text(s: &str) -> Result<String, Invalid> {
    let s = s.trim();
    check_length("text", s, 1, MAX_APPEAL)?;
    Ok(s.to_string())
}

/// Where an account lives, as the accounts list filters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// On this instance.
    Local,
    /// On another server.
    Remote,
}

impl Origin {
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::Remote => "remote",
        }
    }

    /// Reads `origin`.
    pub fn parse(s: &str) -> Result<Origin, Invalid> {
        match s {
            "local" => Ok(Origin::Local),
            "remote" => Ok(Origin::Remote),
            _ => Err(Invalid::new("origin", "error-admin-filter")),
        }
    }
}

/// An account's standing, as the accounts list filters it (Mastodon's v2 `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Neither suspended nor waiting nor disabled.
    Active,
    /// A registration awaiting approval.
    Pending,
    /// Sign-in disabled.
    Disabled,
    /// Limited.
    Silenced,
    /// Suspended.
    Suspended,
}

impl Standing {
    /// Every standing, in the order the filter lists them.
    pub const ALL: [Standing; 5] = [
        Standing::Active,
        Standing::Pending,
        Standing::Disabled,
        Standing::Silenced,
        Standing::Suspended,
    ];

    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Pending => "pending",
            Standing::Disabled => "disabled",
            Standing::Silenced => "silenced",
            Standing::Suspended => "suspended",
        }
    }

    /// Reads `status`.
    pub fn parse(s: &str) -> Result<Standing, Invalid> {
        Standing::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| Invalid::new("status", "error-admin-filter"))
    }
}

/// The filters of the accounts list (Mastodon's `GET /api/v2/admin/accounts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// Local or remote accounts only.
    pub origin: Option<Origin>,
    /// One standing only.
    pub standing: Option<Standing>,
    /// Moderators and administrators only.
    pub staff: bool,
    /// People with one of these roles only (empty: any).
    pub roles: Vec<Role>,
    /// Usernames starting with this (case-insensitive).
    pub username: Option<String>,
    /// Display names containing this.
    pub display_name: Option<String>,
    /// Accounts of this domain.
    pub by_domain: Option<String>,
    /// E-mail addresses containing this.
    pub email: Option<String>,
    /// People who joined with an invite of this account.
    pub invited_by: Option<i64>,
    /// A search of the web page: usernames and domains starting with it, display names and
    /// addresses containing it.
    pub q: Option<String>,
}

/// Mastodon's role ids for coopol's roles (its seeded roles: everyone is `-99`, then
/// moderator, administrator), so apps that filter by `role_ids[]` find them.
pub fn role_id(role: Role) -> &'static str {
    match role {
        Role::Member => "-99",
        Role::Moderator => "1",
        Role::Admin => "2",
    }
}

/// The role of a Mastodon role id.
pub fn role_of_id(id: &str) -> Result<Role, Invalid> {
    [Role::Member, Role::Moderator, Role::Admin]
        .into_iter()
        .find(|r| role_id(*r) == id.trim())
        .ok_or_else(|| Invalid::new("role_ids", "error-admin-filter"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_powers_follow_g1() {
        for k in SanctionKind::ALL {
            assert_eq!(SanctionKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(
            SanctionKind::parse("sensitive").unwrap(),
            SanctionKind::Sensitive
        );
        assert!(SanctionKind::parse("ban").is_err());
        assert!(SanctionKind::Warn.allowed_to(Role::Moderator));
        assert!(SanctionKind::Silence.allowed_to(Role::Moderator));
        assert!(!SanctionKind::Suspend.allowed_to(Role::Moderator));
        assert!(!SanctionKind::Disable.allowed_to(Role::Moderator));
        assert!(SanctionKind::Suspend.allowed_to(Role::Admin));
        assert!(!SanctionKind::Warn.allowed_to(Role::Member));
    }

    #[test]
    fn texts_and_filters_are_checked() {
        assert_eq!(warning_text("text", "  hi ").unwrap(), "hi");
        assert!(warning_text("text", &"x".repeat(MAX_TEXT + 1)).is_err());
        assert!(appeal_text("  ").is_err());
        assert!(Standing::parse("sleeping").is_err());
        assert_eq!(Standing::parse("silenced").unwrap(), Standing::Silenced);
        assert_eq!(role_of_id("2").unwrap(), Role::Admin);
        assert!(role_of_id("7").is_err());
    }
}
