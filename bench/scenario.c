/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scenario files: plain SQL, statements separated by ';', each preceded by optional
 * metadata comments, so that a user can write a scenario in any SQL editor and run the same
 * file through psql.
 *
 *   -- protocol: extended          file header (before the first statement): default protocol
 *   -- description: text           file header: shown in the report
 *
 *   -- name: revenue_by_month      statement name (default: the file name for a one-statement
 *                                  file, else stmtN)
 *   -- weight: 3                   relative pick frequency (default 1; 0 = never picked)
 *   -- param: int 12346..18287     one line per $n, in order: <type> <generator>, where
 *                                  type is int|numeric|text|timestamp and generator is
 *                                  LO..HI, a list "a | b | c", "seq [START]" or "now"
 *   -- rate: 20                    run at 20/s on a dedicated connection instead of by weight
 *   -- freshness: <sql with $n>    after each acknowledged execution of a rate statement, poll
 *                                  this query until its first value is non-zero / true
 *   -- copy: 1000                  the statement is COPY ... FROM STDIN; send 1000 lines
 *   -- copy-row: $1,$2,...         one data line; $n are the statement's params, drawn anew
 *                                  for every line
 *
 * Other comments are comments. The SQL scanner below knows quotes, quoted identifiers,
 * dollar quotes and both comment forms, which is all that is needed to find statement ends
 * and $n placeholders.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_int.h"

const char *bk_protocol_name(bk_protocol p)
{
    switch (p) {
    case BK_PROTO_SIMPLE:
        return "simple";
    case BK_PROTO_EXTENDED:
        return "extended";
    case BK_PROTO_PREPARED:
        return "prepared";
    }
    return "?";
}

bool bk_protocol_parse(const char *s, bk_protocol *out)
{
    static const bk_protocol all[] = {BK_PROTO_SIMPLE, BK_PROTO_EXTENDED, BK_PROTO_PREPARED};
    for (size_t i = 0; i < BK_ARRAY_LEN(all); i++) {
        if (strcmp(s, bk_protocol_name(all[i])) == 0) {
            *out = all[i];
            return true;
        }
    }
    return false;
}

uint64_t bk_bench_prng(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---------------------------------------------------------------------------------------- */
/* SQL scanning                                                                             */

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/*
 * When `p` starts a quoted string, quoted identifier, comment or dollar-quoted string,
 * returns the position just after it (or the end of the text when unterminated); otherwise
 * returns `p`. `start` is the beginning of the text, to look at the preceding character.
 */
static const char *sql_skip(const char *start, const char *p)
{
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        while (*p != '\0') {
            if (*p == q) {
                if (p[1] == q) {
                    p += 2; /* doubled quote inside */
                    continue;
                }
                return p + 1;
            }
            p++;
        }
        return p;
    }
    if (p[0] == '-' && p[1] == '-') {
        while (*p != '\0' && *p != '\n') {
            p++;
        }
        return p;
    }
    if (p[0] == '/' && p[1] == '*') {
        int depth = 0; /* PostgreSQL nests block comments */
        while (*p != '\0') {
            if (p[0] == '/' && p[1] == '*') {
                depth++;
                p += 2;
            } else if (p[0] == '*' && p[1] == '/') {
                p += 2;
                if (--depth == 0) {
                    return p;
                }
            } else {
                p++;
            }
        }
        return p;
    }
    if (*p == '$' && (p == start || !is_ident_char(p[-1])) && !isdigit((unsigned char)p[1])) {
        /* $tag$ ... $tag$ with an empty or identifier tag. */
        const char *t = p + 1;
        while (isalnum((unsigned char)*t) || *t == '_') {
            t++;
        }
        if (*t != '$') {
            return p;
        }
        size_t tag_len = (size_t)(t - p) + 1;
        const char *q = t + 1;
        while (*q != '\0') {
            if (*q == '$' && strncmp(q, p, tag_len) == 0) {
                return q + tag_len;
            }
            q++;
        }
        return q;
    }
    return p;
}

const char *bk_sql_split_next(const char *p)
{
    const char *start = p;
    while (*p != '\0' && *p != ';') {
        const char *q = sql_skip(start, p);
        p = q != p ? q : p + 1;
    }
    return p;
}

size_t bk_sql_max_param(const char *sql)
{
    size_t max = 0;
    const char *p = sql;
    while (*p != '\0') {
        const char *q = sql_skip(sql, p);
        if (q != p) {
            p = q;
            continue;
        }
        if (*p == '$' && isdigit((unsigned char)p[1]) && (p == sql || !is_ident_char(p[-1]))) {
            unsigned long n = strtoul(p + 1, NULL, 10);
            max = BK_MAX(max, (size_t)n);
        }
        p++;
    }
    return max;
}

void bk_sql_substitute(bk_buf *out,
                       const char *sql,
                       const bk_param *params,
                       char values[][BK_PARAM_VAL_CAP],
                       size_t n_values)
{
    const char *p = sql;
    while (*p != '\0') {
        const char *q = sql_skip(sql, p);
        if (q != p) {
            bk_sb_append(out, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (*p == '$' && isdigit((unsigned char)p[1]) && (p == sql || !is_ident_char(p[-1]))) {
            char *end;
            unsigned long n = strtoul(p + 1, &end, 10);
            if (n >= 1 && n <= n_values) {
                const char *v = values[n - 1];
                bk_param_type t = params[n - 1].type;
                if (t == BK_PARAM_TEXT || t == BK_PARAM_TIMESTAMP) {
                    bk_sb_append(out, "'", 1);
                    for (const char *c = v; *c != '\0'; c++) {
                        bk_sb_append(out, c, 1);
                        if (*c == '\'') {
                            bk_sb_append(out, c, 1);
                        }
                    }
                    bk_sb_append(out, "'", 1);
                } else if (v[0] == '-') {
                    /* "x-$1" with -5 must not become the comment "x--5". */
                    bk_sb_printf(out, "(%s)", v);
                } else {
                    bk_sb_append(out, v, strlen(v));
                }
                p = end;
                continue;
            }
        }
        bk_sb_append(out, p, 1);
        p++;
    }
}

void bk_param_render(const bk_param *p, uint64_t *rng, uint32_t client, uint64_t *seq, char *out)
{
    switch (p->gen) {
    case BK_GEN_LIST: {
        const char *v = p->values[bk_bench_prng(rng) % p->n_values];
        snprintf(out, BK_PARAM_VAL_CAP, "%s", v);
        return;
    }
    case BK_GEN_RANGE: {
        uint64_t span = (uint64_t)(p->hi - p->lo) + 1;
        int64_t v = p->lo + (int64_t)(bk_bench_prng(rng) % span);
        snprintf(out, BK_PARAM_VAL_CAP, "%lld", (long long)v);
        return;
    }
    case BK_GEN_SEQ: {
        int64_t v = p->lo + (int64_t)client * 100000000 + (int64_t)(*seq)++;
        snprintf(out, BK_PARAM_VAL_CAP, "%lld", (long long)v);
        return;
    }
    case BK_GEN_NOW: {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(out, BK_PARAM_VAL_CAP, "%Y-%m-%d %H:%M:%S", &tm);
        return;
    }
    }
    out[0] = '\0';
}

/* ---------------------------------------------------------------------------------------- */
/* Scenario files                                                                           */

typedef struct parser {
    const char *path;
    const char *text;
    char *errbuf;
    size_t errcap;
    bool failed;
} parser;

static int line_of(const parser *ps, const char *at)
{
    int line = 1;
    for (const char *c = ps->text; c < at && *c != '\0'; c++) {
        line += *c == '\n';
    }
    return line;
}

static void parse_error(parser *ps, const char *at, const char *fmt, ...) BK_PRINTF(3, 4);

static void parse_error(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->failed) {
        return;
    }
    ps->failed = true;
    int n = snprintf(ps->errbuf, ps->errcap, "%s:%d: ", ps->path, line_of(ps, at));
    if (n < 0 || (size_t)n >= ps->errcap) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->errbuf + n, ps->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

static char *dup_trim(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        n--;
    }
    char *r = bk_xmalloc(n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s) {
        return false;
    }
    while (isspace((unsigned char)*end)) {
        end++;
    }
    if (*end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

/* "<type> <generator>" of a -- param: line. */
static void parse_param(parser *ps, const char *at, const char *v, bk_param *out)
{
    static const struct {
        const char *name;
        bk_param_type type;
    } types[] = {
        {      "int",       BK_PARAM_INT},
        {  "numeric",   BK_PARAM_NUMERIC},
        {     "text",      BK_PARAM_TEXT},
        {"timestamp", BK_PARAM_TIMESTAMP},
    };

    memset(out, 0, sizeof(*out));
    size_t tlen = strcspn(v, " \t");
    bool found = false;
    for (size_t i = 0; i < BK_ARRAY_LEN(types); i++) {
        if (strlen(types[i].name) == tlen && strncmp(v, types[i].name, tlen) == 0) {
            out->type = types[i].type;
            found = true;
        }
    }
    if (!found) {
        parse_error(ps, at, "param: type must be int, numeric, text or timestamp");
        return;
    }
    const char *g = v + tlen;
    while (isspace((unsigned char)*g)) {
        g++;
    }
    const char *dots = strstr(g, "..");
    if (strcmp(g, "now") == 0) {
        out->gen = BK_GEN_NOW;
    } else if (strncmp(g, "seq", 3) == 0 && (g[3] == '\0' || isspace((unsigned char)g[3]))) {
        out->gen = BK_GEN_SEQ;
        out->lo = 1;
        if (g[3] != '\0' && !parse_i64(g + 3, &out->lo)) {
            parse_error(ps, at, "param: seq takes an integer start value");
        }
    } else if (dots != NULL && strchr(g, '|') == NULL) {
        char *lo_s = dup_trim(g, (size_t)(dots - g));
        bool ok = parse_i64(lo_s, &out->lo) && parse_i64(dots + 2, &out->hi) && out->lo <= out->hi;
        free(lo_s);
        out->gen = BK_GEN_RANGE;
        if (!ok) {
            parse_error(ps, at, "param: range must be LO..HI with integers LO <= HI");
        }
    } else {
        out->gen = BK_GEN_LIST;
        const char *p = g;
        for (;;) {
            size_t n = strcspn(p, "|");
            char *item = dup_trim(p, n);
            if (item[0] == '\0' || strlen(item) >= BK_PARAM_VAL_CAP) {
                free(item);
                parse_error(ps, at, "param: empty or overlong value in list");
                return;
            }
            out->values = realloc(out->values, (out->n_values + 1) * sizeof(char *));
            if (out->values == NULL) {
                bk_bench_die(1, "out of memory");
            }
            out->values[out->n_values++] = item;
            if (p[n] == '\0') {
                break;
            }
            p += n + 1;
        }
    }
}

static void param_free(bk_param *p)
{
    for (size_t i = 0; i < p->n_values; i++) {
        free(p->values[i]);
    }
    free(p->values);
    p->values = NULL;
    p->n_values = 0;
}

static void stmt_free(bk_stmt *st)
{
    free(st->name);
    free(st->sql);
    free(st->copy_row);
    free(st->freshness_sql);
    for (size_t i = 0; i < st->n_params; i++) {
        param_free(&st->params[i]);
    }
    memset(st, 0, sizeof(*st));
}

/*
 * Applies one "-- key: value" comment. `pending` collects statement keys until the next
 * statement; file keys are accepted only before the first statement. Unknown keys are plain
 * comments.
 */
static void apply_directive(parser *ps,
                            const char *at,
                            const char *key,
                            const char *val,
                            bk_scenario *sc,
                            bk_stmt *pending,
                            bool *has_pending)
{
    bool before_first = sc->n_stmts == 0 && !*has_pending;
    if (strcmp(key, "protocol") == 0) {
        if (!before_first) {
            parse_error(ps, at, "protocol: is a file header; put it before the first statement");
        } else if (!bk_protocol_parse(val, &sc->protocol)) {
            parse_error(ps, at, "protocol must be simple, extended or prepared");
        }
        sc->has_protocol = true;
        return;
    }
    if (strcmp(key, "description") == 0 && before_first) {
        free(sc->description);
        sc->description = bk_xstrdup(val);
        return;
    }
    int64_t n;
    if (strcmp(key, "name") == 0) {
        free(pending->name);
        pending->name = bk_xstrdup(val);
    } else if (strcmp(key, "weight") == 0) {
        if (!parse_i64(val, &n) || n < 0 || n > 1000000) {
            parse_error(ps, at, "weight must be an integer from 0 to 1000000");
        }
        pending->weight = (uint32_t)n;
    } else if (strcmp(key, "rate") == 0) {
        char *end;
        double r = strtod(val, &end);
        if (end == val || *end != '\0' || !(r > 0.0 && r <= 1e6)) {
            parse_error(ps, at, "rate must be a number of executions per second above 0");
        }
        pending->rate = r;
    } else if (strcmp(key, "param") == 0) {
        if (pending->n_params >= BK_MAX_PARAMS) {
            parse_error(ps, at, "too many params (at most %d)", BK_MAX_PARAMS);
            return;
        }
        parse_param(ps, at, val, &pending->params[pending->n_params++]);
    } else if (strcmp(key, "copy") == 0) {
        if (!parse_i64(val, &n) || n < 1 || n > 10000000) {
            parse_error(ps, at, "copy must be a number of rows from 1 to 10000000");
        }
        pending->copy_rows = (uint32_t)n;
    } else if (strcmp(key, "copy-row") == 0) {
        free(pending->copy_row);
        pending->copy_row = bk_xstrdup(val);
    } else if (strcmp(key, "freshness") == 0) {
        free(pending->freshness_sql);
        pending->freshness_sql = bk_xstrdup(val);
    } else {
        return; /* an ordinary comment that happens to contain a colon */
    }
    *has_pending = true;
}

/* Parses "-- key: value" from the comment line [p, eol); false if it is not of that form. */
static bool
split_directive(const char *p, const char *eol, char *key, size_t key_cap, char **out_val)
{
    p += 2;
    while (p < eol && (*p == ' ' || *p == '\t')) {
        p++;
    }
    const char *k = p;
    while (p < eol && (islower((unsigned char)*p) || *p == '-')) {
        p++;
    }
    if (p == k || p >= eol || *p != ':' || (size_t)(p - k) >= key_cap) {
        return false;
    }
    memcpy(key, k, (size_t)(p - k));
    key[p - k] = '\0';
    *out_val = dup_trim(p + 1, (size_t)(eol - p - 1));
    return true;
}

static void add_stmt(parser *ps, const char *at, bk_scenario *sc, bk_stmt *st)
{
    for (size_t i = 0; i < sc->n_stmts; i++) {
        if (st->name != NULL && strcmp(sc->stmts[i].name, st->name) == 0) {
            parse_error(ps, at, "duplicate statement name \"%s\"", st->name);
        }
    }
    if (st->copy_rows > 0 && st->copy_row == NULL) {
        parse_error(ps, at, "copy: needs a copy-row: template");
    }
    if (st->copy_row != NULL && st->copy_rows == 0) {
        parse_error(ps, at, "copy-row: needs copy: N");
    }
    if (st->freshness_sql != NULL && st->rate == 0.0) {
        parse_error(ps, at, "freshness: is measured only for statements with a rate:");
    }
    sc->stmts = realloc(sc->stmts, (sc->n_stmts + 1) * sizeof(bk_stmt));
    if (sc->stmts == NULL) {
        bk_bench_die(1, "out of memory");
    }
    sc->stmts[sc->n_stmts++] = *st;
    memset(st, 0, sizeof(*st));
    st->weight = 1;
}

static char *read_file(const char *path, char *errbuf, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(errbuf, errcap, "cannot open scenario \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    bk_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        bk_sb_append(&b, chunk, n);
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    bk_sb_append(&b, "", 1);
    if (bad) {
        snprintf(errbuf, errcap, "cannot read scenario \"%s\"", path);
        bk_buf_free(&b);
        return NULL;
    }
    return b.ptr;
}

bool bk_scenario_load(const char *path, bk_scenario *sc, char *errbuf, size_t errcap)
{
    memset(sc, 0, sizeof(*sc));
    char *text = read_file(path, errbuf, errcap);
    if (text == NULL) {
        return false;
    }
    parser ps = {path, text, errbuf, errcap, false};
    sc->path = bk_xstrdup(path);
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen > 4 && strcmp(base + blen - 4, ".sql") == 0) {
        blen -= 4;
    }
    sc->name = dup_trim(base, blen);
    sc->description = bk_xstrdup("");

    bk_stmt pending;
    memset(&pending, 0, sizeof(pending));
    pending.weight = 1;
    bool has_pending = false;
    const char *p = text;
    while (*p != '\0' && !ps.failed) {
        if (isspace((unsigned char)*p)) {
            p++;
        } else if (p[0] == '-' && p[1] == '-') {
            const char *eol = strchr(p, '\n');
            eol = eol != NULL ? eol : p + strlen(p);
            char key[32];
            char *val;
            if (split_directive(p, eol, key, sizeof(key), &val)) {
                apply_directive(&ps, p, key, val, sc, &pending, &has_pending);
                free(val);
            }
            p = eol;
        } else if (p[0] == '/' && p[1] == '*') {
            p = sql_skip(text, p);
        } else if (*p == ';') {
            p++; /* empty statement */
        } else {
            const char *end = bk_sql_split_next(p);
            pending.sql = dup_trim(p, (size_t)(end - p));
            add_stmt(&ps, p, sc, &pending);
            has_pending = false;
            p = *end == ';' ? end + 1 : end;
        }
    }
    if (!ps.failed && has_pending) {
        parse_error(&ps, p, "metadata comments after the last statement");
    }
    if (!ps.failed && sc->n_stmts == 0) {
        parse_error(&ps, p, "no statements");
    }
    uint64_t weights = 0;
    size_t n_rate = 0;
    for (size_t i = 0; i < sc->n_stmts && !ps.failed; i++) {
        bk_stmt *st = &sc->stmts[i];
        if (st->name == NULL) {
            st->name = sc->n_stmts == 1 ? bk_xstrdup(sc->name) : NULL;
            if (st->name == NULL) {
                char buf[32];
                snprintf(buf, sizeof(buf), "stmt%zu", i + 1);
                st->name = bk_xstrdup(buf);
            }
        }
        n_rate += st->rate > 0.0;
        weights += st->rate > 0.0 ? 0 : st->weight;
        st->slot = (int)sc->n_slots++;
    }
    for (size_t i = 0; i < sc->n_stmts && !ps.failed; i++) {
        bk_stmt *st = &sc->stmts[i];
        st->fresh_slot = -1;
        if (st->freshness_sql != NULL) {
            st->fresh_slot = (int)sc->n_slots++;
            st->fresh_n_params = bk_sql_max_param(st->freshness_sql);
            if (st->fresh_n_params > st->n_params) {
                parse_error(&ps, p,
                            "%s: freshness probe uses $%zu but the statement has %zu params",
                            st->name, st->fresh_n_params, st->n_params);
            }
        }
    }
    if (!ps.failed && weights == 0 && n_rate == 0) {
        parse_error(&ps, p, "every statement has weight 0");
    }
    stmt_free(&pending);
    free(text);
    if (ps.failed) {
        bk_scenario_free(sc);
        return false;
    }
    return true;
}

void bk_scenario_free(bk_scenario *sc)
{
    for (size_t i = 0; i < sc->n_stmts; i++) {
        stmt_free(&sc->stmts[i]);
    }
    free(sc->stmts);
    free(sc->path);
    free(sc->name);
    free(sc->description);
    memset(sc, 0, sizeof(*sc));
}
