/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sort: materializes its input (deep copies, since input batches are transient), orders row
 * references by the keys with PostgreSQL's NULL placement (NULLS LAST for ASC, FIRST for
 * DESC unless stated), and emits the rows in order, batch by batch.
 */
#include <stdlib.h>
#include <string.h>

#include "query_int.h"

typedef struct row_ref {
    uint32_t batch;
    uint32_t row;
} row_ref;

typedef struct op_sort {
    bk_op base;
    bk_op *child;
    bk_sort_key *keys;
    uint32_t n_keys;
    bk_arena *store;
    bk_batch **batches;
    uint32_t n_batches;
    uint32_t cap_batches;
    row_ref *rows;
    uint64_t n_rows;
    uint64_t pos;
    bool built;
} op_sort;

static int compare_refs(const void *pa, const void *pb, void *arg)
{
    const op_sort *s = arg;
    const row_ref *a = pa, *b = pb;
    for (uint32_t k = 0; k < s->n_keys; k++) {
        const bk_sort_key *key = &s->keys[k];
        const bk_vec *va = &s->batches[a->batch]->cols[key->col];
        const bk_vec *vb = &s->batches[b->batch]->cols[key->col];
        bool an = bk_vec_is_null(va, a->row), bn = bk_vec_is_null(vb, b->row);
        if (an || bn) {
            if (an && bn) {
                continue;
            }
            return (an ? -1 : 1) * (key->nulls_first ? 1 : -1);
        }
        int c = bk_value_cmp(va, a->row, vb, b->row);
        if (c != 0) {
            return key->desc ? -c : c;
        }
    }
    /* Input order breaks ties, so equal keys come out as they went in. */
    if (a->batch != b->batch) {
        return a->batch < b->batch ? -1 : 1;
    }
    return a->row < b->row ? -1 : a->row > b->row ? 1 : 0;
}

static bk_rc sort_build(op_sort *s, bk_error *err)
{
    for (;;) {
        bk_batch *in;
        if (s->child->next(s->child, &in, err) != BK_OK) {
            return BK_ERR;
        }
        if (in == NULL) {
            break;
        }
        if (bk_op_check_cancel(s->base.ctx, err) != BK_OK) {
            return BK_ERR;
        }
        if (s->n_batches == s->cap_batches) {
            uint32_t cap = s->cap_batches == 0 ? 16 : s->cap_batches * 2;
            bk_batch **nb =
                bk_arena_realloc(s->store, s->batches, sizeof(bk_batch *) * s->cap_batches,
                                 sizeof(bk_batch *) * cap);
            if (nb == NULL) {
                return bk_op_oom(err);
            }
            s->batches = nb;
            s->cap_batches = cap;
        }
        bk_batch *copy = bk_batch_alloc(in->n_cols, s->store);
        if (copy == NULL) {
            return bk_op_oom(err);
        }
        copy->n_rows = in->n_rows;
        for (uint32_t c = 0; c < in->n_cols; c++) {
            if (bk_vec_copy(&in->cols[c], in->n_rows, &copy->cols[c], s->store) != BK_OK) {
                return bk_op_oom(err);
            }
        }
        s->batches[s->n_batches++] = copy;
        s->n_rows += in->n_rows;
    }
    s->rows = bk_arena_alloc(s->store, sizeof(row_ref) * (s->n_rows + 1));
    if (s->rows == NULL) {
        return bk_op_oom(err);
    }
    uint64_t k = 0;
    for (uint32_t b = 0; b < s->n_batches; b++) {
        for (uint32_t r = 0; r < s->batches[b]->n_rows; r++) {
            s->rows[k++] = (row_ref){b, r};
        }
    }
    qsort_r(s->rows, s->n_rows, sizeof(row_ref), compare_refs, s);
    s->built = true;
    return BK_OK;
}

static bk_rc sort_next(bk_op *op, bk_batch **out, bk_error *err)
{
    op_sort *s = (op_sort *)op;
    if (!s->built && sort_build(s, err) != BK_OK) {
        return BK_ERR;
    }
    bk_arena_reset(op->batch_arena);
    if (s->pos >= s->n_rows) {
        *out = NULL;
        return BK_OK;
    }
    uint32_t n = (uint32_t)BK_MIN(s->n_rows - s->pos, (uint64_t)BK_BATCH_ROWS);
    bk_batch *b = bk_batch_alloc(op->n_out, op->batch_arena);
    if (b == NULL) {
        return bk_op_oom(err);
    }
    b->n_rows = n;
    const row_ref *refs = &s->rows[s->pos];
    for (uint32_t c = 0; c < op->n_out; c++) {
        bk_vec *v = &b->cols[c];
        if (bk_vec_alloc(v, op->out_types[c], n, true, op->batch_arena) != BK_OK) {
            return bk_op_oom(err);
        }
        size_t w = bk_type_width(v->type.id);
        for (uint32_t i = 0; i < n; i++) {
            const bk_vec *src = &s->batches[refs[i].batch]->cols[c];
            uint32_t r = refs[i].row;
            bool null = bk_vec_is_null(src, r);
            bk_validity_set(v->validity, i, !null);
            memcpy((char *)v->data + (size_t)i * w, (const char *)src->data + (size_t)r * w, w);
            if (v->type.id == BK_TYPE_NUMERIC) {
                v->scale[i] = src->scale[r];
            }
        }
    }
    s->pos += n;
    *out = b;
    return BK_OK;
}

static void sort_close(bk_op *op)
{
    (void)op;
}

bk_op *bk_op_sort_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err)
{
    op_sort *s = (op_sort *)bk_op_alloc(ctx, sizeof *s, p->n_out, p->out_types, err);
    if (s == NULL) {
        return NULL;
    }
    s->child = child;
    s->keys = p->u.sort.keys;
    s->n_keys = p->u.sort.n_keys;
    s->store = bk_arena_create(ctx->arena, "sort", 0);
    if (s->store == NULL) {
        bk_op_oom(err);
        return NULL;
    }
    s->base.next = sort_next;
    s->base.close = sort_close;
    return &s->base;
}
