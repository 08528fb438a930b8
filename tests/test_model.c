/*
 * test_model.c: the whole model against queueing theory, the kernel's
 * rules and the paper's first calibration figures.
 *
 * White-box where a rule is internal (poll sizes, per-CPU drop counters):
 * it includes model_internal.h.
 */
#include "model_run.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#ifndef TEST_SOURCE_DIR
#error "TEST_SOURCE_DIR must be defined by the build"
#endif

static void run_scenario(struct run *run, const char *rel, const char *const *sets, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", TEST_SOURCE_DIR, rel);
    run_text(run, path, NULL, sets, n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* {===== Queueing theory ===== */

/* Everything free but the stages a test sets; a fast link; interrupts at
 * once; queues large enough never to drop. */
static const char *k_free =
    "host: { cpus = 4; };\n"
    "network: { mode = \"host\"; };\n"
    "nic: { link_gbps = 10000.0; coalesce_usecs = 0.0; coalesce_frames = 1; irq_ns = 0.0;\n"
    "       ring_size = 20000; wire_buffer_bytes = 1000000000; };\n"
    "kernel: { netdev_max_backlog = 20000; };\n"
    "cpu: { ipi_latency = 0.0; ipi_send_ns = 0.0; ipi_recv_ns = 0.0; enqueue_local_ns = 0.0;\n"
    "       enqueue_remote_ns = 0.0; migrate_ns = 0.0; };\n"
    "stage: { nic_rx: { cost = 0.0; }; gro: { cost = 0.0; }; host_l4: { cost = 0.0; }; };\n"
    "app: { cpus = [2]; user_ns = 0.0; recv_ns = 0.0; per_byte_ns = 0.0; remote_data_ns = 0.0;\n"
    "       wake_cost_ns = 0.0; wakeup_latency = 0.0; rcvbuf_bytes = 100000000; };\n"
    "workload: { arrival = \"poisson\"; message_bytes = 16; };\n"
    "run: { duration_ms = 2000.0; warmup_ms = 50.0; };\n";

/* P(W <= t) for the M/D/1 waiting time (Erlang 1909; Crommelin 1932):
 * (1 - rho) sum_{k=0}^{floor(t/D)} [lambda (k D - t)]^k / k! e^{-lambda (k D - t)}.
 * The terms alternate and grow like e^{2 lambda t}; long double keeps the
 * sum accurate to well below 1e-6 for the t (< 30 D) used here. */
static double md1_wait_cdf(double t, double lambda, double d)
{
    long double rho = (long double)lambda * (long double)d, sum = 0;
    for (int k = 0; k <= (int)floor(t / d); k++) {
        long double x = (long double)lambda * ((long double)k * (long double)d - (long double)t);
        long double mag = k == 0 ? 1.0L : expl(k * logl(fabsl(x)) - lgammal(k + 1.0L));
        long double term = (k % 2 == 1 && x < 0 ? -mag : mag) * expl(-x);
        sum += term;
    }
    return (double)((1 - rho) * sum);
}

static double md1_sojourn_quantile(double q, double lambda, double d)
{
    double lo = 0, hi = 30 * d;
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2;
        if (md1_wait_cdf(mid, lambda, d) < q)
            lo = mid;
        else
            hi = mid;
    }
    return d + (lo + hi) / 2;
}

static void test_mm1_md1(void)
{
    const double service_ns = 1000;
    for (int exp_cost = 1; exp_cost >= 0; exp_cost--) {
        for (int i = 0; i < 2; i++) {
            double rho = i == 0 ? 0.5 : 0.8;
            double lambda = rho / service_ns; /* per ns */
            char rate[64], cost[96];
            snprintf(rate, sizeof rate, "workload.rate_pps=%.1f", lambda * 1e9);
            snprintf(cost, sizeof cost, "stage.host_l4.cost=%.1f", service_ns);
            const char *dist = "stage.host_l4.cost.dist=exponential";
            /* p99 at rho = 0.8 needs ~10^7 samples to sit within 1 % of theory */
            const char *dur = rho > 0.6 ? "run.duration_ms=15000" : "run.duration_ms=4000";
            const char *sets[] = {"policy.name=vanilla", rate, cost, dur, dist};
            struct run run;
            run_text(&run, NULL, k_free, sets, exp_cost ? 5 : 4);
            const struct model_summary *s = &run.r->sum;
            double mean, p99;
            if (exp_cost) {
                mean = service_ns / (1 - rho);
                p99 = log(100.0) * service_ns / (1 - rho);
            } else {
                mean = service_ns + rho * service_ns / (2 * (1 - rho));
                p99 = md1_sojourn_quantile(0.99, lambda, service_ns);
            }
            fprintf(stderr, "%s rho=%.1f: mean %.1f (theory %.1f) p99 %.1f (theory %.1f) ns\n",
                    exp_cost ? "M/M/1" : "M/D/1", rho, s->latency_mean_us * 1e3, mean,
                    s->latency_p99_us * 1e3, p99);
            CHECK_REL(s->latency_mean_us * 1e3, mean, 0.02);
            CHECK_REL(s->latency_p99_us * 1e3, p99, 0.02);
            CHECK_EQ_I64(s->drops, 0);
            model_destroy(run.m);
        }
    }
}

/* Two stages on two cores, no batching (weight 1, budget 1, so every
 * packet's IPI goes out at once): a Jackson tandem of two M/M/1 queues,
 * whose sojourn times are independent, so the total is hypoexponential. */
static void test_tandem_two_cores(void)
{
    const double m1 = 600, m2 = 1000, lambda = 0.6 / m2;
    const char *sets[] = {"policy.name=rps", "policy.rps_cpus=1", "kernel.napi_weight=1",
                          "kernel.dev_weight=1", "kernel.netdev_budget=1",
                          "workload.rate_pps=600000", "run.duration_ms=8000",
                          "stage.nic_rx.cost=600",
                          "stage.nic_rx.cost.dist=exponential", "stage.host_l4.cost=1000",
                          "stage.host_l4.cost.dist=exponential"};
    struct run run;
    run_text(&run, NULL, k_free, sets, SIM_ARRAY_LEN(sets));
    double a = 1 / m1 - lambda, b = 1 / m2 - lambda; /* per ns */
    double mean = 1 / a + 1 / b;
    double lo = 0, hi = 1e6;
    for (int i = 0; i < 200; i++) { /* P(T > t) = (b e^-at - a e^-bt) / (b - a) */
        double t = (lo + hi) / 2;
        double tail = (b * exp(-a * t) - a * exp(-b * t)) / (b - a);
        if (tail > 0.01)
            lo = t;
        else
            hi = t;
    }
    const struct model_summary *s = &run.r->sum;
    fprintf(stderr, "tandem: mean %.1f (theory %.1f) p99 %.1f (theory %.1f) ns\n",
            s->latency_mean_us * 1e3, mean, s->latency_p99_us * 1e3, lo);
    CHECK_REL(s->latency_mean_us * 1e3, mean, 0.02);
    CHECK_REL(s->latency_p99_us * 1e3, lo, 0.02);
    /* the two stages really ran on two cores */
    CHECK_TRUE(run.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ] > 0.3);
    CHECK_TRUE(run.r->busy_frac[1 * MODEL_CATS + CAT_SOFTIRQ] > 0.5);
    model_destroy(run.m);
}

/* The same two stages on one core: one server with the summed cost. */
static void test_one_core_sums(void)
{
    const double d1 = 300, d2 = 700, lambda = 0.8 / (d1 + d2);
    const char *sets[] = {"policy.name=vanilla", "workload.rate_pps=800000", "run.seed=5",
                          "run.duration_ms=15000", "stage.nic_rx.cost=300",
                          "stage.host_l4.cost=700"};
    struct run run;
    run_text(&run, NULL, k_free, sets, SIM_ARRAY_LEN(sets));
    const struct model_summary *s = &run.r->sum;
    double d = d1 + d2;
    CHECK_REL(s->latency_mean_us * 1e3, d + 0.8 * d / (2 * 0.2), 0.02);
    CHECK_REL(s->latency_p99_us * 1e3, md1_sojourn_quantile(0.99, lambda, d), 0.02);
    CHECK_TRUE(run.r->busy_frac[1 * MODEL_CATS + CAT_SOFTIRQ] == 0);
    model_destroy(run.m);
}

/* }===== */

/* {===== Determinism and traffic independence ===== */

static const char *k_small_overlay =
    "host: { cpus = 6; };\n"
    "stage: { gro_cell: { cost = { dist = \"lognormal\"; mean_ns = 830.0; cv = 0.5; }; }; };\n"
    "workload: { flows = 4; arrival = \"poisson\"; rate_pps = 100000.0; message_bytes = 2000; };\n"
    "policy: { rps_cpus = [1, 3]; };\n"
    "app: { cpus = [2, 4]; };\n"
    "run: { duration_ms = 30.0; warmup_ms = 5.0; trace_window_us = 500.0; sample_every = 1;\n"
    "       sample_max = 100000; };\n";

static void test_determinism(void)
{
    struct run a, b;
    run_text(&a, NULL, k_small_overlay, NULL, 0);
    run_text(&b, NULL, k_small_overlay, NULL, 0);
    CHECK_TRUE(memcmp(&a.r->sum, &b.r->sum, sizeof a.r->sum) == 0);
    CHECK_EQ_I64(a.r->nwin, b.r->nwin);
    CHECK_TRUE(memcmp(a.r->p99_us, b.r->p99_us, a.r->nwin * sizeof(double)) == 0);
    CHECK_TRUE(memcmp(a.r->cpu_busy, b.r->cpu_busy, a.r->nwin * a.r->ncpu * sizeof(float)) == 0);
    CHECK_EQ_I64(a.r->nsamples, b.r->nsamples);
    CHECK_TRUE(memcmp(a.r->samples, b.r->samples, a.r->nsamples * sizeof *a.r->samples) == 0);
    CHECK_TRUE(a.r->sum.deliv_frames > 1000);
    /* another seed is another run */
    const char *seed[] = {"run.seed=2"};
    struct run c;
    run_text(&c, NULL, k_small_overlay, seed, 1);
    CHECK_TRUE(c.r->sum.latency_mean_us != a.r->sum.latency_mean_us);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* Every frame reaches the NIC at the same time whatever the policy: the
 * traffic streams do not depend on placement. */
static void test_traffic_independent_of_policy(void)
{
    /* every policy, with every sender cap of the overlay binding (a
     * containerised UDP client's per-datagram and per-fragment transmit
     * path): the frames reach the NIC at the same times whatever the policy */
    unsigned npol = policy_count();
    struct run runs[POLICY_MAX];
    for (unsigned i = 0; i < npol; i++) {
        char pol[64];
        snprintf(pol, sizeof pol, "policy.name=%s", k_policy_names[i]);
        const char *sets[] = {pol, "workload.overlay_sender_cap_pps=150000",
                              "workload.overlay_sender_cap_fps=150000",
                              "workload.overlay_sender_msg_ns=500"};
        run_text(&runs[i], NULL, k_small_overlay, sets, 4);
    }
    for (unsigned i = 1; i < npol; i++) {
        CHECK_EQ_I64(runs[i].r->nsamples, runs[0].r->nsamples);
        CHECK_EQ_I64(runs[i].r->sum.gen_frames, runs[0].r->sum.gen_frames);
        bool same = runs[i].r->nsamples == runs[0].r->nsamples;
        for (uint32_t k = 0; same && k < runs[0].r->nsamples; k++) {
            const struct model_sample *x = &runs[0].r->samples[k], *y = &runs[i].r->samples[k];
            same = x->t_nic_us == y->t_nic_us && x->flow == y->flow && x->msg == y->msg;
        }
        CHECK_TRUE(same);
    }
    /* the caps bind (2 fragments of 2000 B: 0.5 us + 2 / 150 k/s = 13.8 us
     * per datagram, 72 k/s per flow of 100 k/s offered) ... */
    CHECK_REL(runs[0].r->sum.offered_pps, 4 * 1e9 / (500 + 2e9 / 150000), 0.05);
    /* ... while placement did change */
    CHECK_TRUE(runs[policy_id("rps")].r->sum.latency_mean_us !=
               runs[policy_id("vanilla")].r->sum.latency_mean_us);
    for (unsigned i = 0; i < npol; i++)
        model_destroy(runs[i].m);
}

/* Flow hashes follow run.hash_seed alone: another run.seed changes the
 * traffic but keeps every hash; another hash seed changes the hashes but
 * keeps every frame's arrival at the NIC. */
static void test_hash_seed_independent_of_traffic_seed(void)
{
    const char *a_sets[] = {"workload.flows=8"};
    const char *b_sets[] = {"workload.flows=8", "run.seed=7"};
    const char *c_sets[] = {"workload.flows=8", "run.hash_seed=7"};
    struct run a, b, c;
    run_text(&a, NULL, k_small_overlay, a_sets, 1);
    run_text(&b, NULL, k_small_overlay, b_sets, 2);
    run_text(&c, NULL, k_small_overlay, c_sets, 2);
    CHECK_EQ_I64(a.r->nflows, 8);
    bool same_hashes_ab = true, same_hashes_ac = true;
    for (uint32_t i = 0; i < a.r->nflows; i++) {
        same_hashes_ab = same_hashes_ab && a.r->flows[i].hash == b.r->flows[i].hash;
        same_hashes_ac = same_hashes_ac && a.r->flows[i].hash == c.r->flows[i].hash;
    }
    CHECK_TRUE(same_hashes_ab);
    CHECK_TRUE(!same_hashes_ac);
    /* run.seed moved the traffic ... */
    CHECK_TRUE(a.r->nsamples > 100);
    bool same_traffic_ab = a.r->nsamples == b.r->nsamples;
    for (uint32_t k = 0; same_traffic_ab && k < a.r->nsamples; k++)
        same_traffic_ab = a.r->samples[k].t_nic_us == b.r->samples[k].t_nic_us;
    CHECK_TRUE(!same_traffic_ab);
    /* ... the hash seed did not. */
    CHECK_EQ_I64(c.r->nsamples, a.r->nsamples);
    bool same_traffic_ac = a.r->nsamples == c.r->nsamples;
    for (uint32_t k = 0; same_traffic_ac && k < a.r->nsamples; k++) {
        const struct model_sample *x = &a.r->samples[k], *y = &c.r->samples[k];
        same_traffic_ac = x->t_nic_us == y->t_nic_us && x->flow == y->flow && x->msg == y->msg;
    }
    CHECK_TRUE(same_traffic_ac);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* }===== */

/* {===== Noise and empirical distributions ===== */

/* dist = "empirical" reproduces its table: each point is a quantile of the
 * draws (within 1 %), and the mean is the table's trapezoid mean. */
static void test_empirical_quantiles(void)
{
    static const double q[] = {0, 0.5, 0.9, 0.99, 0.999, 1};
    static const double v[] = {1000, 10000, 40000, 200000, 900000, 1000000};
    struct dist d = {.kind = DIST_EMPIRICAL, .n = 6};
    memcpy(d.q, q, sizeof q);
    memcpy(d.v, v, sizeof v);
    double mean = 0;
    for (unsigned i = 0; i + 1 < d.n; i++)
        mean += (q[i + 1] - q[i]) * (v[i] + v[i + 1]) / 2;
    d.mean_ns = mean;
    enum { N = 2000000 };
    double *x = xmalloc(N * sizeof *x);
    struct rng *r = rng_create(1, RNG_STREAM_TEST);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = (double)dist_draw_ns(&d, r);
        sum += x[i];
    }
    rng_destroy(r);
    qsort(x, N, sizeof *x, cmp_double);
    for (unsigned i = 1; i + 1 < d.n; i++)
        CHECK_REL(x[(size_t)(q[i] * N)], v[i], 0.01);
    CHECK_REL(sum / N, mean, 0.01);
    CHECK_REL(dist_mean_ns(&d), mean, 1e-12);
    free(x);
    /* through a scenario: the loader derives the same mean */
    const char *text = "stage: { host_l4: { cost = { dist = \"empirical\"; quantiles = [0.0, 0.5, "
                       "1.0]; values_ns = [100.0, 300.0, 1300.0]; }; }; };\n";
    struct sim_params p;
    struct scenario_text t;
    struct sim_err err = {{0}};
    CHECK_EQ_I64(scenario_load(NULL, text, NULL, 0, &p, &t, &err), SIM_OK);
    scenario_text_free(&t);
    CHECK_EQ_I64(p.stage[ST_HOST_L4].cost.kind, DIST_EMPIRICAL);
    CHECK_NEAR(p.stage[ST_HOST_L4].cost.mean_ns, 0.5 * 200 + 0.5 * 800, 1e-9);
}

static double noise_frac(const struct run *run, unsigned cpu)
{
    return run->r->busy_frac[cpu * MODEL_CATS + CAT_NOISE];
}

/* Noise takes its expected share of an otherwise idle CPU (mean gap over
 * mean spacing; ticks: rate times length), touches no other CPU, and moves
 * no frame's arrival. */
static void test_noise_busy_time(void)
{
    const char *quiet[] = {"policy.name=vanilla", "workload.rate_pps=10000",
                           "stage.host_l4.cost=1000", "run.duration_ms=2000"};
    const char *noisy[] = {"policy.name=vanilla", "workload.rate_pps=10000",
                           "stage.host_l4.cost=1000", "run.duration_ms=2000",
                           "noise.cpus=[3]", "noise.gap=10000",
                           "noise.spacing=100000", "noise.spacing.dist=exponential"};
    const char *ticks[] = {"policy.name=vanilla", "workload.rate_pps=10000",
                           "stage.host_l4.cost=1000", "run.duration_ms=2000",
                           "noise.cpus=[1, 3]", "noise.tick_hz=1000", "noise.tick=20000"};
    struct run a, b, c;
    run_text(&a, NULL, k_free, quiet, SIM_ARRAY_LEN(quiet));
    run_text(&b, NULL, k_free, noisy, SIM_ARRAY_LEN(noisy));
    run_text(&c, NULL, k_free, ticks, SIM_ARRAY_LEN(ticks));
    for (unsigned cpu = 0; cpu < 4; cpu++)
        CHECK_TRUE(noise_frac(&a, cpu) == 0);
    /* 2 s of 100 us spacings: about 19 500 gaps, so the share is 10 % within
     * 3 standard deviations (0.2 points) */
    CHECK_NEAR(noise_frac(&b, 3), 0.10, 0.003);
    CHECK_TRUE(noise_frac(&b, 0) == 0 && noise_frac(&b, 2) == 0);
    CHECK_NEAR(noise_frac(&c, 1), 1000 * 20e-6, 0.0005);
    CHECK_NEAR(noise_frac(&c, 3), 1000 * 20e-6, 0.0005);
    /* the traffic did not move */
    CHECK_EQ_I64(b.r->sum.gen_frames, a.r->sum.gen_frames);
    CHECK_NEAR(b.r->sum.latency_p50_us, a.r->sum.latency_p50_us, 1e-9);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* dist_mean_above_ns, E[X; X > x], against the sample mean of the draws
 * past x for every kind, and its ends: the whole mean below every value,
 * nothing above all of them. */
static void test_dist_mean_above(void)
{
    struct dist d[5] = {{.kind = DIST_CONST, .mean_ns = 300},
                        {.kind = DIST_EXP, .mean_ns = 300},
                        {.kind = DIST_UNIFORM, .min_ns = 100, .max_ns = 500},
                        {.kind = DIST_LOGNORMAL, .mean_ns = 300, .cv = 1.5},
                        {.kind = DIST_EMPIRICAL, .n = 4, .q = {0, 0.5, 0.9, 1},
                         .v = {100, 200, 400, 3000}}};
    d[2].mean_ns = 300;
    d[4].mean_ns = 0.5 * 150 + 0.4 * 300 + 0.1 * 1700;
    enum { N = 400000 };
    struct rng *r = rng_create(5, RNG_STREAM_TEST);
    for (unsigned k = 0; k < 5; k++) {
        CHECK_REL(dist_mean_above_ns(&d[k], 0), d[k].mean_ns, 1e-9);
        CHECK_TRUE(dist_mean_above_ns(&d[k], 1e9) < 1e-6 * d[k].mean_ns);
        for (double x = 150; x < 2000; x *= 2.5) {
            double sum = 0;
            for (unsigned i = 0; i < N; i++) {
                double v = (double)dist_draw_ns(&d[k], r);
                sum += v > x ? v : 0;
            }
            /* draws are rounded to whole ns: a constant at x passes or not */
            CHECK_NEAR(dist_mean_above_ns(&d[k], x), sum / N, 0.01 * d[k].mean_ns + 1);
        }
    }
    rng_destroy(r);
}

/* noise.shared: the share of interruptions that stop every noise CPU at
 * once. Unset and 0 are the model without it, draw for draw. At 1 two idle
 * CPUs meet the very same gaps (equal noise time, to the ns) at the table's
 * rate; at 0.5 each still meets that rate (a host-wide process that did not
 * thin the CPUs' own would give 15 %), but not the same gaps; and an idle
 * CPU at noise.idle_share 0.5 meets half of the host-wide ones, each CPU its
 * own half. 2 s of 100 us spacings: about 19 500 gaps a CPU, 10 % within 3
 * standard deviations. */
static void test_noise_shared(void)
{
#define SHARED_BASE "policy.name=vanilla", "workload.rate_pps=10000", \
        "stage.host_l4.cost=1000", "run.duration_ms=2000", "noise.cpus=[2, 3]", \
        "noise.gap=10000", "noise.spacing=100000", "noise.spacing.dist=exponential"
    const char *sets[5][10] = {{SHARED_BASE}, {SHARED_BASE, "noise.shared=0"},
                               {SHARED_BASE, "noise.shared=1"},
                               {SHARED_BASE, "noise.shared=0.5"},
                               {SHARED_BASE, "noise.shared=1", "noise.idle_share=0.5"}};
#undef SHARED_BASE
    struct run *r = runs_alloc(5);
    for (unsigned i = 0; i < 5; i++)
        run_text(&r[i], NULL, k_free, sets[i], i == 0 ? 8 : i == 4 ? 10 : 9);
    for (unsigned cpu = 2; cpu < 4; cpu++) {
        CHECK_TRUE(noise_frac(&r[1], cpu) == noise_frac(&r[0], cpu));
        CHECK_NEAR(noise_frac(&r[0], cpu), 0.10, 0.003);
        CHECK_NEAR(noise_frac(&r[2], cpu), 0.10, 0.003);
        CHECK_NEAR(noise_frac(&r[3], cpu), 0.10, 0.003);
        CHECK_NEAR(noise_frac(&r[4], cpu), 0.05, 0.002);
    }
    CHECK_EQ_I64(r[1].r->sum.gen_frames, r[0].r->sum.gen_frames);
    CHECK_NEAR(r[1].r->sum.latency_p50_us, r[0].r->sum.latency_p50_us, 0);
    CHECK_TRUE(noise_frac(&r[0], 2) != noise_frac(&r[0], 3));
    CHECK_TRUE(noise_frac(&r[2], 2) == noise_frac(&r[2], 3));
    CHECK_TRUE(noise_frac(&r[3], 2) != noise_frac(&r[3], 3));
    CHECK_TRUE(noise_frac(&r[4], 2) != noise_frac(&r[4], 3));
    /* nothing on the CPUs without noise */
    CHECK_TRUE(noise_frac(&r[2], 0) == 0 && noise_frac(&r[2], 1) == 0);
    runs_free(r, 5);
}

/* noise.stall_shared: the stalls' host-wide share apart from the body's.
 * Gaps of 500 us every 5 ms on average (all stalls, past noise.stall_from_us)
 * stop both CPUs together with noise.shared 1, each on its own with
 * noise.stall_shared 0 added, and together again with noise.shared 0 and
 * noise.stall_shared 1; each CPU loses its 10 % either way. Gaps of 10 us
 * (no stall) do not see the key: draw for draw the same noise without it. */
static void test_noise_stall_shared(void)
{
#define STALL_BASE "policy.name=vanilla", "workload.rate_pps=10000", \
        "stage.host_l4.cost=1000", "run.duration_ms=2000", "noise.cpus=[2, 3]", \
        "noise.spacing=5000000", "noise.spacing.dist=exponential"
    const char *sets[5][10] = {
        {STALL_BASE, "noise.gap=500000", "noise.shared=1"},
        {STALL_BASE, "noise.gap=500000", "noise.shared=1", "noise.stall_shared=0"},
        {STALL_BASE, "noise.gap=500000", "noise.shared=0", "noise.stall_shared=1"},
        {STALL_BASE, "noise.gap=10000", "noise.shared=1"},
        {STALL_BASE, "noise.gap=10000", "noise.shared=1", "noise.stall_shared=0"}};
#undef STALL_BASE
    static const unsigned nsets[5] = {9, 10, 10, 9, 10};
    struct run *r = runs_alloc(5);
    for (unsigned i = 0; i < 5; i++)
        run_text(&r[i], NULL, k_free, sets[i], nsets[i]);
    for (unsigned cpu = 2; cpu < 4; cpu++) {
        for (unsigned i = 0; i < 3; i++)
            CHECK_NEAR(noise_frac(&r[i], cpu), 0.10, 0.012);
        CHECK_TRUE(noise_frac(&r[4], cpu) == noise_frac(&r[3], cpu));
    }
    CHECK_TRUE(noise_frac(&r[0], 2) == noise_frac(&r[0], 3));
    CHECK_TRUE(noise_frac(&r[1], 2) != noise_frac(&r[1], 3));
    CHECK_TRUE(noise_frac(&r[2], 2) == noise_frac(&r[2], 3));
    CHECK_EQ_I64(r[4].r->sum.gen_frames, r[3].r->sum.gen_frames);
    CHECK_NEAR(r[4].r->sum.send_latency_p99_us, r[3].r->sum.send_latency_p99_us, 0);
    runs_free(r, 5);
}

/* What sharing changes downstream: a sender on CPU 0 feeds a reader on CPU
 * 1, both meeting 40 us gaps every 300 us on average. Apart, a gap of the
 * reader's lets the sender queue up to 40 us of datagrams behind it (p90
 * 24.5-26.4 us over run.seed 1-5); together, the sender stops too, and the
 * gap delays only what is in flight (p90 7.8 us). The noise each CPU meets
 * is the same either way. */
/* A sender thread on CPU 0 that runs the whole receive path (host mode, no
 * RPS) before a reader on CPU 1: each test adds its workload, app and run. */
#define SENDER_READER_PAIR                                                                 \
    "host: { cpus = 2; };\n"                                                               \
    "network: { mode = \"host\"; };\n"                                                     \
    "sender: { cpus = [0]; batch = 32; spin_us = 200; };\n"                                \
    "policy: { name = \"vanilla\"; rps_cpus = []; };\n"

static void test_noise_shared_queue(void)
{
    static const char pipeline[] =
        SENDER_READER_PAIR
        "workload: { type = \"stream\"; protocol = \"udp\"; flows = 1; message_bytes = 1400;\n"
        "            rate_pps = 200000; burst = 1; };\n"
        "app: { cpus = [1]; batch = 64; };\n"
        "noise: { cpus = [0, 1]; gap = 40000.0;\n"
        "         spacing = { mean_ns = 300000.0; dist = \"exponential\"; }; };\n"
        "run: { duration_ms = 500; warmup_ms = 100; };\n";
    const char *apart[] = {"noise.shared=0"}, *together[] = {"noise.shared=1"};
    struct run *r = runs_alloc(2);
    run_text(&r[0], NULL, pipeline, apart, 1);
    run_text(&r[1], NULL, pipeline, together, 1);
    CHECK_TRUE(r[1].r->sum.send_latency_p90_us < 0.5 * r[0].r->sum.send_latency_p90_us);
    CHECK_TRUE(r[1].r->sum.send_latency_p99_us < 0.75 * r[0].r->sum.send_latency_p99_us);
    for (unsigned cpu = 0; cpu < 2; cpu++)
        CHECK_NEAR(noise_frac(&r[1], cpu), noise_frac(&r[0], cpu), 0.015);
    runs_free(r, 2);
}

/* Every wake-up a socket enqueue gives pays app.waker_cost_ns, whenever the
 * reader fell asleep: a sender on CPU 0 runs the whole receive path (host
 * mode, one stage of 700 ns) before a reader on CPU 1 whose reads end at
 * all points of it. The host stage's time on CPU 0 is then its cost per
 * datagram plus the waker's per wake-up (exactly: 20 250 wake-ups of 40 500
 * datagrams). Deciding it when the step was planned, as the model did until
 * 2026-12-03, woke the reader for all 40 500 and charged none: it went to
 * sleep during each enqueueing step and was woken at its end for free. */
static void test_waker_pays_every_wakeup(void)
{
    static const char pipeline[] =
        SENDER_READER_PAIR
        "workload: { type = \"stream\"; protocol = \"udp\"; flows = 1; message_bytes = 1400;\n"
        "            rate_pps = 162000; burst = 1; };\n"
        "stage: { host_l4: { cost = 700.0; }; };\n"
        "cpu: { enqueue_local_ns = 0.0; enqueue_remote_ns = 0.0; migrate_ns = 0.0; };\n"
        "app: { cpus = [1]; batch = 64; waker_cost_ns = 4000.0; wake_cost_ns = 1800.0;\n"
        "       call_ns = 1000.0; remote_enqueue_ns = 1200.0; wakeup_latency = 3900.0;\n"
        "       wakeup_latency_to = \"read\"; };\n"
        "run: { duration_ms = 300; warmup_ms = 50; };\n";
    struct run *r = runs_alloc(1);
    run_text(r, NULL, pipeline, NULL, 0);
    double secs = 0.25, n = r->r->sum.throughput_pps * secs;
    double wakes = r->r->sum.app_wakeups_per_s * secs;
    double stage_ns = r->r->stage_frac[0 * MODEL_STAGES + ST_HOST_L4] * secs * 1e9;
    fprintf(stderr, "waker pays: %.0f datagrams, %.0f wake-ups, host stage %.4f ms, "
                    "700 ns x datagrams + 4000 ns x wake-ups %.4f ms\n",
            n, wakes, stage_ns / 1e6, (700 * n + 4000 * wakes) / 1e6);
    CHECK_TRUE(wakes > 0.2 * n);
    CHECK_REL(stage_ns, 700 * n + 4000 * wakes, 0.01);
    runs_free(r, 1);
}

/* noise.stall_share: gaps longer than noise.stall_from_us are met with that
 * probability, busy or idle. Uniform gaps of 20-380 us every 2 ms on an idle
 * CPU take 10 % of it; above 100 us lie 186.7 of their 200 us mean, so a
 * share of 0.25 leaves 13.3 + 46.7 = 60 us a gap (3 %) and 0 leaves 13.3 us
 * (0.67 %), as dist_mean_above_ns computes it; share 1 is the model without
 * the key, draw for draw (no acceptance draw is made). */
static void test_noise_stall_share(void)
{
#define STALL_BASE "policy.name=vanilla", "workload.rate_pps=10000", \
        "stage.host_l4.cost=1000", "run.duration_ms=8000", "noise.cpus=[3]", \
        "noise.gap.dist=uniform", "noise.gap.min_ns=20000", "noise.gap.max_ns=380000", \
        "noise.spacing=2000000", "noise.spacing.dist=exponential"
    const char *sets[4][12] = {{STALL_BASE}, {STALL_BASE, "noise.stall_share=1"},
                               {STALL_BASE, "noise.stall_share=0.25"},
                               {STALL_BASE, "noise.stall_share=0"}};
#undef STALL_BASE
    struct run *r = runs_alloc(4);
    for (unsigned i = 0; i < 4; i++)
        run_text(&r[i], NULL, k_free, sets[i], i == 0 ? 10 : 11);
    const struct dist *gap = &r[0].p.noise.gap;
    double above = dist_mean_above_ns(gap, 100000);
    CHECK_NEAR(above, (380000.0 * 380000 - 100000.0 * 100000) / (2 * 360000), 1e-6);
    /* about 4 000 gaps: within 3 standard deviations */
    CHECK_NEAR(noise_frac(&r[0], 3), 0.10, 0.006);
    CHECK_TRUE(noise_frac(&r[1], 3) == noise_frac(&r[0], 3));
    CHECK_EQ_I64(r[1].r->sum.gen_frames, r[0].r->sum.gen_frames);
    CHECK_NEAR(noise_frac(&r[2], 3), (200000 - 0.75 * above) / 2e6, 0.003);
    CHECK_NEAR(noise_frac(&r[3], 3), (200000 - above) / 2e6, 0.0008);
    runs_free(r, 4);
}

/* noise.idle_knee_us and noise.idle_slope: an idle CPU meets an interruption
 * longer than the knee with probability (length / knee)^-slope. 200 us gaps
 * every 1 ms on an idle CPU take 20 % of it; with a 50 us knee and slope 1,
 * a quarter of them are met (5 %); gaps of 40 us, under the knee, all are
 * (4 %); and a knee above every gap is the model without one, draw for draw
 * (the acceptance draw is made only for a gap past the knee). */
static void test_noise_idle_knee(void)
{
#define IDLE_KNEE_BASE "policy.name=vanilla", "workload.rate_pps=10000", \
        "stage.host_l4.cost=1000", "run.duration_ms=4000", "noise.cpus=[3]", \
        "noise.spacing=1000000", "noise.spacing.dist=exponential"
    const char *plain[] = {IDLE_KNEE_BASE, "noise.gap=200000"};
    const char *knee[] = {IDLE_KNEE_BASE, "noise.gap=200000", "noise.idle_knee_us=50",
                          "noise.idle_slope=1"};
    const char *under[] = {IDLE_KNEE_BASE, "noise.gap=40000", "noise.idle_knee_us=50",
                           "noise.idle_slope=1"};
    const char *flat[] = {IDLE_KNEE_BASE, "noise.gap=200000", "noise.idle_knee_us=1000",
                          "noise.idle_slope=1"};
#undef IDLE_KNEE_BASE
    struct run a, b, c, d;
    run_text(&a, NULL, k_free, plain, SIM_ARRAY_LEN(plain));
    run_text(&b, NULL, k_free, knee, SIM_ARRAY_LEN(knee));
    run_text(&c, NULL, k_free, under, SIM_ARRAY_LEN(under));
    run_text(&d, NULL, k_free, flat, SIM_ARRAY_LEN(flat));
    /* about 4 000 gaps, 1 000 of them met with the knee: within 3 standard deviations */
    CHECK_NEAR(noise_frac(&a, 3), 0.20, 0.01);
    CHECK_NEAR(noise_frac(&b, 3), 0.05, 0.006);
    CHECK_NEAR(noise_frac(&c, 3), 0.04, 0.003);
    CHECK_TRUE(noise_frac(&d, 3) == noise_frac(&a, 3));
    CHECK_EQ_I64(d.r->sum.gen_frames, a.r->sum.gen_frames);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
    model_destroy(d.m);
}

/* noise.idle_share: the spacing counts busy time in full and idle time
 * times the share. At 0 an idle CPU takes no gaps; on CPU 0, which runs the
 * whole path (vanilla) about a fifth of the time, gaps take 10 % of its
 * non-idle time (gap over spacing, as the probe's busy loop measured it)
 * where share 1 gives 10 % of all time; saturated, the two agree. At 0.5 an
 * idle CPU takes half the gaps: 5 % of its time (a gap does not end idle). */
static void test_noise_idle_share(void)
{
    const char *idle[] = {"policy.name=vanilla", "workload.rate_pps=10000",
                          "stage.host_l4.cost=1000", "run.duration_ms=2000",
                          "noise.cpus=[3]", "noise.gap=10000", "noise.idle_share=0",
                          "noise.spacing=100000", "noise.spacing.dist=exponential"};
    const char *part[] = {"policy.name=vanilla", "workload.rate_pps=200000",
                          "stage.host_l4.cost=1000", "run.duration_ms=2000",
                          "noise.cpus=[0]", "noise.gap=10000", "noise.idle_share=0",
                          "noise.spacing=100000", "noise.spacing.dist=exponential"};
    const char *sat_wall[] = {"policy.name=vanilla", "workload.rate_pps=3000000",
                              "stage.host_l4.cost=1000", "run.duration_ms=1000",
                              "noise.cpus=[0]", "noise.gap=10000",
                              "noise.spacing=100000", "noise.spacing.dist=exponential"};
    const char *sat_busy[] = {"policy.name=vanilla", "workload.rate_pps=3000000",
                              "stage.host_l4.cost=1000", "run.duration_ms=1000",
                              "noise.cpus=[0]", "noise.gap=10000", "noise.idle_share=0",
                              "noise.spacing=100000", "noise.spacing.dist=exponential"};
    const char *half[] = {"policy.name=vanilla", "workload.rate_pps=10000",
                          "stage.host_l4.cost=1000", "run.duration_ms=2000",
                          "noise.cpus=[3]", "noise.gap=10000", "noise.idle_share=0.5",
                          "noise.spacing=100000", "noise.spacing.dist=exponential"};
    struct run a, b, c, d, e;
    run_text(&a, NULL, k_free, idle, SIM_ARRAY_LEN(idle));
    run_text(&e, NULL, k_free, half, SIM_ARRAY_LEN(half));
    run_text(&b, NULL, k_free, part, SIM_ARRAY_LEN(part));
    run_text(&c, NULL, k_free, sat_wall, SIM_ARRAY_LEN(sat_wall));
    run_text(&d, NULL, k_free, sat_busy, SIM_ARRAY_LEN(sat_busy));
    CHECK_TRUE(noise_frac(&a, 3) == 0);
    /* about 10 000 gaps: the share within 0.2 points */
    CHECK_NEAR(noise_frac(&e, 3), 0.05, 0.002);
    double busy = 0;
    for (unsigned k = 0; k < CAT_COUNT; k++) /* the last category, idle, is not */
        busy += b.r->busy_frac[0 * MODEL_CATS + k];
    fprintf(stderr, "noise idle share 0: CPU 0 busy %.3f, noise %.4f (%.3f of busy); saturated "
                    "%.4f (wall) %.4f (busy)\n",
            busy, noise_frac(&b, 0), noise_frac(&b, 0) / busy, noise_frac(&c, 0),
            noise_frac(&d, 0));
    CHECK_TRUE(busy > 0.1 && busy < 0.5);
    /* about 3 000 gaps in 0.3 s of busy time: the share within 0.6 points */
    CHECK_NEAR(noise_frac(&b, 0) / busy, 0.10, 0.006);
    CHECK_NEAR(noise_frac(&c, 0), 0.10, 0.004);
    CHECK_NEAR(noise_frac(&d, 0), 0.10, 0.004);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
    model_destroy(d.m);
    model_destroy(e.m);
}

/* Noise on the CPU that runs the path gives the tail a packet meets when it
 * arrives during a gap. Gaps of a constant G = 50 us every 1 ms (constant
 * spacing: no two overlap, none starts while a packet waits) take 5 % of the
 * time; a Poisson packet stream (PASTA) finds a gap 5 % of the time and then
 * waits its residual, uniform on (0, G). So P(wait > w) = 0.05 (1 - w / G):
 * the median is the 1 us service alone and the p99 is 1 us + 40 us. At 2000
 * packets/s a packet shares a gap with another one in 0.25 % of cases, which
 * moves the p99 by well under 0.1 us. */
static void test_noise_latency_tail(void)
{
    const char *sets[] = {"policy.name=vanilla", "workload.rate_pps=2000",
                          "stage.host_l4.cost=1000", "run.duration_ms=40000",
                          "noise.cpus=[0]", "noise.gap=50000", "noise.spacing=1000000"};
    struct run run;
    run_text(&run, NULL, k_free, sets, SIM_ARRAY_LEN(sets));
    const struct model_summary *s = &run.r->sum;
    fprintf(stderr, "noise tail: p50 %.2f us, p99 %.2f us (theory 1.0, 41.0), noise %.4f\n",
            s->latency_p50_us, s->latency_p99_us, noise_frac(&run, 0));
    CHECK_NEAR(noise_frac(&run, 0), 0.05, 0.003);
    CHECK_NEAR(s->latency_p50_us, 1.0, 0.05);
    /* 80 000 packets: the p99's standard error is about 0.35 us */
    CHECK_NEAR(s->latency_p99_us, 41.0, 1.2);
    model_destroy(run.m);
}

/* cpu.contention: a two-stage pipeline (driver poll on CPU 0, RPS to CPU 1,
 * 1 us each) saturated, so each step starts while the other CPU is busy:
 * with contention 0.25 every step costs 1.25 us and the rate falls to 1 /
 * 1.25 of the uncontended one. On one CPU (vanilla) nothing else is busy
 * and nothing changes; 0 is the model as it was, bit for bit. */
static void test_contention(void)
{
    const char *base[] = {"policy.name=rps", "policy.rps_cpus=[1]", "workload.rate_pps=2000000",
                          "workload.arrival=constant", "stage.nic_rx.cost=1000",
                          "stage.host_l4.cost=1000", "run.duration_ms=200"};
    const char *cont[] = {"policy.name=rps", "policy.rps_cpus=[1]", "workload.rate_pps=2000000",
                          "workload.arrival=constant", "stage.nic_rx.cost=1000",
                          "stage.host_l4.cost=1000", "run.duration_ms=200",
                          "cpu.contention=0.25"};
    const char *one[] = {"policy.name=vanilla", "workload.rate_pps=400000",
                         "stage.host_l4.cost=1000", "run.duration_ms=200"};
    const char *one_cont[] = {"policy.name=vanilla", "workload.rate_pps=400000",
                              "stage.host_l4.cost=1000", "run.duration_ms=200",
                              "cpu.contention=0.25"};
    struct run a, b, c, d;
    run_text(&a, NULL, k_free, base, SIM_ARRAY_LEN(base));
    run_text(&b, NULL, k_free, cont, SIM_ARRAY_LEN(cont));
    run_text(&c, NULL, k_free, one, SIM_ARRAY_LEN(one));
    run_text(&d, NULL, k_free, one_cont, SIM_ARRAY_LEN(one_cont));
    fprintf(stderr, "contention: pipeline %.0f -> %.0f pps (ratio %.4f, theory 0.8)\n",
            a.r->sum.throughput_pps, b.r->sum.throughput_pps,
            b.r->sum.throughput_pps / a.r->sum.throughput_pps);
    CHECK_REL(a.r->sum.throughput_pps, 1e6, 0.02);
    CHECK_REL(b.r->sum.throughput_pps / a.r->sum.throughput_pps, 0.8, 0.02);
    CHECK_NEAR(c.r->sum.latency_p50_us, d.r->sum.latency_p50_us, 1e-9);
    CHECK_NEAR(c.r->sum.throughput_pps, d.r->sum.throughput_pps, 1e-9);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
    model_destroy(d.m);
}

/* {===== Senders on this host (sender.*) ===== */

/* The one-host namespace setup of falconsim measure: a sender thread on CPU
 * 0 (1 us per datagram, 0.5 us per frame, 1 us per send call of 32), the
 * reader on CPU 1, costs otherwise free. */
static const char *k_veth =
    "host: { cpus = 3; };\n"
    "network: { mode = \"host\"; };\n"
    "cpu: { ipi_latency = 0.0; ipi_send_ns = 0.0; ipi_recv_ns = 0.0; enqueue_local_ns = 0.0;\n"
    "       enqueue_remote_ns = 0.0; migrate_ns = 0.0; };\n"
    "stage: { nic_rx: { cost = 0.0; }; gro: { cost = 0.0; }; host_l4: { cost = 1500.0; };\n"
    "         outer_l4: { cost = 800.0; }; gro_cell: { cost = 900.0; };\n"
    "         container: { cost = 1200.0; }; };\n"
    "app: { cpus = [1]; user_ns = 0.0; recv_ns = 500.0; per_byte_ns = 0.0; remote_data_ns = 0.0;\n"
    "       wake_cost_ns = 0.0; wakeup_latency = 0.0; waker_cost_ns = 0.0; wake_user_ns = 0.0;\n"
    "       idle_wake_ns = 0.0; idle_wake_user_ns = 0.0; rcvbuf_bytes = 100000000; };\n"
    "workload: { type = \"stream\"; protocol = \"udp\"; flows = 1; message_bytes = 16;\n"
    "            rate_pps = 0.0; };\n"
    "sender: { cpus = [0]; call_ns = 1000.0; msg_ns = 1000.0; frag_ns = 500.0; batch = 32; };\n"
    "policy: { name = \"vanilla\"; };\n"
    "run: { duration_ms = 50.0; warmup_ms = 10.0; };\n";

/* Without RPS the sender's CPU runs each datagram's whole receive path right
 * after sending it (veth's netif_rx, softirq at local_bh_enable): flat out,
 * one CPU carries 1e9 / (send + receive) datagrams/s, one NET_RX each. With
 * RPS to CPU 2 the receive path moves there and the sender alone bounds the
 * rate. The overlay's three passes take one NET_RX a datagram under 6.18's
 * net_rx_action (as measured: netrx_pp 1.00) and three under 5.4's. */
/* sender.spin_us: a paced sender that busy-waits between sends (the kit's
 * falconsim-loadgen spins through gaps up to 200 us) keeps its CPU running.
 * At 100 k datagrams/s of 4 us each (call 1 + datagram 1 + fragment 0.5 +
 * host_l4 1.5), CPU 0 works 40 % of the time; spinning, the other 60 % is
 * the sender's user time. The traffic is the same datagram for datagram.
 * The CPU meets noise at the busy rate (noise.idle_share 0: an idle CPU
 * meets none), and gaps longer than spin_us (1 000/s: 1 ms) are slept. */
static double cpu_busy(const struct run *run, unsigned cpu)
{
    double b = 0;
    for (unsigned k = 0; k < CAT_COUNT; k++)
        b += run->r->busy_frac[cpu * MODEL_CATS + k];
    return b;
}

static void test_sender_spin(void)
{
    /* two runs at a time: a struct run holds a whole sim_params, and the
     * sanitizers' stack frames are large */
    const char *sleep[] = {"workload.rate_pps=100000", "workload.arrival=constant"};
    const char *spin[] = {"workload.rate_pps=100000", "workload.arrival=constant",
                          "sender.spin_us=200"};
    struct run a, b;
    run_text(&a, NULL, k_veth, sleep, SIM_ARRAY_LEN(sleep));
    run_text(&b, NULL, k_veth, spin, SIM_ARRAY_LEN(spin));
    fprintf(stderr, "sender spin: CPU 0 busy %.3f (user %.3f), sleeping %.3f\n", cpu_busy(&b, 0),
            b.r->busy_frac[0 * MODEL_CATS + CAT_USER], cpu_busy(&a, 0));
    CHECK_REL(cpu_busy(&a, 0), 0.40, 0.01);
    CHECK_TRUE(a.r->busy_frac[0 * MODEL_CATS + CAT_USER] == 0);
    CHECK_REL(cpu_busy(&b, 0), 1.0, 0.001);
    CHECK_REL(b.r->busy_frac[0 * MODEL_CATS + CAT_USER], 0.60, 0.01);
    CHECK_EQ_I64(b.r->sum.gen_frames, a.r->sum.gen_frames);
    CHECK_NEAR(b.r->sum.send_latency_mean_us, a.r->sum.send_latency_mean_us, 1e-9);
    CHECK_NEAR(b.r->sum.latency_p99_us, a.r->sum.latency_p99_us, 1e-9);
    CHECK_NEAR(cpu_busy(&b, 1), cpu_busy(&a, 1), 1e-12); /* the reader's CPU: as it was */
    model_destroy(a.m);
    model_destroy(b.m);

    const char *slow[] = {"workload.rate_pps=1000", "workload.arrival=constant",
                          "sender.spin_us=200"};
    const char *slow_sleep[] = {"workload.rate_pps=1000", "workload.arrival=constant"};
    run_text(&a, NULL, k_veth, slow, SIM_ARRAY_LEN(slow));
    run_text(&b, NULL, k_veth, slow_sleep, SIM_ARRAY_LEN(slow_sleep));
    CHECK_NEAR(cpu_busy(&a, 0), cpu_busy(&b, 0), 1e-12); /* 1 ms gaps: slept */
    CHECK_TRUE(cpu_busy(&a, 0) < 0.01);
    model_destroy(a.m);
    model_destroy(b.m);

    const char *noise_sleep[] = {"workload.rate_pps=100000", "workload.arrival=constant",
                                 "noise.cpus=[0]", "noise.gap=10000", "noise.idle_share=0",
                                 "noise.spacing=100000", "noise.spacing.dist=exponential",
                                 "run.duration_ms=1000"};
    const char *noise_spin[] = {"workload.rate_pps=100000", "workload.arrival=constant",
                                "noise.cpus=[0]", "noise.gap=10000", "noise.idle_share=0",
                                "noise.spacing=100000", "noise.spacing.dist=exponential",
                                "run.duration_ms=1000", "sender.spin_us=200"};
    run_text(&a, NULL, k_veth, noise_sleep, SIM_ARRAY_LEN(noise_sleep));
    run_text(&b, NULL, k_veth, noise_spin, SIM_ARRAY_LEN(noise_spin));
    fprintf(stderr, "sender spin: noise %.4f, sleeping %.4f\n", noise_frac(&b, 0),
            noise_frac(&a, 0));
    /* about 10 000 gaps of 10 us in 1 s: the share within 0.4 points */
    CHECK_NEAR(noise_frac(&b, 0), 0.10, 0.004);
    CHECK_TRUE(noise_frac(&a, 0) < 0.07);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* cpu.ipi_send_idle_ns: an IPI to a CPU idle within cpu.idle_poll_us costs
 * its sender that, one to a running CPU or one idle past the window
 * cpu.ipi_send_ns. 10 000 datagrams/s, RPS to CPU 2, which idles about
 * 100 us between them: each IPI costs CPU 0 1 us with a 200 us window,
 * 10 us with a 50 us window or without the key. Nothing else changes, but
 * the count of full traps (ipi_trap_frac): none in the window, all past it. */
static void test_ipi_send_idle(void)
{
    const char *common[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                            "policy.name=rps", "policy.rps_cpus=[2]", "cpu.ipi_send_ns=10000",
                            "run.duration_ms=500"};
    struct run a, b;
    const char *in_window[SIM_ARRAY_LEN(common) + 2], *past[SIM_ARRAY_LEN(common) + 2];
    for (size_t i = 0; i < SIM_ARRAY_LEN(common); i++)
        in_window[i] = past[i] = common[i];
    in_window[SIM_ARRAY_LEN(common)] = past[SIM_ARRAY_LEN(common)] = "cpu.ipi_send_idle_ns=1000";
    in_window[SIM_ARRAY_LEN(common) + 1] = "cpu.idle_poll_us=200";
    past[SIM_ARRAY_LEN(common) + 1] = "cpu.idle_poll_us=50";
    run_text(&a, NULL, k_veth, in_window, SIM_ARRAY_LEN(in_window));
    run_text(&b, NULL, k_veth, common, SIM_ARRAY_LEN(common));
    double ipis = a.r->sum.ipis_per_s;
    double saved = b.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ] -
                   a.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ];
    fprintf(stderr, "ipi to an idle target: %.0f IPIs/s, sender softirq %.4f -> %.4f\n", ipis,
            b.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ],
            a.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ]);
    CHECK_REL(ipis, 10000, 0.01); /* one IPI a datagram: CPU 2 is idle at each */
    CHECK_REL(b.r->sum.ipis_per_s, ipis, 1e-9);
    CHECK_REL(saved, ipis * 9e-6, 0.01);
    CHECK_EQ_I64(a.r->sum.gen_frames, b.r->sum.gen_frames);
    CHECK_NEAR(a.r->sum.ipi_trap_frac, 0, 1e-12);
    CHECK_NEAR(b.r->sum.ipi_trap_frac, 1, 1e-12); /* no window (the default): all halted */
    model_destroy(a.m);
    run_text(&a, NULL, k_veth, past, SIM_ARRAY_LEN(past));
    CHECK_NEAR(a.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ],
               b.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ], 1e-12);
    CHECK_NEAR(a.r->sum.ipi_trap_frac, 1, 1e-12);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* cpu.ipi_trap_leave_ns: a trapped RPS IPI leaves that far into its
 * sender's cost and the sender pays the rest. 10 000 datagrams/s, RPS to
 * CPU 2, every IPI a 10 us trap (no polling window): leaving 2 us into it,
 * each datagram arrives 8 us sooner, and nothing else changes; a leave past
 * the cost is the trap's end, the default, draw for draw. */
static void test_ipi_trap_leave(void)
{
    const char *sets[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                          "policy.name=rps", "policy.rps_cpus=[2]", "cpu.ipi_send_ns=10000",
                          "run.duration_ms=500", "cpu.ipi_trap_leave_ns=-1"};
    enum { N = SIM_ARRAY_LEN(sets) };
    struct run *r = runs_alloc(3);
    CHECK_TRUE(r != NULL);
    const char *leave[] = {"cpu.ipi_trap_leave_ns=-1", "cpu.ipi_trap_leave_ns=2000",
                           "cpu.ipi_trap_leave_ns=20000"};
    for (int i = 0; i < 3; i++) {
        sets[N - 1] = leave[i];
        run_text(&r[i], NULL, k_veth, sets, N);
    }
    fprintf(stderr, "ipi trap leave: send latency %.3f us, leaving 2 us in %.3f us\n",
            r[0].r->sum.send_latency_mean_us, r[1].r->sum.send_latency_mean_us);
    CHECK_REL(r[0].r->sum.ipis_per_s, 10000, 0.01);
    CHECK_NEAR(r[0].r->sum.ipi_trap_frac, 1, 1e-12);
    CHECK_NEAR(r[0].r->sum.send_latency_mean_us - r[1].r->sum.send_latency_mean_us, 8.0, 1e-3);
    CHECK_NEAR(r[0].r->sum.send_latency_p99_us - r[1].r->sum.send_latency_p99_us, 8.0, 0.2);
    CHECK_NEAR(cpu_busy(&r[1], 0), cpu_busy(&r[0], 0), 1e-12); /* the sender pays it all */
    CHECK_EQ_I64(r[1].r->sum.gen_frames, r[0].r->sum.gen_frames);
    CHECK_NEAR(r[1].r->sum.ipi_trap_frac, 1, 1e-12);
    CHECK_NEAR(r[2].r->sum.send_latency_mean_us, r[0].r->sum.send_latency_mean_us, 1e-12);
    CHECK_NEAR(cpu_busy(&r[2], 2), cpu_busy(&r[0], 2), 1e-12);
    runs_free(r, 3);
}

/* sender.sndbuf_bytes: a sender runs at most a send buffer ahead of the
 * receive path's first IP layer. Flat out (1.53 us a datagram) with RPS to
 * CPU 2, which also runs the reader and whose host_l4 takes 5 us: without a
 * limit the sender floods CPU 2's backlog and drops; with a buffer of 100
 * datagrams' truesize it blocks, nothing is dropped at a backlog limit of
 * 110 (drops at 20, which 100 in flight overrun while CPU 2 polls), CPU 2
 * sets the rate, the sender's CPU sleeps the rest, and CPU 2 wakes it (an
 * IPI to CPU 0, the only remote wake-ups here). A buffer never full, or
 * without RPS (the IP layer runs right after each send), changes nothing,
 * draw for draw. */
static void test_sndbuf(void)
{
    const char *sets[] = {"policy.name=rps", "policy.rps_cpus=[2]", "stage.host_l4.cost=5000",
                          "app.cpus=[2]", "run.duration_ms=100", "kernel.netdev_max_backlog=110",
                          "sender.sndbuf_bytes=0"};
    enum { N = SIM_ARRAY_LEN(sets) };
    struct run *r = runs_alloc(6);
    CHECK_TRUE(r != NULL);
    const long truesize = 16 + 768; /* message_bytes + app.skb_overhead_bytes */
    char buf[64], huge[64];
    snprintf(buf, sizeof buf, "sender.sndbuf_bytes=%ld", 100 * truesize);
    snprintf(huge, sizeof huge, "sender.sndbuf_bytes=%ld", 1000000000L);
    run_text(&r[0], NULL, k_veth, sets, N);
    sets[N - 1] = buf;
    run_text(&r[1], NULL, k_veth, sets, N);
    sets[N - 2] = "kernel.netdev_max_backlog=20";
    run_text(&r[2], NULL, k_veth, sets, N);
    sets[N - 2] = "kernel.netdev_max_backlog=110";
    sets[N - 1] = huge;
    run_text(&r[3], NULL, k_veth, sets, N);
    sets[0] = "policy.name=vanilla";
    sets[1] = "policy.rps_cpus=[]";
    run_text(&r[4], NULL, k_veth, sets, N);
    sets[N - 1] = "sender.sndbuf_bytes=0";
    run_text(&r[5], NULL, k_veth, sets, N);
    fprintf(stderr,
            "sndbuf: unlimited %.0f/s, %llu backlog drops; limited %.0f/s, %llu drops, sender CPU "
            "%.3f busy, %.0f wake IPIs/s\n",
            r[0].r->sum.throughput_pps, (unsigned long long)r[0].r->sum.drops_by[DROP_BACKLOG],
            r[1].r->sum.throughput_pps, (unsigned long long)r[1].r->sum.drops,
            cpu_busy(&r[1], 0), r[1].r->sum.wake_ipis_per_s);
    CHECK_TRUE(r[0].r->sum.drops_by[DROP_BACKLOG] > 1000);
    CHECK_EQ_I64(r[1].r->sum.drops, 0);
    CHECK_REL(r[1].r->sum.throughput_pps, r[0].r->sum.throughput_pps, 0.01); /* CPU 2's pace */
    /* asleep, not spinning: busy only for what it sends (1000 + 500 ns each,
     * 1000 ns a call of at most 32) */
    double per_msg_ns = 1500 + 1000.0 / 32;
    CHECK_REL(cpu_busy(&r[1], 0), r[1].r->sum.throughput_pps * per_msg_ns * 1e-9, 0.02);
    CHECK_TRUE(cpu_busy(&r[0], 0) > 0.99);
    CHECK_TRUE(r[1].r->sum.wake_ipis_per_s > 0);
    CHECK_TRUE(r[1].r->sum.wake_ipis_per_s < r[1].r->sum.throughput_pps / 40);
    CHECK_TRUE(r[2].r->sum.drops_by[DROP_BACKLOG] > 0);
    CHECK_EQ_I64(r[3].r->sum.gen_frames, r[0].r->sum.gen_frames);
    CHECK_EQ_I64(r[3].r->sum.drops, r[0].r->sum.drops);
    CHECK_NEAR(cpu_busy(&r[3], 2), cpu_busy(&r[0], 2), 1e-12);
    CHECK_EQ_I64(r[4].r->sum.gen_frames, r[5].r->sum.gen_frames);
    CHECK_NEAR(r[4].r->sum.latency_p99_us, r[5].r->sum.latency_p99_us, 1e-12);
    CHECK_NEAR(r[4].r->sum.wake_ipis_per_s, r[5].r->sum.wake_ipis_per_s, 1e-12);
    runs_free(r, 6);
}

/* app.waker_ipi = "separate": the softirq that wakes a reader on another CPU
 * pays that wake-up's IPI by the target's state, one that wakes a reader on
 * its own CPU none. 10 000 datagrams/s, reader on CPU 1, which idles about
 * 100 us between them: in vanilla the softirq on CPU 0 wakes it, paying
 * 500 ns of wake-up work plus 1 us (an IPI to a CPU idle within the 200 us
 * window) or 10 us (a 50 us window: halted), where "folded" pays the 500 ns
 * alone; with RPS to CPU 1 the softirq there wakes it locally and "separate"
 * changes nothing. The RPS IPIs' own count of full traps is not touched. */
static void test_waker_ipi(void)
{
    const char *common[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                            "app.waker_cost_ns=500", "cpu.ipi_send_ns=10000",
                            "cpu.ipi_send_idle_ns=1000", "run.duration_ms=500", "",
                            "cpu.idle_poll_us=200", "policy.name=vanilla", "policy.rps_cpus=[]"};
    enum { N = SIM_ARRAY_LEN(common) };
    /* on the heap: each run holds a whole sim_params, and clang's
     * AddressSanitizer frames of the tests main inlines add up */
    struct run *pa = calloc(2, sizeof *pa), *pb = pa + 1;
    CHECK_TRUE(pa != NULL);
    const char *sets[N];
    for (int variant = 0; variant < 3; variant++) {
        for (size_t i = 0; i < N; i++)
            sets[i] = common[i];
        if (variant == 1)
            sets[7] = "cpu.idle_poll_us=50";
        if (variant == 2) {
            sets[8] = "policy.name=rps";
            sets[9] = "policy.rps_cpus=[1]";
        }
        sets[6] = "app.waker_ipi=folded";
        run_text(pa, NULL, k_veth, sets, N);
        sets[6] = "app.waker_ipi=separate";
        run_text(pb, NULL, k_veth, sets, N);
        unsigned waker = variant == 2 ? 1 : 0;
        double wakes = pb->r->sum.app_wakeups_per_s;
        double extra = pb->r->busy_frac[waker * MODEL_CATS + CAT_SOFTIRQ] -
                       pa->r->busy_frac[waker * MODEL_CATS + CAT_SOFTIRQ];
        fprintf(stderr, "waker ipi, variant %d: %.0f wake-ups/s, waker softirq +%.5f\n", variant,
                wakes, extra);
        CHECK_REL(wakes, 10000, 0.01); /* the reader sleeps between datagrams */
        CHECK_EQ_I64(pa->r->sum.gen_frames, pb->r->sum.gen_frames);
        if (variant == 0)
            CHECK_REL(extra, wakes * 1e-6, 0.01);
        else if (variant == 1)
            CHECK_REL(extra, wakes * 10e-6, 0.01);
        else
            CHECK_NEAR(extra, 0, 1e-12);
        CHECK_NEAR(pa->r->sum.ipi_trap_frac, pb->r->sum.ipi_trap_frac, 1e-12);
        model_destroy(pa->m);
        model_destroy(pb->m);
    }
    free(pa);
}

/* app.remote_splice_ns: once a refill of the reader's own queue (UDP). Paced
 * one datagram at a time, each read finds the reader queue dry: one refill a
 * datagram. With RPS to CPU 1 the queue's producer is the reader's own CPU
 * and nothing is paid. Bursts of 8 reach the socket 3 us apart (datagram,
 * fragment, host_l4) and a read takes 5.5 us of user and system time, so
 * datagrams wait for the reader and one refill takes several: fewer refills
 * than datagrams, more than bursts; app.remote_enqueue_ns stays one a
 * datagram. */
static void test_remote_splice(void)
{
    static const char *const sets[][4] = {
        {"workload.rate_pps=100000"},
        {"workload.rate_pps=100000", "app.remote_splice_ns=1000"},
        {"workload.rate_pps=100000", "policy.name=rps", "policy.rps_cpus=[1]"},
        {"workload.rate_pps=100000", "policy.name=rps", "policy.rps_cpus=[1]",
         "app.remote_splice_ns=1000"},
        {"workload.rate_pps=100000", "workload.burst=8", "app.user_ns=5000"},
        {"workload.rate_pps=100000", "workload.burst=8", "app.user_ns=5000",
         "app.remote_splice_ns=1000"},
        {"workload.rate_pps=100000", "workload.burst=8", "app.user_ns=5000",
         "app.remote_enqueue_ns=1000"},
    };
    enum { N = SIM_ARRAY_LEN(sets) };
    struct run *r = runs_alloc(N);
    double sys1[N];
    for (unsigned i = 0; i < N; i++) {
        size_t n = 0;
        while (n < 4 && sets[i][n] != NULL)
            n++;
        run_text(&r[i], NULL, k_veth, sets[i], n);
        sys1[i] = r[i].r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM];
    }
    CHECK_EQ_I64(r[1].r->sum.deliv_frames, r[0].r->sum.deliv_frames);
    CHECK_NEAR(sys1[1] - sys1[0], 1e5 * 1000e-9, 0.002);
    CHECK_EQ_I64(r[3].r->sum.deliv_frames, r[2].r->sum.deliv_frames);
    CHECK_NEAR(sys1[3], sys1[2], 1e-12);
    double refills_pp = (sys1[5] - sys1[4]) / (r[5].r->sum.throughput_pps * 1000e-9);
    fprintf(stderr, "remote splice: %.3f refills a datagram in bursts of 8\n", refills_pp);
    CHECK_TRUE(refills_pp > 1.0 / 8 + 0.05 && refills_pp < 0.75);
    CHECK_REL(sys1[6] - sys1[4], r[6].r->sum.throughput_pps * 1000e-9, 0.01);
    runs_free(r, N);
}

/* A send call takes what is due at its start, up to sender.batch, as the
 * kit's pacer counts what it owes once per call; what comes due while the
 * call runs waits for the next call and its stamp. Datagrams due every
 * 3.5 us (k_veth: 1 us a call, then 3 us a datagram with its receive path,
 * 0.5 us to read it): a call of one takes 4 us, so the sender falls behind
 * until each call finds two owed and takes 7 us, as long as two come due.
 * From its call's start the first of a call is read after 4.5 us and the
 * second after 7.5: mean 6 us, never more. A call that kept taking what
 * came due meanwhile would stamp them all at its start (until 2026-12-03). */
static void test_sender_call_size(void)
{
    const char *sets[] = {"workload.rate_pps=285714.2857", "workload.arrival=constant"};
    struct run *r = runs_alloc(1);
    run_text(r, NULL, k_veth, sets, SIM_ARRAY_LEN(sets));
    CHECK_REL(r->r->sum.throughput_pps, 285714.2857, 0.002);
    CHECK_NEAR(r->r->sum.send_latency_mean_us, 6.0, 0.05);
    CHECK_NEAR(r->r->sum.send_latency_p9999_us, 7.5, 0.05);
    runs_free(r, 1);
}

static void test_sender_veth(void)
{
    const double send_ns = 1000 + 500 + 1000.0 / 32;
    struct run a, b, c, d;
    run_text(&a, NULL, k_veth, NULL, 0);
    const char *rps[] = {"policy.name=rps", "policy.rps_cpus=[2]"};
    run_text(&b, NULL, k_veth, rps, 2);
    const char *ovl[] = {"network.mode=overlay", "kernel.net_rx_action=6.18"};
    run_text(&c, NULL, k_veth, ovl, 2);
    const char *ovl54[] = {"network.mode=overlay", "kernel.net_rx_action=5.4"};
    run_text(&d, NULL, k_veth, ovl54, 2);
    CHECK_REL(a.r->sum.throughput_pps, 1e9 / (send_ns + 1500), 0.002);
    CHECK_REL(a.r->sum.netrx_per_s, a.r->sum.throughput_pps, 0.002);
    CHECK_REL(a.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], send_ns / (send_ns + 1500), 0.01);
    CHECK_REL(a.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ], 1500 / (send_ns + 1500), 0.01);
    CHECK_TRUE(a.r->busy_frac[2 * MODEL_CATS + CAT_SOFTIRQ] == 0);
    CHECK_EQ_I64(a.r->sum.drops, 0);
    /* Latency from the send call, as the kit measures it: datagram k of a
     * call of 32 waits 1 us (the call) + (k + 1) x 3 us (send and receive of
     * itself and those before it) + 0.5 us (recvmsg); mean 51 us, max 97.5. */
    CHECK_NEAR(a.r->sum.send_latency_mean_us, 1.0 + 16.5 * 3.0 + 0.5, 0.1);
    CHECK_NEAR(a.r->sum.send_latency_p999_us, 97.5, 0.5);
    CHECK_NEAR(a.r->sum.latency_p50_us, 2.0, 0.01); /* netif_rx to recvmsg */

    CHECK_REL(b.r->sum.throughput_pps, 1e9 / send_ns, 0.002);
    CHECK_REL(b.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], 1.0, 0.01);
    CHECK_TRUE(b.r->busy_frac[2 * MODEL_CATS + CAT_SOFTIRQ] > 0.95);
    CHECK_TRUE(b.r->sum.ipis_per_s > 0);

    CHECK_REL(c.r->sum.throughput_pps, 1e9 / (send_ns + 800 + 900 + 1200), 0.002);
    CHECK_REL(c.r->sum.netrx_per_s / c.r->sum.throughput_pps, 1.0, 0.002);
    /* The VXLAN encapsulation is the overlay sender's alone: system time on
     * the sender's CPU there, nothing on the host path. */
    const char *ovl_encap[] = {"network.mode=overlay", "kernel.net_rx_action=6.18",
                               "sender.encap_ns=700"};
    const char *host_encap[] = {"sender.encap_ns=700"};
    struct run ce, ae;
    run_text(&ce, NULL, k_veth, ovl_encap, 3);
    run_text(&ae, NULL, k_veth, host_encap, 1);
    CHECK_REL(ce.r->sum.throughput_pps, 1e9 / (send_ns + 700 + 800 + 900 + 1200), 0.002);
    CHECK_REL(ce.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM],
              (send_ns + 700) / (send_ns + 700 + 800 + 900 + 1200), 0.01);
    CHECK_EQ_I64(ae.r->sum.gen_frames, a.r->sum.gen_frames);
    CHECK_NEAR(ae.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM],
               a.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], 1e-12);
    model_destroy(ce.m);
    model_destroy(ae.m);
    /* sender.byte_ns: 10 ns a byte of the 16 B payload, 160 ns a datagram */
    const char *bytes[] = {"sender.byte_ns=10"};
    struct run be;
    run_text(&be, NULL, k_veth, bytes, 1);
    CHECK_REL(be.r->sum.throughput_pps, 1e9 / (send_ns + 160 + 1500), 0.002);
    CHECK_REL(be.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], (send_ns + 160) / (send_ns + 160 + 1500),
              0.01);
    model_destroy(be.m);
    /* A reader pays app.remote_enqueue_ns for each datagram another CPU
     * queued: in vanilla (the receive path on the sender's CPU 0), not with
     * RPS to the reader's own CPU 1. Paced at 100 k/s, the traffic the same. */
    const char *van0[] = {"workload.rate_pps=100000"};
    const char *van1[] = {"workload.rate_pps=100000", "app.remote_enqueue_ns=1000"};
    const char *rps0[] = {"workload.rate_pps=100000", "policy.name=rps", "policy.rps_cpus=[1]"};
    const char *rps1[] = {"workload.rate_pps=100000", "policy.name=rps", "policy.rps_cpus=[1]",
                          "app.remote_enqueue_ns=1000"};
    struct run v0, v1, r0, r1;
    run_text(&v0, NULL, k_veth, van0, 1);
    run_text(&v1, NULL, k_veth, van1, 2);
    run_text(&r0, NULL, k_veth, rps0, 3);
    run_text(&r1, NULL, k_veth, rps1, 4);
    CHECK_EQ_I64(v1.r->sum.deliv_frames, v0.r->sum.deliv_frames);
    CHECK_NEAR(v1.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM] -
                   v0.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM],
               1e5 * 1000e-9, 0.002);
    CHECK_EQ_I64(r1.r->sum.deliv_frames, r0.r->sum.deliv_frames);
    CHECK_NEAR(r1.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM],
               r0.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], 1e-12);
    model_destroy(v0.m);
    model_destroy(v1.m);
    model_destroy(r0.m);
    model_destroy(r1.m);
    CHECK_REL(d.r->sum.netrx_per_s / d.r->sum.throughput_pps, 3.0, 0.002);
    /* paced: one send call per datagram, the traffic whatever the policy */
    const char *paced[] = {"workload.rate_pps=100000"};
    const char *paced_rps[] = {"workload.rate_pps=100000", "policy.name=rps",
                               "policy.rps_cpus=[2]"};
    struct run e, f;
    run_text(&e, NULL, k_veth, paced, 1);
    run_text(&f, NULL, k_veth, paced_rps, 3);
    CHECK_REL(e.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], 1e5 * (1000 + 1000 + 500) * 1e-9, 0.01);
    CHECK_NEAR(e.r->sum.send_latency_p50_us, 2.5 + 1.5 + 0.5, 0.05);
    /* paced in bursts of 8 (workload.burst): one call of 8 every 80 us;
     * datagram k waits 1 + 3 (k + 1) + 0.5 us: mean 15, max 25.5 */
    const char *burst[] = {"workload.rate_pps=100000", "workload.burst=8"};
    struct run g;
    run_text(&g, NULL, k_veth, burst, 2);
    CHECK_NEAR(g.r->sum.send_latency_mean_us, 15.0, 0.05);
    CHECK_NEAR(g.r->sum.send_latency_p999_us, 25.5, 0.2);
    CHECK_REL(g.r->sum.offered_pps, 1e5, 0.002);
    model_destroy(g.m);
    /* Work on a packet dropped later is lost: a reader that takes 50 k/s
     * behind a 2 KB socket buffer, fed 200 k/s; the socket drops three in
     * four, yet the softirq paid the whole receive path of every one. */
    const char *late[] = {"workload.rate_pps=200000", "app.recv_ns=20000",
                          "app.rcvbuf_bytes=2000"};
    struct run h;
    run_text(&h, NULL, k_veth, late, 3);
    CHECK_REL(h.r->sum.throughput_pps, 5e4, 0.05);
    CHECK_TRUE(h.r->sum.drops_by[DROP_SOCKET] > 0);
    CHECK_REL(h.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ], 2e5 * 1500e-9, 0.02);
    model_destroy(h.m);
    CHECK_EQ_I64(e.r->sum.gen_frames, f.r->sum.gen_frames);
    CHECK_NEAR(e.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM],
               f.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], 1e-9);
    CHECK_EQ_I64(e.r->sum.drops, 0);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
    model_destroy(d.m);
    model_destroy(e.m);
    model_destroy(f.m);
}

/* A read ends with spin_unlock_bh on the socket's queue, whose
 * local_bh_enable runs the softirqs pending on the reader's CPU, in the
 * reader's time. RPS to the reader's own CPU 1, flat out, a receive path
 * (1.6 us) slower than the sender (1.5 us + the call's share, 1.53 us): CPU 1
 * falls behind for good. Under the >= 6.5 rule each read then runs the
 * softirq until its ten restarts or 2 ms end (about 1 250 packets) before the
 * next read: the reader delivers about one datagram in a thousand (the host's
 * livelock, data/hosts/kvm-2vcpu-epyc/bistable: 1 765 of 509 K/s). Under the
 * 5.4 rule a runnable ksoftirqd takes that work and the reader keeps a
 * scheduler's share. */
static void test_read_runs_softirqs(void)
{
    const char *r65[] = {"policy.name=rps", "policy.rps_cpus=[1]", "kernel.ksoftirqd=6.5",
                         "stage.host_l4.cost=1600"};
    const char *r54[] = {"policy.name=rps", "policy.rps_cpus=[1]", "kernel.ksoftirqd=5.4",
                         "stage.host_l4.cost=1600"};
    struct run a, b;
    run_text(&a, NULL, k_veth, r65, SIM_ARRAY_LEN(r65));
    run_text(&b, NULL, k_veth, r54, SIM_ARRAY_LEN(r54));
    fprintf(stderr, "reads run softirqs: 6.5 %.0f of %.0f/s, 5.4 %.0f of %.0f/s\n",
            a.r->sum.throughput_pps, a.r->sum.offered_pps, b.r->sum.throughput_pps,
            b.r->sum.offered_pps);
    CHECK_TRUE(a.r->sum.offered_pps > 5e5);
    CHECK_TRUE(a.r->sum.throughput_pps < 0.01 * a.r->sum.offered_pps);
    CHECK_TRUE(b.r->sum.throughput_pps > 0.1 * b.r->sum.offered_pps);
    /* The reader's run time as schedstat counts it: CPU 1 is all softirq, in
     * the reader's slices or in ksoftirqd's, many times the reader's own
     * system and user time; under the 5.4 rule never what ksoftirqd runs
     * (the host's livelocked run, data/hosts/kvm-2vcpu-epyc/bistable: reader
     * 0.35 cores, ksoftirqd 0.64, its own system time 0.7 %). The busy
     * categories are summed: a step that ends after the window is charged
     * whole, so the sum can pass 1. */
    double reader[2], own[2], busy[2] = {0, 0};
    const struct run *ab[2] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        const double *c1 = &ab[i]->r->busy_frac[1 * MODEL_CATS];
        reader[i] = ab[i]->r->sum.app_task_us_per_msg * ab[i]->r->sum.throughput_pps / 1e6;
        own[i] = c1[CAT_SYSTEM] + c1[CAT_USER];
        for (int k = 0; k < MODEL_CATS - 1; k++)
            busy[i] += c1[k];
    }
    fprintf(stderr, "thread run time: 6.5 rule reader %.3f cores (own %.3f, ksoftirqd %.3f); "
            "5.4 rule %.3f (own %.3f, ksoftirqd %.3f)\n", reader[0], own[0],
            a.r->ksoftirqd_frac[1], reader[1], own[1], b.r->ksoftirqd_frac[1]);
    CHECK_TRUE(reader[0] > 10 * own[0]);
    CHECK_REL(reader[0] + a.r->ksoftirqd_frac[1], busy[0], 1e-3);
    CHECK_TRUE(b.r->ksoftirqd_frac[1] > 0.1);
    CHECK_TRUE(reader[1] <= busy[1] - b.r->ksoftirqd_frac[1] + 1e-9);
    CHECK_TRUE(reader[1] >= own[1] - 1e-9);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* A send call takes what its flow has due at its start, up to sender.batch
 * (the kit's pacer, loadgen.c). In vanilla each datagram costs its CPU
 * 3 us (send 1 + frame 0.5 + host_l4 1.5) and each call 1 us more: paced at
 * 100 k/s a call finds one due; at 300 k/s (3.33 us a datagram) the sender
 * falls behind until a call of n covers its own time, 1 + 3n = 3.33 n, n = 3;
 * flat out, every call takes the batch. */
static void test_sender_calls(void)
{
    const char *on_time[] = {"workload.rate_pps=100000"};
    const char *behind[] = {"workload.rate_pps=300000"};
    const char *flat[] = {"workload.rate_pps=0"};
    struct run a, b, c;
    run_text(&a, NULL, k_veth, on_time, 1);
    run_text(&b, NULL, k_veth, behind, 1);
    run_text(&c, NULL, k_veth, flat, 1);
    fprintf(stderr, "send calls: %.3f, %.3f and %.3f datagrams a call\n",
            a.r->sum.sender_call_size, b.r->sum.sender_call_size, c.r->sum.sender_call_size);
    CHECK_NEAR(a.r->sum.sender_call_size, 1.0, 1e-9);
    CHECK_REL(a.r->sum.sender_calls_per_s, 100000, 0.01);
    CHECK_REL(b.r->sum.sender_call_size, 3.0, 0.05);
    CHECK_REL(b.r->sum.offered_pps, 300000, 0.01);
    CHECK_NEAR(c.r->sum.sender_call_size, 32.0, 1e-9);
    CHECK_REL(c.r->sum.sender_calls_per_s * 32, c.r->sum.offered_pps, 0.01);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* The threads' run time as schedstat counts it (no IRQ time accounting):
 * their own steps and whatever ran while one was its CPU's current task. In
 * vanilla, paced, CPU 0 runs only the sender and the receive path at its
 * local_bh_enable, CPU 1 only the reader: each thread's time is its CPU's
 * busy time. (With RPS and a livelock: test_read_runs_softirqs.) */
static void test_thread_run_time(void)
{
    const char *van[] = {"workload.rate_pps=100000"};
    struct run a;
    run_text(&a, NULL, k_veth, van, 1);
    const struct model_summary *s = &a.r->sum;
    double busy0 = 1 - a.r->busy_frac[0 * MODEL_CATS + MODEL_CATS - 1];
    double busy1 = 1 - a.r->busy_frac[1 * MODEL_CATS + MODEL_CATS - 1];
    CHECK_REL(s->sender_task_us_per_msg * s->offered_pps / 1e6, busy0, 1e-3);
    CHECK_REL(s->app_task_us_per_msg * s->throughput_pps / 1e6, busy1, 1e-3);
    CHECK_REL(s->sender_task_us_per_msg, 1.0 + 1.0 + 0.5 + 1.5, 0.01); /* call, send, frame, host_l4 */
    model_destroy(a.m);
}

/* cpu.ipi_recv_running_ns: an IPI that lands on a running CPU costs it that
 * much more hardirq time; one that finds it idle does not. RPS to CPU 2,
 * which runs only the 1.5 us softirq of a datagram every 10 us: every IPI
 * finds it idle. RPS to the reader's CPU 1 with a reader that needs 6 us a
 * datagram, Poisson arrivals: CPU 1 is often running when an IPI lands, and
 * each of those, and only those, costs 5 us. */
static void test_ipi_recv_running(void)
{
    const char *idle0[] = {"workload.rate_pps=100000", "workload.arrival=constant",
                           "policy.name=rps", "policy.rps_cpus=[2]"};
    const char *idle1[] = {"workload.rate_pps=100000", "workload.arrival=constant",
                           "policy.name=rps", "policy.rps_cpus=[2]",
                           "cpu.ipi_recv_running_ns=5000"};
    const char *busy1[] = {"workload.rate_pps=100000", "workload.arrival=poisson",
                           "policy.name=rps", "policy.rps_cpus=[1]", "app.recv_ns=6000",
                           "cpu.ipi_recv_running_ns=5000"};
    struct run a, b, c;
    run_text(&a, NULL, k_veth, idle0, SIM_ARRAY_LEN(idle0));
    run_text(&b, NULL, k_veth, idle1, SIM_ARRAY_LEN(idle1));
    run_text(&c, NULL, k_veth, busy1, SIM_ARRAY_LEN(busy1));
    CHECK_TRUE(a.r->ipis_recv[2] > 1000);
    CHECK_EQ_I64((int64_t)b.r->ipis_recv[2], (int64_t)a.r->ipis_recv[2]);
    CHECK_NEAR(b.r->busy_frac[2 * MODEL_CATS + CAT_HARDIRQ], 0.0, 1e-12);
    double secs = c.r->sum.measured_s;
    double running = c.r->busy_frac[1 * MODEL_CATS + CAT_HARDIRQ] * secs * 1e9 / 5000;
    fprintf(stderr, "IPIs on a running CPU: %.0f of %llu\n", running,
            (unsigned long long)c.r->ipis_recv[1]);
    CHECK_NEAR(running, floor(running + 0.5), 0.01); /* a whole number of 5 us charges */
    CHECK_TRUE(c.r->ipis_recv[1] > 100);
    CHECK_TRUE(running > 0.2 * (double)c.r->ipis_recv[1] && running < (double)c.r->ipis_recv[1]);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* kernel.skb_defer_max: the sender's CPU 0 allocates every skb and the
 * reader on CPU 1 frees it. In vanilla CPU 0 runs net_rx_action for every
 * datagram, which empties its list: never a kick. With RPS to CPU 2, CPU 0
 * runs it only to send RPS IPIs, and the reader kicks it: at most once per
 * max / 2 + 1 frees, each kick costing the reader cpu.ipi_send_ns. */
static void test_deferred_free(void)
{
    const char *van[] = {"kernel.skb_defer_max=4", "cpu.ipi_send_ns=5000"};
    struct run a;
    run_text(&a, NULL, k_veth, van, SIM_ARRAY_LEN(van));
    CHECK_EQ_I64(a.r->ipis_recv[0], 0);
    CHECK_TRUE(a.r->sum.throughput_pps > 1e5);
    model_destroy(a.m);
    const char *rps[] = {"kernel.skb_defer_max=4", "cpu.ipi_send_ns=5000", "policy.name=rps",
                         "policy.rps_cpus=[2]", "workload.rate_pps=300000",
                         "workload.arrival=poisson"};
    const char *off[] = {"kernel.skb_defer_max=0", "cpu.ipi_send_ns=5000", "policy.name=rps",
                         "policy.rps_cpus=[2]", "workload.rate_pps=300000",
                         "workload.arrival=poisson"};
    struct run b, c;
    run_text(&b, NULL, k_veth, rps, SIM_ARRAY_LEN(rps));
    run_text(&c, NULL, k_veth, off, SIM_ARRAY_LEN(off));
    double secs = b.r->sum.measured_s, reads = b.r->sum.throughput_pps * secs;
    double kicks = (double)b.r->ipis_recv[0];
    fprintf(stderr, "deferred free: %.0f reads, %.0f kicks, %.0f with it off\n", reads, kicks,
            (double)c.r->ipis_recv[0]);
    CHECK_TRUE(kicks > 0);
    CHECK_TRUE(kicks <= reads / 3 + 1);
    CHECK_EQ_I64(c.r->ipis_recv[0], 0);
    /* the reader's CPU: 0.5 us a read, 5 us a kick, nothing else */
    CHECK_REL(b.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], (reads * 500 + kicks * 5000) / (secs * 1e9),
              0.01);
    CHECK_REL(c.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], c.r->sum.throughput_pps * 500e-9, 0.01);
    model_destroy(b.m);
    model_destroy(c.m);

    /* cpu.skb_free_ns (0.4 us) is paid where the free runs. Vanilla, paced
     * at 100 k/s: every skb goes back to CPU 0, whose next net_rx_action
     * frees it as softirq time; the reader pays nothing more. Off: the reader
     * frees it. RPS to CPU 2: some here, some there, and every free paid
     * exactly once. The free's time moves when calls start, so how many
     * datagrams a call takes and how many RPS IPIs go out: calls cost nothing
     * here, and the IPIs' 5 us each is taken out of the difference. */
    const char *v0[] = {"kernel.skb_defer_max=64", "workload.rate_pps=100000"};
    const char *v1[] = {"kernel.skb_defer_max=64", "workload.rate_pps=100000",
                        "cpu.skb_free_ns=400"};
    const char *o1[] = {"kernel.skb_defer_max=0", "workload.rate_pps=100000",
                        "cpu.skb_free_ns=400"};
    const char *r0[] = {"kernel.skb_defer_max=4", "cpu.ipi_send_ns=5000", "policy.name=rps",
                        "policy.rps_cpus=[2]", "workload.rate_pps=300000",
                        "workload.arrival=poisson", "sender.call_ns=0"};
    const char *r1[] = {"kernel.skb_defer_max=4", "cpu.ipi_send_ns=5000", "policy.name=rps",
                        "policy.rps_cpus=[2]", "workload.rate_pps=300000",
                        "workload.arrival=poisson", "sender.call_ns=0", "cpu.skb_free_ns=400"};
    struct run fv0, fv1, fo1, fr0, fr1;
    run_text(&fv0, NULL, k_veth, v0, SIM_ARRAY_LEN(v0));
    run_text(&fv1, NULL, k_veth, v1, SIM_ARRAY_LEN(v1));
    run_text(&fo1, NULL, k_veth, o1, SIM_ARRAY_LEN(o1));
    run_text(&fr0, NULL, k_veth, r0, SIM_ARRAY_LEN(r0));
    run_text(&fr1, NULL, k_veth, r1, SIM_ARRAY_LEN(r1));
    const double *b0 = fv0.r->busy_frac, *b1 = fv1.r->busy_frac, *bo = fo1.r->busy_frac;
    CHECK_EQ_I64(fv1.r->sum.deliv_frames, fv0.r->sum.deliv_frames);
    CHECK_NEAR(b1[0 * MODEL_CATS + CAT_SOFTIRQ] - b0[0 * MODEL_CATS + CAT_SOFTIRQ], 0.04, 0.001);
    CHECK_NEAR(b1[1 * MODEL_CATS + CAT_SYSTEM], b0[1 * MODEL_CATS + CAT_SYSTEM], 1e-12);
    CHECK_NEAR(bo[1 * MODEL_CATS + CAT_SYSTEM] - b0[1 * MODEL_CATS + CAT_SYSTEM], 0.04, 0.001);
    CHECK_NEAR(bo[0 * MODEL_CATS + CAT_SOFTIRQ], b0[0 * MODEL_CATS + CAT_SOFTIRQ], 1e-12);
    double busy0 = 0, busy1 = 0;
    for (unsigned cpu = 0; cpu < 3; cpu++)
        for (unsigned k = 0; k + 1 < MODEL_CATS; k++) {
            busy0 += fr0.r->busy_frac[cpu * MODEL_CATS + k];
            busy1 += fr1.r->busy_frac[cpu * MODEL_CATS + k];
        }
    double freed = fr1.r->sum.throughput_pps * 400e-9; /* CPU-seconds a second */
    double more = busy1 - busy0 - (fr1.r->sum.ipis_per_s - fr0.r->sum.ipis_per_s) * 5e-6;
    fprintf(stderr, "skb free: %.4f CPU-s/s more, %.4f freed\n", more, freed);
    CHECK_TRUE(fr1.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ] >
               fr0.r->busy_frac[0 * MODEL_CATS + CAT_SOFTIRQ]);
    CHECK_TRUE(fr1.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM] >
               fr0.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM]);
    CHECK_REL(more, freed, 0.02);
    model_destroy(fv0.m);
    model_destroy(fv1.m);
    model_destroy(fo1.m);
    model_destroy(fr0.m);
    model_destroy(fr1.m);
}

/* Receive calls (app.call_ns, app.batch): bursts of 8 datagrams, one send
 * call each, 3 us apart on the sender's CPU (vanilla: 1.5 us to send, 1.5 us
 * of receive path), the first in its socket 4 us after the call began; a
 * slow reader on CPU 1 (5 us a read) drains a burst in one recvmmsg of 8,
 * which returns 44 us after the send call, the clock every datagram of it
 * is stamped with; with a call per datagram, datagram k returns at
 * 4 + 5 (k + 1) us (mean 26.5); with calls of 4, at 24 and 44 us (mean 34).
 * A call's 1 us is paid once per call: 8 per burst with vlen 1, 1 with 8. */
static void test_receive_calls(void)
{
    const char *common[] = {"workload.rate_pps=100000", "workload.burst=8",
                            "app.recv_ns=5000", "workload.arrival=constant"};
    const double mean_us[] = {26.5, 34.0, 44.0}, max_us[] = {44.0, 44.0, 44.0};
    const char *batches[] = {"app.batch=1", "app.batch=4", "app.batch=8"};
    for (int i = 0; i < 3; i++) {
        const char *sets[] = {common[0], common[1], common[2], common[3], batches[i]};
        struct run run;
        run_text(&run, NULL, k_veth, sets, SIM_ARRAY_LEN(sets));
        CHECK_NEAR(run.r->sum.send_latency_mean_us, mean_us[i], 0.05);
        CHECK_NEAR(run.r->sum.send_latency_p999_us, max_us[i], 0.3);
        /* the model's own latency is per read, whatever the batch: from
         * netif_rx (2.5 + 3k us) to the read's end, 6.5 + 2k us */
        CHECK_NEAR(run.r->sum.latency_mean_us, 13.5, 0.05);
        CHECK_EQ_I64(run.r->sum.drops, 0);
        model_destroy(run.m);
    }
    /* app.call_ns = 1 us, paid as the reader enters a call, before it looks
     * at its socket: asleep in a call it entered after the last burst, it
     * reads as soon as it is woken. With vlen 8 one call a burst (returning
     * at 44 us), with vlen 1 eight (datagram k returns at 9 + 6k us, mean
     * 30: the entry after each return comes before the next read); the
     * reader's system time is 12 500 bursts/s x (40 + 1) or (40 + 8) us */
    const double call_mean_us[] = {30.0, 44.0}, bursts = 1e5 / 8;
    const char *vlen[] = {"app.batch=1", "app.batch=8"};
    for (int i = 0; i < 2; i++) {
        const char *sets[] = {common[0], common[1], common[2], common[3], vlen[i],
                              "app.call_ns=1000"};
        struct run run;
        run_text(&run, NULL, k_veth, sets, SIM_ARRAY_LEN(sets));
        CHECK_NEAR(run.r->sum.send_latency_mean_us, call_mean_us[i], 0.05);
        CHECK_REL(run.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM],
                  bursts * (40.0 + (i == 0 ? 8.0 : 1.0)) * 1e-6, 0.01);
        model_destroy(run.m);
    }
}

/* The reader's cycle (app.call_ns > 0): its loop's user time comes after a
 * call returns, and the next call's entry before it looks at its socket, so
 * it sleeps in a call it has entered. A lone datagram every 100 us (send
 * call 1 us, datagram 1.5 us, host_l4 1.5 us, read 0.5 us): the reader,
 * woken as it lands, reads it and returns 4.5 us after the send call began,
 * its loop's 2 us of user time after that. With app.call_ns = 0 there is no
 * call to order: the user time is in the read, which returns at 6.5 us. The
 * reader's CPU time is the same bar the call's 1 us a datagram. */
static void test_call_cycle(void)
{
    const char *cycle[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                           "app.user_ns=2000", "app.call_ns=1000"};
    const char *folded[] = {cycle[0], cycle[1], cycle[2]};
    struct run a, b;
    run_text(&a, NULL, k_veth, cycle, SIM_ARRAY_LEN(cycle));
    run_text(&b, NULL, k_veth, folded, SIM_ARRAY_LEN(folded));
    CHECK_NEAR(a.r->sum.send_latency_p50_us, 4.5, 0.05);
    CHECK_NEAR(a.r->sum.send_latency_p999_us, 4.5, 0.05);
    CHECK_NEAR(b.r->sum.send_latency_p50_us, 6.5, 0.05);
    /* the model's own latency runs from netif_rx: host_l4 and the read */
    CHECK_NEAR(a.r->sum.latency_p50_us, 2.0, 0.05);
    CHECK_NEAR(b.r->sum.latency_p50_us, 4.0, 0.05);
    CHECK_REL(a.r->sum.app_wakeups_per_s, 10000, 0.01);
    CHECK_REL(b.r->sum.app_wakeups_per_s, 10000, 0.01);
    CHECK_REL(a.r->sum.app_calls_per_s, 10000, 0.01);
    CHECK_REL(a.r->busy_frac[1 * MODEL_CATS + CAT_USER], 10000 * 2e-6, 0.01);
    CHECK_REL(b.r->busy_frac[1 * MODEL_CATS + CAT_USER], 10000 * 2e-6, 0.01);
    CHECK_REL(a.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], 10000 * 1.5e-6, 0.01);
    CHECK_REL(b.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], 10000 * 0.5e-6, 0.01);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* cpu.syscall_return_ns: 0.6 us of each 1 us call is paid when the call
 * returns, after its work.
 * A lone datagram (20 000/s): the send call's 0.4 us entry, the datagram's
 * 1.5 us, host_l4's 1.5 us, the read's 0.5 us: from the send call to the
 * read's return 3.9 us instead of 4.5; the sender's return comes after the
 * softirq its transmit ran. Nobody's CPU time changes.
 * Bursts of two (one send call) to a reader whose read takes 2.5 us and whose
 * call takes 1 us: the datagrams reach the socket at 3.4 and 6.4 us. The
 * reader, asleep in its call and woken at 3.4 us, looks for more at 5.9 us,
 * finds none, and returns at 6.5 us; it enters its next call (0.4 us) and
 * looks at 6.9 us: the second is there, and returns at 10.0 us (mean 8.25
 * us, two calls a burst). Without the split they reach the socket at 4.0
 * and 7.0 us; the first read ends and returns at 6.5 us, the next call's
 * 1 us entry looks at 7.5 us: the same returns, the same calls, the same
 * CPU time. The split moves the send call's datagrams and the receive
 * call's return by the same 0.6 us.
 * cpu.syscall_return_user_ns 400: of each return, 0.4 us is counted as user
 * time: the reader's 20 000 calls a second move 0.8 % of its CPU from system
 * to user time, and nothing else changes. */
static void test_syscall_return(void)
{
    const char *lone[] = {"workload.rate_pps=20000", "workload.arrival=constant"};
    const char *lone_split[] = {lone[0], lone[1], "cpu.syscall_return_ns=600"};
    struct run a, b;
    run_text(&a, NULL, k_veth, lone, SIM_ARRAY_LEN(lone));
    run_text(&b, NULL, k_veth, lone_split, SIM_ARRAY_LEN(lone_split));
    CHECK_NEAR(a.r->sum.send_latency_p50_us, 4.5, 0.05);
    CHECK_NEAR(b.r->sum.send_latency_p50_us, 3.9, 0.05);
    CHECK_NEAR(b.r->sum.send_latency_p999_us, 3.9, 0.05);
    for (unsigned cpu = 0; cpu < 2; cpu++)
        for (unsigned cat = 0; cat < CAT_COUNT; cat++)
            CHECK_NEAR(b.r->busy_frac[cpu * MODEL_CATS + cat],
                       a.r->busy_frac[cpu * MODEL_CATS + cat], 1e-9);
    CHECK_NEAR(b.r->busy_frac[0 * MODEL_CATS + CAT_SYSTEM], 20000 * 2.5e-6, 1e-6);
    model_destroy(a.m);
    model_destroy(b.m);

    const char *pair[] = {"workload.rate_pps=20000", "workload.burst=2",
                          "workload.arrival=constant", "app.call_ns=1000", "app.recv_ns=2500",
                          "app.batch=8"};
    const char *pair_split[] = {pair[0], pair[1], pair[2], pair[3], pair[4], pair[5],
                                "cpu.syscall_return_ns=600"};
    struct run c, d;
    run_text(&c, NULL, k_veth, pair, SIM_ARRAY_LEN(pair));
    run_text(&d, NULL, k_veth, pair_split, SIM_ARRAY_LEN(pair_split));
    CHECK_NEAR(c.r->sum.send_latency_mean_us, 8.25, 0.05);
    CHECK_NEAR(d.r->sum.send_latency_mean_us, 8.25, 0.05);
    CHECK_NEAR(d.r->sum.send_latency_p50_us, 6.5, 0.05);
    CHECK_NEAR(d.r->sum.send_latency_p999_us, 10.0, 0.05);
    CHECK_REL(c.r->sum.app_calls_per_s, 20000, 0.01);
    CHECK_REL(d.r->sum.app_calls_per_s, 20000, 0.01);
    /* two calls of 1 us and two reads of 2.5 us a burst, split or not */
    CHECK_REL(c.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], 10000 * 7e-6, 0.01);
    CHECK_NEAR(d.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM],
               c.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM], 1e-6);
    const char *pair_user[] = {pair[0], pair[1], pair[2], pair[3], pair[4], pair[5],
                               "cpu.syscall_return_ns=600", "cpu.syscall_return_user_ns=400"};
    struct run e;
    run_text(&e, NULL, k_veth, pair_user, SIM_ARRAY_LEN(pair_user));
    CHECK_NEAR(e.r->sum.send_latency_mean_us, d.r->sum.send_latency_mean_us, 1e-9);
    CHECK_NEAR(e.r->sum.app_calls_per_s, d.r->sum.app_calls_per_s, 1e-9);
    CHECK_NEAR(e.r->busy_frac[1 * MODEL_CATS + CAT_USER],
               d.r->busy_frac[1 * MODEL_CATS + CAT_USER] + 20000 * 0.4e-6, 1e-4);
    CHECK_NEAR(e.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM],
               d.r->busy_frac[1 * MODEL_CATS + CAT_SYSTEM] - 20000 * 0.4e-6, 1e-4);
    CHECK_NEAR(1 - e.r->busy_frac[1 * MODEL_CATS + MODEL_CATS - 1],
               1 - d.r->busy_frac[1 * MODEL_CATS + MODEL_CATS - 1], 1e-9);
    model_destroy(c.m);
    model_destroy(d.m);
    model_destroy(e.m);
}

/* cpu.idle_poll_us / cpu.idle_exit: a reader whose CPU idled longer than
 * the poll window (200 us) waits the idle exit (50 us) on top of its wake-up.
 * Paced at 2000/s the reader's CPU idles ~500 us between datagrams: every
 * datagram's latency from the send call is 4.5 + 50 us; at 20 000/s it idles
 * ~50 us and nothing changes. */
static void test_idle_exit(void)
{
    const char *slow[] = {"workload.rate_pps=2000", "cpu.idle_poll_us=200",
                          "cpu.idle_exit=50000", "run.duration_ms=500"};
    const char *fast[] = {"workload.rate_pps=20000", "cpu.idle_poll_us=200",
                          "cpu.idle_exit=50000", "run.duration_ms=500"};
    struct run a, b;
    run_text(&a, NULL, k_veth, slow, SIM_ARRAY_LEN(slow));
    run_text(&b, NULL, k_veth, fast, SIM_ARRAY_LEN(fast));
    CHECK_NEAR(a.r->sum.send_latency_p50_us, 4.5 + 50, 0.05);
    CHECK_NEAR(a.r->sum.send_latency_p999_us, 4.5 + 50, 0.3);
    CHECK_NEAR(b.r->sum.send_latency_p50_us, 4.5, 0.05);
    CHECK_NEAR(b.r->sum.send_latency_p999_us, 4.5, 0.05);
    /* Noise on the idle reader's CPU (0.1 us every 50 us) does not end its
     * idle period: the halted CPU still pays the exit. */
    const char *noisy[] = {"workload.rate_pps=2000", "cpu.idle_poll_us=200",
                           "cpu.idle_exit=50000", "run.duration_ms=500", "noise.cpus=[1]",
                           "noise.gap=100", "noise.spacing=50000"};
    struct run c;
    run_text(&c, NULL, k_veth, noisy, SIM_ARRAY_LEN(noisy));
    CHECK_NEAR(c.r->sum.send_latency_p50_us, 4.5 + 50, 0.2);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* }===== */

/* {===== Kernel rules ===== */

/* Overload one backlog: drops are counted at the backlog, and at the
 * target CPU, and the queue never exceeds netdev_max_backlog + 1. */
static void test_backlog_overflow_and_budgets(void)
{
    const char *sets[] = {"workload.rate_pps=1500000", "workload.overlay_sender_cap_fps=0",
                          "run.duration_ms=30",
                          "run.warmup_ms=5"};
    struct run run;
    run_scenario(&run, "scenarios/udp_stress.cfg", sets, SIM_ARRAY_LEN(sets));
    const struct model_summary *s = &run.r->sum;
    CHECK_TRUE(s->drops_by[DROP_BACKLOG] > 1000);
    CHECK_TRUE(run.r->backlog_drops[1] > 1000);
    CHECK_EQ_I64(run.r->backlog_drops[0], 0);
    for (unsigned i = 0; i < run.m->ncpu; i++) {
        const struct cpu_stats *cs = &run.m->cs[i];
        CHECK_TRUE(cs->poll_work_max <= 64);
        CHECK_TRUE(cs->sirq_max_work <= 300 - 1 + 64);
    }
    /* the overloaded core's polls really used their whole weight (with two
     * NAPIs polled once per invocation the 300 budget is never reached:
     * net_rx_action ends when its list is drained) */
    CHECK_EQ_I64(run.m->cs[1].poll_work_max, 64);
    CHECK_TRUE(run.m->cs[1].sirq_max_work >= 128);
    model_destroy(run.m);
}

static const char *k_multiflow =
    "host: { cpus = 12; };\n"
    "nic: { rx_queues = 4; irq_cpus = [0, 1, 2, 3]; };\n"
    "workload: { flows = 32; rate_pps = 20000.0; arrival = \"poisson\"; };\n"
    "policy: { name = \"rps\"; rps_cpus = [4, 5, 6, 7]; };\n"
    "app: { cpus = [8, 9, 10, 11]; };\n"
    "run: { duration_ms = 20.0; warmup_ms = 5.0; sample_every = 7; sample_max = 100000; };\n";

/* RPS: every softirq after the first of a flow runs on one CPU, the map's
 * choice for its hash; RSS spreads the flows over the queues. */
static void test_rps_one_core_per_flow_and_rss_spread(void)
{
    struct run run;
    run_text(&run, NULL, k_multiflow, NULL, 0);
    const struct model_results *r = run.r;
    unsigned per_queue[4] = {0};
    for (uint32_t i = 0; i < r->nflows; i++)
        per_queue[r->flows[i].rx_queue]++;
    for (int q = 0; q < 4; q++)
        CHECK_TRUE(per_queue[q] >= 3); /* 32 flows over 4 queues */
    uint32_t checked = 0;
    for (uint32_t k = 0; k < r->nsamples; k++) {
        const struct model_sample *x = &r->samples[k];
        if (x->t_app_us < 0)
            continue;
        uint32_t h = r->flows[x->flow].hash;
        int want = 4 + (int)policy_reciprocal_scale(h, 4);
        CHECK_EQ_I64(x->cpu[ST_OUTER_L4], want);
        CHECK_EQ_I64(x->cpu[ST_GRO_CELL], want);
        CHECK_EQ_I64(x->cpu[ST_CONTAINER], want);
        CHECK_EQ_I64(x->cpu[ST_NIC_RX], r->flows[x->flow].rx_queue);
        checked++;
    }
    CHECK_TRUE(checked > 100);
    model_destroy(run.m);

    /* vanilla: one queue, everything on its IRQ CPU */
    const char *van[] = {"policy.name=vanilla"};
    run_text(&run, NULL, k_multiflow, van, 1);
    for (uint32_t k = 0; k < run.r->nsamples; k++) {
        const struct model_sample *x = &run.r->samples[k];
        if (x->t_app_us >= 0)
            CHECK_TRUE(x->cpu[ST_NIC_RX] == 0 && x->cpu[ST_CONTAINER] == 0);
    }
    model_destroy(run.m);
}

/* RFS: the flow's softirqs follow the application thread to its new CPU,
 * and no packet reaches the socket out of order. */
static void test_rfs_follows_migrating_thread(void)
{
    const char *text = "host: { cpus = 8; };\n"
                       "workload: { flows = 1; rate_pps = 300000.0; arrival = \"poisson\"; };\n"
                       "policy: { name = \"rfs\"; rps_cpus = [1]; };\n"
                       "app: { cpus = [2]; migrate_at_ms = 10.0; migrate_cpus = [5]; };\n"
                       "run: { duration_ms = 20.0; warmup_ms = 1.0; sample_every = 3;\n"
                       "       sample_max = 100000; };\n";
    struct run run;
    run_text(&run, NULL, text, NULL, 0);
    int before = 0, after = 0;
    for (uint32_t k = 0; k < run.r->nsamples; k++) {
        const struct model_sample *x = &run.r->samples[k];
        if (x->t_app_us < 0)
            continue;
        if (x->t_nic_us > 2000 && x->t_nic_us < 9000) {
            CHECK_EQ_I64(x->cpu[ST_CONTAINER], 2);
            before++;
        }
        if (x->t_nic_us > 11000) {
            CHECK_EQ_I64(x->cpu[ST_CONTAINER], 5);
            CHECK_EQ_I64(x->app_cpu, 5);
            after++;
        }
    }
    CHECK_TRUE(before > 100 && after > 100);
    CHECK_EQ_I64(run.r->sum.reorders, 0);
    CHECK_EQ_I64(run.r->sum.drops, 0);
    model_destroy(run.m);
}

/* ksoftirqd: with the application on the IRQ core, some NET_RX work is left
 * to ksoftirqd. Under the 5.4 rule a runnable ksoftirqd also swallows the
 * softirqs raised by later interrupts, and those pending at the
 * application's local_bh_enable, so more of the work runs inside it than
 * under the >= 6.5 rule, where hardirq exit and the application's reads
 * still process them (here all of it). */
static void test_ksoftirqd_modes(void)
{
    const char *base = "host: { cpus = 4; }; network: { mode = \"host\"; };\n"
                       "workload: { rate_pps = 800000.0; arrival = \"poisson\"; };\n"
                       "policy: { name = \"vanilla\"; }; app: { cpus = [0]; };\n"
                       "run: { duration_ms = 50.0; warmup_ms = 5.0; };";
    const char *old[] = {"kernel.ksoftirqd=5.4"}, *new_rule[] = {"kernel.ksoftirqd=6.5"};
    struct run a, b;
    run_text(&a, NULL, base, old, 1);
    run_text(&b, NULL, base, new_rule, 1);
    fprintf(stderr, "ksoftirqd share of core 0: 5.4 %.4f, 6.5 %.4f\n", a.r->ksoftirqd_frac[0],
            b.r->ksoftirqd_frac[0]);
    CHECK_TRUE(a.r->ksoftirqd_frac[0] > 0.01);
    CHECK_TRUE(a.r->ksoftirqd_frac[0] > 1.5 * b.r->ksoftirqd_frac[0]);
    /* and the application still gets the CPU (wake-up preemption) */
    CHECK_TRUE(a.r->busy_frac[CAT_USER] > 0.05);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* A hotspot flow changes its rate at the given time; the others do not. */
static void test_hotspot_rate_change(void)
{
    const char *text = "host: { cpus = 12; };\n"
                       "workload: { flows = 3; rate_pps = 50000.0; hotspot_flow = 1;\n"
                       "            hotspot_at_ms = 20.0; hotspot_rate_pps = 200000.0; };\n"
                       "app: { cpus = [2, 3, 4]; threads = 3; };\n"
                       "run: { duration_ms = 60.0; warmup_ms = 10.0; trace_window_us = 10000.0; };";
    struct run run;
    run_text(&run, NULL, text, NULL, 0);
    const struct model_results *r = run.r;
    CHECK_EQ_I64(r->nwin, 6);
    /* window 1 (10-20 ms): all at 50 K; window 4 (40-50 ms): flow 1 at 200 K */
    CHECK_REL(r->flow_pps[1 * 3 + 1], 50000, 0.05);
    CHECK_REL(r->flow_pps[4 * 3 + 1], 200000, 0.05);
    CHECK_REL(r->flow_pps[4 * 3 + 0], 50000, 0.05);
    CHECK_REL(r->flow_pps[4 * 3 + 2], 50000, 0.05);
    model_destroy(run.m);
}

/* A containerised UDP client pays its overlay transmit path per IP fragment:
 * 4 KB in 1500 B frames is 3 fragments, so a 300 K frames/s cap offers
 * 100 K messages/s; the host and FALCON runs ignore it, and TCP too. */
static void test_overlay_sender_frame_cap(void)
{
    const char *text = "host: { cpus = 8; };\n"
                       "network: { mode = \"overlay\"; };\n"
                       "workload: { rate_pps = 0.0; sender_cap_pps = 400000.0; message_bytes = 4096;\n"
                       "            overlay_sender_cap_fps = 300000.0; };\n"
                       "app: { cpus = [2]; };\n"
                       "run: { duration_ms = 20.0; warmup_ms = 5.0; };";
    const char *host[] = {"network.mode=host"};
    const char *falcon[] = {"policy.name=falcon"};
    const char *tcp[] = {"workload.protocol=tcp"};
    const char *small[] = {"workload.message_bytes=1000"};
    struct run run;
    run_text(&run, NULL, text, NULL, 0);
    CHECK_REL(run.r->sum.offered_pps, 100000, 0.02);
    model_destroy(run.m);
    run_text(&run, NULL, text, small, 1);
    CHECK_REL(run.r->sum.offered_pps, 300000, 0.02);
    model_destroy(run.m);
    run_text(&run, NULL, text, host, 1);
    CHECK_REL(run.r->sum.offered_pps, 400000, 0.02);
    model_destroy(run.m);
    /* the sender does not depend on the receiver's policy */
    run_text(&run, NULL, text, falcon, 1);
    CHECK_REL(run.r->sum.offered_pps, 100000, 0.02);
    model_destroy(run.m);
    run_text(&run, NULL, text, tcp, 1);
    CHECK_TRUE(run.r->sum.offered_pps > 150000);
    model_destroy(run.m);
    /* plus 5 us per datagram: 1 / (5 us + 3 / 300 K) = 66.7 K messages/s */
    const char *per_msg[] = {"workload.overlay_sender_msg_ns=5000"};
    run_text(&run, NULL, text, per_msg, 1);
    CHECK_REL(run.r->sum.offered_pps, 1e9 / 15000, 0.02);
    model_destroy(run.m);
}

/* Work done once per datagram: the bridge's and the container's
 * per_message_ns skip non-final IP fragments (4 KB = 3 fragments), and a
 * socket enqueue that wakes the sleeping reader costs app.waker_cost_ns on
 * the container stage. At 10 K messages/s the reader sleeps before each
 * one; one core runs every stage, and nothing else is charged to them. */
static void test_per_datagram_costs(void)
{
    const char *text =
        "host: { cpus = 4; };\n"
        "network: { mode = \"overlay\"; };\n"
        "policy: { name = \"vanilla\"; };\n"
        "cpu: { enqueue_local_ns = 0.0; enqueue_remote_ns = 0.0; migrate_ns = 0.0; };\n"
        "stage: { gro_cell: { cost = 100.0; per_message_ns = 1000.0; };\n"
        "         container: { cost = 200.0; per_message_ns = 50.0; }; };\n"
        "workload: { rate_pps = 10000.0; message_bytes = 4096; };\n"
        "app: { cpus = [2]; waker_cost_ns = 500.0; };\n"
        "run: { duration_ms = 40.0; warmup_ms = 5.0; };";
    const char *small[] = {"workload.message_bytes=16"};
    const char *no_waker[] = {"app.waker_cost_ns=0"};
    struct run run;
    run_text(&run, NULL, text, NULL, 0);
    CHECK_EQ_I64((int64_t)run.m->flows[0].frames_per_msg, 3);
    CHECK_REL(run.r->sum.throughput_pps, 10000, 0.01);
    CHECK_REL(run.r->stage_frac[ST_GRO_CELL], 10000 * (3 * 100 + 1000) * 1e-9, 0.02);
    CHECK_REL(run.r->stage_frac[ST_CONTAINER], 10000 * (3 * 200 + 50 + 500) * 1e-9, 0.02);
    model_destroy(run.m);
    run_text(&run, NULL, text, small, 1);
    CHECK_REL(run.r->stage_frac[ST_GRO_CELL], 10000 * (100 + 1000) * 1e-9, 0.02);
    CHECK_REL(run.r->stage_frac[ST_CONTAINER], 10000 * (200 + 50 + 500) * 1e-9, 0.02);
    model_destroy(run.m);
    run_text(&run, NULL, text, no_waker, 1);
    CHECK_REL(run.r->stage_frac[ST_CONTAINER], 10000 * (3 * 200 + 50) * 1e-9, 0.02);
    model_destroy(run.m);
}

/* A reader that sleeps before every message pays the wake-up on each:
 * app.wake_cost_ns of system time and app.wake_user_ns of user time. */
static void test_reader_wake_costs(void)
{
    const char *sets[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                          "run.duration_ms=100", "app.user_ns=100", "app.wake_cost_ns=2000",
                          "app.wake_user_ns=1000"};
    struct run run;
    run_text(&run, NULL, k_free, sets, SIM_ARRAY_LEN(sets));
    const double *app = &run.r->busy_frac[2 * MODEL_CATS];
    CHECK_REL(app[CAT_USER], 10000 * (100 + 1000) * 1e-9, 0.02);
    CHECK_REL(app[CAT_SYSTEM], 10000 * 2000 * 1e-9, 0.02);
    /* every message finds its reader asleep, on another CPU */
    CHECK_REL(run.r->sum.app_wakeups_per_s, 10000, 0.02);
    CHECK_REL(run.r->sum.wake_ipis_per_s, 10000, 0.02);
    model_destroy(run.m);

    /* The reader's own CPU is idle at every wake-up: the idle exit's extra
     * system and user time come on top. */
    const char *idle[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                          "run.duration_ms=100", "app.user_ns=100", "app.wake_cost_ns=2000",
                          "app.wake_user_ns=1000", "app.idle_wake_ns=500",
                          "app.idle_wake_user_ns=300"};
    run_text(&run, NULL, k_free, idle, SIM_ARRAY_LEN(idle));
    app = &run.r->busy_frac[2 * MODEL_CATS];
    CHECK_REL(app[CAT_USER], 10000 * (100 + 1000 + 300) * 1e-9, 0.02);
    CHECK_REL(app[CAT_SYSTEM], 10000 * (2000 + 500) * 1e-9, 0.02);
    model_destroy(run.m);

    /* Woken by the softirq on its own CPU, which is still running: no idle
     * exit. Everything on CPU 0 (vanilla), 1 us of IP/UDP a packet. */
    const char *shared[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                            "run.duration_ms=100", "policy.name=vanilla", "app.cpus=0",
                            "stage.host_l4.cost=1000", "app.user_ns=100",
                            "app.wake_cost_ns=2000", "app.wake_user_ns=1000",
                            "app.idle_wake_ns=500", "app.idle_wake_user_ns=300"};
    run_text(&run, NULL, k_free, shared, SIM_ARRAY_LEN(shared));
    app = &run.r->busy_frac[0];
    CHECK_REL(app[CAT_USER], 10000 * (100 + 1000) * 1e-9, 0.02);
    CHECK_REL(app[CAT_SYSTEM], 10000 * 2000 * 1e-9, 0.02);
    model_destroy(run.m);
}

/* app.wakeup_latency_to: a latency measured to the read's return (the kit's
 * probe) already holds the reader's switch-in, which its first read pays,
 * and the call's return; the thread waits the rest. It entered the call
 * before it slept, so the call's entry is not in it. Every message wakes its
 * reader (10 k/s, constant spacing, everything else free): the NIC-to-read
 * latency is wake + wake_cost under "runnable", wake under "read", and
 * wake_cost under "read" when the latency is shorter than that. With 0.6 us
 * of the call paid at its return the read ends 0.6 us before the wake-up's
 * 5 us are up, and the call returns at 5 us. */
static void test_wakeup_latency_to_read(void)
{
    const char *base[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                          "run.duration_ms=100", "app.wake_cost_ns=2000", "app.call_ns=1000",
                          "app.wakeup_latency=5000"};
    const char *to_read[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                             "run.duration_ms=100", "app.wake_cost_ns=2000", "app.call_ns=1000",
                             "app.wakeup_latency=5000", "app.wakeup_latency_to=read"};
    const char *short_read[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                                "run.duration_ms=100", "app.wake_cost_ns=2000",
                                "app.call_ns=1000", "app.wakeup_latency=1000",
                                "app.wakeup_latency_to=read"};
    const char *split_read[] = {"workload.rate_pps=10000", "workload.arrival=constant",
                                "run.duration_ms=100", "app.wake_cost_ns=2000",
                                "app.call_ns=1000", "app.wakeup_latency=5000",
                                "app.wakeup_latency_to=read", "cpu.syscall_return_ns=600"};
    struct run a, b, c, d;
    run_text(&a, NULL, k_free, base, SIM_ARRAY_LEN(base));
    run_text(&b, NULL, k_free, to_read, SIM_ARRAY_LEN(to_read));
    run_text(&c, NULL, k_free, short_read, SIM_ARRAY_LEN(short_read));
    run_text(&d, NULL, k_free, split_read, SIM_ARRAY_LEN(split_read));
    CHECK_REL(a.r->sum.app_wakeups_per_s, 10000, 0.01);
    CHECK_REL(b.r->sum.app_wakeups_per_s, 10000, 0.01);
    CHECK_NEAR(a.r->sum.latency_p50_us, 7.0, 0.05);
    CHECK_NEAR(b.r->sum.latency_p50_us, 5.0, 0.05);
    CHECK_NEAR(c.r->sum.latency_p50_us, 2.0, 0.05);
    CHECK_NEAR(d.r->sum.latency_p50_us, 4.4, 0.05);
    model_destroy(d.m);
    /* the reader's CPU time is the same: only the wait moved */
    CHECK_NEAR(a.r->busy_frac[2 * MODEL_CATS + CAT_SYSTEM],
               b.r->busy_frac[2 * MODEL_CATS + CAT_SYSTEM], 1e-4);
    model_destroy(a.m);
    model_destroy(b.m);
    model_destroy(c.m);
}

/* Conservation holds (model_finish asserts it) across modes and workloads. */
static void test_conservation_everywhere(void)
{
    const char *texts[] = {
        "network: { mode = \"host\"; }; run: { duration_ms = 5.0; warmup_ms = 1.0; };\n"
        "workload: { rate_pps = 3000000.0; };",
        "workload: { protocol = \"tcp\"; message_bytes = 4096; };\n"
        "app: { rcvbuf_bytes = 6291456; }; run: { duration_ms = 5.0; warmup_ms = 1.0; };",
        "workload: { message_bytes = 65000; rate_pps = 40000.0; };\n"
        "run: { duration_ms = 5.0; warmup_ms = 1.0; };",
        "workload: { type = \"rr\"; clients = 2; connections = 20; outstanding = 2; };\n"
        "app: { cpus = [2, 3]; threads = 4; }; run: { duration_ms = 5.0; warmup_ms = 1.0; };",
        "workload: { type = \"web\"; protocol = \"tcp\"; clients = 1; connections = 30;\n"
        "  cache_delay = 20000.0; db_delay = 50000.0; think_us = 50.0; };\n"
        "app: { cpus = [2, 3]; threads = 4; }; run: { duration_ms = 10.0; warmup_ms = 2.0; };",
    };
    for (size_t i = 0; i < SIM_ARRAY_LEN(texts); i++) {
        struct run run;
        run_text(&run, NULL, texts[i], NULL, 0);
        const struct model_summary *s = &run.r->sum;
        CHECK_EQ_I64(s->gen_frames, s->deliv_frames + s->dropped_frames + s->inflight_frames);
        CHECK_TRUE(s->deliv_frames > 0);
        model_destroy(run.m);
    }
}

/* Loads a bundled scenario with overrides, runs it and checks that every
 * frame is accounted for (model_finish asserts conservation). Returns
 * false, with a message in err, where the scenario refuses the overrides. */
/* The largest share of the event set's capacity (sized by the model from
 * the scenario) any run of the property grid used, and which run. */
static double g_peak_event_use;
static char g_peak_event_case[512];

static bool run_bundled(const char *rel, const char *const *sets, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", TEST_SOURCE_DIR, rel);
    struct sim_params p;
    struct scenario_text t;
    struct sim_err err = {{0}};
    if (scenario_load(path, NULL, sets, n, &p, &t, &err) != SIM_OK) {
        CHECK_TRUE(err.msg[0] != '\0');
        return false;
    }
    scenario_text_free(&t);
    struct model *m = model_create(&p, &err);
    if (m == NULL) {
        CHECK_TRUE(err.msg[0] != '\0');
        return false;
    }
    model_run_until(m, model_duration(m));
    const struct model_results *res = model_finish(m);
    CHECK_TRUE(model_check(m));
    CHECK_EQ_I64(res->sum.gen_frames,
                 res->sum.deliv_frames + res->sum.dropped_frames + res->sum.inflight_frames);
    CHECK_TRUE(res->sum.deliv_frames > 0);
    double use = (double)engine_peak_pending(m->eng) / (double)engine_capacity(m->eng);
    if (use > g_peak_event_use) {
        g_peak_event_use = use;
        snprintf(g_peak_event_case, sizeof g_peak_event_case, "%s", rel);
        for (size_t i = 0; i < n; i++)
            snprintf(g_peak_event_case + strlen(g_peak_event_case),
                     sizeof g_peak_event_case - strlen(g_peak_event_case), " %s", sets[i]);
    }
    model_destroy(m);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every bundled scenario (every .cfg file in scenarios/, so a new one is covered
 * without touching this test) under every policy, with one to 64 clients
 * (10 connections each, to keep it short) and NIC rings of 1 to 1024
 * slots, finishes with every frame accounted for. A combination a scenario
 * cannot take must be refused with a message, never crash. */
static void test_scenarios_policies_clients_rings(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/scenarios", TEST_SOURCE_DIR);
    DIR *d = opendir(dir);
    CHECK_TRUE(d != NULL);
    char *scenarios[256];
    size_t nsc = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL && nsc < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".cfg") == 0)
            scenarios[nsc++] = xstrdup(e->d_name);
    }
    if (d != NULL)
        closedir(d);
    qsort(scenarios, nsc, sizeof *scenarios, cmp_str);
    CHECK_TRUE(nsc >= 14);
    static const char *const clients[] = {"1", "8", "64"};
    static const char *const rings[] = {"1", "4", "1024"};
    unsigned ran = 0, refused = 0;
    for (size_t s = 0; s < nsc; s++)
        for (unsigned pol = 0; pol < policy_count(); pol++)
            for (size_t c = 0; c < SIM_ARRAY_LEN(clients); c++)
                for (size_t r = 0; r < SIM_ARRAY_LEN(rings); r++) {
                    char set_pol[64], set_cl[64], set_ring[64], set_batch[64];
                    snprintf(set_pol, sizeof set_pol, "policy.name=%s", k_policy_names[pol]);
                    snprintf(set_cl, sizeof set_cl, "workload.clients=%s", clients[c]);
                    snprintf(set_ring, sizeof set_ring, "nic.ring_size=%s", rings[r]);
                    /* a micro-flow is at most a ring long (mflow_validate) */
                    snprintf(set_batch, sizeof set_batch, "policy.mflow_batch=%d",
                             atoi(rings[r]) < 256 ? atoi(rings[r]) : 256);
                    const char *sets[] = {set_pol, set_cl, set_ring, set_batch,
                                          "workload.connections=10", "run.duration_ms=3",
                                          "run.warmup_ms=1"};
                    if (run_bundled(scenarios[s], sets, SIM_ARRAY_LEN(sets)))
                        ran++;
                    else
                        refused++;
                }
    CHECK_EQ_I64(ran + refused, (int64_t)(nsc * policy_count() * SIM_ARRAY_LEN(clients) *
                                          SIM_ARRAY_LEN(rings)));
    for (size_t s = 0; s < nsc; s++)
        free(scenarios[s]);
    CHECK_EQ_I64(refused, 0);
    printf("%zu scenarios x policies x clients x rings: %u ran\n", nsc, ran);
    printf("event set: at most %.1f %% of its capacity pending (%s)\n", 100 * g_peak_event_use,
           g_peak_event_case);
    CHECK_TRUE(g_peak_event_use < 0.25); /* the margins of event_bound (model.c) */
}

/* Regressions: the web workload re-sent a TCP message once per lost segment
 * (and a backend's response refused by a full switch buffer as a new call),
 * so a worker got more responses than it asked for and aborted (20 clients,
 * at 22-25 ms; 2 clients with a 4-slot ring, at 14 ms). */
static void test_web_lost_segments(void)
{
    const char *many[] = {"workload.clients=20", "run.duration_ms=30", "run.warmup_ms=2"};
    const char *ring[] = {"workload.clients=2", "nic.ring_size=4", "run.duration_ms=20",
                          "run.warmup_ms=2"};
    CHECK_TRUE(run_bundled("webserving.cfg", many, SIM_ARRAY_LEN(many)));
    CHECK_TRUE(run_bundled("webserving.cfg", ring, SIM_ARRAY_LEN(ring)));
}

/* GRO splitting: with several TCP flows, GRO runs in the split CPUs'
 * backlog polls and holds skbs there; every check still balances. */
static void test_gro_split_multiflow(void)
{
    const char *sets[] = {"policy.name=falcon", "workload.protocol=tcp",
                          "workload.message_bytes=4096", "workload.rate_pps=0",
                          "workload.flows=5", "app.rcvbuf_bytes=6291456",
                          "workload.tcp_window_bytes=1048576", "run.duration_ms=20",
                          "run.warmup_ms=5", "policy.falcon_cpus=15,16,17,18,19",
                          "policy.grosplit_cpus=25,26,27"};
    struct run run;
    run_scenario(&run, "scenarios/multiflow.cfg", sets, SIM_ARRAY_LEN(sets));
    /* GRO ran on the split CPUs, not on the IRQ CPUs */
    double split_busy = 0;
    for (unsigned c = 25; c <= 27; c++)
        split_busy += run.r->busy_frac[c * MODEL_CATS + CAT_SOFTIRQ];
    CHECK_TRUE(split_busy > 0.5);
    CHECK_TRUE(run.r->sum.throughput_gbps > 10);
    model_destroy(run.m);
}

/* Web serving: every operation reads one request and all its backend
 * responses; an operation's round trip is at least the slower tier's delay. */
static void test_web_fan_out(void)
{
    const char *text = "workload: { type = \"web\"; protocol = \"udp\"; clients = 1;\n"
                       "  connections = 20; cache_calls = 2; db_calls = 1; cache_delay = 30000.0;\n"
                       "  db_delay = 80000.0; think_us = 100.0; response_limit_ms = 1.0; };\n"
                       "app: { cpus = [2, 3]; threads = 4; };\n"
                       "run: { duration_ms = 40.0; warmup_ms = 10.0; };";
    struct run run;
    run_text(&run, NULL, text, NULL, 0);
    const struct model_summary *s = &run.r->sum;
    /* delivered messages = operations x (1 request + 3 responses) */
    CHECK_REL(s->throughput_pps, 4 * s->rr_per_s, 0.02);
    CHECK_TRUE(s->rr_per_s > 1000);
    CHECK_TRUE(s->rtt_p50_us > 80 + 2 * 10); /* db delay + client delay both ways */
    CHECK_TRUE(s->rr_ok_per_s <= s->rr_per_s && s->rr_ok_per_s > 0.9 * s->rr_per_s);
    model_destroy(run.m);
}

/* TCP: GRO merges segments at the NIC, up to 64 KB. */
static void test_tcp_gro(void)
{
    const char *text = "workload: { protocol = \"tcp\"; message_bytes = 65536; };\n"
                       "app: { rcvbuf_bytes = 6291456; };\n"
                       "run: { duration_ms = 5.0; warmup_ms = 1.0; };";
    struct run run;
    run_text(&run, NULL, text, NULL, 0);
    /* far fewer skbs than frames reached the sockets */
    CHECK_TRUE(run.r->sum.deliv_frames > 1000);
    CHECK_TRUE(run.r->sum.throughput_gbps > 1);
    CHECK_EQ_I64(run.r->sum.reorders, 0);
    model_destroy(run.m);
    /* Every TCP skb pays per_message_ns (only non-final IP fragments skip
     * it): moving 300 ns from the container's cost to its per_message_ns
     * changes nothing, in the overlay, where a message end and an skb end
     * rarely coincide. */
    const char *as_cost[] = {"network.mode=overlay", "stage.container.cost=300",
                             "stage.container.per_message_ns=0"};
    const char *as_msg[] = {"network.mode=overlay", "stage.container.cost=0",
                            "stage.container.per_message_ns=300"};
    struct run a, b;
    run_text(&a, NULL, text, as_cost, SIM_ARRAY_LEN(as_cost));
    run_text(&b, NULL, text, as_msg, SIM_ARRAY_LEN(as_msg));
    CHECK_TRUE(a.r->sum.deliv_frames > 1000);
    CHECK_EQ_I64((int64_t)b.r->sum.deliv_frames, (int64_t)a.r->sum.deliv_frames);
    CHECK_NEAR(b.r->stage_frac[1 * MODEL_STAGES + ST_CONTAINER] +
                   b.r->stage_frac[0 * MODEL_STAGES + ST_CONTAINER],
               a.r->stage_frac[1 * MODEL_STAGES + ST_CONTAINER] +
                   a.r->stage_frac[0 * MODEL_STAGES + ST_CONTAINER],
               1e-12);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* {===== FALCON end to end ===== */

/* With one core there is nothing to pipeline onto: FALCON changes nothing. */
static void test_falcon_one_core(void)
{
    const char *base[] = {"host.cpus=1", "nic.irq_cpus=0", "policy.rps_cpus=0",
                          "policy.falcon_cpus=0", "app.cpus=0", "workload.rate_pps=200000",
                          "policy.name=rps"};
    struct run a, b;
    run_scenario(&a, "scenarios/udp_stress.cfg", base, SIM_ARRAY_LEN(base));
    base[SIM_ARRAY_LEN(base) - 1] = "policy.name=falcon";
    run_scenario(&b, "scenarios/udp_stress.cfg", base, SIM_ARRAY_LEN(base));
    CHECK_REL(b.r->sum.throughput_pps, a.r->sum.throughput_pps, 0.01);
    CHECK_REL(b.r->sum.latency_mean_us, a.r->sum.latency_mean_us, 0.05);
    CHECK_REL(b.r->sum.cpu_busy_cores, a.r->sum.cpu_busy_cores, 0.02);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* Six receive cores are also the FALCON cores (Fig. 14's setup), six heavy
 * flows: the second choice moves a (flow, device) at sampling boundaries
 * and can reorder; static hashing never does. */
static void test_falcon_static_never_reorders(void)
{
    const char *text =
        "host: { cpus = 16; }; kernel: { hz = 1000; };\n"
        "nic: { rx_queues = 6; irq_cpus = [0, 2, 4, 6, 8, 10]; };\n"
        "workload: { flows = 6; rate_pps = 150000.0; arrival = \"poisson\"; };\n"
        "policy: { rps_cpus = [0, 2, 4, 6, 8, 10]; falcon_cpus = [0, 2, 4, 6, 8, 10]; };\n"
        "app: { cpus = [12, 13, 14, 15]; threads = 4; };\n"
        "run: { duration_ms = 300.0; warmup_ms = 50.0; };";
    const char *stat[] = {"policy.name=falcon_static"}, *dyn[] = {"policy.name=falcon"};
    struct run a, b;
    run_text(&a, NULL, text, stat, 1);
    run_text(&b, NULL, text, dyn, 1);
    fprintf(stderr, "reorders: falcon_static %llu, falcon %llu\n",
            (unsigned long long)a.r->sum.reorders, (unsigned long long)b.r->sum.reorders);
    CHECK_EQ_I64(a.r->sum.reorders, 0);
    CHECK_TRUE(a.r->sum.throughput_pps > 0.99 * a.r->sum.offered_pps);
    model_destroy(a.m);
    model_destroy(b.m);
}

/* }===== */

/* {===== First calibration: FALCON Fig. 10 and 11, 16 B UDP, 100G ===== */

static void test_calibration_udp_stress(void)
{
    const char *host[] = {"network.mode=host"}, *falcon[] = {"policy.name=falcon"};
    struct run h, c, f;
    run_scenario(&h, "scenarios/udp_stress.cfg", host, 1);
    run_scenario(&c, "scenarios/udp_stress.cfg", NULL, 0);
    run_scenario(&f, "scenarios/udp_stress_falcon.cfg", falcon, 1); /* its own sender */
    /* Fig. 10, 5.4/100G: Host 2000, Con 550, FALCON 1300 Kpps. The fitted
     * costs (scenarios/include/xeon4114-100g-costs.cfg) land within 5 %
     * (docs/calibration.md); asserted here within 10 %. */
    CHECK_REL(h.r->sum.throughput_pps, 2.0e6, 0.10);
    CHECK_REL(c.r->sum.throughput_pps, 0.55e6, 0.10);
    CHECK_REL(f.r->sum.throughput_pps, 1.3e6, 0.10);
    /* Issue 3: FALCON delivers at least twice the paper's Con. */
    CHECK_TRUE(f.r->sum.throughput_pps >= 2 * 0.55e6);
    /* Fig. 11, per core (busy = 1 - idle), within 10 points:
     *   Host   100 100 100 (app usr 29 + sys 71)
     *   Con     29 100  66
     *   FALCON  62  93 100  95 42  (cores 0 1 2, then the bridge/veth core and
     *   the container core, which the model's hash puts on 3 and 4) */
    const struct {
        const struct run *r;
        unsigned cpu;
        double busy;
    } cores[] = {{&h, 0, 1.0},  {&h, 1, 1.0},  {&h, 2, 1.0}, {&c, 0, 0.29}, {&c, 1, 1.0},
                 {&f, 0, 0.62}, {&f, 1, 0.93}, {&f, 3, 0.95}, {&f, 4, 0.42}};
    for (size_t i = 0; i < SIM_ARRAY_LEN(cores); i++) {
        const double *b = &cores[i].r->r->busy_frac[cores[i].cpu * MODEL_CATS];
        CHECK_NEAR(1 - b[MODEL_CATS - 1], cores[i].busy, 0.10);
    }
    /* The app core's split and Con's app load are the fit's known misses
     * (docs/calibration.md): the user share is 33 % against 29 %, and Con's
     * app core is 49 % busy against 66 %. Asserted around the paper's values
     * with room for those misses, so that a change that widens them is seen. */
    CHECK_NEAR(h.r->busy_frac[2 * MODEL_CATS + CAT_USER], 0.29, 0.10);
    CHECK_NEAR(1 - c.r->busy_frac[2 * MODEL_CATS + MODEL_CATS - 1], 0.66, 0.25);
    CHECK_TRUE(c.r->busy_frac[3 * MODEL_CATS + MODEL_CATS - 1] > 0.999); /* core 3 idle */
    /* Per-stage accounting covers the softirq time (IPI sends aside): core 1
     * runs the three post-NIC stages, core 0 the NIC ones. */
    for (unsigned cpu = 0; cpu < 2; cpu++) {
        double sum = 0;
        for (int st = 0; st < ST_COUNT; st++)
            sum += c.r->stage_frac[cpu * MODEL_STAGES + (unsigned)st];
        CHECK_NEAR(sum, c.r->busy_frac[cpu * MODEL_CATS + CAT_SOFTIRQ], 0.005);
    }
    CHECK_TRUE(c.r->stage_frac[1 * MODEL_STAGES + ST_GRO_CELL] > 0.2);
    CHECK_NEAR(c.r->stage_frac[0 * MODEL_STAGES + ST_GRO_CELL], 0, 0);
    /* NET_RX inflation: the overlay raises more softirqs per packet */
    double host_per_pkt = h.r->sum.netrx_per_s / h.r->sum.throughput_pps;
    double con_per_pkt = c.r->sum.netrx_per_s / c.r->sum.throughput_pps;
    CHECK_TRUE(con_per_pkt > host_per_pkt);
    model_destroy(h.m);
    model_destroy(c.m);
    model_destroy(f.m);
}

/* docs/calibration.md argues that no cost set of the model's form meets
 * Fig. 10's Con 4 KB point on Linux 5.4 together with its 1 KB and 64 KB
 * points: every cost is linear in datagrams, IP fragments and bytes, and
 * the slowest resource sets the rate, so a 4 KB datagram (3 fragments,
 * 4 104 UDP bytes) takes at most l1 of a 1 KB one (1, 1 032) plus l64 of a
 * 64 KB one (47, 65 544), with l64 = 3072 / 64512 and l1 = 1 - l64. This
 * checks that the model keeps that property, for each system, at the
 * shipped costs (2 % for sampling noise). */
static void test_message_size_dominance(void)
{
    const char *mode[] = {"network.mode=host", "policy.name=rps", "policy.name=falcon"};
    const char *bytes[] = {"workload.message_bytes=1024", "workload.message_bytes=4096",
                           "workload.message_bytes=65536"};
    const double l64 = 3072.0 / 64512.0, l1 = 1 - l64;
    for (size_t m = 0; m < SIM_ARRAY_LEN(mode); m++) {
        double t[SIM_ARRAY_LEN(bytes)];
        for (size_t b = 0; b < SIM_ARRAY_LEN(bytes); b++) {
            const char *sets[] = {mode[m], bytes[b]};
            struct run run;
            run_scenario(&run, "scenarios/udp_stress.cfg", sets, 2);
            t[b] = 1 / run.r->sum.throughput_pps;
            model_destroy(run.m);
        }
        CHECK_TRUE(t[1] <= 1.02 * (l1 * t[0] + l64 * t[2]));
    }
}

/* }===== */

/* `test_model` runs everything; `test_model property` only the property
 * tests over every bundled scenario, `test_model rest` the others, so the
 * suite can run the two halves in parallel (the sanitizer build is slow). */
int main(int argc, char **argv)
{
    const char *part = argc > 1 ? argv[1] : "all";
    bool property = strcmp(part, "property") == 0 || strcmp(part, "all") == 0;
    bool rest = strcmp(part, "rest") == 0 || strcmp(part, "all") == 0;
    if (!property && !rest) {
        fprintf(stderr, "usage: test_model [all|property|rest]\n");
        return 64;
    }
    if (property) {
        test_conservation_everywhere();
        test_scenarios_policies_clients_rings();
    }
    if (!rest)
        return check_report("test_model");
    test_mm1_md1();
    test_tandem_two_cores();
    test_one_core_sums();
    test_determinism();
    test_traffic_independent_of_policy();
    test_hash_seed_independent_of_traffic_seed();
    test_empirical_quantiles();
    test_noise_busy_time();
    test_noise_idle_share();
    test_noise_idle_knee();
    test_noise_stall_share();
    test_noise_shared();
    test_noise_stall_shared();
    test_noise_shared_queue();
    test_waker_pays_every_wakeup();
    test_dist_mean_above();
    test_noise_latency_tail();
    test_contention();
    test_sender_veth();
    test_remote_splice();
    test_sender_spin();
    test_sender_call_size();
    test_ipi_send_idle();
    test_ipi_trap_leave();
    test_sndbuf();
    test_waker_ipi();
    test_receive_calls();
    test_syscall_return();
    test_call_cycle();
    test_deferred_free();
    test_read_runs_softirqs();
    test_thread_run_time();
    test_sender_calls();
    test_ipi_recv_running();
    test_idle_exit();
    test_backlog_overflow_and_budgets();
    test_rps_one_core_per_flow_and_rss_spread();
    test_rfs_follows_migrating_thread();
    test_ksoftirqd_modes();
    test_hotspot_rate_change();
    test_overlay_sender_frame_cap();
    test_per_datagram_costs();
    test_reader_wake_costs();
    test_wakeup_latency_to_read();
    test_web_lost_segments();
    test_tcp_gro();
    test_web_fan_out();
    test_gro_split_multiflow();
    test_calibration_udp_stress();
    test_message_size_dominance();
    test_falcon_one_core();
    test_falcon_static_never_reorders();
    return check_report("test_model");
}
