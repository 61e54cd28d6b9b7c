-- The rest of a volunteer event's sequence, each step claimed once for the whole instance:
-- 48 hours before, a shift (or event of a group) still short of people is announced to the
-- organizing group's members; after the end, the organizer is asked to record who came.
ALTER TABLE events ADD COLUMN short_alerted_at BIGINT;
ALTER TABLE events ADD COLUMN attendance_asked_at BIGINT;
CREATE INDEX events_attendance_due ON events(ends_at) WHERE attendance_asked_at IS NULL;

-- When a person was last sent a mission alert by e-mail: at most one a day.
ALTER TABLE users ADD COLUMN alert_emailed_at BIGINT;
