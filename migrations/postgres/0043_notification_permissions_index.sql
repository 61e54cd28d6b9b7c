-- A deleted account's permissions go with it (ON DELETE CASCADE on from_account_id): the
-- cascade finds them by this index instead of reading the whole table.
CREATE INDEX notification_permissions_from ON notification_permissions (from_account_id);
