//! OAuth scopes as Mastodon defines them (docs.joinmastodon.org/api/oauth-scopes): top-level
//! scopes (`read`, `write`, ...) include their granular children (`read:accounts`), and the
//! deprecated `follow` scope covers the follow, block and mute scopes.

use super::Invalid;
use std::fmt;

/// Every scope Mastodon knows, so that apps asking for any of them are understood.
const KNOWN: &[&str] = &[
    "read",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_allows",
    "admin:read:domain_blocks",
    "admin:read:ip_blocks",
    "admin:read:email_domain_blocks",
    "admin:read:canonical_email_blocks",
    "admin:write",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_allows",
    "admin:write:domain_blocks",
    "admin:write:ip_blocks",
    "admin:write:email_domain_blocks",
    "admin:write:canonical_email_blocks",
];

/// What the deprecated `follow` scope grants.
const FOLLOW_IMPLIES: &[&str] = &[
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
];

/// One known scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope(&'static str);

impl Scope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether holding this scope allows an action that requires `required`.
    fn grants(self, required: &str) -> bool {
        let held = self.0;
        held == required
            || required
                .strip_prefix(held)
                .is_some_and(|rest| rest.starts_with(':'))
            || (held == "follow" && FOLLOW_IMPLIES.contains(&required))
    }
}

/// A set of scopes, as granted to an app or a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Parses a space-separated list (`+` also separates, as some clients send it unescaped).
    /// An empty list means `read`, as on Mastodon. Unknown scopes are refused.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let mut scopes: Vec<Scope> = Vec::new();
        for name in input.split([' ', '+', ',']).filter(|s| !s.is_empty()) {
            let known = KNOWN
                .iter()
                .find(|k| **k == name)
                .ok_or_else(|| Invalid::new("scope", "error-scope-unknown").arg("scope", name))?;
            if !scopes.iter().any(|s| s.0 == *known) {
                scopes.push(Scope(known));
            }
        }
        if scopes.is_empty() {
            scopes.push(Scope("read"));
        }
        Ok(Scopes(scopes))
    }

    /// Whether these scopes allow an action that requires `required` (a known scope name).
    pub fn allows(&self, required: &str) -> bool {
        self.0.iter().any(|s| s.grants(required))
    }

    /// Whether these scopes allow any of `required`.
    pub fn allows_any(&self, required: &[&str]) -> bool {
        required.iter().any(|r| self.allows(r))
    }

    /// Whether every scope of `other` is granted by these (a token may only get a subset of
    /// what its app registered).
    pub fn covers(&self, other: &Scopes) -> bool {
        other.0.iter().all(|s| self.allows(s.0))
    }

    /// The scopes, in the order they were given.
    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.0).collect();
        f.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_grant_children() {
        let s = Scopes::parse("read write:statuses").unwrap();
        assert!(s.allows("read:accounts"));
        assert!(s.allows("read"));
        assert!(s.allows("write:statuses"));
        assert!(!s.allows("write"));
        assert!(!s.allows("write:accounts"));
        assert!(!Scopes::parse("read").unwrap().allows("readx"));
        assert!(!Scopes::parse("admin:read").unwrap().allows("read:accounts"));
        assert!(
            Scopes::parse("admin:read")
                .unwrap()
                .allows("admin:read:accounts")
        );
    }

    #[test]
    fn follow_is_the_old_umbrella() {
        let s = Scopes::parse("follow").unwrap();
        assert!(s.allows("write:follows"));
        assert!(s.allows("read:blocks"));
        assert!(!s.allows("read:statuses"));
    }

    #[test]
    fn parsing_defaults_to_read_and_refuses_unknown() {
        assert_eq!(Scopes::parse("").unwrap().to_string(), "read");
        assert_eq!(
            Scopes::parse("read+write  read").unwrap().to_string(),
            "read write"
        );
        let err = Scopes::parse("read delete:everything").unwrap_err();
        assert_eq!(err.key, "error-scope-unknown");
    }

    #[test]
    fn covers_is_subset_with_hierarchy() {
        let app = Scopes::parse("read write follow").unwrap();
        assert!(app.covers(&Scopes::parse("read:accounts write").unwrap()));
        assert!(!app.covers(&Scopes::parse("push").unwrap()));
        assert!(!Scopes::parse("read:accounts").unwrap().covers(&app));
    }
}
