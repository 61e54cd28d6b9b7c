//! French typography in the catalogs: a narrow no-break space (U+202F) before « : ; ! ? » and
//! inside « », never a regular space or none, so that a line never breaks before a colon and
//! the page reads as French. Technical tokens written inside a word (`read:statuses`,
//! `https://`, `8:30`, `FREQ=WEEKLY;UNTIL=…`, `/path?x=1`) are not punctuation and are left
//! alone.

use std::path::PathBuf;

/// A narrow no-break space.
const NNBSP: char = '\u{202f}';

/// Where a French message breaks the rule: the punctuation and the text around it.
fn faults(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let mut out = Vec::new();
    for (i, &ch) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let around = || {
            let from = i.saturating_sub(12);
            let to = (i + 12).min(chars.len());
            chars[from..to].iter().collect::<String>()
        };
        match ch {
            ':' | ';' | '!' | '?' => {
                // Inside a word: a URL, a time, a scope, a query string.
                let embedded = prev.is_some_and(|p| !p.is_whitespace())
                    && next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '/');
                // "?!" and "!!": the space goes before the first one only.
                let doubled = prev.is_some_and(|p| p == '?' || p == '!');
                if !embedded && !doubled && prev != Some(NNBSP) {
                    out.push(format!("before {ch:?} in {:?}", around()));
                }
            }
            '«' if next != Some(NNBSP) => out.push(format!("after « in {:?}", around())),
            '»' if prev != Some(NNBSP) => out.push(format!("before » in {:?}", around())),
            _ => {}
        }
    }
    out
}

/// The text of every message and attribute line of a catalog (comments and the `key =`
/// part left out), with its line number.
fn values(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let value = match trimmed.split_once('=') {
            Some((key, value))
                if !key.trim().is_empty()
                    && key
                        .trim()
                        .trim_start_matches('.')
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                value.trim_start()
            }
            // A variant of a selector (`[one] ...`, `*[other] ...`) or a continued line.
            _ => match trimmed.trim_start_matches('*').strip_prefix('[') {
                Some(rest) => rest
                    .split_once(']')
                    .map_or(trimmed, |(_, v)| v.trim_start()),
                None => trimmed,
            },
        };
        out.push((n + 1, value.to_string()));
    }
    out
}

fn french_catalogs() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("locales/fr");
    let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .expect("locales/fr")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("catalog");
            (p, text)
        })
        .collect();
    files.sort();
    assert!(files.len() > 5, "the French catalogs were not found");
    files
}

#[test]
fn the_checker_catches_what_it_should() {
    for bad in [
        "Réponses : 2",
        "Réponses: 2",
        "Vraiment ?",
        "Vraiment?",
        "Attention !",
        "un ; deux",
        "« Pau solidaire »",
        "«Pau»",
        ": votre événement est terminé",
        "Réponses\u{a0}: 2",
    ] {
        assert!(!faults(bad).is_empty(), "not caught: {bad:?}");
    }
    for good in [
        "Réponses\u{202f}: { $count }",
        "Vraiment\u{202f}?!",
        "«\u{202f}Pau solidaire\u{202f}»",
        "Voir https://exemple.fr/a?b=1 à 8:30",
        "read:statuses, FREQ=WEEKLY;UNTIL=20270626",
    ] {
        assert_eq!(faults(good), Vec::<String>::new(), "{good:?}");
    }
}

#[test]
fn the_values_are_read_from_keys_attributes_and_variants() {
    let source = "# Un commentaire : ignoré\nkey-a = Titre : { $x }\n    .label = Nom :\nkey-b = { $n ->\n    [one] Une réponse\n   *[other] { $n } réponses :\n}\n";
    let values: Vec<String> = values(source).into_iter().map(|(_, v)| v).collect();
    assert!(values.contains(&"Titre : { $x }".to_string()), "{values:?}");
    assert!(values.contains(&"Nom :".to_string()), "{values:?}");
    assert!(
        values.contains(&"{ $n } réponses :".to_string()),
        "{values:?}"
    );
    assert!(
        !values.iter().any(|v| v.contains("commentaire")),
        "{values:?}"
    );
}

#[test]
fn french_messages_use_narrow_no_break_spaces() {
    let mut found = Vec::new();
    for (path, text) in french_catalogs() {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for (line, value) in values(&text) {
            for fault in faults(&value) {
                found.push(format!("{name}:{line}: {fault}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} French messages lack a narrow no-break space (U+202F):\n{}",
        found.len(),
        found.join("\n")
    );
}
