/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reference kernels: the simplest correct loops, one row at a time. They are the
 * specification every SIMD variant is tested against, byte for byte, and are never edited
 * for speed (STYLE §6).
 */
#include <math.h>
#include <string.h>

#include "kernels_int.h"

static void set_bit(uint64_t *out, uint32_t i, bool v)
{
    if (v) {
        out[i / 64] |= UINT64_C(1) << (i % 64);
    }
}

static bool get_bit(const uint64_t *mask, uint32_t i)
{
    return mask == NULL || (mask[i / 64] >> (i % 64) & 1) != 0;
}

#define RANGE_SCALAR(NAME, T)                                         \
 static void NAME(uint32_t n, const T *in, T lo, T hi, uint64_t *out) \
 {                                                                    \
  memset(out, 0, bk_mask_words(n) * sizeof(uint64_t));                \
  for (uint32_t i = 0; i < n; i++) {                                  \
   set_bit(out, i, in[i] >= lo && in[i] <= hi);                       \
  }                                                                   \
 }

RANGE_SCALAR(range_u8, uint8_t)
RANGE_SCALAR(range_i16, int16_t)
RANGE_SCALAR(range_i32, int32_t)
RANGE_SCALAR(range_u32, uint32_t)
RANGE_SCALAR(range_i64, int64_t)

/* PostgreSQL's float order: NaN is the largest value and equals itself. */
static int cmp_f64(double a, double b)
{
    if (isnan(a)) {
        return isnan(b) ? 0 : 1;
    }
    if (isnan(b)) {
        return -1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

static void range_f64(uint32_t n, const double *in, double lo, double hi, uint64_t *out)
{
    memset(out, 0, bk_mask_words(n) * sizeof(uint64_t));
    for (uint32_t i = 0; i < n; i++) {
        set_bit(out, i, cmp_f64(lo, in[i]) <= 0 && cmp_f64(in[i], hi) <= 0);
    }
}

static void
member_u32(uint32_t n, const uint32_t *in, const uint64_t *set, uint32_t set_bits, uint64_t *out)
{
    memset(out, 0, bk_mask_words(n) * sizeof(uint64_t));
    for (uint32_t i = 0; i < n; i++) {
        set_bit(out, i, in[i] < set_bits && get_bit(set, in[i]));
    }
}

static uint32_t mask_to_sel(uint32_t n, const uint64_t *mask, uint32_t *sel)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (get_bit(mask, i)) {
            sel[k++] = i;
        }
    }
    return k;
}

static uint64_t popcount(uint32_t n, const uint64_t *mask)
{
    uint64_t c = 0;
    for (uint32_t i = 0; i < n; i++) {
        c += get_bit(mask, i);
    }
    return c;
}

static int64_t sum_i32(uint32_t n, const int32_t *in, const uint64_t *mask)
{
    int64_t s = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (get_bit(mask, i)) {
            s += in[i];
        }
    }
    return s;
}

static bk_i128 sum_i64(uint32_t n, const int64_t *in, const uint64_t *mask)
{
    bk_i128 s = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (get_bit(mask, i)) {
            s += in[i];
        }
    }
    return s;
}

static double sum_f64(uint32_t n, const double *in, const uint64_t *mask)
{
    double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (uint32_t i = 0; i < n; i++) {
        if (get_bit(mask, i)) {
            lanes[i % 8] += in[i];
        }
    }
    double s = 0;
    for (int l = 0; l < 8; l++) {
        s += lanes[l];
    }
    return s;
}

#define MINMAX_SCALAR(NAME, T, BETTER)                                   \
 static bool NAME(uint32_t n, const T *in, const uint64_t *mask, T *out) \
 {                                                                       \
  bool any = false;                                                      \
  T best = 0;                                                            \
  for (uint32_t i = 0; i < n; i++) {                                     \
   if (get_bit(mask, i) && (!any || in[i] BETTER best)) {                \
    best = in[i];                                                        \
    any = true;                                                          \
   }                                                                     \
  }                                                                      \
  if (any) {                                                             \
   *out = best;                                                          \
  }                                                                      \
  return any;                                                            \
 }

MINMAX_SCALAR(min_i64, int64_t, <)
MINMAX_SCALAR(max_i64, int64_t, >)
MINMAX_SCALAR(min_i32, int32_t, <)
MINMAX_SCALAR(max_i32, int32_t, >)

const bk_kern_table bk_kern_scalar = {
    .name = "scalar",
    .range_u8 = range_u8,
    .range_i16 = range_i16,
    .range_i32 = range_i32,
    .range_u32 = range_u32,
    .range_i64 = range_i64,
    .range_f64 = range_f64,
    .member_u32 = member_u32,
    .mask_to_sel = mask_to_sel,
    .popcount = popcount,
    .sum_i32 = sum_i32,
    .sum_i64 = sum_i64,
    .sum_f64 = sum_f64,
    .min_i64 = min_i64,
    .max_i64 = max_i64,
    .min_i32 = min_i32,
    .max_i32 = max_i32,
};
