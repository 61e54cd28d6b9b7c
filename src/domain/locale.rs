//! The interface languages: French first, English too.

use super::Invalid;

/// A language the interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Locale {
    /// Every language offered, in the order the language menu lists them.
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];

    /// The BCP 47 tag (`fr`, `en`).
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }

    /// The language's name in itself, for the language menu.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Fr => "Français",
            Locale::En => "English",
        }
    }

    /// Parses a tag; regional variants (`fr-BE`, `en_GB`) map to their language.
    pub fn parse(tag: &str) -> Result<Self, Invalid> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Ok(Locale::Fr),
            "en" => Ok(Locale::En),
            _ => Err(Invalid::new("locale", "error-locale-invalid")),
        }
    }

    /// Picks the best offered language from an `Accept-Language` header, honouring quality
    /// values (`en;q=0.5, fr;q=0.9` gives French). `None` when nothing offered is acceptable.
    pub fn negotiate(accept_language: &str) -> Option<Self> {
        let mut ranges: Vec<(f32, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let mut quality = 1.0f32;
                for param in pieces {
                    if let Some(q) = param.trim().strip_prefix("q=") {
                        quality = q.trim().parse().ok()?;
                    }
                }
                (!tag.is_empty() && quality > 0.0).then_some((quality, position, tag))
            })
            .collect();
        // Highest quality first; equal qualities keep the order the client gave.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges.into_iter().find_map(|(_, _, tag)| match tag {
            "*" => Some(Locale::default()),
            _ => Locale::parse(tag).ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_honours_quality_and_order() {
        assert_eq!(
            Locale::negotiate("en-US,en;q=0.9,fr;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(Locale::negotiate("en;q=0.5, fr-BE;q=0.9"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("de-DE, en;q=0.3"), Some(Locale::En));
        assert_eq!(Locale::negotiate("de-DE"), None);
        assert_eq!(Locale::negotiate("*"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("en;q=0, fr;q=0.1"), Some(Locale::Fr));
        assert_eq!(Locale::negotiate("en;q=abc"), None);
        assert_eq!(Locale::negotiate(""), None);
    }

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Locale::parse("fr_FR").unwrap(), Locale::Fr);
        assert_eq!(Locale::parse("EN-gb").unwrap(), Locale::En);
        assert!(Locale::parse("de").is_err());
    }
}
