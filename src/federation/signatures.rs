//! HTTP signatures (draft-cavage, as Mastodon signs): signing outgoing requests and checking
//! incoming ones. The signing string is built and parsed by `http-signature-normalization`;
//! the RSA work is done by aws-lc-rs, constant-time and several times faster than the `rsa`
//! crate (docs/decisions/0001-what-dominates-each-cost.md), because every delivery to every inbox is signed separately.

use aws_lc_rs::{
    rand::SystemRandom,
    rsa::KeyPair,
    signature::{self, ParsedPublicKey, UnparsedPublicKey},
};
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use http_signature_normalization::Config;
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use url::Url;

/// How old a signed request's Date may be (as Mastodon allows).
pub const MAX_AGE: Duration = Duration::from_secs(12 * 3600);
/// How far in the future a Date may be (clocks drift).
pub const MAX_FUTURE: Duration = Duration::from_secs(3600);

/// Why a signature was not accepted. Every variant answers 401, so that peers that try RFC 9421
/// first fall back to draft-cavage.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    /// No Signature header.
    #[error("the request is not signed")]
    Missing,
    /// The header could not be read, or lacks a required part.
    #[error("the signature cannot be read: {0}")]
    Malformed(String),
    /// Date absent, too old or in the future.
    #[error("the signature's date is outside the accepted window")]
    Expired,
    /// The body does not match its Digest.
    #[error("the body does not match its digest")]
    Digest,
    /// The signature does not verify with the key.
    #[error("the signature does not match the key")]
    Invalid,
    /// The key could not be obtained or read.
    #[error("the signing key could not be obtained: {0}")]
    Key(String),
    /// The same signature was already used.
    #[error("the signature was already used")]
    Replayed,
}

/// A private key ready to sign, with the id peers fetch the public half from.
#[derive(Clone)]
pub struct SigningKey {
    key_id: String,
    pair: Arc<KeyPair>,
}

impl SigningKey {
    /// Reads a PKCS#8 PEM private key.
    pub fn from_pem(key_id: String, pem_text: &str) -> Result<Self, String> {
        let der = pem::parse(pem_text).map_err(|e| format!("private key PEM: {e}"))?;
        let pair = KeyPair::from_pkcs8(der.contents())
            .or_else(|_| KeyPair::from_der(der.contents()))
            .map_err(|e| format!("private key: {e}"))?;
        Ok(SigningKey {
            key_id,
            pair: Arc::new(pair),
        })
    }

    /// The key's id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    fn sign_string(&self, s: &str) -> Result<String, String> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                s.as_bytes(),
                &mut sig,
            )
            .map_err(|_| "RSA signing failed".to_string())?;
        Ok(B64.encode(sig))
    }

    /// The headers that sign a request to `url`: Host, Date, and for a body, Digest and
    /// Content-Type, then Signature over `(request-target) content-type date digest host`.
    pub fn sign(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
        self.sign_at(method, url, body, std::time::SystemTime::now())
    }

    /// Signs a request as if made at `when` (tests use it to check the date window).
    pub fn sign_at(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        when: std::time::SystemTime,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, String> {
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let date = httpdate::fmt_http_date(when);
        let mut headers = BTreeMap::new();
        headers.insert("host".to_string(), host);
        headers.insert("date".to_string(), date);
        if let Some(body) = body {
            headers.insert("digest".to_string(), digest_header(body));
            headers.insert(
                "content-type".to_string(),
                super::AP_CONTENT_TYPE.to_string(),
            );
        }
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let unsigned = Config::new()
            .mastodon_compat()
            .begin_sign(method.as_str(), &path, headers.clone())
            .map_err(|e| e.to_string())?;
        let signed = unsigned.sign(self.key_id.clone(), |s| self.sign_string(s))?;
        let mut out = Vec::new();
        for (name, value) in headers {
            if name == "host" {
                // reqwest sets Host itself, to the same value.
                continue;
            }
            out.push((
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?,
                HeaderValue::from_str(&value).map_err(|e| e.to_string())?,
            ));
        }
        out.push((
            HeaderName::from_static("signature"),
            HeaderValue::from_str(&signed.signature_header()).map_err(|e| e.to_string())?,
        ));
        Ok(out)
    }
}

/// `SHA-256=<base64>` of a body.
pub fn digest_header(body: &[u8]) -> String {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    format!("SHA-256={}", B64.encode(hash))
}

/// A parsed, not yet verified signature.
pub struct Pending {
    /// The key it claims to be made with.
    pub key_id: String,
    /// The raw Signature header (its hash guards against replays).
    pub header: String,
    /// The signature and signing string of the request as received.
    first: (String, String),
    /// How peers with known quirks may have built it instead (Host without the port, path
    /// without the query): built only if the first does not verify, since preparing each
    /// costs as much as a third of the RSA verification.
    others: Others,
}

/// What the other signing strings are built from (see [`Pending`]).
struct Others {
    config: Config,
    method: String,
    headers: BTreeMap<String, String>,
    /// Host and path of each, in order.
    variants: Vec<(String, String)>,
}

impl Others {
    /// The signatures and signing strings of the variants (those that can be built).
    fn prepare(&self) -> Vec<(String, String)> {
        self.variants
            .iter()
            .filter_map(|(host, path)| {
                let unverified =
                    begin(&self.config, &self.method, &self.headers, host, path).ok()?;
                Some(signed_pair(&unverified))
            })
            .collect()
    }
}

/// Prepares the signing string of a request as if received with this Host and path.
fn begin(
    config: &Config,
    method: &str,
    headers: &BTreeMap<String, String>,
    host: &str,
    path: &str,
) -> Result<
    http_signature_normalization::verify::Unverified,
    http_signature_normalization::PrepareVerifyError,
> {
    let mut h = headers.clone();
    h.insert("host".to_string(), host.to_string());
    config.begin_verify(method, path, h)
}

/// The signature and the signing string of a prepared request.
fn signed_pair(unverified: &http_signature_normalization::verify::Unverified) -> (String, String) {
    (
        unverified.signature().to_string(),
        unverified.signing_string().to_string(),
    )
}

/// Reads the signature of a request. `body` is given for POSTs: its Digest must be signed and
/// must match. `hosts` are the Host values the signing string may take: ours, never the one
/// received (see `verify::signer`).
pub fn parse(
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: Option<&[u8]>,
    hosts: &[String],
) -> Result<Pending, SignatureError> {
    let header = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or(SignatureError::Missing)?
        .to_string();
    // The signature must be dated: by a signed Date header (Mastodon), or by its own
    // `(created)` field (newer draft-cavage signers), or it could be replayed forever.
    let signed = signed_headers(&header);
    let dated_by_header = signed.iter().any(|h| h == "date");
    if !dated_by_header && !signed.iter().any(|h| h == "(created)") {
        return Err(SignatureError::Malformed(
            "neither date nor (created) is signed".into(),
        ));
    }
    // Each header the signature covers (and the Digest a body needs) once, in visible ASCII:
    // a second value, or one that is not text, would be read by one check and not by another.
    for name in signed
        .iter()
        .map(String::as_str)
        .filter(|h| !h.starts_with('('))
        .chain(body.is_some().then_some("digest"))
    {
        let mut values = headers.get_all(name).iter();
        if let Some(value) = values.next()
            && (values.next().is_some() || value.to_str().is_err())
        {
            return Err(SignatureError::Malformed(format!(
                "the signed header {name} must appear once, as text"
            )));
        }
    }
    if dated_by_header {
        check_date(headers)?;
    }
    check_created(&header)?;

    let mut config = Config::new()
        .set_expiration(MAX_AGE)
        .require_header("(request-target)")
        .require_header("host");
    if dated_by_header {
        config = config.require_header("date");
    }
    if let Some(body) = body {
        config = config.require_digest();
        check_digest(headers, body)?;
    }

    let mut base: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        if let Ok(v) = value.to_str() {
            base.entry(name.as_str().to_string())
                .and_modify(|e| {
                    e.push_str(", ");
                    e.push_str(v);
                })
                .or_insert_with(|| v.to_string());
        }
    }
    base.remove("authorization");

    let path_only = path_and_query.split('?').next().unwrap_or(path_and_query);
    let mut paths = vec![path_and_query];
    if path_only != path_and_query {
        paths.push(path_only);
    }
    let mut variants = hosts.iter().flat_map(|host| {
        paths
            .iter()
            .map(move |path| (host.clone(), path.to_string()))
    });
    // The first variant that can be prepared gives the key id (every variant has the same
    // Signature header); the ones after it wait (see [`Pending`]).
    let mut last_error = None;
    for (host, path) in variants.by_ref() {
        match begin(&config, method.as_str(), &base, &host, &path) {
            Ok(unverified) => {
                return Ok(Pending {
                    key_id: unverified.key_id().to_string(),
                    header,
                    first: signed_pair(&unverified),
                    others: Others {
                        config,
                        method: method.as_str().to_string(),
                        headers: base,
                        variants: variants.collect(),
                    },
                });
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(match last_error {
        Some(http_signature_normalization::PrepareVerifyError::Validate(_)) => {
            SignatureError::Expired
        }
        Some(e) => SignatureError::Malformed(e.to_string()),
        None => SignatureError::Missing,
    })
}

/// The `headers` parameter of a Signature header (lower case; `date` when absent, as the draft
/// specifies).
fn signed_headers(signature: &str) -> Vec<String> {
    signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("headers="))
        .map(|v| {
            v.trim_matches('"')
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .next()
        .unwrap_or_else(|| vec!["date".to_string()])
}

fn check_date(headers: &HeaderMap) -> Result<(), SignatureError> {
    let date = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .ok_or(SignatureError::Expired)?;
    let now = std::time::SystemTime::now();
    match now.duration_since(date) {
        Ok(age) if age > MAX_AGE => Err(SignatureError::Expired),
        Ok(_) => Ok(()),
        Err(ahead) if ahead.duration() > MAX_FUTURE => Err(SignatureError::Expired),
        Err(_) => Ok(()),
    }
}

/// A `created` parameter (seconds since the epoch) must not be too far in the future; its age
/// is bounded by the library's expiration check.
fn check_created(signature: &str) -> Result<(), SignatureError> {
    let created = signature
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("created="))
        .next();
    let Some(created) = created else {
        return Ok(());
    };
    let created: u64 = created
        .trim_matches('"')
        .parse()
        .map_err(|_| SignatureError::Malformed("created is not a number".into()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    if created > now + MAX_FUTURE.as_secs() {
        return Err(SignatureError::Expired);
    }
    Ok(())
}

fn check_digest(headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
    let header = headers
        .get("digest")
        .and_then(|v| v.to_str().ok())
        .ok_or(SignatureError::Digest)?;
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
    let expected = B64.encode(hash);
    // Several digests may be listed; the SHA-256 one must match.
    let ok = header.split(',').any(|part| {
        let part = part.trim();
        part.split_once('=')
            .is_some_and(|(alg, value)| alg.eq_ignore_ascii_case("SHA-256") && value == expected)
    });
    if ok {
        Ok(())
    } else {
        Err(SignatureError::Digest)
    }
}

/// A public key parsed once, ready to verify.
pub struct VerifyingKey(ParsedPublicKey);

impl VerifyingKey {
    /// Reads a PEM public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
    pub fn from_pem(pem_text: &str) -> Result<Self, SignatureError> {
        let der = pem::parse(pem_text.trim()).map_err(|e| SignatureError::Key(e.to_string()))?;
        let parsed = UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            der.contents().to_vec(),
        )
        .parse()
        .map_err(|e| SignatureError::Key(e.to_string()))?;
        Ok(VerifyingKey(parsed))
    }
}

impl Pending {
    /// Checks the signature with a key.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), SignatureError> {
        let check = |(signature, signing_string): &(String, String)| {
            let Ok(sig) = B64.decode(signature) else {
                return Err(SignatureError::Malformed("signature is not base64".into()));
            };
            Ok(key.0.verify_sig(signing_string.as_bytes(), &sig).is_ok())
        };
        if check(&self.first)? {
            return Ok(());
        }
        for other in self.others.prepare() {
            if other != self.first && check(&other)? {
                return Ok(());
            }
        }
        Err(SignatureError::Invalid)
    }

    /// The actor a key id names: the key id without its fragment (`…/users/alice#main-key`).
    pub fn key_owner(&self) -> Option<Url> {
        let mut url = Url::parse(&self.key_id).ok()?;
        url.set_fragment(None);
        Some(url)
    }

    /// A stable fingerprint of the signature, for replay detection.
    pub fn fingerprint(&self) -> String {
        crate::crypto::token_hash(&self.header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (SigningKey, VerifyingKey) {
        let (private, public) = crate::crypto::generate_rsa_keypair();
        (
            SigningKey::from_pem("https://a.example/users/x#main-key".into(), &private).unwrap(),
            VerifyingKey::from_pem(&public).unwrap(),
        )
    }

    fn headers_of(signed: Vec<(HeaderName, HeaderValue)>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in signed {
            h.insert(k, v);
        }
        h.insert("host", HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn signed_posts_verify_and_tampering_fails() {
        let (signer, verifier) = key();
        let url = Url::parse("http://b.example:8081/inbox?x=1").unwrap();
        let body = br#"{"type":"Follow"}"#;
        let headers = headers_of(
            signer.sign(&Method::POST, &url, Some(body)).unwrap(),
            "b.example:8081",
        );
        let hosts = vec!["b.example:8081".to_string()];
        let pending = parse(&Method::POST, "/inbox?x=1", &headers, Some(body), &hosts).unwrap();
        assert_eq!(pending.key_id, "https://a.example/users/x#main-key");
        assert_eq!(
            pending.key_owner().unwrap().as_str(),
            "https://a.example/users/x"
        );
        pending.verify(&verifier).unwrap();

        // Another body: the digest no longer matches.
        assert!(matches!(
            parse(&Method::POST, "/inbox?x=1", &headers, Some(b"{}"), &hosts),
            Err(SignatureError::Digest)
        ));
        // Another path: the signature no longer matches.
        let moved = parse(
            &Method::POST,
            "/users/y/inbox",
            &headers,
            Some(body),
            &hosts,
        )
        .unwrap();
        assert!(matches!(
            moved.verify(&verifier),
            Err(SignatureError::Invalid)
        ));
        // Another key.
        let (_, other) = key();
        assert!(pending.verify(&other).is_err());
    }

    #[test]
    fn dates_out_of_window_are_refused() {
        let (signer, _) = key();
        let url = Url::parse("https://b.example/inbox").unwrap();
        let mut headers = headers_of(signer.sign(&Method::GET, &url, None).unwrap(), "b.example");
        let old = std::time::SystemTime::now() - Duration::from_secs(13 * 3600);
        headers.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(old)).unwrap(),
        );
        let hosts = vec!["b.example".to_string()];
        assert!(matches!(
            parse(&Method::GET, "/inbox", &headers, None, &hosts),
            Err(SignatureError::Expired)
        ));
        let future = std::time::SystemTime::now() + Duration::from_secs(2 * 3600);
        headers.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(future)).unwrap(),
        );
        assert!(matches!(
            parse(&Method::GET, "/inbox", &headers, None, &hosts),
            Err(SignatureError::Expired)
        ));
    }

    #[test]
    fn unsigned_requests_are_missing() {
        let hosts = vec!["b.example".to_string()];
        assert!(matches!(
            parse(&Method::GET, "/", &HeaderMap::new(), None, &hosts),
            Err(SignatureError::Missing)
        ));
    }

    #[test]
    fn quirky_peers_verify_gancio_signs_host_without_port() {
        let (private, public) = crate::crypto::generate_rsa_keypair();
        let signer = SigningKey::from_pem(
            "https://g.example/federation/u/relay#main-key".into(),
            &private,
        )
        .unwrap();
        let verifier = VerifyingKey::from_pem(&public).unwrap();
        // The sender signed "host: b.example" while the request arrived as b.example:8443.
        let url = Url::parse("https://b.example/inbox").unwrap();
        let body = b"{}";
        let headers = headers_of(
            signer.sign(&Method::POST, &url, Some(body)).unwrap(),
            "b.example:8443",
        );
        let hosts = vec!["b.example:8443".to_string(), "b.example".to_string()];
        let pending = parse(&Method::POST, "/inbox", &headers, Some(body), &hosts).unwrap();
        pending.verify(&verifier).unwrap();
    }

    #[test]
    fn created_in_the_future_is_refused() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let sig = |created: u64| format!("keyId=\"k\",created={created},headers=\"(created)\"");
        assert!(check_created(&sig(now)).is_ok());
        assert!(check_created(&sig(now + 600)).is_ok());
        assert!(matches!(
            check_created(&sig(now + 2 * 3600)),
            Err(SignatureError::Expired)
        ));
        assert!(check_created("keyId=\"k\",created=\"soon\"").is_err());
        assert!(check_created("keyId=\"k\"").is_ok());
    }
}
