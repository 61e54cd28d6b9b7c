# Groups' governance: who creates sections, the "official" mark, look-alike names.

official-recognized-by = Official — recognized by { $by }
official-by-instance = the administrators of { $instance }
official-not-recognized = Not recognized

nav-admin-groups = Groups: creation and official sections
page-admin-groups = Groups' governance
page-admin-groups-creation = Who may create groups
field-sections = Sections and federations
field-others = Thematic groups and initiatives
group-creation-anyone = Anyone
group-creation-approval = On request, approved by an administrator
group-creation-admins = Administrators only
page-admin-groups-requests = Creations waiting
page-admin-groups-requests-none = No creation is waiting.
page-admin-groups-asked-by = Asked by
page-admin-groups-lookalikes = Look-alike names
page-admin-groups-flags = Look-alike names
page-admin-groups-flags-intro = A group whose name looks like an earlier group's (the same letters once accents, case, punctuation, deceptive characters and words such as "official" are taken out), flagged when it was created or renamed.
page-admin-groups-flags-none = No name flagged.
page-admin-groups-flagged = Group flagged
page-admin-groups-looks-like = Looks like
page-admin-groups-dismiss = Dismiss
page-admin-groups-official = Groups the instance recognizes as official
page-admin-groups-official-intro = A section a federation recognizes is shown official when the federation's server lists it; you can also mark a group of this server official.
page-admin-groups-mark = Mark official
page-admin-groups-unmark = Take the mark away
page-admin-groups-official-none = No group marked official by the instance.

flash-group-creation-requested = Request sent: an administrator must approve the group's creation.
flash-group-request-approved = Group created.
flash-group-request-refused = Creation refused.
flash-lookalike-dismissed = Flag dismissed.
flash-group-marked-official = Group marked official.
flash-group-unmarked-official = Official mark taken away.

error-group-creation-policy = Choose "anyone", "approval" or "admins".
error-group-creation-approval = Creating this kind of group needs an administrator's approval: ask for it.
error-group-creation-admins = Only administrators may create this kind of group.
error-group-requests-waiting = Several of your creation requests are already waiting: wait for a decision.
error-official-remote = Only groups of this server can be marked official by the instance.
error-official-choice = Choose 1 (mark) or 0 (take the mark away).

modlog-group_creation_policy = Group creation: sections and federations "{ $sections }", others "{ $others }"
modlog-group_creation_approved = Creation of group { $target } approved ({ $kind })
modlog-group_creation_refused = Creation of group { $target } refused ({ $kind })
modlog-group_marked_official = Group { $target } marked official
modlog-group_unmarked_official = Official mark of group { $target } taken away
modlog-lookalike_dismissed = Look-alike name flag dismissed for { $target }
modlog-filter-group_creation_policy = Group creation
modlog-filter-group_creation_approved = Creations approved
modlog-filter-group_creation_refused = Creations refused
modlog-filter-group_marked_official = Official marks
modlog-filter-group_unmarked_official = Official marks taken away
modlog-filter-lookalike_dismissed = Look-alike names dismissed
