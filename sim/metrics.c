/*
 * metrics.c: counters, latency histograms and the per-window trace.
 *
 * Nothing here does I/O: the HDF5 writer reads the results after the run.
 * Other modules report events only through the metrics_* functions of
 * model_internal.h (counters) and metrics_deliver / metrics_sample_stage.
 * Steady-state figures cover [run.warmup_ms, run.duration_ms): counters are
 * snapshotted at the end of warm-up and the steady histograms are reset
 * then. The trace covers the whole run in windows of run.trace_window_us:
 * per window, delivered messages per second and Gbps, p50/p99/p99.9 latency
 * overall and per flow, the request round-trip p99 (rr), drops, and each
 * CPU's busy fraction (busy time is charged when a step ends, so a step
 * that straddles a window boundary counts in the later window).
 *
 * Traffic classes: the probe flows (workload.probe_flows, the latency-
 * critical class a priority policy such as PRISM favours) have their own
 * steady-state histogram, message count and per-window p50/p99; the other
 * flows (bulk) their own steady-state histogram. The class is the
 * workload's, not the policy's: every policy is measured on the same flows.
 *
 * Latency is measured from the NIC arrival of an skb's earliest frame to
 * the end of the application's read: per message for UDP (after
 * reassembly), per received skb for TCP.
 */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

void metrics_init(struct model *m)
{
    hist_init(&m->lat);
    hist_init(&m->rtt);
    hist_init(&m->send_lat);
    hist_init(&m->probe_lat);
    hist_init(&m->bulk_lat);
    hist_init(&m->win_probe_lat);
    hist_init(&m->win_lat);
    hist_init(&m->win_rtt);
    m->cs = xcalloc(m->ncpu, sizeof *m->cs);
    m->cs_warm = xcalloc(m->ncpu, sizeof *m->cs_warm);
    m->win_busy_start = xcalloc(m->ncpu, sizeof *m->win_busy_start);
    if (m->p->run.sample_every > 0)
        m->sample_cap = (uint32_t)m->p->run.sample_max;
    m->samples = xcalloc(m->sample_cap ? m->sample_cap : 1, sizeof *m->samples);
    m->nwin = (uint32_t)((m->duration + m->window - 1) / m->window);
    struct trace *t = xcalloc(1, sizeof *t);
    size_t w = m->nwin;
    t->t_ms = xcalloc(w, sizeof(double));
    t->pps = xcalloc(w, sizeof(double));
    t->gbps = xcalloc(w, sizeof(double));
    t->p50_us = xcalloc(w, sizeof(double));
    t->p99_us = xcalloc(w, sizeof(double));
    t->p999_us = xcalloc(w, sizeof(double));
    t->rtt_p99_us = xcalloc(w, sizeof(double));
    t->probe_p50_us = xcalloc(w, sizeof(double));
    t->probe_p99_us = xcalloc(w, sizeof(double));
    t->drops = xcalloc(w, sizeof(double));
    t->cpu_busy = xcalloc(w * m->ncpu, sizeof(float));
    t->flow_pps = xcalloc(w * m->nflows, sizeof(float));
    t->flow_p50_us = xcalloc(w * m->nflows, sizeof(float));
    t->flow_p99_us = xcalloc(w * m->nflows, sizeof(float));
    t->flow_p999_us = xcalloc(w * m->nflows, sizeof(float));
    m->tr = t;
}

void metrics_fini(struct model *m)
{
    hist_fini(&m->lat);
    hist_fini(&m->rtt);
    hist_fini(&m->send_lat);
    hist_fini(&m->probe_lat);
    hist_fini(&m->bulk_lat);
    hist_fini(&m->win_probe_lat);
    hist_fini(&m->win_lat);
    hist_fini(&m->win_rtt);
    free(m->cs);
    free(m->cs_warm);
    free(m->win_busy_start);
    free(m->samples);
    struct trace *t = m->tr;
    if (t != NULL) {
        free(t->t_ms);
        free(t->pps);
        free(t->gbps);
        free(t->p50_us);
        free(t->p99_us);
        free(t->p999_us);
        free(t->rtt_p99_us);
        free(t->probe_p50_us);
        free(t->probe_p99_us);
        free(t->drops);
        free(t->cpu_busy);
        free(t->flow_pps);
        free(t->flow_p50_us);
        free(t->flow_p99_us);
        free(t->flow_p999_us);
        free(t);
    }
}

void metrics_deliver(struct model *m, struct flow *f, struct pkt *p, unsigned app_cpu)
{
    sim_ns now = engine_now(m->eng);
    sim_ns lat = now - p->t_nic;
    m->c.deliv_msgs += p->msg_ends;
    m->c.deliv_bytes += p->bytes;
    m->c.deliv_frames += p->segs;
    f->win_msgs += p->msg_ends;
    f->win_bytes += p->bytes;
    hist_record(&m->win_lat, lat);
    hist_record(&f->win_lat, lat);
    if (f->probe) {
        hist_record(&m->win_probe_lat, lat);
        m->probe_msgs += p->msg_ends;
    }
    if (m->warm) {
        hist_record(&m->lat, lat);
        hist_record(f->probe ? &m->probe_lat : &m->bulk_lat, lat);
        hist_record(&f->lat, lat);
        f->deliv_msgs += p->msg_ends;
        f->deliv_bytes += p->bytes;
        f->deliv_frames += p->segs;
    }
    if (p->sample != NO_SAMPLE) {
        m->samples[p->sample].t_app = now;
        m->samples[p->sample].app_cpu = (int16_t)app_cpu;
    }
}

/* The latency as falconsim measure's loadgen sees it: from the send call to
 * the return of the receive call (steady state only: the caller checks). */
void metrics_send_latency(struct model *m, sim_ns lat) { hist_record(&m->send_lat, lat); }

void metrics_sample_stage(struct model *m, struct pkt *p, enum stage_id s, unsigned cpu, sim_ns t)
{
    struct sample_rec *r = &m->samples[p->sample];
    r->t_stage[s] = t;
    r->cpu[s] = (int16_t)cpu;
}

void metrics_on_warmup(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    (void)obj;
    (void)arg;
    m->c_warm = m->c;
    memcpy(m->cs_warm, m->cs, m->ncpu * sizeof *m->cs);
    hist_reset(&m->lat);
    hist_reset(&m->rtt);
    hist_reset(&m->send_lat);
    hist_reset(&m->probe_lat);
    hist_reset(&m->bulk_lat);
    m->probe_msgs_warm = m->probe_msgs;
    for (uint32_t i = 0; i < m->nflows; i++) {
        struct flow *f = &m->flows[i];
        hist_reset(&f->lat);
        f->deliv_msgs = f->deliv_bytes = f->deliv_frames = 0;
        f->reorders = f->reorders_premerge = 0;
    }
    m->warm = true;
}

static const double k_trace_q[3] = {0.5, 0.99, 0.999};

static uint64_t total_drops(const struct counters *c)
{
    uint64_t d = 0;
    for (int i = 0; i < DROP_COUNT; i++)
        d += c->drops[i];
    return d;
}

void metrics_on_window(void *ctx, uint32_t obj, uint64_t arg)
{
    struct model *m = ctx;
    (void)obj;
    (void)arg;
    sim_ns now = engine_now(m->eng);
    sim_ns start = (sim_ns)m->win_i * m->window;
    double secs = (double)(now - start) / 1e9;
    struct trace *t = m->tr;
    uint32_t w = m->win_i;
    SIM_ASSERT(w < m->nwin);
    t->t_ms[w] = (double)now / 1e6;
    t->pps[w] = (double)(m->c.deliv_msgs - m->win_start.deliv_msgs) / secs;
    t->gbps[w] = (double)(m->c.deliv_bytes - m->win_start.deliv_bytes) * 8 / secs / 1e9;
    double v[3];
    hist_quantiles_ns(&m->win_lat, k_trace_q, 3, v);
    t->p50_us[w] = v[0] / 1e3;
    t->p99_us[w] = v[1] / 1e3;
    t->p999_us[w] = v[2] / 1e3;
    t->rtt_p99_us[w] = hist_quantile_ns(&m->win_rtt, 0.99) / 1e3;
    t->probe_p50_us[w] = hist_quantile_ns(&m->win_probe_lat, 0.5) / 1e3;
    t->probe_p99_us[w] = hist_quantile_ns(&m->win_probe_lat, 0.99) / 1e3;
    hist_reset(&m->win_probe_lat);
    t->drops[w] = (double)(total_drops(&m->c) - total_drops(&m->win_start));
    for (unsigned i = 0; i < m->ncpu; i++) {
        sim_ns busy = 0;
        for (int k = 0; k < CAT_COUNT; k++)
            busy += m->cs[i].busy_ns[k];
        t->cpu_busy[(size_t)w * m->ncpu + i] =
            (float)((double)(busy - m->win_busy_start[i]) / (double)(now - start));
        m->win_busy_start[i] = busy;
    }
    for (uint32_t i = 0; i < m->nflows; i++) {
        struct flow *f = &m->flows[i];
        size_t k = (size_t)w * m->nflows + i;
        t->flow_pps[k] = (float)((double)f->win_msgs / secs);
        f->win_msgs = f->win_bytes = 0;
        if (f->win_lat.total == 0)
            continue; /* percentiles stay 0: nothing delivered in this window */
        double fq[3];
        hist_quantiles_ns(&f->win_lat, k_trace_q, 3, fq);
        t->flow_p50_us[k] = (float)(fq[0] / 1e3);
        t->flow_p99_us[k] = (float)(fq[1] / 1e3);
        t->flow_p999_us[k] = (float)(fq[2] / 1e3);
        hist_reset(&f->win_lat);
    }
    hist_reset(&m->win_lat);
    hist_reset(&m->win_rtt);
    m->win_start = m->c;
    m->win_i++;
    if (m->win_i < m->nwin) {
        sim_ns next = (sim_ns)(m->win_i + 1) * m->window;
        engine_schedule(m->eng, next < m->duration ? next : m->duration, EV_WINDOW, 0, 0);
    }
}
