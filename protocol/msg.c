/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend message encoding (PostgreSQL protocol documentation, "Message Formats"): a type
 * byte, a big-endian int32 length that counts itself, then the body. pq_begin reserves the
 * length and pq_end patches it, so bodies are written once, straight into the output buffer.
 *
 * Frontend message bodies are read with pq_reader (PostgreSQL's pq_getmsg*): bounds first,
 * then the bytes, with PostgreSQL's error for each way a body can be short or malformed.
 * Strings are checked as UTF-8 the way PostgreSQL's client-to-server conversion checks them.
 */
#include <stdio.h>
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

/* ---- reading frontend message bodies ---------------------------------------------------- */

bk_rc pq_get_byte(pq_reader *r, uint8_t *out, bk_error *err)
{
    if (r->pos >= r->len) {
        return bk_raise(err, PROTOCOL_VIOLATION, "no data left in message");
    }
    *out = r->p[r->pos++];
    return BK_OK;
}

bk_rc pq_get_uint16(pq_reader *r, uint16_t *out, bk_error *err)
{
    if (r->len - r->pos < 2) {
        return bk_raise(err, PROTOCOL_VIOLATION, "insufficient data left in message");
    }
    *out = bk_get_be16(r->p + r->pos);
    r->pos += 2;
    return BK_OK;
}

bk_rc pq_get_int16(pq_reader *r, int16_t *out, bk_error *err)
{
    uint16_t v;
    if (pq_get_uint16(r, &v, err) != BK_OK) {
        return BK_ERR;
    }
    *out = (int16_t)v;
    return BK_OK;
}

bk_rc pq_get_int32(pq_reader *r, int32_t *out, bk_error *err)
{
    if (r->len - r->pos < 4) {
        return bk_raise(err, PROTOCOL_VIOLATION, "insufficient data left in message");
    }
    *out = (int32_t)bk_get_be32(r->p + r->pos);
    r->pos += 4;
    return BK_OK;
}

bk_rc pq_get_cstr(pq_reader *r, const char **out, size_t *out_len, bk_error *err)
{
    const uint8_t *start = r->p + r->pos;
    const uint8_t *nul = r->pos < r->len ? memchr(start, '\0', r->len - r->pos) : NULL;
    if (nul == NULL) {
        return bk_raise(err, PROTOCOL_VIOLATION, "invalid string in message");
    }
    size_t n = (size_t)(nul - start);
    if (pq_check_utf8((const char *)start, n, err) != BK_OK) {
        return BK_ERR;
    }
    r->pos += n + 1;
    *out = (const char *)start;
    *out_len = n;
    return BK_OK;
}

bk_rc pq_get_bytes(pq_reader *r, int32_t n, const uint8_t **out, bk_error *err)
{
    if (n < 0 || (size_t)n > r->len - r->pos) {
        return bk_raise(err, PROTOCOL_VIOLATION, "insufficient data left in message");
    }
    *out = r->p + r->pos;
    r->pos += (size_t)n;
    return BK_OK;
}

bk_rc pq_get_end(pq_reader *r, bk_error *err)
{
    if (r->pos != r->len) {
        return bk_raise(err, PROTOCOL_VIOLATION, "invalid message format");
    }
    return BK_OK;
}

/* pg_utf_mblen: the length a lead byte announces (1 for bytes that cannot lead). */
static size_t utf8_seq_len(uint8_t b)
{
    if (b < 0x80) {
        return 1;
    }
    if ((b & 0xE0) == 0xC0) {
        return 2;
    }
    if ((b & 0xF0) == 0xE0) {
        return 3;
    }
    if ((b & 0xF8) == 0xF0) {
        return 4;
    }
    return 1;
}

/* pg_utf8_islegal for a sequence of n bytes (n from utf8_seq_len, all present). */
static bool utf8_legal(const uint8_t *s, size_t n)
{
    uint8_t lead = s[0];
    if (lead >= 0x80 && lead < 0xC2) {
        return false; /* a continuation byte, or an overlong 2-byte lead */
    }
    if (lead > 0xF4) {
        return false;
    }
    if (n >= 2) {
        uint8_t lo = 0x80, hi = 0xBF;
        switch (lead) {
        case 0xE0:
            lo = 0xA0; /* overlong */
            break;
        case 0xED:
            hi = 0x9F; /* surrogates */
            break;
        case 0xF0:
            lo = 0x90; /* overlong */
            break;
        case 0xF4:
            hi = 0x8F; /* beyond U+10FFFF */
            break;
        default:
            break;
        }
        if (s[1] < lo || s[1] > hi) {
            return false;
        }
    }
    for (size_t k = 2; k < n; k++) {
        if (s[k] < 0x80 || s[k] > 0xBF) {
            return false;
        }
    }
    return true;
}

bk_rc pq_check_utf8(const char *str, size_t n, bk_error *err)
{
    const uint8_t *s = (const uint8_t *)str;
    size_t i = 0;
    while (i < n) {
        if (s[i] != 0 && s[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = s[i] == 0 ? 1 : utf8_seq_len(s[i]);
        if (s[i] != 0 && len <= n - i && utf8_legal(s + i, len)) {
            i += len;
            continue;
        }
        /* report_invalid_encoding: the bytes of the announced sequence that are present. */
        char bytes[8 * 5 + 1];
        size_t shown = BK_MIN(BK_MIN(len, n - i), (size_t)8), at = 0;
        for (size_t k = 0; k < shown; k++) {
            at += (size_t)snprintf(bytes + at, sizeof bytes - at, k > 0 ? " 0x%02x" : "0x%02x",
                                   (unsigned)s[i + k]);
        }
        return bk_raise(err, CHARACTER_NOT_IN_REPERTOIRE,
                        "invalid byte sequence for encoding \"UTF8\": %s", bytes);
    }
    return BK_OK;
}
