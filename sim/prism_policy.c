/*
 * prism_policy.c: PRISM (Lei et al., ICDCS 2022), priority differentiation
 * at every stage of the overlay receive path (docs/references.md; the
 * paper's section IV and its Linux 5.4 prototype).
 *
 * Classification: once per packet at skb allocation, from its destination
 * port: high priority if the port is in policy.prism_ports (at most 10, as
 * the prototype's /proc interface), low otherwise. The driver's ring has
 * one queue (no differentiation in the first stage), so host-mode traffic,
 * which has only that stage, gains nothing.
 *
 * Queues: every later device (the gro_cell, the per-CPU backlog) has a
 * high and a low queue; a poll takes its batch from the high queue when it
 * holds packets, otherwise from the low one (the model's NAPI, with the
 * class this policy gives).
 *
 * Streamlined NAPI poll (poll_list = POLL_LIST_STREAMLINED): one per-CPU
 * poll list, no local copy; after a batch, a device with high-priority
 * packets pending goes back to the head, else to the tail; a stage
 * transition schedules the next device at the head for a high-priority
 * packet, at the tail for a low one. A high-priority packet thus runs eth,
 * br, veth back to back instead of vanilla's interleaving (eth, br, eth,
 * veth, ...).
 *
 * Modes: batch (PRISM-batch: preemption at batch boundaries: a high-
 * priority packet waits behind at most one low-priority batch per stage)
 * and sync (PRISM-sync: a high-priority packet's stage transitions call
 * the next device directly, so it runs to completion in one softirq; its
 * stages lose their batching).
 *
 * Not modelled: the prototype's optional first-stage split of low-priority
 * packets to the backlog (/proc/split).
 */
#include "policy.h"

#include <string.h>

#define PRISM_PORTS_MAX 10u

enum prism_mode { PRISM_BATCH, PRISM_SYNC };

struct prism_params {
    int mode; /* enum prism_mode */
    struct cpu_list ports;
};

static const char *const k_prism_mode_names[] = {"batch", "sync", NULL};

static const struct param_spec k_prism_keys[] = {
    POLICY_ENUM("policy.prism_mode", struct prism_params, mode, k_prism_mode_names, "batch",
                "batch: preemption at batch boundaries (PRISM-batch); sync: high-priority "
                "packets run to completion in one softirq (PRISM-sync)."),
    POLICY_INTS("policy.prism_ports", struct prism_params, ports, 1, 65535, "[11112]", "ports",
                "Destination ports of high-priority flows (at most 10; the default is "
                "workload.probe_dst_port's)."),
};

static int prism_validate(const struct sim_params *p, struct policy_complaint *c)
{
    const struct prism_params *pp = policy_params(p);
    if (pp->ports.n > PRISM_PORTS_MAX)
        return policy_complain(c, "policy.prism_ports", "lists %u ports (at most %u)", pp->ports.n,
                               PRISM_PORTS_MAX);
    if (p->network.mode == NET_HOST)
        policy_complain(c, "policy.name",
                        "is \"prism\" on network.mode = \"host\": the host path has one stage, "
                        "the driver's, with one queue, so PRISM cannot differentiate (it runs as "
                        "vanilla with a streamlined poll list)");
    return SIM_OK;
}

struct prism_state {
    enum prism_mode mode;
    struct cpu_list ports;
};

static int prism_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    struct prism_state *st = state;
    const struct prism_params *pp = policy_params(p);
    (void)err;
    st->mode = (enum prism_mode)pp->mode;
    memcpy(&st->ports, &pp->ports, sizeof st->ports);
    return SIM_OK;
}

static uint8_t prism_classify(void *state, const struct pkt_meta *pkt)
{
    const struct prism_state *st = state;
    for (unsigned i = 0; i < st->ports.n; i++)
        if (st->ports.cpu[i] == pkt->dst_port)
            return 1;
    return 0;
}

static int prism_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                            const struct cpu_view *view)
{
    const struct prism_state *st = state;
    (void)view;
    if (st->mode == PRISM_SYNC && pkt->priority > 0 && (tr == TR_GRO_CELLS || tr == TR_NETIF_RX))
        return POLICY_INLINE;
    return POLICY_LOCAL;
}

const struct placement_policy_ops prism_policy_ops = {
    .name = "prism",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = sizeof(struct prism_state),
    .keys = k_prism_keys,
    .nkeys = SIM_ARRAY_LEN(k_prism_keys),
    .params_size = sizeof(struct prism_params),
    .validate = prism_validate,
    .init = prism_init,
    .select_cpu = prism_select_cpu,
    .classify = prism_classify,
    .poll_list = POLL_LIST_STREAMLINED,
};
