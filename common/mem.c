/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Heap allocation. Everything the query path allocates goes through bk_mem_* (directly or via
 * arenas) so a test can make any allocation fail; the bk_x* variants are for start-up only and
 * abort like Redis' zmalloc, since a server that cannot allocate its configuration cannot run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void *bk_mem_alloc(size_t n)
{
    if (BK_UNLIKELY(bk_fault_alloc_should_fail())) {
        return NULL;
    }
    return malloc(n == 0 ? 1 : n);
}

void *bk_mem_calloc(size_t count, size_t size)
{
    if (BK_UNLIKELY(bk_fault_alloc_should_fail())) {
        return NULL;
    }
    if (count == 0 || size == 0) {
        return calloc(1, 1);
    }
    return calloc(count, size);
}

void *bk_mem_realloc(void *p, size_t n)
{
    if (BK_UNLIKELY(bk_fault_alloc_should_fail())) {
        return NULL;
    }
    return realloc(p, n == 0 ? 1 : n);
}

void bk_mem_free(void *p)
{
    free(p);
}

static BK_NORETURN void oom_abort(size_t n)
{
    fprintf(stderr, "basket: FATAL: out of memory allocating %zu bytes at start-up\n", n);
    abort();
}

void *bk_xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        oom_abort(n);
    }
    return p;
}

void *bk_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
    if (p == NULL) {
        oom_abort(count * size);
    }
    return p;
}

char *bk_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bk_xmalloc(n);
    memcpy(p, s, n);
    return p;
}
