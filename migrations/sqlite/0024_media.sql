-- Media: pictures, video, sound and documents uploaded here, and those of other servers'
-- posts and actors (recorded by their address, copied into the store when someone looks at
-- them). Files live in the media store (a folder or an S3 bucket), under keys that start with
-- the row's id; the row says what each file is (its type is never read from a name).
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    -- Who uploaded it (here), or whose post or profile it belongs to (elsewhere).
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- The post it is attached to; NULL until attached (and again once the post is deleted,
    -- which leaves used_for = 'status' for the sweep to remove it).
    status_id INTEGER REFERENCES statuses(id) ON DELETE SET NULL,
    position INTEGER NOT NULL DEFAULT 0,
    -- none (an upload not attached yet), status, avatar, header.
    used_for TEXT NOT NULL DEFAULT 'none',
    -- image, gifv, video, audio, document.
    kind TEXT NOT NULL,
    -- processing, ready, failed, removed.
    state TEXT NOT NULL,
    -- Why processing failed: a translation key.
    error TEXT,
    -- A random part of every address of the media's files: they are served to whoever has
    -- the address, which only the readers of what it is attached to are given.
    token TEXT NOT NULL,
    content_type TEXT,
    file_key TEXT,
    file_size INTEGER NOT NULL DEFAULT 0,
    width INTEGER,
    height INTEGER,
    duration_ms INTEGER,
    preview_key TEXT,
    preview_type TEXT,
    preview_width INTEGER,
    preview_height INTEGER,
    blurhash TEXT,
    description TEXT NOT NULL DEFAULT '',
    -- The focal point in hundredths, -100 to 100 (Mastodon's focus, x to the right, y up).
    focus_x INTEGER,
    focus_y INTEGER,
    -- Media of other servers: its address there, and when our copy was made (NULL: none).
    remote_url TEXT,
    cached_at INTEGER,
    -- An upload being processed: the file in this process's spool folder, and the process.
    spool TEXT,
    processed_by TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX media_account ON media(account_id, id);
CREATE INDEX media_status ON media(status_id, position) WHERE status_id IS NOT NULL;
CREATE INDEX media_sweep ON media(used_for, created_at);
CREATE INDEX media_cached ON media(cached_at) WHERE cached_at IS NOT NULL;
CREATE INDEX media_processing ON media(state, created_at);

-- A person's or a group's picture and banner, when they are media (uploaded here, or a copy
-- of another server's); avatar_url and header_url stay the addresses shown.
ALTER TABLE accounts ADD COLUMN avatar_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL;
ALTER TABLE accounts ADD COLUMN header_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL;
CREATE INDEX accounts_avatar_media ON accounts(avatar_media_id) WHERE avatar_media_id IS NOT NULL;
CREATE INDEX accounts_header_media ON accounts(header_media_id) WHERE header_media_id IS NOT NULL;
