//! Events as others read them: the when-and-where line (which starts an event's text) and the
//! summary line Mastodon shows, an iCalendar document, and the participants as CSV.

use super::{Event, participants};
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::EventRow},
    domain::{Locale, event::EventStatus},
    error::AppResult,
    i18n,
    service::groups,
    state::AppState,
};

/// An event's summary line (when, where, how to sign up): Mastodon shows an event's `name`
/// and `summary` only, so everything needed is here. In `locale`, the instance's
/// `default_locale`: the line federates, the same to every server.
pub fn summary_line(locale: Locale, row: &EventRow, url: &str) -> String {
    format!("{} · ✋ {url}", when_where(locale, row))
}

/// When and where, on one line (`📅 2026-12-05 09:00 – 12:00 (Europe/Paris) · 📍 place`), its
/// few words (a cancelled event's mark) in `locale`: the instance's `default_locale` where the
/// line starts an event's text, which federates.
pub fn when_where(locale: Locale, row: &EventRow) -> String {
    let tz = row.timezone.0;
    let start = clock::to_datetime(row.starts_at).with_timezone(&tz);
    let end = clock::to_datetime(row.ends_at).with_timezone(&tz);
    let when = if start.date_naive() == end.date_naive() {
        format!(
            "{} – {}",
            start.format("%Y-%m-%d %H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%Y-%m-%d %H:%M"),
            end.format("%Y-%m-%d %H:%M")
        )
    };
    let mut parts = vec![format!("📅 {when} ({})", row.timezone)];
    parts.extend(where_parts(row));
    if row.status == EventStatus::Cancelled {
        parts.insert(
            0,
            format!("❌ {}", i18n::t(locale, "event-summary-cancelled")),
        );
    }
    parts.join(" · ")
}

/// What the organizer wrote about a local event: its text without the when-and-where line
/// that starts it (in the instance's `locale`, as `create` and `change` write it; a cancelled
/// event's text keeps the line it had). `None` when the text does not start with that line
/// (an event from elsewhere, or written before the line existed).
pub fn description<'a>(locale: Locale, row: &EventRow, source: &'a str) -> Option<&'a str> {
    let mut lines = vec![when_where(locale, row)];
    if row.status == EventStatus::Cancelled {
        let mut on = row.clone();
        on.status = EventStatus::Confirmed;
        lines.push(when_where(locale, &on));
    }
    lines.iter().find_map(|line| {
        let rest = source.strip_prefix(line.as_str())?;
        (rest.is_empty() || rest.starts_with('\n')).then(|| rest.trim_start_matches('\n'))
    })
}

/// A local event's rendered text without its first paragraph when that paragraph is the
/// when-and-where line (`description`): our own pages say when and where themselves, the
/// line is for servers that show only the text. Other events' text is shown whole.
pub fn description_html<'a>(
    locale: Locale,
    row: &EventRow,
    source: Option<&str>,
    html: &'a str,
) -> &'a str {
    if source.and_then(|s| description(locale, row, s)).is_none() {
        return html;
    }
    match html.strip_prefix("<p>").and_then(|h| h.split_once("</p>")) {
        Some((_, rest)) => rest.trim_start(),
        None => html,
    }
}

/// Where an event happens, as people read it: "📍 place, street, postcode, town" and
/// "🔗 link", each when known.
pub fn where_parts(row: &EventRow) -> Vec<String> {
    let mut parts = Vec::new();
    let place: Vec<&str> = [
        row.place_name.as_deref(),
        row.street.as_deref(),
        row.postcode.as_deref(),
        row.locality.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect();
    if !place.is_empty() {
        parts.push(format!("📍 {}", place.join(", ")));
    }
    if let Some(online) = &row.online_url {
        parts.push(format!("🔗 {online}"));
    }
    parts
}

/// Events as an iCalendar (RFC 5545) document that phone calendars can subscribe to. Times
/// are in UTC (`...Z`, valid without a VTIMEZONE); the organizer's zone is named in
/// `X-WR-TIMEZONE` for clients that show it.
pub fn icalendar(name: &str, list: &[Event]) -> String {
    use icalendar::{Calendar, Component, EventLike};
    let mut calendar = Calendar::new();
    calendar.name(name);
    if let Some(first) = list.first() {
        calendar.timezone(first.row.timezone.as_str());
    }
    for e in list {
        let url = e.status.url.clone().unwrap_or_else(|| e.status.uri.clone());
        let place: Vec<&str> = [
            e.row.place_name.as_deref(),
            e.row.street.as_deref(),
            e.row.postcode.as_deref(),
            e.row.locality.as_deref(),
        ]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
        let mut event = icalendar::Event::new();
        event
            .uid(&e.status.uri)
            .summary(&e.row.name)
            .description(&format!(
                "{}\n\n{url}",
                crate::domain::html::to_plain_text(&e.status.content)
            ))
            .starts(clock::to_datetime(e.row.starts_at))
            .ends(clock::to_datetime(e.row.ends_at))
            .timestamp(clock::to_datetime(
                e.row.updated_at.max(e.status.created_at),
            ))
            .url(&url)
            .status(match e.status() {
                EventStatus::Confirmed => icalendar::EventStatus::Confirmed,
                EventStatus::Tentative => icalendar::EventStatus::Tentative,
                EventStatus::Cancelled => icalendar::EventStatus::Cancelled,
            });
        if !place.is_empty() {
            event.location(&place.join(", "));
        } else if let Some(online) = &e.row.online_url {
            event.location(online);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// The participants as CSV (organizers): handle, name, state, attendance, message, date.
/// Cells that a spreadsheet would run as formulas are quoted.
pub async fn participants_csv(
    state: &AppState,
    who: &AccountRow,
    event: &Event,
) -> AppResult<String> {
    let rows = participants(state, who, event).await?;
    let ids: Vec<i64> = rows.iter().map(|p| p.account_id).collect();
    let accounts = db::accounts::by_ids(state.pool(), &ids).await?;
    let mut out = String::from("handle,display_name,state,attended,message,requested_at\r\n");
    for p in &rows {
        let Some(a) = accounts.iter().find(|a| a.id == p.account_id) else {
            continue;
        };
        let handle = a.acct(&state.config.domain);
        let attended = match p.attended {
            Some(1) => "yes",
            Some(_) => "no",
            None => "",
        };
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            groups::csv_field(&handle),
            groups::csv_field(&a.display_name),
            p.state,
            attended,
            groups::csv_field(&p.message),
            clock::to_rfc3339(p.created_at),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{EventJoinMode, Zone};

    fn row(status: EventStatus) -> EventRow {
        EventRow {
            status_id: 1,
            name: "Réunion".into(),
            // 2026-12-05 08:00 UTC: 09:00 in Paris.
            starts_at: 1_796_457_600_000_000,
            ends_at: 1_796_457_600_000_000 + 3 * 3_600_000_000,
            timezone: Zone(chrono_tz::Europe::Paris),
            status,
            join_mode: EventJoinMode::Free,
            external_url: None,
            capacity: None,
            category: None,
            place_name: Some("Salle des fêtes".into()),
            street: None,
            departement: None,
            postcode: Some("69001".into()),
            locality: Some("Lyon".into()),
            latitude: None,
            longitude: None,
            online_url: None,
            organizer_id: None,
            is_mission: 0,
            mission_id: None,
            remote_participants: None,
            updated_at: 0,
            series_id: None,
            recurrence: None,
        }
    }

    #[test]
    fn our_pages_show_the_description_without_the_line_for_other_servers() {
        let on = row(EventStatus::Confirmed);
        let line = when_where(Locale::Fr, &on);
        let text = format!("{line}\n\nAvec les tracts");
        assert_eq!(description(Locale::Fr, &on, &text), Some("Avec les tracts"));
        assert_eq!(description(Locale::Fr, &on, &line), Some(""));
        // Cancelled later: the text still starts with the line it was written with.
        let cancelled = row(EventStatus::Cancelled);
        assert_eq!(
            description(Locale::Fr, &cancelled, &text),
            Some("Avec les tracts")
        );
        // A text that does not start with the line is the organizer's own, whole.
        assert_eq!(description(Locale::Fr, &on, "📅 demain"), None);
        let html = "<p>📅 ligne</p><p>Avec les <a href=\"#\">tracts</a></p>";
        assert_eq!(
            description_html(Locale::Fr, &on, Some(&text), html),
            "<p>Avec les <a href=\"#\">tracts</a></p>"
        );
        assert_eq!(description_html(Locale::Fr, &on, None, html), html);
    }

    #[test]
    fn the_summary_line_says_when_where_and_how_to_take_part() {
        let line = summary_line(
            Locale::Fr,
            &row(EventStatus::Confirmed),
            "https://example.org/e/1",
        );
        assert_eq!(
            line,
            "📅 2026-12-05 09:00 – 12:00 (Europe/Paris) · 📍 Salle des fêtes, 69001, Lyon \
             · ✋ https://example.org/e/1"
        );
    }

    #[test]
    fn a_cancelled_event_is_marked_in_the_language_asked_for() {
        let cancelled = row(EventStatus::Cancelled);
        assert!(when_where(Locale::Fr, &cancelled).starts_with("❌ ANNULÉ · 📅 "));
        assert!(when_where(Locale::En, &cancelled).starts_with("❌ CANCELLED · 📅 "));
        // The federated summary is in French until its caller passes the instance's language.
        assert!(summary_line(Locale::Fr, &cancelled, "u").starts_with("❌ ANNULÉ"));
        assert!(summary_line(Locale::En, &cancelled, "u").starts_with("❌ CANCELLED"));
    }
}
