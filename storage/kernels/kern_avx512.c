/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVX-512 kernels (F, BW, VL), compiled with ISA flags for this file only. Comparisons write
 * __mmask registers straight into the output bitmask; tails use masked loads, so there is no
 * scalar epilogue and no read past the input.
 */
#include <immintrin.h>
#include <string.h>

#include "kernels_int.h"

#ifndef __AVX512F__
# error "kern_avx512.c must be compiled with -mavx512f -mavx512bw -mavx512vl"
#endif

static __mmask16 lanes16(uint32_t left)
{
    uint32_t bits = left >= 16 ? 0xFFFFu : (1u << left) - 1;
    return (__mmask16)bits;
}

static __mmask8 lanes8(uint32_t left)
{
    uint32_t bits = left >= 8 ? 0xFFu : (1u << left) - 1;
    return (__mmask8)bits;
}

static __mmask32 lanes32(uint32_t left)
{
    return left >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((UINT32_C(1) << left) - 1);
}

static __mmask64 lanes64(uint32_t left)
{
    return left >= 64 ? (__mmask64)~UINT64_C(0) : (__mmask64)((UINT64_C(1) << left) - 1);
}

static void range_i32(uint32_t n, const int32_t *in, int32_t lo, int32_t hi, uint64_t *out)
{
    const __m512i vlo = _mm512_set1_epi32(lo), vhi = _mm512_set1_epi32(hi);
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 4 && base + 16 * k < n; k++) {
            __mmask16 lm = lanes16(n - base - 16 * k);
            __m512i v = _mm512_maskz_loadu_epi32(lm, in + base + 16 * k);
            __mmask16 m = _mm512_mask_cmp_epi32_mask(lm, v, vlo, _MM_CMPINT_NLT);
            m = _mm512_mask_cmp_epi32_mask(m, v, vhi, _MM_CMPINT_LE);
            w |= (uint64_t)m << (16 * k);
        }
        out[base / 64] = w;
    }
}

static void range_u32(uint32_t n, const uint32_t *in, uint32_t lo, uint32_t hi, uint64_t *out)
{
    const __m512i vlo = _mm512_set1_epi32((int)lo), vhi = _mm512_set1_epi32((int)hi);
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 4 && base + 16 * k < n; k++) {
            __mmask16 lm = lanes16(n - base - 16 * k);
            __m512i v = _mm512_maskz_loadu_epi32(lm, in + base + 16 * k);
            __mmask16 m = _mm512_mask_cmp_epu32_mask(lm, v, vlo, _MM_CMPINT_NLT);
            m = _mm512_mask_cmp_epu32_mask(m, v, vhi, _MM_CMPINT_LE);
            w |= (uint64_t)m << (16 * k);
        }
        out[base / 64] = w;
    }
}

static void range_i64(uint32_t n, const int64_t *in, int64_t lo, int64_t hi, uint64_t *out)
{
    const __m512i vlo = _mm512_set1_epi64(lo), vhi = _mm512_set1_epi64(hi);
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 8 && base + 8 * k < n; k++) {
            __mmask8 lm = lanes8(n - base - 8 * k);
            __m512i v = _mm512_maskz_loadu_epi64(lm, in + base + 8 * k);
            __mmask8 m = _mm512_mask_cmp_epi64_mask(lm, v, vlo, _MM_CMPINT_NLT);
            m = _mm512_mask_cmp_epi64_mask(m, v, vhi, _MM_CMPINT_LE);
            w |= (uint64_t)m << (8 * k);
        }
        out[base / 64] = w;
    }
}

static void range_i16(uint32_t n, const int16_t *in, int16_t lo, int16_t hi, uint64_t *out)
{
    const __m512i vlo = _mm512_set1_epi16(lo), vhi = _mm512_set1_epi16(hi);
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 2 && base + 32 * k < n; k++) {
            __mmask32 lm = lanes32(n - base - 32 * k);
            __m512i v = _mm512_maskz_loadu_epi16(lm, in + base + 32 * k);
            __mmask32 m = _mm512_mask_cmp_epi16_mask(lm, v, vlo, _MM_CMPINT_NLT);
            m = _mm512_mask_cmp_epi16_mask(m, v, vhi, _MM_CMPINT_LE);
            w |= (uint64_t)m << (32 * k);
        }
        out[base / 64] = w;
    }
}

static void range_u8(uint32_t n, const uint8_t *in, uint8_t lo, uint8_t hi, uint64_t *out)
{
    const __m512i vlo = _mm512_set1_epi8((char)lo), vhi = _mm512_set1_epi8((char)hi);
    for (uint32_t base = 0; base < n; base += 64) {
        __mmask64 lm = lanes64(n - base);
        __m512i v = _mm512_maskz_loadu_epi8(lm, in + base);
        __mmask64 m = _mm512_mask_cmp_epu8_mask(lm, v, vlo, _MM_CMPINT_NLT);
        m = _mm512_mask_cmp_epu8_mask(m, v, vhi, _MM_CMPINT_LE);
        out[base / 64] = (uint64_t)m;
    }
}

static void range_f64(uint32_t n, const double *in, double lo, double hi, uint64_t *out)
{
    const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi);
    const bool lo_nan = lo != lo, hi_nan = hi != hi;
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 8 && base + 8 * k < n; k++) {
            __mmask8 lm = lanes8(n - base - 8 * k);
            __m512d v = _mm512_maskz_loadu_pd(lm, in + base + 8 * k);
            __mmask8 nan = _mm512_mask_cmp_pd_mask(lm, v, v, _CMP_UNORD_Q);
            /* NaN is above every number and equal to itself. */
            __mmask8 ge_lo = lo_nan ? nan : (_mm512_mask_cmp_pd_mask(lm, v, vlo, _CMP_GE_OQ) | nan);
            __mmask8 le_hi = hi_nan ? lm : _mm512_mask_cmp_pd_mask(lm, v, vhi, _CMP_LE_OQ);
            w |= (uint64_t)(ge_lo & le_hi & lm) << (8 * k);
        }
        out[base / 64] = w;
    }
}

static void
member_u32(uint32_t n, const uint32_t *in, const uint64_t *set, uint32_t set_bits, uint64_t *out)
{
    const __m256i limit = _mm256_set1_epi32((int)set_bits);
    const __m512i sixty_three = _mm512_set1_epi64(63), one = _mm512_set1_epi64(1);
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 8 && base + 8 * k < n; k++) {
            __mmask8 lm = lanes8(n - base - 8 * k);
            __m256i codes = _mm256_maskz_loadu_epi32(lm, in + base + 8 * k);
            __mmask8 valid = _mm256_mask_cmp_epu32_mask(lm, codes, limit, _MM_CMPINT_LT);
            __m256i word_idx = _mm256_srli_epi32(codes, 6);
            __m512i words = _mm512_mask_i32gather_epi64(_mm512_setzero_si512(), valid, word_idx,
                                                        (const void *)set, 8);
            __m512i shift = _mm512_and_si512(_mm512_cvtepu32_epi64(codes), sixty_three);
            __m512i bit = _mm512_and_si512(_mm512_srlv_epi64(words, shift), one);
            __mmask8 m = _mm512_mask_test_epi64_mask(valid, bit, bit);
            w |= (uint64_t)m << (8 * k);
        }
        out[base / 64] = w;
    }
}

static uint32_t mask_to_sel(uint32_t n, const uint64_t *mask, uint32_t *sel)
{
    const __m512i step = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    uint32_t k = 0;
    for (uint32_t base = 0; base < n; base += 16) {
        __mmask16 m = (__mmask16)((mask[base / 64] >> (base % 64)) & lanes16(n - base));
        if (m == 0) {
            continue;
        }
        __m512i idx = _mm512_add_epi32(_mm512_set1_epi32((int)base), step);
        _mm512_mask_compressstoreu_epi32(sel + k, m, idx);
        k += (uint32_t)__builtin_popcount(m);
    }
    return k;
}

static uint64_t popcount(uint32_t n, const uint64_t *mask)
{
    uint64_t c = 0;
    uint32_t words = n / 64;
    for (uint32_t w = 0; w < words; w++) {
        c += (uint64_t)__builtin_popcountll(mask[w]);
    }
    if ((n & 63) != 0) {
        c += (uint64_t)__builtin_popcountll(mask[words] & ((UINT64_C(1) << (n & 63)) - 1));
    }
    return c;
}

/* The lane mask of rows [base, base + 16) under `mask` (all when mask is NULL). */
static __mmask16 sel16(const uint64_t *mask, uint32_t n, uint32_t base)
{
    uint64_t bits = lanes16(n - base);
    if (mask != NULL) {
        bits &= mask[base / 64] >> (base % 64);
    }
    return (__mmask16)bits;
}

static __mmask8 sel8(const uint64_t *mask, uint32_t n, uint32_t base)
{
    uint64_t bits = lanes8(n - base);
    if (mask != NULL) {
        bits &= mask[base / 64] >> (base % 64);
    }
    return (__mmask8)bits;
}

static int64_t sum_i32(uint32_t n, const int32_t *in, const uint64_t *mask)
{
    __m512i acc = _mm512_setzero_si512();
    for (uint32_t base = 0; base < n; base += 16) {
        __mmask16 m = sel16(mask, n, base);
        __m512i v = _mm512_maskz_loadu_epi32(m, in + base);
        acc = _mm512_add_epi64(acc, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v)));
        acc = _mm512_add_epi64(acc, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1)));
    }
    return _mm512_reduce_add_epi64(acc);
}

static bk_i128 sum_i64(uint32_t n, const int64_t *in, const uint64_t *mask)
{
    /* Exact: low 32 bits (unsigned) and high 32 bits (signed) are summed apart in 64-bit
     * lanes, which cannot overflow for n < 2^32, and combined in 128 bits at the end. */
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    const __m512i low_mask = _mm512_set1_epi64(0xFFFFFFFF);
    for (uint32_t base = 0; base < n; base += 8) {
        __mmask8 m = sel8(mask, n, base);
        __m512i v = _mm512_maskz_loadu_epi64(m, in + base);
        lo = _mm512_add_epi64(lo, _mm512_and_si512(v, low_mask));
        hi = _mm512_add_epi64(hi, _mm512_srai_epi64(v, 32));
    }
    int64_t l[8], h[8];
    _mm512_storeu_si512(l, lo);
    _mm512_storeu_si512(h, hi);
    bk_i128 s = 0;
    for (int i = 0; i < 8; i++) {
        s += (bk_i128)(uint64_t)l[i] + (bk_i128)h[i] * ((bk_i128)1 << 32);
    }
    return s;
}

static double sum_f64(uint32_t n, const double *in, const uint64_t *mask)
{
    __m512d acc = _mm512_setzero_pd();
    for (uint32_t base = 0; base < n; base += 8) {
        __mmask8 m = sel8(mask, n, base);
        acc = _mm512_mask_add_pd(acc, m, acc, _mm512_maskz_loadu_pd(m, in + base));
    }
    double lanes[8];
    _mm512_storeu_pd(lanes, acc);
    double s = 0;
    for (int l = 0; l < 8; l++) {
        s += lanes[l];
    }
    return s;
}

#define MINMAX512(NAME, T, W, SET1, LOAD, OP, REDUCE, IDENT, SEL)        \
 static bool NAME(uint32_t n, const T *in, const uint64_t *mask, T *out) \
 {                                                                       \
  __m512i acc = SET1(IDENT);                                             \
  bool any = false;                                                      \
  for (uint32_t base = 0; base < n; base += W) {                         \
   __typeof__(SEL(mask, n, base)) m = SEL(mask, n, base);                \
   if (m == 0) {                                                         \
    continue;                                                            \
   }                                                                     \
   any = true;                                                           \
   acc = OP(acc, m, acc, LOAD(m, in + base));                            \
  }                                                                      \
  if (any) {                                                             \
   *out = (T)REDUCE(acc);                                                \
  }                                                                      \
  return any;                                                            \
 }

MINMAX512(min_i64,
          int64_t,
          8,
          _mm512_set1_epi64,
          _mm512_maskz_loadu_epi64,
          _mm512_mask_min_epi64,
          _mm512_reduce_min_epi64,
          INT64_MAX,
          sel8)
MINMAX512(max_i64,
          int64_t,
          8,
          _mm512_set1_epi64,
          _mm512_maskz_loadu_epi64,
          _mm512_mask_max_epi64,
          _mm512_reduce_max_epi64,
          INT64_MIN,
          sel8)
MINMAX512(min_i32,
          int32_t,
          16,
          _mm512_set1_epi32,
          _mm512_maskz_loadu_epi32,
          _mm512_mask_min_epi32,
          _mm512_reduce_min_epi32,
          INT32_MAX,
          sel16)
MINMAX512(max_i32,
          int32_t,
          16,
          _mm512_set1_epi32,
          _mm512_maskz_loadu_epi32,
          _mm512_mask_max_epi32,
          _mm512_reduce_max_epi32,
          INT32_MIN,
          sel16)

const bk_kern_table bk_kern_avx512 = {
    .name = "avx512",
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
