-- Recurring events: every occurrence is an event of its own; those made by one rule share a
-- `series_id` (edited or cancelled "this one and those that follow") and keep the rule.
ALTER TABLE events ADD COLUMN series_id {{bigint}};
ALTER TABLE events ADD COLUMN recurrence TEXT;
CREATE INDEX events_series ON events(series_id, starts_at);
