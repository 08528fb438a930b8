/*
 * test_mflow_prism.c: mFlow's micro-flows and PRISM's priorities through
 * the whole model, and their bad input.
 *
 * White-box where a rule is internal (the order of NAPI polls): it
 * includes model_internal.h and reads the model's poll log.
 */
#include "model_run.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Loads inline text with sets and runs it; with poll_log_cap > 0 the model
 * first gets a poll log of that many entries. */
static void run_with_log(struct run *run, const char *text, const char *const *sets, size_t n,
                         uint32_t poll_log_cap)
{
    run_prepare(run, NULL, text, sets, n);
    if (poll_log_cap > 0) {
        run->m->poll_log = xcalloc(poll_log_cap, sizeof *run->m->poll_log);
        run->m->poll_log_cap = poll_log_cap;
    }
    run_finish(run);
}

static void run_free(struct run *run)
{
    free(run->m->poll_log);
    run->m->poll_log = NULL;
    model_destroy(run->m);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* {===== mFlow ===== */

/* After the merge no flow's packets reach the socket out of order, under
 * random (heavy-tailed) stage costs, batch sizes, splitting cores,
 * modes, protocols and message sizes; before it they do (the splitting
 * is real). Every frame is accounted for (run_finish). */
static void test_mflow_merge_keeps_order(void)
{
    static const char *const modes[] = {"device", "full_path"};
    static const char *const batches[] = {"1", "2", "7", "64", "256"};
    static const char *const lanes[] = {"1", "2", "3", "4"};
    struct rng *r = rng_create(42, 0);
    uint64_t premerge = 0, runs = 0;
    for (int i = 0; i < 24; i++) {
        bool tcp = i % 2 == 1;
        const char *mode = modes[(i / 2) % 2];
        const char *batch = batches[(size_t)(rng_uniform(r) * SIM_ARRAY_LEN(batches))];
        const char *lane = lanes[(size_t)(rng_uniform(r) * SIM_ARRAY_LEN(lanes))];
        unsigned bytes = tcp ? (i % 3 ? 65536u : 4096u) : (i % 3 ? 16u : 4000u);
        double cv = 0.5 + 1.5 * rng_uniform(r);
        char text[2048];
        snprintf(text, sizeof text,
                 "host: { cpus = 8; };\n"
                 "stage: { nic_rx: { cost = { dist = \"lognormal\"; mean_ns = 400.0; cv = %g; }; };\n"
                 "         gro_cell: { cost = { dist = \"lognormal\"; mean_ns = 830.0; cv = %g; }; };\n"
                 "         container: { cost = { dist = \"lognormal\"; mean_ns = 570.0; cv = %g; }; }; };\n"
                 "workload: { protocol = \"%s\"; flows = 2; arrival = \"poisson\";\n"
                 "            rate_pps = %s; message_bytes = %u; };\n"
                 "policy: { name = \"mflow\"; mflow_mode = \"%s\"; mflow_batch = %s;\n"
                 "          mflow_lanes = %s; mflow_cpus = [1, 3, 4, 5]; };\n"
                 "app: { cpus = [7]; };\n"
                 "run: { duration_ms = 12.0; warmup_ms = 2.0; seed = %d; };\n",
                 cv, cv, cv, tcp ? "tcp" : "udp", tcp ? "0.0" : bytes > 1000 ? "60000.0" : "250000.0", bytes, mode, batch,
                 lane, i + 1);
        struct run a;
        run_with_log(&a, text, NULL, 0, 0);
        if (a.r->sum.reorders != 0)
            fprintf(stderr, "case %d: %s %s batch %s lanes %s: %llu reorders after the merge\n",
                    i, tcp ? "tcp" : "udp", mode, batch, lane,
                    (unsigned long long)a.r->sum.reorders);
        CHECK_EQ_I64(a.r->sum.reorders, 0);
        if (a.r->sum.deliv_frames <= 1000)
            fprintf(stderr, "case %d: %s %s batch %s lanes %s: %llu frames delivered\n", i,
                    tcp ? "tcp" : "udp", mode, batch, lane,
                    (unsigned long long)a.r->sum.deliv_frames);
        CHECK_TRUE(a.r->sum.deliv_frames > 1000);
        premerge += a.r->sum.reorders_premerge;
        runs++;
        run_free(&a);
    }
    fprintf(stderr, "mflow: %llu runs, %llu skbs out of order before the merge, none after\n",
            (unsigned long long)runs, (unsigned long long)premerge);
    CHECK_TRUE(premerge > 1000);
    rng_destroy(r);
}

/* Under loss and memory pressure (splitting cores overloaded, so their
 * backlogs drop, and a small receive buffer) the merge neither stalls nor
 * delivers out of order: it gives up micro-flows whose packets were lost. */
static void test_mflow_merge_under_loss(void)
{
    const char *text = "host: { cpus = 8; };\n"
                       "workload: { flows = 1; rate_pps = 0.0; message_bytes = 16; };\n"
                       "policy: { name = \"mflow\"; mflow_mode = \"full_path\"; mflow_cpus = [3, 4];\n"
                       "          mflow_batch = 32; };\n"
                       "app: { cpus = [7]; rcvbuf_bytes = 60000; };\n"
                       "run: { duration_ms = 10.0; warmup_ms = 2.0; };\n";
    struct run a;
    run_with_log(&a, text, NULL, 0, 0);
    fprintf(stderr, "mflow overloaded: %.0f pps, drops backlog %llu socket %llu, %llu out of order "
            "before the merge\n", a.r->sum.throughput_pps,
            (unsigned long long)a.r->sum.drops_by[DROP_BACKLOG],
            (unsigned long long)a.r->sum.drops_by[DROP_SOCKET],
            (unsigned long long)a.r->sum.reorders_premerge);
    CHECK_TRUE(a.r->sum.drops_by[DROP_BACKLOG] > 1000);
    CHECK_TRUE(a.r->sum.throughput_pps > 100000);
    CHECK_EQ_I64(a.r->sum.reorders, 0);
    run_free(&a);
}

/* IRQ splitting tells the driver of consumed requests every 128: at low
 * load (nothing dropped or waiting in the ring) the descriptors still held
 * are the requests handed on since the last notice. */
static void test_mflow_release_batch(void)
{
    const char *text = "host: { cpus = 8; };\n"
                       "workload: { flows = 1; rate_pps = 30000.0; message_bytes = 16; };\n"
                       "policy: { name = \"mflow\"; mflow_mode = \"full_path\"; };\n"
                       "app: { cpus = [7]; };\n"
                       "run: { duration_ms = 10.0; warmup_ms = 1.0; };\n";
    struct run a;
    run_with_log(&a, text, NULL, 0, 0);
    uint64_t frames = a.r->sum.gen_frames;
    CHECK_EQ_I64(a.r->sum.dropped_frames, 0);
    CHECK_EQ_I64(a.m->rxqs[0].napi.q.len, 0);
    CHECK_TRUE(frames > 200);
    CHECK_EQ_I64(a.m->rxqs[0].held, (int64_t)(frames % 128));
    run_free(&a);
}

/* The splitting spreads one flow's container stage over the splitting
 * cores and the reader pays the merge: mFlow on a saturated single UDP
 * flow moves more than vanilla's one core can. */
static void test_mflow_spreads_one_flow(void)
{
    const char *text = "host: { cpus = 8; };\n"
                       "workload: { flows = 1; rate_pps = 0.0; message_bytes = 16; };\n"
                       "policy: { mflow_cpus = [3, 4]; };\n"
                       "app: { cpus = [7]; };\n"
                       "run: { duration_ms = 10.0; warmup_ms = 2.0; };\n";
    const char *van[] = {"policy.name=vanilla"}, *mf[] = {"policy.name=mflow"};
    struct run a, b;
    run_with_log(&a, text, van, 1, 0);
    run_with_log(&b, text, mf, 1, 0);
    const double *busy = b.r->busy_frac;
    double softirq3 = busy[3 * MODEL_CATS + CAT_SOFTIRQ], softirq4 = busy[4 * MODEL_CATS + CAT_SOFTIRQ];
    fprintf(stderr, "one flow: vanilla %.0f pps, mflow %.0f pps (softirq on 3: %.2f, on 4: %.2f)\n",
            a.r->sum.throughput_pps, b.r->sum.throughput_pps, softirq3, softirq4);
    CHECK_TRUE(b.r->sum.throughput_pps > 1.3 * a.r->sum.throughput_pps);
    CHECK_TRUE(softirq3 > 0.2 && softirq4 > 0.2);
    CHECK_TRUE(fabs(softirq3 - softirq4) < 0.2 * (softirq3 + softirq4)); /* round robin */
    CHECK_EQ_I64(b.r->sum.reorders, 0);
    run_free(&a);
    run_free(&b);
}

/* }===== */

/* {===== PRISM ===== */

/* One CPU runs every stage of one saturated flow (overlay, no RPS). */
static const char *k_one_core =
    "host: { cpus = 4; };\n"
    "nic: { irq_cpus = [0]; };\n"
    "workload: { flows = 1; rate_pps = 0.0; message_bytes = 16; dst_port = 11112; };\n"
    "app: { cpus = [2]; };\n"
    "run: { duration_ms = 40.0; warmup_ms = 1.0; };\n";

static const char *poll_name(uint32_t kind)
{
    return kind == NAPI_PNIC ? "eth" : kind == NAPI_GRO_CELL ? "br" : "veth";
}

/* PRISM's streamlined poll runs a high-priority batch through eth, br and
 * veth back to back; vanilla interleaves eth, br, eth, veth (PRISM Fig. 6). */
static void test_prism_poll_order(void)
{
    const char *van[] = {"policy.name=vanilla"};
    const char *pri[] = {"policy.name=prism", "policy.prism_ports=[11112]"};
    struct run a, b;
    run_with_log(&a, k_one_core, van, 1, 100000);
    run_with_log(&b, k_one_core, pri, 2, 100000);
    CHECK_TRUE(a.m->poll_log_n > 500 && b.m->poll_log_n > 500);
    char seq_a[256] = "", seq_b[256] = "";
    for (uint32_t i = 200; i < 208; i++) {
        snprintf(seq_a + strlen(seq_a), sizeof seq_a - strlen(seq_a), " %s",
                 poll_name(a.m->poll_log[i] & 0xff));
        snprintf(seq_b + strlen(seq_b), sizeof seq_b - strlen(seq_b), " %s",
                 poll_name(b.m->poll_log[i] & 0xff));
    }
    fprintf(stderr, "polls on cpu 0: vanilla%s ...; prism%s ...\n", seq_a, seq_b);
    /* PRISM: after eth comes br, after br veth, after veth eth, always */
    static const uint32_t next[3] = {[NAPI_PNIC] = NAPI_GRO_CELL, [NAPI_GRO_CELL] = NAPI_BACKLOG,
                                     [NAPI_BACKLOG] = NAPI_PNIC};
    uint32_t broken = 0;
    for (uint32_t i = 10; i + 1 < b.m->poll_log_n; i++)
        broken += (b.m->poll_log[i + 1] & 0xff) != next[b.m->poll_log[i] & 0xff];
    CHECK_EQ_I64(broken, 0);
    /* vanilla: the first device's next batch runs before the veth stage of
     * the batch br just handed on (eth, br, eth, veth from idle; eth, veth,
     * br, eth, veth, ... saturated) */
    uint32_t interleaved = 0;
    for (uint32_t i = 10; i + 1 < a.m->poll_log_n; i++)
        interleaved += (a.m->poll_log[i] & 0xff) == NAPI_GRO_CELL &&
                       (a.m->poll_log[i + 1] & 0xff) == NAPI_PNIC;
    CHECK_TRUE(interleaved > 100);
    CHECK_EQ_I64(a.r->sum.high_priority_frames, 0);
    CHECK_TRUE(b.r->sum.high_priority_frames > 1000);
    run_free(&a);
    run_free(&b);
}

/* Deterministic costs for the preemption bounds: per packet step eth
 * (nic_rx + gro_tunnel + outer_l4) 600 ns, br 300 ns, veth 400 ns. */
static const char *k_busy_core =
    "host: { cpus = 4; };\n"
    "nic: { irq_cpus = [0]; irq_ns = 0.0; };\n"
    "cpu: { enqueue_local_ns = 0.0; enqueue_remote_ns = 0.0; migrate_ns = 0.0; };\n"
    "stage: { nic_rx: { cost = 200.0; }; gro_tunnel: { cost = 100.0; }; outer_l4: { cost = 300.0; };\n"
    "         gro_cell: { cost = 300.0; }; container: { cost = 400.0; }; };\n"
    "workload: { flows = 1; rate_pps = 650000.0; arrival = \"poisson\"; message_bytes = 16;\n"
    "            probe_flows = 1; probe_rate_pps = 2000.0; };\n"
    "app: { cpus = [2, 3]; threads = 2; };\n"
    "run: { duration_ms = 100.0; warmup_ms = 2.0; sample_every = 1; sample_max = 2000000; };\n";

/* The waits of probe (high-priority) packets between the end of their eth
 * step and the start of their veth stage, beyond their own br cost, in ns:
 * the largest, and the median. */
static void probe_waits_ns(const struct run *run, double *max, double *median)
{
    uint32_t probe_flow = (uint32_t)run->p.workload.flows, n = 0;
    double *w = xcalloc(run->r->nsamples + 1, sizeof *w);
    for (uint32_t i = 0; i < run->r->nsamples; i++) {
        const struct model_sample *s = &run->r->samples[i];
        if (s->flow != probe_flow || s->t_stage_us[ST_CONTAINER] < 0 ||
            s->t_stage_us[ST_OUTER_L4] < 0)
            continue;
        w[n++] = (s->t_stage_us[ST_CONTAINER] - s->t_stage_us[ST_OUTER_L4]) * 1e3 -
                 300.0 /* outer_l4 */ - 300.0 /* br */;
    }
    CHECK_TRUE(n > 100);
    qsort(w, n, sizeof *w, cmp_double);
    *max = n ? w[n - 1] : 0;
    *median = n ? w[n / 2] : 0;
    free(w);
}

/* A core at about 85 % with low-priority traffic, and a 2000 pps probe.
 * PRISM-batch: a high-priority packet waits behind at most one batch (64
 * packets) of each other device per stage it queues at: at br at most the
 * rest of eth's batch and one veth batch, at veth the rest of br's and one
 * eth batch: 64 x (2 x 600 + 300 + 400) ns in all; typically only the rest
 * of the eth batch that carried it. Vanilla's FIFO queues hold it behind the
 * low-priority packets queued at each device. PRISM-sync: it runs to
 * completion, its stages back to back in one step (no wait at all). */
static void test_prism_preemption_bounds(void)
{
    const char *van[] = {"policy.name=vanilla"};
    const char *bat[] = {"policy.name=prism", "policy.prism_mode=batch"};
    const char *syn[] = {"policy.name=prism", "policy.prism_mode=sync"};
    struct run a, b, c;
    run_with_log(&a, k_busy_core, van, 1, 0);
    run_with_log(&b, k_busy_core, bat, 2, 0);
    run_with_log(&c, k_busy_core, syn, 2, 0);
    double bound = 64.0 * (2 * 600 + 300 + 400);
    double wa, ma, wb, mb, wc, mc;
    probe_waits_ns(&a, &wa, &ma);
    probe_waits_ns(&b, &wb, &mb);
    probe_waits_ns(&c, &wc, &mc);
    fprintf(stderr,
            "probe's wait between eth and veth (max, median): vanilla %.0f, %.0f ns; prism-batch "
            "%.0f, %.0f ns (bound %.0f); prism-sync %.1f ns; probe p99 %.1f / %.1f / %.1f us\n",
            wa, ma, wb, mb, bound, wc, a.r->sum.probe_latency_p99_us,
            b.r->sum.probe_latency_p99_us, c.r->sum.probe_latency_p99_us);
    CHECK_TRUE(wb <= bound);
    CHECK_TRUE(ma > 2 * mb);
    CHECK_TRUE(wc < 0.5); /* microsecond doubles: no wait, to rounding */
    CHECK_TRUE(b.r->sum.probe_latency_p99_us < a.r->sum.probe_latency_p99_us);
    CHECK_TRUE(c.r->sum.probe_latency_p99_us < a.r->sum.probe_latency_p99_us);
    CHECK_TRUE(b.r->sum.probe_throughput_pps > 0.99 * 2000.0);
    /* the low class keeps its throughput: batch preemption costs it nothing */
    CHECK_TRUE(b.r->sum.throughput_pps > 0.99 * a.r->sum.throughput_pps);
    run_free(&a);
    run_free(&b);
    run_free(&c);
}

/* }===== */

/* {===== Bad input ===== */

static void expect_error(const char *text, const char *set, const char *needle)
{
    struct sim_params p;
    struct scenario_text t;
    struct sim_err err = {{0}};
    const char *sets[] = {set};
    int rc = scenario_load(NULL, text, sets, set ? 1 : 0, &p, &t, &err);
    CHECK_EQ_I64(rc, SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, needle);
}

static void expect_warning(const char *text, const char *set, const char *needle)
{
    struct sim_params p;
    struct scenario_text t;
    struct sim_err err = {{0}};
    const char *sets[] = {set};
    int rc = scenario_load(NULL, text, sets, set ? 1 : 0, &p, &t, &err);
    CHECK_EQ_I64(rc, SIM_OK);
    if (rc == SIM_OK) {
        CHECK_STR_CONTAINS(t.notes ? t.notes : "", needle);
        scenario_text_free(&t);
    }
}

static void test_bad_input(void)
{
    const char *mf = "host: { cpus = 8; };\npolicy: { name = \"mflow\"; };\n";
    expect_error(mf, "policy.mflow_batch=0", "'policy.mflow_batch'");
    expect_error(mf, "policy.mflow_batch=2048",
                 "'policy.mflow_batch' = 2048 is above nic.ring_size = 1024");
    expect_error(mf, "policy.mflow_cpus=[3, 9]", "'policy.mflow_cpus' lists CPU 9");
    expect_error(mf, "policy.mflow_cpus=[]", "'policy.mflow_cpus' must list at least one CPU");
    expect_error(mf, "policy.mflow_lanes=3",
                 "'policy.mflow_lanes' = 3 is more than the 2 cores of policy.mflow_cpus");
    expect_error("host: { cpus = 8; };\nnetwork: { mode = \"host\"; };\n"
                 "policy: { name = \"mflow\"; mflow_mode = \"device\"; };\n",
                 NULL, "(scenario):3: error: 'policy.mflow_mode' is \"device\" but network.mode");
    const char *pr = "policy: { name = \"prism\"; };\n";
    expect_error(pr, "policy.prism_ports=[1,2,3,4,5,6,7,8,9,10,11]",
                 "'policy.prism_ports' lists 11 ports (at most 10)");
    expect_error(pr, "policy.prism_ports=[0]", "'policy.prism_ports' entry 0 must be an integer in [1, 65535]");
    expect_error(pr, "policy.prism_ports=[70000]", "'policy.prism_ports' entry 0 must be an integer in [1, 65535]");
    expect_error("policy: { name = \"prism\"; prism_ports = [80, 80]; };\n", NULL,
                 "'policy.prism_ports' lists 80 twice");
    expect_warning("network: { mode = \"host\"; };\npolicy: { name = \"prism\"; };\n", NULL,
                   "(scenario):2: warning: 'policy.name' is \"prism\" on network.mode = \"host\"");
    expect_warning("policy: { name = \"prism\"; };\n", "policy.mflow_batch=64",
                   "--set: warning: 'policy.mflow_batch' is a key of policy mflow");
    expect_error("workload: { type = \"rr\"; probe_flows = 1; };\n", NULL,
                 "'workload.probe_flows' takes a stream workload");
    expect_error(pr, "workload.probe_dst_port=0", "'workload.probe_dst_port'");
}

/* }===== */

int main(void)
{
    test_bad_input();
    test_mflow_merge_keeps_order();
    test_mflow_merge_under_loss();
    test_mflow_release_batch();
    test_mflow_spreads_one_flow();
    test_prism_poll_order();
    test_prism_preemption_bounds();
    return check_report("test_mflow_prism");
}
