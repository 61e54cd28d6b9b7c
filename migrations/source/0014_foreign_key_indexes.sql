-- Deleting a row makes the database find the rows that point at it through foreign keys
-- (ON DELETE CASCADE or SET NULL). Four of them had no index led by their column, so
-- deleting any account read the whole of group_audit, groups, out_activities and invites;
-- deleting an invite read users, a user read oauth_codes, an app read oauth_tokens and
-- oauth_codes. Now every foreign key has one (the test suite checks it on both databases).
-- Columns that are mostly empty get partial indexes, which the cascade's `column = value`
-- can use.
CREATE INDEX group_audit_account ON group_audit(account_id) WHERE account_id IS NOT NULL;
CREATE INDEX groups_created_by ON groups(created_by) WHERE created_by IS NOT NULL;
CREATE INDEX out_activities_actor ON out_activities(actor_id);
CREATE INDEX invites_created_by ON invites(created_by) WHERE created_by IS NOT NULL;
CREATE INDEX users_invite ON users(invite_id) WHERE invite_id IS NOT NULL;
CREATE INDEX oauth_codes_account ON oauth_codes(account_id);
CREATE INDEX oauth_codes_app ON oauth_codes(app_id);
CREATE INDEX oauth_tokens_app ON oauth_tokens(app_id);
