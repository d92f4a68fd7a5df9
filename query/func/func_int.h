/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar function implementations, registered by func/registry.c. */
#ifndef BK_QUERY_FUNC_FUNC_INT_H
#define BK_QUERY_FUNC_FUNC_INT_H

#include "query_int.h"

#define FUNC_ARGS                                                                          \
 const bk_eval_ctx *ctx, const bk_expr *call, const bk_vec *args, uint32_t n, bk_vec *out, \
     bk_error *err

/* Registration helpers used by each func_*.c file's registrar. */
typedef struct func_builder func_builder;
void func_add(func_builder *fb,
              const char *name,
              bk_type ret,
              uint32_t flags,
              bk_scalar_impl impl,
              unsigned n_args,
              ...);

void bk_func_register_arith(func_builder *fb);
void bk_func_register_compare(func_builder *fb);
void bk_func_register_text(func_builder *fb);
void bk_func_register_misc(func_builder *fb);

/* True when out row i is NULL (strict functions skip those rows). */
static inline bool func_skip(const bk_vec *out, uint32_t i)
{
    return bk_vec_is_null(out, i);
}

#endif /* BK_QUERY_FUNC_FUNC_INT_H */
