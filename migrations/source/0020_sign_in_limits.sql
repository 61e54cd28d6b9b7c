-- Sign-in attempts per login (an e-mail address or username, as typed, normalized and
-- hashed) in the current window. In the database rather than in memory so that processes
-- sharing it count together: an attack spread over them, or over many addresses, on one
-- account is slowed as much as one from a single place. A successful sign-in removes the row;
-- the hourly chores remove rows whose window has ended.
CREATE TABLE sign_in_attempts (
    key_hash TEXT PRIMARY KEY,
    window_start {{bigint}} NOT NULL,
    attempts {{bigint}} NOT NULL
);
CREATE INDEX sign_in_attempts_window ON sign_in_attempts(window_start);

-- Tokens answered to a registration through an app that created nothing, because its e-mail
-- address already has an account (approval mode): the answer must look like the one a new
-- pending account gets, and so must every later use of the token (refused as "awaiting
-- approval"). Only their hash is kept, like every token.
CREATE TABLE decoy_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at {{bigint}} NOT NULL
);
