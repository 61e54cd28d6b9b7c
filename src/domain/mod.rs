//! Pure types and rules, no I/O: every value that comes from outside (a form, a JSON body, the
//! command line) is parsed into one of these types once, at the edge, so the rest of the code never
//! sees an invalid username, e-mail address, scope or language.

pub mod about;
mod account;
pub mod account_extras;
pub mod announcement;
pub mod card;
pub mod csv;
pub mod curation;
pub mod domain_policy;
pub mod event;
pub mod governance;
pub mod group;
pub mod html;
mod locale;
pub mod media;
pub mod modlog;
pub mod notification_policy;
pub mod poll;
pub mod push;
pub mod report;
pub mod rules;
pub mod sanction;
mod scopes;
mod social;
pub mod status;
pub mod tag;
mod text;
pub mod time_zone;

pub use account::{Email, Password, RegistrationMode, Role, UserState, Username, handle_parts};
pub use group::{Circle, GroupKind, JoinMode, MemberRole, MembershipState, Place};
pub use locale::Locale;
pub use scopes::{Scope, Scopes};
pub use social::{
    AlertReach, Channels, DigestFrequency, FollowState, MissionAlerts, NotificationKind,
};
pub use status::Visibility;
pub use text::{Bio, DisplayName, InviteCode, RegistrationReason};
pub use time_zone::parse_time_zone;

/// Shows a stored name (`as_str`) wherever a value is printed: templates, CSV, logs.
macro_rules! display_as_str {
    ($($ty:ty),* $(,)?) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

display_as_str!(
    Visibility,
    Circle,
    GroupKind,
    JoinMode,
    MemberRole,
    MembershipState,
    FollowState,
    NotificationKind,
    Role,
    UserState,
    event::EventStatus,
    event::EventJoinMode,
    event::ParticipationState,
    media::MediaKind,
    media::MediaState,
    media::MediaUse,
);

/// Whether two URLs have the same origin (scheme, host and port): the unit of trust between
/// servers. An actor may speak only for objects of its own origin.
pub fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether two ids (URLs as text) have the same origin; `false` when either is not a URL.
pub fn same_origin_ids(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => same_origin(&a, &b),
        _ => false,
    }
}

/// Why a value was refused. `key` names a translation (see `locales/`), `field` the input it
/// came from, so forms can show the message next to the field and APIs can name the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The form or JSON field the value came from, e.g. `username`.
    pub field: &'static str,
    /// The translation key of the explanation, e.g. `error-username-chars`.
    pub key: &'static str,
    /// Values interpolated in the translation, e.g. `("max", "30")`.
    pub args: Vec<(&'static str, String)>,
}

impl Invalid {
    /// A refusal without arguments.
    pub fn new(field: &'static str, key: &'static str) -> Self {
        Invalid {
            field,
            key,
            args: Vec::new(),
        }
    }

    /// Adds an interpolated value to the message.
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }
}

/// Checks the length of a text in characters (not bytes), as users count them.
pub(crate) fn check_length(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), Invalid> {
    let n = value.chars().count();
    if n < min {
        if min == 1 {
            return Err(Invalid::new(field, "error-required"));
        }
        return Err(Invalid::new(field, "error-too-short").arg("min", min));
    }
    if n > max {
        return Err(Invalid::new(field, "error-too-long").arg("max", max));
    }
    Ok(())
}
