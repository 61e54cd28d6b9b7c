-- Mastodon 4.3's notification policy: what each person does with notifications of the social
-- kinds from people they did not choose (0 accept, 1 filter, 2 drop; without a row, Mastodon's
-- defaults: private mentions and limited accounts filtered, the rest accepted).
CREATE TABLE notification_policies (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    for_not_following BIGINT NOT NULL DEFAULT 0,
    for_not_followers BIGINT NOT NULL DEFAULT 0,
    for_new_accounts BIGINT NOT NULL DEFAULT 0,
    for_private_mentions BIGINT NOT NULL DEFAULT 1,
    for_limited_accounts BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);

-- A filtered notification (decided when it is written) waits in its sender's request: it is
-- in no list, count or stream until the request is accepted. It is written dispatched, so it
-- is never pushed or mailed.
ALTER TABLE notifications ADD COLUMN filtered BIGINT NOT NULL DEFAULT 0;
CREATE INDEX notifications_filtered ON notifications(account_id, from_account_id, id) WHERE filtered = 1;

-- The senders a person accepted the requests of: their notifications are never filtered again.
CREATE TABLE notification_permissions (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    from_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, from_account_id)
);
