//! Events as others read them: the when-and-where line (which starts an event's text) and the
//! summary line Mastodon shows, an iCalendar document, and the participants as CSV.

use super::{Event, participants};
use crate::{
    clock,
    db::{self, accounts::AccountRow, events::EventRow},
    domain::event::EventStatus,
    error::AppResult,
    service::groups,
    state::AppState,
};

/// The line Mastodon readers see under the name: when, where, how to take part. Mastodon
/// shows an event's `name` and `summary` only, so everything needed is here.
pub fn summary_line(row: &EventRow, url: &str) -> String {
    format!("{} · ✋ {url}", when_where(row))
}

/// When and where, on one line (`📅 2026-12-05 09:00 – 12:00 (Europe/Paris) · 📍 place`).
pub fn when_where(row: &EventRow) -> String {
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
    if row.status == EventStatus::Cancelled {
        parts.insert(0, "❌ CANCELLED / ANNULÉ".to_string());
    }
    parts.join(" · ")
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
        let handle = match &a.domain {
            Some(d) => format!("{}@{d}", a.username),
            None => format!("{}@{}", a.username, state.config.domain),
        };
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
