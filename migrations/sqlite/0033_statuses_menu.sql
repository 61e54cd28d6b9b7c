-- The statuses menu of Mastodon apps: the earlier versions of edited posts, bookmarks, pinned
-- posts (ours and other servers' `featured` collections), muted threads, and the posting and
-- reading preferences apps read from `/api/v1/preferences` and `source`.

-- Every version a post had before an edit (local and remote edits alike), oldest first by
-- id. The current version is the post itself.
CREATE TABLE status_edits (
    id INTEGER PRIMARY KEY,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    spoiler_text TEXT NOT NULL DEFAULT '',
    sensitive INTEGER NOT NULL DEFAULT 0,
    -- The ids of the media the version carried, in order, as a JSON array.
    media_ids TEXT NOT NULL DEFAULT '[]',
    -- When this version was published (the post's creation or its previous edit).
    created_at INTEGER NOT NULL
);
CREATE INDEX status_edits_status ON status_edits(status_id, id);

-- A person's bookmarks, paged by their own id.
CREATE TABLE bookmarks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX bookmarks_once ON bookmarks(account_id, status_id);
CREATE INDEX bookmarks_status ON bookmarks(status_id);

-- A person's favourites list pages by the favourite's id.
CREATE INDEX favourites_account ON favourites(account_id, id);

-- Pinned posts: a local person's (at most 5, their own public or unlisted posts) and those
-- a remote actor's `featured` collection lists (always posts by that actor).
CREATE TABLE status_pins (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX status_pins_once ON status_pins(account_id, status_id);
CREATE INDEX status_pins_status ON status_pins(status_id);

-- A remote actor's `featured` collection (the address its actor document names, on its own
-- server), and when it was last fetched (claimed before fetching, so that processes sharing
-- a database fetch it once; 0: never, or the address changed).
CREATE TABLE featured_fetches (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    featured_url TEXT NOT NULL,
    fetched_at INTEGER NOT NULL DEFAULT 0
);

-- Threads a person muted, by the thread's first post: no notification comes from them.
CREATE TABLE thread_mutes (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX thread_mutes_status ON thread_mutes(status_id);

-- A person's posting and reading preferences (no row: the defaults).
CREATE TABLE user_preferences (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    -- public, unlisted, private or direct.
    default_visibility TEXT NOT NULL DEFAULT 'public',
    default_sensitive INTEGER NOT NULL DEFAULT 0,
    -- An ISO 639 code, or none (the interface language then).
    default_language TEXT,
    -- default, show_all or hide_all.
    expand_media TEXT NOT NULL DEFAULT 'default',
    expand_spoilers INTEGER NOT NULL DEFAULT 0
);
