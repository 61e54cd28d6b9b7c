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
ALTER TABLE accounts ADD COLUMN fetched_at {{bigint}};
CREATE INDEX accounts_domain ON accounts(domain);
CREATE INDEX accounts_key_id ON accounts(key_id);
CREATE INDEX accounts_followers_url ON accounts(followers_url);

CREATE TABLE follows (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    uri TEXT,
    state TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_target ON follows(target_account_id, state);
CREATE INDEX follows_uri ON follows(uri);

-- Posts and boosts (a boost is a status whose reblog_of_id names the boosted one).
-- Ids are assigned by coopol and grow with time, so timelines page by id.
CREATE TABLE statuses (
    id {{bigint}} PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    url TEXT,
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    local {{bigint}} NOT NULL,
    visibility TEXT NOT NULL,
    in_reply_to_id {{bigint}} REFERENCES statuses(id) ON DELETE SET NULL,
    in_reply_to_uri TEXT,
    in_reply_to_account_id {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL,
    reblog_of_id {{bigint}} REFERENCES statuses(id) ON DELETE CASCADE,
    content TEXT NOT NULL DEFAULT '',
    source TEXT,
    spoiler_text TEXT NOT NULL DEFAULT '',
    sensitive {{bigint}} NOT NULL DEFAULT 0,
    language TEXT,
    created_at {{bigint}} NOT NULL,
    edited_at {{bigint}}
);
CREATE INDEX statuses_account ON statuses(account_id, id);
CREATE INDEX statuses_in_reply_to ON statuses(in_reply_to_id);
CREATE INDEX statuses_in_reply_to_uri ON statuses(in_reply_to_uri);
CREATE INDEX statuses_reblog_of ON statuses(reblog_of_id);
CREATE INDEX statuses_visibility ON statuses(visibility, id);

CREATE TABLE mentions (
    status_id {{bigint}} NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account ON mentions(account_id);

CREATE TABLE status_tags (
    status_id {{bigint}} NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (status_id, name)
);
CREATE INDEX status_tags_name ON status_tags(name, status_id);

CREATE TABLE favourites (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id {{bigint}} NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    uri TEXT,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status ON favourites(status_id);
CREATE INDEX favourites_uri ON favourites(uri);

CREATE TABLE blocks (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    uri TEXT,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks(target_account_id);
CREATE INDEX blocks_uri ON blocks(uri);

CREATE TABLE notifications (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    status_id {{bigint}} REFERENCES statuses(id) ON DELETE CASCADE,
    created_at {{bigint}} NOT NULL
);
CREATE INDEX notifications_account ON notifications(account_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications(account_id, type, from_account_id, COALESCE(status_id, 0));

-- Home timelines, filled when a post arrives (fan-out on write): reading one is an index scan.
CREATE TABLE feeds (
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id {{bigint}} NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX feeds_status ON feeds(status_id);

-- Objects deleted here or by their server: a late Create or fetch must not bring them back.
CREATE TABLE tombstones (
    uri TEXT PRIMARY KEY,
    deleted_at {{bigint}} NOT NULL
);

CREATE TABLE idempotency_keys (
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    status_id {{bigint}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, key)
);

-- Incoming activities, stored before the inbox answers 202 and processed from here.
CREATE TABLE inbox_queue (
    id {{id}},
    activity_uri TEXT NOT NULL UNIQUE,
    signer TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at {{bigint}} NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts {{bigint}} NOT NULL DEFAULT 0,
    next_attempt_at {{bigint}} NOT NULL,
    locked_until {{bigint}},
    locked_by TEXT,
    last_error TEXT
);
CREATE INDEX inbox_queue_ready ON inbox_queue(state, next_attempt_at);

-- Signatures already accepted, kept as long as they could still be valid: a replay is refused.
CREATE TABLE seen_signatures (
    hash TEXT PRIMARY KEY,
    expires_at {{bigint}} NOT NULL
);

-- What services ask federation to send, written in the same transaction as the change.
CREATE TABLE outbox_events (
    id {{id}},
    payload TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    attempts {{bigint}} NOT NULL DEFAULT 0,
    next_attempt_at {{bigint}} NOT NULL,
    locked_until {{bigint}},
    locked_by TEXT,
    last_error TEXT
);

-- Activities as sent, and one delivery row per remote inbox still to reach. Activity ids are
-- @sqlite
-- never reused (AUTOINCREMENT), since delivery workers cache bodies by id.
-- @postgres
-- never reused (identity columns never are), since delivery workers cache bodies by id.
-- @end
CREATE TABLE out_activities (
-- @sqlite
    id INTEGER PRIMARY KEY AUTOINCREMENT,
-- @postgres
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
-- @end
    uri TEXT NOT NULL,
    actor_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);

CREATE TABLE deliveries (
    id {{id}},
    activity_id {{bigint}} NOT NULL REFERENCES out_activities(id) ON DELETE CASCADE,
    inbox_url TEXT NOT NULL,
    host TEXT NOT NULL,
    attempts {{bigint}} NOT NULL DEFAULT 0,
    next_attempt_at {{bigint}} NOT NULL,
    locked_until {{bigint}},
    locked_by TEXT,
    last_error TEXT,
    created_at {{bigint}} NOT NULL
);
CREATE INDEX deliveries_ready ON deliveries(next_attempt_at);
CREATE INDEX deliveries_host ON deliveries(host, next_attempt_at);
CREATE INDEX deliveries_activity ON deliveries(activity_id);

-- Running coopol processes and their heartbeat: work claimed by a process whose heartbeat
-- stopped (killed, crashed) is taken up by the others without waiting for the lease to end.
CREATE TABLE processes (
    id TEXT PRIMARY KEY,
    started_at {{bigint}} NOT NULL,
    heartbeat_at {{bigint}} NOT NULL
);

-- The health of each remote host we deliver to: a host down for long is parked.
CREATE TABLE hosts (
    host TEXT PRIMARY KEY,
    failing_since {{bigint}},
    parked_at {{bigint}},
    last_success_at {{bigint}},
    last_failure_at {{bigint}}
);
