/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test support: seed handling, a xoshiro256** generator, temporary directories and a manual
 * clock. The generator is seeded through splitmix64 (as its authors recommend), so nearby
 * seeds and stream numbers still give unrelated sequences.
 */
#include "bk_test.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

/* ---- seed ------------------------------------------------------------------------------- */

static bool seed_ready;
static uint64_t seed_value;

uint64_t bk_test_seed(void)
{
    if (!seed_ready) {
        seed_value = BK_TEST_DEFAULT_SEED;
        const char *env = getenv("BASKET_TEST_SEED");
        if (env != NULL && env[0] != '\0') {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(env, &end, 0);
            if (errno != 0 || end == env || *end != '\0') {
                fprintf(stderr, "BASKET_TEST_SEED=\"%s\" is not a number; using %" PRIu64 "\n", env,
                        seed_value);
            } else {
                seed_value = (uint64_t)v;
            }
        }
        seed_ready = true;
        fprintf(stderr, "[ SEED     ] BASKET_TEST_SEED=%" PRIu64 "\n", seed_value);
    }
    return seed_value;
}

int bk_test_report(const char *group, int failed)
{
    if (failed != 0) {
        fprintf(stderr, "[ FAILED   ] %s: %d test(s); rerun with BASKET_TEST_SEED=%" PRIu64 "\n",
                group, failed, bk_test_seed());
    }
    return failed;
}

/* ---- xoshiro256** ----------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void bk_test_rng_init(bk_test_rng *r, uint64_t stream)
{
    uint64_t x = bk_test_seed() ^ (stream * UINT64_C(0xd1342543de82ef95));
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
}

uint64_t bk_test_rng_next(bk_test_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t bk_test_rng_below(bk_test_rng *r, uint64_t n)
{
    BK_ASSERT(n > 0);
    /* Rejection sampling: no modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do {
        v = bk_test_rng_next(r);
    } while (v >= limit);
    return v % n;
}

int64_t bk_test_rng_range(bk_test_rng *r, int64_t lo, int64_t hi)
{
    BK_ASSERT(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t v = span == UINT64_MAX ? bk_test_rng_next(r) : bk_test_rng_below(r, span + 1);
    return (int64_t)((uint64_t)lo + v);
}

double bk_test_rng_double(bk_test_rng *r)
{
    return (double)(bk_test_rng_next(r) >> 11) * 0x1.0p-53;
}

bool bk_test_rng_bool(bk_test_rng *r)
{
    return (bk_test_rng_next(r) >> 63) != 0;
}

void bk_test_rng_bytes(bk_test_rng *r, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        uint64_t v = bk_test_rng_next(r);
        size_t k = n < 8 ? n : 8;
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}

/* ---- temporary directories -------------------------------------------------------------- */

char *bk_test_tmpdir_create(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    size_t n = strlen(base) + strlen(tag) + 32;
    char *path = malloc(n);
    assert_non_null(path);
    (void)snprintf(path, n, "%s/basket-%s-XXXXXX", base, tag);
    if (mkdtemp(path) == NULL) {
        fail_msg("mkdtemp(%s): %s", path, strerror(errno));
    }
    return path;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    if (remove(path) != 0) {
        fprintf(stderr, "bk_test_tmpdir_remove: %s: %s\n", path, strerror(errno));
    }
    return 0;
}

void bk_test_tmpdir_remove(char *path)
{
    if (path == NULL) {
        return;
    }
    /* Depth-first, not following symlinks, so nothing outside the directory is touched. */
    (void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(path);
}

/* ---- manual clock ----------------------------------------------------------------------- */

static uint64_t fake_mono_ns;
static int64_t fake_real_us;

static uint64_t fake_mono(void)
{
    return fake_mono_ns;
}

static int64_t fake_real(void)
{
    return fake_real_us;
}

void bk_test_clock_install(uint64_t mono_ns, int64_t real_us)
{
    fake_mono_ns = mono_ns;
    fake_real_us = real_us;
    bk_clock_set_source(fake_mono, fake_real);
}

void bk_test_clock_advance_ns(uint64_t ns)
{
    fake_mono_ns += ns;
    fake_real_us += (int64_t)(ns / 1000);
}

void bk_test_clock_uninstall(void)
{
    bk_clock_set_source(NULL, NULL);
}
