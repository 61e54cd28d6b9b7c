//! The dashboard at the top of the administration page (`/admin`): the figures of
//! `service::dashboard`, put in words of the visitor's language.

use super::Ctx;
use crate::{
    db::dashboard::Queue,
    error::AppResult,
    service::dashboard::{self, QUEUE_COUNT_CAP},
    state::AppState,
};

/// A queue as shown: its name, size and oldest age.
pub struct QueueView {
    /// The label's key.
    pub label: String,
    /// "12", or "more than 100,000".
    pub count: String,
    /// "3 min", or empty when the queue is empty.
    pub oldest: String,
}

/// A failing host as shown.
pub struct HostView {
    pub host: String,
    pub failing_for: String,
    pub parked: bool,
    pub last_success: String,
    pub waiting: String,
}

/// The dashboard as shown.
pub struct DashboardView {
    /// (label, count) of local accounts by state.
    pub users: Vec<(String, i64)>,
    pub active_this_week: i64,
    pub pending: i64,
    /// Reports waiting for a moderator.
    pub open_reports: i64,
    pub queues: Vec<QueueView>,
    pub inbox_failed: String,
    pub hosts_failing: i64,
    pub hosts_parked: i64,
    pub hosts: Vec<HostView>,
    pub media_store: String,
    pub local_files: i64,
    pub local_bytes: String,
    pub remote_files: i64,
    pub remote_bytes: String,
    /// How long ago the media were counted.
    pub media_age: String,
    pub database_bytes: String,
}

/// An age in words: seconds, minutes, hours or days.
fn age(c: &Ctx, micros: i64) -> String {
    let secs = (micros / 1_000_000).max(0);
    let (key, n) = match secs {
        0..60 => ("page-dashboard-age-seconds", secs),
        60..3600 => ("page-dashboard-age-minutes", secs / 60),
        3600..86_400 => ("page-dashboard-age-hours", secs / 3600),
        _ => ("page-dashboard-age-days", secs / 86_400),
    };
    c.ta(key, "n", &n.to_string())
}

/// A size in bytes in words (binary multiples, one decimal).
fn bytes(c: &Ctx, n: i64) -> String {
    const UNITS: [&str; 5] = [
        "page-dashboard-bytes",
        "page-dashboard-kib",
        "page-dashboard-mib",
        "page-dashboard-gib",
        "page-dashboard-tib",
    ];
    let mut v = n.max(0) as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    let shown = if unit == 0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    c.ta(UNITS[unit], "n", &shown)
}

fn count(c: &Ctx, n: i64) -> String {
    if n >= QUEUE_COUNT_CAP {
        c.ta(
            "page-dashboard-more-than",
            "n",
            &QUEUE_COUNT_CAP.to_string(),
        )
    } else {
        n.to_string()
    }
}

fn queue(c: &Ctx, label: &str, q: &Queue, now: i64) -> QueueView {
    QueueView {
        label: c.t(label),
        count: count(c, q.count),
        oldest: q.oldest_at.map(|t| age(c, now - t)).unwrap_or_default(),
    }
}

/// Reads the dashboard and puts it in words (administrators only).
pub async fn view(state: &AppState, c: &Ctx) -> AppResult<DashboardView> {
    let admin = c.require_admin()?;
    let d = dashboard::read(state, admin).await?;
    let now = d.now;
    let mut queues = vec![
        queue(c, "page-dashboard-inbox", &d.inbox, now),
        queue(c, "page-dashboard-outbox", &d.outbox, now),
        queue(c, "page-dashboard-deliveries", &d.deliveries, now),
    ];
    if let Some(mail) = &d.mail {
        queues.push(queue(c, "page-dashboard-mail", mail, now));
    }
    queues.push(queue(c, "page-dashboard-pushes", &d.pushes, now));
    Ok(DashboardView {
        users: d
            .users
            .iter()
            .map(|(s, n)| (c.t(&format!("user-state-{s}")), *n))
            .collect(),
        active_this_week: d.active_this_week,
        pending: d.pending,
        open_reports: d.open_reports,
        queues,
        inbox_failed: count(c, d.inbox_failed),
        hosts_failing: d.hosts_failing,
        hosts_parked: d.hosts_parked,
        hosts: d
            .failing_hosts
            .iter()
            .map(|h| HostView {
                host: h.host.clone(),
                failing_for: age(c, now - h.failing_since),
                parked: h.parked_at.is_some(),
                last_success: h
                    .last_success_at
                    .map(|t| age(c, now - t))
                    .unwrap_or_else(|| c.t("page-dashboard-never")),
                waiting: count(c, h.waiting),
            })
            .collect(),
        media_store: c.t(if d.media_in_folder {
            "page-dashboard-store-folder"
        } else {
            "page-dashboard-store-s3"
        }),
        local_files: d.media.local_files,
        local_bytes: bytes(c, d.media.local_bytes),
        remote_files: d.media.remote_files,
        remote_bytes: bytes(c, d.media.remote_bytes),
        media_age: age(c, now - d.media_at),
        database_bytes: bytes(c, d.database_bytes),
    })
}
