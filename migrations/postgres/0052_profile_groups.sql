-- The groups a person shows on their profile: one flag per membership, 0 (hidden) unless the
-- member ticks it in Settings → Profile. Belonging to a party is a political opinion (GDPR
-- art. 9), so nothing shows by default, and a group joined by invitation only never shows to
-- someone outside it whatever the flag (docs/SECURITY.md P11). A new membership of the same
-- pair (a request after leaving) starts hidden again (`db::groups::upsert_member`).
ALTER TABLE group_members ADD COLUMN shown_on_profile BIGINT NOT NULL DEFAULT 0;
-- A profile reads the shown memberships of one account.
CREATE INDEX group_members_shown ON group_members(account_id) WHERE shown_on_profile = 1;
