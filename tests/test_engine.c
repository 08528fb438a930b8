/*
 * test_engine.c: the event set against an oracle, and the documented order.
 */
#include "check.h"
#include "engine.h"
#include "rng.h"

#include <stdlib.h>

struct rec {
    uint64_t *log;
    size_t n;
};

static void record(void *ctx, uint32_t obj, uint64_t arg)
{
    struct rec *r = ctx;
    (void)arg;
    r->log[r->n++] = obj;
}

/* Same time: class decides; same class: scheduling order decides. */
static void test_order(void)
{
    struct sim_err err;
    for (int variant = 0; variant < 2; variant++) {
        struct engine *e = engine_create(16, "test", &err);
        uint64_t log[8];
        struct rec r = {log, 0};
        engine_register(e, 0, 5, record, &r);
        engine_register(e, 1, 2, record, &r);
        if (variant == 0) {
            engine_schedule(e, 10, 0, 1, 0);
            engine_schedule(e, 10, 0, 2, 0);
            engine_schedule(e, 10, 1, 3, 0);
        } else {
            engine_schedule(e, 10, 1, 3, 0);
            engine_schedule(e, 10, 0, 1, 0);
            engine_schedule(e, 10, 0, 2, 0);
        }
        engine_schedule(e, 5, 0, 0, 0);
        engine_run(e, 100);
        CHECK_EQ_I64(r.n, 4);
        CHECK_EQ_I64(log[0], 0);
        CHECK_EQ_I64(log[1], 3); /* class 2 before class 5 at time 10 */
        CHECK_EQ_I64(log[2], 1); /* then FIFO within the class */
        CHECK_EQ_I64(log[3], 2);
        CHECK_EQ_I64(engine_now(e), 100);
        engine_destroy(e);
    }
}

/* Kinds of one class: scheduling order decides, never the kind (the kind
 * rode above the sequence in the order word until 2026-12-02, so a later
 * kind-0 event ran before an earlier kind-1 event of the same class). */
static void test_order_kinds_of_one_class(void)
{
    struct sim_err err;
    struct engine *e = engine_create(16, "test", &err);
    uint64_t log[8];
    struct rec r = {log, 0};
    engine_register(e, 0, 3, record, &r);
    engine_register(e, 1, 3, record, &r);
    engine_register(e, 2, 3, record, &r);
    engine_schedule(e, 10, 2, 1, 0);
    engine_schedule(e, 10, 1, 2, 0);
    engine_schedule(e, 10, 0, 3, 0);
    engine_schedule(e, 10, 2, 4, 0);
    engine_run(e, 100);
    CHECK_EQ_I64(r.n, 4);
    for (int i = 0; i < 4; i++)
        CHECK_EQ_I64(log[i], i + 1);
    engine_destroy(e);
}

struct oracle_ctx {
    sim_ns *t;
    uint64_t *seq;
    size_t n, cap;
    const struct engine *e;
};

static void oracle_pop(void *ctx, uint32_t obj, uint64_t arg)
{
    struct oracle_ctx *o = ctx;
    (void)obj;
    if (o->n < o->cap) {
        o->t[o->n] = engine_now(o->e);
        o->seq[o->n] = arg;
    }
    o->n++;
}

/* The oracle: a pop sequence is right iff it is sorted by (time, seq). */
static bool sorted_pairs(const sim_ns *t, const uint64_t *seq, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (t[i] < t[i - 1] || (t[i] == t[i - 1] && seq[i] < seq[i - 1]))
            return false;
    return true;
}

/* Random pushes and pops against the oracle; then one deliberately
 * corrupted copy of the pop order must fail it. */
static void test_oracle(void)
{
    struct sim_err err;
    enum { CAP = 1 << 17 };
    struct engine *e = engine_create(1 << 16, "test", &err);
    struct oracle_ctx o = {malloc(CAP * sizeof(sim_ns)), malloc(CAP * sizeof(uint64_t)), 0, CAP,
                           e};
    engine_register(e, 0, 0, oracle_pop, &o);
    struct rng *r = rng_create(7, RNG_STREAM_TEST);
    uint64_t seq = 0;
    sim_ns horizon = 0;
    for (int round = 0; round < 200; round++) {
        int pushes = (int)(rng_uniform(r) * 300);
        for (int i = 0; i < pushes; i++) {
            /* many equal times, so the sequence tie-break is exercised */
            sim_ns at = engine_now(e) + (sim_ns)(rng_uniform(r) * 50) * 20;
            engine_schedule(e, at, 0, 0, seq++);
        }
        horizon += 500;
        engine_run(e, horizon);
        CHECK_TRUE(engine_check(e));
    }
    engine_run(e, SIM_NS_MAX - 1);
    CHECK_EQ_I64(o.n, seq);
    CHECK_TRUE(o.n <= CAP);
    CHECK_TRUE(sorted_pairs(o.t, o.seq, o.n));
    /* corrupt: swap two pops with equal time */
    size_t k = 1;
    while (k < o.n && o.t[k] != o.t[k - 1])
        k++;
    CHECK_TRUE(k < o.n);
    uint64_t tmp = o.seq[k];
    o.seq[k] = o.seq[k - 1];
    o.seq[k - 1] = tmp;
    CHECK_TRUE(!sorted_pairs(o.t, o.seq, o.n));
    free(o.t);
    free(o.seq);
    rng_destroy(r);
    engine_destroy(e);
}

/* A hold model at full capacity: every pop pushes one event a few ns
 * ahead, so hundreds of events share each nanosecond (as in bench_engine
 * at a million). It starts from two layouts: two events a nanosecond (a
 * sparse rung, its buckets lists through the link array) and eight (a
 * dense rung, its buckets in chunks). */
struct hold_ctx {
    struct oracle_ctx o;
    struct engine *e;
    struct rng *r;
    uint64_t next_seq, left;
};

static void hold_pop(void *ctx, uint32_t obj, uint64_t arg)
{
    struct hold_ctx *h = ctx;
    oracle_pop(&h->o, obj, arg);
    if (h->left == 0)
        return;
    h->left--;
    sim_ns at = engine_now(h->e) + 1 + (sim_ns)(rng_uniform(h->r) * 8);
    engine_schedule(h->e, at, 0, 0, h->next_seq++);
}

static void test_dense_hold_at_capacity(int per_ns)
{
    struct sim_err err;
    enum { N = 4096, POPS = 100000 };
    struct hold_ctx h = {{malloc((N + POPS) * sizeof(sim_ns)),
                          malloc((N + POPS) * sizeof(uint64_t)), 0, N + POPS, NULL},
                         engine_create(N, "test", &err), rng_create(11, RNG_STREAM_TEST), 0,
                         POPS};
    h.o.e = h.e;
    engine_register(h.e, 0, 0, hold_pop, &h);
    for (int i = 0; i < N; i++)
        engine_schedule(h.e, 1 + (sim_ns)(i / per_ns), 0, 0, h.next_seq++);
    CHECK_EQ_I64((int64_t)engine_pending(h.e), N);
    engine_run(h.e, 300); /* about 10 000 pops: every pop has pushed */
    CHECK_TRUE(engine_check(h.e));
    CHECK_EQ_I64((int64_t)engine_pending(h.e), N);
    engine_run(h.e, SIM_NS_MAX - 1);
    CHECK_EQ_I64((int64_t)h.o.n, N + POPS);
    CHECK_TRUE(sorted_pairs(h.o.t, h.o.seq, h.o.n));
    CHECK_TRUE(engine_check(h.e));
    free(h.o.t);
    free(h.o.seq);
    rng_destroy(h.r);
    engine_destroy(h.e);
}

/* Near events and, for one pop in ten, one a millisecond ahead, as a TCP
 * flow's segments and their retransmission timers: the bottom, refilled
 * from a wide bucket, fills with near events until it spills into a new
 * rung. The pops stay in order and the tiers consistent throughout. */
struct timer_ctx {
    struct hold_ctx h;
    uint64_t checks_failed;
};

static void timer_pop(void *ctx, uint32_t obj, uint64_t arg)
{
    struct timer_ctx *t = ctx;
    struct hold_ctx *h = &t->h;
    oracle_pop(&h->o, obj, arg);
    if (h->o.n % 1000 == 0 && !engine_check(h->e))
        t->checks_failed++;
    if (h->left == 0)
        return;
    h->left--;
    sim_ns now = engine_now(h->e);
    engine_schedule(h->e, now + 1 + (sim_ns)(rng_uniform(h->r) * 240), 0, 0, h->next_seq++);
    if (rng_uniform(h->r) < 0.1)
        engine_schedule(h->e, now + 1000000, 0, 0, h->next_seq++);
}

static void test_bottom_spill(void)
{
    struct sim_err err;
    enum { CAP = 1 << 16, POPS = 200000 };
    size_t n = POPS * 2 + 8;
    struct timer_ctx t = {{{malloc(n * sizeof(sim_ns)), malloc(n * sizeof(uint64_t)), 0, n, NULL},
                           engine_create(CAP, "test", &err), rng_create(13, RNG_STREAM_TEST), 0,
                           POPS},
                          0};
    t.h.o.e = t.h.e;
    engine_register(t.h.e, 0, 0, timer_pop, &t);
    for (int i = 0; i < 4; i++)
        engine_schedule(t.h.e, (sim_ns)i * 2000000, 0, 0, t.h.next_seq++);
    engine_run(t.h.e, SIM_NS_MAX - 1);
    CHECK_TRUE(engine_bottom_spills(t.h.e) > 0);
    CHECK_EQ_I64((int64_t)t.checks_failed, 0);
    CHECK_EQ_I64((int64_t)t.h.o.n, (int64_t)t.h.next_seq);
    CHECK_TRUE(sorted_pairs(t.h.o.t, t.h.o.seq, t.h.o.n));
    CHECK_TRUE(engine_check(t.h.e));
    free(t.h.o.t);
    free(t.h.o.seq);
    rng_destroy(t.h.r);
    engine_destroy(t.h.e);
}

/* Lanes (engine_register_single) against the oracle: two single kinds, one
 * in the ladder's class and one in a later class, reschedule themselves
 * among random ladder events of two classes; every pop must come in
 * (time, class, sequence) order, and the lane's events must not take
 * ladder nodes. */
struct lane_ctx {
    struct engine *e;
    struct rng *r;
    uint64_t *seq; /* the shared scheduling counter */
    sim_ns t[1 << 16];
    uint64_t key[1 << 16]; /* class << 48 | seq */
    size_t n;
    unsigned lane_runs[2];
    bool resched;
};

static void lane_record(struct lane_ctx *c, unsigned cls, uint64_t seq)
{
    if (c->n < sizeof c->t / sizeof c->t[0]) {
        c->t[c->n] = engine_now(c->e);
        c->key[c->n] = (uint64_t)cls << 48 | seq;
    }
    c->n++;
}

static void lane_ladder_pop(void *ctx, uint32_t obj, uint64_t arg)
{
    lane_record(ctx, obj, arg);
}

static void lane_single_pop(void *ctx, uint32_t obj, uint64_t arg)
{
    struct lane_ctx *c = ctx;
    lane_record(c, obj == 0 ? 0 : 2, arg);
    c->lane_runs[obj]++;
    if (c->resched) /* often at the same time as ladder events */
        engine_schedule(c->e, engine_now(c->e) + (sim_ns)(1 + rng_uniform(c->r) * 10) * 20,
                        1 + obj, obj, (*c->seq)++);
}

static void test_lanes(void)
{
    struct sim_err err;
    struct lane_ctx *c = calloc(1, sizeof *c);
    uint64_t seq = 0;
    c->e = engine_create(1 << 12, "test", &err);
    c->r = rng_create(11, RNG_STREAM_TEST);
    c->seq = &seq;
    c->resched = true;
    engine_register(c->e, 0, 0, lane_ladder_pop, c);
    engine_register_single(c->e, 1, 0, lane_single_pop, c);
    engine_register_single(c->e, 2, 2, lane_single_pop, c);
    engine_register(c->e, 3, 1, lane_ladder_pop, c);
    engine_schedule(c->e, 0, 1, 0, seq++);
    engine_schedule(c->e, 0, 2, 1, seq++);
    CHECK_EQ_I64(engine_pending(c->e), 2);
    sim_ns horizon = 0;
    for (int round = 0; round < 100; round++) {
        int pushes = (int)(rng_uniform(c->r) * 100);
        for (int i = 0; i < pushes; i++) {
            bool second = rng_uniform(c->r) < 0.5;
            engine_schedule(c->e, engine_now(c->e) + (sim_ns)(1 + rng_uniform(c->r) * 50) * 20,
                            second ? 3 : 0, second ? 1 : 0, seq++);
        }
        horizon += 500;
        engine_run(c->e, horizon);
        CHECK_TRUE(engine_check(c->e));
    }
    c->resched = false;
    engine_run(c->e, SIM_NS_MAX - 1);
    CHECK_EQ_I64(engine_pending(c->e), 0);
    CHECK_EQ_I64(c->n, seq);
    CHECK_TRUE(c->n <= sizeof c->t / sizeof c->t[0]);
    CHECK_TRUE(c->lane_runs[0] > 200 && c->lane_runs[1] > 200);
    CHECK_TRUE(sorted_pairs(c->t, c->key, c->n));
    rng_destroy(c->r);
    engine_destroy(c->e);
    free(c);
}

int main(void)
{
    test_order();
    test_order_kinds_of_one_class();
    test_oracle();
    test_dense_hold_at_capacity(2);
    test_dense_hold_at_capacity(8);
    test_bottom_spill();
    test_lanes();
    return check_report("test_engine");
}
