/*
 * test_scenario.c: parsing, defaults, overrides and every kind of bad input,
 * with the exact message a user sees.
 */
#include "check.h"
#include "policy.h"
#include "scenario.h"

#include <stdlib.h>

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined by the build"
#endif

static int load_file(const char *name, const char *const *sets, size_t n, struct sim_params *p,
                     struct sim_err *err)
{
    char path[1024];
    struct scenario_text t;
    snprintf(path, sizeof path, "%s/%s", TEST_DATA_DIR, name);
    int rc = scenario_load(path, NULL, sets, n, p, &t, err);
    scenario_text_free(&t);
    return rc;
}

static int load_text(const char *text, const char *const *sets, size_t n, struct sim_params *p,
                     struct sim_err *err)
{
    struct scenario_text t;
    int rc = scenario_load(NULL, text, sets, n, p, &t, err);
    scenario_text_free(&t);
    return rc;
}

/* The value of one of the run's keys, wherever its row puts it. */
static const void *run_value(const struct sim_params *p, const char *key)
{
    const struct param_spec *spec = params_run_find(p, key);
    CHECK_TRUE(spec != NULL);
    return (const char *)p + spec->offset;
}

static void test_defaults(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    CHECK_EQ_I64(load_text("", NULL, 0, &p, &err), SIM_OK);
    CHECK_EQ_I64(p.kernel.napi_weight, 64);
    CHECK_EQ_I64(p.kernel.netdev_budget, 300);
    CHECK_EQ_I64(p.kernel.netdev_max_backlog, 1000);
    CHECK_EQ_I64(p.policy.name, policy_id("rps"));
    CHECK_EQ_I64(p.network.mode, NET_OVERLAY);
    CHECK_EQ_I64(p.app.cpus.n, 1);
    CHECK_EQ_I64(p.app.cpus.cpu[0], 2);
    CHECK_NEAR(p.stage[ST_GRO_CELL].cost.mean_ns, 830, 0);
    CHECK_EQ_I64(p.stage[ST_GRO_CELL].cost.kind, DIST_CONST);
}

static void test_values_and_overrides(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    const char *text = "nic: { link_gbps = 10; irq_cpus = [0, 1]; rx_queues = 2; };\n"
                       "stage: { container: { cost = { dist = \"lognormal\"; mean_ns = 600.0; "
                       "cv = 0.5; }; }; };\n";
    const char *sets[] = {"workload.flows=7", "policy.rps_cpus=3,4", "stage.outer_l4.cost=123",
                          "stage.gro_cell.cost.dist=exponential", "--seed-ignored=1"};
    CHECK_EQ_I64(load_text(text, sets, 4, &p, &err), SIM_OK);
    CHECK_NEAR(p.nic.link_gbps, 10, 0); /* an integer literal where a real is wanted */
    CHECK_EQ_I64(p.nic.irq_cpus.n, 2);
    CHECK_EQ_I64(p.workload.flows, 7);
    const struct cpu_list *rps = run_value(&p, "policy.rps_cpus");
    CHECK_EQ_I64(rps->n, 2);
    CHECK_EQ_I64(rps->cpu[1], 4);
    CHECK_NEAR(p.stage[ST_OUTER_L4].cost.mean_ns, 123, 0);
    CHECK_EQ_I64(p.stage[ST_CONTAINER].cost.kind, DIST_LOGNORMAL);
    CHECK_NEAR(p.stage[ST_CONTAINER].cost.cv, 0.5, 0);
    /* a dist member on a key given as a plain number keeps the number as the mean */
    CHECK_EQ_I64(p.stage[ST_GRO_CELL].cost.kind, DIST_EXP);
    CHECK_NEAR(p.stage[ST_GRO_CELL].cost.mean_ns, 830, 0);

    CHECK_EQ_I64(load_text("", sets + 4, 1, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: '--seed-ignored' is not a known key");
    const char *bad_int[] = {"host.cpus=four"};
    CHECK_EQ_I64(load_text("", bad_int, 1, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'host.cpus' must be an integer in [1, 1024] (got \"four\")");
    /* the return is part of the receive call's cost too */
    const char *bad_return[] = {"app.call_ns=500", "cpu.syscall_return_ns=785"};
    CHECK_EQ_I64(load_text("", bad_return, 2, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'cpu.syscall_return_ns' (785) exceeds 'app.call_ns' (500)");
    const char *bad_return_user[] = {"app.call_ns=1000", "cpu.syscall_return_ns=785",
                                     "cpu.syscall_return_user_ns=800"};
    CHECK_EQ_I64(load_text("", bad_return_user, 3, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'cpu.syscall_return_user_ns' (800) exceeds "
                                "'cpu.syscall_return_ns' (785)");
    const char *bad_range[] = {"host.cpus=0"};
    CHECK_EQ_I64(load_text("", bad_range, 1, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'host.cpus' must be in [1, 1024] (got 0)");
}

static void test_bad_files(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    struct {
        const char *file, *msg;
        int rc;
    } cases[] = {
        {"bad_unknown_key.cfg",
         "bad_unknown_key.cfg:3: error: 'nic.link_gbs' is not a known key", SIM_EINVAL},
        {"bad_range.cfg", "bad_range.cfg:1: error: 'host.cpus' must be in [1, 1024] (got 0)",
         SIM_EINVAL},
        {"bad_type.cfg", "bad_type.cfg:2: error: 'nic.ring_size' must be an integer in",
         SIM_EINVAL},
        {"bad_enum.cfg",
         "bad_enum.cfg:1: error: 'policy.name' must be one of \"vanilla\", \"rss\", \"rps\", "
         "\"rfs\", \"falcon\", \"falcon_static\", \"falcon_always\", \"mflow\", \"prism\" "
         "(got \"falcom\")",
         SIM_EINVAL},
        {"bad_cpu.cfg",
         "bad_cpu.cfg:2: error: 'app.cpus' lists CPU 7, outside the core budget host.cpus = 4 "
         "(allowed: 0..3)",
         SIM_EINVAL},
        {"bad_syntax.cfg", "bad_syntax.cfg:2: error: syntax error", SIM_EINVAL},
        {"bad_dist.cfg",
         "bad_dist.cfg:1: error: 'stage.gro_cell.cost' has unknown dist \"weibull\" (allowed: "
         "\"constant\", \"exponential\", \"uniform\", \"lognormal\", \"empirical\")",
         SIM_EINVAL},
        {"bad_empirical_order.cfg",
         "bad_empirical_order.cfg:1: error: 'stage.host_l4.cost' needs strictly increasing "
         "quantiles (0.5 after 0.6)",
         SIM_EINVAL},
        {"bad_empirical_len.cfg",
         "bad_empirical_len.cfg:1: error: 'stage.host_l4.cost' needs as many values_ns as "
         "quantiles, at least 2 (got 2 and 3)",
         SIM_EINVAL},
        {"bad_empirical_ends.cfg",
         "bad_empirical_ends.cfg:1: error: 'stage.host_l4.cost' needs quantiles from 0 to 1",
         SIM_EINVAL},
        {"bad_empirical_mean.cfg",
         "bad_empirical_mean.cfg:1: error: 'stage.host_l4.cost' dist \"empirical\" takes "
         "quantiles and values_ns, not mean_ns",
         SIM_EINVAL},
        {"bad_noise_spacing.cfg",
         "bad_noise_spacing.cfg:2: error: 'noise.spacing' must average at least 1000 ns where "
         "noise.cpus is set (got 500)",
         SIM_EINVAL},
        {"bad_noise_knee.cfg",
         "bad_noise_knee.cfg:3: error: 'noise.idle_knee_us' needs 'noise.idle_slope' above 0 "
         "as well",
         SIM_EINVAL},
        {"bad_syscall_return.cfg",
         "bad_syscall_return.cfg:4: error: 'cpu.syscall_return_ns' (785) exceeds "
         "'sender.call_ns' (500), the call's whole cost",
         SIM_EINVAL},
        {"bad_noise_cpu.cfg",
         "bad_noise_cpu.cfg:2: error: 'noise.cpus' lists CPU 7, outside the core budget",
         SIM_EINVAL},
        {"bad_sender_tcp.cfg",
         "bad_sender_tcp.cfg:3: error: 'sender.cpus' (senders on this host) takes a UDP stream "
         "workload",
         SIM_EINVAL},
        {"no_such_file.cfg", "no_such_file.cfg: error: cannot read scenario file", SIM_ENOENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err.msg[0] = '\0';
        CHECK_EQ_I64(load_file(cases[i].file, NULL, 0, &p, &err), cases[i].rc);
        CHECK_STR_CONTAINS(err.msg, cases[i].msg);
    }
}

static void test_include_relative_to_scenario(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    CHECK_EQ_I64(load_file("good_include.cfg", NULL, 0, &p, &err), SIM_OK);
    CHECK_EQ_I64(p.host.cpus, 6);
    CHECK_NEAR(p.run.duration_ms, 5, 0);
}

/* `defaults = FILE`: the base's keys apply unless the scenario sets them,
 * in any group; errors name the base file's line. */
static void test_defaults_file(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    CHECK_EQ_I64(load_file("good_defaults.cfg", NULL, 0, &p, &err), SIM_OK);
    CHECK_EQ_I64(p.host.cpus, 8);         /* the scenario wins */
    CHECK_EQ_I64(p.nic.ring_size, 512);   /* from the defaults file */
    const char *sets[] = {"nic.ring_size=64"};
    CHECK_EQ_I64(load_file("good_defaults.cfg", sets, 1, &p, &err), SIM_OK);
    CHECK_EQ_I64(p.nic.ring_size, 64);    /* --set wins over both */
    CHECK_EQ_I64(load_file("bad_defaults.cfg", NULL, 0, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "bad_range.cfg:1: error: 'host.cpus' must be in [1, 1024] (got 0)");
}

static void test_cross_checks(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    CHECK_EQ_I64(load_text("run: { duration_ms = 5.0; warmup_ms = 5.0; };", NULL, 0, &p, &err),
                 SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'run.warmup_ms' must be less than run.duration_ms");
    const char *web[] = {"workload.type=web", "workload.outstanding=2"};
    CHECK_EQ_I64(load_text("", web, 2, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'workload.outstanding' must be 1 for workload.type = \"web\"");
    const char *hot[] = {"workload.hotspot_flow=3", "workload.rate_pps=1000",
                         "workload.hotspot_rate_pps=2000"};
    CHECK_EQ_I64(load_text("", hot, 3, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'workload.hotspot_flow' must name a stream flow in [0, 1)");
    const char *sets[] = {"policy.rps_cpus=9"};
    CHECK_EQ_I64(load_text("", sets, 1, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'policy.rps_cpus' lists CPU 9, outside the core budget");
}

/* Every resolved `key = value;` line, applied as --set to an empty
 * scenario, resolves to the same text: /params is enough to rerun a run
 * (strings quoted, distributions as groups, as they are printed). */
static void check_resolved_round_trip(const char *scenario)
{
    struct sim_params a, b;
    struct sim_err err = {{0}};
    struct scenario_text t, u;
    CHECK_EQ_I64(scenario_load(NULL, scenario, NULL, 0, &a, &t, &err), SIM_OK);
    char *text = xstrdup(t.resolved);
    size_t n = 0;
    const char *sets[512];
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && n < 512; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        CHECK_TRUE(eq != NULL);
        if (eq == NULL)
            continue;
        *eq = '=';
        memmove(eq + 1, eq + 3, strlen(eq + 3) + 1);
        line[strlen(line) - 1] = '\0'; /* the ';' */
        sets[n++] = line;
    }
    CHECK_EQ_I64(n, k_params_count + policy_of(&a)->nkeys);
    CHECK_EQ_I64(scenario_load(NULL, "", sets, n, &b, &u, &err), SIM_OK);
    CHECK_TRUE(u.resolved != NULL && strcmp(t.resolved, u.resolved) == 0);
    CHECK_TRUE(memcmp(&a.kernel, &b.kernel, sizeof a.kernel) == 0);
    CHECK_TRUE(memcmp(&a.nic, &b.nic, sizeof a.nic) == 0);
    CHECK_TRUE(memcmp(&a.policy, &b.policy, sizeof a.policy) == 0);
    scenario_text_free(&t);
    scenario_text_free(&u);
    free(text);
}

static void test_resolved_text_reloads(void)
{
    check_resolved_round_trip("");
    check_resolved_round_trip(
        "network: { mode = \"host\"; };\n"
        "stage: { gro_cell: { cost = { dist = \"exponential\"; mean_ns = 900.5; }; };\n"
        "         container: { cost = { dist = \"uniform\"; min_ns = 100.0; max_ns = 300.0; }; };\n"
        "         outer_l4: { cost = { dist = \"lognormal\"; mean_ns = 600.0; cv = 0.5; }; }; };\n");
    /* a real above 2^31 with no fraction prints as a real (1e+10), never as
     * an integer literal that libconfig would truncate (found by the fuzzer) */
    check_resolved_round_trip(
        "workload: { cache_delay = { dist = \"exponential\"; mean_ns = 10000000000.0; };\n"
        "            db_delay = 3000000000.0; };\n");

    struct sim_params p;
    struct sim_err err = {{0}};
    const char *quoted[] = {"network.mode=\"host\"", "stage.gro_cell.cost.dist=\"exponential\"",
                            "stage.container.cost={ dist = \"lognormal\"; mean_ns = 700.0; cv = 1.5; }"};
    CHECK_EQ_I64(load_text("", quoted, 3, &p, &err), SIM_OK);
    CHECK_EQ_I64(p.network.mode, NET_HOST);
    CHECK_EQ_I64(p.stage[ST_GRO_CELL].cost.kind, DIST_EXP);
    CHECK_EQ_I64(p.stage[ST_CONTAINER].cost.kind, DIST_LOGNORMAL);
    CHECK_NEAR(p.stage[ST_CONTAINER].cost.cv, 1.5, 0);
    const char *bad_group[] = {"stage.container.cost={ dist = 3 "};
    CHECK_EQ_I64(load_text("", bad_group, 1, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'stage.container.cost' must be a number or a group");
    const char *bad_string[] = {"network.mode=\"host"};
    CHECK_EQ_I64(load_text("", bad_string, 1, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "--set: error: 'network.mode' must be a string (got \"host)");
}

/* A message is one line, even when it quotes a string with a newline. */
static void test_messages_are_one_line(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    CHECK_EQ_I64(load_text("defaults = \"a\\nb.cfg\";", NULL, 0, &p, &err), SIM_ENOENT);
    CHECK_TRUE(strchr(err.msg, '\n') == NULL);
    CHECK_STR_CONTAINS(err.msg, "a?b.cfg");
    /* an @include of a directory is refused before libconfig's scanner sees it */
    CHECK_EQ_I64(load_text("@include \"/\"\n", NULL, 0, &p, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "(scenario):1: error: @include \"/\": / is not a regular file");
}

int main(void)
{
    test_defaults();
    test_values_and_overrides();
    test_bad_files();
    test_include_relative_to_scenario();
    test_defaults_file();
    test_cross_checks();
    test_resolved_text_reloads();
    test_messages_are_one_line();
    return check_report("test_scenario");
}
