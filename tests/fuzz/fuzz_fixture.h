/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the fuzz targets: how an input chooses its chunking, and the tiny database the
 * protocol and SQL targets run against. Everything here is static inline so that a target
 * that uses only part of it compiles without unused-function warnings.
 *
 * Chunking: the first input byte is a selector, the rest is the payload.
 *   0x00         the whole payload in one piece
 *   0x80 | n     fixed pieces of n + 1 bytes (1..128)
 *   otherwise    pseudo-random pieces of 1..64 bytes from a generator seeded by the byte
 * Tables: t(k int4 not null, x int4, y text, z numeric) with 5 rows and NULLs,
 *         e (same columns, empty), transactions (Online Retail schema, 300 generated rows),
 *         big(id int8, s text) with 5,000 rows (enough for several output batches).
 */
#ifndef BK_TESTS_FUZZ_FIXTURE_H
#define BK_TESTS_FUZZ_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/loaders.h"
#include "query/query.h"

/* ---- chunking ----------------------------------------------------------------------------- */

typedef struct fuzz_chunker {
    uint8_t mode;
    uint32_t state;
} fuzz_chunker;

static inline void fuzz_chunker_init(fuzz_chunker *ch, uint8_t selector)
{
    ch->mode = selector;
    ch->state = 0x9E3779B9u ^ selector;
}

/* Size of the next piece, at most `left` (which is > 0). */
static inline size_t fuzz_chunk_next(fuzz_chunker *ch, size_t left)
{
    size_t n;
    if (ch->mode == 0) {
        n = left;
    } else if (ch->mode & 0x80) {
        n = (size_t)(ch->mode & 0x7F) + 1;
    } else {
        ch->state ^= ch->state << 13;
        ch->state ^= ch->state >> 17;
        ch->state ^= ch->state << 5;
        n = 1 + ch->state % 64;
    }
    return n < left ? n : left;
}

/* ---- the tiny database -------------------------------------------------------------------- */

static inline void fuzz_die(const char *what)
{
    fprintf(stderr, "fuzz fixture: %s\n", what);
    abort();
}

static inline void fuzz_load_cells(bk_table *t, const char *const *cells, uint32_t n_rows)
{
    uint32_t n_cols = bk_table_column_count(t);
    bk_arena *a = bk_arena_create(NULL, "fuzz rows", 0);
    bk_batch *b = a != NULL ? bk_batch_alloc(n_cols, a) : NULL;
    bk_error err;
    bk_error_clear(&err);
    if (b == NULL) {
        fuzz_die("out of memory");
    }
    for (uint32_t c = 0; c < n_cols; c++) {
        bk_vec *v = &b->cols[c];
        if (bk_vec_alloc(v, bk_table_column(t, c)->type, n_rows, true, a) != BK_OK) {
            fuzz_die("out of memory");
        }
        for (uint32_t r = 0; r < n_rows; r++) {
            const char *cell = cells[(size_t)r * n_cols + c];
            if (cell == NULL) {
                bk_validity_set(v->validity, r, false);
                continue;
            }
            bk_str s = bk_str_from_cstr(cell);
            bk_rc rc = BK_OK;
            switch (v->type.id) {
            case BK_TYPE_INT4:
                rc = bk_parse_int4(s, (int32_t *)v->data + r, &err);
                break;
            case BK_TYPE_NUMERIC:
                rc = bk_parse_numeric(s, (bk_i128 *)v->data + r, &v->scale[r], &err);
                break;
            case BK_TYPE_TEXT:
                ((bk_str *)v->data)[r] = s;
                break;
            default:
                fuzz_die("unsupported column type");
            }
            if (rc != BK_OK) {
                fuzz_die(err.message);
            }
        }
    }
    b->n_rows = n_rows;
    bk_appender *ap = bk_appender_begin(t, &err);
    if (ap == NULL || bk_appender_append(ap, b, &err) != BK_OK ||
        bk_appender_commit(ap, &err) != BK_OK) {
        fuzz_die(err.message);
    }
    bk_arena_destroy(a);
}

static inline void fuzz_load_big(bk_table *t, uint32_t rows)
{
    static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon"};
    bk_arena *a = bk_arena_create(NULL, "fuzz rows", 0);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = a != NULL ? bk_appender_begin(t, &err) : NULL;
    if (ap == NULL) {
        fuzz_die("appender");
    }
    for (uint32_t base = 0; base < rows; base += BK_BATCH_ROWS) {
        uint32_t n = rows - base < BK_BATCH_ROWS ? rows - base : BK_BATCH_ROWS;
        bk_batch *b = bk_batch_alloc(2, a);
        if (b == NULL ||
            bk_vec_alloc(&b->cols[0], bk_type_of(BK_TYPE_INT8), n, false, a) != BK_OK ||
            bk_vec_alloc(&b->cols[1], bk_type_of(BK_TYPE_TEXT), n, false, a) != BK_OK) {
            fuzz_die("out of memory");
        }
        for (uint32_t i = 0; i < n; i++) {
            ((int64_t *)b->cols[0].data)[i] = (int64_t)(base + i);
            ((bk_str *)b->cols[1].data)[i] = bk_str_from_cstr(words[(base + i) % 5]);
        }
        b->n_rows = n;
        if (bk_appender_append(ap, b, &err) != BK_OK) {
            fuzz_die(err.message);
        }
        bk_arena_reset(a);
    }
    if (bk_appender_commit(ap, &err) != BK_OK) {
        fuzz_die(err.message);
    }
    bk_arena_destroy(a);
}

/* Creates the database and engine once per process (they live until exit). */
static inline bk_engine *fuzz_engine(void)
{
    static bk_engine *engine;
    if (engine != NULL) {
        return engine;
    }
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_create();
    if (db == NULL) {
        fuzz_die("db");
    }
    static const bk_column_def cols[] = {
        {"k",       {BK_TYPE_INT4, BK_OID_INT4, -1},  true, NULL},
        {"x",       {BK_TYPE_INT4, BK_OID_INT4, -1}, false, NULL},
        {"y",       {BK_TYPE_TEXT, BK_OID_TEXT, -1}, false, NULL},
        {"z", {BK_TYPE_NUMERIC, BK_OID_NUMERIC, -1}, false, NULL},
    };
    static const char *const rows[] = {
        "1",  "0",    "a", "1.5", "2", NULL, "b", NULL, "3",  "2",
        NULL, "2.25", "4", "5",   "a", "-1", "5", NULL, NULL, "0.10",
    };
    bk_table *t = bk_db_create_table(db, "t", cols, 4, &err);
    if (t == NULL || bk_db_create_table(db, "e", cols, 4, &err) == NULL) {
        fuzz_die(err.message);
    }
    fuzz_load_cells(t, rows, 5);
    static const bk_column_def big_cols[] = {
        {"id", {BK_TYPE_INT8, BK_OID_INT8, -1}, true, NULL},
        { "s", {BK_TYPE_TEXT, BK_OID_TEXT, -1}, true, NULL},
    };
    bk_table *big = bk_db_create_table(db, "big", big_cols, 2, &err);
    if (big == NULL) {
        fuzz_die(err.message);
    }
    fuzz_load_big(big, 5000);
    bk_table *tx = bk_retail_table(db, &err);
    bk_load_stats stats;
    if (tx == NULL || bk_gen_load(tx, 300, 42, &stats, &err) != BK_OK) {
        fuzz_die(err.message);
    }
    /* 64 MiB per query: expressions that build huge strings fail with 53200, not the host. */
    bk_engine_options opt = {.server_version = "15.18", .query_memory_limit = (size_t)64 << 20};
    engine = bk_engine_create(db, &opt, &err);
    if (engine == NULL) {
        fuzz_die(err.message);
    }
    return engine;
}

#endif /* BK_TESTS_FUZZ_FIXTURE_H */
