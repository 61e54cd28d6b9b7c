//! Events and missions: their status, how people take part, and the checks on what an
//! organizer types (times in an IANA time zone, capacity, place).

use super::{Invalid, check_length};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// The longest name of an event.
pub const MAX_NAME: usize = 200;
/// The longest description (it becomes the event's post, with a line for when and where,
/// within a post's 5,000 characters).
pub const MAX_DESCRIPTION: usize = 4_500;
/// The most participants an event may ask for (a national rally, not more).
pub const MAX_CAPACITY: i64 = 100_000;
/// The most shifts a mission may have.
pub const MAX_SHIFTS: usize = 20;
/// The longest an event may last (a week-long festival), in seconds.
pub const MAX_DURATION_SECS: i64 = 14 * 24 * 3600;

/// Whether an event takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// It takes place.
    Confirmed,
    /// It may take place.
    Tentative,
    /// It does not take place.
    Cancelled,
}

impl EventStatus {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "confirmed",
            EventStatus::Tentative => "tentative",
            EventStatus::Cancelled => "cancelled",
        }
    }

    /// iCalendar's and Mobilizon's `ical:status` (RFC 5545 STATUS).
    pub fn ical(self) -> &'static str {
        match self {
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Cancelled => "CANCELLED",
        }
    }

    /// Parses a stored or API name, or an `ical:status` value.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim().to_ascii_lowercase().as_str() {
            "confirmed" => Ok(EventStatus::Confirmed),
            "tentative" => Ok(EventStatus::Tentative),
            "cancelled" | "canceled" => Ok(EventStatus::Cancelled),
            _ => Err(Invalid::new("event_status", "error-event-status")),
        }
    }
}

/// How people take part in an event (Mobilizon's `joinMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventJoinMode {
    /// Anyone may sign up (until it is full).
    Free,
    /// Organizers approve each participant.
    Approval,
    /// Only invited people take part.
    Invite,
    /// Sign-up happens elsewhere (a link).
    External,
}

impl EventJoinMode {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventJoinMode::Free => "free",
            EventJoinMode::Approval => "approval",
            EventJoinMode::Invite => "invite",
            EventJoinMode::External => "external",
        }
    }

    /// Mobilizon's name on the wire.
    pub fn mobilizon(self) -> &'static str {
        match self {
            EventJoinMode::Approval => "restricted",
            other => other.as_str(),
        }
    }

    /// Parses a stored or API name, or Mobilizon's.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s.trim() {
            "free" | "" => Ok(EventJoinMode::Free),
            "approval" | "restricted" => Ok(EventJoinMode::Approval),
            "invite" => Ok(EventJoinMode::Invite),
            "external" => Ok(EventJoinMode::External),
            _ => Err(Invalid::new("join_mode", "error-event-join-mode")),
        }
    }
}

/// Where a participation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipationState {
    /// Asked, waiting for an organizer.
    Pending,
    /// Takes part.
    Accepted,
    /// On the waiting list (the event was full).
    Waiting,
    /// Refused by an organizer.
    Rejected,
}

impl ParticipationState {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipationState::Pending => "pending",
            ParticipationState::Accepted => "accepted",
            ParticipationState::Waiting => "waiting",
            ParticipationState::Rejected => "rejected",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ParticipationState::Pending),
            "accepted" => Some(ParticipationState::Accepted),
            "waiting" => Some(ParticipationState::Waiting),
            "rejected" => Some(ParticipationState::Rejected),
            _ => None,
        }
    }
}

/// An IANA time zone name (`Europe/Paris`).
pub fn parse_timezone(s: &str) -> Result<chrono_tz::Tz, Invalid> {
    s.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| Invalid::new("timezone", "error-event-timezone"))
}

/// A time as organizers type it: RFC 3339 (`2026-12-05T09:00:00+01:00`, `...Z`), or a local
/// time without offset (`2026-12-05T09:00`, as an HTML `datetime-local` field sends it), read
/// in the event's time zone.
pub fn parse_time(
    field: &'static str,
    s: &str,
    tz: chrono_tz::Tz,
) -> Result<DateTime<Utc>, Invalid> {
    let s = s.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, "error-required"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
            // A time skipped by a clock change does not exist; one repeated takes the first.
            return tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| Invalid::new(field, "error-event-time-invalid"));
        }
    }
    Err(Invalid::new(field, "error-event-time-invalid"))
}

/// Checks an event's times: the end after the start, not longer than [`MAX_DURATION_SECS`].
pub fn check_times(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<(), Invalid> {
    if end <= start {
        return Err(Invalid::new("end_time", "error-event-end-before-start"));
    }
    if (end - start).num_seconds() > MAX_DURATION_SECS {
        return Err(Invalid::new("end_time", "error-event-too-long"));
    }
    Ok(())
}

/// Checks a capacity: none (unlimited), or 1 to [`MAX_CAPACITY`].
pub fn check_capacity(field: &'static str, capacity: Option<i64>) -> Result<(), Invalid> {
    match capacity {
        None => Ok(()),
        Some(n) if (1..=MAX_CAPACITY).contains(&n) => Ok(()),
        Some(_) => Err(Invalid::new(field, "error-event-capacity").arg("max", MAX_CAPACITY)),
    }
}

/// Checks an event's name.
pub fn check_name(name: &str) -> Result<(), Invalid> {
    check_length("name", name.trim(), 1, MAX_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_the_event_time_zone() {
        let paris = parse_timezone("Europe/Paris").unwrap();
        // Winter: UTC+1; summer: UTC+2.
        let winter = parse_time("start_time", "2026-12-05T09:00", paris).unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-12-05T08:00:00+00:00");
        let summer = parse_time("start_time", "2026-06-06T09:00", paris).unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-06-06T07:00:00+00:00");
        let explicit = parse_time("start_time", "2026-12-05T09:00:00-05:00", paris).unwrap();
        assert_eq!(explicit.to_rfc3339(), "2026-12-05T14:00:00+00:00");
        // 02:30 on the last Sunday of March does not exist in Paris.
        assert_eq!(
            parse_time("start_time", "2026-03-29T02:30", paris)
                .unwrap_err()
                .key,
            "error-event-time-invalid"
        );
        assert_eq!(
            parse_time("start_time", "demain", paris).unwrap_err().key,
            "error-event-time-invalid"
        );
        assert_eq!(
            parse_time("end_time", " ", paris).unwrap_err().key,
            "error-required"
        );
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(
            parse_timezone("Europe/Lutece").unwrap_err().key,
            "error-event-timezone"
        );
        let t = |s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            check_times(t("2026-12-05T12:00:00Z"), t("2026-12-05T09:00:00Z"))
                .unwrap_err()
                .key,
            "error-event-end-before-start"
        );
        assert!(check_times(t("2026-12-05T09:00:00Z"), t("2026-12-05T09:00:00Z")).is_err());
        assert!(check_times(t("2026-12-01T09:00:00Z"), t("2026-12-30T09:00:00Z")).is_err());
        assert!(check_times(t("2026-12-05T09:00:00Z"), t("2026-12-05T12:00:00Z")).is_ok());
        for bad in [0, -3, MAX_CAPACITY + 1] {
            assert!(check_capacity("capacity", Some(bad)).is_err(), "{bad}");
        }
        assert!(check_capacity("capacity", Some(6)).is_ok());
        assert!(check_capacity("capacity", None).is_ok());
        assert_eq!(
            EventJoinMode::parse("restricted"),
            Ok(EventJoinMode::Approval)
        );
        assert_eq!(EventJoinMode::Approval.mobilizon(), "restricted");
        assert_eq!(EventStatus::parse("CANCELLED"), Ok(EventStatus::Cancelled));
        assert!(EventStatus::parse("maybe").is_err());
    }
}
