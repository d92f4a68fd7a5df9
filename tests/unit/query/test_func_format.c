/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query/func formatting.c and formatting_num.c: to_char for timestamps, intervals and numbers
 * with PostgreSQL 15's pictures (FM/TH/TM modifiers, quoted literals, sign, grouping, EEEE,
 * roman numerals, overflow '#'s), to_date and to_timestamp with their separator rules, field
 * conflicts and errors. *
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

static void test_func_to_char_timestamps(void **state)
{
    (void)state;
    expect("select k, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(ts, 'FMDay, DDth FMMonth "
           "YYYY BC'), to_char(ts, 'IYYY-IW-ID Q WW J') from t order by k",
           "1|2011-03-04 15:06:07.123456|Friday, 04th March 2011 AD|2011-09-5 1 09 2455625\n"
           "2|NULL|NULL|NULL\n"
           "3|2000-02-29 00:00:00.000000|Tuesday, 29th February 2000 AD|2000-09-2 1 09 2451604\n"
           "4|1999-12-31 23:59:59.999999|Friday, 31st December 1999 AD|1999-52-5 4 53 2451544\n"
           "5|0044-03-15 12:00:00.000000|Friday, 15th March 0044 BC|0044-11-5 1 11 1705428\n"
           "-- SELECT 5\n");
    expect("select k, to_char(ts, 'HH12:MI a.m. TZ OF SSSS'), to_char(ts::timestamptz, 'TZ OF'), "
           "to_char(ts - timestamp '2000-01-01', 'DD HH24:MI:SS') from t order by k",
           "1|03:06 p.m.  +00 54367|UTC +00|4080 15:06:07\n"
           "2|NULL|NULL|NULL\n"
           "3|12:00 a.m.  +00 0|UTC +00|59 00:00:00\n"
           "4|11:59 p.m.  +00 86399|UTC +00|00 00:00:00\n"
           "5|12:00 p.m.  +00 43200|UTC +00|-746116 -12:00:00\n"
           "-- SELECT 5\n");
    expect("select to_char(timestamp '2011-03-04 15:06:07', "
           "'Day|Dy|MONTH|Mon|mon|RM|rm|FMRM|CC|Y,YYY|\"YYYY\"|\\\\\"Q'), to_char(timestamp "
           "'2011-03-04', '') is null",
           "Friday   |Fri|MARCH    |Mar|mar|III |iii |III|21|2,011|YYYY|\\\"1|t\n"
           "-- SELECT 1\n");
}

static void test_func_to_char_numbers(void **state)
{
    (void)state;
    expect("select k, to_char(x, 'FM999,999,999,990.000'), to_char(x, 'S9.99EEEE'), to_char(k, "
           "'RN'), to_char(x, '99.9') from t order by k",
           "42601: \"EEEE\" is incompatible with other formats");
    expect("select k, to_char(x::float8, '999999999990.99PR'), to_char(k::int8 * -123, "
           "'FM9990th'), to_char(k, '0009V99'), to_char(k * 11, 'FM99th') from t order by k",
           "1|            2.50 |-123| 000100|11th\n"
           "2|NULL|-246| 000200|22nd\n"
           "3|           <0.00>|-369| 000300|33rd\n"
           "4|  10000000000.00 |-492| 000400|44th\n"
           "5|            0.00 |-615| 000500|55th\n"
           "-- SELECT 5\n");
    expect("select to_char(-12, '9999PR'), to_char(12.3, 'SG999.99'), to_char(-12.3, '999.99MI'), "
           "to_char(0.5, '9.99'), to_char(0.5, 'FM9.99'), to_char(485, 'L999'), to_char(12, '')",
           "  <12>|+ 12.30| 12.30-|  .50|.5|  485|\n"
           "-- SELECT 1\n");
    expect("select to_char(9.999, '9.99EEEE'), to_char(1234567.891::float8, '9G999G999D999'), "
           "to_char(1.5::float4, '9.9'), to_char(4000, 'RN'), to_char(0, 'SGRN')",
           " 10.00e+00| 1,234,567.891| 1.5|###############|\n"
           "-- SELECT 1\n");
}

static void test_func_to_date_and_to_timestamp(void **state)
{
    (void)state;
    expect("select to_date('2011-03-04', 'YYYY-MM-DD'), to_timestamp('4 Mar 2011 3:05:06.5 PM', "
           "'DD Mon YYYY HH12:MI:SS.MS AM'), to_date('2011 063', 'YYYY DDD'), to_date('2009-53-7', "
           "'IYYY-IW-ID')",
           "2011-03-04|2011-03-04 15:05:06.5+00|2011-03-04|2010-01-03\n"
           "-- SELECT 1\n");
    expect("select k, to_timestamp(to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US'), 'YYYY-MM-DD "
           "HH24:MI:SS.US') from t where k <> 5 order by k",
           "1|2011-03-04 15:06:07.123456+00\n"
           "2|NULL\n"
           "3|2000-02-29 00:00:00+00\n"
           "4|1999-12-31 23:59:59.999999+00\n"
           "-- SELECT 4\n");
    expect("select to_date('  2011   03  04', 'YYYY MM DD'), to_date('2011mar04', 'YYYYmonDD'), "
           "to_date('20-11-03', 'CC-YY-MM'), to_timestamp('2011-03-04 -03', 'YYYY-MM-DD TZH'), "
           "to_date('12', 'MM')",
           "2011-03-04|2011-03-04|1911-03-01|2011-03-04 03:00:00+00|0001-12-01 BC\n"
           "-- SELECT 1\n");
}

static void test_func_formatting_errors(void **state)
{
    (void)state;
    expect("select to_char(k, '9.9.9') from t", "42601: multiple decimal points");
    expect("select to_char(k, 'S9MI') from t", "42601: cannot use \"S\" and \"MI\" together");
    expect("select to_char(k, 'FM9EEEE') from t",
           "42601: \"EEEE\" is incompatible with other formats");
    expect("select to_char(k, 'th') from t", "22P02: \".\" is not a number");
    expect("select to_char(k::int8 * 3000000000, 'RN') from t", "22003: integer out of range");
    expect("select to_char(ts - ts, 'Mon') from t",
           "22007: invalid format specification for an interval value");
    expect("select to_date('2011-13-01', 'YYYY-MM-DD')",
           "22008: date/time field value out of range: \"2011-13-01\"");
    expect("select to_date(s, 'YYYY') from t where k = 1",
           "22007: invalid value \"hél\" for \"YYYY\"");
    expect("select to_date('2011 2012', 'YYYY YYYY')",
           "22007: conflicting values for \"YYYY\" field in formatting string");
    expect("select to_date('2011-10', 'YYYY-IW')",
           "22007: invalid combination of date conventions");
    expect("select to_timestamp('13:00 PM', 'HH:MI AM')",
           "22007: hour \"13\" is invalid for the 12-hour clock");
    expect("select to_timestamp('2011 UTC', 'YYYY TZ')",
           "0A000: formatting field \"TZ\" is only supported in to_char");
    expect("select to_date('20113', 'YYYYMMDD')",
           "22007: source string too short for \"MM\" formatting field");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_func_to_char_timestamps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_to_char_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_to_date_and_to_timestamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_formatting_errors, setup, teardown),
    };
    return cmocka_run_group_tests_name("query/func_format", tests, group_setup, group_teardown);
}
