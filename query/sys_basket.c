/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Basket's own system relations, in pg_catalog so that they resolve unqualified:
 *
 *   basket_columns  one row per column of every user table: its type, how storage encodes
 *                   it, rows, distinct values (text dictionaries), and the bytes it really
 *                   holds (values, dictionary, NULL bitmaps, zone maps)
 *   basket_tables   one row per user table: rows, columns, bytes
 *
 * OIDs 9000.. are Basket's; PostgreSQL's own catalogs keep theirs.
 */
#include "sysrel.h"

#define T_TEXT                  \
 {                              \
  BK_TYPE_TEXT, BK_OID_NAME, -1 \
 }
#define T_INT8                  \
 {                              \
  BK_TYPE_INT8, BK_OID_INT8, -1 \
 }
#define T_INT4                  \
 {                              \
  BK_TYPE_INT4, BK_OID_INT4, -1 \
 }

static bk_rc fill_columns(bk_exec_ctx *ctx, bk_sysrows *out, bk_error *err)
{
    bk_db *db = ctx->session->engine->db;
    uint32_t n = bk_snap_table_count(ctx->snap);
    for (uint32_t i = 0; i < n; i++) {
        bk_table *t = bk_db_table_at(db, i);
        for (uint32_t c = 0; c < bk_table_column_count(t); c++) {
            const bk_column_def *def = bk_table_column(t, c);
            bk_column_stats st;
            bk_table_column_stats(ctx->snap, t, c, &st);
            if (bk_sysrows_row(out, err) != BK_OK) {
                return BK_ERR;
            }
            bk_sysrows_text(out, 0, bk_table_name(t));
            bk_sysrows_text(out, 1, def->name);
            char type[64];
            bk_type_format(def->type, type, sizeof type);
            bk_sysrows_text(out, 2, type);
            bk_sysrows_text(out, 3, st.encoding);
            bk_sysrows_int(out, 4, (int64_t)st.rows);
            if (st.distinct_values > 0 || def->type.id == BK_TYPE_TEXT) {
                bk_sysrows_int(out, 5, (int64_t)st.distinct_values);
            }
            bk_sysrows_int(out, 6, (int64_t)st.bytes);
        }
    }
    return bk_sysrows_finish(out, err);
}

static bk_rc fill_tables(bk_exec_ctx *ctx, bk_sysrows *out, bk_error *err)
{
    bk_db *db = ctx->session->engine->db;
    uint32_t n = bk_snap_table_count(ctx->snap);
    for (uint32_t i = 0; i < n; i++) {
        bk_table *t = bk_db_table_at(db, i);
        uint64_t bytes = 0, rows = 0;
        for (uint32_t c = 0; c < bk_table_column_count(t); c++) {
            bk_column_stats st;
            bk_table_column_stats(ctx->snap, t, c, &st);
            bytes += st.bytes;
            rows = st.rows;
        }
        if (bk_table_column_count(t) == 0) {
            rows = bk_snap_rows(ctx->snap, t);
        }
        if (bk_sysrows_row(out, err) != BK_OK) {
            return BK_ERR;
        }
        bk_sysrows_text(out, 0, bk_table_name(t));
        bk_sysrows_int(out, 1, (int64_t)rows);
        bk_sysrows_int(out, 2, (int64_t)bk_table_column_count(t));
        bk_sysrows_int(out, 3, (int64_t)bytes);
    }
    return bk_sysrows_finish(out, err);
}

static const bk_column_def columns_cols[] = {
    {     "table_name",                          T_TEXT,  true, NULL},
    {    "column_name",                          T_TEXT,  true, NULL},
    {           "type", {BK_TYPE_TEXT, BK_OID_TEXT, -1},  true, NULL},
    {       "encoding", {BK_TYPE_TEXT, BK_OID_TEXT, -1},  true, NULL},
    {           "rows",                          T_INT8,  true, NULL},
    {"distinct_values",                          T_INT8, false, NULL},
    {          "bytes",                          T_INT8,  true, NULL},
};

static const bk_column_def tables_cols[] = {
    {"table_name", T_TEXT, true, NULL},
    {      "rows", T_INT8, true, NULL},
    {   "columns", T_INT4, true, NULL},
    {     "bytes", T_INT8, true, NULL},
};

static const bk_sysrel basket_columns = {
    "pg_catalog", "basket_columns", 9001, columns_cols, BK_ARRAY_LEN(columns_cols), fill_columns,
};

static const bk_sysrel basket_tables = {
    "pg_catalog", "basket_tables", 9002, tables_cols, BK_ARRAY_LEN(tables_cols), fill_tables,
};

const bk_sysrel *const bk_sysrels_basket[] = {&basket_columns, &basket_tables, NULL};
