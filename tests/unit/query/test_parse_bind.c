/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query/pgquery.c and the binder (bind.c, bind_expr.c): statement counts, syntax errors with
 * their cursor positions, binding errors with PostgreSQL's SQLSTATE, message, position and
 * hint, statements Basket does not support yet (0A000), and the result description
 * (column names and type OIDs) RowDescription will carry. Every expected message, position
 * and type was taken from PostgreSQL 15 on the same table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bk_test.h"
#include "query_int.h"

static bk_db *g_db;
static bk_engine *g_engine;
static bk_table *g_t;
static bk_arena *g_arena;  /* per test */
static bk_session *g_sess; /* per test */

/* ---- fixture: t(k int4 not null, x int4, y text, z numeric) --------------------------------- */

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
    g_t = bk_db_create_table(g_db, "t", cols, 4, &err);
    assert_non_null(g_t);
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

/* ---- helpers ----------------------------------------------------------------------------------
 */

static void put_error(bk_buf *out, const bk_error *err)
{
    assert_true(err->is_set);
    assert_int_equal(bk_buf_printf(out, "%s", bk_sqlstate_str(err->code)), BK_OK);
    if (err->position > 0) {
        assert_int_equal(bk_buf_printf(out, " @%d", err->position), BK_OK);
    }
    assert_int_equal(bk_buf_printf(out, ": %s", err->message), BK_OK);
    if (err->hint[0] != '\0') {
        assert_int_equal(bk_buf_printf(out, " HINT: %s", err->hint), BK_OK);
    }
}

/*
 * Parses and prepares every statement of `sql`; renders each statement's description as
 * "name:oid name:oid" (or "-" for statements without rows), one line each, or the first error
 * as "<sqlstate> @<position>: <message> HINT: <hint>". Heap string.
 */
static char *describe(const char *sql)
{
    bk_arena *a = bk_arena_create(g_arena, "describe", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_buf out = {0};
    bk_parsed *p = bk_query_parse(sql, a, &err);
    if (p == NULL) {
        put_error(&out, &err);
    } else {
        for (uint32_t i = 0; i < bk_parsed_count(p); i++) {
            bk_stmt *st = bk_stmt_prepare(g_sess, p, i, NULL, 0, a, &err);
            if (st == NULL) {
                put_error(&out, &err);
                break;
            }
            const bk_result_desc *rd = bk_stmt_result(st);
            if (!bk_stmt_returns_rows(st)) {
                assert_int_equal(rd->n_cols, 0);
                assert_int_equal(bk_buf_printf(&out, "-"), BK_OK);
            }
            for (uint32_t c = 0; c < rd->n_cols; c++) {
                assert_int_equal(bk_buf_printf(&out, "%s%s:%u", c > 0 ? " " : "", rd->cols[c].name,
                                               rd->cols[c].type.oid),
                                 BK_OK);
            }
            assert_int_equal(bk_buf_printf(&out, "\n"), BK_OK);
        }
    }
    bk_arena_destroy(a);
    assert_int_equal(bk_buf_append_byte(&out, 0), BK_OK);
    char *s = strdup(out.ptr);
    assert_non_null(s);
    bk_buf_free(&out);
    return s;
}

static void expect_describe(const char *sql, const char *want)
{
    char *got = describe(sql);
    if (strcmp(got, want) != 0) {
        static char copy[4096];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("\"%.200s\" gives:\n%s\nexpected:\n%s", sql, copy, want);
    }
    free(got);
}

/* An error expectation is a description without the trailing newline. */
#define EXPECT_ERROR(sql, want) expect_describe((sql), want)

static uint32_t parse_count(const char *sql)
{
    bk_arena *a = bk_arena_create(g_arena, "parse", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_parsed *p = bk_query_parse(sql, a, &err);
    assert_non_null(p);
    assert_false(err.is_set);
    uint32_t n = bk_parsed_count(p);
    bk_arena_destroy(a);
    return n;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static void test_parse_statement_counts(void **state)
{
    (void)state;
    assert_int_equal(parse_count(""), 0);
    assert_int_equal(parse_count(";"), 0);
    assert_int_equal(parse_count("  ;; ;"), 0);
    assert_int_equal(parse_count("-- just a comment"), 0);
    assert_int_equal(parse_count("/* block */ ; \n"), 0);
    assert_int_equal(parse_count("select 1"), 1);
    assert_int_equal(parse_count("select 1;"), 1);
    assert_int_equal(parse_count("select 1; select 2;; select 3"), 3);
    assert_int_equal(parse_count("select ';'; select 2"), 2);
}

static void test_parse_syntax_errors_with_positions(void **state)
{
    (void)state;
    EXPECT_ERROR("selec 1", "42601 @1: syntax error at or near \"selec\"");
    EXPECT_ERROR("select * fro t", "42601 @10: syntax error at or near \"fro\"");
    EXPECT_ERROR("select 1 +", "42601 @11: syntax error at end of input");
    EXPECT_ERROR("select 'abc", "42601 @8: unterminated quoted string at or near \"'abc\"");
    /* The position counts characters, not bytes. */
    EXPECT_ERROR("select '\xc3\xa9\xc3\xa9' frm t", "42601 @17: syntax error at or near \"t\"");
    /* An error in a later statement: nothing is prepared. */
    EXPECT_ERROR("select 1; select (", "42601 @19: syntax error at end of input");
}

/* ---- binding errors ----------------------------------------------------------------------------
 */

static void test_bind_unknown_column_and_table(void **state)
{
    (void)state;
    EXPECT_ERROR("select nope from t", "42703 @8: column \"nope\" does not exist");
    EXPECT_ERROR("select * from t where nope > 1", "42703 @23: column \"nope\" does not exist");
    EXPECT_ERROR("select t.nope from t", "42703 @8: column t.nope does not exist");
    EXPECT_ERROR("select u.x from t", "42P01 @8: missing FROM-clause entry for table \"u\"");
    EXPECT_ERROR("select * from nope", "42P01 @15: relation \"nope\" does not exist");
}

static void test_bind_unknown_qualified_table_keeps_its_schema(void **state)
{
    (void)state;
    /* PostgreSQL names the relation as written: relation "public.nope" does not exist. */
    EXPECT_ERROR("select k from public.nope", "42P01 @15: relation \"public.nope\" does not exist");
    EXPECT_ERROR("select k from other.nope", "42P01 @15: relation \"other.nope\" does not exist");
}

static void test_bind_unknown_function_and_operator(void **state)
{
    (void)state;
    static const char hint_fn[] = " HINT: No function matches the given name and argument types. "
                                  "You might need to add explicit type casts.";
    static const char hint_op[] = " HINT: No operator matches the given name and argument types. "
                                  "You might need to add explicit type casts.";
    char want[512];
    snprintf(want, sizeof want, "42883 @8: function nofunc(integer) does not exist%s", hint_fn);
    EXPECT_ERROR("select nofunc(1)", want);
    snprintf(want, sizeof want, "42883 @8: function lower(integer) does not exist%s", hint_fn);
    EXPECT_ERROR("select lower(1) from t", want);
    snprintf(want, sizeof want, "42883 @8: function sum(text) does not exist%s", hint_fn);
    EXPECT_ERROR("select sum(y) from t", want);
    snprintf(want, sizeof want, "42883 @10: operator does not exist: text + integer%s", hint_op);
    EXPECT_ERROR("select y + 1 from t", want);
    snprintf(want, sizeof want, "42883 @25: operator does not exist: text = integer%s", hint_op);
    EXPECT_ERROR("select k from t where y = 1", want);
}

static void test_bind_grouping_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("select x, count(*) from t",
                 "42803 @8: column \"t.x\" must appear in the GROUP BY clause or be used in an "
                 "aggregate function");
    EXPECT_ERROR("select x from t group by k",
                 "42803 @8: column \"t.x\" must appear in the GROUP BY clause or be used in an "
                 "aggregate function");
    EXPECT_ERROR("select count(*) from t where count(*) > 1",
                 "42803 @30: aggregate functions are not allowed in WHERE");
    EXPECT_ERROR("select sum(sum(x)) from t",
                 "42803 @12: aggregate function calls cannot be nested");
}

static void test_bind_other_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("select k from t where x",
                 "42804 @23: argument of WHERE must be type boolean, not type integer");
    EXPECT_ERROR("select k from t order by 5",
                 "42P10 @26: ORDER BY position 5 is not in select list");
    EXPECT_ERROR("select k from t order by 0",
                 "42P10 @26: ORDER BY position 0 is not in select list");
    EXPECT_ERROR("select k from t group by 7",
                 "42P10 @26: GROUP BY position 7 is not in select list");
    EXPECT_ERROR("select 1 + 'a'", "22P02 @12: invalid input syntax for type integer: \"a\"");
}

static void test_bind_unsupported_statements_are_0a000(void **state)
{
    (void)state;
    static const char *const sqls[] = {
        "insert into t values (1) returning k",
        "update t set x = 1",
        "delete from t",
        "create table u (a int primary key)",
        "drop table t",
        "begin",
        "copy t from stdin",
        "explain select 1",
        "select * from t join t u on true",
        "select * from t, t u",
        "select * from t left join t u using (k)",
        "select (select 1)",
        "select * from (select 1) s",
        "select k from t where k in (select 1)",
        "select exists (select 1)",
        "select 1 union select 2",
        "with w as (select 1) select * from w",
        "select distinct k from t",
        "values (1)",
        "select row_number() over () from t",
        "select * from generate_series(1, 3)",
        "select k from t for update",
    };
    for (size_t i = 0; i < BK_ARRAY_LEN(sqls); i++) {
        char *got = describe(sqls[i]);
        bool ok = strncmp(got, "0A000", 5) == 0;
        if (!ok) {
            static char copy[1024];
            snprintf(copy, sizeof copy, "%s", got);
            free(got);
            fail_msg("\"%s\" gives \"%s\", expected 0A000", sqls[i], copy);
        }
        free(got);
    }
}

/* "select 1+1+...+1" with n additions (left-nested), heap string. */
static char *nested_sum(size_t n)
{
    char *sql = malloc(8 + 2 * n + 2);
    assert_non_null(sql);
    strcpy(sql, "select ");
    char *p = sql + 7;
    for (size_t i = 0; i < n; i++) {
        *p++ = '1';
        *p++ = '+';
    }
    *p++ = '1';
    *p = '\0';
    return sql;
}

static void test_bind_deep_nesting_is_54001(void **state)
{
    (void)state;
    /* Deeper than the binder's limit but well within the parser's reach: 54001. */
    char *sql = nested_sum(1500);
    char *got = describe(sql);
    free(sql);
    bool ok = strncmp(got, "54001", 5) == 0;
    free(got);
    assert_true(ok);
    /* 100,000 parentheses: the grammar's own stack runs out first (42601, as PostgreSQL). */
    size_t n = 100000;
    sql = malloc(8 + n + 2);
    assert_non_null(sql);
    strcpy(sql, "select ");
    memset(sql + 7, '(', n / 2);
    sql[7 + n / 2] = '1';
    memset(sql + 8 + n / 2, ')', n / 2);
    sql[8 + n] = '\0';
    got = describe(sql);
    free(sql);
    ok = strncmp(got, "54001", 5) == 0 || strncmp(got, "42601", 5) == 0;
    free(got);
    assert_true(ok);
}

static void test_parse_very_deep_expression_does_not_crash(void **state)
{
    (void)state;
    /*
     * TESTING.md hostile client #24: 100,000 nested levels must give 54001, "not a stack
     * overflow". A 200 kB "select 1+1+...+1" fits easily in one Query message. Run in a child
     * process so that a crash fails this test instead of killing the whole group.
     */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *sql = nested_sum(100000);
        char *got = describe(sql);
        int code = strncmp(got, "54001", 5) == 0 ? 0 : 1;
        if (code != 0) {
            fprintf(stderr, "deep expression gave: %.200s\n", got);
        }
        free(got);
        free(sql);
        _exit(code);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
        fail_msg("parsing a 100,000-level expression killed the process with signal %d",
                 WTERMSIG(status));
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- result descriptions ------------------------------------------------------------------------
 */

static void test_describe_aggregates_and_literals(void **state)
{
    (void)state;
    expect_describe("select count(*), sum(x), sum(z), avg(x), avg(z), min(y), max(z), count(y) "
                    "from t",
                    "count:20 sum:20 sum:1700 avg:1700 avg:1700 min:25 max:1700 count:20\n");
    expect_describe("select sum(k::int8), avg(k::int8), sum(x::int2) from t",
                    "sum:1700 avg:1700 sum:20\n");
    expect_describe(
        "select 'abc', 1::text, 1, 1.5, null, true, 1.5::float8, 1.0 / 3",
        "?column?:25 text:25 ?column?:23 ?column?:1700 ?column?:25 ?column?:16 float8:701 "
        "?column?:1700\n");
    expect_describe("select k, x as renamed, y, z, x::int8 from t",
                    "k:23 renamed:23 y:25 z:1700 x:20\n");
    expect_describe("select * from t", "k:23 x:23 y:25 z:1700\n");
    expect_describe("select t.* from t", "k:23 x:23 y:25 z:1700\n");
    expect_describe("select count(*)::text, k % 2 from t group by 2", "count:25 ?column?:23\n");
    expect_describe("select case when x = 0 then 0 else 10 / x end, coalesce(y, 'none') from t",
                    "case:23 coalesce:25\n");
    expect_describe("select lower(y), upper(y), length(y) from t", "lower:25 upper:25 length:23\n");
}

static void test_describe_plain_columns_carry_their_table(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(g_arena, "q", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_parsed *p = bk_query_parse("select y, k + 1, x from t", a, &err);
    assert_non_null(p);
    bk_stmt *st = bk_stmt_prepare(g_sess, p, 0, NULL, 0, a, &err);
    assert_non_null(st);
    const bk_result_desc *rd = bk_stmt_result(st);
    assert_int_equal(rd->n_cols, 3);
    assert_int_equal(rd->cols[0].table_oid, bk_table_id(g_t));
    assert_int_equal(rd->cols[0].attnum, 3);
    assert_int_equal(rd->cols[1].table_oid, 0);
    assert_int_equal(rd->cols[1].attnum, 0);
    assert_int_equal(rd->cols[2].table_oid, bk_table_id(g_t));
    assert_int_equal(rd->cols[2].attnum, 2);
    assert_int_equal(rd->cols[0].type.typmod, -1);
    bk_arena_destroy(a);
}

static void test_describe_utility_statements(void **state)
{
    (void)state;
    expect_describe("set application_name = 'x'", "-\n");
    expect_describe("reset all", "-\n");
    expect_describe("show DateStyle", "DateStyle:25\n");
    expect_describe("show timezone", "TimeZone:25\n");
    expect_describe("select 1; show extra_float_digits; set extra_float_digits = 2",
                    "?column?:23\nextra_float_digits:25\n-\n");
    EXPECT_ERROR("show no_such_setting", "42704: unrecognized configuration parameter "
                                         "\"no_such_setting\"");
}

static void test_bind_parameters(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(g_arena, "q", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_parsed *p = bk_query_parse("select $1::int4 + 1, $2, x from t where k = $3", a, &err);
    assert_non_null(p);
    /* No parameter types at all (NULL) is the simple Query protocol: $n does not exist. */
    bk_stmt *st = bk_stmt_prepare(g_sess, p, 0, NULL, 0, a, &err);
    assert_null(st);
    assert_string_equal(bk_sqlstate_str(err.code), "42P02");
    assert_int_equal(err.position, 8);
    bk_error_clear(&err);
    /* An empty list of declared types (extended protocol): every type is inferred. */
    static const uint32_t none[1] = {0};
    st = bk_stmt_prepare(g_sess, p, 0, none, 0, a, &err);
    assert_non_null(st);
    assert_int_equal(bk_stmt_param_count(st), 3);
    assert_int_equal(bk_stmt_param_type(st, 0).oid, BK_OID_INT4);
    assert_int_equal(bk_stmt_param_type(st, 1).oid, BK_OID_TEXT);
    assert_int_equal(bk_stmt_param_type(st, 2).oid, BK_OID_INT4);
    /* Declared types win. */
    static const uint32_t declared[] = {BK_OID_INT8, BK_OID_NUMERIC};
    st = bk_stmt_prepare(g_sess, p, 0, declared, 2, a, &err);
    assert_non_null(st);
    assert_int_equal(bk_stmt_param_type(st, 1).oid, BK_OID_NUMERIC);
    /* An unknown type OID is 42704. */
    static const uint32_t bogus[] = {99999};
    st = bk_stmt_prepare(g_sess, p, 0, bogus, 1, a, &err);
    assert_null(st);
    assert_string_equal(bk_sqlstate_str(err.code), "42704");
    bk_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parse_statement_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_syntax_errors_with_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_unknown_column_and_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_unknown_qualified_table_keeps_its_schema, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bind_unknown_function_and_operator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_grouping_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_other_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_unsupported_statements_are_0a000, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bind_deep_nesting_is_54001, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_very_deep_expression_does_not_crash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_describe_aggregates_and_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_describe_plain_columns_carry_their_table, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_describe_utility_statements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_parameters, setup, teardown),
    };
    return bk_run_group_tests("query/parse_bind", tests, group_setup, group_teardown);
}
