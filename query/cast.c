/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Casts between every pair of types Basket serves, with PostgreSQL's semantics: text goes
 * through the shared parsers and formatters; float -> integer rounds half to even (rint),
 * numeric -> integer rounds half away from zero; numeric(p,s) rounds to s decimals and
 * checks the precision; varchar(n) truncates on explicit casts; bool::text is 'true'/'false'.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "query_int.h"

bool bk_cast_exists(bk_type_id from, bk_type_id to)
{
    if (from == to || from == BK_TYPE_UNKNOWN || to == BK_TYPE_TEXT || from == BK_TYPE_TEXT) {
        return true;
    }
    bool fnum = bk_type_is_numeric_kind(from), tnum = bk_type_is_numeric_kind(to);
    if (fnum && tnum) {
        return true;
    }
    if ((from == BK_TYPE_BOOL && to == BK_TYPE_INT4) ||
        (from == BK_TYPE_INT4 && to == BK_TYPE_BOOL)) {
        return true;
    }
    if ((from == BK_TYPE_OID && bk_type_is_integer(to)) ||
        (bk_type_is_integer(from) && to == BK_TYPE_OID)) {
        return true;
    }
    bool fdt = from == BK_TYPE_DATE || from == BK_TYPE_TIMESTAMP || from == BK_TYPE_TIMESTAMPTZ;
    bool tdt = to == BK_TYPE_DATE || to == BK_TYPE_TIMESTAMP || to == BK_TYPE_TIMESTAMPTZ;
    return fdt && tdt;
}

static bk_rc int_range(int64_t v, bk_type_id to, bk_error *err)
{
    if (to == BK_TYPE_INT2 && (v < INT16_MIN || v > INT16_MAX)) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range");
    }
    if (to == BK_TYPE_INT4 && (v < INT32_MIN || v > INT32_MAX)) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
    }
    if (to == BK_TYPE_OID && (v < INT32_MIN || v > (int64_t)UINT32_MAX)) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "OID out of range");
    }
    return BK_OK;
}

static void put_int(bk_vec *out, uint32_t i, int64_t v)
{
    switch (out->type.id) {
    case BK_TYPE_INT2:
        ((int16_t *)out->data)[i] = (int16_t)v;
        break;
    case BK_TYPE_INT4:
        ((int32_t *)out->data)[i] = (int32_t)v;
        break;
    case BK_TYPE_OID:
        ((uint32_t *)out->data)[i] = (uint32_t)v;
        break;
    default:
        ((int64_t *)out->data)[i] = v;
        break;
    }
}

static int64_t get_int(const bk_vec *v, uint32_t i)
{
    switch (v->type.id) {
    case BK_TYPE_INT2:
        return ((const int16_t *)v->data)[i];
    case BK_TYPE_INT4:
        return ((const int32_t *)v->data)[i];
    case BK_TYPE_OID:
        return ((const uint32_t *)v->data)[i];
    case BK_TYPE_BOOL:
        return ((const uint8_t *)v->data)[i];
    default:
        return ((const int64_t *)v->data)[i];
    }
}

static double get_double(const bk_vec *v, uint32_t i)
{
    switch (v->type.id) {
    case BK_TYPE_FLOAT4:
        return (double)((const float *)v->data)[i];
    case BK_TYPE_FLOAT8:
        return ((const double *)v->data)[i];
    case BK_TYPE_NUMERIC:
        return bk_numeric_to_double(((const bk_i128 *)v->data)[i], v->scale[i]);
    default:
        return (double)get_int(v, i);
    }
}

/* numeric(p,s): round to s decimals, and the integer part must fit in p - s digits. */
static bk_rc apply_numeric_typmod(bk_i128 *v, uint8_t *scale, int32_t typmod, bk_error *err)
{
    if (typmod < 4) {
        return BK_OK;
    }
    int p = ((typmod - 4) >> 16) & 0xffff;
    int s = (typmod - 4) & 0xffff;
    bk_i128 r;
    if (bk_numeric_rescale(*v, *scale, s, &r, err) != BK_OK) {
        return BK_ERR;
    }
    if (r != 0 && bk_numeric_digits(r) > p) {
        bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        int maxdigits = p - s;
        bk_error_detail(err,
                        "A field with precision %d, scale %d must round to an absolute value less "
                        "than %s%d.",
                        p, s, maxdigits != 0 ? "10^" : "", maxdigits != 0 ? maxdigits : 1);
        return BK_ERR;
    }
    *v = r;
    *scale = (uint8_t)s;
    return BK_OK;
}

static bk_rc text_to(const bk_eval_ctx *ctx, bk_str s, bk_vec *out, uint32_t i, bk_error *err)
{
    switch (out->type.id) {
    case BK_TYPE_BOOL:
        return bk_parse_bool(s, (uint8_t *)out->data + i, err);
    case BK_TYPE_INT2:
        return bk_parse_int2(s, (int16_t *)out->data + i, err);
    case BK_TYPE_INT4:
        return bk_parse_int4(s, (int32_t *)out->data + i, err);
    case BK_TYPE_INT8:
        return bk_parse_int8(s, (int64_t *)out->data + i, err);
    case BK_TYPE_OID:
        return bk_parse_oid(s, (uint32_t *)out->data + i, err);
    case BK_TYPE_FLOAT4:
        return bk_parse_float4(s, (float *)out->data + i, err);
    case BK_TYPE_FLOAT8:
        return bk_parse_float8(s, (double *)out->data + i, err);
    case BK_TYPE_NUMERIC:
        if (bk_parse_numeric(s, (bk_i128 *)out->data + i, &out->scale[i], err) != BK_OK) {
            return BK_ERR;
        }
        return apply_numeric_typmod((bk_i128 *)out->data + i, &out->scale[i], out->type.typmod,
                                    err);
    case BK_TYPE_DATE:
        return bk_parse_date(s, (int32_t *)out->data + i, err);
    case BK_TYPE_TIMESTAMP:
        return bk_parse_timestamp(s, (int64_t *)out->data + i, err);
    case BK_TYPE_TIMESTAMPTZ:
        return bk_parse_timestamptz(s, (int64_t *)out->data + i, err);
    case BK_TYPE_INTERVAL:
        return bk_parse_interval(s, (bk_interval *)out->data + i, err);
    case BK_TYPE_TEXT: {
        /* varchar(n)/char(n): truncate to n characters (explicit-cast semantics). */
        if (out->type.typmod >= 5) {
            size_t max_chars = (size_t)(out->type.typmod - 4), chars = 0, j = 0;
            while (j < s.len && chars < max_chars) {
                j++;
                while (j < s.len && ((unsigned char)s.ptr[j] & 0xC0) == 0x80) {
                    j++;
                }
                chars++;
            }
            s.len = j;
        }
        ((bk_str *)out->data)[i] = s;
        (void)ctx;
        return BK_OK;
    }
    default:
        return bk_raise(err, CANNOT_COERCE, "cannot cast text to %s", bk_type_sql_name(out->type));
    }
}

static bk_rc to_text(const bk_eval_ctx *ctx,
                     const bk_vec *in,
                     uint32_t i,
                     bk_vec *out,
                     bk_buf *scratch,
                     bk_error *err)
{
    bk_str *dst = (bk_str *)out->data + i;
    if (in->type.id == BK_TYPE_BOOL) {
        *dst = ((const uint8_t *)in->data)[i] ? BK_STR_LIT("true") : BK_STR_LIT("false");
        return BK_OK;
    }
    bk_buf_clear(scratch);
    if (bk_value_to_text(ctx->session, in, i, scratch) != BK_OK) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    char *p = bk_arena_memdup(ctx->arena, scratch->ptr == NULL ? "" : scratch->ptr, scratch->len);
    if (p == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    bk_str s = {p, scratch->len};
    return text_to(ctx, s, out, i, err);
}

static bk_rc numeric_to_int(bk_i128 v, int scale, bk_type_id to, int64_t *out, bk_error *err)
{
    bk_i128 r;
    if (bk_numeric_rescale(v, scale, 0, &r, err) != BK_OK) {
        return BK_ERR;
    }
    if (r > INT64_MAX || r < INT64_MIN) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                        to == BK_TYPE_INT2   ? "smallint"
                        : to == BK_TYPE_INT4 ? "integer"
                                             : "bigint");
    }
    *out = (int64_t)r;
    return int_range(*out, to, err);
}

static bk_rc float_to_int(double d, bk_type_id to, int64_t *out, bk_error *err)
{
    double r = rint(d);
    const char *name = to == BK_TYPE_INT2 ? "smallint" : to == BK_TYPE_INT4 ? "integer" : "bigint";
    if (isnan(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", name);
    }
    *out = (int64_t)r;
    return int_range(*out, to, err);
}

static bk_rc cast_one(const bk_eval_ctx *ctx,
                      const bk_vec *in,
                      uint32_t i,
                      bk_vec *out,
                      bk_buf *scratch,
                      bk_error *err)
{
    bk_type_id from = in->type.id, to = out->type.id;
    if (from == BK_TYPE_TEXT || from == BK_TYPE_UNKNOWN) {
        return text_to(ctx, ((const bk_str *)in->data)[i], out, i, err);
    }
    if (to == BK_TYPE_TEXT) {
        return to_text(ctx, in, i, out, scratch, err);
    }
    if (from == to && to != BK_TYPE_NUMERIC) {
        size_t w = bk_type_width(to);
        memcpy((char *)out->data + (size_t)i * w, (const char *)in->data + (size_t)i * w, w);
        return BK_OK;
    }
    switch (to) {
    case BK_TYPE_INT2:
    case BK_TYPE_INT4:
    case BK_TYPE_INT8:
    case BK_TYPE_OID: {
        int64_t v = 0;
        if (from == BK_TYPE_NUMERIC) {
            if (numeric_to_int(((const bk_i128 *)in->data)[i], in->scale[i], to, &v, err) !=
                BK_OK) {
                return BK_ERR;
            }
        } else if (from == BK_TYPE_FLOAT4 || from == BK_TYPE_FLOAT8) {
            if (float_to_int(get_double(in, i), to, &v, err) != BK_OK) {
                return BK_ERR;
            }
        } else {
            v = get_int(in, i);
            if (int_range(v, to, err) != BK_OK) {
                return BK_ERR;
            }
        }
        put_int(out, i, v);
        return BK_OK;
    }
    case BK_TYPE_BOOL:
        ((uint8_t *)out->data)[i] = get_int(in, i) != 0;
        return BK_OK;
    case BK_TYPE_FLOAT8:
        ((double *)out->data)[i] = get_double(in, i);
        return BK_OK;
    case BK_TYPE_FLOAT4: {
        double d = get_double(in, i);
        float f = (float)d;
        if (isinf(f) && !isinf(d)) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        if (f == 0.0f && d != 0.0) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
        }
        ((float *)out->data)[i] = f;
        return BK_OK;
    }
    case BK_TYPE_NUMERIC: {
        bk_i128 *v = (bk_i128 *)out->data + i;
        uint8_t *s = &out->scale[i];
        if (from == BK_TYPE_NUMERIC) {
            *v = ((const bk_i128 *)in->data)[i];
            *s = in->scale[i];
        } else if (from == BK_TYPE_FLOAT4 || from == BK_TYPE_FLOAT8) {
            double d = get_double(in, i);
            if (from == BK_TYPE_FLOAT4) {
                /* float4_numeric prints FLT_DIG (6) digits. */
                char buf[64];
                int n = snprintf(buf, sizeof buf, "%.6g", d);
                if (isnan(d) || isinf(d)) {
                    return bk_raise(err, FEATURE_NOT_SUPPORTED,
                                    "cannot convert NaN or infinity to numeric in Basket");
                }
                if (bk_parse_numeric((bk_str){buf, (size_t)n}, v, s, err) != BK_OK) {
                    return BK_ERR;
                }
            } else if (bk_numeric_from_double(d, v, s, err) != BK_OK) {
                return BK_ERR;
            }
        } else {
            *v = get_int(in, i);
            *s = 0;
        }
        return apply_numeric_typmod(v, s, out->type.typmod, err);
    }
    case BK_TYPE_DATE: {
        int64_t us = ((const int64_t *)in->data)[i];
        int64_t d = us / BK_USECS_PER_DAY;
        if (us < 0 && us % BK_USECS_PER_DAY != 0) {
            d--;
        }
        ((int32_t *)out->data)[i] = (int32_t)d;
        return BK_OK;
    }
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
        if (from == BK_TYPE_DATE) {
            /* date2timestamp: dates run past the last timestamp; 109203528 is 294277-01-01. */
            int32_t d = ((const int32_t *)in->data)[i];
            if (d >= 109203528 - BK_PG_EPOCH_JDAYS) {
                return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE,
                                "date out of range for timestamp");
            }
            ((int64_t *)out->data)[i] = (int64_t)d * BK_USECS_PER_DAY;
        } else {
            ((int64_t *)out->data)[i] = ((const int64_t *)in->data)[i];
        }
        return BK_OK;
    default:
        return bk_raise(err, CANNOT_COERCE, "cannot cast type %s to %s", bk_type_sql_name(in->type),
                        bk_type_sql_name(out->type));
    }
}

bk_rc bk_cast_vec(const bk_eval_ctx *ctx,
                  const bk_vec *in,
                  uint32_t n,
                  bk_type to,
                  bk_vec *out,
                  bk_error *err)
{
    if (!bk_cast_exists(in->type.id, to.id)) {
        return bk_raise(err, CANNOT_COERCE, "cannot cast type %s to %s", bk_type_sql_name(in->type),
                        bk_type_sql_name(to));
    }
    if (bk_vec_alloc(out, to, n, in->validity != NULL, ctx->arena) != BK_OK) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    if (in->validity != NULL) {
        memcpy(out->validity, in->validity, bk_validity_words(n) * sizeof(uint64_t));
    }
    bk_buf scratch = {0};
    bk_rc rc = BK_OK;
    for (uint32_t i = 0; i < n && rc == BK_OK; i++) {
        if (bk_vec_is_null(in, i)) {
            continue;
        }
        rc = cast_one(ctx, in, i, out, &scratch, err);
    }
    bk_buf_free(&scratch);
    return rc;
}
