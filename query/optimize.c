/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plan rewrites. Predicate pushdown: the conjuncts of a WHERE filter sitting on a table scan
 * that compare a column with a constant move into the scan, where storage evaluates them on
 * the encoded chunks with SIMD kernels (text ones once per distinct value) and skips whole
 * segments whose zone maps rule them out. Whatever cannot move stays in the filter, which
 * disappears when nothing is left.
 *
 * The rewrite preserves results exactly: a pushed conjunct is a pure comparison (it cannot
 * raise an error), AND commutes, and storage implements the same comparison semantics as
 * the functions it replaces (byte order for text, PostgreSQL's float order, exact numerics).
 */
#include <string.h>

#include "query_int.h"

typedef struct conj_list {
    bk_expr **items;
    uint32_t n;
    uint32_t cap;
} conj_list;

static bk_rc conj_add(conj_list *l, bk_expr *e, bk_arena *a)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap == 0 ? 8 : l->cap * 2;
        bk_expr **n =
            bk_arena_realloc(a, l->items, sizeof(bk_expr *) * l->cap, sizeof(bk_expr *) * cap);
        if (n == NULL) {
            return BK_ERR;
        }
        l->items = n;
        l->cap = cap;
    }
    l->items[l->n++] = e;
    return BK_OK;
}

/* Flattens nested ANDs into a list of conjuncts. */
static bk_rc split_and(bk_expr *e, conj_list *out, bk_arena *a)
{
    if (e->kind == EX_AND) {
        for (uint32_t i = 0; i < e->n_args; i++) {
            if (split_and(e->args[i], out, a) != BK_OK) {
                return BK_ERR;
            }
        }
        return BK_OK;
    }
    return conj_add(out, e, a);
}

/* The constant's value as storage expects it for a column of type `id`. */
static bool const_value(const bk_expr *c, bk_type_id id, bk_value *out)
{
    if (c->kind != EX_CONST || c->type.id != id || bk_vec_is_null(&c->u.cnst, 0)) {
        return false;
    }
    const bk_vec *v = &c->u.cnst;
    memset(out, 0, sizeof *out);
    switch (id) {
    case BK_TYPE_BOOL:
        out->u.b = ((const uint8_t *)v->data)[0];
        return true;
    case BK_TYPE_INT2:
        out->u.i = ((const int16_t *)v->data)[0];
        return true;
    case BK_TYPE_INT4:
    case BK_TYPE_DATE:
        out->u.i = ((const int32_t *)v->data)[0];
        return true;
    case BK_TYPE_OID:
        out->u.i = ((const uint32_t *)v->data)[0];
        return true;
    case BK_TYPE_INT8:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
        out->u.i = ((const int64_t *)v->data)[0];
        return true;
    case BK_TYPE_FLOAT8:
        out->u.d = ((const double *)v->data)[0];
        return true;
    case BK_TYPE_NUMERIC:
        out->u.n.v = ((const bk_i128 *)v->data)[0];
        out->u.n.scale = v->scale[0];
        return true;
    case BK_TYPE_TEXT:
        out->u.s = ((const bk_str *)v->data)[0];
        return true;
    default:
        return false;
    }
}

/* A scan column of a type storage can filter on. */
static bool pushable_col(const bk_expr *e, const bk_plan *scan)
{
    return e->kind == EX_COL && e->u.index < scan->n_out &&
           bk_pred_supported(scan->out_types[e->u.index].id);
}

static bool is_op(const bk_expr *e, const char *name)
{
    return e->kind == EX_FUNC && e->n_args == 2 && strcmp(e->u.fn->name, name) == 0;
}

/* column <op> constant, either way round; `flip` tells the constant was on the left. */
static bool col_const(const bk_expr *e,
                      const bk_plan *scan,
                      const bk_expr **col,
                      const bk_expr **cnst,
                      bool *flip)
{
    if (e->kind != EX_FUNC || e->n_args != 2) {
        return false;
    }
    if (pushable_col(e->args[0], scan) && e->args[1]->kind == EX_CONST) {
        *col = e->args[0];
        *cnst = e->args[1];
        *flip = false;
        return true;
    }
    if (pushable_col(e->args[1], scan) && e->args[0]->kind == EX_CONST) {
        *col = e->args[1];
        *cnst = e->args[0];
        *flip = true;
        return true;
    }
    return false;
}

static bool comparison_pred(const bk_expr *e, const bk_plan *scan, bk_pred *p)
{
    static const struct {
        const char *op, *flipped;
    } ops[] = {
        { "=",  "="},
        {"<>", "<>"},
        {"!=", "!="},
        { "<",  ">"},
        {"<=", ">="},
        { ">",  "<"},
        {">=", "<="}
    };

    const bk_expr *col, *cnst;
    bool flip;
    if (!col_const(e, scan, &col, &cnst, &flip)) {
        return false;
    }
    const char *name = NULL;
    for (size_t i = 0; i < BK_ARRAY_LEN(ops); i++) {
        if (strcmp(e->u.fn->name, ops[i].op) == 0) {
            name = flip ? ops[i].flipped : ops[i].op;
            break;
        }
    }
    bk_type_id id = scan->out_types[col->u.index].id;
    bk_value v;
    if (name == NULL || !const_value(cnst, id, &v)) {
        return false;
    }
    memset(p, 0, sizeof *p);
    p->col = col->u.index;
    p->op = BK_PRED_RANGE;
    if (strcmp(name, "=") == 0 || strcmp(name, "<>") == 0 || strcmp(name, "!=") == 0) {
        p->has_lo = p->has_hi = p->lo_incl = p->hi_incl = true;
        p->lo = p->hi = v;
        p->negate = name[0] != '=';
    } else if (name[0] == '<') {
        p->has_hi = true;
        p->hi_incl = name[1] == '=';
        p->hi = v;
    } else {
        p->has_lo = true;
        p->lo_incl = name[1] == '=';
        p->lo = v;
    }
    return true;
}

/* col = c1 OR col = c2 OR ... (how IN lists are bound) -> IN. */
static bool in_list_pred(const bk_expr *e, const bk_plan *scan, bk_pred *p, bk_arena *a)
{
    if (e->kind != EX_OR || e->n_args < 2) {
        return false;
    }
    bk_value *list = bk_arena_alloc(a, sizeof(bk_value) * e->n_args);
    if (list == NULL) {
        return false;
    }
    uint32_t col_index = UINT32_MAX;
    for (uint32_t i = 0; i < e->n_args; i++) {
        const bk_expr *col, *cnst;
        bool flip;
        if (!is_op(e->args[i], "=") || !col_const(e->args[i], scan, &col, &cnst, &flip)) {
            return false;
        }
        if (col_index != UINT32_MAX && col->u.index != col_index) {
            return false;
        }
        col_index = col->u.index;
        if (!const_value(cnst, scan->out_types[col_index].id, &list[i])) {
            return false;
        }
    }
    memset(p, 0, sizeof *p);
    p->col = col_index;
    p->op = BK_PRED_IN;
    p->list = list;
    p->n_list = e->n_args;
    return true;
}

static bool null_test_pred(const bk_expr *e, const bk_plan *scan, bk_pred *p)
{
    if ((e->kind != EX_IS_NULL && e->kind != EX_IS_NOT_NULL) || !pushable_col(e->args[0], scan)) {
        return false;
    }
    memset(p, 0, sizeof *p);
    p->col = e->args[0]->u.index;
    p->op = e->kind == EX_IS_NULL ? BK_PRED_IS_NULL : BK_PRED_NOT_NULL;
    return true;
}

/* text LIKE 'prefix%' (no other wildcard or escape) -> PREFIX; NOT LIKE -> negated. */
static bool like_prefix_pred(const bk_expr *e, const bk_plan *scan, bk_pred *p)
{
    bool negate = is_op(e, "!~~");
    if (!is_op(e, "~~") && !negate) {
        return false;
    }
    if (!pushable_col(e->args[0], scan) || e->args[1]->kind != EX_CONST) {
        return false;
    }
    bk_value pat;
    if (!const_value(e->args[1], BK_TYPE_TEXT, &pat) ||
        scan->out_types[e->args[0]->u.index].id != BK_TYPE_TEXT) {
        return false;
    }
    bk_str s = pat.u.s;
    if (s.len == 0 || s.ptr[s.len - 1] != '%') {
        return false;
    }
    for (size_t i = 0; i + 1 < s.len; i++) {
        if (s.ptr[i] == '%' || s.ptr[i] == '_' || s.ptr[i] == '\\') {
            return false;
        }
    }
    memset(p, 0, sizeof *p);
    p->col = e->args[0]->u.index;
    p->op = BK_PRED_PREFIX;
    p->negate = negate;
    p->lo.u.s = (bk_str){s.ptr, s.len - 1};
    return true;
}

static bool to_pred(const bk_expr *e, const bk_plan *scan, bk_pred *p, bk_arena *a)
{
    return comparison_pred(e, scan, p) || in_list_pred(e, scan, p, a) ||
           null_test_pred(e, scan, p) || like_prefix_pred(e, scan, p);
}

/* Moves what it can of filter f's predicate into the scan below; returns the new node. */
static bk_plan *push_into_scan(bk_plan *f, bk_arena *a, bk_error *err)
{
    bk_plan *scan = f->child;
    conj_list conj = {0};
    if (split_and(f->u.filter.pred, &conj, a) != BK_OK) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    bk_pred *preds = bk_arena_alloc(a, sizeof(bk_pred) * (conj.n + scan->u.scan.n_preds));
    bk_expr **rest = bk_arena_alloc(a, sizeof(bk_expr *) * (conj.n + 1));
    if (preds == NULL || rest == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    uint32_t n_preds = scan->u.scan.n_preds, n_rest = 0;
    if (n_preds > 0) {
        memcpy(preds, scan->u.scan.preds, sizeof(bk_pred) * n_preds);
    }
    for (uint32_t i = 0; i < conj.n; i++) {
        if (to_pred(conj.items[i], scan, &preds[n_preds], a)) {
            n_preds++;
        } else {
            rest[n_rest++] = conj.items[i];
        }
    }
    scan->u.scan.preds = preds;
    scan->u.scan.n_preds = n_preds;
    if (n_rest == 0) {
        return scan;
    }
    if (n_rest == 1) {
        f->u.filter.pred = rest[0];
    } else {
        bk_expr *and = bk_expr_new(a, EX_AND, bk_type_of(BK_TYPE_BOOL), -1);
        if (and == NULL) {
            bk_raise(err, OUT_OF_MEMORY, "out of memory");
            return NULL;
        }
        and->args = rest;
        and->n_args = n_rest;
        f->u.filter.pred = and;
    }
    return f;
}

bk_plan *bk_optimize(bk_session *s, bk_plan *plan, bk_arena *a, bk_error *err)
{
    if (plan == NULL) {
        return NULL;
    }
    if (plan->child != NULL) {
        plan->child = bk_optimize(s, plan->child, a, err);
        if (plan->child == NULL) {
            return NULL;
        }
    }
    if (s->opt_pushdown && plan->kind == PL_FILTER && plan->child->kind == PL_SCAN) {
        return push_into_scan(plan, a, err);
    }
    return plan;
}
