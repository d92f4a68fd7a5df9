/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basket-bench output: an aligned table for people and one JSON object for scripts
 * (bench/compare.sh reads it). Both report the same numbers: latencies in milliseconds from
 * the merged histograms, rates per second of measured time (warm-up excluded).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench_int.h"

void bk_bench_die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("basket-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

void bk_sb_printf(bk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_rc rc = bk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    if (rc != BK_OK) {
        bk_bench_die(1, "out of memory");
    }
}

void bk_sb_append(bk_buf *b, const void *p, size_t n)
{
    if (bk_buf_append(b, p, n) != BK_OK) {
        bk_bench_die(1, "out of memory");
    }
}

static double per_s(uint64_t n, double secs)
{
    return secs > 0.0 ? (double)n / secs : 0.0;
}

static double ms(double ns)
{
    return ns / 1e6;
}

/* 1234567 -> "1.23M": rates spanning many orders of magnitude in a narrow column. */
static void human(char *out, size_t cap, double v, const char *unit)
{
    static const char *const prefix[] = {"", "k", "M", "G", "T"};
    size_t i = 0;
    while (v >= 999.95 && i + 1 < BK_ARRAY_LEN(prefix)) {
        v /= 1000.0;
        i++;
    }
    if (i > 0) {
        snprintf(out, cap, "%.2f%s%s", v, prefix[i], unit);
    } else if (v > 0.0 && v < 9.95) {
        snprintf(out, cap, "%.1f%s", v, unit);
    } else {
        snprintf(out, cap, "%.0f%s", v, unit);
    }
}

static void
table_row(FILE *f, int name_w, const char *name, const char *weight, const bk_stat *st, double secs)
{
    char rows[32], bytes[32];
    human(rows, sizeof(rows), per_s(st->rows, secs), "");
    human(bytes, sizeof(bytes), per_s(st->bytes, secs), "B");
    fprintf(f, "%-*s %6s %9llu %7llu %9.1f %10.3f %10.3f %10.3f %10.3f %9s %10s\n", name_w, name,
            weight, (unsigned long long)st->count, (unsigned long long)st->errors,
            per_s(st->count, secs), ms(bk_hist_percentile(&st->hist, 0.50)),
            ms(bk_hist_percentile(&st->hist, 0.95)), ms(bk_hist_percentile(&st->hist, 0.99)),
            ms((double)st->hist.max_ns), rows, bytes);
}

static const char *slot_name(const bk_scenario *sc, size_t slot, char *buf, size_t cap)
{
    for (size_t i = 0; i < sc->n_stmts; i++) {
        if ((size_t)sc->stmts[i].slot == slot) {
            return sc->stmts[i].name;
        }
        if (sc->stmts[i].fresh_slot >= 0 && (size_t)sc->stmts[i].fresh_slot == slot) {
            snprintf(buf, cap, "%s.freshness", sc->stmts[i].name);
            return buf;
        }
    }
    return "?";
}

static const bk_stmt *slot_stmt(const bk_scenario *sc, size_t slot)
{
    for (size_t i = 0; i < sc->n_stmts; i++) {
        if ((size_t)sc->stmts[i].slot == slot) {
            return &sc->stmts[i];
        }
    }
    return NULL;
}

void bk_report_table(FILE *f, const bk_run_config *cfg, const bk_run_result *res)
{
    const bk_scenario *sc = res->sc;
    char mode[64];
    if (cfg->count > 0) {
        snprintf(mode, sizeof(mode), "%llu executions per client", (unsigned long long)cfg->count);
    } else {
        snprintf(mode, sizeof(mode), "%.1f s", cfg->duration_s);
    }
    fprintf(f, "scenario %s (%s), protocol %s, %u client%s, %s after %.1f s warm-up, seed %llu\n",
            sc->name, sc->path, bk_protocol_name(cfg->protocol), cfg->clients,
            cfg->clients == 1 ? "" : "s", mode, cfg->warmup_s, (unsigned long long)cfg->seed);
    fprintf(f, "server %s:%s, version %s; measured %.2f s%s%s\n",
            cfg->host != NULL ? cfg->host : "(default)",
            cfg->port != NULL ? cfg->port : "(default)", res->server_version, res->measured_s,
            res->interrupted ? " (interrupted)" : "", res->conn_lost ? " (connection lost)" : "");
    if (res->reconnects > 0) {
        fprintf(f, "reconnects after lost connections: %llu\n",
                (unsigned long long)res->reconnects);
    }
    fputc('\n', f);

    char nbuf[160];
    int name_w = 9;
    for (size_t s = 0; s < sc->n_slots; s++) {
        int len = (int)strlen(slot_name(sc, s, nbuf, sizeof(nbuf)));
        name_w = BK_MAX(name_w, len);
    }
    fprintf(f, "%-*s %6s %9s %7s %9s %10s %10s %10s %10s %9s %10s\n", name_w, "statement", "weight",
            "count", "errors", "qps", "p50 ms", "p95 ms", "p99 ms", "max ms", "rows/s", "bytes/s");
    for (size_t s = 0; s < sc->n_slots; s++) {
        const bk_stmt *st = slot_stmt(sc, s);
        char weight[24];
        if (st == NULL) {
            snprintf(weight, sizeof(weight), "-");
        } else if (st->rate > 0.0) {
            snprintf(weight, sizeof(weight), "%g/s", st->rate);
        } else {
            snprintf(weight, sizeof(weight), "%u", st->weight);
        }
        table_row(f, name_w, slot_name(sc, s, nbuf, sizeof(nbuf)), weight, &res->slots[s],
                  res->measured_s);
    }
    table_row(f, name_w, "total", "", &res->total, res->measured_s);

    bool any = false;
    for (size_t s = 0; s < sc->n_slots; s++) {
        const bk_stat *st = &res->slots[s];
        if (st->errors == 0) {
            continue;
        }
        if (!any) {
            fprintf(f, "\nerrors (first of each statement):\n");
            any = true;
        }
        fprintf(f, "  %s: %llu error%s, %s %s\n", slot_name(sc, s, nbuf, sizeof(nbuf)),
                (unsigned long long)st->errors, st->errors == 1 ? "" : "s", st->first_sqlstate,
                st->first_message);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* JSON                                                                                     */

static void json_str(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        switch (*c) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        default:
            if (*c < 0x20) {
                fprintf(f, "\\u%04x", *c);
            } else {
                fputc(*c, f);
            }
        }
    }
    fputc('"', f);
}

/* Numbers in JSON may not be NaN or infinite; rates are finite by construction. */
static void json_num(FILE *f, double v)
{
    fprintf(f, "%.6g", v);
}

static void json_stat(FILE *f, const bk_stat *st, double secs)
{
    fprintf(f, "\"count\": %llu, \"errors\": %llu, \"qps\": ", (unsigned long long)st->count,
            (unsigned long long)st->errors);
    json_num(f, per_s(st->count, secs));
    fputs(", \"latency_ms\": {\"mean\": ", f);
    json_num(f, st->hist.n > 0 ? ms((double)st->hist.sum_ns / (double)st->hist.n) : 0.0);
    fputs(", \"min\": ", f);
    json_num(f, st->hist.n > 0 ? ms((double)st->hist.min_ns) : 0.0);
    fputs(", \"p50\": ", f);
    json_num(f, ms(bk_hist_percentile(&st->hist, 0.50)));
    fputs(", \"p95\": ", f);
    json_num(f, ms(bk_hist_percentile(&st->hist, 0.95)));
    fputs(", \"p99\": ", f);
    json_num(f, ms(bk_hist_percentile(&st->hist, 0.99)));
    fputs(", \"max\": ", f);
    json_num(f, ms((double)st->hist.max_ns));
    fprintf(f, "}, \"rows\": %llu, \"rows_per_s\": ", (unsigned long long)st->rows);
    json_num(f, per_s(st->rows, secs));
    fprintf(f, ", \"bytes\": %llu, \"bytes_per_s\": ", (unsigned long long)st->bytes);
    json_num(f, per_s(st->bytes, secs));
    fputs(", \"first_error\": ", f);
    if (st->first_sqlstate[0] == '\0') {
        fputs("null", f);
    } else {
        fputs("{\"sqlstate\": ", f);
        json_str(f, st->first_sqlstate);
        fputs(", \"message\": ", f);
        json_str(f, st->first_message);
        fputc('}', f);
    }
}

void bk_report_json(FILE *f, const bk_run_config *cfg, const bk_run_result *res)
{
    const bk_scenario *sc = res->sc;
    fputs("{\"tool\": \"basket-bench\", \"config\": {\"host\": ", f);
    json_str(f, cfg->host);
    fputs(", \"port\": ", f);
    json_str(f, cfg->port);
    fputs(", \"user\": ", f);
    json_str(f, cfg->user);
    fputs(", \"dbname\": ", f);
    json_str(f, cfg->dbname);
    fputs(", \"scenario\": ", f);
    json_str(f, sc->name);
    fputs(", \"scenario_file\": ", f);
    json_str(f, sc->path);
    fputs(", \"description\": ", f);
    json_str(f, sc->description);
    fputs(", \"protocol\": ", f);
    json_str(f, bk_protocol_name(cfg->protocol));
    fprintf(f, ", \"clients\": %u, \"duration_s\": ", cfg->clients);
    if (cfg->count > 0) {
        fprintf(f, "null, \"count\": %llu", (unsigned long long)cfg->count);
    } else {
        json_num(f, cfg->duration_s);
        fputs(", \"count\": null", f);
    }
    fputs(", \"warmup_s\": ", f);
    json_num(f, cfg->warmup_s);
    fprintf(f, ", \"seed\": %llu}, \"server_version\": ", (unsigned long long)cfg->seed);
    json_str(f, res->server_version);
    fputs(", \"measured_s\": ", f);
    json_num(f, res->measured_s);
    fprintf(f, ", \"reconnects\": %llu, \"interrupted\": %s, \"connection_lost\": %s",
            (unsigned long long)res->reconnects, res->interrupted ? "true" : "false",
            res->conn_lost ? "true" : "false");
    fputs(",\n \"statements\": [", f);
    char nbuf[160];
    for (size_t s = 0; s < sc->n_slots; s++) {
        const bk_stmt *st = slot_stmt(sc, s);
        fputs(s == 0 ? "\n  {\"name\": " : ",\n  {\"name\": ", f);
        json_str(f, slot_name(sc, s, nbuf, sizeof(nbuf)));
        fprintf(f, ", \"kind\": \"%s\", \"weight\": ", st != NULL ? "statement" : "freshness");
        if (st != NULL) {
            fprintf(f, "%u, \"rate\": ", st->rate > 0.0 ? 0 : st->weight);
            if (st->rate > 0.0) {
                json_num(f, st->rate);
            } else {
                fputs("null", f);
            }
        } else {
            fputs("null, \"rate\": null", f);
        }
        fputs(", ", f);
        json_stat(f, &res->slots[s], res->measured_s);
        fputc('}', f);
    }
    fputs("],\n \"total\": {", f);
    json_stat(f, &res->total, res->measured_s);
    fputs("}}\n", f);
}
