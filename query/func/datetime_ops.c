/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Date, timestamp and interval operators and functions that compute new values (datetime.c
 * takes values apart): date +/- integer, date - date, timestamp/date +/- interval,
 * timestamp - timestamp, interval + - * / and unary minus, justify_hours/days/interval, age,
 * make_date, to_timestamp(float8), isfinite, and now() with the SQL-standard current_* values.
 *
 * PostgreSQL's rules: months are added field-wise with the day clamped to the month's end,
 * then days through the Julian day number, then the time; `timestamp - timestamp` is justified
 * into days and time, never months; interval * float8 cascades fractional months (30 days)
 * and days (24 hours) down. Every result is range-checked: 22008 "timestamp out of range",
 * "date out of range", "interval out of range".
 */
#include <math.h>
#include <string.h>

#include "func_int.h"

static bk_rc ts_range(bk_error *err)
{
    return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range");
}

static bk_rc interval_range(bk_error *err)
{
    return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "interval out of range");
}

static bool valid_date(int64_t d)
{
    return d >= -BK_PG_EPOCH_JDAYS && d < (int64_t)FUNC_DATE_END_JULIAN - BK_PG_EPOCH_JDAYS;
}

static bool valid_ts(int64_t ts)
{
    return ts >= FUNC_TS_MIN && ts < FUNC_TS_END;
}

/* ---- arithmetic ----------------------------------------------------------------------------- */

static bk_rc ts_add_interval(int64_t ts, bk_interval span, int64_t *out, bk_error *err)
{
    if (span.months != 0) {
        func_tm tm;
        if (!func_ts2tm(ts, &tm)) {
            return ts_range(err);
        }
        int64_t mon = (int64_t)tm.mon + span.months;
        int64_t year = tm.year;
        if (mon > 12) {
            year += (mon - 1) / 12;
            mon = (mon - 1) % 12 + 1;
        } else if (mon < 1) {
            year += mon / 12 - 1;
            mon = mon % 12 + 12;
        }
        if (year < FUNC_JULIAN_MINYEAR || year > FUNC_JULIAN_MAXYEAR) {
            return ts_range(err);
        }
        tm.year = (int)year;
        tm.mon = (int)mon;
        int mdays = func_days_in_month(tm.year, tm.mon);
        if (tm.mday > mdays) {
            tm.mday = mdays;
        }
        if (!func_tm2ts(&tm, &ts)) {
            return ts_range(err);
        }
    }
    if (span.days != 0) {
        func_tm tm;
        if (!func_ts2tm(ts, &tm)) {
            return ts_range(err);
        }
        int64_t jd = (int64_t)func_date2j(tm.year, tm.mon, tm.mday) + span.days;
        if (jd < 0 || jd > INT32_MAX) {
            return ts_range(err);
        }
        func_j2date((int)jd, &tm.year, &tm.mon, &tm.mday);
        if (!func_tm2ts(&tm, &ts)) {
            return ts_range(err);
        }
    }
    if (__builtin_add_overflow(ts, span.us, &ts) || !valid_ts(ts)) {
        return ts_range(err);
    }
    *out = ts;
    return BK_OK;
}

static bk_interval iv_negate_raw(bk_interval v)
{
    /* PostgreSQL's timestamp_mi_interval negates each field without an overflow check. */
    bk_interval r;
    r.months = (int32_t)(0 - (uint32_t)v.months);
    r.days = (int32_t)(0 - (uint32_t)v.days);
    r.us = (int64_t)(0 - (uint64_t)v.us);
    return r;
}

/* Which argument is the timestamp (or date), which the interval, and whether to subtract. */
typedef enum ts_iv_form {
    TSIV_ADD,     /* ts + iv */
    TSIV_ADD_REV, /* iv + ts */
    TSIV_SUB,     /* ts - iv */
} ts_iv_form;

static bk_rc
ts_iv_apply(const bk_vec *args, uint32_t n, bk_vec *out, ts_iv_form form, bk_error *err)
{
    const bk_vec *tsv = form == TSIV_ADD_REV ? &args[1] : &args[0];
    const bk_vec *ivv = form == TSIV_ADD_REV ? &args[0] : &args[1];
    bool is_date = tsv->type.id == BK_TYPE_DATE;
    int64_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int64_t ts;
        if (is_date) {
            int32_t d = ((const int32_t *)tsv->data)[i];
            if (d >= FUNC_TS_END_DAYS) {
                return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE,
                                "date out of range for timestamp");
            }
            ts = (int64_t)d * BK_USECS_PER_DAY;
        } else {
            ts = ((const int64_t *)tsv->data)[i];
        }
        bk_interval span = ((const bk_interval *)ivv->data)[i];
        if (form == TSIV_SUB) {
            span = iv_negate_raw(span);
        }
        if (ts_add_interval(ts, span, &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc ts_pl_iv(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return ts_iv_apply(args, n, out, TSIV_ADD, err);
}

static bk_rc iv_pl_ts(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return ts_iv_apply(args, n, out, TSIV_ADD_REV, err);
}

static bk_rc ts_mi_iv(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return ts_iv_apply(args, n, out, TSIV_SUB, err);
}

/* interval_justify_hours: whole days out of the time part, signs made to agree. */
static bk_rc justify_hours(bk_interval *v, bk_error *err)
{
    int64_t whole = v->us / BK_USECS_PER_DAY;
    v->us -= whole * BK_USECS_PER_DAY;
    int64_t days = (int64_t)v->days + whole;
    if (days < INT32_MIN || days > INT32_MAX) {
        return interval_range(err);
    }
    v->days = (int32_t)days;
    if (v->days > 0 && v->us < 0) {
        v->us += BK_USECS_PER_DAY;
        v->days--;
    } else if (v->days < 0 && v->us > 0) {
        v->us -= BK_USECS_PER_DAY;
        v->days++;
    }
    return BK_OK;
}

/* interval_justify_days: whole months out of the days, signs made to agree. */
static bk_rc justify_days(bk_interval *v, bk_error *err)
{
    int32_t whole = v->days / 30;
    v->days -= whole * 30;
    int64_t months = (int64_t)v->months + whole;
    if (months < INT32_MIN || months > INT32_MAX) {
        return interval_range(err);
    }
    v->months = (int32_t)months;
    if (v->months > 0 && v->days < 0) {
        v->days += 30;
        v->months--;
    } else if (v->months < 0 && v->days > 0) {
        v->days -= 30;
        v->months++;
    }
    return BK_OK;
}

static bk_rc ts_mi_ts(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const int64_t *a = args[0].data, *b = args[1].data;
    bk_interval *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        /* PostgreSQL 15 subtracts without an overflow check; its -fwrapv build wraps. */
        bk_interval v = {(int64_t)((uint64_t)a[i] - (uint64_t)b[i]), 0, 0};
        if (justify_hours(&v, err) != BK_OK) {
            return BK_ERR;
        }
        r[i] = v;
    }
    return BK_OK;
}

static bk_rc date_range(bk_error *err)
{
    return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "date out of range");
}

/* date + int4, int4 + date, date - int4. */
static bk_rc date_int_apply(const bk_vec *args, uint32_t n, bk_vec *out, int form, bk_error *err)
{
    const int32_t *d = args[form == 1 ? 1 : 0].data;
    const int32_t *k = args[form == 1 ? 0 : 1].data;
    int32_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int64_t v = form == 2 ? (int64_t)d[i] - k[i] : (int64_t)d[i] + k[i];
        if (!valid_date(v)) {
            return date_range(err);
        }
        r[i] = (int32_t)v;
    }
    return BK_OK;
}

static bk_rc date_pl_int(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return date_int_apply(args, n, out, 0, err);
}

static bk_rc int_pl_date(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return date_int_apply(args, n, out, 1, err);
}

static bk_rc date_mi_int(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return date_int_apply(args, n, out, 2, err);
}

static bk_rc date_mi_date(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)err;
    const int32_t *a = args[0].data, *b = args[1].data;
    int32_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        /* Both lie in the valid date range, so the difference fits in int32. */
        r[i] = (int32_t)((int64_t)a[i] - b[i]);
    }
    return BK_OK;
}

static bk_rc iv_addsub(const bk_vec *args, uint32_t n, bk_vec *out, bool sub, bk_error *err)
{
    const bk_interval *a = args[0].data, *b = args[1].data;
    bk_interval *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_interval v;
        bool ovf = sub ? (__builtin_sub_overflow(a[i].months, b[i].months, &v.months) ||
                          __builtin_sub_overflow(a[i].days, b[i].days, &v.days) ||
                          __builtin_sub_overflow(a[i].us, b[i].us, &v.us))
                       : (__builtin_add_overflow(a[i].months, b[i].months, &v.months) ||
                          __builtin_add_overflow(a[i].days, b[i].days, &v.days) ||
                          __builtin_add_overflow(a[i].us, b[i].us, &v.us));
        if (ovf) {
            return interval_range(err);
        }
        r[i] = v;
    }
    return BK_OK;
}

static bk_rc iv_pl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return iv_addsub(args, n, out, false, err);
}

static bk_rc iv_mi(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return iv_addsub(args, n, out, true, err);
}

static bk_rc iv_um(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const bk_interval *a = args[0].data;
    bk_interval *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (a[i].months == INT32_MIN || a[i].days == INT32_MIN || a[i].us == INT64_MIN) {
            return interval_range(err);
        }
        r[i] = (bk_interval){-a[i].us, -a[i].days, -a[i].months};
    }
    return BK_OK;
}

/* TSROUND: round to microsecond precision to undo float noise. */
static double ts_round(double v)
{
    return rint(v * 1000000.0) / 1000000.0;
}

static bool fits_int32(double d)
{
    return !isnan(d) && d <= (double)INT32_MAX && d >= (double)INT32_MIN;
}

/* interval_mul / interval_div: fractional months cascade into days, fractional days into time. */
static bk_rc iv_scale(bk_interval span, double factor, bool divide, bk_interval *out, bk_error *err)
{
    if (divide && factor == 0.0) {
        return bk_raise(err, DIVISION_BY_ZERO, "division by zero");
    }
    double m = divide ? span.months / factor : span.months * factor;
    double d = divide ? span.days / factor : span.days * factor;
    if (!fits_int32(m) || !fits_int32(d)) {
        return interval_range(err);
    }
    bk_interval r;
    r.months = (int32_t)m;
    r.days = (int32_t)d;
    double month_rem_days = ts_round((m - r.months) * 30.0);
    double sec_rem = ts_round((d - r.days + month_rem_days - (int)month_rem_days) * 86400.0);
    if (fabs(sec_rem) >= 86400.0) {
        int extra = (int)(sec_rem / 86400.0);
        int64_t days = (int64_t)r.days + extra;
        if (days < INT32_MIN || days > INT32_MAX) {
            return interval_range(err);
        }
        r.days = (int32_t)days;
        sec_rem -= extra * 86400.0;
    }
    int64_t days = (int64_t)r.days + (int32_t)month_rem_days;
    if (days < INT32_MIN || days > INT32_MAX) {
        return interval_range(err);
    }
    r.days = (int32_t)days;
    double t =
        rint((divide ? (double)span.us / factor : (double)span.us * factor) + sec_rem * 1000000.0);
    if (isnan(t) || t < -9223372036854775808.0 || t >= 9223372036854775808.0) {
        return interval_range(err);
    }
    r.us = (int64_t)t;
    *out = r;
    return BK_OK;
}

static bk_rc iv_mul_apply(const bk_vec *args, uint32_t n, bk_vec *out, int form, bk_error *err)
{
    const bk_vec *iv = &args[form == 1 ? 1 : 0];
    const bk_vec *f = &args[form == 1 ? 0 : 1];
    bk_interval *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (iv_scale(((const bk_interval *)iv->data)[i], ((const double *)f->data)[i], form == 2,
                     &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc iv_mul(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return iv_mul_apply(args, n, out, 0, err);
}

static bk_rc mul_iv(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return iv_mul_apply(args, n, out, 1, err);
}

static bk_rc iv_div(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return iv_mul_apply(args, n, out, 2, err);
}

/* ---- justify_*, age, make_date, to_timestamp, isfinite --------------------------------------- */

static bk_rc justify_apply(const bk_vec *args, uint32_t n, bk_vec *out, int which, bk_error *err)
{
    const bk_interval *a = args[0].data;
    bk_interval *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        bk_interval v = a[i];
        if (which == 0) {
            if (justify_hours(&v, err) != BK_OK) {
                return BK_ERR;
            }
        } else if (which == 1) {
            if (justify_days(&v, err) != BK_OK) {
                return BK_ERR;
            }
        } else {
            /* interval_justify_interval: days from time, then months from days, then signs. */
            int64_t whole = v.us / BK_USECS_PER_DAY;
            v.us -= whole * BK_USECS_PER_DAY;
            int64_t days = (int64_t)v.days + whole;
            if (days < INT32_MIN || days > INT32_MAX) {
                return interval_range(err);
            }
            int64_t months = (int64_t)v.months + days / 30;
            days -= (days / 30) * 30;
            if (months < INT32_MIN || months > INT32_MAX) {
                return interval_range(err);
            }
            v.months = (int32_t)months;
            v.days = (int32_t)days;
            if (v.months > 0 && (v.days < 0 || (v.days == 0 && v.us < 0))) {
                v.days += 30;
                v.months--;
            } else if (v.months < 0 && (v.days > 0 || (v.days == 0 && v.us > 0))) {
                v.days -= 30;
                v.months++;
            }
            if (v.days > 0 && v.us < 0) {
                v.us += BK_USECS_PER_DAY;
                v.days--;
            } else if (v.days < 0 && v.us > 0) {
                v.us -= BK_USECS_PER_DAY;
                v.days++;
            }
        }
        r[i] = v;
    }
    return BK_OK;
}

static bk_rc justify_hours_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return justify_apply(args, n, out, 0, err);
}

static bk_rc justify_days_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return justify_apply(args, n, out, 1, err);
}

static bk_rc justify_interval_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    return justify_apply(args, n, out, 2, err);
}

/* timestamp_age: field-wise difference, borrowing from the next larger field. */
static bk_rc age_of(int64_t t1, int64_t t2, bk_interval *out, bk_error *err)
{
    func_tm a, b;
    if (!func_ts2tm(t1, &a) || !func_ts2tm(t2, &b)) {
        return ts_range(err);
    }
    int64_t usec = a.usec - b.usec, sec = a.sec - b.sec, min = a.min - b.min;
    int64_t hour = a.hour - b.hour, mday = a.mday - b.mday, mon = a.mon - b.mon;
    int64_t year = (int64_t)a.year - b.year;
    bool flip = t1 < t2;
    if (flip) {
        usec = -usec, sec = -sec, min = -min, hour = -hour, mday = -mday, mon = -mon;
        year = -year;
    }
    while (usec < 0) {
        usec += BK_USECS_PER_SEC;
        sec--;
    }
    while (sec < 0) {
        sec += 60;
        min--;
    }
    while (min < 0) {
        min += 60;
        hour--;
    }
    while (hour < 0) {
        hour += 24;
        mday--;
    }
    while (mday < 0) {
        const func_tm *ref = flip ? &a : &b;
        mday += func_days_in_month(ref->year, ref->mon);
        mon--;
    }
    while (mon < 0) {
        mon += 12;
        year--;
    }
    if (flip) {
        usec = -usec, sec = -sec, min = -min, hour = -hour, mday = -mday, mon = -mon;
        year = -year;
    }
    int64_t months = year * 12 + mon;
    if (months < INT32_MIN || months > INT32_MAX || mday < INT32_MIN || mday > INT32_MAX) {
        return interval_range(err);
    }
    out->months = (int32_t)months;
    out->days = (int32_t)mday;
    out->us = ((hour * 60 + min) * 60 + sec) * BK_USECS_PER_SEC + usec;
    return BK_OK;
}

static bk_rc age2_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const int64_t *a = args[0].data, *b = args[1].data;
    bk_interval *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (age_of(a[i], b[i], &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

/* Today's midnight (UTC), as a timestamp. */
static int64_t today_ts(void)
{
    int64_t now = func_now_ts();
    int64_t d = now / BK_USECS_PER_DAY;
    if (now < 0 && now % BK_USECS_PER_DAY != 0) {
        d--;
    }
    return d * BK_USECS_PER_DAY;
}

static bk_rc age1_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const int64_t *a = args[0].data;
    bk_interval *r = out->data;
    int64_t today = today_ts();
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        if (age_of(today, a[i], &r[i], err) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}

static bk_rc make_date_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const int32_t *y = args[0].data, *m = args[1].data, *d = args[2].data;
    int32_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        /* ValidateDate: a negative year means BC; there is no year 0. */
        int64_t year = y[i];
        bool bad = false;
        if (year < 0) {
            year = -(int64_t)y[i];
            year = -(year - 1);
        } else if (year == 0) {
            bad = true;
        }
        if (!bad && (m[i] < 1 || m[i] > 12 || d[i] < 1 || d[i] > 31)) {
            bad = true;
        }
        if (!bad && d[i] > func_days_in_month((int)year, m[i])) {
            bad = true;
        }
        if (bad) {
            return bk_raise(err, DATETIME_FIELD_OVERFLOW,
                            "date field value out of range: %lld-%02d-%02d", (long long)year, m[i],
                            d[i]);
        }
        if (!func_valid_julian((int)year, m[i], d[i]) ||
            !valid_date((int64_t)func_date2j((int)year, m[i], d[i]) - BK_PG_EPOCH_JDAYS)) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "date out of range: %lld-%02d-%02d",
                            (long long)year, m[i], d[i]);
        }
        r[i] = func_date2j((int)year, m[i], d[i]) - BK_PG_EPOCH_JDAYS;
    }
    return BK_OK;
}

static bk_rc to_timestamp_f8(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    const double *a = args[0].data;
    int64_t *r = out->data;
    /* The valid range in Unix seconds: Julian day 0 up to 294277-01-01. */
    const double lo = 86400.0 * (0 - BK_UNIX_EPOCH_JDAYS);
    const double hi = 86400.0 * (109203528.0 - BK_UNIX_EPOCH_JDAYS);
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        double s = a[i];
        if (isnan(s)) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp cannot be NaN");
        }
        if (isinf(s)) {
            return bk_raise(err, FEATURE_NOT_SUPPORTED,
                            "infinite timestamps are not supported by Basket");
        }
        if (s < lo || s >= hi) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range: \"%g\"", s);
        }
        double us = rint((s - (double)(BK_PG_EPOCH_OFFSET_DAYS * 86400)) * 1000000.0);
        int64_t ts = (int64_t)us;
        if (!valid_ts(ts)) {
            return bk_raise(err, DATETIME_VALUE_OUT_OF_RANGE, "timestamp out of range: \"%g\"", s);
        }
        r[i] = ts;
    }
    return BK_OK;
}

static bk_rc isfinite_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)args;
    (void)err;
    for (uint32_t i = 0; i < n; i++) {
        ((uint8_t *)out->data)[i] = 1; /* Basket has no infinite dates or timestamps */
    }
    return BK_OK;
}

/* ---- current time --------------------------------------------------------------------------- */

/*
 * now() and the SQL-standard CURRENT_* values. PostgreSQL returns the transaction's start
 * time; Basket reads the clock once per evaluation (one value for all rows of a batch). They
 * are registered volatile so that a prepared statement never freezes the time it was bound.
 */
static void fill_i64(bk_vec *out, uint32_t n, int64_t v)
{
    for (uint32_t i = 0; i < n; i++) {
        ((int64_t *)out->data)[i] = v;
    }
}

static bk_rc now_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)args;
    (void)err;
    fill_i64(out, n, func_now_ts());
    return BK_OK;
}

static bk_rc current_date_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    (void)args;
    (void)err;
    int32_t d = (int32_t)(today_ts() / BK_USECS_PER_DAY);
    for (uint32_t i = 0; i < n; i++) {
        ((int32_t *)out->data)[i] = d;
    }
    return BK_OK;
}

/* AdjustTimestampForTypmod: round to `prec` fractional digits, half away from zero. */
static int64_t ts_round_prec(int64_t ts, int prec)
{
    static const int64_t scales[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    int64_t s = scales[prec], off = s / 2;
    return ts >= 0 ? ((ts + off) / s) * s : -((((-ts) + off) / s) * s);
}

static bk_rc now_prec_impl(FUNC_ARGS)
{
    (void)ctx;
    (void)call;
    int64_t now = func_now_ts();
    int64_t *r = out->data;
    for (uint32_t i = 0; i < n; i++) {
        if (func_skip(out, i)) {
            continue;
        }
        int32_t p = ((const int32_t *)args[0].data)[i];
        if (p < 0) {
            return bk_raise(err, INVALID_PARAMETER_VALUE,
                            "TIMESTAMP(%d) precision must not be negative", p);
        }
        r[i] = ts_round_prec(now, p > 6 ? 6 : p);
    }
    return BK_OK;
}

void bk_func_register_datetime_ops(func_builder *fb)
{
    bk_type ts = bk_type_of(BK_TYPE_TIMESTAMP), tstz = bk_type_of(BK_TYPE_TIMESTAMPTZ);
    bk_type date = bk_type_of(BK_TYPE_DATE), iv = bk_type_of(BK_TYPE_INTERVAL);
    bk_type i4 = bk_type_of(BK_TYPE_INT4), b = bk_type_of(BK_TYPE_BOOL);
    const bk_type_id TS = BK_TYPE_TIMESTAMP, TSTZ = BK_TYPE_TIMESTAMPTZ;
    const bk_type_id D = BK_TYPE_DATE, IV = BK_TYPE_INTERVAL, I4 = BK_TYPE_INT4;
    const bk_type_id F8 = BK_TYPE_FLOAT8;

    func_add(fb, "+", date, 0, date_pl_int, 2, D, I4);
    func_add(fb, "+", date, 0, int_pl_date, 2, I4, D);
    func_add(fb, "-", date, 0, date_mi_int, 2, D, I4);
    func_add(fb, "-", i4, 0, date_mi_date, 2, D, D);
    func_add(fb, "+", ts, 0, ts_pl_iv, 2, D, IV);
    func_add(fb, "+", ts, 0, iv_pl_ts, 2, IV, D);
    func_add(fb, "-", ts, 0, ts_mi_iv, 2, D, IV);
    func_add(fb, "+", ts, 0, ts_pl_iv, 2, TS, IV);
    func_add(fb, "+", ts, 0, iv_pl_ts, 2, IV, TS);
    func_add(fb, "-", ts, 0, ts_mi_iv, 2, TS, IV);
    func_add(fb, "+", tstz, 0, ts_pl_iv, 2, TSTZ, IV);
    func_add(fb, "+", tstz, 0, iv_pl_ts, 2, IV, TSTZ);
    func_add(fb, "-", tstz, 0, ts_mi_iv, 2, TSTZ, IV);
    func_add(fb, "-", iv, 0, ts_mi_ts, 2, TS, TS);
    func_add(fb, "-", iv, 0, ts_mi_ts, 2, TSTZ, TSTZ);
    func_add(fb, "+", iv, 0, iv_pl, 2, IV, IV);
    func_add(fb, "-", iv, 0, iv_mi, 2, IV, IV);
    func_add(fb, "neg", iv, 0, iv_um, 1, IV);
    func_add(fb, "*", iv, 0, iv_mul, 2, IV, F8);
    func_add(fb, "*", iv, 0, mul_iv, 2, F8, IV);
    func_add(fb, "/", iv, 0, iv_div, 2, IV, F8);
    func_add(fb, "justify_hours", iv, 0, justify_hours_impl, 1, IV);
    func_add(fb, "justify_days", iv, 0, justify_days_impl, 1, IV);
    func_add(fb, "justify_interval", iv, 0, justify_interval_impl, 1, IV);
    func_add(fb, "age", iv, 0, age2_impl, 2, TS, TS);
    func_add(fb, "age", iv, 0, age2_impl, 2, TSTZ, TSTZ);
    func_add(fb, "age", iv, BK_FUNC_VOLATILE, age1_impl, 1, TS);
    func_add(fb, "age", iv, BK_FUNC_VOLATILE, age1_impl, 1, TSTZ);
    func_add(fb, "make_date", date, 0, make_date_impl, 3, I4, I4, I4);
    func_add(fb, "to_timestamp", tstz, 0, to_timestamp_f8, 1, F8);
    func_add(fb, "isfinite", b, 0, isfinite_impl, 1, D);
    func_add(fb, "isfinite", b, 0, isfinite_impl, 1, TS);
    func_add(fb, "isfinite", b, 0, isfinite_impl, 1, TSTZ);
    func_add(fb, "isfinite", b, 0, isfinite_impl, 1, IV);
    func_add(fb, "now", tstz, BK_FUNC_VOLATILE, now_impl, 0);
    func_add(fb, "transaction_timestamp", tstz, BK_FUNC_VOLATILE, now_impl, 0);
    func_add(fb, "statement_timestamp", tstz, BK_FUNC_VOLATILE, now_impl, 0);
    func_add(fb, "clock_timestamp", tstz, BK_FUNC_VOLATILE, now_impl, 0);
    func_add(fb, "current_date", date, BK_FUNC_VOLATILE, current_date_impl, 0);
    func_add(fb, "current_timestamp", tstz, BK_FUNC_VOLATILE, now_impl, 0);
    func_add(fb, "current_timestamp", tstz, BK_FUNC_VOLATILE, now_prec_impl, 1, I4);
    func_add(fb, "localtimestamp", ts, BK_FUNC_VOLATILE, now_impl, 0);
    func_add(fb, "localtimestamp", ts, BK_FUNC_VOLATILE, now_prec_impl, 1, I4);
}
