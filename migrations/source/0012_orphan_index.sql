-- Answers whose parent is not here yet ("orphans") are looked up by the parent's URI each
-- time posts arrive (`db::statuses::adopt_orphans`), and nothing else reads posts by that
-- URI. Orphans are rare, so a partial index over them alone replaces the index over every
-- post's parent URI: each probe reads a tiny index, and storing a post no longer updates
-- one. The predicate is written as the query writes it, so that both databases match them.
DROP INDEX statuses_in_reply_to_uri;
CREATE INDEX statuses_orphans ON statuses(in_reply_to_uri)
    WHERE COALESCE(in_reply_to_id, 0) = 0 AND in_reply_to_uri IS NOT NULL;
