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
 * Invariant tested in tests/test_policies.c: a flow's every decision is the
 * same CPU, drawn from the map only.
 */
#include "policy.h"

#include <string.h>

struct rps_params {
    struct cpu_list rps_cpus;
};

static const struct param_spec k_rps_keys[] = {
    POLICY_CPUS("policy.rps_cpus", struct rps_params, rps_cpus, "[1]",
                "The rps_cpus map (/sys/class/net/DEV/queues/rx-N/rps_cpus), the same on the "
                "pNIC and veth queues."),
};

struct rps_state {
    struct cpu_list map;
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
    return policy_check_cpus(p, &rp->rps_cpus, "policy.rps_cpus", false, c);
}

static int rps_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    struct rps_state *st = state;
    const struct rps_params *rp = policy_params(p);
    (void)err;
    SIM_ASSERT(rp->rps_cpus.n > 0); /* rps_validate */
    memcpy(&st->map, &rp->rps_cpus, sizeof st->map);
    return SIM_OK;
}

static int rps_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                          const struct cpu_view *view)
{
    const struct rps_state *st = state;
    (void)view;
    if (tr != TR_RPS_RECEIVE && tr != TR_NETIF_RX)
        return POLICY_LOCAL;
    return st->map.cpu[policy_reciprocal_scale(pkt->flow_hash, st->map.n)];
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
};
