-- Most posts answer nothing and boost nothing, yet every post stored added an entry for its
-- empty `in_reply_to_id` and `reblog_of_id` to the indexes that find answers and boosts.
-- Every query that uses them compares the column with a value, which tells both databases
-- it is not null, so indexes over answers and boosts alone serve them all, and storing any
-- other post updates two indexes fewer.
DROP INDEX statuses_in_reply_to;
CREATE INDEX statuses_in_reply_to ON statuses(in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
DROP INDEX statuses_reblog_of_account;
CREATE INDEX statuses_reblog_of_account ON statuses(reblog_of_id, account_id)
    WHERE reblog_of_id IS NOT NULL;

-- Deleting a post or an account reaches the rows that point at it through foreign keys
-- (ON DELETE CASCADE or SET NULL), and nothing indexed these by that column: every deletion
-- of a post read the whole notifications table, and every deletion of an account read it
-- and the whole statuses table twice (answers to the account, posts in a group).
CREATE INDEX notifications_status ON notifications(status_id) WHERE status_id IS NOT NULL;
CREATE INDEX notifications_from_account ON notifications(from_account_id);
CREATE INDEX statuses_in_reply_to_account ON statuses(in_reply_to_account_id)
    WHERE in_reply_to_account_id IS NOT NULL;
CREATE INDEX statuses_group ON statuses(group_id) WHERE group_id IS NOT NULL;
