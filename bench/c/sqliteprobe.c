/* W7's limit: the raw SQLite claim+complete probe. The same shape as Ordinaut's store, in C with
 * prepared statements and nothing else: JOBS due rows, then one loop that claims the next row by
 * priority and time (one transaction: select, lock) and completes it (another: delete it, insert a
 * run row). Usage: sqliteprobe FILE JOBS [FULL|NORMAL|OFF]. Prints one JSON object. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;

static void exec(const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, error); exit(1); }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); exit(1); }
    return statement;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: sqliteprobe FILE JOBS [FULL|NORMAL|OFF]\n"); return 2; }
    int jobs = atoi(argv[2]);
    char pragma[64];
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
    exec("PRAGMA journal_mode = WAL");
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s", argc > 3 ? argv[3] : "NORMAL");
    exec(pragma);
    exec("CREATE TABLE due (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT, run_at INTEGER, priority INTEGER, locked_by TEXT, locked_until INTEGER)");
    exec("CREATE INDEX due_claim ON due (priority DESC, run_at, id)");
    exec("CREATE TABLE runs (id INTEGER PRIMARY KEY, task_id TEXT, status TEXT, finished_at INTEGER)");
    exec("BEGIN");
    sqlite3_stmt *insert = prepare("INSERT INTO due (task_id, run_at, priority) VALUES ('t', 0, 5)");
    for (int i = 0; i < jobs; i++) { sqlite3_step(insert); sqlite3_reset(insert); }
    exec("COMMIT");
    sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE"), *commit = prepare("COMMIT");
    sqlite3_stmt *select = prepare("SELECT id, task_id FROM due WHERE run_at <= ?1 AND (locked_until IS NULL OR locked_until < ?1) ORDER BY priority DESC, run_at, id LIMIT 1");
    sqlite3_stmt *lock = prepare("UPDATE due SET locked_by = 'w', locked_until = ?1 WHERE id = ?2");
    sqlite3_stmt *remove = prepare("DELETE FROM due WHERE id = ?1 AND locked_by = 'w'");
    sqlite3_stmt *record = prepare("INSERT INTO runs (id, task_id, status, finished_at) VALUES (?1, 't', 'succeeded', ?2)");
    clock_t cpu = clock();
    double start = now();
    int done = 0;
    for (;;) {
        sqlite3_step(begin); sqlite3_reset(begin);
        sqlite3_bind_int64(select, 1, 1000);
        if (sqlite3_step(select) != SQLITE_ROW) { sqlite3_reset(select); sqlite3_step(commit); sqlite3_reset(commit); break; }
        sqlite3_int64 id = sqlite3_column_int64(select, 0);
        sqlite3_reset(select);
        sqlite3_bind_int64(lock, 1, 60000); sqlite3_bind_int64(lock, 2, id); sqlite3_step(lock); sqlite3_reset(lock);
        sqlite3_step(commit); sqlite3_reset(commit);
        sqlite3_step(begin); sqlite3_reset(begin);
        sqlite3_bind_int64(remove, 1, id); sqlite3_step(remove); sqlite3_reset(remove);
        sqlite3_bind_int64(record, 1, id); sqlite3_bind_int64(record, 2, 1); sqlite3_step(record); sqlite3_reset(record);
        sqlite3_step(commit); sqlite3_reset(commit);
        done++;
    }
    double seconds = now() - start;
    printf("{\"mode\":\"sqlite-probe\",\"jobs\":%d,\"jobs_per_s\":%d,\"cpu_us_per_job\":%.1f,\"ok\":%s}\n", done, (int)(done / seconds),
           (double)(clock() - cpu) / CLOCKS_PER_SEC / done * 1e6, done == jobs ? "true" : "false");
    sqlite3_close(db);
    return 0;
}
