-- Foundation: actors, local users, invites, instance settings, web sessions, OAuth.
-- Integers are 64-bit, timestamps Unix microseconds (UTC), booleans 0/1: the types sqlx's Any
-- @sqlite
-- driver reads the same way from SQLite and PostgreSQL. Keep migrations/postgres in step.
-- @postgres
-- driver reads the same way from SQLite and PostgreSQL. Keep migrations/sqlite in step.
-- @end

-- Actors, local and remote. Local accounts have domain NULL and a row in `users`.
CREATE TABLE accounts (
    id {{id}},
    username TEXT NOT NULL,
    domain TEXT,
    -- lower(username) for local accounts, lower(username@domain) for remote ones.
    handle_key TEXT NOT NULL UNIQUE,
    actor_type TEXT NOT NULL DEFAULT 'Person',
    uri TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    note_source TEXT NOT NULL DEFAULT '',
    note_html TEXT NOT NULL DEFAULT '',
    locked {{bigint}} NOT NULL DEFAULT 0,
    discoverable {{bigint}} NOT NULL DEFAULT 1,
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    created_at {{bigint}} NOT NULL,
    updated_at {{bigint}} NOT NULL,
    deleted_at {{bigint}}
);

CREATE TABLE invites (
    id {{id}},
    code TEXT NOT NULL UNIQUE,
    created_by {{bigint}} REFERENCES accounts(id) ON DELETE SET NULL,
    max_uses {{bigint}},
    uses {{bigint}} NOT NULL DEFAULT 0,
    expires_at {{bigint}},
    revoked_at {{bigint}},
    created_at {{bigint}} NOT NULL
);

-- Local people who can sign in. Deleting a row erases the personal data it holds.
CREATE TABLE users (
    account_id {{bigint}} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'member',
    state TEXT NOT NULL DEFAULT 'active',
    locale TEXT,
    registration_reason TEXT NOT NULL DEFAULT '',
    invite_id {{bigint}} REFERENCES invites(id) ON DELETE SET NULL,
    created_at {{bigint}} NOT NULL,
    approved_at {{bigint}},
    last_sign_in_at {{bigint}}
);
CREATE INDEX users_state ON users(state);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Web sessions: the cookie holds a random token, this table only its SHA-256.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    account_id {{bigint}} NOT NULL REFERENCES users(account_id) ON DELETE CASCADE,
    created_at {{bigint}} NOT NULL,
    last_seen_at {{bigint}} NOT NULL,
    expires_at {{bigint}} NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_account ON web_sessions(account_id);

CREATE TABLE oauth_apps (
    id {{id}},
    name TEXT NOT NULL,
    website TEXT,
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);

CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    app_id {{bigint}} NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    account_id {{bigint}} NOT NULL REFERENCES users(account_id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    expires_at {{bigint}} NOT NULL
);

CREATE TABLE oauth_tokens (
    id {{id}},
    token_hash TEXT NOT NULL UNIQUE,
    app_id {{bigint}} NOT NULL REFERENCES oauth_apps(id) ON DELETE CASCADE,
    account_id {{bigint}} REFERENCES users(account_id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    expires_at {{bigint}},
    revoked_at {{bigint}},
    last_used_at {{bigint}}
);
CREATE INDEX oauth_tokens_account ON oauth_tokens(account_id);
