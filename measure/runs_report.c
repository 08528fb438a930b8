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
 * latency, and for each fixed load the medians (and ranges) over its
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
    /* Every number is checked before anything is printed. */
    for (unsigned r = 0; r < t.nrows; r++) {
        double v;
        for (unsigned k = C_RATE; k < C_N; k++)
            if (runs_table_number(&t, r, c[k], &v, &err) != 0) {
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
           "sat_max_pps\tsat_loss\tsat_p50_us\tsat_p99_us");
    for (unsigned i = 0; i < nloads; i++)
        printf("\tl%s_runs\tl%s_pps\tl%s_p50_us\tl%s_p50_min\tl%s_p50_max\tl%s_p99_us\t"
               "l%s_p99_min\tl%s_p99_max",
               loads[i], loads[i], loads[i], loads[i], loads[i], loads[i], loads[i], loads[i]);
    putchar('\n');
    bool *done = xcalloc(t.nrows ? t.nrows : 1, sizeof *done);
    double *a = xcalloc(t.nrows ? t.nrows : 1, sizeof *a), *b = xcalloc(t.nrows ? t.nrows : 1, sizeof *b),
           *d = xcalloc(t.nrows ? t.nrows : 1, sizeof *d), *e = xcalloc(t.nrows ? t.nrows : 1, sizeof *e);
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
            unsigned m = 0;
            for (unsigned i = 0; i < n; i++) {
                if (strcmp(runs_table_cell(&t, rows[i], c[C_LOAD]), want) != 0)
                    continue;
                runs_table_number(&t, rows[i], c[C_RATE], &a[m], NULL);
                runs_table_number(&t, rows[i], c[C_LOSS], &b[m], NULL);
                runs_table_number(&t, rows[i], c[C_P50], &d[m], NULL);
                runs_table_number(&t, rows[i], c[C_P99], &e[m], NULL);
                m++;
            }
            double sa[3], sb[3], sd[3], se[3];
            runs_report_stats3(a, m, sa);
            runs_report_stats3(b, m, sb);
            runs_report_stats3(d, m, sd);
            runs_report_stats3(e, m, se);
            if (li < 0)
                printf("\t%u\t%.0f\t%.0f\t%.0f\t%.4f\t%.1f\t%.1f", m, sa[0], sa[1], sa[2], sb[0],
                       sd[0], se[0]);
            else
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
    /* The probe lists 0, 0.01, ..., 1, then 0.999 and 0.9999. */
    qsort(pts, n, sizeof *pts, cmp_qpoint);
    printf("# CPU noise of CPU %ld as falconsim measure's probe saw it (%s): gaps of more\n"
           "# than 1 us in a busy loop, their lengths and the spacing of their starts.\n"
           "# @include it in a scenario; noise.cpus names the simulated CPUs it applies\n"
           "# to (here the measured CPU's own id; --set noise.cpus=[...] changes it).\n"
           "noise: {\n  cpus = [%ld];\n",
           cpu, path, cpu);
    for (int which = 0; which < 2; which++) {
        printf("  %s = { dist = \"empirical\";\n    quantiles = [", which ? "spacing" : "gap");
        for (unsigned i = 0; i < n; i++)
            printf("%s%.4f", i ? ", " : "", pts[i].q);
        printf("];\n    values_ns = [");
        for (unsigned i = 0; i < n; i++)
            printf("%s%.1f", i ? ", " : "", which ? pts[i].spacing : pts[i].gap);
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
