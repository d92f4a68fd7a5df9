/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: SQL text end to end -- libpg_query, bind, plan and execution to the last
 * batch, every value printed with bk_value_to_text -- on the tiny database of fuzz_fixture.h
 * (tables t, e, big, transactions), in a fresh session per input. Errors are expected; the
 * oracles are the sanitizers plus:
 *   - a failure always comes with an error, and never with XX000 (internal error: a bug);
 *   - an error position lies within the query text;
 *   - every batch has the columns the statement described, of the described types.
 * The input is the SQL text, cut at the first NUL byte and skipped unless it is valid UTF-8,
 * as the protocol delivers it (session.c rejects other text with 22021 before parsing).
 */
#include "fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what, const char *sql)
{
    if (!ok) {
        fprintf(stderr, "fuzz invariant violated: %s\nSQL: %.500s\n", what, sql);
        abort();
    }
}

static void check_error(const bk_error *err, const char *sql)
{
    check(err->is_set, "failure without an error", sql);
    check(err->code != BK_ERRCODE_INTERNAL_ERROR, err->message, sql);
    size_t chars = 0;
    for (const char *p = sql; *p != '\0'; p++) {
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    }
    check(err->position >= 0 && (size_t)err->position <= chars + 1,
          "error position outside the text", sql);
}

/* UTF-8 validity with the protocol's rules: no overlongs, surrogates or code points > U+10FFFF. */
static bool utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len == 0 || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4)) {
            return false;
        }
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        if ((len == 3 && c == 0xE0 && p[i + 1] < 0xA0) ||
            (len == 3 && c == 0xED && p[i + 1] >= 0xA0) ||
            (len == 4 && c == 0xF0 && p[i + 1] < 0x90) ||
            (len == 4 && c == 0xF4 && p[i + 1] >= 0x90)) {
            return false;
        }
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (nul != NULL) {
        size = (size_t)(nul - data);
    }
    if (!utf8_valid(data, size)) {
        return 0;
    }
    bk_engine *engine = fuzz_engine();
    char *sql = malloc(size + 1);
    check(sql != NULL, "out of memory in the harness", "");
    memcpy(sql, data, size);
    sql[size] = '\0';
    bk_arena *arena = bk_arena_create(NULL, "fuzz", 0);
    check(arena != NULL, "arena", sql);
    bk_error err;
    bk_error_clear(&err);
    bk_session *s = bk_session_create(engine, arena, "fuzz", "basket", &err);
    check(s != NULL, "session", sql);
    bk_arena *qa = bk_arena_create(arena, "query", 0);
    check(qa != NULL, "arena", sql);
    bk_parsed *p = bk_query_parse(sql, qa, &err);
    if (p == NULL) {
        check_error(&err, sql);
    }
    bk_buf text = {0};
    for (uint32_t i = 0; p != NULL && i < bk_parsed_count(p) && i < 64; i++) {
        bk_error_clear(&err);
        bk_stmt *st = bk_stmt_prepare(s, p, i, NULL, 0, qa, &err);
        if (st == NULL) {
            check_error(&err, sql);
            continue;
        }
        const bk_result_desc *rd = bk_stmt_result(st);
        bk_exec *ex = bk_exec_start(s, st, NULL, qa, &err);
        if (ex == NULL) {
            check_error(&err, sql);
            continue;
        }
        for (;;) {
            bk_batch *b;
            if (bk_exec_next(ex, &b, &err) != BK_OK) {
                check_error(&err, sql);
                break;
            }
            if (b == NULL) {
                check(bk_exec_command_tag(ex)[0] != '\0', "empty command tag", sql);
                break;
            }
            check(b->n_cols == rd->n_cols, "batch width differs from the description", sql);
            for (uint32_t c = 0; c < b->n_cols; c++) {
                check(b->cols[c].type.id == rd->cols[c].type.id,
                      "batch column type differs from the description", sql);
            }
            for (uint32_t r = 0; r < b->n_rows; r++) {
                for (uint32_t c = 0; c < b->n_cols; c++) {
                    if (!bk_vec_is_null(&b->cols[c], r)) {
                        bk_buf_clear(&text);
                        check(bk_value_to_text(s, &b->cols[c], r, &text) == BK_OK,
                              "bk_value_to_text", sql);
                    }
                }
            }
        }
        bk_exec_close(ex);
    }
    bk_buf_free(&text);
    bk_session_destroy(s);
    bk_arena_destroy(arena);
    free(sql);
    return 0;
}
