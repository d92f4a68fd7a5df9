/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: regular (post-authentication) messages. A valid StartupMessage is sent
 * first, then the input: one chunking selector byte (fuzz_fixture.h), one byte choosing the
 * output high-water mark (0: the default 256 KiB; otherwise n * 64 bytes, so that large
 * results are suspended and resumed), then the message stream, against the tiny database of
 * fuzz_fixture.h. Checks the invariants of fuzz_pq_common.h, and that everything after the
 * start-up is a well-formed sequence of backend messages.
 */
#include "fuzz_pq_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t startup[] = "\0\0\0\x23"         /* length 35 */
                                 "\0\x03\0\0"         /* protocol 3.0 */
                                 "user\0fuzz\0"       /* */
                                 "database\0basket\0" /* */
                                 "";                  /* final terminator: the literal's NUL */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    size_t high_water = (size_t)data[1] * 64;
    bk_buf whole = {0};
    bk_pq_status st =
        fuzz_pq_run(startup, sizeof startup, data + 2, size - 2, 0, high_water, &whole);
    /* Skip the start-up answer (up to the first ReadyForQuery), then check the framing. */
    size_t pos = 0;
    bool seen_z = false;
    while (pos < whole.len) {
        fuzz_check(whole.len - pos >= 5, "truncated backend message");
        uint8_t type = (uint8_t)whole.ptr[pos];
        uint32_t len = bk_get_be32((const uint8_t *)whole.ptr + pos + 1);
        fuzz_check(len >= 4 && whole.len - pos - 1 >= len, "bad backend message length");
        if (seen_z) {
            fuzz_check(type != 0 && strchr("TDCEINSZ123nst", type) != NULL,
                       "unexpected backend message");
            fuzz_check(type != 'Z' || len == 5, "ReadyForQuery length");
        }
        seen_z = seen_z || type == 'Z';
        pos += (size_t)len + 1;
    }
    fuzz_check(seen_z, "the valid start-up was not answered");
    if (data[0] != 0) {
        bk_buf pieces = {0};
        bk_pq_status st2 =
            fuzz_pq_run(startup, sizeof startup, data + 2, size - 2, data[0], high_water, &pieces);
        fuzz_check(st == st2, "final status depends on how the input was split");
        fuzz_check(whole.len == pieces.len && memcmp(whole.ptr, pieces.ptr, whole.len) == 0,
                   "output depends on how the input was split");
        bk_buf_free(&pieces);
    }
    bk_buf_free(&whole);
    return 0;
}
