/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Result encoding in binary format: each value laid out as PostgreSQL 15's type send function
 * lays it out, so that a client decoding binary results (Npgsql, which Power BI uses, asks for
 * binary on every column; so do pgjdbc for some types and psycopg's binary cursors) reads the
 * same bytes it would read from PostgreSQL:
 *
 *   bool                 1 byte, 0 or 1                                        (boolsend)
 *   int2 / int4 / int8   two's complement, big-endian                          (int*send)
 *   oid, regclass, ...   uint32, big-endian                                    (oidsend)
 *   float4 / float8      IEEE 754 bits, big-endian (NaN and -0 as they are)     (float*send)
 *   numeric              int16 ndigits, int16 weight, uint16 sign, uint16 dscale, then
 *                        ndigits base-10000 digits; no leading or trailing zero digits, zero
 *                        has no digits and weight 0                              (numeric_send)
 *   text, varchar, name  the bytes of the value                                 (textsend)
 *   bpchar               the bytes, padding included                           (bpcharsend)
 *   "char"               exactly one byte (0 for the empty value)                 (charsend)
 *   date                 int32 days since 2000-01-01                             (date_send)
 *   timestamp(tz)        int64 microseconds since 2000-01-01 00:00 (UTC)    (timestamp_send)
 *   interval             int64 microseconds, int32 days, int32 months         (interval_send)
 *
 * Checked byte for byte against PostgreSQL 15.18 (tests/unit/protocol/test_extended.c).
 */
#include <string.h>

#include "protocol_int.h"

static bk_rc put_be16(bk_buf *out, uint16_t v)
{
    uint8_t b[2];
    bk_put_be16(b, v);
    return bk_buf_append(out, b, 2);
}

static bk_rc put_be32(bk_buf *out, uint32_t v)
{
    uint8_t b[4];
    bk_put_be32(b, v);
    return bk_buf_append(out, b, 4);
}

static bk_rc put_be64(bk_buf *out, uint64_t v)
{
    uint8_t b[8];
    bk_put_be64(b, v);
    return bk_buf_append(out, b, 8);
}

#define NUMERIC_POS 0x0000
#define NUMERIC_NEG 0x4000
#define NBASE       10000

/*
 * value = v / 10^scale, scale <= 38. The integer part and the fraction are split first so
 * that no intermediate exceeds |v| (< 10^38 fits an unsigned 128-bit integer): the fraction's
 * base-10000 groups are cut from its left, the last one padded with zeros on the right.
 */
static bk_rc numeric_binary(bk_buf *out, bk_i128 v, int scale)
{
    bool neg = v < 0;
    bk_u128 mag = neg ? (bk_u128)0 - (bk_u128)v : (bk_u128)v;
    bk_u128 pow = (bk_u128)bk_pow10_i128(scale);
    bk_u128 ip = mag / pow, fp = mag % pow;
    uint16_t groups[24]; /* <= 10 integer groups + <= 10 fraction groups */
    int n = 0;
    uint16_t rev[12];
    int n_int = 0;
    while (ip > 0) {
        rev[n_int++] = (uint16_t)(ip % NBASE);
        ip /= NBASE;
    }
    for (int i = n_int - 1; i >= 0; i--) {
        groups[n++] = rev[i];
    }
    int n_frac = (scale + 3) / 4;
    for (int k = 1; k <= n_frac; k++) {
        int e = scale - 4 * k; /* decimal exponent of the group's last digit, from the right */
        uint64_t g;
        if (e >= 0) {
            g = (uint64_t)((fp / (bk_u128)bk_pow10_i128(e)) % NBASE);
        } else {
            g = (uint64_t)(fp % (bk_u128)bk_pow10_i128(scale - 4 * (k - 1))) *
                (uint64_t)bk_pow10_i128(-e);
        }
        groups[n++] = (uint16_t)g;
    }
    int weight = n_int - 1;
    int first = 0;
    while (first < n && groups[first] == 0) {
        first++;
        weight--;
    }
    while (n > first && groups[n - 1] == 0) {
        n--;
    }
    int ndigits = n - first;
    if (ndigits == 0) {
        weight = 0;
        neg = false;
    }
    if (put_be16(out, (uint16_t)ndigits) != BK_OK ||
        put_be16(out, (uint16_t)(int16_t)weight) != BK_OK ||
        put_be16(out, neg ? NUMERIC_NEG : NUMERIC_POS) != BK_OK ||
        put_be16(out, (uint16_t)scale) != BK_OK) {
        return BK_ERR;
    }
    for (int i = first; i < n; i++) {
        if (put_be16(out, groups[i]) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

bk_rc pq_value_binary(bk_buf *out, const bk_vec *v, uint32_t row)
{
    switch (v->type.id) {
    case BK_TYPE_BOOL:
        return bk_buf_append_byte(out, ((const uint8_t *)v->data)[row] != 0 ? 1 : 0);
    case BK_TYPE_INT2:
        return put_be16(out, (uint16_t)((const int16_t *)v->data)[row]);
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        return put_be32(out, (uint32_t)((const int32_t *)v->data)[row]);
    case BK_TYPE_OID:
        return put_be32(out, ((const uint32_t *)v->data)[row]);
    case BK_TYPE_INT8:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
        return put_be64(out, (uint64_t)((const int64_t *)v->data)[row]);
    case BK_TYPE_FLOAT4: {
        uint32_t bits;
        memcpy(&bits, (const float *)v->data + row, sizeof bits);
        return put_be32(out, bits);
    }
    case BK_TYPE_FLOAT8: {
        uint64_t bits;
        memcpy(&bits, (const double *)v->data + row, sizeof bits);
        return put_be64(out, bits);
    }
    case BK_TYPE_NUMERIC:
        return numeric_binary(out, ((const bk_i128 *)v->data)[row], v->scale[row]);
    case BK_TYPE_INTERVAL: {
        bk_interval iv = ((const bk_interval *)v->data)[row];
        if (put_be64(out, (uint64_t)iv.us) != BK_OK || put_be32(out, (uint32_t)iv.days) != BK_OK) {
            return BK_ERR;
        }
        return put_be32(out, (uint32_t)iv.months);
    }
    case BK_TYPE_TEXT:
    case BK_TYPE_UNKNOWN: {
        bk_str s = ((const bk_str *)v->data)[row];
        if (v->type.oid == BK_OID_CHAR) {
            return bk_buf_append_byte(out, s.len > 0 ? (uint8_t)s.ptr[0] : 0);
        }
        return bk_buf_append(out, s.ptr, s.len);
    }
    case BK_TYPE_COUNT_:
        break;
    }
    return BK_ERR;
}

bk_rc pq_data_rows_formats(const bk_session *s,
                           bk_buf *out,
                           const bk_batch *b,
                           uint32_t from,
                           uint32_t to,
                           const int16_t *formats)
{
    for (uint32_t r = from; r < to; r++) {
        size_t m;
        if (pq_begin(out, 'D', &m) != BK_OK || pq_put_int16(out, (int16_t)b->n_cols) != BK_OK) {
            return BK_ERR;
        }
        for (uint32_t c = 0; c < b->n_cols; c++) {
            const bk_vec *v = &b->cols[c];
            if (bk_vec_is_null(v, r)) {
                if (pq_put_int32(out, -1) != BK_OK) {
                    return BK_ERR;
                }
                continue;
            }
            size_t len_at = out->len;
            if (pq_put_int32(out, 0) != BK_OK) {
                return BK_ERR;
            }
            bk_rc rc = formats != NULL && formats[c] == 1 ? pq_value_binary(out, v, r)
                                                          : bk_value_to_text(s, v, r, out);
            if (rc != BK_OK) {
                return BK_ERR;
            }
            size_t len = out->len - len_at - 4;
            if (len > INT32_MAX) {
                return BK_ERR;
            }
            bk_put_be32((uint8_t *)out->ptr + len_at, (uint32_t)len);
        }
        if (pq_end(out, m) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}
