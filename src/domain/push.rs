//! Web Push subscriptions as Mastodon apps make them: the push service's address, the
//! browser's keys (RFC 8291), which kinds of notification to push (`alerts`) and from whom
//! (`policy`). Every value is checked here; nothing an app sends is dropped: a name or value
//! not understood is refused with the field it came in.

use super::{Invalid, NotificationKind};
use base64::Engine as _;
use std::collections::BTreeMap;

/// The longest push service address kept.
pub const MAX_ENDPOINT_BYTES: usize = 2048;

/// The alerts Mastodon's API knows (`Notification::TYPES`), which apps send whether or not
/// coopol makes such notifications: each is kept and shown as the app set it, and applies to
/// the notifications of that kind coopol makes (today: `mention`, `follow`, `follow_request`,
/// `favourite`, `reblog`, `admin.sign_up`). coopol's own kinds (`NotificationKind`) are
/// alerts too.
pub const MASTODON_ALERTS: &[&str] = &[
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "severed_relationships",
    "moderation_warning",
    "annual_report",
    "quote",
    "quoted_update",
];

/// Whose notifications are pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PushPolicy {
    /// Everyone's.
    #[default]
    All,
    /// Those of accounts I follow.
    Followed,
    /// Those of accounts that follow me.
    Follower,
    /// Nobody's.
    None,
}

impl PushPolicy {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            PushPolicy::All => "all",
            PushPolicy::Followed => "followed",
            PushPolicy::Follower => "follower",
            PushPolicy::None => "none",
        }
    }

    /// Reads an API or stored name.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "all" => Ok(PushPolicy::All),
            "followed" => Ok(PushPolicy::Followed),
            "follower" => Ok(PushPolicy::Follower),
            "none" => Ok(PushPolicy::None),
            _ => Err(Invalid::new("data_policy", "error-push-policy").arg("value", s)),
        }
    }

    /// Whether a notification from someone is pushed, given whether the recipient follows
    /// them and whether they follow the recipient.
    pub fn admits(self, recipient_follows_sender: bool, sender_follows_recipient: bool) -> bool {
        match self {
            PushPolicy::All => true,
            PushPolicy::None => false,
            PushPolicy::Followed => recipient_follows_sender,
            PushPolicy::Follower => sender_follows_recipient,
        }
    }
}

/// Whether an alert name is one an app may set.
pub fn is_alert_name(name: &str) -> bool {
    MASTODON_ALERTS.contains(&name) || NotificationKind::from_stored(name).is_some()
}

/// Every alert name an app may set, Mastodon's first, then coopol's own kinds.
pub fn alert_names() -> impl Iterator<Item = &'static str> {
    MASTODON_ALERTS.iter().copied().chain(
        NotificationKind::ALL
            .into_iter()
            .map(NotificationKind::as_str)
            .filter(|k| !MASTODON_ALERTS.contains(k)),
    )
}

/// A boolean as apps spell it (Rails' casting of form values): `true`, `1`, `on`, `yes`, and
/// their negations; anything else is no answer.
pub fn read_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" | "t" => Some(true),
        "false" | "0" | "off" | "no" | "f" => Some(false),
        _ => None,
    }
}

/// The alerts of a subscription: each name the app set, with its value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alerts(BTreeMap<&'static str, bool>);

impl Alerts {
    /// Reads alerts as an app sent them (name, value as text); every refused one is named.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, Vec<Invalid>> {
        let mut alerts = BTreeMap::new();
        let mut refused = Vec::new();
        for (name, value) in pairs {
            let Some(known) = alert_names().find(|k| *k == name) else {
                refused.push(
                    Invalid::new("data_alerts", "error-push-alert-unknown").arg("name", name),
                );
                continue;
            };
            match read_flag(value) {
                Some(on) => {
                    alerts.insert(known, on);
                }
                None => refused.push(
                    Invalid::new("data_alerts", "error-push-alert-value")
                        .arg("name", name)
                        .arg("value", value),
                ),
            }
        }
        if refused.is_empty() {
            Ok(Alerts(alerts))
        } else {
            Err(refused)
        }
    }

    /// Whether notifications of a kind are pushed.
    pub fn wants(&self, kind: NotificationKind) -> bool {
        self.0.get(kind.as_str()).copied().unwrap_or(false)
    }

    /// Every alert an app may set, with its value (`false` when never set).
    pub fn all(&self) -> impl Iterator<Item = (&'static str, bool)> + '_ {
        alert_names().map(|name| (name, self.0.get(name).copied().unwrap_or(false)))
    }

    /// The stored form: `name=1 name=0`, in name order.
    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|(name, on)| format!("{name}={}", u8::from(*on)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads the stored form; `None` when it holds something this version does not know.
    pub fn from_stored(s: &str) -> Option<Self> {
        let mut alerts = BTreeMap::new();
        for item in s.split_whitespace() {
            let (name, on) = item.split_once('=')?;
            let known = alert_names().find(|k| *k == name)?;
            let on = match on {
                "1" => true,
                "0" => false,
                _ => return None,
            };
            alerts.insert(known, on);
        }
        Some(Alerts(alerts))
    }
}

/// The keys a browser (or an app acting as one) gives to encrypt what is pushed to it
/// (RFC 8291): its P-256 public key and its authentication secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushKeys {
    /// The public key, an uncompressed point (65 bytes).
    pub p256dh: Vec<u8>,
    /// The authentication secret (16 bytes).
    pub auth: Vec<u8>,
}

impl PushKeys {
    /// Checks both keys as apps send them: base64, URL-safe or standard, padded or not
    /// (Mastodon.py sends standard base64, browsers URL-safe); the public key must be a point
    /// of the P-256 curve.
    pub fn parse(p256dh: &str, auth: &str) -> Result<Self, Vec<Invalid>> {
        let mut refused = Vec::new();
        let key = match decode_base64(p256dh) {
            None => {
                refused.push(Invalid::new(
                    "subscription_keys_p256dh",
                    "error-push-key-base64",
                ));
                None
            }
            Some(bytes) if bytes.len() != 65 || bytes[0] != 4 => {
                refused.push(
                    Invalid::new("subscription_keys_p256dh", "error-push-key-length")
                        .arg("length", bytes.len()),
                );
                None
            }
            Some(bytes) if p256::PublicKey::from_sec1_bytes(&bytes).is_err() => {
                refused.push(Invalid::new(
                    "subscription_keys_p256dh",
                    "error-push-key-point",
                ));
                None
            }
            Some(bytes) => Some(bytes),
        };
        let secret = match decode_base64(auth) {
            None => {
                refused.push(Invalid::new(
                    "subscription_keys_auth",
                    "error-push-key-base64",
                ));
                None
            }
            Some(bytes) if bytes.len() != 16 => {
                refused.push(
                    Invalid::new("subscription_keys_auth", "error-push-auth-length")
                        .arg("length", bytes.len()),
                );
                None
            }
            Some(bytes) => Some(bytes),
        };
        match (key, secret) {
            (Some(p256dh), Some(auth)) if refused.is_empty() => Ok(PushKeys { p256dh, auth }),
            _ => Err(refused),
        }
    }

    /// The public key as stored: base64url without padding.
    pub fn p256dh_text(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.p256dh)
    }

    /// The secret as stored: base64url without padding.
    pub fn auth_text(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&self.auth)
    }
}

/// Base64 in either alphabet, with or without padding; `None` for anything else (an empty
/// text, characters of neither alphabet, a length no encoding gives).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let trimmed = text.trim().trim_end_matches('=');
    if trimmed.is_empty()
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/'))
    {
        return None;
    }
    let url_safe: String = trimmed
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(url_safe)
        .ok()
}

/// Checks a push service's address as an app gives it: an absolute http(s) URL with a host,
/// no credentials, not too long. (Which hosts may be reached is decided when sending.)
pub fn parse_endpoint(text: &str) -> Result<url::Url, Invalid> {
    let refuse = || Invalid::new("subscription_endpoint", "error-push-endpoint");
    let text = text.trim();
    if text.is_empty() || text.len() > MAX_ENDPOINT_BYTES {
        return Err(refuse());
    }
    let url = url::Url::parse(text).map_err(|_| refuse())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refuse());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY";

    #[test]
    fn keys_are_read_in_both_alphabets_and_refused_otherwise() {
        let keys = PushKeys::parse(KEY, "_ordMnz7uTCmrpBTeUV4Bw").unwrap();
        assert_eq!(keys.p256dh_text(), KEY);
        let standard = base64::engine::general_purpose::STANDARD.encode(&keys.p256dh);
        let again =
            PushKeys::parse(&standard, "/ordMnz7uTCmrpBTeUV4Bw==").expect("standard base64");
        assert_eq!(again, keys);
        let field = |r: Result<PushKeys, Vec<Invalid>>| {
            r.unwrap_err()
                .into_iter()
                .map(|i| (i.field, i.key))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            field(PushKeys::parse("not base64!", "_ordMnz7uTCmrpBTeUV4Bw")),
            [("subscription_keys_p256dh", "error-push-key-base64")]
        );
        assert_eq!(
            field(PushKeys::parse(&KEY[..40], "_ordMnz7uTCmrpBTeUV4Bw")),
            [("subscription_keys_p256dh", "error-push-key-length")]
        );
        // 65 bytes starting with 4, but not a point of the curve.
        let off_curve = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([4u8; 65]);
        assert_eq!(
            field(PushKeys::parse(&off_curve, "_ordMnz7uTCmrpBTeUV4Bw")),
            [("subscription_keys_p256dh", "error-push-key-point")]
        );
        assert_eq!(
            field(PushKeys::parse(KEY, "c2hvcnQ")),
            [("subscription_keys_auth", "error-push-auth-length")]
        );
        assert_eq!(field(PushKeys::parse("", "")).len(), 2);
    }

    #[test]
    fn alerts_and_policies_are_read_or_refused_never_dropped() {
        let alerts = Alerts::parse([
            ("mention", "true"),
            ("poll", "0"),
            ("admin.sign_up", "1"),
            ("event_reminder", "on"),
        ])
        .unwrap();
        assert!(alerts.wants(NotificationKind::Mention));
        assert!(alerts.wants(NotificationKind::EventReminder));
        assert!(!alerts.wants(NotificationKind::Follow));
        let stored = alerts.to_stored();
        assert_eq!(Alerts::from_stored(&stored), Some(alerts.clone()));
        assert_eq!(Alerts::from_stored("mention=2"), None);
        assert_eq!(Alerts::from_stored("telepathy=1"), None);
        let refused = Alerts::parse([("telepathy", "true"), ("mention", "maybe")]).unwrap_err();
        assert_eq!(
            refused.iter().map(|i| i.key).collect::<Vec<_>>(),
            ["error-push-alert-unknown", "error-push-alert-value"]
        );
        assert!(alerts.all().any(|(n, on)| n == "admin.sign_up" && on));
        assert!(alerts.all().any(|(n, on)| n == "event_short" && !on));
        for p in ["all", "followed", "follower", "none"] {
            assert_eq!(PushPolicy::parse(p).unwrap().as_str(), p);
        }
        assert!(PushPolicy::parse("friends").is_err());
        assert!(PushPolicy::Followed.admits(true, false));
        assert!(!PushPolicy::Followed.admits(false, true));
        assert!(PushPolicy::Follower.admits(false, true));
        assert!(!PushPolicy::None.admits(true, true));
    }

    #[test]
    fn endpoints_are_http_urls_with_a_host() {
        assert!(parse_endpoint("https://push.example/send/abc").is_ok());
        assert!(parse_endpoint("http://127.0.0.1:8080/p").is_ok());
        for bad in [
            "",
            "push.example/abc",
            "ftp://push.example/x",
            "javascript:alert(1)",
            "https://user:pw@push.example/x",
            "file:///etc/passwd",
        ] {
            assert!(parse_endpoint(bad).is_err(), "{bad}");
        }
        let long = format!("https://push.example/{}", "a".repeat(MAX_ENDPOINT_BYTES));
        assert!(parse_endpoint(&long).is_err());
    }
}
