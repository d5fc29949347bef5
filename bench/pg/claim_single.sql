-- One job per claim: lock it (SKIP LOCKED), then complete it (delete it, record its run), as two
-- transactions, which is what a worker does around running the job.
BEGIN;
UPDATE jobs SET locked_by = 'w', locked_until = 60000
 WHERE id = (SELECT id FROM jobs WHERE run_at <= 1000 AND (locked_until IS NULL OR locked_until < 1000)
             ORDER BY priority DESC, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id AS claimed \gset
COMMIT;
BEGIN;
DELETE FROM jobs WHERE id = :claimed AND locked_by = 'w';
INSERT INTO job_runs (id, status, finished_at) VALUES (:claimed, 'succeeded', 1);
COMMIT;
