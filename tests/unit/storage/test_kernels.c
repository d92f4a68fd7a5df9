/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/kernels: the scalar reference against hand-checked cases, the AVX2 variant against
 * the reference (AVX-512 has its own file, so that a CPU without it reports a precise skip),
 * and the dispatch honouring BASKET_SIMD.
 */
#include "kernel_check.h"

static void test_kernels_scalar_ranges_by_hand(void **state)
{
    (void)state;
    const bk_kern_table *k = &bk_kern_scalar;
    const int32_t in[5] = {-3, 0, 7, INT32_MIN, INT32_MAX};
    uint64_t m = 0;
    k->range_i32(5, in, 0, 7, &m);
    assert_int_equal(m, 0x6); /* rows 1 and 2 */
    k->range_i32(5, in, INT32_MIN, INT32_MAX, &m);
    assert_int_equal(m, 0x1F);
    k->range_i32(5, in, 1, 0, &m);
    assert_int_equal(m, 0);
    const double f[5] = {NAN, -0.0, 1.5, INFINITY, -INFINITY};
    k->range_f64(5, f, 0.0, 0.0, &m); /* -0 equals 0 */
    assert_int_equal(m, 0x2);
    k->range_f64(5, f, NAN, NAN, &m); /* NaN equals NaN */
    assert_int_equal(m, 0x1);
    k->range_f64(5, f, 1.0, NAN, &m); /* NaN is the top of the order */
    assert_int_equal(m, 0xD);
    k->range_f64(5, f, -INFINITY, INFINITY, &m);
    assert_int_equal(m, 0x1E);
}

static void test_kernels_scalar_sums_by_hand(void **state)
{
    (void)state;
    const bk_kern_table *k = &bk_kern_scalar;
    const int64_t big[3] = {INT64_MAX, INT64_MAX, INT64_MIN};
    bk_i128 s = k->sum_i64(3, big, NULL);
    assert_true(s == (bk_i128)INT64_MAX * 2 + INT64_MIN);
    uint64_t only_first = 1;
    assert_true(k->sum_i64(3, big, &only_first) == INT64_MAX);
    int64_t v = 0;
    uint64_t none = 0;
    assert_false(k->min_i64(3, big, &none, &v));
    assert_true(k->min_i64(3, big, NULL, &v));
    assert_true(v == INT64_MIN);
    uint32_t sel[3];
    uint64_t m = 0x5;
    assert_int_equal(k->mask_to_sel(3, &m, sel), 2);
    assert_int_equal(sel[0], 0);
    assert_int_equal(sel[1], 2);
    assert_int_equal(k->popcount(3, &m), 2);
}

static void test_kernels_avx2_matches_scalar(void **state)
{
    (void)state;
    kc_check_level(BK_ISA_AVX2);
}

static void test_kernels_dispatch_respects_level(void **state)
{
    (void)state;
    assert_non_null(bk_kern());
    assert_ptr_equal(bk_kern_for(BK_ISA_SCALAR), &bk_kern_scalar);
    /* The chosen table is never above what the CPU supports. */
    assert_true(bk_cpu_isa() <= bk_cpu_best_isa());
    assert_non_null(bk_kern_for(bk_cpu_isa()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_scalar_ranges_by_hand),
        cmocka_unit_test(test_kernels_scalar_sums_by_hand),
        cmocka_unit_test(test_kernels_avx2_matches_scalar),
        cmocka_unit_test(test_kernels_dispatch_respects_level),
    };
    return bk_run_group_tests("storage/kernels", tests, NULL, NULL);
}
