/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/parse.c: every text -> value parser against PostgreSQL's answers (pg_expected.h,
 * generated from a real PostgreSQL 15 by pg_expected.py): the value, or the SQLSTATE and the
 * exact primary message. Also: explicit bounds (no NUL, no read past `len`), NULL err.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "pg_expected.h"
#include "storage/storage.h"

/*
 * The input as a heap copy of exactly `len` bytes with no NUL after it, so that ASan reports
 * any read past the end.
 */
static bk_str exact_copy(const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n == 0 ? 1 : n);
    assert_non_null(p);
    memcpy(p, s, n);
    return (bk_str){p, n};
}

static void free_copy(bk_str s)
{
    free((void *)s.ptr);
}

/* Checks the outcome of one parse against PostgreSQL's (sqlstate NULL = accepted). */
static void check_outcome(const char *what,
                          const char *input,
                          bk_rc rc,
                          const bk_error *err,
                          const char *sqlstate,
                          const char *message)
{
    if (sqlstate == NULL) {
        if (rc != BK_OK) {
            fail_msg("%s '%s': PostgreSQL accepts it, Basket says %s %s", what, input,
                     bk_sqlstate_str(err->code), err->message);
        }
        return;
    }
    if (rc != BK_ERR) {
        fail_msg("%s '%s': PostgreSQL rejects it (%s), Basket accepts it", what, input, sqlstate);
    }
    assert_true(err->is_set);
    assert_string_equal(bk_sqlstate_str(err->code), sqlstate);
    assert_string_equal(err->message, message);
}

static void test_parse_bool_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_bool_cases); i++) {
        bk_str s = exact_copy(pgx_bool_cases[i].input);
        bk_error err;
        bk_error_clear(&err);
        uint8_t v = 99;
        bk_rc rc = bk_parse_bool(s, &v, &err);
        check_outcome("bool", pgx_bool_cases[i].input, rc, &err, pgx_bool_cases[i].sqlstate,
                      pgx_bool_cases[i].message);
        if (rc == BK_OK) {
            assert_int_equal(v, pgx_bool_cases[i].value);
        }
        free_copy(s);
    }
}

static void test_parse_integers_match_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_int_cases); i++) {
        const char *type = pgx_int_cases[i].type;
        bk_str s = exact_copy(pgx_int_cases[i].input);
        bk_error err;
        bk_error_clear(&err);
        bk_rc rc;
        int64_t got = 0;
        if (strcmp(type, "int2") == 0) {
            int16_t v = 0;
            rc = bk_parse_int2(s, &v, &err);
            got = v;
        } else if (strcmp(type, "int4") == 0) {
            int32_t v = 0;
            rc = bk_parse_int4(s, &v, &err);
            got = v;
        } else if (strcmp(type, "int8") == 0) {
            rc = bk_parse_int8(s, &got, &err);
        } else {
            uint32_t v = 0;
            rc = bk_parse_oid(s, &v, &err);
            got = v;
        }
        check_outcome(type, pgx_int_cases[i].input, rc, &err, pgx_int_cases[i].sqlstate,
                      pgx_int_cases[i].message);
        if (rc == BK_OK && got != pgx_int_cases[i].value) {
            fail_msg("%s '%s': got %lld, PostgreSQL %lld", type, pgx_int_cases[i].input,
                     (long long)got, (long long)pgx_int_cases[i].value);
        }
        free_copy(s);
    }
}

static bool same_double(double a, double b)
{
    if (isnan(a) || isnan(b)) {
        return isnan(a) && isnan(b);
    }
    return memcmp(&a, &b, sizeof a) == 0; /* bit-exact: tells -0 from 0 */
}

static void test_parse_float8_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_float8_parse); i++) {
        bk_str s = exact_copy(pgx_float8_parse[i].input);
        bk_error err;
        bk_error_clear(&err);
        double v = 0;
        bk_rc rc = bk_parse_float8(s, &v, &err);
        check_outcome("float8", pgx_float8_parse[i].input, rc, &err, pgx_float8_parse[i].sqlstate,
                      pgx_float8_parse[i].message);
        if (rc == BK_OK && !same_double(v, pgx_float8_parse[i].value)) {
            fail_msg("float8 '%s': got %a, PostgreSQL %a", pgx_float8_parse[i].input, v,
                     pgx_float8_parse[i].value);
        }
        free_copy(s);
    }
}

static void test_parse_float4_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_float4_parse); i++) {
        bk_str s = exact_copy(pgx_float4_parse[i].input);
        bk_error err;
        bk_error_clear(&err);
        float v = 0;
        bk_rc rc = bk_parse_float4(s, &v, &err);
        check_outcome("float4", pgx_float4_parse[i].input, rc, &err, pgx_float4_parse[i].sqlstate,
                      pgx_float4_parse[i].message);
        if (rc == BK_OK && !same_double((double)v, (double)pgx_float4_parse[i].value)) {
            fail_msg("float4 '%s': got %a, PostgreSQL %a", pgx_float4_parse[i].input, (double)v,
                     (double)pgx_float4_parse[i].value);
        }
        free_copy(s);
    }
}

/* Decimal digits (optionally signed) to a 128-bit integer. */
static bk_i128 i128_from_digits(const char *s)
{
    bool neg = *s == '-';
    if (neg) {
        s++;
    }
    bk_i128 v = 0;
    for (; *s != '\0'; s++) {
        v = v * 10 + (*s - '0');
    }
    return neg ? -v : v;
}

static void test_parse_numeric_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_numeric_parse); i++) {
        const pgx_numeric_case *c = &pgx_numeric_parse[i];
        bk_str s = exact_copy(c->input);
        bk_error err;
        bk_error_clear(&err);
        bk_i128 v = 0;
        uint8_t scale = 0;
        bk_rc rc = bk_parse_numeric(s, &v, &scale, &err);
        check_outcome("numeric", c->input, rc, &err, c->sqlstate, c->message);
        if (rc == BK_OK) {
            assert_true(v == i128_from_digits(c->unscaled));
            assert_int_equal(scale, c->scale);
            char buf[BK_FORMAT_MAX];
            size_t n = bk_format_numeric(v, scale, buf);
            assert_int_equal(n, strlen(c->text));
            assert_memory_equal(buf, c->text, n);
        }
        free_copy(s);
    }
}

static void test_parse_numeric_basket_limits(void **state)
{
    (void)state;
    /* Documented limits (PostgreSQL accepts these): 0A000 for NaN/infinity, 22003 past 38. */
    bk_i128 v;
    uint8_t scale;
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_parse_numeric(BK_STR_LIT("NaN"), &v, &scale, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "0A000");
    bk_error_clear(&err);
    assert_int_equal(bk_parse_numeric(BK_STR_LIT("-Infinity"), &v, &scale, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "0A000");
    bk_error_clear(&err);
    assert_int_equal(
        bk_parse_numeric(BK_STR_LIT("123456789012345678901234567890123456789"), &v, &scale, &err),
        BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    assert_string_equal(err.message, "value overflows numeric format");
}

static void test_parse_date_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_date_parse); i++) {
        const pgx_date_case *c = &pgx_date_parse[i];
        bk_str s = exact_copy(c->input);
        bk_error err;
        bk_error_clear(&err);
        int32_t days = 0;
        bk_rc rc = bk_parse_date(s, &days, &err);
        check_outcome("date", c->input, rc, &err, c->sqlstate, c->message);
        if (rc == BK_OK && days != c->days) {
            fail_msg("date '%s': got day %d, PostgreSQL %d", c->input, days, c->days);
        }
        free_copy(s);
    }
}

static void test_parse_timestamps_match_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_ts_parse); i++) {
        const pgx_ts_case *c = &pgx_ts_parse[i];
        bk_str s = exact_copy(c->input);
        bk_error err;
        bk_error_clear(&err);
        int64_t us = 0;
        bool tz = strcmp(c->type, "timestamptz") == 0;
        bk_rc rc = tz ? bk_parse_timestamptz(s, &us, &err) : bk_parse_timestamp(s, &us, &err);
        check_outcome(c->type, c->input, rc, &err, c->sqlstate, c->message);
        if (rc == BK_OK && us != c->us) {
            fail_msg("%s '%s': got %lld us, PostgreSQL %lld", c->type, c->input, (long long)us,
                     (long long)c->us);
        }
        free_copy(s);
    }
}

static void test_parse_interval_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_interval_parse); i++) {
        const pgx_interval_case *c = &pgx_interval_parse[i];
        bk_str s = exact_copy(c->input);
        bk_error err;
        bk_error_clear(&err);
        bk_interval v = {0, 0, 0};
        bk_rc rc = bk_parse_interval(s, &v, &err);
        check_outcome("interval", c->input, rc, &err, c->sqlstate, c->message);
        if (rc == BK_OK && (v.months != c->months || v.days != c->days || v.us != c->us)) {
            fail_msg("interval '%s': got (%d mons, %d days, %lld us), PostgreSQL (%d, %d, %lld)",
                     c->input, v.months, v.days, (long long)v.us, c->months, c->days,
                     (long long)c->us);
        }
        free_copy(s);
    }
}

/* Parsers stop at `len`: the bytes after the view are never looked at. */
static void test_parse_respects_explicit_length(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    int32_t i4;
    assert_int_equal(bk_parse_int4((bk_str){"123456", 3}, &i4, &err), BK_OK);
    assert_int_equal(i4, 123);
    double d;
    assert_int_equal(bk_parse_float8((bk_str){"1.5e300", 3}, &d, &err), BK_OK);
    assert_true(d == 1.5);
    bk_i128 n;
    uint8_t scale;
    assert_int_equal(bk_parse_numeric((bk_str){"12.345xyz", 5}, &n, &scale, &err), BK_OK);
    assert_true(n == 1234);
    assert_int_equal(scale, 2);
    int32_t days;
    assert_int_equal(bk_parse_date((bk_str){"2011-12-09garbage", 10}, &days, &err), BK_OK);
    assert_int_equal(days, 4360);
    bk_interval iv;
    assert_int_equal(bk_parse_interval((bk_str){"1 day 5 hours", 5}, &iv, &err), BK_OK);
    assert_int_equal(iv.days, 1);
    assert_int_equal(iv.us, 0);
    uint8_t b;
    assert_int_equal(bk_parse_bool((bk_str){"falsetto", 5}, &b, &err), BK_OK);
    assert_int_equal(b, 0);
    assert_false(err.is_set);
    /* An empty view of a non-empty buffer is the empty string. */
    assert_int_equal(bk_parse_int4((bk_str){"7", 0}, &i4, &err), BK_ERR);
    assert_string_equal(err.message, "invalid input syntax for type integer: \"\"");
}

static void test_parse_null_err_and_huge_input(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(bk_parse_int8(BK_STR_LIT("nope"), &v, NULL), BK_ERR);
    bk_interval iv;
    assert_int_equal(bk_parse_interval(BK_STR_LIT("1 fortnight"), &iv, NULL), BK_ERR);
    /* A 100 kB input is rejected cleanly; the message stays within its buffer. */
    size_t n = 100000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, '7', n);
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_parse_int8((bk_str){big, n}, &v, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    assert_true(strlen(err.message) < BK_ERROR_MSG_CAP);
    bk_i128 num;
    uint8_t scale;
    bk_error_clear(&err);
    assert_int_equal(bk_parse_numeric((bk_str){big, n}, &num, &scale, &err), BK_ERR);
    double d;
    bk_error_clear(&err);
    assert_int_equal(bk_parse_float8((bk_str){big, n}, &d, &err), BK_ERR);
    int64_t ts;
    bk_error_clear(&err);
    assert_int_equal(bk_parse_timestamp((bk_str){big, n}, &ts, &err), BK_ERR);
    bk_error_clear(&err);
    assert_int_equal(bk_parse_interval((bk_str){big, n}, &iv, &err), BK_ERR);
    free(big);
}

/* Seeded random garbage: parsers never crash or read out of bounds, and always decide. */
static void test_parse_random_bytes_never_crash(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 7);
    static const char alphabet[] = "0123456789+-.:eE /TZabcdhmnosy@\t";
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)bk_test_rng_below(&rng, 24);
        char *p = malloc(n == 0 ? 1 : n);
        assert_non_null(p);
        for (size_t i = 0; i < n; i++) {
            p[i] = bk_test_rng_bool(&rng) ? alphabet[bk_test_rng_below(&rng, sizeof alphabet - 1)]
                                          : (char)bk_test_rng_below(&rng, 256);
        }
        bk_str s = {p, n};
        bk_error err;
        bk_error_clear(&err);

        union {
            uint8_t b;
            int64_t i8;
            double d;
            float f;
            int32_t i4;
            bk_interval iv;
        } out;

        bk_i128 num;
        uint8_t scale;
        bk_rc rcs[8] = {
            bk_parse_bool(s, &out.b, &err),          bk_parse_int8(s, &out.i8, &err),
            bk_parse_float8(s, &out.d, &err),        bk_parse_float4(s, &out.f, &err),
            bk_parse_numeric(s, &num, &scale, &err), bk_parse_date(s, &out.i4, &err),
            bk_parse_timestamptz(s, &out.i8, &err),  bk_parse_interval(s, &out.iv, &err),
        };
        for (int k = 0; k < 8; k++) {
            assert_true(rcs[k] == BK_OK || rcs[k] == BK_ERR);
        }
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_bool_matches_postgresql),
        cmocka_unit_test(test_parse_integers_match_postgresql),
        cmocka_unit_test(test_parse_float8_matches_postgresql),
        cmocka_unit_test(test_parse_float4_matches_postgresql),
        cmocka_unit_test(test_parse_numeric_matches_postgresql),
        cmocka_unit_test(test_parse_numeric_basket_limits),
        cmocka_unit_test(test_parse_date_matches_postgresql),
        cmocka_unit_test(test_parse_timestamps_match_postgresql),
        cmocka_unit_test(test_parse_interval_matches_postgresql),
        cmocka_unit_test(test_parse_respects_explicit_length),
        cmocka_unit_test(test_parse_null_err_and_huge_input),
        cmocka_unit_test(test_parse_random_bytes_never_crash),
    };
    return bk_run_group_tests("storage/parse", tests, NULL, NULL);
}
