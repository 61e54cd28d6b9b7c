-- PostgreSQL's counting triggers became statement triggers in its migration of the same
-- number (one upsert per counter row for a multi-row insert instead of one per row). SQLite
-- has only row triggers, which run inside its own process without a procedural language's
-- call: nothing changes here.
SELECT 1;
