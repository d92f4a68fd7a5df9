/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Table scan: reads only the columns the plan above needs (the others stay empty in the
 * batch, at their positions, so expressions keep their column numbers) from the pinned
 * snapshot, and checks for cancellation between batches.
 */
#include <string.h>

#include "query_int.h"

typedef struct op_scan {
    bk_op base;
    bk_scan *scan;
    bk_batch *out;
    uint32_t *cols; /* table columns read */
    uint32_t n_cols;
    bk_cleanup cleanup;
} op_scan;

static void scan_cleanup(void *arg)
{
    op_scan *s = arg;
    bk_scan_close(s->scan);
    s->scan = NULL;
}

static bk_rc scan_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_scan *s = (op_scan *)op;
    if (bk_op_check_cancel(op->ctx, err) != BK_OK) {
        return BK_ERR;
    }
    bk_batch *in;
    if (bk_scan_next(s->scan, &in, err) != BK_OK) {
        return BK_ERR;
    }
    if (in == NULL) {
        *out = NULL;
        return BK_OK;
    }
    s->out->n_rows = in->n_rows;
    for (uint32_t i = 0; i < s->n_cols; i++) {
        s->out->cols[s->cols[i]] = in->cols[i];
    }
    *out = s->out;
    return BK_OK;
}

static void scan_close(bk_op *op)
{
    op_scan *s = (op_scan *)op;
    bk_scan_close(s->scan);
    s->scan = NULL;
}

bk_op *bk_op_scan_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err)
{
    op_scan *s = (op_scan *)bk_op_alloc(ctx, sizeof *s, p->n_out, p->out_types, err);
    if (s == NULL) {
        return NULL;
    }
    s->base.next = scan_next;
    s->base.close = scan_close;
    uint32_t n = 0;
    s->cols = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * (p->n_out + 1));
    s->out = bk_batch_alloc(p->n_out, ctx->arena);
    if (s->cols == NULL || s->out == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    for (uint32_t i = 0; i < p->n_out; i++) {
        s->out->cols[i].type = p->out_types[i];
        if (p->u.scan.cols[i] != 0) { /* used-column flags computed by bk_op_build */
            s->cols[n++] = i;
        }
    }
    s->n_cols = n;
    bk_scan_opts opts = {
        .preds = p->u.scan.preds,
        .n_preds = p->u.scan.n_preds,
        .no_zone_maps = !ctx->session->opt_zone_maps,
    };
    s->scan = bk_scan_open_ex(ctx->snap, p->u.scan.table, s->cols, n, 0, UINT64_MAX, &opts, err);
    if (s->scan == NULL) {
        return NULL;
    }
    bk_arena_on_reset(ctx->arena, &s->cleanup, scan_cleanup, s);
    return &s->base;
}
