/*
 * engine.c: clock, event heap and run loop.
 *
 * The pending set is a 4-ary min-heap of 32-byte event values ordered by
 * (time, order), where order = class << 56 | sequence. A 4-ary heap halves
 * the depth of a binary heap and keeps the four children of a node in one or
 * two cache lines, which is what a hold-model workload (pop the minimum, push
 * one new event) exercises. Events are stored by value, so the heap array
 * is the event pool: nothing is allocated after engine_create.
 *
 * Invariants: the clock never moves backwards (an event scheduled in the past
 * is an assertion failure); the heap property holds between calls
 * (engine_check); sequence numbers are unique and increasing.
 *
 * Workload: one pop and about one push per simulated packet stage, so tens of
 * millions of events per simulated second at 100G small-packet rates.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>

struct engine_event {
    sim_ns time;
    uint64_t order; /* class << 56 | seq */
    uint64_t arg;
    uint32_t kind;
    uint32_t obj;
};
_Static_assert(sizeof(struct engine_event) == 32, "events are 32 bytes: two per cache line");

struct handler {
    engine_handler_fn fn;
    void *ctx;
    uint64_t cls_bits;
};

struct engine {
    sim_ns now;
    uint64_t seq;
    uint64_t events_run;
    size_t n;
    size_t cap;
    size_t peak;
    bool stop;
    const char *capacity_key;
    struct engine_event *heap;
    struct handler handlers[ENGINE_MAX_KINDS];
};

#define SEQ_BITS 56
#define ARITY 4

static inline bool ev_less(const struct engine_event *a, const struct engine_event *b)
{
    return a->time < b->time || (a->time == b->time && a->order < b->order);
}

struct engine *engine_create(size_t capacity, const char *capacity_key, struct sim_err *err)
{
    if (capacity < 16)
        capacity = 16;
    if (capacity > (SIZE_MAX / sizeof(struct engine_event)) / 2) {
        sim_error(err, SIM_EINVAL, "event capacity %zu is too large", capacity);
        return NULL;
    }
    struct engine *eng = xcalloc(1, sizeof *eng);
    eng->heap = xmalloc(capacity * sizeof *eng->heap);
    eng->cap = capacity;
    eng->capacity_key = capacity_key ? capacity_key : "(engine capacity)";
    return eng;
}

void engine_destroy(struct engine *eng)
{
    if (eng == NULL)
        return;
    free(eng->heap);
    free(eng);
}

void engine_register(struct engine *eng, uint32_t kind, unsigned cls, engine_handler_fn fn,
                     void *ctx)
{
    SIM_ASSERT(kind < ENGINE_MAX_KINDS);
    SIM_ASSERT(cls <= ENGINE_MAX_CLASS);
    SIM_ASSERT(fn != NULL);
    eng->handlers[kind].fn = fn;
    eng->handlers[kind].ctx = ctx;
    eng->handlers[kind].cls_bits = (uint64_t)cls << SEQ_BITS;
}

static void sift_up(struct engine_event *h, size_t i)
{
    struct engine_event e = h[i];
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!ev_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

static void sift_down(struct engine_event *h, size_t n, size_t i)
{
    struct engine_event e = h[i];
    for (;;) {
        size_t first = i * ARITY + 1;
        if (first >= n)
            break;
        size_t best = first;
        size_t last = first + ARITY < n ? first + ARITY : n;
        for (size_t c = first + 1; c < last; c++)
            if (ev_less(&h[c], &h[best]))
                best = c;
        if (!ev_less(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

void engine_schedule(struct engine *eng, sim_ns at, uint32_t kind, uint32_t obj, uint64_t arg)
{
    SIM_ASSERT(at >= eng->now);
    SIM_ASSERT(kind < ENGINE_MAX_KINDS && eng->handlers[kind].fn != NULL);
    if (eng->n == eng->cap) {
        fprintf(stderr,
                "falconsim: internal error: %zu events pending at %lld ns; raise '%s' or report "
                "this model bug\n",
                eng->n, (long long)eng->now, eng->capacity_key);
        abort();
    }
    struct engine_event *e = &eng->heap[eng->n];
    e->time = at;
    e->order = eng->handlers[kind].cls_bits | (eng->seq++ & ((UINT64_C(1) << SEQ_BITS) - 1));
    e->kind = kind;
    e->obj = obj;
    e->arg = arg;
    sift_up(eng->heap, eng->n);
    eng->n++;
    if (eng->n > eng->peak)
        eng->peak = eng->n;
}

uint64_t engine_run(struct engine *eng, sim_ns until)
{
    uint64_t before = eng->events_run;
    sim_assert_set_clock(&eng->now, &eng->events_run);
    eng->stop = false;
    while (eng->n > 0 && eng->heap[0].time <= until && !eng->stop) {
        struct engine_event e = eng->heap[0];
        eng->n--;
        if (eng->n > 0) {
            eng->heap[0] = eng->heap[eng->n];
            sift_down(eng->heap, eng->n, 0);
        }
        SIM_ASSERT(e.time >= eng->now);
        eng->now = e.time;
        eng->events_run++;
        const struct handler *h = &eng->handlers[e.kind];
        h->fn(h->ctx, e.obj, e.arg);
    }
    if (until > eng->now && !eng->stop)
        eng->now = until;
    return eng->events_run - before;
}

void engine_stop(struct engine *eng) { eng->stop = true; }

sim_ns engine_now(const struct engine *eng) { return eng->now; }
uint64_t engine_events_run(const struct engine *eng) { return eng->events_run; }
size_t engine_pending(const struct engine *eng) { return eng->n; }
size_t engine_peak_pending(const struct engine *eng) { return eng->peak; }

bool engine_check(const struct engine *eng)
{
    for (size_t i = 1; i < eng->n; i++)
        if (ev_less(&eng->heap[i], &eng->heap[(i - 1) / ARITY]))
            return false;
    for (size_t i = 0; i < eng->n; i++)
        if (eng->heap[i].time < eng->now)
            return false;
    return true;
}
