/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Function, operator and aggregate resolution (exact matches first, then the candidate needing
 * the fewest implicit casts, with an unknown argument taking the type of its known sibling, as
 * PostgreSQL's operator rule does), and PostgreSQL's naming of unnamed result columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind_int.h"
#include "func/pg_names.h"

static int cmp_name(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* Whether PostgreSQL 15 has a built-in function of this name. */
static bool is_pg_function(const char *name)
{
    return bsearch(name, pg_function_names, BK_ARRAY_LEN(pg_function_names),
                   sizeof(pg_function_names[0]), cmp_name) != NULL;
}

/* ---- function and operator resolution ---------------------------------------------------------
 */

/* PostgreSQL's preferred type in a category: float8 for numbers, text for strings. */
static bool is_preferred(bk_type_id t)
{
    return t == BK_TYPE_FLOAT8 || t == BK_TYPE_TEXT || t == BK_TYPE_TIMESTAMPTZ;
}

static bool arg_is_unknown(const bk_expr *e)
{
    return e->type.id == BK_TYPE_UNKNOWN;
}

static const bk_func *resolve_func(binder *b,
                                   const char *name,
                                   bk_expr **args,
                                   uint32_t n,
                                   bool is_operator,
                                   int32_t location)
{
    size_t n_funcs;
    const bk_func *funcs = bk_func_table(&n_funcs);
    /* The type an unknown argument should take: that of the known arguments, if they agree. */
    bk_type_id known = BK_TYPE_UNKNOWN;
    bool known_agree = true;
    for (uint32_t i = 0; i < n; i++) {
        if (!arg_is_unknown(args[i])) {
            if (known == BK_TYPE_UNKNOWN) {
                known = args[i]->type.id;
            } else if (known != args[i]->type.id) {
                known_agree = false;
            }
        }
    }
    const bk_func *best = NULL;
    int best_exact = -1, best_pref = -1, best_cost = 1 << 30;
    bool any_name = false;
    for (size_t f = 0; f < n_funcs; f++) {
        const bk_func *fn = &funcs[f];
        if (strcmp(fn->name, name) != 0) {
            continue;
        }
        any_name = true;
        if (fn->n_args != n) {
            continue;
        }
        int exact = 0, pref = 0, cost = 0;
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++) {
            bk_type_id want = fn->args[i];
            bk_type_id have = args[i]->type.id;
            if (want == BK_TYPE_ANY) {
                exact++;
                continue;
            }
            if (have == BK_TYPE_UNKNOWN) {
                if (known != BK_TYPE_UNKNOWN && known_agree && want == known) {
                    exact++;
                } else if (known == BK_TYPE_UNKNOWN && want == BK_TYPE_TEXT) {
                    pref++; /* all unknown: the string category wins */
                }
                continue;
            }
            if (want == have) {
                exact++;
                continue;
            }
            int c = bk_implicit_cast_cost(have, want);
            if (c < 0) {
                ok = false;
            } else {
                cost += c;
                if (is_preferred(want)) {
                    pref++;
                }
            }
        }
        if (!ok) {
            continue;
        }
        if (exact > best_exact || (exact == best_exact && pref > best_pref) ||
            (exact == best_exact && pref == best_pref && cost < best_cost)) {
            best = fn;
            best_exact = exact;
            best_pref = pref;
            best_cost = cost;
        }
    }
    if (best != NULL) {
        return best;
    }
    char sig[256];
    size_t off = 0;
    for (uint32_t i = 0; i < n && off < sizeof sig; i++) {
        int w = snprintf(sig + off, sizeof sig - off, "%s%s", i > 0 ? ", " : "",
                         bk_type_sql_name(args[i]->type));
        off += w > 0 ? (size_t)w : 0;
    }
    sig[BK_MIN(off, sizeof sig - 1)] = '\0';
    if (is_operator) {
        if (n == 2) {
            bk_raise(b->err, UNDEFINED_FUNCTION, "operator does not exist: %s %s %s",
                     bk_type_sql_name(args[0]->type), name, bk_type_sql_name(args[1]->type));
        } else {
            bk_raise(b->err, UNDEFINED_FUNCTION, "operator does not exist: %s %s", name,
                     bk_type_sql_name(args[0]->type));
        }
        bk_error_hint(b->err, "No operator matches the given name and argument types. You might "
                              "need to add explicit type casts.");
    } else if (!any_name && is_pg_function(name)) {
        /* PostgreSQL has it and Basket does not yet: say so, do not claim it is absent. */
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "function %s(%s) is not supported yet", name, sig);
    } else {
        bk_raise(b->err, UNDEFINED_FUNCTION, "function %s(%s) does not exist", name, sig);
        bk_error_hint(b->err, "No function matches the given name and argument types. You might "
                              "need to add explicit type casts.");
    }
    bind_position(b, location);
    return NULL;
}

/* Builds fn(args) with arguments coerced to the function's types; folds constants. */
bk_expr *bind_make_call(binder *b, const bk_func *fn, bk_expr **args, uint32_t n, int32_t location)
{
    bk_expr **cargs = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (n == 0 ? 1 : n));
    if (cargs == NULL) {
        return bind_oom(b);
    }
    bool all_const = true;
    for (uint32_t i = 0; i < n; i++) {
        bk_expr *a = args[i];
        if (fn->args[i] != BK_TYPE_ANY) {
            bk_type want = bk_type_of(fn->args[i]);
            if (a->type.id == fn->args[i]) {
                want = a->type; /* keep varchar/name oids */
            }
            a = bind_coerce(b, a, want, false);
            if (a == NULL) {
                return NULL;
            }
        } else if (a->type.id == BK_TYPE_UNKNOWN) {
            a = bind_coerce(b, a, bk_type_of(BK_TYPE_TEXT), false);
            if (a == NULL) {
                return NULL;
            }
        }
        cargs[i] = a;
        all_const = all_const && a->kind == EX_CONST;
    }
    bk_expr *e = bk_expr_new(b->arena, EX_FUNC, fn->ret, location);
    if (e == NULL) {
        return bind_oom(b);
    }
    e->u.fn = fn;
    e->args = cargs;
    e->n_args = n;
    if (all_const && (fn->flags & BK_FUNC_VOLATILE) == 0) {
        return bk_expr_fold(e, &b->ectx, b->sql, b->err);
    }
    return e;
}

bk_expr *bind_call(binder *b,
                   const char *name,
                   bk_expr **args,
                   uint32_t n,
                   bool is_operator,
                   int32_t location)
{
    const bk_func *fn = resolve_func(b, name, args, n, is_operator, location);
    if (fn == NULL) {
        return NULL;
    }
    return bind_make_call(b, fn, args, n, location);
}

bk_expr *bind_call2(binder *b, const char *op, bk_expr *l, bk_expr *r, int32_t location)
{
    bk_expr *args[2] = {l, r};
    return bind_call(b, op, args, 2, true, location);
}

static agg_kind agg_for(const char *name, bk_type_id arg, bk_type *ret, bool *ok)
{
    *ok = true;
    if (strcmp(name, "count") == 0) {
        *ret = bk_type_of(BK_TYPE_INT8);
        return AGG_COUNT;
    }
    if (strcmp(name, "sum") == 0) {
        switch (arg) {
        case BK_TYPE_INT2:
        case BK_TYPE_INT4:
            *ret = bk_type_of(BK_TYPE_INT8);
            return AGG_SUM_INT;
        case BK_TYPE_INT8:
            *ret = bk_type_of(BK_TYPE_NUMERIC);
            return AGG_SUM_INT8;
        case BK_TYPE_NUMERIC:
            *ret = bk_type_of(BK_TYPE_NUMERIC);
            return AGG_SUM_NUM;
        case BK_TYPE_FLOAT4:
        case BK_TYPE_FLOAT8:
            *ret = bk_type_of(arg);
            return AGG_SUM_FLOAT;
        default:
            break;
        }
    } else if (strcmp(name, "avg") == 0) {
        switch (arg) {
        case BK_TYPE_INT2:
        case BK_TYPE_INT4:
        case BK_TYPE_INT8:
            *ret = bk_type_of(BK_TYPE_NUMERIC);
            return AGG_AVG_INT;
        case BK_TYPE_NUMERIC:
            *ret = bk_type_of(BK_TYPE_NUMERIC);
            return AGG_AVG_NUM;
        case BK_TYPE_FLOAT4:
        case BK_TYPE_FLOAT8:
            *ret = bk_type_of(BK_TYPE_FLOAT8);
            return AGG_AVG_FLOAT;
        default:
            break;
        }
    } else if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0) {
        if (arg != BK_TYPE_UNKNOWN) {
            *ret = bk_type_of(arg);
            return name[1] == 'i' ? AGG_MIN : AGG_MAX;
        }
    }
    *ok = false;
    return AGG_COUNT;
}

static bool is_agg_name(const char *name)
{
    return strcmp(name, "count") == 0 || strcmp(name, "sum") == 0 || strcmp(name, "avg") == 0 ||
           strcmp(name, "min") == 0 || strcmp(name, "max") == 0;
}

static bk_expr *bind_agg(binder *b, const char *name, const PgQuery__FuncCall *fc)
{
    if (!b->aggs_allowed) {
        bind_position(b, fc->location);
        bk_raise(b->err, GROUPING_ERROR, "aggregate functions are not allowed in %s",
                 b->agg_context != NULL ? b->agg_context : "this context");
        return NULL;
    }
    if (b->in_agg) {
        bind_position(b, fc->location);
        bk_raise(b->err, GROUPING_ERROR, "aggregate function calls cannot be nested");
        return NULL;
    }
    if (fc->agg_filter != NULL || fc->n_agg_order > 0 || fc->agg_within_group || fc->agg_distinct) {
        bind_position(b, fc->location);
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "%s with %s is not supported yet", name,
                 fc->agg_distinct       ? "DISTINCT"
                 : fc->agg_filter       ? "FILTER"
                 : fc->agg_within_group ? "WITHIN GROUP"
                                        : "ORDER BY");
        return NULL;
    }
    bk_agg_call call = {.location = fc->location};
    if (fc->agg_star) {
        if (strcmp(name, "count") != 0) {
            bind_position(b, fc->location);
            bk_raise(b->err, WRONG_OBJECT_TYPE,
                     "%s(*) specified, but %s is not an aggregate "
                     "function",
                     name, name);
            return NULL;
        }
        call.kind = AGG_COUNT_STAR;
        call.type = bk_type_of(BK_TYPE_INT8);
    } else {
        if (fc->n_args != 1) {
            bind_position(b, fc->location);
            bk_raise(b->err, UNDEFINED_FUNCTION, "function %s with %zu arguments does not exist",
                     name, fc->n_args);
            return NULL;
        }
        b->in_agg = true;
        bk_expr *arg = bind_expr(b, fc->args[0]);
        b->in_agg = false;
        if (arg == NULL) {
            return NULL;
        }
        if (arg->type.id == BK_TYPE_UNKNOWN && strcmp(name, "count") == 0) {
            arg = bind_coerce(b, arg, bk_type_of(BK_TYPE_TEXT), false);
            if (arg == NULL) {
                return NULL;
            }
        }
        bool ok;
        call.kind = agg_for(name, arg->type.id, &call.type, &ok);
        if (!ok) {
            bind_position(b, fc->location);
            if (arg->type.id == BK_TYPE_UNKNOWN) {
                bk_raise(b->err, AMBIGUOUS_FUNCTION, "function %s(unknown) is not unique", name);
                bk_error_hint(b->err, "Could not choose a best candidate function. You might need "
                                      "to add explicit type casts.");
            } else {
                bk_raise(b->err, UNDEFINED_FUNCTION, "function %s(%s) does not exist", name,
                         bk_type_sql_name(arg->type));
                bk_error_hint(b->err, "No function matches the given name and argument types. "
                                      "You might need to add explicit type casts.");
            }
            return NULL;
        }
        call.arg = arg;
    }
    if (b->n_aggs == b->cap_aggs) {
        uint32_t cap = b->cap_aggs == 0 ? 8 : b->cap_aggs * 2;
        bk_agg_call *na =
            bk_arena_realloc(b->arena, b->aggs, b->cap_aggs * sizeof *na, cap * sizeof *na);
        if (na == NULL) {
            return bind_oom(b);
        }
        b->aggs = na;
        b->cap_aggs = cap;
    }
    b->aggs[b->n_aggs] = call;
    bk_expr *e = bk_expr_new(b->arena, EX_AGG, call.type, fc->location);
    if (e == NULL) {
        return bind_oom(b);
    }
    e->u.index = b->n_aggs++;
    return e;
}

bk_expr *bind_func_call(binder *b, const PgQuery__FuncCall *fc)
{
    const char *name = fc->n_funcname > 0 ? bind_str_node(fc->funcname[fc->n_funcname - 1]) : NULL;
    if (name == NULL) {
        bk_raise(b->err, SYNTAX_ERROR, "invalid function name");
        return NULL;
    }
    if (fc->n_funcname > 1) {
        const char *schema = bind_str_node(fc->funcname[fc->n_funcname - 2]);
        if (schema != NULL && strcmp(schema, "pg_catalog") != 0 && strcmp(schema, "public") != 0) {
            bind_position(b, fc->location);
            bk_raise(b->err, UNDEFINED_SCHEMA, "schema \"%s\" does not exist", schema);
            return NULL;
        }
    }
    if (fc->over != NULL) {
        bind_position(b, fc->location);
        bk_raise(b->err, FEATURE_NOT_SUPPORTED, "window functions are not supported yet");
        return NULL;
    }
    if (is_agg_name(name)) {
        return bind_agg(b, name, fc);
    }
    if (fc->agg_star || fc->agg_distinct || fc->n_agg_order > 0 || fc->agg_filter != NULL) {
        bind_position(b, fc->location);
        bk_raise(b->err, WRONG_OBJECT_TYPE, "%s specified, but %s is not an aggregate function",
                 fc->agg_star ? "*" : "DISTINCT", name);
        return NULL;
    }
    bk_expr **args = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (fc->n_args + 1));
    if (args == NULL) {
        return bind_oom(b);
    }
    for (size_t i = 0; i < fc->n_args; i++) {
        if (fc->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            bind_position(b, fc->location);
            bk_raise(b->err, FEATURE_NOT_SUPPORTED, "named arguments are not supported");
            return NULL;
        }
        args[i] = bind_expr(b, fc->args[i]);
        if (args[i] == NULL) {
            return NULL;
        }
    }
    return bind_call(b, name, args, (uint32_t)fc->n_args, false, fc->location);
}

/* Common type of CASE branches / COALESCE arguments (select_common_type, simplified). */
/* ---- column naming ----------------------------------------------------------------------------
 */

static int figure(const PgQuery__Node *n, const char **name)
{
    if (n == NULL) {
        return 0;
    }
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const PgQuery__ColumnRef *cr = n->column_ref;
        for (size_t i = cr->n_fields; i > 0; i--) {
            const char *s = bind_str_node(cr->fields[i - 1]);
            if (s != NULL) {
                *name = s;
                return 2;
            }
        }
        return 0;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall *fc = n->func_call;
        if (fc->n_funcname > 0 && bind_str_node(fc->funcname[fc->n_funcname - 1]) != NULL) {
            *name = bind_str_node(fc->funcname[fc->n_funcname - 1]);
            return 2;
        }
        return 0;
    }
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        int strength = figure(n->type_cast->arg, name);
        if (strength <= 1 && n->type_cast->type_name != NULL &&
            n->type_cast->type_name->n_names > 0) {
            const PgQuery__TypeName *tn = n->type_cast->type_name;
            const char *s = bind_str_node(tn->names[tn->n_names - 1]);
            if (s != NULL) {
                *name = s;
                return 1;
            }
        }
        return strength;
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
        int strength = figure(n->case_expr->defresult, name);
        if (strength <= 1) {
            *name = "case";
            return 1;
        }
        return strength;
    }
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        *name = "coalesce";
        return 2;
    case PG_QUERY__NODE__NODE_A_EXPR:
        if (n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) {
            *name = "nullif";
            return 2;
        }
        return 0;
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        return 0;
    default:
        return 0;
    }
}

const char *bind_figure_colname(PgQuery__Node *n)
{
    const char *name = "?column?";
    (void)figure(n, &name);
    return name;
}
