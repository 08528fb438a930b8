/*
 * runs_report.h: reading what `falconsim measure` wrote (docs/measure.md).
 *
 * runs_report_summary: one line per case of a runs.tsv (saturation median
 * and range, per load the medians and ranges of rate, p50 and p99).
 * runs_report_noise_cfg: a noise.tsv as a scenario block whose noise.gap and
 * noise.spacing are empirical distributions (docs/model.md, "CPU noise").
 * Both print to stdout, report bad input on stderr with the file, line and
 * column, and return a sysexits(3) code: 65 bad file, 66 missing, 74 write
 * error.
 */
#ifndef FALCONSIM_RUNS_REPORT_H
#define FALCONSIM_RUNS_REPORT_H

/* arg: a measurement directory or the file itself. */
int runs_report_summary(const char *arg);
/* cpu < 0: the first CPU in the file. */
int runs_report_noise_cfg(const char *arg, long cpu);

/* The wake-up probe of a measurement directory (wake.tsv, env.tsv) as
 * scenario keys: app.wakeup_latency (the median after short idles) and, if
 * env.tsv has guest_halt_poll_ns, cpu.idle_poll_us and cpu.idle_exit (the
 * long-idle median less the short one). */
int runs_report_wake_cfg(const char *dir);

/* The IPI send probe of a measurement directory (kick.tsv) as a scenario
 * key: cpu.ipi_send_ns, the mean of the medians' differences (a kick to a
 * thread running in user space and in kernel code, against a blocked
 * signal's call). */
int runs_report_ipi_cfg(const char *dir);

/* Median, minimum and maximum of v[n], into out[3] (sorts v; NAN if n = 0). */
void runs_report_stats3(double *v, unsigned n, double out[3]);

#endif
