/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query/func datetime.c: date_trunc, date_part (float8) and EXTRACT (numeric with PostgreSQL
 * 14+'s scales), calendar arithmetic on dates, timestamps and intervals, age, justify_*,
 * make_date, to_timestamp(float8), the unit names and their two error kinds, and now() on a
 * fake clock. *
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

static void test_func_date_trunc_units(void **state)
{
    (void)state;
    expect("select k, date_trunc('month', ts), date_trunc('week', ts), date_trunc('century', ts), "
           "date_trunc('milliseconds', ts) from t order by k",
           "1|2011-03-01 00:00:00|2011-02-28 00:00:00|2001-01-01 00:00:00|2011-03-04 15:06:07.123\n"
           "2|NULL|NULL|NULL|NULL\n"
           "3|2000-02-01 00:00:00|2000-02-28 00:00:00|1901-01-01 00:00:00|2000-02-29 00:00:00\n"
           "4|1999-12-01 00:00:00|1999-12-27 00:00:00|1901-01-01 00:00:00|1999-12-31 23:59:59.999\n"
           "5|0044-03-01 00:00:00 BC|0044-03-11 00:00:00 BC|0100-01-01 00:00:00 BC|0044-03-15 "
           "12:00:00 BC\n"
           "-- SELECT 5\n");
    expect("select date_trunc('quarter', timestamp '2011-08-15'), date_trunc('decade', timestamp "
           "'2011-08-15'), date_trunc('millennium', timestamp '2000-12-31'), date_trunc('Hours', "
           "timestamp '2011-01-01 10:11:12')",
           "2011-07-01 00:00:00|2010-01-01 00:00:00|1001-01-01 00:00:00|2011-01-01 10:00:00\n"
           "-- SELECT 1\n");
    expect("select date_trunc('year', interval '13 months 5 days'), date_trunc('minute', interval "
           "'-1 day -03:04:05.5'), date_trunc('day', date '2011-03-15')",
           "1 year|-1 days -03:04:00|2011-03-15 00:00:00+00\n"
           "-- SELECT 1\n");
}

/* EXTRACT is numeric (scale 6 for epoch and second), date_part float8. */
static void test_func_extract_and_date_part(void **state)
{
    (void)state;
    expect("select k, extract(year from ts), extract(epoch from ts), extract(isoyear from ts), "
           "extract(julian from ts), extract(second from ts) from t order by k",
           "1|2011|1299251167.123456|2011|2455625.62924911407407407407|7.123456\n"
           "2|NULL|NULL|NULL|NULL|NULL\n"
           "3|2000|951782400.000000|2000|2451604.0000000000000000000000000000|0.000000\n"
           "4|1999|946684799.999999|1999|2451544.99999999998842592593|59.999999\n"
           "5|-44|-63517780800.000000|-44|1705428.50000000000000000000|0.000000\n"
           "-- SELECT 5\n");
    expect("select k, date_part('dow', ts), date_part('doy', ts), date_part('week', ts), "
           "date_part('decade', ts), date_part('millennium', ts), date_part('epoch', ts) from t "
           "order by k",
           "1|5|63|9|201|3|1299251167.123456\n"
           "2|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "3|2|60|9|200|2|951782400\n"
           "4|5|365|52|199|2|946684799.999999\n"
           "5|5|74|11|-5|-1|-63517780800\n"
           "-- SELECT 5\n");
    expect("select extract(epoch from interval '1 year 2 mons 3 days 04:05:06.5'), extract(quarter "
           "from interval '7 mons'), extract(day from date '2011-03-15'), date_part('hour', date "
           "'2011-01-01')",
           "37015506.500000|3|15|0\n"
           "-- SELECT 1\n");
    expect("select extract(milliseconds from timestamp '2011-01-01 10:11:12.123456'), "
           "extract(timezone from timestamptz '2011-01-01'), date_part('mm', timestamp '2011-03-04 "
           "05:06:07')",
           "12123.456|0|6\n"
           "-- SELECT 1\n");
}

static void test_func_date_and_timestamp_arithmetic(void **state)
{
    (void)state;
    expect(
        "select k, ts + interval '1 month 2 days 03:00', ts - interval '1 year', ts - timestamp "
        "'2000-01-01', ts::date + k, ts::date - date '2000-01-01' from t order by k",
        "1|2011-04-06 18:06:07.123456|2010-03-04 15:06:07.123456|4080 days "
        "15:06:07.123456|2011-03-05|4080\n"
        "2|NULL|NULL|NULL|NULL|NULL\n"
        "3|2000-03-31 03:00:00|1999-02-28 00:00:00|59 days|2000-03-03|59\n"
        "4|2000-02-03 02:59:59.999999|1998-12-31 23:59:59.999999|-00:00:00.000001|2000-01-04|-1\n"
        "5|0044-04-17 15:00:00 BC|0045-03-15 12:00:00 BC|-746116 days -12:00:00|0044-03-20 "
        "BC|-746117\n"
        "-- SELECT 5\n");
    expect("select date '2011-01-31' + interval '1 month', timestamp '2012-02-29' + interval '1 "
           "year', date '2011-03-01' - date '2011-01-01', 30 + date '2011-01-01'",
           "2011-02-28 00:00:00|2013-02-28 00:00:00|59|2011-01-31\n"
           "-- SELECT 1\n");
    expect("select k, interval '1 mon 1 day 01:00' * (k / 2.0), interval '1 day' / k, -(interval "
           "'1 year 2 days 03:00' * k) from t order by k",
           "1|15 days 12:30:00|1 day|-1 years -2 days -03:00:00\n"
           "2|1 mon 1 day 01:00:00|12:00:00|-2 years -4 days -06:00:00\n"
           "3|1 mon 16 days 13:30:00|08:00:00|-3 years -6 days -09:00:00\n"
           "4|2 mons 2 days 02:00:00|06:00:00|-4 years -8 days -12:00:00\n"
           "5|2 mons 17 days 14:30:00|04:48:00|-5 years -10 days -15:00:00\n"
           "-- SELECT 5\n");
    expect("select interval '1 day' + interval '2 hours', interval '1 mon' - interval '3 days', "
           "timestamp '2010-01-01' - timestamp '2011-03-01 12:00'",
           "1 day 02:00:00|1 mon -3 days|-424 days -12:00:00\n"
           "-- SELECT 1\n");
}

static void test_func_age_justify_make_date(void **state)
{
    (void)state;
    expect("select k, age(ts, timestamp '1999-02-28 12:00'), justify_interval(ts - timestamp "
           "'1999-01-01'), justify_days(ts - timestamp '1999-01-01') from t order by k",
           "1|12 years 4 days 03:06:07.123456|12 years 4 mons 5 days 15:06:07.123456|12 years 4 "
           "mons 5 days 15:06:07.123456\n"
           "2|NULL|NULL|NULL\n"
           "3|1 year 12:00:00|1 year 2 mons 4 days|1 year 2 mons 4 days\n"
           "4|10 mons 3 days 11:59:59.999999|1 year 4 days 23:59:59.999999|1 year 4 days "
           "23:59:59.999999\n"
           "5|-2041 years -11 mons -13 days|-2071 years -6 mons -11 days -12:00:00|-2071 years -6 "
           "mons -11 days -12:00:00\n"
           "-- SELECT 5\n");
    expect("select age(timestamp '2011-03-01 10:00', timestamp '2011-02-28 12:00'), "
           "justify_hours(interval '-1 day 25:00'), make_date(-44, 3, 15)",
           "22:00:00|01:00:00|0044-03-15 BC\n"
           "-- SELECT 1\n");
    expect("select k, make_date(2011, k, k * 5), to_timestamp(k * 1000000000.5) from t order by k",
           "1|2011-01-05|2001-09-09 01:46:40.5+00\n"
           "2|2011-02-10|2033-05-18 03:33:21+00\n"
           "3|2011-03-15|2065-01-24 05:20:01.5+00\n"
           "4|2011-04-20|2096-10-02 07:06:42+00\n"
           "5|2011-05-25|2128-06-11 08:53:22.5+00\n"
           "-- SELECT 5\n");
}

static void test_func_datetime_errors(void **state)
{
    (void)state;
    expect("select date_trunc('dow', ts) from t",
           "22023: unit \"dow\" not recognized for type timestamp without time zone");
    expect("select date_trunc('foo', ts) from t",
           "22023: unit \"foo\" not recognized for type timestamp without time zone");
    expect("select date_trunc('week', ts - ts) from t",
           "0A000: unit \"week\" not supported for type interval");
    expect("select extract(hour from ts::date) from t",
           "0A000: unit \"hour\" not supported for type date");
    expect("select extract(dow from ts - ts) from t",
           "0A000: unit \"dow\" not supported for type interval");
    expect("select date_part('now', ts) from t",
           "0A000: unit \"now\" not supported for type timestamp without time zone");
    expect("select make_date(2011, 2, 28 + k) from t",
           "22008: date field value out of range: 2011-02-29");
    expect("select make_date(k - 1, 1, 1) from t", "22008: date field value out of range: 0-01-01");
    expect("select ts + interval '300000 years' from t", "22008: timestamp out of range");
    expect("select interval '1 day' / (k - 1) from t", "22012: division by zero");
    expect("select to_timestamp('NaN'::float8 + k) from t", "22008: timestamp cannot be NaN");
}

/* The Julian-day and ISO-week helpers at their boundaries. */
static void test_func_calendar_helpers(void **state)
{
    (void)state;
    assert_int_equal(func_date2j(2000, 1, 1), 2451545);
    assert_int_equal(func_date2j(-4713, 11, 24), 0);
    int y, m, d;
    func_j2date(2455625, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20110304);
    assert_int_equal(func_j2day(2451545), 6); /* 2000-01-01 was a Saturday */
    /* 2008-12-29 is in ISO week 1 of 2009; 2010-01-03 in week 53 of 2009. */
    assert_int_equal(func_isoweek(2008, 12, 29), 1);
    assert_int_equal(func_isoyear(2008, 12, 29), 2009);
    assert_int_equal(func_isoweek(2010, 1, 3), 53);
    assert_int_equal(func_isoyear(2010, 1, 3), 2009);
    assert_int_equal(func_isoweek2j(2009, 1), func_date2j(2008, 12, 29));
    assert_true(func_is_leap(2000));
    assert_false(func_is_leap(1900));
    assert_int_equal(func_days_in_month(2012, 2), 29);
    func_tm tm;
    assert_true(func_ts2tm(-1, &tm)); /* one microsecond before 2000-01-01 */
    assert_int_equal(tm.year * 10000 + tm.mon * 100 + tm.mday, 19991231);
    assert_int_equal(tm.hour * 10000 + tm.min * 100 + tm.sec, 235959);
    assert_int_equal(tm.usec, 999999);
    int64_t ts;
    assert_true(func_tm2ts(&tm, &ts));
    assert_true(ts == -1);
    tm.year = 294277; /* past the last valid timestamp */
    assert_false(func_tm2ts(&tm, &ts));
}

/* now() and the CURRENT_* targets on a fake clock at 2011-03-04 15:06:07.123456 UTC. */
static void test_func_now_reads_the_clock(void **state)
{
    (void)state;
    bk_test_clock_install(0, INT64_C(1299251167123456));
    expect("select now(), transaction_timestamp(), age(timestamp '2011-01-01')",
           "2011-03-04 15:06:07.123456+00|2011-03-04 15:06:07.123456+00|2 mons 3 days\n"
           "-- SELECT 1\n");
    /* Quoted, these reach the functions the binder maps SQLValueFunctions to. */
    expect("select \"current_date\"(), \"localtimestamp\"(), \"current_timestamp\"(2), "
           "\"localtimestamp\"(0)",
           "2011-03-04|2011-03-04 15:06:07.123456|2011-03-04 15:06:07.12+00|2011-03-04 15:06:07\n"
           "-- SELECT 1\n");
    /* Volatile: never folded into a prepared statement, so each execution reads the clock. */
    bk_arena *a = bk_arena_create(g_arena, "prepared", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_parsed *p = bk_query_parse("select now()", a, &err);
    assert_non_null(p);
    bk_stmt *st = bk_stmt_prepare(g_sess, p, 0, NULL, 0, a, &err);
    assert_non_null(st);
    char got[2][64];
    for (int run_i = 0; run_i < 2; run_i++) {
        bk_exec *ex = bk_exec_start(g_sess, st, NULL, a, &err);
        assert_non_null(ex);
        bk_batch *b;
        assert_int_equal(bk_exec_next(ex, &b, &err), BK_OK);
        assert_non_null(b);
        bk_buf text = {0};
        assert_int_equal(bk_value_to_text(g_sess, &b->cols[0], 0, &text), BK_OK);
        snprintf(got[run_i], sizeof got[run_i], "%.*s", (int)text.len, text.ptr);
        bk_buf_free(&text);
        bk_exec_close(ex);
        bk_test_clock_advance_ns(UINT64_C(1000000000)); /* the fake wall clock moves too */
    }
    assert_string_equal(got[0], "2011-03-04 15:06:07.123456+00");
    assert_string_equal(got[1], "2011-03-04 15:06:08.123456+00");
    bk_arena_destroy(a);
    bk_test_clock_uninstall();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_func_date_trunc_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_extract_and_date_part, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_date_and_timestamp_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_age_justify_make_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_datetime_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_calendar_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_now_reads_the_clock, setup, teardown),
    };
    return cmocka_run_group_tests_name("query/func_datetime", tests, group_setup, group_teardown);
}
