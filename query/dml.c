/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Executing CREATE TABLE and INSERT. An INSERT runs its plan (VALUES or a query, read from
 * one snapshot taken before any row is appended) into one appender and commits once: the
 * rows are durable and visible together, or, on any error, none of them is.
 */
#include <stdio.h>
#include <string.h>

#include "query_int.h"

/* varchar(n) on assignment: longer values are an error unless the excess is spaces. */
static bk_rc check_lengths(const bk_table *t, bk_batch *b, bk_error *err)
{
    for (uint32_t c = 0; c < b->n_cols; c++) {
        const bk_column_def *def = bk_table_column(t, c);
        if (def->type.id != BK_TYPE_TEXT || def->type.typmod < 5) {
            continue;
        }
        size_t max_chars = (size_t)(def->type.typmod - 4);
        bk_str *vals = b->cols[c].data;
        for (uint32_t i = 0; i < b->n_rows; i++) {
            if (bk_vec_is_null(&b->cols[c], i) || vals[i].len <= max_chars) {
                continue; /* a byte count within the limit is within it in characters */
            }
            size_t chars = 0, j = 0;
            while (j < vals[i].len && chars < max_chars) {
                j++;
                while (j < vals[i].len && ((unsigned char)vals[i].ptr[j] & 0xC0) == 0x80) {
                    j++;
                }
                chars++;
            }
            for (size_t k = j; k < vals[i].len; k++) {
                if (vals[i].ptr[k] != ' ') {
                    return bk_raise(err, STRING_DATA_RIGHT_TRUNCATION,
                                    "value too long for type character varying(%zu)", max_chars);
                }
            }
            vals[i].len = j;
        }
    }
    return BK_OK;
}

/* One value as PostgreSQL's output function prints it (for error details). */
static size_t format_cell(const bk_vec *v, uint32_t i, char *buf)
{
    switch (v->type.id) {
    case BK_TYPE_BOOL:
        return bk_format_bool(((const uint8_t *)v->data)[i], buf);
    case BK_TYPE_INT2:
        return bk_format_int64(((const int16_t *)v->data)[i], buf);
    case BK_TYPE_INT4:
        return bk_format_int64(((const int32_t *)v->data)[i], buf);
    case BK_TYPE_INT8:
        return bk_format_int64(((const int64_t *)v->data)[i], buf);
    case BK_TYPE_FLOAT4:
        return bk_format_float4(((const float *)v->data)[i], buf);
    case BK_TYPE_FLOAT8:
        return bk_format_float8(((const double *)v->data)[i], buf);
    case BK_TYPE_NUMERIC:
        return bk_format_numeric(((const bk_i128 *)v->data)[i], v->scale[i], buf);
    case BK_TYPE_DATE:
        return bk_format_date(((const int32_t *)v->data)[i], buf);
    case BK_TYPE_TIMESTAMP:
        return bk_format_timestamp(((const int64_t *)v->data)[i], buf);
    case BK_TYPE_TIMESTAMPTZ:
        return bk_format_timestamptz(((const int64_t *)v->data)[i], buf);
    case BK_TYPE_INTERVAL:
        return bk_format_interval(((const bk_interval *)v->data)[i], buf);
    default:
        return 0;
    }
}

/*
 * NOT NULL, checked here so the error carries PostgreSQL's DETAIL with the failing row;
 * storage checks again (other writers) without it.
 */
static bk_rc check_not_null(const bk_table *t, const bk_batch *b, bk_error *err)
{
    for (uint32_t c = 0; c < b->n_cols; c++) {
        const bk_column_def *def = bk_table_column(t, c);
        if (!def->not_null || b->cols[c].validity == NULL) {
            continue;
        }
        for (uint32_t i = 0; i < b->n_rows; i++) {
            if (!bk_vec_is_null(&b->cols[c], i)) {
                continue;
            }
            bk_raise(err, NOT_NULL_VIOLATION,
                     "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                     def->name, bk_table_name(t));
            bk_buf row = {0};
            bool ok = bk_buf_append(&row, "Failing row contains (", 22) == BK_OK;
            for (uint32_t k = 0; k < b->n_cols && ok; k++) {
                const bk_vec *v = &b->cols[k];
                if (k > 0) {
                    ok = bk_buf_append(&row, ", ", 2) == BK_OK;
                }
                if (bk_vec_is_null(v, i)) {
                    ok = ok && bk_buf_append(&row, "null", 4) == BK_OK;
                } else if (v->type.id == BK_TYPE_TEXT) {
                    bk_str sv = ((const bk_str *)v->data)[i];
                    ok = ok && bk_buf_append(&row, sv.ptr, sv.len) == BK_OK;
                } else {
                    char buf[BK_FORMAT_MAX];
                    size_t n = format_cell(v, i, buf);
                    ok = ok && bk_buf_append(&row, buf, n) == BK_OK;
                }
            }
            if (ok && bk_buf_append(&row, ").", 2) == BK_OK) {
                bk_error_detail(err, "%.*s", (int)row.len, row.ptr);
            }
            bk_buf_free(&row);
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc run_insert(bk_session *s,
                        bk_stmt *st,
                        const bk_vec *params,
                        uint32_t n_params,
                        uint64_t *rows,
                        bk_error *err)
{
    bk_table *t = st->insert.table;
    bk_arena *a = bk_arena_create(NULL, "insert", s->engine->query_memory_limit);
    if (a == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    bk_exec_ctx ctx = {
        .session = s,
        .arena = a,
        .params = params,
        .n_params = n_params,
        .memory_limit = s->engine->query_memory_limit,
    };
    bk_snap *snap = bk_snap_take(s->engine->db, err);
    bk_op *root = NULL;
    bk_appender *ap = NULL;
    bk_rc rc = BK_ERR;
    if (snap == NULL) {
        goto done;
    }
    ctx.snap = snap;
    root = bk_op_build(&ctx, st->plan, err);
    if (root == NULL) {
        goto done;
    }
    ap = bk_appender_begin(t, err);
    if (ap == NULL) {
        goto done;
    }
    for (;;) {
        bk_batch *b;
        if (root->next(root, &b, err) != BK_OK) {
            goto done;
        }
        if (b == NULL) {
            break;
        }
        if (check_lengths(t, b, err) != BK_OK || check_not_null(t, b, err) != BK_OK ||
            bk_appender_append(ap, b, err) != BK_OK) {
            goto done;
        }
        *rows += b->n_rows;
    }
    bk_op_close_tree(root);
    root = NULL;
    rc = bk_appender_commit(ap, err);
    ap = NULL; /* freed by commit either way */
done:
    if (ap != NULL) {
        bk_appender_abort(ap);
    }
    bk_op_close_tree(root);
    bk_snap_release(snap);
    bk_arena_destroy(a);
    if (rc != BK_OK) {
        *rows = 0;
    }
    return rc;
}

bk_rc bk_dml_run(bk_session *s,
                 bk_stmt *st,
                 const bk_vec *params,
                 uint32_t n_params,
                 char *tag,
                 size_t tag_cap,
                 bk_error *err)
{
    switch (st->kind) {
    case ST_CREATE_TABLE: {
        bk_db *db = s->engine->db;
        if (st->create.if_not_exists &&
            bk_db_find_table(db, bk_str_from_cstr(st->create.name)) != NULL) {
            /* PostgreSQL adds a NOTICE "relation ... already exists, skipping". */
            snprintf(tag, tag_cap, "CREATE TABLE");
            return BK_OK;
        }
        if (bk_db_create_table(db, st->create.name, st->create.cols, st->create.n_cols, err) ==
            NULL) {
            return BK_ERR;
        }
        snprintf(tag, tag_cap, "CREATE TABLE");
        return BK_OK;
    }
    case ST_INSERT: {
        uint64_t rows = 0;
        if (run_insert(s, st, params, n_params, &rows, err) != BK_OK) {
            return BK_ERR;
        }
        snprintf(tag, tag_cap, "INSERT 0 %llu", (unsigned long long)rows);
        return BK_OK;
    }
    default:
        return bk_raise(err, INTERNAL_ERROR, "not a data-changing statement");
    }
}
