-- @sqlite
-- PostgreSQL's counting triggers became statement triggers in its migration of the same
-- number (one upsert per counter row for a multi-row insert instead of one per row). SQLite
-- has only row triggers, which run inside its own process without a procedural language's
-- call: nothing changes here.
SELECT 1;
-- @postgres
-- Posts and follows are counted once per statement instead of once per row. The inbox stores
-- posts in multi-row inserts (about twenty per statement), and deleting an account deletes its
-- posts and follows in one statement each: the row triggers of 0010 and 0011 ran a plpgsql
-- function and an upsert for every row (31,000 upserts for 30,000 posts in the ingest
-- benchmark), and updated the same counter row once per row. These read the statement's rows
-- (transition tables) and touch each counter row once, in key order, so that two processes'
-- bulk inserts take the counters' row locks in the same order and cannot deadlock on them.
-- PostgreSQL allows transition tables only on single-event triggers without column lists, so
-- inserts and deletes get a trigger each, and the row triggers on updates stay (a follow
-- accepted, an answer linked to its parent: one row each).

DROP TRIGGER statuses_counted ON statuses;
DROP TRIGGER statuses_counted_per_post ON statuses;
-- Its only user was the trigger above (status_stats_status() stays: answers linked late).
DROP FUNCTION account_stats_status();

CREATE FUNCTION count_statuses_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_stats (account_id, statuses, last_status_at)
        SELECT account_id, COUNT(*) FILTER (WHERE visibility <> 'direct'), MAX(created_at)
        FROM inserted GROUP BY account_id ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET
            statuses = account_stats.statuses + excluded.statuses,
            last_status_at = GREATEST(account_stats.last_status_at, excluded.last_status_at);
    INSERT INTO status_stats (status_id, replies)
        SELECT in_reply_to_id, COUNT(*) FROM inserted WHERE in_reply_to_id IS NOT NULL
        GROUP BY in_reply_to_id ORDER BY in_reply_to_id
        ON CONFLICT (status_id) DO UPDATE SET replies = status_stats.replies + excluded.replies;
    INSERT INTO status_stats (status_id, reblogs)
        SELECT reblog_of_id, COUNT(*) FROM inserted WHERE reblog_of_id IS NOT NULL
        GROUP BY reblog_of_id ORDER BY reblog_of_id
        ON CONFLICT (status_id) DO UPDATE SET reblogs = status_stats.reblogs + excluded.reblogs;
    RETURN NULL;
END
$$;

CREATE TRIGGER statuses_counted_inserted AFTER INSERT ON statuses
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_statuses_inserted();

CREATE FUNCTION count_statuses_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats st SET statuses = st.statuses - d.n
        FROM (SELECT account_id, COUNT(*) AS n FROM deleted WHERE visibility <> 'direct'
              GROUP BY account_id) d
        WHERE st.account_id = d.account_id;
    UPDATE status_stats st SET replies = st.replies - d.n
        FROM (SELECT in_reply_to_id AS id, COUNT(*) AS n FROM deleted
              WHERE in_reply_to_id IS NOT NULL GROUP BY in_reply_to_id) d
        WHERE st.status_id = d.id;
    UPDATE status_stats st SET reblogs = st.reblogs - d.n
        FROM (SELECT reblog_of_id AS id, COUNT(*) AS n FROM deleted
              WHERE reblog_of_id IS NOT NULL GROUP BY reblog_of_id) d
        WHERE st.status_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER statuses_counted_deleted AFTER DELETE ON statuses
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION count_statuses_deleted();

DROP TRIGGER follows_counted ON follows;

CREATE FUNCTION count_follows_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Followers and following in one upsert per account, in account order.
    INSERT INTO account_stats (account_id, followers, following)
        SELECT id, SUM(followers), SUM(following) FROM (
            SELECT target_account_id AS id, 1 AS followers, 0 AS following FROM inserted
                WHERE state = 'accepted'
            UNION ALL
            SELECT account_id, 0, 1 FROM inserted WHERE state = 'accepted'
        ) f GROUP BY id ORDER BY id
        ON CONFLICT (account_id) DO UPDATE SET
            followers = account_stats.followers + excluded.followers,
            following = account_stats.following + excluded.following;
    RETURN NULL;
END
$$;

CREATE TRIGGER follows_counted_inserted AFTER INSERT ON follows
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION count_follows_inserted();

CREATE FUNCTION count_follows_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats st SET followers = st.followers - d.followers,
                                following = st.following - d.following
        FROM (SELECT id, SUM(followers) AS followers, SUM(following) AS following FROM (
                  SELECT target_account_id AS id, 1 AS followers, 0 AS following FROM deleted
                      WHERE state = 'accepted'
                  UNION ALL
                  SELECT account_id, 0, 1 FROM deleted WHERE state = 'accepted'
              ) f GROUP BY id) d
        WHERE st.account_id = d.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER follows_counted_deleted AFTER DELETE ON follows
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION count_follows_deleted();

-- A follow request accepted (or a follow set back to pending): one row, as before.
CREATE TRIGGER follows_counted_updated AFTER UPDATE OF state ON follows
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION account_stats_follow();
-- @end
