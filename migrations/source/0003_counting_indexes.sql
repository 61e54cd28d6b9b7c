-- Profile counts (posts, followers, following, last post) are counted for every author shown
-- on a timeline page. These indexes answer those counts from the index alone, without
-- reading each post or follow row (measured in docs/BENCHMARKS.md).
CREATE INDEX statuses_account_counts ON statuses(account_id, visibility, created_at);
CREATE INDEX follows_account_state ON follows(account_id, state);
