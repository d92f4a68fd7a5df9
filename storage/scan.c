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

#include "storage_int.h"

typedef struct scan_col {
    uint32_t table_col;
    bk_type type;
    void *buf;          /* decoded values, when the representation differs */
    uint64_t *validity; /* copied validity, when it cannot be shared */
    uint8_t *scale;     /* numeric display scales */
} scan_col;

struct bk_scan {
    const bk_snap *snap;
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
    bk_mem_free(sc);
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
    bk_scan *sc = bk_mem_calloc(1, sizeof *sc);
    if (sc == NULL) {
        goto oom;
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
        if (c->type.id == BK_TYPE_TEXT || c->type.id == BK_TYPE_NUMERIC) {
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

bk_rc bk_scan_next(bk_scan *sc, bk_batch **out, bk_error *err)
{
    (void)err;
    if (sc->pos >= sc->end || sc->ver == NULL || sc->seg >= sc->ver->n_segs) {
        *out = NULL;
        return BK_OK;
    }
    const bk_seg *s = sc->ver->segs[sc->seg];
    uint32_t in_seg = seg_rows(sc->ver, sc->seg, sc->seg_base);
    uint32_t off = (uint32_t)(sc->pos - sc->seg_base);
    uint64_t seg_end = sc->seg_base + in_seg;
    uint32_t n =
        (uint32_t)BK_MIN(BK_MIN((uint64_t)BK_BATCH_ROWS, sc->end - sc->pos), seg_end - sc->pos);
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
    sc->pos += n;
    if (sc->pos >= seg_end) {
        sc->seg_base = seg_end;
        sc->seg++;
    }
    *out = &sc->batch;
    return BK_OK;
}
