-- The moderation log: what the instance's moderators and administrators did, to what, and
-- when. Groups keep their own log (`group_audit`); the administrators' log page reads both,
-- and the hourly chores forget entries of both older than `moderation_log_retention_days`.
--
-- `actor_id` is who acted (NULL when that account is gone, or for what the instance did by
-- itself, such as applying a remote server's Flag). `target_kind` names what was acted on
-- (`instance`, `account`, `invite`, `announcement`, ...), `target_id` its id when it has one,
-- and `target_label` how it was named at the time (a handle, a domain), so that the entry
-- stays readable once the target is gone. `params` is a JSON object of short texts the
-- entry's sentence shows (a new role, a mode): never a member list or a message's content.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id INTEGER,
    target_label TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX moderation_log_actor ON moderation_log(actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX moderation_log_target ON moderation_log(target_kind, target_id);
-- The retention purge reads the oldest entries of both logs.
CREATE INDEX moderation_log_created ON moderation_log(created_at);
CREATE INDEX group_audit_created ON group_audit(created_at);
