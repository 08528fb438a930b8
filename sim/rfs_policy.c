/*
 * rfs_policy.c: Receive Flow Steering (net/core/dev.c get_rps_cpu, RFS part).
 *
 * The desired CPU of a flow is the CPU where its application thread last
 * called recvmsg (rps_sock_flow_table, written by sock_rps_record_flow).
 * Each steering point (the pNIC queue at TR_RPS_RECEIVE, the veth at
 * TR_NETIF_RX) has its own rps_dev_flow entry {cpu, last_qtail} per flow.
 * The flow moves from its current CPU to the desired one only when the
 * current CPU's input_queue_head has passed last_qtail, i.e. every packet
 * of the flow already queued there has been processed: the kernel's
 * in-order rule. Until a recvmsg has been seen, RFS falls back to RPS.
 *
 * Simplifications (docs/policies.md): tables are exact per flow (no hash
 * collisions between flows); the head advances per processed packet (v5.4
 * behaviour; v6.18 advances per process_backlog call).
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

struct rfs_params {
    struct cpu_list rps_cpus;
};

static const struct param_spec k_rfs_keys[] = {
    POLICY_CPUS("policy.rps_cpus", struct rfs_params, rps_cpus, "[1]",
                "The rps_cpus map RFS falls back to before a flow's first recvmsg (the same on "
                "the pNIC and veth queues)."),
};

static int rfs_validate(const struct sim_params *p, struct policy_complaint *c)
{
    const struct rfs_params *rp = policy_params(p);
    return policy_check_cpus(p, &rp->rps_cpus, "policy.rps_cpus", false, c);
}

struct rfs_flow {
    int32_t cpu; /* -1: unset */
    uint64_t last_qtail;
};

struct rfs_state {
    struct cpu_list map;
    uint32_t nflows;
    int32_t *desired;          /* [nflows] rps_sock_flow_table */
    struct rfs_flow *dev[2];   /* [nflows] per steering point */
};

static int rfs_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    struct rfs_state *st = state;
    const struct rfs_params *rp = policy_params(p);
    (void)err;
    SIM_ASSERT(rp->rps_cpus.n > 0); /* rfs_validate */
    memcpy(&st->map, &rp->rps_cpus, sizeof st->map);
    st->nflows = params_flow_count(p);
    st->desired = xmalloc(st->nflows * sizeof *st->desired);
    for (uint32_t i = 0; i < st->nflows; i++)
        st->desired[i] = -1;
    for (int d = 0; d < 2; d++) {
        st->dev[d] = xcalloc(st->nflows, sizeof *st->dev[d]);
        for (uint32_t i = 0; i < st->nflows; i++)
            st->dev[d][i].cpu = -1;
    }
    return SIM_OK;
}

static void rfs_fini(void *state)
{
    struct rfs_state *st = state;
    free(st->desired);
    free(st->dev[0]);
    free(st->dev[1]);
}

static int rfs_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                          const struct cpu_view *view)
{
    struct rfs_state *st = state;
    if (tr != TR_RPS_RECEIVE && tr != TR_NETIF_RX)
        return POLICY_LOCAL;
    int32_t next = st->desired[pkt->flow_id];
    if (next < 0)
        return st->map.cpu[policy_reciprocal_scale(pkt->flow_hash, st->map.n)];
    struct rfs_flow *rf = &st->dev[tr == TR_RPS_RECEIVE ? 0 : 1][pkt->flow_id];
    if (rf->cpu != next &&
        (rf->cpu < 0 || (int64_t)(view->input_queue_head[rf->cpu] - rf->last_qtail) >= 0)) {
        rf->cpu = next;
        rf->last_qtail = view->input_queue_head[next];
    }
    return rf->cpu;
}

static bool rfs_decides(const void *state, enum transition tr)
{
    (void)state;
    return tr == TR_RPS_RECEIVE || tr == TR_NETIF_RX;
}

static void rfs_enqueued(void *state, const struct pkt_meta *pkt, enum transition tr,
                         unsigned cpu, uint64_t qtail)
{
    struct rfs_state *st = state;
    if (tr != TR_RPS_RECEIVE && tr != TR_NETIF_RX)
        return;
    struct rfs_flow *rf = &st->dev[tr == TR_RPS_RECEIVE ? 0 : 1][pkt->flow_id];
    if (rf->cpu == (int32_t)cpu)
        rf->last_qtail = qtail;
}

static void rfs_record_recv(void *state, const struct pkt_meta *pkt, unsigned cpu)
{
    struct rfs_state *st = state;
    st->desired[pkt->flow_id] = (int32_t)cpu;
}

const struct placement_policy_ops rfs_policy_ops = {
    .name = "rfs",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = sizeof(struct rfs_state),
    .keys = k_rfs_keys,
    .nkeys = SIM_ARRAY_LEN(k_rfs_keys),
    .params_size = sizeof(struct rfs_params),
    .validate = rfs_validate,
    .init = rfs_init,
    .select_rx_queue = NULL,
    .select_cpu = rfs_select_cpu,
    .decides = rfs_decides,
    .enqueued = rfs_enqueued,
    .record_recv = rfs_record_recv,
    .fini = rfs_fini,
};
