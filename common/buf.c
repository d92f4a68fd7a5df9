/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String views and growable byte buffers. Buffers grow by doubling through bk_mem_*, so an
 * OOM (real or injected) leaves the buffer as it was and the caller reports 53200.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

bk_str bk_str_from_cstr(const char *s)
{
    return (bk_str){s, strlen(s)};
}

bool bk_str_eq(bk_str a, bk_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool bk_str_eq_cstr(bk_str a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && (n == 0 || memcmp(a.ptr, s, n) == 0);
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool bk_str_ieq_cstr(bk_str a, const char *s)
{
    size_t n = strlen(s);
    if (a.len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (ascii_lower((unsigned char)a.ptr[i]) != ascii_lower((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

bk_rc bk_buf_reserve(bk_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra) {
        return BK_OK;
    }
    size_t need = b->len + extra;
    if (need < b->len) {
        return BK_ERR;
    }
    size_t cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = bk_mem_realloc(b->ptr, cap);
    if (p == NULL) {
        return BK_ERR;
    }
    b->ptr = p;
    b->cap = cap;
    return BK_OK;
}

bk_rc bk_buf_append(bk_buf *b, const void *p, size_t n)
{
    if (n == 0) {
        return BK_OK;
    }
    if (bk_buf_reserve(b, n) != BK_OK) {
        return BK_ERR;
    }
    memcpy(b->ptr + b->len, p, n);
    b->len += n;
    return BK_OK;
}

bk_rc bk_buf_append_byte(bk_buf *b, uint8_t c)
{
    if (b->len == b->cap && bk_buf_reserve(b, 1) != BK_OK) {
        return BK_ERR;
    }
    b->ptr[b->len++] = (char)c;
    return BK_OK;
}

bk_rc bk_buf_vprintf(bk_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || bk_buf_reserve(b, (size_t)n + 1) != BK_OK) {
        return BK_ERR;
    }
    (void)vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return BK_OK;
}

bk_rc bk_buf_printf(bk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_rc rc = bk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void bk_buf_consume(bk_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->ptr, b->ptr + n, b->len - n);
    b->len -= n;
}

void bk_buf_clear(bk_buf *b)
{
    b->len = 0;
}

void bk_buf_free(bk_buf *b)
{
    bk_mem_free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}
