/* SPDX-License-Identifier: Apache-2.0 */
/*
 * to_char for numbers (int4, int8, float4, float8, numeric) with PostgreSQL 15's number
 * pictures: 9 and 0 digits, . and D decimal point, , and G group separator, S/MI/PL/SG signs,
 * PR angle brackets, FM fill mode, V (times 10^n), EEEE scientific notation, RN roman
 * numerals, TH ordinal suffixes, L currency. The locale is C.UTF-8, whose numeric conventions
 * are PostgreSQL's defaults: '.', ',', '-', '+' and a blank currency symbol.
 *
 * The layout follows formatting.c's NUM_processor: the value is first printed to a digit
 * string rounded to the picture's decimals (numstr), padded on the left to the picture's
 * integer digits (out_pre_spaces), then the picture is walked once, each digit position taking
 * a blank, a zero, a digit or the sign according to fill mode and the position of the first
 * 0. A value with more integer digits than the picture prints as '#'s.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formatting_int.h"

enum num_id {
    NUM_COMMA,
    NUM_DEC,
    NUM_0,
    NUM_9,
    NUM_B,
    NUM_C,
    NUM_D,
    NUM_E,
    NUM_FM,
    NUM_G,
    NUM_L,
    NUM_MI,
    NUM_PL,
    NUM_PR,
    NUM_RN,
    NUM_SG,
    NUM_SP,
    NUM_S,
    NUM_TH,
    NUM_V,
    NUM_rn,
    NUM_th,
};

static const fmt_keyword num_keywords[] = {
    {   ",", 1, NUM_COMMA, false, 0},
    {   ".", 1,   NUM_DEC, false, 0},
    {   "0", 1,     NUM_0, false, 0},
    {   "9", 1,     NUM_9, false, 0},
    {   "B", 1,     NUM_B, false, 0},
    {   "C", 1,     NUM_C, false, 0},
    {   "D", 1,     NUM_D, false, 0},
    {"EEEE", 4,     NUM_E, false, 0},
    {  "FM", 2,    NUM_FM, false, 0},
    {   "G", 1,     NUM_G, false, 0},
    {   "L", 1,     NUM_L, false, 0},
    {  "MI", 2,    NUM_MI, false, 0},
    {  "PL", 2,    NUM_PL, false, 0},
    {  "PR", 2,    NUM_PR, false, 0},
    {  "RN", 2,    NUM_RN, false, 0},
    {  "SG", 2,    NUM_SG, false, 0},
    {  "SP", 2,    NUM_SP, false, 0},
    {   "S", 1,     NUM_S, false, 0},
    {  "TH", 2,    NUM_TH, false, 0},
    {   "V", 1,     NUM_V, false, 0},
    {   "b", 1,     NUM_B, false, 0},
    {   "c", 1,     NUM_C, false, 0},
    {   "d", 1,     NUM_D, false, 0},
    {"eeee", 4,     NUM_E, false, 0},
    {  "fm", 2,    NUM_FM, false, 0},
    {   "g", 1,     NUM_G, false, 0},
    {   "l", 1,     NUM_L, false, 0},
    {  "mi", 2,    NUM_MI, false, 0},
    {  "pl", 2,    NUM_PL, false, 0},
    {  "pr", 2,    NUM_PR, false, 0},
    {  "rn", 2,    NUM_rn, false, 0},
    {  "sg", 2,    NUM_SG, false, 0},
    {  "sp", 2,    NUM_SP, false, 0},
    {   "s", 1,     NUM_S, false, 0},
    {  "th", 2,    NUM_th, false, 0},
    {   "v", 1,     NUM_V, false, 0},
    {  NULL, 0,         0, false, 0},
};

enum {
    F_DECIMAL = 1 << 1,
    F_LDECIMAL = 1 << 2,
    F_ZERO = 1 << 3,
    F_BLANK = 1 << 4,
    F_FILLMODE = 1 << 5,
    F_LSIGN = 1 << 6,
    F_BRACKET = 1 << 7,
    F_MINUS = 1 << 8,
    F_PLUS = 1 << 9,
    F_ROMAN = 1 << 10,
    F_MULTI = 1 << 11,
    F_EEEE = 1 << 14,
};

enum {
    LSIGN_PRE = -1,
    LSIGN_NONE = 0,
    LSIGN_POST = 1,
};

/* What the picture asks for (PostgreSQL's NUMDesc). */
typedef struct num_desc {
    int pre;           /* digit positions before the decimal point */
    int post;          /* digit positions after it */
    int lsign;         /* LSIGN_*: where S goes */
    int flag;          /* F_* */
    int pre_lsign_num; /* pre when S was seen */
    int multi;         /* V's digits */
    int zero_start;    /* 1-based position of the first 0, or 0 */
    int zero_end;      /* position of the last 0 */
} num_desc;

static bk_rc syntax(bk_error *err, const char *msg)
{
    return bk_raise(err, SYNTAX_ERROR, "%s", msg);
}

/* NUMDesc_prepare: accumulate one keyword into the description, rejecting bad combinations. */
static bk_rc desc_add(num_desc *d, const fmt_node *n, bk_error *err)
{
    if (n->type != FN_ACTION) {
        return BK_OK;
    }
    int id = n->key->id;
    if ((d->flag & F_EEEE) && id != NUM_E) {
        return syntax(err, "\"EEEE\" must be the last pattern used");
    }
    switch (id) {
    case NUM_9:
        if (d->flag & F_BRACKET) {
            return syntax(err, "\"9\" must be ahead of \"PR\"");
        }
        if (d->flag & F_MULTI) {
            d->multi++;
        } else if (d->flag & F_DECIMAL) {
            d->post++;
        } else {
            d->pre++;
        }
        break;
    case NUM_0:
        if (d->flag & F_BRACKET) {
            return syntax(err, "\"0\" must be ahead of \"PR\"");
        }
        if (!(d->flag & F_ZERO) && !(d->flag & F_DECIMAL)) {
            d->flag |= F_ZERO;
            d->zero_start = d->pre + 1;
        }
        if (!(d->flag & F_DECIMAL)) {
            d->pre++;
        } else {
            d->post++;
        }
        d->zero_end = d->pre + d->post;
        break;
    case NUM_B:
        if (d->pre == 0 && d->post == 0 && !(d->flag & F_ZERO)) {
            d->flag |= F_BLANK;
        }
        break;
    case NUM_D:
        d->flag |= F_LDECIMAL;
        BK_FALLTHROUGH;
    case NUM_DEC:
        if (d->flag & F_DECIMAL) {
            return syntax(err, "multiple decimal points");
        }
        if (d->flag & F_MULTI) {
            return syntax(err, "cannot use \"V\" and decimal point together");
        }
        d->flag |= F_DECIMAL;
        break;
    case NUM_FM:
        d->flag |= F_FILLMODE;
        break;
    case NUM_S:
        if (d->flag & F_LSIGN) {
            return syntax(err, "cannot use \"S\" twice");
        }
        if (d->flag & (F_PLUS | F_MINUS | F_BRACKET)) {
            return syntax(err, "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together");
        }
        if (!(d->flag & F_DECIMAL)) {
            d->lsign = LSIGN_PRE;
            d->pre_lsign_num = d->pre;
            d->flag |= F_LSIGN;
        } else if (d->lsign == LSIGN_NONE) {
            d->lsign = LSIGN_POST;
            d->flag |= F_LSIGN;
        }
        break;
    case NUM_MI:
        if (d->flag & F_LSIGN) {
            return syntax(err, "cannot use \"S\" and \"MI\" together");
        }
        d->flag |= F_MINUS;
        break;
    case NUM_PL:
        if (d->flag & F_LSIGN) {
            return syntax(err, "cannot use \"S\" and \"PL\" together");
        }
        d->flag |= F_PLUS;
        break;
    case NUM_SG:
        if (d->flag & F_LSIGN) {
            return syntax(err, "cannot use \"S\" and \"SG\" together");
        }
        d->flag |= F_MINUS | F_PLUS;
        break;
    case NUM_PR:
        if (d->flag & (F_LSIGN | F_PLUS | F_MINUS)) {
            return syntax(err, "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together");
        }
        d->flag |= F_BRACKET;
        break;
    case NUM_RN:
    case NUM_rn:
        d->flag |= F_ROMAN;
        break;
    case NUM_V:
        if (d->flag & F_DECIMAL) {
            return syntax(err, "cannot use \"V\" and decimal point together");
        }
        d->flag |= F_MULTI;
        break;
    case NUM_E:
        if (d->flag & F_EEEE) {
            return syntax(err, "cannot use \"EEEE\" twice");
        }
        if (d->flag &
            (F_BLANK | F_FILLMODE | F_LSIGN | F_BRACKET | F_MINUS | F_PLUS | F_ROMAN | F_MULTI)) {
            syntax(err, "\"EEEE\" is incompatible with other formats");
            bk_error_detail(err, "\"EEEE\" may only be used together with digit and decimal "
                                 "point patterns.");
            return BK_ERR;
        }
        d->flag |= F_EEEE;
        break;
    default:
        break;
    }
    return BK_OK;
}

/* ---- the picture walk (to_char half of NUM_processor) --------------------------------------- */

typedef struct num_proc {
    num_desc *d;
    int sign; /* '+' or '-' (0 for roman numerals) */
    bool sign_wrote;
    int num_count;
    bool num_in;
    int num_curr;
    int out_pre_spaces;
    const char *number;
    const char *number_p;
    const char *last_relevant;
    char *out;
    size_t len;
} num_proc;

static void put(num_proc *p, const char *s, size_t n)
{
    memcpy(p->out + p->len, s, n);
    p->len += n;
}

static void putc1(num_proc *p, char c)
{
    p->out[p->len++] = c;
}

/* Last significant digit after the point ("12.0500" -> the 5, "12.000" -> the point). */
static const char *last_relevant_decnum(const char *num)
{
    const char *p = strchr(num, '.');
    if (p == NULL) {
        return NULL;
    }
    const char *r = p;
    while (*++p != '\0') {
        if (*p != '0') {
            r = p;
        }
    }
    return r;
}

static bool predec_space(const num_proc *p)
{
    return !(p->d->flag & F_ZERO) && p->number == p->number_p && *p->number == '0' &&
           p->d->post != 0;
}

static void numpart(num_proc *p, int id)
{
    num_desc *d = p->d;
    if (d->flag & F_ROMAN) {
        return;
    }
    p->num_in = false;
    bool fill = (d->flag & F_FILLMODE) != 0;
    if (!p->sign_wrote &&
        (p->num_curr >= p->out_pre_spaces ||
         ((d->flag & F_ZERO) && d->zero_start == p->num_curr)) &&
        (!predec_space(p) || (p->last_relevant != NULL && *p->last_relevant == '.'))) {
        if (d->flag & F_LSIGN) {
            if (d->lsign == LSIGN_PRE) {
                putc1(p, p->sign == '-' ? '-' : '+');
                p->sign_wrote = true;
            }
        } else if (d->flag & F_BRACKET) {
            putc1(p, p->sign == '+' ? ' ' : '<');
            p->sign_wrote = true;
        } else if (p->sign == '+') {
            if (!fill) {
                putc1(p, ' ');
            }
            p->sign_wrote = true;
        } else if (p->sign == '-') {
            putc1(p, '-');
            p->sign_wrote = true;
        }
    }
    if (id != NUM_9 && id != NUM_0 && id != NUM_D && id != NUM_DEC) {
        p->num_curr++;
        return;
    }
    bool zero = (d->flag & F_ZERO) != 0;
    if (p->num_curr < p->out_pre_spaces && (d->zero_start > p->num_curr || !zero)) {
        if (!fill) {
            putc1(p, ' ');
        }
    } else if (zero && p->num_curr < p->out_pre_spaces && d->zero_start <= p->num_curr) {
        putc1(p, '0');
        p->num_in = true;
    } else {
        if (*p->number_p == '.') {
            if (p->last_relevant == NULL || *p->last_relevant != '.' || fill) {
                putc1(p, '.');
            }
        } else if (p->last_relevant != NULL && p->number_p > p->last_relevant && id != NUM_0) {
            /* trailing zero dropped in fill mode */
        } else if (predec_space(p)) {
            if (!fill) {
                putc1(p, ' ');
            } else if (p->last_relevant != NULL && *p->last_relevant == '.') {
                putc1(p, '0');
            }
        } else {
            putc1(p, *p->number_p);
            p->num_in = true;
        }
        if (*p->number_p != '\0') {
            p->number_p++;
        }
    }
    int end = p->num_count + (p->out_pre_spaces ? 1 : 0) + ((d->flag & F_DECIMAL) ? 1 : 0);
    if (p->last_relevant != NULL && p->last_relevant == p->number_p) {
        end = p->num_curr;
    }
    if (p->num_curr + 1 == end) {
        if (p->sign_wrote && (d->flag & F_BRACKET)) {
            putc1(p, p->sign == '+' ? ' ' : '>');
        } else if ((d->flag & F_LSIGN) && d->lsign == LSIGN_POST) {
            putc1(p, p->sign == '-' ? '-' : '+');
        }
    }
    p->num_curr++;
}

/* The ordinal suffix for the digits in num; PostgreSQL's get_th rejects a non-digit ending. */
static bk_rc ordinal(const char *num, bool upper, const char **out, bk_error *err)
{
    static const char *const lower_th[] = {"st", "nd", "rd", "th"};
    static const char *const upper_th[] = {"ST", "ND", "RD", "TH"};
    size_t n = strlen(num);
    char last = n > 0 ? num[n - 1] : '\0';
    if (last < '0' || last > '9') {
        return bk_raise(err, INVALID_TEXT_REPRESENTATION, "\"%s\" is not a number", num);
    }
    int which = 3;
    if (!(n > 1 && num[n - 2] == '1')) {
        which = last == '1' ? 0 : last == '2' ? 1 : last == '3' ? 2 : 3;
    }
    *out = upper ? upper_th[which] : lower_th[which];
    return BK_OK;
}

/*
 * Lays out `number` with the picture; out must hold the result (see the caller's bound).
 * PostgreSQL builds the result as a C string: a NUL it writes (the end of the digits copied
 * once more, or SG's sign of a roman numeral) ends the text there.
 */
static bk_rc num_layout(const fmt_node *node,
                        num_desc *d,
                        const char *number,
                        int out_pre_spaces,
                        int sign,
                        char *out,
                        size_t *out_len,
                        bk_error *err)
{
    num_proc p;
    memset(&p, 0, sizeof p);
    p.d = d;
    p.number = number;
    p.out = out;
    if (d->zero_start) {
        d->zero_start--;
    }
    if (d->flag & F_EEEE) {
        size_t n = strlen(number);
        memcpy(out, number, n);
        *out_len = n;
        return BK_OK;
    }
    if (d->flag & F_ROMAN) {
        d->lsign = d->pre_lsign_num = d->post = d->pre = 0;
        out_pre_spaces = 0;
        sign = 0;
        d->flag = (d->flag & F_FILLMODE) | F_ROMAN;
    }
    p.sign = sign;
    if (d->flag & (F_PLUS | F_MINUS)) {
        p.sign_wrote = !((d->flag & F_PLUS) && !(d->flag & F_MINUS));
    } else {
        if (p.sign != '-' && (d->flag & F_FILLMODE)) {
            d->flag &= ~F_BRACKET;
        }
        p.sign_wrote = p.sign == '+' && (d->flag & F_FILLMODE) && !(d->flag & F_LSIGN);
        if (d->lsign == LSIGN_PRE && d->pre == d->pre_lsign_num) {
            d->lsign = LSIGN_POST;
        }
    }
    p.num_count = d->post + d->pre - 1;
    p.out_pre_spaces = out_pre_spaces;
    if ((d->flag & F_FILLMODE) && (d->flag & F_DECIMAL)) {
        p.last_relevant = last_relevant_decnum(number);
        /* Zeros of the picture are kept, up to the end of the digits we have. */
        if (p.last_relevant != NULL && d->zero_end > p.out_pre_spaces) {
            int last_zero_pos = (int)strlen(number) - 1;
            last_zero_pos = BK_MIN(last_zero_pos, d->zero_end - p.out_pre_spaces);
            const char *last_zero = number + last_zero_pos;
            if (p.last_relevant < last_zero) {
                p.last_relevant = last_zero;
            }
        }
    }
    if (!p.sign_wrote && p.out_pre_spaces == 0) {
        p.num_count++;
    }
    p.number_p = number;
    bool fill = (d->flag & F_FILLMODE) != 0;
    for (const fmt_node *n = node; n->type != FN_END; n++) {
        if (n->type != FN_ACTION) {
            put(&p, n->ch, strlen(n->ch));
            continue;
        }
        switch (n->key->id) {
        case NUM_9:
        case NUM_0:
        case NUM_DEC:
        case NUM_D:
            numpart(&p, n->key->id);
            break;
        case NUM_COMMA:
        case NUM_G:
            if (!p.num_in) {
                if (!fill) {
                    putc1(&p, ' ');
                }
            } else {
                putc1(&p, ',');
            }
            break;
        case NUM_L:
            putc1(&p, ' ');
            break;
        case NUM_RN:
        case NUM_rn: {
            char tmp[32];
            int w = snprintf(tmp, sizeof tmp, fill ? "%s" : "%15s", p.number_p);
            for (int k = 0; k < w && n->key->id == NUM_rn; k++) {
                if (tmp[k] >= 'A' && tmp[k] <= 'Z') {
                    tmp[k] = (char)(tmp[k] + 32);
                }
            }
            put(&p, tmp, (size_t)w);
            break;
        }
        case NUM_TH:
        case NUM_th: {
            if ((d->flag & F_ROMAN) || *p.number == '#' || p.sign == '-' || (d->flag & F_DECIMAL)) {
                break;
            }
            const char *th;
            if (ordinal(p.number, n->key->id == NUM_TH, &th, err) != BK_OK) {
                return BK_ERR;
            }
            put(&p, th, 2);
            break;
        }
        case NUM_MI:
            if (p.sign == '-') {
                putc1(&p, '-');
            } else if (!fill) {
                putc1(&p, ' ');
            }
            break;
        case NUM_PL:
            if (p.sign == '+') {
                putc1(&p, '+');
            } else if (!fill) {
                putc1(&p, ' ');
            }
            break;
        case NUM_SG:
            putc1(&p, (char)p.sign);
            break;
        default:
            break;
        }
    }
    *out_len = strnlen(out, p.len);
    return BK_OK;
}

/* ---- values to digit strings ---------------------------------------------------------------- */

static void int_to_roman(int64_t v, char *out)
{
    static const char *const rm1[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
    static const char *const rm10[] = {"X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
    static const char *const rm100[] = {"C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
    out[0] = '\0';
    if (v > 3999 || v < 1) {
        memset(out, '#', 15);
        out[15] = '\0';
        return;
    }
    char digits[8];
    int len = snprintf(digits, sizeof digits, "%d", (int)v);
    for (int i = 0; i < len; i++) {
        int num = digits[i] - '1';
        if (num < 0) {
            continue;
        }
        int place = len - i;
        if (place == 4) {
            for (int k = 0; k <= num; k++) {
                strcat(out, "M");
            }
        } else {
            strcat(out, (place == 3 ? rm100 : place == 2 ? rm10 : rm1)[num]);
        }
    }
}

/* '#' * (pre + post + 1) with '.' after the integer positions. */
static char *overflow_str(const bk_eval_ctx *ctx, const num_desc *d)
{
    size_t n = (size_t)(d->pre + d->post + 1);
    char *s = bk_arena_alloc(ctx->arena, n + 1);
    if (s != NULL) {
        memset(s, '#', n);
        s[d->pre] = '.';
        s[n] = '\0';
    }
    return s;
}

/* Sets sign and out_pre_spaces from a printed unsigned number, or swaps in the overflow mark. */
static char *fit_digits(const bk_eval_ctx *ctx, char *numstr, const num_desc *d, int *pre_spaces)
{
    char *dot = strchr(numstr, '.');
    int pre_len = dot != NULL ? (int)(dot - numstr) : (int)strlen(numstr);
    if (pre_len < d->pre) {
        *pre_spaces = d->pre - pre_len;
    } else if (pre_len > d->pre) {
        return overflow_str(ctx, d);
    }
    return numstr;
}

/* Scientific notation of v / 10^scale with `post` decimals, as numeric_out_sci. */
static bk_rc
numeric_sci(const bk_eval_ctx *ctx, bk_i128 v, int scale, int post, char **out, bk_error *err)
{
    int exponent = 0;
    if (v != 0) {
        /* PostgreSQL derives the exponent from the leading base-10000 digit: same value. */
        exponent = bk_numeric_digits(v) - 1 - scale;
    }
    /* significand = round(v / 10^(scale + exponent), post) */
    bk_i128 sig;
    int shift = post - scale - exponent;
    bool neg = v < 0;
    bk_i128 a = neg ? -v : v;
    if (shift >= 0) {
        if (shift > 38 || __builtin_mul_overflow(a, bk_pow10_i128(shift), &sig)) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        }
    } else if (bk_numeric_rescale(a, -shift, 0, &sig, err) != BK_OK) {
        return BK_ERR;
    }
    char digits[BK_FORMAT_MAX];
    size_t n = bk_format_numeric(neg ? -sig : sig, post, digits);
    *out = bk_arena_sprintf(ctx->arena, "%.*se%+03d", (int)n, digits, exponent);
    return *out == NULL ? func_oom(err) : BK_OK;
}

static bk_rc too_long_picture(bk_error *err)
{
    return bk_raise(err, PROGRAM_LIMIT_EXCEEDED, "requested length too large");
}

/* Lays numstr out with the picture into a new arena string. */
static bk_rc layout_into(const bk_eval_ctx *ctx,
                         const fmt_node *nodes,
                         num_desc *d,
                         const char *numstr,
                         int pre_spaces,
                         int sign,
                         bk_str *out,
                         bk_error *err)
{
    /* Each node writes at most 16 bytes (RN writes 15); EEEE writes numstr itself. */
    size_t n_nodes = 0;
    while (nodes[n_nodes].type != FN_END) {
        n_nodes++;
    }
    size_t cap = n_nodes * 16 + strlen(numstr) + 16;
    char *buf = bk_arena_alloc(ctx->arena, cap);
    if (buf == NULL) {
        return func_oom(err);
    }
    size_t len;
    if (num_layout(nodes, d, numstr, pre_spaces, sign, buf, &len, err) != BK_OK) {
        return BK_ERR;
    }
    BK_ASSERT(len <= cap);
    *out = (bk_str){buf, len};
    return BK_OK;
}

/*
 * printf("%.*f") as PostgreSQL's own snprintf does it: NaN and infinities are spelled "NaN",
 * "Infinity" and "-Infinity" (glibc would print "nan" and "inf").
 */
static int pg_fixed(char *buf, size_t cap, int prec, double x)
{
    if (isnan(x)) {
        return snprintf(buf, cap, "NaN");
    }
    if (isinf(x)) {
        return snprintf(buf, cap, "%s", x < 0 ? "-Infinity" : "Infinity");
    }
    return snprintf(buf, cap, "%.*f", prec, x);
}

typedef enum num_src {
    NS_INT4,
    NS_INT8,
    NS_FLOAT4,
    NS_FLOAT8,
    NS_NUMERIC,
} num_src;

/* Builds the digit string for row i of `v` and lays it out with the picture. */
static bk_rc to_char_one(const bk_eval_ctx *ctx,
                         const bk_vec *v,
                         uint32_t i,
                         num_src src,
                         const fmt_node *nodes,
                         num_desc d,
                         bk_str *out,
                         bk_error *err)
{
    char *numstr = NULL;
    int sign = 0, pre_spaces = 0;
    char buf[512];
    if (d.flag & F_ROMAN) {
        int64_t iv = INT32_MAX;
        switch (src) {
        case NS_INT4:
            iv = ((const int32_t *)v->data)[i];
            break;
        case NS_INT8: {
            /* PostgreSQL 15 converts with int84: out of range is an error. */
            int64_t x = ((const int64_t *)v->data)[i];
            if (x > INT32_MAX || x < INT32_MIN) {
                return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
            }
            iv = x;
            break;
        }
        case NS_FLOAT4:
        case NS_FLOAT8: {
            double x = src == NS_FLOAT4 ? (double)((const float *)v->data)[i]
                                        : ((const double *)v->data)[i];
            x = src == NS_FLOAT4 ? (double)rintf((float)x) : rint(x);
            iv = !isnan(x) && x >= -2147483648.0 && x < 2147483648.0 ? (int64_t)x : INT32_MAX;
            break;
        }
        case NS_NUMERIC: {
            /* numeric_int4: rounded half away from zero, then range-checked. */
            bk_i128 r;
            if (bk_numeric_rescale(((const bk_i128 *)v->data)[i], v->scale[i], 0, &r, err) !=
                BK_OK) {
                return BK_ERR;
            }
            if (r > INT32_MAX || r < INT32_MIN) {
                return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
            }
            iv = (int64_t)r;
            break;
        }
        }
        int_to_roman(iv, buf);
        numstr = buf;
    } else if (d.flag & F_EEEE) {
        if (src == NS_NUMERIC || src == NS_INT8) {
            bk_i128 x = src == NS_NUMERIC ? ((const bk_i128 *)v->data)[i]
                                          : (bk_i128)((const int64_t *)v->data)[i];
            int scale = src == NS_NUMERIC ? v->scale[i] : 0;
            char *sci;
            if (numeric_sci(ctx, x, scale, d.post, &sci, err) != BK_OK) {
                return BK_ERR;
            }
            if (*sci != '-') {
                numstr = bk_arena_sprintf(ctx->arena, " %s", sci);
            } else {
                numstr = sci;
            }
        } else {
            double x = src == NS_INT4     ? (double)((const int32_t *)v->data)[i]
                       : src == NS_FLOAT4 ? (double)((const float *)v->data)[i]
                                          : ((const double *)v->data)[i];
            if (isnan(x) || isinf(x)) {
                size_t len = (size_t)(d.pre + d.post + 6);
                numstr = bk_arena_alloc(ctx->arena, len + 1);
                if (numstr != NULL) {
                    memset(numstr, '#', len);
                    numstr[0] = ' ';
                    numstr[d.pre + 1] = '.';
                    numstr[len] = '\0';
                }
            } else {
                numstr = bk_arena_sprintf(ctx->arena, "%+.*e", d.post, x);
                if (numstr != NULL && *numstr == '+') {
                    *numstr = ' ';
                }
            }
        }
    } else if (src == NS_NUMERIC) {
        bk_i128 x = ((const bk_i128 *)v->data)[i];
        int scale = v->scale[i];
        if (d.flag & F_MULTI) {
            /* value * 10^multi, exactly. */
            if (d.multi > 38) {
                return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
            }
            if (scale >= d.multi) {
                scale -= d.multi;
            } else {
                if (bk_numeric_rescale(x, 0, d.multi - scale, &x, err) != BK_OK) {
                    return BK_ERR;
                }
                scale = 0;
            }
            d.pre += d.multi;
        }
        bk_i128 r;
        if (d.post > BK_NUMERIC_MAX_SCALE) {
            return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        }
        if (bk_numeric_rescale(x, scale, d.post, &r, err) != BK_OK) {
            return BK_ERR;
        }
        size_t n = bk_format_numeric(r, d.post, buf);
        buf[n] = '\0';
        sign = buf[0] == '-' ? '-' : '+';
        numstr = fit_digits(ctx, buf[0] == '-' ? buf + 1 : buf, &d, &pre_spaces);
    } else if (src == NS_INT4 || src == NS_INT8) {
        int64_t x = src == NS_INT4 ? ((const int32_t *)v->data)[i] : ((const int64_t *)v->data)[i];
        if ((d.flag & F_MULTI) && src == NS_INT4) {
            /*
             * PostgreSQL 15 multiplies in int32, wrapping (-fwrapv), by (int32) pow(10, n),
             * which x86 makes INT_MIN from 10^10 on.
             */
            int m = 1;
            for (int k = 0; k < d.multi && k < 10; k++) {
                m = func_wrap_mul(m, 10);
            }
            if (d.multi >= 10) {
                m = INT32_MIN;
            }
            x = func_wrap_mul((int)x, m);
            d.pre += d.multi;
        } else if (d.flag & F_MULTI) {
            int64_t m = 1;
            for (int k = 0; k < d.multi && k < 19; k++) {
                m *= 10;
            }
            if (__builtin_mul_overflow(x, m, &x) || d.multi > 18) {
                return bk_raise(err, NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
            }
            d.pre += d.multi;
        }
        char digits[32];
        int n = snprintf(digits, sizeof digits, "%lld", (long long)x);
        const char *body = digits;
        sign = '+';
        if (digits[0] == '-') {
            sign = '-';
            body++;
            n--;
        }
        if (d.post > 0) {
            if ((size_t)(n + d.post + 2) > sizeof buf) {
                return too_long_picture(err);
            }
            memcpy(buf, body, (size_t)n);
            buf[n] = '.';
            memset(buf + n + 1, '0', (size_t)d.post);
            buf[n + 1 + d.post] = '\0';
        } else {
            memcpy(buf, body, (size_t)n + 1);
        }
        /* Integers compare their digit count, not counting the zero-filled decimals. */
        if (n < d.pre) {
            pre_spaces = d.pre - n;
            numstr = buf;
        } else if (n > d.pre) {
            numstr = overflow_str(ctx, &d);
        } else {
            numstr = buf;
        }
    } else {
        bool f4 = src == NS_FLOAT4;
        double x = f4 ? (double)((const float *)v->data)[i] : ((const double *)v->data)[i];
        if (d.flag & F_MULTI) {
            if (f4) {
                float m = (float)pow(10.0, (double)d.multi);
                x = (double)((const float *)v->data)[i] * m;
                x = (double)(float)x;
            } else {
                x *= pow(10.0, (double)d.multi);
            }
            d.pre += d.multi;
        }
        int digits_max = f4 ? FLT_DIG : DBL_DIG;
        char tmp[512];
        int pre_len = pg_fixed(tmp, sizeof tmp, 0, fabs(x));
        if (pre_len >= digits_max) {
            d.post = 0;
        } else if (pre_len + d.post > digits_max) {
            d.post = digits_max - pre_len;
        }
        (void)pg_fixed(buf, sizeof buf, d.post, x);
        sign = buf[0] == '-' ? '-' : '+';
        numstr = fit_digits(ctx, buf[0] == '-' ? buf + 1 : buf, &d, &pre_spaces);
    }
    if (numstr == NULL) {
        return func_oom(err);
    }
    return layout_into(ctx, nodes, &d, numstr, pre_spaces, sign, out, err);
}

static bk_rc to_char_num_apply(const bk_eval_ctx *ctx,
                               const bk_vec *args,
                               uint32_t n,
                               bk_vec *out,
                               num_src src,
                               bk_error *err)
{
    fmt_cache pc = {0};
    num_desc desc;
    const fmt_node *desc_nodes = NULL; /* the picture `desc` describes */
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str fmt = func_str(&args[1], i);
        if (fmt.len == 0) {
            ((bk_str *)out->data)[i] = (bk_str){"", 0};
            continue;
        }
        fmt_node *nodes = fmt_cached_picture(ctx, &pc, fmt, num_keywords, false, err);
        if (nodes == NULL) {
            return BK_ERR;
        }
        if (nodes != desc_nodes) {
            memset(&desc, 0, sizeof desc);
            for (const fmt_node *k = nodes; k->type != FN_END; k++) {
                if (desc_add(&desc, k, err) != BK_OK) {
                    return BK_ERR;
                }
            }
            desc_nodes = nodes;
        }
        num_desc d = desc;
        if (to_char_one(ctx, &args[0], i, src, nodes, d, &((bk_str *)out->data)[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

#define TO_CHAR_IMPL(NAME, SRC)                          \
 static bk_rc NAME(FUNC_ARGS)                            \
 {                                                       \
  (void)call;                                            \
  return to_char_num_apply(ctx, args, n, out, SRC, err); \
 }

TO_CHAR_IMPL(to_char_i4, NS_INT4)
TO_CHAR_IMPL(to_char_i8, NS_INT8)
TO_CHAR_IMPL(to_char_f4, NS_FLOAT4)
TO_CHAR_IMPL(to_char_f8, NS_FLOAT8)
TO_CHAR_IMPL(to_char_num, NS_NUMERIC)

void bk_func_register_to_char_num(func_builder *fb)
{
    bk_type text = bk_type_of(BK_TYPE_TEXT);
    const bk_type_id T = BK_TYPE_TEXT;
    func_add(fb, "to_char", text, 0, to_char_f8, 2, BK_TYPE_FLOAT8, T);
    func_add(fb, "to_char", text, 0, to_char_f4, 2, BK_TYPE_FLOAT4, T);
    func_add(fb, "to_char", text, 0, to_char_num, 2, BK_TYPE_NUMERIC, T);
    func_add(fb, "to_char", text, 0, to_char_i4, 2, BK_TYPE_INT4, T);
    func_add(fb, "to_char", text, 0, to_char_i8, 2, BK_TYPE_INT8, T);
}
