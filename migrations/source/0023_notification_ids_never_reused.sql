-- A notification's id is never given again: Mastodon apps remember the newest one they read
-- (markers, since_id). On SQLite an INTEGER PRIMARY KEY without AUTOINCREMENT gives the id of
-- the newest row again once it is deleted (dismissed), so the table is rebuilt with
-- AUTOINCREMENT, ids kept. PostgreSQL's identity never reuses an id.
-- @sqlite
CREATE TABLE notifications_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    status_id INTEGER REFERENCES statuses(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
INSERT INTO notifications_new (id, account_id, from_account_id, type, status_id, created_at)
    SELECT id, account_id, from_account_id, type, status_id, created_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_account ON notifications(account_id, id);
CREATE UNIQUE INDEX notifications_once ON notifications(account_id, type, from_account_id, COALESCE(status_id, 0));
CREATE INDEX notifications_status ON notifications(status_id) WHERE status_id IS NOT NULL;
CREATE INDEX notifications_from_account ON notifications(from_account_id);
-- @postgres
SELECT 1;
-- @end
