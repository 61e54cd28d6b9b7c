-- Grouped notifications (the Mastodon API's v2): notifications of a groupable kind about the
-- same thing (likes of one post, new followers, sign-ups to one event) made within the same
-- twelve hours share a key, given when the notification is made
-- (domain::social::NotificationKind::group_key); the others have none and are their own group.
ALTER TABLE notifications ADD COLUMN group_key TEXT;
CREATE INDEX notifications_group_key ON notifications(account_id, group_key) WHERE group_key IS NOT NULL;

-- Conversations (the Mastodon API's direct messages, Tusky's "Direct" tab): for each local
-- person, the threads of direct posts they write or are named in, one per thread and set of
-- other participants (sorted account ids, comma-separated), with the posts each holds. A
-- conversation disappears with its last post.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    thread_id INTEGER NOT NULL,
    participants TEXT NOT NULL,
    unread INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX conversations_once ON conversations(account_id, thread_id, participants);
CREATE TABLE conversation_statuses (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, status_id)
);
CREATE INDEX conversation_statuses_status ON conversation_statuses(status_id);
