-- Account sanctions (moderators' and administrators' actions on an account, local or remote).
--
-- `account_sanctions` holds an account's standing sanctions, one row per sanctioned account:
-- `silenced_at` (limited: kept out of public timelines, hashtags, search and the directory
-- for whoever does not follow it) and `suspended_at` (its content hidden everywhere; a local
-- one may not sign in and its actor answers 410; a remote one's deliveries are dropped). A
-- suspension is reversible until `suspended_at` plus `suspension_retention_days`; past it the
-- hourly chore deletes the account through the ordinary erase path. Lifting the last sanction
-- removes the row, so timelines test for one row by primary key.
CREATE TABLE account_sanctions (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    silenced_at INTEGER,
    suspended_at INTEGER,
    -- Who suspended (NULL once that account is gone).
    suspended_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX account_sanctions_suspended ON account_sanctions(suspended_at)
    WHERE suspended_at IS NOT NULL;

-- Every action taken on an account (Mastodon's "account warnings" or strikes): what was done
-- (`none` for a warning alone, `disable`, `silence`, `suspend`), the text shown to the person,
-- the report it answers (a report id of the reports part, kept without a foreign key so that
-- neither part depends on the other's tables), whether the person was told by e-mail.
CREATE TABLE account_warnings (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    report_id INTEGER,
    emailed INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX account_warnings_account ON account_warnings(account_id, id);
CREATE INDEX account_warnings_actor ON account_warnings(actor_id) WHERE actor_id IS NOT NULL;

-- A person's appeal of a warning (one per warning), decided by an administrator.
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL UNIQUE REFERENCES account_warnings(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- `approved` or `rejected`, with who decided and when; NULL while pending.
    decision TEXT,
    decided_by INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    decided_at INTEGER
);
CREATE INDEX appeals_account ON appeals(account_id);
CREATE INDEX appeals_decided_by ON appeals(decided_by) WHERE decided_by IS NOT NULL;
CREATE INDEX account_sanctions_suspended_by ON account_sanctions(suspended_by)
    WHERE suspended_by IS NOT NULL;
