/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU feature detection for SIMD dispatch. __builtin_cpu_supports checks the CPUID bits and,
 * through libgcc, that the OS saves the wider registers (XSAVE), the point xxHash makes about
 * xgetbv: a CPU with AVX-512 under an OS that does not enable it must not take that path.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

bk_isa bk_cpu_best_isa(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl")) {
        return BK_ISA_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
        __builtin_cpu_supports("popcnt")) {
        return BK_ISA_AVX2;
    }
#endif
    return BK_ISA_SCALAR;
}

static bk_isa chosen_isa;
static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

static void isa_init(void)
{
    bk_isa best = bk_cpu_best_isa();
    bk_isa want = best;
    const char *env = getenv("BASKET_SIMD");
    if (env == NULL || env[0] == '\0') {
        env = getenv("BASKET_ISA");
    }
    if (env != NULL) {
        if (strcmp(env, "scalar") == 0) {
            want = BK_ISA_SCALAR;
        } else if (strcmp(env, "avx2") == 0) {
            want = BK_ISA_AVX2;
        } else if (strcmp(env, "avx512") == 0) {
            want = BK_ISA_AVX512;
        }
    }
    chosen_isa = want < best ? want : best;
}

bk_isa bk_cpu_isa(void)
{
    (void)pthread_once(&isa_once, isa_init);
    return chosen_isa;
}

const char *bk_isa_name(bk_isa isa)
{
    switch (isa) {
    case BK_ISA_SCALAR:
        return "scalar";
    case BK_ISA_AVX2:
        return "avx2";
    case BK_ISA_AVX512:
        return "avx512";
    }
    return "scalar";
}

unsigned bk_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : (unsigned)n;
}
