//! Posts ("statuses"): who may see them, and how the plain text people type becomes the HTML
//! other servers and apps display, with links, mentions and hashtags, as Mastodon renders it.

use super::{Invalid, check_length};

/// Who may see a post. The names are Mastodon's (`private` is "followers only").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone, and listed in public timelines.
    Public,
    /// Everyone, but kept out of public timelines.
    Unlisted,
    /// The author's followers (and the people mentioned).
    Private,
    /// Only the people mentioned.
    Direct,
    /// A post in a group's closed circle (members or sympathizers): who may read it is the
    /// group's placement, not its addressing. Never chosen by a client; apps see `private`.
    Group,
}

impl Visibility {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
            Visibility::Group => "group",
        }
    }

    /// The name Mastodon's apps know (four visibilities: a closed circle reads as
    /// followers-only).
    pub fn api_name(self) -> &'static str {
        match self {
            Visibility::Group => "private",
            v => v.as_str(),
        }
    }

    /// Reads a stored name (the four of the API and `group`).
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "group" => Some(Visibility::Group),
            s => Self::parse(s).ok(),
        }
    }

    /// Parses an API or form value (`group` is not one: a post enters a closed circle by
    /// being written in a group).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "public" => Ok(Visibility::Public),
            "unlisted" => Ok(Visibility::Unlisted),
            "private" => Ok(Visibility::Private),
            "direct" => Ok(Visibility::Direct),
            _ => Err(Invalid::new("visibility", "error-visibility-invalid")),
        }
    }

    /// Whether anyone may see posts of this visibility.
    pub fn is_public(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }
}

/// The most characters a post (text plus content warning) may have.
pub const MAX_STATUS_CHARS: usize = 5000;

/// Checks a post's text and content warning.
pub fn check_status_text(text: &str, spoiler: &str) -> Result<(), Invalid> {
    if text.trim().is_empty() {
        return Err(Invalid::new("status", "error-required"));
    }
    check_length("spoiler_text", spoiler, 0, 1000)?;
    let total = text.chars().count() + spoiler.chars().count();
    if total > MAX_STATUS_CHARS {
        return Err(Invalid::new("status", "error-too-long").arg("max", MAX_STATUS_CHARS));
    }
    Ok(())
}

/// A mention as typed: `@name` (this instance) or `@name@domain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionText {
    /// The user part.
    pub username: String,
    /// The domain part (with a port, if given), if any.
    pub domain: Option<String>,
}

/// A mention resolved to an account, for rendering.
#[derive(Debug, Clone)]
pub struct ResolvedMention {
    /// The user part as typed (case preserved).
    pub username: String,
    /// The domain part as typed, if any.
    pub domain: Option<String>,
    /// The account's profile page.
    pub url: String,
}

fn is_user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':'
}

/// A token found in a post's text.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    Text(&'a str),
    Url(&'a str),
    Mention(&'a str, MentionText),
    Hashtag(&'a str, String),
}

/// Splits text into plain runs, links, mentions and hashtags.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]);
    for span in finder.spans(text) {
        match span.kind() {
            Some(linkify::LinkKind::Url) => out.push(Token::Url(span.as_str())),
            _ => tokenize_plain(span.as_str(), &mut out),
        }
    }
    out
}

fn tokenize_plain<'a>(text: &'a str, out: &mut Vec<Token<'a>>) {
    let mut start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let c = bytes[i];
        let at_boundary = i == 0 || {
            let prev = text[..i].chars().next_back().unwrap_or(' ');
            !(prev.is_alphanumeric() || prev == '_' || prev == '@' || prev == '#' || prev == '/')
        };
        if c == b'@'
            && at_boundary
            && let Some((len, mention)) = parse_mention(&text[i + 1..])
        {
            if start < i {
                out.push(Token::Text(&text[start..i]));
            }
            out.push(Token::Mention(&text[i..i + 1 + len], mention));
            i += 1 + len;
            start = i;
            continue;
        }
        if c == b'#' && at_boundary {
            let rest = &text[i + 1..];
            let len: usize = rest
                .char_indices()
                .take_while(|(_, ch)| ch.is_alphanumeric() || *ch == '_')
                .map(|(_, ch)| ch.len_utf8())
                .sum();
            let tag = &rest[..len];
            if len > 0 && tag.chars().any(|ch| !ch.is_ascii_digit()) && tag.chars().count() <= 100 {
                if start < i {
                    out.push(Token::Text(&text[start..i]));
                }
                out.push(Token::Hashtag(&text[i..i + 1 + len], tag.to_lowercase()));
                i += 1 + len;
                start = i;
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    if start < text.len() {
        out.push(Token::Text(&text[start..]));
    }
}

/// Parses `name` or `name@domain` after an `@`; returns the length consumed.
fn parse_mention(rest: &str) -> Option<(usize, MentionText)> {
    let user_len = rest.chars().take_while(|c| is_user_char(*c)).count();
    // A name cannot end with '.' or '-' (the sentence's full stop is not part of it).
    let username = rest[..user_len].trim_end_matches(['.', '-']);
    if username.is_empty() || username.len() > 64 {
        return None;
    }
    let mut consumed = username.len();
    let mut domain = None;
    let after = &rest[consumed..];
    if let Some(d) = after.strip_prefix('@') {
        let dlen = d.chars().take_while(|c| is_domain_char(*c)).count();
        let candidate = d[..dlen].trim_end_matches(['.', '-', ':']);
        if candidate.contains('.') || candidate.starts_with("localhost") {
            domain = Some(candidate.to_lowercase());
            consumed += 1 + candidate.len();
        }
    }
    Some((
        consumed,
        MentionText {
            username: username.to_string(),
            domain,
        },
    ))
}

/// A post's text read once: checked, split into paragraphs and lines, and each line into
/// plain runs, links, mentions and hashtags. Mentions and hashtags are taken from the same
/// reading that renders the HTML, so what is linked is what is notified.
#[derive(Debug, Clone)]
pub struct PostText {
    /// The text as typed, line ends normalized.
    text: String,
    /// Paragraphs of lines of pieces (byte ranges of `text`).
    paragraphs: Vec<Vec<Vec<Piece>>>,
    mentions: Vec<MentionText>,
    hashtags: Vec<String>,
}

/// A piece of a line: a byte range of the text and what it is.
#[derive(Debug, Clone)]
enum Piece {
    Text(std::ops::Range<usize>),
    Url(std::ops::Range<usize>),
    Mention(std::ops::Range<usize>, MentionText),
    Hashtag(std::ops::Range<usize>, String),
}

impl PostText {
    /// Checks a post's text and content warning (as [`check_status_text`]) and reads it.
    pub fn parse(text: &str, spoiler: &str) -> Result<PostText, Invalid> {
        check_status_text(text, spoiler)?;
        Ok(Self::read(text))
    }

    /// The first link of the text (the one a preview card shows), when it is an http(s) URL.
    pub fn first_link(&self) -> Option<url::Url> {
        self.paragraphs
            .iter()
            .flatten()
            .flatten()
            .find_map(|piece| match piece {
                Piece::Url(range) => url::Url::parse(&self.text[range.clone()])
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()),
                _ => None,
            })
    }

    /// Checks and reads a post's text, which may be empty when the post has attachments.
    pub fn parse_with_media(text: &str, spoiler: &str, media: usize) -> Result<PostText, Invalid> {
        if media > 0 && text.trim().is_empty() {
            check_status_text("-", spoiler)?;
            return Ok(Self::read(""));
        }
        Self::parse(text, spoiler)
    }

    /// Reads a text without checking it (a biography, an event's generated text).
    pub fn read(text: &str) -> PostText {
        let text = text.replace("\r\n", "\n");
        let mut paragraphs = Vec::new();
        let mut mentions: Vec<MentionText> = Vec::new();
        let mut hashtags: Vec<String> = Vec::new();
        let base = text.as_ptr() as usize;
        let range = |s: &str| {
            let from = s.as_ptr() as usize - base;
            from..from + s.len()
        };
        for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            let mut lines = Vec::new();
            for line in paragraph.split('\n') {
                let mut pieces = Vec::new();
                for token in tokenize(line) {
                    pieces.push(match token {
                        Token::Text(t) => Piece::Text(range(t)),
                        Token::Url(u) => Piece::Url(range(u)),
                        Token::Mention(raw, m) => {
                            let dup = mentions.iter().any(|f| {
                                f.username.eq_ignore_ascii_case(&m.username) && f.domain == m.domain
                            });
                            if !dup {
                                mentions.push(m.clone());
                            }
                            Piece::Mention(range(raw), m)
                        }
                        Token::Hashtag(raw, tag) => {
                            if !hashtags.contains(&tag) {
                                hashtags.push(tag.clone());
                            }
                            Piece::Hashtag(range(raw), tag)
                        }
                    });
                }
                lines.push(pieces);
            }
            paragraphs.push(lines);
        }
        PostText {
            text,
            paragraphs,
            mentions,
            hashtags,
        }
    }

    /// The text as typed (line ends normalized).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The mentions it makes, in order, without duplicates.
    pub fn mentions(&self) -> &[MentionText] {
        &self.mentions
    }

    /// The hashtags it uses (lower case), in order, without duplicates.
    pub fn hashtags(&self) -> &[String] {
        &self.hashtags
    }

    /// Renders it as Mastodon does: paragraphs on blank lines, `<br>` on line breaks, links
    /// for URLs, `h-card` links for resolved mentions (unresolved ones stay text), and hashtag
    /// links to `tag_url(name)`.
    pub fn render(&self, resolved: &[ResolvedMention], tag_url: impl Fn(&str) -> String) -> String {
        let mut html = String::new();
        for lines in &self.paragraphs {
            html.push_str("<p>");
            for (n, pieces) in lines.iter().enumerate() {
                if n > 0 {
                    html.push_str("<br>");
                }
                for piece in pieces {
                    match piece {
                        Piece::Text(r) => escape(&self.text[r.clone()], &mut html),
                        Piece::Url(r) => {
                            let u = &self.text[r.clone()];
                            html.push_str("<a href=\"");
                            escape(u, &mut html);
                            html.push_str(
                                "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">",
                            );
                            escape(u, &mut html);
                            html.push_str("</a>");
                        }
                        Piece::Mention(r, m) => {
                            let found = resolved.iter().find(|x| {
                                x.username.eq_ignore_ascii_case(&m.username) && x.domain == m.domain
                            });
                            match found {
                                Some(x) => {
                                    html.push_str(
                                        "<span class=\"h-card\" translate=\"no\"><a href=\"",
                                    );
                                    escape(&x.url, &mut html);
                                    html.push_str("\" class=\"u-url mention\">@<span>");
                                    escape(&m.username, &mut html);
                                    html.push_str("</span></a></span>");
                                }
                                None => escape(&self.text[r.clone()], &mut html),
                            }
                        }
                        Piece::Hashtag(r, tag) => {
                            html.push_str("<a href=\"");
                            escape(&tag_url(tag), &mut html);
                            html.push_str("\" class=\"mention hashtag\" rel=\"tag\">#<span>");
                            escape(&self.text[r.start + 1..r.end], &mut html);
                            html.push_str("</span></a>");
                        }
                    }
                }
            }
            html.push_str("</p>");
        }
        html
    }
}

fn escape(s: &str, out: &mut String) {
    out.push_str(&super::html::escape(s));
}

/// Renders a plain text as Mastodon does ([`PostText::render`]).
pub fn render(
    text: &str,
    resolved: &[ResolvedMention],
    tag_url: impl Fn(&str) -> String,
) -> String {
    PostText::read(text).render(resolved, tag_url)
}

/// The text of an HTML post, for search and for apps that want plain text: tags removed,
/// paragraphs and line breaks kept as new lines, entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag
                    .trim_start_matches('/')
                    .split_whitespace()
                    .next()
                    .unwrap_or("");
                if name.eq_ignore_ascii_case("br") {
                    out.push('\n');
                } else if name.eq_ignore_ascii_case("p") && tag.starts_with('/') {
                    out.push_str("\n\n");
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_and_hashtags() {
        let text = "Salut @alice et @Bob@ps.example, rdv avec @carol@localhost:8081. #Tractage #2026 mail@example.org #école";
        let m = PostText::read(text).mentions().to_vec();
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!(
            m[0],
            MentionText {
                username: "alice".into(),
                domain: None
            }
        );
        assert_eq!(
            m[1],
            MentionText {
                username: "Bob".into(),
                domain: Some("ps.example".into())
            }
        );
        assert_eq!(m[2].domain.as_deref(), Some("localhost:8081"));
        assert_eq!(PostText::read(text).hashtags(), ["tractage", "école"]);
    }

    #[test]
    fn renders_like_mastodon() {
        let resolved = [ResolvedMention {
            username: "alice".into(),
            domain: None,
            url: "https://a.example/@alice".into(),
        }];
        let html = render(
            "Bonjour @alice & <b>tous</b> !\nVoir https://ps.example/agenda?x=1 #Lille\n\nFin @nobody",
            &resolved,
            |t| format!("https://a.example/tags/{t}"),
        );
        assert_eq!(
            html,
            "<p>Bonjour <span class=\"h-card\" translate=\"no\"><a href=\"https://a.example/@alice\" class=\"u-url mention\">@<span>alice</span></a></span> &amp; &lt;b&gt;tous&lt;/b&gt; !<br>Voir <a href=\"https://ps.example/agenda?x=1\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">https://ps.example/agenda?x=1</a> <a href=\"https://a.example/tags/lille\" class=\"mention hashtag\" rel=\"tag\">#<span>Lille</span></a></p><p>Fin @nobody</p>"
        );
    }

    #[test]
    fn text_comes_back_from_html() {
        assert_eq!(
            html_to_text("<p>a &amp; b<br>c</p><p>d</p>"),
            "a & b\nc\n\nd"
        );
    }

    #[test]
    fn limits() {
        assert!(check_status_text("", "").is_err());
        assert!(check_status_text("x", "").is_ok());
        assert!(check_status_text(&"x".repeat(5001), "").is_err());
        assert!(Visibility::parse("private").is_ok());
        assert!(Visibility::parse("friends").is_err());
    }
}
