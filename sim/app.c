/*
 * app.c: sockets' consumers, the application threads.
 *
 * Receive calls. A call (recvmmsg with MSG_WAITFORONE, vlen app.batch; a
 * recvmsg when it is 1) returns after app.batch reads, or when the thread's
 * sockets are empty after a read; the next read opens a new one. The send
 * latency of the call's datagrams (sender.*) is taken at its return, when
 * falconsim measure's reader takes its clock for the whole batch; every
 * other metric is taken at each read.
 *
 * app.threads threads are placed round-robin on app.cpus; flow i is read
 * by thread i mod threads. A thread with data in any of its sockets reads
 * one message (UDP) or one skb (TCP) per step, round-robin over its
 * sockets, paying
 *   user:   app.user_ns (+ app.service for a request/response server)
 *   system: app.recv_ns + app.per_byte_ns x bytes
 *           + app.remote_data_ns per CPU the skb moved to on its way here
 *           + app.remote_enqueue_ns if another CPU queued it to the socket
 *           + app.remote_splice_ns if so and the socket's reader queue
 *             (UDP) was dry: the read refills it with all that is queued
 *           + app.wake_cost_ns on the first read after sleeping
 *           + the micro-flow merge's queue operations, if the policy cuts
 *             micro-flows (netstack_stages.c, merge_receive)
 *           (+ app.idle_wake_ns if the wake-up found its CPU idle)
 *           (+ app.response_tx_ns for a server's response);
 * the first read after sleeping adds app.wake_user_ns of user time too
 * (+ app.idle_wake_user_ns after an idle CPU: deep C-states flush L1/L2).
 *
 * The call's cycle (app.call_ns > 0). A reader's loop is: enter the call,
 * look at its sockets (and sleep there if they are empty), read, return,
 * handle what it read in user space, enter again. So the look for the next
 * datagram comes after the return (cpu.syscall_return_ns, STEP_CALL_RETURN),
 * the loop's app.user_ns for each message the call returned, and the next
 * entry (app.call_ns less its return), which STEP_CALL_ENTRY pays; a
 * datagram that arrives meanwhile is read without a sleep. The kernel looks
 * in __skb_recv_udp (net/ipv4/udp.c), inside recvmmsg; the kit's reader
 * (measure/loadgen.c, recv_main) walks the returned datagrams between its
 * calls. Until 2026-12-04 the model looked at the return's end and paid the
 * user time and the entry inside the reads: a reader as fast as its
 * producer slept 6-40x as often as the traced host's
 * (data/hosts/kvm-2vcpu-epyc/reader-trace). With app.call_ns = 0 (the
 * paper's readers: one recvfrom a message, its call folded into
 * app.recv_ns) there is no call to order and user time stays in the read.
 * With no data it sleeps; the socket enqueue wakes it after app.wakeup_latency
 * and the waking softirq pays app.waker_cost_ns (try_to_wake_up; with 0 that
 * cost is folded into the last stage's cost). Whether it wakes is decided at
 * the enqueue, where the kernel's sk_data_ready finds the reader on its wait
 * queue or not; the cost then follows as a step of its own (STEP_WAKE) and
 * the wake-up leaves at its end. Until 2026-12-03 it was decided when the
 * enqueueing step was planned, and a reader that went to sleep during that
 * step was woken at its end for nothing: 97 % of the wake-ups of a 2-vCPU
 * host's paced rows (data/hosts/kvm-2vcpu-epyc, step 29 of
 * docs/validation.md). A latency measured to the read's
 * return (app.wakeup_latency_to = "read", the kit's probe) already holds the
 * reader's switch-in and the call's return: the wait is that latency less
 * app.wake_cost_ns, which the first read then pays, and the return (the call
 * was entered before the sleep). Threads compete
 * with ksoftirqd and each other for their CPU, and never run while a
 * softirq is active there.
 *
 * Deferred free (kernel.skb_defer_max > 0): a read frees its skb; one
 * allocated on another CPU goes on that CPU's list, emptied by its next
 * net_rx_action; the read that takes the list past half of skb_defer_max
 * also sends that CPU an IPI, paying cpu.ipi_send_ns (the guest's x2APIC
 * write; data/hosts/kvm-2vcpu-epyc/placement-cost), and a full list leaves
 * the skb to the reader. A free costs cpu.skb_free_ns where it runs: the
 * reader's system time, or the allocating CPU's softirq time when its
 * net_rx_action begins (skb_defer_free_flush; 0: within app.recv_ns). The
 * free of an skb dropped on its way is within the stage that drops it.
 *
 * app.migrate_at_ms moves every thread to app.migrate_cpus (for RFS
 * experiments); a thread in the middle of a read moves when it ends.
 */
#include "model_internal.h"

static void ready_push(struct thread *t, struct flow *f)
{
    f->on_ready = true;
    flow_ready_list_push(&t->ready, f);
}

static struct flow *ready_pop(struct thread *t)
{
    struct flow *f = flow_ready_list_pop(&t->ready);
    f->on_ready = false;
    return f;
}

/* Of app.call_ns, the part paid when the call returns (cpu.syscall_return_ns;
 * none where the call's cost is folded into app.recv_ns). */
static sim_ns recv_call_return_ns(const struct model *m)
{
    return m->app_call_ns > 0 ? m->syscall_return_ns : 0;
}

void app_wake_issue(struct model *m, struct cpu *waker, struct thread *t)
{
    SIM_ASSERT(t->state == THR_WAKING);
    sim_ns delay = dist_draw_ns(&m->p->app.wakeup_latency, waker->rng);
    /* A latency measured to the read's return holds the reader's own
     * switch-in, which its first read pays, and the call's return; the
     * thread entered the call before it slept. */
    if (m->p->app.wakeup_latency_to == WAKEUP_TO_READ) {
        sim_ns after = m->app_wake_cost_ns + recv_call_return_ns(m);
        delay = delay > after ? delay - after : 0;
    }
    delay += cpu_idle_exit_ns(m, &m->cpus[t->cpu], waker->rng);
    engine_schedule(m->eng, engine_now(m->eng) + delay, EV_THREAD_WAKE, t->id, 0);
}

void app_socket_ready(struct model *m, struct cpu *waker, struct flow *f)
{
    struct thread *t = f->thread;
    if (!f->on_ready)
        ready_push(t, f);
    if (t->state == THR_SLEEPING) {
        t->state = THR_WAKING;
        metrics_cpu_count(m, waker->id, CPU_APP_WAKEUPS, 1);
        t->woken_locally = t->cpu == waker->id;
        if (t->cpu != waker->id)
            metrics_cpu_count(m, waker->id, CPU_WAKE_IPIS, 1); /* ttwu_queue_wakelist: an IPI to the target */
        if (m->app_waker_cost_ns == 0) {
            app_wake_issue(m, waker, t);
        } else {
            /* try_to_wake_up runs after the enqueue, on the waker's CPU
             * (cpu_dispatch's next step); the wake-up leaves at its end */
            SIM_ASSERT(waker->waking == NULL);
            waker->waking = t;
        }
    }
}

void app_plan_recv(struct model *m, struct cpu *c, struct thread *t, struct step *s)
{
    struct flow *f = ready_pop(t);
    struct pkt *p = pktq_pop(&f->sockq);
    SIM_ASSERT(p != NULL);
    f->sock_bytes -= pkt_truesize(m, p);
    if (f->sockq.len > 0)
        ready_push(t, f);
    SIM_ASSERT(t->in_call || m->app_call_ns == 0);
    sim_ns user = 0;
    if (m->app_call_ns > 0)
        t->loop_user_ns += m->app_user_ns; /* after the return (app_plan_entry) */
    else
        user = m->app_user_ns;
    sim_ns sys = m->app_recv_ns + (sim_ns)(m->p->app.per_byte_ns * p->bytes + 0.5);
    /* Loss of locality grows with the cores the skb crossed on its way,
     * the last one being this thread's (FALCON Fig. 11: recv costs 0.5 us on
     * Host, two hops, and about 0.77 us under FALCON, four hops). */
    sim_ns hops = p->hops + (p->cpu != (int16_t)c->id ? 1 : 0);
    sys += hops * m->app_remote_ns;
    /* The producer on another CPU: the skb and the socket queue were just
     * written there, at every datagram (data/hosts/kvm-2vcpu-epyc/
     * reader-locality: the reader's run time a datagram, vanilla against RPS). */
    if (p->cpu != (int16_t)c->id)
        sys += m->app_remote_enqueue_ns;
    /* UDP reads from a private reader queue and refills it, once it is dry,
     * with the whole receive queue: the lock and sk_rmem_alloc the producer
     * writes are touched once a refill (net/ipv4/udp.c, __skb_recv_udp) */
    if (m->proto == PROTO_UDP) {
        if (f->reader_len == 0) {
            f->reader_len = f->sockq.len + 1;
            if (p->cpu != (int16_t)c->id)
                sys += m->app_remote_splice_ns;
        }
        f->reader_len--;
        SIM_ASSERT(f->reader_len <= f->sockq.len);
    }
    sys += f->merge_due_ns; /* the micro-flow merge runs inside recvmsg */
    s->target = -1;
    int64_t defer_max = m->p->kernel.skb_defer_max;
    bool deferred = false;
    if (defer_max > 0 && p->alloc_cpu >= 0 && p->alloc_cpu != (int16_t)c->id) {
        struct cpu *a = &m->cpus[p->alloc_cpu];
        if (a->defer_count < (uint64_t)defer_max) {
            deferred = true;
            if (a->defer_count++ == (uint64_t)(defer_max >> 1)) {
                sys += cpu_ipi_send_ns(m, c->id, a); /* skb_attempt_defer_free's kick */
                s->target = a->id;
            }
        }
    }
    if (!deferred)
        sys += m->skb_free_ns; /* freed here */
    f->merge_due_ns = 0;
    if (t->wake_cost_due) {
        sys += m->app_wake_cost_ns;
        user += m->app_wake_user_ns; /* its code and data went cold while it slept */
        if (t->woke_idle) {
            sys += m->app_idle_wake_ns;
            user += m->app_idle_wake_user_ns;
        }
        t->wake_cost_due = false;
    }
    if (m->web) {
        /* a request: the web tier's work and a send per backend call; the
         * last backend response: the send of the answer */
        const struct flow *client = &m->flows[f->conn];
        if (f->tier == 0) {
            user += (sim_ns)p->msg_ends * dist_draw_ns(&m->p->app.service, t->rng);
            sys += (sim_ns)p->msg_ends *
                   (m->p->workload.cache_calls + m->p->workload.db_calls) * m->rr_tx_ns;
        } else if (p->msg_ends > 0 && client->web_pending == p->msg_ends) {
            sys += m->rr_tx_ns;
        }
    } else if (m->rr) {
        user += (sim_ns)p->msg_ends * dist_draw_ns(&m->p->app.service, t->rng);
        sys += (sim_ns)p->msg_ends * m->rr_tx_ns;
    }
    cpu_plan_contention(m);
    user = contended(m, user);
    sys = contended(m, sys);
    s->pkt = p;
    s->thread = t;
    s->user_ns = user;
    s->dur = user + sys;
}

bool app_entry_due(const struct model *m, const struct thread *t)
{
    return m->app_call_ns > 0 && !t->in_call;
}

void app_plan_entry(struct model *m, struct thread *t, struct step *s)
{
    SIM_ASSERT(app_entry_due(m, t));
    s->kind = STEP_CALL_ENTRY;
    s->pkt = NULL;
    s->thread = t;
    cpu_plan_contention(m);
    s->user_ns = contended(m, t->loop_user_ns);
    s->dur = s->user_ns + contended(m, m->app_call_ns - recv_call_return_ns(m));
}

void app_entered(struct thread *t)
{
    t->loop_user_ns = 0;
    t->in_call = true;
}

void app_call_returned(struct model *m, const struct cpu *c, struct thread *t)
{
    t->in_call = false;
    metrics_cpu_count(m, c->id, CPU_APP_CALLS, 1);
    sim_ns now = engine_now(m->eng);
    for (uint32_t i = 0; i < t->call_nsent; i++)
        metrics_send_latency(m, now - t->call_t_sent[i]);
    t->recv_in_call = 0;
    t->call_nsent = 0;
}

void app_commit_recv(struct model *m, struct cpu *c, struct step *s)
{
    struct pkt *p = s->pkt;
    struct flow *f = &m->flows[p->flow];
    metrics_deliver(m, f, p, c->id);
    if (s->target >= 0)
        cpu_send_ipi(m, c, (unsigned)s->target, IPI_DEFER_FREE);
    struct thread *t = s->thread;
    if (t->call_t_sent != NULL && m->warm)
        t->call_t_sent[t->call_nsent++] = p->t_sent;
    if (m->pol->record_recv != NULL) {
        struct pkt_meta meta;
        flow_meta_fill(&meta, m, f);
        meta.bytes = p->bytes;
        meta.rx_queue = p->rxq;
        m->pol->record_recv(m->pol_state, &meta, c->id);
    }
    traffic_consumed(m, f, p);
    model_pkt_free(m, p);
    if (++t->recv_in_call == (uint32_t)m->p->app.batch || flow_ready_list_empty(&t->ready)) {
        /* the call's last look at its sockets: it returns, now or after
         * its return's cost (STEP_CALL_RETURN); a datagram queued meanwhile
         * waits for the next call */
        if (recv_call_return_ns(m) > 0)
            t->call_return_due = true;
        else
            app_call_returned(m, c, t);
    }
    if (t->migrate_pending)
        cpu_thread_move(m, t, t->migrate_cpu);
}

void app_on_migrate(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    const struct cpu_list *dst = &m->p->app.migrate_cpus;
    (void)obj;
    (void)arg;
    for (uint32_t i = 0; i < m->nthreads; i++) {
        struct thread *t = &m->threads[i];
        uint16_t to = dst->cpu[i % dst->n];
        struct cpu *c = &m->cpus[t->cpu];
        bool its_step = c->step.kind == STEP_APP || c->step.kind == STEP_CALL_RETURN ||
                        c->step.kind == STEP_CALL_ENTRY;
        if (c->busy && its_step && c->step.thread == t) {
            t->migrate_pending = true;
            t->migrate_cpu = to;
        } else {
            cpu_thread_move(m, t, to);
        }
    }
}
