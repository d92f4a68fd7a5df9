/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared helpers for the cmocka unit tests (library bk_testsupport, linked by every test that
 * bk_add_unit_test creates). Include this instead of <cmocka.h>: it pulls in the system
 * headers cmocka needs first.
 *
 * Randomness is reproducible: every generator derives from one seed, BASKET_TEST_SEED in the
 * environment (decimal or 0x-hex) or a fixed default. The seed is printed the first time it
 * is used and again when a group fails, so any failure replays with
 *   BASKET_TEST_SEED=<seed> ./build-test/test_storage_dict
 *
 * Interface index:
 *   run      bk_run_group_tests
 *   rng      bk_test_seed, bk_test_rng_*
 *   files    bk_test_tmpdir_create, bk_test_tmpdir_remove
 *   clock    bk_test_clock_install, bk_test_clock_advance_ns, bk_test_clock_uninstall
 */
#ifndef BK_TESTS_SUPPORT_BK_TEST_H
#define BK_TESTS_SUPPORT_BK_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* ---- running ---------------------------------------------------------------------------- */

/*
 * cmocka_run_group_tests_name, plus a line naming the seed when the group fails. Use as the
 * last statement of main: `return bk_run_group_tests("storage/dict", tests, NULL, NULL);`
 */
#define bk_run_group_tests(name, tests, setup, teardown) \
 bk_test_report((name), cmocka_run_group_tests_name((name), (tests), (setup), (teardown)))

/* Prints the seed when `failed` is non-zero; returns `failed`. */
int bk_test_report(const char *group, int failed);

/* ---- seeded random numbers -------------------------------------------------------------- */

/* The run's seed: BASKET_TEST_SEED, or BK_TEST_DEFAULT_SEED. Printed to stderr on first use. */
#define BK_TEST_DEFAULT_SEED UINT64_C(20261125)
uint64_t bk_test_seed(void);

/* xoshiro256** state. */
typedef struct bk_test_rng {
    uint64_t s[4];
} bk_test_rng;

/*
 * Seeds `r` from the run's seed and `stream`, so that each test (pass a distinct constant)
 * draws an independent, reproducible sequence regardless of test order.
 */
void bk_test_rng_init(bk_test_rng *r, uint64_t stream);
uint64_t bk_test_rng_next(bk_test_rng *r);
/* Uniform in [0, n); n must be > 0. */
uint64_t bk_test_rng_below(bk_test_rng *r, uint64_t n);
/* Uniform in [lo, hi] (inclusive). */
int64_t bk_test_rng_range(bk_test_rng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1). */
double bk_test_rng_double(bk_test_rng *r);
bool bk_test_rng_bool(bk_test_rng *r);
void bk_test_rng_bytes(bk_test_rng *r, void *buf, size_t n);

/* ---- temporary directories -------------------------------------------------------------- */

/*
 * Creates a fresh directory $TMPDIR/basket-<tag>-XXXXXX (TMPDIR defaults to /tmp) and returns
 * its path (heap string). Fails the running test when it cannot.
 */
char *bk_test_tmpdir_create(const char *tag);
/* Removes the directory and everything below it, then frees `path`. NULL is a no-op. */
void bk_test_tmpdir_remove(char *path);

/* ---- a fake clock ----------------------------------------------------------------------- */

/*
 * Replaces common's clocks (bk_clock_mono_ns, bk_clock_real_us) with a manual clock that
 * starts at the given values and moves only when advanced.
 */
void bk_test_clock_install(uint64_t mono_ns, int64_t real_us);
void bk_test_clock_advance_ns(uint64_t ns);
/* Restores the system clocks. */
void bk_test_clock_uninstall(void);

#endif /* BK_TESTS_SUPPORT_BK_TEST_H */
