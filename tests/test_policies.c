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

static void params_with(struct sim_params *p, const char *const *sets, size_t n)
{
    struct sim_err err;
    struct scenario_text t;
    int rc = scenario_load(NULL, "host: { cpus = 16; };", sets, n, p, &t, &err);
    if (rc != SIM_OK)
        fprintf(stderr, "%s\n", err.msg);
    CHECK_EQ_I64(rc, SIM_OK);
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
    for (unsigned i = 0; i < POL_COUNT; i++)
        CHECK_TRUE(policy_by_id((enum policy_id)i)->abi == PLACEMENT_POLICY_ABI);
}

static void test_vanilla_stays_local(void)
{
    struct sim_params p;
    params_with(&p, NULL, 0);
    struct fake_cpus f;
    fake_init(&f, 16, 5);
    struct pkt_meta m = {.flow_hash = 0xdeadbeef};
    for (int tr = 0; tr < TR_COUNT; tr++)
        CHECK_EQ_I64(vanilla_policy_ops.select_cpu(NULL, &m, (enum transition)tr, &f.view),
                     POLICY_LOCAL);
    CHECK_EQ_I64(vanilla_policy_ops.select_rx_queue(NULL, &m, 8), 0);
}

/* RPS: the same flow always lands on the same CPU at every steering
 * point (so all its softirqs after the first share a core), only map CPUs
 * are used, and the spread over the map passes a chi-square test. */
static void test_rps(void)
{
    struct sim_params p;
    const char *sets[] = {"policy.rps_cpus=3,5,7,9,11"};
    params_with(&p, sets, 1);
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

static void test_rps_needs_a_map(void)
{
    struct sim_params p;
    params_with(&p, NULL, 0);
    p.policy.rps_cpus.n = 0;
    struct sim_err err;
    void *st = calloc(1, rps_policy_ops.state_size);
    CHECK_EQ_I64(rps_policy_ops.init(st, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'policy.rps_cpus' must list at least one CPU");
    free(st);
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
    params_with(&p, sets, 2);
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

int main(void)
{
    test_registry();
    test_vanilla_stays_local();
    test_rps();
    test_rps_needs_a_map();
    test_rss_spread();
    test_rfs_in_order_migration();
    return check_report("test_policies");
}
