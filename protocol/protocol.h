/* SPDX-License-Identifier: Apache-2.0 */
/*
 * protocol: the PostgreSQL v3 frontend/backend protocol, sans I/O. Bytes a client sent go in,
 * bytes to send back come out; this module never touches a socket, a ring or a thread, which
 * is what makes it unit-testable and fuzzable byte for byte.
 *
 * Interface index:
 *   bk_pq_config, bk_pq_conn_create/destroy   one connection's protocol state
 *   bk_pq_process                              consume input, produce output
 *   bk_pq_cancel_target                        a CancelRequest's (pid, key)
 *
 * Both query protocols are served: simple Query, and the extended protocol (Parse, Bind,
 * Describe, Execute, Close, Sync, Flush) with named and unnamed prepared statements and
 * portals, text and binary formats for parameters and results.
 */
#ifndef BK_PROTOCOL_PROTOCOL_H
#define BK_PROTOCOL_PROTOCOL_H

#include "common/common.h"
#include "query/query.h"

#define BK_PQ_PROTOCOL_3_0        0x00030000u
#define BK_PQ_SSL_REQUEST_CODE    80877103u
#define BK_PQ_GSSENC_REQUEST_CODE 80877104u
#define BK_PQ_CANCEL_REQUEST_CODE 80877102u

typedef struct bk_pq_config {
    bk_engine *engine;
    uint32_t max_startup_bytes; /* 10,000 as PostgreSQL; 0 = default */
    uint32_t max_message_bytes; /* 0 = 64 MiB */
    size_t output_high_water;   /* suspend result streaming past this; 0 = 256 KiB */
    /*
     * Bytes the prepared statements of one connection may hold (parse trees, plans); a Parse
     * beyond it fails with 53200. 0 = 64 MiB.
     */
    size_t statement_memory_limit;
    /*
     * Bytes the open portals of one connection may hold (parameter values, execution state at
     * Bind); a Bind beyond it fails with 53200. Rows produced while executing count against
     * the engine's per-query limit instead. 0 = 128 MiB.
     */
    size_t portal_memory_limit;
} bk_pq_config;

typedef struct bk_pq_conn bk_pq_conn;

/*
 * Creates the state of a new connection. `pid` and `secret` are the BackendKeyData the server
 * assigned (the server maps them back for CancelRequest). Returns NULL on OOM.
 */
BK_NODISCARD bk_pq_conn *bk_pq_conn_create(const bk_pq_config *cfg, uint32_t pid, uint32_t secret);
void bk_pq_conn_destroy(bk_pq_conn *c);

typedef enum bk_pq_status {
    BK_PQ_NEED_INPUT,  /* everything consumable was consumed; wait for more bytes */
    BK_PQ_OUTPUT_FULL, /* output passed the high-water mark: send it, then call again */
    BK_PQ_CLOSE,       /* send what is in `out`, then close the connection */
    BK_PQ_CANCEL,      /* a CancelRequest: see bk_pq_cancel_target, then close */
} bk_pq_status;

/*
 * Consumes complete messages from the front of `in` (removing them) and appends responses to
 * `out`. Partial messages stay in `in` until more bytes arrive. Never blocks; a long result
 * is produced in pieces (BK_PQ_OUTPUT_FULL) so the caller can apply backpressure.
 */
bk_pq_status bk_pq_process(bk_pq_conn *c, bk_buf *in, bk_buf *out);

/* The (pid, secret key) a CancelRequest named. */
void bk_pq_cancel_target(const bk_pq_conn *c, uint32_t *pid, uint32_t *secret);

/* The session once started (NULL before authentication), for cancellation by the server. */
bk_session *bk_pq_session(bk_pq_conn *c);

/* True once the startup phase is over (the connection is authenticated and ready). */
bool bk_pq_is_ready(const bk_pq_conn *c);

#endif /* BK_PROTOCOL_PROTOCOL_H */
