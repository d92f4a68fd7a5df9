/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Binding of the statements that change data: CREATE TABLE and INSERT (VALUES or a query).
 *
 * INSERT binds to a plan whose output is every column of the target table, in table order:
 * named columns get their expression coerced in PostgreSQL's assignment context (implicit
 * casts, plus the numeric narrowing and date/time casts marked 'a' in pg_cast, plus the I/O
 * conversion to text), the others NULL, as no column has a default yet. The executor
 * (dml.c) appends that plan's batches through one appender: all rows or none.
 */
#include <string.h>

#include "bind_int.h"

#define NAME_MAX_BYTES 63 /* NAMEDATALEN - 1: longer identifiers are truncated */

static bk_rc oom(binder *b)
{
    return bk_raise(b->err, OUT_OF_MEMORY, "out of memory");
}

static bk_rc unsupported_at(binder *b, int32_t location, const char *what)
{
    bind_position(b, location);
    return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "%s is not supported yet", what);
}

/* Tables live in schema public; a schema-qualified name must name it. */
static bk_rc check_schema(binder *b, const PgQuery__RangeVar *rv, bool creating)
{
    const char *schema = rv->schemaname;
    if (schema == NULL || schema[0] == '\0' || strcmp(schema, "public") == 0) {
        return BK_OK;
    }
    if (strcmp(schema, "pg_catalog") == 0 || strcmp(schema, "information_schema") == 0) {
        if (creating) {
            bk_raise(b->err, INSUFFICIENT_PRIVILEGE, "permission denied to create \"%s.%s\"",
                     schema, rv->relname);
            bk_error_detail(b->err, "System catalog modifications are currently disallowed.");
            return BK_ERR;
        }
        bind_position(b, rv->location);
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED,
                        "system catalogs are not available yet (relation \"%s.%s\")", schema,
                        rv->relname);
    }
    bind_position(b, rv->location);
    if (creating) {
        return bk_raise(b->err, INVALID_SCHEMA_NAME, "schema \"%s\" does not exist", schema);
    }
    return bk_raise(b->err, UNDEFINED_TABLE, "relation \"%s.%s\" does not exist", schema,
                    rv->relname);
}

/* ---- CREATE TABLE ------------------------------------------------------------------------- */

static const char *truncate_name(binder *b, const char *name)
{
    size_t n = strlen(name);
    if (n <= NAME_MAX_BYTES) {
        return name;
    }
    /* Cut at a character boundary, as PostgreSQL's truncate_identifier. */
    n = NAME_MAX_BYTES;
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80) {
        n--;
    }
    return bk_arena_strndup(b->arena, name, n);
}

/* The column types a table can hold. */
static bool storable(bk_type_id id)
{
    switch (id) {
    case BK_TYPE_BOOL:
    case BK_TYPE_INT2:
    case BK_TYPE_INT4:
    case BK_TYPE_INT8:
    case BK_TYPE_FLOAT4:
    case BK_TYPE_FLOAT8:
    case BK_TYPE_NUMERIC:
    case BK_TYPE_TEXT:
    case BK_TYPE_DATE:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
    case BK_TYPE_INTERVAL:
        return true;
    default:
        return false;
    }
}

static bk_rc bind_column_def(binder *b,
                             const char *table,
                             const PgQuery__ColumnDef *cd,
                             bk_column_def *out,
                             const PgQuery__Constraint **gen)
{
    *gen = NULL;
    out->name = truncate_name(b, cd->colname);
    if (out->name == NULL) {
        return oom(b);
    }
    if (cd->type_name == NULL) {
        return unsupported_at(b, cd->location, "a column without a type");
    }
    if (bind_type_name(b, cd->type_name, &out->type) != BK_OK) {
        return BK_ERR;
    }
    if (!storable(out->type.id) || out->type.oid == BK_OID_BPCHAR || out->type.oid == BK_OID_NAME) {
        bind_position(b, cd->type_name->location);
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "columns of type %s are not supported yet",
                        bk_type_sql_name(out->type));
    }
    if (cd->coll_clause != NULL) {
        return unsupported_at(b, cd->coll_clause->location, "COLLATE on a column");
    }
    if (cd->raw_default != NULL || (cd->identity != NULL && cd->identity[0] != '\0')) {
        return unsupported_at(b, cd->location, "a column default");
    }
    out->not_null = cd->is_not_null;
    bool saw_null = false;
    for (size_t i = 0; i < cd->n_constraints; i++) {
        const PgQuery__Node *n = cd->constraints[i];
        if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) {
            return unsupported_at(b, cd->location, "this column constraint");
        }
        const PgQuery__Constraint *c = n->constraint;
        switch (c->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
        case PG_QUERY__CONSTR_TYPE__CONSTR_NULL: {
            bool nn = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL;
            if ((nn && saw_null) || (!nn && out->not_null)) {
                bind_position(b, c->location);
                return bk_raise(b->err, SYNTAX_ERROR,
                                "conflicting NULL/NOT NULL declarations for column \"%s\" of "
                                "table \"%s\"",
                                out->name, table);
            }
            out->not_null = out->not_null || nn;
            saw_null = saw_null || !nn;
            break;
        }
        case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED: {
            /* PostgreSQL 15 has only ALWAYS ... STORED (the grammar insists on both). */
            if (*gen != NULL) {
                bind_position(b, c->location);
                return bk_raise(b->err, SYNTAX_ERROR,
                                "multiple generation clauses specified for column \"%s\" of "
                                "table \"%s\"",
                                out->name, table);
            }
            int32_t start, end;
            if (c->raw_expr == NULL ||
                bk_sql_paren_span(b->sql, c->location, b->arena, &start, &end) != BK_OK) {
                return bk_raise(b->err, SYNTAX_ERROR, "invalid generation expression");
            }
            out->generated = bk_arena_strndup(b->arena, b->sql + start, (size_t)(end - start));
            if (out->generated == NULL) {
                return oom(b);
            }
            *gen = c;
            break;
        }
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
            return unsupported_at(b, c->location, "a column default");
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
            return unsupported_at(b, c->location, "PRIMARY KEY");
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
            return unsupported_at(b, c->location, "UNIQUE");
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
            return unsupported_at(b, c->location, "CHECK");
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
            return unsupported_at(b, c->location, "REFERENCES");
        default:
            return unsupported_at(b, c->location, "this column constraint");
        }
    }
    return BK_OK;
}

/* ---- generated columns ----------------------------------------------------------------- */

static bk_expr *assign_coerce(binder *b, bk_expr *e, const bk_column_def *col);

static bool is_volatile(const bk_expr *e)
{
    if (e->kind == EX_FUNC && (e->u.fn->flags & BK_FUNC_VOLATILE) != 0) {
        return true;
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        if (is_volatile(e->args[i])) {
            return true;
        }
    }
    return false;
}

/* The first reference to a generated column in e, or NULL. */
static const bk_expr *generated_ref(const bk_expr *e, const bk_column_def *cols)
{
    if (e->kind == EX_COL && cols[e->u.index].generated != NULL) {
        return e;
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        const bk_expr *r = generated_ref(e->args[i], cols);
        if (r != NULL) {
            return r;
        }
    }
    return NULL;
}

/*
 * Binds column `c`'s generation expression `node` over the table's columns (row i of the
 * input = table column i) and coerces it to the column's type, with PostgreSQL's checks:
 * no aggregates (42803), no generated columns (42P17), nothing volatile (42P17).
 */
static bk_expr *bind_generation(binder *b,
                                const char *table,
                                const bk_column_def *cols,
                                uint32_t n_cols,
                                uint32_t c,
                                PgQuery__Node *node)
{
    scope_col *sc = bk_arena_zalloc(b->arena, sizeof *sc * (n_cols == 0 ? 1 : n_cols));
    if (sc == NULL) {
        return bind_oom(b);
    }
    for (uint32_t i = 0; i < n_cols; i++) {
        sc[i] = (scope_col){.rel_alias = table, .name = cols[i].name, .type = cols[i].type};
    }
    bind_scope scope = {sc, n_cols};
    const bind_scope *saved = b->scope;
    b->scope = &scope;
    b->aggs_allowed = false;
    b->agg_context = "column generation expressions";
    bk_expr *e = bind_expr(b, node);
    b->scope = saved;
    if (e == NULL) {
        return NULL;
    }
    const bk_expr *ref = generated_ref(e, cols);
    if (ref != NULL) {
        bind_position(b, ref->location);
        bk_raise(b->err, INVALID_OBJECT_DEFINITION,
                 "cannot use generated column \"%s\" in column generation expression",
                 cols[ref->u.index].name);
        bk_error_detail(b->err, "A generated column cannot reference another generated column.");
        return NULL;
    }
    if (is_volatile(e)) {
        bk_raise(b->err, INVALID_OBJECT_DEFINITION, "generation expression is not immutable");
        return NULL;
    }
    return assign_coerce(b, e, &cols[c]);
}

/* Parses a stored generation expression ("quantity * unit_price") and binds it. */
static bk_expr *bind_stored_generation(binder *b, const bk_table *t, uint32_t c)
{
    const bk_column_def *def = bk_table_column(t, c);
    char *sql = bk_arena_sprintf(b->arena, "SELECT %s", def->generated);
    if (sql == NULL) {
        return bind_oom(b);
    }
    bk_parsed *p = bk_query_parse(sql, b->arena, b->err);
    if (p == NULL || p->tree->n_stmts != 1 ||
        p->tree->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT ||
        p->tree->stmts[0]->stmt->select_stmt->n_target_list != 1) {
        if (p != NULL) {
            bk_raise(b->err, DATA_CORRUPTED, "invalid generation expression of column \"%s\"",
                     def->name);
        }
        b->err->position = 0;
        return NULL;
    }
    uint32_t n = bk_table_column_count(t);
    bk_column_def *cols = bk_arena_alloc(b->arena, sizeof *cols * (n == 0 ? 1 : n));
    if (cols == NULL) {
        return bind_oom(b);
    }
    for (uint32_t i = 0; i < n; i++) {
        cols[i] = *bk_table_column(t, i);
    }
    /* Positions would point into the stored text, not the statement: drop them. */
    const char *saved_sql = b->sql;
    b->sql = sql;
    bk_expr *e =
        bind_generation(b, bk_table_name(t), cols, n, c,
                        p->tree->stmts[0]->stmt->select_stmt->target_list[0]->res_target->val);
    b->sql = saved_sql;
    if (e == NULL) {
        b->err->position = 0;
    }
    return e;
}

static bool has_generated(const bk_table *t)
{
    for (uint32_t c = 0; c < bk_table_column_count(t); c++) {
        if (bk_table_column(t, c)->generated != NULL) {
            return true;
        }
    }
    return false;
}

static bk_rc generated_always(binder *b, const bk_column_def *col)
{
    bk_raise(b->err, GENERATED_ALWAYS, "cannot insert a non-DEFAULT value into column \"%s\"",
             col->name);
    bk_error_detail(b->err, "Column \"%s\" is a generated column.", col->name);
    return BK_ERR;
}

/* Computes the generated columns of an INSERT plan's rows (the rest pass through). */
static bk_rc add_generated(binder *b, const bk_table *t, bk_stmt *st)
{
    uint32_t n = bk_table_column_count(t);
    bk_plan *p = bk_arena_zalloc(b->arena, sizeof *p);
    bk_expr **exprs = bk_arena_zalloc(b->arena, sizeof(bk_expr *) * (n == 0 ? 1 : n));
    if (p == NULL || exprs == NULL) {
        return oom(b);
    }
    *p = (bk_plan){
        .kind = PL_PROJECT, .n_out = n, .out_types = st->plan->out_types, .child = st->plan};
    for (uint32_t c = 0; c < n; c++) {
        if (bk_table_column(t, c)->generated != NULL) {
            exprs[c] = bind_stored_generation(b, t, c);
        } else {
            exprs[c] = bk_expr_new(b->arena, EX_COL, st->plan->out_types[c], -1);
            if (exprs[c] != NULL) {
                exprs[c]->u.index = c;
            } else {
                oom(b);
            }
        }
        if (exprs[c] == NULL) {
            return BK_ERR;
        }
    }
    p->u.project.exprs = exprs;
    st->plan = p;
    return BK_OK;
}

static bk_rc bind_create_table(binder *b, const PgQuery__CreateStmt *cs, bk_stmt *st)
{
    const PgQuery__RangeVar *rv = cs->relation;
    if (check_schema(b, rv, true) != BK_OK) {
        return BK_ERR;
    }
    if (rv->relpersistence != NULL && strcmp(rv->relpersistence, "p") != 0) {
        return unsupported_at(b, rv->location,
                              strcmp(rv->relpersistence, "t") == 0 ? "CREATE TEMPORARY TABLE"
                                                                   : "CREATE UNLOGGED TABLE");
    }
    if (cs->n_inh_relations > 0) {
        return unsupported_at(b, rv->location, "INHERITS");
    }
    if (cs->partspec != NULL || cs->partbound != NULL) {
        return unsupported_at(b, rv->location, "table partitioning");
    }
    if (cs->of_typename != NULL) {
        return unsupported_at(b, rv->location, "CREATE TABLE OF");
    }
    if (cs->n_options > 0) {
        return unsupported_at(b, rv->location, "WITH options of CREATE TABLE");
    }
    if (cs->tablespacename != NULL && cs->tablespacename[0] != '\0') {
        return unsupported_at(b, rv->location, "TABLESPACE");
    }
    if (cs->access_method != NULL && cs->access_method[0] != '\0') {
        return unsupported_at(b, rv->location, "USING an access method");
    }
    if (cs->n_constraints > 0) {
        const PgQuery__Node *n = cs->constraints[0];
        int32_t loc = n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT ? n->constraint->location
                                                                      : rv->location;
        return unsupported_at(b, loc, "table constraints");
    }
    const char *name = truncate_name(b, rv->relname);
    bk_column_def *cols =
        bk_arena_zalloc(b->arena, sizeof *cols * (cs->n_table_elts == 0 ? 1 : cs->n_table_elts));
    if (cols == NULL || name == NULL) {
        return oom(b);
    }
    const PgQuery__Constraint **gens =
        bk_arena_zalloc(b->arena, sizeof *gens * (cs->n_table_elts == 0 ? 1 : cs->n_table_elts));
    if (gens == NULL) {
        return oom(b);
    }
    uint32_t n = 0;
    for (size_t i = 0; i < cs->n_table_elts; i++) {
        const PgQuery__Node *e = cs->table_elts[i];
        if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            return unsupported_at(b, e->constraint->location, "table constraints");
        }
        if (e->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
            return unsupported_at(b, rv->location, "LIKE in CREATE TABLE");
        }
        if (bind_column_def(b, name, e->column_def, &cols[n], &gens[n]) != BK_OK) {
            return BK_ERR;
        }
        for (uint32_t k = 0; k < n; k++) {
            if (strcmp(cols[k].name, cols[n].name) == 0) {
                return bk_raise(b->err, DUPLICATE_COLUMN, "column \"%s\" specified more than once",
                                cols[n].name);
            }
        }
        n++;
    }
    for (uint32_t c = 0; c < n; c++) {
        if (gens[c] != NULL && bind_generation(b, name, cols, n, c, gens[c]->raw_expr) == NULL) {
            return BK_ERR;
        }
    }
    st->kind = ST_CREATE_TABLE;
    st->create.name = name;
    st->create.cols = cols;
    st->create.n_cols = n;
    st->create.if_not_exists = cs->if_not_exists;
    return BK_OK;
}

/* ---- INSERT: coercion in assignment context ------------------------------------------------ */

static bool is_int(bk_type_id t)
{
    return t == BK_TYPE_INT2 || t == BK_TYPE_INT4 || t == BK_TYPE_INT8;
}

static bool is_number(bk_type_id t)
{
    return is_int(t) || t == BK_TYPE_NUMERIC || t == BK_TYPE_FLOAT4 || t == BK_TYPE_FLOAT8;
}

/* Casts PostgreSQL applies on assignment that are not implicit (pg_cast castcontext 'a'). */
static bool assignment_cast(bk_type_id from, bk_type_id to)
{
    if (is_number(from) && is_number(to)) {
        return true; /* narrowing: int8 -> int4, numeric -> int, float -> numeric, ... */
    }
    if ((from == BK_TYPE_TIMESTAMP || from == BK_TYPE_TIMESTAMPTZ) &&
        (to == BK_TYPE_DATE || to == BK_TYPE_TIMESTAMP)) {
        return true;
    }
    /* Every type converts to text by its output function on assignment. */
    return to == BK_TYPE_TEXT && from != BK_TYPE_UNKNOWN;
}

/*
 * Coerces e to column `col`. Text columns are coerced without their length: the executor
 * checks varchar(n) on assignment (22001, where an explicit cast would truncate).
 */
static bk_expr *assign_coerce(binder *b, bk_expr *e, const bk_column_def *col)
{
    bk_type to = col->type;
    if (to.id == BK_TYPE_TEXT) {
        to.typmod = -1;
    }
    bool unknown = e->type.id == BK_TYPE_UNKNOWN;
    if (!unknown && e->type.id != to.id && bk_implicit_cast_cost(e->type.id, to.id) < 0 &&
        !assignment_cast(e->type.id, to.id)) {
        bind_position(b, e->location);
        bk_raise(b->err, DATATYPE_MISMATCH,
                 "column \"%s\" is of type %s but expression is of type %s", col->name,
                 bk_type_sql_name(col->type), bk_type_sql_name(e->type));
        bk_error_hint(b->err, "You will need to rewrite or cast the expression.");
        return NULL;
    }
    return bind_coerce(b, e, to, true);
}

/* ---- INSERT ------------------------------------------------------------------------------- */

static bk_plan *plan_alloc(binder *b, plan_kind kind, bk_plan *child, const bk_table *t)
{
    uint32_t n = bk_table_column_count(t);
    bk_plan *p = bk_arena_zalloc(b->arena, sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    p->kind = kind;
    p->child = child;
    p->n_out = n;
    p->out_types = bk_arena_zalloc(b->arena, sizeof(bk_type) * (n == 0 ? 1 : n));
    if (p->out_types == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        p->out_types[i] = bk_table_column(t, i)->type;
        if (p->out_types[i].id == BK_TYPE_TEXT) {
            p->out_types[i].typmod = -1; /* see assign_coerce */
        }
    }
    return p;
}

/* The target columns: the list given, or every column. targets[k] = table column. */
static bk_rc bind_targets(binder *b,
                          const PgQuery__InsertStmt *is,
                          bk_table *t,
                          uint32_t **targets,
                          uint32_t *n_targets)
{
    uint32_t n_cols = bk_table_column_count(t);
    uint32_t n = is->n_cols > 0 ? (uint32_t)is->n_cols : n_cols;
    uint32_t *tg = bk_arena_alloc(b->arena, sizeof(uint32_t) * (n == 0 ? 1 : n));
    uint8_t *seen = bk_arena_zalloc(b->arena, n_cols == 0 ? 1 : n_cols);
    if (tg == NULL || seen == NULL) {
        return oom(b);
    }
    for (uint32_t k = 0; k < n; k++) {
        if (is->n_cols == 0) {
            tg[k] = k;
            continue;
        }
        const PgQuery__Node *node = is->cols[k];
        if (node->node_case != PG_QUERY__NODE__NODE_RES_TARGET) {
            return bk_raise(b->err, SYNTAX_ERROR, "invalid INSERT target");
        }
        const PgQuery__ResTarget *rt = node->res_target;
        if (rt->n_indirection > 0) {
            return unsupported_at(b, rt->location, "assigning to a field or array element");
        }
        uint32_t c = 0;
        while (c < n_cols && strcmp(bk_table_column(t, c)->name, rt->name) != 0) {
            c++;
        }
        if (c == n_cols) {
            bind_position(b, rt->location);
            return bk_raise(b->err, UNDEFINED_COLUMN,
                            "column \"%s\" of relation \"%s\" does not exist", rt->name,
                            bk_table_name(t));
        }
        if (seen[c]) {
            bind_position(b, rt->location);
            return bk_raise(b->err, DUPLICATE_COLUMN, "column \"%s\" specified more than once",
                            rt->name);
        }
        seen[c] = 1;
        tg[k] = c;
    }
    *targets = tg;
    *n_targets = n;
    return BK_OK;
}

static int32_t target_location(const PgQuery__InsertStmt *is, uint32_t k)
{
    return k < is->n_cols && is->cols[k]->node_case == PG_QUERY__NODE__NODE_RES_TARGET
               ? is->cols[k]->res_target->location
               : -1;
}

static int32_t node_location(const PgQuery__Node *n)
{
    /* Only the node kinds whose position an INSERT error points at. */
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        return n->a_const->location;
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        return n->column_ref->location;
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        return n->func_call->location;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        /* The leftmost of the cast and its argument, as PostgreSQL's exprLocation. */
        int32_t arg = n->type_cast->arg != NULL ? node_location(n->type_cast->arg) : -1;
        return arg >= 0 && arg < n->type_cast->location ? arg : n->type_cast->location;
    }
    case PG_QUERY__NODE__NODE_A_EXPR:
        return n->a_expr->location;
    case PG_QUERY__NODE__NODE_PARAM_REF:
        return n->param_ref->location;
    case PG_QUERY__NODE__NODE_SET_TO_DEFAULT:
        return n->set_to_default->location;
    default:
        return -1;
    }
}

/* INSERT ... VALUES (...), (...): a PL_VALUES plan of every table column. */
static bk_rc bind_values(binder *b,
                         const PgQuery__InsertStmt *is,
                         const PgQuery__SelectStmt *vs,
                         bk_table *t,
                         const uint32_t *targets,
                         uint32_t n_targets,
                         bk_stmt *st)
{
    uint32_t n_cols = bk_table_column_count(t);
    uint32_t n_rows = (uint32_t)vs->n_values_lists;
    bk_plan *p = plan_alloc(b, PL_VALUES, NULL, t);
    bk_expr **cells =
        bk_arena_zalloc(b->arena, sizeof(bk_expr *) * n_rows * (n_cols == 0 ? 1 : n_cols));
    if (p == NULL || cells == NULL) {
        return oom(b);
    }
    bind_scope empty = {NULL, 0};
    b->scope = &empty;
    b->aggs_allowed = false;
    b->agg_context = "VALUES";
    size_t width = 0;
    for (uint32_t r = 0; r < n_rows; r++) {
        const PgQuery__Node *ln = vs->values_lists[r];
        if (ln->node_case != PG_QUERY__NODE__NODE_LIST) {
            return bk_raise(b->err, SYNTAX_ERROR, "invalid VALUES list");
        }
        const PgQuery__List *row = ln->list;
        if (r == 0) {
            width = row->n_items;
        } else if (row->n_items != width) {
            bind_position(b, row->n_items > 0 ? node_location(row->items[0]) : -1);
            return bk_raise(b->err, SYNTAX_ERROR, "VALUES lists must all be the same length");
        }
        if (row->n_items > n_targets) {
            bind_position(b, node_location(row->items[n_targets]));
            return bk_raise(b->err, SYNTAX_ERROR,
                            "INSERT has more expressions than target columns");
        }
        if (row->n_items < n_targets && is->n_cols > 0) {
            bind_position(b, target_location(is, (uint32_t)row->n_items));
            return bk_raise(b->err, SYNTAX_ERROR,
                            "INSERT has more target columns than expressions");
        }
        bk_expr **out = cells + (size_t)r * n_cols;
        for (uint32_t k = 0; k < row->n_items; k++) {
            uint32_t c = targets[k];
            const bk_column_def *col = bk_table_column(t, c);
            PgQuery__Node *item = row->items[k];
            if (item->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT) {
                continue; /* no defaults yet: NULL, filled below (or generated) */
            }
            if (col->generated != NULL) {
                return generated_always(b, col);
            }
            bk_expr *e = bind_expr(b, item);
            if (e == NULL || (e = assign_coerce(b, e, col)) == NULL) {
                return BK_ERR;
            }
            out[c] = e;
        }
        for (uint32_t c = 0; c < n_cols; c++) {
            if (out[c] == NULL) {
                out[c] = bk_expr_const_null(b->arena, p->out_types[c], -1);
                if (out[c] == NULL) {
                    return oom(b);
                }
            }
        }
    }
    p->u.values.cells = cells;
    p->u.values.n_rows = n_rows;
    st->plan = p;
    return BK_OK;
}

/* INSERT ... SELECT: the query's plan under a projection onto every table column. */
static bk_rc bind_insert_select(binder *b,
                                const PgQuery__InsertStmt *is,
                                const PgQuery__SelectStmt *ss,
                                bk_table *t,
                                const uint32_t *targets,
                                uint32_t n_targets,
                                bk_stmt *st)
{
    bk_stmt sub;
    memset(&sub, 0, sizeof sub);
    if (bind_select_stmt(b, ss, &sub) != BK_OK) {
        return BK_ERR;
    }
    uint32_t n_src = sub.plan->n_out;
    if (n_src > n_targets) {
        bk_raise(b->err, SYNTAX_ERROR, "INSERT has more expressions than target columns");
        if (n_targets < ss->n_target_list &&
            ss->target_list[n_targets]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
            bind_position(b, ss->target_list[n_targets]->res_target->location);
        }
        return BK_ERR;
    }
    if (n_src < n_targets && is->n_cols > 0) {
        bind_position(b, target_location(is, n_src));
        return bk_raise(b->err, SYNTAX_ERROR, "INSERT has more target columns than expressions");
    }
    uint32_t n_cols = bk_table_column_count(t);
    bk_plan *p = plan_alloc(b, PL_PROJECT, sub.plan, t);
    bk_expr **exprs = bk_arena_zalloc(b->arena, sizeof(bk_expr *) * (n_cols == 0 ? 1 : n_cols));
    if (p == NULL || exprs == NULL) {
        return oom(b);
    }
    /* Output k is select-list item k unless a '*' expanded to a different count. */
    bool aligned = ss->n_target_list == n_src;
    for (uint32_t k = 0; k < n_src; k++) {
        uint32_t c = targets[k];
        if (bk_table_column(t, c)->generated != NULL) {
            return generated_always(b, bk_table_column(t, c));
        }
        bk_expr *e = bk_expr_new(b->arena, EX_COL, sub.plan->out_types[k], -1);
        if (e == NULL) {
            return oom(b);
        }
        e->u.index = k;
        PgQuery__Node *val = NULL;
        if (aligned && ss->target_list[k]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
            e->location = ss->target_list[k]->res_target->location;
            val = ss->target_list[k]->res_target->val;
            if (val != NULL && node_location(val) >= 0) {
                e->location = node_location(val);
            }
        }
        /* A bare literal ('7', NULL) takes the column's type, as PostgreSQL leaves it
         * unknown in an INSERT's query; being constant, it replaces the column. */
        if (val != NULL && val->node_case == PG_QUERY__NODE__NODE_A_CONST &&
            (val->a_const->isnull || val->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL) &&
            ss->n_group_clause == 0 && ss->n_distinct_clause == 0 && ss->having_clause == NULL) {
            bind_scope empty = {NULL, 0};
            b->scope = &empty;
            if ((e = bind_expr(b, val)) == NULL) {
                return BK_ERR;
            }
        }
        if ((exprs[c] = assign_coerce(b, e, bk_table_column(t, c))) == NULL) {
            return BK_ERR;
        }
    }
    for (uint32_t c = 0; c < n_cols; c++) {
        if (exprs[c] == NULL &&
            (exprs[c] = bk_expr_const_null(b->arena, p->out_types[c], -1)) == NULL) {
            return oom(b);
        }
    }
    p->u.project.exprs = exprs;
    st->plan = p;
    return BK_OK;
}

static bk_rc bind_insert(binder *b, const PgQuery__InsertStmt *is, bk_stmt *st)
{
    if (is->with_clause != NULL) {
        return unsupported_at(b, is->with_clause->location, "WITH in INSERT");
    }
    if (is->on_conflict_clause != NULL) {
        return unsupported_at(b, is->on_conflict_clause->location, "ON CONFLICT");
    }
    if (is->n_returning_list > 0) {
        return unsupported_at(b, node_location(is->returning_list[0]), "RETURNING");
    }
    if (is->override != PG_QUERY__OVERRIDING_KIND__OVERRIDING_NOT_SET &&
        is->override != PG_QUERY__OVERRIDING_KIND__OVERRIDING_KIND_UNDEFINED) {
        return unsupported_at(b, is->relation->location, "OVERRIDING");
    }
    const PgQuery__RangeVar *rv = is->relation;
    if (check_schema(b, rv, false) != BK_OK) {
        return BK_ERR;
    }
    bk_table *t = bk_db_find_table(b->session->engine->db, bk_str_from_cstr(rv->relname));
    if (t == NULL) {
        bind_position(b, rv->location);
        return bk_raise(b->err, UNDEFINED_TABLE, "relation \"%s\" does not exist", rv->relname);
    }
    uint32_t *targets, n_targets;
    if (bind_targets(b, is, t, &targets, &n_targets) != BK_OK) {
        return BK_ERR;
    }
    st->kind = ST_INSERT;
    st->insert.table = t;
    if (is->select_stmt == NULL) {
        /* INSERT ... DEFAULT VALUES: every column NULL (no defaults yet). */
        bk_plan *p = plan_alloc(b, PL_VALUES, NULL, t);
        uint32_t n_cols = bk_table_column_count(t);
        bk_expr **cells = bk_arena_zalloc(b->arena, sizeof(bk_expr *) * (n_cols == 0 ? 1 : n_cols));
        if (p == NULL || cells == NULL) {
            return oom(b);
        }
        for (uint32_t c = 0; c < n_cols; c++) {
            if ((cells[c] = bk_expr_const_null(b->arena, p->out_types[c], -1)) == NULL) {
                return oom(b);
            }
        }
        p->u.values.cells = cells;
        p->u.values.n_rows = 1;
        st->plan = p;
        return has_generated(t) ? add_generated(b, t, st) : BK_OK;
    }
    if (is->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) {
        return bk_raise(b->err, SYNTAX_ERROR, "invalid INSERT source");
    }
    const PgQuery__SelectStmt *ss = is->select_stmt->select_stmt;
    bool plain_values = ss->n_values_lists > 0 && ss->n_sort_clause == 0 &&
                        ss->limit_count == NULL && ss->limit_offset == NULL &&
                        ss->with_clause == NULL;
    bk_rc rc = plain_values ? bind_values(b, is, ss, t, targets, n_targets, st)
                            : bind_insert_select(b, is, ss, t, targets, n_targets, st);
    if (rc != BK_OK) {
        return BK_ERR;
    }
    return has_generated(t) ? add_generated(b, t, st) : BK_OK;
}

bk_rc bind_dml_statement(binder *b, const PgQuery__Node *n, bk_stmt *st)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        return bind_create_table(b, n->create_stmt, st);
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        return bind_insert(b, n->insert_stmt, st);
    default:
        return bk_raise(b->err, INTERNAL_ERROR, "not a data-changing statement");
    }
}
