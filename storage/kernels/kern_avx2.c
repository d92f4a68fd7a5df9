/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AVX2 kernels (with BMI2 and POPCNT), compiled with ISA flags for this file only. Each full
 * 64-row word is computed with vector compares and movemask; the last partial word falls back
 * to the scalar loop of this file, so nothing is read past the input.
 */
#include <immintrin.h>
#include <string.h>

#include "kernels_int.h"

#ifndef __AVX2__
# error "kern_avx2.c must be compiled with -mavx2 -mbmi2 -mpopcnt"
#endif

#define TAIL_RANGE(T, in, lo, hi, base, n, out) \
 do {                                           \
  uint64_t w_ = 0;                              \
  for (uint32_t i_ = (base); i_ < (n); i_++) {  \
   if ((in)[i_] >= (lo) && (in)[i_] <= (hi)) {  \
    w_ |= UINT64_C(1) << (i_ - (base));         \
   }                                            \
  }                                             \
  (out)[(base) / 64] = w_;                      \
 } while (0)

static void range_i32(uint32_t n, const int32_t *in, int32_t lo, int32_t hi, uint64_t *out)
{
    const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
    uint32_t base = 0;
    for (; base + 64 <= n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 8; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(in + base + 8 * k));
            __m256i out_of =
                _mm256_or_si256(_mm256_cmpgt_epi32(vlo, v), _mm256_cmpgt_epi32(v, vhi));
            uint32_t m = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(out_of)) ^ 0xFFu;
            w |= (uint64_t)m << (8 * k);
        }
        out[base / 64] = w;
    }
    if (base < n) {
        TAIL_RANGE(int32_t, in, lo, hi, base, n, out);
    }
}

static void range_u32(uint32_t n, const uint32_t *in, uint32_t lo, uint32_t hi, uint64_t *out)
{
    /* Unsigned order through signed compares: flip the sign bit of both sides. */
    const __m256i flip = _mm256_set1_epi32(INT32_MIN);
    const __m256i vlo = _mm256_set1_epi32((int32_t)(lo ^ 0x80000000u));
    const __m256i vhi = _mm256_set1_epi32((int32_t)(hi ^ 0x80000000u));
    uint32_t base = 0;
    for (; base + 64 <= n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 8; k++) {
            __m256i v =
                _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(in + base + 8 * k)), flip);
            __m256i out_of =
                _mm256_or_si256(_mm256_cmpgt_epi32(vlo, v), _mm256_cmpgt_epi32(v, vhi));
            uint32_t m = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(out_of)) ^ 0xFFu;
            w |= (uint64_t)m << (8 * k);
        }
        out[base / 64] = w;
    }
    if (base < n) {
        TAIL_RANGE(uint32_t, in, lo, hi, base, n, out);
    }
}

static void range_i64(uint32_t n, const int64_t *in, int64_t lo, int64_t hi, uint64_t *out)
{
    const __m256i vlo = _mm256_set1_epi64x(lo), vhi = _mm256_set1_epi64x(hi);
    uint32_t base = 0;
    for (; base + 64 <= n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 16; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(in + base + 4 * k));
            __m256i out_of =
                _mm256_or_si256(_mm256_cmpgt_epi64(vlo, v), _mm256_cmpgt_epi64(v, vhi));
            uint32_t m = (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(out_of)) ^ 0xFu;
            w |= (uint64_t)m << (4 * k);
        }
        out[base / 64] = w;
    }
    if (base < n) {
        TAIL_RANGE(int64_t, in, lo, hi, base, n, out);
    }
}

static void range_i16(uint32_t n, const int16_t *in, int16_t lo, int16_t hi, uint64_t *out)
{
    const __m256i vlo = _mm256_set1_epi16(lo), vhi = _mm256_set1_epi16(hi);
    uint32_t base = 0;
    for (; base + 64 <= n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 4; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(in + base + 16 * k));
            __m256i out_of =
                _mm256_or_si256(_mm256_cmpgt_epi16(vlo, v), _mm256_cmpgt_epi16(v, vhi));
            /* movemask gives 2 bits per 16-bit lane; keep one of each pair. */
            uint32_t bytes = (uint32_t)_mm256_movemask_epi8(out_of);
            uint32_t m = (uint32_t)_pext_u32(bytes, 0x55555555u) ^ 0xFFFFu;
            w |= (uint64_t)m << (16 * k);
        }
        out[base / 64] = w;
    }
    if (base < n) {
        TAIL_RANGE(int16_t, in, lo, hi, base, n, out);
    }
}

static void range_u8(uint32_t n, const uint8_t *in, uint8_t lo, uint8_t hi, uint64_t *out)
{
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    const __m256i vlo = _mm256_set1_epi8((char)(lo ^ 0x80)),
                  vhi = _mm256_set1_epi8((char)(hi ^ 0x80));
    uint32_t base = 0;
    for (; base + 64 <= n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 2; k++) {
            __m256i v =
                _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(in + base + 32 * k)), flip);
            __m256i out_of = _mm256_or_si256(_mm256_cmpgt_epi8(vlo, v), _mm256_cmpgt_epi8(v, vhi));
            uint32_t m = ~(uint32_t)_mm256_movemask_epi8(out_of);
            w |= (uint64_t)m << (32 * k);
        }
        out[base / 64] = w;
    }
    if (base < n) {
        TAIL_RANGE(uint8_t, in, lo, hi, base, n, out);
    }
}

/* PostgreSQL's float order, per row: NaN is the top value and equals itself. */
static bool in_range_f64(double x, double lo, double hi)
{
    bool xn = x != x, lon = lo != lo, hin = hi != hi;
    bool ge_lo = lon ? xn : (xn || x >= lo);
    bool le_hi = hin ? true : (!xn && x <= hi);
    return ge_lo && le_hi;
}

static void range_f64(uint32_t n, const double *in, double lo, double hi, uint64_t *out)
{
    const __m256d vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
    const bool lo_nan = lo != lo, hi_nan = hi != hi;
    uint32_t base = 0;
    for (; base + 64 <= n; base += 64) {
        uint64_t w = 0;
        for (uint32_t k = 0; k < 16; k++) {
            __m256d v = _mm256_loadu_pd(in + base + 4 * k);
            uint32_t nan = (uint32_t)_mm256_movemask_pd(_mm256_cmp_pd(v, v, _CMP_UNORD_Q));
            uint32_t ge =
                lo_nan ? nan
                       : ((uint32_t)_mm256_movemask_pd(_mm256_cmp_pd(v, vlo, _CMP_GE_OQ)) | nan);
            uint32_t le =
                hi_nan ? 0xFu : (uint32_t)_mm256_movemask_pd(_mm256_cmp_pd(v, vhi, _CMP_LE_OQ));
            w |= (uint64_t)(ge & le) << (4 * k);
        }
        out[base / 64] = w;
    }
    if (base < n) {
        uint64_t w = 0;
        for (uint32_t i = base; i < n; i++) {
            if (in_range_f64(in[i], lo, hi)) {
                w |= UINT64_C(1) << (i - base);
            }
        }
        out[base / 64] = w;
    }
}

static void
member_u32(uint32_t n, const uint32_t *in, const uint64_t *set, uint32_t set_bits, uint64_t *out)
{
    /* Gathers are slow on AVX2 parts; a branch-free scalar loop vectorises as well as needed. */
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = 0;
        uint32_t end = n - base < 64 ? n - base : 64;
        for (uint32_t i = 0; i < end; i++) {
            uint32_t code = in[base + i];
            uint64_t hit = code < set_bits ? (set[code / 64] >> (code % 64)) & 1 : 0;
            w |= hit << i;
        }
        out[base / 64] = w;
    }
}

static uint32_t mask_to_sel(uint32_t n, const uint64_t *mask, uint32_t *sel)
{
    uint32_t k = 0;
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = mask[base / 64];
        if (n - base < 64) {
            w &= (UINT64_C(1) << (n - base)) - 1;
        }
        while (w != 0) {
            sel[k++] = base + (uint32_t)__builtin_ctzll(w);
            w &= w - 1;
        }
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

/* The mask word covering rows [base, base + 64), with bits past n cleared. */
static uint64_t word_at(const uint64_t *mask, uint32_t n, uint32_t base)
{
    uint64_t w = mask == NULL ? ~UINT64_C(0) : mask[base / 64];
    if (n - base < 64) {
        w &= (UINT64_C(1) << (n - base)) - 1;
    }
    return w;
}

static int64_t sum_i32(uint32_t n, const int32_t *in, const uint64_t *mask)
{
    __m256i acc = _mm256_setzero_si256();
    int64_t tail = 0;
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = word_at(mask, n, base);
        if (w == ~UINT64_C(0)) {
            for (uint32_t k = 0; k < 16; k++) {
                __m128i v = _mm_loadu_si128((const __m128i *)(in + base + 4 * k));
                acc = _mm256_add_epi64(acc, _mm256_cvtepi32_epi64(v));
            }
            continue;
        }
        while (w != 0) {
            tail += in[base + (uint32_t)__builtin_ctzll(w)];
            w &= w - 1;
        }
    }
    int64_t l[4];
    _mm256_storeu_si256((__m256i *)l, acc);
    return tail + l[0] + l[1] + l[2] + l[3];
}

static bk_i128 sum_i64(uint32_t n, const int64_t *in, const uint64_t *mask)
{
    /* Low 32 bits (unsigned) and high 32 bits (signed) summed apart: exact for n < 2^32. */
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
    const __m256i low_mask = _mm256_set1_epi64x(0xFFFFFFFF);
    bk_i128 tail = 0;
    for (uint32_t base = 0; base < n; base += 64) {
        uint64_t w = word_at(mask, n, base);
        if (w == ~UINT64_C(0)) {
            for (uint32_t k = 0; k < 16; k++) {
                __m256i v = _mm256_loadu_si256((const __m256i *)(in + base + 4 * k));
                lo = _mm256_add_epi64(lo, _mm256_and_si256(v, low_mask));
                /* AVX2 has no 64-bit arithmetic shift: shift logically, then sign-extend. */
                __m256i h = _mm256_srli_epi64(v, 32);
                __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
                h = _mm256_or_si256(h, _mm256_slli_epi64(sign, 32));
                hi = _mm256_add_epi64(hi, h);
            }
            continue;
        }
        while (w != 0) {
            tail += in[base + (uint32_t)__builtin_ctzll(w)];
            w &= w - 1;
        }
    }
    int64_t l[4], h[4];
    _mm256_storeu_si256((__m256i *)l, lo);
    _mm256_storeu_si256((__m256i *)h, hi);
    bk_i128 s = tail;
    for (int i = 0; i < 4; i++) {
        s += (bk_i128)(uint64_t)l[i] + (bk_i128)h[i] * ((bk_i128)1 << 32);
    }
    return s;
}

static double sum_f64(uint32_t n, const double *in, const uint64_t *mask)
{
    /* Lanes 0-3 in a, 4-7 in b: row i goes to lane i % 8, as the reference does. */
    __m256d a = _mm256_setzero_pd(), b = _mm256_setzero_pd();
    for (uint32_t base = 0; base < n; base += 8) {
        uint32_t left = n - base;
        uint64_t bits = mask == NULL ? 0xFFu : (mask[base / 64] >> (base % 64)) & 0xFFu;
        if (left < 8) {
            bits &= (1u << left) - 1;
        }
        __m256i lane = _mm256_set_epi64x(8, 4, 2, 1);
        __m256i ma =
            _mm256_cmpeq_epi64(_mm256_and_si256(_mm256_set1_epi64x((int64_t)bits), lane), lane);
        __m256i mb = _mm256_cmpeq_epi64(
            _mm256_and_si256(_mm256_set1_epi64x((int64_t)(bits >> 4)), lane), lane);
        __m256d va = _mm256_maskload_pd(in + base, ma);
        __m256d vb = left > 4 ? _mm256_maskload_pd(in + base + 4, mb) : _mm256_setzero_pd();
        a = _mm256_add_pd(a, va);
        b = _mm256_add_pd(b, vb);
    }
    double la[4], lb[4];
    _mm256_storeu_pd(la, a);
    _mm256_storeu_pd(lb, b);
    return ((((((la[0] + la[1]) + la[2]) + la[3]) + lb[0]) + lb[1]) + lb[2]) + lb[3];
}

#define MINMAX_AVX2(NAME, T, BETTER)                                     \
 static bool NAME(uint32_t n, const T *in, const uint64_t *mask, T *out) \
 {                                                                       \
  bool any = false;                                                      \
  T best = 0;                                                            \
  for (uint32_t base = 0; base < n; base += 64) {                        \
   uint64_t w = word_at(mask, n, base);                                  \
   while (w != 0) {                                                      \
    T v = in[base + (uint32_t)__builtin_ctzll(w)];                       \
    if (!any || v BETTER best) {                                         \
     best = v;                                                           \
     any = true;                                                         \
    }                                                                    \
    w &= w - 1;                                                          \
   }                                                                     \
  }                                                                      \
  if (any) {                                                             \
   *out = best;                                                          \
  }                                                                      \
  return any;                                                            \
 }

MINMAX_AVX2(min_i64, int64_t, <)
MINMAX_AVX2(max_i64, int64_t, >)
MINMAX_AVX2(min_i32, int32_t, <)
MINMAX_AVX2(max_i32, int32_t, >)

const bk_kern_table bk_kern_avx2 = {
    .name = "avx2",
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
