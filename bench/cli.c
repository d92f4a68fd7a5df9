/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basket-bench's command line: options (psql's -h -p -U -d plus the run's shape) and where a
 * scenario name is looked up. Kept apart from bench.c, which runs the clients.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_int.h"

static void usage(FILE *f)
{
    fputs("Usage: basket-bench -h HOST -p PORT -U USER -d DB --scenario NAME|FILE --clients N\n"
          "                    (--duration SECONDS | --count N) [--warmup SECONDS] [--json]\n"
          "                    [--protocol simple|extended|prepared] [--seed N]\n"
          "Runs a scenario (statements with weights, see bench/README.md) against a\n"
          "PostgreSQL-protocol server and reports per statement: count, errors, QPS, latency\n"
          "p50/p95/p99/max, rows/s and bytes/s.\n\n"
          "  -h, --host HOST        server host or socket directory (libpq default when absent)\n"
          "  -p, --port PORT        server port\n"
          "  -U, --username USER    user name\n"
          "  -d, --dbname DB        database\n"
          "      --scenario S       a file, or a name in bench/scenarios (dashboard, adhoc,\n"
          "                         lookup, ingest, mixed)\n"
          "      --clients N        concurrent connections, one thread each\n"
          "      --duration SECONDS measure for this long after the warm-up\n"
          "      --count N          measure N executions per client\n"
          "      --warmup SECONDS   run unmeasured first (default 2 with --duration, 0 with\n"
          "                         --count)\n"
          "      --json             one JSON object instead of the table\n"
          "      --protocol P       simple (text results), extended (PQexecParams, binary\n"
          "                         results) or prepared (prepared once per connection);\n"
          "                         default: the scenario's -- protocol: header, else simple\n"
          "      --seed N           PRNG seed for statement picks and parameters (default 1)\n"
          "      --help             show this help and exit\n"
          "Exit status: 0 run completed (failed statements are reported, not fatal),\n"
          "1 usage or scenario error, 2 connection failure.\n",
          f);
}

static double parse_seconds(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 86400.0 * 7)) {
        bk_bench_die(1, "%s: \"%s\" is not a number of seconds", opt, s);
    }
    return v;
}

static uint64_t parse_count(const char *opt, const char *s, uint64_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max) {
        bk_bench_die(1, "%s: \"%s\" is not an integer from 0 to %llu", opt, s,
                     (unsigned long long)max);
    }
    return v;
}

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* A scenario argument is a file, or a name looked up in the scenario directories. */
char *bk_cli_resolve_scenario(const char *arg)
{
    size_t len = strlen(arg);
    if (strchr(arg, '/') != NULL || (len > 4 && strcmp(arg + len - 4, ".sql") == 0) ||
        readable(arg)) {
        if (!readable(arg)) {
            bk_bench_die(1, "scenario file \"%s\" not found or not readable", arg);
        }
        return bk_xstrdup(arg);
    }
    char exe_dir[PATH_MAX] = "";
    ssize_t n = readlink("/proc/self/exe", exe_dir, sizeof(exe_dir) - 1);
    if (n > 0) {
        exe_dir[n] = '\0';
        char *slash = strrchr(exe_dir, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
    }
    const char *env = getenv("BASKET_BENCH_SCENARIOS");
    char cand[4][PATH_MAX + 64];
    int n_cand = 0;
    if (env != NULL && env[0] != '\0') {
        snprintf(cand[n_cand++], sizeof(cand[0]), "%s/%s.sql", env, arg);
    }
#ifdef BK_BENCH_SCENARIO_DIR
    snprintf(cand[n_cand++], sizeof(cand[0]), "%s/%s.sql", BK_BENCH_SCENARIO_DIR, arg);
#endif
    if (exe_dir[0] != '\0') {
        snprintf(cand[n_cand++], sizeof(cand[0]), "%s/../bench/scenarios/%s.sql", exe_dir, arg);
    }
    snprintf(cand[n_cand++], sizeof(cand[0]), "bench/scenarios/%s.sql", arg);
    for (int i = 0; i < n_cand; i++) {
        if (readable(cand[i])) {
            return bk_xstrdup(cand[i]);
        }
    }
    bk_bench_die(1, "no scenario \"%s\" (looked for %s; set BASKET_BENCH_SCENARIOS or give a file)",
                 arg, cand[n_cand - 1]);
}

bool bk_cli_parse(int argc, char **argv, bk_run_config *cfg, bool *out_json, bool *out_has_protocol)
{
    enum {
        OPT_SCENARIO = 256,
        OPT_CLIENTS,
        OPT_DURATION,
        OPT_COUNT,
        OPT_WARMUP,
        OPT_JSON,
        OPT_PROTOCOL,
        OPT_SEED,
        OPT_HELP
    };
    static const struct option longopts[] = {
        {    "host", required_argument, NULL,          'h'},
        {    "port", required_argument, NULL,          'p'},
        {"username", required_argument, NULL,          'U'},
        {  "dbname", required_argument, NULL,          'd'},
        {"scenario", required_argument, NULL, OPT_SCENARIO},
        { "clients", required_argument, NULL,  OPT_CLIENTS},
        {"duration", required_argument, NULL, OPT_DURATION},
        {   "count", required_argument, NULL,    OPT_COUNT},
        {  "warmup", required_argument, NULL,   OPT_WARMUP},
        {    "json",       no_argument, NULL,     OPT_JSON},
        {"protocol", required_argument, NULL, OPT_PROTOCOL},
        {    "seed", required_argument, NULL,     OPT_SEED},
        {    "help",       no_argument, NULL,     OPT_HELP},
        {      NULL,                 0, NULL,            0},
    };
    bool has_duration = false, has_warmup = false;
    cfg->seed = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "h:p:U:d:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            cfg->host = optarg;
            break;
        case 'p':
            cfg->port = optarg;
            break;
        case 'U':
            cfg->user = optarg;
            break;
        case 'd':
            cfg->dbname = optarg;
            break;
        case OPT_SCENARIO:
            cfg->scenario_arg = optarg;
            break;
        case OPT_CLIENTS:
            cfg->clients = (uint32_t)parse_count("--clients", optarg, 10000);
            break;
        case OPT_DURATION:
            cfg->duration_s = parse_seconds("--duration", optarg);
            has_duration = true;
            break;
        case OPT_COUNT:
            cfg->count = parse_count("--count", optarg, UINT64_MAX);
            break;
        case OPT_WARMUP:
            cfg->warmup_s = parse_seconds("--warmup", optarg);
            has_warmup = true;
            break;
        case OPT_JSON:
            *out_json = true;
            break;
        case OPT_PROTOCOL:
            if (!bk_protocol_parse(optarg, &cfg->protocol)) {
                bk_bench_die(1, "--protocol must be simple, extended or prepared");
            }
            *out_has_protocol = true;
            break;
        case OPT_SEED:
            cfg->seed = parse_count("--seed", optarg, UINT64_MAX);
            break;
        case OPT_HELP:
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return false;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "basket-bench: unexpected argument \"%s\"\n", argv[optind]);
        return false;
    }
    if (cfg->scenario_arg == NULL || cfg->clients == 0) {
        fprintf(stderr, "basket-bench: --scenario and --clients (1 or more) are required\n");
        return false;
    }
    if (has_duration == (cfg->count > 0) || (has_duration && cfg->duration_s <= 0.0)) {
        fprintf(stderr, "basket-bench: give exactly one of --duration SECONDS (> 0) and "
                        "--count N (> 0)\n");
        return false;
    }
    if (!has_warmup) {
        cfg->warmup_s = has_duration ? 2.0 : 0.0;
    }
    return true;
}
