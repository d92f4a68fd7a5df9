/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basket-membw: the machine's sequential read bandwidth, the physical limit a column scan
 * can approach. It reads a buffer much larger than the caches, with 1 thread and with all
 * threads (each reads its own contiguous slice), several times, and reports the median.
 *
 *   basket-membw [--size MIB] [--runs N] [--threads N] [--json]
 *
 * The read loop sums 64-bit words into eight independent accumulators so that the loop is
 * bound by loads, not by an add dependency chain; the sum goes to a volatile sink so the
 * compiler cannot drop the reads. It is portable C (no ISA flags): a scan kernel built with
 * AVX2 may load faster per core, which is the point of quoting scans as a fraction of this.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 100

typedef struct worker {
    const uint64_t *base;     /* this worker's slice */
    size_t n_words;           /* its length in 64-bit words */
    pthread_barrier_t *start; /* all workers + main: begin a run */
    pthread_barrier_t *done;  /* all workers + main: run finished */
    int runs;
    uint64_t sink; /* sum of the words read, so the reads cannot be elided */
    pthread_t thread;
} worker;

static volatile uint64_t g_sink;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t read_words(const uint64_t *p, size_t n)
{
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        a0 += p[i];
        a1 += p[i + 1];
        a2 += p[i + 2];
        a3 += p[i + 3];
        a4 += p[i + 4];
        a5 += p[i + 5];
        a6 += p[i + 6];
        a7 += p[i + 7];
    }
    for (; i < n; i++) {
        a0 += p[i];
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (int r = 0; r < w->runs; r++) {
        pthread_barrier_wait(w->start);
        w->sink += read_words(w->base, w->n_words);
        pthread_barrier_wait(w->done);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs `runs` timed reads of the buffer with `n_threads` threads; GB/s of each run in out. */
static void measure(const uint64_t *buf, size_t n_words, unsigned n_threads, int runs, double *out)
{
    pthread_barrier_t start, done;
    pthread_barrier_init(&start, NULL, n_threads + 1);
    pthread_barrier_init(&done, NULL, n_threads + 1);
    worker *ws = calloc(n_threads, sizeof(worker));
    if (ws == NULL) {
        fprintf(stderr, "basket-membw: out of memory\n");
        exit(1);
    }
    size_t per = n_words / n_threads;
    for (unsigned t = 0; t < n_threads; t++) {
        ws[t].base = buf + (size_t)t * per;
        ws[t].n_words = t + 1 == n_threads ? n_words - (size_t)t * per : per;
        ws[t].start = &start;
        ws[t].done = &done;
        ws[t].runs = runs;
        if (pthread_create(&ws[t].thread, NULL, worker_main, &ws[t]) != 0) {
            fprintf(stderr, "basket-membw: cannot start thread\n");
            exit(1);
        }
    }
    for (int r = 0; r < runs; r++) {
        pthread_barrier_wait(&start);
        uint64_t t0 = now_ns();
        pthread_barrier_wait(&done);
        uint64_t t1 = now_ns();
        out[r] = (double)(n_words * sizeof(uint64_t)) / (double)(t1 - t0); /* bytes/ns = GB/s */
    }
    for (unsigned t = 0; t < n_threads; t++) {
        pthread_join(ws[t].thread, NULL);
        g_sink += ws[t].sink;
    }
    free(ws);
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&done);
}

static unsigned long parse_ul(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "basket-membw: %s must be an integer from %lu to %lu\n", opt, lo, hi);
        exit(1);
    }
    return v;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {   "size", required_argument, NULL, 's'},
        {   "runs", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {   "json",       no_argument, NULL, 'j'},
        {   "help",       no_argument, NULL, 'H'},
        {     NULL,                 0, NULL,   0},
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned all = ncpu > 0 ? (unsigned)ncpu : 1;
    unsigned long size_mib = 1024;
    int runs = 5;
    bool json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            size_mib = parse_ul("--size", optarg, 16, 1ul << 20);
            break;
        case 'r':
            runs = (int)parse_ul("--runs", optarg, 1, MAX_RUNS);
            break;
        case 't':
            all = (unsigned)parse_ul("--threads", optarg, 1, 4096);
            break;
        case 'j':
            json = true;
            break;
        case 'H':
            puts("Usage: basket-membw [--size MIB (1024)] [--runs N (5)] [--threads N (all CPUs)]"
                 " [--json]\nSequential read bandwidth with 1 thread and with N threads, median"
                 " of the runs, in GB/s (10^9 bytes per second).");
            return 0;
        default:
            return 1;
        }
    }
    /* Keep the buffer within a quarter of physical memory on small machines. */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        unsigned long cap = (unsigned long)pages / 4 * (unsigned long)page >> 20;
        if (cap >= 16 && size_mib > cap) {
            size_mib = cap;
        }
    }
    size_t bytes = (size_t)size_mib << 20;
    uint64_t *buf = aligned_alloc(4096, bytes);
    if (buf == NULL) {
        fprintf(stderr, "basket-membw: cannot allocate %lu MiB\n", size_mib);
        return 1;
    }
    memset(buf, 1, bytes); /* fault every page in before timing */
    size_t n_words = bytes / sizeof(uint64_t);

    unsigned counts[2] = {1, all};
    int n_levels = all > 1 ? 2 : 1;
    double med[2], lo[2], hi[2];
    for (int l = 0; l < n_levels; l++) {
        double gbps[MAX_RUNS];
        measure(buf, n_words, counts[l], runs, gbps);
        qsort(gbps, (size_t)runs, sizeof(double), cmp_double);
        med[l] = runs % 2 == 1 ? gbps[runs / 2] : (gbps[runs / 2 - 1] + gbps[runs / 2]) / 2.0;
        lo[l] = gbps[0];
        hi[l] = gbps[runs - 1];
    }
    free(buf);

    if (json) {
        printf("{\"tool\": \"basket-membw\", \"buffer_mib\": %lu, \"runs\": %d, \"results\": [",
               size_mib, runs);
        for (int l = 0; l < n_levels; l++) {
            printf("%s{\"threads\": %u, \"gbps_median\": %.2f, \"gbps_min\": %.2f, "
                   "\"gbps_max\": %.2f}",
                   l == 0 ? "" : ", ", counts[l], med[l], lo[l], hi[l]);
        }
        printf("]}\n");
    } else {
        printf("sequential read of a %lu MiB buffer, median of %d runs\n", size_mib, runs);
        printf("%7s %10s %10s %10s\n", "threads", "GB/s", "min", "max");
        for (int l = 0; l < n_levels; l++) {
            printf("%7u %10.2f %10.2f %10.2f\n", counts[l], med[l], lo[l], hi[l]);
        }
    }
    return 0;
}
