/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Online Retail data set in Basket: the `transactions` schema, the mapping of both UCI
 * CSV layouts onto it, and atomic file loads.
 *
 * Both headers are accepted (Online Retail: InvoiceNo, UnitPrice, CustomerID; Online Retail
 * II: Invoice, Price, Customer ID), matched by name so that column order does not matter.
 * The exports differ in detail: CustomerID "17850.0" or "17850", dates "2010-12-01 08:26:00"
 * or "12/1/2010 8:26"; the shared value parsers accept both. Derived columns are computed
 * here once: revenue = quantity * unit_price (with numeric's scale rule, so it prints as
 * PostgreSQL would print the same product) and is_cancellation = invoice_no starts with 'C'.
 * The schema declares both as generated columns with those expressions, so an INSERT that
 * names the eight source columns derives them the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "loaders.h"

/* clang-format 14 crashes aligning this table (AlignArrayOfStructures): laid out by hand. */
/* clang-format off */
#define TEXT_T    {BK_TYPE_TEXT, BK_OID_TEXT, -1}
#define INT4_T    {BK_TYPE_INT4, BK_OID_INT4, -1}
#define NUMERIC_T {BK_TYPE_NUMERIC, BK_OID_NUMERIC, -1}
static const bk_column_def retail_cols[BK_RETAIL_N_COLS] = {
    [BK_RETAIL_INVOICE_NO]      = {"invoice_no",      TEXT_T,    true,  NULL},
    [BK_RETAIL_STOCK_CODE]      = {"stock_code",      TEXT_T,    true,  NULL},
    [BK_RETAIL_DESCRIPTION]     = {"description",     TEXT_T,    false, NULL},
    [BK_RETAIL_QUANTITY]        = {"quantity",        INT4_T,    true,  NULL},
    [BK_RETAIL_INVOICE_DATE]    = {"invoice_date",    {BK_TYPE_TIMESTAMP, BK_OID_TIMESTAMP, -1},
                                   true, NULL},
    [BK_RETAIL_UNIT_PRICE]      = {"unit_price",      NUMERIC_T, true,  NULL},
    [BK_RETAIL_CUSTOMER_ID]     = {"customer_id",     INT4_T,    false, NULL},
    [BK_RETAIL_COUNTRY]         = {"country",         TEXT_T,    true,  NULL},
    [BK_RETAIL_REVENUE]         = {"revenue",         NUMERIC_T, true,  "quantity * unit_price"},
    [BK_RETAIL_IS_CANCELLATION] = {"is_cancellation", {BK_TYPE_BOOL, BK_OID_BOOL, -1},
                                   true, "invoice_no LIKE 'C%'"},
};
#undef TEXT_T
#undef INT4_T
#undef NUMERIC_T

/* clang-format on */

const bk_column_def *bk_retail_columns(void)
{
    return retail_cols;
}

bk_table *bk_retail_table(bk_db *db, bk_error *err)
{
    bk_table *t = bk_db_find_table(db, BK_STR_LIT("transactions"));
    if (t != NULL) {
        return t;
    }
    return bk_db_create_table(db, "transactions", retail_cols, BK_RETAIL_N_COLS, err);
}

/* ---- sink: rows -> batches -> appender ------------------------------------------------------ */

struct bk_retail_sink {
    bk_appender *ap;
    bk_arena *arena; /* one batch: vectors and copied strings; reset after each append */
    bk_batch *batch;
    uint32_t n;
    uint64_t rows;
};

static bk_rc sink_prepare(bk_retail_sink *s)
{
    bk_arena_reset(s->arena);
    s->batch = bk_batch_alloc(BK_RETAIL_N_COLS, s->arena);
    if (s->batch == NULL) {
        return BK_ERR;
    }
    for (uint32_t c = 0; c < BK_RETAIL_N_COLS; c++) {
        if (bk_vec_alloc(&s->batch->cols[c], retail_cols[c].type, BK_BATCH_ROWS,
                         !retail_cols[c].not_null, s->arena) != BK_OK) {
            return BK_ERR;
        }
    }
    s->n = 0;
    return BK_OK;
}

bk_retail_sink *bk_retail_sink_create(bk_table *t, bk_error *err)
{
    bk_retail_sink *s = bk_mem_calloc(1, sizeof *s);
    if (s == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    s->arena = bk_arena_create(NULL, "retail sink", 0);
    if (s->arena == NULL || sink_prepare(s) != BK_OK) {
        bk_arena_destroy(s->arena);
        bk_mem_free(s);
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    s->ap = bk_appender_begin(t, err);
    if (s->ap == NULL) {
        bk_arena_destroy(s->arena);
        bk_mem_free(s);
        return NULL;
    }
    return s;
}

static bk_rc sink_flush(bk_retail_sink *s, bk_error *err)
{
    if (s->n == 0) {
        return BK_OK;
    }
    s->batch->n_rows = s->n;
    if (bk_appender_append(s->ap, s->batch, err) != BK_OK) {
        return BK_ERR;
    }
    s->rows += s->n;
    if (sink_prepare(s) != BK_OK) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    return BK_OK;
}

static bk_rc put_str(bk_retail_sink *s, uint32_t col, bk_str v, bool valid)
{
    bk_vec *vec = &s->batch->cols[col];
    bk_str *dst = (bk_str *)vec->data + s->n;
    if (!valid) {
        bk_validity_set(vec->validity, s->n, false);
        *dst = (bk_str){"", 0};
        return BK_OK;
    }
    char *copy = bk_arena_memdup(s->arena, v.ptr, v.len);
    if (copy == NULL) {
        return BK_ERR;
    }
    *dst = (bk_str){copy, v.len};
    return BK_OK;
}

bk_rc bk_retail_sink_add(bk_retail_sink *s, const bk_retail_row *row, bk_error *err)
{
    bk_batch *b = s->batch;
    uint32_t i = s->n;
    bk_i128 revenue;
    int revenue_scale;
    if (bk_numeric_mul((bk_i128)row->quantity, 0, row->unit_price, row->unit_price_scale, &revenue,
                       &revenue_scale, err) != BK_OK) {
        return BK_ERR;
    }
    if (put_str(s, BK_RETAIL_INVOICE_NO, row->invoice_no, true) != BK_OK ||
        put_str(s, BK_RETAIL_STOCK_CODE, row->stock_code, true) != BK_OK ||
        put_str(s, BK_RETAIL_DESCRIPTION, row->description, row->has_description) != BK_OK ||
        put_str(s, BK_RETAIL_COUNTRY, row->country, true) != BK_OK) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    ((int32_t *)b->cols[BK_RETAIL_QUANTITY].data)[i] = row->quantity;
    ((int64_t *)b->cols[BK_RETAIL_INVOICE_DATE].data)[i] = row->invoice_date;
    ((bk_i128 *)b->cols[BK_RETAIL_UNIT_PRICE].data)[i] = row->unit_price;
    b->cols[BK_RETAIL_UNIT_PRICE].scale[i] = row->unit_price_scale;
    bk_vec *cust = &b->cols[BK_RETAIL_CUSTOMER_ID];
    ((int32_t *)cust->data)[i] = row->has_customer_id ? row->customer_id : 0;
    bk_validity_set(cust->validity, i, row->has_customer_id);
    ((bk_i128 *)b->cols[BK_RETAIL_REVENUE].data)[i] = revenue;
    b->cols[BK_RETAIL_REVENUE].scale[i] = (uint8_t)revenue_scale;
    ((uint8_t *)b->cols[BK_RETAIL_IS_CANCELLATION].data)[i] =
        row->invoice_no.len > 0 && row->invoice_no.ptr[0] == 'C';
    s->n++;
    if (s->n == BK_BATCH_ROWS) {
        return sink_flush(s, err);
    }
    return BK_OK;
}

bk_rc bk_retail_sink_commit(bk_retail_sink *s, bk_error *err)
{
    bk_rc rc = sink_flush(s, err);
    if (rc == BK_OK) {
        rc = bk_appender_commit(s->ap, err);
    } else {
        bk_appender_abort(s->ap);
    }
    bk_arena_destroy(s->arena);
    bk_mem_free(s);
    return rc;
}

void bk_retail_sink_abort(bk_retail_sink *s)
{
    if (s == NULL) {
        return;
    }
    bk_appender_abort(s->ap);
    bk_arena_destroy(s->arena);
    bk_mem_free(s);
}

bk_rc bk_retail_row_check(const bk_retail_row *row, bk_error *err)
{
    /* Storage keeps numerics as 64-bit scaled integers: 18 significant digits. */
    bk_i128 revenue;
    int scale;
    if (row->unit_price > INT64_MAX || row->unit_price < -INT64_MAX) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE,
                        "unit price has more than 18 significant digits");
    }
    if (bk_numeric_mul((bk_i128)row->quantity, 0, row->unit_price, row->unit_price_scale, &revenue,
                       &scale, err) != BK_OK) {
        return BK_ERR;
    }
    if (revenue > INT64_MAX || revenue < -INT64_MAX) {
        return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE,
                        "revenue (quantity * unit price) has more than 18 significant digits");
    }
    return BK_OK;
}

/* ---- CSV files ------------------------------------------------------------------------------- */

enum {
    SRC_INVOICE,
    SRC_STOCK,
    SRC_DESC,
    SRC_QTY,
    SRC_DATE,
    SRC_PRICE,
    SRC_CUST,
    SRC_COUNTRY,
    SRC_N
};

typedef struct load_ctx {
    bk_retail_sink *sink;
    int map[SRC_N]; /* CSV field index of each source column */
    uint32_t n_header;
    bool have_header;
    const char *path;
    uint64_t max_errors;
    bk_load_stats *stats;
} load_ctx;

/* Header names compared case-insensitively with spaces and underscores ignored. */
static bool header_is(bk_str h, const char *name)
{
    size_t j = 0;
    for (size_t i = 0; i < h.len; i++) {
        char c = h.ptr[i];
        if (c == ' ' || c == '_' || (i == 0 && (unsigned char)c == 0xEF)) {
            continue; /* also tolerates a UTF-8 BOM's first byte; the rest is below */
        }
        if ((unsigned char)c == 0xBB || (unsigned char)c == 0xBF) {
            continue;
        }
        char lc = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        if (name[j] == '\0' || lc != name[j]) {
            return false;
        }
        j++;
    }
    return name[j] == '\0';
}

static bk_rc map_header(load_ctx *lc, const bk_csv_record *rec, bk_error *err)
{
    static const char *const names[SRC_N][2] = {
        [SRC_INVOICE] = {  "invoiceno", "invoice"},
          [SRC_STOCK] = {  "stockcode",      NULL},
        [SRC_DESC] = {"description",      NULL},
          [SRC_QTY] = {   "quantity",      NULL},
        [SRC_DATE] = {"invoicedate",      NULL},
          [SRC_PRICE] = {  "unitprice",   "price"},
        [SRC_CUST] = { "customerid",      NULL},
          [SRC_COUNTRY] = {    "country",      NULL},
    };
    for (int k = 0; k < SRC_N; k++) {
        lc->map[k] = -1;
        for (uint32_t f = 0; f < rec->n_fields; f++) {
            if (header_is(rec->fields[f], names[k][0]) ||
                (names[k][1] != NULL && header_is(rec->fields[f], names[k][1]))) {
                lc->map[k] = (int)f;
                break;
            }
        }
        if (lc->map[k] < 0) {
            return bk_raise(err, BAD_COPY_FILE_FORMAT,
                            "%s: header lacks the %s column of the Online Retail format", lc->path,
                            names[k][0]);
        }
    }
    lc->n_header = rec->n_fields;
    lc->have_header = true;
    return BK_OK;
}

static bool utf8_valid(bk_str s)
{
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t i = 0;
    while (i < s.len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            n = 2;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n > s.len) {
            return false;
        }
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n;
    }
    return true;
}

/* CustomerID: an integer, possibly written as a float with a zero fraction ("17850.0"). */
static bk_rc parse_customer(bk_str s, int32_t *out, bk_error *err)
{
    bk_i128 v;
    uint8_t scale;
    if (bk_parse_numeric(s, &v, &scale, err) != BK_OK) {
        return BK_ERR;
    }
    bk_i128 p = bk_pow10_i128(scale);
    if (v % p != 0 || v / p > INT32_MAX || v / p < INT32_MIN) {
        return bk_raise(err, INVALID_TEXT_REPRESENTATION,
                        "invalid input syntax for type integer: \"%.*s\"", (int)BK_MIN(s.len, 200),
                        s.ptr);
    }
    *out = (int32_t)(v / p);
    return BK_OK;
}

static bk_rc map_row(load_ctx *lc, const bk_csv_record *rec, bk_retail_row *row, bk_error *err)
{
    if (rec->n_fields != lc->n_header) {
        return bk_raise(err, BAD_COPY_FILE_FORMAT, "expected %u fields, found %u", lc->n_header,
                        rec->n_fields);
    }
    if (!utf8_valid(rec->raw)) {
        return bk_raise(err, CHARACTER_NOT_IN_REPERTOIRE,
                        "invalid byte sequence for encoding "
                        "\"UTF8\"");
    }
    const bk_str *f = rec->fields;
    memset(row, 0, sizeof *row);
    row->invoice_no = f[lc->map[SRC_INVOICE]];
    row->stock_code = f[lc->map[SRC_STOCK]];
    row->description = f[lc->map[SRC_DESC]];
    row->has_description = row->description.len > 0 || rec->quoted[lc->map[SRC_DESC]];
    row->country = f[lc->map[SRC_COUNTRY]];
    if (row->invoice_no.len == 0 || row->stock_code.len == 0 || row->country.len == 0) {
        return bk_raise(err, NOT_NULL_VIOLATION, "missing invoice, stock code or country");
    }
    if (bk_parse_int4(f[lc->map[SRC_QTY]], &row->quantity, err) != BK_OK ||
        bk_parse_timestamp(f[lc->map[SRC_DATE]], &row->invoice_date, err) != BK_OK ||
        bk_parse_numeric(f[lc->map[SRC_PRICE]], &row->unit_price, &row->unit_price_scale, err) !=
            BK_OK) {
        return BK_ERR;
    }
    bk_str cust = f[lc->map[SRC_CUST]];
    if (cust.len > 0) {
        if (parse_customer(cust, &row->customer_id, err) != BK_OK) {
            return BK_ERR;
        }
        row->has_customer_id = true;
    }
    return bk_retail_row_check(row, err);
}

static bk_rc on_record(void *ctx, const bk_csv_record *rec, bk_error *err)
{
    load_ctx *lc = ctx;
    if (!lc->have_header) {
        return map_header(lc, rec, err);
    }
    if (rec->n_fields == 1 && rec->fields[0].len == 0 && !rec->quoted[0]) {
        return BK_OK; /* blank line */
    }
    bk_retail_row row;
    bk_error row_err;
    bk_error_clear(&row_err);
    if (map_row(lc, rec, &row, &row_err) != BK_OK) {
        lc->stats->rows_rejected++;
        if (lc->stats->rows_rejected <= 10) {
            bk_log(BK_LOG_WARNING, "%s:%llu: row rejected: %s", lc->path,
                   (unsigned long long)rec->line, row_err.message);
        }
        if (lc->stats->rows_rejected > lc->max_errors) {
            return bk_raise(err, BAD_COPY_FILE_FORMAT,
                            "%s: more than %llu rejected rows, nothing loaded", lc->path,
                            (unsigned long long)lc->max_errors);
        }
        return BK_OK;
    }
    if (bk_retail_sink_add(lc->sink, &row, err) != BK_OK) {
        return BK_ERR;
    }
    lc->stats->rows_loaded++;
    return BK_OK;
}

bk_rc bk_retail_load_file(bk_table *t,
                          const char *path,
                          uint64_t max_errors,
                          bk_load_stats *stats,
                          bk_error *err)
{
    memset(stats, 0, sizeof *stats);
    uint64_t t0 = bk_clock_mono_ns();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return bk_raise(err, UNDEFINED_FILE, "could not open file \"%s\" for reading: %s", path,
                        strerror(errno));
    }
    bk_csv_options opt;
    bk_csv_options_default(&opt);
    bk_csv *csv = bk_csv_create(&opt);
    char *buf = bk_mem_alloc(1 << 20);
    load_ctx lc = {.path = path, .max_errors = max_errors, .stats = stats};
    lc.sink = csv != NULL && buf != NULL ? bk_retail_sink_create(t, err) : NULL;
    bk_rc rc = BK_OK;
    if (lc.sink == NULL) {
        rc = csv == NULL || buf == NULL ? bk_raise(err, OUT_OF_MEMORY, "out of memory") : BK_ERR;
    }
    while (rc == BK_OK) {
        ssize_t n = read(fd, buf, 1 << 20);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = bk_raise(err, IO_ERROR, "could not read file \"%s\": %s", path, strerror(errno));
            break;
        }
        if (n == 0) {
            rc = bk_csv_finish(csv, on_record, &lc, err);
            break;
        }
        stats->bytes += (uint64_t)n;
        rc = bk_csv_feed(csv, buf, (size_t)n, on_record, &lc, err);
    }
    if (rc == BK_OK && !lc.have_header) {
        rc = bk_raise(err, BAD_COPY_FILE_FORMAT, "%s: empty file, no header", path);
    }
    if (lc.sink != NULL) {
        if (rc == BK_OK) {
            rc = bk_retail_sink_commit(lc.sink, err);
        } else {
            bk_retail_sink_abort(lc.sink);
        }
    }
    if (rc != BK_OK) {
        stats->rows_loaded = 0;
    }
    bk_mem_free(buf);
    bk_csv_destroy(csv);
    close(fd);
    stats->seconds = (double)(bk_clock_mono_ns() - t0) / 1e9;
    return rc;
}
