-- Polls (Mastodon's, federated as ActivityPub `Question`) and scheduled posts.

-- A post's poll: ours, or one of another server's posts (its counts as that server says).
CREATE TABLE polls (
    status_id INTEGER PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    -- When voting ends (NULL: a remote poll that gives no end).
    expires_at INTEGER,
    -- 0/1: several choices allowed (`anyOf`).
    multiple INTEGER NOT NULL DEFAULT 0,
    -- 0/1: counts hidden until the end.
    hide_totals INTEGER NOT NULL DEFAULT 0,
    -- Votes (one per choice) and voters (people), kept with the votes for ours.
    votes_count INTEGER NOT NULL DEFAULT 0,
    voters_count INTEGER NOT NULL DEFAULT 0,
    -- When the end was handled (voters and author told, the final counts sent): claimed once
    -- for the whole instance by the process that sets it.
    closed_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX polls_to_close ON polls(expires_at) WHERE closed_at IS NULL;

-- A poll's options, in order.
CREATE TABLE poll_options (
    status_id INTEGER NOT NULL REFERENCES polls(status_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    votes_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (status_id, position)
);

-- Votes: by people here (on any poll) and by people elsewhere (on ours). One row per choice.
CREATE TABLE poll_votes (
    id INTEGER PRIMARY KEY,
    status_id INTEGER NOT NULL REFERENCES polls(status_id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    -- The vote's ActivityPub id (the `Note` that carries it).
    uri TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX poll_votes_choice ON poll_votes(status_id, account_id, position);
CREATE INDEX poll_votes_account ON poll_votes(account_id);
CREATE INDEX poll_votes_uri ON poll_votes(uri);

-- Posts waiting for their time: what was asked (the parameters as JSON), published once by
-- the process that claims the row, in the transaction that deletes it.
CREATE TABLE scheduled_statuses (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    scheduled_at INTEGER NOT NULL,
    params TEXT NOT NULL,
    -- The Idempotency-Key it was asked with: the same request again answers the same row.
    idempotency_key TEXT,
    -- Why it could not be published (a translation key); it then waits for its author.
    error TEXT,
    locked_by TEXT,
    locked_until INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX scheduled_statuses_due ON scheduled_statuses(scheduled_at);
CREATE INDEX scheduled_statuses_account ON scheduled_statuses(account_id, id);
CREATE INDEX scheduled_statuses_idempotency ON scheduled_statuses(account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The media a scheduled post will carry stay reserved to it (used_for = 'scheduled').
ALTER TABLE media ADD COLUMN scheduled_status_id INTEGER REFERENCES scheduled_statuses(id) ON DELETE SET NULL;
CREATE INDEX media_scheduled ON media(scheduled_status_id) WHERE scheduled_status_id IS NOT NULL;
