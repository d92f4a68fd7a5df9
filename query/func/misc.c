/* SPDX-License-Identifier: Apache-2.0 */
/* Session and server information functions: version(), current_database(), ... */
#include <stdio.h>
#include <string.h>

#include "func_int.h"

static bk_rc
const_text(const bk_eval_ctx *ctx, const char *s, uint32_t n, bk_vec *out, bk_error *err)
{
    char *p = bk_arena_strndup(ctx->arena, s, strlen(s));
    if (p == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++) {
        ((bk_str *)out->data)[i] = (bk_str){p, strlen(s)};
    }
    return BK_OK;
}

static bk_rc version_impl(FUNC_ARGS)
{
    (void)call;
    (void)args;
    char buf[256];
    /* The leading "PostgreSQL x.y" is what tools parse; the rest says what answers. */
    snprintf(buf, sizeof buf, "PostgreSQL %s on x86_64-pc-linux-gnu, compiled by Basket, 64-bit",
             ctx->session->engine->server_version);
    return const_text(ctx, buf, n, out, err);
}

static bk_rc current_database_impl(FUNC_ARGS)
{
    (void)call;
    (void)args;
    return const_text(ctx, "basket", n, out, err);
}

static bk_rc current_schema_impl(FUNC_ARGS)
{
    (void)call;
    (void)args;
    return const_text(ctx, "public", n, out, err);
}

static bk_rc session_user_impl(FUNC_ARGS)
{
    (void)call;
    (void)args;
    return const_text(ctx, ctx->session->user, n, out, err);
}

void bk_func_register_misc(func_builder *fb)
{
    bk_type name;
    (void)bk_type_from_oid(BK_OID_NAME, &name);
    func_add(fb, "version", bk_type_of(BK_TYPE_TEXT), 0, version_impl, 0);
    func_add(fb, "current_database", name, 0, current_database_impl, 0);
    func_add(fb, "current_schema", name, 0, current_schema_impl, 0);
    /*
     * Targets of SQLValueFunction (CURRENT_USER, SESSION_USER, USER, CURRENT_ROLE,
     * CURRENT_CATALOG): the SQL keywords reach them through the binder. Basket has no SET ROLE,
     * so every one is the session's user.
     */
    func_add(fb, "current_user", name, 0, session_user_impl, 0);
    func_add(fb, "session_user", name, 0, session_user_impl, 0);
    func_add(fb, "current_role", name, 0, session_user_impl, 0);
    func_add(fb, "user", name, 0, session_user_impl, 0);
    func_add(fb, "current_catalog", name, 0, current_database_impl, 0);
}
