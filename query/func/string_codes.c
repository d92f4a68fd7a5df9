/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String functions about codes and whole values: chr and ascii (Unicode code points, as in a
 * UTF-8 database), to_hex, md5 (RFC 1321, lower-case hex), and concat / concat_ws, which print
 * each non-NULL argument with its type's output function.
 */
#include <string.h>

#include "func_int.h"

/* ---- chr, ascii, to_hex, md5 --------------------------------------------------------- */

static bk_rc chr_impl(FUNC_ARGS)
{
    (void)call;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int32_t c = ((const int32_t *)args[0].data)[i];
        if (c < 0) {
            return bk_raise(err, INVALID_PARAMETER_VALUE, "character number must be positive");
        }
        if (c == 0) {
            return bk_raise(err, PROGRAM_LIMIT_EXCEEDED, "null character not permitted");
        }
        if (c > 0x10FFFF) {
            return bk_raise(err, PROGRAM_LIMIT_EXCEEDED,
                            "requested character too large for encoding: %d", c);
        }
        if (c >= 0xD800 && c <= 0xDFFF) {
            return bk_raise(err, PROGRAM_LIMIT_EXCEEDED,
                            "requested character not valid for encoding: %d", c);
        }
        char buf[4];
        size_t len = func_u8_encode((uint32_t)c, buf);
        if (func_set_text(ctx, out, i, buf, len, err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc ascii_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        ((int32_t *)out->data)[i] =
            s.len == 0 ? 0 : (int32_t)func_u8_decode(s.ptr, func_u8_len(s.ptr, s.len));
    }
    return BK_OK;
}

static bk_rc to_hex_apply(const bk_eval_ctx *ctx,
                          const bk_vec *in,
                          uint32_t n,
                          bk_vec *out,
                          bool is64,
                          bk_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        uint64_t v = is64 ? (uint64_t)((const int64_t *)in->data)[i]
                          : (uint64_t)(uint32_t)((const int32_t *)in->data)[i];
        char buf[16];
        size_t len = 0;
        do {
            buf[15 - len++] = "0123456789abcdef"[v & 15];
            v >>= 4;
        } while (v != 0);
        if (func_set_text(ctx, out, i, buf + 16 - len, len, err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc to_hex4_impl(FUNC_ARGS)
{
    (void)call;
    return to_hex_apply(ctx, &args[0], n, out, false, err);
}

static bk_rc to_hex8_impl(FUNC_ARGS)
{
    (void)call;
    return to_hex_apply(ctx, &args[0], n, out, true, err);
}

/* MD5 (RFC 1321). */
typedef struct md5_ctx {
    uint32_t a, b, c, d;
} md5_ctx;

static uint32_t md5_rotl(uint32_t x, int c)
{
    return (x << c) | (x >> (32 - c));
}

static void md5_block(md5_ctx *m, const unsigned char *blk)
{
    static const uint32_t k[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391};
    static const int r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t w[16];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)blk[i * 4] | ((uint32_t)blk[i * 4 + 1] << 8) |
               ((uint32_t)blk[i * 4 + 2] << 16) | ((uint32_t)blk[i * 4 + 3] << 24);
    }
    uint32_t a = m->a, b = m->b, c = m->c, d = m->d;
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + md5_rotl(a + f + k[i] + w[g], r[i]);
        a = t;
    }
    m->a += a;
    m->b += b;
    m->c += c;
    m->d += d;
}

/* The 32 lower-case hex digits of MD5(data). */
static void md5_hex(const char *data, size_t len, char out[32])
{
    md5_ctx m = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t k = 0;
    for (; k + 64 <= len; k += 64) {
        md5_block(&m, (const unsigned char *)data + k);
    }
    unsigned char tail[128];
    size_t rest = len - k;
    memcpy(tail, data + k, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
    memset(tail + rest + 1, 0, tail_len - rest - 1);
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        tail[tail_len - 8 + (size_t)i] = (unsigned char)(bits >> (8 * i));
    }
    md5_block(&m, tail);
    if (tail_len == 128) {
        md5_block(&m, tail + 64);
    }
    uint32_t words[4] = {m.a, m.b, m.c, m.d};
    for (int i = 0; i < 16; i++) {
        unsigned char byte = (unsigned char)(words[i / 4] >> (8 * (i % 4)));
        out[i * 2] = "0123456789abcdef"[byte >> 4];
        out[i * 2 + 1] = "0123456789abcdef"[byte & 15];
    }
}

static bk_rc md5_impl(FUNC_ARGS)
{
    (void)call;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        char hex[32];
        md5_hex(s.ptr, s.len, hex);
        if (func_set_text(ctx, out, i, hex, 32, err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

/* ---- concat, concat_ws ---------------------------------------------------------------------- */

/*
 * concat(...) and concat_ws(sep, ...): every non-NULL argument in its type's text output, in
 * order, joined by sep; NULL arguments are skipped. Non-strict: concat never returns NULL,
 * concat_ws only when the separator is NULL.
 */
static bk_rc concat_apply(const bk_eval_ctx *ctx,
                          const bk_expr *call,
                          const bk_vec *args,
                          uint32_t n,
                          bk_vec *out,
                          bool with_sep,
                          bk_error *err)
{
    bk_buf b = {0};
    uint32_t first = with_sep ? 1 : 0;
    for (uint32_t i = 0; i < n; i++) {
        if (with_sep && bk_vec_is_null(&args[0], i)) {
            bk_validity_set(out->validity, i, false);
            continue;
        }
        bk_validity_set(out->validity, i, true);
        bk_buf_clear(&b);
        bool any = false;
        for (uint32_t a = first; a < call->n_args; a++) {
            if (bk_vec_is_null(&args[a], i)) {
                continue;
            }
            if (with_sep && any) {
                bk_str sep = func_str(&args[0], i);
                if (bk_buf_append(&b, sep.ptr, sep.len) != BK_OK) {
                    bk_buf_free(&b);
                    return func_oom(err);
                }
            }
            if (args[a].type.id == BK_TYPE_BOOL) {
                /* boolout: "t" / "f". */
                bool v = ((const uint8_t *)args[a].data)[i] != 0;
                if (bk_buf_append(&b, v ? "t" : "f", 1) != BK_OK) {
                    bk_buf_free(&b);
                    return func_oom(err);
                }
            } else if (bk_value_to_text(ctx->session, &args[a], i, &b) != BK_OK) {
                bk_buf_free(&b);
                return func_oom(err);
            }
            any = true;
        }
        if (func_set_text(ctx, out, i, b.ptr, b.len, err) != BK_OK) {
            bk_buf_free(&b);
            return BK_ERR;
        }
    }
    bk_buf_free(&b);
    return BK_OK;
}

static bk_rc concat_impl(FUNC_ARGS)
{
    return concat_apply(ctx, call, args, n, out, false, err);
}

static bk_rc concat_ws_impl(FUNC_ARGS)
{
    return concat_apply(ctx, call, args, n, out, true, err);
}

void bk_func_register_string_codes(func_builder *fb)
{
    bk_type text = bk_type_of(BK_TYPE_TEXT), i4 = bk_type_of(BK_TYPE_INT4);
    const bk_type_id T = BK_TYPE_TEXT, I4 = BK_TYPE_INT4, A = BK_TYPE_ANY;

    func_add(fb, "chr", text, 0, chr_impl, 1, I4);
    func_add(fb, "ascii", i4, 0, ascii_impl, 1, T);
    func_add(fb, "to_hex", text, 0, to_hex4_impl, 1, I4);
    func_add(fb, "to_hex", text, 0, to_hex8_impl, 1, BK_TYPE_INT8);
    func_add(fb, "md5", text, 0, md5_impl, 1, T);
    func_add(fb, "concat", text, BK_FUNC_NONSTRICT, concat_impl, 1, A);
    func_add(fb, "concat", text, BK_FUNC_NONSTRICT, concat_impl, 2, A, A);
    func_add(fb, "concat", text, BK_FUNC_NONSTRICT, concat_impl, 3, A, A, A);
    func_add(fb, "concat", text, BK_FUNC_NONSTRICT, concat_impl, 4, A, A, A, A);
    func_add(fb, "concat_ws", text, BK_FUNC_NONSTRICT, concat_ws_impl, 2, T, A);
    func_add(fb, "concat_ws", text, BK_FUNC_NONSTRICT, concat_ws_impl, 3, T, A, A);
    func_add(fb, "concat_ws", text, BK_FUNC_NONSTRICT, concat_ws_impl, 4, T, A, A, A);
}
