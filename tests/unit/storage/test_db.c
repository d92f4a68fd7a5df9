/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/db.c and wal.c: the durable database. Everything committed survives a reopen (from
 * the log alone, from a checkpoint alone, from both with overlap); a torn log tail is cut and
 * the rest kept; corruption anywhere else, a corrupt checkpoint or a newer format is refused
 * with XX001; a full disk fails the commit with 53100 and leaves nothing visible; and a
 * process killed at every crash point of a commit or a checkpoint recovers every
 * acknowledged commit, with the commit in flight all there or not at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bk_test.h"
#include "io_int.h"
#include "storage/storage.h"
#include "storage_int.h"
#include "table_fixture.h"

static const uint32_t all_cols[FX_COLS] = {0, 1, 2, 3, 4};

static bk_db *open_ok(const char *dir)
{
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_open(dir, &err);
    if (db == NULL) {
        fail_msg("bk_db_open(%s): %s", dir, err.message);
    }
    return db;
}

/* Opens `dir` expecting failure with `code`; returns the message for further checks. */
static void open_fails(const char *dir, const char *code, const char *needle)
{
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_open(dir, &err);
    if (db != NULL) {
        bk_db_destroy(db);
        fail_msg("bk_db_open(%s) succeeded, expected %s", dir, code);
    }
    assert_string_equal(bk_sqlstate_str(err.code), code);
    if (needle != NULL && strstr(err.message, needle) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    }
}

static uint64_t rows_of(bk_db *db, const char *name)
{
    bk_table *t = bk_db_find_table(db, bk_str_from_cstr(name));
    if (t == NULL) {
        return UINT64_MAX;
    }
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    uint64_t n = bk_snap_rows(s, t);
    bk_snap_release(s);
    return n;
}

/* Every row of `name` is fixture row 0 .. n-1, and there are exactly n. */
static void check_table(bk_db *db, const char *name, uint64_t n)
{
    bk_table *t = bk_db_find_table(db, bk_str_from_cstr(name));
    assert_non_null(t);
    assert_int_equal(bk_table_column_count(t), FX_COLS);
    bk_column_def want[FX_COLS];
    fx_columns(want);
    for (uint32_t c = 0; c < FX_COLS; c++) {
        const bk_column_def *got = bk_table_column(t, c);
        assert_string_equal(got->name, want[c].name);
        assert_int_equal(got->type.id, want[c].type.id);
        assert_int_equal(got->not_null, want[c].not_null);
    }
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    assert_int_equal(bk_snap_rows(s, t), n);
    assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 0, n), n);
    bk_snap_release(s);
}

static void checkpoint_ok(bk_db *db)
{
    bk_error err;
    bk_error_clear(&err);
    if (bk_db_checkpoint(db, &err) != BK_OK) {
        fail_msg("checkpoint: %s", err.message);
    }
}

static bk_table *create_ok(bk_db *db, const char *name)
{
    return fx_create(db, name);
}

/* Path of the newest (or, with oldest, the oldest) log file; false when there is none. */
static bool wal_file(const char *dir, bool oldest, char *out, size_t cap)
{
    char waldir[1024];
    snprintf(waldir, sizeof waldir, "%s/wal", dir);
    DIR *d = opendir(waldir);
    assert_non_null(d);
    char best[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "wal-", 4) != 0) {
            continue;
        }
        if (best[0] == '\0' ||
            (oldest ? strcmp(e->d_name, best) < 0 : strcmp(e->d_name, best) > 0)) {
            snprintf(best, sizeof best, "%s", e->d_name);
        }
    }
    closedir(d);
    if (best[0] == '\0') {
        return false;
    }
    snprintf(out, cap, "%s/%s", waldir, best);
    return true;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

static void flip_byte(const char *path, uint64_t off)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
    b ^= 0x5A;
    assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
    close(fd);
}

static void append_bytes(const char *path, const void *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n), (ssize_t)n);
    close(fd);
}

/* ---- reopen ------------------------------------------------------------------------------ */

static void test_db_reopen_replays_the_log(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 1);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 5000, &rng);
    fx_append(t, 5000, 70000, &rng); /* crosses a segment boundary */
    (void)create_ok(db, "empty");
    bk_db_destroy(db);

    for (int round = 0; round < 2; round++) { /* replay twice: nothing doubles */
        db = open_ok(dir);
        assert_int_equal(bk_db_table_count(db), 2);
        check_table(db, "sales", 75000);
        check_table(db, "empty", 0);
        bk_db_destroy(db);
    }
    bk_test_tmpdir_remove(dir);
}

static void test_db_checkpoint_then_log(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 2);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 100000, &rng);
    checkpoint_ok(db);
    fx_append(t, 100000, 3000, &rng);
    bk_table *u = create_ok(db, "later");
    fx_append(u, 0, 10, &rng);
    bk_db_destroy(db);

    db = open_ok(dir);
    check_table(db, "sales", 103000);
    check_table(db, "later", 10);
    /* A second checkpoint replaces the first and drops the log it covers. */
    checkpoint_ok(db);
    t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    fx_append(t, 103000, 1, &rng);
    bk_db_destroy(db);

    char path[1024];
    snprintf(path, sizeof path, "%s/ckpt-0000000000000001", dir);
    assert_int_equal(access(path, F_OK), -1); /* superseded checkpoint removed */
    snprintf(path, sizeof path, "%s/ckpt-0000000000000002/tables.meta", dir);
    assert_int_equal(access(path, F_OK), 0);

    db = open_ok(dir);
    check_table(db, "sales", 103001);
    check_table(db, "later", 10);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

/* The checkpoint holds every byte: the log removed entirely still leaves all data. */
static void test_db_checkpoint_alone_holds_everything(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 3);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 140000, &rng);
    checkpoint_ok(db);
    checkpoint_ok(db); /* nothing new: nothing written */
    bk_db_destroy(db);

    /* The log the checkpoint covers is gone: one empty file remains. */
    char path[1024], newest[1024];
    assert_true(wal_file(dir, true, path, sizeof path));
    assert_true(wal_file(dir, false, newest, sizeof newest));
    assert_string_equal(path, newest);
    assert_int_equal(file_size(path), 0);
    snprintf(path, sizeof path, "%s/ckpt-0000000000000002", dir);
    assert_int_equal(access(path, F_OK), -1);
    while (wal_file(dir, true, path, sizeof path)) {
        assert_int_equal(unlink(path), 0);
    }
    db = open_ok(dir);
    check_table(db, "sales", 140000);
    /* And the log continues after the checkpoint's position. */
    t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    fx_append(t, 140000, 5, &rng);
    bk_db_destroy(db);
    db = open_ok(dir);
    check_table(db, "sales", 140005);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

/* A transaction large enough to be logged in several DATA records before its COMMIT. */
static void test_db_large_transaction(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 4);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "big");
    fx_append(t, 0, 400000, &rng);
    bk_db_destroy(db);
    db = open_ok(dir);
    check_table(db, "big", 400000);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

/* Logged DATA records of a transaction that never committed are not replayed. */
static void test_db_uncommitted_is_not_replayed(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 5);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 100, &rng);

    bk_arena *a = bk_arena_create(NULL, "test", 0);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    uint64_t before = bk_io_op_count(BK_IO_WRITE);
    for (uint64_t id = 100; id < 300100; id += BK_BATCH_ROWS) {
        bk_batch *b = fx_batch(a, id, BK_BATCH_ROWS);
        assert_int_equal(bk_appender_append(ap, b, &err), BK_OK);
        bk_arena_reset(a);
    }
    assert_true(bk_io_op_count(BK_IO_WRITE) > before); /* DATA records reached the log */
    bk_appender_abort(ap);
    fx_append(t, 100, 7, &rng);
    bk_arena_destroy(a);
    bk_db_destroy(db);

    db = open_ok(dir);
    check_table(db, "sales", 107);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

/* A checkpoint taken while a transaction is open keeps the log that transaction needs. */
static void test_db_checkpoint_during_open_transaction(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 6);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 1000, &rng);

    bk_arena *a = bk_arena_create(NULL, "test", 0);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    uint64_t id = 1000;
    for (; id < 301000; id += BK_BATCH_ROWS) {
        bk_batch *b = fx_batch(a, id, BK_BATCH_ROWS);
        assert_int_equal(bk_appender_append(ap, b, &err), BK_OK);
        bk_arena_reset(a);
    }
    checkpoint_ok(db); /* sees 1000 rows; the open transaction's DATA records must stay */
    bk_batch *b = fx_batch(a, id, 10);
    assert_int_equal(bk_appender_append(ap, b, &err), BK_OK);
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    bk_arena_destroy(a);
    bk_db_destroy(db);

    db = open_ok(dir);
    check_table(db, "sales", id + 10);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

typedef struct writer_arg {
    bk_table *t;
    uint64_t first;
    uint32_t commits;
    uint32_t rows;
} writer_arg;

static void *writer_main(void *p)
{
    writer_arg *w = p;
    bk_arena *a = bk_arena_create(NULL, "writer", 0);
    for (uint32_t i = 0; i < w->commits; i++) {
        bk_error err;
        bk_error_clear(&err);
        bk_appender *ap = bk_appender_begin(w->t, &err);
        bk_batch *b = fx_batch(a, w->first + (uint64_t)i * w->rows, w->rows);
        if (ap == NULL || bk_appender_append(ap, b, &err) != BK_OK ||
            bk_appender_commit(ap, &err) != BK_OK) {
            fail_msg("writer: %s", err.message);
        }
        bk_arena_reset(a);
    }
    bk_arena_destroy(a);
    return NULL;
}

/* Concurrent committers (group commit) and a checkpoint racing them: every commit survives. */
static void test_db_concurrent_commits_and_checkpoints(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_db *db = open_ok(dir);

    enum {
        WRITERS = 4,
        COMMITS = 40,
        ROWS = 50
    };

    bk_table *tabs[WRITERS];
    writer_arg args[WRITERS];
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        tabs[i] = create_ok(db, name);
        args[i] = (writer_arg){tabs[i], 0, COMMITS, ROWS};
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &args[i]), 0);
    }
    for (int k = 0; k < 3; k++) {
        checkpoint_ok(db);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
    }
    bk_db_destroy(db);
    db = open_ok(dir);
    for (int i = 0; i < WRITERS; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        check_table(db, name, COMMITS * ROWS);
    }
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

/* Column definitions (NOT NULL, typmods, generation expressions) survive log and checkpoint. */
static void test_db_column_definitions_persist(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_column_def cols[3] = {
        {"a",                              bk_type_of(BK_TYPE_INT4),  true,             NULL},
        {"b", {BK_TYPE_NUMERIC, BK_OID_NUMERIC, (10 << 16 | 2) + 4}, false,             NULL},
        {"c",                           bk_type_of(BK_TYPE_NUMERIC), false, "a * b + 'x''s'"},
    };
    for (int round = 0; round < 3; round++) {
        bk_db *db = open_ok(dir);
        if (round == 0) {
            bk_error err;
            bk_error_clear(&err);
            assert_non_null(bk_db_create_table(db, "g", cols, 3, &err));
        } else if (round == 1) {
            checkpoint_ok(db);
        }
        bk_table *t = bk_db_find_table(db, bk_str_from_cstr("g"));
        assert_non_null(t);
        for (uint32_t c = 0; c < 3; c++) {
            const bk_column_def *d = bk_table_column(t, c);
            assert_string_equal(d->name, cols[c].name);
            assert_int_equal(d->type.id, cols[c].type.id);
            assert_int_equal(d->type.typmod, cols[c].type.typmod);
            assert_int_equal(d->not_null, cols[c].not_null);
            if (cols[c].generated == NULL) {
                assert_null(d->generated);
            } else {
                assert_string_equal(d->generated, cols[c].generated);
            }
        }
        bk_db_destroy(db);
    }
    bk_test_tmpdir_remove(dir);
}

/* ---- damage ------------------------------------------------------------------------------ */

static void test_db_torn_log_tail_is_cut(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 7);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 100, &rng);
    char path[1024];
    assert_true(wal_file(dir, false, path, sizeof path));
    uint64_t good = file_size(path);
    fx_append(t, 100, 100, &rng);
    uint64_t full = file_size(path);
    bk_db_destroy(db);

    /* The last commit record torn in half: that commit is gone, the rest stays. */
    assert_int_equal(truncate(path, (off_t)(good + (full - good) / 2)), 0);
    db = open_ok(dir);
    check_table(db, "sales", 100);
    assert_int_equal(file_size(path), good); /* the tail was cut */
    /* The log goes on from the cut. */
    t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    fx_append(t, 100, 20, &rng);
    bk_db_destroy(db);

    /* Garbage after the last record (a torn header) is cut too. */
    static const uint8_t junk[13] = {0x42, 0x4B, 0x57, 0x4C, 9, 9, 9};
    append_bytes(path, junk, sizeof junk);
    db = open_ok(dir);
    check_table(db, "sales", 120);
    bk_db_destroy(db);
    db = open_ok(dir);
    check_table(db, "sales", 120);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

static void test_db_corruption_inside_the_log_is_refused(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 8);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 100, &rng);
    fx_append(t, 100, 100, &rng);
    bk_db_destroy(db);
    char path[1024];
    assert_true(wal_file(dir, false, path, sizeof path));
    uint64_t size = file_size(path);
    /* A byte of the first record (CREATE TABLE) flipped: valid records follow it. */
    flip_byte(path, 50);
    open_fails(dir, "XX001", "corrupt");
    assert_int_equal(file_size(path), size); /* nothing was cut */
    flip_byte(path, 50);
    db = open_ok(dir);
    check_table(db, "sales", 200);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

static void test_db_corrupt_checkpoint_is_refused(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 9);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 3000, &rng);
    checkpoint_ok(db);
    bk_db_destroy(db);

    const char *files[] = {"ckpt-0000000000000001/t16384.c3.col",
                           "ckpt-0000000000000001/tables.meta", "MANIFEST"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        uint64_t size = file_size(path);
        flip_byte(path, size / 2);
        open_fails(dir, "XX001", "corrupt");
        flip_byte(path, size / 2);
        /* Truncated is corrupt too. */
        assert_int_equal(truncate(path, (off_t)(size - 3)), 0);
        open_fails(dir, "XX001", "corrupt");
        /* Restore by rewriting a fresh checkpoint from the log-less data is impossible
         * here: recreate the database for the next file instead. */
        bk_test_tmpdir_remove(dir);
        dir = bk_test_tmpdir_create("db");
        db = open_ok(dir);
        t = create_ok(db, "sales");
        fx_append(t, 0, 3000, &rng);
        checkpoint_ok(db);
        bk_db_destroy(db);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/ckpt-0000000000000001/t16384.c0.col", dir);
    assert_int_equal(unlink(path), 0);
    open_fails(dir, "58030", NULL); /* a missing file is an I/O error naming it */
    bk_test_tmpdir_remove(dir);
}

static void test_db_newer_format_is_refused(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 10);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 10, &rng);
    checkpoint_ok(db);
    bk_db_destroy(db);
    char path[1024];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t v[4] = {2, 0, 0, 0}; /* the version follows the 4-byte magic */
    assert_int_equal(pwrite(fd, v, 4, 4), 4);
    close(fd);
    open_fails(dir, "XX001", "format version 2");
    bk_test_tmpdir_remove(dir);
}

/* ---- I/O errors ---------------------------------------------------------------------------- */

static void commit_fails(bk_table *t, uint64_t first, uint32_t n, const char *code)
{
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    bk_rc rc = BK_ERR;
    if (ap != NULL) {
        bk_batch *b = fx_batch(a, first, n);
        rc = bk_appender_append(ap, b, &err);
        if (rc == BK_OK) {
            rc = bk_appender_commit(ap, &err);
            ap = NULL; /* commit consumes the appender either way */
        }
    }
    if (ap != NULL) {
        bk_appender_abort(ap);
    }
    bk_arena_destroy(a);
    assert_int_equal(rc, BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), code);
}

static void test_db_disk_full_fails_the_commit(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 11);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 100, &rng);

    const int kinds[] = {ENOSPC, EIO, 0};
    const char *codes[] = {"53100", "58030", "58030"};
    for (int k = 0; k < 3; k++) {
        bk_io_fault_arm(BK_IO_WRITE, 0, kinds[k], false);
        commit_fails(t, 100, 50, codes[k]);
        bk_io_fault_disarm();
        assert_int_equal(rows_of(db, "sales"), 100);
    }
    /* Creating a table on a full disk fails and leaves no table. */
    bk_io_fault_arm(BK_IO_WRITE, 0, ENOSPC, false);
    bk_column_def cols[FX_COLS];
    fx_columns(cols);
    bk_error err;
    bk_error_clear(&err);
    assert_null(bk_db_create_table(db, "later", cols, FX_COLS, &err));
    assert_string_equal(bk_sqlstate_str(err.code), "53100");
    bk_io_fault_disarm();
    assert_null(bk_db_find_table(db, bk_str_from_cstr("later")));

    /* Space is back: the next commit works, and only good commits replay. */
    fx_append(t, 100, 30, &rng);
    bk_db_destroy(db);
    db = open_ok(dir);
    check_table(db, "sales", 130);
    assert_null(bk_db_find_table(db, bk_str_from_cstr("later")));
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

static void test_db_failed_checkpoint_keeps_the_old_one(void **state)
{
    (void)state;
    char *dir = bk_test_tmpdir_create("db");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 12);
    bk_db *db = open_ok(dir);
    bk_table *t = create_ok(db, "sales");
    fx_append(t, 0, 2000, &rng);
    checkpoint_ok(db);
    fx_append(t, 2000, 2000, &rng);
    const int kinds[] = {ENOSPC, EIO, 0};
    for (int k = 0; k < 3; k++) {
        /* A column file write fails (io_uring), then a rename, then the manifest. */
        bk_io_fault_arm(BK_IO_WRITE, 2, kinds[k], false);
        bk_error err;
        bk_error_clear(&err);
        assert_int_equal(bk_db_checkpoint(db, &err), BK_ERR);
        assert_string_equal(bk_sqlstate_str(err.code), kinds[k] == ENOSPC ? "53100" : "58030");
        bk_io_fault_disarm();
    }
    bk_io_fault_arm(BK_IO_RENAME, 0, EIO, false);
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_db_checkpoint(db, &err), BK_ERR);
    bk_io_fault_disarm();
    fx_append(t, 4000, 10, &rng); /* commits go on */
    bk_db_destroy(db);

    db = open_ok(dir);
    check_table(db, "sales", 4010);
    checkpoint_ok(db); /* and a later checkpoint succeeds over the leftovers */
    bk_db_destroy(db);
    db = open_ok(dir);
    check_table(db, "sales", 4010);
    bk_db_destroy(db);
    bk_test_tmpdir_remove(dir);
}

/* ---- crash points ---------------------------------------------------------------------------- */

typedef struct crash_case {
    const char *point;
    bool in_checkpoint;    /* the crash happens in a checkpoint, not a commit */
    bool durable_at_crash; /* the commit in flight had reached the disk */
} crash_case;

static const crash_case crash_cases[] = {
    {                  "wal.after_write", false, false},
    {                 "wal.before_fsync", false, false},
    {                  "wal.after_fsync", false,  true},
    {                 "commit.after_wal", false,  true},
    {             "commit.after_publish", false,  true},
    {         "checkpoint.before_rename",  true,  true},
    {"checkpoint.before_manifest_rename",  true,  true},
    {        "checkpoint.after_manifest",  true,  true},
};

/*
 * In a child: open, commit A (rows 0..999), maybe checkpoint, then arm the crash point and
 * run the operation under test (commit B of rows 1000..2999, or a checkpoint after it).
 */
static void crash_child(const char *dir, const crash_case *c)
{
    bk_test_rng rng;
    bk_test_rng_init(&rng, 13);
    bk_db *db = open_ok(dir);
    bk_table *t = bk_db_find_table(db, bk_str_from_cstr("sales"));
    if (t == NULL) {
        t = create_ok(db, "sales");
    }
    uint64_t have = rows_of(db, "sales");
    fx_append(t, have, 1000, &rng);
    setenv("BASKET_CRASHPOINT", c->point, 1);
    bk_fault_init();
    if (c->in_checkpoint) {
        bk_error err;
        bk_error_clear(&err);
        if (bk_db_checkpoint(db, &err) != BK_OK) {
            _exit(4);
        }
    } else {
        fx_append(t, have + 1000, 2000, &rng);
    }
    _exit(3); /* the crash point was not reached */
}

static void test_db_crash_points(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof crash_cases / sizeof crash_cases[0]; i++) {
        const crash_case *c = &crash_cases[i];
        char *dir = bk_test_tmpdir_create("crash");
        uint64_t expect = 0;
        /* Twice over the same directory: recovery after recovery. */
        for (int round = 0; round < 2; round++) {
            fflush(NULL);
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                crash_child(dir, c);
            }
            int status;
            assert_int_equal(waitpid(pid, &status, 0), pid);
            if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
                fail_msg("%s: child did not crash (status %d)", c->point, status);
            }
            bk_db *db = open_ok(dir);
            uint64_t n = rows_of(db, "sales");
            expect += 1000;
            if (c->in_checkpoint) {
                assert_int_equal(n, expect);
            } else if (c->durable_at_crash) {
                expect += 2000;
                assert_int_equal(n, expect);
            } else {
                /* In doubt: all or nothing (a process crash keeps the page cache). */
                if (n != expect && n != expect + 2000) {
                    fail_msg("%s: %llu rows after recovery, expected %llu or %llu", c->point,
                             (unsigned long long)n, (unsigned long long)expect,
                             (unsigned long long)(expect + 2000));
                }
                expect = n;
            }
            check_table(db, "sales", expect);
            bk_db_destroy(db);
        }
        /* Recovered directories take checkpoints and commits as usual. */
        bk_db *db = open_ok(dir);
        checkpoint_ok(db);
        bk_test_rng rng;
        bk_test_rng_init(&rng, 14);
        fx_append(bk_db_find_table(db, bk_str_from_cstr("sales")), expect, 5, &rng);
        bk_db_destroy(db);
        db = open_ok(dir);
        check_table(db, "sales", expect + 5);
        bk_db_destroy(db);
        bk_test_tmpdir_remove(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_reopen_replays_the_log),
        cmocka_unit_test(test_db_checkpoint_then_log),
        cmocka_unit_test(test_db_checkpoint_alone_holds_everything),
        cmocka_unit_test(test_db_large_transaction),
        cmocka_unit_test(test_db_uncommitted_is_not_replayed),
        cmocka_unit_test(test_db_checkpoint_during_open_transaction),
        cmocka_unit_test(test_db_concurrent_commits_and_checkpoints),
        cmocka_unit_test(test_db_column_definitions_persist),
        cmocka_unit_test(test_db_torn_log_tail_is_cut),
        cmocka_unit_test(test_db_corruption_inside_the_log_is_refused),
        cmocka_unit_test(test_db_corrupt_checkpoint_is_refused),
        cmocka_unit_test(test_db_newer_format_is_refused),
        cmocka_unit_test(test_db_disk_full_fails_the_commit),
        cmocka_unit_test(test_db_failed_checkpoint_keeps_the_old_one),
        cmocka_unit_test(test_db_crash_points),
    };
    return bk_run_group_tests("storage_db", tests, NULL, NULL);
}
