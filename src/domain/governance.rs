//! Groups' governance: who may create which kind of group, and the key that tells look-alike
//! group names apart from distinct ones.

use super::{GroupKind, Invalid};

/// Who may create a kind of group on this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreationPolicy {
    /// Every member of the instance.
    Anyone,
    /// Anyone asks; an administrator approves (administrators create at once).
    Approval,
    /// Administrators only.
    Admins,
}

impl CreationPolicy {
    /// Every policy, in the order the settings show them.
    pub const ALL: [CreationPolicy; 3] = [
        CreationPolicy::Anyone,
        CreationPolicy::Approval,
        CreationPolicy::Admins,
    ];

    /// The stored (and configured) name.
    pub fn as_str(self) -> &'static str {
        match self {
            CreationPolicy::Anyone => "anyone",
            CreationPolicy::Approval => "approval",
            CreationPolicy::Admins => "admins",
        }
    }

    /// A policy from its name.
    pub fn parse(text: &str) -> Result<CreationPolicy, Invalid> {
        CreationPolicy::ALL
            .into_iter()
            .find(|p| p.as_str() == text.trim())
            .ok_or_else(|| Invalid::new("policy", "error-group-creation-policy"))
    }
}

/// Which of the two creation settings rules a kind: sections and federations (the party's
/// structure) have theirs; thematic groups, initiatives and any other kind the other.
pub fn is_structure(kind: GroupKind) -> bool {
    matches!(kind, GroupKind::Section | GroupKind::Federation)
}

/// Words that say nothing about which group a name means, left out of the key: claims of
/// being the real one ("officielle", "vraie") and French and English articles and
/// prepositions ("Section de Lille" and "Section Lille" are the same name).
const NOISE: &[&str] = &[
    "officiel",
    "officielle",
    "officiels",
    "officielles",
    "official",
    "officially",
    "officiellement",
    "vrai",
    "vraie",
    "vrais",
    "vraies",
    "veritable",
    "authentique",
    "real",
    "true",
    "genuine",
    "the",
    "le",
    "la",
    "les",
    "l",
    "de",
    "du",
    "des",
    "d",
    "of",
    "et",
    "and",
];

/// The shortest key compared: shorter names ("PS", "LO") are too common to flag.
pub const MIN_KEY_CHARS: usize = 4;

/// The key under which two group names look alike: confusable characters replaced by the
/// letters they imitate, accents and case removed (the `decancer` crate: Cyrillic "а",
/// mathematical "𝐋", full-width letters, zalgo), punctuation and spaces taken as word
/// breaks, the words of [`NOISE`] left out, the rest run together ("Section de Lille
/// (officielle)", "section_lille" and "SECTION-LlLLE" give one key when their letters agree).
/// `None` when too little remains to compare.
pub fn name_key(name: &str) -> Option<String> {
    let cured = decancer::cure(name, decancer::Options::default()).ok()?;
    let cured: &str = &cured;
    let mut key = String::new();
    for word in cured
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        if NOISE.contains(&word.as_str()) {
            continue;
        }
        key.push_str(&word);
    }
    (key.chars().count() >= MIN_KEY_CHARS).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip() {
        for p in CreationPolicy::ALL {
            assert_eq!(CreationPolicy::parse(p.as_str()), Ok(p));
        }
        assert!(CreationPolicy::parse("everyone").is_err());
        assert!(CreationPolicy::parse("").is_err());
    }

    #[test]
    fn look_alikes_share_a_key() {
        let genuine = name_key("Section de Lille").unwrap();
        assert_eq!(genuine, "sectionlille");
        for alike in [
            "Section de Lille (officielle)",
            "section_lille",
            "SECTION LILLE",
            "Section de Lillé",
            "Sеction dе Lillе", // Cyrillic е
            "Section  de   Lille — officielle !",
            "𝐒𝐞𝐜𝐭𝐢𝐨𝐧 𝐝𝐞 𝐋𝐢𝐥𝐥𝐞",
            "Ｓｅｃｔｉｏｎ　Ｌｉｌｌｅ",
            "La vraie section de Lille",
        ] {
            assert_eq!(
                name_key(alike).as_deref(),
                Some(genuine.as_str()),
                "{alike}"
            );
        }
    }

    #[test]
    fn distinct_names_keep_distinct_keys() {
        let lille = name_key("Section de Lille").unwrap();
        for other in [
            "Section de Lille-Sud",
            "Section de Lens",
            "Fédération du Nord",
            "Section de Roubaix",
        ] {
            assert_ne!(name_key(other).as_deref(), Some(lille.as_str()), "{other}");
        }
    }

    #[test]
    fn too_short_or_empty_names_have_no_key() {
        assert_eq!(name_key(""), None);
        assert_eq!(name_key("PS"), None);
        assert_eq!(name_key("La vraie (officielle)"), None);
        assert_eq!(name_key("!!!"), None);
    }
}
