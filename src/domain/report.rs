//! Reports: what a report says (its category), and the bounds of what it may carry. A
//! report is about one account and some of its posts; the person who reports chooses a
//! category, may name broken rules, and may write a comment the moderators read.

use super::{Invalid, check_length};

/// The longest comment a report made here carries, in characters (Mastodon's limit). A
/// `Flag` from another server is cut to the same length.
pub const MAX_COMMENT: usize = 1_000;
/// The most posts one report names (Mastodon does not bound them; a page of posts is 40).
pub const MAX_STATUSES: usize = 40;
/// The most rules one report names.
pub const MAX_RULES: usize = 40;
/// The most domains a report is forwarded to besides the reported account's.
pub const MAX_FORWARD_DOMAINS: usize = 20;
/// The longest moderator's note on a report, in characters (Mastodon's limit).
pub const MAX_NOTE: usize = 500;

/// Why an account is reported (Mastodon's categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Unwanted advertising, repeated messages.
    Spam,
    /// Content illegal where the server is.
    Legal,
    /// Breaks one or more of the instance's rules (which ones is required).
    Violation,
    /// Anything else.
    Other,
}

impl Category {
    /// Every category, in the order forms show them.
    pub const ALL: [Category; 4] = [
        Category::Spam,
        Category::Legal,
        Category::Violation,
        Category::Other,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Spam => "spam",
            Category::Legal => "legal",
            Category::Violation => "violation",
            Category::Other => "other",
        }
    }

    /// A stored name.
    pub fn from_stored(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A category as an app or a form sends it (absent or empty: `other`, as Mastodon).
    pub fn parse(s: Option<&str>) -> Result<Category, Invalid> {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(Category::Other),
            Some(s) => Category::from_stored(s)
                .ok_or_else(|| Invalid::new("category", "error-report-category")),
        }
    }
}

/// A report's comment as typed: trimmed, at most [`MAX_COMMENT`] characters.
pub fn comment(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    check_length("comment", text, 0, MAX_COMMENT)?;
    Ok(text.to_string())
}

/// A remote server's comment (a `Flag`'s `content`): any text, cut to [`MAX_COMMENT`]
/// characters without control characters but line breaks. It is shown as text, never as
/// markup.
pub fn remote_comment(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_COMMENT)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A moderator's note: trimmed, 1 to [`MAX_NOTE`] characters.
pub fn note(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    check_length("content", text, 1, MAX_NOTE)?;
    Ok(text.to_string())
}

/// A domain as an app names it in `forward_to_domains`: lower case, without spaces, with its
/// port if any.
pub fn forward_domain(s: &str) -> Result<String, Invalid> {
    let d = s.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if ok {
        Ok(d)
    } else {
        Err(Invalid::new("forward_to_domains", "error-report-domain").arg("domain", s.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_as_mastodon_names_them() {
        for c in Category::ALL {
            assert_eq!(Category::parse(Some(c.as_str())), Ok(c));
        }
        assert_eq!(Category::parse(None), Ok(Category::Other));
        assert_eq!(Category::parse(Some(" ")), Ok(Category::Other));
        assert_eq!(
            Category::parse(Some("rude")).unwrap_err().key,
            "error-report-category"
        );
    }

    #[test]
    fn comments_are_bounded() {
        assert_eq!(comment("  see  ").unwrap(), "see");
        assert!(comment(&"é".repeat(MAX_COMMENT)).is_ok());
        assert_eq!(
            comment(&"é".repeat(MAX_COMMENT + 1)).unwrap_err().key,
            "error-too-long"
        );
        let hostile = format!("a\u{0}b\u{1b}[31m\n{}", "x".repeat(100_000));
        let cut = remote_comment(&hostile);
        assert!(cut.starts_with("ab[31m\nx"));
        assert_eq!(cut.chars().count(), MAX_COMMENT);
        assert_eq!(note(" ").unwrap_err().key, "error-required");
        assert!(note(&"n".repeat(MAX_NOTE + 1)).is_err());
    }

    #[test]
    fn forward_domains_are_host_names() {
        assert_eq!(
            forward_domain(" Mastodon.Example. ").unwrap(),
            "mastodon.example"
        );
        assert_eq!(forward_domain("localhost:8080").unwrap(), "localhost:8080");
        assert!(forward_domain("a b").is_err());
        assert!(forward_domain("https://x/").is_err());
        assert!(forward_domain("").is_err());
    }
}
