/* SPDX-License-Identifier: Apache-2.0 */
/* Vectors and batches: the executor's unit of data, allocated in the caller's arena. */
#include <string.h>

#include "storage.h"

bk_rc bk_vec_alloc(bk_vec *v, bk_type type, uint32_t n, bool nullable, bk_arena *a)
{
    memset(v, 0, sizeof *v);
    v->type = type;
    size_t w = bk_type_width(type.id);
    v->data = bk_arena_alloc(a, w * (n == 0 ? 1 : n));
    if (v->data == NULL) {
        return BK_ERR;
    }
    if (type.id == BK_TYPE_NUMERIC) {
        v->scale = bk_arena_zalloc(a, n == 0 ? 1 : n);
        if (v->scale == NULL) {
            return BK_ERR;
        }
    }
    if (nullable) {
        return bk_vec_make_nullable(v, n, a);
    }
    return BK_OK;
}

bk_rc bk_vec_make_nullable(bk_vec *v, uint32_t n, bk_arena *a)
{
    if (v->validity != NULL) {
        return BK_OK;
    }
    size_t words = bk_validity_words(n == 0 ? 1 : n);
    v->validity = bk_arena_alloc(a, words * sizeof(uint64_t));
    if (v->validity == NULL) {
        return BK_ERR;
    }
    memset(v->validity, 0xff, words * sizeof(uint64_t));
    return BK_OK;
}

bk_batch *bk_batch_alloc(uint32_t n_cols, bk_arena *a)
{
    bk_batch *b = bk_arena_zalloc(a, sizeof *b);
    if (b == NULL) {
        return NULL;
    }
    b->n_cols = n_cols;
    b->cols = bk_arena_zalloc(a, sizeof(bk_vec) * (n_cols == 0 ? 1 : n_cols));
    return b->cols == NULL ? NULL : b;
}
