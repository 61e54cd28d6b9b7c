-- Periodic clean-ups that need one run per period for the whole instance, not one per
-- process: several processes can share a PostgreSQL database, and each would otherwise
-- repeat the work (and a restart would redo it at once). A process runs a chore only when it
-- moves `next_at` forward itself (`db::settings::take_chore`).
CREATE TABLE chores (
    name TEXT PRIMARY KEY,
    next_at {{bigint}} NOT NULL
);
