/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one io_uring wrapper (STYLE §7). Only this file includes liburing.h.
 *
 * One ring per thread, set up as liburing's echo server does: SINGLE_ISSUER | DEFER_TASKRUN so
 * completions are reaped only when we ask (no task-work interrupts), a CQ eight times the SQ so
 * multishot receives do not overflow it, SUBMIT_ALL so one bad SQE does not stall the batch.
 * Kernels without DEFER_TASKRUN get COOP_TASKRUN. The opcodes Basket uses are probed up front:
 * a missing one fails start-up with one clear line instead of failing later per connection.
 *
 * Provided buffers (liburing 2.3 has no io_uring_setup_buf_ring): we allocate the ring memory
 * page-aligned ourselves, register it, and give buffers back one at a time as soon as their
 * bytes have been copied out, so the kernel never runs dry while a connection is busy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <liburing.h>

#include "common.h"

#define MAX_BUF_GROUPS 4

typedef struct buf_group {
    struct io_uring_buf_ring *br;
    uint8_t *mem;
    unsigned n_bufs;
    unsigned buf_size;
    size_t br_bytes;
    uint16_t bgid;
    bool in_use;
} buf_group;

struct bk_ring {
    struct io_uring ring;
    buf_group groups[MAX_BUF_GROUPS];
};

static const struct {
    int op;
    const char *name;
} required_ops[] = {
    {      IORING_OP_ACCEPT,   "accept"},
    {        IORING_OP_RECV,     "recv"},
    {        IORING_OP_SEND,     "send"},
    {        IORING_OP_READ,     "read"},
    {       IORING_OP_WRITE,    "write"},
    {       IORING_OP_FSYNC,    "fsync"},
    {       IORING_OP_CLOSE,    "close"},
    {     IORING_OP_TIMEOUT,  "timeout"},
    {IORING_OP_ASYNC_CANCEL,   "cancel"},
    {    IORING_OP_SHUTDOWN, "shutdown"},
};

static const char *setup_failure_reason(int e)
{
    switch (e) {
    case ENOSYS:
        return "io_uring is not available in this kernel";
    case EPERM:
        return "io_uring is not permitted (kernel.io_uring_disabled or a seccomp profile)";
    case ENOMEM:
        return "not enough locked memory for io_uring (raise RLIMIT_MEMLOCK)";
    default:
        return strerror(e);
    }
}

bk_ring *bk_ring_create(unsigned entries, bk_error *err)
{
    bk_ring *r = bk_mem_calloc(1, sizeof *r);
    if (r == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
              IORING_SETUP_DEFER_TASKRUN;
    p.cq_entries = entries * 8;
    int rc = io_uring_queue_init_params(entries, &r->ring, &p);
    if (rc == -EINVAL) {
        memset(&p, 0, sizeof p);
        p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
        p.cq_entries = entries * 8;
        rc = io_uring_queue_init_params(entries, &r->ring, &p);
    }
    if (rc < 0) {
        bk_raise(err, SYSTEM_ERROR, "could not create io_uring: %s", setup_failure_reason(-rc));
        bk_mem_free(r);
        return NULL;
    }
    struct io_uring_probe *probe = io_uring_get_probe_ring(&r->ring);
    if (probe == NULL) {
        bk_raise(err, SYSTEM_ERROR, "could not probe io_uring opcodes");
        io_uring_queue_exit(&r->ring);
        bk_mem_free(r);
        return NULL;
    }
    for (size_t i = 0; i < BK_ARRAY_LEN(required_ops); i++) {
        if (!io_uring_opcode_supported(probe, required_ops[i].op)) {
            bk_raise(err, SYSTEM_ERROR, "io_uring lacks the %s operation (kernel too old)",
                     required_ops[i].name);
            io_uring_free_probe(probe);
            io_uring_queue_exit(&r->ring);
            bk_mem_free(r);
            return NULL;
        }
    }
    io_uring_free_probe(probe);
    return r;
}

void bk_ring_destroy(bk_ring *r)
{
    if (r == NULL) {
        return;
    }
    for (int i = 0; i < MAX_BUF_GROUPS; i++) {
        buf_group *g = &r->groups[i];
        if (g->in_use) {
            (void)io_uring_unregister_buf_ring(&r->ring, g->bgid);
            munmap(g->br, g->br_bytes);
            bk_mem_free(g->mem);
        }
    }
    io_uring_queue_exit(&r->ring);
    bk_mem_free(r);
}

static buf_group *group_find(bk_ring *r, uint16_t bgid)
{
    for (int i = 0; i < MAX_BUF_GROUPS; i++) {
        if (r->groups[i].in_use && r->groups[i].bgid == bgid) {
            return &r->groups[i];
        }
    }
    return NULL;
}

bk_rc bk_ring_setup_buffers(bk_ring *r,
                            uint16_t bgid,
                            unsigned n_bufs,
                            unsigned buf_size,
                            bk_error *err)
{
    if (n_bufs == 0 || (n_bufs & (n_bufs - 1)) != 0 || n_bufs > 32768) {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "buffer count must be a power of two");
    }
    buf_group *g = NULL;
    for (int i = 0; i < MAX_BUF_GROUPS; i++) {
        if (!r->groups[i].in_use) {
            g = &r->groups[i];
            break;
        }
    }
    if (g == NULL) {
        return bk_raise(err, INTERNAL_ERROR, "too many buffer groups");
    }
    size_t br_bytes = n_bufs * sizeof(struct io_uring_buf);
    void *br = mmap(NULL, br_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (br == MAP_FAILED) {
        return bk_raise(err, OUT_OF_MEMORY, "could not map the receive buffer ring");
    }
    uint8_t *mem = bk_mem_alloc((size_t)n_bufs * buf_size);
    if (mem == NULL) {
        munmap(br, br_bytes);
        return bk_raise(err, OUT_OF_MEMORY, "could not allocate receive buffers");
    }
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)br;
    reg.ring_entries = n_bufs;
    reg.bgid = bgid;
    int rc = io_uring_register_buf_ring(&r->ring, &reg, 0);
    if (rc < 0) {
        munmap(br, br_bytes);
        bk_mem_free(mem);
        return bk_raise(err, SYSTEM_ERROR, "could not register receive buffers: %s", strerror(-rc));
    }
    g->br = br;
    g->mem = mem;
    g->n_bufs = n_bufs;
    g->buf_size = buf_size;
    g->br_bytes = br_bytes;
    g->bgid = bgid;
    g->in_use = true;
    io_uring_buf_ring_init(g->br);
    int mask = io_uring_buf_ring_mask(n_bufs);
    for (unsigned i = 0; i < n_bufs; i++) {
        io_uring_buf_ring_add(g->br, mem + (size_t)i * buf_size, buf_size, (unsigned short)i, mask,
                              (int)i);
    }
    io_uring_buf_ring_advance(g->br, (int)n_bufs);
    return BK_OK;
}

const uint8_t *bk_ring_buffer(bk_ring *r, uint16_t bid)
{
    buf_group *g = &r->groups[0];
    return g->mem + (size_t)bid * g->buf_size;
}

void bk_ring_buffer_return(bk_ring *r, uint16_t bid)
{
    buf_group *g = &r->groups[0];
    io_uring_buf_ring_add(g->br, g->mem + (size_t)bid * g->buf_size, g->buf_size, bid,
                          io_uring_buf_ring_mask(g->n_bufs), 0);
    io_uring_buf_ring_advance(g->br, 1);
}

/* A free SQE, submitting the queue first when it is full (never returns NULL). */
static struct io_uring_sqe *get_sqe(bk_ring *r)
{
    for (;;) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
        if (sqe != NULL) {
            return sqe;
        }
        (void)io_uring_submit(&r->ring);
    }
}

void bk_ring_accept_multishot(bk_ring *r, int fd, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_multishot_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_recv_multishot(bk_ring *r, int fd, uint16_t bgid, uint64_t user_data)
{
    BK_ASSERT(group_find(r, bgid) != NULL);
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = bgid;
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_send(bk_ring *r, int fd, const void *buf, size_t len, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_read(bk_ring *r, int fd, void *buf, size_t len, uint64_t offset, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_read(sqe, fd, buf, (unsigned)len, offset);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_write(bk_ring *r,
                   int fd,
                   const void *buf,
                   size_t len,
                   uint64_t offset,
                   uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_write(sqe, fd, buf, (unsigned)len, offset);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_fsync(bk_ring *r, int fd, bool datasync, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_fsync(sqe, fd, datasync ? IORING_FSYNC_DATASYNC : 0);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_close(bk_ring *r, int fd, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_cancel(bk_ring *r, uint64_t target_user_data, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_cancel64(sqe, target_user_data, IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(sqe, user_data);
}

void bk_ring_shutdown(bk_ring *r, int fd, uint64_t user_data)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_shutdown(sqe, fd, SHUT_RDWR);
    io_uring_sqe_set_data64(sqe, user_data);
}

/*
 * The timespec must stay valid until the kernel has read it, which it does at submission; we
 * submit before returning from bk_ring_wait, so a slot per queued timeout is enough. Timers are
 * few (one per loop iteration), so a small rotating pool of slots is used.
 */
void bk_ring_timeout(bk_ring *r, uint64_t ns, uint64_t user_data)
{
    static _Thread_local struct __kernel_timespec slots[64];
    static _Thread_local unsigned next_slot;
    struct __kernel_timespec *ts = &slots[next_slot++ % BK_ARRAY_LEN(slots)];
    ts->tv_sec = (long long)(ns / 1000000000u);
    ts->tv_nsec = (long long)(ns % 1000000000u);
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_timeout(sqe, ts, 0, 0);
    io_uring_sqe_set_data64(sqe, user_data);
    (void)io_uring_submit(&r->ring);
}

void bk_ring_link_last(bk_ring *r)
{
    /* The most recent SQE is the one just before the tail. */
    struct io_uring_sq *sq = &r->ring.sq;
    unsigned idx = (sq->sqe_tail - 1) & sq->ring_mask;
    sq->sqes[idx].flags |= IOSQE_IO_LINK;
}

int bk_ring_wait(bk_ring *r, bk_cqe *out, unsigned max, uint64_t timeout_ns)
{
    int rc;
    if (timeout_ns == 0) {
        rc = io_uring_submit_and_get_events(&r->ring);
    } else if (timeout_ns == UINT64_MAX) {
        rc = io_uring_submit_and_wait(&r->ring, 1);
    } else {
        struct __kernel_timespec ts = {
            .tv_sec = (long long)(timeout_ns / 1000000000u),
            .tv_nsec = (long long)(timeout_ns % 1000000000u),
        };
        struct io_uring_cqe *cqe = NULL;
        rc = io_uring_submit_and_wait_timeout(&r->ring, &cqe, 1, &ts, NULL);
    }
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
        return rc;
    }
    unsigned n = 0;
    unsigned head;
    struct io_uring_cqe *cqe;
    io_uring_for_each_cqe(&r->ring, head, cqe)
    {
        if (n == max) {
            break;
        }
        out[n].user_data = cqe->user_data;
        out[n].res = cqe->res;
        out[n].flags = cqe->flags;
        n++;
    }
    io_uring_cq_advance(&r->ring, n);
    return (int)n;
}

bool bk_cqe_has_more(const bk_cqe *c)
{
    return (c->flags & IORING_CQE_F_MORE) != 0;
}

bool bk_cqe_buffer_id(const bk_cqe *c, uint16_t *out_bid)
{
    if ((c->flags & IORING_CQE_F_BUFFER) == 0) {
        return false;
    }
    *out_bid = (uint16_t)(c->flags >> IORING_CQE_BUFFER_SHIFT);
    return true;
}
