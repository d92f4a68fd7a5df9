/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol/extended.c and format_binary.c, sans I/O and byte-exact: the extended query
 * protocol. Parse / Bind / Describe / Execute / Close / Sync / Flush with named and unnamed
 * statements and portals, row limits and PortalSuspended, the skip-till-Sync rule, every error
 * of the message decoders, text and binary formats for parameters and results, splits at
 * every offset, a coalesced 1,000-message pipeline, backpressure inside an Execute, memory
 * limits on statements and portals, and allocation failures at every site.
 *
 * Every expected answer below was first observed on PostgreSQL 15.18 with the same messages
 * (raw protocol client over its unix socket); where Basket differs on purpose the comment says
 * so. Binary values are PostgreSQL's bytes, copied from its answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "protocol/protocol.h"
#include "protocol_int.h"

#define PID      0x01020304u
#define SECRET   0xA1B2C3D4u
#define BIG_ROWS 20000u

static bk_db *g_db;
static bk_engine *g_engine;

/* ---- frontend messages -------------------------------------------------------------------- */

static void put_bytes(bk_buf *b, const void *p, size_t n)
{
    assert_int_equal(bk_buf_append(b, p, n), BK_OK);
}

static void put_be16(bk_buf *b, uint16_t v)
{
    uint8_t x[2];
    bk_put_be16(x, v);
    put_bytes(b, x, 2);
}

static void put_be32(bk_buf *b, uint32_t v)
{
    uint8_t x[4];
    bk_put_be32(x, v);
    put_bytes(b, x, 4);
}

static void put_cstr(bk_buf *b, const char *s)
{
    put_bytes(b, s, strlen(s) + 1);
}

static void fe_startup(bk_buf *b, const char *const *kv)
{
    size_t start = b->len;
    put_be32(b, 0);
    put_be32(b, BK_PQ_PROTOCOL_3_0);
    for (; kv[0] != NULL; kv += 2) {
        put_cstr(b, kv[0]);
        put_cstr(b, kv[1]);
    }
    put_bytes(b, "", 1);
    bk_put_be32((uint8_t *)b->ptr + start, (uint32_t)(b->len - start));
}

static const char *const USER_X[] = {"user", "x", "database", "basket", NULL};

static void fe_msg(bk_buf *b, char type, const void *body, size_t n)
{
    put_bytes(b, &type, 1);
    put_be32(b, (uint32_t)(n + 4));
    put_bytes(b, body, n);
}

/* Starts a message whose length is patched by fe_end. */
static size_t fe_begin(bk_buf *b, char type)
{
    put_bytes(b, &type, 1);
    size_t at = b->len;
    put_be32(b, 0);
    return at;
}

static void fe_end(bk_buf *b, size_t at)
{
    bk_put_be32((uint8_t *)b->ptr + at, (uint32_t)(b->len - at));
}

static void fe_query(bk_buf *b, const char *sql)
{
    fe_msg(b, 'Q', sql, strlen(sql) + 1);
}

static void fe_parse(bk_buf *b, const char *name, const char *sql, uint16_t n, const uint32_t *oids)
{
    size_t at = fe_begin(b, 'P');
    put_cstr(b, name);
    put_cstr(b, sql);
    put_be16(b, n);
    for (uint16_t i = 0; i < n; i++) {
        put_be32(b, oids[i]);
    }
    fe_end(b, at);
}

/* A parameter value for Bind: len -1 is NULL. */
typedef struct fe_val {
    int32_t len;
    const char *p;
} fe_val;

#define VAL(s) ((fe_val){(int32_t)(sizeof(s) - 1), (s)})
#define NULLV  ((fe_val){-1, NULL})

static void fe_bind(bk_buf *b,
                    const char *portal,
                    const char *stmt,
                    uint16_t n_pf,
                    const int16_t *pf,
                    uint16_t n_params,
                    const fe_val *params,
                    uint16_t n_rf,
                    const int16_t *rf)
{
    size_t at = fe_begin(b, 'B');
    put_cstr(b, portal);
    put_cstr(b, stmt);
    put_be16(b, n_pf);
    for (uint16_t i = 0; i < n_pf; i++) {
        put_be16(b, (uint16_t)pf[i]);
    }
    put_be16(b, n_params);
    for (uint16_t i = 0; i < n_params; i++) {
        put_be32(b, (uint32_t)params[i].len);
        if (params[i].len > 0) {
            put_bytes(b, params[i].p, (size_t)params[i].len);
        }
    }
    put_be16(b, n_rf);
    for (uint16_t i = 0; i < n_rf; i++) {
        put_be16(b, (uint16_t)rf[i]);
    }
    fe_end(b, at);
}

/* Bind without parameters or format codes (all text). */
static void fe_bind0(bk_buf *b, const char *portal, const char *stmt)
{
    fe_bind(b, portal, stmt, 0, NULL, 0, NULL, 0, NULL);
}

static void fe_describe(bk_buf *b, char kind, const char *name)
{
    size_t at = fe_begin(b, 'D');
    put_bytes(b, &kind, 1);
    put_cstr(b, name);
    fe_end(b, at);
}

static void fe_execute(bk_buf *b, const char *portal, int32_t max_rows)
{
    size_t at = fe_begin(b, 'E');
    put_cstr(b, portal);
    put_be32(b, (uint32_t)max_rows);
    fe_end(b, at);
}

static void fe_close(bk_buf *b, char kind, const char *name)
{
    size_t at = fe_begin(b, 'C');
    put_bytes(b, &kind, 1);
    put_cstr(b, name);
    fe_end(b, at);
}

static void fe_sync(bk_buf *b)
{
    fe_msg(b, 'S', "", 0);
}

/* ---- a connection ------------------------------------------------------------------------- */

typedef struct conn {
    bk_pq_conn *c;
    bk_buf in;
    bk_buf out;
    bk_pq_status st;
} conn;

/* A static pool, so that teardown frees what a failed assertion left open. */
#define MAX_CONNS 4
static conn g_conns[MAX_CONNS];
static bool g_conn_used[MAX_CONNS];

static conn *conn_open_cfg(const bk_pq_config *cfg)
{
    for (size_t i = 0; i < MAX_CONNS; i++) {
        if (!g_conn_used[i]) {
            conn *k = &g_conns[i];
            memset(k, 0, sizeof *k);
            k->c = bk_pq_conn_create(cfg, PID, SECRET);
            assert_non_null(k->c);
            k->st = BK_PQ_NEED_INPUT;
            g_conn_used[i] = true;
            return k;
        }
    }
    fail_msg("too many open test connections");
    return NULL;
}

static void conn_close(conn *k)
{
    bk_pq_conn_destroy(k->c);
    bk_buf_free(&k->in);
    bk_buf_free(&k->out);
    g_conn_used[k - g_conns] = false;
}

static int close_leftovers(void **state)
{
    (void)state;
    bk_fault_alloc_disarm();
    for (size_t i = 0; i < MAX_CONNS; i++) {
        if (g_conn_used[i]) {
            conn_close(&g_conns[i]);
        }
    }
    return 0;
}

/* Appends input and processes until the connection needs input, closes or cancels. */
static bk_pq_status conn_send(conn *k, const void *p, size_t n)
{
    put_bytes(&k->in, p, n);
    for (int guard = 0; guard < 1000000; guard++) {
        k->st = bk_pq_process(k->c, &k->in, &k->out);
        if (k->st != BK_PQ_OUTPUT_FULL) {
            return k->st;
        }
    }
    fail_msg("connection never stopped producing output");
    return k->st;
}

static bk_pq_status conn_send_buf(conn *k, bk_buf *b)
{
    bk_pq_status st = conn_send(k, b->ptr, b->len);
    bk_buf_free(b);
    return st;
}

static conn *conn_ready_cfg(const bk_pq_config *cfg)
{
    conn *k = conn_open_cfg(cfg);
    bk_buf b = {0};
    fe_startup(&b, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_true(bk_pq_is_ready(k->c));
    bk_buf_clear(&k->out);
    return k;
}

static conn *conn_ready(void)
{
    bk_pq_config cfg = {.engine = g_engine};
    return conn_ready_cfg(&cfg);
}

/* ---- backend messages --------------------------------------------------------------------- */

typedef struct be_msg {
    char type;
    const uint8_t *body;
    uint32_t len; /* body bytes */
} be_msg;

static bool be_next(const bk_buf *out, size_t *pos, be_msg *m)
{
    if (*pos >= out->len) {
        return false;
    }
    assert_true(out->len - *pos >= 5);
    const uint8_t *p = (const uint8_t *)out->ptr + *pos;
    uint32_t len = bk_get_be32(p + 1);
    assert_true(len >= 4);
    assert_true(out->len - *pos - 1 >= len);
    m->type = (char)p[0];
    m->body = p + 5;
    m->len = len - 4;
    *pos += (size_t)len + 1;
    return true;
}

static const char *be_field(const be_msg *m, char code)
{
    uint32_t i = 0;
    while (i < m->len && m->body[i] != 0) {
        const char *s = (const char *)m->body + i + 1;
        if ((char)m->body[i] == code) {
            return s;
        }
        i += 1 + (uint32_t)strlen(s) + 1;
    }
    return "";
}

/* Whether p[0, len) is structurally valid UTF-8 with no control characters. */
static bool printable_utf8(const uint8_t *p, uint32_t len)
{
    for (uint32_t i = 0; i < len;) {
        uint8_t c = p[i];
        uint32_t n = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (n == 0 || c < 0x20 || c == 0x7f || len - i < n) {
            return false;
        }
        for (uint32_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                return false;
            }
        }
        i += n;
    }
    return true;
}

/* A DataRow value: as text when it is printable UTF-8, else \x and hex (binary values). */
static bk_rc render_value(bk_buf *r, const uint8_t *p, uint32_t len)
{
    if (printable_utf8(p, len)) {
        return bk_buf_append(r, p, len);
    }
    bk_rc rc = bk_buf_printf(r, "\\x");
    for (uint32_t i = 0; rc == BK_OK && i < len; i++) {
        rc = bk_buf_printf(r, "%02x", p[i]);
    }
    return rc;
}

/*
 * One line per message: "Z I", "E ERROR 42601", "T name:oid[/format]...", "D v|v|NULL",
 * "C tag", "t oid oid", and the type letter alone for the bodiless ones (1 2 3 n s I).
 */
static void render_one(bk_buf *r, const be_msg *m)
{
    const uint8_t *b = m->body;
    bk_rc rc = BK_OK;
    switch (m->type) {
    case 'Z':
        rc = bk_buf_printf(r, "Z %c", b[0]);
        break;
    case 'S': {
        const char *name = (const char *)b;
        rc = bk_buf_printf(r, "S %s=%s", name, name + strlen(name) + 1);
        break;
    }
    case 'E':
    case 'N':
        rc = bk_buf_printf(r, "%c %s %s", m->type, be_field(m, 'S'), be_field(m, 'C'));
        break;
    case 'C':
        rc = bk_buf_printf(r, "C %s", (const char *)b);
        break;
    case 't': {
        uint16_t n = bk_get_be16(b);
        rc = bk_buf_printf(r, "t");
        for (uint16_t i = 0; rc == BK_OK && i < n; i++) {
            rc = bk_buf_printf(r, " %u", bk_get_be32(b + 2 + 4 * (size_t)i));
        }
        break;
    }
    case 'T': {
        uint16_t n = bk_get_be16(b);
        rc = bk_buf_printf(r, "T");
        uint32_t i = 2;
        for (uint16_t c = 0; rc == BK_OK && c < n; c++) {
            const char *name = (const char *)b + i;
            i += (uint32_t)strlen(name) + 1;
            int16_t fmt = (int16_t)bk_get_be16(b + i + 16);
            rc = bk_buf_printf(r, " %s:%u", name, bk_get_be32(b + i + 6));
            if (rc == BK_OK && fmt != 0) {
                rc = bk_buf_printf(r, "/%d", fmt);
            }
            i += 18;
        }
        break;
    }
    case 'D': {
        uint16_t n = bk_get_be16(b);
        rc = bk_buf_printf(r, "D");
        uint32_t i = 2;
        for (uint16_t c = 0; rc == BK_OK && c < n; c++) {
            uint32_t len = bk_get_be32(b + i);
            i += 4;
            rc = bk_buf_printf(r, "%s", c > 0 ? "|" : " ");
            if (rc == BK_OK && len == UINT32_MAX) {
                rc = bk_buf_printf(r, "NULL");
            } else if (rc == BK_OK) {
                rc = render_value(r, b + i, len);
                i += len;
            }
        }
        break;
    }
    case '1':
    case '2':
    case '3':
    case 'n':
    case 's':
    case 'I':
        assert_int_equal(m->len, 0);
        rc = bk_buf_printf(r, "%c", m->type);
        break;
    default:
        rc = bk_buf_printf(r, "%c(%u bytes)", m->type, m->len);
        break;
    }
    assert_int_equal(rc, BK_OK);
}

static char *render(const bk_buf *out, size_t from)
{
    bk_buf r = {0};
    size_t pos = from;
    be_msg m;
    while (be_next(out, &pos, &m)) {
        render_one(&r, &m);
        assert_int_equal(bk_buf_append_byte(&r, '\n'), BK_OK);
    }
    assert_int_equal(bk_buf_append_byte(&r, 0), BK_OK);
    char *s = strdup(r.ptr);
    assert_non_null(s);
    bk_buf_free(&r);
    return s;
}

static void expect_render(const bk_buf *out, size_t from, const char *want)
{
    char *got = render(out, from);
    if (strcmp(got, want) != 0) {
        static char copy[32768];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("backend output:\n%s\nexpected:\n%s", copy, want);
    }
    free(got);
}

/* Sends `b` (freed) on `k` with the output cleared first; compares the rendered answer. */
static void expect_batch(conn *k, bk_buf *b, const char *want)
{
    bk_buf_clear(&k->out);
    assert_int_equal(conn_send_buf(k, b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0, want);
    assert_int_equal(k->in.len, 0);
}

/* The n-th (0-based) ErrorResponse of the output. */
static be_msg nth_error(const bk_buf *out, int n)
{
    size_t pos = 0;
    be_msg m;
    while (be_next(out, &pos, &m)) {
        if (m.type == 'E' && n-- == 0) {
            return m;
        }
    }
    fail_msg("no such ErrorResponse in the output");
    return m;
}

static void expect_error_message(const bk_buf *out, int n, const char *code, const char *message)
{
    be_msg e = nth_error(out, n);
    assert_string_equal(be_field(&e, 'S'), "ERROR");
    assert_string_equal(be_field(&e, 'V'), "ERROR");
    assert_string_equal(be_field(&e, 'C'), code);
    assert_string_equal(be_field(&e, 'M'), message);
}

/* ---- fixture: t(k int4 not null, x int4, y text) and big(id int8, s text) ------------------ */

static void load_t(bk_table *t)
{
    static const int32_t ks[] = {1, 2, 3, 4, 5};
    static const int32_t xs[] = {0, -1, 2, 5, -1}; /* -1 = NULL */
    static const char *const ys[] = {"a", "b", NULL, "a", NULL};
    bk_arena *a = bk_arena_create(NULL, "test rows", 0);
    assert_non_null(a);
    bk_batch *batch = bk_batch_alloc(3, a);
    assert_non_null(batch);
    assert_int_equal(bk_vec_alloc(&batch->cols[0], bk_type_of(BK_TYPE_INT4), 5, false, a), BK_OK);
    assert_int_equal(bk_vec_alloc(&batch->cols[1], bk_type_of(BK_TYPE_INT4), 5, true, a), BK_OK);
    assert_int_equal(bk_vec_alloc(&batch->cols[2], bk_type_of(BK_TYPE_TEXT), 5, true, a), BK_OK);
    for (uint32_t r = 0; r < 5; r++) {
        ((int32_t *)batch->cols[0].data)[r] = ks[r];
        ((int32_t *)batch->cols[1].data)[r] = xs[r];
        bk_validity_set(batch->cols[1].validity, r, xs[r] != -1);
        ((bk_str *)batch->cols[2].data)[r] =
            ys[r] != NULL ? bk_str_from_cstr(ys[r]) : BK_STR_LIT("");
        bk_validity_set(batch->cols[2].validity, r, ys[r] != NULL);
    }
    batch->n_rows = 5;
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    assert_int_equal(bk_appender_append(ap, batch, &err), BK_OK);
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    bk_arena_destroy(a);
}

static void load_big(bk_table *t)
{
    bk_arena *a = bk_arena_create(NULL, "test rows", 0);
    assert_non_null(a);
    bk_error err;
    bk_error_clear(&err);
    bk_appender *ap = bk_appender_begin(t, &err);
    assert_non_null(ap);
    static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon"};
    for (uint32_t base = 0; base < BIG_ROWS; base += BK_BATCH_ROWS) {
        uint32_t n = BK_MIN(BK_BATCH_ROWS, BIG_ROWS - base);
        bk_batch *batch = bk_batch_alloc(2, a);
        assert_non_null(batch);
        assert_int_equal(bk_vec_alloc(&batch->cols[0], bk_type_of(BK_TYPE_INT8), n, false, a),
                         BK_OK);
        assert_int_equal(bk_vec_alloc(&batch->cols[1], bk_type_of(BK_TYPE_TEXT), n, false, a),
                         BK_OK);
        for (uint32_t i = 0; i < n; i++) {
            ((int64_t *)batch->cols[0].data)[i] = (int64_t)(base + i);
            ((bk_str *)batch->cols[1].data)[i] = bk_str_from_cstr(words[(base + i) % 5]);
        }
        batch->n_rows = n;
        assert_int_equal(bk_appender_append(ap, batch, &err), BK_OK);
        bk_arena_reset(a);
    }
    assert_int_equal(bk_appender_commit(ap, &err), BK_OK);
    bk_arena_destroy(a);
}

static int group_setup(void **state)
{
    (void)state;
    g_db = bk_db_create();
    assert_non_null(g_db);
    bk_error err;
    bk_error_clear(&err);
    static const bk_column_def t_cols[] = {
        {"k", {BK_TYPE_INT4, BK_OID_INT4, -1},  true, NULL},
        {"x", {BK_TYPE_INT4, BK_OID_INT4, -1}, false, NULL},
        {"y", {BK_TYPE_TEXT, BK_OID_TEXT, -1}, false, NULL},
    };
    bk_table *t = bk_db_create_table(g_db, "t", t_cols, 3, &err);
    assert_non_null(t);
    load_t(t);
    static const bk_column_def big_cols[] = {
        {"id", {BK_TYPE_INT8, BK_OID_INT8, -1}, true, NULL},
        { "s", {BK_TYPE_TEXT, BK_OID_TEXT, -1}, true, NULL},
    };
    bk_table *big = bk_db_create_table(g_db, "big", big_cols, 2, &err);
    assert_non_null(big);
    load_big(big);
    bk_engine_options opt = {.server_version = "15.18"};
    g_engine = bk_engine_create(g_db, &opt, &err);
    assert_non_null(g_engine);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    bk_engine_destroy(g_engine);
    bk_db_destroy(g_db);
    return 0;
}

static const uint32_t NO_TYPES[1] = {0};

/* ---- the basic flow ------------------------------------------------------------------------- */

static void test_extended_parse_bind_describe_execute_exact_bytes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "", "select $1::int4 + 1, $2", 0, NO_TYPES);
    fe_describe(&b, 'S', "");
    fe_val params[] = {VAL("5"), VAL("x")};
    fe_bind(&b, "", "", 0, NULL, 2, params, 0, NULL);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
#define ROWDESC                                               \
 "T\0\0\0\x3c\0\x02"                                          \
 "?column?\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0" \
 "?column?\0\0\0\0\0\0\0\0\0\0\x19\xff\xff\xff\xff\xff\xff\0\0"
    static const char want[] =
        /* ParseComplete */
        "1\0\0\0\x04"
        /* ParameterDescription: int4 (inferred from the cast), text (unknown resolved) */
        "t\0\0\0\x0e\0\x02\0\0\0\x17\0\0\0\x19"
        /* RowDescription of the statement: formats 0 */
        ROWDESC
        /* BindComplete */
        "2\0\0\0\x04"
        /* RowDescription of the portal */
        ROWDESC
        /* DataRow 6 | x */
        "D\0\0\0\x10\0\x02\0\0\0\x01"
        "6\0\0\0\x01"
        "x"
        "C\0\0\0\x0dSELECT 1\0"
        "Z\0\0\0\x05I";
#undef ROWDESC
    assert_int_equal(k->out.len, sizeof want - 1);
    assert_memory_equal(k->out.ptr, want, sizeof want - 1);
    conn_close(k);
}

static void test_extended_bodiless_answers_exact_bytes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "s", "set application_name = 'q'", 0, NO_TYPES);
    fe_bind0(&b, "p", "s");
    fe_describe(&b, 'P', "p");
    fe_execute(&b, "p", 0);
    fe_close(&b, 'P', "p");
    fe_close(&b, 'S', "s");
    fe_parse(&b, "", "select k from t order by k", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_execute(&b, "", 1);
    fe_sync(&b);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    static const char want[] = "1\0\0\0\x04"                 /* ParseComplete */
                               "2\0\0\0\x04"                 /* BindComplete */
                               "n\0\0\0\x04"                 /* NoData */
                               "C\0\0\0\x08SET\0"            /* CommandComplete */
                               "3\0\0\0\x04"                 /* CloseComplete (portal) */
                               "3\0\0\0\x04"                 /* CloseComplete (statement) */
                               "1\0\0\0\x04"                 /* */
                               "2\0\0\0\x04"                 /* */
                               "D\0\0\0\x0b\0\x01\0\0\0\x01" /* */
                               "1"                           /* */
                               "s\0\0\0\x04"                 /* PortalSuspended */
                               "S\0\0\0\x17"
                               "application_name\0q\0" /* reported before ReadyForQuery */
                               "Z\0\0\0\x05I";
    assert_int_equal(k->out.len, sizeof want - 1);
    assert_memory_equal(k->out.ptr, want, sizeof want - 1);
    conn_close(k);
}

static void test_extended_row_limit_suspends_and_resumes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "s1", "select k, y from t order by k", 0, NO_TYPES);
    fe_bind0(&b, "p1", "s1");
    fe_execute(&b, "p1", 2);
    fe_execute(&b, "p1", 2);
    fe_execute(&b, "p1", 2);
    fe_execute(&b, "p1", 2);
    fe_sync(&b);
    /* SELECT counts the rows of each Execute; an exhausted portal answers SELECT 0. */
    expect_batch(k, &b,
                 "1\n2\n"
                 "D 1|a\nD 2|b\ns\n"
                 "D 3|NULL\nD 4|a\ns\n"
                 "D 5|NULL\nC SELECT 1\n"
                 "C SELECT 0\n"
                 "Z I\n");
    /* Exactly as many rows as the limit: PortalSuspended, no look-ahead. */
    fe_bind0(&b, "", "s1");
    fe_execute(&b, "", 5);
    fe_execute(&b, "", 5);
    fe_sync(&b);
    expect_batch(k, &b,
                 "2\nD 1|a\nD 2|b\nD 3|NULL\nD 4|a\nD 5|NULL\ns\n"
                 "C SELECT 0\n"
                 "Z I\n");
    /* Sync ends the transaction: the portal is gone, the named statement stays. */
    fe_execute(&b, "p1", 0);
    fe_sync(&b);
    expect_batch(k, &b, "E ERROR 34000\nZ I\n");
    expect_error_message(&k->out, 0, "34000", "portal \"p1\" does not exist");
    /* A negative or zero limit means all rows; a limit does not apply to statements without
       rows. */
    fe_bind0(&b, "", "s1");
    fe_execute(&b, "", -1);
    fe_parse(&b, "", "set extra_float_digits = 2", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_execute(&b, "", 1);
    fe_sync(&b);
    expect_batch(k, &b,
                 "2\nD 1|a\nD 2|b\nD 3|NULL\nD 4|a\nD 5|NULL\nC SELECT 5\n"
                 "1\n2\nC SET\nZ I\n");
    conn_close(k);
}

static void test_extended_describe_statement_and_portal(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    /* Declared types are kept, inferred ones reported; more declared types than used too. */
    static const uint32_t decl[] = {0, 23};
    fe_parse(&b, "a", "select $1 + $2", 2, decl);
    fe_describe(&b, 'S', "a");
    static const uint32_t three[] = {23, 25, 16};
    fe_parse(&b, "b", "select $1", 3, three);
    fe_describe(&b, 'S', "b");
    fe_parse(&b, "c", "select k from t where k > $1 and y = $2", 0, NO_TYPES);
    fe_describe(&b, 'S', "c");
    fe_parse(&b, "d", "show DateStyle", 0, NO_TYPES);
    fe_describe(&b, 'S', "d");
    fe_parse(&b, "e", "set DateStyle = 'ISO'", 0, NO_TYPES);
    fe_describe(&b, 'S', "e");
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\nt 23 23\nT ?column?:23\n"
                 "1\nt 23 25 16\nT ?column?:23\n"
                 "1\nt 23 25\nT k:23\n"
                 "1\nt\nT DateStyle:25\n"
                 "1\nt\nn\n"
                 "Z I\n");
    conn_close(k);
}

/* ---- statement and portal lifetimes ---------------------------------------------------------- */

static void test_extended_unnamed_and_named_lifetimes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    /* The unnamed statement is replaced by the next unnamed Parse, even while a portal still
       uses the old one: that portal runs the old statement. */
    fe_parse(&b, "", "select 21", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_parse(&b, "", "select 22", 0, NO_TYPES);
    fe_execute(&b, "", 0);
    fe_bind0(&b, "", "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\n1\nD 21\nC SELECT 1\n2\nD 22\nC SELECT 1\nZ I\n");
    /* A closed named statement stays alive for its portal; Describe of it is 26000. */
    fe_parse(&b, "q", "select 11", 0, NO_TYPES);
    fe_bind0(&b, "qp", "q");
    fe_close(&b, 'S', "q");
    fe_execute(&b, "qp", 0);
    fe_describe(&b, 'P', "qp");
    fe_sync(&b);
    fe_describe(&b, 'S', "q");
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\n3\nD 11\nC SELECT 1\nT ?column?:23\nZ I\nE ERROR 26000\nZ I\n");
    expect_error_message(&k->out, 0, "26000", "prepared statement \"q\" does not exist");
    /* Named statements survive Sync; a name can be reused after Close. */
    fe_parse(&b, "r", "select 1", 0, NO_TYPES);
    fe_sync(&b);
    fe_bind0(&b, "", "r");
    fe_execute(&b, "", 0);
    fe_close(&b, 'S', "r");
    fe_parse(&b, "r", "select 2", 0, NO_TYPES);
    fe_bind0(&b, "", "r");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\nZ I\n2\nD 1\nC SELECT 1\n3\n1\n2\nD 2\nC SELECT 1\nZ I\n");
    /* Closing what does not exist is not an error. */
    fe_close(&b, 'S', "nope");
    fe_close(&b, 'P', "nope");
    fe_close(&b, 'S', "");
    fe_close(&b, 'P', "");
    fe_sync(&b);
    expect_batch(k, &b, "3\n3\n3\n3\nZ I\n");
    conn_close(k);
}

static void test_extended_missing_objects(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_describe(&b, 'S', "nos");
    fe_sync(&b);
    fe_describe(&b, 'P', "nop");
    fe_sync(&b);
    fe_execute(&b, "nop", 0);
    fe_sync(&b);
    fe_bind0(&b, "", "nos");
    fe_sync(&b);
    fe_bind0(&b, "", "");
    fe_sync(&b);
    fe_describe(&b, 'S', "");
    fe_sync(&b);
    fe_describe(&b, 'P', "");
    fe_sync(&b);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "E ERROR 26000\nZ I\nE ERROR 34000\nZ I\nE ERROR 34000\nZ I\n"
                 "E ERROR 26000\nZ I\nE ERROR 26000\nZ I\nE ERROR 26000\nZ I\n"
                 "E ERROR 34000\nZ I\nE ERROR 34000\nZ I\n");
    expect_error_message(&k->out, 0, "26000", "prepared statement \"nos\" does not exist");
    expect_error_message(&k->out, 1, "34000", "portal \"nop\" does not exist");
    expect_error_message(&k->out, 2, "34000", "portal \"nop\" does not exist");
    expect_error_message(&k->out, 3, "26000", "prepared statement \"nos\" does not exist");
    expect_error_message(&k->out, 4, "26000", "unnamed prepared statement does not exist");
    expect_error_message(&k->out, 5, "26000", "unnamed prepared statement does not exist");
    expect_error_message(&k->out, 6, "34000", "portal \"\" does not exist");
    expect_error_message(&k->out, 7, "34000", "portal \"\" does not exist");
    conn_close(k);
}

static void test_extended_redefining_a_named_statement_is_42p05(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "s1", "select 1", 0, NO_TYPES);
    fe_sync(&b);
    fe_parse(&b, "s1", "select 2", 0, NO_TYPES);
    fe_sync(&b);
    /* The statement is analysed first: a syntax error wins over the duplicate name. */
    fe_parse(&b, "s1", "selec 2", 0, NO_TYPES);
    fe_sync(&b);
    fe_bind0(&b, "", "s1");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\nZ I\nE ERROR 42P05\nZ I\nE ERROR 42601\nZ I\n2\nD 1\nC SELECT 1\nZ I\n");
    expect_error_message(&k->out, 0, "42P05", "prepared statement \"s1\" already exists");
    expect_error_message(&k->out, 1, "42601", "syntax error at or near \"selec\"");
    be_msg e = nth_error(&k->out, 1);
    assert_string_equal(be_field(&e, 'P'), "1");
    /* Several commands cannot be one prepared statement. */
    fe_parse(&b, "", "select 1; select 2", 0, NO_TYPES);
    fe_sync(&b);
    expect_batch(k, &b, "E ERROR 42601\nZ I\n");
    expect_error_message(&k->out, 0, "42601",
                         "cannot insert multiple commands into a prepared statement");
    conn_close(k);
}

static void test_extended_names_are_truncated_to_63_bytes(void **state)
{
    (void)state;
    /* PostgreSQL looks names up by their first NAMEDATALEN - 1 bytes; messages quote the name
       as sent. */
    char a63[64], xyz[70], qq[70], p1[70], p2[70], p3[70];
    memset(a63, 'a', 63);
    a63[63] = '\0';
    snprintf(xyz, sizeof xyz, "%sXYZ", a63);
    snprintf(qq, sizeof qq, "%sQQ", a63);
    snprintf(p1, sizeof p1, "%sP1", a63);
    snprintf(p2, sizeof p2, "%sP2", a63);
    snprintf(p3, sizeof p3, "%sP3", a63);
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, xyz, "select 1", 0, NO_TYPES);
    fe_parse(&b, qq, "select 2", 0, NO_TYPES);
    fe_sync(&b);
    fe_bind0(&b, "", qq);
    fe_execute(&b, "", 0);
    fe_describe(&b, 'S', a63);
    fe_bind0(&b, p1, a63);
    fe_execute(&b, p2, 0);
    fe_bind0(&b, p3, xyz);
    fe_sync(&b);
    fe_close(&b, 'S', qq);
    fe_describe(&b, 'S', a63);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\nE ERROR 42P05\nZ I\n"
                 "2\nD 1\nC SELECT 1\nt\nT ?column?:23\n2\nD 1\nC SELECT 1\nE ERROR 42P03\nZ I\n"
                 "3\nE ERROR 26000\nZ I\n");
    char want[200];
    snprintf(want, sizeof want, "prepared statement \"%s\" already exists", qq);
    expect_error_message(&k->out, 0, "42P05", want);
    snprintf(want, sizeof want, "cursor \"%s\" already exists", p3);
    expect_error_message(&k->out, 1, "42P03", want);
    snprintf(want, sizeof want, "prepared statement \"%s\" does not exist", a63);
    expect_error_message(&k->out, 2, "26000", want);
    conn_close(k);
}

static void test_extended_named_portal_twice_is_42p03(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "ps", "select 7", 0, NO_TYPES);
    fe_bind0(&b, "pp", "ps");
    fe_bind0(&b, "pp", "ps");
    fe_sync(&b);
    /* The unnamed portal is replaced silently. */
    fe_bind0(&b, "", "ps");
    fe_bind0(&b, "", "ps");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\nE ERROR 42P03\nZ I\n2\n2\nD 7\nC SELECT 1\nZ I\n");
    expect_error_message(&k->out, 0, "42P03", "cursor \"pp\" already exists");
    conn_close(k);
}

static void test_extended_empty_query_string(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "", "", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_describe(&b, 'S', "");
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_execute(&b, "", 0);
    fe_parse(&b, "", "  ; -- nothing", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    /* EmptyQueryResponse for every Execute; declared parameters are still described. */
    static const uint32_t int4[] = {23};
    fe_parse(&b, "", "", 1, int4);
    fe_describe(&b, 'S', "");
    fe_val one[] = {VAL("1")};
    fe_bind(&b, "", "", 0, NULL, 1, one, 0, NULL);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\n2\nt\nn\nn\nI\nI\n1\n2\nI\nZ I\n"
                 "1\nt 23\nn\n2\nI\nZ I\n");
    static const char eqr[] = "I\0\0\0\x04";
    size_t pos = 0;
    be_msg m;
    while (be_next(&k->out, &pos, &m) && m.type != 'I') {
    }
    assert_memory_equal(m.body - 5, eqr, 5);
    conn_close(k);
}

static void test_extended_utility_portal_runs_once(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "", "set application_name = 'q'", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 1);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    /*
     * PostgreSQL: 55000 for the second run. (It then rolls the SET back with the failed
     * implicit transaction and reports nothing; Basket's settings are not transactional yet,
     * so the ParameterStatus of the first run follows.)
     */
    expect_batch(k, &b, "1\n2\nn\nC SET\nE ERROR 55000\nS application_name=q\nZ I\n");
    expect_error_message(&k->out, 0, "55000", "portal \"\" cannot be run");
    /* A row-returning utility runs again and again: SHOW answers its tag each time. */
    fe_parse(&b, "", "show DateStyle", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 1);
    fe_execute(&b, "", 1);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\nT DateStyle:25\nD ISO, MDY\ns\nC SHOW\nC SHOW\nZ I\n");
    conn_close(k);
}

/* ---- errors and the skip until Sync ------------------------------------------------------------
 */

static void test_extended_error_skips_until_sync(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "", "select 1", 0, NO_TYPES);
    fe_bind0(&b, "", "nosuch");
    fe_execute(&b, "", 0);
    fe_parse(&b, "", "select 2", 0, NO_TYPES);
    fe_query(&b, "select 3");
    fe_msg(&b, 'H', "", 0);
    fe_msg(&b, 'F', "\0\0\0\x01\0\0\0\0\0\0", 10);
    fe_sync(&b);
    fe_parse(&b, "", "select 4", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    /* Exactly one ErrorResponse and one ReadyForQuery for the failed pipeline. */
    expect_batch(k, &b, "1\nE ERROR 26000\nZ I\n1\n2\nD 4\nC SELECT 1\nZ I\n");
    /* A runtime error inside Execute ends the pipeline the same way. */
    fe_parse(&b, "", "select 10 / x from t where k < 3 order by k desc", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_execute(&b, "", 0);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\nE ERROR 22012\nZ I\n");
    /* Sync with a body: the error is followed by the one ReadyForQuery. */
    fe_msg(&b, 'S', "x", 1);
    expect_batch(k, &b, "E ERROR 08P01\nZ I\n");
    expect_error_message(&k->out, 0, "08P01", "invalid message format");
    /* Flush with a body is an extended-protocol error. */
    fe_msg(&b, 'H', "x", 1);
    fe_parse(&b, "", "select 1", 0, NO_TYPES);
    fe_sync(&b);
    expect_batch(k, &b, "E ERROR 08P01\nZ I\n");
    /* FunctionCall is not part of the extended protocol: error, then ReadyForQuery. */
    fe_msg(&b, 'F', "\0\0\0\x01\0\0\0\0\0\0", 10);
    fe_sync(&b);
    expect_batch(k, &b, "E ERROR 0A000\nZ I\nZ I\n");
    /* CopyData, CopyDone and CopyFail outside COPY are ignored. */
    fe_msg(&b, 'd', "abc", 3);
    fe_parse(&b, "", "select 1", 0, NO_TYPES);
    fe_sync(&b);
    expect_batch(k, &b, "1\nZ I\n");
    conn_close(k);
}

static void test_extended_simple_query_inside_a_sequence(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    /* The Query runs at once and ends the transaction: the portals are gone after it, the
       unnamed statement too, the named ones stay. */
    fe_parse(&b, "", "select 1", 0, NO_TYPES);
    fe_parse(&b, "n1", "select 2", 0, NO_TYPES);
    fe_bind0(&b, "", "");
    fe_bind0(&b, "np", "n1");
    fe_query(&b, "select 5");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    fe_execute(&b, "np", 0);
    fe_sync(&b);
    fe_bind0(&b, "", "");
    fe_sync(&b);
    fe_bind0(&b, "", "n1");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\n1\n2\n2\nT ?column?:23\nD 5\nC SELECT 1\nZ I\n"
                 "E ERROR 34000\nZ I\n"
                 "E ERROR 34000\nZ I\n"
                 "E ERROR 26000\nZ I\n"
                 "2\nD 2\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_extended_query_coalesced_before_a_batch(void **state)
{
    (void)state;
    /*
     * Npgsql's pool reset writes a simple Query immediately before the next batch, in one
     * packet (DISCARD ALL; a SET here): CommandComplete, ParameterStatus, ReadyForQuery for
     * the Query, then the batch's answers in order.
     */
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_query(&b, "SET application_name = 'pool'");
    fe_parse(&b, "", "select k, y from t where k = 1", 0, NO_TYPES);
    static const int16_t bin[] = {1};
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "C SET\nS application_name=pool\nZ I\n"
                 "1\n2\nT k:23/1 y:25/1\nD \\x00000001|a\nC SELECT 1\nZ I\n");
    conn_close(k);
}

/* ---- malformed messages: every decoder error ---------------------------------------------------
 */

typedef struct bad_case {
    char type;
    const char *body;
    size_t len;
    const char *code;
    const char *message;
} bad_case;

#define BODY(s) (s), sizeof(s) - 1

static void test_extended_malformed_messages(void **state)
{
    (void)state;
    static const bad_case cases[] = {
  /* Parse */
        {'P',                    BODY("\0select 1\0\0\0XX"),"08P01",                                              "invalid message format"                                                                                  },
        {'P',                               BODY("\0select 1\0\xff\xff"), "08P01",                                            "insufficient data left in message"},
        {'P',                             BODY("\0select 1\0\0\x01\0\0"), "08P01",                                            "insufficient data left in message"},
        {'P',                                     BODY("\0select 1\0\0"), "08P01",                                            "insufficient data left in message"},
        {'P',                                         BODY("\0select 1"), "08P01",                                                    "invalid string in message"},
        {'P',                                                   BODY(""), "08P01",                                                    "invalid string in message"},
        {'P',                               BODY("\xff\0select 1\0\0\0"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xff"                                                                                                     },
        {'P',                          BODY("\0select '\xe2\x82'\0\0\0"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82 0x27"                                                                                           },
        {'P',                  BODY("\0select $1\0\0\x01\0\x01\x86\x9f"), "42704",
         "type with OID 99999 does not exist"                                                                                                                    },
 /* Bind (statement "p2" is "select $1::int", one parameter) */
        {'B',
         BODY("\0p2\0\0\0\0\x01\0\0\0\x01"
         "1\0\0XX"),
         "08P01",                                                       "invalid message format"                                                                 },
        {'B',                               BODY("\0p2\0\0\0\0\x01\0\0"), "08P01",                                            "insufficient data left in message"},
        {'B',                                               BODY("\0p2"), "08P01",                                                    "invalid string in message"},
        {'B',                                           BODY("\0p2\0\0"), "08P01",                                            "insufficient data left in message"},
        {'B',                         BODY("\0p2\0\0\x02\0\0\0\0\0\x01"), "08P01",
         "bind message has 2 parameter formats but 1 parameters"                                                                                                 },
        {'B',                                 BODY("\0p2\0\0\0\0\0\0\0"), "08P01",
         "bind message supplies 0 parameters, but prepared statement \"p2\" requires 1"                                                                          },
        {'B',
         BODY("\0p2\0\0\0\0\x02\0\0\0\x01"
         "1\0\0\0\x01"
         "2\0\0"),
         "08P01", "bind message supplies 2 parameters, but prepared statement \"p2\" requires 1"                                                                 },
        {'B',               BODY("\0p2\0\0\0\0\x01\xff\xff\xff\xfe\0\0"), "08P01",
         "insufficient data left in message"                                                                                                                     },
        {'B',               BODY("\0p2\0\0\0\0\x01\0\0\0\x64\0\0\0\x05"), "08P01",
         "insufficient data left in message"                                                                                                                     },
        {'B',
         BODY("\0p2\0\0\x01\0\x02\0\x01\0\0\0\x01"
         "1\0\0"),
         "22023",                                                   "unsupported format code: 2"                                                                 },
        {'B',     BODY("\0p2\0\0\x01\xff\xff\0\x01\xff\xff\xff\xff\0\0"), "22023",
         "unsupported format code: -1"                                                                                                                           },
        {'B',
         BODY("\0p2\0\0\0\0\x01\0\0\0\x01"
         "1\0\x02\0\0\0\x01"),
         "08P01",                    "bind message has 2 result formats but query has 1 columns"                                                                 },
        {'B',     BODY("\0p2\0\0\x01\0\x01\0\x01\0\0\0\x03\0\0\x05\0\0"), "08P01",
         "insufficient data left in message"                                                                                                                     },
        {'B', BODY("\0p2\0\0\x01\0\x01\0\x01\0\0\0\x05\0\0\0\0\x05\0\0"), "22P03",
         "incorrect binary data format in bind parameter 1"                                                                                                      },
        {'B',               BODY("\0p2\0\0\x01\0\x01\0\x01\0\0\0\0\0\0"), "08P01",
         "insufficient data left in message"                                                                                                                     },
        {'B',
         BODY("\0p2\0\0\0\0\x01\0\0\0\x03"
         "abc\0\0"),
         "22P02",                               "invalid input syntax for type integer: \"abc\""                                                                 },
        {'B',
         BODY("\0p2\0\0\0\0\x01\0\0\0\x02"
         "1\xff\0\0"),
         "22021",                            "invalid byte sequence for encoding \"UTF8\": 0xff"                                                                 },
        {'B',                             BODY("\0nosuch\0\0\0\0\0\0\0"), "26000",
         "prepared statement \"nosuch\" does not exist"                                                                                                          },
 /* Describe */
        {'D',                                             BODY("Xfoo\0"), "08P01",                                          "invalid DESCRIBE message subtype 88"},
        {'D',                                             BODY("Sp2\0x"), "08P01",                                                       "invalid message format"},
        {'D',                                                   BODY(""), "08P01",                                                      "no data left in message"},
        {'D',                                                  BODY("S"), "08P01",                                                    "invalid string in message"},
 /* Execute */
        {'E',                                        BODY("\0\0\0\0\0x"), "08P01",                                                       "invalid message format"},
        {'E',                                             BODY("\0\0\0"), "08P01",                                            "insufficient data left in message"},
        {'E',                                      BODY("nop\0\0\0\0\0"), "34000",                                                "portal \"nop\" does not exist"},
 /* Close */
        {'C',                                             BODY("Xfoo\0"), "08P01",                                             "invalid CLOSE message subtype 88"},
        {'C',                                             BODY("Sp2\0x"), "08P01",                                                       "invalid message format"},
        {'C',                                                   BODY(""), "08P01",                                                      "no data left in message"},
    };
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "p2", "select $1::int", 0, NO_TYPES);
    fe_sync(&b);
    expect_batch(k, &b, "1\nZ I\n");
    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        const bad_case *c = &cases[i];
        fe_msg(&b, c->type, c->body, c->len);
        fe_bind0(&b, "", "p2"); /* skipped */
        fe_sync(&b);
        bk_buf_clear(&k->out);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
        char *got = render(&k->out, 0);
        bool ok = strcmp(got, "E ERROR \n") > 0 && strstr(got, "\nZ I\n") != NULL;
        free(got);
        if (!ok) {
            fail_msg("case %zu (%c) did not get one error and one ReadyForQuery", i, c->type);
        }
        be_msg e = nth_error(&k->out, 0);
        if (strcmp(be_field(&e, 'C'), c->code) != 0 || strcmp(be_field(&e, 'M'), c->message) != 0) {
            fail_msg("case %zu (%c): got %s \"%s\", want %s \"%s\"", i, c->type, be_field(&e, 'C'),
                     be_field(&e, 'M'), c->code, c->message);
        }
        assert_string_equal(be_field(&e, 'S'), "ERROR");
    }
    /* The statement survived all of it, and the session answers. */
    fe_val five[] = {VAL("5")};
    fe_bind(&b, "", "p2", 0, NULL, 1, five, 0, NULL);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "2\nD 5\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_extended_result_format_codes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_parse(&b, "m", "select 1, 2.5, 'x'", 0, NO_TYPES);
    static const int16_t per_col[] = {1, 0, 1};
    fe_bind(&b, "", "m", 0, NULL, 0, NULL, 3, per_col);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    static const int16_t one_bin[] = {1};
    fe_bind(&b, "", "m", 0, NULL, 0, NULL, 1, one_bin);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    static const int16_t zero[] = {0};
    fe_bind(&b, "", "m", 0, NULL, 0, NULL, 1, zero);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\n2\nT ?column?:23/1 ?column?:1700 ?column?:25/1\nD \\x00000001|2.5|x\n"
                 "C SELECT 1\n"
                 "2\nT ?column?:23/1 ?column?:1700/1 ?column?:25/1\n"
                 "D \\x00000001|\\x000200000000000100021388|x\nC SELECT 1\n"
                 "2\nD 1|2.5|x\nC SELECT 1\nZ I\n");
    /*
     * A code other than 0 or 1 is accepted by Bind, shown by Describe, and refused when the
     * first row is sent (PostgreSQL's printtup); a result without rows never notices.
     */
    static const int16_t two[] = {2};
    fe_parse(&b, "z", "select k from t where k > $1", 0, NO_TYPES);
    fe_val v[] = {VAL("0")};
    fe_bind(&b, "", "z", 0, NULL, 1, v, 1, two);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    fe_val none[] = {VAL("100")};
    fe_bind(&b, "", "z", 0, NULL, 1, none, 1, two);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\nT k:23/2\nE ERROR 22023\nZ I\n2\nC SELECT 0\nZ I\n");
    expect_error_message(&k->out, 0, "22023", "unsupported format code: 2");
    /* Statements without columns take one code (any) but not two. */
    fe_parse(&b, "", "set DateStyle = 'ISO'", 0, NO_TYPES);
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, one_bin);
    fe_execute(&b, "", 0);
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 3, per_col);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\nC SET\nE ERROR 08P01\nZ I\n");
    expect_error_message(&k->out, 0, "08P01",
                         "bind message has 3 result formats but query has 0 columns");
    conn_close(k);
}

/* ---- binary results -------------------------------------------------------------------------- */

static void test_extended_binary_results_every_type(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    static const int16_t bin[] = {1};
    fe_parse(&b, "",
             "select 0::numeric, 0.00::numeric, 1::numeric, -1::numeric, 10000::numeric, "
             "12345.678::numeric, 0.0001::numeric, 0.00001::numeric, 1e20::numeric, "
             "123456789012345678901234567890.12345678::numeric, -0.5::numeric, 100.10::numeric, "
             "1.000000::numeric",
             0, NO_TYPES);
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
    fe_execute(&b, "", 0);
    fe_parse(&b, "",
             "select true, false, 1::int2, -2::int4, 3::int8, 1.5::float4, '-0'::float8, "
             "'NaN'::float8, 'Infinity'::float4, 'abc'::text, 'ab'::varchar, 'nm'::name, 26::oid, "
             "'2011-12-09'::date, '1999-12-31'::date, '2011-12-09 08:26:00.5'::timestamp, "
             "'2011-12-09 08:26:00+02'::timestamptz, '1 year 2 mons 3 days 04:05:06.7'::interval, "
             "'-1 day'::interval, null::int4",
             0, NO_TYPES);
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    /* PostgreSQL 15.18's bytes for the same statement. */
    expect_batch(
        k, &b,
        "1\n2\n"
        "D \\x0000000000000000|\\x0000000000000002|\\x00010000000000000001"
        "|\\x00010000400000000001|\\x00010001000000000001|\\x0003000100000003000109291a7c"
        "|\\x0001ffff000000040001|\\x0001fffe0000000503e8|\\x00010005000000000001"
        "|\\x000a000700000008000c0d801ed204d2162e23340d801ed204d2162e"
        "|\\x0001ffff400000011388|\\x0002000000000002006403e8|\\x00010000000000060001\n"
        "C SELECT 1\n"
        "1\n2\n"
        "T ?column?:16/1 ?column?:16/1 int2:21/1 ?column?:23/1 int8:20/1 float4:700/1 float8:701/1 "
        "float8:701/1 float4:700/1 text:25/1 varchar:1043/1 name:19/1 oid:26/1 date:1082/1 "
        "date:1082/1 timestamp:1114/1 timestamptz:1184/1 interval:1186/1 interval:1186/1 "
        "int4:23/1\n"
        "D \\x01|\\x00|\\x0001|\\xfffffffe|\\x0000000000000003|\\x3fc00000"
        "|\\x8000000000000000|\\x7ff8000000000000|\\x7f800000|abc|ab|nm|\\x0000001a"
        "|\\x00001108|\\xffffffff|\\x000156a34dbb7720|\\x000156a1a08c8e00"
        "|\\x000000036c966ee0000000030000000e|\\x0000000000000000ffffffff00000000|NULL\n"
        "C SELECT 1\n"
        "Z I\n");
    conn_close(k);
}

static void test_extended_binary_numeric_encoding_round_trips(void **state)
{
    (void)state;
    /*
     * Every numeric the executor holds (38 digits, scales 0..38) goes out in binary and
     * comes back through a binary parameter unchanged, with the same text form: the encoder
     * (format_binary.c) and the decoder (query's engine.c) agree, over random values.
     */
    conn *k = conn_ready();
    bk_test_rng rng;
    bk_test_rng_init(&rng, 0xB1A5);
    static const int16_t bin[] = {1};
    static const uint32_t numeric[] = {BK_OID_NUMERIC};
    bk_buf b = {0};
    fe_parse(&b, "echo", "select $1", 1, numeric);
    fe_sync(&b);
    expect_batch(k, &b, "1\nZ I\n");
    for (int round = 0; round < 300; round++) {
        char lit[128];
        int digits = (int)bk_test_rng_range(&rng, 1, 38);
        int scale = (int)bk_test_rng_range(&rng, 0, digits);
        size_t n = 0;
        if (bk_test_rng_bool(&rng)) {
            lit[n++] = '-';
        }
        for (int i = 0; i < digits; i++) {
            if (i == digits - scale) {
                if (i == 0) {
                    lit[n++] = '0';
                }
                lit[n++] = '.';
            }
            int d = (int)bk_test_rng_below(&rng, 10);
            if (bk_test_rng_below(&rng, 4) == 0) {
                d = 0; /* runs of zeros exercise digit stripping */
            }
            lit[n++] = (char)('0' + d);
        }
        lit[n] = '\0';
        /* Text in, binary out. */
        char sql[200];
        snprintf(sql, sizeof sql, "select %s::numeric", lit);
        fe_parse(&b, "", sql, 0, NO_TYPES);
        fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
        fe_execute(&b, "", 0);
        fe_sync(&b);
        bk_buf_clear(&k->out);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
        size_t pos = 0;
        be_msg m;
        assert_true(be_next(&k->out, &pos, &m) && m.type == '1');
        assert_true(be_next(&k->out, &pos, &m) && m.type == '2');
        assert_true(be_next(&k->out, &pos, &m) && m.type == 'D');
        uint32_t len = bk_get_be32(m.body + 2);
        bk_buf value = {0};
        put_bytes(&value, m.body + 6, len);
        /* Binary in, text out: the text PostgreSQL prints for the literal. */
        bk_buf_clear(&k->out);
        fe_val v[] = {
            {(int32_t)value.len, value.ptr}
        };
        fe_bind(&b, "", "echo", 1, bin, 1, v, 0, NULL);
        fe_execute(&b, "", 0);
        fe_sync(&b);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
        pos = 0;
        assert_true(be_next(&k->out, &pos, &m) && m.type == '2');
        assert_true(be_next(&k->out, &pos, &m) && m.type == 'D');
        bk_buf got = {0};
        put_bytes(&got, m.body + 6, bk_get_be32(m.body + 2));
        put_bytes(&got, "", 1);
        /* The canonical text: strip a leading "-" from zero and leading zeros of the integer
           part, as numeric_out does. */
        char canon[128];
        const char *p = lit;
        bool neg = *p == '-';
        p += neg;
        while (p[0] == '0' && p[1] != '.' && p[1] != '\0') {
            p++;
        }
        bool zero = strspn(p, "0.") == strlen(p);
        snprintf(canon, sizeof canon, "%s%s", neg && !zero ? "-" : "", p);
        if (strcmp(got.ptr, canon) != 0) {
            fail_msg("numeric %s came back as %s", canon, got.ptr);
        }
        bk_buf_free(&got);
        bk_buf_free(&value);
    }
    conn_close(k);
}

/* ---- binary parameters -------------------------------------------------------------------------
 */

static void test_extended_binary_parameters_every_type(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    static const uint32_t types[] = {
        BK_OID_BOOL,        BK_OID_INT2,     BK_OID_INT4, BK_OID_INT8,    BK_OID_FLOAT4,
        BK_OID_FLOAT8,      BK_OID_NUMERIC,  BK_OID_TEXT, BK_OID_VARCHAR, BK_OID_BPCHAR,
        BK_OID_NAME,        BK_OID_CHAR,     BK_OID_OID,  BK_OID_DATE,    BK_OID_TIMESTAMP,
        BK_OID_TIMESTAMPTZ, BK_OID_INTERVAL, BK_OID_INT4,
    };
    fe_parse(&b, "all",
             "select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
             "$18",
             (uint16_t)BK_ARRAY_LEN(types), types);
    fe_describe(&b, 'S', "all");
    static const int16_t bin[] = {1};
    fe_val v[] = {
        VAL("\x01"),
        VAL("\x00\x01"),
        VAL("\xff\xff\xff\xfe"),
        VAL("\x00\x00\x00\x00\x00\x00\x00\x03"),
        VAL("\x3f\xc0\x00\x00"),
        VAL("\x80\x00\x00\x00\x00\x00\x00\x00"),
        VAL("\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c"),
        VAL("h\xc3\xa9llo"),
        VAL("ab"),
        VAL("xy "),
        VAL("nm"),
        VAL("x"),
        VAL("\xee\x6b\x28\x00"),
        VAL("\x00\x00\x11\x08"),
        VAL("\x00\x01\x56\xa3\x4d\xbb\x77\x20"),
        VAL("\x00\x01\x56\xa1\xa0\x8c\x8e\x00"),
        VAL("\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03"),
        NULLV,
    };
    fe_bind(&b, "", "all", 1, bin, (uint16_t)BK_ARRAY_LEN(v), v, 0, NULL);
    fe_execute(&b, "", 0);
    /* The same values back in binary: the bytes that went in. */
    fe_bind(&b, "", "all", 1, bin, (uint16_t)BK_ARRAY_LEN(v), v, 1, bin);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\nt 16 21 23 20 700 701 1700 25 1043 1042 19 18 26 1082 1114 1184 1186 23\n"
                 "T ?column?:16 ?column?:21 ?column?:23 ?column?:20 ?column?:700 ?column?:701 "
                 "?column?:1700 ?column?:25 ?column?:1043 ?column?:1042 ?column?:19 ?column?:18 "
                 "?column?:26 ?column?:1082 ?column?:1114 ?column?:1184 ?column?:1186 "
                 "?column?:23\n"
                 "2\n"
                 "D t|1|-2|3|1.5|-0|12345.678|h\xc3\xa9llo|ab|xy |nm|x|4000000000|2011-12-09"
                 "|2011-12-09 08:26:00.5|2011-12-09 06:26:00+00|3 mons 2 days 00:00:00.000001"
                 "|NULL\n"
                 "C SELECT 1\n"
                 "2\n"
                 "D \\x01|\\x0001|\\xfffffffe|\\x0000000000000003|\\x3fc00000|\\x8000000000000000"
                 "|\\x0003000100000003000109291a7c|h\xc3\xa9llo|ab|xy |nm|x|\\xee6b2800"
                 "|\\x00001108|\\x000156a34dbb7720|\\x000156a1a08c8e00"
                 "|\\x00000000000000010000000200000003|NULL\n"
                 "C SELECT 1\n"
                 "Z I\n");
    /* Parameters in both formats in one Bind, one code per parameter. */
    static const uint32_t two[] = {BK_OID_INT4, BK_OID_INT4};
    fe_parse(&b, "", "select $1 + $2", 2, two);
    static const int16_t mixed[] = {0, 1};
    fe_val tv[] = {VAL("40"), VAL("\x00\x00\x00\x02")};
    fe_bind(&b, "", "", 2, mixed, 2, tv, 0, NULL);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\n2\nD 42\nC SELECT 1\nZ I\n");
    conn_close(k);
}

typedef struct param_case {
    uint32_t oid;
    const char *bytes;
    int32_t len;
    const char *code;    /* NULL: success */
    const char *message; /* the error's, or the value's text form */
} param_case;

#define PBYTES(s) (s), (int32_t)(sizeof(s) - 1)

static void test_extended_binary_parameter_errors_and_edges(void **state)
{
    (void)state;
    static const param_case cases[] = {
  /* numeric_recv */
        {    BK_OID_NUMERIC,                 PBYTES("\x00\x02\x00\x00\x00\x00\x00\x01\x00\x01\x16\x2e"),NULL,                                                    "1.5"                                                                                                                 },
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\xff\xfe\x00\x00\x00\x05\x03\xe8"),    NULL,                                                         "0.00001"},
        {    BK_OID_NUMERIC,                 PBYTES("\x00\x02\x00\x00\x40\x00\x00\x02\x00\x64\x03\xe8"),    NULL,
         "-100.10"                                                                                                                                                                 },
        {    BK_OID_NUMERIC,                 PBYTES("\x00\x02\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00"),    NULL,                                                               "0"},
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\xff\x9c\x00\x00\x00\x00\x00\x01"),    NULL,                                                               "0"},
        {    BK_OID_NUMERIC,                                 PBYTES("\x00\x00\x00\x00\x00\x00\x00\x02"),    NULL,                                                            "0.00"},
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\x00\x00\x10\x00\x00\x00\x00\x01"), "22P03",
         "invalid sign in external \"numeric\" value"                                                                                                                              },
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\x00\x00\x00\x00\x00\x00\x27\x10"), "22P03",
         "invalid digit in external \"numeric\" value"                                                                                                                             },
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff"), "22P03",
         "invalid digit in external \"numeric\" value"                                                                                                                             },
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\x00\x00\x00\x00\x40\x00\x00\x01"), "22P03",
         "invalid scale in external \"numeric\" value"                                                                                                                             },
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x02\x00\x00\x00\x00\x00\x00\x00\x01"), "08P01",
         "insufficient data left in message"                                                                                                                                       },
        {    BK_OID_NUMERIC,                 PBYTES("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x02"), "22P03",
         "incorrect binary data format in bind parameter 1"                                                                                                                        },
        {    BK_OID_NUMERIC,                                                     PBYTES("\x00\x00\x00"), "08P01",                               "insufficient data left in message"},
 /* Values PostgreSQL holds and Basket does not: 0A000 as in text form; beyond 38
  digits 22003. */
        {    BK_OID_NUMERIC,                                 PBYTES("\x00\x00\x00\x00\xc0\x00\x00\x00"), "0A000",
         "numeric NaN and infinity are not supported by Basket"                                                                                                                    },
        {    BK_OID_NUMERIC,                                 PBYTES("\x00\x00\x00\x00\xd0\x00\x00\x00"), "0A000",
         "numeric NaN and infinity are not supported by Basket"                                                                                                                    },
        {    BK_OID_NUMERIC,                         PBYTES("\x00\x01\x00\x64\x00\x00\x00\x00\x00\x01"), "22003",
         "value overflows numeric format"                                                                                                                                          },
 /* fixed widths: short is 08P01, long is 22P03 */
        {       BK_OID_BOOL,                                                             PBYTES("\x02"),    NULL,                                                               "t"},
        {       BK_OID_BOOL,                                                                 PBYTES(""), "08P01",                                         "no data left in message"},
        {       BK_OID_BOOL,                                                         PBYTES("\x01\x01"), "22P03",
         "incorrect binary data format in bind parameter 1"                                                                                                                        },
        {       BK_OID_INT2,                                                             PBYTES("\x01"), "08P01",                               "insufficient data left in message"},
        {       BK_OID_INT8,                                                 PBYTES("\x00\x00\x00\x01"), "08P01",                               "insufficient data left in message"},
        {     BK_OID_FLOAT8,                                 PBYTES("\x7f\xf0\x00\x00\x00\x00\x00\x00"),    NULL,                                                        "Infinity"},
        {     BK_OID_FLOAT4,                                             PBYTES("\x00\x00\x00\x00\x00"), "22P03",
         "incorrect binary data format in bind parameter 1"                                                                                                                        },
        {        BK_OID_OID,                                                 PBYTES("\xff\xff\xff\xff"),    NULL,                                                      "4294967295"},
        {   BK_OID_INTERVAL,                 PBYTES("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), "08P01",
         "insufficient data left in message"                                                                                                                                       },
 /* dates and timestamps: PostgreSQL's ranges */
        {       BK_OID_DATE,                                                 PBYTES("\x7f\xff\xff\xf0"), "22008",                                               "date out of range"},
        {       BK_OID_DATE,                                                 PBYTES("\xff\xda\x97\xa6"), "22008",                                               "date out of range"},
        {       BK_OID_DATE,                                                 PBYTES("\xff\xda\x97\xa7"),    NULL,                                                   "4714-11-24 BC"},
        {       BK_OID_DATE,                                                 PBYTES("\x7f\xda\x97\x0c"),    NULL,                                                   "5874897-12-31"},
        {       BK_OID_DATE,                                                 PBYTES("\x7f\xda\x97\x0d"), "22008",                                               "date out of range"},
        {  BK_OID_TIMESTAMP,                                 PBYTES("\xfd\x0f\x7c\xc1\x41\x1f\xa0\x00"),    NULL,
         "4714-11-24 00:00:00 BC"                                                                                                                                                  },
        {  BK_OID_TIMESTAMP,                                 PBYTES("\xfd\x0f\x7c\xc1\x41\x1f\x9f\xff"), "22008",
         "timestamp out of range"                                                                                                                                                  },
        {BK_OID_TIMESTAMPTZ,                                 PBYTES("\x7f\xff\xff\x5b\xb3\xb2\x9f\xff"),    NULL,
         "294276-12-31 23:59:59.999999+00"                                                                                                                                         },
        {       BK_OID_DATE,                                                 PBYTES("\x7f\xff\xff\xff"), "0A000",
         "infinite dates are not supported by Basket"                                                                                                                              },
        {  BK_OID_TIMESTAMP,                                 PBYTES("\x40\x00\x00\x00\x00\x00\x00\x00"),    NULL,
         "148138-07-06 14:00:27.387904"                                                                                                                                            },
        {  BK_OID_TIMESTAMP,                                 PBYTES("\x7f\xff\xff\xff\xff\xff\xff\xff"), "0A000",
         "infinite timestamps are not supported by Basket"                                                                                                                         },
        {BK_OID_TIMESTAMPTZ,                                 PBYTES("\x7f\xff\xff\xff\x00\x00\x00\x00"), "22008",
         "timestamp out of range"                                                                                                                                                  },
 /* text types: the encoding is checked; name and "char" have their own sizes */
        {       BK_OID_TEXT,                                                            PBYTES("a\xff"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xff"                                                                                                                       },
        {       BK_OID_TEXT,                                                             PBYTES("a\0b"), "22021",               "invalid byte sequence for encoding \"UTF8\": 0x00"},
        {    BK_OID_VARCHAR,                                                         PBYTES("\xe2\x82"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82"                                                                                                                  },
        {       BK_OID_TEXT,                                                                 PBYTES(""),    NULL,                                                                ""},
        {       BK_OID_NAME, PBYTES("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
         "42622",                                             "identifier too long"                                                                                                },
        {       BK_OID_NAME,  PBYTES("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
         NULL, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"                                                                                                   },
        {       BK_OID_CHAR,                                                               PBYTES("xy"), "22P03",                "incorrect binary data format in bind parameter 1"},
        {       BK_OID_CHAR,                                                                 PBYTES(""), "08P01",                                         "no data left in message"},
        {       BK_OID_CHAR,                                                             PBYTES("\x00"),    NULL,                                                                ""},
    };
    conn *k = conn_ready();
    bk_buf b = {0};
    static const int16_t bin[] = {1};
    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        const param_case *c = &cases[i];
        fe_parse(&b, "", "select $1", 1, &c->oid);
        fe_val v[] = {
            {c->len, c->bytes}
        };
        fe_bind(&b, "", "", 1, bin, 1, v, 0, NULL);
        fe_execute(&b, "", 0);
        fe_sync(&b);
        bk_buf_clear(&k->out);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
        size_t pos = 0;
        be_msg m;
        assert_true(be_next(&k->out, &pos, &m) && m.type == '1');
        assert_true(be_next(&k->out, &pos, &m));
        if (c->code != NULL) {
            if (m.type != 'E' || strcmp(be_field(&m, 'C'), c->code) != 0 ||
                strcmp(be_field(&m, 'M'), c->message) != 0) {
                fail_msg("case %zu: got %c %s \"%s\", want %s \"%s\"", i, m.type,
                         m.type == 'E' ? be_field(&m, 'C') : "",
                         m.type == 'E' ? be_field(&m, 'M') : "", c->code, c->message);
            }
            assert_true(be_next(&k->out, &pos, &m) && m.type == 'Z');
            continue;
        }
        if (m.type != '2') {
            fail_msg("case %zu: got %c %s \"%s\", want success", i, m.type, be_field(&m, 'C'),
                     be_field(&m, 'M'));
        }
        assert_true(be_next(&k->out, &pos, &m) && m.type == 'D');
        uint32_t len = bk_get_be32(m.body + 2);
        if (len != strlen(c->message) || memcmp(m.body + 6, c->message, len) != 0) {
            fail_msg("case %zu: value \"%.*s\", want \"%s\"", i, (int)len, (const char *)m.body + 6,
                     c->message);
        }
    }
    /* The detail PostgreSQL gives for a long name. */
    static const uint32_t name_oid[] = {BK_OID_NAME};
    fe_parse(&b, "", "select $1", 1, name_oid);
    fe_val longname[] = {
        VAL("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")};
    fe_bind(&b, "", "", 1, bin, 1, longname, 0, NULL);
    fe_sync(&b);
    expect_batch(k, &b, "1\nE ERROR 42622\nZ I\n");
    be_msg e = nth_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'D'), "Identifier must be less than 64 characters.");
    conn_close(k);
}

static void test_extended_parameter_inference_and_text_values(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    /* node-postgres style: no declared types, text values; types inferred from the use. */
    fe_parse(&b, "", "select k, y from t where k >= $1 and k < $2 + 1 order by k", 0, NO_TYPES);
    fe_describe(&b, 'S', "");
    fe_val v[] = {VAL(" 2"), VAL("3")};
    fe_bind(&b, "", "", 0, NULL, 2, v, 0, NULL);
    fe_execute(&b, "", 0);
    fe_val nulls[] = {NULLV, VAL("3")};
    fe_bind(&b, "", "", 0, NULL, 2, nulls, 0, NULL);
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\nt 23 23\nT k:23 y:25\n2\nD 2|b\nD 3|NULL\nC SELECT 2\n2\nC SELECT 0\nZ I\n");
    /* psycopg style: declared int2 for a small integer, binary. */
    static const uint32_t int2[] = {BK_OID_INT2};
    fe_parse(&b, "_pg3_0", "select y from t where k = $1", 1, int2);
    fe_describe(&b, 'S', "_pg3_0");
    static const int16_t bin[] = {1};
    fe_val one[] = {VAL("\x00\x04")};
    fe_bind(&b, "", "_pg3_0", 1, bin, 1, one, 1, bin);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    expect_batch(k, &b, "1\nt 21\nT y:25\n2\nT y:25/1\nD a\nC SELECT 1\nZ I\n");
    conn_close(k);
}

/* ---- splits, pipelines, backpressure ----------------------------------------------------------
 */

/* Runs `in` on a new connection in chunks ending at `cuts`; appends all output to `out`. */
static bk_pq_status run_chunks(const bk_pq_config *cfg,
                               const bk_buf *in,
                               const size_t *cuts,
                               size_t n_cuts,
                               bk_buf *out)
{
    conn *k = conn_open_cfg(cfg);
    size_t at = 0;
    bk_pq_status st = BK_PQ_NEED_INPUT;
    for (size_t i = 0; i <= n_cuts && st == BK_PQ_NEED_INPUT; i++) {
        size_t end = i < n_cuts ? cuts[i] : in->len;
        st = conn_send(k, in->ptr + at, end - at);
        at = end;
    }
    assert_int_equal(bk_buf_append(out, k->out.ptr, k->out.len), BK_OK);
    conn_close(k);
    return st;
}

static void test_extended_conversation_split_at_every_offset(void **state)
{
    (void)state;
    bk_pq_config cfg = {.engine = g_engine};
    bk_buf in = {0};
    fe_startup(&in, USER_X);
    fe_parse(&in, "s", "select k, y from t where k > $1 order by k", 0, NO_TYPES);
    fe_describe(&in, 'S', "s");
    static const int16_t bin[] = {1};
    fe_val v[] = {VAL("\x00\x00\x00\x02")};
    fe_bind(&in, "p", "s", 1, bin, 1, v, 1, bin);
    fe_describe(&in, 'P', "p");
    fe_execute(&in, "p", 2);
    fe_msg(&in, 'H', "", 0);
    fe_execute(&in, "p", 0);
    fe_close(&in, 'P', "p");
    fe_sync(&in);
    fe_query(&in, "set application_name = 'split'");
    fe_parse(&in, "", "", 0, NO_TYPES);
    fe_bind0(&in, "", "");
    fe_execute(&in, "", 0);
    fe_bind0(&in, "", "nosuch");
    fe_execute(&in, "", 0);
    fe_sync(&in);
    fe_val bad[] = {VAL("x")};
    fe_bind(&in, "", "s", 0, NULL, 1, bad, 0, NULL);
    fe_sync(&in);
    fe_close(&in, 'S', "s");
    fe_sync(&in);
    fe_msg(&in, 'X', "", 0);
    bk_buf ref = {0};
    assert_int_equal(run_chunks(&cfg, &in, NULL, 0, &ref), BK_PQ_CLOSE);
    char *got = render(&ref, 0);
    const char *body = strstr(got, "Z I\n");
    assert_non_null(body);
    if (strcmp(body + 4, "1\nt 23\nT k:23 y:25\n"
                         "2\nT k:23/1 y:25/1\nD \\x00000003|NULL\nD \\x00000004|a\ns\n"
                         "D \\x00000005|NULL\nC SELECT 1\n3\nZ I\n"
                         "C SET\nS application_name=split\nZ I\n"
                         "1\n2\nI\nE ERROR 26000\nZ I\n"
                         "E ERROR 22P02\nZ I\n"
                         "3\nZ I\n") != 0) {
        static char copy[8192];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("conversation answered:\n%s", copy);
    }
    free(got);
    for (size_t cut = 0; cut <= in.len; cut++) {
        bk_buf out = {0};
        assert_int_equal(run_chunks(&cfg, &in, &cut, 1, &out), BK_PQ_CLOSE);
        bool same = out.len == ref.len && memcmp(out.ptr, ref.ptr, ref.len) == 0;
        bk_buf_free(&out);
        if (!same) {
            bk_buf_free(&ref);
            bk_buf_free(&in);
            fail_msg("output differs when the input is split at offset %zu", cut);
        }
    }
    size_t *cuts = malloc(in.len * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < in.len; i++) {
        cuts[i] = i;
    }
    bk_buf out = {0};
    assert_int_equal(run_chunks(&cfg, &in, cuts, in.len, &out), BK_PQ_CLOSE);
    free(cuts);
    assert_int_equal(out.len, ref.len);
    assert_memory_equal(out.ptr, ref.ptr, ref.len);
    bk_buf_free(&out);
    bk_buf_free(&ref);
    bk_buf_free(&in);
}

static void test_extended_thousand_message_pipeline(void **state)
{
    (void)state;
    /* 1,200 messages in one write: 200 batches of Parse, Bind, Describe, Execute, Close or
       Flush, Sync, alternating unnamed and named statements; every tenth fails at Bind
       (an unnamed one: a failed named batch would skip its Close and leave the name taken)
       and skips to its Sync. */
    bk_pq_config cfg = {.engine = g_engine};
    bk_buf in = {0};
    fe_startup(&in, USER_X);
    char sql[80];
    for (int i = 0; i < 200; i++) {
        snprintf(sql, sizeof sql, "select k + %d from t where k = $1", i);
        fe_parse(&in, i % 2 == 0 ? "" : "named", sql, 0, NO_TYPES);
        char val[8];
        int n = snprintf(val, sizeof val, "%d", i % 5 + 1);
        fe_val v[] = {
            {i % 10 == 8 ? 1 : n, i % 10 == 8 ? "x" : val}
        };
        fe_bind(&in, "", i % 2 == 0 ? "" : "named", 0, NULL, 1, v, 0, NULL);
        fe_describe(&in, 'P', "");
        fe_execute(&in, "", 0);
        if (i % 2 == 1) {
            fe_close(&in, 'S', "named");
        } else {
            fe_msg(&in, 'H', "", 0);
        }
        fe_sync(&in);
    }
    bk_buf ref = {0};
    assert_int_equal(run_chunks(&cfg, &in, NULL, 0, &ref), BK_PQ_NEED_INPUT);
    size_t pos = 0, n_z = 0, n_e = 0, n_d = 0, n_1 = 0;
    be_msg m;
    while (be_next(&ref, &pos, &m)) {
        n_z += m.type == 'Z';
        n_e += m.type == 'E';
        n_d += m.type == 'D';
        n_1 += m.type == '1';
    }
    assert_int_equal(n_z, 201);
    assert_int_equal(n_e, 20);
    assert_int_equal(n_d, 180);
    assert_int_equal(n_1, 200);
    /* One byte at a time, and random chunks, give the same bytes. */
    size_t *cuts = malloc(in.len * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < in.len; i++) {
        cuts[i] = i;
    }
    bk_buf out = {0};
    assert_int_equal(run_chunks(&cfg, &in, cuts, in.len, &out), BK_PQ_NEED_INPUT);
    assert_int_equal(out.len, ref.len);
    assert_memory_equal(out.ptr, ref.ptr, ref.len);
    bk_buf_free(&out);
    bk_test_rng rng;
    bk_test_rng_init(&rng, 0xE17);
    for (int round = 0; round < 5; round++) {
        size_t n = 0;
        for (size_t at = 0; at < in.len && n < in.len; n++) {
            at += (size_t)bk_test_rng_range(&rng, 1, 500);
            cuts[n] = BK_MIN(at, in.len);
        }
        assert_int_equal(run_chunks(&cfg, &in, cuts, n, &out), BK_PQ_NEED_INPUT);
        assert_int_equal(out.len, ref.len);
        assert_memory_equal(out.ptr, ref.ptr, ref.len);
        bk_buf_free(&out);
    }
    free(cuts);
    bk_buf_free(&ref);
    bk_buf_free(&in);
}

/* Runs `in` with the given high-water mark, draining output whenever it is full. */
static unsigned run_drained(size_t high_water, const bk_buf *in, bk_buf *all, size_t *max_out)
{
    bk_pq_config cfg = {.engine = g_engine, .output_high_water = high_water};
    conn *k = conn_ready_cfg(&cfg);
    put_bytes(&k->in, in->ptr, in->len);
    unsigned n_full = 0;
    *max_out = 0;
    for (;;) {
        bk_pq_status st = bk_pq_process(k->c, &k->in, &k->out);
        *max_out = BK_MAX(*max_out, k->out.len);
        assert_int_equal(bk_buf_append(all, k->out.ptr, k->out.len), BK_OK);
        bk_buf_clear(&k->out);
        if (st == BK_PQ_OUTPUT_FULL) {
            n_full++;
            assert_true(n_full < 1000000);
            continue;
        }
        assert_int_equal(st, BK_PQ_NEED_INPUT);
        break;
    }
    assert_int_equal(k->in.len, 0);
    conn_close(k);
    return n_full;
}

static void test_extended_execute_streams_under_backpressure(void **state)
{
    (void)state;
    bk_buf in = {0};
    static const int16_t bin[] = {1};
    fe_parse(&in, "", "select id, s from big", 0, NO_TYPES);
    fe_bind(&in, "", "", 0, NULL, 0, NULL, 1, bin);
    fe_execute(&in, "", 0);
    fe_parse(&in, "b", "select id, s from big where id >= $1", 0, NO_TYPES);
    fe_val v[] = {VAL("100")};
    fe_bind(&in, "", "b", 0, NULL, 1, v, 0, NULL);
    fe_execute(&in, "", 5000);
    fe_execute(&in, "", 7);
    fe_execute(&in, "", 0);
    fe_sync(&in);
    fe_query(&in, "select 42");
    bk_buf huge = {0}, small = {0};
    size_t max_huge, max_small;
    unsigned full_huge = run_drained(SIZE_MAX, &in, &huge, &max_huge);
    unsigned full_small = run_drained(4096, &in, &small, &max_small);
    assert_int_equal(full_huge, 0);
    assert_true(full_small >= 2 * (BIG_ROWS / BK_BATCH_ROWS) - 2);
    /* The output never holds much more than one batch of rows beyond the mark. */
    assert_true(max_small < 4096 + BK_BATCH_ROWS * 64);
    assert_int_equal(small.len, huge.len);
    assert_memory_equal(small.ptr, huge.ptr, huge.len);
    char *got = render(&small, 0);
    size_t n_d = 0;
    for (const char *p = got; (p = strstr(p, "\nD ")) != NULL; p++) {
        n_d++;
    }
    assert_int_equal(n_d, BIG_ROWS + (BIG_ROWS - 100) + 1);
    char tail[200];
    snprintf(tail, sizeof tail, "C SELECT %u\n", BIG_ROWS - 100 - 5007);
    assert_non_null(strstr(got, "\ns\n"));
    assert_non_null(strstr(got, tail));
    assert_non_null(strstr(got, "C SELECT 20000\n"));
    assert_non_null(strstr(got, "Z I\nT ?column?:23\nD 42\nC SELECT 1\nZ I\n"));
    free(got);
    bk_buf_free(&huge);
    bk_buf_free(&small);
    bk_buf_free(&in);
}

/* ---- memory limits and allocation failures -------------------------------------------------- */

static void test_extended_statements_are_bounded_by_memory(void **state)
{
    (void)state;
    /* 100,000 Parse messages of named statements: the connection's statement budget turns
       the ones beyond it into 53200, and Close gives the memory back. */
    bk_pq_config cfg = {.engine = g_engine, .statement_memory_limit = 1u << 20};
    conn *k = conn_ready_cfg(&cfg);
    bk_buf b = {0};
    size_t n_ok = 0, n_oom = 0;
    char name[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "s%d", i);
        fe_parse(&b, name, "select k, y from t where k = $1", 0, NO_TYPES);
        fe_sync(&b);
        if (b.len > 64 * 1024 || i == 99999) {
            assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
            size_t pos = 0;
            be_msg m;
            while (be_next(&k->out, &pos, &m)) {
                n_ok += m.type == '1';
                if (m.type == 'E') {
                    assert_string_equal(be_field(&m, 'C'), "53200");
                    n_oom++;
                }
            }
            bk_buf_clear(&k->out);
        }
        assert_true(k->c->stmt_arena == NULL ||
                    bk_arena_bytes(k->c->stmt_arena) <= cfg.statement_memory_limit);
    }
    assert_int_equal(n_ok + n_oom, 100000);
    assert_true(n_ok > 50);
    assert_true(n_oom > 90000);
    be_msg e;
    fe_parse(&b, "one more", "select 1", 0, NO_TYPES);
    fe_sync(&b);
    expect_batch(k, &b, "E ERROR 53200\nZ I\n");
    e = nth_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'M'), "out of memory");
    assert_non_null(strstr(be_field(&e, 'D'), "prepared statements"));
    /* Closing them frees the budget; the session goes on. */
    for (size_t i = 0; i < n_ok; i++) {
        snprintf(name, sizeof name, "s%zu", i);
        fe_close(&b, 'S', name);
    }
    fe_parse(&b, "again", "select 1", 0, NO_TYPES);
    fe_bind0(&b, "", "again");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    bk_buf_clear(&k->out);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    char *got = render(&k->out, 0);
    assert_non_null(strstr(got, "3\n1\n2\nD 1\nC SELECT 1\nZ I\n"));
    free(got);
    assert_true(bk_arena_bytes(k->c->stmt_arena) < 64 * 1024);
    conn_close(k);
}

static void test_extended_portals_are_bounded_by_memory(void **state)
{
    (void)state;
    /* Named portals without Sync: the portal budget stops them with 53200, and the skip
       until Sync throws the rest of the pipeline away without allocating. */
    bk_pq_config cfg = {.engine = g_engine, .portal_memory_limit = 1u << 20};
    conn *k = conn_ready_cfg(&cfg);
    bk_buf b = {0};
    fe_parse(&b, "s", "select k from t where k = $1", 0, NO_TYPES);
    char name[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "p%d", i);
        fe_val v[] = {VAL("1")};
        fe_bind(&b, name, "s", 0, NULL, 1, v, 0, NULL);
        fe_execute(&b, name, 0);
    }
    fe_sync(&b);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    size_t pos = 0, n_2 = 0, n_e = 0, n_z = 0;
    be_msg m;
    while (be_next(&k->out, &pos, &m)) {
        n_2 += m.type == '2';
        n_z += m.type == 'Z';
        if (m.type == 'E') {
            n_e++;
            assert_string_equal(be_field(&m, 'C'), "53200");
        }
    }
    assert_true(n_2 > 10 && n_2 < 100000);
    assert_int_equal(n_e, 1);
    assert_int_equal(n_z, 1);
    assert_int_equal(k->c->portal_bytes, 0);
    assert_null(k->c->portals);
    bk_buf_clear(&k->out);
    fe_val v[] = {VAL("2")};
    fe_bind(&b, "p0", "s", 0, NULL, 1, v, 0, NULL);
    fe_execute(&b, "p0", 0);
    fe_sync(&b);
    expect_batch(k, &b, "2\nD 2\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_extended_allocation_failure_at_every_site(void **state)
{
    (void)state;
    /*
     * SQLite's OOM loop: fail the k-th allocation for every k an extended batch makes. Each
     * run must answer either the normal result or 53200, then one ReadyForQuery, leak
     * nothing, and leave a connection that serves the next batch. Buffers are reserved
     * first so that only the protocol's and engine's own allocations can fail.
     */
    bk_buf b = {0};
    static const int16_t bin[] = {1};
    fe_parse(&b, "st", "select k, y, x + $1 from t where k > $2 order by k", 0, NO_TYPES);
    fe_val v[] = {VAL("\x00\x00\x00\x01"), VAL("1")};
    static const int16_t pf[] = {1, 0};
    fe_bind(&b, "po", "st", 2, pf, 2, v, 1, bin);
    fe_describe(&b, 'S', "st");
    fe_describe(&b, 'P', "po");
    fe_execute(&b, "po", 2);
    fe_execute(&b, "po", 0);
    fe_close(&b, 'S', "st");
    fe_sync(&b);
    conn *k = conn_ready();
    assert_int_equal(bk_buf_reserve(&k->out, 1 << 16), BK_OK);
    assert_int_equal(bk_buf_reserve(&k->in, 1 << 12), BK_OK);
    bk_fault_alloc_arm(UINT64_MAX, false);
    assert_int_equal(conn_send(k, b.ptr, b.len), BK_PQ_NEED_INPUT);
    uint64_t n_allocs = bk_fault_alloc_count();
    bk_fault_alloc_disarm();
    char *want = render(&k->out, 0);
    assert_non_null(strstr(want, "C SELECT 2\n3\nZ I\n"));
    conn_close(k);
    assert_true(n_allocs > 10);
    for (uint64_t fail_at = 0; fail_at <= n_allocs; fail_at++) {
        for (int forever = 0; forever <= 1; forever++) {
            k = conn_ready();
            assert_int_equal(bk_buf_reserve(&k->out, 1 << 16), BK_OK);
            assert_int_equal(bk_buf_reserve(&k->in, 1 << 12), BK_OK);
            bk_fault_alloc_arm(fail_at, forever != 0);
            bk_pq_status st = conn_send(k, b.ptr, b.len);
            bk_fault_alloc_disarm();
            assert_int_equal(st, BK_PQ_NEED_INPUT);
            char *got = render(&k->out, 0);
            bool ok = strcmp(got, want) == 0 || (strstr(got, "E ERROR 53200\nZ I\n") != NULL &&
                                                 strstr(got, "Z I\n") == got + strlen(got) - 4);
            if (!ok) {
                static char copy[4096];
                snprintf(copy, sizeof copy, "%s", got);
                free(got);
                free(want);
                bk_buf_free(&b);
                fail_msg("allocation %llu failing (forever %d) answered:\n%s",
                         (unsigned long long)fail_at, forever, copy);
            }
            free(got);
            /* The connection still serves. */
            bk_buf again = {0};
            fe_close(&again, 'S', "st");
            fe_parse(&again, "", "select 1", 0, NO_TYPES);
            fe_bind0(&again, "", "");
            fe_execute(&again, "", 0);
            fe_sync(&again);
            expect_batch(k, &again, "3\n1\n2\nD 1\nC SELECT 1\nZ I\n");
            conn_close(k);
        }
    }
    free(want);
    bk_buf_free(&b);
}

/* ---- what Npgsql (Power BI) sends ------------------------------------------------------------ */

static void test_extended_npgsql_command_shape(void **state)
{
    (void)state;
    /*
     * A command of three statements as Npgsql 4.0 writes it: Parse (unnamed), Bind (unnamed
     * portal, one result format code 1), Describe (portal), Execute (no limit), three times,
     * then one Sync. Npgsql fails on any other order of answers.
     */
    conn *k = conn_ready();
    bk_buf b = {0};
    static const int16_t bin[] = {1};
    const char *const sqls[] = {"select k, y from t where k <= 2 order by k",
                                "set DateStyle = 'ISO'", "select count(*) from t"};
    for (size_t i = 0; i < 3; i++) {
        fe_parse(&b, "", sqls[i], 0, NO_TYPES);
        fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
        fe_describe(&b, 'P', "");
        fe_execute(&b, "", 0);
    }
    fe_sync(&b);
    expect_batch(k, &b,
                 "1\n2\nT k:23/1 y:25/1\nD \\x00000001|a\nD \\x00000002|b\nC SELECT 2\n"
                 "1\n2\nn\nC SET\n"
                 "1\n2\nT count:20/1\nD \\x0000000000000005\nC SELECT 1\n"
                 "Z I\n");
    /* An error in the first statement: its ErrorResponse, the rest skipped, one
       ReadyForQuery (the type-loading command on a server without pg_type). */
    fe_parse(&b, "", "select oid from pg_type", 0, NO_TYPES);
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_parse(&b, "", "select 1", 0, NO_TYPES);
    fe_bind(&b, "", "", 0, NULL, 0, NULL, 1, bin);
    fe_describe(&b, 'P', "");
    fe_execute(&b, "", 0);
    fe_sync(&b);
    bk_buf_clear(&k->out);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    char *got = render(&k->out, 0);
    assert_true(strncmp(got, "E ERROR ", 8) == 0);
    assert_non_null(strstr(got, "\nZ I\n"));
    assert_int_equal(strlen(strstr(got, "\nZ I\n")), 5);
    free(got);
    conn_close(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_extended_parse_bind_describe_execute_exact_bytes,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_extended_bodiless_answers_exact_bytes, close_leftovers),
        cmocka_unit_test_teardown(test_extended_row_limit_suspends_and_resumes, close_leftovers),
        cmocka_unit_test_teardown(test_extended_describe_statement_and_portal, close_leftovers),
        cmocka_unit_test_teardown(test_extended_unnamed_and_named_lifetimes, close_leftovers),
        cmocka_unit_test_teardown(test_extended_missing_objects, close_leftovers),
        cmocka_unit_test_teardown(test_extended_redefining_a_named_statement_is_42p05,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_extended_names_are_truncated_to_63_bytes, close_leftovers),
        cmocka_unit_test_teardown(test_extended_named_portal_twice_is_42p03, close_leftovers),
        cmocka_unit_test_teardown(test_extended_empty_query_string, close_leftovers),
        cmocka_unit_test_teardown(test_extended_utility_portal_runs_once, close_leftovers),
        cmocka_unit_test_teardown(test_extended_error_skips_until_sync, close_leftovers),
        cmocka_unit_test_teardown(test_extended_simple_query_inside_a_sequence, close_leftovers),
        cmocka_unit_test_teardown(test_extended_query_coalesced_before_a_batch, close_leftovers),
        cmocka_unit_test_teardown(test_extended_malformed_messages, close_leftovers),
        cmocka_unit_test_teardown(test_extended_result_format_codes, close_leftovers),
        cmocka_unit_test_teardown(test_extended_binary_results_every_type, close_leftovers),
        cmocka_unit_test_teardown(test_extended_binary_numeric_encoding_round_trips,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_extended_binary_parameters_every_type, close_leftovers),
        cmocka_unit_test_teardown(test_extended_binary_parameter_errors_and_edges, close_leftovers),
        cmocka_unit_test_teardown(test_extended_parameter_inference_and_text_values,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_extended_conversation_split_at_every_offset,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_extended_thousand_message_pipeline, close_leftovers),
        cmocka_unit_test_teardown(test_extended_execute_streams_under_backpressure,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_extended_statements_are_bounded_by_memory, close_leftovers),
        cmocka_unit_test_teardown(test_extended_portals_are_bounded_by_memory, close_leftovers),
        cmocka_unit_test_teardown(test_extended_allocation_failure_at_every_site, close_leftovers),
        cmocka_unit_test_teardown(test_extended_npgsql_command_shape, close_leftovers),
    };
    return bk_run_group_tests("protocol/extended", tests, group_setup, group_teardown);
}
