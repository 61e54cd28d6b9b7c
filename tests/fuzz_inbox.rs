//! Fuzzing of everything the inbox reads from a remote server, in process: the body's envelope
//! and nesting check (read before a request is stored), the signature header and its
//! verification, and the whole activity, its object as a post and as an actor (read by the
//! worker). Inputs are mutations of real activities (`../shared/fixtures` when present, and
//! coopol's own shapes): bytes flipped, inserted, cut and spliced, JSON values replaced by
//! values of other types, deep nesting, odd Unicode and numbers, and signed requests whose
//! headers, path or body are changed.
//!
//! Properties: nothing panics; an activity the worker accepts is signed by its actor and has
//! its id on the actor's server; the streaming nesting check agrees with the parsed depth; a
//! signed request verifies only if nothing it covers (method, path, date, digest, body) was
//! changed, whatever its Host header says.
//!
//! The suite runs 20,000 cases of each; `COOPOL_FUZZ_CASES=1000000 cargo test --test fuzz_inbox
//! -- --nocapture` runs a million (docs/SECURITY.md records the last long run), and
//! `COOPOL_FUZZ_SEED` picks another sequence.

mod common;

use coopol::federation::{
    protocol::{self, Envelope, MAX_NESTING},
    receive,
    signatures::{self, SigningKey, VerifyingKey},
};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::{Value, json};

/// xorshift64*: a small deterministic generator, so that a failing case can be replayed from
/// its seed and index.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn cases() -> usize {
    std::env::var("COOPOL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

fn seed() -> u64 {
    std::env::var("COOPOL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_c0de_2026)
        | 1
}

const SIGNER: &str = "https://remote.example/users/alice";

/// The inputs mutations start from: coopol's own shapes, and every captured document.
fn corpus() -> Vec<Vec<u8>> {
    let note = json!({
        "id": "https://remote.example/notes/1", "type": "Note", "attributedTo": SIGNER,
        "content": "<p>Bonjour <a href=\"https://x.example\">@bob</a> #tractage</p>",
        "summary": "CW", "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [format!("{SIGNER}/followers")], "inReplyTo": "https://other.example/notes/9",
        "tag": [{"type": "Mention", "href": "https://local.example/users/bob"},
                {"type": "Hashtag", "name": "#tractage"}],
        "audience": "https://remote.example/groups/pau", "circle": "members",
        "published": "2026-12-01T10:00:00Z", "contentMap": {"fr": "<p>Bonjour</p>"},
        "attachment": [{"type": "Document", "url": "https://remote.example/a.png"}],
    });
    let event = json!({
        "id": "https://remote.example/events/1", "type": "Event", "attributedTo": SIGNER,
        "name": "Tractage", "startTime": "2026-12-12T09:00:00+01:00", "endTime": "bad",
        "location": [{"type": "Place", "address": {"postalCode": "64000"}},
                     {"type": "VirtualLocation", "url": "https://visio.example"}],
        "maximumAttendeeCapacity": "6", "timezone": "Europe/Paris", "mission": true,
    });
    let actor = json!({
        "id": SIGNER, "type": "Group", "inbox": format!("{SIGNER}/inbox"),
        "preferredUsername": "alice", "publicKey": {"id": format!("{SIGNER}#main-key"),
        "owner": SIGNER, "publicKeyPem": "-----BEGIN PUBLIC KEY-----"},
        "attachment": [{"type": "PropertyValue", "name": "site", "value": "<a>x</a>"}],
        "endpoints": {"sharedInbox": "https://remote.example/inbox"},
    });
    let mut seeds: Vec<Value> = vec![
        json!({"id": "https://remote.example/c/1", "type": "Create", "actor": SIGNER, "object": note}),
        json!({"id": "https://remote.example/u/1", "type": "Update", "actor": SIGNER, "object": actor}),
        json!({"id": "https://remote.example/c/2", "type": "Create", "actor": SIGNER, "object": event}),
        json!({"id": "https://remote.example/a/1", "type": "Announce", "actor": SIGNER,
               "object": {"type": "Create", "object": note}, "to": ["https://www.w3.org/ns/activitystreams#Public"]}),
        json!({"id": "https://remote.example/f/1", "type": "Follow", "actor": SIGNER,
               "object": "https://local.example/users/pau"}),
        json!({"id": "https://remote.example/x/1", "type": "Undo", "actor": SIGNER,
               "object": {"id": "https://remote.example/f/1", "type": "Follow", "actor": SIGNER}}),
        json!({"id": "https://remote.example/d/1", "type": "Delete", "actor": SIGNER,
               "object": {"id": "https://remote.example/notes/1", "type": "Tombstone"}}),
        json!({"id": "https://remote.example/j/1", "type": "Join", "actor": SIGNER,
               "object": "https://local.example/users/pau/statuses/1", "participationMessage": "Je viens"}),
    ];
    let mut out: Vec<Vec<u8>> = seeds
        .drain(..)
        .map(|v| v.to_string().into_bytes())
        .collect();
    if let Some(dir) = common::fixtures_dir() {
        for path in common::fixture_files(&dir) {
            if let Ok(bytes) = std::fs::read(&path) {
                out.push(bytes);
            }
        }
    }
    out
}

/// Fragments that make parsers work: JSON tokens, escapes, numbers and strings at their edges.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\udfff",
    "1e999",
    "-0",
    "18446744073709551616",
    "null",
    "true",
    "\"type\"",
    "\"id\"",
    "\"actor\"",
    "\"object\"",
    "\"Create\"",
    "\"Note\"",
    "\"Group\"",
    "\"@context\"",
    "https://",
    "\u{202e}",
    "\u{0}",
    "é",
    "💥",
    "\r\n",
    "<script>",
    "&amp;",
    "%00",
    "[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 40 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(rng.next() as i64),
        3 => serde_json::Number::from_f64(f64::from_bits(rng.next()))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        4 => json!(TOKENS[rng.below(TOKENS.len())].repeat(1 + rng.below(3))),
        5 => json!(format!("https://remote.example/{}", rng.next())),
        6 if rng.chance(5) => json!("x".repeat(rng.below(70_000))),
        7 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "id", "type", "actor", "object", "to", "cc", "tag", "content", "href",
            ];
            Value::Object(
                (0..rng.below(4))
                    .map(|_| {
                        (
                            keys[rng.below(keys.len())].to_string(),
                            random_value(rng, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
    }
}

/// Replaces a random node of a JSON document by a random value, or deletes an object's key.
fn mutate_json(rng: &mut Rng, v: &mut Value, depth: usize) {
    let descend = rng.chance(70) && depth < 60;
    match v {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).unwrap().clone();
            if descend {
                mutate_json(rng, map.get_mut(&key).unwrap(), depth + 1);
            } else if rng.chance(30) {
                map.remove(&key);
            } else {
                map.insert(key, random_value(rng, depth));
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            if descend {
                mutate_json(rng, &mut items[i], depth + 1);
            } else {
                items[i] = random_value(rng, depth);
            }
        }
        other => *other = random_value(rng, depth),
    }
}

fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            2 if !bytes.is_empty() => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            3 => bytes.truncate(at),
            4 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(256)).min(other.len());
                bytes.splice(at..at, other[from..to].iter().copied());
            }
            _ => {
                let nest = rng.below(40);
                bytes.splice(at..at, std::iter::repeat_n(b'[', nest));
            }
        }
    }
}

/// What the inbox and its worker read of a body; panics only on a broken property.
fn read_body(body: &[u8]) {
    let _ = Envelope::read(body);
    let deep = protocol::nested_deeper_than(body, MAX_NESTING);
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        assert_eq!(
            deep,
            protocol::depth(&value) > MAX_NESTING,
            "the nesting check disagrees with the parsed depth"
        );
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let Ok(activity) = receive::parse_activity(SIGNER, text) else {
        return;
    };
    assert_eq!(activity.actor.as_str(), SIGNER);
    assert!(protocol::same_origin(&activity.id, &activity.actor));
    if let Ok(note) = receive::parse_note(&activity.object) {
        let html = note.html();
        let clean = coopol::domain::html::sanitize(&html);
        assert!(!clean.to_ascii_lowercase().contains("<script"));
        let _ = note.language();
        let _ = coopol::domain::html::to_plain_text(&clean);
    }
    if protocol::depth(&activity.object) <= MAX_NESTING
        && let Ok(actor) = serde_json::from_value::<protocol::Actor>(activity.object.clone())
    {
        let _ = actor.fields();
        let _ = actor.postal_address();
        let _ = actor.is_discoverable();
    }
}

#[test]
fn inbox_bodies_never_panic_the_readers() {
    let corpus = corpus();
    let mut rng = Rng(seed());
    let n = cases();
    for i in 0..n {
        let mut input = corpus[rng.below(corpus.len())].clone();
        if rng.chance(50)
            && let Ok(mut value) = serde_json::from_slice::<Value>(&input)
        {
            for _ in 0..1 + rng.below(3) {
                mutate_json(&mut rng, &mut value, 0);
            }
            input = value.to_string().into_bytes();
        }
        if rng.chance(50) {
            mutate_bytes(&mut rng, &mut input, &corpus);
        }
        let outcome = std::panic::catch_unwind(|| read_body(&input));
        if outcome.is_err() {
            panic!(
                "case {i} (seed {}) panicked on: {}",
                seed(),
                String::from_utf8_lossy(&input)
            );
        }
    }
    eprintln!("fuzz: {n} bodies read without a panic");
}

/// A request as it arrives: method, path, headers, body.
#[derive(Clone)]
struct Request {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

const HOST: &str = "local.example";
/// The received headers a signature covers. Not Host: the signing string takes our own host,
/// whatever Host says (docs/SECURITY.md, rule T8).
const COVERED: &[&str] = &["date", "digest", "content-type"];

fn signed_requests(key: &SigningKey, corpus: &[Vec<u8>]) -> Vec<Request> {
    corpus
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, body)| {
            let path = if i % 2 == 0 {
                "/inbox"
            } else {
                "/users/pau/inbox?x=1"
            };
            let url = url::Url::parse(&format!("https://{HOST}{path}")).unwrap();
            let mut headers = HeaderMap::new();
            for (k, v) in key.sign(&Method::POST, &url, Some(body)).unwrap() {
                headers.insert(k, v);
            }
            headers.insert("host", HeaderValue::from_static(HOST));
            Request {
                path: path.to_string(),
                headers,
                body: body.clone(),
            }
        })
        .collect()
}

fn mutate_request(rng: &mut Rng, r: &mut Request, corpus: &[Vec<u8>]) {
    match rng.below(5) {
        0 => mutate_bytes(rng, &mut r.body, corpus),
        1 => {
            let mut path = r.path.clone().into_bytes();
            mutate_bytes(rng, &mut path, corpus);
            r.path = String::from_utf8_lossy(&path).into_owned();
        }
        2 => {
            let names = ["signature", "host", "date", "digest", "content-type"];
            r.headers.remove(names[rng.below(names.len())]);
        }
        3 => {
            let extra = ["x-extra", "signature", "digest", "date"];
            let name = HeaderName::from_static(extra[rng.below(extra.len())]);
            if let Ok(v) = HeaderValue::from_str(TOKENS[rng.below(TOKENS.len())]) {
                r.headers.append(name, v);
            }
        }
        _ => {
            let names = ["signature", "host", "date", "digest", "content-type"];
            let name = names[rng.below(names.len())];
            let mut value = r
                .headers
                .get(name)
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default();
            mutate_bytes(rng, &mut value, corpus);
            value.retain(|b| (0x20..0x7f).contains(b));
            if let Ok(v) = HeaderValue::from_bytes(&value) {
                r.headers.insert(name, v);
            }
        }
    }
}

/// Whether a mutated request still carries exactly what its signature covers.
fn covers_the_same(original: &Request, mutated: &Request) -> bool {
    original.path == mutated.path
        && original.body == mutated.body
        && COVERED.iter().all(|h| {
            original.headers.get_all(*h).iter().collect::<Vec<_>>()
                == mutated.headers.get_all(*h).iter().collect::<Vec<_>>()
        })
}

#[test]
fn signatures_verify_only_what_was_signed() {
    let (private, public) = coopol::crypto::generate_rsa_keypair();
    let key = SigningKey::from_pem(format!("{SIGNER}#main-key"), &private).unwrap();
    let verifying = VerifyingKey::from_pem(&public).unwrap();
    let corpus = corpus();
    let originals = signed_requests(&key, &corpus);
    let hosts = vec![HOST.to_string()];
    let mut rng = Rng(seed() ^ 0x9e37_79b9_7f4a_7c15);
    let n = cases();
    let mut verified = 0usize;
    for i in 0..n {
        let original = &originals[rng.below(originals.len())];
        let mut request = original.clone();
        for _ in 0..1 + rng.below(2) {
            mutate_request(&mut rng, &mut request, &corpus);
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            match signatures::parse(
                &Method::POST,
                &request.path,
                &request.headers,
                Some(&request.body),
                &hosts,
            ) {
                Ok(pending) => pending.verify(&verifying).is_ok(),
                Err(_) => false,
            }
        }));
        let Ok(ok) = outcome else {
            panic!("case {i} (seed {}) panicked", seed());
        };
        if ok {
            verified += 1;
            assert!(
                covers_the_same(original, &request),
                "case {i}: a changed request verified: {} {:?}",
                request.path,
                request.headers
            );
        }
    }
    // Each original verifies as it was signed (the property above is not vacuous).
    for r in &originals {
        let pending =
            signatures::parse(&Method::POST, &r.path, &r.headers, Some(&r.body), &hosts).unwrap();
        pending.verify(&verifying).unwrap();
    }
    eprintln!("fuzz: {n} signed requests checked, {verified} verified unchanged");
}
