/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query/func math.c and bigdec.c: numeric functions keep PostgreSQL's result scales (round and
 * trunc to the requested scale, ceil/floor/sign/div to 0, sqrt/ln/log/exp/power by numeric.c's
 * estimates) and digits; float8 functions round half to even and raise PostgreSQL's 22003 and
 * 2201E/2201F errors; strict functions return NULL for NULL input. *
 * The fixture is a five-row table with NULLs and edge values:
 *
 *    k | x           | s             | ts
 *   ---+-------------+---------------+-----------------------------
 *    1 | 2.5         | 'héllo wörld' | 2011-03-04 15:06:07.123456
 *    2 | NULL        | NULL          | NULL
 *    3 | -0.001      | ''            | 2000-02-29 00:00:00
 *    4 | 10000000000 | 'a,b,,c'      | 1999-12-31 23:59:59.999999
 *    5 | 0           | '  padded  '  | 0044-03-15 12:00:00 BC
 *
 * Results are compared as "v|v" lines (NULL for SQL NULL), errors as "<sqlstate>: <message>".
 * Every expected result of a query was produced by PostgreSQL 15 on the same rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "func/func_int.h"
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
            case BK_TYPE_TIMESTAMP:
                assert_int_equal(bk_parse_timestamp(s, (int64_t *)v->data + r, &err), BK_OK);
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
    /* Designated initializers: columns may grow fields this fixture does not care about. */
    static const bk_column_def cols[] = {
        { .name = "k",           .type = {BK_TYPE_INT4, BK_OID_INT4, -1}},
        { .name = "x",     .type = {BK_TYPE_NUMERIC, BK_OID_NUMERIC, -1}},
        { .name = "s",           .type = {BK_TYPE_TEXT, BK_OID_TEXT, -1}},
        {.name = "ts", .type = {BK_TYPE_TIMESTAMP, BK_OID_TIMESTAMP, -1}},
    };
    bk_table *t = bk_db_create_table(g_db, "t", cols, 4, &err);
    assert_non_null(t);
    static const char *const rows[] = {
        "1",
        "2.5",
        "héllo wörld",
        "2011-03-04 15:06:07.123456",
        "2",
        NULL,
        NULL,
        NULL,
        "3",
        "-0.001",
        "",
        "2000-02-29 00:00:00",
        "4",
        "10000000000",
        "a,b,,c",
        "1999-12-31 23:59:59.999999",
        "5",
        "0",
        "  padded  ",
        "0044-03-15 12:00:00 BC",
    };
    load_table(t, rows, 5);
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
    bk_arena_destroy(g_arena);
    return 0;
}

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

/* Scales per row: round(x, n) has scale max(n, 0), padding with zeros. */
static void test_func_round_and_trunc_keep_postgres_scales(void **state)
{
    (void)state;
    expect("select k, round(x, 1), trunc(x), abs(x), sign(x), ceil(x), floor(x), mod(x, 2) from t "
           "order by k",
           "1|2.5|2|2.5|1|3|2|0.5\n"
           "2|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "3|0.0|0|0.001|-1|0|-1|-0.001\n"
           "4|10000000000.0|10000000000|10000000000|1|10000000000|10000000000|0\n"
           "5|0.0|0|0|0|0|0|0\n"
           "-- SELECT 5\n");
    expect("select k, round(x, k - 3), trunc(x, k - 3), div(x, 0.3) from t order by k",
           "1|0|0|8\n"
           "2|NULL|NULL|NULL\n"
           "3|0|0|0\n"
           "4|10000000000.0|10000000000.0|33333333333\n"
           "5|0.00|0.00|0\n"
           "-- SELECT 5\n");
    expect("select round(1234.5678, -2), round(-2.5), round(2.5::float8), round(-0.5::float8), "
           "trunc(-7.89, 1), round(0.5, 3)",
           "1200|-3|2|-0|-7.8|0.500\n"
           "-- SELECT 1\n");
    expect("select round(99.995, 2), round(-0.0001, 3), round(5, -1), trunc(-15, -1), round(1e-30, "
           "30)",
           "100.00|0.000|10|-10|0.000000000000000000000000000001\n"
           "-- SELECT 1\n");
}

static void test_func_numeric_transcendentals_match_postgres_digits(void **state)
{
    (void)state;
    expect("select k, sqrt(abs(x)), exp(x / 10000000000), power(x, 2) from t order by k",
           "1|1.581138830084190|1.0000000002500000000312500000|6.2500000000000000\n"
           "2|NULL|NULL|NULL\n"
           "3|0.03162277660168379|0.99999999999990000000000000500000|0.0000010000000000\n"
           "4|100000.00000000000|2.71828182845904523536|100000000000000000000.0000000000000000\n"
           "5|0.000000000000000|1.0000000000000000000000000000|0.0000000000000000\n"
           "-- SELECT 5\n");
    expect("select k, ln(x), log(x), log10(x), log(2, x + 1) from t where x > 0 order by k",
           "1|0.9162907318741551|0.3979400086720376|0.3979400086720376|1.8073549220576041\n"
           "4|23.025850929940457|10.000000000000000|10.000000000000000|33.219280949017893\n"
           "-- SELECT 2\n");
    expect("select sqrt(2::numeric), ln(2::numeric), exp(1::numeric), power(2::numeric, 0.5), "
           "log(2, 1024)",
           "1.414213562373095|0.6931471805599453|2.7182818284590452|1.4142135623730950|10."
           "0000000000000000\n"
           "-- SELECT 1\n");
    expect("select power(1.0001, 10000), power(0.5::numeric, 20), power(-2::numeric, -3), "
           "exp(-20::numeric), power(100::numeric, 0.5)",
           "2.7181459268252249|0.0000009536743164|-0.1250000000000000|0.000000002061153622438558|"
           "10.000000000000000\n"
           "-- SELECT 1\n");
    expect("select sqrt(0::numeric), sqrt(1e-10), ln(1.0000001), exp(0.000001), power(0::numeric, "
           "0), power(0::numeric, 2.5)",
           "0.000000000000000|0.000010000000000000000|0.00000009999999500000033|1.0000010000005000|"
           "1.0000000000000000|0.0000000000000000\n"
           "-- SELECT 1\n");
}

static void test_func_float8_functions(void **state)
{
    (void)state;
    expect("select k, round(x::float8), sqrt(abs(x::float8)), cbrt(x::float8), sign(x::float8), "
           "trunc(x::float8 * 1.5) from t order by k",
           "1|2|1.5811388300841898|1.3572088082974532|1|3\n"
           "2|NULL|NULL|NULL|NULL|NULL\n"
           "3|-0|0.03162277660168379|-0.1|-1|-0\n"
           "4|10000000000|100000|2154.4346900318837|1|15000000000\n"
           "5|0|0|0|0|0\n"
           "-- SELECT 5\n");
    expect("select power(2::float8, 0.5), degrees(pi()), radians(180), exp(1::float8), "
           "ln(10::float8), log(1000::float8), power(-2::float8, 3)",
           "1.4142135623730951|180|3.141592653589793|2.718281828459045|2.302585092994046|3|-8\n"
           "-- SELECT 1\n");
    expect("select round(1), sqrt(4), abs(-1::int2), mod(-7, 3::int8), power(2, 3), "
           "ceil(-0.5::float8), floor(2)",
           "1|2|1|-1|8|-0|2\n"
           "-- SELECT 1\n");
}

static void test_func_math_errors_are_postgres_sqlstates(void **state)
{
    (void)state;
    expect("select sqrt(x) from t", "2201F: cannot take square root of a negative number");
    expect("select ln(x) from t", "2201E: cannot take logarithm of a negative number");
    expect("select log(x) from t where k = 3", "2201E: cannot take logarithm of a negative number");
    expect("select log(1, x) from t where k = 1", "22012: division by zero");
    expect("select power(x, -1) from t", "2201F: zero raised to a negative power is undefined");
    expect("select power(x, 0.5) from t",
           "2201F: a negative number raised to a non-integer power yields a complex result");
    expect("select mod(k, k - k) from t", "22012: division by zero");
    expect("select div(x, 0) from t", "22012: division by zero");
    expect("select abs((-2147483647 - 1) + 0 * k) from t", "22003: integer out of range");
    expect("select exp(x::float8) from t where k = 4", "22003: value out of range: overflow");
    expect("select power(-8::float8, x::float8) from t where k = 1",
           "2201F: a negative number raised to a non-integer power yields a complex result");
    expect("select ln(0::float8)", "2201E: cannot take logarithm of zero");
    expect("select power(0::float8, -2)", "2201F: zero raised to a negative power is undefined");
}

/* NULL in, NULL out; the row with x NULL (k = 2) stays NULL everywhere. */
static void test_func_math_is_strict(void **state)
{
    (void)state;
    expect("select abs(null::int), round(null::numeric, 2), power(2, null), mod(null, 2), "
           "sqrt(null::float8)",
           "NULL|NULL|NULL|NULL|NULL\n"
           "-- SELECT 1\n");
    expect("select k, round(x, null), power(x, null), log(null, x) from t order by k",
           "1|NULL|NULL|NULL\n"
           "2|NULL|NULL|NULL\n"
           "3|NULL|NULL|NULL\n"
           "4|NULL|NULL|NULL\n"
           "5|NULL|NULL|NULL\n"
           "-- SELECT 5\n");
}

/* The multiprecision functions called directly: scale, digits and errors. */
static void test_func_bigdec_direct(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    bk_i128 v;
    int s;
    assert_int_equal(bigdec_sqrt(2, 0, &v, &s, &err), BK_OK);
    assert_int_equal(s, 15);
    assert_true(v == (bk_i128)INT64_C(1414213562373095));
    assert_int_equal(bigdec_ln(10, 0, &v, &s, &err), BK_OK);
    assert_int_equal(s, 16);
    assert_true(v == (bk_i128)INT64_C(23025850929940457));
    assert_int_equal(bigdec_exp(1, 0, &v, &s, &err), BK_OK);
    assert_int_equal(s, 16);
    assert_true(v == (bk_i128)INT64_C(27182818284590452));
    assert_int_equal(bigdec_power(2, 0, 10, 0, &v, &s, &err), BK_OK);
    assert_int_equal(s, 16);
    assert_true(v == (bk_i128)INT64_C(1024) * (bk_i128)INT64_C(10000000000000000));
    assert_int_equal(bigdec_log(2, 0, 1024, 0, &v, &s, &err), BK_OK);
    assert_int_equal(s, 16);
    assert_true(v == (bk_i128)INT64_C(100000000000000000));
    /* exp(100) has 44 integer digits: beyond Basket's 38. */
    assert_int_equal(bigdec_exp(100, 0, &v, &s, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    bk_error_clear(&err);
    assert_int_equal(bigdec_power(0, 0, -1, 0, &v, &s, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "2201F");
    bk_error_clear(&err);
    assert_int_equal(bigdec_log(1, 0, 5, 0, &v, &s, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22012");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_func_round_and_trunc_keep_postgres_scales, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_func_numeric_transcendentals_match_postgres_digits,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_float8_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_math_errors_are_postgres_sqlstates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_func_math_is_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_bigdec_direct, setup, teardown),
    };
    return cmocka_run_group_tests_name("query/func_math", tests, group_setup, group_teardown);
}
