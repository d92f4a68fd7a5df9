/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A streaming RFC 4180 reader with PostgreSQL's CSV conventions: a quote may open a quoted
 * section anywhere in a field, a doubled quote inside one is a literal quote, CR, LF and CRLF
 * all end a record outside quotes, and an unquoted empty field is distinguishable from a
 * quoted one (NULL versus empty string for COPY).
 *
 * Input arrives in chunks split anywhere (inside a quote, between CR and LF); all parsing
 * state lives in the reader, so chunk boundaries never change the result. Field bytes are
 * unescaped into one buffer per record; memory is bounded by the longest record, and each
 * field by max_field_bytes.
 */
#include <string.h>

#include "loaders.h"

typedef enum csv_state {
    ST_FIELD,      /* inside an unquoted part of a field (or at its start) */
    ST_QUOTED,     /* inside a quoted section */
    ST_QUOTE_SEEN, /* a quote inside a quoted section: end of section or doubled quote */
    ST_ESCAPE,     /* escape char (distinct from quote) inside a quoted section */
} csv_state;

struct bk_csv {
    bk_csv_options opt;
    csv_state state;
    bool pending_cr;  /* last byte was a CR ending a record: swallow a following LF */
    bool in_record;   /* bytes of the current record have been seen */
    bool quoted_cr;   /* last byte inside quotes was a CR (a following LF is the same
                       * line break) */
    bk_buf data;      /* unescaped bytes of all fields of the record */
    bk_buf raw;       /* the record as read */
    uint32_t *starts; /* per field: offset into data */
    bool *quoted;
    uint32_t n_fields; /* fields started so far (the current one included) */
    uint32_t cap_fields;
    bk_str *views;
    uint64_t line; /* current line (1-based) */
    uint64_t record_line;
};

void bk_csv_options_default(bk_csv_options *opt)
{
    opt->delimiter = ',';
    opt->quote = '"';
    opt->escape = '"';
    opt->max_field_bytes = 0;
}

bk_csv *bk_csv_create(const bk_csv_options *opt)
{
    bk_csv *c = bk_mem_calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    c->opt = *opt;
    if (c->opt.max_field_bytes == 0) {
        c->opt.max_field_bytes = (size_t)64 << 20;
    }
    c->line = 1;
    return c;
}

void bk_csv_destroy(bk_csv *c)
{
    if (c == NULL) {
        return;
    }
    bk_buf_free(&c->data);
    bk_buf_free(&c->raw);
    bk_mem_free(c->starts);
    bk_mem_free(c->quoted);
    bk_mem_free(c->views);
    bk_mem_free(c);
}

static bk_rc oom(bk_error *err)
{
    return bk_raise(err, OUT_OF_MEMORY, "out of memory");
}

static bk_rc field_begin(bk_csv *c, bk_error *err)
{
    if (c->n_fields == c->cap_fields) {
        uint32_t cap = c->cap_fields == 0 ? 16 : c->cap_fields * 2;
        if (cap > 100000) {
            return bk_raise(err, BAD_COPY_FILE_FORMAT,
                            "too many columns in CSV record at line %llu",
                            (unsigned long long)c->record_line);
        }
        uint32_t *s = bk_mem_realloc(c->starts, cap * sizeof *s);
        if (s == NULL) {
            return oom(err);
        }
        c->starts = s;
        bool *q = bk_mem_realloc(c->quoted, cap * sizeof *q);
        if (q == NULL) {
            return oom(err);
        }
        c->quoted = q;
        bk_str *v = bk_mem_realloc(c->views, cap * sizeof *v);
        if (v == NULL) {
            return oom(err);
        }
        c->views = v;
        c->cap_fields = cap;
    }
    if (c->data.len > UINT32_MAX) {
        return bk_raise(err, PROGRAM_LIMIT_EXCEEDED, "CSV record at line %llu is too long",
                        (unsigned long long)c->record_line);
    }
    c->starts[c->n_fields] = (uint32_t)c->data.len;
    c->quoted[c->n_fields] = false;
    c->n_fields++;
    return BK_OK;
}

static bk_rc emit(bk_csv *c, bk_csv_record_fn fn, void *ctx, bk_error *err)
{
    for (uint32_t i = 0; i < c->n_fields; i++) {
        size_t end = i + 1 < c->n_fields ? c->starts[i + 1] : c->data.len;
        c->views[i].ptr = c->data.ptr == NULL ? "" : c->data.ptr + c->starts[i];
        c->views[i].len = end - c->starts[i];
    }
    bk_csv_record rec = {
        .fields = c->views,
        .quoted = c->quoted,
        .n_fields = c->n_fields,
        .line = c->record_line,
        .raw = {c->raw.ptr == NULL ? "" : c->raw.ptr, c->raw.len},
    };
    bk_rc rc = fn(ctx, &rec, err);
    c->n_fields = 0;
    c->in_record = false;
    bk_buf_clear(&c->data);
    bk_buf_clear(&c->raw);
    return rc;
}

static bk_rc field_byte(bk_csv *c, char ch, bk_error *err)
{
    if (c->data.len - c->starts[c->n_fields - 1] >= c->opt.max_field_bytes) {
        return bk_raise(err, BAD_COPY_FILE_FORMAT,
                        "CSV field at line %llu exceeds the %zu-byte limit",
                        (unsigned long long)c->record_line, c->opt.max_field_bytes);
    }
    if (bk_buf_append_byte(&c->data, (uint8_t)ch) != BK_OK) {
        return oom(err);
    }
    return BK_OK;
}

/* Line breaks inside quoted fields count toward line numbers: CR, LF and CRLF once each. */
static void count_quoted_newline(bk_csv *c, char ch)
{
    if (ch == '\r' || (ch == '\n' && !c->quoted_cr)) {
        c->line++;
    }
    c->quoted_cr = ch == '\r';
}

bk_rc bk_csv_feed(bk_csv *c,
                  const char *p,
                  size_t len,
                  bk_csv_record_fn fn,
                  void *ctx,
                  bk_error *err)
{
    const char delim = c->opt.delimiter, quote = c->opt.quote, esc = c->opt.escape;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (c->pending_cr) {
            c->pending_cr = false;
            if (ch == '\n') {
                continue;
            }
        }
        if (!c->in_record) {
            c->in_record = true;
            c->record_line = c->line;
            if (field_begin(c, err) != BK_OK) {
                return BK_ERR;
            }
        }
        switch (c->state) {
        case ST_QUOTE_SEEN:
            if (ch == quote && esc == quote) {
                if (field_byte(c, quote, err) != BK_OK) {
                    return BK_ERR;
                }
                c->state = ST_QUOTED;
                break;
            }
            c->state = ST_FIELD;
            /* The quote closed the section; this byte belongs to the unquoted state. */
            BK_FALLTHROUGH;
        case ST_FIELD:
            if (ch == delim) {
                if (field_begin(c, err) != BK_OK) {
                    return BK_ERR;
                }
            } else if (ch == '\n' || ch == '\r') {
                c->line++;
                c->pending_cr = ch == '\r';
                if (emit(c, fn, ctx, err) != BK_OK) {
                    return BK_ERR;
                }
                continue; /* the line ending is not part of raw */
            } else if (ch == quote) {
                c->quoted[c->n_fields - 1] = true;
                c->quoted_cr = false;
                c->state = ST_QUOTED;
            } else if (field_byte(c, ch, err) != BK_OK) {
                return BK_ERR;
            }
            break;
        case ST_QUOTED:
            if (ch == quote && esc == quote) {
                c->state = ST_QUOTE_SEEN;
            } else if (ch == esc) {
                c->state = ST_ESCAPE;
            } else if (ch == quote) {
                c->state = ST_FIELD;
            } else {
                count_quoted_newline(c, ch);
                if (field_byte(c, ch, err) != BK_OK) {
                    return BK_ERR;
                }
            }
            break;
        case ST_ESCAPE:
            /* Outside of quote/escape, an escape char is literal and so is the next byte. */
            if (ch != quote && ch != esc && field_byte(c, esc, err) != BK_OK) {
                return BK_ERR;
            }
            count_quoted_newline(c, ch);
            if (field_byte(c, ch, err) != BK_OK) {
                return BK_ERR;
            }
            c->state = ST_QUOTED;
            break;
        }
        if (bk_buf_append_byte(&c->raw, (uint8_t)ch) != BK_OK) {
            return oom(err);
        }
    }
    return BK_OK;
}

bk_rc bk_csv_finish(bk_csv *c, bk_csv_record_fn fn, void *ctx, bk_error *err)
{
    if (c->state == ST_QUOTED || c->state == ST_ESCAPE) {
        c->state = ST_FIELD;
        return bk_raise(err, BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
    }
    c->state = ST_FIELD;
    if (c->in_record) {
        return emit(c, fn, ctx, err);
    }
    return BK_OK;
}
