/*
 * rps_policy.c: Receive Packet Steering, as get_rps_cpu() does it.
 *
 * CPU = rps_cpus[reciprocal_scale(skb->hash, len)] (net/core/dev.c). RPS is
 * evaluated at netif_receive_skb after GRO on the pNIC (TR_RPS_RECEIVE),
 * which makes a backlog hop even when the chosen CPU is the local one, and
 * again at netif_rx on the veth (TR_NETIF_RX) with the same hash and the
 * same map, hence the same CPU (FALCON section 3.3, Fig. 8): "only the first
 * RPS takes effect". gro_cells_receive is untouched (local gro_cell).
 *
 * Per-device maps. Each device has its own rps_cpus in the kernel. Here the
 * first device (the pNIC queue, or the veth a one-host sender transmits
 * into) takes policy.rps_first_cpus when it lists any, and the veth of
 * netif_rx takes policy.rps_cpus, or none with policy.rps_veth = "off"
 * (then the packet stays where the first device's backlog put it). So
 * falconsim measure's placements are: rps, both maps the RPS CPUs; rps_first,
 * rps_veth off; its emulated IRQ CPUs, rps_first_cpus.
 *
 * Invariant tested in tests/test_policies.c: with one map, a flow's every
 * decision is the same CPU, drawn from the map only; with two, each device's
 * decision comes from its own map.
 */
#include "policy.h"

#include <string.h>

struct rps_params {
    struct cpu_list rps_cpus;
    struct cpu_list rps_first_cpus;
    int rps_veth; /* 0 on, 1 off */
};

static const char *const k_rps_veth_names[] = {"on", "off", NULL};

static const struct param_spec k_rps_keys[] = {
    POLICY_CPUS("policy.rps_cpus", struct rps_params, rps_cpus, "[1]",
                "The rps_cpus map (/sys/class/net/DEV/queues/rx-N/rps_cpus) of the veth queues, "
                "and of the first device (pNIC queue) unless policy.rps_first_cpus lists CPUs."),
    POLICY_CPUS("policy.rps_first_cpus", struct rps_params, rps_first_cpus, "[]",
                "The first device's own rps_cpus map (the pNIC queue, or the veth a sender on "
                "this host transmits into: falconsim measure's emulated IRQ CPUs); [] (the "
                "default): policy.rps_cpus."),
    POLICY_ENUM("policy.rps_veth", struct rps_params, rps_veth, k_rps_veth_names, "on",
                "RPS on the veth queues (netif_rx): on (policy.rps_cpus), or off, which leaves "
                "each packet where the first device put it (falconsim measure's rps_first)."),
};

struct rps_state {
    struct cpu_list first, veth; /* veth.n == 0: no RPS at netif_rx */
};

unsigned policy_rss_queue(uint32_t flow_hash, unsigned nqueues)
{
    /* Indirection table entry i holds queue i mod nqueues (ethtool -X
     * default); the NIC indexes it with the low bits of the hash. */
    unsigned entry = flow_hash % RSS_INDIR_SIZE;
    return entry % nqueues;
}

static int rps_validate(const struct sim_params *p, struct policy_complaint *c)
{
    const struct rps_params *rp = policy_params(p);
    int rc = policy_check_cpus(p, &rp->rps_cpus, "policy.rps_cpus", false, c);
    if (rc == SIM_OK)
        rc = policy_check_cpus(p, &rp->rps_first_cpus, "policy.rps_first_cpus", true, c);
    return rc;
}

static int rps_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    struct rps_state *st = state;
    const struct rps_params *rp = policy_params(p);
    (void)err;
    SIM_ASSERT(rp->rps_cpus.n > 0); /* rps_validate */
    memcpy(&st->first, rp->rps_first_cpus.n > 0 ? &rp->rps_first_cpus : &rp->rps_cpus,
           sizeof st->first);
    if (rp->rps_veth == 0)
        memcpy(&st->veth, &rp->rps_cpus, sizeof st->veth);
    else
        st->veth.n = 0;
    return SIM_OK;
}

static int rps_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                          const struct cpu_view *view)
{
    const struct rps_state *st = state;
    (void)view;
    const struct cpu_list *map = tr == TR_RPS_RECEIVE ? &st->first
                                 : tr == TR_NETIF_RX  ? &st->veth
                                                      : NULL;
    if (map == NULL || map->n == 0)
        return POLICY_LOCAL;
    return map->cpu[policy_reciprocal_scale(pkt->flow_hash, map->n)];
}

static bool rps_decides(const void *state, enum transition tr)
{
    const struct rps_state *st = state;
    return (tr == TR_RPS_RECEIVE && st->first.n > 0) || (tr == TR_NETIF_RX && st->veth.n > 0);
}

const struct placement_policy_ops rps_policy_ops = {
    .name = "rps",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = sizeof(struct rps_state),
    .keys = k_rps_keys,
    .nkeys = SIM_ARRAY_LEN(k_rps_keys),
    .params_size = sizeof(struct rps_params),
    .validate = rps_validate,
    .init = rps_init,
    .select_rx_queue = NULL,
    .select_cpu = rps_select_cpu,
    .decides = rps_decides,
};
