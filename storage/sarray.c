/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stable arrays: chunked, geometrically growing, never moving. They let the single writer of a
 * table append segments and dictionary entries while readers index earlier elements without a
 * lock: a chunk pointer is published before any count that covers it.
 */
#include <stdlib.h>

#include "storage_int.h"

void bk_sarray_init(bk_sarray *a, size_t elem_size)
{
    a->elem_size = elem_size;
    for (int k = 0; k < SARRAY_CHUNKS; k++) {
        atomic_init(&a->chunks[k], NULL);
    }
}

void bk_sarray_free(bk_sarray *a)
{
    for (int k = 0; k < SARRAY_CHUNKS; k++) {
        bk_mem_free(atomic_load(&a->chunks[k]));
        atomic_store(&a->chunks[k], NULL);
    }
}

static uint64_t chunk_cap(int k)
{
    return UINT64_C(1) << (k + SARRAY_BASE_SHIFT);
}

bk_rc bk_sarray_reserve(bk_sarray *a, uint64_t n)
{
    uint64_t covered = 0;
    for (int k = 0; k < SARRAY_CHUNKS && covered < n; k++) {
        if (atomic_load_explicit(&a->chunks[k], memory_order_relaxed) == NULL) {
            void *p = bk_mem_calloc(chunk_cap(k), a->elem_size);
            if (p == NULL) {
                return BK_ERR;
            }
            atomic_store_explicit(&a->chunks[k], p, memory_order_release);
        }
        covered += chunk_cap(k);
    }
    return covered >= n ? BK_OK : BK_ERR;
}

size_t bk_sarray_bytes(const bk_sarray *a, uint64_t n)
{
    size_t bytes = 0;
    uint64_t covered = 0;
    for (int k = 0; k < SARRAY_CHUNKS && covered < n; k++) {
        if (atomic_load_explicit(&a->chunks[k], memory_order_relaxed) != NULL) {
            bytes += chunk_cap(k) * a->elem_size;
        }
        covered += chunk_cap(k);
    }
    return bytes;
}
