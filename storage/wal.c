/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write-ahead log. A commit is acknowledged only after its record is on disk; commits
 * that arrive while an fsync runs are covered by the next one (group commit): the first
 * waiter becomes the syncer for everything written so far, the others wait on a condition
 * variable, so N concurrent commits cost about one fsync, not N.
 *
 * Writes happen under the log mutex, which also orders LSNs with file offsets. A failed
 * write cuts the file back to the last good record before anyone else writes, so a torn
 * record can only ever be the last one -- which is what recovery expects: a bad record at
 * the end of the last file is a crash's torn tail and is cut; anywhere else it is corruption
 * and recovery refuses to guess.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io_int.h"
#include "wal_int.h"

#define PATH_BYTES 4096

typedef struct active_txn {
    uint64_t txn;
    uint64_t first_lsn; /* 0 until its first record */
} active_txn;

struct bk_wal {
    char dir[PATH_BYTES];
    char path[PATH_BYTES]; /* current file */
    pthread_mutex_t lock;
    pthread_cond_t synced;
    int fd;
    uint64_t file_off;
    uint64_t next_lsn;
    uint64_t written_lsn; /* last LSN written to the current or an earlier file */
    uint64_t synced_lsn;  /* last LSN known durable */
    bool syncing;
    active_txn *active;
    uint32_t n_active;
    uint32_t cap_active;
    uint64_t bytes_since;
};

static void file_name(char *out, size_t cap, const char *dir, uint64_t first_lsn)
{
    snprintf(out, cap, "%.3900s/wal-%016" PRIx64 ".log", dir, first_lsn);
}

/* Opens (creating) the file whose first record will be `first_lsn`, appending at its end. */
static bk_rc open_file(bk_wal *w, uint64_t first_lsn, bk_error *err)
{
    file_name(w->path, sizeof w->path, w->dir, first_lsn);
    w->fd = bk_io_open(w->path, O_RDWR | O_CREAT, err);
    if (w->fd < 0) {
        return BK_ERR;
    }
    if (bk_io_file_size(w->fd, &w->file_off, w->path, err) != BK_OK) {
        close(w->fd);
        w->fd = -1;
        return BK_ERR;
    }
    /* The new directory entry must survive a crash before any record in it counts. */
    bk_io_fsync_dir(w->dir);
    return BK_OK;
}

/* The newest existing log file, if any (its first LSN). */
static bool newest_file(const char *dir, uint64_t *first_lsn)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return false;
    }
    bool found = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        uint64_t lsn;
        char tail[8];
        if (sscanf(e->d_name, "wal-%16" SCNx64 ".%7s", &lsn, tail) == 2 &&
            strcmp(tail, "log") == 0 && (!found || lsn > *first_lsn)) {
            *first_lsn = lsn;
            found = true;
        }
    }
    closedir(d);
    return found;
}

bk_wal *bk_wal_open(const char *dir, uint64_t next_lsn, bk_error *err)
{
    bk_wal *w = bk_mem_calloc(1, sizeof *w);
    if (w == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->synced, NULL);
    w->fd = -1;
    w->next_lsn = next_lsn;
    w->written_lsn = w->synced_lsn = next_lsn - 1;
    uint64_t first = next_lsn;
    (void)newest_file(dir, &first);
    if (open_file(w, first, err) != BK_OK) {
        bk_wal_close(w);
        return NULL;
    }
    return w;
}

void bk_wal_close(bk_wal *w)
{
    if (w == NULL) {
        return;
    }
    if (w->fd >= 0) {
        close(w->fd);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->synced);
    bk_mem_free(w->active);
    bk_mem_free(w);
}

static uint64_t record_checksum(const uint8_t *hdr, const void *payload, size_t len)
{
    uint64_t h = bk_hash64(hdr, 32);
    return bk_hash64_seed(payload, len, h);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_le64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Switches to a new file; everything in the old one is made durable first. */
static bk_rc rotate(bk_wal *w, bk_error *err)
{
    while (w->syncing) {
        pthread_cond_wait(&w->synced, &w->lock);
    }
    bk_io_fsync(w->fd, w->path);
    w->synced_lsn = w->written_lsn;
    close(w->fd);
    w->fd = -1;
    return open_file(w, w->next_lsn, err);
}

bk_rc bk_wal_write(bk_wal *w,
                   uint32_t kind,
                   uint64_t txn,
                   const void *payload,
                   size_t len,
                   uint64_t *lsn_out,
                   bk_error *err)
{
    if (len > BK_WAL_MAX_RECORD) {
        return bk_raise(err, PROGRAM_LIMIT_EXCEEDED,
                        "write-ahead log record of %zu bytes is too "
                        "large",
                        len);
    }
    pthread_mutex_lock(&w->lock);
    if (w->fd < 0 || (w->file_off > 0 && w->file_off + BK_WAL_HEADER + len > BK_WAL_FILE_BYTES)) {
        if ((w->fd < 0 ? open_file(w, w->next_lsn, err) : rotate(w, err)) != BK_OK) {
            pthread_mutex_unlock(&w->lock);
            return BK_ERR;
        }
    }
    uint64_t lsn = w->next_lsn;
    uint8_t hdr[BK_WAL_HEADER];
    put_le32(hdr, BK_WAL_MAGIC);
    put_le32(hdr + 4, (uint32_t)len);
    put_le64(hdr + 8, lsn);
    put_le64(hdr + 16, txn);
    put_le32(hdr + 24, kind);
    put_le32(hdr + 28, 0);
    put_le64(hdr + 32, record_checksum(hdr, payload, len));
    uint64_t at = w->file_off;
    bk_rc rc = bk_io_pwrite(w->fd, hdr, BK_WAL_HEADER, at, w->path, err);
    if (rc == BK_OK && len > 0) {
        rc = bk_io_pwrite(w->fd, payload, len, at + BK_WAL_HEADER, w->path, err);
    }
    if (rc != BK_OK) {
        /* Cut the partial record so the log ends at a good record. */
        bk_error ignore;
        bk_error_clear(&ignore);
        if (bk_io_truncate(w->fd, at, w->path, &ignore) != BK_OK) {
            bk_log(BK_LOG_FATAL, "PANIC: could not cut a failed write from \"%s\": %s", w->path,
                   ignore.message);
            abort();
        }
        pthread_mutex_unlock(&w->lock);
        return BK_ERR;
    }
    BK_CRASHPOINT("wal.after_write");
    w->file_off = at + BK_WAL_HEADER + len;
    w->bytes_since += BK_WAL_HEADER + len;
    w->next_lsn = lsn + 1;
    w->written_lsn = lsn;
    pthread_mutex_unlock(&w->lock);
    *lsn_out = lsn;
    return BK_OK;
}

void bk_wal_sync(bk_wal *w, uint64_t lsn)
{
    pthread_mutex_lock(&w->lock);
    while (w->synced_lsn < lsn) {
        if (w->syncing) {
            pthread_cond_wait(&w->synced, &w->lock);
            continue;
        }
        /* Become the syncer for everything written so far (group commit). */
        w->syncing = true;
        uint64_t target = w->written_lsn;
        int fd = w->fd;
        char path[PATH_BYTES];
        memcpy(path, w->path, sizeof path);
        pthread_mutex_unlock(&w->lock);
        BK_CRASHPOINT("wal.before_fsync");
        bk_io_fsync(fd, path);
        BK_CRASHPOINT("wal.after_fsync");
        pthread_mutex_lock(&w->lock);
        if (target > w->synced_lsn) {
            w->synced_lsn = target;
        }
        w->syncing = false;
        pthread_cond_broadcast(&w->synced);
    }
    pthread_mutex_unlock(&w->lock);
}

void bk_wal_txn_begin(bk_wal *w, uint64_t txn)
{
    pthread_mutex_lock(&w->lock);
    if (w->n_active == w->cap_active) {
        uint32_t cap = w->cap_active == 0 ? 16 : w->cap_active * 2;
        /* Startup-sized and bounded by concurrent writers: abort rather than lose track. */
        active_txn *a = bk_mem_realloc(w->active, sizeof *a * cap);
        if (a == NULL) {
            bk_log(BK_LOG_FATAL, "out of memory tracking write-ahead log transactions");
            abort();
        }
        w->active = a;
        w->cap_active = cap;
    }
    w->active[w->n_active++] = (active_txn){txn, 0};
    pthread_mutex_unlock(&w->lock);
}

void bk_wal_txn_first_lsn(bk_wal *w, uint64_t txn, uint64_t lsn)
{
    pthread_mutex_lock(&w->lock);
    for (uint32_t i = 0; i < w->n_active; i++) {
        if (w->active[i].txn == txn && w->active[i].first_lsn == 0) {
            w->active[i].first_lsn = lsn;
        }
    }
    pthread_mutex_unlock(&w->lock);
}

void bk_wal_txn_end(bk_wal *w, uint64_t txn)
{
    pthread_mutex_lock(&w->lock);
    for (uint32_t i = 0; i < w->n_active; i++) {
        if (w->active[i].txn == txn) {
            w->active[i] = w->active[--w->n_active];
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
}

uint64_t bk_wal_keep_from(bk_wal *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t keep = w->next_lsn;
    for (uint32_t i = 0; i < w->n_active; i++) {
        if (w->active[i].first_lsn != 0 && w->active[i].first_lsn < keep) {
            keep = w->active[i].first_lsn;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return keep;
}

uint64_t bk_wal_next_lsn(bk_wal *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t n = w->next_lsn;
    pthread_mutex_unlock(&w->lock);
    return n;
}

uint64_t bk_wal_bytes_since(bk_wal *w, bool reset)
{
    pthread_mutex_lock(&w->lock);
    uint64_t b = w->bytes_since;
    if (reset) {
        w->bytes_since = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return b;
}

/* ---- listing -------------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* First LSNs of the log files in dir, ascending (heap array, *n entries). */
static uint64_t *list_files(const char *dir, uint32_t *n, bk_error *err)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        return bk_mem_calloc(1, sizeof(uint64_t)); /* no log yet */
    }
    uint32_t cap = 16;
    uint64_t *v = bk_mem_alloc(sizeof(uint64_t) * cap);
    struct dirent *e;
    while (v != NULL && (e = readdir(d)) != NULL) {
        uint64_t lsn;
        char tail[8];
        if (sscanf(e->d_name, "wal-%16" SCNx64 ".%7s", &lsn, tail) != 2 ||
            strcmp(tail, "log") != 0) {
            continue;
        }
        if (*n == cap) {
            cap *= 2;
            uint64_t *nv = bk_mem_realloc(v, sizeof(uint64_t) * cap);
            if (nv == NULL) {
                bk_mem_free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[(*n)++] = lsn;
    }
    closedir(d);
    if (v == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    qsort(v, *n, sizeof(uint64_t), cmp_u64);
    return v;
}

bk_rc bk_wal_switch(bk_wal *w, bk_error *err)
{
    pthread_mutex_lock(&w->lock);
    bk_rc rc = BK_OK;
    if (w->fd >= 0 && w->file_off > 0) {
        rc = rotate(w, err);
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

bk_rc bk_wal_remove_before(bk_wal *w, uint64_t lsn, bk_error *err)
{
    /* When the current file is entirely before `lsn`, a fresh file lets it go too. */
    pthread_mutex_lock(&w->lock);
    bk_rc st = BK_OK;
    if (w->fd >= 0 && w->file_off > 0 && w->next_lsn <= lsn) {
        st = rotate(w, err);
    }
    pthread_mutex_unlock(&w->lock);
    if (st != BK_OK) {
        return BK_ERR;
    }
    uint32_t n;
    uint64_t *files = list_files(w->dir, &n, err);
    if (files == NULL) {
        return BK_ERR;
    }
    bk_rc rc = BK_OK;
    bool removed = false;
    /* File i holds LSNs below files[i + 1]; the last file is always kept. */
    for (uint32_t i = 0; i + 1 < n && rc == BK_OK; i++) {
        if (files[i + 1] <= lsn) {
            char path[PATH_BYTES];
            file_name(path, sizeof path, w->dir, files[i]);
            rc = bk_io_unlink(path, err);
            removed = true;
        }
    }
    bk_mem_free(files);
    if (removed) {
        bk_io_fsync_dir(w->dir);
    }
    return rc;
}

/* ---- scanning (recovery) ---------------------------------------------------------------- */

static bk_rc read_file(const char *path, uint8_t **out, uint64_t *size, int *fd_out, bk_error *err)
{
    int fd = bk_io_open(path, O_RDWR, err);
    if (fd < 0) {
        return BK_ERR;
    }
    if (bk_io_file_size(fd, size, path, err) != BK_OK) {
        close(fd);
        return BK_ERR;
    }
    uint8_t *buf = bk_mem_alloc(*size + 1);
    if (buf == NULL) {
        close(fd);
        return bk_raise(err, OUT_OF_MEMORY, "out of memory reading \"%s\"", path);
    }
    size_t got;
    if (bk_io_pread(fd, buf, *size, 0, &got, path, err) != BK_OK) {
        bk_mem_free(buf);
        close(fd);
        return BK_ERR;
    }
    *size = got;
    *out = buf;
    *fd_out = fd;
    return BK_OK;
}

/* Offset of the first record at or after `from` that checks out completely, or UINT64_MAX. */
static uint64_t find_valid_record(const uint8_t *buf, uint64_t size, uint64_t from)
{
    for (uint64_t off = from; off + BK_WAL_HEADER <= size; off++) {
        const uint8_t *h = buf + off;
        if (get_le32(h) != BK_WAL_MAGIC) {
            continue;
        }
        uint32_t len = get_le32(h + 4);
        if (len <= BK_WAL_MAX_RECORD && size - off - BK_WAL_HEADER >= len &&
            get_le64(h + 32) == record_checksum(h, h + BK_WAL_HEADER, len)) {
            return off;
        }
    }
    return UINT64_MAX;
}

bk_rc bk_wal_scan(const char *dir,
                  bool repair,
                  bk_wal_record_fn fn,
                  void *ctx,
                  bk_wal_scan_result *res,
                  bk_error *err)
{
    memset(res, 0, sizeof *res);
    uint32_t n;
    uint64_t *files = list_files(dir, &n, err);
    if (files == NULL) {
        return BK_ERR;
    }
    res->next_lsn = n > 0 ? files[0] : 1;
    bk_rc rc = BK_OK;
    for (uint32_t f = 0; f < n && rc == BK_OK; f++) {
        char path[PATH_BYTES];
        file_name(path, sizeof path, dir, files[f]);
        uint8_t *buf = NULL;
        uint64_t size = 0;
        int fd = -1;
        rc = read_file(path, &buf, &size, &fd, err);
        if (rc != BK_OK) {
            break;
        }
        uint64_t off = 0;
        uint64_t expect = files[f];
        while (off < size) {
            bool ok = size - off >= BK_WAL_HEADER;
            uint32_t len = 0;
            uint64_t lsn = 0;
            if (ok) {
                const uint8_t *h = buf + off;
                len = get_le32(h + 4);
                lsn = get_le64(h + 8);
                ok = get_le32(h) == BK_WAL_MAGIC && len <= BK_WAL_MAX_RECORD &&
                     size - off - BK_WAL_HEADER >= len && lsn == expect &&
                     get_le64(h + 32) == record_checksum(h, h + BK_WAL_HEADER, len);
            }
            if (!ok) {
                if (f + 1 < n) {
                    rc = bk_raise(err, DATA_CORRUPTED,
                                  "write-ahead log file \"%s\" is corrupt at offset %" PRIu64
                                  ", and later log files exist",
                                  path, off);
                    bk_error_hint(err, "Restore the data directory from a backup; Basket will "
                                       "not guess which committed data is lost.");
                    break;
                }
                /* A crash tears only the last record. A valid record further on means the
                 * damage is in the middle of acknowledged data: refuse, do not cut it. */
                uint64_t later = find_valid_record(buf, size, off + 1);
                if (later != UINT64_MAX) {
                    rc = bk_raise(err, DATA_CORRUPTED,
                                  "write-ahead log file \"%s\" is corrupt at offset %" PRIu64
                                  ", with valid records after it (at %" PRIu64 ")",
                                  path, off, later);
                    bk_error_hint(err, "Restore the data directory from a backup; Basket will "
                                       "not drop committed data.");
                    break;
                }
                res->discarded_bytes = size - off;
                bk_log(BK_LOG_WARNING,
                       "write-ahead log \"%s\": %" PRIu64 " bytes after offset %" PRIu64
                       " are a torn or corrupt tail and are discarded",
                       path, size - off, off);
                if (repair) {
                    rc = bk_io_truncate(fd, off, path, err);
                    if (rc == BK_OK) {
                        bk_io_fsync(fd, path);
                    }
                }
                break;
            }
            const uint8_t *h = buf + off;
            bk_rd rd = {h + BK_WAL_HEADER, len, false};
            uint64_t txn = get_le64(h + 16);
            rc = fn(ctx, lsn, get_le32(h + 24), txn, &rd, err);
            if (rc != BK_OK) {
                break;
            }
            if (txn > res->max_txn) {
                res->max_txn = txn;
            }
            res->records++;
            off += BK_WAL_HEADER + len;
            expect = lsn + 1;
            res->next_lsn = expect;
        }
        if (off == size && expect > res->next_lsn) {
            res->next_lsn = expect;
        }
        bk_mem_free(buf);
        close(fd);
    }
    bk_mem_free(files);
    return rc;
}
