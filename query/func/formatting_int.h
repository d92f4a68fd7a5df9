/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The format-picture parser shared by to_char/to_date/to_timestamp (formatting.c) and the
 * numeric to_char (formatting_num.c): PostgreSQL's formatting.c model of a picture as a list
 * of nodes, each a keyword ("YYYY", "9") with prefix/suffix flags, or a literal character.
 */
#ifndef BK_QUERY_FUNC_FORMATTING_INT_H
#define BK_QUERY_FUNC_FORMATTING_INT_H

#include "func_int.h"

/* One keyword of a picture language; tables group keywords by first character, longest first. */
typedef struct fmt_keyword {
    const char *name;
    int len;
    int id;
    bool is_digit; /* the field is numeric (a following digit field needs fixed width) */
    int date_mode; /* FMT_MODE_*: Gregorian or ISO-week field (to_date's conflict check) */
} fmt_keyword;

enum {
    FMT_MODE_NONE,
    FMT_MODE_GREGORIAN,
    FMT_MODE_ISOWEEK,
};

typedef enum fmt_node_type {
    FN_END,
    FN_ACTION,    /* a keyword */
    FN_CHAR,      /* a literal character (one UTF-8 sequence) */
    FN_SEPARATOR, /* ASCII punctuation outside quotes (datetime pictures only) */
    FN_SPACE,
} fmt_node_type;

/* Prefix and suffix flags of datetime keywords. */
enum {
    FMT_S_FM = 0x01, /* fill mode: no padding */
    FMT_S_TH = 0x02, /* ordinal suffix, upper case */
    FMT_S_th = 0x04, /* ordinal suffix, lower case */
    FMT_S_SP = 0x08, /* spell mode (accepted, ignored) */
    FMT_S_TM = 0x10, /* translation mode (C locale: English names, unpadded) */
};

typedef struct fmt_node {
    fmt_node_type type;
    int suffix;
    char ch[5]; /* FN_CHAR/FN_SEPARATOR/FN_SPACE: the character, NUL-terminated */
    const fmt_keyword *key;
} fmt_node;

/*
 * Parses `fmt` (NUL-terminated) into out[], which must hold strlen(fmt) + 1 nodes; ends with
 * an FN_END node. `datetime` enables prefix/suffix flags and separator nodes.
 */
void fmt_parse(const char *fmt, const fmt_keyword *kw, bool datetime, fmt_node *out);

/* Appends "st"/"nd"/"rd"/"th" (upper case when `upper`) to the number text in buf[0..*len). */
void fmt_append_th(char *buf, size_t *len, bool upper);

/* Registers to_char(int4|int8|float4|float8|numeric, text) (formatting_num.c). */
void bk_func_register_to_char_num(func_builder *fb);
/* Registers to_date and to_timestamp(text, text) (formatting_from.c). */
void bk_func_register_to_date(func_builder *fb);

/* ---- datetime pictures (formatting.c) ------------------------------------------------------ */

/* Keyword ids of datetime pictures; lower-case spellings of numeric fields share the id. */
enum dch_id {
    DCH_A_D,
    DCH_A_M,
    DCH_AD,
    DCH_AM,
    DCH_B_C,
    DCH_BC,
    DCH_CC,
    DCH_DAY,
    DCH_DDD,
    DCH_DD,
    DCH_DY,
    DCH_Day,
    DCH_Dy,
    DCH_D,
    DCH_FF1,
    DCH_FF2,
    DCH_FF3,
    DCH_FF4,
    DCH_FF5,
    DCH_FF6,
    DCH_FX,
    DCH_HH24,
    DCH_HH12,
    DCH_HH,
    DCH_IDDD,
    DCH_ID,
    DCH_IW,
    DCH_IYYY,
    DCH_IYY,
    DCH_IY,
    DCH_I,
    DCH_J,
    DCH_MI,
    DCH_MM,
    DCH_MONTH,
    DCH_MON,
    DCH_MS,
    DCH_Month,
    DCH_Mon,
    DCH_OF,
    DCH_P_M,
    DCH_PM,
    DCH_Q,
    DCH_RM,
    DCH_SSSSS,
    DCH_SSSS,
    DCH_SS,
    DCH_TZH,
    DCH_TZM,
    DCH_TZ,
    DCH_US,
    DCH_WW,
    DCH_W,
    DCH_Y_YYY,
    DCH_YYYY,
    DCH_YYY,
    DCH_YY,
    DCH_Y,
    DCH_a_d,
    DCH_a_m,
    DCH_ad,
    DCH_am,
    DCH_b_c,
    DCH_bc,
    DCH_day,
    DCH_dy,
    DCH_month,
    DCH_mon,
    DCH_p_m,
    DCH_pm,
    DCH_rm,
    DCH_tz,
};

extern const fmt_keyword fmt_dch_keywords[];
/* English names (lc_time C.UTF-8), NULL-terminated. */
extern const char *const fmt_months_full[];
extern const char *const fmt_months_short[];
extern const char *const fmt_days_full[];
extern const char *const fmt_days_short[];
/* Roman month numerals, December first (a longer numeral must match before its prefix). */
extern const char *const fmt_rm_upper[];
extern const char *const fmt_rm_lower[];

/* Bytes of the UTF-8 sequence at s (stopping at a NUL). */
size_t fmt_utf8_len(const char *s);
/* ASCII punctuation: neither a letter, a digit nor a space. */
bool fmt_is_separator(const char *s);

/*
 * The picture of the previous row: pictures are constants in practice, so each batch parses
 * its picture once. Zero-initialise; the text points into the argument vector.
 */
typedef struct fmt_cache {
    bk_str text;
    fmt_node *nodes;
} fmt_cache;

/* The nodes of `fmt`, parsed unless the cache holds the same picture; NULL on OOM. */
fmt_node *fmt_cached_picture(const bk_eval_ctx *ctx,
                             fmt_cache *cache,
                             bk_str fmt,
                             const fmt_keyword *kw,
                             bool datetime,
                             bk_error *err);

/* Parses a picture given as text (copied NUL-terminated into the arena); NULL on OOM. */
fmt_node *fmt_parse_picture(const bk_eval_ctx *ctx,
                            bk_str fmt,
                            const fmt_keyword *kw,
                            bool datetime,
                            bk_error *err);

#endif /* BK_QUERY_FUNC_FORMATTING_INT_H */
