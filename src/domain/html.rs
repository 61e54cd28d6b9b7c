//! Turning what people write into safe HTML, and making HTML from elsewhere safe to show.

use pulldown_cmark::{Event, Options, Parser, html};
use std::collections::HashSet;

/// The elements Mastodon keeps in posts and profiles; anything else is removed (its text kept).
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "span",
    "a",
    "del",
    "s",
    "pre",
    "code",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "blockquote",
];

/// Renders a profile text or post written in Markdown (or plain text, which is Markdown too)
/// to sanitized HTML. Line breaks are kept as typed, raw HTML is escaped, headings and images
/// are flattened to text, and every link gets `rel="nofollow noopener noreferrer"`.
pub fn markdown_to_html(source: &str) -> String {
    if source.trim().is_empty() {
        return String::new();
    }
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        // People writing a bio or a post expect their line breaks to stay.
        Event::SoftBreak => Event::HardBreak,
        // Raw HTML in the source is shown as text, never interpreted.
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    sanitize(&out)
}

/// Plain text as HTML text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Sanitizes HTML from another server (or our own renderer) down to the elements Mastodon
/// allows; links keep only http(s) and mailto targets.
pub fn sanitize(html: &str) -> String {
    // Built once: making the builder (its sets of tags, attributes and schemes) cost as much
    // as cleaning a short post.
    static SANITIZER: std::sync::LazyLock<ammonia::Builder<'static>> =
        std::sync::LazyLock::new(|| {
            let tags: HashSet<&str> = ALLOWED_TAGS.iter().copied().collect();
            let mut builder = ammonia::Builder::default();
            builder
                .tags(tags)
                .link_rel(Some("nofollow noopener noreferrer"))
                .url_schemes(["http", "https", "mailto"].into_iter().collect())
                .add_tag_attributes("a", &["href", "class", "translate"])
                .add_tag_attributes("span", &["class", "translate"])
                .add_tag_attributes("ol", &["start", "reversed"])
                .add_tag_attributes("li", &["value"]);
            builder
        });
    SANITIZER.clean(html).to_string().trim().to_string()
}

/// The text of an HTML fragment, without markup (paragraphs become line breaks).
pub fn to_plain_text(html: &str) -> String {
    let spaced = html
        .replace("</p>", "\n")
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n");
    let text = ammonia::Builder::empty().clean(&spaced).to_string();
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_line_breaks_and_escapes_html() {
        assert_eq!(
            markdown_to_html("Secrétaire de section\nLille **Sud**"),
            "<p>Secrétaire de section<br>\nLille <strong>Sud</strong></p>"
        );
        let html = markdown_to_html("<script>alert(1)</script> hi");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert_eq!(markdown_to_html("  "), "");
    }

    #[test]
    fn headings_and_images_are_flattened() {
        let html = markdown_to_html("# Title\n![x](https://e.example/i.png)");
        assert!(!html.contains("<h1") && !html.contains("<img"), "{html}");
        assert!(html.contains("Title"));
    }

    #[test]
    fn links_are_safe() {
        let html = markdown_to_html("[site](https://ps.example) [bad](javascript:alert(1))");
        assert!(
            html.contains(
                r#"<a href="https://ps.example" rel="nofollow noopener noreferrer">site</a>"#
            ),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        let remote =
            sanitize(r#"<p onclick="x()">a<iframe src="e"></iframe><img src=x onerror=y></p>"#);
        assert_eq!(remote, "<p>a</p>");
    }
}
