# Reports and the moderation queue
field-content = Note
field-account_id = Account
field-status_ids = Posts
field-rule_ids = Rules
field-forward_to_domains = Servers to tell
field-resolved = Resolved
field-target_account_id = Reported account
error-report-category = Unknown category: "spam", "legal", "violation" or "other".
error-report-domain = "{ $domain }" is not a server name.
error-report-too-many = { $max } at most.
error-report-self = You cannot report yourself.
error-report-rule = Rule { $id } does not exist on this server.
error-report-rules-required = A rule violation must name at least one rule.
error-report-rules-not-violation = Rules are named only for a rule violation (category "violation").
error-report-status-author = Post { $id } is not by this account.
error-report-forward-off = Servers to tell are named only when forwarding is asked (forward).
error-report-domain-unrelated = "{ $domain }" is neither the reported account's server nor that of an account its posts answer.
error-report-resolved = must be "true" or "false"
modlog-report_assigned = Report { $target } taken
modlog-report_unassigned = Report { $target } let go
modlog-report_resolved = Report { $target } resolved
modlog-report_reopened = Report { $target } reopened
modlog-report_note_added = Note added to report { $target }
modlog-report_posts_viewed = { $count ->
    [one] A post that is not public read in report { $target }
   *[other] { $count } posts that are not public read in report { $target }
}
modlog-filter-report_assigned = Reports taken
modlog-filter-report_unassigned = Reports let go
modlog-filter-report_resolved = Reports resolved
modlog-filter-report_reopened = Reports reopened
modlog-filter-report_note_added = Notes on reports
modlog-filter-report_posts_viewed = Posts that are not public read
