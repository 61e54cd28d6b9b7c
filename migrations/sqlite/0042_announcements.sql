-- Announcements written by the instance's administrators (Mastodon's /api/v1/announcements):
-- local only, never federated.
--
-- `text` is what the administrator typed (the format of the web composer: paragraphs,
-- links, mentions, hashtags), `content` its rendered, sanitized HTML; `mention_ids`,
-- `status_ids` (comma-separated ids) and `tags` (space-separated, lower case) are what the
-- text names, found when it is saved. `starts_at` and `ends_at` (Unix microseconds, either
-- may be absent) bound when it is shown; `all_day` says they are dates. `streamed` is what
-- the streams were told of it: 0 nothing (or its removal), 1 that it is shown, 2 that it
-- ended; the publishing worker moves it with `UPDATE ... RETURNING`, so that processes
-- sharing the database tell each change once.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    content TEXT NOT NULL,
    mention_ids TEXT NOT NULL DEFAULT '',
    status_ids TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    starts_at INTEGER,
    ends_at INTEGER,
    all_day INTEGER NOT NULL DEFAULT 0,
    published INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER,
    streamed INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX announcements_created_by ON announcements(created_by);
-- The published ones, which every listing and the publishing worker read.
CREATE INDEX announcements_published ON announcements(published, streamed);

-- Announcements a person dismissed (`read` in the API).
CREATE TABLE announcement_reads (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, announcement_id)
);
CREATE INDEX announcement_reads_announcement ON announcement_reads(announcement_id);

-- Reactions to announcements: one row per person and emoji.
CREATE TABLE announcement_reactions (
    announcement_id INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, name, account_id)
);
CREATE INDEX announcement_reactions_account ON announcement_reactions(account_id);
