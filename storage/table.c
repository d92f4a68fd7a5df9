/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The database, its tables, versions and the append path.
 *
 * Every commit publishes a new immutable database version (bk_dbver) in which the committed
 * table has a new table version (bk_tabver): its visible row count and segment list. Readers
 * take a reference to the current database version (a snapshot) under a mutex held for a
 * few instructions, and read without locks from then on. Versions, and the segments they
 * reference, are refcounted: whatever a reader can reach stays allocated until it lets go.
 *
 * One appender per table at a time (the writer mutex). It writes rows past the visible count
 * of the open segment, which no reader looks at; when the open segment is full it is sealed
 * (encoded, with zone maps) and a new one started; when it must grow it is copied into a
 * larger one. Nothing of this is visible until commit publishes the new version; abort
 * simply forgets it and returns the writer to the last committed state.
 */
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"
#include "storage_int.h"
#include "wal_int.h"

#define MAX_COLUMNS 1600 /* PostgreSQL's MaxHeapAttributeNumber */

/* ---- versions ---------------------------------------------------------------------------- */

bk_tabver *bk_tabver_ref(bk_tabver *v)
{
    atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    return v;
}

void bk_tabver_unref(bk_tabver *v)
{
    if (v == NULL || atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    for (uint32_t i = 0; i < v->n_segs; i++) {
        bk_seg_unref(v->segs[i]);
    }
    bk_mem_free(v->segs);
    bk_mem_free(v);
}

void bk_dbver_unref(bk_dbver *v)
{
    if (v == NULL || atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    for (uint32_t i = 0; i < v->n_tables; i++) {
        bk_tabver_unref(v->tabs[i]);
    }
    bk_mem_free(v);
}

static bk_dbver *dbver_alloc(uint32_t n_tables)
{
    bk_dbver *v = bk_mem_calloc(1, sizeof(bk_dbver) + sizeof(bk_tabver *) * n_tables);
    if (v != NULL) {
        atomic_init(&v->refs, 1);
        v->n_tables = n_tables;
    }
    return v;
}

/* A copy of `from` with room for n_tables (n_tables >= from->n_tables); tabs referenced. */
static bk_dbver *dbver_copy(const bk_dbver *from, uint32_t n_tables)
{
    bk_dbver *v = dbver_alloc(n_tables);
    if (v == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < from->n_tables; i++) {
        v->tabs[i] = from->tabs[i] != NULL ? bk_tabver_ref(from->tabs[i]) : NULL;
    }
    return v;
}

/* Replaces the current version (the caller holds db->lock); returns the old one to unref. */
static bk_dbver *dbver_swap(bk_db *db, bk_dbver *v)
{
    bk_dbver *old = db->cur;
    v->seq = ++db->seq;
    db->cur = v;
    return old;
}

static bk_tabver *tabver_alloc(uint32_t n_segs)
{
    bk_tabver *v = bk_mem_calloc(1, sizeof *v);
    if (v == NULL) {
        return NULL;
    }
    atomic_init(&v->refs, 1);
    v->segs = bk_mem_calloc(n_segs == 0 ? 1 : n_segs, sizeof(bk_seg *));
    if (v->segs == NULL) {
        bk_mem_free(v);
        return NULL;
    }
    return v;
}

/* ---- database and tables -------------------------------------------------------------------- */

bk_db *bk_db_create(void)
{
    bk_db *db = bk_mem_calloc(1, sizeof *db);
    if (db == NULL) {
        return NULL;
    }
    db->cur = dbver_alloc(0);
    if (db->cur == NULL) {
        bk_mem_free(db);
        return NULL;
    }
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->ckpt_lock, NULL);
    pthread_mutex_init(&db->ckpt_wait_lock, NULL);
    pthread_cond_init(&db->ckpt_wait, NULL);
    atomic_init(&db->next_txn, 1);
    bk_sarray_init(&db->tables, sizeof(bk_table *));
    db->next_id = 16384; /* first normal object id, as PostgreSQL's FirstNormalObjectId */
    return db;
}

static void writer_reset_pending(bk_table *t)
{
    for (uint32_t i = 0; i < t->n_pending; i++) {
        bk_seg_unref(t->pending[i]);
    }
    t->n_pending = 0;
}

static void table_free(bk_table *t)
{
    writer_reset_pending(t);
    bk_mem_free(t->pending);
    bk_seg_unref(t->open);
    for (uint32_t c = 0; t->cols != NULL && c < t->n_cols; c++) {
        if (t->dicts != NULL) {
            bk_dict_destroy(t->dicts[c]);
        }
        bk_mem_free((char *)t->cols[c].name);
        bk_mem_free((char *)t->cols[c].generated);
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
    bk_db_stop_checkpointer(db);
    bk_wal_close(db->wal);
    bk_mem_free(db->dir);
    pthread_mutex_destroy(&db->ckpt_lock);
    pthread_mutex_destroy(&db->ckpt_wait_lock);
    pthread_cond_destroy(&db->ckpt_wait);
    bk_dbver_unref(db->cur);
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

static bk_table *table_new(bk_db *db, const char *name, const bk_column_def *cols, uint32_t n_cols)
{
    bk_table *t = bk_mem_calloc(1, sizeof *t);
    if (t == NULL) {
        return NULL;
    }
    pthread_mutex_init(&t->writer, NULL);
    t->db = db;
    t->n_cols = n_cols;
    t->name = dup_cstr(name);
    t->cols = bk_mem_calloc(n_cols == 0 ? 1 : n_cols, sizeof *t->cols);
    t->dicts = bk_mem_calloc(n_cols == 0 ? 1 : n_cols, sizeof *t->dicts);
    if (t->name == NULL || t->cols == NULL || t->dicts == NULL) {
        table_free(t);
        return NULL;
    }
    for (uint32_t c = 0; c < n_cols; c++) {
        t->cols[c] = cols[c];
        t->cols[c].name = dup_cstr(cols[c].name);
        t->cols[c].generated = cols[c].generated != NULL ? dup_cstr(cols[c].generated) : NULL;
        if (t->cols[c].name == NULL ||
            (cols[c].generated != NULL && t->cols[c].generated == NULL)) {
            table_free(t);
            return NULL;
        }
        if (cols[c].type.id == BK_TYPE_TEXT) {
            t->dicts[c] = bk_dict_create();
            if (t->dicts[c] == NULL) {
                table_free(t);
                return NULL;
            }
        }
    }
    return t;
}

static bk_table *find_locked(bk_db *db, bk_str name)
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

/* The CREATE TABLE operation, as logged. */
/* ---- column definitions in the log and in checkpoints -------------------------------------- */

enum {
    COLDEF_NOT_NULL = 1,
    COLDEF_GENERATED = 2
};

void bk_wr_column_def(bk_wr *w, const bk_column_def *d)
{
    wr_str(w, bk_str_from_cstr(d->name));
    wr_u8(w, (uint8_t)d->type.id);
    wr_u32(w, d->type.oid);
    wr_u32(w, (uint32_t)d->type.typmod);
    wr_u8(w, (uint8_t)((d->not_null ? COLDEF_NOT_NULL : 0) |
                       (d->generated != NULL ? COLDEF_GENERATED : 0)));
    if (d->generated != NULL) {
        wr_str(w, bk_str_from_cstr(d->generated));
    }
}

bool bk_rd_column_def(bk_rd *r, bk_arena *a, bk_column_def *out)
{
    bk_str name = rd_str(r);
    uint8_t type = rd_u8(r);
    uint32_t oid = rd_u32(r);
    int32_t typmod = (int32_t)rd_u32(r);
    uint8_t flags = rd_u8(r);
    bk_str gen = (flags & COLDEF_GENERATED) != 0 ? rd_str(r) : (bk_str){NULL, 0};
    if (r->bad || type >= BK_TYPE_COUNT_ || (flags & ~(COLDEF_NOT_NULL | COLDEF_GENERATED)) != 0) {
        return false;
    }
    out->name = bk_arena_strndup(a, name.ptr, name.len);
    out->type = (bk_type){(bk_type_id)type, oid, typmod};
    out->not_null = (flags & COLDEF_NOT_NULL) != 0;
    out->generated = gen.ptr != NULL ? bk_arena_strndup(a, gen.ptr, gen.len) : NULL;
    return out->name != NULL && (gen.ptr == NULL || out->generated != NULL);
}

static bk_rc encode_create(bk_buf *out, const bk_table *t)
{
    bk_wr w = {out, false};
    wr_u8(&w, BK_WAL_OP_CREATE_TABLE);
    wr_u32(&w, t->id);
    wr_str(&w, bk_str_from_cstr(t->name));
    wr_u32(&w, t->n_cols);
    for (uint32_t c = 0; c < t->n_cols; c++) {
        bk_wr_column_def(&w, &t->cols[c]);
    }
    return w.failed ? BK_ERR : BK_OK;
}

/* Logs the creation of t durably (the caller holds db->lock: DDL is rare). */
static bk_rc log_create(bk_db *db, const bk_table *t, bk_error *err)
{
    bk_buf b = {0};
    if (encode_create(&b, t) != BK_OK) {
        bk_buf_free(&b);
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    uint64_t txn = atomic_fetch_add(&db->next_txn, 1);
    uint64_t lsn;
    bk_rc rc = bk_wal_write(db->wal, BK_WAL_COMMIT_ONE, txn, b.ptr, b.len, &lsn, err);
    bk_buf_free(&b);
    if (rc == BK_OK) {
        bk_wal_sync(db->wal, lsn);
    }
    return rc;
}

static bk_table *create_table(bk_db *db,
                              const char *name,
                              const bk_column_def *cols,
                              uint32_t n_cols,
                              uint32_t id,
                              bk_error *err)
{
    if (n_cols > MAX_COLUMNS) {
        bk_raise(err, TOO_MANY_COLUMNS, "tables can have at most %d columns", MAX_COLUMNS);
        return NULL;
    }
    pthread_mutex_lock(&db->lock);
    if (find_locked(db, bk_str_from_cstr(name)) != NULL) {
        pthread_mutex_unlock(&db->lock);
        bk_raise(err, DUPLICATE_TABLE, "relation \"%s\" already exists", name);
        return NULL;
    }
    uint32_t slot = atomic_load(&db->n_tables);
    bk_table *t = table_new(db, name, cols, n_cols);
    bk_dbver *v = t != NULL ? dbver_copy(db->cur, slot + 1) : NULL;
    bk_tabver *tv = v != NULL ? tabver_alloc(0) : NULL;
    if (tv == NULL || bk_sarray_reserve(&db->tables, (uint64_t)slot + 1) != BK_OK) {
        pthread_mutex_unlock(&db->lock);
        bk_tabver_unref(tv);
        bk_dbver_unref(v);
        if (t != NULL) {
            table_free(t);
        }
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    t->slot = slot;
    t->id = id != 0 ? id : db->next_id;
    if (db->wal != NULL && !db->replaying && log_create(db, t, err) != BK_OK) {
        pthread_mutex_unlock(&db->lock);
        bk_tabver_unref(tv);
        bk_dbver_unref(v);
        table_free(t);
        return NULL;
    }
    if (t->id >= db->next_id) {
        db->next_id = t->id + 1;
    }
    v->tabs[slot] = tv;
    *(bk_table **)bk_sarray_at(&db->tables, slot) = t;
    atomic_store_explicit(&db->n_tables, slot + 1, memory_order_release);
    bk_dbver *old = dbver_swap(db, v);
    pthread_mutex_unlock(&db->lock);
    bk_dbver_unref(old);
    return t;
}

bk_table *bk_db_create_table(bk_db *db,
                             const char *name,
                             const bk_column_def *cols,
                             uint32_t n_cols,
                             bk_error *err)
{
    return create_table(db, name, cols, n_cols, 0, err);
}

bk_table *bk_db_create_table_id(bk_db *db,
                                const char *name,
                                const bk_column_def *cols,
                                uint32_t n_cols,
                                uint32_t id,
                                bk_error *err)
{
    return create_table(db, name, cols, n_cols, id, err);
}

bk_table *bk_db_find_table(bk_db *db, bk_str name)
{
    return find_locked(db, name); /* the table array is append-only: no lock needed */
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

/* The table's committed version (a new reference). */
static bk_tabver *committed_tabver(bk_table *t)
{
    bk_db *db = t->db;
    pthread_mutex_lock(&db->lock);
    bk_tabver *v = bk_tabver_ref(db->cur->tabs[t->slot]);
    pthread_mutex_unlock(&db->lock);
    return v;
}

/* ---- appending ---------------------------------------------------------------------------- */

/* Operations are logged in records of about this size while a transaction runs. */
size_t bk_wal_flush_bytes = (size_t)8 << 20;

struct bk_appender {
    bk_table *t;
    uint64_t txn;    /* write-ahead log transaction; 0 when nothing is logged */
    bk_buf wal_buf;  /* operations not yet written to the log */
    bool wrote_data; /* DATA records were written for this transaction */
};

/* Puts the writer state back to the committed version (after abort, or at begin). */
static void writer_sync(bk_table *t)
{
    writer_reset_pending(t);
    bk_seg_unref(t->open);
    t->open = NULL;
    bk_tabver *v = committed_tabver(t);
    t->written_rows = v->rows;
    if (v->n_segs > 0 && !v->segs[v->n_segs - 1]->sealed) {
        uint64_t base = 0;
        for (uint32_t i = 0; i + 1 < v->n_segs; i++) {
            base += v->segs[i]->n_rows;
        }
        t->open = bk_seg_ref(v->segs[v->n_segs - 1]);
        t->open_base = base;
        t->open->n_rows = (uint32_t)(v->rows - base);
    }
    bk_tabver_unref(v);
}

bk_appender *bk_appender_begin(bk_table *t, bk_error *err)
{
    bk_appender *ap = bk_mem_alloc(sizeof *ap);
    if (ap == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    memset(ap, 0, sizeof *ap);
    pthread_mutex_lock(&t->writer);
    ap->t = t;
    if (t->db->wal != NULL && !t->db->replaying) {
        ap->txn = atomic_fetch_add(&t->db->next_txn, 1);
        bk_wal_txn_begin(t->db->wal, ap->txn);
    }
    return ap;
}

static void appender_free(bk_appender *ap)
{
    if (ap->txn != 0) {
        bk_wal_txn_end(ap->t->db->wal, ap->txn);
    }
    bk_buf_free(&ap->wal_buf);
    bk_mem_free(ap);
}

/* Writes the buffered operations as a DATA record. */
static bk_rc flush_wal(bk_appender *ap, bk_error *err)
{
    uint64_t lsn;
    if (bk_wal_write(ap->t->db->wal, BK_WAL_DATA, ap->txn, ap->wal_buf.ptr, ap->wal_buf.len, &lsn,
                     err) != BK_OK) {
        return BK_ERR;
    }
    if (!ap->wrote_data) {
        bk_wal_txn_first_lsn(ap->t->db->wal, ap->txn, lsn);
    }
    ap->wrote_data = true;
    bk_buf_clear(&ap->wal_buf);
    return BK_OK;
}

static bk_rc pending_push(bk_table *t, bk_seg *s)
{
    if (t->n_pending == t->cap_pending) {
        uint32_t cap = t->cap_pending == 0 ? 8 : t->cap_pending * 2;
        bk_seg **p = bk_mem_realloc(t->pending, sizeof(bk_seg *) * cap);
        if (p == NULL) {
            return BK_ERR;
        }
        t->pending = p;
        t->cap_pending = cap;
    }
    t->pending[t->n_pending++] = s;
    return BK_OK;
}

/* Seals the full open segment into the pending list. */
static bk_rc seal_open(bk_table *t)
{
    bk_seg *sealed = bk_seg_seal(t, t->open, t->open->n_rows);
    if (sealed == NULL) {
        return BK_ERR;
    }
    if (pending_push(t, sealed) != BK_OK) {
        bk_seg_unref(sealed);
        return BK_ERR;
    }
    bk_seg_unref(t->open);
    t->open = NULL;
    return BK_OK;
}

/* Makes row `row` (= written_rows) writable in the open segment. */
static bk_rc ensure_row(bk_table *t, uint64_t row)
{
    if (t->open != NULL && row - t->open_base >= BK_SEG_ROWS) {
        if (seal_open(t) != BK_OK) {
            return BK_ERR;
        }
    }
    if (t->open == NULL) {
        t->open = bk_seg_new_open(t, BK_SEG_FIRST_CAP);
        if (t->open == NULL) {
            return BK_ERR;
        }
        t->open_base = row;
    }
    uint32_t off = (uint32_t)(row - t->open_base);
    if (off >= t->open->cap) {
        uint32_t cap = BK_MIN(t->open->cap * 2, BK_SEG_ROWS);
        bk_seg *grown = bk_seg_grow(t, t->open, off, cap);
        if (grown == NULL) {
            return BK_ERR;
        }
        bk_seg_unref(t->open);
        t->open = grown;
    }
    return BK_OK;
}

/*
 * Sets validity bit `off`. Readers may load the same word concurrently (it can hold visible
 * rows below the writer's position), so the update is an atomic read-modify-write.
 */
static void set_valid(uint64_t *validity, uint32_t off, bool valid)
{
    _Atomic uint64_t *w = (_Atomic uint64_t *)&validity[off >> 6];
    uint64_t bit = UINT64_C(1) << (off & 63);
    if (valid) {
        atomic_fetch_or_explicit(w, bit, memory_order_relaxed);
    } else {
        atomic_fetch_and_explicit(w, ~bit, memory_order_relaxed);
    }
}

static bk_rc store_value(bk_table *t,
                         uint32_t c,
                         bk_chunk *ch,
                         uint32_t off,
                         const bk_vec *v,
                         uint32_t i,
                         bk_error *err)
{
    const bk_column_def *def = &t->cols[c];
    if (bk_vec_is_null(v, i)) {
        if (def->not_null) {
            return bk_raise(err, NOT_NULL_VIOLATION,
                            "null value in column \"%s\" of relation \"%s\" violates not-null "
                            "constraint",
                            def->name, t->name);
        }
        set_valid(ch->validity, off, false);
        return BK_OK;
    }
    if (ch->validity != NULL) {
        set_valid(ch->validity, off, true);
    }
    switch (def->type.id) {
    case BK_TYPE_TEXT: {
        uint32_t code;
        if (bk_dict_intern(t->dicts[c], ((const bk_str *)v->data)[i], &code) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        ((uint32_t *)ch->data)[off] = code;
        return BK_OK;
    }
    case BK_TYPE_NUMERIC: {
        bk_i128 x = ((const bk_i128 *)v->data)[i];
        if (x > INT64_MAX || x < -INT64_MAX) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE,
                            "numeric value out of range for column \"%s\" (at most 18 "
                            "significant digits are stored)",
                            def->name);
        }
        ((int64_t *)ch->data)[off] = (int64_t)x;
        ch->dscale[off] = v->scale[i];
        return BK_OK;
    }
    default:
        memcpy((char *)ch->data + (size_t)off * ch->width,
               (const char *)v->data + (size_t)i * ch->width, ch->width);
        return BK_OK;
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
    uint64_t first_row = t->written_rows;
    for (uint32_t i = 0; i < batch->n_rows; i++) {
        uint64_t row = t->written_rows;
        if (ensure_row(t, row) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        uint32_t off = (uint32_t)(row - t->open_base);
        for (uint32_t c = 0; c < t->n_cols; c++) {
            if (store_value(t, c, &t->open->cols[c], off, &batch->cols[c], i, err) != BK_OK) {
                return BK_ERR;
            }
        }
        t->open->n_rows = off + 1;
        t->written_rows++;
    }
    if (ap->txn != 0 && batch->n_rows > 0) {
        if (bk_wal_encode_append(&ap->wal_buf, t, first_row, batch) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        if (ap->wal_buf.len >= bk_wal_flush_bytes && flush_wal(ap, err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

/* The table's next version: the committed sealed segments, the pending ones, the open one. */
static bk_tabver *next_tabver(bk_table *t, const bk_tabver *cur)
{
    uint32_t keep = cur->n_segs;
    if (keep > 0 && !cur->segs[keep - 1]->sealed) {
        keep--; /* the committed open segment is either t->open (maybe grown) or sealed now */
    }
    uint32_t n = keep + t->n_pending + (t->open != NULL ? 1 : 0);
    bk_tabver *v = tabver_alloc(n);
    if (v == NULL) {
        return NULL;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < keep; i++) {
        v->segs[k++] = bk_seg_ref(cur->segs[i]);
    }
    for (uint32_t i = 0; i < t->n_pending; i++) {
        v->segs[k++] = bk_seg_ref(t->pending[i]);
    }
    if (t->open != NULL) {
        v->segs[k++] = bk_seg_ref(t->open);
    }
    v->n_segs = k;
    v->rows = t->written_rows;
    return v;
}

/* Logs the transaction's commit and waits until it is durable. */
static bk_rc log_commit(bk_appender *ap, bk_error *err)
{
    bk_wal *wal = ap->t->db->wal;
    uint64_t lsn;
    if (!ap->wrote_data) {
        if (bk_wal_write(wal, BK_WAL_COMMIT_ONE, ap->txn, ap->wal_buf.ptr, ap->wal_buf.len, &lsn,
                         err) != BK_OK) {
            return BK_ERR;
        }
        bk_wal_txn_first_lsn(wal, ap->txn, lsn);
    } else {
        if (ap->wal_buf.len > 0 && flush_wal(ap, err) != BK_OK) {
            return BK_ERR;
        }
        if (bk_wal_write(wal, BK_WAL_COMMIT, ap->txn, NULL, 0, &lsn, err) != BK_OK) {
            return BK_ERR;
        }
    }
    bk_wal_sync(wal, lsn);
    BK_CRASHPOINT("commit.after_wal");
    bk_db_checkpoint_nudge(ap->t->db);
    return BK_OK;
}

bk_rc bk_appender_commit(bk_appender *ap, bk_error *err)
{
    bk_table *t = ap->t;
    bk_db *db = t->db;
    bk_tabver *committed = committed_tabver(t);
    uint64_t first_row = committed->rows;
    bk_tabver_unref(committed);
    uint64_t n_rows = t->written_rows - first_row;
    /* A full open segment is sealed now rather than when the next row arrives. */
    if (t->open != NULL && t->open->n_rows == BK_SEG_ROWS && seal_open(t) != BK_OK) {
        bk_appender_abort(ap);
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    if (ap->txn != 0 && n_rows > 0 && log_commit(ap, err) != BK_OK) {
        bk_appender_abort(ap);
        return BK_ERR;
    }
    bool logged = ap->txn != 0 && n_rows > 0;
    pthread_mutex_lock(&db->lock);
    bk_tabver *tv = next_tabver(t, db->cur->tabs[t->slot]);
    bk_dbver *v = tv != NULL ? dbver_copy(db->cur, db->cur->n_tables) : NULL;
    if (v == NULL) {
        pthread_mutex_unlock(&db->lock);
        bk_tabver_unref(tv);
        if (logged) {
            /* Durable already, so it must become visible; without memory it cannot. */
            bk_log(BK_LOG_FATAL, "PANIC: out of memory publishing a logged commit");
            abort();
        }
        bk_appender_abort(ap);
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    bk_tabver_unref(v->tabs[t->slot]);
    v->tabs[t->slot] = tv;
    bool hooks = db->n_hooks > 0 && n_rows > 0;
    if (hooks) {
        /* The hooks' snapshot: exactly this commit's version, whatever commits next. */
        atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    }
    bk_dbver *old = dbver_swap(db, v);
    pthread_mutex_unlock(&db->lock);
    bk_dbver_unref(old);
    BK_CRASHPOINT("commit.after_publish");
    writer_reset_pending(t);
    pthread_mutex_unlock(&t->writer);
    appender_free(ap);
    if (hooks) {
        bk_snap snap = {db, v};
        for (uint32_t i = 0; i < db->n_hooks; i++) {
            db->hooks[i].fn(db->hooks[i].ctx, &snap, t, first_row, n_rows);
        }
        bk_dbver_unref(v);
    }
    return BK_OK;
}

void bk_appender_abort(bk_appender *ap)
{
    bk_table *t = ap->t;
    writer_sync(t);
    pthread_mutex_unlock(&t->writer);
    appender_free(ap);
}

void bk_db_on_commit(bk_db *db, bk_commit_hook fn, void *ctx)
{
    BK_ASSERT(db->n_hooks < BK_ARRAY_LEN(db->hooks));
    db->hooks[db->n_hooks++] = (commit_hook){fn, ctx};
}

bk_tabver *bk_tabver_new(bk_seg **segs, uint32_t n_segs, uint64_t rows)
{
    bk_tabver *v = tabver_alloc(n_segs);
    if (v == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n_segs; i++) {
        v->segs[i] = bk_seg_ref(segs[i]);
    }
    v->n_segs = n_segs;
    v->rows = rows;
    return v;
}

void bk_table_install(bk_table *t, bk_tabver *v)
{
    bk_db *db = t->db;
    pthread_mutex_lock(&t->writer);
    pthread_mutex_lock(&db->lock);
    bk_dbver *nv = dbver_copy(db->cur, db->cur->n_tables);
    if (nv == NULL) {
        bk_log(BK_LOG_FATAL, "out of memory installing a recovered table");
        abort(); /* recovery only: the server cannot start without this memory */
    }
    bk_tabver_unref(nv->tabs[t->slot]);
    nv->tabs[t->slot] = v;
    bk_dbver *old = dbver_swap(db, nv);
    pthread_mutex_unlock(&db->lock);
    bk_dbver_unref(old);
    writer_sync(t);
    pthread_mutex_unlock(&t->writer);
}

/* ---- the APPEND operation ------------------------------------------------------------------ */

bk_rc bk_wal_encode_append(bk_buf *out, const bk_table *t, uint64_t first_row, const bk_batch *b)
{
    bk_wr w = {out, false};
    uint32_t n = b->n_rows;
    wr_u8(&w, BK_WAL_OP_APPEND);
    wr_u32(&w, t->id);
    wr_u64(&w, first_row);
    wr_u32(&w, n);
    /* The rows' byte length, patched below, lets replay skip rows a checkpoint holds. */
    size_t len_at = out->len;
    wr_u32(&w, 0);
    for (uint32_t c = 0; c < t->n_cols; c++) {
        const bk_vec *v = &b->cols[c];
        bool nulls = false;
        for (uint32_t i = 0; i < n && v->validity != NULL && !nulls; i++) {
            nulls = bk_vec_is_null(v, i);
        }
        wr_u8(&w, nulls ? 1 : 0);
        if (nulls) {
            for (uint32_t i = 0; i < n; i += 8) {
                uint8_t byte = 0;
                for (uint32_t k = 0; k < 8 && i + k < n; k++) {
                    byte |= (uint8_t)((bk_vec_is_null(v, i + k) ? 0u : 1u) << k);
                }
                wr_u8(&w, byte);
            }
        }
        switch (t->cols[c].type.id) {
        case BK_TYPE_TEXT:
            for (uint32_t i = 0; i < n; i++) {
                wr_str(&w, bk_vec_is_null(v, i) ? (bk_str){"", 0} : ((const bk_str *)v->data)[i]);
            }
            break;
        case BK_TYPE_NUMERIC:
            for (uint32_t i = 0; i < n; i++) {
                wr_u64(&w, (uint64_t)(int64_t)((const bk_i128 *)v->data)[i]);
            }
            wr_bytes(&w, v->scale, n);
            break;
        default:
            /* Fixed-width values as held in memory (Basket runs on little-endian hosts). */
            wr_bytes(&w, v->data, (size_t)n * bk_type_width(t->cols[c].type.id));
            break;
        }
    }
    if (w.failed || out->len - len_at - 4 > UINT32_MAX) {
        return BK_ERR;
    }
    uint32_t len = (uint32_t)(out->len - len_at - 4);
    for (int i = 0; i < 4; i++) {
        out->ptr[len_at + (size_t)i] = (char)(uint8_t)(len >> (8 * i));
    }
    return BK_OK;
}

/* ---- snapshots ---------------------------------------------------------------------------- */

bk_snap *bk_snap_take(bk_db *db, bk_error *err)
{
    bk_snap *s = bk_mem_alloc(sizeof *s);
    if (s == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&db->lock);
    s->ver = db->cur;
    atomic_fetch_add_explicit(&s->ver->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&db->lock);
    s->db = db;
    return s;
}

void bk_snap_release(bk_snap *s)
{
    if (s == NULL) {
        return;
    }
    bk_dbver_unref(s->ver);
    bk_mem_free(s);
}

uint32_t bk_snap_table_count(const bk_snap *s)
{
    return s->ver->n_tables;
}

uint64_t bk_snap_rows(const bk_snap *s, const bk_table *t)
{
    const bk_tabver *v = bk_snap_tabver(s, t);
    return v != NULL ? v->rows : 0;
}

void bk_table_column_stats(const bk_snap *s, const bk_table *t, uint32_t col, bk_column_stats *out)
{
    const bk_tabver *v = bk_snap_tabver(s, t);
    uint64_t bytes = 0;
    bool all_scaled = true, any = false;
    for (uint32_t i = 0; v != NULL && i < v->n_segs; i++) {
        bytes += bk_seg_column_bytes(v->segs[i], col);
        if (v->segs[i]->sealed) {
            any = true;
            all_scaled = all_scaled && v->segs[i]->cols[col].enc == ENC_NUM_SCALED;
        }
    }
    out->rows = v != NULL ? v->rows : 0;
    out->distinct_values = 0;
    out->encoding = "plain";
    if (t->cols[col].type.id == BK_TYPE_NUMERIC) {
        out->encoding = any && all_scaled ? "scaled int64" : "int64 + scale";
    }
    if (t->dicts[col] != NULL) {
        out->distinct_values = bk_dict_count(t->dicts[col]);
        bytes += bk_dict_bytes(t->dicts[col]);
        out->encoding = "dictionary";
    }
    out->bytes = bytes;
}
