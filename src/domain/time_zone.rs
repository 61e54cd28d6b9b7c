//! A person's time zone as they choose it: an IANA name chrono-tz knows (`Europe/Paris`,
//! `America/Guadeloupe`), or nothing for the instance's own zone.

use super::Invalid;
use chrono_tz::Tz;

/// Reads a time zone as the preference form sends it: empty is "the instance's zone"
/// (`None`); anything else must be an IANA name chrono-tz knows, or it is refused naming the
/// `time_zone` field.
pub fn parse_time_zone(s: &str) -> Result<Option<Tz>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<Tz>()
        .map(Some)
        .map_err(|_| Invalid::new("time_zone", "error-time-zone"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_read_or_refused() {
        assert_eq!(parse_time_zone(""), Ok(None));
        assert_eq!(
            parse_time_zone(" America/Guadeloupe "),
            Ok(Some(chrono_tz::America::Guadeloupe))
        );
        for bad in [
            "Mars/Olympus",
            "Europe/Paris<script>",
            "../../etc/passwd",
            "europe paris",
            "Europe/Paris\0",
        ] {
            assert_eq!(
                parse_time_zone(bad).map_err(|e| e.field),
                Err("time_zone"),
                "{bad}"
            );
        }
    }
}
