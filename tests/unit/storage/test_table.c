/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/table.c: catalog (create, find, duplicates, column limit), the append path across
 * the first segment's growth from 1024 rows and the 65536-row segment boundary, NULLs and
 * NOT NULL (23502), abort, snapshot isolation, column statistics, OOM at every allocation of
 * an append, and readers taking snapshots while a writer commits.
 */
#include <pthread.h>
#include <string.h>

#include "bk_test.h"
#include "storage/storage.h"
#include "storage_int.h"
#include "table_fixture.h"

static const uint32_t all_cols[FX_COLS] = {0, 1, 2, 3, 4};

static uint64_t snap_rows_now(bk_db *db, bk_table *t)
{
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    uint64_t n = bk_snap_rows(s, t);
    bk_snap_release(s);
    return n;
}

static void test_table_create_and_find(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    char name[16] = "sales";
    char colname[16] = "amount";
    bk_column_def cols[2] = {
        {  colname, bk_type_of(BK_TYPE_NUMERIC), false, NULL},
        {"country",    bk_type_of(BK_TYPE_TEXT),  true, NULL},
    };
    bk_error err;
    bk_error_clear(&err);
    bk_table *t = bk_db_create_table(db, name, cols, 2, &err);
    assert_non_null(t);
    /* Names are copied. */
    strcpy(name, "XXXX");
    strcpy(colname, "YYYY");
    assert_string_equal(bk_table_name(t), "sales");
    assert_int_equal(bk_table_column_count(t), 2);
    assert_string_equal(bk_table_column(t, 0)->name, "amount");
    assert_int_equal(bk_table_column(t, 0)->type.id, BK_TYPE_NUMERIC);
    assert_true(bk_table_column(t, 1)->not_null);
    assert_ptr_equal(bk_db_find_table(db, BK_STR_LIT("sales")), t);
    assert_null(bk_db_find_table(db, BK_STR_LIT("Sales"))); /* exact, case-sensitive */
    assert_null(bk_db_find_table(db, BK_STR_LIT("sale")));
    assert_int_equal(bk_db_table_count(db), 1);
    assert_ptr_equal(bk_db_table_at(db, 0), t);
    /* Ids start at PostgreSQL's FirstNormalObjectId and grow. */
    assert_true(bk_table_id(t) >= 16384);
    bk_table *t2 = bk_db_create_table(db, "customers", cols, 2, &err);
    assert_non_null(t2);
    assert_true(bk_table_id(t2) > bk_table_id(t));
    assert_int_equal(snap_rows_now(db, t), 0);
    bk_db_destroy(db);
    bk_db_destroy(NULL);
}

static void test_table_duplicate_name_is_42P07(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    (void)fx_create(db, "t");
    bk_column_def cols[FX_COLS];
    fx_columns(cols);
    bk_error err;
    bk_error_clear(&err);
    assert_null(bk_db_create_table(db, "t", cols, FX_COLS, &err));
    assert_string_equal(bk_sqlstate_str(err.code), "42P07");
    assert_string_equal(err.message, "relation \"t\" already exists");
    assert_int_equal(bk_db_table_count(db), 1);
    bk_db_destroy(db);
}

static void test_table_too_many_columns_is_54011(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    static bk_column_def cols[1601];
    for (size_t i = 0; i < BK_ARRAY_LEN(cols); i++) {
        cols[i] = (bk_column_def){"c", bk_type_of(BK_TYPE_INT4), false, NULL};
    }
    bk_error err;
    bk_error_clear(&err);
    assert_null(bk_db_create_table(db, "wide", cols, 1601, &err));
    assert_string_equal(bk_sqlstate_str(err.code), "54011");
    bk_error_clear(&err);
    bk_table *t = bk_db_create_table(db, "wide", cols, 1600, &err);
    assert_non_null(t);
    bk_db_destroy(db);
}

static void test_table_append_across_segment_growth_and_boundary(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 31);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    bk_error err;
    bk_error_clear(&err);
    /* 1000 rows fit the open segment's initial 1024; the next commit forces growth. */
    fx_append(t, 0, 1000, &rng);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    const bk_tabver *v = bk_snap_tabver(s, t);
    assert_int_equal(v->n_segs, 1);
    assert_false(v->segs[0]->sealed);
    assert_int_equal(v->segs[0]->cap, BK_SEG_FIRST_CAP);
    bk_snap_release(s);
    fx_append(t, 1000, 100, &rng);
    s = bk_snap_take(db, &err);
    assert_non_null(s);
    v = bk_snap_tabver(s, t);
    assert_true(v->segs[0]->cap >= 1100);
    bk_snap_release(s);
    /* Past 65536 rows: the first segment is sealed, a second one is open. */
    fx_append(t, 1100, 70000 - 1100, &rng);
    s = bk_snap_take(db, &err);
    assert_non_null(s);
    v = bk_snap_tabver(s, t);
    assert_int_equal(v->n_segs, 2);
    assert_true(v->segs[0]->sealed);
    assert_int_equal(v->segs[0]->n_rows, BK_SEG_ROWS);
    assert_false(v->segs[1]->sealed);
    assert_true(v->segs[1]->cap >= 70000 - BK_SEG_ROWS);
    bk_snap_release(s);
    s = bk_snap_take(db, &err);
    assert_non_null(s);
    assert_int_equal(bk_snap_rows(s, t), 70000);
    assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 0, UINT64_MAX), 70000);
    bk_snap_release(s);
    bk_db_destroy(db);
}

static void test_table_exact_segment_boundary(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 32);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    bk_error err;
    bk_error_clear(&err);
    fx_append(t, 0, 65536, &rng);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    /* A commit that fills the open segment seals it. */
    assert_int_equal(bk_snap_tabver(s, t)->n_segs, 1);
    assert_true(bk_snap_tabver(s, t)->segs[0]->sealed);
    bk_snap_release(s);
    fx_append(t, 65536, 1, &rng);
    s = bk_snap_take(db, &err);
    assert_non_null(s);
    assert_int_equal(bk_snap_tabver(s, t)->n_segs, 2);
    bk_snap_release(s);
    s = bk_snap_take(db, &err);
    assert_non_null(s);
    assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 65530, UINT64_MAX), 7);
    bk_snap_release(s);
    bk_db_destroy(db);
}

static void test_table_not_null_violation_is_23502(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "sales");
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_batch *b = fx_batch(a, 0, 10);
    /* NULL in the NOT NULL column "day", row 4. */
    assert_int_equal(bk_vec_make_nullable(&b->cols[4], 10, a), BK_OK);
    bk_validity_set(b->cols[4].validity, 4, false);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_append(ap, b, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "23502");
    assert_string_equal(err.message,
                        "null value in column \"day\" of relation \"sales\" violates not-null "
                        "constraint");
    bk_appender_abort(ap);
    assert_int_equal(snap_rows_now(db, t), 0);
    bk_arena_destroy(a);
    bk_db_destroy(db);
}

static void test_table_abort_discards_rows(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 33);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    fx_append(t, 0, 500, &rng);
    /* Append rows with wrong values, then abort: none of them may ever be seen. */
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_append(ap, fx_batch(a, 900000, 2000), &err), BK_OK);
    assert_int_equal(snap_rows_now(db, t), 500);
    bk_appender_abort(ap);
    assert_int_equal(snap_rows_now(db, t), 500);
    /* The next transaction continues at row 500 with the right values. */
    fx_append(t, 500, 1500, &rng);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    assert_int_equal(bk_snap_rows(s, t), 2000);
    assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 0, UINT64_MAX), 2000);
    bk_snap_release(s);
    bk_arena_destroy(a);
    bk_db_destroy(db);
}

static void test_table_snapshot_isolation(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 34);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    fx_append(t, 0, 3000, &rng);
    bk_error err;
    bk_error_clear(&err);
    bk_snap *before = bk_snap_take(db, &err);
    assert_non_null(before);
    /* Uncommitted rows are invisible to snapshots taken meanwhile. */
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_append(ap, fx_batch(a, 3000, 2048), &err), BK_OK);
    bk_snap *during = bk_snap_take(db, &err);
    assert_non_null(during);
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    bk_snap *after = bk_snap_take(db, &err);
    assert_non_null(after);
    assert_int_equal(bk_snap_rows(before, t), 3000);
    assert_int_equal(bk_snap_rows(during, t), 3000);
    assert_int_equal(bk_snap_rows(after, t), 5048);
    /* The old snapshot still scans exactly its rows, even though the first segment grew. */
    assert_int_equal(fx_scan_check(before, t, all_cols, FX_COLS, 0, UINT64_MAX), 3000);
    assert_int_equal(fx_scan_check(after, t, all_cols, FX_COLS, 0, UINT64_MAX), 5048);
    /* A table created after a snapshot has no rows in it. */
    bk_table *late = fx_create(db, "late");
    fx_append(late, 0, 10, &rng);
    assert_int_equal(bk_snap_rows(after, late), 0);
    bk_snap_release(before);
    bk_snap_release(during);
    bk_snap_release(after);
    bk_snap_release(NULL);
    bk_arena_destroy(a);
    bk_db_destroy(db);
}

static void test_table_numeric_out_of_storage_range_is_22003(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_batch *b = fx_batch(a, 1, 3);
    ((bk_i128 *)b->cols[2].data)[1] = bk_pow10_i128(30);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_append(ap, b, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    bk_appender_abort(ap);
    bk_arena_destroy(a);
    bk_db_destroy(db);
}

static void test_table_batch_shape_mismatch_is_internal_error(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_batch *b = fx_batch(a, 0, 4);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    b->n_cols = 4;
    assert_int_equal(bk_appender_append(ap, b, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "XX000");
    b->n_cols = FX_COLS;
    b->cols[1].type = bk_type_of(BK_TYPE_INT8);
    bk_error_clear(&err);
    assert_int_equal(bk_appender_append(ap, b, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "XX000");
    bk_appender_abort(ap);
    bk_arena_destroy(a);
    bk_db_destroy(db);
}

static void test_table_column_stats(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 35);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    fx_append(t, 0, 5000, &rng);
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    bk_column_stats st;
    bk_table_column_stats(s, t, 3, &st);
    assert_int_equal(st.rows, 5000);
    /* name-0 .. name-99; NULLs are not interned. */
    assert_int_equal(st.distinct_values, 100);
    assert_string_equal(st.encoding, "dictionary");
    assert_true(st.bytes > 0);
    bk_table_column_stats(s, t, 0, &st);
    assert_int_equal(st.distinct_values, 0);
    assert_string_equal(st.encoding, "plain");
    assert_true(st.bytes >= 5000 * sizeof(int64_t));
    bk_snap_release(s);
    bk_db_destroy(db);
}

/* Fail each allocation of create + append + commit once: 53200 or success, never a crash. */
static void test_table_oom_at_every_site(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 36);
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_batch *b1 = fx_batch(a, 0, 1500); /* forces growth of the first segment */
    bk_batch *b2 = fx_batch(a, 1500, 100);
    /* k walks every allocation site: stop at the first run that needed fewer than k. */
    uint64_t k;
    for (k = 0; k < 10000; k++) {
        bk_fault_alloc_arm(k, false);
        bk_error err;
        bk_error_clear(&err);
        bk_db *db = bk_db_create();
        if (db == NULL) {
            continue;
        }
        bk_column_def cols[FX_COLS];
        fx_columns(cols);
        bk_table *t = bk_db_create_table(db, "t", cols, FX_COLS, &err);
        if (t == NULL) {
            assert_string_equal(bk_sqlstate_str(err.code), "53200");
            bk_db_destroy(db);
            continue;
        }
        bk_appender *ap = bk_appender_begin(t, &err);
        if (ap == NULL) {
            assert_string_equal(bk_sqlstate_str(err.code), "53200");
            bk_db_destroy(db);
            continue;
        }
        bk_rc rc = bk_appender_append(ap, b1, &err);
        if (rc == BK_OK) {
            rc = bk_appender_append(ap, b2, &err);
        }
        if (rc != BK_OK) {
            assert_string_equal(bk_sqlstate_str(err.code), "53200");
            bk_appender_abort(ap);
        } else if (bk_appender_commit(ap, &err) != BK_OK) {
            /* Publishing a version allocates too; a failed commit leaves nothing behind. */
            assert_string_equal(bk_sqlstate_str(err.code), "53200");
        }
        uint64_t attempts = bk_fault_alloc_count();
        bk_fault_alloc_disarm();
        if (attempts <= k) {
            assert_int_equal(snap_rows_now(db, t), 1600); /* no fault: everything committed */
            bk_db_destroy(db);
            break;
        }
        /* Whatever happened, the table is consistent and usable. */
        uint64_t rows = snap_rows_now(db, t);
        assert_true(rows == 0 || rows == 1600);
        bk_snap *s = bk_snap_take(db, &err);
        assert_non_null(s);
        assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, 0, UINT64_MAX), rows);
        bk_snap_release(s);
        fx_append(t, rows, 10, &rng);
        assert_int_equal(snap_rows_now(db, t), rows + 10);
        bk_db_destroy(db);
    }
    bk_fault_alloc_disarm();
    assert_true(k > 20 && k < 10000); /* the loop reached the end of the workload */
    print_message("[ INFO     ] %llu allocation sites failed in turn\n", (unsigned long long)k);
    bk_arena_destroy(a);
}

typedef struct writer_ctx {
    bk_table *t;
    uint64_t total;
    uint64_t seed_stream;
} writer_ctx;

static void *writer_main(void *arg)
{
    writer_ctx *w = arg;
    bk_test_rng rng;
    bk_test_rng_init(&rng, w->seed_stream);
    uint64_t done = 0;
    while (done < w->total) {
        uint64_t want = 1 + bk_test_rng_below(&rng, 5000); /* BK_MIN evaluates twice */
        uint64_t n = BK_MIN(w->total - done, want);
        fx_append(w->t, done, n, &rng);
        done += n;
    }
    return NULL;
}

/* Snapshots taken while a writer commits always see whole, correct commits. */
static void test_table_readers_during_commits(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = fx_create(db, "t");
    writer_ctx w = {t, 150000, 37};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
    uint64_t last = 0;
    for (;;) {
        bk_error err;
        bk_error_clear(&err);
        bk_snap *s = bk_snap_take(db, &err);
        assert_non_null(s);
        uint64_t rows = bk_snap_rows(s, t);
        assert_true(rows >= last);
        /* Check the newest rows of the snapshot (the ones most likely to be half-written). */
        uint64_t from = rows > 3000 ? rows - 3000 : 0;
        assert_int_equal(fx_scan_check(s, t, all_cols, FX_COLS, from, UINT64_MAX), rows - from);
        bk_snap_release(s);
        last = rows;
        if (rows == w.total) {
            break;
        }
    }
    assert_int_equal(pthread_join(th, NULL), 0);
    bk_db_destroy(db);
}

/* ---- commit hooks ---- */

typedef struct hook_log {
    pthread_mutex_t lock;
    uint64_t calls;
    uint64_t rows;
    uint64_t covered[4]; /* per table: rows seen so far, for contiguity */
    bool bad;
} hook_log;

static void on_commit(void *arg, const bk_snap *snap, bk_table *t, uint64_t first, uint64_t n)
{
    hook_log *h = arg;
    /* The snapshot is exactly this commit's version: its rows end where the commit ends. */
    bool ok = n > 0 && bk_snap_rows(snap, t) == first + n;
    /* The new rows are readable in it and correct. */
    ok = ok && fx_scan_check(snap, t, all_cols, FX_COLS, first, first + n) == n;
    pthread_mutex_lock(&h->lock);
    uint32_t id = bk_table_id(t) % 4;
    /* Writers of one table commit one at a time: ranges arrive in order, without gaps. */
    ok = ok && h->covered[id] == first;
    h->covered[id] = first + n;
    h->calls++;
    h->rows += n;
    h->bad = h->bad || !ok;
    pthread_mutex_unlock(&h->lock);
}

static void test_table_commit_hooks_see_each_commit(void **state)
{
    (void)state;
    bk_db *db = bk_db_create();
    assert_non_null(db);
    hook_log h = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bk_db_on_commit(db, on_commit, &h);
    bk_table *a = fx_create(db, "a");
    bk_table *b = fx_create(db, "b");
    bk_test_rng rng;
    bk_test_rng_init(&rng, 41);
    fx_append(a, 0, 10, &rng);
    assert_int_equal(h.calls, 1);
    assert_int_equal(h.rows, 10);
    /* An aborted appender and an empty commit call nothing. */
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(a, &err);
    assert_non_null(ap);
    bk_appender_abort(ap);
    ap = bk_appender_begin(a, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    assert_int_equal(h.calls, 1);
    /* Concurrent writers on two more tables (writer_main fills a table from row 0): every
     * commit reported once, in order per table. */
    writer_ctx wb = {b, 50000, 4}, wc = {fx_create(db, "c"), 60000, 3};
    pthread_t tb, tc;
    assert_int_equal(pthread_create(&tb, NULL, writer_main, &wb), 0);
    assert_int_equal(pthread_create(&tc, NULL, writer_main, &wc), 0);
    assert_int_equal(pthread_join(tb, NULL), 0);
    assert_int_equal(pthread_join(tc, NULL), 0);
    assert_false(h.bad);
    assert_int_equal(h.rows, 10 + 60000 + 50000);
    bk_db_destroy(db);
}

static int teardown(void **state)
{
    (void)state;
    bk_fault_alloc_disarm();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_create_and_find),
        cmocka_unit_test(test_table_duplicate_name_is_42P07),
        cmocka_unit_test(test_table_too_many_columns_is_54011),
        cmocka_unit_test(test_table_append_across_segment_growth_and_boundary),
        cmocka_unit_test(test_table_exact_segment_boundary),
        cmocka_unit_test(test_table_not_null_violation_is_23502),
        cmocka_unit_test(test_table_abort_discards_rows),
        cmocka_unit_test(test_table_snapshot_isolation),
        cmocka_unit_test(test_table_numeric_out_of_storage_range_is_22003),
        cmocka_unit_test(test_table_batch_shape_mismatch_is_internal_error),
        cmocka_unit_test(test_table_column_stats),
        cmocka_unit_test_teardown(test_table_oom_at_every_site, teardown),
        cmocka_unit_test(test_table_readers_during_commits),
        cmocka_unit_test(test_table_commit_hooks_see_each_commit),
    };
    return bk_run_group_tests("storage/table", tests, NULL, NULL);
}
