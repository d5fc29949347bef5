-- 100 jobs per claim, completed in the same statement: the batch ceiling.
WITH claimed AS (
  DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE run_at <= 1000 ORDER BY priority DESC, run_at, id LIMIT 100 FOR UPDATE SKIP LOCKED)
  RETURNING id)
INSERT INTO job_runs (id, status, finished_at) SELECT id, 'succeeded', 1 FROM claimed;
