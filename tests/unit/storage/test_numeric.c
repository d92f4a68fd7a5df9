/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/numeric.c: 128-bit decimals with PostgreSQL's result scales and rounding. Results
 * and errors come from a real PostgreSQL (pg_expected.h): rescale rounds half away from zero,
 * division picks select_div_scale's scale (1/3 -> 20 digits, 10/4 -> 2.5000000000000000),
 * x/0 is 22012. Beyond 38 digits Basket raises 22003 where PostgreSQL would keep going.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bk_test.h"
#include "pg_expected.h"
#include "storage/storage.h"

typedef struct dec {
    bk_i128 v;
    int scale;
} dec;

static dec parse_dec(const char *s)
{
    bk_error err;
    bk_error_clear(&err);
    bk_i128 v;
    uint8_t scale;
    if (bk_parse_numeric(bk_str_from_cstr(s), &v, &scale, &err) != BK_OK) {
        fail_msg("cannot parse numeric '%s': %s", s, err.message);
    }
    return (dec){v, scale};
}

static void assert_dec_text(bk_i128 v, int scale, const char *want, const char *what)
{
    char buf[BK_FORMAT_MAX];
    size_t n = bk_format_numeric(v, scale, buf);
    if (n != strlen(want) || memcmp(buf, want, n) != 0) {
        fail_msg("%s: got %.*s, PostgreSQL %s", what, (int)n, buf, want);
    }
}

static void test_numeric_pow10_and_digits(void **state)
{
    (void)state;
    bk_i128 p = 1;
    for (int i = 0; i <= 38; i++) {
        assert_true(bk_pow10_i128(i) == p);
        assert_int_equal(bk_numeric_digits(p), i + 1);
        assert_int_equal(bk_numeric_digits(-p), i + 1);
        if (i > 0) {
            assert_int_equal(bk_numeric_digits(p - 1), i);
        }
        if (i < 38) {
            p *= 10;
        }
    }
    assert_int_equal(bk_numeric_digits(0), 1);
    assert_int_equal(bk_numeric_digits(bk_pow10_i128(38) - 1), 38);
}

static void test_numeric_rescale_rounds_half_away_from_zero(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_numeric_round); i++) {
        dec d = parse_dec(pgx_numeric_round[i].value);
        bk_error err;
        bk_error_clear(&err);
        bk_i128 r;
        int to = pgx_numeric_round[i].scale;
        assert_int_equal(bk_numeric_rescale(d.v, d.scale, to, &r, &err), BK_OK);
        assert_dec_text(r, to, pgx_numeric_round[i].text, pgx_numeric_round[i].value);
    }
}

static void test_numeric_rescale_overflow_is_22003(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    bk_i128 r;
    /* 10^37 at scale 0 -> scale 2 needs 40 digits. */
    assert_int_equal(bk_numeric_rescale(bk_pow10_i128(37), 0, 2, &r, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    assert_string_equal(err.message, "value overflows numeric format");
    /* Zero scales up to anything. */
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_rescale(0, 0, 38, &r, &err), BK_OK);
    assert_true(r == 0);
    /* Scaling down by more than 38 digits rounds to zero. */
    assert_int_equal(bk_numeric_rescale(12345, 0, -50, &r, &err), BK_OK);
    assert_true(r == 0);
}

static void test_numeric_arithmetic_matches_postgresql(void **state)
{
    (void)state;
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_numeric_ops); i++) {
        const char *op = pgx_numeric_ops[i].op;
        dec a = parse_dec(pgx_numeric_ops[i].a);
        dec b = parse_dec(pgx_numeric_ops[i].b);
        bk_error err;
        bk_error_clear(&err);
        bk_i128 r = 0;
        int rs = 0;
        bk_rc rc;
        if (strcmp(op, "add") == 0) {
            rc = bk_numeric_add(a.v, a.scale, b.v, b.scale, &r, &rs, &err);
        } else if (strcmp(op, "sub") == 0) {
            rc = bk_numeric_sub(a.v, a.scale, b.v, b.scale, &r, &rs, &err);
        } else if (strcmp(op, "mul") == 0) {
            rc = bk_numeric_mul(a.v, a.scale, b.v, b.scale, &r, &rs, &err);
        } else {
            rc = bk_numeric_div(a.v, a.scale, b.v, b.scale, &r, &rs, &err);
        }
        char what[128];
        snprintf(what, sizeof what, "%s(%s, %s)", op, pgx_numeric_ops[i].a, pgx_numeric_ops[i].b);
        if (pgx_numeric_ops[i].sqlstate != NULL) {
            assert_int_equal(rc, BK_ERR);
            assert_string_equal(bk_sqlstate_str(err.code), pgx_numeric_ops[i].sqlstate);
            assert_string_equal(err.message, pgx_numeric_ops[i].message);
            continue;
        }
        if (rc != BK_OK) {
            fail_msg("%s: %s", what, err.message);
        }
        assert_dec_text(r, rs, pgx_numeric_ops[i].text, what);
        if (strcmp(op, "div") == 0) {
            assert_int_equal(bk_numeric_div_scale(a.v, a.scale, b.v, b.scale), rs);
        }
    }
}

static void test_numeric_div_named_cases(void **state)
{
    (void)state;

    /* The cases the design notes quote (values from PostgreSQL, see pg_expected.h). */
    static const struct {
        const char *a, *b, *text;
        int scale;
    } cases[] = {
        {     "1", "3", "0.33333333333333333333", 20},
        {    "10", "4",     "2.5000000000000000", 16},
        {"20.551", "3",     "6.8503333333333333", 16},
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        dec a = parse_dec(cases[i].a), b = parse_dec(cases[i].b);
        bk_error err;
        bk_error_clear(&err);
        bk_i128 r;
        int rs;
        assert_int_equal(bk_numeric_div(a.v, a.scale, b.v, b.scale, &r, &rs, &err), BK_OK);
        assert_int_equal(rs, cases[i].scale);
        assert_dec_text(r, rs, cases[i].text, cases[i].a);
    }
}

static void test_numeric_div_by_zero_is_22012(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    bk_i128 r;
    int rs;
    assert_int_equal(bk_numeric_div(5, 0, 0, 2, &r, &rs, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22012");
    assert_string_equal(err.message, "division by zero");
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_div_at(5, 0, 0, 0, 4, &r, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22012");
}

static void test_numeric_overflow_is_22003(void **state)
{
    (void)state;
    bk_i128 max = bk_pow10_i128(38) - 1; /* 38 nines */
    bk_error err;
    bk_i128 r;
    int rs;
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_add(max, 0, 1, 0, &r, &rs, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_sub(-max, 0, 1, 0, &r, &rs, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_mul(max, 0, 10, 0, &r, &rs, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_mul(bk_pow10_i128(30), 0, bk_pow10_i128(30), 0, &r, &rs, &err),
                     BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    bk_error_clear(&err);
    /* max / 0.1 needs 39 digits. */
    assert_int_equal(bk_numeric_div(max, 0, 1, 1, &r, &rs, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22003");
    assert_string_equal(err.message, "value overflows numeric format");
    /* Adding at different scales aligns first: 1 + 0.5 = 1.5. */
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_add(1, 0, 5, 1, &r, &rs, &err), BK_OK);
    assert_true(r == 15);
    assert_int_equal(rs, 1);
}

static void test_numeric_mul_scale_beyond_38_rounds(void **state)
{
    (void)state;
    /* 0.1 (scale 20 display) x 0.1 (scale 20): scale 40 is kept at 38, value exact. */
    bk_error err;
    bk_error_clear(&err);
    bk_i128 r;
    int rs;
    bk_i128 tenth = bk_pow10_i128(19); /* 0.1 at scale 20 */
    assert_int_equal(bk_numeric_mul(tenth, 20, tenth, 20, &r, &rs, &err), BK_OK);
    assert_int_equal(rs, 38);
    assert_true(r == bk_pow10_i128(36)); /* 0.01 at scale 38 */
}

static void test_numeric_cmp_across_scales(void **state)
{
    (void)state;
    assert_int_equal(bk_numeric_cmp(150, 2, 15, 1), 0);   /* 1.50 = 1.5 */
    assert_int_equal(bk_numeric_cmp(149, 2, 15, 1), -1);  /* 1.49 < 1.5 */
    assert_int_equal(bk_numeric_cmp(-149, 2, -15, 1), 1); /* -1.49 > -1.5 */
    assert_int_equal(bk_numeric_cmp(0, 0, 0, 30), 0);
    assert_int_equal(bk_numeric_cmp(1, 38, 0, 0), 1);
    assert_int_equal(bk_numeric_cmp(-1, 38, 0, 0), -1);
    /* Aligning would overflow 128 bits: magnitudes decide. */
    bk_i128 big = bk_pow10_i128(38) - 1;
    assert_int_equal(bk_numeric_cmp(big, 0, 1, 38), 1);
    assert_int_equal(bk_numeric_cmp(-big, 0, 1, 38), -1);
    assert_int_equal(bk_numeric_cmp(1, 38, big, 0), -1);
    assert_int_equal(bk_numeric_cmp(1, 38, -big, 0), 1);
}

static void test_numeric_double_conversions(void **state)
{
    (void)state;
    assert_true(bk_numeric_to_double(1, 1) == 0.1);
    assert_true(bk_numeric_to_double(-12340, 3) == -12.34);
    assert_true(bk_numeric_to_double(0, 5) == 0.0);
    for (size_t i = 0; i < BK_ARRAY_LEN(pgx_numeric_from_double); i++) {
        bk_error err;
        bk_error_clear(&err);
        bk_i128 v;
        uint8_t scale;
        assert_int_equal(bk_numeric_from_double(pgx_numeric_from_double[i].value, &v, &scale, &err),
                         BK_OK);
        assert_dec_text(v, scale, pgx_numeric_from_double[i].text, "float8::numeric");
    }
    bk_error err;
    bk_error_clear(&err);
    bk_i128 v;
    uint8_t scale;
    assert_int_equal(bk_numeric_from_double(NAN, &v, &scale, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "0A000");
    bk_error_clear(&err);
    assert_int_equal(bk_numeric_from_double(-INFINITY, &v, &scale, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "0A000");
}

/* Random operands: a/b*b stays within one unit of the last digit; cmp is antisymmetric. */
static void test_numeric_random_properties(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 21);
    for (int i = 0; i < 5000; i++) {
        bk_i128 a = bk_test_rng_range(&rng, -1000000000000, 1000000000000);
        bk_i128 b = bk_test_rng_range(&rng, -1000000, 1000000);
        int as = (int)bk_test_rng_below(&rng, 7), bs = (int)bk_test_rng_below(&rng, 7);
        assert_int_equal(bk_numeric_cmp(a, as, b, bs), -bk_numeric_cmp(b, bs, a, as));
        bk_error err;
        bk_error_clear(&err);
        bk_i128 s, d;
        int ss, ds;
        assert_int_equal(bk_numeric_add(a, as, b, bs, &s, &ss, &err), BK_OK);
        assert_int_equal(bk_numeric_sub(s, ss, b, bs, &d, &ds, &err), BK_OK);
        assert_int_equal(bk_numeric_cmp(d, ds, a, as), 0);
        if (b == 0) {
            continue;
        }
        bk_i128 q, back;
        int qs, bks;
        assert_int_equal(bk_numeric_div(a, as, b, bs, &q, &qs, &err), BK_OK);
        assert_true(qs >= 16 || qs >= as);
        assert_int_equal(bk_numeric_mul(q, qs, b, bs, &back, &bks, &err), BK_OK);
        /* |q*b - a| <= |b| * 0.5 * 10^-qs */
        bk_i128 diff;
        int dfs;
        assert_int_equal(bk_numeric_sub(back, bks, a, as, &diff, &dfs, &err), BK_OK);
        bk_i128 bound = b < 0 ? -b : b; /* at scale bs + qs, times 1 (>= 0.5 ulp) */
        assert_true(bk_numeric_cmp(diff < 0 ? -diff : diff, dfs, bound, bs + qs) <= 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_pow10_and_digits),
        cmocka_unit_test(test_numeric_rescale_rounds_half_away_from_zero),
        cmocka_unit_test(test_numeric_rescale_overflow_is_22003),
        cmocka_unit_test(test_numeric_arithmetic_matches_postgresql),
        cmocka_unit_test(test_numeric_div_named_cases),
        cmocka_unit_test(test_numeric_div_by_zero_is_22012),
        cmocka_unit_test(test_numeric_overflow_is_22003),
        cmocka_unit_test(test_numeric_mul_scale_beyond_38_rounds),
        cmocka_unit_test(test_numeric_cmp_across_scales),
        cmocka_unit_test(test_numeric_double_conversions),
        cmocka_unit_test(test_numeric_random_properties),
    };
    return bk_run_group_tests("storage/numeric", tests, NULL, NULL);
}
