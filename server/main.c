/* SPDX-License-Identifier: Apache-2.0 */
/*
 * basketd: process entry. Order matters here: the listening socket is bound before any data
 * is loaded, so a second server on a busy port fails at once with one clear line instead of
 * after a minute of loading; and SIGINT/SIGTERM are blocked before any thread starts, so only
 * the event loop's signalfd ever sees them.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_int.h"

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

static int open_listener(const bk_config *cfg)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[8];
    snprintf(port, sizeof port, "%u", cfg->port);
    const char *host = cfg->listen_addr;
    if (strcmp(host, "*") == 0) {
        host = "0.0.0.0";
    }
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        bk_log(BK_LOG_FATAL, "could not resolve listen address \"%s\": %s", cfg->listen_addr,
               gai_strerror(rc));
        return -1;
    }
    if (!is_loopback(res->ai_addr)) {
        /* Trust authentication is all there is so far: never expose it beyond this host. */
        bk_log(BK_LOG_FATAL,
               "refusing to listen on \"%s\": only loopback addresses are allowed with trust "
               "authentication, the only method available so far",
               cfg->listen_addr);
        freeaddrinfo(res);
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        bk_log(BK_LOG_FATAL, "could not create socket: %s", strerror(errno));
        freeaddrinfo(res);
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        int e = errno;
        bk_log(BK_LOG_FATAL, "could not bind to %s:%u: %s%s", cfg->listen_addr, cfg->port,
               strerror(e),
               e == EADDRINUSE ? " (is another server already running on this port?)" : "");
        close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    if (listen(fd, 4096) != 0) {
        bk_log(BK_LOG_FATAL, "could not listen on %s:%u: %s", cfg->listen_addr, cfg->port,
               strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Creates the data directory if needed and takes its lock: one server per directory. */
static int lock_data_dir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        bk_log(BK_LOG_FATAL, "could not create data directory \"%s\": %s", dir, strerror(errno));
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/basketd.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        bk_log(BK_LOG_FATAL, "could not open lock file \"%s\": %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char other[32] = "";
        ssize_t n = pread(fd, other, sizeof other - 1, 0);
        other[n > 0 ? n : 0] = '\0';
        other[strcspn(other, "\n")] = '\0';
        bk_log(BK_LOG_FATAL, "data directory \"%s\" is in use by another basketd (pid %s)", dir,
               other[0] != '\0' ? other : "unknown");
        close(fd);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        bk_log(BK_LOG_WARNING, "could not write pid to \"%s\": %s", path, strerror(errno));
    }
    return fd;
}

static uint64_t table_rows(bk_db *db, bk_table *t)
{
    bk_error err;
    bk_error_clear(&err);
    bk_snap *snap = bk_snap_take(db, &err);
    uint64_t rows = snap != NULL && t != NULL ? bk_snap_rows(snap, t) : 0;
    bk_snap_release(snap);
    return rows;
}

/*
 * --load and --sample fill an empty transactions table only: the data directory keeps what
 * was loaded, so restarting with the same flags must not load it twice. Each file loads as
 * one transaction, so a crash mid-load leaves the table as it was.
 */
static bool load_data(const bk_config *cfg, bk_db *db)
{
    bk_error err;
    bk_error_clear(&err);
    bk_table *t = bk_retail_table(db, &err);
    if (t == NULL) {
        bk_log(BK_LOG_FATAL, "could not create table transactions: %s", err.message);
        return false;
    }
    uint64_t rows = table_rows(db, t);
    if (rows > 0) {
        if (cfg->n_load_files > 0 || cfg->sample) {
            bk_log(BK_LOG_INFO,
                   "transactions already holds %llu rows in \"%s\": --load/--sample skipped",
                   (unsigned long long)rows, cfg->data_dir);
        }
        return true;
    }
    bool loaded = false;
    for (uint32_t i = 0; i < cfg->n_load_files; i++) {
        bk_load_stats st;
        if (bk_retail_load_file(t, cfg->load_files[i], cfg->max_load_errors, &st, &err) != BK_OK) {
            bk_log(BK_LOG_FATAL, "loading \"%s\" failed: %s", cfg->load_files[i], err.message);
            return false;
        }
        bk_log(BK_LOG_INFO, "loaded \"%s\": %llu rows, %llu rejected, %.2f s, %.1f MB/s",
               cfg->load_files[i], (unsigned long long)st.rows_loaded,
               (unsigned long long)st.rows_rejected, st.seconds,
               st.seconds > 0 ? (double)st.bytes / 1e6 / st.seconds : 0.0);
        loaded = true;
    }
    if (cfg->sample && !loaded) {
        bk_load_stats st;
        if (bk_gen_load(t, cfg->sample_rows, 42, &st, &err) != BK_OK) {
            bk_log(BK_LOG_FATAL, "generating the sample failed: %s", err.message);
            return false;
        }
        bk_log(BK_LOG_INFO, "loaded the built-in sample: %llu rows in %.2f s",
               (unsigned long long)st.rows_loaded, st.seconds);
        loaded = true;
    }
    /* A bulk load is checkpointed at once, so the next start reads columns, not the log. */
    if (loaded && bk_db_checkpoint(db, &err) != BK_OK) {
        bk_log(BK_LOG_WARNING, "checkpoint after loading failed: %s", err.message);
    }
    return true;
}

int main(int argc, char **argv)
{
    bk_config cfg;
    int prc = bk_config_parse(&cfg, argc, argv);
    if (prc != 0) {
        bk_config_free(&cfg);
        return prc > 0 ? 0 : 2;
    }
    bk_fault_init();
    signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);

    int listen_fd = open_listener(&cfg);
    if (listen_fd < 0) {
        bk_config_free(&cfg);
        return 1;
    }
    int lock_fd = lock_data_dir(cfg.data_dir);
    if (lock_fd < 0) {
        close(listen_fd);
        bk_config_free(&cfg);
        return 1;
    }
    bk_log(BK_LOG_INFO, "starting basketd %s (SIMD level %s)", BK_VERSION,
           bk_isa_name(bk_cpu_isa()));
    bk_error err;
    bk_error_clear(&err);
    bk_db *db = bk_db_open(cfg.data_dir, &err);
    if (db == NULL) {
        bk_log(BK_LOG_FATAL, "could not open data directory \"%s\": %s", cfg.data_dir, err.message);
        if (err.hint[0] != '\0') {
            bk_log(BK_LOG_FATAL, "HINT:  %s", err.hint);
        }
    }
    if (db == NULL || !load_data(&cfg, db) ||
        bk_db_start_checkpointer(db, cfg.checkpoint_bytes, &err) != BK_OK) {
        if (db != NULL && err.is_set) {
            bk_log(BK_LOG_FATAL, "%s", err.message);
        }
        bk_db_destroy(db);
        close(listen_fd);
        close(lock_fd);
        bk_config_free(&cfg);
        return 1;
    }
    bk_engine_options eo = {.server_version = BK_SERVER_VERSION};
    bk_engine *engine = bk_engine_create(db, &eo, &err);
    bk_server *srv = engine != NULL ? bk_server_create(&cfg, engine, listen_fd, &err) : NULL;
    int exit_code = 0;
    if (srv == NULL) {
        bk_log(BK_LOG_FATAL, "%s", err.message);
        exit_code = 1;
    } else {
        bk_table *t = bk_db_find_table(db, BK_STR_LIT("transactions"));
        bk_log(BK_LOG_INFO,
               "basketd ready to accept connections on %s:%u (transactions: %llu rows)",
               cfg.listen_addr, cfg.port, (unsigned long long)table_rows(db, t));
        if (bk_server_run(srv, &err) != BK_OK) {
            bk_log(BK_LOG_FATAL, "%s", err.message);
            exit_code = 1;
        }
    }
    bk_server_destroy(srv);
    bk_engine_destroy(engine);
    /* A shutdown checkpoint: the next start reads it instead of replaying the log. */
    bk_db_stop_checkpointer(db);
    bk_error_clear(&err);
    if (bk_db_checkpoint(db, &err) != BK_OK) {
        bk_log(BK_LOG_WARNING, "shutdown checkpoint failed (the log still holds everything): %s",
               err.message);
    }
    bk_db_destroy(db);
    close(listen_fd);
    close(lock_fd);
    bk_config_free(&cfg);
    bk_log(BK_LOG_INFO, "basketd stopped");
    return exit_code;
}
