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
 *    transition (inline for TR_IRQ_SPLIT, TR_RPS_RECEIVE and TR_GRO_SPLIT,
 *    the local gro_cell for TR_GRO_CELLS, the local backlog for
 *    TR_NETIF_RX), or POLICY_INLINE to call the next stage directly in this
 *    softirq with no queue (PRISM-sync's run to completion; its stages then
 *    lose their batching: their per-batch costs are paid per packet). Must
 *    not allocate or block; may update *state.
 *  - decides (optional; NULL: every transition): after init, whether
 *    select_cpu can return anything but POLICY_LOCAL at tr, or change
 *    *state there. Where it returns false the model does not call
 *    select_cpu (unless the policy cuts micro-flows): the packet takes the
 *    kernel's default. RPS and RFS act only at two of the six transitions,
 *    and the other calls were 7 % of the TCP bench's instructions
 *    (docs/performance.md); tests/test_policies.c holds every policy with
 *    the hook to it.
 *  - enqueued (optional): after a backlog enqueue the policy asked for, with
 *    the target's input_queue_tail (RFS's last_qtail).
 *  - record_recv (optional): an application thread on `cpu` read from the
 *    flow's socket (sock_rps_record_flow).
 *  - tick_period_ns / tick (optional, both or neither): tick is called every
 *    tick_period_ns(state) ns of simulated time with the current view, e.g.
 *    to sample per-CPU load from view->busy_ns (FALCON's calc_cpu_loads).
 *  - classify (optional): once per packet, when its skb is allocated: its
 *    priority class (0 low, 1 high; NULL: all low). Every queue after the
 *    driver's ring (gro_cell, backlog) has a queue per class and a poll
 *    takes its batch from the high one when it holds packets (PRISM).
 *  - merge_lanes / tag_microflow (optional, both or neither): micro-flows.
 *    merge_lanes(state), after init, is the number of lanes L (1..
 *    POLICY_LANES_MAX). At each transition, a packet not yet in a micro-flow
 *    is offered to tag_microflow, which may put it in one: micro-flow ids of
 *    a flow count up from 0 in packet order, micro-flow i travels on lane
 *    i mod L, and the packet ending a micro-flow says so. The model then
 *    merges the flow back in id order just before the socket (mFlow's
 *    merging counter over per-lane buffer queues; the reader pays the merge
 *    in its recvmsg). A lane must keep its packets in order (one CPU).
 *  - poll_list: POLL_LIST_VANILLA (net_rx_action's spliced local list) or
 *    POLL_LIST_STREAMLINED (PRISM: one list; a device with high-priority
 *    packets pending, or newly scheduled by one, goes to the head).
 *  - fini (optional): releases what init acquired.
 * A view pointer is valid only during the call.
 *
 * What a policy owns (one file, one line in policy_registry.c):
 *  - keys/nkeys: its scenario keys, rows of the one declarative table's
 *    form (params.h) built with POLICY_INT/REAL/ENUM/CPUS, stored in
 *    sim_params.policy.params as the policy's own struct (params_size
 *    bytes; read back with policy_params()). The loader parses, defaults,
 *    documents (--help-keys) and records (HDF5 /params) them like core
 *    keys; only the running policy's keys take effect. Several policies may
 *    share a key name (policy.rps_cpus); its type must then agree.
 *  - validate (optional): cross-checks of its keys against the rest of the
 *    scenario, at load time; names the offending key in *c, and the loader
 *    adds the file:line where that key was set. Returning SIM_OK with *c
 *    filled accepts the scenario with a warning line.
 */
#ifndef FALCONSIM_POLICY_H
#define FALCONSIM_POLICY_H

#include "netstack_stages.h"
#include "params.h"

#define PLACEMENT_POLICY_ABI 4u
#define POLICY_LOCAL (-1)
#define POLICY_INLINE (-2)
#define POLICY_LANES_MAX 64u

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
    uint16_t dst_port;   /* the flow's destination (container) port */
    uint8_t protocol;    /* enum proto */
    uint8_t mode;        /* enum net_mode */
    uint8_t priority;    /* classify's class, 0 without it */
    bool in_microflow;   /* tagged by tag_microflow: */
    uint16_t lane;       /*   its lane */
    uint32_t microflow;  /*   and micro-flow id */
};

struct microflow_tag {
    uint32_t id;   /* the flow's micro-flow counter */
    uint16_t lane; /* id mod merge_lanes */
    bool last;     /* the packet ends its micro-flow */
};

enum poll_list_kind { POLL_LIST_VANILLA, POLL_LIST_STREAMLINED };

/* A policy's objection to the scenario: the key and what is wrong with it,
 * worded to follow "'KEY' " ("must list at least one CPU"). A validate hook
 * that fills it and still returns SIM_OK makes it a warning. */
struct policy_complaint {
    const char *key;
    char msg[256];
};

struct placement_policy_ops {
    const char *name; /* the value of policy.name: [a-z0-9_]+ */
    unsigned abi;
    size_t state_size;
    const struct param_spec *keys;
    size_t nkeys;
    size_t params_size;
    int (*validate)(const struct sim_params *p, struct policy_complaint *c);
    int (*init)(void *state, const struct sim_params *p, struct sim_err *err);
    unsigned (*select_rx_queue)(void *state, const struct pkt_meta *pkt, unsigned nqueues);
    int (*select_cpu)(void *state, const struct pkt_meta *pkt, enum transition tr,
                      const struct cpu_view *view);
    bool (*decides)(const void *state, enum transition tr);
    void (*enqueued)(void *state, const struct pkt_meta *pkt, enum transition tr, unsigned cpu,
                     uint64_t qtail);
    void (*record_recv)(void *state, const struct pkt_meta *pkt, unsigned cpu);
    sim_ns (*tick_period_ns)(const void *state);
    void (*tick)(void *state, const struct cpu_view *view);
    uint8_t (*classify)(void *state, const struct pkt_meta *pkt);
    unsigned (*merge_lanes)(const void *state);
    bool (*tag_microflow)(void *state, const struct pkt_meta *pkt, enum transition tr,
                          struct microflow_tag *tag);
    enum poll_list_kind poll_list;
    /* TR_IRQ_SPLIT: the driver learns that the requests handed on are
     * consumed only every this many of them (their ring descriptors stay
     * taken until then); 0 or 1: at once. */
    unsigned irq_split_release_batch;
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

/* {===== The registry (policy_registry.c) ===== */

#define POLICY_MAX 64

unsigned policy_count(void);
/* The policy with registry index id (< policy_count()). */
const struct placement_policy_ops *policy_at(unsigned id);
/* By name; NULL (policy_id: -1) if no policy has it. */
const struct placement_policy_ops *policy_lookup(const char *name);
int policy_id(const char *name);
/* The policy a scenario runs. */
const struct placement_policy_ops *policy_of(const struct sim_params *p);
/* Adds a policy compiled into this binary (a test's, a plug-in's) after
 * the built-in ones; before any scenario is loaded. Refuses, with a
 * message, a malformed table or a name or key type already taken. */
int policy_register(const struct placement_policy_ops *ops, struct sim_err *err);

/* }===== */

/* {===== Helpers for policy files ===== */

/* The running policy's parameters, as its own struct. */
static inline const void *policy_params(const struct sim_params *p)
{
    return p->policy.params.bytes;
}

/* Rows of a policy's key table; type is the policy's parameter struct. */
#define POLICY_OFF(type, field) (offsetof(struct sim_params, policy.params) + offsetof(type, field))
#define POLICY_ROW(k, t, type, f, lo, hi, nm, d, u, h) {k, t, POLICY_OFF(type, f), lo, hi, nm, d, u, h}
#define POLICY_INT(k, type, f, lo, hi, d, u, h) POLICY_ROW(k, P_INT, type, f, lo, hi, NULL, d, u, h)
#define POLICY_REAL(k, type, f, lo, hi, d, u, h) POLICY_ROW(k, P_REAL, type, f, lo, hi, NULL, d, u, h)
#define POLICY_ENUM(k, type, f, nm, d, h) POLICY_ROW(k, P_ENUM, type, f, 0, 0, nm, d, "", h)
#define POLICY_CPUS(k, type, f, d, h) POLICY_ROW(k, P_CPUS, type, f, 0, 0, NULL, d, "cpu ids", h)
/* A list of integers in [lo, hi] (at most 65535), stored as a cpu_list. */
#define POLICY_INTS(k, type, f, lo, hi, d, u, h) POLICY_ROW(k, P_CPUS, type, f, lo, hi, NULL, d, u, h)

/* Fills *c and returns SIM_EINVAL: for validate hooks. */
int policy_complain(struct policy_complaint *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A CPU list must name CPUs inside host.cpus and, unless allow_empty, at
 * least one (the loader checks core keys' lists with it too). Returns SIM_OK
 * or policy_complain's. */
int policy_check_cpus(const struct sim_params *p, const struct cpu_list *l, const char *key,
                      bool allow_empty, struct policy_complaint *c);

/* }===== */

/* The kernel's hash_32(val, bits): multiply by GOLDEN_RATIO_32, keep the top bits. */
static inline uint32_t policy_hash_32(uint32_t val, unsigned bits)
{
    return (uint32_t)(val * UINT32_C(0x61C88647)) >> (32 - bits);
}

#endif
