/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the bytes of a new connection (SSLRequest, GSSENCRequest, CancelRequest,
 * StartupMessage and whatever follows) through bk_pq_process. Input: one chunking selector
 * byte (fuzz_fixture.h), then the stream. Checks the invariants of fuzz_pq_common.h.
 */
#include "fuzz_pq_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    fuzz_pq_differential(NULL, 0, data + 1, size - 1, data[0], 0);
    return 0;
}
