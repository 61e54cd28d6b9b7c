-- The delivery dispatcher takes due deliveries in (next_attempt_at, id) order. SQLite's index
-- on next_attempt_at already ended with the rowid (the id), so it gave that order; PostgreSQL's
-- did not, and sorted every due delivery for each claim (see the PostgreSQL migration of the
-- same number). The index names the order here too, so the two schemas say the same.
DROP INDEX deliveries_ready;
CREATE INDEX deliveries_ready ON deliveries(next_attempt_at, id);
