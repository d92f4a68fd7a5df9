/* SPDX-License-Identifier: Apache-2.0 */
/* Scan predicates (pred.c), compiled once per scan and evaluated per chunk slice. */
#ifndef BK_STORAGE_PRED_INT_H
#define BK_STORAGE_PRED_INT_H

#include "kernels/kernels_int.h"
#include "storage_int.h"

typedef struct scan_pred {
    bk_pred p;       /* as given (list and strings borrowed from the caller) */
    bk_type_id type; /* of the column */
    bool empty;      /* the range admits no value of the type */
    int64_t ilo;     /* integer kinds: inclusive range, clamped to the type */
    int64_t ihi;
    int64_t *ivals; /* integer IN: sorted values */
    uint32_t n_ivals;
    uint64_t *codes; /* text: bitset of the dictionary codes that match (before negate) */
    uint32_t n_codes;
} scan_pred;

/* Prepares `p` for scans of t: text predicates become code bitsets. 53200 on OOM. */
BK_NODISCARD bk_rc bk_pred_compile(scan_pred *sp,
                                   const bk_pred *p,
                                   const bk_table *t,
                                   bk_error *err);
void bk_pred_free(scan_pred *sp);
/* True when the sealed chunk's zone map proves no row matches. */
bool bk_pred_zone_excludes(const scan_pred *sp, const bk_chunk *ch);
/*
 * out = rows [off, off + n) of the chunk that match (bit 0 = row off); `valid` is their
 * validity (NULL = all valid); tmp is scratch of 2 * ceil(n / 64) words.
 */
void bk_pred_eval(const scan_pred *sp,
                  const bk_chunk *ch,
                  uint32_t off,
                  uint32_t n,
                  const uint64_t *valid,
                  uint64_t *out,
                  uint64_t *tmp);

#endif /* BK_STORAGE_PRED_INT_H */
