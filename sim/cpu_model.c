/*
 * cpu_model.c: what a CPU does, and when.
 *
 * A CPU is one logical core. It executes one *step* at a time: a hardirq
 * (NIC interrupt or RPS IPI), one packet of a NAPI poll (through every stage
 * the packet runs on this CPU before its next queue), one GRO flush, the
 * IPI sends at the end of net_rx_action, or one recvmsg of an application
 * thread. A step's effects (an enqueue, a delivery) happen when it ends.
 *
 * Priority, as in the kernel: pending hardirqs run at the next step
 * boundary (interrupts are taken between packets, not inside one: at most a
 * few microseconds of delay, see docs/model.md); at hardirq exit a raised
 * NET_RX runs net_rx_action (unless, in kernel.ksoftirqd = "5.4" mode, a
 * runnable ksoftirqd swallows it); threads run when no softirq is active.
 *
 * net_rx_action mirrors net/core/dev.c (v6.18 and v5.4): the poll list
 * is spliced into a local list at entry; each NAPI is polled with its weight
 * (driver and gro_cell: kernel.napi_weight, backlog: kernel.dev_weight); the
 * budget (kernel.netdev_budget) and the time limit are checked between polls,
 * so one invocation can do budget - 1 + weight packets; NAPIs scheduled
 * meanwhile raise NET_RX and wait for the next invocation (v5.4) or are
 * picked up when the local list drains (kernel.net_rx_action = "6.18"); a NAPI that used
 * its whole weight goes to the tail (behind newly scheduled ones); leftover
 * work re-raises NET_RX; RPS IPIs queued during the invocation are sent at
 * its end. handle_softirqs restarts up to kernel.max_softirq_restart times
 * within kernel.max_softirq_time_us while no thread needs the CPU, then wakes
 * ksoftirqd, a thread that competes with the application under CFS-like
 * round-robin slices.
 *
 * Noise (noise.*): on the CPUs listed, interruptions that the receive path
 * does not cause (timer ticks, hypervisor exits and steal, other tasks)
 * arrive at intervals drawn from noise.spacing and last noise.gap, plus
 * optional periodic ticks; each is served like a hardirq, at the next step
 * boundary, ahead of all other work. Interruptions that come due while one
 * waits are added to it, so the interrupt ring never holds more than one.
 * This is what gives a real host's latency its tail: a packet that arrives
 * during a 40 us gap waits 40 us, where the cost distributions alone add
 * only their own variance. The spacing runs on a noise clock that counts
 * busy time in full and idle time times noise.idle_share (1: wall time): an
 * idle vCPU meets fewer of the interruptions a busy loop does. A noise event
 * is a check that comes back until the clock has reached the drawn spacing
 * (at share 1 it always has); leaving idle brings it forward (a new
 * generation in the event's argument supersedes the old one). Of the gaps
 * longer than noise.stall_from_us (stalls: the hypervisor's preemptions) a
 * CPU meets the share noise.stall_share, a thinning of their rate. The share
 * noise.shared of the interruptions is host-wide: one process on wall time,
 * with its own stream, stops every noise CPU at the same instant for the
 * same length (an idle one at noise.idle_share, past the knee as its own
 * gaps), and each CPU's own process keeps the rest; noise.stall_shared, where
 * set, is the stalls' host-wide share instead. On a KVM guest the other vCPU
 * is stopped for 84-90 % of a gap of up to 100 us beyond chance, for 3-9 %
 * of a stall (falconsim-loadgen shared): in a shared gap the CPU that feeds a
 * queue stops while the one that drains it does, and the gap delays the
 * packets in flight without building a queue; in a stall of the draining
 * CPU alone, the packets sent meanwhile wait out the stall.
 *
 * Idle exit (cpu.idle_poll_us, cpu.idle_exit): a CPU idle for longer than
 * the polling window has halted; a wake-up or an RPS IPI that reaches it
 * waits the idle exit on top of its own latency (cpuidle: halt-polling in
 * a guest, C-states on bare metal). A CPU is idle from the moment it finds
 * nothing to run until its next step other than noise.
 *
 * Contention (cpu.contention): a packet step or a recvmsg planned while k
 * other CPUs run packet or application steps costs 1 + contention * k times
 * its own cost, for the last-level cache, memory bandwidth and locks those
 * CPUs share. The count is kept as steps start and end (O(1)); hardirq and
 * IPI steps count as busy, noise steps do not.
 *
 * Sender threads (sender.*) are threads like the application's: a step
 * sends one datagram (traffic.c); when it ends, pending softirqs run as at a
 * hardirq's exit (local_bh_enable after dev_queue_xmit), so without RPS the
 * whole receive path of that datagram runs on the sender's CPU before it
 * sends the next, one NET_RX softirq per datagram.
 *
 * An IPI that lands on a CPU that is running (a step since it last went
 * idle) costs cpu.ipi_recv_running_ns on top of cpu.ipi_recv_ns: on a
 * virtual machine the hypervisor forces a running vCPU out to inject it.
 *
 * Busy time is charged per category when a step ends: hardirq, softirq
 * (also inside ksoftirqd, as /proc/stat does), system and user (application
 * steps), noise; idle is the rest. It is also charged to the task that was
 * current (an application or sender thread, unless ksoftirqd runs the
 * softirq), as schedstat counts a task's run time without
 * CONFIG_IRQ_TIME_ACCOUNTING. Invariants: a CPU runs at most one step; the
 * running thread is at the head of its run queue; a NAPI is on at most one
 * list, and on one exactly when it is scheduled (except a remote backlog
 * between the enqueue that scheduled it and the IPI that lists it).
 */
#include "model_internal.h"

#include <math.h>
#include <stdlib.h>

/* {===== Setup ===== */

static void napi_init(struct napi *n, enum napi_kind kind, unsigned cpu, uint32_t limit,
                      uint32_t weight)
{
    n->kind = (uint8_t)kind;
    n->cpu = (uint16_t)cpu;
    n->limit = limit;
    n->weight = weight;
}

void cpu_init(struct model *m, struct cpu *c, unsigned id)
{
    const struct sim_params *p = m->p;
    c->id = (uint16_t)id;
    c->rng = rng_create((uint64_t)p->run.seed, RNG_STREAM_CPU + (uint64_t)id);
    c->irq_cap = m->nrxq + m->ncpu + 8;
    c->irq_ring = xcalloc(c->irq_cap, sizeof *c->irq_ring);
    c->ipi_targets = xcalloc(m->ncpu, sizeof *c->ipi_targets);
    c->ipi_listed = xcalloc(m->ncpu, sizeof *c->ipi_listed);
    c->ipi_left = xcalloc(m->ncpu, sizeof *c->ipi_left);
    uint32_t qlimit = (uint32_t)p->kernel.netdev_max_backlog + 1;
    napi_init(&c->gro_cell, NAPI_GRO_CELL, id, qlimit, (uint32_t)p->kernel.napi_weight);
    napi_init(&c->backlog, NAPI_BACKLOG, id, qlimit, (uint32_t)p->kernel.dev_weight);
    c->ksoftirqd.kind = THR_KSOFTIRQD;
    c->ksoftirqd.cpu = (uint16_t)id;
    c->ksoftirqd.state = THR_SLEEPING;
    c->ksoftirqd.id = UINT32_MAX;
    c->idle_since = 0; /* idle from the start */
    c->spin_since = -1;
    for (unsigned i = 0; i < p->noise.cpus.n; i++)
        if (p->noise.cpus.cpu[i] == id)
            c->noise_rng = rng_create((uint64_t)p->run.seed, RNG_STREAM_NOISE + (uint64_t)id);
}

void cpu_fini(struct cpu *c)
{
    rng_destroy(c->rng);
    if (c->noise_rng)
        rng_destroy(c->noise_rng);
    free(c->irq_ring);
    free(c->ipi_targets);
    free(c->ipi_listed);
    free(c->ipi_left);
}

uint32_t cpu_backlog_len(const struct cpu *c)
{
    return c->backlog.q.len + c->backlog.process.len + c->backlog.hq.len;
}

/* }===== */

/* {===== Lists and run queues ===== */

static void rq_push(struct cpu *c, struct thread *t)
{
    run_queue_push(&c->rq, t);
    c->nr_running++;
}

/* O(run queue length); run queues hold a handful of threads. */
static void rq_remove(struct cpu *c, struct thread *t)
{
    bool was_queued = run_queue_remove(&c->rq, t);
    SIM_ASSERT(was_queued);
    c->nr_running--;
    if (c->cur_thread == t)
        c->cur_thread = NULL;
}

static void thread_sleep(struct cpu *c, struct thread *t)
{
    rq_remove(c, t);
    t->state = THR_SLEEPING;
}

static void wakeup_ksoftirqd(struct model *m, struct cpu *c)
{
    if (c->ksoftirqd.state == THR_RUNNABLE)
        return;
    c->ksoftirqd.state = THR_RUNNABLE;
    rq_push(c, &c->ksoftirqd);
    metrics_cpu_count(m, c->id, CPU_KSOFTIRQD_WAKEUPS, 1);
}

void cpu_thread_wake(struct model *m, struct thread *t)
{
    if (t->state == THR_RUNNABLE)
        return;
    struct cpu *c = &m->cpus[t->cpu];
    t->state = THR_RUNNABLE;
    t->wake_cost_due = true;
    /* Idle: no step, no softirq in progress or pending, no thread. A thread
     * woken from its own CPU's softirq (try_to_wake_up runs inside it) never
     * finds that CPU idle, however soon the softirq ends. */
    t->woke_idle = !t->woken_locally && !c->busy && c->sirq_ctx == SIRQ_NONE &&
                   !c->softirq_pending && c->irq_n == 0 && c->nr_running == 0 &&
                   c->cur_thread == NULL && c->spin_since < 0;
    t->woken_locally = false;
    rq_push(c, t);
    /* Wake-up preemption (check_preempt_wakeup): a thread that slept gets
     * a vruntime credit of sched_latency / 2, more than the wake-up
     * granularity, so it preempts the running thread (ksoftirqd or another
     * application) at its next preemption point, and need_resched ends a
     * softirq restart loop. */
    if (c->cur_thread != NULL && c->cur_thread != t)
        c->slice_end = engine_now(m->eng);
    if (c->sirq_ctx != SIRQ_NONE)
        c->resched = true;
    cpu_kick(m, c);
}

void cpu_thread_move(struct model *m, struct thread *t, uint16_t new_cpu)
{
    t->migrate_pending = false;
    if (t->cpu == new_cpu)
        return;
    if (t->state == THR_RUNNABLE) {
        rq_remove(&m->cpus[t->cpu], t);
        t->cpu = new_cpu;
        rq_push(&m->cpus[new_cpu], t);
        cpu_kick(m, &m->cpus[new_cpu]);
    } else {
        t->cpu = new_cpu; /* a pending wake-up lands on the new CPU */
    }
}

/* CFS-like choice: the running thread keeps the CPU until its slice ends,
 * then the run queue rotates. ksoftirqd in the middle of handle_softirqs
 * keeps the CPU (softirqs run with bottom halves disabled). */
static struct thread *pick_thread(struct model *m, struct cpu *c)
{
    sim_ns now = engine_now(m->eng);
    if (c->sirq_ctx == SIRQ_KSOFTIRQD)
        return &c->ksoftirqd;
    struct thread *t = c->cur_thread;
    if (t != NULL && (now < c->slice_end || c->nr_running == 1))
        return t;
    if (c->nr_running == 0) {
        c->cur_thread = NULL;
        return NULL;
    }
    if (t != NULL && c->rq.head == t && c->nr_running > 1)
        run_queue_rotate(&c->rq);
    t = c->rq.head;
    c->cur_thread = t;
    sim_ns slice = m->sched_latency_ns / (sim_ns)c->nr_running;
    if (slice < m->sched_min_gran_ns)
        slice = m->sched_min_gran_ns;
    c->slice_end = now + slice;
    c->resched = false;
    return t;
}

/* }===== */

/* {===== NAPI scheduling, hardirqs, IPIs ===== */

/* PRISM's streamlined NAPI poll (policy poll_list): one per-CPU list. */
static bool streamlined(const struct model *m)
{
    return m->pol->poll_list == POLL_LIST_STREAMLINED;
}

/* ____napi_schedule on this CPU: list it and raise NET_RX. Since v6.4
 * (8b43fd3d1d7d) no raise is needed while net_rx_action runs, which then
 * splices the list again; in v5.4 the NAPI waits for the next invocation,
 * which is why the overlay's three devices triple the NET_RX count. */
static void napi_list_and_raise(struct model *m, struct cpu *c, struct napi *n, bool head)
{
    if (streamlined(m)) {
        /* PRISM: one list, no local copy; the softirq running here picks
         * the NAPI up in this very invocation */
        if (head)
            napi_list_push_head(&c->poll_list, n);
        else
            napi_list_push(&c->poll_list, n);
        if (!c->in_net_rx_action)
            c->softirq_pending = true;
        return;
    }
    napi_list_push(&c->poll_list, n);
    if (!c->in_net_rx_action || m->p->kernel.net_rx_action == NETRX_5_4)
        c->softirq_pending = true;
}

void cpu_napi_schedule_class(struct model *m, struct cpu *c, struct napi *n, bool high)
{
    SIM_ASSERT(n->cpu == c->id);
    if (n->scheduled)
        return;
    n->scheduled = true;
    napi_list_and_raise(m, c, n, high);
}

void cpu_napi_schedule(struct model *m, struct cpu *c, struct napi *n)
{
    cpu_napi_schedule_class(m, c, n, false);
}

void cpu_raise_irq(struct model *m, struct cpu *c, uint8_t kind, uint16_t arg)
{
    SIM_ASSERT(c->irq_n < c->irq_cap);
    struct irq_req *r = &c->irq_ring[(c->irq_head + c->irq_n) % c->irq_cap];
    r->kind = kind;
    r->arg = arg;
    /* A CPU is running from its first step after an idle period until it
     * finds nothing to run (idle_since): an IPI then interrupts a running
     * vCPU, which a hypervisor must force out (cpu.ipi_recv_running_ns). */
    r->running = c->idle_since < 0;
    c->irq_n++;
    cpu_kick(m, c);
}

void cpu_on_ipi(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    cpu_raise_irq(m, &m->cpus[obj], STEP_IPI_IRQ, (uint16_t)arg);
}

/* smp_call_function_single_async from process or softirq context: the IPI
 * leaves now (its sender's cost is in the sender's step) and lands after
 * cpu.ipi_latency, plus the idle exit of a halted target. */
void cpu_send_ipi(struct model *m, struct cpu *from, unsigned to, enum ipi_kind kind)
{
    sim_ns delay = dist_draw_ns(&m->p->cpu.ipi_latency, from->rng) +
                   cpu_idle_exit_ns(m, &m->cpus[to], from->rng);
    metrics_cpu_count(m, from->id, CPU_IPIS_SENT, 1);
    engine_schedule(m->eng, engine_now(m->eng) + delay, EV_IPI, to, kind);
}

void cpu_on_thread_wake(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct thread *t = arg != 0 ? &m->senders[obj] : &m->threads[obj]; /* arg 1: a sender */
    t->wmem_wake_due = false;
    cpu_thread_wake(m, t);
}

/* CPU c's noise clock at `now`, ns: wall time at noise.idle_share 1. */
static double noise_clock(const struct model *m, const struct cpu *c, sim_ns now)
{
    double lag = c->noise_lag;
    if (c->idle_since >= 0)
        lag += (1 - m->p->noise.idle_share) * (double)(now - c->idle_since);
    return (double)now - lag;
}

/* Schedules kind's check for when the noise clock reaches its due time if
 * the CPU stays as it is (idle at share 0: never; it waits for start_step). */
static void noise_schedule_check(struct model *m, struct cpu *c, unsigned kind, sim_ns now)
{
    double deficit = c->noise_clock_due[kind] - noise_clock(m, c, now);
    double rate = c->idle_since >= 0 ? m->p->noise.idle_share : 1;
    if (rate <= 0) {
        c->noise_parked |= (uint8_t)(1u << kind);
        return;
    }
    sim_ns at = now + (sim_ns)ceil(deficit > 0 ? deficit / rate : 0);
    c->noise_event_at[kind] = at;
    engine_schedule(m->eng, at, EV_NOISE, c->id, kind | (uint64_t)c->noise_gen[kind] << 1);
}

/* The CPU leaves idle: a kind's check set for the idle rate comes forward. */
static void noise_leave_idle(struct model *m, struct cpu *c, sim_ns now)
{
    for (unsigned k = 0; k < (m->p->noise.tick_hz > 0 ? 2u : 1u); k++) {
        bool parked = c->noise_parked & (1u << k);
        sim_ns at = now + (sim_ns)ceil(fmax(0, c->noise_clock_due[k] - noise_clock(m, c, now)));
        if (!parked && at >= c->noise_event_at[k])
            continue;
        c->noise_parked &= (uint8_t)~(1u << k);
        c->noise_gen[k]++;
        noise_schedule_check(m, c, k, now);
    }
}

/* Whether an idle CPU lets an interruption of len ns pass it by: one longer
 * than noise.idle_knee_us is met with probability (len / knee)^-slope (a
 * uniform draw, made only then, so that runs without the knee keep their
 * draws). */
static bool idle_misses(const struct sim_params *p, struct cpu *c, sim_ns len)
{
    double knee_ns = p->noise.idle_knee_us * 1e3;
    if (c->idle_since < 0 || knee_ns <= 0 || p->noise.idle_slope <= 0 || (double)len <= knee_ns)
        return false;
    return rng_uniform(c->noise_rng) >= pow((double)len / knee_ns, -p->noise.idle_slope);
}

/* Whether a stall (longer than noise.stall_from_us) is thinned away: met
 * with probability noise.stall_share, busy or idle (a uniform draw from r,
 * made only below share 1, so that runs at 1 keep their draws). */
static bool stall_missed(const struct sim_params *p, struct rng *r, sim_ns len)
{
    if (p->noise.stall_share >= 1 || (double)len <= p->noise.stall_from_us * 1e3)
        return false;
    return rng_uniform(r) >= p->noise.stall_share;
}

/* CPU c meets an interruption of len ns: it is added to the one queued, or
 * queued (served at the next step boundary). */
static void noise_take(struct model *m, struct cpu *c, sim_ns len)
{
    c->noise_due_ns += len;
    if (!c->noise_queued) {
        c->noise_queued = true;
        cpu_raise_irq(m, c, STEP_NOISE, 0);
    }
}

/* The host-wide share of an interruption len ns long: noise.stall_shared
 * for a stall where that is set, else noise.shared. */
static double noise_host_wide(const struct sim_params *p, sim_ns len)
{
    if (p->noise.stall_shared >= 0 && (double)len > p->noise.stall_from_us * 1e3)
        return p->noise.stall_shared;
    return p->noise.shared;
}

bool noise_host_wide_any(const struct sim_params *p)
{
    return p->noise.shared > 0 || p->noise.stall_shared > 0;
}

/* An interruption of `kind` (arg's low bit) begins on CPU obj: queue it (or
 * add it to the one queued) and schedule the next. The event is a check
 * first: it does nothing if a later one superseded it (arg's generation),
 * and comes back if the noise clock has not reached the drawn spacing (only
 * with noise.idle_share below 1); no draw is made meanwhile. At share 1 the
 * next event lands exactly at now + spacing, as it did before the clock. */
void cpu_on_noise(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct cpu *c = &m->cpus[obj];
    const struct sim_params *p = m->p;
    sim_ns now = engine_now(m->eng);
    SIM_ASSERT(c->noise_rng != NULL);
    unsigned kind = (unsigned)(arg & 1);
    if ((uint32_t)(arg >> 1) != c->noise_gen[kind])
        return;
    double clock = noise_clock(m, c, now);
    if (clock < c->noise_clock_due[kind]) {
        noise_schedule_check(m, c, kind, now);
        return;
    }
    sim_ns next, len;
    bool met = true;
    if (kind == NOISE_TICK) {
        len = dist_draw_ns(&p->noise.tick, c->noise_rng);
        c->noise_tick = true;
        next = now + (sim_ns)(1e9 / p->noise.tick_hz + 0.5);
    } else {
        len = dist_draw_ns(&p->noise.gap, c->noise_rng);
        met = !idle_misses(p, c, len) && !stall_missed(p, c->noise_rng, len);
        /* the host-wide share comes from cpu_on_noise_shared instead */
        if (noise_host_wide_any(p) && rng_uniform(c->noise_rng) < noise_host_wide(p, len))
            met = false;
        sim_ns gap = dist_draw_ns(&p->noise.spacing, c->noise_rng);
        next = now + (gap > 0 ? gap : 1);
    }
    if (met)
        noise_take(m, c, len);
    c->noise_clock_due[kind] = clock + (double)(next - now);
    noise_schedule_check(m, c, kind, now);
}

/* A host-wide interruption of len ns reaches CPU c: a busy CPU meets it, an
 * idle one at noise.idle_share (its own gaps' rate while idle) and past the
 * knee as its own gaps are (idle_misses). */
static void noise_shared_reach(struct model *m, struct cpu *c, sim_ns len)
{
    const struct sim_params *p = m->p;
    if (c->idle_since >= 0 && p->noise.idle_share < 1 &&
        rng_uniform(c->noise_rng) >= p->noise.idle_share)
        return;
    if (!idle_misses(p, c, len))
        noise_take(m, c, len);
}

/* noise.shared: the host-wide process draws every interruption the table
 * holds, on wall time, and keeps the host-wide share of them (noise.shared,
 * a stall noise.stall_shared where set; a stall also at noise.stall_share,
 * one draw for every CPU): those stop each noise CPU at once. Each CPU's own
 * process draws as often and keeps the rest, so a CPU's rate of each length
 * does not depend on the shares. */
void cpu_on_noise_shared(void *ctx, uint32_t obj, uint64_t arg)
{
    (void)obj;
    (void)arg;
    struct model *m = ctx;
    const struct sim_params *p = m->p;
    struct rng *g = m->noise_shared_rng;
    SIM_ASSERT(g != NULL);
    sim_ns len = dist_draw_ns(&p->noise.gap, g);
    if (rng_uniform(g) < noise_host_wide(p, len) && !stall_missed(p, g, len))
        for (unsigned i = 0; i < p->noise.cpus.n; i++)
            noise_shared_reach(m, &m->cpus[p->noise.cpus.cpu[i]], len);
    sim_ns gap = dist_draw_ns(&p->noise.spacing, g);
    engine_schedule(m->eng, engine_now(m->eng) + (gap > 0 ? gap : 1), EV_NOISE_SHARED, 0, 0);
}

void cpu_noise_start(struct model *m)
{
    const struct sim_params *p = m->p;
    if (noise_host_wide_any(p) && p->noise.cpus.n > 0) {
        m->noise_shared_rng = rng_create((uint64_t)p->run.seed, RNG_STREAM_NOISE_SHARED);
        double u = rng_uniform(m->noise_shared_rng);
        sim_ns first = (sim_ns)(u * (double)dist_draw_ns(&p->noise.spacing, m->noise_shared_rng));
        engine_schedule(m->eng, first, EV_NOISE_SHARED, 0, 0);
    }
    for (unsigned i = 0; i < p->noise.cpus.n; i++) {
        unsigned id = p->noise.cpus.cpu[i];
        struct cpu *c = &m->cpus[id];
        /* Random phases: the first interruption comes after a spacing draw
         * times a uniform fraction, the first tick within one period. */
        double u = rng_uniform(c->noise_rng);
        sim_ns first = (sim_ns)(u * (double)dist_draw_ns(&p->noise.spacing, c->noise_rng));
        c->noise_clock_due[NOISE_GAP] = (double)first; /* the clocks start at 0 */
        noise_schedule_check(m, c, NOISE_GAP, 0);
        if (p->noise.tick_hz > 0) {
            c->noise_clock_due[NOISE_TICK] =
                (double)(sim_ns)(rng_uniform(c->noise_rng) * 1e9 / p->noise.tick_hz);
            noise_schedule_check(m, c, NOISE_TICK, 0);
        }
    }
}

/* }===== */

/* {===== Steps ===== */

/* Whether idle CPU t has idled past cpu.idle_poll_us: no longer polled for,
 * halted. */
static bool idle_past_poll(const struct model *m, const struct cpu *t)
{
    return (double)(engine_now(m->eng) - t->idle_since) / 1e3 > m->p->cpu.idle_poll_us;
}

sim_ns cpu_idle_exit_ns(const struct model *m, const struct cpu *t, struct rng *r)
{
    if (t->idle_since < 0 || m->p->cpu.idle_exit.mean_ns <= 0)
        return 0;
    return idle_past_poll(m, t) ? dist_draw_ns(&m->p->cpu.idle_exit, r) : 0;
}

bool cpu_ipi_traps(const struct model *m, const struct cpu *t)
{
    /* running (or a sender spinning there), or halted */
    return t->idle_since < 0 || idle_past_poll(m, t);
}

sim_ns cpu_ipi_cost_ns(const struct model *m, const struct cpu *t)
{
    return cpu_ipi_traps(m, t) ? m->ipi_send_ns : m->ipi_send_idle_ns;
}

sim_ns cpu_waker_ipi_ns(const struct model *m, const struct cpu *waker, const struct thread *t)
{
    if (m->p->app.waker_ipi != WAKER_IPI_SEPARATE || t->cpu == waker->id)
        return 0;
    return cpu_ipi_cost_ns(m, &m->cpus[t->cpu]);
}

sim_ns cpu_ipi_send_ns(struct model *m, unsigned from, const struct cpu *t)
{
    if (cpu_ipi_traps(m, t))
        metrics_cpu_count(m, from, CPU_IPIS_TRAPPED, 1);
    return cpu_ipi_cost_ns(m, t);
}

void cpu_plan_contention(struct model *m)
{
    m->contention_factor = 1 + m->contention * (double)m->busy_work_cpus;
}

static void start_step(struct model *m, struct cpu *c)
{
    SIM_ASSERT(!c->busy && c->step.dur >= 0);
    c->busy = true;
    if (c->spin_since >= 0) {
        /* the sender's busy-wait ends: the time was its own, in user space */
        sim_ns spun = engine_now(m->eng) - c->spin_since;
        metrics_cpu_busy(m, c->id, CAT_USER, spun);
        m->view_busy[c->id] += spun;
        metrics_task_time(m, c->id, THR_SENDER, spun);
        c->spin_since = -1;
    }
    /* Noise does not end an idle period: a stall of a halted vCPU does not
     * wake it, and a tickless idle CPU takes no ticks. */
    if (c->step.kind != STEP_NOISE) {
        sim_ns now = engine_now(m->eng);
        bool noise_lags = c->idle_since >= 0 && c->noise_rng != NULL &&
                          m->p->noise.idle_share < 1;
        if (noise_lags)
            c->noise_lag += (1 - m->p->noise.idle_share) * (double)(now - c->idle_since);
        c->idle_since = -1;
        if (noise_lags)
            noise_leave_idle(m, c, now);
        m->busy_work_cpus++;
    }
    c->step.start = engine_now(m->eng);
    engine_schedule(m->eng, c->step.start + c->step.dur, EV_STEP_DONE, c->id, 0);
}

static void account(struct model *m, struct cpu *c, enum cpu_cat cat, sim_ns dur)
{
    metrics_cpu_busy(m, c->id, cat, dur);
    m->view_busy[c->id] += dur;
    /* The task whose run time this counts in: the current thread, unless
     * ksoftirqd runs the softirq; hardirqs, softirqs at their exit or at a
     * local_bh_enable, and noise all count to the task they interrupted. */
    const struct thread *t = c->sirq_ctx == SIRQ_KSOFTIRQD ? NULL : c->cur_thread;
    if (t != NULL)
        metrics_task_time(m, c->id, (enum thread_kind)t->kind, dur);
}

static struct pkt *napi_dequeue(struct model *m, struct cpu *c, struct napi *n)
{
    struct pkt *p;
    if (c->cur_high) {
        p = pktq_pop(&n->hq); /* PRISM's high-priority queue: no process_queue split */
    } else if (n->kind != NAPI_BACKLOG) {
        return pktq_pop(&n->q);
    } else {
        /* process_backlog: drain process_queue, then splice input_pkt_queue. */
        p = pktq_pop(&n->process);
        if (p == NULL && n->q.len > 0) {
            pktq_splice(&n->process, &n->q);
            p = pktq_pop(&n->process);
        }
    }
    if (p == NULL || n->kind != NAPI_BACKLOG)
        return p;
    /* v5.4: input_queue_head advances per packet (RFS in-order rule). */
    c->input_queue_head++;
    m->view_head[c->id] = c->input_queue_head;
    m->view_backlog_len[c->id] = cpu_backlog_len(c);
    return p;
}

static void net_rx_begin(struct model *m, struct cpu *c)
{
    sim_ns now = engine_now(m->eng);
    c->softirq_pending = false;
    c->in_net_rx_action = true;
    /* skb_defer_free_flush: the list is freed first (cpu.skb_free_ns each) */
    if (m->skb_free_ns > 0)
        c->defer_flush += c->defer_count;
    c->defer_count = 0;
    metrics_cpu_count(m, c->id, CPU_NETRX, 1);
    c->budget = m->p->kernel.netdev_budget;
    c->time_limit = now + m->budget_ns;
    if (!streamlined(m))
        napi_list_splice(&c->local, &c->poll_list);
    c->cur = NULL;
}

static void softirq_enter(struct model *m, struct cpu *c, enum softirq_ctx ctx)
{
    c->sirq_ctx = (uint8_t)ctx;
    c->sirq_start = engine_now(m->eng);
    c->restarts = 0;
    net_rx_begin(m, c);
}

/* An RPS IPI from c to t leaves at `at` and lands cpu.ipi_latency later,
 * plus the idle exit of a halted target (judged now, when the IPI-send step
 * starts). */
static void ipi_leave(struct model *m, struct cpu *c, unsigned t, sim_ns at)
{
    sim_ns delay = dist_draw_ns(&m->p->cpu.ipi_latency, c->rng) +
                   cpu_idle_exit_ns(m, &m->cpus[t], c->rng);
    engine_schedule(m->eng, at + delay, EV_IPI, t, IPI_RPS);
}

/* End of net_rx_action. Returns true if it started the IPI-send step. */
static bool net_rx_end(struct model *m, struct cpu *c)
{
    struct napi_list all = {NULL, NULL};
    napi_list_splice(&all, &c->local);
    napi_list_splice(&all, &c->poll_list);
    napi_list_splice(&all, &c->repoll);
    c->poll_list = all;
    if (!napi_list_empty(&c->poll_list))
        c->softirq_pending = true;
    c->in_net_rx_action = false;
    uint64_t done = (uint64_t)(m->p->kernel.netdev_budget - c->budget);
    metrics_cpu_netrx_work(m, c->id, done);
    if (c->ipi_n == 0)
        return false;
    c->step.kind = STEP_IPI_SEND;
    c->step.pkt = NULL;
    c->step.dur = 0;
    for (uint32_t i = 0; i < c->ipi_n; i++) {
        unsigned t = c->ipi_targets[i];
        bool traps = cpu_ipi_traps(m, &m->cpus[t]);
        sim_ns cost = cpu_ipi_send_ns(m, c->id, &m->cpus[t]);
        if (traps && m->ipi_trap_leave_ns >= 0 && m->ipi_trap_leave_ns < cost) {
            /* The hypervisor delivers it partway into the sender's trap,
             * whose rest the sender still pays (data/hosts/kvm-2vcpu-epyc/
             * rps-chain). */
            c->ipi_left[t] = true;
            ipi_leave(m, c, t, engine_now(m->eng) + c->step.dur + m->ipi_trap_leave_ns);
        }
        c->step.dur += cost;
    }
    start_step(m, c);
    return true;
}

/* handle_softirqs after one net_rx_action: restart, or leave (waking
 * ksoftirqd if work remains). Returns true if softirq processing goes on. */
static bool softirq_after_netrx(struct model *m, struct cpu *c)
{
    sim_ns now = engine_now(m->eng);
    if (c->softirq_pending) {
        c->restarts++;
        bool need_resched = c->resched || (c->sirq_ctx == SIRQ_KSOFTIRQD && c->nr_running > 1 &&
                                           now >= c->slice_end);
        if (c->restarts < (uint32_t)m->p->kernel.max_softirq_restart &&
            now - c->sirq_start < m->softirq_time_ns && !need_resched) {
            net_rx_begin(m, c);
            return true;
        }
        if (c->sirq_ctx == SIRQ_IRQ_EXIT)
            wakeup_ksoftirqd(m, c);
    }
    c->sirq_ctx = SIRQ_NONE;
    return false;
}

static void poll_finish(struct model *m, struct cpu *c, struct napi *n)
{
    c->budget -= c->work;
    metrics_cpu_poll_done(m, c->id, c->work);
    /* A poll that drained one class's queue while the other holds packets
     * (PRISM) has work left, like one that used its whole weight. */
    bool other_class = c->cur_high ? n->q.len + n->process.len > 0 : n->hq.len > 0;
    if (c->work < n->weight && !other_class) {
        /* napi_complete_done: off the list; the driver re-arms its IRQ. */
        n->scheduled = false;
        if (n->kind == NAPI_PNIC)
            nic_napi_complete(m, &m->rxqs[n->rxq]);
    } else if (!streamlined(m)) {
        napi_list_push(&c->repoll, n);
    } else if (n->hq.len > 0) {
        napi_list_push_head(&c->poll_list, n); /* PRISM: high priority goes first */
    } else {
        napi_list_push(&c->poll_list, n);
    }
}

/* A poll of n begins: from its high-priority queue if that holds packets. */
static void poll_begin(struct model *m, struct cpu *c, struct napi *n)
{
    c->cur = n;
    c->cur_high = n->hq.len > 0;
    c->work = 0;
    c->batch_mask = 0;
    metrics_cpu_poll_start(m, c->id, (enum napi_kind)n->kind);
}

/* Starts the next softirq step, or ends softirq context (returns false). */
static bool softirq_next(struct model *m, struct cpu *c)
{
    for (;;) {
        if (c->defer_flush > 0) {
            c->step.kind = STEP_DEFER_FREE;
            c->step.pkt = NULL;
            c->step.dur = (sim_ns)c->defer_flush * m->skb_free_ns;
            c->defer_flush = 0;
            start_step(m, c);
            return true;
        }
        if (c->cur == NULL && streamlined(m)) {
            if (napi_list_empty(&c->poll_list))
                goto end;
            poll_begin(m, c, napi_list_pop(&c->poll_list));
        }
        if (c->cur == NULL) {
            if (napi_list_empty(&c->local)) {
                if (m->p->kernel.net_rx_action == NETRX_6_18 && napi_list_empty(&c->repoll) &&
                    !napi_list_empty(&c->poll_list)) {
                    napi_list_splice(&c->local, &c->poll_list); /* "goto start", same budget */
                    continue;
                }
                goto end;
            }
            poll_begin(m, c, napi_list_pop(&c->local));
        }
        struct napi *n = c->cur;
        if (c->work < n->weight) {
            struct pkt *p = napi_dequeue(m, c, n);
            if (p != NULL) {
                c->step.kind = STEP_PACKET;
                stage_plan_packet(m, c, n, p, &c->step);
                start_step(m, c);
                return true;
            }
        }
        if (n->gro_n > 0) {
            c->step.kind = STEP_FLUSH;
            stage_plan_packet(m, c, n, stage_gro_flush_one(n), &c->step);
            start_step(m, c);
            return true;
        }
        poll_finish(m, c, n);
        c->cur = NULL;
        if (c->budget <= 0 || engine_now(m->eng) >= c->time_limit) {
            metrics_cpu_count(m, c->id, CPU_TIME_SQUEEZE, 1);
            goto end;
        }
        continue;
    end:
        if (net_rx_end(m, c))
            return true;
        if (softirq_after_netrx(m, c))
            continue;
        return false;
    }
}

/* The end of net_rps_send_ipi's step: the IPIs that did not leave inside
 * their trap leave now. */
static void send_ipis(struct model *m, struct cpu *c)
{
    sim_ns now = engine_now(m->eng);
    for (uint32_t i = 0; i < c->ipi_n; i++) {
        unsigned t = c->ipi_targets[i];
        c->ipi_listed[t] = false;
        if (c->ipi_left[t])
            c->ipi_left[t] = false;
        else
            ipi_leave(m, c, t, now);
    }
    metrics_cpu_count(m, c->id, CPU_IPIS_SENT, c->ipi_n);
    c->ipi_n = 0;
}

static bool ksoftirqd_defers(const struct model *m, const struct cpu *c)
{
    return m->p->kernel.ksoftirqd == KSOFTIRQD_5_4 && c->ksoftirqd.state == THR_RUNNABLE;
}

static void cpu_dispatch(struct model *m, struct cpu *c)
{
    SIM_ASSERT(!c->busy);
    for (;;) {
        if (c->waking != NULL) {
            /* the rest of the enqueueing step: sk_data_ready's wake-up */
            cpu_plan_contention(m);
            c->step.kind = STEP_WAKE;
            c->step.pkt = NULL;
            c->step.thread = c->waking;
            c->step.dur = contended(m, m->app_waker_cost_ns) + cpu_waker_ipi_ns(m, c, c->waking);
            c->waking = NULL;
            start_step(m, c);
            return;
        }
        if (c->irq_n > 0) {
            struct irq_req r = c->irq_ring[c->irq_head];
            c->irq_head = (c->irq_head + 1) % c->irq_cap;
            c->irq_n--;
            c->step.kind = r.kind;
            c->step.target = r.arg;
            c->step.pkt = NULL;
            c->step.dur = r.kind == STEP_NIC_IRQ ? m->irq_ns
                          : r.running             ? m->ipi_recv_ns + m->ipi_recv_running_ns
                                                  : m->ipi_recv_ns;
            if (r.kind == STEP_NOISE) {
                c->step.dur = c->noise_due_ns;
                c->step.target = c->noise_tick;
                c->noise_due_ns = 0;
                c->noise_tick = false;
                c->noise_queued = false;
            }
            start_step(m, c);
            return;
        }
        if (c->irq_exit_due) {
            c->irq_exit_due = false;
            /* invoke_softirq: not if a softirq is already active here, nor
             * (5.4) while ksoftirqd is runnable. */
            if (c->sirq_ctx == SIRQ_NONE && c->softirq_pending && !ksoftirqd_defers(m, c))
                softirq_enter(m, c, SIRQ_IRQ_EXIT);
        }
        if (c->sirq_ctx == SIRQ_IRQ_EXIT) {
            if (softirq_next(m, c))
                return;
            continue;
        }
        struct thread *t = pick_thread(m, c);
        if (t == NULL) {
            if (c->idle_since < 0 && c->spin_since < 0) {
                if (traffic_sender_spins(m, c->id))
                    c->spin_since = engine_now(m->eng); /* running, in user space */
                else
                    c->idle_since = engine_now(m->eng);
            }
            return; /* idle, or a sender spinning */
        }
        if (t->kind == THR_KSOFTIRQD) {
            if (c->sirq_ctx == SIRQ_NONE) {
                if (!c->softirq_pending) {
                    thread_sleep(c, t);
                    continue;
                }
                softirq_enter(m, c, SIRQ_KSOFTIRQD);
            }
            if (softirq_next(m, c))
                return;
            continue; /* cond_resched, then run_ksoftirqd again or sleep */
        }
        if (t->call_return_due) {
            /* the return of the call whose work the last step finished */
            c->step.kind = STEP_CALL_RETURN;
            c->step.pkt = NULL;
            c->step.thread = t;
            c->step.dur = m->syscall_return_ns;
            /* the accounting's view: the tick that fell due in the return
             * is taken after it, in user mode (cpu.syscall_return_user_ns) */
            c->step.user_ns = m->syscall_return_user_ns;
            if (t->kind == THR_APP) { /* as the rest of a read's system time */
                cpu_plan_contention(m);
                c->step.dur = contended(m, c->step.dur);
                c->step.user_ns = contended(m, c->step.user_ns);
            }
            start_step(m, c);
            return;
        }
        if (t->kind == THR_SENDER) {
            if (!traffic_sender_has_due(m, t) || traffic_sender_blocked(m, t)) {
                thread_sleep(c, t);
                continue;
            }
            c->step.kind = STEP_SEND;
            traffic_plan_send(m, t, &c->step);
            start_step(m, c);
            return;
        }
        if (app_entry_due(m, t)) {
            app_plan_entry(m, t, &c->step);
            start_step(m, c);
            return;
        }
        if (flow_ready_list_empty(&t->ready)) {
            thread_sleep(c, t); /* in its call, woken by the next enqueue */
            continue;
        }
        c->step.kind = STEP_APP;
        app_plan_recv(m, c, t, &c->step);
        start_step(m, c);
        return;
    }
}

void cpu_kick(struct model *m, struct cpu *c)
{
    if (!c->busy)
        cpu_dispatch(m, c);
}

void cpu_on_step_done(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    struct cpu *c = &m->cpus[obj];
    (void)arg;
    SIM_ASSERT(c->busy);
    c->busy = false;
    struct step *s = &c->step;
    if (s->kind != STEP_NOISE) {
        SIM_ASSERT(m->busy_work_cpus > 0);
        m->busy_work_cpus--;
    }
    switch ((enum step_kind)s->kind) {
    case STEP_NIC_IRQ:
        account(m, c, CAT_HARDIRQ, s->dur);
        cpu_napi_schedule(m, c, &m->rxqs[s->target].napi);
        c->irq_exit_due = true;
        break;
    case STEP_IPI_IRQ:
        account(m, c, CAT_HARDIRQ, s->dur);
        metrics_cpu_count(m, c->id, CPU_IPIS_RECV, 1);
        if (s->target == IPI_DEFER_FREE) {
            c->softirq_pending = true; /* kick_defer_list_purge: raise NET_RX */
        } else {
            /* rps_trigger_softirq: the sender set SCHED; list the backlog here. */
            SIM_ASSERT(c->backlog.scheduled);
            napi_list_and_raise(m, c, &c->backlog, c->backlog.hq.len > 0);
        }
        c->irq_exit_due = true;
        break;
    case STEP_PACKET:
        c->work++;
        /* fall through */
    case STEP_FLUSH:
        account(m, c, CAT_SOFTIRQ, s->dur);
        if (c->sirq_ctx == SIRQ_KSOFTIRQD)
            metrics_cpu_ksoftirqd(m, c->id, s->dur);
        stage_commit(m, c, s);
        s->pkt = NULL;
        break;
    case STEP_DEFER_FREE:
        account(m, c, CAT_SOFTIRQ, s->dur);
        break;
    case STEP_WAKE:
        account(m, c, CAT_SOFTIRQ, s->dur);
        if (c->sirq_ctx == SIRQ_KSOFTIRQD)
            metrics_cpu_ksoftirqd(m, c->id, s->dur);
        /* the stage whose socket enqueue woke the reader */
        metrics_cpu_stage(m, c->id, m->mode == NET_HOST ? ST_HOST_L4 : ST_CONTAINER, s->dur);
        app_wake_issue(m, c, s->thread);
        break;
    case STEP_IPI_SEND:
        account(m, c, CAT_SOFTIRQ, s->dur);
        send_ipis(m, c);
        /* continue handle_softirqs where net_rx_end left it */
        if (!softirq_after_netrx(m, c)) {
            SIM_ASSERT(c->sirq_ctx == SIRQ_NONE);
        }
        break;
    case STEP_NOISE:
        account(m, c, CAT_NOISE, s->dur);
        /* A timer tick is a hardirq: pending softirqs run at its exit. A
         * hypervisor stall or another task resumes what it interrupted. */
        if (s->target)
            c->irq_exit_due = true;
        break;
    case STEP_SEND:
        account(m, c, CAT_SYSTEM, s->dur);
        traffic_commit_send(m, c, s);
        /* local_bh_enable after dev_queue_xmit: pending softirqs run now */
        c->irq_exit_due = true;
        break;
    case STEP_APP:
        account(m, c, CAT_USER, s->user_ns);
        account(m, c, CAT_SYSTEM, s->dur - s->user_ns);
        app_commit_recv(m, c, s);
        s->pkt = NULL;
        /* the read's spin_unlock_bh on the socket's queue (__skb_recv_udp;
         * release_sock for TCP): local_bh_enable runs pending softirqs here,
         * in the reader's time, as the sender's does after its transmit */
        c->irq_exit_due = true;
        break;
    case STEP_CALL_RETURN:
        account(m, c, CAT_USER, s->user_ns);
        account(m, c, CAT_SYSTEM, s->dur - s->user_ns);
        s->thread->call_return_due = false;
        if (s->thread->kind == THR_APP)
            app_call_returned(m, c, s->thread);
        if (s->thread->migrate_pending)
            cpu_thread_move(m, s->thread, s->thread->migrate_cpu);
        break;
    case STEP_CALL_ENTRY:
        account(m, c, CAT_USER, s->user_ns);
        account(m, c, CAT_SYSTEM, s->dur - s->user_ns);
        app_entered(s->thread);
        if (s->thread->migrate_pending)
            cpu_thread_move(m, s->thread, s->thread->migrate_cpu);
        break;
    case STEP_NONE:
        SIM_ASSERT(false && "step with no kind");
    }
    cpu_dispatch(m, c);
}

/* }===== */
