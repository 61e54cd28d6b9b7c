-- Moving accounts (Mastodon's alsoKnownAs and Move, docs/FEDERATION.md, "Moving").
-- `also_known_as`: a JSON array of actor ids. For a local account, the old accounts its owner
-- named in Settings → Déménager depuis un autre compte (the actor's `alsoKnownAs`); remote
-- accounts keep '[]' (a Move reads the target's list fresh from its server, never from here).
-- `moved_to_uri`: the actor id of the account this one moved to (the actor's `movedTo`): set
-- when a local account moves, or when a remote account's Move was verified. `moved_at`: when
-- (Unix microseconds); it spaces a local account's moves and makes a replayed Move a no-op.
ALTER TABLE accounts ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN moved_to_uri TEXT;
ALTER TABLE accounts ADD COLUMN moved_at BIGINT;
