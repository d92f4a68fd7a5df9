/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ready phase: framing of regular messages and the simple Query flow. Severity decides
 * the connection's fate here and only here: ERROR sends ErrorResponse and ends the current
 * statement (the query's arenas are reset, its snapshot released), FATAL sends ErrorResponse
 * and closes.
 *
 * Framing checks the length word before waiting for the body, so an oversized message is
 * rejected without buffering it. A result set is streamed: when the output passes the
 * high-water mark, the execution is suspended between batches and resumed on the next call,
 * which is how a slow reader applies backpressure instead of growing server memory.
 *
 * Extended-protocol messages (Parse, Bind, Describe, Execute, Close, Flush) are extended.c's.
 * An error in one of them starts PostgreSQL's skip-till-Sync: every message up to the next
 * Sync is read and discarded (a simple Query too), and Sync answers ReadyForQuery, so a
 * pipeline gets exactly one ErrorResponse and one ReadyForQuery. Sync, a simple Query and
 * every error end the (implicit) transaction, which closes all portals, as in PostgreSQL's
 * autocommit mode. An Execute that fills the output is suspended and resumed like a simple
 * Query's result.
 */
#include <stdio.h>
#include <string.h>

#include "protocol_int.h"

#define DEFAULT_MAX_MESSAGE     (64u << 20)
#define DEFAULT_HIGH_WATER      (256u << 10)
#define DEFAULT_STATEMENT_LIMIT ((size_t)64 << 20)
#define DEFAULT_PORTAL_LIMIT    ((size_t)128 << 20)

bk_pq_conn *bk_pq_conn_create(const bk_pq_config *cfg, uint32_t pid, uint32_t secret)
{
    bk_arena *a = bk_arena_create(NULL, "connection", 0);
    if (a == NULL) {
        return NULL;
    }
    bk_pq_conn *c = bk_arena_zalloc(a, sizeof *c);
    if (c == NULL) {
        bk_arena_destroy(a);
        return NULL;
    }
    c->arena = a;
    c->msg_arena = bk_arena_create(a, "message", 0);
    if (c->msg_arena == NULL) {
        bk_arena_destroy(a);
        return NULL;
    }
    c->cfg = *cfg;
    if (c->cfg.max_startup_bytes == 0) {
        c->cfg.max_startup_bytes = 10000;
    }
    if (c->cfg.max_message_bytes == 0) {
        c->cfg.max_message_bytes = DEFAULT_MAX_MESSAGE;
    }
    if (c->cfg.output_high_water == 0) {
        c->cfg.output_high_water = DEFAULT_HIGH_WATER;
    }
    if (c->cfg.statement_memory_limit == 0) {
        c->cfg.statement_memory_limit = DEFAULT_STATEMENT_LIMIT;
    }
    if (c->cfg.portal_memory_limit == 0) {
        c->cfg.portal_memory_limit = DEFAULT_PORTAL_LIMIT;
    }
    c->pid = pid;
    c->secret = secret;
    c->phase = PQ_STARTUP;
    bk_error_clear(&c->err);
    return c;
}

static void query_end(bk_pq_conn *c)
{
    pq_simple_query *q = &c->query;
    if (q->exec != NULL) {
        bk_exec_close(q->exec);
        q->exec = NULL;
    }
    q->stmt = NULL;
    q->active = false;
    q->parsed = NULL;
    bk_arena_reset(c->msg_arena);
}

void bk_pq_conn_destroy(bk_pq_conn *c)
{
    if (c == NULL) {
        return;
    }
    query_end(c);
    pq_extended_destroy(c);
    bk_session_destroy(c->session);
    bk_buf_free(&c->scratch);
    bk_arena_destroy(c->arena);
}

void bk_pq_cancel_target(const bk_pq_conn *c, uint32_t *pid, uint32_t *secret)
{
    *pid = c->cancel_pid;
    *secret = c->cancel_secret;
}

bk_session *bk_pq_session(bk_pq_conn *c)
{
    return c->session;
}

bool bk_pq_is_ready(const bk_pq_conn *c)
{
    return c->phase == PQ_READY;
}

bk_pq_status pq_fatal(bk_pq_conn *c, bk_buf *out)
{
    c->err.severity = BK_SEV_FATAL;
    /* The connection closes either way; an unsent FATAL is all OOM can cost here. */
    bk_rc rc = pq_error_response(out, &c->err);
    (void)rc;
    bk_error_clear(&c->err);
    c->phase = PQ_CLOSED;
    return BK_PQ_CLOSE;
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

static bk_rc ready_for_query(bk_pq_conn *c, bk_buf *out)
{
    char status = (char)BK_TX_IDLE;
    if (c->session != NULL) {
        report_ctx r = {out, BK_OK};
        bk_session_report_changes(c->session, report_param, &r);
        if (r.rc != BK_OK) {
            return BK_ERR;
        }
        status = (char)bk_session_tx_status(c->session);
    }
    return pq_ready_for_query(out, status);
}

/* Sends the error in c->err (ERROR severity) and clears it. */
static bk_rc send_error(bk_pq_conn *c, bk_buf *out)
{
    if (c->session != NULL) {
        bk_session_on_error(c->session);
    }
    bk_rc rc = pq_error_response(out, &c->err);
    bk_error_clear(&c->err);
    return rc;
}

/*
 * An ERROR in an extended-protocol message: sent, the transaction's portals closed, and
 * messages skipped until Sync.
 */
static bk_rc extended_error(bk_pq_conn *c, bk_buf *out)
{
    pq_portals_drop_all(c);
    c->ignore_till_sync = true;
    return send_error(c, out);
}

/*
 * Runs (or resumes) the statements of the active simple query. BK_AGAIN when suspended on a
 * full output buffer; BK_OK when finished (ReadyForQuery sent); BK_ERR on OOM of the output.
 */
static bk_rc run_query(bk_pq_conn *c, bk_buf *out)
{
    pq_simple_query *q = &c->query;
    uint32_t n = bk_parsed_count(q->parsed);
    while (q->index < n) {
        if (q->stmt == NULL) {
            q->stmt =
                bk_stmt_prepare(c->session, q->parsed, q->index, NULL, 0, c->msg_arena, &c->err);
            if (q->stmt == NULL) {
                goto failed;
            }
            if (bk_stmt_returns_rows(q->stmt) &&
                pq_row_description(out, bk_stmt_result(q->stmt)) != BK_OK) {
                return BK_ERR;
            }
            q->exec = bk_exec_start(c->session, q->stmt, NULL, c->msg_arena, &c->err);
            if (q->exec == NULL) {
                goto failed;
            }
        }
        for (;;) {
            bk_batch *b;
            if (bk_exec_next(q->exec, &b, &c->err) != BK_OK) {
                goto failed;
            }
            if (b == NULL) {
                break;
            }
            if (pq_data_rows(c->session, out, b) != BK_OK) {
                return BK_ERR;
            }
            if (out->len >= c->cfg.output_high_water) {
                return BK_AGAIN;
            }
        }
        if (pq_command_complete(out, bk_exec_command_tag(q->exec)) != BK_OK) {
            return BK_ERR;
        }
        pq_after_command(c, bk_exec_command_tag(q->exec));
        bk_exec_close(q->exec);
        q->exec = NULL;
        q->stmt = NULL;
        q->index++;
    }
    query_end(c);
    return ready_for_query(c, out);
failed:
    if (send_error(c, out) != BK_OK) {
        return BK_ERR;
    }
    query_end(c);
    return ready_for_query(c, out);
}

/* Starts a simple Query ('Q'). `body` is the message body, NUL-terminated inside. */
static bk_rc start_query(bk_pq_conn *c, const char *body, size_t len, bk_buf *out)
{
    const char *nul = memchr(body, '\0', len);
    if (nul == NULL || (size_t)(nul - body) + 1 != len) {
        bk_raise(&c->err, PROTOCOL_VIOLATION, "invalid message format");
        if (send_error(c, out) != BK_OK) {
            return BK_ERR;
        }
        return ready_for_query(c, out);
    }
    if (pq_check_utf8(body, len - 1, &c->err) != BK_OK) {
        if (send_error(c, out) != BK_OK) {
            return BK_ERR;
        }
        return ready_for_query(c, out);
    }
    /* Simple Query mode uses the unnamed statement, as PostgreSQL's exec_simple_query. */
    pq_simple_query_begins(c);
    bk_parsed *p = bk_query_parse(body, c->msg_arena, &c->err);
    if (p == NULL) {
        if (send_error(c, out) != BK_OK) {
            return BK_ERR;
        }
        bk_arena_reset(c->msg_arena);
        return ready_for_query(c, out);
    }
    if (bk_parsed_count(p) == 0) {
        size_t m;
        if (pq_begin(out, 'I', &m) != BK_OK || pq_end(out, m) != BK_OK) {
            return BK_ERR;
        }
        bk_arena_reset(c->msg_arena);
        return ready_for_query(c, out);
    }
    c->query = (pq_simple_query){.active = true, .parsed = p};
    return run_query(c, out);
}

static bk_pq_status bad_length(bk_pq_conn *c, bk_buf *out, uint32_t len)
{
    bk_raise(&c->err, PROTOCOL_VIOLATION, "invalid message length %d", (int)len);
    return pq_fatal(c, out);
}

static bk_pq_status bad_type(bk_pq_conn *c, bk_buf *out, char type)
{
    bk_raise(&c->err, PROTOCOL_VIOLATION, "invalid frontend message type %d", (int)(uint8_t)type);
    return pq_fatal(c, out);
}

/* Maps an extended-protocol handler's result onto the loop: BK_AGAIN suspended, BK_ERR close. */
static bk_rc extended_result(bk_pq_conn *c, pq_result r, bk_buf *out)
{
    switch (r) {
    case PQ_DONE:
        return BK_OK;
    case PQ_SUSPENDED:
        return BK_AGAIN;
    case PQ_FAILED:
        return extended_error(c, out);
    case PQ_BROKEN:
        break;
    }
    return BK_ERR;
}

bk_pq_status pq_ready(bk_pq_conn *c, bk_buf *in, bk_buf *out)
{
    size_t pos = 0;
    bk_pq_status st = BK_PQ_NEED_INPUT;
    for (;;) {
        if (c->query.active || c->exec.active) {
            bk_rc rc = c->query.active ? run_query(c, out)
                                       : extended_result(c, pq_execute_resume(c, out), out);
            if (rc == BK_AGAIN) {
                st = BK_PQ_OUTPUT_FULL;
                break;
            }
            if (rc != BK_OK) {
                st = BK_PQ_CLOSE;
                break;
            }
        }
        if (out->len >= c->cfg.output_high_water) {
            st = BK_PQ_OUTPUT_FULL;
            break;
        }
        if (in->len - pos < 1) {
            st = BK_PQ_NEED_INPUT;
            break;
        }
        /* An unknown type is fatal at once: its length word means nothing. */
        if (strchr("QXSHdcfPBDECF", in->ptr[pos]) == NULL || in->ptr[pos] == '\0') {
            st = bad_type(c, out, in->ptr[pos]);
            break;
        }
        if (in->len - pos < 5) {
            st = BK_PQ_NEED_INPUT;
            break;
        }
        const uint8_t *hdr = (const uint8_t *)in->ptr + pos;
        char type = (char)hdr[0];
        uint32_t len = bk_get_be32(hdr + 1);
        if (len < 4 || len > c->cfg.max_message_bytes) {
            st = bad_length(c, out, len);
            break;
        }
        if (in->len - pos < (size_t)len + 1) {
            st = BK_PQ_NEED_INPUT;
            break;
        }
        const char *body = in->ptr + pos + 5;
        size_t body_len = len - 4;
        pos += (size_t)len + 1;
        bk_rc rc = BK_OK;
        switch (type) {
        case 'Q':
            /* After an error in extended mode everything up to Sync is skipped, Query too. */
            if (c->ignore_till_sync) {
                break;
            }
            /* The Query ends the transaction (commit or abort): the portals go. */
            pq_portals_drop_all(c);
            rc = start_query(c, body, body_len, out);
            if (rc == BK_AGAIN) {
                st = BK_PQ_OUTPUT_FULL;
                goto done;
            }
            break;
        case 'X':
            st = BK_PQ_CLOSE;
            c->phase = PQ_CLOSED;
            goto done;
        case 'S':
            /* Sync ends the skipping and the implicit transaction. */
            c->ignore_till_sync = false;
            pq_portals_drop_all(c);
            if (body_len != 0) {
                /* Not an extended message: the error is followed by ReadyForQuery. */
                bk_raise(&c->err, PROTOCOL_VIOLATION, "invalid message format");
                rc = send_error(c, out);
            }
            if (rc == BK_OK) {
                rc = ready_for_query(c, out);
            }
            break;
        case 'd':
        case 'c':
        case 'f':
            /* Accepted and ignored outside COPY, as PostgreSQL does after a failed COPY. */
            break;
        case 'P':
        case 'B':
        case 'D':
        case 'E':
        case 'C':
        case 'H':
            if (c->ignore_till_sync) {
                break;
            }
            rc = extended_result(c, pq_extended_message(c, type, body, body_len, out), out);
            if (rc == BK_AGAIN) {
                st = BK_PQ_OUTPUT_FULL;
                goto done;
            }
            break;
        case 'F':
            /* FunctionCall is not an extended message: an error, then ReadyForQuery. */
            if (c->ignore_till_sync) {
                break;
            }
            pq_portals_drop_all(c);
            bk_raise(&c->err, FEATURE_NOT_SUPPORTED,
                     "the fastpath function call protocol is not supported");
            rc = send_error(c, out);
            if (rc == BK_OK) {
                rc = ready_for_query(c, out);
            }
            break;
        default:
            st = bad_type(c, out, type);
            goto done;
        }
        if (rc != BK_OK && rc != BK_AGAIN) {
            st = BK_PQ_CLOSE;
            break;
        }
    }
done:
    bk_buf_consume(in, pos);
    return st;
}

bk_pq_status bk_pq_process(bk_pq_conn *c, bk_buf *in, bk_buf *out)
{
    switch (c->phase) {
    case PQ_STARTUP: {
        bk_pq_status st = pq_startup(c, in, out);
        if (st == BK_PQ_NEED_INPUT && c->phase == PQ_READY && in->len > 0) {
            return pq_ready(c, in, out);
        }
        return st;
    }
    case PQ_READY:
        return pq_ready(c, in, out);
    case PQ_CLOSED:
        break;
    }
    return BK_PQ_CLOSE;
}
