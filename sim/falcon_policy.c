/*
 * falcon_policy.c: FALCON (Lei et al., EuroSys 2021), faithful to the
 * paper's Algorithm 1 and the prototype's constants (munikarmanish/falcon,
 * Linux 5.4; docs/references.md).
 *
 * Pipelining. At the end of each device, the stage transition becomes
 * netif_rx to CPU = FALCON_CPUS[hash_32(skb->hash + ifindex, 16) mod N]
 * (TR_GRO_CELLS: the VXLAN device, whose gro_cells_receive FALCON turns into
 * netif_rx; TR_NETIF_RX: the veth peer). Distinct devices of one flow land
 * (usually) on distinct CPUs; one (flow, device) always on the same CPU
 * while its load is below the threshold, so no reordering. RSS and RPS still
 * place the first stages (TR_RPS_RECEIVE uses policy.rps_cpus).
 *
 * Splitting (TCP only). A transition just before GRO (TR_GRO_SPLIT) sends
 * GRO and the rest of the pNIC stage to GROSPLIT_CPUS[hash_32(skb->hash, 16)
 * mod N] (flow hash only). policy.gro_split = auto splits TCP and never UDP.
 * On the host path this is the paper's "Host+".
 *
 * Balancing. Every falcon_load_period_jiffies jiffies (kernel.hz) each
 * CPU's busy percentage over the period (all non-idle time, as
 * calc_cpu_loads reads /proc/stat) updates load = (1 - w) load + w busy.
 * Global switch: pipelining and splitting are bypassed (the original path:
 * RPS or the current CPU) while the mean load of FALCON_CPUS is >= the
 * threshold. Otherwise the first choice is kept if its load is below the
 * threshold, else hash_32(first hash, 16) picks a second CPU, committed to
 * without comparing loads (not power-of-two choices). All packets of a
 * (flow, device) switch together at a sampling boundary, so packets still
 * queued on the old CPU can be overtaken: the model counts reorders.
 *
 * Variants: falcon (all of it), falcon_static (no second choice),
 * falcon_always (no global switch).
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

/* Interface indexes hashed with the flow hash. Their values only matter
 * through hash collisions; these are those of a typical Docker overlay
 * host (vxlan0 = 4, the container-side veth peer = 9). */
#define FALCON_IFINDEX_VXLAN 4u
#define FALCON_IFINDEX_VETH 9u
#define FALCON_HASH_BITS 16u

enum falcon_variant { FALCON_FULL, FALCON_STATIC, FALCON_ALWAYS };
enum gro_split_mode { GRO_SPLIT_AUTO, GRO_SPLIT_ON, GRO_SPLIT_OFF };

struct falcon_params {
    struct cpu_list rps_cpus;
    struct cpu_list falcon_cpus;
    double threshold;
    int64_t load_period_jiffies;
    double ewma_new;
    int gro_split; /* enum gro_split_mode */
    struct cpu_list grosplit_cpus;
};

static const char *const k_gro_split_names[] = {"auto", "on", "off", NULL};

/* Shared by the three variants: one table, one parameter struct. */
static const struct param_spec k_falcon_keys[] = {
    POLICY_CPUS("policy.rps_cpus", struct falcon_params, rps_cpus, "[1]",
                "RPS beside FALCON: the rps_cpus map of the pNIC queue, and of the veth while "
                "FALCON is switched off; [] turns RPS off."),
    POLICY_CPUS("policy.falcon_cpus", struct falcon_params, falcon_cpus, "[3, 4]",
                "FALCON_CPUS, where device softirqs are pipelined (dedicated cores or the "
                "receive cores themselves)."),
    POLICY_REAL("policy.falcon_threshold", struct falcon_params, threshold, 0, 100, "80.0", "%",
                "FALCON_LOAD_THRESHOLD: per-CPU load for the second choice, average for the "
                "global switch (prototype: 80; paper: 80-90 best)."),
    POLICY_INT("policy.falcon_load_period_jiffies", struct falcon_params, load_period_jiffies, 1,
               100000, "10", "jiffies",
               "Load sampling period (CPUSTAT_INTERVAL = 10 jiffies in the prototype)."),
    POLICY_REAL("policy.falcon_ewma_new", struct falcon_params, ewma_new, 0.001, 1, "0.2", "",
                "Weight of the new sample in load = (1 - w) old + w new (prototype: 0.2)."),
    POLICY_ENUM("policy.gro_split", struct falcon_params, gro_split, k_gro_split_names, "auto",
                "GRO splitting: auto (on for TCP, off for UDP), on, off."),
    POLICY_CPUS("policy.grosplit_cpus", struct falcon_params, grosplit_cpus, "[5]",
                "GROSPLIT_CPUS, where GRO and the rest of the pNIC stage run when split."),
};

static bool splits_gro(const struct falcon_params *fp, const struct sim_params *p)
{
    return p->workload.protocol == PROTO_TCP && fp->gro_split != GRO_SPLIT_OFF;
}

static int falcon_validate(const struct sim_params *p, struct policy_complaint *c)
{
    const struct falcon_params *fp = policy_params(p);
    int rc;
    if ((rc = policy_check_cpus(p, &fp->rps_cpus, "policy.rps_cpus", true, c)) ||
        (rc = policy_check_cpus(p, &fp->falcon_cpus, "policy.falcon_cpus", false, c)))
        return rc;
    if (fp->gro_split == GRO_SPLIT_ON && p->workload.protocol != PROTO_TCP)
        return policy_complain(c, "policy.gro_split",
                               "is \"on\" but workload.protocol is \"udp\": GRO splitting "
                               "applies to TCP only (use \"auto\" or \"off\")");
    if (splits_gro(fp, p))
        return policy_check_cpus(p, &fp->grosplit_cpus, "policy.grosplit_cpus", false, c);
    return SIM_OK;
}

struct falcon_state {
    enum falcon_variant variant;
    struct cpu_list rps, fcpus, gcpus;
    bool gro_split;
    double threshold, ewma_new;
    sim_ns period;
    unsigned ncpu;
    double *load;       /* [ncpu] EWMA busy %, the prototype's per-CPU load */
    sim_ns *last_busy;  /* [ncpu] */
    sim_ns last_t;
    double avg_load;    /* FALCON_AVG_LOAD: mean over FALCON_CPUS */
};

static int falcon_init_variant(struct falcon_state *st, const struct sim_params *p,
                               enum falcon_variant v, struct sim_err *err)
{
    const struct falcon_params *fp = policy_params(p);
    struct policy_complaint c;
    int valid = falcon_validate(p, &c); /* the loader ran it */
    (void)err;
    SIM_ASSERT(valid == SIM_OK);
    st->variant = v;
    st->gro_split = splits_gro(fp, p);
    memcpy(&st->rps, &fp->rps_cpus, sizeof st->rps);
    memcpy(&st->fcpus, &fp->falcon_cpus, sizeof st->fcpus);
    memcpy(&st->gcpus, &fp->grosplit_cpus, sizeof st->gcpus);
    st->threshold = fp->threshold;
    st->ewma_new = fp->ewma_new;
    st->period = (sim_ns)fp->load_period_jiffies * SIM_NS_PER_S / p->kernel.hz;
    st->ncpu = (unsigned)p->host.cpus;
    st->load = xcalloc(st->ncpu, sizeof *st->load);
    st->last_busy = xcalloc(st->ncpu, sizeof *st->last_busy);
    return SIM_OK;
}

static int falcon_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    return falcon_init_variant(state, p, FALCON_FULL, err);
}

static int falcon_static_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    return falcon_init_variant(state, p, FALCON_STATIC, err);
}

static int falcon_always_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    return falcon_init_variant(state, p, FALCON_ALWAYS, err);
}

static void falcon_fini(void *state)
{
    struct falcon_state *st = state;
    free(st->load);
    free(st->last_busy);
}

static bool falcon_on(const struct falcon_state *st)
{
    return st->variant == FALCON_ALWAYS || st->avg_load < st->threshold;
}

/* get_falcon_cpu (Algorithm 1). */
static int falcon_cpu(const struct falcon_state *st, uint32_t flow_hash, uint32_t ifindex)
{
    uint32_t h = policy_hash_32(flow_hash + ifindex, FALCON_HASH_BITS);
    unsigned cpu = st->fcpus.cpu[h % st->fcpus.n];
    if (st->variant == FALCON_STATIC || st->load[cpu] < st->threshold)
        return (int)cpu;
    h = policy_hash_32(h, FALCON_HASH_BITS);
    return st->fcpus.cpu[h % st->fcpus.n];
}

static int rps_cpu(const struct falcon_state *st, uint32_t flow_hash)
{
    if (st->rps.n == 0)
        return POLICY_LOCAL;
    return st->rps.cpu[policy_reciprocal_scale(flow_hash, st->rps.n)];
}

static int falcon_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                             const struct cpu_view *view)
{
    const struct falcon_state *st = state;
    (void)view;
    bool on = falcon_on(st);
    switch (tr) {
    case TR_GRO_SPLIT:
        if (on && st->gro_split && pkt->protocol == PROTO_TCP)
            return st->gcpus.cpu[policy_hash_32(pkt->flow_hash, FALCON_HASH_BITS) % st->gcpus.n];
        return POLICY_LOCAL;
    case TR_RPS_RECEIVE:
        return rps_cpu(st, pkt->flow_hash);
    case TR_GRO_CELLS:
        return on ? falcon_cpu(st, pkt->flow_hash, FALCON_IFINDEX_VXLAN) : POLICY_LOCAL;
    case TR_NETIF_RX:
        return on ? falcon_cpu(st, pkt->flow_hash, FALCON_IFINDEX_VETH)
                  : rps_cpu(st, pkt->flow_hash);
    case TR_INLINE:
    case TR_IRQ_SPLIT:
    case TR_SOCKET:
    case TR_COUNT:
        break;
    }
    return POLICY_LOCAL;
}

static sim_ns falcon_tick_period(const void *state)
{
    const struct falcon_state *st = state;
    return st->period;
}

/* calc_cpu_loads: busy % over the period, EWMA, mean over FALCON_CPUS. */
static void falcon_tick(void *state, const struct cpu_view *view)
{
    struct falcon_state *st = state;
    sim_ns dt = view->now - st->last_t;
    if (dt <= 0)
        return;
    for (unsigned c = 0; c < st->ncpu && c < view->ncpu; c++) {
        double busy = 100.0 * (double)(view->busy_ns[c] - st->last_busy[c]) / (double)dt;
        if (busy > 100)
            busy = 100; /* busy time is charged when a step ends */
        st->load[c] = (1 - st->ewma_new) * st->load[c] + st->ewma_new * busy;
        st->last_busy[c] = view->busy_ns[c];
    }
    double sum = 0;
    for (unsigned i = 0; i < st->fcpus.n; i++)
        sum += st->load[st->fcpus.cpu[i]];
    st->avg_load = sum / st->fcpus.n;
    st->last_t = view->now;
}

#define FALCON_OPS(ident, nm, initfn)                                                      \
    const struct placement_policy_ops ident = {                                            \
        .name = nm,                                                                        \
        .abi = PLACEMENT_POLICY_ABI,                                                       \
        .state_size = sizeof(struct falcon_state),                                         \
        .keys = k_falcon_keys,                                                             \
        .nkeys = SIM_ARRAY_LEN(k_falcon_keys),                                             \
        .params_size = sizeof(struct falcon_params),                                       \
        .validate = falcon_validate,                                                       \
        .init = initfn,                                                                    \
        .select_rx_queue = NULL,                                                           \
        .select_cpu = falcon_select_cpu,                                                   \
        .tick_period_ns = falcon_tick_period,                                              \
        .tick = falcon_tick,                                                               \
        .fini = falcon_fini,                                                               \
    }

FALCON_OPS(falcon_policy_ops, "falcon", falcon_init);
FALCON_OPS(falcon_static_policy_ops, "falcon_static", falcon_static_init);
FALCON_OPS(falcon_always_policy_ops, "falcon_always", falcon_always_init);
