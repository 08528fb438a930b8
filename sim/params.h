/*
 * params.h: the validated, unit-normalised input of one run.
 *
 * struct sim_params is plain data. It is filled from a scenario file by
 * scenario_load() walking the declarative table in params_table.c, which
 * also drives --help, docs/scenarios.md and the provenance in result files.
 * After scenario_load returns SIM_OK nothing re-checks configuration: the
 * model treats violations as broken invariants.
 *
 * Units are in the field names: _ns, _us, _ms, _bytes, _pps, _gbps.
 * Durations given in the scenario as us/ms are kept as given here and
 * converted to sim_ns by the model at setup.
 */
#ifndef FALCONSIM_PARAMS_H
#define FALCONSIM_PARAMS_H

#include "sim_base.h"

#include <stdbool.h>
#include <stddef.h>

#define SIM_MAX_CPUS 1024
#define SIM_MAX_LIST 1024
/* Bytes of the running policy's own parameters (FALCON's three CPU lists
 * take 6.2 KB); the registry refuses a policy whose struct is larger. */
#define POLICY_PARAMS_MAX 8192

/* Stages of the receive path; order is path order (netstack_stages.c). */
enum stage_id {
    ST_NIC_RX,     /* driver poll + skb allocation, per wire frame */
    ST_GRO,        /* host GRO attempt, per frame */
    ST_HOST_L4,    /* host IP + UDP/TCP + socket enqueue, per skb */
    ST_GRO_TUNNEL, /* overlay GRO through vxlan_gro_receive, per frame */
    ST_OUTER_L4,   /* outer IP + UDP + vxlan_rcv decap, per skb */
    ST_GRO_CELL,   /* gro_cell poll + bridge + veth_xmit, per skb */
    ST_CONTAINER,  /* container IP + UDP/TCP + socket enqueue, per skb */
    ST_COUNT
};

enum dist_kind { DIST_CONST, DIST_EXP, DIST_UNIFORM, DIST_LOGNORMAL, DIST_EMPIRICAL, DIST_COUNT };

/* Points of an empirical distribution's quantile table: enough for
 * falconsim measure's noise quantiles (0, 0.01, ..., 1, 0.999, 0.9999). */
#define DIST_EMPIRICAL_MAX 128

/* A cost or delay distribution in nanoseconds. */
struct dist {
    enum dist_kind kind;
    double mean_ns; /* const, exponential, lognormal; empirical: derived */
    double cv;      /* lognormal: coefficient of variation (stddev / mean) */
    double min_ns;  /* uniform */
    double max_ns;  /* uniform */
    /* empirical: the quantile function at n points, q[0] = 0 < ... <
     * q[n-1] = 1 and v non-decreasing; drawn by inverse transform with
     * linear interpolation between points */
    unsigned n;
    double q[DIST_EMPIRICAL_MAX];
    double v[DIST_EMPIRICAL_MAX];
};

struct cpu_list {
    unsigned n;
    uint16_t cpu[SIM_MAX_LIST];
};

enum net_mode { NET_HOST, NET_OVERLAY };
enum proto { PROTO_UDP, PROTO_TCP };
enum workload_type { WL_STREAM, WL_RR, WL_WEB };
enum arrival_kind { ARR_CONSTANT, ARR_POISSON };
enum ksoftirqd_mode { KSOFTIRQD_5_4, KSOFTIRQD_6_5 };
enum netrx_mode { NETRX_5_4, NETRX_6_18 };
enum wakeup_to { WAKEUP_TO_RUNNABLE, WAKEUP_TO_READ };
enum waker_ipi { WAKER_IPI_FOLDED, WAKER_IPI_SEPARATE };

struct stage_cost_params {
    struct dist cost;    /* per skb (or per frame for frame stages) */
    double per_byte_ns;  /* times the skb's payload bytes */
    double per_batch_ns; /* once per NAPI poll that runs this stage */
    double per_message_ns; /* once per skb that completes a message here */
    double tcp_extra_ns;   /* added per TCP skb (TCP GRO, tcp_v4_rcv) */
};

struct sim_params {
    struct {
        double duration_ms;
        double warmup_ms;
        int64_t seed;
        int64_t hash_seed; /* flow hashes only (model.c), apart from seed */
        double trace_window_us;
        int64_t sample_every;
        int64_t sample_max;
        int64_t max_pending_events;
        double max_memory_mb;
    } run;
    struct {
        int64_t cpus;
    } host;
    struct {
        int mode; /* enum net_mode */
        int64_t mtu;
        int64_t vxlan_overhead_bytes;
    } network;
    struct {
        double link_gbps;
        int64_t rx_queues;
        struct cpu_list irq_cpus;
        int64_t ring_size;
        double coalesce_usecs;
        int64_t coalesce_frames;
        double irq_ns;
        int64_t wire_buffer_bytes;
    } nic;
    struct {
        int64_t napi_weight;
        int64_t dev_weight;
        int64_t netdev_budget;
        double netdev_budget_usecs;
        int64_t netdev_max_backlog;
        int ksoftirqd; /* enum ksoftirqd_mode */
        int net_rx_action; /* enum netrx_mode */
        int64_t max_softirq_restart;
        double max_softirq_time_us;
        int64_t gro_max_bytes;
        int64_t gro_max_flows;
        int64_t skb_defer_max; /* net.core.skb_defer_max; 0: no deferred free */
        double sched_latency_us;
        double sched_min_granularity_us;
        int64_t hz;
    } kernel;
    struct {
        struct dist ipi_latency;
        double ipi_send_ns;
        double ipi_send_idle_ns; /* to a target idle within idle_poll_us; < 0: ipi_send_ns */
        double ipi_trap_leave_ns; /* into a trapped IPI's cost, the IPI leaves; < 0: at its end */
        double ipi_recv_ns;
        double ipi_recv_running_ns; /* extra when the target is not idle */
        double enqueue_local_ns;
        double enqueue_remote_ns;
        double migrate_ns;
        double skb_free_ns; /* per read skb freed; 0: within app.recv_ns */
        double syscall_return_ns; /* of sender.call_ns and app.call_ns, paid at the return */
        double syscall_return_user_ns; /* of syscall_return_ns, what the ticks count as user */
        double contention; /* cost growth per other busy CPU (cpu_model.c) */
        double idle_poll_us; /* idle longer than this: the CPU halts (cpuidle) */
        struct dist idle_exit; /* extra wake-up delay of a halted CPU */
    } cpu;
    struct {
        struct cpu_list cpus; /* sender threads' CPUs; empty: off-host senders */
        double call_ns;       /* per send call (sendmmsg) */
        double msg_ns;        /* per datagram */
        double encap_ns;      /* per datagram, overlay only: VXLAN encapsulation */
        double byte_ns;       /* per payload byte */
        double frag_ns;       /* per IP fragment (frame) */
        int64_t batch;        /* datagrams per call, flat out */
        double spin_us;       /* a paced sender busy-waits gaps up to this; 0: sleeps */
        int64_t sndbuf_bytes; /* the sender socket's send buffer; 0: no limit */
    } sender;
    struct {
        struct cpu_list cpus; /* CPUs with noise; empty: none (the default) */
        struct dist gap;      /* length of one interruption */
        struct dist spacing;  /* start to start of two interruptions */
        double tick_hz;       /* periodic timer interrupts per second; 0: none */
        struct dist tick;     /* length of one timer interrupt */
        double idle_share;    /* the noise clock's rate while the CPU is idle, 0..1 */
        double idle_knee_us;  /* an idle CPU meets gaps longer than this less often; 0: off */
        double idle_slope;    /* ... with probability (length / knee)^-slope */
        double stall_from_us; /* interruptions longer than this are stalls */
        double stall_share;   /* ... of which this share is met, busy or idle; 1: all */
        double shared;        /* share of interruptions that hit every noise CPU at once */
        double stall_shared;  /* ... of the stalls; below 0: noise.shared */
    } noise;
    struct stage_cost_params stage[ST_COUNT];
    struct {
        struct cpu_list cpus;
        int64_t threads;
        double user_ns;
        double call_ns;     /* per receive call */
        int64_t batch;      /* messages per receive call, at most */
        double recv_ns;
        double per_byte_ns;
        double remote_data_ns;
        double remote_enqueue_ns; /* per read of an skb another CPU queued */
        double remote_splice_ns;  /* per UDP reader-queue refill another CPU queued */
        double wake_cost_ns;
        double waker_cost_ns;
        double wake_user_ns;
        double idle_wake_ns;
        double idle_wake_user_ns;
        struct dist wakeup_latency;
        int wakeup_latency_to; /* enum wakeup_to */
        int waker_ipi;         /* enum waker_ipi */
        int64_t rcvbuf_bytes;
        int64_t skb_overhead_bytes;
        struct dist service;
        double response_tx_ns;
        double migrate_at_ms;
        struct cpu_list migrate_cpus;
    } app;
    struct {
        int type;     /* enum workload_type */
        int protocol; /* enum proto */
        int64_t flows;
        int64_t message_bytes;
        double rate_pps;
        int arrival; /* enum arrival_kind */
        int64_t burst; /* messages released at once by a rate-limited flow */
        double sender_cap_pps;
        double overlay_sender_cap_pps;
        double sender_cap_gbps;
        double overlay_sender_cap_fps;
        double overlay_sender_msg_ns;
        int64_t hotspot_flow;
        double hotspot_at_ms;
        double hotspot_rate_pps;
        int64_t dst_port;
        int64_t probe_flows;
        double probe_rate_pps;
        int64_t probe_message_bytes;
        int64_t probe_dst_port;
        int64_t tcp_window_bytes;
        double ack_delay_us;
        double rto_us;
        int64_t clients;
        int64_t connections;
        int64_t outstanding;
        int64_t request_bytes;
        int64_t response_bytes;
        double net_delay_us;
        double think_us;
        double response_limit_ms;
        int64_t cache_calls, db_calls;
        int64_t cache_bytes, db_bytes;
        struct dist cache_delay, db_delay;
    } workload;
    struct {
        int name; /* index in the policy registry (policy.h) */
        /* The running policy's own keys, laid out as its struct: only
         * that policy reads them (policy_params() in policy.h). */
        union {
            max_align_t align;
            unsigned char bytes[POLICY_PARAMS_MAX];
        } params;
    } policy;
};

/* Flows of a run: stream flows (then the probe flows), or for web each
 * connection's client flow plus its cache and database response flows. */
static inline uint32_t params_flow_count(const struct sim_params *p)
{
    int64_t conn = p->workload.clients * p->workload.connections;
    switch (p->workload.type) {
    case WL_RR: return (uint32_t)conn;
    case WL_WEB: return (uint32_t)(3 * conn);
    default: return (uint32_t)(p->workload.flows + p->workload.probe_flows);
    }
}

/* {===== The declarative table ===== */

enum param_type { P_INT, P_REAL, P_BOOL, P_ENUM, P_CPUS, P_DIST };

struct param_spec {
    const char *key;      /* dotted scenario path, e.g. "nic.link_gbps" */
    enum param_type type;
    size_t offset;        /* into struct sim_params */
    double min, max;      /* inclusive bounds (P_INT, P_REAL, P_DIST mean); a P_CPUS row
                             with max > min is a list of integers in them (ports), not
                             of CPU ids */
    const char *const *names; /* P_ENUM: NULL-terminated allowed values */
    const char *def;      /* default, as scenario text */
    const char *unit;     /* "" when dimensionless */
    const char *help;     /* one sentence, with its source */
};

/* The core keys. Each policy adds its own rows, in the same form, with
 * offsets into struct sim_params through policy.params (POLICY_KEY in
 * policy.h). */
extern const struct param_spec k_params[];
extern const size_t k_params_count;

extern const char *const k_dist_names[];  /* "constant", "exponential", ... */
extern const char *const k_stage_names[]; /* indexed by enum stage_id */
/* Registered policies' names, NULL-terminated, indexed by policy.name
 * (filled by the registry, policy_registry.c). */
extern const char *k_policy_names[];

/* Any key: a core one, else the first registered policy's that has it. */
const struct param_spec *params_find(const char *key);

/* The keys of one run: the core keys, then those of the policy p runs;
 * NULL past the last. for (i = 0; (s = params_run_key(p, i)); i++). */
const struct param_spec *params_run_key(const struct sim_params *p, size_t i);
/* The run's key of that name (its row under p's policy), or NULL. */
const struct param_spec *params_run_find(const struct sim_params *p, const char *key);

/* Formats the value of spec in p as scenario text (for provenance, docs). */
void params_format_value(const struct param_spec *spec, const struct sim_params *p, char *buf,
                         size_t len);

/* }===== */

#endif
