/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Segments: open ones the writer appends to in plain arrays, and sealed ones, encoded once
 * when full and immutable afterwards, each column with its zone map.
 *
 * Encodings chosen at sealing:
 *   text     dictionary codes in 1, 2 or 4 bytes, by the largest code in the chunk;
 *   numeric  int64 at the chunk's largest display scale when every value fits there (sums and
 *            comparisons then work on plain integers); the per-row display scale is kept only
 *            if rows differ, because PostgreSQL prints 18.0 and 2.55 with their own scales;
 *            otherwise each row keeps its own scale;
 *   others   their vector representation.
 * The validity bitmap is dropped when a chunk has no NULLs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage_int.h"

size_t bk_storage_width(bk_type_id id)
{
    switch (id) {
    case BK_TYPE_TEXT:
        return sizeof(uint32_t);
    case BK_TYPE_NUMERIC:
        return sizeof(int64_t);
    default:
        return bk_type_width(id);
    }
}

bk_seg *bk_seg_ref(bk_seg *s)
{
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

static void chunk_free(bk_chunk *c)
{
    bk_mem_free(c->data);
    bk_mem_free(c->validity);
    bk_mem_free(c->dscale);
}

void bk_seg_unref(bk_seg *s)
{
    if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    for (uint32_t c = 0; c < s->n_cols; c++) {
        chunk_free(&s->cols[c]);
    }
    bk_mem_free(s);
}

static bk_seg *seg_alloc(uint32_t n_cols)
{
    bk_seg *s = bk_mem_calloc(1, sizeof(bk_seg) + sizeof(bk_chunk) * n_cols);
    if (s != NULL) {
        atomic_init(&s->refs, 1);
        s->n_cols = n_cols;
    }
    return s;
}

bk_seg *bk_seg_new_open(const bk_table *t, uint32_t cap)
{
    bk_seg *s = seg_alloc(t->n_cols);
    if (s == NULL) {
        return NULL;
    }
    s->cap = cap;
    for (uint32_t c = 0; c < t->n_cols; c++) {
        const bk_column_def *def = &t->cols[c];
        bk_chunk *ch = &s->cols[c];
        ch->enc = def->type.id == BK_TYPE_TEXT      ? ENC_CODES
                  : def->type.id == BK_TYPE_NUMERIC ? ENC_NUM_ROWSCALE
                                                    : ENC_PLAIN;
        ch->code_width = 4;
        ch->width = (uint8_t)bk_storage_width(def->type.id);
        ch->data = bk_mem_calloc(cap, ch->width);
        if (ch->data == NULL) {
            goto oom;
        }
        if (!def->not_null) {
            ch->validity = bk_mem_calloc(bk_validity_words(cap), sizeof(uint64_t));
            if (ch->validity == NULL) {
                goto oom;
            }
        }
        if (def->type.id == BK_TYPE_NUMERIC) {
            ch->dscale = bk_mem_calloc(cap, 1);
            if (ch->dscale == NULL) {
                goto oom;
            }
        }
    }
    return s;
oom:
    bk_seg_unref(s);
    return NULL;
}

bk_seg *bk_seg_grow(const bk_table *t, const bk_seg *old, uint32_t n, uint32_t cap)
{
    bk_seg *s = bk_seg_new_open(t, cap);
    if (s == NULL) {
        return NULL;
    }
    s->n_rows = n;
    for (uint32_t c = 0; c < t->n_cols; c++) {
        const bk_chunk *from = &old->cols[c];
        bk_chunk *to = &s->cols[c];
        memcpy(to->data, from->data, (size_t)n * bk_storage_width(t->cols[c].type.id));
        if (from->validity != NULL) {
            /* Words are read atomically: readers may share the last one with the writer. */
            for (size_t w = 0; w < bk_validity_words(n); w++) {
                to->validity[w] = atomic_load_explicit((_Atomic uint64_t *)&from->validity[w],
                                                       memory_order_relaxed);
            }
        }
        if (from->dscale != NULL) {
            memcpy(to->dscale, from->dscale, n);
        }
    }
    return s;
}

static bool row_valid(const bk_chunk *c, uint32_t i)
{
    return c->validity == NULL || (c->validity[i >> 6] >> (i & 63) & 1) != 0;
}

/* ---- sealing -------------------------------------------------------------------------------- */

static int64_t plain_int(bk_type_id id, const void *data, uint32_t i)
{
    switch (id) {
    case BK_TYPE_BOOL:
        return ((const uint8_t *)data)[i];
    case BK_TYPE_INT2:
        return ((const int16_t *)data)[i];
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        return ((const int32_t *)data)[i];
    case BK_TYPE_OID:
        return ((const uint32_t *)data)[i];
    default:
        return ((const int64_t *)data)[i];
    }
}

static void zone_ints(bk_type_id id, const bk_chunk *src, uint32_t n, bk_zone *z)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!row_valid(src, i)) {
            continue;
        }
        int64_t v = plain_int(id, src->data, i);
        if (!z->has_range || v < z->min.i) {
            z->min.i = v;
        }
        if (!z->has_range || v > z->max.i) {
            z->max.i = v;
        }
        z->has_range = true;
    }
}

static void zone_floats(bk_type_id id, const bk_chunk *src, uint32_t n, bk_zone *z)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!row_valid(src, i)) {
            continue;
        }
        double v = id == BK_TYPE_FLOAT4 ? (double)((const float *)src->data)[i]
                                        : ((const double *)src->data)[i];
        if (isnan(v)) {
            z->has_nan = true;
            continue;
        }
        if (!z->has_range || v < z->min.d) {
            z->min.d = v;
        }
        if (!z->has_range || v > z->max.d) {
            z->max.d = v;
        }
        z->has_range = true;
    }
}

/*
 * Zone map of a text chunk over its distinct codes: one string comparison per distinct value
 * rather than per row.
 */
static bool text_zone_codes(const bk_dict *d,
                            bk_chunk *dst,
                            uint32_t n,
                            const uint64_t *validity,
                            uint32_t (*code_of)(const void *, uint32_t),
                            const void *data,
                            uint32_t max_code)
{
    size_t words = (size_t)max_code / 64 + 1;
    uint64_t *seen = bk_mem_calloc(words, sizeof(uint64_t));
    if (seen == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (validity == NULL || (validity[i >> 6] >> (i & 63) & 1) != 0) {
            uint32_t code = code_of(data, i);
            seen[code / 64] |= UINT64_C(1) << (code % 64);
        }
    }
    bk_zone *z = &dst->zone;
    z->has_range = false;
    for (size_t w = 0; w < words; w++) {
        uint64_t bits = seen[w];
        while (bits != 0) {
            uint32_t code = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            bk_str s = bk_dict_get(d, code);
            size_t lmin = BK_MIN(s.len, z->min_s.len), lmax = BK_MIN(s.len, z->max_s.len);
            int cmin = lmin == 0 ? 0 : memcmp(s.ptr, z->min_s.ptr, lmin);
            int cmax = lmax == 0 ? 0 : memcmp(s.ptr, z->max_s.ptr, lmax);
            if (!z->has_range || cmin < 0 || (cmin == 0 && s.len < z->min_s.len)) {
                z->min_s = s;
            }
            if (!z->has_range || cmax > 0 || (cmax == 0 && s.len > z->max_s.len)) {
                z->max_s = s;
            }
            z->has_range = true;
        }
    }
    bk_mem_free(seen);
    return true;
}

static uint32_t code_u8(const void *d, uint32_t i)
{
    return ((const uint8_t *)d)[i];
}

static uint32_t code_u16(const void *d, uint32_t i)
{
    return ((const uint16_t *)d)[i];
}

static uint32_t code_u32(const void *d, uint32_t i)
{
    return ((const uint32_t *)d)[i];
}

static bool text_zone(const bk_dict *d,
                      bk_chunk *dst,
                      uint32_t n,
                      const uint64_t *validity,
                      const uint32_t *codes,
                      uint32_t max_code)
{
    return text_zone_codes(d, dst, n, validity, code_u32, codes, max_code);
}

bk_rc bk_seg_text_zone(const bk_table *t, bk_seg *s, uint32_t c)
{
    bk_chunk *ch = &s->cols[c];
    uint32_t (*code_of)(const void *, uint32_t) = ch->code_width == 1   ? code_u8
                                                  : ch->code_width == 2 ? code_u16
                                                                        : code_u32;
    uint32_t max_code = 0;
    for (uint32_t i = 0; i < s->n_rows; i++) {
        uint32_t code = code_of(ch->data, i);
        max_code = code > max_code ? code : max_code;
    }
    return text_zone_codes(t->dicts[c], ch, s->n_rows, ch->validity, code_of, ch->data, max_code)
               ? BK_OK
               : BK_ERR;
}

static bool
seal_codes(const bk_table *t, uint32_t c, const bk_chunk *src, uint32_t n, bk_chunk *dst)
{
    const uint32_t *codes = src->data;
    uint32_t max_code = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (row_valid(src, i) && codes[i] > max_code) {
            max_code = codes[i];
        }
    }
    dst->enc = ENC_CODES;
    dst->code_width = max_code < 256 ? 1 : max_code < 65536 ? 2 : 4;
    dst->width = dst->code_width;
    dst->data = bk_mem_alloc((size_t)n * dst->code_width + 1);
    if (dst->data == NULL) {
        return false;
    }
    /* NULL rows get code 0 so that every stored code is a valid dictionary index. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t code = row_valid(src, i) ? codes[i] : 0;
        switch (dst->code_width) {
        case 1:
            ((uint8_t *)dst->data)[i] = (uint8_t)code;
            break;
        case 2:
            ((uint16_t *)dst->data)[i] = (uint16_t)code;
            break;
        default:
            ((uint32_t *)dst->data)[i] = code;
            break;
        }
    }
    return text_zone(t->dicts[c], dst, n, src->validity, codes, max_code);
}

static bool seal_numeric(const bk_chunk *src, uint32_t n, bk_chunk *dst)
{
    const int64_t *v = src->data;
    uint8_t max_scale = 0;
    bool same = true, first = true;
    uint8_t first_scale = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!row_valid(src, i)) {
            continue;
        }
        if (first) {
            first_scale = src->dscale[i];
            first = false;
        }
        same = same && src->dscale[i] == first_scale;
        max_scale = BK_MAX(max_scale, src->dscale[i]);
    }
    int64_t *scaled = bk_mem_alloc(sizeof(int64_t) * n + 1);
    if (scaled == NULL) {
        return false;
    }
    bool fits = max_scale <= 18;
    for (uint32_t i = 0; i < n && fits; i++) {
        if (!row_valid(src, i)) {
            scaled[i] = 0;
            continue;
        }
        bk_i128 x = (bk_i128)v[i] * bk_pow10_i128(max_scale - src->dscale[i]);
        if (x > INT64_MAX || x < INT64_MIN) {
            fits = false;
            break;
        }
        scaled[i] = (int64_t)x;
    }
    if (!fits) {
        /* Keep every row at its own scale; no range in the zone map. */
        bk_mem_free(scaled);
        dst->enc = ENC_NUM_ROWSCALE;
        dst->width = sizeof(int64_t);
        dst->data = bk_mem_alloc(sizeof(int64_t) * n + 1);
        dst->dscale = bk_mem_alloc((size_t)n + 1);
        if (dst->data == NULL || dst->dscale == NULL) {
            return false;
        }
        memcpy(dst->data, v, sizeof(int64_t) * n);
        memcpy(dst->dscale, src->dscale, n);
        return true;
    }
    dst->enc = ENC_NUM_SCALED;
    dst->width = sizeof(int64_t);
    dst->scale = max_scale;
    dst->data = scaled;
    if (!same) {
        dst->dscale = bk_mem_alloc((size_t)n + 1);
        if (dst->dscale == NULL) {
            return false;
        }
        memcpy(dst->dscale, src->dscale, n);
    }
    bk_zone *z = &dst->zone;
    for (uint32_t i = 0; i < n; i++) {
        if (!row_valid(src, i)) {
            continue;
        }
        if (!z->has_range || scaled[i] < z->min.i) {
            z->min.i = scaled[i];
        }
        if (!z->has_range || scaled[i] > z->max.i) {
            z->max.i = scaled[i];
        }
        z->has_range = true;
    }
    return true;
}

bk_seg *bk_seg_seal(const bk_table *t, const bk_seg *open, uint32_t n)
{
    bk_seg *s = seg_alloc(t->n_cols);
    if (s == NULL) {
        return NULL;
    }
    s->sealed = true;
    s->n_rows = n;
    s->cap = n;
    for (uint32_t c = 0; c < t->n_cols; c++) {
        const bk_column_def *def = &t->cols[c];
        const bk_chunk *src = &open->cols[c];
        bk_chunk *dst = &s->cols[c];
        uint32_t nulls = 0;
        for (uint32_t i = 0; i < n; i++) {
            nulls += !row_valid(src, i);
        }
        dst->zone.null_count = nulls;
        dst->zone.has_values = nulls < n;
        if (nulls > 0) {
            dst->validity = bk_mem_alloc(bk_validity_words(n) * sizeof(uint64_t));
            if (dst->validity == NULL) {
                goto oom;
            }
            memcpy(dst->validity, src->validity, bk_validity_words(n) * sizeof(uint64_t));
        }
        bk_type_id id = def->type.id;
        bool ok = true;
        if (id == BK_TYPE_TEXT) {
            ok = seal_codes(t, c, src, n, dst);
        } else if (id == BK_TYPE_NUMERIC) {
            ok = seal_numeric(src, n, dst);
        } else {
            dst->enc = ENC_PLAIN;
            size_t w = bk_storage_width(id);
            dst->width = (uint8_t)w;
            dst->data = bk_mem_alloc(w * n + 1);
            ok = dst->data != NULL;
            if (ok) {
                memcpy(dst->data, src->data, w * n);
                if (id == BK_TYPE_FLOAT4 || id == BK_TYPE_FLOAT8) {
                    zone_floats(id, src, n, &dst->zone);
                } else if (id != BK_TYPE_INTERVAL) {
                    zone_ints(id, src, n, &dst->zone);
                }
            }
        }
        if (!ok) {
            goto oom;
        }
    }
    return s;
oom:
    bk_seg_unref(s);
    return NULL;
}

size_t bk_seg_column_bytes(const bk_seg *s, uint32_t c)
{
    const bk_chunk *ch = &s->cols[c];
    uint32_t rows = s->sealed ? s->n_rows : s->cap;
    size_t bytes = (size_t)rows * ch->width;
    if (ch->validity != NULL) {
        bytes += bk_validity_words(rows) * sizeof(uint64_t);
    }
    if (ch->dscale != NULL) {
        bytes += rows;
    }
    return bytes;
}
