//! The agenda: the events a visitor may see, as a list (filtered by kind, group, place and
//! dates, paged) or a month grid; for signed-in people, theirs and their private calendar link.

use super::{EventCard, cards, page::JoinForm, viewer};
use crate::web::dates::{day_start, today};
use crate::{
    clock, db,
    error::{AppError, AppResult},
    service::{events, groups},
    state::AppState,
    web::{Ctx, form::CsrfForm, redirect_with_flash},
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    c: Ctx,
    q: AgendaQuery,
    /// The list view's events, or a month's.
    upcoming: Vec<EventCard>,
    /// The month view: weeks of days (none outside the month), each with its events.
    weeks: Vec<Vec<Option<AgendaDay>>>,
    /// The month shown (`décembre 2026` is built by the template from these).
    month: Option<(i32, u32)>,
    /// Where the next page of the list view starts, when there is one.
    more: Option<i64>,
    error: Option<String>,
    mine: Vec<EventCard>,
    /// When the private calendar link was made, if there is one.
    link_made: Option<i64>,
    /// A link just made (shown once).
    new_link: Option<String>,
}

/// One day of the month view.
pub struct AgendaDay {
    day: u32,
    today: bool,
    events: Vec<EventCard>,
}

/// The agenda's filters, in its address (`/agenda?view=month&month=2026-12&kind=mission`).
#[derive(Deserialize, Default, Clone)]
pub struct AgendaQuery {
    /// `list` (default) or `month`.
    #[serde(default)]
    view: String,
    /// The month shown (`2026-12`; default: this month).
    #[serde(default)]
    month: String,
    /// `event`, `mission`, or empty.
    #[serde(default)]
    kind: String,
    /// A group's handle: its agenda (a federation's includes its sections').
    #[serde(default)]
    group: String,
    /// A postcode or département.
    #[serde(default)]
    place: String,
    /// From this date (`2026-12-01`; default: now).
    #[serde(default)]
    from: String,
    /// Until this date, included.
    #[serde(default)]
    to: String,
    /// Where the list view's page starts (the next page's link carries it).
    #[serde(default)]
    offset: i64,
}

/// Events per page of the list view.
const AGENDA_PAGE: i64 = 50;

impl AgendaPage {
    fn month_view(&self) -> bool {
        self.month.is_some()
    }

    fn kinds(&self) -> [&'static str; 3] {
        ["", "event", "mission"]
    }

    fn kind_label(&self, k: &str) -> String {
        self.c.t(if k.is_empty() {
            "agenda-kind-all"
        } else {
            match k {
                "mission" => "agenda-kind-mission",
                _ => "agenda-kind-event",
            }
        })
    }

    fn month_title(&self) -> String {
        let Some((y, m)) = self.month else {
            return String::new();
        };
        format!("{} {y}", self.c.t(&format!("month-{m}")))
    }

    fn weekdays(&self) -> Vec<String> {
        (1..=7).map(|d| self.c.t(&format!("weekday-{d}"))).collect()
    }

    /// This agenda's address with some filters changed.
    fn link(&self, changes: &[(&str, &str)]) -> String {
        let q = &self.q;
        let mut pairs: Vec<(&str, String)> = vec![
            ("view", q.view.clone()),
            ("month", q.month.clone()),
            ("kind", q.kind.clone()),
            ("group", q.group.clone()),
            ("place", q.place.clone()),
            ("from", q.from.clone()),
            ("to", q.to.clone()),
        ];
        for (k, v) in changes {
            if let Some(p) = pairs.iter_mut().find(|(key, _)| key == k) {
                p.1 = v.to_string();
            } else {
                pairs.push((k, v.to_string()));
            }
        }
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            s.append_pair(k, v);
        }
        let query = s.finish();
        if query.is_empty() {
            "/agenda".into()
        } else {
            format!("/agenda?{query}")
        }
    }

    fn list_link(&self) -> String {
        self.link(&[("view", ""), ("month", "")])
    }

    fn month_view_link(&self) -> String {
        self.link(&[("view", "month"), ("from", ""), ("to", "")])
    }

    fn next_page(&self) -> String {
        let next = self.more.unwrap_or_default().to_string();
        self.link(&[("offset", &next)])
    }

    fn month_link(&self, delta: i32) -> String {
        let Some((y, m)) = self.month else {
            return "/agenda".into();
        };
        let index = y * 12 + m as i32 - 1 + delta;
        let month = format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1);
        self.link(&[("view", "month"), ("month", &month)])
    }
}

/// `GET /agenda`: events the visitor may see, as a list (upcoming, filtered by kind, group,
/// place and dates, paged) or a month; and for signed-in people, theirs and their private
/// calendar link.
pub async fn agenda(
    State(state): State<AppState>,
    c: Ctx,
    Query(q): Query<AgendaQuery>,
) -> AppResult<Response> {
    Ok(crate::web::render(&agenda_page(&state, c, q, None).await?))
}

/// `POST /agenda/calendar-link`: a new private calendar link (the old one stops working),
/// shown once; `POST /agenda/calendar-link/revoke` ends it.
pub async fn calendar_link(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    let token = events::new_calendar_link(&state, &me).await?;
    let link = state.config.url(&format!("/calendar/{token}/events.ics"));
    let page = agenda_page(&state, c, AgendaQuery::default(), Some(link)).await?;
    Ok(crate::web::render(&page))
}

/// `POST /agenda/calendar-link/revoke`.
pub async fn revoke_calendar_link(
    State(state): State<AppState>,
    c: Ctx,
    CsrfForm(_): CsrfForm<JoinForm>,
) -> AppResult<Response> {
    let me = c.me()?;
    events::revoke_calendar_link(&state, &me).await?;
    Ok(redirect_with_flash(
        &state,
        "/agenda",
        "flash-calendar-link-revoked",
    ))
}

/// The search an agenda's filters make (refusals name the filter).
async fn agenda_search(
    state: &AppState,
    zone: chrono_tz::Tz,
    viewer: Option<i64>,
    q: &AgendaQuery,
) -> AppResult<db::events::Search> {
    use crate::domain::Invalid;
    let date = |field: &'static str, s: &str| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .ok()
            .filter(in_agenda_years)
            .ok_or_else(|| AppError::invalid(vec![Invalid::new(field, "error-event-time-invalid")]))
    };
    let mut search = db::events::Search {
        from: Some(clock::now()),
        limit: AGENDA_PAGE,
        offset: q.offset.max(0),
        ..Default::default()
    };
    if !q.from.trim().is_empty() {
        search.from = Some(day_start(zone, date("from", &q.from)?));
    }
    if !q.to.trim().is_empty() {
        search.to = Some(day_start(zone, date("to", &q.to)? + chrono::Days::new(1)));
    }
    search.missions = match q.kind.trim() {
        "" => None,
        "mission" => Some(true),
        "event" => Some(false),
        _ => {
            return Err(AppError::invalid(vec![Invalid::new(
                "kind",
                "error-event-kind",
            )]));
        }
    };
    if !q.group.trim().is_empty() {
        let group = groups::find(state, q.group.trim(), viewer.is_some()).await?;
        search.organizers = events::agenda_organizers(state, &group).await?;
    }
    if !q.place.trim().is_empty() {
        search.departement = Some(
            crate::domain::group::departement_filter(&q.place)
                .map_err(|e| AppError::invalid(vec![e]))?,
        );
    }
    Ok(search)
}

/// Dates the agenda reads (date arithmetic far beyond would overflow).
fn in_agenda_years(d: &chrono::NaiveDate) -> bool {
    use chrono::Datelike;
    (1970..=9999).contains(&d.year())
}

/// The month a month view shows: `2026-12`, or this month.
fn month_of(zone: chrono_tz::Tz, s: &str) -> AppResult<(i32, u32)> {
    use chrono::Datelike;
    if s.trim().is_empty() {
        let today = today(zone);
        return Ok((today.year(), today.month()));
    }
    chrono::NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .ok()
        .filter(in_agenda_years)
        .map(|d| (d.year(), d.month()))
        .ok_or_else(|| {
            AppError::invalid(vec![crate::domain::Invalid::new(
                "month",
                "error-event-time-invalid",
            )])
        })
}

/// A month's weeks, Monday first, each day with the events starting on it.
fn month_grid(
    zone: chrono_tz::Tz,
    year: i32,
    month: u32,
    list: Vec<EventCard>,
) -> Vec<Vec<Option<AgendaDay>>> {
    use chrono::Datelike;
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let today = today(zone);
    let mut days: Vec<Option<AgendaDay>> = (0..first.weekday().num_days_from_monday())
        .map(|_| None)
        .collect();
    let mut list = list.into_iter().peekable();
    let mut day = first;
    while day.month() == month {
        let mut events = Vec::new();
        while let Some(card) = list.peek() {
            let starts = clock::to_datetime(card.event.row.starts_at)
                .with_timezone(&zone)
                .date_naive();
            if starts > day {
                break;
            }
            // Events that started before the month show on its first day.
            events.extend(list.next());
        }
        days.push(Some(AgendaDay {
            day: day.day(),
            today: day == today,
            events,
        }));
        day = day.succ_opt().unwrap_or(day);
        if day.day() == 1 {
            break;
        }
    }
    while !days.len().is_multiple_of(7) {
        days.push(None);
    }
    let mut weeks = Vec::new();
    let mut iter = days.into_iter();
    loop {
        let week: Vec<_> = iter.by_ref().take(7).collect();
        if week.is_empty() {
            break;
        }
        weeks.push(week);
    }
    weeks
}

async fn agenda_page(
    state: &AppState,
    c: Ctx,
    q: AgendaQuery,
    new_link: Option<String>,
) -> AppResult<AgendaPage> {
    let v = viewer(&c);
    // Days typed in filters and the month view's days are the reader's.
    let zone = c.zone;
    let mut error = None;
    let (mut upcoming, mut weeks, mut month, mut more) = (Vec::new(), Vec::new(), None, None);
    let search = match agenda_search(state, zone, v, &q).await {
        Ok(search) => Some(search),
        Err(e) if e.status.is_client_error() => {
            error = Some(e.message(c.locale));
            None
        }
        Err(e) => return Err(e),
    };
    let month_asked = if q.view == "month" {
        match month_of(zone, &q.month) {
            Ok(m) => Some(m),
            Err(e) => {
                error = Some(e.message(c.locale));
                None
            }
        }
    } else {
        None
    };
    if let Some(mut search) = search {
        if let Some((y, m)) = month_asked {
            let first = chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
            let next = first + chrono::Months::new(1);
            search.from = Some(day_start(zone, first));
            search.to = Some(day_start(zone, next));
            search.limit = 500;
            search.offset = 0;
            let list = cards(state, events::search(state, v, search).await?).await?;
            weeks = month_grid(zone, y, m, list);
            month = Some((y, m));
        } else {
            let (list, next) = events::search_page(state, v, search, AGENDA_PAGE as usize).await?;
            more = next;
            upcoming = cards(state, list).await?;
        }
    }
    let mut mine_list = Vec::new();
    if let Some(v) = v {
        for id in events::events_of(state, v).await? {
            if let Ok(e) = events::get(state, Some(v), id).await
                && e.row.ends_at > clock::now()
            {
                mine_list.push(e);
            }
        }
        mine_list.sort_by_key(|e| e.row.starts_at);
    }
    let mine = cards(state, mine_list).await?;
    let link_made = match v {
        Some(v) => events::calendar_link_made(state, v).await?,
        None => None,
    };
    Ok(AgendaPage {
        c,
        q,
        upcoming,
        weeks,
        month,
        more,
        error,
        mine,
        link_made,
        new_link,
    })
}
