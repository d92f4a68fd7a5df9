/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text -> value parsers with PostgreSQL 15's accepted syntax and error messages. They serve
 * the CSV loader, SQL casts and literals, and text-format Bind parameters alike, so a value is
 * accepted or rejected the same way whichever door it came through.
 *
 * Every parser takes an explicit (pointer, length): input comes straight from network buffers
 * and CSV chunks and is never assumed NUL-terminated.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

static bk_rc syntax_error(bk_error *err, const char *type_name, bk_str raw)
{
    return bk_raise(err, INVALID_TEXT_REPRESENTATION, "invalid input syntax for type %s: \"%.*s\"",
                    type_name, (int)BK_MIN(raw.len, 400), raw.ptr);
}

static bk_rc range_error(bk_error *err, const char *type_name, bk_str raw)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value \"%.*s\" is out of range for type %s",
                    (int)BK_MIN(raw.len, 400), raw.ptr, type_name);
}

bk_rc bk_parse_bool(bk_str raw, uint8_t *out, bk_error *err)
{
    bk_str s = trim(raw);
    if (s.len > 0 && s.len <= 5) {
        /* PostgreSQL accepts any unique prefix of the words, "on"/"off" needing two letters. */
        static const struct {
            const char *word;
            size_t min_len;
            uint8_t value;
        } words[] = {
            { "true", 1, 1},
            {"false", 1, 0},
            {  "yes", 1, 1},
            {   "no", 1, 0},
            {   "on", 2, 1},
            {  "off", 2, 0},
        };

        for (size_t i = 0; i < BK_ARRAY_LEN(words); i++) {
            size_t wl = strlen(words[i].word);
            if (s.len >= words[i].min_len && s.len <= wl) {
                bool match = true;
                for (size_t j = 0; j < s.len; j++) {
                    if (lower(s.ptr[j]) != words[i].word[j]) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    *out = words[i].value;
                    return BK_OK;
                }
            }
        }
        if (s.len == 1 && (s.ptr[0] == '1' || s.ptr[0] == '0')) {
            *out = s.ptr[0] == '1';
            return BK_OK;
        }
    }
    return syntax_error(err, "boolean", raw);
}

/* Parses [sign]digits into a magnitude-checked int64 within [min, max]. */
static bk_rc parse_integer(bk_str raw,
                           int64_t min,
                           int64_t max,
                           const char *type_name,
                           int64_t *out,
                           bk_error *err)
{
    bk_str s = trim(raw);
    size_t i = 0;
    bool neg = false;
    if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-')) {
        neg = s.ptr[i] == '-';
        i++;
    }
    if (i == s.len) {
        return syntax_error(err, type_name, raw);
    }
    /* Accumulate negatively so INT64_MIN parses without overflow. */
    int64_t acc = 0;
    bool overflow = false;
    for (; i < s.len; i++) {
        if (!is_digit(s.ptr[i])) {
            return syntax_error(err, type_name, raw);
        }
        int d = s.ptr[i] - '0';
        if (!overflow &&
            (__builtin_mul_overflow(acc, 10, &acc) || __builtin_sub_overflow(acc, d, &acc))) {
            overflow = true;
        }
    }
    if (overflow) {
        return range_error(err, type_name, raw);
    }
    if (!neg) {
        if (acc == INT64_MIN) {
            return range_error(err, type_name, raw);
        }
        acc = -acc;
    }
    if (acc < min || acc > max) {
        return range_error(err, type_name, raw);
    }
    *out = acc;
    return BK_OK;
}

bk_rc bk_parse_int2(bk_str s, int16_t *out, bk_error *err)
{
    int64_t v;
    if (parse_integer(s, INT16_MIN, INT16_MAX, "smallint", &v, err) != BK_OK) {
        return BK_ERR;
    }
    *out = (int16_t)v;
    return BK_OK;
}

bk_rc bk_parse_int4(bk_str s, int32_t *out, bk_error *err)
{
    int64_t v;
    if (parse_integer(s, INT32_MIN, INT32_MAX, "integer", &v, err) != BK_OK) {
        return BK_ERR;
    }
    *out = (int32_t)v;
    return BK_OK;
}

bk_rc bk_parse_int8(bk_str s, int64_t *out, bk_error *err)
{
    return parse_integer(s, INT64_MIN, INT64_MAX, "bigint", out, err);
}

bk_rc bk_parse_oid(bk_str raw, uint32_t *out, bk_error *err)
{
    /* oidin accepts -2147483648 .. 4294967295, negatives wrapping as in C. */
    int64_t v;
    bk_error tmp;
    bk_error_clear(&tmp);
    if (parse_integer(raw, INT32_MIN, UINT32_MAX, "oid", &v, &tmp) != BK_OK) {
        if (tmp.code == BK_ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE) {
            return range_error(err, "oid", raw);
        }
        return syntax_error(err, "oid", raw);
    }
    *out = (uint32_t)v;
    return BK_OK;
}

/*
 * float4in / float8in: strtof or strtod on a bounded copy (strtof for real, so that a value is
 * rounded once, not via double), accepting PostgreSQL's NaN / Infinity spellings. As in
 * PostgreSQL, ERANGE is an error only when the result is zero or infinite: denormals are
 * accepted. The out-of-range message quotes the trimmed number for double precision but the
 * whole input for real, which is what PostgreSQL 15 prints.
 */
static bk_rc parse_float(bk_str raw, bool single, double *out, bk_error *err)
{
    const char *type_name = single ? "real" : "double precision";
    bk_str s = trim(raw);
    if (s.len == 0 || s.len > 1000) {
        return syntax_error(err, type_name, raw);
    }
    char buf[1024];
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    bk_str body = s;
    bool neg = false;
    if (body.ptr[0] == '+' || body.ptr[0] == '-') {
        neg = body.ptr[0] == '-';
        body.ptr++;
        body.len--;
    }
    if (ieq(body, "nan")) {
        *out = NAN;
        return BK_OK;
    }
    if (ieq(body, "infinity") || ieq(body, "inf")) {
        *out = neg ? -INFINITY : INFINITY;
        return BK_OK;
    }
    /* Only decimal syntax: no hex floats, no "nan(...)" or "infinity" via strtod. */
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!(is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
            return syntax_error(err, type_name, raw);
        }
    }
    char *end = NULL;
    errno = 0;
    double v = single ? (double)strtof(buf, &end) : strtod(buf, &end);
    if (end == buf || *end != '\0') {
        return syntax_error(err, type_name, raw);
    }
    if (errno == ERANGE && (v == 0.0 || isinf(v))) {
        bk_str shown = single ? raw : s;
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "\"%.*s\" is out of range for type %s",
                        (int)BK_MIN(shown.len, 400), shown.ptr, type_name);
    }
    *out = v;
    return BK_OK;
}

bk_rc bk_parse_float8(bk_str s, double *out, bk_error *err)
{
    return parse_float(s, false, out, err);
}

bk_rc bk_parse_float4(bk_str s, float *out, bk_error *err)
{
    double d;
    if (parse_float(s, true, &d, err) != BK_OK) {
        return BK_ERR;
    }
    *out = (float)d;
    return BK_OK;
}

bk_rc bk_parse_numeric(bk_str raw, bk_i128 *out, uint8_t *out_scale, bk_error *err)
{
    bk_str s = trim(raw);
    size_t i = 0;
    bool neg = false;
    if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-')) {
        neg = s.ptr[i] == '-';
        i++;
    }
    bk_str body = {s.ptr + i, s.len - i};
    if (ieq(s, "nan") || ieq(body, "infinity") || ieq(body, "inf")) {
        return bk_raise(err, FEATURE_NOT_SUPPORTED,
                        "numeric NaN and infinity are not supported by Basket");
    }
    bk_u128 acc = 0;
    int n_digits = 0; /* significant digits accumulated (leading zeros skipped) */
    int frac = 0;
    bool any_digit = false, seen_point = false;
    int dropped_int = 0; /* integer digits beyond 38 (overflow) */
    for (; i < s.len; i++) {
        char c = s.ptr[i];
        if (is_digit(c)) {
            any_digit = true;
            if (seen_point) {
                frac++;
            }
            if (acc == 0 && c == '0') {
                continue;
            }
            if (n_digits >= BK_NUMERIC_MAX_DIGITS) {
                dropped_int++;
                continue;
            }
            acc = acc * 10 + (bk_u128)(unsigned)(c - '0');
            n_digits++;
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!any_digit) {
        return syntax_error(err, "numeric", raw);
    }
    long exp10 = 0;
    if (i < s.len && (s.ptr[i] == 'e' || s.ptr[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-')) {
            eneg = s.ptr[i] == '-';
            i++;
        }
        if (i == s.len || !is_digit(s.ptr[i])) {
            return syntax_error(err, "numeric", raw);
        }
        for (; i < s.len && is_digit(s.ptr[i]); i++) {
            if (exp10 < 100000) {
                exp10 = exp10 * 10 + (s.ptr[i] - '0');
            }
        }
        if (eneg) {
            exp10 = -exp10;
        }
    }
    if (i != s.len) {
        return syntax_error(err, "numeric", raw);
    }
    if (dropped_int > 0) {
        /* More than 38 significant digits: exact only if the extra ones are fractional
         * zeros, which is rare enough to refuse outright. */
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
    }
    long scale = (long)frac - exp10;
    bk_i128 v = (bk_i128)acc;
    if (scale < 0) {
        bk_i128 r;
        if (bk_numeric_rescale(v, 0, (int)BK_MIN(-scale, 100), &r, err) != BK_OK) {
            return BK_ERR;
        }
        v = r;
        scale = 0;
    }
    if (scale > BK_NUMERIC_MAX_SCALE) {
        bk_i128 r;
        if (bk_numeric_rescale(v, (int)BK_MIN(scale, 1000), BK_NUMERIC_MAX_SCALE, &r, err) !=
            BK_OK) {
            return BK_ERR;
        }
        v = r;
        scale = BK_NUMERIC_MAX_SCALE;
    }
    *out = neg ? -v : v;
    *out_scale = (uint8_t)scale;
    return BK_OK;
}
