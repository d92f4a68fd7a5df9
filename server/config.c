/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line flags of basketd. The names are a contract scripts and documentation rely on:
 * --port, --listen, --data-dir, --load (repeatable), --sample, --help, --version.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_int.h"

static void usage(FILE *f)
{
    fprintf(f, "basketd - an in-memory columnar OLAP server for e-commerce analytics,\n"
               "speaking the PostgreSQL wire protocol.\n"
               "\n"
               "Usage: basketd [OPTION]...\n"
               "\n"
               "Options:\n"
               "  --port N              TCP port to listen on (default 5433)\n"
               "  --listen ADDR         address to listen on (default 127.0.0.1)\n"
               "  --data-dir DIR        data directory (default ./basket-data)\n"
               "  --load FILE           when transactions is empty, load an Online Retail CSV\n"
               "                        into it (repeatable; all files load in that start-up)\n"
               "  --sample              when transactions is empty, load the built-in 541,909-row\n"
               "                        Online-Retail-like sample\n"
               "  --sample-rows N       rows of the built-in sample (default 541909)\n"
               "  --workers N           query worker threads (default: 2 per CPU, at least 4)\n"
               "  --max-connections N   concurrent connections (default 1000)\n"
               "  --auth-timeout MS     time allowed to complete start-up (default 10000)\n"
               "  --max-load-errors N   rejected rows tolerated per loaded file (default 1000)\n"
               "  --checkpoint-mb N     write a checkpoint after N MB of log (default 256)\n"
               "  --help                show this help and exit\n"
               "  --version             show the version and exit\n"
               "\n"
               "Connect with: psql -h 127.0.0.1 -p 5433 -U basket\n");
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    if (s[0] == '-' || s[0] == '\0') {
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

int bk_config_parse(bk_config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen_addr = "127.0.0.1";
    cfg->port = 5433;
    cfg->data_dir = "./basket-data";
    cfg->sample_rows = 541909;
    cfg->max_connections = 1000;
    cfg->auth_timeout_ms = 10000;
    cfg->max_load_errors = 1000;
    cfg->checkpoint_bytes = UINT64_C(256) << 20;
    cfg->load_files = bk_xcalloc((size_t)argc + 1, sizeof(char *));

    enum {
        OPT_PORT = 256,
        OPT_LISTEN,
        OPT_DATA_DIR,
        OPT_LOAD,
        OPT_SAMPLE,
        OPT_SAMPLE_ROWS,
        OPT_WORKERS,
        OPT_MAX_CONN,
        OPT_AUTH_TIMEOUT,
        OPT_MAX_LOAD_ERRORS,
        OPT_CHECKPOINT_MB,
        OPT_HELP,
        OPT_VERSION,
    };
    static const struct option opts[] = {
        {           "port", required_argument, NULL,            OPT_PORT},
        {         "listen", required_argument, NULL,          OPT_LISTEN},
        {       "data-dir", required_argument, NULL,        OPT_DATA_DIR},
        {           "load", required_argument, NULL,            OPT_LOAD},
        {         "sample",       no_argument, NULL,          OPT_SAMPLE},
        {    "sample-rows", required_argument, NULL,     OPT_SAMPLE_ROWS},
        {        "workers", required_argument, NULL,         OPT_WORKERS},
        {"max-connections", required_argument, NULL,        OPT_MAX_CONN},
        {   "auth-timeout", required_argument, NULL,    OPT_AUTH_TIMEOUT},
        {"max-load-errors", required_argument, NULL, OPT_MAX_LOAD_ERRORS},
        {  "checkpoint-mb", required_argument, NULL,   OPT_CHECKPOINT_MB},
        {           "help",       no_argument, NULL,            OPT_HELP},
        {        "version",       no_argument, NULL,         OPT_VERSION},
        {             NULL,                 0, NULL,                   0},
    };
    opterr = 0;
    optind = 1;
    int ch;
    uint64_t v;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_PORT:
            if (!parse_u64(optarg, 1, 65535, &v)) {
                fprintf(stderr, "basketd: invalid --port \"%s\": expected 1..65535\n", optarg);
                return -1;
            }
            cfg->port = (uint16_t)v;
            break;
        case OPT_LISTEN:
            cfg->listen_addr = optarg;
            break;
        case OPT_DATA_DIR:
            cfg->data_dir = optarg;
            break;
        case OPT_LOAD:
            cfg->load_files[cfg->n_load_files++] = optarg;
            break;
        case OPT_SAMPLE:
            cfg->sample = true;
            break;
        case OPT_SAMPLE_ROWS:
            if (!parse_u64(optarg, 1, UINT64_C(1) << 40, &cfg->sample_rows)) {
                fprintf(stderr, "basketd: invalid --sample-rows \"%s\"\n", optarg);
                return -1;
            }
            break;
        case OPT_CHECKPOINT_MB:
            if (!parse_u64(optarg, 1, 1024 * 1024, &v)) {
                fprintf(stderr, "basketd: invalid --checkpoint-mb \"%s\": expected 1..1048576\n",
                        optarg);
                return -1;
            }
            cfg->checkpoint_bytes = v << 20;
            break;
        case OPT_WORKERS:
            if (!parse_u64(optarg, 1, 1024, &v)) {
                fprintf(stderr, "basketd: invalid --workers \"%s\": expected 1..1024\n", optarg);
                return -1;
            }
            cfg->workers = (uint32_t)v;
            break;
        case OPT_MAX_CONN:
            if (!parse_u64(optarg, 1, 1000000, &v)) {
                fprintf(stderr, "basketd: invalid --max-connections \"%s\"\n", optarg);
                return -1;
            }
            cfg->max_connections = (uint32_t)v;
            break;
        case OPT_AUTH_TIMEOUT:
            if (!parse_u64(optarg, 1, 3600000, &v)) {
                fprintf(stderr, "basketd: invalid --auth-timeout \"%s\"\n", optarg);
                return -1;
            }
            cfg->auth_timeout_ms = (uint32_t)v;
            break;
        case OPT_MAX_LOAD_ERRORS:
            if (!parse_u64(optarg, 0, UINT64_MAX, &cfg->max_load_errors)) {
                fprintf(stderr, "basketd: invalid --max-load-errors \"%s\"\n", optarg);
                return -1;
            }
            break;
        case OPT_HELP:
            usage(stdout);
            return 1;
        case OPT_VERSION:
            printf("basketd %s (PostgreSQL protocol 3.0, server_version %s)\n", BK_VERSION,
                   BK_SERVER_VERSION);
            return 1;
        default:
            fprintf(stderr, "basketd: unknown or incomplete option \"%s\"\n", argv[optind - 1]);
            fprintf(stderr, "Try \"basketd --help\" for more information.\n");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "basketd: unexpected argument \"%s\"\n", argv[optind]);
        fprintf(stderr, "Try \"basketd --help\" for more information.\n");
        return -1;
    }
    return 0;
}

void bk_config_free(bk_config *cfg)
{
    free(cfg->load_files);
    cfg->load_files = NULL;
}
