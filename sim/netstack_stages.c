/*
 * netstack_stages.c: the stages of the receive path, in path order.
 *
 * Host path (network.mode = host), one NET_RX softirq per packet unless RPS
 * moves the second half:
 *   nic_rx      driver poll, skb allocation            (pNIC NAPI, per frame)
 *   gro         napi_gro_receive                        (pNIC NAPI, per frame)
 *   -- netif_receive_skb: RPS/RFS may enqueue to a backlog (TR_RPS_RECEIVE)
 *   host_l4     ip_rcv, udp_rcv/tcp_v4_rcv, socket enqueue, wake-up (per skb)
 *   -- socket
 *
 * Overlay path (Docker overlay: VXLAN + bridge + veth), three NET_RX
 * softirqs per packet (the FALCON paper's section 3.1 and Fig. 3; drivers/net/vxlan,
 * net/bridge, drivers/net/veth.c):
 *   nic_rx      driver poll, skb allocation            (pNIC NAPI, per frame)
 *   gro_tunnel  GRO through vxlan_gro_receive          (pNIC NAPI, per frame)
 *   -- netif_receive_skb: RPS/RFS (TR_RPS_RECEIVE)
 *   outer_l4    outer ip_rcv, udp_rcv, vxlan_rcv decap (per skb)
 *   -- gro_cells_receive: the current CPU's gro_cell (TR_GRO_CELLS)
 *   gro_cell    gro_cell_poll, bridge, veth_xmit       (gro_cell NAPI, per skb)
 *   -- netif_rx: a backlog, RPS re-evaluated with the same hash (TR_NETIF_RX)
 *   container   container ip_rcv, udp/tcp, socket enqueue, wake-up (backlog NAPI)
 *   -- socket
 *
 * Costs are scenario parameters (stage.<name>.cost, per_byte_ns,
 * per_batch_ns); their defaults and sources are in params_table.c and
 * docs/validation.md. Before GRO a stage runs once per wire frame; after GRO
 * once per skb (a TCP aggregate counts once, as in the kernel's budget).
 */
#include "netstack_stages.h"

#include "model_internal.h"

const struct stage_info k_stage_info[ST_COUNT] = {
    [ST_NIC_RX] = {"nic_rx", true, false},
    [ST_GRO] = {"gro", true, true},
    [ST_HOST_L4] = {"host_l4", false, false},
    [ST_GRO_TUNNEL] = {"gro_tunnel", true, true},
    [ST_OUTER_L4] = {"outer_l4", false, false},
    [ST_GRO_CELL] = {"gro_cell", false, false},
    [ST_CONTAINER] = {"container", false, false},
};

const char *const k_transition_names[TR_COUNT] = {
    "inline", "irq_split", "gro_split", "rps_receive", "gro_cells", "netif_rx", "socket",
};

enum stage_id stage_first(enum net_mode mode)
{
    (void)mode;
    return ST_NIC_RX;
}

/* Next stage on each path; ST_COUNT marks the socket, and stages that are
 * not on a path point nowhere (asserted). */
static const enum stage_id k_next_host[ST_COUNT] = {
    [ST_NIC_RX] = ST_GRO, [ST_GRO] = ST_HOST_L4, [ST_HOST_L4] = ST_COUNT,
    [ST_GRO_TUNNEL] = ST_NIC_RX, [ST_OUTER_L4] = ST_NIC_RX, [ST_GRO_CELL] = ST_NIC_RX,
    [ST_CONTAINER] = ST_NIC_RX};
static const enum stage_id k_next_overlay[ST_COUNT] = {
    [ST_NIC_RX] = ST_GRO_TUNNEL, [ST_GRO_TUNNEL] = ST_OUTER_L4, [ST_OUTER_L4] = ST_GRO_CELL,
    [ST_GRO_CELL] = ST_CONTAINER, [ST_CONTAINER] = ST_COUNT,
    [ST_GRO] = ST_NIC_RX, [ST_HOST_L4] = ST_NIC_RX};

enum stage_id stage_next(enum net_mode mode, enum stage_id s)
{
    SIM_ASSERT(s < ST_COUNT);
    enum stage_id n = mode == NET_HOST ? k_next_host[s] : k_next_overlay[s];
    SIM_ASSERT(n != ST_NIC_RX); /* not on this path */
    return n;
}

enum transition stage_transition(enum net_mode mode, enum stage_id s)
{
    switch (s) {
    case ST_NIC_RX: return TR_GRO_SPLIT;
    case ST_GRO:
    case ST_GRO_TUNNEL: return TR_RPS_RECEIVE;
    case ST_OUTER_L4: return TR_GRO_CELLS;
    case ST_GRO_CELL: return TR_NETIF_RX;
    case ST_HOST_L4:
    case ST_CONTAINER: return TR_SOCKET;
    case ST_COUNT: break;
    }
    (void)mode;
    SIM_ASSERT(false && "no transition after this stage");
}

/* {===== The packet walk ===== */

/*
 * A packet step runs a packet through every stage it meets on this CPU:
 * it charges each stage's cost (and its per-batch cost once per poll),
 * lets GRO merge or hold TCP frames, and asks the policy at each
 * transition. It stops at the first transition that enqueues the packet
 * (to a backlog or the local gro_cell), at the socket, or when GRO absorbs
 * the frame. Decisions are taken when the step starts; the enqueue happens
 * when it ends (stage_commit), so no other CPU sees the packet before the
 * work that produced it is done.
 */

static void gro_remove(struct napi *n, uint32_t i)
{
    for (uint32_t j = i + 1; j < n->gro_n; j++)
        n->gro_held[j - 1] = n->gro_held[j];
    n->gro_n--;
}

static void gro_hold(struct napi *n, struct pkt *p)
{
    SIM_ASSERT(n->gro_n < GRO_MAX_HELD);
    n->gro_held[n->gro_n++] = p;
}

/* dev_gro_receive for one TCP frame: merge with the flow's held skb if the
 * frame continues it and fits in kernel.gro_max_bytes; otherwise the held
 * skb is flushed and the frame held. Holding one more flow than
 * kernel.gro_max_flows flushes the oldest. Returns the skb that leaves GRO
 * now (continuing in this step), or NULL. O(held flows). */
static struct pkt *gro_receive(struct model *m, struct napi *n, struct pkt *p)
{
    uint32_t max_bytes = (uint32_t)m->p->kernel.gro_max_bytes;
    for (uint32_t i = 0; i < n->gro_n; i++) {
        struct pkt *h = n->gro_held[i];
        if (h->flow != p->flow)
            continue;
        if (h->seq_end == p->seq && h->bytes + p->bytes <= max_bytes) {
            h->bytes += p->bytes;
            h->segs += p->segs;
            h->seq_end = p->seq_end;
            h->msg_ends += p->msg_ends;
            h->flags |= p->flags & PKT_MF_LAST;
            if (p->sample != NO_SAMPLE)
                m->samples[p->sample].merged = 1;
            model_pkt_free(m, p);
            if (h->bytes + m->flows[h->flow].frame_payload > max_bytes) {
                gro_remove(n, i);
                return h;
            }
            return NULL;
        }
        gro_remove(n, i);
        gro_hold(n, p);
        return h;
    }
    struct pkt *out = NULL;
    if (n->gro_n >= (uint32_t)m->p->kernel.gro_max_flows) {
        out = n->gro_held[0];
        gro_remove(n, 0);
    }
    gro_hold(n, p);
    return out;
}

struct pkt *stage_gro_flush_one(struct napi *n)
{
    SIM_ASSERT(n->gro_n > 0);
    struct pkt *p = n->gro_held[0];
    gro_remove(n, 0);
    p->flags |= PKT_FLUSHED;
    return p;
}

/* What a policy may know of packet p. */
static void pkt_meta_fill(struct pkt_meta *meta, const struct model *m, const struct pkt *p)
{
    flow_meta_fill(meta, m, &m->flows[p->flow]);
    meta->bytes = p->bytes;
    meta->rx_queue = p->rxq;
    meta->priority = (p->flags & PKT_HIGH) ? 1 : 0;
    meta->in_microflow = (p->flags & PKT_MF) != 0;
    meta->lane = p->mf_lane;
    meta->microflow = p->mf_id;
}

/* The policy's decision at transition tr for p on CPU c: first, if it cuts
 * micro-flows and p is in none yet, whether p joins one here; then where p
 * continues (a CPU, POLICY_LOCAL or POLICY_INLINE). */
static int policy_decide(struct model *m, const struct cpu *c, struct pkt *p, enum transition tr,
                         sim_ns now)
{
    if (!(m->pol_asked & (1u << tr)))
        return POLICY_LOCAL; /* the policy's decides hook: never moves a packet here */
    struct pkt_meta meta;
    pkt_meta_fill(&meta, m, p);
    if (m->mf_lanes > 0 && !(p->flags & PKT_MF)) {
        struct microflow_tag tag = {0, 0, false};
        if (m->pol->tag_microflow(m->pol_state, &meta, tr, &tag)) {
            SIM_ASSERT(tag.lane < m->mf_lanes && tag.lane == tag.id % m->mf_lanes);
            p->flags |= PKT_MF | (tag.last ? PKT_MF_LAST : 0);
            p->mf_id = tag.id;
            p->mf_lane = (uint8_t)tag.lane;
            pkt_meta_fill(&meta, m, p);
        }
    }
    m->view.now = now;
    m->view.cur_cpu = c->id;
    int cpu = m->pol->select_cpu(m->pol_state, &meta, tr, &m->view);
    SIM_ASSERT(cpu == POLICY_LOCAL || cpu == POLICY_INLINE ||
               (cpu >= 0 && (unsigned)cpu < m->ncpu));
    return cpu;
}

void stage_plan_packet(struct model *m, struct cpu *c, struct napi *n, struct pkt *p,
                       struct step *s)
{
    sim_ns now = engine_now(m->eng);
    sim_ns cost = 0;
    cpu_plan_contention(m);
    if (p->cpu >= 0 && p->cpu != (int16_t)c->id) {
        cost += contended(m, m->migrate_ns); /* the skb's cache lines come from another core */
        if (p->hops < UINT8_MAX)
            p->hops++;
    }
    p->cpu = (int16_t)c->id;
    if (p->alloc_cpu < 0)
        p->alloc_cpu = (int16_t)c->id; /* the driver poll allocates the skb */
    enum stage_id st = (enum stage_id)p->stage;
    bool resume = (p->flags & PKT_FLUSHED) != 0;
    p->flags &= (uint8_t)~PKT_FLUSHED;
    s->action = ACT_NONE;
    s->pkt = NULL;
    sim_ns charged = 0; /* cost already attributed to a stage */
    bool direct_call = false; /* a transition became a direct call (POLICY_INLINE) */
    if (!resume && n->kind == NAPI_PNIC && st == stage_first(m->mode)) {
        /* The driver's raw request, before its skb exists: the policy may
         * hand it to another CPU's queue (mFlow's IRQ splitting), which then
         * allocates the skb and runs the rest; this CPU pays one enqueue. */
        int cpu = policy_decide(m, c, p, TR_IRQ_SPLIT, now);
        if (cpu >= 0) {
            s->pkt = p;
            s->tr = TR_IRQ_SPLIT;
            s->action = ACT_BACKLOG;
            s->target = cpu;
            s->dur = contended(m, m->enq_remote_ns);
            metrics_cpu_stage(m, c->id, st, s->dur);
            return;
        }
    }
    for (;;) {
        if (!resume) {
            if (p->flags & PKT_WMEM) /* ip_rcv_core's skb_orphan: the first IP layer */
                cost += contended(m, traffic_wmem_release(m, c, p, now + cost));
            if (p->sample != NO_SAMPLE)
                metrics_sample_stage(m, p, st, c->id, now + cost);
            cost += contended(m, stage_cost_ns(&m->p->stage[st], p->bytes, c->rng));
            if (!(c->batch_mask & (1u << st))) {
                c->batch_mask |= 1u << st;
                cost += contended(m, m->per_batch_ns[st]);
            }
            /* non-final IP fragments stop in a defragmentation queue */
            if (p->msg_ends > 0 || (p->flags & PKT_TCP))
                cost += contended(m, m->per_message_ns[st]);
            cost += contended(m, m->tcp_extra_ns[st]);
            metrics_cpu_stage(m, c->id, st, cost - charged);
            charged = cost;
            if (k_stage_info[st].is_gro && (p->flags & PKT_TCP)) {
                p->stage = (uint8_t)st; /* a held skb resumes after this stage */
                p = gro_receive(m, n, p);
                if (p == NULL)
                    break; /* absorbed or held */
            }
        }
        resume = false;
        enum transition tr = stage_transition(m->mode, st);
        enum stage_id next = stage_next(m->mode, st);
        if (tr == TR_SOCKET) {
            s->action = ACT_SOCKET;
            s->pkt = p;
            break; /* a wake-up's cost follows the enqueue (STEP_WAKE) */
        }
        int cpu = tr == TR_INLINE ? POLICY_LOCAL : policy_decide(m, c, p, tr, now);
        if (cpu == POLICY_INLINE) {
            direct_call |= tr == TR_GRO_CELLS || tr == TR_NETIF_RX;
            st = next;
            continue;
        }
        if (cpu == POLICY_LOCAL && (tr == TR_INLINE || tr == TR_GRO_SPLIT || tr == TR_RPS_RECEIVE)) {
            st = next;
            continue;
        }
        p->stage = (uint8_t)next;
        s->pkt = p;
        s->tr = tr;
        if (cpu == POLICY_LOCAL && tr == TR_GRO_CELLS) {
            s->action = ACT_GRO_CELL;
            s->target = c->id;
        } else {
            s->action = ACT_BACKLOG;
            s->target = cpu == POLICY_LOCAL ? (int32_t)c->id : cpu;
        }
        cost += contended(m, s->target == (int32_t)c->id ? m->enq_local_ns : m->enq_remote_ns);
        break;
    }
    metrics_cpu_stage(m, c->id, st, cost - charged); /* the enqueue ending the last stage run */
    s->dur = cost;
    if (direct_call)
        c->batch_mask = 0; /* run to completion: no stage's code stays warm for the next packet */
}

/* The queue of a NAPI after the driver's for a packet's class (the backlog's
 * input_pkt_queue, or PRISM's high-priority queue beside it). */
static struct pktq *class_queue(struct napi *n, bool high)
{
    return high ? &n->hq : &n->q;
}

static void add_ipi_target(struct cpu *c, unsigned target)
{
    if (!c->ipi_listed[target]) {
        c->ipi_listed[target] = true;
        c->ipi_targets[c->ipi_n++] = (uint16_t)target;
    }
}

/* enqueue_to_backlog(skb, target): drop when input_pkt_queue already holds
 * netdev_max_backlog + 1 packets (the drop is counted at the target, as in
 * softnet_stat); schedule the target's backlog NAPI if it was idle:
 * locally at once, remotely through an IPI sent when this CPU's
 * net_rx_action ends (napi_schedule_rps, net_rps_action_and_irq_enable). */
static void enqueue_to_backlog(struct model *m, struct cpu *c, struct cpu *t, struct pkt *p,
                               enum transition tr)
{
    struct napi *n = &t->backlog;
    bool high = (p->flags & PKT_HIGH) != 0;
    struct pktq *q = class_queue(n, high);
    if (q->len >= n->limit) {
        metrics_cpu_count(m, t->id, CPU_BACKLOG_DROPS, 1);
        model_drop(m, p, DROP_BACKLOG);
        return;
    }
    pktq_push(q, p);
    t->input_queue_tail++;
    m->view_backlog_len[t->id] = cpu_backlog_len(t);
    if (m->pol->enqueued != NULL) {
        struct pkt_meta meta;
        pkt_meta_fill(&meta, m, p);
        m->pol->enqueued(m->pol_state, &meta, tr, t->id, t->input_queue_tail);
    }
    if (n->scheduled)
        return;
    if (t == c) {
        cpu_napi_schedule_class(m, c, n, high);
    } else {
        n->scheduled = true;
        add_ipi_target(c, t->id);
    }
}

/* veth_xmit -> netif_rx on the sender's CPU (one-host namespaces): the
 * packet enters where the NIC's driver and GRO would have handed it to the
 * stack (host_l4 on the host path, outer_l4 on the overlay: veth has no
 * driver poll, and its GRO is off); get_rps_cpu on the receiving veth is
 * the policy's rps_receive choice; with no choice, the local backlog
 * (enqueue_to_backlog(smp_processor_id()), net/core/dev.c netif_rx_internal).
 * A remote backlog needs an IPI, sent by net_rx_action on this CPU, so NET_RX
 * is raised here as napi_schedule_rps does. The enqueue's cost is the
 * sender's (sender.frag_ns). */
void stage_netif_rx(struct model *m, struct cpu *c, struct pkt *p)
{
    p->stage = (uint8_t)stage_next(m->mode, m->mode == NET_HOST ? ST_GRO : ST_GRO_TUNNEL);
    p->cpu = (int16_t)c->id;
    p->alloc_cpu = (int16_t)c->id; /* udp_sendmsg allocated it; veth passes it on */
    int cpu = policy_decide(m, c, p, TR_RPS_RECEIVE, engine_now(m->eng));
    struct cpu *t = cpu < 0 ? c : &m->cpus[cpu];
    enqueue_to_backlog(m, c, t, p, TR_RPS_RECEIVE);
    if (c->ipi_n > 0 && !c->in_net_rx_action)
        c->softirq_pending = true;
}

/* gro_cells_receive: the current CPU's cell, same limit as the backlog
 * (per class: PRISM adds a high-priority queue beside it). */
static void gro_cells_receive(struct model *m, struct cpu *c, struct pkt *p)
{
    struct napi *n = &c->gro_cell;
    bool high = (p->flags & PKT_HIGH) != 0;
    struct pktq *q = class_queue(n, high);
    if (q->len >= n->limit) {
        model_drop(m, p, DROP_GRO_CELL);
        return;
    }
    pktq_push(q, p);
    cpu_napi_schedule_class(m, c, n, high);
}

void stage_commit(struct model *m, struct cpu *c, struct step *s)
{
    struct pkt *p = s->pkt;
    if (p == NULL)
        return;
    switch ((enum step_action)s->action) {
    case ACT_BACKLOG:
        if (s->tr == TR_IRQ_SPLIT && m->pol->irq_split_release_batch > 1) {
            struct rxq *q = &m->rxqs[p->rxq];
            if (++q->held >= m->pol->irq_split_release_batch)
                q->held = 0; /* the driver is told: the descriptors are free again */
        }
        enqueue_to_backlog(m, c, &m->cpus[s->target], p, s->tr);
        break;
    case ACT_GRO_CELL:
        gro_cells_receive(m, c, p);
        break;
    case ACT_SOCKET:
        stage_socket_enqueue(m, c, p);
        break;
    case ACT_NONE:
        SIM_ASSERT(false && "packet step with no action");
    }
}

/* The socket enqueue proper: IP reassembly of UDP fragments (one partial
 * message per flow; a fragment of another message discards it), reorder
 * detection, the receive-buffer limit, and the wake-up. */
static void socket_accept(struct model *m, struct cpu *c, struct flow *f, struct pkt *p)
{
    if (!(p->flags & PKT_TCP) && f->frames_per_msg > 1) {
        if (f->reasm != NULL && f->reasm->msg != p->msg) {
            model_drop(m, f->reasm, DROP_REASM);
            f->reasm = NULL;
        }
        if (f->reasm == NULL) {
            f->reasm = p;
        } else {
            struct pkt *r = f->reasm;
            r->bytes += p->bytes;
            r->segs += p->segs;
            r->msg_ends += p->msg_ends;
            if (p->seq < r->seq)
                r->seq = p->seq;
            if (p->seq_end > r->seq_end)
                r->seq_end = p->seq_end;
            if (p->t_nic < r->t_nic)
                r->t_nic = p->t_nic;
            if (r->sample == NO_SAMPLE)
                r->sample = p->sample;
            model_pkt_free(m, p);
        }
        if (f->reasm->segs < f->frames_per_msg)
            return;
        p = f->reasm;
        f->reasm = NULL;
        p->msg_ends = 1;
    }
    if (p->seq < f->max_seq_end) {
        metrics_reordered(m);
        f->reorders++;
    } else {
        f->max_seq_end = p->seq_end;
    }
    int64_t truesize = pkt_truesize(m, p);
    if (f->sock_bytes + truesize > m->p->app.rcvbuf_bytes) {
        model_drop(m, p, DROP_SOCKET);
        return;
    }
    pktq_push(&f->sockq, p);
    f->sock_bytes += truesize;
    app_socket_ready(m, c, f);
}

/*
 * The micro-flow merge (mFlow's in-order reassembly), as late as possible:
 * just before the socket. Each lane has a buffer queue; the merging counter
 * f->mf_next names the micro-flow to take next, which lives on lane
 * mf_next mod L. Take from that lane while its head belongs to mf_next;
 * the micro-flow is over when its last packet is taken, or when the lane's
 * head belongs to a later micro-flow (its end was lost: a lane keeps order,
 * so nothing more of mf_next can come); then count up. Stop at an empty
 * lane. Buffered skbs count against the receive buffer (mFlow reuses
 * sk_receive_queue as the buffer), and each skb moved costs the reader one
 * queue operation (cpu.enqueue_local_ns) in its next recvmsg, where
 * mFlow runs the merge. Packets that reach the merge out of order are
 * counted (reorders before the merge); those after it are the socket's
 * usual reorder count.
 *
 * Memory pressure: when the buffer holds later micro-flows and an skb does
 * not fit, the merge gives up the micro-flow it waits for (its missing
 * packets were lost, or are so late that waiting would fill the buffer and
 * then refuse the very packets that would unblock it: the socket would
 * stall for good) and counts up until the skb fits or nothing is held; a
 * late packet of a micro-flow given up is dropped. So the merge never
 * delivers out of order and never stalls; the paper does not say how its
 * merge handles loss.
 */
static void merge_release(struct model *m, struct cpu *c, struct flow *f)
{
    for (;;) {
        struct pktq *q = &f->mf_lanes[f->mf_next % m->mf_lanes];
        struct pkt *h = q->l.head;
        if (h == NULL)
            return;
        SIM_ASSERT(h->mf_id >= f->mf_next); /* a lane keeps its micro-flows in order */
        if (h->mf_id != f->mf_next) {
            f->mf_next++;
            continue;
        }
        pktq_pop(q);
        f->mf_bytes -= pkt_truesize(m, h);
        f->merge_due_ns += m->enq_local_ns;
        if (h->flags & PKT_MF_LAST)
            f->mf_next++;
        socket_accept(m, c, f, h);
    }
}

static void merge_receive(struct model *m, struct cpu *c, struct flow *f, struct pkt *p)
{
    if (p->seq < f->mf_max_seq_end) {
        metrics_reordered_premerge(m);
        f->reorders_premerge++;
    } else {
        f->mf_max_seq_end = p->seq_end;
    }
    if (p->mf_id < f->mf_next) {
        model_drop(m, p, DROP_SOCKET); /* its micro-flow was given up */
        return;
    }
    int64_t truesize = pkt_truesize(m, p);
    while (f->sock_bytes + f->mf_bytes + truesize > m->p->app.rcvbuf_bytes && f->mf_bytes > 0) {
        f->mf_next++;
        merge_release(m, c, f);
    }
    if (p->mf_id < f->mf_next ||
        f->sock_bytes + f->mf_bytes + truesize > m->p->app.rcvbuf_bytes) {
        model_drop(m, p, DROP_SOCKET);
        return;
    }
    pktq_push(&f->mf_lanes[p->mf_lane], p);
    f->mf_bytes += truesize;
    merge_release(m, c, f);
}

void stage_socket_enqueue(struct model *m, struct cpu *c, struct pkt *p)
{
    struct flow *f = &m->flows[p->flow];
    if (p->sample != NO_SAMPLE)
        m->samples[p->sample].t_socket = engine_now(m->eng);
    if (p->flags & PKT_MF)
        merge_receive(m, c, f, p);
    else
        socket_accept(m, c, f, p);
}

/* }===== */
