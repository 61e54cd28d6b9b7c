//! Web Push for Mastodon apps (RFC 8030, with RFC 8291 encryption and RFC 8292 VAPID): an
//! access token's subscription (where its app's push service is, the keys to encrypt for
//! it, which kinds of notification and from whom), the instance's VAPID key pair (made once,
//! kept in `settings`), the push channel of notifications ([`queue_notifications`], called
//! in the transaction that dispatches them), and the push worker ([`run`], started with the
//! server), which claims queued pushes in the database, encrypts Mastodon's payload for each
//! subscription and sends it through `service::Remote::push` (the guarded client).

use crate::{
    clock, crypto,
    db::{self, push::SubscriptionRow, social::NotificationRow},
    domain::{
        Invalid, Locale, NotificationKind,
        push::{Alerts, PushKeys, PushPolicy, parse_endpoint, read_flag},
    },
    error::{AppError, AppResult},
    service::{RemoteFileError, notifications::Dispatch, oauth::Access},
    state::AppState,
};
use futures::StreamExt;
use std::{collections::HashMap, time::Duration};

/// How long a push service keeps a message for a device that is offline (Mastodon's `TTL`).
pub const TTL_SECONDS: u64 = 48 * 3600;
/// The urgency of every push (RFC 8030, section 5.3), as Mastodon sends.
pub const URGENCY: &str = "normal";
/// How long a VAPID token is valid (RFC 8292 asks for at most 24 hours).
const VAPID_VALIDITY_SECONDS: i64 = 12 * 3600;
/// The setting that holds the VAPID key pair: the private key, a space, the public key.
const VAPID_SETTING: &str = "vapid_keys";
/// How long a claim lasts (a backstop: a stopped process's claims go with its heartbeat).
const LEASE: Duration = Duration::from_secs(60);
/// How often the worker looks for pushes when it found none.
const IDLE: Duration = Duration::from_millis(500);
/// How many pushes are claimed at once, and sent at once.
const BATCH: i64 = 32;
const PARALLEL: usize = 8;
/// After how many attempts a push that keeps failing is given up.
pub const MAX_ATTEMPTS: i64 = 10;
/// The body of a push: at most this many characters (Mastodon's truncation).
const BODY_CHARS: usize = 140;

/// The instance's VAPID key pair (URL-safe Base64, without padding).
#[derive(Clone)]
pub struct VapidKeys {
    /// The public key, an uncompressed P-256 point: what apps and push services know.
    pub public: String,
    private: String,
}

/// The VAPID key pair, made the first time it is asked for: one statement stores it unless
/// another process stored one first, so every process uses the same pair.
pub async fn vapid_keys(state: &AppState) -> AppResult<VapidKeys> {
    if let Some(keys) = read_vapid(state).await? {
        return Ok(keys);
    }
    let (private, public) = crate::service::blocking(crypto::generate_vapid_keypair).await?;
    db::settings::insert_if_absent(state.pool(), VAPID_SETTING, &format!("{private} {public}"))
        .await?;
    read_vapid(state)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the VAPID keys could not be kept")))
}

async fn read_vapid(state: &AppState) -> AppResult<Option<VapidKeys>> {
    let Some(value) = db::settings::get(state.pool(), VAPID_SETTING).await? else {
        return Ok(None);
    };
    let (private, public) = value
        .split_once(' ')
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unreadable VAPID keys setting")))?;
    Ok(Some(VapidKeys {
        public: public.to_string(),
        private: private.to_string(),
    }))
}

/// What an app sends to make or change a subscription, as text (the API reads the many
/// spellings of values; the checks are here).
#[derive(Debug, Default)]
pub struct SubscriptionInput {
    /// `subscription[endpoint]`.
    pub endpoint: Option<String>,
    /// `subscription[keys][p256dh]`.
    pub p256dh: Option<String>,
    /// `subscription[keys][auth]`.
    pub auth: Option<String>,
    /// `subscription[standard]`, as sent.
    pub standard: Option<String>,
    /// `data[...]`.
    pub data: DataInput,
}

/// What to push: `data[alerts][<kind>]` and `data[policy]`.
#[derive(Debug, Default)]
pub struct DataInput {
    /// Each alert as sent (name, value).
    pub alerts: Vec<(String, String)>,
    /// The policy, as sent.
    pub policy: Option<String>,
}

/// A subscription as shown to its app.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub endpoint: String,
    pub alerts: Alerts,
    pub policy: PushPolicy,
    /// The instance's VAPID public key (`server_key`).
    pub server_key: String,
}

fn data(input: &DataInput) -> Result<(Alerts, PushPolicy), Vec<Invalid>> {
    let mut refused = Vec::new();
    let alerts = Alerts::parse(
        input
            .alerts
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .map_err(|e| refused.extend(e))
    .ok();
    let policy = match &input.policy {
        None => Some(PushPolicy::All),
        Some(p) => PushPolicy::parse(p).map_err(|e| refused.push(e)).ok(),
    };
    match (alerts, policy) {
        (Some(a), Some(p)) if refused.is_empty() => Ok((a, p)),
        _ => Err(refused),
    }
}

fn token_owner(access: &Access) -> AppResult<i64> {
    access
        .account
        .as_ref()
        .map(|a| a.id)
        .ok_or_else(|| AppError::new(http_422(), "error-user-required"))
}

fn http_422() -> axum::http::StatusCode {
    axum::http::StatusCode::UNPROCESSABLE_ENTITY
}

async fn shown(state: &AppState, row: &SubscriptionRow) -> AppResult<Subscription> {
    let alerts = Alerts::from_stored(&row.alerts).ok_or_else(|| {
        AppError::internal(anyhow::anyhow!(
            "unreadable stored push alerts: {}",
            row.alerts
        ))
    })?;
    let policy = PushPolicy::parse(&row.policy).map_err(|_| {
        AppError::internal(anyhow::anyhow!(
            "unreadable stored push policy: {}",
            row.policy
        ))
    })?;
    Ok(Subscription {
        id: row.id,
        endpoint: row.endpoint.clone(),
        alerts,
        policy,
        server_key: vapid_keys(state).await?.public,
    })
}

/// `POST /api/v1/push/subscription`: makes the token's subscription, replacing the one it had
/// (and what was still owed to it). `bearer` is the token as the app sent it: Mastodon's
/// payload carries it, so that the app's service worker can act on the notification.
pub async fn subscribe(
    state: &AppState,
    access: &Access,
    bearer: &str,
    input: &SubscriptionInput,
) -> AppResult<Subscription> {
    let account_id = token_owner(access)?;
    let mut refused = Vec::new();
    let endpoint = match input.endpoint.as_deref() {
        None => {
            refused.push(Invalid::new("subscription_endpoint", "error-required"));
            None
        }
        Some(text) => match parse_endpoint(text) {
            Err(e) => {
                refused.push(e);
                None
            }
            Ok(url) if state.config.is_local_url(&url) => {
                refused.push(Invalid::new("subscription_endpoint", "error-push-endpoint"));
                None
            }
            // An https instance pushes only over https, to a name on the usual port (its
            // client refuses anything else, and names that lead to private addresses).
            Ok(url) if state.config.is_https() && !reachable_from_https(&url) => {
                refused.push(Invalid::new(
                    "subscription_endpoint",
                    "error-push-endpoint-https",
                ));
                None
            }
            Ok(url) => Some(url),
        },
    };
    let keys = match (input.p256dh.as_deref(), input.auth.as_deref()) {
        (Some(p256dh), Some(auth)) => PushKeys::parse(p256dh, auth)
            .map_err(|e| refused.extend(e))
            .ok(),
        (p256dh, auth) => {
            if p256dh.is_none() {
                refused.push(Invalid::new("subscription_keys_p256dh", "error-required"));
            }
            if auth.is_none() {
                refused.push(Invalid::new("subscription_keys_auth", "error-required"));
            }
            None
        }
    };
    // Only the standard encryption (RFC 8291, `aes128gcm`) is sent; an app asking for the
    // drafts Mastodon used before 4.4 is told so rather than sent what it cannot read.
    match input.standard.as_deref().map(read_flag) {
        None | Some(Some(true)) => {}
        Some(Some(false)) => {
            refused.push(Invalid::new("subscription_standard", "error-push-legacy"))
        }
        Some(None) => refused.push(Invalid::new("subscription_standard", "error-push-flag")),
    }
    let data = data(&input.data).map_err(|e| refused.extend(e)).ok();
    let (Some(endpoint), Some(keys), Some((alerts, policy))) = (endpoint, keys, data) else {
        return Err(AppError::invalid(refused));
    };
    if !refused.is_empty() {
        return Err(AppError::invalid(refused));
    }
    let mut tx = state.db.begin().await?;
    let row = db::push::replace(
        &mut tx,
        &db::push::NewSubscription {
            token_id: access.token.id,
            account_id,
            access_token: bearer,
            endpoint: endpoint.as_str(),
            key_p256dh: &keys.p256dh_text(),
            key_auth: &keys.auth_text(),
            alerts: &alerts.to_stored(),
            policy: policy.as_str(),
            now: clock::now(),
        },
    )
    .await?;
    tx.commit().await?;
    shown(state, &row).await
}

/// Whether an https instance's client may push to an address: https, a host name (not an
/// address), port 443 (`federation::media::may_fetch` decides the same at sending).
fn reachable_from_https(url: &url::Url) -> bool {
    url.scheme() == "https"
        && matches!(url.host(), Some(url::Host::Domain(_)))
        && url.port().is_none_or(|p| p == 443)
}

/// `GET /api/v1/push/subscription`: the token's subscription (404 when it has none).
pub async fn current(state: &AppState, access: &Access) -> AppResult<Subscription> {
    token_owner(access)?;
    let row = db::push::of_token(state.pool(), access.token.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    shown(state, &row).await
}

/// `PUT /api/v1/push/subscription`: replaces what the token's subscription pushes (alerts not
/// given are off, no policy is `all`, as Mastodon does); 404 when it has none.
pub async fn change(
    state: &AppState,
    access: &Access,
    input: &DataInput,
) -> AppResult<Subscription> {
    token_owner(access)?;
    let (alerts, policy) = data(input).map_err(AppError::invalid)?;
    let row = db::push::update_data(
        state.pool(),
        access.token.id,
        &alerts.to_stored(),
        policy.as_str(),
        clock::now(),
    )
    .await?
    .ok_or_else(AppError::not_found)?;
    shown(state, &row).await
}

/// `DELETE /api/v1/push/subscription`: removes the token's subscription, if any.
pub async fn unsubscribe(state: &AppState, access: &Access) -> AppResult<()> {
    token_owner(access)?;
    db::push::delete_of_token(state.pool(), access.token.id).await?;
    Ok(())
}

/// The push channel of notifications (`service::notifications::dispatch`): in the
/// dispatcher's transaction, queues one push per subscription of each notification's
/// recipient, for the notifications whose recipients want that kind pushed, when the
/// subscription's alerts include the kind and its policy admits the sender. Gives how many
/// pushes were queued.
pub async fn queue_notifications(
    tx: &mut sqlx::AnyConnection,
    batch: &[Dispatch],
) -> AppResult<usize> {
    let notifications: Vec<&NotificationRow> = batch
        .iter()
        .filter(|d| d.push)
        .map(|d| &d.notification)
        .collect();
    if notifications.is_empty() {
        return Ok(0);
    }
    let mut recipients: Vec<i64> = notifications.iter().map(|n| n.account_id).collect();
    recipients.sort_unstable();
    recipients.dedup();
    let mut by_account: HashMap<i64, Vec<(SubscriptionRow, Alerts, PushPolicy)>> = HashMap::new();
    for row in db::push::of_accounts(tx, &recipients).await? {
        let (Some(alerts), Ok(policy)) = (
            Alerts::from_stored(&row.alerts),
            PushPolicy::parse(&row.policy),
        ) else {
            tracing::warn!(
                subscription = row.id,
                "unreadable push subscription left out"
            );
            continue;
        };
        by_account
            .entry(row.account_id)
            .or_default()
            .push((row, alerts, policy));
    }
    let mut pushes = Vec::new();
    for n in notifications {
        let Some(subscriptions) = by_account.get(&n.account_id) else {
            continue;
        };
        // Who follows whom is read once per notification, and only when a policy asks.
        let mut follows: Option<(bool, bool)> = None;
        for (row, alerts, policy) in subscriptions {
            if !alerts.wants(n.kind) {
                continue;
            }
            let admitted = match policy {
                PushPolicy::All => true,
                PushPolicy::None => false,
                _ => {
                    let (recipient_follows, sender_follows) = match follows {
                        Some(f) => f,
                        None => {
                            let f = (
                                db::push::follows(tx, n.account_id, n.from_account_id).await?,
                                db::push::follows(tx, n.from_account_id, n.account_id).await?,
                            );
                            follows = Some(f);
                            f
                        }
                    };
                    policy.admits(recipient_follows, sender_follows)
                }
            };
            if admitted {
                pushes.push(db::push::NewPush {
                    subscription_id: row.id,
                    notification_id: n.id,
                    kind: n.kind,
                    from_account_id: n.from_account_id,
                    status_id: n.status_id,
                });
            }
        }
    }
    db::push::queue(tx, &pushes, clock::now()).await?;
    Ok(pushes.len())
}

/// The push worker: runs until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    loop {
        let worked = match step(&state).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = ?e, "push step failed");
                false
            }
        };
        if !worked {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(IDLE) => {}
            }
        } else if stop.is_cancelled() {
            return;
        }
    }
}

/// Sends the pushes claimed now; gives how many were claimed.
pub async fn step(state: &AppState) -> AppResult<usize> {
    let claimed = db::push::claim(&state.db, &state.claim(LEASE), BATCH).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let keys = vapid_keys(state).await?;
    let n = claimed.len();
    futures::stream::iter(claimed)
        .for_each_concurrent(PARALLEL, |(id, attempts)| {
            let keys = &keys;
            async move {
                if let Err(e) = send(state, keys, id, attempts).await {
                    tracing::warn!(delivery = id, error = ?e, "push not sent");
                }
            }
        })
        .await;
    Ok(n)
}

/// What happened to one push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Accepted by the push service.
    Sent,
    /// The subscription is gone (404, 410) or its token is: removed.
    Expired,
    /// Refused for good (another 4xx, an address that may not be reached): dropped.
    Refused,
    /// To try again later (a failure that may pass: 5xx, 408, 429, no answer).
    Retry,
}

async fn send(state: &AppState, keys: &VapidKeys, id: i64, attempts: i64) -> AppResult<()> {
    let pool = state.pool();
    let process = &*state.process_id;
    let Some(job) = db::push::job(pool, id, process).await? else {
        return Ok(());
    };
    let now = clock::now();
    let outcome =
        if job.token_revoked_at.is_some() || job.token_expires_at.is_some_and(|e| e <= now) {
            Outcome::Expired
        } else {
            deliver(state, keys, &job).await
        };
    tracing::debug!(delivery = id, ?outcome, "push attempt");
    match outcome {
        Outcome::Sent | Outcome::Refused => db::push::finish(pool, id, process).await?,
        Outcome::Expired => db::push::delete(pool, job.subscription_id).await?,
        Outcome::Retry if attempts >= MAX_ATTEMPTS => {
            tracing::info!(delivery = id, attempts, "push given up");
            db::push::finish(pool, id, process).await?
        }
        Outcome::Retry => db::push::retry(pool, id, process, now + backoff(attempts)).await?,
    }
    Ok(())
}

/// The wait before attempt `attempts + 1`: 5 s, doubling, at most an hour (microseconds).
fn backoff(attempts: i64) -> i64 {
    let seconds = 5i64.saturating_mul(1 << attempts.clamp(1, 20).saturating_sub(1));
    seconds.min(3600) * 1_000_000
}

async fn deliver(state: &AppState, keys: &VapidKeys, job: &db::push::Job) -> Outcome {
    let Some(remote) = state.remote() else {
        return Outcome::Retry;
    };
    let Some(audience) = url::Url::parse(&job.endpoint)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
    else {
        return Outcome::Refused;
    };
    let body = match serde_json::to_vec(&payload(state, job)) {
        Ok(body) => body,
        Err(_) => return Outcome::Refused,
    };
    let encrypted = match crypto::push_encrypt(body, &job.key_p256dh, &job.key_auth) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(subscription = job.subscription_id, error = %e, "push not encrypted");
            return Outcome::Refused;
        }
    };
    let expires = clock::now() / 1_000_000 + VAPID_VALIDITY_SECONDS;
    let token = match crypto::vapid_token(&keys.private, &audience, expires, &vapid_subject(state))
    {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "VAPID token not made");
            return Outcome::Retry;
        }
    };
    let headers = vec![
        ("content-type", "application/octet-stream".to_string()),
        ("content-encoding", "aes128gcm".to_string()),
        ("ttl", TTL_SECONDS.to_string()),
        ("urgency", URGENCY.to_string()),
        (
            "authorization",
            format!("vapid t={token}, k={}", keys.public),
        ),
    ];
    match remote.push(state, &job.endpoint, headers, encrypted).await {
        Ok(status) if (200..300).contains(&status) => Outcome::Sent,
        Ok(404 | 410) => Outcome::Expired,
        Ok(408 | 429) => Outcome::Retry,
        Ok(status) if status >= 500 => Outcome::Retry,
        Ok(status) => {
            tracing::info!(subscription = job.subscription_id, status, "push refused");
            Outcome::Refused
        }
        Err(RemoteFileError::Refused) => {
            tracing::info!(
                subscription = job.subscription_id,
                "push address may not be reached"
            );
            Outcome::Refused
        }
        Err(RemoteFileError::Missing | RemoteFileError::Unavailable) => Outcome::Retry,
    }
}

/// Whom push services may contact about our pushes (the JWT's `sub`): the instance's contact
/// address, else its public address.
fn vapid_subject(state: &AppState) -> String {
    let c = &state.config;
    if c.contact_email.is_empty() {
        c.public_url.as_str().trim_end_matches('/').to_string()
    } else {
        format!("mailto:{}", c.contact_email)
    }
}

/// Mastodon's push payload (`Web::NotificationSerializer`), in the recipient's language.
fn payload(state: &AppState, job: &db::push::Job) -> serde_json::Value {
    let locale = job
        .locale
        .as_deref()
        .and_then(|l| Locale::parse(l).ok())
        .unwrap_or(state.config.default_locale);
    let name = if job.from_display_name.trim().is_empty() {
        job.from_username.clone()
    } else {
        job.from_display_name.clone()
    };
    let title = crate::i18n::t_args(locale, title_key(job.kind), &[("name", name)]);
    let source = match (&job.status_spoiler_text, &job.status_content) {
        (Some(spoiler), _) if !spoiler.trim().is_empty() => spoiler.clone(),
        (_, Some(content)) => crate::domain::status::html_to_text(content),
        _ => crate::domain::status::html_to_text(&job.from_note_html),
    };
    let icon = job
        .from_avatar_url
        .clone()
        .unwrap_or_else(|| state.config.url("/static/avatar.png"));
    serde_json::json!({
        "access_token": job.access_token,
        "preferred_locale": locale.as_str(),
        "notification_id": job.notification_id,
        "notification_type": job.kind.as_str(),
        "icon": icon,
        "title": title,
        "body": truncate(source.trim(), BODY_CHARS),
    })
}

/// Text cut to `max` characters with an ellipsis, as Rails' `truncate` does.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// The title of a push, by kind (with `{ $name }`, who caused it).
fn title_key(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Mention => "push-title-mention",
        NotificationKind::Follow => "push-title-follow",
        NotificationKind::FollowRequest => "push-title-follow-request",
        NotificationKind::Favourite => "push-title-favourite",
        NotificationKind::Reblog => "push-title-reblog",
        NotificationKind::EventParticipation => "push-title-event-participation",
        NotificationKind::EventAccepted => "push-title-event-accepted",
        NotificationKind::EventRefused => "push-title-event-refused",
        NotificationKind::EventPromoted => "push-title-event-promoted",
        NotificationKind::EventInvited => "push-title-event-invited",
        NotificationKind::EventReminder => "push-title-event-reminder",
        NotificationKind::EventShort => "push-title-event-short",
        NotificationKind::EventCancelled => "push-title-event-cancelled",
        NotificationKind::EventUpdated => "push-title-event-updated",
        NotificationKind::EventLeft => "push-title-event-left",
        NotificationKind::EventAttendance => "push-title-event-attendance",
        NotificationKind::MissionNew => "push-title-mission-new",
        NotificationKind::MissionShort => "push-title-mission-short",
        NotificationKind::GroupJoinRequest => "push-title-group-join-request",
        NotificationKind::AffiliationRequest => "push-title-affiliation-request",
        NotificationKind::AdminSignUp => "push-title-admin-sign-up",
        NotificationKind::Poll => "push-title-poll",
        NotificationKind::ReportResolved => "push-title-report-resolved",
        NotificationKind::Move => "push-title-move",
        NotificationKind::DataExportReady => "push-title-data-export-ready",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let waits: Vec<i64> = (1..=11).map(|a| backoff(a) / 1_000_000).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]);
    }

    #[test]
    fn bodies_are_cut_like_rails_truncate() {
        assert_eq!(truncate("court", 140), "court");
        let long = "é".repeat(200);
        let cut = truncate(&long, 140);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn every_kind_has_a_title_in_both_languages() {
        for kind in NotificationKind::ALL {
            for locale in Locale::ALL {
                let title =
                    crate::i18n::t_args(locale, title_key(kind), &[("name", "Alice".into())]);
                assert!(title.contains("Alice"), "{kind:?} {locale:?}: {title}");
            }
        }
    }
}
