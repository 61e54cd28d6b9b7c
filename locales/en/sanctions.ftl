# Account sanctions (moderation): warn, limit, disable, suspend, delete
nav-admin-accounts = Accounts
page-admin-accounts = Accounts
page-admin-accounts-intro = Accounts from here and elsewhere. Moderators warn and limit; administrators disable, suspend, lift suspensions and delete.
page-admin-accounts-search = Name, display name, domain or address
page-admin-accounts-origin = Origin
page-admin-accounts-any = All
page-admin-accounts-local = From here
page-admin-accounts-remote = From elsewhere
page-admin-accounts-status = Standing
page-admin-accounts-status-active = Active
page-admin-accounts-status-pending = Pending
page-admin-accounts-status-disabled = Disabled
page-admin-accounts-status-silenced = Limited
page-admin-accounts-status-suspended = Suspended
page-admin-accounts-show = Show
page-admin-accounts-none = No account matches.
page-admin-accounts-older = Older
page-admin-account-badge-silenced = Limited
page-admin-account-badge-suspended = Suspended
page-admin-account-badge-disabled = Disabled
page-admin-account-badge-pending = Pending
page-admin-account-email = Address
page-admin-account-role = Role
page-admin-account-joined = Joined
page-admin-account-act = Act on this account
page-admin-account-action = Action
page-admin-account-text = Message to the person (they will read it; it is not kept in the log)
page-admin-account-report = Report concerned (number, optional)
page-admin-account-send-email = Tell the person by e-mail
page-admin-account-submit = Apply
page-admin-account-lift = Lift
page-admin-account-unsilence = Lift the limit
page-admin-account-unsuspend = Lift the suspension
page-admin-account-enable = Enable sign-in again
page-admin-account-delete = Delete for good
page-admin-account-delete-help = Erases the suspended account now, without waiting for the end of the retention period.
page-admin-account-suspended-until = Suspended: can be restored until { $until }, then deleted.
page-admin-account-history = Past actions
page-admin-account-no-history = No action on this account.
page-admin-account-appealed = Appeal: “{ $text }”
page-admin-account-appeal-decided = Appeal { $decision ->
    [approved] approved
   *[rejected] rejected
}
sanction-kind = { $kind ->
    [none] Warning
    [sensitive] Sensitive media
    [disable] Sign-in disabled
    [silence] Limit
   *[suspend] Suspension
}
flash-sanction-done = Done.
nav-admin-appeals = Appeals
page-admin-appeals = Pending appeals
page-admin-appeals-none = No pending appeal.
page-admin-appeals-approve = Approve (lift the sanction)
page-admin-appeals-reject = Reject
nav-settings-warnings = Warnings
page-settings-warnings = Warnings from the moderators
page-settings-warnings-intro = What the instance's moderators decided about your account. You may appeal each decision once; an administrator decides.
page-settings-warnings-none = The moderators decided nothing about your account.
page-settings-warnings-appeal = Appeal
page-settings-warnings-appeal-text = Why this decision should be reviewed
page-settings-warnings-pending = Appeal sent, awaiting a decision.
flash-appeal-sent = Your appeal was sent.
error-sanction-type = This action does not exist: “none”, “disable”, “silence” or “suspend”.
error-sanction-admin-only = Only administrators may disable, suspend, lift a suspension or delete an account; moderators warn and limit.
error-sanction-sensitive = coopol does not mark an account's media as sensitive: warn or limit instead.
error-sanction-self = Nobody sanctions themselves.
error-sanction-group = A local group is moderated in its own pages.
error-sanction-staff = This account belongs to the moderation team: change its role first.
error-sanction-remote-disable = Only a local account can be disabled; suspend an account from elsewhere.
error-sanction-already-silenced = This account is already limited.
error-sanction-already-disabled = This account's sign-in is already disabled.
error-sanction-already-suspended = This account is already suspended.
error-sanction-not-silenced = This account is not limited.
error-sanction-not-disabled = This account's sign-in is not disabled.
error-sanction-not-suspended = This account is not suspended.
error-sanction-retention-over = This suspension's retention period is over: the account can no longer be restored.
error-sanction-delete-unsuspended = Suspend the account first: only a suspended account can be deleted.
error-sanction-boolean = must be “true” or “false”
error-account-suspended = Your account is suspended by the instance's moderators. Reason: { $reason }. To appeal, write to { $contact } before { $until }; after that date the account will be deleted.
error-appeal-twice = This decision was already appealed.
error-appeal-decided = This appeal was already decided.
error-admin-filter = This filter does not know this value.
error-admin-filter-both = Choose only one of these filters.
error-admin-ip = coopol keeps no IP addresses: this filter cannot apply.
field-type = Action
field-report_id = Report
field-ip = IP address
field-permissions = Permissions
field-role_ids = Roles
field-invited_by = Invited by
field-sensitized = Sensitive media
field-remote = From elsewhere
field-send_email_notification = E-mail
mail-sanction-subject = { $action ->
    [none] A warning from the moderators of { $instance }
    [disable] Your sign-in to { $instance } is disabled
    [silence] Your account on { $instance } is limited
   *[suspend] Your account on { $instance } is suspended
}
mail-sanction-body = { $action ->
    [none] The moderators of { $instance } send you a warning.
    [disable] The moderators of { $instance } disabled sign-in to your account.
    [silence] The moderators of { $instance } limited your account: your posts no longer show in public timelines nor in the searches of people who do not follow you.
   *[suspend] The moderators of { $instance } suspended your account: your posts and profile are no longer visible, and you can no longer sign in.
}
mail-sanction-action = Read and appeal
mail-sanction-appeal = You may appeal this decision once; an administrator will review it.
modlog-account_warned = { $target } warned
modlog-account_silenced = { $target } limited
modlog-account_unsilenced = Limit on { $target } lifted
modlog-account_disabled = Sign-in of { $target } disabled
modlog-account_enabled = Sign-in of { $target } enabled again
modlog-account_suspended = { $target } suspended
modlog-account_unsuspended = Suspension of { $target } lifted
modlog-account_deleted = { $target } deleted ({ $reason ->
    [retention] end of the retention period
   *[admin] by an administrator
})
modlog-appeal_approved = Appeal of { $target } approved
modlog-appeal_rejected = Appeal of { $target } rejected
modlog-filter-account_warned = Warnings
modlog-filter-account_silenced = Limits
modlog-filter-account_unsilenced = Limits lifted
modlog-filter-account_disabled = Sign-ins disabled
modlog-filter-account_enabled = Sign-ins enabled again
modlog-filter-account_suspended = Suspensions
modlog-filter-account_unsuspended = Suspensions lifted
modlog-filter-account_deleted = Deleted accounts
modlog-filter-appeal_approved = Appeals approved
modlog-filter-appeal_rejected = Appeals rejected
