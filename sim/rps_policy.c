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

static int rps_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    struct rps_state *st = state;
    if (p->policy.rps_cpus.n == 0)
        return sim_error(err, SIM_EINVAL, "error: 'policy.rps_cpus' must list at least one CPU");
    memcpy(&st->map, &p->policy.rps_cpus, sizeof st->map);
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
    .init = rps_init,
    .select_rx_queue = NULL,
    .select_cpu = rps_select_cpu,
};
