//! Dates people read: a moment ("sam. 12 déc., 8 h 30" / "Sat 12 Dec, 8:30 AM"), a range
//! ("sam. 12 déc., 8 h – 10 h") and a relative time for posts and notifications ("il y a
//! 3 min", "hier"), in the reader's language and time zone.
//!
//! Every date is rendered as `<time datetime="…" title="…">visible</time>`: the `datetime`
//! attribute carries the exact local time with its offset (machines read it), the title the
//! full date and time with the zone's name (hover reads it). The HTML is built here, every
//! piece of text escaped here, and handed to templates as [`TimeHtml`], which askama does not
//! escape a second time.
//!
//! Day and month names and phrases ("il y a 3 min") are in the `web-dates.ftl` catalogs (two
//! languages: no locale crate is worth its weight for them); the order of the parts and the
//! clock's shape ("8 h 30", "8:30 AM") are here.

use crate::{domain::Locale, i18n};
use chrono::{DateTime, Datelike, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// HTML built by this module (text escaped, markup ours): templates print it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeHtml(String);

impl TimeHtml {
    /// Pieces this module built, joined by the caller with escaped text only.
    pub(super) fn from_built(html: String) -> TimeHtml {
        TimeHtml(html)
    }

    /// The HTML.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TimeHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

// Every string in a `TimeHtml` is built by this module from escaped text.
impl askama::filters::HtmlSafe for TimeHtml {}

/// Who reads the date: their language, their time zone, and the current time (Unix
/// microseconds, to say "il y a 3 min" and whether to show the year).
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    /// The page's language.
    pub locale: Locale,
    /// The reader's time zone.
    pub zone: Tz,
    /// The current time in Unix microseconds.
    pub now: i64,
}

/// The zones offered first in the time zone menu: metropolitan France and the overseas
/// departments and territories (their names are in the catalogs as `dates-zone-…`).
pub const FIRST_ZONES: [Tz; 9] = [
    chrono_tz::Europe::Paris,
    chrono_tz::America::Guadeloupe,
    chrono_tz::America::Martinique,
    chrono_tz::America::Cayenne,
    chrono_tz::Indian::Reunion,
    chrono_tz::Indian::Mayotte,
    chrono_tz::Pacific::Noumea,
    chrono_tz::Pacific::Tahiti,
    chrono_tz::America::Miquelon,
];

/// The regions the menu groups the other zones by (the IANA name's first part), each with its
/// catalog key; zones of no region (`UTC`, `Etc/…`, old aliases) come last, under "others".
pub const REGIONS: [(&str, &str); 9] = [
    ("Europe", "dates-region-europe"),
    ("America", "dates-region-america"),
    ("Africa", "dates-region-africa"),
    ("Indian", "dates-region-indian"),
    ("Pacific", "dates-region-pacific"),
    ("Asia", "dates-region-asia"),
    ("Atlantic", "dates-region-atlantic"),
    ("Australia", "dates-region-australia"),
    ("Antarctica", "dates-region-antarctica"),
];

/// The catalog key of a first zone's name ("Guadeloupe"); `None` for the others.
fn zone_key(zone: Tz) -> Option<String> {
    FIRST_ZONES.contains(&zone).then(|| {
        format!(
            "dates-zone-{}",
            zone.name().to_lowercase().replace('/', "-")
        )
    })
}

/// A zone's name in a menu: "Guadeloupe (UTC−4)" for the first zones, its IANA name
/// otherwise.
pub fn zone_label(locale: Locale, zone: Tz) -> String {
    match zone_key(zone) {
        Some(key) => format!(
            "{} ({})",
            i18n::t(locale, &key),
            offset_name(zone, Utc::now().timestamp_micros())
        ),
        None => zone.name().replace('_', " "),
    }
}

/// A zone named for a sentence: "Guadeloupe (America/Guadeloupe)" for the first zones, its
/// IANA name otherwise.
pub fn zone_name(locale: Locale, zone: Tz) -> String {
    match zone_key(zone) {
        Some(key) => format!("{} ({})", i18n::t(locale, &key), zone.name()),
        None => zone.name().to_string(),
    }
}

/// One group of the time zone menu: its label and its zones (value, label).
pub struct ZoneGroup {
    /// The group's label ("Fréquents", "Europe", ...).
    pub label: String,
    /// Its zones: the IANA name sent, and the label shown.
    pub zones: Vec<(String, String)>,
}

/// The time zone menu: France's zones first, then every other zone chrono-tz knows, grouped
/// by region.
pub fn zone_menu(locale: Locale) -> Vec<ZoneGroup> {
    let mut groups = vec![ZoneGroup {
        label: i18n::t(locale, "dates-first-zones"),
        zones: FIRST_ZONES
            .iter()
            .map(|z| (z.name().to_string(), zone_label(locale, *z)))
            .collect(),
    }];
    let mut others = Vec::new();
    for (region, key) in REGIONS {
        let prefix = format!("{region}/");
        let zones: Vec<(String, String)> = chrono_tz::TZ_VARIANTS
            .iter()
            .filter(|z| z.name().starts_with(&prefix) && !FIRST_ZONES.contains(z))
            .map(|z| {
                let name = z.name();
                (name.to_string(), name[prefix.len()..].replace('_', " "))
            })
            .collect();
        groups.push(ZoneGroup {
            label: i18n::t(locale, key),
            zones,
        });
    }
    for z in chrono_tz::TZ_VARIANTS.iter() {
        let in_region = REGIONS.iter().any(|(r, _)| {
            z.name()
                .strip_prefix(r)
                .is_some_and(|rest| rest.starts_with('/'))
        });
        if !in_region && !FIRST_ZONES.contains(z) {
            others.push((z.name().to_string(), z.name().replace('_', " ")));
        }
    }
    groups.push(ZoneGroup {
        label: i18n::t(locale, "dates-region-others"),
        zones: others,
    });
    groups
}

/// A zone's offset from UTC at a moment, as people read it: "UTC+1", "UTC−4", "UTC+5:30".
pub fn offset_name(zone: Tz, micros: i64) -> String {
    let secs = local(zone, micros).offset().fix().local_minus_utc();
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '\u{2212}' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

fn local(zone: Tz, micros: i64) -> DateTime<Tz> {
    crate::clock::to_datetime(micros).with_timezone(&zone)
}

/// No-break space: "8 h 30" and "8:30 AM" never break across lines.
const NBSP: char = '\u{a0}';

/// A day: "sam. 12 déc." / "Sat 12 Dec", with the year when asked; `long` spells the names
/// out ("samedi 12 décembre 2026").
fn date_text(locale: Locale, t: &DateTime<Tz>, year: bool, long: bool) -> String {
    let (day_key, month_key) = if long {
        ("dates-weekday", "dates-month")
    } else {
        ("dates-weekday-short", "dates-month-short")
    };
    let day = i18n::t(
        locale,
        &format!("{day_key}-{}", t.weekday().number_from_monday()),
    );
    let month = i18n::t(locale, &format!("{month_key}-{}", t.month()));
    let mut s = format!("{day} {}{NBSP}{month}", t.day());
    if year {
        s.push(NBSP);
        s.push_str(&t.year().to_string());
    }
    s
}

/// A time of day: "8 h", "8 h 30", "0 h 05" / "8:00 AM", "12:30 PM".
fn clock_text(locale: Locale, t: &DateTime<Tz>) -> String {
    let (h, m) = (t.hour(), t.minute());
    match locale {
        Locale::Fr if m == 0 => format!("{h}{NBSP}h"),
        Locale::Fr => format!("{h}{NBSP}h{NBSP}{m:02}"),
        Locale::En => {
            let (h12, half) = match h {
                0 => (12, "AM"),
                1..=11 => (h, "AM"),
                12 => (12, "PM"),
                _ => (h - 12, "PM"),
            };
            format!("{h12}:{m:02}{NBSP}{half}")
        }
    }
}

/// Whether a moment falls outside the reader's current year (then its year is shown).
fn other_year(r: &Reader, t: &DateTime<Tz>) -> bool {
    t.year() != local(t.timezone(), r.now).year()
}

/// A moment as the visible text says it: "sam. 12 déc., 8 h 30" / "Sat 12 Dec, 8:30 AM"; the
/// year only when it is not the current one.
pub fn moment_text(r: &Reader, micros: i64) -> String {
    moment_text_in(r, r.zone, micros)
}

fn moment_text_in(r: &Reader, zone: Tz, micros: i64) -> String {
    let t = local(zone, micros);
    format!(
        "{}, {}",
        date_text(r.locale, &t, other_year(r, &t), false),
        clock_text(r.locale, &t)
    )
}

/// The exact local date and time, for the title people see on hover: "samedi 12 décembre
/// 2026, 8 h 30 (Europe/Paris)".
pub fn exact_text(locale: Locale, zone: Tz, micros: i64) -> String {
    let t = local(zone, micros);
    format!(
        "{}, {} ({})",
        date_text(locale, &t, true, true),
        clock_text(locale, &t),
        zone.name()
    )
}

/// The `datetime` attribute: the local time with its offset, `2026-12-12T08:30:00+01:00`.
pub fn machine(zone: Tz, micros: i64) -> String {
    local(zone, micros)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Text made safe to put in HTML (element content and quoted attributes).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One `<time>` element.
fn time_element(locale: Locale, zone: Tz, micros: i64, visible: &str) -> String {
    format!(
        "<time datetime=\"{}\" title=\"{}\">{}</time>",
        escape(&machine(zone, micros)),
        escape(&exact_text(locale, zone, micros)),
        escape(visible)
    )
}

/// A moment in the reader's zone, as a `<time>` element.
pub fn moment(r: &Reader, micros: i64) -> TimeHtml {
    TimeHtml(time_element(
        r.locale,
        r.zone,
        micros,
        &moment_text(r, micros),
    ))
}

/// A day in the reader's zone, without its time: "sam. 12 déc.".
pub fn day(r: &Reader, micros: i64) -> TimeHtml {
    let t = local(r.zone, micros);
    let text = date_text(r.locale, &t, other_year(r, &t), false);
    TimeHtml(time_element(r.locale, r.zone, micros, &text))
}

/// The visible text of a range in `zone`: "sam. 12 déc., 8 h – 10 h" on one day, "sam. 12 déc.,
/// 20 h – dim. 13 déc., 2 h" across days; returned as the start's and the end's parts.
fn range_parts(r: &Reader, zone: Tz, start: i64, end: i64) -> (String, String) {
    let (s, e) = (local(zone, start), local(zone, end));
    let first = moment_text_in(r, zone, start);
    let last = if s.date_naive() == e.date_naive() {
        clock_text(r.locale, &e)
    } else {
        moment_text_in(r, zone, end)
    };
    (first, last)
}

/// A range in the reader's zone, as two `<time>` elements.
pub fn range(r: &Reader, start: i64, end: i64) -> TimeHtml {
    range_in(r, r.zone, start, end)
}

/// A range in its own zone (an event's): when that zone is not the reader's, it is named
/// after the range: "8 h – 10 h (heure de la Guadeloupe)", or "(UTC−4)" for zones without a
/// name in the catalogs.
pub fn range_in(r: &Reader, zone: Tz, start: i64, end: i64) -> TimeHtml {
    let (first, last) = range_parts(r, zone, start, end);
    let mut html = format!(
        "{} – {}",
        time_element(r.locale, zone, start, &first),
        time_element(r.locale, zone, end, &last)
    );
    if zone != r.zone {
        html.push_str(" (");
        html.push_str(&escape(&zone_time_name(r.locale, zone, start)));
        html.push(')');
    }
    TimeHtml(html)
}

/// "heure de la Guadeloupe" for the first zones, "UTC−4" for the others.
pub fn zone_time_name(locale: Locale, zone: Tz, micros: i64) -> String {
    match zone_key(zone) {
        Some(key) => i18n::t(locale, &format!("{key}-time")),
        None => offset_name(zone, micros),
    }
}

/// How long ago, for posts and notifications: "à l'instant", "il y a 3 min", "il y a 3 h",
/// "hier", then the day ("sam. 12 déc."); times in the future (a remote server's clock) are
/// shown as moments.
pub fn ago_text(r: &Reader, micros: i64) -> String {
    let secs = r.now.saturating_sub(micros) / 1_000_000;
    if secs < -60 {
        return moment_text(r, micros);
    }
    if secs < 60 {
        return i18n::t(r.locale, "dates-just-now");
    }
    if secs < 3600 {
        return i18n::t_args(
            r.locale,
            "dates-minutes-ago",
            &[("count", (secs / 60).to_string())],
        );
    }
    if secs < 24 * 3600 {
        return i18n::t_args(
            r.locale,
            "dates-hours-ago",
            &[("count", (secs / 3600).to_string())],
        );
    }
    let (t, today) = (local(r.zone, micros), local(r.zone, r.now));
    if today.date_naive().pred_opt() == Some(t.date_naive()) {
        return i18n::t(r.locale, "dates-yesterday");
    }
    date_text(r.locale, &t, other_year(r, &t), false)
}

/// [`ago_text`] as a `<time>` element.
pub fn ago(r: &Reader, micros: i64) -> TimeHtml {
    TimeHtml(time_element(r.locale, r.zone, micros, &ago_text(r, micros)))
}

/// A translated sentence with a `<time>` element in it (`Se termine sam. 12 déc., 8 h`): the
/// sentence is translated with a marker in place of the date, escaped, and the marker replaced
/// by the element.
pub fn sentence(locale: Locale, key: &str, name: &str, time: &TimeHtml) -> TimeHtml {
    const MARKER: &str = "\u{e000}";
    let text = i18n::t_args(locale, key, &[(name, MARKER.to_string())]);
    TimeHtml(escape(&text).replace(MARKER, time.as_str()))
}

/// A form field's value for `datetime-local` in a zone: `2026-12-12T08:30`.
pub fn input_value(zone: Tz, micros: i64) -> String {
    local(zone, micros).format("%Y-%m-%dT%H:%M").to_string()
}

/// A form field's value for `date` in a zone: `2026-12-12`.
pub fn input_date(zone: Tz, micros: i64) -> String {
    local(zone, micros).format("%Y-%m-%d").to_string()
}

/// Today in a zone (the agenda's "this month").
pub fn today(zone: Tz) -> chrono::NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

/// The first moment of a local day in a zone, in Unix microseconds (a day that starts in a
/// clock change's gap starts at its first existing moment).
pub fn day_start(zone: Tz, day: chrono::NaiveDate) -> i64 {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or(0, |t| t.timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe};

    fn at(zone: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        zone.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .earliest()
            .expect("a local time that exists")
            .timestamp_micros()
    }

    fn reader(locale: Locale, zone: Tz, now: i64) -> Reader {
        Reader { locale, zone, now }
    }

    /// The visible text, spaces made plain for readable assertions.
    fn plain(s: String) -> String {
        s.replace(NBSP, " ")
    }

    #[test]
    fn a_moment_in_french_and_english_without_the_current_year() {
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let t = at(Europe::Paris, 2026, 12, 12, 8, 30);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let en = reader(Locale::En, Europe::Paris, now);
        assert_eq!(plain(moment_text(&fr, t)), "sam. 12 déc., 8 h 30");
        assert_eq!(plain(moment_text(&en, t)), "Sat 12 Dec, 8:30 AM");
        let whole = at(Europe::Paris, 2026, 12, 12, 8, 0);
        assert_eq!(plain(moment_text(&fr, whole)), "sam. 12 déc., 8 h");
        let five_past = at(Europe::Paris, 2026, 12, 12, 14, 5);
        assert_eq!(plain(moment_text(&fr, five_past)), "sam. 12 déc., 14 h 05");
        assert_eq!(plain(moment_text(&en, five_past)), "Sat 12 Dec, 2:05 PM");
    }

    #[test]
    fn midnight_and_noon() {
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let en = reader(Locale::En, Europe::Paris, now);
        let midnight = at(Europe::Paris, 2026, 12, 13, 0, 0);
        assert_eq!(plain(moment_text(&fr, midnight)), "dim. 13 déc., 0 h");
        assert_eq!(plain(moment_text(&en, midnight)), "Sun 13 Dec, 12:00 AM");
        let noon = at(Europe::Paris, 2026, 12, 13, 12, 0);
        assert_eq!(plain(moment_text(&en, noon)), "Sun 13 Dec, 12:00 PM");
        // One microsecond before midnight is still the day before.
        let r = plain(moment_text(&fr, midnight - 1));
        assert_eq!(r, "sam. 12 déc., 23 h 59");
    }

    #[test]
    fn the_year_shows_only_when_it_is_not_the_current_one() {
        let now = at(Europe::Paris, 2026, 12, 31, 23, 30);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let next = at(Europe::Paris, 2027, 1, 1, 0, 30);
        assert_eq!(plain(moment_text(&fr, next)), "ven. 1 janv. 2027, 0 h 30");
        let last = at(Europe::Paris, 2025, 12, 31, 23, 0);
        assert_eq!(plain(moment_text(&fr, last)), "mer. 31 déc. 2025, 23 h");
        // The year boundary is the reader's: at 00:30 on 1 January in Paris it is still
        // 31 December in UTC, so the same evening shows its year to one and not the other.
        let now = at(Europe::Paris, 2027, 1, 1, 0, 30);
        let evening = at(Europe::Paris, 2026, 12, 31, 20, 0);
        let paris = reader(Locale::En, Europe::Paris, now);
        let utc = reader(Locale::En, chrono_tz::UTC, now);
        assert_eq!(
            plain(moment_text(&paris, evening)),
            "Thu 31 Dec 2026, 8:00 PM"
        );
        assert_eq!(plain(moment_text(&utc, evening)), "Thu 31 Dec, 7:00 PM");
    }

    #[test]
    fn ranges_on_one_day_and_across_days() {
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let (a, b) = range_parts(
            &fr,
            Europe::Paris,
            at(Europe::Paris, 2026, 12, 12, 8, 30),
            at(Europe::Paris, 2026, 12, 12, 10, 0),
        );
        assert_eq!(plain(format!("{a} – {b}")), "sam. 12 déc., 8 h 30 – 10 h");
        let (a, b) = range_parts(
            &fr,
            Europe::Paris,
            at(Europe::Paris, 2026, 12, 12, 20, 0),
            at(Europe::Paris, 2026, 12, 13, 2, 0),
        );
        assert_eq!(
            plain(format!("{a} – {b}")),
            "sam. 12 déc., 20 h – dim. 13 déc., 2 h"
        );
        let en = reader(Locale::En, Europe::Paris, now);
        let html = range(
            &en,
            at(Europe::Paris, 2026, 12, 12, 8, 0),
            at(Europe::Paris, 2026, 12, 12, 10, 0),
        );
        assert!(html.as_str().contains(">Sat 12\u{a0}Dec, 8:00\u{a0}AM</time> – <time datetime=\"2026-12-12T10:00:00+01:00\""), "{html}");
    }

    #[test]
    fn an_event_in_another_zone_names_it() {
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let start = at(America::Guadeloupe, 2026, 12, 12, 8, 0);
        let end = at(America::Guadeloupe, 2026, 12, 12, 10, 0);
        let html = range_in(&fr, America::Guadeloupe, start, end);
        assert!(
            html.as_str()
                .contains("datetime=\"2026-12-12T08:00:00-04:00\""),
            "{html}"
        );
        assert!(
            html.as_str().ends_with(" (heure de la Guadeloupe)"),
            "{html}"
        );
        // A zone without a name in the catalogs is named by its offset.
        let html = range_in(&fr, chrono_tz::Asia::Kolkata, start, end);
        assert!(html.as_str().ends_with(" (UTC+5:30)"), "{html}");
        // The reader's own zone is not named.
        let html = range_in(&fr, Europe::Paris, start, end);
        assert!(html.as_str().ends_with("</time>"), "{html}");
        assert_eq!(offset_name(America::Guadeloupe, start), "UTC\u{2212}4");
    }

    #[test]
    fn clock_changes_move_the_offset_not_the_local_time() {
        // Paris leaves summer time on 25 October 2026 at 03:00 (back to 02:00).
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let before = at(Europe::Paris, 2026, 10, 24, 9, 0);
        let after = at(Europe::Paris, 2026, 10, 26, 9, 0);
        assert_eq!(machine(Europe::Paris, before), "2026-10-24T09:00:00+02:00");
        assert_eq!(machine(Europe::Paris, after), "2026-10-26T09:00:00+01:00");
        assert_eq!(plain(moment_text(&fr, before)), "sam. 24 oct., 9 h");
        assert_eq!(plain(moment_text(&fr, after)), "lun. 26 oct., 9 h");
        // The repeated hour: 02:30 happens twice, an hour apart, with two offsets.
        let first = Europe::Paris
            .with_ymd_and_hms(2026, 10, 25, 2, 30, 0)
            .earliest()
            .unwrap()
            .timestamp_micros();
        let second = first + 3_600_000_000;
        assert_eq!(machine(Europe::Paris, first), "2026-10-25T02:30:00+02:00");
        assert_eq!(machine(Europe::Paris, second), "2026-10-25T02:30:00+01:00");
        // A range over the night of the change stays on one day: 1 h – 4 h is 4 hours long.
        let (a, b) = range_parts(
            &fr,
            Europe::Paris,
            at(Europe::Paris, 2026, 10, 25, 1, 0),
            at(Europe::Paris, 2026, 10, 25, 4, 0),
        );
        assert_eq!(plain(format!("{a} – {b}")), "dim. 25 oct., 1 h – 4 h");
        // The day of the spring change starts at midnight, like any other.
        let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        assert_eq!(
            machine(Europe::Paris, day_start(Europe::Paris, day)),
            "2027-03-28T00:00:00+01:00"
        );
    }

    #[test]
    fn relative_times() {
        let now = at(Europe::Paris, 2026, 12, 12, 10, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let en = reader(Locale::En, Europe::Paris, now);
        let min = 60_000_000;
        assert_eq!(
            ago_text(&fr, now - 20_000_000),
            i18n::t(Locale::Fr, "dates-just-now")
        );
        assert_eq!(
            ago_text(&fr, now - 3 * min),
            i18n::t_args(Locale::Fr, "dates-minutes-ago", &[("count", "3".into())])
        );
        assert_eq!(
            ago_text(&en, now - 3 * 60 * min - 5),
            i18n::t_args(Locale::En, "dates-hours-ago", &[("count", "3".into())])
        );
        // Yesterday in the reader's zone, more than a day ago.
        let yesterday = at(Europe::Paris, 2026, 12, 11, 8, 0);
        assert_eq!(
            ago_text(&fr, yesterday),
            i18n::t(Locale::Fr, "dates-yesterday")
        );
        // Then the day.
        let before = at(Europe::Paris, 2026, 12, 9, 8, 0);
        assert_eq!(plain(ago_text(&fr, before)), "mer. 9 déc.");
        assert_eq!(plain(ago_text(&en, before)), "Wed 9 Dec");
        // A date in the future (another server's clock) is a plain moment.
        let future = at(Europe::Paris, 2026, 12, 12, 18, 0);
        assert_eq!(plain(ago_text(&fr, future)), "sam. 12 déc., 18 h");
    }

    #[test]
    fn the_element_carries_the_exact_time_and_escapes_what_it_prints() {
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let t = at(Europe::Paris, 2026, 12, 12, 8, 30);
        assert_eq!(
            moment(&fr, t).as_str(),
            "<time datetime=\"2026-12-12T08:30:00+01:00\" title=\"samedi 12\u{a0}décembre\u{a0}2026, 8\u{a0}h\u{a0}30 (Europe/Paris)\">sam. 12\u{a0}déc., 8\u{a0}h\u{a0}30</time>"
        );
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn a_date_in_a_sentence_is_an_element_in_escaped_text() {
        let now = at(Europe::Paris, 2026, 12, 1, 12, 0);
        let fr = reader(Locale::Fr, Europe::Paris, now);
        let t = at(Europe::Paris, 2026, 12, 12, 8, 0);
        let html = sentence(Locale::Fr, "poll-ends", "when", &moment(&fr, t));
        assert!(
            html.as_str()
                .starts_with("Se termine <time datetime=\"2026-12-12T08:00:00+01:00\""),
            "{html}"
        );
        assert!(
            html.as_str()
                .ends_with(">sam. 12\u{a0}déc., 8\u{a0}h</time>"),
            "{html}"
        );
    }

    #[test]
    fn extreme_stored_times_do_not_panic() {
        let fr = reader(Locale::Fr, Europe::Paris, 0);
        for t in [i64::MIN, -1, 0, i64::MAX] {
            let _ = moment(&fr, t);
            let _ = ago(&fr, t);
            let _ = range(&fr, t, t);
        }
    }
}
