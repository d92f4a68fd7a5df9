/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comparison operators (= <> < <= > >=), IS [NOT] DISTINCT FROM and NULLIF for every type with
 * a total order, all through bk_value_cmp so that sorting, grouping and predicates agree.
 */
#include <string.h>

#include "func_int.h"

typedef enum cmp_op {
    CMP_EQ,
    CMP_NE,
    CMP_LT,
    CMP_LE,
    CMP_GT,
    CMP_GE
} cmp_op;

static bool cmp_holds(cmp_op op, int c)
{
    switch (op) {
    case CMP_EQ:
        return c == 0;
    case CMP_NE:
        return c != 0;
    case CMP_LT:
        return c < 0;
    case CMP_LE:
        return c <= 0;
    case CMP_GT:
        return c > 0;
    case CMP_GE:
        return c >= 0;
    }
    return false;
}

static bk_rc compare(const bk_vec *args, uint32_t n, bk_vec *out, cmp_op op)
{
    uint8_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        r[i] = cmp_holds(op, bk_value_cmp(&args[0], i, &args[1], i));
    }
    return BK_OK;
}

#define CMP_IMPL(NAME, OP)          \
 static bk_rc NAME(FUNC_ARGS)       \
 {                                  \
  (void)ctx;                        \
  (void)call;                       \
  (void)err;                        \
  return compare(args, n, out, OP); \
 }

CMP_IMPL(cmp_eq, CMP_EQ)
CMP_IMPL(cmp_ne, CMP_NE)
CMP_IMPL(cmp_lt, CMP_LT)
CMP_IMPL(cmp_le, CMP_LE)
CMP_IMPL(cmp_gt, CMP_GT)
CMP_IMPL(cmp_ge, CMP_GE)

static bk_rc distinct_impl(const bk_vec *args, uint32_t n, bk_vec *out, bool want_distinct)
{
    uint8_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        bool an = bk_vec_is_null(&args[0], i), bn = bk_vec_is_null(&args[1], i);
        bool distinct;
        if (an || bn) {
            distinct = an != bn;
        } else {
            distinct = bk_value_cmp(&args[0], i, &args[1], i) != 0;
        }
        r[i] = distinct == want_distinct;
        bk_validity_set(out->validity, i, true);
    }
    return BK_OK;
}

static bk_rc is_distinct(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    return distinct_impl(args, n, out, true);
}

static bk_rc is_not_distinct(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    return distinct_impl(args, n, out, false);
}

static bk_rc nullif_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    size_t w = bk_type_width(out->type.id);
    for (uint32_t i = 0; i < n; i++) {
        bool an = bk_vec_is_null(&args[0], i), bn = bk_vec_is_null(&args[1], i);
        bool null = an || (!bn && bk_value_cmp(&args[0], i, &args[1], i) == 0);
        bk_validity_set(out->validity, i, !null);
        if (!null) {
            memcpy((char *)out->data + (size_t)i * w, (const char *)args[0].data + (size_t)i * w,
                   w);
            if (out->type.id == BK_TYPE_NUMERIC) {
                out->scale[i] = args[0].scale[i];
            }
        }
    }
    return BK_OK;
}

void bk_func_register_compare(func_builder *fb)
{
    static const bk_type_id types[] = {
        BK_TYPE_INT4,        BK_TYPE_INT8,     BK_TYPE_INT2, BK_TYPE_NUMERIC, BK_TYPE_FLOAT8,
        BK_TYPE_FLOAT4,      BK_TYPE_TEXT,     BK_TYPE_BOOL, BK_TYPE_DATE,    BK_TYPE_TIMESTAMP,
        BK_TYPE_TIMESTAMPTZ, BK_TYPE_INTERVAL, BK_TYPE_OID,
    };

    static const struct {
        const char *op;
        bk_scalar_impl impl;
    } ops[] = {
        { "=", cmp_eq},
        {"<>", cmp_ne},
        {"!=", cmp_ne},
        { "<", cmp_lt},
        {"<=", cmp_le},
        { ">", cmp_gt},
        {">=", cmp_ge}
    };

    bk_type b = bk_type_of(BK_TYPE_BOOL);
    for (size_t t = 0; t < BK_ARRAY_LEN(types); t++) {
        for (size_t o = 0; o < BK_ARRAY_LEN(ops); o++) {
            func_add(fb, ops[o].op, b, 0, ops[o].impl, 2, types[t], types[t]);
        }
        func_add(fb, "is distinct from", b, BK_FUNC_NONSTRICT, is_distinct, 2, types[t], types[t]);
        func_add(fb, "is not distinct from", b, BK_FUNC_NONSTRICT, is_not_distinct, 2, types[t],
                 types[t]);
        func_add(fb, "nullif", bk_type_of(types[t]), BK_FUNC_NONSTRICT, nullif_impl, 2, types[t],
                 types[t]);
    }
}
