-- A person's time zone (an IANA name such as `America/Guadeloupe`), chosen in Settings →
-- Préférences: the web interface shows the times of posts, notifications and the agenda in it.
-- NULL means the instance's zone (the `default_time_zone` setting), which may change.
ALTER TABLE users ADD COLUMN time_zone TEXT;
