/*
 * vanilla_policy.c: the two baselines without software steering.
 *
 * vanilla: one RX queue; every softirq of every flow runs on that queue's
 *   IRQ CPU ("the Linux kernel squeezes all stages of a single flow's packet
 *   processing onto a single CPU core", mFlow). gro_cells_receive and
 *   netif_rx stay on the current CPU (net/core/gro_cells.c: gro_cells_receive
 *   uses this CPU's cell; net/core/dev.c: netif_rx_internal enqueues to
 *   smp_processor_id() without RPS).
 * rss: the NIC spreads flows over nic.rx_queues by hash (indirection table);
 *   each flow's softirqs then stay on its queue's IRQ CPU.
 * Neither keeps state; both answer POLICY_LOCAL at every transition.
 */
#include "policy.h"

static int none_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    (void)state;
    (void)p;
    (void)err;
    return SIM_OK;
}

static unsigned single_queue(void *state, const struct pkt_meta *pkt, unsigned nqueues)
{
    (void)state;
    (void)pkt;
    (void)nqueues;
    return 0;
}

static int stay_local(void *state, const struct pkt_meta *pkt, enum transition tr,
                      const struct cpu_view *view)
{
    (void)state;
    (void)pkt;
    (void)tr;
    (void)view;
    return POLICY_LOCAL;
}

static bool never_decides(const void *state, enum transition tr)
{
    (void)state;
    (void)tr;
    return false;
}

const struct placement_policy_ops vanilla_policy_ops = {
    .name = "vanilla",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = 0,
    .init = none_init,
    .select_rx_queue = single_queue,
    .select_cpu = stay_local,
    .decides = never_decides,
};

const struct placement_policy_ops rss_policy_ops = {
    .name = "rss",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = 0,
    .init = none_init,
    .select_rx_queue = NULL, /* RSS */
    .select_cpu = stay_local,
    .decides = never_decides,
};
