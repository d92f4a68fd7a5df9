/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator plumbing: allocation, cancellation checks, and the vector copies operators use to
 * keep rows beyond the lifetime of the batch they came in (sort, aggregation) or to compact
 * a batch (filter).
 */
#include <string.h>

#include "query_int.h"

bk_rc bk_op_oom(bk_error *err)
{
    return bk_raise(err, OUT_OF_MEMORY, "out of memory");
}

bk_op *
bk_op_alloc(bk_exec_ctx *ctx, size_t size, uint32_t n_out, const bk_type *out_types, bk_error *err)
{
    bk_op *op = bk_arena_zalloc(ctx->arena, size);
    if (op == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    op->ctx = ctx;
    op->n_out = n_out;
    op->out_types =
        bk_arena_memdup(ctx->arena, out_types, sizeof(bk_type) * (n_out == 0 ? 1 : n_out));
    op->batch_arena = bk_arena_create(ctx->arena, "batch", 0);
    if (op->out_types == NULL || op->batch_arena == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    return op;
}

bk_rc bk_op_check_cancel(bk_exec_ctx *ctx, bk_error *err)
{
    if (atomic_load_explicit(&ctx->session->cancel_requested, memory_order_relaxed)) {
        atomic_store(&ctx->session->cancel_requested, false);
        return bk_raise(err, QUERY_CANCELED, "canceling statement due to user request");
    }
    return BK_OK;
}

bk_rc bk_vec_copy(const bk_vec *src, uint32_t n, bk_vec *dst, bk_arena *a)
{
    if (bk_vec_alloc(dst, src->type, n, src->validity != NULL, a) != BK_OK) {
        return BK_ERR;
    }
    size_t w = bk_type_width(src->type.id);
    if (n > 0) {
        memcpy(dst->data, src->data, w * n);
    }
    if (src->validity != NULL) {
        memcpy(dst->validity, src->validity, bk_validity_words(n) * sizeof(uint64_t));
    }
    if (src->type.id == BK_TYPE_NUMERIC && n > 0) {
        memcpy(dst->scale, src->scale, n);
    }
    if (src->type.id == BK_TYPE_TEXT || src->type.id == BK_TYPE_UNKNOWN) {
        bk_str *s = dst->data;
        for (uint32_t i = 0; i < n; i++) {
            if (bk_vec_is_null(src, i) || s[i].len == 0) {
                s[i] = (bk_str){"", 0};
                continue;
            }
            char *p = bk_arena_memdup(a, s[i].ptr, s[i].len);
            if (p == NULL) {
                return BK_ERR;
            }
            s[i].ptr = p;
        }
    }
    return BK_OK;
}

bk_rc bk_vec_gather(const bk_vec *src, const uint32_t *sel, uint32_t n, bk_vec *dst, bk_arena *a)
{
    if (bk_vec_alloc(dst, src->type, n, src->validity != NULL, a) != BK_OK) {
        return BK_ERR;
    }
    size_t w = bk_type_width(src->type.id);
    const char *s = src->data;
    char *d = dst->data;
    switch (w) {
    case 1:
        for (uint32_t i = 0; i < n; i++) {
            d[i] = s[sel[i]];
        }
        break;
    case 4:
        for (uint32_t i = 0; i < n; i++) {
            ((uint32_t *)d)[i] = ((const uint32_t *)s)[sel[i]];
        }
        break;
    case 8:
        for (uint32_t i = 0; i < n; i++) {
            ((uint64_t *)d)[i] = ((const uint64_t *)s)[sel[i]];
        }
        break;
    default:
        for (uint32_t i = 0; i < n; i++) {
            memcpy(d + (size_t)i * w, s + (size_t)sel[i] * w, w);
        }
        break;
    }
    if (src->type.id == BK_TYPE_NUMERIC) {
        for (uint32_t i = 0; i < n; i++) {
            dst->scale[i] = src->scale[sel[i]];
        }
    }
    if (src->validity != NULL) {
        for (uint32_t i = 0; i < n; i++) {
            bk_validity_set(dst->validity, i, !bk_vec_is_null(src, sel[i]));
        }
    }
    return BK_OK;
}
