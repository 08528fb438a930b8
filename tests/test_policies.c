/*
 * test_policies.c: placement policies with no engine: a stack-built
 * cpu_view, a pkt_meta and the policy's state.
 */
#include "check.h"
#include "policy.h"
#include "rng.h"
#include "scenario.h"

#include <gsl/gsl_cdf.h>
#include <stdlib.h>

struct fake_cpus {
    uint32_t backlog[16];
    uint64_t head[16];
    sim_ns busy[16];
    struct cpu_view view;
};

static void fake_init(struct fake_cpus *f, unsigned ncpu, unsigned cur)
{
    memset(f, 0, sizeof *f);
    f->view.ncpu = ncpu;
    f->view.cur_cpu = cur;
    f->view.backlog_len = f->backlog;
    f->view.input_queue_head = f->head;
    f->view.busy_ns = f->busy;
}

/* The built-in policies under test (policy_registry.c registers them). */
extern const struct placement_policy_ops vanilla_policy_ops, rps_policy_ops, rfs_policy_ops,
    falcon_policy_ops, falcon_static_policy_ops, falcon_always_policy_ops, mflow_policy_ops,
    prism_policy_ops;

/* A 16-CPU scenario running ops, with the given --set overrides: the
 * policy's keys are loaded, defaulted and validated as in a real run. */
static void params_for(const struct placement_policy_ops *ops, struct sim_params *p,
                       const char *const *sets, size_t n)
{
    struct sim_err err;
    struct scenario_text t;
    char name[80];
    const char *all[16];
    CHECK_TRUE(n < 16);
    snprintf(name, sizeof name, "policy.name=%s", ops->name);
    all[0] = name;
    for (size_t i = 0; i < n; i++)
        all[i + 1] = sets[i];
    int rc = scenario_load(NULL, "host: { cpus = 16; };", all, n + 1, p, &t, &err);
    if (rc != SIM_OK)
        fprintf(stderr, "%s\n", err.msg);
    CHECK_EQ_I64(rc, SIM_OK);
    CHECK_TRUE(policy_of(p) == ops);
    scenario_text_free(&t);
}

static void *policy_state(const struct placement_policy_ops *ops, const struct sim_params *p)
{
    struct sim_err err;
    void *st = calloc(1, ops->state_size ? ops->state_size : 1);
    CHECK_EQ_I64(ops->init(st, p, &err), SIM_OK);
    return st;
}

static void test_registry(void)
{
    CHECK_TRUE(policy_lookup("rps") == &rps_policy_ops);
    CHECK_TRUE(policy_lookup("vanilla") == &vanilla_policy_ops);
    CHECK_TRUE(policy_lookup("nope") == NULL);
    CHECK_EQ_I64(policy_id("nope"), -1);
    CHECK_TRUE(policy_count() >= 7);
    for (unsigned i = 0; i < policy_count(); i++) {
        CHECK_TRUE(policy_at(i)->abi == PLACEMENT_POLICY_ABI);
        CHECK_EQ_I64(policy_id(policy_at(i)->name), i);
        CHECK_TRUE(strcmp(k_policy_names[i], policy_at(i)->name) == 0);
    }
    CHECK_TRUE(k_policy_names[policy_count()] == NULL);
}

static void test_vanilla_stays_local(void)
{
    struct sim_params p;
    params_for(&vanilla_policy_ops, &p, NULL, 0);
    struct fake_cpus f;
    fake_init(&f, 16, 5);
    struct pkt_meta m = {.flow_hash = 0xdeadbeef};
    for (int tr = 0; tr < TR_COUNT; tr++)
        CHECK_EQ_I64(vanilla_policy_ops.select_cpu(NULL, &m, (enum transition)tr, &f.view),
                     POLICY_LOCAL);
    CHECK_EQ_I64(vanilla_policy_ops.select_rx_queue(NULL, &m, 8), 0);
}

/* A policy's decides hook is a promise: where it says false, select_cpu
 * keeps every packet local and leaves the state as it was (the model then
 * skips the call). Checked for every registered policy that has the hook,
 * with its defaults, and for RPS with the per-device maps it also has. */
static unsigned check_decides(const struct placement_policy_ops *ops, const char *const *sets,
                              size_t nsets, struct rng *r)
{
    struct sim_params p;
    params_for(ops, &p, sets, nsets);
    void *st = policy_state(ops, &p);
    size_t size = ops->state_size ? ops->state_size : 1;
    void *before = malloc(size);
    struct fake_cpus f;
    fake_init(&f, 16, 3);
    unsigned checked = 0;
    for (int tr = 0; tr < TR_COUNT; tr++) {
        if (ops->decides(st, (enum transition)tr))
            continue;
        memcpy(before, st, size);
        for (int i = 0; i < 1000; i++) {
            struct pkt_meta m = {.flow_hash = (uint32_t)(rng_uniform(r) * 4294967296.0),
                                 .bytes = 1 + (uint32_t)(rng_uniform(r) * 9000)};
            CHECK_EQ_I64(ops->select_cpu(st, &m, (enum transition)tr, &f.view), POLICY_LOCAL);
        }
        CHECK_TRUE(memcmp(before, st, size) == 0);
        checked++;
    }
    if (ops->fini != NULL)
        ops->fini(st);
    free(before);
    free(st);
    return checked;
}

static void test_decides_is_kept(void)
{
    struct rng *r = rng_create(17, RNG_STREAM_TEST);
    unsigned policies = 0, transitions = 0;
    for (unsigned i = 0; i < policy_count(); i++) {
        const struct placement_policy_ops *ops = policy_at(i);
        if (ops->decides == NULL)
            continue;
        policies++;
        transitions += check_decides(ops, NULL, 0, r);
    }
    const char *veth_off[] = {"policy.rps_veth=off"};
    const char *first[] = {"policy.rps_first_cpus=2,4", "policy.rps_cpus=3,5"};
    unsigned rps_default = check_decides(&rps_policy_ops, NULL, 0, r);
    CHECK_EQ_I64(check_decides(&rps_policy_ops, veth_off, 1, r), rps_default + 1);
    CHECK_EQ_I64(check_decides(&rps_policy_ops, first, 2, r), rps_default);
    CHECK_EQ_I64(rps_default, TR_COUNT - 2);
    CHECK_TRUE(policies >= 4); /* vanilla, rss, rps, rfs */
    CHECK_TRUE(transitions >= 4 * (TR_COUNT - 2));
    rng_destroy(r);
}

/* RPS: the same flow always lands on the same CPU at every steering
 * point (so all its softirqs after the first share a core), only map CPUs
 * are used, and the spread over the map passes a chi-square test. */
static void test_rps(void)
{
    struct sim_params p;
    const char *sets[] = {"policy.rps_cpus=3,5,7,9,11"};
    params_for(&rps_policy_ops, &p, sets, 1);
    void *st = policy_state(&rps_policy_ops, &p);
    struct fake_cpus f;
    fake_init(&f, 16, 0);
    struct rng *r = rng_create(11, RNG_STREAM_TEST);
    enum { N = 100000 };
    double counts[16] = {0};
    for (int i = 0; i < N; i++) {
        struct pkt_meta m = {.flow_hash = (uint32_t)(rng_uniform(r) * 4294967296.0)};
        int a = rps_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view);
        f.view.cur_cpu = (unsigned)a;
        int b = rps_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view);
        CHECK_TRUE(a == b);
        CHECK_EQ_I64(rps_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), POLICY_LOCAL);
        if (a >= 0 && a < 16)
            counts[a]++;
    }
    double chi2 = 0;
    const int map[] = {3, 5, 7, 9, 11};
    double in_map = 0;
    for (int k = 0; k < 5; k++) {
        double e = N / 5.0;
        chi2 += (counts[map[k]] - e) * (counts[map[k]] - e) / e;
        in_map += counts[map[k]];
    }
    CHECK_NEAR(in_map, N, 0);
    CHECK_TRUE(gsl_cdf_chisq_Q(chi2, 4) > 0.001);
    rng_destroy(r);
    free(st);
}

/* Per-device maps: the first device draws from policy.rps_first_cpus, the
 * veth from policy.rps_cpus (each with the same hash: reciprocal_scale over
 * its own map), or keeps the packet local with policy.rps_veth = off. */
static void test_rps_per_device_maps(void)
{
    struct sim_params p;
    const char *two[] = {"policy.rps_cpus=4,5,6", "policy.rps_first_cpus=0,1"};
    params_for(&rps_policy_ops, &p, two, 2);
    void *st = policy_state(&rps_policy_ops, &p);
    const char *first_only[] = {"policy.rps_cpus=2,3", "policy.rps_veth=off"};
    struct sim_params q;
    params_for(&rps_policy_ops, &q, first_only, 2);
    void *st1 = policy_state(&rps_policy_ops, &q);
    struct fake_cpus f;
    fake_init(&f, 8, 0);
    bool first_seen[2] = {false, false}, veth_seen[3] = {false, false, false};
    for (uint32_t i = 0; i < 1000; i++) {
        struct pkt_meta m = {.flow_hash = i * 2654435761u};
        int a = rps_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view);
        int b = rps_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view);
        CHECK_EQ_I64(a, (int)policy_reciprocal_scale(m.flow_hash, 2));
        CHECK_EQ_I64(b, 4 + (int)policy_reciprocal_scale(m.flow_hash, 3));
        first_seen[a] = veth_seen[b - 4] = true;
        int c = rps_policy_ops.select_cpu(st1, &m, TR_RPS_RECEIVE, &f.view);
        CHECK_EQ_I64(c, 2 + (int)policy_reciprocal_scale(m.flow_hash, 2));
        CHECK_EQ_I64(rps_policy_ops.select_cpu(st1, &m, TR_NETIF_RX, &f.view), POLICY_LOCAL);
    }
    CHECK_TRUE(first_seen[0] && first_seen[1] && veth_seen[0] && veth_seen[1] && veth_seen[2]);
    const char *outside[] = {"host.cpus=8", "policy.rps_first_cpus=8"};
    struct sim_err err = {{0}};
    struct scenario_text t;
    const char *sets[] = {"policy.name=rps", outside[0], outside[1]};
    CHECK_EQ_I64(scenario_load(NULL, "", sets, 3, &q, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'policy.rps_first_cpus' lists CPU 8, outside");
    free(st);
    free(st1);
}

/* The validate hooks name the key; the loader adds where it was set. */
static void test_rps_needs_a_map(void)
{
    struct sim_params p;
    params_for(&rps_policy_ops, &p, NULL, 0);
    struct policy_complaint c = {NULL, ""};
    CHECK_EQ_I64(rps_policy_ops.validate(&p, &c), SIM_OK);
    const struct cpu_list empty = {0, {0}};
    memcpy((char *)&p + params_run_find(&p, "policy.rps_cpus")->offset, &empty, sizeof empty);
    CHECK_EQ_I64(rps_policy_ops.validate(&p, &c), SIM_EINVAL);
    CHECK_TRUE(c.key != NULL && strcmp(c.key, "policy.rps_cpus") == 0);
    CHECK_STR_CONTAINS(c.msg, "must list at least one CPU");
    struct sim_err err = {{0}};
    struct scenario_text t;
    const char *sets[] = {"policy.name=rfs", "policy.rps_cpus="};
    CHECK_EQ_I64(scenario_load(NULL, "host: { cpus = 4; };", sets, 2, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'policy.rps_cpus' must list at least one CPU");
    CHECK_EQ_I64(scenario_load(NULL, "host: { cpus = 4; };\npolicy: { name = \"rps\"; rps_cpus = [4]; };",
                               NULL, 0, &p, &t, &err),
                 SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "(scenario):2: error: 'policy.rps_cpus' lists CPU 4, outside");
}

static void test_rss_spread(void)
{
    unsigned q[4] = {0};
    for (uint32_t h = 0; h < 4096; h++)
        q[policy_rss_queue(h * 2654435761u, 4)]++;
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(q[i], 1024, 1024 * 0.2);
    CHECK_EQ_I64(policy_rss_queue(12345, 1), 0);
}

/* RFS: falls back to RPS until a recvmsg is seen; then moves to the
 * application's CPU, but only once the old CPU has processed every packet
 * of the flow it queued (input_queue_head has passed last_qtail). */
static void test_rfs_in_order_migration(void)
{
    struct sim_params p;
    const char *sets[] = {"policy.rps_cpus=1", "workload.flows=4"};
    params_for(&rfs_policy_ops, &p, sets, 2);
    void *st = policy_state(&rfs_policy_ops, &p);
    struct fake_cpus f;
    fake_init(&f, 16, 0);
    struct pkt_meta m = {.flow_hash = 77, .flow_id = 2};
    CHECK_EQ_I64(rfs_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view), 1); /* RPS */
    rfs_policy_ops.record_recv(st, &m, 6);
    int c = rfs_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view);
    CHECK_EQ_I64(c, 6);
    /* two packets queued on CPU 6: tail 10, 11 */
    rfs_policy_ops.enqueued(st, &m, TR_RPS_RECEIVE, 6, 10);
    rfs_policy_ops.enqueued(st, &m, TR_RPS_RECEIVE, 6, 11);
    /* the thread moves to CPU 8 */
    rfs_policy_ops.record_recv(st, &m, 8);
    f.head[6] = 10; /* CPU 6 has not yet processed the second packet */
    CHECK_EQ_I64(rfs_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view), 6);
    f.head[6] = 11; /* now it has */
    CHECK_EQ_I64(rfs_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view), 8);
    /* the other steering point keeps its own entry */
    CHECK_EQ_I64(rfs_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view), 8);
    rfs_policy_ops.fini(st);
    free(st);
}

/* {===== FALCON ===== */

static void load_all(const struct placement_policy_ops *ops, void *st, struct fake_cpus *f,
                     const double *busy_pct, int ticks)
{
    /* Feed `ticks` sampling periods with the given per-CPU busy percentages. */
    sim_ns period = ops->tick_period_ns(st);
    for (int k = 0; k < ticks; k++) {
        f->view.now += period;
        for (unsigned c = 0; c < f->view.ncpu; c++)
            f->busy[c] += (sim_ns)(busy_pct[c] / 100.0 * (double)period);
        ops->tick(st, &f->view);
    }
}

static void *falcon_with(const struct placement_policy_ops *ops, const char *const *sets,
                         size_t n)
{
    struct sim_params p;
    params_for(ops, &p, sets, n);
    return policy_state(ops, &p);
}

/* One flow's devices land on at least two CPUs; the same (flow, device)
 * always lands on the same CPU while loads are low; only FALCON_CPUS are
 * used for the pipelined devices. */
static void test_falcon_pipelining(void)
{
    const char *sets[] = {"policy.name=falcon", "policy.rps_cpus=1", "policy.falcon_cpus=3,4,5,6"};
    void *st = falcon_with(&falcon_policy_ops, sets, 3);
    struct fake_cpus f;
    fake_init(&f, 16, 0);
    struct rng *r = rng_create(2, RNG_STREAM_TEST);
    int spread = 0;
    for (int i = 0; i < 10000; i++) {
        struct pkt_meta m = {.flow_hash = (uint32_t)(rng_uniform(r) * 4294967296.0)};
        int a = falcon_policy_ops.select_cpu(st, &m, TR_RPS_RECEIVE, &f.view);
        int b = falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view);
        int c = falcon_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view);
        CHECK_EQ_I64(a, 1);
        CHECK_TRUE(b >= 3 && b <= 6 && c >= 3 && c <= 6);
        CHECK_TRUE(a != b || b != c); /* >= 2 distinct CPUs */
        spread += b != c;
        CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), b);
        CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view), c);
        /* UDP: never split */
        CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_GRO_SPLIT, &f.view), POLICY_LOCAL);
    }
    CHECK_TRUE(spread > 6000); /* two devices differ unless the hashes collide (1/4) */
    /* still the same CPUs under moderate load */
    double busy[16] = {0};
    for (int c = 0; c < 16; c++)
        busy[c] = 60;
    struct pkt_meta m = {.flow_hash = 0x12345678};
    int b0 = falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view);
    load_all(&falcon_policy_ops, st, &f, busy, 50);
    CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), b0);
    rng_destroy(r);
    falcon_policy_ops.fini(st);
    free(st);
}

/* Above the threshold the first choice gives way to the second hash
 * (committed without comparing loads); the static variant never moves. */
static void test_falcon_second_choice(void)
{
    const char *sets[] = {"policy.rps_cpus=1", "policy.falcon_cpus=3,4,5,6,7,8,9,10"};
    void *st = falcon_with(&falcon_policy_ops, sets, 2);
    void *ss = falcon_with(&falcon_static_policy_ops, sets, 2);
    struct fake_cpus f, g;
    fake_init(&f, 16, 0);
    fake_init(&g, 16, 0);
    const unsigned fc[] = {3, 4, 5, 6, 7, 8, 9, 10};
    int moved = 0, tried = 0;
    for (uint32_t hash = 1; hash < 200; hash += 7) {
        struct pkt_meta m = {.flow_hash = hash * 2654435761u};
        int first = falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view);
        uint32_t h1 = policy_hash_32(m.flow_hash + 4, 16);
        CHECK_EQ_I64(first, fc[h1 % 8]);
        uint32_t h2 = policy_hash_32(h1, 16);
        int second = (int)fc[h2 % 8];
        /* only the first choice is hot: the average stays below 80 % */
        double busy[16] = {0};
        busy[first] = 100;
        fake_init(&f, 16, 0);
        falcon_policy_ops.fini(st);
        free(st);
        st = falcon_with(&falcon_policy_ops, sets, 2);
        load_all(&falcon_policy_ops, st, &f, busy, 3); /* EWMA 49 %: below */
        CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), first);
        load_all(&falcon_policy_ops, st, &f, busy, 10); /* EWMA 95 %: above */
        CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), second);
        moved += second != first;
        tried++;
        fake_init(&g, 16, 0);
        load_all(&falcon_static_policy_ops, ss, &g, busy, 13);
        CHECK_EQ_I64(falcon_static_policy_ops.select_cpu(ss, &m, TR_GRO_CELLS, &g.view), first);
        falcon_static_policy_ops.fini(ss);
        free(ss);
        ss = falcon_with(&falcon_static_policy_ops, sets, 2);
    }
    CHECK_TRUE(moved > tried / 2);
    falcon_policy_ops.fini(st);
    free(st);
    falcon_static_policy_ops.fini(ss);
    free(ss);
}

/* When the FALCON CPUs are busy on average, FALCON steps aside: the
 * original path (local gro_cell, RPS at netif_rx); falcon_always does not. */
static void test_falcon_global_switch(void)
{
    const char *sets[] = {"policy.rps_cpus=1", "policy.falcon_cpus=3,4"};
    void *st = falcon_with(&falcon_policy_ops, sets, 2);
    void *sa = falcon_with(&falcon_always_policy_ops, sets, 2);
    struct fake_cpus f, g;
    fake_init(&f, 16, 0);
    fake_init(&g, 16, 0);
    double busy[16] = {0};
    busy[3] = busy[4] = 95;
    load_all(&falcon_policy_ops, st, &f, busy, 20);
    load_all(&falcon_always_policy_ops, sa, &g, busy, 20);
    struct pkt_meta m = {.flow_hash = 99};
    CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), POLICY_LOCAL);
    CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view), 1);
    int a = falcon_always_policy_ops.select_cpu(sa, &m, TR_GRO_CELLS, &g.view);
    CHECK_TRUE(a == 3 || a == 4);
    /* loads fall again: FALCON is back */
    busy[3] = busy[4] = 10;
    load_all(&falcon_policy_ops, st, &f, busy, 30);
    a = falcon_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view);
    CHECK_TRUE(a == 3 || a == 4);
    falcon_policy_ops.fini(st);
    free(st);
    falcon_always_policy_ops.fini(sa);
    free(sa);
}

/* GRO splitting: TCP only, by flow hash onto GROSPLIT_CPUS, can be off. */
static void test_falcon_gro_split(void)
{
    const char *tcp[] = {"workload.protocol=tcp", "policy.grosplit_cpus=7,8"};
    void *st = falcon_with(&falcon_policy_ops, tcp, 2);
    struct fake_cpus f;
    fake_init(&f, 16, 0);
    struct pkt_meta t = {.flow_hash = 5, .protocol = PROTO_TCP};
    int c = falcon_policy_ops.select_cpu(st, &t, TR_GRO_SPLIT, &f.view);
    CHECK_EQ_I64(c, (int)(policy_hash_32(5, 16) % 2 == 0 ? 7 : 8));
    falcon_policy_ops.fini(st);
    free(st);
    const char *off[] = {"workload.protocol=tcp", "policy.gro_split=off"};
    st = falcon_with(&falcon_policy_ops, off, 2);
    CHECK_EQ_I64(falcon_policy_ops.select_cpu(st, &t, TR_GRO_SPLIT, &f.view), POLICY_LOCAL);
    falcon_policy_ops.fini(st);
    free(st);
}

static void test_falcon_bad_input(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    struct scenario_text t;
    const char *empty[] = {"policy.name=falcon", "policy.falcon_cpus="};
    CHECK_EQ_I64(scenario_load(NULL, "", empty, 2, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'policy.falcon_cpus' must list at least one CPU");
    const char *outside[] = {"policy.name=falcon", "policy.falcon_cpus=3,12"};
    CHECK_EQ_I64(scenario_load(NULL, "", outside, 2, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'policy.falcon_cpus' lists CPU 12, outside the core budget");
    const char *thr[] = {"policy.name=falcon", "policy.falcon_threshold=120"};
    CHECK_EQ_I64(scenario_load(NULL, "", thr, 2, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'policy.falcon_threshold' must be in [0, 100] (got 120)");
    const char *udp[] = {"policy.name=falcon", "policy.gro_split=on"};
    CHECK_EQ_I64(scenario_load(NULL, "", udp, 2, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'policy.gro_split' is \"on\" but workload.protocol is \"udp\"");
}

/* }===== */

/* mFlow: a flow's packets at the split point get micro-flow ids 0, 1, 2,
 * ... in runs of exactly mflow_batch packets, the last of each run says it
 * ends it, micro-flow i travels on lane i mod S to mflow_cpus[lane], and
 * each flow counts on its own. Elsewhere nothing is tagged or moved. */
static void test_mflow_microflows(void)
{
    struct sim_params p;
    const char *sets[] = {"policy.mflow_batch=5", "policy.mflow_cpus=[6, 2, 9]",
                          "policy.mflow_lanes=3", "workload.flows=2", "policy.mflow_mode=device"};
    params_for(&mflow_policy_ops, &p, sets, SIM_ARRAY_LEN(sets));
    void *st = policy_state(&mflow_policy_ops, &p);
    struct fake_cpus f;
    fake_init(&f, 16, 0);
    CHECK_EQ_I64(mflow_policy_ops.merge_lanes(st), 3);
    struct microflow_tag tag;
    for (int tr = 0; tr < TR_COUNT; tr++) {
        struct pkt_meta m = {.flow_hash = 7, .flow_id = 0};
        if (tr != TR_GRO_CELLS)
            CHECK_TRUE(!mflow_policy_ops.tag_microflow(st, &m, (enum transition)tr, &tag));
    }
    static const int cpus[3] = {6, 2, 9};
    uint32_t expect[2] = {0, 0};
    for (uint32_t i = 0; i < 200; i++) {
        uint32_t flow = i % 7 == 3 ? 1u : 0u; /* the flows interleave */
        struct pkt_meta m = {.flow_hash = 7 + flow, .flow_id = flow};
        CHECK_TRUE(mflow_policy_ops.tag_microflow(st, &m, TR_GRO_CELLS, &tag));
        uint32_t n = expect[flow]++;
        CHECK_EQ_I64(tag.id, n / 5);
        CHECK_EQ_I64(tag.lane, (n / 5) % 3);
        CHECK_EQ_I64(tag.last, n % 5 == 4);
        m.in_microflow = true;
        m.lane = tag.lane;
        m.microflow = tag.id;
        CHECK_EQ_I64(mflow_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view), cpus[tag.lane]);
        CHECK_EQ_I64(mflow_policy_ops.select_cpu(st, &m, TR_NETIF_RX, &f.view), POLICY_LOCAL);
    }
    mflow_policy_ops.fini(st);
    free(st);
    /* two lanes from a pool of five: each flow's lanes are two consecutive
     * pool entries from a hash offset, and the flows spread over the pool */
    const char *pool[] = {"policy.mflow_cpus=[1, 2, 3, 4, 5]", "workload.flows=64"};
    params_for(&mflow_policy_ops, &p, pool, SIM_ARRAY_LEN(pool));
    st = policy_state(&mflow_policy_ops, &p);
    CHECK_EQ_I64(mflow_policy_ops.merge_lanes(st), 2);
    unsigned used[6] = {0};
    for (uint32_t flow = 0; flow < 64; flow++) {
        struct pkt_meta m = {.flow_hash = (uint32_t)rng_mix64(flow + 1), .flow_id = flow,
                             .in_microflow = true};
        m.lane = 0;
        int c0 = mflow_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view);
        m.lane = 1;
        int c1 = mflow_policy_ops.select_cpu(st, &m, TR_GRO_CELLS, &f.view);
        CHECK_TRUE(c0 >= 1 && c0 <= 5 && c1 == c0 % 5 + 1);
        used[c0]++;
    }
    for (int c = 1; c <= 5; c++)
        CHECK_TRUE(used[c] > 3);
    mflow_policy_ops.fini(st);
    free(st);
    /* full path: the split is in the driver poll, before skb allocation */
    const char *fp[] = {"policy.mflow_mode=auto", "workload.protocol=tcp"};
    params_for(&mflow_policy_ops, &p, fp, SIM_ARRAY_LEN(fp));
    st = policy_state(&mflow_policy_ops, &p);
    struct pkt_meta m = {.flow_hash = 7, .flow_id = 0};
    CHECK_TRUE(!mflow_policy_ops.tag_microflow(st, &m, TR_GRO_CELLS, &tag));
    CHECK_TRUE(mflow_policy_ops.tag_microflow(st, &m, TR_IRQ_SPLIT, &tag));
    CHECK_EQ_I64(tag.id, 0);
    mflow_policy_ops.fini(st);
    free(st);
}

/* PRISM: high priority exactly for the listed destination ports; sync
 * mode calls the next device directly for high priority only. */
static void test_prism_classes(void)
{
    struct sim_params p;
    const char *sets[] = {"policy.prism_ports=[80, 11112]", "policy.prism_mode=sync"};
    params_for(&prism_policy_ops, &p, sets, SIM_ARRAY_LEN(sets));
    void *st = policy_state(&prism_policy_ops, &p);
    struct fake_cpus f;
    fake_init(&f, 16, 0);
    struct pkt_meta hi = {.dst_port = 80}, lo = {.dst_port = 81};
    CHECK_EQ_I64(prism_policy_ops.classify(st, &hi), 1);
    CHECK_EQ_I64(prism_policy_ops.classify(st, &lo), 0);
    hi.priority = 1;
    for (int tr = 0; tr < TR_COUNT; tr++) {
        bool direct = tr == TR_GRO_CELLS || tr == TR_NETIF_RX;
        CHECK_EQ_I64(prism_policy_ops.select_cpu(st, &hi, (enum transition)tr, &f.view),
                     direct ? POLICY_INLINE : POLICY_LOCAL);
        CHECK_EQ_I64(prism_policy_ops.select_cpu(st, &lo, (enum transition)tr, &f.view),
                     POLICY_LOCAL);
    }
    CHECK_EQ_I64(prism_policy_ops.poll_list, POLL_LIST_STREAMLINED);
    free(st);
    const char *batch[] = {"policy.prism_mode=batch"};
    params_for(&prism_policy_ops, &p, batch, 1);
    st = policy_state(&prism_policy_ops, &p);
    CHECK_EQ_I64(prism_policy_ops.select_cpu(st, &hi, TR_GRO_CELLS, &f.view), POLICY_LOCAL);
    free(st);
}

int main(void)
{
    test_registry();
    test_vanilla_stays_local();
    test_decides_is_kept();
    test_rps();
    test_rps_per_device_maps();
    test_rps_needs_a_map();
    test_rss_spread();
    test_rfs_in_order_migration();
    test_falcon_pipelining();
    test_falcon_second_choice();
    test_falcon_global_switch();
    test_falcon_gro_split();
    test_falcon_bad_input();
    test_mflow_microflows();
    test_prism_classes();
    return check_report("test_policies");
}
