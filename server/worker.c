/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker pool: threads that run the protocol (and so the queries) for connections, so
 * that the event loop never runs anything long. A connection is on at most one worker at a
 * time; the loop hands it over with its input and takes it back, with its output, through
 * the done list, woken by an eventfd write.
 *
 * Workers get large stacks: the SQL binder recurses over parse trees up to its depth limit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_int.h"

#define WORKER_STACK_BYTES ((size_t)32 << 20)

struct bk_workers {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bk_conn *head; /* FIFO of connections to run */
    bk_conn *tail;
    bk_conn *done; /* finished, for the loop (LIFO; order does not matter) */
    bool stopping;
    int notify_fd;
    uint32_t n;
    pthread_t *threads;
};

static void *worker_main(void *arg)
{
    bk_workers *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (w->head == NULL && !w->stopping) {
            pthread_cond_wait(&w->cond, &w->lock);
        }
        if (w->head == NULL) {
            pthread_mutex_unlock(&w->lock);
            return NULL;
        }
        bk_conn *c = w->head;
        w->head = c->next_in_queue;
        if (w->head == NULL) {
            w->tail = NULL;
        }
        pthread_mutex_unlock(&w->lock);

        c->status = bk_pq_process(c->pq, &c->in, &c->out);

        pthread_mutex_lock(&w->lock);
        c->next_in_queue = w->done;
        w->done = c;
        pthread_mutex_unlock(&w->lock);
        uint64_t one = 1;
        ssize_t r = write(w->notify_fd, &one, sizeof one);
        (void)r; /* an eventfd write only fails when the counter would overflow */
    }
}

bk_workers *bk_workers_start(uint32_t n, int notify_fd, bk_error *err)
{
    bk_workers *w = bk_xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->notify_fd = notify_fd;
    w->threads = bk_xcalloc(n, sizeof(pthread_t));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK_BYTES);
    for (uint32_t i = 0; i < n; i++) {
        int rc = pthread_create(&w->threads[i], &attr, worker_main, w);
        if (rc != 0) {
            pthread_attr_destroy(&attr);
            bk_raise(err, SYSTEM_ERROR, "could not start worker thread: %s", strerror(rc));
            w->n = i;
            bk_workers_stop(w);
            return NULL;
        }
        w->n = i + 1;
    }
    pthread_attr_destroy(&attr);
    return w;
}

void bk_workers_submit(bk_workers *w, bk_conn *c)
{
    pthread_mutex_lock(&w->lock);
    c->next_in_queue = NULL;
    if (w->tail != NULL) {
        w->tail->next_in_queue = c;
    } else {
        w->head = c;
    }
    w->tail = c;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

bk_conn *bk_workers_take_done(bk_workers *w)
{
    pthread_mutex_lock(&w->lock);
    bk_conn *d = w->done;
    w->done = NULL;
    pthread_mutex_unlock(&w->lock);
    return d;
}

void bk_workers_stop(bk_workers *w)
{
    if (w == NULL) {
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    for (uint32_t i = 0; i < w->n; i++) {
        pthread_join(w->threads[i], NULL);
    }
    free(w->threads);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
