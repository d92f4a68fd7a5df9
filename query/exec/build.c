/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plan -> operator tree. Before building, the columns each scan must read are computed top
 * down (projection pushdown): a node needs from its child the columns its own expressions
 * reference plus, for pass-through nodes (filter, sort, limit), those its parent needs.
 */
#include <string.h>

#include "query_int.h"

static void expr_refs(const bk_expr *e, uint8_t *need)
{
    if (e == NULL) {
        return;
    }
    if (e->kind == EX_COL) {
        need[e->u.index] = 1;
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        expr_refs(e->args[i], need);
    }
}

/* `need` has p->n_out flags: which outputs of p are used. Fills the scan flags below. */
static bk_rc mark_needed(const bk_plan *p, const uint8_t *need, bk_arena *a, uint8_t **scan_need)
{
    if (p->kind == PL_SCAN) {
        *scan_need = bk_arena_memdup(a, need, p->n_out == 0 ? 1 : p->n_out);
        return *scan_need == NULL ? BK_ERR : BK_OK;
    }
    if (p->child == NULL) {
        return BK_OK;
    }
    uint32_t cn = p->child->n_out;
    uint8_t *cneed = bk_arena_zalloc(a, cn == 0 ? 1 : cn);
    if (cneed == NULL) {
        return BK_ERR;
    }
    switch (p->kind) {
    case PL_FILTER:
        memcpy(cneed, need, cn);
        expr_refs(p->u.filter.pred, cneed);
        break;
    case PL_SORT:
        memcpy(cneed, need, cn);
        for (uint32_t i = 0; i < p->u.sort.n_keys; i++) {
            cneed[p->u.sort.keys[i].col] = 1;
        }
        break;
    case PL_LIMIT:
        memcpy(cneed, need, cn);
        break;
    case PL_PROJECT:
        for (uint32_t i = 0; i < p->n_out; i++) {
            expr_refs(p->u.project.exprs[i], cneed);
        }
        break;
    case PL_AGG:
        for (uint32_t i = 0; i < p->u.agg.n_keys; i++) {
            expr_refs(p->u.agg.keys[i], cneed);
        }
        for (uint32_t i = 0; i < p->u.agg.n_aggs; i++) {
            expr_refs(p->u.agg.aggs[i].arg, cneed);
        }
        break;
    default:
        break;
    }
    return mark_needed(p->child, cneed, a, scan_need);
}

static bk_op *build(bk_exec_ctx *ctx, const bk_plan *p, const uint8_t *scan_need, bk_error *err)
{
    if (p->kind == PL_SCAN) {
        bk_plan copy = *p;
        /* The scan constructor reads per-column "needed" flags from u.scan.cols. */
        uint32_t *flags = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * (p->n_out + 1));
        if (flags == NULL) {
            bk_op_oom(err);
            return NULL;
        }
        for (uint32_t i = 0; i < p->n_out; i++) {
            flags[i] = scan_need != NULL ? scan_need[i] : 1;
        }
        copy.u.scan.cols = flags;
        return bk_op_scan_new(ctx, &copy, err);
    }
    if (p->kind == PL_RESULT) {
        return bk_op_result_new(ctx, p, err);
    }
    if (p->kind == PL_VALUES) {
        return bk_op_values_new(ctx, p, err);
    }
    if (p->kind == PL_SYSTEM) {
        return bk_op_system_new(ctx, p, err);
    }
    bk_op *child = build(ctx, p->child, scan_need, err);
    if (child == NULL) {
        return NULL;
    }
    switch (p->kind) {
    case PL_FILTER:
        return bk_op_filter_new(ctx, p, child, err);
    case PL_PROJECT:
        return bk_op_project_new(ctx, p, child, err);
    case PL_AGG:
        return bk_op_hashagg_new(ctx, p, child, err);
    case PL_SORT:
        return bk_op_sort_new(ctx, p, child, err);
    case PL_LIMIT:
        return bk_op_limit_new(ctx, p, child, err);
    default:
        bk_raise(err, INTERNAL_ERROR, "unknown plan node %d", (int)p->kind);
        return NULL;
    }
}

bk_op *bk_op_build(bk_exec_ctx *ctx, const bk_plan *plan, bk_error *err)
{
    uint8_t *need = bk_arena_alloc(ctx->arena, plan->n_out == 0 ? 1 : plan->n_out);
    if (need == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    memset(need, 1, plan->n_out);
    uint8_t *scan_need = NULL;
    if (mark_needed(plan, need, ctx->arena, &scan_need) != BK_OK) {
        bk_op_oom(err);
        return NULL;
    }
    return build(ctx, plan, scan_need, err);
}

void bk_op_close_tree(bk_op *op)
{
    if (op != NULL) {
        op->close(op);
    }
}
