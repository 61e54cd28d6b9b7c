-- When the day-before reminder of a local event was sent (claimed once, across processes).
ALTER TABLE events ADD COLUMN reminded_at {{bigint}};
