/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Predicates evaluated inside scans, on the stored encoding, 2,048 rows at a time, into
 * bitmasks (kernels/kernels_int.h):
 *
 *   integers, dates, timestamps, oids, bools   range kernels on the plain arrays
 *   float8                                     range kernel in PostgreSQL's float order
 *   numeric                                    bounds rescaled to the chunk's scale, then the
 *                                              int64 range kernel; per-row scales fall back
 *                                              to exact comparisons row by row
 *   text                                       the predicate is evaluated once per distinct
 *                                              value (dictionary entry) into a bitset of codes;
 *                                              rows then test their code's bit
 *
 * Before that, a sealed segment whose zone map proves that no row can match is skipped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pred_int.h"

bool bk_pred_supported(bk_type_id id)
{
    switch (id) {
    case BK_TYPE_BOOL:
    case BK_TYPE_INT2:
    case BK_TYPE_INT4:
    case BK_TYPE_INT8:
    case BK_TYPE_OID:
    case BK_TYPE_DATE:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
    case BK_TYPE_FLOAT8:
    case BK_TYPE_NUMERIC:
    case BK_TYPE_TEXT:
        return true;
    default:
        return false;
    }
}

static bool is_int_kind(bk_type_id id)
{
    return id != BK_TYPE_FLOAT8 && id != BK_TYPE_NUMERIC && id != BK_TYPE_TEXT;
}

/* Range of values a column of this type can hold. */
static void type_bounds(bk_type_id id, int64_t *lo, int64_t *hi)
{
    switch (id) {
    case BK_TYPE_BOOL:
        *lo = 0;
        *hi = 1;
        break;
    case BK_TYPE_INT2:
        *lo = INT16_MIN;
        *hi = INT16_MAX;
        break;
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        *lo = INT32_MIN;
        *hi = INT32_MAX;
        break;
    case BK_TYPE_OID:
        *lo = 0;
        *hi = UINT32_MAX;
        break;
    default:
        *lo = INT64_MIN;
        *hi = INT64_MAX;
        break;
    }
}

static int str_cmp(bk_str a, bk_str b)
{
    size_t n = BK_MIN(a.len, b.len);
    int c = n == 0 ? 0 : memcmp(a.ptr, b.ptr, n);
    if (c != 0) {
        return c < 0 ? -1 : 1;
    }
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

static bool text_matches(const bk_pred *p, bk_str s)
{
    switch (p->op) {
    case BK_PRED_RANGE:
        if (p->has_lo) {
            int c = str_cmp(s, p->lo.u.s);
            if (c < 0 || (c == 0 && !p->lo_incl)) {
                return false;
            }
        }
        if (p->has_hi) {
            int c = str_cmp(s, p->hi.u.s);
            if (c > 0 || (c == 0 && !p->hi_incl)) {
                return false;
            }
        }
        return true;
    case BK_PRED_PREFIX:
        return s.len >= p->lo.u.s.len &&
               (p->lo.u.s.len == 0 || memcmp(s.ptr, p->lo.u.s.ptr, p->lo.u.s.len) == 0);
    default:
        return false;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

bk_rc bk_pred_compile(scan_pred *sp, const bk_pred *p, const bk_table *t, bk_error *err)
{
    memset(sp, 0, sizeof *sp);
    sp->p = *p;
    sp->type = t->cols[p->col].type.id;
    if (!bk_pred_supported(sp->type) || p->col >= t->n_cols) {
        return bk_raise(err, INTERNAL_ERROR, "predicate on an unsupported column");
    }
    if (p->op == BK_PRED_IS_NULL || p->op == BK_PRED_NOT_NULL) {
        return BK_OK;
    }
    if (sp->type == BK_TYPE_TEXT) {
        const bk_dict *d = t->dicts[p->col];
        sp->n_codes = bk_dict_count(d);
        sp->codes = bk_mem_calloc(bk_validity_words(sp->n_codes) + 1, sizeof(uint64_t));
        if (sp->codes == NULL) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        if (p->op == BK_PRED_IN) {
            for (uint32_t i = 0; i < p->n_list; i++) {
                uint32_t code;
                if (bk_dict_find(d, p->list[i].u.s, &code) && code < sp->n_codes) {
                    sp->codes[code / 64] |= UINT64_C(1) << (code % 64);
                }
            }
        } else {
            for (uint32_t code = 0; code < sp->n_codes; code++) {
                if (text_matches(p, bk_dict_get(d, code))) {
                    sp->codes[code / 64] |= UINT64_C(1) << (code % 64);
                }
            }
        }
        return BK_OK;
    }
    if (is_int_kind(sp->type)) {
        int64_t tlo, thi;
        type_bounds(sp->type, &tlo, &thi);
        if (p->op == BK_PRED_IN) {
            sp->ivals = bk_mem_alloc(sizeof(int64_t) * (p->n_list + 1));
            if (sp->ivals == NULL) {
                return bk_raise(err, OUT_OF_MEMORY, "out of memory");
            }
            for (uint32_t i = 0; i < p->n_list; i++) {
                sp->ivals[i] = sp->type == BK_TYPE_BOOL ? p->list[i].u.b : p->list[i].u.i;
            }
            qsort(sp->ivals, p->n_list, sizeof(int64_t), cmp_i64);
            sp->n_ivals = p->n_list;
            return BK_OK;
        }
        int64_t lo = tlo, hi = thi;
        if (p->has_lo) {
            int64_t v = sp->type == BK_TYPE_BOOL ? p->lo.u.b : p->lo.u.i;
            if (!p->lo_incl && v == INT64_MAX) {
                sp->empty = true;
            }
            lo = p->lo_incl ? v : v + (v == INT64_MAX ? 0 : 1);
        }
        if (p->has_hi) {
            int64_t v = sp->type == BK_TYPE_BOOL ? p->hi.u.b : p->hi.u.i;
            if (!p->hi_incl && v == INT64_MIN) {
                sp->empty = true;
            }
            hi = p->hi_incl ? v : v - (v == INT64_MIN ? 0 : 1);
        }
        if (lo < tlo) {
            lo = tlo;
        }
        if (hi > thi) {
            hi = thi;
        }
        if (lo > hi) {
            sp->empty = true;
        }
        sp->ilo = lo;
        sp->ihi = hi;
    }
    return BK_OK;
}

void bk_pred_free(scan_pred *sp)
{
    bk_mem_free(sp->codes);
    bk_mem_free(sp->ivals);
    sp->codes = NULL;
    sp->ivals = NULL;
}

/* ---- numeric bounds at a chunk scale --------------------------------------------------------- */

/* floor(v / 10^k) and ceil(v / 10^k) for k > 0. */
static bk_i128 div_floor(bk_i128 v, int k)
{
    bk_i128 d = bk_pow10_i128(k);
    bk_i128 q = v / d;
    return (v % d != 0 && v < 0) ? q - 1 : q;
}

static bk_i128 div_ceil(bk_i128 v, int k)
{
    bk_i128 d = bk_pow10_i128(k);
    bk_i128 q = v / d;
    return (v % d != 0 && v > 0) ? q + 1 : q;
}

/*
 * The smallest integer x with x / 10^S >= bound (ceil), or the largest with x / 10^S <= bound
 * (floor), clamped to int64. `exact` tells whether bound is representable at scale S.
 */
static bk_i128 scale_bound(const bk_value *b, int S, bool ceil_mode, bool *exact)
{
    int s = b->u.n.scale;
    if (S >= s) {
        int k = S - s;
        *exact = true;
        if (k > 36) {
            return b->u.n.v > 0   ? (bk_i128)INT64_MAX * 2
                   : b->u.n.v < 0 ? (bk_i128)INT64_MIN * 2
                                  : 0;
        }
        bk_i128 r;
        if (__builtin_mul_overflow(b->u.n.v, bk_pow10_i128(k), &r)) {
            return b->u.n.v > 0 ? (bk_i128)INT64_MAX * 2 : (bk_i128)INT64_MIN * 2;
        }
        return r;
    }
    int k = s - S;
    if (k > 38) {
        *exact = b->u.n.v == 0;
        return ceil_mode ? (b->u.n.v > 0 ? 1 : 0) : (b->u.n.v < 0 ? -1 : 0);
    }
    *exact = b->u.n.v % bk_pow10_i128(k) == 0;
    return ceil_mode ? div_ceil(b->u.n.v, k) : div_floor(b->u.n.v, k);
}

static int64_t clamp64(bk_i128 v)
{
    return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* The inclusive int64 range at scale S equivalent to the predicate's numeric range. */
static bool numeric_range_at(const bk_pred *p, int S, int64_t *lo, int64_t *hi)
{
    bk_i128 l = INT64_MIN, h = INT64_MAX;
    bool exact;
    if (p->has_lo) {
        l = scale_bound(&p->lo, S, true, &exact);
        if (!p->lo_incl && exact) {
            l += 1; /* x > b: x >= b + 1 ulp at scale S */
        }
    }
    if (p->has_hi) {
        h = scale_bound(&p->hi, S, false, &exact);
        if (!p->hi_incl && exact) {
            h -= 1;
        }
    }
    if (l > INT64_MAX || h < INT64_MIN || l > h) {
        return false;
    }
    *lo = clamp64(l);
    *hi = clamp64(h);
    return true;
}

/* ---- zone maps ------------------------------------------------------------------------------ */

bool bk_pred_zone_excludes(const scan_pred *sp, const bk_chunk *ch)
{
    const bk_zone *z = &ch->zone;
    const bk_pred *p = &sp->p;
    if (p->op == BK_PRED_IS_NULL) {
        return z->null_count == 0;
    }
    if (!z->has_values) {
        return true; /* all NULL: nothing matches but IS NULL */
    }
    if (p->op == BK_PRED_NOT_NULL || p->negate || !z->has_range) {
        return false;
    }
    if (sp->empty) {
        return true;
    }
    switch (sp->type) {
    case BK_TYPE_TEXT:
        if (p->op == BK_PRED_RANGE) {
            if (p->has_lo) {
                int c = str_cmp(z->max_s, p->lo.u.s);
                if (c < 0 || (c == 0 && !p->lo_incl)) {
                    return true;
                }
            }
            if (p->has_hi) {
                int c = str_cmp(z->min_s, p->hi.u.s);
                if (c > 0 || (c == 0 && !p->hi_incl)) {
                    return true;
                }
            }
        } else if (p->op == BK_PRED_IN) {
            for (uint32_t i = 0; i < p->n_list; i++) {
                if (str_cmp(p->list[i].u.s, z->min_s) >= 0 &&
                    str_cmp(p->list[i].u.s, z->max_s) <= 0) {
                    return false;
                }
            }
            return true;
        }
        return false;
    case BK_TYPE_FLOAT8:
        /* Only finite ranges over chunks without NaN: NaN sorts above everything. */
        if (z->has_nan || p->op != BK_PRED_RANGE) {
            return false;
        }
        if (p->has_lo && !isnan(p->lo.u.d) && z->max.d < p->lo.u.d) {
            return true;
        }
        if (p->has_hi && !isnan(p->hi.u.d) && z->min.d > p->hi.u.d) {
            return true;
        }
        return false;
    case BK_TYPE_NUMERIC: {
        if (ch->enc != ENC_NUM_SCALED || p->op != BK_PRED_RANGE) {
            return false;
        }
        int64_t lo, hi;
        if (!numeric_range_at(p, ch->scale, &lo, &hi)) {
            return true;
        }
        return z->max.i < lo || z->min.i > hi;
    }
    default:
        if (p->op == BK_PRED_IN) {
            for (uint32_t i = 0; i < sp->n_ivals; i++) {
                if (sp->ivals[i] >= z->min.i && sp->ivals[i] <= z->max.i) {
                    return false;
                }
            }
            return true;
        }
        return z->max.i < sp->ilo || z->min.i > sp->ihi;
    }
}

/* ---- evaluation ----------------------------------------------------------------------------- */

static void mask_zero(uint64_t *m, uint32_t n)
{
    memset(m, 0, bk_validity_words(n) * sizeof(uint64_t));
}

static void mask_or(uint64_t *dst, const uint64_t *src, uint32_t n)
{
    for (size_t w = 0; w < bk_validity_words(n); w++) {
        dst[w] |= src[w];
    }
}

static void set_bit(uint64_t *m, uint32_t i)
{
    m[i >> 6] |= UINT64_C(1) << (i & 63);
}

static void eval_ints(const bk_kern_table *k,
                      const scan_pred *sp,
                      bk_type_id id,
                      const void *data,
                      uint32_t n,
                      uint64_t *out,
                      uint64_t *tmp)
{
    if (sp->p.op == BK_PRED_IN) {
        mask_zero(out, n);
        if (sp->n_ivals <= 8) {
            for (uint32_t i = 0; i < sp->n_ivals; i++) {
                scan_pred one = *sp;
                one.p.op = BK_PRED_RANGE;
                one.ilo = one.ihi = sp->ivals[i];
                eval_ints(k, &one, id, data, n, tmp, tmp + bk_validity_words(n));
                mask_or(out, tmp, n);
            }
            return;
        }
        for (uint32_t r = 0; r < n; r++) {
            int64_t v;
            switch (id) {
            case BK_TYPE_BOOL:
                v = ((const uint8_t *)data)[r];
                break;
            case BK_TYPE_INT2:
                v = ((const int16_t *)data)[r];
                break;
            case BK_TYPE_INT4:
            case BK_TYPE_DATE:
                v = ((const int32_t *)data)[r];
                break;
            case BK_TYPE_OID:
                v = ((const uint32_t *)data)[r];
                break;
            default:
                v = ((const int64_t *)data)[r];
                break;
            }
            if (bsearch(&v, sp->ivals, sp->n_ivals, sizeof(int64_t), cmp_i64) != NULL) {
                set_bit(out, r);
            }
        }
        return;
    }
    if (sp->empty) {
        mask_zero(out, n);
        return;
    }
    switch (id) {
    case BK_TYPE_BOOL:
        k->range_u8(n, data, (uint8_t)sp->ilo, (uint8_t)sp->ihi, out);
        break;
    case BK_TYPE_INT2:
        k->range_i16(n, data, (int16_t)sp->ilo, (int16_t)sp->ihi, out);
        break;
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        k->range_i32(n, data, (int32_t)sp->ilo, (int32_t)sp->ihi, out);
        break;
    case BK_TYPE_OID:
        k->range_u32(n, data, (uint32_t)sp->ilo, (uint32_t)sp->ihi, out);
        break;
    default:
        k->range_i64(n, data, sp->ilo, sp->ihi, out);
        break;
    }
}

static void eval_floats(const bk_kern_table *k,
                        const bk_pred *p,
                        const double *data,
                        uint32_t n,
                        uint64_t *out,
                        uint64_t *tmp)
{
    if (p->op == BK_PRED_IN) {
        mask_zero(out, n);
        for (uint32_t i = 0; i < p->n_list; i++) {
            k->range_f64(n, data, p->list[i].u.d, p->list[i].u.d, tmp);
            mask_or(out, tmp, n);
        }
        return;
    }
    /* No lower bound starts at -inf; no upper bound ends at NaN, the top of the order. */
    double lo = p->has_lo ? p->lo.u.d : -INFINITY;
    double hi = p->has_hi ? p->hi.u.d : NAN;
    k->range_f64(n, data, lo, hi, out);
    /* Exclusive bounds: remove the rows equal to the bound. */
    if (p->has_lo && !p->lo_incl) {
        k->range_f64(n, data, lo, lo, tmp);
        for (size_t w = 0; w < bk_validity_words(n); w++) {
            out[w] &= ~tmp[w];
        }
    }
    if (p->has_hi && !p->hi_incl) {
        k->range_f64(n, data, hi, hi, tmp);
        for (size_t w = 0; w < bk_validity_words(n); w++) {
            out[w] &= ~tmp[w];
        }
    }
}

/* Row-by-row numeric comparison, for chunks whose rows keep their own scales. */
static bool numeric_row_matches(const bk_pred *p, bk_i128 v, int s)
{
    if (p->op == BK_PRED_IN) {
        for (uint32_t i = 0; i < p->n_list; i++) {
            if (bk_numeric_cmp(v, s, p->list[i].u.n.v, p->list[i].u.n.scale) == 0) {
                return true;
            }
        }
        return false;
    }
    if (p->has_lo) {
        int c = bk_numeric_cmp(v, s, p->lo.u.n.v, p->lo.u.n.scale);
        if (c < 0 || (c == 0 && !p->lo_incl)) {
            return false;
        }
    }
    if (p->has_hi) {
        int c = bk_numeric_cmp(v, s, p->hi.u.n.v, p->hi.u.n.scale);
        if (c > 0 || (c == 0 && !p->hi_incl)) {
            return false;
        }
    }
    return true;
}

static void eval_numeric(const bk_kern_table *k,
                         const bk_pred *p,
                         const bk_chunk *ch,
                         uint32_t off,
                         uint32_t n,
                         uint64_t *out,
                         uint64_t *tmp)
{
    const int64_t *data = (const int64_t *)ch->data + off;
    if (ch->enc == ENC_NUM_SCALED && p->op == BK_PRED_RANGE) {
        int64_t lo, hi;
        if (!numeric_range_at(p, ch->scale, &lo, &hi)) {
            mask_zero(out, n);
            return;
        }
        k->range_i64(n, data, lo, hi, out);
        return;
    }
    if (ch->enc == ENC_NUM_SCALED && p->op == BK_PRED_IN) {
        mask_zero(out, n);
        for (uint32_t i = 0; i < p->n_list; i++) {
            bool exact;
            bk_i128 x = scale_bound(&p->list[i], ch->scale, true, &exact);
            if (exact && x >= INT64_MIN && x <= INT64_MAX) {
                k->range_i64(n, data, (int64_t)x, (int64_t)x, tmp);
                mask_or(out, tmp, n);
            }
        }
        return;
    }
    mask_zero(out, n);
    for (uint32_t r = 0; r < n; r++) {
        int s = ch->enc == ENC_NUM_SCALED ? ch->scale : ch->dscale[off + r];
        if (numeric_row_matches(p, data[r], s)) {
            set_bit(out, r);
        }
    }
}

static void eval_codes(const bk_kern_table *k,
                       const scan_pred *sp,
                       const bk_chunk *ch,
                       uint32_t off,
                       uint32_t n,
                       uint64_t *out)
{
    if (ch->code_width == 4) {
        k->member_u32(n, (const uint32_t *)ch->data + off, sp->codes, sp->n_codes, out);
        return;
    }
    mask_zero(out, n);
    for (uint32_t r = 0; r < n; r++) {
        uint32_t code = ch->code_width == 1 ? ((const uint8_t *)ch->data)[off + r]
                                            : ((const uint16_t *)ch->data)[off + r];
        if (code < sp->n_codes && (sp->codes[code >> 6] >> (code & 63) & 1) != 0) {
            set_bit(out, r);
        }
    }
}

void bk_pred_eval(const scan_pred *sp,
                  const bk_chunk *ch,
                  uint32_t off,
                  uint32_t n,
                  const uint64_t *valid,
                  uint64_t *out,
                  uint64_t *tmp)
{
    const bk_kern_table *k = bk_kern();
    const bk_pred *p = &sp->p;
    size_t words = bk_validity_words(n);
    switch (p->op) {
    case BK_PRED_IS_NULL:
        for (size_t w = 0; w < words; w++) {
            out[w] = valid == NULL ? 0 : ~valid[w];
        }
        bk_mask_trim(n, out);
        return;
    case BK_PRED_NOT_NULL:
        for (size_t w = 0; w < words; w++) {
            out[w] = valid == NULL ? ~UINT64_C(0) : valid[w];
        }
        bk_mask_trim(n, out);
        return;
    default:
        break;
    }
    switch (sp->type) {
    case BK_TYPE_TEXT:
        eval_codes(k, sp, ch, off, n, out);
        break;
    case BK_TYPE_FLOAT8:
        eval_floats(k, p, (const double *)ch->data + off, n, out, tmp);
        break;
    case BK_TYPE_NUMERIC:
        eval_numeric(k, p, ch, off, n, out, tmp);
        break;
    default:
        eval_ints(k, sp, sp->type, (const char *)ch->data + (size_t)off * ch->width, n, out, tmp);
        break;
    }
    /* NULL rows never match, negated or not. */
    for (size_t w = 0; w < words; w++) {
        uint64_t v = valid == NULL ? ~UINT64_C(0) : valid[w];
        out[w] = (p->negate ? ~out[w] : out[w]) & v;
    }
    bk_mask_trim(n, out);
}
