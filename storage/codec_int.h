/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Little-endian serialisation for the WAL and checkpoint files: a writer appending to a
 * bk_buf (sticky failure flag, checked once at the end) and a reader that checks every
 * length against the bytes left, because everything read back from disk may be torn or
 * corrupt and must never be trusted to index memory.
 */
#ifndef BK_STORAGE_CODEC_INT_H
#define BK_STORAGE_CODEC_INT_H

#include <string.h>

#include "storage_int.h"

typedef struct bk_wr {
    bk_buf *b;
    bool failed;
} bk_wr;

static inline void wr_bytes(bk_wr *w, const void *p, size_t n)
{
    if (!w->failed && bk_buf_append(w->b, p, n) != BK_OK) {
        w->failed = true;
    }
}

static inline void wr_u8(bk_wr *w, uint8_t v)
{
    wr_bytes(w, &v, 1);
}

static inline void wr_u32(bk_wr *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    wr_bytes(w, b, 4);
}

static inline void wr_u64(bk_wr *w, uint64_t v)
{
    wr_u32(w, (uint32_t)v);
    wr_u32(w, (uint32_t)(v >> 32));
}

static inline void wr_str(bk_wr *w, bk_str s)
{
    wr_u32(w, (uint32_t)s.len);
    wr_bytes(w, s.ptr, s.len);
}

typedef struct bk_rd {
    const uint8_t *p;
    size_t left;
    bool bad; /* a read ran past the end: the input is corrupt */
} bk_rd;

static inline const uint8_t *rd_bytes(bk_rd *r, size_t n)
{
    if (r->bad || n > r->left) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static inline uint8_t rd_u8(bk_rd *r)
{
    const uint8_t *p = rd_bytes(r, 1);
    return p == NULL ? 0 : p[0];
}

static inline uint32_t rd_u32(bk_rd *r)
{
    const uint8_t *p = rd_bytes(r, 4);
    return p == NULL
               ? 0
               : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd_u64(bk_rd *r)
{
    uint64_t lo = rd_u32(r);
    uint64_t hi = rd_u32(r);
    return lo | hi << 32;
}

static inline bk_str rd_str(bk_rd *r)
{
    uint32_t n = rd_u32(r);
    const uint8_t *p = rd_bytes(r, n);
    return p == NULL ? (bk_str){"", 0} : (bk_str){(const char *)p, n};
}

/* table.c: a column definition as the log's CREATE TABLE and tables.meta hold it. */
void bk_wr_column_def(bk_wr *w, const bk_column_def *d);
/* Strings copied into `a`; false when the input is corrupt or `a` is out of memory. */
bool bk_rd_column_def(bk_rd *r, bk_arena *a, bk_column_def *out);

#endif /* BK_STORAGE_CODEC_INT_H */
