# Instance rules, the about page and the dashboard (administration)
nav-admin-rules = Instance rules
nav-admin-about = About the instance
page-admin-rules = Instance rules
page-admin-rules-intro = The rules everyone accepts when signing up, one box to tick per rule. They also show on the about page and in apps.
page-admin-rules-back = All rules
page-admin-rules-none = No rules yet.
page-admin-rules-new = New rule
page-admin-rules-edit = Edit the rule
page-admin-rules-edit-action = Edit
page-admin-rules-edit-which = Edit the rule “{ $rule }”
page-admin-rules-up = Move up
page-admin-rules-up-which = Move the rule “{ $rule }” up
page-admin-rules-down = Move down
page-admin-rules-down-which = Move the rule “{ $rule }” down
page-admin-rules-delete = Delete
page-admin-rules-delete-which = Delete the rule “{ $rule }”
page-admin-rules-text-hint = A short sentence on one line (300 characters at most).
page-admin-rules-hint-hint = Optional: what the rule means, shown under it.
field-rule-text = Rule
field-rule-hint = Explanation
error-rule-one-line = must fit on one line
error-rule-control = contains invisible characters that are not allowed
error-rules-too-many = There are already { $max } rules, the most allowed.
error-rule-direction = No such direction: “up” or “down”.
error-rules-not-accepted = { $count ->
    [one] Tick the remaining rule to sign up.
   *[other] Tick the { $count } remaining rules to sign up.
}
flash-rule-created = Rule added.
flash-rule-saved = Rule saved.
flash-rule-moved = Rule moved.
flash-rule-deleted = Rule deleted.
page-sign-up-rules = Instance rules
page-sign-up-rules-hint = Tick each rule to say you accept it.
page-about-rules = Rules
page-about-contact-account = Account to contact:
page-admin-about = About the instance
page-admin-about-intro = What the instance says about itself, on the about page, in apps and to other servers. Until something is saved, the configuration file's values apply.
page-admin-about-short-hint = One paragraph: what this instance is and who it is for.
page-admin-about-contact-hint = The username of an active account of this instance (optional).
page-admin-about-privacy-hint = Empty: the about page says what coopol keeps and never shows.
page-admin-about-markdown-hint = Extended description and privacy policy: Markdown (paragraphs, *italics*, **bold**, lists, links). HTML shows as text.
field-instance-name = Instance name
field-short-description = Short description
field-contact-email = Contact e-mail address
field-contact-username = Contact account
field-extended-description = Extended description
field-privacy-policy = Privacy policy
error-about-one-line = must fit on one line
error-about-control = contains invisible characters that are not allowed
error-about-contact-unknown = is not an active account of this instance
flash-about-saved = About page saved.
modlog-rule_created = Rule added: “{ $target }”
modlog-rule_updated = Rule edited: “{ $target }”
modlog-rule_moved = { $direction ->
    [up] Rule moved up
   *[down] Rule moved down
}: “{ $target }”
modlog-rule_deleted = Rule deleted: “{ $target }”
modlog-about_updated = About page changed: { $fields }
modlog-filter-rule_created = Rules added
modlog-filter-rule_updated = Rules edited
modlog-filter-rule_moved = Rules moved
modlog-filter-rule_deleted = Rules deleted
modlog-filter-about_updated = About page
page-dashboard = Dashboard
page-dashboard-accounts = Local accounts
page-dashboard-active-week = Active this week
page-dashboard-pending = Registrations waiting
page-dashboard-queues = Queues
page-dashboard-queue = Queue
page-dashboard-waiting = Waiting
page-dashboard-oldest = Oldest
page-dashboard-inbox = Activities received
page-dashboard-outbox = Changes to federate
page-dashboard-deliveries = Deliveries to other servers
page-dashboard-mail = E-mails
page-dashboard-pushes = Push notifications
page-dashboard-inbox-failed = Received activities given up on
page-dashboard-federation = Federation health
page-dashboard-hosts-failing = Servers unreachable
page-dashboard-hosts-parked = of which parked
page-dashboard-host = Server
page-dashboard-failing-for = Failing for
page-dashboard-last-success = Last success
page-dashboard-state = State
page-dashboard-parked = Parked
page-dashboard-retrying = Retrying
page-dashboard-never = never
page-dashboard-storage = Storage
page-dashboard-media-store = Media
page-dashboard-store-folder = a folder on this server
page-dashboard-store-s3 = an S3 store
page-dashboard-media-local = Files uploaded here
page-dashboard-media-remote = Copies of other servers' media
page-dashboard-database = Database
page-dashboard-age-seconds = { $n } s
page-dashboard-age-minutes = { $n } min
page-dashboard-age-hours = { $n } h
page-dashboard-age-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
page-dashboard-bytes = { $n ->
    [one] { $n } byte
   *[other] { $n } bytes
}
page-dashboard-kib = { $n } KiB
page-dashboard-mib = { $n } MiB
page-dashboard-gib = { $n } GiB
page-dashboard-tib = { $n } TiB
page-dashboard-more-than = more than { $n }
page-dashboard-media-counted = Media counted { $age } ago (at most every 15 minutes)
page-dashboard-reports = Reports to handle
