/* SPDX-License-Identifier: Apache-2.0 */
/* Checkpoint format helpers: paths and lz4 blocks (ckpt_int.h). */
#include <stdio.h>

#include <lz4.h>

#include "ckpt_int.h"

void bk_path_join(char *out, size_t cap, const char *a, const char *b)
{
    snprintf(out, cap, "%.3000s/%.1000s", a, b);
}

/* ---- blocks: lz4-compressed byte ranges ------------------------------------------------ */

bk_rc bk_put_block(bk_wr *w, const void *src, size_t n, bk_error *err)
{
    if (n > (size_t)LZ4_MAX_INPUT_SIZE) {
        return bk_raise(err, PROGRAM_LIMIT_EXCEEDED, "checkpoint block too large");
    }
    int cap = LZ4_compressBound((int)n);
    char *dst = bk_mem_alloc((size_t)cap + 1);
    if (dst == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    int c = n == 0 ? 0 : LZ4_compress_default(src, dst, (int)n, cap);
    if (n > 0 && c <= 0) {
        bk_mem_free(dst);
        return bk_raise(err, INTERNAL_ERROR, "lz4 compression failed");
    }
    wr_u32(w, (uint32_t)n);
    wr_u32(w, (uint32_t)c);
    wr_bytes(w, dst, (size_t)c);
    bk_mem_free(dst);
    return BK_OK;
}

/* Decompresses the next block into a new allocation (+ slack); its size in *len. */
void *bk_get_block_len(bk_rd *r, size_t *len, bool *bad)
{
    uint32_t raw = rd_u32(r), comp = rd_u32(r);
    const uint8_t *src = rd_bytes(r, comp);
    if (src == NULL || raw > (uint32_t)LZ4_MAX_INPUT_SIZE) {
        *bad = true;
        return NULL;
    }
    size_t expect = raw;
    *len = expect;
    char *dst = bk_mem_alloc(expect + 8);
    if (dst == NULL) {
        *bad = true;
        return NULL;
    }
    if (expect > 0 &&
        LZ4_decompress_safe((const char *)src, dst, (int)comp, (int)expect) != (int)expect) {
        bk_mem_free(dst);
        *bad = true;
        return NULL;
    }
    return dst;
}

/* As get_block_len, for a block that must hold exactly `expect` bytes. */
void *bk_get_block(bk_rd *r, size_t expect, bool *bad)
{
    size_t len = 0;
    void *p = bk_get_block_len(r, &len, bad);
    if (p != NULL && len != expect) {
        bk_mem_free(p);
        *bad = true;
        return NULL;
    }
    return p;
}
