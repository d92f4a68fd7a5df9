/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Expression binding: parse-tree nodes -> typed bk_expr trees (literals, column references,
 * parameters, operators, boolean logic, CASE, COALESCE). PostgreSQL's literal rules apply:
 * integers are int4, then int8, then numeric; decimals are numeric; quoted strings stay
 * "unknown" until context types them. Types and casts live in bind_types.c; function,
 * operator and aggregate resolution in bind_func.c.
 *
 * Errors carry PostgreSQL's SQLSTATE, message and the cursor position of the offending node.
 */
#include <stdio.h>
#include <string.h>

#include "bind_int.h"

void bind_position(binder *b, int32_t location)
{
    if (location >= 0) {
        bk_error_set_position(b->err, bk_sql_position(b->sql, location));
    }
}

bk_expr *bind_oom(binder *b)
{
    bk_raise(b->err, OUT_OF_MEMORY, "out of memory");
    return NULL;
}

bk_expr *bk_expr_new(bk_arena *a, expr_kind kind, bk_type type, int32_t location)
{
    bk_expr *e = bk_arena_zalloc(a, sizeof *e);
    if (e != NULL) {
        e->kind = kind;
        e->type = type;
        e->location = location;
    }
    return e;
}

bk_expr *bind_const_new(bk_arena *a, bk_type type, int32_t location)
{
    bk_expr *e = bk_expr_new(a, EX_CONST, type, location);
    if (e == NULL || bk_vec_alloc(&e->u.cnst, type, 1, true, a) != BK_OK) {
        return NULL;
    }
    return e;
}

bk_expr *bk_expr_const_null(bk_arena *a, bk_type type, int32_t location)
{
    bk_expr *e = bind_const_new(a, type, location);
    if (e != NULL) {
        bk_validity_set(e->u.cnst.validity, 0, false);
    }
    return e;
}

bool bk_expr_is_const(const bk_expr *e)
{
    return e->kind == EX_CONST;
}

static bool args_equal(const bk_expr *a, const bk_expr *b)
{
    if (a->n_args != b->n_args) {
        return false;
    }
    for (uint32_t i = 0; i < a->n_args; i++) {
        if (!bk_expr_equal(a->args[i], b->args[i])) {
            return false;
        }
    }
    return true;
}

bool bk_expr_equal(const bk_expr *a, const bk_expr *b)
{
    if (a->kind != b->kind || !bk_type_eq(a->type, b->type)) {
        return false;
    }
    switch (a->kind) {
    case EX_CONST: {
        bool an = bk_vec_is_null(&a->u.cnst, 0), bn = bk_vec_is_null(&b->u.cnst, 0);
        if (an || bn) {
            return an && bn;
        }
        if (a->type.id == BK_TYPE_UNKNOWN) {
            return bk_str_eq(*(const bk_str *)a->u.cnst.data, *(const bk_str *)b->u.cnst.data);
        }
        return bk_value_cmp(&a->u.cnst, 0, &b->u.cnst, 0) == 0 &&
               (a->type.id != BK_TYPE_NUMERIC || a->u.cnst.scale[0] == b->u.cnst.scale[0]);
    }
    case EX_COL:
    case EX_PARAM:
    case EX_AGG:
        return a->u.index == b->u.index;
    case EX_FUNC:
        return a->u.fn == b->u.fn && args_equal(a, b);
    default:
        return args_equal(a, b);
    }
}

/* ---- nodes ---------------------------------------------------------------------------------- */

static bk_expr *bind_const(binder *b, const PgQuery__AConst *c)
{
    int32_t loc = c->location;
    if (c->isnull) {
        return bk_expr_const_null(b->arena, bk_type_of(BK_TYPE_UNKNOWN), loc);
    }
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL: {
        bk_expr *e = bind_const_new(b->arena, bk_type_of(BK_TYPE_INT4), loc);
        if (e == NULL) {
            return bind_oom(b);
        }
        *(int32_t *)e->u.cnst.data = c->ival->ival;
        return e;
    }
    case PG_QUERY__A__CONST__VAL_FVAL: {
        /* Integers too big for int4 arrive here too: int8 if they fit, else numeric. */
        bk_str s = bk_str_from_cstr(c->fval->fval);
        bool integral = strpbrk(c->fval->fval, ".eE") == NULL;
        if (integral) {
            int64_t v;
            bk_error tmp;
            bk_error_clear(&tmp);
            if (bk_parse_int8(s, &v, &tmp) == BK_OK) {
                bk_expr *e = bind_const_new(b->arena, bk_type_of(BK_TYPE_INT8), loc);
                if (e == NULL) {
                    return bind_oom(b);
                }
                *(int64_t *)e->u.cnst.data = v;
                return e;
            }
        }
        bk_expr *e = bind_const_new(b->arena, bk_type_of(BK_TYPE_NUMERIC), loc);
        if (e == NULL) {
            return bind_oom(b);
        }
        if (bk_parse_numeric(s, (bk_i128 *)e->u.cnst.data, &e->u.cnst.scale[0], b->err) != BK_OK) {
            bind_position(b, loc);
            return NULL;
        }
        return e;
    }
    case PG_QUERY__A__CONST__VAL_BOOLVAL: {
        bk_expr *e = bind_const_new(b->arena, bk_type_of(BK_TYPE_BOOL), loc);
        if (e == NULL) {
            return bind_oom(b);
        }
        *(uint8_t *)e->u.cnst.data = c->boolval->boolval ? 1 : 0;
        return e;
    }
    case PG_QUERY__A__CONST__VAL_SVAL: {
        bk_expr *e = bind_const_new(b->arena, bk_type_of(BK_TYPE_UNKNOWN), loc);
        if (e == NULL) {
            return bind_oom(b);
        }
        *(bk_str *)e->u.cnst.data = bk_str_from_cstr(c->sval->sval);
        return e;
    }
    default:
        bind_position(b, loc);
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "bit-string literals are not supported");
        return NULL;
    }
}

static bk_expr *bind_column_ref(binder *b, const PgQuery__ColumnRef *cr)
{
    const char *rel = NULL, *col = NULL;
    if (cr->n_fields == 1) {
        col = bind_str_node(cr->fields[0]);
    } else if (cr->n_fields == 2) {
        rel = bind_str_node(cr->fields[0]);
        col = bind_str_node(cr->fields[1]);
    } else if (cr->n_fields == 3) {
        /* schema.table.column: accept public/pg_catalog qualification of the relation */
        rel = bind_str_node(cr->fields[1]);
        col = bind_str_node(cr->fields[2]);
    }
    if (col == NULL) {
        bind_position(b, cr->location);
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "this use of * is not supported here");
        return NULL;
    }
    const bind_scope *sc = b->scope;
    int found = -1;
    bool rel_seen = false;
    for (uint32_t i = 0; sc != NULL && i < sc->n_cols; i++) {
        const scope_col *c = &sc->cols[i];
        if (rel != NULL) {
            if (c->rel_alias == NULL || strcmp(c->rel_alias, rel) != 0) {
                continue;
            }
            rel_seen = true;
        }
        if (strcmp(c->name, col) == 0) {
            if (found >= 0) {
                bind_position(b, cr->location);
                if (rel != NULL) {
                    bk_raise(b->err, AMBIGUOUS_COLUMN, "column reference \"%s.%s\" is ambiguous",
                             rel, col);
                } else {
                    bk_raise(b->err, AMBIGUOUS_COLUMN, "column reference \"%s\" is ambiguous", col);
                }
                return NULL;
            }
            found = (int)i;
        }
    }
    if (found < 0) {
        bind_position(b, cr->location);
        if (rel != NULL && !rel_seen) {
            bk_raise(b->err, UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", rel);
        } else if (rel != NULL) {
            bk_raise(b->err, UNDEFINED_COLUMN, "column %s.%s does not exist", rel, col);
        } else {
            bk_raise(b->err, UNDEFINED_COLUMN, "column \"%s\" does not exist", col);
        }
        return NULL;
    }
    bk_expr *e = bk_expr_new(b->arena, EX_COL, sc->cols[found].type, cr->location);
    if (e == NULL) {
        return bind_oom(b);
    }
    e->u.index = (uint32_t)found;
    return e;
}

static bk_expr *bind_param(binder *b, const PgQuery__ParamRef *pr)
{
    if (!b->params_allowed || pr->number < 1 || pr->number > 65535) {
        bind_position(b, pr->location);
        bk_raise(b->err, UNDEFINED_PARAMETER, "there is no parameter $%d", pr->number);
        return NULL;
    }
    uint32_t idx = (uint32_t)pr->number - 1;
    if (idx >= b->cap_params) {
        uint32_t cap = BK_MAX(idx + 1, b->cap_params * 2);
        bk_type *np = bk_arena_realloc(b->arena, b->params, b->cap_params * sizeof(bk_type),
                                       cap * sizeof(bk_type));
        if (np == NULL) {
            return bind_oom(b);
        }
        for (uint32_t i = b->cap_params; i < cap; i++) {
            np[i] = bk_type_of(BK_TYPE_UNKNOWN);
        }
        b->params = np;
        b->cap_params = cap;
    }
    if (idx >= b->n_params) {
        b->n_params = idx + 1;
    }
    bk_expr *e = bk_expr_new(b->arena, EX_PARAM, b->params[idx], pr->location);
    if (e == NULL) {
        return bind_oom(b);
    }
    e->u.index = idx;
    return e;
}

static bk_expr *
make_bool_node(binder *b, expr_kind kind, bk_expr **args, uint32_t n, int32_t location)
{
    bk_expr *e = bk_expr_new(b->arena, kind, bk_type_of(BK_TYPE_BOOL), location);
    bk_expr **a = bk_arena_memdup(b->arena, args, sizeof(bk_expr *) * n);
    if (e == NULL || a == NULL) {
        return bind_oom(b);
    }
    e->args = a;
    e->n_args = n;
    bool all_const = true;
    for (uint32_t i = 0; i < n; i++) {
        all_const = all_const && a[i]->kind == EX_CONST;
    }
    if (all_const) {
        return bk_expr_fold(e, &b->ectx, b->sql, b->err);
    }
    return e;
}

static bk_expr *to_bool(binder *b, bk_expr *e, const char *context)
{
    if (e->type.id == BK_TYPE_BOOL) {
        return e;
    }
    if (e->type.id == BK_TYPE_UNKNOWN) {
        return bind_coerce(b, e, bk_type_of(BK_TYPE_BOOL), false);
    }
    bind_position(b, e->location);
    bk_raise(b->err, DATATYPE_MISMATCH, "argument of %s must be type boolean, not type %s", context,
             bk_type_sql_name(e->type));
    return NULL;
}

bk_expr *bind_condition(binder *b, PgQuery__Node *n, const char *context)
{
    bk_expr *e = bind_expr(b, n);
    return e == NULL ? NULL : to_bool(b, e, context);
}

static bk_expr *bind_bool_expr(binder *b, const PgQuery__BoolExpr *be)
{
    bk_expr **args = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (be->n_args + 1));
    if (args == NULL) {
        return bind_oom(b);
    }
    const char *ctx = be->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR  ? "AND"
                      : be->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? "OR"
                                                                        : "NOT";
    for (size_t i = 0; i < be->n_args; i++) {
        args[i] = bind_condition(b, be->args[i], ctx);
        if (args[i] == NULL) {
            return NULL;
        }
    }
    expr_kind k = be->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR  ? EX_AND
                  : be->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? EX_OR
                                                                    : EX_NOT;
    return make_bool_node(b, k, args, (uint32_t)be->n_args, be->location);
}

static bk_expr *bind_null_test(binder *b, const PgQuery__NullTest *nt)
{
    bk_expr *arg = bind_expr(b, nt->arg);
    if (arg == NULL) {
        return NULL;
    }
    if (arg->type.id == BK_TYPE_UNKNOWN) {
        arg = bind_coerce(b, arg, bk_type_of(BK_TYPE_TEXT), false);
        if (arg == NULL) {
            return NULL;
        }
    }
    expr_kind k =
        nt->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NULL ? EX_IS_NULL : EX_IS_NOT_NULL;
    return make_bool_node(b, k, &arg, 1, nt->location);
}

static const char *op_name(const PgQuery__AExpr *ae)
{
    return ae->n_name > 0 ? bind_str_node(ae->name[ae->n_name - 1]) : NULL;
}

static bk_expr *bind_in(binder *b, const PgQuery__AExpr *ae, bool negate)
{
    bk_expr *lhs = bind_expr(b, ae->lexpr);
    if (lhs == NULL) {
        return NULL;
    }
    if (ae->rexpr == NULL || ae->rexpr->node_case != PG_QUERY__NODE__NODE_LIST) {
        bind_position(b, ae->location);
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "IN (subquery) is not supported yet");
        return NULL;
    }
    const PgQuery__List *list = ae->rexpr->list;
    bk_expr **terms = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (list->n_items + 1));
    if (terms == NULL) {
        return bind_oom(b);
    }
    for (size_t i = 0; i < list->n_items; i++) {
        bk_expr *rhs = bind_expr(b, list->items[i]);
        if (rhs == NULL) {
            return NULL;
        }
        terms[i] = bind_call2(b, negate ? "<>" : "=", lhs, rhs, ae->location);
        if (terms[i] == NULL) {
            return NULL;
        }
    }
    if (list->n_items == 1) {
        return terms[0];
    }
    return make_bool_node(b, negate ? EX_AND : EX_OR, terms, (uint32_t)list->n_items, ae->location);
}

static bk_expr *bind_a_expr(binder *b, const PgQuery__AExpr *ae)
{
    const char *name = op_name(ae);
    switch (ae->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP: {
        if (name == NULL) {
            break;
        }
        if (ae->lexpr == NULL) {
            bk_expr *r = bind_expr(b, ae->rexpr);
            if (r == NULL) {
                return NULL;
            }
            if (strcmp(name, "+") == 0 && r->type.id != BK_TYPE_UNKNOWN) {
                return r;
            }
            bk_expr *args[1] = {r};
            return bind_call(b, strcmp(name, "-") == 0 ? "neg" : name, args, 1, true, ae->location);
        }
        bk_expr *l = bind_expr(b, ae->lexpr);
        if (l == NULL) {
            return NULL;
        }
        bk_expr *r = bind_expr(b, ae->rexpr);
        if (r == NULL) {
            return NULL;
        }
        return bind_call2(b, name, l, r, ae->location);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        return bind_in(b, ae, name != NULL && strcmp(name, "<>") == 0);
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE: {
        bk_expr *l = bind_expr(b, ae->lexpr);
        bk_expr *r = l != NULL ? bind_expr(b, ae->rexpr) : NULL;
        if (r == NULL) {
            return NULL;
        }
        return bind_call2(b, name, l, r, ae->location);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN: {
        bool neg = ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN;
        if (ae->rexpr == NULL || ae->rexpr->node_case != PG_QUERY__NODE__NODE_LIST ||
            ae->rexpr->list->n_items != 2) {
            break;
        }
        bk_expr *x = bind_expr(b, ae->lexpr);
        bk_expr *lo = x != NULL ? bind_expr(b, ae->rexpr->list->items[0]) : NULL;
        bk_expr *hi = lo != NULL ? bind_expr(b, ae->rexpr->list->items[1]) : NULL;
        if (hi == NULL) {
            return NULL;
        }
        bk_expr *terms[2];
        terms[0] = bind_call2(b, neg ? "<" : ">=", x, lo, ae->location);
        terms[1] = terms[0] != NULL ? bind_call2(b, neg ? ">" : "<=", x, hi, ae->location) : NULL;
        if (terms[1] == NULL) {
            return NULL;
        }
        return make_bool_node(b, neg ? EX_OR : EX_AND, terms, 2, ae->location);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT: {
        bk_expr *l = bind_expr(b, ae->lexpr);
        bk_expr *r = l != NULL ? bind_expr(b, ae->rexpr) : NULL;
        if (r == NULL) {
            return NULL;
        }
        bool distinct = ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT;
        return bind_call2(b, distinct ? "is distinct from" : "is not distinct from", l, r,
                          ae->location);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF: {
        bk_expr *l = bind_expr(b, ae->lexpr);
        bk_expr *r = l != NULL ? bind_expr(b, ae->rexpr) : NULL;
        if (r == NULL) {
            return NULL;
        }
        return bind_call2(b, "nullif", l, r, ae->location);
    }
    default:
        break;
    }
    bind_position(b, ae->location);
    bk_raise(b->err, FEATURE_NOT_SUPPORTED, "this operator form is not supported yet");
    return NULL;
}

static bk_expr *bind_type_cast(binder *b, const PgQuery__TypeCast *tc)
{
    bk_type t;
    if (bind_type_name(b, tc->type_name, &t) != BK_OK) {
        return NULL;
    }
    bk_expr *arg = bind_expr(b, tc->arg);
    if (arg == NULL) {
        return NULL;
    }
    bk_expr *e = bind_coerce(b, arg, t, true);
    if (e != NULL && e->kind == EX_CONST && arg->kind == EX_CONST) {
        e->location = tc->location >= 0 && arg->location < 0 ? tc->location : arg->location;
    }
    return e;
}

static bool common_type(binder *b, bk_expr **es, uint32_t n, const char *context, bk_type *out)
{
    bk_type t = bk_type_of(BK_TYPE_UNKNOWN);
    for (uint32_t i = 0; i < n; i++) {
        bk_type et = es[i]->type;
        if (et.id == BK_TYPE_UNKNOWN) {
            continue;
        }
        if (t.id == BK_TYPE_UNKNOWN) {
            t = et;
            continue;
        }
        if (t.id == et.id) {
            if (t.oid != et.oid) {
                t = bk_type_of(t.id);
            }
            continue;
        }
        if (bk_implicit_cast_cost(t.id, et.id) >= 0) {
            t = bk_type_of(et.id);
        } else if (bk_implicit_cast_cost(et.id, t.id) < 0) {
            bind_position(b, es[i]->location);
            bk_raise(b->err, DATATYPE_MISMATCH, "%s types %s and %s cannot be matched", context,
                     bk_type_sql_name(t), bk_type_sql_name(et));
            return false;
        }
    }
    if (t.id == BK_TYPE_UNKNOWN) {
        t = bk_type_of(BK_TYPE_TEXT);
    }
    *out = t;
    return true;
}

static bk_expr *bind_case(binder *b, const PgQuery__CaseExpr *ce)
{
    uint32_t n_when = (uint32_t)ce->n_args;
    uint32_t n = n_when * 2 + 1;
    bk_expr **args = bk_arena_alloc(b->arena, sizeof(bk_expr *) * n);
    bk_expr **results = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (n_when + 1));
    if (args == NULL || results == NULL) {
        return bind_oom(b);
    }
    bk_expr *test = NULL;
    if (ce->arg != NULL) {
        test = bind_expr(b, ce->arg);
        if (test == NULL) {
            return NULL;
        }
    }
    for (uint32_t i = 0; i < n_when; i++) {
        const PgQuery__Node *wn = ce->args[i];
        if (wn->node_case != PG_QUERY__NODE__NODE_CASE_WHEN) {
            return bind_oom(b);
        }
        const PgQuery__CaseWhen *w = wn->case_when;
        bk_expr *cond;
        if (test != NULL) {
            bk_expr *v = bind_expr(b, w->expr);
            cond = v != NULL ? bind_call2(b, "=", test, v, w->location) : NULL;
        } else {
            cond = bind_condition(b, w->expr, "CASE/WHEN");
        }
        if (cond == NULL) {
            return NULL;
        }
        args[2 * i] = cond;
        results[i] = bind_expr(b, w->result);
        if (results[i] == NULL) {
            return NULL;
        }
    }
    bk_expr *def = ce->defresult != NULL
                       ? bind_expr(b, ce->defresult)
                       : bk_expr_const_null(b->arena, bk_type_of(BK_TYPE_UNKNOWN), -1);
    if (def == NULL) {
        return NULL;
    }
    results[n_when] = def;
    bk_type t;
    if (!common_type(b, results, n_when + 1, "CASE", &t)) {
        return NULL;
    }
    bool all_const = true;
    for (uint32_t i = 0; i <= n_when; i++) {
        results[i] = bind_coerce(b, results[i], t, false);
        if (results[i] == NULL) {
            return NULL;
        }
    }
    for (uint32_t i = 0; i < n_when; i++) {
        args[2 * i + 1] = results[i];
        all_const = all_const && args[2 * i]->kind == EX_CONST && results[i]->kind == EX_CONST;
    }
    args[n - 1] = results[n_when];
    bk_expr *e = bk_expr_new(b->arena, EX_CASE, t, ce->location);
    if (e == NULL) {
        return bind_oom(b);
    }
    e->args = args;
    e->n_args = n;
    if (all_const && results[n_when]->kind == EX_CONST) {
        return bk_expr_fold(e, &b->ectx, b->sql, b->err);
    }
    return e;
}

static bk_expr *bind_coalesce(binder *b, const PgQuery__CoalesceExpr *ce)
{
    uint32_t n = (uint32_t)ce->n_args;
    bk_expr **args = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (n + 1));
    if (args == NULL) {
        return bind_oom(b);
    }
    for (uint32_t i = 0; i < n; i++) {
        args[i] = bind_expr(b, ce->args[i]);
        if (args[i] == NULL) {
            return NULL;
        }
    }
    bk_type t;
    if (!common_type(b, args, n, "COALESCE", &t)) {
        return NULL;
    }
    bool all_const = true;
    for (uint32_t i = 0; i < n; i++) {
        args[i] = bind_coerce(b, args[i], t, false);
        if (args[i] == NULL) {
            return NULL;
        }
        all_const = all_const && args[i]->kind == EX_CONST;
    }
    bk_expr *e = bk_expr_new(b->arena, EX_COALESCE, t, ce->location);
    if (e == NULL) {
        return bind_oom(b);
    }
    e->args = args;
    e->n_args = n;
    if (all_const) {
        return bk_expr_fold(e, &b->ectx, b->sql, b->err);
    }
    return e;
}

bk_expr *bind_expr(binder *b, PgQuery__Node *n)
{
    if (n == NULL) {
        bk_raise(b->err, INTERNAL_ERROR, "missing expression");
        return NULL;
    }
    if (++b->depth > BIND_MAX_DEPTH) {
        b->depth--;
        bk_raise(b->err, STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        bk_error_hint(b->err, "Simplify the expression: it nests more than %d levels deep.",
                      BIND_MAX_DEPTH);
        return NULL;
    }
    bk_expr *e = NULL;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        e = bind_const(b, n->a_const);
        break;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        e = bind_column_ref(b, n->column_ref);
        break;
    case PG_QUERY__NODE__NODE_PARAM_REF:
        e = bind_param(b, n->param_ref);
        break;
    case PG_QUERY__NODE__NODE_A_EXPR:
        e = bind_a_expr(b, n->a_expr);
        break;
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
        e = bind_bool_expr(b, n->bool_expr);
        break;
    case PG_QUERY__NODE__NODE_NULL_TEST:
        e = bind_null_test(b, n->null_test);
        break;
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        e = bind_type_cast(b, n->type_cast);
        break;
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        e = bind_func_call(b, n->func_call);
        break;
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        e = bind_case(b, n->case_expr);
        break;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        e = bind_coalesce(b, n->coalesce_expr);
        break;
    case PG_QUERY__NODE__NODE_SUB_LINK:
        bind_position(b, n->sub_link->location);
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "subqueries are not supported yet");
        break;
    default:
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "this kind of expression is not supported yet");
        break;
    }
    b->depth--;
    return e;
}

bk_rc bind_const_int64(binder *b, bk_expr *e, int64_t *out, bool *is_null)
{
    bk_expr *c = bind_coerce(b, e, bk_type_of(BK_TYPE_INT8), false);
    if (c == NULL) {
        return BK_ERR;
    }
    if (c->kind != EX_CONST) {
        bind_position(b, e->location);
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED,
                        "LIMIT and OFFSET must be constants in Basket for now");
    }
    *is_null = bk_vec_is_null(&c->u.cnst, 0);
    *out = *is_null ? 0 : *(const int64_t *)c->u.cnst.data;
    return BK_OK;
}
