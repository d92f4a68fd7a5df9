/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage internals shared by its files and its unit tests; never included from outside.
 */
#ifndef BK_STORAGE_STORAGE_INT_H
#define BK_STORAGE_STORAGE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "storage.h"

/*
 * A stable array: append-only, elements never move, so readers may hold pointers to elements
 * while a writer grows it. Chunk k holds (1024 << k) elements; 32 chunks address 2^42.
 * Readers may access indexes below a count the writer published with release semantics after
 * bk_sarray_reserve returned.
 */
#define SARRAY_BASE_SHIFT 10
#define SARRAY_CHUNKS     32

typedef struct bk_sarray {
    size_t elem_size;
    void *_Atomic chunks[SARRAY_CHUNKS];
} bk_sarray;

void bk_sarray_init(bk_sarray *a, size_t elem_size);
void bk_sarray_free(bk_sarray *a);
/* Makes indexes [0, n) addressable. BK_ERR on OOM. Writer only. */
BK_NODISCARD bk_rc bk_sarray_reserve(bk_sarray *a, uint64_t n);
size_t bk_sarray_bytes(const bk_sarray *a, uint64_t n);

static inline void *bk_sarray_at(const bk_sarray *a, uint64_t i)
{
    uint64_t j = i + (UINT64_C(1) << SARRAY_BASE_SHIFT);
    int k = 63 - __builtin_clzll(j) - SARRAY_BASE_SHIFT;
    uint64_t off = j - (UINT64_C(1) << (k + SARRAY_BASE_SHIFT));
    char *chunk = atomic_load_explicit(&a->chunks[k], memory_order_acquire);
    return chunk + off * a->elem_size;
}

/* ---- tables and segments ------------------------------------------------------------------ */

#define BK_SEG_ROWS_SHIFT 16
#define BK_SEG_ROWS       (1u << BK_SEG_ROWS_SHIFT) /* rows per segment (row group) */
#define BK_SEG_FIRST_CAP  1024u                     /* the first segment starts small */

/* Bytes per row of a column's storage representation. */
size_t bk_storage_width(bk_type_id id);

/*
 * One column of one segment. Storage representations differ from vectors for two types:
 * text holds uint32 dictionary codes, numeric holds int64 at the row's own display scale.
 */
typedef struct seg_col {
    void *_Atomic data;         /* cap * bk_storage_width bytes */
    uint64_t *_Atomic validity; /* cap bits; NULL for NOT NULL columns */
    uint8_t *_Atomic scale;     /* numeric: display scale per row */
} seg_col;

typedef struct seg {
    _Atomic uint32_t cap; /* rows the arrays can hold */
    seg_col cols[];       /* one per table column */
} seg;

/* Arrays replaced when the first segment grew; freed with the table (readers may hold them). */
typedef struct retired_block {
    struct retired_block *next;
    void *ptr;
} retired_block;

struct bk_table {
    char *name;
    uint32_t id;
    uint32_t n_cols;
    bk_column_def *cols;             /* names owned by the table */
    bk_dict **dicts;                 /* per column; non-NULL for text columns */
    bk_sarray segs;                  /* seg * per segment */
    uint64_t n_segs;                 /* segments allocated (writer) */
    _Atomic uint64_t committed_rows; /* visible to new snapshots */
    uint64_t written_rows;           /* appended, maybe uncommitted (writer) */
    pthread_mutex_t writer;          /* held by the active appender */
    retired_block *retired;
};

struct bk_db {
    pthread_mutex_t lock; /* table creation */
    bk_sarray tables;     /* bk_table * */
    _Atomic uint32_t n_tables;
    uint32_t next_id;
};

struct bk_snap {
    bk_db *db;
    uint32_t n_tables;
    uint64_t *rows; /* committed rows per table index at take time */
};

static inline seg *table_seg(const bk_table *t, uint64_t i)
{
    return *(seg **)bk_sarray_at(&t->segs, i);
}

#endif /* BK_STORAGE_STORAGE_INT_H */
