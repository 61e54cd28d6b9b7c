-- @sqlite
-- The delivery dispatcher takes due deliveries in (next_attempt_at, id) order. SQLite's index
-- on next_attempt_at already ended with the rowid (the id), so it gave that order; PostgreSQL's
-- did not, and sorted every due delivery for each claim (see the PostgreSQL migration of the
-- same number). The index names the order here too, so the two schemas say the same.
-- @postgres
-- The delivery dispatcher takes due deliveries in (next_attempt_at, id) order. With the index
-- on next_attempt_at alone, the database read every due delivery and sorted them for each
-- claim: a post to 10,000 inboxes without shared inboxes made about 500 claims, each reading
-- and sorting what was left of the 10,000 rows (9.5 ms per claim on PostgreSQL). This index
-- gives them in that order, and the scan stops after a claim's rows (as 0009 did for the inbox).
-- @end
DROP INDEX deliveries_ready;
CREATE INDEX deliveries_ready ON deliveries(next_attempt_at, id);
