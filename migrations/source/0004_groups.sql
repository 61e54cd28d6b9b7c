-- Groups: sections, federations, thematic groups and initiatives. A group is an actor (an
-- `accounts` row of type Group, local or remote) plus a `groups` row; its members, where its
-- posts appear and to which circle, and an audit log of member-list exports.
-- Same conventions as 0001: 64-bit integers, Unix microseconds, 0/1 booleans.

CREATE TABLE groups (
    account_id {{bigint}} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    -- section | federation | theme | initiative, or other for non-coopol remote groups.
    kind TEXT NOT NULL,
    -- open | approval | invite
    join_mode TEXT NOT NULL,
    sympathizers_can_post {{bigint}} NOT NULL DEFAULT 0,
    postcode TEXT,
    commune TEXT,
    departement TEXT,
    -- lower-case name, display name and commune, for searching.
    search_text TEXT NOT NULL DEFAULT '',
    -- the members collection of a remote group (Mobilizon's `members`, coopol's too)
    members_url TEXT,
    created_by {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL,
    created_at {{bigint}} NOT NULL
);
CREATE INDEX groups_kind ON groups(kind);
CREATE INDEX groups_postcode ON groups(postcode);
CREATE INDEX groups_departement ON groups(departement);

-- Membership, as the group's server decides it (authoritative for local groups) or as we
-- were told (Accept/Reject of our local people's Join to a remote group).
CREATE TABLE group_members (
    id {{id}},
    group_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- administrator | moderator | member
    role TEXT NOT NULL DEFAULT 'member',
    -- pending (asked, waiting for approval) | invited | accepted | banned
    state TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    -- the Join activity's id
    uri TEXT,
    -- 1 when the member chose to appear in the list other members see
    listed {{bigint}} NOT NULL DEFAULT 0,
    created_at {{bigint}} NOT NULL,
    accepted_at {{bigint}},
    UNIQUE (group_id, account_id)
);
CREATE INDEX group_members_account ON group_members(account_id, state);
CREATE INDEX group_members_group ON group_members(group_id, state, accepted_at);
CREATE INDEX group_members_uri ON group_members(uri);

-- Group posts: the group a post was written in (its audience) and the circle that may read it.
-- visibility is 'group' for posts of the sympathizers and members circles.
ALTER TABLE statuses ADD COLUMN group_id {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL;
ALTER TABLE statuses ADD COLUMN circle TEXT;
ALTER TABLE statuses ADD COLUMN title TEXT;
ALTER TABLE statuses ADD COLUMN thread_locked {{bigint}} NOT NULL DEFAULT 0;

-- Where a post appears: the group it was written in, and groups that passed it on to their
-- own circle (a federation's announcement re-announced by its sections). Who may read a group
-- post is decided from these rows.
CREATE TABLE group_posts (
    group_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id {{bigint}} NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    -- public | sympathizers | members
    circle TEXT NOT NULL,
    PRIMARY KEY (group_id, status_id)
);
CREATE INDEX group_posts_status ON group_posts(status_id);

CREATE TABLE group_audit (
    id {{id}},
    group_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    account_id {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    created_at {{bigint}} NOT NULL
);
CREATE INDEX group_audit_group ON group_audit(group_id, id);
