//! The moderation log's vocabulary: what a moderator or an administrator did, and to what.
//! Each action is stored by its name and shown by the sentence `modlog-<name>` of the
//! catalogs (`locales/*/modlog.ftl`), whose arguments are the entry's `target` and its
//! parameters; a test checks that every action has its sentence in both languages.

/// What was done. Parts of moderation add their actions here (and their sentences).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The registration mode was changed (`mode`).
    RegistrationMode,
    /// A pending registration was approved.
    RegistrationApproved,
    /// A pending registration was refused (the account is gone).
    RegistrationRejected,
    /// Someone's role on the instance was changed (`role`).
    RoleChanged,
    /// An invite code was made.
    InviteCreated,
    /// An invite code was revoked.
    InviteRevoked,
    /// An announcement was written.
    AnnouncementCreated,
    /// An announcement was edited.
    AnnouncementUpdated,
    /// An announcement was published.
    AnnouncementPublished,
    /// An announcement was withdrawn.
    AnnouncementWithdrawn,
    /// An announcement was deleted.
    AnnouncementDeleted,
    /// A moderator took a report (assigned it to themselves).
    ReportAssigned,
    /// A moderator let go of a report.
    ReportUnassigned,
    /// A report was resolved.
    ReportResolved,
    /// A resolved report was opened again.
    ReportReopened,
    /// A moderator wrote a note on a report (the note itself is not in the log).
    ReportNoteAdded,
    /// A moderator read a report naming posts that are not public (`count`: how many).
    ReportPostsViewed,
    /// An account was warned (`report` when it answers one).
    AccountWarned,
    /// An account was limited.
    AccountSilenced,
    /// An account's limit was lifted.
    AccountUnsilenced,
    /// A local person's sign-in was disabled.
    AccountDisabled,
    /// A local person's sign-in was enabled again.
    AccountEnabled,
    /// An account was suspended.
    AccountSuspended,
    /// An account's suspension was lifted.
    AccountUnsuspended,
    /// A suspended account was deleted (`reason`: `admin` or `retention`).
    AccountDeleted,
    /// An appeal of a warning was approved (the sanction lifted).
    AppealApproved,
    /// An appeal of a warning was rejected.
    AppealRejected,
    /// A domain was blocked (`severity`).
    DomainBlockCreated,
    /// A domain block was changed (`severity`).
    DomainBlockUpdated,
    /// A domain block was lifted.
    DomainBlockRemoved,
    /// A domain was allowed (allowlist mode).
    DomainAllowCreated,
    /// A domain was taken off the allowlist.
    DomainAllowRemoved,
    /// A block list was imported (`count`).
    DomainBlocksImported,
    /// An instance rule was written.
    RuleCreated,
    /// An instance rule was edited.
    RuleUpdated,
    /// An instance rule was moved up or down (`direction`).
    RuleMoved,
    /// An instance rule was deleted.
    RuleDeleted,
    /// The about page's texts were changed (`fields`: the names of those that changed).
    AboutUpdated,
    /// Who may create groups was changed (`sections`, `others`).
    GroupCreationPolicy,
    /// A group asked for was created (`kind`).
    GroupCreationApproved,
    /// A group asked for was refused (`kind`).
    GroupCreationRefused,
    /// A local group was marked official.
    GroupMarkedOfficial,
    /// A local group's official mark was taken away.
    GroupUnmarkedOfficial,
    /// A look-alike name's flag was dismissed.
    LookalikeDismissed,
}

impl Action {
    /// Every action, for the log's filter and the catalogs' test.
    pub const ALL: &[Action] = &[
        Action::RegistrationMode,
        Action::RegistrationApproved,
        Action::RegistrationRejected,
        Action::RoleChanged,
        Action::InviteCreated,
        Action::InviteRevoked,
        Action::AnnouncementCreated,
        Action::AnnouncementUpdated,
        Action::AnnouncementPublished,
        Action::AnnouncementWithdrawn,
        Action::AnnouncementDeleted,
        Action::ReportAssigned,
        Action::ReportUnassigned,
        Action::ReportResolved,
        Action::ReportReopened,
        Action::ReportNoteAdded,
        Action::ReportPostsViewed,
        Action::AccountWarned,
        Action::AccountSilenced,
        Action::AccountUnsilenced,
        Action::AccountDisabled,
        Action::AccountEnabled,
        Action::AccountSuspended,
        Action::AccountUnsuspended,
        Action::AccountDeleted,
        Action::AppealApproved,
        Action::AppealRejected,
        Action::DomainBlockCreated,
        Action::DomainBlockUpdated,
        Action::DomainBlockRemoved,
        Action::DomainAllowCreated,
        Action::DomainAllowRemoved,
        Action::DomainBlocksImported,
        Action::RuleCreated,
        Action::RuleUpdated,
        Action::RuleMoved,
        Action::RuleDeleted,
        Action::AboutUpdated,
        Action::GroupCreationPolicy,
        Action::GroupCreationApproved,
        Action::GroupCreationRefused,
        Action::GroupMarkedOfficial,
        Action::GroupUnmarkedOfficial,
        Action::LookalikeDismissed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::RegistrationMode => "registration_mode",
            Action::RegistrationApproved => "registration_approved",
            Action::RegistrationRejected => "registration_rejected",
            Action::RoleChanged => "role_changed",
            Action::InviteCreated => "invite_created",
            Action::InviteRevoked => "invite_revoked",
            Action::AnnouncementCreated => "announcement_created",
            Action::AnnouncementUpdated => "announcement_updated",
            Action::AnnouncementPublished => "announcement_published",
            Action::AnnouncementWithdrawn => "announcement_withdrawn",
            Action::AnnouncementDeleted => "announcement_deleted",
            Action::ReportAssigned => "report_assigned",
            Action::ReportUnassigned => "report_unassigned",
            Action::ReportResolved => "report_resolved",
            Action::ReportReopened => "report_reopened",
            Action::ReportNoteAdded => "report_note_added",
            Action::ReportPostsViewed => "report_posts_viewed",
            Action::AccountWarned => "account_warned",
            Action::AccountSilenced => "account_silenced",
            Action::AccountUnsilenced => "account_unsilenced",
            Action::AccountDisabled => "account_disabled",
            Action::AccountEnabled => "account_enabled",
            Action::AccountSuspended => "account_suspended",
            Action::AccountUnsuspended => "account_unsuspended",
            Action::AccountDeleted => "account_deleted",
            Action::AppealApproved => "appeal_approved",
            Action::AppealRejected => "appeal_rejected",
            Action::DomainBlockCreated => "domain_block_created",
            Action::DomainBlockUpdated => "domain_block_updated",
            Action::DomainBlockRemoved => "domain_block_removed",
            Action::DomainAllowCreated => "domain_allow_created",
            Action::DomainAllowRemoved => "domain_allow_removed",
            Action::DomainBlocksImported => "domain_blocks_imported",
            Action::RuleCreated => "rule_created",
            Action::RuleUpdated => "rule_updated",
            Action::RuleMoved => "rule_moved",
            Action::RuleDeleted => "rule_deleted",
            Action::AboutUpdated => "about_updated",
            Action::GroupCreationPolicy => "group_creation_policy",
            Action::GroupCreationApproved => "group_creation_approved",
            Action::GroupCreationRefused => "group_creation_refused",
            Action::GroupMarkedOfficial => "group_marked_official",
            Action::GroupUnmarkedOfficial => "group_unmarked_official",
            Action::LookalikeDismissed => "lookalike_dismissed",
        }
    }

    /// The action of a stored name (or of the log filter's choice).
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

/// What an action was done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The instance itself (its settings).
    Instance,
    /// An account, local or remote (a person or a group).
    Account,
    /// An invite code.
    Invite,
    /// An announcement.
    Announcement,
    /// A report.
    Report,
    /// An appeal of a warning.
    Appeal,
    /// Another server's domain (a domain block or allow).
    Domain,
    /// An instance rule.
    Rule,
    /// A request to create a group.
    GroupRequest,
}

impl Target {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Instance => "instance",
            Target::Account => "account",
            Target::Invite => "invite",
            Target::Announcement => "announcement",
            Target::Report => "report",
            Target::Appeal => "appeal",
            Target::Domain => "domain",
            Target::Rule => "rule",
            Target::GroupRequest => "group_request",
        }
    }
}

/// The most parameters an entry carries, and the longest text of one: entries say what was
/// done, they never hold content.
pub const MAX_PARAMS: usize = 8;
/// See [`MAX_PARAMS`].
pub const MAX_PARAM_CHARS: usize = 200;

/// An entry's parameters as stored: a JSON object of short texts, each cut to
/// [`MAX_PARAM_CHARS`], at most [`MAX_PARAMS`] of them.
pub fn params_json(params: &[(&str, String)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .take(MAX_PARAMS)
        .map(|(k, v)| {
            let v: String = v.chars().take(MAX_PARAM_CHARS).collect();
            (k.to_string(), serde_json::Value::String(v))
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The parameters of a stored entry (none when the column is not an object of texts).
pub fn params_of(json: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
        }
        assert_eq!(Action::parse("nothing"), None);
    }

    #[test]
    fn params_are_bounded_texts() {
        let long = "x".repeat(500);
        let json = params_json(&[("role", "moderator".into()), ("long", long)]);
        let mut back = params_of(&json);
        back.sort();
        assert_eq!(back[0], ("long".into(), "x".repeat(MAX_PARAM_CHARS)));
        assert_eq!(back[1], ("role".into(), "moderator".into()));
        let many: Vec<(&str, String)> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .map(|k| (*k, String::new()))
            .collect();
        assert_eq!(params_of(&params_json(&many)).len(), MAX_PARAMS);
        assert!(params_of("[1]").is_empty());
        assert!(params_of("not json").is_empty());
    }
}
