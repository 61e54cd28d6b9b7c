-- Notifications reach people outside the app: the dispatcher (service::notifications) takes
-- each new notification once, queues its e-mail and pushes as the person's preferences say,
-- and tells the streams. Notifications made before this migration were seen in the app
-- already: they are not sent again.
ALTER TABLE notifications ADD COLUMN dispatched {{bigint}} NOT NULL DEFAULT 0;
UPDATE notifications SET dispatched = 1;
CREATE INDEX notifications_undispatched ON notifications(id) WHERE dispatched = 0;

-- The group a notification is about (a request to join it, a section asking to be affiliated
-- with it): the same person may ask to join two groups one moderator runs.
ALTER TABLE notifications ADD COLUMN group_account_id {{bigint}} REFERENCES accounts(id) ON DELETE CASCADE;
CREATE INDEX notifications_group ON notifications(group_account_id) WHERE group_account_id IS NOT NULL;
DROP INDEX notifications_once;
CREATE UNIQUE INDEX notifications_once ON notifications(account_id, type, from_account_id, COALESCE(status_id, 0), COALESCE(group_account_id, 0));

-- How each person wants each kind of notification: in the app, by e-mail, by push (0/1).
-- Without a row, the defaults of domain::social::Channels::default_for.
CREATE TABLE notification_preferences (
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    in_app {{bigint}} NOT NULL,
    email {{bigint}} NOT NULL,
    push {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, kind)
);

-- Where a person stopped reading a timeline (Mastodon's markers: `home`, `notifications`):
-- unread counts are the notifications past it.
CREATE TABLE markers (
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    timeline TEXT NOT NULL,
    last_read_id {{bigint}} NOT NULL,
    version {{bigint}} NOT NULL DEFAULT 0,
    updated_at {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, timeline)
);
