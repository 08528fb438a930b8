/*
 * policy.h: the placement-policy plug-in interface.
 *
 * A policy is a const table of hooks. It decides, at each transition of the
 * receive path (netstack_stages.h), on which CPU the packet continues, and
 * which RX queue a flow's frames use. It sees a narrow read-only view of the
 * CPUs and its own state; it cannot schedule events or touch queues, so it
 * is testable with no engine (tests/test_policies.c).
 *
 * Hook contexts (sched_class style):
 *  - init: once, after the model is built. May read params; fills *state
 *    (zeroed, state_size bytes, owned by the model). Returns SIM_OK or an
 *    error naming the offending key.
 *  - select_rx_queue (optional; NULL means RSS): once per flow at setup.
 *  - select_cpu (required): per packet per transition, in softirq context of
 *    view->cur_cpu. Returns a CPU in [0, view->ncpu) to enqueue the packet to
 *    that CPU's backlog, or POLICY_LOCAL for the kernel's default at this
 *    transition (inline for TR_RPS_RECEIVE and TR_GRO_SPLIT, the local
 *    gro_cell for TR_GRO_CELLS, the local backlog for TR_NETIF_RX). Must not
 *    allocate or block; may update *state.
 *  - enqueued (optional): after a backlog enqueue the policy asked for, with
 *    the target's input_queue_tail (RFS's last_qtail).
 *  - record_recv (optional): an application thread on `cpu` read from the
 *    flow's socket (sock_rps_record_flow).
 *  - tick_period_ns / tick (optional, both or neither): tick is called every
 *    tick_period_ns(state) ns of simulated time with the current view, e.g.
 *    to sample per-CPU load from view->busy_ns (FALCON's calc_cpu_loads).
 *  - fini (optional): releases what init acquired.
 * A view pointer is valid only during the call.
 */
#ifndef FALCONSIM_POLICY_H
#define FALCONSIM_POLICY_H

#include "netstack_stages.h"
#include "params.h"

#define PLACEMENT_POLICY_ABI 1u
#define POLICY_LOCAL (-1)

struct cpu_view {
    sim_ns now;
    unsigned ncpu;
    unsigned cur_cpu;
    const uint32_t *backlog_len;       /* [ncpu] input + process queue */
    const uint64_t *input_queue_head;  /* [ncpu] RFS sequence counters */
    const sim_ns *busy_ns;             /* [ncpu] cumulative busy time */
};

struct pkt_meta {
    uint32_t flow_hash;
    uint32_t flow_id;
    uint32_t bytes;
    uint16_t rx_queue;
    uint8_t protocol; /* enum proto */
    uint8_t mode;     /* enum net_mode */
};

struct placement_policy_ops {
    const char *name;
    unsigned abi;
    size_t state_size;
    int (*init)(void *state, const struct sim_params *p, struct sim_err *err);
    unsigned (*select_rx_queue)(void *state, const struct pkt_meta *pkt, unsigned nqueues);
    int (*select_cpu)(void *state, const struct pkt_meta *pkt, enum transition tr,
                      const struct cpu_view *view);
    void (*enqueued)(void *state, const struct pkt_meta *pkt, enum transition tr, unsigned cpu,
                     uint64_t qtail);
    void (*record_recv)(void *state, const struct pkt_meta *pkt, unsigned cpu);
    sim_ns (*tick_period_ns)(const void *state);
    void (*tick)(void *state, const struct cpu_view *view);
    void (*fini)(void *state);
};

/* RSS: Toeplitz-like hash -> 128-entry indirection table -> queue. */
#define RSS_INDIR_SIZE 128u
unsigned policy_rss_queue(uint32_t flow_hash, unsigned nqueues);

/* The kernel's reciprocal_scale(hash, n) = ((u64)hash * n) >> 32. */
static inline unsigned policy_reciprocal_scale(uint32_t hash, unsigned n)
{
    return (unsigned)(((uint64_t)hash * n) >> 32);
}

const struct placement_policy_ops *policy_lookup(const char *name);
const struct placement_policy_ops *policy_by_id(enum policy_id id);

extern const struct placement_policy_ops vanilla_policy_ops;
extern const struct placement_policy_ops rss_policy_ops;
extern const struct placement_policy_ops rps_policy_ops;
extern const struct placement_policy_ops rfs_policy_ops;
extern const struct placement_policy_ops falcon_policy_ops;
extern const struct placement_policy_ops falcon_static_policy_ops;
extern const struct placement_policy_ops falcon_always_policy_ops;

/* The kernel's hash_32(val, bits): multiply by GOLDEN_RATIO_32, keep the top bits. */
static inline uint32_t policy_hash_32(uint32_t val, unsigned bits)
{
    return (uint32_t)(val * UINT32_C(0x61C88647)) >> (32 - bits);
}

#endif
