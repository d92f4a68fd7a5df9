/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Errors as PostgreSQL's ErrorData, carried by return code. The message buffers are fixed
 * arrays inside bk_error, so raising never allocates and OOM can always be reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char *const sqlstate_codes[] = {
#define BK_SQLSTATE(name, code) code,
#include "sqlstate.def"
#undef BK_SQLSTATE
};

const char *bk_sqlstate_str(bk_sqlstate code)
{
    if ((size_t)code >= BK_ARRAY_LEN(sqlstate_codes)) {
        return "XX000";
    }
    return sqlstate_codes[code];
}

const char *bk_severity_str(bk_severity sev)
{
    switch (sev) {
    case BK_SEV_NOTICE:
        return "NOTICE";
    case BK_SEV_WARNING:
        return "WARNING";
    case BK_SEV_ERROR:
        return "ERROR";
    case BK_SEV_FATAL:
        return "FATAL";
    case BK_SEV_PANIC:
        return "PANIC";
    }
    return "ERROR";
}

void bk_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "basket: assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
    fflush(stderr);
    abort();
}

void bk_error_clear(bk_error *err)
{
    err->is_set = false;
    err->code = BK_ERRCODE_SUCCESSFUL_COMPLETION;
    err->severity = BK_SEV_ERROR;
    err->position = 0;
    err->file = NULL;
    err->line = 0;
    err->func = NULL;
    err->message[0] = '\0';
    err->detail[0] = '\0';
    err->hint[0] = '\0';
}

bk_rc bk_error_set(bk_error *err,
                   bk_sqlstate code,
                   const char *file,
                   int line,
                   const char *func,
                   const char *fmt,
                   ...)
{
    if (err == NULL || err->is_set) {
        return BK_ERR;
    }
    err->is_set = true;
    err->code = code;
    err->severity = BK_SEV_ERROR;
    /* position is kept: callers may set it just before raising (it is 0 after a clear). */
    err->file = file;
    err->line = line;
    err->func = func;
    err->detail[0] = '\0';
    err->hint[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return BK_ERR;
}

void bk_error_detail(bk_error *err, const char *fmt, ...)
{
    if (err == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

void bk_error_hint(bk_error *err, const char *fmt, ...)
{
    if (err == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

void bk_error_set_severity(bk_error *err, bk_severity sev)
{
    if (err != NULL) {
        err->severity = sev;
    }
}

void bk_error_set_position(bk_error *err, int32_t position)
{
    if (err != NULL && err->position == 0) {
        err->position = position;
    }
}

void bk_error_copy(bk_error *dst, const bk_error *src)
{
    memcpy(dst, src, sizeof *dst);
}
