/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Types in binding: implicit-cast costs, coercion of expressions (unknown literals parsed at
 * bind time, $n parameters typed by their first use, constants folded), and type names.
 */
#include <stdio.h>
#include <string.h>

#include "bind_int.h"

/* ---- casts ---------------------------------------------------------------------------------- */

int bk_implicit_cast_cost(bk_type_id from, bk_type_id to)
{
    if (from == to) {
        return 0;
    }
    static const bk_type_id ladder[] = {BK_TYPE_INT2,    BK_TYPE_INT4,   BK_TYPE_INT8,
                                        BK_TYPE_NUMERIC, BK_TYPE_FLOAT4, BK_TYPE_FLOAT8};
    int fi = -1, ti = -1;
    for (int i = 0; i < (int)BK_ARRAY_LEN(ladder); i++) {
        if (ladder[i] == from) {
            fi = i;
        }
        if (ladder[i] == to) {
            ti = i;
        }
    }
    if (fi >= 0 && ti > fi) {
        return ti - fi;
    }
    if (from == BK_TYPE_DATE && to == BK_TYPE_TIMESTAMP) {
        return 1;
    }
    if (from == BK_TYPE_DATE && to == BK_TYPE_TIMESTAMPTZ) {
        return 2;
    }
    if (from == BK_TYPE_TIMESTAMP && to == BK_TYPE_TIMESTAMPTZ) {
        return 1;
    }
    if ((from == BK_TYPE_INT2 || from == BK_TYPE_INT4 || from == BK_TYPE_INT8) &&
        to == BK_TYPE_OID) {
        return 3;
    }
    return -1;
}

/* Parses the text of an unknown literal as `to`, at bind time. */
static bk_expr *literal_as(binder *b, const bk_expr *lit, bk_type to)
{
    bk_expr *e = bind_const_new(b->arena, to, lit->location);
    if (e == NULL) {
        return bind_oom(b);
    }
    if (bk_vec_is_null(&lit->u.cnst, 0)) {
        bk_validity_set(e->u.cnst.validity, 0, false);
        return e;
    }
    bk_vec out;
    if (bk_cast_vec(&b->ectx, &lit->u.cnst, 1, to, &out, b->err) != BK_OK) {
        bind_position(b, lit->location);
        return NULL;
    }
    e->u.cnst = out;
    if (e->u.cnst.validity == NULL && bk_vec_make_nullable(&e->u.cnst, 1, b->arena) != BK_OK) {
        return bind_oom(b);
    }
    return e;
}

bk_expr *bk_expr_fold(bk_expr *e, bk_eval_ctx *ctx, const char *sql, bk_error *err)
{
    bk_vec out;
    /* Evaluation errors carry no cursor position, as in PostgreSQL's constant folding. */
    (void)sql;
    if (bk_expr_eval(ctx, e, NULL, 1, &out, err) != BK_OK) {
        return NULL;
    }
    bk_expr *c = bk_expr_new(ctx->arena, EX_CONST, e->type, e->location);
    if (c == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    /* Keep the value: copy it into the statement's arena (evaluation used the same arena). */
    if (bk_vec_copy(&out, 1, &c->u.cnst, ctx->arena) != BK_OK ||
        bk_vec_make_nullable(&c->u.cnst, 1, ctx->arena) != BK_OK) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    return c;
}

void bind_param_infer(binder *b, bk_expr *e, bk_type t)
{
    if (e->kind == EX_PARAM && e->u.index < b->n_params &&
        b->params[e->u.index].id == BK_TYPE_UNKNOWN) {
        b->params[e->u.index] = t;
        e->type = t;
    }
}

bk_expr *bk_expr_coerce(bk_expr *e,
                        bk_type to,
                        bool explicit_cast,
                        bk_eval_ctx *ctx,
                        const char *sql,
                        bk_error *err)
{
    if (e->type.id == to.id && (to.typmod == -1 || to.typmod == e->type.typmod)) {
        if (e->type.oid != to.oid) {
            bk_expr *r = bk_arena_memdup(ctx->arena, e, sizeof *e);
            if (r == NULL) {
                bk_raise(err, OUT_OF_MEMORY, "out of memory");
                return NULL;
            }
            r->type = to;
            if (r->kind == EX_CONST) {
                r->u.cnst.type = to;
            }
            return r;
        }
        return e;
    }
    if (!explicit_cast && e->type.id != BK_TYPE_UNKNOWN &&
        bk_implicit_cast_cost(e->type.id, to.id) < 0 && e->type.id != to.id) {
        bk_raise(err, DATATYPE_MISMATCH, "cannot cast type %s to %s implicitly",
                 bk_type_sql_name(e->type), bk_type_sql_name(to));
        return NULL;
    }
    if (!bk_cast_exists(e->type.id, to.id)) {
        bk_raise(err, CANNOT_COERCE, "cannot cast type %s to %s", bk_type_sql_name(e->type),
                 bk_type_sql_name(to));
        if (e->location >= 0) {
            bk_error_set_position(err, bk_sql_position(sql, e->location));
        }
        return NULL;
    }
    bk_expr *c = bk_expr_new(ctx->arena, EX_CAST, to, e->location);
    bk_expr **args = bk_arena_alloc(ctx->arena, sizeof(bk_expr *));
    if (c == NULL || args == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    args[0] = e;
    c->args = args;
    c->n_args = 1;
    if (e->kind == EX_CONST) {
        return bk_expr_fold(c, ctx, sql, err);
    }
    return c;
}

/* Coerces with the binder's conventions: unknown literals parsed, $n typed. */
bk_expr *bind_coerce(binder *b, bk_expr *e, bk_type to, bool explicit_cast)
{
    if (e->kind == EX_PARAM && e->type.id == BK_TYPE_UNKNOWN) {
        bind_param_infer(b, e, to);
        return e;
    }
    if (e->kind == EX_CONST && e->type.id == BK_TYPE_UNKNOWN) {
        return literal_as(b, e, to);
    }
    return bk_expr_coerce(e, to, explicit_cast, &b->ectx, b->sql, b->err);
}

bk_expr *bind_resolve_unknown(binder *b, bk_expr *e)
{
    if (e->type.id == BK_TYPE_UNKNOWN) {
        return bind_coerce(b, e, bk_type_of(BK_TYPE_TEXT), false);
    }
    return e;
}

/* ---- type names ----------------------------------------------------------------------------- */

const char *bind_str_node(const PgQuery__Node *n)
{
    return n != NULL && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

bk_rc bind_type_name(binder *b, const PgQuery__TypeName *tn, bk_type *out)
{
    if (tn->n_array_bounds > 0) {
        bind_position(b, tn->location);
        return bk_raise(b->err, FEATURE_NOT_SUPPORTED, "array types are not supported");
    }
    const char *name = tn->n_names > 0 ? bind_str_node(tn->names[tn->n_names - 1]) : NULL;
    if (name == NULL) {
        return bk_raise(b->err, SYNTAX_ERROR, "invalid type name");
    }

    static const struct {
        const char *name;
        uint32_t oid;
    } names[] = {
        {       "int4",        BK_OID_INT4},
        {    "integer",        BK_OID_INT4},
        {        "int",        BK_OID_INT4},
        {       "int2",        BK_OID_INT2},
        {   "smallint",        BK_OID_INT2},
        {       "int8",        BK_OID_INT8},
        {     "bigint",        BK_OID_INT8},
        {     "float8",      BK_OID_FLOAT8},
        {     "float4",      BK_OID_FLOAT4},
        {       "real",      BK_OID_FLOAT4},
        {    "numeric",     BK_OID_NUMERIC},
        {    "decimal",     BK_OID_NUMERIC},
        {       "text",        BK_OID_TEXT},
        {    "varchar",     BK_OID_VARCHAR},
        {     "bpchar",      BK_OID_BPCHAR},
        {       "char",      BK_OID_BPCHAR},
        {       "name",        BK_OID_NAME},
        {       "bool",        BK_OID_BOOL},
        {    "boolean",        BK_OID_BOOL},
        {       "date",        BK_OID_DATE},
        {  "timestamp",   BK_OID_TIMESTAMP},
        {"timestamptz", BK_OID_TIMESTAMPTZ},
        {   "interval",    BK_OID_INTERVAL},
        {        "oid",         BK_OID_OID},
        {   "regclass",    BK_OID_REGCLASS},
        {    "regtype",     BK_OID_REGTYPE},
        {    "regproc",     BK_OID_REGPROC},
    };

    uint32_t oid = 0;
    for (size_t i = 0; i < BK_ARRAY_LEN(names); i++) {
        if (strcmp(name, names[i].name) == 0) {
            oid = names[i].oid;
            break;
        }
    }
    /* "char" in quotes (the one-byte type) arrives as pg_catalog."char" too; treat as bpchar. */
    if (oid == 0) {
        bind_position(b, tn->location);
        return bk_raise(b->err, UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
    }
    if (!bk_type_from_oid(oid, out)) {
        return bk_raise(b->err, INTERNAL_ERROR, "type %u not registered", oid);
    }
    /* Type modifiers: numeric(p[,s]), varchar(n), char(n), timestamp(p). */
    int32_t mods[2];
    size_t n_mods = 0;
    for (size_t i = 0; i < tn->n_typmods && i < 2; i++) {
        const PgQuery__Node *m = tn->typmods[i];
        if (m->node_case == PG_QUERY__NODE__NODE_A_CONST &&
            m->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
            mods[n_mods++] = m->a_const->ival->ival;
        } else {
            bind_position(b, tn->location);
            return bk_raise(b->err, SYNTAX_ERROR, "type modifiers must be simple constants");
        }
    }
    if (oid == BK_OID_NUMERIC && n_mods > 0) {
        int32_t p = mods[0], s = n_mods > 1 ? mods[1] : 0;
        if (p < 1 || p > 1000) {
            bind_position(b, tn->location);
            return bk_raise(b->err, INVALID_PARAMETER_VALUE,
                            "NUMERIC precision %d must be between 1 and 1000", p);
        }
        if (s < 0 || s > p) {
            bind_position(b, tn->location);
            return bk_raise(b->err, INVALID_PARAMETER_VALUE,
                            "NUMERIC scale %d must be between 0 and precision %d", s, p);
        }
        out->typmod = ((p << 16) | s) + 4;
    } else if ((oid == BK_OID_VARCHAR || oid == BK_OID_BPCHAR) && n_mods > 0) {
        if (mods[0] < 1) {
            bind_position(b, tn->location);
            return bk_raise(b->err, INVALID_PARAMETER_VALUE,
                            "length for type %s must be at least 1",
                            oid == BK_OID_VARCHAR ? "varchar" : "char");
        }
        out->typmod = mods[0] + 4;
    } else if (oid == BK_OID_BPCHAR && strcmp(name, "bpchar") != 0) {
        out->typmod = 1 + 4; /* char without length is char(1) */
    }
    return BK_OK;
}
