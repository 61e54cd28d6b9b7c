-- The inbox worker takes the oldest ready activities by id. With the index on
-- (state, next_attempt_at), the database read every ready activity and sorted them for each
-- batch (a backlog of n activities cost n² to work off); this index gives them in id order,
-- the readiness checked from the index itself, and the scan stops after a batch.
DROP INDEX inbox_queue_ready;
CREATE INDEX inbox_queue_ready ON inbox_queue(state, id, next_attempt_at);
