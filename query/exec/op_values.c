/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VALUES rows: each cell is an expression evaluated once (it may hold parameters or
 * volatile calls, so it is not folded at bind time) and its value placed in the row; rows
 * go out in batches of up to BK_BATCH_ROWS.
 */
#include <string.h>

#include "query_int.h"

typedef struct op_values {
    bk_op base;
    const bk_plan *plan;
    uint32_t next_row;
} op_values;

/* dst[i] = src[0]: strings are referenced (both live in the batch arena). */
static void put_value(bk_vec *dst, uint32_t i, const bk_vec *src)
{
    if (bk_vec_is_null(src, 0)) {
        bk_validity_set(dst->validity, i, false);
        return;
    }
    bk_validity_set(dst->validity, i, true);
    size_t w = bk_type_width(dst->type.id);
    memcpy((char *)dst->data + w * i, src->data, w);
    if (dst->type.id == BK_TYPE_NUMERIC) {
        dst->scale[i] = src->scale[0];
    }
}

static bk_rc values_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_values *v = (op_values *)op;
    uint32_t total = v->plan->u.values.n_rows;
    bk_arena_reset(op->batch_arena);
    if (v->next_row >= total) {
        *out = NULL;
        return BK_OK;
    }
    if (bk_op_check_cancel(op->ctx, err) != BK_OK) {
        return BK_ERR;
    }
    uint32_t n = BK_MIN(total - v->next_row, (uint32_t)BK_BATCH_ROWS);
    bk_batch *b = bk_batch_alloc(op->n_out, op->batch_arena);
    if (b == NULL) {
        return bk_op_oom(err);
    }
    b->n_rows = n;
    for (uint32_t c = 0; c < op->n_out; c++) {
        if (bk_vec_alloc(&b->cols[c], op->out_types[c], n, true, op->batch_arena) != BK_OK) {
            return bk_op_oom(err);
        }
    }
    bk_eval_ctx ec = {
        .session = op->ctx->session,
        .arena = op->batch_arena,
        .params = op->ctx->params,
        .n_params = op->ctx->n_params,
    };
    for (uint32_t i = 0; i < n; i++) {
        bk_expr *const *row = v->plan->u.values.cells + (size_t)(v->next_row + i) * op->n_out;
        for (uint32_t c = 0; c < op->n_out; c++) {
            bk_vec val;
            if (bk_expr_eval(&ec, row[c], NULL, 1, &val, err) != BK_OK) {
                return BK_ERR;
            }
            put_value(&b->cols[c], i, &val);
        }
    }
    v->next_row += n;
    *out = b;
    return BK_OK;
}

static void values_close(bk_op *op)
{
    (void)op;
}

bk_op *bk_op_values_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err)
{
    op_values *v = (op_values *)bk_op_alloc(ctx, sizeof *v, p->n_out, p->out_types, err);
    if (v == NULL) {
        return NULL;
    }
    v->plan = p;
    v->base.next = values_next;
    v->base.close = values_close;
    return &v->base;
}
