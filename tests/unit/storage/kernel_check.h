/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Property checks shared by test_kernels.c (scalar and AVX2) and test_kernels_avx512.c: every
 * kernel of a table is run on seeded random inputs -- every length 0..130 and 100,003, every
 * byte misalignment 0..63 of the input, masks that select nothing, everything or random
 * rows, boundary values -- and its output compared byte for byte with the scalar reference.
 */
#ifndef BK_TESTS_UNIT_STORAGE_KERNEL_CHECK_H
#define BK_TESTS_UNIT_STORAGE_KERNEL_CHECK_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "kernels/kernels_int.h"

#define KC_MAX_N 100003u
#define KC_SLACK 64u

typedef struct kc_buf {
    uint8_t *raw; /* allocation, KC_SLACK bytes before/after the data */
    void *data;   /* misaligned view */
} kc_buf;

/*
 * `bytes` of `elem`-sized values starting `misalign` bytes past a 64-byte boundary, rounded
 * down to a multiple of the element size: vectors see every alignment, while each element
 * stays aligned for its type (a misaligned int16_t is undefined behaviour in C).
 */
static void *kc_alloc_elems(kc_buf *b, size_t elem, size_t bytes, size_t misalign)
{
    b->raw = aligned_alloc(64, (bytes + 2 * KC_SLACK + 63) / 64 * 64);
    assert_non_null(b->raw);
    b->data = b->raw + KC_SLACK + misalign / elem * elem;
    return b->data;
}

static uint64_t *kc_mask_new(void)
{
    uint64_t *m = calloc(KC_MAX_N / 64 + 2, sizeof(uint64_t));
    assert_non_null(m);
    return m;
}

/* Fills a mask: kind 0 none, 1 all, 2 random, 3 sparse; bits past n are garbage on purpose. */
static void kc_fill_mask(bk_test_rng *r, uint64_t *m, uint32_t n, int kind)
{
    size_t words = (size_t)n / 64 + 1;
    for (size_t w = 0; w < words; w++) {
        switch (kind) {
        case 0:
            m[w] = 0;
            break;
        case 1:
            m[w] = ~UINT64_C(0);
            break;
        case 2:
            m[w] = bk_test_rng_next(r);
            break;
        default:
            m[w] = bk_test_rng_next(r) & bk_test_rng_next(r) & bk_test_rng_next(r);
            break;
        }
    }
    if ((n & 63) != 0) {
        m[n / 64] |= ~((UINT64_C(1) << (n & 63)) - 1); /* garbage the kernels must ignore */
    }
}

static void
kc_expect_masks(const uint64_t *a, const uint64_t *b, uint32_t n, const char *what, uint32_t off)
{
    size_t words = (n + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        if (a[w] != b[w]) {
            fail_msg("%s: mask word %zu differs for n=%u misalign=%u: %016llx vs %016llx", what, w,
                     n, off, (unsigned long long)a[w], (unsigned long long)b[w]);
        }
    }
}

/* Lengths to try: 0..130 and the big one. */
static uint32_t kc_length(uint32_t i)
{
    return i <= 130 ? i : KC_MAX_N;
}

#define KC_N_LENGTHS 132u

static int64_t kc_pick_i64(bk_test_rng *r, int64_t span)
{
    /* Mostly small values so ranges hit, sometimes the extremes. */
    switch (bk_test_rng_below(r, 16)) {
    case 0:
        return INT64_MIN;
    case 1:
        return INT64_MAX;
    case 2:
        return 0;
    default:
        return bk_test_rng_range(r, -span, span);
    }
}

#define KC_RANGE_CHECK(ref, t, FIELD, T, MINV, MAXV, SPAN, STREAM)                    \
 do {                                                                                 \
  bk_test_rng r;                                                                      \
  bk_test_rng_init(&r, (STREAM));                                                     \
  uint64_t *m1 = kc_mask_new(), *m2 = kc_mask_new();                                  \
  for (uint32_t li = 0; li < KC_N_LENGTHS; li++) {                                    \
   uint32_t n = kc_length(li);                                                        \
   uint32_t off = (uint32_t)bk_test_rng_below(&r, 64);                                \
   kc_buf b;                                                                          \
   T *in = kc_alloc_elems(&b, sizeof(T), sizeof(T) * n, off);                         \
   for (uint32_t i = 0; i < n; i++) {                                                 \
    int64_t v = kc_pick_i64(&r, (SPAN));                                              \
    in[i] = v < (int64_t)(MINV) ? (T)(MINV) : v > (int64_t)(MAXV) ? (T)(MAXV) : (T)v; \
   }                                                                                  \
   for (int trial = 0; trial < 6; trial++) {                                          \
    int64_t a = kc_pick_i64(&r, (SPAN)), c = kc_pick_i64(&r, (SPAN));                 \
    T lo = a < (int64_t)(MINV) ? (T)(MINV) : a > (int64_t)(MAXV) ? (T)(MAXV) : (T)a;  \
    T hi = c < (int64_t)(MINV) ? (T)(MINV) : c > (int64_t)(MAXV) ? (T)(MAXV) : (T)c;  \
    if (trial == 0) {                                                                 \
     lo = (T)(MINV);                                                                  \
     hi = (T)(MAXV);                                                                  \
    } else if (trial == 1 && n > 0) {                                                 \
     lo = hi = in[bk_test_rng_below(&r, n)];                                          \
    }                                                                                 \
    memset(m1, 0xA5, (n / 64 + 1) * 8);                                               \
    memset(m2, 0x5A, (n / 64 + 1) * 8);                                               \
    (ref)->FIELD(n, in, lo, hi, m1);                                                  \
    (t)->FIELD(n, in, lo, hi, m2);                                                    \
    kc_expect_masks(m1, m2, n, #FIELD, off);                                          \
   }                                                                                  \
   free(b.raw);                                                                       \
  }                                                                                   \
  free(m1);                                                                           \
  free(m2);                                                                           \
 } while (0)

static void kc_check_ranges(const bk_kern_table *ref, const bk_kern_table *t)
{
    KC_RANGE_CHECK(ref, t, range_u8, uint8_t, 0, UINT8_MAX, 300, 101);
    KC_RANGE_CHECK(ref, t, range_i16, int16_t, INT16_MIN, INT16_MAX, 200, 102);
    KC_RANGE_CHECK(ref, t, range_i32, int32_t, INT32_MIN, INT32_MAX, 1000, 103);
    KC_RANGE_CHECK(ref, t, range_u32, uint32_t, 0, UINT32_MAX, 1000, 104);
    KC_RANGE_CHECK(ref, t, range_i64, int64_t, INT64_MIN, INT64_MAX, 1000, 105);
}

static double kc_pick_f64(bk_test_rng *r)
{
    switch (bk_test_rng_below(r, 12)) {
    case 0:
        return NAN;
    case 1:
        return INFINITY;
    case 2:
        return -INFINITY;
    case 3:
        return -0.0;
    case 4:
        return 0.0;
    default:
        return (double)bk_test_rng_range(r, -50, 50) / 4;
    }
}

static void kc_check_range_f64(const bk_kern_table *ref, const bk_kern_table *t)
{
    bk_test_rng r;
    bk_test_rng_init(&r, 106);
    uint64_t *m1 = kc_mask_new(), *m2 = kc_mask_new();
    for (uint32_t li = 0; li < KC_N_LENGTHS; li++) {
        uint32_t n = kc_length(li);
        uint32_t off = (uint32_t)bk_test_rng_below(&r, 64);
        kc_buf b;
        double *in = kc_alloc_elems(&b, sizeof(double), sizeof(double) * n, off);
        for (uint32_t i = 0; i < n; i++) {
            in[i] = kc_pick_f64(&r);
        }
        for (int trial = 0; trial < 8; trial++) {
            double lo = kc_pick_f64(&r), hi = kc_pick_f64(&r);
            ref->range_f64(n, in, lo, hi, m1);
            t->range_f64(n, in, lo, hi, m2);
            kc_expect_masks(m1, m2, n, "range_f64", off);
        }
        free(b.raw);
    }
    free(m1);
    free(m2);
}

static void kc_check_member(const bk_kern_table *ref, const bk_kern_table *t)
{
    bk_test_rng r;
    bk_test_rng_init(&r, 107);
    uint64_t *m1 = kc_mask_new(), *m2 = kc_mask_new();
    uint64_t set[64];
    for (uint32_t li = 0; li < KC_N_LENGTHS; li++) {
        uint32_t n = kc_length(li);
        uint32_t off = (uint32_t)bk_test_rng_below(&r, 64);
        kc_buf b;
        uint32_t *in = kc_alloc_elems(&b, sizeof(uint32_t), sizeof(uint32_t) * n, off);
        uint32_t set_bits = (uint32_t)bk_test_rng_below(&r, 64 * 64);
        for (uint32_t i = 0; i < n; i++) {
            in[i] = bk_test_rng_below(&r, 8) == 0 ? UINT32_MAX - (uint32_t)bk_test_rng_below(&r, 3)
                                                  : (uint32_t)bk_test_rng_below(&r, 64 * 64 + 100);
        }
        for (size_t w = 0; w < 64; w++) {
            set[w] = bk_test_rng_next(&r);
        }
        ref->member_u32(n, in, set, set_bits, m1);
        t->member_u32(n, in, set, set_bits, m2);
        kc_expect_masks(m1, m2, n, "member_u32", off);
        free(b.raw);
    }
    free(m1);
    free(m2);
}

static void kc_check_masks_and_sums(const bk_kern_table *ref, const bk_kern_table *t)
{
    bk_test_rng r;
    bk_test_rng_init(&r, 108);
    uint64_t *mask = kc_mask_new();
    uint32_t *s1 = calloc(KC_MAX_N, sizeof(uint32_t)), *s2 = calloc(KC_MAX_N, sizeof(uint32_t));
    assert_non_null(s1);
    assert_non_null(s2);
    for (uint32_t li = 0; li < KC_N_LENGTHS; li++) {
        uint32_t n = kc_length(li);
        uint32_t off = (uint32_t)bk_test_rng_below(&r, 64);
        kc_buf b32, b64, bf;
        int32_t *i32 = kc_alloc_elems(&b32, sizeof(int32_t), sizeof(int32_t) * n, off);
        int64_t *i64 = kc_alloc_elems(&b64, sizeof(int64_t), sizeof(int64_t) * n, (off * 7) % 64);
        double *f64 = kc_alloc_elems(&bf, sizeof(double), sizeof(double) * n, (off * 3) % 64);
        for (uint32_t i = 0; i < n; i++) {
            i32[i] = (int32_t)bk_test_rng_range(&r, INT32_MIN, INT32_MAX);
            i64[i] = (int64_t)bk_test_rng_next(&r);
            f64[i] = (double)bk_test_rng_range(&r, -1000000, 1000000) / 7.0;
        }
        for (int kind = -1; kind < 4; kind++) {
            const uint64_t *m = NULL;
            if (kind >= 0) {
                kc_fill_mask(&r, mask, n, kind);
                m = mask;
                assert_int_equal(ref->popcount(n, mask), t->popcount(n, mask));
                uint32_t k1 = ref->mask_to_sel(n, mask, s1);
                uint32_t k2 = t->mask_to_sel(n, mask, s2);
                assert_int_equal(k1, k2);
                assert_memory_equal(s1, s2, sizeof(uint32_t) * k1);
            }
            assert_true(ref->sum_i32(n, i32, m) == t->sum_i32(n, i32, m));
            assert_true(ref->sum_i64(n, i64, m) == t->sum_i64(n, i64, m));
            double d1 = ref->sum_f64(n, f64, m), d2 = t->sum_f64(n, f64, m);
            assert_memory_equal(&d1, &d2, sizeof d1);
            int64_t a64 = 1, b64v = 2;
            int32_t a32 = 1, b32v = 2;
            bool r1 = ref->min_i64(n, i64, m, &a64), r2 = t->min_i64(n, i64, m, &b64v);
            assert_int_equal(r1, r2);
            if (r1) {
                assert_true(a64 == b64v);
            }
            r1 = ref->max_i64(n, i64, m, &a64);
            r2 = t->max_i64(n, i64, m, &b64v);
            assert_int_equal(r1, r2);
            if (r1) {
                assert_true(a64 == b64v);
            }
            r1 = ref->min_i32(n, i32, m, &a32);
            r2 = t->min_i32(n, i32, m, &b32v);
            assert_int_equal(r1, r2);
            if (r1) {
                assert_int_equal(a32, b32v);
            }
            r1 = ref->max_i32(n, i32, m, &a32);
            r2 = t->max_i32(n, i32, m, &b32v);
            assert_int_equal(r1, r2);
            if (r1) {
                assert_int_equal(a32, b32v);
            }
        }
        free(b32.raw);
        free(b64.raw);
        free(bf.raw);
    }
    free(mask);
    free(s1);
    free(s2);
}

/* Runs every check of `t` against the scalar reference; skips when the CPU lacks the level. */
static void kc_check_level(bk_isa isa)
{
    const bk_kern_table *t = bk_kern_for(isa);
    if (t == NULL) {
        skip();
    }
    const bk_kern_table *ref = &bk_kern_scalar;
    kc_check_ranges(ref, t);
    kc_check_range_f64(ref, t);
    kc_check_member(ref, t);
    kc_check_masks_and_sums(ref, t);
}

#endif /* BK_TESTS_UNIT_STORAGE_KERNEL_CHECK_H */
