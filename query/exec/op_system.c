/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scan of a system relation: its fill function computes every row from the query's snapshot
 * on the first call (catalogs are small), then the batches go out one by one.
 */
#include "sysrel.h"

typedef struct op_system {
    bk_op base;
    const bk_sysrel *rel;
    bk_sysrows rows;
    bool filled;
    uint32_t next;
} op_system;

static bk_rc system_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_system *s = (op_system *)op;
    if (!s->filled) {
        if (bk_op_check_cancel(op->ctx, err) != BK_OK ||
            bk_sysrows_init(&s->rows, s->rel, op->ctx->arena, err) != BK_OK ||
            s->rel->fill(op->ctx, &s->rows, err) != BK_OK) {
            return BK_ERR;
        }
        s->filled = true;
    }
    *out = s->next < s->rows.n_batches ? s->rows.batches[s->next++] : NULL;
    return BK_OK;
}

static void system_close(bk_op *op)
{
    (void)op; /* everything lives in the execution's arena */
}

bk_op *bk_op_system_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err)
{
    op_system *s = (op_system *)bk_op_alloc(ctx, sizeof *s, p->n_out, p->out_types, err);
    if (s == NULL) {
        return NULL;
    }
    s->rel = p->u.system.rel;
    s->base.next = system_next;
    s->base.close = system_close;
    return &s->base;
}
