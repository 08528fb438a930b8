/*
 * model_internal.h: the receive-path model's shared state.
 *
 * Shared by the model's modules (model.c, nic.c, cpu_model.c,
 * netstack_stages.c, traffic.c, app.c, metrics.c) and by white-box tests;
 * not part of any module's public contract (model.h is). Everything here is
 * allocated by model_create, sized from the scenario, and freed by
 * model_destroy; nothing is allocated while the model runs.
 *
 * The objects, and who owns a packet when:
 *   link (sender side) -> NIC ring (per RX queue) -> NAPI queues: gro_cell
 *   (per CPU) and backlog (per CPU: input + process) -> GRO hold (per pNIC
 *   NAPI) -> reassembly (per flow) -> socket queue (per flow) -> app thread.
 * A packet (struct pkt, an skb) is in exactly one of these places, or in
 * the step a CPU is executing, or on the free list. Frames are the unit of
 * conservation: generated = delivered + dropped + in flight, always.
 */
#ifndef FALCONSIM_MODEL_INTERNAL_H
#define FALCONSIM_MODEL_INTERNAL_H

#include "engine.h"
#include "histogram.h"
#include "model.h"
#include "netstack_stages.h"
#include "fifo.h"
#include "params.h"
#include "policy.h"
#include "rng.h"
#include <string.h>

/* {===== Events ===== */

/* Event classes: the order of events at equal time (engine.h), smaller
 * first. Why this order: a frame that reaches the NIC at t is on the ring
 * before a coalescing timer firing at t looks at it; the interrupt and IPI
 * it raises are seen by a CPU before that CPU's step ending at t picks its
 * next work; senders act after the receiver's state at t is settled;
 * run-control events (migration, policy sampling) see all of t's work; the
 * warm-up snapshot and the trace window close after everything at t. */
enum ev_class {
    CLASS_WIRE = 0,     /* EV_LINK_DONE */
    CLASS_NIC_TIMER,    /* EV_COALESCE */
    CLASS_INTERRUPT,    /* EV_IPI, EV_NOISE: a CPU is interrupted */
    CLASS_WAKE,         /* EV_THREAD_WAKE */
    CLASS_STEP,         /* EV_STEP_DONE */
    CLASS_SENDER,       /* EV_SOURCE, EV_CREDIT, EV_RR_* */
    CLASS_CONTROL,      /* EV_MIGRATE, EV_POLICY_TICK */
    CLASS_WARMUP,       /* EV_WARMUP */
    CLASS_WINDOW,       /* EV_WINDOW */
};

/* Event kinds; each has one class (engine_register in model.c). */
enum ev_kind {
    EV_LINK_DONE,   /* obj: -, the frame on the wire reaches the NIC */
    EV_COALESCE,    /* obj: rx queue, arg: timer generation */
    EV_IPI,         /* obj: target cpu */
    EV_THREAD_WAKE, /* obj: thread */
    EV_STEP_DONE,   /* obj: cpu */
    EV_SOURCE,      /* obj: flow; the next message of a stream flow is due */
    EV_CREDIT,      /* obj: flow, arg: bytes of TCP window returned (ACK or RTO) */
    EV_RR_ARRIVE,   /* obj: flow, arg: client send time; request reaches the server link */
    EV_RR_RESPONSE, /* obj: flow, arg: client send time; response reaches the client */
    EV_RR_SEND,     /* obj: flow; the client sends its next request */
    EV_WINDOW,      /* end of a trace window */
    EV_WARMUP,      /* end of warm-up: snapshot counters */
    EV_MIGRATE,     /* application threads move */
    EV_POLICY_TICK, /* the policy's periodic sample (FALCON's load) */
    EV_NOISE,       /* obj: cpu, arg: enum noise_kind; an interruption begins */
    EV_NOISE_SHARED, /* noise.shared: an interruption of every noise CPU begins */
    EV_KIND_COUNT
};

/* }===== */

/* {===== Packets ===== */

enum pkt_flags {
    PKT_TCP = 1u << 0,
    PKT_FLUSHED = 1u << 1, /* left GRO: resume at the transition after GRO */
    PKT_HIGH = 1u << 2,    /* the policy's classify put it in the high class */
    PKT_MF = 1u << 3,      /* in a micro-flow (mf_id, mf_lane) */
    PKT_MF_LAST = 1u << 4, /* ... and it ends that micro-flow */
    PKT_WMEM = 1u << 5,    /* counts against its sender's send buffer (sender.sndbuf_bytes) */
};

struct pkt {
    struct pkt *next;
    sim_ns t_nic;      /* NIC arrival of its earliest frame */
    sim_ns t_sent;     /* rr: client send time of the request */
    uint64_t seq;      /* flow frame sequence of its first frame */
    uint64_t seq_end;  /* one past its last frame */
    uint32_t flow;
    uint32_t msg;      /* message index of its first frame */
    uint32_t bytes;    /* payload bytes */
    uint32_t segs;     /* wire frames it holds */
    uint32_t msg_ends; /* messages that end in it */
    uint32_t sample;   /* sample record index or NO_SAMPLE */
    int16_t cpu;       /* CPU that last touched it, -1 before the first */
    int16_t alloc_cpu; /* CPU that allocated the skb (skb->alloc_cpu), -1 before */
    uint16_t rxq;
    uint8_t stage;     /* next stage to run */
    uint8_t flags;
    uint8_t hops;      /* times it moved to another CPU (cache lines scattered) */
    uint8_t mf_lane;   /* PKT_MF: its lane */
    uint32_t mf_id;    /* PKT_MF: its micro-flow */
};
#define NO_SAMPLE UINT32_MAX

FIFO_DEFINE(pkt_list, struct pkt, next)

/* A packet queue: a FIFO with its length (the kernel's qlen limits). */
struct pktq {
    struct pkt_list l;
    uint32_t len;
};

static inline void pktq_push(struct pktq *q, struct pkt *p)
{
    pkt_list_push(&q->l, p);
    q->len++;
}

static inline struct pkt *pktq_pop(struct pktq *q)
{
    struct pkt *p = pkt_list_pop(&q->l);
    if (p != NULL)
        q->len--;
    return p;
}

/* Moves all of src to the tail of dst; O(1). */
static inline void pktq_splice(struct pktq *dst, struct pktq *src)
{
    pkt_list_splice(&dst->l, &src->l);
    dst->len += src->len;
    src->len = 0;
}

/* }===== */

/* {===== NAPI, CPUs, threads ===== */

enum napi_kind { NAPI_PNIC, NAPI_GRO_CELL, NAPI_BACKLOG };

#define GRO_MAX_HELD 64

struct napi {
    struct napi *next;     /* poll-list link */
    struct pktq q;         /* ring / cell queue / backlog input_pkt_queue */
    struct pktq hq;        /* gro_cell and backlog: the high-priority class (PRISM) */
    struct pktq process;   /* backlog only: process_queue */
    uint32_t limit;        /* q.len (and hq.len) must stay below this */
    uint32_t weight;
    uint16_t cpu;
    uint16_t rxq;          /* pNIC only */
    uint8_t kind;
    bool scheduled;        /* NAPI_STATE_SCHED */
    uint32_t gro_n;        /* pNIC only: skbs held by GRO, oldest first */
    struct pkt *gro_held[GRO_MAX_HELD];
};

FIFO_DEFINE(napi_list, struct napi, next) /* a CPU's poll lists */

enum cpu_cat { CAT_HARDIRQ, CAT_SOFTIRQ, CAT_SYSTEM, CAT_USER, CAT_NOISE, CAT_COUNT };

/* noise.* (cpu_model.c): a random interruption, or a timer tick. */
enum noise_kind { NOISE_GAP, NOISE_TICK };

enum step_kind {
    STEP_NONE,
    STEP_NIC_IRQ,  /* hardirq of an RX queue */
    STEP_IPI_IRQ,  /* hardirq of an RPS IPI */
    STEP_PACKET,   /* one packet of a NAPI poll, through every inline stage */
    STEP_FLUSH,    /* one GRO-held skb flushed at poll end */
    STEP_IPI_SEND, /* net_rps_action: the IPIs queued during net_rx_action */
    STEP_APP,      /* one recvmsg by an application thread */
    STEP_NOISE,    /* an interruption (noise.*): time the CPU does not give the path */
    STEP_SEND,     /* one datagram sent by a sender thread (sender.*) */
    STEP_DEFER_FREE, /* skb_defer_free_flush: skbs other CPUs' readers handed back */
    STEP_WAKE,     /* try_to_wake_up of the reader a socket enqueue found asleep */
    STEP_CALL_RETURN, /* a thread's system call returns (cpu.syscall_return_ns) */
    STEP_CALL_ENTRY,  /* a reader's loop and its next receive call's entry */
};

enum step_action { ACT_NONE, ACT_BACKLOG, ACT_GRO_CELL, ACT_SOCKET };

struct step {
    uint8_t kind;
    uint8_t action;
    int32_t target;   /* ACT_BACKLOG: cpu; STEP_NIC_IRQ: rx queue; STEP_IPI_IRQ: enum
                       * ipi_kind; STEP_APP: the CPU its freed skb's deferral kicks, or -1 */
    enum transition tr;
    sim_ns start;
    sim_ns dur;
    sim_ns user_ns;   /* STEP_APP, STEP_CALL_RETURN, STEP_CALL_ENTRY: the user-time part */
    struct pkt *pkt;  /* the packet the step hands on (or delivers) */
    struct thread *thread;
};

enum softirq_ctx { SIRQ_NONE, SIRQ_IRQ_EXIT, SIRQ_KSOFTIRQD };
/* EV_IPI's arg: an RPS IPI (rps_trigger_softirq), or the deferred-free kick
 * (skb_attempt_defer_free: a function call that raises NET_RX). */
enum ipi_kind { IPI_RPS, IPI_DEFER_FREE };
enum thread_kind { THR_APP, THR_KSOFTIRQD, THR_SENDER };
enum thread_state { THR_SLEEPING, THR_WAKING, THR_RUNNABLE };

struct flow;

struct flow;
FIFO_STRUCT(flow_ready_list, struct flow); /* through flow.ready_next */
FIFO_STRUCT(link_ready_list, struct flow); /* through flow.link_next */

struct thread {
    struct thread *rq_next;
    uint32_t id;
    uint16_t cpu;
    uint8_t kind;
    uint8_t state;
    bool wake_cost_due;   /* pays app.wake_cost_ns on its next recv */
    bool woke_idle;       /* ... and app.idle_wake_*: its CPU was idle at the wake-up */
    bool woken_locally;   /* the pending wake-up comes from its own CPU's softirq */
    bool migrate_pending; /* move to migrate_cpu at the end of its step */
    bool wmem_blocked;    /* THR_SENDER: asleep in a send on a full send buffer */
    bool wmem_wake_due;   /* THR_SENDER: ... and its wake-up is scheduled */
    bool call_return_due; /* its call's work is done; it returns next (STEP_CALL_RETURN) */
    bool in_call;         /* THR_APP: inside a receive call (entered; asleep or reading) */
    uint16_t migrate_cpu;
    struct flow_ready_list ready; /* sockets with data, round robin */
    struct rng *rng;
    /* THR_SENDER: the flows it sends, the next one to look at, and the
     * datagrams left in the current send call (0: the next starts a call) */
    uint32_t *send_flows, nsend_flows, send_next, batch_left;
    sim_ns call_t; /* when the current send call began: every datagram's t_sent */
    /* THR_APP: messages read in the current receive call (0: the next read
     * opens one), and the send times of those whose send latency waits for
     * the call's return (sender.*: app.batch of them) */
    uint32_t recv_in_call, call_nsent;
    sim_ns *call_t_sent;
    sim_ns loop_user_ns; /* THR_APP: its loop's user time for the call's messages */
};

FIFO_DEFINE(run_queue, struct thread, rq_next) /* a CPU's runnable threads */

struct irq_req {
    uint8_t kind; /* STEP_NIC_IRQ or STEP_IPI_IRQ */
    bool running; /* an IPI that found its CPU running (cpu.ipi_recv_running_ns) */
    uint16_t arg;
};

struct cpu {
    uint16_t id;
    bool busy;
    struct step step;
    struct rng *rng;

    /* hardirqs waiting for the current step to end (FIFO ring) */
    struct irq_req *irq_ring;
    uint32_t irq_head, irq_n, irq_cap;
    bool irq_exit_due;
    /* app.waker_cost_ns: the reader whose wake-up the socket enqueue just
     * done here owes (STEP_WAKE, next), or NULL */
    struct thread *waking;
    sim_ns idle_since; /* when it last went idle; -1 while not idle */
    /* sender.spin_us: when a sender thread here began to busy-wait for its
     * next send (-1: none does); a spinning CPU is not idle */
    sim_ns spin_since;
    uint32_t defer_count; /* kernel.skb_defer_max: skbs other CPUs freed for it */
    uint32_t defer_flush; /* of those, the ones this net_rx_action frees first */
    /* noise.*: interruptions due and not yet started, their total length,
     * whether a tick is among them; and the noise stream */
    bool noise_queued, noise_tick;
    sim_ns noise_due_ns;
    struct rng *noise_rng;
    /* noise.idle_share < 1: the noise clock (wall time less 1 - share of
     * the time spent idle: the lag so far), each kind's next interruption on
     * it, its event's wall time and generation (a later one supersedes it),
     * and the kinds whose event waits for the CPU to leave idle (share 0) */
    double noise_lag;
    double noise_clock_due[2];
    sim_ns noise_event_at[2];
    uint32_t noise_gen[2];
    uint8_t noise_parked;

    /* NET_RX softirq: net_rx_action and handle_softirqs state */
    bool softirq_pending;
    uint8_t sirq_ctx;            /* enum softirq_ctx */
    bool in_net_rx_action;
    struct napi_list poll_list;  /* sd->poll_list */
    struct napi_list local;      /* net_rx_action's spliced list */
    struct napi_list repoll;
    struct napi *cur;            /* the NAPI being polled */
    bool cur_high;               /* ... from its high-priority queue */
    uint32_t work;               /* packets in the current poll */
    uint32_t batch_mask;         /* stages already charged per_batch_ns this poll */
    int64_t budget;
    sim_ns time_limit;
    sim_ns sirq_start;
    uint32_t restarts;
    bool resched;                /* need_resched: a thread woke here during softirq */
    uint16_t *ipi_targets;       /* rps_ipi_list */
    uint32_t ipi_n;
    bool *ipi_listed;            /* [ncpu] target already on rps_ipi_list */
    bool *ipi_left;              /* [ncpu] its IPI left inside the trap (cpu.ipi_trap_leave_ns) */

    struct napi gro_cell;
    struct napi backlog;
    uint64_t input_queue_head, input_queue_tail;

    /* threads: runnable FIFO (round robin), the running one and its slice */
    struct run_queue rq;
    uint32_t nr_running;
    struct thread *cur_thread;
    sim_ns slice_end;
    struct thread ksoftirqd;
};

/* }===== */

/* {===== Flows, link, NIC ===== */

struct flow {
    uint32_t id;
    uint32_t hash;
    uint16_t rxq;
    struct thread *thread;
    struct rng *rng;
    uint32_t frames_per_msg;
    uint32_t msg_bytes;
    uint32_t frame_payload;  /* payload bytes per full frame */
    uint32_t frame_overhead; /* wire bytes besides payload */
    sim_ns wire_ns_full, wire_ns_last; /* link time of a full and of a last frame */
    sim_ns send_bytes_ns;              /* sender.byte_ns x msg_bytes */

    /* sender */
    uint64_t next_msg;       /* next message index to generate */
    uint64_t tx_msg;         /* message on the wire next */
    uint32_t tx_frag;        /* its next frame */
    uint64_t pending_msgs;   /* generated, not fully sent (UDP, rr; TCP when paced) */
    bool unlimited;          /* TCP at rate 0: always has data */
    uint64_t send_due;       /* sender.*: datagrams due and not yet sent */
    struct thread *sender;   /* sender.*: the thread that sends it */
    int64_t snd_wmem;        /* sender.sndbuf_bytes: truesize of its skbs not yet orphaned */
    bool on_link;            /* in the link's ready list */
    struct flow *link_next;
    int64_t inflight_bytes;  /* TCP window use */
    sim_ns *rr_sent;         /* rr: send times of pending requests (ring) */
    uint32_t rr_head, rr_n, rr_cap;
    uint8_t tier;            /* web: 0 client requests, 1 cache responses, 2 db responses */
    uint32_t conn;           /* web: the connection (client flow) it belongs to */
    uint32_t web_pending;    /* web, client flow: backend responses still missing */
    sim_ns web_t_sent;       /* web, client flow: client send time of the operation */

    /* receiver */
    struct pktq sockq;
    uint32_t reader_len;     /* UDP: of sockq, the head the reader spliced to its own queue */
    int64_t sock_bytes;
    bool on_ready;
    struct flow *ready_next;
    struct pkt *reasm;
    uint64_t max_seq_end;    /* highest seq_end seen at the socket */
    uint64_t rx_frame_seq;   /* TCP: frames numbered in wire order */
    uint16_t dst_port;
    bool probe;              /* one of workload.probe_flows */
    /* micro-flow merge (policy merge_lanes > 0): a buffer queue per lane,
     * the merging counter, the skbs' truesize held there, the highest
     * seq_end seen there, and merge work the reader has not yet paid */
    struct pktq *mf_lanes;
    uint32_t mf_next;
    int64_t mf_bytes;
    uint64_t mf_max_seq_end;
    sim_ns merge_due_ns;
    double src_t;            /* next due send time, ns, unrounded */

    /* per-flow metrics */
    uint64_t deliv_msgs, deliv_bytes, deliv_frames, reorders, reorders_premerge;
    uint64_t win_msgs, win_bytes;
    struct histogram lat;     /* steady state */
    struct histogram win_lat; /* current trace window */
};

FIFO_FUNCS(flow_ready_list, struct flow, ready_next)
FIFO_FUNCS(link_ready_list, struct flow, link_next)

struct link {
    double gbps;
    bool busy;
    struct link_ready_list ready; /* flows with a frame to send, round robin */
    int64_t queued_bytes;     /* wire bytes of UDP/rr messages waiting */
    /* the frame on the wire */
    struct flow *cur_flow;
    uint64_t cur_msg;
    uint32_t cur_frag;
    uint32_t cur_bytes;
    sim_ns cur_t_sent;
};

struct rxq {
    uint16_t id;
    uint16_t irq_cpu;
    struct napi napi;
    bool irq_enabled;   /* interrupts armed (NAPI not scheduled) */
    bool timer_armed;
    uint64_t timer_gen;
    uint32_t unsignalled;
    /* requests handed on before skb allocation (TR_IRQ_SPLIT) whose ring
     * descriptors the driver has not yet been told are free */
    uint32_t held;
};

/* }===== */

/* {===== Metrics ===== */

enum drop_place { DROP_WIRE, DROP_RING, DROP_BACKLOG, DROP_GRO_CELL, DROP_SOCKET, DROP_REASM,
                  DROP_COUNT };

struct counters {
    uint64_t gen_frames, gen_msgs;
    uint64_t deliv_frames, deliv_msgs, deliv_bytes;
    uint64_t drops[DROP_COUNT];
    uint64_t reorders;
    uint64_t reorders_premerge; /* skbs reaching the micro-flow merge out of order */
    uint64_t high_frames;       /* frames classified high priority */
    uint64_t rr_responses;
    uint64_t rr_ok;          /* responses within workload.response_limit_ms */
};

struct cpu_stats {
    sim_ns busy_ns[CAT_COUNT];
    uint64_t netrx;         /* net_rx_action invocations */
    uint64_t ipis_sent, ipis_recv;
    uint64_t ipis_trapped;  /* of ipis_sent, charged cpu.ipi_send_ns (cpu_ipi_traps) */
    uint64_t wake_ipis;     /* wake-ups of a thread on another CPU (an IPI each: RES or CAL) */
    uint64_t app_wakeups;   /* wake-ups of a sleeping application thread, anywhere */
    uint64_t app_calls;     /* receive calls returned by its application threads */
    uint64_t send_calls;    /* send calls (sendmmsg) its sender threads began */
    uint64_t send_call_msgs; /* the datagrams those calls took */
    uint64_t time_squeeze;
    uint64_t ksoftirqd_wakeups;
    uint64_t polls[3];      /* by napi kind */
    uint64_t poll_work_max; /* largest work of one poll */
    uint64_t sirq_max_work; /* largest packets of one net_rx_action */
    uint64_t backlog_drops; /* counted at the target CPU, as softnet_stat */
    sim_ns ksoftirqd_ns;    /* softirq time spent inside ksoftirqd */
    /* time run while an application (sender) thread was the CPU's current
     * task: its own steps and whatever interrupted it, as schedstat counts
     * a task's run time without CONFIG_IRQ_TIME_ACCOUNTING */
    sim_ns app_task_ns, sender_task_ns;
    sim_ns stage_ns[ST_COUNT]; /* softirq time by stage (migration and enqueue included) */
};

struct sample_rec {
    sim_ns t_nic;
    sim_ns t_stage[ST_COUNT]; /* start of each stage, -1 if not run */
    int16_t cpu[ST_COUNT];
    sim_ns t_socket;
    sim_ns t_app;
    int16_t app_cpu;
    uint32_t flow;
    uint32_t msg;
    uint8_t merged; /* its frame was merged into an earlier skb by GRO */
};

/* }===== */

struct model {
    const struct sim_params *p;
    struct engine *eng;
    unsigned ncpu;
    enum net_mode mode;
    enum proto proto;
    bool rr;   /* request/response client side: rr or web */
    bool web;  /* web: requests fan out to cache and db tiers */
    uint32_t nconn;
    sim_ns response_limit;

    /* durations converted once to ns */
    sim_ns duration, warmup, window;
    sim_ns coalesce_ns, irq_ns, ipi_send_ns, ipi_send_idle_ns, ipi_trap_leave_ns, ipi_recv_ns,
        ipi_recv_running_ns, enq_local_ns, enq_remote_ns, migrate_ns, skb_free_ns, budget_ns, softirq_time_ns, sched_latency_ns, sched_min_gran_ns,
        app_user_ns, app_recv_ns, app_call_ns, app_remote_ns, app_remote_enqueue_ns,
        app_remote_splice_ns,
        app_wake_cost_ns, app_waker_cost_ns,
        app_wake_user_ns, app_idle_wake_ns, app_idle_wake_user_ns, rr_tx_ns, ack_delay_ns, rto_ns,
        net_delay_ns, think_ns;
    /* cpu.contention: CPUs now running a packet or application step (noise
     * steps excluded), and the cost factor of the step being planned */
    double contention, contention_factor;
    unsigned busy_work_cpus;
    sim_ns per_batch_ns[ST_COUNT];
    sim_ns per_message_ns[ST_COUNT];
    sim_ns tcp_extra_ns[ST_COUNT]; /* 0 unless the workload is TCP */

    /* policy */
    const struct placement_policy_ops *pol;
    void *pol_state;
    unsigned mf_lanes; /* merge_lanes: 0 unless the policy cuts micro-flows */
    uint32_t pol_asked; /* transitions (bits) at which select_cpu is called: decides */
    struct cpu_view view;
    uint32_t *view_backlog_len;
    uint64_t *view_head;
    sim_ns *view_busy;

    /* packets */
    struct pkt *pkt_pool;
    struct pkt *free_pkts;
    uint64_t pkt_cap, pkt_fresh, pkt_used, pkt_peak; /* pkt_fresh: first never-used slot */

    struct cpu *cpus;
    struct rxq *rxqs;
    unsigned nrxq;
    struct rng *noise_shared_rng; /* a host-wide share above 0: the host-wide interruptions */
    struct flow *flows;
    uint32_t nflows;
    struct thread *threads;
    uint32_t nthreads;
    /* sender.*: sender threads on this host (none: off-host senders) */
    struct thread *senders;
    uint32_t nsenders;
    sim_ns send_call_ns, send_msg_ns, send_frag_ns;
    sim_ns syscall_return_ns; /* cpu.syscall_return_ns: STEP_CALL_RETURN's cost */
    sim_ns syscall_return_user_ns; /* of it, the user time the accounting sees */
    struct link link;

    /* metrics */
    struct counters c, c_warm;
    struct cpu_stats *cs, *cs_warm;
    bool warm;
    struct histogram lat, rtt, win_lat, win_rtt;
    struct histogram send_lat; /* sender.*: send call -> recvmsg return, steady state */
    /* by traffic class: the probe flows (workload.probe_flows) and the rest */
    struct histogram probe_lat, bulk_lat, win_probe_lat;
    uint64_t probe_msgs, probe_msgs_warm;
    uint32_t nprobe;
    uint64_t frame_count; /* for sampling */
    struct sample_rec *samples;
    uint32_t nsamples, sample_cap;

    /* trace */
    uint32_t nwin, win_i;
    struct counters win_start;
    sim_ns *win_busy_start; /* [ncpu] */
    struct trace *tr;
    void *results_store; /* model.c's results block */

    /* White-box tests only (NULL otherwise): every NAPI poll started, in
     * order, as cpu << 8 | napi kind, up to poll_log_cap entries. */
    uint32_t *poll_log;
    uint32_t poll_log_n, poll_log_cap;
};

/* Per-window time series, preallocated [nwin] and [nwin x n]. */
struct trace {
    double *t_ms, *pps, *gbps, *p50_us, *p99_us, *p999_us, *rtt_p99_us;
    double *probe_p50_us, *probe_p99_us; /* the probe flows' latency */
    double *drops;
    float *cpu_busy;  /* [nwin x ncpu] */
    float *flow_pps;  /* [nwin x nflows] */
    float *flow_p50_us, *flow_p99_us, *flow_p999_us;
};

/* The socket memory an skb is charged (its truesize): payload plus
 * app.skb_overhead_bytes. */
static inline int64_t pkt_truesize(const struct model *m, const struct pkt *p)
{
    return (int64_t)p->bytes + m->p->app.skb_overhead_bytes;
}

/* What a policy may know of flow f: its skbs' pkt_meta with the skb's own
 * fields (bytes, rx queue, class, micro-flow) zero. Written into *meta field
 * by field: a value built and then copied whole was stored in narrow pieces
 * and reloaded as one wide word, a store-forwarding stall that took 9 % of a
 * TCP multi-flow run (docs/performance.md). */
static inline void flow_meta_fill(struct pkt_meta *meta, const struct model *m,
                                  const struct flow *f)
{
    memset(meta, 0, sizeof *meta);
    meta->flow_hash = f->hash;
    meta->flow_id = f->id;
    meta->dst_port = f->dst_port;
    meta->protocol = (uint8_t)m->proto;
    meta->mode = (uint8_t)m->mode;
}

/* {===== Cross-module functions ===== */

/* model.c */
struct pkt *model_pkt_alloc(struct model *m);
void model_pkt_free(struct model *m, struct pkt *p);
void model_drop(struct model *m, struct pkt *p, enum drop_place where);

/* nic.c */
/* A new packet for frame `frag` of message `msg` of flow f, sampled as
 * run.sample_every says (t_sent: the send call, 0 if unknown). */
struct pkt *nic_pkt_new(struct model *m, struct flow *f, uint64_t msg, uint32_t frag,
                        uint32_t bytes, sim_ns t_sent);
/* The sample slot of a frame entering the host now (or NO_SAMPLE). */
uint32_t nic_sample_frame(struct model *m, const struct flow *f, uint64_t msg);
void nic_frame_arrives(struct model *m, struct flow *f, uint64_t msg, uint32_t frag,
                       uint32_t bytes, sim_ns t_sent);
void nic_napi_complete(struct model *m, struct rxq *q);
void nic_on_coalesce_timer(void *ctx, uint32_t obj, uint64_t arg);

/* cpu_model.c */
void cpu_init(struct model *m, struct cpu *c, unsigned id);
void cpu_fini(struct cpu *c);
void cpu_raise_irq(struct model *m, struct cpu *c, uint8_t kind, uint16_t arg);
void cpu_napi_schedule(struct model *m, struct cpu *c, struct napi *n);
/* The same for a NAPI given a packet of the high class (high) or not:
 * under a streamlined poll list (PRISM) high goes to the head of the list. */
void cpu_napi_schedule_class(struct model *m, struct cpu *c, struct napi *n, bool high);
void cpu_kick(struct model *m, struct cpu *c);
void cpu_thread_wake(struct model *m, struct thread *t);
void cpu_thread_move(struct model *m, struct thread *t, uint16_t new_cpu);
void cpu_on_step_done(void *ctx, uint32_t obj, uint64_t arg);
/* cpu.contention: x grown by the factor of the step being planned (set by
 * cpu_plan_contention); x itself when contention is off. */
static inline sim_ns contended(const struct model *m, sim_ns x)
{
    return m->contention > 0 ? (sim_ns)((double)x * m->contention_factor + 0.5) : x;
}
/* Sets the factor for a step about to be planned on a CPU that is not busy. */
void cpu_plan_contention(struct model *m);
/* cpu.idle_exit: the extra delay of waking CPU t now, drawn from r (0 unless
 * t has been idle longer than cpu.idle_poll_us). */
sim_ns cpu_idle_exit_ns(const struct model *m, const struct cpu *t, struct rng *r);
/* Whether an IPI to CPU t now costs its sender the full trap: t runs, or has
 * idled past cpu.idle_poll_us (halted). */
bool cpu_ipi_traps(const struct model *m, const struct cpu *t);
/* What an IPI to CPU t costs its sender now: cpu.ipi_send_ns if it traps,
 * else cpu.ipi_send_idle_ns. */
sim_ns cpu_ipi_cost_ns(const struct model *m, const struct cpu *t);
/* app.waker_ipi = "separate": the IPI of waking thread t on another CPU
 * (ttwu_queue_wakelist), at the cost of that CPU's state; none for a thread
 * on the waker's own CPU, or with "folded" (inside app.waker_cost_ns). Not
 * an RPS IPI: not in ipis_sent. */
sim_ns cpu_waker_ipi_ns(const struct model *m, const struct cpu *waker, const struct thread *t);
/* Whether any noise is host-wide (noise.shared or noise.stall_shared above 0):
 * the host-wide process runs. */
bool noise_host_wide_any(const struct sim_params *p);
/* cpu_ipi_cost_ns for an IPI that raises NET_RX (RPS, deferred-free kick)
 * from CPU from, counted as trapped (ipi_trap_frac) where it traps. */
sim_ns cpu_ipi_send_ns(struct model *m, unsigned from, const struct cpu *t);
/* noise.*: schedules each noise CPU's first interruption (and tick). */
void cpu_noise_start(struct model *m);
void cpu_on_noise(void *ctx, uint32_t obj, uint64_t arg);
void cpu_on_noise_shared(void *ctx, uint32_t obj, uint64_t arg);
void cpu_on_ipi(void *ctx, uint32_t obj, uint64_t arg);
void cpu_send_ipi(struct model *m, struct cpu *from, unsigned to, enum ipi_kind kind);
void cpu_on_thread_wake(void *ctx, uint32_t obj, uint64_t arg);
uint32_t cpu_backlog_len(const struct cpu *c);

/* netstack_stages.c: the packet walk */
void stage_plan_packet(struct model *m, struct cpu *c, struct napi *n, struct pkt *p,
                       struct step *s);
void stage_commit(struct model *m, struct cpu *c, struct step *s);
/* veth's netif_rx on CPU c (sender.*): the policy's rps_receive choice, or
 * c; enqueue to that CPU's backlog, raising NET_RX here to send the IPI. */
void stage_netif_rx(struct model *m, struct cpu *c, struct pkt *p);
struct pkt *stage_gro_flush_one(struct napi *n);
void stage_socket_enqueue(struct model *m, struct cpu *c, struct pkt *p);

/* traffic.c */
void traffic_start(struct model *m);
/* sender.*: whether thread t has a datagram due; the next one's step; and
 * its effects when the step ends (the frames enter by netif_rx). */
bool traffic_sender_has_due(const struct model *m, const struct thread *t);
bool traffic_sender_spins(const struct model *m, uint16_t cpu);
/* sender.sndbuf_bytes: whether the thread's next send finds its socket's
 * send buffer full (it then sleeps, marked wmem_blocked, until woken). */
bool traffic_sender_blocked(struct model *m, struct thread *t);
/* A PKT_WMEM skb leaves its sender's send buffer (ip_rcv_core's orphan, or
 * its free on a drop) at `at`; if that wakes the blocked sender, returns the
 * wake-up's cost to CPU c (none where c is NULL) and schedules the wake-up. */
sim_ns traffic_wmem_release(struct model *m, struct cpu *c, struct pkt *p, sim_ns at);
void traffic_plan_send(struct model *m, struct thread *t, struct step *s);
void traffic_commit_send(struct model *m, struct cpu *c, struct step *s);
void traffic_on_source(void *ctx, uint32_t obj, uint64_t arg);
void traffic_on_link_done(void *ctx, uint32_t obj, uint64_t arg);
void traffic_on_credit(void *ctx, uint32_t obj, uint64_t arg);
void traffic_on_rr_arrive(void *ctx, uint32_t obj, uint64_t arg);
void traffic_on_rr_response(void *ctx, uint32_t obj, uint64_t arg);
void traffic_on_rr_send(void *ctx, uint32_t obj, uint64_t arg);
void traffic_consumed(struct model *m, struct flow *f, struct pkt *p);
void traffic_dropped(struct model *m, struct pkt *p);
void traffic_lost(struct model *m, struct flow *f, uint32_t bytes, bool first_frame);
/* Whether losing frame frag of one of f's messages loses the message, so
 * that each lost message is sent again exactly once: for TCP
 * request/response the frame that ends it (TCP retransmits an earlier
 * segment, and the message still arrives with its last; the model does not
 * delay it); otherwise the first (a UDP datagram missing a later fragment is
 * discarded at reassembly, and counted there under its first fragment). */
bool traffic_frame_loses_message(const struct model *m, const struct flow *f, uint32_t frag);
uint64_t traffic_frames_waiting(const struct model *m);

/* app.c */
void app_plan_recv(struct model *m, struct cpu *c, struct thread *t, struct step *s);
void app_commit_recv(struct model *m, struct cpu *c, struct step *s);
/* Thread t's receive call returns now: its datagrams' send latencies are taken. */
void app_call_returned(struct model *m, const struct cpu *c, struct thread *t);
/* Thread t is between receive calls (app.call_ns > 0): before it looks at
 * its sockets it runs its loop and enters the next (STEP_CALL_ENTRY). */
bool app_entry_due(const struct model *m, const struct thread *t);
void app_plan_entry(struct model *m, struct thread *t, struct step *s);
void app_entered(struct thread *t);
void app_socket_ready(struct model *m, struct cpu *waker, struct flow *f);
/* The wake-up of a thread app_socket_ready set waking leaves waker's CPU now
 * (after its app.waker_cost_ns, STEP_WAKE) and lands app.wakeup_latency later. */
void app_wake_issue(struct model *m, struct cpu *waker, struct thread *t);
void app_on_migrate(void *ctx, uint32_t obj, uint64_t arg);

/* model.c */
void model_on_policy_tick(void *ctx, uint32_t obj, uint64_t arg);

/* metrics.c */
void metrics_init(struct model *m);
void metrics_fini(struct model *m);
void metrics_on_window(void *ctx, uint32_t obj, uint64_t arg);
void metrics_on_warmup(void *ctx, uint32_t obj, uint64_t arg);
void metrics_deliver(struct model *m, struct flow *f, struct pkt *p, unsigned app_cpu);
void metrics_send_latency(struct model *m, sim_ns lat);
void metrics_sample_stage(struct model *m, struct pkt *p, enum stage_id s, unsigned cpu,
                          sim_ns t);

/* The counters' one write interface: every module reports events through
 * these, none writes m->c or m->cs itself. Inline: they sit on the per-
 * packet path. The warm-up snapshot and trace windows (metrics.c) read the
 * same counters, so steady-state figures are differences of them. */

/* Senders generated msgs messages of frames wire frames in all. */
static inline void metrics_generated(struct model *m, uint64_t msgs, uint64_t frames)
{
    m->c.gen_msgs += msgs;
    m->c.gen_frames += frames;
}

/* frames wire frames were lost at where. */
static inline void metrics_dropped(struct model *m, enum drop_place where, uint64_t frames)
{
    m->c.drops[where] += frames;
}

/* A message reached its socket behind a later one of its flow. */
static inline void metrics_reordered(struct model *m)
{
    m->c.reorders++;
}

/* An skb reached the micro-flow merge behind a later one of its flow. */
static inline void metrics_reordered_premerge(struct model *m)
{
    m->c.reorders_premerge++;
}

/* frames wire frames were classified high priority. */
static inline void metrics_high_priority(struct model *m, uint64_t frames)
{
    m->c.high_frames += frames;
}

/* An rr/web response came back; ok: within workload.response_limit_ms. */
static inline void metrics_rr_response(struct model *m, bool ok)
{
    m->c.rr_responses++;
    m->c.rr_ok += ok;
}

/* Per-CPU event counts, as /proc/softirqs, /proc/net/softnet_stat and
 * /proc/interrupts count them. */
enum cpu_counter {
    CPU_NETRX,             /* a net_rx_action invocation */
    CPU_IPIS_SENT,         /* IPIs raising NET_RX it sent (RPS/FALCON, deferred free) */
    CPU_IPIS_RECV,         /* ... and received */
    CPU_IPIS_TRAPPED,      /* sent, at the full trap's cost (cpu_ipi_traps) */
    CPU_WAKE_IPIS,         /* a wake-up of a thread on another CPU (RES or CAL) */
    CPU_APP_WAKEUPS,       /* a wake-up of a sleeping application thread */
    CPU_APP_CALLS,         /* a receive call (recvmsg, recvmmsg) returned */
    CPU_SEND_CALLS,        /* a sender thread began a send call (sendmmsg) */
    CPU_SEND_CALL_MSGS,    /* ... and the datagrams it took */
    CPU_TIME_SQUEEZE,      /* net_rx_action out of budget or time */
    CPU_KSOFTIRQD_WAKEUPS, /* softirq work deferred to ksoftirqd */
    CPU_BACKLOG_DROPS,     /* counted at the target CPU, as softnet_stat */
};

static inline void metrics_cpu_count(struct model *m, unsigned cpu, enum cpu_counter k,
                                     uint64_t n)
{
    struct cpu_stats *cs = &m->cs[cpu];
    switch (k) {
    case CPU_NETRX: cs->netrx += n; break;
    case CPU_IPIS_SENT: cs->ipis_sent += n; break;
    case CPU_IPIS_RECV: cs->ipis_recv += n; break;
    case CPU_IPIS_TRAPPED: cs->ipis_trapped += n; break;
    case CPU_WAKE_IPIS: cs->wake_ipis += n; break;
    case CPU_APP_WAKEUPS: cs->app_wakeups += n; break;
    case CPU_APP_CALLS: cs->app_calls += n; break;
    case CPU_SEND_CALLS: cs->send_calls += n; break;
    case CPU_SEND_CALL_MSGS: cs->send_call_msgs += n; break;
    case CPU_TIME_SQUEEZE: cs->time_squeeze += n; break;
    case CPU_KSOFTIRQD_WAKEUPS: cs->ksoftirqd_wakeups += n; break;
    case CPU_BACKLOG_DROPS: cs->backlog_drops += n; break;
    }
}

/* A step of dur ns ended on cpu: its category, and (softirq work) the time
 * of it spent inside ksoftirqd. */
static inline void metrics_cpu_busy(struct model *m, unsigned cpu, enum cpu_cat cat, sim_ns dur)
{
    m->cs[cpu].busy_ns[cat] += dur;
}

static inline void metrics_cpu_ksoftirqd(struct model *m, unsigned cpu, sim_ns dur)
{
    m->cs[cpu].ksoftirqd_ns += dur;
}

/* dur ns of a step ran while a thread of the given kind was current on cpu. */
static inline void metrics_task_time(struct model *m, unsigned cpu, enum thread_kind kind,
                                     sim_ns dur)
{
    if (kind == THR_APP)
        m->cs[cpu].app_task_ns += dur;
    else if (kind == THR_SENDER)
        m->cs[cpu].sender_task_ns += dur;
}

/* A NAPI poll of the given kind starts; one ends having done work packets
 * (the largest kept); a net_rx_action ends having done sirq_work. */
static inline void metrics_cpu_poll_start(struct model *m, unsigned cpu, enum napi_kind kind)
{
    m->cs[cpu].polls[kind]++;
    if (m->poll_log != NULL && m->poll_log_n < m->poll_log_cap)
        m->poll_log[m->poll_log_n++] = (uint32_t)cpu << 8 | (uint32_t)kind;
}

static inline void metrics_cpu_poll_done(struct model *m, unsigned cpu, uint64_t work)
{
    if (work > m->cs[cpu].poll_work_max)
        m->cs[cpu].poll_work_max = work;
}

static inline void metrics_cpu_netrx_work(struct model *m, unsigned cpu, uint64_t sirq_work)
{
    if (sirq_work > m->cs[cpu].sirq_max_work)
        m->cs[cpu].sirq_max_work = sirq_work;
}

/* Softirq time on cpu charged to stage st (migration and enqueue included). */
static inline void metrics_cpu_stage(struct model *m, unsigned cpu, enum stage_id st, sim_ns ns)
{
    m->cs[cpu].stage_ns[st] += ns;
}

/* }===== */

#endif
