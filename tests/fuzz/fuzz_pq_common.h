/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by fuzz_startup.c and fuzz_messages.c: drive one connection through bk_pq_process
 * with input delivered in pieces, checking the invariants every input must keep:
 *
 *   - before authentication, at most max_startup_bytes are ever buffered (TESTING.md: <= 10,000
 *     bytes per unauthenticated connection); afterwards, at most one message's worth;
 *   - output is bounded by a generous multiple of the input (a 21-byte "select*from big"
 *     legitimately answers about 120 kB, hence 64 KiB per input byte);
 *   - a closed connection stays closed and silent;
 *   - the bytes produced do not depend on how the input was split (the same stream fed whole
 *     and in pieces gives the same output and the same final status).
 */
#ifndef BK_TESTS_FUZZ_PQ_COMMON_H
#define BK_TESTS_FUZZ_PQ_COMMON_H

#include "fuzz_fixture.h"
#include "protocol/protocol.h"

#define FUZZ_MAX_MESSAGE (1u << 20)

static inline void fuzz_check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz invariant violated: %s\n", what);
        abort();
    }
}

static inline void fuzz_append(bk_buf *b, const void *p, size_t n)
{
    fuzz_check(bk_buf_append(b, p, n) == BK_OK, "out of memory in the harness");
}

/*
 * Runs `prefix` (delivered whole, may be empty) then `data` in pieces chosen by `selector` on a
 * new connection. Appends all output to `all`; returns the final status. `high_water` 0 is
 * the default.
 */
static inline bk_pq_status fuzz_pq_run(const uint8_t *prefix,
                                       size_t prefix_len,
                                       const uint8_t *data,
                                       size_t size,
                                       uint8_t selector,
                                       size_t high_water,
                                       bk_buf *all)
{
    bk_pq_config cfg = {
        .engine = fuzz_engine(),
        .max_message_bytes = FUZZ_MAX_MESSAGE,
        .output_high_water = high_water,
    };
    bk_pq_conn *c = bk_pq_conn_create(&cfg, 1234, 0x5EC12E7u);
    fuzz_check(c != NULL, "bk_pq_conn_create");
    bk_buf in = {0}, out = {0};
    bk_pq_status st = BK_PQ_NEED_INPUT;
    fuzz_chunker ch;
    fuzz_chunker_init(&ch, selector);
    size_t pos = 0;
    bool prefix_done = prefix_len == 0;
    while (st == BK_PQ_NEED_INPUT) {
        if (!prefix_done) {
            fuzz_append(&in, prefix, prefix_len);
            prefix_done = true;
        } else if (pos < size) {
            size_t n = fuzz_chunk_next(&ch, size - pos);
            fuzz_append(&in, data + pos, n);
            pos += n;
        } else {
            break;
        }
        for (unsigned rounds = 0;; rounds++) {
            fuzz_check(rounds < 1000000, "bk_pq_process never stops reporting OUTPUT_FULL");
            st = bk_pq_process(c, &in, &out);
            fuzz_append(all, out.ptr, out.len);
            bk_buf_clear(&out);
            if (st != BK_PQ_OUTPUT_FULL) {
                break;
            }
        }
        if (st == BK_PQ_NEED_INPUT) {
            if (bk_pq_is_ready(c)) {
                fuzz_check(in.len < (size_t)FUZZ_MAX_MESSAGE + 5, "buffered more than a message");
            } else {
                fuzz_check(in.len < 10000, "buffered 10,000 bytes before authentication");
            }
        }
        fuzz_check(all->len <= ((size_t)16 << 20) + (prefix_len + size) * 65536,
                   "output out of proportion to the input");
    }
    if (st == BK_PQ_CLOSE) {
        /* Closed stays closed: more input gets no answer. */
        fuzz_append(&in, "Q\0\0\0\x0dselect 1\0", 14);
        size_t before = out.len;
        fuzz_check(bk_pq_process(c, &in, &out) == BK_PQ_CLOSE, "closed connection reopened");
        fuzz_check(out.len == before, "closed connection answered");
    } else if (st == BK_PQ_CANCEL) {
        uint32_t pid, key;
        bk_pq_cancel_target(c, &pid, &key);
    }
    bk_pq_conn_destroy(c);
    bk_buf_free(&in);
    bk_buf_free(&out);
    return st;
}

/* Runs the stream whole and in pieces; aborts when the outputs differ. */
static inline void fuzz_pq_differential(const uint8_t *prefix,
                                        size_t prefix_len,
                                        const uint8_t *data,
                                        size_t size,
                                        uint8_t selector,
                                        size_t high_water)
{
    bk_buf whole = {0}, pieces = {0};
    bk_pq_status a = fuzz_pq_run(prefix, prefix_len, data, size, 0, high_water, &whole);
    if (selector != 0) {
        bk_pq_status b = fuzz_pq_run(prefix, prefix_len, data, size, selector, high_water, &pieces);
        fuzz_check(a == b, "final status depends on how the input was split");
        fuzz_check(whole.len == pieces.len &&
                       (whole.len == 0 || memcmp(whole.ptr, pieces.ptr, whole.len) == 0),
                   "output depends on how the input was split");
    }
    bk_buf_free(&whole);
    bk_buf_free(&pieces);
}

#endif /* BK_TESTS_FUZZ_PQ_COMMON_H */
