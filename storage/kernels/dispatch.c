/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Chooses the kernel table once, from the CPU (through libgcc's __builtin_cpu_supports, which
 * also checks that the OS saves the wide registers) lowered by BASKET_SIMD. Built with
 * baseline flags: nothing here may be compiled for a wider ISA.
 */
#include "kernels_int.h"

#ifdef __AVX__
# error "dispatch.c must be compiled without ISA flags"
#endif

const bk_kern_table *bk_kern_for(bk_isa isa)
{
    if (isa > bk_cpu_best_isa()) {
        return NULL;
    }
    switch (isa) {
    case BK_ISA_AVX512:
        return &bk_kern_avx512;
    case BK_ISA_AVX2:
        return &bk_kern_avx2;
    case BK_ISA_SCALAR:
        break;
    }
    return &bk_kern_scalar;
}

const bk_kern_table *bk_kern(void)
{
    /* bk_cpu_isa() is computed once; the lookup is a switch, cheap enough per scan. */
    return bk_kern_for(bk_cpu_isa());
}
