//! The moderation part of the configuration: how long the moderation log keeps what
//! moderators and administrators did, and how long a suspended account stays
//! restorable. Parts of moderation add their keys here.

use super::{ConfigError, parse_number};
use std::time::Duration;

/// Moderation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderation {
    /// How long entries of the moderation log (the instance's and every group's) are kept;
    /// `None`: for ever.
    pub log_retention: Option<Duration>,
    /// How long a suspended account stays restorable; past it the hourly chores delete it.
    pub suspension_retention: Duration,
}

/// Reads the moderation keys.
pub(super) fn parse(
    get: &dyn Fn(&str) -> String,
    fail: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Moderation, ConfigError> {
    let days = parse_number(&get("moderation_log_retention_days"), 0, 36_500)
        .map_err(|why| fail("moderation_log_retention_days", why))?;
    let kept = parse_number(&get("moderation_suspension_retention_days"), 1, 3_650)
        .map_err(|why| fail("moderation_suspension_retention_days", why))?;
    Ok(Moderation {
        log_retention: (days > 0).then(|| Duration::from_secs(days * 86_400)),
        suspension_retention: Duration::from_secs(kept * 86_400),
    })
}
