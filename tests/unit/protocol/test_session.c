/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol/session.c, sans I/O and byte-exact: the ready phase. Message framing (lengths,
 * type bytes, splits at every offset, coalesced messages), the simple Query flow over a small
 * in-memory table, errors and how the session survives them, the skip until Sync after an
 * error in an extended-protocol message, SET/SHOW/RESET and ParameterStatus, and output
 * backpressure on a large result. PostgreSQL 15 is the reference for every answer (checked on a
 * real server).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bk_test.h"
#include "protocol/protocol.h"

#define PID      0x01020304u
#define SECRET   0xA1B2C3D4u
#define BIG_ROWS 100000u

static bk_db *g_db;
static bk_engine *g_engine;
static bk_table *g_t;

/* ---- frontend messages -------------------------------------------------------------------- */

static void put_bytes(bk_buf *b, const void *p, size_t n)
{
    assert_int_equal(bk_buf_append(b, p, n), BK_OK);
}

static void put_be32(bk_buf *b, uint32_t v)
{
    uint8_t x[4];
    bk_put_be32(x, v);
    put_bytes(b, x, 4);
}

/* A StartupMessage with `version` and the NULL-terminated name/value list `kv`. */
static void fe_startup(bk_buf *b, uint32_t version, const char *const *kv)
{
    size_t start = b->len;
    put_be32(b, 0);
    put_be32(b, version);
    for (; kv != NULL && kv[0] != NULL; kv += 2) {
        put_bytes(b, kv[0], strlen(kv[0]) + 1);
        put_bytes(b, kv[1], strlen(kv[1]) + 1);
    }
    put_bytes(b, "", 1);
    bk_put_be32((uint8_t *)b->ptr + start, (uint32_t)(b->len - start));
}

static void fe_query(bk_buf *b, const char *sql)
{
    put_bytes(b, "Q", 1);
    put_be32(b, (uint32_t)(strlen(sql) + 5));
    put_bytes(b, sql, strlen(sql) + 1);
}

static const char *const USER_X[] = {"user", "x", "database", "basket", NULL};

/* ---- a connection ------------------------------------------------------------------------- */

typedef struct conn {
    bk_pq_conn *c;
    bk_buf in;
    bk_buf out;
    bk_pq_status st;
} conn;

/*
 * Connections live in a small static pool so that the per-test teardown can free the ones a
 * failed assertion left open (LeakSanitizer then reports only real leaks).
 */
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
    for (int guard = 0; guard < 100000; guard++) {
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

/* ---- backend messages --------------------------------------------------------------------- */

typedef struct be_msg {
    char type;
    const uint8_t *body;
    uint32_t len; /* body bytes */
} be_msg;

/* The message at *pos of out (advancing *pos); false at the end. Asserts sane framing. */
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

/* A field of an ErrorResponse / NoticeResponse ("" when absent). */
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

static void render_one(bk_buf *r, const be_msg *m)
{
    const uint8_t *b = m->body;
    bk_rc rc = BK_OK;
    switch (m->type) {
    case 'R':
    case 'Z':
    case 'K':
    case 'v':
        if (m->type == 'Z') {
            rc = bk_buf_printf(r, "Z %c", b[0]);
        } else if (m->type == 'R') {
            rc = bk_buf_printf(r, "R %u", bk_get_be32(b));
        } else if (m->type == 'K') {
            rc = bk_buf_printf(r, "K %08x/%08x", bk_get_be32(b), bk_get_be32(b + 4));
        } else {
            rc = bk_buf_printf(r, "v %08x %u", bk_get_be32(b), bk_get_be32(b + 4));
            for (uint32_t i = 8; rc == BK_OK && i < m->len;) {
                const char *s = (const char *)b + i;
                rc = bk_buf_printf(r, " %s", s);
                i += (uint32_t)strlen(s) + 1;
            }
        }
        break;
    case 'S': {
        const char *name = (const char *)b;
        rc = bk_buf_printf(r, "S %s=%s", name, name + strlen(name) + 1);
        break;
    }
    case 'E':
    case 'N': {
        rc = bk_buf_printf(r, "%c %s %s", m->type, be_field(m, 'S'), be_field(m, 'C'));
        break;
    }
    case 'C':
        rc = bk_buf_printf(r, "C %s", (const char *)b);
        break;
    case 'I':
        rc = bk_buf_printf(r, "I");
        break;
    case 'T': {
        uint16_t n = bk_get_be16(b);
        rc = bk_buf_printf(r, "T");
        uint32_t i = 2;
        for (uint16_t c = 0; rc == BK_OK && c < n; c++) {
            const char *name = (const char *)b + i;
            i += (uint32_t)strlen(name) + 1;
            rc = bk_buf_printf(r, " %s:%u", name, bk_get_be32(b + i + 6));
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
            if (len == UINT32_MAX) {
                rc = bk_buf_printf(r, "%sNULL", c > 0 ? "|" : " ");
            } else {
                rc = bk_buf_printf(r, "%s%.*s", c > 0 ? "|" : " ", (int)len, (const char *)b + i);
                i += len;
            }
        }
        break;
    }
    default:
        rc = bk_buf_printf(r, "%c(%u bytes)", m->type, m->len);
        break;
    }
    assert_int_equal(rc, BK_OK);
}

/* Renders output from byte `from` on, one message per line. Heap string. */
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
        static char copy[16384];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("backend output:\n%s\nexpected:\n%s", copy, want);
    }
    free(got);
}

/* The first ErrorResponse in out from `from`. */
static be_msg first_error(const bk_buf *out, size_t from)
{
    size_t pos = from;
    be_msg m;
    while (be_next(out, &pos, &m)) {
        if (m.type == 'E') {
            return m;
        }
    }
    fail_msg("no ErrorResponse in the output");
    return m;
}

#define STARTUP_OK_RENDER(user)          \
 "R 0\n"                                 \
 "S application_name=\n"                 \
 "S client_encoding=UTF8\n"              \
 "S DateStyle=ISO, MDY\n"                \
 "S default_transaction_read_only=off\n" \
 "S in_hot_standby=off\n"                \
 "S integer_datetimes=on\n"              \
 "S IntervalStyle=postgres\n"            \
 "S is_superuser=on\n"                   \
 "S server_encoding=UTF8\n"              \
 "S server_version=15.18\n"              \
 "S session_authorization=" user "\n"    \
 "S standard_conforming_strings=on\n"    \
 "S TimeZone=Etc/UTC\n"                  \
 "K 01020304/a1b2c3d4\n"                 \
 "Z I\n"

static void fe_msg(bk_buf *b, char type, const void *body, size_t n)
{
    put_bytes(b, &type, 1);
    put_be32(b, (uint32_t)(n + 4));
    put_bytes(b, body, n);
}

/* A connection past start-up, with the start-up output cleared. */
static conn *conn_ready_cfg(const bk_pq_config *cfg)
{
    conn *k = conn_open_cfg(cfg);
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, USER_X);
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

/* Sends one Query and compares the rendered answer (output is cleared first). */
static void expect_query(conn *k, const char *sql, const char *want)
{
    bk_buf_clear(&k->out);
    bk_buf b = {0};
    fe_query(&b, sql);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    char *got = render(&k->out, 0);
    if (strcmp(got, want) != 0) {
        static char copy[16384];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("query \"%s\" answered:\n%s\nexpected:\n%s", sql, copy, want);
    }
    free(got);
}

/* ---- fixture: t(k int4 not null, x int4, y text) and big(id int8, s text) ------------------ */

static void load_table(bk_table *t, const char *const *cells, uint32_t n_rows)
{
    uint32_t n_cols = bk_table_column_count(t);
    bk_arena *a = bk_arena_create(NULL, "test rows", 0);
    assert_non_null(a);
    bk_batch *batch = bk_batch_alloc(n_cols, a);
    assert_non_null(batch);
    bk_error err;
    bk_error_clear(&err);
    for (uint32_t c = 0; c < n_cols; c++) {
        bk_vec *v = &batch->cols[c];
        assert_int_equal(bk_vec_alloc(v, bk_table_column(t, c)->type, n_rows, true, a), BK_OK);
        for (uint32_t r = 0; r < n_rows; r++) {
            const char *cell = cells[(size_t)r * n_cols + c];
            if (cell == NULL) {
                bk_validity_set(v->validity, r, false);
                continue;
            }
            bk_str s = bk_str_from_cstr(cell);
            switch (v->type.id) {
            case BK_TYPE_INT4:
                assert_int_equal(bk_parse_int4(s, (int32_t *)v->data + r, &err), BK_OK);
                break;
            case BK_TYPE_INT8:
                assert_int_equal(bk_parse_int8(s, (int64_t *)v->data + r, &err), BK_OK);
                break;
            case BK_TYPE_NUMERIC:
                assert_int_equal(bk_parse_numeric(s, (bk_i128 *)v->data + r, &v->scale[r], &err),
                                 BK_OK);
                break;
            case BK_TYPE_TEXT:
                ((bk_str *)v->data)[r] = s;
                break;
            default:
                fail_msg("unsupported column type in load_table");
            }
        }
    }
    batch->n_rows = n_rows;
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
    g_t = bk_db_create_table(g_db, "t", t_cols, 3, &err);
    assert_non_null(g_t);
    static const char *const rows[] = {
        "1", "0", "a", "2", NULL, "b", "3", "2", NULL, "4", "5", "a", "5", NULL, NULL,
    };
    load_table(g_t, rows, 5);
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

/* ---- simple queries ------------------------------------------------------------------------- */

static void test_session_select_1_exact_bytes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_query(&b, "select 1");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    static const char want[] =
        /* RowDescription: 1 field "?column?", table 0, attnum 0, int4 (23), len 4, typmod -1,
           text format */
        "T\0\0\0\x21\0\x01?column?\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0"
        /* DataRow: 1 column, 1 byte "1" */
        "D\0\0\0\x0b\0\x01\0\0\0\x01"
        "1"
        /* CommandComplete "SELECT 1" */
        "C\0\0\0\x0dSELECT 1\0"
        /* ReadyForQuery idle */
        "Z\0\0\0\x05I";
    assert_int_equal(k->out.len, sizeof want - 1);
    assert_memory_equal(k->out.ptr, want, sizeof want - 1);
    assert_int_equal(k->in.len, 0);
    conn_close(k);
}

static void test_session_table_columns_and_nulls(void **state)
{
    (void)state;
    conn *k = conn_ready();
    expect_query(k, "select k, x, y from t order by k",
                 "T k:23 x:23 y:25\n"
                 "D 1|0|a\n"
                 "D 2|NULL|b\n"
                 "D 3|2|NULL\n"
                 "D 4|5|a\n"
                 "D 5|NULL|NULL\n"
                 "C SELECT 5\n"
                 "Z I\n");
    /* RowDescription names the source table and column for plain column references. */
    size_t pos = 0;
    be_msg m;
    assert_true(be_next(&k->out, &pos, &m));
    assert_int_equal(m.type, 'T');
    const uint8_t *f = m.body + 2 + 2; /* after the count and "k\0" */
    assert_int_equal(bk_get_be32(f), bk_table_id(g_t));
    assert_int_equal(bk_get_be16(f + 4), 1);
    /* A NULL is a DataRow length of -1 with no bytes. */
    assert_true(be_next(&k->out, &pos, &m));
    assert_true(be_next(&k->out, &pos, &m));
    assert_int_equal(m.type, 'D');
    static const char row2[] = "\0\x03\0\0\0\x01"
                               "2\xff\xff\xff\xff\0\0\0\x01"
                               "b";
    assert_int_equal(m.len, sizeof row2 - 1);
    assert_memory_equal(m.body, row2, sizeof row2 - 1);
    expect_query(k, "select count(*) from t where x is null", "T count:20\nD 2\nC SELECT 1\nZ I\n");
    expect_query(k, "select * from t where k > 100", "T k:23 x:23 y:25\nC SELECT 0\nZ I\n");
    conn_close(k);
}

static void test_session_several_statements_in_one_query(void **state)
{
    (void)state;
    conn *k = conn_ready();
    expect_query(k, "select 1; select 'a' as b;select 2.50 , null",
                 "T ?column?:23\n"
                 "D 1\n"
                 "C SELECT 1\n"
                 "T b:25\n"
                 "D a\n"
                 "C SELECT 1\n"
                 "T ?column?:1700 ?column?:25\n"
                 "D 2.50|NULL\n"
                 "C SELECT 1\n"
                 "Z I\n");
    /* An error ends the whole Query: later statements do not run. */
    expect_query(k, "select 1; select nope; select 3",
                 "T ?column?:23\n"
                 "D 1\n"
                 "C SELECT 1\n"
                 "E ERROR 42703\n"
                 "Z I\n");
    be_msg e = first_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'P'), "18");
    conn_close(k);
}

static void test_session_empty_query(void **state)
{
    (void)state;
    conn *k = conn_ready();
    static const char *const empties[] = {"", ";", "  ;; ", "-- only a comment", "/* c */ ;"};
    for (size_t i = 0; i < BK_ARRAY_LEN(empties); i++) {
        bk_buf_clear(&k->out);
        bk_buf b = {0};
        fe_query(&b, empties[i]);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
        static const char want[] = "I\0\0\0\x04"
                                   "Z\0\0\0\x05I";
        assert_int_equal(k->out.len, sizeof want - 1);
        assert_memory_equal(k->out.ptr, want, sizeof want - 1);
    }
    conn_close(k);
}

static void test_session_syntax_error_and_recovery(void **state)
{
    (void)state;
    conn *k = conn_ready();
    expect_query(k, "selec 1", "E ERROR 42601\nZ I\n");
    be_msg e = first_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'S'), "ERROR");
    assert_string_equal(be_field(&e, 'V'), "ERROR");
    assert_string_equal(be_field(&e, 'C'), "42601");
    assert_string_equal(be_field(&e, 'M'), "syntax error at or near \"selec\"");
    assert_string_equal(be_field(&e, 'P'), "1");
    /* The error message ends with the terminating zero byte after the last field. */
    assert_int_equal(e.body[e.len - 1], 0);
    expect_query(k, "select * fro t", "E ERROR 42601\nZ I\n");
    e = first_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'P'), "10");
    /* The session still answers. */
    expect_query(k, "select 2", "T ?column?:23\nD 2\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_runtime_error_after_row_description(void **state)
{
    (void)state;
    conn *k = conn_ready();
    /* x = 0 in row k = 1: division by zero, after RowDescription was sent. */
    expect_query(k, "select 10 / x from t where k = 1", "T ?column?:23\nE ERROR 22012\nZ I\n");
    expect_query(k, "select k from t where k = 1", "T k:23\nD 1\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_query_body_must_be_one_c_string(void **state)
{
    (void)state;
    conn *k = conn_ready();

    struct {
        const char *body;
        size_t len;
    } cases[] = {
        {     "select 1",  8}, /* no terminating NUL */
        {"select 1\0x\0", 11}, /* embedded NUL */
        { "select 1\0\0", 10}, /* two NULs */
        {             "",  0}, /* empty body */
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        bk_buf_clear(&k->out);
        bk_buf b = {0};
        fe_msg(&b, 'Q', cases[i].body, cases[i].len);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
        expect_render(&k->out, 0, "E ERROR 08P01\nZ I\n");
        assert_int_equal(k->in.len, 0);
    }
    expect_query(k, "select 3", "T ?column?:23\nD 3\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_invalid_utf8_is_22021(void **state)
{
    (void)state;
    conn *k = conn_ready();
    static const char *const bad[] = {
        "select '\xff'",         "select '\xc3'",
        "select '\xc0\xaf'",                                                  /* overlong */
        "select '\xed\xa0\x80'", /* surrogate */ "select '\xf4\x90\x80\x80'", /* > U+10FFFF */
        "select 1 -- \x80",
    };
    for (size_t i = 0; i < BK_ARRAY_LEN(bad); i++) {
        expect_query(k, bad[i], "E ERROR 22021\nZ I\n");
    }
    be_msg e = first_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'M'), "invalid byte sequence for encoding \"UTF8\": 0x80");
    expect_query(k, "select 'h\xc3\xa9llo \xf0\x9f\x98\x80'",
                 "T ?column?:25\nD h\xc3\xa9llo \xf0\x9f\x98\x80\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_parameter_placeholder_in_simple_query_is_42p02(void **state)
{
    (void)state;
    /*
     * A simple Query has no parameter values: PostgreSQL answers "select $1" with ERROR 42P02
     * "there is no parameter $1" (position 8) and stays up. Run in a child process so that a
     * crash fails this test instead of the whole group.
     */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        conn *k = conn_ready();
        bk_buf b = {0};
        fe_query(&b, "select $1");
        fe_query(&b, "select k from t where k = $1");
        fe_query(&b, "select 5");
        (void)conn_send_buf(k, &b);
        char *got = render(&k->out, 0);
        int code = strcmp(got, "E ERROR 42P02\nZ I\nE ERROR 42P02\nZ I\n"
                               "T ?column?:23\nD 5\nC SELECT 1\nZ I\n") == 0
                       ? 0
                       : 1;
        if (code != 0) {
            fprintf(stderr, "answer:\n%s", got);
        }
        free(got);
        conn_close(k);
        _exit(code);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
        fail_msg("Query \"select $1\" killed the process with signal %d", WTERMSIG(status));
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- framing ----------------------------------------------------------------------------------
 */

static void test_session_unknown_message_type_is_fatal(void **state)
{
    (void)state;
    static const char types[] = {'z', '\0', '\xff', 'A', 'p'};
    for (size_t i = 0; i < sizeof types; i++) {
        conn *k = conn_ready();
        bk_buf b = {0};
        fe_msg(&b, types[i], "abc", 3);
        fe_query(&b, "select 1");
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        expect_render(&k->out, 0, "E FATAL 08P01\n");
        be_msg e = first_error(&k->out, 0);
        char want[64];
        snprintf(want, sizeof want, "invalid frontend message type %d", (int)(uint8_t)types[i]);
        assert_string_equal(be_field(&e, 'M'), want);
        /* Closed: further input is not answered. */
        size_t len = k->out.len;
        fe_query(&b, "select 1");
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        assert_int_equal(k->out.len, len);
        conn_close(k);
    }
}

static void test_session_unknown_type_rejected_before_its_body(void **state)
{
    (void)state;
    /*
     * PostgreSQL validates the type byte before reading the body (SocketBackend): 'z' with a
     * length announcing 1,000 bytes gets FATAL 08P01 at once, without waiting for them.
     */
    conn *k = conn_ready();
    static const char hdr[] = "z\0\0\x03\xe8";
    bk_pq_status st = conn_send(k, hdr, 5);
    char *got = render(&k->out, 0);
    bool ok = st == BK_PQ_CLOSE && strcmp(got, "E FATAL 08P01\n") == 0;
    free(got);
    conn_close(k);
    if (!ok) {
        fail_msg("an unknown type byte with a pending body got status %d, not FATAL + close",
                 (int)st);
    }
}

static void test_session_bad_lengths_are_fatal_without_waiting(void **state)
{
    (void)state;
    static const uint32_t lens[] = {0, 1, 3, (64u << 20) + 1, 0x7FFFFFFFu, 0xFFFFFFFFu};
    for (size_t i = 0; i < BK_ARRAY_LEN(lens); i++) {
        conn *k = conn_ready();
        bk_buf b = {0};
        put_bytes(&b, "Q", 1);
        put_be32(&b, lens[i]);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        expect_render(&k->out, 0, "E FATAL 08P01\n");
        conn_close(k);
    }
    /* Exactly 64 MiB is within the limit: the header alone waits for the body. */
    conn *k = conn_ready();
    bk_buf b = {0};
    put_bytes(&b, "Q", 1);
    put_be32(&b, 64u << 20);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_int_equal(k->out.len, 0);
    conn_close(k);
    /* A configured limit applies the same way. */
    bk_pq_config cfg = {.engine = g_engine, .max_message_bytes = 100};
    k = conn_ready_cfg(&cfg);
    char sql[200];
    memset(sql, ' ', sizeof sql - 1);
    memcpy(sql, "select 1", 8);
    sql[sizeof sql - 1] = '\0';
    fe_query(&b, sql);
    assert_int_equal(conn_send(k, b.ptr, 5), BK_PQ_CLOSE);
    bk_buf_free(&b);
    expect_render(&k->out, 0, "E FATAL 08P01\n");
    conn_close(k);
}

static void test_session_partial_messages_wait(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_query(&b, "select 7");
    for (size_t i = 0; i + 1 < b.len; i++) {
        assert_int_equal(conn_send(k, b.ptr + i, 1), BK_PQ_NEED_INPUT);
        assert_int_equal(k->out.len, 0);
    }
    assert_int_equal(conn_send(k, b.ptr + b.len - 1, 1), BK_PQ_NEED_INPUT);
    bk_buf_free(&b);
    expect_render(&k->out, 0, "T ?column?:23\nD 7\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_terminate_closes(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_msg(&b, 'X', "", 0);
    fe_query(&b, "select 1");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    assert_int_equal(k->out.len, 0);
    assert_false(bk_pq_is_ready(k->c));
    conn_close(k);
    /* Messages before the Terminate are answered. */
    k = conn_ready();
    fe_query(&b, "select 1");
    fe_msg(&b, 'X', "", 0);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    expect_render(&k->out, 0, "T ?column?:23\nD 1\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_sync_flush_and_copy_messages_outside_copy(void **state)
{
    (void)state;
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_msg(&b, 'H', "", 0);     /* Flush: nothing to flush */
    fe_msg(&b, 'd', "abc", 3);  /* CopyData outside COPY: ignored */
    fe_msg(&b, 'c', "", 0);     /* CopyDone: ignored */
    fe_msg(&b, 'f', "oops", 5); /* CopyFail: ignored */
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_int_equal(k->out.len, 0);
    fe_msg(&b, 'S', "", 0); /* Sync outside the extended protocol: ReadyForQuery */
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    static const char z[] = "Z\0\0\0\x05I";
    assert_int_equal(k->out.len, 6);
    assert_memory_equal(k->out.ptr, z, 6);
    conn_close(k);
}

static void test_session_extended_protocol_skips_until_sync(void **state)
{
    (void)state;
    /* An error in an extended-protocol message skips every message up to Sync (the rest of
       the protocol is tests/unit/protocol/test_extended.c's). */
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_msg(&b, 'P', "\0selec 1\0\0\0", 11);
    fe_msg(&b, 'B', "\0\0\0\0\0\0\0\0\0\0", 10);
    fe_msg(&b, 'D', "P\0", 2);
    fe_msg(&b, 'E', "\0\0\0\0\0", 5);
    fe_msg(&b, 'C', "S\0", 2);
    fe_msg(&b, 'H', "", 0);
    fe_msg(&b, 'S', "", 0);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0, "E ERROR 42601\nZ I\n");
    /* Each Sync-terminated batch gets its own error. FunctionCall is not an extended-protocol
       message: its error is followed by ReadyForQuery at once, as in PostgreSQL. */
    bk_buf_clear(&k->out);
    fe_msg(&b, 'B', "\0\0\0\0\0\0\0\0\0\0", 10);
    fe_msg(&b, 'S', "", 0);
    fe_msg(&b, 'F', "\0\0\0\0\0\0\0\0\0\0", 10);
    fe_msg(&b, 'S', "", 0);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0, "E ERROR 26000\nZ I\nE ERROR 0A000\nZ I\nZ I\n");
    expect_query(k, "select 1", "T ?column?:23\nD 1\nC SELECT 1\nZ I\n");
    conn_close(k);
}

static void test_session_query_while_skipping_until_sync_is_ignored(void **state)
{
    (void)state;
    /*
     * After an error in an extended-protocol batch PostgreSQL discards every message up to
     * Sync, a simple Query included (PostgresMain: "ignore_till_sync"; only Sync clears it):
     * Parse(bad), Query, Sync gets exactly ErrorResponse + one ReadyForQuery.
     */
    conn *k = conn_ready();
    bk_buf b = {0};
    fe_msg(&b, 'P', "\0selec 1\0\0\0", 11);
    fe_query(&b, "select 1");
    fe_msg(&b, 'S', "", 0);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0, "E ERROR 42601\nZ I\n");
    conn_close(k);
}

/* ---- splits and coalescing ------------------------------------------------------------------- */

/* Feeds `in` in chunks ending at `cuts` (ascending), then the rest; returns final status. */
static bk_pq_status run_chunks(const bk_buf *in, const size_t *cuts, size_t n_cuts, bk_buf *out)
{
    bk_pq_config cfg = {.engine = g_engine};
    conn *k = conn_open_cfg(&cfg);
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

static void test_session_conversation_split_at_every_offset(void **state)
{
    (void)state;
    bk_buf in = {0};
    fe_startup(&in, BK_PQ_PROTOCOL_3_0, USER_X);
    fe_query(&in, "select k, y from t where x is not null order by k desc");
    fe_query(&in, "");
    fe_query(&in, "selec 1");
    fe_msg(&in, 'H', "", 0);
    fe_query(&in, "set application_name = 'split'; show application_name");
    fe_msg(&in, 'P', "\0select 1\0\0\0", 12);
    fe_msg(&in, 'E', "\0\0\0\0\0", 5);
    fe_msg(&in, 'S', "", 0);
    fe_msg(&in, 'Q', "select 1", 8);
    fe_query(&in, "select count(*), sum(x) from t");
    fe_msg(&in, 'X', "", 0);
    bk_buf ref = {0};
    assert_int_equal(run_chunks(&in, NULL, 0, &ref), BK_PQ_CLOSE);
    expect_render(&ref, 0,
                  STARTUP_OK_RENDER("x") "T k:23 y:25\n"
                                         "D 4|a\n"
                                         "D 3|NULL\n"
                                         "D 1|a\n"
                                         "C SELECT 3\n"
                                         "Z I\n"
                                         "I\n"
                                         "Z I\n"
                                         "E ERROR 42601\n"
                                         "Z I\n"
                                         "C SET\n"
                                         "T application_name:25\n"
                                         "D split\n"
                                         "C SHOW\n"
                                         "S application_name=split\n"
                                         "Z I\n"
                                         "1(0 bytes)\n"
                                         "E ERROR 34000\n"
                                         "Z I\n"
                                         "E ERROR 08P01\n"
                                         "Z I\n"
                                         "T count:20 sum:20\n"
                                         "D 5|7\n"
                                         "C SELECT 1\n"
                                         "Z I\n");
    for (size_t cut = 0; cut <= in.len; cut++) {
        bk_buf out = {0};
        assert_int_equal(run_chunks(&in, &cut, 1, &out), BK_PQ_CLOSE);
        if (out.len != ref.len || memcmp(out.ptr, ref.ptr, ref.len) != 0) {
            bk_buf_free(&out);
            bk_buf_free(&ref);
            bk_buf_free(&in);
            fail_msg("output differs when the input is split at offset %zu", cut);
        }
        bk_buf_free(&out);
    }
    size_t *cuts = malloc(in.len * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < in.len; i++) {
        cuts[i] = i;
    }
    bk_buf out = {0};
    assert_int_equal(run_chunks(&in, cuts, in.len, &out), BK_PQ_CLOSE);
    free(cuts);
    assert_int_equal(out.len, ref.len);
    assert_memory_equal(out.ptr, ref.ptr, ref.len);
    bk_buf_free(&out);
    bk_buf_free(&ref);
    bk_buf_free(&in);
}

static void test_session_thousand_coalesced_queries(void **state)
{
    (void)state;
    bk_buf in = {0};
    fe_startup(&in, BK_PQ_PROTOCOL_3_0, USER_X);
    char sql[64];
    for (int i = 0; i < 1000; i++) {
        switch (i % 4) {
        case 0:
            snprintf(sql, sizeof sql, "select %d", i);
            break;
        case 1:
            snprintf(sql, sizeof sql, "select k from t where k = %d", i % 5 + 1);
            break;
        case 2:
            snprintf(sql, sizeof sql, "select nope%d", i);
            break;
        default:
            snprintf(sql, sizeof sql, "select count(*) from big where id < %d", i);
            break;
        }
        fe_query(&in, sql);
    }
    bk_buf ref = {0};
    assert_int_equal(run_chunks(&in, NULL, 0, &ref), BK_PQ_NEED_INPUT);
    /* Every Query got exactly one ReadyForQuery. */
    size_t pos = 0, n_z = 0, n_e = 0;
    be_msg m;
    while (be_next(&ref, &pos, &m)) {
        n_z += m.type == 'Z';
        n_e += m.type == 'E';
    }
    assert_int_equal(n_z, 1001);
    assert_int_equal(n_e, 250);
    /* One byte at a time gives the same bytes. */
    size_t *cuts = malloc(in.len * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < in.len; i++) {
        cuts[i] = i;
    }
    bk_buf out = {0};
    assert_int_equal(run_chunks(&in, cuts, in.len, &out), BK_PQ_NEED_INPUT);
    assert_int_equal(out.len, ref.len);
    assert_memory_equal(out.ptr, ref.ptr, ref.len);
    bk_buf_free(&out);
    /* And random chunkings. */
    bk_test_rng rng;
    bk_test_rng_init(&rng, 0x5E55);
    for (int round = 0; round < 10; round++) {
        size_t n = 0;
        for (size_t at = 0; at < in.len && n < in.len; n++) {
            at += (size_t)bk_test_rng_range(&rng, 1, 300);
            cuts[n] = BK_MIN(at, in.len);
        }
        assert_int_equal(run_chunks(&in, cuts, n, &out), BK_PQ_NEED_INPUT);
        assert_int_equal(out.len, ref.len);
        assert_memory_equal(out.ptr, ref.ptr, ref.len);
        bk_buf_free(&out);
    }
    free(cuts);
    bk_buf_free(&ref);
    bk_buf_free(&in);
}

/* ---- backpressure ------------------------------------------------------------------------------
 */

/*
 * Runs `sql` (followed by "select 1") on a connection with the given high-water mark,
 * draining the output into `all` whenever the connection reports OUTPUT_FULL; returns the
 * number of OUTPUT_FULL results.
 */
static unsigned run_drained(size_t high_water, const char *sql, bk_buf *all, size_t *max_out)
{
    bk_pq_config cfg = {.engine = g_engine, .output_high_water = high_water};
    conn *k = conn_ready_cfg(&cfg);
    bk_buf b = {0};
    fe_query(&b, sql);
    fe_query(&b, "select 1");
    put_bytes(&k->in, b.ptr, b.len);
    bk_buf_free(&b);
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

static void test_session_large_result_streams_under_backpressure(void **state)
{
    (void)state;
    bk_buf huge = {0}, small = {0};
    size_t max_huge, max_small;
    unsigned full_huge = run_drained(SIZE_MAX, "select id, s from big", &huge, &max_huge);
    unsigned full_small = run_drained(4096, "select id, s from big", &small, &max_small);
    assert_int_equal(full_huge, 0);
    assert_true(full_small >= BIG_ROWS / BK_BATCH_ROWS - 1);
    /* Output stays near the mark: at most one batch of rows beyond it. */
    assert_true(max_small < 4096 + BK_BATCH_ROWS * 64);
    assert_int_equal(small.len, huge.len);
    assert_memory_equal(small.ptr, huge.ptr, huge.len);
    /* The stream is complete: 100,000 rows, then the next Query's answer. */
    size_t pos = 0, n_d = 0;
    be_msg m, last_c = {0};
    char *tags = NULL;
    while (be_next(&small, &pos, &m)) {
        n_d += m.type == 'D';
        if (m.type == 'C' && tags == NULL) {
            last_c = m;
            tags = (char *)last_c.body;
        }
    }
    assert_int_equal(n_d, BIG_ROWS + 1);
    assert_non_null(tags);
    assert_string_equal(tags, "SELECT 100000");
    bk_buf_free(&huge);
    bk_buf_free(&small);
}

static void test_session_output_full_without_draining(void **state)
{
    (void)state;
    /* A caller that does not drain still sees progress; input is not consumed past the
       suspended Query until the result is complete. */
    bk_pq_config cfg = {.engine = g_engine, .output_high_water = 1024};
    conn *k = conn_ready_cfg(&cfg);
    bk_buf b = {0};
    fe_query(&b, "select id from big where id < 10000");
    fe_query(&b, "select 42");
    put_bytes(&k->in, b.ptr, b.len);
    bk_buf_free(&b);
    bk_pq_status st = bk_pq_process(k->c, &k->in, &k->out);
    assert_int_equal(st, BK_PQ_OUTPUT_FULL);
    size_t first = k->out.len;
    assert_true(first > 0);
    unsigned calls = 0;
    while (st == BK_PQ_OUTPUT_FULL && calls++ < 1000) {
        bk_buf_clear(&k->out);
        st = bk_pq_process(k->c, &k->in, &k->out);
    }
    assert_int_equal(st, BK_PQ_NEED_INPUT);
    char *got = render(&k->out, 0);
    assert_non_null(strstr(got, "C SELECT 10000\nZ I\nT ?column?:23\nD 42\nC SELECT 1\nZ I\n"));
    free(got);
    conn_close(k);
}

/* ---- SET / SHOW / RESET ------------------------------------------------------------------------
 */

static void test_session_set_show_reset(void **state)
{
    (void)state;
    conn *k = conn_ready();
    expect_query(k, "SET application_name = 'x'", "C SET\nS application_name=x\nZ I\n");
    expect_query(k, "SHOW application_name", "T application_name:25\nD x\nC SHOW\nZ I\n");
    expect_query(k, "SHOW DateStyle", "T DateStyle:25\nD ISO, MDY\nC SHOW\nZ I\n");
    expect_query(k, "show datestyle", "T DateStyle:25\nD ISO, MDY\nC SHOW\nZ I\n");
    expect_query(k, "SET DateStyle = 'ISO, DMY'", "C SET\nS DateStyle=ISO, DMY\nZ I\n");
    expect_query(k, "SET extra_float_digits = 2", "C SET\nZ I\n");
    expect_query(k, "RESET application_name", "C RESET\nS application_name=\nZ I\n");
    expect_query(k, "RESET ALL", "C RESET\nS DateStyle=ISO, MDY\nZ I\n");
    expect_query(k, "SHOW extra_float_digits", "T extra_float_digits:25\nD 1\nC SHOW\nZ I\n");
    expect_query(k, "SET TIME ZONE 'UTC'", "C SET\nS TimeZone=UTC\nZ I\n");
    /* Exact bytes of SHOW's RowDescription: text, typlen -1. */
    expect_query(k, "SHOW DateStyle", "T DateStyle:25\nD ISO, MDY\nC SHOW\nZ I\n");
    static const char t[] = "T\0\0\0\x22\0\x01"
                            "DateStyle\0\0\0\0\0\0\0\0\0\0\x19\xff\xff\xff\xff\xff\xff\0\0";
    assert_memory_equal(k->out.ptr, t, sizeof t - 1);
    conn_close(k);
}

static void test_session_set_to_the_same_value_reports_nothing(void **state)
{
    (void)state;
    /*
     * PostgreSQL 15 sends ParameterStatus only when the reported value differs from the one
     * last sent (guc.c ReportGUCOption compares with last_reported): a second identical SET
     * gets CommandComplete and ReadyForQuery only (checked on a real server).
     */
    conn *k = conn_ready();
    expect_query(k, "SET application_name = 'same'", "C SET\nS application_name=same\nZ I\n");
    expect_query(k, "SET application_name = 'same'", "C SET\nZ I\n");
    expect_query(k, "SET DateStyle = 'ISO, MDY'", "C SET\nZ I\n");
    conn_close(k);
}

static void test_session_set_errors(void **state)
{
    (void)state;
    conn *k = conn_ready();
    expect_query(k, "SET no_such_thing = 1", "E ERROR 42704\nZ I\n");
    expect_query(k, "SHOW no_such_thing", "E ERROR 42704\nZ I\n");
    expect_query(k, "SET DateStyle = 'German'", "E ERROR 0A000\nZ I\n");
    expect_query(k, "SET DateStyle = 'bogus'", "E ERROR 22023\nZ I\n");
    expect_query(k, "SET server_version = '1'", "E ERROR 55P02\nZ I\n");
    expect_query(k, "SET extra_float_digits = 99", "E ERROR 22023\nZ I\n");
    /* A failed SET changes nothing and the session carries on. */
    expect_query(k, "SHOW DateStyle", "T DateStyle:25\nD ISO, MDY\nC SHOW\nZ I\n");
    conn_close(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_session_select_1_exact_bytes, close_leftovers),
        cmocka_unit_test_teardown(test_session_table_columns_and_nulls, close_leftovers),
        cmocka_unit_test_teardown(test_session_several_statements_in_one_query, close_leftovers),
        cmocka_unit_test_teardown(test_session_empty_query, close_leftovers),
        cmocka_unit_test_teardown(test_session_syntax_error_and_recovery, close_leftovers),
        cmocka_unit_test_teardown(test_session_runtime_error_after_row_description,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_query_body_must_be_one_c_string, close_leftovers),
        cmocka_unit_test_teardown(test_session_invalid_utf8_is_22021, close_leftovers),
        cmocka_unit_test_teardown(test_session_parameter_placeholder_in_simple_query_is_42p02,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_unknown_message_type_is_fatal, close_leftovers),
        cmocka_unit_test_teardown(test_session_unknown_type_rejected_before_its_body,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_bad_lengths_are_fatal_without_waiting,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_partial_messages_wait, close_leftovers),
        cmocka_unit_test_teardown(test_session_terminate_closes, close_leftovers),
        cmocka_unit_test_teardown(test_session_sync_flush_and_copy_messages_outside_copy,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_extended_protocol_skips_until_sync, close_leftovers),
        cmocka_unit_test_teardown(test_session_query_while_skipping_until_sync_is_ignored,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_conversation_split_at_every_offset, close_leftovers),
        cmocka_unit_test_teardown(test_session_thousand_coalesced_queries, close_leftovers),
        cmocka_unit_test_teardown(test_session_large_result_streams_under_backpressure,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_output_full_without_draining, close_leftovers),
        cmocka_unit_test_teardown(test_session_set_show_reset, close_leftovers),
        cmocka_unit_test_teardown(test_session_set_to_the_same_value_reports_nothing,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_session_set_errors, close_leftovers),
    };
    return bk_run_group_tests("protocol/session", tests, group_setup, group_teardown);
}
