/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The calendar of PostgreSQL's datetime.c and timestamp.c (Julian day numbers, ISO weeks,
 * broken-down timestamps), shared by the func_*.c files, and the functions that take dates,
 * timestamps and intervals apart: date_trunc, date_part (float8) and EXTRACT (numeric, with
 * PostgreSQL 14+'s scales: 6 for second and epoch, 3 for milliseconds). Arithmetic and the
 * functions that build values are in datetime_ops.c.
 *
 * Basket's TimeZone is always UTC, so timestamptz behaves as timestamp with a zero offset.
 *
 * Units ("year", "mon", "microseconds", ...) are looked up as PostgreSQL's DecodeUnits and
 * DecodeSpecial do: lower-cased, compared on their first 10 characters, with the same
 * "not recognized" (22023) and "not supported" (0A000) errors.
 */
#include <math.h>
#include <string.h>

#include "func_int.h"

/* ---- calendar helpers ----------------------------------------------------------------------- */

#define USECS_PER_HOUR INT64_C(3600000000)
#define USECS_PER_MIN  INT64_C(60000000)

/*
 * PostgreSQL builds with -fwrapv, so its calendar arithmetic wraps on absurd inputs (interval
 * "years" in to_char, huge fields in to_date) instead of being undefined. These helpers do the
 * same with explicit 32-bit wrapping, which keeps their answers identical and UBSan quiet.
 */
static int wadd(int a, int b)
{
    return (int)(int32_t)((uint32_t)a + (uint32_t)b);
}

static int wmul(int a, int b)
{
    return (int)(int32_t)((uint32_t)a * (uint32_t)b);
}

int func_date2j(int year, int mon, int mday)
{
    if (mon > 2) {
        mon = wadd(mon, 1);
        year = wadd(year, 4800);
    } else {
        mon = wadd(mon, 13);
        year = wadd(year, 4799);
    }
    int century = year / 100;
    int julian = wadd(wmul(year, 365), -32167);
    julian = wadd(julian, wadd(wadd(year / 4, -century), century / 4));
    return wadd(julian, wadd(wmul(7834, mon) / 256, mday));
}

void func_j2date(int jd, int *year, int *mon, int *mday)
{
    /* PostgreSQL's j2date, in unsigned arithmetic: defined (and identical) for any jd. */
    unsigned int julian = (unsigned int)jd + 32044u;
    unsigned int quad = julian / 146097u;
    unsigned int extra = (julian - quad * 146097u) * 4u + 3u;
    julian += 60u + quad * 3u + extra / 146097u;
    quad = julian / 1461u;
    julian -= quad * 1461u;
    unsigned int y = julian * 4u / 1461u;
    julian = ((y != 0) ? ((julian + 305u) % 365u) : ((julian + 306u) % 366u)) + 123u;
    y += quad * 4u;
    *year = (int)y - 4800;
    quad = julian * 2141u / 65536u;
    *mday = (int)(julian - 7834u * quad / 256u);
    *mon = (int)((quad + 10u) % 12u + 1u);
}

int func_j2day(int jd)
{
    int d = wadd(jd, 1) % 7;
    return d < 0 ? d + 7 : d;
}

bool func_is_leap(int year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int func_days_in_month(int year, int mon)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mdays[mon - 1] + (mon == 2 && func_is_leap(year) ? 1 : 0);
}

bool func_valid_julian(int year, int mon, int mday)
{
    (void)mday;
    return (year > FUNC_JULIAN_MINYEAR ||
            (year == FUNC_JULIAN_MINYEAR && mon >= FUNC_JULIAN_MINMONTH)) &&
           (year < FUNC_JULIAN_MAXYEAR ||
            (year == FUNC_JULIAN_MAXYEAR && mon < FUNC_JULIAN_MAXMONTH));
}

/* Julian day of the ISO year's first Monday: PostgreSQL's day4 - day0. */
static int iso_first_monday(int year)
{
    int day4 = func_date2j(year, 1, 4);
    return wadd(day4, -func_j2day(wadd(day4, -1)));
}

int func_isoweek(int year, int mon, int mday)
{
    int dayn = func_date2j(year, mon, mday);
    int start = iso_first_monday(year);
    if (dayn < start) {
        start = iso_first_monday(wadd(year, -1));
    }
    int week = wadd(wadd(dayn, -start) / 7, 1);
    if (week >= 52) {
        int next = iso_first_monday(wadd(year, 1));
        if (dayn >= next) {
            week = wadd(wadd(dayn, -next) / 7, 1);
        }
    }
    return week;
}

int func_isoyear(int year, int mon, int mday)
{
    int dayn = func_date2j(year, mon, mday);
    int start = iso_first_monday(year);
    if (dayn < start) {
        year = wadd(year, -1);
        start = iso_first_monday(year);
    }
    int week = wadd(wadd(dayn, -start) / 7, 1);
    if (week >= 52 && dayn >= iso_first_monday(wadd(year, 1))) {
        year = wadd(year, 1);
    }
    return year;
}

int func_isoweek2j(int isoyear, int week)
{
    return wadd(wmul(wadd(week, -1), 7), iso_first_monday(isoyear));
}

int func_wrap_add(int a, int b)
{
    return wadd(a, b);
}

int func_wrap_mul(int a, int b)
{
    return wmul(a, b);
}

int func_wrap_sub(int a, int b)
{
    return (int)(int32_t)((uint32_t)a - (uint32_t)b);
}

bool func_ts2tm(int64_t ts, func_tm *tm)
{
    int64_t date = ts / BK_USECS_PER_DAY;
    int64_t time = ts - date * BK_USECS_PER_DAY;
    if (time < 0) {
        time += BK_USECS_PER_DAY;
        date--;
    }
    date += BK_PG_EPOCH_JDAYS;
    if (date < 0 || date > INT32_MAX) {
        return false;
    }
    func_j2date((int)date, &tm->year, &tm->mon, &tm->mday);
    tm->hour = (int)(time / USECS_PER_HOUR);
    time -= tm->hour * USECS_PER_HOUR;
    tm->min = (int)(time / USECS_PER_MIN);
    time -= tm->min * USECS_PER_MIN;
    tm->sec = (int)(time / BK_USECS_PER_SEC);
    tm->usec = (int)(time - tm->sec * BK_USECS_PER_SEC);
    return true;
}

bool func_tm2ts(const func_tm *tm, int64_t *out)
{
    if (!func_valid_julian(tm->year, tm->mon, tm->mday)) {
        return false;
    }
    int64_t date = (int64_t)func_date2j(tm->year, tm->mon, tm->mday) - BK_PG_EPOCH_JDAYS;
    int64_t time =
        ((int64_t)tm->hour * 3600 + (int64_t)tm->min * 60 + tm->sec) * BK_USECS_PER_SEC + tm->usec;
    int64_t r;
    if (__builtin_mul_overflow(date, BK_USECS_PER_DAY, &r) || __builtin_add_overflow(r, time, &r)) {
        return false;
    }
    if ((r < 0 && date > 0) || (r > 0 && date < -1)) {
        return false;
    }
    if (r < FUNC_TS_MIN || r >= FUNC_TS_END) {
        return false;
    }
    *out = r;
    return true;
}

int64_t func_now_ts(void)
{
    return bk_clock_real_us() + FUNC_UNIX_EPOCH_TS;
}

static bk_rc ts_range(bk_error *err)
{
    return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range");
}

static bk_rc interval_range(bk_error *err)
{
    return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "interval out of range");
}

/* ---- units ---------------------------------------------------------------------------------- */

typedef enum unit_kind {
    UK_UNITS,   /* a field name: "year", "dow", ... */
    UK_RESERV,  /* a reserved word: "epoch", "now", ... */
    UK_UNKNOWN, /* anything else */
} unit_kind;

typedef enum dt_unit {
    U_NONE,
    U_MICROSEC,
    U_MILLISEC,
    U_SECOND,
    U_MINUTE,
    U_HOUR,
    U_DAY,
    U_WEEK,
    U_MONTH,
    U_QUARTER,
    U_YEAR,
    U_DECADE,
    U_CENTURY,
    U_MILLENNIUM,
    U_TZ,
    U_TZ_HOUR,
    U_TZ_MINUTE,
    U_DOW,
    U_ISODOW,
    U_DOY,
    U_ISOYEAR,
    U_JULIAN,
    U_EPOCH,
} dt_unit;

typedef struct unit_token {
    const char *token;
    unit_kind kind;
    dt_unit unit;
} unit_token;

/* PostgreSQL's deltatktbl (DecodeUnits), UNITS entries; other entries are not units. */
static const unit_token delta_units[] = {
    {         "c", UK_UNITS,    U_CENTURY},
    {      "cent", UK_UNITS,    U_CENTURY},
    { "centuries", UK_UNITS,    U_CENTURY},
    {   "century", UK_UNITS,    U_CENTURY},
    {         "d", UK_UNITS,        U_DAY},
    {       "day", UK_UNITS,        U_DAY},
    {      "days", UK_UNITS,        U_DAY},
    {       "dec", UK_UNITS,     U_DECADE},
    {    "decade", UK_UNITS,     U_DECADE},
    {   "decades", UK_UNITS,     U_DECADE},
    {      "decs", UK_UNITS,     U_DECADE},
    {         "h", UK_UNITS,       U_HOUR},
    {      "hour", UK_UNITS,       U_HOUR},
    {     "hours", UK_UNITS,       U_HOUR},
    {        "hr", UK_UNITS,       U_HOUR},
    {       "hrs", UK_UNITS,       U_HOUR},
    {         "m", UK_UNITS,     U_MINUTE},
    {"microsecon", UK_UNITS,   U_MICROSEC},
    {       "mil", UK_UNITS, U_MILLENNIUM},
    { "millennia", UK_UNITS, U_MILLENNIUM},
    {"millennium", UK_UNITS, U_MILLENNIUM},
    {"millisecon", UK_UNITS,   U_MILLISEC},
    {      "mils", UK_UNITS, U_MILLENNIUM},
    {       "min", UK_UNITS,     U_MINUTE},
    {      "mins", UK_UNITS,     U_MINUTE},
    {    "minute", UK_UNITS,     U_MINUTE},
    {   "minutes", UK_UNITS,     U_MINUTE},
    {       "mon", UK_UNITS,      U_MONTH},
    {      "mons", UK_UNITS,      U_MONTH},
    {     "month", UK_UNITS,      U_MONTH},
    {    "months", UK_UNITS,      U_MONTH},
    {        "ms", UK_UNITS,   U_MILLISEC},
    {      "msec", UK_UNITS,   U_MILLISEC},
    {  "mseconds", UK_UNITS,   U_MILLISEC},
    {     "msecs", UK_UNITS,   U_MILLISEC},
    {       "qtr", UK_UNITS,    U_QUARTER},
    {   "quarter", UK_UNITS,    U_QUARTER},
    {         "s", UK_UNITS,     U_SECOND},
    {       "sec", UK_UNITS,     U_SECOND},
    {    "second", UK_UNITS,     U_SECOND},
    {   "seconds", UK_UNITS,     U_SECOND},
    {      "secs", UK_UNITS,     U_SECOND},
    {  "timezone", UK_UNITS,         U_TZ},
    {"timezone_h", UK_UNITS,    U_TZ_HOUR},
    {"timezone_m", UK_UNITS,  U_TZ_MINUTE},
    {        "us", UK_UNITS,   U_MICROSEC},
    {      "usec", UK_UNITS,   U_MICROSEC},
    {  "useconds", UK_UNITS,   U_MICROSEC},
    {     "usecs", UK_UNITS,   U_MICROSEC},
    {         "w", UK_UNITS,       U_WEEK},
    {      "week", UK_UNITS,       U_WEEK},
    {     "weeks", UK_UNITS,       U_WEEK},
    {         "y", UK_UNITS,       U_YEAR},
    {      "year", UK_UNITS,       U_YEAR},
    {     "years", UK_UNITS,       U_YEAR},
    {        "yr", UK_UNITS,       U_YEAR},
    {       "yrs", UK_UNITS,       U_YEAR},
};

/* PostgreSQL's datetktbl (DecodeSpecial): its UNITS and RESERV entries. */
static const unit_token special_units[] = {
    {"-infinity", UK_RESERV,    U_NONE},
    { "allballs", UK_RESERV,    U_NONE},
    {      "dow",  UK_UNITS,     U_DOW},
    {      "doy",  UK_UNITS,     U_DOY},
    {    "epoch", UK_RESERV,   U_EPOCH},
    { "infinity", UK_RESERV,    U_NONE},
    {   "isodow",  UK_UNITS,  U_ISODOW},
    {  "isoyear",  UK_UNITS, U_ISOYEAR},
    {        "j",  UK_UNITS,  U_JULIAN},
    {       "jd",  UK_UNITS,  U_JULIAN},
    {   "julian",  UK_UNITS,  U_JULIAN},
    {       "mm",  UK_UNITS,  U_MINUTE},
    {      "now", UK_RESERV,    U_NONE},
    {    "today", UK_RESERV,    U_NONE},
    { "tomorrow", UK_RESERV,    U_NONE},
    {"yesterday", UK_RESERV,    U_NONE},
};

/* Entries of deltatktbl that are not units ("@", "ago"): found, so never tried as special. */
static const char *const delta_other[] = {"@", "ago"};

#define TOKMAXLEN 10

typedef struct unit_spec {
    unit_kind kind;
    dt_unit unit;
    char low[64]; /* the lower-cased text, for messages (NAMEDATALEN - 1 bytes) */
} unit_spec;

/*
 * Decodes a unit name. date_part/extract try PostgreSQL's DecodeUnits, then DecodeSpecial
 * (`special`: "epoch", "dow", "julian", ...); date_trunc uses DecodeUnits only.
 */
static void unit_decode(bk_str s, bool special, unit_spec *u)
{
    /* downcase_truncate_identifier: ASCII down-casing, cut to 63 bytes on a character edge. */
    size_t len = s.len;
    if (len > sizeof u->low - 1) {
        len = sizeof u->low - 1;
        while (len > 0 && ((unsigned char)s.ptr[len] & 0xC0) == 0x80) {
            len--;
        }
    }
    for (size_t i = 0; i < len; i++) {
        char c = s.ptr[i];
        u->low[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    u->low[len] = '\0';
    u->kind = UK_UNKNOWN;
    u->unit = U_NONE;
    for (size_t i = 0; i < BK_ARRAY_LEN(delta_units); i++) {
        if (strncmp(u->low, delta_units[i].token, TOKMAXLEN) == 0) {
            u->kind = UK_UNITS;
            u->unit = delta_units[i].unit;
            return;
        }
    }
    for (size_t i = 0; i < BK_ARRAY_LEN(delta_other); i++) {
        if (strncmp(u->low, delta_other[i], TOKMAXLEN) == 0) {
            return;
        }
    }
    for (size_t i = 0; special && i < BK_ARRAY_LEN(special_units); i++) {
        if (strncmp(u->low, special_units[i].token, TOKMAXLEN) == 0) {
            u->kind = special_units[i].kind;
            u->unit = special_units[i].unit;
            return;
        }
    }
}

/* The decoding of the last unit seen: units are constants in practice, decoded once a batch. */
typedef struct unit_cache {
    bool valid;
    bk_str text; /* points into the argument vector, alive for the call */
    unit_spec u;
} unit_cache;

static const unit_spec *unit_for(unit_cache *c, bk_str s, bool special)
{
    if (!c->valid || c->text.len != s.len ||
        (s.len > 0 && memcmp(c->text.ptr, s.ptr, s.len) != 0)) {
        unit_decode(s, special, &c->u);
        c->text = s;
        c->valid = true;
    }
    return &c->u;
}

static bk_rc unit_not_supported(bk_error *err, const unit_spec *u, const char *type)
{
    return bk_raise(err, FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s", u->low,
                    type);
}

static bk_rc unit_not_recognized(bk_error *err, const unit_spec *u, const char *type)
{
    return bk_raise(err, INVALID_PARAMETER_VALUE, "unit \"%s\" not recognized for type %s", u->low,
                    type);
}

#define T_TS   "timestamp without time zone"
#define T_TSTZ "timestamp with time zone"
#define T_DATE "date"
#define T_IV   "interval"

/* ---- date_trunc ----------------------------------------------------------------------------- */

static bk_rc trunc_ts(const unit_spec *u, int64_t ts, const char *type, int64_t *out, bk_error *err)
{
    if (u->kind != UK_UNITS) {
        return unit_not_recognized(err, u, type);
    }
    func_tm tm;
    if (!func_ts2tm(ts, &tm)) {
        return ts_range(err);
    }
    dt_unit unit = u->unit;
    switch (unit) {
    case U_WEEK: {
        int woy = func_isoweek(tm.year, tm.mon, tm.mday);
        int year = tm.year;
        if (woy >= 52 && tm.mon == 1) {
            year--;
        }
        if (woy <= 1 && tm.mon == 12) {
            year++;
        }
        func_j2date(func_isoweek2j(year, woy), &tm.year, &tm.mon, &tm.mday);
        tm.hour = tm.min = tm.sec = tm.usec = 0;
        break;
    }
    case U_MILLENNIUM:
    case U_CENTURY:
    case U_DECADE:
    case U_YEAR:
    case U_QUARTER:
    case U_MONTH:
    case U_DAY:
    case U_HOUR:
    case U_MINUTE:
    case U_SECOND:
        /* PostgreSQL's fall-through chain: each unit clears every smaller field. */
        if (unit == U_MILLENNIUM) {
            tm.year = tm.year > 0 ? ((tm.year + 999) / 1000) * 1000 - 999
                                  : -((999 - (tm.year - 1)) / 1000) * 1000 + 1;
        }
        if (unit == U_MILLENNIUM || unit == U_CENTURY) {
            tm.year = tm.year > 0 ? ((tm.year + 99) / 100) * 100 - 99
                                  : -((99 - (tm.year - 1)) / 100) * 100 + 1;
        }
        if (unit == U_DECADE) {
            tm.year = tm.year > 0 ? (tm.year / 10) * 10 : -((8 - (tm.year - 1)) / 10) * 10;
        }
        if (unit >= U_YEAR) {
            tm.mon = 1;
        }
        if (unit >= U_QUARTER) {
            tm.mon = 3 * ((tm.mon - 1) / 3) + 1;
        }
        if (unit >= U_MONTH) {
            tm.mday = 1;
        }
        if (unit >= U_DAY) {
            tm.hour = 0;
        }
        if (unit >= U_HOUR) {
            tm.min = 0;
        }
        if (unit >= U_MINUTE) {
            tm.sec = 0;
        }
        tm.usec = 0;
        break;
    case U_MILLISEC:
        tm.usec = (tm.usec / 1000) * 1000;
        break;
    case U_MICROSEC:
        break;
    default:
        return unit_not_supported(err, u, type);
    }
    if (!func_tm2ts(&tm, out)) {
        return ts_range(err);
    }
    return BK_OK;
}

static bk_rc date_trunc_ts_apply(FUNC_ARGS, const char *type)
{
    (void)ctx;
    (void)call;
    const int64_t *ts = args[1].data;
    int64_t *r = out->data;
    unit_cache uc = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        const unit_spec *u = unit_for(&uc, func_str(&args[0], i), false);
        if (trunc_ts(u, ts[i], type, &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc date_trunc_ts(FUNC_ARGS)
{
    return date_trunc_ts_apply(ctx, call, args, n, out, err, T_TS);
}

static bk_rc date_trunc_tstz(FUNC_ARGS)
{
    return date_trunc_ts_apply(ctx, call, args, n, out, err, T_TSTZ);
}

/* PostgreSQL's interval2itm: C division, so every field carries the sign of its source. */
typedef struct iv_tm {
    int year, mon, mday;
    int64_t hour;
    int min, sec, usec;
} iv_tm;

static void iv_split(bk_interval v, iv_tm *tm)
{
    tm->year = v.months / 12;
    tm->mon = v.months % 12;
    tm->mday = v.days;
    int64_t t = v.us;
    tm->hour = t / USECS_PER_HOUR;
    t -= tm->hour * USECS_PER_HOUR;
    tm->min = (int)(t / USECS_PER_MIN);
    t -= tm->min * USECS_PER_MIN;
    tm->sec = (int)(t / BK_USECS_PER_SEC);
    tm->usec = (int)(t - tm->sec * BK_USECS_PER_SEC);
}

static bk_rc iv_join(const iv_tm *tm, bk_interval *out, bk_error *err)
{
    int64_t months = (int64_t)tm->year * 12 + tm->mon;
    if (months < INT32_MIN || months > INT32_MAX) {
        return interval_range(err);
    }
    int64_t us;
    if (__builtin_mul_overflow(tm->hour, USECS_PER_HOUR, &us) ||
        __builtin_add_overflow(us, (int64_t)tm->min * USECS_PER_MIN, &us) ||
        __builtin_add_overflow(us, (int64_t)tm->sec * BK_USECS_PER_SEC + tm->usec, &us)) {
        return interval_range(err);
    }
    out->months = (int32_t)months;
    out->days = tm->mday;
    out->us = us;
    return BK_OK;
}

static bk_rc date_trunc_iv(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const bk_interval *iv = args[1].data;
    bk_interval *r = out->data;
    unit_cache uc = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        const unit_spec *u = unit_for(&uc, func_str(&args[0], i), false);
        if (u->kind != UK_UNITS) {
            return unit_not_recognized(err, u, T_IV);
        }
        iv_tm tm;
        iv_split(iv[i], &tm);
        dt_unit unit = u->unit;
        switch (unit) {
        case U_MILLENNIUM:
        case U_CENTURY:
        case U_DECADE:
        case U_YEAR:
        case U_QUARTER:
        case U_MONTH:
        case U_DAY:
        case U_HOUR:
        case U_MINUTE:
        case U_SECOND:
            if (unit == U_MILLENNIUM) {
                tm.year = (tm.year / 1000) * 1000;
            }
            if (unit == U_MILLENNIUM || unit == U_CENTURY) {
                tm.year = (tm.year / 100) * 100;
            }
            if (unit == U_MILLENNIUM || unit == U_CENTURY || unit == U_DECADE) {
                tm.year = (tm.year / 10) * 10;
            }
            if (unit >= U_YEAR) {
                tm.mon = 0;
            }
            if (unit >= U_QUARTER) {
                tm.mon = 3 * (tm.mon / 3);
            }
            if (unit >= U_MONTH) {
                tm.mday = 0;
            }
            if (unit >= U_DAY) {
                tm.hour = 0;
            }
            if (unit >= U_HOUR) {
                tm.min = 0;
            }
            if (unit >= U_MINUTE) {
                tm.sec = 0;
            }
            tm.usec = 0;
            break;
        case U_MILLISEC:
            tm.usec = (tm.usec / 1000) * 1000;
            break;
        case U_MICROSEC:
            break;
        default:
            unit_not_supported(err, u, T_IV);
            if (unit == U_WEEK) {
                bk_error_detail(err, "Months usually have fractional weeks.");
            }
            return BK_ERR;
        }
        if (iv_join(&tm, &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

/* ---- date_part / extract -------------------------------------------------------------------- */

/*
 * A field's value: an integer, or an exact decimal (numeric) with its float8 twin computed
 * the way PostgreSQL's date_part computes it (the two can differ in the last bits).
 */
typedef struct part_value {
    bool is_int;
    int64_t i;
    bk_i128 num; /* when !is_int */
    int scale;
    double dbl; /* when !is_int */
} part_value;

static void part_int(part_value *p, int64_t v)
{
    p->is_int = true;
    p->i = v;
}

static void part_dec(part_value *p, int64_t v, int scale, double dbl)
{
    p->is_int = false;
    p->num = v;
    p->scale = scale;
    p->dbl = dbl;
}

static int year_field(int year, dt_unit unit)
{
    switch (unit) {
    case U_YEAR:
        return year > 0 ? year : year - 1;
    case U_DECADE:
        return year >= 0 ? year / 10 : -((8 - (year - 1)) / 10);
    case U_CENTURY:
        return year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100);
    default: /* U_MILLENNIUM */
        return year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
    }
}

/* The calendar fields shared by timestamps and dates; false when `unit` is not one of them. */
static bool date_fields(int year, int mon, int mday, dt_unit unit, int64_t *v)
{
    switch (unit) {
    case U_DAY:
        *v = mday;
        return true;
    case U_MONTH:
        *v = mon;
        return true;
    case U_QUARTER:
        *v = (mon - 1) / 3 + 1;
        return true;
    case U_WEEK:
        *v = func_isoweek(year, mon, mday);
        return true;
    case U_YEAR:
    case U_DECADE:
    case U_CENTURY:
    case U_MILLENNIUM:
        *v = year_field(year, unit);
        return true;
    case U_ISOYEAR: {
        int y = func_isoyear(year, mon, mday);
        *v = y <= 0 ? y - 1 : y;
        return true;
    }
    case U_DOW:
    case U_ISODOW: {
        int d = func_j2day(func_date2j(year, mon, mday));
        *v = (unit == U_ISODOW && d == 0) ? 7 : d;
        return true;
    }
    case U_DOY:
        *v = func_date2j(year, mon, mday) - func_date2j(year, 1, 1) + 1;
        return true;
    default:
        return false;
    }
}

/* The numeric julian value of a timestamp: day number plus the fraction of the day. */
static bk_rc julian_numeric(int jd, int64_t day_us, part_value *p, bk_error *err)
{
    bk_i128 q, r;
    int qs, rs;
    if (bk_numeric_div(day_us, 0, BK_USECS_PER_DAY, 0, &q, &qs, err) != BK_OK ||
        bk_numeric_add(jd, 0, q, qs, &r, &rs, err) != BK_OK) {
        return BK_ERR;
    }
    p->is_int = false;
    p->num = r;
    p->scale = rs;
    return BK_OK;
}

static bk_rc
ts_part(const unit_spec *u, int64_t ts, const char *type, bool tz, part_value *p, bk_error *err)
{
    if (u->kind == UK_RESERV) {
        if (u->unit != U_EPOCH) {
            return unit_not_supported(err, u, type);
        }
        int64_t d;
        if (!__builtin_sub_overflow(ts, FUNC_UNIX_EPOCH_TS, &d)) {
            part_dec(p, d, 6, (double)d / 1000000.0);
            return BK_OK;
        }
        /*
         * Past int64 (the last millennia of the range) PostgreSQL divides in numeric, at
         * division's own scale, and then rounds to 6 decimals; the float8 is computed apart.
         */
        bk_i128 q;
        int qs;
        if (bk_numeric_div((bk_i128)ts - FUNC_UNIX_EPOCH_TS, 0, 1000000, 0, &q, &qs, err) !=
                BK_OK ||
            bk_numeric_rescale(q, qs, 6, &p->num, err) != BK_OK) {
            return BK_ERR;
        }
        p->is_int = false;
        p->scale = 6;
        p->dbl = ((double)ts - (double)FUNC_UNIX_EPOCH_TS) / 1000000.0;
        return BK_OK;
    }
    if (u->kind != UK_UNITS) {
        return unit_not_recognized(err, u, type);
    }
    func_tm tm;
    if (!func_ts2tm(ts, &tm)) {
        return ts_range(err);
    }
    int64_t v;
    int64_t sec_us = (int64_t)tm.sec * BK_USECS_PER_SEC + tm.usec;
    switch (u->unit) {
    case U_MICROSEC:
        part_int(p, sec_us);
        return BK_OK;
    case U_MILLISEC:
        part_dec(p, sec_us, 3, tm.sec * 1000.0 + tm.usec / 1000.0);
        return BK_OK;
    case U_SECOND:
        part_dec(p, sec_us, 6, tm.sec + tm.usec / 1000000.0);
        return BK_OK;
    case U_MINUTE:
        part_int(p, tm.min);
        return BK_OK;
    case U_HOUR:
        part_int(p, tm.hour);
        return BK_OK;
    case U_JULIAN: {
        int jd = func_date2j(tm.year, tm.mon, tm.mday);
        int64_t day_us = ((tm.hour * 60 + tm.min) * 60 + tm.sec) * BK_USECS_PER_SEC + tm.usec;
        if (julian_numeric(jd, day_us, p, err) != BK_OK) {
            return BK_ERR;
        }
        p->dbl = jd + ((((tm.hour * 60) + tm.min) * 60) + tm.sec + (tm.usec / 1000000.0)) /
                          (double)86400;
        return BK_OK;
    }
    case U_TZ:
    case U_TZ_HOUR:
    case U_TZ_MINUTE:
        if (tz) {
            part_int(p, 0); /* TimeZone is UTC */
            return BK_OK;
        }
        return unit_not_supported(err, u, type);
    default:
        if (date_fields(tm.year, tm.mon, tm.mday, u->unit, &v)) {
            part_int(p, v);
            return BK_OK;
        }
        return unit_not_supported(err, u, type);
    }
}

static bk_rc date_part_of(const unit_spec *u, int32_t date, part_value *p, bk_error *err)
{
    if (u->kind == UK_RESERV) {
        if (u->unit != U_EPOCH) {
            return unit_not_supported(err, u, T_DATE);
        }
        part_int(p, ((int64_t)date + BK_PG_EPOCH_JDAYS - BK_UNIX_EPOCH_JDAYS) * 86400);
        return BK_OK;
    }
    if (u->kind != UK_UNITS) {
        return unit_not_recognized(err, u, T_DATE);
    }
    if (u->unit == U_JULIAN) {
        part_int(p, (int64_t)date + BK_PG_EPOCH_JDAYS);
        return BK_OK;
    }
    int y, m, d;
    func_j2date(date + BK_PG_EPOCH_JDAYS, &y, &m, &d);
    int64_t v;
    if (date_fields(y, m, d, u->unit, &v)) {
        part_int(p, v);
        return BK_OK;
    }
    return unit_not_supported(err, u, T_DATE);
}

static bk_rc iv_part(const unit_spec *u, bk_interval iv, part_value *p, bk_error *err)
{
    if (u->kind == UK_RESERV && u->unit == U_EPOCH) {
        /* Days per year 365.25 and per month 30, computed in quarters of a day as PG does. */
        int64_t secs = ((int64_t)(4 * 365.25) * (iv.months / 12) +
                        (int64_t)(4 * 30) * (iv.months % 12) + (int64_t)4 * iv.days) *
                       (86400 / 4);
        double dbl = (double)iv.us / 1000000.0;
        dbl += (365.25 * 86400) * (iv.months / 12);
        dbl += (30.0 * 86400) * (iv.months % 12);
        dbl += 86400.0 * iv.days;
        bk_i128 total = (bk_i128)secs * 1000000 + iv.us;
        p->is_int = false;
        p->num = total;
        p->scale = 6;
        p->dbl = dbl;
        return BK_OK;
    }
    if (u->kind != UK_UNITS) {
        return unit_not_recognized(err, u, T_IV);
    }
    iv_tm tm;
    iv_split(iv, &tm);
    int64_t sec_us = (int64_t)tm.sec * BK_USECS_PER_SEC + tm.usec;
    switch (u->unit) {
    case U_MICROSEC:
        part_int(p, sec_us);
        return BK_OK;
    case U_MILLISEC:
        part_dec(p, sec_us, 3, tm.sec * 1000.0 + tm.usec / 1000.0);
        return BK_OK;
    case U_SECOND:
        part_dec(p, sec_us, 6, tm.sec + tm.usec / 1000000.0);
        return BK_OK;
    case U_MINUTE:
        part_int(p, tm.min);
        return BK_OK;
    case U_HOUR:
        part_int(p, tm.hour);
        return BK_OK;
    case U_DAY:
        part_int(p, tm.mday);
        return BK_OK;
    case U_MONTH:
        part_int(p, tm.mon);
        return BK_OK;
    case U_QUARTER:
        part_int(p, tm.mon / 3 + 1);
        return BK_OK;
    case U_YEAR:
        part_int(p, tm.year);
        return BK_OK;
    case U_DECADE:
        part_int(p, tm.year / 10);
        return BK_OK;
    case U_CENTURY:
        part_int(p, tm.year / 100);
        return BK_OK;
    case U_MILLENNIUM:
        part_int(p, tm.year / 1000);
        return BK_OK;
    default:
        return unit_not_supported(err, u, T_IV);
    }
}

typedef enum part_src {
    SRC_TS,
    SRC_TSTZ,
    SRC_DATE,
    SRC_IV,
} part_src;

static bk_rc part_apply(const bk_vec *args, uint32_t n, bk_vec *out, part_src src, bk_error *err)
{
    bool numeric = out->type.id == BK_TYPE_NUMERIC;
    unit_cache uc = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        const unit_spec *u = unit_for(&uc, func_str(&args[0], i), true);
        part_value p;
        bk_rc rc;
        switch (src) {
        case SRC_TS:
            rc = ts_part(u, ((const int64_t *)args[1].data)[i], T_TS, false, &p, err);
            break;
        case SRC_TSTZ:
            rc = ts_part(u, ((const int64_t *)args[1].data)[i], T_TSTZ, true, &p, err);
            break;
        case SRC_DATE:
            if (numeric) {
                rc = date_part_of(u, ((const int32_t *)args[1].data)[i], &p, err);
            } else {
                /* date_part(text, date) is PostgreSQL's SQL function over the timestamp. */
                int32_t d = ((const int32_t *)args[1].data)[i];
                if (d >= FUNC_TS_END_DAYS) {
                    return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE,
                                    "date out of range for timestamp");
                }
                rc = ts_part(u, (int64_t)d * BK_USECS_PER_DAY, T_TS, false, &p, err);
            }
            break;
        default:
            rc = iv_part(u, ((const bk_interval *)args[1].data)[i], &p, err);
            break;
        }
        if (rc != BK_OK) {
            return BK_ERR;
        }
        if (numeric) {
            ((bk_i128 *)out->data)[i] = p.is_int ? (bk_i128)p.i : p.num;
            out->scale[i] = (uint8_t)(p.is_int ? 0 : p.scale);
        } else {
            ((double *)out->data)[i] = p.is_int ? (double)p.i : p.dbl;
        }
    }
    return BK_OK;
}

#define PART_IMPL(NAME, SRC)                 \
 static bk_rc NAME(FUNC_ARGS)                \
 {                                           \
  (void)ctx;                                 \
  (void)call;                                \
  return part_apply(args, n, out, SRC, err); \
 }

PART_IMPL(part_ts, SRC_TS)
PART_IMPL(part_tstz, SRC_TSTZ)
PART_IMPL(part_date, SRC_DATE)
PART_IMPL(part_iv, SRC_IV)

void bk_func_register_datetime(func_builder *fb)
{
    bk_type ts = bk_type_of(BK_TYPE_TIMESTAMP), tstz = bk_type_of(BK_TYPE_TIMESTAMPTZ);
    bk_type iv = bk_type_of(BK_TYPE_INTERVAL), f8 = bk_type_of(BK_TYPE_FLOAT8);
    bk_type num = bk_type_of(BK_TYPE_NUMERIC);
    const bk_type_id T = BK_TYPE_TEXT, TS = BK_TYPE_TIMESTAMP, TSTZ = BK_TYPE_TIMESTAMPTZ;
    const bk_type_id D = BK_TYPE_DATE, IV = BK_TYPE_INTERVAL;

    func_add(fb, "date_trunc", ts, 0, date_trunc_ts, 2, T, TS);
    func_add(fb, "date_trunc", tstz, 0, date_trunc_tstz, 2, T, TSTZ);
    func_add(fb, "date_trunc", iv, 0, date_trunc_iv, 2, T, IV);
    func_add(fb, "date_part", f8, 0, part_ts, 2, T, TS);
    func_add(fb, "date_part", f8, 0, part_tstz, 2, T, TSTZ);
    func_add(fb, "date_part", f8, 0, part_date, 2, T, D);
    func_add(fb, "date_part", f8, 0, part_iv, 2, T, IV);
    func_add(fb, "extract", num, 0, part_ts, 2, T, TS);
    func_add(fb, "extract", num, 0, part_tstz, 2, T, TSTZ);
    func_add(fb, "extract", num, 0, part_date, 2, T, D);
    func_add(fb, "extract", num, 0, part_iv, 2, T, IV);
}
