//! What the export and import workers share (docs/decisions/0029): the loop that claims a
//! job, does it and sleeps when there was none, with a chore now and then; and the lease of a
//! claimed job, renewed while the work lasts and given back only by the process holding it.

use crate::{
    clock, db,
    error::{AppError, AppResult},
    state::AppState,
};
use std::{future::Future, time::Duration};
use tokio_util::sync::CancellationToken;

/// Which table a job is a row of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// `data_exports`: an archive to build.
    Export,
    /// `data_imports`: a CSV file to apply.
    Import,
}

impl Job {
    fn imports(self) -> bool {
        self == Job::Import
    }

    fn name(self) -> &'static str {
        match self {
            Job::Export => "data export",
            Job::Import => "data import",
        }
    }
}

/// How often the workers look for work when they found none: archives and imports are rare,
/// and each look is a claiming `UPDATE` (on SQLite, a turn at the one writer).
const IDLE: Duration = Duration::from_secs(2);

/// Runs `step` (which gives how many jobs it handled) until `stop`, sleeping [`IDLE`] when it
/// found none, and `chore` every `chores_every` (at the start too).
pub async fn run_loop<C, CF, S, SF>(
    job: Job,
    stop: &CancellationToken,
    chores_every: Duration,
    chore: C,
    step: S,
) where
    C: Fn() -> CF,
    CF: Future<Output = AppResult<()>>,
    S: Fn() -> SF,
    SF: Future<Output = AppResult<usize>>,
{
    let mut last_chore: Option<std::time::Instant> = None;
    loop {
        if last_chore.is_none_or(|at| at.elapsed() >= chores_every) {
            last_chore = Some(std::time::Instant::now());
            if let Err(e) = chore().await {
                tracing::warn!(error = ?e, job = job.name(), "a chore failed");
            }
        }
        let worked = match step().await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = ?e, job = job.name(), "a step failed");
                false
            }
        };
        if stop.is_cancelled() {
            return;
        }
        if !worked {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

/// Does `work` on job `id`, claimed by this process for `lease`: the lease is renewed every
/// third of it while the work lasts (an import of thousands of lookups outlives it); when the
/// claim is lost meanwhile the work stops. On an error the job is given back for a later
/// attempt, or marked failed after `max_attempts`, only while this process still holds it.
pub async fn hold<F>(
    state: &AppState,
    job: Job,
    id: i64,
    lease: Duration,
    max_attempts: i64,
    work: F,
) -> AppResult<()>
where
    F: Future<Output = AppResult<()>>,
{
    let renewing = async {
        let mut every = tokio::time::interval(lease / 3);
        every.tick().await;
        loop {
            every.tick().await;
            let until = clock::now() + lease.as_micros() as i64;
            match db::personal_data::renew(
                state.pool(),
                job.imports(),
                id,
                &state.process_id,
                until,
            )
            .await
            {
                Ok(true) => {}
                Ok(false) => {
                    return AppError::internal(anyhow::anyhow!("the claim on a job was lost"));
                }
                Err(e) => tracing::warn!(error = ?e, job = job.name(), "renewing a lease failed"),
            }
        }
    };
    let result = tokio::select! {
        done = work => done,
        lost = renewing => Err(lost),
    };
    if let Err(e) = result {
        tracing::warn!(id, error = ?e, job = job.name(), "a job will be tried again");
        db::personal_data::release(
            state.pool(),
            job.imports(),
            id,
            &state.process_id,
            max_attempts,
            clock::now(),
        )
        .await?;
    }
    Ok(())
}

/// Whether a job's account may still act: neither erased nor suspended. Otherwise the job is
/// marked failed (an erased or suspended account "speaks no more": no archive built, no
/// import's follows sent).
pub async fn account_active(
    state: &AppState,
    job: Job,
    id: i64,
    account: Option<&db::accounts::AccountRow>,
) -> AppResult<bool> {
    let active = match account {
        Some(a) if a.deleted_at.is_none() => {
            !db::sanctions::is_suspended(state.pool(), a.id).await?
        }
        _ => false,
    };
    if !active {
        db::personal_data::fail(
            state.pool(),
            job.imports(),
            id,
            &state.process_id,
            clock::now(),
        )
        .await?;
    }
    Ok(active)
}
