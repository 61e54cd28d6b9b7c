-- The instance's rules, written by its administrators at /admin/rules, shown at sign-up (each
-- one a box to tick) and in Mastodon's /api/v1/instance/rules.
--
-- `position` orders them (smallest first; moving a rule swaps two positions). A deleted rule
-- keeps its row with `deleted_at` set, as Mastodon keeps it: reports name the rules they cite
-- by id, and such a report must still say which rule it was.
CREATE TABLE instance_rules (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
-- Every reader lists the rules in force in their order.
CREATE INDEX instance_rules_order ON instance_rules(position, id) WHERE deleted_at IS NULL;

-- The admin dashboard counts the queues' rows and finds their oldest: the inbox's waiting
-- activities by state (inbox_queue_ready), deliveries and mail by id (their primary keys
-- grow with time). Hosts failing or parked are few, read through these partial indexes.
CREATE INDEX hosts_failing ON hosts(failing_since) WHERE failing_since IS NOT NULL;
CREATE INDEX hosts_parked ON hosts(parked_at) WHERE parked_at IS NOT NULL;
