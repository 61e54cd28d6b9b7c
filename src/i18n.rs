//! Translations: Fluent catalogs in `locales/<lang>/*.ftl`, compiled into the binary. Every
//! text a person reads (pages, error messages, API error strings) is looked up here by key; a
//! test checks that French and English define the same keys and that every key the code uses
//! exists.

use crate::domain::Locale;
use fluent_templates::{Loader, fluent_bundle::FluentValue, static_loader};
use std::{borrow::Cow, collections::HashMap, sync::LazyLock};
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        // Unicode isolation marks around arguments confuse e-mail addresses and URLs in
        // messages; our arguments are never right-to-left text mixed with left-to-right.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LazyLock<LanguageIdentifier> =
    LazyLock::new(|| "fr".parse().expect("fr is a language identifier"));
static EN: LazyLock<LanguageIdentifier> =
    LazyLock::new(|| "en".parse().expect("en is a language identifier"));

fn langid(locale: Locale) -> &'static LanguageIdentifier {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

/// The text of `key` in `locale`. A missing key shows as the key itself (a test prevents it).
pub fn t(locale: Locale, key: &str) -> String {
    LOCALES
        .try_lookup(langid(locale), key)
        .unwrap_or_else(|| key.to_string())
}

/// The text of `key` in `locale`, with named arguments (`{ $name }` in the catalog).
pub fn t_args(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    if args.is_empty() {
        return t(locale, key);
    }
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), fluent_value(v)))
        .collect();
    LOCALES
        .try_lookup_with_args(langid(locale), key, &map)
        .unwrap_or_else(|| key.to_string())
}

/// Arguments that look like integers are passed as Fluent numbers so that
/// plural selectors (`[one]`, `*[other]`) work in the catalogs.
fn fluent_value(v: &str) -> FluentValue<'static> {
    match v.parse::<i64>() {
        Ok(n) => FluentValue::from(n),
        Err(_) => FluentValue::from(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(catalog: &str) -> BTreeSet<String> {
        catalog
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    /// The keys of every catalog file of a language (`locales/<lang>/*.ftl`).
    fn catalog(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut all = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ftl") {
                let found = keys(&std::fs::read_to_string(&path).unwrap());
                let twice: Vec<_> = found.intersection(&all).cloned().collect();
                assert!(twice.is_empty(), "defined twice: {twice:?}");
                all.extend(found);
            }
        }
        all
    }

    fn fr() -> BTreeSet<String> {
        catalog("fr")
    }

    #[test]
    fn french_and_english_define_the_same_keys() {
        let en = catalog("en");
        let fr = fr();
        let only_fr: Vec<_> = fr.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&fr).collect();
        assert!(only_fr.is_empty(), "missing in English: {only_fr:?}");
        assert!(only_en.is_empty(), "missing in French: {only_en:?}");
    }

    /// Every key the code or a template names exists in the catalogs. Keys are recognised as
    /// string literals of a known prefix (`error-`, `flash-`, `field-`...) or `t("...")` calls.
    #[test]
    fn every_key_used_exists() {
        let defined = fr();
        let mut missing = BTreeSet::new();
        let mut files = Vec::new();
        collect_files(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .as_path(),
            &mut files,
        );
        assert!(files.len() > 10, "sources not found");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let rust = path.extension().is_some_and(|e| e == "rs");
            for key in literal_keys(&text, rust) {
                if !defined.contains(&key) {
                    missing.insert(format!("{key} ({})", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not defined: {missing:#?}"
        );
    }

    /// Every action of the moderation log has its sentence and its filter's label.
    #[test]
    fn every_moderation_action_is_named() {
        let defined = fr();
        for a in crate::domain::modlog::Action::ALL {
            for key in [
                format!("modlog-{}", a.as_str()),
                format!("modlog-filter-{}", a.as_str()),
            ] {
                assert!(defined.contains(&key), "{key} is not defined");
            }
        }
    }

    fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                out.push(path);
            }
        }
    }

    const PREFIXES: &[&str] = &["error-", "flash-", "field-", "page-", "nav-", "label-"];

    fn literal_keys(text: &str, rust: bool) -> Vec<String> {
        let mut found = Vec::new();
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let candidate = &rest[..end];
            let is_key = !candidate.is_empty()
                && candidate
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && candidate.contains('-')
                && !candidate.ends_with('-');
            let before = &text[..i];
            let called = [".t(", ":t(", " t(", ".ta(", "(t("]
                .iter()
                .any(|c| before.ends_with(c));
            let prefixed = rust && PREFIXES.iter().any(|p| candidate.starts_with(p));
            if is_key && (called || prefixed) {
                found.push(candidate.to_string());
            }
        }
        found
    }

    #[test]
    fn lookups_interpolate() {
        assert_eq!(
            t_args(Locale::En, "error-too-long", &[("max", "30".into())]),
            "is too long (30 characters at most)"
        );
        assert_eq!(
            t(Locale::Fr, "no-such-key-anywhere"),
            "no-such-key-anywhere"
        );
    }

    #[test]
    fn numbers_select_plural_forms() {
        let posts = |l, n: &str| t_args(l, "profile-posts", &[("count", n.into())]);
        assert_eq!(posts(Locale::En, "1"), "1 post");
        assert_eq!(posts(Locale::En, "0"), "0 posts");
        assert_eq!(posts(Locale::Fr, "0"), "0 publication");
        assert_eq!(posts(Locale::Fr, "2"), "2 publications");
    }
}
