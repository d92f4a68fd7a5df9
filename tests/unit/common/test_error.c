/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/error.c: SQLSTATE strings (sqlstate.def), raising (first error wins), detail, hint,
 * position, severity, copying, and truncation of long texts into the fixed buffers.
 */
#include <string.h>

#include "bk_test.h"
#include "common/common.h"

static void test_sqlstate_strings_match_postgresql(void **state)
{
    (void)state;
    /* Codes from PostgreSQL 15's errcodes.txt. */
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_SUCCESSFUL_COMPLETION), "00000");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_SYNTAX_ERROR), "42601");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_DIVISION_BY_ZERO), "22012");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), "22003");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_INVALID_TEXT_REPRESENTATION), "22P02");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_NOT_NULL_VIOLATION), "23502");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_OUT_OF_MEMORY), "53200");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_PROTOCOL_VIOLATION), "08P01");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_FEATURE_NOT_SUPPORTED), "0A000");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_UNDEFINED_TABLE), "42P01");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_INVALID_PASSWORD), "28P01");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_INTERNAL_ERROR), "XX000");
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_QUERY_CANCELED), "57014");
}

static void test_sqlstate_table_is_well_formed(void **state)
{
    (void)state;
    for (int c = 0; c < (int)BK_ERRCODE_COUNT_; c++) {
        const char *s = bk_sqlstate_str((bk_sqlstate)c);
        assert_non_null(s);
        assert_int_equal(strlen(s), 5);
        for (int i = 0; i < 5; i++) {
            assert_true((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z'));
        }
    }
    /* Out of range never returns NULL. */
    assert_string_equal(bk_sqlstate_str(BK_ERRCODE_COUNT_), "XX000");
    assert_string_equal(bk_sqlstate_str((bk_sqlstate)-1), "XX000");
}

static void test_severity_strings(void **state)
{
    (void)state;
    assert_string_equal(bk_severity_str(BK_SEV_NOTICE), "NOTICE");
    assert_string_equal(bk_severity_str(BK_SEV_WARNING), "WARNING");
    assert_string_equal(bk_severity_str(BK_SEV_ERROR), "ERROR");
    assert_string_equal(bk_severity_str(BK_SEV_FATAL), "FATAL");
    assert_string_equal(bk_severity_str(BK_SEV_PANIC), "PANIC");
}

static void test_error_clear_resets_everything(void **state)
{
    (void)state;
    bk_error err;
    memset(&err, 0x55, sizeof err);
    bk_error_clear(&err);
    assert_false(err.is_set);
    assert_int_equal(err.code, BK_ERRCODE_SUCCESSFUL_COMPLETION);
    assert_int_equal(err.position, 0);
    assert_string_equal(err.message, "");
    assert_string_equal(err.detail, "");
    assert_string_equal(err.hint, "");
}

static void test_error_raise_records_code_message_and_site(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    int line = __LINE__ + 1;
    bk_rc rc = bk_raise(&err, DIVISION_BY_ZERO, "division by %s", "zero");
    assert_int_equal(rc, BK_ERR);
    assert_true(err.is_set);
    assert_int_equal(err.code, BK_ERRCODE_DIVISION_BY_ZERO);
    assert_int_equal(err.severity, BK_SEV_ERROR);
    assert_string_equal(err.message, "division by zero");
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.file, "test_error.c"));
    assert_string_equal(err.func, "test_error_raise_records_code_message_and_site");
}

static void test_error_first_error_wins(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_raise(&err, NUMERIC_VALUE_OUT_OF_RANGE, "first"), BK_ERR);
    bk_error_set_position(&err, 7);
    assert_int_equal(bk_raise(&err, INTERNAL_ERROR, "second"), BK_ERR);
    assert_int_equal(err.code, BK_ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
    assert_string_equal(err.message, "first");
    assert_int_equal(err.position, 7);
    /* Position too: the first (lowest layer) one is kept. */
    bk_error_set_position(&err, 99);
    assert_int_equal(err.position, 7);
    /* After clearing, a new error is recorded. */
    bk_error_clear(&err);
    assert_int_equal(bk_raise(&err, SYNTAX_ERROR, "third"), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "42601");
    assert_string_equal(err.message, "third");
}

static void test_error_null_is_allowed(void **state)
{
    (void)state;
    assert_int_equal(bk_raise(NULL, OUT_OF_MEMORY, "out of memory"), BK_ERR);
    bk_error_detail(NULL, "x");
    bk_error_hint(NULL, "x");
    bk_error_set_severity(NULL, BK_SEV_FATAL);
    bk_error_set_position(NULL, 3);
}

static void test_error_detail_hint_severity(void **state)
{
    (void)state;
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_raise(&err, BAD_COPY_FILE_FORMAT, "extra data after last expected column"),
                     BK_ERR);
    bk_error_detail(&err, "line %d, column %s", 12, "price");
    bk_error_hint(&err, "Check the delimiter.");
    bk_error_set_severity(&err, BK_SEV_FATAL);
    assert_string_equal(err.detail, "line 12, column price");
    assert_string_equal(err.hint, "Check the delimiter.");
    assert_int_equal(err.severity, BK_SEV_FATAL);
    /* Detail and hint overwrite. */
    bk_error_detail(&err, "again");
    assert_string_equal(err.detail, "again");
    /* A new raise after clear starts with empty detail and hint. */
    bk_error_clear(&err);
    assert_int_equal(bk_raise(&err, SYNTAX_ERROR, "x"), BK_ERR);
    assert_string_equal(err.detail, "");
    assert_string_equal(err.hint, "");
    assert_int_equal(err.severity, BK_SEV_ERROR);
}

static void test_error_long_texts_are_truncated(void **state)
{
    (void)state;
    static char longtext[4000];
    memset(longtext, 'm', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_raise(&err, STRING_DATA_RIGHT_TRUNCATION, "%s", longtext), BK_ERR);
    assert_int_equal(strlen(err.message), BK_ERROR_MSG_CAP - 1);
    assert_memory_equal(err.message, longtext, BK_ERROR_MSG_CAP - 1);
    bk_error_detail(&err, "%s", longtext);
    assert_int_equal(strlen(err.detail), BK_ERROR_DETAIL_CAP - 1);
    bk_error_hint(&err, "%s%s", longtext, longtext);
    assert_int_equal(strlen(err.hint), BK_ERROR_HINT_CAP - 1);
    /* Exactly at the cap minus one: kept whole. */
    char fits[BK_ERROR_MSG_CAP];
    memset(fits, 'f', sizeof fits - 1);
    fits[sizeof fits - 1] = '\0';
    bk_error_clear(&err);
    assert_int_equal(bk_raise(&err, SYNTAX_ERROR, "%s", fits), BK_ERR);
    assert_string_equal(err.message, fits);
}

static void test_error_copy(void **state)
{
    (void)state;
    bk_error a, b;
    bk_error_clear(&a);
    bk_error_clear(&b);
    assert_int_equal(bk_raise(&a, UNDEFINED_TABLE, "relation \"%s\" does not exist", "sales"),
                     BK_ERR);
    bk_error_set_position(&a, 15);
    bk_error_hint(&a, "hint");
    bk_error_copy(&b, &a);
    assert_true(b.is_set);
    assert_int_equal(b.code, BK_ERRCODE_UNDEFINED_TABLE);
    assert_string_equal(b.message, "relation \"sales\" does not exist");
    assert_int_equal(b.position, 15);
    assert_string_equal(b.hint, "hint");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlstate_strings_match_postgresql),
        cmocka_unit_test(test_sqlstate_table_is_well_formed),
        cmocka_unit_test(test_severity_strings),
        cmocka_unit_test(test_error_clear_resets_everything),
        cmocka_unit_test(test_error_raise_records_code_message_and_site),
        cmocka_unit_test(test_error_first_error_wins),
        cmocka_unit_test(test_error_null_is_allowed),
        cmocka_unit_test(test_error_detail_hint_severity),
        cmocka_unit_test(test_error_long_texts_are_truncated),
        cmocka_unit_test(test_error_copy),
    };
    return bk_run_group_tests("common/error", tests, NULL, NULL);
}
