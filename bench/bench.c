/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basket-bench: a load generator for any server that speaks the PostgreSQL protocol.
 *
 *   basket-bench -h HOST -p PORT -U USER -d DB --scenario NAME|FILE --clients N
 *                (--duration SECONDS | --count N) [--warmup SECONDS] [--json]
 *                [--protocol simple|extended|prepared] [--seed N]
 *
 * One thread per client, each with its own connection, picks statements of the scenario by
 * weight with its own seeded PRNG and executes them back to back (closed loop). Statements
 * with a `-- rate:` get one extra connection each that issues them at that rate (open loop,
 * e.g. ingest while a dashboard runs). Executions that start during the warm-up are not
 * counted. Every client keeps its own statistics (histogram, counts, first error), so the
 * measured path shares nothing; the main thread merges them after joining the threads.
 *
 * Failed statements are data, not failures of the run: they are counted with the first
 * SQLSTATE and message kept, and the exit code stays 0. Exit codes: 0 the run completed,
 * 1 usage or scenario file error, 2 a connection could not be made (or was lost for good).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_int.h"

#define PROBE_TIMEOUT_NS (10ull * 1000000000ull) /* freshness: give up after 10 s */
#define PROBE_POLL_NS    1000000ull              /* freshness: poll every millisecond */
#define COPY_CHUNK       (1 << 20)

/* The outcome of one execution. */
typedef struct outcome {
    bool ok;
    bool conn_bad; /* the connection is gone; reconnect before the next statement */
    bool visible;  /* freshness probes: the first value is non-zero / true */
    uint64_t rows;
    uint64_t bytes;
    char sqlstate[6];
    char message[BK_ERR_MSG_CAP];
} outcome;

typedef struct client {
    uint32_t id;
    PGconn *conn;
    PGconn *probe_conn;   /* pacers of statements with a freshness probe */
    const bk_stmt *paced; /* the rate statement this pacer runs; NULL = weighted */
    bool *prepared;       /* per statement: prepared on conn (prepared protocol) */
    bool probe_prepared;
    uint64_t rng;
    uint64_t seq;          /* for `seq` params */
    bk_stat *stats;        /* n_slots, owned by this client's thread during the run */
    uint64_t last_done_ns; /* completion time of the last measured execution */
    uint64_t reconnects;
    bool lost;   /* connection lost and could not be re-established */
    bk_buf sql;  /* scratch: SQL with substituted parameters */
    bk_buf copy; /* scratch: COPY data */
    pthread_t thread;
} client;

static bk_run_config g_cfg;
static bk_scenario g_sc;
static uint64_t *g_cum_weight; /* cumulative weights of the weighted statements */
static size_t *g_weighted;     /* their indexes in g_sc.stmts */
static size_t g_n_weighted;
static uint64_t g_start_ns, g_warm_end_ns, g_end_ns;
static atomic_bool g_stop;
static volatile sig_atomic_t g_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
    atomic_store(&g_stop, true);
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !atomic_load(&g_stop)) {
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Connections                                                                              */

static PGconn *connect_one(char *errbuf, size_t errcap)
{
    const char *keys[8];
    const char *vals[8];
    int n = 0;
    const char *opt[][2] = {
        {  "host",   g_cfg.host},
        {  "port",   g_cfg.port},
        {  "user",   g_cfg.user},
        {"dbname", g_cfg.dbname}
    };
    for (size_t i = 0; i < BK_ARRAY_LEN(opt); i++) {
        if (opt[i][1] != NULL) {
            keys[n] = opt[i][0];
            vals[n++] = opt[i][1];
        }
    }
    keys[n] = "application_name";
    vals[n++] = "basket-bench";
    keys[n] = NULL;
    vals[n] = NULL;
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        snprintf(errbuf, errcap, "%s", c != NULL ? PQerrorMessage(c) : "out of memory");
        size_t len = strlen(errbuf);
        while (len > 0 && errbuf[len - 1] == '\n') {
            errbuf[--len] = '\0';
        }
        PQfinish(c);
        return NULL;
    }
    return c;
}

/* ---------------------------------------------------------------------------------------- */
/* Executing one statement                                                                  */

static void outcome_error(outcome *o, PGconn *conn, const PGresult *res)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    o->ok = false;
    o->conn_bad = PQstatus(conn) == CONNECTION_BAD;
    /* libpq reports client-side failures without a SQLSTATE; a lost server is 08006. */
    snprintf(o->sqlstate, sizeof(o->sqlstate), "%s",
             state != NULL ? state : (o->conn_bad ? "08006" : "-----"));
    if (msg == NULL) {
        msg = res != NULL && PQresultErrorMessage(res)[0] != '\0' ? PQresultErrorMessage(res)
                                                                  : PQerrorMessage(conn);
    }
    snprintf(o->message, sizeof(o->message), "%s", msg);
    size_t len = strlen(o->message);
    while (len > 0 && (o->message[len - 1] == '\n' || o->message[len - 1] == ' ')) {
        o->message[--len] = '\0';
    }
}

static void outcome_result(outcome *o, PGconn *conn, PGresult *res)
{
    switch (res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE: {
        int nr = PQntuples(res), nf = PQnfields(res);
        o->ok = true;
        o->rows = (uint64_t)nr;
        for (int r = 0; r < nr; r++) {
            for (int f = 0; f < nf; f++) {
                o->bytes += (uint64_t)PQgetlength(res, r, f);
            }
        }
        if (nr > 0 && nf > 0 && !PQgetisnull(res, 0, 0)) {
            const char *v = PQgetvalue(res, 0, 0);
            o->visible = strcmp(v, "0") != 0 && strcmp(v, "f") != 0 && v[0] != '\0';
        }
        return;
    }
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
        o->ok = true;
        o->rows = strtoull(PQcmdTuples(res), NULL, 10);
        return;
    case PGRES_COPY_OUT: {
        char *buf;
        while (PQgetCopyData(conn, &buf, 0) > 0) {
            PQfreemem(buf);
        }
        o->ok = false;
        snprintf(o->sqlstate, sizeof(o->sqlstate), "-----");
        snprintf(o->message, sizeof(o->message), "COPY TO STDOUT is not supported by basket-bench");
        return;
    }
    default:
        outcome_error(o, conn, res);
        return;
    }
}

/* Expands a -- copy-row: template: $n becomes the raw value (CSV quoting is the file's job). */
static void
copy_expand(bk_buf *out, const char *tmpl, char values[][BK_PARAM_VAL_CAP], size_t n_values)
{
    for (const char *p = tmpl; *p != '\0';) {
        if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
            char *end;
            unsigned long n = strtoul(p + 1, &end, 10);
            if (n <= n_values) {
                bk_sb_append(out, values[n - 1], strlen(values[n - 1]));
                p = end;
                continue;
            }
        }
        bk_sb_append(out, p, 1);
        p++;
    }
}

static void render_params(client *c, const bk_stmt *st, char values[][BK_PARAM_VAL_CAP])
{
    for (size_t i = 0; i < st->n_params; i++) {
        bk_param_render(&st->params[i], &c->rng, c->id, &c->seq, values[i]);
    }
}

/* Sends a COPY ... FROM STDIN with c->copy as data. The data was built before the clock. */
static PGresult *exec_copy(PGconn *conn, const char *sql, const bk_buf *data)
{
    PGresult *res = PQexec(conn, sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        return res;
    }
    PQclear(res);
    int rc = 1;
    for (size_t off = 0; off < data->len && rc == 1; off += COPY_CHUNK) {
        size_t n = BK_MIN((size_t)COPY_CHUNK, data->len - off);
        rc = PQputCopyData(conn, data->ptr + off, (int)n);
    }
    PQputCopyEnd(conn, rc == 1 ? NULL : "basket-bench: sending COPY data failed");
    res = PQgetResult(conn);
    PGresult *extra;
    while ((extra = PQgetResult(conn)) != NULL) {
        PQclear(extra);
    }
    return res;
}

/*
 * Executes `sql` (statement `key` for the prepared protocol's names) with `values` on `conn`
 * and fills `o`. Returns the latency in nanoseconds: from the first byte sent to the last
 * result received. Work that is not the server's (rendering, COPY data, counting result
 * bytes) happens outside that interval.
 */
static uint64_t exec_sql(client *c,
                         PGconn *conn,
                         const bk_stmt *st,
                         const char *sql,
                         size_t n_params,
                         const char *stmt_name,
                         bool *prepared,
                         char values[][BK_PARAM_VAL_CAP],
                         int result_format,
                         outcome *o)
{
    memset(o, 0, sizeof(*o));
    const char *pvals[BK_MAX_PARAMS];
    int n = (int)n_params;
    for (int i = 0; i < n; i++) {
        pvals[i] = values[i];
    }
    bool is_copy = st->copy_rows > 0 && sql == st->sql;
    if (is_copy) {
        bk_buf_clear(&c->copy);
        for (uint32_t r = 0; r < st->copy_rows; r++) {
            render_params(c, st, values);
            copy_expand(&c->copy, st->copy_row, values, st->n_params);
            bk_sb_append(&c->copy, "\n", 1);
        }
    } else if (g_cfg.protocol == BK_PROTO_SIMPLE) {
        bk_buf_clear(&c->sql);
        bk_sql_substitute(&c->sql, sql, st->params, values, st->n_params);
        bk_sb_append(&c->sql, "", 1);
    }

    PGresult *res = NULL;
    uint64_t t0 = bk_clock_mono_ns();
    if (is_copy) {
        /* COPY runs in the simple protocol whatever the scenario's protocol. */
        res = exec_copy(conn, sql, &c->copy);
    } else if (g_cfg.protocol == BK_PROTO_SIMPLE) {
        res = PQexec(conn, c->sql.ptr);
    } else if (g_cfg.protocol == BK_PROTO_EXTENDED) {
        res = PQexecParams(conn, sql, n, NULL, pvals, NULL, NULL, result_format);
    } else {
        if (!*prepared) {
            /* Not prepared at connect time (it failed): the Parse is part of this execution. */
            PGresult *pr = PQprepare(conn, stmt_name, sql, n, NULL);
            if (pr == NULL || PQresultStatus(pr) != PGRES_COMMAND_OK) {
                uint64_t lat = bk_clock_mono_ns() - t0;
                outcome_error(o, conn, pr);
                PQclear(pr);
                return lat;
            }
            PQclear(pr);
            *prepared = true;
        }
        res = PQexecPrepared(conn, stmt_name, n, pvals, NULL, NULL, result_format);
    }
    uint64_t lat = bk_clock_mono_ns() - t0;
    outcome_result(o, conn, res);
    if (is_copy && o->ok) {
        o->bytes = c->copy.len;
    }
    PQclear(res);
    return lat;
}

static void record(client *c, int slot, const outcome *o, uint64_t lat_ns)
{
    bk_stat *st = &c->stats[slot];
    if (o->ok) {
        st->count++;
        st->rows += o->rows;
        st->bytes += o->bytes;
        bk_hist_record(&st->hist, lat_ns);
        return;
    }
    st->errors++;
    if (st->first_sqlstate[0] == '\0') {
        st->first_error_ns = bk_clock_mono_ns();
        memcpy(st->first_sqlstate, o->sqlstate, sizeof(st->first_sqlstate));
        memcpy(st->first_message, o->message, sizeof(st->first_message));
    }
}

static void prepare_all(client *c)
{
    if (g_cfg.protocol != BK_PROTO_PREPARED) {
        return;
    }
    for (size_t i = 0; i < g_sc.n_stmts; i++) {
        const bk_stmt *st = &g_sc.stmts[i];
        c->prepared[i] = false;
        if (st->copy_rows > 0 || (c->paced != NULL && c->paced != st)) {
            continue;
        }
        char name[32];
        snprintf(name, sizeof(name), "bk_s%zu", i);
        PGresult *pr = PQprepare(c->conn, name, st->sql, (int)st->n_params, NULL);
        c->prepared[i] = pr != NULL && PQresultStatus(pr) == PGRES_COMMAND_OK;
        PQclear(pr);
    }
    c->probe_prepared = false;
}

/* After a lost connection: one reset attempt. False when the server stays unreachable. */
static bool reconnect(client *c)
{
    PQreset(c->conn);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        c->lost = true;
        return false;
    }
    c->reconnects++;
    prepare_all(c);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Client threads                                                                           */

static const bk_stmt *pick(client *c)
{
    uint64_t total = g_cum_weight[g_n_weighted - 1];
    uint64_t r = bk_bench_prng(&c->rng) % total;
    size_t lo = 0, hi = g_n_weighted - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g_cum_weight[mid] > r) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return &g_sc.stmts[g_weighted[lo]];
}

static size_t stmt_index(const bk_stmt *st)
{
    return (size_t)(st - g_sc.stmts);
}

/* Polls the freshness probe of `st` until the row acknowledged at `ack_ns` is visible. */
static void
probe_freshness(client *c, const bk_stmt *st, char values[][BK_PARAM_VAL_CAP], uint64_t ack_ns)
{
    char name[32];
    snprintf(name, sizeof(name), "bk_p%zu", stmt_index(st));
    for (;;) {
        outcome o;
        exec_sql(c, c->probe_conn, st, st->freshness_sql, st->fresh_n_params, name,
                 &c->probe_prepared, values, 0, &o);
        uint64_t now = bk_clock_mono_ns();
        if (!o.ok) {
            record(c, st->fresh_slot, &o, 0);
            if (o.conn_bad) {
                PQreset(c->probe_conn);
                c->probe_prepared = false;
            }
            return;
        }
        if (o.visible) {
            o.rows = 1;
            o.bytes = 0;
            record(c, st->fresh_slot, &o, now - ack_ns);
            return;
        }
        if (now - ack_ns > PROBE_TIMEOUT_NS || atomic_load(&g_stop)) {
            o.ok = false;
            snprintf(o.sqlstate, sizeof(o.sqlstate), "-----");
            snprintf(o.message, sizeof(o.message),
                     "not visible %.0f s after the acknowledgement (or the run ended first)",
                     (double)PROBE_TIMEOUT_NS / 1e9);
            record(c, st->fresh_slot, &o, 0);
            return;
        }
        sleep_ns(PROBE_POLL_NS);
    }
}

/* Whether the run is over for a client that has completed `done` measured executions. */
static bool run_over(uint64_t now, uint64_t done, bool counts)
{
    if (atomic_load(&g_stop)) {
        return true;
    }
    if (g_cfg.count == 0) {
        return now >= g_end_ns;
    }
    return counts && now >= g_warm_end_ns && done >= g_cfg.count;
}

static void *client_main(void *arg)
{
    client *c = arg;
    char values[BK_MAX_PARAMS][BK_PARAM_VAL_CAP];
    uint64_t done = 0;
    /* Pacers stop with the weighted clients, or after --count themselves when alone. */
    bool counts = c->paced == NULL || g_n_weighted == 0;
    uint64_t interval = c->paced != NULL ? (uint64_t)(1e9 / c->paced->rate) : 0;
    uint64_t next = g_start_ns;
    for (;;) {
        uint64_t now = bk_clock_mono_ns();
        if (run_over(now, done, counts)) {
            break;
        }
        const bk_stmt *st = c->paced;
        if (st != NULL) {
            if (now < next) {
                sleep_ns(BK_MIN(next - now, 50000000ull));
                continue;
            }
            next += interval;
            if (now > next + 1000000000ull) {
                next = now; /* more than a second behind: do not burst to catch up */
            }
        } else {
            st = pick(c);
        }
        bool measured = now >= g_warm_end_ns;
        render_params(c, st, values);
        char name[32];
        size_t idx = stmt_index(st);
        snprintf(name, sizeof(name), "bk_s%zu", idx);
        outcome o;
        uint64_t lat = exec_sql(c, c->conn, st, st->sql, st->n_params, name, &c->prepared[idx],
                                values, g_cfg.protocol == BK_PROTO_SIMPLE ? 0 : 1, &o);
        uint64_t ack = bk_clock_mono_ns();
        if (measured) {
            record(c, st->slot, &o, lat);
            c->last_done_ns = ack;
            done++;
            if (o.ok && st->fresh_slot >= 0) {
                probe_freshness(c, st, values, ack);
            }
        }
        if (o.conn_bad && !reconnect(c)) {
            break;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* main                                                                                     */

static void setup_weights(void)
{
    g_cum_weight = bk_xcalloc(g_sc.n_stmts, sizeof(uint64_t));
    g_weighted = bk_xcalloc(g_sc.n_stmts, sizeof(size_t));
    uint64_t sum = 0;
    for (size_t i = 0; i < g_sc.n_stmts; i++) {
        const bk_stmt *st = &g_sc.stmts[i];
        if (st->rate == 0.0 && st->weight > 0) {
            sum += st->weight;
            g_cum_weight[g_n_weighted] = sum;
            g_weighted[g_n_weighted++] = i;
        }
    }
}

static void client_init(client *c, uint32_t id, const bk_stmt *paced)
{
    memset(c, 0, sizeof(*c));
    c->id = id;
    c->paced = paced;
    c->rng = g_cfg.seed * 0x100000001b3ull + id;
    c->prepared = bk_xcalloc(g_sc.n_stmts, sizeof(bool));
    c->stats = bk_xcalloc(g_sc.n_slots, sizeof(bk_stat));
    for (size_t s = 0; s < g_sc.n_slots; s++) {
        bk_stat_init(&c->stats[s]);
    }
    char err[512];
    c->conn = connect_one(err, sizeof(err));
    if (c->conn == NULL) {
        bk_bench_die(2, "connection %u failed: %s", id, err);
    }
    if (paced != NULL && paced->fresh_slot >= 0) {
        c->probe_conn = connect_one(err, sizeof(err));
        if (c->probe_conn == NULL) {
            bk_bench_die(2, "connection for the freshness probe failed: %s", err);
        }
    }
    prepare_all(c);
}

int main(int argc, char **argv)
{
    bool json = false, has_protocol = false;
    if (!bk_cli_parse(argc, argv, &g_cfg, &json, &has_protocol)) {
        return 1;
    }
    char *path = bk_cli_resolve_scenario(g_cfg.scenario_arg);
    char err[1024];
    if (!bk_scenario_load(path, &g_sc, err, sizeof(err))) {
        bk_bench_die(1, "%s", err);
    }
    free(path);
    if (!has_protocol) {
        g_cfg.protocol = g_sc.protocol;
    }
    setup_weights();

    size_t n_paced = 0;
    for (size_t i = 0; i < g_sc.n_stmts; i++) {
        n_paced += g_sc.stmts[i].rate > 0.0;
    }
    size_t n_weighted_clients = g_n_weighted > 0 ? g_cfg.clients : 0;
    size_t n_clients = n_weighted_clients + n_paced;
    client *clients = bk_xcalloc(n_clients, sizeof(client));
    for (size_t i = 0; i < n_weighted_clients; i++) {
        client_init(&clients[i], (uint32_t)i, NULL);
    }
    size_t k = n_weighted_clients;
    for (size_t i = 0; i < g_sc.n_stmts; i++) {
        if (g_sc.stmts[i].rate > 0.0) {
            client_init(&clients[k], (uint32_t)k, &g_sc.stmts[i]);
            k++;
        }
    }
    const char *version = PQparameterStatus(clients[0].conn, "server_version");

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    g_start_ns = bk_clock_mono_ns();
    g_warm_end_ns = g_start_ns + (uint64_t)(g_cfg.warmup_s * 1e9);
    g_end_ns = g_warm_end_ns + (uint64_t)(g_cfg.duration_s * 1e9);
    for (size_t i = 0; i < n_clients; i++) {
        if (pthread_create(&clients[i].thread, NULL, client_main, &clients[i]) != 0) {
            bk_bench_die(2, "cannot start client thread %zu", i);
        }
    }
    for (size_t i = 0; i < n_weighted_clients; i++) {
        pthread_join(clients[i].thread, NULL);
    }
    if (n_weighted_clients > 0) {
        atomic_store(&g_stop, true);
    }
    for (size_t i = n_weighted_clients; i < n_clients; i++) {
        pthread_join(clients[i].thread, NULL);
    }
    uint64_t stop_ns = bk_clock_mono_ns();

    bk_run_result res;
    memset(&res, 0, sizeof(res));
    res.sc = &g_sc;
    res.server_version = version != NULL ? version : "unknown";
    res.interrupted = g_interrupted != 0;
    res.slots = bk_xcalloc(g_sc.n_slots, sizeof(bk_stat));
    for (size_t s = 0; s < g_sc.n_slots; s++) {
        bk_stat_init(&res.slots[s]);
    }
    bk_stat_init(&res.total);
    uint64_t last = g_warm_end_ns;
    for (size_t i = 0; i < n_clients; i++) {
        for (size_t s = 0; s < g_sc.n_slots; s++) {
            bk_stat_merge(&res.slots[s], &clients[i].stats[s]);
        }
        last = BK_MAX(last, clients[i].last_done_ns);
        res.reconnects += clients[i].reconnects;
        res.conn_lost |= clients[i].lost;
    }
    for (size_t i = 0; i < g_sc.n_stmts; i++) {
        bk_stat_merge(&res.total, &res.slots[g_sc.stmts[i].slot]);
    }
    if (g_cfg.count == 0) {
        /* Duration mode measures at least the requested time (less only when interrupted). */
        last = BK_MAX(last, BK_MIN(g_end_ns, stop_ns));
    }
    res.measured_s = last > g_warm_end_ns ? (double)(last - g_warm_end_ns) / 1e9 : 0.0;

    if (json) {
        bk_report_json(stdout, &g_cfg, &res);
    } else {
        bk_report_table(stdout, &g_cfg, &res);
    }
    fflush(stdout);

    for (size_t i = 0; i < n_clients; i++) {
        PQfinish(clients[i].conn);
        PQfinish(clients[i].probe_conn);
        free(clients[i].prepared);
        free(clients[i].stats);
        bk_buf_free(&clients[i].sql);
        bk_buf_free(&clients[i].copy);
    }
    free(clients);
    free(res.slots);
    free(g_cum_weight);
    free(g_weighted);
    bool lost = res.conn_lost;
    bk_scenario_free(&g_sc);
    if (lost) {
        fprintf(stderr, "basket-bench: a client lost its connection and could not reconnect\n");
        return 2;
    }
    return 0;
}
