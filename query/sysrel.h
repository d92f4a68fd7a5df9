/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System relations: tables whose rows the engine computes when a query reads them, from the
 * live catalog and storage (pg_catalog, information_schema, Basket's own basket_* views).
 * Each relation is a name, columns and a fill function; sysrel.c keeps the list and the row
 * builder, one file per family defines relations (sys_basket.c, ...).
 *
 * A fill function runs once per scan, in the executing thread, on the query's snapshot, and
 * appends rows with the builder:
 *
 *     if (bk_sysrows_row(out, err) != BK_OK) return BK_ERR;
 *     bk_sysrows_text(out, 0, "transactions");
 *     bk_sysrows_int(out, 1, 42);       (columns left unset are NULL)
 */
#ifndef BK_QUERY_SYSREL_H
#define BK_QUERY_SYSREL_H

#include "query_int.h"

typedef struct bk_sysrows bk_sysrows;

typedef bk_rc (*bk_sysrel_fill)(bk_exec_ctx *ctx, bk_sysrows *out, bk_error *err);

typedef struct bk_sysrel {
    const char *schema; /* "pg_catalog" or "information_schema" */
    const char *name;
    uint32_t oid; /* its pg_class oid */
    const bk_column_def *cols;
    uint32_t n_cols;
    bk_sysrel_fill fill;
} bk_sysrel;

/*
 * The relation `name` in `schema`, or, with schema NULL, as an unqualified name resolves:
 * pg_catalog comes first on every search path (PostgreSQL's rule). NULL when none.
 */
const bk_sysrel *bk_sysrel_find(const char *schema, const char *name);
/* Whether `schema` holds system relations (its names are never user tables). */
bool bk_sysrel_schema(const char *schema);
/* Every system relation (for the catalogs that list relations). */
const bk_sysrel *const *bk_sysrel_all(uint32_t *n);

/* ---- the row builder ---- */

struct bk_sysrows {
    const bk_sysrel *rel;
    bk_arena *arena; /* rows live here until the scan ends */
    bk_batch **batches;
    uint32_t n_batches;
    uint32_t cap_batches;
    bk_batch *cur;
    uint32_t row; /* current row in cur */
    bool failed;  /* a setter ran out of memory: the next bk_sysrows_row reports it */
};

BK_NODISCARD bk_rc bk_sysrows_init(bk_sysrows *r, const bk_sysrel *rel, bk_arena *a, bk_error *err);
/* Starts a new row, every column NULL. */
BK_NODISCARD bk_rc bk_sysrows_row(bk_sysrows *r, bk_error *err);
/* Ends the fill: BK_ERR if a setter failed since the last row began. */
BK_NODISCARD bk_rc bk_sysrows_finish(bk_sysrows *r, bk_error *err);
/* Setters for the current row; the value's kind must suit the column's type. */
void bk_sysrows_text(bk_sysrows *r, uint32_t col, const char *s); /* copied; NULL = NULL */
void bk_sysrows_int(bk_sysrows *r, uint32_t col, int64_t v);      /* int2/4/8, oid, bool, date */
void bk_sysrows_float(bk_sysrows *r, uint32_t col, double v);
void bk_sysrows_numeric(bk_sysrows *r, uint32_t col, bk_i128 v, int scale);
void bk_sysrows_timestamp(bk_sysrows *r, uint32_t col, int64_t us); /* timestamp[tz] */

/* The relations of each family (one array per file, NULL-terminated). */
extern const bk_sysrel *const bk_sysrels_basket[];

#endif /* BK_QUERY_SYSREL_H */
