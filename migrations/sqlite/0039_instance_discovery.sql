-- The instance's discovery endpoints (Mastodon's /api/v1/instance/activity, suggestions).
--
-- Who used the server each week: one row per local person and week (the week's Monday 00:00
-- UTC, Unix microseconds), written when a token or a web session is first used in a week or
-- when someone signs in, so at most one write per person, token or session a week. Mastodon's
-- `logins` of /api/v1/instance/activity counts these rows.
CREATE TABLE weekly_logins (
    week INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (week, account_id)
);
CREATE INDEX weekly_logins_account ON weekly_logins(account_id);

-- Suggestions a person dismissed (DELETE /api/v1/suggestions/:account_id): never offered again.
CREATE TABLE suggestion_dismissals (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);
CREATE INDEX suggestion_dismissals_target ON suggestion_dismissals(target_account_id);

-- Users by registration time, for the weekly registrations of the instance's activity.
CREATE INDEX users_created ON users(created_at);
