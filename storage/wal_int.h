/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write-ahead log (wal.c). Records are framed, checksummed (XXH3) and numbered (LSN);
 * files are wal/wal-<first LSN>.log, a new one every BK_WAL_FILE_BYTES.
 *
 *   header (40 bytes, little-endian):
 *     u32 magic 'BKWL' | u32 payload length | u64 lsn | u64 txn | u32 kind | u32 0 |
 *     u64 checksum of the header's first 32 bytes and the payload
 *
 * A transaction writes DATA records (its operations, when they are too large to buffer) and
 * ends with one COMMIT record, or, when small, is a single COMMIT_ONE record carrying its
 * operations. Replay applies the operations of transactions that have a commit record;
 * the rest are what a crash interrupted and are ignored.
 */
#ifndef BK_STORAGE_WAL_INT_H
#define BK_STORAGE_WAL_INT_H

#include "codec_int.h"
#include "storage_int.h"

#define BK_WAL_MAGIC      0x4C574B42u /* "BKWL" */
#define BK_WAL_HEADER     40u
#define BK_WAL_FILE_BYTES (UINT64_C(64) << 20)
#define BK_WAL_MAX_RECORD (UINT64_C(256) << 20)

enum {
    BK_WAL_DATA = 1,       /* operations of an open transaction */
    BK_WAL_COMMIT = 2,     /* the transaction `txn` is committed (empty payload) */
    BK_WAL_COMMIT_ONE = 3, /* operations + commit in one record */
};

/* Operations inside DATA and COMMIT_ONE payloads. */
enum {
    BK_WAL_OP_CREATE_TABLE = 1,
    BK_WAL_OP_APPEND = 2,
};

typedef struct bk_wal bk_wal;

/* Opens the log in `dir` for appending, continuing at `next_lsn` (after recovery). */
BK_NODISCARD bk_wal *bk_wal_open(const char *dir, uint64_t next_lsn, bk_error *err);
void bk_wal_close(bk_wal *w);

/*
 * Writes one record (not yet durable) and returns its LSN. On failure (53100, 58030) the
 * log is cut back to where it was, so no torn record stays behind a later good one.
 */
BK_NODISCARD bk_rc bk_wal_write(bk_wal *w,
                                uint32_t kind,
                                uint64_t txn,
                                const void *payload,
                                size_t len,
                                uint64_t *lsn,
                                bk_error *err);
/* Returns once every record up to `lsn` is on disk: one fsync serves all waiting commits. */
void bk_wal_sync(bk_wal *w, uint64_t lsn);

/* Transactions register their first LSN so a checkpoint keeps the log they need. */
void bk_wal_txn_begin(bk_wal *w, uint64_t txn);
void bk_wal_txn_first_lsn(bk_wal *w, uint64_t txn, uint64_t lsn);
void bk_wal_txn_end(bk_wal *w, uint64_t txn);
/* The oldest LSN a recovery may still need (min first LSN of open transactions, or next). */
uint64_t bk_wal_keep_from(bk_wal *w);
/* Starts a new log file (if the current one holds records), so a checkpoint beginning now
 * can later drop every older file. */
BK_NODISCARD bk_rc bk_wal_switch(bk_wal *w, bk_error *err);
/* Removes log files whose records all precede `lsn`. */
BK_NODISCARD bk_rc bk_wal_remove_before(bk_wal *w, uint64_t lsn, bk_error *err);
/* The LSN the next record will get. */
uint64_t bk_wal_next_lsn(bk_wal *w);
/* Bytes written since the log was opened or last reset (checkpoint trigger). */
uint64_t bk_wal_bytes_since(bk_wal *w, bool reset);

/* Replay: fn is called for each valid record, in LSN order, of every file in `dir`. */
typedef bk_rc (*bk_wal_record_fn)(void *ctx,
                                  uint64_t lsn,
                                  uint32_t kind,
                                  uint64_t txn,
                                  bk_rd *payload,
                                  bk_error *err);

typedef struct bk_wal_scan_result {
    uint64_t next_lsn; /* one past the last valid record */
    uint64_t max_txn;
    uint64_t records;
    uint64_t discarded_bytes; /* torn or corrupt tail cut from the last file */
} bk_wal_scan_result;

/*
 * Reads every record of the log in `dir`. A bad record (torn write, checksum mismatch) in
 * the last file ends the log: with `repair`, the file is truncated there (and the loss
 * logged). A bad record followed by more files is corruption: 58030-like XX001 error.
 */
BK_NODISCARD bk_rc bk_wal_scan(const char *dir,
                               bool repair,
                               bk_wal_record_fn fn,
                               void *ctx,
                               bk_wal_scan_result *res,
                               bk_error *err);

#endif /* BK_STORAGE_WAL_INT_H */
