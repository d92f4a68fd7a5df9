/* SPDX-License-Identifier: Apache-2.0 */
/* server internals: configuration, connections, the event loop and the worker pool. */
#ifndef BK_SERVER_SERVER_INT_H
#define BK_SERVER_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/common.h"
#include "loaders/loaders.h"
#include "protocol/protocol.h"
#include "query/query.h"
#include "storage/storage.h"

#define BK_VERSION        "0.1.0"
#define BK_SERVER_VERSION "15.18 (Basket " BK_VERSION ")"

typedef struct bk_config {
    const char *listen_addr; /* default 127.0.0.1 */
    uint16_t port;           /* default 5433 */
    const char *data_dir;    /* default ./basket-data */
    const char **load_files;
    uint32_t n_load_files;
    bool sample;
    uint64_t sample_rows; /* 541,909 */
    uint32_t workers;     /* 0 = automatic */
    uint32_t max_connections;
    uint32_t auth_timeout_ms;
    uint64_t max_load_errors;
    uint64_t checkpoint_bytes; /* log growth that triggers a checkpoint */
} bk_config;

/* config.c: parses argv. Returns 0 to run, 1 when it printed help/version (exit 0), -1 on a
 * usage error (message printed, exit 2). */
int bk_config_parse(bk_config *cfg, int argc, char **argv);
void bk_config_free(bk_config *cfg);

/* ---- connections ---- */

typedef struct bk_conn bk_conn;

struct bk_conn {
    uint32_t slot;
    uint32_t gen;
    int fd;
    uint32_t pid; /* BackendKeyData of this connection */
    uint32_t secret;
    bk_pq_conn *pq;
    bk_buf pending;      /* received, not yet handed to a worker (loop thread) */
    bk_buf in;           /* bytes the protocol works on (worker while busy) */
    bk_buf out;          /* responses (worker while busy, then loop while sending) */
    size_t out_sent;     /* bytes of out already sent */
    bk_pq_status status; /* result of the last bk_pq_process */
    uint64_t opened_ns;
    bool busy;         /* queued for or running on a worker */
    bool recv_armed;   /* a multishot receive is in flight */
    bool recv_stalled; /* receive not re-armed (backpressure or ENOBUFS) */
    bool send_inflight;
    bool closing;
    bool resume; /* protocol suspended on full output: run again after send */
    bk_conn *next_in_queue;
};

/* worker.c: a pool of threads that run bk_pq_process for connections. */
typedef struct bk_workers bk_workers;

BK_NODISCARD bk_workers *bk_workers_start(uint32_t n, int notify_fd, bk_error *err);
/* Queues c (loop thread). */
void bk_workers_submit(bk_workers *w, bk_conn *c);
/* Takes the connections workers have finished (loop thread); returns a list via next_in_queue. */
bk_conn *bk_workers_take_done(bk_workers *w);
void bk_workers_stop(bk_workers *w);

/* loop.c */
typedef struct bk_server bk_server;

BK_NODISCARD bk_server *
bk_server_create(const bk_config *cfg, bk_engine *engine, int listen_fd, bk_error *err);
/* Runs until SIGINT/SIGTERM. */
BK_NODISCARD bk_rc bk_server_run(bk_server *s, bk_error *err);
void bk_server_destroy(bk_server *s);

#endif /* BK_SERVER_SERVER_INT_H */
