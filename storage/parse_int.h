/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the text parsers (parse.c, parse_datetime.c, parse_interval.c). */
#ifndef BK_STORAGE_PARSE_INT_H
#define BK_STORAGE_PARSE_INT_H

#include "storage.h"

static inline bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bk_str trim(bk_str s)
{
    while (s.len > 0 && is_space(s.ptr[0])) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && is_space(s.ptr[s.len - 1])) {
        s.len--;
    }
    return s;
}

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Case-insensitive: is `s` equal to `word`? */
static inline bool ieq(bk_str s, const char *word)
{
    return bk_str_ieq_cstr(s, word);
}

typedef enum dt_status {
    DT_OK,
    DT_BAD_FORMAT,     /* 22007 invalid input syntax */
    DT_FIELD_OVERFLOW, /* 22008 date/time field value out of range */
    DT_TZ_OVERFLOW,    /* 22009 time zone displacement out of range */
} dt_status;

/*
 * PostgreSQL's ParseFraction: `p` starts at '.', runs to the end of the field. "." alone is
 * zero. Returns false when the rest is not a decimal fraction.
 */
bool dt_parse_fraction(const char *p, size_t len, double *out);
/* PostgreSQL's DecodeTimeCommon on one time token (see parse_datetime.c). */
dt_status dt_decode_time(const char *p,
                         size_t len,
                         int64_t max_hour,
                         int64_t *out_hour,
                         int *out_min,
                         int *out_sec,
                         int *out_usec);
/* Raises the error for a date/time status (22007, 22008, 22009) naming `type_name`. */
bk_rc dt_error(bk_error *err, dt_status st, const char *type_name, bk_str raw);

#endif /* BK_STORAGE_PARSE_INT_H */
