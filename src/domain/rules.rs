//! An instance rule as an administrator writes it: a short text (what is asked) and an
//! optional hint (what it means), as Mastodon's `Rule` entity carries them.

use super::{Invalid, check_length};

/// The longest rule text: Mastodon allows 300 characters, apps show it as one line of a list.
pub const MAX_TEXT_CHARS: usize = 300;
/// The longest hint, an explanation shown under the rule.
pub const MAX_HINT_CHARS: usize = 2000;
/// The most rules an instance keeps in force: each is a box to tick at sign-up.
pub const MAX_RULES: i64 = 50;

/// A rule's text and hint, checked: the text is required, both are trimmed and bounded, and
/// neither may carry control characters other than line breaks in the hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInput {
    /// What the rule asks, in one line.
    pub text: String,
    /// What it means, possibly empty.
    pub hint: String,
}

impl RuleInput {
    /// Checks both fields, returning every refusal at once.
    pub fn parse(text: &str, hint: &str) -> Result<Self, Vec<Invalid>> {
        let text = text.trim();
        let hint = hint.trim();
        let mut errors = Vec::new();
        if let Err(e) = check_length("text", text, 1, MAX_TEXT_CHARS) {
            errors.push(e);
        } else if text.chars().any(char::is_control) {
            errors.push(Invalid::new("text", "error-rule-one-line"));
        }
        if let Err(e) = check_length("hint", hint, 0, MAX_HINT_CHARS) {
            errors.push(e);
        } else if hint
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            errors.push(Invalid::new("hint", "error-rule-control"));
        }
        if errors.is_empty() {
            Ok(RuleInput {
                text: text.to_string(),
                hint: hint.replace("\r\n", "\n"),
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_required_and_bounded() {
        let r = RuleInput::parse("  Pas de harcèlement ", " Ni ici ni ailleurs\r\n").unwrap();
        assert_eq!(r.text, "Pas de harcèlement");
        assert_eq!(r.hint, "Ni ici ni ailleurs");
        let e = RuleInput::parse("   ", "").unwrap_err();
        assert_eq!((e[0].field, e[0].key), ("text", "error-required"));
        let e = RuleInput::parse(
            &"x".repeat(MAX_TEXT_CHARS + 1),
            &"y".repeat(MAX_HINT_CHARS + 1),
        )
        .unwrap_err();
        assert_eq!(e.len(), 2, "both refusals at once");
        assert_eq!(e[0].key, "error-too-long");
        assert_eq!(e[1].field, "hint");
        assert!(RuleInput::parse(&"é".repeat(MAX_TEXT_CHARS), "").is_ok());
    }

    #[test]
    fn control_characters_are_refused() {
        let e = RuleInput::parse("a\nb", "").unwrap_err();
        assert_eq!(e[0].key, "error-rule-one-line");
        let e = RuleInput::parse("a", "b\u{0}c").unwrap_err();
        assert_eq!(e[0].key, "error-rule-control");
        assert!(RuleInput::parse("a", "line one\nline two").is_ok());
    }
}
