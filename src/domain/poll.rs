//! Polls and scheduled posts as people ask for them: the options of a new poll, its duration
//! and kind, checked against the limits the instance publishes (`configuration.polls`, the
//! same as Mastodon's), and the time a post is scheduled for.

use super::Invalid;

/// The most options a poll of ours has (Mastodon's).
pub const MAX_OPTIONS: usize = 4;
/// The longest option, in characters.
pub const MAX_OPTION_CHARS: usize = 50;
/// The shortest poll, in seconds (five minutes).
pub const MIN_EXPIRATION: i64 = 300;
/// The longest poll, in seconds (about a month, as Mastodon).
pub const MAX_EXPIRATION: i64 = 2_629_746;
/// The most options kept of another server's poll: a `Question` with more is not a poll
/// anyone here can read, and is stored without its poll.
pub const MAX_REMOTE_OPTIONS: usize = 20;
/// The longest option kept of another server's poll, in characters (longer ones are cut).
pub const MAX_REMOTE_OPTION_CHARS: usize = 500;
/// The largest count believed of another server's poll: above, the count is absurd.
pub const MAX_REMOTE_COUNT: i64 = 1_000_000_000;
/// How soon a scheduled post may be published at the earliest, in seconds (Mastodon's).
pub const MIN_SCHEDULE_AHEAD: i64 = 300;

/// A new poll, checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewPoll {
    /// The options, in order.
    pub options: Vec<String>,
    /// How long voting lasts, in seconds.
    pub expires_in: i64,
    /// Whether several options may be chosen.
    pub multiple: bool,
    /// Whether counts stay hidden until the end.
    pub hide_totals: bool,
}

impl NewPoll {
    /// Checks a poll as asked: 2 to [`MAX_OPTIONS`] different, non-empty options of at most
    /// [`MAX_OPTION_CHARS`] characters, lasting [`MIN_EXPIRATION`] to [`MAX_EXPIRATION`]
    /// seconds.
    pub fn parse(
        options: Vec<String>,
        expires_in: Option<i64>,
        multiple: bool,
        hide_totals: bool,
    ) -> Result<NewPoll, Invalid> {
        if options.len() < 2 {
            return Err(Invalid::new("poll", "error-poll-too-few-options"));
        }
        if options.len() > MAX_OPTIONS {
            return Err(Invalid::new("poll", "error-poll-too-many-options").arg("max", MAX_OPTIONS));
        }
        let options: Vec<String> = options.into_iter().map(|o| o.trim().to_string()).collect();
        for option in &options {
            if option.is_empty() {
                return Err(Invalid::new("poll", "error-poll-option-empty"));
            }
            if option.chars().count() > MAX_OPTION_CHARS {
                return Err(
                    Invalid::new("poll", "error-poll-option-too-long").arg("max", MAX_OPTION_CHARS)
                );
            }
        }
        for (i, option) in options.iter().enumerate() {
            if options[..i].contains(option) {
                return Err(Invalid::new("poll", "error-poll-duplicate-options"));
            }
        }
        let expires_in =
            expires_in.ok_or_else(|| Invalid::new("poll", "error-poll-expiry-missing"))?;
        if !(MIN_EXPIRATION..=MAX_EXPIRATION).contains(&expires_in) {
            return Err(Invalid::new("poll", "error-poll-expiry")
                .arg("min", MIN_EXPIRATION / 60)
                .arg("max", MAX_EXPIRATION / 86_400));
        }
        Ok(NewPoll {
            options,
            expires_in,
            multiple,
            hide_totals,
        })
    }
}

/// Checks the choices of a vote on a poll of `options` options: at least one, each an
/// option's index, none twice, one only unless the poll takes several.
pub fn check_choices(choices: &[i64], options: usize, multiple: bool) -> Result<Vec<i64>, Invalid> {
    if choices.is_empty() {
        return Err(Invalid::new("choices", "error-poll-no-choice"));
    }
    if !multiple && choices.len() > 1 {
        return Err(Invalid::new("choices", "error-poll-one-choice"));
    }
    let mut seen = Vec::with_capacity(choices.len());
    for &c in choices {
        if c < 0 || c as usize >= options {
            return Err(Invalid::new("choices", "error-poll-unknown-choice"));
        }
        if seen.contains(&c) {
            return Err(Invalid::new("choices", "error-poll-unknown-choice"));
        }
        seen.push(c);
    }
    Ok(seen)
}

/// Another server's poll, as read from its `Question` (bounded by the reader).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePoll {
    /// The options' names (at most [`MAX_REMOTE_OPTIONS`], each at most
    /// [`MAX_REMOTE_OPTION_CHARS`] characters) and counts.
    pub options: Vec<(String, i64)>,
    /// `anyOf`: several choices allowed.
    pub multiple: bool,
    /// When voting ends (Unix microseconds), if it says.
    pub expires_at: Option<i64>,
    /// When it closed (Unix microseconds), if it did.
    pub closed_at: Option<i64>,
    /// How many people voted (for a single-choice poll without it: the sum of the counts).
    pub voters_count: i64,
}

/// A count another server gives, made believable: a negative one is 0, one above
/// [`MAX_REMOTE_COUNT`] is that bound.
pub fn clamp_remote_count(count: i64) -> i64 {
    count.clamp(0, MAX_REMOTE_COUNT)
}

/// An option's name from another server, cut to [`MAX_REMOTE_OPTION_CHARS`] characters.
pub fn cut_remote_option(name: &str) -> String {
    name.trim().chars().take(MAX_REMOTE_OPTION_CHARS).collect()
}

/// Reads when a post is to be published (RFC 3339, as apps send it), at least
/// [`MIN_SCHEDULE_AHEAD`] seconds after `now` (Unix microseconds). Gives Unix microseconds.
pub fn parse_scheduled_at(text: &str, now: i64) -> Result<i64, Invalid> {
    let at = chrono::DateTime::parse_from_rfc3339(text.trim())
        .map_err(|_| Invalid::new("scheduled_at", "error-scheduled-at-invalid"))?;
    let micros = at.timestamp_micros();
    if micros < now + MIN_SCHEDULE_AHEAD * 1_000_000 {
        return Err(Invalid::new("scheduled_at", "error-scheduled-too-soon")
            .arg("minutes", MIN_SCHEDULE_AHEAD / 60));
    }
    Ok(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("option {i}")).collect()
    }

    #[test]
    fn polls_are_bounded_like_mastodons() {
        assert!(NewPoll::parse(opts(2), Some(300), false, false).is_ok());
        assert!(NewPoll::parse(opts(4), Some(MAX_EXPIRATION), true, true).is_ok());
        for (options, expiry, key) in [
            (opts(1), Some(300), "error-poll-too-few-options"),
            (opts(50), Some(300), "error-poll-too-many-options"),
            (opts(2), Some(299), "error-poll-expiry"),
            (opts(2), Some(MAX_EXPIRATION + 1), "error-poll-expiry"),
            (opts(2), None, "error-poll-expiry-missing"),
            (
                vec!["a".into(), " ".into()],
                Some(300),
                "error-poll-option-empty",
            ),
            (
                vec!["a".into(), "a ".into()],
                Some(300),
                "error-poll-duplicate-options",
            ),
            (
                vec!["a".into(), "é".repeat(51)],
                Some(300),
                "error-poll-option-too-long",
            ),
        ] {
            assert_eq!(
                NewPoll::parse(options, expiry, false, false)
                    .unwrap_err()
                    .key,
                key
            );
        }
    }

    #[test]
    fn choices_are_checked() {
        assert_eq!(check_choices(&[1], 3, false).unwrap(), vec![1]);
        assert_eq!(check_choices(&[0, 2], 3, true).unwrap(), vec![0, 2]);
        assert!(check_choices(&[], 3, true).is_err());
        assert!(check_choices(&[0, 1], 3, false).is_err());
        assert!(check_choices(&[3], 3, true).is_err());
        assert!(check_choices(&[-1], 3, true).is_err());
        assert!(check_choices(&[1, 1], 3, true).is_err());
    }

    #[test]
    fn scheduled_times_are_at_least_five_minutes_ahead() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .unwrap()
            .timestamp_micros();
        assert!(parse_scheduled_at("2026-12-06T12:05:00Z", now).is_ok());
        assert!(parse_scheduled_at("2026-12-06T13:05:00+01:00", now).is_ok());
        assert_eq!(
            parse_scheduled_at("2026-12-06T12:04:59Z", now)
                .unwrap_err()
                .key,
            "error-scheduled-too-soon"
        );
        assert_eq!(
            parse_scheduled_at("2020-01-01T00:00:00Z", now)
                .unwrap_err()
                .key,
            "error-scheduled-too-soon"
        );
        assert_eq!(
            parse_scheduled_at("tomorrow", now).unwrap_err().key,
            "error-scheduled-at-invalid"
        );
    }
}
