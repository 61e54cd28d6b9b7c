//! What an incoming activity does: the inbox worker calls [`process`] on activities already
//! stored and whose signature was checked; it reads the activity, checks that its signer is its
//! actor, and hands it to its module in `federation::activities`, which checks that the actor
//! may do what it claims (its own objects, addressed to us) and calls a service.
//!
//! Every activity ends in an [`Outcome`]: applied, or ignored with a reason. Failures that may
//! pass (a peer that does not answer) are retried; the others are not.

use super::protocol::{self, Activity, same_origin};
use crate::{db, error::AppError, state::AppState};
use serde_json::Value;

pub use super::activities::{
    POST_TYPES, addresses_us, check_authorship, parse_note, received as dispatch,
};

/// What became of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It took effect.
    Applied(&'static str),
    /// It was understood and deliberately left without effect, for this reason.
    Ignored(&'static str),
}

/// Why processing failed.
#[derive(Debug)]
pub enum Failure {
    /// Worth trying again later (a peer did not answer, a fetch failed).
    Retry(String),
    /// Will never work (malformed, forbidden).
    Permanent(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let message = format!(
            "{}{}",
            e.message(crate::domain::Locale::En),
            e.source
                .as_ref()
                .map(|s| format!(": {s:#}"))
                .unwrap_or_default()
        );
        if e.status.is_server_error() || e.status == axum::http::StatusCode::TOO_MANY_REQUESTS {
            Failure::Retry(message)
        } else {
            Failure::Permanent(message)
        }
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Retry(e.to_string())
    }
}

type Result<T> = std::result::Result<T, Failure>;

pub(super) fn permanent(why: &str) -> Failure {
    Failure::Permanent(why.to_string())
}

/// Processes one activity received from `signer`.
pub async fn process(state: &AppState, signer: &str, body: &str) -> Result<Outcome> {
    let activity = parse_activity(signer, body)?;
    let Some(actor) = db::accounts::by_uri(state.pool(), signer).await? else {
        return Err(Failure::Retry("the signer is not stored".into()));
    };
    if db::sanctions::is_suspended(state.pool(), actor.id).await? {
        return Ok(Outcome::Ignored("the actor is suspended here"));
    }
    dispatch(state, &actor, &activity).await
}

/// Reads a stored activity and checks that its signer is its actor, on its server.
pub fn parse_activity(signer: &str, body: &str) -> Result<Activity> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| permanent(&format!("not JSON: {e}")))?;
    if protocol::depth(&value) > protocol::MAX_NESTING {
        return Err(permanent("nested too deeply"));
    }
    let activity: Activity =
        serde_json::from_value(value).map_err(|e| permanent(&format!("not an activity: {e}")))?;
    if activity.actor.as_str() != signer {
        return Err(permanent("the actor is not the signer"));
    }
    if !same_origin(&activity.id, &activity.actor) {
        return Err(permanent("the activity id is not on the actor's server"));
    }
    Ok(activity)
}
