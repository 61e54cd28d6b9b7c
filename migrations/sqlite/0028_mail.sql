-- E-mail: the durable queue of messages to send, the one-time tokens their links carry, and
-- whether each person's address awaits confirmation.

-- A message waiting to be sent. It is rendered when sent, in the recipient's language, from
-- its kind and parameters (JSON); once sent (or given up) the row goes.
CREATE TABLE mail_queue (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    -- The account it is for, when it is for one: deleting the account drops what it was owed.
    -- NULL for messages that must outlive the account (a refused registration).
    account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_by TEXT,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue(next_attempt_at, id);
CREATE INDEX mail_queue_account ON mail_queue(account_id);

-- The tokens of links sent by e-mail (password reset, address confirmation), kept as their
-- SHA-256 only, each used once (the row is deleted when used) before it expires.
CREATE TABLE mail_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES users(account_id) ON DELETE CASCADE,
    -- password_reset, confirm_email.
    purpose TEXT NOT NULL,
    -- The address a confirm_email token confirms (a new one when the address changes).
    email TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX mail_tokens_account ON mail_tokens(account_id);

-- 1 while a new account's address awaits confirmation (it may not sign in until then); 0 for
-- confirmed addresses, accounts made before e-mail existed, and instances without e-mail.
ALTER TABLE users ADD COLUMN email_unconfirmed INTEGER NOT NULL DEFAULT 0;
