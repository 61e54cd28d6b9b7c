//! What a person chooses to see, as Mastodon apps set it: a list's title and replies policy,
//! a filter's title, contexts, action and keywords (and the patterns keywords match, as
//! Mastodon's `CustomFilterKeyword#to_regex`), how long a mute lasts. Every value is checked
//! here; a value not understood is refused with the field it came in.

use super::{Invalid, check_length};

/// The longest list or filter title.
pub const MAX_TITLE_CHARS: usize = 256;
/// The longest keyword.
pub const MAX_KEYWORD_CHARS: usize = 512;
/// The most keywords one filter may hold.
pub const MAX_KEYWORDS: usize = 256;

/// A list's or filter's title: trimmed, 1 to 256 characters.
pub fn title(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let t = raw.trim();
    check_length(field, t, 1, MAX_TITLE_CHARS)?;
    Ok(t.to_string())
}

/// Which answers a list shows (Mastodon's `replies_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepliesPolicy {
    /// Answers to anyone the owner follows.
    Followed,
    /// Answers to the list's members.
    List,
    /// No answers to others.
    None,
}

impl RepliesPolicy {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            RepliesPolicy::Followed => "followed",
            RepliesPolicy::List => "list",
            RepliesPolicy::None => "none",
        }
    }

    /// Reads the API's name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "followed" => Ok(RepliesPolicy::Followed),
            "list" => Ok(RepliesPolicy::List),
            "none" => Ok(RepliesPolicy::None),
            _ => Err(Invalid::new("replies_policy", "error-replies-policy")),
        }
    }
}

/// Where a filter applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FilterContext {
    /// Home and list timelines.
    Home,
    /// Notifications.
    Notifications,
    /// Public and hashtag timelines.
    Public,
    /// A post's thread.
    Thread,
    /// An account's posts.
    Account,
}

impl FilterContext {
    /// Every context, in Mastodon's order.
    pub const ALL: [FilterContext; 5] = [
        FilterContext::Home,
        FilterContext::Notifications,
        FilterContext::Public,
        FilterContext::Thread,
        FilterContext::Account,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterContext::Home => "home",
            FilterContext::Notifications => "notifications",
            FilterContext::Public => "public",
            FilterContext::Thread => "thread",
            FilterContext::Account => "account",
        }
    }

    fn from_name(raw: &str) -> Option<Self> {
        FilterContext::ALL
            .into_iter()
            .find(|c| c.as_str() == raw.trim())
    }

    /// The contexts an app sends (`context[]`): at least one, each known, each once.
    pub fn parse_all(raw: &[String]) -> Result<Vec<FilterContext>, Invalid> {
        let mut out = Vec::new();
        for r in raw {
            let c = FilterContext::from_name(r)
                .ok_or_else(|| Invalid::new("context", "error-filter-context").arg("value", r))?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        if out.is_empty() {
            return Err(Invalid::new("context", "error-filter-context-missing"));
        }
        out.sort();
        Ok(out)
    }

    /// Contexts as stored: names separated by spaces.
    pub fn store(contexts: &[FilterContext]) -> String {
        contexts
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Stored contexts read back (a name this version does not know is skipped: it cannot
    /// have been stored by it).
    pub fn load(stored: &str) -> Vec<FilterContext> {
        stored
            .split_whitespace()
            .filter_map(FilterContext::from_name)
            .collect()
    }
}

/// What a filter does to what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterAction {
    /// Shown behind a warning (`filtered` on the post).
    Warn,
    /// Left out.
    Hide,
    /// Shown with its media blurred (`filtered` on the post).
    Blur,
}

impl FilterAction {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterAction::Warn => "warn",
            FilterAction::Hide => "hide",
            FilterAction::Blur => "blur",
        }
    }

    /// Reads the API's name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim() {
            "warn" => Ok(FilterAction::Warn),
            "hide" => Ok(FilterAction::Hide),
            "blur" => Ok(FilterAction::Blur),
            _ => Err(Invalid::new("filter_action", "error-filter-action")),
        }
    }
}

/// A keyword as typed: trimmed, 1 to 512 characters.
pub fn keyword(raw: &str) -> Result<String, Invalid> {
    let k = raw.trim();
    check_length("keyword", k, 1, MAX_KEYWORD_CHARS)?;
    Ok(k.to_string())
}

/// The pattern a keyword matches, as Mastodon builds it: the keyword's text, case-insensitive;
/// with `whole_word`, bounded by word boundaries on the sides where it begins or ends with a
/// word character.
pub fn keyword_pattern(keyword: &str, whole_word: bool) -> String {
    let escaped = regex::escape(keyword);
    if !whole_word {
        return escaped;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let start = if word(keyword.chars().next()) {
        r"\b"
    } else {
        ""
    };
    let end = if word(keyword.chars().last()) {
        r"\b"
    } else {
        ""
    };
    format!("{start}{escaped}{end}")
}

/// Keywords joined in one case-insensitive pattern (Mastodon's `Regexp.union`). Compiling one
/// costs far more than matching a page of posts with it, so each process keeps the patterns it
/// compiled, keyed by their text: a changed filter is a new key, and nothing needs to be told
/// across processes. The cache is emptied when it reaches [`PATTERN_CACHE`] entries.
pub fn keywords_regex<'a>(
    keywords: impl IntoIterator<Item = (&'a str, bool)>,
) -> Option<regex::Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let parts: Vec<String> = keywords
        .into_iter()
        .map(|(k, w)| format!("(?:{})", keyword_pattern(k, w)))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let pattern = parts.join("|");
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(re) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&pattern)
    {
        return Some(re.clone());
    }
    // Bounded so that a cache full of patterns stays small (the lazy DFA's cache grows with
    // use, up to this, for each pattern).
    let re = regex::RegexBuilder::new(&pattern)
        .case_insensitive(true)
        .dfa_size_limit(256 * 1024)
        .build()
        .ok()?;
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= PATTERN_CACHE {
        cache.clear();
    }
    cache.insert(pattern, re.clone());
    Some(re)
}

/// The most compiled keyword patterns a process keeps.
pub const PATTERN_CACHE: usize = 512;

/// A duration in seconds as apps send it (`expires_in`, a mute's `duration`): a whole number,
/// 0 or more, at most ten years. `None`: none given.
pub fn seconds(field: &'static str, raw: Option<&str>) -> Result<Option<u64>, Invalid> {
    const MAX: u64 = 10 * 366 * 24 * 3600;
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n <= MAX => Ok(Some(n)),
            Ok(_) => Err(Invalid::new(field, "error-number-range")
                .arg("min", 0)
                .arg("max", MAX)),
            Err(_) => Err(Invalid::new(field, "error-number")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_match_at_boundaries_only() {
        let re = keywords_regex([("chat", true)]).unwrap();
        assert!(re.is_match("Un CHAT noir"));
        assert!(!re.is_match("un chaton"));
        let re = keywords_regex([("chat", false)]).unwrap();
        assert!(re.is_match("un chaton"));
        // A keyword ending with a non-word character gets no boundary on that side.
        let re = keywords_regex([("#grève", true)]).unwrap();
        assert!(re.is_match("vive la #grève!"));
        assert!(!re.is_match("vive la #grèves"));
        // Special characters are text, never pattern.
        let re = keywords_regex([("a.b(", false)]).unwrap();
        assert!(re.is_match("xa.b(y"));
        assert!(!re.is_match("axb("));
    }

    #[test]
    fn contexts_and_actions_are_checked() {
        let c = FilterContext::parse_all(&["public".into(), "home".into(), "home".into()]);
        assert_eq!(c.unwrap(), vec![FilterContext::Home, FilterContext::Public]);
        assert!(FilterContext::parse_all(&[]).is_err());
        assert!(FilterContext::parse_all(&["everywhere".into()]).is_err());
        assert!(FilterAction::parse("explode").is_err());
        assert!(RepliesPolicy::parse("all").is_err());
        assert_eq!(seconds("duration", Some("0")).unwrap(), Some(0));
        assert!(seconds("duration", Some("-5")).is_err());
        assert!(title("title", "   ").is_err());
    }
}
