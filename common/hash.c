/* SPDX-License-Identifier: Apache-2.0 */
/* XXH3 behind our own names, so an xxhash upgrade touches this file only. */
#include <xxhash.h>

#include "common.h"

uint64_t bk_hash64(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

uint64_t bk_hash64_seed(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}
