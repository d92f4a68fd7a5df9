/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table scans over one table version: batches of up to BK_BATCH_ROWS rows of the requested
 * columns, cut at segment boundaries. Plain columns are handed out zero-copy (pointers into
 * the segment); dictionary codes are decoded to strings and numerics widened into
 * scan-owned buffers.
 *
 * The last segment may be open: its rows beyond the version's count are being written, so
 * the scan stops at the count, and validity words it shares with the writer are read
 * atomically.
 */
#include <string.h>

#include "pred_int.h"

typedef struct scan_col {
    uint32_t table_col;
    bk_type type;
    void *buf;          /* decoded values, when the representation differs */
    uint64_t *validity; /* copied validity, when it cannot be shared */
    uint8_t *scale;     /* numeric display scales */
} scan_col;

#define MASK_WORDS (BK_BATCH_ROWS / 64)

struct bk_scan {
    const bk_snap *snap;
    scan_pred *preds;
    uint32_t n_preds;
    bool no_zone_maps;
    uint32_t zone_checked; /* segment index + 1 whose zone map was checked */
    uint64_t skipped;      /* segments skipped by zone maps */
    uint64_t mask[MASK_WORDS];
    uint64_t pmask[MASK_WORDS];
    uint64_t tmp[3 * MASK_WORDS];
    uint64_t vbuf[MASK_WORDS + 1];
    uint32_t sel[BK_BATCH_ROWS];
    bk_table *t;
    const bk_tabver *ver;
    uint64_t pos; /* next row (table row number) */
    uint64_t end;
    uint32_t seg;      /* segment holding pos */
    uint64_t seg_base; /* row number of that segment's first row */
    uint32_t n_cols;
    scan_col *cols;
    bk_batch batch;
};

void bk_scan_close(bk_scan *sc)
{
    if (sc == NULL) {
        return;
    }
    for (uint32_t i = 0; sc->cols != NULL && i < sc->n_cols; i++) {
        bk_mem_free(sc->cols[i].buf);
        bk_mem_free(sc->cols[i].validity);
        bk_mem_free(sc->cols[i].scale);
    }
    bk_mem_free(sc->cols);
    bk_mem_free(sc->batch.cols);
    for (uint32_t i = 0; sc->preds != NULL && i < sc->n_preds; i++) {
        bk_pred_free(&sc->preds[i]);
    }
    bk_mem_free(sc->preds);
    bk_mem_free(sc);
}

uint64_t bk_scan_segments_skipped(const bk_scan *sc)
{
    return sc->skipped;
}

static uint32_t seg_rows(const bk_tabver *v, uint32_t i, uint64_t base)
{
    const bk_seg *s = v->segs[i];
    return s->sealed ? s->n_rows : (uint32_t)(v->rows - base);
}

bk_scan *bk_scan_open(const bk_snap *s,
                      bk_table *t,
                      const uint32_t *cols,
                      uint32_t n_cols,
                      uint64_t row_begin,
                      uint64_t row_end,
                      bk_error *err)
{
    return bk_scan_open_ex(s, t, cols, n_cols, row_begin, row_end, NULL, err);
}

bk_scan *bk_scan_open_ex(const bk_snap *s,
                         bk_table *t,
                         const uint32_t *cols,
                         uint32_t n_cols,
                         uint64_t row_begin,
                         uint64_t row_end,
                         const bk_scan_opts *opts,
                         bk_error *err)
{
    bk_scan *sc = bk_mem_calloc(1, sizeof *sc);
    if (sc == NULL) {
        goto oom;
    }
    if (opts != NULL && opts->n_preds > 0) {
        sc->no_zone_maps = opts->no_zone_maps;
        sc->preds = bk_mem_calloc(opts->n_preds, sizeof(scan_pred));
        if (sc->preds == NULL) {
            goto oom;
        }
        for (uint32_t i = 0; i < opts->n_preds; i++) {
            sc->n_preds = i + 1;
            if (bk_pred_compile(&sc->preds[i], &opts->preds[i], t, err) != BK_OK) {
                bk_scan_close(sc);
                return NULL;
            }
        }
    }
    sc->snap = s;
    sc->t = t;
    sc->ver = bk_snap_tabver(s, t);
    uint64_t rows = sc->ver != NULL ? sc->ver->rows : 0;
    sc->pos = BK_MIN(row_begin, rows);
    sc->end = BK_MIN(row_end, rows);
    /* Find the segment holding the first row. */
    while (sc->ver != NULL && sc->seg < sc->ver->n_segs) {
        uint32_t n = seg_rows(sc->ver, sc->seg, sc->seg_base);
        if (sc->pos < sc->seg_base + n) {
            break;
        }
        sc->seg_base += n;
        sc->seg++;
    }
    sc->n_cols = n_cols;
    sc->cols = bk_mem_calloc(n_cols == 0 ? 1 : n_cols, sizeof(scan_col));
    sc->batch.cols = bk_mem_calloc(n_cols == 0 ? 1 : n_cols, sizeof(bk_vec));
    if (sc->cols == NULL || sc->batch.cols == NULL) {
        goto oom;
    }
    sc->batch.n_cols = n_cols;
    for (uint32_t i = 0; i < n_cols; i++) {
        BK_ASSERT(cols[i] < t->n_cols);
        scan_col *c = &sc->cols[i];
        c->table_col = cols[i];
        c->type = t->cols[cols[i]].type;
        if (c->type.id == BK_TYPE_TEXT || c->type.id == BK_TYPE_NUMERIC || sc->n_preds > 0) {
            /* Decoded values, or with predicates the selected rows of plain columns. */
            c->buf = bk_mem_alloc(BK_BATCH_ROWS * bk_type_width(c->type.id));
            if (c->buf == NULL) {
                goto oom;
            }
        }
        if (c->type.id == BK_TYPE_NUMERIC) {
            c->scale = bk_mem_alloc(BK_BATCH_ROWS);
            if (c->scale == NULL) {
                goto oom;
            }
        }
        if (!t->cols[cols[i]].not_null) {
            c->validity = bk_mem_alloc(bk_validity_words(BK_BATCH_ROWS) * 8);
            if (c->validity == NULL) {
                goto oom;
            }
        }
    }
    return sc;
oom:
    bk_scan_close(sc);
    bk_raise(err, OUT_OF_MEMORY, "out of memory");
    return NULL;
}

/*
 * Copies n validity bits starting at bit `off` of `src` into `dst` from bit 0. Words are
 * loaded atomically: in an open segment the writer may be setting bits of the same word
 * for rows this scan does not look at.
 */
static void copy_bits(uint64_t *dst, const uint64_t *src, uint32_t off, uint32_t n)
{
    uint32_t shift = off & 63;
    const uint64_t *s = src + (off >> 6);
    size_t words = bk_validity_words(n);
    size_t src_words = bk_validity_words(shift + n);
    for (size_t w = 0; w < words; w++) {
        uint64_t lo =
            atomic_load_explicit((_Atomic uint64_t *)&s[w], memory_order_relaxed) >> shift;
        uint64_t hi = 0;
        if (shift != 0 && w + 1 < src_words) {
            hi = atomic_load_explicit((_Atomic uint64_t *)&s[w + 1], memory_order_relaxed)
                 << (64 - shift);
        }
        dst[w] = lo | hi;
    }
}

static uint32_t code_at(const bk_chunk *ch, uint32_t i)
{
    switch (ch->code_width) {
    case 1:
        return ((const uint8_t *)ch->data)[i];
    case 2:
        return ((const uint16_t *)ch->data)[i];
    default:
        return ((const uint32_t *)ch->data)[i];
    }
}

static void decode_text(const bk_dict *d,
                        const bk_chunk *ch,
                        const bk_vec *v,
                        uint32_t off,
                        uint32_t n,
                        bk_str *dst)
{
    for (uint32_t r = 0; r < n; r++) {
        if (bk_vec_is_null(v, r)) {
            dst[r] = (bk_str){"", 0};
        } else {
            dst[r] = bk_dict_get(d, code_at(ch, off + r));
        }
    }
}

static void
decode_numeric(const bk_chunk *ch, uint32_t off, uint32_t n, bk_i128 *dst, uint8_t *scale)
{
    const int64_t *src = (const int64_t *)ch->data + off;
    if (ch->enc == ENC_NUM_SCALED && ch->dscale == NULL) {
        for (uint32_t r = 0; r < n; r++) {
            dst[r] = src[r];
        }
        memset(scale, ch->scale, n);
        return;
    }
    if (ch->enc == ENC_NUM_SCALED) {
        /* Values are at the chunk scale; vectors want each at its display scale (exact). */
        for (uint32_t r = 0; r < n; r++) {
            uint8_t d = ch->dscale[off + r];
            dst[r] = (bk_i128)src[r] / bk_pow10_i128(ch->scale - d);
            scale[r] = d;
        }
        return;
    }
    for (uint32_t r = 0; r < n; r++) {
        dst[r] = src[r];
    }
    memcpy(scale, ch->dscale + off, n);
}

/* Points the batch at rows [off, off + n) of segment s, decoding where needed. */
static void emit_dense(bk_scan *sc, const bk_seg *s, uint32_t off, uint32_t n)
{
    bk_table *t = sc->t;
    for (uint32_t i = 0; i < sc->n_cols; i++) {
        scan_col *c = &sc->cols[i];
        const bk_chunk *ch = &s->cols[c->table_col];
        bk_vec *v = &sc->batch.cols[i];
        v->type = c->type;
        v->scale = NULL;
        if (ch->validity == NULL) {
            v->validity = NULL;
        } else if ((off & 63) == 0 && (s->sealed || (n & 63) == 0)) {
            /* Whole words of a sealed chunk (or of finished open rows) are shared as is. */
            v->validity = ch->validity + (off >> 6);
        } else {
            copy_bits(c->validity, ch->validity, off, n);
            v->validity = c->validity;
        }
        switch (ch->enc) {
        case ENC_CODES:
            decode_text(t->dicts[c->table_col], ch, v, off, n, c->buf);
            v->data = c->buf;
            break;
        case ENC_NUM_ROWSCALE:
        case ENC_NUM_SCALED:
            decode_numeric(ch, off, n, c->buf, c->scale);
            v->data = c->buf;
            v->scale = c->scale;
            break;
        case ENC_PLAIN:
            v->data = (char *)ch->data + (size_t)off * ch->width;
            break;
        }
    }
    sc->batch.n_rows = n;
}

static bool bit_at(const uint64_t *bits, uint32_t i)
{
    uint64_t w = atomic_load_explicit((_Atomic uint64_t *)&bits[i >> 6], memory_order_relaxed);
    return (w >> (i & 63) & 1) != 0;
}

/* Gathers rows off + sel[0..k) of segment s into the scan's buffers. */
static void
emit_selected(bk_scan *sc, const bk_seg *s, uint32_t off, const uint32_t *sel, uint32_t k)
{
    bk_table *t = sc->t;
    for (uint32_t i = 0; i < sc->n_cols; i++) {
        scan_col *c = &sc->cols[i];
        const bk_chunk *ch = &s->cols[c->table_col];
        bk_vec *v = &sc->batch.cols[i];
        v->type = c->type;
        v->scale = NULL;
        v->validity = NULL;
        if (ch->validity != NULL) {
            for (uint32_t r = 0; r < k; r++) {
                bk_validity_set(c->validity, r, bit_at(ch->validity, off + sel[r]));
            }
            v->validity = c->validity;
        }
        v->data = c->buf;
        switch (ch->enc) {
        case ENC_CODES: {
            const bk_dict *d = t->dicts[c->table_col];
            bk_str *dst = c->buf;
            for (uint32_t r = 0; r < k; r++) {
                dst[r] = bk_vec_is_null(v, r) ? (bk_str){"", 0}
                                              : bk_dict_get(d, code_at(ch, off + sel[r]));
            }
            break;
        }
        case ENC_NUM_ROWSCALE:
        case ENC_NUM_SCALED: {
            bk_i128 *dst = c->buf;
            for (uint32_t r = 0; r < k; r++) {
                decode_numeric(ch, off + sel[r], 1, &dst[r], &c->scale[r]);
            }
            v->scale = c->scale;
            break;
        }
        case ENC_PLAIN: {
            const char *src = (const char *)ch->data + (size_t)off * ch->width;
            char *dst = c->buf;
            for (uint32_t r = 0; r < k; r++) {
                memcpy(dst + (size_t)r * ch->width, src + (size_t)sel[r] * ch->width, ch->width);
            }
            break;
        }
        }
    }
    sc->batch.n_rows = k;
}

/* ANDs every predicate over rows [off, off + n) of s into sc->mask; returns matches. */
static uint32_t eval_preds(bk_scan *sc, const bk_seg *s, uint32_t off, uint32_t n)
{
    size_t words = bk_validity_words(n);
    memset(sc->mask, 0xFF, words * sizeof(uint64_t));
    bk_mask_trim(n, sc->mask);
    for (uint32_t p = 0; p < sc->n_preds; p++) {
        const scan_pred *sp = &sc->preds[p];
        const bk_chunk *ch = &s->cols[sp->p.col];
        const uint64_t *valid = NULL;
        if (ch->validity != NULL) {
            copy_bits(sc->vbuf, ch->validity, off, n);
            valid = sc->vbuf;
        }
        bk_pred_eval(sp, ch, off, n, valid, sc->pmask, sc->tmp);
        uint64_t any = 0;
        for (size_t w = 0; w < words; w++) {
            sc->mask[w] &= sc->pmask[w];
            any |= sc->mask[w];
        }
        if (any == 0) {
            return 0;
        }
    }
    return (uint32_t)bk_kern()->popcount(n, sc->mask);
}

static bool zone_excludes(const bk_scan *sc, const bk_seg *s)
{
    for (uint32_t p = 0; p < sc->n_preds; p++) {
        if (bk_pred_zone_excludes(&sc->preds[p], &s->cols[sc->preds[p].p.col])) {
            return true;
        }
    }
    return false;
}

bk_rc bk_scan_next(bk_scan *sc, bk_batch **out, bk_error *err)
{
    (void)err;
    for (;;) {
        if (sc->pos >= sc->end || sc->ver == NULL || sc->seg >= sc->ver->n_segs) {
            *out = NULL;
            return BK_OK;
        }
        const bk_seg *s = sc->ver->segs[sc->seg];
        uint32_t in_seg = seg_rows(sc->ver, sc->seg, sc->seg_base);
        uint64_t seg_end = sc->seg_base + in_seg;
        if (sc->n_preds > 0 && s->sealed && !sc->no_zone_maps && sc->zone_checked != sc->seg + 1) {
            sc->zone_checked = sc->seg + 1;
            if (zone_excludes(sc, s)) {
                sc->skipped++;
                sc->pos = BK_MIN(seg_end, sc->end);
                sc->seg_base = seg_end;
                sc->seg++;
                continue;
            }
        }
        uint32_t off = (uint32_t)(sc->pos - sc->seg_base);
        uint32_t n =
            (uint32_t)BK_MIN(BK_MIN((uint64_t)BK_BATCH_ROWS, sc->end - sc->pos), seg_end - sc->pos);
        sc->pos += n;
        if (sc->pos >= seg_end) {
            sc->seg_base = seg_end;
            sc->seg++;
        }
        if (sc->n_preds == 0) {
            emit_dense(sc, s, off, n);
        } else {
            uint32_t k = eval_preds(sc, s, off, n);
            if (k == 0) {
                continue;
            }
            if (k == n) {
                emit_dense(sc, s, off, n);
            } else {
                uint32_t got = bk_kern()->mask_to_sel(n, sc->mask, sc->sel);
                BK_ASSERT(got == k);
                emit_selected(sc, s, off, sc->sel, k);
            }
        }
        *out = &sc->batch;
        return BK_OK;
    }
}
