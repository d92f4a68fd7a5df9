/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/pred: predicates evaluated inside scans. Property test: a table with a column of
 * every supported type (NULLs included, values drawn from small domains so predicates hit),
 * spanning sealed segments and an open one; random predicates of every kind; the rows a
 * filtered scan returns must be exactly those a plain scan returns and a row-by-row
 * reference accepts -- with zone maps and without, at every SIMD level the CPU has.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "storage_int.h"

enum {
    C_BOOL,
    C_I2,
    C_I4,
    C_I8,
    C_DATE,
    C_F8,
    C_NUM,
    C_TEXT,
    N_COLS
};

static const bk_type_id col_types[N_COLS] = {BK_TYPE_BOOL,    BK_TYPE_INT2, BK_TYPE_INT4,
                                             BK_TYPE_INT8,    BK_TYPE_DATE, BK_TYPE_FLOAT8,
                                             BK_TYPE_NUMERIC, BK_TYPE_TEXT};
static const char *const words[] = {"", "a", "ab", "abc", "b", "ba", "France", "Fr", "zz"};

#define N_ROWS (2 * 65536 + 3000) /* two sealed segments and an open one */

static bk_table *make_table(bk_db *db, bk_test_rng *r)
{
    bk_column_def defs[N_COLS];
    char names[N_COLS][16];
    for (int c = 0; c < N_COLS; c++) {
        snprintf(names[c], sizeof names[c], "c%d", c);
        defs[c] = (bk_column_def){names[c], bk_type_of(col_types[c]), false, NULL};
    }
    bk_error err;
    bk_error_clear(&err);
    bk_table *t = bk_db_create_table(db, "t", defs, N_COLS, &err);
    assert_non_null(t);
    bk_arena *a = bk_arena_create(NULL, "rows", 0);
    assert_non_null(a);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    for (uint32_t done = 0; done < N_ROWS;) {
        uint32_t n = BK_MIN(1000u, N_ROWS - done);
        bk_batch *b = bk_batch_alloc(N_COLS, a);
        assert_non_null(b);
        b->n_rows = n;
        for (int c = 0; c < N_COLS; c++) {
            assert_int_equal(bk_vec_alloc(&b->cols[c], bk_type_of(col_types[c]), n, true, a),
                             BK_OK);
        }
        /* The first segment has no NULLs at all, so its chunks drop their bitmaps. */
        bool nulls = done >= 65536;
        for (uint32_t i = 0; i < n; i++) {
            for (int c = 0; c < N_COLS; c++) {
                bk_vec *v = &b->cols[c];
                if (nulls && bk_test_rng_below(r, 10) == 0) {
                    bk_validity_set(v->validity, i, false);
                    continue;
                }
                int64_t x = bk_test_rng_range(r, -20, 20);
                switch (col_types[c]) {
                case BK_TYPE_BOOL:
                    ((uint8_t *)v->data)[i] = (uint8_t)(x & 1);
                    break;
                case BK_TYPE_INT2:
                    ((int16_t *)v->data)[i] = (int16_t)x;
                    break;
                case BK_TYPE_INT4:
                case BK_TYPE_DATE:
                    /* Later segments hold larger values, so zone maps can prune. */
                    ((int32_t *)v->data)[i] = (int32_t)(x + (done / 65536) * 100);
                    break;
                case BK_TYPE_INT8:
                    ((int64_t *)v->data)[i] = x * 1000000007LL;
                    break;
                case BK_TYPE_FLOAT8:
                    ((double *)v->data)[i] = x == 20 ? NAN : x == -20 ? -0.0 : (double)x / 2;
                    break;
                case BK_TYPE_NUMERIC:
                    /* Mixed display scales: 1.5, 2.25, 3: the chunk stores them scaled. */
                    ((bk_i128 *)v->data)[i] = x * (x & 1 ? 10 : 1);
                    v->scale[i] = (uint8_t)(x & 1 ? 2 : 0);
                    break;
                default:
                    ((bk_str *)v->data)[i] =
                        bk_str_from_cstr(words[bk_test_rng_below(r, BK_ARRAY_LEN(words))]);
                    break;
                }
            }
        }
        assert_int_equal(bk_appender_append(ap, b, &err), BK_OK);
        bk_arena_reset(a);
        done += n;
        /* Commit in pieces so that sealed and open segments both exist. */
        if (done % 7000 == 0 || done == N_ROWS) {
            assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
            if (done < N_ROWS) {
                ap = bk_appender_begin(t, &err);
                assert_non_null(ap);
            }
        }
    }
    bk_arena_destroy(a);
    return t;
}

/* Row-by-row reference for one predicate on one vector value. */
static int cmp_vals(bk_type_id id, const bk_vec *v, uint32_t i, const bk_value *x)
{
    switch (id) {
    case BK_TYPE_BOOL:
        return ((const uint8_t *)v->data)[i] < x->u.b ? -1 : ((const uint8_t *)v->data)[i] > x->u.b;
    case BK_TYPE_INT2: {
        int64_t a = ((const int16_t *)v->data)[i];
        return a < x->u.i ? -1 : a > x->u.i;
    }
    case BK_TYPE_INT4:
    case BK_TYPE_DATE: {
        int64_t a = ((const int32_t *)v->data)[i];
        return a < x->u.i ? -1 : a > x->u.i;
    }
    case BK_TYPE_INT8: {
        int64_t a = ((const int64_t *)v->data)[i];
        return a < x->u.i ? -1 : a > x->u.i;
    }
    case BK_TYPE_FLOAT8: {
        double a = ((const double *)v->data)[i], b = x->u.d;
        if (isnan(a) || isnan(b)) {
            return isnan(a) && isnan(b) ? 0 : isnan(a) ? 1 : -1;
        }
        return a < b ? -1 : a > b;
    }
    case BK_TYPE_NUMERIC:
        return bk_numeric_cmp(((const bk_i128 *)v->data)[i], v->scale[i], x->u.n.v, x->u.n.scale);
    default: {
        bk_str a = ((const bk_str *)v->data)[i], b = x->u.s;
        size_t n = BK_MIN(a.len, b.len);
        int c = n == 0 ? 0 : memcmp(a.ptr, b.ptr, n);
        return c != 0 ? (c < 0 ? -1 : 1) : (a.len < b.len ? -1 : a.len > b.len);
    }
    }
}

static bool ref_matches(const bk_pred *p, bk_type_id id, const bk_vec *v, uint32_t i)
{
    bool null = bk_vec_is_null(v, i);
    if (p->op == BK_PRED_IS_NULL) {
        return null;
    }
    if (p->op == BK_PRED_NOT_NULL) {
        return !null;
    }
    if (null) {
        return false;
    }
    bool m;
    if (p->op == BK_PRED_IN) {
        m = false;
        for (uint32_t k = 0; k < p->n_list && !m; k++) {
            m = cmp_vals(id, v, i, &p->list[k]) == 0;
        }
    } else if (p->op == BK_PRED_PREFIX) {
        bk_str a = ((const bk_str *)v->data)[i];
        m = a.len >= p->lo.u.s.len && memcmp(a.ptr, p->lo.u.s.ptr, p->lo.u.s.len) == 0;
    } else {
        m = true;
        if (p->has_lo) {
            int c = cmp_vals(id, v, i, &p->lo);
            m = m && (c > 0 || (c == 0 && p->lo_incl));
        }
        if (p->has_hi) {
            int c = cmp_vals(id, v, i, &p->hi);
            m = m && (c < 0 || (c == 0 && p->hi_incl));
        }
    }
    return p->negate ? !m : m;
}

static bk_value random_value(bk_test_rng *r, bk_type_id id)
{
    bk_value v;
    memset(&v, 0, sizeof v);
    int64_t x = bk_test_rng_range(r, -22, 22);
    switch (id) {
    case BK_TYPE_BOOL:
        v.u.b = (uint8_t)(x & 1);
        break;
    case BK_TYPE_FLOAT8:
        v.u.d = x == 21 ? NAN : x == -21 ? 0.0 : (double)x / 2;
        break;
    case BK_TYPE_NUMERIC:
        /* Bounds at scales below, equal to and above the chunk's. */
        v.u.n.scale = (uint8_t)bk_test_rng_below(r, 4);
        v.u.n.v = x * (bk_i128)bk_pow10_i128(v.u.n.scale) / (x & 2 ? 1 : 2);
        break;
    case BK_TYPE_TEXT:
        v.u.s = bk_str_from_cstr(words[bk_test_rng_below(r, BK_ARRAY_LEN(words))]);
        break;
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        v.u.i = x + (int64_t)bk_test_rng_below(r, 3) * 100;
        break;
    case BK_TYPE_INT8:
        v.u.i = bk_test_rng_below(r, 4) == 0 ? x : x * 1000000007LL;
        break;
    default:
        v.u.i = x;
        break;
    }
    return v;
}

static bk_pred random_pred(bk_test_rng *r, bk_value *list)
{
    bk_pred p;
    memset(&p, 0, sizeof p);
    p.col = (uint32_t)bk_test_rng_below(r, N_COLS);
    bk_type_id id = col_types[p.col];
    uint64_t kind = bk_test_rng_below(r, 10);
    p.negate = bk_test_rng_below(r, 4) == 0;
    if (kind == 0) {
        p.op = BK_PRED_IS_NULL;
        p.negate = false;
    } else if (kind == 1) {
        p.op = BK_PRED_NOT_NULL;
        p.negate = false;
    } else if (kind <= 3) {
        p.op = BK_PRED_IN;
        p.n_list = (uint32_t)bk_test_rng_below(r, 12) + 1;
        for (uint32_t i = 0; i < p.n_list; i++) {
            list[i] = random_value(r, id);
        }
        p.list = list;
    } else if (kind == 4 && id == BK_TYPE_TEXT) {
        p.op = BK_PRED_PREFIX;
        p.lo = random_value(r, id);
    } else {
        p.op = BK_PRED_RANGE;
        p.has_lo = bk_test_rng_bool(r);
        p.has_hi = !p.has_lo || bk_test_rng_bool(r);
        p.lo_incl = bk_test_rng_bool(r);
        p.hi_incl = bk_test_rng_bool(r);
        p.lo = random_value(r, id);
        p.hi = bk_test_rng_below(r, 3) == 0 ? p.lo : random_value(r, id);
    }
    return p;
}

/* Number of rows a filtered scan returns, checking each against the reference. */
static uint64_t
check_pred(const bk_snap *s, bk_table *t, const bk_pred *preds, uint32_t n_preds, bool zone_maps)
{
    uint32_t cols[N_COLS];
    for (uint32_t c = 0; c < N_COLS; c++) {
        cols[c] = c;
    }
    bk_error err;
    bk_error_clear(&err);
    /* Reference: the plain scan, filtered row by row. */
    bk_scan *plain = bk_scan_open(s, t, cols, N_COLS, 0, UINT64_MAX, &err);
    bk_scan_opts opts = {.preds = preds, .n_preds = n_preds, .no_zone_maps = !zone_maps};
    bk_scan *filt = bk_scan_open_ex(s, t, cols, N_COLS, 0, UINT64_MAX, &opts, &err);
    assert_non_null(plain);
    assert_non_null(filt);
    uint64_t want = 0, got = 0;
    /* Compare the integer column c2 (+ row position via c3 and c7) row by row in order. */
    bk_batch *fb = NULL;
    uint32_t fi = 0;
    for (;;) {
        bk_batch *pb;
        assert_int_equal(bk_scan_next(plain, &pb, &err), BK_OK);
        if (pb == NULL) {
            break;
        }
        for (uint32_t i = 0; i < pb->n_rows; i++) {
            bool m = true;
            for (uint32_t k = 0; k < n_preds && m; k++) {
                m = ref_matches(&preds[k], col_types[preds[k].col], &pb->cols[preds[k].col], i);
            }
            if (!m) {
                continue;
            }
            want++;
            if (fb == NULL || fi == fb->n_rows) {
                assert_int_equal(bk_scan_next(filt, &fb, &err), BK_OK);
                assert_non_null(fb);
                assert_true(fb->n_rows > 0);
                fi = 0;
            }
            for (uint32_t c = 0; c < N_COLS; c++) {
                bool pn = bk_vec_is_null(&pb->cols[c], i), fn = bk_vec_is_null(&fb->cols[c], fi);
                assert_int_equal(pn, fn);
                if (!pn) {
                    bk_value x;
                    memset(&x, 0, sizeof x);
                    /* Equality through the same comparison the reference uses. */
                    const bk_vec *fv = &fb->cols[c];
                    switch (col_types[c]) {
                    case BK_TYPE_BOOL:
                        x.u.b = ((const uint8_t *)fv->data)[fi];
                        break;
                    case BK_TYPE_INT2:
                        x.u.i = ((const int16_t *)fv->data)[fi];
                        break;
                    case BK_TYPE_INT4:
                    case BK_TYPE_DATE:
                        x.u.i = ((const int32_t *)fv->data)[fi];
                        break;
                    case BK_TYPE_INT8:
                        x.u.i = ((const int64_t *)fv->data)[fi];
                        break;
                    case BK_TYPE_FLOAT8:
                        x.u.d = ((const double *)fv->data)[fi];
                        break;
                    case BK_TYPE_NUMERIC:
                        x.u.n.v = ((const bk_i128 *)fv->data)[fi];
                        x.u.n.scale = fv->scale[fi];
                        assert_int_equal(fv->scale[fi], pb->cols[c].scale[i]);
                        break;
                    default:
                        x.u.s = ((const bk_str *)fv->data)[fi];
                        break;
                    }
                    assert_int_equal(cmp_vals(col_types[c], &pb->cols[c], i, &x), 0);
                }
            }
            fi++;
            got++;
        }
    }
    if (fb == NULL || fi == fb->n_rows) {
        assert_int_equal(bk_scan_next(filt, &fb, &err), BK_OK);
        assert_null(fb);
    } else {
        fail_msg("filtered scan returned extra rows");
    }
    assert_int_equal(got, want);
    bk_scan_close(plain);
    bk_scan_close(filt);
    return got;
}

static void test_pred_random_predicates_match_reference(void **state)
{
    (void)state;
    bk_test_rng r;
    bk_test_rng_init(&r, 401);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = make_table(db, &r);
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    assert_int_equal(bk_snap_rows(s, t), N_ROWS);
    uint64_t total = 0;
    for (int round = 0; round < 120; round++) {
        bk_value lists[3][16];
        bk_pred preds[3];
        uint32_t n = (uint32_t)bk_test_rng_below(&r, 3) + 1;
        for (uint32_t k = 0; k < n; k++) {
            preds[k] = random_pred(&r, lists[k]);
        }
        uint64_t a = check_pred(s, t, preds, n, true);
        uint64_t b = check_pred(s, t, preds, n, false);
        assert_int_equal(a, b);
        total += a;
    }
    assert_true(total > 0);
    bk_snap_release(s);
    bk_db_destroy(db);
}

static void test_pred_zone_maps_skip_segments(void **state)
{
    (void)state;
    bk_test_rng r;
    bk_test_rng_init(&r, 402);
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = make_table(db, &r);
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(db, &err);
    assert_non_null(s);
    /* c2 lies in [-20, 20], [80, 120] and [180, 220] in the three segments: ask for [150, 160],
     * which the sealed segments' zone maps rule out; the open one has no zone map. */
    bk_pred p = {.col = C_I4,
                 .op = BK_PRED_RANGE,
                 .has_lo = true,
                 .lo_incl = true,
                 .has_hi = true,
                 .hi_incl = true};
    p.lo.u.i = 150;
    p.hi.u.i = 160;
    uint32_t col = C_I4;
    bk_scan_opts opts = {.preds = &p, .n_preds = 1};
    bk_scan *sc = bk_scan_open_ex(s, t, &col, 1, 0, UINT64_MAX, &opts, &err);
    assert_non_null(sc);
    bk_batch *b;
    uint64_t rows = 0;
    do {
        assert_int_equal(bk_scan_next(sc, &b, &err), BK_OK);
        rows += b != NULL ? b->n_rows : 0;
    } while (b != NULL);
    assert_int_equal(rows, 0);
    assert_int_equal(bk_scan_segments_skipped(sc), 2); /* both sealed ones; the open one read */
    bk_scan_close(sc);
    bk_snap_release(s);
    bk_db_destroy(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pred_random_predicates_match_reference),
        cmocka_unit_test(test_pred_zone_maps_skip_segments),
    };
    return bk_run_group_tests("storage/pred", tests, NULL, NULL);
}
