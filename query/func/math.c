/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mathematical functions with PostgreSQL 15's signatures, result scales and errors: abs,
 * round, trunc, ceil/ceiling, floor, sign, div, power/pow, sqrt, cbrt, exp, ln, log, log10,
 * degrees, radians, pi, random, scale, min_scale, trim_scale.
 *
 * float8 versions call the C library exactly as float.c does (round is rint, so halves go to
 * even) with its overflow/underflow checks; numeric versions keep numeric.c's scales: round
 * and trunc to the requested scale (never negative), ceil/floor/sign/div to scale 0, and the
 * transcendental functions through bigdec.c. Registration order matters for unknown-typed
 * arguments: float8 candidates come first, as PostgreSQL prefers them for an unknown literal.
 */
#include <math.h>
#include <stdatomic.h>

#include "func_int.h"

static bk_rc float_overflow(bk_error *err)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
}

static bk_rc float_underflow(bk_error *err)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
}

/* ---- float8 ----------------------------------------------------------------------------- */

typedef bk_rc (*f8_fn)(double x, double *r, bk_error *err);

static bk_rc f8_apply(const bk_vec *args, uint32_t n, bk_vec *out, f8_fn fn, bk_error *err)
{
    const double *a = args[0].data;
    double *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (fn(a[i], &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

#define F8_IMPL(NAME, FN)                 \
 static bk_rc NAME(FUNC_ARGS)             \
 {                                        \
  (void)ctx;                              \
  (void)call;                             \
  return f8_apply(args, n, out, FN, err); \
 }

static bk_rc f_round(double x, double *r, bk_error *err)
{
    (void)err;
    *r = rint(x);
    return BK_OK;
}

static bk_rc f_trunc(double x, double *r, bk_error *err)
{
    (void)err;
    *r = x >= 0 ? floor(x) : -floor(-x);
    return BK_OK;
}

static bk_rc f_ceil(double x, double *r, bk_error *err)
{
    (void)err;
    *r = ceil(x);
    return BK_OK;
}

static bk_rc f_floor(double x, double *r, bk_error *err)
{
    (void)err;
    *r = floor(x);
    return BK_OK;
}

static bk_rc f_sign(double x, double *r, bk_error *err)
{
    (void)err;
    *r = x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    return BK_OK;
}

static bk_rc f_abs(double x, double *r, bk_error *err)
{
    (void)err;
    *r = fabs(x);
    return BK_OK;
}

static bk_rc f_sqrt(double x, double *r, bk_error *err)
{
    if (x < 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "cannot take square root of a negative number");
    }
    *r = sqrt(x);
    if (isinf(*r) && !isinf(x)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 0.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

static bk_rc f_cbrt(double x, double *r, bk_error *err)
{
    *r = cbrt(x);
    if (isinf(*r) && !isinf(x)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 0.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

static bk_rc f_exp(double x, double *r, bk_error *err)
{
    if (isnan(x)) {
        *r = x;
    } else if (isinf(x)) {
        *r = x > 0 ? x : 0;
    } else {
        *r = exp(x);
        if (isinf(*r)) {
            return float_overflow(err);
        }
        if (*r == 0.0) {
            return float_underflow(err);
        }
    }
    return BK_OK;
}

static bk_rc log_check(double x, bk_error *err)
{
    if (x == 0.0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
    }
    if (x < 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_LOG,
                        "cannot take logarithm of a negative number");
    }
    return BK_OK;
}

static bk_rc f_ln(double x, double *r, bk_error *err)
{
    if (log_check(x, err) != BK_OK) {
        return BK_ERR;
    }
    *r = log(x);
    if (isinf(*r) && !isinf(x)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 1.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

static bk_rc f_log10(double x, double *r, bk_error *err)
{
    if (log_check(x, err) != BK_OK) {
        return BK_ERR;
    }
    *r = log10(x);
    if (isinf(*r) && !isinf(x)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 1.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

#define RADIANS_PER_DEGREE 0.0174532925199432957692

static bk_rc f_degrees(double x, double *r, bk_error *err)
{
    *r = x / RADIANS_PER_DEGREE;
    if (isinf(*r) && !isinf(x)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 0.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

static bk_rc f_radians(double x, double *r, bk_error *err)
{
    *r = x * RADIANS_PER_DEGREE;
    if (isinf(*r) && !isinf(x)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 0.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

F8_IMPL(f8_round, f_round)
F8_IMPL(f8_trunc, f_trunc)
F8_IMPL(f8_ceil, f_ceil)
F8_IMPL(f8_floor, f_floor)
F8_IMPL(f8_sign, f_sign)
F8_IMPL(f8_abs, f_abs)
F8_IMPL(f8_sqrt, f_sqrt)
F8_IMPL(f8_cbrt, f_cbrt)
F8_IMPL(f8_exp, f_exp)
F8_IMPL(f8_ln, f_ln)
F8_IMPL(f8_log10, f_log10)
F8_IMPL(f8_degrees, f_degrees)
F8_IMPL(f8_radians, f_radians)

/* float.c's dpow: POSIX's special cases spelled out, then pow() with range checks. */
static bk_rc f_pow(double x, double y, double *r, bk_error *err)
{
    if (isnan(x)) {
        *r = (isnan(y) || y != 0.0) ? x : 1.0;
        return BK_OK;
    }
    if (isnan(y)) {
        *r = x != 1.0 ? y : 1.0;
        return BK_OK;
    }
    if (x == 0 && y < 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "zero raised to a negative power is undefined");
    }
    if (x < 0 && floor(y) != y) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "a negative number raised to a non-integer power yields a complex result");
    }
    if (isinf(y)) {
        double ax = fabs(x);
        if (ax == 1.0) {
            *r = 1.0;
        } else if (y > 0) {
            *r = ax > 1.0 ? y : 0.0;
        } else {
            *r = ax > 1.0 ? 0.0 : -y;
        }
        return BK_OK;
    }
    if (isinf(x)) {
        if (y == 0.0) {
            *r = 1.0;
        } else if (x > 0) {
            *r = y > 0 ? x : 0.0;
        } else {
            double half = y / 2;
            bool odd = floor(half) != half;
            if (y > 0) {
                *r = odd ? x : -x;
            } else {
                *r = odd ? -0.0 : 0.0;
            }
        }
        return BK_OK;
    }
    *r = pow(x, y);
    if (isnan(*r)) {
        /* Old libms fail this way for huge |y|: then the answer is 0, 1 or out of range. */
        double ax = fabs(x);
        if (ax == 1.0) {
            *r = 1.0;
        } else if (x == 0.0) {
            *r = 0.0;
        } else if ((ax > 1.0) == (y > 0)) {
            return float_overflow(err);
        } else {
            return float_underflow(err);
        }
        return BK_OK;
    }
    if (isinf(*r)) {
        return float_overflow(err);
    }
    if (*r == 0.0 && x != 0.0) {
        return float_underflow(err);
    }
    return BK_OK;
}

static bk_rc f8_pow(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const double *a = args[0].data, *b = args[1].data;
    double *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (f_pow(a[i], b[i], &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc f4_abs(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    const float *a = args[0].data;
    float *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        r[i] = fabsf(a[i]);
    }
    return BK_OK;
}

static bk_rc pi_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)args;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        ((double *)out->data)[i] = M_PI;
    }
    return BK_OK;
}

/*
 * random(): xoshiro256** per thread, seeded from the clock and a process-wide counter.
 * PostgreSQL seeds each backend at random too, so no two runs agree anyway.
 */
static _Thread_local uint64_t rng_state[4];
static _Thread_local bool rng_seeded;
static _Atomic uint64_t rng_counter;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static double rng_next_double(void)
{
    if (!rng_seeded) {
        uint64_t seed = bk_clock_mono_ns() ^ ((uint64_t)bk_clock_real_us() << 20) ^
                        (atomic_fetch_add(&rng_counter, 1) * UINT64_C(0x9E3779B97F4A7C15));
        for (int i = 0; i < 4; i++) {
            rng_state[i] = splitmix64(&seed);
        }
        rng_seeded = true;
    }
    uint64_t *s = rng_state;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    /* 52 random bits in [0, 1), as pg_prng_double. */
    return (double)(result >> 12) * 0x1.0p-52;
}

static bk_rc random_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)args;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        ((double *)out->data)[i] = rng_next_double();
    }
    return BK_OK;
}

/* ---- integers ----------------------------------------------------------------------------- */

#define INT_ABS(NAME, T, TMIN, TNAME)                                           \
 static bk_rc NAME(FUNC_ARGS)                                                   \
 {                                                                              \
  (void)ctx;                                                                    \
  (void)call;                                                                   \
  const T *a = args[0].data;                                                    \
  T *r = out->data;                                                             \
  for (uint32_t i = 0; i < n; i++) {                                            \
   if (func_skip(out, i)) {                                                     \
    continue;                                                                   \
   }                                                                            \
   if (a[i] == TMIN) {                                                          \
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", TNAME); \
   }                                                                            \
   r[i] = (T)(a[i] < 0 ? -a[i] : a[i]);                                         \
  }                                                                             \
  return BK_OK;                                                                 \
 }

INT_ABS(i2_abs, int16_t, INT16_MIN, "smallint")
INT_ABS(i4_abs, int32_t, INT32_MIN, "integer")
INT_ABS(i8_abs, int64_t, INT64_MIN, "bigint")

/* ---- numeric ------------------------------------------------------------------------------ */

static bk_rc num_overflow(bk_error *err)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

/*
 * round(v, s) / trunc(v, s) as numeric.c: the scale is clamped to +-2000; a negative scale
 * rounds left of the point and gives display scale 0; a larger scale pads with zeros.
 */
static bk_rc num_round_to(bk_i128 v,
                          int scale,
                          int64_t s_req,
                          bool trunc,
                          bk_i128 *out,
                          int *out_scale,
                          bk_error *err)
{
    int s = (int)BK_MAX(BK_MIN(s_req, 2000), -2000);
    if (s >= scale) {
        if (s > BK_NUMERIC_MAX_SCALE) {
            return num_overflow(err);
        }
        *out_scale = s;
        return bk_numeric_rescale(v, scale, s, out, err);
    }
    int k = scale - s; /* decimal digits dropped */
    bk_i128 q = 0;
    if (k <= 38) {
        bk_i128 d = bk_pow10_i128(k);
        q = v / d;
        bk_i128 rem = v % d;
        if (!trunc) {
            bk_u128 r2 = (rem < 0 ? (bk_u128)0 - (bk_u128)rem : (bk_u128)rem) * 2;
            if (r2 >= (bk_u128)d) {
                q += v < 0 ? -1 : 1;
            }
        }
    }
    if (s >= 0) {
        *out = q;
        *out_scale = s;
        return BK_OK;
    }
    *out_scale = 0;
    if (q == 0) {
        *out = 0;
        return BK_OK;
    }
    bk_i128 r;
    if (-s > 38 || __builtin_mul_overflow(q, bk_pow10_i128(-s), &r) || bk_numeric_digits(r) > 38) {
        return num_overflow(err);
    }
    *out = r;
    return BK_OK;
}

static bk_rc num_round_apply(const bk_vec *args, uint32_t n, bk_vec *out, bool trunc, bk_error *err)
{
    const bk_i128 *a = args[0].data;
    bk_i128 *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int64_t s = 0;
        if (args[1].data != NULL) {
            s = ((const int32_t *)args[1].data)[i];
        }
        int os;
        if (num_round_to(a[i], args[0].scale[i], s, trunc, &r[i], &os, err) != BK_OK) {
            return BK_ERR;
        }
        out->scale[i] = (uint8_t)os;
    }
    return BK_OK;
}

static bk_rc num_round1(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    bk_vec two[2] = {args[0], {.data = NULL}};
    return num_round_apply(two, n, out, false, err);
}

static bk_rc num_round2(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return num_round_apply(args, n, out, false, err);
}

static bk_rc num_trunc1(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    bk_vec two[2] = {args[0], {.data = NULL}};
    return num_round_apply(two, n, out, true, err);
}

static bk_rc num_trunc2(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return num_round_apply(args, n, out, true, err);
}

typedef enum num_unary {
    NU_ABS,
    NU_CEIL,
    NU_FLOOR,
    NU_SIGN,
    NU_SCALE,
    NU_MIN_SCALE,
    NU_TRIM_SCALE,
} num_unary;

/* The smallest scale that represents v / 10^scale exactly. */
static int min_scale_of(bk_i128 v, int scale)
{
    while (scale > 0 && v % 10 == 0) {
        v /= 10;
        scale--;
    }
    return v == 0 ? 0 : scale;
}

static bk_rc num_unary_apply(const bk_vec *args, uint32_t n, bk_vec *out, num_unary op)
{
    const bk_i128 *a = args[0].data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_i128 v = a[i];
        int s = args[0].scale[i];
        if (op == NU_SCALE || op == NU_MIN_SCALE) {
            ((int32_t *)out->data)[i] = op == NU_SCALE ? s : min_scale_of(v, s);
            continue;
        }
        bk_i128 r = 0;
        int rs = 0;
        switch (op) {
        case NU_ABS:
            r = v < 0 ? -v : v;
            rs = s;
            break;
        case NU_CEIL:
        case NU_FLOOR: {
            bk_i128 d = bk_pow10_i128(s);
            r = v / d;
            bk_i128 rem = v % d;
            if (op == NU_CEIL && rem > 0) {
                r++;
            } else if (op == NU_FLOOR && rem < 0) {
                r--;
            }
            break;
        }
        case NU_SIGN:
            r = v > 0 ? 1 : v < 0 ? -1 : 0;
            break;
        default: { /* NU_TRIM_SCALE */
            rs = min_scale_of(v, s);
            r = v / bk_pow10_i128(s - rs);
            break;
        }
        }
        ((bk_i128 *)out->data)[i] = r;
        out->scale[i] = (uint8_t)rs;
    }
    return BK_OK;
}

#define NUM_UNARY(NAME, OP)                 \
 static bk_rc NAME(FUNC_ARGS)               \
 {                                          \
  (void)ctx;                                \
  (void)call;                               \
  (void)err;                                \
  return num_unary_apply(args, n, out, OP); \
 }

NUM_UNARY(num_abs, NU_ABS)
NUM_UNARY(num_ceil, NU_CEIL)
NUM_UNARY(num_floor, NU_FLOOR)
NUM_UNARY(num_sign, NU_SIGN)
NUM_UNARY(num_scale, NU_SCALE)
NUM_UNARY(num_min_scale, NU_MIN_SCALE)
NUM_UNARY(num_trim_scale, NU_TRIM_SCALE)

/* div(a, b): the quotient truncated to an integer (scale 0). */
static bk_rc num_div_trunc(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const bk_i128 *a = args[0].data, *b = args[1].data;
    bk_i128 *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (b[i] == 0) {
            return bk_raise(err, DIVISION_BY_ZERO, "division by zero");
        }
        int as = args[0].scale[i], bs = args[1].scale[i];
        /* a / b = (a * 10^bs) / (b * 10^as): align on the larger scale. */
        int s = BK_MAX(as, bs);
        bk_i128 x, y;
        if (bk_numeric_rescale(a[i], as, s, &x, err) != BK_OK) {
            return BK_ERR;
        }
        if (bk_numeric_rescale(b[i], bs, s, &y, err) != BK_OK) {
            return BK_ERR;
        }
        r[i] = x / y;
        out->scale[i] = 0;
    }
    return BK_OK;
}

typedef bk_rc (*num_fn1)(bk_i128, int, bk_i128 *, int *, bk_error *);
typedef bk_rc (*num_fn2)(bk_i128, int, bk_i128, int, bk_i128 *, int *, bk_error *);

static bk_rc num_apply1(const bk_vec *args, uint32_t n, bk_vec *out, num_fn1 fn, bk_error *err)
{
    const bk_i128 *a = args[0].data;
    bk_i128 *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int s;
        if (fn(a[i], args[0].scale[i], &r[i], &s, err) != BK_OK) {
            return BK_ERR;
        }
        out->scale[i] = (uint8_t)s;
    }
    return BK_OK;
}

static bk_rc num_apply2(const bk_vec *args, uint32_t n, bk_vec *out, num_fn2 fn, bk_error *err)
{
    const bk_i128 *a = args[0].data, *b = args[1].data;
    bk_i128 *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int s;
        if (fn(a[i], args[0].scale[i], b[i], args[1].scale[i], &r[i], &s, err) != BK_OK) {
            return BK_ERR;
        }
        out->scale[i] = (uint8_t)s;
    }
    return BK_OK;
}

static bk_rc log10_one(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err)
{
    /* log(numeric) is PostgreSQL's SQL function log(10, $1). */
    return bigdec_log(10, 0, v, scale, out, out_scale, err);
}

#define NUM_FN1(NAME, FN)                   \
 static bk_rc NAME(FUNC_ARGS)               \
 {                                          \
  (void)ctx;                                \
  (void)call;                               \
  return num_apply1(args, n, out, FN, err); \
 }

#define NUM_FN2(NAME, FN)                   \
 static bk_rc NAME(FUNC_ARGS)               \
 {                                          \
  (void)ctx;                                \
  (void)call;                               \
  return num_apply2(args, n, out, FN, err); \
 }

NUM_FN1(num_sqrt, bigdec_sqrt)
NUM_FN1(num_ln, bigdec_ln)
NUM_FN1(num_exp, bigdec_exp)
NUM_FN1(num_log10, log10_one)
NUM_FN2(num_log, bigdec_log)
NUM_FN2(num_power, bigdec_power)

void bk_func_register_math(func_builder *fb)
{
    bk_type f8 = bk_type_of(BK_TYPE_FLOAT8), num = bk_type_of(BK_TYPE_NUMERIC);
    bk_type i4 = bk_type_of(BK_TYPE_INT4);
    const bk_type_id F8 = BK_TYPE_FLOAT8, N = BK_TYPE_NUMERIC, I4 = BK_TYPE_INT4;

    func_add(fb, "abs", f8, 0, f8_abs, 1, F8);
    func_add(fb, "abs", bk_type_of(BK_TYPE_FLOAT4), 0, f4_abs, 1, BK_TYPE_FLOAT4);
    func_add(fb, "abs", num, 0, num_abs, 1, N);
    func_add(fb, "abs", i4, 0, i4_abs, 1, I4);
    func_add(fb, "abs", bk_type_of(BK_TYPE_INT8), 0, i8_abs, 1, BK_TYPE_INT8);
    func_add(fb, "abs", bk_type_of(BK_TYPE_INT2), 0, i2_abs, 1, BK_TYPE_INT2);

    func_add(fb, "round", f8, 0, f8_round, 1, F8);
    func_add(fb, "round", num, 0, num_round1, 1, N);
    func_add(fb, "round", num, 0, num_round2, 2, N, I4);
    func_add(fb, "trunc", f8, 0, f8_trunc, 1, F8);
    func_add(fb, "trunc", num, 0, num_trunc1, 1, N);
    func_add(fb, "trunc", num, 0, num_trunc2, 2, N, I4);
    func_add(fb, "ceil", f8, 0, f8_ceil, 1, F8);
    func_add(fb, "ceil", num, 0, num_ceil, 1, N);
    func_add(fb, "ceiling", f8, 0, f8_ceil, 1, F8);
    func_add(fb, "ceiling", num, 0, num_ceil, 1, N);
    func_add(fb, "floor", f8, 0, f8_floor, 1, F8);
    func_add(fb, "floor", num, 0, num_floor, 1, N);
    func_add(fb, "sign", f8, 0, f8_sign, 1, F8);
    func_add(fb, "sign", num, 0, num_sign, 1, N);
    func_add(fb, "div", num, 0, num_div_trunc, 2, N, N);

    func_add(fb, "sqrt", f8, 0, f8_sqrt, 1, F8);
    func_add(fb, "sqrt", num, 0, num_sqrt, 1, N);
    func_add(fb, "cbrt", f8, 0, f8_cbrt, 1, F8);
    func_add(fb, "exp", f8, 0, f8_exp, 1, F8);
    func_add(fb, "exp", num, 0, num_exp, 1, N);
    func_add(fb, "ln", f8, 0, f8_ln, 1, F8);
    func_add(fb, "ln", num, 0, num_ln, 1, N);
    func_add(fb, "log", f8, 0, f8_log10, 1, F8);
    func_add(fb, "log", num, 0, num_log10, 1, N);
    func_add(fb, "log", num, 0, num_log, 2, N, N);
    func_add(fb, "log10", f8, 0, f8_log10, 1, F8);
    func_add(fb, "log10", num, 0, num_log10, 1, N);
    func_add(fb, "power", f8, 0, f8_pow, 2, F8, F8);
    func_add(fb, "power", num, 0, num_power, 2, N, N);
    func_add(fb, "pow", f8, 0, f8_pow, 2, F8, F8);
    func_add(fb, "pow", num, 0, num_power, 2, N, N);

    func_add(fb, "degrees", f8, 0, f8_degrees, 1, F8);
    func_add(fb, "radians", f8, 0, f8_radians, 1, F8);
    func_add(fb, "pi", f8, 0, pi_impl, 0);
    func_add(fb, "random", f8, BK_FUNC_VOLATILE, random_impl, 0);
    func_add(fb, "scale", i4, 0, num_scale, 1, N);
    func_add(fb, "min_scale", i4, 0, num_min_scale, 1, N);
    func_add(fb, "trim_scale", num, 0, num_trim_scale, 1, N);
}
