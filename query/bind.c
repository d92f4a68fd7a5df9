/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statement binding: a parse tree -> a bk_stmt with its plan and result shape.
 *
 * SELECT is bound in PostgreSQL's order: FROM builds the scope; WHERE, the target list,
 * GROUP BY, HAVING and ORDER BY are bound against it, with aggregate calls collected as they
 * are met; when the query aggregates, every expression above the aggregation is rewritten to
 * reference group keys and aggregate results, and a bare column that is neither is the
 * familiar 42803. The plan is then assembled bottom-up:
 *
 *   scan -> filter(WHERE) -> aggregate -> filter(HAVING) -> project(targets + sort-only
 *   expressions) -> sort -> limit -> project(targets)
 *
 * Name resolution follows PostgreSQL: GROUP BY prefers input columns over output names,
 * ORDER BY prefers output names; both accept output ordinals.
 */
#include <stdio.h>
#include <string.h>

#include "bind_int.h"
#include "sysrel.h"

static bk_rc oom(binder *b)
{
    return bk_raise(b->err, OUT_OF_MEMORY, "out of memory");
}

static const char *str_node(const PgQuery__Node *n)
{
    return n != NULL && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

static bk_plan *plan_new(binder *b, plan_kind kind, bk_plan *child, uint32_t n_out)
{
    bk_plan *p = bk_arena_zalloc(b->arena, sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    p->kind = kind;
    p->child = child;
    p->n_out = n_out;
    p->out_types = bk_arena_zalloc(b->arena, sizeof(bk_type) * (n_out == 0 ? 1 : n_out));
    return p->out_types == NULL ? NULL : p;
}

/* ---- FROM ----------------------------------------------------------------------------------- */

typedef struct from_result {
    bk_plan *plan; /* NULL: no FROM */
    bind_scope scope;
    const char *rel_name; /* for error messages: alias or table name */
} from_result;

/* A system relation as a FROM item (sysrel.h). */
static bk_rc
bind_system_rel(binder *b, const PgQuery__RangeVar *rv, const bk_sysrel *rel, from_result *out)
{
    uint32_t n = rel->n_cols;
    bk_plan *p = plan_new(b, PL_SYSTEM, NULL, n);
    scope_col *cols = bk_arena_zalloc(b->arena, sizeof(scope_col) * (n == 0 ? 1 : n));
    if (p == NULL || cols == NULL) {
        return oom(b);
    }
    const char *alias = rv->alias != NULL ? rv->alias->aliasname : rv->relname;
    if (rv->alias != NULL && rv->alias->n_colnames > n) {
        bind_position(b, rv->location);
        return bk_raise(b->err, INVALID_COLUMN_REFERENCE,
                        "table \"%s\" has %u columns available but %zu columns specified", alias, n,
                        rv->alias->n_colnames);
    }
    p->u.system.rel = rel;
    for (uint32_t i = 0; i < n; i++) {
        p->out_types[i] = rel->cols[i].type;
        cols[i].rel_alias = alias;
        cols[i].name = rel->cols[i].name;
        if (rv->alias != NULL && i < rv->alias->n_colnames) {
            cols[i].name = str_node(rv->alias->colnames[i]);
        }
        cols[i].type = rel->cols[i].type;
        cols[i].table_oid = rel->oid;
        cols[i].attnum = (int16_t)(i + 1);
    }
    out->plan = p;
    out->scope.cols = cols;
    out->scope.n_cols = n;
    out->rel_name = alias;
    return BK_OK;
}

static bk_rc bind_range_var(binder *b, const PgQuery__RangeVar *rv, from_result *out)
{
    bool qualified = rv->schemaname != NULL && rv->schemaname[0] != '\0';
    /* pg_catalog is searched before everything else, qualified or not. */
    const bk_sysrel *rel = bk_sysrel_find(qualified ? rv->schemaname : NULL, rv->relname);
    if (rel != NULL) {
        return bind_system_rel(b, rv, rel, out);
    }
    if (qualified && strcmp(rv->schemaname, "public") != 0) {
        bind_position(b, rv->location);
        if (bk_sysrel_schema(rv->schemaname)) {
            return bk_raise(b->err, FEATURE_NOT_SUPPORTED,
                            "system catalog \"%s.%s\" is not available yet", rv->schemaname,
                            rv->relname);
        }
        return bk_raise(b->err, UNDEFINED_TABLE, "relation \"%s.%s\" does not exist",
                        rv->schemaname, rv->relname);
    }
    bk_db *db = b->session->engine->db;
    bk_table *t = bk_db_find_table(db, bk_str_from_cstr(rv->relname));
    if (t == NULL) {
        bind_position(b, rv->location);
        if (rv->schemaname != NULL && rv->schemaname[0] != '\0') {
            return bk_raise(b->err, UNDEFINED_TABLE, "relation \"%s.%s\" does not exist",
                            rv->schemaname, rv->relname);
        }
        return bk_raise(b->err, UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->relname);
    }
    uint32_t n = bk_table_column_count(t);
    bk_plan *p = plan_new(b, PL_SCAN, NULL, n);
    scope_col *cols = bk_arena_zalloc(b->arena, sizeof(scope_col) * (n == 0 ? 1 : n));
    if (p == NULL || cols == NULL) {
        return oom(b);
    }
    const char *alias = rv->alias != NULL ? rv->alias->aliasname : rv->relname;
    if (rv->alias != NULL && rv->alias->n_colnames > n) {
        bind_position(b, rv->location);
        return bk_raise(b->err, INVALID_COLUMN_REFERENCE,
                        "table \"%s\" has %u columns available but %zu columns specified", alias, n,
                        rv->alias->n_colnames);
    }
    p->u.scan.table = t;
    for (uint32_t i = 0; i < n; i++) {
        const bk_column_def *def = bk_table_column(t, i);
        p->out_types[i] = def->type;
        cols[i].rel_alias = alias;
        cols[i].name = def->name;
        if (rv->alias != NULL && i < rv->alias->n_colnames) {
            cols[i].name = str_node(rv->alias->colnames[i]);
        }
        cols[i].type = def->type;
        cols[i].table_oid = bk_table_id(t);
        cols[i].attnum = (int16_t)(i + 1);
    }
    out->plan = p;
    out->scope.cols = cols;
    out->scope.n_cols = n;
    out->rel_name = alias;
    return BK_OK;
}

static bk_rc bind_from(binder *b, const PgQuery__SelectStmt *ss, from_result *out)
{
    memset(out, 0, sizeof *out);
    if (ss->n_from_clause == 0) {
        return BK_OK;
    }
    if (ss->n_from_clause > 1) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED,
                        "queries over several relations (joins) are not supported yet");
    }
    const PgQuery__Node *n = ss->from_clause[0];
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        return bind_range_var(b, n->range_var, out);
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "JOIN is not supported yet");
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT:
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "subqueries in FROM are not supported yet");
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "functions in FROM are not supported yet");
    default:
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "this FROM item is not supported yet");
    }
}

/* ---- targets -------------------------------------------------------------------------------- */

typedef struct target {
    bk_expr *expr;
    const char *name;
    uint32_t table_oid;
    int16_t attnum;
    PgQuery__Node *node; /* NULL for expanded stars */
} target;

typedef struct target_list {
    target *items;
    uint32_t n;
    uint32_t cap;
} target_list;

static bk_rc target_add(binder *b, target_list *tl, target t)
{
    if (tl->n == tl->cap) {
        uint32_t cap = tl->cap == 0 ? 16 : tl->cap * 2;
        target *ni =
            bk_arena_realloc(b->arena, tl->items, tl->cap * sizeof(target), cap * sizeof(target));
        if (ni == NULL) {
            return oom(b);
        }
        tl->items = ni;
        tl->cap = cap;
    }
    tl->items[tl->n++] = t;
    return BK_OK;
}

static bool is_star(const PgQuery__Node *n, const char **rel)
{
    if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF) {
        return false;
    }
    const PgQuery__ColumnRef *cr = n->column_ref;
    if (cr->n_fields == 0 ||
        cr->fields[cr->n_fields - 1]->node_case != PG_QUERY__NODE__NODE_A_STAR) {
        return false;
    }
    *rel = cr->n_fields >= 2 ? str_node(cr->fields[cr->n_fields - 2]) : NULL;
    return true;
}

static bk_rc expand_star(binder *b, const char *rel, int32_t location, target_list *tl)
{
    const bind_scope *sc = b->scope;
    bool any = false;
    for (uint32_t i = 0; sc != NULL && i < sc->n_cols; i++) {
        const scope_col *c = &sc->cols[i];
        if (rel != NULL && (c->rel_alias == NULL || strcmp(c->rel_alias, rel) != 0)) {
            continue;
        }
        bk_expr *e = bk_expr_new(b->arena, EX_COL, c->type, location);
        if (e == NULL) {
            return oom(b);
        }
        e->u.index = i;
        target t = {.expr = e, .name = c->name, .table_oid = c->table_oid, .attnum = c->attnum};
        if (target_add(b, tl, t) != BK_OK) {
            return BK_ERR;
        }
        any = true;
    }
    if (rel != NULL && !any) {
        bind_position(b, location);
        return bk_raise(b->err, UNDEFINED_TABLE, "missing FROM-clause entry for table \"%s\"", rel);
    }
    if (rel == NULL && (sc == NULL || sc->n_cols == 0)) {
        bind_position(b, location);
        return bk_raise(b->err, SYNTAX_ERROR, "SELECT * with no tables specified is not valid");
    }
    return BK_OK;
}

static bk_rc bind_targets(binder *b, const PgQuery__SelectStmt *ss, target_list *tl)
{
    for (size_t i = 0; i < ss->n_target_list; i++) {
        const PgQuery__Node *tn = ss->target_list[i];
        if (tn->node_case != PG_QUERY__NODE__NODE_RES_TARGET) {
            return bk_raise(b->err, INTERNAL_ERROR, "unexpected target list node");
        }
        const PgQuery__ResTarget *rt = tn->res_target;
        const char *rel;
        if (is_star(rt->val, &rel)) {
            if (expand_star(b, rel, rt->location, tl) != BK_OK) {
                return BK_ERR;
            }
            continue;
        }
        bk_expr *e = bind_expr(b, rt->val);
        if (e == NULL) {
            return BK_ERR;
        }
        e = bind_resolve_unknown(b, e);
        if (e == NULL) {
            return BK_ERR;
        }
        target t = {.expr = e, .node = rt->val};
        t.name = rt->name != NULL && rt->name[0] != '\0' ? rt->name : bind_figure_colname(rt->val);
        if (e->kind == EX_COL && b->scope != NULL) {
            t.table_oid = b->scope->cols[e->u.index].table_oid;
            t.attnum = b->scope->cols[e->u.index].attnum;
        }
        if (target_add(b, tl, t) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

/* An integer constant in GROUP BY / ORDER BY is an output column ordinal. */
static bool ordinal_of(const PgQuery__Node *n, int32_t *out)
{
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST && !n->a_const->isnull &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        *out = n->a_const->ival->ival;
        return true;
    }
    return false;
}

static const char *simple_name(const PgQuery__Node *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields == 1) {
        return str_node(n->column_ref->fields[0]);
    }
    return NULL;
}

static int node_location(const PgQuery__Node *n)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        return n->a_const->location;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        return n->column_ref->location;
    default:
        return -1;
    }
}

static bool scope_has(const bind_scope *sc, const char *name)
{
    for (uint32_t i = 0; sc != NULL && i < sc->n_cols; i++) {
        if (strcmp(sc->cols[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* Finds the target named `name`; -2 if several targets share it (ambiguous). */
static int target_by_name(const target_list *tl, const char *name)
{
    int found = -1;
    for (uint32_t i = 0; i < tl->n; i++) {
        if (strcmp(tl->items[i].name, name) == 0) {
            if (found >= 0 && !bk_expr_equal(tl->items[found].expr, tl->items[i].expr)) {
                return -2;
            }
            if (found < 0) {
                found = (int)i;
            }
        }
    }
    return found;
}

static bk_expr *bind_group_item(binder *b, PgQuery__Node *n, const target_list *tl)
{
    int32_t ord;
    if (ordinal_of(n, &ord)) {
        if (ord < 1 || (uint32_t)ord > tl->n) {
            bind_position(b, node_location(n));
            bk_raise(b->err, INVALID_COLUMN_REFERENCE, "GROUP BY position %d is not in select list",
                     ord);
            return NULL;
        }
        return tl->items[ord - 1].expr;
    }
    const char *name = simple_name(n);
    if (name != NULL && !scope_has(b->scope, name)) {
        int t = target_by_name(tl, name);
        if (t >= 0) {
            return tl->items[t].expr;
        }
    }
    return bind_expr(b, n);
}

/* ---- aggregation rewrite ----------------------------------------------------------------------
 */

typedef struct agg_rewrite {
    bk_expr **keys;
    uint32_t n_keys;
} agg_rewrite;

/* Rewrites an expression bound over the FROM scope to one over the aggregate's output. */
static bk_expr *rewrite_post_agg(binder *b, const agg_rewrite *ar, bk_expr *e, const char *rel_name)
{
    for (uint32_t k = 0; k < ar->n_keys; k++) {
        if (bk_expr_equal(e, ar->keys[k])) {
            bk_expr *c = bk_expr_new(b->arena, EX_COL, e->type, e->location);
            if (c == NULL) {
                oom(b);
                return NULL;
            }
            c->u.index = k;
            return c;
        }
    }
    switch (e->kind) {
    case EX_AGG: {
        bk_expr *c = bk_expr_new(b->arena, EX_COL, e->type, e->location);
        if (c == NULL) {
            oom(b);
            return NULL;
        }
        c->u.index = ar->n_keys + e->u.index;
        return c;
    }
    case EX_COL:
        bind_position(b, e->location);
        bk_raise(b->err, GROUPING_ERROR,
                 "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate "
                 "function",
                 rel_name, b->scope->cols[e->u.index].name);
        return NULL;
    case EX_CONST:
    case EX_PARAM:
        return e;
    default: {
        bk_expr *c = bk_arena_memdup(b->arena, e, sizeof *e);
        bk_expr **args = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (e->n_args + 1));
        if (c == NULL || args == NULL) {
            oom(b);
            return NULL;
        }
        for (uint32_t i = 0; i < e->n_args; i++) {
            args[i] = rewrite_post_agg(b, ar, e->args[i], rel_name);
            if (args[i] == NULL) {
                return NULL;
            }
        }
        c->args = args;
        return c;
    }
    }
}

/* ---- SELECT --------------------------------------------------------------------------------- */

typedef struct sort_item {
    bk_expr *expr;
    bool desc, nulls_first;
} sort_item;

static bk_rc unsupported_clauses(binder *b, const PgQuery__SelectStmt *ss)
{
    if (ss->op != PG_QUERY__SET_OPERATION__SETOP_NONE) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED,
                        "UNION, INTERSECT and EXCEPT are not supported yet");
    }
    if (ss->with_clause != NULL) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "WITH is not supported yet");
    }
    if (ss->n_values_lists > 0) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "VALUES is not supported yet");
    }
    if (ss->n_distinct_clause > 0) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "SELECT DISTINCT is not supported yet");
    }
    if (ss->n_window_clause > 0) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "WINDOW is not supported yet");
    }
    if (ss->n_locking_clause > 0) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "FOR UPDATE/SHARE is not supported");
    }
    if (ss->into_clause != NULL) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "SELECT INTO is not supported yet");
    }
    if (ss->group_distinct) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "GROUP BY DISTINCT is not supported yet");
    }
    if (ss->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "FETCH ... WITH TIES is not supported yet");
    }
    return BK_OK;
}

static bk_rc
bind_sort(binder *b, const PgQuery__SelectStmt *ss, const target_list *tl, sort_item *items)
{
    for (size_t i = 0; i < ss->n_sort_clause; i++) {
        const PgQuery__Node *sn = ss->sort_clause[i];
        if (sn->node_case != PG_QUERY__NODE__NODE_SORT_BY) {
            return bk_raise(b->err, INTERNAL_ERROR, "unexpected ORDER BY node");
        }
        const PgQuery__SortBy *sb = sn->sort_by;
        if (sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING) {
            bind_position(b, sb->location);
            return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "ORDER BY ... USING is not supported");
        }
        sort_item *it = &items[i];
        it->desc = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
        it->nulls_first =
            sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST ||
            (sb->sortby_nulls != PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST && it->desc);
        int32_t ord;
        const char *name;
        if (ordinal_of(sb->node, &ord)) {
            if (ord < 1 || (uint32_t)ord > tl->n) {
                bind_position(b, node_location(sb->node));
                return bk_raise(b->err, INVALID_COLUMN_REFERENCE,
                                "ORDER BY position %d is not in select list", ord);
            }
            it->expr = tl->items[ord - 1].expr;
        } else if ((name = simple_name(sb->node)) != NULL && target_by_name(tl, name) != -1) {
            int t = target_by_name(tl, name);
            if (t == -2) {
                bind_position(b, node_location(sb->node));
                return bk_raise(b->err, AMBIGUOUS_COLUMN, "ORDER BY \"%s\" is ambiguous", name);
            }
            it->expr = tl->items[t].expr;
        } else {
            it->expr = bind_expr(b, sb->node);
            if (it->expr == NULL) {
                return BK_ERR;
            }
            it->expr = bind_resolve_unknown(b, it->expr);
            if (it->expr == NULL) {
                return BK_ERR;
            }
        }
    }
    return BK_OK;
}

static bk_rc bind_select(binder *b, const PgQuery__SelectStmt *ss, bk_stmt *st)
{
    if (unsupported_clauses(b, ss) != BK_OK) {
        return BK_ERR;
    }
    from_result from;
    if (bind_from(b, ss, &from) != BK_OK) {
        return BK_ERR;
    }
    b->scope = &from.scope;
    bk_plan *plan = from.plan;
    if (plan == NULL) {
        plan = plan_new(b, PL_RESULT, NULL, 0);
        if (plan == NULL) {
            return oom(b);
        }
    }

    /* Targets, WHERE, HAVING, ORDER BY, GROUP BY: all bound over the FROM scope. */
    b->aggs_allowed = true;
    target_list tl = {0};
    if (bind_targets(b, ss, &tl) != BK_OK) {
        return BK_ERR;
    }
    /* WHERE (bound after the targets, in PostgreSQL's order, so errors come in its order) */
    if (ss->where_clause != NULL) {
        b->aggs_allowed = false;
        b->agg_context = "WHERE";
        bk_expr *pred = bind_condition(b, ss->where_clause, "WHERE");
        if (pred == NULL) {
            return BK_ERR;
        }
        bk_plan *f = plan_new(b, PL_FILTER, plan, plan->n_out);
        if (f == NULL) {
            return oom(b);
        }
        memcpy(f->out_types, plan->out_types, sizeof(bk_type) * plan->n_out);
        f->u.filter.pred = pred;
        plan = f;
    }
    b->aggs_allowed = true;
    bk_expr *having = NULL;
    if (ss->having_clause != NULL) {
        having = bind_condition(b, ss->having_clause, "HAVING");
        if (having == NULL) {
            return BK_ERR;
        }
    }
    sort_item *sorts = bk_arena_zalloc(b->arena, sizeof(sort_item) * (ss->n_sort_clause + 1));
    if (sorts == NULL) {
        return oom(b);
    }
    if (bind_sort(b, ss, &tl, sorts) != BK_OK) {
        return BK_ERR;
    }
    uint32_t n_keys = (uint32_t)ss->n_group_clause;
    bk_expr **keys = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (n_keys + 1));
    if (keys == NULL) {
        return oom(b);
    }
    b->aggs_allowed = false;
    b->agg_context = "GROUP BY";
    for (uint32_t i = 0; i < n_keys; i++) {
        const PgQuery__Node *gn = ss->group_clause[i];
        if (gn->node_case == PG_QUERY__NODE__NODE_GROUPING_SET) {
            return bk_raise(b->err, FEATURE_NOT_SUPPORTED,
                            "GROUPING SETS, ROLLUP and CUBE are not supported yet");
        }
        keys[i] = bind_group_item(b, ss->group_clause[i], &tl);
        if (keys[i] == NULL) {
            return BK_ERR;
        }
        if (keys[i]->kind == EX_AGG) {
            return bk_raise(b->err, GROUPING_ERROR,
                            "aggregate functions are not allowed in GROUP "
                            "BY");
        }
        keys[i] = bind_resolve_unknown(b, keys[i]);
        if (keys[i] == NULL) {
            return BK_ERR;
        }
    }

    /* Aggregation */
    if (n_keys > 0 || b->n_aggs > 0 || having != NULL) {
        bk_plan *agg = plan_new(b, PL_AGG, plan, n_keys + b->n_aggs);
        if (agg == NULL) {
            return oom(b);
        }
        agg->u.agg.keys = keys;
        agg->u.agg.n_keys = n_keys;
        agg->u.agg.aggs = b->aggs;
        agg->u.agg.n_aggs = b->n_aggs;
        for (uint32_t i = 0; i < n_keys; i++) {
            agg->out_types[i] = keys[i]->type;
        }
        for (uint32_t i = 0; i < b->n_aggs; i++) {
            agg->out_types[n_keys + i] = b->aggs[i].type;
        }
        agg_rewrite ar = {keys, n_keys};
        const char *rel = from.rel_name != NULL ? from.rel_name : "?";
        for (uint32_t i = 0; i < tl.n; i++) {
            tl.items[i].expr = rewrite_post_agg(b, &ar, tl.items[i].expr, rel);
            if (tl.items[i].expr == NULL) {
                return BK_ERR;
            }
        }
        for (size_t i = 0; i < ss->n_sort_clause; i++) {
            sorts[i].expr = rewrite_post_agg(b, &ar, sorts[i].expr, rel);
            if (sorts[i].expr == NULL) {
                return BK_ERR;
            }
        }
        plan = agg;
        if (having != NULL) {
            having = rewrite_post_agg(b, &ar, having, rel);
            if (having == NULL) {
                return BK_ERR;
            }
            bk_plan *f = plan_new(b, PL_FILTER, plan, plan->n_out);
            if (f == NULL) {
                return oom(b);
            }
            memcpy(f->out_types, plan->out_types, sizeof(bk_type) * plan->n_out);
            f->u.filter.pred = having;
            plan = f;
        }
    }

    /* Project targets plus the sort expressions that are not targets. */
    uint32_t n_sort = (uint32_t)ss->n_sort_clause;
    uint32_t n_proj = tl.n;
    uint32_t *sort_cols = bk_arena_alloc(b->arena, sizeof(uint32_t) * (n_sort + 1));
    bk_expr **proj = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (tl.n + n_sort + 1));
    if (sort_cols == NULL || proj == NULL) {
        return oom(b);
    }
    for (uint32_t i = 0; i < tl.n; i++) {
        proj[i] = tl.items[i].expr;
    }
    for (uint32_t i = 0; i < n_sort; i++) {
        uint32_t found = UINT32_MAX;
        for (uint32_t j = 0; j < n_proj; j++) {
            if (bk_expr_equal(proj[j], sorts[i].expr)) {
                found = j;
                break;
            }
        }
        if (found == UINT32_MAX) {
            proj[n_proj] = sorts[i].expr;
            found = n_proj++;
        }
        sort_cols[i] = found;
    }
    bk_plan *pr = plan_new(b, PL_PROJECT, plan, n_proj);
    if (pr == NULL) {
        return oom(b);
    }
    pr->u.project.exprs = proj;
    for (uint32_t i = 0; i < n_proj; i++) {
        pr->out_types[i] = proj[i]->type;
    }
    plan = pr;

    if (n_sort > 0) {
        bk_plan *so = plan_new(b, PL_SORT, plan, plan->n_out);
        bk_sort_key *sk = bk_arena_alloc(b->arena, sizeof(bk_sort_key) * n_sort);
        if (so == NULL || sk == NULL) {
            return oom(b);
        }
        memcpy(so->out_types, plan->out_types, sizeof(bk_type) * plan->n_out);
        for (uint32_t i = 0; i < n_sort; i++) {
            sk[i] = (bk_sort_key){sort_cols[i], sorts[i].desc, sorts[i].nulls_first};
        }
        so->u.sort.keys = sk;
        so->u.sort.n_keys = n_sort;
        plan = so;
    }

    if (ss->limit_count != NULL || ss->limit_offset != NULL) {
        b->scope = NULL;
        b->aggs_allowed = false;
        b->agg_context = "LIMIT";
        bk_plan *li = plan_new(b, PL_LIMIT, plan, plan->n_out);
        if (li == NULL) {
            return oom(b);
        }
        memcpy(li->out_types, plan->out_types, sizeof(bk_type) * plan->n_out);
        if (ss->limit_count != NULL) {
            bk_expr *c = bind_expr(b, ss->limit_count);
            if (c == NULL) {
                return BK_ERR;
            }
            if (c->kind == EX_CONST && c->type.id == BK_TYPE_UNKNOWN &&
                bk_vec_is_null(&c->u.cnst, 0)) {
                c = NULL; /* LIMIT NULL / LIMIT ALL */
            } else {
                c = bk_expr_coerce(c, bk_type_of(BK_TYPE_INT8), false, &b->ectx, b->sql, b->err);
                if (c == NULL) {
                    return BK_ERR;
                }
            }
            li->u.limit.count = c;
        }
        if (ss->limit_offset != NULL) {
            bk_expr *o = bind_expr(b, ss->limit_offset);
            if (o == NULL) {
                return BK_ERR;
            }
            o = bk_expr_coerce(o, bk_type_of(BK_TYPE_INT8), false, &b->ectx, b->sql, b->err);
            if (o == NULL) {
                return BK_ERR;
            }
            li->u.limit.offset = o;
        }
        plan = li;
    }

    if (n_proj > tl.n) {
        bk_plan *fin = plan_new(b, PL_PROJECT, plan, tl.n);
        bk_expr **cols = bk_arena_alloc(b->arena, sizeof(bk_expr *) * (tl.n + 1));
        if (fin == NULL || cols == NULL) {
            return oom(b);
        }
        for (uint32_t i = 0; i < tl.n; i++) {
            cols[i] = bk_expr_new(b->arena, EX_COL, plan->out_types[i], -1);
            if (cols[i] == NULL) {
                return oom(b);
            }
            cols[i]->u.index = i;
            fin->out_types[i] = plan->out_types[i];
        }
        fin->u.project.exprs = cols;
        plan = fin;
    }

    bk_column_desc *cd = bk_arena_zalloc(b->arena, sizeof(bk_column_desc) * (tl.n + 1));
    if (cd == NULL) {
        return oom(b);
    }
    for (uint32_t i = 0; i < tl.n; i++) {
        cd[i].name = tl.items[i].name;
        cd[i].type = tl.items[i].expr->type;
        if (tl.items[i].expr->kind == EX_COL && n_keys == 0 && b->n_aggs == 0) {
            cd[i].table_oid = tl.items[i].table_oid;
            cd[i].attnum = tl.items[i].attnum;
        }
    }
    st->kind = ST_SELECT;
    st->plan = plan;
    st->result.n_cols = tl.n;
    st->result.cols = cd;
    return BK_OK;
}

/* ---- SET / SHOW / RESET ------------------------------------------------------------------------
 */

static bk_rc set_value_text(binder *b, const PgQuery__VariableSetStmt *vs, const char **out)
{
    bk_buf buf = {0};
    for (size_t i = 0; i < vs->n_args; i++) {
        const PgQuery__Node *a = vs->args[i];
        const char *piece = NULL;
        char num[64];
        if (a->node_case == PG_QUERY__NODE__NODE_A_CONST) {
            const PgQuery__AConst *c = a->a_const;
            switch (c->val_case) {
            case PG_QUERY__A__CONST__VAL_SVAL:
                piece = c->sval->sval;
                break;
            case PG_QUERY__A__CONST__VAL_IVAL:
                snprintf(num, sizeof num, "%d", c->ival->ival);
                piece = num;
                break;
            case PG_QUERY__A__CONST__VAL_FVAL:
                piece = c->fval->fval;
                break;
            case PG_QUERY__A__CONST__VAL_BOOLVAL:
                piece = c->boolval->boolval ? "on" : "off";
                break;
            default:
                break;
            }
        }
        if (piece == NULL) {
            bk_buf_free(&buf);
            return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "this SET value form is not supported");
        }
        if ((i > 0 && bk_buf_append(&buf, ", ", 2) != BK_OK) ||
            bk_buf_append(&buf, piece, strlen(piece)) != BK_OK) {
            bk_buf_free(&buf);
            return oom(b);
        }
    }
    *out = bk_arena_strndup(b->arena, buf.ptr != NULL ? buf.ptr : "", buf.len);
    bk_buf_free(&buf);
    return *out == NULL ? oom(b) : BK_OK;
}

static bk_rc bind_set(binder *b, const PgQuery__VariableSetStmt *vs, bk_stmt *st)
{
    const char *name = vs->name;
    switch (vs->kind) {
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
        st->kind = ST_SET;
        st->name = name;
        if (strcmp(name, "timezone") == 0) {
            st->name = "TimeZone";
        }
        return set_value_text(b, vs, &st->value);
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
        st->kind = ST_RESET;
        st->name = strcmp(name, "timezone") == 0 ? "TimeZone" : name;
        return BK_OK;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
        st->kind = ST_RESET_ALL;
        return BK_OK;
    default:
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "SET %s is not supported yet",
                        name != NULL ? name : "");
    }
}

static bk_rc bind_show(binder *b, const PgQuery__VariableShowStmt *vs, bk_stmt *st)
{
    if (strcmp(vs->name, "all") == 0) {
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "SHOW ALL is not supported yet");
    }
    const char *canon = bk_setting_canonical_name(vs->name);
    if (canon == NULL) {
        return bk_raise(b->err, UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"",
                        vs->name);
    }
    bk_column_desc *cd = bk_arena_zalloc(b->arena, sizeof *cd);
    if (cd == NULL) {
        return oom(b);
    }
    cd->name = canon;
    cd->type = bk_type_of(BK_TYPE_TEXT);
    st->kind = ST_SHOW;
    st->name = canon;
    st->result.n_cols = 1;
    st->result.cols = cd;
    return BK_OK;
}

/* ---- dispatch ------------------------------------------------------------------------------- */

/*
 * DISCARD: ALL resets every setting here; the protocol layer, seeing the tag, closes the
 * session's prepared statements and portals. Basket has no cached plans, sequences or
 * temporary tables, so the other forms have nothing to drop.
 */
static bk_rc bind_discard(binder *b, const PgQuery__DiscardStmt *ds, bk_stmt *st)
{
    st->kind = ST_DISCARD;
    switch (ds->target) {
    case PG_QUERY__DISCARD_MODE__DISCARD_ALL:
        st->name = "ALL";
        return BK_OK;
    case PG_QUERY__DISCARD_MODE__DISCARD_PLANS:
        st->name = "PLANS";
        return BK_OK;
    case PG_QUERY__DISCARD_MODE__DISCARD_SEQUENCES:
        st->name = "SEQUENCES";
        return BK_OK;
    case PG_QUERY__DISCARD_MODE__DISCARD_TEMP:
        st->name = "TEMP";
        return BK_OK;
    default:
        return bk_raise(b->err, SYNTAX_ERROR, "unrecognized DISCARD target");
    }
}

bk_rc bind_select_stmt(binder *b, const PgQuery__SelectStmt *ss, bk_stmt *st)
{
    return bind_select(b, ss, st);
}

static const char *statement_name(PgQuery__Node__NodeCase c)
{
    switch (c) {
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        return "INSERT";
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
        return "UPDATE";
    case PG_QUERY__NODE__NODE_DELETE_STMT:
        return "DELETE";
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        return "CREATE TABLE";
    case PG_QUERY__NODE__NODE_DROP_STMT:
        return "DROP";
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        return "transaction control (BEGIN, COMMIT, ROLLBACK)";
    case PG_QUERY__NODE__NODE_COPY_STMT:
        return "COPY";
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
        return "EXPLAIN";
    case PG_QUERY__NODE__NODE_VIEW_STMT:
        return "CREATE VIEW";
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
        return "DISCARD";
    case PG_QUERY__NODE__NODE_PREPARE_STMT:
        return "PREPARE";
    case PG_QUERY__NODE__NODE_EXECUTE_STMT:
        return "EXECUTE";
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        return "TRUNCATE";
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        return "CREATE TABLE AS / CREATE MATERIALIZED VIEW";
    default:
        return "this statement";
    }
}

bk_rc bk_bind_statement(bk_session *s,
                        const bk_parsed *p,
                        uint32_t index,
                        const uint32_t *param_oids,
                        uint32_t n_param_oids,
                        bk_stmt *st,
                        bk_arena *a,
                        bk_error *err)
{
    const PgQuery__RawStmt *raw = p->tree->stmts[index];
    binder b = {
        .session = s,
        .arena = a,
        .sql = p->sql,
        .err = err,
        .ectx = {.session = s, .arena = a},
    };
    memset(st, 0, sizeof *st);
    st->sql = p->sql;
    b.params_allowed = param_oids != NULL;
    if (n_param_oids > 0) {
        b.params = bk_arena_alloc(a, sizeof(bk_type) * n_param_oids);
        if (b.params == NULL) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        b.cap_params = b.n_params = n_param_oids;
        for (uint32_t i = 0; i < n_param_oids; i++) {
            if (param_oids[i] == 0) {
                b.params[i] = bk_type_of(BK_TYPE_UNKNOWN);
            } else if (!bk_type_from_oid(param_oids[i], &b.params[i])) {
                return bk_raise(err, UNDEFINED_OBJECT, "type with OID %u does not exist",
                                param_oids[i]);
            }
        }
    }
    bk_rc rc;
    const PgQuery__Node *n = raw->stmt;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        rc = bind_select(&b, n->select_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        rc = bind_set(&b, n->variable_set_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
        rc = bind_show(&b, n->variable_show_stmt, st);
        break;
    case PG_QUERY__NODE__NODE_CREATE_STMT:
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        rc = bind_dml_statement(&b, n, st);
        break;
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
        rc = bind_discard(&b, n->discard_stmt, st);
        break;
    default:
        rc = bk_raise(err, FEATURE_NOT_SUPPORTED, "%s is not supported yet",
                      statement_name(n->node_case));
        break;
    }
    if (rc != BK_OK) {
        return BK_ERR;
    }
    /* Parameters nobody constrained are text, as PostgreSQL resolves unknown to text. */
    st->n_params = b.n_params;
    st->param_types = b.params;
    for (uint32_t i = 0; i < b.n_params; i++) {
        if (st->param_types[i].id == BK_TYPE_UNKNOWN) {
            st->param_types[i] = bk_type_of(BK_TYPE_TEXT);
        }
    }
    return BK_OK;
}
