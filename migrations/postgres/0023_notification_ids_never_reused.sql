-- A notification's id is never given again: Mastodon apps remember the newest one they read
-- (markers, since_id). On SQLite an INTEGER PRIMARY KEY without AUTOINCREMENT gives the id of
-- the newest row again once it is deleted (dismissed), so the table is rebuilt with
-- AUTOINCREMENT, ids kept. PostgreSQL's identity never reuses an id.
SELECT 1;
