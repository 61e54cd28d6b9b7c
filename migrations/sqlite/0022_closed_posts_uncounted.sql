-- An account's post count and last post time are public (profiles, the API, the outbox's
-- totalItems): counting posts written in a group's closed circles told anyone who compared
-- them with the posts they can see that someone writes in a closed circle, which is to say
-- belongs to a group (docs/SECURITY.md, rule P4). Closed-circle posts (visibility `group`)
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

UPDATE account_stats SET
    statuses = (SELECT COUNT(*) FROM statuses s WHERE s.account_id = account_stats.account_id
                AND s.visibility NOT IN ('direct', 'group')),
    last_status_at = (SELECT MAX(s.created_at) FROM statuses s
                      WHERE s.account_id = account_stats.account_id AND s.visibility <> 'group');
