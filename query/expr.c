/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vectorized expression evaluation: every node turns n input rows into one output vector.
 *
 * CASE and COALESCE are evaluated lazily, per row, as PostgreSQL guarantees: a branch is
 * evaluated only over the rows that reach it (`CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never
 * divides by zero). This is done by gathering the reaching rows into a smaller batch,
 * evaluating the branch there, and scattering the results back.
 *
 * AND and OR use SQL's three-valued logic: false AND NULL is false, true OR NULL is true.
 */
#include <string.h>

#include "query_int.h"

static bk_rc oom(bk_error *err)
{
    return bk_raise(err, OUT_OF_MEMORY, "out of memory");
}

/* A vector of n copies of row `row` of `src`. */
static bk_rc broadcast(const bk_eval_ctx *ctx,
                       const bk_vec *src,
                       uint32_t row,
                       uint32_t n,
                       bk_vec *out,
                       bk_error *err)
{
    if (bk_vec_alloc(out, src->type, n, true, ctx->arena) != BK_OK) {
        return oom(err);
    }
    if (bk_vec_is_null(src, row)) {
        memset(out->validity, 0, bk_validity_words(n) * sizeof(uint64_t));
        return BK_OK;
    }
    size_t w = bk_type_width(src->type.id);
    const char *v = (const char *)src->data + (size_t)row * w;
    char *d = out->data;
    switch (w) {
    case 1:
        memset(d, *v, n);
        break;
    case 4: {
        uint32_t x;
        memcpy(&x, v, 4);
        for (uint32_t i = 0; i < n; i++) {
            ((uint32_t *)d)[i] = x;
        }
        break;
    }
    case 8: {
        uint64_t x;
        memcpy(&x, v, 8);
        for (uint32_t i = 0; i < n; i++) {
            ((uint64_t *)d)[i] = x;
        }
        break;
    }
    default:
        for (uint32_t i = 0; i < n; i++) {
            memcpy(d + (size_t)i * w, v, w);
        }
        break;
    }
    if (src->type.id == BK_TYPE_NUMERIC) {
        memset(out->scale, src->scale[row], n);
    }
    return BK_OK;
}

/* A batch holding rows sel[0..m) of `in` (columns gathered, strings referenced). */
static bk_rc sub_batch(const bk_eval_ctx *ctx,
                       const bk_batch *in,
                       const uint32_t *sel,
                       uint32_t m,
                       bk_batch **out,
                       bk_error *err)
{
    if (in == NULL) {
        *out = NULL;
        return BK_OK;
    }
    bk_batch *b = bk_batch_alloc(in->n_cols, ctx->arena);
    if (b == NULL) {
        return oom(err);
    }
    b->n_rows = m;
    for (uint32_t c = 0; c < in->n_cols; c++) {
        if (in->cols[c].data == NULL) {
            b->cols[c] = in->cols[c]; /* a column nobody reads (pruned scan) */
            continue;
        }
        if (bk_vec_gather(&in->cols[c], sel, m, &b->cols[c], ctx->arena) != BK_OK) {
            return oom(err);
        }
    }
    *out = b;
    return BK_OK;
}

/* out[sel[i]] = part[i] for i < m. out must have validity. */
static void scatter(const bk_vec *part, const uint32_t *sel, uint32_t m, bk_vec *out)
{
    size_t w = bk_type_width(out->type.id);
    for (uint32_t i = 0; i < m; i++) {
        uint32_t r = sel[i];
        if (bk_vec_is_null(part, i)) {
            bk_validity_set(out->validity, r, false);
            continue;
        }
        bk_validity_set(out->validity, r, true);
        memcpy((char *)out->data + (size_t)r * w, (const char *)part->data + (size_t)i * w, w);
        if (out->type.id == BK_TYPE_NUMERIC) {
            out->scale[r] = part->scale[i];
        }
    }
}

static bk_rc eval_args(const bk_eval_ctx *ctx,
                       const bk_expr *e,
                       const bk_batch *in,
                       uint32_t n,
                       bk_vec **out,
                       bk_error *err)
{
    bk_vec *args = bk_arena_alloc(ctx->arena, sizeof(bk_vec) * (e->n_args == 0 ? 1 : e->n_args));
    if (args == NULL) {
        return oom(err);
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        if (bk_expr_eval(ctx, e->args[i], in, n, &args[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    *out = args;
    return BK_OK;
}

static bk_rc eval_func(const bk_eval_ctx *ctx,
                       const bk_expr *e,
                       const bk_batch *in,
                       uint32_t n,
                       bk_vec *out,
                       bk_error *err)
{
    bk_vec *args;
    if (eval_args(ctx, e, in, n, &args, err) != BK_OK) {
        return BK_ERR;
    }
    if (bk_vec_alloc(out, e->type, n, true, ctx->arena) != BK_OK) {
        return oom(err);
    }
    if ((e->u.fn->flags & BK_FUNC_NONSTRICT) == 0) {
        for (uint32_t a = 0; a < e->n_args; a++) {
            if (args[a].validity == NULL) {
                continue;
            }
            for (size_t w = 0; w < bk_validity_words(n); w++) {
                out->validity[w] &= args[a].validity[w];
            }
        }
    }
    return e->u.fn->impl(ctx, e, args, n, out, err);
}

static bk_rc eval_bool_logic(const bk_eval_ctx *ctx,
                             const bk_expr *e,
                             const bk_batch *in,
                             uint32_t n,
                             bk_vec *out,
                             bk_error *err)
{
    bk_vec *args;
    if (eval_args(ctx, e, in, n, &args, err) != BK_OK) {
        return BK_ERR;
    }
    if (bk_vec_alloc(out, e->type, n, true, ctx->arena) != BK_OK) {
        return oom(err);
    }
    uint8_t *res = out->data;
    if (e->kind == EX_NOT) {
        for (uint32_t i = 0; i < n; i++) {
            bool null = bk_vec_is_null(&args[0], i);
            bk_validity_set(out->validity, i, !null);
            res[i] = null ? 0 : !((const uint8_t *)args[0].data)[i];
        }
        return BK_OK;
    }
    bool is_and = e->kind == EX_AND;
    for (uint32_t i = 0; i < n; i++) {
        bool decided = false, any_null = false;
        for (uint32_t a = 0; a < e->n_args; a++) {
            if (bk_vec_is_null(&args[a], i)) {
                any_null = true;
                continue;
            }
            bool v = ((const uint8_t *)args[a].data)[i] != 0;
            if (v != is_and) { /* false decides AND, true decides OR */
                decided = true;
                break;
            }
        }
        if (decided) {
            res[i] = !is_and;
            bk_validity_set(out->validity, i, true);
        } else if (any_null) {
            res[i] = 0;
            bk_validity_set(out->validity, i, false);
        } else {
            res[i] = is_and;
            bk_validity_set(out->validity, i, true);
        }
    }
    return BK_OK;
}

static bk_rc eval_null_test(const bk_eval_ctx *ctx,
                            const bk_expr *e,
                            const bk_batch *in,
                            uint32_t n,
                            bk_vec *out,
                            bk_error *err)
{
    bk_vec arg;
    if (bk_expr_eval(ctx, e->args[0], in, n, &arg, err) != BK_OK) {
        return BK_ERR;
    }
    if (bk_vec_alloc(out, e->type, n, false, ctx->arena) != BK_OK) {
        return oom(err);
    }
    bool want_null = e->kind == EX_IS_NULL;
    for (uint32_t i = 0; i < n; i++) {
        ((uint8_t *)out->data)[i] = bk_vec_is_null(&arg, i) == want_null;
    }
    return BK_OK;
}

/* Evaluates `e` over the rows sel[0..m) of `in` and scatters the results into out. */
static bk_rc eval_on_rows(const bk_eval_ctx *ctx,
                          const bk_expr *e,
                          const bk_batch *in,
                          const uint32_t *sel,
                          uint32_t m,
                          bk_vec *out,
                          bk_error *err)
{
    if (m == 0) {
        return BK_OK;
    }
    bk_batch *sub;
    if (sub_batch(ctx, in, sel, m, &sub, err) != BK_OK) {
        return BK_ERR;
    }
    bk_vec part;
    if (bk_expr_eval(ctx, e, sub, m, &part, err) != BK_OK) {
        return BK_ERR;
    }
    scatter(&part, sel, m, out);
    return BK_OK;
}

static bk_rc eval_case(const bk_eval_ctx *ctx,
                       const bk_expr *e,
                       const bk_batch *in,
                       uint32_t n,
                       bk_vec *out,
                       bk_error *err)
{
    if (bk_vec_alloc(out, e->type, n, true, ctx->arena) != BK_OK) {
        return oom(err);
    }
    uint32_t *pending = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * (n + 1));
    uint32_t *hit = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * (n + 1));
    uint32_t *rest = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * (n + 1));
    if (pending == NULL || hit == NULL || rest == NULL) {
        return oom(err);
    }
    uint32_t n_pending = n;
    for (uint32_t i = 0; i < n; i++) {
        pending[i] = i;
    }
    uint32_t n_when = (e->n_args - 1) / 2;
    for (uint32_t w = 0; w < n_when && n_pending > 0; w++) {
        bk_batch *sub;
        if (sub_batch(ctx, in, pending, n_pending, &sub, err) != BK_OK) {
            return BK_ERR;
        }
        bk_vec cond;
        if (bk_expr_eval(ctx, e->args[2 * w], sub, n_pending, &cond, err) != BK_OK) {
            return BK_ERR;
        }
        uint32_t n_hit = 0, n_rest = 0;
        for (uint32_t i = 0; i < n_pending; i++) {
            bool t = !bk_vec_is_null(&cond, i) && ((const uint8_t *)cond.data)[i];
            if (t) {
                hit[n_hit++] = pending[i];
            } else {
                rest[n_rest++] = pending[i];
            }
        }
        if (eval_on_rows(ctx, e->args[2 * w + 1], in, hit, n_hit, out, err) != BK_OK) {
            return BK_ERR;
        }
        memcpy(pending, rest, sizeof(uint32_t) * n_rest);
        n_pending = n_rest;
    }
    return eval_on_rows(ctx, e->args[e->n_args - 1], in, pending, n_pending, out, err);
}

static bk_rc eval_coalesce(const bk_eval_ctx *ctx,
                           const bk_expr *e,
                           const bk_batch *in,
                           uint32_t n,
                           bk_vec *out,
                           bk_error *err)
{
    if (bk_vec_alloc(out, e->type, n, true, ctx->arena) != BK_OK) {
        return oom(err);
    }
    memset(out->validity, 0, bk_validity_words(n) * sizeof(uint64_t));
    uint32_t *pending = bk_arena_alloc(ctx->arena, sizeof(uint32_t) * (n + 1));
    if (pending == NULL) {
        return oom(err);
    }
    uint32_t n_pending = n;
    for (uint32_t i = 0; i < n; i++) {
        pending[i] = i;
    }
    for (uint32_t a = 0; a < e->n_args && n_pending > 0; a++) {
        if (eval_on_rows(ctx, e->args[a], in, pending, n_pending, out, err) != BK_OK) {
            return BK_ERR;
        }
        uint32_t k = 0;
        for (uint32_t i = 0; i < n_pending; i++) {
            if (bk_vec_is_null(out, pending[i])) {
                pending[k++] = pending[i];
            }
        }
        n_pending = k;
    }
    return BK_OK;
}

bk_rc bk_expr_eval(const bk_eval_ctx *ctx,
                   const bk_expr *e,
                   const bk_batch *in,
                   uint32_t n,
                   bk_vec *out,
                   bk_error *err)
{
    switch (e->kind) {
    case EX_CONST:
        return broadcast(ctx, &e->u.cnst, 0, n, out, err);
    case EX_COL:
        if (in == NULL || e->u.index >= in->n_cols) {
            return bk_raise(err, INTERNAL_ERROR, "column reference outside its batch");
        }
        *out = in->cols[e->u.index];
        return BK_OK;
    case EX_PARAM:
        if (e->u.index >= ctx->n_params) {
            return bk_raise(err, UNDEFINED_PARAMETER, "there is no parameter $%u", e->u.index + 1);
        }
        return broadcast(ctx, &ctx->params[e->u.index], 0, n, out, err);
    case EX_FUNC:
        return eval_func(ctx, e, in, n, out, err);
    case EX_CAST: {
        bk_vec arg;
        if (bk_expr_eval(ctx, e->args[0], in, n, &arg, err) != BK_OK) {
            return BK_ERR;
        }
        return bk_cast_vec(ctx, &arg, n, e->type, out, err);
    }
    case EX_AND:
    case EX_OR:
    case EX_NOT:
        return eval_bool_logic(ctx, e, in, n, out, err);
    case EX_IS_NULL:
    case EX_IS_NOT_NULL:
        return eval_null_test(ctx, e, in, n, out, err);
    case EX_CASE:
        return eval_case(ctx, e, in, n, out, err);
    case EX_COALESCE:
        return eval_coalesce(ctx, e, in, n, out, err);
    case EX_AGG:
        break;
    }
    return bk_raise(err, INTERNAL_ERROR, "unexpected expression node %d", (int)e->kind);
}
