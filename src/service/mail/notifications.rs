//! The e-mail channel of notifications: the dispatcher (`service::notifications::dispatch`)
//! hands each batch of notifications whose recipients want e-mail for their kind to
//! [`queue_notifications`], in the transaction that marks them dispatched; one message per notification is queued, in the recipient's
//! language, with an unsubscribe link for that kind.

use super::unsubscribe::{batch_secret, leave_url_with, url_with};
use crate::{
    db::{self, social::NotificationRow},
    domain::{Locale, NotificationKind, html},
    error::AppResult,
    mail::Mail,
    state::AppState,
};
use std::collections::HashMap;

/// The longest excerpt of a post in a message, in characters.
const EXCERPT_CHARS: usize = 500;

/// A notification to send by e-mail, in the recipient's language.
#[derive(Debug, Clone, Copy)]
pub struct NotificationMail<'a> {
    pub notification: &'a NotificationRow,
    pub locale: Locale,
}

/// Queues one message per notification in `batch` (in the caller's transaction), to its
/// recipient's address when they may receive e-mail (active, address confirmed); gives how
/// many were queued. Nothing when e-mail is off.
pub async fn queue_notifications<'a>(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    batch: impl IntoIterator<Item = NotificationMail<'a>>,
) -> AppResult<usize> {
    if !super::enabled(state) {
        return Ok(0);
    }
    let batch: Vec<NotificationMail<'a>> = batch.into_iter().collect();
    if batch.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = batch.iter().map(|m| m.notification.id).collect();
    let facts: HashMap<i64, db::mail::NotificationFacts> = db::mail::notification_facts(conn, &ids)
        .await?
        .into_iter()
        .map(|f| (f.notification_id, f))
        .collect();
    let secret = batch_secret(conn).await?;
    let mut queued = 0;
    for item in &batch {
        let n = item.notification;
        let Some(f) = facts.get(&n.id) else { continue };
        let mail = Mail::Notification {
            notification: n.kind.as_str().to_string(),
            actor: if f.from_name.trim().is_empty() {
                f.from_username.clone()
            } else {
                f.from_name.clone()
            },
            handle: handle(state, &f.from_username, f.from_domain.as_deref()),
            excerpt: excerpt(f),
            link: link(state, n.kind, f),
            unsubscribe: url_with(state, &secret, n.account_id, Some(n.kind)),
            calendar: match (n.kind, n.status_id) {
                (
                    NotificationKind::EventAccepted
                    | NotificationKind::EventPromoted
                    | NotificationKind::EventUpdated,
                    Some(event),
                ) => calendar_of(conn, event).await?,
                _ => None,
            },
            // The day before, a participant can free their place in one click.
            leave: match (n.kind, n.status_id) {
                (NotificationKind::EventReminder, Some(event)) => {
                    Some(leave_url_with(state, &secret, n.account_id, event))
                }
                _ => None,
            },
        };
        super::queue(
            conn,
            state,
            &f.email,
            Some(n.account_id),
            item.locale,
            &mail,
        )
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// An event as an iCalendar file, for the confirmations and changes of a participation.
async fn calendar_of(conn: &mut sqlx::AnyConnection, event_id: i64) -> AppResult<Option<String>> {
    let (Some(status), Some(row)) = (
        db::statuses::by_id(&mut *conn, event_id).await?,
        db::events::by_id(&mut *conn, event_id).await?,
    ) else {
        return Ok(None);
    };
    let name = row.name.clone();
    Ok(Some(crate::service::events::icalendar(
        &name,
        &[crate::service::events::Event { status, row }],
    )))
}

fn handle(state: &AppState, username: &str, domain: Option<&str>) -> String {
    format!("@{username}@{}", domain.unwrap_or(&state.config.domain))
}

/// The post's title (an event's name, a discussion's title) and text as plain text (its
/// content warning alone when it has one: what it hides stays hidden in a mailbox too),
/// shortened.
fn excerpt(f: &db::mail::NotificationFacts) -> String {
    let spoiler = f.spoiler_text.as_deref().unwrap_or_default().trim();
    let title = f.status_title.as_deref().unwrap_or_default().trim();
    let text = if !spoiler.is_empty() {
        spoiler.to_string()
    } else if title.is_empty() {
        html::to_plain_text(f.status_html.as_deref().unwrap_or_default())
    } else {
        format!(
            "{title}\n{}",
            html::to_plain_text(f.status_html.as_deref().unwrap_or_default())
        )
    };
    let text = text.trim();
    if text.chars().count() <= EXCERPT_CHARS {
        text.to_string()
    } else {
        let cut: String = text.chars().take(EXCERPT_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Where the notification is seen on this instance: the event, the post, the follow
/// requests, the group's members, the registrations, or the person.
fn link(state: &AppState, kind: NotificationKind, f: &db::mail::NotificationFacts) -> String {
    let group = f
        .group_username
        .as_deref()
        .map(|name| match f.group_domain.as_deref() {
            Some(domain) => format!("{name}@{domain}"),
            None => name.to_string(),
        });
    let path = match (kind, f.status_id, f.author_username.as_deref(), group) {
        (NotificationKind::FollowRequest, ..) => "/follow_requests".to_string(),
        (NotificationKind::AdminSignUp, ..) => "/admin".to_string(),
        (NotificationKind::ReportResolved, ..) => "/notifications".to_string(),
        (NotificationKind::DataExportReady, ..) => "/settings/data".to_string(),
        (
            NotificationKind::GroupJoinRequest | NotificationKind::AffiliationRequest,
            _,
            _,
            Some(group),
        ) => format!("/groups/{group}/members"),
        (
            NotificationKind::EventParticipation
            | NotificationKind::EventAccepted
            | NotificationKind::EventRefused
            | NotificationKind::EventPromoted
            | NotificationKind::EventInvited
            | NotificationKind::EventReminder
            | NotificationKind::EventShort
            | NotificationKind::EventCancelled
            | NotificationKind::EventUpdated
            | NotificationKind::EventLeft
            | NotificationKind::EventAttendance
            | NotificationKind::MissionNew
            | NotificationKind::MissionShort,
            Some(id),
            ..,
        ) => format!("/events/{id}"),
        (_, Some(id), Some(author), _) => match f.author_domain.as_deref() {
            Some(domain) => format!("/@{author}@{domain}/{id}"),
            None => format!("/@{author}/{id}"),
        },
        _ => match f.from_domain.as_deref() {
            Some(domain) => format!("/@{}@{domain}", f.from_username),
            None => format!("/@{}", f.from_username),
        },
    };
    state.config.url(&path)
}
