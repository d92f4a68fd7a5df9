/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Numeric sqrt, ln, log, exp and power, digit for digit as PostgreSQL 15 prints them.
 *
 * Two things must match PostgreSQL: the result scale and the digits. The scale comes from
 * numeric.c's rules, reproduced exactly, including their floating-point estimates (sqrt from
 * the base-10000 weight of the argument; ln and log from estimate_ln_dweight; exp from the
 * argument as a double; power from an 8-digit first pass of exp * ln(base)). The digits:
 * PostgreSQL computes each function with guard digits and rounds half away from zero, which
 * yields the exactly rounded value except in cases a hair from a tie; so we compute with
 * generous guard digits in fixed point and round the same way. sqrt and integer powers are
 * computed exactly.
 *
 * Arithmetic is on unsigned big integers of 32-bit limbs (schoolbook multiplication, Knuth's
 * algorithm D for division, Newton's method for the integer square root). Fixed-point values
 * are (sign, magnitude) with an implied 10^-p; p is chosen per call from the result scale and
 * weight, so sizes stay bounded: inputs have at most 38 digits and so do results.
 */
#include <math.h>
#include <string.h>

#include "func_int.h"

#define BN_LIMBS 96 /* 3072 bits, ~924 decimal digits: above every size used below */

typedef struct bn {
    int n; /* used limbs; d[n - 1] != 0, or n == 0 for zero */
    uint32_t d[BN_LIMBS];
} bn;

static void bn_norm(bn *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0) {
        a->n--;
    }
}

static void bn_set_u128(bn *a, bk_u128 v)
{
    a->n = 0;
    while (v != 0) {
        a->d[a->n++] = (uint32_t)v;
        v >>= 32;
    }
}

static bool bn_is_zero(const bn *a)
{
    return a->n == 0;
}

static int bn_cmp(const bn *a, const bn *b)
{
    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    }
    for (int i = a->n - 1; i >= 0; i--) {
        if (a->d[i] != b->d[i]) {
            return a->d[i] < b->d[i] ? -1 : 1;
        }
    }
    return 0;
}

/* r = a + b; r may alias either. */
static void bn_add(bn *r, const bn *a, const bn *b)
{
    int n = BK_MAX(a->n, b->n);
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        uint64_t s = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
        r->d[i] = (uint32_t)s;
        carry = s >> 32;
    }
    if (carry != 0) {
        BK_ASSERT(n < BN_LIMBS);
        r->d[n++] = (uint32_t)carry;
    }
    r->n = n;
}

/* r = a - b for a >= b; r may alias either. */
static void bn_sub(bn *r, const bn *a, const bn *b)
{
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t s = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = s < 0;
        r->d[i] = (uint32_t)(s + (borrow ? INT64_C(1) << 32 : 0));
    }
    r->n = a->n;
    bn_norm(r);
}

/* r = a * b; r must not alias a or b. */
static void bn_mul(bn *r, const bn *a, const bn *b)
{
    if (a->n == 0 || b->n == 0) {
        r->n = 0;
        return;
    }
    int n = a->n + b->n;
    BK_ASSERT(n <= BN_LIMBS);
    memset(r->d, 0, sizeof(uint32_t) * (size_t)n);
    for (int i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < b->n; j++) {
            uint64_t t = (uint64_t)a->d[i] * b->d[j] + r->d[i + j] + carry;
            r->d[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        r->d[i + b->n] = (uint32_t)carry;
    }
    r->n = n;
    bn_norm(r);
}

/* a = a * m + add. */
static void bn_mul_small(bn *a, uint32_t m, uint32_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0) {
        BK_ASSERT(a->n < BN_LIMBS);
        a->d[a->n++] = (uint32_t)carry;
    }
}

/* a = a / d; returns the remainder. */
static uint32_t bn_div_small(bn *a, uint32_t d)
{
    uint64_t rem = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        uint64_t cur = (rem << 32) | a->d[i];
        a->d[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    bn_norm(a);
    return (uint32_t)rem;
}

static void bn_pow10(bn *r, int k)
{
    bn_set_u128(r, 1);
    for (; k >= 9; k -= 9) {
        bn_mul_small(r, 1000000000u, 0);
    }
    static const uint32_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (k > 0) {
        bn_mul_small(r, p10[k], 0);
    }
}

/* a = a * 10^k. */
static void bn_scale10(bn *a, int k)
{
    for (; k >= 9; k -= 9) {
        bn_mul_small(a, 1000000000u, 0);
    }
    static const uint32_t p10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (k > 0) {
        bn_mul_small(a, p10[k], 0);
    }
}

static int clz32(uint32_t x)
{
    return x == 0 ? 32 : __builtin_clz(x);
}

/*
 * q = a / b, r = a % b (Knuth, TAOCP vol. 2, 4.3.1, algorithm D). q or r may be NULL; neither
 * may alias a or b. b must not be zero.
 */
static void bn_divmod(bn *q, bn *r, const bn *a, const bn *b)
{
    BK_ASSERT(b->n > 0);
    if (bn_cmp(a, b) < 0) {
        if (r != NULL) {
            *r = *a;
        }
        if (q != NULL) {
            q->n = 0;
        }
        return;
    }
    if (b->n == 1) {
        bn t = *a;
        uint32_t rem = bn_div_small(&t, b->d[0]);
        if (q != NULL) {
            *q = t;
        }
        if (r != NULL) {
            bn_set_u128(r, rem);
        }
        return;
    }
    int s = clz32(b->d[b->n - 1]);
    int n = b->n, m = a->n - b->n;
    uint32_t vn[BN_LIMBS], un[BN_LIMBS + 1];
    for (int i = n - 1; i > 0; i--) {
        vn[i] = (b->d[i] << s) | (s == 0 ? 0 : (uint32_t)((uint64_t)b->d[i - 1] >> (32 - s)));
    }
    vn[0] = b->d[0] << s;
    un[a->n] = s == 0 ? 0 : (uint32_t)((uint64_t)a->d[a->n - 1] >> (32 - s));
    for (int i = a->n - 1; i > 0; i--) {
        un[i] = (a->d[i] << s) | (s == 0 ? 0 : (uint32_t)((uint64_t)a->d[i - 1] >> (32 - s)));
    }
    un[0] = a->d[0] << s;
    bn qq;
    qq.n = m + 1;
    for (int j = m; j >= 0; j--) {
        uint64_t num = ((uint64_t)un[j + n] << 32) | un[j + n - 1];
        uint64_t qhat = num / vn[n - 1];
        uint64_t rhat = num % vn[n - 1];
        while (qhat >= (UINT64_C(1) << 32) || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
            qhat--;
            rhat += vn[n - 1];
            if (rhat >= (UINT64_C(1) << 32)) {
                break;
            }
        }
        int64_t borrow = 0;
        uint64_t carry = 0;
        for (int i = 0; i < n; i++) {
            uint64_t p = qhat * vn[i] + carry;
            carry = p >> 32;
            int64_t t = (int64_t)un[i + j] - (int64_t)(uint32_t)p - borrow;
            un[i + j] = (uint32_t)t;
            borrow = t < 0;
        }
        int64_t t = (int64_t)un[j + n] - (int64_t)carry - borrow;
        un[j + n] = (uint32_t)t;
        if (t < 0) {
            qhat--;
            uint64_t c = 0;
            for (int i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)un[i + j] + vn[i] + c;
                un[i + j] = (uint32_t)sum;
                c = sum >> 32;
            }
            un[j + n] = (uint32_t)((uint64_t)un[j + n] + c);
        }
        qq.d[j] = (uint32_t)qhat;
    }
    bn_norm(&qq);
    if (q != NULL) {
        *q = qq;
    }
    if (r != NULL) {
        r->n = n;
        for (int i = 0; i < n; i++) {
            r->d[i] = (un[i] >> s) | (s == 0 ? 0 : (uint32_t)((uint64_t)un[i + 1] << (32 - s)));
        }
        bn_norm(r);
    }
}

static int bn_bits(const bn *a)
{
    return a->n == 0 ? 0 : a->n * 32 - clz32(a->d[a->n - 1]);
}

/* r = floor(sqrt(a)), by Newton's iteration from above. */
static void bn_isqrt(bn *r, const bn *a)
{
    if (a->n == 0) {
        r->n = 0;
        return;
    }
    /* x0 = 2^ceil(bits / 2) >= sqrt(a). */
    int e = (bn_bits(a) + 1) / 2;
    bn x;
    memset(&x, 0, sizeof x);
    x.n = e / 32 + 1;
    x.d[e / 32] = UINT32_C(1) << (e % 32);
    for (;;) {
        bn q, y;
        bn_divmod(&q, NULL, a, &x);
        bn_add(&y, &x, &q);
        bn_div_small(&y, 2);
        if (bn_cmp(&y, &x) >= 0) {
            break;
        }
        x = y;
    }
    *r = x;
}

/* Rounds a / 10^k half up (a is a magnitude: half away from zero). */
static void bn_round_div10(bn *a, int k)
{
    if (k <= 0) {
        bn_scale10(a, -k);
        return;
    }
    bn d, q, rem;
    bn_pow10(&d, k);
    bn_divmod(&q, &rem, a, &d);
    bn_add(&rem, &rem, &rem);
    if (bn_cmp(&rem, &d) >= 0) {
        bn one;
        bn_set_u128(&one, 1);
        bn_add(&q, &q, &one);
    }
    *a = q;
}

static bk_rc overflow(bk_error *err)
{
    return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
}

/* A magnitude and sign to a Basket numeric; 22003 beyond 38 digits. */
static bk_rc bn_to_numeric(const bn *a, bool neg, bk_i128 *out, bk_error *err)
{
    if (a->n > 4) {
        return overflow(err);
    }
    bk_u128 v = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        v = (v << 32) | a->d[i];
    }
    if (v >= (bk_u128)bk_pow10_i128(38)) {
        return overflow(err);
    }
    *out = neg ? -(bk_i128)v : (bk_i128)v;
    return BK_OK;
}

static bk_u128 u128_abs(bk_i128 v)
{
    return v < 0 ? (bk_u128)0 - (bk_u128)v : (bk_u128)v;
}

/* ---- fixed point ---------------------------------------------------------------------------- */

/* value = (neg ? -1 : 1) * m / 10^p, p shared by all values of one computation. */
typedef struct fx {
    bool neg;
    bn m;
} fx;

typedef struct fx_ctx {
    int p;
    bn one; /* 10^p */
} fx_ctx;

static void fx_init(fx_ctx *c, int p)
{
    c->p = p;
    bn_pow10(&c->one, p);
}

/* v / 10^scale at precision p (rounded when scale > p). */
static void fx_from_num(const fx_ctx *c, bk_i128 v, int scale, fx *out)
{
    out->neg = v < 0;
    bn_set_u128(&out->m, u128_abs(v));
    bn_round_div10(&out->m, scale - c->p);
    if (bn_is_zero(&out->m)) {
        out->neg = false;
    }
}

static void fx_add(fx *r, const fx *a, const fx *b)
{
    if (a->neg == b->neg) {
        r->neg = a->neg;
        bn_add(&r->m, &a->m, &b->m);
        return;
    }
    if (bn_cmp(&a->m, &b->m) >= 0) {
        r->neg = a->neg;
        bn_sub(&r->m, &a->m, &b->m);
    } else {
        r->neg = b->neg;
        bn_sub(&r->m, &b->m, &a->m);
    }
    if (bn_is_zero(&r->m)) {
        r->neg = false;
    }
}

static void fx_sub(fx *r, const fx *a, const fx *b)
{
    fx nb = *b;
    nb.neg = !nb.neg && !bn_is_zero(&nb.m);
    fx_add(r, a, &nb);
}

/* r = a * b, truncated; r may alias. */
static void fx_mul(const fx_ctx *c, fx *r, const fx *a, const fx *b)
{
    bn t, q;
    bn_mul(&t, &a->m, &b->m);
    bn_divmod(&q, NULL, &t, &c->one);
    r->neg = a->neg != b->neg && !bn_is_zero(&q);
    r->m = q;
}

/* r = a / b, truncated; b != 0; r may alias. */
static void fx_div(const fx_ctx *c, fx *r, const fx *a, const fx *b)
{
    bn t, q;
    bn_mul(&t, &a->m, &c->one);
    bn_divmod(&q, NULL, &t, &b->m);
    r->neg = a->neg != b->neg && !bn_is_zero(&q);
    r->m = q;
}

static void fx_div_small(fx *a, uint32_t d)
{
    bn_div_small(&a->m, d);
    if (bn_is_zero(&a->m)) {
        a->neg = false;
    }
}

/* sqrt of a non-negative value, truncated. */
static void fx_sqrt(const fx_ctx *c, fx *r, const fx *a)
{
    bn t;
    bn_mul(&t, &a->m, &c->one);
    bn_isqrt(&r->m, &t);
    r->neg = false;
}

/* Compares |a| with num / 10^scale (num >= 0). */
static int fx_cmp_abs(const fx_ctx *c, const fx *a, int64_t num, int scale)
{
    fx b;
    fx_from_num(c, num, scale, &b);
    return bn_cmp(&a->m, &b.m);
}

/* Rounds to `rscale` decimals (half away from zero) into a Basket numeric. */
static bk_rc fx_to_numeric(const fx_ctx *c, const fx *a, int rscale, bk_i128 *out, bk_error *err)
{
    bn m = a->m;
    bn_round_div10(&m, c->p - rscale);
    return bn_to_numeric(&m, a->neg, out, err);
}

/* ln(x) for x > 0, absolute error well below 10^-(p - 12). */
static void fx_ln(const fx_ctx *c, fx *r, const fx *x_in)
{
    fx x = *x_in;
    bool invert = bn_cmp(&x.m, &c->one) < 0;
    if (invert) {
        /* ln(x) = -ln(1/x): keeps the relative precision of tiny arguments. */
        fx one = {false, c->one};
        fx_div(c, &x, &one, &x);
    }
    /* Take square roots until x is within 1.1: ln(x) = 2^k ln(x^(1/2^k)). */
    int k = 0;
    while (fx_cmp_abs(c, &x, 11, 1) > 0) {
        fx_sqrt(c, &x, &x);
        k++;
    }
    /* ln(x) = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...), z = (x - 1) / (x + 1). */
    fx one = {false, c->one}, num, den, z, z2, term, sum;
    fx_sub(&num, &x, &one);
    fx_add(&den, &x, &one);
    fx_div(c, &z, &num, &den);
    fx_mul(c, &z2, &z, &z);
    term = z;
    sum = z;
    for (uint32_t j = 3;; j += 2) {
        fx_mul(c, &term, &term, &z2);
        fx t = term;
        fx_div_small(&t, j);
        if (bn_is_zero(&t.m)) {
            break;
        }
        fx_add(&sum, &sum, &t);
    }
    for (int i = 0; i <= k; i++) {
        bn_add(&sum.m, &sum.m, &sum.m);
    }
    sum.neg = invert && !bn_is_zero(&sum.m);
    *r = sum;
}

/* exp(x) for |x| < 6000; relative error about 2^k 10^-p with k halvings (k <= 20). */
static void fx_exp(const fx_ctx *c, fx *r, const fx *x_in)
{
    fx x = *x_in;
    bool neg = x.neg;
    x.neg = false;
    int k = 0;
    while (fx_cmp_abs(c, &x, 1, 2) > 0) {
        fx_div_small(&x, 2);
        k++;
    }
    fx one = {false, c->one}, sum = one, term = one;
    for (uint32_t j = 1;; j++) {
        fx_mul(c, &term, &term, &x);
        fx_div_small(&term, j);
        if (bn_is_zero(&term.m)) {
            break;
        }
        fx_add(&sum, &sum, &term);
    }
    while (k-- > 0) {
        fx_mul(c, &sum, &sum, &sum);
    }
    if (neg) {
        fx_div(c, &sum, &one, &sum);
    }
    *r = sum;
}

/* ---- PostgreSQL's scale estimates ----------------------------------------------------------- */

/* The base-10000 view of |v| / 10^scale: weight, first two digits, and whether more follow. */
typedef struct nbase_head {
    int weight;
    int d0, d1;
    bool more; /* nonzero base-10000 digits after the first */
} nbase_head;

static int decimal_exponent(bk_u128 a, int scale)
{
    return bk_numeric_digits((bk_i128)a) - 1 - scale;
}

static void nbase_of(bk_u128 a, int scale, nbase_head *h)
{
    h->d0 = h->d1 = 0;
    h->more = false;
    if (a == 0) {
        h->weight = 0;
        return;
    }
    int e = decimal_exponent(a, scale);
    h->weight = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int shift = scale + 4 * h->weight; /* |value| / 10000^weight = a / 10^shift */
    if (shift <= 0) {
        h->d0 = (int)(a * (bk_u128)bk_pow10_i128(-shift));
        return;
    }
    bk_u128 p = (bk_u128)bk_pow10_i128(shift);
    h->d0 = (int)(a / p);
    bk_u128 rem = a % p;
    h->more = rem != 0;
    if (shift >= 4) {
        h->d1 = (int)(rem / (bk_u128)bk_pow10_i128(shift - 4));
    } else {
        h->d1 = (int)(rem * (bk_u128)bk_pow10_i128(4 - shift));
    }
}

/* estimate_ln_dweight: the decimal weight of ln(v / 10^scale), v > 0. */
static int estimate_ln_dweight(bk_i128 v, int scale)
{
    bk_u128 a = u128_abs(v);
    /* 0.9 <= x <= 1.1: use ln(1 + y) ~= y. */
    if (bk_numeric_cmp(v, scale, 9, 1) >= 0 && bk_numeric_cmp(v, scale, 11, 1) <= 0) {
        bk_i128 one = bk_pow10_i128(scale);
        bk_i128 y = v - one;
        if (y == 0) {
            return 0;
        }
        return decimal_exponent(u128_abs(y), scale);
    }
    nbase_head h;
    nbase_of(a, scale, &h);
    int digits = h.d0, dweight = h.weight * 4;
    if (h.more) {
        digits = digits * 10000 + h.d1;
        dweight -= 4;
    }
    double ln_var = log((double)digits) + dweight * 2.302585092994046;
    return (int)log10(fabs(ln_var));
}

static int clamp_rscale(int rscale)
{
    rscale = BK_MAX(rscale, 0);
    return BK_MIN(rscale, BK_NUMERIC_MAX_SCALE);
}

/* Working precision for a result of `rscale` decimals and decimal weight `dweight`. */
static int work_precision(int rscale, int dweight, int extra)
{
    return BK_MIN(rscale + BK_MAX(dweight, 0) + extra + 16, 300);
}

/* ---- the functions -------------------------------------------------------------------------- */

bk_rc bigdec_sqrt(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err)
{
    if (v < 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "cannot take square root of a negative number");
    }
    nbase_head h;
    nbase_of((bk_u128)v, scale, &h);
    int sweight = (h.weight + 1) * 4 / 2 - 1;
    int rscale = clamp_rscale(BK_MAX(16 - sweight, scale));
    /* floor(sqrt(v * 10^(2(rscale + 1) - scale))): the root with one extra digit, truncated. */
    bn a, r;
    bn_set_u128(&a, (bk_u128)v);
    bn_scale10(&a, 2 * (rscale + 1) - scale);
    bn_isqrt(&r, &a);
    bn_round_div10(&r, 1);
    *out_scale = rscale;
    return bn_to_numeric(&r, false, out, err);
}

static bk_rc ln_arg_check(bk_i128 v, bk_error *err)
{
    if (v == 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
    }
    if (v < 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_LOG,
                        "cannot take logarithm of a negative number");
    }
    return BK_OK;
}

bk_rc bigdec_ln(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err)
{
    if (ln_arg_check(v, err) != BK_OK) {
        return BK_ERR;
    }
    int dweight = estimate_ln_dweight(v, scale);
    int rscale = clamp_rscale(BK_MAX(16 - dweight, scale));
    fx_ctx c;
    fx_init(&c, work_precision(rscale, dweight, scale));
    fx x, r;
    fx_from_num(&c, v, scale, &x);
    fx_ln(&c, &r, &x);
    *out_scale = rscale;
    return fx_to_numeric(&c, &r, rscale, out, err);
}

bk_rc bigdec_log(bk_i128 b,
                 int bscale,
                 bk_i128 v,
                 int scale,
                 bk_i128 *out,
                 int *out_scale,
                 bk_error *err)
{
    if (ln_arg_check(b, err) != BK_OK || ln_arg_check(v, err) != BK_OK) {
        return BK_ERR;
    }
    int bw = estimate_ln_dweight(b, bscale), nw = estimate_ln_dweight(v, scale);
    int dweight = nw - bw;
    int rscale = 16 - dweight;
    rscale = clamp_rscale(BK_MAX(rscale, BK_MAX(bscale, scale)));
    /* ln(base) may be tiny (base near 1): its absolute precision must cover the quotient. */
    fx_ctx c;
    fx_init(&c, work_precision(rscale, dweight, BK_MAX(bscale, scale) + BK_MAX(-bw, 0)));
    fx xb, xv, lb, lv, q;
    fx_from_num(&c, b, bscale, &xb);
    fx_from_num(&c, v, scale, &xv);
    fx_ln(&c, &lb, &xb);
    fx_ln(&c, &lv, &xv);
    if (bn_is_zero(&lb.m)) {
        return bk_raise(err, DIVISION_BY_ZERO, "division by zero");
    }
    fx_div(&c, &q, &lv, &lb);
    *out_scale = rscale;
    return fx_to_numeric(&c, &q, rscale, out, err);
}

bk_rc bigdec_exp(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err)
{
    double val = bk_numeric_to_double(v, scale);
    if (fabs(val) >= 6000) {
        if (val > 0) {
            return overflow(err);
        }
    }
    val *= 0.434294481903252;
    val = BK_MAX(val, -2000.0);
    val = BK_MIN(val, 2000.0);
    int dweight = (int)val;
    int rscale = clamp_rscale(BK_MAX(16 - dweight, scale));
    if (dweight > 38) {
        return overflow(err);
    }
    *out_scale = rscale;
    if (dweight < -(rscale + 2)) {
        *out = 0; /* far below the last decimal: rounds to zero */
        return BK_OK;
    }
    fx_ctx c;
    fx_init(&c, work_precision(rscale, dweight, scale + 8));
    fx x, r;
    fx_from_num(&c, v, scale, &x);
    fx_exp(&c, &r, &x);
    return fx_to_numeric(&c, &r, rscale, out, err);
}

/* Integer-exponent power, exactly: (v / 10^s)^e rounded to rscale. */
static bk_rc power_int_exact(bk_i128 v, int s, int64_t e, int rscale, bk_i128 *out, bk_error *err)
{
    bool neg = v < 0 && (e & 1) != 0;
    uint64_t k = e < 0 ? (uint64_t)0 - (uint64_t)e : (uint64_t)e;
    bn base, acc;
    bn_set_u128(&base, u128_abs(v));
    bn_set_u128(&acc, 1);
    for (uint64_t bit = k; bit != 0; bit >>= 1) {
        bn t;
        if (bit & 1) {
            bn_mul(&t, &acc, &base);
            acc = t;
        }
        if (bit > 1) {
            bn_mul(&t, &base, &base);
            base = t;
        }
    }
    /* acc = |v|^k, at scale s * k. */
    int acc_scale = (int)((uint64_t)s * k);
    if (e >= 0) {
        bn_round_div10(&acc, acc_scale - rscale);
        return bn_to_numeric(&acc, neg, out, err);
    }
    /* 1 / acc at rscale: round(10^(rscale + acc_scale) / acc). */
    bn num, q, rem;
    bn_pow10(&num, rscale + acc_scale);
    bn_divmod(&q, &rem, &num, &acc);
    bn_add(&rem, &rem, &rem);
    if (bn_cmp(&rem, &acc) >= 0) {
        bn one;
        bn_set_u128(&one, 1);
        bn_add(&q, &q, &one);
    }
    return bn_to_numeric(&q, neg, out, err);
}

/* Whether v / 10^scale is an integer; *odd says whether it is odd, *out its value if in int64. */
static bool numeric_is_integer(bk_i128 v, int scale, bool *odd, int64_t *out, bool *fits)
{
    bk_i128 p = bk_pow10_i128(scale);
    if (v % p != 0) {
        return false;
    }
    bk_i128 q = v / p;
    *odd = (q & 1) != 0;
    *fits = q >= INT64_MIN && q <= INT64_MAX;
    *out = *fits ? (int64_t)q : 0;
    return true;
}

/*
 * PostgreSQL's first pass over a non-integer power: ln(base) rounded to ~8 significant
 * digits, times the exponent, rounded alike, as a double. Its decimal weight picks the scale.
 */
static bool
power_first_pass(bk_i128 ab, int bscale, bk_i128 e, int escale, int ln_dweight, double *out)
{
    int local = BK_MAX(8 - ln_dweight, 0);
    fx_ctx c;
    fx_init(&c, BK_MIN(local + escale + bscale + BK_MAX(-ln_dweight, 0) + 16, 300));
    fx xb, lb, ex, prod;
    fx_from_num(&c, ab, bscale, &xb);
    fx_ln(&c, &lb, &xb);
    bn_round_div10(&lb.m, c.p - local);
    bn_scale10(&lb.m, c.p - local);
    fx_from_num(&c, e, escale, &ex);
    fx_mul(&c, &prod, &lb, &ex);
    bn_round_div10(&prod.m, c.p - local);
    bk_i128 v;
    bk_error ignore;
    bk_error_clear(&ignore);
    if (local > BK_NUMERIC_MAX_SCALE || bn_to_numeric(&prod.m, prod.neg, &v, &ignore) != BK_OK) {
        return false;
    }
    *out = bk_numeric_to_double(v, local);
    return true;
}

bk_rc bigdec_power(bk_i128 b,
                   int bscale,
                   bk_i128 e,
                   int escale,
                   bk_i128 *out,
                   int *out_scale,
                   bk_error *err)
{
    if (b == 0 && e < 0) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "zero raised to a negative power is undefined");
    }
    bool odd = false, fits = false;
    int64_t ie = 0;
    bool integral = numeric_is_integer(e, escale, &odd, &ie, &fits);
    bool small_int = integral && fits && ie >= INT32_MIN && ie <= INT32_MAX;
    int rscale;
    if (small_int) {
        /* power_var_int: at least 16 decimals, never fewer than the base's. */
        rscale = clamp_rscale(BK_MAX(16, bscale));
        *out_scale = rscale;
        if (ie == 0) {
            *out = bk_pow10_i128(rscale);
            return BK_OK;
        }
        if (b == 0) {
            *out = 0;
            return BK_OK;
        }
        uint64_t k = ie < 0 ? (uint64_t)0 - (uint64_t)ie : (uint64_t)ie;
        /* Exact while |b|^k and its scale stay within a few hundred digits. */
        if ((uint64_t)bk_numeric_digits(b) * k <= 600 && (uint64_t)bscale * k <= 600) {
            return power_int_exact(b, bscale, ie, rscale, out, err);
        }
    } else if (b == 0) {
        *out_scale = 16;
        *out = 0;
        return BK_OK;
    } else if (b < 0 && !integral) {
        return bk_raise(err, INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                        "a negative number raised to a non-integer power yields a complex result");
    }
    bk_i128 ab = b < 0 ? -b : b;
    int ln_dweight = estimate_ln_dweight(ab, bscale);
    if (!small_int) {
        double val;
        if (!power_first_pass(ab, bscale, e, escale, ln_dweight, &val) || fabs(val) > 2000 * 3.01) {
            if ((e > 0) == (ab > bk_pow10_i128(bscale))) {
                return overflow(err);
            }
            *out_scale = BK_NUMERIC_MAX_SCALE;
            *out = 0;
            return BK_OK;
        }
        val *= 0.434294481903252;
        rscale = 16 - (int)val;
        rscale = BK_MAX(rscale, bscale);
        rscale = clamp_rscale(BK_MAX(rscale, escale));
        *out_scale = rscale;
    }
    /* The decimal weight of the result decides overflow, underflow and the precision. */
    double w = bk_numeric_to_double(e, escale) * log10(bk_numeric_to_double(ab, bscale));
    if (w > 39) {
        return overflow(err);
    }
    if (w < -(rscale + 2)) {
        *out = 0;
        return BK_OK;
    }
    int dweight = (int)w;
    /* exp's argument needs as many more digits as e has integer digits. */
    int e_int_digits = BK_MAX(bk_numeric_digits(e) - escale, 0);
    fx_ctx c;
    fx_init(&c, work_precision(rscale, dweight,
                               e_int_digits + bscale + escale + BK_MAX(-ln_dweight, 0)));
    fx xb, lb, ex, prod, r;
    fx_from_num(&c, ab, bscale, &xb);
    fx_ln(&c, &lb, &xb);
    fx_from_num(&c, e, escale, &ex);
    fx_mul(&c, &prod, &lb, &ex);
    fx_exp(&c, &r, &prod);
    r.neg = b < 0 && odd && !bn_is_zero(&r.m);
    return fx_to_numeric(&c, &r, rscale, out, err);
}
