-- Posts were indexed by author, visibility and date (migration 0003) so that profiles could
-- count an author's posts from the index alone. The counts are kept by triggers since
-- migration 0010, and the outbox now reads them too: nothing reads this index any more, and
-- every post stored updated it.
DROP INDEX statuses_account_counts;
