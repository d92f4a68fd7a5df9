/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basket-bench internals: the latency histogram, the scenario model read from a .sql file,
 * per-statement statistics and the report writers. Private to bench/.
 *
 * Interface index:
 *   histogram   bk_hist_record, bk_hist_merge, bk_hist_percentile
 *   scenarios   bk_scenario_load, bk_scenario_free, bk_sql_split_next, bk_param_render
 *   statistics  bk_stat, bk_stat_merge
 *   report      bk_report_table, bk_report_json
 *   helpers     bk_bench_die, bk_sb_printf, bk_bench_prng
 */
#ifndef BK_BENCH_BENCH_INT_H
#define BK_BENCH_BENCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/common.h"

/* ---------------------------------------------------------------------------------------- */
/* Latency histogram                                                                        */

/*
 * HdrHistogram-style log-linear buckets over nanoseconds. Values below 2^BK_HIST_SUB_BITS
 * are counted exactly; above, every power of two is split into 2^(BK_HIST_SUB_BITS-1) equal
 * buckets, so a bucket is at most 1/256 of its lower bound wide (reported values, bucket
 * midpoints, are within 0.2% of the truth). Values of 2^BK_HIST_MAX_BITS ns (73 minutes) and
 * more fall into the last bucket; max_ns stays exact. Fixed size: 72 KiB, no per-sample data.
 */
#define BK_HIST_SUB_BITS 9
#define BK_HIST_MAX_BITS 42
#define BK_HIST_N_BUCKETS \
 ((1u << BK_HIST_SUB_BITS) + (BK_HIST_MAX_BITS - BK_HIST_SUB_BITS) * (1u << (BK_HIST_SUB_BITS - 1)))

typedef struct bk_hist {
    uint64_t n;                         /* samples recorded */
    uint64_t min_ns;                    /* exact; UINT64_MAX when n == 0 */
    uint64_t max_ns;                    /* exact */
    uint64_t sum_ns;                    /* for the mean */
    uint64_t counts[BK_HIST_N_BUCKETS]; /* samples per bucket */
} bk_hist;

/* Resets to no samples. */
void bk_hist_init(bk_hist *h);
void bk_hist_record(bk_hist *h, uint64_t ns);
/* Adds the samples of `src` to `dst`. */
void bk_hist_merge(bk_hist *dst, const bk_hist *src);
/*
 * The value at quantile `q` (0 < q <= 1) in nanoseconds: the midpoint of the bucket holding
 * the ceil(q*n)-th smallest sample, clamped to [min, max]. 0 when there are no samples.
 */
double bk_hist_percentile(const bk_hist *h, double q);

/* ---------------------------------------------------------------------------------------- */
/* Scenarios                                                                                */

typedef enum bk_protocol {
    BK_PROTO_SIMPLE,   /* Query message, text results (PQexec) */
    BK_PROTO_EXTENDED, /* unnamed Parse/Bind/Execute, text params, binary results */
    BK_PROTO_PREPARED, /* named statement prepared once per connection, binary results */
} bk_protocol;

const char *bk_protocol_name(bk_protocol p);
/* Returns false when `s` names no protocol. */
bool bk_protocol_parse(const char *s, bk_protocol *out);

/* How a parameter is written into SQL text in the simple protocol. */
typedef enum bk_param_type {
    BK_PARAM_INT,       /* bare literal */
    BK_PARAM_NUMERIC,   /* bare literal */
    BK_PARAM_TEXT,      /* quoted literal */
    BK_PARAM_TIMESTAMP, /* quoted literal */
} bk_param_type;

typedef enum bk_param_gen {
    BK_GEN_LIST,  /* one of values[], uniformly */
    BK_GEN_RANGE, /* an integer in [lo, hi], uniformly */
    BK_GEN_SEQ,   /* lo + client * 100000000 + n-th use by that client: unique per run */
    BK_GEN_NOW,   /* the current UTC time, YYYY-MM-DD HH:MM:SS */
} bk_param_gen;

typedef struct bk_param {
    bk_param_type type;
    bk_param_gen gen;
    int64_t lo, hi; /* RANGE bounds; SEQ start in lo */
    char **values;  /* LIST values, n_values of them (heap) */
    size_t n_values;
} bk_param;

#define BK_MAX_PARAMS    32
#define BK_PARAM_VAL_CAP 128 /* bytes of one rendered value, NUL included */

typedef struct bk_stmt {
    char *name;      /* -- name:, or the file name / "stmtN" (heap) */
    char *sql;       /* statement text without the trailing ';' (heap) */
    uint32_t weight; /* -- weight: (default 1); 0 = never picked */
    double rate;     /* -- rate: executions/s on a dedicated connection; 0 = weighted */
    bk_param params[BK_MAX_PARAMS]; /* -- param: lines, for $1..$n */
    size_t n_params;
    uint32_t copy_rows;    /* -- copy: N; sql is COPY ... FROM STDIN; 0 = not a COPY */
    char *copy_row;        /* -- copy-row: template of one data line, $n placeholders */
    char *freshness_sql;   /* -- freshness: probe polled after each acknowledgement */
    size_t fresh_n_params; /* highest $n the probe uses: it is sent that many params */
    int slot;              /* index of this statement's statistics */
    int fresh_slot;        /* index of its freshness statistics, -1 = none */
} bk_stmt;

typedef struct bk_scenario {
    char *path;           /* file read (heap) */
    char *name;           /* file name without directory and .sql (heap) */
    char *description;    /* -- description: header, "" = none (heap) */
    bk_protocol protocol; /* -- protocol: header; simple when absent */
    bool has_protocol;    /* the header was present */
    bk_stmt *stmts;       /* n_stmts of them (heap) */
    size_t n_stmts;
    size_t n_slots; /* statements + freshness probes */
} bk_scenario;

/*
 * Reads and parses a scenario file. On error returns false and writes a message naming the
 * file and line into `errbuf`. The result is freed with bk_scenario_free.
 */
bool bk_scenario_load(const char *path, bk_scenario *out, char *errbuf, size_t errcap);
void bk_scenario_free(bk_scenario *sc);

/*
 * Scans SQL text from `p` for the end of the current statement: the first ';' outside
 * quotes, dollar quotes and comments, or the end of the text. Returns a pointer to the ';'
 * or to the terminating NUL.
 */
const char *bk_sql_split_next(const char *p);

/* The highest $n placeholder in `sql` (outside quotes and comments), 0 when none. */
size_t bk_sql_max_param(const char *sql);

/*
 * Writes `sql` into `out` with every $n outside quotes and comments replaced by values[n-1]
 * as a literal of its type (quoted and escaped for text and timestamps). Used for the simple
 * protocol. $n beyond n_values is left as is (the server then reports the error).
 */
void bk_sql_substitute(bk_buf *out,
                       const char *sql,
                       const bk_param *params,
                       char values[][BK_PARAM_VAL_CAP],
                       size_t n_values);

/* Splitmix64: the bench's seeded PRNG (one state per client). */
uint64_t bk_bench_prng(uint64_t *state);

/* Renders one value of `p` for client `client` into `out` (BK_PARAM_VAL_CAP bytes). */
void bk_param_render(const bk_param *p, uint64_t *rng, uint32_t client, uint64_t *seq, char *out);

/* ---------------------------------------------------------------------------------------- */
/* Statistics                                                                               */

#define BK_ERR_MSG_CAP 256

typedef struct bk_stat {
    uint64_t count;          /* measured executions that succeeded */
    uint64_t errors;         /* measured executions that failed */
    uint64_t rows;           /* rows returned, or affected / copied */
    uint64_t bytes;          /* result value bytes received, or COPY bytes sent */
    uint64_t first_error_ns; /* monotonic time of the first error, for merging */
    char first_sqlstate[6];  /* "" = no error; "-----" when libpq gave none */
    char first_message[BK_ERR_MSG_CAP];
    bk_hist hist; /* latency of successful executions */
} bk_stat;

void bk_stat_init(bk_stat *st);
void bk_stat_merge(bk_stat *dst, const bk_stat *src);

/* What a run was asked to do, for the report. */
typedef struct bk_run_config {
    const char *host, *port, *user, *dbname; /* NULL = libpq default */
    const char *scenario_arg;                /* --scenario as given */
    bk_protocol protocol;
    uint32_t clients;
    double duration_s; /* 0 in count mode */
    uint64_t count;    /* per client; 0 in duration mode */
    double warmup_s;
    uint64_t seed;
} bk_run_config;

/* The merged outcome of a run. */
typedef struct bk_run_result {
    const bk_scenario *sc;
    bk_stat *slots;      /* sc->n_slots merged statistics */
    bk_stat total;       /* all statement slots merged (freshness excluded) */
    double measured_s;   /* seconds from end of warm-up to the last completion */
    uint64_t reconnects; /* connections re-established after a loss */
    const char *server_version;
    bool interrupted; /* stopped by SIGINT/SIGTERM */
    bool conn_lost;   /* a client lost its connection for good */
} bk_run_result;

void bk_report_table(FILE *f, const bk_run_config *cfg, const bk_run_result *res);
void bk_report_json(FILE *f, const bk_run_config *cfg, const bk_run_result *res);

/*
 * Parses the command line into `cfg` (--help prints and exits 0). Returns false after
 * printing a usage message. `out_has_protocol` tells whether --protocol was given.
 */
bool bk_cli_parse(int argc,
                  char **argv,
                  bk_run_config *cfg,
                  bool *out_json,
                  bool *out_has_protocol);
/*
 * The scenario file for --scenario: the argument itself when it names a file, else NAME.sql
 * in $BASKET_BENCH_SCENARIOS, the source tree's bench/scenarios, <exe dir>/../bench/scenarios
 * or ./bench/scenarios. Exits with 1 when none exists. Heap string.
 */
char *bk_cli_resolve_scenario(const char *arg);

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

/* Prints "basket-bench: <message>" to stderr and exits with `code`. */
BK_NORETURN void bk_bench_die(int code, const char *fmt, ...) BK_PRINTF(2, 3);
/* bk_buf_vprintf that exits on OOM (the bench has no use for a half-built string). */
void bk_sb_printf(bk_buf *b, const char *fmt, ...) BK_PRINTF(2, 3);
void bk_sb_append(bk_buf *b, const void *p, size_t n);

#endif /* BK_BENCH_BENCH_INT_H */
