/*
 * test_plugin_policy.c: a placement policy that exists only in this test
 * binary, registered at run time and run end to end: its own key is
 * parsed, defaulted, validated (with file:line), resolved and applied by
 * the model, with no line of falconsim knowing its name. The registry's
 * refusals of malformed policies are checked here too.
 *
 * test_pin: the container stage (the veth's netif_rx, TR_NETIF_RX) of flow
 * f runs on pin_cpus[f mod n]; every other transition stays local.
 */
#include "check.h"
#include "model.h"
#include "policy.h"
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

struct pin_params {
    struct cpu_list pin_cpus;
};

static const struct param_spec k_pin_keys[] = {
    POLICY_CPUS("policy.pin_cpus", struct pin_params, pin_cpus, "[5]",
                "test_pin: the CPUs of the container stage, flow f on entry f mod length."),
};

static int pin_validate(const struct sim_params *p, struct policy_complaint *c)
{
    const struct pin_params *pp = policy_params(p);
    return policy_check_cpus(p, &pp->pin_cpus, "policy.pin_cpus", false, c);
}

static int pin_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    (void)err;
    memcpy(state, policy_params(p), sizeof(struct pin_params));
    return SIM_OK;
}

static int pin_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                          const struct cpu_view *view)
{
    const struct pin_params *pp = state;
    (void)view;
    if (tr != TR_NETIF_RX)
        return POLICY_LOCAL;
    return pp->pin_cpus.cpu[pkt->flow_id % pp->pin_cpus.n];
}

static const struct placement_policy_ops test_pin_policy_ops = {
    .name = "test_pin",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = sizeof(struct pin_params),
    .keys = k_pin_keys,
    .nkeys = SIM_ARRAY_LEN(k_pin_keys),
    .params_size = sizeof(struct pin_params),
    .validate = pin_validate,
    .init = pin_init,
    .select_cpu = pin_select_cpu,
};

static const char *k_overlay =
    "host: { cpus = 6; };\n"
    "workload: { flows = 4; arrival = \"poisson\"; rate_pps = 100000.0; message_bytes = 1000; };\n"
    "app: { cpus = [2, 4]; };\n"
    "run: { duration_ms = 20.0; warmup_ms = 5.0; };\n";

static void test_registration(void)
{
    struct sim_err err = {{0}};
    unsigned before = policy_count();
    CHECK_EQ_I64(policy_register(&test_pin_policy_ops, &err), SIM_OK);
    CHECK_EQ_I64(policy_count(), before + 1);
    CHECK_TRUE(policy_lookup("test_pin") == &test_pin_policy_ops);
    CHECK_TRUE(strcmp(k_policy_names[before], "test_pin") == 0);
    CHECK_TRUE(k_policy_names[before + 1] == NULL);
    CHECK_TRUE(params_find("policy.pin_cpus") == &k_pin_keys[0]);

    /* refusals: each leaves the registry as it was */
    CHECK_EQ_I64(policy_register(&test_pin_policy_ops, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "policy 'test_pin': the name is taken");
    struct placement_policy_ops bad = test_pin_policy_ops;
    bad.name = "Bad-Name";
    CHECK_EQ_I64(policy_register(&bad, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "a name is [a-z0-9_]+");
    bad.name = "test_small";
    bad.params_size = 4; /* the key's cpu_list lies beyond it */
    CHECK_EQ_I64(policy_register(&bad, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "key 'policy.pin_cpus' lies outside its 4-byte parameters");
    static const struct param_spec int_rps[] = {
        POLICY_INT("policy.rps_cpus", struct pin_params, pin_cpus.n, 0, 10, "1", "cpu ids",
                   "an integer where rps, rfs and falcon have a CPU list"),
    };
    bad = test_pin_policy_ops;
    bad.name = "test_clash";
    bad.keys = int_rps;
    CHECK_EQ_I64(policy_register(&bad, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "key 'policy.rps_cpus' differs in type or unit");
    bad = test_pin_policy_ops;
    bad.name = "test_noselect";
    bad.select_cpu = NULL;
    CHECK_EQ_I64(policy_register(&bad, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "init and select_cpu are required");
    CHECK_EQ_I64(policy_count(), before + 1);
}

/* The plug-in runs: its key reaches the model, the container stage runs
 * on its CPUs only, conservation holds (model_finish asserts it). */
static void test_runs_end_to_end(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    struct scenario_text t;
    const char *sets[] = {"policy.name=test_pin", "policy.pin_cpus=[3, 5]"};
    CHECK_EQ_I64(scenario_load(NULL, k_overlay, sets, 2, &p, &t, &err), SIM_OK);
    CHECK_TRUE(policy_of(&p) == &test_pin_policy_ops);
    CHECK_TRUE(strstr(t.resolved, "policy.name = \"test_pin\";\npolicy.pin_cpus = [3, 5];\n") !=
               NULL);
    CHECK_TRUE(strstr(t.resolved, "policy.rps_cpus") == NULL); /* not a key of this run */
    CHECK_TRUE(t.notes == NULL);
    scenario_text_free(&t);
    struct model *m = model_create(&p, &err);
    CHECK_TRUE(m != NULL);
    if (m == NULL)
        return;
    model_run_until(m, model_duration(m));
    const struct model_results *r = model_finish(m);
    CHECK_TRUE(model_check(m));
    CHECK_TRUE(r->sum.throughput_pps > 0.9 * 100000 * 4);
    double on_pins = 0, elsewhere = 0;
    for (unsigned c = 0; c < r->ncpu; c++) {
        double f = r->stage_frac[c * MODEL_STAGES + ST_CONTAINER];
        if (c == 3 || c == 5)
            on_pins += f;
        else
            elsewhere += f;
    }
    CHECK_TRUE(on_pins > 0);
    CHECK_NEAR(elsewhere, 0, 0);
    model_destroy(m);
}

/* Its bad input is named with file:line; its key under another policy is
 * checked, then ignored (a warning when given with --set). */
static void test_keys_and_errors(void)
{
    struct sim_params p;
    struct sim_err err = {{0}};
    struct scenario_text t;
    char text[1024];
    snprintf(text, sizeof text, "%spolicy: { name = \"test_pin\";\n pin_cpus = [7]; };\n",
             k_overlay);
    CHECK_EQ_I64(scenario_load(NULL, text, NULL, 0, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "(scenario):6: error: 'policy.pin_cpus' lists CPU 7, outside the "
                                "core budget host.cpus = 6");
    snprintf(text, sizeof text, "%spolicy: { name = \"test_pin\"; };\nhost: { cpus = 4; };\n",
             "workload: { flows = 1; };\napp: { cpus = [1]; };\n");
    CHECK_EQ_I64(scenario_load(NULL, text, NULL, 0, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "(default): error: 'policy.pin_cpus' lists CPU 5");
    CHECK_STR_CONTAINS(err.msg, "(this is its default: set it in the scenario)");

    /* a comparison scenario may carry every policy's keys */
    snprintf(text, sizeof text, "%spolicy: { name = \"rps\"; pin_cpus = [1]; };\n", k_overlay);
    CHECK_EQ_I64(scenario_load(NULL, text, NULL, 0, &p, &t, &err), SIM_OK);
    CHECK_TRUE(t.notes == NULL);
    CHECK_TRUE(strstr(t.resolved, "pin_cpus") == NULL);
    scenario_text_free(&t);
    const char *set_dormant[] = {"policy.pin_cpus=[1]"};
    CHECK_EQ_I64(scenario_load(NULL, k_overlay, set_dormant, 1, &p, &t, &err), SIM_OK);
    CHECK_TRUE(t.notes != NULL);
    if (t.notes != NULL)
        CHECK_STR_CONTAINS(t.notes, "--set: warning: 'policy.pin_cpus' is a key of policy "
                                    "test_pin; it has no effect under policy.name = \"rps\"");
    scenario_text_free(&t);
    /* one line per key, however many policies share it */
    const char *set_falcon[] = {"policy.falcon_cpus=[1]", "policy.falcon_threshold=50"};
    CHECK_EQ_I64(scenario_load(NULL, k_overlay, set_falcon, 2, &p, &t, &err), SIM_OK);
    size_t lines = 0;
    for (const char *c = t.notes ? t.notes : ""; *c; c++)
        lines += *c == '\n';
    CHECK_EQ_I64(lines, 2);
    if (t.notes != NULL)
        CHECK_STR_CONTAINS(t.notes, "'policy.falcon_cpus' is a key of policy falcon, "
                                    "falcon_static, falcon_always;");
    scenario_text_free(&t);
    /* ... but a dormant key still has to be well-formed */
    snprintf(text, sizeof text, "%spolicy: { name = \"rps\";\n pin_cpus = \"x\"; };\n", k_overlay);
    CHECK_EQ_I64(scenario_load(NULL, text, NULL, 0, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "(scenario):6: error: 'policy.pin_cpus'");
    snprintf(text, sizeof text, "%spolicy: { name = \"rps\"; pin_cpu = [1]; };\n", k_overlay);
    CHECK_EQ_I64(scenario_load(NULL, text, NULL, 0, &p, &t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "'policy.pin_cpu' is not a known key; did you mean 'policy.pin_cpus'?");
}

int main(void)
{
    test_registration();
    test_runs_end_to_end();
    test_keys_and_errors();
    return check_report("test_plugin_policy");
}
