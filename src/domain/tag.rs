//! Hashtag names as apps send them (`/api/v1/tags/:name`, a featured tag's `name`): checked
//! with the rule that finds hashtags in posts (`status::PostText`), and normalised as posts
//! store them in `status_tags` (lower case, without `#`), so that `#Grève`, `grève` and
//! `GRÈVE` name one tag, as on Mastodon.

use super::Invalid;

/// The longest hashtag, in characters (as the post reader and the streams take them).
pub const MAX_TAG_CHARS: usize = 100;

/// A checked, normalised hashtag name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagName(String);

impl TagName {
    /// Reads a name (one leading `#` allowed): Unicode letters, digits and `_`, not digits
    /// only, at most [`MAX_TAG_CHARS`] characters. `field` names the parameter in the refusal.
    pub fn parse(field: &'static str, raw: &str) -> Result<TagName, Invalid> {
        let trimmed = raw.trim();
        let name = trimmed.strip_prefix('#').unwrap_or(trimmed);
        if name.is_empty() {
            return Err(Invalid::new(field, "error-tag-name-empty"));
        }
        if name.chars().count() > MAX_TAG_CHARS {
            return Err(Invalid::new(field, "error-tag-name-long").arg("max", MAX_TAG_CHARS));
        }
        if !name.chars().all(|c| c.is_alphanumeric() || c == '_')
            || name.chars().all(|c| c.is_ascii_digit())
        {
            return Err(Invalid::new(field, "error-tag-name-chars"));
        }
        Ok(TagName(name.to_lowercase()))
    }

    /// The name as stored (lower case, without `#`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_as_posts_store_them() {
        let n = |s| TagName::parse("name", s).map(|t| t.as_str().to_string());
        assert_eq!(n("#Grève").unwrap(), "grève");
        assert_eq!(n("  GRÈVE ").unwrap(), "grève");
        assert_eq!(n("tract_2026").unwrap(), "tract_2026");
        assert_eq!(n("日本語").unwrap(), "日本語");
        // The post reader finds the same name in a text.
        let read = crate::domain::status::PostText::read("Tous en #Grève_Générale !");
        assert_eq!(read.hashtags(), [n("Grève_Générale").unwrap()]);
    }

    #[test]
    fn bad_names_are_refused_with_their_reason() {
        let key = |s: &str| TagName::parse("name", s).unwrap_err().key;
        assert_eq!(key(""), "error-tag-name-empty");
        assert_eq!(key("#"), "error-tag-name-empty");
        assert_eq!(key("2026"), "error-tag-name-chars");
        assert_eq!(key("a-b"), "error-tag-name-chars");
        assert_eq!(key("a b"), "error-tag-name-chars");
        assert_eq!(key("##a"), "error-tag-name-chars");
        assert_eq!(key("a%27;DROP"), "error-tag-name-chars");
        assert_eq!(key(&"a".repeat(101)), "error-tag-name-long");
        assert!(TagName::parse("name", &"a".repeat(100)).is_ok());
    }
}
