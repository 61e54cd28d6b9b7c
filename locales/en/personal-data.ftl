## Settings → My data (service::export, service::import)
page-settings-data = My data
data-export-title = Download my data
data-export-explain = An archive of everything this instance holds about you: your posts (in Mastodon's export format, which other servers read), your media, your follows, lists, blocks and mutes as CSV files, your groups and roles, the events and shifts you signed up for with attendance, your sessions and apps, your settings. It is prepared in the background; a notification and an e-mail tell you when it is ready. Only you can download it, for 7 days; then it is deleted. At most one archive a day.
data-export-next = You can ask for a new archive { $when }.
data-export-submit = Ask for my archive
data-export-requested = Asked
data-export-state = State
data-export-file = File
data-export-state-pending = Being prepared
data-export-state-ready = Ready
data-export-state-failed = Failed, ask for another tomorrow
data-export-download = Download ({ $size } KiB)
data-export-until = until { $when }
data-import-title = Import from Mastodon
data-import-explain = The CSV files of Mastodon's export page (or another coopol instance's): follows, blocks, mutes, lists, bookmarks, blocked domains. Merge adds to what you have; overwrite also removes what the file does not list. Accounts of other servers are looked up in the background. A report tells what was imported and why a line was not.
data-import-kind = What the file holds
data-import-kind-following = Follows
data-import-kind-blocks = Blocked accounts
data-import-kind-mutes = Muted accounts
data-import-kind-lists = Lists
data-import-kind-bookmarks = Bookmarks
data-import-kind-domain_blocks = Blocked domains
data-import-mode = Mode
data-import-mode-merge = Merge
data-import-mode-overwrite = Overwrite
data-import-file = CSV file
data-import-submit = Import
data-import-imported = { $count ->
    [one] { $count } line imported
   *[other] { $count } lines imported
}
data-import-skipped = { $count ->
    [one] { $count } line skipped
   *[other] { $count } lines skipped
}
data-import-state-pending = In progress
data-import-state-done = Done
data-import-state-failed = Failed
data-import-line = Line
data-import-value = Value
data-import-outcome = Result
data-import-outcome-imported = Imported
data-import-outcome-skipped = Skipped
data-import-outcome-removed = Removed (overwrite)
import-skip-columns = columns missing
import-skip-unresolved = not found (unknown address or server not answering)
import-skip-list-pending = follow waiting for approval: add this account to the list once accepted
import-skip-address = address refused (not http(s), or a private address)
flash-export-requested = Your archive is being prepared. You will be told when it is ready.
flash-import-queued = File received: the import runs in the background, its report will appear below.
error-export-too-soon = You already asked for an archive today: try again tomorrow.
error-import-not-csv = this is not a CSV file in UTF-8
error-import-not-csv-line = a quote opened on line { $line } is never closed
error-import-wrong-file = this file is not of the kind chosen (check what the file holds)
error-import-too-many-rows = the file has more than { $max } lines
error-import-too-large = the file is larger than { $max } KiB
error-import-kind = unknown kind of import
error-import-mode = unknown mode
error-import-busy = Three imports are already in progress: wait until they are done.
error-import-daily-limit = At most ten files can be imported a day: try again tomorrow.
field-mode = Mode
notification-data_export_ready = : the archive of your data is ready, in Settings → My data.
pref-kind-data_export_ready = The archive of my data is ready
push-title-data-export-ready = { $name }: the archive of your data is ready
