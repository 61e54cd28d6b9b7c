-- Federation core: remote actors' addresses, posts, follows, likes, boosts, blocks,
-- notifications, home timelines, and the durable inbox and outbox.
-- Same conventions as 0001: 64-bit integers, Unix microseconds, 0/1 booleans.

-- What we know of remote actors (local actors' addresses derive from the public URL).
ALTER TABLE accounts ADD COLUMN inbox_url TEXT;
ALTER TABLE accounts ADD COLUMN shared_inbox_url TEXT;
ALTER TABLE accounts ADD COLUMN outbox_url TEXT;
ALTER TABLE accounts ADD COLUMN followers_url TEXT;
ALTER TABLE accounts ADD COLUMN following_url TEXT;
ALTER TABLE accounts ADD COLUMN url TEXT;
ALTER TABLE accounts ADD COLUMN avatar_url TEXT;
ALTER TABLE accounts ADD COLUMN header_url TEXT;
ALTER TABLE accounts ADD COLUMN fields_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN key_id TEXT;
ALTER TABLE accounts ADD COLUMN fetched_at INTEGER;
CREATE INDEX accounts_domain ON accounts(domain);
CREATE INDEX accounts_key_id ON accounts(key_id);
CREATE INDEX accounts_followers_url ON accounts(followers_url);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    uri TEXT,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_target ON follows(target_account_id, state);
CREATE INDEX follows_uri ON follows(uri);

-- Posts and boosts (a boost is a status whose reblog_of_id names the boosted one).
-- Ids are assigned by coopol and grow with time, so timelines page by id.
CREATE TABLE statuses (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    url TEXT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    local INTEGER NOT NULL,
    visibility TEXT NOT NULL,
    in_reply_to_id INTEGER REFERENCES statuses(id) ON DELETE SET NULL,
    in_reply_to_uri TEXT,
    in_reply_to_account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    reblog_of_id INTEGER REFERENCES statuses(id) ON DELETE CASCADE,
    content TEXT NOT NULL DEFAULT '',
    source TEXT,
    spoiler_text TEXT NOT NULL DEFAULT '',
    sensitive INTEGER NOT NULL DEFAULT 0,
    language TEXT,
    created_at INTEGER NOT NULL,
    edited_at INTEGER
);
CREATE INDEX statuses_account ON statuses(account_id, id);
CREATE INDEX statuses_in_reply_to ON statuses(in_reply_to_id);
CREATE INDEX statuses_in_reply_to_uri ON statuses(in_reply_to_uri);
CREATE INDEX statuses_reblog_of ON statuses(reblog_of_id);
CREATE INDEX statuses_visibility ON statuses(visibility, id);

CREATE TABLE mentions (
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account ON mentions(account_id);

CREATE TABLE status_tags (
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (status_id, name)
);
CREATE INDEX status_tags_name ON status_tags(name, status_id);

CREATE TABLE favourites (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    uri TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status ON favourites(status_id);
CREATE INDEX favourites_uri ON favourites(uri);

CREATE TABLE blocks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    uri TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks(target_account_id);
CREATE INDEX blocks_uri ON blocks(uri);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    status_id INTEGER REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_account ON notifications(account_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications(account_id, type, from_account_id, COALESCE(status_id, 0));

-- Home timelines, filled when a post arrives (fan-out on write): reading one is an index scan.
CREATE TABLE feeds (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX feeds_status ON feeds(status_id);

-- Objects deleted here or by their server: a late Create or fetch must not bring them back.
CREATE TABLE tombstones (
    uri TEXT PRIMARY KEY,
    deleted_at INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
);

-- Incoming activities, stored before the inbox answers 202 and processed from here.
CREATE TABLE inbox_queue (
    id INTEGER PRIMARY KEY,
    activity_uri TEXT NOT NULL UNIQUE,
    signer TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    locked_by TEXT,
    last_error TEXT
);
CREATE INDEX inbox_queue_ready ON inbox_queue(state, next_attempt_at);

-- Signatures already accepted, kept as long as they could still be valid: a replay is refused.
CREATE TABLE seen_signatures (
    hash TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- What services ask federation to send, written in the same transaction as the change.
CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    locked_by TEXT,
    last_error TEXT
);

-- Activities as sent, and one delivery row per remote inbox still to reach. Activity ids are
-- never reused (AUTOINCREMENT), since delivery workers cache bodies by id.
CREATE TABLE out_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uri TEXT NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES out_activities(id) ON DELETE CASCADE,
    inbox_url TEXT NOT NULL,
    host TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER,
    locked_by TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX deliveries_ready ON deliveries(next_attempt_at);
CREATE INDEX deliveries_host ON deliveries(host, next_attempt_at);
CREATE INDEX deliveries_activity ON deliveries(activity_id);

-- Running coopol processes and their heartbeat: work claimed by a process whose heartbeat
-- stopped (killed, crashed) is taken up by the others without waiting for the lease to end.
CREATE TABLE processes (
    id TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

-- The health of each remote host we deliver to: a host down for long is parked.
CREATE TABLE hosts (
    host TEXT PRIMARY KEY,
    failing_since INTEGER,
    parked_at INTEGER,
    last_success_at INTEGER,
    last_failure_at INTEGER
);
