/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The query module's public face: engine and session lifetimes, statement preparation
 * (bind + plan) and execution (operator trees pulling batches from a pinned snapshot).
 *
 * Every execution gets its own arena, a child of the caller's, with the per-query memory
 * limit: an allocation beyond it fails that query alone with 53200. The snapshot an
 * execution reads is released by a cleanup on that arena, so no error path can leak it.
 */
#include <stdio.h>
#include <string.h>

#include "query_int.h"

bk_engine *bk_engine_create(bk_db *db, const bk_engine_options *opt, bk_error *err)
{
    bk_engine *e = bk_mem_calloc(1, sizeof *e);
    if (e == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    e->db = db;
    snprintf(e->server_version, sizeof e->server_version, "%s",
             opt != NULL && opt->server_version != NULL ? opt->server_version : "15.18");
    e->query_memory_limit =
        opt != NULL && opt->query_memory_limit != 0 ? opt->query_memory_limit : (size_t)1 << 30;
    size_t n;
    (void)bk_func_table(&n); /* build the registry before threads race to */
    return e;
}

void bk_engine_destroy(bk_engine *e)
{
    bk_mem_free(e);
}

bk_db *bk_engine_db(bk_engine *e)
{
    return e->db;
}

bk_session *bk_session_create(bk_engine *e,
                              bk_arena *arena,
                              const char *user,
                              const char *database,
                              bk_error *err)
{
    bk_session *s = bk_arena_zalloc(arena, sizeof *s);
    if (s == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    s->engine = e;
    s->arena = arena;
    snprintf(s->user, sizeof s->user, "%s", user);
    snprintf(s->database, sizeof s->database, "%s", database);
    s->id = atomic_fetch_add(&e->next_session_id, 1) + 1;
    s->tx = BK_TX_IDLE;
    atomic_init(&s->cancel_requested, false);
    if (bk_settings_init(s, err) != BK_OK) {
        return NULL;
    }
    return s;
}

void bk_session_destroy(bk_session *s)
{
    (void)s; /* arena-owned */
}

bk_tx_status bk_session_tx_status(const bk_session *s)
{
    return s->tx;
}

void bk_session_on_error(bk_session *s)
{
    if (s->tx == BK_TX_IN_BLOCK) {
        s->tx = BK_TX_FAILED;
    }
}

void bk_session_cancel(bk_session *s)
{
    atomic_store(&s->cancel_requested, true);
}

/* ---- statements ------------------------------------------------------------------------------ */

bk_stmt *bk_stmt_prepare(bk_session *s,
                         const bk_parsed *p,
                         uint32_t index,
                         const uint32_t *param_types,
                         uint32_t n_params,
                         bk_arena *arena,
                         bk_error *err)
{
    if (index >= bk_parsed_count(p)) {
        bk_raise(err, INTERNAL_ERROR, "statement index out of range");
        return NULL;
    }
    bk_stmt *st = bk_arena_zalloc(arena, sizeof *st);
    if (st == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    if (bk_bind_statement(s, p, index, param_types, n_params, st, arena, err) != BK_OK) {
        return NULL;
    }
    if (st->kind == ST_SELECT) {
        st->plan = bk_optimize(s, st->plan, arena, err);
        if (st->plan == NULL) {
            return NULL;
        }
    }
    return st;
}

const bk_result_desc *bk_stmt_result(const bk_stmt *st)
{
    return &st->result;
}

bool bk_stmt_returns_rows(const bk_stmt *st)
{
    return st->result.n_cols > 0 || st->kind == ST_SELECT;
}

uint32_t bk_stmt_param_count(const bk_stmt *st)
{
    return st->n_params;
}

bk_type bk_stmt_param_type(const bk_stmt *st, uint32_t i)
{
    return st->param_types[i];
}

/* ---- execution ---------------------------------------------------------------------------------
 */

struct bk_exec {
    bk_session *session;
    bk_stmt *stmt;
    bk_arena *arena;
    bk_exec_ctx ctx;
    bk_snap *snap;
    bk_cleanup snap_cleanup;
    bk_op *root;
    uint64_t rows;
    bool done;
    bool utility_done;
    char tag[64];
};

static void release_snapshot(void *arg)
{
    bk_exec *ex = arg;
    bk_snap_release(ex->snap);
    ex->snap = NULL;
}

static bk_rc bind_params(bk_exec *ex, const bk_param *params, bk_error *err)
{
    bk_stmt *st = ex->stmt;
    if (st->n_params == 0) {
        return BK_OK;
    }
    if (params == NULL) {
        return bk_raise(err, UNDEFINED_PARAMETER, "there is no parameter $1");
    }
    bk_vec *pv = bk_arena_zalloc(ex->arena, sizeof(bk_vec) * st->n_params);
    if (pv == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    bk_eval_ctx ec = {.session = ex->session, .arena = ex->arena};
    for (uint32_t i = 0; i < st->n_params; i++) {
        const bk_param *p = &params[i];
        if (p->is_null) {
            if (bk_vec_alloc(&pv[i], st->param_types[i], 1, true, ex->arena) != BK_OK) {
                return bk_raise(err, OUT_OF_MEMORY, "out of memory");
            }
            bk_validity_set(pv[i].validity, 0, false);
            continue;
        }
        if (p->is_binary) {
            return bk_raise(err, FEATURE_NOT_SUPPORTED,
                            "binary parameter values are not supported yet");
        }
        bk_vec text = {.type = bk_type_of(BK_TYPE_TEXT), .data = (void *)&p->bytes};
        if (bk_cast_vec(&ec, &text, 1, st->param_types[i], &pv[i], err) != BK_OK) {
            return BK_ERR;
        }
        if (bk_vec_make_nullable(&pv[i], 1, ex->arena) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
    }
    ex->ctx.params = pv;
    ex->ctx.n_params = st->n_params;
    return BK_OK;
}

bk_exec *
bk_exec_start(bk_session *s, bk_stmt *st, const bk_param *params, bk_arena *arena, bk_error *err)
{
    bk_arena *qa = bk_arena_create(arena, "query", s->engine->query_memory_limit);
    bk_exec *ex = qa != NULL ? bk_arena_zalloc(qa, sizeof *ex) : NULL;
    if (ex == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    ex->session = s;
    ex->stmt = st;
    ex->arena = qa;
    ex->ctx =
        (bk_exec_ctx){.session = s, .arena = qa, .memory_limit = s->engine->query_memory_limit};
    atomic_store(&s->cancel_requested, false);
    if (bind_params(ex, params, err) != BK_OK) {
        return NULL;
    }
    if (st->kind == ST_SELECT) {
        ex->snap = bk_snap_take(s->engine->db, err);
        if (ex->snap == NULL) {
            return NULL;
        }
        bk_arena_on_reset(qa, &ex->snap_cleanup, release_snapshot, ex);
        ex->ctx.snap = ex->snap;
        ex->root = bk_op_build(&ex->ctx, st->plan, err);
        if (ex->root == NULL) {
            return NULL;
        }
    }
    return ex;
}

static bk_rc run_utility(bk_exec *ex, bk_batch **out, bk_error *err)
{
    bk_stmt *st = ex->stmt;
    *out = NULL;
    switch (st->kind) {
    case ST_SET:
        if (bk_session_set(ex->session, st->name, st->value, err) != BK_OK) {
            return BK_ERR;
        }
        snprintf(ex->tag, sizeof ex->tag, "SET");
        return BK_OK;
    case ST_RESET:
        if (bk_settings_reset(ex->session, st->name, err) != BK_OK) {
            return BK_ERR;
        }
        snprintf(ex->tag, sizeof ex->tag, "RESET");
        return BK_OK;
    case ST_RESET_ALL:
        bk_settings_reset_all(ex->session);
        snprintf(ex->tag, sizeof ex->tag, "RESET");
        return BK_OK;
    case ST_SHOW: {
        const char *v = bk_session_get(ex->session, st->name);
        bk_batch *b = bk_batch_alloc(1, ex->arena);
        if (b == NULL ||
            bk_vec_alloc(&b->cols[0], bk_type_of(BK_TYPE_TEXT), 1, false, ex->arena) != BK_OK) {
            return bk_raise(err, OUT_OF_MEMORY, "out of memory");
        }
        ((bk_str *)b->cols[0].data)[0] = bk_str_from_cstr(v != NULL ? v : "");
        b->n_rows = 1;
        snprintf(ex->tag, sizeof ex->tag, "SHOW");
        *out = b;
        return BK_OK;
    }
    case ST_CREATE_TABLE:
    case ST_INSERT:
        return bk_dml_run(ex->session, st, ex->ctx.params, ex->ctx.n_params, ex->tag,
                          sizeof ex->tag, err);
    case ST_SELECT:
        break;
    }
    return bk_raise(err, INTERNAL_ERROR, "not a utility statement");
}

bk_rc bk_exec_next(bk_exec *ex, bk_batch **out, bk_error *err)
{
    if (ex->done) {
        *out = NULL;
        return BK_OK;
    }
    if (ex->stmt->kind != ST_SELECT) {
        if (ex->utility_done) {
            ex->done = true;
            *out = NULL;
            return BK_OK;
        }
        ex->utility_done = true;
        if (run_utility(ex, out, err) != BK_OK) {
            return BK_ERR;
        }
        if (*out == NULL) {
            ex->done = true;
        }
        return BK_OK;
    }
    if (ex->root->next(ex->root, out, err) != BK_OK) {
        return BK_ERR;
    }
    if (*out == NULL) {
        ex->done = true;
        snprintf(ex->tag, sizeof ex->tag, "SELECT %llu", (unsigned long long)ex->rows);
    } else {
        ex->rows += (*out)->n_rows;
    }
    return BK_OK;
}

const char *bk_exec_command_tag(const bk_exec *ex)
{
    return ex->tag;
}

void bk_exec_close(bk_exec *ex)
{
    if (ex == NULL) {
        return;
    }
    bk_op_close_tree(ex->root);
    ex->root = NULL;
    release_snapshot(ex);
}
