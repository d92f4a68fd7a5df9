/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event loop: one io_uring on the main thread for every socket operation, with the
 * protocol and queries running on the worker pool.
 *
 * Ownership of a connection's buffers moves with the connection: while `busy` a worker owns
 * `in` and `out`; otherwise the loop does. The loop keeps receiving into `pending` while a
 * worker runs and hands the bytes over at the next dispatch. At most one send is in flight
 * per connection, and a connection is dispatched only when its output has been sent, so the
 * kernel never reads a buffer a worker may be reallocating.
 *
 * user_data packs (operation kind : 8 | slot : 24 | generation : 32). A slot's generation
 * changes when its connection is freed, so a late completion for a closed connection is
 * recognised and dropped instead of being applied to a newcomer that reused the slot or fd.
 * A connection is freed only when no operation of its own is in flight (receive cancelled
 * and completed, send completed) and no worker holds it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server_int.h"

enum {
    OP_ACCEPT = 1,
    OP_RECV,
    OP_SEND,
    OP_NOTIFY,
    OP_TIMER,
    OP_SIGNAL,
    OP_CANCEL,
};

#define BUF_GROUP     1
#define N_RECV_BUFS   512
#define RECV_BUF_SIZE (16 * 1024)
#define TICK_NS       (UINT64_C(250) * 1000 * 1000)

static uint64_t ud(unsigned kind, uint32_t slot, uint32_t gen)
{
    return (uint64_t)kind << 56 | (uint64_t)(slot & 0xffffff) << 32 | gen;
}

static unsigned ud_kind(uint64_t u)
{
    return (unsigned)(u >> 56);
}

static uint32_t ud_slot(uint64_t u)
{
    return (uint32_t)(u >> 32) & 0xffffff;
}

static uint32_t ud_gen(uint64_t u)
{
    return (uint32_t)u;
}

struct bk_server {
    bk_config cfg;
    bk_engine *engine;
    bk_ring *ring;
    bk_workers *workers;
    int listen_fd;
    int notify_fd;
    int signal_fd;
    uint64_t notify_value;
    struct signalfd_siginfo sig;
    bk_conn **slots;
    uint32_t *gens;
    uint32_t n_slots;
    uint32_t *free_list;
    uint32_t n_free;
    uint32_t n_conns;
    uint32_t next_pid;
    bool accept_armed;
    bool stopping;
    bk_pq_config pq_cfg;
};

static bk_conn *conn_lookup(bk_server *s, uint64_t u)
{
    uint32_t slot = ud_slot(u);
    if (slot >= s->n_slots) {
        return NULL;
    }
    bk_conn *c = s->slots[slot];
    if (c == NULL || c->gen != ud_gen(u)) {
        return NULL;
    }
    return c;
}

static void arm_recv(bk_server *s, bk_conn *c)
{
    bk_ring_recv_multishot(s->ring, c->fd, BUF_GROUP, ud(OP_RECV, c->slot, c->gen));
    c->recv_armed = true;
    c->recv_stalled = false;
}

static void try_free(bk_server *s, bk_conn *c)
{
    if (!c->closing || c->busy || c->send_inflight || c->recv_armed) {
        return;
    }
    close(c->fd);
    bk_pq_conn_destroy(c->pq);
    bk_buf_free(&c->pending);
    bk_buf_free(&c->in);
    bk_buf_free(&c->out);
    s->slots[c->slot] = NULL;
    s->gens[c->slot]++;
    s->free_list[s->n_free++] = c->slot;
    s->n_conns--;
    bk_mem_free(c);
}

static void conn_close(bk_server *s, bk_conn *c)
{
    if (!c->closing) {
        c->closing = true;
        /* Wakes the receive (it completes with 0 or an error) and tells the peer. */
        shutdown(c->fd, SHUT_RDWR);
        if (c->recv_armed) {
            bk_ring_cancel(s->ring, ud(OP_RECV, c->slot, c->gen), ud(OP_CANCEL, c->slot, c->gen));
        }
    }
    try_free(s, c);
}

static void start_send(bk_server *s, bk_conn *c)
{
    bk_ring_send(s->ring, c->fd, c->out.ptr + c->out_sent, c->out.len - c->out_sent,
                 ud(OP_SEND, c->slot, c->gen));
    c->send_inflight = true;
}

/* Hands the connection to a worker when it has work and nothing is in flight. */
static void schedule(bk_server *s, bk_conn *c)
{
    if (c->busy || c->send_inflight || c->closing) {
        return;
    }
    if (c->pending.len == 0 && !c->resume) {
        return;
    }
    if (c->pending.len > 0) {
        if (bk_buf_append(&c->in, c->pending.ptr, c->pending.len) != BK_OK) {
            bk_log(BK_LOG_WARNING, "out of memory buffering input of a connection; closing it");
            conn_close(s, c);
            return;
        }
        bk_buf_clear(&c->pending);
    }
    c->resume = false;
    c->busy = true;
    bk_workers_submit(s->workers, c);
}

/* Backpressure: stop receiving while a connection has this much unprocessed input. */
static size_t input_limit(const bk_server *s)
{
    return (size_t)s->pq_cfg.max_message_bytes + (1u << 20);
}

static void refuse_connection(int fd)
{
    /* FATAL 53300, as PostgreSQL answers when max_connections is reached. */
    static const char msg[] = "sorry, too many clients already";
    uint8_t buf[128];
    size_t n = 0;
    buf[n++] = 'E';
    n += 4;
    const char *fields[][2] = {
        {"S", "FATAL"},
        {"V", "FATAL"},
        {"C", "53300"},
        {"M",     msg}
    };
    for (size_t i = 0; i < BK_ARRAY_LEN(fields); i++) {
        buf[n++] = (uint8_t)fields[i][0][0];
        size_t l = strlen(fields[i][1]) + 1;
        memcpy(buf + n, fields[i][1], l);
        n += l;
    }
    buf[n++] = 0;
    bk_put_be32(buf + 1, (uint32_t)(n - 1));
    ssize_t w = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w;
    close(fd);
}

static void on_accept(bk_server *s, const bk_cqe *cqe)
{
    if (!bk_cqe_has_more(cqe)) {
        s->accept_armed = false;
    }
    if (cqe->res < 0) {
        if (cqe->res != -ECANCELED) {
            bk_log(BK_LOG_WARNING, "accept failed: %s", strerror(-cqe->res));
        }
        return;
    }
    int fd = cqe->res;
    if (s->stopping || s->n_conns >= s->cfg.max_connections || s->n_free == 0) {
        refuse_connection(fd);
        return;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    bk_conn *c = bk_mem_calloc(1, sizeof *c);
    uint32_t secret = 0;
    if (c != NULL && getrandom(&secret, sizeof secret, 0) != (ssize_t)sizeof secret) {
        secret = (uint32_t)bk_hash_u64(bk_clock_mono_ns());
    }
    uint32_t pid = ++s->next_pid;
    bk_pq_conn *pq = c != NULL ? bk_pq_conn_create(&s->pq_cfg, pid, secret) : NULL;
    if (pq == NULL) {
        bk_mem_free(c);
        bk_log(BK_LOG_WARNING, "out of memory accepting a connection");
        close(fd);
        return;
    }
    c->slot = s->free_list[--s->n_free];
    c->gen = s->gens[c->slot];
    c->fd = fd;
    c->pq = pq;
    c->pid = pid;
    c->secret = secret;
    c->opened_ns = bk_clock_mono_ns();
    s->slots[c->slot] = c;
    s->n_conns++;
    arm_recv(s, c);
}

static void on_recv(bk_server *s, const bk_cqe *cqe)
{
    uint16_t bid;
    bool has_buf = bk_cqe_buffer_id(cqe, &bid);
    bk_conn *c = conn_lookup(s, cqe->user_data);
    if (c == NULL) {
        if (has_buf) {
            bk_ring_buffer_return(s->ring, bid);
        }
        return;
    }
    if (!bk_cqe_has_more(cqe)) {
        c->recv_armed = false;
    }
    if (cqe->res > 0 && has_buf) {
        bk_rc rc = c->closing
                       ? BK_OK
                       : bk_buf_append(&c->pending, bk_ring_buffer(s->ring, bid), (size_t)cqe->res);
        bk_ring_buffer_return(s->ring, bid);
        if (rc != BK_OK) {
            conn_close(s, c);
            return;
        }
        if (c->closing) {
            try_free(s, c);
            return;
        }
        if (c->pending.len + c->in.len > input_limit(s) && c->recv_armed) {
            bk_ring_cancel(s->ring, ud(OP_RECV, c->slot, c->gen), ud(OP_CANCEL, c->slot, c->gen));
        }
        if (!c->recv_armed) {
            c->recv_stalled = true;
        }
        schedule(s, c);
        return;
    }
    if (has_buf) {
        bk_ring_buffer_return(s->ring, bid);
    }
    if (cqe->res == -ENOBUFS || (cqe->res == -ECANCELED && !c->closing)) {
        c->recv_stalled = true; /* re-armed at the end of this loop iteration */
        return;
    }
    /* EOF, reset, or a cancellation we asked for while closing. */
    conn_close(s, c);
}

static void on_send(bk_server *s, const bk_cqe *cqe)
{
    bk_conn *c = conn_lookup(s, cqe->user_data);
    if (c == NULL) {
        return;
    }
    c->send_inflight = false;
    if (cqe->res < 0 || c->closing) {
        conn_close(s, c);
        return;
    }
    c->out_sent += (size_t)cqe->res;
    if (c->out_sent < c->out.len) {
        start_send(s, c);
        return;
    }
    bk_buf_clear(&c->out);
    c->out_sent = 0;
    /* Give back memory a large result needed; idle connections should stay small. */
    if (c->out.cap > (1u << 20)) {
        bk_buf_free(&c->out);
    }
    if (c->status == BK_PQ_CLOSE || c->status == BK_PQ_CANCEL) {
        conn_close(s, c);
        return;
    }
    schedule(s, c);
}

static void handle_cancel(bk_server *s, bk_conn *requester)
{
    uint32_t pid, secret;
    bk_pq_cancel_target(requester->pq, &pid, &secret);
    for (uint32_t i = 0; i < s->n_slots; i++) {
        bk_conn *t = s->slots[i];
        if (t == NULL || t == requester || t->closing || t->pid != pid) {
            continue;
        }
        /* One comparison of the whole key: its timing says nothing about partial matches. */
        bk_session *sess = bk_pq_session(t->pq);
        if ((t->secret ^ secret) == 0 && sess != NULL) {
            bk_session_cancel(sess);
        }
        break;
    }
}

static void on_worker_done(bk_server *s)
{
    bk_conn *list = bk_workers_take_done(s->workers);
    while (list != NULL) {
        bk_conn *c = list;
        list = c->next_in_queue;
        c->next_in_queue = NULL;
        c->busy = false;
        if (c->closing) {
            try_free(s, c);
            continue;
        }
        if (c->status == BK_PQ_OUTPUT_FULL) {
            c->resume = true;
        } else if (c->status == BK_PQ_CANCEL) {
            handle_cancel(s, c);
        }
        if (c->out.len > 0) {
            start_send(s, c);
            continue;
        }
        if (c->status == BK_PQ_CLOSE || c->status == BK_PQ_CANCEL) {
            conn_close(s, c);
            continue;
        }
        schedule(s, c);
    }
    bk_ring_read(s->ring, s->notify_fd, &s->notify_value, sizeof s->notify_value, 0,
                 ud(OP_NOTIFY, 0, 0));
}

static void on_tick(bk_server *s)
{
    uint64_t now = bk_clock_mono_ns();
    uint64_t limit = (uint64_t)s->cfg.auth_timeout_ms * 1000000u;
    for (uint32_t i = 0; i < s->n_slots; i++) {
        bk_conn *c = s->slots[i];
        if (c == NULL || c->closing || c->busy) {
            continue;
        }
        if (!bk_pq_is_ready(c->pq) && now - c->opened_ns > limit) {
            conn_close(s, c); /* like authentication_timeout: no reply, just close */
        }
    }
    if (!s->stopping) {
        bk_ring_timeout(s->ring, TICK_NS, ud(OP_TIMER, 0, 0));
    }
}

/* Re-arms receives that stopped (no buffers, or backpressure that has been relieved). */
static void rearm_stalled(bk_server *s)
{
    for (uint32_t i = 0; i < s->n_slots; i++) {
        bk_conn *c = s->slots[i];
        if (c == NULL || c->closing || c->recv_armed || !c->recv_stalled) {
            continue;
        }
        if (c->pending.len + c->in.len <= input_limit(s)) {
            arm_recv(s, c);
        }
    }
}

bk_server *bk_server_create(const bk_config *cfg, bk_engine *engine, int listen_fd, bk_error *err)
{
    bk_server *s = bk_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->engine = engine;
    s->listen_fd = listen_fd;
    s->notify_fd = -1;
    s->signal_fd = -1;
    s->pq_cfg = (bk_pq_config){.engine = engine};
    s->n_slots = cfg->max_connections + 1;
    s->slots = bk_xcalloc(s->n_slots, sizeof(bk_conn *));
    s->gens = bk_xcalloc(s->n_slots, sizeof(uint32_t));
    s->free_list = bk_xcalloc(s->n_slots, sizeof(uint32_t));
    for (uint32_t i = 0; i < s->n_slots; i++) {
        s->free_list[i] = s->n_slots - 1 - i;
        s->gens[i] = 1;
    }
    s->n_free = s->n_slots;
    s->next_pid = (uint32_t)getpid() * 16;
    s->ring = bk_ring_create(1024, err);
    if (s->ring == NULL) {
        goto fail;
    }
    if (bk_ring_setup_buffers(s->ring, BUF_GROUP, N_RECV_BUFS, RECV_BUF_SIZE, err) != BK_OK) {
        goto fail;
    }
    s->notify_fd = eventfd(0, EFD_CLOEXEC);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    s->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (s->notify_fd < 0 || s->signal_fd < 0) {
        bk_raise(err, SYSTEM_ERROR, "could not create event descriptors: %s", strerror(errno));
        goto fail;
    }
    uint32_t n_workers = cfg->workers != 0 ? cfg->workers : BK_MAX(4u, 2 * bk_cpu_count());
    s->workers = bk_workers_start(n_workers, s->notify_fd, err);
    if (s->workers == NULL) {
        goto fail;
    }
    return s;
fail:
    bk_server_destroy(s);
    return NULL;
}

bk_rc bk_server_run(bk_server *s, bk_error *err)
{
    bk_ring_accept_multishot(s->ring, s->listen_fd, ud(OP_ACCEPT, 0, 0));
    s->accept_armed = true;
    bk_ring_read(s->ring, s->notify_fd, &s->notify_value, sizeof s->notify_value, 0,
                 ud(OP_NOTIFY, 0, 0));
    bk_ring_read(s->ring, s->signal_fd, &s->sig, sizeof s->sig, 0, ud(OP_SIGNAL, 0, 0));
    bk_ring_timeout(s->ring, TICK_NS, ud(OP_TIMER, 0, 0));
    bk_cqe cqes[256];
    while (!s->stopping || s->n_conns > 0) {
        int n = bk_ring_wait(s->ring, cqes, BK_ARRAY_LEN(cqes), UINT64_MAX);
        if (n < 0) {
            return bk_raise(err, SYSTEM_ERROR, "io_uring wait failed: %s", strerror(-n));
        }
        for (int i = 0; i < n; i++) {
            const bk_cqe *cqe = &cqes[i];
            switch (ud_kind(cqe->user_data)) {
            case OP_ACCEPT:
                on_accept(s, cqe);
                break;
            case OP_RECV:
                on_recv(s, cqe);
                break;
            case OP_SEND:
                on_send(s, cqe);
                break;
            case OP_NOTIFY:
                on_worker_done(s);
                break;
            case OP_TIMER:
                on_tick(s);
                break;
            case OP_SIGNAL:
                if (!s->stopping) {
                    bk_log(BK_LOG_INFO, "received %s, shutting down",
                           s->sig.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
                }
                s->stopping = true;
                for (uint32_t k = 0; k < s->n_slots; k++) {
                    if (s->slots[k] != NULL) {
                        conn_close(s, s->slots[k]);
                    }
                }
                break;
            case OP_CANCEL:
            default:
                break;
            }
        }
        if (!s->stopping && !s->accept_armed) {
            bk_ring_accept_multishot(s->ring, s->listen_fd, ud(OP_ACCEPT, 0, 0));
            s->accept_armed = true;
        }
        rearm_stalled(s);
    }
    return BK_OK;
}

void bk_server_destroy(bk_server *s)
{
    if (s == NULL) {
        return;
    }
    bk_workers_stop(s->workers);
    for (uint32_t i = 0; i < s->n_slots; i++) {
        bk_conn *c = s->slots[i];
        if (c != NULL) {
            close(c->fd);
            bk_pq_conn_destroy(c->pq);
            bk_buf_free(&c->pending);
            bk_buf_free(&c->in);
            bk_buf_free(&c->out);
            bk_mem_free(c);
        }
    }
    bk_ring_destroy(s->ring);
    if (s->notify_fd >= 0) {
        close(s->notify_fd);
    }
    if (s->signal_fd >= 0) {
        close(s->signal_fd);
    }
    free(s->slots);
    free(s->gens);
    free(s->free_list);
    free(s);
}
