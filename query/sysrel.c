/* SPDX-License-Identifier: Apache-2.0 */
/* System relations: the registry, name resolution and the row builder (sysrel.h). */
#include "sysrel.h"

#include <pthread.h>
#include <string.h>

/* Every family's NULL-terminated list. */
static const bk_sysrel *const *const families[] = {
    bk_sysrels_basket,
};

bool bk_sysrel_schema(const char *schema)
{
    return strcmp(schema, "pg_catalog") == 0 || strcmp(schema, "information_schema") == 0;
}

#define MAX_SYSRELS 512

static const bk_sysrel *all_rels[MAX_SYSRELS];
static uint32_t n_all_rels;
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

static void collect_all(void)
{
    for (size_t f = 0; f < BK_ARRAY_LEN(families); f++) {
        for (const bk_sysrel *const *r = families[f]; *r != NULL; r++) {
            BK_ASSERT(n_all_rels < MAX_SYSRELS);
            all_rels[n_all_rels++] = *r;
        }
    }
}

const bk_sysrel *const *bk_sysrel_all(uint32_t *n)
{
    pthread_once(&all_once, collect_all);
    *n = n_all_rels;
    return all_rels;
}

const bk_sysrel *bk_sysrel_find(const char *schema, const char *name)
{
    uint32_t n;
    const bk_sysrel *const *all = bk_sysrel_all(&n);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = all[i]->schema;
        bool schema_ok = schema != NULL ? strcmp(s, schema) == 0 : strcmp(s, "pg_catalog") == 0;
        if (schema_ok && strcmp(all[i]->name, name) == 0) {
            return all[i];
        }
    }
    return NULL;
}

/* ---- row builder ---------------------------------------------------------------------------- */

static bk_rc oom(bk_error *err)
{
    return bk_raise(err, OUT_OF_MEMORY, "out of memory");
}

bk_rc bk_sysrows_init(bk_sysrows *r, const bk_sysrel *rel, bk_arena *a, bk_error *err)
{
    (void)err;
    memset(r, 0, sizeof *r);
    r->rel = rel;
    r->arena = a;
    return BK_OK;
}

static bk_rc new_batch(bk_sysrows *r, bk_error *err)
{
    if (r->n_batches == r->cap_batches) {
        uint32_t cap = r->cap_batches == 0 ? 4 : r->cap_batches * 2;
        bk_batch **b = bk_arena_alloc(r->arena, sizeof *b * cap);
        if (b == NULL) {
            return oom(err);
        }
        if (r->n_batches > 0) {
            memcpy(b, r->batches, sizeof *b * r->n_batches);
        }
        r->batches = b;
        r->cap_batches = cap;
    }
    bk_batch *b = bk_batch_alloc(r->rel->n_cols, r->arena);
    if (b == NULL) {
        return oom(err);
    }
    for (uint32_t c = 0; c < r->rel->n_cols; c++) {
        if (bk_vec_alloc(&b->cols[c], r->rel->cols[c].type, BK_BATCH_ROWS, true, r->arena) !=
            BK_OK) {
            return oom(err);
        }
    }
    b->n_rows = 0;
    r->batches[r->n_batches++] = b;
    r->cur = b;
    return BK_OK;
}

bk_rc bk_sysrows_row(bk_sysrows *r, bk_error *err)
{
    if (r->failed) {
        return oom(err);
    }
    if ((r->cur == NULL || r->cur->n_rows == BK_BATCH_ROWS) && new_batch(r, err) != BK_OK) {
        return BK_ERR;
    }
    r->row = r->cur->n_rows++;
    for (uint32_t c = 0; c < r->rel->n_cols; c++) {
        bk_vec *v = &r->cur->cols[c];
        bk_validity_set(v->validity, r->row, false);
        /* Defined contents under NULLs: operators may read them (hashing skips, copies don't). */
        memset((char *)v->data + bk_type_width(v->type.id) * r->row, 0, bk_type_width(v->type.id));
        if (v->type.id == BK_TYPE_NUMERIC) {
            v->scale[r->row] = 0;
        }
    }
    return BK_OK;
}

bk_rc bk_sysrows_finish(bk_sysrows *r, bk_error *err)
{
    return r->failed ? oom(err) : BK_OK;
}

static bk_vec *cell(bk_sysrows *r, uint32_t col)
{
    BK_ASSERT(r->cur != NULL && col < r->rel->n_cols);
    bk_vec *v = &r->cur->cols[col];
    bk_validity_set(v->validity, r->row, true);
    return v;
}

void bk_sysrows_text(bk_sysrows *r, uint32_t col, const char *s)
{
    if (s == NULL) {
        return;
    }
    bk_vec *v = cell(r, col);
    BK_ASSERT(v->type.id == BK_TYPE_TEXT);
    size_t n = strlen(s);
    char *p = n > 0 ? bk_arena_memdup(r->arena, s, n) : "";
    if (p == NULL) {
        r->failed = true;
        bk_validity_set(v->validity, r->row, false);
        return;
    }
    ((bk_str *)v->data)[r->row] = (bk_str){p, n};
}

void bk_sysrows_int(bk_sysrows *r, uint32_t col, int64_t x)
{
    bk_vec *v = cell(r, col);
    switch (v->type.id) {
    case BK_TYPE_BOOL:
        ((uint8_t *)v->data)[r->row] = x != 0;
        break;
    case BK_TYPE_INT2:
        ((int16_t *)v->data)[r->row] = (int16_t)x;
        break;
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        ((int32_t *)v->data)[r->row] = (int32_t)x;
        break;
    case BK_TYPE_OID:
        ((uint32_t *)v->data)[r->row] = (uint32_t)x;
        break;
    case BK_TYPE_INT8:
        ((int64_t *)v->data)[r->row] = x;
        break;
    case BK_TYPE_NUMERIC:
        ((bk_i128 *)v->data)[r->row] = x;
        v->scale[r->row] = 0;
        break;
    default:
        BK_ASSERT(!"integer into a non-integer system column");
    }
}

void bk_sysrows_float(bk_sysrows *r, uint32_t col, double x)
{
    bk_vec *v = cell(r, col);
    if (v->type.id == BK_TYPE_FLOAT4) {
        ((float *)v->data)[r->row] = (float)x;
    } else {
        BK_ASSERT(v->type.id == BK_TYPE_FLOAT8);
        ((double *)v->data)[r->row] = x;
    }
}

void bk_sysrows_numeric(bk_sysrows *r, uint32_t col, bk_i128 x, int scale)
{
    bk_vec *v = cell(r, col);
    BK_ASSERT(v->type.id == BK_TYPE_NUMERIC);
    ((bk_i128 *)v->data)[r->row] = x;
    v->scale[r->row] = (uint8_t)scale;
}

void bk_sysrows_timestamp(bk_sysrows *r, uint32_t col, int64_t us)
{
    bk_vec *v = cell(r, col);
    BK_ASSERT(v->type.id == BK_TYPE_TIMESTAMP || v->type.id == BK_TYPE_TIMESTAMPTZ);
    ((int64_t *)v->data)[r->row] = us;
}
