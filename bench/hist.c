/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The latency histogram of basket-bench and the per-statement statistics built on it.
 *
 * HdrHistogram's idea with fixed parameters: bucket index = (power of two, linear sub-bucket),
 * so recording is a count-leading-zeros and an increment, memory is fixed whatever the run
 * length, and per-thread histograms merge by adding counts. Each client thread owns its
 * histograms and nothing is shared while the run is going; the main thread merges them after
 * joining the threads.
 */
#include <string.h>

#include "bench_int.h"

#define SUB_COUNT ((uint64_t)1 << BK_HIST_SUB_BITS)
#define HALF_SUB  ((uint64_t)1 << (BK_HIST_SUB_BITS - 1))

void bk_hist_init(bk_hist *h)
{
    memset(h, 0, sizeof(*h));
    h->min_ns = UINT64_MAX;
}

static uint32_t hist_index(uint64_t v)
{
    if (v < SUB_COUNT) {
        return (uint32_t)v;
    }
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    if (msb >= BK_HIST_MAX_BITS) {
        return BK_HIST_N_BUCKETS - 1;
    }
    /* v >> shift lies in [HALF_SUB, SUB_COUNT): the top BK_HIST_SUB_BITS bits of v. */
    unsigned shift = msb - (BK_HIST_SUB_BITS - 1);
    uint64_t sub = (v >> shift) - HALF_SUB;
    return (uint32_t)(SUB_COUNT + (msb - BK_HIST_SUB_BITS) * HALF_SUB + sub);
}

/* Lower bound and width of bucket `i`. */
static void hist_bucket(uint32_t i, uint64_t *out_lo, uint64_t *out_width)
{
    if (i < SUB_COUNT) {
        *out_lo = i;
        *out_width = 1;
        return;
    }
    uint64_t k = i - SUB_COUNT;
    unsigned msb = BK_HIST_SUB_BITS + (unsigned)(k / HALF_SUB);
    unsigned shift = msb - (BK_HIST_SUB_BITS - 1);
    *out_lo = (HALF_SUB + k % HALF_SUB) << shift;
    *out_width = (uint64_t)1 << shift;
}

void bk_hist_record(bk_hist *h, uint64_t ns)
{
    h->counts[hist_index(ns)]++;
    h->n++;
    h->sum_ns += ns;
    if (ns < h->min_ns) {
        h->min_ns = ns;
    }
    if (ns > h->max_ns) {
        h->max_ns = ns;
    }
}

void bk_hist_merge(bk_hist *dst, const bk_hist *src)
{
    if (src->n == 0) {
        return;
    }
    for (uint32_t i = 0; i < BK_HIST_N_BUCKETS; i++) {
        dst->counts[i] += src->counts[i];
    }
    dst->n += src->n;
    dst->sum_ns += src->sum_ns;
    dst->min_ns = BK_MIN(dst->min_ns, src->min_ns);
    dst->max_ns = BK_MAX(dst->max_ns, src->max_ns);
}

double bk_hist_percentile(const bk_hist *h, double q)
{
    if (h->n == 0) {
        return 0.0;
    }
    if (q >= 1.0) {
        return (double)h->max_ns;
    }
    double want_d = q * (double)h->n;
    uint64_t want = (uint64_t)want_d;
    if ((double)want < want_d || want == 0) {
        want++;
    }
    uint64_t seen = 0;
    for (uint32_t i = 0; i < BK_HIST_N_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            uint64_t lo, width;
            hist_bucket(i, &lo, &width);
            double mid = (double)lo + (double)(width - 1) / 2.0;
            if (mid < (double)h->min_ns) {
                mid = (double)h->min_ns;
            }
            if (mid > (double)h->max_ns) {
                mid = (double)h->max_ns;
            }
            return mid;
        }
    }
    return (double)h->max_ns;
}

void bk_stat_init(bk_stat *st)
{
    st->count = 0;
    st->errors = 0;
    st->rows = 0;
    st->bytes = 0;
    st->first_error_ns = 0;
    st->first_sqlstate[0] = '\0';
    st->first_message[0] = '\0';
    bk_hist_init(&st->hist);
}

void bk_stat_merge(bk_stat *dst, const bk_stat *src)
{
    dst->count += src->count;
    dst->errors += src->errors;
    dst->rows += src->rows;
    dst->bytes += src->bytes;
    /* Keep the error that happened first, whichever client saw it. */
    if (src->first_sqlstate[0] != '\0' &&
        (dst->first_sqlstate[0] == '\0' || src->first_error_ns < dst->first_error_ns)) {
        dst->first_error_ns = src->first_error_ns;
        memcpy(dst->first_sqlstate, src->first_sqlstate, sizeof(dst->first_sqlstate));
        memcpy(dst->first_message, src->first_message, sizeof(dst->first_message));
    }
    bk_hist_merge(&dst->hist, &src->hist);
}
