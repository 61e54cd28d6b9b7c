-- The rest of a volunteer event's sequence, each step claimed once for the whole instance:
-- 48 hours before, a shift (or event of a group) still short of people is announced to the
-- organizing group's members; after the end, the organizer is asked to record who came.
ALTER TABLE events ADD COLUMN short_alerted_at INTEGER;
ALTER TABLE events ADD COLUMN attendance_asked_at INTEGER;
CREATE INDEX events_attendance_due ON events(ends_at) WHERE attendance_asked_at IS NULL;

-- When a person was last sent a mission alert by e-mail: at most one a day.
ALTER TABLE users ADD COLUMN alert_emailed_at INTEGER;

-- The digest of what happened in a person's groups: off, daily or weekly, and when it was
-- last sent (claimed by moving it forward, so processes never send one twice).
ALTER TABLE users ADD COLUMN digest TEXT NOT NULL DEFAULT 'off';
ALTER TABLE users ADD COLUMN digest_sent_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX users_digest ON users(digest, digest_sent_at) WHERE digest <> 'off';
