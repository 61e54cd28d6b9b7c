//! The "official" mark of groups: who recognizes a group (an administrator of this instance,
//! or federations that vouch for it), the administrators' marks, the list a local federation
//! publishes, and the worker that reads other servers' federations' lists.
//!
//! A federation vouches for its approved affiliations. For a federation of this server that
//! is known here (`follows.affiliation`); for a federation elsewhere, only what its own server
//! publishes counts (`officialSections`, read by [`run`] into `official_vouches`): neither the
//! section's own documents nor our records of the affiliation make it official.

use super::groups::{Group, load_many};
use crate::{
    clock,
    db::{self, accounts::UserRow, governance::Pair},
    domain::{
        GroupKind,
        modlog::{Action, Target},
    },
    error::{AppError, AppResult},
    service::modlog::{self, Entry},
    state::AppState,
};
use axum::http::StatusCode;
use std::{collections::HashMap, time::Duration};

/// How often a federation's list is read again after an answer.
pub const RECHECK: Duration = Duration::from_secs(6 * 3600);
/// How long after a failed read it is tried again (doubled with each failure, up to
/// [`RECHECK`]).
pub const RETRY: Duration = Duration::from_secs(600);
/// How long what a federation's server last said holds while it cannot be read: past that,
/// its vouch no longer counts.
pub const STALE: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a claimed pair stays this process's.
const LEASE: Duration = Duration::from_secs(120);
/// The pause between two looks for work when there was none.
const IDLE: Duration = Duration::from_secs(2);
/// The most sections a local federation's collection lists (as many as another server reads
/// of it: `federation::official::MOST_SECTIONS`).
const MOST_PUBLISHED: i64 = 2_000;

/// Who recognizes a group as official.
#[derive(Debug, Clone)]
pub enum Recognizer {
    /// An administrator of this instance marked it.
    Instance,
    /// A federation vouches for it (its own server says so).
    Federation(Box<Group>),
}

/// Who recognizes each of `ids`: a map from the group's id to its recognizers (absent when
/// none); the instance first, then federations by name. Three queries whatever the count.
pub async fn recognizers(
    state: &AppState,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<Recognizer>>> {
    let mut out: HashMap<i64, Vec<Recognizer>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for id in db::governance::marked(state.pool(), ids).await? {
        out.entry(id).or_default().push(Recognizer::Instance);
    }
    let pairs = db::governance::vouchers(state.pool(), ids).await?;
    let mut federation_ids: Vec<i64> = pairs.iter().map(|(_, f)| *f).collect();
    federation_ids.sort_unstable();
    federation_ids.dedup();
    let mut federations = load_many(state, &federation_ids).await?;
    federations.sort_by(|a, b| a.account.display_name.cmp(&b.account.display_name));
    for federation in federations {
        for (section, _) in pairs.iter().filter(|(_, f)| *f == federation.account.id) {
            out.entry(*section)
                .or_default()
                .push(Recognizer::Federation(Box::new(federation.clone())));
        }
    }
    Ok(out)
}

/// Who recognizes one group.
pub async fn recognizers_of(state: &AppState, group: &Group) -> AppResult<Vec<Recognizer>> {
    Ok(recognizers(state, &[group.account.id])
        .await?
        .remove(&group.account.id)
        .unwrap_or_default())
}

/// An administrator marks a local group official, or takes the mark away (rule G-O1).
pub async fn set_mark(
    state: &AppState,
    by: &UserRow,
    group: &Group,
    official: bool,
) -> AppResult<()> {
    modlog::require_admin(by)?;
    if !group.is_local() {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-official-remote",
        ));
    }
    let mut tx = state.db.begin().await?;
    let changed = if official {
        db::governance::mark(&mut *tx, group.account.id, by.account_id, clock::now()).await?
    } else {
        db::governance::unmark(&mut *tx, group.account.id).await?
    };
    if changed {
        modlog::record(
            &mut *tx,
            Entry::new(
                Some(by.account_id),
                if official {
                    Action::GroupMarkedOfficial
                } else {
                    Action::GroupUnmarkedOfficial
                },
                Target::Account,
                Some(group.account.id),
                &group.account.username,
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The local groups an administrator marked official (administrators).
pub async fn marked_groups(state: &AppState, by: &UserRow) -> AppResult<Vec<Group>> {
    modlog::require_admin(by)?;
    let ids = db::governance::all_marked(state.pool()).await?;
    load_many(state, &ids).await
}

/// What a local federation's `officialSections` collection lists: the actor ids of its
/// approved affiliations. `None` for an account that is no federation of this server.
pub async fn published_sections(
    state: &AppState,
    account: &db::accounts::AccountRow,
) -> AppResult<Option<Vec<String>>> {
    if !account.is_local() || account.actor_type != "Group" {
        return Ok(None);
    }
    let Some(row) = db::groups::by_id(state.pool(), account.id).await? else {
        return Ok(None);
    };
    if row.kind != GroupKind::Federation {
        return Ok(None);
    }
    Ok(Some(
        db::governance::vouched_sections(state.pool(), account.id, MOST_PUBLISHED).await?,
    ))
}

/// The worker that reads other servers' federations' lists: it finds the pairs to check
/// (our sections' approved affiliations with federations elsewhere), forgets those whose
/// affiliation ended, and reads the due ones it claims, so that processes sharing a database
/// read each list once.
pub async fn run(state: AppState, stop: tokio_util::sync::CancellationToken) {
    loop {
        let worked = match step(&state).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = ?e, "official sections step failed");
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

/// One round of the worker: gives how many pairs it checked.
pub async fn step(state: &AppState) -> AppResult<usize> {
    let now = clock::now();
    db::governance::prune_pairs(state.pool()).await?;
    db::governance::seed_pairs(state.pool(), now).await?;
    super::governance::fill_name_keys(state).await?;
    let claimed = db::governance::claim(
        state.pool(),
        &state.process_id,
        now,
        now + LEASE.as_micros() as i64,
        8,
    )
    .await?;
    let n = claimed.len();
    for pair in claimed {
        check(state, &pair).await?;
    }
    Ok(n)
}

/// Reads the federation's list from its server and records whether it names the section.
async fn check(state: &AppState, pair: &Pair) -> AppResult<()> {
    let now = clock::now();
    let section = db::accounts::by_id(state.pool(), pair.section_id).await?;
    let federation = load_many(state, &[pair.federation_id]).await?.pop();
    let (Some(section), Some(federation)) = (section, federation) else {
        db::governance::checked(state.pool(), pair, false, now, now + micros(RECHECK)).await?;
        return Ok(());
    };
    if federation.is_local() || federation.kind() != GroupKind::Federation {
        // A federation here is read from our own records (`vouchers`); a group that is no
        // federation vouches for nobody.
        db::governance::checked(state.pool(), pair, false, now, now + micros(RECHECK)).await?;
        return Ok(());
    }
    let listed = match state.remote() {
        Some(remote) => remote.official_sections(state, &federation.account).await,
        None => None,
    };
    match listed {
        Some(ids) => {
            let vouched = ids.contains(&section.uri);
            db::governance::checked(state.pool(), pair, vouched, now, now + micros(RECHECK))
                .await?;
        }
        None => {
            tracing::info!(
                federation = %federation.account.uri,
                "a federation's official sections could not be read"
            );
            let wait = RETRY
                .saturating_mul(1u32 << pair.failures.clamp(0, 8) as u32)
                .min(RECHECK);
            db::governance::failed(state.pool(), pair, now + micros(wait), now - micros(STALE))
                .await?;
        }
    }
    Ok(())
}

fn micros(d: Duration) -> i64 {
    d.as_micros() as i64
}
