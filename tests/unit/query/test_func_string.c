/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query/func string.c and text.c: character (not byte) positions and lengths on UTF-8,
 * PostgreSQL's rules for negative and zero arguments (substr, left, right, split_part, lpad),
 * case mapping as in a C.UTF-8 database, md5, concat's NULL handling, and the errors. *
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

static void test_func_case_mapping_and_lengths(void **state)
{
    (void)state;
    expect("select k, upper(s), lower(s), initcap(s), length(s), octet_length(s), bit_length(s) "
           "from t order by k",
           "1|HÉLLO WÖRLD|héllo wörld|Héllo Wörld|11|13|104\n"
           "2|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "3||||0|0|0\n"
           "4|A,B,,C|a,b,,c|A,B,,C|6|6|48\n"
           "5|  PADDED  |  padded  |  Padded  |10|10|80\n"
           "-- SELECT 5\n");
    expect("select initcap('hello_world foo.bar 1st 2ND o''neil'), upper('straße'), lower('ÀÉÎ'), "
           "initcap('ÉCOLE ΑΒΓ')",
           "Hello_World Foo.Bar 1st 2nd O'Neil|STRAßE|àéî|École Αβγ\n"
           "-- SELECT 1\n");
}

static void test_func_substrings_count_characters(void **state)
{
    (void)state;
    expect("select k, substr(s, 2, 3), substring(s from 0 for 3), left(s, -2), right(s, 3), "
           "strpos(s, 'l'), position(',' in s) from t order by k",
           "1|éll|hé|héllo wör|rld|3|0\n"
           "2|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "3|||||0|0\n"
           "4|,b,|a,|a,b,|,,c|0|2\n"
           "5| pa|  |  padded|d  |0|0\n"
           "-- SELECT 5\n");
    expect("select substr('hello', -5, 7), substr('hello', 10), substring('héllo' from 2 for 1), "
           "left('hi', 10), right('hi', -10), strpos('', '')",
           "h||é|hi||1\n"
           "-- SELECT 1\n");
}

static void test_func_split_replace_translate(void **state)
{
    (void)state;
    expect("select k, split_part(s, ',', 3), split_part(s, ',', -1), split_part(s, ',', -4), "
           "replace(s, ',', ';'), translate(s, 'öl', 'o') from t order by k",
           "1||héllo wörld||héllo wörld|héo word\n"
           "2|NULL|NULL|NULL|NULL|NULL\n"
           "3|||||\n"
           "4||c|a|a;b;;c|a,b,,c\n"
           "5||  padded  ||  padded  |  padded  \n"
           "-- SELECT 5\n");
    expect("select split_part('a,b,c', ',', 4), split_part('abc', '', 1), split_part('abc', '', "
           "2), replace('aaa', 'aa', 'b'), replace('abc', '', 'x')",
           "|abc||ba|abc\n"
           "-- SELECT 1\n");
}

static void test_func_trim_and_pad(void **state)
{
    (void)state;
    expect("select k, '[' || trim(s) || ']', btrim(s, ' ad'), ltrim(s), rtrim(s, 'd '), lpad(s, "
           "12, '*'), rpad(s, 4) from t order by k",
           "1|[héllo wörld]|héllo wörl|héllo wörld|héllo wörl|*héllo wörld|héll\n"
           "2|NULL|NULL|NULL|NULL|NULL|NULL\n"
           "3|[]||||************|    \n"
           "4|[a,b,,c]|,b,,c|a,b,,c|a,b,,c|******a,b,,c|a,b,\n"
           "5|[padded]|padde|padded  |  padde|**  padded  |  pa\n"
           "-- SELECT 5\n");
    expect("select lpad('hi', 5, 'xy'), lpad('hello', 3), rpad('héllo', 7, 'é'), lpad('x', -1), "
           "lpad('ab', 4, ''), trim(both 'x' from 'xxhixx')",
           "xyxhi|hel|hélloéé||ab|hi\n"
           "-- SELECT 1\n");
}

static void test_func_md5_reverse_repeat_starts_with(void **state)
{
    (void)state;
    expect("select k, md5(s), reverse(s), repeat(s, 2), starts_with(s, 'h') from t order by k",
           "1|ed0c22cc110ede12327851863c078138|dlröw olléh|héllo wörldhéllo wörld|t\n"
           "2|NULL|NULL|NULL|NULL\n"
           "3|d41d8cd98f00b204e9800998ecf8427e|||f\n"
           "4|e25525e3d41f57be29ab0ecf3365ba14|c,,b,a|a,b,,ca,b,,c|f\n"
           "5|2c10e6b3ece52c46634f659109e15fea|  deddap  |  padded    padded  |f\n"
           "-- SELECT 5\n");
    expect("select md5('The quick brown fox jumps over the lazy dog'), md5(repeat('x', 1000)), "
           "repeat('ab', -1), reverse('')",
           "9e107d9d372bb6826bd81d3542a419d6|398533d48111e9f664b1f64cb10c4b63||\n"
           "-- SELECT 1\n");
}

/* concat and concat_ws are not strict: NULL arguments are skipped. */
static void test_func_concat_skips_nulls(void **state)
{
    (void)state;
    expect("select k, concat(s, '|', k, x), concat_ws('-', s, x, ts) from t order by k",
           "1|héllo wörld|12.5|héllo wörld-2.5-2011-03-04 15:06:07.123456\n"
           "2||2|\n"
           "3||3-0.001|--0.001-2000-02-29 00:00:00\n"
           "4|a,b,,c|410000000000|a,b,,c-10000000000-1999-12-31 23:59:59.999999\n"
           "5|  padded  |50|  padded  -0-0044-03-15 12:00:00 BC\n"
           "-- SELECT 5\n");
    expect("select concat(null), concat_ws(null, 'a'), concat(true, 1.50, 2::float8, date "
           "'2011-01-01')",
           "|NULL|t1.5022011-01-01\n"
           "-- SELECT 1\n");
}

static void test_func_codes(void **state)
{
    (void)state;
    expect("select k, chr(k + 64), ascii(s), to_hex(k * -1), to_hex(k::int8 * 1000000000000) from "
           "t order by k",
           "1|A|104|ffffffff|e8d4a51000\n"
           "2|B|NULL|fffffffe|1d1a94a2000\n"
           "3|C|0|fffffffd|2ba7def3000\n"
           "4|D|97|fffffffc|3a352944000\n"
           "5|E|32|fffffffb|48c27395000\n"
           "-- SELECT 5\n");
    expect("select chr(233), chr(128512), ascii('😀'), to_hex(2147483647), to_hex(0)",
           "é|😀|128512|7fffffff|0\n"
           "-- SELECT 1\n");
}

static void test_func_string_errors(void **state)
{
    (void)state;
    expect("select substr(s, 1, k - 3) from t", "22011: negative substring length not allowed");
    expect("select split_part(s, ',', k - 1) from t", "22023: field position must not be zero");
    expect("select chr(k - 3) from t", "22023: character number must be positive");
    expect("select chr(k - 2) from t", "22023: character number must be positive");
    expect("select chr(1114112 + k) from t",
           "54000: requested character too large for encoding: 1114113");
    expect("select chr(55295 + k) from t",
           "54000: requested character not valid for encoding: 55296");
    expect("select lpad(s, 300000000) from t where k = 1", "54000: requested length too large");
}

/* CURRENT_USER and friends reach these through the binder; quoted, they are plain calls. */
static void test_func_session_user_targets(void **state)
{
    (void)state;
    expect("select \"current_user\"(), \"session_user\"(), \"current_role\"(), \"user\"(), "
           "\"current_catalog\"()",
           "tester|tester|tester|tester|basket\n"
           "-- SELECT 1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_func_case_mapping_and_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_substrings_count_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_split_replace_translate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_trim_and_pad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_md5_reverse_repeat_starts_with, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_concat_skips_nulls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_string_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_func_session_user_targets, setup, teardown),
    };
    return cmocka_run_group_tests_name("query/func_string", tests, group_setup, group_teardown);
}
