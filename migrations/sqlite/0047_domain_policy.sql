-- The instance's domain policy (Mastodon's domain blocks and allows).
--
-- `domain_blocks`: one row per moderated domain (which covers its subdomains); `severity` is
-- 0 noop, 1 silence, 2 suspend; the flags are 0/1. `private_comment` is for administrators,
-- `public_comment` may be shown on the about page; `obfuscate` hides part of the name there.
CREATE TABLE domain_blocks (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    severity INTEGER NOT NULL DEFAULT 1,
    reject_media INTEGER NOT NULL DEFAULT 0,
    reject_reports INTEGER NOT NULL DEFAULT 0,
    private_comment TEXT,
    public_comment TEXT,
    obfuscate INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- `domain_allows`: the domains federated with in allowlist mode (`federation_mode`).
CREATE TABLE domain_allows (
    id INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- The account domains (as `accounts.domain` writes them) that a silence or suspend covers,
-- with the strongest severity that applies: written again by every change of the policy, so
-- that timelines test a post's author with one indexed lookup instead of matching suffixes.
CREATE TABLE domain_policy_hosts (
    domain TEXT PRIMARY KEY,
    severity INTEGER NOT NULL
);

-- One row, moved forward in the transaction of every change: each process compares it with
-- the version of its in-memory policy and reloads when it moved.
CREATE TABLE domain_policy_version (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO domain_policy_version (id, version) VALUES (1, 0);
