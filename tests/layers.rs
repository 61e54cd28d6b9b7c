//! The layers of docs/ARCHITECTURE.md, enforced: data flows `api`/`web`/`federation` ->
//! `service` -> `db`, everyone may use `domain`, and `domain` uses nothing of the crate. This
//! test reads `src/` and refuses a module that names a layer it may not use (`use crate::x`,
//! `use crate::{x, ...}`, or a path `crate::x::...`).
//!
//! A break allowed for a while goes in `KNOWN`; the test also fails when one listed is gone,
//! so the list only shrinks.

use std::path::{Path, PathBuf};

/// For each layer (a folder of `src/`), the crate's top-level modules it may not name.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "domain",
        &[
            "db",
            "service",
            "federation",
            "api",
            "web",
            "app",
            "state",
            "config",
            "error",
            "limits",
            "i18n",
            "crypto",
            "clock",
            "ids",
            "cli",
            "download",
            "upload",
            "media",
            "mail",
        ],
    ),
    (
        "db",
        &[
            "service",
            "federation",
            "api",
            "web",
            "app",
            "state",
            "limits",
            "i18n",
        ],
    ),
    (
        "media",
        &[
            "db",
            "service",
            "federation",
            "api",
            "web",
            "app",
            "state",
            "limits",
            "i18n",
            "upload",
        ],
    ),
    (
        "mail",
        &[
            "db",
            "service",
            "federation",
            "api",
            "web",
            "app",
            "state",
            "limits",
            "upload",
            "media",
        ],
    ),
    ("service", &["federation", "api", "web", "app", "upload"]),
    ("federation", &["api", "web", "app"]),
    ("api", &["web", "app"]),
    ("web", &["api", "app"]),
];

/// Breaks of the rule allowed for now: (file, module it names). None left: services reach
/// other servers through `service::Remote`, which federation implements.
const KNOWN: &[(&str, &str)] = &[];

/// The crate's top-level modules a Rust source names through `crate::`.
fn crate_modules(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the names at the group's first level.
            let mut depth = 1;
            let mut item = String::new();
            let mut end = group.len();
            for (k, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k;
                            break;
                        }
                    }
                    _ => {}
                }
                if depth == 1 && ch == ',' {
                    found.push(std::mem::take(&mut item));
                } else {
                    item.push(ch);
                }
            }
            found.push(item);
            rest = &group[end..];
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
            rest = after;
        }
    }
    let mut modules: Vec<String> = found
        .iter()
        .map(|item| {
            item.trim()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .filter(|m| !m.is_empty() && m != "self")
        .collect();
    modules.sort();
    modules.dedup();
    modules
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn each_layer_names_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut breaks = Vec::new();
    for (layer, forbidden) in FORBIDDEN {
        let mut files = Vec::new();
        sources(&root.join("src").join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer} has no sources");
        for file in files {
            let name = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(&file).unwrap();
            for module in crate_modules(&source) {
                if forbidden.contains(&module.as_str()) {
                    breaks.push((name.clone(), module));
                }
            }
        }
    }
    let new: Vec<_> = breaks
        .iter()
        .filter(|(f, m)| !KNOWN.contains(&(f.as_str(), m.as_str())))
        .collect();
    assert!(
        new.is_empty(),
        "modules naming a layer they may not use (docs/ARCHITECTURE.md): {new:?}"
    );
    let gone: Vec<_> = KNOWN
        .iter()
        .filter(|(f, m)| !breaks.iter().any(|(bf, bm)| bf == f && bm == m))
        .collect();
    assert!(
        gone.is_empty(),
        "fixed, remove from KNOWN in tests/layers.rs: {gone:?}"
    );
}

/// The reader finds names in every form a module can be named, so that the test above
/// cannot pass by missing them.
#[test]
fn the_reader_finds_every_form_of_a_name() {
    let source = "use crate::{\n    db::{self, accounts::AccountRow},\n    federation,\n    \
                  service::{groups, statuses as posts},\n};\nuse crate::api::mastodon::x;\n\
                  fn f() { crate::web::render(); let _ = crate::clock::now(); }\n\
                  // crate::app is only in a comment\n";
    assert_eq!(
        crate_modules(source),
        ["api", "clock", "db", "federation", "service", "web"]
    );
    // A forbidden name in a service is caught.
    let forbidden = FORBIDDEN
        .iter()
        .find(|(layer, _)| *layer == "service")
        .unwrap()
        .1;
    let caught: Vec<String> = crate_modules(source)
        .into_iter()
        .filter(|m| forbidden.contains(&m.as_str()))
        .collect();
    assert_eq!(caught, ["api", "federation", "web"]);
}

/// Handlers go through services: a front-end (`src/api`, `src/web`) may name the rows services
/// give it (`db::accounts::AccountRow`) but calls no query (`db::accounts::by_id(...)`), so a
/// rule about who sees what is written once, in a service, not again in each handler.
/// Calls allowed for a while: (file, query) pairs; none left, and the list may only shrink.
const KNOWN_QUERIES: &[(&str, &str)] = &[];

/// The `db::<module>::<function>(` calls in a source (comments left out).
fn query_calls(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in source.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("db::") {
            // `crate::db::x::f(` or `db::x::f(`, not a longer name ending in `db`.
            let before = rest[..i].chars().last();
            let after = &rest[i + 4..];
            rest = after;
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let path: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let tail = &after[path.len()..];
            let parts: Vec<&str> = path.split("::").collect();
            let is_function = parts.len() == 2
                && parts[1]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase());
            if is_function && tail.trim_start().starts_with('(') {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn handlers_call_no_query() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut calls = Vec::new();
    for front in ["api", "web"] {
        let mut files = Vec::new();
        sources(&root.join("src").join(front), &mut files);
        for file in files {
            let name = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            for call in query_calls(&std::fs::read_to_string(&file).unwrap()) {
                calls.push((name.clone(), call));
            }
        }
    }
    let new: Vec<_> = calls
        .iter()
        .filter(|(f, c)| !KNOWN_QUERIES.contains(&(f.as_str(), c.as_str())))
        .collect();
    assert!(
        new.is_empty(),
        "handlers calling queries instead of a service (docs/ARCHITECTURE.md): {new:?}"
    );
    let gone: Vec<_> = KNOWN_QUERIES
        .iter()
        .filter(|(f, c)| !calls.iter().any(|(cf, cc)| cf == f && cc == c))
        .collect();
    assert!(
        gone.is_empty(),
        "fixed, remove from KNOWN_QUERIES in tests/layers.rs: {gone:?}"
    );
}

/// The query reader finds calls in every form, and only calls.
#[test]
fn the_query_reader_finds_calls_not_types() {
    let source = "let a = db::accounts::by_id(state.pool(), 1).await?;\n\
                  let b = crate::db::social::notification (pool, 2);\n\
                  fn f(r: &db::accounts::AccountRow, s: db::events::Search) {}\n\
                  let c = sqlx_db::x::y(1); // db::statuses::by_uri(x) in a comment\n\
                  db::statuses::Page { max_id: None };\n";
    assert_eq!(
        query_calls(source),
        ["accounts::by_id", "social::notification"]
    );
}
