//! Polls: written with their post (`statuses::write`), read in batches with a page of posts
//! (`views`), voted in (one vote per person, several choices only if the poll takes them, never
//! after the end, never by its author, never by someone who may not read the post), and ended
//! by the closing worker, which claims each poll's end once in the database (several processes
//! safe), tells the voters here and the author (Mastodon's `poll` notification), and sends the
//! final counts to the post's readers elsewhere (an `Update` of the post).

use crate::{
    clock,
    db::{self, accounts::AccountRow, polls::PollRow, statuses::StatusRow},
    domain::{
        Invalid,
        poll::{NewPoll, check_choices},
    },
    error::{AppError, AppResult},
    service::{
        outgoing::{self, Outgoing},
        statuses::visible,
    },
    state::AppState,
};
use axum::http::StatusCode;
use std::{collections::HashMap, time::Duration};

/// How often the closing worker looks for polls that ended.
const IDLE: Duration = Duration::from_secs(1);

/// How late the new counts of a poll of ours reach other servers after a vote: one `Update`
/// per poll per minute at most, however many votes come (Mastodon waits three minutes), and
/// the final counts at the end.
pub const UPDATE_DELAY: Duration = Duration::from_secs(60);

/// A poll as a viewer sees it.
#[derive(Debug, Clone)]
pub struct PollView {
    /// The poll and its options.
    pub row: PollRow,
    /// Whether voting is over.
    pub expired: bool,
    /// Whether the viewer voted (`None` without a viewer).
    pub voted: Option<bool>,
    /// The options the viewer chose.
    pub own_votes: Vec<i64>,
    /// Whether the counts may be shown (not hidden, or over).
    pub totals_shown: bool,
}

fn view(row: PollRow, own: Option<Vec<i64>>, now: i64) -> PollView {
    let expired = row.closed_at.is_some() || row.expires_at.is_some_and(|e| e <= now);
    PollView {
        totals_shown: !row.hide_totals || expired,
        voted: own.as_ref().map(|o| !o.is_empty()),
        own_votes: own.unwrap_or_default(),
        expired,
        row,
    }
}

/// The polls of a page of posts, as `viewer` sees them: one query, and one more for what the
/// viewer chose when some have polls.
pub async fn of_statuses(
    state: &AppState,
    viewer: Option<i64>,
    status_ids: &[i64],
) -> AppResult<HashMap<i64, PollView>> {
    let rows = db::polls::of_statuses(state.pool(), status_ids).await?;
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let mut chosen: HashMap<i64, Vec<i64>> = HashMap::new();
    if let Some(v) = viewer {
        let ids: Vec<i64> = rows.iter().map(|p| p.status_id).collect();
        for (status_id, position) in db::polls::choices_of(state.pool(), v, &ids).await? {
            chosen.entry(status_id).or_default().push(position);
        }
    }
    let now = clock::now();
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = viewer.map(|_| chosen.remove(&row.status_id).unwrap_or_default());
            (row.status_id, view(row, own, now))
        })
        .collect())
}

/// Writes the poll of a new local post, in its transaction.
pub async fn write_new(
    tx: &mut sqlx::AnyConnection,
    status_id: i64,
    poll: &NewPoll,
    now: i64,
) -> AppResult<()> {
    db::polls::upsert(
        tx,
        &db::polls::NewPollRow {
            status_id,
            expires_at: Some(now + poll.expires_in * 1_000_000),
            multiple: poll.multiple,
            hide_totals: poll.hide_totals,
            options: &poll.options,
            counts: None,
            voters_count: 0,
            closed_at: None,
            now,
        },
    )
    .await?;
    Ok(())
}

/// A poll `viewer` may see (by its post's id, which is the poll's id), or 404.
pub async fn get(state: &AppState, viewer: Option<i64>, id: i64) -> AppResult<PollView> {
    let status = visible(state, viewer, id).await?;
    of_statuses(state, viewer, &[status.id])
        .await?
        .remove(&status.id)
        .ok_or_else(AppError::not_found)
}

/// The ActivityPub id of a person's vote for one option.
pub fn vote_uri(state: &AppState, voter: &AccountRow, status_id: i64, position: i64) -> String {
    state.config.url(&format!(
        "/users/{}#votes/{status_id}/{position}",
        voter.username
    ))
}

/// A vote refused, in Mastodon's 422 shape.
fn refused(key: &'static str) -> AppError {
    AppError::invalid(vec![Invalid::new("choices", key)])
        .with_status(StatusCode::UNPROCESSABLE_ENTITY)
}

/// Votes in a poll as a person here: in ours (counted at once, the new counts sent to the
/// post's readers elsewhere within [`UPDATE_DELAY`]) or in another server's (counted here
/// until its server's next `Update`, and sent to the poll's author as vote `Note`s).
pub async fn vote(
    state: &AppState,
    me: &AccountRow,
    id: i64,
    choices: &[i64],
) -> AppResult<(StatusRow, PollView)> {
    // A post one may not read has no poll one may vote in (members-only circles included).
    let status = visible(state, Some(me.id), id).await?;
    let poll = get(state, Some(me.id), status.id).await?;
    if poll.expired {
        return Err(refused("error-poll-expired"));
    }
    if status.account_id == me.id {
        return Err(refused("error-poll-own"));
    }
    if poll.voted == Some(true) {
        return Err(refused("error-poll-already-voted"));
    }
    let choices = check_choices(choices, poll.row.options.len(), poll.row.multiple)
        .map_err(|e| AppError::invalid(vec![e]))?;
    let now = clock::now();
    let rows: Vec<(i64, String)> = choices
        .iter()
        .map(|c| (*c, vote_uri(state, me, status.id, *c)))
        .collect();
    let mut tx = state.db.begin().await?;
    if !db::polls::vote(&mut tx, status.id, me.id, &rows, now).await? {
        return Err(refused("error-poll-already-voted"));
    }
    if status.local != 0 {
        outgoing::push_debounced_update(&mut tx, status.id, UPDATE_DELAY).await?;
    } else {
        let vote = Outgoing::PollVote {
            status_id: status.id,
            account_id: me.id,
        };
        outgoing::push(&mut tx, &vote).await?;
    }
    tx.commit().await?;
    state.outbox_ready.notify_one();
    let poll = get(state, Some(me.id), status.id).await?;
    Ok((status, poll))
}

/// The closing worker: runs until `stop`.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    loop {
        if let Err(e) = close_due(&state, clock::now()).await {
            tracing::warn!(error = ?e, "closing polls failed");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(IDLE) => {}
        }
    }
}

/// Ends the polls whose time is over: each claimed once for the whole instance, in the
/// transaction that tells the voters here and the author, and queues the final counts for
/// the post's readers elsewhere (ours only: another server ends its own). Gives how many.
pub async fn close_due(state: &AppState, now: i64) -> AppResult<usize> {
    let due = db::polls::due(state.pool(), now, 100).await?;
    let mut closed = 0;
    for id in due {
        let Some(status) = db::statuses::by_id(state.pool(), id).await? else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        if !db::polls::claim_close(&mut tx, id, now).await? {
            continue;
        }
        let mut told = db::polls::local_voters(&mut tx, id).await?;
        if status.local != 0 && !told.contains(&status.account_id) {
            told.push(status.account_id);
        }
        db::polls::notify_end(&mut tx, &told, status.account_id, id, now).await?;
        if status.local != 0 {
            outgoing::push(&mut tx, &Outgoing::UpdateStatus { status_id: id }).await?;
        }
        tx.commit().await?;
        closed += 1;
    }
    if closed > 0 {
        state.outbox_ready.notify_one();
        state.notifications_ready.notify_one();
    }
    Ok(closed)
}

/// An option as a page shows it.
#[derive(Debug, Clone)]
pub struct OptionShown {
    /// Its index (the vote's value).
    pub index: usize,
    pub title: String,
    /// Its votes, when the totals may be shown.
    pub votes: Option<i64>,
    /// Its share of the votes, in percent (0 when nobody voted).
    pub percent: i64,
    /// Whether the viewer chose it.
    pub chosen: bool,
}

impl PollView {
    /// The options as a page shows them.
    pub fn shown_options(&self) -> Vec<OptionShown> {
        let total = self.row.votes_count.max(0);
        self.row
            .options
            .iter()
            .enumerate()
            .map(|(index, (title, votes))| OptionShown {
                index,
                title: title.clone(),
                votes: self.totals_shown.then_some(*votes),
                percent: if total > 0 && self.totals_shown {
                    (votes * 100 + total / 2) / total
                } else {
                    0
                },
                chosen: self.own_votes.contains(&(index as i64)),
            })
            .collect()
    }
}

/// Why a vote from elsewhere was not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteRefused {
    /// The voter may not read the poll's post (a closed circle, followers only...).
    NotReadable,
    /// Voting is over.
    Closed,
    /// No option has that name.
    UnknownOption,
    /// Already counted: a second vote, a second choice in a single-choice poll, or the same
    /// choice again.
    AlreadyVoted,
}

impl VoteRefused {
    /// Why, for the inbox's record.
    pub fn reason(self) -> &'static str {
        match self {
            VoteRefused::NotReadable => "the voter may not read the poll",
            VoteRefused::Closed => "the poll is closed",
            VoteRefused::UnknownOption => "the poll has no such option",
            VoteRefused::AlreadyVoted => "the voter already voted",
        }
    }
}

/// A vote from a person elsewhere in a poll of ours (one choice, named as the option is,
/// carried by the `Note` `uri`): counted only if they may read the post, the poll is open,
/// the option exists and the vote is their first (or, in a multiple-choice poll, a choice
/// they had not made). The new counts reach the post's readers within [`UPDATE_DELAY`]. A
/// vote is never a post nor a notification.
pub async fn vote_from_elsewhere(
    state: &AppState,
    voter: &AccountRow,
    status: &StatusRow,
    option: &str,
    uri: &str,
) -> AppResult<Result<(), VoteRefused>> {
    let Some(poll) = db::polls::of_status(state.pool(), status.id).await? else {
        return Ok(Err(VoteRefused::UnknownOption));
    };
    if !crate::service::statuses::can_see(state, Some(voter.id), status).await? {
        return Ok(Err(VoteRefused::NotReadable));
    }
    let now = clock::now();
    if poll.closed_at.is_some() || poll.expires_at.is_some_and(|e| e <= now) {
        return Ok(Err(VoteRefused::Closed));
    }
    let Some(position) = poll.options.iter().position(|(title, _)| title == option) else {
        return Ok(Err(VoteRefused::UnknownOption));
    };
    if db::polls::vote_known(state.pool(), uri).await? {
        return Ok(Err(VoteRefused::AlreadyVoted));
    }
    let mut tx = state.db.begin().await?;
    if !db::polls::vote_choice(&mut tx, status.id, voter.id, position as i64, uri, now).await? {
        return Ok(Err(VoteRefused::AlreadyVoted));
    }
    outgoing::push_debounced_update(&mut tx, status.id, UPDATE_DELAY).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Keeps another server's poll as its `Question` gives it (created, updated or fetched): a
/// new poll, or new options (the votes here were for others, and are forgotten), or new
/// counts and its end. Its server counts: ours only add the votes of people here until
/// then.
pub async fn store_remote(
    state: &AppState,
    status_id: i64,
    poll: &crate::domain::poll::RemotePoll,
) -> AppResult<()> {
    let now = clock::now();
    let titles: Vec<String> = poll.options.iter().map(|(t, _)| t.clone()).collect();
    let counts: Vec<i64> = poll.options.iter().map(|(_, c)| *c).collect();
    let mut tx = state.db.begin().await?;
    let before = db::polls::of_status(&mut *tx, status_id).await?;
    let same = before.as_ref().is_some_and(|b| {
        b.multiple == poll.multiple
            && b.options.len() == titles.len()
            && b.options.iter().zip(&titles).all(|((a, _), t)| a == t)
    });
    if same {
        db::polls::set_counts(
            &mut tx,
            status_id,
            &counts,
            poll.voters_count,
            poll.expires_at,
        )
        .await?;
    } else {
        if before.is_some() {
            db::polls::delete_votes(&mut tx, status_id).await?;
        }
        db::polls::upsert(
            &mut tx,
            &db::polls::NewPollRow {
                status_id,
                expires_at: poll.expires_at,
                multiple: poll.multiple,
                hide_totals: false,
                options: &titles,
                counts: Some(&counts),
                voters_count: poll.voters_count,
                closed_at: None,
                now,
            },
        )
        .await?;
    }
    if let Some(closed) = poll.closed_at {
        // Over for its server: the closing worker tells the voters here (once).
        db::polls::set_closed_by_expiry(&mut tx, status_id, closed.min(now)).await?;
    }
    tx.commit().await?;
    Ok(())
}
