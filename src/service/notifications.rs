//! Notifications outside the app. The dispatcher takes each new notification once, reads
//! what its recipient chose for that kind (in the app, by e-mail, by push), queues the e-mail
//! and the pushes in the same transaction that marks it dispatched (so a crash loses none and
//! sends none twice but as at-least-once delivery allows), and tells the streams after the
//! commit. Notifications are written all over the services (`db::social::notify`); none of
//! those places needs to know about e-mail or phones.
//!
//! Also here: each person's preferences per kind, markers (Mastodon's "read up to") and the
//! unread count they give.

use crate::{
    clock, db,
    db::notifications::MarkerRow,
    db::social::NotificationRow,
    domain::{Channels, Locale, MissionAlerts, NotificationKind},
    error::{AppError, AppResult},
    state::AppState,
};
use axum::http::StatusCode;
use std::collections::HashMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How many notifications one dispatch takes.
const BATCH: i64 = 200;
/// How often the dispatcher looks without being woken.
const POLL: Duration = Duration::from_millis(500);

/// A notification with what its recipient wants done with it.
#[derive(Debug, Clone)]
pub struct Dispatch {
    /// The notification.
    pub notification: NotificationRow,
    /// The recipient's language.
    pub locale: Locale,
    /// Listed in the app (if not, it is deleted once dispatched).
    pub in_app: bool,
    /// To send by e-mail.
    pub email: bool,
    /// To push to the recipient's subscriptions (each filters further by its alerts).
    pub push: bool,
}

/// The dispatcher, started with the server: dispatches new notifications until `stop`.
pub async fn run_dispatcher(state: AppState, stop: CancellationToken) {
    loop {
        match dispatch(&state).await {
            // A full batch: there may be more at once.
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "dispatching notifications failed"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = state.notifications_ready.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Dispatches one batch of new notifications; returns how many.
pub async fn dispatch(state: &AppState) -> AppResult<usize> {
    let mut tx = state.db.begin().await?;
    let rows = db::notifications::take_undispatched(&mut tx, state.db.backend(), BATCH).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut recipients: Vec<i64> = rows.iter().map(|n| n.account_id).collect();
    recipients.sort_unstable();
    recipients.dedup();
    let chosen: HashMap<(i64, NotificationKind), Channels> =
        db::notifications::preferences(&mut tx, &recipients)
            .await?
            .into_iter()
            .map(|p| ((p.account_id, p.kind), p.channels()))
            .collect();
    let locales: HashMap<i64, Option<String>> = db::accounts::locales(&mut tx, &recipients)
        .await?
        .into_iter()
        .collect();
    let batch: Vec<Dispatch> = rows
        .into_iter()
        .map(|n| {
            let channels = chosen
                .get(&(n.account_id, n.kind))
                .copied()
                .unwrap_or_else(|| Channels::default_for(n.kind));
            let locale = locales
                .get(&n.account_id)
                .and_then(|l| l.as_deref())
                .and_then(|l| Locale::parse(l).ok())
                .unwrap_or(state.config.default_locale);
            Dispatch {
                notification: n,
                locale,
                in_app: channels.in_app,
                email: channels.email,
                push: channels.push,
            }
        })
        .collect();
    let mut batch = batch;
    cap_alert_emails(&mut tx, &mut batch, clock::now()).await?;
    // channel: e-mail and push queue their work here, in this transaction.
    crate::service::push::queue_notifications(&mut tx, &batch).await?;
    let mailed = crate::service::mail::queue_notifications(
        &mut tx,
        state,
        batch
            .iter()
            .filter(|d| d.email)
            .map(|d| crate::service::mail::NotificationMail {
                notification: &d.notification,
                locale: d.locale,
            }),
    )
    .await?;
    let (kept, dropped): (Vec<&Dispatch>, Vec<&Dispatch>) = batch.iter().partition(|d| d.in_app);
    let ids = |list: Vec<&Dispatch>| list.iter().map(|d| d.notification.id).collect::<Vec<_>>();
    db::notifications::mark_dispatched(&mut tx, &ids(kept), &ids(dropped)).await?;
    tx.commit().await?;
    if mailed > 0 {
        crate::service::mail::wake(state);
    }
    // channel: the streams are told here, after the commit.
    state
        .streams
        .notified(batch.iter().filter(|d| d.in_app).map(|d| d.notification.id));
    Ok(batch.len())
}

/// How often a person may get a mission alert by e-mail.
const ALERT_EMAIL_EVERY_MICROS: i64 = 24 * 3_600_000_000;

/// Mission alerts (a new mission, a shift short of people) go by e-mail at most once a day
/// per person, whatever their number: a federation's active members would otherwise get
/// several a day. The others still reach the app and phones. Who asked for every alert by
/// e-mail gets them all.
async fn cap_alert_emails(
    tx: &mut sqlx::AnyConnection,
    batch: &mut [Dispatch],
    now: i64,
) -> AppResult<()> {
    let is_alert = |d: &Dispatch| {
        d.email
            && matches!(
                d.notification.kind,
                NotificationKind::MissionNew | NotificationKind::MissionShort
            )
    };
    let mut people: Vec<i64> = batch
        .iter()
        .filter(|d| is_alert(d))
        .map(|d| d.notification.account_id)
        .collect();
    if people.is_empty() {
        return Ok(());
    }
    people.sort_unstable();
    people.dedup();
    let (recent, every) =
        db::notifications::alert_caps(tx, &people, now - ALERT_EMAIL_EVERY_MICROS).await?;
    let every: std::collections::HashSet<i64> = every.into_iter().collect();
    let mut done: std::collections::HashSet<i64> = recent.into_iter().collect();
    let mut emailed = Vec::new();
    for d in batch.iter_mut().filter(|d| is_alert(d)) {
        let who = d.notification.account_id;
        if every.contains(&who) || done.insert(who) {
            emailed.push(who);
        } else {
            d.email = false;
        }
    }
    emailed.sort_unstable();
    emailed.dedup();
    db::notifications::mark_alerted(tx, &emailed, now).await?;
    Ok(())
}

/// A person's channels for every kind, in `NotificationKind::ALL`'s order.
pub async fn preferences(
    state: &AppState,
    account_id: i64,
) -> AppResult<Vec<(NotificationKind, Channels)>> {
    let mut conn = state.pool().acquire().await?;
    let chosen: HashMap<NotificationKind, Channels> =
        db::notifications::preferences(&mut conn, &[account_id])
            .await?
            .into_iter()
            .map(|p| (p.kind, p.channels()))
            .collect();
    Ok(NotificationKind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                chosen
                    .get(&k)
                    .copied()
                    .unwrap_or_else(|| Channels::default_for(k)),
            )
        })
        .collect())
}

/// A person's mission alerts.
pub async fn mission_alerts(state: &AppState, account_id: i64) -> AppResult<MissionAlerts> {
    Ok(db::notifications::mission_alerts(state.pool(), account_id).await?)
}

/// Sets a person's mission alerts.
pub async fn set_mission_alerts(
    state: &AppState,
    account_id: i64,
    alerts: &MissionAlerts,
) -> AppResult<()> {
    Ok(db::notifications::set_mission_alerts(state.pool(), account_id, alerts).await?)
}

/// The people near a mission who asked to hear of it: only for a mission everyone may read
/// (public, outside any closed circle), since telling someone outside a circle that it
/// exists would already say too much. Sorted, each once.
pub async fn near_mission(
    conn: &mut sqlx::AnyConnection,
    status: &crate::db::statuses::StatusRow,
    event: &crate::db::events::EventRow,
) -> AppResult<Vec<i64>> {
    let open = status.visibility == crate::domain::Visibility::Public
        && matches!(status.circle, None | Some(crate::domain::Circle::Public));
    if !open || status.local == 0 {
        return Ok(Vec::new());
    }
    let mut people = db::notifications::near(
        conn,
        event.postcode.as_deref(),
        event.departement.as_deref(),
    )
    .await?;
    people.sort_unstable();
    people.dedup();
    Ok(people)
}

/// Records a person's channels for some kinds (the others keep theirs).
pub async fn set_preferences(
    state: &AppState,
    account_id: i64,
    choices: &[(NotificationKind, Channels)],
) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    for (kind, channels) in choices {
        db::notifications::set_preference(&mut tx, account_id, *kind, *channels).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Turns one channel off for one kind (an e-mail's one-click unsubscribe).
pub async fn turn_off(
    state: &AppState,
    account_id: i64,
    kind: NotificationKind,
    channel: Channel,
) -> AppResult<()> {
    let mut channels = preferences(state, account_id)
        .await?
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| c)
        .unwrap_or_else(|| Channels::default_for(kind));
    match channel {
        Channel::InApp => channels.in_app = false,
        Channel::Email => channels.email = false,
        Channel::Push => channels.push = false,
    }
    set_preferences(state, account_id, &[(kind, channels)]).await
}

/// One of the ways to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// In the app.
    InApp,
    /// By e-mail.
    Email,
    /// By push.
    Push,
}

/// The timelines a marker may be set for.
pub const MARKER_TIMELINES: [&str; 2] = ["home", "notifications"];

/// A person's markers.
pub async fn markers(state: &AppState, account_id: i64) -> AppResult<Vec<MarkerRow>> {
    Ok(db::notifications::markers(state.pool(), account_id).await?)
}

/// Sets a person's marker for a timeline (`home` or `notifications`).
pub async fn set_marker(
    state: &AppState,
    account_id: i64,
    timeline: &str,
    last_read_id: i64,
) -> AppResult<MarkerRow> {
    if !MARKER_TIMELINES.contains(&timeline) {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-marker-timeline",
        ));
    }
    if last_read_id < 0 {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-marker-id",
        ));
    }
    Ok(db::notifications::set_marker(
        state.pool(),
        account_id,
        timeline,
        last_read_id,
        clock::now(),
    )
    .await?)
}

/// Most notifications an unread count counts (Mastodon caps it too).
pub const UNREAD_CAP: i64 = 1000;

/// How many of a person's notifications of these kinds are past their marker (at most
/// [`UNREAD_CAP`]).
pub async fn unread_count(
    state: &AppState,
    account_id: i64,
    kinds: &[NotificationKind],
) -> AppResult<i64> {
    if kinds.is_empty() {
        return Ok(0);
    }
    Ok(db::notifications::unread_count(state.pool(), account_id, kinds, UNREAD_CAP).await?)
}

/// Marks every notification of a person read (the web's notifications page, once shown).
pub async fn mark_all_read(state: &AppState, account_id: i64, newest: i64) -> AppResult<()> {
    let current = markers(state, account_id)
        .await?
        .into_iter()
        .find(|m| m.timeline == "notifications")
        .map(|m| m.last_read_id)
        .unwrap_or(0);
    if newest > current {
        set_marker(state, account_id, "notifications", newest).await?;
    }
    Ok(())
}
