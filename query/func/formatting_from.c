/* SPDX-License-Identifier: Apache-2.0 */
/*
 * to_date and to_timestamp(text, text): the input is read with a datetime picture, as
 * PostgreSQL 15's DCH_from_char and do_to_timestamp do. Outside FX mode, spaces are skipped
 * before fields, one separator in the picture matches one separator or space in the input (or
 * none), and a literal consumes one character whatever it is; numeric fields take their width
 * unless FM is given or the next picture node cannot start with a digit. Fields that conflict
 * (YYYY twice with different values, Gregorian and ISO-week fields mixed) are errors, as are
 * out-of-range fields (22008) and TZ/OF, which PostgreSQL 15 supports only in to_char.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formatting_int.h"

/* ---- to_date / to_timestamp ----------------------------------------------------------------- */

/* Fields read from the input string (PostgreSQL's TmFromChar); 0 means "not given". */
typedef struct tm_from_char {
    int mode;
    int hh, pm, mi, ss, ssss, d, dd, ddd, mm, ms, year, bc, ww, w, cc, j, us;
    int yysz; /* digits of the year field: YYYY = 4, YY = 2, ... */
    bool clock12;
    int tzsign, tzh, tzm;
    int ff; /* FFn precision */
} tm_from_char;

static bk_rc conflicting(bk_error *err, const fmt_node *n)
{
    bk_raise(err, INVALID_DATETIME_FORMAT,
             "conflicting values for \"%s\" field in formatting string", n->key->name);
    bk_error_detail(err, "This value contradicts a previous setting for the same field type.");
    return BK_ERR;
}

static bk_rc set_int(int *dest, int value, const fmt_node *n, bk_error *err)
{
    if (*dest != 0 && *dest != value) {
        return conflicting(err, n);
    }
    *dest = value;
    return BK_OK;
}

/* Whether the node after n cannot start with a digit, so a number may run freely. */
static bool next_is_separator(const fmt_node *n)
{
    if (n->type == FN_END) {
        return false;
    }
    if (n->type == FN_ACTION && (n->suffix & (FMT_S_TH | FMT_S_th))) {
        return true;
    }
    n++;
    if (n->type == FN_END) {
        return true;
    }
    if (n->type == FN_ACTION) {
        return !n->key->is_digit;
    }
    if (n->ch[1] == '\0' && isdigit((unsigned char)n->ch[0])) {
        return false;
    }
    return true;
}

static size_t space_len(const char *s)
{
    size_t k = 0;
    while (s[k] != '\0' && isspace((unsigned char)s[k])) {
        k++;
    }
    return k;
}

/*
 * Reads an integer field of `len` characters (any number of them in fill mode or before a
 * non-digit). Returns the characters consumed, or -1 with err set.
 */
static int parse_int_len(int *dest, const char **src, int len, const fmt_node *n, bk_error *err)
{
    const char *init = *src;
    *src += space_len(*src);
    char copy[16];
    size_t avail = strnlen(*src, (size_t)len);
    memcpy(copy, *src, avail);
    copy[avail] = '\0';
    int used = (int)avail;
    long result;
    errno = 0;
    if ((n->suffix & FMT_S_FM) || next_is_separator(n)) {
        char *end;
        result = strtol(init, &end, 10);
        *src = end;
    } else {
        if (used < len) {
            bk_raise(err, INVALID_DATETIME_FORMAT,
                     "source string too short for \"%s\" formatting field", n->key->name);
            bk_error_detail(err, "Field requires %d characters, but only %d remain.", len, used);
            bk_error_hint(
                err, "If your source string is not fixed-width, try using the \"FM\" modifier.");
            return -1;
        }
        char *last;
        result = strtol(copy, &last, 10);
        used = (int)(last - copy);
        if (used > 0 && used < len) {
            bk_raise(err, INVALID_DATETIME_FORMAT, "invalid value \"%s\" for \"%s\"", copy,
                     n->key->name);
            bk_error_detail(err, "Field requires %d characters, but only %d could be parsed.", len,
                            used);
            bk_error_hint(
                err, "If your source string is not fixed-width, try using the \"FM\" modifier.");
            return -1;
        }
        *src += used;
    }
    if (*src == init) {
        bk_raise(err, INVALID_DATETIME_FORMAT, "invalid value \"%s\" for \"%s\"", copy,
                 n->key->name);
        bk_error_detail(err, "Value must be an integer.");
        return -1;
    }
    if (errno == ERANGE || result < INT32_MIN || result > INT32_MAX) {
        bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE,
                 "value for \"%s\" in source string is out of range", n->key->name);
        bk_error_detail(err, "Value must be in the range %d to %d.", INT32_MIN, INT32_MAX);
        return -1;
    }
    if (dest != NULL && set_int(dest, (int)result, n, err) != BK_OK) {
        return -1;
    }
    return (int)(*src - init);
}

static int parse_int(int *dest, const char **src, const fmt_node *n, bk_error *err)
{
    return parse_int_len(dest, src, n->key->len, n, err);
}

static bool ascii_prefix_ieq(const char *s, const char *name, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        char a = s[k], b = name[k];
        if (a == '\0') {
            return false;
        }
        a = (a >= 'A' && a <= 'Z') ? (char)(a + 32) : a;
        b = (b >= 'A' && b <= 'Z') ? (char)(b + 32) : b;
        if (a != b) {
            return false;
        }
    }
    return true;
}

/* Case-insensitive (ASCII) match of one of `names` at *src; the first listed wins. */
static bk_rc
seq_search(int *dest, const char **src, const char *const *names, const fmt_node *n, bk_error *err)
{
    const char *s = *src;
    for (int i = 0; names[i] != NULL && *s != '\0'; i++) {
        size_t len = strlen(names[i]);
        if (ascii_prefix_ieq(s, names[i], len)) {
            *dest = i;
            *src += len;
            return BK_OK;
        }
    }
    size_t word = 0;
    while (s[word] != '\0' && !isspace((unsigned char)s[word])) {
        word++;
    }
    bk_raise(err, INVALID_DATETIME_FORMAT, "invalid value \"%.*s\" for \"%s\"", (int)word, s,
             n->key->name);
    bk_error_detail(err, "The given value did not match any of the allowed values for this field.");
    return BK_ERR;
}

static void skip_th(const char **s, int suffix)
{
    if (suffix & (FMT_S_TH | FMT_S_th)) {
        for (int k = 0; k < 2 && **s != '\0'; k++) {
            *s += fmt_utf8_len(*s);
        }
    }
}

static int adjust_partial_year(int year)
{
    if (year < 70) {
        return year + 2000;
    }
    if (year < 100) {
        return year + 1900;
    }
    if (year < 520) {
        return year + 2000;
    }
    if (year < 1000) {
        return year + 1000;
    }
    return year;
}

static bk_rc from_char(const fmt_node *node, const char *in, tm_from_char *out, bk_error *err)
{
    static const char *const ampm[] = {"am", "pm", "AM", "PM", NULL};
    static const char *const ampm_long[] = {"a.m.", "p.m.", "A.M.", "P.M.", NULL};
    static const char *const adbc[] = {"ad", "bc", "AD", "BC", NULL};
    static const char *const adbc_long[] = {"a.d.", "b.c.", "A.D.", "B.C.", NULL};
    const char *s = in;
    bool fx = false;
    int extra_skip = 0;
    const fmt_node *n;
    for (n = node; n->type != FN_END && *s != '\0'; n++) {
        /* Outside FX mode, leading spaces and spaces before fields are skipped. */
        if (!fx && !(n->type == FN_ACTION && n->key->id == DCH_FX) &&
            (n->type == FN_ACTION || n == node)) {
            while (*s != '\0' && isspace((unsigned char)*s)) {
                s++;
                extra_skip++;
            }
        }
        if (n->type == FN_SPACE || n->type == FN_SEPARATOR) {
            if (!fx) {
                /* One separator or space matches one, or nothing. */
                extra_skip--;
                if (isspace((unsigned char)*s) || fmt_is_separator(s)) {
                    s++;
                    extra_skip++;
                }
            } else {
                s += fmt_utf8_len(s);
            }
            continue;
        }
        if (n->type != FN_ACTION) {
            /* A literal consumes one input character (matching or not). */
            if (!fx && extra_skip > 0) {
                extra_skip--;
            } else {
                s += fmt_utf8_len(s);
            }
            continue;
        }
        int mode = n->key->date_mode;
        if (mode != FMT_MODE_NONE) {
            if (out->mode == FMT_MODE_NONE) {
                out->mode = mode;
            } else if (out->mode != mode) {
                bk_raise(err, INVALID_DATETIME_FORMAT, "invalid combination of date conventions");
                bk_error_hint(err, "Do not mix Gregorian and ISO week date conventions in a "
                                   "formatting template.");
                return BK_ERR;
            }
        }
        int value, len;
        int id = n->key->id;
        switch (id) {
        case DCH_FX:
            fx = true;
            break;
        case DCH_A_M:
        case DCH_P_M:
        case DCH_a_m:
        case DCH_p_m:
        case DCH_AM:
        case DCH_PM:
        case DCH_am:
        case DCH_pm: {
            bool lng = id == DCH_A_M || id == DCH_P_M || id == DCH_a_m || id == DCH_p_m;
            if (seq_search(&value, &s, lng ? ampm_long : ampm, n, err) != BK_OK ||
                set_int(&out->pm, value % 2, n, err) != BK_OK) {
                return BK_ERR;
            }
            out->clock12 = true;
            break;
        }
        case DCH_HH:
        case DCH_HH12:
        case DCH_HH24:
            if (parse_int_len(&out->hh, &s, 2, n, err) < 0) {
                return BK_ERR;
            }
            if (id != DCH_HH24) {
                out->clock12 = true;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_MI:
            if (parse_int(&out->mi, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_SS:
            if (parse_int(&out->ss, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_MS:
            len = parse_int_len(&out->ms, &s, 3, n, err);
            if (len < 0) {
                return BK_ERR;
            }
            /* 25 is 0.25 s and so is 250; 025 is 0.025 s. */
            out->ms *= len == 1 ? 100 : len == 2 ? 10 : 1;
            skip_th(&s, n->suffix);
            break;
        case DCH_FF1:
        case DCH_FF2:
        case DCH_FF3:
        case DCH_FF4:
        case DCH_FF5:
        case DCH_FF6:
        case DCH_US: {
            if (id != DCH_US) {
                out->ff = id - DCH_FF1 + 1;
            }
            len = parse_int_len(&out->us, &s, id == DCH_US ? 6 : out->ff, n, err);
            if (len < 0) {
                return BK_ERR;
            }
            static const int scale[] = {1, 100000, 10000, 1000, 100, 10, 1};
            out->us *= scale[len > 6 ? 6 : len];
            skip_th(&s, n->suffix);
            break;
        }
        case DCH_SSSSS:
        case DCH_SSSS:
            if (parse_int(&out->ssss, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_tz:
        case DCH_TZ:
        case DCH_OF:
            return bk_raise(err, FEATURE_NOT_SUPPORTED,
                            "formatting field \"%s\" is only supported in to_char", n->key->name);
        case DCH_TZH:
            /* A minus swallowed as a separator belongs to the hour. */
            if (*s == '+' || *s == '-' || *s == ' ') {
                out->tzsign = *s == '-' ? -1 : +1;
                s++;
            } else {
                out->tzsign = (extra_skip > 0 && s > in && s[-1] == '-') ? -1 : +1;
            }
            if (parse_int_len(&out->tzh, &s, 2, n, err) < 0) {
                return BK_ERR;
            }
            break;
        case DCH_TZM:
            if (out->tzsign == 0) {
                out->tzsign = +1;
            }
            if (parse_int_len(&out->tzm, &s, 2, n, err) < 0) {
                return BK_ERR;
            }
            break;
        case DCH_A_D:
        case DCH_B_C:
        case DCH_a_d:
        case DCH_b_c:
        case DCH_AD:
        case DCH_BC:
        case DCH_ad:
        case DCH_bc: {
            bool lng = id == DCH_A_D || id == DCH_B_C || id == DCH_a_d || id == DCH_b_c;
            if (seq_search(&value, &s, lng ? adbc_long : adbc, n, err) != BK_OK ||
                set_int(&out->bc, value % 2, n, err) != BK_OK) {
                return BK_ERR;
            }
            break;
        }
        case DCH_MONTH:
        case DCH_Month:
        case DCH_month:
            if (seq_search(&value, &s, fmt_months_full, n, err) != BK_OK ||
                set_int(&out->mm, value + 1, n, err) != BK_OK) {
                return BK_ERR;
            }
            break;
        case DCH_MON:
        case DCH_Mon:
        case DCH_mon:
            if (seq_search(&value, &s, fmt_months_short, n, err) != BK_OK ||
                set_int(&out->mm, value + 1, n, err) != BK_OK) {
                return BK_ERR;
            }
            break;
        case DCH_MM:
            if (parse_int(&out->mm, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_DAY:
        case DCH_Day:
        case DCH_day:
        case DCH_DY:
        case DCH_Dy:
        case DCH_dy: {
            bool full = id == DCH_DAY || id == DCH_Day || id == DCH_day;
            if (seq_search(&value, &s, full ? fmt_days_full : fmt_days_short, n, err) != BK_OK ||
                set_int(&out->d, value, n, err) != BK_OK) {
                return BK_ERR;
            }
            out->d++;
            break;
        }
        case DCH_DDD:
            if (parse_int(&out->ddd, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_IDDD:
            if (parse_int_len(&out->ddd, &s, 3, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_DD:
            if (parse_int(&out->dd, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_D:
            if (parse_int(&out->d, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_ID:
            if (parse_int_len(&out->d, &s, 1, n, err) < 0) {
                return BK_ERR;
            }
            /* ISO Monday = 1 .. Sunday = 7 to Gregorian Sunday = 1. */
            if (++out->d > 7) {
                out->d = 1;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_WW:
        case DCH_IW:
            if (parse_int(&out->ww, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_Q:
            /* Parsed but ignored, as PostgreSQL does: the month decides. */
            if (parse_int(NULL, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_CC:
            if (parse_int(&out->cc, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_Y_YYY: {
            int millennia, years, nch = 0;
            if (sscanf(s, "%d,%03d%n", &millennia, &years, &nch) < 2) {
                return bk_raise(err, INVALID_DATETIME_FORMAT, "invalid input string for \"Y,YYY\"");
            }
            int64_t y = (int64_t)millennia * 1000 + years;
            if (y < INT32_MIN || y > INT32_MAX) {
                return bk_raise(err, DATETIME_FIELD_OVERFLOW,
                                "value for \"Y,YYY\" in source string is out of range");
            }
            if (set_int(&out->year, (int)y, n, err) != BK_OK) {
                return BK_ERR;
            }
            out->yysz = 4;
            s += nch;
            skip_th(&s, n->suffix);
            break;
        }
        case DCH_YYYY:
        case DCH_IYYY:
            if (parse_int(&out->year, &s, n, err) < 0) {
                return BK_ERR;
            }
            out->yysz = 4;
            skip_th(&s, n->suffix);
            break;
        case DCH_YYY:
        case DCH_IYY:
        case DCH_YY:
        case DCH_IY:
        case DCH_Y:
        case DCH_I:
            len = parse_int(&out->year, &s, n, err);
            if (len < 0) {
                return BK_ERR;
            }
            if (len < 4) {
                out->year = adjust_partial_year(out->year);
            }
            out->yysz = (id == DCH_YYY || id == DCH_IYY) ? 3
                        : (id == DCH_YY || id == DCH_IY) ? 2
                                                         : 1;
            skip_th(&s, n->suffix);
            break;
        case DCH_RM:
        case DCH_rm:
            if (seq_search(&value, &s, fmt_rm_lower, n, err) != BK_OK ||
                set_int(&out->mm, 12 - value, n, err) != BK_OK) {
                return BK_ERR;
            }
            break;
        case DCH_W:
            if (parse_int(&out->w, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        case DCH_J:
            if (parse_int(&out->j, &s, n, err) < 0) {
                return BK_ERR;
            }
            skip_th(&s, n->suffix);
            break;
        default:
            break;
        }
        /* Spaces after a field are skipped, and counted. */
        if (!fx) {
            extra_skip = 0;
            while (*s != '\0' && isspace((unsigned char)*s)) {
                s++;
                extra_skip++;
            }
        }
    }
    return BK_OK;
}

static bk_rc field_overflow(bk_error *err, const char *input)
{
    return bk_raise(err, DATETIME_FIELD_OVERFLOW, "date/time field value out of range: \"%s\"",
                    input);
}

/*
 * do_to_timestamp: parse `input` with `fmt` into broken-down fields, microseconds, a zone
 * offset in seconds (east of UTC) and the FFn precision.
 */
static bk_rc to_timestamp_fields(const bk_eval_ctx *ctx,
                                 fmt_cache *pc,
                                 bk_str input,
                                 bk_str fmt,
                                 func_tm *tm,
                                 int64_t *out_usec,
                                 int *gmtoff,
                                 int *fprec,
                                 const char **input_z,
                                 bk_error *err)
{
    char *in = bk_arena_strndup(ctx->arena, input.ptr, input.len);
    if (in == NULL) {
        return func_oom(err);
    }
    *input_z = in;
    tm_from_char f;
    memset(&f, 0, sizeof f);
    memset(tm, 0, sizeof *tm);
    tm->mday = tm->mon = 1;
    int64_t usec = 0;
    bool has_year = false, has_mon = false, has_day = false;
    if (fmt.len > 0) {
        fmt_node *nodes = fmt_cached_picture(ctx, pc, fmt, fmt_dch_keywords, true, err);
        if (nodes == NULL || from_char(nodes, in, &f, err) != BK_OK) {
            return BK_ERR;
        }
    }
    if (f.ssss) {
        int x = f.ssss;
        tm->hour = x / 3600;
        x %= 3600;
        tm->min = x / 60;
        tm->sec = x % 60;
    }
    if (f.ss) {
        tm->sec = f.ss;
    }
    if (f.mi) {
        tm->min = f.mi;
    }
    if (f.hh) {
        tm->hour = f.hh;
    }
    if (f.clock12) {
        if (tm->hour < 1 || tm->hour > 12) {
            bk_raise(err, INVALID_DATETIME_FORMAT, "hour \"%d\" is invalid for the 12-hour clock",
                     tm->hour);
            bk_error_hint(err, "Use the 24-hour clock, or give an hour between 1 and 12.");
            return BK_ERR;
        }
        if (f.pm && tm->hour < 12) {
            tm->hour += 12;
        } else if (!f.pm && tm->hour == 12) {
            tm->hour = 0;
        }
    }
    /* PostgreSQL 15 computes the year in int without overflow checks: it wraps (-fwrapv). */
    int year = 0;
    if (f.year) {
        /* With CC and a 1- or 2-digit year, the year is within the given century. */
        if (f.cc && f.yysz <= 2) {
            int cc = f.bc ? func_wrap_sub(0, f.cc) : f.cc;
            year = f.year % 100;
            if (year) {
                year = cc >= 0
                           ? func_wrap_add(year, func_wrap_mul(func_wrap_sub(cc, 1), 100))
                           : func_wrap_add(
                                 func_wrap_sub(func_wrap_mul(func_wrap_add(cc, 1), 100), year), 1);
            } else {
                year = func_wrap_add(func_wrap_mul(cc, 100), cc >= 0 ? 0 : 1);
            }
        } else {
            year = f.bc ? func_wrap_sub(0, f.year) : f.year;
            if (year < 0) {
                year++;
            }
        }
        has_year = true;
    } else if (f.cc) {
        int cc = f.bc ? func_wrap_sub(0, f.cc) : f.cc;
        year = cc >= 0 ? func_wrap_add(func_wrap_mul(func_wrap_sub(cc, 1), 100), 1)
                       : func_wrap_add(func_wrap_mul(cc, 100), 1);
        has_year = true;
    }
    tm->year = year;
    if (f.j) {
        func_j2date(f.j, &tm->year, &tm->mon, &tm->mday);
        has_year = has_mon = has_day = true;
    }
    if (f.ww) {
        if (f.mode == FMT_MODE_ISOWEEK) {
            int jd = func_isoweek2j(tm->year, f.ww);
            if (f.d) {
                /* Gregorian day numbering (Sunday = 1) to ISO (Monday first). */
                jd = func_wrap_add(jd, f.d > 1 ? func_wrap_add(f.d, -2) : 6);
            }
            func_j2date(jd, &tm->year, &tm->mon, &tm->mday);
            has_year = has_mon = has_day = true;
        } else {
            f.ddd = func_wrap_add(func_wrap_mul(func_wrap_add(f.ww, -1), 7), 1);
        }
    }
    if (f.w) {
        f.dd = func_wrap_add(func_wrap_mul(func_wrap_add(f.w, -1), 7), 1);
    }
    if (f.dd) {
        tm->mday = f.dd;
        has_day = true;
    }
    if (f.mm) {
        tm->mon = f.mm;
        has_mon = true;
    }
    if (f.ddd && (tm->mon <= 1 || tm->mday <= 1)) {
        if (tm->year == 0 && !f.bc) {
            return bk_raise(err, INVALID_DATETIME_FORMAT,
                            "cannot calculate day of year without year information");
        }
        if (f.mode == FMT_MODE_ISOWEEK) {
            int j0 = func_wrap_add(func_isoweek2j(tm->year, 1), -1);
            func_j2date(func_wrap_add(j0, f.ddd), &tm->year, &tm->mon, &tm->mday);
            has_year = has_mon = has_day = true;
        } else {
            static const int ysum[2][13] = {
                {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
                {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}
            };
            const int *y = ysum[func_is_leap(tm->year)];
            int m = 1;
            while (m <= 12 && f.ddd > y[m]) {
                m++;
            }
            /* Past the year's end m is 13: ValidateDate below rejects that month. */
            if (tm->mon <= 1) {
                tm->mon = m;
            }
            if (tm->mday <= 1) {
                tm->mday = func_wrap_add(f.ddd, -y[m - 1]);
            }
            has_mon = has_day = true;
        }
    }
    usec = (int64_t)f.ms * 1000 + f.us;
    *fprec = f.ff;
    /* ValidateDate for the fields given; the year was already adjusted for BC. */
    if (has_mon && (tm->mon < 1 || tm->mon > 12)) {
        return field_overflow(err, in);
    }
    if (has_day && (tm->mday < 1 || tm->mday > 31)) {
        return field_overflow(err, in);
    }
    if (has_year && has_mon && has_day && tm->mday > func_days_in_month(tm->year, tm->mon)) {
        return field_overflow(err, in);
    }
    if (tm->hour < 0 || tm->hour >= 24 || tm->min < 0 || tm->min >= 60 || tm->sec < 0 ||
        tm->sec >= 60 || usec < 0 || usec >= 1000000) {
        return field_overflow(err, in);
    }
    *out_usec = usec;
    *gmtoff = 0;
    if (f.tzsign) {
        if (f.tzh < 0 || f.tzh > 15 || f.tzm < 0 || f.tzm >= 60) {
            return bk_raise(err, INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                            "time zone displacement out of range: \"%s\"", in);
        }
        *gmtoff = (f.tzh * 60 + f.tzm) * 60 * (f.tzsign > 0 ? 1 : -1);
    }
    return BK_OK;
}

static bk_rc to_date_impl(FUNC_ARGS)
{
    (void)call;
    fmt_cache pc = {0};
    int32_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        func_tm tm;
        int64_t usec;
        int gmtoff, fprec;
        const char *in;
        if (to_timestamp_fields(ctx, &pc, func_str(&args[0], i), func_str(&args[1], i), &tm, &usec,
                                &gmtoff, &fprec, &in, err) != BK_OK) {
            return BK_ERR;
        }
        int64_t d = 0;
        bool ok = func_valid_julian(tm.year, tm.mon, tm.mday);
        if (ok) {
            d = (int64_t)func_date2j(tm.year, tm.mon, tm.mday) - BK_PG_EPOCH_JDAYS;
            ok = d >= -BK_PG_EPOCH_JDAYS && d < INT64_C(2147483494) - BK_PG_EPOCH_JDAYS;
        }
        if (!ok) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "date out of range: \"%s\"", in);
        }
        r[i] = (int32_t)d;
    }
    return BK_OK;
}

static bk_rc to_timestamp_impl(FUNC_ARGS)
{
    (void)call;
    fmt_cache pc = {0};
    int64_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        func_tm tm;
        int64_t usec;
        int gmtoff, fprec;
        const char *in;
        if (to_timestamp_fields(ctx, &pc, func_str(&args[0], i), func_str(&args[1], i), &tm, &usec,
                                &gmtoff, &fprec, &in, err) != BK_OK) {
            return BK_ERR;
        }
        tm.usec = (int)usec;
        int64_t ts;
        if (!func_tm2ts(&tm, &ts) ||
            __builtin_sub_overflow(ts, (int64_t)gmtoff * BK_USECS_PER_SEC, &ts) ||
            ts < FUNC_TS_MIN || ts >= FUNC_TS_END) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range");
        }
        if (fprec > 0 && fprec < 6) {
            static const int64_t scales[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
            int64_t sc = scales[fprec], off = sc / 2;
            ts = ts >= 0 ? ((ts + off) / sc) * sc : -((((-ts) + off) / sc) * sc);
        }
        r[i] = ts;
    }
    return BK_OK;
}

void bk_func_register_to_date(func_builder *fb)
{
    const bk_type_id T = BK_TYPE_TEXT;
    func_add(fb, "to_date", bk_type_of(BK_TYPE_DATE), 0, to_date_impl, 2, T, T);
    func_add(fb, "to_timestamp", bk_type_of(BK_TYPE_TIMESTAMPTZ), 0, to_timestamp_impl, 2, T, T);
}
