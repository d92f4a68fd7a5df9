/* SPDX-License-Identifier: Apache-2.0 */
/* protocol internals: connection state, message writer helpers, per-phase handlers. */
#ifndef BK_PROTOCOL_PROTOCOL_INT_H
#define BK_PROTOCOL_PROTOCOL_INT_H

#include "protocol.h"

typedef enum pq_phase {
    PQ_STARTUP, /* expecting SSLRequest / GSSENCRequest / CancelRequest / StartupMessage */
    PQ_READY,   /* authenticated: regular messages */
    PQ_CLOSED,
} pq_phase;

/* A simple Query being executed, possibly suspended between batches (output full). */
typedef struct pq_simple_query {
    bool active;
    bk_parsed *parsed;
    uint32_t index; /* statement being run */
    bk_stmt *stmt;
    bk_exec *exec;
    bk_arena *arena; /* statement + execution memory */
} pq_simple_query;

struct bk_pq_conn {
    bk_pq_config cfg;
    pq_phase phase;
    uint32_t pid;
    uint32_t secret;
    uint32_t cancel_pid;
    uint32_t cancel_secret;
    uint32_t n_negotiations; /* SSL/GSSENC requests answered */
    bk_arena *arena;         /* connection lifetime */
    bk_arena *msg_arena;     /* reset after each message */
    bk_session *session;
    bool ignore_till_sync;
    pq_simple_query query;
    bk_error err; /* the reserve for errors on this connection */
    bk_buf scratch;
};

/* msg.c: writing backend messages. Each returns BK_ERR on OOM. */
BK_NODISCARD bk_rc pq_begin(bk_buf *out, char type, size_t *mark);
BK_NODISCARD bk_rc pq_end(bk_buf *out, size_t mark);
BK_NODISCARD bk_rc pq_put_int16(bk_buf *out, int16_t v);
BK_NODISCARD bk_rc pq_put_int32(bk_buf *out, int32_t v);
BK_NODISCARD bk_rc pq_put_cstr(bk_buf *out, const char *s);
BK_NODISCARD bk_rc pq_put_bytes(bk_buf *out, const void *p, size_t n);
BK_NODISCARD bk_rc pq_ready_for_query(bk_buf *out, char status);
BK_NODISCARD bk_rc pq_parameter_status(bk_buf *out, const char *name, const char *value);
BK_NODISCARD bk_rc pq_command_complete(bk_buf *out, const char *tag);
/* ErrorResponse (or NoticeResponse) with PostgreSQL's fields. */
BK_NODISCARD bk_rc pq_error_response(bk_buf *out, const bk_error *e);

/* startup.c */
bk_pq_status pq_startup(bk_pq_conn *c, bk_buf *in, bk_buf *out);

/* session.c */
bk_pq_status pq_ready(bk_pq_conn *c, bk_buf *in, bk_buf *out);
/* Sends a FATAL error and moves to CLOSED. */
bk_pq_status pq_fatal(bk_pq_conn *c, bk_buf *out);

/* format_text.c: RowDescription and DataRow in text format. */
BK_NODISCARD bk_rc pq_row_description(bk_buf *out, const bk_result_desc *rd);
BK_NODISCARD bk_rc pq_data_rows(const bk_session *s, bk_buf *out, const bk_batch *b);

#endif /* BK_PROTOCOL_PROTOCOL_INT_H */
