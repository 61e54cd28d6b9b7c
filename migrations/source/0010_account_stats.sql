-- Profile numbers (followers, following, posts, last post) kept up to date by triggers instead
-- of counted for every author on every page: counting cost as much as the rest of a timeline
-- request, and grows with an account's followers and posts (docs/BENCHMARKS.md). The
-- triggers see every write, the cascades of a deletion included, so no code path can forget
-- one. `last_status_at` follows Mastodon: the time of the latest post written, not recomputed
-- when a post is deleted.
CREATE TABLE account_stats (
    account_id {{bigint}} PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    followers {{bigint}} NOT NULL DEFAULT 0,
    following {{bigint}} NOT NULL DEFAULT 0,
    statuses {{bigint}} NOT NULL DEFAULT 0,
    last_status_at {{bigint}}
);

INSERT INTO account_stats (account_id, followers, following, statuses, last_status_at)
SELECT a.id,
    (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id AND f.state = 'accepted'),
    (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id AND f.state = 'accepted'),
    (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id AND s.visibility <> 'direct'),
    (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = a.id)
FROM accounts a;

-- @sqlite
CREATE TRIGGER follows_counted_insert AFTER INSERT ON follows WHEN NEW.state = 'accepted'
BEGIN
    INSERT INTO account_stats (account_id, followers) VALUES (NEW.target_account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET followers = followers + 1;
    INSERT INTO account_stats (account_id, following) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET following = following + 1;
END;

CREATE TRIGGER follows_counted_accept AFTER UPDATE OF state ON follows
WHEN OLD.state <> 'accepted' AND NEW.state = 'accepted'
BEGIN
    INSERT INTO account_stats (account_id, followers) VALUES (NEW.target_account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET followers = followers + 1;
    INSERT INTO account_stats (account_id, following) VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET following = following + 1;
END;

CREATE TRIGGER follows_counted_unaccept AFTER UPDATE OF state ON follows
WHEN OLD.state = 'accepted' AND NEW.state <> 'accepted'
BEGIN
    UPDATE account_stats SET followers = followers - 1 WHERE account_id = OLD.target_account_id;
    UPDATE account_stats SET following = following - 1 WHERE account_id = OLD.account_id;
END;

CREATE TRIGGER follows_counted_delete AFTER DELETE ON follows WHEN OLD.state = 'accepted'
BEGIN
    UPDATE account_stats SET followers = followers - 1 WHERE account_id = OLD.target_account_id;
    UPDATE account_stats SET following = following - 1 WHERE account_id = OLD.account_id;
END;

CREATE TRIGGER statuses_counted_insert AFTER INSERT ON statuses
BEGIN
    INSERT INTO account_stats (account_id, statuses, last_status_at)
        VALUES (NEW.account_id, NEW.visibility <> 'direct', NEW.created_at)
        ON CONFLICT (account_id) DO UPDATE SET
            statuses = statuses + excluded.statuses,
            last_status_at = MAX(COALESCE(last_status_at, 0), excluded.last_status_at);
END;

CREATE TRIGGER statuses_counted_delete AFTER DELETE ON statuses WHEN OLD.visibility <> 'direct'
BEGIN
    UPDATE account_stats SET statuses = statuses - 1 WHERE account_id = OLD.account_id;
END;
-- @postgres
CREATE FUNCTION account_stats_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.state = 'accepted' THEN
            UPDATE account_stats SET followers = followers - 1
                WHERE account_id = OLD.target_account_id;
            UPDATE account_stats SET following = following - 1
                WHERE account_id = OLD.account_id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.state = 'accepted' THEN
            INSERT INTO account_stats (account_id, followers) VALUES (NEW.target_account_id, 1)
                ON CONFLICT (account_id)
                DO UPDATE SET followers = account_stats.followers + 1;
            INSERT INTO account_stats (account_id, following) VALUES (NEW.account_id, 1)
                ON CONFLICT (account_id)
                DO UPDATE SET following = account_stats.following + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER follows_counted AFTER INSERT OR UPDATE OF state OR DELETE ON follows
    FOR EACH ROW EXECUTE FUNCTION account_stats_follow();

CREATE FUNCTION account_stats_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO account_stats (account_id, statuses, last_status_at)
            VALUES (NEW.account_id, CASE WHEN NEW.visibility <> 'direct' THEN 1 ELSE 0 END,
                    NEW.created_at)
            ON CONFLICT (account_id) DO UPDATE SET
                statuses = account_stats.statuses + excluded.statuses,
                last_status_at = GREATEST(account_stats.last_status_at, excluded.last_status_at);
    ELSIF OLD.visibility <> 'direct' THEN
        UPDATE account_stats SET statuses = statuses - 1 WHERE account_id = OLD.account_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER statuses_counted AFTER INSERT OR DELETE ON statuses
    FOR EACH ROW EXECUTE FUNCTION account_stats_status();
-- @end
