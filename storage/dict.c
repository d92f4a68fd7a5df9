/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-column string dictionaries: distinct strings get dense codes in order of first
 * appearance. Entries live in a stable array and string bytes in never-moving slabs, so
 * readers decode codes without locks. The XXH3-keyed open-addressing table that maps strings
 * to codes is touched by readers only through bk_dict_find (query-time predicate translation),
 * under a read lock; the single writer probes it lock-free (nobody else mutates it) and takes
 * the write lock only to insert or resize.
 */
#include <string.h>

#include "storage_int.h"

#define SLAB_BYTES (64 * 1024)

typedef struct slab {
    struct slab *next;
    size_t used;
    size_t cap;
    char data[];
} slab;

typedef struct dict_slot {
    uint32_t code_plus1; /* 0 = empty */
    uint32_t hash_hi;    /* upper hash bits, to skip most string compares */
} dict_slot;

struct bk_dict {
    bk_sarray entries;      /* bk_str */
    _Atomic uint32_t count; /* published entries */
    slab *slabs;            /* head is the one being filled */
    size_t heap_bytes;
    dict_slot *slots;
    size_t mask; /* slots - 1 */
    pthread_rwlock_t lock;
};

bk_dict *bk_dict_create(void)
{
    bk_dict *d = bk_mem_calloc(1, sizeof *d);
    if (d == NULL) {
        return NULL;
    }
    bk_sarray_init(&d->entries, sizeof(bk_str));
    d->mask = 63;
    d->slots = bk_mem_calloc(d->mask + 1, sizeof(dict_slot));
    if (d->slots == NULL) {
        bk_mem_free(d);
        return NULL;
    }
    pthread_rwlock_init(&d->lock, NULL);
    return d;
}

void bk_dict_destroy(bk_dict *d)
{
    if (d == NULL) {
        return;
    }
    bk_sarray_free(&d->entries);
    while (d->slabs != NULL) {
        slab *s = d->slabs;
        d->slabs = s->next;
        bk_mem_free(s);
    }
    bk_mem_free(d->slots);
    pthread_rwlock_destroy(&d->lock);
    bk_mem_free(d);
}

static bool probe(const bk_dict *d, bk_str s, uint64_t h, size_t *out_slot, uint32_t *out_code)
{
    size_t i = (size_t)h & d->mask;
    uint32_t hi = (uint32_t)(h >> 32);
    for (;;) {
        const dict_slot *sl = &d->slots[i];
        if (sl->code_plus1 == 0) {
            *out_slot = i;
            return false;
        }
        if (sl->hash_hi == hi) {
            bk_str e = *(const bk_str *)bk_sarray_at(&d->entries, sl->code_plus1 - 1);
            if (bk_str_eq(e, s)) {
                *out_code = sl->code_plus1 - 1;
                return true;
            }
        }
        i = (i + 1) & d->mask;
    }
}

static bk_rc grow_table(bk_dict *d)
{
    size_t new_mask = d->mask * 2 + 1;
    dict_slot *ns = bk_mem_calloc(new_mask + 1, sizeof(dict_slot));
    if (ns == NULL) {
        return BK_ERR;
    }
    uint32_t n = atomic_load_explicit(&d->count, memory_order_relaxed);
    for (uint32_t code = 0; code < n; code++) {
        bk_str e = *(const bk_str *)bk_sarray_at(&d->entries, code);
        uint64_t h = bk_hash64(e.ptr, e.len);
        size_t i = (size_t)h & new_mask;
        while (ns[i].code_plus1 != 0) {
            i = (i + 1) & new_mask;
        }
        ns[i].code_plus1 = code + 1;
        ns[i].hash_hi = (uint32_t)(h >> 32);
    }
    bk_mem_free(d->slots);
    d->slots = ns;
    d->mask = new_mask;
    return BK_OK;
}

static const char *heap_copy(bk_dict *d, bk_str s)
{
    if (s.len == 0) {
        return "";
    }
    slab *sl = d->slabs;
    if (sl == NULL || sl->cap - sl->used < s.len) {
        size_t cap = s.len > SLAB_BYTES / 4 ? s.len : SLAB_BYTES;
        slab *ns = bk_mem_alloc(sizeof(slab) + cap);
        if (ns == NULL) {
            return NULL;
        }
        ns->used = 0;
        ns->cap = cap;
        d->heap_bytes += sizeof(slab) + cap;
        if (sl != NULL && cap != SLAB_BYTES) {
            /* A large string gets its own slab behind the current one. */
            ns->next = sl->next;
            sl->next = ns;
        } else {
            ns->next = sl;
            d->slabs = ns;
        }
        sl = ns;
    }
    char *p = sl->data + sl->used;
    memcpy(p, s.ptr, s.len);
    sl->used += s.len;
    return p;
}

bk_rc bk_dict_intern(bk_dict *d, bk_str s, uint32_t *out_code)
{
    uint64_t h = bk_hash64(s.ptr, s.len);
    size_t slot;
    if (probe(d, s, h, &slot, out_code)) {
        return BK_OK;
    }
    uint32_t n = atomic_load_explicit(&d->count, memory_order_relaxed);
    if (n == UINT32_MAX - 1) {
        return BK_ERR;
    }
    if (bk_sarray_reserve(&d->entries, (uint64_t)n + 1) != BK_OK) {
        return BK_ERR;
    }
    const char *copy = heap_copy(d, s);
    if (copy == NULL) {
        return BK_ERR;
    }
    bk_str *e = bk_sarray_at(&d->entries, n);
    e->ptr = copy;
    e->len = s.len;
    pthread_rwlock_wrlock(&d->lock);
    bk_rc rc = BK_OK;
    if ((size_t)(n + 1) * 4 > (d->mask + 1) * 3) {
        rc = grow_table(d);
        if (rc == BK_OK) {
            (void)probe(d, s, h, &slot, out_code);
        }
    }
    if (rc == BK_OK) {
        d->slots[slot].code_plus1 = n + 1;
        d->slots[slot].hash_hi = (uint32_t)(h >> 32);
        atomic_store_explicit(&d->count, n + 1, memory_order_release);
    }
    pthread_rwlock_unlock(&d->lock);
    if (rc != BK_OK) {
        return BK_ERR;
    }
    *out_code = n;
    return BK_OK;
}

bool bk_dict_find(const bk_dict *d, bk_str s, uint32_t *out_code)
{
    uint64_t h = bk_hash64(s.ptr, s.len);
    size_t slot;
    pthread_rwlock_rdlock((pthread_rwlock_t *)&d->lock);
    bool found = probe(d, s, h, &slot, out_code);
    pthread_rwlock_unlock((pthread_rwlock_t *)&d->lock);
    return found;
}

bk_str bk_dict_get(const bk_dict *d, uint32_t code)
{
    return *(const bk_str *)bk_sarray_at(&d->entries, code);
}

uint32_t bk_dict_count(const bk_dict *d)
{
    return atomic_load_explicit(&((bk_dict *)d)->count, memory_order_acquire);
}

size_t bk_dict_bytes(const bk_dict *d)
{
    uint32_t n = bk_dict_count(d);
    return sizeof *d + d->heap_bytes + bk_sarray_bytes(&d->entries, n) +
           (d->mask + 1) * sizeof(dict_slot);
}
