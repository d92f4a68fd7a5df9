/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage internals shared by its files and its unit tests; never included from outside.
 *
 * The data model, from the top:
 *
 *   bk_db ──cur──> bk_dbver (immutable, refcounted): one bk_tabver per table slot
 *                  bk_tabver (immutable, refcounted): visible row count + segment list
 *                  bk_seg (refcounted): BK_SEG_ROWS rows, one bk_chunk per column
 *
 * A snapshot is a reference to one bk_dbver, so a reader sees every table as of one
 * instant: a commit that touches several tables publishes them in one new dbver, and nobody
 * can see half of it. Readers never lock anything but the brief version-swap mutex, and
 * nothing they can reach is freed while they hold the version (refcounts).
 *
 * Segments are sealed (immutable, encoded, with zone maps) or open (the last segment of a
 * table, plain arrays the single writer appends to). A version may reference the open
 * segment; its readers only look at rows below the version's count, which the writer never
 * touches again. When the open segment must grow, the writer copies it into a larger one:
 * versions already published keep the old object alive until they are released.
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

/* ---- segments ------------------------------------------------------------------------------ */

#define BK_SEG_ROWS_SHIFT 16
#define BK_SEG_ROWS       (1u << BK_SEG_ROWS_SHIFT) /* rows per segment (row group) */
#define BK_SEG_FIRST_CAP  1024u                     /* an open segment starts this small */

/* Bytes per row of a column's plain (open-segment) representation. */
size_t bk_storage_width(bk_type_id id);

typedef enum chunk_enc {
    ENC_PLAIN,        /* the type's vector representation (ints, floats, dates, bool, ...) */
    ENC_CODES,        /* text: dictionary codes of code_width bytes (1, 2 or 4) */
    ENC_NUM_ROWSCALE, /* numeric: int64 at each row's own display scale */
    ENC_NUM_SCALED,   /* numeric: int64 at the chunk's scale; dscale[] only if rows differ */
} chunk_enc;

/*
 * Zone map of a sealed chunk: what every non-NULL value lies within, so a scan can skip the
 * chunk. min/max use the chunk's stored representation (ints as int64, numerics at the
 * chunk scale, text as the dictionary strings, floats as doubles with has_nan apart).
 */
typedef struct bk_zone {
    uint32_t null_count;
    bool has_values; /* at least one non-NULL */
    bool has_range;  /* min/max are set (not for intervals or unscaled numerics) */
    bool has_nan;

    union {
        int64_t i;
        double d;
    } min, max;

    bk_str min_s, max_s; /* text (strings live in the dictionary) */
} bk_zone;

/* One column of one segment. */
typedef struct bk_chunk {
    chunk_enc enc;
    uint8_t width;      /* bytes per row of data[] */
    uint8_t code_width; /* ENC_CODES */
    uint8_t scale;      /* ENC_NUM_SCALED: scale of data[] */
    void *data;
    uint64_t *validity; /* NULL when the chunk has no NULLs (sealed) or none allowed */
    uint8_t *dscale;    /* numeric display scale per row; NULL when all equal `scale` */
    bk_zone zone;       /* sealed chunks only */
} bk_chunk;

typedef struct bk_seg {
    _Atomic uint32_t refs;
    bool sealed;
    uint32_t n_rows; /* sealed: rows held; open: rows written (writer's view) */
    uint32_t cap;    /* open: rows the arrays hold */
    uint32_t n_cols;
    bk_chunk cols[];
} bk_seg;

bk_seg *bk_seg_ref(bk_seg *s);
void bk_seg_unref(bk_seg *s);
/* A new open segment of `cap` rows for table t (arrays zeroed). NULL on OOM. */
BK_NODISCARD bk_seg *bk_seg_new_open(const bk_table *t, uint32_t cap);
/* A copy of the first n rows of open segment s with capacity cap. NULL on OOM. */
BK_NODISCARD bk_seg *bk_seg_grow(const bk_table *t, const bk_seg *s, uint32_t n, uint32_t cap);
/* The sealed, encoded form of the first n rows of open segment s. NULL on OOM. */
BK_NODISCARD bk_seg *bk_seg_seal(const bk_table *t, const bk_seg *s, uint32_t n);
/* Heap bytes of column c of s (data, validity, scales). */
size_t bk_seg_column_bytes(const bk_seg *s, uint32_t c);

/* ---- versions ------------------------------------------------------------------------------- */

typedef struct bk_tabver {
    _Atomic uint32_t refs;
    uint64_t rows; /* rows visible in this version */
    uint32_t n_segs;
    bk_seg **segs; /* each referenced; all sealed but possibly the last */
} bk_tabver;

typedef struct bk_dbver {
    _Atomic uint32_t refs;
    uint64_t seq; /* commit sequence number of this version */
    uint32_t n_tables;
    bk_tabver *tabs[]; /* by table slot; NULL for tables created later or dropped */
} bk_dbver;

bk_tabver *bk_tabver_ref(bk_tabver *v);
void bk_tabver_unref(bk_tabver *v);
void bk_dbver_unref(bk_dbver *v);

/* ---- tables and the database --------------------------------------------------------------- */

struct bk_table {
    char *name;
    uint32_t id;   /* pg_class oid */
    uint32_t slot; /* index in the database's table array and in dbver->tabs */
    uint32_t n_cols;
    bk_column_def *cols; /* names owned by the table */
    bk_dict **dicts;     /* per column; non-NULL for text columns */
    bk_db *db;
    pthread_mutex_t writer; /* held by the active appender */
    /* Writer state (under `writer`): */
    bk_seg *open;       /* the segment being appended to, or NULL */
    uint64_t open_base; /* row number of its first row */
    bk_seg **pending;   /* segments sealed since the last commit */
    uint32_t n_pending;
    uint32_t cap_pending;
    uint64_t written_rows; /* committed + appended in the open transaction */
};

typedef struct bk_wal bk_wal;

typedef struct commit_hook {
    bk_commit_hook fn;
    void *ctx;
} commit_hook;

struct bk_db {
    pthread_mutex_t lock; /* table creation and version swaps (held briefly) */
    bk_dbver *cur;        /* current version (under lock) */
    bk_sarray tables;     /* bk_table *, by slot */
    _Atomic uint32_t n_tables;
    uint32_t next_id;
    uint64_t seq;
    /* Durability (NULL/false for an in-memory database): */
    char *dir; /* data directory */
    bk_wal *wal;
    bool replaying; /* recovery: apply without logging */
    _Atomic uint64_t next_txn;
    pthread_mutex_t ckpt_lock; /* one checkpoint at a time */
    uint64_t ckpt_seq;         /* number of the last checkpoint */
    uint64_t ckpt_lsn;         /* next LSN when it was taken: equal now = nothing new */
    pthread_t ckpt_thread;
    bool ckpt_running;
    bool ckpt_stop;
    pthread_mutex_t ckpt_wait_lock;
    pthread_cond_t ckpt_wait;
    uint64_t ckpt_wal_bytes; /* checkpoint after this much log */
    commit_hook hooks[8];
    uint32_t n_hooks;
};

/*
 * table.c: an appender's buffered log operations are written as a DATA record once they
 * reach this size (8 MB; tests lower it to exercise multi-record transactions cheaply).
 */
extern size_t bk_wal_flush_bytes;
/* db_checkpoint.c: wakes the checkpointer when the log has outgrown its threshold. */
void bk_db_checkpoint_nudge(bk_db *db);
/* segment.c: recomputes the zone map of text column c of sealed segment s. */
BK_NODISCARD bk_rc bk_seg_text_zone(const bk_table *t, bk_seg *s, uint32_t c);

/* table.c: recovery creates tables with their recorded ids, without logging. */
BK_NODISCARD bk_table *bk_db_create_table_id(bk_db *db,
                                             const char *name,
                                             const bk_column_def *cols,
                                             uint32_t n_cols,
                                             uint32_t id,
                                             bk_error *err);
/* table.c: installs a table version built by recovery (the table has no rows yet). */
void bk_table_install(bk_table *t, bk_tabver *v);
/* table.c: a table version over `segs` (references taken) with `rows` rows. */
BK_NODISCARD bk_tabver *bk_tabver_new(bk_seg **segs, uint32_t n_segs, uint64_t rows);
/* table.c: serialises rows of a batch as a WAL APPEND operation. */
BK_NODISCARD bk_rc bk_wal_encode_append(bk_buf *out,
                                        const bk_table *t,
                                        uint64_t first_row,
                                        const bk_batch *b);

struct bk_snap {
    bk_db *db;
    bk_dbver *ver;
};

/* The version of table t in snapshot s (NULL if the table is not in it). */
static inline const bk_tabver *bk_snap_tabver(const bk_snap *s, const bk_table *t)
{
    return t->slot < s->ver->n_tables ? s->ver->tabs[t->slot] : NULL;
}

#endif /* BK_STORAGE_STORAGE_INT_H */
