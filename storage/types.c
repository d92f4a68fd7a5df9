/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQL types Basket serves and the PostgreSQL facts about them (OIDs, names, lengths), and
 * the civil calendar behind date and timestamp values.
 */
#include <stdio.h>
#include <string.h>

#include "storage.h"

typedef struct type_info {
    bk_type_id id;
    uint32_t oid;
    const char *pg_name;  /* pg_type.typname */
    const char *sql_name; /* format_type() spelling */
    int16_t len;          /* pg_type.typlen */
} type_info;

/* Canonical entries first (one per id), then the extra OIDs sharing a representation. */
static const type_info types[] = {
    {    BK_TYPE_UNKNOWN,     BK_OID_UNKNOWN,     "unknown",                     "unknown", -2},
    {       BK_TYPE_BOOL,        BK_OID_BOOL,        "bool",                     "boolean",  1},
    {       BK_TYPE_INT2,        BK_OID_INT2,        "int2",                    "smallint",  2},
    {       BK_TYPE_INT4,        BK_OID_INT4,        "int4",                     "integer",  4},
    {       BK_TYPE_INT8,        BK_OID_INT8,        "int8",                      "bigint",  8},
    {     BK_TYPE_FLOAT4,      BK_OID_FLOAT4,      "float4",                        "real",  4},
    {     BK_TYPE_FLOAT8,      BK_OID_FLOAT8,      "float8",            "double precision",  8},
    {    BK_TYPE_NUMERIC,     BK_OID_NUMERIC,     "numeric",                     "numeric", -1},
    {       BK_TYPE_TEXT,        BK_OID_TEXT,        "text",                        "text", -1},
    {       BK_TYPE_DATE,        BK_OID_DATE,        "date",                        "date",  4},
    {  BK_TYPE_TIMESTAMP,   BK_OID_TIMESTAMP,   "timestamp", "timestamp without time zone",  8},
    {BK_TYPE_TIMESTAMPTZ, BK_OID_TIMESTAMPTZ, "timestamptz",    "timestamp with time zone",  8},
    {   BK_TYPE_INTERVAL,    BK_OID_INTERVAL,    "interval",                    "interval", 16},
    {        BK_TYPE_OID,         BK_OID_OID,         "oid",                         "oid",  4},
    {       BK_TYPE_TEXT,     BK_OID_VARCHAR,     "varchar",           "character varying", -1},
    {       BK_TYPE_TEXT,      BK_OID_BPCHAR,      "bpchar",                   "character", -1},
    {       BK_TYPE_TEXT,        BK_OID_NAME,        "name",                        "name", 64},
    {       BK_TYPE_TEXT,        BK_OID_CHAR,        "char",                    "\"char\"",  1},
    {        BK_TYPE_OID,     BK_OID_REGPROC,     "regproc",                     "regproc",  4},
    {        BK_TYPE_OID,    BK_OID_REGCLASS,    "regclass",                    "regclass",  4},
    {        BK_TYPE_OID,     BK_OID_REGTYPE,     "regtype",                     "regtype",  4},
};

_Static_assert(BK_TYPE_COUNT_ == 14, "canonical type table covers every id");

static const type_info *info_by_oid(uint32_t oid)
{
    for (size_t i = 0; i < BK_ARRAY_LEN(types); i++) {
        if (types[i].oid == oid) {
            return &types[i];
        }
    }
    return NULL;
}

bk_type bk_type_of(bk_type_id id)
{
    BK_ASSERT((unsigned)id < BK_TYPE_COUNT_);
    return (bk_type){id, types[id].oid, -1};
}

bool bk_type_from_oid(uint32_t oid, bk_type *out)
{
    const type_info *ti = info_by_oid(oid);
    if (ti == NULL) {
        return false;
    }
    *out = (bk_type){ti->id, oid, -1};
    return true;
}

const char *bk_type_sql_name(bk_type t)
{
    const type_info *ti = info_by_oid(t.oid);
    return ti != NULL ? ti->sql_name : types[t.id].sql_name;
}

size_t bk_type_format(bk_type t, char *buf, size_t cap)
{
    const char *name = bk_type_sql_name(t);
    int n;
    if (t.oid == BK_OID_NUMERIC && t.typmod >= 4) {
        int32_t m = t.typmod - 4;
        n = snprintf(buf, cap, "%s(%d,%d)", name, (m >> 16) & 0xffff, m & 0xffff);
    } else if ((t.oid == BK_OID_VARCHAR || t.oid == BK_OID_BPCHAR) && t.typmod >= 4) {
        n = snprintf(buf, cap, "%s(%d)", name, t.typmod - 4);
    } else {
        n = snprintf(buf, cap, "%s", name);
    }
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

const char *bk_type_pg_name(bk_type t)
{
    const type_info *ti = info_by_oid(t.oid);
    return ti != NULL ? ti->pg_name : types[t.id].pg_name;
}

int16_t bk_type_pg_len(bk_type t)
{
    const type_info *ti = info_by_oid(t.oid);
    return ti != NULL ? ti->len : types[t.id].len;
}

size_t bk_type_width(bk_type_id id)
{
    switch (id) {
    case BK_TYPE_UNKNOWN: /* an untyped literal keeps its text */
        return sizeof(bk_str);
    case BK_TYPE_BOOL:
        return 1;
    case BK_TYPE_INT2:
        return 2;
    case BK_TYPE_INT4:
    case BK_TYPE_FLOAT4:
    case BK_TYPE_DATE:
    case BK_TYPE_OID:
        return 4;
    case BK_TYPE_INT8:
    case BK_TYPE_FLOAT8:
    case BK_TYPE_TIMESTAMP:
    case BK_TYPE_TIMESTAMPTZ:
        return 8;
    case BK_TYPE_NUMERIC:
        return sizeof(bk_i128);
    case BK_TYPE_TEXT:
        return sizeof(bk_str);
    case BK_TYPE_INTERVAL:
        return sizeof(bk_interval);
    case BK_TYPE_COUNT_:
        break;
    }
    return 1;
}

bool bk_type_eq(bk_type a, bk_type b)
{
    return a.id == b.id && a.oid == b.oid && a.typmod == b.typmod;
}

bool bk_type_is_integer(bk_type_id id)
{
    return id == BK_TYPE_INT2 || id == BK_TYPE_INT4 || id == BK_TYPE_INT8;
}

bool bk_type_is_numeric_kind(bk_type_id id)
{
    return bk_type_is_integer(id) || id == BK_TYPE_NUMERIC || id == BK_TYPE_FLOAT4 ||
           id == BK_TYPE_FLOAT8;
}

/*
 * Days <-> civil date through the Julian day number, with the same algorithm family as
 * PostgreSQL's date2j/j2date, so every date PostgreSQL accepts maps identically.
 */
static int32_t date2j(int y, int m, int d)
{
    int julian, century;
    if (m > 2) {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    century = y / 100;
    julian = y * 365 - 32167;
    julian += y / 4 - century + century / 4;
    julian += 7834 * m / 256 + d;
    return julian;
}

static void j2date(int jd, int *year, int *month, int *day)
{
    unsigned int julian, quad, extra;
    int y;
    julian = (unsigned int)jd;
    julian += 32044;
    quad = julian / 146097;
    extra = (julian - quad * 146097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146097;
    quad = julian / 1461;
    julian -= quad * 1461;
    y = (int)(julian * 4 / 1461);
    julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366)) + 123;
    y += (int)quad * 4;
    *year = y - 4800;
    quad = julian * 2141 / 65536;
    *day = (int)(julian - 7834 * quad / 256);
    *month = (int)((quad + 10) % 12 + 1);
}

int32_t bk_date_from_ymd(int year, int month, int day)
{
    return date2j(year, month, day) - BK_PG_EPOCH_JDAYS;
}

void bk_date_to_ymd(int32_t days, int *year, int *month, int *day)
{
    j2date(days + BK_PG_EPOCH_JDAYS, year, month, day);
}

static bool is_leap(int y)
{
    /* Astronomical year numbering: year 0 is 1 BC, a leap year. */
    return (y % 4 == 0) && ((y % 100 != 0) || (y % 400 == 0));
}

bool bk_date_valid_ymd(int year, int month, int day)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) {
        return false;
    }
    int max = mdays[month - 1] + ((month == 2 && is_leap(year)) ? 1 : 0);
    return day <= max;
}
