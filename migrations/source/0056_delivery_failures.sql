-- Deliveries given up (docs/FEDERATION.md §9): the inbox refused the activity for good (a 4xx
-- other than 401, 408 and 429), or kept failing with an HTTP error for this one activity while
-- the same host took others (`delivery::GIVE_UP_AFTER` attempts). What administrators see in
-- /admin/deliveries and `GET /api/coopol/v1/admin/delivery_failures`. Bounded: a recording
-- forgets rows older than 30 days and all but the newest 1000 (`db::federation`).
CREATE TABLE delivery_failures (
    id {{id}},
    host TEXT NOT NULL,
    inbox_url TEXT NOT NULL,
    activity_uri TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    -- The last HTTP status the inbox answered.
    status {{bigint}} NOT NULL,
    -- A short description of the last failure (at most 300 characters).
    error TEXT NOT NULL,
    attempts {{bigint}} NOT NULL,
    failed_at {{bigint}} NOT NULL
);
-- The admin page lists the newest first, for all hosts or one.
CREATE INDEX delivery_failures_host ON delivery_failures(host, id);
