/* SPDX-License-Identifier: Apache-2.0 */
/* Date and timestamp input, with PostgreSQL 15's syntax, ranges and errors. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

/* ---- dates and times ---------------------------------------------------------------------- */

/*
 * The grammar follows PostgreSQL's ParseDateTime/DecodeDateTime closely enough that accepted
 * inputs, results and errors agree (tests/diff/test_value_format.py checks this against
 * PostgreSQL 15): time fields are h:m[:s][.frac] with any number of digits per field and
 * range checks after parsing (22008), fractions of a second round as PostgreSQL's
 * rint(strtod(frac) * 1e6) does, and numeric zones are validated (22009).
 */

typedef struct dt_fields {
    int year, month, day;
    int hour, minute, second;
    int usec; /* 0 ..= 1000000 (a rounded-up fraction carries into the next second) */
    bool has_time;
    bool has_tz;
    int tz_offset_sec; /* seconds east of UTC */
    bool bc;
} dt_fields;

/* Reads up to max_digits digits; returns count read. */
static int read_num(bk_str s, size_t *i, int max_digits, int *out)
{
    int n = 0, v = 0;
    while (*i < s.len && is_digit(s.ptr[*i]) && n < max_digits) {
        v = v * 10 + (s.ptr[*i] - '0');
        (*i)++;
        n++;
    }
    *out = v;
    return n;
}

/*
 * strtol-like read of an unsigned decimal run (possibly empty, giving 0) into an int64;
 * false on overflow past `max`.
 */
static bool read_i64(const char *p, size_t len, size_t *i, int64_t max, int64_t *out)
{
    int64_t v = 0;
    bool ok = true;
    while (*i < len && is_digit(p[*i])) {
        if (ok && (__builtin_mul_overflow(v, 10, &v) ||
                   __builtin_add_overflow(v, p[*i] - '0', &v) || v > max)) {
            ok = false;
        }
        (*i)++;
    }
    *out = ok ? v : 0;
    return ok;
}

/*
 * PostgreSQL's ParseFraction: `p` starts at '.', runs to the end of the field. "." alone is
 * zero. Returns false when the rest is not a decimal fraction.
 */
bool dt_parse_fraction(const char *p, size_t len, double *out)
{
    if (len == 1) {
        *out = 0;
        return true;
    }
    char buf[80];
    if (len >= sizeof buf) {
        len = sizeof buf - 1; /* digits beyond 78 cannot change a double */
        for (size_t k = 1; k < len; k++) {
            if (!is_digit(p[k])) {
                return false;
            }
        }
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    for (size_t k = 1; k < len; k++) {
        if (!is_digit(buf[k])) {
            return false;
        }
    }
    *out = strtod(buf, NULL);
    return true;
}

/*
 * PostgreSQL's DecodeTimeCommon on one time token ([0-9:.]*, starting with a digit):
 * h:m, h:m:s, h:m:s.frac, and m:s.frac (a fraction right after the second field makes the
 * fields minutes and seconds). Empty fields read as 0 ("12:50:.5"). Hours may be large
 * (intervals); the caller range-checks them.
 */
dt_status dt_decode_time(const char *p,
                         size_t len,
                         int64_t max_hour,
                         int64_t *out_hour,
                         int *out_min,
                         int *out_sec,
                         int *out_usec)
{
    size_t i = 0;
    int64_t hour, min, sec = 0;
    double frac = 0;
    if (!read_i64(p, len, &i, max_hour, &hour)) {
        return DT_FIELD_OVERFLOW;
    }
    if (i >= len || p[i] != ':') {
        return DT_BAD_FORMAT;
    }
    i++;
    if (!read_i64(p, len, &i, INT32_MAX, &min)) {
        return DT_FIELD_OVERFLOW;
    }
    if (i < len && p[i] == '.') {
        if (!dt_parse_fraction(p + i, len - i, &frac)) {
            return DT_BAD_FORMAT;
        }
        sec = min;
        min = hour;
        hour = 0;
        if (min > INT32_MAX) {
            return DT_FIELD_OVERFLOW;
        }
    } else if (i < len && p[i] == ':') {
        i++;
        if (!read_i64(p, len, &i, INT32_MAX, &sec)) {
            return DT_FIELD_OVERFLOW;
        }
        if (i < len) {
            if (p[i] != '.' || !dt_parse_fraction(p + i, len - i, &frac)) {
                return DT_BAD_FORMAT;
            }
        }
    } else if (i < len) {
        return DT_BAD_FORMAT;
    }
    double usec = rint(frac * 1000000.0);
    if (min > 59 || sec > 60 || usec < 0 || usec > 1000000.0) {
        return DT_FIELD_OVERFLOW;
    }
    *out_hour = hour;
    *out_min = (int)min;
    *out_sec = (int)sec;
    *out_usec = (int)usec;
    return DT_OK;
}

/* Length of the time token at s[i]: digits, ':' and '.' (PostgreSQL's ParseDateTime). */
static size_t time_token_len(bk_str s, size_t i)
{
    size_t j = i;
    while (j < s.len && (is_digit(s.ptr[j]) || s.ptr[j] == ':' || s.ptr[j] == '.')) {
        j++;
    }
    return j - i;
}

/*
 * PostgreSQL's DecodeTimezone for a numeric zone at s[*i] ('+' or '-'): +h, +hh, +hhmm,
 * +h:m[:s]. Hours above 15, minutes or seconds above 59 are 22009.
 */
static dt_status parse_tz_part(bk_str s, size_t *i, dt_fields *f)
{
    if (*i < s.len && (s.ptr[*i] == 'Z' || s.ptr[*i] == 'z')) {
        (*i)++;
        f->has_tz = true;
        f->tz_offset_sec = 0;
        return DT_OK;
    }
    int sign = s.ptr[*i] == '-' ? -1 : 1;
    size_t start = *i;
    (*i)++;
    size_t j = *i;
    while (j < s.len &&
           (is_digit(s.ptr[j]) || s.ptr[j] == ':' || s.ptr[j] == '.' || s.ptr[j] == '-')) {
        j++;
    }
    const char *p = s.ptr + *i;
    size_t len = j - *i;
    size_t k = 0;
    int64_t hr, min = 0, sec = 0;
    if (len == 0 || !is_digit(p[0])) {
        return DT_BAD_FORMAT;
    }
    if (!read_i64(p, len, &k, INT32_MAX, &hr)) {
        return DT_TZ_OVERFLOW;
    }
    if (k < len && p[k] == ':') {
        k++;
        if (!read_i64(p, len, &k, INT32_MAX, &min)) {
            return DT_TZ_OVERFLOW;
        }
        if (k < len && p[k] == ':') {
            k++;
            if (!read_i64(p, len, &k, INT32_MAX, &sec)) {
                return DT_TZ_OVERFLOW;
            }
        }
    } else if (k == len && j - start > 3) {
        min = hr % 100;
        hr /= 100;
    }
    if (hr > 15 || min > 59 || sec > 59) {
        return DT_TZ_OVERFLOW;
    }
    if (k != len) {
        return DT_BAD_FORMAT;
    }
    *i = j;
    f->has_tz = true;
    f->tz_offset_sec = sign * (int)((hr * 60 + min) * 60 + sec);
    return DT_OK;
}

/*
 * Accepts: YYYY-MM-DD, YYYY/MM/DD, M/D/YYYY (month first, DateStyle MDY), optionally followed by
 * ' ' or 'T' and a time, an optional zone (Z, +h[h][:mm[:ss]], +hhmm) and " BC" / " AD".
 * Range checks of the date fields are left to the caller.
 */
static dt_status parse_datetime(bk_str raw, dt_fields *f)
{
    bk_str s = trim(raw);
    memset(f, 0, sizeof *f);
    size_t i = 0;
    int a, b, c;
    int na = read_num(s, &i, 9, &a);
    if (na == 0 || i >= s.len) {
        return DT_BAD_FORMAT;
    }
    char sep = s.ptr[i];
    if (sep != '-' && sep != '/') {
        return DT_BAD_FORMAT;
    }
    i++;
    if (read_num(s, &i, 2, &b) == 0 || i >= s.len || s.ptr[i] != sep) {
        return DT_BAD_FORMAT;
    }
    i++;
    int nc = read_num(s, &i, 9, &c);
    if (nc == 0) {
        return DT_BAD_FORMAT;
    }
    if (na >= 3) { /* year first */
        f->year = a;
        f->month = b;
        f->day = c;
        if (nc > 2) {
            return DT_BAD_FORMAT;
        }
    } else if (sep == '/' && nc >= 3) { /* M/D/YYYY */
        f->month = a;
        f->day = b;
        f->year = c;
    } else {
        return DT_BAD_FORMAT;
    }
    if (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == 'T' || s.ptr[i] == 't')) {
        size_t save = i;
        i++;
        while (i < s.len && s.ptr[i] == ' ') {
            i++;
        }
        size_t tlen = time_token_len(s, i);
        if (tlen > 0 && memchr(s.ptr + i, ':', tlen) != NULL) {
            int64_t hour;
            dt_status st =
                dt_decode_time(s.ptr + i, tlen, INT32_MAX, &hour, &f->minute, &f->second, &f->usec);
            if (st != DT_OK) {
                return st;
            }
            if (hour > 24) {
                return DT_FIELD_OVERFLOW;
            }
            f->hour = (int)hour;
            f->has_time = true;
            i += tlen;
        } else {
            i = save;
        }
    }
    /* Then a zone and an era, each at most once, in either order. */
    bool seen_era = false;
    for (;;) {
        while (i < s.len && s.ptr[i] == ' ') {
            i++;
        }
        if (i >= s.len) {
            break;
        }
        char ch = s.ptr[i];
        if (!f->has_tz && (ch == 'Z' || ch == 'z' || ch == '+' || ch == '-')) {
            dt_status st = parse_tz_part(s, &i, f);
            if (st != DT_OK) {
                return st;
            }
        } else if (!seen_era && i + 2 <= s.len &&
                   (ieq((bk_str){s.ptr + i, 2}, "bc") || ieq((bk_str){s.ptr + i, 2}, "ad"))) {
            f->bc = lower(ch) == 'b';
            seen_era = true;
            i += 2;
        } else {
            return DT_BAD_FORMAT;
        }
    }
    return DT_OK;
}

bk_rc dt_error(bk_error *err, dt_status st, const char *type_name, bk_str raw)
{
    int n = (int)BK_MIN(raw.len, 400);
    switch (st) {
    case DT_FIELD_OVERFLOW:
        return bk_raise(err, DATETIME_FIELD_OVERFLOW,
                        "date/time field value out of range: \"%.*s\"", n, raw.ptr);
    case DT_TZ_OVERFLOW:
        return bk_raise(err, INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                        "time zone displacement out of range: \"%.*s\"", n, raw.ptr);
    case DT_OK:
    case DT_BAD_FORMAT:
        break;
    }
    return bk_raise(err, INVALID_DATETIME_FORMAT, "invalid input syntax for type %s: \"%.*s\"",
                    type_name, n, raw.ptr);
}

static dt_status datetime_fields_check(const dt_fields *f)
{
    int year = f->bc ? -(f->year - 1) : f->year;
    if (f->year == 0 || !bk_date_valid_ymd(year, f->month, f->day) || f->hour > 24 ||
        f->minute > 59 || f->second > 60 ||
        (f->hour == 24 && (f->minute != 0 || f->second != 0 || f->usec != 0))) {
        return DT_FIELD_OVERFLOW;
    }
    return DT_OK;
}

/* Valid Julian days: [0, DATE_END_JULIAN), i.e. 4714-11-24 BC .. 5874897-12-31. */
#define JULIAN_END 2147483494

bk_rc bk_parse_date(bk_str raw, int32_t *out, bk_error *err)
{
    dt_fields f;
    dt_status st = parse_datetime(raw, &f);
    if (st == DT_OK) {
        st = datetime_fields_check(&f);
    }
    if (st != DT_OK) {
        return dt_error(err, st, "date", raw);
    }
    int year = f.bc ? -(f.year - 1) : f.year;
    int64_t jd = year < -4713 || year > 5874898
                     ? -1
                     : (int64_t)bk_date_from_ymd(year, f.month, f.day) + BK_PG_EPOCH_JDAYS;
    if (jd < 0 || jd >= JULIAN_END) {
        return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "date out of range: \"%.*s\"",
                        (int)BK_MIN(raw.len, 400), raw.ptr);
    }
    *out = (int32_t)(jd - BK_PG_EPOCH_JDAYS);
    return BK_OK;
}

/* PostgreSQL's MIN_TIMESTAMP (4714-11-24 00:00 BC) and END_TIMESTAMP (294277-01-01 00:00). */
#define TIMESTAMP_MIN INT64_C(-211813488000000000)
#define TIMESTAMP_END INT64_C(9223371331200000000)

static bk_rc parse_ts(bk_str raw, bool with_tz, int64_t *out, bk_error *err)
{
    const char *type_name = with_tz ? "timestamp with time zone" : "timestamp";
    dt_fields f;
    dt_status st = parse_datetime(raw, &f);
    if (st == DT_OK) {
        st = datetime_fields_check(&f);
    }
    if (st != DT_OK) {
        return dt_error(err, st, type_name, raw);
    }
    int year = f.bc ? -(f.year - 1) : f.year;
    int64_t us = 0;
    bool in_range = year >= -4714 && year <= 294277;
    if (in_range) {
        int64_t days = bk_date_from_ymd(year, f.month, f.day);
        us = days * BK_USECS_PER_DAY +
             ((int64_t)f.hour * 3600 + f.minute * 60 + f.second) * BK_USECS_PER_SEC + f.usec;
        if (with_tz && f.has_tz) {
            us -= (int64_t)f.tz_offset_sec * BK_USECS_PER_SEC;
        }
        in_range = us >= TIMESTAMP_MIN && us < TIMESTAMP_END;
    }
    if (!in_range) {
        return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range: \"%.*s\"",
                        (int)BK_MIN(raw.len, 400), raw.ptr);
    }
    *out = us;
    return BK_OK;
}

bk_rc bk_parse_timestamp(bk_str raw, int64_t *out, bk_error *err)
{
    /* A zone on a timestamp without time zone is checked, then ignored, as PostgreSQL does. */
    return parse_ts(raw, false, out, err);
}

bk_rc bk_parse_timestamptz(bk_str raw, int64_t *out, bk_error *err)
{
    return parse_ts(raw, true, out, err);
}
