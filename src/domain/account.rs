//! Accounts: usernames, e-mail addresses, passwords, roles, states and registration modes.

use super::{Invalid, check_length};
use std::fmt;

/// Names nobody may register: they would impersonate the instance's staff or collide with
/// well-known paths.
const RESERVED_USERNAMES: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "support",
    "help",
    "webmaster",
    "postmaster",
    "hostmaster",
    "abuse",
    "security",
    "mod",
    "moderator",
    "moderators",
    "staff",
    "system",
    "instance",
    "actor",
    "coopol",
    "nobody",
];

/// A handle as people type it, without its sign, and whether it names a group: `@name@domain`
/// and `name@domain` name any account, `!name@domain` a group (how Lemmy's users write a
/// community; its server answers WebFinger for `acct:name@domain` like any account's).
pub fn handle_parts(term: &str) -> (&str, bool) {
    let term = term.trim();
    match term.strip_prefix('!') {
        Some(rest) => (rest, true),
        None => (term.trim_start_matches('@'), false),
    }
}

#[cfg(test)]
mod handle_tests {
    #[test]
    fn a_community_handle_names_a_group() {
        assert_eq!(
            super::handle_parts(" !main@lemmy.example"),
            ("main@lemmy.example", true)
        );
        assert_eq!(
            super::handle_parts("@ana@b.example"),
            ("ana@b.example", false)
        );
        assert_eq!(super::handle_parts("ana"), ("ana", false));
    }
}

/// A local username: 1 to 30 characters from `[a-z0-9_]`, compared and stored in lower case
/// (as Mastodon compares them case-insensitively, `Alice` and `alice` are one name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// The longest username accepted, as on Mastodon.
    pub const MAX: usize = 30;

    /// Parses a username typed by a person; upper-case letters are folded to lower case.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.trim().to_ascii_lowercase();
        check_length("username", &name, 1, Self::MAX)?;
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Invalid::new("username", "error-username-chars"));
        }
        Ok(Username(name))
    }

    /// Parses a username for a new registration: also refuses reserved names.
    pub fn parse_new(input: &str) -> Result<Self, Invalid> {
        let name = Self::parse(input)?;
        if RESERVED_USERNAMES.contains(&name.0.as_str()) {
            return Err(Invalid::new("username", "error-username-reserved"));
        }
        Ok(name)
    }

    /// The username as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, stored in lower case so that one mailbox cannot hold two accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an address (RFC 5321 length limit of 254 characters).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let email = input.trim().to_lowercase();
        check_length("email", &email, 1, 254)?;
        // `email_address` accepts display-name forms ("Name <a@b>"); a bare address is wanted.
        let opts = email_address::Options::default()
            .without_display_text()
            .without_domain_literal();
        match email_address::EmailAddress::parse_with_options(&email, opts) {
            Ok(_) if email.contains('.') => Ok(Email(email)),
            _ => Err(Invalid::new("email", "error-email-invalid")),
        }
    }

    /// The address as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, checked for length only: length is what makes a password strong, and
/// composition rules push people to weaker, predictable ones (NIST SP 800-63B).
pub struct Password(String);

impl Password {
    /// The shortest password accepted.
    pub const MIN: usize = 8;
    /// The longest password accepted (a bound on hashing work, not a security rule).
    pub const MAX: usize = 256;

    /// Parses a new password.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        check_length("password", input, Self::MIN, Self::MAX)?;
        Ok(Password(input.to_string()))
    }

    /// The password itself, to be hashed; never to be logged.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What a local user may do on the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the instance: settings, registrations, roles.
    Admin,
    /// Handles reports and moderation.
    Moderator,
    /// Everybody else.
    Member,
}

impl Role {
    /// All roles, highest first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Moderator, Role::Member];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Member => "member",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "admin" => Ok(Role::Admin),
            "moderator" => Ok(Role::Moderator),
            "member" => Ok(Role::Member),
            _ => Err(Invalid::new("role", "error-role-invalid")),
        }
    }

    /// Whether this role may use the administration pages.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }

    /// Whether this role may moderate (admins may too).
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Moderator)
    }
}

/// Where a local user's account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    /// Registered while registrations need approval; cannot sign in yet.
    Pending,
    /// Can sign in.
    Active,
    /// Disabled by an administrator; cannot sign in.
    Disabled,
}

impl UserState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Pending => "pending",
            UserState::Active => "active",
            UserState::Disabled => "disabled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "pending" => Ok(UserState::Pending),
            "active" => Ok(UserState::Active),
            "disabled" => Ok(UserState::Disabled),
            _ => Err(Invalid::new("state", "error-state-invalid")),
        }
    }
}

/// How people may create accounts on this instance, chosen by an administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    /// Anyone may sign up and use the account at once.
    Open,
    /// Anyone may sign up; an administrator approves each account before it can be used.
    Approval,
    /// Only people holding an invite code may sign up.
    Invite,
    /// Nobody may sign up; administrators create accounts from the command line.
    Closed,
}

impl RegistrationMode {
    /// All modes, in the order the admin page lists them.
    pub const ALL: [RegistrationMode; 4] = [
        RegistrationMode::Open,
        RegistrationMode::Approval,
        RegistrationMode::Invite,
        RegistrationMode::Closed,
    ];

    /// The stored and configured name.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Invite => "invite",
            RegistrationMode::Closed => "closed",
        }
    }

    /// Parses a stored, configured or submitted name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "open" => Ok(RegistrationMode::Open),
            "approval" => Ok(RegistrationMode::Approval),
            "invite" => Ok(RegistrationMode::Invite),
            "closed" => Ok(RegistrationMode::Closed),
            _ => Err(Invalid::new("registration_mode", "error-registration-mode")),
        }
    }

    /// Whether the sign-up form is offered at all.
    pub fn accepts_sign_ups(self) -> bool {
        self != RegistrationMode::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_case_and_refuse_other_characters() {
        assert_eq!(Username::parse("Alice_42").unwrap().as_str(), "alice_42");
        assert_eq!(Username::parse(" bob ").unwrap().as_str(), "bob");
        for bad in ["", "a b", "élise", "a-b", "a.b", "a@b", &"x".repeat(31)] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            Username::parse_new("Admin").unwrap_err().key,
            "error-username-reserved"
        );
        assert!(Username::parse("admin").is_ok());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Marie@Example.FR ").unwrap().as_str(),
            "marie@example.fr"
        );
        for bad in [
            "",
            "marie",
            "marie@",
            "@example.fr",
            "Marie <m@example.fr>",
            "m@localhost",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret-secret").unwrap()),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        for m in RegistrationMode::ALL {
            assert_eq!(RegistrationMode::parse(m.as_str()).unwrap(), m);
        }
        for s in [UserState::Pending, UserState::Active, UserState::Disabled] {
            assert_eq!(UserState::parse(s.as_str()).unwrap(), s);
        }
    }
}
