/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A test table for test_table.c and test_scan.c: five columns whose values (and NULLs) are a
 * function of the row number, so any row read back can be checked without keeping a copy.
 *
 *   col  name   type      NULL when
 *   0    id     int8      never (NOT NULL)
 *   1    qty    int4      id % 5 == 0
 *   2    price  numeric   id % 7 == 0      value id*3 at scale id % 4
 *   3    name   text      id % 11 == 0     "name-<id % 100>"
 *   4    day    date      never (NOT NULL) id % 1000
 */
#ifndef BK_TESTS_UNIT_STORAGE_TABLE_FIXTURE_H
#define BK_TESTS_UNIT_STORAGE_TABLE_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "bk_test.h"
#include "storage/storage.h"

#define FX_COLS 5

static inline void fx_columns(bk_column_def cols[FX_COLS])
{
    cols[0] = (bk_column_def){"id", bk_type_of(BK_TYPE_INT8), true, NULL};
    cols[1] = (bk_column_def){"qty", bk_type_of(BK_TYPE_INT4), false, NULL};
    cols[2] = (bk_column_def){"price", bk_type_of(BK_TYPE_NUMERIC), false, NULL};
    cols[3] = (bk_column_def){"name", bk_type_of(BK_TYPE_TEXT), false, NULL};
    cols[4] = (bk_column_def){"day", bk_type_of(BK_TYPE_DATE), true, NULL};
}

static inline bool fx_is_null(uint32_t col, uint64_t id)
{
    switch (col) {
    case 1:
        return id % 5 == 0;
    case 2:
        return id % 7 == 0;
    case 3:
        return id % 11 == 0;
    default:
        return false;
    }
}

static inline bk_table *fx_create(bk_db *db, const char *name)
{
    bk_column_def cols[FX_COLS];
    fx_columns(cols);
    bk_error err;
    bk_error_clear(&err);
    bk_table *t = bk_db_create_table(db, name, cols, FX_COLS, &err);
    if (t == NULL) {
        fail_msg("create table %s: %s", name, err.message);
    }
    return t;
}

/* A batch of rows first_id .. first_id + n - 1, allocated in `a`. */
static inline bk_batch *fx_batch(bk_arena *a, uint64_t first_id, uint32_t n)
{
    bk_column_def cols[FX_COLS];
    fx_columns(cols);
    bk_batch *b = bk_batch_alloc(FX_COLS, a);
    assert_non_null(b);
    b->n_rows = n;
    for (uint32_t c = 0; c < FX_COLS; c++) {
        assert_int_equal(bk_vec_alloc(&b->cols[c], cols[c].type, n, !cols[c].not_null, a), BK_OK);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t id = first_id + i;
        ((int64_t *)b->cols[0].data)[i] = (int64_t)id;
        ((int32_t *)b->cols[1].data)[i] = (int32_t)(id * 7);
        ((bk_i128 *)b->cols[2].data)[i] = (bk_i128)id * 3;
        b->cols[2].scale[i] = (uint8_t)(id % 4);
        char *s = bk_arena_sprintf(a, "name-%u", (unsigned)(id % 100));
        assert_non_null(s);
        ((bk_str *)b->cols[3].data)[i] = bk_str_from_cstr(s);
        ((int32_t *)b->cols[4].data)[i] = (int32_t)(id % 1000);
        for (uint32_t c = 1; c <= 3; c++) {
            bk_validity_set(b->cols[c].validity, i, !fx_is_null(c, id));
        }
    }
    return b;
}

/* Appends rows [first_id, first_id + n) in randomly sized batches (1..2048) and commits. */
static inline void fx_append(bk_table *t, uint64_t first_id, uint64_t n, bk_test_rng *rng)
{
    bk_arena *a = bk_arena_create(NULL, "fixture", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    uint64_t done = 0;
    while (done < n) {
        uint64_t want = 1 + bk_test_rng_below(rng, BK_BATCH_ROWS); /* BK_MIN evaluates twice */
        uint32_t k = (uint32_t)BK_MIN(n - done, want);
        bk_batch *b = fx_batch(a, first_id + done, k);
        if (bk_appender_append(ap, b, &err) != BK_OK) {
            fail_msg("append: %s", err.message);
        }
        done += k;
        bk_arena_reset(a);
    }
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    bk_arena_destroy(a);
}

/* Checks row i of batch b (columns `cols` of the fixture table) against row `id`. */
static inline void fx_check_row(const bk_batch *b, const uint32_t *cols, uint32_t i, uint64_t id)
{
    for (uint32_t k = 0; k < b->n_cols; k++) {
        const bk_vec *v = &b->cols[k];
        uint32_t c = cols[k];
        bool is_null = bk_vec_is_null(v, i);
        if (is_null != fx_is_null(c, id)) {
            fail_msg("row %llu column %u: NULL is %d, expected %d", (unsigned long long)id, c,
                     is_null, fx_is_null(c, id));
        }
        if (is_null) {
            continue;
        }
        switch (c) {
        case 0:
            assert_int_equal(((const int64_t *)v->data)[i], id);
            break;
        case 1:
            assert_int_equal(((const int32_t *)v->data)[i], (int32_t)(id * 7));
            break;
        case 2:
            assert_true(((const bk_i128 *)v->data)[i] == (bk_i128)id * 3);
            assert_int_equal(v->scale[i], id % 4);
            break;
        case 3: {
            char want[16];
            int n = snprintf(want, sizeof want, "name-%u", (unsigned)(id % 100));
            bk_str s = ((const bk_str *)v->data)[i];
            assert_int_equal(s.len, (size_t)n);
            assert_memory_equal(s.ptr, want, (size_t)n);
            break;
        }
        default:
            assert_int_equal(((const int32_t *)v->data)[i], id % 1000);
            break;
        }
    }
}

/*
 * Scans rows [begin, end) of `t` in `snap` with columns `cols`, checking every row and the
 * batch invariants (at most BK_BATCH_ROWS rows, never across a segment boundary). Returns
 * the number of rows seen.
 */
static inline uint64_t fx_scan_check(const bk_snap *snap,
                                     bk_table *t,
                                     const uint32_t *cols,
                                     uint32_t n_cols,
                                     uint64_t begin,
                                     uint64_t end)
{
    bk_error err;
    bk_error_clear(&err);
    bk_scan *sc = bk_scan_open(snap, t, cols, n_cols, begin, end, &err);
    assert_non_null(sc);
    uint64_t id = begin;
    for (;;) {
        bk_batch *b = NULL;
        assert_int_equal(bk_scan_next(sc, &b, &err), BK_OK);
        if (b == NULL) {
            break;
        }
        assert_true(b->n_rows > 0 && b->n_rows <= BK_BATCH_ROWS);
        assert_int_equal(b->n_cols, n_cols);
        /* A batch stays inside one 65536-row segment. */
        assert_int_equal(id / 65536, (id + b->n_rows - 1) / 65536);
        for (uint32_t i = 0; i < b->n_rows; i++) {
            fx_check_row(b, cols, i, id + i);
        }
        id += b->n_rows;
    }
    bk_scan_close(sc);
    return id - begin;
}

#endif /* BK_TESTS_UNIT_STORAGE_TABLE_FIXTURE_H */
