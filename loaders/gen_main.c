/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basket-gen: writes Online-Retail-like CSV from the deterministic generator (loaders/gen.c),
 * for benchmarks, demos and loader tests. Only the CSV goes to stdout; diagnostics go to
 * stderr. Exit status: 0 done, 1 an I/O or memory error, 2 a usage error.
 *
 *   basket-gen [--rows N] [--seed S] [--out FILE] [--bad-rate R] [--format spark|kaggle]
 *
 * "spark" is the layout of the UCI file re-exported by pandas/Spark (2010-12-01 08:26:00,
 * 17850.0, 18.0); "kaggle" the common data.csv export of the same data (12/1/2010 8:26, 17850,
 * 18). Malformed lines (--bad-rate) exist in the spark layout only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaders/loaders.h"

#define GEN_VERSION  "basket-gen 0.1.0"
#define GEN_FLUSH_AT (1u << 20)
#define EXIT_USAGE   2

typedef enum gen_format {
    FORMAT_SPARK,
    FORMAT_KAGGLE,
} gen_format;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: basket-gen [OPTION]...\n"
            "Write Online-Retail-like invoice lines as CSV (deterministic for a given seed).\n"
            "\n"
            "  -n, --rows N          invoice lines to write (default 541909, the UCI data set)\n"
            "  -s, --seed S          random seed, an unsigned 64-bit integer (default 42)\n"
            "  -o, --out FILE        write to FILE instead of standard output\n"
            "  -b, --bad-rate R      fraction of deliberately malformed lines, 0 to 1 (default 0;\n"
            "                        spark format only)\n"
            "  -f, --format FORMAT   spark (2010-12-01 08:26:00, 17850.0; default) or kaggle\n"
            "                        (12/1/2010 8:26, 17850)\n"
            "  -h, --help            show this help and exit\n"
            "  -V, --version         show the version and exit\n");
}

static int usage_error(void)
{
    fprintf(stderr, "Try \"basket-gen --help\" for more information.\n");
    return EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static bool parse_rate(const char *s, double *out)
{
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
        return false;
    }
    *out = v;
    return true;
}

static size_t put_uint(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        p[i] = tmp[n - 1 - i];
    }
    return n;
}

static size_t put_int(char *p, int64_t v)
{
    if (v < 0) {
        p[0] = '-';
        return 1 + put_uint(p + 1, (uint64_t)0 - (uint64_t)v);
    }
    return put_uint(p, (uint64_t)v);
}

/* A CSV field, quoted only when it holds a comma, a quote or a line break. */
static size_t put_field(char *p, bk_str s)
{
    bool quote = false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == ',' || s.ptr[i] == '"' || s.ptr[i] == '\n' || s.ptr[i] == '\r') {
            quote = true;
            break;
        }
    }
    size_t n = 0;
    if (quote) {
        p[n++] = '"';
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '"') {
            p[n++] = '"';
        }
        p[n++] = s.ptr[i];
    }
    if (quote) {
        p[n++] = '"';
    }
    return n;
}

/* A price as the Kaggle export writes it: "18", "2.1", "2.55", "0.001". */
static size_t put_kaggle_price(char *p, bk_i128 v, int scale)
{
    size_t n = 0;
    if (v < 0) {
        p[n++] = '-';
        v = -v;
    }
    bk_i128 pow10 = 1;
    for (int i = 0; i < scale; i++) {
        pow10 *= 10;
    }
    n += put_uint(p + n, (uint64_t)(v / pow10));
    bk_i128 frac = v % pow10;
    if (frac != 0) {
        p[n++] = '.';
        for (int i = scale - 1; i >= 0 && frac != 0; i--) {
            pow10 /= 10;
            p[n++] = (char)('0' + (int)(frac / pow10));
            frac %= pow10;
        }
    }
    return n;
}

/* One row in the Kaggle layout: 536365,85123A,WHITE ...,6,12/1/2010 8:26,2.55,17850,United Kingdom
 */
static bk_rc put_kaggle_row(bk_buf *out, const bk_retail_row *r)
{
    size_t need =
        2 * (r->invoice_no.len + r->stock_code.len + r->description.len + r->country.len) + 128;
    if (bk_buf_reserve(out, need) != BK_OK) {
        return BK_ERR;
    }
    char *p = out->ptr + out->len;
    size_t n = 0;
    n += put_field(p + n, r->invoice_no);
    p[n++] = ',';
    n += put_field(p + n, r->stock_code);
    p[n++] = ',';
    if (r->has_description) {
        n += put_field(p + n, r->description);
    }
    p[n++] = ',';
    n += put_int(p + n, r->quantity);
    p[n++] = ',';
    int64_t days = r->invoice_date / BK_USECS_PER_DAY;
    int64_t rest = r->invoice_date % BK_USECS_PER_DAY;
    if (rest < 0) {
        days--;
        rest += BK_USECS_PER_DAY;
    }
    int y, m, d;
    bk_date_to_ymd((int32_t)days, &y, &m, &d);
    int64_t minutes = rest / (60 * BK_USECS_PER_SEC);
    n += put_uint(p + n, (uint64_t)m);
    p[n++] = '/';
    n += put_uint(p + n, (uint64_t)d);
    p[n++] = '/';
    n += put_uint(p + n, (uint64_t)y);
    p[n++] = ' ';
    n += put_uint(p + n, (uint64_t)(minutes / 60));
    p[n++] = ':';
    p[n++] = (char)('0' + minutes % 60 / 10);
    p[n++] = (char)('0' + minutes % 10);
    p[n++] = ',';
    n += put_kaggle_price(p + n, r->unit_price, r->unit_price_scale);
    p[n++] = ',';
    if (r->has_customer_id) {
        n += put_int(p + n, r->customer_id);
    }
    p[n++] = ',';
    n += put_field(p + n, r->country);
    p[n++] = '\n';
    out->len += n;
    return BK_OK;
}

static bool flush(FILE *f, bk_buf *b)
{
    if (b->len > 0 && fwrite(b->ptr, 1, b->len, f) != b->len) {
        return false;
    }
    bk_buf_clear(b);
    return true;
}

int main(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {    "rows", required_argument, NULL, 'n'},
        {    "seed", required_argument, NULL, 's'},
        {     "out", required_argument, NULL, 'o'},
        {"bad-rate", required_argument, NULL, 'b'},
        {  "format", required_argument, NULL, 'f'},
        {    "help",       no_argument, NULL, 'h'},
        { "version",       no_argument, NULL, 'V'},
        {      NULL,                 0, NULL,   0},
    };
    bk_gen_options opt = {.rows = 541909, .seed = 42, .bad_row_rate = 0.0};
    const char *out_path = NULL;
    gen_format format = FORMAT_SPARK;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n:s:o:b:f:hV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_u64(optarg, &opt.rows)) {
                fprintf(stderr, "basket-gen: invalid row count \"%s\"\n", optarg);
                return usage_error();
            }
            break;
        case 's':
            if (!parse_u64(optarg, &opt.seed)) {
                fprintf(stderr, "basket-gen: invalid seed \"%s\"\n", optarg);
                return usage_error();
            }
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'b':
            if (!parse_rate(optarg, &opt.bad_row_rate)) {
                fprintf(stderr, "basket-gen: invalid bad-row rate \"%s\" (expected 0 to 1)\n",
                        optarg);
                return usage_error();
            }
            break;
        case 'f':
            if (strcmp(optarg, "spark") == 0) {
                format = FORMAT_SPARK;
            } else if (strcmp(optarg, "kaggle") == 0) {
                format = FORMAT_KAGGLE;
            } else {
                fprintf(stderr, "basket-gen: unknown format \"%s\" (expected spark or kaggle)\n",
                        optarg);
                return usage_error();
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            puts(GEN_VERSION);
            return 0;
        case ':':
            fprintf(stderr, "basket-gen: option \"%s\" needs a value\n", argv[optind - 1]);
            return usage_error();
        default:
            if (optopt != 0) {
                fprintf(stderr, "basket-gen: unknown option \"-%c\"\n", optopt);
            } else {
                fprintf(stderr, "basket-gen: unknown option \"%s\"\n", argv[optind - 1]);
            }
            return usage_error();
        }
    }
    if (optind < argc) {
        fprintf(stderr, "basket-gen: unexpected argument \"%s\"\n", argv[optind]);
        return usage_error();
    }
    if (format == FORMAT_KAGGLE && opt.bad_row_rate > 0.0) {
        fprintf(stderr, "basket-gen: --bad-rate is supported with --format spark only\n");
        return usage_error();
    }

    bk_gen *g = bk_gen_create(&opt);
    if (g == NULL) {
        fprintf(stderr, "basket-gen: out of memory\n");
        return 1;
    }
    FILE *f = stdout;
    if (out_path != NULL) {
        f = fopen(out_path, "wb");
        if (f == NULL) {
            fprintf(stderr, "basket-gen: could not open \"%s\": %s\n", out_path, strerror(errno));
            bk_gen_destroy(g);
            return 1;
        }
    }

    bk_buf buf = {0};
    bool ok = bk_buf_append(&buf, bk_gen_csv_header(), strlen(bk_gen_csv_header())) == BK_OK;
    bool oom = !ok;
    while (ok) {
        if (format == FORMAT_SPARK) {
            bk_rc rc;
            if (!bk_gen_next_csv(g, &buf, &rc)) {
                oom = rc != BK_OK;
                ok = !oom;
                break;
            }
        } else {
            bk_retail_row row;
            if (!bk_gen_next(g, &row)) {
                break;
            }
            if (put_kaggle_row(&buf, &row) != BK_OK) {
                oom = true;
                ok = false;
                break;
            }
        }
        if (buf.len >= GEN_FLUSH_AT && !flush(f, &buf)) {
            ok = false;
        }
    }
    if (ok && !flush(f, &buf)) {
        ok = false;
    }
    if (fflush(f) != 0 || ferror(f)) {
        ok = false;
    }
    if (f != stdout && fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        if (oom) {
            fprintf(stderr, "basket-gen: out of memory\n");
        } else {
            fprintf(stderr, "basket-gen: could not write \"%s\": %s\n",
                    out_path != NULL ? out_path : "standard output", strerror(errno));
        }
    }
    bk_buf_free(&buf);
    bk_gen_destroy(g);
    return ok ? 0 : 1;
}
