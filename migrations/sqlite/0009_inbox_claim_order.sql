-- The inbox worker takes the oldest ready activities: ordered by (next_attempt_at, id) and
-- read in that order from this index, it stops after a batch instead of sorting the whole
-- backlog for every batch (which made a backlog of n activities cost n² to work off).
DROP INDEX inbox_queue_ready;
CREATE INDEX inbox_queue_ready ON inbox_queue(state, next_attempt_at, id);
