/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend message encoding (PostgreSQL protocol documentation, "Message Formats"): a type
 * byte, a big-endian int32 length that counts itself, then the body. pq_begin reserves the
 * length and pq_end patches it, so bodies are written once, straight into the output buffer.
 */
#include <string.h>

#include "protocol_int.h"

bk_rc pq_begin(bk_buf *out, char type, size_t *mark)
{
    if (bk_buf_reserve(out, 5) != BK_OK) {
        return BK_ERR;
    }
    out->ptr[out->len++] = type;
    *mark = out->len;
    out->len += 4;
    return BK_OK;
}

bk_rc pq_end(bk_buf *out, size_t mark)
{
    size_t len = out->len - mark;
    if (len > INT32_MAX) {
        return BK_ERR; /* never wrap a length: the caller reports 54000 */
    }
    bk_put_be32((uint8_t *)out->ptr + mark, (uint32_t)len);
    return BK_OK;
}

bk_rc pq_put_int16(bk_buf *out, int16_t v)
{
    uint8_t b[2];
    bk_put_be16(b, (uint16_t)v);
    return bk_buf_append(out, b, 2);
}

bk_rc pq_put_int32(bk_buf *out, int32_t v)
{
    uint8_t b[4];
    bk_put_be32(b, (uint32_t)v);
    return bk_buf_append(out, b, 4);
}

bk_rc pq_put_cstr(bk_buf *out, const char *s)
{
    return bk_buf_append(out, s, strlen(s) + 1);
}

bk_rc pq_put_bytes(bk_buf *out, const void *p, size_t n)
{
    return bk_buf_append(out, p, n);
}

bk_rc pq_ready_for_query(bk_buf *out, char status)
{
    size_t m;
    if (pq_begin(out, 'Z', &m) != BK_OK || bk_buf_append_byte(out, (uint8_t)status) != BK_OK) {
        return BK_ERR;
    }
    return pq_end(out, m);
}

bk_rc pq_parameter_status(bk_buf *out, const char *name, const char *value)
{
    size_t m;
    if (pq_begin(out, 'S', &m) != BK_OK || pq_put_cstr(out, name) != BK_OK ||
        pq_put_cstr(out, value) != BK_OK) {
        return BK_ERR;
    }
    return pq_end(out, m);
}

bk_rc pq_command_complete(bk_buf *out, const char *tag)
{
    size_t m;
    if (pq_begin(out, 'C', &m) != BK_OK || pq_put_cstr(out, tag) != BK_OK) {
        return BK_ERR;
    }
    return pq_end(out, m);
}

static bk_rc field(bk_buf *out, char code, const char *value)
{
    if (bk_buf_append_byte(out, (uint8_t)code) != BK_OK) {
        return BK_ERR;
    }
    return pq_put_cstr(out, value);
}

bk_rc pq_error_response(bk_buf *out, const bk_error *e)
{
    size_t m;
    char type = e->severity <= BK_SEV_WARNING ? 'N' : 'E';
    const char *sev = bk_severity_str(e->severity);
    if (pq_begin(out, type, &m) != BK_OK || field(out, 'S', sev) != BK_OK ||
        field(out, 'V', sev) != BK_OK || field(out, 'C', bk_sqlstate_str(e->code)) != BK_OK ||
        field(out, 'M', e->message) != BK_OK) {
        return BK_ERR;
    }
    if (e->detail[0] != '\0' && field(out, 'D', e->detail) != BK_OK) {
        return BK_ERR;
    }
    if (e->hint[0] != '\0' && field(out, 'H', e->hint) != BK_OK) {
        return BK_ERR;
    }
    if (e->position > 0) {
        char pos[16];
        size_t n = bk_format_int64(e->position, pos);
        pos[n] = '\0';
        if (field(out, 'P', pos) != BK_OK) {
            return BK_ERR;
        }
    }
    if (e->file != NULL) {
        const char *base = strrchr(e->file, '/');
        char line[16];
        size_t n = bk_format_int64(e->line, line);
        line[n] = '\0';
        if (field(out, 'F', base != NULL ? base + 1 : e->file) != BK_OK ||
            field(out, 'L', line) != BK_OK ||
            field(out, 'R', e->func != NULL ? e->func : "") != BK_OK) {
            return BK_ERR;
        }
    }
    if (bk_buf_append_byte(out, 0) != BK_OK) {
        return BK_ERR;
    }
    return pq_end(out, m);
}
