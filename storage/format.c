/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Value -> text exactly as PostgreSQL 15 prints it with its defaults (DateStyle ISO,
 * IntervalStyle postgres, extra_float_digits 1): clients and the differential tests compare
 * these strings byte for byte.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage.h"

size_t bk_format_bool(uint8_t v, char *buf)
{
    buf[0] = v ? 't' : 'f';
    return 1;
}

size_t bk_format_uint64(uint64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    return n;
}

size_t bk_format_int64(int64_t v, char *buf)
{
    if (v < 0) {
        buf[0] = '-';
        return 1 + bk_format_uint64((uint64_t)0 - (uint64_t)v, buf + 1);
    }
    return bk_format_uint64((uint64_t)v, buf);
}

/*
 * Shortest digits that read back as the same value, then PostgreSQL's layout: fixed notation
 * when the decimal exponent is in [-4, max_fixed_exp), otherwise d.ddde[+-]XX.
 * `digits`/`exp10` come from "%.*e", which rounds correctly; the search tries increasing
 * precisions, so the first that round-trips is the shortest.
 */
static size_t
format_shortest(const char *mant, int n_digits, int exp10, bool neg, int max_fixed_exp, char *buf)
{
    size_t n = 0;
    if (neg) {
        buf[n++] = '-';
    }
    if (exp10 >= -4 && exp10 < max_fixed_exp) {
        if (exp10 < 0) {
            buf[n++] = '0';
            buf[n++] = '.';
            for (int i = 0; i < -exp10 - 1; i++) {
                buf[n++] = '0';
            }
            for (int i = 0; i < n_digits; i++) {
                buf[n++] = mant[i];
            }
        } else {
            for (int i = 0; i <= exp10; i++) {
                buf[n++] = i < n_digits ? mant[i] : '0';
            }
            if (n_digits > exp10 + 1) {
                buf[n++] = '.';
                for (int i = exp10 + 1; i < n_digits; i++) {
                    buf[n++] = mant[i];
                }
            }
        }
        return n;
    }
    buf[n++] = mant[0];
    if (n_digits > 1) {
        buf[n++] = '.';
        for (int i = 1; i < n_digits; i++) {
            buf[n++] = mant[i];
        }
    }
    buf[n++] = 'e';
    buf[n++] = exp10 < 0 ? '-' : '+';
    int e = abs(exp10);
    if (e < 10) {
        buf[n++] = '0';
    }
    char tmp[8];
    int m = snprintf(tmp, sizeof tmp, "%d", e);
    memcpy(buf + n, tmp, (size_t)m);
    return n + (size_t)m;
}

/* Splits "%.*e" output "d.ddde+XX" into digits (no point, trailing zeros dropped). */
static int split_e(const char *s, char *mant, int *exp10)
{
    int n = 0;
    const char *p = s;
    while (*p != 'e') {
        if (*p >= '0' && *p <= '9') {
            mant[n++] = *p;
        }
        p++;
    }
    *exp10 = atoi(p + 1);
    while (n > 1 && mant[n - 1] == '0') {
        n--;
    }
    return n;
}

static size_t special_float(double v, char *buf, bool *done)
{
    *done = true;
    if (isnan(v)) {
        memcpy(buf, "NaN", 3);
        return 3;
    }
    if (isinf(v)) {
        if (v < 0) {
            memcpy(buf, "-Infinity", 9);
            return 9;
        }
        memcpy(buf, "Infinity", 8);
        return 8;
    }
    if (v == 0) {
        if (signbit(v)) {
            memcpy(buf, "-0", 2);
            return 2;
        }
        buf[0] = '0';
        return 1;
    }
    *done = false;
    return 0;
}

/*
 * True when the decimal digits mant[0..n_digits) x 10^(exp10 - n_digits + 1) equal exactly the
 * midpoint between the binary value m x 2^e2 (m its integer significand) and a neighbour.
 * PostgreSQL's Ryu (d2s.c / f2s.c) is built with acceptBounds = false: it never prints such a
 * midpoint, even though strtod would read it back as the value (ties go to the even
 * significand). So a candidate that only round-trips by that tie is not short enough for us
 * either, and one more digit is printed, as PostgreSQL does (5.0492429832090976e+16).
 *
 * Both sides are compared exactly: D x 10^k = O x 2^p with O odd holds iff, writing
 * D = D' x 2^t (D' odd), t + k = p and D' x 5^k = O (k >= 0) or D' = O x 5^-k (k < 0).
 */
static bool
is_midpoint(const char *mant, int n_digits, int exp10, uint64_t m, int e2, bool lower_closer)
{
    uint64_t d = 0;
    for (int i = 0; i < n_digits; i++) {
        d = d * 10 + (uint64_t)(mant[i] - '0');
    }
    int k = exp10 - (n_digits - 1);
    int t = __builtin_ctzll(d);
    uint64_t d_odd = d >> t;
    /* The two midpoints as odd x 2^p. */
    uint64_t odd[2] = {2 * m + 1, lower_closer ? 4 * m - 1 : 2 * m - 1};
    int p[2] = {e2 - 1, lower_closer ? e2 - 2 : e2 - 1};
    for (int j = 0; j < 2; j++) {
        if (t + k != p[j] || k > 27 || k < -27) {
            continue;
        }
        bk_u128 pow5 = 1;
        for (int i = 0; i < (k < 0 ? -k : k); i++) {
            pow5 *= 5;
        }
        if (k >= 0 ? (bk_u128)d_odd * pow5 == odd[j] : (bk_u128)d_odd == (bk_u128)odd[j] * pow5) {
            return true;
        }
    }
    return false;
}

size_t bk_format_float8(double v, char *buf)
{
    bool done;
    size_t n = special_float(v, buf, &done);
    if (done) {
        return n;
    }
    double a = fabs(v);
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    int exp_bits = (int)(bits >> 52);
    uint64_t m = exp_bits == 0 ? frac : frac | (UINT64_C(1) << 52);
    int e2 = exp_bits == 0 ? -1074 : exp_bits - 1075;
    bool lower_closer = frac == 0 && exp_bits > 1;
    char tmp[64], mant[32];
    int exp10 = 0, nd = 0;
    for (int prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, a);
        if (strtod(tmp, NULL) == a) {
            nd = split_e(tmp, mant, &exp10);
            if (!is_midpoint(mant, nd, exp10, m, e2, lower_closer)) {
                break;
            }
        }
    }
    nd = split_e(tmp, mant, &exp10);
    return format_shortest(mant, nd, exp10, v < 0, 15, buf);
}

size_t bk_format_float4(float v, char *buf)
{
    bool done;
    size_t n = special_float((double)v, buf, &done);
    if (done) {
        return n;
    }
    float a = fabsf(v);
    uint32_t bits;
    memcpy(&bits, &a, sizeof bits);
    uint32_t frac = bits & ((UINT32_C(1) << 23) - 1);
    int exp_bits = (int)(bits >> 23);
    uint64_t m = exp_bits == 0 ? frac : frac | (UINT32_C(1) << 23);
    int e2 = exp_bits == 0 ? -149 : exp_bits - 150;
    bool lower_closer = frac == 0 && exp_bits > 1;
    char tmp[64], mant[32];
    int exp10 = 0, nd = 0;
    for (int prec = 0; prec < 9; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, (double)a);
        if (strtof(tmp, NULL) == a) {
            nd = split_e(tmp, mant, &exp10);
            if (!is_midpoint(mant, nd, exp10, m, e2, lower_closer)) {
                break;
            }
        }
    }
    nd = split_e(tmp, mant, &exp10);
    return format_shortest(mant, nd, exp10, v < 0, 6, buf);
}

size_t bk_format_numeric(bk_i128 v, int scale, char *buf)
{
    char digits[48];
    size_t nd = 0;
    bk_u128 a = v < 0 ? (bk_u128)0 - (bk_u128)v : (bk_u128)v;
    do {
        digits[nd++] = (char)('0' + (int)(a % 10));
        a /= 10;
    } while (a != 0);
    /* digits[] holds the number reversed; make sure there is an integer digit. */
    while ((int)nd <= scale) {
        digits[nd++] = '0';
    }
    size_t n = 0;
    if (v < 0) {
        buf[n++] = '-';
    }
    for (size_t i = nd; i > (size_t)scale; i--) {
        buf[n++] = digits[i - 1];
    }
    if (scale > 0) {
        buf[n++] = '.';
        for (size_t i = (size_t)scale; i > 0; i--) {
            buf[n++] = digits[i - 1];
        }
    }
    return n;
}

static size_t put2(char *buf, int v)
{
    buf[0] = (char)('0' + v / 10);
    buf[1] = (char)('0' + v % 10);
    return 2;
}

static size_t format_ymd(int32_t days, char *buf, bool *bc)
{
    int y, m, d;
    bk_date_to_ymd(days, &y, &m, &d);
    *bc = y <= 0;
    if (*bc) {
        y = -(y - 1);
    }
    size_t n = (size_t)snprintf(buf, 16, "%04d", y);
    buf[n++] = '-';
    n += put2(buf + n, m);
    buf[n++] = '-';
    n += put2(buf + n, d);
    return n;
}

size_t bk_format_date(int32_t days, char *buf)
{
    bool bc;
    size_t n = format_ymd(days, buf, &bc);
    if (bc) {
        memcpy(buf + n, " BC", 3);
        n += 3;
    }
    return n;
}

/* Seconds with the fraction trimmed of trailing zeros, as PostgreSQL's AppendSeconds. */
static size_t format_seconds(int sec, int usec, char *buf)
{
    size_t n = put2(buf, sec);
    if (usec != 0) {
        char frac[8];
        snprintf(frac, sizeof frac, "%06d", usec);
        int len = 6;
        while (len > 0 && frac[len - 1] == '0') {
            len--;
        }
        buf[n++] = '.';
        memcpy(buf + n, frac, (size_t)len);
        n += (size_t)len;
    }
    return n;
}

static size_t format_ts(int64_t us, char *buf, bool tz)
{
    int64_t days = us / BK_USECS_PER_DAY;
    int64_t rem = us % BK_USECS_PER_DAY;
    if (rem < 0) {
        rem += BK_USECS_PER_DAY;
        days--;
    }
    bool bc;
    size_t n = format_ymd((int32_t)days, buf, &bc);
    int64_t secs = rem / BK_USECS_PER_SEC;
    int usec = (int)(rem % BK_USECS_PER_SEC);
    buf[n++] = ' ';
    n += put2(buf + n, (int)(secs / 3600));
    buf[n++] = ':';
    n += put2(buf + n, (int)(secs / 60 % 60));
    buf[n++] = ':';
    n += format_seconds((int)(secs % 60), usec, buf + n);
    if (tz) {
        memcpy(buf + n, "+00", 3);
        n += 3;
    }
    if (bc) {
        memcpy(buf + n, " BC", 3);
        n += 3;
    }
    return n;
}

size_t bk_format_timestamp(int64_t us, char *buf)
{
    return format_ts(us, buf, false);
}

size_t bk_format_timestamptz(int64_t us, char *buf)
{
    return format_ts(us, buf, true);
}

/* PostgreSQL's AddPostgresIntPart: "+" marks a positive field after a negative one. */
static size_t
add_int_part(char *buf, int64_t value, const char *unit, bool *is_zero, bool *is_before)
{
    if (value == 0) {
        return 0;
    }
    /* Through a local buffer: the contract is "no NUL written after the text". */
    char tmp[48];
    int n = snprintf(tmp, sizeof tmp, "%s%s%lld %s%s", *is_zero ? "" : " ",
                     (*is_before && value > 0) ? "+" : "", (long long)value, unit,
                     value != 1 ? "s" : "");
    memcpy(buf, tmp, (size_t)n);
    *is_before = value < 0;
    *is_zero = false;
    return (size_t)n;
}

size_t bk_format_interval(bk_interval v, char *buf)
{
    bool is_zero = true, is_before = false;
    size_t n = 0;
    int64_t year = v.months / 12;
    int64_t mon = v.months % 12;
    n += add_int_part(buf + n, year, "year", &is_zero, &is_before);
    n += add_int_part(buf + n, mon, "mon", &is_zero, &is_before);
    n += add_int_part(buf + n, v.days, "day", &is_zero, &is_before);
    int64_t t = v.us;
    if (is_zero || t != 0) {
        bool minus = t < 0;
        uint64_t a = minus ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
        uint64_t hours = a / 3600000000u;
        uint64_t mins = a / 60000000u % 60;
        int secs = (int)(a / 1000000u % 60);
        int usec = (int)(a % 1000000u);
        char tmp[48];
        int m = snprintf(tmp, sizeof tmp, "%s%s%02llu:%02llu:", is_zero ? "" : " ",
                         minus ? "-" : (is_before ? "+" : ""), (unsigned long long)hours,
                         (unsigned long long)mins);
        memcpy(buf + n, tmp, (size_t)m);
        n += (size_t)m;
        n += format_seconds(secs, usec, buf + n);
    }
    return n;
}
