//! The moderation part of the configuration: how long the moderation log keeps what
//! moderators and administrators did; who may create sections, federations and other groups
//! (the administrators' setting overrides it at run time). Parts of moderation add their keys
//! here.

use super::{ConfigError, parse_number};
use crate::domain::governance::CreationPolicy;
use std::time::Duration;

/// Moderation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderation {
    /// How long entries of the moderation log (the instance's and every group's) are kept;
    /// `None`: for ever.
    pub log_retention: Option<Duration>,
    /// Who may create sections and federations (`group_creation_sections`).
    pub section_creation: CreationPolicy,
    /// Who may create thematic groups and initiatives (`group_creation_others`).
    pub other_creation: CreationPolicy,
}

/// Reads the moderation keys.
pub(super) fn parse(
    get: &dyn Fn(&str) -> String,
    fail: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Moderation, ConfigError> {
    let days = parse_number(&get("moderation_log_retention_days"), 0, 36_500)
        .map_err(|why| fail("moderation_log_retention_days", why))?;
    let policy = |key: &str| {
        CreationPolicy::parse(&get(key))
            .map_err(|_| fail(key, "must be anyone, approval or admins".to_string()))
    };
    Ok(Moderation {
        log_retention: (days > 0).then(|| Duration::from_secs(days * 86_400)),
        section_creation: policy("group_creation_sections")?,
        other_creation: policy("group_creation_others")?,
    })
}
