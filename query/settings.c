/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run-time parameters (PostgreSQL's GUCs) as a session sees them through SET, SHOW, RESET and
 * the startup packet. Values are validated and normalised the way PostgreSQL prints them
 * ("iso" -> "ISO, MDY"); parameters marked `report` are sent to the client in ParameterStatus
 * at start-up and whenever they change, in PostgreSQL 15's order.
 *
 * Basket honours what it implements (DateStyle ISO with any field order, UTC time zones,
 * UTF-8, extra_float_digits); values it cannot honour are refused with a clear error rather
 * than accepted and silently ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query_int.h"

typedef bk_rc (*setting_check)(const char *in, char *out, bk_error *err);

typedef struct setting_def {
    const char *name;    /* canonical spelling, as SHOW's column header */
    const char *def;     /* default value */
    bool report;         /* GUC_REPORT */
    bool readonly;       /* set only by the server */
    setting_check check; /* NULL: any string */
} setting_def;

static bk_rc copy_value(const char *in, char *out)
{
    snprintf(out, BK_SETTING_VALUE_MAX, "%s", in);
    return BK_OK;
}

static bk_rc check_encoding(const char *in, char *out, bk_error *err)
{
    if (strcasecmp(in, "UTF8") == 0 || strcasecmp(in, "UTF-8") == 0 ||
        strcasecmp(in, "unicode") == 0) {
        return copy_value("UTF8", out);
    }
    return bk_raise(err, FEATURE_NOT_SUPPORTED,
                    "client encoding \"%s\" is not supported: Basket speaks UTF8 only", in);
}

static bk_rc check_datestyle(const char *in, char *out, bk_error *err)
{
    /* A comma- or space-separated list of an output style and a field order. */
    const char *order = "MDY";
    char buf[BK_SETTING_VALUE_MAX];
    snprintf(buf, sizeof buf, "%s", in);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", \t", &save); tok != NULL;
         tok = strtok_r(NULL, ", \t", &save)) {
        if (strcasecmp(tok, "ISO") == 0 || strcasecmp(tok, "default") == 0) {
            continue;
        }
        if (strcasecmp(tok, "MDY") == 0 || strcasecmp(tok, "US") == 0 ||
            strcasecmp(tok, "NonEuropean") == 0) {
            order = "MDY";
        } else if (strcasecmp(tok, "DMY") == 0 || strcasecmp(tok, "European") == 0) {
            order = "DMY";
        } else if (strcasecmp(tok, "YMD") == 0) {
            order = "YMD";
        } else if (strcasecmp(tok, "SQL") == 0 || strcasecmp(tok, "Postgres") == 0 ||
                   strcasecmp(tok, "German") == 0) {
            return bk_raise(err, FEATURE_NOT_SUPPORTED,
                            "DateStyle \"%s\" is not supported: Basket prints dates in ISO style",
                            tok);
        } else {
            bk_raise(err, INVALID_PARAMETER_VALUE,
                     "invalid value for parameter \"DateStyle\": "
                     "\"%s\"",
                     in);
            bk_error_detail(err, "Unrecognized key word: \"%s\".", tok);
            return BK_ERR;
        }
    }
    snprintf(out, BK_SETTING_VALUE_MAX, "ISO, %s", order);
    return BK_OK;
}

static bk_rc check_timezone(const char *in, char *out, bk_error *err)
{
    static const char *const utc[] = {"UTC",       "Etc/UTC",       "GMT",      "Etc/GMT",
                                      "Z",         "Zulu",          "UCT",      "Etc/UCT",
                                      "Universal", "Etc/Universal", "Etc/Zulu", "GMT0",
                                      "Etc/GMT0",  "Greenwich",     "+0",       "0"};
    for (size_t i = 0; i < BK_ARRAY_LEN(utc); i++) {
        if (strcasecmp(in, utc[i]) == 0) {
            return copy_value(in, out);
        }
    }
    return bk_raise(err, FEATURE_NOT_SUPPORTED,
                    "time zone \"%s\" is not supported yet: Basket runs in UTC", in);
}

static bk_rc
check_int_range(const char *in, long lo, long hi, const char *name, char *out, bk_error *err)
{
    char *end;
    long v = strtol(in, &end, 10);
    while (*end == ' ') {
        end++;
    }
    if (end == in || *end != '\0') {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"",
                        name, in);
    }
    if (v < lo || v > hi) {
        return bk_raise(err, INVALID_PARAMETER_VALUE,
                        "%ld is outside the valid range for parameter \"%s\" (%ld .. %ld)", v, name,
                        lo, hi);
    }
    snprintf(out, BK_SETTING_VALUE_MAX, "%ld", v);
    return BK_OK;
}

static bk_rc check_extra_float_digits(const char *in, char *out, bk_error *err)
{
    return check_int_range(in, -15, 3, "extra_float_digits", out, err);
}

static bk_rc check_bool(const char *in, char *out, bk_error *err)
{
    uint8_t b;
    bk_error tmp;
    bk_error_clear(&tmp);
    if (bk_parse_bool(bk_str_from_cstr(in), &b, &tmp) != BK_OK) {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "parameter requires a Boolean value");
    }
    return copy_value(b ? "on" : "off", out);
}

static bk_rc check_intervalstyle(const char *in, char *out, bk_error *err)
{
    if (strcasecmp(in, "postgres") == 0) {
        return copy_value("postgres", out);
    }
    return bk_raise(err, FEATURE_NOT_SUPPORTED,
                    "IntervalStyle \"%s\" is not supported: Basket prints intervals in postgres "
                    "style",
                    in);
}

static bk_rc check_app_name(const char *in, char *out, bk_error *err)
{
    (void)err;
    /* PostgreSQL truncates to NAMEDATALEN - 1 and replaces non-ASCII bytes with '?'. */
    size_t n = 0;
    for (const char *p = in; *p != '\0' && n < 63; p++) {
        unsigned char c = (unsigned char)*p;
        out[n++] = (c < 32 || c > 126) ? '?' : (char)c;
    }
    out[n] = '\0';
    return BK_OK;
}

static bk_rc check_timeout(const char *in, char *out, bk_error *err)
{
    /* Milliseconds, or a number with a unit (ms, s, min, h, d). */
    char *end;
    double v = strtod(in, &end);
    while (*end == ' ') {
        end++;
    }
    double mult = 1;
    if (*end != '\0') {
        if (strcmp(end, "ms") == 0) {
            mult = 1;
        } else if (strcmp(end, "s") == 0) {
            mult = 1000;
        } else if (strcmp(end, "min") == 0) {
            mult = 60000;
        } else if (strcmp(end, "h") == 0) {
            mult = 3600000;
        } else if (strcmp(end, "d") == 0) {
            mult = 86400000;
        } else {
            return bk_raise(err, INVALID_PARAMETER_VALUE, "invalid value for parameter: \"%s\"",
                            in);
        }
    }
    if (end == in || v < 0 || v * mult > 2147483647.0) {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "invalid value for parameter: \"%s\"", in);
    }
    long ms = (long)(v * mult + 0.5);
    if (ms == 0) {
        return copy_value("0", out);
    }
    if (ms % 86400000 == 0) {
        snprintf(out, BK_SETTING_VALUE_MAX, "%ldd", ms / 86400000);
    } else if (ms % 3600000 == 0) {
        snprintf(out, BK_SETTING_VALUE_MAX, "%ldh", ms / 3600000);
    } else if (ms % 60000 == 0) {
        snprintf(out, BK_SETTING_VALUE_MAX, "%ldmin", ms / 60000);
    } else if (ms % 1000 == 0) {
        snprintf(out, BK_SETTING_VALUE_MAX, "%lds", ms / 1000);
    } else {
        snprintf(out, BK_SETTING_VALUE_MAX, "%ldms", ms);
    }
    return BK_OK;
}

/* The first 13 entries are the reported ones, in the order PostgreSQL 15 sends them. */
static const setting_def settings[] = {
    {                   "application_name",                  "",  true, false,           check_app_name},
    {                    "client_encoding",              "UTF8",  true, false,           check_encoding},
    {                          "DateStyle",          "ISO, MDY",  true, false,          check_datestyle},
    {      "default_transaction_read_only",               "off",  true, false,               check_bool},
    {                     "in_hot_standby",               "off",  true,  true,                     NULL},
    {                  "integer_datetimes",                "on",  true,  true,                     NULL},
    {                      "IntervalStyle",          "postgres",  true, false,      check_intervalstyle},
    {                       "is_superuser",                "on",  true,  true,                     NULL},
    {                    "server_encoding",              "UTF8",  true,  true,                     NULL},
    {                     "server_version",                  "",  true,  true,                     NULL},
    {              "session_authorization",                  "",  true,  true,                     NULL},
    {        "standard_conforming_strings",                "on",  true,  true,                     NULL},
    {                           "TimeZone",           "Etc/UTC",  true, false,           check_timezone},
    {                 "extra_float_digits",                 "1", false, false, check_extra_float_digits},
    {                        "search_path", "\"$user\", public", false, false,                     NULL},
    {                  "statement_timeout",                 "0", false, false,            check_timeout},
    {"idle_in_transaction_session_timeout",                 "0", false, false,            check_timeout},
    {                       "lock_timeout",                 "0", false, false,            check_timeout},
    {            "ssl_renegotiation_limit",                 "0", false, false,                     NULL},
    {              "max_identifier_length",                "63", false,  true,                     NULL},
    {                 "server_version_num",            "150018", false,  true,                     NULL},
    {              "transaction_isolation",    "read committed", false, false,                     NULL},
    {      "default_transaction_isolation",    "read committed", false, false,                     NULL},
    {              "transaction_read_only",               "off", false, false,               check_bool},
    {                        "lc_messages",           "C.UTF-8", false, false,                     NULL},
    {                        "lc_monetary",           "C.UTF-8", false, false,                     NULL},
    {                         "lc_numeric",           "C.UTF-8", false, false,                     NULL},
    {                            "lc_time",           "C.UTF-8", false, false,                     NULL},
    {                         "lc_collate",           "C.UTF-8", false,  true,                     NULL},
    {                           "lc_ctype",           "C.UTF-8", false,  true,                     NULL},
    {                           "work_mem",               "4MB", false, false,                     NULL},
    {                    "max_connections",              "1000", false,  true,                     NULL},
    {                         "block_size",              "8192", false,  true,                     NULL},
    {                               "geqo",                "on", false, false,               check_bool},
    {                                "jit",               "off", false, false,               check_bool},
    {                       "row_security",                "on", false, false,               check_bool},
    {                 "synchronous_commit",                "on", false, false,                     NULL},
    {                "client_min_messages",            "notice", false, false,                     NULL},
 /* Basket's optimisation switches: off gives the same results, only slower. */
    {                    "basket.pushdown",                "on", false, false,               check_bool},
    {                   "basket.zone_maps",                "on", false, false,               check_bool},
    {                       "bytea_output",               "hex", false, false,                     NULL},
    {              "escape_string_warning",                "on", false, false,               check_bool},
    {             "timezone_abbreviations",           "Default", false, false,                     NULL},
};

#define N_SETTINGS BK_ARRAY_LEN(settings)

uint32_t bk_settings_count(void)
{
    return (uint32_t)N_SETTINGS;
}

const char *bk_setting_name(uint32_t id)
{
    return settings[id].name;
}

static int find_setting(const char *name)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (strcasecmp(settings[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void apply_default(bk_session *s, size_t i)
{
    const char *def = settings[i].def;
    if (strcmp(settings[i].name, "server_version") == 0) {
        def = s->engine->server_version;
    } else if (strcmp(settings[i].name, "session_authorization") == 0) {
        def = s->user;
    }
    if (strcmp(s->settings[i].value, def) != 0) {
        snprintf(s->settings[i].value, BK_SETTING_VALUE_MAX, "%s", def);
        s->settings[i].reported_dirty = settings[i].report;
    }
}

bk_rc bk_settings_init(bk_session *s, bk_error *err)
{
    s->settings = bk_arena_zalloc(s->arena, sizeof(bk_setting_value) * N_SETTINGS);
    if (s->settings == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < N_SETTINGS; i++) {
        s->settings[i].value[0] = '\x01'; /* differs from every default: forces the copy */
        apply_default(s, i);
        s->settings[i].reported_dirty = false;
    }
    s->extra_float_digits = 1;
    s->opt_pushdown = true;
    s->opt_zone_maps = true;
    return BK_OK;
}

static void after_change(bk_session *s, size_t i)
{
    if (strcmp(settings[i].name, "extra_float_digits") == 0) {
        s->extra_float_digits = atoi(s->settings[i].value);
    } else if (strcmp(settings[i].name, "basket.pushdown") == 0) {
        s->opt_pushdown = strcmp(s->settings[i].value, "on") == 0;
    } else if (strcmp(settings[i].name, "basket.zone_maps") == 0) {
        s->opt_zone_maps = strcmp(s->settings[i].value, "on") == 0;
    }
}

void bk_settings_reset_all(bk_session *s)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (!settings[i].readonly) {
            apply_default(s, i);
            after_change(s, i);
        }
    }
}

bk_rc bk_settings_reset(bk_session *s, const char *name, bk_error *err)
{
    int i = find_setting(name);
    if (i < 0) {
        return bk_raise(err, UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    }
    if (settings[i].readonly) {
        return bk_raise(err, CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" cannot be changed",
                        settings[i].name);
    }
    apply_default(s, (size_t)i);
    after_change(s, (size_t)i);
    return BK_OK;
}

bk_rc bk_session_set(bk_session *s, const char *name, const char *value, bk_error *err)
{
    int i = find_setting(name);
    if (i < 0) {
        if (strchr(name, '.') != NULL) {
            /* Custom "prefix.name" parameters are accepted as PostgreSQL does. */
            return BK_OK;
        }
        return bk_raise(err, UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    }
    const setting_def *d = &settings[i];
    if (d->readonly) {
        return bk_raise(err, CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" cannot be changed",
                        d->name);
    }
    if (strlen(value) >= BK_SETTING_VALUE_MAX && d->check != check_app_name) {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "value for parameter \"%s\" is too long",
                        d->name);
    }
    char norm[BK_SETTING_VALUE_MAX];
    if (d->check != NULL) {
        if (d->check(value, norm, err) != BK_OK) {
            return BK_ERR;
        }
    } else {
        copy_value(value, norm);
    }
    bk_setting_value *v = &s->settings[i];
    if (strcmp(v->value, norm) != 0) {
        memcpy(v->value, norm, sizeof norm);
        if (d->report) {
            v->reported_dirty = true;
        }
        after_change(s, (size_t)i);
    }
    return BK_OK;
}

const char *bk_session_get(bk_session *s, const char *name)
{
    int i = find_setting(name);
    return i < 0 ? NULL : s->settings[i].value;
}

const char *bk_setting_canonical_name(const char *name)
{
    int i = find_setting(name);
    return i < 0 ? NULL : settings[i].name;
}

void bk_session_report_all(bk_session *s, void (*fn)(void *, const char *, const char *), void *ctx)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (settings[i].report) {
            fn(ctx, settings[i].name, s->settings[i].value);
            s->settings[i].reported_dirty = false;
        }
    }
}

void bk_session_report_changes(bk_session *s,
                               void (*fn)(void *, const char *, const char *),
                               void *ctx)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        if (s->settings[i].reported_dirty) {
            fn(ctx, settings[i].name, s->settings[i].value);
            s->settings[i].reported_dirty = false;
        }
    }
}
