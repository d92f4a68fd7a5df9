/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String operators and functions: ||, LIKE / ILIKE (PostgreSQL's ~~ operators, with % and _
 * and backslash as the default escape), length. Text is UTF-8 and the database collation is
 * byte order (C.UTF-8); ILIKE folds ASCII case. The other string functions are in string.c.
 */
#include <string.h>

#include "func_int.h"

static bk_rc oom(bk_error *err)
{
    return bk_raise(err, OUT_OF_MEMORY, "out of memory");
}

static bk_str str_at(const bk_vec *v, uint32_t i)
{
    return ((const bk_str *)v->data)[i];
}

static bk_rc concat_impl(FUNC_ARGS)
{
    (void)call;
    bk_buf tmp = {0};
    bk_str *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_buf_clear(&tmp);
        for (int a = 0; a < 2; a++) {
            if (bk_value_to_text(ctx->session, &args[a], i, &tmp) != BK_OK) {
                bk_buf_free(&tmp);
                return oom(err);
            }
        }
        char *p = bk_arena_memdup(ctx->arena, tmp.ptr == NULL ? "" : tmp.ptr, tmp.len);
        if (p == NULL) {
            bk_buf_free(&tmp);
            return oom(err);
        }
        r[i] = (bk_str){p, tmp.len};
    }
    bk_buf_free(&tmp);
    return BK_OK;
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static size_t utf8_char_len(const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    return n > left ? left : n;
}

/*
 * LIKE matching over bytes, treating a multi-byte UTF-8 character as one unit for `_`.
 * Recursion only at `%`, after collapsing runs of `%`, so the depth is bounded by the number
 * of `%` in the pattern.
 */
static bool like_match(const char *s, size_t sl, const char *p, size_t pl, bool ci)
{
    while (pl > 0) {
        char pc = p[0];
        if (pc == '%') {
            while (pl > 0 && p[0] == '%') {
                p++;
                pl--;
            }
            if (pl == 0) {
                return true;
            }
            for (size_t k = 0; k <= sl;) {
                if (like_match(s + k, sl - k, p, pl, ci)) {
                    return true;
                }
                if (k == sl) {
                    break;
                }
                k += utf8_char_len(s + k, sl - k);
            }
            return false;
        }
        if (sl == 0) {
            return false;
        }
        if (pc == '_') {
            size_t cl = utf8_char_len(s, sl);
            s += cl;
            sl -= cl;
            p++;
            pl--;
            continue;
        }
        if (pc == '\\' && pl > 1) {
            p++;
            pl--;
            pc = p[0];
        }
        char sc = s[0];
        if (ci ? ascii_lower(sc) != ascii_lower(pc) : sc != pc) {
            return false;
        }
        s++;
        sl--;
        p++;
        pl--;
    }
    return sl == 0;
}

static bk_rc
like_apply(const bk_vec *args, uint32_t n, bk_vec *out, bool ci, bool negate, bk_error *err)
{
    uint8_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = str_at(&args[0], i), p = str_at(&args[1], i);
        if (p.len > 0 && p.ptr[p.len - 1] == '\\' && (p.len == 1 || p.ptr[p.len - 2] != '\\')) {
            return bk_raise(err, INVALID_ESCAPE_SEQUENCE,
                            "LIKE pattern must not end with escape character");
        }
        r[i] = like_match(s.ptr, s.len, p.ptr, p.len, ci) != negate;
    }
    return BK_OK;
}

static bk_rc like_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return like_apply(args, n, out, false, false, err);
}

static bk_rc not_like_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return like_apply(args, n, out, false, true, err);
}

static bk_rc ilike_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return like_apply(args, n, out, true, false, err);
}

static bk_rc not_ilike_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return like_apply(args, n, out, true, true, err);
}

static bk_rc length_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    int32_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = str_at(&args[0], i);
        int32_t chars = 0;
        for (size_t k = 0; k < s.len; k++) {
            if (((unsigned char)s.ptr[k] & 0xC0) != 0x80) {
                chars++;
            }
        }
        r[i] = chars;
    }
    return BK_OK;
}

void bk_func_register_text(func_builder *fb)
{
    bk_type text = bk_type_of(BK_TYPE_TEXT), b = bk_type_of(BK_TYPE_BOOL);
    func_add(fb, "||", text, 0, concat_impl, 2, BK_TYPE_TEXT, BK_TYPE_TEXT);
    func_add(fb, "||", text, 0, concat_impl, 2, BK_TYPE_TEXT, BK_TYPE_ANY);
    func_add(fb, "||", text, 0, concat_impl, 2, BK_TYPE_ANY, BK_TYPE_TEXT);
    func_add(fb, "~~", b, 0, like_impl, 2, BK_TYPE_TEXT, BK_TYPE_TEXT);
    func_add(fb, "!~~", b, 0, not_like_impl, 2, BK_TYPE_TEXT, BK_TYPE_TEXT);
    func_add(fb, "~~*", b, 0, ilike_impl, 2, BK_TYPE_TEXT, BK_TYPE_TEXT);
    func_add(fb, "!~~*", b, 0, not_ilike_impl, 2, BK_TYPE_TEXT, BK_TYPE_TEXT);
    func_add(fb, "length", bk_type_of(BK_TYPE_INT4), 0, length_impl, 1, BK_TYPE_TEXT);
    func_add(fb, "char_length", bk_type_of(BK_TYPE_INT4), 0, length_impl, 1, BK_TYPE_TEXT);
}
