/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated power loss at every I/O operation of a workload (storage/io_sim.c): a forked
 * child opens a fresh data directory, creates a table, commits batches of rows (some large
 * enough to be logged in several records), checkpoints twice and closes, reporting each
 * acknowledgement through a pipe. The simulation cuts the power before the k-th I/O
 * operation, for every k, with three damage seeds (nothing unsynced survives; torn unsynced
 * tails; unsynced directory changes survive), leaving the directory as the disk would.
 * The parent then recovers it and checks: recovery succeeds, every acknowledged commit is
 * there, the one in flight is there entirely or not at all, nothing later is, and the
 * recovered directory takes a new commit and reopens. A second loop cuts the power again
 * during recovery itself.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bk_test.h"
#include "io_int.h"
#include "storage/storage.h"
#include "storage_int.h"
#include "table_fixture.h"

static const uint32_t all_cols[FX_COLS] = {0, 1, 2, 3, 4};

/* Commit sizes of the workload; a checkpoint follows commit CKPT_AFTER and the last one. */
static const uint32_t commit_rows[] = {10, 3000, 9000, 5, 1, 4000, 2};
#define N_COMMITS  BK_ARRAY_LEN(commit_rows)
#define CKPT_AFTER 2

typedef struct outcome {
    bool table_acked;
    int commits_acked; /* commits acknowledged, in order */
    bool finished;     /* the workload ran to its end (no crash) */
    uint64_t ops;      /* I/O operations of the whole workload (when finished) */
} outcome;

static uint64_t rows_after(int commits)
{
    uint64_t n = 0;
    for (int i = 0; i < commits; i++) {
        n += commit_rows[i];
    }
    return n;
}

static void say(int fd, char c)
{
    if (write(fd, &c, 1) != 1) {
        _exit(3);
    }
}

static void workload(const char *dir, int out)
{
    bk_test_rng rng;
    bk_test_rng_init(&rng, 77);
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_open(dir, &err);
    if (db == NULL) {
        fprintf(stderr, "open failed: %s\n", err.message);
        _exit(4);
    }
    bk_table *t = fx_create(db, "sales");
    say(out, 'T');
    uint64_t first = 0;
    for (size_t i = 0; i < N_COMMITS; i++) {
        fx_append(t, first, commit_rows[i], &rng);
        first += commit_rows[i];
        say(out, 'c');
        if (i == CKPT_AFTER || i + 1 == N_COMMITS) {
            if (bk_db_checkpoint(db, &err) != BK_OK) {
                _exit(5);
            }
        }
    }
    bk_db_destroy(db);
}

/* Runs the workload in a child with the power cut at operation crash_at (0 = never). */
static outcome run_child(const char *dir, uint64_t crash_at, int seed)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        bk_io_sim_arm(dir, crash_at, seed);
        workload(dir, p[1]);
        uint64_t ops = bk_io_sim_ops();
        bk_io_sim_disarm();
        say(p[1], 'E');
        if (write(p[1], &ops, sizeof ops) != (ssize_t)sizeof ops) {
            _exit(3);
        }
        _exit(0);
    }
    close(p[1]);
    outcome o = {0};
    char c;
    while (read(p[0], &c, 1) == 1) {
        if (c == 'T') {
            o.table_acked = true;
        } else if (c == 'c') {
            o.commits_acked++;
        } else if (c == 'E') {
            assert_int_equal(read(p[0], &o.ops, sizeof o.ops), (ssize_t)sizeof o.ops);
            o.finished = true;
        }
    }
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status)) {
        fail_msg("crash_at %llu seed %d: child died of signal %d", (unsigned long long)crash_at,
                 seed, WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    }
    int code = WEXITSTATUS(status);
    if (code != (o.finished ? 0 : BK_IO_SIM_EXIT)) {
        fail_msg("crash_at %llu seed %d: child exit code %d", (unsigned long long)crash_at, seed,
                 code);
    }
    return o;
}

/* Recovers `dir` in this process and checks it against what was acknowledged. */
static void check_recovered(const char *dir, const outcome *o, const char *when)
{
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_open(dir, &err);
    if (db == NULL) {
        fail_msg("%s: recovery failed: %s", when, err.message);
    }
    bk_table *t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    if (t == NULL) {
        if (o->table_acked) {
            fail_msg("%s: the acknowledged table is gone", when);
        }
        bk_db_destroy(db);
        return;
    }
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    uint64_t n = bk_snap_rows(s, t);
    uint64_t acked = rows_after(o->commits_acked);
    uint64_t in_flight =
        o->commits_acked < (int)N_COMMITS ? rows_after(o->commits_acked + 1) : acked;
    if (n != acked && n != in_flight) {
        fail_msg("%s: %llu rows after recovery; %d commits (%llu rows) were acknowledged, the "
                 "next one would make %llu",
                 when, (unsigned long long)n, o->commits_acked, (unsigned long long)acked,
                 (unsigned long long)in_flight);
    }
    assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 0, n), n);
    bk_snap_release(s);
    bk_db_destroy(db);
}

/* After recovery, the directory works: one more commit, reopened. */
static void check_goes_on(const char *dir, const char *when)
{
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_open(dir, &err);
    if (db == NULL) {
        fail_msg("%s: reopen failed: %s", when, err.message);
    }
    bk_table *t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    if (t == NULL) {
        t = fx_create(db, "sales");
    }
    bk_snap *s = bk_snap_take(db, &err);
    uint64_t n = bk_snap_rows(s, t);
    bk_snap_release(s);
    bk_test_rng rng;
    bk_test_rng_init(&rng, 5);
    fx_append(t, n, 7, &rng);
    bk_db_destroy(db);
    db = bk_db_open(dir, &err);
    if (db == NULL) {
        fail_msg("%s: second reopen failed: %s", when, err.message);
    }
    t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    s = bk_snap_take(db, &err);
    assert_int_equal(bk_snap_rows(s, t), n + 7);
    assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 0, n + 7), n + 7);
    bk_snap_release(s);
    bk_db_destroy(db);
}

/* Recovery of `dir`, in a child, with the power cut at its crash_at-th operation. */
static bool crash_recovery(const char *dir, uint64_t crash_at, uint64_t *ops, const char *when)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        bk_io_sim_arm(dir, crash_at, 0);
        bk_error err;
        bk_error_clear(&err);
        bk_db *db = bk_db_open(dir, &err);
        if (db == NULL) {
            fprintf(stderr, "recovery failed: %s\n", err.message);
            _exit(4);
        }
        bk_db_destroy(db);
        uint64_t n = bk_io_sim_ops();
        bk_io_sim_disarm();
        if (write(p[1], &n, sizeof n) != (ssize_t)sizeof n) {
            _exit(3);
        }
        _exit(0);
    }
    close(p[1]);
    uint64_t n = 0;
    bool finished = read(p[0], &n, sizeof n) == (ssize_t)sizeof n;
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != (finished ? 0 : BK_IO_SIM_EXIT)) {
        fail_msg("%s: recovery with a power cut at its operation %llu: status %d", when,
                 (unsigned long long)crash_at, status);
    }
    if (ops != NULL) {
        *ops = n;
    }
    return finished;
}

static void test_powerloss_at_every_io_operation(void **state)
{
    (void)state;
    bk_wal_flush_bytes = 32 << 10; /* the 9,000-row commit is logged in several records */
    char *dir = bk_test_tmpdir_create("powerloss");
    outcome dry = run_child(dir, 0, 0);
    assert_true(dry.finished);
    assert_int_equal(dry.commits_acked, (int)N_COMMITS);
    check_recovered(dir, &dry, "no crash");
    bk_test_tmpdir_remove(dir);
    uint64_t cases = 0, recovery_cases = 0;
    for (int seed = 0; seed < 3; seed++) {
        for (uint64_t k = 1; k <= dry.ops; k++) {
            char when[96];
            snprintf(when, sizeof when, "power cut at I/O operation %llu of %llu, seed %d",
                     (unsigned long long)k, (unsigned long long)dry.ops, seed);
            dir = bk_test_tmpdir_create("powerloss");
            outcome o = run_child(dir, k, seed);
            assert_false(o.finished);
            /* Every 25th case: cut the power during recovery too, at each of its operations
             * (a stride keeps the loop inside make test's budget). Copies of the crashed
             * directory, before anything recovers it. */
            if (seed == 0 && k % 25 == 0) {
                uint64_t rec_ops = 0;
                char *copy = bk_test_tmpdir_create("powerloss-rec");
                char cmd[2048];
                snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", dir, copy);
                assert_int_equal(system(cmd), 0);
                assert_true(crash_recovery(copy, 0, &rec_ops, when));
                bk_test_tmpdir_remove(copy);
                for (uint64_t r = 1; r <= rec_ops; r++) {
                    copy = bk_test_tmpdir_create("powerloss-rec");
                    snprintf(cmd, sizeof cmd, "cp -a '%s/.' '%s/'", dir, copy);
                    assert_int_equal(system(cmd), 0);
                    assert_false(crash_recovery(copy, r, NULL, when));
                    char when2[160];
                    snprintf(when2, sizeof when2, "%s, then at recovery operation %llu", when,
                             (unsigned long long)r);
                    check_recovered(copy, &o, when2);
                    bk_test_tmpdir_remove(copy);
                    recovery_cases++;
                }
            }
            check_recovered(dir, &o, when);
            cases++;
            check_goes_on(dir, when);
            bk_test_tmpdir_remove(dir);
        }
    }
    print_message("power cuts: %llu during the workload (%llu I/O operations x 3 seeds), %llu "
                  "during recovery\n",
                  (unsigned long long)cases, (unsigned long long)dry.ops,
                  (unsigned long long)recovery_cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_powerloss_at_every_io_operation),
    };
    return bk_run_group_tests("storage_powerloss", tests, NULL, NULL);
}
