/*
 * host_rows.c: measured rows as scenarios; `falconsim predict` and
 * `falconsim fit` (host_rows.h, docs/measure.md "Fit and predict").
 *
 * Paths written by fit are relative (a case file to fixed.cfg beside it,
 * fixed.cfg to the base, the profile to its .d directory), so a profile
 * moves with its base and its measurement.
 *
 * The row-to-scenario map (every key from a column):
 *   topology underlay|overlay      network.mode host|overlay
 *   placement vanilla|rps|rps_first policy.name vanilla|rps, policy.rps_cpus = rps_cpus;
 *                                  rps_first: policy.rps_veth = "off" (RPS on the
 *                                  first device, u1, only)
 *   irq_cpus (emulated IRQ CPUs)   policy.rps_first_cpus (u1's own map), and vanilla
 *                                  becomes rps with policy.rps_veth = "off"
 *   sender_cpus, reader_cpus       sender.cpus, app.cpus (one reader thread each)
 *   flows, payload                 workload.flows, workload.message_bytes (UDP stream)
 *   target_pps (0: flat out)       workload.rate_pps = target_pps / flows
 *   batch                          flat out: sender.batch; paced: workload.burst (the
 *                                  kit's --paced-batch releases that many at once)
 *   max_batch (paced rows)         sender.batch: a paced sender that fell behind
 *                                  sends what is due in one call, up to this (the
 *                                  kit's --max-batch); files without the column:
 *                                  the largest batch of their flat-out rows
 *   rcvbuf (as the kernel reports) app.rcvbuf_bytes
 *   (the kit's reader)             app.batch = MEASURE_RECV_BATCH (its recvmmsg)
 *   (the kit's paced sender)       sender.spin_us = MEASURE_SPIN_MAX_NS / 1000: it
 *                                  busy-waits its gaps, its CPU never idles
 *   cpuN_* columns                 host.cpus = N + 1 for the highest N
 * and `defaults = PROFILE`, which holds every cost. Each row runs once per
 * run.seed 1..--seeds (its traffic and CPU noise), and its prediction is the
 * median of those runs: one run's tail latency is one draw of the noise. A
 * row whose draw of flow hashes matters (RPS over more than one CPU) does so
 * for each hash seed 1..--draws, and its prediction is the mean of the
 * draws' medians. The range reported is that of all its runs.
 *
 * Predicted against measured: rate_pps (throughput), loss_frac, lat_p50_us,
 * lat_p90_us, lat_p99_us (latency from the send call: send_latency_*),
 * netrx_per_s, wakeups_pp (the readers' wake-ups per delivered datagram
 * against the kit's rcv_wakeups_pp), reader_us_pp (the readers' run time as
 * schedstat counts it, per delivered datagram, against rcv_task_us_pp; NAN
 * where the file has no such column), ipis_per_s (every IPI: those raising
 * NET_RX and the remote wake-ups, against the kit's ipi_cal_per_s plus
 * ipi_res_per_s; NAN where the file has no ipi_cal_per_s), call_size
 * (datagrams a receive call returned, against the kit's rcv_call_size; NAN
 * where the file has none), snd_call_size (datagrams a send call took,
 * against the kit's snd_call_size; NAN where the file has none), and each
 * CPU's busy percent.
 * Relative error = (predicted - measured) / measured.
 */
#define _GNU_SOURCE
#include "host_rows.h"

#include "calibrate.h"
#include "measure.h"
#include "runs_report.h"
#include "model.h"
#include "parallel.h"
#include "rng.h"
#include "runs_table.h"
#include "scenario.h"

#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#define HR_MAX_CPUS 256u
#define HR_MAX_DRAWS 64u
#define HR_MAX_SEEDS 64u



/* {===== Rows as scenarios ===== */

enum {
    C_CASE, C_TOPO, C_PLACE, C_PAYLOAD, C_FLOWS, C_LOAD, C_TARGET, C_SENDERS, C_READERS,
    C_IRQ, C_RPS, C_BATCH, C_RCVBUF, C_RATE, C_LOSS, C_P50, C_P90, C_P99, C_NETRX, C_WAKE,
    C_REP, C_N
};
static const char *const k_cols[C_N + 1] = {
    "case_id", "topology", "placement", "payload", "flows", "load", "target_pps",
    "sender_cpus", "reader_cpus", "irq_cpus", "rps_cpus", "batch", "rcvbuf", "rate_pps",
    "loss_frac", "lat_p50_us", "lat_p90_us", "lat_p99_us", "netrx_per_s", "rcv_wakeups_pp",
    "rep", NULL};

struct rows {
    struct runs_table t;
    int col[C_N];
    unsigned ncpu;
    int busy_col[HR_MAX_CPUS];
    int sirq_col[HR_MAX_CPUS]; /* -1 where the file has no cpuN_sirq_pct */
    int sys_col[HR_MAX_CPUS];  /* -1 where the file has no cpuN_sys_pct */
    int reader_task_col;       /* rcv_task_us_pp, or -1 */
    int p999_col;              /* lat_p999_us, or -1 */
    int call_col;              /* rcv_call_size, or -1 */
    int snd_call_col;          /* snd_call_size, or -1 */
    int ipi_col, res_col;      /* ipi_cal_per_s, ipi_res_per_s, or -1 */
    int sender_task_col;       /* snd_task_us_pp, or -1 */
    int send_col;              /* send_pps, or -1 */
    int win_col;               /* win_s (the measurement window), or -1 */
    int max_batch_col;         /* max_batch (a paced sender's catch-up), or -1 */
    double flat_batch;         /* the largest batch of the flat-out rows, or NAN */
    double syscall_ns; /* median of the file's syscall_ns column, or NAN */
};

static int rows_load(const char *arg, struct rows *rs, struct sim_err *err)
{
    memset(rs, 0, sizeof *rs);
    int rc = runs_table_load_in(arg, "runs.tsv", &rs->t, err);
    if (rc != 0)
        return rc;
    if ((rc = runs_table_require(&rs->t, k_cols, rs->col, err)) != 0)
        return rc;
    for (unsigned c = 0; c < HR_MAX_CPUS; c++) {
        char name[48];
        snprintf(name, sizeof name, "cpu%u_busy_pct", c);
        rs->busy_col[c] = runs_table_col(&rs->t, name);
        if (rs->busy_col[c] >= 0)
            rs->ncpu = c + 1;
        snprintf(name, sizeof name, "cpu%u_sirq_pct", c);
        rs->sirq_col[c] = runs_table_col(&rs->t, name);
        snprintf(name, sizeof name, "cpu%u_sys_pct", c);
        rs->sys_col[c] = runs_table_col(&rs->t, name);
    }
    rs->reader_task_col = runs_table_col(&rs->t, "rcv_task_us_pp");
    rs->p999_col = runs_table_col(&rs->t, "lat_p999_us");
    rs->call_col = runs_table_col(&rs->t, "rcv_call_size");
    rs->snd_call_col = runs_table_col(&rs->t, "snd_call_size");
    rs->ipi_col = runs_table_col(&rs->t, "ipi_cal_per_s");
    rs->res_col = runs_table_col(&rs->t, "ipi_res_per_s");
    rs->sender_task_col = runs_table_col(&rs->t, "snd_task_us_pp");
    rs->send_col = runs_table_col(&rs->t, "send_pps");
    rs->win_col = runs_table_col(&rs->t, "win_s");
    rs->max_batch_col = runs_table_col(&rs->t, "max_batch");
    /* The kit's paced sender catches up with up to --batch datagrams a call
     * (loadgen --max-batch), which its flat-out rows record as their batch;
     * files from before the max_batch column have only those. */
    rs->flat_batch = (double)NAN;
    for (unsigned r = 0; r < rs->t.nrows; r++) {
        double target, b;
        if (runs_table_number(&rs->t, r, rs->col[C_TARGET], &target, NULL) == 0 &&
            target == 0 && runs_table_number(&rs->t, r, rs->col[C_BATCH], &b, NULL) == 0 &&
            b >= 1 && !(b <= rs->flat_batch))
            rs->flat_batch = b;
    }
    if (rs->ncpu == 0)
        return sim_error(err, SIM_EINVAL, "%s: no column 'cpu0_busy_pct'", rs->t.path);
    for (unsigned c = 0; c < rs->ncpu; c++)
        if (rs->busy_col[c] < 0)
            return sim_error(err, SIM_EINVAL, "%s: no column 'cpu%u_busy_pct'", rs->t.path, c);
    /* The file's own measurement of a system call, if it has one. */
    rs->syscall_ns = (double)NAN;
    int sc = runs_table_col(&rs->t, "syscall_ns");
    if (sc >= 0 && rs->t.nrows > 0) {
        double *v = xcalloc(rs->t.nrows, sizeof *v);
        unsigned n = 0;
        for (unsigned r = 0; r < rs->t.nrows; r++)
            if (runs_table_number(&rs->t, r, sc, &v[n], NULL) == 0 && v[n] > 0)
                n++;
        if (n > 0) {
            double st[3];
            runs_report_stats3(v, n, st);
            rs->syscall_ns = st[0];
        }
        free(v);
    }
    return SIM_OK;
}

static const char *cell(const struct rows *rs, unsigned r, int c)
{
    return runs_table_cell(&rs->t, r, rs->col[c]);
}

static int num(const struct rows *rs, unsigned r, int c, double *v, struct sim_err *err)
{
    return runs_table_number(&rs->t, r, rs->col[c], v, err);
}

static int bad_cell(const struct rows *rs, unsigned r, int c, struct sim_err *err,
                    const char *why)
{
    return sim_error(err, SIM_EINVAL, "%s:%u: column '%s' is '%s': %s", rs->t.path,
                     rs->t.line[r], k_cols[c], cell(rs, r, c), why);
}

/* "0,2" -> "[0, 2]" (CPUs below ncpu); "-" -> "[]"; *n counts them. */
static int cpu_list(const struct rows *rs, unsigned r, int c, char *out, size_t cap, unsigned *n,
                    struct sim_err *err)
{
    const char *s = cell(rs, r, c);
    size_t o = (size_t)snprintf(out, cap, "[");
    *n = 0;
    if (strcmp(s, "-") != 0) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", s);
        char *save;
        for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *end;
            unsigned long v = strtoul(tok, &end, 10);
            if (end == tok || *end != '\0' || v >= rs->ncpu)
                return bad_cell(rs, r, c, err, "not a list of this file's CPUs");
            o += (size_t)snprintf(out + o, cap > o ? cap - o : 0, "%s%lu", *n ? ", " : "", v);
            (*n)++;
        }
    }
    snprintf(out + o, cap > o ? cap - o : 0, "]");
    return SIM_OK;
}

/* Whether a row's prediction depends on the flows' hash draw: RPS spreads
 * flows over more than one CPU, on the RPS or the emulated IRQ CPUs. */
static bool row_hash_dependent(const struct rows *rs, unsigned r)
{
    bool rps = strcmp(cell(rs, r, C_PLACE), "vanilla") != 0;
    return (rps && strchr(cell(rs, r, C_RPS), ',') != NULL) || strchr(cell(rs, r, C_IRQ), ',') != NULL;
}

/* The simulated window of row r: sim_ms > 0 (--sim-ms) runs sim_ms with a
 * fifth of it warm-up; 0 measures as long as the row did (win_s) after
 * ROW_WARMUP_MS of warm-up, so the model sees as much of the noise as the
 * host did (a 240 ms window of this host's noise left rates 10-15 % apart
 * from one seed to the next; docs/measure.md), or 300 ms where the file
 * has no win_s. */
#define ROW_WARMUP_MS 100.0
#define ROW_DEFAULT_SIM_MS 300.0

static int row_window(const struct rows *rs, unsigned r, double sim_ms, double *duration_ms,
                      double *warmup_ms, struct sim_err *err)
{
    if (sim_ms <= 0 && rs->win_col >= 0) {
        double win;
        int rc = runs_table_number(&rs->t, r, rs->win_col, &win, err);
        if (rc != 0)
            return rc;
        if (!(win >= 0.01 && win <= 1000))
            return sim_error(err, SIM_EINVAL, "%s:%u: column 'win_s' is %g: expected 0.01..1000 s",
                             rs->t.path, rs->t.line[r], win);
        *warmup_ms = ROW_WARMUP_MS;
        *duration_ms = ROW_WARMUP_MS + 1000 * win;
        return 0;
    }
    if (sim_ms <= 0)
        sim_ms = ROW_DEFAULT_SIM_MS;
    *duration_ms = sim_ms;
    *warmup_ms = sim_ms / 5;
    return 0;
}

/* The scenario of row r (libconfig text), under `profile` (absolute). */
static int row_scenario(const struct rows *rs, unsigned r, const char *profile, int64_t hash_seed,
                        int64_t seed, double sim_ms, char *buf, size_t cap, struct sim_err *err)
{
    double duration_ms = 0, warmup_ms = 0;
    if (row_window(rs, r, sim_ms, &duration_ms, &warmup_ms, err) != 0)
        return SIM_EINVAL;
    const char *topo = cell(rs, r, C_TOPO), *place = cell(rs, r, C_PLACE);
    if (strcmp(topo, "underlay") != 0 && strcmp(topo, "overlay") != 0)
        return bad_cell(rs, r, C_TOPO, err, "expected underlay or overlay");
    if (strcmp(place, "vanilla") != 0 && strcmp(place, "rps") != 0 &&
        strcmp(place, "rps_first") != 0)
        return bad_cell(rs, r, C_PLACE, err, "expected vanilla, rps or rps_first");
    double payload, flows, target, batch, rcvbuf;
    if (num(rs, r, C_PAYLOAD, &payload, err) || num(rs, r, C_FLOWS, &flows, err) ||
        num(rs, r, C_TARGET, &target, err) || num(rs, r, C_BATCH, &batch, err) ||
        num(rs, r, C_RCVBUF, &rcvbuf, err))
        return SIM_EINVAL;
    if (!(flows >= 1 && flows <= 4096))
        return bad_cell(rs, r, C_FLOWS, err, "expected 1..4096 flows");
    if (!(payload >= 1 && payload <= 65507))
        return bad_cell(rs, r, C_PAYLOAD, err, "expected 1..65507 bytes");
    if (!(batch >= 1 && batch <= 1024))
        return bad_cell(rs, r, C_BATCH, err, "expected 1..1024");
    if (!(target >= 0))
        return bad_cell(rs, r, C_TARGET, err, "expected a rate >= 0");
    /* A paced row releases `batch` a time (workload.burst) and a send call
     * that fell behind takes up to the catch-up cap (sender.batch). */
    double send_batch = batch;
    if (target > 0 && rs->max_batch_col >= 0) {
        if (runs_table_number(&rs->t, r, rs->max_batch_col, &send_batch, err) != 0)
            return SIM_EINVAL;
        if (!(send_batch >= batch && send_batch <= 1024))
            return sim_error(err, SIM_EINVAL, "%s:%u: column 'max_batch' is '%s': expected batch..1024",
                             rs->t.path, rs->t.line[r],
                             runs_table_cell(&rs->t, r, rs->max_batch_col));
    } else if (target > 0 && rs->flat_batch > batch) {
        send_batch = rs->flat_batch;
    }
    char snd[2048], rdr[2048], rps[2048], irq[2048];
    unsigned nsnd, nrdr, nrps, nirq;
    if (cpu_list(rs, r, C_SENDERS, snd, sizeof snd, &nsnd, err) ||
        cpu_list(rs, r, C_READERS, rdr, sizeof rdr, &nrdr, err) ||
        cpu_list(rs, r, C_RPS, rps, sizeof rps, &nrps, err) ||
        cpu_list(rs, r, C_IRQ, irq, sizeof irq, &nirq, err))
        return SIM_EINVAL;
    if (nsnd == 0)
        return bad_cell(rs, r, C_SENDERS, err, "needs at least one CPU");
    if (nrdr == 0)
        return bad_cell(rs, r, C_READERS, err, "needs at least one CPU");
    bool vanilla = strcmp(place, "vanilla") == 0;
    if (!vanilla && nrps == 0)
        return bad_cell(rs, r, C_RPS, err, "needs at least one CPU for placements rps and rps_first");
    /* u1's map: the emulated IRQ CPUs, else the RPS CPUs (vanilla: none);
     * vx0's and the pod's eth0's: the RPS CPUs with placement rps only */
    char pol[5000];
    if (vanilla && nirq == 0)
        snprintf(pol, sizeof pol, "name = \"vanilla\"; rps_cpus = [];");
    else if (!vanilla && nirq == 0 && strcmp(place, "rps") == 0)
        snprintf(pol, sizeof pol, "name = \"rps\"; rps_cpus = %s;", rps);
    else
        snprintf(pol, sizeof pol,
                 "name = \"rps\"; rps_cpus = %s; rps_first_cpus = %s; rps_veth = \"%s\";",
                 vanilla ? irq : rps, irq, strcmp(place, "rps") == 0 ? "on" : "off");
    int n = snprintf(
        buf, cap,
        "# case %s of %s, generated by falconsim (measure/host_rows.c)\n"
        "defaults = \"%s\";\n"
        "host: { cpus = %u; };\n"
        "network: { mode = \"%s\"; };\n"
        "workload: { type = \"stream\"; protocol = \"udp\"; flows = %.0f; message_bytes = %.0f;\n"
        "            rate_pps = %.6f; burst = %.0f; };\n"
        "sender: { cpus = %s; batch = %.0f; spin_us = %g; };\n"
        "app: { cpus = %s; rcvbuf_bytes = %.0f; batch = %d; };\n"
        "policy: { %s };\n"
        "run: { duration_ms = %g; warmup_ms = %g; hash_seed = %lldL; seed = %lldL; };\n",
        cell(rs, r, C_CASE), rs->t.path, profile, rs->ncpu,
        strcmp(topo, "overlay") == 0 ? "overlay" : "host", flows, payload, target / flows,
        target > 0 ? batch : 1, snd,
        send_batch, MEASURE_SPIN_MAX_NS / 1e3, rdr, rcvbuf, MEASURE_RECV_BATCH, pol, duration_ms,
        warmup_ms, (long long)hash_seed, (long long)seed);
    if (n < 0 || (size_t)n >= cap)
        return sim_error(err, SIM_EINVAL, "%s:%u: scenario longer than %zu bytes", rs->t.path,
                         rs->t.line[r], cap);
    return SIM_OK;
}

/* The path of `to` relative to directory `from` (both absolute, no "." or
 * ".." parts, as realpath gives them), so a profile and its base move
 * together. */
static void relative_path(const char *from, const char *to, char *out, size_t cap)
{
    size_t i = 0, common = 0;
    while (from[i] && from[i] == to[i]) {
        if (from[i] == '/')
            common = i;
        i++;
    }
    if (from[i] == '\0' && (to[i] == '/' || to[i] == '\0'))
        common = i;
    size_t o = 0;
    out[0] = '\0';
    for (const char *s = from + common; *s; s++)
        if (*s == '/' && o + 4 < cap)
            o += (size_t)snprintf(out + o, cap - o, "../");
    snprintf(out + o, cap - o, "%s", to[common] == '/' ? to + common + 1 : to + common);
}

static int write_file(const char *path, const char *text, struct sim_err *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return sim_error(err, SIM_ECANTCREAT, "%s: cannot create: %s", path, strerror(errno));
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    return ok ? SIM_OK : sim_error(err, SIM_EIO, "%s: write failed", path);
}

/* }===== */

/* {===== Predict ===== */

enum { M_RATE, M_LOSS, M_P50, M_P90, M_P99, M_P999, M_NETRX, M_WAKE, M_READER, M_IPIS,
       M_CALL, M_SND_CALL, M_FIXED };
static const char *const k_metric_names[M_FIXED] = {
    "rate_pps",    "loss_frac",   "lat_p50_us", "lat_p90_us",   "lat_p99_us", "lat_p999_us",
    "netrx_per_s", "wakeups_pp",  "reader_us_pp", "ipis_per_s", "call_size",
    "snd_call_size"};
static const int k_metric_col[M_FIXED] = {C_RATE, C_LOSS, C_P50, C_P90, C_P99, -1, C_NETRX, C_WAKE,
                                          -1, -1, -1, -1};

/* Row r's measurement of metric k (k < M_FIXED); NAN for lat_p999_us,
 * reader_us_pp, ipis_per_s, call_size and snd_call_size where the file has no
 * lat_p999_us, rcv_task_us_pp, ipi_cal_per_s, rcv_call_size or snd_call_size
 * (a file measured by another tool, or before the kit had them; a call size
 * of 0 is a thread that did not count its calls). ipis_per_s is every IPI,
 * function-call and reschedule: a remote wake-up is either
 * (ttwu_queue_wakelist sends a function call), as an RPS kick is a function
 * call. */
static int metric_measured(const struct rows *rs, unsigned r, int k, double *v,
                           struct sim_err *err)
{
    int optional = k == M_READER ? rs->reader_task_col
                   : k == M_IPIS ? rs->ipi_col
                   : k == M_P999 ? rs->p999_col
                   : k == M_CALL ? rs->call_col
                   : k == M_SND_CALL ? rs->snd_call_col
                                 : -2;
    if (optional == -2)
        return num(rs, r, k_metric_col[k], v, err);
    *v = (double)NAN;
    if (optional < 0)
        return 0;
    int rc = runs_table_number(&rs->t, r, optional, v, err);
    double res = 0;
    if (rc == 0 && k == M_IPIS && rs->res_col >= 0)
        rc = runs_table_number(&rs->t, r, rs->res_col, &res, err);
    *v += res;
    if ((k == M_CALL || k == M_SND_CALL) && !(*v > 0))
        *v = (double)NAN;
    return rc;
}

/* Loads a scenario (a file, or the text where path is NULL) with its
 * overrides and runs it to its end: the caller reads model_finish and
 * destroys the model. NULL, said in err, if it does not load. */
static struct model *run_scenario(const char *path, const char *text, const char *const *sets,
                                  size_t nsets, struct sim_err *err)
{
    struct sim_params p;
    struct scenario_text st;
    if (scenario_load(path, text, sets, nsets, &p, &st, err) != SIM_OK)
        return NULL;
    scenario_text_free(&st);
    struct model *m = model_create(&p, err);
    if (m != NULL)
        model_run_until(m, model_duration(m));
    return m;
}

/* Runs one scenario file; fills the metrics' predictions (M_FIXED, then
 * one busy percent per CPU). */
static int run_one(const char *path, unsigned ncpu, double *pred, struct sim_err *err)
{
    struct model *m = run_scenario(path, NULL, NULL, 0, err);
    if (m == NULL)
        return SIM_EINVAL;
    const struct model_results *res = model_finish(m);
    const struct model_summary *s = &res->sum;
    pred[M_RATE] = s->throughput_pps;
    pred[M_LOSS] = s->offered_pps > 0 ? 1 - s->throughput_pps / s->offered_pps : 0;
    pred[M_P50] = s->send_latency_p50_us;
    pred[M_P90] = s->send_latency_p90_us;
    pred[M_P99] = s->send_latency_p99_us;
    pred[M_P999] = s->send_latency_p999_us;
    pred[M_NETRX] = s->netrx_per_s;
    /* the kit counts the readers' timeslices, about one a wake-up */
    pred[M_WAKE] = s->throughput_pps > 0 ? s->app_wakeups_per_s / s->throughput_pps : 0;
    /* the kit's schedstat run time of the readers, per delivered datagram */
    pred[M_READER] = s->app_task_us_per_msg;
    /* the kit's CAL and RES interrupts: RPS and deferred-free kicks, and
     * wake-ups of a thread on another CPU */
    pred[M_IPIS] = s->ipis_per_s + s->wake_ipis_per_s;
    /* datagrams a receive call returned (the kit's reader: one recvmmsg) */
    pred[M_CALL] = s->app_calls_per_s > 0 ? s->throughput_pps / s->app_calls_per_s : 0;
    /* datagrams a send call took (the kit's sender: one sendmmsg, a paced
     * one more than its burst only where it fell behind) */
    pred[M_SND_CALL] = s->sender_call_size;
    for (unsigned c = 0; c < ncpu; c++)
        pred[M_FIXED + c] =
            c < res->ncpu ? 100 * (1 - res->busy_frac[c * MODEL_CATS + MODEL_CATS - 1]) : 0;
    model_destroy(m);
    return SIM_OK;
}

static bool row_selected(const struct rows *rs, unsigned r, const char *sel)
{
    bool sat = strcmp(cell(rs, r, C_LOAD), "sat") == 0;
    return strcmp(sel, "all") == 0 || (strcmp(sel, "sat") == 0 && sat) ||
           (strcmp(sel, "load") == 0 && !sat);
}

/* The median of v[0..n) (sorted in place); NaN if any value is: a metric the
 * model leaves undefined stays so. */
static double median_of(double *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (isnan(v[i]))
            return (double)NAN;
    double st[3];
    runs_report_stats3(v, n, st);
    return st[0];
}

/* Command cmd's option opt, a count in 1..max; false, said, otherwise. */
static bool count_arg(const char *cmd, const char *opt, const char *arg, unsigned max, long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end != '\0' || end == arg || v < 1 || v > (long)max) {
        measure_msg(cmd, "error: %s: '%s' must be 1..%u", opt, arg, max);
        return false;
    }
    *out = v;
    return true;
}

static void predict_usage(FILE *f)
{
    fprintf(f,
            "usage: falconsim predict MEASURED PROFILE.cfg [-o OUT.tsv] [--rows all|sat|load]\n"
            "                         [--draws N] [--seeds N] [--sim-ms MS] [-q]\n"
            "\n"
            "Simulates every selected row of a measured file (a falconsim measure directory\n"
            "or its runs.tsv) from the row's own columns under PROFILE.cfg (the costs: a\n"
            "scenario file, e.g. written by falconsim fit), and prints one line per row and\n"
            "metric: measured, predicted (the median over --seeds runs, each with its own\n"
            "traffic and noise; the mean of such medians over hash draws where the draw\n"
            "matters), the range of all runs, and the relative error; then a summary per\n"
            "metric on stderr, and the paced cases' repetitions held to their spread: a\n"
            "case passes if the prediction is within the target (rate 10 %%, p50 20 %%,\n"
            "p99 30 %%) of its repetitions' median, or inside their range. In a file\n"
            "measured with --interleave, the paced rows' p50 and p99 are counted again by\n"
            "the flat-out run after each: its rate over the case's saturation median\n"
            "below 0.8, 0.8-1.2, above 1.2 (the host's phase at that moment).\n"
            "\n"
            "  -o, --output FILE  write the table there instead of stdout (atomically: a new\n"
            "                     name or a regular file)\n"
            "      --rows SEL     all (default), sat (flat-out rows) or load (paced rows)\n"
            "      --draws N      hash draws for rows with RPS over several CPUs (default 8)\n"
            "      --seeds N      runs per row and draw, run.seed 1..N (default 5): a p99\n"
            "                     from one run is one draw of the model's noise\n"
            "      --sim-ms MS    simulated time per run, a fifth of it warm-up (default: the\n"
            "                     row's own window, win_s, after 100 ms of warm-up; 300 ms\n"
            "                     where the file has no win_s)\n"
            "  -q, --quiet        no summary\n"
            "\n"
            "Exit status: 0 ok, 64 usage, 65 a row or column the model cannot use (the\n"
            "message names file, line and column), 66 missing input, 73/74 output errors,\n"
            "78 the profile or a generated scenario does not load.\n");
}

/* Whether rows a and b hold the same text in each of the n columns k. */
/* Issue 10's targets for a paced case: the rate within 10 %, the p50 within
 * 20 %, the p99 within 30 % (k_held[1] and [2] are the latencies). */
static const struct {
    int metric;
    double target;
} k_held[] = {{M_RATE, 0.10}, {M_P50, 0.20}, {M_P99, 0.30}};

static bool within(double predicted, double measured, double target)
{
    return fabs(predicted - measured) <= target * fabs(measured);
}

static bool same_cells(const struct rows *rs, unsigned a, unsigned b, const int *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cell(rs, a, k[i]), cell(rs, b, k[i])) != 0)
            return false;
    return true;
}

/* Whether rows a and b are one case: repetitions of one configuration, every
 * column the row's scenario is built from alike (a batch sweep's rows differ
 * only in batch). */
static bool same_case(const struct rows *rs, unsigned a, unsigned b)
{
    static const int k[] = {C_TOPO,    C_PLACE, C_PAYLOAD, C_FLOWS, C_LOAD,  C_TARGET,
                            C_SENDERS, C_READERS, C_IRQ,   C_RPS,   C_BATCH, C_RCVBUF};
    return same_cells(rs, a, b, k, SIM_ARRAY_LEN(k));
}

/* Paced rows by their flat-out neighbour. In a file measured with
 * falconsim measure --interleave the row after a paced row is a flat-out run
 * of the same configuration, taken seconds later: its rate over the case's
 * saturation median (target_pps / load) says how fast the host ran at that
 * moment against the runs the paced rate came from. The host drifts by up to
 * 2x within minutes (data/hosts/kvm-2vcpu-epyc/campaign-4), which no profile
 * knows; rows beside a neighbour within 0.8-1.2 are the fair test of one. */
static void phase_summary(const struct rows *rs, const unsigned *row_of, unsigned n,
                          const double *meas, const double *pred, unsigned nmetric)
{
    static const char *const k_group[] = {"slow (< 0.8)", "in phase (0.8-1.2)",
                                          "fast (> 1.2)"};
    /* the batch is not compared: a paced row records its paced batch */
    static const int k_same[] = {C_TOPO,    C_PLACE, C_PAYLOAD, C_FLOWS,
                                 C_SENDERS, C_READERS, C_IRQ,   C_RPS, C_RCVBUF};
    unsigned rows[3] = {0}, p50_ok[3] = {0}, p99_ok[3] = {0};
    for (unsigned i = 0; i < n; i++) {
        unsigned r = row_of[i], next = r + 1;
        double load, target, rate;
        if (next >= rs->t.nrows || strcmp(cell(rs, r, C_LOAD), "sat") == 0 ||
            strcmp(cell(rs, next, C_LOAD), "sat") != 0)
            continue;
        if (!same_cells(rs, r, next, k_same, SIM_ARRAY_LEN(k_same)) ||
            num(rs, r, C_LOAD, &load, NULL) || num(rs, r, C_TARGET, &target, NULL) ||
            num(rs, next, C_RATE, &rate, NULL) || !(load > 0 && target > 0))
            continue;
        double ratio = rate / (target * 100 / load);
        unsigned g = ratio < 0.8 ? 0 : ratio <= 1.2 ? 1 : 2;
        const double *mv = &meas[(size_t)i * nmetric], *pv = &pred[(size_t)i * nmetric];
        rows[g]++;
        p50_ok[g] += within(pv[M_P50], mv[M_P50], k_held[1].target);
        p99_ok[g] += within(pv[M_P99], mv[M_P99], k_held[2].target);
    }
    if (rows[0] + rows[1] + rows[2] == 0)
        return;
    fprintf(stderr,
            "  paced rows by the next flat-out run over the case's median (--interleave)\n");
    char h50[32], h99[32];
    snprintf(h50, sizeof h50, "p50 <= %.0f%%", 100 * k_held[1].target);
    snprintf(h99, sizeof h99, "p99 <= %.0f%%", 100 * k_held[2].target);
    fprintf(stderr, "  %-20s %5s %12s %12s\n", "neighbour", "rows", h50, h99);
    for (unsigned g = 0; g < 3; g++)
        fprintf(stderr, "  %-20s %5u %8u/%-3u %8u/%-3u\n", k_group[g], rows[g], p50_ok[g], rows[g],
                p99_ok[g], rows[g]);
}

/* Repeated rows held to the host's own spread (issue 10's rule): the paced
 * rows of one case (same_case: one configuration) are its repetitions; a
 * metric passes for the case if the prediction is within the target of the
 * repetitions' median, or inside their range, which is
 * what the target becomes where the host's own spread is wider. Targets:
 * the rate 10 %, p50 20 %, p99 30 %. row_of[i] is the i-th predicted row (rows of a
 * case share the same prediction, their inputs being the same). */
static void spread_summary(const struct rows *rs, const unsigned *row_of, unsigned n,
                           const double *meas, const double *pred, unsigned nmetric)
{
    bool *used = xcalloc(n ? n : 1, sizeof *used);
    double *v = xcalloc(n ? n : 1, sizeof *v);
    unsigned *members = xcalloc(n ? n : 1, sizeof *members);
    unsigned ncase = 0, pass[3] = {0}, in_target[3] = {0}, in_range[3] = {0}, wide[3] = {0};
    for (unsigned i = 0; i < n; i++) {
        if (used[i] || strcmp(cell(rs, row_of[i], C_LOAD), "sat") == 0)
            continue;
        unsigned nm = 0;
        for (unsigned j = i; j < n; j++) {
            unsigned a = row_of[i], b = row_of[j];
            if (used[j] || !same_case(rs, a, b))
                continue;
            used[j] = true;
            members[nm++] = j;
        }
        ncase++;
        for (unsigned h = 0; h < 3; h++) {
            unsigned k = (unsigned)k_held[h].metric;
            for (unsigned q = 0; q < nm; q++)
                v[q] = meas[(size_t)members[q] * nmetric + k];
            double st[3];
            runs_report_stats3(v, nm, st); /* median, min, max */
            double pr = pred[(size_t)i * nmetric + k], t = k_held[h].target;
            bool tg = within(pr, st[0], t), rg = pr >= st[1] && pr <= st[2];
            in_target[h] += tg;
            in_range[h] += rg;
            pass[h] += tg || rg;
            wide[h] += st[2] - st[1] > 2 * t * fabs(st[0]);
        }
    }
    if (ncase > 0) {
        fprintf(stderr, "  paced cases, repetitions held to their spread (%u cases)\n", ncase);
        fprintf(stderr, "  %-16s %7s %10s %10s %10s %14s\n", "metric", "target", "of median",
                "in range", "either", "range > target");
        for (unsigned h = 0; h < 3; h++)
            fprintf(stderr, "  %-16s %6.0f%% %6u/%-3u %6u/%-3u %6u/%-3u %10u/%-3u\n",
                    k_metric_names[k_held[h].metric], 100 * k_held[h].target, in_target[h], ncase,
                    in_range[h], ncase, pass[h], ncase, wide[h], ncase);
    }
    free(used);
    free(v);
    free(members);
}

int host_rows_predict_main(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"rows", required_argument, NULL, 'r'},
                                       {"draws", required_argument, NULL, 'd'},
                                       {"seeds", required_argument, NULL, 'e'},
                                       {"sim-ms", required_argument, NULL, 's'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    const char *out = NULL, *sel = "all";
    long draws = 8, seeds = 5;
    double sim_ms = 0; /* the row's own window */
    bool quiet = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': out = optarg; break;
        case 'r': sel = optarg; break;
        case 'q': quiet = true; break;
        case 'd':
            if (!count_arg("predict", "--draws", optarg, HR_MAX_DRAWS, &draws))
                return EX_USAGE;
            break;
        case 'e':
            if (!count_arg("predict", "--seeds", optarg, HR_MAX_SEEDS, &seeds))
                return EX_USAGE;
            break;
        case 's':
            sim_ms = strtod(optarg, &end);
            if (*end != '\0' || !(sim_ms >= 10 && sim_ms <= 1e6)) {
                measure_msg("predict", "error: --sim-ms: '%s' must be 10..1e6", optarg);
                return EX_USAGE;
            }
            break;
        case 'h': predict_usage(stdout); return 0;
        default:
            measure_msg("predict", "error: unknown option or missing value: %s (falconsim predict --help)",
                argv[optind - 1]);
            return EX_USAGE;
        }
    }
    if (argc - optind != 2) {
        predict_usage(stderr);
        return EX_USAGE;
    }
    if (strcmp(sel, "all") != 0 && strcmp(sel, "sat") != 0 && strcmp(sel, "load") != 0) {
        measure_msg("predict", "error: --rows: '%s' must be all, sat or load", sel);
        return EX_USAGE;
    }
    struct sim_err oerr;
    if (out != NULL && sim_output_path_check(out, &oerr) != SIM_OK) {
        measure_msg("predict", "%s", oerr.msg);
        return EX_CANTCREAT;
    }
    char profile[4096];
    if (realpath(argv[optind + 1], profile) == NULL) {
        measure_msg("predict", "error: %s: %s", argv[optind + 1], strerror(errno));
        return EX_NOINPUT;
    }
    struct rows rs;
    struct sim_err err = {{0}};
    int rc = rows_load(argv[optind], &rs, &err);
    if (rc != 0) {
        measure_msg("predict", "error: %s", err.msg);
        runs_table_free(&rs.t);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_DATAERR;
    }
    /* Every row is checked (scenario generated, measured numbers read)
     * before anything runs. */
    char *text = xmalloc(16384);
    unsigned nsel = 0;
    for (unsigned r = 0; r < rs.t.nrows; r++) {
        if (!row_selected(&rs, r, sel))
            continue;
        double v;
        rc = row_scenario(&rs, r, profile, 1, 1, sim_ms, text, 16384, &err);
        for (int k = 0; rc == 0 && k < M_FIXED; k++)
            rc = metric_measured(&rs, r, k, &v, &err);
        for (unsigned cpu = 0; rc == 0 && cpu < rs.ncpu; cpu++)
            rc = runs_table_number(&rs.t, r, rs.busy_col[cpu], &v, &err);
        if (rc != 0) {
            measure_msg("predict", "error: %s", err.msg);
            free(text);
            runs_table_free(&rs.t);
            return EX_DATAERR;
        }
        nsel++;
    }
    char dir[] = "/tmp/falconsim-predict.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        measure_msg("predict", "error: cannot create a temporary directory: %s", strerror(errno));
        free(text);
        runs_table_free(&rs.t);
        return EX_CANTCREAT;
    }
    char outtmp[4200] = "";
    FILE *f = stdout;
    if (out != NULL) {
        snprintf(outtmp, sizeof outtmp, "%s.partial.%d", out, (int)getpid());
        f = fopen(outtmp, "w");
        if (f == NULL) {
            measure_msg("predict", "error: %s: cannot create: %s", out, strerror(errno));
            rmdir(dir);
            free(text);
            runs_table_free(&rs.t);
            return EX_CANTCREAT;
        }
    }
    unsigned nmetric = M_FIXED + rs.ncpu;
    fprintf(f, "case_id\ttopology\tplacement\tpayload\tflows\tload\trep\tmetric\tmeasured\t"
               "predicted\tpred_min\tpred_max\tdraws\tseeds\trel_err\n");
    /* per row kind (flat out, paced) and metric: |errors| of the rows, for
     * the summary; the flat-out rows are the fit's default training rows, so
     * they are never summed with the predicted ones */
    double *abserr = xcalloc(2 * (size_t)nmetric * (nsel ? nsel : 1), sizeof *abserr);
    unsigned *nerr = xcalloc(2 * (size_t)nmetric, sizeof *nerr);
    double *pred = xcalloc(nmetric, sizeof *pred), *sum = xcalloc(nmetric, sizeof *sum),
           *lo = xcalloc(nmetric, sizeof *lo), *hi = xcalloc(nmetric, sizeof *hi);
    /* one draw's runs, seed by seed, metric by metric */
    double *by_seed = xcalloc((size_t)nmetric * (size_t)seeds, sizeof *by_seed);
    /* every selected row's measured and predicted values, for the spread summary */
    unsigned *row_of = xcalloc(nsel ? nsel : 1, sizeof *row_of);
    double *all_meas = xcalloc((size_t)nmetric * (nsel ? nsel : 1), sizeof *all_meas);
    double *all_pred = xcalloc((size_t)nmetric * (nsel ? nsel : 1), sizeof *all_pred);
    unsigned done = 0;
    for (unsigned r = 0; r < rs.t.nrows && rc == 0; r++) {
        if (!row_selected(&rs, r, sel))
            continue;
        unsigned nd = row_hash_dependent(&rs, r) ? (unsigned)draws : 1;
        for (unsigned k = 0; k < nmetric; k++) {
            sum[k] = 0;
            lo[k] = (double)INFINITY;
            hi[k] = -(double)INFINITY;
        }
        for (unsigned d = 0; d < nd && rc == 0; d++) {
            for (unsigned e = 0; e < (unsigned)seeds && rc == 0; e++) {
                char path[4300];
                snprintf(path, sizeof path, "%s/case_%s_draw%u_seed%u.cfg", dir,
                         cell(&rs, r, C_CASE), d + 1, e + 1);
                rc = row_scenario(&rs, r, profile, (int64_t)d + 1, (int64_t)e + 1, sim_ms, text,
                                  16384, &err);
                if (rc == 0)
                    rc = write_file(path, text, &err);
                if (rc == 0)
                    rc = run_one(path, rs.ncpu, pred, &err);
                unlink(path);
                for (unsigned k = 0; rc == 0 && k < nmetric; k++) {
                    by_seed[(size_t)k * (size_t)seeds + e] = pred[k];
                    lo[k] = fmin(lo[k], pred[k]);
                    hi[k] = fmax(hi[k], pred[k]);
                }
            }
            for (unsigned k = 0; rc == 0 && k < nmetric; k++)
                sum[k] += median_of(&by_seed[(size_t)k * (size_t)seeds], (unsigned)seeds);
        }
        if (rc != 0) {
            measure_msg("predict", "error: case %s: %s", cell(&rs, r, C_CASE), err.msg);
            rc = EX_CONFIG;
            break;
        }
        for (unsigned k = 0; k < nmetric; k++) {
            double meas;
            char name[48];
            if (k < M_FIXED) {
                metric_measured(&rs, r, (int)k, &meas, NULL);
                snprintf(name, sizeof name, "%s", k_metric_names[k]);
            } else {
                runs_table_number(&rs.t, r, rs.busy_col[k - M_FIXED], &meas, NULL);
                snprintf(name, sizeof name, "cpu%u_busy_pct", k - M_FIXED);
            }
            double mean = sum[k] / nd;
            double rel = meas != 0 ? (mean - meas) / fabs(meas) : (double)NAN;
            all_meas[(size_t)done * nmetric + k] = meas;
            all_pred[(size_t)done * nmetric + k] = mean;
            fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.6g\t%.6g\t%.6g\t%.6g\t%u\t%u\t%.4f\n",
                    cell(&rs, r, C_CASE), cell(&rs, r, C_TOPO), cell(&rs, r, C_PLACE),
                    cell(&rs, r, C_PAYLOAD), cell(&rs, r, C_FLOWS), cell(&rs, r, C_LOAD),
                    cell(&rs, r, C_REP), name, meas, mean, lo[k], hi[k], nd, (unsigned)seeds, rel);
            unsigned slot = (strcmp(cell(&rs, r, C_LOAD), "sat") == 0 ? 0 : nmetric) + k;
            if (isfinite(rel))
                abserr[(size_t)slot * nsel + nerr[slot]++] = fabs(rel);
        }
        row_of[done++] = r;
        if (!quiet && isatty(2))
            fprintf(stderr, "\rfalconsim predict: %u/%u rows", done, nsel);
    }
    if (!quiet && isatty(2))
        fputc('\n', stderr);
    if (rc == 0 && !quiet) {
        fprintf(stderr, "falconsim predict: %u rows of %s under %s\n", done, rs.t.path, profile);
        for (unsigned slot = 0; slot < 2 * nmetric; slot++) {
            unsigned k = slot % nmetric;
            if (k == 0)
                fprintf(stderr, "  %-16s %5s %12s %8s %8s %8s\n",
                        slot == 0 ? "flat-out rows" : "paced rows", "rows", "median|err|",
                        "<=10%", "<=20%", "<=30%");
            double *e = &abserr[(size_t)slot * nsel];
            unsigned n = nerr[slot];
            if (n == 0)
                continue;
            double st[3];
            runs_report_stats3(e, n, st); /* sorts e; st[0] is the median */
            unsigned w10 = 0, w20 = 0, w30 = 0;
            for (unsigned i = 0; i < n; i++) {
                w10 += e[i] <= 0.10;
                w20 += e[i] <= 0.20;
                w30 += e[i] <= 0.30;
            }
            char name[48];
            if (k < M_FIXED)
                snprintf(name, sizeof name, "%s", k_metric_names[k]);
            else
                snprintf(name, sizeof name, "cpu%u_busy_pct", k - M_FIXED);
            fprintf(stderr, "  %-16s %5u %11.1f%% %5u/%-2u %5u/%-2u %5u/%-2u\n", name, n,
                    100 * st[0], w10, n, w20, n, w30, n);
        }
        spread_summary(&rs, row_of, done, all_meas, all_pred, nmetric);
        phase_summary(&rs, row_of, done, all_meas, all_pred, nmetric);
    }
    free(by_seed);
    free(row_of);
    free(all_meas);
    free(all_pred);
    free(abserr);
    free(nerr);
    free(pred);
    free(sum);
    free(lo);
    free(hi);
    free(text);
    rmdir(dir);
    runs_table_free(&rs.t);
    if (out != NULL) {
        bool ok = fclose(f) == 0;
        if (rc == 0 && !ok) {
            measure_msg("predict", "error: %s: write failed", out);
            rc = EX_IOERR;
        }
        if (rc == 0 && rename(outtmp, out) != 0) {
            measure_msg("predict", "error: %s: %s", out, strerror(errno));
            rc = EX_CANTCREAT;
        }
        if (rc != 0)
            unlink(outtmp);
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        measure_msg("predict", "error: writing the table: %s", strerror(errno));
        rc = EX_IOERR;
    }
    return rc;
}

/* }===== */

/* {===== Fit ===== */

struct free_key {
    char key[128];
    double lo, hi;
};

/* The sender's costs as the rows measured them: the sender CPUs' system
 * time a sent datagram (snd_sys_us_pp; the kit's senders keep their CPUs
 * busy, flat out or busy-waiting between paced sends, so the ticks of
 * /proc/stat see the send path in proportion) less the send call's share,
 * syscall_ns / batch, is sender.msg_ns + sender.encap_ns on the overlay +
 * sender.byte_ns x payload. The medians of each (topology, payload) cell are
 * fitted by least squares, every cell weighing the same (a row kind
 * measured more often does not pull harder); encap_ns only where both
 * topologies are among the rows, byte_ns only where two payloads are. A
 * negative solution is set to 0. The ticks count the time interruptions
 * took (noise.*: stalls the guest does not see, other tasks) to the context
 * they interrupted, so the sender's own time is snd_sys_us_pp x (1 - the
 * noise's share of its CPU); noise_frac[r] is that share for row r (NULL or
 * NAN: none). The call's share is the row's scenario's own sender.call_ns /
 * batch (call_ns[r]; NULL or NAN: none), what the model charges on top of
 * msg_ns: the file's syscall_ns, which fixed.cfg sets, or where the file has
 * none the base's, which may carry the send call measured by a batch sweep
 * of the same machine kind; either way the datagram's total at the rows'
 * batch stays what the rows measured. The ticks count the part
 * cpu.syscall_return_user_ns of each call's return as user time, so
 * call_ns[r] is the call's system part (less that), and a swept call's
 * system term gets it back (call_user_ns) to make the whole call.
 * Where the rows hold more than one batch (a batch sweep), the cells are
 * (topology, payload, batch) and the send call's own cost is one more
 * unknown, with 1 / batch as its regressor, in place of syscall_ns / batch:
 * a sendmmsg call does more than getppid, the kit's probe of a system call
 * (the file descriptor, the message vector, the socket's lock), and on
 * data/hosts/kvm-2vcpu-epyc/batch-sweep its system time a datagram runs
 * from 0.95 us at batch 32 to 2.35 us at batch 1 (underlay). It is at least
 * syscall_ns: a send call is a system call. */
struct sender_meas {
    bool ok, has_encap, has_byte, has_call;
    double msg_ns, encap_ns, byte_ns, call_ns;
    double call_user_ns; /* of the call, what the ticks count as user time */
    unsigned cells, rows;
};

enum { SM_MAX_CELLS = 32 };

static void sender_measured(const struct rows *rs, const char *sel, const double *noise_frac,
                            const double *call_ns, double call_user_ns, struct sender_meas *sm)
{
    memset(sm, 0, sizeof *sm);
    sm->call_user_ns = call_user_ns;
    int col = runs_table_col(&rs->t, "snd_sys_us_pp");
    if (col < 0 || rs->t.nrows == 0)
        return;
    bool over[SM_MAX_CELLS];
    double payload[SM_MAX_CELLS], batches[SM_MAX_CELLS];
    double *vals[SM_MAX_CELLS];
    unsigned nv[SM_MAX_CELLS], nc = 0;
    double batch0 = 0;
    for (unsigned r = 0; r < rs->t.nrows; r++) {
        /* the batches of the rows the least squares takes (below) */
        double batch, v;
        if (row_selected(rs, r, sel) && runs_table_number(&rs->t, r, col, &v, NULL) == 0 &&
            v > 0 && num(rs, r, C_BATCH, &batch, NULL) == 0 && batch >= 1) {
            if (batch0 == 0)
                batch0 = batch;
            sm->has_call |= batch != batch0;
        }
    }
    for (unsigned r = 0; r < rs->t.nrows; r++) {
        double v, pl, batch;
        if (!row_selected(rs, r, sel) || runs_table_number(&rs->t, r, col, &v, NULL) != 0 ||
            !(v > 0) || num(rs, r, C_PAYLOAD, &pl, NULL) != 0 ||
            num(rs, r, C_BATCH, &batch, NULL) != 0 || !(batch >= 1))
            continue;
        v *= 1000; /* us -> ns */
        if (noise_frac != NULL && isfinite(noise_frac[r]))
            v *= 1 - noise_frac[r];
        if (!sm->has_call) {
            if (call_ns != NULL && isfinite(call_ns[r]))
                v -= call_ns[r] / batch;
            batch = 1; /* one cell for every batch */
        }
        bool ov = strcmp(cell(rs, r, C_TOPO), "overlay") == 0;
        unsigned k = 0;
        while (k < nc && !(over[k] == ov && payload[k] == pl && batches[k] == batch))
            k++;
        if (k == nc) {
            if (nc == SM_MAX_CELLS)
                continue;
            over[k] = ov;
            payload[k] = pl;
            batches[k] = batch;
            vals[k] = xcalloc(rs->t.nrows, sizeof *vals[k]);
            nv[k] = 0;
            nc++;
        }
        vals[k][nv[k]++] = v;
        sm->rows++;
    }
    if (nc == 0)
        return;
    /* unknowns: msg, then encap and byte where the cells tell them apart */
    double med[SM_MAX_CELLS];
    bool any_over = false, any_under = false;
    for (unsigned k = 0; k < nc; k++) {
        double st[3];
        runs_report_stats3(vals[k], nv[k], st);
        med[k] = st[0];
        free(vals[k]);
        any_over |= over[k];
        any_under |= !over[k];
    }
    sm->has_encap = any_over && any_under;
    for (unsigned k = 1; k < nc; k++)
        sm->has_byte |= payload[k] != payload[0];
    size_t nx = 1 + (sm->has_encap ? 1 : 0) + (sm->has_byte ? 1 : 0) + (sm->has_call ? 1 : 0);
    if (nc < nx)
        return; /* fewer cells than unknowns: they cannot be told apart */
    gsl_matrix *X = gsl_matrix_alloc(nc, nx);
    gsl_vector *y = gsl_vector_alloc(nc), *x = gsl_vector_alloc(nx);
    gsl_matrix *cov = gsl_matrix_alloc(nx, nx);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(nc, nx);
    for (unsigned k = 0; k < nc; k++) {
        size_t j = 0;
        gsl_matrix_set(X, k, j++, 1);
        if (sm->has_encap)
            gsl_matrix_set(X, k, j++, over[k] ? 1 : 0);
        if (sm->has_byte)
            gsl_matrix_set(X, k, j++, payload[k]);
        if (sm->has_call)
            gsl_matrix_set(X, k, j++, 1 / batches[k]);
        gsl_vector_set(y, k, med[k]);
    }
    /* a truncated SVD: cells that leave an unknown undetermined (an overlay
     * at one payload, an underlay at another) give a rank below nx */
    double chisq;
    size_t rank = 0;
    int status = gsl_multifit_linear_tsvd(X, y, 1e-10, x, cov, &chisq, &rank, w);
    if (status == GSL_SUCCESS && rank == nx) {
        size_t j = 0;
        sm->msg_ns = fmax(gsl_vector_get(x, j++), 0);
        sm->encap_ns = sm->has_encap ? fmax(gsl_vector_get(x, j++), 0) : 0;
        sm->byte_ns = sm->has_byte ? fmax(gsl_vector_get(x, j++), 0) : 0;
        if (sm->has_call) /* the term is the call's system time; its return's
                           * user part makes the whole call */
            sm->call_ns = fmax(gsl_vector_get(x, j++) + call_user_ns,
                               isfinite(rs->syscall_ns) ? rs->syscall_ns : 0);
        sm->ok = true;
    }
    gsl_multifit_linear_free(w);
    gsl_matrix_free(cov);
    gsl_vector_free(x);
    gsl_vector_free(y);
    gsl_matrix_free(X);
    sm->cells = nc;
}

/* The share of a row's sender CPUs that noise.* takes (the mean gap a CPU
 * meets, its stalls thinned to noise.stall_share, over the mean spacing, at
 * most 1; the mean over the sender CPUs). */
static double sender_noise_frac(const struct sim_params *p)
{
    double sum = 0;
    double gap = dist_mean_ns(&p->noise.gap) -
                 (1 - p->noise.stall_share) *
                     dist_mean_above_ns(&p->noise.gap, p->noise.stall_from_us * 1e3);
    for (unsigned i = 0; i < p->sender.cpus.n; i++)
        for (unsigned k = 0; k < p->noise.cpus.n; k++)
            if (p->noise.cpus.cpu[k] == p->sender.cpus.cpu[i]) {
                double sp = dist_mean_ns(&p->noise.spacing);
                sum += sp > 0 ? fmin(gap / sp, 1) : 0;
                break;
            }
    return p->sender.cpus.n > 0 ? sum / p->sender.cpus.n : 0;
}

/* fixed.cfg: the base, the file's measured system call, and (sm non-NULL)
 * its measured sender. */
static void fixed_text(char *text, size_t cap, const struct rows *rs, const char *base_rel,
                       const struct sender_meas *sm)
{
    size_t n = (size_t)snprintf(text, cap, "# Generated by falconsim fit: the base, and what %s measured.\n"
                                           "defaults = \"%s\";\n",
                                rs->t.path, base_rel);
    char send_call[64] = "", send_path[128] = "";
    if (isfinite(rs->syscall_ns)) {
        bool swept = sm != NULL && sm->ok && sm->has_call;
        n += (size_t)snprintf(text + n, cap - n,
                              "# %s: the median syscall_ns\n"
                              "# of the file, one system call's entry and exit (getppid)\n"
                              "app: { call_ns = %.1f; };\n",
                              swept ? "app.call_ns (recvmmsg)"
                                    : "sender.call_ns (sendmmsg) and app.call_ns (recvmmsg)",
                              rs->syscall_ns);
        snprintf(send_call, sizeof send_call, " call_ns = %.1f;", rs->syscall_ns);
    }
    if (sm != NULL && sm->ok && sm->has_call) {
        n += (size_t)snprintf(text + n, cap - n,
                              "# sender.msg_ns, encap_ns, byte_ns and call_ns: the sender CPUs' system\n"
                              "# time a sent datagram (snd_sys_us_pp) less the noise's share of the\n"
                              "# CPU, the medians of %u (topology, payload, batch) cells of %u rows\n"
                              "# fitted by least squares, call_ns / batch the send call's share (at\n"
                              "# least syscall_ns)\n",
                              sm->cells, sm->rows);
        snprintf(send_call, sizeof send_call, " call_ns = %.1f;", sm->call_ns);
    } else if (sm != NULL && sm->ok) {
        n += (size_t)snprintf(text + n, cap - n,
                              "# sender.msg_ns, encap_ns, byte_ns: the sender CPUs' system time a sent\n"
                              "# datagram (snd_sys_us_pp) less the noise's share of the CPU and\n"
                              "# %s / batch, the medians of %u (topology, payload) cells of\n"
                              "# %u rows fitted by least squares\n",
                              isfinite(rs->syscall_ns) ? "syscall_ns" : "the base's sender.call_ns",
                              sm->cells, sm->rows);
    }
    if (sm != NULL && sm->ok && sm->call_user_ns > 0)
        n += (size_t)snprintf(text + n, cap - n,
                              "# (of the call, the return's %.1f ns the ticks count as user time\n"
                              "# (cpu.syscall_return_user_ns) are not in snd_sys_us_pp)\n",
                              sm->call_user_ns);
    if (sm != NULL && sm->ok)
        snprintf(send_path, sizeof send_path, " msg_ns = %.1f; encap_ns = %.1f; byte_ns = %.4f;",
                 sm->msg_ns, sm->encap_ns, sm->byte_ns);
    if (send_call[0] != '\0' || send_path[0] != '\0')
        snprintf(text + n, cap - n, "sender: {%s%s };\n", send_call, send_path);
}

/* The free keys when --free is not given: the sender's per-datagram cost
 * (and the overlay's encapsulation where both topologies are selected: with
 * one of them it is one sum with sender.msg_ns), the receive stages the
 * selected rows cross, and the reader's recvmsg (and its extra cost when
 * another CPU queued the datagram, where the rows have the receive path both
 * on the sender's CPU, vanilla, and moved by RPS). */
static unsigned default_free(const struct rows *rs, const char *sel,
                             const struct sender_meas *sm, struct free_key *fk)
{
    bool under = false, over = false, vanilla = false, rps = false;
    for (unsigned r = 0; r < rs->t.nrows; r++)
        if (row_selected(rs, r, sel)) {
            under |= strcmp(cell(rs, r, C_TOPO), "underlay") == 0;
            over |= strcmp(cell(rs, r, C_TOPO), "overlay") == 0;
            vanilla |= strcmp(cell(rs, r, C_PLACE), "vanilla") == 0;
            rps |= strcmp(cell(rs, r, C_PLACE), "vanilla") != 0;
        }
    unsigned n = 0;
    if (!sm->ok)
        fk[n++] = (struct free_key){"sender.msg_ns", 100, 20000};
    if (!sm->ok && under && over)
        fk[n++] = (struct free_key){"sender.encap_ns", 0, 20000};
    if (under)
        fk[n++] = (struct free_key){"stage.host_l4.cost", 100, 20000};
    if (over) {
        fk[n++] = (struct free_key){"stage.outer_l4.cost", 100, 20000};
        fk[n++] = (struct free_key){"stage.gro_cell.cost", 100, 20000};
        fk[n++] = (struct free_key){"stage.container.cost", 100, 20000};
    }
    fk[n++] = (struct free_key){"app.recv_ns", 100, 20000};
    if (vanilla && rps)
        fk[n++] = (struct free_key){"app.remote_enqueue_ns", 0, 20000};
    return n;
}

/* {===== The stalls' share =====
 *
 * The noise table comes from a probe of a few seconds, and the long stalls in
 * its tail (gaps over noise.stall_from_us: the hypervisor's preemptions) come
 * at a rate that moves tenfold between 10 s windows of one guest, so the
 * probe's sample of them is a handful of events. The training rows see the
 * campaign's own rate in their latency tails. The fit scans
 * noise.stall_share over STALL_GRID shares (1, 0.95, ..., 0), runs each
 * training case (the repetitions of one configuration) under the fitted
 * profile with STALL_SEEDS seeds, and keeps the share whose median p99 and
 * p99.9 (where the file has lat_p999_us) are closest to the repetitions'
 * medians in squared log error: a tail is a ratio, and repetitions spread by
 * up to ten times. A case's p99 over seeds spreads as widely (falconsim
 * predict), hence eight of them. The result does not depend on the threads.
 *
 * A case whose softirq the host deferred to ksoftirqd is left out: its
 * repetitions' median ksoftirqd run time (ksoftirqd_us_pp x in_pps) over
 * STALL_KSOFTIRQD_MAX of one CPU. There the reader queues behind the
 * ksoftirqd thread in the scheduler, for slices of milliseconds, and that
 * sets its tail, not the stalls; stalls being the scan's only lever, such a
 * case would pull the share up by whatever the model's scheduling misses.
 * The threads' other work (timers, RCU) stays far below: on the 2-vCPU
 * host, at most 0.05 % of a CPU in the vanilla rows, at least 0.9 % in the
 * RPS rows (docs/measure.md). */

#define STALL_GRID 21u
#define STALL_SEEDS 8u
#define STALL_KSOFTIRQD_MAX 0.002 /* of one CPU's time */

struct stall_scan {
    char **text;       /* [nrows] a selected row's scenario under the profile */
    unsigned nrows;
    double *p99, *p999; /* [STALL_GRID][nrows][STALL_SEEDS], us */
};

static double stall_share_of(unsigned g) { return 1 - (double)g / (STALL_GRID - 1); }

/* Run w of the scan: share w / (nrows x seeds), row, seed. */
static int stall_run(void *ctx, size_t w, struct sim_err *err)
{
    struct stall_scan *sc = ctx;
    unsigned k = (unsigned)(w % STALL_SEEDS), i = (unsigned)(w / STALL_SEEDS % sc->nrows),
             g = (unsigned)(w / STALL_SEEDS / sc->nrows);
    char share[64], seed[64];
    snprintf(share, sizeof share, "noise.stall_share=%.4f", stall_share_of(g));
    snprintf(seed, sizeof seed, "run.seed=%u", k + 1);
    const char *sets[] = {share, seed};
    struct model *m = run_scenario(NULL, sc->text[i], sets, 2, err);
    if (m == NULL)
        return SIM_EINVAL;
    const struct model_summary *s = &model_finish(m)->sum;
    sc->p99[w] = s->send_latency_p99_us;
    sc->p999[w] = s->send_latency_p999_us;
    model_destroy(m);
    return SIM_OK;
}

/* ln(model / measured)^2, the model's median over the seeds at w; 0 where
 * the row measured nothing (a model without deliveries counts as 1 ns). */
static double stall_err(const double *v, double measured)
{
    if (!(measured > 0))
        return 0;
    double x[STALL_SEEDS];
    for (unsigned k = 0; k < STALL_SEEDS; k++)
        x[k] = v[k];
    double med = median_of(x, STALL_SEEDS);
    double e = log(fmax(med, 1e-3) / measured);
    return e * e;
}


/* The median over a case's rows reps[0..n) of column col, or of col
 * combined with column with (-1: none): scale > 0 gives col x with x scale,
 * scale < 0 col / with. Combined, a row where either is not positive (a
 * thread schedstat did not see, a call count of 0) is left out, and where
 * every row is, the median is 0 (no target). */
static int case_median(const struct rows *rs, const unsigned *reps, unsigned n, int col, int with,
                       double scale, double *v, double *out, struct sim_err *err)
{
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        double a, b = 1;
        int rc = runs_table_number(&rs->t, reps[i], col, &a, err);
        if (rc == 0 && with >= 0)
            rc = runs_table_number(&rs->t, reps[i], with, &b, err);
        if (rc != 0)
            return rc;
        double x = scale > 0 ? a * b * scale : a / b;
        if (with < 0 || (a > 0 && b > 0))
            v[m++] = x;
    }
    *out = m > 0 ? median_of(v, m) : 0;
    return 0;
}

/* Scans noise.stall_share for the cases of the rows sel selects (their
 * repetitions' medians) under the profile at profile_abs; appends the
 * result, with its table as a comment, to f. */
static int stall_scan_run(const struct rows *rs, const char *sel, const char *profile_abs,
                          double sim_ms, unsigned jobs, bool quiet, FILE *f, struct sim_err *err)
{
    struct stall_scan sc = {0};
    unsigned n = rs->t.nrows;
    sc.text = xcalloc(n, sizeof *sc.text);
    double *m99 = xcalloc(n, sizeof *m99), *m999 = xcalloc(n, sizeof *m999);
    double *v = xcalloc(n, sizeof *v), *w = xcalloc(n, sizeof *w);
    bool *used = xcalloc(n, sizeof *used);
    double *ks = xcalloc(n, sizeof *ks);
    int ks_col = runs_table_col(&rs->t, "ksoftirqd_us_pp");
    int in_col = runs_table_col(&rs->t, "in_pps");
    unsigned deferred = 0;
    int rc = SIM_OK;
    for (unsigned r = 0; r < n && rc == SIM_OK; r++) {
        if (used[r] || !row_selected(rs, r, sel))
            continue;
        unsigned nm = 0;
        for (unsigned j = r; j < n && rc == SIM_OK; j++) {
            if (used[j] || !row_selected(rs, j, sel) || !same_case(rs, r, j))
                continue;
            used[j] = true;
            w[nm] = (double)NAN;
            ks[nm] = 0;
            rc = num(rs, j, C_P99, &v[nm], err);
            if (rc == SIM_OK && rs->p999_col >= 0)
                rc = runs_table_number(&rs->t, j, rs->p999_col, &w[nm], err);
            double us_pp = 0, in_pps = 0;
            if (rc == SIM_OK && ks_col >= 0 && in_col >= 0 &&
                (rc = runs_table_number(&rs->t, j, ks_col, &us_pp, err)) == SIM_OK &&
                (rc = runs_table_number(&rs->t, j, in_col, &in_pps, err)) == SIM_OK)
                ks[nm] = us_pp * 1e-6 * in_pps;
            nm++;
        }
        if (rc == SIM_OK && nm > 0 && median_of(ks, nm) > STALL_KSOFTIRQD_MAX) {
            deferred++;
            continue;
        }
        double st[3];
        runs_report_stats3(v, nm, st);
        m99[sc.nrows] = st[0];
        m999[sc.nrows] = (double)NAN;
        if (rs->p999_col >= 0) {
            runs_report_stats3(w, nm, st);
            m999[sc.nrows] = st[0];
        }
        char *t = xmalloc(16384);
        sc.text[sc.nrows++] = t;
        if (rc == SIM_OK)
            rc = row_scenario(rs, r, profile_abs, 1, 1, sim_ms, t, 16384, err);
    }
    if (rc == SIM_OK && sc.nrows == 0) {
        if (!quiet)
            fprintf(stderr, "falconsim fit: the stalls' share: every case's softirq ran in "
                            "ksoftirqd; the base's share kept\n");
        fprintf(f, "# noise.stall_share: not scanned, every case's softirq ran in ksoftirqd "
                   "(docs/measure.md)\n");
    }
    size_t total = (size_t)STALL_GRID * sc.nrows * STALL_SEEDS;
    sc.p99 = xcalloc(total ? total : 1, sizeof *sc.p99);
    sc.p999 = xcalloc(total ? total : 1, sizeof *sc.p999);
    bool scan = rc == SIM_OK && sc.nrows > 0;
    if (scan) {
        if (!quiet)
            fprintf(stderr,
                    "falconsim fit: the stalls' share: %u shares x %u cases x %u seeds "
                    "(%u cases left out: softirq in ksoftirqd)\n",
                    STALL_GRID, sc.nrows, STALL_SEEDS, deferred);
        rc = parallel_for(total, jobs, stall_run, &sc, err);
        scan = rc == SIM_OK;
    }
    double sum[STALL_GRID];
    unsigned best = 0;
    for (unsigned g = 0; g < STALL_GRID && scan; g++) {
        sum[g] = 0;
        for (unsigned i = 0; i < sc.nrows; i++) {
            size_t at = ((size_t)g * sc.nrows + i) * STALL_SEEDS;
            sum[g] += stall_err(&sc.p99[at], m99[i]) + stall_err(&sc.p999[at], m999[i]);
        }
        if (sum[g] < sum[best]) /* ties keep the larger share: the probe's own */
            best = g;
    }
    if (scan) {
        fprintf(f,
                "# noise.stall_share: the share of the noise table's stalls (gaps over\n"
                "# noise.stall_from_us) whose latency tails come closest to the rows' (p99%s,\n"
                "# the median of %u seeds against the repetitions' median; squared log errors\n"
                "# summed over %u cases, %u left out whose softirq ran in ksoftirqd), of %u\n"
                "# shares scanned (docs/measure.md, \"Fit and predict\"). share: error\n#",
                rs->p999_col >= 0 ? " and p99.9" : "", STALL_SEEDS, sc.nrows, deferred, STALL_GRID);
        for (unsigned g = 0; g < STALL_GRID; g++)
            fprintf(f, " %.2f: %.2f%s", stall_share_of(g), sum[g],
                    g % 6 == 5 && g + 1 < STALL_GRID ? "\n#" : "");
        fprintf(f, "\nnoise: { stall_share = %.2f; };\n", stall_share_of(best));
        if (!quiet)
            fprintf(stderr, "falconsim fit: noise.stall_share %.2f (error %.2f; at 1: %.2f)\n",
                    stall_share_of(best), sum[best], sum[0]);
    }
    for (unsigned i = 0; i < sc.nrows; i++)
        free(sc.text[i]);
    free(sc.text);
    free(m99);
    free(m999);
    free(v);
    free(w);
    free(ks);
    free(used);
    free(sc.p99);
    free(sc.p999);
    return rc;
}

/* Whether the rows' noise has stalls for the share to thin: the first
 * selected row's scenario under the base, loaded. */
static bool rows_have_stalls(const char *scen_path)
{
    struct sim_params p;
    struct scenario_text st;
    struct sim_err err;
    if (scenario_load(scen_path, NULL, NULL, 0, &p, &st, &err) != SIM_OK)
        return false;
    scenario_text_free(&st);
    return p.noise.cpus.n > 0 &&
           dist_mean_above_ns(&p.noise.gap, p.noise.stall_from_us * 1e3) > 0;
}

/* }===== */

static void fit_usage(FILE *f)
{
    fprintf(f,
            "usage: falconsim fit MEASURED -o PROFILE.cfg --base BASE.cfg [--rows sat|load|all]\n"
            "                     [--free KEY:MIN:MAX]... [--starts N] [--stalls scan|keep]\n"
            "                     [--seed-spread K] [-j N] [--sim-ms MS] [-q]\n"
            "\n"
            "Fits a host profile to selected rows of a measured file (a falconsim measure\n"
            "directory or its runs.tsv): each case (a configuration's repetitions) becomes a\n"
            "scenario under BASE.cfg (the kernel settings and every cost not fitted), and\n"
            "the repetitions' medians of its delivered rate, each CPU's busy\n"
            "fraction, the reader's and the sender's run time a datagram (rcv_task_us_pp,\n"
            "snd_task_us_pp: schedstat, where the file has them) and, on CPUs busy 95 %% or\n"
            "more, their softirq and system shares become targets, and falconsim calibrate\n"
            "fits the free keys.\n"
            "sender.call_ns and app.call_ns are not fitted: they are set to the file's\n"
            "measured syscall_ns. Nor are sender.msg_ns, sender.encap_ns and sender.byte_ns\n"
            "where the file has snd_sys_us_pp: the sender's system time a sent datagram,\n"
            "less the call's share (its system part: less cpu.syscall_return_user_ns),\n"
            "as msg + encap (overlay) + byte x payload, fitted by\n"
            "least squares to the medians of each (topology, payload) of the rows. Where\n"
            "the rows hold more than one batch, sender.call_ns is the same fit's term in\n"
            "1 / batch, plus cpu.syscall_return_user_ns (at least syscall_ns), each\n"
            "(topology, payload, batch) a cell.\n"
            "Without syscall_ns, both calls are the base's, and the call's share taken\n"
            "off is the base's sender.call_ns / batch.\n"
            "Writes PROFILE.cfg (a new name or a regular file; includable; for falconsim\n"
            "predict) and, beside it,\n"
            "PROFILE.cfg.d/ with the generated scenarios, targets.tsv and the fit's keys.\n"
            "\n"
            "  --rows SEL          sat (default: the flat-out rows), load or all\n"
            "  --free KEY:MIN:MAX  a free key and its bounds (repeatable; default:\n"
            "                      sender.msg_ns and, if the rows hold both topologies,\n"
            "                      sender.encap_ns, where the file has no snd_sys_us_pp;\n"
            "                      the stages the rows cross, app.recv_ns,\n"
            "                      app.remote_enqueue_ns if they hold vanilla and RPS)\n"
            "  --starts N          fits from N starting points, the best kept: the base's\n"
            "                      values, then a Halton sequence over the free keys' bounds\n"
            "                      (default 4; costs that share a CPU leave several valleys)\n"
            "  --stalls scan|keep  scan noise.stall_share after the fit: the share of the\n"
            "                      noise table's stalls whose latency tails (p99, p99.9)\n"
            "                      come closest to the rows' (default scan, where the\n"
            "                      base's noise has stalls; cases whose softirq ran in\n"
            "                      ksoftirqd left out); keep: the base's share\n"
            "  --seed-spread K     runs the fitted point again with run.seed + 1..K and\n"
            "                      prints the range of the sum of squares, the model's own\n"
            "                      noise in it: fits that differ by less are not told\n"
            "                      apart (default 4; 0: none; at most 64)\n"
            "  -j, --jobs N        runs in parallel (default: the online CPUs)\n"
            "  --sim-ms MS         simulated time per run, a fifth of it warm-up (default:\n"
            "                      the row's own window, win_s, after 100 ms of warm-up;\n"
            "                      300 ms where the file has no win_s)\n"
            "\n"
            "Exit status: 0 ok, 64 usage, 65 bad measured file, 66 missing input,\n"
            "73 cannot create the output, 78 a scenario does not load.\n");
}

int host_rows_fit_main(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                       {"base", required_argument, NULL, 'b'},
                                       {"rows", required_argument, NULL, 'r'},
                                       {"free", required_argument, NULL, 'f'},
                                       {"jobs", required_argument, NULL, 'j'},
                                       {"sim-ms", required_argument, NULL, 's'},
                                       {"starts", required_argument, NULL, 'n'},
                                       {"seed-spread", required_argument, NULL, 'k'},
                                       {"stalls", required_argument, NULL, 'S'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    const char *out = NULL, *base = NULL, *sel = "sat";
    unsigned starts = 4, seeds = 4;
    struct free_key fk[32];
    unsigned nfk = 0, jobs = 0;
    double sim_ms = 0; /* the row's own window */
    bool quiet = false, scan_stalls = true;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:qh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': out = optarg; break;
        case 'b': base = optarg; break;
        case 'r': sel = optarg; break;
        case 'q': quiet = true; break;
        case 'j': {
            long j;
            if (!count_arg("fit", "-j", optarg, 1024, &j))
                return EX_USAGE;
            jobs = (unsigned)j;
            break;
        }
        case 's':
            sim_ms = strtod(optarg, &end);
            if (*end != '\0' || !(sim_ms >= 10 && sim_ms <= 1e6)) {
                measure_msg("fit", "error: --sim-ms: '%s' must be 10..1e6", optarg);
                return EX_USAGE;
            }
            break;
        case 'n': {
            long n;
            if (!count_arg("fit", "--starts", optarg, 64, &n))
                return EX_USAGE;
            starts = (unsigned)n;
            break;
        }
        case 'k': {
            long n = 0;
            if (strcmp(optarg, "0") != 0 &&
                !count_arg("fit", "--seed-spread", optarg, CAL_MAX_SEEDS, &n))
                return EX_USAGE;
            seeds = (unsigned)n;
            break;
        }
        case 'f': {
            struct free_key k;
            char *a = strchr(optarg, ':'), *b = a ? strchr(a + 1, ':') : NULL;
            if (nfk == SIM_ARRAY_LEN(fk) || a == NULL || b == NULL ||
                (size_t)(a - optarg) >= sizeof k.key) {
                measure_msg("fit", "error: --free: '%s' must be KEY:MIN:MAX (at most %zu keys)", optarg,
                    SIM_ARRAY_LEN(fk));
                return EX_USAGE;
            }
            snprintf(k.key, sizeof k.key, "%.*s", (int)(a - optarg), optarg);
            k.lo = strtod(a + 1, &end);
            bool ok = end == b;
            k.hi = strtod(b + 1, &end);
            if (!ok || *end != '\0' || !(k.hi > k.lo)) {
                measure_msg("fit", "error: --free: '%s' needs numbers MIN < MAX", optarg);
                return EX_USAGE;
            }
            fk[nfk++] = k;
            break;
        }
        case 'S':
            if (strcmp(optarg, "scan") != 0 && strcmp(optarg, "keep") != 0) {
                measure_msg("fit", "error: --stalls: '%s' must be scan or keep", optarg);
                return EX_USAGE;
            }
            scan_stalls = strcmp(optarg, "scan") == 0;
            break;
        case 'h': fit_usage(stdout); return 0;
        default:
            measure_msg("fit", "error: unknown option or missing value: %s (falconsim fit --help)",
                argv[optind - 1]);
            return EX_USAGE;
        }
    }
    if (argc - optind != 1 || out == NULL || base == NULL) {
        fit_usage(stderr);
        return EX_USAGE;
    }
    if (strcmp(sel, "all") != 0 && strcmp(sel, "sat") != 0 && strcmp(sel, "load") != 0) {
        measure_msg("fit", "error: --rows: '%s' must be all, sat or load", sel);
        return EX_USAGE;
    }
    struct sim_err oerr;
    if (sim_output_path_check(out, &oerr) != SIM_OK) {
        measure_msg("fit", "%s", oerr.msg);
        return EX_CANTCREAT;
    }
    char base_abs[4096];
    if (realpath(base, base_abs) == NULL) {
        measure_msg("fit", "error: %s: %s", base, strerror(errno));
        return EX_NOINPUT;
    }
    struct rows rs;
    struct sim_err err = {{0}};
    int rc = rows_load(argv[optind], &rs, &err);
    if (rc != 0) {
        measure_msg("fit", "error: %s", err.msg);
        runs_table_free(&rs.t);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_DATAERR;
    }
    struct sender_meas sm;
    sender_measured(&rs, sel, NULL, NULL, 0, &sm); /* which keys it sets; the values come below */
    if (nfk == 0)
        nfk = default_free(&rs, sel, &sm, fk);
    char dir[4200], path[4400], fixed[4400];
    snprintf(dir, sizeof dir, "%s.d", out);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        measure_msg("fit", "error: %s: cannot create: %s", dir, strerror(errno));
        runs_table_free(&rs.t);
        return EX_CANTCREAT;
    }
    /* fixed.cfg: the base, and what the file measured itself */
    char *text = xmalloc(16384);
    snprintf(fixed, sizeof fixed, "%s/fixed.cfg", dir);
    char dir_abs[4400], base_rel[4400];
    if (realpath(dir, dir_abs) == NULL)
        snprintf(dir_abs, sizeof dir_abs, "%s", dir);
    relative_path(dir_abs, base_abs, base_rel, sizeof base_rel);
    /* first without the measured sender: the rows' scenarios, loaded below,
     * tell the noise its CPUs lose */
    fixed_text(text, 16384, &rs, base_rel, NULL);
    rc = write_file(fixed, text, &err);
    double *noise_frac = xcalloc(rs.t.nrows, sizeof *noise_frac);
    double *send_call_ns = xcalloc(rs.t.nrows, sizeof *send_call_ns);
    double send_call_user_ns = 0;
    for (unsigned r = 0; r < rs.t.nrows; r++)
        noise_frac[r] = send_call_ns[r] = (double)NAN;
    /* the rows' scenarios sit beside fixed.cfg */
    const char *fixed_rel = "fixed.cfg";
    /* the rows' scenarios and the targets */
    snprintf(path, sizeof path, "%s/targets.tsv", dir);
    FILE *tf = rc == 0 ? fopen(path, "w") : NULL;
    if (rc == 0 && tf == NULL)
        rc = sim_error(&err, SIM_ECANTCREAT, "%s: cannot create: %s", path, strerror(errno));
    unsigned ntargets = 0;
    char first_scen[4400] = "";
    if (rc == 0) {
        fprintf(tf, "# Generated by falconsim fit from %s (rows: %s)\n", rs.t.path, sel);
        for (unsigned k = 0; k < nfk; k++)
            fprintf(tf, "free\t%s\t%g\t%g\n", fk[k].key, fk[k].lo, fk[k].hi);
    }
    /* One case (a configuration's repetitions) is one scenario, and each of
     * its targets the repetitions' median: a host that is bistable between
     * runs (data/hosts/kvm-2vcpu-epyc/campaign-2: overlay RPS livelocked in
     * one flat-out run of three, at 1.2 K datagrams/s against 250 K) sets
     * the median by its majority state, where one target per run gave every
     * trial that did not livelock a relative error of +16 000 %.
     * It is also what predict holds a prediction to. */
    bool *used = xcalloc(rs.t.nrows, sizeof *used);
    unsigned *reps = xcalloc(rs.t.nrows, sizeof *reps);
    double *v = xcalloc(rs.t.nrows, sizeof *v);
    for (unsigned r = 0; rc == 0 && r < rs.t.nrows; r++) {
        if (used[r] || !row_selected(&rs, r, sel))
            continue;
        unsigned n = 0;
        for (unsigned j = r; j < rs.t.nrows; j++)
            if (!used[j] && row_selected(&rs, j, sel) && same_case(&rs, r, j)) {
                used[j] = true;
                reps[n++] = j;
            }
        char name[64], scen[4400];
        snprintf(name, sizeof name, "case_%s.cfg", cell(&rs, r, C_CASE));
        snprintf(scen, sizeof scen, "%s/%s", dir, name);
        rc = row_scenario(&rs, r, fixed_rel, 1, 1, sim_ms, text, 16384, &err);
        if (rc == 0)
            rc = write_file(scen, text, &err);
        if (rc != 0)
            break;
        if (first_scen[0] == '\0')
            snprintf(first_scen, sizeof first_scen, "%s", scen);
        if (sm.ok) {
            /* a scenario that does not load is reported by the fit (78) */
            struct sim_params sp;
            struct scenario_text st;
            struct sim_err lerr;
            if (scenario_load(scen, NULL, NULL, 0, &sp, &st, &lerr) == SIM_OK) {
                scenario_text_free(&st);
                for (unsigned i = 0; i < n; i++) {
                    noise_frac[reps[i]] = sender_noise_frac(&sp);
                    /* the send call's part the ticks count as system time;
                     * its return's user part (cpu.syscall_return_user_ns) is
                     * not in snd_sys_us_pp */
                    send_call_ns[reps[i]] = sp.sender.call_ns - sp.cpu.syscall_return_user_ns;
                    send_call_user_ns = sp.cpu.syscall_return_user_ns;
                }
            }
        }
        double rate;
        if ((rc = case_median(&rs, reps, n, rs.col[C_RATE], -1, 1, v, &rate, &err)) != 0)
            break;
        fprintf(tf, "target\t%s\t-\tthroughput_pps\t%.6g\n", name, rate);
        ntargets++;
        /* The threads' run time, from schedstat (exact, unlike the ticks):
         * the reader's separates its own cost from the softirqs that run in
         * its context (RPS) and its wake-ups; the sender's, the receive work
         * that runs at its local_bh_enable (vanilla) from its own. As cores
         * (run time a datagram x datagrams a second), which stay bounded
         * where a trial's delivery collapses; half weight, as the CPU shares
         * below. */
        const struct {
            int col, per_col;
            const char *metric;
        } task[] = {{rs.reader_task_col, rs.col[C_RATE], "app_task_cores"},
                    {rs.sender_task_col, rs.send_col, "sender_task_cores"}};
        for (unsigned k = 0; k < 2 && rc == 0; k++) {
            double cores;
            if (task[k].col >= 0 && task[k].per_col >= 0 &&
                (rc = case_median(&rs, reps, n, task[k].col, task[k].per_col, 1e-6, v, &cores,
                                  &err)) == 0 &&
                cores > 0)
                fprintf(tf, "target\t%s\t-\t%s\t%.6g\t0.5\n", name, task[k].metric, cores);
        }
        /* The reader's calls a second (rate / rcv_call_size): its run time
         * is met as well by big calls of costly datagrams as by small calls
         * of cheap ones, which the call size tells apart (call-size/README.md
         * of data/hosts/kvm-2vcpu-epyc); half weight, as its run time. */
        double calls;
        if (rc == 0 && rs.call_col >= 0 &&
            (rc = case_median(&rs, reps, n, rs.col[C_RATE], rs.call_col, -1, v, &calls,
                              &err)) == 0 &&
            calls > 0)
            fprintf(tf, "target\t%s\t-\tapp_calls_per_s\t%.6g\t0.5\n", name, calls);
        for (unsigned cpu = 0; cpu < rs.ncpu && rc == 0; cpu++) {
            double busy, sirq, sys;
            rc = case_median(&rs, reps, n, rs.busy_col[cpu], -1, 1, v, &busy, &err);
            /* busy time is exact; half weight, as one row gives one rate and
             * a busy fraction per CPU */
            if (rc == 0)
                fprintf(tf, "target\t%s\t-\tbusy:%u\t%.6g\t0.5\n", name, cpu, busy / 100);
            /* The softirq share separates the receive path's cost from the
             * sender's where both share a CPU (vanilla). It is tick-sampled:
             * a target only on a CPU busy 95 % of the window or more, where
             * the ticks see every context in proportion, and compared with
             * the model's share as the ticks would see it (softirq_seen:
             * the noise and hardirqs counted to what they interrupted). */
            if (rc == 0 && rs.sirq_col[cpu] >= 0 && busy >= 95 &&
                (rc = case_median(&rs, reps, n, rs.sirq_col[cpu], -1, 1, v, &sirq, &err)) == 0)
                fprintf(tf, "target\t%s\t-\tsoftirq_seen:%u\t%.6g\t0.5\n", name, cpu,
                        sirq / 100);
            /* The system share, on the same CPUs, pins the sender's own path
             * (its CPU's system time is the send calls) apart from the
             * IPIs and receive work that share its CPU as softirq. */
            if (rc == 0 && rs.sys_col[cpu] >= 0 && busy >= 95 &&
                (rc = case_median(&rs, reps, n, rs.sys_col[cpu], -1, 1, v, &sys, &err)) == 0)
                fprintf(tf, "target\t%s\t-\tsystem_seen:%u\t%.6g\t0.5\n", name, cpu,
                        sys / 100);
        }
    }
    free(used);
    free(reps);
    free(v);
    if (tf != NULL && fclose(tf) != 0 && rc == 0)
        rc = sim_error(&err, SIM_EIO, "%s: write failed", path);
    if (rc == 0 && ntargets == 0)
        rc = sim_error(&err, SIM_EINVAL, "%s: no rows selected by --rows %s", rs.t.path, sel);
    if (rc == 0 && sm.ok) {
        sender_measured(&rs, sel, noise_frac, send_call_ns, send_call_user_ns, &sm);
        fixed_text(text, 16384, &rs, base_rel, &sm);
        rc = write_file(fixed, text, &err);
    }
    free(noise_frac);
    free(send_call_ns);
    if (rc != 0) {
        measure_msg("fit", "error: %s", err.msg);
        free(text);
        runs_table_free(&rs.t);
        return rc == SIM_EINVAL ? EX_DATAERR : EX_CANTCREAT;
    }
    char fitted[4400];
    snprintf(fitted, sizeof fitted, "%s/fitted.cfg", dir);
    if (jobs == 0) {
        long on = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = on > 0 ? (unsigned)on : 1;
    }
    rc = calibrate_run(path, fitted, NULL, 0, jobs, starts, seeds, quiet, &err);
    if (rc != SIM_OK) {
        measure_msg("fit", "error: %s", err.msg);
        free(text);
        runs_table_free(&rs.t);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_CONFIG;
    }
    /* PROFILE.cfg: the fitted keys over fixed.cfg (relative, so the profile
     * and its .d directory move together) */
    FILE *in = fopen(fitted, "r");
    char tmp[4400];
    snprintf(tmp, sizeof tmp, "%s.partial.%d", out, (int)getpid());
    FILE *o = fopen(tmp, "w");
    const char *slash = strrchr(dir, '/');
    if (in == NULL || o == NULL) {
        measure_msg("fit", "error: cannot write %s", out);
        rc = EX_CANTCREAT;
    } else {
        fprintf(o, "# Host profile fitted by falconsim fit to %s (rows: %s).\n"
                   "defaults = \"%s/fixed.cfg\";\n",
                rs.t.path, sel, slash ? slash + 1 : dir);
        char line[4096];
        while (fgets(line, sizeof line, in))
            fputs(line, o);
        bool ok = !ferror(in) && fflush(o) == 0;
        /* the stalls' share, scanned under the profile as fitted so far */
        char tmp_abs[4400];
        if (ok && scan_stalls && rows_have_stalls(first_scen)) {
            if (realpath(tmp, tmp_abs) == NULL) {
                ok = false;
            } else if (stall_scan_run(&rs, sel, tmp_abs, sim_ms, jobs, quiet, o, &err) != SIM_OK) {
                measure_msg("fit", "error: %s", err.msg);
                fclose(o);
                o = NULL;
                unlink(tmp);
                free(text);
                runs_table_free(&rs.t);
                fclose(in);
                return EX_CONFIG;
            }
        }
        ok = ok && fclose(o) == 0;
        o = NULL;
        if (!ok || rename(tmp, out) != 0) {
            measure_msg("fit", "error: cannot write %s", out);
            unlink(tmp);
            rc = EX_IOERR;
        } else if (!quiet) {
            fprintf(stderr, "falconsim fit: wrote %s (and %s/)\n", out, dir);
        }
    }
    if (in)
        fclose(in);
    if (o)
        fclose(o);
    free(text);
    runs_table_free(&rs.t);
    return rc;
}

/* }===== */
