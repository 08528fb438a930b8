/*
 * engine.c: clock, event set and run loop.
 *
 * The pending set is a ladder queue (Tang, Goh and Thng, ACM TOMACS 2005):
 * O(1) amortised per event where a heap pays O(log n) cache misses, which
 * matters for a hold-model workload with many pending events
 * (bench/compare-ns3). Three tiers:
 *   top    - an unsorted list of the far future: every event at or after
 *            top_start;
 *   rungs  - up to LQ_MAX_RUNGS levels of buckets, each finer than the one
 *            above; an event goes to the coarsest rung whose current bucket
 *            does not lie after it; a bucket holds events unsorted;
 *   bottom - the events of the bucket being consumed, sorted by
 *            (time, order) in an array, popped from the end.
 * When bottom is empty, the first non-empty bucket of the deepest rung is
 * either split into a new, finer rung (more than LQ_THRES events and a
 * width above 1 ns) or sorted into bottom; when no rung is left, the top
 * becomes rung 0. An insertion into a bottom of LQ_BOTTOM_MAX events first
 * spreads them over a new rung (bottom_spill). Events of one time always
 * share a bucket, and bottom is sorted by (time, order), so the pop order
 * is exactly the documented total order: time, then class, then scheduling
 * sequence (order = class << 56 | seq << 8 | kind: the kind rides below the
 * sequence, which is unique, so it never decides; above it, it decided
 * between kinds of one class until 2026-12-02). tests/test_engine.c checks
 * it against a sorted oracle.
 *
 * Memory: events live in a node array sized at engine_create (the pool:
 * nothing is allocated afterwards), handed out from a free list and then
 * from the never-used tail, so that only the pages a run reaches are
 * touched (setup had written a free list through all of them); buckets
 * come from an arena used as a stack (rungs are created and retired
 * deepest first); the top is an array
 * of node indices, and bottom holds (time, order, index) slots. Moving
 * events between tiers so touches the 32-byte nodes only as independent
 * loads, whose cache misses overlap. A bucket's list takes one of two
 * forms, fixed per rung when the rung is made:
 *   sparse (fewer than LQ_DENSE events a bucket): linked through a
 *     separate 4-byte index array; a push is three stores, and walking a
 *     list of one or two events costs next to nothing;
 *   dense (LQ_DENSE or more, which happens when 1 ns is the narrowest
 *     bucket and events of one nanosecond number in the hundreds, as with a
 *     million pending in bench/compare-ns3): one event's index in the
 *     bucket itself, more in 64-byte chunks of 15 indices, so a walk costs
 *     one dependent cache miss per 15 events instead of one per event
 *     (twice the speed at a million, docs/performance.md). The chunks come
 *     from a pool of capacity / 2 + 2: a bucket of c >= 2 events holds at
 *     most c / 2 chunks (a refill frees a bucket's chunks before a split
 *     pushes its events anew).
 *
 * Lanes: a kind registered single (engine_register_single: at most one of
 * its events pending) waits outside the ladder, in a lane of its own; the
 * run loop compares the earliest lane with the bottom's head by (time,
 * order), so the order is the one above and only the ladder's work is
 * saved. The wire of a line-rate run is half its events (bench/run's TCP
 * case).
 *
 * Invariants: the clock never moves backwards (an event scheduled in the
 * past is an assertion failure); every pending event is in exactly one
 * tier or lane; no pending event is earlier than the clock.
 */
#include "engine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define NIL UINT32_MAX
#define SEQ_BITS 48  /* order = class << 56 | seq << 8 | kind: 2^48 events a run */
#define SEQ_SHIFT 8
#define LQ_MAX_RUNGS 8
#define LQ_THRES 50u /* a bucket with more events is split into a finer rung */
#define LQ_BOTTOM_MAX 64u /* a bottom this long spills into a new rung before an insertion */
#define LQ_PREFETCH 4u       /* buckets ahead whose first node is fetched early */
#define LQ_PREFETCH_TOP 16u  /* top entries ahead fetched when the top becomes a rung */

#define LQ_CHUNK_IDS 15u
#define LQ_DENSE 4u /* a rung made with this many events a bucket keeps them in chunks */

/* One cache line of a bucket's event indices; the list runs from the
 * bucket's newest chunk (partly filled) to its oldest (full). */
struct chunk {
    uint32_t next;
    uint32_t ids[LQ_CHUNK_IDS];
};
_Static_assert(sizeof(struct chunk) == 64, "a chunk is one cache line");

/* 32 bytes, two to a cache line: the kind rides in the order word, below
 * the class, where it never decides the order (the sequence is unique). */
struct node {
    sim_ns time;
    uint64_t order; /* class << 56 | seq << 8 | kind */
    uint64_t arg;
    uint32_t obj;
    uint32_t free_next; /* the free list */
};
_Static_assert(sizeof(struct node) == 32, "event nodes are 32 bytes");

/* bottom keeps the keys beside the index, so sorting and popping touch no node */
struct slot {
    sim_ns time;
    uint64_t order;
    uint32_t id;
};

/* count 0: empty; 1: head is the event's index; more: head is the newest
 * chunk, which holds ((count - 1) mod LQ_CHUNK_IDS) + 1 of them. */
struct bucket {
    uint32_t head;
    uint32_t count;
};

struct rung {
    sim_ns start;  /* time of bucket 0 */
    sim_ns width;  /* ns per bucket, >= 1 */
    uint32_t nbuckets;
    uint32_t cur;  /* first bucket not yet consumed */
    sim_ns cur_start; /* its start time; SIM_NS_MAX once every bucket is consumed */
    uint32_t count;
    uint32_t base; /* first bucket in the arena */
    bool chunked;  /* buckets keep their indices in chunks, not in link */
};

struct handler {
    engine_handler_fn fn;
    void *ctx;
    uint64_t cls_bits;
    uint8_t lane; /* engine_register_single: its lane + 1; 0: the ladder */
};

/* The lane: the one pending event of a kind registered single, outside the
 * ladder. The model's wire is such a kind (one frame on it at a time) and
 * half of a line-rate run's events, each of which would otherwise cost an
 * insertion into the ladder and a refill's sort. */
struct lane {
    sim_ns time;
    uint64_t order;
    uint64_t arg;
    uint32_t obj;
    uint32_t kind;
    bool pending;
};

struct engine {
    sim_ns now; /* first: engine_now (engine.h) reads it there */
    uint64_t seq;
    uint64_t events_run;
    size_t n;
    size_t cap;
    size_t peak;
    uint64_t spills; /* bottoms spread over a new rung (bottom_spill) */
    bool stop;
    const char *capacity_key;

    struct node *nodes;
    uint32_t free_head;  /* freed nodes, linked through free_next */
    uint32_t node_fresh; /* first never-used node */
    uint32_t *link;      /* next event of a sparse bucket's list, by node index */
    struct chunk *chunks; /* the lists of dense buckets */
    uint32_t chunk_free;  /* free chunks, linked through next */
    uint32_t chunk_fresh, nchunks; /* first never-used chunk; the pool's size */

    /* top */
    uint32_t *top_ids; /* an array, not a list: walking it needs no node */
    uint32_t top_count;
    sim_ns top_min, top_max, top_start;

    /* rungs */
    struct rung rungs[LQ_MAX_RUNGS];
    unsigned nrungs;
    struct bucket *arena;
    uint32_t arena_used, arena_cap;

    /* bottom: slots sorted by (time, order) descending; pop from the end */
    struct slot *bottom;
    uint32_t nbottom;

    struct handler handlers[ENGINE_MAX_KINDS];
    struct lane lanes[ENGINE_MAX_LANES];
    unsigned nlanes;
};

_Static_assert(offsetof(struct engine, now) == 0, "engine_now reads the clock at offset 0");

double engine_memory_bytes(double capacity)
{
    return capacity * (double)(sizeof(struct node) + 2 * sizeof(uint32_t)) +
           (capacity / 2 + 2) * (double)sizeof(struct chunk);
}

struct engine *engine_create(size_t capacity, const char *capacity_key, struct sim_err *err)
{
    if (capacity < 16)
        capacity = 16;
    if (capacity > (size_t)NIL / 4) {
        sim_error(err, SIM_EINVAL, "event capacity %zu is too large", capacity);
        return NULL;
    }
    struct engine *eng = xcalloc(1, sizeof *eng);
    eng->cap = capacity;
    eng->capacity_key = capacity_key ? capacity_key : "(engine capacity)";
    eng->nodes = xmalloc(capacity * sizeof *eng->nodes);
    eng->free_head = NIL;
    eng->top_ids = xmalloc(capacity * sizeof *eng->top_ids);
    eng->link = xmalloc(capacity * sizeof *eng->link);
    size_t nchunks = capacity / 2 + 2;
    eng->chunks = xmalloc_aligned(sizeof(struct chunk), nchunks * sizeof *eng->chunks);
    eng->nchunks = (uint32_t)nchunks;
    eng->chunk_free = NIL;
    eng->top_start = 0;
    /* Rung 0 has at most one bucket per event plus one; deeper rungs at most
     * one per event of the bucket they split plus one. */
    eng->arena_cap = (uint32_t)(2 * capacity + (LQ_MAX_RUNGS + 1) * 2);
    eng->arena = xmalloc(eng->arena_cap * sizeof *eng->arena);
    eng->bottom = xmalloc(capacity * sizeof *eng->bottom);
    return eng;
}

void engine_destroy(struct engine *eng)
{
    if (eng == NULL)
        return;
    free(eng->nodes);
    free(eng->arena);
    free(eng->bottom);
    free(eng->top_ids);
    free(eng->link);
    free(eng->chunks);
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
    eng->handlers[kind].cls_bits = (uint64_t)cls << 56 | kind;
    eng->handlers[kind].lane = 0;
}

void engine_register_single(struct engine *eng, uint32_t kind, unsigned cls, engine_handler_fn fn,
                            void *ctx)
{
    engine_register(eng, kind, cls, fn, ctx);
    SIM_ASSERT(eng->nlanes < ENGINE_MAX_LANES);
    eng->lanes[eng->nlanes].kind = kind;
    eng->handlers[kind].lane = (uint8_t)++eng->nlanes;
}

/* {===== Ladder queue ===== */

static inline bool slot_less(const struct slot *a, sim_ns t, uint64_t order)
{
    return a->time < t || (a->time == t && a->order < order);
}

/* Sorted insertion into bottom; O(bottom) but bottom holds one bucket. */
static void bottom_insert(struct engine *eng, sim_ns t, uint64_t order, uint32_t id)
{
    uint32_t i = eng->nbottom;
    while (i > 0 && slot_less(&eng->bottom[i - 1], t, order)) {
        eng->bottom[i] = eng->bottom[i - 1];
        i--;
    }
    eng->bottom[i].time = t;
    eng->bottom[i].order = order;
    eng->bottom[i].id = id;
    eng->nbottom++;
}

static uint32_t chunk_alloc(struct engine *eng, uint32_t next)
{
    uint32_t c = eng->chunk_free;
    if (c != NIL) {
        eng->chunk_free = eng->chunks[c].next;
    } else {
        SIM_ASSERT(eng->chunk_fresh < eng->nchunks); /* capacity / 2 + 2: see the essay */
        c = eng->chunk_fresh++;
    }
    eng->chunks[c].next = next;
    return c;
}

static void chunk_release(struct engine *eng, uint32_t c)
{
    eng->chunks[c].next = eng->chunk_free;
    eng->chunk_free = c;
}

static void chunked_push(struct engine *eng, struct bucket *b, uint32_t id)
{
    if (b->count == 0) {
        b->head = id;
    } else if (b->count == 1) {
        uint32_t c = chunk_alloc(eng, NIL);
        eng->chunks[c].ids[0] = b->head;
        eng->chunks[c].ids[1] = id;
        b->head = c;
    } else {
        uint32_t fill = (b->count - 1) % LQ_CHUNK_IDS + 1;
        if (fill == LQ_CHUNK_IDS) {
            b->head = chunk_alloc(eng, b->head);
            fill = 0;
        }
        eng->chunks[b->head].ids[fill] = id;
    }
}

/* inline: the sparse case is three stores on every schedule */
static inline void bucket_push(struct engine *eng, struct rung *r, uint32_t k, uint32_t id)
{
    struct bucket *b = &eng->arena[r->base + k];
    if (r->chunked) {
        chunked_push(eng, b, id);
    } else {
        eng->link[id] = b->head;
        b->head = id;
    }
    b->count++;
    r->count++;
}

/* Copies a bucket's event indices to out[].id, newest first (for events
 * of one time that is descending order, which bottom_insert appends without
 * a shift), prefetching their nodes; a chunked bucket's chunks go back to
 * the pool. */
static uint32_t bucket_take(struct engine *eng, const struct rung *r, uint32_t head,
                            uint32_t count, struct slot *out)
{
    uint32_t n = 0;
    if (!r->chunked || count == 1) {
        /* stop at the count, not at a NIL: reading a one-event bucket's
         * link would be a cache miss to learn nothing */
        for (uint32_t id = head;; id = eng->link[id]) {
            __builtin_prefetch(&eng->nodes[id]);
            out[n++].id = id;
            if (n == count)
                return n;
        }
    }
    uint32_t fill = (count - 1) % LQ_CHUNK_IDS + 1;
    for (uint32_t c = head; c != NIL; fill = LQ_CHUNK_IDS) {
        const struct chunk *ch = &eng->chunks[c];
        uint32_t next = ch->next;
        if (next != NIL)
            __builtin_prefetch(&eng->chunks[next]);
        for (uint32_t i = fill; i-- > 0;) {
            __builtin_prefetch(&eng->nodes[ch->ids[i]]);
            out[n++].id = ch->ids[i];
        }
        chunk_release(eng, c);
        c = next;
    }
    SIM_ASSERT(n == count);
    return n;
}

/* Spreads a list of events over a new rung of about one bucket per event. */
static struct rung *rung_push(struct engine *eng, sim_ns start, sim_ns span, uint32_t count)
{
    SIM_ASSERT(eng->nrungs < LQ_MAX_RUNGS);
    struct rung *r = &eng->rungs[eng->nrungs++];
    sim_ns width = span / (sim_ns)count + 1;
    uint32_t nb = (uint32_t)(span / width) + 1;
    SIM_ASSERT(eng->arena_used + nb <= eng->arena_cap);
    r->start = start;
    r->width = width;
    r->nbuckets = nb;
    r->cur = 0;
    r->cur_start = start;
    r->count = 0;
    r->base = eng->arena_used;
    r->chunked = count >= LQ_DENSE * nb;
    eng->arena_used += nb;
    for (uint32_t k = 0; k < nb; k++) {
        eng->arena[r->base + k].head = NIL;
        eng->arena[r->base + k].count = 0;
    }
    return r;
}

static void rung_pop(struct engine *eng)
{
    struct rung *r = &eng->rungs[--eng->nrungs];
    SIM_ASSERT(r->count == 0);
    eng->arena_used = r->base;
}

/* The bottom's events spread over a new, deepest rung (the Ladder Queue's
 * bottom threshold): a bottom refilled from a wide bucket takes every event
 * scheduled before that bucket's end, and one event a millisecond ahead
 * then moves thousands of slots (the TCP bench's retransmission timers:
 * 4 000 slots a 1 ms bottom, half of the run's instructions). The new rung
 * lies before every other rung's current bucket, as a split bucket's does,
 * so the pop order is unchanged. Returns false (the bottom kept) where the
 * events share one time or no rung or arena room is left. */
static bool bottom_spill(struct engine *eng)
{
    uint32_t n = eng->nbottom;
    sim_ns lo = eng->bottom[n - 1].time, hi = eng->bottom[0].time;
    if (hi == lo || eng->nrungs == LQ_MAX_RUNGS)
        return false;
    /* The rung reaches to where the deepest rung (or the top) takes over:
     * an event scheduled before that must find a bucket in it. */
    const struct rung *deepest = eng->nrungs > 0 ? &eng->rungs[eng->nrungs - 1] : NULL;
    sim_ns limit =
        deepest ? deepest->start + (sim_ns)deepest->cur * deepest->width : eng->top_start;
    SIM_ASSERT(hi < limit);
    sim_ns span = limit - 1 - lo;
    sim_ns width = span / (sim_ns)n + 1;
    if (eng->arena_used + (uint32_t)(span / width) + 1 > eng->arena_cap)
        return false;
    struct rung *r = rung_push(eng, lo, span, n);
    for (uint32_t i = 0; i < n; i++)
        bucket_push(eng, r, (uint32_t)((eng->bottom[i].time - r->start) / r->width),
                    eng->bottom[i].id);
    eng->nbottom = 0;
    eng->spills++;
    return true;
}

static void lq_insert(struct engine *eng, uint32_t id)
{
    struct node *e = &eng->nodes[id];
    if (e->time >= eng->top_start) {
        eng->top_ids[eng->top_count] = id;
        if (eng->top_count == 0 || e->time < eng->top_min)
            eng->top_min = e->time;
        if (eng->top_count == 0 || e->time > eng->top_max)
            eng->top_max = e->time;
        eng->top_count++;
        return;
    }
    for (unsigned i = 0; i < eng->nrungs; i++) {
        struct rung *r = &eng->rungs[i];
        if (e->time >= r->cur_start) {
            uint32_t k = (uint32_t)((e->time - r->start) / r->width);
            SIM_ASSERT(k < r->nbuckets);
            bucket_push(eng, r, k, id);
            return;
        }
    }
    if (eng->nbottom >= LQ_BOTTOM_MAX && bottom_spill(eng)) {
        lq_insert(eng, id);
        return;
    }
    bottom_insert(eng, e->time, e->order, id);
}

/* Refills bottom from the rungs (or the top); returns false if empty. */
static bool lq_refill(struct engine *eng)
{
    SIM_ASSERT(eng->nbottom == 0);
    for (;;) {
        if (eng->nrungs == 0) {
            if (eng->top_count == 0) {
                eng->top_start = eng->now; /* nothing pending: the top takes all */
                return false;
            }
            sim_ns span = eng->top_max - eng->top_min;
            struct rung *r = rung_push(eng, eng->top_min, span, eng->top_count);
            eng->top_start = r->start + (sim_ns)r->nbuckets * r->width;
            /* The ids are independent loads, so their cache misses overlap
             * (a list through the nodes would take them one at a time). */
            for (uint32_t i = 0; i < eng->top_count; i++) {
                if (i + LQ_PREFETCH_TOP < eng->top_count)
                    __builtin_prefetch(&eng->nodes[eng->top_ids[i + LQ_PREFETCH_TOP]], 1);
                uint32_t id = eng->top_ids[i];
                bucket_push(eng, r, (uint32_t)((eng->nodes[id].time - r->start) / r->width), id);
            }
            eng->top_count = 0;
        }
        struct rung *r = &eng->rungs[eng->nrungs - 1];
        while (r->cur < r->nbuckets && eng->arena[r->base + r->cur].count == 0)
            r->cur++;
        if (r->cur == r->nbuckets) {
            r->cur_start = SIM_NS_MAX;
            rung_pop(eng);
            continue;
        }
        struct bucket *b = &eng->arena[r->base + r->cur];
        uint32_t head = b->head, count = b->count;
        /* The nodes of a bucket were written long ago: with a million
         * pending events, reading them is a cache miss each. Fetch the
         * first node of a bucket a few ahead while this one is consumed. */
        if (r->cur + LQ_PREFETCH < r->nbuckets) {
            const struct bucket *ahead = &eng->arena[r->base + r->cur + LQ_PREFETCH];
            if (ahead->count > 1 && r->chunked)
                __builtin_prefetch(&eng->chunks[ahead->head]);
            else if (ahead->count > 0)
                __builtin_prefetch(&eng->nodes[ahead->head]);
        }
        sim_ns bstart = r->start + (sim_ns)r->cur * r->width;
        b->head = NIL;
        b->count = 0;
        r->count -= count;
        r->cur++;
        r->cur_start = r->cur < r->nbuckets ? bstart + r->width : SIM_NS_MAX;
        /* Gather the indices into bottom (empty until this refill ends),
         * then read the keys: the node loads are independent, their cache
         * misses overlapping. */
        uint32_t n = bucket_take(eng, r, head, count, eng->bottom);
        if (count > LQ_THRES && r->width > 1 && eng->nrungs < LQ_MAX_RUNGS) {
            struct rung *child = rung_push(eng, bstart, r->width - 1, count);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t id = eng->bottom[i].id;
                bucket_push(eng, child,
                            (uint32_t)((eng->nodes[id].time - child->start) / child->width), id);
            }
            continue;
        }
        /* bottom grows behind the gathered ids: slot i is read before the
         * insertion can move anything into it */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = eng->bottom[i].id;
            bottom_insert(eng, eng->nodes[id].time, eng->nodes[id].order, id);
        }
        return true;
    }
}

/* An event into the ladder; its node from the free list or the never-used tail. */
static void lq_schedule(struct engine *eng, sim_ns at, uint64_t order, uint32_t obj, uint64_t arg)
{
    uint32_t id = eng->free_head;
    if (id != NIL)
        eng->free_head = eng->nodes[id].free_next;
    else if (eng->node_fresh < eng->cap)
        id = eng->node_fresh++;
    else {
        fprintf(stderr,
                "falconsim: internal error: %zu events pending at %lld ns; raise '%s' or report "
                "this model bug\n",
                eng->n, (long long)eng->now, eng->capacity_key);
        abort();
    }
    struct node *e = &eng->nodes[id];
    e->time = at;
    e->order = order;
    e->obj = obj;
    e->arg = arg;
    lq_insert(eng, id);
}

/* }===== */

void engine_schedule(struct engine *eng, sim_ns at, uint32_t kind, uint32_t obj, uint64_t arg)
{
    SIM_ASSERT(at >= eng->now);
    SIM_ASSERT(kind < ENGINE_MAX_KINDS && eng->handlers[kind].fn != NULL);
    SIM_ASSERT(eng->seq < (UINT64_C(1) << SEQ_BITS));
    uint64_t order = eng->handlers[kind].cls_bits | eng->seq++ << SEQ_SHIFT;
    if (eng->handlers[kind].lane != 0) {
        struct lane *l = &eng->lanes[eng->handlers[kind].lane - 1];
        SIM_ASSERT(!l->pending); /* engine_register_single's promise */
        l->time = at;
        l->order = order;
        l->obj = obj;
        l->arg = arg;
        l->pending = true;
    } else {
        lq_schedule(eng, at, order, obj, arg);
    }
    eng->n++;
    if (eng->n > eng->peak)
        eng->peak = eng->n;
}

/* The earliest pending lane event, or NULL. */
static inline struct lane *lane_first(struct engine *eng)
{
    struct lane *first = NULL;
    for (unsigned i = 0; i < eng->nlanes; i++) {
        struct lane *l = &eng->lanes[i];
        if (l->pending && (first == NULL || l->time < first->time ||
                           (l->time == first->time && l->order < first->order)))
            first = l;
    }
    return first;
}

uint64_t engine_run(struct engine *eng, sim_ns until)
{
    uint64_t before = eng->events_run;
    sim_assert_set_clock(&eng->now, &eng->events_run);
    eng->stop = false;
    while (!eng->stop) {
        bool queued = eng->nbottom > 0 || lq_refill(eng);
        const struct slot *top = queued ? &eng->bottom[eng->nbottom - 1] : NULL;
        struct lane *l = eng->nlanes > 0 ? lane_first(eng) : NULL;
        sim_ns t;
        uint32_t kind, obj;
        uint64_t arg;
        if (l != NULL && (top == NULL || !slot_less(top, l->time, l->order))) {
            if (l->time > until)
                break;
            t = l->time;
            kind = l->kind;
            obj = l->obj;
            arg = l->arg;
            l->pending = false; /* before the handler, which may schedule the next */
        } else if (top != NULL) {
            if (top->time > until)
                break;
            uint32_t id = top->id;
            struct node *e = &eng->nodes[id];
            eng->nbottom--;
            t = e->time;
            kind = (uint32_t)(e->order & 0xff);
            obj = e->obj;
            arg = e->arg;
            e->free_next = eng->free_head; /* freed before the handler may reuse it */
            eng->free_head = id;
        } else {
            break;
        }
        eng->n--;
        SIM_ASSERT(t >= eng->now);
        eng->now = t;
        eng->events_run++;
        const struct handler *h = &eng->handlers[kind];
        h->fn(h->ctx, obj, arg);
    }
    if (until > eng->now && !eng->stop)
        eng->now = until;
    return eng->events_run - before;
}

void engine_stop(struct engine *eng) { eng->stop = true; }
uint64_t engine_events_run(const struct engine *eng) { return eng->events_run; }
size_t engine_pending(const struct engine *eng) { return eng->n; }
size_t engine_peak_pending(const struct engine *eng) { return eng->peak; }
size_t engine_capacity(const struct engine *eng) { return eng->cap; }
uint64_t engine_bottom_spills(const struct engine *eng) { return eng->spills; }

static bool event_in(const struct engine *eng, uint32_t id, sim_ns lo, sim_ns width)
{
    sim_ns t = eng->nodes[id].time;
    return t >= lo && t < lo + width && t >= eng->now;
}

/* O(pending + buckets): every tier consistent, nothing earlier than now. */
bool engine_check(const struct engine *eng)
{
    size_t seen = 0;
    for (uint32_t i = 0; i < eng->top_count; i++, seen++) {
        uint32_t id = eng->top_ids[i];
        if (eng->nodes[id].time < eng->top_start || eng->nodes[id].time < eng->now)
            return false;
    }
    for (unsigned i = 0; i < eng->nrungs; i++) {
        const struct rung *r = &eng->rungs[i];
        size_t in_rung = 0;
        for (uint32_t k = 0; k < r->nbuckets; k++) {
            const struct bucket *b = &eng->arena[r->base + k];
            sim_ns lo = r->start + (sim_ns)k * r->width;
            size_t c = 0;
            if (!r->chunked || b->count == 1) {
                uint32_t id = b->head;
                for (; c < b->count; c++, id = eng->link[id])
                    if (!event_in(eng, id, lo, r->width) || k < r->cur)
                        return false;
                if (!r->chunked && id != NIL)
                    return false; /* a sparse list ends at its count */
            } else if (b->count > 1) {
                uint32_t fill = (b->count - 1) % LQ_CHUNK_IDS + 1;
                for (uint32_t ch = b->head; ch != NIL && c <= b->count;
                     ch = eng->chunks[ch].next, fill = LQ_CHUNK_IDS)
                    for (uint32_t j = 0; j < fill; j++, c++)
                        if (!event_in(eng, eng->chunks[ch].ids[j], lo, r->width) || k < r->cur)
                            return false;
            }
            if (c != b->count)
                return false;
            in_rung += c;
        }
        if (in_rung != r->count)
            return false;
        if (r->cur_start != (r->cur < r->nbuckets ? r->start + (sim_ns)r->cur * r->width
                                                  : SIM_NS_MAX))
            return false;
        seen += in_rung;
    }
    for (uint32_t i = 0; i < eng->nbottom; i++) {
        const struct slot *b = &eng->bottom[i];
        if (b->time < eng->now || b->time != eng->nodes[b->id].time ||
            b->order != eng->nodes[b->id].order)
            return false;
        if (i > 0 && slot_less(&eng->bottom[i - 1], b->time, b->order))
            return false;
    }
    seen += eng->nbottom;
    for (unsigned i = 0; i < eng->nlanes; i++) {
        const struct lane *l = &eng->lanes[i];
        if (l->pending && l->time < eng->now)
            return false;
        seen += l->pending;
    }
    return seen == eng->n;
}
