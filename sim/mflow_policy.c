/*
 * mflow_policy.c: mFlow (Lei et al., IPDPS 2023), packet-level parallelism
 * for one flow through micro-flows (docs/references.md; the paper's
 * sections III and IV; its published repository holds no mFlow code, so
 * the mechanism follows the paper's text).
 *
 * Splitting. Consecutive packets of a flow are cut into micro-flows of
 * policy.mflow_batch packets; micro-flow i carries the id i (the paper's
 * incremental id in the skb) and goes to lane i mod S, S =
 * policy.mflow_lanes splitting cores per flow (the paper: 2), round robin,
 * so each lane sees every S-th micro-flow, in order. A flow's lanes are S
 * consecutive entries of policy.mflow_cpus starting at an offset drawn
 * from its hash (lane l: mflow_cpus[(h + l) mod N]), so that several flows
 * spread over a larger pool; with one flow and N = S, lane l is core l.
 * Where:
 *  - device scaling: just before the VXLAN device (TR_GRO_CELLS), by the
 *    re-purposed netif_rx into the splitting core's queue with an IPI; the
 *    first device (driver, GRO, outer IP/UDP) runs where RSS and, with
 *    policy.rps_cpus, RPS put it; the VXLAN, bridge and container stages of
 *    a micro-flow run on its splitting core;
 *  - full-path scaling: in the driver poll, before skb allocation
 *    (TR_IRQ_SPLIT): the IRQ core only hands the raw request to the
 *    splitting core, which allocates the skb, runs GRO and the whole path.
 * auto picks full-path for TCP (GRO then runs per micro-flow on the
 * splitting cores) and for the host path (it has no VXLAN device), and
 * device scaling for UDP on the overlay: the paper's evaluation defaults.
 *
 * Merging. The model merges tagged packets back in id order just before
 * the socket (netstack_stages.c, merge_receive: per-lane buffer queues and
 * the merging counter, paid in the reader's recvmsg). For UDP that is
 * where mFlow merges; for TCP mFlow merges before the transport layer and
 * runs TCP in the reader (sk_backlog), which the model approximates by
 * keeping TCP's cost on the splitting core.
 *
 * Under IRQ splitting the driver is told that requests are consumed only
 * every 128 of them (irq_split_release_batch): until then up to 127 ring
 * descriptors stay taken, a shorter ring at overload.
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

enum mflow_mode { MFLOW_AUTO, MFLOW_DEVICE, MFLOW_FULL_PATH };

struct mflow_params {
    int mode; /* enum mflow_mode */
    int64_t batch;
    int64_t lanes;
    struct cpu_list split_cpus;
    struct cpu_list rps_cpus;
};

static const char *const k_mflow_mode_names[] = {"auto", "device", "full_path", NULL};

static const struct param_spec k_mflow_keys[] = {
    POLICY_ENUM("policy.mflow_mode", struct mflow_params, mode, k_mflow_mode_names, "auto",
                "Where flows are split: device (before the VXLAN device), full_path (in the "
                "driver poll, before skb allocation), auto (full_path for TCP and on the host "
                "path, device for UDP on the overlay: the paper's defaults)."),
    POLICY_INT("policy.mflow_batch", struct mflow_params, batch, 1, 1 << 20, "256", "packets",
               "Packets per micro-flow (the paper's batch size, default 256); at most "
               "nic.ring_size."),
    POLICY_INT("policy.mflow_lanes", struct mflow_params, lanes, 1, POLICY_LANES_MAX, "2", "cores",
               "Splitting cores per flow (the paper: 2): micro-flow i takes lane i mod lanes; at "
               "most the length of policy.mflow_cpus."),
    POLICY_CPUS("policy.mflow_cpus", struct mflow_params, split_cpus, "[3, 4]",
                "The pool of splitting cores; a flow's lanes are mflow_lanes consecutive entries "
                "from an offset given by its hash."),
    POLICY_CPUS("policy.rps_cpus", struct mflow_params, rps_cpus, "[]",
                "RPS of the first device under device scaling ([]: none, the rest of the first "
                "device stays on the IRQ core)."),
};

static enum mflow_mode effective_mode(const struct mflow_params *mp, const struct sim_params *p)
{
    if (mp->mode != MFLOW_AUTO)
        return (enum mflow_mode)mp->mode;
    return p->workload.protocol == PROTO_TCP || p->network.mode == NET_HOST ? MFLOW_FULL_PATH
                                                                           : MFLOW_DEVICE;
}

static int mflow_validate(const struct sim_params *p, struct policy_complaint *c)
{
    const struct mflow_params *mp = policy_params(p);
    int rc;
    if ((rc = policy_check_cpus(p, &mp->split_cpus, "policy.mflow_cpus", false, c)) ||
        (rc = policy_check_cpus(p, &mp->rps_cpus, "policy.rps_cpus", true, c)))
        return rc;
    if (mp->lanes > (int64_t)mp->split_cpus.n)
        return policy_complain(c, "policy.mflow_lanes",
                               "= %lld is more than the %u cores of policy.mflow_cpus",
                               (long long)mp->lanes, mp->split_cpus.n);
    if (mp->batch > p->nic.ring_size)
        return policy_complain(c, "policy.mflow_batch",
                               "= %lld is above nic.ring_size = %lld: a micro-flow cannot be "
                               "longer than the ring it is cut from",
                               (long long)mp->batch, (long long)p->nic.ring_size);
    if (mp->mode == MFLOW_DEVICE && p->network.mode == NET_HOST)
        return policy_complain(c, "policy.mflow_mode",
                               "is \"device\" but network.mode is \"host\": device scaling splits "
                               "before the VXLAN device, which the host path has not (use "
                               "\"full_path\" or \"auto\")");
    return SIM_OK;
}

struct mflow_state {
    enum mflow_mode mode;
    enum transition split_at;
    uint32_t batch, lanes;
    struct cpu_list split, rps;
    uint32_t nflows;
    uint64_t *seen; /* [nflows] packets of the flow cut so far */
};

static int mflow_init(void *state, const struct sim_params *p, struct sim_err *err)
{
    struct mflow_state *st = state;
    const struct mflow_params *mp = policy_params(p);
    struct policy_complaint c;
    int valid = mflow_validate(p, &c); /* the loader ran it */
    (void)err;
    SIM_ASSERT(valid == SIM_OK);
    st->mode = effective_mode(mp, p);
    st->split_at = st->mode == MFLOW_FULL_PATH ? TR_IRQ_SPLIT : TR_GRO_CELLS;
    st->batch = (uint32_t)mp->batch;
    st->lanes = (uint32_t)mp->lanes;
    memcpy(&st->split, &mp->split_cpus, sizeof st->split);
    memcpy(&st->rps, &mp->rps_cpus, sizeof st->rps);
    st->nflows = params_flow_count(p);
    st->seen = xcalloc(st->nflows ? st->nflows : 1, sizeof *st->seen);
    return SIM_OK;
}

static void mflow_fini(void *state)
{
    struct mflow_state *st = state;
    free(st->seen);
}

static unsigned mflow_merge_lanes(const void *state)
{
    const struct mflow_state *st = state;
    return st->lanes;
}

static bool mflow_tag(void *state, const struct pkt_meta *pkt, enum transition tr,
                      struct microflow_tag *tag)
{
    struct mflow_state *st = state;
    if (tr != st->split_at)
        return false;
    SIM_ASSERT(pkt->flow_id < st->nflows);
    uint64_t n = st->seen[pkt->flow_id]++;
    uint64_t id = n / st->batch;
    SIM_ASSERT(id <= UINT32_MAX); /* 2^32 micro-flows of one flow: beyond any run */
    tag->id = (uint32_t)id;
    tag->lane = (uint16_t)(id % st->lanes);
    tag->last = n % st->batch == st->batch - 1;
    return true;
}

static int mflow_select_cpu(void *state, const struct pkt_meta *pkt, enum transition tr,
                            const struct cpu_view *view)
{
    const struct mflow_state *st = state;
    (void)view;
    if (tr == st->split_at && pkt->in_microflow) {
        uint32_t offset = st->lanes < st->split.n
                              ? policy_reciprocal_scale(pkt->flow_hash, st->split.n)
                              : 0;
        return st->split.cpu[(offset + pkt->lane) % st->split.n];
    }
    if (tr == TR_RPS_RECEIVE && st->mode == MFLOW_DEVICE && st->rps.n > 0)
        return st->rps.cpu[policy_reciprocal_scale(pkt->flow_hash, st->rps.n)];
    return POLICY_LOCAL;
}

const struct placement_policy_ops mflow_policy_ops = {
    .name = "mflow",
    .abi = PLACEMENT_POLICY_ABI,
    .state_size = sizeof(struct mflow_state),
    .keys = k_mflow_keys,
    .nkeys = SIM_ARRAY_LEN(k_mflow_keys),
    .params_size = sizeof(struct mflow_params),
    .validate = mflow_validate,
    .init = mflow_init,
    .select_cpu = mflow_select_cpu,
    .merge_lanes = mflow_merge_lanes,
    .tag_microflow = mflow_tag,
    .irq_split_release_batch = 128, /* the paper's */
    .fini = mflow_fini,
};
