/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scalar function and operator registry: built once, read-only afterwards. Each func_*.c
 * file registers its own entries; overload resolution (bind_expr.c) scans this table.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#include "func_int.h"

struct func_builder {
    bk_func *items;
    size_t n;
    size_t cap;
};

void func_add(func_builder *fb,
              const char *name,
              bk_type ret,
              uint32_t flags,
              bk_scalar_impl impl,
              unsigned n_args,
              ...)
{
    if (fb->n == fb->cap) {
        fb->cap = fb->cap == 0 ? 256 : fb->cap * 2;
        fb->items = realloc(fb->items, fb->cap * sizeof(bk_func));
        if (fb->items == NULL) {
            bk_log(BK_LOG_FATAL, "out of memory building the function registry");
            abort();
        }
    }
    BK_ASSERT(n_args <= BK_FUNC_MAX_ARGS);
    bk_func *f = &fb->items[fb->n++];
    f->name = name;
    f->ret = ret;
    f->flags = flags;
    f->impl = impl;
    f->n_args = (uint8_t)n_args;
    va_list ap;
    va_start(ap, n_args);
    for (unsigned i = 0; i < n_args; i++) {
        f->args[i] = (bk_type_id)va_arg(ap, int);
    }
    va_end(ap);
}

static func_builder registry;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

static void registry_build(void)
{
    bk_func_register_arith(&registry);
    bk_func_register_compare(&registry);
    bk_func_register_text(&registry);
    bk_func_register_misc(&registry);
    bk_func_register_math(&registry);
    bk_func_register_string(&registry);
    bk_func_register_string_codes(&registry);
    bk_func_register_datetime(&registry);
    bk_func_register_datetime_ops(&registry);
    bk_func_register_to_char(&registry);
}

const bk_func *bk_func_table(size_t *n)
{
    (void)pthread_once(&registry_once, registry_build);
    *n = registry.n;
    return registry.items;
}
