-- Profile numbers (followers, following, posts, last post) kept up to date by triggers instead
-- of counted for every author on every page: counting cost as much as the rest of a timeline
-- request, and grows with an account's followers and posts (docs/BENCHMARKS.md). The
-- triggers see every write, the cascades of a deletion included, so no code path can forget
-- one. `last_status_at` follows Mastodon: the time of the latest post written, not recomputed
-- when a post is deleted.
CREATE TABLE account_stats (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    followers BIGINT NOT NULL DEFAULT 0,
    following BIGINT NOT NULL DEFAULT 0,
    statuses BIGINT NOT NULL DEFAULT 0,
    last_status_at BIGINT
);

INSERT INTO account_stats (account_id, followers, following, statuses, last_status_at)
SELECT a.id,
    (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id AND f.state = 'accepted'),
    (SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id AND f.state = 'accepted'),
    (SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id AND s.visibility <> 'direct'),
    (SELECT MAX(s.created_at) FROM statuses s WHERE s.account_id = a.id)
FROM accounts a;

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
