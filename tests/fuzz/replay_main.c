/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A main() for fuzz targets built without libFuzzer (the gcc + ASan build): runs every file
 * named on the command line, and every regular file inside each directory named (sorted by
 * name, not recursive), through LLVMFuzzerTestOneInput once. This turns a corpus into a
 * regression test (SQLite fuzzcheck, lz4 standaloneengine.c): a crash, a sanitizer report or
 * a leak fails the ctest.
 *
 * Each input runs in a child process (fork), so that one crashing input does not hide the
 * others: every failing file is listed at the end. REPLAY_NO_FORK=1 in the environment runs
 * everything in this process instead (for a debugger). Exit status: 0 when every input ran
 * cleanly; 1 when an input failed, a path is unreadable, or nothing was run.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static bool no_fork;
static unsigned n_failed;

static int run_file_here(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0) {
            break;
        }
        len += n;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so that ASan catches reads past the end of the input. */
    uint8_t *exact = malloc(len == 0 ? 1 : len);
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    if (len > 0) {
        memcpy(exact, buf, len);
    }
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    (void)LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

/* Runs one input, in a child process unless REPLAY_NO_FORK is set. -1 when it failed. */
static int run_file(const char *path)
{
    if (no_fork) {
        return run_file_here(path);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "replay: fork: %s\n", strerror(errno));
        return run_file_here(path);
    }
    if (pid == 0) {
        /* exit(), not _exit(): LeakSanitizer checks the child at exit. */
        exit(run_file_here(path) == 0 ? 0 : 2);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "replay: waitpid: %s\n", strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return 0;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "replay: FAILED %s (signal %d)\n", path, WTERMSIG(status));
    } else {
        fprintf(stderr, "replay: FAILED %s (exit status %d)\n", path, WEXITSTATUS(status));
    }
    n_failed++;
    return -1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap == 0 ? 64 : cap * 2;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                break;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (names[n] != NULL) {
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        if (path != NULL) {
            snprintf(path, plen, "%s/%s", dir, names[i]);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(path) != 0) {
                    rc = -1;
                } else {
                    (*count)++;
                }
            }
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    const char *nf = getenv("REPLAY_NO_FORK");
    no_fork = nf != NULL && nf[0] != '\0' && strcmp(nf, "0") != 0;
    if (LLVMFuzzerInitialize != NULL) {
        (void)LLVMFuzzerInitialize(&argc, &argv);
    }
    unsigned count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i], &count) != 0) {
                rc = 1;
            }
        } else if (run_file(argv[i]) != 0) {
            rc = 1;
        } else {
            count++;
        }
    }
    fprintf(stderr, "replay: %u input(s) run, %u failed\n", count + n_failed, n_failed);
    if (count == 0) {
        rc = 1;
    }
    return rc;
}
