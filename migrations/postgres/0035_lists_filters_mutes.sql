-- What a person chooses to see, as Mastodon apps set it: lists (with the posts of their members,
-- filled on write like the home timeline's `feeds`), filters (keywords and posts, Mastodon's
-- filters v2) and mutes. Ids are made by the code (`IdGenerator`): apps keep them, and they are
-- never given again.
CREATE TABLE lists (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- followed, list or none: which replies the list shows (Mastodon's replies_policy).
    replies_policy TEXT NOT NULL,
    -- 1: its members' posts stay out of the owner's home timeline.
    exclusive BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX lists_account ON lists(account_id, id);

-- A list's members: accounts its owner follows (a follow that ends takes them out).
CREATE TABLE list_accounts (
    list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (list_id, account_id)
);
CREATE INDEX list_accounts_account ON list_accounts(account_id);

-- A list's timeline, filled when a post is written (and back-filled when a member is added).
CREATE TABLE list_feeds (
    list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, status_id)
);
CREATE INDEX list_feeds_status ON list_feeds(status_id);

-- Filters (Mastodon's filters v2): where they apply, what they do, until when.
CREATE TABLE filters (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- The contexts, space-separated: home notifications public thread account.
    context TEXT NOT NULL,
    -- warn, hide or blur.
    action TEXT NOT NULL,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX filters_account ON filters(account_id);

CREATE TABLE filter_keywords (
    id BIGINT PRIMARY KEY,
    filter_id BIGINT NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    whole_word BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX filter_keywords_filter ON filter_keywords(filter_id, id);

CREATE TABLE filter_statuses (
    id BIGINT PRIMARY KEY,
    filter_id BIGINT NOT NULL REFERENCES filters(id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX filter_statuses_once ON filter_statuses(filter_id, status_id);
CREATE INDEX filter_statuses_status ON filter_statuses(status_id);

-- Mutes: the muted account's posts and boosts leave timelines and streams; with
-- notifications = 1 their notifications are not created either. A mute past expires_at is
-- ignored, and the hourly chores delete it.
CREATE TABLE mutes (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    notifications BIGINT NOT NULL,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX mutes_pair ON mutes(account_id, target_account_id);
CREATE INDEX mutes_target ON mutes(target_account_id);
CREATE INDEX mutes_expiry ON mutes(expires_at) WHERE expires_at IS NOT NULL;
