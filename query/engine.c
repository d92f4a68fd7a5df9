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

/* ---- binary parameter values --------------------------------------------------------------
 *
 * Binary Bind values in the layouts of PostgreSQL 15's receive functions (boolrecv, int4recv,
 * numeric_recv, date_recv, ...), with exec_bind_message's errors: a value shorter than its
 * type needs is 08P01 "insufficient data left in message" ("no data left in message" for the
 * one-byte types), bytes left over are 22P03 "incorrect binary data format in bind parameter
 * N", and numeric's own checks are 22P03 too. Values PostgreSQL accepts but Basket cannot hold
 * (numeric NaN and infinities, infinite dates and timestamps) are 0A000, as in text form.
 */

typedef struct bin_value {
    const uint8_t *p;
    size_t len;
    size_t pos;
} bin_value;

static bk_rc bin_need(bin_value *b, size_t n, bk_error *err)
{
    if (b->len - b->pos < n) {
        return bk_raise(err, PROTOCOL_VIOLATION, "insufficient data left in message");
    }
    return BK_OK;
}

static uint16_t bin_u16(bin_value *b)
{
    uint16_t v = bk_get_be16(b->p + b->pos);
    b->pos += 2;
    return v;
}

static uint32_t bin_u32(bin_value *b)
{
    uint32_t v = bk_get_be32(b->p + b->pos);
    b->pos += 4;
    return v;
}

static uint64_t bin_u64(bin_value *b)
{
    uint64_t v = bk_get_be64(b->p + b->pos);
    b->pos += 8;
    return v;
}

#define NUMERIC_POS  0x0000
#define NUMERIC_NEG  0x4000
#define NUMERIC_NAN  0xC000
#define NUMERIC_PINF 0xD000
#define NUMERIC_NINF 0xF000

/*
 * numeric_recv, then the value as numeric_out would print it (digits beyond dscale dropped,
 * as PostgreSQL's trunc_var), parsed by the text parser so that range and scale rules are the
 * same as for a text parameter.
 */
static bk_rc numeric_from_binary(bin_value *b, bk_vec *out, bk_arena *a, bk_error *err)
{
    if (bin_need(b, 8, err) != BK_OK) {
        return BK_ERR;
    }
    uint16_t ndigits = bin_u16(b);
    int weight = (int16_t)bin_u16(b);
    uint16_t sign = bin_u16(b);
    if (sign != NUMERIC_POS && sign != NUMERIC_NEG && sign != NUMERIC_NAN && sign != NUMERIC_PINF &&
        sign != NUMERIC_NINF) {
        return bk_raise(err, INVALID_BINARY_REPRESENTATION,
                        "invalid sign in external \"numeric\" value");
    }
    uint16_t dscale = bin_u16(b);
    if ((dscale & 0x3FFF) != dscale) {
        return bk_raise(err, INVALID_BINARY_REPRESENTATION,
                        "invalid scale in external \"numeric\" value");
    }
    /* No more digits than the value's bytes hold: the count is not trusted for allocation. */
    size_t n_room = BK_MIN((size_t)ndigits, (b->len - b->pos) / 2);
    int16_t *digits = bk_arena_alloc(a, n_room * 2 + 2);
    if (digits == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    for (uint32_t i = 0; i < ndigits; i++) {
        if (bin_need(b, 2, err) != BK_OK) {
            return BK_ERR;
        }
        int16_t d = (int16_t)bin_u16(b);
        if (d < 0 || d >= 10000) {
            return bk_raise(err, INVALID_BINARY_REPRESENTATION,
                            "invalid digit in external \"numeric\" value");
        }
        digits[i] = d;
    }
    bk_buf text = {0};
    bk_rc rc = BK_OK;
    if (sign == NUMERIC_NAN) {
        rc = bk_buf_printf(&text, "NaN");
    } else if (sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
        rc = bk_buf_printf(&text, "%sInfinity", sign == NUMERIC_NINF ? "-" : "");
    } else {
        if (sign == NUMERIC_NEG) {
            rc = bk_buf_append_byte(&text, '-');
        }
        if (weight < 0) {
            rc = rc == BK_OK ? bk_buf_append_byte(&text, '0') : rc;
        }
        for (int g = 0; g <= weight && rc == BK_OK; g++) {
            int d = g < ndigits ? digits[g] : 0;
            rc = bk_buf_printf(&text, g == 0 ? "%d" : "%04d", d);
        }
        if (dscale > 0 && rc == BK_OK) {
            rc = bk_buf_append_byte(&text, '.');
            size_t end = text.len + dscale;
            for (int g = weight + 1; rc == BK_OK && text.len < end; g++) {
                int d = g >= 0 && g < ndigits ? digits[g] : 0;
                rc = bk_buf_printf(&text, "%04d", d);
            }
            if (rc == BK_OK) {
                text.len = end;
            }
        }
    }
    if (rc != BK_OK) {
        bk_buf_free(&text);
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    rc = bk_parse_numeric((bk_str){text.ptr, text.len}, (bk_i128 *)out->data, &out->scale[0], err);
    bk_buf_free(&text);
    return rc;
}

/* PostgreSQL's valid ranges: Julian day 0 up to DATE_END_JULIAN, MIN_TIMESTAMP..END_TIMESTAMP. */
#define DATE_MIN_DAYS    (-2451545)
#define DATE_END_DAYS    (2147483494 - 2451545)
#define TIMESTAMP_MIN_US INT64_C(-211813488000000000)
#define TIMESTAMP_END_US INT64_C(9223371331200000000)

/* Decodes parameter `param_no` (1-based) of type `t` from its binary bytes into out[0]. */
static bk_rc
decode_binary(bk_type t, bk_str bytes, uint32_t param_no, bk_vec *out, bk_arena *a, bk_error *err)
{
    if (bk_vec_alloc(out, t, 1, false, a) != BK_OK) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    bin_value b = {(const uint8_t *)bytes.ptr, bytes.len, 0};
    switch (t.id) {
    case BK_TYPE_BOOL:
        if (b.len == 0) {
            return bk_raise(err, PROTOCOL_VIOLATION, "no data left in message");
        }
        ((uint8_t *)out->data)[0] = b.p[b.pos++] != 0;
        break;
    case BK_TYPE_INT2:
        if (bin_need(&b, 2, err) != BK_OK) {
            return BK_ERR;
        }
        ((int16_t *)out->data)[0] = (int16_t)bin_u16(&b);
        break;
    case BK_TYPE_INT4:
        if (bin_need(&b, 4, err) != BK_OK) {
            return BK_ERR;
        }
        ((int32_t *)out->data)[0] = (int32_t)bin_u32(&b);
        break;
    case BK_TYPE_OID:
        if (bin_need(&b, 4, err) != BK_OK) {
            return BK_ERR;
        }
        ((uint32_t *)out->data)[0] = bin_u32(&b);
        break;
    case BK_TYPE_INT8:
        if (bin_need(&b, 8, err) != BK_OK) {
            return BK_ERR;
        }
        ((int64_t *)out->data)[0] = (int64_t)bin_u64(&b);
        break;
    case BK_TYPE_FLOAT4: {
        if (bin_need(&b, 4, err) != BK_OK) {
            return BK_ERR;
        }
        uint32_t bits = bin_u32(&b);
        memcpy(out->data, &bits, sizeof bits);
        break;
    }
    case BK_TYPE_FLOAT8: {
        if (bin_need(&b, 8, err) != BK_OK) {
            return BK_ERR;
        }
        uint64_t bits = bin_u64(&b);
        memcpy(out->data, &bits, sizeof bits);
        break;
    }
    case BK_TYPE_NUMERIC:
        if (numeric_from_binary(&b, out, a, err) != BK_OK) {
            return BK_ERR;
        }
        break;
    case BK_TYPE_DATE: {
        if (bin_need(&b, 4, err) != BK_OK) {
            return BK_ERR;
        }
        int32_t d = (int32_t)bin_u32(&b);
        if (d == INT32_MIN || d == INT32_MAX) {
            return bk_raise(err, FEATURE_NOT_SUPPORTED,
                            "infinite dates are not supported by Basket");
        }
        if (d < DATE_MIN_DAYS || d >= DATE_END_DAYS) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "date out of range");
        }
        ((int32_t *)out->data)[0] = d;
        break;
    }
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ: {
        if (bin_need(&b, 8, err) != BK_OK) {
            return BK_ERR;
        }
        int64_t us = (int64_t)bin_u64(&b);
        if (us == INT64_MIN || us == INT64_MAX) {
            return bk_raise(err, FEATURE_NOT_SUPPORTED,
                            "infinite timestamps are not supported by Basket");
        }
        if (us < TIMESTAMP_MIN_US || us >= TIMESTAMP_END_US) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range");
        }
        ((int64_t *)out->data)[0] = us;
        break;
    }
    case BK_TYPE_INTERVAL: {
        if (bin_need(&b, 16, err) != BK_OK) {
            return BK_ERR;
        }
        bk_interval *iv = out->data;
        iv->us = (int64_t)bin_u64(&b);
        iv->days = (int32_t)bin_u32(&b);
        iv->months = (int32_t)bin_u32(&b);
        break;
    }
    case BK_TYPE_TEXT:
    case BK_TYPE_UNKNOWN: {
        /* The protocol has checked the encoding of text types (pq_getmsgtext). */
        bk_str *s = out->data;
        if (t.oid == BK_OID_CHAR) {
            /* charrecv: one byte; "\0" is the empty value. */
            if (b.len == 0) {
                return bk_raise(err, PROTOCOL_VIOLATION, "no data left in message");
            }
            *s = (bk_str){bytes.ptr, b.p[0] != 0 ? 1u : 0u};
            b.pos = 1;
            break;
        }
        if (t.oid == BK_OID_NAME && b.len >= 64) {
            bk_raise(err, NAME_TOO_LONG, "identifier too long");
            bk_error_detail(err, "Identifier must be less than %d characters.", 64);
            return BK_ERR;
        }
        *s = bytes;
        b.pos = b.len;
        break;
    }
    case BK_TYPE_COUNT_:
        return bk_raise(err, INTERNAL_ERROR, "parameter of an unknown type");
    }
    if (b.pos != b.len) {
        return bk_raise(err, INVALID_BINARY_REPRESENTATION,
                        "incorrect binary data format in bind parameter %u", param_no);
    }
    return BK_OK;
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
            if (decode_binary(st->param_types[i], p->bytes, i + 1, &pv[i], ex->arena, err) !=
                BK_OK) {
                return BK_ERR;
            }
        } else {
            bk_vec text = {.type = bk_type_of(BK_TYPE_TEXT), .data = (void *)&p->bytes};
            if (bk_cast_vec(&ec, &text, 1, st->param_types[i], &pv[i], err) != BK_OK) {
                return BK_ERR;
            }
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
    case ST_DISCARD:
        if (strcmp(st->name, "ALL") == 0) {
            bk_settings_reset_all(ex->session);
        }
        snprintf(ex->tag, sizeof ex->tag, "DISCARD %s", st->name);
        return BK_OK;
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
