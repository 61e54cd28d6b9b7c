//! The instance's domain policy as Mastodon keeps it: a block's severity and flags, how a
//! domain covers its subdomains, the public list's obfuscated names, and Mastodon's CSV
//! block lists (read with an error per malformed line, and written back). No I/O.

use super::{Invalid, account_extras::blocked_domain};

/// What a domain block does to the accounts of its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Nothing to the accounts (the block's flags alone apply).
    Noop,
    /// Their accounts are limited: kept out of public timelines and of non-followers' sight.
    Silence,
    /// Nothing is exchanged with the domain, follows are severed, its content hidden.
    Suspend,
}

impl Severity {
    /// Mastodon's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Noop => "noop",
            Severity::Silence => "silence",
            Severity::Suspend => "suspend",
        }
    }

    /// The stored number (0 noop, 1 silence, 2 suspend).
    pub fn code(self) -> i64 {
        match self {
            Severity::Noop => 0,
            Severity::Silence => 1,
            Severity::Suspend => 2,
        }
    }

    /// The severity of a stored number; `None` for anything else.
    pub fn from_code(code: i64) -> Option<Severity> {
        match code {
            0 => Some(Severity::Noop),
            1 => Some(Severity::Silence),
            2 => Some(Severity::Suspend),
            _ => None,
        }
    }

    /// The severity Mastodon names `name` (case and spaces ignored).
    pub fn parse(name: &str) -> Result<Severity, Invalid> {
        match name.trim().to_ascii_lowercase().as_str() {
            "noop" => Ok(Severity::Noop),
            "silence" | "limit" => Ok(Severity::Silence),
            "suspend" => Ok(Severity::Suspend),
            _ => Err(Invalid::new("severity", "error-domain-severity")),
        }
    }
}

/// A domain block as typed by an administrator or read from a block list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInput {
    /// The domain, as [`blocked_domain`] writes it.
    pub domain: String,
    /// What it does.
    pub severity: Severity,
    /// Media of the domain are not fetched.
    pub reject_media: bool,
    /// Reports (`Flag`s) from the domain are dropped.
    pub reject_reports: bool,
    /// For administrators only.
    pub private_comment: Option<String>,
    /// May be shown on the about page.
    pub public_comment: Option<String>,
    /// Part of the name hidden in the public list.
    pub obfuscate: bool,
}

/// The longest comment kept, in characters.
pub const COMMENT_MAX: usize = 1000;

/// A comment: `None` when empty, refused past [`COMMENT_MAX`] characters.
pub fn comment(field: &'static str, text: &str) -> Result<Option<String>, Invalid> {
    let text = text.trim();
    if text.chars().count() > COMMENT_MAX {
        return Err(Invalid::new(field, "error-too-long").arg("max", COMMENT_MAX));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// A domain to block, checked as a person's domain block is, `own` (this instance) refused.
pub fn policy_domain(input: &str, own: &str) -> Result<String, Invalid> {
    blocked_domain(input, own)
}

/// A domain to allow, checked the same way; `own` needs no allowing and is refused.
pub fn allowed_domain(input: &str, own: &str) -> Result<String, Invalid> {
    blocked_domain(input, own).map_err(|e| match e.key {
        "error-domain-block-own" => Invalid::new("domain", "error-domain-allow-own"),
        _ => e,
    })
}

/// The names under which a rule may cover `domain` (as `accounts.domain` writes it), most
/// specific first: the domain itself, then, without its port, each parent domain
/// (`a.b.example.com`, `b.example.com`, `example.com`; never a bare top-level name).
pub fn covering_names(domain: &str) -> Vec<String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut names = vec![domain.clone()];
    let host = match domain.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            names.push(host.to_string());
            host.to_string()
        }
        _ => domain.clone(),
    };
    let mut rest = host.as_str();
    while let Some((_, parent)) = rest.split_once('.') {
        if !parent.contains('.') {
            break;
        }
        names.push(parent.to_string());
        rest = parent;
    }
    names
}

/// The name shown in the public list: with `obfuscate`, the middle of it hidden by `*` (dots
/// kept), as Mastodon shows it.
pub fn public_domain(domain: &str, obfuscate: bool) -> String {
    if !obfuscate {
        return domain.to_string();
    }
    let chars: Vec<char> = domain.chars().collect();
    let length = chars.len();
    let visible = length / 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i > visible && i < length - visible && *c != '.' {
                '*'
            } else {
                *c
            }
        })
        .collect()
}

/// The most lines a block list may have.
pub const CSV_MAX_LINES: usize = 10_000;

/// A line of a block list that could not be read: its number (from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// The line's number in the file, from 1.
    pub line: usize,
    /// The translation key of the reason.
    pub key: &'static str,
    /// The offending value, when there is one.
    pub value: String,
}

/// What a block list holds: the blocks read, and an error for each line that was not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvImport {
    /// The blocks, in the file's order, each domain once (the first line wins).
    pub blocks: Vec<BlockInput>,
    /// The lines refused.
    pub errors: Vec<CsvError>,
}

/// The columns of Mastodon's export, in its order.
pub const CSV_COLUMNS: [&str; 6] = [
    "#domain",
    "#severity",
    "#reject_media",
    "#reject_reports",
    "#public_comment",
    "#obfuscate",
];

/// Reads a block list in Mastodon's CSV format (a header of `#domain,#severity,...` columns in
/// any order, `#` optional; without a header, one domain per line, suspended, as Mastodon
/// reads old lists). Every malformed line is reported; the others are read.
pub fn read_csv(text: &str, own: &str) -> CsvImport {
    let mut out = CsvImport::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = match super::csv::records(text) {
        Ok(r) => r,
        Err(line) => {
            out.errors.push(CsvError {
                line,
                key: "error-blocklist-quote",
                value: String::new(),
            });
            return out;
        }
    };
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut seen = std::collections::HashSet::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if columns.is_none() && fields[0].trim().trim_start_matches('#') == "domain" {
            let mut map = Vec::new();
            for f in &fields {
                let name = f.trim().trim_start_matches('#');
                match CSV_COLUMNS
                    .iter()
                    .position(|c| c.trim_start_matches('#') == name)
                {
                    Some(i) => map.push(Some(i)),
                    None => {
                        out.errors.push(CsvError {
                            line,
                            key: "error-blocklist-column",
                            value: f.trim().to_string(),
                        });
                        map.push(None);
                    }
                }
            }
            columns = Some(map);
            continue;
        }
        if out.blocks.len() + out.errors.len() >= CSV_MAX_LINES {
            out.errors.push(CsvError {
                line,
                key: "error-blocklist-too-long",
                value: CSV_MAX_LINES.to_string(),
            });
            break;
        }
        let mut values: [Option<&str>; 6] = [None; 6];
        match &columns {
            Some(map) => {
                if fields.len() > map.len() {
                    out.errors.push(CsvError {
                        line,
                        key: "error-blocklist-fields",
                        value: fields.len().to_string(),
                    });
                    continue;
                }
                for (f, c) in fields.iter().zip(map) {
                    if let Some(c) = c {
                        values[*c] = Some(f.as_str());
                    }
                }
            }
            None => {
                if fields.len() > 1 {
                    out.errors.push(CsvError {
                        line,
                        key: "error-blocklist-fields",
                        value: fields.len().to_string(),
                    });
                    continue;
                }
                values[0] = Some(fields[0].as_str());
                values[1] = Some("suspend");
            }
        }
        match block_of(&values, own) {
            Ok(block) => {
                if seen.insert(block.domain.clone()) {
                    out.blocks.push(block);
                } else {
                    out.errors.push(CsvError {
                        line,
                        key: "error-blocklist-duplicate",
                        value: block.domain,
                    });
                }
            }
            Err((key, value)) => out.errors.push(CsvError { line, key, value }),
        }
    }
    out
}

fn block_of(values: &[Option<&str>; 6], own: &str) -> Result<BlockInput, (&'static str, String)> {
    let raw_domain = values[0].unwrap_or_default();
    let domain = policy_domain(raw_domain, own).map_err(|e| (e.key, raw_domain.to_string()))?;
    let severity = match values[1].map(str::trim).filter(|s| !s.is_empty()) {
        None => Severity::Suspend,
        Some(s) => Severity::parse(s).map_err(|e| (e.key, s.to_string()))?,
    };
    let flag = |v: Option<&str>| -> Result<bool, (&'static str, String)> {
        match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") => Ok(true),
            Some(other) => Err(("error-blocklist-boolean", other.to_string())),
        }
    };
    Ok(BlockInput {
        domain,
        severity,
        reject_media: flag(values[2])?,
        reject_reports: flag(values[3])?,
        private_comment: None,
        public_comment: comment("public_comment", values[4].unwrap_or_default())
            .map_err(|e| (e.key, String::new()))?,
        obfuscate: flag(values[5])?,
    })
}

/// One CSV field, quoted when it must be.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A block list in Mastodon's export format (header included).
pub fn write_csv(blocks: &[BlockInput]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for b in blocks {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&b.domain),
            b.severity.as_str(),
            b.reject_media,
            b.reject_reports,
            csv_field(b.public_comment.as_deref().unwrap_or_default()),
            b.obfuscate
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_are_covered_most_specific_first() {
        assert_eq!(
            covering_names("a.b.example.com"),
            vec!["a.b.example.com", "b.example.com", "example.com"]
        );
        assert_eq!(
            covering_names("social.example.com:8443"),
            vec![
                "social.example.com:8443",
                "social.example.com",
                "example.com"
            ]
        );
        assert_eq!(
            covering_names("localhost:3000"),
            vec!["localhost:3000", "localhost"]
        );
        assert_eq!(covering_names("Example.COM."), vec!["example.com"]);
    }

    #[test]
    fn obfuscation_hides_the_middle_as_mastodon_does() {
        assert_eq!(public_domain("example.com", false), "example.com");
        assert_eq!(public_domain("example.com", true), "exa****.*om");
        assert_eq!(public_domain("mastodon.social", true), "mast****.***ial");
        assert_eq!(public_domain("a.b", true), "a.*");
    }

    #[test]
    fn mastodon_exports_are_read_back() {
        let blocks = vec![BlockInput {
            domain: "bad.example".into(),
            severity: Severity::Suspend,
            reject_media: true,
            reject_reports: false,
            private_comment: None,
            public_comment: Some("spam, \"lots\"\nof it".into()),
            obfuscate: true,
        }];
        let text = write_csv(&blocks);
        let read = read_csv(&text, "here.example");
        assert_eq!(read.errors, vec![]);
        assert_eq!(read.blocks, blocks);
    }

    #[test]
    fn every_malformed_line_is_reported_with_its_number() {
        let text = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n\
                    ok.example,silence,false,false,,false\n\
                    not a domain,suspend,false,false,,false\n\
                    two.example,banish,false,false,,false\n\
                    three.example,suspend,maybe,false,,false\n\
                    here.example,suspend,false,false,,false\n\
                    ok.example,suspend,false,false,,false\n\
                    four.example,suspend,false,false,,false,extra\n";
        let read = read_csv(text, "here.example");
        assert_eq!(read.blocks.len(), 1);
        let lines: Vec<(usize, &str)> = read.errors.iter().map(|e| (e.line, e.key)).collect();
        assert_eq!(
            lines,
            vec![
                (3, "error-domain-invalid"),
                (4, "error-domain-severity"),
                (5, "error-blocklist-boolean"),
                (6, "error-domain-block-own"),
                (7, "error-blocklist-duplicate"),
                (8, "error-blocklist-fields"),
            ]
        );
    }

    #[test]
    fn plain_lists_suspend_and_open_quotes_are_refused() {
        let read = read_csv("one.example\r\n\r\ntwo.example\n", "here.example");
        assert_eq!(read.blocks.len(), 2);
        assert!(read.blocks.iter().all(|b| b.severity == Severity::Suspend));
        let read = read_csv(
            "#domain,#public_comment\nx.example,\"open\n",
            "here.example",
        );
        assert_eq!(read.errors[0].key, "error-blocklist-quote");
        assert_eq!(read.errors[0].line, 2);
        let read = read_csv("#domain,#colour\nx.example,red\n", "here.example");
        assert_eq!(read.errors[0].key, "error-blocklist-column");
    }

    #[test]
    fn severities_round_trip() {
        for s in [Severity::Noop, Severity::Silence, Severity::Suspend] {
            assert_eq!(Severity::from_code(s.code()), Some(s));
            assert_eq!(Severity::parse(s.as_str()), Ok(s));
        }
        assert!(Severity::parse("ban").is_err());
    }
}
