-- Groups' governance: which groups are official, the federations' vouches as their own
-- servers publish them, look-alike names flagged to administrators, and the creations that
-- wait for an administrator.
--
-- An administrator of the instance marks a local group official (`group_official_marks`).
CREATE TABLE group_official_marks (
    group_id {{bigint}} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    marked_by {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL,
    marked_at {{bigint}} NOT NULL
);
CREATE INDEX group_official_marks_by ON group_official_marks(marked_by) WHERE marked_by IS NOT NULL;

-- A federation on another server vouches for a section (of here or elsewhere) only when its
-- own server lists the section in the federation's `officialSections` collection. One row per
-- (section, federation) pair to check: `vouched` is what the federation's server said when it
-- was last read (`checked_at`), `due_at` when to read it again; a worker claims due rows
-- (`locked_by`, `locked_until`), so processes sharing a database read each once.
CREATE TABLE official_vouches (
    section_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    federation_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    vouched {{bigint}} NOT NULL DEFAULT 0,
    checked_at {{bigint}},
    due_at {{bigint}} NOT NULL,
    failures {{bigint}} NOT NULL DEFAULT 0,
    locked_by TEXT,
    locked_until {{bigint}},
    PRIMARY KEY (section_id, federation_id)
);
CREATE INDEX official_vouches_due ON official_vouches(due_at);
CREATE INDEX official_vouches_federation ON official_vouches(federation_id);

-- The affiliations (follows between groups that a federation approved): read to find the
-- pairs to check and the sections of a local federation, never by scanning every follow.
CREATE INDEX follows_affiliations ON follows(account_id) WHERE affiliation = 1;

-- Each group's name keys (`domain::governance::name_key` of its display name and of its
-- username): two groups sharing a key have look-alike names.
CREATE TABLE group_name_keys (
    group_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name_key TEXT NOT NULL,
    PRIMARY KEY (group_id, name_key)
);
CREATE INDEX group_name_keys_key ON group_name_keys(name_key);

-- A group whose name looks like an earlier group's, flagged to administrators when it was
-- created or renamed, until one of them dismisses the flag.
CREATE TABLE lookalike_flags (
    id {{id}},
    group_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    similar_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name_key TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    dismissed_at {{bigint}},
    dismissed_by {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX lookalike_flags_pair ON lookalike_flags(group_id, similar_id);
CREATE INDEX lookalike_flags_similar ON lookalike_flags(similar_id);
CREATE INDEX lookalike_flags_dismissed_by ON lookalike_flags(dismissed_by) WHERE dismissed_by IS NOT NULL;

-- A group someone asked to create where an administrator approves creations: what they
-- typed (`input`, JSON), its handle reserved in lower case (`name`) until the decision.
CREATE TABLE group_requests (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    display_name TEXT NOT NULL,
    input TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);
CREATE UNIQUE INDEX group_requests_name ON group_requests(name);
CREATE INDEX group_requests_account ON group_requests(account_id);
