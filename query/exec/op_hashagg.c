/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash aggregation. The build phase consumes the whole input: group keys are hashed per row
 * (NULLs group together, numerics by value across scales), looked up in an open-addressing
 * table of group indexes, and each aggregate's state is updated. Group keys are copied into
 * the operator's arena (strings included), so input batches can be released as we go.
 *
 * Results follow PostgreSQL: count is int8; sum(int2/int4) is int8, sum(int8) and sum(numeric)
 * are numeric with the largest input scale; avg of integers and numerics is numeric with
 * numeric division's scale; an aggregate over no rows is NULL, except count which is 0.
 * Without GROUP BY there is exactly one group, even over empty input.
 */
#include <string.h>

#include "query_int.h"

typedef struct agg_state {
    int64_t count;
    bk_i128 isum;
    int32_t scale; /* numeric sum scale */
    double fsum;
    bool has; /* saw a non-NULL input */
    uint8_t vscale;

    union {
        int64_t i;
        double d;
        float f;
        bk_i128 n;
        bk_str s;
        bk_interval iv;
        uint8_t b;
    } v;
} agg_state;

typedef struct op_hashagg {
    bk_op base;
    bk_op *child;
    bk_expr **keys;
    uint32_t n_keys;
    bk_agg_call *aggs;
    uint32_t n_aggs;
    bk_arena *state; /* group keys and states */
    uint32_t n_groups;
    uint32_t cap_groups;
    uint64_t *hashes;
    bk_vec *key_store; /* n_keys vectors of cap_groups rows, nullable */
    agg_state *states; /* n_groups * n_aggs */
    uint32_t *table;   /* group index + 1, 0 = empty */
    size_t mask;
    bool built;
    uint32_t emit_pos;
} op_hashagg;

static bk_rc grow_groups(op_hashagg *h, bk_error *err)
{
    uint32_t cap = h->cap_groups == 0 ? 64 : h->cap_groups * 2;
    if (cap < h->cap_groups) {
        return bk_raise(err, PROGRAM_LIMIT_EXCEEDED, "too many groups");
    }
    uint64_t *hs = bk_arena_realloc(h->state, h->hashes, sizeof(uint64_t) * h->cap_groups,
                                    sizeof(uint64_t) * cap);
    agg_state *st =
        bk_arena_realloc(h->state, h->states, sizeof(agg_state) * h->cap_groups * h->n_aggs,
                         sizeof(agg_state) * (size_t)cap * (h->n_aggs == 0 ? 1 : h->n_aggs));
    if (hs == NULL || st == NULL) {
        return bk_op_oom(err);
    }
    h->hashes = hs;
    h->states = st;
    for (uint32_t k = 0; k < h->n_keys; k++) {
        bk_vec nv;
        if (bk_vec_alloc(&nv, h->key_store[k].type, cap, true, h->state) != BK_OK) {
            return bk_op_oom(err);
        }
        if (h->n_groups > 0) {
            size_t w = bk_type_width(nv.type.id);
            memcpy(nv.data, h->key_store[k].data, w * h->n_groups);
            memcpy(nv.validity, h->key_store[k].validity,
                   bk_validity_words(h->n_groups) * sizeof(uint64_t));
            if (nv.type.id == BK_TYPE_NUMERIC) {
                memcpy(nv.scale, h->key_store[k].scale, h->n_groups);
            }
        }
        h->key_store[k] = nv;
    }
    h->cap_groups = cap;
    /* Rebuild the table at twice the group capacity (load factor <= 0.5). */
    size_t slots = (size_t)cap * 2;
    uint32_t *t = bk_arena_zalloc(h->state, sizeof(uint32_t) * slots);
    if (t == NULL) {
        return bk_op_oom(err);
    }
    h->table = t;
    h->mask = slots - 1;
    for (uint32_t g = 0; g < h->n_groups; g++) {
        size_t i = (size_t)h->hashes[g] & h->mask;
        while (t[i] != 0) {
            i = (i + 1) & h->mask;
        }
        t[i] = g + 1;
    }
    return BK_OK;
}

static uint64_t row_hash(const bk_vec *kv, uint32_t n_keys, uint32_t r)
{
    uint64_t h = 0x5bd1e995u;
    for (uint32_t k = 0; k < n_keys; k++) {
        uint64_t v = bk_vec_is_null(&kv[k], r) ? 0x9e3779b97f4a7c15ULL : bk_value_hash(&kv[k], r);
        h = bk_hash_combine(h, v);
    }
    return h;
}

static bool keys_equal(const op_hashagg *h, const bk_vec *kv, uint32_t r, uint32_t g)
{
    for (uint32_t k = 0; k < h->n_keys; k++) {
        bool an = bk_vec_is_null(&kv[k], r), bn = bk_vec_is_null(&h->key_store[k], g);
        if (an != bn) {
            return false;
        }
        if (!an && bk_value_cmp(&kv[k], r, &h->key_store[k], g) != 0) {
            return false;
        }
    }
    return true;
}

static bk_rc store_key(op_hashagg *h, uint32_t k, const bk_vec *src, uint32_t r, uint32_t g)
{
    bk_vec *dst = &h->key_store[k];
    if (bk_vec_is_null(src, r)) {
        bk_validity_set(dst->validity, g, false);
        return BK_OK;
    }
    bk_validity_set(dst->validity, g, true);
    size_t w = bk_type_width(dst->type.id);
    memcpy((char *)dst->data + (size_t)g * w, (const char *)src->data + (size_t)r * w, w);
    if (dst->type.id == BK_TYPE_NUMERIC) {
        dst->scale[g] = src->scale[r];
    } else if (dst->type.id == BK_TYPE_TEXT) {
        bk_str *s = (bk_str *)dst->data + g;
        if (s->len > 0) {
            char *p = bk_arena_memdup(h->state, s->ptr, s->len);
            if (p == NULL) {
                return BK_ERR;
            }
            s->ptr = p;
        }
    }
    return BK_OK;
}

static bk_rc find_group(op_hashagg *h, const bk_vec *kv, uint32_t r, uint32_t *out, bk_error *err)
{
    if (h->n_keys == 0) {
        *out = 0;
        return BK_OK;
    }
    uint64_t hash = row_hash(kv, h->n_keys, r);
    size_t i = (size_t)hash & h->mask;
    for (;;) {
        uint32_t slot = h->table[i];
        if (slot == 0) {
            break;
        }
        if (h->hashes[slot - 1] == hash && keys_equal(h, kv, r, slot - 1)) {
            *out = slot - 1;
            return BK_OK;
        }
        i = (i + 1) & h->mask;
    }
    if (h->n_groups == h->cap_groups) {
        if (grow_groups(h, err) != BK_OK) {
            return BK_ERR;
        }
        i = (size_t)hash & h->mask;
        while (h->table[i] != 0) {
            i = (i + 1) & h->mask;
        }
    }
    uint32_t g = h->n_groups++;
    h->hashes[g] = hash;
    h->table[i] = g + 1;
    for (uint32_t k = 0; k < h->n_keys; k++) {
        if (store_key(h, k, &kv[k], r, g) != BK_OK) {
            return bk_op_oom(err);
        }
    }
    memset(&h->states[(size_t)g * h->n_aggs], 0, sizeof(agg_state) * h->n_aggs);
    *out = g;
    return BK_OK;
}

static bk_rc add_numeric(agg_state *st, bk_i128 v, int scale, bk_error *err)
{
    if (!st->has) {
        st->isum = v;
        st->scale = scale;
        st->has = true;
        return BK_OK;
    }
    bk_i128 r;
    int rs;
    if (bk_numeric_add(st->isum, st->scale, v, scale, &r, &rs, err) != BK_OK) {
        return BK_ERR;
    }
    st->isum = r;
    st->scale = rs;
    return BK_OK;
}

static bool state_less(const agg_state *st, const bk_vec *v, uint32_t r, bool want_min)
{
    /* Compare through a one-row view of the state value. */
    bk_vec sv = {
        .type = v->type, .data = (void *)&st->v, .validity = NULL, .scale = (uint8_t *)&st->vscale};
    int c = bk_value_cmp(v, r, &sv, 0);
    return want_min ? c < 0 : c > 0;
}

static bk_rc set_state_value(op_hashagg *h, agg_state *st, const bk_vec *v, uint32_t r)
{
    size_t w = bk_type_width(v->type.id);
    memcpy(&st->v, (const char *)v->data + (size_t)r * w, w);
    if (v->type.id == BK_TYPE_NUMERIC) {
        st->vscale = v->scale[r];
    } else if (v->type.id == BK_TYPE_TEXT && st->v.s.len > 0) {
        char *p = bk_arena_memdup(h->state, st->v.s.ptr, st->v.s.len);
        if (p == NULL) {
            return BK_ERR;
        }
        st->v.s.ptr = p;
    }
    st->has = true;
    return BK_OK;
}

static int64_t int_at(const bk_vec *v, uint32_t r)
{
    switch (v->type.id) {
    case BK_TYPE_INT2:
        return ((const int16_t *)v->data)[r];
    case BK_TYPE_INT4:
        return ((const int32_t *)v->data)[r];
    default:
        return ((const int64_t *)v->data)[r];
    }
}

static double float_at(const bk_vec *v, uint32_t r)
{
    return v->type.id == BK_TYPE_FLOAT4 ? (double)((const float *)v->data)[r]
                                        : ((const double *)v->data)[r];
}

static bk_rc update(op_hashagg *h,
                    const bk_agg_call *a,
                    agg_state *st,
                    const bk_vec *v,
                    uint32_t r,
                    bk_error *err)
{
    if (a->kind == AGG_COUNT_STAR) {
        st->count++;
        return BK_OK;
    }
    if (bk_vec_is_null(v, r)) {
        return BK_OK;
    }
    switch (a->kind) {
    case AGG_COUNT:
        st->count++;
        return BK_OK;
    case AGG_SUM_INT:
    case AGG_SUM_INT8:
    case AGG_AVG_INT:
        st->isum += int_at(v, r);
        st->count++;
        st->has = true;
        return BK_OK;
    case AGG_SUM_NUM:
    case AGG_AVG_NUM:
        st->count++;
        return add_numeric(st, ((const bk_i128 *)v->data)[r], v->scale[r], err);
    case AGG_SUM_FLOAT:
    case AGG_AVG_FLOAT:
        if (v->type.id == BK_TYPE_FLOAT4 && a->kind == AGG_SUM_FLOAT) {
            st->v.f = st->has ? st->v.f + ((const float *)v->data)[r] : ((const float *)v->data)[r];
        }
        st->fsum += float_at(v, r);
        st->count++;
        st->has = true;
        return BK_OK;
    case AGG_MIN:
    case AGG_MAX:
        if (!st->has || state_less(st, v, r, a->kind == AGG_MIN)) {
            if (set_state_value(h, st, v, r) != BK_OK) {
                return bk_op_oom(err);
            }
        }
        return BK_OK;
    case AGG_COUNT_STAR:
        break;
    }
    return BK_OK;
}

static bk_rc build(op_hashagg *h, bk_error *err)
{
    bk_op *op = &h->base;
    bk_vec *kv = bk_arena_alloc(h->state, sizeof(bk_vec) * (h->n_keys + 1));
    bk_vec *av = bk_arena_alloc(h->state, sizeof(bk_vec) * (h->n_aggs + 1));
    if (kv == NULL || av == NULL) {
        return bk_op_oom(err);
    }
    if (h->n_keys == 0) {
        h->n_groups = 1;
        h->states = bk_arena_zalloc(h->state, sizeof(agg_state) * (h->n_aggs + 1));
        if (h->states == NULL) {
            return bk_op_oom(err);
        }
    }
    for (;;) {
        bk_arena_reset(op->batch_arena);
        bk_batch *in;
        if (h->child->next(h->child, &in, err) != BK_OK) {
            return BK_ERR;
        }
        if (in == NULL) {
            break;
        }
        bk_eval_ctx ec = {.session = op->ctx->session,
                          .arena = op->batch_arena,
                          .params = op->ctx->params,
                          .n_params = op->ctx->n_params};
        for (uint32_t k = 0; k < h->n_keys; k++) {
            if (bk_expr_eval(&ec, h->keys[k], in, in->n_rows, &kv[k], err) != BK_OK) {
                return BK_ERR;
            }
        }
        for (uint32_t a = 0; a < h->n_aggs; a++) {
            if (h->aggs[a].arg != NULL &&
                bk_expr_eval(&ec, h->aggs[a].arg, in, in->n_rows, &av[a], err) != BK_OK) {
                return BK_ERR;
            }
        }
        for (uint32_t r = 0; r < in->n_rows; r++) {
            uint32_t g = 0;
            if (find_group(h, kv, r, &g, err) != BK_OK) {
                return BK_ERR;
            }
            agg_state *st = &h->states[(size_t)g * h->n_aggs];
            for (uint32_t a = 0; a < h->n_aggs; a++) {
                if (update(h, &h->aggs[a], &st[a], &av[a], r, err) != BK_OK) {
                    return BK_ERR;
                }
            }
        }
    }
    h->built = true;
    return BK_OK;
}

static bk_rc
finish(const bk_agg_call *a, const agg_state *st, bk_vec *out, uint32_t i, bk_error *err)
{
    bool null = false;
    switch (a->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT:
        ((int64_t *)out->data)[i] = st->count;
        break;
    case AGG_SUM_INT:
        if (!st->has) {
            null = true;
        } else if (st->isum > INT64_MAX || st->isum < INT64_MIN) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
        } else {
            ((int64_t *)out->data)[i] = (int64_t)st->isum;
        }
        break;
    case AGG_SUM_INT8:
        null = !st->has;
        ((bk_i128 *)out->data)[i] = st->isum;
        out->scale[i] = 0;
        break;
    case AGG_SUM_NUM:
        null = !st->has;
        ((bk_i128 *)out->data)[i] = st->isum;
        out->scale[i] = (uint8_t)st->scale;
        break;
    case AGG_AVG_INT:
    case AGG_AVG_NUM: {
        if (!st->has || st->count == 0) {
            null = true;
            break;
        }
        int scale = a->kind == AGG_AVG_INT ? 0 : st->scale;
        bk_i128 q;
        int qs;
        if (bk_numeric_div(st->isum, scale, st->count, 0, &q, &qs, err) != BK_OK) {
            return BK_ERR;
        }
        ((bk_i128 *)out->data)[i] = q;
        out->scale[i] = (uint8_t)qs;
        break;
    }
    case AGG_SUM_FLOAT:
        null = !st->has;
        if (out->type.id == BK_TYPE_FLOAT4) {
            ((float *)out->data)[i] = st->v.f;
        } else {
            ((double *)out->data)[i] = st->fsum;
        }
        break;
    case AGG_AVG_FLOAT:
        null = !st->has;
        ((double *)out->data)[i] = st->has ? st->fsum / (double)st->count : 0;
        break;
    case AGG_MIN:
    case AGG_MAX: {
        null = !st->has;
        if (!null) {
            size_t w = bk_type_width(out->type.id);
            memcpy((char *)out->data + (size_t)i * w, &st->v, w);
            if (out->type.id == BK_TYPE_NUMERIC) {
                out->scale[i] = st->vscale;
            }
        }
        break;
    }
    }
    bk_validity_set(out->validity, i, !null);
    return BK_OK;
}

static bk_rc hashagg_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_hashagg *h = (op_hashagg *)op;
    if (!h->built && build(h, err) != BK_OK) {
        return BK_ERR;
    }
    bk_arena_reset(op->batch_arena);
    if (h->emit_pos >= h->n_groups) {
        *out = NULL;
        return BK_OK;
    }
    uint32_t start = h->emit_pos;
    uint32_t n = BK_MIN(h->n_groups - start, (uint32_t)BK_BATCH_ROWS);
    bk_batch *b = bk_batch_alloc(op->n_out, op->batch_arena);
    uint32_t *sel = bk_arena_alloc(op->batch_arena, sizeof(uint32_t) * n);
    if (b == NULL || sel == NULL) {
        return bk_op_oom(err);
    }
    for (uint32_t i = 0; i < n; i++) {
        sel[i] = start + i;
    }
    b->n_rows = n;
    for (uint32_t k = 0; k < h->n_keys; k++) {
        if (bk_vec_gather(&h->key_store[k], sel, n, &b->cols[k], op->batch_arena) != BK_OK) {
            return bk_op_oom(err);
        }
    }
    for (uint32_t a = 0; a < h->n_aggs; a++) {
        bk_vec *v = &b->cols[h->n_keys + a];
        if (bk_vec_alloc(v, h->aggs[a].type, n, true, op->batch_arena) != BK_OK) {
            return bk_op_oom(err);
        }
        for (uint32_t i = 0; i < n; i++) {
            if (finish(&h->aggs[a], &h->states[(size_t)(start + i) * h->n_aggs + a], v, i, err) !=
                BK_OK) {
                return BK_ERR;
            }
        }
    }
    h->emit_pos += n;
    *out = b;
    return BK_OK;
}

static void hashagg_close(bk_op *op)
{
    (void)op;
}

bk_op *bk_op_hashagg_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err)
{
    op_hashagg *h = (op_hashagg *)bk_op_alloc(ctx, sizeof *h, p->n_out, p->out_types, err);
    if (h == NULL) {
        return NULL;
    }
    h->child = child;
    h->keys = p->u.agg.keys;
    h->n_keys = p->u.agg.n_keys;
    h->aggs = p->u.agg.aggs;
    h->n_aggs = p->u.agg.n_aggs;
    h->state = bk_arena_create(ctx->arena, "hashagg", 0);
    h->key_store = bk_arena_zalloc(ctx->arena, sizeof(bk_vec) * (h->n_keys + 1));
    if (h->state == NULL || h->key_store == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    for (uint32_t k = 0; k < h->n_keys; k++) {
        h->key_store[k].type = p->out_types[k];
    }
    if (h->n_keys > 0 && grow_groups(h, err) != BK_OK) {
        return NULL;
    }
    h->base.next = hashagg_next;
    h->base.close = hashagg_close;
    return &h->base;
}
