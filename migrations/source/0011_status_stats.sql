-- Post counts (answers, boosts, likes) kept up to date by triggers instead of counted for
-- every post on every page: a post with 10,000 likes cost 10,000 index entries each time it
-- was shown (docs/BENCHMARKS.md). A row exists only for posts with something to count. The
-- triggers see every write, the cascades of a deletion and the answers linked to a parent
-- that arrived after them (`in_reply_to_id` set later) included.
CREATE TABLE status_stats (
    status_id {{bigint}} PRIMARY KEY REFERENCES statuses(id) ON DELETE CASCADE,
    replies {{bigint}} NOT NULL DEFAULT 0,
    reblogs {{bigint}} NOT NULL DEFAULT 0,
    favourites {{bigint}} NOT NULL DEFAULT 0
);

INSERT INTO status_stats (status_id, replies, reblogs, favourites)
SELECT s.id,
    (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id),
    (SELECT COUNT(*) FROM statuses b WHERE b.reblog_of_id = s.id),
    (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id)
FROM statuses s
WHERE EXISTS (SELECT 1 FROM statuses r WHERE r.in_reply_to_id = s.id)
   OR EXISTS (SELECT 1 FROM statuses b WHERE b.reblog_of_id = s.id)
   OR EXISTS (SELECT 1 FROM favourites f WHERE f.status_id = s.id);

-- Whether the viewer boosted a post is looked up by (post, viewer): with the index on the
-- post alone, a post with many boosts was a walk of all of them.
CREATE INDEX statuses_reblog_of_account ON statuses(reblog_of_id, account_id);
DROP INDEX statuses_reblog_of;

-- @sqlite
CREATE TRIGGER status_stats_reply_insert AFTER INSERT ON statuses
WHEN NEW.in_reply_to_id IS NOT NULL
BEGIN
    INSERT INTO status_stats (status_id, replies) VALUES (NEW.in_reply_to_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET replies = replies + 1;
END;

CREATE TRIGGER status_stats_reblog_insert AFTER INSERT ON statuses
WHEN NEW.reblog_of_id IS NOT NULL
BEGIN
    INSERT INTO status_stats (status_id, reblogs) VALUES (NEW.reblog_of_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET reblogs = reblogs + 1;
END;

CREATE TRIGGER status_stats_reply_delete AFTER DELETE ON statuses
WHEN OLD.in_reply_to_id IS NOT NULL
BEGIN
    UPDATE status_stats SET replies = replies - 1 WHERE status_id = OLD.in_reply_to_id;
END;

CREATE TRIGGER status_stats_reblog_delete AFTER DELETE ON statuses
WHEN OLD.reblog_of_id IS NOT NULL
BEGIN
    UPDATE status_stats SET reblogs = reblogs - 1 WHERE status_id = OLD.reblog_of_id;
END;

-- An answer linked to its parent later, or unlinked when the parent is deleted.
CREATE TRIGGER status_stats_reply_unlinked AFTER UPDATE OF in_reply_to_id ON statuses
WHEN OLD.in_reply_to_id IS NOT NULL AND OLD.in_reply_to_id IS NOT NEW.in_reply_to_id
BEGIN
    UPDATE status_stats SET replies = replies - 1 WHERE status_id = OLD.in_reply_to_id;
END;

CREATE TRIGGER status_stats_reply_linked AFTER UPDATE OF in_reply_to_id ON statuses
WHEN NEW.in_reply_to_id IS NOT NULL AND OLD.in_reply_to_id IS NOT NEW.in_reply_to_id
BEGIN
    INSERT INTO status_stats (status_id, replies) VALUES (NEW.in_reply_to_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET replies = replies + 1;
END;

CREATE TRIGGER favourites_counted_insert AFTER INSERT ON favourites
BEGIN
    INSERT INTO status_stats (status_id, favourites) VALUES (NEW.status_id, 1)
        ON CONFLICT (status_id) DO UPDATE SET favourites = favourites + 1;
END;

CREATE TRIGGER favourites_counted_delete AFTER DELETE ON favourites
BEGIN
    UPDATE status_stats SET favourites = favourites - 1 WHERE status_id = OLD.status_id;
END;
-- @postgres
CREATE FUNCTION status_stats_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.in_reply_to_id IS NOT NULL THEN
        UPDATE status_stats SET replies = replies - 1 WHERE status_id = OLD.in_reply_to_id;
    END IF;
    IF TG_OP = 'DELETE' AND OLD.reblog_of_id IS NOT NULL THEN
        UPDATE status_stats SET reblogs = reblogs - 1 WHERE status_id = OLD.reblog_of_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.in_reply_to_id IS NOT NULL THEN
        INSERT INTO status_stats (status_id, replies) VALUES (NEW.in_reply_to_id, 1)
            ON CONFLICT (status_id) DO UPDATE SET replies = status_stats.replies + 1;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.reblog_of_id IS NOT NULL THEN
        INSERT INTO status_stats (status_id, reblogs) VALUES (NEW.reblog_of_id, 1)
            ON CONFLICT (status_id) DO UPDATE SET reblogs = status_stats.reblogs + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER statuses_counted_per_post AFTER INSERT OR DELETE ON statuses
    FOR EACH ROW EXECUTE FUNCTION status_stats_status();
CREATE TRIGGER statuses_answers_linked AFTER UPDATE OF in_reply_to_id ON statuses
    FOR EACH ROW WHEN (OLD.in_reply_to_id IS DISTINCT FROM NEW.in_reply_to_id)
    EXECUTE FUNCTION status_stats_status();

CREATE FUNCTION status_stats_favourite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO status_stats (status_id, favourites) VALUES (NEW.status_id, 1)
            ON CONFLICT (status_id) DO UPDATE SET favourites = status_stats.favourites + 1;
    ELSE
        UPDATE status_stats SET favourites = favourites - 1 WHERE status_id = OLD.status_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER favourites_counted AFTER INSERT OR DELETE ON favourites
    FOR EACH ROW EXECUTE FUNCTION status_stats_favourite();
-- @end
