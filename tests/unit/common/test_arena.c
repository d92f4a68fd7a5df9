/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/arena.c: alignment, growth, large blocks, byte limits, the arena tree (children die
 * with their parent's reset), cleanup order, in-place realloc, and allocation faults.
 */
#include <string.h>

#include "bk_test.h"
#include "common/common.h"

#ifdef BK_ASAN
# include <sanitizer/asan_interface.h>
#endif

static void test_arena_alloc_is_16_byte_aligned(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    for (size_t n = 0; n < 200; n++) {
        uint8_t *p = bk_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, n);
    }
    bk_arena_destroy(a);
}

static void test_arena_allocations_do_not_overlap(void **state)
{
    (void)state;
    bk_test_rng rng;
    bk_test_rng_init(&rng, 1);
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);

    enum {
        N = 2000
    };

    uint8_t *ptrs[N];
    size_t sizes[N];
    for (size_t i = 0; i < N; i++) {
        sizes[i] = (size_t)bk_test_rng_below(&rng, 300);
        ptrs[i] = bk_arena_alloc(a, sizes[i]);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], (int)(i & 0xff), sizes[i]);
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < sizes[i]; j++) {
            assert_int_equal(ptrs[i][j], i & 0xff);
        }
    }
    bk_arena_destroy(a);
}

static void test_arena_grows_and_reset_returns_to_first_block(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    size_t initial = bk_arena_bytes(a);
    assert_true(initial > 0);
    for (int i = 0; i < 1000; i++) {
        assert_non_null(bk_arena_alloc(a, 100));
    }
    assert_true(bk_arena_bytes(a) > initial + 100 * 1000);
    bk_arena_reset(a);
    assert_int_equal(bk_arena_bytes(a), initial);
    /* Usable again after the reset. */
    char *p = bk_arena_alloc(a, 64);
    assert_non_null(p);
    memset(p, 1, 64);
    bk_arena_destroy(a);
}

static void test_arena_large_block_is_separate_and_counted(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    size_t before = bk_arena_bytes(a);
    char *small1 = bk_arena_alloc(a, 32);
    size_t big_n = (size_t)4 << 20;
    char *big = bk_arena_alloc(a, big_n);
    char *small2 = bk_arena_alloc(a, 32);
    assert_non_null(small1);
    assert_non_null(big);
    assert_non_null(small2);
    assert_int_equal((uintptr_t)big % 16, 0);
    memset(big, 0x5a, big_n);
    memset(small1, 1, 32);
    memset(small2, 2, 32);
    assert_int_equal(big[0], 0x5a);
    assert_int_equal(big[big_n - 1], 0x5a);
    assert_true(bk_arena_bytes(a) >= before + big_n);
    bk_arena_reset(a);
    assert_int_equal(bk_arena_bytes(a), before);
    bk_arena_destroy(a);
}

static void test_arena_limit_returns_null_and_recovers(void **state)
{
    (void)state;
    size_t limit = 64 * 1024;
    bk_arena *a = bk_arena_create(NULL, "limited", limit);
    assert_non_null(a);
    size_t got = 0;
    for (;;) {
        void *p = bk_arena_alloc(a, 1000);
        if (p == NULL) {
            break;
        }
        got += 1000;
        assert_true(got <= limit);
    }
    assert_true(got > 0);
    assert_true(bk_arena_bytes(a) <= limit);
    /* One allocation larger than the whole limit fails at once. */
    assert_null(bk_arena_alloc(a, limit + 1));
    bk_arena_reset(a);
    assert_non_null(bk_arena_alloc(a, 1000));
    bk_arena_destroy(a);
}

static void test_arena_parent_limit_applies_to_children(void **state)
{
    (void)state;
    bk_arena *parent = bk_arena_create(NULL, "parent", 32 * 1024);
    assert_non_null(parent);
    bk_arena *child = bk_arena_create(parent, "child", 0);
    assert_non_null(child);
    size_t got = 0;
    while (bk_arena_alloc(child, 512) != NULL) {
        got += 512;
        assert_true(got <= 32 * 1024);
    }
    assert_true(bk_arena_bytes(parent) <= 32 * 1024);
    assert_true(bk_arena_bytes(parent) >= bk_arena_bytes(child));
    /* A new child cannot even be created while the parent is full. */
    bk_arena *c2 = bk_arena_create(parent, "child2", 0);
    if (c2 != NULL) {
        bk_arena_destroy(c2);
    }
    bk_arena_destroy(child);
    assert_non_null(bk_arena_alloc(parent, 512));
    bk_arena_destroy(parent);
}

static void test_arena_huge_request_fails_without_overflow(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    assert_null(bk_arena_alloc(a, SIZE_MAX));
    assert_null(bk_arena_alloc(a, SIZE_MAX - 8));
    assert_null(bk_arena_strndup(a, "x", SIZE_MAX));
    assert_non_null(bk_arena_alloc(a, 8));
    bk_arena_destroy(a);
}

static int cleanup_log[8];
static int cleanup_n;

static void record_cleanup(void *arg)
{
    cleanup_log[cleanup_n++] = *(int *)arg;
}

static void test_arena_cleanups_run_newest_first_once(void **state)
{
    (void)state;
    cleanup_n = 0;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    static int ids[3] = {1, 2, 3};
    bk_cleanup c[3];
    for (int i = 0; i < 3; i++) {
        bk_arena_on_reset(a, &c[i], record_cleanup, &ids[i]);
    }
    bk_arena_reset(a);
    assert_int_equal(cleanup_n, 3);
    assert_int_equal(cleanup_log[0], 3);
    assert_int_equal(cleanup_log[1], 2);
    assert_int_equal(cleanup_log[2], 1);
    bk_arena_reset(a);
    assert_int_equal(cleanup_n, 3);
    bk_arena_destroy(a);
    assert_int_equal(cleanup_n, 3);
}

static void test_arena_cleanup_runs_on_destroy(void **state)
{
    (void)state;
    cleanup_n = 0;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    static int id = 7;
    bk_cleanup *c = bk_arena_alloc(a, sizeof *c); /* cleanup storage may live in the arena */
    assert_non_null(c);
    bk_arena_on_reset(a, c, record_cleanup, &id);
    bk_arena_destroy(a);
    assert_int_equal(cleanup_n, 1);
    assert_int_equal(cleanup_log[0], 7);
}

static void test_arena_reset_destroys_children(void **state)
{
    (void)state;
    cleanup_n = 0;
    bk_arena *parent = bk_arena_create(NULL, "parent", 0);
    assert_non_null(parent);
    size_t base = bk_arena_bytes(parent);
    bk_arena *child = bk_arena_create(parent, "child", 0);
    bk_arena *grandchild = bk_arena_create(child, "grandchild", 0);
    assert_non_null(child);
    assert_non_null(grandchild);
    assert_string_equal(bk_arena_name(grandchild), "grandchild");
    static int ids[2] = {10, 20};
    bk_cleanup c1, c2;
    bk_arena_on_reset(child, &c1, record_cleanup, &ids[0]);
    bk_arena_on_reset(grandchild, &c2, record_cleanup, &ids[1]);
    assert_non_null(bk_arena_alloc(grandchild, 100000));
    assert_true(bk_arena_bytes(parent) > base + 100000);
    bk_arena_reset(parent);
    assert_int_equal(cleanup_n, 2);
    assert_int_equal(bk_arena_bytes(parent), base);
    bk_arena_destroy(parent);
}

static void test_arena_destroy_child_unlinks_it(void **state)
{
    (void)state;
    bk_arena *parent = bk_arena_create(NULL, "parent", 0);
    assert_non_null(parent);
    size_t base = bk_arena_bytes(parent);
    bk_arena *kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = bk_arena_create(parent, "kid", 0);
        assert_non_null(kids[i]);
        assert_non_null(bk_arena_alloc(kids[i], 5000));
    }
    /* Middle, first, last: every unlink position. */
    bk_arena_destroy(kids[1]);
    bk_arena_destroy(kids[3]);
    bk_arena_destroy(kids[0]);
    assert_non_null(bk_arena_alloc(kids[2], 10));
    bk_arena_destroy(kids[2]);
    assert_int_equal(bk_arena_bytes(parent), base);
    bk_arena_destroy(NULL);
    bk_arena_destroy(parent);
}

static void test_arena_realloc_extends_last_allocation_in_place(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    char *p = bk_arena_alloc(a, 32);
    assert_non_null(p);
    memset(p, 'x', 32);
    char *q = bk_arena_realloc(a, p, 32, 96);
    assert_ptr_equal(p, q);
    memset(q + 32, 'y', 64);
    /* Shrinking keeps the pointer. */
    assert_ptr_equal(bk_arena_realloc(a, q, 96, 10), q);
    /* Not the last allocation any more: moved, contents kept. */
    char *other = bk_arena_alloc(a, 16);
    assert_non_null(other);
    char *r = bk_arena_realloc(a, q, 96, 200);
    assert_non_null(r);
    assert_ptr_not_equal(r, q);
    for (int i = 0; i < 32; i++) {
        assert_int_equal(r[i], 'x');
    }
    for (int i = 32; i < 96; i++) {
        assert_int_equal(r[i], 'y');
    }
    /* NULL behaves as alloc. */
    assert_non_null(bk_arena_realloc(a, NULL, 0, 24));
    /* Growing past the block moves it. */
    char *s = bk_arena_alloc(a, 16);
    assert_non_null(s);
    memcpy(s, "0123456789abcdef", 16);
    char *t = bk_arena_realloc(a, s, 16, 1 << 20);
    assert_non_null(t);
    assert_memory_equal(t, "0123456789abcdef", 16);
    bk_arena_destroy(a);
}

static void test_arena_helpers_copy_and_format(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    uint8_t *z = bk_arena_zalloc(a, 100);
    assert_non_null(z);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(z[i], 0);
    }
    char *d = bk_arena_memdup(a, "abc\0def", 7);
    assert_non_null(d);
    assert_memory_equal(d, "abc\0def", 7);
    char *s = bk_arena_strndup(a, "hello world", 5);
    assert_string_equal(s, "hello");
    char *e = bk_arena_strndup(a, "", 0);
    assert_string_equal(e, "");
    char *f = bk_arena_sprintf(a, "%s-%d-%05.1f", "x", 42, 3.14159);
    assert_string_equal(f, "x-42-003.1");
    char *big = bk_arena_sprintf(a, "%5000d", 1);
    assert_non_null(big);
    assert_int_equal(strlen(big), 5000);
    bk_arena_destroy(a);
}

static void test_arena_fault_fails_once(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_fault_alloc_arm(2, false);
    assert_non_null(bk_arena_alloc(a, 8));
    assert_non_null(bk_arena_alloc(a, 8));
    assert_null(bk_arena_alloc(a, 8));
    assert_non_null(bk_arena_alloc(a, 8));
    assert_non_null(bk_arena_alloc(a, 8));
    assert_int_equal(bk_fault_alloc_count(), 5);
    bk_fault_alloc_disarm();
    bk_arena_destroy(a);
}

static void test_arena_fault_fails_forever(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    bk_fault_alloc_arm(1, true);
    assert_non_null(bk_arena_alloc(a, 8));
    for (int i = 0; i < 10; i++) {
        assert_null(bk_arena_alloc(a, 8));
        assert_null(bk_arena_create(a, "child", 0));
    }
    bk_fault_alloc_disarm();
    assert_non_null(bk_arena_alloc(a, 8));
    bk_arena_destroy(a);
}

/* Every allocation site of a small workload, failed once in turn: no crash, no leak. */
static void test_arena_fault_loop_every_site(void **state)
{
    (void)state;
    for (uint64_t k = 0; k < 64; k++) {
        bk_fault_alloc_arm(k, false);
        bk_arena *a = bk_arena_create(NULL, "root", 0);
        if (a == NULL) {
            continue;
        }
        bk_arena *c = bk_arena_create(a, "child", 0);
        int n_ok = 0;
        for (int i = 0; i < 8; i++) {
            if (bk_arena_alloc(c != NULL ? c : a, 3000) != NULL) {
                n_ok++;
            }
            if (bk_arena_sprintf(a, "%d", i) != NULL) {
                n_ok++;
            }
        }
        assert_true(n_ok >= 15); /* fail-once: at most one site failed */
        bk_arena_destroy(a);
    }
    bk_fault_alloc_disarm();
}

#ifdef BK_ASAN
static void test_arena_reset_poisons_memory(void **state)
{
    (void)state;
    bk_arena *a = bk_arena_create(NULL, "test", 0);
    assert_non_null(a);
    char *p = bk_arena_alloc(a, 64);
    char *big = bk_arena_alloc(a, 100000);
    assert_non_null(p);
    assert_non_null(big);
    assert_false(__asan_address_is_poisoned(p));
    bk_arena_reset(a);
    assert_true(__asan_address_is_poisoned(p));
    bk_arena_destroy(a);
}
#endif

static int teardown(void **state)
{
    (void)state;
    bk_fault_alloc_disarm();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_is_16_byte_aligned),
        cmocka_unit_test(test_arena_allocations_do_not_overlap),
        cmocka_unit_test(test_arena_grows_and_reset_returns_to_first_block),
        cmocka_unit_test(test_arena_large_block_is_separate_and_counted),
        cmocka_unit_test(test_arena_limit_returns_null_and_recovers),
        cmocka_unit_test(test_arena_parent_limit_applies_to_children),
        cmocka_unit_test(test_arena_huge_request_fails_without_overflow),
        cmocka_unit_test(test_arena_cleanups_run_newest_first_once),
        cmocka_unit_test(test_arena_cleanup_runs_on_destroy),
        cmocka_unit_test(test_arena_reset_destroys_children),
        cmocka_unit_test(test_arena_destroy_child_unlinks_it),
        cmocka_unit_test(test_arena_realloc_extends_last_allocation_in_place),
        cmocka_unit_test(test_arena_helpers_copy_and_format),
        cmocka_unit_test_teardown(test_arena_fault_fails_once, teardown),
        cmocka_unit_test_teardown(test_arena_fault_fails_forever, teardown),
        cmocka_unit_test_teardown(test_arena_fault_loop_every_site, teardown),
#ifdef BK_ASAN
        cmocka_unit_test(test_arena_reset_poisons_memory),
#endif
    };
    return bk_run_group_tests("common/arena", tests, NULL, NULL);
}
