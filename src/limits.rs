//! Rate limits: how often a client address may try to sign in, register or ask for tokens,
//! how often an account may post, and how often a remote server may post to our inboxes.
//! Over a limit, a request is answered 429 with `Retry-After` before it costs anything (no
//! password hash, no key generation, no signature check).
//!
//! These limits are GCRA limiters (the `governor` crate) kept in this process's memory: they
//! are cheap and need no write, and a limit per address that several processes each count is
//! only looser by their number. The limit that must hold across processes, sign-in attempts
//! per account (a distributed attack on one account), is counted in the database instead
//! (`service::accounts::authenticate`).
//!
//! The client address is the TCP peer, or the last hop of `X-Forwarded-For` when the peer is
//! one of the configured `trusted_proxies` (a reverse proxy on the same machine by default).
//! An IPv6 address counts by its /64 network, which one client usually holds whole.

use crate::{config::Config, error::AppError, state::AppState};
use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    middleware::Next,
    response::Response,
};
use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};
use std::{
    convert::Infallible,
    hash::Hash,
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    time::Duration,
};

/// One keyed limit: `count` requests per `period` for each key, all of them at once if need
/// be (the burst is the whole count), then one every `period / count`. Off when `count` is 0.
pub struct Keyed<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    /// A limit of `count` per `period` (0: no limit).
    pub fn new(count: u32, period: Duration) -> Self {
        let limiter = NonZeroU32::new(count).and_then(|n| {
            Quota::with_period(period / n.get())
                .map(|q| q.allow_burst(n))
                .map(governor::RateLimiter::keyed)
        });
        Keyed { limiter }
    }

    /// Counts a request for `key`: `Err(wait)` when it is over the limit, with how long until
    /// the next one would pass.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()))
    }

    /// Forgets the keys whose budget is whole again (their entries would say nothing).
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

/// The longest host name kept as an inbox key (a DNS name has at most 253 characters, plus a
/// port); longer ones are not hosts and count as their client address.
const MAX_HOST_KEY: usize = 262;

/// This process's limiters.
pub struct Limits {
    /// Sign-in attempts per client address.
    pub sign_in: Keyed<IpAddr>,
    /// Registrations per client address.
    pub registration: Keyed<IpAddr>,
    /// `POST /oauth/token` per client address.
    pub token: Keyed<IpAddr>,
    /// Posts per account.
    pub posting: Keyed<i64>,
    /// Inbox requests per remote host (`host[:port]` of the signature's key), or per client
    /// address (written as an address) when no key id can be read.
    pub inbox: Keyed<String>,
}

impl Limits {
    /// The limiters the configuration asks for.
    pub fn new(config: &Config) -> Self {
        let l = &config.limits;
        Limits {
            sign_in: Keyed::new(l.sign_ins_per_address_per_hour, HOUR),
            registration: Keyed::new(l.registrations_per_address_per_hour, HOUR),
            token: Keyed::new(l.token_requests_per_address_per_hour, HOUR),
            posting: Keyed::new(l.posts_per_account_per_hour, HOUR),
            inbox: Keyed::new(l.inbox_per_host_per_minute, MINUTE),
        }
    }

    /// Forgets keys that are back to a full budget, so memory follows recent traffic only
    /// (called every minute).
    pub fn forget_idle(&self) {
        self.sign_in.forget_idle();
        self.registration.forget_idle();
        self.token.forget_idle();
        self.posting.forget_idle();
        self.inbox.forget_idle();
    }
}

/// The error for a request over a limit: 429, a message saying when to try again, and the
/// `Retry-After` header (whole seconds, rounded up, at least 1).
pub fn refused(wait: Duration) -> AppError {
    let seconds = retry_after_seconds(wait);
    let mut e = AppError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "error-rate-limited",
    )
    .arg("seconds", seconds);
    e.retry_after = Some(seconds);
    e
}

/// A wait in whole seconds, rounded up, at least 1.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// Adds the `Retry-After` of `err` (if it has one) to a response rendered for it.
pub fn with_retry_after(mut response: Response, err: &AppError) -> Response {
    if let Some(seconds) = err.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Checks a keyed limit and turns a refusal into the 429 error.
pub fn check<K: Hash + Eq + Clone>(limit: &Keyed<K>, key: &K) -> Result<(), AppError> {
    limit.check(key).map_err(refused)
}

/// The address of the client that sent a request (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key this address counts under: itself, or its /64 network for IPv6.
    pub fn key(self) -> IpAddr {
        match self.0.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & (u128::MAX << 64);
                IpAddr::V6(Ipv6Addr::from(network))
            }
            v4 => v4,
        }
    }
}

/// Finds the client's address: the TCP peer, unless the peer is a trusted proxy and says in
/// `X-Forwarded-For` whom it got the request from (its last entry: the one it added itself;
/// entries before it are whatever the client wrote and prove nothing).
pub fn client_ip(config: &Config, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
    let Some(peer) = peer else {
        // Served without connection information (not through `Server`): one shared key.
        return IpAddr::V6(Ipv6Addr::UNSPECIFIED);
    };
    let peer = peer.to_canonical();
    if !config.trusted_proxies.iter().any(|net| net.contains(peer)) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| parse_forwarded_address(last.trim()))
        .map(|ip| ip.to_canonical())
        .unwrap_or(peer)
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, or with a port
/// (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_forwarded_address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Middleware: works out the client's address once and leaves it in the request's
/// extensions, where [`ClientIp`] finds it.
pub async fn client_address(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let ip = client_ip(&state.config, peer, req.headers());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .copied()
            .unwrap_or(ClientIp(IpAddr::V6(Ipv6Addr::UNSPECIFIED))))
    }
}

/// The key an inbox request counts under: the host (with its port, as federation names
/// servers) of the key that signed it, read from the `Signature` header without checking it,
/// or the client's address when there is none. Checking a signature costs a key fetch and an
/// RSA verification, so the limit comes before.
pub fn inbox_key(headers: &HeaderMap, client: ClientIp) -> String {
    signature_key_host(headers).unwrap_or_else(|| client.key().to_string())
}

/// The host (with its port) of the key a request's `Signature` header names, unchecked.
pub fn signature_key_host(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("signature")?.to_str().ok()?;
    let key_id = value.split(',').find_map(|part| {
        let (name, value) = part.trim().split_once('=')?;
        (name.trim().eq_ignore_ascii_case("keyId")).then(|| value.trim().trim_matches('"'))
    })?;
    let url = url::Url::parse(key_id).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    let key = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    (key.len() <= MAX_HOST_KEY).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(trusted: &str) -> Config {
        let trusted = trusted.to_string();
        Config::from_sources(None, move |name| {
            (name == "COOPOL_TRUSTED_PROXIES").then(|| trusted.clone())
        })
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy_and_only_its_last_hop() {
        let c = config("127.0.0.0/8,::1");
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let remote: IpAddr = "192.0.2.44".parse().unwrap();
        assert_eq!(
            client_ip(&c, Some(local), &forwarded),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        // Anyone else writing the header is ignored.
        assert_eq!(client_ip(&c, Some(remote), &forwarded), remote);
        // No header, or garbage: the proxy itself.
        assert_eq!(client_ip(&c, Some(local), &HeaderMap::new()), local);
        let garbage = headers(&[("x-forwarded-for", "not an address")]);
        assert_eq!(client_ip(&c, Some(local), &garbage), local);
        // Ports and brackets as proxies write them; several headers: the last one.
        let ported = headers(&[
            ("x-forwarded-for", "10.0.0.1"),
            ("x-forwarded-for", "[2001:db8::5]:4711"),
        ]);
        assert_eq!(
            client_ip(&c, Some(local), &ported),
            "2001:db8::5".parse::<IpAddr>().unwrap()
        );
        // No trusted proxy at all.
        let none = config("");
        assert_eq!(client_ip(&none, Some(local), &forwarded), local);
    }

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let a = ClientIp("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientIp("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = ClientIp("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        let v4 = ClientIp("::ffff:192.0.2.1".parse().unwrap());
        assert_eq!(v4.key(), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_limit_refuses_past_its_count_and_says_how_long_to_wait() {
        let limit = Keyed::new(3, HOUR);
        for _ in 0..3 {
            assert!(limit.check(&1).is_ok());
        }
        let wait = limit.check(&1).unwrap_err();
        assert!(wait > Duration::from_secs(1000) && wait <= Duration::from_secs(1200));
        // Other keys are not touched.
        assert!(limit.check(&2).is_ok());
        let off = Keyed::new(0, HOUR);
        for _ in 0..1000 {
            assert!(off.check(&1).is_ok());
        }
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
        assert_eq!(retry_after_seconds(Duration::from_secs(7)), 7);
    }

    #[test]
    fn inbox_requests_count_by_the_host_of_their_key() {
        let client = ClientIp("192.0.2.8".parse().unwrap());
        let signed = headers(&[(
            "signature",
            "keyId=\"https://Social.Example/users/a#main-key\",algorithm=\"rsa-sha256\",\
             headers=\"(request-target) host date digest\",signature=\"abc=\"",
        )]);
        assert_eq!(inbox_key(&signed, client), "social.example");
        let ported = headers(&[("signature", "keyId=\"http://localhost:4000/actor#k\"")]);
        assert_eq!(inbox_key(&ported, client), "localhost:4000");
        assert_eq!(inbox_key(&HeaderMap::new(), client), "192.0.2.8");
        let broken = headers(&[("signature", "keyId=\"not a url\"")]);
        assert_eq!(inbox_key(&broken, client), "192.0.2.8");
    }
}
