/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arithmetic operators with PostgreSQL's result types and errors: integer overflow is 22003
 * "integer out of range" (smallint/bigint likewise), division by zero 22012, float overflow
 * "value out of range: overflow", and numeric results take numeric's scale rules.
 */
#include <math.h>

#include "func_int.h"

static bk_rc range(bk_error *err, const char *type)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", type);
}

static bk_rc div0(bk_error *err)
{
    return bk_raise(err, DIVISION_BY_ZERO, "division by zero");
}

#define INT_BINOP(NAME, T, TNAME, BUILTIN)      \
 static bk_rc NAME(FUNC_ARGS)                   \
 {                                              \
  (void)ctx;                                    \
  (void)call;                                   \
  const T *a = args[0].data, *b = args[1].data; \
  T *r = out->data;                             \
  for (uint32_t i = 0; i < n; i++) {            \
   if (func_skip(out, i)) {                     \
    continue;                                   \
   }                                            \
   if (BUILTIN(a[i], b[i], &r[i])) {            \
    return range(err, TNAME);                   \
   }                                            \
  }                                             \
  return BK_OK;                                 \
 }

#define INT_DIVOP(NAME, T, TNAME, TMIN, IS_MOD)         \
 static bk_rc NAME(FUNC_ARGS)                           \
 {                                                      \
  (void)ctx;                                            \
  (void)call;                                           \
  const T *a = args[0].data, *b = args[1].data;         \
  T *r = out->data;                                     \
  for (uint32_t i = 0; i < n; i++) {                    \
   if (func_skip(out, i)) {                             \
    continue;                                           \
   }                                                    \
   if (b[i] == 0) {                                     \
    return div0(err);                                   \
   }                                                    \
   if (b[i] == -1) {                                    \
    if (IS_MOD) {                                       \
     r[i] = 0;                                          \
    } else if (a[i] == TMIN) {                          \
     return range(err, TNAME);                          \
    } else {                                            \
     r[i] = (T)-a[i];                                   \
    }                                                   \
    continue;                                           \
   }                                                    \
   r[i] = IS_MOD ? (T)(a[i] % b[i]) : (T)(a[i] / b[i]); \
  }                                                     \
  return BK_OK;                                         \
 }

#define INT_NEG(NAME, T, TNAME, TMIN) \
 static bk_rc NAME(FUNC_ARGS)         \
 {                                    \
  (void)ctx;                          \
  (void)call;                         \
  const T *a = args[0].data;          \
  T *r = out->data;                   \
  for (uint32_t i = 0; i < n; i++) {  \
   if (func_skip(out, i)) {           \
    continue;                         \
   }                                  \
   if (a[i] == TMIN) {                \
    return range(err, TNAME);         \
   }                                  \
   r[i] = (T)-a[i];                   \
  }                                   \
  return BK_OK;                       \
 }

INT_BINOP(int2_add, int16_t, "smallint", __builtin_add_overflow)
INT_BINOP(int2_sub, int16_t, "smallint", __builtin_sub_overflow)
INT_BINOP(int2_mul, int16_t, "smallint", __builtin_mul_overflow)
INT_DIVOP(int2_div, int16_t, "smallint", INT16_MIN, 0)
INT_DIVOP(int2_mod, int16_t, "smallint", INT16_MIN, 1)
INT_NEG(int2_neg, int16_t, "smallint", INT16_MIN)
INT_BINOP(int4_add, int32_t, "integer", __builtin_add_overflow)
INT_BINOP(int4_sub, int32_t, "integer", __builtin_sub_overflow)
INT_BINOP(int4_mul, int32_t, "integer", __builtin_mul_overflow)
INT_DIVOP(int4_div, int32_t, "integer", INT32_MIN, 0)
INT_DIVOP(int4_mod, int32_t, "integer", INT32_MIN, 1)
INT_NEG(int4_neg, int32_t, "integer", INT32_MIN)
INT_BINOP(int8_add, int64_t, "bigint", __builtin_add_overflow)
INT_BINOP(int8_sub, int64_t, "bigint", __builtin_sub_overflow)
INT_BINOP(int8_mul, int64_t, "bigint", __builtin_mul_overflow)
INT_DIVOP(int8_div, int64_t, "bigint", INT64_MIN, 0)
INT_DIVOP(int8_mod, int64_t, "bigint", INT64_MIN, 1)
INT_NEG(int8_neg, int64_t, "bigint", INT64_MIN)

/* Float results: infinity from finite inputs is overflow, zero from non-zero is underflow. */
static bk_rc float_check(double r, double a, double b, bool zero_ok, bk_error *err)
{
    if (isinf(r) && !isinf(a) && !isinf(b)) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    }
    if (r == 0.0 && !zero_ok) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
    }
    return BK_OK;
}

#define FLOAT_OP(NAME, T, EXPR, ZERO_OK, CHECK_DIV)                           \
 static bk_rc NAME(FUNC_ARGS)                                                 \
 {                                                                            \
  (void)ctx;                                                                  \
  (void)call;                                                                 \
  const T *a = args[0].data, *b = args[1].data;                               \
  T *r = out->data;                                                           \
  for (uint32_t i = 0; i < n; i++) {                                          \
   if (func_skip(out, i)) {                                                   \
    continue;                                                                 \
   }                                                                          \
   T x = a[i], y = b[i];                                                      \
   if (CHECK_DIV && y == 0) {                                                 \
    return div0(err);                                                         \
   }                                                                          \
   T v = (T)(EXPR);                                                           \
   if (float_check((double)v, (double)x, (double)y, ZERO_OK, err) != BK_OK) { \
    return BK_ERR;                                                            \
   }                                                                          \
   r[i] = v;                                                                  \
  }                                                                           \
  return BK_OK;                                                               \
 }

FLOAT_OP(float8_add, double, x + y, true, 0)
FLOAT_OP(float8_sub, double, x - y, true, 0)
FLOAT_OP(float8_mul, double, x *y, (x == 0 || y == 0), 0)
FLOAT_OP(float8_div, double, x / y, (x == 0 || isinf(y)), 1)
FLOAT_OP(float4_add, float, x + y, true, 0)
FLOAT_OP(float4_sub, float, x - y, true, 0)
FLOAT_OP(float4_mul, float, x *y, (x == 0 || y == 0), 0)
FLOAT_OP(float4_div, float, x / y, (x == 0 || isinf(y)), 1)

static bk_rc float8_neg(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        ((double *)out->data)[i] = -((const double *)args[0].data)[i];
    }
    return BK_OK;
}

static bk_rc float4_neg(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        ((float *)out->data)[i] = -((const float *)args[0].data)[i];
    }
    return BK_OK;
}

typedef bk_rc (*numeric_binop)(bk_i128, int, bk_i128, int, bk_i128 *, int *, bk_error *);

static bk_rc
numeric_apply(const bk_vec *args, uint32_t n, bk_vec *out, numeric_binop op, bk_error *err)
{
    const bk_i128 *a = args[0].data, *b = args[1].data;
    bk_i128 *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int s;
        if (op(a[i], args[0].scale[i], b[i], args[1].scale[i], &r[i], &s, err) != BK_OK) {
            return BK_ERR;
        }
        out->scale[i] = (uint8_t)s;
    }
    return BK_OK;
}

static bk_rc numeric_add(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return numeric_apply(args, n, out, bk_numeric_add, err);
}

static bk_rc numeric_sub(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return numeric_apply(args, n, out, bk_numeric_sub, err);
}

static bk_rc numeric_mul(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return numeric_apply(args, n, out, bk_numeric_mul, err);
}

static bk_rc numeric_div(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return numeric_apply(args, n, out, bk_numeric_div, err);
}

static bk_rc
numeric_mod_one(bk_i128 a, int as, bk_i128 b, int bs, bk_i128 *out, int *os, bk_error *err)
{
    if (b == 0) {
        return div0(err);
    }
    int s = BK_MAX(as, bs);
    bk_i128 x, y;
    if (bk_numeric_rescale(a, as, s, &x, err) != BK_OK ||
        bk_numeric_rescale(b, bs, s, &y, err) != BK_OK) {
        return BK_ERR;
    }
    *out = x % y;
    *os = s;
    return BK_OK;
}

static bk_rc numeric_mod(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return numeric_apply(args, n, out, numeric_mod_one, err);
}

static bk_rc numeric_neg(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        ((bk_i128 *)out->data)[i] = -((const bk_i128 *)args[0].data)[i];
        out->scale[i] = args[0].scale[i];
    }
    return BK_OK;
}

void bk_func_register_arith(func_builder *fb)
{
    static const struct {
        const char *op;
        bk_scalar_impl i2, i4, i8, num, f4, f8;
    } ops[] = {
        {"+", int2_add, int4_add, int8_add, numeric_add, float4_add, float8_add},
        {"-", int2_sub, int4_sub, int8_sub, numeric_sub, float4_sub, float8_sub},
        {"*", int2_mul, int4_mul, int8_mul, numeric_mul, float4_mul, float8_mul},
        {"/", int2_div, int4_div, int8_div, numeric_div, float4_div, float8_div},
        {"%", int2_mod, int4_mod, int8_mod, numeric_mod,       NULL,       NULL},
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(ops); i++) {
        const char *op = ops[i].op;
        func_add(fb, op, bk_type_of(BK_TYPE_INT4), 0, ops[i].i4, 2, BK_TYPE_INT4, BK_TYPE_INT4);
        func_add(fb, op, bk_type_of(BK_TYPE_INT8), 0, ops[i].i8, 2, BK_TYPE_INT8, BK_TYPE_INT8);
        func_add(fb, op, bk_type_of(BK_TYPE_INT2), 0, ops[i].i2, 2, BK_TYPE_INT2, BK_TYPE_INT2);
        func_add(fb, op, bk_type_of(BK_TYPE_NUMERIC), 0, ops[i].num, 2, BK_TYPE_NUMERIC,
                 BK_TYPE_NUMERIC);
        if (ops[i].f8 != NULL) {
            func_add(fb, op, bk_type_of(BK_TYPE_FLOAT8), 0, ops[i].f8, 2, BK_TYPE_FLOAT8,
                     BK_TYPE_FLOAT8);
            func_add(fb, op, bk_type_of(BK_TYPE_FLOAT4), 0, ops[i].f4, 2, BK_TYPE_FLOAT4,
                     BK_TYPE_FLOAT4);
        }
    }
    /* mod() is the function form of %, with the same types and errors. */
    func_add(fb, "mod", bk_type_of(BK_TYPE_INT4), 0, int4_mod, 2, BK_TYPE_INT4, BK_TYPE_INT4);
    func_add(fb, "mod", bk_type_of(BK_TYPE_INT8), 0, int8_mod, 2, BK_TYPE_INT8, BK_TYPE_INT8);
    func_add(fb, "mod", bk_type_of(BK_TYPE_INT2), 0, int2_mod, 2, BK_TYPE_INT2, BK_TYPE_INT2);
    func_add(fb, "mod", bk_type_of(BK_TYPE_NUMERIC), 0, numeric_mod, 2, BK_TYPE_NUMERIC,
             BK_TYPE_NUMERIC);
    func_add(fb, "neg", bk_type_of(BK_TYPE_INT4), 0, int4_neg, 1, BK_TYPE_INT4);
    func_add(fb, "neg", bk_type_of(BK_TYPE_INT8), 0, int8_neg, 1, BK_TYPE_INT8);
    func_add(fb, "neg", bk_type_of(BK_TYPE_INT2), 0, int2_neg, 1, BK_TYPE_INT2);
    func_add(fb, "neg", bk_type_of(BK_TYPE_NUMERIC), 0, numeric_neg, 1, BK_TYPE_NUMERIC);
    func_add(fb, "neg", bk_type_of(BK_TYPE_FLOAT8), 0, float8_neg, 1, BK_TYPE_FLOAT8);
    func_add(fb, "neg", bk_type_of(BK_TYPE_FLOAT4), 0, float4_neg, 1, BK_TYPE_FLOAT4);
}
