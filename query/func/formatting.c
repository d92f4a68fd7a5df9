/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The datetime picture language of PostgreSQL 15's formatting.c and to_char for timestamps,
 * dates (through timestamptz, as PostgreSQL resolves them) and intervals: keywords (YYYY, MM,
 * DD, HH24, MI, SS, MS, US, FF1-FF6, Mon, Month, Dy, Day, Q, WW, IW, IYYY, D, ID, J, AM/PM,
 * AD/BC, RM, TZ, OF, ...), the FM/TM prefixes and TH/th suffixes, double-quoted literals and
 * backslash escapes. An empty picture gives NULL, as in PostgreSQL.
 *
 * TimeZone is UTC in Basket: TZ prints "UTC" for timestamptz and nothing for timestamp, OF and
 * TZH print "+00". Names are English (lc_time C.UTF-8), so TM changes only the padding.
 *
 * Interface: fmt_parse, fmt_parse_picture, fmt_append_th, fmt_utf8_len, fmt_is_separator and
 * the keyword and name tables (formatting_int.h); to_char(timestamp|timestamptz|interval, text).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formatting_int.h"

/* ---- the picture parser --------------------------------------------------------------------- */

static const fmt_keyword *keyword_at(const char *s, const fmt_keyword *kw)
{
    unsigned char c = (unsigned char)*s;
    if (c <= ' ' || c >= '~') {
        return NULL;
    }
    const fmt_keyword *k = kw;
    while (k->name != NULL && k->name[0] != (char)c) {
        k++;
    }
    /* Within a first-character group, the first prefix match wins (longest are listed first). */
    for (; k->name != NULL && k->name[0] == (char)c; k++) {
        if (strncmp(s, k->name, (size_t)k->len) == 0) {
            return k;
        }
    }
    return NULL;
}

static const struct {
    const char *name;
    int flag;
    bool prefix;
} suffixes[] = {
    {"FM", FMT_S_FM,  true},
    {"fm", FMT_S_FM,  true},
    {"TM", FMT_S_TM,  true},
    {"tm", FMT_S_TM,  true},
    {"TH", FMT_S_TH, false},
    {"th", FMT_S_th, false},
    {"SP", FMT_S_SP, false},
};

static int suffix_at(const char *s, bool prefix)
{
    for (size_t i = 0; i < BK_ARRAY_LEN(suffixes); i++) {
        if (suffixes[i].prefix == prefix && strncmp(s, suffixes[i].name, 2) == 0) {
            return suffixes[i].flag;
        }
    }
    return 0;
}

size_t fmt_utf8_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    for (size_t k = 1; k < n; k++) {
        if (s[k] == '\0') {
            return k;
        }
    }
    return n;
}

bool fmt_is_separator(const char *s)
{
    char c = *s;
    return c > 0x20 && c < 0x7F && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') &&
           !(c >= '0' && c <= '9');
}

static void literal_node(fmt_node *n, const char *s, size_t len, fmt_node_type type)
{
    n->type = type;
    n->suffix = 0;
    n->key = NULL;
    memcpy(n->ch, s, len);
    n->ch[len] = '\0';
}

void fmt_parse(const char *fmt, const fmt_keyword *kw, bool datetime, fmt_node *out)
{
    fmt_node *n = out;
    const char *s = fmt;
    while (*s != '\0') {
        int suffix = 0;
        if (datetime) {
            int f = suffix_at(s, true);
            if (f != 0) {
                suffix |= f;
                s += 2;
            }
        }
        const fmt_keyword *k = *s != '\0' ? keyword_at(s, kw) : NULL;
        if (k != NULL) {
            n->type = FN_ACTION;
            n->key = k;
            n->suffix = suffix;
            s += k->len;
            if (datetime && *s != '\0') {
                int f = suffix_at(s, false);
                if (f != 0) {
                    n->suffix |= f;
                    s += 2;
                }
            }
            n++;
            continue;
        }
        if (*s == '\0') {
            break;
        }
        if (*s == '"') {
            /* A quoted literal; backslash quotes the next character. */
            s++;
            while (*s != '\0') {
                if (*s == '"') {
                    s++;
                    break;
                }
                if (*s == '\\' && s[1] != '\0') {
                    s++;
                }
                size_t cl = fmt_utf8_len(s);
                literal_node(n++, s, cl, FN_CHAR);
                s += cl;
            }
            continue;
        }
        /* Outside quotes, backslash is special only before a double quote. */
        if (*s == '\\' && s[1] == '"') {
            s++;
        }
        size_t cl = fmt_utf8_len(s);
        fmt_node_type t = (datetime && fmt_is_separator(s))       ? FN_SEPARATOR
                          : isspace((unsigned char)*s) && cl == 1 ? FN_SPACE
                                                                  : FN_CHAR;
        literal_node(n++, s, cl, t);
        s += cl;
    }
    n->type = FN_END;
    n->suffix = 0;
    n->key = NULL;
}

void fmt_append_th(char *buf, size_t *len, bool upper)
{
    static const char *const lower_th[] = {"st", "nd", "rd", "th"};
    static const char *const upper_th[] = {"ST", "ND", "RD", "TH"};
    size_t n = *len;
    char last = n > 0 ? buf[n - 1] : '0';
    int which = 3;
    /* Teens (x11, x12, x13) take "th". */
    if (!(n > 1 && buf[n - 2] == '1')) {
        which = last == '1' ? 0 : last == '2' ? 1 : last == '3' ? 2 : 3;
    }
    memcpy(buf + n, upper ? upper_th[which] : lower_th[which], 2);
    *len = n + 2;
}

/* ---- datetime keywords ---------------------------------------------------------------------- */

#define G FMT_MODE_GREGORIAN
#define W FMT_MODE_ISOWEEK

const fmt_keyword fmt_dch_keywords[] = {
    { "A.D.", 4,   DCH_A_D, false, 0},
    { "A.M.", 4,   DCH_A_M, false, 0},
    {   "AD", 2,    DCH_AD, false, 0},
    {   "AM", 2,    DCH_AM, false, 0},
    { "B.C.", 4,   DCH_B_C, false, 0},
    {   "BC", 2,    DCH_BC, false, 0},
    {   "CC", 2,    DCH_CC,  true, 0},
    {  "DAY", 3,   DCH_DAY, false, 0},
    {  "DDD", 3,   DCH_DDD,  true, G},
    {   "DD", 2,    DCH_DD,  true, G},
    {   "DY", 2,    DCH_DY, false, 0},
    {  "Day", 3,   DCH_Day, false, 0},
    {   "Dy", 2,    DCH_Dy, false, 0},
    {    "D", 1,     DCH_D,  true, G},
    {  "FF1", 3,   DCH_FF1, false, 0},
    {  "FF2", 3,   DCH_FF2, false, 0},
    {  "FF3", 3,   DCH_FF3, false, 0},
    {  "FF4", 3,   DCH_FF4, false, 0},
    {  "FF5", 3,   DCH_FF5, false, 0},
    {  "FF6", 3,   DCH_FF6, false, 0},
    {   "FX", 2,    DCH_FX, false, 0},
    { "HH24", 4,  DCH_HH24,  true, 0},
    { "HH12", 4,  DCH_HH12,  true, 0},
    {   "HH", 2,    DCH_HH,  true, 0},
    { "IDDD", 4,  DCH_IDDD,  true, W},
    {   "ID", 2,    DCH_ID,  true, W},
    {   "IW", 2,    DCH_IW,  true, W},
    { "IYYY", 4,  DCH_IYYY,  true, W},
    {  "IYY", 3,   DCH_IYY,  true, W},
    {   "IY", 2,    DCH_IY,  true, W},
    {    "I", 1,     DCH_I,  true, W},
    {    "J", 1,     DCH_J,  true, 0},
    {   "MI", 2,    DCH_MI,  true, 0},
    {   "MM", 2,    DCH_MM,  true, G},
    {"MONTH", 5, DCH_MONTH, false, G},
    {  "MON", 3,   DCH_MON, false, G},
    {   "MS", 2,    DCH_MS,  true, 0},
    {"Month", 5, DCH_Month, false, G},
    {  "Mon", 3,   DCH_Mon, false, G},
    {   "OF", 2,    DCH_OF, false, 0},
    { "P.M.", 4,   DCH_P_M, false, 0},
    {   "PM", 2,    DCH_PM, false, 0},
    {    "Q", 1,     DCH_Q,  true, 0},
    {   "RM", 2,    DCH_RM, false, G},
    {"SSSSS", 5, DCH_SSSSS,  true, 0},
    { "SSSS", 4,  DCH_SSSS,  true, 0},
    {   "SS", 2,    DCH_SS,  true, 0},
    {  "TZH", 3,   DCH_TZH, false, 0},
    {  "TZM", 3,   DCH_TZM,  true, 0},
    {   "TZ", 2,    DCH_TZ, false, 0},
    {   "US", 2,    DCH_US,  true, 0},
    {   "WW", 2,    DCH_WW,  true, G},
    {    "W", 1,     DCH_W,  true, G},
    {"Y,YYY", 5, DCH_Y_YYY,  true, G},
    { "YYYY", 4,  DCH_YYYY,  true, G},
    {  "YYY", 3,   DCH_YYY,  true, G},
    {   "YY", 2,    DCH_YY,  true, G},
    {    "Y", 1,     DCH_Y,  true, G},
    { "a.d.", 4,   DCH_a_d, false, 0},
    { "a.m.", 4,   DCH_a_m, false, 0},
    {   "ad", 2,    DCH_ad, false, 0},
    {   "am", 2,    DCH_am, false, 0},
    { "b.c.", 4,   DCH_b_c, false, 0},
    {   "bc", 2,    DCH_bc, false, 0},
    {   "cc", 2,    DCH_CC,  true, 0},
    {  "day", 3,   DCH_day, false, 0},
    {  "ddd", 3,   DCH_DDD,  true, G},
    {   "dd", 2,    DCH_DD,  true, G},
    {   "dy", 2,    DCH_dy, false, 0},
    {    "d", 1,     DCH_D,  true, G},
    {  "ff1", 3,   DCH_FF1, false, 0},
    {  "ff2", 3,   DCH_FF2, false, 0},
    {  "ff3", 3,   DCH_FF3, false, 0},
    {  "ff4", 3,   DCH_FF4, false, 0},
    {  "ff5", 3,   DCH_FF5, false, 0},
    {  "ff6", 3,   DCH_FF6, false, 0},
    {   "fx", 2,    DCH_FX, false, 0},
    { "hh24", 4,  DCH_HH24,  true, 0},
    { "hh12", 4,  DCH_HH12,  true, 0},
    {   "hh", 2,    DCH_HH,  true, 0},
    { "iddd", 4,  DCH_IDDD,  true, W},
    {   "id", 2,    DCH_ID,  true, W},
    {   "iw", 2,    DCH_IW,  true, W},
    { "iyyy", 4,  DCH_IYYY,  true, W},
    {  "iyy", 3,   DCH_IYY,  true, W},
    {   "iy", 2,    DCH_IY,  true, W},
    {    "i", 1,     DCH_I,  true, W},
    {    "j", 1,     DCH_J,  true, 0},
    {   "mi", 2,    DCH_MI,  true, 0},
    {   "mm", 2,    DCH_MM,  true, G},
    {"month", 5, DCH_month, false, G},
    {  "mon", 3,   DCH_mon, false, G},
    {   "ms", 2,    DCH_MS,  true, 0},
    {   "of", 2,    DCH_OF, false, 0},
    { "p.m.", 4,   DCH_p_m, false, 0},
    {   "pm", 2,    DCH_pm, false, 0},
    {    "q", 1,     DCH_Q,  true, 0},
    {   "rm", 2,    DCH_rm, false, G},
    {"sssss", 5, DCH_SSSSS,  true, 0},
    { "ssss", 4,  DCH_SSSS,  true, 0},
    {   "ss", 2,    DCH_SS,  true, 0},
    {  "tzh", 3,   DCH_TZH, false, 0},
    {  "tzm", 3,   DCH_TZM,  true, 0},
    {   "tz", 2,    DCH_tz, false, 0},
    {   "us", 2,    DCH_US,  true, 0},
    {   "ww", 2,    DCH_WW,  true, G},
    {    "w", 1,     DCH_W,  true, G},
    {"y,yyy", 5, DCH_Y_YYY,  true, G},
    { "yyyy", 4,  DCH_YYYY,  true, G},
    {  "yyy", 3,   DCH_YYY,  true, G},
    {   "yy", 2,    DCH_YY,  true, G},
    {    "y", 1,     DCH_Y,  true, G},
    {   NULL, 0,         0, false, 0},
};

#undef G
#undef W

const char *const fmt_months_full[] = {"January",  "February", "March",  "April",     "May",
                                       "June",     "July",     "August", "September", "October",
                                       "November", "December", NULL};
const char *const fmt_months_short[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                        "Aug", "Sep", "Oct", "Nov", "Dec", NULL};
const char *const fmt_days_full[] = {"Sunday",   "Monday", "Tuesday",  "Wednesday",
                                     "Thursday", "Friday", "Saturday", NULL};
const char *const fmt_days_short[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", NULL};
const char *const fmt_rm_upper[] = {"XII", "XI", "X",   "IX", "VIII", "VII", "VI",
                                    "V",   "IV", "III", "II", "I",    NULL};
const char *const fmt_rm_lower[] = {"xii", "xi", "x",   "ix", "viii", "vii", "vi",
                                    "v",   "iv", "iii", "ii", "i",    NULL};

/* ---- to_char -------------------------------------------------------------------------------- */

/* Broken-down value being printed: a timestamp, or an interval (fields may be negative). */
typedef struct tm_to_char {
    int64_t hour;
    int year, mon, mday, min, sec, usec;
    int wday;        /* 0 = Sunday (timestamps only) */
    int yday;        /* day of year; for intervals, approximately the whole span in days */
    const char *tzn; /* "UTC" for timestamptz, NULL otherwise */
    bool is_interval;
} tm_to_char;

static bk_rc invalid_for_interval(bk_error *err)
{
    bk_raise(err, INVALID_DATETIME_FORMAT, "invalid format specification for an interval value");
    bk_error_hint(err, "Intervals are not tied to specific calendar dates.");
    return BK_ERR;
}

static int adjust_year(int year, bool is_interval)
{
    return is_interval ? year : (year <= 0 ? -(year - 1) : year);
}

static void case_copy(char *dst, const char *src, int mode)
{
    /* mode: 0 as is, 1 upper, 2 lower */
    size_t i = 0;
    for (; src[i] != '\0'; i++) {
        char c = src[i];
        if (mode == 1 && c >= 'a' && c <= 'z') {
            c = (char)(c - 32);
        } else if (mode == 2 && c >= 'A' && c <= 'Z') {
            c = (char)(c + 32);
        }
        dst[i] = c;
    }
    dst[i] = '\0';
}

/* A name, padded to 9 characters unless FM or TM. */
static size_t put_name(char *s, const char *name, int mode, int suffix)
{
    char tmp[16];
    case_copy(tmp, name, mode);
    int width = (suffix & (FMT_S_FM | FMT_S_TM)) ? 0 : -9;
    return (size_t)snprintf(s, 32, "%*s", width, tmp);
}

static bk_rc dch_to_char(const fmt_node *node, const tm_to_char *tm, bk_buf *out, bk_error *err)
{
    char s[64];
    for (const fmt_node *n = node; n->type != FN_END; n++) {
        if (n->type != FN_ACTION) {
            if (bk_buf_append(out, n->ch, strlen(n->ch)) != BK_OK) {
                return func_oom(err);
            }
            continue;
        }
        bool fm = (n->suffix & FMT_S_FM) != 0;
        bool numeric = false; /* the field takes a TH suffix */
        size_t len = 0;
        int id = n->key->id;
        bool pm = tm->hour % 24 >= 12;
        switch (id) {
        case DCH_A_M:
        case DCH_P_M:
            len = (size_t)snprintf(s, sizeof s, "%s", pm ? "P.M." : "A.M.");
            break;
        case DCH_AM:
        case DCH_PM:
            len = (size_t)snprintf(s, sizeof s, "%s", pm ? "PM" : "AM");
            break;
        case DCH_a_m:
        case DCH_p_m:
            len = (size_t)snprintf(s, sizeof s, "%s", pm ? "p.m." : "a.m.");
            break;
        case DCH_am:
        case DCH_pm:
            len = (size_t)snprintf(s, sizeof s, "%s", pm ? "pm" : "am");
            break;
        case DCH_HH:
        case DCH_HH12: {
            int64_t h = tm->hour % 12 == 0 ? 12 : tm->hour % 12;
            len = (size_t)snprintf(s, sizeof s, "%0*lld",
                                   fm              ? 0
                                   : tm->hour >= 0 ? 2
                                                   : 3,
                                   (long long)h);
            numeric = true;
            break;
        }
        case DCH_HH24:
            len = (size_t)snprintf(s, sizeof s, "%0*lld",
                                   fm              ? 0
                                   : tm->hour >= 0 ? 2
                                                   : 3,
                                   (long long)tm->hour);
            numeric = true;
            break;
        case DCH_MI:
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : tm->min >= 0 ? 2 : 3, tm->min);
            numeric = true;
            break;
        case DCH_SS:
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : tm->sec >= 0 ? 2 : 3, tm->sec);
            numeric = true;
            break;
        case DCH_FF1:
        case DCH_FF2:
        case DCH_FF3:
        case DCH_FF4:
        case DCH_FF5:
        case DCH_FF6:
        case DCH_MS:
        case DCH_US: {
            static const int div[] = {100000, 10000, 1000, 100, 10, 1};
            int digits = id == DCH_MS ? 3 : id == DCH_US ? 6 : id - DCH_FF1 + 1;
            len = (size_t)snprintf(s, sizeof s, "%0*d", digits, tm->usec / div[digits - 1]);
            numeric = true;
            break;
        }
        case DCH_SSSSS:
        case DCH_SSSS:
            len = (size_t)snprintf(s, sizeof s, "%lld",
                                   (long long)(tm->hour * 3600 + tm->min * 60 + tm->sec));
            numeric = true;
            break;
        case DCH_tz:
        case DCH_TZ:
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            if (tm->tzn != NULL) {
                case_copy(s, tm->tzn, id == DCH_tz ? 2 : 0);
                len = strlen(s);
            }
            break;
        case DCH_TZH:
        case DCH_OF:
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            len = (size_t)snprintf(s, sizeof s, "+%0*d", id == DCH_OF && fm ? 0 : 2, 0);
            break;
        case DCH_TZM:
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            len = (size_t)snprintf(s, sizeof s, "00");
            break;
        case DCH_A_D:
        case DCH_B_C:
        case DCH_AD:
        case DCH_BC:
        case DCH_a_d:
        case DCH_b_c:
        case DCH_ad:
        case DCH_bc: {
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            bool bc = tm->year <= 0;
            const char *txt = id == DCH_A_D || id == DCH_B_C   ? (bc ? "B.C." : "A.D.")
                              : id == DCH_AD || id == DCH_BC   ? (bc ? "BC" : "AD")
                              : id == DCH_a_d || id == DCH_b_c ? (bc ? "b.c." : "a.d.")
                                                               : (bc ? "bc" : "ad");
            len = (size_t)snprintf(s, sizeof s, "%s", txt);
            break;
        }
        case DCH_MONTH:
        case DCH_Month:
        case DCH_month:
        case DCH_MON:
        case DCH_Mon:
        case DCH_mon: {
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            if (tm->mon == 0) {
                break;
            }
            int mode = (id == DCH_MONTH || id == DCH_MON)   ? 1
                       : (id == DCH_month || id == DCH_mon) ? 2
                                                            : 0;
            if (id == DCH_MON || id == DCH_Mon || id == DCH_mon) {
                case_copy(s, fmt_months_short[tm->mon - 1], mode);
                len = strlen(s);
            } else {
                len = put_name(s, fmt_months_full[tm->mon - 1], mode, n->suffix);
            }
            break;
        }
        case DCH_MM:
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : tm->mon >= 0 ? 2 : 3, tm->mon);
            numeric = true;
            break;
        case DCH_DAY:
        case DCH_Day:
        case DCH_day:
        case DCH_DY:
        case DCH_Dy:
        case DCH_dy: {
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            int mode = (id == DCH_DAY || id == DCH_DY)   ? 1
                       : (id == DCH_day || id == DCH_dy) ? 2
                                                         : 0;
            if (id == DCH_DY || id == DCH_Dy || id == DCH_dy) {
                case_copy(s, fmt_days_short[tm->wday], mode);
                len = strlen(s);
            } else {
                len = put_name(s, fmt_days_full[tm->wday], mode, n->suffix);
            }
            break;
        }
        case DCH_DDD:
        case DCH_IDDD: {
            int v = tm->yday;
            if (id == DCH_IDDD) {
                int iy = func_isoyear(tm->year, tm->mon, tm->mday);
                v = func_wrap_add(
                    func_wrap_sub(func_date2j(tm->year, tm->mon, tm->mday), func_isoweek2j(iy, 1)),
                    1);
            }
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : 3, v);
            numeric = true;
            break;
        }
        case DCH_DD:
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : 2, tm->mday);
            numeric = true;
            break;
        case DCH_D:
        case DCH_ID:
            if (tm->is_interval) {
                return invalid_for_interval(err);
            }
            len = (size_t)snprintf(s, sizeof s, "%d",
                                   id == DCH_D ? tm->wday + 1 : (tm->wday == 0 ? 7 : tm->wday));
            numeric = true;
            break;
        case DCH_WW:
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : 2,
                                   func_wrap_add(tm->yday, -1) / 7 + 1);
            numeric = true;
            break;
        case DCH_IW:
            len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : 2,
                                   func_isoweek(tm->year, tm->mon, tm->mday));
            numeric = true;
            break;
        case DCH_Q:
            if (tm->mon == 0) {
                break;
            }
            len = (size_t)snprintf(s, sizeof s, "%d", (tm->mon - 1) / 3 + 1);
            numeric = true;
            break;
        case DCH_CC: {
            int c;
            if (tm->is_interval) {
                c = tm->year / 100;
            } else {
                c = tm->year > 0 ? (tm->year - 1) / 100 + 1 : tm->year / 100 - 1;
            }
            if (c <= 99 && c >= -99) {
                len = (size_t)snprintf(s, sizeof s, "%0*d", fm ? 0 : c >= 0 ? 2 : 3, c);
            } else {
                len = (size_t)snprintf(s, sizeof s, "%d", c);
            }
            numeric = true;
            break;
        }
        case DCH_Y_YYY: {
            int y = adjust_year(tm->year, tm->is_interval);
            int k = y / 1000;
            len = (size_t)snprintf(s, sizeof s, "%d,%03d", k, y - k * 1000);
            numeric = true;
            break;
        }
        case DCH_YYYY:
        case DCH_IYYY:
        case DCH_YYY:
        case DCH_IYY:
        case DCH_YY:
        case DCH_IY:
        case DCH_Y:
        case DCH_I: {
            bool iso = id == DCH_IYYY || id == DCH_IYY || id == DCH_IY || id == DCH_I;
            int adj = adjust_year(tm->year, tm->is_interval);
            int v =
                iso ? adjust_year(func_isoyear(tm->year, tm->mon, tm->mday), tm->is_interval) : adj;
            int digits = (id == DCH_YYYY || id == DCH_IYYY) ? 4
                         : (id == DCH_YYY || id == DCH_IYY) ? 3
                         : (id == DCH_YY || id == DCH_IY)   ? 2
                                                            : 1;
            static const int mods[] = {0, 10, 100, 1000, 0};
            if (digits < 4) {
                v %= mods[digits];
            }
            int width = digits == 1 ? 1 : fm ? 0 : adj >= 0 ? digits : digits + 1;
            len = (size_t)snprintf(s, sizeof s, "%0*d", width, v);
            numeric = true;
            break;
        }
        case DCH_RM:
        case DCH_rm: {
            if (tm->mon == 0 && tm->year == 0) {
                break;
            }
            int pos;
            if (tm->mon == 0) {
                pos = tm->year >= 0 ? 0 : 11;
            } else if (tm->mon < 0) {
                pos = -1 * (tm->mon + 1);
            } else {
                pos = 12 - tm->mon;
            }
            len = (size_t)snprintf(s, sizeof s, "%*s", fm ? 0 : -4,
                                   (id == DCH_RM ? fmt_rm_upper : fmt_rm_lower)[pos]);
            break;
        }
        case DCH_W:
            len = (size_t)snprintf(s, sizeof s, "%d", func_wrap_add(tm->mday, -1) / 7 + 1);
            numeric = true;
            break;
        case DCH_J:
            len = (size_t)snprintf(s, sizeof s, "%d", func_date2j(tm->year, tm->mon, tm->mday));
            numeric = true;
            break;
        default: /* FX: nothing to print */
            break;
        }
        if (numeric && (n->suffix & (FMT_S_TH | FMT_S_th))) {
            fmt_append_th(s, &len, (n->suffix & FMT_S_TH) != 0);
        }
        if (bk_buf_append(out, s, len) != BK_OK) {
            return func_oom(err);
        }
    }
    return BK_OK;
}

/* Parses a picture given as text (copied NUL-terminated into the arena). */
fmt_node *fmt_parse_picture(const bk_eval_ctx *ctx,
                            bk_str fmt,
                            const fmt_keyword *kw,
                            bool datetime,
                            bk_error *err)
{
    char *z = bk_arena_strndup(ctx->arena, fmt.ptr, fmt.len);
    fmt_node *nodes = bk_arena_alloc(ctx->arena, sizeof(fmt_node) * (fmt.len + 1));
    if (z == NULL || nodes == NULL) {
        func_oom(err);
        return NULL;
    }
    /* An embedded NUL ends the picture, as text_to_cstring would. */
    fmt_parse(z, kw, datetime, nodes);
    return nodes;
}

fmt_node *fmt_cached_picture(const bk_eval_ctx *ctx,
                             fmt_cache *cache,
                             bk_str fmt,
                             const fmt_keyword *kw,
                             bool datetime,
                             bk_error *err)
{
    if (cache->nodes == NULL || cache->text.len != fmt.len ||
        memcmp(cache->text.ptr, fmt.ptr, fmt.len) != 0) {
        cache->nodes = fmt_parse_picture(ctx, fmt, kw, datetime, err);
        cache->text = fmt;
    }
    return cache->nodes;
}

/* The fields to_char prints, from a broken-down timestamp (day of week and of year added). */
static void tm_from_ts(const func_tm *t, tm_to_char *tm)
{
    tm->year = t->year;
    tm->mon = t->mon;
    tm->mday = t->mday;
    tm->hour = t->hour;
    tm->min = t->min;
    tm->sec = t->sec;
    tm->usec = t->usec;
    int jd = func_date2j(t->year, t->mon, t->mday);
    tm->wday = (jd + 1) % 7;
    tm->yday = jd - func_date2j(t->year, 1, 1) + 1;
    tm->is_interval = false;
}

static bk_rc to_char_ts_apply(const bk_eval_ctx *ctx,
                              const bk_vec *args,
                              uint32_t n,
                              bk_vec *out,
                              bool tz,
                              bk_error *err)
{
    bk_buf b = {0};
    fmt_cache pc = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str fmt = func_str(&args[1], i);
        if (fmt.len == 0) {
            bk_validity_set(out->validity, i, false);
            continue;
        }
        int64_t ts = ((const int64_t *)args[0].data)[i];
        func_tm t;
        if (!func_ts2tm(ts, &t)) {
            bk_buf_free(&b);
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range");
        }
        tm_to_char tm;
        tm_from_ts(&t, &tm);
        tm.tzn = tz ? "UTC" : NULL;
        fmt_node *nodes = fmt_cached_picture(ctx, &pc, fmt, fmt_dch_keywords, true, err);
        bk_buf_clear(&b);
        if (nodes == NULL || dch_to_char(nodes, &tm, &b, err) != BK_OK ||
            func_set_text(ctx, out, i, b.ptr, b.len, err) != BK_OK) {
            bk_buf_free(&b);
            return BK_ERR;
        }
    }
    bk_buf_free(&b);
    return BK_OK;
}

static bk_rc to_char_ts(FUNC_ARGS)
{
    (void)call;
    return to_char_ts_apply(ctx, args, n, out, false, err);
}

static bk_rc to_char_tstz(FUNC_ARGS)
{
    (void)call;
    return to_char_ts_apply(ctx, args, n, out, true, err);
}

static bk_rc to_char_iv(FUNC_ARGS)
{
    (void)call;
    bk_buf b = {0};
    fmt_cache pc = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_str fmt = func_str(&args[1], i);
        if (fmt.len == 0) {
            bk_validity_set(out->validity, i, false);
            continue;
        }
        bk_interval v = ((const bk_interval *)args[0].data)[i];
        tm_to_char tm = {0};
        tm.is_interval = true;
        tm.year = v.months / 12;
        tm.mon = v.months % 12;
        tm.mday = v.days;
        int64_t t = v.us;
        tm.hour = t / INT64_C(3600000000);
        t -= tm.hour * INT64_C(3600000000);
        tm.min = (int)(t / 60000000);
        t -= (int64_t)tm.min * 60000000;
        tm.sec = (int)(t / 1000000);
        tm.usec = (int)(t - (int64_t)tm.sec * 1000000);
        tm.yday = func_wrap_add(func_wrap_mul(tm.year * 12 + tm.mon, 30), tm.mday);
        fmt_node *nodes = fmt_cached_picture(ctx, &pc, fmt, fmt_dch_keywords, true, err);
        bk_buf_clear(&b);
        if (nodes == NULL || dch_to_char(nodes, &tm, &b, err) != BK_OK ||
            func_set_text(ctx, out, i, b.ptr, b.len, err) != BK_OK) {
            bk_buf_free(&b);
            return BK_ERR;
        }
    }
    bk_buf_free(&b);
    return BK_OK;
}

void bk_func_register_to_char(func_builder *fb)
{
    bk_type text = bk_type_of(BK_TYPE_TEXT);
    const bk_type_id T = BK_TYPE_TEXT;
    func_add(fb, "to_char", text, 0, to_char_ts, 2, BK_TYPE_TIMESTAMP, T);
    func_add(fb, "to_char", text, 0, to_char_tstz, 2, BK_TYPE_TIMESTAMPTZ, T);
    func_add(fb, "to_char", text, 0, to_char_iv, 2, BK_TYPE_INTERVAL, T);
    bk_func_register_to_char_num(fb);
    bk_func_register_to_date(fb);
}
