/* SPDX-License-Identifier: Apache-2.0 */
/* Interval input, with PostgreSQL 15's syntax (IntervalStyle postgres) and errors. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

/* ---- intervals ---------------------------------------------------------------------------- */

/*
 * PostgreSQL's DecodeInterval (IntervalStyle postgres input), including its quirks, because
 * clients send what PostgreSQL accepts: the string is split into fields (numbers, h:m:s
 * times, unit words; other punctuation separates), then decoded right to left. A unit word
 * sets the unit of the numbers to its left; a number with no unit to its right is seconds;
 * the number left of a time field (or of an hour count) is days ("1 02:00" = 1 day 2 hours).
 * Each unit may appear once (22007). Fractions cascade down (months -> 30 days -> time; years
 * -> whole months), and a field that overflows is 22015; a total beyond int32 months is 22008.
 * Not supported: ISO 8601 ("P1D"), SQL year-month ("1-2") and typmod-restricted input.
 */

enum {
    IV_MICROSECOND = 1 << 0,
    IV_MILLISECOND = 1 << 1,
    IV_SECOND = 1 << 2,
    IV_MINUTE = 1 << 3,
    IV_HOUR = 1 << 4,
    IV_DAY = 1 << 5,
    IV_WEEK = 1 << 6,
    IV_MONTH = 1 << 7,
    IV_YEAR = 1 << 8,
    IV_DECADE = 1 << 9,
    IV_CENTURY = 1 << 10,
    IV_MILLENNIUM = 1 << 11,
    IV_AGO = 1 << 12, /* not a field bit: marks the "ago" word in the unit table */
};

#define IV_ALL_SECS   (IV_SECOND | IV_MILLISECOND | IV_MICROSECOND)
#define IV_TIME       (IV_HOUR | IV_MINUTE | IV_ALL_SECS)
#define IV_MAX_FIELDS 25 /* PostgreSQL's MAXDATEFIELDS */

/* PostgreSQL's deltatktbl; words are matched lower-cased and cut to 10 characters. */
static int interval_unit(bk_str word)
{
    static const struct {
        const char *name;
        int unit;
    } units[] = {
        {       "ago",         IV_AGO},
        {         "c",     IV_CENTURY},
        {      "cent",     IV_CENTURY},
        { "centuries",     IV_CENTURY},
        {   "century",     IV_CENTURY},
        {         "d",         IV_DAY},
        {       "day",         IV_DAY},
        {      "days",         IV_DAY},
        {       "dec",      IV_DECADE},
        {    "decade",      IV_DECADE},
        {   "decades",      IV_DECADE},
        {      "decs",      IV_DECADE},
        {         "h",        IV_HOUR},
        {      "hour",        IV_HOUR},
        {     "hours",        IV_HOUR},
        {        "hr",        IV_HOUR},
        {       "hrs",        IV_HOUR},
        {         "m",      IV_MINUTE},
        {"microsecon", IV_MICROSECOND},
        {       "mil",  IV_MILLENNIUM},
        { "millennia",  IV_MILLENNIUM},
        {"millennium",  IV_MILLENNIUM},
        {"millisecon", IV_MILLISECOND},
        {      "mils",  IV_MILLENNIUM},
        {       "min",      IV_MINUTE},
        {      "mins",      IV_MINUTE},
        {    "minute",      IV_MINUTE},
        {   "minutes",      IV_MINUTE},
        {       "mon",       IV_MONTH},
        {      "mons",       IV_MONTH},
        {     "month",       IV_MONTH},
        {    "months",       IV_MONTH},
        {        "ms", IV_MILLISECOND},
        {      "msec", IV_MILLISECOND},
        {   "msecond", IV_MILLISECOND},
        {  "mseconds", IV_MILLISECOND},
        {     "msecs", IV_MILLISECOND},
        {         "s",      IV_SECOND},
        {       "sec",      IV_SECOND},
        {    "second",      IV_SECOND},
        {   "seconds",      IV_SECOND},
        {      "secs",      IV_SECOND},
        {        "us", IV_MICROSECOND},
        {      "usec", IV_MICROSECOND},
        {   "usecond", IV_MICROSECOND},
        {  "useconds", IV_MICROSECOND},
        {     "usecs", IV_MICROSECOND},
        {         "w",        IV_WEEK},
        {      "week",        IV_WEEK},
        {     "weeks",        IV_WEEK},
        {         "y",        IV_YEAR},
        {      "year",        IV_YEAR},
        {     "years",        IV_YEAR},
        {        "yr",        IV_YEAR},
        {       "yrs",        IV_YEAR},
    };

    if (word.len > 10) {
        word.len = 10;
    }
    for (size_t i = 0; i < BK_ARRAY_LEN(units); i++) {
        if (ieq(word, units[i].name)) {
            return units[i].unit;
        }
    }
    return 0;
}

typedef enum iv_kind {
    IV_TOK_NUMBER, /* [+-]digits[.digits] */
    IV_TOK_TIME,   /* [+-]h:m[:s][.frac] */
    IV_TOK_WORD,
} iv_kind;

typedef struct iv_token {
    iv_kind kind;
    const char *p;
    size_t len;
} iv_token;

/* PostgreSQL's pg_itm_in: fields accumulated before conversion to an interval. */
typedef struct iv_acc {
    int32_t years;
    int32_t months;
    int32_t days;
    int64_t us;
} iv_acc;

/* AdjustFractMicroseconds: frac * scale, rounding a half microsecond toward zero. */
static bool iv_add_frac_us(iv_acc *acc, double frac, int64_t scale)
{
    if (frac == 0) {
        return true;
    }
    frac *= (double)scale;
    int64_t us = (int64_t)frac;
    frac -= (double)us;
    if (frac > 0.5) {
        us++;
    } else if (frac < -0.5) {
        us--;
    }
    return !__builtin_add_overflow(acc->us, us, &acc->us);
}

static bool iv_add_us(iv_acc *acc, int64_t val, double frac, int64_t scale)
{
    int64_t t;
    return !__builtin_mul_overflow(val, scale, &t) &&
           !__builtin_add_overflow(acc->us, t, &acc->us) && iv_add_frac_us(acc, frac, scale);
}

static bool iv_add_days(iv_acc *acc, int64_t val, int32_t scale)
{
    int32_t d;
    return val >= INT32_MIN && val <= INT32_MAX &&
           !__builtin_mul_overflow((int32_t)val, scale, &d) &&
           !__builtin_add_overflow(acc->days, d, &acc->days);
}

/* AdjustFractDays: whole days to the day field, the rest to microseconds. */
static bool iv_add_frac_days(iv_acc *acc, double frac, int32_t scale)
{
    if (frac == 0) {
        return true;
    }
    frac *= scale;
    int32_t extra = (int32_t)frac;
    if (__builtin_add_overflow(acc->days, extra, &acc->days)) {
        return false;
    }
    return iv_add_frac_us(acc, frac - extra, BK_USECS_PER_DAY);
}

static bool iv_add_years(iv_acc *acc, int64_t val, double frac, int32_t scale)
{
    int32_t y;
    if (val < INT32_MIN || val > INT32_MAX || __builtin_mul_overflow((int32_t)val, scale, &y) ||
        __builtin_add_overflow(acc->years, y, &acc->years)) {
        return false;
    }
    /* AdjustFractYears: the fraction becomes whole months, rounded. */
    int32_t extra_months = (int32_t)rint(frac * scale * 12);
    return !__builtin_add_overflow(acc->months, extra_months, &acc->months);
}

static bool iv_apply(iv_acc *acc, int unit, int64_t val, double frac)
{
    switch (unit) {
    case IV_MICROSECOND:
        return iv_add_us(acc, val, frac, 1);
    case IV_MILLISECOND:
        return iv_add_us(acc, val, frac, 1000);
    case IV_SECOND:
        return iv_add_us(acc, val, frac, BK_USECS_PER_SEC);
    case IV_MINUTE:
        return iv_add_us(acc, val, frac, 60 * BK_USECS_PER_SEC);
    case IV_HOUR:
        return iv_add_us(acc, val, frac, 3600 * BK_USECS_PER_SEC);
    case IV_DAY:
        return iv_add_days(acc, val, 1) && iv_add_frac_us(acc, frac, BK_USECS_PER_DAY);
    case IV_WEEK:
        return iv_add_days(acc, val, 7) && iv_add_frac_days(acc, frac, 7);
    case IV_MONTH:
        return val >= INT32_MIN && val <= INT32_MAX &&
               !__builtin_add_overflow(acc->months, (int32_t)val, &acc->months) &&
               iv_add_frac_days(acc, frac, 30);
    case IV_YEAR:
        return iv_add_years(acc, val, frac, 1);
    case IV_DECADE:
        return iv_add_years(acc, val, frac, 10);
    case IV_CENTURY:
        return iv_add_years(acc, val, frac, 100);
    case IV_MILLENNIUM:
        return iv_add_years(acc, val, frac, 1000);
    default:
        return false;
    }
}

/* Splits `s` into fields as PostgreSQL's ParseDateTime does for intervals. */
static dt_status iv_tokenize(bk_str s, iv_token *toks, int *n_toks)
{
    int n = 0;
    size_t i = 0;
    while (i < s.len) {
        char c = s.ptr[i];
        size_t start = i;
        iv_kind kind;
        if (is_space(c)) {
            i++;
            continue;
        }
        if (is_digit(c) || c == '+' || c == '-' || c == '.') {
            if (c == '+' || c == '-') {
                i++;
                while (i < s.len && is_space(s.ptr[i])) {
                    i++;
                }
                if (i >= s.len || !is_digit(s.ptr[i])) {
                    return DT_BAD_FORMAT;
                }
            }
            kind = IV_TOK_NUMBER;
            while (i < s.len && (is_digit(s.ptr[i]) || s.ptr[i] == '.' || s.ptr[i] == ':')) {
                if (s.ptr[i] == ':') {
                    kind = IV_TOK_TIME;
                }
                i++;
            }
            if (kind == IV_TOK_NUMBER && i < s.len && s.ptr[i] == '-' && c != '+' && c != '-') {
                return DT_BAD_FORMAT; /* SQL year-month "1-2": not supported */
            }
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            kind = IV_TOK_WORD;
            while (i < s.len &&
                   ((s.ptr[i] >= 'a' && s.ptr[i] <= 'z') || (s.ptr[i] >= 'A' && s.ptr[i] <= 'Z'))) {
                i++;
            }
        } else if (ispunct((unsigned char)c)) {
            i++; /* other punctuation only separates fields */
            continue;
        } else {
            return DT_BAD_FORMAT;
        }
        if (n == IV_MAX_FIELDS) {
            return DT_BAD_FORMAT;
        }
        toks[n++] = (iv_token){kind, s.ptr + start, i - start};
    }
    *n_toks = n;
    return DT_OK;
}

/* A number field: [+-]int[.frac] into (val, frac), frac carrying the number's sign. */
static dt_status iv_number(const iv_token *t, int64_t *val, double *frac)
{
    const char *p = t->p;
    size_t len = t->len, i = 0;
    bool neg = false;
    if (p[0] == '+' || p[0] == '-') {
        neg = p[0] == '-';
        i++;
        while (i < len && is_space(p[i])) {
            i++;
        }
    }
    /* strtoi64 semantics: the magnitude may reach 2^63 when negative. */
    uint64_t mag = 0;
    bool overflow = false;
    for (; i < len && is_digit(p[i]); i++) {
        if (__builtin_mul_overflow(mag, 10, &mag) ||
            __builtin_add_overflow(mag, (uint64_t)(p[i] - '0'), &mag)) {
            overflow = true;
        }
    }
    if (overflow || mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
        return DT_FIELD_OVERFLOW;
    }
    double f = 0;
    if (i < len) {
        if (p[i] != '.' || !dt_parse_fraction(p + i, len - i, &f)) {
            return DT_BAD_FORMAT;
        }
    }
    *val = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    *frac = neg ? -f : f;
    return DT_OK;
}

static dt_status iv_time(const iv_token *t, iv_acc *acc)
{
    const char *p = t->p;
    size_t len = t->len;
    bool neg = false;
    if (p[0] == '+' || p[0] == '-') {
        neg = p[0] == '-';
        p++;
        len--;
        while (len > 0 && is_space(p[0])) {
            p++;
            len--;
        }
    }
    int64_t hour, us;
    int min, sec, usec;
    dt_status st = dt_decode_time(p, len, INT64_MAX, &hour, &min, &sec, &usec);
    if (st != DT_OK) {
        return st;
    }
    if (__builtin_mul_overflow(hour, 3600 * BK_USECS_PER_SEC, &us) ||
        __builtin_add_overflow(us, ((int64_t)min * 60 + sec) * BK_USECS_PER_SEC + usec, &us)) {
        return DT_FIELD_OVERFLOW;
    }
    if (neg) {
        us = -us;
    }
    return __builtin_add_overflow(acc->us, us, &acc->us) ? DT_FIELD_OVERFLOW : DT_OK;
}

static dt_status iv_decode(bk_str s, iv_acc *acc)
{
    iv_token toks[IV_MAX_FIELDS];
    int n;
    dt_status st = iv_tokenize(s, toks, &n);
    if (st != DT_OK) {
        return st;
    }
    int fmask = 0;
    int type = 0; /* unit for the next number to the left; 0 = none yet */
    bool ago = false;
    for (int k = n - 1; k >= 0; k--) {
        const iv_token *t = &toks[k];
        int tmask = 0;
        switch (t->kind) {
        case IV_TOK_TIME:
            st = iv_time(t, acc);
            if (st != DT_OK) {
                return st;
            }
            tmask = IV_TIME;
            type = IV_DAY;
            break;
        case IV_TOK_NUMBER: {
            if (type == 0) {
                type = IV_SECOND;
            } else if (type == IV_AGO) {
                return DT_BAD_FORMAT;
            }
            int64_t val;
            double frac;
            st = iv_number(t, &val, &frac);
            if (st != DT_OK) {
                return st;
            }
            if (!iv_apply(acc, type, val, frac)) {
                return DT_FIELD_OVERFLOW;
            }
            tmask = (type == IV_SECOND && frac != 0) ? IV_ALL_SECS : type;
            if (type == IV_HOUR) {
                type = IV_DAY;
            }
            break;
        }
        case IV_TOK_WORD: {
            int unit = interval_unit((bk_str){t->p, t->len});
            if (unit == 0) {
                return DT_BAD_FORMAT;
            }
            if (unit == IV_AGO) {
                ago = true;
            }
            type = unit;
            break;
        }
        }
        if ((tmask & fmask) != 0) {
            return DT_BAD_FORMAT;
        }
        fmask |= tmask;
    }
    if (fmask == 0) {
        return DT_BAD_FORMAT;
    }
    if (ago) {
        if (acc->us == INT64_MIN || acc->days == INT32_MIN || acc->months == INT32_MIN ||
            acc->years == INT32_MIN) {
            return DT_FIELD_OVERFLOW;
        }
        acc->us = -acc->us;
        acc->days = -acc->days;
        acc->months = -acc->months;
        acc->years = -acc->years;
    }
    return DT_OK;
}

bk_rc bk_parse_interval(bk_str raw, bk_interval *out, bk_error *err)
{
    iv_acc acc = {0, 0, 0, 0};
    dt_status st = iv_decode(raw, &acc);
    if (st == DT_FIELD_OVERFLOW) {
        return bk_raise(err, INTERVAL_FIELD_OVERFLOW, "interval field value out of range: \"%.*s\"",
                        (int)BK_MIN(raw.len, 400), raw.ptr);
    }
    if (st != DT_OK) {
        return dt_error(err, DT_BAD_FORMAT, "interval", raw);
    }
    int64_t months = (int64_t)acc.years * 12 + acc.months;
    if (months > INT32_MAX || months < INT32_MIN) {
        return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "interval out of range");
    }
    out->months = (int32_t)months;
    out->days = acc.days;
    out->us = acc.us;
    return BK_OK;
}
