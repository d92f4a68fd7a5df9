/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/format.c: value -> text exactly as PostgreSQL 15 prints it. Expected strings come
 * from a real PostgreSQL (pg_expected.h). Also: outputs stay within BK_FORMAT_MAX and no byte
 * is written past the returned length; parse(format(x)) == x for random values.
 */
#include <math.h>
#include <string.h>

#include "bk_test.h"
#include "pg_expected.h"
#include "storage/storage.h"

/* A format buffer with a guard zone, to catch writes past the returned length. */
#define GUARD 64

typedef struct out_buf {
    char bytes[BK_FORMAT_MAX + GUARD];
} out_buf;

static void out_init(out_buf *o)
{
    memset(o->bytes, '#', sizeof o->bytes);
}

static void out_check(const out_buf *o, size_t n, const char *want, const char *what)
{
    assert_true(n <= BK_FORMAT_MAX);
    if (n != strlen(want) || memcmp(o->bytes, want, n) != 0) {
        fail_msg("%s: got \"%.*s\", PostgreSQL \"%s\"", what, (int)n, o->bytes, want);
    }
    for (size_t i = n; i < sizeof o->bytes; i++) {
        if (o->bytes[i] != '#') {
            fail_msg("%s: byte %zu past the returned length %zu was written", what, i, n);
        }
    }
}

static void test_format_integers(void **state)
{
    (void)state;
    out_buf o;

    static const struct {
        int64_t v;
        const char *text;
    } cases[] = {
        {        0,                    "0"},
        {       -1,                   "-1"},
        {       42,                   "42"},
        {INT64_MAX,  "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
        {INT32_MIN,          "-2147483648"},
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        out_init(&o);
        out_check(&o, bk_format_int64(cases[i].v, o.bytes), cases[i].text, "int64");
    }
    out_init(&o);
    out_check(&o, bk_format_uint64(UINT64_MAX, o.bytes), "18446744073709551615", "uint64");
    out_init(&o);
    out_check(&o, bk_format_uint64(4294967295u, o.bytes), "4294967295", "oid");
    out_init(&o);
    out_check(&o, bk_format_bool(1, o.bytes), "t", "bool");
    out_init(&o);
    out_check(&o, bk_format_bool(0, o.bytes), "f", "bool");
}

static void test_format_float8_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_float8_format); i++) {
        out_buf o;
        out_init(&o);
        size_t n = bk_format_float8(pgx_float8_format[i].value, o.bytes);
        out_check(&o, n, pgx_float8_format[i].text, "float8");
    }
}

static void test_format_float4_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_float4_format); i++) {
        out_buf o;
        out_init(&o);
        size_t n = bk_format_float4(pgx_float4_format[i].value, o.bytes);
        out_check(&o, n, pgx_float4_format[i].text, "float4");
    }
}

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

static void test_format_numeric_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_numeric_format); i++) {
        out_buf o;
        out_init(&o);
        size_t n = bk_format_numeric(i128_from_digits(pgx_numeric_format[i].unscaled),
                                     pgx_numeric_format[i].scale, o.bytes);
        out_check(&o, n, pgx_numeric_format[i].text, "numeric");
    }
}

static void test_format_date_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_date_format); i++) {
        out_buf o;
        out_init(&o);
        size_t n = bk_format_date(pgx_date_format[i].days, o.bytes);
        out_check(&o, n, pgx_date_format[i].text, "date");
    }
}

static void test_format_timestamps_match_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_ts_format); i++) {
        out_buf o;
        out_init(&o);
        out_check(&o, bk_format_timestamp(pgx_ts_format[i].us, o.bytes), pgx_ts_format[i].text,
                  "timestamp");
        out_init(&o);
        out_check(&o, bk_format_timestamptz(pgx_ts_format[i].us, o.bytes), pgx_ts_format[i].text_tz,
                  "timestamptz");
    }
}

static void test_format_interval_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_interval_format); i++) {
        out_buf o;
        out_init(&o);
        bk_interval v = {pgx_interval_format[i].us, pgx_interval_format[i].days,
                         pgx_interval_format[i].months};
        out_check(&o, bk_format_interval(v, o.bytes), pgx_interval_format[i].text, "interval");
    }
}

/* The text output of every parse case PostgreSQL accepted, via Basket's formatters. */
static void test_format_of_parsed_values_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_date_parse); i++) {
        if (pgx_date_parse[i].text == NULL) {
            continue;
        }
        out_buf o;
        out_init(&o);
        out_check(&o, bk_format_date(pgx_date_parse[i].days, o.bytes), pgx_date_parse[i].text,
                  pgx_date_parse[i].input);
    }
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_ts_parse); i++) {
        if (pgx_ts_parse[i].text == NULL) {
            continue;
        }
        out_buf o;
        out_init(&o);
        size_t n = strcmp(pgx_ts_parse[i].type, "timestamptz") == 0
                       ? bk_format_timestamptz(pgx_ts_parse[i].us, o.bytes)
                       : bk_format_timestamp(pgx_ts_parse[i].us, o.bytes);
        out_check(&o, n, pgx_ts_parse[i].text, pgx_ts_parse[i].input);
    }
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_interval_parse); i++) {
        const pgx_interval_case *c = &pgx_interval_parse[i];
        if (c->text == NULL) {
            continue;
        }
        out_buf o;
        out_init(&o);
        out_check(&o, bk_format_interval((bk_interval){c->us, c->days, c->months}, o.bytes),
                  c->text, c->input);
    }
}

/* Shortest round trip: parse(format(x)) gives back x bit for bit. */
static void test_format_float_round_trips(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 11);
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = bk_test_rng_next(&rng);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) {
            continue;
        }
        char buf[BK_FORMAT_MAX];
        size_t n = bk_format_float8(d, buf);
        assert_true(n <= BK_FORMAT_MAX);
        double back;
        bk_error err;
        bk_error_clear(&err);
        assert_int_equal(bk_parse_float8((bk_str){buf, n}, &back, &err), BK_OK);
        assert_memory_equal(&back, &d, sizeof d);

        uint32_t fbits = (uint32_t)bk_test_rng_next(&rng);
        float f;
        memcpy(&f, &fbits, sizeof f);
        if (!isfinite(f)) {
            continue;
        }
        n = bk_format_float4(f, buf);
        float fback;
        assert_int_equal(bk_parse_float4((bk_str){buf, n}, &fback, &err), BK_OK);
        assert_memory_equal(&fback, &f, sizeof f);
    }
}

static void test_format_datetime_round_trips(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 12);
    for (int i = 0; i < 20000; i++) {
        /* Every valid date, and timestamps over the whole range. */
        int32_t days = (int32_t)bk_test_rng_range(&rng, -2451545, 2145031948);
        char buf[BK_FORMAT_MAX];
        size_t n = bk_format_date(days, buf);
        int32_t dback;
        bk_error err;
        bk_error_clear(&err);
        assert_int_equal(bk_parse_date((bk_str){buf, n}, &dback, &err), BK_OK);
        assert_int_equal(dback, days);

        int64_t us =
            bk_test_rng_range(&rng, INT64_C(-211813488000000000), INT64_C(9223371331199999999));
        n = bk_format_timestamp(us, buf);
        int64_t back;
        assert_int_equal(bk_parse_timestamp((bk_str){buf, n}, &back, &err), BK_OK);
        assert_int_equal(back, us);
        n = bk_format_timestamptz(us, buf);
        assert_int_equal(bk_parse_timestamptz((bk_str){buf, n}, &back, &err), BK_OK);
        assert_int_equal(back, us);

        bk_interval iv = {bk_test_rng_range(&rng, -(INT64_C(1) << 50), INT64_C(1) << 50),
                          (int32_t)bk_test_rng_range(&rng, -100000, 100000),
                          (int32_t)bk_test_rng_range(&rng, -100000, 100000)};
        n = bk_format_interval(iv, buf);
        bk_interval ivb;
        if (bk_parse_interval((bk_str){buf, n}, &ivb, &err) != BK_OK) {
            fail_msg("interval \"%.*s\" does not parse back: %s", (int)n, buf, err.message);
        }
        assert_int_equal(ivb.months, iv.months);
        assert_int_equal(ivb.days, iv.days);
        assert_int_equal(ivb.us, iv.us);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_integers),
        cmocka_unit_test(test_format_float8_matches_postgresql),
        cmocka_unit_test(test_format_float4_matches_postgresql),
        cmocka_unit_test(test_format_numeric_matches_postgresql),
        cmocka_unit_test(test_format_date_matches_postgresql),
        cmocka_unit_test(test_format_timestamps_match_postgresql),
        cmocka_unit_test(test_format_interval_matches_postgresql),
        cmocka_unit_test(test_format_of_parsed_values_matches_postgresql),
        cmocka_unit_test(test_format_float_round_trips),
        cmocka_unit_test(test_format_datetime_round_trips),
    };
    return bk_run_group_tests("storage/format", tests, NULL, NULL);
}
