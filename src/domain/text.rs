//! Free-text fields with their limits: display names, biographies, invite codes.

use super::{Invalid, check_length};

/// A display name: up to 30 characters, as on Mastodon; may be empty (the username shows).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisplayName(String);

impl DisplayName {
    /// The longest display name accepted.
    pub const MAX: usize = 30;

    /// Parses a display name; surrounding spaces are dropped, control characters refused.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let name = input.trim();
        check_length("display_name", name, 0, Self::MAX)?;
        if name.chars().any(char::is_control) {
            return Err(Invalid::new("display_name", "error-control-chars"));
        }
        Ok(DisplayName(name.to_string()))
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A biography, as written (Markdown or plain text): up to 500 characters, as on Mastodon.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bio(String);

impl Bio {
    /// The longest biography accepted.
    pub const MAX: usize = 500;

    /// Parses a biography; line breaks are normalised to `\n`.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let bio = input.replace("\r\n", "\n");
        let bio = bio.trim();
        check_length("note", bio, 0, Self::MAX)?;
        Ok(Bio(bio.to_string()))
    }

    /// The source text as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why someone asks to join, shown to the administrators approving accounts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistrationReason(String);

impl RegistrationReason {
    /// The longest reason accepted.
    pub const MAX: usize = 1000;

    /// Parses a reason; it may be empty unless the caller requires it.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let reason = input.trim();
        check_length("reason", reason, 0, Self::MAX)?;
        Ok(RegistrationReason(reason.to_string()))
    }

    /// The reason as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An invite code as typed or taken from an invite link: letters and digits only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteCode(String);

impl InviteCode {
    /// Parses a code; an empty code is refused (the caller decides whether one is needed).
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let code = input.trim();
        check_length("invite_code", code, 1, 64)?;
        if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Invalid::new("invite_code", "error-invite-invalid"));
        }
        Ok(InviteCode(code.to_string()))
    }

    /// The code as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        assert!(DisplayName::parse(&"é".repeat(30)).is_ok());
        assert_eq!(
            DisplayName::parse(&"é".repeat(31)).unwrap_err().key,
            "error-too-long"
        );
        assert!(DisplayName::parse("a\u{0007}b").is_err());
        assert!(Bio::parse(&"b".repeat(500)).is_ok());
        assert!(Bio::parse(&"b".repeat(501)).is_err());
        assert_eq!(Bio::parse("a\r\nb ").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn invite_codes_are_alphanumeric() {
        assert!(InviteCode::parse("Ab12").is_ok());
        assert!(InviteCode::parse("").is_err());
        assert!(InviteCode::parse("a/b").is_err());
    }
}
