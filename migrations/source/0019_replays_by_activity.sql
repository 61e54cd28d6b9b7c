-- A signature covers its body's digest, so a signature used again always brings the same
-- activity: replays are recognised by the activity's row in the inbox queue, which now keeps
-- the hash of the signature it came with, instead of a table of their own (a second row and
-- a second unique index written for every activity received).
ALTER TABLE inbox_queue ADD COLUMN signature_hash TEXT;
DROP TABLE seen_signatures;
