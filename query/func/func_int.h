/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scalar function implementations, registered by func/registry.c, and the helpers the
 * files in func/ share: text results, numeric transcendental functions (bigdec.c), and the
 * calendar arithmetic of PostgreSQL's datetime.c/timestamp.c (datetime.c).
 */
#ifndef BK_QUERY_FUNC_FUNC_INT_H
#define BK_QUERY_FUNC_FUNC_INT_H

#include "query_int.h"

#define FUNC_ARGS                                                                          \
 const bk_eval_ctx *ctx, const bk_expr *call, const bk_vec *args, uint32_t n, bk_vec *out, \
     bk_error *err

/* Registration helpers used by each func_*.c file's registrar. */
typedef struct func_builder func_builder;
void func_add(func_builder *fb,
              const char *name,
              bk_type ret,
              uint32_t flags,
              bk_scalar_impl impl,
              unsigned n_args,
              ...);

void bk_func_register_arith(func_builder *fb);
void bk_func_register_compare(func_builder *fb);
void bk_func_register_text(func_builder *fb);
void bk_func_register_misc(func_builder *fb);
void bk_func_register_math(func_builder *fb);
void bk_func_register_string(func_builder *fb);
void bk_func_register_string_codes(func_builder *fb);
void bk_func_register_datetime(func_builder *fb);
void bk_func_register_datetime_ops(func_builder *fb);
void bk_func_register_to_char(func_builder *fb);

/* True when out row i is NULL (strict functions skip those rows). */
static inline bool func_skip(const bk_vec *out, uint32_t i)
{
    return bk_vec_is_null(out, i);
}

static inline bk_rc func_oom(bk_error *err)
{
    return bk_raise(err, OUT_OF_MEMORY, "out of memory");
}

static inline bk_str func_str(const bk_vec *v, uint32_t i)
{
    return ((const bk_str *)v->data)[i];
}

/* Copies `len` bytes into ctx->arena and stores them as text row i of out (string.c). */
BK_NODISCARD bk_rc func_set_text(const bk_eval_ctx *ctx,
                                 bk_vec *out,
                                 uint32_t i,
                                 const char *p,
                                 size_t len,
                                 bk_error *err);

/* ---- UTF-8 (text is valid UTF-8; these never read past `left`) ----------------------------- */

/* Bytes of the character starting at p. */
static inline size_t func_u8_len(const char *p, size_t left)
{
    unsigned char c = (unsigned char)p[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    return n > left ? left : n;
}

/* The code point of the len-byte character at p. */
static inline uint32_t func_u8_decode(const char *p, size_t len)
{
    const unsigned char *u = (const unsigned char *)p;
    switch (len) {
    case 1:
        return u[0];
    case 2:
        return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    case 3:
        return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    default:
        return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
               ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    }
}

/* Writes code point cp (at most U+10FFFF) as UTF-8; returns its length. */
static inline size_t func_u8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- numeric transcendental functions (bigdec.c) -------------------------------------------
 *
 * Each takes and returns Basket numerics (v / 10^scale), chooses the result scale as
 * PostgreSQL 15's numeric.c does (capped at BK_NUMERIC_MAX_SCALE, as division is), and rounds
 * the exact result half away from zero. Errors: 2201E / 2201F as PostgreSQL, 22012, 22003 when
 * the result has more than 38 digits.
 */
BK_NODISCARD bk_rc bigdec_sqrt(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err);
BK_NODISCARD bk_rc bigdec_ln(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err);
/* log(base, num). */
BK_NODISCARD bk_rc bigdec_log(bk_i128 b,
                              int bscale,
                              bk_i128 v,
                              int scale,
                              bk_i128 *out,
                              int *out_scale,
                              bk_error *err);
BK_NODISCARD bk_rc bigdec_exp(bk_i128 v, int scale, bk_i128 *out, int *out_scale, bk_error *err);
BK_NODISCARD bk_rc bigdec_power(bk_i128 b,
                                int bscale,
                                bk_i128 e,
                                int escale,
                                bk_i128 *out,
                                int *out_scale,
                                bk_error *err);

/* ---- calendar (datetime.c) ------------------------------------------------------------------ */

/* A broken-down timestamp; year is astronomical (0 = 1 BC), as PostgreSQL's pg_tm. */
typedef struct func_tm {
    int year;
    int mon;  /* 1..12 */
    int mday; /* 1..31 */
    int hour;
    int min;
    int sec;
    int usec; /* 0..999999 */
} func_tm;

/* The range of PostgreSQL's Julian-day routines (IS_VALID_JULIAN) and of dates. */
#define FUNC_JULIAN_MINYEAR  (-4713)
#define FUNC_JULIAN_MINMONTH 11
#define FUNC_JULIAN_MAXYEAR  5874898
#define FUNC_JULIAN_MAXMONTH 6
#define FUNC_DATE_END_JULIAN 2147483494 /* 5874898-06-03 */
/* 1970-01-01 as a PostgreSQL timestamp. */
#define FUNC_UNIX_EPOCH_TS ((int64_t)(BK_UNIX_EPOCH_JDAYS - BK_PG_EPOCH_JDAYS) * BK_USECS_PER_DAY)

/* The first date past the last timestamp (294277-01-01), in days since 2000-01-01. */
#define FUNC_TS_END_DAYS (109203528 - BK_PG_EPOCH_JDAYS)

/* PostgreSQL's MIN_TIMESTAMP and END_TIMESTAMP, in microseconds since 2000-01-01. */
#define FUNC_TS_MIN INT64_C(-211813488000000000)
#define FUNC_TS_END INT64_C(9223371331200000000)

/* 32-bit addition and multiplication that wrap, as PostgreSQL's (-fwrapv) do. */
int func_wrap_add(int a, int b);
int func_wrap_mul(int a, int b);
int func_wrap_sub(int a, int b);
/* Julian day number of a civil date (PostgreSQL's date2j; wraps on absurd years). */
int func_date2j(int year, int mon, int mday);
void func_j2date(int jd, int *year, int *mon, int *mday);
/* Day of the week of a Julian day, 0 = Sunday. */
int func_j2day(int jd);
int func_isoweek(int year, int mon, int mday);
int func_isoyear(int year, int mon, int mday);
/* Julian day of the Monday of ISO week `week` of ISO year `isoyear`. */
int func_isoweek2j(int isoyear, int week);
bool func_is_leap(int year);
int func_days_in_month(int year, int mon);
/* PostgreSQL's IS_VALID_JULIAN: the date is inside the Julian-day routines' range. */
bool func_valid_julian(int year, int mon, int mday);
/* timestamp2tm; false when the timestamp is outside the Julian range. */
bool func_ts2tm(int64_t ts, func_tm *tm);
/* tm2timestamp; false when the result is not a valid timestamp ("timestamp out of range"). */
bool func_tm2ts(const func_tm *tm, int64_t *out);
/* The current time as a PostgreSQL timestamp (microseconds since 2000-01-01 UTC). */
int64_t func_now_ts(void);

#endif /* BK_QUERY_FUNC_FUNC_INT_H */
