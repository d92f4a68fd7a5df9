/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table scans: batches of up to BK_BATCH_ROWS rows of the requested columns, cut at segment
 * boundaries. Fixed-width columns whose storage and vector representations agree are handed
 * out zero-copy (pointers into the segment); text codes are decoded through the dictionary
 * and numeric values widened into scan-owned buffers.
 */
#include <string.h>

#include "storage_int.h"

typedef struct scan_col {
    uint32_t table_col;
    bk_type type;
    void *buf;          /* converted values, when the representation differs */
    uint64_t *validity; /* shifted validity, when the batch is not word-aligned */
    uint8_t *scale;
} scan_col;

struct bk_scan {
    const bk_snap *snap;
    bk_table *t;
    uint64_t pos;
    uint64_t end;
    uint32_t n_cols;
    scan_col *cols;
    bk_batch batch;
};

void bk_scan_close(bk_scan *sc)
{
    if (sc == NULL) {
        return;
    }
    /* cols is NULL when bk_scan_open ran out of memory before allocating it. */
    for (uint32_t i = 0; sc->cols != NULL && i < sc->n_cols; i++) {
        bk_mem_free(sc->cols[i].buf);
        bk_mem_free(sc->cols[i].validity);
        bk_mem_free(sc->cols[i].scale);
    }
    bk_mem_free(sc->cols);
    bk_mem_free(sc->batch.cols);
    bk_mem_free(sc);
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
    uint64_t rows = bk_snap_rows(s, t);
    sc->pos = BK_MIN(row_begin, rows);
    sc->end = BK_MIN(row_end, rows);
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
 * Copies n validity bits starting at bit `off` of `src` into `dst` starting at bit 0. The
 * words are loaded atomically: the last one may also hold bits of rows the writer is
 * appending right now (table.c sets those bits with atomic read-modify-writes).
 */
static void copy_bits(uint64_t *dst, const uint64_t *src, uint32_t off, uint32_t n)
{
    uint32_t shift = off & 63;
    const uint64_t *s = src + (off >> 6);
    size_t words = bk_validity_words(n);
    for (size_t w = 0; w < words; w++) {
        uint64_t lo = __atomic_load_n(&s[w], __ATOMIC_RELAXED) >> shift;
        uint64_t hi = 0;
        if (shift != 0 && (size_t)w * 64 + (64 - shift) < n) {
            hi = __atomic_load_n(&s[w + 1], __ATOMIC_RELAXED) << (64 - shift);
        }
        dst[w] = lo | hi;
    }
}

bk_rc bk_scan_next(bk_scan *sc, bk_batch **out, bk_error *err)
{
    (void)err;
    if (sc->pos >= sc->end) {
        *out = NULL;
        return BK_OK;
    }
    bk_table *t = sc->t;
    uint64_t si = sc->pos >> BK_SEG_ROWS_SHIFT;
    uint32_t off = (uint32_t)(sc->pos & (BK_SEG_ROWS - 1));
    uint64_t seg_end = (si + 1) << BK_SEG_ROWS_SHIFT;
    uint32_t n =
        (uint32_t)BK_MIN(BK_MIN((uint64_t)BK_BATCH_ROWS, sc->end - sc->pos), seg_end - sc->pos);
    seg *s = table_seg(t, si);
    for (uint32_t i = 0; i < sc->n_cols; i++) {
        scan_col *c = &sc->cols[i];
        seg_col *col = &s->cols[c->table_col];
        bk_vec *v = &sc->batch.cols[i];
        v->type = c->type;
        v->scale = NULL;
        /*
         * Validity first. Zero-copy only when the batch covers whole words: every bit of
         * such words belongs to committed rows, which no writer touches again. A word that
         * is only partly ours may be shared with rows being appended, so it is copied.
         */
        const uint64_t *validity = atomic_load_explicit(&col->validity, memory_order_acquire);
        if (validity == NULL) {
            v->validity = NULL;
        } else if ((off & 63) == 0 && (n & 63) == 0) {
            v->validity = (uint64_t *)validity + (off >> 6);
        } else {
            copy_bits(c->validity, validity, off, n);
            v->validity = c->validity;
        }
        const char *data = atomic_load_explicit(&col->data, memory_order_acquire);
        switch (c->type.id) {
        case BK_TYPE_TEXT: {
            const uint32_t *codes = (const uint32_t *)data + off;
            bk_str *dst = c->buf;
            const bk_dict *d = t->dicts[c->table_col];
            for (uint32_t r = 0; r < n; r++) {
                if (bk_vec_is_null(v, r)) {
                    dst[r] = (bk_str){"", 0};
                } else {
                    dst[r] = bk_dict_get(d, codes[r]);
                }
            }
            v->data = dst;
            break;
        }
        case BK_TYPE_NUMERIC: {
            const int64_t *src = (const int64_t *)data + off;
            bk_i128 *dst = c->buf;
            for (uint32_t r = 0; r < n; r++) {
                dst[r] = src[r];
            }
            v->data = dst;
            v->scale = atomic_load_explicit(&col->scale, memory_order_acquire) + off;
            break;
        }
        default:
            v->data = (void *)(data + (size_t)off * bk_storage_width(c->type.id));
            break;
        }
    }
    sc->batch.n_rows = n;
    sc->pos += n;
    *out = &sc->batch;
    return BK_OK;
}
