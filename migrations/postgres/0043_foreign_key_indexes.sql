-- Foreign keys the cascade of a deleted account follows, indexed so that it does not read the
-- whole table: permissions given past a notification policy (0038), notes written about
-- someone (0040).
CREATE INDEX notification_permissions_from ON notification_permissions (from_account_id);
CREATE INDEX account_notes_target ON account_notes (target_account_id);
