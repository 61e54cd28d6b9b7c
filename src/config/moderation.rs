//! The moderation part of the configuration: how long the moderation log keeps what
//! moderators and administrators did, how long a suspended account stays restorable, whom
//! the instance federates with, who sees the list of moderated servers, and who may create
//! sections, federations and other groups (the administrators' setting overrides it at run
//! time). Parts of moderation add their keys here.

use super::{ConfigError, parse_number};
use crate::domain::governance::CreationPolicy;
use std::time::Duration;

/// Moderation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moderation {
    /// How long entries of the moderation log (the instance's and every group's) are kept;
    /// `None`: for ever.
    pub log_retention: Option<Duration>,
    /// How long a suspended account stays restorable; past it the hourly chores delete it.
    pub suspension_retention: Duration,
    /// Whom the instance federates with (`federation_mode`).
    pub federation_mode: FederationMode,
    /// Who sees the list of moderated servers (`show_domain_blocks`).
    pub show_domain_blocks: ShowDomainBlocks,
    /// Who may create sections and federations (`group_creation_sections`).
    pub section_creation: CreationPolicy,
    /// Who may create thematic groups and initiatives (`group_creation_others`).
    pub other_creation: CreationPolicy,
}

/// Whom the instance federates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FederationMode {
    /// Every server but those suspended.
    Open,
    /// Only the allowed domains (and their subdomains), GoToSocial's allowlist mode.
    Allowlist,
}

/// Who sees the list of moderated servers (Mastodon's `show_domain_blocks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowDomainBlocks {
    /// Nobody (the API answers 404).
    None,
    /// Signed-in people.
    Users,
    /// Everyone.
    All,
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
    let federation_mode = match get("federation_mode").trim() {
        "open" => FederationMode::Open,
        "allowlist" => FederationMode::Allowlist,
        _ => {
            return Err(fail("federation_mode", "expected open or allowlist".into()));
        }
    };
    let show_domain_blocks = match get("show_domain_blocks").trim() {
        "none" => ShowDomainBlocks::None,
        "users" => ShowDomainBlocks::Users,
        "all" => ShowDomainBlocks::All,
        _ => {
            return Err(fail(
                "show_domain_blocks",
                "expected none, users or all".into(),
            ));
        }
    };
    let policy = |key: &str| {
        CreationPolicy::parse(&get(key))
            .map_err(|_| fail(key, "must be anyone, approval or admins".to_string()))
    };
    Ok(Moderation {
        log_retention: (days > 0).then(|| Duration::from_secs(days * 86_400)),
        suspension_retention: Duration::from_secs(kept * 86_400),
        federation_mode,
        show_domain_blocks,
        section_creation: policy("group_creation_sections")?,
        other_creation: policy("group_creation_others")?,
    })
}
