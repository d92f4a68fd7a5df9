/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query: SQL from text to result batches. Parsing is libpg_query's (PostgreSQL's own grammar);
 * everything after the parse tree -- binding, planning, execution, catalogs -- is Basket's.
 *
 * Interface index:
 *   engine    bk_engine_*     the database as SQL sees it (one per process)
 *   session   bk_session_*    per-connection SQL state: settings, transaction
 *   parse     bk_query_parse  text -> statements
 *   statement bk_stmt_*       one bound and planned statement, its result shape
 *   execution bk_exec_*       a running statement producing batches (a portal)
 *
 * Threading: an engine is shared by all threads. A session, and the statements and executions
 * made from it, are used by one thread at a time.
 *
 * Re-exports storage.h: protocol uses its data types (bk_type, bk_vec, bk_batch, the
 * formatters), never its tables.
 */
#ifndef BK_QUERY_QUERY_H
#define BK_QUERY_QUERY_H

#include "common/common.h"
#include "storage/storage.h"

/* ---------------------------------------------------------------------------------------- */
/* Engine                                                                                   */

typedef struct bk_engine bk_engine;

typedef struct bk_engine_options {
    const char *server_version; /* reported by version() and SHOW server_version */
    size_t query_memory_limit;  /* bytes per query before 53200 (0 = 1 GiB) */
} bk_engine_options;

BK_NODISCARD bk_engine *bk_engine_create(bk_db *db, const bk_engine_options *opt, bk_error *err);
void bk_engine_destroy(bk_engine *e);
bk_db *bk_engine_db(bk_engine *e);

/* ---------------------------------------------------------------------------------------- */
/* Session                                                                                  */

typedef struct bk_session bk_session;

/* Transaction status as ReadyForQuery reports it. */
typedef enum bk_tx_status {
    BK_TX_IDLE = 'I',
    BK_TX_IN_BLOCK = 'T',
    BK_TX_FAILED = 'E',
} bk_tx_status;

/*
 * Creates a session for `user` on `database`. `arena` owns it (the connection's arena). The
 * startup parameters a client sends (application_name, client_encoding, DateStyle, TimeZone,
 * extra_float_digits, ...) are applied with bk_session_set before the first query.
 */
BK_NODISCARD bk_session *bk_session_create(bk_engine *e,
                                           bk_arena *arena,
                                           const char *user,
                                           const char *database,
                                           bk_error *err);
void bk_session_destroy(bk_session *s);

/*
 * Sets a run-time parameter as SET would (name case-insensitive). 42704 for an unknown name,
 * 22023 for an invalid value, 0A000 for a value Basket cannot honour (e.g. DateStyle German).
 */
BK_NODISCARD bk_rc bk_session_set(bk_session *s,
                                  const char *name,
                                  const char *value,
                                  bk_error *err);
/* Current value of a parameter as SHOW prints it; NULL if unknown. */
const char *bk_session_get(bk_session *s, const char *name);

/*
 * Parameters PostgreSQL reports to the client with ParameterStatus (GUC_REPORT), in the
 * order PostgreSQL 15 sends them at start-up. Calls fn for each (name, value).
 */
void bk_session_report_all(bk_session *s,
                           void (*fn)(void *ctx, const char *name, const char *value),
                           void *ctx);
/*
 * Reported parameters whose value changed since the last call (after SET, RESET, DISCARD
 * ALL): PostgreSQL sends a ParameterStatus for each before ReadyForQuery.
 */
void bk_session_report_changes(bk_session *s,
                               void (*fn)(void *ctx, const char *name, const char *value),
                               void *ctx);
bk_tx_status bk_session_tx_status(const bk_session *s);
/* Marks the transaction failed after an error (no effect outside a transaction block). */
void bk_session_on_error(bk_session *s);
/* Requests cancellation of the statement running in this session (any thread). */
void bk_session_cancel(bk_session *s);

/* ---------------------------------------------------------------------------------------- */
/* Parsing                                                                                  */

typedef struct bk_parsed bk_parsed;

/*
 * Parses `sql` (NUL-terminated, as the protocol delivers it) into statements, in `arena`.
 * 42601 with a cursor position on syntax errors; 54001 when nesting is too deep. A string
 * with no statements (empty, only comments or semicolons) gives a count of 0.
 */
BK_NODISCARD bk_parsed *bk_query_parse(const char *sql, bk_arena *arena, bk_error *err);
uint32_t bk_parsed_count(const bk_parsed *p);

/* ---------------------------------------------------------------------------------------- */
/* Statements                                                                               */

typedef struct bk_stmt bk_stmt;

/* One result column, as RowDescription describes it. */
typedef struct bk_column_desc {
    const char *name;
    bk_type type;
    uint32_t table_oid; /* 0 when not a plain table column */
    int16_t attnum;     /* 0 when not a plain table column */
} bk_column_desc;

typedef struct bk_result_desc {
    uint32_t n_cols;
    const bk_column_desc *cols;
} bk_result_desc;

/*
 * Binds and plans statement `index` of `p` in `arena` (which must outlive the statement).
 * `param_types` gives the declared types of $1..$n (oid 0 = infer); n_params may be smaller
 * than the number of parameters used, the rest are inferred. A NULL `param_types` means no
 * parameters exist (the simple Query protocol): $n is then 42P02, as in PostgreSQL.
 */
BK_NODISCARD bk_stmt *bk_stmt_prepare(bk_session *s,
                                      const bk_parsed *p,
                                      uint32_t index,
                                      const uint32_t *param_types,
                                      uint32_t n_params,
                                      bk_arena *arena,
                                      bk_error *err);
/* The result shape; n_cols == 0 and cols == NULL for statements that return no rows. */
const bk_result_desc *bk_stmt_result(const bk_stmt *st);
bool bk_stmt_returns_rows(const bk_stmt *st);
/* Parameter types after inference ($1..$n). */
uint32_t bk_stmt_param_count(const bk_stmt *st);
bk_type bk_stmt_param_type(const bk_stmt *st, uint32_t i);

/* ---------------------------------------------------------------------------------------- */
/* Execution                                                                                */

typedef struct bk_exec bk_exec;

/*
 * A parameter value: NULL, or text/binary bytes as the client sent them. Text bytes are in the
 * type's input syntax; binary bytes in the layout of PostgreSQL's receive function for the
 * type (int4 big-endian, numeric base-10000 digits, date days since 2000-01-01, ...). The
 * caller has checked the encoding (UTF-8) of text values and of binary values of text types.
 */
typedef struct bk_param {
    bool is_null;
    bool is_binary;
    bk_str bytes;
} bk_param;

/*
 * Starts executing `st` with `params` (bk_stmt_param_count of them), allocating in `arena`,
 * which is reset by the caller when the execution ends. The parameter bytes must stay valid
 * until then (text values may be referenced, not copied). Bad parameter values raise what
 * PostgreSQL's Bind raises: the input function's error for text (22P02, 22003, 22008, ...);
 * for binary, 08P01 "insufficient data left in message" when the value is too short, 22P03
 * "incorrect binary data format in bind parameter N" when bytes are left over, 22P03 for a
 * malformed numeric, 42622 for a name of 64 bytes or more.
 */
BK_NODISCARD bk_exec *
bk_exec_start(bk_session *s, bk_stmt *st, const bk_param *params, bk_arena *arena, bk_error *err);
/*
 * The next batch of result rows, or *out = NULL at the end (or immediately for statements
 * without rows, which do their work here). 57014 when cancelled.
 */
BK_NODISCARD bk_rc bk_exec_next(bk_exec *ex, bk_batch **out, bk_error *err);
/* The CommandComplete tag after the end ("SELECT 5", "SET", "INSERT 0 3"). */
const char *bk_exec_command_tag(const bk_exec *ex);
/* Releases what the execution pins (snapshot); safe to call at any point, twice too. */
void bk_exec_close(bk_exec *ex);

/* ---------------------------------------------------------------------------------------- */
/* Value output (shared by the protocol encoders)                                           */

/*
 * Appends the text form of row `row` of `v` (which must not be NULL there) to `out`, as
 * PostgreSQL prints it under the session's settings. BK_ERR on OOM.
 */
BK_NODISCARD bk_rc bk_value_to_text(const bk_session *s,
                                    const bk_vec *v,
                                    uint32_t row,
                                    bk_buf *out);

#endif /* BK_QUERY_QUERY_H */
