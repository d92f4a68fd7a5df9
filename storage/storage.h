/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage: Basket's column store and its data types.
 *
 * Interface index:
 *   types     bk_type_id, bk_type, bk_type_*                  (types.c)
 *   values    bk_i128, bk_interval, date/time constants      (types.c)
 *   text I/O  bk_parse_*, bk_format_*                          (parse.c, format.c)
 *   numeric   bk_numeric_*                                     (numeric.c)
 *   vectors   bk_vec, bk_batch, bk_vec_*                       (vector.c)
 *   dicts     bk_dict_*                                        (dict.c)
 *   tables    bk_db_*, bk_table_*, bk_appender_*               (table.c)
 *   durable   bk_db_open, bk_db_checkpoint                   (db_recover.c, db_checkpoint.c,
 *             wal.c, io.c)
 *   scans     bk_snap_*, bk_scan_*                             (scan.c)
 *
 * Values in vectors (the executor's representation; storage may encode them differently):
 *
 *   type id          C type per row     notes
 *   BOOL             uint8_t            0 / 1
 *   INT2/INT4/INT8   int16/32/64_t
 *   OID              uint32_t           oid, regclass, regtype, regproc, ...
 *   FLOAT4/FLOAT8    float / double
 *   NUMERIC          bk_i128 + uint8_t  value = data[i] / 10^scale[i]; scale is the display
 *                                       scale (PostgreSQL's dscale), per value
 *   TEXT             bk_str             text, varchar, bpchar, name, "char"; bytes are UTF-8
 *   UNKNOWN          bk_str             an untyped literal's text, until the binder types it
 *   DATE             int32_t            days since 2000-01-01 (PostgreSQL's epoch)
 *   TIMESTAMP(TZ)    int64_t            microseconds since 2000-01-01 00:00:00 (UTC for TZ)
 *   INTERVAL         bk_interval
 */
#ifndef BK_STORAGE_STORAGE_H
#define BK_STORAGE_STORAGE_H

#include "common/common.h"

/* ---------------------------------------------------------------------------------------- */
/* Types                                                                                    */

__extension__ typedef __int128 bk_i128;
__extension__ typedef unsigned __int128 bk_u128;

typedef enum bk_type_id {
    BK_TYPE_UNKNOWN = 0, /* an untyped literal or NULL before resolution */
    BK_TYPE_BOOL,
    BK_TYPE_INT2,
    BK_TYPE_INT4,
    BK_TYPE_INT8,
    BK_TYPE_FLOAT4,
    BK_TYPE_FLOAT8,
    BK_TYPE_NUMERIC,
    BK_TYPE_TEXT,
    BK_TYPE_DATE,
    BK_TYPE_TIMESTAMP,
    BK_TYPE_TIMESTAMPTZ,
    BK_TYPE_INTERVAL,
    BK_TYPE_OID,
    BK_TYPE_COUNT_
} bk_type_id;

/* PostgreSQL type OIDs Basket serves (pg_type.oid). */
enum {
    BK_OID_BOOL = 16,
    BK_OID_BYTEA = 17,
    BK_OID_CHAR = 18,
    BK_OID_NAME = 19,
    BK_OID_INT8 = 20,
    BK_OID_INT2 = 21,
    BK_OID_INT4 = 23,
    BK_OID_REGPROC = 24,
    BK_OID_TEXT = 25,
    BK_OID_OID = 26,
    BK_OID_FLOAT4 = 700,
    BK_OID_FLOAT8 = 701,
    BK_OID_UNKNOWN = 705,
    BK_OID_BPCHAR = 1042,
    BK_OID_VARCHAR = 1043,
    BK_OID_DATE = 1082,
    BK_OID_TIMESTAMP = 1114,
    BK_OID_TIMESTAMPTZ = 1184,
    BK_OID_INTERVAL = 1186,
    BK_OID_NUMERIC = 1700,
    BK_OID_REGCLASS = 2205,
    BK_OID_REGTYPE = 2206,
};

/*
 * A SQL type: the physical id plus the PostgreSQL type it presents as (text and varchar share
 * a representation but not an OID) and its typmod (-1 = none; numeric (p,s) as PostgreSQL
 * encodes it; varchar(n) as n + 4).
 */
typedef struct bk_type {
    bk_type_id id;
    uint32_t oid;
    int32_t typmod;
} bk_type;

/* The canonical type for a physical id (BK_TYPE_TEXT -> text, BK_TYPE_OID -> oid, ...). */
bk_type bk_type_of(bk_type_id id);
/* The type for a PostgreSQL type OID; false when Basket does not serve that OID. */
bool bk_type_from_oid(uint32_t oid, bk_type *out);
/* PostgreSQL's name of the type ("integer", "text", "timestamp without time zone"). */
const char *bk_type_sql_name(bk_type t);
/* With its modifier, as PostgreSQL's format_type: "numeric(10,2)", "character varying(5)". */
size_t bk_type_format(bk_type t, char *buf, size_t cap);
/* pg_type.typname ("int4", "text", "timestamp"). */
const char *bk_type_pg_name(bk_type t);
/* pg_type.typlen: bytes of the fixed-width binary form, -1 for variable length. */
int16_t bk_type_pg_len(bk_type t);
/* Bytes one value takes in a vector. */
size_t bk_type_width(bk_type_id id);
bool bk_type_eq(bk_type a, bk_type b);
bool bk_type_is_numeric_kind(bk_type_id id); /* int2..numeric, float */
bool bk_type_is_integer(bk_type_id id);

typedef struct bk_interval {
    int64_t us; /* time part, microseconds */
    int32_t days;
    int32_t months;
} bk_interval;

#define BK_USECS_PER_SEC INT64_C(1000000)
#define BK_USECS_PER_DAY INT64_C(86400000000)
/* Days from 1970-01-01 to 2000-01-01: Unix time <-> PostgreSQL epoch. */
#define BK_UNIX_EPOCH_JDAYS     2440588
#define BK_PG_EPOCH_JDAYS       2451545
#define BK_PG_EPOCH_OFFSET_DAYS (BK_PG_EPOCH_JDAYS - BK_UNIX_EPOCH_JDAYS)

/* Civil date <-> days since 2000-01-01 (proleptic Gregorian, as PostgreSQL). */
int32_t bk_date_from_ymd(int year, int month, int day);
void bk_date_to_ymd(int32_t days, int *year, int *month, int *day);
bool bk_date_valid_ymd(int year, int month, int day);

/* ---------------------------------------------------------------------------------------- */
/* Numeric (exact decimal, up to 38 significant digits)                                      */

#define BK_NUMERIC_MAX_DIGITS 38
#define BK_NUMERIC_MAX_SCALE  38

/* 10^n for 0 <= n <= 38. */
bk_i128 bk_pow10_i128(int n);
/*
 * Rescales `v` from scale `from` to scale `to`. Scaling down rounds half away from zero, as
 * PostgreSQL's numeric rounding does. BK_ERR with 22003 when the result has more than 38 digits.
 */
BK_NODISCARD bk_rc bk_numeric_rescale(bk_i128 v, int from, int to, bk_i128 *out, bk_error *err);
/* Number of decimal digits of |v| (0 has 1). */
int bk_numeric_digits(bk_i128 v);
/* Exact comparison of a/10^as and b/10^bs: -1, 0, 1. */
int bk_numeric_cmp(bk_i128 a, int as, bk_i128 b, int bs);
/* The nearest double. */
double bk_numeric_to_double(bk_i128 v, int scale);
/* float8 -> numeric as PostgreSQL does it (15 significant digits). 0A000 for NaN/infinity. */
BK_NODISCARD bk_rc bk_numeric_from_double(double d,
                                          bk_i128 *out,
                                          uint8_t *out_scale,
                                          bk_error *err);

/* Arithmetic with PostgreSQL's result scales; 22003 beyond 38 digits, 22012 on x/0. */
BK_NODISCARD bk_rc
bk_numeric_add(bk_i128 a, int as, bk_i128 b, int bs, bk_i128 *out, int *out_scale, bk_error *err);
BK_NODISCARD bk_rc
bk_numeric_sub(bk_i128 a, int as, bk_i128 b, int bs, bk_i128 *out, int *out_scale, bk_error *err);
BK_NODISCARD bk_rc
bk_numeric_mul(bk_i128 a, int as, bk_i128 b, int bs, bk_i128 *out, int *out_scale, bk_error *err);
BK_NODISCARD bk_rc
bk_numeric_div(bk_i128 a, int as, bk_i128 b, int bs, bk_i128 *out, int *out_scale, bk_error *err);
/* Division rounded to exactly `rscale` decimals. */
BK_NODISCARD bk_rc
bk_numeric_div_at(bk_i128 a, int as, bk_i128 b, int bs, int rscale, bk_i128 *out, bk_error *err);
/* The result scale PostgreSQL chooses for a / b. */
int bk_numeric_div_scale(bk_i128 a, int as, bk_i128 b, int bs);

/* ---------------------------------------------------------------------------------------- */
/* Text <-> value, with PostgreSQL's accepted syntax and error messages                      */

/* Each parser takes explicit bounds (no NUL needed) and raises 22P02 / 22003 / 22008. */
BK_NODISCARD bk_rc bk_parse_bool(bk_str s, uint8_t *out, bk_error *err);
BK_NODISCARD bk_rc bk_parse_int2(bk_str s, int16_t *out, bk_error *err);
BK_NODISCARD bk_rc bk_parse_int4(bk_str s, int32_t *out, bk_error *err);
BK_NODISCARD bk_rc bk_parse_int8(bk_str s, int64_t *out, bk_error *err);
BK_NODISCARD bk_rc bk_parse_oid(bk_str s, uint32_t *out, bk_error *err);
BK_NODISCARD bk_rc bk_parse_float8(bk_str s, double *out, bk_error *err);
BK_NODISCARD bk_rc bk_parse_float4(bk_str s, float *out, bk_error *err);
/* Decimal text ("-12.340", "1e3", ".5") to value and display scale. */
BK_NODISCARD bk_rc bk_parse_numeric(bk_str s, bk_i128 *out, uint8_t *out_scale, bk_error *err);
/* ISO dates ("2011-12-09"), and "12/9/2011" month-first (DateStyle MDY). */
BK_NODISCARD bk_rc bk_parse_date(bk_str s, int32_t *out, bk_error *err);
/* "2011-12-09 12:50[:00[.123456]]", ISO 8601 "T", and "12/9/2011 12:50" month-first. */
BK_NODISCARD bk_rc bk_parse_timestamp(bk_str s, int64_t *out, bk_error *err);
/* As bk_parse_timestamp; a zone suffix (Z, +HH[:MM]) converts to UTC, none means UTC. */
BK_NODISCARD bk_rc bk_parse_timestamptz(bk_str s, int64_t *out, bk_error *err);
/* PostgreSQL interval syntax: "1 day", "2 hours 30 minutes", "1 year 2 mons", "01:02:03". */
BK_NODISCARD bk_rc bk_parse_interval(bk_str s, bk_interval *out, bk_error *err);

/*
 * Text output exactly as PostgreSQL 15 prints it (DateStyle ISO, extra_float_digits >= 1).
 * Each writes at most BK_FORMAT_MAX bytes into `buf`, returns the length, and adds no NUL.
 */
#define BK_FORMAT_MAX 96
size_t bk_format_bool(uint8_t v, char *buf);
size_t bk_format_int64(int64_t v, char *buf);
size_t bk_format_uint64(uint64_t v, char *buf);
size_t bk_format_float8(double v, char *buf);
size_t bk_format_float4(float v, char *buf);
size_t bk_format_numeric(bk_i128 v, int scale, char *buf);
size_t bk_format_date(int32_t days, char *buf);
size_t bk_format_timestamp(int64_t us, char *buf);
size_t bk_format_timestamptz(int64_t us, char *buf); /* in UTC, "+00" suffix */
size_t bk_format_interval(bk_interval v, char *buf);

/* ---------------------------------------------------------------------------------------- */
/* Vectors and batches                                                                      */

#define BK_BATCH_ROWS 2048

/*
 * A column of up to BK_BATCH_ROWS values. `data` and `validity` may point into storage
 * (read-only, kept alive by the pinned snapshot) or into an arena; `owner` says nothing about
 * either: lifetimes are those of the batch that holds the vector.
 */
typedef struct bk_vec {
    bk_type type;
    void *data;         /* n values of bk_type_width(type.id) bytes */
    uint64_t *validity; /* bit i set = row i not NULL; NULL pointer = all rows valid */
    uint8_t *scale;     /* NUMERIC only: display scale per row */
} bk_vec;

/* A set of equally long vectors. Dense: no selection vector, rows 0..n_rows-1. */
typedef struct bk_batch {
    uint32_t n_rows;
    uint32_t n_cols;
    bk_vec *cols; /* n_cols entries */
} bk_batch;

static inline bool bk_vec_is_null(const bk_vec *v, uint32_t i)
{
    return v->validity != NULL && (v->validity[i >> 6] & (UINT64_C(1) << (i & 63))) == 0;
}

static inline void bk_validity_set(uint64_t *validity, uint32_t i, bool valid)
{
    if (valid) {
        validity[i >> 6] |= UINT64_C(1) << (i & 63);
    } else {
        validity[i >> 6] &= ~(UINT64_C(1) << (i & 63));
    }
}

/* Words of a validity bitmap for n rows. */
static inline size_t bk_validity_words(uint32_t n)
{
    return ((size_t)n + 63) / 64;
}

/*
 * Allocates a vector of `n` rows of `type` in `a`, with a validity bitmap (all valid) when
 * `nullable`. Returns BK_ERR on OOM (caller raises 53200).
 */
BK_NODISCARD bk_rc bk_vec_alloc(bk_vec *v, bk_type type, uint32_t n, bool nullable, bk_arena *a);
/* Ensures v->validity exists (all valid) so that NULLs can be set. */
BK_NODISCARD bk_rc bk_vec_make_nullable(bk_vec *v, uint32_t n, bk_arena *a);
BK_NODISCARD bk_batch *bk_batch_alloc(uint32_t n_cols, bk_arena *a);

/* ---------------------------------------------------------------------------------------- */
/* Dictionaries (text columns)                                                              */

typedef struct bk_dict bk_dict;

/*
 * An append-only dictionary of distinct strings with dense codes 0..n-1. Interning is
 * single-writer; lookups of codes below a count read earlier are safe from any thread while
 * the writer appends (entries never move).
 */
BK_NODISCARD bk_dict *bk_dict_create(void);
void bk_dict_destroy(bk_dict *d);
/* The code of `s`, adding it when new. BK_ERR on OOM or a dictionary of 2^32 entries. */
BK_NODISCARD bk_rc bk_dict_intern(bk_dict *d, bk_str s, uint32_t *out_code);
/* The code of `s` if present. */
bool bk_dict_find(const bk_dict *d, bk_str s, uint32_t *out_code);
bk_str bk_dict_get(const bk_dict *d, uint32_t code);
/* Number of entries published to readers. */
uint32_t bk_dict_count(const bk_dict *d);
/* Heap bytes held (entries, string heap, hash table). */
size_t bk_dict_bytes(const bk_dict *d);

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                   */

typedef struct bk_db bk_db;
typedef struct bk_table bk_table;
typedef struct bk_snap bk_snap;

typedef struct bk_column_def {
    const char *name;
    bk_type type;
    bool not_null;
    /*
     * GENERATED ALWAYS AS (expression) STORED: the expression's SQL text over the table's
     * other columns, NULL for an ordinary column. Storage keeps and persists the text; the
     * query layer computes the value on INSERT (loaders compute the same thing directly).
     */
    const char *generated;
} bk_column_def;

/* An in-memory database: nothing is written anywhere. */
BK_NODISCARD bk_db *bk_db_create(void);
void bk_db_destroy(bk_db *db);

/*
 * Opens the durable database in `dir` (created if missing): the newest valid checkpoint is
 * loaded and the write-ahead log replayed, a torn or corrupt tail of the log being cut and
 * logged. From then on every table creation and every commit is logged and made durable
 * (fsync, shared by concurrent commits) before it becomes visible. Refuses a data directory
 * written by a newer format (XX001 with the version) or whose checkpoint or log is corrupt
 * beyond the tail. The caller holds the directory lock.
 */
BK_NODISCARD bk_db *bk_db_open(const char *dir, bk_error *err);
/*
 * Writes a checkpoint: every table's columns as lz4-compressed files (written through
 * io_uring), published atomically (temporary directory, fsync, rename, fsync of the data
 * directory, then the manifest likewise); the log before it is removed. Concurrent commits
 * go on meanwhile. Nothing is written when nothing was logged since the last checkpoint. A
 * failed fsync aborts the process.
 */
BK_NODISCARD bk_rc bk_db_checkpoint(bk_db *db, bk_error *err);
/* A background thread checkpointing whenever the log grows past `wal_bytes`. */
BK_NODISCARD bk_rc bk_db_start_checkpointer(bk_db *db, uint64_t wal_bytes, bk_error *err);
/* Stops it (waiting for a checkpoint in progress); bk_db_destroy does too. */
void bk_db_stop_checkpointer(bk_db *db);

/*
 * Called after each commit that added rows becomes visible (so after it is durable), in the
 * committing thread, once per commit, with the table, the range of rows it added and a
 * snapshot of exactly the version that commit published: rows first_row .. first_row +
 * n_rows - 1 of `t` are its last rows, and no later commit is in it. The snapshot is valid
 * during the call (take your own with bk_snap_take to keep one). At most 8 hooks, registered
 * before commits start.
 */
typedef void (*bk_commit_hook)(void *ctx,
                               const bk_snap *snap,
                               bk_table *t,
                               uint64_t first_row,
                               uint64_t n_rows);
void bk_db_on_commit(bk_db *db, bk_commit_hook fn, void *ctx);

/*
 * Creates a table. Names are copied. BK_ERR with 42P07 when the name exists, 54011 beyond
 * 1600 columns.
 */
BK_NODISCARD bk_table *bk_db_create_table(bk_db *db,
                                          const char *name,
                                          const bk_column_def *cols,
                                          uint32_t n_cols,
                                          bk_error *err);
/* The table called `name` (exact, case-sensitive match), or NULL. */
bk_table *bk_db_find_table(bk_db *db, bk_str name);
uint32_t bk_db_table_count(const bk_db *db);
bk_table *bk_db_table_at(bk_db *db, uint32_t i);

const char *bk_table_name(const bk_table *t);
uint32_t bk_table_column_count(const bk_table *t);
const bk_column_def *bk_table_column(const bk_table *t, uint32_t i);
/* Stable identifier of the table (used as its pg_class oid). */
uint32_t bk_table_id(const bk_table *t);

/*
 * Appending. One appender per table at a time (the table's writer lock is held from begin to
 * commit/abort). Rows become visible to new snapshots atomically at commit.
 */
typedef struct bk_appender bk_appender;

BK_NODISCARD bk_appender *bk_appender_begin(bk_table *t, bk_error *err);
/*
 * Appends the rows of `batch`, whose columns match the table's in order and type (numeric
 * values at any scale; text as bk_str). BK_ERR: 23502 for NULL in a NOT NULL column, 53200.
 */
BK_NODISCARD bk_rc bk_appender_append(bk_appender *ap, const bk_batch *batch, bk_error *err);
/*
 * Publishes the appended rows, atomically, in a new database version. BK_ERR with 53200 when
 * that version cannot be allocated: then nothing of this appender is visible. The appender
 * is freed either way.
 */
BK_NODISCARD bk_rc bk_appender_commit(bk_appender *ap, bk_error *err);
/* Discards the appended rows. The appender is freed. */
void bk_appender_abort(bk_appender *ap);

/* ---------------------------------------------------------------------------------------- */
/* Snapshots and scans                                                                      */

/* Pins the committed state of every table. Cheap; never blocks writers. */
BK_NODISCARD bk_snap *bk_snap_take(bk_db *db, bk_error *err);
void bk_snap_release(bk_snap *s);
/* Committed rows of `t` in the snapshot. */
uint64_t bk_snap_rows(const bk_snap *s, const bk_table *t);
/* Tables the snapshot sees: bk_db_table_at(db, 0 .. n-1); later ones were created after it. */
uint32_t bk_snap_table_count(const bk_snap *s);

typedef struct bk_scan bk_scan;

/* One non-NULL value of a column's type, in the vector representation of storage.h's table. */
typedef struct bk_value {
    union {
        uint8_t b;
        int64_t i; /* int2/int4/int8, date, timestamp(tz), oid */
        double d;
        bk_str s;
        bk_interval iv;

        struct {
            bk_i128 v;
            uint8_t scale;
        } n;
    } u;
} bk_value;

typedef enum bk_pred_op {
    BK_PRED_RANGE,  /* [lo, hi], each bound optional and inclusive or not */
    BK_PRED_IN,     /* one of list[0..n_list) */
    BK_PRED_PREFIX, /* text starting with lo.u.s */
    BK_PRED_IS_NULL,
    BK_PRED_NOT_NULL,
} bk_pred_op;

/*
 * A predicate on one table column that a scan evaluates itself, on the stored encoding,
 * skipping whole segments by their zone maps. Values have the column's type. SQL semantics:
 * a NULL row never satisfies RANGE, IN or PREFIX, negated or not. Supported column types:
 * bool, int2, int4, int8, oid, date, timestamp(tz), float8, numeric, text; for text, RANGE
 * compares bytes (the C collation).
 */
typedef struct bk_pred {
    uint32_t col;
    bk_pred_op op;
    bool negate; /* NOT RANGE / NOT IN / NOT PREFIX */
    bool has_lo, lo_incl, has_hi, hi_incl;
    bk_value lo, hi;
    const bk_value *list;
    uint32_t n_list;
} bk_pred;

/* Whether the scan can evaluate predicates on a column of this type. */
bool bk_pred_supported(bk_type_id id);

typedef struct bk_scan_opts {
    const bk_pred *preds; /* ANDed; the scan returns only the rows satisfying all */
    uint32_t n_preds;
    bool no_zone_maps; /* evaluate every segment (tests compare both ways) */
} bk_scan_opts;

/*
 * Scans `t` in snapshot `s`, producing batches of the columns `cols` (table column indexes,
 * in output order). Batches are valid until the next call or bk_scan_close; their vectors may
 * point into storage. Morsels: [row_begin, row_end) restricts the scan to a row range (pass
 * 0, UINT64_MAX for all rows). With predicates, batches hold only matching rows (and are
 * never empty).
 */
BK_NODISCARD bk_scan *bk_scan_open(const bk_snap *s,
                                   bk_table *t,
                                   const uint32_t *cols,
                                   uint32_t n_cols,
                                   uint64_t row_begin,
                                   uint64_t row_end,
                                   bk_error *err);
BK_NODISCARD bk_scan *bk_scan_open_ex(const bk_snap *s,
                                      bk_table *t,
                                      const uint32_t *cols,
                                      uint32_t n_cols,
                                      uint64_t row_begin,
                                      uint64_t row_end,
                                      const bk_scan_opts *opts,
                                      bk_error *err);
/* Next batch, or *out = NULL at the end. */
BK_NODISCARD bk_rc bk_scan_next(bk_scan *sc, bk_batch **out, bk_error *err);
void bk_scan_close(bk_scan *sc);
/* Segments skipped by zone maps so far (for EXPLAIN and tests). */
uint64_t bk_scan_segments_skipped(const bk_scan *sc);

/* Column memory accounting for basket_columns. */
typedef struct bk_column_stats {
    uint64_t rows;
    uint64_t distinct_values; /* dictionary size for text, 0 when unknown */
    uint64_t bytes;
    const char *encoding;
} bk_column_stats;

void bk_table_column_stats(const bk_snap *s, const bk_table *t, uint32_t col, bk_column_stats *out);

#endif /* BK_STORAGE_STORAGE_H */
