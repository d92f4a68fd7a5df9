/* SPDX-License-Identifier: Apache-2.0 */
/* The file I/O module (io.c): every data-directory operation, with test fault hooks. */
#ifndef BK_STORAGE_IO_INT_H
#define BK_STORAGE_IO_INT_H

#include "storage_int.h"

typedef enum bk_io_op {
    BK_IO_OPEN,
    BK_IO_WRITE,
    BK_IO_READ,
    BK_IO_FSYNC,
    BK_IO_RENAME,
    BK_IO_TRUNCATE,
    BK_IO_UNLINK,
    BK_IO_MKDIR,
    BK_IO_OP_COUNT_
} bk_io_op;

/* Reads BASKET_IO_FAULT (kind:n:EIO|ENOSPC|short[:forever]) once. */
void bk_io_init(void);
/*
 * Test hook: the (after + 1)-th operation of `kind` (-1 = any kind) fails with errno `err`
 * (0 = a short write: half the bytes land, then EIO); with `forever`, every later one too.
 */
void bk_io_fault_arm(int kind, long after, int err, bool forever);
void bk_io_fault_disarm(void);
uint64_t bk_io_op_count(bk_io_op op);

/*
 * For operations submitted through io_uring: counts the operation and returns the result a
 * test wants instead of `res` (-EIO, -ENOSPC, or a short count), or `res` itself.
 */
int bk_io_ring_result(bk_io_op op, int res);

/*
 * Simulated power loss (io_sim.c), for tests: from bk_io_sim_arm on, a model tracks what
 * a power cut would leave of the data directory `root` (synced file contents, synced
 * directory entries; `seed` picks the damage: 0 nothing unsynced survives, 1 torn unsynced
 * tails, 2 unsynced directory changes survive). At the `crash_at`-th I/O operation (1-based;
 * 0 = never) or at any BK_CRASHPOINT, the directory is rewritten to that state and the
 * process exits with BK_IO_SIM_EXIT.
 */
#define BK_IO_SIM_EXIT 86
void bk_io_sim_arm(const char *root, uint64_t crash_at, int seed);
void bk_io_sim_disarm(void);
/* I/O operations seen since arming (a dry run sizes the crash loop). */
uint64_t bk_io_sim_ops(void);
/* Rewrites the directory to the modelled state and exits (when armed). */
void bk_io_sim_crash(void);
/* Called by this module (and the checkpoint's io_uring fsyncs) as operations happen. */
void bk_io_sim_tick(void);
void bk_io_sim_file_synced(int fd);
void bk_io_sim_dir_synced(int fd);
/* Removes a file or empty directory the simulation's way (true when it did). */
bool bk_io_sim_bury(const char *path);

/* Each raises 53100 on ENOSPC/EDQUOT, 58030 otherwise, naming the path. */
int bk_io_open(const char *path, int flags, bk_error *err);
BK_NODISCARD bk_rc
bk_io_pwrite(int fd, const void *buf, size_t n, uint64_t off, const char *path, bk_error *err);
/* Reads up to n bytes; *got < n only at end of file. */
BK_NODISCARD bk_rc bk_io_pread(int fd,
                               void *buf,
                               size_t n,
                               uint64_t off,
                               size_t *got,
                               const char *path,
                               bk_error *err);
BK_NODISCARD bk_rc bk_io_rename(const char *from, const char *to, bk_error *err);
BK_NODISCARD bk_rc bk_io_truncate(int fd, uint64_t len, const char *path, bk_error *err);
BK_NODISCARD bk_rc bk_io_unlink(const char *path, bk_error *err);
BK_NODISCARD bk_rc bk_io_mkdir(const char *path, bk_error *err);
/* Removes an empty directory (missing is fine). */
BK_NODISCARD bk_rc bk_io_rmdir(const char *path, bk_error *err);
BK_NODISCARD bk_rc bk_io_file_size(int fd, uint64_t *out, const char *path, bk_error *err);
/* Durability barriers: on failure they log a PANIC line and abort the process. */
void bk_io_fsync(int fd, const char *path);
void bk_io_fsync_dir(const char *dir);

#endif /* BK_STORAGE_IO_INT_H */
