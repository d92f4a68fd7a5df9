/* SPDX-License-Identifier: Apache-2.0 */
/*
 * value_tool: Basket's text parsers and formatters as a filter, for the differential test
 * (test_value_format.py compares its output with PostgreSQL's).
 *
 * Input, one request per line:   <type>\t<text>
 *                                 numeric_<op>\t<a>\t<b>      op = add sub mul div
 * Output, one line per request:  OK\t<bk_format_<type>(bk_parse_<type>(text))>
 *                                 ERROR\t<sqlstate>\t<message>
 * Types: bool int2 int4 int8 oid float4 float8 numeric date timestamp timestamptz interval.
 * In <text>, \t \n \r \\ stand for tab, newline, carriage return and backslash, so that
 * whitespace handling can be tested too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage.h"

#define LINE_MAX_BYTES 65536

static size_t unescape(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if (c == '\\' && s[i + 1] != '\0') {
            i++;
            switch (s[i]) {
            case 't':
                c = '\t';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            default:
                c = s[i];
                break;
            }
        }
        s[o++] = c;
    }
    s[o] = '\0';
    return o;
}

static void print_error(const bk_error *err)
{
    printf("ERROR\t%s\t%s\n", bk_sqlstate_str(err->code), err->message);
}

static void print_ok(const char *buf, size_t n)
{
    printf("OK\t%.*s\n", (int)n, buf);
}

/* Parses `s` as `type` and formats the result into buf. BK_ERR with err set on failure. */
static bk_rc roundtrip(const char *type, bk_str s, char *buf, size_t *out_n, bk_error *err)
{
    size_t n = 0;
    if (strcmp(type, "bool") == 0) {
        uint8_t v;
        if (bk_parse_bool(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_bool(v, buf);
    } else if (strcmp(type, "int2") == 0) {
        int16_t v;
        if (bk_parse_int2(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_int64(v, buf);
    } else if (strcmp(type, "int4") == 0) {
        int32_t v;
        if (bk_parse_int4(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_int64(v, buf);
    } else if (strcmp(type, "int8") == 0) {
        int64_t v;
        if (bk_parse_int8(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_int64(v, buf);
    } else if (strcmp(type, "oid") == 0) {
        uint32_t v;
        if (bk_parse_oid(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_uint64(v, buf);
    } else if (strcmp(type, "float4") == 0) {
        float v;
        if (bk_parse_float4(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_float4(v, buf);
    } else if (strcmp(type, "float8") == 0) {
        double v;
        if (bk_parse_float8(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_float8(v, buf);
    } else if (strcmp(type, "numeric") == 0) {
        bk_i128 v;
        uint8_t scale;
        if (bk_parse_numeric(s, &v, &scale, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_numeric(v, scale, buf);
    } else if (strcmp(type, "date") == 0) {
        int32_t v;
        if (bk_parse_date(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_date(v, buf);
    } else if (strcmp(type, "timestamp") == 0) {
        int64_t v;
        if (bk_parse_timestamp(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_timestamp(v, buf);
    } else if (strcmp(type, "timestamptz") == 0) {
        int64_t v;
        if (bk_parse_timestamptz(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_timestamptz(v, buf);
    } else if (strcmp(type, "interval") == 0) {
        bk_interval v;
        if (bk_parse_interval(s, &v, err) != BK_OK) {
            return BK_ERR;
        }
        n = bk_format_interval(v, buf);
    } else {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "value_tool: unknown type \"%s\"", type);
    }
    *out_n = n;
    return BK_OK;
}

static bk_rc numeric_op(const char *op, bk_str a, bk_str b, char *buf, size_t *out_n, bk_error *err)
{
    bk_i128 x, y, r;
    uint8_t xs, ys;
    int rs;
    if (bk_parse_numeric(a, &x, &xs, err) != BK_OK || bk_parse_numeric(b, &y, &ys, err) != BK_OK) {
        return BK_ERR;
    }
    bk_rc rc;
    if (strcmp(op, "add") == 0) {
        rc = bk_numeric_add(x, xs, y, ys, &r, &rs, err);
    } else if (strcmp(op, "sub") == 0) {
        rc = bk_numeric_sub(x, xs, y, ys, &r, &rs, err);
    } else if (strcmp(op, "mul") == 0) {
        rc = bk_numeric_mul(x, xs, y, ys, &r, &rs, err);
    } else if (strcmp(op, "div") == 0) {
        rc = bk_numeric_div(x, xs, y, ys, &r, &rs, err);
    } else {
        return bk_raise(err, INVALID_PARAMETER_VALUE, "value_tool: unknown numeric op \"%s\"", op);
    }
    if (rc != BK_OK) {
        return BK_ERR;
    }
    *out_n = bk_format_numeric(r, rs, buf);
    return BK_OK;
}

int main(void)
{
    static char line[LINE_MAX_BYTES];
    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\n') {
            line[--len] = '\0';
        }
        char *tab = strchr(line, '\t');
        if (tab == NULL) {
            printf("ERROR\tXX000\tvalue_tool: expected <type>\\t<text>\n");
            continue;
        }
        *tab = '\0';
        const char *type = line;
        char *text = tab + 1;
        char buf[BK_FORMAT_MAX + 1];
        size_t n = 0;
        bk_error err;
        bk_error_clear(&err);
        bk_rc rc;
        if (strncmp(type, "numeric_", 8) == 0) {
            char *tab2 = strchr(text, '\t');
            if (tab2 == NULL) {
                printf("ERROR\tXX000\tvalue_tool: expected numeric_<op>\\t<a>\\t<b>\n");
                continue;
            }
            *tab2 = '\0';
            size_t alen = unescape(text);
            size_t blen = unescape(tab2 + 1);
            rc =
                numeric_op(type + 8, (bk_str){text, alen}, (bk_str){tab2 + 1, blen}, buf, &n, &err);
        } else {
            size_t tlen = unescape(text);
            rc = roundtrip(type, (bk_str){text, tlen}, buf, &n, &err);
        }
        if (rc == BK_OK) {
            if (n > BK_FORMAT_MAX) {
                printf("ERROR\tXX000\tvalue_tool: formatter wrote %zu > BK_FORMAT_MAX bytes\n", n);
            } else {
                print_ok(buf, n);
            }
        } else {
            print_error(&err);
        }
        (void)fflush(stdout);
    }
    return 0;
}
