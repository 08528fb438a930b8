/*
 * netstack_stages.h: the receive path as a sequence of stages joined by
 * transitions. See netstack_stages.c for the path tables and cost sources.
 */
#ifndef FALCONSIM_NETSTACK_STAGES_H
#define FALCONSIM_NETSTACK_STAGES_H

#include "params.h"
#include "rng.h"

/* What happens between a stage and the next one. A transition is where a
 * packet may change CPU: the policy is asked, and the packet is enqueued to
 * a queue (gro_cell or backlog) or continues inline on the same CPU. */
enum transition {
    TR_INLINE,      /* same softirq continues (no queue) */
    TR_IRQ_SPLIT,   /* in the driver poll, before skb allocation (mFlow's IRQ splitting) */
    TR_GRO_SPLIT,   /* before GRO (FALCON's GRO splitting; inline unless a policy moves it) */
    TR_RPS_RECEIVE, /* netif_receive_skb after GRO: RPS/RFS may enqueue to a backlog */
    TR_GRO_CELLS,   /* vxlan_rcv -> gro_cells_receive: the local gro_cell unless moved */
    TR_NETIF_RX,    /* veth_xmit -> netif_rx: always a backlog enqueue */
    TR_SOCKET,      /* last stage -> socket receive queue */
    TR_COUNT
};

struct stage_info {
    const char *name;
    bool per_frame;         /* runs before GRO, once per wire frame */
    bool is_gro;            /* merges TCP segments */
};

extern const struct stage_info k_stage_info[ST_COUNT];
extern const char *const k_transition_names[TR_COUNT];

/* First stage of the path for a mode. */
enum stage_id stage_first(enum net_mode mode);
/* The stage after s on the path, or ST_COUNT after the last one. */
enum stage_id stage_next(enum net_mode mode, enum stage_id s);
/* The transition between s and stage_next(mode, s). */
enum transition stage_transition(enum net_mode mode, enum stage_id s);

/* Cost of running stage s on one skb of `bytes` payload, in ns. */
static inline sim_ns stage_cost_ns(const struct stage_cost_params *c, uint32_t bytes,
                                   struct rng *r)
{
    sim_ns t = dist_draw_ns(&c->cost, r);
    if (c->per_byte_ns > 0)
        t += (sim_ns)(c->per_byte_ns * bytes + 0.5);
    return t;
}

#endif
