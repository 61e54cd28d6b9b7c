//! Secrets: random tokens, hashes, password hashing (Argon2id), RSA key pairs, and Web Push's
//! VAPID keys, tokens and encryption. Everything that creates or checks a secret lives here,
//! so that it is done one way everywhere.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use aws_lc_rs::{
    encoding::AsDer,
    rand::{SecureRandom, SystemRandom},
    rsa::{KeyPair, KeySize},
    signature::KeyPair as _,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// A random token of `bytes` random bytes, URL-safe Base64 without padding (43 characters for
/// 32 bytes): session cookies, OAuth codes and tokens, client ids and secrets.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The system generator fails only when the OS has no entropy source at all, in which case
    // no secret can be made safely and stopping is the right answer.
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random code of `len` characters from an alphabet without look-alikes (no 0/O, 1/l/I),
/// for invite codes people may type.
pub fn random_code(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = vec![0u8; len];
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the operating system's random number generator failed");
    // 256 is not a multiple of the alphabet's length; the bias this leaves (under 1%) does not
    // matter for codes that are also limited in uses and time.
    buf.iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// The SHA-256 of a token, in hex: what the database keeps instead of the token itself, so a
/// leaked database holds no usable session or access token.
pub fn token_hash(token: &str) -> String {
    hex::encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        token.as_bytes(),
    ))
}

/// The SHA-256 of `data`, Base64-encoded (URL-safe, no padding), as PKCE S256 computes it.
pub fn sha256_base64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data))
}

/// The SHA-256 of `data` in lower-case hex (Mastodon's domain block digests).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data))
}

/// The HMAC-SHA256 of `message` under `key`, in hex: links that carry what they are for
/// (an unsubscribe link names its account and kind) and prove we made them.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    hex::encode(aws_lc_rs::hmac::sign(&key, message).as_ref())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// Hashes a password with Argon2id and a random salt (PHC string format). Slow on purpose:
/// call it from a blocking task.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .expect("the operating system's random number generator failed");
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .expect("Argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored hash. A malformed stored hash counts as a mismatch.
/// Slow on purpose: call it from a blocking task.
pub fn verify_password(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// A hash to compare against when an account does not exist, so that a sign-in attempt with
/// an unknown e-mail address takes as long as one with a wrong password.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token(16)))
}

/// An RSA-2048 key pair for HTTP signatures, as PEM: (PKCS#8 private key, SPKI public key).
pub fn generate_rsa_keypair() -> (String, String) {
    let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation failed");
    let private = pair.as_der().expect("PKCS#8 encoding of a new key");
    let public = pair
        .public_key()
        .as_der()
        .expect("SPKI encoding of a new key");
    let private_pem = pem::encode(&pem::Pem::new("PRIVATE KEY", private.as_ref().to_vec()));
    let public_pem = pem::encode(&pem::Pem::new("PUBLIC KEY", public.as_ref().to_vec()));
    (private_pem, public_pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_url_safe() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        let code = random_code(10);
        assert_eq!(code.len(), 10);
        assert!(!code.contains(['0', 'O', 'l', '1', 'I']));
    }

    #[test]
    fn pkce_s256_matches_rfc7636_example() {
        // RFC 7636, appendix B.
        assert_eq!(
            sha256_base64url(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsf", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn rsa_keys_are_pem() {
        let (private, public) = generate_rsa_keypair();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let der = pem::parse(&private).unwrap();
        assert!(KeyPair::from_pkcs8(der.contents()).is_ok());
    }
}

/// A new VAPID key pair (RFC 8292: ECDSA on P-256) for Web Push: the private scalar and the
/// public key (an uncompressed point, as apps and push services read it), both URL-safe
/// Base64 without padding.
pub fn generate_vapid_keypair() -> (String, String) {
    loop {
        let mut scalar = [0u8; 32];
        SystemRandom::new()
            .fill(&mut scalar)
            .expect("the operating system's random number generator failed");
        // A random 32-byte value is a valid scalar but for a chance of about 2^-32.
        if let Ok(secret) = p256::SecretKey::from_slice(&scalar) {
            use p256::elliptic_curve::sec1::ToEncodedPoint;
            let public = secret.public_key().to_encoded_point(false);
            return (
                URL_SAFE_NO_PAD.encode(scalar),
                URL_SAFE_NO_PAD.encode(public.as_bytes()),
            );
        }
    }
}

/// Why a push message could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PushCryptoError {
    /// A stored key is not one (corrupt settings or subscription).
    #[error("unreadable key")]
    Key,
    /// The encryption failed (a message too long for one record).
    #[error("encryption failed: {0}")]
    Encrypt(String),
}

/// A VAPID token (RFC 8292): a JWT signed with ES256 by the instance's private key, for the
/// push service at `audience` (the endpoint's origin), valid until `expires` (Unix seconds),
/// naming whom to contact (`subject`: a `mailto:` or https address).
pub fn vapid_token(
    private_key: &str,
    audience: &str,
    expires: i64,
    subject: &str,
) -> Result<String, PushCryptoError> {
    use p256::ecdsa::{Signature, SigningKey, signature::Signer};
    let scalar = URL_SAFE_NO_PAD
        .decode(private_key)
        .map_err(|_| PushCryptoError::Key)?;
    let key = SigningKey::from_slice(&scalar).map_err(|_| PushCryptoError::Key)?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
    let claims = serde_json::json!({ "aud": audience, "exp": expires, "sub": subject });
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signed = format!("{header}.{claims}");
    let signature: Signature = key.sign(signed.as_bytes());
    Ok(format!(
        "{signed}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

/// Encrypts a push message for a subscription (RFC 8291, `aes128gcm` content coding of
/// RFC 8188, one record) with its public key and auth secret (URL-safe Base64, as stored).
pub fn push_encrypt(
    message: Vec<u8>,
    p256dh: &str,
    auth: &str,
) -> Result<Vec<u8>, PushCryptoError> {
    let public = URL_SAFE_NO_PAD
        .decode(p256dh)
        .ok()
        .and_then(|k| p256::PublicKey::from_sec1_bytes(&k).ok())
        .ok_or(PushCryptoError::Key)?;
    let auth = URL_SAFE_NO_PAD
        .decode(auth)
        .map_err(|_| PushCryptoError::Key)?;
    if auth.len() != 16 {
        return Err(PushCryptoError::Key);
    }
    let auth = web_push_native::Auth::clone_from_slice(&auth);
    web_push_native::encrypt(message, &public, &auth)
        .map_err(|e| PushCryptoError::Encrypt(e.to_string()))
}
