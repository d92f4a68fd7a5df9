/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tables: column definitions, segments of up to BK_SEG_ROWS rows, and the append path.
 *
 * Concurrency: one appender per table (the writer mutex), any number of readers. Readers see
 * rows below `committed_rows`, which the appender publishes with a release store at commit
 * after every byte of those rows (and the dictionary entries they use) has been written; a
 * reader that loads it with acquire therefore never sees half of a commit. Segment arrays
 * never move under readers: only the first segment grows (by copying into a larger array
 * that is published atomically), and the arrays it replaces are kept until the table dies.
 */
#include <stdlib.h>
#include <string.h>

#include "storage_int.h"

#define MAX_COLUMNS 1600 /* PostgreSQL's MaxHeapAttributeNumber */

size_t bk_storage_width(bk_type_id id)
{
    switch (id) {
    case BK_TYPE_TEXT:
        return sizeof(uint32_t);
    case BK_TYPE_NUMERIC:
        return sizeof(int64_t);
    default:
        return bk_type_width(id);
    }
}

bk_db *bk_db_create(void)
{
    bk_db *db = bk_mem_calloc(1, sizeof *db);
    if (db == NULL) {
        return NULL;
    }
    pthread_mutex_init(&db->lock, NULL);
    bk_sarray_init(&db->tables, sizeof(bk_table *));
    db->next_id = 16384; /* first normal object id, as PostgreSQL's FirstNormalObjectId */
    return db;
}

static void table_free(bk_table *t)
{
    for (uint64_t i = 0; i < t->n_segs; i++) {
        seg *s = table_seg(t, i);
        for (uint32_t c = 0; c < t->n_cols; c++) {
            bk_mem_free(atomic_load(&s->cols[c].data));
            bk_mem_free(atomic_load(&s->cols[c].validity));
            bk_mem_free(atomic_load(&s->cols[c].scale));
        }
        bk_mem_free(s);
    }
    bk_sarray_free(&t->segs);
    while (t->retired != NULL) {
        retired_block *r = t->retired;
        t->retired = r->next;
        bk_mem_free(r->ptr);
        bk_mem_free(r);
    }
    /* Either array may be missing when creation ran out of memory half-way. */
    for (uint32_t c = 0; c < t->n_cols; c++) {
        if (t->dicts != NULL) {
            bk_dict_destroy(t->dicts[c]);
        }
        if (t->cols != NULL) {
            bk_mem_free((char *)t->cols[c].name);
        }
    }
    bk_mem_free(t->dicts);
    bk_mem_free(t->cols);
    bk_mem_free(t->name);
    pthread_mutex_destroy(&t->writer);
    bk_mem_free(t);
}

void bk_db_destroy(bk_db *db)
{
    if (db == NULL) {
        return;
    }
    uint32_t n = atomic_load(&db->n_tables);
    for (uint32_t i = 0; i < n; i++) {
        table_free(*(bk_table **)bk_sarray_at(&db->tables, i));
    }
    bk_sarray_free(&db->tables);
    pthread_mutex_destroy(&db->lock);
    bk_mem_free(db);
}

static char *dup_cstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bk_mem_alloc(n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p;
}

bk_table *bk_db_create_table(bk_db *db,
                             const char *name,
                             const bk_column_def *cols,
                             uint32_t n_cols,
                             bk_error *err)
{
    if (n_cols > MAX_COLUMNS) {
        bk_raise(err, TOO_MANY_COLUMNS, "tables can have at most %d columns", MAX_COLUMNS);
        return NULL;
    }
    pthread_mutex_lock(&db->lock);
    if (bk_db_find_table(db, bk_str_from_cstr(name)) != NULL) {
        pthread_mutex_unlock(&db->lock);
        bk_raise(err, DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return NULL;
    }
    bk_table *t = bk_mem_calloc(1, sizeof *t);
    if (t == NULL) {
        goto oom;
    }
    pthread_mutex_init(&t->writer, NULL);
    bk_sarray_init(&t->segs, sizeof(seg *));
    t->n_cols = n_cols;
    t->name = dup_cstr(name);
    t->cols = bk_mem_calloc(n_cols, sizeof *t->cols);
    t->dicts = bk_mem_calloc(n_cols, sizeof *t->dicts);
    if (t->name == NULL || t->cols == NULL || t->dicts == NULL) {
        goto oom;
    }
    for (uint32_t c = 0; c < n_cols; c++) {
        t->cols[c] = cols[c];
        t->cols[c].name = dup_cstr(cols[c].name);
        if (t->cols[c].name == NULL) {
            goto oom;
        }
        if (cols[c].type.id == BK_TYPE_TEXT) {
            t->dicts[c] = bk_dict_create();
            if (t->dicts[c] == NULL) {
                goto oom;
            }
        }
    }
    uint32_t n = atomic_load(&db->n_tables);
    if (bk_sarray_reserve(&db->tables, (uint64_t)n + 1) != BK_OK) {
        goto oom;
    }
    t->id = db->next_id++;
    *(bk_table **)bk_sarray_at(&db->tables, n) = t;
    atomic_store_explicit(&db->n_tables, n + 1, memory_order_release);
    pthread_mutex_unlock(&db->lock);
    return t;
oom:
    pthread_mutex_unlock(&db->lock);
    if (t != NULL) {
        table_free(t);
    }
    bk_raise(err, OUT_OF_MEMORY, "out of memory");
    return NULL;
}

bk_table *bk_db_find_table(bk_db *db, bk_str name)
{
    uint32_t n = atomic_load_explicit(&db->n_tables, memory_order_acquire);
    for (uint32_t i = 0; i < n; i++) {
        bk_table *t = *(bk_table **)bk_sarray_at(&db->tables, i);
        if (bk_str_eq_cstr(name, t->name)) {
            return t;
        }
    }
    return NULL;
}

uint32_t bk_db_table_count(const bk_db *db)
{
    return atomic_load_explicit(&((bk_db *)db)->n_tables, memory_order_acquire);
}

bk_table *bk_db_table_at(bk_db *db, uint32_t i)
{
    return *(bk_table **)bk_sarray_at(&db->tables, i);
}

const char *bk_table_name(const bk_table *t)
{
    return t->name;
}

uint32_t bk_table_column_count(const bk_table *t)
{
    return t->n_cols;
}

const bk_column_def *bk_table_column(const bk_table *t, uint32_t i)
{
    return &t->cols[i];
}

uint32_t bk_table_id(const bk_table *t)
{
    return t->id;
}

/* ---- appending ---------------------------------------------------------------------------- */

struct bk_appender {
    bk_table *t;
};

static void *alloc_array(size_t n)
{
    return bk_mem_calloc(n == 0 ? 1 : n, 1);
}

static bk_rc seg_col_alloc(const bk_table *t, uint32_t c, uint32_t cap, seg_col *out)
{
    const bk_column_def *def = &t->cols[c];
    void *data = alloc_array((size_t)cap * bk_storage_width(def->type.id));
    uint64_t *validity = NULL;
    uint8_t *scale = NULL;
    if (data == NULL) {
        return BK_ERR;
    }
    if (!def->not_null) {
        validity = alloc_array(bk_validity_words(cap) * sizeof(uint64_t));
        if (validity == NULL) {
            bk_mem_free(data);
            return BK_ERR;
        }
    }
    if (def->type.id == BK_TYPE_NUMERIC) {
        scale = alloc_array(cap);
        if (scale == NULL) {
            bk_mem_free(data);
            bk_mem_free(validity);
            return BK_ERR;
        }
    }
    atomic_init(&out->data, data);
    atomic_init(&out->validity, validity);
    atomic_init(&out->scale, scale);
    return BK_OK;
}

static bk_rc seg_new(bk_table *t, uint32_t cap)
{
    if (bk_sarray_reserve(&t->segs, t->n_segs + 1) != BK_OK) {
        return BK_ERR;
    }
    seg *s = bk_mem_calloc(1, sizeof(seg) + t->n_cols * sizeof(seg_col));
    if (s == NULL) {
        return BK_ERR;
    }
    for (uint32_t c = 0; c < t->n_cols; c++) {
        if (seg_col_alloc(t, c, cap, &s->cols[c]) != BK_OK) {
            for (uint32_t k = 0; k < c; k++) {
                bk_mem_free(atomic_load(&s->cols[k].data));
                bk_mem_free(atomic_load(&s->cols[k].validity));
                bk_mem_free(atomic_load(&s->cols[k].scale));
            }
            bk_mem_free(s);
            return BK_ERR;
        }
    }
    atomic_init(&s->cap, cap);
    *(seg **)bk_sarray_at(&t->segs, t->n_segs) = s;
    t->n_segs++;
    return BK_OK;
}

/* Files `p` on the table's retired list, using a record reserved beforehand. */
static void retire(bk_table *t, void *p, retired_block **spare)
{
    if (p == NULL) {
        return;
    }
    retired_block *r = *spare;
    *spare = r->next;
    r->ptr = p;
    r->next = t->retired;
    t->retired = r;
}

static void seg_cols_free(seg_col *cols, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        bk_mem_free(atomic_load(&cols[k].data));
        bk_mem_free(atomic_load(&cols[k].validity));
        bk_mem_free(atomic_load(&cols[k].scale));
    }
}

/*
 * Grows the first segment to `cap` rows: copy, publish, keep the old arrays for readers.
 * Everything that can fail (the new arrays and the records that retire the old ones) is
 * allocated before the first array is swapped, so an OOM leaves the segment untouched and
 * no old array is both retired and still in use (which freed it twice with the table).
 */
static bk_rc seg_grow(bk_table *t, seg *s, uint32_t cap)
{
    uint32_t old = atomic_load_explicit(&s->cap, memory_order_relaxed);
    seg_col *fresh = bk_mem_calloc(t->n_cols, sizeof(seg_col));
    if (fresh == NULL) {
        return BK_ERR;
    }
    uint32_t c;
    for (c = 0; c < t->n_cols; c++) {
        if (seg_col_alloc(t, c, cap, &fresh[c]) != BK_OK) {
            break;
        }
    }
    retired_block *spare = NULL;
    bool ok = c == t->n_cols;
    for (uint32_t k = 0; ok && k < t->n_cols; k++) {
        seg_col *sc = &s->cols[k];
        int n_arrays = 1 + (atomic_load(&sc->validity) != NULL) + (atomic_load(&sc->scale) != NULL);
        for (int j = 0; j < n_arrays; j++) {
            retired_block *r = bk_mem_alloc(sizeof *r);
            if (r == NULL) {
                ok = false;
                break;
            }
            r->next = spare;
            spare = r;
        }
    }
    if (!ok) {
        while (spare != NULL) {
            retired_block *r = spare;
            spare = r->next;
            bk_mem_free(r);
        }
        seg_cols_free(fresh, c);
        bk_mem_free(fresh);
        return BK_ERR;
    }
    for (c = 0; c < t->n_cols; c++) {
        seg_col *sc = &s->cols[c];
        size_t w = bk_storage_width(t->cols[c].type.id);
        void *od = atomic_load(&sc->data);
        uint64_t *ov = atomic_load(&sc->validity);
        uint8_t *os = atomic_load(&sc->scale);
        memcpy(atomic_load(&fresh[c].data), od, (size_t)old * w);
        if (ov != NULL) {
            memcpy(atomic_load(&fresh[c].validity), ov, bk_validity_words(old) * 8);
        }
        if (os != NULL) {
            memcpy(atomic_load(&fresh[c].scale), os, old);
        }
        retire(t, od, &spare);
        retire(t, ov, &spare);
        retire(t, os, &spare);
        atomic_store_explicit(&sc->data, atomic_load(&fresh[c].data), memory_order_release);
        atomic_store_explicit(&sc->validity, atomic_load(&fresh[c].validity), memory_order_release);
        atomic_store_explicit(&sc->scale, atomic_load(&fresh[c].scale), memory_order_release);
    }
    BK_ASSERT(spare == NULL);
    bk_mem_free(fresh);
    atomic_store_explicit(&s->cap, cap, memory_order_release);
    return BK_OK;
}

bk_appender *bk_appender_begin(bk_table *t, bk_error *err)
{
    bk_appender *ap = bk_mem_alloc(sizeof *ap);
    if (ap == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&t->writer);
    ap->t = t;
    return ap;
}

/* Makes row `row` writable: the segment exists and has capacity for it. */
static bk_rc ensure_row(bk_table *t, uint64_t row)
{
    uint64_t si = row >> BK_SEG_ROWS_SHIFT;
    uint32_t off = (uint32_t)(row & (BK_SEG_ROWS - 1));
    while (t->n_segs <= si) {
        if (seg_new(t, t->n_segs == 0 ? BK_SEG_FIRST_CAP : BK_SEG_ROWS) != BK_OK) {
            return BK_ERR;
        }
    }
    seg *s = table_seg(t, si);
    uint32_t cap = atomic_load_explicit(&s->cap, memory_order_relaxed);
    if (off >= cap) {
        uint32_t ncap = cap;
        while (ncap <= off) {
            ncap *= 2;
        }
        if (seg_grow(t, s, BK_MIN(ncap, BK_SEG_ROWS)) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

/*
 * Sets one validity bit with an atomic read-modify-write: the word may also hold bits of
 * committed rows that a concurrent scan is loading (scan.c copies such words atomically).
 */
static void validity_store(uint64_t *validity, uint32_t i, bool valid)
{
    uint64_t bit = UINT64_C(1) << (i & 63);
    if (valid) {
        (void)__atomic_fetch_or(&validity[i >> 6], bit, __ATOMIC_RELAXED);
    } else {
        (void)__atomic_fetch_and(&validity[i >> 6], ~bit, __ATOMIC_RELAXED);
    }
}

static bk_rc store_value(bk_table *t,
                         uint32_t c,
                         seg_col *sc,
                         uint32_t off,
                         const bk_vec *v,
                         uint32_t i,
                         bk_error *err)
{
    const bk_column_def *def = &t->cols[c];
    void *data = atomic_load_explicit(&sc->data, memory_order_relaxed);
    uint64_t *validity = atomic_load_explicit(&sc->validity, memory_order_relaxed);
    if (bk_vec_is_null(v, i)) {
        if (def->not_null) {
            return bk_raise(err, NOT_NULL_VIOLATION,
                            "null value in column \"%s\" of relation \"%s\" violates not-null "
                            "constraint",
                            def->name, t->name);
        }
        validity_store(validity, off, false);
        return BK_OK;
    }
    if (validity != NULL) {
        validity_store(validity, off, true);
    }
    switch (def->type.id) {
    case BK_TYPE_TEXT: {
        uint32_t code;
        if (bk_dict_intern(t->dicts[c], ((const bk_str *)v->data)[i], &code) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        ((uint32_t *)data)[off] = code;
        return BK_OK;
    }
    case BK_TYPE_NUMERIC: {
        bk_i128 x = ((const bk_i128 *)v->data)[i];
        if (x > INT64_MAX || x < -INT64_MAX) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE,
                            "numeric value out of range for column \"%s\" (at most 18 digits are "
                            "stored)",
                            def->name);
        }
        ((int64_t *)data)[off] = (int64_t)x;
        atomic_load_explicit(&sc->scale, memory_order_relaxed)[off] = v->scale[i];
        return BK_OK;
    }
    default: {
        size_t w = bk_storage_width(def->type.id);
        memcpy((char *)data + (size_t)off * w, (const char *)v->data + (size_t)i * w, w);
        return BK_OK;
    }
    }
}

bk_rc bk_appender_append(bk_appender *ap, const bk_batch *batch, bk_error *err)
{
    bk_table *t = ap->t;
    if (batch->n_cols != t->n_cols) {
        return bk_raise(err, INTERNAL_ERROR, "append of %u columns into a table of %u",
                        batch->n_cols, t->n_cols);
    }
    for (uint32_t c = 0; c < t->n_cols; c++) {
        if (batch->cols[c].type.id != t->cols[c].type.id) {
            return bk_raise(err, INTERNAL_ERROR, "append type mismatch in column \"%s\"",
                            t->cols[c].name);
        }
    }
    for (uint32_t i = 0; i < batch->n_rows; i++) {
        uint64_t row = t->written_rows;
        if (ensure_row(t, row) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        seg *s = table_seg(t, row >> BK_SEG_ROWS_SHIFT);
        uint32_t off = (uint32_t)(row & (BK_SEG_ROWS - 1));
        for (uint32_t c = 0; c < t->n_cols; c++) {
            if (store_value(t, c, &s->cols[c], off, &batch->cols[c], i, err) != BK_OK) {
                return BK_ERR;
            }
        }
        t->written_rows++;
    }
    return BK_OK;
}

bk_rc bk_appender_commit(bk_appender *ap, bk_error *err)
{
    (void)err;
    bk_table *t = ap->t;
    atomic_store_explicit(&t->committed_rows, t->written_rows, memory_order_release);
    pthread_mutex_unlock(&t->writer);
    bk_mem_free(ap);
    return BK_OK;
}

void bk_appender_abort(bk_appender *ap)
{
    bk_table *t = ap->t;
    t->written_rows = atomic_load_explicit(&t->committed_rows, memory_order_relaxed);
    pthread_mutex_unlock(&t->writer);
    bk_mem_free(ap);
}

/* ---- snapshots ---------------------------------------------------------------------------- */

bk_snap *bk_snap_take(bk_db *db, bk_error *err)
{
    bk_snap *s = bk_mem_alloc(sizeof *s);
    uint32_t n = bk_db_table_count(db);
    uint64_t *rows = bk_mem_alloc(sizeof(uint64_t) * (n == 0 ? 1 : n));
    if (s == NULL || rows == NULL) {
        bk_mem_free(s);
        bk_mem_free(rows);
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        bk_table *t = bk_db_table_at(db, i);
        rows[i] = atomic_load_explicit(&t->committed_rows, memory_order_acquire);
    }
    s->db = db;
    s->n_tables = n;
    s->rows = rows;
    return s;
}

void bk_snap_release(bk_snap *s)
{
    if (s == NULL) {
        return;
    }
    bk_mem_free(s->rows);
    bk_mem_free(s);
}

uint64_t bk_snap_rows(const bk_snap *s, const bk_table *t)
{
    for (uint32_t i = 0; i < s->n_tables; i++) {
        if (bk_db_table_at(s->db, i) == t) {
            return s->rows[i];
        }
    }
    return 0; /* created after the snapshot */
}

void bk_table_column_stats(const bk_snap *s, const bk_table *t, uint32_t col, bk_column_stats *out)
{
    uint64_t rows = bk_snap_rows(s, t);
    const bk_column_def *def = &t->cols[col];
    size_t w = bk_storage_width(def->type.id);
    uint64_t bytes = 0;
    uint64_t n_segs = (rows + BK_SEG_ROWS - 1) / BK_SEG_ROWS;
    for (uint64_t i = 0; i < n_segs; i++) {
        seg *sg = table_seg(t, i);
        uint32_t cap = atomic_load_explicit(&sg->cap, memory_order_acquire);
        bytes += (uint64_t)cap * w;
        if (!def->not_null) {
            bytes += bk_validity_words(cap) * 8;
        }
        if (def->type.id == BK_TYPE_NUMERIC) {
            bytes += cap;
        }
    }
    out->rows = rows;
    out->distinct_values = 0;
    out->encoding = "plain";
    if (t->dicts[col] != NULL) {
        out->distinct_values = bk_dict_count(t->dicts[col]);
        bytes += bk_dict_bytes(t->dicts[col]);
        out->encoding = "dictionary";
    }
    out->bytes = bytes;
}
