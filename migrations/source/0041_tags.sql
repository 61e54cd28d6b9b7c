-- Hashtags a person follows and features (Mastodon's followed_tags and featured_tags).
--
-- Names are stored as `status_tags` stores them: lower case, without `#`.
--
-- A followed tag brings the public posts carrying it into the person's home timeline: the home
-- query joins `followed_tags` (by account, then name) to `status_tags` (by name, then post).
-- The streams ask the other way round: who follows one of a new post's tags (by name).
CREATE TABLE followed_tags (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, name)
);
CREATE INDEX followed_tags_name ON followed_tags(name, account_id);

-- Tags a person shows on their profile (at most 10, counted in the adding transaction).
CREATE TABLE featured_tags (
    id {{id}},
    account_id {{bigint}} NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, name)
);
