/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulated power loss, for tests. A process killed by a test keeps everything it wrote in
 * the page cache, so kill -9 alone never shows a missing fsync. This module keeps a model of
 * what a power cut would leave of the data directory and can put the directory into that
 * state:
 *
 *   - a file's content is what it held at its last fsync (fdatasync or an io_uring fsync),
 *     found by inode, so renames carry it along; a file never synced is empty;
 *   - a directory's entries are those it had at its last fsync; one never synced since the
 *     simulation began is empty (its own entry in its parent may be missing too).
 *
 * Damage seeds vary what the kernel happened to write back before the cut: nothing unsynced
 * (seed 0), a torn prefix of each file's unsynced tail, cut at 512-byte boundaries and
 * earlier the more data was pending (seed 1), or every unsynced directory change while file
 * contents stay at their synced state (seed 2).
 *
 * The crash comes at the Nth I/O operation of the simulation (before the operation runs) or
 * at a named crash point; the process then rewrites the data directory to the modelled state
 * and exits with BK_IO_SIM_EXIT. Everything here uses the C library directly (not bk_mem or
 * bk_io): the simulation must not disturb the allocation counts and I/O faults it observes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io_int.h"

#define SIM_PATH 4096

typedef struct sim_blob {
    ino_t ino;
    uint8_t *data;
    size_t len;
} sim_blob;

typedef struct sim_entry {
    char name[256];
    ino_t ino;
    bool is_dir;
} sim_entry;

typedef struct sim_dir {
    ino_t ino;
    sim_entry *entries;
    size_t n;
} sim_dir;

static struct {
    bool armed;
    char root[SIM_PATH];
    char graveyard[SIM_PATH + 16]; /* removed files wait here: their inodes are not reused */
    uint64_t buried;
    ino_t root_ino;
    uint64_t crash_at; /* 0 = only at crash points */
    uint64_t ops;
    int seed;
    sim_blob *blobs; /* durable file contents, by inode */
    size_t n_blobs;
    sim_dir *dirs; /* durable directory listings, by inode */
    size_t n_dirs;
} sim;

static void die(const char *what)
{
    fprintf(stderr, "io_sim: %s: %s\n", what, strerror(errno));
    abort();
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL) {
        die("out of memory");
    }
    return q;
}

static bool read_fd(int wfd, uint8_t **out, size_t *len)
{
    /* The caller's descriptor may be write-only: read through a fresh one. */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", wfd);
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        die("reopen for reading");
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = xrealloc(NULL, n);
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, buf + done, n - done, (off_t)done);
        if (r <= 0) {
            break;
        }
        done += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = done;
    return true;
}

static sim_blob *blob_of(ino_t ino)
{
    for (size_t i = 0; i < sim.n_blobs; i++) {
        if (sim.blobs[i].ino == ino) {
            return &sim.blobs[i];
        }
    }
    return NULL;
}

static sim_dir *dir_of(ino_t ino)
{
    for (size_t i = 0; i < sim.n_dirs; i++) {
        if (sim.dirs[i].ino == ino) {
            return &sim.dirs[i];
        }
    }
    return NULL;
}

static void record_blob(ino_t ino, uint8_t *data, size_t len)
{
    sim_blob *b = blob_of(ino);
    if (b == NULL) {
        sim.blobs = xrealloc(sim.blobs, sizeof *sim.blobs * (sim.n_blobs + 1));
        b = &sim.blobs[sim.n_blobs++];
        b->ino = ino;
        b->data = NULL;
    }
    free(b->data);
    b->data = data;
    b->len = len;
}

/* The current entries of directory `fd` (consumed). */
static void list_dir(int fd, sim_entry **out, size_t *n)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        die("fdopendir");
    }
    *out = NULL;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            continue;
        }
        *out = xrealloc(*out, sizeof **out * (*n + 1));
        sim_entry *x = &(*out)[(*n)++];
        snprintf(x->name, sizeof x->name, "%s", e->d_name);
        x->ino = st.st_ino;
        x->is_dir = S_ISDIR(st.st_mode);
    }
    closedir(d);
}

static void record_dir(ino_t ino, sim_entry *entries, size_t n)
{
    sim_dir *d = dir_of(ino);
    if (d == NULL) {
        sim.dirs = xrealloc(sim.dirs, sizeof *sim.dirs * (sim.n_dirs + 1));
        d = &sim.dirs[sim.n_dirs++];
        d->ino = ino;
        d->entries = NULL;
    }
    free(d->entries);
    d->entries = entries;
    d->n = n;
}

/* Takes the tree under `path` as durable (the state when the simulation starts). */
static void snapshot_tree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        die("open directory");
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        die("fstat");
    }
    sim_entry *entries;
    size_t n;
    list_dir(fd, &entries, &n);
    record_dir(st.st_ino, entries, n);
    for (size_t i = 0; i < n; i++) {
        char child[SIM_PATH];
        snprintf(child, sizeof child, "%.2000s/%.255s", path, entries[i].name);
        if (entries[i].is_dir) {
            snapshot_tree(child);
            continue;
        }
        int f = open(child, O_RDONLY | O_CLOEXEC);
        uint8_t *data;
        size_t len;
        if (f >= 0 && read_fd(f, &data, &len)) {
            record_blob(entries[i].ino, data, len);
        }
        if (f >= 0) {
            close(f);
        }
    }
}

static void sim_free(void)
{
    for (size_t i = 0; i < sim.n_blobs; i++) {
        free(sim.blobs[i].data);
    }
    for (size_t i = 0; i < sim.n_dirs; i++) {
        free(sim.dirs[i].entries);
    }
    free(sim.blobs);
    free(sim.dirs);
    sim.blobs = NULL;
    sim.dirs = NULL;
    sim.n_blobs = sim.n_dirs = 0;
}

/* ---- the state after the cut -------------------------------------------------------------- */

/* Where an inode is now (its current path), found by walking the real tree. */
static bool find_ino(const char *dir, ino_t ino, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return false;
    }
    struct dirent *e;
    bool found = false;
    while (!found && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char child[SIM_PATH];
        snprintf(child, sizeof child, "%.2000s/%.255s", dir, e->d_name);
        struct stat st;
        if (lstat(child, &st) != 0) {
            continue;
        }
        if (st.st_ino == ino) {
            snprintf(out, cap, "%s", child);
            found = true;
        } else if (S_ISDIR(st.st_mode)) {
            found = find_ino(child, ino, out, cap);
        }
    }
    closedir(d);
    return found;
}

/* A file's content after the cut, per the damage seed (malloc'd). */
static uint8_t *file_after(ino_t ino, size_t *len, uint64_t *rng)
{
    sim_blob *b = blob_of(ino);
    size_t dlen = b != NULL ? b->len : 0;
    uint8_t *out = xrealloc(NULL, dlen);
    if (dlen > 0) {
        memcpy(out, b->data, dlen);
    }
    *len = dlen;
    if (sim.seed != 1) {
        return out;
    }
    /* Torn: some of the unsynced tail made it, if the file only grew past what was synced. */
    char path[SIM_PATH];
    if (!find_ino(sim.root, ino, path, sizeof path)) {
        return out;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint8_t *cur;
    size_t clen;
    if (fd < 0 || !read_fd(fd, &cur, &clen)) {
        if (fd >= 0) {
            close(fd);
        }
        return out;
    }
    close(fd);
    if (clen > dlen && (dlen == 0 || memcmp(cur, out, dlen) == 0)) {
        *rng = *rng * 6364136223846793005u + 1442695040888963407u;
        size_t extra = (size_t)((*rng >> 33) % (clen - dlen + 1));
        extra -= extra % 512;
        free(out);
        out = cur;
        *len = dlen + extra;
        return out;
    }
    free(cur);
    return out;
}

typedef struct node {
    char path[SIM_PATH]; /* relative to the root */
    bool is_dir;
    uint8_t *data;
    size_t len;
} node;

static void
collect(ino_t dir_ino, const char *real, const char *rel, node **nodes, size_t *n, uint64_t *rng)
{
    sim_entry *entries = NULL;
    size_t count = 0;
    bool owned = false;
    sim_dir *d = dir_of(dir_ino);
    if (sim.seed == 2 && real != NULL) {
        int fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            list_dir(fd, &entries, &count);
            owned = true;
        }
    } else if (d != NULL) {
        entries = d->entries;
        count = d->n;
    }
    for (size_t i = 0; i < count; i++) {
        *nodes = xrealloc(*nodes, sizeof **nodes * (*n + 1));
        node *x = &(*nodes)[(*n)++];
        snprintf(x->path, sizeof x->path, "%.2000s%s%.255s", rel, rel[0] ? "/" : "",
                 entries[i].name);
        x->is_dir = entries[i].is_dir;
        x->data = NULL;
        x->len = 0;
        if (x->is_dir) {
            char child_real[SIM_PATH];
            bool have = find_ino(sim.root, entries[i].ino, child_real, sizeof child_real);
            char child_rel[SIM_PATH];
            snprintf(child_rel, sizeof child_rel, "%s", x->path);
            collect(entries[i].ino, have ? child_real : NULL, child_rel, nodes, n, rng);
        } else {
            node *y = &(*nodes)[*n - 1]; /* *nodes may have moved */
            y->data = file_after(entries[i].ino, &y->len, rng);
        }
    }
    if (owned) {
        free(entries);
    }
}

static void remove_tree(const char *path, bool keep_self)
{
    DIR *d = opendir(path);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                continue;
            }
            char child[SIM_PATH];
            snprintf(child, sizeof child, "%.2000s/%.255s", path, e->d_name);
            struct stat st;
            if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
                remove_tree(child, false);
            } else {
                unlink(child);
            }
        }
        closedir(d);
    }
    if (!keep_self) {
        rmdir(path);
    }
}

void bk_io_sim_crash(void)
{
    if (!sim.armed) {
        return;
    }
    sim.armed = false;
    uint64_t rng = 0x9E3779B97F4A7C15u ^ sim.ops;
    node *nodes = NULL;
    size_t n = 0;
    collect(sim.root_ino, sim.root, "", &nodes, &n, &rng);
    remove_tree(sim.root, true);
    remove_tree(sim.graveyard, false);
    for (size_t i = 0; i < n; i++) {
        char path[SIM_PATH];
        snprintf(path, sizeof path, "%.2000s/%.2000s", sim.root, nodes[i].path);
        if (nodes[i].is_dir) {
            if (mkdir(path, 0700) != 0 && errno != EEXIST) {
                die("mkdir");
            }
            continue;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 ||
            (nodes[i].len > 0 && write(fd, nodes[i].data, nodes[i].len) != (ssize_t)nodes[i].len)) {
            die("write");
        }
        close(fd);
        free(nodes[i].data);
    }
    free(nodes);
    sim_free();
    fflush(NULL);
    _exit(BK_IO_SIM_EXIT);
}

/* ---- hooks -------------------------------------------------------------------------------- */

void bk_io_sim_arm(const char *root, uint64_t crash_at, int seed)
{
    sim_free();
    snprintf(sim.root, sizeof sim.root, "%s", root);
    struct stat st;
    if (stat(root, &st) != 0) {
        die("stat root");
    }
    sim.root_ino = st.st_ino;
    snprintf(sim.graveyard, sizeof sim.graveyard, "%s.graveyard", root);
    remove_tree(sim.graveyard, false);
    if (mkdir(sim.graveyard, 0700) != 0) {
        die("mkdir graveyard");
    }
    sim.buried = 0;
    sim.crash_at = crash_at;
    sim.ops = 0;
    sim.seed = seed;
    snapshot_tree(root);
    sim.armed = true;
    bk_fault_set_crash_hook(bk_io_sim_crash);
}

void bk_io_sim_disarm(void)
{
    if (sim.armed) {
        remove_tree(sim.graveyard, false);
    }
    sim.armed = false;
    bk_fault_set_crash_hook(NULL);
    sim_free();
}

bool bk_io_sim_bury(const char *path)
{
    if (!sim.armed) {
        return false;
    }
    /* Inodes are keyed by number: a freed one could come back as a new file and inherit
     * the old one's synced content in the model. Moved aside, it stays allocated. */
    char to[SIM_PATH + 64];
    snprintf(to, sizeof to, "%s/%llu", sim.graveyard, (unsigned long long)++sim.buried);
    if (rename(path, to) != 0) {
        return errno != ENOENT ? false : true;
    }
    return true;
}

uint64_t bk_io_sim_ops(void)
{
    return sim.ops;
}

void bk_io_sim_tick(void)
{
    if (sim.armed && ++sim.ops == sim.crash_at) {
        bk_io_sim_crash();
    }
}

void bk_io_sim_file_synced(int fd)
{
    if (!sim.armed) {
        return;
    }
    struct stat st;
    uint8_t *data;
    size_t len;
    if (fstat(fd, &st) == 0 && read_fd(fd, &data, &len)) {
        record_blob(st.st_ino, data, len);
    }
}

void bk_io_sim_dir_synced(int fd)
{
    if (!sim.armed) {
        return;
    }
    struct stat st;
    int dup_fd = dup(fd);
    if (dup_fd < 0 || fstat(fd, &st) != 0) {
        die("dup");
    }
    sim_entry *entries;
    size_t n;
    list_dir(dup_fd, &entries, &n);
    record_dir(st.st_ino, entries, n);
}
