/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loaders: getting sales data into storage.
 *
 * Interface index:
 *   csv      bk_csv_*      streaming RFC 4180 reader (csv.c)
 *   retail   bk_retail_*   the Online Retail schema and row mapping, file loads (retail.c)
 *   gen      bk_gen_*      the deterministic Online-Retail-like generator (gen.c)
 */
#ifndef BK_LOADERS_LOADERS_H
#define BK_LOADERS_LOADERS_H

#include "storage/storage.h"

/* ---------------------------------------------------------------------------------------- */
/* CSV                                                                                      */

typedef struct bk_csv_options {
    char delimiter;         /* ',' */
    char quote;             /* '"' */
    char escape;            /* '"' (a doubled quote); another char escapes the next one */
    size_t max_field_bytes; /* a longer field is an error (22P04); 0 = 64 MiB */
} bk_csv_options;

void bk_csv_options_default(bk_csv_options *opt);

typedef struct bk_csv bk_csv;

/*
 * One record. `fields` point into the reader's buffer and are valid during the callback only.
 * `quoted[i]` tells whether field i was quoted (an empty quoted field is an empty string, an
 * empty unquoted one is NULL in PostgreSQL's CSV format). `line` is the 1-based line on which
 * the record starts.
 */
typedef struct bk_csv_record {
    const bk_str *fields;
    const bool *quoted;
    uint32_t n_fields;
    uint64_t line;
    bk_str raw; /* the record's bytes, without the line ending */
} bk_csv_record;

/* Returns BK_OK to continue, BK_ERR (with err set) to stop the whole parse. */
typedef bk_rc (*bk_csv_record_fn)(void *ctx, const bk_csv_record *rec, bk_error *err);

BK_NODISCARD bk_csv *bk_csv_create(const bk_csv_options *opt);
void bk_csv_destroy(bk_csv *c);
/*
 * Feeds the next chunk of input (any split, including inside quotes or a CRLF). Complete
 * records are passed to `fn`. BK_ERR when `fn` fails or a field exceeds its limit.
 */
BK_NODISCARD bk_rc
bk_csv_feed(bk_csv *c, const char *data, size_t len, bk_csv_record_fn fn, void *ctx, bk_error *err);
/*
 * Ends the input: a final record without a line ending is delivered; an unterminated quoted
 * field is 22P04 "unterminated CSV quoted field".
 */
BK_NODISCARD bk_rc bk_csv_finish(bk_csv *c, bk_csv_record_fn fn, void *ctx, bk_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Online Retail                                                                            */

/*
 * The `transactions` table of DESIGN.md: invoice_no, stock_code, description, quantity,
 * invoice_date, unit_price, customer_id, country, revenue, is_cancellation.
 */
enum {
    BK_RETAIL_INVOICE_NO,
    BK_RETAIL_STOCK_CODE,
    BK_RETAIL_DESCRIPTION,
    BK_RETAIL_QUANTITY,
    BK_RETAIL_INVOICE_DATE,
    BK_RETAIL_UNIT_PRICE,
    BK_RETAIL_CUSTOMER_ID,
    BK_RETAIL_COUNTRY,
    BK_RETAIL_REVENUE,
    BK_RETAIL_IS_CANCELLATION,
    BK_RETAIL_N_COLS
};

/* Column definitions of `transactions` (static storage). */
const bk_column_def *bk_retail_columns(void);
/* Creates `transactions` in `db`, or returns the existing one. */
BK_NODISCARD bk_table *bk_retail_table(bk_db *db, bk_error *err);

/* One invoice line as values; what the generator produces and the CSV mapping yields. */
typedef struct bk_retail_row {
    bk_str invoice_no;
    bk_str stock_code;
    bk_str description; /* len 0 with has_description false = NULL */
    bool has_description;
    int32_t quantity;
    int64_t invoice_date; /* microseconds since 2000-01-01 */
    bk_i128 unit_price;   /* at scale unit_price_scale */
    uint8_t unit_price_scale;
    int32_t customer_id;
    bool has_customer_id;
    bk_str country;
} bk_retail_row;

/*
 * Checks that a row's values can be stored (numerics within 18 significant digits, its
 * revenue included): 22003 otherwise. Loaders reject such rows like unparsable ones.
 */
BK_NODISCARD bk_rc bk_retail_row_check(const bk_retail_row *row, bk_error *err);

/*
 * Batches rows into a table through an appender: bk_retail_sink_add buffers a row (copying
 * its strings) and appends full batches. Revenue and is_cancellation are derived here.
 */
typedef struct bk_retail_sink bk_retail_sink;

BK_NODISCARD bk_retail_sink *bk_retail_sink_create(bk_table *t, bk_error *err);
BK_NODISCARD bk_rc bk_retail_sink_add(bk_retail_sink *s, const bk_retail_row *row, bk_error *err);
/* Appends what is buffered and commits; the sink is freed either way. */
BK_NODISCARD bk_rc bk_retail_sink_commit(bk_retail_sink *s, bk_error *err);
void bk_retail_sink_abort(bk_retail_sink *s);

typedef struct bk_load_stats {
    uint64_t rows_loaded;
    uint64_t rows_rejected;
    uint64_t bytes;
    double seconds;
} bk_load_stats;

/*
 * Loads an Online Retail CSV (either UCI header; dates as "YYYY-MM-DD HH:MM:SS" or
 * "M/D/YYYY H:MM"; CustomerID as "17850.0" or "17850") into `transactions`, atomically.
 * Malformed rows are counted in rows_rejected and logged (up to `max_errors`; beyond that the
 * load fails and commits nothing).
 */
BK_NODISCARD bk_rc bk_retail_load_file(bk_table *t,
                                       const char *path,
                                       uint64_t max_errors,
                                       bk_load_stats *stats,
                                       bk_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Generator                                                                                */

typedef struct bk_gen bk_gen;

typedef struct bk_gen_options {
    uint64_t rows; /* invoice lines to produce */
    uint64_t seed;
    double bad_row_rate; /* fraction of malformed rows in CSV output (0 = none) */
} bk_gen_options;

/*
 * A deterministic generator of Online-Retail-like invoice lines: the same options give the
 * same rows on every machine. Rows come in invoice-date order.
 */
BK_NODISCARD bk_gen *bk_gen_create(const bk_gen_options *opt);
void bk_gen_destroy(bk_gen *g);
/* The next row (strings valid until the next call); false at the end. */
bool bk_gen_next(bk_gen *g, bk_retail_row *out);
/*
 * The next row as one CSV line in the UCI Online Retail "spark" layout (header
 * InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country), ending
 * in "\n", appended to `out`; with bad_row_rate, some lines are deliberately malformed.
 * false at the end.
 */
BK_NODISCARD bool bk_gen_next_csv(bk_gen *g, bk_buf *out, bk_rc *rc);
/* The header line, with "\n". */
const char *bk_gen_csv_header(void);

/* Generates `rows` rows (the built-in sample uses 541,909) straight into `t`, atomically. */
BK_NODISCARD bk_rc
bk_gen_load(bk_table *t, uint64_t rows, uint64_t seed, bk_load_stats *stats, bk_error *err);

#endif /* BK_LOADERS_LOADERS_H */
