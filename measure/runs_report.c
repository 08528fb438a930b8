/*
 * runs_report.c: reports on a measured directory (runs_report.h). A file is
 * read whole (runs_table.h), every cell a report uses is checked before
 * anything is printed, then one pass prints; O(rows x cases).
 */
#include "runs_report.h"
#include "measure.h"
#include "params.h"
#include "runs_table.h"

#include <errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#define msg(...) measure_msg("measure", __VA_ARGS__)

/* {===== Summary of a measured file ===== */

/* The flat-out runs of a case against their reader's wake-ups: the sender's
 * CPU time a datagram (snd_task_us_pp) = base + cost x wake-ups a datagram
 * (rcv_wakeups_pp), by least squares. Where the whole path runs on the
 * sender's CPU (vanilla), the slope is what one wake-up of the reader costs
 * the CPU that wakes it, in place: on a guest whose reader falls into a
 * state of frequent sleeps and back (data/hosts/kvm-2vcpu-epyc/line-phase)
 * the runs spread along that line. Needs SUMMARY_WAKE_MIN_RUNS runs whose
 * wake-ups spread by SUMMARY_WAKE_MIN_SPREAD at least; else all NAN. */
#define SUMMARY_WAKE_MIN_RUNS 5
#define SUMMARY_WAKE_MIN_SPREAD 0.05
static void wake_fit(const double *wake, const double *task, unsigned n, double out[4])
{
    out[0] = out[1] = out[2] = out[3] = (double)NAN;
    double lo = (double)INFINITY, hi = -(double)INFINITY;
    for (unsigned i = 0; i < n; i++) {
        if (!isfinite(wake[i]) || !isfinite(task[i]))
            return;
        lo = fmin(lo, wake[i]);
        hi = fmax(hi, wake[i]);
    }
    if (n < SUMMARY_WAKE_MIN_RUNS || hi - lo < SUMMARY_WAKE_MIN_SPREAD)
        return;
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(wake, 1, task, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    out[0] = c0;               /* us a datagram with no wake-ups */
    out[1] = c1;               /* us a wake-up */
    out[2] = sqrt(cov11);      /* its standard error */
    out[3] = sqrt(sumsq / n);  /* rms residual, us */
}

/* The value of column col in row r (checked), NAN where the column is
 * absent (col -1: the optional columns of older files). */
static double optional_number(const struct runs_table *t, unsigned r, int col)
{
    double v = (double)NAN;
    if (col >= 0)
        runs_table_number(t, r, col, &v, NULL);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, minimum and maximum of v[n] (sorts v). */
void runs_report_stats3(double *v, unsigned n, double out[3])
{
    if (n == 0) {
        out[0] = out[1] = out[2] = (double)NAN;
        return;
    }
    qsort(v, n, sizeof *v, cmp_double);
    out[0] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    out[1] = v[0];
    out[2] = v[n - 1];
}

/* One line per case (topology, placement, brnf, payload, flows) of a runs.tsv:
 * the saturation runs' median delivered rate and range, their loss and
 * latency, the line probe's median and range over them, the wake-up fit
 * (wake_fit), and for each fixed load the medians (and ranges) over its
 * repetitions of delivered rate, p50 and p99. TSV on stdout. */
int runs_report_summary(const char *arg)
{
    struct runs_table t;
    struct sim_err err;
    int rc = runs_table_load_in(arg, "runs.tsv", &t, &err);
    if (rc != 0) {
        msg("error: %s", err.msg);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_DATAERR;
    }
    enum { C_TOPO, C_PLACE, C_BRNF, C_PAYLOAD, C_FLOWS, C_LOAD, C_RATE, C_LOSS, C_P50, C_P99, C_N };
    static const char *const names[C_N + 1] = {"topology", "placement", "brnf", "payload",
                                               "flows", "load", "rate_pps", "loss_frac",
                                               "lat_p50_us", "lat_p99_us", NULL};
    int c[C_N];
    if (runs_table_require(&t, names, c, &err) != 0) {
        msg("error: %s", err.msg);
        runs_table_free(&t);
        return EX_DATAERR;
    }
    /* Optional: older files lack the line probe and the task times (-1). */
    int c_task = runs_table_col(&t, "snd_task_us_pp"), c_wake = runs_table_col(&t, "rcv_wakeups_pp"),
        c_line = runs_table_col(&t, "line_rt_ns"), c_line2 = runs_table_col(&t, "line_rt_after_ns");
    const int optional[] = {c_task, c_wake, c_line, c_line2};
    /* Every number is checked before anything is printed ("nan" is one). */
    for (unsigned r = 0; r < t.nrows; r++) {
        double v;
        for (unsigned k = C_RATE; k < C_N; k++)
            if (runs_table_number(&t, r, c[k], &v, &err) != 0) {
                msg("error: %s", err.msg);
                runs_table_free(&t);
                return EX_DATAERR;
            }
        for (size_t k = 0; k < SIM_ARRAY_LEN(optional); k++)
            if (optional[k] >= 0 && runs_table_number(&t, r, optional[k], &v, &err) != 0) {
                msg("error: %s", err.msg);
                runs_table_free(&t);
                return EX_DATAERR;
            }
    }
    /* The fixed loads in the file, in order of first appearance. */
    const char *loads[64];
    unsigned nloads = 0;
    for (unsigned r = 0; r < t.nrows; r++) {
        const char *l = runs_table_cell(&t, r, c[C_LOAD]);
        bool seen = strcmp(l, "sat") == 0;
        for (unsigned i = 0; i < nloads && !seen; i++)
            seen = strcmp(loads[i], l) == 0;
        if (!seen && nloads < SIM_ARRAY_LEN(loads))
            loads[nloads++] = l;
    }
    printf("topology\tplacement\tbrnf\tpayload\tflows\tsat_runs\tsat_pps\tsat_min_pps\t"
           "sat_max_pps\tsat_loss\tsat_p50_us\tsat_p99_us\tsat_line_rt_ns\tsat_line_rt_min\t"
           "sat_line_rt_max\tsat_task_base_us\tsat_wake_cost_us\tsat_wake_cost_se_us\t"
           "sat_wake_fit_rms_us");
    for (unsigned i = 0; i < nloads; i++)
        printf("\tl%s_runs\tl%s_pps\tl%s_p50_us\tl%s_p50_min\tl%s_p50_max\tl%s_p99_us\t"
               "l%s_p99_min\tl%s_p99_max",
               loads[i], loads[i], loads[i], loads[i], loads[i], loads[i], loads[i], loads[i]);
    putchar('\n');
    bool *done = xcalloc(t.nrows ? t.nrows : 1, sizeof *done);
    double *a = xcalloc(t.nrows ? t.nrows : 1, sizeof *a), *b = xcalloc(t.nrows ? t.nrows : 1, sizeof *b),
           *d = xcalloc(t.nrows ? t.nrows : 1, sizeof *d), *e = xcalloc(t.nrows ? t.nrows : 1, sizeof *e),
           *line = xcalloc(2 * (size_t)(t.nrows ? t.nrows : 1), sizeof *line),
           *wake = xcalloc(t.nrows ? t.nrows : 1, sizeof *wake),
           *task = xcalloc(t.nrows ? t.nrows : 1, sizeof *task);
    for (unsigned r0 = 0; r0 < t.nrows; r0++) {
        if (done[r0])
            continue;
        /* The case's rows. */
        unsigned *rows = xcalloc(t.nrows, sizeof *rows), n = 0;
        for (unsigned r = r0; r < t.nrows; r++) {
            bool same = true;
            for (unsigned k = C_TOPO; k <= C_FLOWS && same; k++)
                same = strcmp(runs_table_cell(&t, r, c[k]), runs_table_cell(&t, r0, c[k])) == 0;
            if (same) {
                rows[n++] = r;
                done[r] = true;
            }
        }
        for (unsigned k = C_TOPO; k <= C_FLOWS; k++)
            printf("%s%s", k ? "\t" : "", runs_table_cell(&t, r0, c[k]));
        for (int li = -1; li < (int)nloads; li++) {
            const char *want = li < 0 ? "sat" : loads[li];
            unsigned m = 0, nline = 0;
            for (unsigned i = 0; i < n; i++) {
                if (strcmp(runs_table_cell(&t, rows[i], c[C_LOAD]), want) != 0)
                    continue;
                runs_table_number(&t, rows[i], c[C_RATE], &a[m], NULL);
                runs_table_number(&t, rows[i], c[C_LOSS], &b[m], NULL);
                runs_table_number(&t, rows[i], c[C_P50], &d[m], NULL);
                runs_table_number(&t, rows[i], c[C_P99], &e[m], NULL);
                wake[m] = optional_number(&t, rows[i], c_wake);
                task[m] = optional_number(&t, rows[i], c_task);
                for (int k = 0; k < 2; k++) {
                    double v = optional_number(&t, rows[i], k ? c_line2 : c_line);
                    if (isfinite(v))
                        line[nline++] = v;
                }
                m++;
            }
            double sa[3], sb[3], sd[3], se[3];
            runs_report_stats3(a, m, sa);
            runs_report_stats3(b, m, sb);
            runs_report_stats3(d, m, sd);
            runs_report_stats3(e, m, se);
            if (li < 0) {
                double sl[3] = {(double)NAN, (double)NAN, (double)NAN}, wf[4];
                if (nline > 0)
                    runs_report_stats3(line, nline, sl);
                wake_fit(wake, task, m, wf);
                printf("\t%u\t%.0f\t%.0f\t%.0f\t%.4f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.3f\t%.2f\t%.2f"
                       "\t%.3f",
                       m, sa[0], sa[1], sa[2], sb[0], sd[0], se[0], sl[0], sl[1], sl[2], wf[0],
                       wf[1], wf[2], wf[3]);
            } else
                printf("\t%u\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f", m, sa[0], sd[0], sd[1],
                       sd[2], se[0], se[1], se[2]);
        }
        putchar('\n');
        free(rows);
    }
    free(done);
    free(a);
    free(b);
    free(d);
    free(e);
    free(line);
    free(wake);
    free(task);
    runs_table_free(&t);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg("error: writing the summary: %s", strerror(errno));
        return EX_IOERR;
    }
    return 0;
}

/* }===== Summary of a measured file ===== */

/* {===== Noise profile for the simulator ===== */

struct qpoint {
    double q, gap, spacing;
};

static int cmp_qpoint(const void *a, const void *b)
{
    double x = ((const struct qpoint *)a)->q, y = ((const struct qpoint *)b)->q;
    return (x > y) - (x < y);
}

/* The simulator interpolates an empirical table linearly (rng.c). In a
 * heavy tail that invents mass: between the probe's 0.99 and 0.999 points
 * (94 us and 2.6 ms on data/hosts/kvm-2vcpu-epyc) a straight line puts 0.9 %
 * of the gaps at 1.3 ms on average, and the table's mean gap exceeds the one
 * the probe measured by a quarter. A power-law tail's quantile function is a
 * straight line in log(value) against log(1 - q) (Pareto: Q = x (1 - q)^-1/a),
 * so where a tail segment's values differ by more than 2x the table gets
 * points on that line, one per doubling, within the simulator's table size.
 * The segment that ends at q = 1 (the largest gap) stays linear. The mean
 * is then checked against the probe's own (noise_cfg_print). */
#define NOISE_TAIL_FROM 0.9 /* segments above this quantile are tail */

static unsigned noise_table(const struct qpoint *pts, unsigned n, int which, double *q, double *v)
{
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        double vi = which ? pts[i].spacing : pts[i].gap;
        q[m] = pts[i].q;
        v[m++] = vi;
        if (i + 1 == n)
            break;
        double vj = which ? pts[i + 1].spacing : pts[i + 1].gap;
        double ua = 1 - pts[i].q, ub = 1 - pts[i + 1].q;
        if (pts[i].q < NOISE_TAIL_FROM || ub <= 0 || vi <= 0 || vj <= 2 * vi)
            continue;
        unsigned room = DIST_EMPIRICAL_MAX - m - (n - i - 1);
        unsigned k = (unsigned)ceil(log2(vj / vi)) - 1;
        if (k > room)
            k = room;
        for (unsigned j = 1; j <= k; j++) {
            double f = (double)j / (k + 1);
            q[m] = 1 - ua * pow(ub / ua, f);
            v[m++] = vi * pow(vj / vi, f);
        }
    }
    return m;
}

/* The mean of a table the simulator interpolates linearly: its trapezoids. */
static double table_mean(const double *q, const double *v, unsigned n)
{
    double s = 0;
    for (unsigned i = 0; i + 1 < n; i++)
        s += (q[i + 1] - q[i]) * (v[i] + v[i + 1]) / 2;
    return s;
}

/* A quantile as libconfig reads a float: as many digits as it has. */
static void print_q(double q)
{
    char b[32];
    snprintf(b, sizeof b, "%.6f", q);
    size_t l = strlen(b);
    while (l > 3 && b[l - 1] == '0' && b[l - 2] != '.')
        b[--l] = '\0';
    fputs(b, stdout);
}

/* Loads the file `name` in the directory of `path` (a file's path). */
static int load_beside(const char *path, const char *name, struct runs_table *t,
                       struct sim_err *err)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    return runs_table_load_in(dir, name, t, err);
}

/* The probe's own gaps a second and lost fraction for `cpu`, and the
 * host-wide shares of the body and the stalls (shared[0], shared[1]: the
 * shared-noise probe's host_wide_*, where env.tsv has them, *by_time then
 * true; else the share of lost time in overlapping gaps for the body
 * alone), from env.tsv beside the noise table; NAN where it has none. */
static void probe_totals(const char *noise_path, long cpu, double *per_s, double *lost,
                         double shared[2], bool *by_time)
{
    double overlap = (double)NAN;
    *per_s = *lost = shared[0] = shared[1] = (double)NAN;
    *by_time = false;
    struct runs_table e;
    if (load_beside(noise_path, "env.tsv", &e, NULL) != 0)
        return;
    char k_rate[64], k_lost[64];
    snprintf(k_rate, sizeof k_rate, "noise_cpu%ld_gaps_per_s", cpu);
    snprintf(k_lost, sizeof k_lost, "noise_cpu%ld_lost_frac", cpu);
    for (unsigned r = 0; r < e.nrows && e.ncols >= 2; r++) {
        if (strcmp(runs_table_cell(&e, r, 0), k_rate) == 0)
            *per_s = atof(runs_table_cell(&e, r, 1));
        if (strcmp(runs_table_cell(&e, r, 0), k_lost) == 0)
            *lost = atof(runs_table_cell(&e, r, 1));
        if (strcmp(runs_table_cell(&e, r, 0), "noise_shared_time_frac") == 0)
            overlap = atof(runs_table_cell(&e, r, 1));
        if (strcmp(runs_table_cell(&e, r, 0), "noise_shared_host_wide_upto100us") == 0)
            shared[0] = atof(runs_table_cell(&e, r, 1));
        if (strcmp(runs_table_cell(&e, r, 0), "noise_shared_host_wide_over100us") == 0)
            shared[1] = atof(runs_table_cell(&e, r, 1));
    }
    *by_time = isfinite(shared[0]);
    if (!*by_time)
        shared[0] = overlap;
    runs_table_free(&e);
}

/* E[(L - x)+] of a table interpolated linearly, exactly, ns. */
static double table_excess(const double *q, const double *v, unsigned n, double x)
{
    double s = 0;
    for (unsigned i = 0; i + 1 < n; i++) {
        double a = v[i], b = v[i + 1], w = q[i + 1] - q[i];
        if (b <= x)
            continue;
        s += a >= x ? w * ((a + b) / 2 - x) : w * (b - x) * (b - x) / (2 * (b - a));
    }
    return s;
}

/* P(V > x) of a table interpolated linearly. */
static double table_tail(const double *q, const double *v, unsigned n, double x)
{
    if (x < v[0])
        return 1;
    for (unsigned i = 0; i + 1 < n; i++)
        if (x < v[i + 1])
            return 1 - (q[i] + (q[i + 1] - q[i]) * (x - v[i]) / (v[i + 1] - v[i]));
    return 0;
}

/* The wake-up probe's table beside the noise table: the shortest idle
 * spacing's quantiles (ns timed from the write's return where the file has
 * that column), into pts[*n] with that spacing in *idle_ns. Returns 0,
 * SIM_ENOENT where there is no wake.tsv, or an error naming file and line. */
static int wake_beside(const char *noise_path, struct qpoint *pts, unsigned *n, double *idle_ns,
                       struct sim_err *err)
{
    struct runs_table w;
    *n = 0;
    int rc = load_beside(noise_path, "wake.tsv", &w, err);
    if (rc != 0)
        return rc;
    static const char *const names[] = {"idle_from_ns", "quantile", "ns", NULL};
    int c[3];
    rc = runs_table_require(&w, names, c, err);
    int from_return = runs_table_col(&w, "ns_from_return");
    if (from_return >= 0)
        c[2] = from_return;
    double shortest = (double)INFINITY, v[3];
    for (unsigned r = 0; rc == 0 && r < w.nrows; r++)
        if ((rc = runs_table_number(&w, r, c[0], &v[0], err)) == 0)
            shortest = fmin(shortest, v[0]);
    for (unsigned r = 0; rc == 0 && r < w.nrows; r++) {
        for (unsigned k = 0; k < 3 && rc == 0; k++)
            rc = runs_table_number(&w, r, c[k], &v[k], err);
        if (rc != 0 || v[0] != shortest)
            continue;
        if (*n == DIST_EMPIRICAL_MAX)
            rc = sim_error(err, SIM_EINVAL, "%s: more than %d quantiles for %.0f ns idles",
                           w.path, DIST_EMPIRICAL_MAX, shortest);
        else
            pts[(*n)++] = (struct qpoint){v[1], v[2], 0};
    }
    *idle_ns = shortest;
    runs_table_free(&w);
    return rc;
}

/* E[w(L) (L - x)+] for each x of xs_ns[nx], of a table interpolated linearly,
 * ns, into out[], where an idle CPU meets a gap of length L with relative
 * weight w(L) = 1 up to knee_ns and (L / knee)^-slope beyond (cpu_model.c's
 * idle_misses). Midpoint rule, 32 steps a segment (the tables' segments are
 * short in q, and the fit below compares logarithms); slope 0 is exact
 * (table_excess). */
static void table_excess_idle(const double *q, const double *v, unsigned n, const double *xs_ns,
                              unsigned nx, double knee_ns, double slope, double *out)
{
    for (unsigned k = 0; k < nx; k++)
        out[k] = slope > 0 ? 0 : table_excess(q, v, n, xs_ns[k]);
    if (slope <= 0)
        return;
    for (unsigned i = 0; i + 1 < n; i++) {
        double a = v[i], b = v[i + 1], w = (q[i + 1] - q[i]) / 32;
        if (b <= xs_ns[0] || w <= 0)
            continue;
        for (int j = 0; j < 32; j++) {
            double len = a + (b - a) * (j + 0.5) / 32;
            double met = w * (len > knee_ns ? exp(-slope * log(len / knee_ns)) : 1);
            for (unsigned k = 0; k < nx && len > xs_ns[k]; k++)
                out[k] += met * (len - xs_ns[k]);
        }
    }
}

struct idle_fit {
    double share, knee_us, slope, err;
    double share_flat, err_flat; /* one share for every length */
};

#define WAKE_NX 8
static const double wake_x_ns[WAKE_NX] = {2e3, 5e3, 10e3, 20e3, 50e3, 100e3, 200e3, 500e3};

/* Squared log error of (knee, slope) over the usable x, the share that
 * minimises it in *share. */
static double idle_fit_err(const double *wake, const double *gq, const double *gv, unsigned gn,
                           double mean_spacing, double knee_ns, double slope, double *share)
{
    double d[WAKE_NX], met[WAKE_NX], mean = 0;
    unsigned k_used = 0;
    table_excess_idle(gq, gv, gn, wake_x_ns, WAKE_NX, knee_ns, slope, met);
    for (unsigned k = 0; k < WAKE_NX; k++) {
        if (!(wake[k] > 0))
            continue;
        double busy = met[k] / mean_spacing;
        if (!(busy > 0))
            continue;
        d[k_used] = log(wake[k] / busy);
        mean += d[k_used++];
    }
    if (k_used < 3)
        return (double)INFINITY;
    mean = fmin(0, mean / k_used);
    double e = 0;
    for (unsigned k = 0; k < k_used; k++)
        e += (d[k] - mean) * (d[k] - mean);
    *share = exp(mean);
    return e;
}

/* The idle CPU's share of the gaps (noise.idle_share) and, where the data
 * asks for one, the fall-off of that share for long gaps (noise.idle_knee_us,
 * noise.idle_slope), from the wake-up probe's table (wake_beside). A wake-up
 * lands on an idle vCPU at a random moment; if that vCPU met a gap of length
 * L with probability s w(L), the wake-up would wait x beyond its usual
 * latency with probability s E[w(L) (L - x)+] / E[spacing]. The probe's
 * P(W > median + x) for x = 2 to 500 us gives eight such ratios. Each x
 * averages over every gap longer than x, so the ms-long stalls weigh on every
 * x and the three values have to be fitted together: least squares in the
 * logarithms over a grid of knee (10 us to 8 ms, four steps a doubling, past
 * the probe's longest gaps) and slope (0 to 10, the key's range, by 0.05),
 * with s in closed form (the mean log ratio, at most 1). The cause is
 * physical: a halted vCPU is not runnable, so the hypervisor's long
 * preemptions pass it by while the short interrupts still reach it. Returns
 * -1 (and says why) where there is no table to use. */
static int idle_fit_from_wake(struct qpoint *pts, unsigned n, double shortest, const double *gq,
                              const double *gv, unsigned gn, double mean_spacing,
                              struct idle_fit *fit)
{
    if (n < 2 || mean_spacing <= 0) {
        printf("# wake.tsv beside it has no table to compare: noise.idle_share is left at 1.\n");
        return -1;
    }
    qsort(pts, n, sizeof *pts, cmp_qpoint);
    static double wq[DIST_EMPIRICAL_MAX], wv[DIST_EMPIRICAL_MAX];
    unsigned wn = noise_table(pts, n, 0, wq, wv);
    double median = (double)NAN;
    for (unsigned i = 0; i + 1 < wn; i++)
        if (wq[i] <= 0.5 && 0.5 <= wq[i + 1])
            median = wv[i] + (0.5 - wq[i]) / (wq[i + 1] - wq[i]) * (wv[i + 1] - wv[i]);
    if (!isfinite(median)) {
        printf("# wake.tsv beside it has no median: noise.idle_share is left at 1.\n");
        return -1;
    }
    double wake[WAKE_NX];
    for (unsigned k = 0; k < WAKE_NX; k++)
        wake[k] = table_tail(wq, wv, wn, median + wake_x_ns[k]);
    fit->err_flat = idle_fit_err(wake, gq, gv, gn, mean_spacing, 0, 0, &fit->share_flat);
    fit->share = fit->share_flat;
    if (!isfinite(fit->err_flat)) {
        printf("# wake.tsv beside it waits beyond its median at fewer than 3 of x = 2-500 us:\n"
               "# noise.idle_share is left at 1.\n");
        return -1;
    }
    fit->knee_us = fit->slope = 0;
    fit->err = fit->err_flat;
    for (double knee_us = 10; knee_us <= 8000 * 1.0001; knee_us *= pow(2, 0.25))
        for (int j = 1; j <= 200; j++) {
            double share = 1, e = idle_fit_err(wake, gq, gv, gn, mean_spacing, knee_us * 1e3,
                                           0.05 * j, &share);
            if (e < fit->err) {
                fit->share = share;
                fit->knee_us = knee_us;
                fit->slope = 0.05 * j;
                fit->err = e;
            }
        }
    printf("# An idle vCPU meets these gaps less often than the busy loop: the wake-up probe\n"
           "# (wake.tsv, idles of %.0f-%.0f us) waits x beyond its median (%.0f ns) in the share\n"
           "# below of its wake-ups, where gaps at the busy loop's rate would delay (ratio):\n#  ",
           shortest / 1e3, 2 * shortest / 1e3, median);
    for (unsigned k = 0; k < WAKE_NX; k++) {
        double busy = table_excess(gq, gv, gn, wake_x_ns[k]) / mean_spacing;
        printf(" x=%g us: %.2f%% vs %.2f%% (%.2f)%s", wake_x_ns[k] / 1e3, 100 * wake[k], 100 * busy,
               busy > 0 ? wake[k] / busy : (double)NAN,
               k == 3 ? ";\n#  " : (k + 1 < WAKE_NX ? ";" : ".\n"));
    }
    if (fit->slope <= 0) {
        printf("# noise.idle_share is their common ratio (least squares in the logarithms);\n"
               "# squared log error %.2f.\n", fit->err);
        return 0;
    }
    printf("# The ratio falls for long gaps: a halted vCPU is not runnable, so the\n"
           "# hypervisor's long preemptions pass it by. Fitted to the eight ratios together\n"
           "# (least squares in their logarithms), a gap longer than noise.idle_knee_us is\n"
           "# met with probability idle_share x (length / knee)^-idle_slope; squared log\n"
           "# error %.2f, where one share for every length (%.3f) gives %.2f. Its ratios:\n#  ",
           fit->err, fit->share_flat, fit->err_flat);
    double met[WAKE_NX];
    table_excess_idle(gq, gv, gn, wake_x_ns, WAKE_NX, fit->knee_us * 1e3, fit->slope, met);
    for (unsigned k = 0; k < WAKE_NX; k++) {
        double busy = table_excess(gq, gv, gn, wake_x_ns[k]);
        printf(" x=%g us: %.2f%s", wake_x_ns[k] / 1e3,
               busy > 0 ? fit->share * met[k] / busy : (double)NAN,
               k + 1 < WAKE_NX ? ";" : ".\n");
    }
    return 0;
}

/* Prints a scenario block (libconfig) whose noise.gap and noise.spacing are
 * the empirical distributions CPU `cpu` of a measured noise.tsv showed
 * (cpu < 0: the first CPU in the file), for `@include` in a scenario. */
int runs_report_noise_cfg(const char *arg, long cpu)
{
    struct runs_table t;
    struct sim_err err;
    int rc = runs_table_load_in(arg, "noise.tsv", &t, &err);
    if (rc != 0) {
        msg("error: %s", err.msg);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_DATAERR;
    }
    const char *path = t.path;
    static const char *const names[] = {"cpu", "quantile", "gap_ns", "spacing_ns", NULL};
    int c[4];
    struct qpoint pts[DIST_EMPIRICAL_MAX];
    unsigned n = 0;
    rc = runs_table_require(&t, names, c, &err);
    for (unsigned r = 0; rc == 0 && r < t.nrows; r++) {
        double v[4];
        for (unsigned k = 0; k < 4 && rc == 0; k++)
            rc = runs_table_number(&t, r, c[k], &v[k], &err);
        if (rc != 0)
            break;
        if (cpu < 0)
            cpu = (long)v[0];
        if ((long)v[0] != cpu)
            continue;
        if (n == DIST_EMPIRICAL_MAX) {
            rc = sim_error(&err, SIM_EINVAL, "%s: CPU %ld has more than %d quantiles", path, cpu,
                           DIST_EMPIRICAL_MAX);
            break;
        }
        pts[n++] = (struct qpoint){v[1], v[2], v[3]};
    }
    if (rc == 0 && n < 2)
        rc = sim_error(&err, SIM_EINVAL, "%s: no quantiles for CPU %ld", path, cpu);
    if (rc != 0) {
        msg("error: %s", err.msg);
        runs_table_free(&t);
        return EX_DATAERR;
    }
    /* The wake-up probe beside it, read (and refused if malformed) before
     * anything is printed. */
    static struct qpoint wake[DIST_EMPIRICAL_MAX];
    unsigned nwake;
    double wake_idle = 0;
    int wake_rc = wake_beside(path, wake, &nwake, &wake_idle, &err);
    if (wake_rc != 0 && wake_rc != SIM_ENOENT) {
        msg("error: %s", err.msg);
        runs_table_free(&t);
        return EX_DATAERR;
    }
    /* The probe lists 0, 0.01, ..., 1, then its tail points (0.999 and
     * 0.9999 in files from before 2026-12-02, more since). */
    qsort(pts, n, sizeof *pts, cmp_qpoint);
    static double q[2][DIST_EMPIRICAL_MAX], v[2][DIST_EMPIRICAL_MAX];
    unsigned m[2];
    for (int which = 0; which < 2; which++)
        m[which] = noise_table(pts, n, which, q[which], v[which]);
    double gap = table_mean(q[0], v[0], m[0]), spacing = table_mean(q[1], v[1], m[1]);
    double per_s, lost, shared[2];
    bool by_time;
    probe_totals(path, cpu, &per_s, &lost, shared, &by_time);
    bool body_ok = isfinite(shared[0]) && shared[0] >= 0 && shared[0] <= 1,
         stall_ok = isfinite(shared[1]) && shared[1] >= 0 && shared[1] <= 1;
    printf("# CPU noise of CPU %ld as falconsim measure's probe saw it (%s): gaps of more\n"
           "# than 1 us in a busy loop, their lengths and the spacing of their starts.\n"
           "# @include it in a scenario; noise.cpus names the simulated CPUs it applies\n"
           "# to (here the measured CPU's own id; --set noise.cpus=[...] changes it).\n"
           "# Tail segments follow a power law between the probe's points (docs/measure.md).\n"
           "# These tables: %.0f gaps/s, mean gap %.1f us, %.2f %% of the CPU lost",
           cpu, path, spacing > 0 ? 1e9 / spacing : 0.0, gap / 1e3,
           spacing > 0 ? 100 * gap / spacing : 0.0);
    if (isfinite(per_s) && isfinite(lost) && per_s > 0)
        printf(";\n# the probe counted %.0f gaps/s, mean gap %.1f us, %.2f %% lost.\n", per_s,
               lost * 1e9 / per_s / 1e3, 100 * lost);
    else
        printf(" (env.tsv gives no totals to check them against).\n");
    struct idle_fit fit;
    int have_fit = 0;
    if (wake_rc == SIM_ENOENT)
        printf("# No wake.tsv beside it: noise.idle_share is left at 1 (an idle CPU meets the\n"
               "# gaps as a busy one does).\n");
    else
        have_fit = idle_fit_from_wake(wake, nwake, wake_idle, q[0], v[0], m[0], spacing, &fit) == 0;
    if (body_ok && stall_ok)
        printf("# noise.shared, noise.stall_shared: the host-wide shares of the body's lost\n"
               "# time (gaps up to 100 us) and of the stalls': the time another CPU's gaps\n"
               "# cover beyond chance (env.tsv, noise_shared_host_wide_upto100us and\n"
               "# _over100us; falconsim-loadgen shared): it stops every noise CPU at once.\n");
    else if (body_ok && !by_time)
        printf("# noise.shared: the share of the probed CPUs' lost time in gaps that overlap\n"
               "# a gap of another CPU (env.tsv, noise_shared_time_frac; falconsim-loadgen\n"
               "# shared): those stop every noise CPU at once.\n");
    else if (body_ok)
        printf("# noise.shared: the host-wide share of the body's lost time (gaps up to\n"
               "# 100 us) beyond chance (env.tsv, noise_shared_host_wide_upto100us). The\n"
               "# shared-noise probe met no stall, so noise.stall_shared is not set and the\n"
               "# stalls take noise.shared's share; on a KVM guest a stall is one vCPU's\n"
               "# (docs/measure.md).\n");
    printf("noise: {\n  cpus = [%ld];\n", cpu);
    if (body_ok)
        printf("  shared = %.3f;\n", shared[0]);
    if (body_ok && stall_ok)
        printf("  stall_shared = %.3f;\n", shared[1]);
    if (have_fit)
        printf("  idle_share = %.3f;\n", fit.share);
    if (have_fit && fit.slope > 0)
        printf("  idle_knee_us = %.1f;\n  idle_slope = %.2f;\n", fit.knee_us, fit.slope);
    for (int which = 0; which < 2; which++) {
        printf("  %s = { dist = \"empirical\";\n    quantiles = [", which ? "spacing" : "gap");
        for (unsigned i = 0; i < m[which]; i++) {
            if (i)
                fputs(", ", stdout);
            print_q(q[which][i]);
        }
        printf("];\n    values_ns = [");
        for (unsigned i = 0; i < m[which]; i++)
            printf("%s%.1f", i ? ", " : "", v[which][i]);
        printf("]; };\n");
    }
    printf("};\n");
    runs_table_free(&t);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg("error: writing the profile: %s", strerror(errno));
        return EX_IOERR;
    }
    return 0;
}

/* }===== Noise profile for the simulator ===== */

/* {===== Wake-up profile for the simulator ===== */

int runs_report_wake_cfg(const char *dir)
{
    struct runs_table w, e;
    struct sim_err err;
    int rc = runs_table_load_in(dir, "wake.tsv", &w, &err);
    if (rc != 0) {
        msg("error: %s", err.msg);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_DATAERR;
    }
    static const char *const names[] = {"idle_from_ns", "quantile", "ns", NULL};
    int c[3];
    double med[2] = {(double)NAN, (double)NAN}, idle[2] = {0, 0};
    unsigned n = 0;
    rc = runs_table_require(&w, names, c, &err);
    /* The reader's own wait starts when the waker's call returns: where the
     * waker pays for the wake-up inside its call (this guest traps on the
     * IPI), the model charges that to the waker (app.waker_cost_ns). Files
     * from before the probe timed the return have only the whole. */
    int from_return = runs_table_col(&w, "ns_from_return");
    if (from_return >= 0)
        c[2] = from_return;
    for (unsigned r = 0; rc == 0 && r < w.nrows; r++) {
        double v[3];
        for (unsigned k = 0; k < 3 && rc == 0; k++)
            rc = runs_table_number(&w, r, c[k], &v[k], &err);
        if (rc != 0 || v[1] != 0.5)
            continue;
        if (n == 2) {
            rc = sim_error(&err, SIM_EINVAL, "%s: more than two idle spacings", w.path);
            break;
        }
        idle[n] = v[0];
        med[n++] = v[2];
    }
    if (rc == 0 && n != 2)
        rc = sim_error(&err, SIM_EINVAL, "%s: want the medians of two idle spacings", w.path);
    if (rc != 0) {
        msg("error: %s", err.msg);
        runs_table_free(&w);
        return EX_DATAERR;
    }
    unsigned s = idle[0] < idle[1] ? 0 : 1, l = 1 - s;
    /* the polling window, where the machine says it */
    double poll_ns = (double)NAN;
    if (runs_table_load_in(dir, "env.tsv", &e, NULL) == 0) {
        for (unsigned r = 0; r < e.nrows && e.ncols >= 2; r++)
            if (strcmp(runs_table_cell(&e, r, 0), "guest_halt_poll_ns") == 0)
                poll_ns = atof(runs_table_cell(&e, r, 1));
        runs_table_free(&e);
    }
    printf("# A reader's wake-up as falconsim measure's probe saw it (%s): the median\n"
           "# after idles of %.0f-%.0f us, and after idles of %.0f-%.0f us, %s.\n"
           "# Copy into the host's base; the tails are the host's stalls (noise.*).\n"
           "app: { wakeup_latency = %.1f; wakeup_latency_to = \"%s\"; };\n",
           w.path, idle[s] / 1e3, 2 * idle[s] / 1e3, idle[l] / 1e3, 2 * idle[l] / 1e3,
           from_return >= 0 ? "from the waker's write return to the reader's read return"
                            : "from the waker's write call (this file has no ns_from_return:\n"
                              "# that includes the waker's own cost, app.waker_cost_ns)",
           med[s], from_return >= 0 ? "read" : "runnable");
    if (isfinite(poll_ns) && poll_ns > 0)
        printf("# The guest polls %.0f ns before it halts (guest_halt_poll_ns).\n"
               "cpu: { idle_poll_us = %.1f; idle_exit = %.1f; };\n",
               poll_ns, poll_ns / 1e3, fmax(0, med[l] - med[s]));
    else
        printf("# env.tsv names no polling window (guest_halt_poll_ns): cpu.idle_poll_us and\n"
               "# cpu.idle_exit are left for you to set (the long-idle median is %.1f ns).\n",
               med[l]);
    runs_table_free(&w);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg("error: writing the profile: %s", strerror(errno));
        return EX_IOERR;
    }
    return 0;
}

/* }===== Wake-up profile for the simulator ===== */

/* {===== IPI send cost for the simulator ===== */

int runs_report_ipi_cfg(const char *dir)
{
    struct runs_table k;
    struct sim_err err;
    int rc = runs_table_load_in(dir, "kick.tsv", &k, &err);
    if (rc != 0) {
        msg("error: %s", err.msg);
        return rc == SIM_ENOENT ? EX_NOINPUT : EX_DATAERR;
    }
    static const char *const names[] = {"quantile", "blocked_user_ns", "kick_user_ns",
                                        "blocked_kernel_ns", "kick_kernel_ns", NULL};
    int c[5];
    double med[5];
    bool found = false;
    rc = runs_table_require(&k, names, c, &err);
    for (unsigned r = 0; rc == 0 && r < k.nrows && !found; r++) {
        double q;
        rc = runs_table_number(&k, r, c[0], &q, &err);
        if (rc != 0 || q != 0.5)
            continue;
        for (unsigned j = 1; j < 5 && rc == 0; j++)
            rc = runs_table_number(&k, r, c[j], &med[j], &err);
        found = rc == 0;
    }
    if (rc == 0 && !found)
        rc = sim_error(&err, SIM_EINVAL, "%s: no row with quantile 0.5", k.path);
    if (rc != 0) {
        msg("error: %s", err.msg);
        runs_table_free(&k);
        return EX_DATAERR;
    }
    double user = med[2] - med[1], kernel = med[4] - med[3];
    double cost = fmax(0, (user + kernel) / 2);
    printf("# One IPI to a running CPU, as falconsim measure's IPI send probe saw it (%s):\n"
           "# a tgkill that kicks a thread running on the other CPU took %.0f ns (the thread in\n"
           "# user space) and %.0f ns (in kernel code) longer at the median than one whose\n"
           "# signal the thread blocked: the IPI, sent and not waited for, as RPS sends its\n"
           "# own. Copy into the host's base; cpu.ipi_send_idle_ns (a target that idles) is\n"
           "# not probed here (docs/measure.md, \"The IPI send probe\").\n"
           "cpu: { ipi_send_ns = %.1f; };\n",
           k.path, user, kernel, cost);
    runs_table_free(&k);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg("error: writing the profile: %s", strerror(errno));
        return EX_IOERR;
    }
    return 0;
}

/* }===== IPI send cost for the simulator ===== */
