/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exact decimals as 128-bit integers with a decimal scale: value = v / 10^scale. This covers
 * 38 significant digits, which holds every money amount and ratio the analytics produce;
 * results beyond it raise 22003 rather than lose digits silently.
 *
 * Result scales follow PostgreSQL's numeric.c so that text output matches digit for digit:
 * addition keeps the larger input scale, multiplication adds the scales, and division uses
 * select_div_scale (at least 16 significant digits, never fewer decimals than an input).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "storage.h"

/* 10^0 .. 10^38; entries past 10^19 are products of two 64-bit constants. */
static const bk_i128 pow10_tab[39] = {
    (bk_i128)UINT64_C(1),
    (bk_i128)UINT64_C(10),
    (bk_i128)UINT64_C(100),
    (bk_i128)UINT64_C(1000),
    (bk_i128)UINT64_C(10000),
    (bk_i128)UINT64_C(100000),
    (bk_i128)UINT64_C(1000000),
    (bk_i128)UINT64_C(10000000),
    (bk_i128)UINT64_C(100000000),
    (bk_i128)UINT64_C(1000000000),
    (bk_i128)UINT64_C(10000000000),
    (bk_i128)UINT64_C(100000000000),
    (bk_i128)UINT64_C(1000000000000),
    (bk_i128)UINT64_C(10000000000000),
    (bk_i128)UINT64_C(100000000000000),
    (bk_i128)UINT64_C(1000000000000000),
    (bk_i128)UINT64_C(10000000000000000),
    (bk_i128)UINT64_C(100000000000000000),
    (bk_i128)UINT64_C(1000000000000000000),
    (bk_i128)UINT64_C(10000000000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(100),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(1000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(100000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(1000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(100000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(1000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(100000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(1000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(100000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(1000000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10000000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(100000000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(1000000000000000000),
    (bk_i128)UINT64_C(10000000000000000000) * UINT64_C(10000000000000000000),
};

static const bk_i128 *pow10_table(void)
{
    return pow10_tab;
}

bk_i128 bk_pow10_i128(int n)
{
    BK_ASSERT(n >= 0 && n <= 38);
    return pow10_table()[n];
}

static bk_u128 u128_abs(bk_i128 v)
{
    return v < 0 ? (bk_u128)0 - (bk_u128)v : (bk_u128)v;
}

int bk_numeric_digits(bk_i128 v)
{
    bk_u128 a = u128_abs(v);
    const bk_i128 *p = pow10_table();
    int d = 1;
    while (d < 39 && a >= (bk_u128)p[d]) {
        d++;
    }
    return d;
}

static bool fits(bk_i128 v)
{
    return u128_abs(v) < (bk_u128)pow10_table()[38];
}

bk_rc bk_numeric_rescale(bk_i128 v, int from, int to, bk_i128 *out, bk_error *err)
{
    if (to == from) {
        *out = v;
        return BK_OK;
    }
    if (to > from) {
        int k = to - from;
        if (k > 38) {
            if (v == 0) {
                *out = 0;
                return BK_OK;
            }
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        }
        bk_i128 r;
        if (__builtin_mul_overflow(v, pow10_table()[k], &r) || !fits(r)) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        }
        *out = r;
        return BK_OK;
    }
    int k = from - to;
    if (k > 38) {
        *out = 0;
        return BK_OK;
    }
    bk_i128 d = pow10_table()[k];
    bk_i128 q = v / d;
    bk_i128 rem = v % d;
    bk_u128 r2 = u128_abs(rem) * 2;
    if (r2 >= (bk_u128)d) {
        q += v < 0 ? -1 : 1;
    }
    *out = q;
    return BK_OK;
}

int bk_numeric_cmp(bk_i128 a, int as, bk_i128 b, int bs)
{
    if (as != bs) {
        /* Align on the larger scale; if that overflows, the magnitudes already decide. */
        bk_i128 x = a, y = b;
        int k = as > bs ? as - bs : bs - as;
        bk_i128 *lo = as > bs ? &y : &x;
        bk_i128 scaled;
        if (k > 38 || __builtin_mul_overflow(*lo, pow10_table()[k], &scaled)) {
            /* |lo * 10^k| exceeds int128: the side with the smaller scale dominates. */
            bk_i128 big = as > bs ? b : a;
            int sign = big > 0 ? 1 : -1;
            return as > bs ? -sign : sign;
        }
        *lo = scaled;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

double bk_numeric_to_double(bk_i128 v, int scale)
{
    /* Through the decimal text, so the result is the correctly rounded double. */
    char buf[BK_FORMAT_MAX + 1];
    size_t n = bk_format_numeric(v, scale, buf);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

/*
 * PostgreSQL's select_div_scale: the weight (base-10000 exponent) and first base-10000 digit
 * of each operand decide how many decimals give at least 16 significant digits.
 */
static void base10000_head(bk_i128 v, int scale, int *weight, int *first_digit)
{
    if (v == 0) {
        *weight = 0;
        *first_digit = 0;
        return;
    }
    int e = bk_numeric_digits(v) - 1 - scale; /* decimal exponent of the leading digit */
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int shift = scale + 4 * w;
    bk_u128 a = u128_abs(v);
    bk_u128 fd = shift >= 0 ? a / (bk_u128)pow10_tab[shift] : a * (bk_u128)pow10_tab[-shift];
    *weight = w;
    *first_digit = (int)fd;
}

int bk_numeric_div_scale(bk_i128 a, int as, bk_i128 b, int bs)
{
    int w1, f1, w2, f2;
    base10000_head(a, as, &w1, &f1);
    base10000_head(b, bs, &w2, &f2);
    int qweight = w1 - w2;
    if (f1 <= f2) {
        qweight--;
    }
    int rscale = 16 - qweight * 4;
    rscale = BK_MAX(rscale, as);
    rscale = BK_MAX(rscale, bs);
    rscale = BK_MAX(rscale, 0);
    rscale = BK_MIN(rscale, 1000);
    return rscale;
}

static bk_rc overflow(bk_error *err)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

bk_rc bk_numeric_add(bk_i128 a,
                     int as,
                     bk_i128 b,
                     int bs,
                     bk_i128 *out,
                     int *out_scale,
                     bk_error *err)
{
    int s = BK_MAX(as, bs);
    bk_i128 x, y, r;
    if (bk_numeric_rescale(a, as, s, &x, err) != BK_OK ||
        bk_numeric_rescale(b, bs, s, &y, err) != BK_OK) {
        return BK_ERR;
    }
    if (__builtin_add_overflow(x, y, &r) || !fits(r)) {
        return overflow(err);
    }
    *out = r;
    *out_scale = s;
    return BK_OK;
}

bk_rc bk_numeric_sub(bk_i128 a,
                     int as,
                     bk_i128 b,
                     int bs,
                     bk_i128 *out,
                     int *out_scale,
                     bk_error *err)
{
    return bk_numeric_add(a, as, -b, bs, out, out_scale, err);
}

bk_rc bk_numeric_mul(bk_i128 a,
                     int as,
                     bk_i128 b,
                     int bs,
                     bk_i128 *out,
                     int *out_scale,
                     bk_error *err)
{
    bk_i128 r;
    int s = as + bs;
    if (__builtin_mul_overflow(a, b, &r)) {
        return overflow(err);
    }
    if (s > BK_NUMERIC_MAX_SCALE) {
        /* PostgreSQL keeps every decimal; we keep 38 and round, which is exact when the
         * dropped digits are zero (the common case of long but short-valued scales). The
         * digit limit applies to the rounded result: 0.1 x 0.1 at scale 20 each is fine. */
        if (bk_numeric_rescale(r, s, BK_NUMERIC_MAX_SCALE, &r, err) != BK_OK) {
            return BK_ERR;
        }
        s = BK_NUMERIC_MAX_SCALE;
    }
    if (!fits(r)) {
        return overflow(err);
    }
    *out = r;
    *out_scale = s;
    return BK_OK;
}

bk_rc bk_numeric_div_at(bk_i128 a,
                        int as,
                        bk_i128 b,
                        int bs,
                        int rscale,
                        bk_i128 *out,
                        bk_error *err)
{
    if (b == 0) {
        return bk_raise(err, DIVISION_BY_ZERO, "division by zero");
    }
    /* q = round(a * 10^(rscale - as + bs) / b), half away from zero. */
    int k = rscale - as + bs;
    bk_i128 n = a, d = b;
    if (k > 0) {
        if (k > 38 || __builtin_mul_overflow(a, pow10_tab[k], &n)) {
            return overflow(err);
        }
    } else if (k < 0) {
        if (-k > 38 || __builtin_mul_overflow(b, pow10_tab[-k], &d)) {
            *out = 0; /* |a / b| < 10^-38 at this scale: rounds to zero */
            return BK_OK;
        }
    }
    bk_i128 q = n / d;
    bk_i128 r = n % d;
    if (u128_abs(r) >= u128_abs(d) - u128_abs(r)) {
        q += ((n < 0) != (d < 0)) ? -1 : 1;
    }
    if (!fits(q)) {
        return overflow(err);
    }
    *out = q;
    return BK_OK;
}

bk_rc bk_numeric_div(bk_i128 a,
                     int as,
                     bk_i128 b,
                     int bs,
                     bk_i128 *out,
                     int *out_scale,
                     bk_error *err)
{
    if (b == 0) {
        return bk_raise(err, DIVISION_BY_ZERO, "division by zero");
    }
    int rscale = bk_numeric_div_scale(a, as, b, bs);
    if (rscale > BK_NUMERIC_MAX_SCALE) {
        rscale = BK_NUMERIC_MAX_SCALE;
    }
    *out_scale = rscale;
    return bk_numeric_div_at(a, as, b, bs, rscale, out, err);
}

bk_rc bk_numeric_from_double(double d, bk_i128 *out, uint8_t *out_scale, bk_error *err)
{
    if (isnan(d) || isinf(d)) {
        return bk_raise(err, FEATURE_NOT_SUPPORTED, "cannot convert %s to numeric in Basket",
                        isnan(d) ? "NaN" : "infinity");
    }
    /* PostgreSQL's float8_numeric prints DBL_DIG (15) significant digits and parses them. */
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.15g", d);
    return bk_parse_numeric((bk_str){buf, (size_t)n}, out, out_scale, err);
}
