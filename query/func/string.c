/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String functions with PostgreSQL 15's semantics on UTF-8 text: positions and lengths count
 * characters, not bytes. upper, lower and initcap map case as PostgreSQL does in a C.UTF-8
 * database, through the C library's C.UTF-8 locale (towupper_l/towlower_l/iswalnum_l per
 * character), falling back to ASCII-only mapping when that locale is missing.
 *
 * Interface: substring/substr, position/strpos, btrim/ltrim/rtrim, left, right, replace,
 * split_part, starts_with, upper, lower, initcap, lpad, rpad, repeat, reverse, translate,
 * octet_length, bit_length, character_length; func_set_text. chr, ascii, to_hex, md5, concat
 * and concat_ws are in string_codes.c.
 */
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

#include "func_int.h"

bk_rc func_set_text(const bk_eval_ctx *ctx,
                    bk_vec *out,
                    uint32_t i,
                    const char *p,
                    size_t len,
                    bk_error *err)
{
    char *q = bk_arena_memdup(ctx->arena, len == 0 ? "" : p, len == 0 ? 1 : len);
    if (q == NULL) {
        return func_oom(err);
    }
    ((bk_str *)out->data)[i] = (bk_str){q, len};
    return BK_OK;
}

/* Sets row i to a slice of an argument's bytes (argument strings outlive the result). */
static void set_slice(bk_vec *out, uint32_t i, const char *p, size_t len)
{
    ((bk_str *)out->data)[i] = (bk_str){len == 0 ? "" : p, len};
}

/* PostgreSQL's MaxAllocSize: no text value may be larger. */
#define MAX_TEXT_BYTES ((size_t)0x3fffffff)

static bk_rc too_large(bk_error *err)
{
    return bk_raise(err, PROGRAM_LIMIT_EXCEEDED, "requested length too large");
}

/* ---- UTF-8 ---------------------------------------------------------------------------------- */

static int64_t u8_count(bk_str s)
{
    int64_t n = 0;
    for (size_t k = 0; k < s.len; k++) {
        n += ((unsigned char)s.ptr[k] & 0xC0) != 0x80;
    }
    return n;
}

/* Byte offset of character `chars` (0-based), or s.len when the string is shorter. */
static size_t u8_offset(bk_str s, int64_t chars)
{
    size_t off = 0;
    while (chars > 0 && off < s.len) {
        off += func_u8_len(s.ptr + off, s.len - off);
        chars--;
    }
    return off;
}

/* ---- case mapping --------------------------------------------------------------------------- */

static locale_t utf8_locale;
static pthread_once_t utf8_locale_once = PTHREAD_ONCE_INIT;

static void utf8_locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

typedef enum case_op {
    CASE_UPPER,
    CASE_LOWER,
    CASE_INITCAP,
} case_op;

static uint32_t map_cp(uint32_t cp, bool upper)
{
    if (utf8_locale != (locale_t)0) {
        wint_t w =
            upper ? towupper_l((wint_t)cp, utf8_locale) : towlower_l((wint_t)cp, utf8_locale);
        return (uint32_t)w;
    }
    if (upper) {
        return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
    }
    return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
}

static bool is_alnum_cp(uint32_t cp)
{
    if (utf8_locale != (locale_t)0) {
        return iswalnum_l((wint_t)cp, utf8_locale) != 0;
    }
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static bk_rc case_apply(const bk_eval_ctx *ctx,
                        const bk_vec *in,
                        uint32_t n,
                        bk_vec *out,
                        case_op op,
                        bk_error *err)
{
    (void)pthread_once(&utf8_locale_once, utf8_locale_init);
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(in, i);
        /* A mapped character never needs more than 4 bytes. */
        char *p = bk_arena_alloc(ctx->arena, s.len * 4 + 1);
        if (p == NULL) {
            return func_oom(err);
        }
        size_t o = 0;
        bool was_alnum = false;
        for (size_t k = 0; k < s.len;) {
            size_t cl = func_u8_len(s.ptr + k, s.len - k);
            uint32_t cp = func_u8_decode(s.ptr + k, cl);
            uint32_t m;
            if (op == CASE_INITCAP) {
                m = map_cp(cp, !was_alnum);
                was_alnum = is_alnum_cp(m);
            } else {
                m = map_cp(cp, op == CASE_UPPER);
            }
            if (m == cp || m > 0x10FFFF) {
                memcpy(p + o, s.ptr + k, cl);
                o += cl;
            } else {
                o += func_u8_encode(m, p + o);
            }
            k += cl;
        }
        ((bk_str *)out->data)[i] = (bk_str){p, o};
    }
    return BK_OK;
}

static bk_rc upper_impl(FUNC_ARGS)
{
    (void)call;
    return case_apply(ctx, &args[0], n, out, CASE_UPPER, err);
}

static bk_rc lower_impl(FUNC_ARGS)
{
    (void)call;
    return case_apply(ctx, &args[0], n, out, CASE_LOWER, err);
}

static bk_rc initcap_impl(FUNC_ARGS)
{
    (void)call;
    return case_apply(ctx, &args[0], n, out, CASE_INITCAP, err);
}

/* ---- lengths -------------------------------------------------------------------------------- */

static bk_rc octet_length_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        if (!func_skip(out, i)) {
            ((int32_t *)out->data)[i] = (int32_t)func_str(&args[0], i).len;
        }
    }
    return BK_OK;
}

static bk_rc bit_length_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        if (!func_skip(out, i)) {
            ((int32_t *)out->data)[i] = (int32_t)(func_str(&args[0], i).len * 8);
        }
    }
    return BK_OK;
}

static bk_rc char_length_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        if (!func_skip(out, i)) {
            ((int32_t *)out->data)[i] = (int32_t)u8_count(func_str(&args[0], i));
        }
    }
    return BK_OK;
}

/* ---- substring, left, right ----------------------------------------------------------------- */

/* text_substring: characters [start, start + len) counted from 1, clipped to the string. */
static bk_rc
substring_apply(const bk_vec *args, uint32_t n, bk_vec *out, bool has_len, bk_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        int64_t start = ((const int32_t *)args[1].data)[i];
        int64_t end = INT64_MAX;
        if (has_len) {
            int64_t len = ((const int32_t *)args[2].data)[i];
            if (len < 0) {
                return bk_raise(err, SUBSTRING_ERROR, "negative substring length not allowed");
            }
            end = start + len;
        }
        int64_t from = start < 1 ? 1 : start;
        if (end <= from) {
            set_slice(out, i, s.ptr, 0);
            continue;
        }
        size_t b0 = u8_offset(s, from - 1);
        size_t b1 =
            end == INT64_MAX ? s.len : b0 + u8_offset((bk_str){s.ptr + b0, s.len - b0}, end - from);
        set_slice(out, i, s.ptr + b0, b1 - b0);
    }
    return BK_OK;
}

static bk_rc substr2_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return substring_apply(args, n, out, false, err);
}

static bk_rc substr3_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return substring_apply(args, n, out, true, err);
}

static bk_rc left_right_apply(const bk_vec *args, uint32_t n, bk_vec *out, bool right)
{
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        int64_t k = ((const int32_t *)args[1].data)[i];
        int64_t chars = u8_count(s);
        /* Characters kept: k from the chosen end, or all but |k| from the other end. */
        int64_t keep = k >= 0 ? BK_MIN(k, chars) : BK_MAX(chars + k, 0);
        if (right) {
            size_t b = u8_offset(s, chars - keep);
            set_slice(out, i, s.ptr + b, s.len - b);
        } else {
            set_slice(out, i, s.ptr, u8_offset(s, keep));
        }
    }
    return BK_OK;
}

static bk_rc left_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    return left_right_apply(args, n, out, false);
}

static bk_rc right_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    return left_right_apply(args, n, out, true);
}

/* ---- searching ------------------------------------------------------------------------------ */

/* Byte offset of the first occurrence of `needle` at or after `from`, or -1. */
static int64_t find_bytes(bk_str hay, size_t from, bk_str needle)
{
    if (needle.len == 0) {
        return (int64_t)from;
    }
    if (hay.len < needle.len) {
        return -1;
    }
    for (size_t k = from; k + needle.len <= hay.len; k++) {
        if (hay.ptr[k] == needle.ptr[0] && memcmp(hay.ptr + k, needle.ptr, needle.len) == 0) {
            return (int64_t)k;
        }
    }
    return -1;
}

/* strpos(string, substring): 1-based character position, 0 when absent. */
static bk_rc strpos_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i), t = func_str(&args[1], i);
        int64_t at = find_bytes(s, 0, t);
        /* Valid UTF-8 cannot match in the middle of a character, so bytes suffice. */
        ((int32_t *)out->data)[i] =
            at < 0 ? 0 : (int32_t)(u8_count((bk_str){s.ptr, (size_t)at}) + 1);
    }
    return BK_OK;
}

static bk_rc starts_with_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i), p = func_str(&args[1], i);
        ((uint8_t *)out->data)[i] = p.len <= s.len && memcmp(s.ptr, p.ptr, p.len) == 0;
    }
    return BK_OK;
}

static bk_rc replace_impl(FUNC_ARGS)
{
    (void)call;
    bk_buf b = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i), from = func_str(&args[1], i), to = func_str(&args[2], i);
        if (from.len == 0 || s.len == 0) {
            set_slice(out, i, s.ptr, s.len);
            continue;
        }
        bk_buf_clear(&b);
        size_t pos = 0;
        for (;;) {
            int64_t at = find_bytes(s, pos, from);
            if (at < 0) {
                break;
            }
            if (bk_buf_append(&b, s.ptr + pos, (size_t)at - pos) != BK_OK ||
                bk_buf_append(&b, to.ptr, to.len) != BK_OK) {
                bk_buf_free(&b);
                return func_oom(err);
            }
            pos = (size_t)at + from.len;
            if (b.len > MAX_TEXT_BYTES) {
                bk_buf_free(&b);
                return too_large(err);
            }
        }
        if (bk_buf_append(&b, s.ptr + pos, s.len - pos) != BK_OK ||
            func_set_text(ctx, out, i, b.ptr, b.len, err) != BK_OK) {
            bk_buf_free(&b);
            return func_oom(err);
        }
    }
    bk_buf_free(&b);
    return BK_OK;
}

static bk_rc split_part_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i), sep = func_str(&args[1], i);
        int64_t field = ((const int32_t *)args[2].data)[i];
        if (field == 0) {
            return bk_raise(err, INVALID_PARAMETER_VALUE, "field position must not be zero");
        }
        if (s.len == 0) {
            set_slice(out, i, s.ptr, 0);
            continue;
        }
        if (sep.len == 0 || find_bytes(s, 0, sep) < 0) {
            /* One field: it is both the first and the last. */
            bool whole = field == 1 || field == -1;
            set_slice(out, i, s.ptr, whole ? s.len : 0);
            continue;
        }
        if (field < 0) {
            int64_t fields = 1;
            for (int64_t at = find_bytes(s, 0, sep); at >= 0;
                 at = find_bytes(s, (size_t)at + sep.len, sep)) {
                fields++;
            }
            field += fields + 1;
            if (field <= 0) {
                set_slice(out, i, s.ptr, 0);
                continue;
            }
        }
        /* Walk to the start of field `field`. */
        size_t start = 0;
        bool found = true;
        for (int64_t f = 1; f < field; f++) {
            int64_t at = find_bytes(s, start, sep);
            if (at < 0) {
                found = false;
                break;
            }
            start = (size_t)at + sep.len;
        }
        if (!found) {
            set_slice(out, i, s.ptr, 0);
            continue;
        }
        int64_t end = find_bytes(s, start, sep);
        set_slice(out, i, s.ptr + start, (end < 0 ? s.len : (size_t)end) - start);
    }
    return BK_OK;
}

/* ---- trimming ------------------------------------------------------------------------------- */

/* Whether the character at p (cl bytes) is one of the characters of `set`. */
static bool in_set(const char *p, size_t cl, bk_str set)
{
    for (size_t k = 0; k < set.len;) {
        size_t sl = func_u8_len(set.ptr + k, set.len - k);
        if (sl == cl && memcmp(set.ptr + k, p, cl) == 0) {
            return true;
        }
        k += sl;
    }
    return false;
}

static bk_rc trim_apply(const bk_vec *args, uint32_t n, bk_vec *out, bool left, bool right)
{
    static const bk_str space = {" ", 1};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        bk_str set = args[1].data != NULL ? func_str(&args[1], i) : space;
        size_t b = 0, e = s.len;
        if (left) {
            while (b < e) {
                size_t cl = func_u8_len(s.ptr + b, e - b);
                if (!in_set(s.ptr + b, cl, set)) {
                    break;
                }
                b += cl;
            }
        }
        if (right) {
            while (e > b) {
                size_t start = e - 1;
                while (start > b && ((unsigned char)s.ptr[start] & 0xC0) == 0x80) {
                    start--;
                }
                if (!in_set(s.ptr + start, e - start, set)) {
                    break;
                }
                e = start;
            }
        }
        set_slice(out, i, s.ptr + b, e - b);
    }
    return BK_OK;
}

#define TRIM_IMPL(NAME, L, R)                \
 static bk_rc NAME##1(FUNC_ARGS)             \
 {                                           \
  (void)ctx;                                 \
  (void)call;                                \
  (void)err;                                 \
  bk_vec two[2] = {args[0], {.data = NULL}}; \
  return trim_apply(two, n, out, L, R);      \
 }                                           \
 static bk_rc NAME##2(FUNC_ARGS)             \
 {                                           \
  (void)ctx;                                 \
  (void)call;                                \
  (void)err;                                 \
  return trim_apply(args, n, out, L, R);     \
 }

TRIM_IMPL(btrim, true, true)
TRIM_IMPL(ltrim, true, false)
TRIM_IMPL(rtrim, false, true)

/* ---- padding, repeat, reverse, translate ---------------------------------------------------- */

static bk_rc pad_apply(const bk_eval_ctx *ctx,
                       const bk_vec *args,
                       uint32_t n,
                       bk_vec *out,
                       bool left,
                       bk_error *err)
{
    static const bk_str space = {" ", 1};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        int64_t len = ((const int32_t *)args[1].data)[i];
        bk_str fill = args[2].data != NULL ? func_str(&args[2], i) : space;
        if (len < 0) {
            len = 0;
        }
        int64_t chars = u8_count(s);
        if (chars > len) {
            chars = len; /* truncated to len characters */
        }
        if (fill.len == 0) {
            len = chars;
        }
        /* PostgreSQL checks the worst case: 4 bytes per character, plus a header. */
        if (len * 4 + 4 > (int64_t)MAX_TEXT_BYTES) {
            return too_large(err);
        }
        size_t keep = u8_offset(s, chars);
        int64_t pad_chars = len - chars;
        /* Bytes of pad_chars characters cycling through fill. */
        size_t fill_chars = (size_t)u8_count(fill);
        size_t pad_bytes = 0;
        if (pad_chars > 0) {
            size_t whole = (size_t)pad_chars / fill_chars, rest = (size_t)pad_chars % fill_chars;
            pad_bytes = whole * fill.len + u8_offset(fill, (int64_t)rest);
        }
        char *p = bk_arena_alloc(ctx->arena, keep + pad_bytes + 1);
        if (p == NULL) {
            return func_oom(err);
        }
        char *pad = left ? p : p + keep;
        for (size_t o = 0; o < pad_bytes;) {
            size_t m = BK_MIN(fill.len, pad_bytes - o);
            memcpy(pad + o, fill.ptr, m);
            o += m;
        }
        memcpy(left ? p + pad_bytes : p, s.ptr, keep);
        ((bk_str *)out->data)[i] = (bk_str){p, keep + pad_bytes};
    }
    return BK_OK;
}

static bk_rc lpad2_impl(FUNC_ARGS)
{
    (void)call;
    bk_vec three[3] = {args[0], args[1], {.data = NULL}};
    return pad_apply(ctx, three, n, out, true, err);
}

static bk_rc lpad3_impl(FUNC_ARGS)
{
    (void)call;
    return pad_apply(ctx, args, n, out, true, err);
}

static bk_rc rpad2_impl(FUNC_ARGS)
{
    (void)call;
    bk_vec three[3] = {args[0], args[1], {.data = NULL}};
    return pad_apply(ctx, three, n, out, false, err);
}

static bk_rc rpad3_impl(FUNC_ARGS)
{
    (void)call;
    return pad_apply(ctx, args, n, out, false, err);
}

static bk_rc repeat_impl(FUNC_ARGS)
{
    (void)call;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        int64_t count = ((const int32_t *)args[1].data)[i];
        if (count <= 0 || s.len == 0) {
            set_slice(out, i, s.ptr, 0);
            continue;
        }
        if ((uint64_t)count * s.len + 4 > MAX_TEXT_BYTES) {
            return too_large(err);
        }
        size_t total = (size_t)count * s.len;
        char *p = bk_arena_alloc(ctx->arena, total);
        if (p == NULL) {
            return func_oom(err);
        }
        for (size_t o = 0; o < total; o += s.len) {
            memcpy(p + o, s.ptr, s.len);
        }
        ((bk_str *)out->data)[i] = (bk_str){p, total};
    }
    return BK_OK;
}

static bk_rc reverse_impl(FUNC_ARGS)
{
    (void)call;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i);
        char *p = bk_arena_alloc(ctx->arena, s.len + 1);
        if (p == NULL) {
            return func_oom(err);
        }
        for (size_t k = 0; k < s.len;) {
            size_t cl = func_u8_len(s.ptr + k, s.len - k);
            memcpy(p + s.len - k - cl, s.ptr + k, cl);
            k += cl;
        }
        ((bk_str *)out->data)[i] = (bk_str){p, s.len};
    }
    return BK_OK;
}

static bk_rc translate_impl(FUNC_ARGS)
{
    (void)call;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str s = func_str(&args[0], i), from = func_str(&args[1], i), to = func_str(&args[2], i);
        /* Each character maps to at most one character of `to`: 4 bytes at most. */
        char *p = bk_arena_alloc(ctx->arena, s.len * 4 + 1);
        if (p == NULL) {
            return func_oom(err);
        }
        size_t o = 0;
        for (size_t k = 0; k < s.len;) {
            size_t cl = func_u8_len(s.ptr + k, s.len - k);
            /* Index of the character in `from`, if present. */
            int64_t idx = -1, pos = 0;
            for (size_t f = 0; f < from.len; pos++) {
                size_t fl = func_u8_len(from.ptr + f, from.len - f);
                if (fl == cl && memcmp(from.ptr + f, s.ptr + k, cl) == 0) {
                    idx = pos;
                    break;
                }
                f += fl;
            }
            if (idx < 0) {
                memcpy(p + o, s.ptr + k, cl);
                o += cl;
            } else {
                size_t t = u8_offset(to, idx);
                if (t < to.len) {
                    size_t tl = func_u8_len(to.ptr + t, to.len - t);
                    memcpy(p + o, to.ptr + t, tl);
                    o += tl;
                }
            }
            k += cl;
        }
        ((bk_str *)out->data)[i] = (bk_str){p, o};
    }
    return BK_OK;
}

void bk_func_register_string(func_builder *fb)
{
    bk_type text = bk_type_of(BK_TYPE_TEXT), i4 = bk_type_of(BK_TYPE_INT4);
    const bk_type_id T = BK_TYPE_TEXT, I4 = BK_TYPE_INT4;

    func_add(fb, "upper", text, 0, upper_impl, 1, T);
    func_add(fb, "lower", text, 0, lower_impl, 1, T);
    func_add(fb, "initcap", text, 0, initcap_impl, 1, T);
    func_add(fb, "character_length", i4, 0, char_length_impl, 1, T);
    func_add(fb, "octet_length", i4, 0, octet_length_impl, 1, T);
    func_add(fb, "bit_length", i4, 0, bit_length_impl, 1, T);
    func_add(fb, "substring", text, 0, substr3_impl, 3, T, I4, I4);
    func_add(fb, "substring", text, 0, substr2_impl, 2, T, I4);
    func_add(fb, "substr", text, 0, substr3_impl, 3, T, I4, I4);
    func_add(fb, "substr", text, 0, substr2_impl, 2, T, I4);
    func_add(fb, "strpos", i4, 0, strpos_impl, 2, T, T);
    func_add(fb, "position", i4, 0, strpos_impl, 2, T, T);
    func_add(fb, "starts_with", bk_type_of(BK_TYPE_BOOL), 0, starts_with_impl, 2, T, T);
    func_add(fb, "btrim", text, 0, btrim1, 1, T);
    func_add(fb, "btrim", text, 0, btrim2, 2, T, T);
    func_add(fb, "ltrim", text, 0, ltrim1, 1, T);
    func_add(fb, "ltrim", text, 0, ltrim2, 2, T, T);
    func_add(fb, "rtrim", text, 0, rtrim1, 1, T);
    func_add(fb, "rtrim", text, 0, rtrim2, 2, T, T);
    func_add(fb, "left", text, 0, left_impl, 2, T, I4);
    func_add(fb, "right", text, 0, right_impl, 2, T, I4);
    func_add(fb, "replace", text, 0, replace_impl, 3, T, T, T);
    func_add(fb, "split_part", text, 0, split_part_impl, 3, T, T, I4);
    func_add(fb, "lpad", text, 0, lpad2_impl, 2, T, I4);
    func_add(fb, "lpad", text, 0, lpad3_impl, 3, T, I4, T);
    func_add(fb, "rpad", text, 0, rpad2_impl, 2, T, I4);
    func_add(fb, "rpad", text, 0, rpad3_impl, 3, T, I4, T);
    func_add(fb, "repeat", text, 0, repeat_impl, 2, T, I4);
    func_add(fb, "reverse", text, 0, reverse_impl, 1, T);
    func_add(fb, "translate", text, 0, translate_impl, 3, T, T, T);
}
