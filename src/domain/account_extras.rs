//! What a person keeps about other accounts: the domains they block and their notes on
//! accounts, checked as Mastodon 4.3 checks them.

use super::Invalid;

/// The longest note on an account, in characters (Mastodon's `AccountNote::COMMENT_SIZE_LIMIT`).
pub const NOTE_MAX: usize = 2000;

/// A domain a person blocks, as `accounts.domain` records remote accounts: the host in lower
/// case (a Unicode name in its IDNA form), with `:port` when one other than 443 is given.
/// Refused: an empty value, anything but a host name (an address, a path, a user, an IP
/// address), and `own`, this instance's domain.
pub fn blocked_domain(input: &str, own: &str) -> Result<String, Invalid> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Invalid::new("domain", "error-required"));
    }
    let invalid = || Invalid::new("domain", "error-domain-invalid");
    if text.len() > 260
        || text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "/?#@\\%[]".contains(c))
    {
        return Err(invalid());
    }
    let url = url::Url::parse(&format!("https://{text}/")).map_err(|_| invalid())?;
    let host = match url.host() {
        Some(url::Host::Domain(h)) => h.trim_end_matches('.').to_ascii_lowercase(),
        _ => return Err(invalid()),
    };
    let labels_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if !labels_ok {
        return Err(invalid());
    }
    let domain = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    if domain == own {
        return Err(Invalid::new("domain", "error-domain-block-own"));
    }
    Ok(domain)
}

/// This instance's domain as [`blocked_domain`] writes domains, from its public URL.
pub fn own_domain(public_url: &url::Url) -> String {
    let host = public_url
        .host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    match public_url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// A note on an account: `None` when empty (which removes it), refused past [`NOTE_MAX`]
/// characters.
pub fn account_note(input: &str) -> Result<Option<String>, Invalid> {
    if input.chars().count() > NOTE_MAX {
        return Err(Invalid::new("comment", "error-too-long").arg("max", NOTE_MAX));
    }
    if input.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(input.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_hosts_in_lower_case_with_their_port() {
        let own = "coopol.example";
        assert_eq!(blocked_domain(" Example.COM ", own).unwrap(), "example.com");
        assert_eq!(blocked_domain("example.com.", own).unwrap(), "example.com");
        assert_eq!(
            blocked_domain("localhost:8080", own).unwrap(),
            "localhost:8080"
        );
        assert_eq!(
            blocked_domain("example.com:443", own).unwrap(),
            "example.com"
        );
        assert_eq!(
            blocked_domain("bücher.de", own).unwrap(),
            "xn--bcher-kva.de"
        );
        for bad in [
            "",
            "  ",
            "https://example.com",
            "example.com/path",
            "user@example.com",
            "exa mple.com",
            "127.0.0.1",
            "[::1]",
            "example..com",
            "exa%41mple.com",
            "example.com?x",
            "*.example.com",
        ] {
            assert!(blocked_domain(bad, own).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            blocked_domain("COOPOL.example", own).unwrap_err().key,
            "error-domain-block-own"
        );
        assert_eq!(
            own_domain(&url::Url::parse("http://localhost:4000/").unwrap()),
            "localhost:4000"
        );
    }

    #[test]
    fn notes_are_bounded_and_empty_ones_remove() {
        assert_eq!(account_note("").unwrap(), None);
        assert_eq!(account_note("  \n").unwrap(), None);
        assert_eq!(account_note("ami").unwrap().as_deref(), Some("ami"));
        assert!(account_note(&"é".repeat(NOTE_MAX)).is_ok());
        assert!(account_note(&"é".repeat(NOTE_MAX + 1)).is_err());
    }
}
