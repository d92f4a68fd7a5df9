/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/buf.c: string views (bk_str), growable buffers (bk_buf) and the big-endian helpers
 * of common.h. Buffers must stay unchanged when growth fails.
 */
#include <string.h>

#include "bk_test.h"
#include "common/common.h"

static void test_str_views_compare_by_bytes(void **state)
{
    (void)state;
    bk_str a = bk_str_from_cstr("hello");
    assert_int_equal(a.len, 5);
    assert_true(bk_str_eq(a, BK_STR_LIT("hello")));
    assert_false(bk_str_eq(a, BK_STR_LIT("hell")));
    assert_false(bk_str_eq(a, BK_STR_LIT("hellO")));
    assert_true(bk_str_eq((bk_str){NULL, 0}, BK_STR_LIT("")));
    /* Embedded NUL: views compare bytes, not C strings. */
    bk_str n1 = {"a\0b", 3}, n2 = {"a\0c", 3};
    assert_false(bk_str_eq(n1, n2));
    assert_true(bk_str_eq_cstr(a, "hello"));
    assert_false(bk_str_eq_cstr(a, "hello!"));
    assert_true(bk_str_eq_cstr((bk_str){"", 0}, ""));
    /* A view into a longer buffer only covers its length. */
    bk_str prefix = {"hello world", 5};
    assert_true(bk_str_eq_cstr(prefix, "hello"));
}

static void test_str_ieq_is_ascii_case_insensitive(void **state)
{
    (void)state;
    assert_true(bk_str_ieq_cstr(BK_STR_LIT("SeLeCt"), "select"));
    assert_true(bk_str_ieq_cstr(BK_STR_LIT("select"), "SELECT"));
    assert_false(bk_str_ieq_cstr(BK_STR_LIT("selec"), "select"));
    assert_false(bk_str_ieq_cstr(BK_STR_LIT("select_"), "select"));
    assert_true(bk_str_ieq_cstr(BK_STR_LIT(""), ""));
    /* Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by the case bit. */
    assert_false(bk_str_ieq_cstr(BK_STR_LIT("@"), "`"));
    assert_false(bk_str_ieq_cstr(BK_STR_LIT("\xc3\x89"), "\xc3\xa9"));
}

static void test_buf_append_grows(void **state)
{
    (void)state;
    bk_buf b = {0};
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(bk_buf_append(&b, "abc", 3), BK_OK);
    }
    assert_int_equal(b.len, 30000);
    assert_true(b.cap >= b.len);
    for (size_t i = 0; i < b.len; i += 3) {
        assert_memory_equal(b.ptr + i, "abc", 3);
    }
    assert_int_equal(bk_buf_append(&b, NULL, 0), BK_OK);
    assert_int_equal(b.len, 30000);
    bk_buf_free(&b);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    bk_buf_free(&b); /* twice is fine */
}

static void test_buf_append_byte_and_binary(void **state)
{
    (void)state;
    bk_buf b = {0};
    for (int i = 0; i < 300; i++) {
        assert_int_equal(bk_buf_append_byte(&b, (uint8_t)i), BK_OK);
    }
    assert_int_equal(b.len, 300);
    for (int i = 0; i < 300; i++) {
        assert_int_equal((uint8_t)b.ptr[i], (uint8_t)i);
    }
    bk_buf_free(&b);
}

static void test_buf_printf_appends_formatted(void **state)
{
    (void)state;
    bk_buf b = {0};
    assert_int_equal(bk_buf_printf(&b, "%s=%d", "x", 42), BK_OK);
    assert_int_equal(bk_buf_printf(&b, ";%05.2f", 3.14159), BK_OK);
    assert_int_equal(b.len, strlen("x=42;03.14"));
    assert_memory_equal(b.ptr, "x=42;03.14", b.len);
    /* Longer than any initial capacity. */
    assert_int_equal(bk_buf_printf(&b, "%10000s", "end"), BK_OK);
    assert_int_equal(b.len, strlen("x=42;03.14") + 10000);
    assert_memory_equal(b.ptr + b.len - 3, "end", 3);
    bk_buf_free(&b);
}

static void test_buf_consume_and_clear(void **state)
{
    (void)state;
    bk_buf b = {0};
    assert_int_equal(bk_buf_append(&b, "0123456789", 10), BK_OK);
    bk_buf_consume(&b, 3);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.ptr, "3456789", 7);
    bk_buf_consume(&b, 0);
    assert_int_equal(b.len, 7);
    bk_buf_consume(&b, 100);
    assert_int_equal(b.len, 0);
    assert_int_equal(bk_buf_append(&b, "xy", 2), BK_OK);
    size_t cap = b.cap;
    bk_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    bk_buf_free(&b);
}

static void test_buf_reserve_overflow_fails_unchanged(void **state)
{
    (void)state;
    bk_buf b = {0};
    assert_int_equal(bk_buf_append(&b, "abc", 3), BK_OK);
    char *ptr = b.ptr;
    size_t cap = b.cap;
    assert_int_equal(bk_buf_reserve(&b, SIZE_MAX), BK_ERR);
    assert_int_equal(bk_buf_reserve(&b, SIZE_MAX - 2), BK_ERR);
    assert_ptr_equal(b.ptr, ptr);
    assert_int_equal(b.cap, cap);
    assert_int_equal(b.len, 3);
    assert_int_equal(bk_buf_reserve(&b, 0), BK_OK);
    bk_buf_free(&b);
}

static void test_buf_oom_leaves_buffer_intact(void **state)
{
    (void)state;
    bk_buf b = {0};
    assert_int_equal(bk_buf_append(&b, "keep", 4), BK_OK);
    bk_fault_alloc_arm(0, true);
    char big[4096];
    memset(big, 'z', sizeof big);
    assert_int_equal(bk_buf_append(&b, big, sizeof big), BK_ERR);
    assert_int_equal(bk_buf_printf(&b, "%4096s", "x"), BK_ERR);
    for (int i = 0; i < 100 && b.len < b.cap; i++) {
        /* Appends that fit the current capacity need no allocation. */
        assert_int_equal(bk_buf_append_byte(&b, 'y'), BK_OK);
    }
    bk_fault_alloc_disarm();
    assert_memory_equal(b.ptr, "keep", 4);
    assert_int_equal(bk_buf_append(&b, big, sizeof big), BK_OK);
    bk_buf_free(&b);
}

static void test_be_helpers_round_trip(void **state)
{
    (void)state;
    uint8_t p[8];
    bk_put_be16(p, 0x1234);
    assert_int_equal(p[0], 0x12);
    assert_int_equal(p[1], 0x34);
    assert_int_equal(bk_get_be16(p), 0x1234);
    bk_put_be32(p, 0xdeadbeefu);
    assert_int_equal(p[0], 0xde);
    assert_int_equal(p[3], 0xef);
    assert_int_equal(bk_get_be32(p), 0xdeadbeefu);
    bk_put_be64(p, UINT64_C(0x0102030405060708));
    for (int i = 0; i < 8; i++) {
        assert_int_equal(p[i], i + 1);
    }
    assert_int_equal(bk_get_be64(p), UINT64_C(0x0102030405060708));
    bk_put_be32(p, (uint32_t)-1);
    assert_int_equal((int32_t)bk_get_be32(p), -1);
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
        cmocka_unit_test(test_str_views_compare_by_bytes),
        cmocka_unit_test(test_str_ieq_is_ascii_case_insensitive),
        cmocka_unit_test(test_buf_append_grows),
        cmocka_unit_test(test_buf_append_byte_and_binary),
        cmocka_unit_test(test_buf_printf_appends_formatted),
        cmocka_unit_test(test_buf_consume_and_clear),
        cmocka_unit_test(test_buf_reserve_overflow_fails_unchanged),
        cmocka_unit_test_teardown(test_buf_oom_leaves_buffer_intact, teardown),
        cmocka_unit_test(test_be_helpers_round_trip),
    };
    return bk_run_group_tests("common/buf", tests, NULL, NULL);
}
