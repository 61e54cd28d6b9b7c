-- Web Push (RFC 8030, 8291, 8292) for Mastodon apps: one subscription per access token, and
-- the durable queue of what is owed to each subscription's push service.
CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    -- The access token that made it (a new subscription with the same token replaces it;
    -- revoking or deleting the token ends it).
    token_id INTEGER NOT NULL REFERENCES oauth_tokens(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- The token itself, sent only inside the encrypted payload (Mastodon's `access_token`,
    -- which apps' service workers act with): docs/SECURITY.md.
    access_token TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    -- The browser's P-256 public key (65 bytes, uncompressed) and auth secret (16 bytes),
    -- base64url without padding.
    key_p256dh TEXT NOT NULL,
    key_auth TEXT NOT NULL,
    -- The kinds of notification pushed: "kind=1" or "kind=0", space-separated, as the app set them.
    alerts TEXT NOT NULL,
    -- all, followed, follower, none.
    policy TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX push_subscriptions_token ON push_subscriptions(token_id);
CREATE INDEX push_subscriptions_account ON push_subscriptions(account_id);

-- One push owed to a subscription: claimed with a lease (locked_by, locked_until) by a
-- process's push worker, retried with backoff (next_attempt_at), deleted once sent or given up.
-- It keeps what the push tells (the notification's id, kind, sender and post), since a
-- notification someone wants pushed but not listed in the app is deleted once dispatched.
CREATE TABLE push_deliveries (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    notification_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    from_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    status_id INTEGER REFERENCES statuses(id) ON DELETE CASCADE,
    next_attempt_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_by TEXT,
    locked_until INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX push_deliveries_once ON push_deliveries(subscription_id, notification_id);
CREATE INDEX push_deliveries_due ON push_deliveries(next_attempt_at, id);
CREATE INDEX push_deliveries_from ON push_deliveries(from_account_id);
CREATE INDEX push_deliveries_status ON push_deliveries(status_id) WHERE status_id IS NOT NULL;

-- The instance's VAPID key pair is kept in `settings` (`vapid_private_key`, `vapid_public_key`).
