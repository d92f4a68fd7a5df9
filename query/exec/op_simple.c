/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stateless row operators: result (the single row of a FROM-less SELECT), filter,
 * project and limit.
 */
#include <string.h>

#include "query_int.h"

static bk_eval_ctx eval_ctx(bk_op *op)
{
    bk_eval_ctx e = {
        .session = op->ctx->session,
        .arena = op->batch_arena,
        .params = op->ctx->params,
        .n_params = op->ctx->n_params,
    };
    return e;
}

/* ---- result ---- */

typedef struct op_result {
    bk_op base;
    bool done;
    bk_batch *out;
} op_result;

static bk_rc result_next(bk_op *op, bk_batch **out, bk_error *err)
{
    (void)err;
    op_result *r = (op_result *)op;
    if (r->done) {
        *out = NULL;
        return BK_OK;
    }
    r->done = true;
    *out = r->out;
    return BK_OK;
}

static void noop_close(bk_op *op)
{
    (void)op;
}

bk_op *bk_op_result_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err)
{
    op_result *r = (op_result *)bk_op_alloc(ctx, sizeof *r, 0, p->out_types, err);
    if (r == NULL) {
        return NULL;
    }
    r->out = bk_batch_alloc(0, ctx->arena);
    if (r->out == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    r->out->n_rows = 1;
    r->base.next = result_next;
    r->base.close = noop_close;
    return &r->base;
}

/* ---- filter ---- */

typedef struct op_filter {
    bk_op base;
    bk_op *child;
    bk_expr *pred;
    uint32_t *sel;
    bk_batch *out;
} op_filter;

static bk_rc filter_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_filter *f = (op_filter *)op;
    for (;;) {
        bk_arena_reset(op->batch_arena);
        bk_batch *in;
        if (f->child->next(f->child, &in, err) != BK_OK) {
            return BK_ERR;
        }
        if (in == NULL) {
            *out = NULL;
            return BK_OK;
        }
        bk_eval_ctx ec = eval_ctx(op);
        bk_vec mask;
        if (bk_expr_eval(&ec, f->pred, in, in->n_rows, &mask, err) != BK_OK) {
            return BK_ERR;
        }
        const uint8_t *m = mask.data;
        uint32_t k = 0;
        for (uint32_t i = 0; i < in->n_rows; i++) {
            if (m[i] && !bk_vec_is_null(&mask, i)) {
                f->sel[k++] = i;
            }
        }
        if (k == 0) {
            continue;
        }
        if (k == in->n_rows) {
            *out = in;
            return BK_OK;
        }
        bk_batch *b = bk_batch_alloc(in->n_cols, op->batch_arena);
        if (b == NULL) {
            return bk_op_oom(err);
        }
        b->n_rows = k;
        for (uint32_t c = 0; c < in->n_cols; c++) {
            if (in->cols[c].data == NULL) {
                b->cols[c] = in->cols[c];
                continue;
            }
            if (bk_vec_gather(&in->cols[c], f->sel, k, &b->cols[c], op->batch_arena) != BK_OK) {
                return bk_op_oom(err);
            }
        }
        *out = b;
        return BK_OK;
    }
}

bk_op *bk_op_filter_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err)
{
    op_filter *f = (op_filter *)bk_op_alloc(ctx, sizeof *f, p->n_out, p->out_types, err);
    if (f == NULL) {
        return NULL;
    }
    f->child = child;
    f->pred = p->u.filter.pred;
    f->sel = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * BK_BATCH_ROWS);
    if (f->sel == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    f->base.next = filter_next;
    f->base.close = noop_close;
    return &f->base;
}

/* ---- project ---- */

typedef struct op_project {
    bk_op base;
    bk_op *child;
    bk_expr **exprs;
} op_project;

static bk_rc project_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_project *pr = (op_project *)op;
    bk_arena_reset(op->batch_arena);
    bk_batch *in;
    if (pr->child->next(pr->child, &in, err) != BK_OK) {
        return BK_ERR;
    }
    if (in == NULL) {
        *out = NULL;
        return BK_OK;
    }
    bk_batch *b = bk_batch_alloc(op->n_out, op->batch_arena);
    if (b == NULL) {
        return bk_op_oom(err);
    }
    b->n_rows = in->n_rows;
    bk_eval_ctx ec = eval_ctx(op);
    for (uint32_t i = 0; i < op->n_out; i++) {
        if (bk_expr_eval(&ec, pr->exprs[i], in, in->n_rows, &b->cols[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    *out = b;
    return BK_OK;
}

bk_op *bk_op_project_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err)
{
    op_project *pr = (op_project *)bk_op_alloc(ctx, sizeof *pr, p->n_out, p->out_types, err);
    if (pr == NULL) {
        return NULL;
    }
    pr->child = child;
    pr->exprs = p->u.project.exprs;
    pr->base.next = project_next;
    pr->base.close = noop_close;
    return &pr->base;
}

/* ---- limit ---- */

typedef struct op_limit {
    bk_op base;
    bk_op *child;
    uint64_t skip; /* rows still to skip (OFFSET) */
    uint64_t left; /* rows still to return */
    bk_batch *out;
} op_limit;

static bk_rc limit_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_limit *l = (op_limit *)op;
    for (;;) {
        if (l->left == 0) {
            *out = NULL;
            return BK_OK;
        }
        bk_batch *in;
        if (l->child->next(l->child, &in, err) != BK_OK) {
            return BK_ERR;
        }
        if (in == NULL) {
            *out = NULL;
            return BK_OK;
        }
        uint32_t start = 0;
        if (l->skip > 0) {
            if (l->skip >= in->n_rows) {
                l->skip -= in->n_rows;
                continue;
            }
            start = (uint32_t)l->skip;
            l->skip = 0;
        }
        uint32_t n = in->n_rows - start;
        if (n > l->left) {
            n = (uint32_t)l->left;
        }
        l->left -= n;
        if (start == 0 && n == in->n_rows) {
            *out = in;
            return BK_OK;
        }
        bk_arena_reset(op->batch_arena);
        uint32_t *sel = bk_arena_alloc(op->batch_arena, sizeof(uint32_t) * (n + 1));
        bk_batch *b = bk_batch_alloc(in->n_cols, op->batch_arena);
        if (sel == NULL || b == NULL) {
            return bk_op_oom(err);
        }
        for (uint32_t i = 0; i < n; i++) {
            sel[i] = start + i;
        }
        b->n_rows = n;
        for (uint32_t c = 0; c < in->n_cols; c++) {
            if (bk_vec_gather(&in->cols[c], sel, n, &b->cols[c], op->batch_arena) != BK_OK) {
                return bk_op_oom(err);
            }
        }
        *out = b;
        return BK_OK;
    }
}

static bk_rc limit_value(bk_exec_ctx *ctx,
                         const bk_expr *e,
                         const char *what,
                         uint64_t dflt,
                         uint64_t *out,
                         bk_error *err)
{
    if (e == NULL) {
        *out = dflt;
        return BK_OK;
    }
    bk_eval_ctx ec = {.session = ctx->session,
                      .arena = ctx->arena,
                      .params = ctx->params,
                      .n_params = ctx->n_params};
    bk_vec v;
    if (bk_expr_eval(&ec, e, NULL, 1, &v, err) != BK_OK) {
        return BK_ERR;
    }
    if (bk_vec_is_null(&v, 0)) {
        *out = dflt;
        return BK_OK;
    }
    int64_t x = ((const int64_t *)v.data)[0];
    if (x < 0) {
        bk_sqlstate code = strcmp(what, "LIMIT") == 0
                               ? BK_ERRCODE_INVALID_ROW_COUNT_IN_LIMIT_CLAUSE
                               : BK_ERRCODE_INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE;
        return bk_error_set(err, code, __FILE__, __LINE__, __func__, "%s must not be negative",
                            what);
    }
    *out = (uint64_t)x;
    return BK_OK;
}

bk_op *bk_op_limit_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err)
{
    op_limit *l = (op_limit *)bk_op_alloc(ctx, sizeof *l, p->n_out, p->out_types, err);
    if (l == NULL) {
        return NULL;
    }
    l->child = child;
    if (limit_value(ctx, p->u.limit.count, "LIMIT", UINT64_MAX, &l->left, err) != BK_OK ||
        limit_value(ctx, p->u.limit.offset, "OFFSET", 0, &l->skip, err) != BK_OK) {
        return NULL;
    }
    l->base.next = limit_next;
    l->base.close = noop_close;
    return &l->base;
}
