//! The digest: an optional daily or weekly e-mail of what happened in a person's groups (new
//! discussions, upcoming events, missions that need them). The worker claims the people due
//! one in the database (so processes never send one twice), gathers each digest with a few
//! queries, and queues it as an e-mail; a digest with nothing to tell is not sent.

use crate::{
    clock, db,
    domain::{DigestFrequency, Locale, html},
    error::AppResult,
    service::events::when_where,
    state::AppState,
};

/// Most items of each section.
pub const ITEMS: i64 = 10;
/// How far ahead upcoming events and missions are looked for.
const AHEAD_MICROS: i64 = 7 * 24 * 3_600_000_000;
/// Longest excerpt of a discussion, in characters.
const EXCERPT_CHARS: usize = 140;

/// One line of a digest: what, when or where, and where to see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// A discussion's first words, an event's or shift's name.
    pub title: String,
    /// The group, or when and where.
    pub detail: String,
    /// Where to see it (absolute).
    pub link: String,
}

/// A person's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Whose.
    pub account_id: i64,
    /// Daily or weekly.
    pub frequency: DigestFrequency,
    /// New discussions in their groups.
    pub discussions: Vec<Item>,
    /// Upcoming events of their groups.
    pub events: Vec<Item>,
    /// Shifts of their groups still short of people, that they have not signed up for.
    pub missions: Vec<Item>,
}

impl Digest {
    /// Whether there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.discussions.is_empty() && self.events.is_empty() && self.missions.is_empty()
    }
}

/// How often a person gets the digest.
pub async fn frequency(state: &AppState, account_id: i64) -> AppResult<DigestFrequency> {
    Ok(db::digest::frequency(state.pool(), account_id)
        .await?
        .unwrap_or(DigestFrequency::Off))
}

/// Sets how often a person gets the digest; the first one comes a period from now.
pub async fn set_frequency(
    state: &AppState,
    account_id: i64,
    frequency: DigestFrequency,
) -> AppResult<()> {
    db::digest::set_frequency(state.pool(), account_id, frequency, clock::now()).await?;
    Ok(())
}

/// Gathers a person's digest of the period before `now`, in `locale`.
pub async fn gather(
    state: &AppState,
    account_id: i64,
    frequency: DigestFrequency,
    locale: Locale,
    now: i64,
) -> AppResult<Digest> {
    let period = frequency.period_micros().unwrap_or(24 * 3_600_000_000);
    // Post ids grow with time: the first id of the period.
    let since_id = ((now - period) / 1000) << 16;
    let mut discussions = Vec::new();
    for (status_id, group_id) in
        db::digest::new_discussions(state.pool(), account_id, since_id, ITEMS).await?
    {
        let (Some(status), Some(group)) = (
            db::statuses::by_id(state.pool(), status_id).await?,
            db::accounts::by_id(state.pool(), group_id).await?,
        ) else {
            continue;
        };
        let Some(author) = db::accounts::by_id(state.pool(), status.account_id).await? else {
            continue;
        };
        let text = if status.spoiler_text.trim().is_empty() {
            html::to_plain_text(&status.content)
        } else {
            status.spoiler_text.trim().to_string()
        };
        discussions.push(Item {
            title: shorten(text.trim()),
            detail: if group.display_name.trim().is_empty() {
                group.username.clone()
            } else {
                group.display_name.clone()
            },
            link: state.config.url(&match &author.domain {
                Some(d) => format!("/@{}@{d}/{status_id}", author.username),
                None => format!("/@{}/{status_id}", author.username),
            }),
        });
    }
    let events =
        db::digest::upcoming_events(state.pool(), account_id, now, now + AHEAD_MICROS, ITEMS)
            .await?;
    let missions =
        db::digest::missions_needing(state.pool(), account_id, now, now + AHEAD_MICROS, ITEMS)
            .await?;
    let event_item = |row: &db::events::EventRow| Item {
        title: row.name.clone(),
        detail: when_where(locale, row),
        link: state.config.url(&format!("/events/{}", row.status_id)),
    };
    let mut event_items = Vec::new();
    for id in events {
        if let Some(row) = db::events::by_id(state.pool(), id).await? {
            event_items.push(event_item(&row));
        }
    }
    let mut mission_items = Vec::new();
    for (id, left) in missions {
        if let Some(row) = db::events::by_id(state.pool(), id).await? {
            let mut item = event_item(&row);
            item.detail = format!(
                "{} · {}",
                item.detail,
                crate::i18n::t_args(locale, "digest-places-left", &[("count", left.to_string())])
            );
            mission_items.push(item);
        }
    }
    Ok(Digest {
        account_id,
        frequency,
        discussions,
        events: event_items,
        missions: mission_items,
    })
}

/// How many people's digests one pass claims per frequency.
const CLAIM: i64 = 50;

/// Sends the digests due at `now`: the people whose period has passed are claimed (their
/// `digest_sent_at` moved to `now` in one transaction, so processes never send one twice),
/// then each digest is gathered and queued as an e-mail; one with nothing to tell is not
/// sent. A process that dies between the claim and the queueing loses those digests for the
/// period (a digest is sent at most once). Returns how many were queued.
pub async fn send_due(state: &AppState, now: i64) -> AppResult<usize> {
    if !crate::service::mail::enabled(state) {
        return Ok(0);
    }
    let mut queued = 0;
    for frequency in [DigestFrequency::Daily, DigestFrequency::Weekly] {
        let Some(period) = frequency.period_micros() else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        let claimed = db::digest::claim_due(&mut tx, frequency, now - period, now, CLAIM).await?;
        tx.commit().await?;
        for account_id in claimed {
            let Some(user) = db::accounts::user_by_id(state.pool(), account_id).await? else {
                continue;
            };
            let locale = crate::service::mail::locale_of(state, &user);
            let digest = gather(state, account_id, frequency, locale, now).await?;
            if digest.is_empty() {
                continue;
            }
            let item = |i: Item| crate::mail::DigestItem {
                title: i.title,
                detail: i.detail,
                link: i.link,
            };
            let mail = crate::mail::Mail::Digest {
                username: user.username.clone(),
                frequency: frequency.as_str().to_string(),
                discussions: digest.discussions.into_iter().map(item).collect(),
                events: digest.events.into_iter().map(item).collect(),
                missions: digest.missions.into_iter().map(item).collect(),
                unsubscribe: crate::service::mail::digest_unsubscribe_url(state, account_id)
                    .await?,
            };
            let mut tx = state.db.begin().await?;
            crate::service::mail::queue(
                &mut tx,
                state,
                &user.email,
                Some(account_id),
                locale,
                &mail,
            )
            .await?;
            tx.commit().await?;
            crate::service::mail::wake(state);
            queued += 1;
        }
    }
    Ok(queued)
}

/// Runs [`send_due`] every few minutes until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {
                if let Err(e) = send_due(&state, clock::now()).await {
                    tracing::warn!(error = %e.message(Locale::En), "digests failed");
                }
            }
        }
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        text.to_string()
    } else {
        let cut: String = text.chars().take(EXCERPT_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}
