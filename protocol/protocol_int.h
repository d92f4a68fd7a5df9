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

/* ---- extended query protocol objects (extended.c) ----------------------------------------- */

/*
 * Statement and portal names are looked up by their first 63 bytes (NAMEDATALEN - 1), as
 * PostgreSQL's hash tables do: longer names are accepted and truncated for the lookup, while
 * error messages quote the name the client sent.
 */
#define PQ_NAME_MAX 63

typedef struct pq_name_entry pq_name_entry;

struct pq_name_entry {
    pq_name_entry *next_in_bucket;
    uint64_t hash;
    char key[PQ_NAME_MAX + 1]; /* NUL-terminated, truncated name; "" = unnamed */
};

/* A name -> entry hash table; the bucket array is heap memory (bk_mem_*), entries are not. */
typedef struct pq_names {
    pq_name_entry **buckets;
    size_t n_buckets;
    size_t count;
} pq_names;

/* A prepared statement (Parse). */
typedef struct pq_stmt pq_stmt;

struct pq_stmt {
    pq_name_entry entry;  /* in c->stmt_names, unless unnamed or dropped */
    bk_arena *arena;      /* owns this struct, the query text, parse tree and plan */
    bk_stmt *stmt;        /* NULL for an empty query string */
    uint32_t n_params;    /* after inference */
    uint32_t *param_oids; /* n_params type OIDs, for ParameterDescription */
    uint32_t n_portals;   /* open portals bound to this statement */
    bool dropped;         /* closed or replaced while portals use it: freed with the last one */
    pq_stmt *prev, *next; /* c->stmts: every statement alive, dropped ones included */
};

/* A portal (Bind): a statement with parameter values, being executed. */
typedef struct pq_portal pq_portal;

struct pq_portal {
    pq_name_entry entry;  /* in c->portal_names */
    bk_arena *arena;      /* owns this struct, the parameter bytes and the format codes */
    bk_arena *exec_arena; /* parent of the execution's query arena (limited by the engine) */
    pq_stmt *stmt;        /* holds a reference (stmt->n_portals) */
    bk_exec *exec;        /* NULL for an empty statement */
    int16_t *formats;     /* n_cols result format codes as Bind gave them, expanded */
    uint32_t n_cols;      /* result columns (0 for statements without rows) */
    bool returns_rows;
    bk_batch *batch; /* fetched batch whose rows from batch_row on are still unsent */
    uint32_t batch_row;
    bool at_end;            /* the execution is finished (tag is set) */
    size_t charged;         /* bytes counted in c->portal_bytes */
    char tag[64];           /* CommandComplete tag once at_end */
    pq_portal *prev, *next; /* c->portals */
};

/* An Execute in progress, suspended between batches when the output passed its mark. */
typedef struct pq_execute {
    bool active;
    pq_portal *portal;
    uint64_t remaining; /* rows this Execute may still send (UINT64_MAX: no limit) */
    uint64_t sent;      /* rows sent by this Execute so far */
} pq_execute;

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
    /* Extended protocol state. */
    bk_arena *stmt_arena;  /* parent of every statement's arena, its limit caps them all;
                              NULL until the first Parse */
    pq_names stmt_names;   /* named statements */
    pq_stmt *unnamed_stmt; /* NULL when there is none */
    pq_stmt *stmts;        /* every statement alive (list) */
    pq_names portal_names; /* every open portal, the unnamed one under "" */
    pq_portal *portals;    /* list of the same */
    size_t portal_bytes;   /* memory held by open portals (see bk_pq_config) */
    pq_execute exec;
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

/*
 * A bounds-checked reader over one message body (PostgreSQL's pqformat pq_getmsg*): every
 * read checks the remaining length first and raises PostgreSQL's 08P01 error otherwise, so a
 * length word is never trusted beyond the message it came in.
 */
typedef struct pq_reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
} pq_reader;

BK_NODISCARD bk_rc pq_get_byte(pq_reader *r, uint8_t *out, bk_error *err);
BK_NODISCARD bk_rc pq_get_uint16(pq_reader *r, uint16_t *out, bk_error *err);
BK_NODISCARD bk_rc pq_get_int16(pq_reader *r, int16_t *out, bk_error *err);
BK_NODISCARD bk_rc pq_get_int32(pq_reader *r, int32_t *out, bk_error *err);
/* A NUL-terminated string inside the body, validated as UTF-8 (22021). */
BK_NODISCARD bk_rc pq_get_cstr(pq_reader *r, const char **out, size_t *out_len, bk_error *err);
/* `n` bytes; a negative n or one beyond the body is 08P01. */
BK_NODISCARD bk_rc pq_get_bytes(pq_reader *r, int32_t n, const uint8_t **out, bk_error *err);
/* 08P01 "invalid message format" unless the whole body was read. */
BK_NODISCARD bk_rc pq_get_end(pq_reader *r, bk_error *err);

/*
 * Checks that s[0, n) is valid UTF-8 without NUL bytes, as PostgreSQL's pg_verify_mbstr:
 * 22021 naming the bad sequence's bytes ("0xe2 0x82 0x27").
 */
BK_NODISCARD bk_rc pq_check_utf8(const char *s, size_t n, bk_error *err);

/* format_text.c: RowDescription and DataRow in text format. */
BK_NODISCARD bk_rc pq_row_description(bk_buf *out, const bk_result_desc *rd);
/* RowDescription with a format code per column (NULL: all text). */
BK_NODISCARD bk_rc pq_row_description_formats(bk_buf *out,
                                              const bk_result_desc *rd,
                                              const int16_t *formats);
BK_NODISCARD bk_rc pq_data_rows(const bk_session *s, bk_buf *out, const bk_batch *b);

/* format_binary.c: values in PostgreSQL's binary (send) format. */
/* Appends the binary form of row `row` of `v` (not NULL there). BK_ERR on OOM. */
BK_NODISCARD bk_rc pq_value_binary(bk_buf *out, const bk_vec *v, uint32_t row);
/*
 * DataRows for rows [from, to) of `b`, column i in format formats[i] (0 text, 1 binary; the
 * caller has rejected other codes). BK_ERR on OOM or a message beyond 2^31 - 1 bytes.
 */
BK_NODISCARD bk_rc pq_data_rows_formats(const bk_session *s,
                                        bk_buf *out,
                                        const bk_batch *b,
                                        uint32_t from,
                                        uint32_t to,
                                        const int16_t *formats);

/* extended.c: the extended query protocol. */
typedef enum pq_result {
    PQ_DONE,      /* message handled, answer written */
    PQ_SUSPENDED, /* an Execute stopped on a full output buffer; resume with pq_execute_resume */
    PQ_FAILED,    /* an ERROR is in c->err, not sent yet */
    PQ_BROKEN,    /* the answer could not be written (OOM, oversized message): close */
} pq_result;

/* One of P B D E C H; `body` is the message body. */
pq_result pq_extended_message(bk_pq_conn *c, char type, const char *body, size_t len, bk_buf *out);
/* Continues the suspended Execute (c->exec.active). */
pq_result pq_execute_resume(bk_pq_conn *c, bk_buf *out);
/* The transaction ended (Sync, simple Query, an error): every portal is closed. */
void pq_portals_drop_all(bk_pq_conn *c);
/* A simple Query begins: PostgreSQL drops the unnamed statement (and the portals). */
void pq_simple_query_begins(bk_pq_conn *c);
/* After a statement completed with `tag`: DISCARD ALL / DEALLOCATE ALL drop statements. */
void pq_after_command(bk_pq_conn *c, const char *tag);
/* Frees every statement and portal (connection end). */
void pq_extended_destroy(bk_pq_conn *c);

#endif /* BK_PROTOCOL_PROTOCOL_INT_H */
