/*
 * traffic.c: senders, the link, and the request/response clients.
 *
 * Flows. A stream flow is either open-loop (workload.rate_pps and/or
 * workload.sender_cap_pps: constant or Poisson message times, from the
 * flow's own random stream, workload.burst messages at a time) or, when
 * both are 0, as fast as the link takes it. A TCP flow is also window-limited: at most workload.tcp_window_bytes
 * are in flight between the sender and the application; the window opens
 * workload.ack_delay_us after the application consumes data, and the credit
 * of a dropped segment returns after workload.rto_us (the data is then sent
 * again as new bytes: no in-order loss recovery is modelled). TCP messages
 * are sent as MSS-sized segments per message (sockperf with TCP_NODELAY);
 * UDP messages larger than the MTU are IP fragments, reassembled before the
 * socket.
 *
 * Request/response (workload.type = rr): workload.clients x
 * workload.connections connections, each a flow with up to
 * workload.outstanding requests in flight. A request reaches the server
 * link workload.net_delay_us after the client sends it; the server thread
 * pays app.service and app.response_tx_ns; the response reaches the client
 * net_delay_us later; after workload.think_us the client sends again. A lost
 * request is re-sent after workload.rto_us. The round trip is measured from
 * the client's send to the response's arrival; it succeeds within
 * workload.response_limit_ms.
 *
 * Web serving (workload.type = web): as rr, but the worker that reads a
 * request calls workload.cache_calls cache and workload.db_calls database
 * containers in parallel; each response reaches the link
 * workload.cache_delay / db_delay later and crosses this host's overlay
 * receive path to the worker, which answers the client when the last one is
 * in (a lost backend response is asked for again after workload.rto_us).
 *
 * The link is one FIFO server at nic.link_gbps shared by all flows, serving
 * flows with data round-robin one frame at a time; a frame occupies it for
 * (payload + headers + 24 B preamble/IFG/FCS) * 8 / rate ns (minimum frame
 * 64 B). Messages of open-loop UDP flows wait in a switch buffer of
 * nic.wire_buffer_bytes; a message that does not fit is a wire drop.
 *
 * Senders on this host (sender.cpus, UDP streams): a flow's datagrams come
 * due as above (workload.rate_pps; 0: always due), and a sender thread on a
 * CPU sends them, one step per datagram: sender.msg_ns (plus sender.encap_ns
 * on the overlay) plus sender.byte_ns per payload byte plus sender.frag_ns
 * per IP fragment, plus sender.call_ns for the first datagram of each send
 * call (what one flow has due when the call starts, up to sender.batch, then
 * the next flow's: datagrams that come due while a call runs go in the next
 * call, as the kit's pacer counts what it owes once per call); of that,
 * cpu.syscall_return_ns comes after the call's last datagram and the
 * softirqs its transmit ran, when the call returns (STEP_CALL_RETURN).
 * Every datagram of a call carries the call's start as its send time (the
 * kit stamps a batch just before sendmmsg), so without RPS the k-th datagram
 * of a call waits for the send and receive paths of the k - 1 before it.
 * When the step ends the frames enter the receive path by veth's netif_rx
 * (netstack_stages.c, stage_netif_rx) and the CPU runs its pending softirqs,
 * as local_bh_enable does after each dev_queue_xmit. With
 * sender.sndbuf_bytes, a datagram's skbs count against its socket's send
 * buffer from the send until the receive path's first IP layer orphans them
 * (ip_rcv_core's skb_orphan: a veth crossing into another namespace keeps
 * skb->sk since Linux 4.19, 9c4c325252c5 "skbuff: preserve sock reference
 * when scrubbing the skb"), or they are dropped. A send that finds the
 * buffer full blocks the thread (sock_alloc_send_pskb) until the CPU that
 * frees its skbs finds less than half of it used (sock_def_write_space) and
 * wakes it, as a reader is woken. So a sender can run at most a buffer ahead
 * of the receive path's first IP layer, wherever that runs. 0: no limit (a
 * datagram leaves the accounting when it is transmitted). The link, the NIC
 * and the workload's sender caps are not used; the offered load is the
 * flows' rates, whatever the policy.
 *
 * Counting: a frame is "generated" when its message is queued (open-loop
 * UDP, rr), when it starts on the wire (link-limited and TCP flows), or
 * when its sender thread's step ends (sender.cpus).
 */
#include "model_internal.h"

#include <math.h>

static uint32_t frame_bytes(const struct flow *f, uint32_t frag)
{
    if (frag + 1 < f->frames_per_msg)
        return f->frame_payload;
    return f->msg_bytes - f->frame_payload * (f->frames_per_msg - 1);
}

static uint32_t wire_bytes(const struct flow *f, uint32_t payload)
{
    uint32_t w = payload + f->frame_overhead;
    return w < 84 ? 84 : w; /* 64 B minimum frame + 20 B preamble and gap */
}

static uint64_t msg_wire_bytes(const struct flow *f)
{
    uint64_t w = 0;
    for (uint32_t i = 0; i < f->frames_per_msg; i++)
        w += wire_bytes(f, frame_bytes(f, i));
    return w;
}

static bool has_data(const struct model *m, const struct flow *f)
{
    if (!f->unlimited && f->pending_msgs == 0)
        return false;
    if (m->proto == PROTO_TCP && !m->rr)
        return f->inflight_bytes + frame_bytes(f, f->tx_frag) <=
               (int64_t)m->p->workload.tcp_window_bytes;
    return true;
}

static void link_start(struct model *m);

static void link_ready(struct model *m, struct flow *f)
{
    if (f->on_link || !has_data(m, f))
        return;
    f->on_link = true;
    link_ready_list_push(&m->link.ready, f);
    if (!m->link.busy)
        link_start(m);
}

static void link_start(struct model *m)
{
    struct link *l = &m->link;
    struct flow *f = link_ready_list_pop(&l->ready);
    if (f == NULL)
        return;
    f->on_link = false;
    SIM_ASSERT(has_data(m, f));

    uint32_t frag = f->tx_frag;
    bool last = frag + 1 == f->frames_per_msg;
    uint32_t bytes = frame_bytes(f, frag);
    bool queued = !f->unlimited && !(m->proto == PROTO_TCP && !m->rr);
    if (queued) {
        l->queued_bytes -= wire_bytes(f, bytes);
    } else {
        metrics_generated(m, frag == 0, 1);
    }
    if (m->proto == PROTO_TCP && !m->rr)
        f->inflight_bytes += bytes;
    l->cur_flow = f;
    l->cur_msg = f->tx_msg;
    l->cur_frag = frag;
    l->cur_bytes = bytes;
    l->cur_t_sent = 0;
    if (m->rr) {
        SIM_ASSERT(f->rr_n > 0);
        l->cur_t_sent = f->rr_sent[f->rr_head];
        if (last) {
            f->rr_head = (f->rr_head + 1) % f->rr_cap;
            f->rr_n--;
        }
    }
    if (++f->tx_frag == f->frames_per_msg) {
        f->tx_frag = 0;
        f->tx_msg++;
        if (!f->unlimited)
            f->pending_msgs--;
    }
    l->busy = true;
    engine_schedule(m->eng, engine_now(m->eng) + (last ? f->wire_ns_last : f->wire_ns_full),
                    EV_LINK_DONE, 0, 0);
    link_ready(m, f);
}

void traffic_on_link_done(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct link *l = &m->link;
    (void)obj;
    (void)arg;
    l->busy = false;
    nic_frame_arrives(m, l->cur_flow, l->cur_msg, l->cur_frag, l->cur_bytes, l->cur_t_sent);
    l->cur_flow = NULL;
    link_start(m);
}

/* Queues one message of an open-loop UDP or rr flow, or drops it at the
 * switch buffer. */
static bool queue_message(struct model *m, struct flow *f)
{
    uint64_t wire = msg_wire_bytes(f);
    metrics_generated(m, 1, f->frames_per_msg);
    if (m->link.queued_bytes + (int64_t)wire > m->p->nic.wire_buffer_bytes) {
        metrics_dropped(m, DROP_WIRE, f->frames_per_msg);
        return false;
    }
    m->link.queued_bytes += (int64_t)wire;
    f->pending_msgs++;
    link_ready(m, f);
    return true;
}

/* Messages per second a flow offers: the smallest of its rate and its
 * sender's caps (0 means none); 0 overall means "as fast as the link". */
static double effective_rate(const struct sim_params *p, const struct flow *f, double rate_pps)
{
    double cap = p->workload.sender_cap_pps;
    if (p->network.mode == NET_OVERLAY && p->workload.overlay_sender_cap_pps > 0)
        cap = p->workload.overlay_sender_cap_pps;
    double byte_cap = p->workload.sender_cap_gbps > 0
                          ? p->workload.sender_cap_gbps * 1e9 / 8 / (double)f->msg_bytes
                          : 0;
    /* A containerised UDP client's overlay TX path is paid once per datagram
     * and once per IP fragment (TCP segments are cut after it, by GSO/TSO). */
    double frame_cap = 0;
    if (p->network.mode == NET_OVERLAY && p->workload.protocol == PROTO_UDP) {
        double s = p->workload.overlay_sender_msg_ns * 1e-9;
        if (p->workload.overlay_sender_cap_fps > 0)
            s += (double)f->frames_per_msg / p->workload.overlay_sender_cap_fps;
        frame_cap = s > 0 ? 1 / s : 0;
    }
    double limits[4] = {rate_pps, cap, byte_cap, frame_cap}, r = 0;
    for (int i = 0; i < 4; i++)
        if (limits[i] > 0 && (r == 0 || limits[i] < r))
            r = limits[i];
    return r;
}

/* The flow's offered rate now: workload.rate_pps (a probe flow's:
 * workload.probe_rate_pps), or the hotspot rate for the hotspot flow once
 * its time has come. */
static double flow_rate(const struct model *m, const struct flow *f)
{
    const struct sim_params *p = m->p;
    double r = f->probe ? p->workload.probe_rate_pps : p->workload.rate_pps;
    if ((int64_t)f->id == p->workload.hotspot_flow &&
        (double)engine_now(m->eng) >= p->workload.hotspot_at_ms * 1e6)
        r = p->workload.hotspot_rate_pps;
    /* Senders on this host are bounded by their own CPUs, not by caps. */
    return m->nsenders > 0 ? r : effective_rate(p, f, r);
}

static void schedule_source(struct model *m, struct flow *f)
{
    double rate = flow_rate(m, f);
    if (rate <= 0)
        return; /* a hotspot flow switched to "as fast as the link" is not modelled */
    double mean_gap = 1e9 * (double)m->p->workload.burst / rate; /* one burst's worth */
    double gap = m->p->workload.arrival == ARR_POISSON ? rng_exponential(f->rng, mean_gap)
                                                       : mean_gap;
    f->src_t += gap;
    sim_ns at = (sim_ns)llround(f->src_t);
    sim_ns now = engine_now(m->eng);
    engine_schedule(m->eng, at > now ? at : now, EV_SOURCE, f->id, 0);
}

void traffic_on_source(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct flow *f = &m->flows[obj];
    (void)arg;
    if (m->nsenders > 0) {
        /* the whole burst is due before the sender wakes: one send call */
        f->send_due += (uint64_t)m->p->workload.burst;
        cpu_thread_wake(m, f->sender);
    } else {
        for (int64_t k = 0; k < m->p->workload.burst; k++) {
            if (m->proto == PROTO_TCP) {
                f->pending_msgs++; /* counted as generated when its frames go out */
                link_ready(m, f);
            } else {
                queue_message(m, f);
            }
        }
    }
    schedule_source(m, f);
}

void traffic_on_credit(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct flow *f = &m->flows[obj];
    f->inflight_bytes -= (int64_t)arg;
    SIM_ASSERT(f->inflight_bytes >= 0);
    link_ready(m, f);
}

void traffic_on_rr_send(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    (void)arg;
    sim_ns now = engine_now(m->eng);
    engine_schedule(m->eng, now + m->net_delay_ns, EV_RR_ARRIVE, obj, (uint64_t)now);
}

void traffic_on_rr_arrive(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct flow *f = &m->flows[obj];
    SIM_ASSERT(f->rr_n < f->rr_cap);
    f->rr_sent[(f->rr_head + f->rr_n) % f->rr_cap] = (sim_ns)arg;
    f->rr_n++;
    if (!queue_message(m, f)) {
        /* the switch buffer is full: the client sends its request again,
         * a backend its response (to the same call) */
        f->rr_n--;
        sim_ns due = engine_now(m->eng) + m->rto_ns;
        if (f->tier == 0)
            engine_schedule(m->eng, due, EV_RR_SEND, f->id, 0);
        else
            engine_schedule(m->eng, due, EV_RR_ARRIVE, f->id, arg);
    }
}

void traffic_on_rr_response(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    sim_ns now = engine_now(m->eng);
    sim_ns rtt = now - (sim_ns)arg;
    metrics_rr_response(m, rtt <= m->response_limit);
    if (m->warm)
        hist_record(&m->rtt, rtt);
    hist_record(&m->win_rtt, rtt);
    if (m->think_ns == 0)
        traffic_on_rr_send(m, obj, 0);
    else
        engine_schedule(m->eng, now + m->think_ns, EV_RR_SEND, obj, 0);
}

/* web: the worker read a client request (fan out to the tiers) or a
 * backend response (answer the client once the last one is in). */
static void web_consumed(struct model *m, struct flow *f, struct pkt *p)
{
    sim_ns now = engine_now(m->eng);
    const struct sim_params *pp = m->p;
    if (f->tier == 0) {
        f->web_t_sent = p->t_sent;
        f->web_pending = (uint32_t)(pp->workload.cache_calls + pp->workload.db_calls);
        for (int tier = 1; tier <= 2; tier++) {
            struct flow *b = &m->flows[(uint32_t)tier * m->nconn + f->conn];
            int64_t calls = tier == 1 ? pp->workload.cache_calls : pp->workload.db_calls;
            const struct dist *d = tier == 1 ? &pp->workload.cache_delay : &pp->workload.db_delay;
            for (int64_t k = 0; k < calls; k++)
                engine_schedule(m->eng, now + dist_draw_ns(d, b->rng), EV_RR_ARRIVE, b->id,
                                (uint64_t)p->t_sent);
        }
    } else {
        struct flow *c = &m->flows[f->conn];
        SIM_ASSERT(c->web_pending >= p->msg_ends);
        c->web_pending -= p->msg_ends;
        if (p->msg_ends == 0 || c->web_pending > 0)
            return;
    }
    struct flow *c = &m->flows[f->conn];
    if (c->web_pending == 0)
        engine_schedule(m->eng, now + m->net_delay_ns, EV_RR_RESPONSE, c->id,
                        (uint64_t)c->web_t_sent);
}

void traffic_consumed(struct model *m, struct flow *f, struct pkt *p)
{
    sim_ns now = engine_now(m->eng);
    if (m->web) {
        web_consumed(m, f, p);
    } else if (m->rr) {
        for (uint32_t i = 0; i < p->msg_ends; i++)
            engine_schedule(m->eng, now + m->net_delay_ns, EV_RR_RESPONSE, f->id,
                            (uint64_t)p->t_sent);
    } else if (m->proto == PROTO_TCP) {
        engine_schedule(m->eng, now + m->ack_delay_ns, EV_CREDIT, f->id, p->bytes);
    }
}

void traffic_lost(struct model *m, struct flow *f, uint32_t bytes, bool first_frame)
{
    sim_ns now = engine_now(m->eng);
    if (m->rr) {
        /* A lost request is sent again by the client; a lost backend
         * response is asked for again by the web worker. */
        if (first_frame && f->tier == 0)
            engine_schedule(m->eng, now + m->rto_ns, EV_RR_SEND, f->id, 0);
        else if (first_frame)
            engine_schedule(m->eng, now + m->rto_ns, EV_RR_ARRIVE, f->id,
                            (uint64_t)m->flows[f->conn].web_t_sent);
    } else if (m->proto == PROTO_TCP) {
        engine_schedule(m->eng, now + m->rto_ns, EV_CREDIT, f->id, bytes);
    }
}

bool traffic_frame_loses_message(const struct model *m, const struct flow *f, uint32_t frag)
{
    if (m->rr && m->proto == PROTO_TCP)
        return frag + 1 == f->frames_per_msg;
    return frag == 0;
}

void traffic_dropped(struct model *m, struct pkt *p)
{
    struct flow *f = &m->flows[p->flow];
    if (m->rr && m->proto == PROTO_TCP) {
        /* A request or response is lost when the skb that ends it is, once
         * per message it ends (GRO may have merged several). A lost earlier
         * segment is not: TCP retransmits it, and the message still
         * arrives with its last segment (the model does not delay it). */
        for (uint32_t i = 0; i < p->msg_ends; i++)
            traffic_lost(m, f, p->bytes, true);
        return;
    }
    bool first = m->proto == PROTO_TCP ? true : p->seq % f->frames_per_msg == 0;
    traffic_lost(m, f, p->bytes, first);
}

uint64_t traffic_frames_waiting(const struct model *m)
{
    uint64_t n = m->link.busy ? 1 : 0;
    bool queued_kind = m->rr || m->proto == PROTO_UDP;
    if (!queued_kind)
        return n;
    for (uint32_t i = 0; i < m->nflows; i++) {
        const struct flow *f = &m->flows[i];
        if (f->unlimited || f->pending_msgs == 0)
            continue;
        n += f->pending_msgs * f->frames_per_msg - f->tx_frag;
    }
    return n;
}

/* The wire time of a frame of `payload` bytes of f: at least 1 ns. */
static sim_ns frame_wire_ns(const struct model *m, const struct flow *f, uint32_t payload)
{
    sim_ns dur = (sim_ns)((double)wire_bytes(f, payload) * 8.0 / m->link.gbps + 0.5);
    return dur > 0 ? dur : 1;
}

void traffic_start(struct model *m)
{
    const struct sim_params *p = m->p;
    for (uint32_t i = 0; i < m->nflows; i++) {
        struct flow *f = &m->flows[i];
        f->wire_ns_full = frame_wire_ns(m, f, f->frame_payload);
        f->wire_ns_last = frame_wire_ns(m, f, frame_bytes(f, f->frames_per_msg - 1));
        f->send_bytes_ns = (sim_ns)(p->sender.byte_ns * f->msg_bytes + 0.5);
        if (m->rr && f->tier > 0)
            continue; /* web backend flows send only when called */
        if (m->rr) {
            /* Connections start spread over the first 100 us. */
            for (int64_t k = 0; k < p->workload.outstanding; k++)
                engine_schedule(m->eng, (sim_ns)(rng_uniform(f->rng) * 100e3), EV_RR_SEND, i, 0);
            continue;
        }
        double rate = flow_rate(m, f);
        if (rate <= 0) {
            f->unlimited = true;
            if (m->nsenders > 0)
                cpu_thread_wake(m, f->sender);
            else
                link_ready(m, f);
            continue;
        }
        /* A random phase keeps constant-rate flows from arriving in lockstep. */
        f->src_t = rng_uniform(f->rng) * 1e9 / rate;
        engine_schedule(m->eng, (sim_ns)llround(f->src_t), EV_SOURCE, i, 0);
    }
}

/* {===== Senders on this host (sender.*) ===== */

static bool flow_due(const struct flow *f) { return f->unlimited || f->send_due > 0; }

bool traffic_sender_has_due(const struct model *m, const struct thread *t)
{
    for (uint32_t i = 0; i < t->nsend_flows; i++)
        if (flow_due(&m->flows[t->send_flows[i]]))
            return true;
    return false;
}

/* Whether a sender thread on `cpu` busy-waits now (sender.spin_us): it has
 * nothing due and its next paced send is at most spin_us ahead, as
 * falconsim-loadgen spins through gaps up to 200 us and sleeps through longer
 * ones. O(sender threads x their flows); asked when the CPU runs out of work. */
bool traffic_sender_spins(const struct model *m, uint16_t cpu)
{
    double horizon = m->p->sender.spin_us * 1e3;
    if (horizon <= 0)
        return false;
    double now = (double)engine_now(m->eng);
    for (uint32_t i = 0; i < m->nsenders; i++) {
        const struct thread *t = &m->senders[i];
        if (t->cpu != cpu || traffic_sender_has_due(m, t))
            continue;
        for (uint32_t k = 0; k < t->nsend_flows; k++) {
            const struct flow *f = &m->flows[t->send_flows[k]];
            if (!f->unlimited && flow_rate(m, f) > 0 && f->src_t - now <= horizon)
                return true;
        }
    }
    return false;
}

/* The flow the thread's next datagram goes to: the current call's, or,
 * where a call starts, the next flow (round robin) with one due. Asking
 * again before the datagram is sent gives the same flow. O(flows of the
 * thread) at the start of a call; a sender has a few. */
static struct flow *next_send_flow(struct model *m, struct thread *t)
{
    if (t->batch_left == 0)
        for (uint32_t k = 0;
             k < t->nsend_flows && !flow_due(&m->flows[t->send_flows[t->send_next]]); k++)
            t->send_next = (t->send_next + 1) % t->nsend_flows;
    return &m->flows[t->send_flows[t->send_next]];
}

/* The send buffer's charge of one datagram: each of its skbs' truesize, as
 * pkt_truesize counts them at the socket. */
static int64_t msg_truesize(const struct model *m, const struct flow *f)
{
    return (int64_t)f->msg_bytes + (int64_t)f->frames_per_msg * m->p->app.skb_overhead_bytes;
}

bool traffic_sender_blocked(struct model *m, struct thread *t)
{
    int64_t sndbuf = m->p->sender.sndbuf_bytes;
    if (sndbuf <= 0 || next_send_flow(m, t)->snd_wmem < sndbuf)
        return false;
    t->wmem_blocked = true;
    return true;
}

sim_ns traffic_wmem_release(struct model *m, struct cpu *c, struct pkt *p, sim_ns at)
{
    struct flow *f = &m->flows[p->flow];
    p->flags &= (uint8_t)~PKT_WMEM;
    f->snd_wmem -= pkt_truesize(m, p);
    SIM_ASSERT(f->snd_wmem >= 0);
    struct thread *t = f->sender;
    /* sock_writeable: less than half the buffer in use */
    if (!t->wmem_blocked || f->snd_wmem >= m->p->sender.sndbuf_bytes >> 1 ||
        next_send_flow(m, t) != f)
        return 0;
    t->wmem_blocked = false;
    if (t->wmem_wake_due)
        return 0; /* an earlier wake-up is on its way: it finds the buffer free */
    t->wmem_wake_due = true;
    struct cpu *tc = &m->cpus[t->cpu];
    struct rng *r = c != NULL ? c->rng : tc->rng;
    sim_ns cost = 0;
    if (c != NULL) {
        cost = m->app_waker_cost_ns + cpu_waker_ipi_ns(m, c, t);
        if (c->id != t->cpu)
            metrics_cpu_count(m, c->id, CPU_WAKE_IPIS, 1); /* ttwu_queue_wakelist */
    }
    sim_ns delay = dist_draw_ns(&m->p->app.wakeup_latency, r) + cpu_idle_exit_ns(m, tc, r);
    engine_schedule(m->eng, at + cost + delay, EV_THREAD_WAKE, (uint32_t)(t - m->senders), 1);
    return cost;
}

/* One datagram. A send call goes to the next flow (round robin) with one
 * due and takes what that flow has due at the call's start, up to
 * sender.batch; batch_left > 0 implies the current flow still has one due
 * (send_due only grows between steps). Until 2026-12-03 a call also took
 * what came due while it ran, stamped with its start. */
void traffic_plan_send(struct model *m, struct thread *t, struct step *s)
{
    s->dur = 0;
    t->wmem_blocked = false; /* woken some other way, it sends: not blocked */
    struct flow *f = next_send_flow(m, t);
    if (t->batch_left == 0) {
        /* what is due at the call's start, up to the cap: the kit's pacer
         * counts what it owes once, before sendmmsg (loadgen.c, `owed`) */
        uint64_t cap = (uint64_t)m->p->sender.batch;
        t->batch_left = (uint32_t)(f->unlimited || f->send_due > cap ? cap : f->send_due);
        t->call_t = engine_now(m->eng);
        metrics_cpu_count(m, t->cpu, CPU_SEND_CALLS, 1);
        metrics_cpu_count(m, t->cpu, CPU_SEND_CALL_MSGS, t->batch_left);
        s->dur = m->send_call_ns - m->syscall_return_ns; /* the rest when it returns */
    }
    SIM_ASSERT(flow_due(f));
    if (!f->unlimited)
        f->send_due--;
    if (m->p->sender.sndbuf_bytes > 0)
        f->snd_wmem += msg_truesize(m, f); /* sock_alloc_send_pskb, before the work */
    s->dur += m->send_msg_ns + (sim_ns)f->frames_per_msg * m->send_frag_ns + f->send_bytes_ns;
    s->target = (int32_t)f->id;
    s->thread = t;
    s->pkt = NULL;
    /* send_due only grows between steps, so a call that took what was due at
     * its start still has it (the assertion above, at its next datagram) */
    if (--t->batch_left == 0) {
        t->send_next = (t->send_next + 1) % t->nsend_flows;
        t->call_return_due = m->syscall_return_ns > 0;
    }
}

void traffic_commit_send(struct model *m, struct cpu *c, struct step *s)
{
    struct flow *f = &m->flows[s->target];
    uint64_t msg = f->tx_msg++;
    metrics_generated(m, 1, f->frames_per_msg);
    for (uint32_t frag = 0; frag < f->frames_per_msg; frag++) {
        uint32_t sample = nic_sample_frame(m, f, msg);
        /* stamped with the send call's start, as the kit's sender stamps a
         * whole sendmmsg batch just before the call */
        struct pkt *p = nic_pkt_new(m, f, msg, frag, frame_bytes(f, frag), s->thread->call_t);
        p->sample = sample;
        if (m->p->sender.sndbuf_bytes > 0)
            p->flags |= PKT_WMEM;
        stage_netif_rx(m, c, p);
    }
}

/* }===== */
