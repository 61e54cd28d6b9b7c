-- A person's data (docs/decisions/0029-personal-data-export-and-import.md): the archives
-- they ask for ("Télécharger mes données"), prepared in the background by whichever process
-- claims the row, and the Mastodon CSV files they import, applied in the background too.

-- An archive asked for: pending until a process builds it (`locked_by`, `locked_until`: the
-- claim, taken back when its process stops beating), then ready (its file in the media store
-- under `object_key`, downloadable by its owner until `expires_at`, then deleted with its
-- row) or failed. One a day per person (`service::export::EVERY`).
CREATE TABLE data_exports (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- pending, ready or failed
    state TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    locked_by TEXT,
    locked_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER,
    expires_at INTEGER,
    object_key TEXT,
    size_bytes INTEGER
);
CREATE INDEX data_exports_account ON data_exports(account_id, requested_at);
CREATE INDEX data_exports_state ON data_exports(state, id);

-- A Mastodon CSV file to import (bounded: `service::import::MAX_BYTES`, `MAX_ROWS`): its text
-- until it is applied, then its report (JSON: every row imported, skipped and why).
CREATE TABLE data_imports (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- following, blocks, mutes, lists, bookmarks, domain_blocks
    kind TEXT NOT NULL,
    -- merge or overwrite
    mode TEXT NOT NULL,
    -- pending, done or failed
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    locked_by TEXT,
    locked_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER,
    total_rows INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    report TEXT
);
CREATE INDEX data_imports_account ON data_imports(account_id, id);
CREATE INDEX data_imports_state ON data_imports(state, id);
