-- W6's limit: the same queue shape as Ordinaut's due_work, for pgbench (bench/scheduler.sh).
DROP TABLE IF EXISTS jobs, job_runs;
CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, task_id TEXT NOT NULL, run_at BIGINT NOT NULL, priority INTEGER NOT NULL,
                   locked_by TEXT, locked_until BIGINT);
CREATE INDEX jobs_claim ON jobs (priority DESC, run_at, id);
CREATE TABLE job_runs (id BIGINT PRIMARY KEY, status TEXT NOT NULL, finished_at BIGINT NOT NULL);
INSERT INTO jobs (task_id, run_at, priority) SELECT 't', 0, 5 FROM generate_series(1, :jobs);
