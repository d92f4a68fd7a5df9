/* SPDX-License-Identifier: Apache-2.0 */
/*
 * All file I/O of the data directory goes through here (DESIGN.md), for two reasons:
 *
 *  - one place decides what an error means: ENOSPC is 53100 disk_full, other failures 58030
 *    io_error, and a failed fsync is fatal. After a failed fsync the kernel may have dropped
 *    the dirty pages and cleared the error ("fsyncgate"), so a retry could report success
 *    for data that is gone: we abort instead, never retry and never acknowledge.
 *  - tests can make any operation fail. io_uring bypasses syscall-level fault injection
 *    (strace, libfiu), so these hooks are the way to prove the durability rules: the Nth
 *    operation of a kind fails with EIO, ENOSPC or a short count, once or from then on.
 *
 * Hooks are armed from the environment (BASKET_IO_FAULT=kind:n:error[:forever], read once by
 * bk_io_init) or through bk_io_fault_arm; disarmed they cost one relaxed load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io_int.h"

/* ---- fault hooks ----------------------------------------------------------------------------- */

static atomic_bool fault_armed;
static int fault_kind;         /* bk_io_op, or -1 for every kind */
static atomic_long fault_left; /* operations of that kind to let through first */
static int fault_errno;        /* EIO, ENOSPC, or 0 for a short count */
static bool fault_forever;
static atomic_bool fault_tripped;
static atomic_ulong op_counts[BK_IO_OP_COUNT_];

static const char *const op_names[BK_IO_OP_COUNT_] = {
    [BK_IO_OPEN] = "open",     [BK_IO_WRITE] = "write",   [BK_IO_READ] = "read",
    [BK_IO_FSYNC] = "fsync",   [BK_IO_RENAME] = "rename", [BK_IO_TRUNCATE] = "truncate",
    [BK_IO_UNLINK] = "unlink", [BK_IO_MKDIR] = "mkdir",
};

void bk_io_fault_arm(int kind, long after, int err, bool forever)
{
    fault_kind = kind;
    fault_errno = err;
    fault_forever = forever;
    atomic_store(&fault_left, after);
    atomic_store(&fault_tripped, false);
    atomic_store(&fault_armed, true);
}

void bk_io_fault_disarm(void)
{
    atomic_store(&fault_armed, false);
}

uint64_t bk_io_op_count(bk_io_op op)
{
    return atomic_load(&op_counts[op]);
}

void bk_io_init(void)
{
    const char *env = getenv("BASKET_IO_FAULT");
    if (env == NULL || env[0] == '\0') {
        return;
    }
    /* kind:n:error[:forever], e.g. fsync:3:EIO or write:10:ENOSPC:forever or write:0:short */
    char kind[32], errname[32], mode[32] = "";
    long n = 0;
    if (sscanf(env, "%31[^:]:%ld:%31[^:]:%31s", kind, &n, errname, mode) < 3) {
        bk_log(BK_LOG_WARNING, "ignoring malformed BASKET_IO_FAULT \"%s\"", env);
        return;
    }
    int k = -1;
    for (int i = 0; i < BK_IO_OP_COUNT_; i++) {
        if (strcmp(kind, op_names[i]) == 0) {
            k = i;
        }
    }
    int e = strcmp(errname, "ENOSPC") == 0 ? ENOSPC : strcmp(errname, "short") == 0 ? 0 : EIO;
    bk_io_fault_arm(k, n, e, strcmp(mode, "forever") == 0);
}

/* Counts the operation; true (with errno set) when a test wants it to fail. */
static bool fault(bk_io_op op)
{
    atomic_fetch_add_explicit(&op_counts[op], 1, memory_order_relaxed);
    bk_io_sim_tick();
    if (BK_LIKELY(!atomic_load_explicit(&fault_armed, memory_order_relaxed))) {
        return false;
    }
    if (fault_kind >= 0 && fault_kind != (int)op) {
        return false;
    }
    if (atomic_load(&fault_tripped)) {
        if (!fault_forever) {
            return false;
        }
    } else if (atomic_fetch_sub(&fault_left, 1) > 0) {
        return false;
    } else {
        atomic_store(&fault_tripped, true);
    }
    errno = fault_errno == 0 ? EIO : fault_errno;
    return true;
}

int bk_io_ring_result(bk_io_op op, int res)
{
    if (!fault(op)) {
        return res;
    }
    if (fault_errno == 0 && res > 1) {
        return res / 2; /* short */
    }
    return -errno;
}

/* ---- errors ---------------------------------------------------------------------------------- */

static bk_rc io_error(bk_error *err, int e, const char *what, const char *path)
{
    if (e == ENOSPC || e == EDQUOT) {
        bk_raise(err, DISK_FULL, "could not %s \"%s\": %s", what, path, strerror(e));
        bk_error_hint(err, "Free space on the data directory's file system; reads go on.");
        return BK_ERR;
    }
    return bk_raise(err, IO_ERROR, "could not %s \"%s\": %s", what, path, strerror(e));
}

BK_NORETURN static void panic(const char *what, const char *path, int e)
{
    bk_log(BK_LOG_FATAL,
           "PANIC: could not %s \"%s\": %s; stopping to protect acknowledged data (the "
           "write-ahead log is replayed at the next start)",
           what, path, strerror(e));
    abort();
}

/* ---- operations ------------------------------------------------------------------------------ */

int bk_io_open(const char *path, int flags, bk_error *err)
{
    if (fault(BK_IO_OPEN)) {
        io_error(err, errno, "open file", path);
        return -1;
    }
    int fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0) {
        io_error(err, errno, "open file", path);
    }
    return fd;
}

bk_rc bk_io_pwrite(int fd, const void *buf, size_t n, uint64_t off, const char *path, bk_error *err)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w;
        if (fault(BK_IO_WRITE)) {
            if (fault_errno == 0 && n > 1) {
                /* A short write: half of it lands, then the device fails. */
                w = pwrite(fd, p, n / 2, (off_t)off);
                if (w > 0) {
                    errno = EIO;
                }
            }
            return io_error(err, errno, "write to file", path);
        }
        w = pwrite(fd, p, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_error(err, errno, "write to file", path);
        }
        if (w == 0) {
            return io_error(err, ENOSPC, "write to file", path);
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return BK_OK;
}

bk_rc bk_io_pread(int fd,
                  void *buf,
                  size_t n,
                  uint64_t off,
                  size_t *got,
                  const char *path,
                  bk_error *err)
{
    char *p = buf;
    size_t done = 0;
    while (done < n) {
        if (fault(BK_IO_READ)) {
            return io_error(err, errno, "read file", path);
        }
        ssize_t r = pread(fd, p + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_error(err, errno, "read file", path);
        }
        if (r == 0) {
            break;
        }
        done += (size_t)r;
    }
    *got = done;
    return BK_OK;
}

void bk_io_fsync(int fd, const char *path)
{
    if (fault(BK_IO_FSYNC)) {
        panic("fsync file", path, errno);
    }
    if (fdatasync(fd) != 0) {
        panic("fsync file", path, errno);
    }
    bk_io_sim_file_synced(fd);
}

void bk_io_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        panic("open directory", dir, errno);
    }
    if (fault(BK_IO_FSYNC) || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        panic("fsync directory", dir, e);
    }
    bk_io_sim_dir_synced(fd);
    close(fd);
}

bk_rc bk_io_rename(const char *from, const char *to, bk_error *err)
{
    if (fault(BK_IO_RENAME) || rename(from, to) != 0) {
        return io_error(err, errno, "rename file", from);
    }
    return BK_OK;
}

bk_rc bk_io_truncate(int fd, uint64_t len, const char *path, bk_error *err)
{
    if (fault(BK_IO_TRUNCATE) || ftruncate(fd, (off_t)len) != 0) {
        return io_error(err, errno, "truncate file", path);
    }
    return BK_OK;
}

bk_rc bk_io_unlink(const char *path, bk_error *err)
{
    if (fault(BK_IO_UNLINK)) {
        return io_error(err, errno, "remove file", path);
    }
    if (!bk_io_sim_bury(path) && unlink(path) != 0 && errno != ENOENT) {
        return io_error(err, errno, "remove file", path);
    }
    return BK_OK;
}

bk_rc bk_io_rmdir(const char *path, bk_error *err)
{
    if (fault(BK_IO_UNLINK)) {
        return io_error(err, errno, "remove directory", path);
    }
    if (!bk_io_sim_bury(path) && rmdir(path) != 0 && errno != ENOENT) {
        return io_error(err, errno, "remove directory", path);
    }
    return BK_OK;
}

bk_rc bk_io_mkdir(const char *path, bk_error *err)
{
    if (fault(BK_IO_MKDIR) || (mkdir(path, 0700) != 0 && errno != EEXIST)) {
        return io_error(err, errno, "create directory", path);
    }
    return BK_OK;
}

bk_rc bk_io_file_size(int fd, uint64_t *out, const char *path, bk_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return io_error(err, errno, "stat file", path);
    }
    *out = (uint64_t)st.st_size;
    return BK_OK;
}
