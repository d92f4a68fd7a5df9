/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The startup phase (PostgreSQL protocol documentation, "Start-up"): SSLRequest and
 * GSSENCRequest answered 'N' (no TLS yet), CancelRequest handed to the server, and the
 * StartupMessage: protocol 3.0 (newer 3.x minors get NegotiateProtocolVersion and continue on
 * 3.0), parameters validated and applied, then AuthenticationOk, the ParameterStatus set
 * PostgreSQL 15 sends, BackendKeyData and ReadyForQuery.
 *
 * Nothing is allocated from a length word before it is checked against the startup limit
 * (10,000 bytes, as PostgreSQL): a hostile length closes the connection without a reply, as
 * PostgreSQL does before authentication.
 */
#include <stdio.h>
#include <string.h>

#include "protocol_int.h"

static bk_pq_status send_n(bk_buf *out)
{
    if (bk_buf_append_byte(out, 'N') != BK_OK) {
        return BK_PQ_CLOSE;
    }
    return BK_PQ_NEED_INPUT;
}

typedef struct startup_params {
    const char *user;
    const char *database;
    const char *options;
    bool replication;
    const char *names[64]; /* other parameters, to apply as settings */
    const char *values[64];
    uint32_t n;
    const char *unknown_pq[32]; /* _pq_.* options for NegotiateProtocolVersion */
    uint32_t n_unknown_pq;
} startup_params;

static bk_pq_status fatal(bk_pq_conn *c, bk_buf *out)
{
    return pq_fatal(c, out);
}

/* Parses key\0value\0...\0 into params (pointers into `body`, which must outlive them). */
static bool parse_params(bk_pq_conn *c, const char *body, size_t len, startup_params *p)
{
    memset(p, 0, sizeof *p);
    size_t i = 0;
    for (;;) {
        if (i >= len) {
            bk_raise(&c->err, PROTOCOL_VIOLATION,
                     "invalid startup packet layout: expected terminator as last byte");
            return false;
        }
        if (body[i] == '\0') {
            if (i + 1 != len) {
                bk_raise(&c->err, PROTOCOL_VIOLATION,
                         "invalid startup packet layout: expected terminator as last byte");
                return false;
            }
            return true;
        }
        const char *name = body + i;
        const char *nend = memchr(name, '\0', len - i);
        if (nend == NULL) {
            bk_raise(&c->err, PROTOCOL_VIOLATION,
                     "invalid startup packet layout: expected terminator as last byte");
            return false;
        }
        i = (size_t)(nend - body) + 1;
        if (i >= len) {
            bk_raise(&c->err, PROTOCOL_VIOLATION,
                     "invalid startup packet layout: expected terminator as last byte");
            return false;
        }
        const char *value = body + i;
        const char *vend = memchr(value, '\0', len - i);
        if (vend == NULL) {
            bk_raise(&c->err, PROTOCOL_VIOLATION,
                     "invalid startup packet layout: expected terminator as last byte");
            return false;
        }
        i = (size_t)(vend - body) + 1;
        if (strcmp(name, "user") == 0) {
            p->user = value;
        } else if (strcmp(name, "database") == 0) {
            p->database = value;
        } else if (strcmp(name, "options") == 0) {
            p->options = value;
        } else if (strcmp(name, "replication") == 0) {
            p->replication = strcmp(value, "false") != 0 && strcmp(value, "0") != 0 &&
                             strcmp(value, "off") != 0 && strcmp(value, "no") != 0;
        } else if (strncmp(name, "_pq_.", 5) == 0) {
            if (p->n_unknown_pq < BK_ARRAY_LEN(p->unknown_pq)) {
                p->unknown_pq[p->n_unknown_pq++] = name;
            }
        } else {
            if (p->n == BK_ARRAY_LEN(p->names)) {
                bk_raise(&c->err, PROGRAM_LIMIT_EXCEEDED, "too many startup parameters");
                return false;
            }
            p->names[p->n] = name;
            p->values[p->n] = value;
            p->n++;
        }
    }
}

/* Applies "-c name=value" and "--name=value" switches of the options parameter. */
static bool apply_options(bk_pq_conn *c, const char *opts)
{
    char buf[1024];
    size_t n = strlen(opts);
    if (n >= sizeof buf) {
        bk_raise(&c->err, PROGRAM_LIMIT_EXCEEDED, "options parameter is too long");
        return false;
    }
    /* Split on unescaped whitespace; a backslash escapes the next character. */
    char *tokens[64];
    int n_tokens = 0;
    size_t o = 0;
    bool in_token = false;
    for (size_t i = 0; i < n; i++) {
        char ch = opts[i];
        if (ch == ' ' || ch == '\t') {
            if (in_token) {
                buf[o++] = '\0';
                in_token = false;
            }
            continue;
        }
        if (!in_token) {
            if (n_tokens == 64) {
                bk_raise(&c->err, PROGRAM_LIMIT_EXCEEDED, "too many options");
                return false;
            }
            tokens[n_tokens++] = &buf[o];
            in_token = true;
        }
        if (ch == '\\' && i + 1 < n) {
            ch = opts[++i];
        }
        buf[o++] = ch;
    }
    if (in_token) {
        buf[o++] = '\0';
    }
    for (int t = 0; t < n_tokens; t++) {
        const char *setting = NULL;
        if (strcmp(tokens[t], "-c") == 0 && t + 1 < n_tokens) {
            setting = tokens[++t];
        } else if (strncmp(tokens[t], "-c", 2) == 0 && tokens[t][2] != '\0') {
            setting = tokens[t] + 2;
        } else if (strncmp(tokens[t], "--", 2) == 0) {
            setting = tokens[t] + 2;
        } else {
            bk_raise(&c->err, SYNTAX_ERROR, "invalid command-line argument for server process: %s",
                     tokens[t]);
            return false;
        }
        char *eq = strchr(setting, '=');
        if (eq == NULL) {
            bk_raise(&c->err, SYNTAX_ERROR, "-c %s requires a value", setting);
            return false;
        }
        *eq = '\0';
        /* Dashes in names are underscores, as in PostgreSQL's ParseLongOption. */
        for (char *p = (char *)setting; *p != '\0'; p++) {
            if (*p == '-') {
                *p = '_';
            }
        }
        if (bk_session_set(c->session, setting, eq + 1, &c->err) != BK_OK) {
            return false;
        }
    }
    return true;
}

typedef struct report_ctx {
    bk_buf *out;
    bk_rc rc;
} report_ctx;

static void report_param(void *ctx, const char *name, const char *value)
{
    report_ctx *r = ctx;
    if (pq_parameter_status(r->out, name, value) != BK_OK) {
        r->rc = BK_ERR;
    }
}

static bk_pq_status
start_session(bk_pq_conn *c, const char *body, size_t len, uint32_t minor, bk_buf *out)
{
    startup_params p;
    if (!parse_params(c, body, len, &p)) {
        return fatal(c, out);
    }
    if (minor > 0 || p.n_unknown_pq > 0) {
        size_t m;
        /* The newest version the server supports for the requested major: 3.0. */
        if (pq_begin(out, 'v', &m) != BK_OK ||
            pq_put_int32(out, (int32_t)BK_PQ_PROTOCOL_3_0) != BK_OK ||
            pq_put_int32(out, (int32_t)p.n_unknown_pq) != BK_OK) {
            return BK_PQ_CLOSE;
        }
        for (uint32_t i = 0; i < p.n_unknown_pq; i++) {
            if (pq_put_cstr(out, p.unknown_pq[i]) != BK_OK) {
                return BK_PQ_CLOSE;
            }
        }
        if (pq_end(out, m) != BK_OK) {
            return BK_PQ_CLOSE;
        }
    }
    if (p.user == NULL || p.user[0] == '\0') {
        bk_raise(&c->err, INVALID_AUTHORIZATION_SPECIFICATION,
                 "no PostgreSQL user name specified in startup packet");
        return fatal(c, out);
    }
    if (p.replication) {
        bk_raise(&c->err, FEATURE_NOT_SUPPORTED, "replication connections are not supported");
        return fatal(c, out);
    }
    const char *db = p.database != NULL && p.database[0] != '\0' ? p.database : p.user;
    if (strcmp(db, "basket") != 0 && strcmp(db, "postgres") != 0) {
        bk_raise(&c->err, INVALID_CATALOG_NAME, "database \"%s\" does not exist", db);
        return fatal(c, out);
    }
    c->session = bk_session_create(c->cfg.engine, c->arena, p.user, db, &c->err);
    if (c->session == NULL) {
        return fatal(c, out);
    }
    for (uint32_t i = 0; i < p.n; i++) {
        if (bk_session_set(c->session, p.names[i], p.values[i], &c->err) != BK_OK) {
            return fatal(c, out);
        }
    }
    if (p.options != NULL && !apply_options(c, p.options)) {
        return fatal(c, out);
    }
    /* Trust authentication: AuthenticationOk, then the session's parameters. */
    size_t m;
    if (pq_begin(out, 'R', &m) != BK_OK || pq_put_int32(out, 0) != BK_OK ||
        pq_end(out, m) != BK_OK) {
        return BK_PQ_CLOSE;
    }
    report_ctx r = {out, BK_OK};
    bk_session_report_all(c->session, report_param, &r);
    if (r.rc != BK_OK) {
        return BK_PQ_CLOSE;
    }
    if (pq_begin(out, 'K', &m) != BK_OK || pq_put_int32(out, (int32_t)c->pid) != BK_OK ||
        pq_put_int32(out, (int32_t)c->secret) != BK_OK || pq_end(out, m) != BK_OK ||
        pq_ready_for_query(out, (char)bk_session_tx_status(c->session)) != BK_OK) {
        return BK_PQ_CLOSE;
    }
    c->phase = PQ_READY;
    return BK_PQ_NEED_INPUT;
}

bk_pq_status pq_startup(bk_pq_conn *c, bk_buf *in, bk_buf *out)
{
    for (;;) {
        if (in->len < 4) {
            return BK_PQ_NEED_INPUT;
        }
        uint32_t len = bk_get_be32((const uint8_t *)in->ptr);
        if (len < 8 || len > c->cfg.max_startup_bytes) {
            return BK_PQ_CLOSE; /* PostgreSQL closes without a reply before authentication */
        }
        if (in->len < len) {
            return BK_PQ_NEED_INPUT;
        }
        uint32_t code = bk_get_be32((const uint8_t *)in->ptr + 4);
        if (code == BK_PQ_SSL_REQUEST_CODE || code == BK_PQ_GSSENC_REQUEST_CODE) {
            /* Each negotiation may be asked once (GSSENC, then SSL, is what libpq may do). */
            uint32_t bit = code == BK_PQ_SSL_REQUEST_CODE ? 1u : 2u;
            if (len != 8 || (c->n_negotiations & bit) != 0) {
                bk_raise(&c->err, PROTOCOL_VIOLATION,
                         "unsupported frontend protocol %u.%u: "
                         "server supports 3.0 to 3.0",
                         code >> 16, code & 0xffff);
                bk_buf_consume(in, len);
                return fatal(c, out);
            }
            c->n_negotiations |= bit;
            bk_buf_consume(in, len);
            bk_pq_status st = send_n(out);
            if (st != BK_PQ_NEED_INPUT) {
                return st;
            }
            continue;
        }
        if (code == BK_PQ_CANCEL_REQUEST_CODE) {
            if (len != 16) {
                return BK_PQ_CLOSE;
            }
            c->cancel_pid = bk_get_be32((const uint8_t *)in->ptr + 8);
            c->cancel_secret = bk_get_be32((const uint8_t *)in->ptr + 12);
            bk_buf_consume(in, len);
            return BK_PQ_CANCEL;
        }
        uint32_t major = code >> 16, minor = code & 0xffff;
        if (major != 3) {
            bk_raise(&c->err, FEATURE_NOT_SUPPORTED,
                     "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0", major,
                     minor);
            bk_buf_consume(in, len);
            return fatal(c, out);
        }
        /* Copy the body out of `in` before consuming it: parameters point into it. */
        char *body = bk_arena_memdup(c->msg_arena, in->ptr + 8, len - 8);
        if (body == NULL) {
            return BK_PQ_CLOSE;
        }
        bk_buf_consume(in, len);
        bk_pq_status st = start_session(c, body, len - 8, minor, out);
        bk_arena_reset(c->msg_arena);
        return st;
    }
}
