/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a durable database: recovery. The checkpoint named by MANIFEST is loaded, then
 * every retained log record replayed: operations of committed transactions only, each
 * APPEND applied only if the table does not already hold its rows (it carries its first row
 * number), so a record that the checkpoint already contains is skipped and replay is
 * idempotent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ckpt_int.h"
#include "io_int.h"
#include "wal_int.h"

/* ---- recovery: the checkpoint ------------------------------------------------------------ */

static bk_rc corrupt(bk_error *err, const char *path, const char *what)
{
    bk_raise(err, DATA_CORRUPTED, "checkpoint file \"%s\" is corrupt: %s", path, what);
    bk_error_hint(err, "Restore the data directory from a backup, or move it aside to start "
                       "empty.");
    return BK_ERR;
}

static bk_rc read_whole(const char *path, uint8_t **out, size_t *n, bk_error *err)
{
    int fd = bk_io_open(path, O_RDONLY, err);
    if (fd < 0) {
        return BK_ERR;
    }
    uint64_t size;
    bk_rc rc = bk_io_file_size(fd, &size, path, err);
    uint8_t *buf = rc == BK_OK ? bk_mem_alloc(size + 1) : NULL;
    if (rc == BK_OK && buf == NULL) {
        rc = bk_raise(err, OUT_OF_MEMORY, "out of memory reading \"%s\"", path);
    }
    size_t got = 0;
    if (rc == BK_OK) {
        rc = bk_io_pread(fd, buf, size, 0, &got, path, err);
    }
    close(fd);
    if (rc != BK_OK) {
        bk_mem_free(buf);
        return BK_ERR;
    }
    *out = buf;
    *n = got;
    return BK_OK;
}

/* Verifies the trailing checksum; the reader then covers the body. */
static bool checksummed(const uint8_t *buf, size_t n, bk_rd *r)
{
    if (n < 8) {
        return false;
    }
    bk_rd tail = {buf + n - 8, 8, false};
    if (rd_u64(&tail) != bk_hash64(buf, n - 8)) {
        return false;
    }
    *r = (bk_rd){buf, n - 8, false};
    return true;
}

/* Fills column c of the segments of t from its checkpoint file. */
static bk_rc load_column(bk_table *t,
                         uint32_t c,
                         const char *path,
                         bk_seg **segs,
                         uint32_t n_segs,
                         uint64_t rows,
                         bk_error *err)
{
    uint8_t *buf;
    size_t n;
    if (read_whole(path, &buf, &n, err) != BK_OK) {
        return BK_ERR;
    }
    bk_rd r;
    bk_rc rc = BK_OK;
    if (!checksummed(buf, n, &r)) {
        rc = corrupt(err, path, "checksum mismatch");
        goto done;
    }
    const bk_column_def *def = &t->cols[c];
    if (rd_u32(&r) != BK_COLUMN_MAGIC || rd_u32(&r) != BK_FORMAT_VERSION || rd_u32(&r) != t->id ||
        rd_u32(&r) != c || rd_u8(&r) != (uint8_t)def->type.id || rd_u64(&r) != rows ||
        rd_u32(&r) != n_segs) {
        rc = corrupt(err, path, "header does not match tables.meta");
        goto done;
    }
    bool bad = false;
    if (def->type.id == BK_TYPE_TEXT) {
        uint32_t n_entries = rd_u32(&r);
        /* The block holds n_entries length-prefixed strings. */
        size_t raw = 0;
        char *entries = bk_get_block_len(&r, &raw, &bad);
        if (bad) {
            rc = corrupt(err, path, "dictionary block");
            goto done;
        }
        bk_rd er = {(const uint8_t *)entries, raw, false};
        for (uint32_t i = 0; i < n_entries && rc == BK_OK; i++) {
            bk_str s = rd_str(&er);
            uint32_t code;
            if (er.bad) {
                rc = corrupt(err, path, "dictionary entry");
            } else if (bk_dict_intern(t->dicts[c], s, &code) != BK_OK) {
                rc = bk_raise(err, OUT_OF_MEMORY, "out of memory");
            } else if (code != i) {
                rc = corrupt(err, path, "duplicate dictionary entry");
            }
        }
        bk_mem_free(entries);
        if (rc != BK_OK) {
            goto done;
        }
    }
    for (uint32_t i = 0; i < n_segs && rc == BK_OK; i++) {
        bk_seg *s = segs[i];
        bk_chunk *ch = &s->cols[c];
        uint32_t seg_rows = rd_u32(&r);
        bool sealed = rd_u8(&r) != 0;
        uint8_t enc = rd_u8(&r), width = rd_u8(&r), code_width = rd_u8(&r), scale = rd_u8(&r);
        uint8_t flags = rd_u8(&r);
        ch->zone.null_count = rd_u32(&r);
        ch->zone.has_values = rd_u8(&r) != 0;
        ch->zone.has_range = rd_u8(&r) != 0;
        ch->zone.has_nan = rd_u8(&r) != 0;
        ch->zone.min.i = (int64_t)rd_u64(&r);
        ch->zone.max.i = (int64_t)rd_u64(&r);
        if (r.bad || seg_rows != s->n_rows || sealed != s->sealed || enc > ENC_NUM_SCALED ||
            width == 0 || width > 16 || (enc == ENC_CODES && code_width != width)) {
            rc = corrupt(err, path, "segment header");
            break;
        }
        ch->enc = (chunk_enc)enc;
        ch->width = width;
        ch->code_width = code_width;
        ch->scale = scale;
        /* Open segments keep room to grow; sealed ones hold exactly their rows. */
        uint32_t cap = s->sealed ? seg_rows : s->cap;
        ch->data = bk_get_block(&r, (size_t)seg_rows * width, &bad);
        if (!bad && cap > seg_rows) {
            void *grown = bk_mem_realloc(ch->data, (size_t)cap * width);
            if (grown == NULL) {
                bad = true;
            } else {
                memset((char *)grown + (size_t)seg_rows * width, 0,
                       (size_t)(cap - seg_rows) * width);
                ch->data = grown;
            }
        }
        if (!bad && (flags & 1) != 0) {
            size_t have = bk_validity_words(seg_rows) * sizeof(uint64_t);
            uint64_t *v = bk_get_block(&r, have, &bad);
            if (!bad) {
                size_t need = bk_validity_words(cap) * sizeof(uint64_t);
                ch->validity = bk_mem_calloc(need + 8, 1);
                if (ch->validity == NULL) {
                    bad = true;
                } else {
                    memcpy(ch->validity, v, have);
                }
            }
            bk_mem_free(v);
        } else if (!bad && !s->sealed && !def->not_null) {
            ch->validity = bk_mem_calloc(bk_validity_words(cap) + 1, sizeof(uint64_t));
            bad = ch->validity == NULL;
        }
        if (!bad && (flags & 2) != 0) {
            uint8_t *d = bk_get_block(&r, seg_rows, &bad);
            if (!bad) {
                ch->dscale = bk_mem_calloc((size_t)cap + 8, 1);
                if (ch->dscale == NULL) {
                    bad = true;
                } else {
                    memcpy(ch->dscale, d, seg_rows);
                }
            }
            bk_mem_free(d);
        }
        if (bad) {
            rc = corrupt(err, path, "column block");
        } else if (def->type.id == BK_TYPE_TEXT) {
            /* Codes must name dictionary entries; zone strings point into the dictionary. */
            uint32_t n_codes = bk_dict_count(t->dicts[c]);
            for (uint32_t k = 0; k < seg_rows && rc == BK_OK; k++) {
                uint32_t code = width == 1   ? ((const uint8_t *)ch->data)[k]
                                : width == 2 ? ((const uint16_t *)ch->data)[k]
                                             : ((const uint32_t *)ch->data)[k];
                if (code >= n_codes && n_codes > 0) {
                    rc = corrupt(err, path, "dictionary code out of range");
                }
            }
            if (rc == BK_OK && s->sealed && bk_seg_text_zone(t, s, c) != BK_OK) {
                rc = bk_raise(err, OUT_OF_MEMORY, "out of memory");
            }
        }
    }
done:
    bk_mem_free(buf);
    return rc;
}

static bk_rc load_table(bk_db *db, const char *dir, bk_rd *meta, bk_error *err)
{
    uint32_t id = rd_u32(meta);
    bk_str name = rd_str(meta);
    uint64_t rows = rd_u64(meta);
    uint32_t n_cols = rd_u32(meta);
    if (meta->bad || n_cols > 1600) {
        return corrupt(err, "tables.meta", "table entry");
    }
    bk_arena *a = bk_arena_create(NULL, "table entry", 0);
    bk_column_def *defs = a != NULL ? bk_arena_zalloc(a, (n_cols + 1) * sizeof *defs) : NULL;
    char *tname = a != NULL ? bk_arena_strndup(a, name.ptr, name.len) : NULL;
    bk_rc rc =
        defs != NULL && tname != NULL ? BK_OK : bk_raise(err, OUT_OF_MEMORY, "out of memory");
    for (uint32_t c = 0; c < n_cols && rc == BK_OK; c++) {
        if (!bk_rd_column_def(meta, a, &defs[c])) {
            rc = corrupt(err, "tables.meta", "column entry");
        }
    }
    bk_table *t = rc == BK_OK ? bk_db_create_table_id(db, tname, defs, n_cols, id, err) : NULL;
    bk_arena_destroy(a);
    if (t == NULL) {
        return BK_ERR;
    }
    if (rows == 0) {
        return BK_OK;
    }
    /* Segment shapes: full sealed segments, then an open one with the rest. */
    uint32_t n_segs = (uint32_t)((rows + BK_SEG_ROWS - 1) / BK_SEG_ROWS);
    bk_seg **segs = bk_mem_calloc(n_segs, sizeof(bk_seg *));
    if (segs == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    for (uint32_t i = 0; i < n_segs && rc == BK_OK; i++) {
        uint32_t seg_rows =
            (uint32_t)BK_MIN((uint64_t)BK_SEG_ROWS, rows - (uint64_t)i * BK_SEG_ROWS);
        segs[i] = bk_mem_calloc(1, sizeof(bk_seg) + sizeof(bk_chunk) * t->n_cols);
        if (segs[i] == NULL) {
            rc = bk_raise(err, OUT_OF_MEMORY, "out of memory");
            break;
        }
        atomic_init(&segs[i]->refs, 1);
        segs[i]->n_cols = t->n_cols;
        segs[i]->n_rows = seg_rows;
        segs[i]->sealed = seg_rows == BK_SEG_ROWS;
        uint32_t cap = BK_SEG_FIRST_CAP;
        while (cap < seg_rows) {
            cap *= 2;
        }
        segs[i]->cap = segs[i]->sealed ? seg_rows : cap;
    }
    for (uint32_t c = 0; c < t->n_cols && rc == BK_OK; c++) {
        char fname[64], path[BK_PATH_BYTES];
        snprintf(fname, sizeof fname, "t%u.c%u.col", t->id, c);
        bk_path_join(path, sizeof path, dir, fname);
        rc = load_column(t, c, path, segs, n_segs, rows, err);
    }
    if (rc == BK_OK) {
        bk_tabver *v = bk_tabver_new(segs, n_segs, rows);
        if (v == NULL) {
            rc = bk_raise(err, OUT_OF_MEMORY, "out of memory");
        } else {
            bk_table_install(t, v);
        }
    }
    for (uint32_t i = 0; i < n_segs; i++) {
        bk_seg_unref(segs[i]);
    }
    bk_mem_free(segs);
    return rc;
}

typedef struct manifest {
    uint64_t seq;
    uint64_t keep_from;
    uint64_t next_txn;
} manifest;

/* Reads MANIFEST; false (no error) when there is none. */
static bk_rc read_manifest(bk_db *db, manifest *m, bool *found, bk_error *err)
{
    char path[BK_PATH_BYTES];
    bk_path_join(path, sizeof path, db->dir, "MANIFEST");
    *found = access(path, F_OK) == 0;
    if (!*found) {
        return BK_OK;
    }
    uint8_t *buf;
    size_t n;
    if (read_whole(path, &buf, &n, err) != BK_OK) {
        return BK_ERR;
    }
    bk_rd r;
    bk_rc rc = BK_OK;
    if (n >= 8) {
        bk_rd hdr = {buf, n, false};
        uint32_t magic = rd_u32(&hdr), version = rd_u32(&hdr);
        if (magic == BK_MANIFEST_MAGIC && version > BK_FORMAT_VERSION) {
            bk_raise(err, DATA_CORRUPTED,
                     "data directory \"%s\" has format version %u, newer than this basketd "
                     "supports (%u)",
                     db->dir, version, BK_FORMAT_VERSION);
            bk_error_hint(err, "Run a newer basketd on this directory.");
            bk_mem_free(buf);
            return BK_ERR;
        }
    }
    if (!checksummed(buf, n, &r) || rd_u32(&r) != BK_MANIFEST_MAGIC ||
        rd_u32(&r) != BK_FORMAT_VERSION) {
        rc = corrupt(err, path, "not a valid manifest");
    } else {
        m->seq = rd_u64(&r);
        m->keep_from = rd_u64(&r);
        m->next_txn = rd_u64(&r);
        if (r.bad) {
            rc = corrupt(err, path, "truncated");
        }
    }
    bk_mem_free(buf);
    return rc;
}

static bk_rc load_checkpoint(bk_db *db, uint64_t seq, bk_error *err)
{
    char name[64], dir[BK_PATH_BYTES], path[BK_PATH_BYTES];
    snprintf(name, sizeof name, "ckpt-%016" PRIx64, seq);
    bk_path_join(dir, sizeof dir, db->dir, name);
    bk_path_join(path, sizeof path, dir, "tables.meta");
    uint8_t *buf;
    size_t n;
    if (read_whole(path, &buf, &n, err) != BK_OK) {
        return BK_ERR;
    }
    bk_rd r;
    bk_rc rc = BK_OK;
    if (!checksummed(buf, n, &r) || rd_u32(&r) != BK_META_MAGIC ||
        rd_u32(&r) != BK_FORMAT_VERSION) {
        rc = corrupt(err, path, "not a valid table list");
    } else {
        uint32_t n_tables = rd_u32(&r);
        for (uint32_t i = 0; i < n_tables && rc == BK_OK; i++) {
            rc = load_table(db, dir, &r, err);
        }
    }
    bk_mem_free(buf);
    return rc;
}

/* ---- recovery: the log --------------------------------------------------------------------- */

typedef struct replay_ctx {
    bk_db *db;
    uint64_t *committed; /* sorted txn ids with a COMMIT record */
    uint32_t n_committed;
    uint32_t cap_committed;
    uint64_t applied_ops;
    uint64_t skipped_ops;
    bk_arena *arena;
} replay_ctx;

static bk_rc
collect_commits(void *arg, uint64_t lsn, uint32_t kind, uint64_t txn, bk_rd *payload, bk_error *err)
{
    (void)lsn;
    (void)payload;
    replay_ctx *rc = arg;
    if (kind != BK_WAL_COMMIT) {
        return BK_OK;
    }
    if (rc->n_committed == rc->cap_committed) {
        uint32_t cap = rc->cap_committed == 0 ? 64 : rc->cap_committed * 2;
        uint64_t *n = bk_mem_realloc(rc->committed, sizeof(uint64_t) * cap);
        if (n == NULL) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        rc->committed = n;
        rc->cap_committed = cap;
    }
    rc->committed[rc->n_committed++] = txn;
    return BK_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bk_table *table_by_id(bk_db *db, uint32_t id)
{
    uint32_t n = bk_db_table_count(db);
    for (uint32_t i = 0; i < n; i++) {
        bk_table *t = bk_db_table_at(db, i);
        if (t->id == id) {
            return t;
        }
    }
    return NULL;
}

static bk_rc replay_create(replay_ctx *rc, bk_rd *r, bk_error *err)
{
    uint32_t id = rd_u32(r);
    bk_str name = rd_str(r);
    uint32_t n_cols = rd_u32(r);
    if (r->bad || n_cols > 1600) {
        return bk_raise(err, DATA_CORRUPTED, "corrupt CREATE TABLE record in the log");
    }
    bk_column_def *defs = bk_arena_zalloc(rc->arena, sizeof *defs * (n_cols + 1));
    char *tname = bk_arena_strndup(rc->arena, name.ptr, name.len);
    if (defs == NULL || tname == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    for (uint32_t c = 0; c < n_cols; c++) {
        if (!bk_rd_column_def(r, rc->arena, &defs[c])) {
            return bk_raise(err, DATA_CORRUPTED, "corrupt CREATE TABLE record in the log");
        }
    }
    if (table_by_id(rc->db, id) != NULL) {
        rc->skipped_ops++; /* already in the checkpoint */
        return BK_OK;
    }
    rc->applied_ops++;
    return bk_db_create_table_id(rc->db, tname, defs, n_cols, id, err) != NULL ? BK_OK : BK_ERR;
}

/* Decodes an APPEND operation's rows into a batch in rc->arena. */
static bk_rc
decode_rows(replay_ctx *rc, const bk_table *t, uint32_t n, bk_rd *r, bk_batch **out, bk_error *err)
{
    bk_batch *b = bk_batch_alloc(t->n_cols, rc->arena);
    if (b == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    b->n_rows = n;
    for (uint32_t c = 0; c < t->n_cols; c++) {
        bk_vec *v = &b->cols[c];
        bk_type type = t->cols[c].type;
        if (bk_vec_alloc(v, type, n, true, rc->arena) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        if (rd_u8(r) != 0) {
            for (uint32_t i = 0; i < n; i += 8) {
                uint8_t byte = rd_u8(r);
                for (uint32_t k = 0; k < 8 && i + k < n; k++) {
                    bk_validity_set(v->validity, i + k, (byte >> k & 1) != 0);
                }
            }
        }
        switch (type.id) {
        case BK_TYPE_TEXT:
            for (uint32_t i = 0; i < n; i++) {
                ((bk_str *)v->data)[i] = rd_str(r);
            }
            break;
        case BK_TYPE_NUMERIC: {
            for (uint32_t i = 0; i < n; i++) {
                ((bk_i128 *)v->data)[i] = (int64_t)rd_u64(r);
            }
            const uint8_t *sc = rd_bytes(r, n);
            if (sc != NULL) {
                memcpy(v->scale, sc, n);
            }
            break;
        }
        default: {
            size_t bytes = (size_t)n * bk_type_width(type.id);
            const uint8_t *p = rd_bytes(r, bytes);
            if (p != NULL) {
                memcpy(v->data, p, bytes);
            }
            break;
        }
        }
        if (r->bad) {
            return bk_raise(err, DATA_CORRUPTED, "corrupt APPEND record in the log");
        }
    }
    *out = b;
    return BK_OK;
}

static bk_rc replay_append(replay_ctx *rc, bk_rd *r, bk_error *err)
{
    uint32_t id = rd_u32(r);
    uint64_t first_row = rd_u64(r);
    uint32_t n = rd_u32(r);
    uint32_t len = rd_u32(r);
    bk_table *t = table_by_id(rc->db, id);
    if (r->bad || len > r->left) {
        return bk_raise(err, DATA_CORRUPTED, "corrupt APPEND record in the log");
    }
    if (t == NULL) {
        return bk_raise(err, DATA_CORRUPTED, "log APPEND record for unknown table %u", id);
    }
    bk_rd rows = {r->p, len, false};
    (void)rd_bytes(r, len);
    bk_appender *ap = bk_appender_begin(t, err);
    if (ap == NULL) {
        return BK_ERR;
    }
    uint64_t have = t->written_rows;
    if (first_row + n <= have) {
        bk_appender_abort(ap); /* the checkpoint holds these rows already */
        rc->skipped_ops++;
        return BK_OK;
    }
    if (first_row != have) {
        bk_appender_abort(ap);
        return bk_raise(err, DATA_CORRUPTED,
                        "log APPEND to \"%s\" starts at row %" PRIu64 " but the table has %" PRIu64
                        " rows",
                        t->name, first_row, have);
    }
    bk_batch *b;
    bk_rc st = decode_rows(rc, t, n, &rows, &b, err);
    if (st == BK_OK && rows.left != 0) {
        st = bk_raise(err, DATA_CORRUPTED, "corrupt APPEND record in the log");
    }
    if (st == BK_OK) {
        st = bk_appender_append(ap, b, err);
    }
    if (st != BK_OK) {
        bk_appender_abort(ap);
        return BK_ERR;
    }
    rc->applied_ops++;
    return bk_appender_commit(ap, err);
}

static bk_rc
apply_record(void *arg, uint64_t lsn, uint32_t kind, uint64_t txn, bk_rd *payload, bk_error *err)
{
    (void)lsn;
    replay_ctx *rc = arg;
    if (kind == BK_WAL_COMMIT) {
        return BK_OK;
    }
    if (kind == BK_WAL_DATA &&
        (rc->n_committed == 0 ||
         bsearch(&txn, rc->committed, rc->n_committed, sizeof(uint64_t), cmp_u64) == NULL)) {
        return BK_OK; /* its transaction never committed */
    }
    if (kind != BK_WAL_DATA && kind != BK_WAL_COMMIT_ONE) {
        return bk_raise(err, DATA_CORRUPTED, "unknown log record kind %u", kind);
    }
    while (payload->left > 0) {
        bk_arena_reset(rc->arena);
        uint8_t op = rd_u8(payload);
        bk_rc st = op == BK_WAL_OP_CREATE_TABLE ? replay_create(rc, payload, err)
                   : op == BK_WAL_OP_APPEND
                       ? replay_append(rc, payload, err)
                       : bk_raise(err, DATA_CORRUPTED, "unknown log operation %u", op);
        if (st != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

bk_db *bk_db_open(const char *dir, bk_error *err)
{
    bk_io_init();
    uint64_t t0 = bk_clock_mono_ns();
    bk_db *db = bk_db_create();
    if (db == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    size_t dl = strlen(dir);
    db->dir = bk_mem_alloc(dl + 1);
    char waldir[BK_PATH_BYTES];
    bk_path_join(waldir, sizeof waldir, dir, "wal");
    if (db->dir == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        goto fail;
    }
    memcpy(db->dir, dir, dl + 1);
    if (bk_io_mkdir(dir, err) != BK_OK || bk_io_mkdir(waldir, err) != BK_OK) {
        goto fail;
    }
    /* The directories' own entries must be durable before any commit in them counts. */
    char parent[BK_PATH_BYTES];
    bk_path_join(parent, sizeof parent, dir, "..");
    bk_io_fsync_dir(parent);
    bk_io_fsync_dir(dir);
    manifest m = {0, 1, 1};
    bool have_manifest;
    db->replaying = true;
    if (read_manifest(db, &m, &have_manifest, err) != BK_OK) {
        goto fail;
    }
    if (have_manifest) {
        if (load_checkpoint(db, m.seq, err) != BK_OK) {
            goto fail;
        }
        db->ckpt_seq = m.seq;
        atomic_store(&db->next_txn, m.next_txn);
    }
    replay_ctx rc = {.db = db};
    rc.arena = bk_arena_create(NULL, "replay", 0);
    bk_wal_scan_result res;
    if (rc.arena == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        goto fail;
    }
    /* Pass 1 finds the committed transactions and cuts a torn tail; pass 2 applies. */
    bk_rc st = bk_wal_scan(waldir, true, collect_commits, &rc, &res, err);
    if (st == BK_OK) {
        if (rc.n_committed > 0) {
            qsort(rc.committed, rc.n_committed, sizeof(uint64_t), cmp_u64);
        }
        st = bk_wal_scan(waldir, false, apply_record, &rc, &res, err);
    }
    bk_arena_destroy(rc.arena);
    bk_mem_free(rc.committed);
    db->replaying = false;
    if (st != BK_OK) {
        goto fail;
    }
    if (res.max_txn + 1 > atomic_load(&db->next_txn)) {
        atomic_store(&db->next_txn, res.max_txn + 1);
    }
    uint64_t next_lsn = res.next_lsn > m.keep_from ? res.next_lsn : m.keep_from;
    db->wal = bk_wal_open(waldir, next_lsn, err);
    if (db->wal == NULL) {
        goto fail;
    }
    bk_log(BK_LOG_INFO,
           "recovered \"%s\": checkpoint %" PRIu64 ", %" PRIu64 " log records (%" PRIu64
           " operations applied, %" PRIu64 " already in the checkpoint)%s in %.2f s",
           dir, have_manifest ? m.seq : 0, res.records, rc.applied_ops, rc.skipped_ops,
           res.discarded_bytes > 0 ? ", torn log tail discarded" : "",
           (double)(bk_clock_mono_ns() - t0) / 1e9);
    return db;
fail:
    bk_db_destroy(db);
    return NULL;
}
