/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage/dict.c: dense codes in order of first appearance, byte-exact lookups (embedded NUL,
 * empty string, long strings), growth through many hash-table resizes, stable entries,
 * consistency after allocation failures at every site, and lock-free readers during writes.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bk_test.h"
#include "storage/storage.h"
#include "storage_int.h"

static void test_dict_intern_returns_same_code_for_duplicate(void **state)
{
    (void)state;
    bk_dict *d = bk_dict_create();
    assert_non_null(d);
    uint32_t a, b, c, a2;
    assert_int_equal(bk_dict_intern(d, BK_STR_LIT("United Kingdom"), &a), BK_OK);
    assert_int_equal(bk_dict_intern(d, BK_STR_LIT("France"), &b), BK_OK);
    assert_int_equal(bk_dict_intern(d, BK_STR_LIT("Germany"), &c), BK_OK);
    assert_int_equal(bk_dict_intern(d, BK_STR_LIT("United Kingdom"), &a2), BK_OK);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(c, 2);
    assert_int_equal(a2, a);
    assert_int_equal(bk_dict_count(d), 3);
    bk_str s = bk_dict_get(d, b);
    assert_true(bk_str_eq_cstr(s, "France"));
    bk_dict_destroy(d);
}

static void test_dict_compares_bytes_not_c_strings(void **state)
{
    (void)state;
    bk_dict *d = bk_dict_create();
    assert_non_null(d);
    uint32_t c_empty, c_nul, c_a, c_a_nul, c_case;
    assert_int_equal(bk_dict_intern(d, (bk_str){"", 0}, &c_empty), BK_OK);
    assert_int_equal(bk_dict_intern(d, (bk_str){"\0", 1}, &c_nul), BK_OK);
    assert_int_equal(bk_dict_intern(d, (bk_str){"a", 1}, &c_a), BK_OK);
    assert_int_equal(bk_dict_intern(d, (bk_str){"a\0b", 3}, &c_a_nul), BK_OK);
    assert_int_equal(bk_dict_intern(d, (bk_str){"A", 1}, &c_case), BK_OK);
    assert_int_equal(bk_dict_count(d), 5);
    assert_int_equal(bk_dict_get(d, c_empty).len, 0);
    bk_str s = bk_dict_get(d, c_a_nul);
    assert_int_equal(s.len, 3);
    assert_memory_equal(s.ptr, "a\0b", 3);
    /* The interned copy is independent of the caller's buffer. */
    char buf[8] = "zz";
    uint32_t c_zz;
    assert_int_equal(bk_dict_intern(d, (bk_str){buf, 2}, &c_zz), BK_OK);
    buf[0] = 'y';
    assert_true(bk_str_eq_cstr(bk_dict_get(d, c_zz), "zz"));
    bk_dict_destroy(d);
}

static void test_dict_find(void **state)
{
    (void)state;
    bk_dict *d = bk_dict_create();
    assert_non_null(d);
    uint32_t code = 77;
    assert_false(bk_dict_find(d, BK_STR_LIT("x"), &code));
    uint32_t c;
    assert_int_equal(bk_dict_intern(d, BK_STR_LIT("x"), &c), BK_OK);
    assert_true(bk_dict_find(d, BK_STR_LIT("x"), &code));
    assert_int_equal(code, c);
    assert_false(bk_dict_find(d, BK_STR_LIT("X"), &code));
    assert_false(bk_dict_find(d, BK_STR_LIT("xx"), &code));
    bk_dict_destroy(d);
    bk_dict_destroy(NULL);
}

static void test_dict_many_entries_through_resizes(void **state)
{
    (void)state;
    bk_dict *d = bk_dict_create();
    assert_non_null(d);

    enum {
        N = 200000
    };

    char key[32];
    size_t bytes_before = bk_dict_bytes(d);
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "customer-%u", i * 2654435761u);
        uint32_t c;
        assert_int_equal(bk_dict_intern(d, (bk_str){key, (size_t)n}, &c), BK_OK);
        assert_int_equal(c, i);
    }
    assert_int_equal(bk_dict_count(d), N);
    assert_true(bk_dict_bytes(d) > bytes_before);
    /* Every entry still resolves both ways after all the growth. */
    for (uint32_t i = 0; i < N; i += 7) {
        int n = snprintf(key, sizeof key, "customer-%u", i * 2654435761u);
        uint32_t c;
        assert_true(bk_dict_find(d, (bk_str){key, (size_t)n}, &c));
        assert_int_equal(c, i);
        bk_str s = bk_dict_get(d, i);
        assert_int_equal(s.len, (size_t)n);
        assert_memory_equal(s.ptr, key, (size_t)n);
    }
    bk_dict_destroy(d);
}

static void test_dict_entries_are_stable(void **state)
{
    (void)state;
    bk_dict *d = bk_dict_create();
    assert_non_null(d);
    uint32_t c0;
    assert_int_equal(bk_dict_intern(d, BK_STR_LIT("first"), &c0), BK_OK);
    bk_str before = bk_dict_get(d, c0);
    /* Large strings get their own slab; small ones fill shared slabs. */
    static char big[100000];
    memset(big, 'b', sizeof big);
    uint32_t cbig;
    assert_int_equal(bk_dict_intern(d, (bk_str){big, sizeof big}, &cbig), BK_OK);
    char key[16];
    for (int i = 0; i < 50000; i++) {
        int n = snprintf(key, sizeof key, "k%d", i);
        uint32_t c;
        assert_int_equal(bk_dict_intern(d, (bk_str){key, (size_t)n}, &c), BK_OK);
    }
    bk_str after = bk_dict_get(d, c0);
    assert_ptr_equal(before.ptr, after.ptr); /* entries never move */
    assert_true(bk_str_eq_cstr(after, "first"));
    bk_str sbig = bk_dict_get(d, cbig);
    assert_int_equal(sbig.len, sizeof big);
    assert_memory_equal(sbig.ptr, big, sizeof big);
    bk_dict_destroy(d);
}

/* Fail each allocation of a workload once in turn: the dictionary stays consistent. */
static void test_dict_oom_at_every_site_keeps_it_consistent(void **state)
{
    (void)state;
    uint64_t k;
    for (k = 0; k < 10000; k++) {
        bk_fault_alloc_arm(k, false);
        bk_dict *d = bk_dict_create();
        if (d == NULL) {
            continue;
        }
        uint32_t ok = 0;
        char key[16];
        for (int i = 0; i < 3000; i++) {
            int n = snprintf(key, sizeof key, "v%d", i);
            uint32_t c;
            if (bk_dict_intern(d, (bk_str){key, (size_t)n}, &c) == BK_OK) {
                assert_int_equal(c, ok);
                ok++;
            }
        }
        assert_int_equal(bk_dict_count(d), ok);
        uint64_t attempts = bk_fault_alloc_count();
        bk_fault_alloc_disarm();
        if (attempts <= k) {
            assert_int_equal(ok, 3000); /* no fault reached: stop, every site was failed once */
            bk_dict_destroy(d);
            break;
        }
        /* Every published entry is findable and decodes to its key. */
        for (uint32_t c = 0; c < ok; c++) {
            bk_str s = bk_dict_get(d, c);
            uint32_t found;
            assert_true(bk_dict_find(d, s, &found));
            assert_int_equal(found, c);
        }
        bk_dict_destroy(d);
    }
    bk_fault_alloc_disarm();
    assert_true(k > 5 && k < 10000);
    print_message("[ INFO     ] %llu allocation sites failed in turn\n", (unsigned long long)k);
}

typedef struct reader_ctx {
    bk_dict *d;
    _Atomic bool stop;
    uint64_t checked;
} reader_ctx;

static void *reader_main(void *arg)
{
    reader_ctx *r = arg;
    char key[16];
    while (!atomic_load(&r->stop)) {
        uint32_t n = bk_dict_count(r->d);
        for (uint32_t c = n > 64 ? n - 64 : 0; c < n; c++) {
            bk_str s = bk_dict_get(r->d, c);
            int len = snprintf(key, sizeof key, "w%u", c);
            if (s.len != (size_t)len || memcmp(s.ptr, key, (size_t)len) != 0) {
                return (void *)1;
            }
            r->checked++;
        }
    }
    return NULL;
}

/* Readers decode every published code while the single writer keeps interning. */
static void test_dict_readers_see_published_entries(void **state)
{
    (void)state;
    reader_ctx r = {.d = bk_dict_create()};
    assert_non_null(r.d);
    atomic_store(&r.stop, false);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
    char key[16];
    for (uint32_t i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "w%u", i);
        uint32_t c;
        assert_int_equal(bk_dict_intern(r.d, (bk_str){key, (size_t)n}, &c), BK_OK);
    }
    atomic_store(&r.stop, true);
    void *res;
    assert_int_equal(pthread_join(th, &res), 0);
    assert_null(res);
    bk_dict_destroy(r.d);
}

static int teardown(void **state)
{
    (void)state;
    bk_fault_alloc_disarm();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_intern_returns_same_code_for_duplicate),
        cmocka_unit_test(test_dict_compares_bytes_not_c_strings),
        cmocka_unit_test(test_dict_find),
        cmocka_unit_test(test_dict_many_entries_through_resizes),
        cmocka_unit_test(test_dict_entries_are_stable),
        cmocka_unit_test_teardown(test_dict_oom_at_every_site_keeps_it_consistent, teardown),
        cmocka_unit_test(test_dict_readers_see_published_entries),
    };
    return bk_run_group_tests("storage/dict", tests, NULL, NULL);
}
