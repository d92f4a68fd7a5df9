/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the streaming CSV reader (loaders/csv.c). Input: one chunking selector
 * byte (fuzz_fixture.h), one options byte, then the CSV text.
 *
 *   options bits 0-1  delimiter  , ; TAB |
 *   bit 2             escape     backslash instead of the quote
 *   bit 3             quote      ' instead of "
 *   bits 4-6          max_field_bytes: 0 = default, else 2^k bytes (2..64)
 *
 * The text is parsed twice, whole and in pieces, and every record (fields, quoted flags,
 * line, raw), the final status and the SQLSTATE must be identical. Each record is also
 * checked: at least one field, no field over the limit, lines that never go backwards.
 */
#include "fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct csv_trace {
    uint64_t hash;
    uint64_t n_records;
    uint64_t last_line;
    size_t max_field;
    size_t input_len;
} csv_trace;

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz invariant violated: %s\n", what);
        abort();
    }
}

static void mix(csv_trace *t, const void *p, size_t n)
{
    t->hash = bk_hash64_seed(p, n, t->hash);
}

static bk_rc on_record(void *ctx, const bk_csv_record *rec, bk_error *err)
{
    (void)err;
    csv_trace *t = ctx;
    check(rec->n_fields >= 1, "record without fields");
    check(rec->line >= 1 && rec->line >= t->last_line, "record lines go backwards");
    check(rec->raw.len <= t->input_len, "raw longer than the input");
    t->last_line = rec->line;
    t->n_records++;
    mix(t, &rec->line, sizeof rec->line);
    mix(t, &rec->n_fields, sizeof rec->n_fields);
    mix(t, rec->raw.ptr, rec->raw.len);
    for (uint32_t i = 0; i < rec->n_fields; i++) {
        check(rec->fields[i].len <= t->max_field, "field longer than max_field_bytes");
        check(rec->fields[i].len <= t->input_len, "field longer than the input");
        uint8_t q = rec->quoted[i] ? 1 : 0;
        mix(t, &q, 1);
        mix(t, &rec->fields[i].len, sizeof rec->fields[i].len);
        mix(t, rec->fields[i].ptr, rec->fields[i].len);
    }
    return BK_OK;
}

static void
parse(const bk_csv_options *opt, const uint8_t *p, size_t n, uint8_t selector, csv_trace *t)
{
    memset(t, 0, sizeof *t);
    t->max_field = opt->max_field_bytes == 0 ? (size_t)64 << 20 : opt->max_field_bytes;
    t->input_len = n;
    bk_csv *c = bk_csv_create(opt);
    check(c != NULL, "bk_csv_create");
    bk_error err;
    bk_error_clear(&err);
    fuzz_chunker ch;
    fuzz_chunker_init(&ch, selector);
    bk_rc rc = BK_OK;
    size_t pos = 0;
    while (rc == BK_OK && pos < n) {
        size_t k = fuzz_chunk_next(&ch, n - pos);
        rc = bk_csv_feed(c, (const char *)p + pos, k, on_record, t, &err);
        pos += k;
    }
    if (rc == BK_OK) {
        rc = bk_csv_finish(c, on_record, t, &err);
    }
    check(rc == BK_OK || err.is_set, "failure without an error");
    check(rc != BK_OK || !err.is_set, "error set on success");
    if (rc != BK_OK) {
        /* Input problems are 22P04 (or 54000 for absurd sizes), never anything else. */
        const char *code = bk_sqlstate_str(err.code);
        check(strcmp(code, "22P04") == 0 || strcmp(code, "54000") == 0, "unexpected SQLSTATE");
        mix(t, code, 5);
    }
    bk_csv_destroy(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    static const char delims[] = {',', ';', '\t', '|'};
    uint8_t o = data[1];
    bk_csv_options opt;
    bk_csv_options_default(&opt);
    opt.delimiter = delims[o & 3];
    opt.quote = (o & 8) ? '\'' : '"';
    opt.escape = (o & 4) ? '\\' : opt.quote;
    unsigned k = (o >> 4) & 7;
    opt.max_field_bytes = k == 0 ? 0 : (size_t)1 << k;
    csv_trace whole, pieces;
    parse(&opt, data + 2, size - 2, 0, &whole);
    if (data[0] != 0) {
        parse(&opt, data + 2, size - 2, data[0], &pieces);
        check(whole.hash == pieces.hash && whole.n_records == pieces.n_records,
              "records depend on how the input was split");
    }
    return 0;
}
