/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arenas with named lifetimes (PostgreSQL memory contexts, nginx pools). An arena hands out
 * 16-byte aligned memory from blocks it grows geometrically; large requests get a block of
 * their own. Each arena counts the heap bytes it and its descendants hold so that a limit
 * (the per-query memory cap) fails an allocation with NULL instead of exhausting the machine.
 *
 * Invariants:
 *   - the arena struct and its first block are one heap allocation, kept across resets, so a
 *     per-message or per-batch arena costs no malloc in steady state;
 *   - `bytes` of every ancestor includes this arena's blocks, children and first block;
 *   - an arena tree is used by one thread at a time (a connection's arenas move between the
 *     loop and a worker, never both at once), so counters are plain integers.
 *
 * In ASan builds the unused tail of each block and everything released by a reset is
 * poisoned, so a use-after-reset is reported where it happens instead of reading stale data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#ifdef BK_ASAN
# include <sanitizer/asan_interface.h>
# define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
# define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
# define POISON(p, n)   ((void)(p), (void)(n))
# define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define ARENA_ALIGN       16
#define FIRST_BLOCK_BYTES 1024
#define MAX_BLOCK_BYTES   (256 * 1024)

typedef struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    size_t pad_;
} arena_block;

struct bk_arena {
    const char *name;
    bk_arena *parent;
    bk_arena *first_child;
    bk_arena *next_sibling;
    bk_arena *prev_sibling;
    arena_block *head;    /* block allocations come from; every block is on its list */
    arena_block *first;   /* inline block, allocated with the struct */
    size_t limit;         /* 0 = none of its own */
    size_t bytes;         /* heap bytes held by this arena and descendants */
    size_t own_bytes;     /* heap bytes of this arena's struct and blocks */
    size_t next_block;    /* size of the next block to grow by */
    bk_cleanup *cleanups; /* LIFO */
    void *last_ptr;       /* most recent allocation, for in-place realloc */
};

_Static_assert(sizeof(arena_block) % ARENA_ALIGN == 0, "block header keeps alignment");

static uint8_t *block_data(arena_block *b)
{
    return (uint8_t *)(b + 1);
}

static bool charge(bk_arena *a, size_t n)
{
    for (bk_arena *p = a; p != NULL; p = p->parent) {
        if (p->limit != 0 && (p->bytes + n > p->limit || p->bytes + n < p->bytes)) {
            return false;
        }
    }
    for (bk_arena *p = a; p != NULL; p = p->parent) {
        p->bytes += n;
    }
    return true;
}

static void uncharge(bk_arena *a, size_t n)
{
    for (bk_arena *p = a; p != NULL; p = p->parent) {
        p->bytes -= n;
    }
}

bk_arena *bk_arena_create(bk_arena *parent, const char *name, size_t limit_bytes)
{
    size_t total =
        BK_ALIGN_UP(sizeof(bk_arena), ARENA_ALIGN) + sizeof(arena_block) + FIRST_BLOCK_BYTES;
    if (parent != NULL && !charge(parent, total)) {
        return NULL;
    }
    bk_arena *a = bk_mem_alloc(total);
    if (a == NULL) {
        if (parent != NULL) {
            uncharge(parent, total);
        }
        return NULL;
    }
    memset(a, 0, sizeof *a);
    a->name = name;
    a->parent = parent;
    a->limit = limit_bytes;
    a->bytes = total;
    a->own_bytes = total;
    a->first = (arena_block *)((uint8_t *)a + BK_ALIGN_UP(sizeof(bk_arena), ARENA_ALIGN));
    a->first->next = NULL;
    a->first->size = FIRST_BLOCK_BYTES;
    a->first->used = 0;
    a->head = a->first;
    a->next_block = FIRST_BLOCK_BYTES * 4;
    POISON(block_data(a->first), FIRST_BLOCK_BYTES);
    if (parent != NULL) {
        a->next_sibling = parent->first_child;
        if (parent->first_child != NULL) {
            parent->first_child->prev_sibling = a;
        }
        parent->first_child = a;
    }
    return a;
}

static arena_block *block_new(bk_arena *a, size_t min_size)
{
    size_t size = a->next_block;
    if (min_size > size) {
        size = BK_ALIGN_UP(min_size, ARENA_ALIGN);
    }
    if (size < min_size) {
        return NULL; /* overflow */
    }
    size_t total = sizeof(arena_block) + size;
    if (total < size || !charge(a, total)) {
        return NULL;
    }
    arena_block *b = malloc(total); /* the fault hook already ran in bk_arena_alloc */
    if (b == NULL) {
        uncharge(a, total);
        return NULL;
    }
    a->own_bytes += total;
    b->size = size;
    b->used = 0;
    POISON(block_data(b), size);
    if (a->next_block < MAX_BLOCK_BYTES && size == a->next_block) {
        a->next_block *= 2;
    }
    return b;
}

void *bk_arena_alloc(bk_arena *a, size_t n)
{
    size_t need = BK_ALIGN_UP(n == 0 ? 1 : n, ARENA_ALIGN);
    if (need < n) {
        return NULL;
    }
    /* Every call is a fault site, not just those that grow: OOM loops must reach them all. */
    if (BK_UNLIKELY(bk_fault_alloc_should_fail())) {
        return NULL;
    }
    arena_block *b = a->head;
    if (b->size - b->used < need) {
        arena_block *nb = block_new(a, need);
        if (nb == NULL) {
            return NULL;
        }
        if (need > a->next_block / 2 && need > b->size - b->used) {
            /* A large request gets its own block behind the head, which keeps serving. */
            nb->next = b->next;
            b->next = nb;
            b = nb;
        } else {
            nb->next = b;
            a->head = nb;
            b = nb;
        }
    }
    uint8_t *p = block_data(b) + b->used;
    b->used += need;
    UNPOISON(p, n == 0 ? 1 : n);
    a->last_ptr = p;
    return p;
}

void *bk_arena_zalloc(bk_arena *a, size_t n)
{
    void *p = bk_arena_alloc(a, n);
    if (p != NULL) {
        memset(p, 0, n);
    }
    return p;
}

void *bk_arena_memdup(bk_arena *a, const void *src, size_t n)
{
    void *p = bk_arena_alloc(a, n);
    if (p != NULL && n > 0) {
        memcpy(p, src, n);
    }
    return p;
}

char *bk_arena_strndup(bk_arena *a, const char *s, size_t n)
{
    if (n + 1 < n) {
        return NULL;
    }
    char *p = bk_arena_alloc(a, n + 1);
    if (p != NULL) {
        if (n > 0) {
            memcpy(p, s, n);
        }
        p[n] = '\0';
    }
    return p;
}

char *bk_arena_sprintf(bk_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return NULL;
    }
    char *p = bk_arena_alloc(a, (size_t)n + 1);
    if (p == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *bk_arena_realloc(bk_arena *a, void *p, size_t old_n, size_t new_n)
{
    if (p == NULL) {
        return bk_arena_alloc(a, new_n);
    }
    if (new_n <= old_n) {
        return p;
    }
    arena_block *b = a->head;
    if (p == a->last_ptr) {
        size_t off = (size_t)((uint8_t *)p - block_data(b));
        if ((uint8_t *)p >= block_data(b) && off < b->size) {
            size_t need = BK_ALIGN_UP(new_n, ARENA_ALIGN);
            if (need >= new_n && off + need <= b->size) {
                b->used = off + need;
                UNPOISON(p, new_n);
                return p;
            }
        }
    }
    void *q = bk_arena_alloc(a, new_n);
    if (q != NULL) {
        memcpy(q, p, old_n);
    }
    return q;
}

void bk_arena_on_reset(bk_arena *a, bk_cleanup *c, void (*fn)(void *), void *arg)
{
    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

static void arena_unlink(bk_arena *a)
{
    bk_arena *p = a->parent;
    if (p == NULL) {
        return;
    }
    if (a->prev_sibling != NULL) {
        a->prev_sibling->next_sibling = a->next_sibling;
    } else {
        p->first_child = a->next_sibling;
    }
    if (a->next_sibling != NULL) {
        a->next_sibling->prev_sibling = a->prev_sibling;
    }
    a->prev_sibling = a->next_sibling = NULL;
}

void bk_arena_reset(bk_arena *a)
{
    /* Cleanups first: they may release resources that live in child arenas' memory. */
    while (a->cleanups != NULL) {
        bk_cleanup *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->arg);
    }
    while (a->first_child != NULL) {
        bk_arena_destroy(a->first_child);
    }
    /*
     * Free every block but the inline first one. Walk the whole list: a large block is linked
     * *behind* the head, which may be the first block, so blocks can follow it.
     */
    arena_block *b = a->head;
    while (b != NULL) {
        arena_block *next = b->next;
        if (b != a->first) {
            size_t total = sizeof(arena_block) + b->size;
            uncharge(a, total);
            a->own_bytes -= total;
            free(b);
        }
        b = next;
    }
    a->head = a->first;
    a->first->used = 0;
    a->first->next = NULL;
    a->last_ptr = NULL;
    a->next_block = FIRST_BLOCK_BYTES * 4;
    POISON(block_data(a->first), a->first->size);
}

void bk_arena_destroy(bk_arena *a)
{
    if (a == NULL) {
        return;
    }
    bk_arena_reset(a);
    arena_unlink(a);
    if (a->parent != NULL) {
        uncharge(a->parent, a->own_bytes);
    }
    UNPOISON(block_data(a->first), a->first->size);
    bk_mem_free(a);
}

size_t bk_arena_bytes(const bk_arena *a)
{
    return a->bytes;
}

const char *bk_arena_name(const bk_arena *a)
{
    return a->name;
}
