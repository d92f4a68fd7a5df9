/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/scan.c: row ranges (morsels), unaligned starts and the validity bits they shift,
 * column subsets and order, batches cut at segment boundaries, and allocation failures.
 */
#include <string.h>

#include "bk_test.h"
#include "storage/storage.h"
#include "storage_int.h"
#include "table_fixture.h"

/* One table shared by the tests: 140,000 rows, so three segments (the last partial). */
#define N_ROWS 140000

static bk_db *db;
static bk_table *tbl;
static bk_snap *snap;

static const uint32_t all_cols[FX_COLS] = {0, 1, 2, 3, 4};

static int group_setup(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 41);
    db = bk_db_create();
    if (db == NULL) {
        return -1;
    }
    tbl = fx_create(db, "t");
    fx_append(tbl, 0, N_ROWS, &rng);
    bk_error err;
    bk_error_clear(&err);
    snap = bk_snap_take(db, &err);
    return snap == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    bk_snap_release(snap);
    bk_db_destroy(db);
    return 0;
}

static void test_scan_whole_table(void **state)
{
    (void)state;
    assert_int_equal(fx_scan_check(snap, tbl, all_cols, FX_COLS, 0, UINT64_MAX), N_ROWS);
}

static void test_scan_ranges(void **state)
{
    (void)state;

    static const struct {
        uint64_t begin, end, rows;
    } cases[] = {
        {         0,            0,               0},
        {         0,            1,               1},
        {        10,           20,              10},
        {     65535,        65537,               2}, /* across the first segment boundary */
        {     65536, 65536 + 2048,            2048}, /* exactly one batch at a segment start */
        {    131000,       N_ROWS, N_ROWS - 131000},
        {N_ROWS - 1,   UINT64_MAX,               1},
        {    N_ROWS,   UINT64_MAX,               0}, /* begin at the end */
        {N_ROWS + 5,   UINT64_MAX,               0}, /* begin past the end */
        {       500,          400,               0}, /* empty range */
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        uint64_t got = fx_scan_check(snap, tbl, all_cols, FX_COLS, cases[i].begin, cases[i].end);
        if (got != cases[i].rows) {
            fail_msg("scan [%llu, %llu): %llu rows, expected %llu",
                     (unsigned long long)cases[i].begin, (unsigned long long)cases[i].end,
                     (unsigned long long)got, (unsigned long long)cases[i].rows);
        }
    }
}

/* Starts that are not multiples of 64 shift the validity words; check every bit. */
static void test_scan_unaligned_row_begin(void **state)
{
    (void)state;
    static const uint64_t starts[] = {1, 3, 31, 63, 64, 65, 127, 1000, 2047, 2049, 65500, 65599};
    for (size_t i = 0; i < BK_ARRAY_LEN(starts); i++) {
        uint64_t begin = starts[i];
        uint64_t end = begin + 5000;
        assert_int_equal(fx_scan_check(snap, tbl, all_cols, FX_COLS, begin, end), 5000);
    }
}

/* Morsels of random sizes partition the table: together they return every row once. */
static void test_scan_morsels_partition_the_table(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 42);
    uint64_t pos = 0, total = 0;
    while (pos < N_ROWS) {
        uint64_t len = 1 + bk_test_rng_below(&rng, 9000);
        total += fx_scan_check(snap, tbl, all_cols, FX_COLS, pos, pos + len);
        pos += len;
    }
    assert_int_equal(total, N_ROWS);
}

static void test_scan_column_subsets_and_order(void **state)
{
    (void)state;
    const uint32_t only_text[] = {3};
    const uint32_t reversed[] = {4, 3, 2, 1, 0};
    const uint32_t repeated[] = {2, 2, 0};
    assert_int_equal(fx_scan_check(snap, tbl, only_text, 1, 100, 3000), 2900);
    assert_int_equal(fx_scan_check(snap, tbl, reversed, 5, 60000, 70000), 10000);
    assert_int_equal(fx_scan_check(snap, tbl, repeated, 3, 0, 5000), 5000);
    /* No columns at all: rows are still counted. */
    bk_error err;
    bk_error_clear(&err);
    bk_scan *sc = bk_scan_open(snap, tbl, NULL, 0, 0, 10000, &err);
    assert_non_null(sc);
    uint64_t rows = 0;
    bk_batch *b;
    while (bk_scan_next(sc, &b, &err) == BK_OK && b != NULL) {
        assert_int_equal(b->n_cols, 0);
        rows += b->n_rows;
    }
    assert_int_equal(rows, 10000);
    bk_scan_close(sc);
    bk_scan_close(NULL);
}

static void test_scan_not_null_columns_have_no_validity(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    const uint32_t cols[] = {0, 1, 4};
    bk_scan *sc = bk_scan_open(snap, tbl, cols, 3, 7, 9000, &err);
    assert_non_null(sc);
    bk_batch *b;
    while (bk_scan_next(sc, &b, &err) == BK_OK && b != NULL) {
        assert_null(b->cols[0].validity); /* id: NOT NULL */
        assert_non_null(b->cols[1].validity);
        assert_null(b->cols[2].validity); /* day: NOT NULL */
        assert_int_equal(b->cols[0].type.id, BK_TYPE_INT8);
        assert_int_equal(b->cols[2].type.oid, BK_OID_DATE);
    }
    bk_scan_close(sc);
}

/* A snapshot only ever scans its own rows, even while the table keeps growing. */
static void test_scan_stops_at_snapshot_rows(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 43);
    bk_db *d = bk_db_create();
    assert_non_null(d);
    bk_table *t = fx_create(d, "growing");
    fx_append(t, 0, 700, &rng);
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(d, &err);
    assert_non_null(s);
    bk_scan *sc = bk_scan_open(s, t, all_cols, FX_COLS, 0, UINT64_MAX, &err);
    assert_non_null(sc);
    fx_append(t, 700, 3000, &rng); /* grows the first segment under the open scan */
    uint64_t id = 0;
    bk_batch *b;
    while (bk_scan_next(sc, &b, &err) == BK_OK && b != NULL) {
        for (uint32_t i = 0; i < b->n_rows; i++) {
            fx_check_row(b, all_cols, i, id + i);
        }
        id += b->n_rows;
    }
    assert_int_equal(id, 700);
    bk_scan_close(sc);
    bk_snap_release(s);
    bk_db_destroy(d);
}

static void test_scan_open_oom_is_53200(void **state)
{
    (void)state;
    uint64_t k;
    for (k = 0; k < 1000; k++) {
        bk_error err;
        bk_error_clear(&err);
        bk_fault_alloc_arm(k, false);
        bk_scan *sc = bk_scan_open(snap, tbl, all_cols, FX_COLS, 0, 100, &err);
        uint64_t attempts = bk_fault_alloc_count();
        bk_fault_alloc_disarm();
        if (sc == NULL) {
            assert_string_equal(bk_sqlstate_str(err.code), "53200");
            continue;
        }
        bk_scan_close(sc);
        if (attempts <= k) {
            break;
        }
    }
    assert_true(k > 3 && k < 1000);
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
        cmocka_unit_test(test_scan_whole_table),
        cmocka_unit_test(test_scan_ranges),
        cmocka_unit_test(test_scan_unaligned_row_begin),
        cmocka_unit_test(test_scan_morsels_partition_the_table),
        cmocka_unit_test(test_scan_column_subsets_and_order),
        cmocka_unit_test(test_scan_not_null_columns_have_no_validity),
        cmocka_unit_test(test_scan_stops_at_snapshot_rows),
        cmocka_unit_test_teardown(test_scan_open_oom_is_53200, teardown),
    };
    return bk_run_group_tests("storage/scan", tests, group_setup, group_teardown);
}
