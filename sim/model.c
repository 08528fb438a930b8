/*
 * model.c: builds the receive-path model from a scenario, runs it, checks
 * conservation and exposes the results.
 *
 * Setup sizes every pool from the scenario (style guide, practice 8): the
 * packet pool holds the most skbs that can exist at once (rings, gro_cell
 * and backlog queues at their limits, GRO holds, reassembly, sockets at
 * their receive-buffer limits, one per executing step), so running out is
 * a model bug, reported with the key to raise. The event set is sized the
 * same way (run.max_pending_events overrides it).
 *
 * Conservation, in wire frames, checked at the end of every run:
 *   generated = delivered + dropped + in flight,
 * where in flight counts the frames in every queue, hold and step.
 */
#include "model_internal.h"

#include <math.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const k_cpu_cat_names[MODEL_CATS] = {"hardirq", "softirq", "system",
                                                 "user",    "noise",   "idle"};
const char *const k_drop_place_names[MODEL_DROP_PLACES] = {"wire",   "ring",   "backlog",
                                                           "gro_cell", "socket", "reassembly"};

_Static_assert((int)MODEL_STAGES == (int)ST_COUNT, "model.h exports the stage count");
_Static_assert((int)MODEL_CATS == (int)CAT_COUNT + 1, "busy categories plus idle");
_Static_assert(CAT_HARDIRQ == 0 && (int)CAT_NOISE == (int)MODEL_CATS - 2,
               "/cpu/busy_frac's order, on which calibrate's _seen shares rely");
_Static_assert((int)MODEL_DROP_PLACES == (int)DROP_COUNT, "model.h exports the drop places");

struct results_store;
static struct results_store *results_of(struct model *m);
static void results_free(struct model *m);

static sim_ns us_to_ns(double us) { return (sim_ns)llround(us * 1e3); }
static sim_ns ms_to_ns(double ms) { return (sim_ns)llround(ms * 1e6); }
static sim_ns ns_round(double ns) { return (sim_ns)llround(ns); }

/* {===== Packet pool ===== */

struct pkt *model_pkt_alloc(struct model *m)
{
    struct pkt *p = m->free_pkts;
    if (p != NULL)
        m->free_pkts = p->next;
    else if (m->pkt_fresh < m->pkt_cap)
        p = &m->pkt_pool[m->pkt_fresh++];
    else {
        fprintf(stderr,
                "falconsim: internal error: packet pool of %llu exhausted at %lld ns; this is a "
                "model bug (the pool is sized from queue limits)\n",
                (unsigned long long)m->pkt_cap, (long long)engine_now(m->eng));
        abort();
    }
    m->pkt_used++;
    if (m->pkt_used > m->pkt_peak)
        m->pkt_peak = m->pkt_used;
    memset(p, 0, sizeof *p);
    p->sample = NO_SAMPLE;
    p->cpu = -1;
    p->alloc_cpu = -1;
    return p;
}

void model_pkt_free(struct model *m, struct pkt *p)
{
    SIM_ASSERT(m->pkt_used > 0);
    p->next = m->free_pkts;
    m->free_pkts = p;
    m->pkt_used--;
}

void model_drop(struct model *m, struct pkt *p, enum drop_place where)
{
    if (p->flags & PKT_WMEM)
        traffic_wmem_release(m, NULL, p, engine_now(m->eng)); /* kfree_skb: sock_wfree */
    metrics_dropped(m, where, p->segs);
    traffic_dropped(m, p);
    model_pkt_free(m, p);
}

/* }===== */

/* In doubles: setup_memory_estimate calls these before anything is known to
 * fit; model_create converts them once the budget check has passed. */
static double pool_bound(const struct sim_params *p)
{
    double q = (double)p->kernel.netdev_max_backlog + 1;
    double per_cpu = 3 * q + 2;
    double per_rxq = (double)p->nic.ring_size + (double)p->kernel.gro_max_flows + 1;
    double per_sock = floor((double)p->app.rcvbuf_bytes / ((double)p->app.skb_overhead_bytes + 1)) + 2;
    return 64 + (double)p->host.cpus * per_cpu + (double)p->nic.rx_queues * per_rxq +
           (double)params_flow_count(p) * (per_sock + 1);
}

static void init_view(struct model *m)
{
    m->view_backlog_len = xcalloc(m->ncpu, sizeof *m->view_backlog_len);
    m->view_head = xcalloc(m->ncpu, sizeof *m->view_head);
    m->view_busy = xcalloc(m->ncpu, sizeof *m->view_busy);
    m->view.ncpu = m->ncpu;
    m->view.backlog_len = m->view_backlog_len;
    m->view.input_queue_head = m->view_head;
    m->view.busy_ns = m->view_busy;
}

static void init_flows(struct model *m)
{
    const struct sim_params *p = m->p;
    unsigned ip_l4 = m->proto == PROTO_TCP ? 20 + 32 : 20 + 8;
    unsigned inner_mtu = (unsigned)(p->network.mtu -
                                    (m->mode == NET_OVERLAY ? p->network.vxlan_overhead_bytes : 0));
    unsigned payload = inner_mtu - ip_l4;
    /* Ethernet 14 + FCS 4 + preamble and inter-frame gap 20, plus L3/L4 and
     * (overlay) the outer headers. */
    unsigned overhead = 38 + ip_l4 +
                        (unsigned)(m->mode == NET_OVERLAY ? p->network.vxlan_overhead_bytes : 0);

    m->flows = xcalloc(m->nflows, sizeof *m->flows);
    for (uint32_t i = 0; i < m->nflows; i++) {
        struct flow *f = &m->flows[i];
        f->id = i;
        /* web: flows [0, C) carry client requests, [C, 2C) cache responses and
         * [2C, 3C) database responses of connection i mod C */
        f->tier = (uint8_t)(m->web ? i / m->nconn : 0);
        f->conn = m->web ? i % m->nconn : i;
        /* stream: flows [workload.flows, + probe_flows) are the probes */
        f->probe = !m->rr && i >= (uint32_t)p->workload.flows;
        f->dst_port = (uint16_t)(f->probe ? p->workload.probe_dst_port : p->workload.dst_port);
        if (m->mf_lanes > 0)
            f->mf_lanes = xcalloc(m->mf_lanes, sizeof *f->mf_lanes);
        uint32_t msg_bytes = (uint32_t)(f->probe ? p->workload.probe_message_bytes
                                        : !m->rr ? p->workload.message_bytes
                                        : f->tier == 1 ? p->workload.cache_bytes
                                        : f->tier == 2 ? p->workload.db_bytes
                                                       : p->workload.request_bytes);
        /* The hash draw has its own seed: a replication (another run.seed)
         * keeps each flow on the queue and CPUs it had. */
        uint32_t h =
            (uint32_t)rng_mix64((uint64_t)p->run.hash_seed * UINT64_C(0x100000001b3) + i);
        f->hash = h ? h : 1;
        struct pkt_meta meta;
        flow_meta_fill(&meta, m, f);
        f->rxq = (uint16_t)(m->pol->select_rx_queue
                                ? m->pol->select_rx_queue(m->pol_state, &meta, m->nrxq)
                                : policy_rss_queue(f->hash, m->nrxq));
        SIM_ASSERT(f->rxq < m->nrxq);
        f->thread = &m->threads[f->conn % m->nthreads]; /* one worker per connection */
        f->rng = rng_create((uint64_t)p->run.seed, RNG_STREAM_FLOW + (uint64_t)i);
        f->msg_bytes = msg_bytes;
        f->frame_payload = payload;
        f->frame_overhead = overhead;
        f->frames_per_msg = (msg_bytes + payload - 1) / payload;
        if (m->rr) {
            f->rr_cap = (uint32_t)(f->tier == 1   ? p->workload.cache_calls
                                   : f->tier == 2 ? p->workload.db_calls
                                                  : p->workload.outstanding);
            if (f->rr_cap == 0)
                f->rr_cap = 1;
            f->rr_sent = xcalloc(f->rr_cap, sizeof *f->rr_sent);
        }
        hist_init(&f->lat);
        hist_init_sparse(&f->win_lat);
    }
}

static void init_threads(struct model *m)
{
    const struct sim_params *p = m->p;
    m->nthreads = (uint32_t)(p->app.threads > 0 ? p->app.threads : (int64_t)p->app.cpus.n);
    m->threads = xcalloc(m->nthreads, sizeof *m->threads);
    for (uint32_t i = 0; i < m->nthreads; i++) {
        struct thread *t = &m->threads[i];
        t->id = i;
        t->kind = THR_APP;
        t->cpu = p->app.cpus.cpu[i % p->app.cpus.n];
        t->state = THR_SLEEPING;
        t->in_call = true; /* asleep in its first call */
        t->rng = rng_create((uint64_t)p->run.seed, RNG_STREAM_THREAD + (uint64_t)i);
        if (p->sender.cpus.n > 0)
            t->call_t_sent = xcalloc((size_t)p->app.batch, sizeof *t->call_t_sent);
    }
}

/* sender.*: one thread per sender CPU; flow i is sent by thread i mod n. */
static void init_senders(struct model *m)
{
    const struct sim_params *p = m->p;
    m->nsenders = p->sender.cpus.n;
    if (m->nsenders == 0)
        return;
    m->senders = xcalloc(m->nsenders, sizeof *m->senders);
    for (uint32_t i = 0; i < m->nsenders; i++) {
        struct thread *t = &m->senders[i];
        t->id = UINT32_MAX; /* woken directly, never through EV_THREAD_WAKE */
        t->kind = THR_SENDER;
        t->cpu = p->sender.cpus.cpu[i];
        t->state = THR_SLEEPING;
        t->send_flows = xcalloc(m->nflows / m->nsenders + 1, sizeof *t->send_flows);
    }
    for (uint32_t f = 0; f < m->nflows; f++) {
        struct thread *t = &m->senders[f % m->nsenders];
        t->send_flows[t->nsend_flows++] = f;
        m->flows[f].sender = t;
    }
}

static void convert_units(struct model *m)
{
    const struct sim_params *p = m->p;
    m->duration = ms_to_ns(p->run.duration_ms);
    m->warmup = ms_to_ns(p->run.warmup_ms);
    m->window = us_to_ns(p->run.trace_window_us);
    m->coalesce_ns = us_to_ns(p->nic.coalesce_usecs);
    m->irq_ns = ns_round(p->nic.irq_ns);
    m->ipi_send_ns = ns_round(p->cpu.ipi_send_ns);
    m->ipi_send_idle_ns =
        p->cpu.ipi_send_idle_ns < 0 ? m->ipi_send_ns : ns_round(p->cpu.ipi_send_idle_ns);
    m->ipi_trap_leave_ns = p->cpu.ipi_trap_leave_ns < 0 ? -1 : ns_round(p->cpu.ipi_trap_leave_ns);
    m->ipi_recv_ns = ns_round(p->cpu.ipi_recv_ns);
    m->ipi_recv_running_ns = ns_round(p->cpu.ipi_recv_running_ns);
    m->enq_local_ns = ns_round(p->cpu.enqueue_local_ns);
    m->enq_remote_ns = ns_round(p->cpu.enqueue_remote_ns);
    m->migrate_ns = ns_round(p->cpu.migrate_ns);
    m->skb_free_ns = ns_round(p->cpu.skb_free_ns);
    m->send_call_ns = ns_round(p->sender.call_ns);
    m->syscall_return_ns = ns_round(p->cpu.syscall_return_ns);
    m->syscall_return_user_ns = ns_round(p->cpu.syscall_return_user_ns);
    /* the overlay's datagrams also cross the VXLAN device's transmit */
    m->send_msg_ns = ns_round(p->sender.msg_ns) +
                     (p->network.mode == NET_OVERLAY ? ns_round(p->sender.encap_ns) : 0);
    m->send_frag_ns = ns_round(p->sender.frag_ns);
    m->contention = p->cpu.contention;
    m->contention_factor = 1;
    m->budget_ns = us_to_ns(p->kernel.netdev_budget_usecs);
    m->softirq_time_ns = us_to_ns(p->kernel.max_softirq_time_us);
    m->sched_latency_ns = us_to_ns(p->kernel.sched_latency_us);
    m->sched_min_gran_ns = us_to_ns(p->kernel.sched_min_granularity_us);
    m->app_user_ns = ns_round(p->app.user_ns);
    m->app_recv_ns = ns_round(p->app.recv_ns);
    m->app_call_ns = ns_round(p->app.call_ns);
    m->app_remote_ns = ns_round(p->app.remote_data_ns);
    m->app_remote_enqueue_ns = ns_round(p->app.remote_enqueue_ns);
    m->app_remote_splice_ns = ns_round(p->app.remote_splice_ns);
    m->app_wake_cost_ns = ns_round(p->app.wake_cost_ns);
    m->app_waker_cost_ns = ns_round(p->app.waker_cost_ns);
    m->app_wake_user_ns = ns_round(p->app.wake_user_ns);
    m->app_idle_wake_ns = ns_round(p->app.idle_wake_ns);
    m->app_idle_wake_user_ns = ns_round(p->app.idle_wake_user_ns);
    m->rr_tx_ns = ns_round(p->app.response_tx_ns);
    m->ack_delay_ns = us_to_ns(p->workload.ack_delay_us);
    m->rto_ns = us_to_ns(p->workload.rto_us);
    m->net_delay_ns = us_to_ns(p->workload.net_delay_us);
    m->think_ns = us_to_ns(p->workload.think_us);
    m->response_limit = ms_to_ns(p->workload.response_limit_ms);
    for (int s = 0; s < ST_COUNT; s++)
        m->per_batch_ns[s] = ns_round(p->stage[s].per_batch_ns);
    for (int s = 0; s < ST_COUNT; s++)
        m->per_message_ns[s] = ns_round(p->stage[s].per_message_ns);
    for (int s = 0; s < ST_COUNT; s++)
        m->tcp_extra_ns[s] = m->proto == PROTO_TCP ? ns_round(p->stage[s].tcp_extra_ns) : 0;
}

/* The most events that can be pending at once, by kind.
 *
 * Structural bounds (a guard allows at most this many):
 *   EV_LINK_DONE 1 (one frame on the wire); EV_WARMUP, EV_WINDOW,
 *   EV_MIGRATE, EV_POLICY_TICK 1 each (each reschedules itself);
 *   EV_STEP_DONE 1 per CPU (one step at a time); EV_NOISE 2 per noisy CPU
 *   (its next gap and next tick); EV_NOISE_SHARED 1 (the next host-wide
 *   gap); EV_SOURCE 1 per flow; EV_THREAD_WAKE 1 per thread with a flow (only a THR_SLEEPING thread is woken), so at
 *   most 1 per flow, and 1 per sender thread (a wake-up from its send
 *   buffer, never a second while one is due); EV_RR_SEND/ARRIVE/RESPONSE
 *   1 per outstanding request
 *   of a connection, and in web 1 per backend call of it; EV_CREDIT 1 per
 *   TCP skb awaiting its ACK or RTO, at most the packet pool.
 * Rate bounds (no guard: how many are pending depends on timing):
 *   EV_IPI: each net_rx_action end sends one to every CPU on its RPS list,
 *   each in flight for cpu.ipi_latency (+ idle exit), so pending IPIs are
 *   (IPIs sent per ns) x (latency ns); EV_COALESCE: a timer cancelled by
 *   the frame-count interrupt stays pending (stale) for up to
 *   nic.coalesce_usecs, one per interrupt fired in that time.
 * The allowances below for the rate-bound kinds (15 per CPU, 4 per queue,
 * 64 per application CPU and 4096 overall) are margins, not derivations:
 * the property test over every bundled scenario x policy x clients x ring
 * size uses at most a few per cent of the total (test_model prints it and
 * fails above a quarter). Running out aborts naming run.max_pending_events. */
static double event_bound(const struct sim_params *p)
{
    bool web = p->workload.type == WL_WEB, rr = p->workload.type == WL_RR || web;
    double per_flow = 1 /* source */ + 1 /* its thread's wake-up */ + 2 /* allowance */ +
                      (rr ? (double)p->workload.outstanding : 0) +
                      (web ? (double)(p->workload.cache_calls + p->workload.db_calls) : 0);
    double structural = 1 + 4 + (double)p->host.cpus + 2 * (double)p->noise.cpus.n +
                        (noise_host_wide_any(p) ? 1 : 0) +
                        (double)p->sender.cpus.n +
                        (double)params_flow_count(p) * per_flow +
                        (p->workload.protocol == PROTO_TCP ? pool_bound(p) : 0);
    double allowance = 4096 + 15 * (double)p->host.cpus + 4 * (double)p->nic.rx_queues +
                       64 * (double)p->app.cpus.n;
    return structural + allowance;
}

/* What setup will allocate, by part, in bytes (doubles: the inputs may ask
 * for more than a size_t holds), so that a scenario too big for the machine
 * is refused before anything is allocated. */
struct setup_memory {
    double pkts, events, flows, samples, trace, total;
    double windows;
};

static void setup_memory_estimate(const struct sim_params *p, struct setup_memory *mm)
{
    double ncpu = (double)p->host.cpus;
    double nflows = (double)params_flow_count(p);
    bool rr = p->workload.type == WL_RR || p->workload.type == WL_WEB;
    mm->pkts = pool_bound(p) * (double)sizeof(struct pkt);
    mm->events = engine_memory_bytes(p->run.max_pending_events > 0
                                         ? (double)p->run.max_pending_events
                                         : event_bound(p));
    double hist = (double)HIST_BUCKETS * sizeof(uint64_t);
    /* a policy that cuts micro-flows adds a buffer queue per lane and flow
     * (the lane count is known after its init: at most POLICY_LANES_MAX) */
    double lanes = policy_of(p)->merge_lanes != NULL ? POLICY_LANES_MAX : 0;
    mm->flows = nflows * ((double)sizeof(struct flow) + 2 * hist +
                          HIST_SPARSE_MAX * sizeof(uint16_t) + 8 * (rr ? 4.0 : 0.0) +
                          lanes * sizeof(struct pktq));
    /* sender.*: each reader keeps the send times of its open receive call */
    double nthreads = p->app.threads > 0 ? (double)p->app.threads : (double)p->app.cpus.n;
    if (p->sender.cpus.n > 0)
        mm->flows += nthreads * (double)p->app.batch * sizeof(sim_ns);
    mm->samples = (p->run.sample_every > 0 ? (double)p->run.sample_max : 1) *
                  (double)sizeof(struct sample_rec);
    double window_ns = p->run.trace_window_us * 1e3, duration_ns = p->run.duration_ms * 1e6;
    mm->windows = window_ns > 0 ? ceil(duration_ns / window_ns) : 1;
    mm->trace = mm->windows * (8 * sizeof(double) + ncpu * sizeof(float) + 4 * nflows * sizeof(float));
    mm->total = mm->pkts + mm->events + mm->flows + mm->samples + mm->trace + 16e6;
}

/* The setup budget: run.max_memory_mb, or half of this machine's memory. */
static double memory_budget_bytes(const struct sim_params *p)
{
    if (p->run.max_memory_mb > 0)
        return p->run.max_memory_mb * 1048576.0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? 0.5 * (double)pages * (double)page : 4096.0 * 1048576.0;
}

static int check_setup_memory(const struct sim_params *p, struct sim_err *err)
{
    struct setup_memory mm;
    setup_memory_estimate(p, &mm);
    if (mm.windows > (double)UINT32_MAX)
        return sim_error(err, SIM_EINVAL,
                         "error: run.duration_ms / run.trace_window_us asks for %.3g trace "
                         "windows, more than %u: raise run.trace_window_us",
                         mm.windows, UINT32_MAX);
    double budget = memory_budget_bytes(p);
    if (mm.total <= budget)
        return SIM_OK;
    static const char *const drivers[] = {
        "the packet pool: kernel.netdev_max_backlog x host.cpus, nic.ring_size x nic.rx_queues, "
        "app.rcvbuf_bytes x flows",
        "the event set: flows (workload.flows, or workload.clients x workload.connections), "
        "run.max_pending_events",
        "per-flow state: workload.flows, or workload.clients x workload.connections",
        "sampled packets: run.sample_max",
        "the trace: run.duration_ms / run.trace_window_us x flows"};
    double part[] = {mm.pkts, mm.events, mm.flows, mm.samples, mm.trace};
    unsigned top = 0;
    for (unsigned i = 1; i < 5; i++)
        if (part[i] > part[top])
            top = i;
    return sim_error(err, SIM_EINVAL,
                     "error: this scenario needs about %.0f MB at setup, over the budget of "
                     "%.0f MB (run.max_memory_mb; 0: half of this machine's memory); %.0f MB of "
                     "it is %s",
                     mm.total / 1048576.0, budget / 1048576.0, part[top] / 1048576.0,
                     drivers[top]);
}

struct model *model_create(const struct sim_params *p, struct sim_err *err)
{
    if (check_setup_memory(p, err) != SIM_OK)
        return NULL;
    struct model *m = xcalloc(1, sizeof *m);
    m->p = p;
    m->ncpu = (unsigned)p->host.cpus;
    m->mode = (enum net_mode)p->network.mode;
    m->proto = (enum proto)p->workload.protocol;
    m->web = p->workload.type == WL_WEB;
    m->rr = p->workload.type == WL_RR || m->web;
    m->nrxq = (unsigned)p->nic.rx_queues;
    m->nconn = (uint32_t)(m->rr ? p->workload.clients * p->workload.connections : 0);
    m->nflows = params_flow_count(p);
    convert_units(m);

    m->pol = policy_of(p);
    m->pol_state = m->pol->state_size ? xcalloc(1, m->pol->state_size) : NULL;
    if (m->pol->init(m->pol_state, p, err) != SIM_OK) {
        free(m->pol_state);
        m->pol_state = NULL;
        model_destroy(m);
        return NULL;
    }
    init_view(m);
    if (m->pol->merge_lanes != NULL) {
        m->mf_lanes = m->pol->merge_lanes(m->pol_state);
        SIM_ASSERT(m->mf_lanes >= 1 && m->mf_lanes <= POLICY_LANES_MAX);
    }
    _Static_assert(TR_COUNT <= 32, "pol_asked holds a bit per transition");
    for (unsigned tr = 0; tr < TR_COUNT; tr++)
        if (m->pol->decides == NULL || m->mf_lanes > 0 ||
            m->pol->decides(m->pol_state, (enum transition)tr))
            m->pol_asked |= 1u << tr;

    size_t need = (size_t)event_bound(p); /* fits: the memory check passed */
    size_t cap = (size_t)p->run.max_pending_events;
    if (cap == 0) {
        cap = need;
    } else if (cap < need) {
        sim_error(err, SIM_EINVAL,
                  "error: 'run.max_pending_events' = %zu is below the %zu events this scenario can "
                  "have pending: use 0 (sized from the scenario) or at least %zu",
                  cap, need, need);
        model_destroy(m);
        return NULL;
    }
    m->eng = engine_create(cap, "run.max_pending_events", err);
    if (m->eng == NULL) {
        model_destroy(m);
        return NULL;
    }
    /* Classes order equal-time events (engine.h); see enum ev_class. */
    engine_register_single(m->eng, EV_LINK_DONE, CLASS_WIRE, traffic_on_link_done, m);
    engine_register(m->eng, EV_COALESCE, CLASS_NIC_TIMER, nic_on_coalesce_timer, m);
    engine_register(m->eng, EV_IPI, CLASS_INTERRUPT, cpu_on_ipi, m);
    engine_register(m->eng, EV_THREAD_WAKE, CLASS_WAKE, cpu_on_thread_wake, m);
    engine_register(m->eng, EV_STEP_DONE, CLASS_STEP, cpu_on_step_done, m);
    engine_register(m->eng, EV_SOURCE, CLASS_SENDER, traffic_on_source, m);
    engine_register(m->eng, EV_CREDIT, CLASS_SENDER, traffic_on_credit, m);
    engine_register(m->eng, EV_RR_ARRIVE, CLASS_SENDER, traffic_on_rr_arrive, m);
    engine_register(m->eng, EV_RR_RESPONSE, CLASS_SENDER, traffic_on_rr_response, m);
    engine_register(m->eng, EV_RR_SEND, CLASS_SENDER, traffic_on_rr_send, m);
    engine_register(m->eng, EV_MIGRATE, CLASS_CONTROL, app_on_migrate, m);
    engine_register(m->eng, EV_POLICY_TICK, CLASS_CONTROL, model_on_policy_tick, m);
    engine_register(m->eng, EV_NOISE, CLASS_INTERRUPT, cpu_on_noise, m);
    engine_register(m->eng, EV_NOISE_SHARED, CLASS_INTERRUPT, cpu_on_noise_shared, m);
    engine_register(m->eng, EV_WARMUP, CLASS_WARMUP, metrics_on_warmup, m);
    engine_register(m->eng, EV_WINDOW, CLASS_WINDOW, metrics_on_window, m);

    m->pkt_cap = (uint64_t)pool_bound(p);
    /* Handed out from the free list, then from the never-used tail: the
     * pool's pages are touched only as a run needs them (a TCP scenario's
     * bound is tens of MB, most of it never reached). The order is that of
     * a free list built in index order. */
    m->pkt_pool = xmalloc(m->pkt_cap * sizeof *m->pkt_pool);

    m->cpus = xcalloc(m->ncpu, sizeof *m->cpus);
    for (unsigned i = 0; i < m->ncpu; i++)
        cpu_init(m, &m->cpus[i], i);

    m->rxqs = xcalloc(m->nrxq, sizeof *m->rxqs);
    for (unsigned q = 0; q < m->nrxq; q++) {
        struct rxq *r = &m->rxqs[q];
        r->id = (uint16_t)q;
        r->irq_cpu = p->nic.irq_cpus.cpu[q % p->nic.irq_cpus.n];
        r->irq_enabled = true;
        r->napi.kind = NAPI_PNIC;
        r->napi.cpu = r->irq_cpu;
        r->napi.rxq = (uint16_t)q;
        r->napi.limit = (uint32_t)p->nic.ring_size;
        r->napi.weight = (uint32_t)p->kernel.napi_weight;
    }
    m->link.gbps = p->nic.link_gbps;

    init_threads(m);
    init_flows(m);
    init_senders(m);
    metrics_init(m);

    engine_schedule(m->eng, m->warmup, EV_WARMUP, 0, 0);
    engine_schedule(m->eng, m->window < m->duration ? m->window : m->duration, EV_WINDOW, 0, 0);
    if (p->app.migrate_at_ms > 0)
        engine_schedule(m->eng, ms_to_ns(p->app.migrate_at_ms), EV_MIGRATE, 0, 0);
    if (m->pol->tick != NULL) {
        sim_ns period = m->pol->tick_period_ns(m->pol_state);
        SIM_ASSERT(period > 0);
        engine_schedule(m->eng, period, EV_POLICY_TICK, 0, 0);
    }
    cpu_noise_start(m);
    traffic_start(m);
    return m;
}

void model_destroy(struct model *m)
{
    if (m == NULL)
        return;
    if (m->pol != NULL && m->pol->fini != NULL && m->pol_state != NULL)
        m->pol->fini(m->pol_state);
    free(m->pol_state);
    results_free(m);
    metrics_fini(m);
    if (m->flows)
        for (uint32_t i = 0; i < m->nflows; i++) {
            rng_destroy(m->flows[i].rng);
            free(m->flows[i].rr_sent);
            free(m->flows[i].mf_lanes);
            hist_fini(&m->flows[i].lat);
            hist_fini(&m->flows[i].win_lat);
        }
    free(m->flows);
    if (m->threads)
        for (uint32_t i = 0; i < m->nthreads; i++) {
            rng_destroy(m->threads[i].rng);
            free(m->threads[i].call_t_sent);
        }
    free(m->threads);
    for (uint32_t i = 0; i < m->nsenders; i++)
        free(m->senders[i].send_flows);
    free(m->senders);
    if (m->cpus)
        for (unsigned i = 0; i < m->ncpu; i++)
            cpu_fini(&m->cpus[i]);
    free(m->cpus);
    if (m->noise_shared_rng)
        rng_destroy(m->noise_shared_rng);
    free(m->rxqs);
    free(m->pkt_pool);
    free(m->view_backlog_len);
    free(m->view_head);
    free(m->view_busy);
    engine_destroy(m->eng);
    free(m);
}

void model_on_policy_tick(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    (void)obj;
    (void)arg;
    m->view.now = engine_now(m->eng);
    m->pol->tick(m->pol_state, &m->view);
    engine_schedule(m->eng, m->view.now + m->pol->tick_period_ns(m->pol_state), EV_POLICY_TICK, 0,
                    0);
}

void model_run_until(struct model *m, int64_t t_ns)
{
    engine_run(m->eng, t_ns < m->duration ? t_ns : m->duration);
}

int64_t model_now(const struct model *m) { return engine_now(m->eng); }
int64_t model_duration(const struct model *m) { return m->duration; }
uint64_t model_events(const struct model *m) { return engine_events_run(m->eng); }

static uint64_t frames_in(const struct pktq *q)
{
    uint64_t n = 0;
    for (const struct pkt *p = q->l.head; p; p = p->next)
        n += p->segs;
    return n;
}

static uint64_t napi_frames(const struct napi *n)
{
    uint64_t f = frames_in(&n->q) + frames_in(&n->process) + frames_in(&n->hq);
    for (uint32_t i = 0; i < n->gro_n; i++)
        f += n->gro_held[i]->segs;
    return f;
}

/* Frames anywhere between the sender and the application; O(packets). */
static uint64_t inflight_frames(const struct model *m)
{
    uint64_t n = traffic_frames_waiting(m);
    for (unsigned q = 0; q < m->nrxq; q++)
        n += napi_frames(&m->rxqs[q].napi);
    for (unsigned i = 0; i < m->ncpu; i++) {
        const struct cpu *c = &m->cpus[i];
        n += napi_frames(&c->gro_cell) + napi_frames(&c->backlog);
        if (c->busy && c->step.pkt != NULL)
            n += c->step.pkt->segs;
    }
    for (uint32_t i = 0; i < m->nflows; i++) {
        n += frames_in(&m->flows[i].sockq);
        if (m->flows[i].reasm)
            n += m->flows[i].reasm->segs;
        for (unsigned l = 0; l < m->mf_lanes; l++)
            n += frames_in(&m->flows[i].mf_lanes[l]);
    }
    return n;
}

static uint64_t pkts_in(const struct pktq *q)
{
    uint64_t n = 0;
    for (const struct pkt *p = q->l.head; p; p = p->next)
        n++;
    return n;
}

bool model_check(const struct model *m)
{
    if (!engine_check(m->eng)) {
        fprintf(stderr, "model_check: event set inconsistent\n");
        return false;
    }
    uint64_t dropped = 0;
    for (int d = 0; d < DROP_COUNT; d++)
        dropped += m->c.drops[d];
    if (m->c.gen_frames != m->c.deliv_frames + dropped + inflight_frames(m)) {
        fprintf(stderr, "model_check: frames not conserved\n");
        return false;
    }
    /* Every packet taken from the pool is somewhere. */
    uint64_t pkts = 0;
    for (unsigned q = 0; q < m->nrxq; q++)
        pkts += pkts_in(&m->rxqs[q].napi.q) + m->rxqs[q].napi.gro_n;
    for (unsigned i = 0; i < m->ncpu; i++) {
        const struct cpu *c = &m->cpus[i];
        if (c->backlog.q.len != pkts_in(&c->backlog.q) ||
            c->gro_cell.q.len != pkts_in(&c->gro_cell.q) ||
            c->backlog.hq.len != pkts_in(&c->backlog.hq) ||
            c->gro_cell.hq.len != pkts_in(&c->gro_cell.hq) ||
            c->backlog.hq.len > c->backlog.limit || c->gro_cell.hq.len > c->gro_cell.limit ||
            c->backlog.q.len > c->backlog.limit || c->gro_cell.q.len > c->gro_cell.limit) {
            fprintf(stderr, "model_check: cpu %u queue accounting broken\n", i);
            return false;
        }
        /* GRO also holds skbs in a backlog NAPI when FALCON splits GRO off */
        pkts += pkts_in(&c->backlog.q) + pkts_in(&c->backlog.process) + pkts_in(&c->gro_cell.q) +
                pkts_in(&c->backlog.hq) + pkts_in(&c->gro_cell.hq) + c->backlog.gro_n +
                c->gro_cell.gro_n;
        if (c->busy && c->step.pkt != NULL)
            pkts++;
    }
    for (uint32_t i = 0; i < m->nflows; i++) {
        pkts += pkts_in(&m->flows[i].sockq) + (m->flows[i].reasm != NULL);
        for (unsigned l = 0; l < m->mf_lanes; l++)
            pkts += pkts_in(&m->flows[i].mf_lanes[l]);
    }
    if (pkts != m->pkt_used)
        fprintf(stderr, "model_check: %llu packets found, %llu in use\n", (unsigned long long)pkts,
                (unsigned long long)m->pkt_used);
    return pkts == m->pkt_used;
}

/* {===== Results ===== */

struct results_store {
    struct model_results r;
    double *busy_frac;
    uint64_t *cpu_u64[6];
    double *ksoftirqd_frac;
    double *stage_frac;
    struct model_flow_result *flows;
    struct model_sample *samples;
    double *blo, *bw;
    uint64_t *bc, *bpc;
};

static void fill_summary(struct model *m, struct model_summary *s)
{
    const struct counters *c = &m->c, *w = &m->c_warm;
    double secs = (double)(m->duration - m->warmup) / 1e9;
    s->measured_s = secs;
    s->throughput_pps = (double)(c->deliv_msgs - w->deliv_msgs) / secs;
    s->throughput_gbps = (double)(c->deliv_bytes - w->deliv_bytes) * 8 / secs / 1e9;
    s->offered_pps = (double)(c->gen_msgs - w->gen_msgs) / secs;
    s->latency_mean_us = hist_mean_ns(&m->lat) / 1e3;
    s->latency_p50_us = hist_quantile_ns(&m->lat, 0.50) / 1e3;
    s->latency_p90_us = hist_quantile_ns(&m->lat, 0.90) / 1e3;
    s->latency_p99_us = hist_quantile_ns(&m->lat, 0.99) / 1e3;
    s->latency_p999_us = hist_quantile_ns(&m->lat, 0.999) / 1e3;
    s->latency_p9999_us = hist_quantile_ns(&m->lat, 0.9999) / 1e3;
    s->send_latency_mean_us = hist_mean_ns(&m->send_lat) / 1e3;
    s->send_latency_p50_us = hist_quantile_ns(&m->send_lat, 0.50) / 1e3;
    s->send_latency_p90_us = hist_quantile_ns(&m->send_lat, 0.90) / 1e3;
    s->send_latency_p99_us = hist_quantile_ns(&m->send_lat, 0.99) / 1e3;
    s->send_latency_p999_us = hist_quantile_ns(&m->send_lat, 0.999) / 1e3;
    s->send_latency_p9999_us = hist_quantile_ns(&m->send_lat, 0.9999) / 1e3;
    s->rtt_mean_us = hist_mean_ns(&m->rtt) / 1e3;
    s->rtt_p50_us = hist_quantile_ns(&m->rtt, 0.50) / 1e3;
    s->rtt_p90_us = hist_quantile_ns(&m->rtt, 0.90) / 1e3;
    s->rtt_p99_us = hist_quantile_ns(&m->rtt, 0.99) / 1e3;
    s->rtt_p999_us = hist_quantile_ns(&m->rtt, 0.999) / 1e3;
    s->rtt_p9999_us = hist_quantile_ns(&m->rtt, 0.9999) / 1e3;
    s->drops = 0;
    for (int d = 0; d < DROP_COUNT; d++) {
        s->drops_by[d] = c->drops[d] - w->drops[d];
        s->drops += s->drops_by[d];
    }
    s->reorders = c->reorders - w->reorders;
    s->reorders_premerge = c->reorders_premerge - w->reorders_premerge;
    s->high_priority_frames = c->high_frames - w->high_frames;
    s->probe_throughput_pps = (double)(m->probe_msgs - m->probe_msgs_warm) / secs;
    s->probe_latency_mean_us = hist_mean_ns(&m->probe_lat) / 1e3;
    s->probe_latency_p50_us = hist_quantile_ns(&m->probe_lat, 0.50) / 1e3;
    s->probe_latency_p90_us = hist_quantile_ns(&m->probe_lat, 0.90) / 1e3;
    s->probe_latency_p99_us = hist_quantile_ns(&m->probe_lat, 0.99) / 1e3;
    s->probe_latency_p999_us = hist_quantile_ns(&m->probe_lat, 0.999) / 1e3;
    s->bulk_throughput_pps = s->throughput_pps - s->probe_throughput_pps;
    s->bulk_latency_p50_us = hist_quantile_ns(&m->bulk_lat, 0.50) / 1e3;
    s->bulk_latency_p99_us = hist_quantile_ns(&m->bulk_lat, 0.99) / 1e3;
    s->rr_per_s = (double)(c->rr_responses - w->rr_responses) / secs;
    s->rr_ok_per_s = (double)(c->rr_ok - w->rr_ok) / secs;
    uint64_t netrx = 0, ipis = 0, trapped = 0, wake = 0, app_wakeups = 0, app_calls = 0,
             send_calls = 0, send_call_msgs = 0;
    double busy = 0, app_task_ns = 0, sender_task_ns = 0;
    for (unsigned i = 0; i < m->ncpu; i++) {
        netrx += m->cs[i].netrx - m->cs_warm[i].netrx;
        ipis += m->cs[i].ipis_sent - m->cs_warm[i].ipis_sent;
        trapped += m->cs[i].ipis_trapped - m->cs_warm[i].ipis_trapped;
        wake += m->cs[i].wake_ipis - m->cs_warm[i].wake_ipis;
        app_wakeups += m->cs[i].app_wakeups - m->cs_warm[i].app_wakeups;
        app_calls += m->cs[i].app_calls - m->cs_warm[i].app_calls;
        send_calls += m->cs[i].send_calls - m->cs_warm[i].send_calls;
        send_call_msgs += m->cs[i].send_call_msgs - m->cs_warm[i].send_call_msgs;
        app_task_ns += (double)(m->cs[i].app_task_ns - m->cs_warm[i].app_task_ns);
        sender_task_ns += (double)(m->cs[i].sender_task_ns - m->cs_warm[i].sender_task_ns);
        for (int k = 0; k < CAT_COUNT; k++)
            busy += (double)(m->cs[i].busy_ns[k] - m->cs_warm[i].busy_ns[k]);
    }
    s->netrx_per_s = (double)netrx / secs;
    s->ipis_per_s = (double)ipis / secs;
    s->ipi_trap_frac = ipis > 0 ? (double)trapped / (double)ipis : 0;
    s->wake_ipis_per_s = (double)wake / secs;
    s->app_wakeups_per_s = (double)app_wakeups / secs;
    s->app_calls_per_s = (double)app_calls / secs;
    s->sender_calls_per_s = (double)send_calls / secs;
    s->sender_call_size = send_calls > 0 ? (double)send_call_msgs / (double)send_calls : 0;
    uint64_t deliv = c->deliv_msgs - w->deliv_msgs, sent = c->gen_msgs - w->gen_msgs;
    s->app_task_us_per_msg = deliv > 0 ? app_task_ns / 1e3 / (double)deliv : 0;
    s->sender_task_us_per_msg = sent > 0 ? sender_task_ns / 1e3 / (double)sent : 0;
    s->cpu_busy_cores = busy / (secs * 1e9);
    s->gen_frames = c->gen_frames;
    s->deliv_frames = c->deliv_frames;
    s->dropped_frames = 0;
    for (int d = 0; d < DROP_COUNT; d++)
        s->dropped_frames += c->drops[d];
    s->inflight_frames = inflight_frames(m);
    s->events = engine_events_run(m->eng);
    s->peak_pkts = m->pkt_peak;
    s->pkt_pool = m->pkt_cap;
}


const struct model_results *model_finish(struct model *m)
{
    struct results_store *st = results_of(m);
    struct model_results *r = &st->r;
    fill_summary(m, &r->sum);
    const struct model_summary *s = &r->sum;
    if (s->gen_frames != s->deliv_frames + s->dropped_frames + s->inflight_frames) {
        fprintf(stderr,
                "falconsim: internal error: conservation broken: generated %llu != delivered "
                "%llu + dropped %llu + in flight %llu\n",
                (unsigned long long)s->gen_frames, (unsigned long long)s->deliv_frames,
                (unsigned long long)s->dropped_frames, (unsigned long long)s->inflight_frames);
        SIM_ASSERT(false && "packet conservation");
    }
    SIM_ASSERT(model_check(m));

    double secs_ns = (double)(m->duration - m->warmup);
    r->ncpu = m->ncpu;
    for (unsigned i = 0; i < m->ncpu; i++) {
        double busy = 0;
        for (int k = 0; k < CAT_COUNT; k++) {
            double f = (double)(m->cs[i].busy_ns[k] - m->cs_warm[i].busy_ns[k]) / secs_ns;
            st->busy_frac[i * MODEL_CATS + (unsigned)k] = f;
            busy += f;
        }
        st->busy_frac[i * MODEL_CATS + CAT_COUNT] = busy < 1 ? 1 - busy : 0;
        st->cpu_u64[0][i] = m->cs[i].netrx - m->cs_warm[i].netrx;
        st->cpu_u64[1][i] = m->cs[i].ipis_sent - m->cs_warm[i].ipis_sent;
        st->cpu_u64[2][i] = m->cs[i].ipis_recv - m->cs_warm[i].ipis_recv;
        st->cpu_u64[3][i] = m->cs[i].time_squeeze - m->cs_warm[i].time_squeeze;
        st->cpu_u64[4][i] = m->cs[i].ksoftirqd_wakeups - m->cs_warm[i].ksoftirqd_wakeups;
        st->cpu_u64[5][i] = m->cs[i].backlog_drops - m->cs_warm[i].backlog_drops;
        st->ksoftirqd_frac[i] =
            (double)(m->cs[i].ksoftirqd_ns - m->cs_warm[i].ksoftirqd_ns) / secs_ns;
        for (int k = 0; k < ST_COUNT; k++)
            st->stage_frac[i * ST_COUNT + (unsigned)k] =
                (double)(m->cs[i].stage_ns[k] - m->cs_warm[i].stage_ns[k]) / secs_ns;
    }
    r->busy_frac = st->busy_frac;
    r->netrx = st->cpu_u64[0];
    r->ipis_sent = st->cpu_u64[1];
    r->ipis_recv = st->cpu_u64[2];
    r->time_squeeze = st->cpu_u64[3];
    r->ksoftirqd_wakeups = st->cpu_u64[4];
    r->backlog_drops = st->cpu_u64[5];
    r->ksoftirqd_frac = st->ksoftirqd_frac;
    r->stage_frac = st->stage_frac;

    double secs = secs_ns / 1e9;
    r->nflows = m->nflows;
    for (uint32_t i = 0; i < m->nflows; i++) {
        const struct flow *f = &m->flows[i];
        struct model_flow_result *fr = &st->flows[i];
        fr->hash = f->hash;
        fr->rx_queue = f->rxq;
        fr->app_cpu = f->thread->cpu;
        fr->pps = (double)f->deliv_msgs / secs;
        fr->gbps = (double)f->deliv_bytes * 8 / secs / 1e9;
        fr->p50_us = hist_quantile_ns(&f->lat, 0.5) / 1e3;
        fr->p99_us = hist_quantile_ns(&f->lat, 0.99) / 1e3;
        fr->p999_us = hist_quantile_ns(&f->lat, 0.999) / 1e3;
        fr->reorders = f->reorders;
        fr->reorders_premerge = f->reorders_premerge;
        fr->dst_port = f->dst_port;
        fr->probe = f->probe;
    }
    r->flows = st->flows;

    const struct trace *t = m->tr;
    r->nwin = m->win_i;
    r->t_ms = t->t_ms;
    r->pps = t->pps;
    r->gbps = t->gbps;
    r->p50_us = t->p50_us;
    r->p99_us = t->p99_us;
    r->p999_us = t->p999_us;
    r->rtt_p99_us = t->rtt_p99_us;
    r->probe_p50_us = t->probe_p50_us;
    r->probe_p99_us = t->probe_p99_us;
    r->drops = t->drops;
    r->cpu_busy = t->cpu_busy;
    r->flow_pps = t->flow_pps;
    r->flow_p50_us = t->flow_p50_us;
    r->flow_p99_us = t->flow_p99_us;
    r->flow_p999_us = t->flow_p999_us;

    r->nsamples = m->nsamples;
    for (uint32_t i = 0; i < m->nsamples; i++) {
        const struct sample_rec *a = &m->samples[i];
        struct model_sample *b = &st->samples[i];
        b->t_nic_us = (double)a->t_nic / 1e3;
        for (int k = 0; k < ST_COUNT; k++) {
            b->cpu[k] = a->cpu[k];
            b->t_stage_us[k] = a->t_stage[k] < 0 ? -1 : (double)a->t_stage[k] / 1e3;
        }
        b->t_socket_us = a->t_socket < 0 ? -1 : (double)a->t_socket / 1e3;
        b->t_app_us = a->t_app < 0 ? -1 : (double)a->t_app / 1e3;
        b->app_cpu = a->app_cpu;
        b->flow = a->flow;
        b->msg = a->msg;
        b->merged = a->merged;
    }
    r->samples = st->samples;

    uint32_t nb = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        if (m->lat.counts[i]) {
            hist_bucket_range(i, &st->blo[nb], &st->bw[nb]);
            st->bc[nb] = m->lat.counts[i];
            st->bpc[nb] = m->probe_lat.counts[i];
            nb++;
        }
    r->nbuckets = nb;
    r->bucket_lo_ns = st->blo;
    r->bucket_width_ns = st->bw;
    r->bucket_count = st->bc;
    r->bucket_probe_count = st->bpc;
    return r;
}

/* The results block is allocated at the first model_finish and freed with
 * the model. */
static struct results_store *results_of(struct model *m)
{
    struct results_store *st = (struct results_store *)m->results_store;
    if (st != NULL)
        return st;
    st = xcalloc(1, sizeof *st);
    st->busy_frac = xcalloc((size_t)m->ncpu * MODEL_CATS, sizeof *st->busy_frac);
    for (int i = 0; i < 6; i++)
        st->cpu_u64[i] = xcalloc(m->ncpu, sizeof(uint64_t));
    st->ksoftirqd_frac = xcalloc(m->ncpu, sizeof *st->ksoftirqd_frac);
    st->stage_frac = xcalloc((size_t)m->ncpu * ST_COUNT, sizeof *st->stage_frac);
    st->flows = xcalloc(m->nflows, sizeof *st->flows);
    st->samples = xcalloc(m->sample_cap ? m->sample_cap : 1, sizeof *st->samples);
    st->blo = xcalloc(HIST_BUCKETS, sizeof *st->blo);
    st->bw = xcalloc(HIST_BUCKETS, sizeof *st->bw);
    st->bc = xcalloc(HIST_BUCKETS, sizeof *st->bc);
    st->bpc = xcalloc(HIST_BUCKETS, sizeof *st->bpc);
    m->results_store = st;
    return st;
}

static void results_free(struct model *m)
{
    struct results_store *st = (struct results_store *)m->results_store;
    if (st == NULL)
        return;
    free(st->busy_frac);
    free(st->ksoftirqd_frac);
    free(st->stage_frac);
    for (int i = 0; i < 6; i++)
        free(st->cpu_u64[i]);
    free(st->flows);
    free(st->samples);
    free(st->blo);
    free(st->bw);
    free(st->bc);
    free(st->bpc);
    free(st);
    m->results_store = NULL;
}

/* }===== */
