/*
 * parallel.c: parallel_for (see parallel.h). Threads are created per call:
 * a call runs seconds of simulation, a thread's start costs microseconds.
 */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>

#define PARALLEL_MAX_THREADS 256u

struct parallel_loop {
    size_t n;
    parallel_body body;
    void *ctx;
    atomic_size_t next; /* the next index to take */
    pthread_mutex_t lock;
    int rc;             /* the first failure, with its message in err */
    struct sim_err err;
};

static void *parallel_worker(void *arg)
{
    struct parallel_loop *loop = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&loop->next, 1);
        if (i >= loop->n)
            return NULL;
        struct sim_err err = {{0}};
        int rc = loop->body(loop->ctx, i, &err);
        if (rc != SIM_OK) {
            pthread_mutex_lock(&loop->lock);
            if (loop->rc == SIM_OK) {
                loop->rc = rc;
                loop->err = err;
            }
            pthread_mutex_unlock(&loop->lock);
            atomic_store(&loop->next, loop->n); /* the others stop at their next index */
        }
    }
}

int parallel_for(size_t n, unsigned jobs, parallel_body body, void *ctx, struct sim_err *err)
{
    struct parallel_loop loop = {.n = n, .body = body, .ctx = ctx, .rc = SIM_OK};
    atomic_init(&loop.next, 0);
    pthread_mutex_init(&loop.lock, NULL);
    pthread_t tid[PARALLEL_MAX_THREADS];
    unsigned extra = jobs > 1 ? jobs - 1 : 0, started = 0;
    if (extra > PARALLEL_MAX_THREADS)
        extra = PARALLEL_MAX_THREADS;
    for (; started < extra; started++)
        if (pthread_create(&tid[started], NULL, parallel_worker, &loop) != 0)
            break; /* fewer threads: the caller's own share grows */
    parallel_worker(&loop);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&loop.lock);
    if (loop.rc != SIM_OK && err != NULL)
        *err = loop.err;
    return loop.rc;
}
