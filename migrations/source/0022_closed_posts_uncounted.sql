-- An account's post count and last post time are public (profiles, the API, the outbox's
-- totalItems): counting posts written in a group's closed circles told anyone who compared
-- them with the posts they can see that someone writes in a closed circle, which is to say
-- belongs to a group (docs/SECURITY.md, rule P4). Closed-circle posts (visibility `group`)
-- @sqlite
-- are no longer counted, nor their time.
DROP TRIGGER statuses_counted_insert;
DROP TRIGGER statuses_counted_delete;

CREATE TRIGGER statuses_counted_insert AFTER INSERT ON statuses
BEGIN
    INSERT INTO account_stats (account_id, statuses, last_status_at)
        VALUES (NEW.account_id, NEW.visibility NOT IN ('direct', 'group'),
                CASE WHEN NEW.visibility = 'group' THEN NULL ELSE NEW.created_at END)
        ON CONFLICT (account_id) DO UPDATE SET
            statuses = statuses + excluded.statuses,
            last_status_at = CASE WHEN excluded.last_status_at IS NULL THEN last_status_at
                ELSE MAX(COALESCE(last_status_at, 0), excluded.last_status_at) END;
END;

CREATE TRIGGER statuses_counted_delete AFTER DELETE ON statuses
WHEN OLD.visibility NOT IN ('direct', 'group')
BEGIN
    UPDATE account_stats SET statuses = statuses - 1 WHERE account_id = OLD.account_id;
END;
-- @postgres
-- are no longer counted, nor their time. The functions are those of 0018 with that change.
CREATE OR REPLACE FUNCTION count_statuses_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_stats (account_id, statuses, last_status_at)
        SELECT account_id, COUNT(*) FILTER (WHERE visibility NOT IN ('direct', 'group')),
               MAX(created_at) FILTER (WHERE visibility <> 'group')
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

CREATE OR REPLACE FUNCTION count_statuses_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE account_stats st SET statuses = st.statuses - d.n
        FROM (SELECT account_id, COUNT(*) AS n FROM deleted
              WHERE visibility NOT IN ('direct', 'group') GROUP BY account_id) d
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
-- @end

UPDATE account_stats SET
    statuses = (SELECT COUNT(*) FROM statuses s WHERE s.account_id = account_stats.account_id
                AND s.visibility NOT IN ('direct', 'group')),
    last_status_at = (SELECT MAX(s.created_at) FROM statuses s
                      WHERE s.account_id = account_stats.account_id AND s.visibility <> 'group');
