-- Private calendar links: a person's events as an iCalendar feed their phone subscribes to,
-- at a secret URL (only its SHA-256 is kept). Making a new link ends the old one.

CREATE TABLE calendar_links (
    account_id {{bigint}} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at {{bigint}} NOT NULL
);
