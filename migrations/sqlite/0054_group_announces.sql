-- The id of the `Create` that brought a post from another server, kept for the posts addressed
-- to this server: a local group passes the post on as the `Announce` of that same activity
-- (FEP-1b12; Lemmy skips an activity id it already has). Removed with the post
-- (`db::statuses::forget`).
CREATE TABLE received_creates (
    object_uri TEXT PRIMARY KEY,
    activity_uri TEXT NOT NULL
);
-- The software each remote host runs (its NodeInfo), looked up when a group's public post
-- goes to it: servers that read the `Announce` of an activity (Lemmy and its kin) get no plain
-- `Announce` of the note, which they refuse. A failed lookup is kept too (software NULL) so
-- that it is tried again only later (`federation::peers`).
CREATE TABLE peer_software (
    host TEXT PRIMARY KEY,
    software TEXT,
    checked_at INTEGER NOT NULL
);
