-- What a person keeps about other accounts, as Mastodon 4.3's API offers it: the domains they
-- block (private: never federated, never shown to anyone else), their private notes on
-- accounts, and the accounts they endorse (Mastodon's "featured" accounts on a profile). Ids
-- are made by the code (`IdGenerator`): apps page by them.
CREATE TABLE user_domain_blocks (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- As `accounts.domain` records it: the host in lower case (IDNA), with `:port` if any.
    domain TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_domain_blocks_pair ON user_domain_blocks(account_id, domain);
-- Who blocks a domain: the streams load the blockers of a batch's authors.
CREATE INDEX user_domain_blocks_domain ON user_domain_blocks(domain);

-- A person's note on an account, seen by them alone (at most 2,000 characters; none when empty).
CREATE TABLE account_notes (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);

-- The accounts a person endorses: only accounts they follow (a follow that ends takes the
-- endorsement with it).
CREATE TABLE endorsements (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX endorsements_pair ON endorsements(account_id, target_account_id);
CREATE INDEX endorsements_target ON endorsements(target_account_id);
