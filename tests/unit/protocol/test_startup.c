/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol/startup.c, sans I/O and byte-exact: SSLRequest / GSSENCRequest / CancelRequest,
 * the StartupMessage and its parameters, protocol version negotiation, and the limits that
 * close a connection before authentication. Frontend bytes are built with the fe_* helpers,
 * backend output is checked byte for byte or rendered one message per line by render().
 * PostgreSQL 15 is the reference for every answer (checked against a real server).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "protocol/protocol.h"

#define PID    0x01020304u
#define SECRET 0xA1B2C3D4u

static bk_db *g_db;
static bk_engine *g_engine;

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

/* An 8-byte request packet (SSLRequest, GSSENCRequest) or any (length, code) header. */
static void fe_code(bk_buf *b, uint32_t len, uint32_t code)
{
    put_be32(b, len);
    put_be32(b, code);
}

static void fe_cancel(bk_buf *b, uint32_t pid, uint32_t key)
{
    fe_code(b, 16, BK_PQ_CANCEL_REQUEST_CODE);
    put_be32(b, pid);
    put_be32(b, key);
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

static conn *conn_open(void)
{
    bk_pq_config cfg = {.engine = g_engine};
    return conn_open_cfg(&cfg);
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

/* ---- fixture ------------------------------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    g_db = bk_db_create();
    assert_non_null(g_db);
    bk_error err;
    bk_error_clear(&err);
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

/* ---- SSL / GSS negotiation ------------------------------------------------------------------ */

static void test_startup_ssl_request_answers_n(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_code(&b, 8, BK_PQ_SSL_REQUEST_CODE);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_int_equal(k->out.len, 1);
    assert_memory_equal(k->out.ptr, "N", 1);
    assert_int_equal(k->in.len, 0);
    assert_false(bk_pq_is_ready(k->c));
    /* The client continues in plaintext. */
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 1, STARTUP_OK_RENDER("x"));
    assert_true(bk_pq_is_ready(k->c));
    conn_close(k);
}

static void test_startup_gssenc_request_answers_n(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_code(&b, 8, BK_PQ_GSSENC_REQUEST_CODE);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_int_equal(k->out.len, 1);
    assert_memory_equal(k->out.ptr, "N", 1);
    /* GSSENC then SSL is allowed (libpq's order with gssencmode=prefer), each answered once. */
    fe_code(&b, 8, BK_PQ_SSL_REQUEST_CODE);
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_memory_equal(k->out.ptr, "NN", 2);
    expect_render(&k->out, 2, STARTUP_OK_RENDER("x"));
    conn_close(k);
}

static void test_startup_ssl_request_and_startup_in_one_input(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_code(&b, 8, BK_PQ_SSL_REQUEST_CODE);
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, USER_X);
    fe_query(&b, "select 1");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_memory_equal(k->out.ptr, "N", 1);
    expect_render(&k->out, 1,
                  STARTUP_OK_RENDER("x") "T ?column?:23\n"
                                         "D 1\n"
                                         "C SELECT 1\n"
                                         "Z I\n");
    conn_close(k);
}

static void test_startup_second_ssl_request_is_fatal(void **state)
{
    (void)state;
    /*
     * PostgreSQL answers the first SSLRequest and rejects a second one with a FATAL error
     * (TESTING.md hostile client #10: "'N' once, then 08P01"; PostgreSQL itself reports
     * 0A000 "unsupported frontend protocol 1234.5679").
     */
    conn *k = conn_open();
    bk_buf b = {0};
    fe_code(&b, 8, BK_PQ_SSL_REQUEST_CODE);
    fe_code(&b, 8, BK_PQ_SSL_REQUEST_CODE);
    bk_pq_status st = conn_send_buf(k, &b);
    assert_true(k->out.len >= 1);
    assert_memory_equal(k->out.ptr, "N", 1);
    if (k->out.len >= 2 && k->out.ptr[1] == 'N') {
        conn_close(k);
        fail_msg("a second SSLRequest was answered 'N' again instead of being rejected");
    }
    assert_int_equal(st, BK_PQ_CLOSE);
    expect_render(&k->out, 1, "E FATAL 08P01\n");
    conn_close(k);
}

static void test_startup_third_negotiation_is_fatal(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_code(&b, 8, BK_PQ_GSSENC_REQUEST_CODE);
    fe_code(&b, 8, BK_PQ_SSL_REQUEST_CODE);
    fe_code(&b, 8, BK_PQ_GSSENC_REQUEST_CODE);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    assert_memory_equal(k->out.ptr, "NN", 2);
    expect_render(&k->out, 2, "E FATAL 08P01\n");
    conn_close(k);
}

static void test_startup_ssl_request_with_a_body_is_fatal(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_code(&b, 12, BK_PQ_SSL_REQUEST_CODE);
    put_be32(&b, 0);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    expect_render(&k->out, 0, "E FATAL 08P01\n");
    conn_close(k);
}

/* ---- StartupMessage ---------------------------------------------------------------------------
 */

static void exp_msg(bk_buf *b, char type, const void *body, size_t n)
{
    put_bytes(b, &type, 1);
    put_be32(b, (uint32_t)(n + 4));
    put_bytes(b, body, n);
}

static void exp_param(bk_buf *b, const char *name, const char *value)
{
    char body[256];
    size_t n1 = strlen(name) + 1, n2 = strlen(value) + 1;
    memcpy(body, name, n1);
    memcpy(body + n1, value, n2);
    exp_msg(b, 'S', body, n1 + n2);
}

static void test_startup_exact_bytes(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_true(bk_pq_is_ready(k->c));
    assert_non_null(bk_pq_session(k->c));

    bk_buf want = {0};
    exp_msg(&want, 'R', "\0\0\0\0", 4);
    exp_param(&want, "application_name", "");
    exp_param(&want, "client_encoding", "UTF8");
    exp_param(&want, "DateStyle", "ISO, MDY");
    exp_param(&want, "default_transaction_read_only", "off");
    exp_param(&want, "in_hot_standby", "off");
    exp_param(&want, "integer_datetimes", "on");
    exp_param(&want, "IntervalStyle", "postgres");
    exp_param(&want, "is_superuser", "on");
    exp_param(&want, "server_encoding", "UTF8");
    exp_param(&want, "server_version", "15.18");
    exp_param(&want, "session_authorization", "x");
    exp_param(&want, "standard_conforming_strings", "on");
    exp_param(&want, "TimeZone", "Etc/UTC");
    exp_msg(&want, 'K', "\x01\x02\x03\x04\xa1\xb2\xc3\xd4", 8);
    exp_msg(&want, 'Z', "I", 1);
    /* The exact prefix: R 00000008 00000000. */
    assert_memory_equal(want.ptr, "R\0\0\0\x08\0\0\0\0", 9);
    assert_int_equal(k->out.len, want.len);
    assert_memory_equal(k->out.ptr, want.ptr, want.len);
    bk_buf_free(&want);
    conn_close(k);
}

static void test_startup_split_at_every_offset(void **state)
{
    (void)state;
    bk_buf whole = {0};
    static const char *const kv[] = {"user",    "alice", "database", "postgres", "application_name",
                                     "psql 15", NULL};
    fe_startup(&whole, BK_PQ_PROTOCOL_3_0, kv);
    conn *ref = conn_open();
    assert_int_equal(conn_send(ref, whole.ptr, whole.len), BK_PQ_NEED_INPUT);
    assert_true(ref->out.len > 0);
    for (size_t cut = 0; cut <= whole.len; cut++) {
        conn *k = conn_open();
        assert_int_equal(conn_send(k, whole.ptr, cut), BK_PQ_NEED_INPUT);
        if (cut < whole.len) {
            /* Nothing is answered, and nothing consumed, before the packet is complete. */
            assert_int_equal(k->out.len, 0);
            assert_false(bk_pq_is_ready(k->c));
        }
        assert_int_equal(conn_send(k, whole.ptr + cut, whole.len - cut), BK_PQ_NEED_INPUT);
        assert_int_equal(k->out.len, ref->out.len);
        assert_memory_equal(k->out.ptr, ref->out.ptr, ref->out.len);
        conn_close(k);
    }
    /* And one byte at a time. */
    conn *k = conn_open();
    for (size_t i = 0; i < whole.len; i++) {
        assert_int_equal(conn_send(k, whole.ptr + i, 1), BK_PQ_NEED_INPUT);
    }
    assert_int_equal(k->out.len, ref->out.len);
    assert_memory_equal(k->out.ptr, ref->out.ptr, ref->out.len);
    expect_render(&k->out, 0,
                  "R 0\n"
                  "S application_name=psql 15\n"
                  "S client_encoding=UTF8\n"
                  "S DateStyle=ISO, MDY\n"
                  "S default_transaction_read_only=off\n"
                  "S in_hot_standby=off\n"
                  "S integer_datetimes=on\n"
                  "S IntervalStyle=postgres\n"
                  "S is_superuser=on\n"
                  "S server_encoding=UTF8\n"
                  "S server_version=15.18\n"
                  "S session_authorization=alice\n"
                  "S standard_conforming_strings=on\n"
                  "S TimeZone=Etc/UTC\n"
                  "K 01020304/a1b2c3d4\n"
                  "Z I\n");
    conn_close(k);
    conn_close(ref);
    bk_buf_free(&whole);
}

static void test_startup_database_names(void **state)
{
    (void)state;
    static const char *const pg[] = {"user", "x", "database", "postgres", NULL};
    static const char *const other[] = {"user", "x", "database", "mydb", NULL};
    static const char *const user_is_db[] = {"user", "basket", NULL};
    static const char *const user_not_db[] = {"user", "x", NULL};
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, pg);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0, STARTUP_OK_RENDER("x"));
    conn_close(k);

    /* No database: it defaults to the user name, as in PostgreSQL. */
    k = conn_open();
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, user_is_db);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0, STARTUP_OK_RENDER("basket"));
    conn_close(k);

    k = conn_open();
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, user_not_db);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    expect_render(&k->out, 0, "E FATAL 3D000\n");
    conn_close(k);

    k = conn_open();
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, other);
    fe_query(&b, "select 1");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    expect_render(&k->out, 0, "E FATAL 3D000\n");
    be_msg e = first_error(&k->out, 0);
    assert_string_equal(be_field(&e, 'V'), "FATAL");
    assert_string_equal(be_field(&e, 'M'), "database \"mydb\" does not exist");
    assert_false(bk_pq_is_ready(k->c));
    assert_null(bk_pq_session(k->c));
    /* A closed connection answers nothing more. */
    size_t len = k->out.len;
    fe_query(&b, "select 1");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    assert_int_equal(k->out.len, len);
    conn_close(k);
}

static void test_startup_missing_or_empty_user_is_28000(void **state)
{
    (void)state;
    static const char *const no_user[] = {"database", "basket", NULL};
    static const char *const empty_user[] = {"user", "", "database", "basket", NULL};
    const char *const *cases[] = {no_user, empty_user};
    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        conn *k = conn_open();
        bk_buf b = {0};
        fe_startup(&b, BK_PQ_PROTOCOL_3_0, cases[i]);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        expect_render(&k->out, 0, "E FATAL 28000\n");
        be_msg e = first_error(&k->out, 0);
        assert_string_equal(be_field(&e, 'M'),
                            "no PostgreSQL user name specified in startup packet");
        conn_close(k);
    }
}

static void test_startup_unsupported_protocol_versions_are_0a000(void **state)
{
    (void)state;
    static const uint32_t versions[] = {0x00020000u, 0x00040000u, 0x04D20000u, 0x00010000u};
    for (size_t i = 0; i < BK_ARRAY_LEN(versions); i++) {
        conn *k = conn_open();
        bk_buf b = {0};
        fe_startup(&b, versions[i], USER_X);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        expect_render(&k->out, 0, "E FATAL 0A000\n");
        be_msg e = first_error(&k->out, 0);
        char want[128];
        snprintf(want, sizeof want,
                 "unsupported frontend protocol %u.0: server supports 3.0 to 3.0",
                 versions[i] >> 16);
        assert_string_equal(be_field(&e, 'M'), want);
        conn_close(k);
    }
}

static void test_startup_newer_minor_gets_negotiate_protocol_version(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, 0x00030005u, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    assert_true(bk_pq_is_ready(k->c));
    size_t pos = 0;
    be_msg m;
    assert_true(be_next(&k->out, &pos, &m));
    assert_int_equal(m.type, 'v');
    assert_int_equal(m.len, 8);
    assert_int_equal(bk_get_be32(m.body + 4), 0); /* no unrecognized options */
    /* The rest is an ordinary successful start-up. */
    expect_render(&k->out, pos, STARTUP_OK_RENDER("x"));
    conn_close(k);
}

static void test_startup_negotiate_reports_the_newest_version_as_3_0(void **state)
{
    (void)state;
    /*
     * PostgreSQL 15 fills NegotiateProtocolVersion's first field with PG_PROTOCOL_LATEST, the
     * full version code 0x00030000 ("v 00 03 00 00", checked on a real server), and libpq
     * reads it as a version (PG_PROTOCOL_MAJOR/MINOR); libpq 18 rejects a value below 3.0 as
     * "server requested downgrade to pre-3.0 protocol version".
     */
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, 0x00030002u, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    size_t pos = 0;
    be_msg m;
    assert_true(be_next(&k->out, &pos, &m));
    assert_int_equal(m.type, 'v');
    uint32_t newest = bk_get_be32(m.body);
    conn_close(k);
    assert_int_equal(newest, 0x00030000u);
}

static void test_startup_unknown_pq_options_are_listed(void **state)
{
    (void)state;
    static const char *const kv[] = {"user",  "x", "_pq_.foo", "1", "database", "basket",
                                     "_pq_.", "x", "_pq_.b",   "2", NULL};
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, kv);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    size_t pos = 0;
    be_msg m;
    assert_true(be_next(&k->out, &pos, &m));
    assert_int_equal(m.type, 'v');
    assert_int_equal(bk_get_be32(m.body + 4), 3);
    static const char names[] = "_pq_.foo\0_pq_.\0_pq_.b";
    assert_int_equal(m.len, 8 + sizeof names);
    assert_memory_equal(m.body + 8, names, sizeof names);
    expect_render(&k->out, pos, STARTUP_OK_RENDER("x"));
    conn_close(k);
}

static void test_startup_parameters_are_applied(void **state)
{
    (void)state;
    static const char *const kv[] = {"user",
                                     "x",
                                     "database",
                                     "basket",
                                     "DateStyle",
                                     "ISO, DMY",
                                     "client_encoding",
                                     "utf-8",
                                     "options",
                                     "-c extra_float_digits=3 --statement-timeout=5s",
                                     NULL};
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, kv);
    fe_query(&b, "show extra_float_digits; show statement_timeout");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_NEED_INPUT);
    expect_render(&k->out, 0,
                  "R 0\n"
                  "S application_name=\n"
                  "S client_encoding=UTF8\n"
                  "S DateStyle=ISO, DMY\n"
                  "S default_transaction_read_only=off\n"
                  "S in_hot_standby=off\n"
                  "S integer_datetimes=on\n"
                  "S IntervalStyle=postgres\n"
                  "S is_superuser=on\n"
                  "S server_encoding=UTF8\n"
                  "S server_version=15.18\n"
                  "S session_authorization=x\n"
                  "S standard_conforming_strings=on\n"
                  "S TimeZone=Etc/UTC\n"
                  "K 01020304/a1b2c3d4\n"
                  "Z I\n"
                  "T extra_float_digits:25\n"
                  "D 3\n"
                  "C SHOW\n"
                  "T statement_timeout:25\n"
                  "D 5s\n"
                  "C SHOW\n"
                  "Z I\n");
    conn_close(k);
}

static void test_startup_bad_parameters_are_fatal(void **state)
{
    (void)state;
    static const char *const unknown[] = {"user", "x", "database", "basket", "no_such_setting",
                                          "1",    NULL};
    static const char *const bad_value[] = {"user",   "x", "database", "basket", "client_encoding",
                                            "LATIN1", NULL};
    static const char *const replication[] = {"user",        "x",    "database", "basket",
                                              "replication", "true", NULL};

    struct {
        const char *const *kv;
        const char *code;
    } cases[] = {
        {    unknown, "42704"},
        {  bad_value, "0A000"},
        {replication, "0A000"}
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        conn *k = conn_open();
        bk_buf b = {0};
        fe_startup(&b, BK_PQ_PROTOCOL_3_0, cases[i].kv);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        char want[64];
        snprintf(want, sizeof want, "E FATAL %s\n", cases[i].code);
        expect_render(&k->out, 0, want);
        conn_close(k);
    }
}

static void test_startup_bad_command_line_option_is_42601(void **state)
{
    (void)state;
    /* PostgreSQL 15: FATAL 42601 "invalid command-line argument for server process: -X". */
    static const char *const kv[] = {"user", "x", "database", "basket", "options", "-X", NULL};
    conn *k = conn_open();
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, kv);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    be_msg e = first_error(&k->out, 0);
    char code[8];
    snprintf(code, sizeof code, "%s", be_field(&e, 'C'));
    assert_string_equal(be_field(&e, 'S'), "FATAL");
    assert_string_equal(be_field(&e, 'M'), "invalid command-line argument for server process: -X");
    conn_close(k);
    assert_string_equal(code, "42601");
}

static void test_startup_unterminated_parameters_are_08p01(void **state)
{
    (void)state;

    /* Bodies after the version word. */
    static const struct {
        const char *body;
        size_t len;
    } cases[] = {
        {         "user\0x",  6}, /* value not NUL-terminated */
        {            "user",  4}, /* name not NUL-terminated */
        {       "user\0x\0",  7}, /* no final terminator */
        {          "user\0",  5}, /* name without a value */
        {"user\0x\0\0extra", 13}, /* bytes after the terminator */
        {                "",  0}, /* nothing at all */
    };

    for (size_t i = 0; i < BK_ARRAY_LEN(cases); i++) {
        conn *k = conn_open();
        bk_buf b = {0};
        put_be32(&b, (uint32_t)(8 + cases[i].len));
        put_be32(&b, BK_PQ_PROTOCOL_3_0);
        put_bytes(&b, cases[i].body, cases[i].len);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        char *got = render(&k->out, 0);
        bool ok = strcmp(got, "E FATAL 08P01\n") == 0;
        free(got);
        if (!ok) {
            conn_close(k);
            fail_msg("startup body case %zu was not rejected with FATAL 08P01", i);
        }
        conn_close(k);
    }
}

static void test_startup_bad_lengths_close_without_reply(void **state)
{
    (void)state;
    static const uint32_t lens[] = {0, 1, 4, 7, 10001, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
    for (size_t i = 0; i < BK_ARRAY_LEN(lens); i++) {
        conn *k = conn_open();
        bk_buf b = {0};
        /* Only the length word: the connection must not wait for a body. */
        put_be32(&b, lens[i]);
        assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
        assert_int_equal(k->out.len, 0);
        conn_close(k);
    }
    /* Fewer than 4 bytes: just wait. */
    conn *k = conn_open();
    assert_int_equal(conn_send(k, "\0\0\0", 3), BK_PQ_NEED_INPUT);
    assert_int_equal(k->out.len, 0);
    conn_close(k);
}

static void test_startup_length_limit_is_inclusive(void **state)
{
    (void)state;
    /* A 10,000-byte packet is accepted (application_name is truncated to 63 bytes). */
    char *name = malloc(10000);
    assert_non_null(name);
    size_t fixed = 8 + sizeof "user" + sizeof "x" + sizeof "database" + sizeof "basket" +
                   sizeof "application_name" + 1 /* value NUL */ + 1 /* terminator */;
    size_t vlen = 10000 - fixed;
    memset(name, 'a', vlen);
    name[vlen] = '\0';
    const char *kv[] = {"user", "x", "database", "basket", "application_name", name, NULL};
    bk_buf b = {0};
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, kv);
    assert_int_equal(b.len, 10000);
    conn *k = conn_open();
    assert_int_equal(conn_send(k, b.ptr, b.len), BK_PQ_NEED_INPUT);
    assert_true(bk_pq_is_ready(k->c));
    char want[128];
    snprintf(want, sizeof want, "S application_name=%.63s\n", name);
    char *got = render(&k->out, 0);
    assert_non_null(strstr(got, want));
    free(got);
    conn_close(k);

    /* One more byte is over the limit. */
    bk_buf_free(&b);
    name[vlen] = 'a';
    name[vlen + 1] = '\0';
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, kv);
    assert_int_equal(b.len, 10001);
    k = conn_open();
    assert_int_equal(conn_send(k, b.ptr, b.len), BK_PQ_CLOSE);
    assert_int_equal(k->out.len, 0);
    conn_close(k);
    bk_buf_free(&b);
    free(name);

    /* A configured smaller limit applies the same way. */
    bk_pq_config cfg = {.engine = g_engine, .max_startup_bytes = 20};
    k = conn_open_cfg(&cfg);
    fe_startup(&b, BK_PQ_PROTOCOL_3_0, USER_X);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    assert_int_equal(k->out.len, 0);
    conn_close(k);
}

static void test_startup_cancel_request(void **state)
{
    (void)state;
    conn *k = conn_open();
    bk_buf b = {0};
    fe_cancel(&b, 4242, 0xDEADBEEFu);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CANCEL);
    assert_int_equal(k->out.len, 0);
    uint32_t pid = 0, key = 0;
    bk_pq_cancel_target(k->c, &pid, &key);
    assert_int_equal(pid, 4242);
    assert_int_equal(key, 0xDEADBEEFu);
    assert_false(bk_pq_is_ready(k->c));
    conn_close(k);

    /* Split in two: nothing happens until all 16 bytes are there. */
    k = conn_open();
    fe_cancel(&b, 7, 8);
    assert_int_equal(conn_send(k, b.ptr, 15), BK_PQ_NEED_INPUT);
    assert_int_equal(conn_send(k, b.ptr + 15, 1), BK_PQ_CANCEL);
    bk_pq_cancel_target(k->c, &pid, &key);
    assert_int_equal(pid, 7);
    assert_int_equal(key, 8);
    bk_buf_free(&b);
    conn_close(k);

    /* A CancelRequest of the wrong length is dropped without a reply. */
    k = conn_open();
    fe_code(&b, 12, BK_PQ_CANCEL_REQUEST_CODE);
    put_be32(&b, 1);
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    assert_int_equal(k->out.len, 0);
    conn_close(k);
}

static void test_startup_query_before_startup_closes(void **state)
{
    (void)state;
    /* A regular message first: its bytes read as a huge startup length. */
    conn *k = conn_open();
    bk_buf b = {0};
    fe_query(&b, "select 1");
    assert_int_equal(conn_send_buf(k, &b), BK_PQ_CLOSE);
    assert_int_equal(k->out.len, 0);
    conn_close(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_startup_ssl_request_answers_n, close_leftovers),
        cmocka_unit_test_teardown(test_startup_gssenc_request_answers_n, close_leftovers),
        cmocka_unit_test_teardown(test_startup_ssl_request_and_startup_in_one_input,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_startup_second_ssl_request_is_fatal, close_leftovers),
        cmocka_unit_test_teardown(test_startup_third_negotiation_is_fatal, close_leftovers),
        cmocka_unit_test_teardown(test_startup_ssl_request_with_a_body_is_fatal, close_leftovers),
        cmocka_unit_test_teardown(test_startup_exact_bytes, close_leftovers),
        cmocka_unit_test_teardown(test_startup_split_at_every_offset, close_leftovers),
        cmocka_unit_test_teardown(test_startup_database_names, close_leftovers),
        cmocka_unit_test_teardown(test_startup_missing_or_empty_user_is_28000, close_leftovers),
        cmocka_unit_test_teardown(test_startup_unsupported_protocol_versions_are_0a000,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_startup_newer_minor_gets_negotiate_protocol_version,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_startup_negotiate_reports_the_newest_version_as_3_0,
                                  close_leftovers),
        cmocka_unit_test_teardown(test_startup_unknown_pq_options_are_listed, close_leftovers),
        cmocka_unit_test_teardown(test_startup_parameters_are_applied, close_leftovers),
        cmocka_unit_test_teardown(test_startup_bad_parameters_are_fatal, close_leftovers),
        cmocka_unit_test_teardown(test_startup_bad_command_line_option_is_42601, close_leftovers),
        cmocka_unit_test_teardown(test_startup_unterminated_parameters_are_08p01, close_leftovers),
        cmocka_unit_test_teardown(test_startup_bad_lengths_close_without_reply, close_leftovers),
        cmocka_unit_test_teardown(test_startup_length_limit_is_inclusive, close_leftovers),
        cmocka_unit_test_teardown(test_startup_cancel_request, close_leftovers),
        cmocka_unit_test_teardown(test_startup_query_before_startup_closes, close_leftovers),
    };
    return bk_run_group_tests("protocol/startup", tests, group_setup, group_teardown);
}
