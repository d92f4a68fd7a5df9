/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loaders/csv.c: the streaming RFC 4180 reader. Every record the reader delivers is rendered
 * as one text line, "<line>:<fields> raw[<raw>]", where each field is u[...] (unquoted) or
 * q[...] (quoted) and CR, LF, NUL and backslash are escaped. Tests compare those renderings,
 * which keeps the expected values readable. The central property is that the chunking of the
 * input never changes the result: every input is also fed split at every byte offset, one
 * byte at a time and in random chunks, and must give the same rendering and the same error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "loaders/loaders.h"

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct rec_log {
    bk_buf text;
    uint32_t n_records;
    uint32_t fail_at; /* 1-based record at which the callback fails (0 = never) */
} rec_log;

static void put_escaped(bk_buf *b, bk_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        char ch = s.ptr[i];
        bk_rc rc;
        if (ch == '\n') {
            rc = bk_buf_append(b, "\\n", 2);
        } else if (ch == '\r') {
            rc = bk_buf_append(b, "\\r", 2);
        } else if (ch == '\0') {
            rc = bk_buf_append(b, "\\0", 2);
        } else if (ch == '\\') {
            rc = bk_buf_append(b, "\\\\", 2);
        } else {
            rc = bk_buf_append_byte(b, (uint8_t)ch);
        }
        assert_int_equal(rc, BK_OK);
    }
}

static bk_rc collect(void *ctx, const bk_csv_record *rec, bk_error *err)
{
    rec_log *log = ctx;
    log->n_records++;
    if (log->fail_at != 0 && log->n_records == log->fail_at) {
        return bk_raise(err, INVALID_TEXT_REPRESENTATION, "callback refused record %u",
                        log->n_records);
    }
    assert_int_equal(bk_buf_printf(&log->text, "%llu:", (unsigned long long)rec->line), BK_OK);
    assert_true(rec->n_fields >= 1);
    for (uint32_t i = 0; i < rec->n_fields; i++) {
        assert_int_equal(bk_buf_append(&log->text, rec->quoted[i] ? "q[" : "u[", 2), BK_OK);
        put_escaped(&log->text, rec->fields[i]);
        assert_int_equal(bk_buf_append_byte(&log->text, ']'), BK_OK);
    }
    assert_int_equal(bk_buf_append(&log->text, " raw[", 5), BK_OK);
    put_escaped(&log->text, rec->raw);
    assert_int_equal(bk_buf_append(&log->text, "]\n", 2), BK_OK);
    return BK_OK;
}

/*
 * Feeds `in` in the chunks given by `cuts` (ascending offsets; NULL = one chunk), then
 * finishes. Returns the rendering of every record, followed by "ERR <sqlstate>" when the
 * parse failed. Caller frees the result.
 */
static char *parse_chunks(const char *in,
                          size_t len,
                          const bk_csv_options *opt,
                          const size_t *cuts,
                          size_t n_cuts,
                          uint32_t fail_at)
{
    bk_csv_options def;
    if (opt == NULL) {
        bk_csv_options_default(&def);
        opt = &def;
    }
    bk_csv *c = bk_csv_create(opt);
    assert_non_null(c);
    rec_log log = {.fail_at = fail_at};
    bk_error err;
    bk_error_clear(&err);
    size_t at = 0;
    bk_rc rc = BK_OK;
    for (size_t k = 0; k <= n_cuts && rc == BK_OK; k++) {
        size_t end = k < n_cuts ? cuts[k] : len;
        assert_true(end >= at && end <= len);
        rc = bk_csv_feed(c, in + at, end - at, collect, &log, &err);
        at = end;
    }
    if (rc == BK_OK) {
        rc = bk_csv_finish(c, collect, &log, &err);
    }
    if (rc != BK_OK) {
        assert_true(err.is_set);
        assert_int_equal(bk_buf_printf(&log.text, "ERR %s", bk_sqlstate_str(err.code)), BK_OK);
    } else {
        assert_false(err.is_set);
    }
    bk_csv_destroy(c);
    char *s = strndup(log.text.ptr != NULL ? log.text.ptr : "", log.text.len);
    assert_non_null(s);
    bk_buf_free(&log.text);
    return s;
}

static char *parse_whole(const char *in, size_t len, const bk_csv_options *opt)
{
    return parse_chunks(in, len, opt, NULL, 0, 0);
}

/* Compares a heap string with `want`, freeing it first either way (no leak on failure). */
static void expect_owned(char *got, const char *want, const char *what, size_t a, size_t b)
{
    if (strcmp(got, want) == 0) {
        free(got);
        return;
    }
    static char copy[16384];
    snprintf(copy, sizeof copy, "%s", got);
    free(got);
    fail_msg("%s (%zu, %zu) gives:\n%s\nexpected:\n%s", what, a, b, copy, want);
}

/*
 * Asserts that every chunking of `in` renders as `expected`: whole, split at each offset, byte
 * by byte, and split in three at a stride.
 */
static void
check_all_splits(const char *in, size_t len, const bk_csv_options *opt, const char *expected)
{
    expect_owned(parse_whole(in, len, opt), expected, "whole input", 0, len);
    for (size_t k = 0; k <= len; k++) {
        expect_owned(parse_chunks(in, len, opt, &k, 1, 0), expected, "split at", k, len);
    }
    size_t *cuts = malloc((len + 1) * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t k = 0; k < len; k++) {
        cuts[k] = k;
    }
    char *bytes = parse_chunks(in, len, opt, cuts, len, 0);
    free(cuts);
    expect_owned(bytes, expected, "one byte at a time", 0, len);
    for (size_t a = 0; a <= len; a += 3) {
        for (size_t b = a; b <= len; b += 5) {
            size_t two[2] = {a, b};
            expect_owned(parse_chunks(in, len, opt, two, 2, 0), expected, "split in three at", a,
                         b);
        }
    }
}

#define CHECK(lit, expected) check_all_splits((lit), sizeof(lit) - 1, NULL, (expected))

/* ---- records and fields ------------------------------------------------------------------- */

static void test_csv_plain_records(void **state)
{
    (void)state;
    CHECK("a,b,c\n1,2,3\n", "1:u[a]u[b]u[c] raw[a,b,c]\n"
                            "2:u[1]u[2]u[3] raw[1,2,3]\n");
    /* Whitespace is data. */
    CHECK(" a , b \n", "1:u[ a ]u[ b ] raw[ a , b ]\n");
}

static void test_csv_quoted_field_with_delimiter(void **state)
{
    (void)state;
    CHECK("\"a,b\",c\n", "1:q[a,b]u[c] raw[\"a,b\",c]\n");
    CHECK("x,\"1,2,3\"\n", "1:u[x]q[1,2,3] raw[x,\"1,2,3\"]\n");
}

static void test_csv_doubled_quote_is_literal(void **state)
{
    (void)state;
    CHECK("\"he said \"\"hi\"\"\",x\n", "1:q[he said \"hi\"]u[x] raw[\"he said \"\"hi\"\"\",x]\n");
    CHECK("\"\"\"\"\n", "1:q[\"] raw[\"\"\"\"]\n");
    CHECK("\"a\"\"\"\n", "1:q[a\"] raw[\"a\"\"\"]\n");
}

static void test_csv_newlines_inside_quotes_are_data(void **state)
{
    (void)state;
    CHECK("\"l1\nl2\",b\n", "1:q[l1\\nl2]u[b] raw[\"l1\\nl2\",b]\n");
    CHECK("\"l1\r\nl2\",b\r\n", "1:q[l1\\r\\nl2]u[b] raw[\"l1\\r\\nl2\",b]\n");
    CHECK("\"l1\rl2\",b\n", "1:q[l1\\rl2]u[b] raw[\"l1\\rl2\",b]\n");
}

static void test_csv_line_endings_lf_crlf_cr(void **state)
{
    (void)state;
    CHECK("a\r\nb\nc\rd", "1:u[a] raw[a]\n"
                          "2:u[b] raw[b]\n"
                          "3:u[c] raw[c]\n"
                          "4:u[d] raw[d]\n");
    /* An empty line between CRLFs is one empty record, not two. */
    CHECK("a\r\n\r\nb\r\n", "1:u[a] raw[a]\n"
                            "2:u[] raw[]\n"
                            "3:u[b] raw[b]\n");
    /* CR CR LF: the first CR ends "a", the second ends an empty record, LF belongs to it. */
    CHECK("a\r\r\nb\n", "1:u[a] raw[a]\n"
                        "2:u[] raw[]\n"
                        "3:u[b] raw[b]\n");
    /* LF CR: two line ends. */
    CHECK("a\n\rb\n", "1:u[a] raw[a]\n"
                      "2:u[] raw[]\n"
                      "3:u[b] raw[b]\n");
}

static void test_csv_missing_final_newline(void **state)
{
    (void)state;
    CHECK("a,b\nc,d", "1:u[a]u[b] raw[a,b]\n"
                      "2:u[c]u[d] raw[c,d]\n");
    CHECK("\"a,b\"", "1:q[a,b] raw[\"a,b\"]\n");
    CHECK("x,", "1:u[x]u[] raw[x,]\n");
    CHECK("x,\"\"", "1:u[x]q[] raw[x,\"\"]\n");
    /* A final line end does not start another record. */
    CHECK("a\n", "1:u[a] raw[a]\n");
    CHECK("a\r", "1:u[a] raw[a]\n");
    CHECK("", "");
}

static void test_csv_empty_fields_quoted_vs_unquoted(void **state)
{
    (void)state;
    CHECK(",\"\",\n", "1:u[]q[]u[] raw[,\"\",]\n");
    CHECK("\n", "1:u[] raw[]\n");
    CHECK("\"\"\n", "1:q[] raw[\"\"]\n");
    CHECK(",,\n", "1:u[]u[]u[] raw[,,]\n");
}

static void test_csv_quote_inside_a_field(void **state)
{
    (void)state;
    /* PostgreSQL's CSV rule: a quote opens a quoted section anywhere in a field. */
    CHECK("ab\"c,d\"ef,g\n", "1:q[abc,def]u[g] raw[ab\"c,d\"ef,g]\n");
    CHECK("\"ab\"cd,e\n", "1:q[abcd]u[e] raw[\"ab\"cd,e]\n");
    CHECK("\"a\"\"b\"c\n", "1:q[a\"bc] raw[\"a\"\"b\"c]\n");
}

static void test_csv_binary_bytes_are_preserved(void **state)
{
    (void)state;
    static const char in[] = "a\0b,\"\xff\x00\"\n";
    check_all_splits(in, sizeof in - 1, NULL, "1:u[a\\0b]q[\xff\\0] raw[a\\0b,\"\xff\\0\"]\n");
}

static void test_csv_unterminated_quote_is_22p04_at_finish(void **state)
{
    (void)state;
    /* Records before the broken one are still delivered. */
    CHECK("ok\na,\"bc\n", "1:u[ok] raw[ok]\nERR 22P04");
    CHECK("\"", "ERR 22P04");
    CHECK("\"abc\"\"", "ERR 22P04");

    bk_csv_options opt;
    bk_csv_options_default(&opt);
    bk_csv *c = bk_csv_create(&opt);
    assert_non_null(c);
    rec_log log = {0};
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_csv_feed(c, "x,\"open", 7, collect, &log, &err), BK_OK);
    assert_int_equal(log.n_records, 0);
    assert_int_equal(bk_csv_finish(c, collect, &log, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    assert_string_equal(err.message, "unterminated CSV quoted field");
    assert_int_equal(log.n_records, 0);
    bk_csv_destroy(c);
    bk_buf_free(&log.text);
}

static void test_csv_max_field_bytes(void **state)
{
    (void)state;
    bk_csv_options opt;
    bk_csv_options_default(&opt);
    opt.max_field_bytes = 4;
    check_all_splits("abcd,\"wxyz\"\n", 12, &opt, "1:u[abcd]q[wxyz] raw[abcd,\"wxyz\"]\n");
    /* The limit counts unescaped bytes: a doubled quote is one byte. */
    check_all_splits("\"a\"\"bc\"\n", 8, &opt, "1:q[a\"bc] raw[\"a\"\"bc\"]\n");
    check_all_splits("ok\nabcde\nnext\n", 14, &opt, "1:u[ok] raw[ok]\nERR 22P04");
    check_all_splits("\"abc\ne\"\n", 8, &opt, "ERR 22P04");
    check_all_splits("a,bbbbb", 7, &opt, "ERR 22P04");

    bk_csv *c = bk_csv_create(&opt);
    assert_non_null(c);
    rec_log log = {0};
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_csv_feed(c, "1\n2\nxxxxxxxx\n", 13, collect, &log, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    assert_non_null(strstr(err.message, "line 3"));
    bk_csv_destroy(c);
    bk_buf_free(&log.text);
}

static void test_csv_record_lines_after_multiline_fields(void **state)
{
    (void)state;
    CHECK("h1,h2\n\"a\nb\nc\",x\nnext,y\n", "1:u[h1]u[h2] raw[h1,h2]\n"
                                            "2:q[a\\nb\\nc]u[x] raw[\"a\\nb\\nc\",x]\n"
                                            "5:u[next]u[y] raw[next,y]\n");
    CHECK("h\r\n\"a\r\nb\"\r\nnext\r\n", "1:u[h] raw[h]\n"
                                         "2:q[a\\r\\nb] raw[\"a\\r\\nb\"]\n"
                                         "4:u[next] raw[next]\n");
    /* Doubled quotes right before an embedded newline. */
    CHECK("\"x\"\"\ny\"\nz\n", "1:q[x\"\\ny] raw[\"x\"\"\\ny\"]\n"
                               "3:u[z] raw[z]\n");
}

static void test_csv_record_lines_in_cr_only_files(void **state)
{
    (void)state;
    /*
     * A file whose line ends are lone CRs (classic Mac): CR ends records outside quotes, so it
     * is the line terminator, and a CR inside a quoted field is a line break of the file just
     * as LF is in an LF file. The record after a two-line field starts on line 3.
     */
    CHECK("\"a\rb\",x\rnext\r", "1:q[a\\rb]u[x] raw[\"a\\rb\",x]\n"
                                "3:u[next] raw[next]\n");
}

static void test_csv_custom_delimiter_and_escape(void **state)
{
    (void)state;
    bk_csv_options opt;
    bk_csv_options_default(&opt);
    opt.delimiter = ';';
    check_all_splits("a;\"b;c\";d,e\n", 12, &opt, "1:u[a]q[b;c]u[d,e] raw[a;\"b;c\";d,e]\n");

    opt.delimiter = '\t';
    check_all_splits("a\t\"b\tc\"\n", 8, &opt, "1:u[a]q[b\tc] raw[a\t\"b\tc\"]\n");

    bk_csv_options_default(&opt);
    opt.escape = '\\';
    /* \" and \\ inside quotes are literal characters; before anything else \ is literal. */
    static const char in[] = "\"a\\\"b\",\"c\\\\d\",\"e\\xf\",g\\h\n";
    check_all_splits(in, sizeof in - 1, &opt,
                     "1:q[a\"b]q[c\\\\d]q[e\\\\xf]u[g\\\\h] raw[\"a\\\\\"b\",\"c\\\\\\\\d\","
                     "\"e\\\\xf\",g\\\\h]\n");
    /* With a distinct escape char, a doubled quote closes and reopens the section. */
    check_all_splits("\"a\"\"b\"\n", 7, &opt, "1:q[ab] raw[\"a\"\"b\"]\n");
    /* An escape right at the end of input leaves the quote unterminated. */
    check_all_splits("\"ab\\", 4, &opt, "ERR 22P04");
}

static void test_csv_callback_error_stops_the_parse(void **state)
{
    (void)state;
    static const char in[] = "a\nb\nc\nd\n";
    /* The first record was delivered, the callback's own SQLSTATE is reported. */
    expect_owned(parse_chunks(in, sizeof in - 1, NULL, NULL, 0, 2), "1:u[a] raw[a]\nERR 22P02",
                 "fail at record", 2, 0);
    /* At finish too. */
    expect_owned(parse_chunks("a\nb", 3, NULL, NULL, 0, 2), "1:u[a] raw[a]\nERR 22P02",
                 "fail at record", 2, 0);
}

static void test_csv_many_fields_and_long_fields(void **state)
{
    (void)state;
    bk_buf in = {0};
    bk_buf want = {0};
    assert_int_equal(bk_buf_append(&want, "1:", 2), BK_OK);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(bk_buf_printf(&in, "%s%d", i > 0 ? "," : "", i), BK_OK);
        assert_int_equal(bk_buf_printf(&want, "u[%d]", i), BK_OK);
    }
    assert_int_equal(bk_buf_printf(&want, " raw[%.*s]\n", (int)in.len, in.ptr), BK_OK);
    assert_int_equal(bk_buf_append(&in, "\n", 1), BK_OK);
    /* A second record with one 100 kB quoted field. */
    size_t rec2 = in.len;
    assert_int_equal(bk_buf_append(&in, "\"", 1), BK_OK);
    assert_int_equal(bk_buf_append(&want, "2:q[", 4), BK_OK);
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(bk_buf_append_byte(&in, (uint8_t)('a' + i % 26)), BK_OK);
        assert_int_equal(bk_buf_append_byte(&want, (uint8_t)('a' + i % 26)), BK_OK);
    }
    assert_int_equal(bk_buf_append(&in, "\"\n", 2), BK_OK);
    assert_int_equal(bk_buf_printf(&want, "] raw[%.*s]\n", 100002, in.ptr + rec2), BK_OK);
    assert_int_equal(bk_buf_append_byte(&want, 0), BK_OK);
    expect_owned(parse_whole(in.ptr, in.len, NULL), want.ptr, "whole", 0, in.len);
    /* Random chunkings of the same input. */
    bk_test_rng rng;
    bk_test_rng_init(&rng, 0xC5F1);
    for (int round = 0; round < 20; round++) {
        size_t cuts[8];
        for (size_t k = 0; k < 8; k++) {
            cuts[k] = (size_t)bk_test_rng_below(&rng, in.len + 1);
        }
        for (size_t i = 1; i < 8; i++) {
            for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
                size_t t = cuts[j];
                cuts[j] = cuts[j - 1];
                cuts[j - 1] = t;
            }
        }
        expect_owned(parse_chunks(in.ptr, in.len, NULL, cuts, 8, 0), want.ptr, "random cuts",
                     cuts[0], cuts[7]);
    }
    bk_buf_free(&in);
    bk_buf_free(&want);
}

static void test_csv_too_many_columns_is_an_error(void **state)
{
    (void)state;
    size_t n = 200000;
    char *in = malloc(n + 1);
    assert_non_null(in);
    memset(in, ',', n);
    in[n] = '\n';
    char *s = parse_whole(in, n + 1, NULL);
    free(in);
    expect_owned(s, "ERR 22P04", "200000 empty fields", 0, n);
}

static void test_csv_torture_input_any_split(void **state)
{
    (void)state;
    static const char in[] = "id,\"name\",note\r\n"
                             "1,\"Smith, J\",\"said \"\"hi\"\"\"\r\n"
                             "2,,\"\"\n"
                             "3,\"multi\r\nline\nfield\",x\r"
                             "4,\"\"\"\",\"a,b\"\r\n"
                             "\r\n"
                             "5,mid\"dle,q\"uote\n"
                             "6,end";
    check_all_splits(in, sizeof in - 1, NULL,
                     "1:u[id]q[name]u[note] raw[id,\"name\",note]\n"
                     "2:u[1]q[Smith, J]q[said \"hi\"] raw[1,\"Smith, J\",\"said \"\"hi\"\"\"]\n"
                     "3:u[2]u[]q[] raw[2,,\"\"]\n"
                     "4:u[3]q[multi\\r\\nline\\nfield]u[x] raw[3,\"multi\\r\\nline\\nfield\",x]\n"
                     "7:u[4]q[\"]q[a,b] raw[4,\"\"\"\",\"a,b\"]\n"
                     "8:u[] raw[]\n"
                     "9:u[5]q[middle,quote] raw[5,mid\"dle,q\"uote]\n"
                     "10:u[6]u[end] raw[6,end]\n");
}

static void test_csv_random_inputs_independent_of_chunking(void **state)
{
    (void)state;
    static const char alphabet[] = {'a', 'b', ',', ',', '"', '"', '\r', '\n', '\n', ' '};
    bk_test_rng rng;
    bk_test_rng_init(&rng, 0xC5F2);
    bk_csv_options small;
    bk_csv_options_default(&small);
    small.max_field_bytes = 6;
    for (int round = 0; round < 300; round++) {
        char in[64];
        size_t len = (size_t)bk_test_rng_below(&rng, sizeof in + 1);
        for (size_t i = 0; i < len; i++) {
            in[i] = alphabet[bk_test_rng_below(&rng, sizeof alphabet)];
        }
        const bk_csv_options *opt = round % 3 == 0 ? &small : NULL;
        char *whole = parse_whole(in, len, opt);
        static char want[16384];
        snprintf(want, sizeof want, "%s", whole);
        free(whole);
        for (size_t k = 0; k <= len; k++) {
            expect_owned(parse_chunks(in, len, opt, &k, 1, 0), want, "random input, split at", k,
                         len);
        }
        size_t cuts[64];
        for (size_t k = 0; k < len; k++) {
            cuts[k] = k;
        }
        expect_owned(parse_chunks(in, len, opt, cuts, len, 0), want, "random input, bytewise", 0,
                     len);
    }
}

static void test_csv_default_options(void **state)
{
    (void)state;
    bk_csv_options opt;
    memset(&opt, 0x55, sizeof opt);
    bk_csv_options_default(&opt);
    assert_int_equal(opt.delimiter, ',');
    assert_int_equal(opt.quote, '"');
    assert_int_equal(opt.escape, '"');
    assert_int_equal(opt.max_field_bytes, 0);
    bk_csv_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_default_options),
        cmocka_unit_test(test_csv_plain_records),
        cmocka_unit_test(test_csv_quoted_field_with_delimiter),
        cmocka_unit_test(test_csv_doubled_quote_is_literal),
        cmocka_unit_test(test_csv_newlines_inside_quotes_are_data),
        cmocka_unit_test(test_csv_line_endings_lf_crlf_cr),
        cmocka_unit_test(test_csv_missing_final_newline),
        cmocka_unit_test(test_csv_empty_fields_quoted_vs_unquoted),
        cmocka_unit_test(test_csv_quote_inside_a_field),
        cmocka_unit_test(test_csv_binary_bytes_are_preserved),
        cmocka_unit_test(test_csv_unterminated_quote_is_22p04_at_finish),
        cmocka_unit_test(test_csv_max_field_bytes),
        cmocka_unit_test(test_csv_record_lines_after_multiline_fields),
        cmocka_unit_test(test_csv_record_lines_in_cr_only_files),
        cmocka_unit_test(test_csv_custom_delimiter_and_escape),
        cmocka_unit_test(test_csv_callback_error_stops_the_parse),
        cmocka_unit_test(test_csv_many_fields_and_long_fields),
        cmocka_unit_test(test_csv_too_many_columns_is_an_error),
        cmocka_unit_test(test_csv_torture_input_any_split),
        cmocka_unit_test(test_csv_random_inputs_independent_of_chunking),
    };
    return bk_run_group_tests("loaders/csv", tests, NULL, NULL);
}
