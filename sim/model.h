/*
 * model.h: the receive-path model, as the CLI and the tests use it.
 *
 * model_create builds everything a scenario describes (NIC, CPUs, flows,
 * threads, policy) and sizes every pool; model_run_until advances simulated
 * time; model_finish checks conservation and computes the results, which
 * stay valid (borrowed) until model_destroy.
 */
#ifndef FALCONSIM_MODEL_H
#define FALCONSIM_MODEL_H

#include "params.h"

struct model;

enum { MODEL_CATS = 6 }; /* hardirq, softirq, system, user, noise, idle */
extern const char *const k_cpu_cat_names[MODEL_CATS];
enum { MODEL_DROP_PLACES = 6 };
enum { MODEL_STAGES = 7 }; /* ST_COUNT; names in k_stage_names */
extern const char *const k_drop_place_names[MODEL_DROP_PLACES];

struct model_summary {
    double measured_s;        /* steady-state interval: duration - warm-up */
    double throughput_pps;    /* messages delivered to applications per second */
    double throughput_gbps;   /* payload bits delivered per second / 1e9 */
    double offered_pps;       /* messages generated per second */
    double latency_mean_us, latency_p50_us, latency_p90_us, latency_p99_us, latency_p999_us,
        latency_p9999_us;     /* NIC arrival -> application receive */
    double send_latency_mean_us, send_latency_p50_us, send_latency_p90_us, send_latency_p99_us,
        send_latency_p999_us, send_latency_p9999_us; /* sender.*: send call -> recvmsg
                                                        return; 0 otherwise */
    double rtt_mean_us, rtt_p50_us, rtt_p90_us, rtt_p99_us, rtt_p999_us,
        rtt_p9999_us;         /* rr: client send -> response received; 0 otherwise */
    uint64_t drops;           /* frames, steady state */
    uint64_t drops_by[MODEL_DROP_PLACES];
    uint64_t reorders;        /* skbs reaching a socket out of order */
    uint64_t reorders_premerge; /* skbs reaching the micro-flow merge out of order */
    uint64_t high_priority_frames; /* frames the policy classified high priority */
    double probe_throughput_pps; /* the probe flows (workload.probe_flows); 0 without */
    double probe_latency_mean_us, probe_latency_p50_us, probe_latency_p90_us,
        probe_latency_p99_us, probe_latency_p999_us;
    double bulk_throughput_pps, bulk_latency_p50_us, bulk_latency_p99_us; /* the other flows */
    double rr_per_s;          /* rr/web: operations completed per second */
    double rr_ok_per_s;       /* rr/web: completed within workload.response_limit_ms */
    double netrx_per_s;       /* net_rx_action invocations per second, all CPUs */
    double ipis_per_s;        /* IPIs raising NET_RX: RPS/steering, deferred-free kicks */
    double ipi_trap_frac;     /* of those, the share whose sender paid cpu.ipi_send_ns: the
                                 target ran, or had idled past cpu.idle_poll_us */
    double wake_ipis_per_s;   /* wake-ups of threads on other CPUs (an IPI each: RES or CAL) */
    double app_wakeups_per_s; /* wake-ups of sleeping application threads, any CPU */
    double app_calls_per_s;   /* receive calls returned (app.batch), any CPU */
    double sender_calls_per_s; /* send calls begun by sender threads (sender.batch) */
    double sender_call_size;   /* datagrams such a call took, the mean; 0 without */
    double app_task_us_per_msg;    /* application threads' run time, as schedstat counts it,
                                      per delivered message */
    double sender_task_us_per_msg; /* sender threads' (sender.*) per sent message; 0 without */
    double cpu_busy_cores;    /* sum over CPUs of busy fraction */
    /* whole-run conservation, in frames */
    uint64_t gen_frames, deliv_frames, dropped_frames, inflight_frames;
    uint64_t events;
    uint64_t peak_pkts, pkt_pool;
};

struct model_flow_result {
    uint32_t hash;
    uint16_t rx_queue, app_cpu;
    double pps, gbps, p50_us, p99_us, p999_us;
    uint64_t reorders, reorders_premerge;
    uint16_t dst_port;
    uint8_t probe;
};

struct model_sample {
    double t_nic_us;
    int16_t cpu[7];
    double t_stage_us[7];
    double t_socket_us, t_app_us;
    int16_t app_cpu;
    uint32_t flow, msg;
    uint8_t merged;
};

struct model_results {
    struct model_summary sum;
    unsigned ncpu;
    const double *busy_frac;        /* [ncpu x MODEL_CATS], steady state */
    const uint64_t *netrx;          /* [ncpu] steady state */
    const uint64_t *ipis_sent, *ipis_recv, *time_squeeze, *ksoftirqd_wakeups, *backlog_drops;
    const double *ksoftirqd_frac;   /* [ncpu] fraction of time in softirqs inside ksoftirqd */
    const double *stage_frac;       /* [ncpu x MODEL_STAGES] fraction of time in each stage */
    uint32_t nflows;
    const struct model_flow_result *flows;
    uint32_t nwin;
    const double *t_ms, *pps, *gbps, *p50_us, *p99_us, *p999_us, *rtt_p99_us, *drops;
    const double *probe_p50_us, *probe_p99_us;
    const float *cpu_busy;          /* [nwin x ncpu] */
    const float *flow_pps, *flow_p50_us, *flow_p99_us, *flow_p999_us; /* [nwin x nflows] */
    uint32_t nsamples;
    const struct model_sample *samples;
    /* steady-state latency histogram, non-empty buckets only */
    uint32_t nbuckets;
    const double *bucket_lo_ns, *bucket_width_ns;
    const uint64_t *bucket_count;
    const uint64_t *bucket_probe_count; /* the probe flows' share of each bucket */
};

struct model *model_create(const struct sim_params *p, struct sim_err *err);
void model_destroy(struct model *m);

/* Advances simulated time to min(t, duration). */
void model_run_until(struct model *m, int64_t t_ns);
int64_t model_now(const struct model *m);
int64_t model_duration(const struct model *m);
uint64_t model_events(const struct model *m);

/* After the run: conservation check (an assertion) and results. */
const struct model_results *model_finish(struct model *m);

/* Full invariant check (queues, accounting, heap); O(size of the model). */
bool model_check(const struct model *m);

#endif
