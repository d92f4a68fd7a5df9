/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The binder's private state, shared by bind.c (statements, SELECT structure) and
 * bind_expr.c (expressions, types, functions).
 */
#ifndef BK_QUERY_BIND_INT_H
#define BK_QUERY_BIND_INT_H

#include "query_int.h"

/* Deepest expression nesting bound before 54001 (PostgreSQL's stack depth check). */
#define BIND_MAX_DEPTH BK_QUERY_MAX_NESTING

/* A column visible to expressions: from a FROM item, or the output of a lower plan node. */
typedef struct scope_col {
    const char *rel_alias; /* NULL when not qualified by a relation */
    const char *name;
    bk_type type;
    uint32_t table_oid; /* source table column, for RowDescription (0 = computed) */
    int16_t attnum;
} scope_col;

typedef struct bind_scope {
    scope_col *cols;
    uint32_t n_cols;
} bind_scope;

typedef struct binder {
    bk_session *session;
    bk_arena *arena;
    const char *sql;
    bk_error *err;
    bk_eval_ctx ectx;        /* for constant folding */
    const bind_scope *scope; /* columns expressions may reference */
    bk_type *params;         /* $1..$n types; BK_TYPE_UNKNOWN until inferred */
    uint32_t n_params;
    uint32_t cap_params;
    bk_agg_call *aggs; /* aggregate calls seen (EX_AGG indexes) */
    uint32_t n_aggs;
    uint32_t cap_aggs;
    bool params_allowed; /* false for the simple Query protocol */
    bool aggs_allowed;
    const char *agg_context; /* "WHERE", "GROUP BY", ... for the error message */
    bool in_agg;
    int depth;
} binder;

/* Binds an expression node against b->scope. NULL with b->err set on failure. */
BK_NODISCARD bk_expr *bind_expr(binder *b, PgQuery__Node *n);
/* Binds and coerces to boolean (WHERE, HAVING, ON): 42804 if not boolean. */
BK_NODISCARD bk_expr *bind_condition(binder *b, PgQuery__Node *n, const char *context);
/* The name PostgreSQL gives an unnamed target column (FigureColname). */
const char *bind_figure_colname(PgQuery__Node *n);
/* Resolves unknown literals to text (final select-list rule). */
BK_NODISCARD bk_expr *bind_resolve_unknown(binder *b, bk_expr *e);
/* Sets the error position from a 0-based byte location. */
void bind_position(binder *b, int32_t location);
/* Resolves a TypeName to a Basket type. */
BK_NODISCARD bk_rc bind_type_name(binder *b, const PgQuery__TypeName *tn, bk_type *out);
/* Records the type of $n once inferred. */
void bind_param_infer(binder *b, bk_expr *e, bk_type t);
/* Shared between bind_expr.c, bind_types.c and bind_func.c. */
bk_expr *bind_oom(binder *b);
BK_NODISCARD bk_expr *bind_const_new(bk_arena *a, bk_type type, int32_t location);
/* Coerces with the binder's conventions: unknown literals parsed, $n typed. */
BK_NODISCARD bk_expr *bind_coerce(binder *b, bk_expr *e, bk_type to, bool explicit_cast);
const char *bind_str_node(const PgQuery__Node *n);
/* fn(args) with arguments coerced to the function's types; constants folded. */
BK_NODISCARD bk_expr *
bind_make_call(binder *b, const bk_func *fn, bk_expr **args, uint32_t n, int32_t location);
/* Resolves `name` over the argument types and builds the call (42883 when none matches). */
BK_NODISCARD bk_expr *bind_call(binder *b,
                                const char *name,
                                bk_expr **args,
                                uint32_t n,
                                bool is_operator,
                                int32_t location);
BK_NODISCARD bk_expr *
bind_call2(binder *b, const char *op, bk_expr *l, bk_expr *r, int32_t location);
/* A FuncCall node: scalar function or aggregate. */
BK_NODISCARD bk_expr *bind_func_call(binder *b, const PgQuery__FuncCall *fc);
/* Evaluates a constant expression to an int64 (LIMIT/OFFSET). */
BK_NODISCARD bk_rc bind_const_int64(binder *b, bk_expr *e, int64_t *out, bool *is_null);

/* bind.c: a SELECT statement (also the source of INSERT ... SELECT). */
BK_NODISCARD bk_rc bind_select_stmt(binder *b, const PgQuery__SelectStmt *ss, bk_stmt *st);
/* bind_dml.c: CREATE TABLE and INSERT. */
BK_NODISCARD bk_rc bind_dml_statement(binder *b, const PgQuery__Node *n, bk_stmt *st);

#endif /* BK_QUERY_BIND_INT_H */
