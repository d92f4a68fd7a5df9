/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query execution (engine.c, expr.c, exec/op_*.c) over a five-row table with NULLs:
 *
 *    k | x    | y    | z
 *   ---+------+------+------
 *    1 | 0    | a    | 1.5
 *    2 | NULL | b    | NULL
 *    3 | 2    | NULL | 2.25
 *    4 | 5    | a    | -1
 *    5 | NULL | NULL | 0.10
 *
 * plus an empty table `e` of the same shape. Results are converted with bk_value_to_text and
 * compared as "v|v" lines (NULL for SQL NULL); errors as "<sqlstate>: <message>". Every
 * expected result was produced by PostgreSQL 15 on the same data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "query/query.h"

static bk_db *g_db;
static bk_engine *g_engine;
static bk_arena *g_arena;  /* per test */
static bk_session *g_sess; /* per test */

/* ---- fixture -------------------------------------------------------------------------------- */

static void load_table(bk_table *t, const char *const *cells, uint32_t n_rows)
{
    uint32_t n_cols = bk_table_column_count(t);
    bk_arena *a = bk_arena_create(NULL, "test rows", 0);
    assert_non_null(a);
    bk_batch *batch = bk_batch_alloc(n_cols, a);
    assert_non_null(batch);
    bk_error err;
    bk_error_clear(&err);
    for (uint32_t c = 0; c < n_cols; c++) {
        bk_vec *v = &batch->cols[c];
        assert_int_equal(bk_vec_alloc(v, bk_table_column(t, c)->type, n_rows, true, a), BK_OK);
        for (uint32_t r = 0; r < n_rows; r++) {
            const char *cell = cells[(size_t)r * n_cols + c];
            if (cell == NULL) {
                bk_validity_set(v->validity, r, false);
                continue;
            }
            bk_str s = bk_str_from_cstr(cell);
            switch (v->type.id) {
            case BK_TYPE_INT4:
                assert_int_equal(bk_parse_int4(s, (int32_t *)v->data + r, &err), BK_OK);
                break;
            case BK_TYPE_NUMERIC:
                assert_int_equal(bk_parse_numeric(s, (bk_i128 *)v->data + r, &v->scale[r], &err),
                                 BK_OK);
                break;
            case BK_TYPE_TEXT:
                ((bk_str *)v->data)[r] = s;
                break;
            default:
                fail_msg("unsupported column type in load_table");
            }
        }
    }
    batch->n_rows = n_rows;
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_append(ap, batch, &err), BK_OK);
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    bk_arena_destroy(a);
}

static int group_setup(void **state)
{
    (void)state;
    g_db = bk_db_create();
    assert_non_null(g_db);
    bk_error err;
    bk_error_clear(&err);
    static const bk_column_def cols[] = {
        {"k",       {BK_TYPE_INT4, BK_OID_INT4, -1},  true, NULL},
        {"x",       {BK_TYPE_INT4, BK_OID_INT4, -1}, false, NULL},
        {"y",       {BK_TYPE_TEXT, BK_OID_TEXT, -1}, false, NULL},
        {"z", {BK_TYPE_NUMERIC, BK_OID_NUMERIC, -1}, false, NULL},
    };
    bk_table *t = bk_db_create_table(g_db, "t", cols, 4, &err);
    assert_non_null(t);
    static const char *const rows[] = {
        "1",  "0",    "a", "1.5", "2", NULL, "b", NULL, "3",  "2",
        NULL, "2.25", "4", "5",   "a", "-1", "5", NULL, NULL, "0.10",
    };
    load_table(t, rows, 5);
    assert_non_null(bk_db_create_table(g_db, "e", cols, 4, &err));
    g_engine = bk_engine_create(g_db, NULL, &err);
    assert_non_null(g_engine);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    bk_engine_destroy(g_engine);
    bk_db_destroy(g_db);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    g_arena = bk_arena_create(NULL, "test", 0);
    assert_non_null(g_arena);
    bk_error err;
    bk_error_clear(&err);
    g_sess = bk_session_create(g_engine, g_arena, "tester", "basket", &err);
    assert_non_null(g_sess);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bk_session_destroy(g_sess);
    bk_arena_destroy(g_arena); /* also frees what a failed test left in a child arena */
    return 0;
}

/* ---- running SQL ------------------------------------------------------------------------------
 */

/*
 * Runs every statement of `sql`; returns the rows as "v|v\n" lines, each statement followed
 * by "-- <command tag>\n", or ends at the first error with "<sqlstate>: <message>". Heap.
 */
static char *run(const char *sql)
{
    bk_arena *a = bk_arena_create(g_arena, "run", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_buf out = {0};
    bk_parsed *p = bk_query_parse(sql, a, &err);
    for (uint32_t i = 0; p != NULL && i < bk_parsed_count(p) && !err.is_set; i++) {
        bk_stmt *st = bk_stmt_prepare(g_sess, p, i, NULL, 0, a, &err);
        bk_exec *ex = st != NULL ? bk_exec_start(g_sess, st, NULL, a, &err) : NULL;
        if (ex == NULL) {
            break;
        }
        for (;;) {
            bk_batch *b;
            if (bk_exec_next(ex, &b, &err) != BK_OK || b == NULL) {
                break;
            }
            assert_int_equal(b->n_cols, bk_stmt_result(st)->n_cols);
            for (uint32_t r = 0; r < b->n_rows; r++) {
                for (uint32_t c = 0; c < b->n_cols; c++) {
                    if (c > 0) {
                        assert_int_equal(bk_buf_append_byte(&out, '|'), BK_OK);
                    }
                    if (bk_vec_is_null(&b->cols[c], r)) {
                        assert_int_equal(bk_buf_append(&out, "NULL", 4), BK_OK);
                    } else {
                        assert_int_equal(bk_value_to_text(g_sess, &b->cols[c], r, &out), BK_OK);
                    }
                }
                assert_int_equal(bk_buf_append_byte(&out, '\n'), BK_OK);
            }
        }
        if (!err.is_set) {
            assert_int_equal(bk_buf_printf(&out, "-- %s\n", bk_exec_command_tag(ex)), BK_OK);
        }
        bk_exec_close(ex);
    }
    if (err.is_set) {
        assert_int_equal(bk_buf_printf(&out, "%s: %s", bk_sqlstate_str(err.code), err.message),
                         BK_OK);
    }
    bk_arena_destroy(a);
    assert_int_equal(bk_buf_append_byte(&out, 0), BK_OK);
    char *s = strdup(out.ptr);
    assert_non_null(s);
    bk_buf_free(&out);
    return s;
}

static void expect(const char *sql, const char *want)
{
    char *got = run(sql);
    if (strcmp(got, want) != 0) {
        static char copy[8192];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("\"%s\" gives:\n%s\nexpected:\n%s", sql, copy, want);
    }
    free(got);
}

/* ---- tests ------------------------------------------------------------------------------------
 */

static void test_exec_select_without_from(void **state)
{
    (void)state;
    expect("select 1", "1\n-- SELECT 1\n");
    expect("select 1, 'a', null, true, 2.50, -7", "1|a|NULL|t|2.50|-7\n-- SELECT 1\n");
    expect("select 1 where false", "-- SELECT 0\n");
    expect("select 1 limit 1 offset 5", "-- SELECT 0\n");
}

static void test_exec_filters_use_three_valued_logic(void **state)
{
    (void)state;
    expect("select k from t where x > 1 order by k", "3\n4\n-- SELECT 2\n");
    /* NOT of unknown is unknown: rows with x NULL are not returned either way. */
    expect("select k from t where not (x > 1) order by k", "1\n-- SELECT 1\n");
    /* NULL OR true is true; NULL AND true is unknown. */
    expect("select k from t where x > 1 or y = 'a' order by k", "1\n3\n4\n-- SELECT 3\n");
    expect("select k from t where x > 1 and y = 'a' order by k", "4\n-- SELECT 1\n");
    expect("select k from t where x > 1 or y = 'b' order by k", "2\n3\n4\n-- SELECT 3\n");
    expect("select k from t where not (x > 1 and y = 'a') order by k", "1\n2\n-- SELECT 2\n");
    expect("select k from t where x is null order by k", "2\n5\n-- SELECT 2\n");
    expect("select k from t where x is not null and y is null order by k", "3\n-- SELECT 1\n");
    expect("select k from t where x <> 0 order by k", "3\n4\n-- SELECT 2\n");
    expect("select k from t where y in ('a', 'b') order by k", "1\n2\n4\n-- SELECT 3\n");
    expect("select k from t where null order by k", "-- SELECT 0\n");
    expect("select k, x = null, x is null from t order by k",
           "1|NULL|f\n2|NULL|t\n3|NULL|f\n4|NULL|f\n5|NULL|t\n-- SELECT 5\n");
    expect("select k, x > 1 or y = 'a', x > 1 and y = 'a' from t order by k",
           "1|t|f\n2|NULL|f\n3|t|NULL\n4|t|t\n5|NULL|NULL\n-- SELECT 5\n");
}

static void test_exec_case_is_lazy(void **state)
{
    (void)state;
    /* Row k = 1 has x = 0: the ELSE branch must not be evaluated there. */
    expect("select k, case when x = 0 then 0 else 10 / x end from t where x is not null order by k",
           "1|0\n3|5\n4|2\n-- SELECT 3\n");
    expect("select k, case when x is null then -1 when x = 0 then 0 else 10 / x end from t "
           "order by k",
           "1|0\n2|-1\n3|5\n4|2\n5|-1\n-- SELECT 5\n");
    expect("select case when x <> 0 then 10 / x end from t order by k",
           "NULL\nNULL\n5\n2\nNULL\n-- SELECT 5\n");
    /* Unguarded, the division fails. */
    expect("select 10 / x from t", "22012: division by zero");
    expect("select k from t where case when x = 0 then false else 10 / x > 2 end order by k",
           "3\n-- SELECT 1\n");
}

static void test_exec_coalesce(void **state)
{
    (void)state;
    expect("select k, coalesce(x, -1), coalesce(y, 'none') from t order by k",
           "1|0|a\n2|-1|b\n3|2|none\n4|5|a\n5|-1|none\n-- SELECT 5\n");
    expect("select coalesce(null, x, k) from t order by k", "0\n2\n2\n5\n5\n-- SELECT 5\n");
    /* Lazy too: the fallback is not evaluated where the first argument is not NULL. */
    expect("select coalesce(k, 1 / (x - x)) from t where x is not null order by k",
           "1\n3\n4\n-- SELECT 3\n");
}

static void test_exec_group_by_nulls_form_one_group(void **state)
{
    (void)state;
    expect("select x, count(*) from t group by x order by x",
           "0|1\n2|1\n5|1\nNULL|2\n-- SELECT 4\n");
    expect("select y, count(*), sum(k) from t group by y order by y",
           "a|2|5\nb|1|2\nNULL|2|8\n-- SELECT 3\n");
    expect("select x, y, count(*) from t group by x, y order by x, y",
           "0|a|1\n2|NULL|1\n5|a|1\nNULL|b|1\nNULL|NULL|1\n-- SELECT 5\n");
    expect("select k % 2 as m, sum(k) from t group by m order by m", "0|6\n1|9\n-- SELECT 2\n");
    expect("select k % 2, sum(k) from t group by 1 order by 1 desc", "1|9\n0|6\n-- SELECT 2\n");
    expect("select y, count(*) from t group by y having count(*) > 1 order by y",
           "a|2\nNULL|2\n-- SELECT 2\n");
    expect("select x + 1 from t group by x + 1 order by 1", "1\n3\n6\nNULL\n-- SELECT 4\n");
}

static void test_exec_aggregates(void **state)
{
    (void)state;
    expect("select count(*), count(x), count(y), sum(x), sum(z), min(y), max(z) from t",
           "5|3|3|7|2.85|a|2.25\n-- SELECT 1\n");
    expect("select avg(x), avg(z) from t",
           "2.3333333333333333|0.71250000000000000000\n-- SELECT 1\n");
    expect("select sum(k::int8), avg(k::int8), sum(x::int2) from t", "15|3.0000000000000000|7\n"
                                                                     "-- SELECT 1\n");
    expect("select x, avg(x), avg(z) from t group by x order by x",
           "0|0.00000000000000000000|1.50000000000000000000\n"
           "2|2.0000000000000000|2.2500000000000000\n"
           "5|5.0000000000000000|-1.00000000000000000000\n"
           "NULL|NULL|0.10000000000000000000\n"
           "-- SELECT 4\n");
    expect("select k, z * 2, z + x from t order by k",
           "1|3.0|1.5\n2|NULL|NULL\n3|4.50|4.25\n4|-2|4\n5|0.20|NULL\n-- SELECT 5\n");
}

static void test_exec_aggregates_over_empty_input(void **state)
{
    (void)state;
    /* Without GROUP BY, one row: count 0, the others NULL. */
    expect("select count(*), count(x), sum(x), avg(x), min(y), max(z) from t where false",
           "0|0|NULL|NULL|NULL|NULL\n-- SELECT 1\n");
    expect("select count(*), sum(z) from e", "0|NULL\n-- SELECT 1\n");
    expect("select sum(z) from t where k < 0", "NULL\n-- SELECT 1\n");
    /* With GROUP BY, no groups at all. */
    expect("select x, count(*) from t where false group by x", "-- SELECT 0\n");
    expect("select count(*) from e group by k", "-- SELECT 0\n");
    /* HAVING filters the single group away. */
    expect("select count(*) from t having count(*) > 100", "-- SELECT 0\n");
}

static void test_exec_order_by_nulls_and_direction(void **state)
{
    (void)state;
    expect("select x from t order by x", "0\n2\n5\nNULL\nNULL\n-- SELECT 5\n");
    expect("select x from t order by x desc", "NULL\nNULL\n5\n2\n0\n-- SELECT 5\n");
    expect("select x from t order by x desc nulls last", "5\n2\n0\nNULL\nNULL\n-- SELECT 5\n");
    expect("select x from t order by x asc nulls first", "NULL\nNULL\n0\n2\n5\n-- SELECT 5\n");
    expect("select x, count(*) from t group by x order by x nulls first",
           "NULL|2\n0|1\n2|1\n5|1\n-- SELECT 4\n");
    expect("select k from t order by y, k", "1\n4\n2\n3\n5\n-- SELECT 5\n");
    expect("select k from t order by y desc, k", "3\n5\n2\n1\n4\n-- SELECT 5\n");
    expect("select k from t order by z", "4\n5\n1\n3\n2\n-- SELECT 5\n");
    /* ORDER BY an expression that is not selected. */
    expect("select y from t order by k desc", "NULL\na\nNULL\nb\na\n-- SELECT 5\n");
    expect("select k as kk, count(*) from t group by kk order by kk desc limit 2",
           "5|1\n4|1\n-- SELECT 2\n");
}

static void test_exec_limit_and_offset(void **state)
{
    (void)state;
    expect("select k from t order by k limit 2 offset 1", "2\n3\n-- SELECT 2\n");
    expect("select k from t order by k limit null", "1\n2\n3\n4\n5\n-- SELECT 5\n");
    expect("select k from t order by k limit all offset 3", "4\n5\n-- SELECT 2\n");
    expect("select k from t order by k limit 0", "-- SELECT 0\n");
    expect("select k from t order by k offset 10", "-- SELECT 0\n");
    expect("select k from t order by k offset 4 limit 100", "5\n-- SELECT 1\n");
    expect("select k from t order by k fetch first 1 row only", "1\n-- SELECT 1\n");
}

static void test_exec_negative_limit_is_2201w(void **state)
{
    (void)state;
    expect("select k from t limit -1", "2201W: LIMIT must not be negative");
    expect("select k from t offset -1", "2201X: OFFSET must not be negative");
    expect("select 1 limit -5", "2201W: LIMIT must not be negative");
}

static void test_exec_runtime_errors(void **state)
{
    (void)state;
    expect("select 1 / 0", "22012: division by zero");
    expect("select 2147483647 + k from t", "22003: integer out of range");
    expect("select 'abc'::int4", "22P02: invalid input syntax for type integer: \"abc\"");
    /* The session keeps working after errors. */
    expect("select count(*) from t", "5\n-- SELECT 1\n");
}

static void test_exec_set_show_reset(void **state)
{
    (void)state;
    expect("show DateStyle", "ISO, MDY\n-- SHOW\n");
    expect("set DateStyle = 'ISO, DMY'; show DateStyle", "-- SET\nISO, DMY\n-- SHOW\n");
    expect("reset DateStyle; show DateStyle", "-- RESET\nISO, MDY\n-- SHOW\n");
    expect("set extra_float_digits = 0; show extra_float_digits; reset all",
           "-- SET\n0\n-- SHOW\n-- RESET\n");
    expect("show extra_float_digits", "1\n-- SHOW\n");
    expect("set no_such = 1", "42704: unrecognized configuration parameter \"no_such\"");
}

static void test_exec_close_is_idempotent_and_early(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(g_arena, "q", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_parsed *p = bk_query_parse("select k from t", a, &err);
    assert_non_null(p);
    bk_stmt *st = bk_stmt_prepare(g_sess, p, 0, NULL, 0, a, &err);
    assert_non_null(st);
    assert_true(bk_stmt_returns_rows(st));
    bk_exec *ex = bk_exec_start(g_sess, st, NULL, a, &err);
    assert_non_null(ex);
    /* Closing before the end, twice, then destroying the arena: no leak, no double free. */
    bk_exec_close(ex);
    bk_exec_close(ex);
    bk_exec_close(NULL);
    /* The statement can be executed again. */
    ex = bk_exec_start(g_sess, st, NULL, a, &err);
    assert_non_null(ex);
    bk_batch *b;
    assert_int_equal(bk_exec_next(ex, &b, &err), BK_OK);
    assert_non_null(b);
    assert_int_equal(b->n_rows, 5);
    assert_int_equal(bk_exec_next(ex, &b, &err), BK_OK);
    assert_null(b);
    assert_string_equal(bk_exec_command_tag(ex), "SELECT 5");
    /* After the end, next keeps returning the end. */
    assert_int_equal(bk_exec_next(ex, &b, &err), BK_OK);
    assert_null(b);
    bk_exec_close(ex);
    bk_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exec_select_without_from, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_filters_use_three_valued_logic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_case_is_lazy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_group_by_nulls_form_one_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_aggregates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_aggregates_over_empty_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_order_by_nulls_and_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_limit_and_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_negative_limit_is_2201w, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_runtime_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_set_show_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_close_is_idempotent_and_early, setup, teardown),
    };
    return bk_run_group_tests("query/exec", tests, group_setup, group_teardown);
}
