/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoints: every table's columns written from one snapshot while commits go on, then
 * published atomically; and the checkpointer thread that takes them as the log grows. The log
 * a checkpoint keeps starts at the oldest record of any transaction open when its snapshot
 * was taken (db_recover.c explains why replay over that overlap is safe).
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

#define DEFAULT_CKPT_WAL (UINT64_C(256) << 20)

/* ---- checkpoint: encoding ---------------------------------------------------------------- */

/* The validity words of the first `rows` rows, read atomically (the writer may share one). */
static uint64_t *copy_validity(const bk_chunk *ch, uint32_t rows)
{
    size_t words = bk_validity_words(rows);
    uint64_t *v = bk_mem_alloc(words * sizeof(uint64_t) + 8);
    if (v == NULL) {
        return NULL;
    }
    for (size_t w = 0; w < words; w++) {
        v[w] = atomic_load_explicit((_Atomic uint64_t *)&ch->validity[w], memory_order_relaxed);
    }
    if ((rows & 63) != 0) {
        v[words - 1] &= (UINT64_C(1) << (rows & 63)) - 1;
    }
    return v;
}

static bk_rc
encode_column(bk_buf *out, const bk_table *t, const bk_tabver *v, uint32_t c, bk_error *err)
{
    bk_wr w = {out, false};
    const bk_column_def *def = &t->cols[c];
    wr_u32(&w, BK_COLUMN_MAGIC);
    wr_u32(&w, BK_FORMAT_VERSION);
    wr_u32(&w, t->id);
    wr_u32(&w, c);
    wr_u8(&w, (uint8_t)def->type.id);
    wr_u64(&w, v->rows);
    wr_u32(&w, v->n_segs);
    if (def->type.id == BK_TYPE_TEXT) {
        const bk_dict *d = t->dicts[c];
        uint32_t n = bk_dict_count(d);
        bk_buf entries = {0};
        bk_wr ew = {&entries, false};
        for (uint32_t i = 0; i < n; i++) {
            wr_str(&ew, bk_dict_get(d, i));
        }
        wr_u32(&w, n);
        bk_rc rc = ew.failed ? bk_raise(err, OUT_OF_MEMORY, "out of memory")
                             : bk_put_block(&w, entries.ptr, entries.len, err);
        bk_buf_free(&entries);
        if (rc != BK_OK) {
            return BK_ERR;
        }
    }
    uint64_t base = 0;
    for (uint32_t i = 0; i < v->n_segs; i++) {
        const bk_seg *s = v->segs[i];
        const bk_chunk *ch = &s->cols[c];
        uint32_t rows = s->sealed ? s->n_rows : (uint32_t)(v->rows - base);
        base += rows;
        wr_u32(&w, rows);
        wr_u8(&w, s->sealed ? 1 : 0);
        wr_u8(&w, (uint8_t)ch->enc);
        wr_u8(&w, ch->width);
        wr_u8(&w, ch->code_width);
        wr_u8(&w, ch->scale);
        wr_u8(&w, (uint8_t)((ch->validity != NULL ? 1 : 0) | (ch->dscale != NULL ? 2 : 0)));
        wr_u32(&w, ch->zone.null_count);
        wr_u8(&w, ch->zone.has_values);
        wr_u8(&w, ch->zone.has_range);
        wr_u8(&w, ch->zone.has_nan);
        wr_u64(&w, (uint64_t)ch->zone.min.i);
        wr_u64(&w, (uint64_t)ch->zone.max.i);
        if (bk_put_block(&w, ch->data, (size_t)rows * ch->width, err) != BK_OK) {
            return BK_ERR;
        }
        if (ch->validity != NULL) {
            uint64_t *valid = copy_validity(ch, rows);
            if (valid == NULL) {
                return bk_raise(err, OUT_OF_MEMORY, "out of memory");
            }
            bk_rc rc = bk_put_block(&w, valid, bk_validity_words(rows) * sizeof(uint64_t), err);
            bk_mem_free(valid);
            if (rc != BK_OK) {
                return BK_ERR;
            }
        }
        if (ch->dscale != NULL && bk_put_block(&w, ch->dscale, rows, err) != BK_OK) {
            return BK_ERR;
        }
    }
    if (w.failed) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    wr_u64(&w, bk_hash64(out->ptr, out->len));
    return w.failed ? bk_raise(err, OUT_OF_MEMORY, "out of memory") : BK_OK;
}

static bk_rc encode_meta(bk_buf *out, const bk_snap *snap, bk_error *err)
{
    bk_wr w = {out, false};
    bk_db *db = snap->db;
    uint32_t n = snap->ver->n_tables;
    wr_u32(&w, BK_META_MAGIC);
    wr_u32(&w, BK_FORMAT_VERSION);
    wr_u32(&w, n);
    for (uint32_t i = 0; i < n; i++) {
        const bk_table *t = bk_db_table_at(db, i);
        wr_u32(&w, t->id);
        wr_str(&w, bk_str_from_cstr(t->name));
        wr_u64(&w, bk_snap_rows(snap, t));
        wr_u32(&w, t->n_cols);
        for (uint32_t c = 0; c < t->n_cols; c++) {
            bk_wr_column_def(&w, &t->cols[c]);
        }
    }
    if (w.failed) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    wr_u64(&w, bk_hash64(out->ptr, out->len));
    return w.failed ? bk_raise(err, OUT_OF_MEMORY, "out of memory") : BK_OK;
}

/* ---- checkpoint: writing files through io_uring ------------------------------------------ */

typedef struct ckpt_file {
    char path[BK_PATH_BYTES];
    bk_buf data;
    int fd;
} ckpt_file;

/*
 * Writes every file and fsyncs it, all submitted to one ring: the kernel overlaps the
 * writes of all columns. A write error is reported (53100 / 58030); a failed fsync aborts.
 */
static bk_rc write_files(ckpt_file *files, uint32_t n, bk_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        files[i].fd = bk_io_open(files[i].path, O_WRONLY | O_CREAT | O_TRUNC, err);
        if (files[i].fd < 0) {
            return BK_ERR;
        }
    }
    bk_ring *ring = bk_ring_create(64, err);
    if (ring == NULL) {
        return BK_ERR;
    }
    bk_rc rc = BK_OK;
    /* Files larger than 1 GiB are written in several operations (io_uring lengths are 32-bit). */
    const size_t piece = (size_t)1 << 30;
    uint32_t in_flight = 0;
    for (uint32_t i = 0; i < n; i++) {
        for (size_t off = 0; off < files[i].data.len; off += piece) {
            size_t len = BK_MIN(piece, files[i].data.len - off);
            bk_ring_write(ring, files[i].fd, files[i].data.ptr + off, len, off,
                          ((uint64_t)i << 32) | (off / piece));
            in_flight++;
        }
    }
    bk_cqe cqes[64];
    while (in_flight > 0) {
        int got = bk_ring_wait(ring, cqes, BK_ARRAY_LEN(cqes), UINT64_MAX);
        if (got < 0) {
            rc = bk_raise(err, IO_ERROR, "io_uring wait failed: %s", strerror(-got));
            break;
        }
        for (int k = 0; k < got; k++) {
            uint32_t i = (uint32_t)(cqes[k].user_data >> 32);
            size_t off = (size_t)(cqes[k].user_data & 0xFFFFFFFFu) * piece;
            size_t want = BK_MIN(piece, files[i].data.len - off);
            int res = bk_io_ring_result(BK_IO_WRITE, cqes[k].res);
            in_flight--;
            if (res < 0 && rc == BK_OK) {
                rc = res == -ENOSPC
                         ? bk_raise(err, DISK_FULL, "could not write checkpoint file \"%s\": %s",
                                    files[i].path, strerror(-res))
                         : bk_raise(err, IO_ERROR, "could not write checkpoint file \"%s\": %s",
                                    files[i].path, strerror(-res));
            } else if (res >= 0 && (size_t)res < want && rc == BK_OK) {
                rc =
                    bk_raise(err, IO_ERROR, "short write to checkpoint file \"%s\"", files[i].path);
            }
        }
    }
    if (rc == BK_OK) {
        for (uint32_t i = 0; i < n; i++) {
            bk_ring_fsync(ring, files[i].fd, true, i);
        }
        uint32_t left = n;
        while (left > 0) {
            int got = bk_ring_wait(ring, cqes, BK_ARRAY_LEN(cqes), UINT64_MAX);
            if (got < 0) {
                bk_log(BK_LOG_FATAL, "PANIC: io_uring wait failed during checkpoint fsync");
                abort();
            }
            for (int k = 0; k < got; k++) {
                int res = bk_io_ring_result(BK_IO_FSYNC, cqes[k].res);
                if (res >= 0) {
                    bk_io_sim_file_synced(files[cqes[k].user_data].fd);
                }
                if (res < 0) {
                    /* Never retried: the kernel may have dropped the pages already. */
                    bk_log(BK_LOG_FATAL, "PANIC: could not fsync checkpoint file \"%s\": %s",
                           files[cqes[k].user_data].path, strerror(-res));
                    abort();
                }
                left--;
            }
        }
    }
    bk_ring_destroy(ring);
    return rc;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    bk_error ignore;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[BK_PATH_BYTES];
        bk_path_join(path, sizeof path, dir, e->d_name);
        bk_error_clear(&ignore);
        if (bk_io_unlink(path, &ignore) != BK_OK) {
            bk_log(BK_LOG_WARNING, "%s", ignore.message);
        }
    }
    closedir(d);
    bk_error_clear(&ignore);
    if (bk_io_rmdir(dir, &ignore) != BK_OK) {
        bk_log(BK_LOG_WARNING, "%s", ignore.message);
    }
}

/* Removes checkpoint directories other than `keep` (and leftovers of failed ones). */
static void remove_old_checkpoints(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    char victims[16][256];
    uint32_t n = 0;
    while ((e = readdir(d)) != NULL && n < BK_ARRAY_LEN(victims)) {
        if (strncmp(e->d_name, "ckpt-", 5) == 0 && strcmp(e->d_name, keep) != 0) {
            snprintf(victims[n++], sizeof victims[0], "%s", e->d_name);
        }
    }
    closedir(d);
    for (uint32_t i = 0; i < n; i++) {
        char path[BK_PATH_BYTES];
        bk_path_join(path, sizeof path, dir, victims[i]);
        remove_dir(path);
    }
}

static bk_rc write_manifest(bk_db *db, uint64_t seq, uint64_t keep_from, bk_error *err)
{
    bk_buf b = {0};
    bk_wr w = {&b, false};
    wr_u32(&w, BK_MANIFEST_MAGIC);
    wr_u32(&w, BK_FORMAT_VERSION);
    wr_u64(&w, seq);
    wr_u64(&w, keep_from);
    wr_u64(&w, atomic_load(&db->next_txn));
    if (!w.failed) {
        wr_u64(&w, bk_hash64(b.ptr, b.len));
    }
    if (w.failed) {
        bk_buf_free(&b);
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    char tmp[BK_PATH_BYTES], final[BK_PATH_BYTES];
    bk_path_join(tmp, sizeof tmp, db->dir, "MANIFEST.tmp");
    bk_path_join(final, sizeof final, db->dir, "MANIFEST");
    int fd = bk_io_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, err);
    bk_rc rc = fd < 0 ? BK_ERR : bk_io_pwrite(fd, b.ptr, b.len, 0, tmp, err);
    bk_buf_free(&b);
    if (fd >= 0) {
        if (rc == BK_OK) {
            bk_io_fsync(fd, tmp);
        }
        close(fd);
    }
    if (rc != BK_OK) {
        return BK_ERR;
    }
    BK_CRASHPOINT("checkpoint.before_manifest_rename");
    if (bk_io_rename(tmp, final, err) != BK_OK) {
        return BK_ERR;
    }
    bk_io_fsync_dir(db->dir);
    return BK_OK;
}

bk_rc bk_db_checkpoint(bk_db *db, bk_error *err)
{
    if (db->wal == NULL) {
        return BK_OK; /* in-memory database */
    }
    pthread_mutex_lock(&db->ckpt_lock);
    uint64_t start_lsn = bk_wal_next_lsn(db->wal);
    if (db->ckpt_seq > 0 && start_lsn == db->ckpt_lsn) {
        pthread_mutex_unlock(&db->ckpt_lock);
        return BK_OK;
    }
    uint64_t t0 = bk_clock_mono_ns();
    /* Records from here on go to a new file: the old ones can all go once this is durable
     * (unless a transaction still open started in them). */
    if (bk_wal_switch(db->wal, err) != BK_OK) {
        pthread_mutex_unlock(&db->ckpt_lock);
        return BK_ERR;
    }
    /* The log needed from here on is computed before the snapshot: see the file comment. */
    uint64_t keep_from = bk_wal_keep_from(db->wal);
    (void)bk_wal_bytes_since(db->wal, true);
    bk_snap *snap = bk_snap_take(db, err);
    if (snap == NULL) {
        pthread_mutex_unlock(&db->ckpt_lock);
        return BK_ERR;
    }
    uint64_t seq = db->ckpt_seq + 1;
    char name[64], tmpdir[BK_PATH_BYTES + 8], dir[BK_PATH_BYTES];
    snprintf(name, sizeof name, "ckpt-%016" PRIx64, seq);
    bk_path_join(dir, sizeof dir, db->dir, name);
    snprintf(tmpdir, sizeof tmpdir, "%s.tmp", dir);
    /* Leftovers of a checkpoint that crashed before its manifest: never current. */
    remove_dir(tmpdir);
    remove_dir(dir);
    bk_rc rc = bk_io_mkdir(tmpdir, err);
    uint32_t n_files = 1;
    for (uint32_t i = 0; i < snap->ver->n_tables; i++) {
        n_files += bk_db_table_at(db, i)->n_cols;
    }
    ckpt_file *files = rc == BK_OK ? bk_mem_calloc(n_files, sizeof(ckpt_file)) : NULL;
    if (rc == BK_OK && files == NULL) {
        rc = bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    uint64_t bytes = 0;
    if (rc == BK_OK) {
        bk_path_join(files[0].path, sizeof files[0].path, tmpdir, "tables.meta");
        rc = encode_meta(&files[0].data, snap, err);
        uint32_t k = 1;
        for (uint32_t i = 0; i < snap->ver->n_tables && rc == BK_OK; i++) {
            const bk_table *t = bk_db_table_at(db, i);
            for (uint32_t c = 0; c < t->n_cols && rc == BK_OK; c++, k++) {
                char fname[64];
                snprintf(fname, sizeof fname, "t%u.c%u.col", t->id, c);
                bk_path_join(files[k].path, sizeof files[k].path, tmpdir, fname);
                rc = encode_column(&files[k].data, t, snap->ver->tabs[i], c, err);
            }
        }
        for (uint32_t i = 0; i < n_files; i++) {
            files[i].fd = -1;
            bytes += files[i].data.len;
        }
    }
    if (rc == BK_OK) {
        rc = write_files(files, n_files, err);
    }
    for (uint32_t i = 0; files != NULL && i < n_files; i++) {
        if (files[i].fd >= 0) {
            close(files[i].fd);
        }
        bk_buf_free(&files[i].data);
    }
    bk_mem_free(files);
    bk_snap_release(snap);
    if (rc == BK_OK) {
        bk_io_fsync_dir(tmpdir);
        BK_CRASHPOINT("checkpoint.before_rename");
        rc = bk_io_rename(tmpdir, dir, err);
    }
    if (rc == BK_OK) {
        bk_io_fsync_dir(db->dir);
        rc = write_manifest(db, seq, keep_from, err);
    }
    if (rc != BK_OK) {
        remove_dir(tmpdir);
        pthread_mutex_unlock(&db->ckpt_lock);
        return BK_ERR;
    }
    db->ckpt_seq = seq;
    db->ckpt_lsn = start_lsn;
    BK_CRASHPOINT("checkpoint.after_manifest");
    /* The new checkpoint is durable: older ones and the log before keep_from can go. */
    remove_old_checkpoints(db->dir, name);
    rc = bk_wal_remove_before(db->wal, keep_from, err);
    pthread_mutex_unlock(&db->ckpt_lock);
    double secs = (double)(bk_clock_mono_ns() - t0) / 1e9;
    bk_log(BK_LOG_INFO, "checkpoint %" PRIu64 " written: %.1f MB in %.2f s (%.0f MB/s)", seq,
           (double)bytes / 1e6, secs, secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
    return rc;
}

/* ---- checkpointer thread --------------------------------------------------------------------- */

static void *checkpointer_main(void *arg)
{
    bk_db *db = arg;
    pthread_mutex_lock(&db->ckpt_wait_lock);
    while (!db->ckpt_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&db->ckpt_wait, &db->ckpt_wait_lock, &ts);
        if (db->ckpt_stop) {
            break;
        }
        if (bk_wal_bytes_since(db->wal, false) < db->ckpt_wal_bytes) {
            continue;
        }
        pthread_mutex_unlock(&db->ckpt_wait_lock);
        bk_error err;
        bk_error_clear(&err);
        if (bk_db_checkpoint(db, &err) != BK_OK) {
            bk_log(BK_LOG_WARNING, "checkpoint failed (retried later): %s", err.message);
        }
        pthread_mutex_lock(&db->ckpt_wait_lock);
    }
    pthread_mutex_unlock(&db->ckpt_wait_lock);
    return NULL;
}

void bk_db_checkpoint_nudge(bk_db *db)
{
    /* Unlocked read of a flag set before any commit can run; a missed wake-up costs at most
     * the one-second poll. */
    if (db->ckpt_running && bk_wal_bytes_since(db->wal, false) >= db->ckpt_wal_bytes) {
        pthread_cond_signal(&db->ckpt_wait);
    }
}

bk_rc bk_db_start_checkpointer(bk_db *db, uint64_t wal_bytes, bk_error *err)
{
    if (db->wal == NULL || db->ckpt_running) {
        return BK_OK;
    }
    db->ckpt_wal_bytes = wal_bytes != 0 ? wal_bytes : DEFAULT_CKPT_WAL;
    db->ckpt_stop = false;
    int e = pthread_create(&db->ckpt_thread, NULL, checkpointer_main, db);
    if (e != 0) {
        return bk_raise(err, SYSTEM_ERROR, "could not start the checkpointer: %s", strerror(e));
    }
    db->ckpt_running = true;
    return BK_OK;
}

void bk_db_stop_checkpointer(bk_db *db)
{
    if (!db->ckpt_running) {
        return;
    }
    pthread_mutex_lock(&db->ckpt_wait_lock);
    db->ckpt_stop = true;
    pthread_cond_broadcast(&db->ckpt_wait);
    pthread_mutex_unlock(&db->ckpt_wait_lock);
    pthread_join(db->ckpt_thread, NULL);
    db->ckpt_running = false;
}
