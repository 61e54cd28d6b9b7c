-- An affiliation is a decision, recorded on the follow it concerns: a section (the follower)
-- is affiliated with a federation (the followed group), so the federation's members-only
-- posts reach the section, which passes them on to its members. A follow between groups is
-- not one by itself: a federation follows its sections back to see their public activity,
-- and that gives it nothing closed (docs/SECURITY.md, rule T3). Set when the federation's
-- administrators approve a section's request, or when a section of ours asks a federation
-- elsewhere (its administrators' decision on our side).
ALTER TABLE follows ADD COLUMN affiliation {{bigint}} NOT NULL DEFAULT 0;

-- Until now an accepted follow between groups was an affiliation. What was decided is known:
-- the approvals our federations recorded in their audit log, and the requests our sections
-- made to federations elsewhere (not the follows our federations made back to sections).
UPDATE follows SET affiliation = 1
WHERE EXISTS (SELECT 1 FROM group_audit ga
              WHERE ga.group_id = follows.target_account_id
                AND ga.action = 'affiliation_approved'
                AND ga.detail = CAST(follows.account_id AS TEXT));
UPDATE follows SET affiliation = 1
WHERE EXISTS (SELECT 1 FROM accounts a
              WHERE a.id = follows.account_id AND a.domain IS NULL AND a.actor_type = 'Group')
  AND EXISTS (SELECT 1 FROM accounts t JOIN groups g ON g.account_id = t.id
              WHERE t.id = follows.target_account_id AND t.domain IS NOT NULL
                AND g.kind IN ('federation', 'other'))
  AND NOT EXISTS (SELECT 1 FROM group_audit ga
                  WHERE ga.group_id = follows.account_id
                    AND ga.action = 'affiliation_approved'
                    AND ga.detail = CAST(follows.target_account_id AS TEXT));
