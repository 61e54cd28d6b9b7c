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
/// The most occurrences a recurring event expands into (twice a week for a year).
pub const MAX_OCCURRENCES: usize = 104;

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
    /// Invited by an organizer, not answered yet.
    Invited,
}

impl ParticipationState {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipationState::Pending => "pending",
            ParticipationState::Accepted => "accepted",
            ParticipationState::Waiting => "waiting",
            ParticipationState::Rejected => "rejected",
            ParticipationState::Invited => "invited",
        }
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ParticipationState::Pending),
            "accepted" => Some(ParticipationState::Accepted),
            "waiting" => Some(ParticipationState::Waiting),
            "rejected" => Some(ParticipationState::Rejected),
            "invited" => Some(ParticipationState::Invited),
            _ => None,
        }
    }
}

/// An event's time zone as stored (an IANA name such as `Europe/Paris`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(pub chrono_tz::Tz);

impl Zone {
    /// The IANA name.
    pub fn as_str(self) -> &'static str {
        self.0.name()
    }

    /// Reads a stored name.
    pub fn from_stored(s: &str) -> Option<Self> {
        s.parse().ok().map(Zone)
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The zone of an event from another server that names none (Gancio sends only
/// `2026-12-12T18:30:00+01:00`): `home` (the instance's zone) when its offset at that moment is
/// the one sent, or when the time came in UTC (`Z`, which says nothing of the place); else the
/// fixed zone of a whole-hour offset (`Etc/GMT-1` for +01:00); else UTC.
pub fn zone_of_offset(at: DateTime<chrono::FixedOffset>, home: chrono_tz::Tz) -> chrono_tz::Tz {
    use chrono::Offset;
    let offset = at.offset().local_minus_utc();
    let home_offset = at.with_timezone(&home).offset().fix().local_minus_utc();
    if offset == 0 || offset == home_offset {
        return home;
    }
    if offset % 3600 == 0 && (-12..=14).contains(&(offset / 3600)) {
        // The IANA names count the other way: Etc/GMT-1 is one hour ahead of UTC.
        let hours = -(offset / 3600);
        if let Ok(tz) = format!("Etc/GMT{hours:+}").parse::<chrono_tz::Tz>() {
            return tz;
        }
    }
    chrono_tz::UTC
}

/// Parses an IANA time zone name (`Europe/Paris`) as organizers and apps send it.
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

/// The starts of every occurrence of a recurring event: `rule` is an RFC 5545 `RRULE`
/// (`FREQ=WEEKLY;UNTIL=20270626`, `FREQ=MONTHLY;COUNT=6`, with or without `RRULE:`), expanded
/// from the first occurrence's `start` in the event's zone, so a Saturday 09:00 stays 09:00
/// across clock changes. An `UNTIL` without `Z` is a local date (the whole day included) or
/// local time. The rule must end (`UNTIL` or `COUNT`), repeat at most daily, give at most
/// [`MAX_OCCURRENCES`], and not make occurrences of `duration` overlap. The first start is
/// always the first occurrence.
pub fn occurrences(
    rule: &str,
    start: DateTime<Utc>,
    duration: chrono::Duration,
    tz: chrono_tz::Tz,
) -> Result<Vec<DateTime<Utc>>, Invalid> {
    let invalid = || Invalid::new("recurrence", "error-event-recurrence");
    let body = rule.trim();
    let body = match body.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("RRULE:") => &body[6..],
        _ => body,
    };
    let mut parts = Vec::new();
    let mut bounded = false;
    for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or_else(invalid)?;
        let key = key.trim().to_ascii_uppercase();
        let value = value.trim();
        match key.as_str() {
            "FREQ" => {
                if !matches!(
                    value.to_ascii_uppercase().as_str(),
                    "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY"
                ) {
                    return Err(Invalid::new(
                        "recurrence",
                        "error-event-recurrence-frequency",
                    ));
                }
                parts.push(format!("FREQ={}", value.to_ascii_uppercase()));
            }
            "UNTIL" => {
                bounded = true;
                parts.push(format!(
                    "UNTIL={}",
                    until_utc(value, tz).ok_or_else(invalid)?
                ));
            }
            "COUNT" => {
                bounded = true;
                parts.push(format!("COUNT={value}"));
            }
            // Sub-daily rules would make a feed of many events a day.
            "BYHOUR" | "BYMINUTE" | "BYSECOND" => return Err(invalid()),
            _ => parts.push(format!("{key}={value}")),
        }
    }
    if !bounded {
        return Err(Invalid::new(
            "recurrence",
            "error-event-recurrence-unbounded",
        ));
    }
    let parsed: rrule::RRule<rrule::Unvalidated> =
        parts.join(";").parse().map_err(|_| invalid())?;
    let dt_start = start.with_timezone(&rrule::Tz::Tz(tz));
    let set = parsed.build(dt_start).map_err(|_| invalid())?;
    let result = set.all(MAX_OCCURRENCES as u16 + 1);
    let mut starts: Vec<DateTime<Utc>> =
        result.dates.iter().map(|d| d.with_timezone(&Utc)).collect();
    if starts.first() != Some(&start) {
        starts.insert(0, start);
    }
    starts.dedup();
    if starts.len() > MAX_OCCURRENCES {
        return Err(
            Invalid::new("recurrence", "error-event-recurrence-too-many")
                .arg("max", MAX_OCCURRENCES),
        );
    }
    if starts.windows(2).any(|w| w[1] - w[0] < duration) {
        return Err(Invalid::new("recurrence", "error-event-recurrence-overlap"));
    }
    Ok(starts)
}

/// An `UNTIL` value in UTC (`20270626T215959Z`): kept when it has a `Z`, otherwise read as a
/// local date (until the end of that day) or local date-time in `tz`.
fn until_utc(value: &str, tz: chrono_tz::Tz) -> Option<String> {
    const UTC_FORMAT: &str = "%Y%m%dT%H%M%SZ";
    if value.ends_with(['Z', 'z']) {
        return Some(value.to_ascii_uppercase());
    }
    let naive = match chrono::NaiveDate::parse_from_str(value, "%Y%m%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d"))
    {
        Ok(day) => day.and_hms_opt(23, 59, 59)?,
        Err(_) => NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?,
    };
    let local = tz.from_local_datetime(&naive).latest()?;
    Some(local.with_timezone(&Utc).format(UTC_FORMAT).to_string())
}

/// The rule the web form's choices make: `repeat` is `daily`, `weekly`, `biweekly` or
/// `monthly` (empty: no recurrence), until the local date `until` (`2027-06-26`).
pub fn simple_rule(repeat: &str, until: &str) -> Result<Option<String>, Invalid> {
    let freq = match repeat.trim() {
        "" => return Ok(None),
        "daily" => "FREQ=DAILY",
        "weekly" => "FREQ=WEEKLY",
        "biweekly" => "FREQ=WEEKLY;INTERVAL=2",
        "monthly" => "FREQ=MONTHLY",
        _ => {
            return Err(Invalid::new(
                "recurrence",
                "error-event-recurrence-frequency",
            ));
        }
    };
    let until = until.trim();
    if until.is_empty() {
        return Err(Invalid::new(
            "repeat_until",
            "error-event-recurrence-unbounded",
        ));
    }
    let day = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d")
        .map_err(|_| Invalid::new("repeat_until", "error-event-time-invalid"))?;
    Ok(Some(format!("{freq};UNTIL={}", day.format("%Y%m%d"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_event_without_zone_takes_it_from_its_offset() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let paris = chrono_tz::Europe::Paris;
        assert_eq!(
            zone_of_offset(at("2026-12-12T18:30:00+01:00"), paris),
            paris
        );
        assert_eq!(
            zone_of_offset(at("2026-07-12T18:30:00+02:00"), paris),
            paris
        );
        assert_eq!(zone_of_offset(at("2026-12-12T17:30:00Z"), paris), paris);
        assert_eq!(
            zone_of_offset(at("2026-12-12T18:30:00-04:00"), paris).name(),
            "Etc/GMT+4"
        );
        // Summer time's offset in winter is not Paris: a fixed zone keeps the local hour.
        assert_eq!(
            zone_of_offset(at("2026-12-12T18:30:00+02:00"), paris).name(),
            "Etc/GMT-2"
        );
        assert_eq!(
            zone_of_offset(at("2026-12-12T18:30:00+05:30"), paris),
            chrono_tz::UTC
        );
    }

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

    #[test]
    fn a_rule_expands_into_occurrences_at_the_same_local_time() {
        let paris = parse_timezone("Europe/Paris").unwrap();
        // Saturday 2027-03-20 09:00 in Paris (winter), weekly until 2027-04-10 (summer time
        // from 2027-03-28): the Saturdays stay at 09:00 local.
        let start = parse_time("start_time", "2027-03-20T09:00", paris).unwrap();
        let hours = chrono::Duration::hours(3);
        let list = occurrences("FREQ=WEEKLY;UNTIL=20270410", start, hours, paris).unwrap();
        let local: Vec<String> = list
            .iter()
            .map(|t| t.with_timezone(&paris).format("%Y-%m-%d %H:%M").to_string())
            .collect();
        assert_eq!(
            local,
            [
                "2027-03-20 09:00",
                "2027-03-27 09:00",
                "2027-04-03 09:00",
                "2027-04-10 09:00"
            ]
        );
        let every_other =
            occurrences("RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3", start, hours, paris).unwrap();
        assert_eq!(every_other.len(), 3);
        // Four weeks on the wall clock: 28 days less the hour summer time took.
        assert_eq!(
            every_other[2] - every_other[0],
            chrono::Duration::days(28) - chrono::Duration::hours(1)
        );
        let key = |r: &str| occurrences(r, start, hours, paris).unwrap_err().key;
        assert_eq!(key("FREQ=WEEKLY"), "error-event-recurrence-unbounded");
        assert_eq!(
            key("FREQ=HOURLY;COUNT=3"),
            "error-event-recurrence-frequency"
        );
        assert_eq!(
            key("FREQ=DAILY;COUNT=500"),
            "error-event-recurrence-too-many"
        );
        assert_eq!(
            key("FREQ=DAILY;UNTIL=20300101"),
            "error-event-recurrence-too-many"
        );
        assert_eq!(key("FREQ=WEEKLY;UNTIL=demain"), "error-event-recurrence");
        assert_eq!(key("chaque samedi"), "error-event-recurrence");
        let long = chrono::Duration::hours(30);
        assert_eq!(
            occurrences("FREQ=DAILY;COUNT=3", start, long, paris)
                .unwrap_err()
                .key,
            "error-event-recurrence-overlap"
        );
        assert_eq!(
            simple_rule("biweekly", "2027-06-26").unwrap().as_deref(),
            Some("FREQ=WEEKLY;INTERVAL=2;UNTIL=20270626")
        );
        assert_eq!(simple_rule("", "").unwrap(), None);
        assert!(simple_rule("weekly", "").is_err());
        assert!(simple_rule("hourly", "2027-06-26").is_err());
    }
}
