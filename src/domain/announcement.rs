//! Announcements written by administrators (Mastodon's `Announcement`): their text, the
//! window they are shown in, and the names reactions may take.

use super::{Invalid, status::PostText};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// The longest announcement, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// How many different reactions an announcement may carry (Mastodon's limit).
pub const MAX_REACTIONS: usize = 8;

/// An announcement as an administrator wrote it, checked.
#[derive(Debug, Clone)]
pub struct NewAnnouncement {
    /// The text, read as the web composer reads a post (mentions, hashtags, links).
    pub text: PostText,
    /// When it starts being shown (Unix microseconds), if it waits.
    pub starts_at: Option<i64>,
    /// When it stops being shown, if it ends.
    pub ends_at: Option<i64>,
    /// Whether its times are whole days.
    pub all_day: bool,
}

impl NewAnnouncement {
    /// Checks what the form sent: a text, optional start and end (a date, a local time as a
    /// `datetime-local` field sends it, or RFC 3339), read in `tz`; with `all_day`, the
    /// start is its day's first moment and the end its day's last (at least one must be
    /// given). Every refused field is named at once.
    pub fn parse(
        text: &str,
        starts_at: &str,
        ends_at: &str,
        all_day: bool,
        tz: chrono_tz::Tz,
    ) -> Result<NewAnnouncement, Vec<Invalid>> {
        let mut errors = Vec::new();
        let text = text.replace("\r\n", "\n");
        if let Err(e) = super::check_length("text", text.trim(), 1, MAX_TEXT_CHARS) {
            errors.push(e);
        }
        let mut time = |field: &'static str, s: &str, end: bool| -> Option<i64> {
            if s.trim().is_empty() {
                return None;
            }
            match parse_time(field, s, tz, all_day, end) {
                Ok(t) => Some(t.timestamp_micros()),
                Err(e) => {
                    errors.push(e);
                    None
                }
            }
        };
        let start = time("starts_at", starts_at, false);
        let end = time("ends_at", ends_at, true);
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            errors.push(Invalid::new(
                "ends_at",
                "error-announcement-ends-before-starts",
            ));
        }
        if all_day && starts_at.trim().is_empty() && ends_at.trim().is_empty() {
            errors.push(Invalid::new(
                "all_day",
                "error-announcement-all-day-needs-dates",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewAnnouncement {
            text: PostText::read(text.trim()),
            starts_at: start,
            ends_at: end,
            all_day,
        })
    }
}

/// A time of the form: with `all_day`, its date's first moment (`end`: the next day's).
fn parse_time(
    field: &'static str,
    s: &str,
    tz: chrono_tz::Tz,
    all_day: bool,
    end: bool,
) -> Result<DateTime<Utc>, Invalid> {
    let s = s.trim();
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let date = match date {
        Some(d) => Some(d),
        None if all_day => Some(
            super::event::parse_time(field, s, tz)?
                .with_timezone(&tz)
                .date_naive(),
        ),
        None => None,
    };
    match date {
        Some(d) => {
            let d = if end { d + Duration::days(1) } else { d };
            let midnight = d
                .and_hms_opt(0, 0, 0)
                .ok_or_else(|| Invalid::new(field, "error-event-time-invalid"))?;
            tz.from_local_datetime(&midnight)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| Invalid::new(field, "error-event-time-invalid"))
        }
        None => super::event::parse_time(field, s, tz),
    }
}

/// Whether an announcement with this window is shown at `now`.
pub fn is_current(starts_at: Option<i64>, ends_at: Option<i64>, now: i64) -> bool {
    starts_at.is_none_or(|s| s <= now) && ends_at.is_none_or(|e| e > now)
}

/// The name of a reaction: a Unicode emoji (this server has no custom emoji, so a
/// shortcode names none). Given back as sent, trimmed.
pub fn reaction_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Invalid::new("name", "error-required"));
    }
    // Every emoji has a character beyond ASCII (a keycap's digit is followed by U+20E3); a
    // digit or `#` alone, which the table knows as a keycap's start, is none.
    let known = !name.is_ascii()
        && (emojis::get(name).is_some()
            || emojis::get(&name.replace('\u{fe0f}', "")).is_some()
            || emojis::get(&format!("{name}\u{fe0f}")).is_some());
    if !known {
        return Err(Invalid::new("name", "error-announcement-reaction-unknown"));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reactions_are_unicode_emoji() {
        for ok in ["👍", "❤️", "❤", "🎉", "👍🏽", "🏳️‍🌈", "✊", "1️⃣"]
        {
            assert_eq!(reaction_name(ok).unwrap(), ok, "{ok}");
        }
        for bad in ["", " ", "blobcat", ":blobcat:", "a", "👍👍", "<b>", "1"] {
            assert!(reaction_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn windows_and_all_day() {
        let tz = chrono_tz::Europe::Paris;
        let a = NewAnnouncement::parse("Grève", "2026-12-10", "2026-12-10", true, tz).unwrap();
        let start = a.starts_at.unwrap();
        let end = a.ends_at.unwrap();
        assert_eq!(end - start, 24 * 3600 * 1_000_000);
        let utc = |t: i64| DateTime::from_timestamp_micros(t).unwrap().to_rfc3339();
        assert_eq!(utc(start), "2026-12-09T23:00:00+00:00");
        let a = NewAnnouncement::parse("x", "2026-12-10T09:00", "", false, tz).unwrap();
        assert_eq!(utc(a.starts_at.unwrap()), "2026-12-10T08:00:00+00:00");
        assert!(a.ends_at.is_none());
        let fields = |r: Result<NewAnnouncement, Vec<Invalid>>| -> Vec<&'static str> {
            r.unwrap_err().into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(NewAnnouncement::parse(
                " ",
                "demain",
                "2026-12-01T10:00",
                false,
                tz
            )),
            vec!["text", "starts_at"]
        );
        assert_eq!(
            fields(NewAnnouncement::parse(
                "x",
                "2026-12-02T10:00",
                "2026-12-01T10:00",
                false,
                tz
            )),
            vec!["ends_at"]
        );
        assert_eq!(
            fields(NewAnnouncement::parse("x", "", "", true, tz)),
            vec!["all_day"]
        );
        assert!(is_current(None, None, 5));
        assert!(!is_current(Some(6), None, 5));
        assert!(!is_current(None, Some(5), 5));
        assert!(is_current(Some(5), Some(6), 5));
    }
}
