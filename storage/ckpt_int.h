/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checkpoint format shared by writing (db_checkpoint.c) and recovery (db_recover.c).
 *
 * Data directory layout (format 1):
 *   MANIFEST              which checkpoint is current and which log it needs; replaced
 *                         atomically (write temporary, fsync, rename, fsync directory)
 *   ckpt-<seq>/           one checkpoint: tables.meta and t<id>.c<col>.col per column,
 *                         each file checksummed (XXH3) and its blocks lz4-compressed
 *   wal/wal-<lsn>.log     the write-ahead log (wal.c)
 */
#ifndef BK_STORAGE_CKPT_INT_H
#define BK_STORAGE_CKPT_INT_H

#include "codec_int.h"
#include "storage_int.h"

#define BK_FORMAT_VERSION 1u
#define BK_MANIFEST_MAGIC 0x464D4B42u /* "BKMF" */
#define BK_META_MAGIC     0x4D544B42u /* "BKTM" */
#define BK_COLUMN_MAGIC   0x46434B42u /* "BKCF" */
#define BK_PATH_BYTES     4096

void bk_path_join(char *out, size_t cap, const char *a, const char *b);

/* Appends `n` bytes from `src` as one lz4-compressed block (raw and compressed sizes first). */
BK_NODISCARD bk_rc bk_put_block(bk_wr *w, const void *src, size_t n, bk_error *err);
/* Decompresses the next block into a new allocation (+ 8 bytes slack); its size in *len. */
void *bk_get_block_len(bk_rd *r, size_t *len, bool *bad);
/* As bk_get_block_len, for a block that must hold exactly `expect` bytes. */
void *bk_get_block(bk_rd *r, size_t expect, bool *bad);

#endif /* BK_STORAGE_CKPT_INT_H */
