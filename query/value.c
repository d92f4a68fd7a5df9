/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-value operations every operator needs: total-order comparison (PostgreSQL's btree
 * semantics: NaN sorts above every number and equals itself, -0 equals 0, numerics compare by
 * value across scales, text by bytes as in the C collation, intervals by their span), hashing
 * consistent with that equality, and text output under the session's settings.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "query_int.h"

static int cmp_double(double a, double b)
{
    bool an = isnan(a), bn = isnan(b);
    if (an || bn) {
        return an && bn ? 0 : an ? 1 : -1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

static bk_i128 interval_span(bk_interval v)
{
    /* PostgreSQL's interval_cmp_value: months count as 30 days. */
    return (bk_i128)v.us + (bk_i128)v.days * BK_USECS_PER_DAY +
           (bk_i128)v.months * 30 * BK_USECS_PER_DAY;
}

int bk_value_cmp(const bk_vec *a, uint32_t i, const bk_vec *b, uint32_t j)
{
    switch (a->type.id) {
    case BK_TYPE_BOOL: {
        uint8_t x = ((const uint8_t *)a->data)[i], y = ((const uint8_t *)b->data)[j];
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case BK_TYPE_INT2: {
        int16_t x = ((const int16_t *)a->data)[i], y = ((const int16_t *)b->data)[j];
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case BK_TYPE_INT4:
    case BK_TYPE_DATE: {
        int32_t x = ((const int32_t *)a->data)[i], y = ((const int32_t *)b->data)[j];
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case BK_TYPE_OID: {
        uint32_t x = ((const uint32_t *)a->data)[i], y = ((const uint32_t *)b->data)[j];
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case BK_TYPE_INT8:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ: {
        int64_t x = ((const int64_t *)a->data)[i], y = ((const int64_t *)b->data)[j];
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case BK_TYPE_FLOAT4:
        return cmp_double(((const float *)a->data)[i], ((const float *)b->data)[j]);
    case BK_TYPE_FLOAT8:
        return cmp_double(((const double *)a->data)[i], ((const double *)b->data)[j]);
    case BK_TYPE_NUMERIC:
        return bk_numeric_cmp(((const bk_i128 *)a->data)[i], a->scale[i],
                              ((const bk_i128 *)b->data)[j], b->scale[j]);
    case BK_TYPE_TEXT:
    case BK_TYPE_UNKNOWN: {
        bk_str x = ((const bk_str *)a->data)[i], y = ((const bk_str *)b->data)[j];
        size_t n = BK_MIN(x.len, y.len);
        int c = n == 0 ? 0 : memcmp(x.ptr, y.ptr, n);
        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
        return x.len < y.len ? -1 : x.len > y.len ? 1 : 0;
    }
    case BK_TYPE_INTERVAL: {
        bk_i128 x = interval_span(((const bk_interval *)a->data)[i]);
        bk_i128 y = interval_span(((const bk_interval *)b->data)[j]);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    case BK_TYPE_COUNT_:
        break;
    }
    return 0;
}

uint64_t bk_value_hash(const bk_vec *v, uint32_t i)
{
    switch (v->type.id) {
    case BK_TYPE_BOOL:
        return bk_hash_u64(((const uint8_t *)v->data)[i]);
    case BK_TYPE_INT2:
        return bk_hash_u64((uint64_t)(int64_t)((const int16_t *)v->data)[i]);
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        return bk_hash_u64((uint64_t)(int64_t)((const int32_t *)v->data)[i]);
    case BK_TYPE_OID:
        return bk_hash_u64(((const uint32_t *)v->data)[i]);
    case BK_TYPE_INT8:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
        return bk_hash_u64((uint64_t)((const int64_t *)v->data)[i]);
    case BK_TYPE_FLOAT4:
    case BK_TYPE_FLOAT8: {
        double d = v->type.id == BK_TYPE_FLOAT4 ? (double)((const float *)v->data)[i]
                                                : ((const double *)v->data)[i];
        if (d == 0) {
            d = 0; /* -0 hashes as 0 */
        }
        if (isnan(d)) {
            return 0x7ff8dead;
        }
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return bk_hash_u64(bits);
    }
    case BK_TYPE_NUMERIC: {
        /* Normalise trailing zeros so 1.50 and 1.5 hash alike. */
        bk_i128 x = ((const bk_i128 *)v->data)[i];
        int s = v->scale[i];
        while (s > 0 && x % 10 == 0) {
            x /= 10;
            s--;
        }
        if (x == 0) {
            s = 0;
        }
        uint64_t lo = (uint64_t)x, hi = (uint64_t)((bk_u128)x >> 64);
        return bk_hash_combine(bk_hash_combine(bk_hash_u64(lo), hi), (uint64_t)s);
    }
    case BK_TYPE_TEXT:
    case BK_TYPE_UNKNOWN: {
        bk_str s = ((const bk_str *)v->data)[i];
        return bk_hash64(s.ptr, s.len);
    }
    case BK_TYPE_INTERVAL: {
        bk_i128 x = interval_span(((const bk_interval *)v->data)[i]);
        return bk_hash_combine(bk_hash_u64((uint64_t)x), (uint64_t)((bk_u128)x >> 64));
    }
    case BK_TYPE_COUNT_:
        break;
    }
    return 0;
}

/* float output when extra_float_digits <= 0: printf %g with 15 (6 for float4) + efd digits. */
static size_t format_float_precision(double v, int digits, char *buf)
{
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
    int n = snprintf(buf, BK_FORMAT_MAX, "%.*g", digits < 1 ? 1 : digits, v);
    return n < 0 ? 0 : (size_t)n;
}

bk_rc bk_value_to_text(const bk_session *s, const bk_vec *v, uint32_t i, bk_buf *out)
{
    char buf[BK_FORMAT_MAX];
    size_t n = 0;
    int efd = s != NULL ? s->extra_float_digits : 1;
    switch (v->type.id) {
    case BK_TYPE_BOOL:
        n = bk_format_bool(((const uint8_t *)v->data)[i], buf);
        break;
    case BK_TYPE_INT2:
        n = bk_format_int64(((const int16_t *)v->data)[i], buf);
        break;
    case BK_TYPE_INT4:
        n = bk_format_int64(((const int32_t *)v->data)[i], buf);
        break;
    case BK_TYPE_INT8:
        n = bk_format_int64(((const int64_t *)v->data)[i], buf);
        break;
    case BK_TYPE_OID:
        n = bk_format_uint64(((const uint32_t *)v->data)[i], buf);
        break;
    case BK_TYPE_FLOAT4:
        n = efd > 0 ? bk_format_float4(((const float *)v->data)[i], buf)
                    : format_float_precision((double)((const float *)v->data)[i], 6 + efd, buf);
        break;
    case BK_TYPE_FLOAT8:
        n = efd > 0 ? bk_format_float8(((const double *)v->data)[i], buf)
                    : format_float_precision(((const double *)v->data)[i], 15 + efd, buf);
        break;
    case BK_TYPE_NUMERIC:
        n = bk_format_numeric(((const bk_i128 *)v->data)[i], v->scale[i], buf);
        break;
    case BK_TYPE_DATE:
        n = bk_format_date(((const int32_t *)v->data)[i], buf);
        break;
    case BK_TYPE_TIMESTAMP:
        n = bk_format_timestamp(((const int64_t *)v->data)[i], buf);
        break;
    case BK_TYPE_TIMESTAMPTZ:
        n = bk_format_timestamptz(((const int64_t *)v->data)[i], buf);
        break;
    case BK_TYPE_INTERVAL:
        n = bk_format_interval(((const bk_interval *)v->data)[i], buf);
        break;
    case BK_TYPE_TEXT:
    case BK_TYPE_UNKNOWN: {
        bk_str str = ((const bk_str *)v->data)[i];
        return bk_buf_append(out, str.ptr, str.len);
    }
    case BK_TYPE_COUNT_:
        break;
    }
    return bk_buf_append(out, buf, n);
}
