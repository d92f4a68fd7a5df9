/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query internals: parse trees, bound expressions, the function registry, plans and the
 * vectorized operators. Included by query/ files and their unit tests only.
 */
#ifndef BK_QUERY_QUERY_INT_H
#define BK_QUERY_QUERY_INT_H

#include <pg_query/pg_query.pb-c.h>
#include <stdatomic.h>

#include <pg_query.h>

#include "query.h"

/* ---- engine and session ------------------------------------------------------------------- */

struct bk_engine {
    bk_db *db;
    char server_version[64];
    size_t query_memory_limit;
    _Atomic uint32_t next_session_id;
};

#define BK_SETTING_VALUE_MAX 256

typedef struct bk_setting_value {
    char value[BK_SETTING_VALUE_MAX];
    bool reported_dirty; /* changed since the last bk_session_report_changes */
} bk_setting_value;

/* Index into the settings table of settings.c. */
typedef uint32_t bk_setting_id;

struct bk_session {
    bk_engine *engine;
    bk_arena *arena;
    char user[64];
    char database[64];
    uint32_t id;
    bk_tx_status tx;
    bk_setting_value *settings; /* one per entry of the settings table */
    int extra_float_digits;
    bool opt_pushdown;  /* basket.pushdown */
    bool opt_zone_maps; /* basket.zone_maps */
    _Atomic bool cancel_requested;
};

/* settings.c */
BK_NODISCARD bk_rc bk_settings_init(bk_session *s, bk_error *err);
uint32_t bk_settings_count(void);
const char *bk_setting_name(uint32_t id);
/* Reset every setting to its default (RESET ALL, DISCARD ALL). */
void bk_settings_reset_all(bk_session *s);
BK_NODISCARD bk_rc bk_settings_reset(bk_session *s, const char *name, bk_error *err);
/* The canonical spelling of a parameter name ("datestyle" -> "DateStyle"), NULL if unknown. */
const char *bk_setting_canonical_name(const char *name);

/*
 * Deepest expression nesting accepted (54001 beyond): checked on the token stream before
 * parsing (pgquery.c), and again by the binder on the tree.
 */
#define BK_QUERY_MAX_NESTING 1000

/* ---- parse trees -------------------------------------------------------------------------- */

struct bk_parsed {
    const char *sql; /* NUL-terminated copy in the arena */
    PgQuery__ParseResult *tree;
};

/*
 * The byte range [*start, *end) inside the first parenthesis at or after byte `from` of
 * `sql` and its matching close (tokens, so strings and comments are skipped). BK_ERR if none.
 */
BK_NODISCARD bk_rc
bk_sql_paren_span(const char *sql, int32_t from, bk_arena *arena, int32_t *start, int32_t *end);

/* libpg_query's 0-based byte offset -> PostgreSQL's 1-based character position (0 if < 0). */
int32_t bk_sql_position(const char *sql, int32_t location);

/* ---- expressions -------------------------------------------------------------------------- */

typedef enum expr_kind {
    EX_CONST, /* u.cnst: one-row vector */
    EX_COL,   /* u.index: column of the input batch */
    EX_PARAM, /* u.index: $n - 1 */
    EX_FUNC,  /* u.fn(args) */
    EX_CAST,  /* args[0] converted to type */
    EX_AND,   /* args..., three-valued */
    EX_OR,
    EX_NOT,
    EX_IS_NULL, /* args[0] */
    EX_IS_NOT_NULL,
    EX_CASE, /* args: when0, then0, when1, then1, ..., else (n_args odd) */
    EX_COALESCE,
    EX_AGG, /* u.index: aggregate call, before aggregation is planned */
} expr_kind;

typedef struct bk_func bk_func;
typedef struct bk_expr bk_expr;

struct bk_expr {
    expr_kind kind;
    bk_type type;
    int32_t location; /* byte offset in the query text, -1 if none */

    union {
        bk_vec cnst;
        uint32_t index;
        const bk_func *fn;
    } u;

    bk_expr **args;
    uint32_t n_args;
};

/* Context of one evaluation: the session (settings), the arena results go to, parameters. */
typedef struct bk_eval_ctx {
    bk_session *session;
    bk_arena *arena;
    const bk_vec *params; /* one-row vectors, $1..$n */
    uint32_t n_params;
} bk_eval_ctx;

/*
 * A vectorized scalar function: args[i] have n rows; writes n rows into out, which the
 * caller allocated with the function's result type and a validity bitmap. Strict functions
 * (the default) are not asked about rows where an argument is NULL: the caller has already
 * marked those rows NULL in out, and the function must skip them (bk_vec_is_null(out, i)).
 */
typedef bk_rc (*bk_scalar_impl)(const bk_eval_ctx *ctx,
                                const bk_expr *call,
                                const bk_vec *args,
                                uint32_t n,
                                bk_vec *out,
                                bk_error *err);

#define BK_FUNC_MAX_ARGS 4
#define BK_TYPE_ANY      BK_TYPE_COUNT_ /* argument matches any type (and fixes none) */

enum {
    BK_FUNC_NONSTRICT = 1u << 0,    /* called for NULL arguments too */
    BK_FUNC_VOLATILE = 1u << 1,     /* never constant-folded */
    BK_FUNC_SCALE_OF_ARG = 1u << 2, /* numeric result keeps per-row scales (set by impl) */
};

struct bk_func {
    const char *name; /* lower case; operators by symbol ("+", "=") */
    uint8_t n_args;
    bk_type_id args[BK_FUNC_MAX_ARGS];
    bk_type ret;
    uint32_t flags;
    bk_scalar_impl impl;
};

/* func_registry.c: all scalar functions and operators. */
const bk_func *bk_func_table(size_t *n);

/* Aggregates. */
typedef enum agg_kind {
    AGG_COUNT_STAR,
    AGG_COUNT,
    AGG_SUM_INT,   /* int2/int4 -> int8 */
    AGG_SUM_INT8,  /* int8 -> numeric */
    AGG_SUM_NUM,   /* numeric -> numeric */
    AGG_SUM_FLOAT, /* float4/8 -> float8 (float4 -> float4) */
    AGG_AVG_INT,   /* int2/4/8 -> numeric */
    AGG_AVG_NUM,
    AGG_AVG_FLOAT,
    AGG_MIN,
    AGG_MAX,
} agg_kind;

typedef struct bk_agg_call {
    agg_kind kind;
    bk_expr *arg; /* NULL for count(*) */
    bool distinct;
    bk_type type; /* result type */
    int32_t location;
} bk_agg_call;

/* ---- expression binding helpers (bind_expr.c) ---------------------------------------------- */

/* Returns the implicit-cast cost from `from` to `to` (0 = same, -1 = not implicit). */
int bk_implicit_cast_cost(bk_type_id from, bk_type_id to);
/* Wraps e in a cast to `to` (folding constants); explicit allows every supported cast. */
BK_NODISCARD bk_expr *bk_expr_coerce(bk_expr *e,
                                     bk_type to,
                                     bool explicit_cast,
                                     bk_eval_ctx *ctx,
                                     const char *sql,
                                     bk_error *err);
BK_NODISCARD bk_expr *bk_expr_new(bk_arena *a, expr_kind kind, bk_type type, int32_t location);
BK_NODISCARD bk_expr *bk_expr_const_null(bk_arena *a, bk_type type, int32_t location);
/* Evaluates a constant-only expression into a one-row constant. */
BK_NODISCARD bk_expr *bk_expr_fold(bk_expr *e, bk_eval_ctx *ctx, const char *sql, bk_error *err);
bool bk_expr_is_const(const bk_expr *e);
bool bk_expr_equal(const bk_expr *a, const bk_expr *b);

/* ---- evaluation (expr.c, cast.c) ---------------------------------------------------------- */

/* Evaluates e over the n rows of `in` (NULL for row-less contexts with n = 1). */
BK_NODISCARD bk_rc bk_expr_eval(const bk_eval_ctx *ctx,
                                const bk_expr *e,
                                const bk_batch *in,
                                uint32_t n,
                                bk_vec *out,
                                bk_error *err);
/* Converts n rows of `in` to `to` into out (allocated here, in ctx->arena). */
BK_NODISCARD bk_rc bk_cast_vec(const bk_eval_ctx *ctx,
                               const bk_vec *in,
                               uint32_t n,
                               bk_type to,
                               bk_vec *out,
                               bk_error *err);
/* Whether a cast from -> to exists (explicitly). */
bool bk_cast_exists(bk_type_id from, bk_type_id to);

/* Three-way comparison of two non-NULL values of the same type. */
int bk_value_cmp(const bk_vec *a, uint32_t i, const bk_vec *b, uint32_t j);
/* Hash of a non-NULL value (equal values hash equally, numeric across scales too). */
uint64_t bk_value_hash(const bk_vec *v, uint32_t i);

/* ---- plans -------------------------------------------------------------------------------- */

typedef enum plan_kind {
    PL_SCAN,
    PL_RESULT, /* one row, no columns (SELECT without FROM) */
    PL_FILTER,
    PL_PROJECT,
    PL_AGG,
    PL_SORT,
    PL_LIMIT,
    PL_VALUES, /* rows of expressions (INSERT ... VALUES) */
    PL_SYSTEM, /* a system relation's rows (sysrel.h) */
} plan_kind;

struct bk_sysrel;

typedef struct bk_sort_key {
    uint32_t col; /* column of the child */
    bool desc;
    bool nulls_first;
} bk_sort_key;

typedef struct bk_plan bk_plan;

struct bk_plan {
    plan_kind kind;
    uint32_t n_out;
    bk_type *out_types;
    bk_plan *child;

    union {
        struct {
            bk_table *table;
            uint32_t *cols; /* table columns, n_out of them */
            bk_pred *preds; /* pushed-down predicates (optimize.c), ANDed */
            uint32_t n_preds;
        } scan;

        struct {
            bk_expr *pred;
        } filter;

        struct {
            bk_expr **exprs; /* n_out */
        } project;

        struct {
            bk_expr **keys; /* over the child; output columns 0..n_keys-1 */
            uint32_t n_keys;
            bk_agg_call *aggs; /* output columns n_keys.. */
            uint32_t n_aggs;
        } agg;

        struct {
            bk_sort_key *keys;
            uint32_t n_keys;
        } sort;

        struct {
            bk_expr *count;  /* NULL = no limit */
            bk_expr *offset; /* NULL = 0 */
        } limit;

        struct {
            bk_expr **cells; /* n_rows * n_out, row-major, each of its column's type */
            uint32_t n_rows;
        } values;

        struct {
            const struct bk_sysrel *rel;
        } system;
    } u;
};

/* ---- statements ----------------------------------------------------------------------------- */

typedef enum stmt_kind {
    ST_SELECT,
    ST_SET,
    ST_RESET,
    ST_RESET_ALL,
    ST_SHOW,
    ST_CREATE_TABLE,
    ST_INSERT,
    ST_DISCARD, /* name: "ALL", "PLANS", "SEQUENCES" or "TEMP" */
} stmt_kind;

struct bk_stmt {
    stmt_kind kind;
    bk_result_desc result;
    bk_plan *plan;
    uint32_t n_params;
    bk_type *param_types;
    const char *name;  /* SET/SHOW/RESET parameter */
    const char *value; /* SET value */
    const char *sql;

    struct {
        const char *name;
        bk_column_def *cols;
        uint32_t n_cols;
        bool if_not_exists;
    } create;

    struct {
        bk_table *table; /* plan's output: every column of it, in order */
    } insert;
};

/*
 * optimize.c: rewrites a bound plan. Today: WHERE conjuncts of the form column op constant
 * (=, <>, <, <=, >, >=, IN, LIKE 'prefix%', IS [NOT] NULL) move from a filter into the scan
 * below it, which evaluates them on the stored encoding and skips segments by zone maps.
 * Disabled by SET basket.pushdown = off (the results must not change; tests compare).
 */
BK_NODISCARD bk_plan *bk_optimize(bk_session *s, bk_plan *plan, bk_arena *a, bk_error *err);

/* bind.c: SELECT and the statements it knows -> bk_stmt. */
BK_NODISCARD bk_rc bk_bind_statement(bk_session *s,
                                     const bk_parsed *p,
                                     uint32_t index,
                                     const uint32_t *param_oids,
                                     uint32_t n_param_oids,
                                     bk_stmt *st,
                                     bk_arena *a,
                                     bk_error *err);

/*
 * dml.c: runs CREATE TABLE and INSERT (all rows of an INSERT commit together, or none) and
 * writes the command tag.
 */
BK_NODISCARD bk_rc bk_dml_run(bk_session *s,
                              bk_stmt *st,
                              const bk_vec *params,
                              uint32_t n_params,
                              char *tag,
                              size_t tag_cap,
                              bk_error *err);

/* ---- executor ------------------------------------------------------------------------------- */

typedef struct bk_exec_ctx {
    bk_session *session;
    bk_arena *arena; /* the execution's; operators allocate their state here */
    const bk_snap *snap;
    const bk_vec *params;
    uint32_t n_params;
    size_t memory_limit;
} bk_exec_ctx;

typedef struct bk_op bk_op;

struct bk_op {
    /* Next batch (valid until the next call), or *out = NULL at the end. */
    bk_rc (*next)(bk_op *op, bk_batch **out, bk_error *err);
    void (*close)(bk_op *op);
    bk_exec_ctx *ctx;
    bk_arena *batch_arena; /* reset at every next() of this operator */
    uint32_t n_out;
    bk_type *out_types;
};

/* Builds the operator tree of a plan. */
BK_NODISCARD bk_op *bk_op_build(bk_exec_ctx *ctx, const bk_plan *plan, bk_error *err);
void bk_op_close_tree(bk_op *op);

/* Constructors of each operator (exec/op_*.c). */
BK_NODISCARD bk_op *bk_op_scan_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err);
BK_NODISCARD bk_op *bk_op_result_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err);
BK_NODISCARD bk_op *
bk_op_filter_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err);
BK_NODISCARD bk_op *
bk_op_project_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err);
BK_NODISCARD bk_op *
bk_op_hashagg_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err);
BK_NODISCARD bk_op *bk_op_sort_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err);
BK_NODISCARD bk_op *
bk_op_limit_new(bk_exec_ctx *ctx, const bk_plan *p, bk_op *child, bk_error *err);
BK_NODISCARD bk_op *bk_op_values_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err);
BK_NODISCARD bk_op *bk_op_system_new(bk_exec_ctx *ctx, const bk_plan *p, bk_error *err);

/* Common operator plumbing (exec/op_common.c). */
BK_NODISCARD bk_op *
bk_op_alloc(bk_exec_ctx *ctx, size_t size, uint32_t n_out, const bk_type *out_types, bk_error *err);
bk_rc bk_op_oom(bk_error *err);
/* 57014 when the session was cancelled. */
BK_NODISCARD bk_rc bk_op_check_cancel(bk_exec_ctx *ctx, bk_error *err);
/* Deep copy of rows [0, n) of a vector into arena a (strings included). */
BK_NODISCARD bk_rc bk_vec_copy(const bk_vec *src, uint32_t n, bk_vec *dst, bk_arena *a);
/* dst[i] = src[sel[i]] for i < n (strings referenced, not copied). */
BK_NODISCARD bk_rc
bk_vec_gather(const bk_vec *src, const uint32_t *sel, uint32_t n, bk_vec *dst, bk_arena *a);

#endif /* BK_QUERY_QUERY_INT_H */
