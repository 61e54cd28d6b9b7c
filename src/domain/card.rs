//! What a web page says of itself, for a preview card: OpenGraph (`og:title`, `og:description`,
//! `og:image`, `og:site_name`), Twitter's card tags, then the page's `<title>` and
//! `<meta name="description">`. Texts are plain, trimmed and cut; the picture's address is made
//! absolute against the page's.

use scraper::{Html, Selector};
use url::Url;

/// The longest title kept, in characters.
const MAX_TITLE: usize = 300;
/// The longest description kept, in characters.
const MAX_DESCRIPTION: usize = 1000;

/// A page's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCard {
    pub title: String,
    pub description: String,
    pub provider_name: String,
    /// An http(s) address.
    pub image: Option<Url>,
}

fn clean(text: &str, max: usize) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// Reads a page's card; `None` when it has no title (nothing worth showing).
pub fn read_page(html: &str, page: &Url) -> Option<PageCard> {
    let document = Html::parse_document(html);
    let meta = Selector::parse("meta").expect("a valid selector");
    let mut tags: Vec<(String, String)> = Vec::new();
    for element in document.select(&meta) {
        let e = element.value();
        let Some(name) = e.attr("property").or_else(|| e.attr("name")) else {
            continue;
        };
        if let Some(content) = e.attr("content") {
            tags.push((name.trim().to_ascii_lowercase(), content.to_string()));
        }
    }
    let tag = |names: &[&str]| -> Option<&str> {
        names.iter().find_map(|n| {
            tags.iter()
                .find(|(k, v)| k == n && !v.trim().is_empty())
                .map(|(_, v)| v.as_str())
        })
    };
    let title_selector = Selector::parse("title").expect("a valid selector");
    let page_title = document
        .select(&title_selector)
        .next()
        .map(|t| t.text().collect::<String>());
    let title = tag(&["og:title", "twitter:title"])
        .map(str::to_string)
        .or(page_title)
        .map(|t| clean(&t, MAX_TITLE))
        .filter(|t| !t.is_empty())?;
    let description = tag(&["og:description", "twitter:description", "description"])
        .map(|d| clean(d, MAX_DESCRIPTION))
        .unwrap_or_default();
    let provider_name = tag(&["og:site_name"])
        .map(|p| clean(p, 100))
        .unwrap_or_else(|| page.host_str().unwrap_or_default().to_string());
    let image = tag(&[
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
    ])
    .and_then(|src| page.join(src.trim()).ok())
    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    Some(PageCard {
        title,
        description,
        provider_name,
        image,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Url {
        Url::parse("https://journal.example/articles/1").unwrap()
    }

    #[test]
    fn open_graph_comes_first_then_the_page() {
        let html = r#"<html><head><title>Titre de la page</title>
            <meta property="og:title" content="  Grève  du 12 ">
            <meta property="og:description" content="Tout savoir">
            <meta property="og:site_name" content="Le Journal">
            <meta property="og:image" content="/img/une.jpg">
            </head><body></body></html>"#;
        let card = read_page(html, &page()).unwrap();
        assert_eq!(card.title, "Grève du 12");
        assert_eq!(card.description, "Tout savoir");
        assert_eq!(card.provider_name, "Le Journal");
        assert_eq!(
            card.image.unwrap().as_str(),
            "https://journal.example/img/une.jpg"
        );
        let plain = r#"<title>Simple</title><meta name="description" content="Texte">"#;
        let card = read_page(plain, &page()).unwrap();
        assert_eq!(
            (card.title.as_str(), card.description.as_str()),
            ("Simple", "Texte")
        );
        assert_eq!(card.provider_name, "journal.example");
        assert_eq!(card.image, None);
    }

    #[test]
    fn hostile_pages_give_plain_bounded_text_or_nothing() {
        assert_eq!(read_page("<html><body>rien</body></html>", &page()), None);
        let long = format!(
            r#"<meta property="og:title" content="{}"><meta property="og:image" content="javascript:alert(1)">"#,
            "<b>x</b>".repeat(1000)
        );
        let card = read_page(&long, &page()).unwrap();
        assert_eq!(card.title.chars().count(), 300);
        assert_eq!(card.image, None);
        let data =
            r#"<title>t</title><meta property="og:image" content="data:image/png;base64,AAAA">"#;
        assert_eq!(read_page(data, &page()).unwrap().image, None);
    }
}
