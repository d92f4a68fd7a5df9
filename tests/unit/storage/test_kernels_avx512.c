/* SPDX-License-Identifier: Apache-2.0 */
/* storage/kernels: the AVX-512 variant against the scalar reference (skipped without it). */
#include "kernel_check.h"

static void test_kernels_avx512_matches_scalar(void **state)
{
    (void)state;
    kc_check_level(BK_ISA_AVX512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_avx512_matches_scalar),
    };
    return bk_run_group_tests("storage/kernels_avx512", tests, NULL, NULL);
}
