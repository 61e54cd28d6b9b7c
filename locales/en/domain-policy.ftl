# Domain policy (administration)
nav-admin-domains = Moderated servers
page-admin-domains = Moderated servers
page-admin-domains-intro = The servers this instance limits or stops exchanging with. A block covers subdomains too. Suspending severs follows both ways, hides what was received and stops every exchange; limiting keeps their accounts out of public timelines.
page-admin-domains-blocks = Blocked domains
page-admin-domains-none = No domain is blocked.
page-admin-domains-flags = Options
page-admin-domains-actions = Actions
page-admin-domains-unblock = Unblock
page-admin-domains-new = Block a domain
page-admin-domains-domain-hint = For example: example.org (its subdomains are covered too).
page-admin-domains-block = Block
page-admin-domains-allows = Allowed domains
page-admin-domains-allowlist-on = Allowlist mode: this instance federates only with these domains and their subdomains.
page-admin-domains-allowlist-off = Open mode: this list is used only when the configuration switches to the allowlist (federation_mode = "allowlist").
page-admin-domains-allow = Allow
page-admin-domains-disallow = Remove
page-admin-domains-import = Import a block list
page-admin-domains-import-hint = Mastodon's CSV format: a header line #domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate, then one domain a line. A preview shows what will be imported and every malformed line; nothing is imported while a line is malformed.
page-admin-domains-csv = List (CSV)
page-admin-domains-preview = Preview
page-admin-domains-preview-errors = Some lines are malformed: fix them before importing.
page-admin-domains-line = Line
page-admin-domains-preview-action = Preview
page-admin-domains-import-action = Import
page-admin-domains-export = Export the list (CSV)
domain-severity-noop = No limit
domain-severity-silence = Limited
domain-severity-suspend = Suspended
field-severity = Severity
field-reject_media = Reject media
field-reject_reports = Reject reports
field-obfuscate = Hide part of the name in the public list
field-public_comment = Public reason
field-private_comment = Note for the team
flash-domain-blocked = The domain is blocked.
flash-domain-unblocked = The block is lifted.
flash-domain-allowed = The domain is allowed.
flash-domain-disallowed = The domain is no longer allowed.
flash-domain-imported = The list is imported.
page-about-moderated = Moderated servers
page-about-moderated-intro = This instance limits or stops exchanging with these servers.
page-about-moderated-none = No server is moderated.
page-about-moderated-reason = Reason
error-domain-severity = must be "silence", "suspend" or "noop"
error-domain-allow-own = is this instance's domain, always allowed
error-domain-block-exists = is already blocked: change the existing block
error-domain-block-rename = cannot change: block the other domain on its own
error-domain-policy-boolean = must be true or false
error-blocklist-quote = a quote is left open
error-blocklist-column = unknown column
error-blocklist-too-long = the list is longer than { $max } lines
error-blocklist-fields = too many fields on the line
error-blocklist-duplicate = domain already listed above
error-blocklist-boolean = must be true or false
error-blocklist-line = { $count ->
    [one] the list has { $count } malformed line, on line { $line }: nothing was imported
   *[other] the list has { $count } malformed lines, the first on line { $line }: nothing was imported
}
error-blocklist-empty = the list holds no domain
modlog-domain_block_created = Domain { $target } blocked ({ $severity })
modlog-domain_block_updated = Block of { $target } changed ({ $severity })
modlog-domain_block_removed = Block of { $target } lifted
modlog-domain_allow_created = Domain { $target } allowed
modlog-domain_allow_removed = Domain { $target } removed from the allowed domains
modlog-domain_blocks_imported = { $count ->
    [one] Block list imported ({ $count } domain)
   *[other] Block list imported ({ $count } domains)
}
modlog-filter-domain_block_created = Domains blocked
modlog-filter-domain_block_updated = Blocks changed
modlog-filter-domain_block_removed = Blocks lifted
modlog-filter-domain_allow_created = Domains allowed
modlog-filter-domain_allow_removed = Domains removed from the allowlist
modlog-filter-domain_blocks_imported = Block lists imported
