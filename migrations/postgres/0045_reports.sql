-- Reports: a person here, or another server (a `Flag`), tells the moderators about an account
-- and some of its posts. Moderators and administrators work through them in the moderation
-- queue (`/admin/reports`, `/api/v1/admin/reports`).
--
-- `account_id` is who reported: a local person, or for a `Flag` the actor that sent it (most
-- often the other server's instance actor); NULL once that account is gone. `origin_domain`
-- is the server a `Flag` came from (NULL: made here). `uri` is the `Flag`'s id: the one
-- received (unique, so a `Flag` delivered twice is one report), or the one we sent when the
-- report was forwarded. `category` is Mastodon's (spam, legal, violation, other); `comment`
-- is the reporter's text (at most 1,000 characters). `forwarded` (0/1) says a copy went to
-- the reported account's server, without the reporter's name. `assigned_account_id` is the
-- moderator handling it; `action_taken_at` and `action_taken_by_account_id` say when and by
-- whom it was resolved (NULL: open). Ids are made by the code (`IdGenerator`): apps page
-- by them.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    origin_domain TEXT,
    uri TEXT,
    category TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    forwarded BIGINT NOT NULL DEFAULT 0,
    assigned_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    action_taken_at BIGINT,
    action_taken_by_account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX reports_uri ON reports(uri) WHERE uri IS NOT NULL;
CREATE INDEX reports_account ON reports(account_id);
CREATE INDEX reports_target ON reports(target_account_id);
CREATE INDEX reports_assigned ON reports(assigned_account_id);
CREATE INDEX reports_action_taken_by ON reports(action_taken_by_account_id);
-- The queue lists open reports first, newest first; a Flag's server is counted by its open ones.
CREATE INDEX reports_open ON reports(action_taken_at, id);
CREATE INDEX reports_origin ON reports(origin_domain, action_taken_at) WHERE origin_domain IS NOT NULL;

-- The posts a report names: the reported account's own, seen by the reporter when reported.
CREATE TABLE report_statuses (
    report_id BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, status_id)
);
CREATE INDEX report_statuses_status ON report_statuses(status_id);

-- The instance rules a report says were broken (category `violation`), by their ids.
CREATE TABLE report_rules (
    report_id BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    rule_id BIGINT NOT NULL,
    PRIMARY KEY (report_id, rule_id)
);

-- Moderators' notes on a report (at most 500 characters each), oldest first.
CREATE TABLE report_notes (
    id BIGINT PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_notes_report ON report_notes(report_id, id);
CREATE INDEX report_notes_account ON report_notes(account_id);
