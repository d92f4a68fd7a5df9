/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIMD kernels: signatures and the dispatch table. Plain C types only; no intrinsics here
 * (STYLE §6: ISA code never leaks out of the *_avx2.c / *_avx512.c files).
 *
 * Predicates produce bitmasks, not selection vectors: bit i of out[i / 64] is set when row i
 * matches. AVX-512 comparisons yield such masks directly, conjunctions become word-wise ANDs,
 * NULLs are removed by ANDing the validity bitmap, and count(*) is a popcount. A selection
 * vector is made once, at the end, only when rows must be materialised.
 *
 * Contracts shared by every kernel:
 *   - any n (including 0) and any alignment of the inputs;
 *   - masks have ceil(n / 64) words; bits at positions >= n in the last word are zero on
 *     output and ignored on input;
 *   - no allocation, no errors, no global state.
 */
#ifndef BK_STORAGE_KERNELS_KERNELS_INT_H
#define BK_STORAGE_KERNELS_KERNELS_INT_H

#include <stdint.h>

#include "storage.h"

typedef struct bk_kern_table {
    const char *name; /* "scalar", "avx2", "avx512" */

    /* out = (lo <= in[i] && in[i] <= hi). Equality is lo == hi; lo > hi gives no rows. */
    void (*range_u8)(uint32_t n, const uint8_t *in, uint8_t lo, uint8_t hi, uint64_t *out);
    void (*range_i16)(uint32_t n, const int16_t *in, int16_t lo, int16_t hi, uint64_t *out);
    void (*range_i32)(uint32_t n, const int32_t *in, int32_t lo, int32_t hi, uint64_t *out);
    void (*range_u32)(uint32_t n, const uint32_t *in, uint32_t lo, uint32_t hi, uint64_t *out);
    void (*range_i64)(uint32_t n, const int64_t *in, int64_t lo, int64_t hi, uint64_t *out);
    /*
     * Doubles in PostgreSQL's total order: NaN equals NaN and is above every number, so a
     * NaN bound is the top of the range; -0 and 0 are equal.
     */
    void (*range_f64)(uint32_t n, const double *in, double lo, double hi, uint64_t *out);
    /* out = bit in[i] of `set` (dictionary-code IN lists, LIKE 'prefix%'); codes >= set_bits
     * are not members. */
    void (*member_u32)(uint32_t n,
                       const uint32_t *in,
                       const uint64_t *set,
                       uint32_t set_bits,
                       uint64_t *out);

    /* Row numbers of the set bits, ascending. Returns their count. */
    uint32_t (*mask_to_sel)(uint32_t n, const uint64_t *mask, uint32_t *sel);
    /* Number of set bits among the first n. */
    uint64_t (*popcount)(uint32_t n, const uint64_t *mask);

    /* Sums of the rows whose mask bit is set (mask NULL = all rows). */
    int64_t (*sum_i32)(uint32_t n, const int32_t *in, const uint64_t *mask);
    bk_i128 (*sum_i64)(uint32_t n, const int64_t *in, const uint64_t *mask);
    /*
     * Doubles are summed in 8 interleaved lanes (row i into lane i % 8), then the lanes are
     * added in order 0..7: a fixed association every variant reproduces bit for bit.
     */
    double (*sum_f64)(uint32_t n, const double *in, const uint64_t *mask);
    /* Minimum / maximum of the selected rows; false when no row is selected. */
    bool (*min_i64)(uint32_t n, const int64_t *in, const uint64_t *mask, int64_t *out);
    bool (*max_i64)(uint32_t n, const int64_t *in, const uint64_t *mask, int64_t *out);
    bool (*min_i32)(uint32_t n, const int32_t *in, const uint64_t *mask, int32_t *out);
    bool (*max_i32)(uint32_t n, const int32_t *in, const uint64_t *mask, int32_t *out);
} bk_kern_table;

/* The table for the level bk_cpu_isa() chose (BASKET_SIMD can lower it). */
const bk_kern_table *bk_kern(void);
/* The table of a given level, or NULL when this CPU cannot run it. */
const bk_kern_table *bk_kern_for(bk_isa isa);

/* The variants, each defined in its own file. */
extern const bk_kern_table bk_kern_scalar;
extern const bk_kern_table bk_kern_avx2;
extern const bk_kern_table bk_kern_avx512;

/* Mask helpers (plain word loops; the compiler vectorises them at any level). */
static inline uint64_t bk_mask_words(uint32_t n)
{
    return ((uint64_t)n + 63) / 64;
}

/* Clears the bits at positions >= n in the last word. */
static inline void bk_mask_trim(uint32_t n, uint64_t *mask)
{
    if ((n & 63) != 0) {
        mask[n / 64] &= (UINT64_C(1) << (n & 63)) - 1;
    }
}

#endif /* BK_STORAGE_KERNELS_KERNELS_INT_H */
